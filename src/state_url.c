/* The Redis address: see state_url.h. */
#include <string.h>

#include "buf.h"
#include "state_url.h"

#define REDIS_SCHEME	"redis://"
#define UNIX_SCHEME	"unix:"

static int
valid_host(const char *h, size_t len)
{
	if (len == 0 || len > STATE_HOST_MAX)
		return 0;
	if (h[0] == '[')
		return len > 2 && h[len - 1] == ']' &&
		    strspn(h + 1, "0123456789abcdefABCDEF:.") == len - 2;
	for (size_t i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-", h[i]) == NULL)
			return 0;
	return 1;
}

/* A decimal number in [lo, hi] of len digits at p, or -1. */
static long
number(const char *p, size_t len, long lo, long hi)
{
	long	 v = 0;

	if (len == 0 || len > 6)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

static int
parse_unix(const char *s, struct state_url *u, const char **why)
{
	const char	*p = s + strlen(UNIX_SCHEME);

	if (*p != '/') {
		*why = "unix: needs an absolute path, as unix:/run/redis/"
		    "redis-server.sock";
		return -1;
	}
	if (strlen(p) > STATE_PATH_MAX) {
		*why = "the socket path is too long (107 bytes at most)";
		return -1;
	}
	u->is_unix = 1;
	memcpy(u->path, p, strlen(p) + 1);
	return 0;
}

int
state_url_parse(const char *s, struct state_url *u, const char **why)
{
	const char	*p, *at, *end, *colon;
	size_t		 hostlen;
	long		 v;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (strncmp(s, UNIX_SCHEME, strlen(UNIX_SCHEME)) == 0)
		return parse_unix(s, u, why);
	if (strncmp(s, REDIS_SCHEME, strlen(REDIS_SCHEME)) != 0) {
		*why = "must be redis://[:password@]host:port/db or "
		    "unix:/path/to/redis.sock";
		return -1;
	}
	p = s + strlen(REDIS_SCHEME);
	end = p + strcspn(p, "/");
	/* The password may hold '@': the host starts after the last one. */
	at = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		/* [user]:password; a user name needs Redis 6 ACLs: not
		 * offered. */
		if (*p != ':') {
			*why = "the password must be written :password@ "
			    "(no user name)";
			return -1;
		}
		if ((size_t)(at - p - 1) > STATE_PASSWORD_MAX || at - p < 2) {
			*why = "the password must be 1 to 512 bytes";
			return -1;
		}
		memcpy(u->password, p + 1, (size_t)(at - p - 1));
		u->password[at - p - 1] = '\0';
		p = at + 1;
	}
	/* host[:port]; an IPv6 host's colons are inside its brackets. */
	colon = NULL;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb != NULL && rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
	} else
		colon = memchr(p, ':', (size_t)(end - p));
	hostlen = (size_t)((colon != NULL ? colon : end) - p);
	if (!valid_host(p, hostlen)) {
		*why = "needs a host: a name, an IPv4 address or [IPv6]";
		return -1;
	}
	if (p[0] == '[') {
		memcpy(u->host, p + 1, hostlen - 2);
		u->host[hostlen - 2] = '\0';
	} else {
		memcpy(u->host, p, hostlen);
		u->host[hostlen] = '\0';
	}
	if (colon != NULL) {
		if ((v = number(colon + 1, (size_t)(end - colon - 1), 1,
		    65535)) == -1) {
			*why = "the port must be a number from 1 to 65535";
			return -1;
		}
		u->port = (int)v;
	}
	if (*end == '/' && end[1] != '\0') {
		if ((v = number(end + 1, strlen(end + 1), 0,
		    STATE_DB_MAX)) == -1) {
			*why = "the database must be a number from 0 to 15";
			return -1;
		}
		u->db = (int)v;
	}
	return 0;
}

void
state_url_mask(struct buf *out, const char *s)
{
	const char	*p, *end, *at = NULL;

	if (strncmp(s, REDIS_SCHEME, strlen(REDIS_SCHEME)) != 0) {
		if (strncmp(s, UNIX_SCHEME, strlen(UNIX_SCHEME)) == 0)
			buf_puts(out, s);
		else
			buf_puts(out, "(not a redis:// or unix: address)");
		return;
	}
	p = s + strlen(REDIS_SCHEME);
	end = p + strcspn(p, "/");
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	buf_puts(out, REDIS_SCHEME);
	if (at != NULL) {
		buf_puts(out, ":***@");
		p = at + 1;
	}
	buf_puts(out, p);
}
