/* URLs: validation, query parameters, escaping and masking. */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct buf;

/*
 * 0 when url may be a robot URL: https://, or http:// to a loopback host
 * (127.x.y.z in plain dotted decimal, [::1], localhost).  Else -1 with
 * the reason in err.
 */
int	 url_check(const char *url, char *err, size_t errlen);
/* The decoded value of name in a query string ("a=1&b=2"), newly
 * allocated, or NULL when absent or badly encoded. */
char	*url_query_param(const char *query, const char *name);
/* 1 when name is in the query but its value cannot be decoded ("%zz",
 * "%00", a "%" at the end), else 0. */
int	 url_query_bad(const char *query, const char *name);
/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
void	 url_encode(struct buf *, const char *s);
/*
 * A copy of url safe to print, newly allocated: every query value, the
 * fragment, the user information, and each path segment that may be a
 * token replaced by "***": the one after "hook" or "hooks" (Feishu,
 * Lark), the last one holding a digit (a trailing "/" ignored), and any
 * of 16 characters or more.
 */
char	*url_mask(const char *url);

#endif
