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

/*
 * Finds name in query: 1 with its decoded value in *out (newly
 * allocated), 0 when absent, -1 when present but badly encoded.
 */
static int
query_find(const char *query, const char *name, char **out)
{
	size_t		 nlen = strlen(name), vlen;
	const char	*p = query, *v;
	struct buf	 b = { 0 };
	int		 hi, lo;

	*out = NULL;
	if (query == NULL)
		return 0;
	while (*p != '\0') {
		size_t seg = strcspn(p, "&;");
		if (seg > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			v = p + nlen + 1;
			vlen = seg - nlen - 1;
			for (size_t i = 0; i < vlen; i++) {
				if (v[i] == '+')
					buf_putc(&b, ' ');
				else if (v[i] != '%')
					buf_putc(&b, v[i]);
				else if (i + 2 < vlen &&
				    (hi = hexval((unsigned char)v[i + 1])) >= 0 &&
				    (lo = hexval((unsigned char)v[i + 2])) >= 0 &&
				    (hi | lo) != 0) {
					buf_putc(&b, (char)(hi << 4 | lo));
					i += 2;
				} else {
					buf_free(&b);
					return -1;
				}
			}
			buf_puts(&b, "");
			*out = buf_release(&b);
			return 1;
		}
		p += seg;
		if (*p != '\0')
			p++;
	}
	return 0;
}

char *
url_query_param(const char *query, const char *name)
{
	char	*v;

	return query_find(query, name, &v) == 1 ? v : NULL;
}

int
url_query_bad(const char *query, const char *name)
{
	char	*v;
	int	 rc;

	rc = query_find(query, name, &v);
	free(v);
	return rc == -1;
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

/* 1 when the path segment s[0..n) may be a token; see url.h. */
static int
token_like(const char *s, size_t n, const char *prev, size_t prevn,
    int last)
{
	if (n == 0)
		return 0;
	if ((prevn == 4 && strncasecmp(prev, "hook", 4) == 0) ||
	    (prevn == 5 && strncasecmp(prev, "hooks", 5) == 0))
		return 1;
	if (n >= 16)
		return 1;
	for (size_t i = 0; last && i < n; i++)
		if (isdigit((unsigned char)s[i]))
			return 1;
	return 0;
}

char *
url_mask(const char *url)
{
	struct buf	 out = { 0 };
	const char	*auth, *path, *q, *seg, *prev = "", *last;
	size_t		 n, prevn = 0;

	auth = strstr(url, "://");
	auth = auth != NULL ? auth + 3 : url;
	path = auth + strcspn(auth, "/?#");
	buf_append(&out, url, (size_t)(auth - url));
	/* user:password@host */
	if ((seg = memchr(auth, '@', (size_t)(path - auth))) != NULL) {
		buf_puts(&out, "***");
		auth = seg;
	}
	buf_append(&out, auth, (size_t)(path - auth));
	q = path + strcspn(path, "?#");
	/* The last segment with text, a trailing "/" ignored. */
	last = q;
	while (last > path && last[-1] == '/')
		last--;
	while (last > path && last[-1] != '/')
		last--;
	for (seg = path; seg < q; seg += n) {
		if (*seg == '/') {
			buf_putc(&out, '/');
			seg++;
		}
		n = strcspn(seg, "/?#");
		if (token_like(seg, n, prev, prevn, seg == last))
			buf_puts(&out, "***");
		else
			buf_append(&out, seg, n);
		prev = seg;
		prevn = n;
	}
	if (*q == '?') {
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
	}
	if (*q == '#')
		buf_puts(&out, "#***");
	buf_puts(&out, "");
	return buf_release(&out);
}

/* RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static int
is_scheme_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	if (first)
		return 0;
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* The characters of an app key: [A-Za-z0-9_.-]. */
static int
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int
url_app_key_ok(const char *key, size_t len)
{
	if (len == 0 || len > URL_APP_KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_key_char(key[i]))
			return 0;
	return !url_app_key_is_dots(key, len);
}

int
url_app_key_is_dots(const char *key, size_t len)
{
	return (len == 1 && key[0] == '.') ||
	    (len == 2 && key[0] == '.' && key[1] == '.');
}

/*
 * The last non-empty path segment of scheme://host/path?query#fragment.
 * Since the key then names a config entry and shows in logs, anything
 * that is not a plain key is refused rather than cleaned up.
 */
char *
url_link_app(const char *link)
{
	const char	*p, *end, *seg = NULL;
	size_t		 n, seglen = 0;

	if (link == NULL || !is_scheme_char(link[0], 1))
		return NULL;
	for (p = link + 1; is_scheme_char(*p, 0); p++)
		continue;
	if (strncmp(p, "://", 3) != 0)
		return NULL;
	p += 3;
	if ((n = strcspn(p, "/?#")) == 0)
		return NULL;		/* no host */
	p += n;
	end = p + strcspn(p, "?#");
	while (p < end) {
		if (*p == '/') {
			p++;
			continue;
		}
		seg = p;
		while (p < end && *p != '/')
			p++;
		seglen = p - seg;
	}
	if (seg == NULL || !url_app_key_ok(seg, seglen))
		return NULL;
	return xstrndup(seg, seglen);
}
