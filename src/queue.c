/* The delivery state machine: see queue.h. */
#include <sys/random.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "event.h"
#include "fault.h"
#include "log.h"
#include "queue.h"
#include "relay.h"
#include "state.h"

long long
queue_backoff(long long attempts, unsigned int rnd)
{
	long long	 d = QUEUE_BACKOFF_BASE;

	for (long long i = 1; i < attempts && d < QUEUE_BACKOFF_CAP; i++)
		d *= 2;
	if (d > QUEUE_BACKOFF_CAP)
		d = QUEUE_BACKOFF_CAP;
	/* 80% .. 120%, in 1% steps. */
	return d * (80 + rnd % 41) / 100;
}

/* now + the backoff after the attempts-th failure, with fresh jitter. */
static long long
next_try(long long now, long long attempts)
{
	unsigned int	 rnd;

	/* Jitter needs no cryptographic quality: fall back to the clock. */
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (unsigned int)clock_mono_ms() ^ (unsigned int)getpid();
	return now + queue_backoff(attempts, rnd);
}

static void	 say(struct queue_job *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
say(struct queue_job *job, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(job->why, sizeof(job->why), fmt, ap);
	va_end(ap);
}

static int
has_record(const struct queue_job *job)
{
	return job->c.fd != -1;
}

/* 1 when the journal holds more than spool_max_mb. */
static int
over_cap(struct queue *q)
{
	long long	 bytes;
	char		 err[256];

	if (!q->capped || q->j == NULL)
		return 0;
	if ((bytes = journal_bytes(q->j, err, sizeof(err))) == -1) {
		log_msg("spool: %s", err);
		return 0;
	}
	return bytes > q->cfg->spool_max_mb * 1024 * 1024;
}

/* job->why becomes the error the summary shows. */
static void
tell(struct queue_job *job)
{
	memcpy(job->d.v.errmsg, job->why, sizeof(job->d.v.errmsg) - 1);
	job->d.v.errmsg[sizeof(job->d.v.errmsg) - 1] = '\0';
}

/* Removes a record that is not to be kept; FULL, or ERROR. */
static void
drop(struct queue_job *job)
{
	char	 err[256];
	size_t	 n;

	job->fate = QUEUE_FULL;
	if (journal_done(&job->c, err, sizeof(err)) == -1) {
		job->fate = QUEUE_ERROR;
		n = strlen(job->why);
		snprintf(job->why + n, sizeof(job->why) - n, "; cannot remove "
		    "the record: %s", err);
	}
}

/* Moves the record to dead/ with job->why as its reason; DEAD, or
 * ERROR; FAILED without a record. */
static void
bury(struct queue_job *job, int attempted)
{
	char	 err[256];
	size_t	 n;

	if (!has_record(job)) {
		job->fate = QUEUE_FAILED;
		return;
	}
	job->fate = QUEUE_DEAD;
	if (journal_bury(&job->c, attempted, job->why, err, sizeof(err)) ==
	    -1) {
		job->fate = QUEUE_ERROR;
		n = strlen(job->why);
		snprintf(job->why + n, sizeof(job->why) - n, "; cannot move it "
		    "to dead/: %s", err);
	}
}

static void
job_init(struct queue_job *job)
{
	memset(job, 0, sizeof(*job));
	job->c.fd = -1;
}

size_t
queue_journal(struct queue *q, const struct app *app, struct delivery d[],
    size_t n, const char *body, size_t body_len, long long now_ms,
    const char *tag, struct queue_job jobs[])
{
	struct journal_record	 r;
	struct queue_job	*job;
	char			 err[512];
	size_t			 written = 0;

	for (size_t i = 0; i < n; i++) {
		job = &jobs[i];
		job_init(job);
		job->app = app;
		job->wh = config_webhook(app, d[i].name);
		/* The request now belongs to the job. */
		job->d = d[i];
		memset(&d[i].req, 0, sizeof(d[i].req));
		if (job->d.req.url == NULL || job->wh == NULL) {
			job->fate = QUEUE_FAILED;
			say(job, "%s", job->d.v.errmsg);
			continue;
		}
		if (q->j == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.app = app->key;
		r.webhook = job->wh->name;
		r.body = (char *)body;
		r.body_len = body_len;
		r.received = now_ms / 1000;
		r.next_at = now_ms / 1000;
		r.event = (char *)tag;
		if (journal_put(q->j, &r, tag, &job->c, err, sizeof(err)) ==
		    -1)
			log_msg("app=%s webhook=\"%s\" cannot journal, sending "
			    "without a record: %s", app->key, job->wh->name,
			    err);
		else
			written++;
	}
	return written;
}

/*
 * A record the drain is about to send: noted on its event's claim in the
 * duplicate filter (state_note()), so that if the CGI that journaled it
 * died before marking the event journaled, PGYER's retry does not send
 * it again once this record is gone.  No claim (settled, forgotten,
 * expired) needs no note, and a failure leaves that crash window open
 * for this record only: the send goes on either way.
 */
static void
note_sent(struct queue *q, const struct journal_record *r)
{
	char	 err[256];

	if (r->event != NULL)
		(void)state_note(q->cfg, r->event, r->webhook,
		    q->lock_until, err, sizeof(err));
}

void
queue_check(struct queue *q, struct queue_job *job, long long now_ms,
    int all)
{
	const struct config		*cfg = q->cfg;
	const struct journal_record	*r = &job->c.rec;
	const char			*last;
	long long			 now = now_ms / 1000;

	job->fate = QUEUE_NEW;
	last = r->last_error != NULL ? r->last_error : "none";
	if (!all && r->next_at > now) {
		journal_release(&job->c);
		job->fate = QUEUE_WAITING;
		return;
	}
	if (cfg->max_age > 0 && now - r->received >= cfg->max_age) {
		say(job, "not delivered within max_age (queued %lld s ago); "
		    "last error: %s", now - r->received, last);
		bury(job, 0);
		return;
	}
	if (r->attempts >= cfg->max_attempts) {
		say(job, "gave up after %lld attempts; last error: %s",
		    r->attempts, last);
		bury(job, 0);
		return;
	}
	if ((job->app = config_app(cfg, r->app)) == NULL) {
		say(job, "the app is no longer in the configuration");
		bury(job, 0);
		return;
	}
	if ((job->wh = config_webhook(job->app, r->webhook)) == NULL) {
		say(job, "the webhook is no longer in the configuration");
		bury(job, 0);
		return;
	}
	if (!job->wh->enabled) {
		say(job, "the webhook is disabled in the configuration");
		bury(job, 0);
		return;
	}
	note_sent(q, r);
}

void
queue_build(struct queue *q, struct queue_job *job, long long now_ms)
{
	const struct journal_record	*r = &job->c.rec;
	struct delivery			 tmp[APP_WEBHOOKS_MAX];
	struct event			 ev;
	char				 err[256];
	size_t				 n;

	memset(&ev, 0, sizeof(ev));
	if (event_parse(&ev, r->body, r->body_len, err, sizeof(err)) == -1) {
		event_free(&ev);
		say(job, "the stored event cannot be read: %s", err);
		bury(job, 0);
		return;
	}
	if (ev.field[EV_TYPE] == NULL) {
		event_free(&ev);
		say(job, "the stored event has no \"type\"");
		bury(job, 0);
		return;
	}
	n = relay_prepare(q->cfg, job->app, &ev, r->body, r->body_len, now_ms,
	    job->wh->name, tmp);
	event_free(&ev);
	if (n == 0) {
		say(job, "the webhook is no longer subscribed to this event's "
		    "type");
		bury(job, 0);
		return;
	}
	if (tmp[0].req.url == NULL) {
		say(job, "cannot build the request: %s", tmp[0].v.errmsg);
		relay_free(tmp, n);
		bury(job, 0);
		return;
	}
	job->d = tmp[0];
	relay_free(tmp + 1, n - 1);
}

void
queue_take_slot(struct queue *q, struct queue_job *job, long long now_ms)
{
	long long	 next, now = now_ms / 1000;
	char		 err[256];
	int		 rc;

	if (job->fate != QUEUE_NEW)
		return;
	rc = state_take(q->cfg, job->wh->type, job->wh->url, now_ms,
	    q->lock_until, &next, err, sizeof(err));
	if (rc == -1)
		log_msg("rate limits, sending anyway: %s", err);
	if (rc != 1) {
		job->fate = QUEUE_READY;
		return;
	}
	/* Round up: a slot at 10.2 s is not free at 10 s. */
	job->next_at = (next + 999) / 1000;
	say(job, "held back: the robot is at its rate limit for %lld s%s",
	    job->next_at - now, q->j == NULL ? " (set spool_dir to queue "
	    "such messages)" : "");
	request_free(&job->d.req);
	job->d.v.ok = 0;
	job->d.v.retryable = 1;
	tell(job);
	if (!has_record(job)) {
		job->fate = QUEUE_FAILED;
		return;
	}
	if (over_cap(q)) {
		say(job, "held back by a rate limit, and not kept: the spool "
		    "is over spool_max_mb");
		tell(job);
		drop(job);
		return;
	}
	job->fate = QUEUE_DEFERRED;
	if (journal_defer(&job->c, job->next_at, err, sizeof(err)) == -1) {
		job->fate = QUEUE_ERROR;
		say(job, "rate limited, but cannot update the record: %s",
		    err);
	}
}

void
queue_judge(struct delivery *d)
{
	size_t	 len;

	if (d->answered) {
		robot_get(d->type)->judge(d->http_status, d->reply.data != NULL ?
		    d->reply.data : "", d->reply.len, &d->v);
		d->ok = d->v.ok;
		if (!d->ok && d->reply_cut) {
			len = strlen(d->v.errmsg);
			snprintf(d->v.errmsg + len, sizeof(d->v.errmsg) - len,
			    " (reply over %d bytes)", DELIVER_REPLY_MAX);
		}
		d->answered = 0;
	}
	buf_free(&d->reply);
}

void
queue_finish(struct queue *q, struct queue_job *job, long long now_ms)
{
	const struct config	*cfg = q->cfg;
	const struct delivery	*d = &job->d;
	long long		 now = now_ms / 1000, attempts;
	char			 err[256];

	queue_judge(&job->d);

	if (d->ok) {
		job->fate = QUEUE_DELIVERED;
		say(job, "delivered (%ld ms)", d->ms);
		if (has_record(job) && journal_done(&job->c, err,
		    sizeof(err)) == -1) {
			/* Delivered but still queued: it would go twice. */
			job->fate = QUEUE_ERROR;
			say(job, "DELIVERED BUT NOT REMOVED: %s", err);
		}
		return;
	}
	/* The robot itself says "too fast": no slots for a while. */
	if (state_refused(cfg, job->wh->type, job->wh->url,
	    d->v.errcode, now_ms, q->lock_until, err, sizeof(err)) == -1)
		log_msg("rate limits: %s", err);
	if (!has_record(job)) {
		job->fate = QUEUE_FAILED;
		say(job, "%s", d->v.errmsg);
		return;
	}
	attempts = job->c.rec.attempts + 1;
	if (d->v.retryable && over_cap(q)) {
		say(job, "%s (not kept: the spool is over spool_max_mb)",
		    d->v.errmsg);
		tell(job);
		drop(job);
		return;
	}
	if (d->v.retryable && attempts < cfg->max_attempts) {
		job->next_at = next_try(now, attempts);
		job->fate = QUEUE_RETRY;
		say(job, "failed (attempt %lld of %lld), next try in %lld s: "
		    "%s", attempts, cfg->max_attempts, job->next_at - now,
		    d->v.errmsg);
		if (journal_retry(&job->c, job->next_at, d->v.errmsg, err,
		    sizeof(err)) == -1) {
			job->fate = QUEUE_ERROR;
			say(job, "cannot requeue it: %s", err);
		}
		return;
	}
	say(job, "%s", d->v.errmsg);
	bury(job, 1);
	if (job->fate == QUEUE_DEAD)
		say(job, "dead after %lld attempt%s%s: %s", attempts,
		    attempts == 1 ? "" : "s", d->v.retryable ? "" :
		    " (refused for good)", d->v.errmsg);
}

void
queue_job_free(struct queue_job *job)
{
	journal_release(&job->c);
	request_free(&job->d.req);
}
