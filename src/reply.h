/*
 * Judging a robot's reply.  The robots answer HTTP 200 even when they
 * refuse a message, so success is a 2xx status AND a success code in the
 * reply's JSON.  Shared by the robot formatters' judge().
 */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

struct verdict;

/* Where a robot puts its code and message; the first code found counts. */
struct reply_keys {
	const char	*code;	/* "errcode" */
	const char	*msg;	/* "errmsg" */
};

struct reply_rules {
	const struct reply_keys	*keys;
	size_t			 n_keys;
	const long		*retry;		/* codes worth retrying */
	size_t			 n_retry;
};

/* Fills v from an HTTP status and reply body (not NUL-terminated). */
void	 reply_judge(long status, const char *body, size_t len,
	    const struct reply_rules *, struct verdict *v);
/* Fills v from the HTTP status alone: any 2xx is success. */
void	 reply_status(long status, struct verdict *v);
/*
 * Appends to dst (a string of dstlen bytes at most, NUL included) src[0..
 * len) made printable by the one sanitiser, log_printable() (controls,
 * invalid UTF-8, hidden and bidi characters shown as U+FFFD), cut to fit:
 * each output escapes it once more, as it escapes any text.
 */
void	 reply_printable(char *dst, size_t dstlen, const char *src,
	    size_t len);

#endif
