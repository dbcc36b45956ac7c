/* URLs: validation, query parameters, escaping and masking, and the app
 * key at the end of a PGYER link. */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct buf;

/* The longest app key. */
#define URL_APP_KEY_MAX	64

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

/*
 * The one rule for app keys, in the config and in links alike: 1 when
 * key[0..len) is 1 to URL_APP_KEY_MAX characters from A-Z a-z 0-9 _ . -
 * and not "." or ".." (path segments that name no app).
 */
int	 url_app_key_ok(const char *key, size_t len);
/* 1 when key[0..len) is "." or "..". */
int	 url_app_key_is_dots(const char *key, size_t len);
/* The app key at the end of a PGYER link ("https://www.pgyer.com/KEY"),
 * newly allocated, or NULL when the link has none. */
char	*url_link_app(const char *link);

#endif
