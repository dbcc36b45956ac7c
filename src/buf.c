/* Growable byte buffer: see buf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/*
 * Makes room for more bytes and the NUL.  Returns 0, or -1 (the buffer
 * marked failed) when len + more would pass BUF_MAX.  b->len never passes
 * BUF_MAX, so neither sum nor doubling can overflow.
 */
static int
buf_grow(struct buf *b, size_t more)
{
	size_t	 need, cap;

	if (b->failed || more > BUF_MAX - b->len) {
		b->failed = 1;
		return -1;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	for (cap = b->cap == 0 ? 64 : b->cap; cap < need; cap *= 2)
		;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room = b->failed ? 0 : b->cap - b->len;
	int	 n;

	/* A buffer that once reached BUF_MAX has room past it. */
	if (room > BUF_MAX - b->len + 1)
		room = BUF_MAX - b->len + 1;
	/* Most lines fit in the room there is: format once, into it. */
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (room > 0)
			b->data[b->len] = '\0';
		b->failed = 1;
		return -1;
	}
	if ((size_t)n >= room) {
		if (buf_grow(b, (size_t)n) == -1) {
			if (room > 0)
				b->data[b->len] = '\0';
			return -1;
		}
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

int
buf_failed(const struct buf *b)
{
	return b->failed;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
buf_release(struct buf *b)
{
	char	*p;

	if (b->data == NULL)
		return xstrdup("");
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
