/* URLs: see url.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "url.h"
#include "xalloc.h"

/*
 * 1 when host (no port, brackets removed) is a loopback address written
 * the one way every resolver reads alike: localhost, ::1, or 127.x.y.z in
 * dotted decimal, each part 0-255 without a leading zero.  inet_aton(3)
 * and curl read other spellings differently (0127.0.0.1 is octal, that is
 * 87.0.0.1; 127.1 is 127.0.0.1), so they are not loopback here and must
 * use https://.
 */
static int
is_loopback(const char *host, size_t len)
{
	size_t	 i = 0, digits;
	int	 part, val;

	if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 3 && memcmp(host, "::1", 3) == 0))
		return 1;
	for (part = 0; part < 4; part++) {
		if (part > 0 && (i >= len || host[i++] != '.'))
			return 0;
		val = 0;
		for (digits = 0; i < len && host[i] >= '0' && host[i] <= '9';
		    digits++, i++) {
			if (digits > 0 && val == 0)
				return 0;	/* a leading zero */
			if ((val = val * 10 + (host[i] - '0')) > 255)
				return 0;
		}
		if (digits == 0 || (part == 0 && val != 127))
			return 0;
	}
	return i == len;
}

int
url_check(const char *url, char *err, size_t errlen)
{
	const char	*host, *end, *at;
	size_t		 len;
	int		 https;

	if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		host = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		host = url + 7;
	} else {
		snprintf(err, errlen, "must start with https://");
		return -1;
	}
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(err, errlen, "contains a space or control "
			    "character");
			return -1;
		}
	end = host + strcspn(host, "/?#");
	/* Userinfo would hide the real host from a quick read. */
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL) {
		snprintf(err, errlen, "must not contain user:password@");
		return -1;
	}
	if (*host == '[') {
		const char *rb = memchr(host, ']', (size_t)(end - host));
		if (rb == NULL) {
			snprintf(err, errlen, "unclosed [ in host");
			return -1;
		}
		host++;
		len = (size_t)(rb - host);
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));
		len = (size_t)((colon != NULL ? colon : end) - host);
	}
	if (len == 0) {
		snprintf(err, errlen, "has no host");
		return -1;
	}
	if (!https && !is_loopback(host, len)) {
		snprintf(err, errlen, "must be https:// (http:// only for "
		    "127.0.0.1, ::1 or localhost)");
		return -1;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
url_query_param(const char *query, const char *name)
{
	size_t		 nlen = strlen(name), vlen;
	const char	*p = query, *v;
	struct buf	 out = { 0 };
	int		 hi, lo;

	if (query == NULL)
		return NULL;
	while (*p != '\0') {
		size_t seg = strcspn(p, "&;");
		if (seg > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			v = p + nlen + 1;
			vlen = seg - nlen - 1;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] == '+')
					buf_putc(&out, ' ');
				else if (v[i] != '%')
					buf_putc(&out, v[i]);
				else if (i + 2 < vlen &&
				    (hi = hexval((unsigned char)v[i + 1])) >= 0 &&
				    (lo = hexval((unsigned char)v[i + 2])) >= 0 &&
				    (hi | lo) != 0) {
					buf_putc(&out, (char)(hi << 4 | lo));
					i += 2;
				} else {
					buf_free(&out);
					return NULL;
				}
			}
			return buf_release(&out);
		}
		p += seg;
		if (*p != '\0')
			p++;
	}
	return NULL;
}

void
url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf_putc(b, (char)c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

char *
url_mask(const char *url)
{
	struct buf	 out = { 0 };
	const char	*path, *q, *last;
	size_t		 n;

	path = strstr(url, "://");
	path = path != NULL ? path + 3 : url;
	path += strcspn(path, "/?#");
	q = path + strcspn(path, "?#");
	/* A long last path segment is a token (Feishu keeps it there). */
	last = q;
	while (last > path && last[-1] != '/')
		last--;
	if (q - last < 16)
		last = q;
	buf_append(&out, url, (size_t)(last - url));
	if (q > last)
		buf_puts(&out, "***");
	if (*q != '?') {
		buf_puts(&out, q);
		return buf_release(&out);
	}
	buf_putc(&out, '?');
	for (q++; *q != '\0' && *q != '#'; ) {
		n = strcspn(q, "=&#");
		buf_append(&out, q, n);
		q += n;
		if (*q == '=') {
			buf_puts(&out, "=***");
			q += strcspn(q, "&#");
		}
		if (*q == '&') {
			buf_putc(&out, '&');
			q++;
		}
	}
	buf_puts(&out, q);
	return buf_release(&out);
}
