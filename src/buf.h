/*
 * A growable byte buffer, always NUL-terminated after buf_*() calls so that
 * data can be used as a C string when it holds text.  A zeroed struct buf
 * is an empty buffer.  The owner frees it with buf_free().
 *
 * No buffer grows past BUF_MAX bytes (as curl's dynbuf has a ceiling:
 * https://github.com/curl/curl/blob/master/docs/internals/DYNBUF.md).  An
 * append that would pass it, or whose size does not fit in size_t, returns
 * -1 and leaves the buffer as it was but failed: every later append fails
 * too, so a caller may check the last one, or buf_failed() once, before it
 * uses the data.  buf_reset() and buf_free() clear the failure.  Running
 * out of memory is xalloc.h's business (the process answers and exits).
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

/* Above the largest request (16 MiB) escaped as JSON (6 bytes a byte). */
#define BUF_MAX		((size_t)128 * 1024 * 1024)

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

int	 buf_append(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* 1 when an append failed since the buffer was last empty. */
int	 buf_failed(const struct buf *);
/* Empties the buffer, keeping its memory. */
void	 buf_reset(struct buf *);
/* Hands the NUL-terminated data to the caller; the buffer is emptied. */
char	*buf_release(struct buf *);
void	 buf_free(struct buf *);

#endif
