/*
 * Message text: placeholders {title}, {action}, {message}, {type},
 * {os_version}, {build_version}, {device_type}, {notes}, {link},
 * {created}, {updated}, {time}, {appsize} (bytes), {size} ("25.4 MB"),
 * {qrcode} (the QR code image's URL), {app}; "{{" and "}}" are literal
 * braces.  The template is trusted; the values are made inert.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include "config.h"
#include "inert.h"

struct buf;
struct event;

/* What a message is made from. */
struct message_ctx {
	const struct event	*ev;
	const char		*app;	/* the app key */
	enum lang		 lang;
	/* PGYER's own "created", else "updated" (what PGYER shows), else
	 * "2020-07-15 10:50:54" from ev->timestamp in the configured
	 * timezone, else "". */
	char			 time[64];
	/* "appsize" as people read it, "25.4 MB", else "". */
	char			 size[32];
};

/*
 * Fills ctx from ev.  tz (an IANA name such as "Asia/Shanghai") is set as
 * the process's TZ the first time, and again only when it changes: one
 * config has one zone, so a process sets TZ once, before any resolver
 * thread runs (setenv() is not thread-safe).
 */
void	 template_ctx_init(struct message_ctx *, const struct event *,
	    const char *app, enum lang, const char *tz);
/* 0 when tpl is well-formed and names only known fields; else -1 with
 * the reason ("unknown field {titel}") in err. */
int	 template_check(const char *tpl, char *err, size_t errlen);
/* Appends tpl with placeholders replaced by their values made inert for
 * d ({link} and {qrcode} only when they are web addresses; absent fields
 * are empty). */
void	 template_render(struct buf *, const char *tpl,
	    const struct message_ctx *, enum inert_dialect d);
/* "25.4 MB" for "26662364" into out; "" when s is not a byte count. */
void	 template_size(const char *s, char *out, size_t outlen);

#endif
