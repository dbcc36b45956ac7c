/*
 * The shared rules the queue consults, the duplicate claim (dedup.h) and
 * the robot rate limits (ratelimit.h), behind one interface with two
 * stores: files under state_dir (one host), or Redis at state_url
 * (several hosts; state_redis.h), which takes precedence.  The functions
 * are dedup_*() and ratelimit_*() with the configuration in place of
 * state_dir; see those headers for what they answer.
 *
 * Redis down or slow never stops the relay: when it fails, each function
 * answers as if the rule were off (a new event, a free slot), so that
 * the request goes on, and the failure is logged once per request.
 */
#ifndef STATE_H
#define STATE_H

#include <stddef.h>

#include "config.h"

/* 1 when the duplicate filter is on (a store, and dedup_seconds). */
int	 state_dedup_on(const struct config *);
/* 1 when the rules are shared through Redis. */
int	 state_shared(const struct config *);

/* A new request (a FastCGI worker's next one; the CGI needs no call). */
void	 state_begin(void);
/* Closes what the store keeps open (process exit). */
void	 state_close(void);
/* PING the shared store: 0, 1 when there is none, -1 with err. */
int	 state_ping(const struct config *, char *err, size_t errlen);

int	 state_claim(const struct config *, const char *key, long long now,
	    long long window, long long deadline, long long until_ms,
	    char *err, size_t errlen);
int	 state_settle(const struct config *, const char *key,
	    const char *state, long long until_ms, char *err, size_t errlen);
int	 state_note(const struct config *, const char *key,
	    const char *webhook, long long until_ms, char *err,
	    size_t errlen);
int	 state_sent(const struct config *, const char *key,
	    void (*fn)(const char *webhook, void *arg), void *arg,
	    long long until_ms, char *err, size_t errlen);
int	 state_forget(const struct config *, const char *key, char *err,
	    size_t errlen);

int	 state_take(const struct config *, enum robot_type, const char *url,
	    long long now_ms, long long until_ms, long long *next_ms,
	    char *err, size_t errlen);
int	 state_refused(const struct config *, enum robot_type,
	    const char *url, long errcode, long long now_ms,
	    long long until_ms, char *err, size_t errlen);

#endif
