/* Lower-case hexadecimal, the one encoder of bytes as text. */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>

/* Writes 2 * n hex digits of p[0..n) and a NUL to out (2 * n + 1 bytes). */
void	 hex_encode(const unsigned char *p, size_t n, char *out);

#endif
