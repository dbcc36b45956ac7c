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

/*
 * Like a mail queue: records are sent through a sliding window of
 * DRAIN_WINDOW transfers in flight, at most DRAIN_ROBOT_MAX of them to
 * one robot, and each is acknowledged the moment its own transfer ends.
 * A robot that did not answer at all (timeout, refused connection) is
 * skipped for the rest of the run: its records wait, untouched, for the
 * next run, and no other robot waits for it.
 */
#define DRAIN_WINDOW		8
#define DRAIN_ROBOT_MAX		2
/* The default run budget, below cron's minute. */
#define DRAIN_SECONDS		50

struct drain_opts {
	int		 all;		/* every pending item, due or not */
	/* Seconds: no transfer is started that could end after it. */
	long long	 max_seconds;
};

struct drain_counts {
	size_t	 delivered;
	size_t	 retry;		/* failed, will be tried again */
	size_t	 deferred;	/* held back by a rate limit */
	size_t	 dead;		/* moved to dead/ now */
	size_t	 busy;		/* claimed by another process */
	size_t	 waiting;	/* not due yet */
	size_t	 skipped;	/* their robot did not answer in this run */
	size_t	 left;		/* not reached within the run's budget */
	size_t	 errors;	/* could not be handled; left as they were */
};

/*
 * Sends every due pending item (every pending item with o->all) to its
 * webhook as cfg now describes it, signed at send time, within the
 * robot's rate limit, through the queue's state machine (queue.h).  now_ms
 * is the Unix time in milliseconds when the drain starts (time passing
 * during it is added).  Prints one line per item it acts on and fills
 * counts.  Returns 0, or -1 with err when the spool cannot be opened or
 * read, or nothing can be sent.
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
