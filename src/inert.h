/*
 * Event text made inert: a value that comes from the event (a title, a
 * tester's notes) is written so that every robot shows its characters and
 * none of them acts.  The webhook's own template is trusted and is not
 * passed through here; the values of its placeholders are.
 */
#ifndef INERT_H
#define INERT_H

struct buf;

enum inert_dialect {
	/*
	 * Nothing is syntax: JSON string fields shown as they are (Feishu
	 * post "text" elements and card "plain_text", DingTalk's "title",
	 * WeCom news).  Only control characters are replaced, and "://"
	 * broken so that chat clients do not link a web address.
	 */
	INERT_PLAIN,
	/* Text messages: "<@userid>" (WeCom), "<at ...>" (Feishu) act. */
	INERT_TEXT,
	/* WeCom markdown, DingTalk markdown and actionCard "text". */
	INERT_MARKDOWN,
	INERT__MAX
};

/* Appends s, valid UTF-8, made inert for d. */
void	 inert_append(struct buf *, enum inert_dialect d, const char *s);
/* The same, newly allocated. */
char	*inert_dup(enum inert_dialect d, const char *s);
/*
 * The event's link when it is an absolute http or https URL with a host,
 * newly allocated with every character that could end a markdown link or
 * a tag percent-encoded; NULL when it is not such a URL.
 */
char	*inert_link(const char *url);

#endif
