/* UTF-8 helpers for byte limits. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is valid UTF-8 without NUL bytes, else 0. */
int	 utf8_valid(const char *s, size_t len);
/* The largest n <= max such that s[0..n) ends on a character boundary. */
size_t	 utf8_cut(const char *s, size_t len, size_t max);

#endif
