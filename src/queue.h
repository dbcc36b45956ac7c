/*
 * The one delivery state machine, for the CGI (an event just journaled,
 * attempted at once) and for --drain (what is due):
 *
 *	pending --take rate slot--> sending --robot accepts--> removed
 *	                                    --retryable------> pending,
 *	                                                  next try (backoff)
 *	                                    --refused for good--> dead/
 *	pending --held by a rate limit--> pending, due when the slot frees
 *
 * One job is one record (one event for one webhook).  Without spool_dir
 * a job has no record: it is sent once and its fate only reported.  The
 * retry policy (backoff, max_attempts, max_age) lives here and nowhere
 * else.
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>

#include "deliver.h"
#include "journal.h"

struct config;
struct app;
struct webhook;

/*
 * Retry delays: the n-th failed attempt is retried after
 * min(QUEUE_BACKOFF_CAP, QUEUE_BACKOFF_BASE * 2^(n-1)) seconds, +-20%.
 * 30 s: most robot failures (a restart, a network blip, a busy reply)
 * clear within seconds to a minute, and the cron drain runs once a
 * minute anyway.  1 hour: past that an outage is a human's business (they
 * run --drain --all once it is fixed); waiting longer would only delay
 * delivery after the recovery, and an hourly try costs nothing.  The
 * jitter keeps records queued together in the same outage (one event to
 * three webhooks, a burst of uploads) from retrying in lock-step against
 * a robot that has just come back and allows 20 messages a minute.
 */
#define QUEUE_BACKOFF_BASE	30
#define QUEUE_BACKOFF_CAP	3600

enum queue_fate {
	QUEUE_NEW,		/* not decided yet */
	QUEUE_READY,		/* rate slot taken, request built: send it */
	QUEUE_DELIVERED,	/* the robot accepted it; record removed */
	QUEUE_RETRY,		/* failed, retryable: pending, next_at */
	QUEUE_DEFERRED,		/* rate limited, not sent: pending, next_at */
	QUEUE_WAITING,		/* drain: not due yet, left as it is */
	QUEUE_DEAD,		/* refused for good or given up: dead/ */
	QUEUE_FAILED,		/* failed, and no record keeps it */
	QUEUE_FULL,		/* failed, retryable, but the spool is over
				 * spool_max_mb: not kept */
	QUEUE_ERROR		/* the record could not be updated */
};

struct queue {
	const struct config	*cfg;
	struct journal		*j;		/* NULL: no spool_dir */
	long long		 lock_until;	/* clock_mono_ms() clock */
	int			 capped;	/* enforce spool_max_mb */
};

struct queue_job {
	struct journal_claim	 c;	/* c.fd -1: no record */
	const struct app	*app;
	const struct webhook	*wh;
	struct delivery		 d;	/* request and result */
	enum queue_fate		 fate;
	long long		 next_at;	/* Unix s, RETRY and DEFERRED */
	char			 why[512];	/* what happened, one line */
};

/* Seconds to wait after the attempts-th failed attempt (>= 1), with the
 * jitter drawn from rnd: pure, for tests. */
long long queue_backoff(long long attempts, unsigned int rnd);

/*
 * The CGI: writes one claimed pending record per delivery in d[] whose
 * request could be built (attempts 0, due at once, tag in its id) into
 * jobs[], before anything is sent.  A delivery whose request could not be
 * built, or whose record could not be written (logged), gets a job
 * without a record.  Returns how many records were written.
 */
size_t	 queue_journal(struct queue *, const struct app *,
	    struct delivery d[], size_t n, const char *body, size_t body_len,
	    long long now_ms, const char *tag, struct queue_job jobs[]);

/*
 * The drain, for a claimed record in job->c: decides at once what needs
 * no sending (not due unless all: WAITING; too old, too many attempts,
 * app or webhook gone or disabled: DEAD) and else finds its app and
 * webhook (fate stays NEW).
 */
void	 queue_check(struct queue *, struct queue_job *, long long now_ms,
	    int all);
/* The drain: builds the request for a checked job (DEAD when the stored
 * event cannot be read or the webhook no longer takes its type). */
void	 queue_build(struct queue *, struct queue_job *, long long now_ms);

/*
 * Takes a rate slot for a job with a request: READY, or DEFERRED (the
 * record waits for the slot) or FAILED (no record) or FULL (the spool is
 * over its cap: the record is removed) when the robot is at its limit.
 * When the limits cannot be checked (a lock not free in time), READY,
 * logged: better an over-limit send than none.
 */
void	 queue_take_slot(struct queue *, struct queue_job *,
	    long long now_ms);

/*
 * Judges a sent job from job->d: DELIVERED (record removed), RETRY
 * (record rewritten with the next try), DEAD (record moved to dead/ with
 * the reason), FAILED (no record), FULL (retryable, but the spool is
 * over its cap: the record is removed) or ERROR.  Tells the rate limiter
 * about "too fast" replies.
 */
void	 queue_finish(struct queue *, struct queue_job *, long long now_ms);
/*
 * Judges what the transport brought back: a reply is the robot's to judge
 * (its judge() fills d->v and d->ok), a failure to get one keeps the
 * transport's verdict.  Frees the reply.  queue_finish() calls it.
 */
void	 queue_judge(struct delivery *d);

/* Ends whatever claim the job still holds and frees its request. */
void	 queue_job_free(struct queue_job *);

#endif
