/*
 * --drain, --spool-status, --requeue: see drain.h.
 *
 * The drain is the scheduler; what happens to one record is the queue's
 * state machine (queue.c), the same as for the CGI.  A claim is held from
 * before the record is read until it is deleted, rewritten or moved, so a
 * concurrent drain skips it; a drain that dies leaves its records pending
 * for the next one.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "drain.h"
#include "hint.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "queue.h"
#include "ratelimit.h"
#include "xalloc.h"

/* A robot met in this run. */
struct robot {
	char		 key[RATELIMIT_KEY_LEN + 1];
	size_t		 busy;		/* transfers in flight */
	int		 skipped;	/* did not answer: left alone */
};

/* A record put aside while its robot had DRAIN_ROBOT_MAX in flight. */
struct later {
	char		*id;
	size_t		 robot;
};

struct slot {
	struct queue_job job;
	struct buf	 label;
	size_t		 robot;
	int		 used;
};

struct drain {
	const struct config	*cfg;
	const struct drain_opts	*o;
	struct journal		 j;
	struct queue		 q;
	long long		 start_ms;
	long long		 t0;		/* clock_mono_ms() at the start */
	long long		 cutoff;	/* clock_mono_ms(): start nothing
						 * after this */
	FILE			*out;
	struct drain_counts	*n;
	char			**ids;
	long			 n_ids, next_id;
	struct later		*later;
	size_t			 n_later, cap_later;
	struct robot		*robots;
	size_t			 n_robots;
	struct slot		 slots[DRAIN_WINDOW];
	int			 stopped;
};

/* The Unix time in ms: the start as given, plus what has passed since. */
static long long
clock_ms(const struct drain *dr)
{
	return dr->start_ms + clock_mono_ms() - dr->t0;
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

/* Appends s through the one sanitiser (log_escape()), cut as a log field
 * is: one item, one line, nothing hidden. */
static void
put_clean(struct buf *b, const char *s)
{
	log_escape(b, s, strlen(s), LOG_FIELD_MAX);
}

/* Appends "ID app/"webhook": ". */
static void
put_label(struct buf *b, const struct journal_record *it)
{
	put_clean(b, it->id);
	buf_putc(b, ' ');
	put_clean(b, it->app);
	buf_puts(b, "/\"");
	put_clean(b, it->webhook);
	buf_puts(b, "\": ");
}

/* Prints the item's label and the message as one line. */
static void	 say(FILE *, const struct journal_record *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
say(FILE *out, const struct journal_record *it, const char *fmt, ...)
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

/* The robot of url, found or added, in *robot: 0, or -1 with err. */
static int
robot_of(struct drain *dr, const char *url, size_t *robot, char *err,
    size_t errlen)
{
	char	 key[RATELIMIT_KEY_LEN + 1];

	if (ratelimit_key(url, key, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < dr->n_robots; i++)
		if (strcmp(dr->robots[i].key, key) == 0) {
			*robot = i;
			return 0;
		}
	dr->robots = xrealloc(dr->robots, (dr->n_robots + 1) *
	    sizeof(*dr->robots));
	memset(&dr->robots[dr->n_robots], 0, sizeof(*dr->robots));
	memcpy(dr->robots[dr->n_robots].key, key, sizeof(key));
	*robot = dr->n_robots++;
	return 0;
}

/* Prints what the queue did with a record and counts it. */
static void
report(struct drain *dr, struct slot *sl)
{
	struct queue_job	*job = &sl->job;
	struct drain_counts	*n = dr->n;
	const char		*hint = NULL;
	struct buf		 b = { 0 };
	char			 when[32];

	switch (job->fate) {
	case QUEUE_WAITING:
		n->waiting++;
		return;
	case QUEUE_DELIVERED:
		n->delivered++;
		break;
	case QUEUE_RETRY:
		n->retry++;
		hint = hint_for(&job->d);
		break;
	case QUEUE_DEFERRED:
		n->deferred++;
		fmt_span(job->next_at - clock_ms(dr) / 1000, when,
		    sizeof(when));
		snprintf(job->why, sizeof(job->why), "rate limited, next slot "
		    "in %s", when);
		break;
	case QUEUE_DEAD:
		n->dead++;
		if (job->d.http_status != 0 || job->d.v.errmsg[0] != '\0')
			hint = hint_for(&job->d);
		break;
	default:
		n->errors++;
		break;
	}
	buf_append(&b, sl->label.data, sl->label.len);
	put_clean(&b, job->fate == QUEUE_DEAD &&
	    strncmp(job->why, "dead", 4) != 0 ? "dead: " : "");
	put_clean(&b, job->why);
	buf_putc(&b, '\n');
	fputs(b.data, dr->out);
	if (hint != NULL)
		fprintf(dr->out, "  -> %s\n", hint);
	buf_free(&b);
}

static struct slot *
free_slot(struct drain *dr)
{
	for (size_t i = 0; i < DRAIN_WINDOW; i++)
		if (!dr->slots[i].used)
			return &dr->slots[i];
	return NULL;
}

static void
slot_end(struct slot *sl)
{
	queue_job_free(&sl->job);
	buf_free(&sl->label);
	sl->used = 0;
}

/*
 * Claims id and takes it as far as the queue goes without sending.
 * Returns the slot holding a job READY to send, or NULL (its fate is
 * decided and reported, or it was put aside).
 */
static struct slot *
try_start(struct drain *dr, const char *id)
{
	struct slot	*sl;
	struct robot	*rb;
	char		 err[512];
	int		 rc;

	if ((sl = free_slot(dr)) == NULL)
		return NULL;
	memset(sl, 0, sizeof(*sl));
	sl->used = 1;
	dr->q.lock_until = clock_mono_ms() + dr->cfg->timeout_ms;
	if ((rc = journal_claim(&dr->j, id, &sl->job.c, err,
	    sizeof(err))) != 0) {
		if (rc == 1)
			dr->n->busy++;
		else {
			say_id(dr->out, id, err);
			dr->n->errors++;
		}
		slot_end(sl);
		return NULL;
	}
	put_label(&sl->label, &sl->job.c.rec);
	queue_check(&dr->q, &sl->job, clock_ms(dr), dr->o->all);
	if (sl->job.fate != QUEUE_NEW) {
		report(dr, sl);
		slot_end(sl);
		return NULL;
	}
	if (robot_of(dr, sl->job.wh->url, &sl->robot, err, sizeof(err)) ==
	    -1) {
		say_id(dr->out, id, err);
		dr->n->errors++;
		slot_end(sl);
		return NULL;
	}
	rb = &dr->robots[sl->robot];
	if (rb->skipped || rb->busy >= DRAIN_ROBOT_MAX) {
		if (rb->skipped)
			dr->n->skipped++;
		else {
			if (dr->n_later == dr->cap_later) {
				dr->cap_later = dr->cap_later == 0 ? 64 :
				    dr->cap_later * 2;
				dr->later = xrealloc(dr->later, dr->cap_later *
				    sizeof(*dr->later));
			}
			dr->later[dr->n_later].id = xstrdup(id);
			dr->later[dr->n_later++].robot = sl->robot;
		}
		slot_end(sl);
		return NULL;
	}
	queue_build(&dr->q, &sl->job, clock_ms(dr));
	queue_take_slot(&dr->q, &sl->job, clock_ms(dr));
	if (sl->job.fate != QUEUE_READY) {
		report(dr, sl);
		slot_end(sl);
		return NULL;
	}
	rb->busy++;
	return sl;
}

/* deliver_stream(): the next record to send, put-aside ones first. */
static struct delivery *
next_delivery(void *arg)
{
	struct drain	*dr = arg;
	struct slot	*sl;
	struct robot	*rb;
	struct later	 l;

	if (dr->stopped)
		return NULL;
	if (clock_mono_ms() >= dr->cutoff) {
		dr->stopped = 1;
		return NULL;
	}
	for (size_t i = 0; i < dr->n_later; i++) {
		rb = &dr->robots[dr->later[i].robot];
		if (!rb->skipped && rb->busy >= DRAIN_ROBOT_MAX)
			continue;
		l = dr->later[i];
		memmove(&dr->later[i], &dr->later[i + 1],
		    (dr->n_later - i - 1) * sizeof(*dr->later));
		dr->n_later--;
		i--;
		if (rb->skipped)
			dr->n->skipped++;
		else if ((sl = try_start(dr, l.id)) != NULL) {
			free(l.id);
			return &sl->job.d;
		}
		free(l.id);
	}
	while (dr->next_id < dr->n_ids) {
		if (clock_mono_ms() >= dr->cutoff) {
			dr->stopped = 1;
			return NULL;
		}
		if ((sl = try_start(dr, dr->ids[dr->next_id++])) != NULL)
			return &sl->job.d;
	}
	return NULL;
}

/* deliver_stream(): one transfer has ended; its record is settled now. */
static void
delivered(struct delivery *d, void *arg)
{
	struct drain	*dr = arg;
	struct slot	*sl = NULL;
	struct robot	*rb;

	for (size_t i = 0; i < DRAIN_WINDOW && sl == NULL; i++)
		if (dr->slots[i].used && &dr->slots[i].job.d == d)
			sl = &dr->slots[i];
	if (sl == NULL)
		return;
	rb = &dr->robots[sl->robot];
	rb->busy--;
	/* No answer at all: the robot is down or unreachable for now. */
	if (!d->ok && d->http_status == 0 && d->v.retryable)
		rb->skipped = 1;
	dr->q.lock_until = clock_mono_ms() + dr->cfg->timeout_ms;
	queue_finish(&dr->q, &sl->job, clock_ms(dr));
	report(dr, sl);
	slot_end(sl);
}

int
drain_run(const struct config *cfg, const struct drain_opts *o,
    long long now_ms, FILE *out, struct drain_counts *counts, char *err,
    size_t errlen)
{
	struct drain	*dr;
	struct transport *t;
	struct stat	 st;
	long long	 budget, margin;
	int		 rc = -1;

	memset(counts, 0, sizeof(*counts));
	if (cfg->spool_dir == NULL || *cfg->spool_dir == '\0') {
		snprintf(err, errlen, "no spool_dir in the configuration");
		return -1;
	}
	/* Nothing was ever queued: nothing to do, quietly. */
	if (lstat(cfg->spool_dir, &st) == -1 && errno == ENOENT)
		return 0;
	/* The slots are large: keep them off the stack. */
	dr = xcalloc(1, sizeof(*dr));
	dr->cfg = cfg;
	dr->o = o;
	dr->start_ms = now_ms;
	dr->t0 = clock_mono_ms();
	budget = (o->max_seconds > 0 ? o->max_seconds : DRAIN_SECONDS) * 1000;
	/* A transfer started before the cutoff ends by the budget. */
	margin = cfg->timeout_ms + 1000 < budget / 2 ? cfg->timeout_ms + 1000 :
	    budget / 2;
	dr->cutoff = dr->t0 + budget - margin;
	dr->out = out;
	dr->n = counts;
	if (journal_open(&dr->j, cfg->spool_dir, 0, err, errlen) == -1)
		goto out;
	dr->q.cfg = cfg;
	dr->q.j = &dr->j;
	if (journal_clean(&dr->j, now_ms / 1000, err, errlen) == -1 ||
	    (dr->n_ids = journal_ids(&dr->j, JOURNAL_PENDING, &dr->ids, err,
	    errlen)) == -1)
		goto out;
	/* Nothing is claimed yet: on failure, every record stays as it
	 * was. */
	if ((t = deliver_open(err, errlen)) == NULL) {
		fprintf(out, "cannot deliver: %s\n", err);
		goto out;
	}
	deliver_stream(t, cfg, DRAIN_WINDOW, next_delivery, delivered, dr);
	deliver_close(t);
	for (size_t i = 0; i < dr->n_later; i++) {
		if (dr->robots[dr->later[i].robot].skipped)
			counts->skipped++;
		else
			counts->left++;
	}
	counts->left += (size_t)(dr->n_ids - dr->next_id);
	rc = 0;
out:
	for (size_t i = 0; i < dr->n_later; i++)
		free(dr->later[i].id);
	free(dr->later);
	free(dr->robots);
	journal_ids_free(dr->ids, dr->n_ids > 0 ? dr->n_ids : 0);
	if (dr->j.path != NULL)
		journal_close(&dr->j);
	free(dr);
	return rc;
}

/*
 * Opens the journal of an existing spool_dir: 1 when there is none (it
 * holds nothing), 0, or -1 with err.
 */
static int
open_existing(struct journal *j, const char *spool_dir, char *err,
    size_t errlen)
{
	struct stat	 st;

	if (spool_dir == NULL || *spool_dir == '\0') {
		snprintf(err, errlen, "no spool_dir in the configuration");
		return -1;
	}
	if (lstat(spool_dir, &st) == -1 && errno == ENOENT)
		return 1;
	return journal_open(j, spool_dir, 0, err, errlen);
}

/* --spool-status: one record. */
static void
status_one(struct journal *j, enum journal_queue q, const char *id,
    long long now, struct buf *b)
{
	struct journal_record	 r;
	char			 err[512], t[40], span[32];
	int			 rc;

	if ((rc = journal_read(j, q, id, &r, err, sizeof(err))) == 1)
		return;		/* gone meanwhile */
	buf_puts(b, "  ");
	if (rc == -1) {
		put_clean(b, id);
		buf_puts(b, ": unreadable: ");
		put_clean(b, err);
		buf_putc(b, '\n');
		return;
	}
	put_label(b, &r);
	buf_printf(b, "attempts %lld\n", r.attempts);
	if (q == JOURNAL_PENDING) {
		fmt_time(r.next_at, t, sizeof(t));
		fmt_span(r.next_at - now, span, sizeof(span));
		buf_printf(b, "      next try %s (%s%s)\n", t,
		    r.next_at > now ? "in " : "due",
		    r.next_at > now ? span : "");
	}
	fmt_time(r.received, t, sizeof(t));
	fmt_span(now - r.received, span, sizeof(span));
	buf_printf(b, "      queued %s (%s ago)\n", t, span);
	buf_puts(b, "      last error: ");
	put_clean(b, r.last_error != NULL ? r.last_error : "none");
	buf_putc(b, '\n');
	journal_record_free(&r);
}

int
drain_status(const char *spool_dir, long long now, FILE *out, char *err,
    size_t errlen)
{
	static const char *const names[JOURNAL__MAX] = { "pending", "dead" };
	struct journal	 j;
	struct buf	 lines = { 0 };
	char		**ids;
	long		 n;
	int		 rc;

	if ((rc = open_existing(&j, spool_dir, err, errlen)) != 0) {
		if (rc == 1)
			fprintf(out, "pending: 0\ndead: 0\n");
		return rc == 1 ? 0 : -1;
	}
	for (int q = 0; q < JOURNAL__MAX && rc == 0; q++) {
		if ((n = journal_ids(&j, (enum journal_queue)q, &ids, err,
		    errlen)) == -1) {
			rc = -1;
			break;
		}
		buf_reset(&lines);
		for (long i = 0; i < n; i++)
			status_one(&j, (enum journal_queue)q, ids[i], now,
			    &lines);
		fprintf(out, "%s: %ld\n", names[q], n);
		if (lines.len > 0)
			fwrite(lines.data, 1, lines.len, out);
		journal_ids_free(ids, n);
	}
	if (rc == 0 && (n = journal_quarantined(&j, err, errlen)) == -1)
		rc = -1;
	else if (rc == 0 && n > 0)
		fprintf(out, "quarantined: %ld (not written by the relay, never "
		    "sent: %s/dead/*.quarantined)\n", n, spool_dir);
	buf_free(&lines);
	journal_close(&j);
	return rc;
}

/* --requeue: one dead record; 0, or -1 when it was not moved. */
static int
requeue_one(struct journal *j, const char *id, long long now, FILE *out)
{
	struct journal_record	 r;
	char			 err[512];
	int			 rc;

	if (journal_read(j, JOURNAL_DEAD, id, &r, err, sizeof(err)) != 0)
		memset(&r, 0, sizeof(r));
	rc = journal_requeue(j, id, now, err, sizeof(err));
	if (rc == 0 && r.app != NULL)
		say(out, &r, "requeued");
	else if (rc == 0)
		say_id(out, id, "requeued");
	else
		say_id(out, id, rc == 1 ? "no such dead item, or another "
		    "process has it" : err);
	journal_record_free(&r);
	return rc == 0 ? 0 : -1;
}

int
drain_requeue(const char *spool_dir, char *const ids[], size_t n_ids,
    long long now, FILE *out, size_t *moved, char *err, size_t errlen)
{
	struct journal	 j;
	char		**dead = NULL;
	long		 n = 0;
	int		 rc, failed = 0;

	*moved = 0;
	if ((rc = open_existing(&j, spool_dir, err, errlen)) != 0) {
		if (rc == 1 && n_ids == 0)
			return 0;
		if (rc == 1)
			snprintf(err, errlen, "%s: no such directory",
			    spool_dir);
		return -1;
	}
	if (n_ids == 0 && (n = journal_ids(&j, JOURNAL_DEAD, &dead, err,
	    errlen)) == -1) {
		journal_close(&j);
		return -1;
	}
	for (size_t i = 0; i < (n_ids > 0 ? n_ids : (size_t)n); i++) {
		if (requeue_one(&j, n_ids > 0 ? ids[i] : dead[i], now, out) ==
		    0)
			(*moved)++;
		else
			failed = 1;
	}
	journal_ids_free(dead, n);
	journal_close(&j);
	if (failed) {
		snprintf(err, errlen, "some items were not requeued");
		return -1;
	}
	return 0;
}
