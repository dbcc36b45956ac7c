/*
 * Message text: placeholders {title}, {action}, {message}, {type},
 * {os_version}, {build_version}, {device_type}, {notes}, {link},
 * {created}, {updated}, {time}, {appsize}, {app}; "{{" and "}}" are
 * literal braces.  Also the built-in templates, per language and robot.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include "config.h"

struct buf;
struct event;

/* What a message is made from. */
struct message_ctx {
	const struct event	*ev;
	const char		*app;	/* the app key */
	enum lang		 lang;
	/* "2020-07-15 10:50:54" from ev->timestamp in the configured
	 * timezone, else ev's "created", else "". */
	char			 time[64];
};

/* Fills ctx->time from ev and tz (an IANA name such as "Asia/Shanghai"). */
void	 template_ctx_init(struct message_ctx *, const struct event *,
	    const char *app, enum lang, const char *tz);
/* 0 when tpl is well-formed and names only known fields; else -1 with
 * the reason ("unknown field {titel}") in err. */
int	 template_check(const char *tpl, char *err, size_t errlen);
/* Appends tpl with placeholders replaced (absent fields are empty). */
void	 template_render(struct buf *, const char *tpl,
	    const struct message_ctx *);

#endif
