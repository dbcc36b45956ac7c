/* UTF-8 helpers: see utf8.h. */
#include "utf8.h"

/* Length of the sequence led by c, or 0 when c cannot lead one. */
static size_t
lead_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n;
	unsigned int		 cp;

	while (i < len) {
		if (p[i] == 0 || (n = lead_len(p[i])) == 0 || len - i < n)
			return 0;
		cp = n == 1 ? p[i] : p[i] & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n;
	}
	return 1;
}

size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	if (len <= max)
		return len;
	n = max;
	/* Step back over continuation bytes to the start of a character. */
	while (n > 0 && (p[n] & 0xc0) == 0x80)
		n--;
	return n;
}
