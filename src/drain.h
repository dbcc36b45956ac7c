/*
 * The spool's command-line side: --drain [--all] sends what is due,
 * --spool-status shows what waits and what died, --requeue puts dead
 * items back.  Output goes to the FILE given, one line per item, and
 * never holds a URL, key, token or secret.
 */
#ifndef DRAIN_H
#define DRAIN_H

#include <stdio.h>

struct config;

/* Items sent at once, each under its own claim, through one curl multi
 * handle: a few, so one slow robot holds back few others. */
#define DRAIN_BATCH	8

struct drain_opts {
	const char	*spool_dir;
	const char	*state_dir;	/* NULL or "": no rate limits */
	long long	 max_attempts;	/* attempts in all, the first too */
	long long	 max_age;	/* seconds from received; 0: no limit */
	int		 all;		/* every pending item, due or not */
};

struct drain_counts {
	size_t	 delivered;
	size_t	 retry;		/* failed, will be tried again */
	size_t	 deferred;	/* held back by a rate limit */
	size_t	 dead;		/* moved to dead/ now */
	size_t	 busy;		/* claimed by another process */
	size_t	 waiting;	/* not due yet */
	size_t	 errors;	/* could not be handled; left as they were */
};

/*
 * Sends every due pending item (every pending item with o->all) to its
 * webhook as cfg now describes it, signed at send time, within the
 * robot's rate limit.  Delivered: deleted.  Failed for a retryable reason:
 * retried later with backoff, until max_attempts or max_age, then dead.
 * Refused for good, or its app or webhook gone from cfg: dead.  Rate
 * limited: deferred to the next free slot.  now_ms is the Unix time in
 * milliseconds when the drain starts (time passing during it is added).
 * Prints one line per item it acts on and fills counts.  Returns 0, or -1
 * with err when the spool cannot be read or nothing can be sent.
 */
int	 drain_run(const struct config *cfg, const struct drain_opts *o,
	    long long now_ms, FILE *out, struct drain_counts *counts,
	    char *err, size_t errlen);

/* Prints the pending and the dead items (id, app, webhook, attempts,
 * next try or age, last error).  Returns 0, or -1 with err. */
int	 drain_status(const char *spool_dir, long long now, FILE *out,
	    char *err, size_t errlen);

/*
 * Puts the dead items named in ids (all of them when n_ids is 0) back in
 * the queue, due now, attempts reset.  Prints one line per item; *moved
 * says how many.  Returns 0, or -1 with err when an item could not be
 * moved or the spool cannot be read.
 */
int	 drain_requeue(const char *spool_dir, char *const ids[],
	    size_t n_ids, long long now, FILE *out, size_t *moved, char *err,
	    size_t errlen);

#endif
