/*
 * The shared rules (duplicate claims, robot rate limits) in Redis, for
 * several relay hosts: the same rules as the file store (dedup.h,
 * ratelimit.h), each decided by one atomic command or server-side Lua
 * script (https://redis.io/docs/latest/develop/interact/programmability/
 * eval-intro/), so that every host sees every other host's claims and
 * sends.
 *
 * Keys, each with an expiry so that nothing grows without bound:
 *
 *	pgyer-relay:PREFIX:dedup:KEY	"claimed:HOST:PID:DEADLINE",
 *					"journaled" or "done"; lives
 *					dedup_seconds from the first sighting
 *	pgyer-relay:PREFIX:sent:KEY	set of webhooks a drain sent while
 *					KEY was a claim (dedup_note())
 *	pgyer-relay:PREFIX:rate:ROBOT	sorted set of sends (score: Unix
 *					ms), the longest window
 *	pgyer-relay:PREFIX:block:ROBOT	Unix ms until which the robot said
 *					"too fast"
 *
 * ROBOT is ratelimit_key(): a digest of the URL, never the URL or its
 * key.  Times in the rate scripts are Redis's own clock (TIME), one
 * clock for every host.
 *
 * One connection per process, opened when a request first needs it and
 * kept (a FastCGI worker reuses it for its life); dropped on any error.
 * After a failure the store answers -1 at once until state_redis_begin()
 * (the next request) or for 10 s (a long --drain): a request waits for
 * Redis at most one connect and one command timeout per 10 s.
 */
#ifndef STATE_REDIS_H
#define STATE_REDIS_H

#include <stddef.h>

#include "config.h"

struct ratelimit_limits;

/* The connect and command timeout for a relay with timeout_ms: a tenth
 * of it, 50 to 1000 ms. */
long	 state_redis_timeout_ms(long timeout_ms);

/* The next request: a failed connection may be tried again. */
void	 state_redis_begin(void);
/* Closes the connection (process exit). */
void	 state_redis_close(void);

/* PING.  0, or -1 with err. */
int	 state_redis_ping(const struct config *, char *err, size_t errlen);

/* dedup_claim() and friends, in Redis: the same results. */
int	 state_redis_claim(const struct config *, const char *key,
	    long long now, long long window, long long deadline, char *err,
	    size_t errlen);
int	 state_redis_settle(const struct config *, const char *key,
	    const char *state, char *err, size_t errlen);
int	 state_redis_note(const struct config *, const char *key,
	    const char *webhook, char *err, size_t errlen);
int	 state_redis_sent(const struct config *, const char *key,
	    void (*fn)(const char *webhook, void *arg), void *arg, char *err,
	    size_t errlen);
int	 state_redis_forget(const struct config *, const char *key,
	    char *err, size_t errlen);

/*
 * ratelimit_take() in Redis: 0 (slot taken), 1 (at the limit, *wait_ms
 * until the next slot frees), or -1 with err.
 */
int	 state_redis_take(const struct config *, const struct ratelimit_limits *,
	    const char *robot, long long *wait_ms, char *err, size_t errlen);
/* ratelimit_refused() in Redis, for a "too fast" reply: 0 or -1. */
int	 state_redis_refused(const struct config *,
	    const struct ratelimit_limits *, const char *robot, char *err,
	    size_t errlen);

#endif
