/*
 * The Redis address in "state_url": redis://[:PASSWORD@]HOST[:PORT][/DB]
 * (https://www.iana.org/assignments/uri-schemes/prov/redis) or
 * unix:/ABSOLUTE/PATH.  HOST is a name, an IPv4 address or [IPv6]; PORT
 * defaults to 6379, DB to 0.  Parsed by hand, with no library, so that
 * the configuration checker needs nothing but this file.
 */
#ifndef STATE_URL_H
#define STATE_URL_H

#include <stddef.h>

struct buf;

#define STATE_HOST_MAX		255
#define STATE_PATH_MAX		107	/* sun_path, less its NUL */
#define STATE_PASSWORD_MAX	512
#define STATE_DB_MAX		15	/* redis.conf's default "databases 16" */

struct state_url {
	int	 is_unix;
	char	 host[STATE_HOST_MAX + 1];
	int	 port;
	char	 path[STATE_PATH_MAX + 1];
	int	 db;
	char	 password[STATE_PASSWORD_MAX + 1];	/* "": none */
};

/* Parses s into u.  0, or -1 with why (never quoting the password). */
int	 state_url_parse(const char *s, struct state_url *u, const char **why);
/*
 * Appends s to out with its password, if any, replaced by "***"; s that
 * does not parse is shown only up to its scheme.
 */
void	 state_url_mask(struct buf *out, const char *s);

#endif
