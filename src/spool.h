/*
 * The spool: deliveries that failed for a retryable reason (or were held
 * back by a rate limit) wait here until `--drain` sends them.  One item is
 * one event for one webhook, stored as one JSON file:
 *
 *	spool_dir/ID.json		pending
 *	spool_dir/dead/ID.json		given up: too many attempts, too old,
 *					or refused for good; kept with the
 *					last error until requeued
 *	spool_dir/.tmp-*		being written; left only by a crash
 *
 * Every write is a new file in spool_dir (same filesystem), fsync, rename
 * over the final name, fsync of the directory: a crash leaves either the
 * old version or the new one, never half of one.  Moves between pending
 * and dead are one rename(), so an item is always in exactly one place.
 * Files are mode 0600 whatever the umask.  Signatures are not stored:
 * they are made when the item is sent.
 *
 * Claims: whoever sends an item first claims it with an exclusive flock
 * held until the item is deleted (delivered), rewritten (retry later) or
 * moved (dead).  A process that dies drops its lock with it, so a crash
 * leaves the item pending and claimable, and two processes never hold the
 * same item.  Keep spool_dir on a local filesystem.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>

/* Bounds for reading items back: a bigger or stranger file is refused. */
#define SPOOL_BODY_MAX	(1024 * 1024)		/* the event body */
#define SPOOL_TEXT_MAX	1024			/* app, webhook, last error */
#define SPOOL_ITEM_MAX	(8 * 1024 * 1024)	/* one file, escaped */
#define SPOOL_ID_MAX	64
#define SPOOL_ATTEMPTS_MAX	1000000

/*
 * Retry delays: the n-th failed attempt is retried after
 * min(SPOOL_BACKOFF_CAP, SPOOL_BACKOFF_BASE * 2^(n-1)) seconds, +-20%.
 * 30 s: most robot failures (a restart, a network blip, a busy reply)
 * clear within seconds to a minute, and the cron drain runs once a
 * minute anyway.  1 hour: past that an outage is a human's business (they
 * run --drain --all once it is fixed); waiting longer would only delay
 * delivery after the recovery, and an hourly try costs nothing.  The
 * jitter keeps items queued together in the same outage (one event to
 * three webhooks, a burst of uploads) from retrying in lock-step against
 * a robot that has just come back and allows 20 messages a minute.
 */
#define SPOOL_BACKOFF_BASE	30
#define SPOOL_BACKOFF_CAP	3600

enum spool_queue {
	SPOOL_PENDING,
	SPOOL_DEAD,
	SPOOL__MAX
};

struct spool_item {
	char		 id[SPOOL_ID_MAX];	/* the file name, no ".json" */
	char		*app;		/* the app key */
	char		*webhook;	/* the webhook's name in that app */
	char		*body;		/* the event as received, any bytes */
	size_t		 body_len;
	long long	 received;	/* Unix s: arrival, or the last requeue;
					 * max_age counts from here */
	long long	 attempts;	/* failed attempts so far */
	long long	 next_at;	/* Unix s: not sent before */
	char		*last_error;	/* NULL: none */
};

/* A claimed item: c.item is what the file holds.  Ended by one of
 * spool_done/retry/defer/bury/release, whatever they return. */
struct spool_claim {
	int			 fd;	/* holds the lock; -1 when ended */
	char			*dir;
	struct spool_item	 item;
};

/* Frees the strings of it (NULL-safe); it itself is the caller's. */
void	 spool_item_free(struct spool_item *it);

/*
 * Writes it as a new pending item, creating dir (and dir/dead) with mode
 * 0700 when missing; fills it->id.  The strings of it stay the caller's.
 * Returns 0, or -1 with err (what and which path).
 */
int	 spool_put(const char *dir, struct spool_item *it, char *err,
	    size_t errlen);

/*
 * Calls fn(id, arg) for every item of the queue, oldest first.  The names
 * are read first, so fn may claim, move or delete items.  fn returns 0 to
 * go on, -1 to stop.  A missing directory holds no items.  Returns 0, -1
 * when fn stopped, or -1 with err when the directory cannot be read.
 */
int	 spool_list(const char *dir, enum spool_queue,
	    int (*fn)(const char *id, void *arg), void *arg, char *err,
	    size_t errlen);

/*
 * Reads one item without claiming it (to show it).  The caller frees it
 * with spool_item_free().  Returns 0, 1 when it is gone, -1 with err
 * (unreadable or malformed, and why).
 */
int	 spool_read(const char *dir, enum spool_queue, const char *id,
	    struct spool_item *it, char *err, size_t errlen);

/*
 * Claims the pending item id for sending: takes its lock without waiting
 * and reads it.  Returns 0 (c holds the item), 1 when another process
 * holds it or it is gone (delivered, moved) meanwhile, or -1 with err.
 * A file that cannot be understood is moved to dead/ as it is (so it is
 * neither retried blindly nor lost) and -1 says so.
 */
int	 spool_claim(const char *dir, const char *id, struct spool_claim *c,
	    char *err, size_t errlen);
/* Delivered: deletes the item. */
int	 spool_done(struct spool_claim *, char *err, size_t errlen);
/* One more failed attempt: attempts + 1, next try at next_at (Unix s),
 * error becomes the last error.  The item stays pending. */
int	 spool_retry(struct spool_claim *, long long next_at,
	    const char *error, char *err, size_t errlen);
/* Not attempted (a rate limit): only next_at changes. */
int	 spool_defer(struct spool_claim *, long long next_at, char *err,
	    size_t errlen);
/* Gives up: moves the item to dead/ with error as its last error; when
 * attempted, the attempt that just failed is counted. */
int	 spool_bury(struct spool_claim *, int attempted, const char *error,
	    char *err, size_t errlen);
/* Leaves the item as it is (not due yet) and ends the claim. */
void	 spool_release(struct spool_claim *);

/*
 * Moves the dead item id back to pending, due at now, with its attempts
 * reset and its age counted from now.  Returns 0, 1 when another process
 * holds it or it is gone, -1 with err (unreadable items stay dead).
 */
int	 spool_requeue(const char *dir, const char *id, long long now,
	    char *err, size_t errlen);

/*
 * Removes temporary files that a crashed writer left, once they are older
 * than SPOOL_TMP_STALE seconds at now (a live writer needs milliseconds).
 * Returns how many it removed, or -1 with err.
 */
#define SPOOL_TMP_STALE	600
int	 spool_clean(const char *dir, long long now, char *err,
	    size_t errlen);

/* Seconds to wait after the attempts-th failed attempt (>= 1), with the
 * jitter drawn from rnd: pure, for tests. */
long long spool_backoff(long long attempts, unsigned int rnd);
/* now + spool_backoff(attempts, a random number). */
long long spool_next_try(long long now, long long attempts);

#endif
