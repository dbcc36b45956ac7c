/*
 * Robot rate limits, shared by every concurrent CGI process and drain
 * through one small file per robot under state_dir/rate/, each changed
 * only under its flock.  A robot is its URL without the signature
 * parameters DingTalk adds at send time (timestamp, sign), hashed, so two
 * webhooks posting to the same robot share its limit.
 *
 * Sliding windows (each robot's documented limit): WeCom 20 a minute, DingTalk 20 a
 * minute (beyond that it locks the robot out for 10 minutes), Feishu 5 a
 * second and 100 a minute; json webhooks have no limit.  A sliding window
 * keeps every window of that length, and so every calendar minute, within
 * the limit.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>

#include "config.h"

#define RATELIMIT_KEY_LEN	64	/* hex SHA-256, without the NUL */
/* A rate file bigger than this is not ours: it is started afresh. */
#define RATELIMIT_FILE_MAX	16384

#define RATELIMIT_RULES_MAX	2

struct ratelimit_rule {
	int		 limit;		/* sends ... */
	long long	 window_ms;	/* ... within any window this long */
};

struct ratelimit_limits {
	struct ratelimit_rule	 rules[RATELIMIT_RULES_MAX];
	size_t			 n;
	long			 too_fast;	/* the "too fast" errcode */
	long long		 block_ms;	/* how long it then refuses us */
};

/* The limits of a robot type, the same for every store (state.h), or
 * NULL when it has none. */
const struct ratelimit_limits *ratelimit_limits(enum robot_type);

/* The robot's key for url: hex SHA-256 of url without its "timestamp"
 * and "sign" query parameters.  0, or -1 with err (libcrypto cannot be
 * opened). */
int	 ratelimit_key(const char *url, char out[RATELIMIT_KEY_LEN + 1],
	    char *err, size_t errlen);

/*
 * Takes a slot to send to the robot at url (of the given type) at now_ms
 * (Unix ms).  Returns 0 when taken (send now: the slot is used whether
 * or not the send succeeds), 1 when the robot is at its limit, with
 * *next_ms set to when the next slot frees, or -1 with err (errno
 * ETIMEDOUT when the robot's lock was not free by until_ms, on the
 * clock_mono_ms() clock).  With
 * state_dir NULL or "", or a type without limits, returns 0 at once.
 */
int	 ratelimit_take(const char *state_dir, enum robot_type,
	    const char *url, long long now_ms, long long until_ms,
	    long long *next_ms, char *err, size_t errlen);

/*
 * Records that the robot refused a message with errcode.  When that is
 * its "too fast" code (WeCom 45009, DingTalk 130101, Feishu 11232), no
 * slot is given until the robot lets us in again (DingTalk: 10 minutes;
 * the others: one minute window) and 1 is returned; else 0.  -1 with err.
 * The robot may be shared with another sender, or count differently.
 */
int	 ratelimit_refused(const char *state_dir, enum robot_type,
	    const char *url, long errcode, long long now_ms,
	    long long until_ms, char *err, size_t errlen);

#endif
