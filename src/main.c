/*
 * pgyer-relay: receives a PGYER webhook event as a CGI or FastCGI request
 * and relays it to the app's subscribed chat robots.  This file is the
 * pipeline only, the same for both front ends (front.h):
 * request -> config -> body -> event -> app -> duplicate? -> webhooks ->
 * journal -> the queue's state machine (rate slot, send, judge) ->
 * respond.  Each step that refuses the request answers once, here.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cgi.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "dedup.h"
#include "deliver.h"
#include "event.h"
#include "fcgi.h"
#include "front.h"
#include "hint.h"
#include "journal.h"
#include "lastgood.h"
#include "lock.h"
#include "log.h"
#include "queue.h"
#include "relay.h"
#include "sign.h"
#include "state.h"
#include "summary.h"
#include "supervise.h"
#include "url.h"
#include "utf8.h"
#include "xalloc.h"

/* How long a client may take to send its body, until the config says. */
#define READ_DEADLINE_S	30
/* What a 503 asks the sender to wait before trying again, in seconds. */
#define RETRY_AFTER_S	60

/*
 * What a process keeps from one request to the next: the CGI serves one,
 * a FastCGI worker many.  Nothing else outlives a request, but the shared
 * store's connection (state.h: opened lazily, state_begin() per request,
 * state_close() in proc_free()).
 */
struct proc {
	struct config	*cfg;		/* the last good config */
	struct stat	 good;		/* its file, when read */
	struct stat	 bad;		/* the file last refused, if any */
	int		 have_bad;
	unsigned long long gen;		/* its generation in lastgood.h */
	struct transport *t;		/* curl's multi handle, kept */
};

struct req {
	struct front	*f;
	struct proc	*p;
	const char	*content_length;
	char		*app_key;
	struct config	*cfg;
	struct buf	 body;
	struct event	 ev;
	struct journal	 j;
	int		 journal_open;
	struct queue	 q;
	struct delivery	 d[APP_WEBHOOKS_MAX];
	struct queue_job jobs[APP_WEBHOOKS_MAX];
	size_t		 n;
	int		 body_read;
	char		 dedup_key[DEDUP_KEY_LEN + 1];
	int		 marked;	/* dedup_claim() claimed the event */
	int		 taken;		/* ... from a process that died */
	size_t		 next_job;	/* send_jobs() */
};

/* Refuses the request: drains an unread body, logs, answers. */
static int
refuse(struct req *r, enum http_status st, const char *msg)
{
	if (!r->body_read)
		cgi_drain(r->f, r->content_length);
	log_msg("%d %s%s%s", cgi_statuses[st].code, msg,
	    r->app_key != NULL ? " app=" : "",
	    r->app_key != NULL ? r->app_key : "");
	cgi_error(r->f, st, msg);
	return 0;
}

static void
log_errors(const struct buf *errors)
{
	const char	*p = errors->data != NULL ? errors->data : "";
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, "\n");
		log_msg("config: %.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* The app key: ?app=KEY, else the last path segment of the link. */
static char *
find_app(const char *query, const struct event *ev)
{
	char	*key;

	if ((key = url_query_param(query, "app")) != NULL)
		return key;
	if (ev->field[EV_LINK] != NULL)
		return url_link_app(ev->field[EV_LINK]);
	return NULL;
}

/*
 * Opens what state_dir and spool_dir hold, checked: 0, or -1 with err
 * (a directory that is not ours, or writable by others, is refused).
 */
static int
open_dirs(struct req *r, char *err, size_t errlen)
{
	int	 fd;

	if (*r->cfg->state_dir != '\0') {
		if ((fd = lock_opendir(AT_FDCWD, r->cfg->state_dir,
		    r->cfg->state_dir, 1, err, errlen)) == -1)
			return -1;
		close(fd);
	}
	if (*r->cfg->spool_dir != '\0') {
		if (journal_open(&r->j, r->cfg->spool_dir, 1, err, errlen) ==
		    -1)
			return -1;
		r->journal_open = 1;
		r->q.j = &r->j;
	}
	return 0;
}

/* Answers that the event was relayed before (dedup.h). */
static void
respond_duplicate(struct req *r)
{
	struct buf	 out = { 0 };
	char		 err[256];

	log_msg("200 app=%s type=%s duplicate: not sent again", r->app_key,
	    r->ev.field[EV_TYPE]);
	if (summary_duplicate(&out, r->app_key, r->ev.field[EV_TYPE], err,
	    sizeof(err)) == -1) {
		log_msg("summary: %s", err);
		cgi_error(r->f, HTTP_200, "the summary could not be written");
	} else
		cgi_respond(r->f, HTTP_200, NULL, out.data, out.len);
	buf_free(&out);
}

/*
 * Claims the event in the duplicate filter: 1 when it is a duplicate
 * (answered here), else 0.
 */
static int
duplicate(struct req *r, const struct app *app, long long start)
{
	char		 err[256];
	long long	 deadline;
	int		 rc;

	if (!state_dedup_on(r->cfg))
		return 0;
	/* Without its identity an event is no one's duplicate: refused. */
	if (dedup_key(app->key, &r->ev, r->dedup_key, err, sizeof(err)) ==
	    -1) {
		log_msg("cannot tell duplicates: %s", err);
		refuse(r, HTTP_500, "cannot check for duplicates: see the "
		    "server's error log");
		return 1;
	}
	/*
	 * Past the longest this process may live from here: lock waits
	 * (timeout_ms / 2), then the backstop (timeout_ms + 2 s), and a
	 * margin for the journal's fsyncs.
	 */
	deadline = start / 1000 + (r->cfg->timeout_ms * 3 / 2 + 999) / 1000 +
	    5;
	rc = state_claim(r->cfg, r->dedup_key, start / 1000,
	    r->cfg->dedup_seconds, deadline, r->q.lock_until, err,
	    sizeof(err));
	switch (rc) {
	case DEDUP_DUPLICATE:
		respond_duplicate(r);
		return 1;
	case DEDUP_TAKEN:
		r->taken = 1;
		/* FALLTHROUGH */
	case DEDUP_NEW:
		r->marked = 1;
		return 0;
	default:
		/* Better a duplicate message than a lost one. */
		log_msg("duplicates, going on: %s", err);
		return 0;
	}
}

/* journal_tagged(): one webhook the event has a record for. */
static void
drop_webhook(const char *webhook, void *arg)
{
	struct req	*r = arg;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->d[i].name, webhook) == 0) {
			request_free(&r->d[i].req);
			r->d[i] = r->d[--r->n];
			memset(&r->d[r->n], 0, sizeof(r->d[r->n]));
			return;
		}
}

/*
 * A claim taken over from a process that died: the deliveries it had
 * journaled are the journal's (--drain sends them, or has sent them), not
 * ours to send again.  Returns 1 when none is left (a duplicate).
 */
static int
skip_journaled(struct req *r)
{
	char	 err[256];
	size_t	 had = r->n;

	if (!r->taken || r->q.j == NULL || r->n == 0)
		return 0;
	if (journal_tagged(r->q.j, r->dedup_key, drop_webhook, r, err,
	    sizeof(err)) == -1) {
		log_msg("spool: %s", err);
		return 0;
	}
	/* And those a drain sent from the journal since (dedup_note()). */
	if (state_sent(r->cfg, r->dedup_key, drop_webhook, r,
	    r->q.lock_until, err, sizeof(err)) == -1)
		log_msg("duplicates: %s", err);
	if (r->n < had)
		log_msg("app=%s type=%s %zu of %zu webhooks journaled by a "
		    "process that died: left to --drain", r->app_key,
		    r->ev.field[EV_TYPE], had - r->n, had);
	if (r->n > 0)
		return 0;
	if (state_settle(r->cfg, r->dedup_key, "journaled",
	    r->q.lock_until, err, sizeof(err)) == -1)
		log_msg("duplicates: %s", err);
	return 1;
}

/* deliver_stream(): the next job to send. */
static struct delivery *
next_job(void *arg)
{
	struct req	*r = arg;

	while (r->next_job < r->n)
		if (r->jobs[r->next_job++].fate == QUEUE_READY)
			return &r->jobs[r->next_job - 1].d;
	return NULL;
}

/* deliver_stream(): a transfer ended; its record is settled at once. */
static void
job_done(struct delivery *d, void *arg)
{
	struct req	*r = arg;

	for (size_t i = 0; i < r->n; i++)
		if (&r->jobs[i].d == d)
			queue_finish(&r->q, &r->jobs[i], clock_wall_ms());
}

/*
 * Sends the jobs whose rate slot was taken, all at once, and judges each
 * the moment its own transfer ends: a slow robot does not keep a fast
 * one's record in the journal.  -1 when nothing could be sent.
 */
static int
send_jobs(struct req *r)
{
	char	 err[256];

	/* Opened once per process: its connections, TLS sessions and DNS
	 * answers serve the next request too. */
	if (r->p->t == NULL &&
	    (r->p->t = deliver_open(err, sizeof(err))) == NULL) {
		log_msg("cannot deliver: %s", err);
		return -1;
	}
	deliver_stream(r->p->t, r->cfg, APP_WEBHOOKS_MAX, next_job, job_done,
	    r);
	return 0;
}

/* Copies the jobs' fates into the deliveries the summary reads. */
static void
settle(struct req *r)
{
	struct queue_job	*job;

	for (size_t i = 0; i < r->n; i++) {
		job = &r->jobs[i];
		r->d[i] = job->d;
		memset(&job->d.req, 0, sizeof(job->d.req));
		/* ERROR after a delivery: delivered, the record stayed. */
		r->d[i].ok = job->fate == QUEUE_DELIVERED ||
		    (job->fate == QUEUE_ERROR && job->d.ok);
		r->d[i].queued = job->fate == QUEUE_RETRY ||
		    job->fate == QUEUE_DEFERRED ||
		    (job->fate == QUEUE_READY && job->c.fd != -1);
		if (job->fate == QUEUE_ERROR)
			log_msg("app=%s webhook=\"%s\" %s", r->app_key,
			    r->d[i].name, job->why);
	}
}

/* The front end's deadline, when it has one (front.h). */
static void
deadline(struct req *r, unsigned int seconds, enum http_status st,
    const char *msg)
{
	if (r->f->deadline != NULL)
		r->f->deadline(r->f, seconds, st, msg);
}

/* p's config is now cfg, from file st (lastgood.h generation gen). */
static void
proc_use(struct proc *p, struct config *cfg, const struct stat *st,
    unsigned long long gen)
{
	char	 err[256];

	config_free(p->cfg);
	p->cfg = cfg;
	p->good = *st;
	p->gen = gen;
	p->have_bad = 0;
	if (log_open(cfg->log, err, sizeof(err)) == -1)
		log_msg("%s: logging to stderr", err);
}

/*
 * Reads the config file (st, when known) and parses it; shares its text
 * with the other workers (lastgood.h).  NULL, logged and remembered as
 * bad, when it does not load.
 */
static struct config *
proc_load(struct proc *p, const struct stat *st, int known)
{
	struct buf	 text = { 0 }, errors = { 0 };
	struct config	*cfg = NULL;

	if (config_read(config_path(), &text, &errors) == 0)
		cfg = config_parse(text.data, text.len, &errors);
	if (cfg != NULL)
		proc_use(p, cfg, st, known ?
		    lastgood_publish(st, text.data, text.len) : 0);
	else {
		log_errors(&errors);
		if (p->cfg != NULL)
			log_msg("config: not reloaded: the last good "
			    "configuration keeps serving");
		p->have_bad = known;
		if (known)
			p->bad = *st;
	}
	buf_free(&text);
	buf_free(&errors);
	return cfg;
}

/*
 * The config for this request: read the first time, and again when its
 * file changed (inode, size, mtime or ctime).  A file that does not load
 * is logged once and the last good config keeps serving, as nginx does
 * on a failed reload: the newest that loaded, in any worker (lastgood.h).
 * NULL when none ever loaded.
 */
static struct config *
proc_config(struct proc *p)
{
	struct stat		 st, good;
	struct buf		 errors = { 0 };
	struct config		*cfg;
	unsigned long long	 gen;
	int			 known;

	/* Taken before reading: a change while it is read is seen next
	 * time. */
	known = stat(config_path(), &st) == 0;
	if (p->cfg != NULL && known && config_same_file(&st, &p->good))
		return p->cfg;
	if ((p->cfg == NULL || !known || !p->have_bad ||
	    !config_same_file(&st, &p->bad)) &&
	    (cfg = proc_load(p, &st, known)) != NULL)
		return cfg;
	/* Not loaded: a newer one another worker loaded serves instead. */
	if ((cfg = lastgood_newer(p->gen, &good, &gen, &errors)) != NULL) {
		proc_use(p, cfg, &good, gen);
		log_msg("config: the last good configuration, loaded by "
		    "another worker, serves");
		p->have_bad = known;
		if (known)
			p->bad = st;
	} else
		log_errors(&errors);
	buf_free(&errors);
	return p->cfg;
}

/*
 * Serves one request from the method check to the response: returns
 * the value the CGI exits with.
 */
static int
serve_request(struct req *r)
{
	const char		*query = r->f->param(r->f, "QUERY_STRING");
	const char		*method = r->f->param(r->f, "REQUEST_METHOD");
	const struct app	*app;
	struct buf		 out = { 0 };
	char			 err[256], *token, retry[64];
	enum http_status	 st;
	long long		 start;
	size_t			 n, journaled, sendable = 0, accepted = 0;
	size_t			 full = 0;
	int			 settled = 0, summed;

	r->content_length = r->f->param(r->f, "CONTENT_LENGTH");
	/* First, so that even a refusal is logged where the config says. */
	if ((r->cfg = proc_config(r->p)) == NULL)
		return refuse(r, HTTP_500, "configuration error: see the "
		    "server's error log, or run pgyer-relay.cgi --check");
	if (method == NULL || strcmp(method, "POST") != 0)
		return refuse(r, HTTP_405, "only POST is accepted");
	if (!cgi_is_json(r->f->param(r->f, "CONTENT_TYPE")))
		return refuse(r, HTTP_415,
		    "Content-Type must be application/json");

	/* The config's own read deadline, counted from now. */
	deadline(r, (unsigned int)((r->cfg->read_timeout_ms + 999) / 1000),
	    HTTP_408, "the request body did not arrive in time");
	st = cgi_read_body(r->f, r->content_length,
	    r->cfg->max_body_bytes, &r->body, err, sizeof(err));
	r->body_read = 1;
	if (st != HTTP_200)
		return refuse(r, st, err);
	deadline(r, 0, HTTP_504, "");

	/*
	 * RFC 8259 8.1: JSON is UTF-8.  yajl passes overlong forms in values
	 * it is not asked to keep, and the json robot forwards the body as
	 * it came: check all of it.
	 */
	if (!utf8_valid(r->body.data, r->body.len))
		return refuse(r, HTTP_400, "the body is not valid UTF-8 text");
	if (event_parse(&r->ev, r->body.data, r->body.len, err,
	    sizeof(err)) == -1) {
		char	 msg[300];

		snprintf(msg, sizeof(msg), "invalid JSON: %s", err);
		return refuse(r, HTTP_400, msg);
	}
	if (r->ev.robot_typed && r->ev.field[EV_TYPE] == NULL)
		return refuse(r, HTTP_400, hint_robot_typed);
	if (r->ev.field[EV_TYPE] == NULL || r->ev.field[EV_TYPE][0] == '\0')
		return refuse(r, HTTP_400, "the event has no \"type\"");
	/* Present but unreadable is refused, never taken as absent. */
	if (url_query_bad(query, "app") || url_query_bad(query, "token"))
		return refuse(r, HTTP_400, "?app= or ?token= is badly "
		    "percent-encoded");
	if ((r->app_key = find_app(query, &r->ev)) == NULL)
		return refuse(r, HTTP_400, "no app: add ?app=KEY to the "
		    "webhook URL, or send a \"link\" ending in the app key");
	if ((app = config_app(r->cfg, r->app_key)) == NULL)
		return refuse(r, HTTP_404, "unknown app");
	if (app->token != NULL) {
		token = url_query_param(query, "token");
		st = token != NULL && sign_equal(token, app->token) ?
		    HTTP_200 : HTTP_403;
		free(token);
		if (st != HTTP_200)
			return refuse(r, HTTP_403, "missing or wrong ?token=");
	}

	start = clock_wall_ms();
	/* Every lock wait from here on ends by then (lock.h). */
	r->q.cfg = r->cfg;
	r->q.capped = 1;
	r->q.lock_until = clock_mono_ms() + r->cfg->timeout_ms / 2;
	if (open_dirs(r, err, sizeof(err)) == -1) {
		log_msg("%s", err);
		return refuse(r, HTTP_500, "spool_dir or state_dir is not "
		    "safe to use: see the server's error log, or run "
		    "pgyer-relay.cgi --check");
	}
	/* Only after the token: strangers must not mark events as seen. */
	if (duplicate(r, app, start))
		return 0;
	r->n = relay_prepare(r->cfg, app, &r->ev, r->body.data, r->body.len,
	    start, NULL, r->d);
	if (skip_journaled(r)) {
		respond_duplicate(r);
		return 0;
	}
	/* Write-ahead: every record is on disk before the first attempt. */
	n = r->n;
	journaled = queue_journal(&r->q, app, r->d, n, r->body.data,
	    r->body.len, start, r->dedup_key[0] != '\0' ? r->dedup_key :
	    NULL, r->jobs);
	for (size_t i = 0; i < n; i++)
		sendable += r->jobs[i].fate != QUEUE_FAILED;
	/* "journaled" only when the journal holds every message of it. */
	if (r->marked && r->q.j != NULL && journaled > 0 &&
	    journaled == sendable) {
		if (state_settle(r->cfg, r->dedup_key, "journaled",
		    r->q.lock_until, err, sizeof(err)) == -1)
			log_msg("duplicates: %s", err);
		else
			settled = 1;
	}
	for (size_t i = 0; i < n; i++)
		queue_take_slot(&r->q, &r->jobs[i], clock_wall_ms());
	if (n > 0) {
		/* The backstop: curl has its own deadline, this is if not.
		 * Journaled records outlive it; a claim without one is
		 * dropped so that a retry goes through. */
		deadline(r, (unsigned int)(r->cfg->timeout_ms / 1000) + 2,
		    HTTP_504, "deadline passed before the robots answered");
		if (r->marked && journaled == 0 && !state_shared(r->cfg) &&
		    r->f->forget != NULL) {
			struct buf	 mark = { 0 };

			dedup_path(&mark, r->cfg->state_dir, r->dedup_key);
			r->f->forget(r->f, mark.data);
			buf_free(&mark);
		}
		if (send_jobs(r) == -1 && journaled == 0) {
			if (r->marked)
				(void)state_forget(r->cfg,
				    r->dedup_key, err, sizeof(err));
			return refuse(r, HTTP_500, "cannot start delivery");
		}
		deadline(r, 0, HTTP_504, "");
		if (r->f->forget != NULL)
			r->f->forget(r->f, NULL);
	}
	settle(r);
	for (size_t i = 0; i < r->n; i++) {
		log_msg("app=%s type=%s webhook=\"%s\" %s%s%s ms=%ld",
		    r->app_key, r->ev.field[EV_TYPE], r->d[i].name,
		    r->d[i].ok ? "delivered" : r->d[i].queued ? "queued" :
		    r->d[i].timed_out ? "timeout" : "failed",
		    r->d[i].ok ? "" : ": ",
		    r->d[i].ok ? "" : r->d[i].v.errmsg, r->d[i].ms);
		accepted += r->d[i].ok || r->d[i].queued;
		full += r->jobs[i].fate == QUEUE_FULL;
	}
	/*
	 * dedup.h: an event nothing accepted is not "seen": a retry of it
	 * must go through once the robot is fixed.  Nor is one the spool
	 * was too full to keep: its sender keeps it (503) and retries.
	 */
	if (r->marked && r->n > 0 && (accepted == 0 || full > 0)) {
		if (state_forget(r->cfg, r->dedup_key, err,
		    sizeof(err)) == -1)
			log_msg("duplicates: %s", err);
	} else if (r->marked && r->n > 0 && !settled &&
	    state_settle(r->cfg, r->dedup_key, "done",
	    r->q.lock_until, err, sizeof(err)) == -1)
		log_msg("duplicates: %s", err);
	st = full > 0 ? HTTP_503 : summary_status(r->d, r->n);
	if (*r->cfg->spool_dir != '\0')
		summed = summary_json_spool(&out, r->app_key,
		    r->ev.field[EV_TYPE], r->d, r->n, err, sizeof(err));
	else
		summed = summary_json(&out, r->app_key, r->ev.field[EV_TYPE],
		    r->d, r->n, err, sizeof(err));
	if (summed == -1)
		log_msg("summary: %s", err);
	log_msg("%d app=%s type=%s webhooks=%zu ms=%lld",
	    cgi_statuses[st].code, r->app_key, r->ev.field[EV_TYPE], r->n,
	    clock_wall_ms() - start);
	if (full > 0)
		snprintf(retry, sizeof(retry), "Retry-After: %d\r\n",
		    RETRY_AFTER_S);
	if (summed == -1)
		cgi_error(r->f, st, "the summary could not be written");
	else
		cgi_respond(r->f, st, full > 0 ? retry : NULL, out.data,
		    out.len);
	buf_free(&out);
	return 0;
}

/* Frees what one request holds (not the process's: struct proc). */
static void
req_free(struct req *r)
{
	relay_free(r->d, r->n);
	for (size_t i = 0; i < r->n; i++)
		queue_job_free(&r->jobs[i]);
	if (r->journal_open)
		journal_close(&r->j);
	event_free(&r->ev);
	buf_free(&r->body);
	free(r->app_key);
}

static void
proc_free(void *arg)
{
	struct proc	*p = arg;

	deliver_close(p->t);
	config_free(p->cfg);
	deliver_end();
	/* The shared store's connection, opened by the first request that
	 * needed it (state.h): one per process, closed here. */
	state_close();
	log_close();
}

/* One request through front end f, for the CGI and a FastCGI worker. */
static void
serve(struct front *f, void *arg)
{
	struct req	 r;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.p = arg;
	/* The shared store's per-request state starts afresh (state.h). */
	state_begin();
	(void)serve_request(&r);
	if (!f->responded)
		cgi_error(f, HTTP_500, "internal error");
	req_free(&r);
}

int
main(int argc, char *argv[])
{
	struct proc	 p;
	struct front	*f;
	int		 rc;

	memset(&p, 0, sizeof(p));
	/*
	 * Under CGI, ignore argv: RFC 3875 4.4 lets a server pass a query
	 * without '=' as arguments, so "?--dry-run" must not reach the CLI.
	 */
	if (getenv("REQUEST_METHOD") == NULL) {
		/* spawn-fcgi, mod_fcgid, systemd's StandardInput=socket:
		 * FastCGI on the listening socket we were given. */
		if (argc == 1 && fcgi_listening(STDIN_FILENO)) {
			rc = fcgi_serve(STDIN_FILENO, NULL, NULL, serve, &p);
			proc_free(&p);
			return rc == 0 ? 0 : 1;
		}
		if (argc > 1 && strcmp(argv[1], "--fastcgi") == 0)
			return supervise_main(argc, argv, serve, &p,
			    proc_free);
		rc = cli_main(argc, argv);
		deliver_end();
		state_close();
		return rc;
	}

	signal(SIGPIPE, SIG_IGN);
	xalloc_set_handler(cgi_out_of_memory);
	f = cgi_stdio();
	cgi_deadline(READ_DEADLINE_S, HTTP_408,
	    "the request body did not arrive in time");
	serve(f, &p);
	proc_free(&p);
	return 0;
}
