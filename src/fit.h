/*
 * Cutting a message to a robot's byte limit.  The robot's formatter
 * renders the whole request body from a context; fit_render() renders it
 * again with the event's long fields cut (at a UTF-8 character boundary,
 * ending in a visible mark) until what the robot counts fits.  Fields are
 * cut in order of how little they matter: message and notes first, then
 * the short facts, and the link last (dropped whole, as half a URL is
 * wrong).  What the formatter adds itself (keyword, mentions) is never cut.
 */
#ifndef FIT_H
#define FIT_H

#include <stddef.h>

struct buf;
struct message_ctx;

/*
 * Renders the body for ctx into out (emptied first) and sets *measure to
 * the bytes the robot counts.  Returns 0, or -1 with err.
 */
typedef int	(*fit_render_fn)(const struct message_ctx *ctx, const void *arg,
		    struct buf *out, size_t *measure, char *err,
		    size_t errlen);

/*
 * Renders into out a body whose measure is at most limit, cutting as
 * little as it can; *truncated says whether anything was cut.  Returns 0,
 * or -1 with err when render fails or nothing cut makes it fit.
 */
int	 fit_render(const struct message_ctx *, size_t limit, fit_render_fn,
	    const void *arg, struct buf *out, int *truncated, char *err,
	    size_t errlen);

#endif
