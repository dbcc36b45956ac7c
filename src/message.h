/*
 * The words of a message, shared by the robot formatters: what the
 * built-in messages say, in each language, as lines that each robot
 * dresses in its own markup; or the webhook's own template, rendered.
 */
#ifndef MESSAGE_H
#define MESSAGE_H

#include <stddef.h>

#include "config.h"
#include "inert.h"

struct buf;
struct message_ctx;

enum msg_line_kind {
	MSG_INFO,	/* a short fact: version, platform, time */
	MSG_TEXT,	/* free text, may hold newlines: message, notes */
	MSG_LINK	/* the app's page: value is the checked URL */
};

struct msg_line {
	enum msg_line_kind	 kind;
	const char		*label;	/* "版本：", "" for none */
	const char		*value;	/* never empty */
};

#define MSG_LINES_MAX	8

/*
 * Every string is owned by the message.  Values from the event are made
 * inert for the dialect the message was made for (see inert.h): a
 * formatter pastes them into its markup as they are.
 */
struct message {
	enum lang	 lang;
	enum inert_dialect dialect;
	char		*title;		/* app title, else the app key */
	char		*action;	/* action, else type; may be "" */
	char		*heading;	/* "title action" */
	char		*plain_heading;	/* the same, INERT_PLAIN */
	char		*body;		/* the rendered template, or NULL */
	struct msg_line	 line[MSG_LINES_MAX];	/* when body is NULL */
	size_t		 n_lines;
	char		*owned[MSG_LINES_MAX];
	char		*link;		/* the event's, checked, or NULL */
	const char	*link_text;	/* "查看应用": the link's words */
	const char	*link_label;	/* "查看应用：": before a bare URL */
};

/* What the event is about, for a card's colour. */
enum msg_kind {
	MSG_KIND_UPDATE,	/* updateVersion */
	MSG_KIND_FEEDBACK,
	MSG_KIND_CRASH,
	MSG_KIND_OTHER
};

/* Makes the message for ctx in dialect d: the built-in one, or tpl
 * rendered with its placeholders' values made inert for d. */
void	 message_init(struct message *, const struct message_ctx *,
	    const char *tpl, enum inert_dialect d);
void	 message_free(struct message *);
/* Appends a line as plain text: "label value", or "查看应用：URL". */
void	 message_line(struct buf *, const struct message *,
	    const struct msg_line *);
/* Appends the message as plain text, one fact per line. */
void	 message_plain(struct buf *, const struct message *);
/* Appends sep when b already holds text. */
void	 message_newline(struct buf *, const char *sep);
/* 1 when kw is NULL or "" or occurs in s. */
int	 message_has(const char *s, const char *kw);
/* The mark that ends a cut text: "…（内容过长已截断）". */
const char *message_mark(enum lang);
/* The kind of ctx's event. */
enum msg_kind	 message_kind(const struct message_ctx *);
/* A card button's words: "下载 / Download". */
const char	*message_button(void);
/* Appends label without its trailing "：" or ": " ("版本"). */
void		 message_key(struct buf *, const char *label);
/*
 * Appends s cut to at most max characters, ending in "…" when cut (at a
 * character boundary); returns 1 when it cut.
 */
int		 message_cut_chars(struct buf *, const char *s, size_t max);

#endif
