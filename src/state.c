/* The shared rules, in files or in Redis: see state.h. */
#include <stdio.h>

#include "dedup.h"
#include "log.h"
#include "ratelimit.h"
#include "state.h"
#include "state_redis.h"

/* The Redis failure was logged for this request. */
static int	 logged;

int
state_shared(const struct config *cfg)
{
	return *cfg->state_url != '\0';
}

int
state_dedup_on(const struct config *cfg)
{
	return (state_shared(cfg) || *cfg->state_dir != '\0') &&
	    cfg->dedup_seconds > 0;
}

void
state_begin(void)
{
	logged = 0;
	state_redis_begin();
}

void
state_close(void)
{
	state_redis_close();
}

/* Redis failed: the rule is off for now, logged once.  Returns ok. */
static int
going_on(const char *err, int ok)
{
	if (!logged)
		log_msg("%s; going on without the shared duplicate filter "
		    "and rate limits for this request", err);
	logged = 1;
	return ok;
}

int
state_ping(const struct config *cfg, char *err, size_t errlen)
{
	if (!state_shared(cfg))
		return 1;
	return state_redis_ping(cfg, err, errlen);
}

int
state_claim(const struct config *cfg, const char *key, long long now,
    long long window, long long deadline, long long until_ms, char *err,
    size_t errlen)
{
	int	 rc;

	if (!state_shared(cfg))
		return dedup_claim(cfg->state_dir, key, now, window, deadline,
		    until_ms, err, errlen);
	if (window <= 0)
		return DEDUP_NEW;
	if ((rc = state_redis_claim(cfg, key, now, window, deadline, err,
	    errlen)) == -1)
		return going_on(err, DEDUP_NEW);
	return rc;
}

int
state_settle(const struct config *cfg, const char *key, const char *state,
    long long until_ms, char *err, size_t errlen)
{
	if (!state_shared(cfg))
		return dedup_settle(cfg->state_dir, key, state, until_ms, err,
		    errlen);
	if (state_redis_settle(cfg, key, state, err, errlen) == -1)
		return going_on(err, 0);
	return 0;
}

int
state_note(const struct config *cfg, const char *key, const char *webhook,
    long long until_ms, char *err, size_t errlen)
{
	if (!state_shared(cfg))
		return dedup_note(cfg->state_dir, key, webhook, until_ms, err,
		    errlen);
	if (state_redis_note(cfg, key, webhook, err, errlen) == -1)
		return going_on(err, 0);
	return 0;
}

int
state_sent(const struct config *cfg, const char *key,
    void (*fn)(const char *webhook, void *arg), void *arg,
    long long until_ms, char *err, size_t errlen)
{
	int	 n;

	if (!state_shared(cfg))
		return dedup_sent(cfg->state_dir, key, fn, arg, until_ms, err,
		    errlen);
	if ((n = state_redis_sent(cfg, key, fn, arg, err, errlen)) == -1)
		return going_on(err, 0);
	return n;
}

int
state_forget(const struct config *cfg, const char *key, char *err,
    size_t errlen)
{
	if (!state_shared(cfg))
		return dedup_forget(cfg->state_dir, key, err, errlen);
	if (state_redis_forget(cfg, key, err, errlen) == -1)
		return going_on(err, 0);
	return 0;
}

int
state_take(const struct config *cfg, enum robot_type type, const char *url,
    long long now_ms, long long until_ms, long long *next_ms, char *err,
    size_t errlen)
{
	const struct ratelimit_limits	*l;
	char				 robot[RATELIMIT_KEY_LEN + 1];
	long long			 wait;
	int				 rc;

	if (!state_shared(cfg))
		return ratelimit_take(cfg->state_dir, type, url, now_ms,
		    until_ms, next_ms, err, errlen);
	*next_ms = now_ms;
	if ((l = ratelimit_limits(type)) == NULL)
		return 0;
	/* No key, no bucket: never one shared by every robot. */
	if (ratelimit_key(url, robot, err, errlen) == -1)
		return -1;
	if ((rc = state_redis_take(cfg, l, robot, &wait, err, errlen)) == -1)
		return going_on(err, 0);
	if (rc == 1)
		*next_ms = now_ms + wait;
	return rc;
}

int
state_refused(const struct config *cfg, enum robot_type type,
    const char *url, long errcode, long long now_ms, long long until_ms,
    char *err, size_t errlen)
{
	const struct ratelimit_limits	*l;
	char				 robot[RATELIMIT_KEY_LEN + 1];

	if (!state_shared(cfg))
		return ratelimit_refused(cfg->state_dir, type, url, errcode,
		    now_ms, until_ms, err, errlen);
	if ((l = ratelimit_limits(type)) == NULL || errcode != l->too_fast)
		return 0;
	if (ratelimit_key(url, robot, err, errlen) == -1)
		return -1;
	if (state_redis_refused(cfg, l, robot, err, errlen) == -1)
		return going_on(err, 0);
	return 1;
}
