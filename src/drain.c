/*
 * --drain, --spool-status, --requeue: see drain.h.
 *
 * The drain claims items one by one and sends them in small batches.  A
 * claim is held from before the item is read until it is deleted,
 * rewritten or moved, so a concurrent drain skips it; a drain that dies
 * mid-batch leaves its items pending for the next one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "drain.h"
#include "event.h"
#include "hint.h"
#include "ratelimit.h"
#include "relay.h"
#include "spool.h"

struct drain {
	const struct config	*cfg;
	const struct drain_opts	*o;
	long long		 start_ms;
	struct timespec		 t0;
	FILE			*out;
	struct drain_counts	*n;
	/* The batch: claims[i] is sent as d[i] to wh[i]. */
	struct spool_claim	 claims[DRAIN_BATCH];
	const struct webhook	*wh[DRAIN_BATCH];
	struct delivery		 d[DRAIN_BATCH];
	size_t			 k;
	int			 failed;
	char			 err[512];
};

/* The Unix time in ms: the start as given, plus what has passed since. */
static long long
clock_ms(const struct drain *dr)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return dr->start_ms + (long long)(ts.tv_sec - dr->t0.tv_sec) * 1000 +
	    (ts.tv_nsec - dr->t0.tv_nsec) / 1000000;
}

/* "2026-11-29 00:10:00 UTC" */
static void
fmt_time(long long t, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "%lld", t);
}

/* "45s", "4m10s", "2h05m", "3d04h" */
static void
fmt_span(long long s, char *out, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, len, "%llds", s);
	else if (s < 3600)
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(out, len, "%lldd%02lldh", s / 86400, s / 3600 % 24);
}

/* Appends s with control characters shown as '?': one item, one line. */
static void
put_clean(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* Appends "ID app/"webhook": ". */
static void
put_label(struct buf *b, const struct spool_item *it)
{
	put_clean(b, it->id);
	buf_putc(b, ' ');
	put_clean(b, it->app);
	buf_puts(b, "/\"");
	put_clean(b, it->webhook);
	buf_puts(b, "\": ");
}

/* Prints the item's label and the message as one line. */
static void	 say(FILE *, const struct spool_item *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
say(FILE *out, const struct spool_item *it, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	char		 msg[1024];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_label(&b, it);
	put_clean(&b, msg);
	buf_putc(&b, '\n');
	fputs(b.data, out);
	buf_free(&b);
}

/* Prints "ID: what" as one line. */
static void
say_id(FILE *out, const char *id, const char *what)
{
	struct buf	 b = { 0 };

	put_clean(&b, id);
	buf_puts(&b, ": ");
	put_clean(&b, what);
	buf_putc(&b, '\n');
	fputs(b.data, out);
	buf_free(&b);
}

/* Gives up on the claimed item without sending it. */
static void
give_up(struct drain *dr, struct spool_claim *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
give_up(struct drain *dr, struct spool_claim *c, const char *fmt, ...)
{
	va_list		 ap;
	char		 why[SPOOL_TEXT_MAX];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	say(dr->out, &c->item, "dead: %s", why);
	if (spool_bury(c, 0, why, dr->err, sizeof(dr->err)) == -1) {
		say_id(dr->out, "  cannot move it to dead/", dr->err);
		dr->n->errors++;
	} else
		dr->n->dead++;
}

/* Ends the batch's claims: what each delivery says happens to its item. */
static void
finish(struct drain *dr, struct spool_claim *c, const struct webhook *wh,
    const struct delivery *d)
{
	const struct drain_opts	*o = dr->o;
	long long		 now_ms = clock_ms(dr), now = now_ms / 1000;
	long long		 attempts = c->item.attempts + 1, next;
	const char		*hint;
	char			 when[32], err[256];

	if (d->ok) {
		say(dr->out, &c->item, "delivered (%ld ms)", d->ms);
		if (spool_done(c, dr->err, sizeof(dr->err)) == -1) {
			/* Delivered but still queued: it would go twice. */
			say_id(dr->out, "  DELIVERED BUT NOT REMOVED", dr->err);
			dr->n->errors++;
		} else
			dr->n->delivered++;
		return;
	}
	/* The robot itself says "too fast": no slots for a while. */
	if (ratelimit_refused(o->state_dir, wh->type, wh->url, d->v.errcode,
	    now_ms, err, sizeof(err)) == -1)
		say_id(dr->out, "  rate limit state", err);
	hint = hint_for(d);
	if (d->v.retryable && attempts < o->max_attempts) {
		next = spool_next_try(now, attempts);
		fmt_span(next - now, when, sizeof(when));
		say(dr->out, &c->item, "failed (attempt %lld of %lld), next "
		    "try in %s: %s", attempts, o->max_attempts, when,
		    d->v.errmsg);
		if (spool_retry(c, next, d->v.errmsg, dr->err,
		    sizeof(dr->err)) == -1) {
			say_id(dr->out, "  cannot requeue it", dr->err);
			dr->n->errors++;
		} else
			dr->n->retry++;
	} else {
		say(dr->out, &c->item, "dead after %lld attempt%s%s: %s",
		    attempts, attempts == 1 ? "" : "s", d->v.retryable ? "" :
		    " (refused for good)", d->v.errmsg);
		if (spool_bury(c, 1, d->v.errmsg, dr->err,
		    sizeof(dr->err)) == -1) {
			say_id(dr->out, "  cannot move it to dead/", dr->err);
			dr->n->errors++;
		} else
			dr->n->dead++;
	}
	if (hint != NULL)
		fprintf(dr->out, "  -> %s\n", hint);
}

/* Sends the batch and ends its claims. */
static void
flush(struct drain *dr)
{
	char	 err[256];

	if (dr->k == 0)
		return;
	if (deliver_all(dr->d, dr->k, dr->cfg, err, sizeof(err)) == -1) {
		fprintf(dr->out, "cannot deliver: %s\n", err);
		snprintf(dr->err, sizeof(dr->err), "cannot deliver: %s", err);
		dr->failed = 1;
		for (size_t i = 0; i < dr->k; i++) {
			spool_release(&dr->claims[i]);
			dr->n->errors++;
		}
	} else
		for (size_t i = 0; i < dr->k; i++)
			finish(dr, &dr->claims[i], dr->wh[i], &dr->d[i]);
	relay_free(dr->d, dr->k);
	dr->k = 0;
}

/*
 * Claims one item and either decides its fate at once (not due, too old,
 * its webhook gone, rate limited) or adds it to the batch.
 */
static int
drain_one(const char *id, void *arg)
{
	struct drain		*dr = arg;
	const struct drain_opts	*o = dr->o;
	const struct app	*app;
	const struct webhook	*wh;
	struct spool_claim	 c;
	struct spool_item	*it = &c.item;
	struct delivery		 tmp[APP_WEBHOOKS_MAX];
	struct event		 ev;
	long long		 now_ms, now, next;
	char			 err[512], when[32];
	size_t			 n;
	int			 rc;

	if (dr->failed)
		return -1;
	if ((rc = spool_claim(o->spool_dir, id, &c, err, sizeof(err))) != 0) {
		if (rc == 1) {
			say_id(dr->out, id, "claimed by another drain, "
			    "skipped");
			dr->n->busy++;
		} else {
			say_id(dr->out, id, err);
			dr->n->errors++;
		}
		return 0;
	}
	now_ms = clock_ms(dr);
	now = now_ms / 1000;
	if (!o->all && it->next_at > now) {
		spool_release(&c);
		dr->n->waiting++;
		return 0;
	}
	if (o->max_age > 0 && now - it->received >= o->max_age) {
		fmt_span(now - it->received, when, sizeof(when));
		give_up(dr, &c, "not delivered within max_age (queued %s "
		    "ago); last error: %s", when, it->last_error != NULL ?
		    it->last_error : "none");
		return 0;
	}
	if (it->attempts >= o->max_attempts) {
		give_up(dr, &c, "gave up after %lld attempts; last error: %s",
		    it->attempts, it->last_error != NULL ? it->last_error :
		    "none");
		return 0;
	}
	if ((app = config_app(dr->cfg, it->app)) == NULL) {
		give_up(dr, &c, "the app is no longer in the configuration");
		return 0;
	}
	if ((wh = config_webhook(app, it->webhook)) == NULL) {
		give_up(dr, &c, "the webhook is no longer in the "
		    "configuration");
		return 0;
	}
	if (!wh->enabled) {
		give_up(dr, &c, "the webhook is disabled in the "
		    "configuration");
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	if (event_parse(&ev, it->body, it->body_len, err, sizeof(err)) ==
	    -1) {
		event_free(&ev);
		give_up(dr, &c, "the stored event cannot be read: %s", err);
		return 0;
	}
	if (ev.field[EV_TYPE] == NULL) {
		event_free(&ev);
		give_up(dr, &c, "the stored event has no \"type\"");
		return 0;
	}
	if ((rc = ratelimit_take(o->state_dir, wh->type, wh->url, now_ms,
	    &next, err, sizeof(err))) != 0) {
		event_free(&ev);
		if (rc == -1) {
			say(dr->out, it, "left queued: rate limit state: %s",
			    err);
			spool_release(&c);
			dr->n->errors++;
			return 0;
		}
		/* Round up: a slot at 10.2 s is not free at 10 s. */
		next = (next + 999) / 1000;
		fmt_span(next - now, when, sizeof(when));
		say(dr->out, it, "rate limited, next slot in %s", when);
		if (spool_defer(&c, next, err, sizeof(err)) == -1) {
			say_id(dr->out, "  cannot requeue it", err);
			dr->n->errors++;
		} else
			dr->n->deferred++;
		return 0;
	}
	n = relay_prepare(dr->cfg, app, &ev, it->body, it->body_len, now_ms,
	    wh->name, tmp);
	event_free(&ev);
	if (n == 0) {
		give_up(dr, &c, "the webhook is no longer subscribed to this "
		    "event's type");
		return 0;
	}
	if (tmp[0].req.url == NULL) {
		snprintf(err, sizeof(err), "%s", tmp[0].v.errmsg);
		relay_free(tmp, n);
		give_up(dr, &c, "cannot build the request: %s", err);
		return 0;
	}
	dr->claims[dr->k] = c;
	dr->wh[dr->k] = wh;
	dr->d[dr->k] = tmp[0];
	if (++dr->k == DRAIN_BATCH)
		flush(dr);
	return 0;
}

int
drain_run(const struct config *cfg, const struct drain_opts *o,
    long long now_ms, FILE *out, struct drain_counts *counts, char *err,
    size_t errlen)
{
	struct drain	*dr;
	int		 rc = 0;

	memset(counts, 0, sizeof(*counts));
	if (o->spool_dir == NULL || *o->spool_dir == '\0') {
		snprintf(err, errlen, "no spool_dir in the configuration");
		return -1;
	}
	/* The batch is large: keep it off the stack. */
	if ((dr = calloc(1, sizeof(*dr))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	dr->cfg = cfg;
	dr->o = o;
	dr->start_ms = now_ms;
	clock_gettime(CLOCK_MONOTONIC, &dr->t0);
	dr->out = out;
	dr->n = counts;
	if (spool_clean(o->spool_dir, now_ms / 1000, err, errlen) == -1)
		rc = -1;
	else if (spool_list(o->spool_dir, SPOOL_PENDING, drain_one, dr, err,
	    errlen) == -1 && !dr->failed)
		rc = -1;
	flush(dr);
	if (dr->failed) {
		snprintf(err, errlen, "%s", dr->err);
		rc = -1;
	}
	free(dr);
	return rc;
}

/* --spool-status: one queue. */
struct status {
	const char	*dir;
	enum spool_queue q;
	long long	 now;
	struct buf	 lines;
	size_t		 n;
};

static int
status_one(const char *id, void *arg)
{
	struct status		*st = arg;
	struct buf		*b = &st->lines;
	struct spool_item	 it;
	char			 err[512], t[40], span[32];
	int			 rc;

	if ((rc = spool_read(st->dir, st->q, id, &it, err, sizeof(err))) == 1)
		return 0;		/* gone meanwhile */
	st->n++;
	buf_puts(b, "  ");
	if (rc == -1) {
		put_clean(b, id);
		buf_puts(b, ": unreadable: ");
		put_clean(b, err);
		buf_putc(b, '\n');
		return 0;
	}
	put_label(b, &it);
	buf_printf(b, "attempts %lld\n", it.attempts);
	if (st->q == SPOOL_PENDING) {
		fmt_time(it.next_at, t, sizeof(t));
		fmt_span(it.next_at - st->now, span, sizeof(span));
		buf_printf(b, "      next try %s (%s%s)\n", t,
		    it.next_at > st->now ? "in " : "due",
		    it.next_at > st->now ? span : "");
	}
	fmt_time(it.received, t, sizeof(t));
	fmt_span(st->now - it.received, span, sizeof(span));
	buf_printf(b, "      queued %s (%s ago)\n", t, span);
	buf_puts(b, "      last error: ");
	put_clean(b, it.last_error != NULL ? it.last_error : "none");
	buf_putc(b, '\n');
	spool_item_free(&it);
	return 0;
}

int
drain_status(const char *spool_dir, long long now, FILE *out, char *err,
    size_t errlen)
{
	static const char *const names[SPOOL__MAX] = { "pending", "dead" };
	struct status	 st;
	int		 rc = 0;

	if (spool_dir == NULL || *spool_dir == '\0') {
		snprintf(err, errlen, "no spool_dir in the configuration");
		return -1;
	}
	for (int q = 0; q < SPOOL__MAX && rc == 0; q++) {
		memset(&st, 0, sizeof(st));
		st.dir = spool_dir;
		st.q = (enum spool_queue)q;
		st.now = now;
		if (spool_list(spool_dir, st.q, status_one, &st, err,
		    errlen) == -1)
			rc = -1;
		else {
			fprintf(out, "%s: %zu\n", names[q], st.n);
			if (st.lines.data != NULL)
				fputs(st.lines.data, out);
		}
		buf_free(&st.lines);
	}
	return rc;
}

/* --requeue: one dead item. */
struct requeue {
	const char	*dir;
	long long	 now;
	FILE		*out;
	size_t		 moved;
	int		 failed;
};

static int
requeue_one(const char *id, void *arg)
{
	struct requeue		*rq = arg;
	struct spool_item	 it;
	char			 err[512];
	int			 rc;

	if (spool_read(rq->dir, SPOOL_DEAD, id, &it, err, sizeof(err)) != 0)
		memset(&it, 0, sizeof(it));
	rc = spool_requeue(rq->dir, id, rq->now, err, sizeof(err));
	if (rc == 0 && it.app != NULL)
		say(rq->out, &it, "requeued");
	else if (rc == 0)
		say_id(rq->out, id, "requeued");
	else {
		say_id(rq->out, id, rc == 1 ? "no such dead item, or another "
		    "process has it" : err);
		rq->failed = 1;
	}
	rq->moved += rc == 0;
	spool_item_free(&it);
	return 0;
}

int
drain_requeue(const char *spool_dir, char *const ids[], size_t n_ids,
    long long now, FILE *out, size_t *moved, char *err, size_t errlen)
{
	struct requeue	 rq;
	int		 rc = 0;

	*moved = 0;
	if (spool_dir == NULL || *spool_dir == '\0') {
		snprintf(err, errlen, "no spool_dir in the configuration");
		return -1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.dir = spool_dir;
	rq.now = now;
	rq.out = out;
	if (n_ids == 0)
		rc = spool_list(spool_dir, SPOOL_DEAD, requeue_one, &rq, err,
		    errlen);
	else
		for (size_t i = 0; i < n_ids; i++)
			requeue_one(ids[i], &rq);
	*moved = rq.moved;
	if (rc == 0 && rq.failed) {
		snprintf(err, errlen, "some items were not requeued");
		rc = -1;
	}
	return rc;
}
