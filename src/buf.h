/*
 * A growable byte buffer, always NUL-terminated after buf_*() calls so that
 * data can be used as a C string when it holds text.  A zeroed struct buf
 * is an empty buffer.  The owner frees it with buf_free().
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeping its memory. */
void	 buf_reset(struct buf *);
/* Hands the NUL-terminated data to the caller; the buffer is emptied. */
char	*buf_release(struct buf *);
void	 buf_free(struct buf *);

#endif
