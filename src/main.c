/*
 * pgyer-relay: receives a PGYER webhook event as a CGI request and relays
 * it to the app's subscribed chat robots.  This file is the pipeline only:
 * request -> config -> body -> event -> app -> duplicate? -> webhooks ->
 * rate limits -> deliver -> spool what may be retried -> respond.  Each
 * step that refuses the request answers once, here.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cgi.h"
#include "cli.h"
#include "config.h"
#include "dedup.h"
#include "deliver.h"
#include "event.h"
#include "hint.h"
#include "log.h"
#include "ratelimit.h"
#include "relay.h"
#include "sign.h"
#include "spool.h"
#include "summary.h"
#include "url.h"
#include "utf8.h"
#include "xalloc.h"

/* How long a client may take to send its body, until the config says. */
#define READ_DEADLINE_S	30

struct req {
	const char	*content_length;
	char		*app_key;
	struct config	*cfg;
	struct buf	 body;
	struct event	 ev;
	struct delivery	 d[APP_WEBHOOKS_MAX];
	size_t		 n;
	int		 body_read;
	/* held back by a rate limit: not sent before next_ms */
	int		 held[APP_WEBHOOKS_MAX];
	long long	 next_ms[APP_WEBHOOKS_MAX];
	char		 dedup_key[DEDUP_KEY_LEN + 1];
	int		 marked;	/* dedup_seen() marked the event */
};

/* Refuses the request: drains an unread body, logs, answers. */
static int
refuse(struct req *r, enum http_status st, const char *msg)
{
	if (!r->body_read)
		cgi_drain(STDIN_FILENO, r->content_length);
	log_msg("%d %s%s%s", cgi_status_codes[st], msg,
	    r->app_key != NULL ? " app=" : "",
	    r->app_key != NULL ? r->app_key : "");
	cgi_error(st, msg);
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
		return event_link_app(ev->field[EV_LINK]);
	return NULL;
}

/*
 * Holds back the deliveries to robots at their rate limit: they are not
 * sent (deliver_all skips a request without a URL) but queued for when
 * a slot frees.  If the limits cannot be checked, sends anyway.
 */
static void
hold_back(struct req *r, const struct app *app, long long now_ms)
{
	const struct webhook	*wh;
	struct delivery		*d;
	char			 err[256];
	int			 rc;

	if (*r->cfg->state_dir == '\0')
		return;
	for (size_t i = 0; i < r->n; i++) {
		d = &r->d[i];
		if (d->req.url == NULL ||
		    (wh = config_webhook(app, d->name)) == NULL)
			continue;
		rc = ratelimit_take(r->cfg->state_dir, wh->type, wh->url,
		    now_ms, &r->next_ms[i], err, sizeof(err));
		if (rc == -1)
			log_msg("rate limits: %s", err);
		if (rc != 1)
			continue;
		request_free(&d->req);
		r->held[i] = 1;
		d->v.retryable = 1;
		snprintf(d->v.errmsg, sizeof(d->v.errmsg), "held back: the "
		    "robot is at its rate limit for %lld s%s",
		    (r->next_ms[i] - now_ms + 999) / 1000,
		    *r->cfg->spool_dir == '\0' ? " (set spool_dir to queue "
		    "such messages)" : "");
	}
}

/*
 * After delivery: tells the rate limiter about robots that said "too
 * fast", and spools every delivery that failed for a retryable reason
 * (or was held back), to be sent by --drain.
 */
static void
queue_failed(struct req *r, const struct app *app, long long now_ms)
{
	const struct webhook	*wh;
	struct spool_item	 it;
	struct delivery		*d;
	char			 err[256];
	long long		 now = now_ms / 1000;

	for (size_t i = 0; i < r->n; i++) {
		d = &r->d[i];
		if (d->ok || (wh = config_webhook(app, d->name)) == NULL)
			continue;
		if (!r->held[i] && ratelimit_refused(r->cfg->state_dir,
		    wh->type, wh->url, d->v.errcode, now_ms, err,
		    sizeof(err)) == -1)
			log_msg("rate limits: %s", err);
		if (*r->cfg->spool_dir == '\0' || !d->v.retryable)
			continue;
		memset(&it, 0, sizeof(it));
		it.app = app->key;
		it.webhook = wh->name;
		it.body = r->body.data;
		it.body_len = r->body.len;
		it.received = now;
		it.last_error = d->v.errmsg;
		/* Held back: no attempt yet, due when the slot frees. */
		it.attempts = r->held[i] ? 0 : 1;
		it.next_at = r->held[i] ? (r->next_ms[i] + 999) / 1000 :
		    spool_next_try(now, 1);
		if (spool_put(r->cfg->spool_dir, &it, err, sizeof(err)) == -1)
			log_msg("app=%s webhook=\"%s\" cannot queue: %s",
			    app->key, wh->name, err);
		else
			d->queued = 1;
	}
}

static int
relay(struct req *r)
{
	const char		*query = getenv("QUERY_STRING");
	const char		*method = getenv("REQUEST_METHOD");
	const struct app	*app;
	struct buf		 errors = { 0 }, out = { 0 };
	char			 err[256], *token;
	enum http_status	 st;
	long long		 start;
	size_t			 accepted = 0;

	r->content_length = getenv("CONTENT_LENGTH");
	/* First, so that even a refusal is logged where the config says. */
	if ((r->cfg = config_load(cli_config_path(), &errors)) == NULL) {
		log_errors(&errors);
		buf_free(&errors);
		return refuse(r, HTTP_500, "configuration error: see the "
		    "server's error log, or run pgyer-relay.cgi --check");
	}
	if (log_open(r->cfg->log, err, sizeof(err)) == -1)
		log_msg("%s: logging to stderr", err);
	if (strcmp(method, "POST") != 0)
		return refuse(r, HTTP_405, "only POST is accepted");
	if (!cgi_is_json(getenv("CONTENT_TYPE")))
		return refuse(r, HTTP_415,
		    "Content-Type must be application/json");

	/* The config's own read deadline, counted from now. */
	cgi_deadline((unsigned int)((r->cfg->read_timeout_ms + 999) / 1000),
	    HTTP_408, "the request body did not arrive in time");
	st = cgi_read_body(STDIN_FILENO, r->content_length,
	    r->cfg->max_body_bytes, &r->body, err, sizeof(err));
	r->body_read = 1;
	if (st != HTTP_200)
		return refuse(r, st, err);
	cgi_deadline(0, HTTP_504, "");

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

	start = relay_now_ms();
	/* Only after the token: strangers must not mark events as seen. */
	if (*r->cfg->state_dir != '\0' && r->cfg->dedup_seconds > 0) {
		dedup_key(app->key, &r->ev, r->dedup_key);
		switch (dedup_seen(r->cfg->state_dir, r->dedup_key,
		    start / 1000, r->cfg->dedup_seconds, err, sizeof(err))) {
		case 1:
			log_msg("200 app=%s type=%s duplicate: not sent again",
			    r->app_key, r->ev.field[EV_TYPE]);
			summary_duplicate(&out, r->app_key,
			    r->ev.field[EV_TYPE]);
			cgi_respond(HTTP_200, NULL, out.data, out.len);
			buf_free(&out);
			return 0;
		case 0:
			r->marked = 1;
			break;
		default:
			/* Better a duplicate message than a lost one. */
			log_msg("duplicates: %s", err);
			break;
		}
	}
	r->n = relay_prepare(r->cfg, app, &r->ev, r->body.data, r->body.len,
	    start, NULL, r->d);
	hold_back(r, app, start);
	if (r->n > 0) {
		/* The backstop: curl has its own deadline, this is if not. */
		cgi_deadline((unsigned int)(r->cfg->timeout_ms / 1000) + 2,
		    HTTP_504, "deadline passed before the robots answered");
		if (r->marked) {
			struct buf	 mark = { 0 };

			dedup_path(&mark, r->cfg->state_dir, r->dedup_key);
			cgi_deadline_unlink(mark.data);
			buf_free(&mark);
		}
		if (deliver_all(r->d, r->n, r->cfg, err, sizeof(err)) == -1) {
			log_msg("cannot deliver: %s", err);
			if (r->marked)
				(void)dedup_forget(r->cfg->state_dir,
				    r->dedup_key, err, sizeof(err));
			return refuse(r, HTTP_500, "cannot start delivery");
		}
		cgi_deadline(0, HTTP_504, "");
		cgi_deadline_unlink(NULL);
	}
	queue_failed(r, app, relay_now_ms());
	for (size_t i = 0; i < r->n; i++) {
		log_msg("app=%s type=%s webhook=\"%s\" %s%s%s ms=%ld",
		    r->app_key, r->ev.field[EV_TYPE], r->d[i].name,
		    r->d[i].ok ? "delivered" : r->d[i].queued ? "queued" :
		    r->d[i].timed_out ? "timeout" : "failed",
		    r->d[i].ok ? "" : ": ",
		    r->d[i].ok ? "" : r->d[i].v.errmsg, r->d[i].ms);
		accepted += r->d[i].ok || r->d[i].queued;
	}
	/* dedup.h: an event nothing accepted is not "seen": a retry of it
	 * must go through once the robot is fixed. */
	if (r->marked && r->n > 0 && accepted == 0 &&
	    dedup_forget(r->cfg->state_dir, r->dedup_key, err,
	    sizeof(err)) == -1)
		log_msg("duplicates: %s", err);
	st = summary_status(r->d, r->n);
	if (*r->cfg->spool_dir != '\0')
		summary_json_spool(&out, r->app_key, r->ev.field[EV_TYPE],
		    r->d, r->n);
	else
		summary_json(&out, r->app_key, r->ev.field[EV_TYPE], r->d,
		    r->n);
	log_msg("%d app=%s type=%s webhooks=%zu ms=%lld",
	    cgi_status_codes[st], r->app_key, r->ev.field[EV_TYPE], r->n,
	    relay_now_ms() - start);
	cgi_respond(st, NULL, out.data, out.len);
	buf_free(&out);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct req	 r;
	int		 rc;

	/*
	 * Under CGI, ignore argv: RFC 3875 4.4 lets a server pass a query
	 * without '=' as arguments, so "?--dry-run" must not reach the CLI.
	 */
	if (getenv("REQUEST_METHOD") == NULL)
		return cli_main(argc, argv);

	signal(SIGPIPE, SIG_IGN);
	xalloc_set_handler(cgi_out_of_memory);
	cgi_deadline(READ_DEADLINE_S, HTTP_408,
	    "the request body did not arrive in time");
	memset(&r, 0, sizeof(r));
	rc = relay(&r);
	if (!cgi_responded())
		cgi_error(HTTP_500, "internal error");
	relay_free(r.d, r.n);
	event_free(&r.ev);
	buf_free(&r.body);
	config_free(r.cfg);
	free(r.app_key);
	log_close();
	return rc;
}
