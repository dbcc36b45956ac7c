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
/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
void	 url_encode(struct buf *, const char *s);
/* A copy of url safe to print: query values and the path's last segment
 * (where robots keep their tokens) replaced by "***".  Newly allocated. */
char	*url_mask(const char *url);

#endif
