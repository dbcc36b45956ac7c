/*
 * The command line: the same binary outside CGI.  --check validates the
 * config, --dry-run shows what an event would send, --test sends PGYER's
 * example event for real and says what to fix; --drain, --spool-status
 * and --requeue work the spool (drain.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "deliver.h"
#include "drain.h"
#include "event.h"
#include "hint.h"
#include "journal.h"
#include "lock.h"
#include "log.h"
#include "queue.h"
#include "relay.h"
#include "state.h"
#include "state_url.h"
#include "url.h"
#include "utf8.h"
#include "version.h"

static const char usage[] =
"usage: pgyer-relay.cgi --check [CONFIG]\n"
"       pgyer-relay.cgi --dry-run --app KEY [--webhook NAME] [--config CONFIG] < event.json\n"
"       pgyer-relay.cgi --test --app KEY [--webhook NAME] [--config CONFIG]\n"
"       pgyer-relay.cgi --drain [--all] [--max-seconds N] [--config CONFIG]\n"
"       pgyer-relay.cgi --spool-status [--config CONFIG]\n"
"       pgyer-relay.cgi --requeue [ID ...] [--config CONFIG]\n"
"       pgyer-relay.cgi --init [--config CONFIG]\n"
"       pgyer-relay.cgi --fastcgi unix:/path|HOST:PORT|- [--workers N]\n"
"       pgyer-relay.cgi --version | --help\n";

static const char help[] =
"Relays PGYER webhook events to WeCom, DingTalk and Feishu robots.\n"
"Run by a web server as a CGI program; on the command line:\n"
"\n"
"  --check [CONFIG]   validate the configuration and print a summary\n"
"  --dry-run          read an event from stdin, print each request it\n"
"                     would send (keys masked); send nothing\n"
"  --test             send PGYER's example update event through the\n"
"                     app's webhooks and say what each robot answered\n"
"  --drain            send the queued messages that are due (run it\n"
"                     every minute, as the web server's user); with\n"
"                     --all, every queued message now; it starts\n"
"                     nothing that could end after --max-seconds\n"
"                     (default 50)\n"
"  --spool-status     list the queued and the dead messages\n"
"  --requeue [ID ...] queue dead messages (all, or those) again\n"
"  --init             create spool_dir, its dead/ and state_dir, mode\n"
"                     700, for the user running it (the web server's)\n"
"  --fastcgi ADDR     serve FastCGI on ADDR with --workers N processes\n"
"                     (default: one per core); see README, FastCGI mode\n"
"  --app KEY          the app (for --dry-run: else the event's link)\n"
"  --webhook NAME     only this webhook\n"
"  --config CONFIG    instead of $PGYER_RELAY_CONFIG or " DEFAULT_CONFIG "\n"
"  --version, --help\n";

/* PGYER's example update event (a real capture; the fields as in
 * https://www.pgyer.com/doc/view/webhook ). */
static const char example_event[] =
"{\"action\":\"应用更新\",\"title\":\"QQ\","
"\"link\":\"https://www.pgyer.com/xxxx\","
"\"message\":\"您的应用QQ有了新的版本(0.4.0)更新。\","
"\"type\":\"updateVersion\",\"os_version\":\"0.4.0\","
"\"build_version\":\"2\",\"created\":\"2020-07-15 10:50:54\","
"\"updated\":\"2020-07-15 10:50:54\",\"timestamp\":%lld,"
"\"appsize\":\"26662364\",\"device_type\":\"iOS\","
"\"notes\":\"pgyer-relay --test\"}";

struct opts {
	const char	*cmd;
	const char	*config;
	const char	*app;
	const char	*webhook;
	int		 all;		/* --drain --all */
	long long	 max_seconds;	/* --drain --max-seconds N */
	char		**ids;		/* --requeue ID ... */
	size_t		 n_ids;
};

/* Loads the config, printing every problem; NULL on error. */
static struct config *
load(const char *path)
{
	struct buf	 errors = { 0 };
	struct config	*cfg;

	if ((cfg = config_load(path, &errors)) == NULL)
		fprintf(stderr, "%s: configuration errors:\n%s", path,
		    errors.data != NULL ? errors.data : "");
	buf_free(&errors);
	return cfg;
}

static void
print_list(const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s%s", i > 0 ? ", " : "", l->v[i]);
}

/* Warns when a configured directory is not there: 1 if so. */
static int
check_dir(const char *key, const char *dir)
{
	struct stat	 st;

	if (*dir == '\0' || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	fprintf(stderr, "warning: %s %s is not a directory: create it, "
	    "owned by the web server's user, mode 700\n", key, dir);
	return 1;
}

/*
 * Checks a directory the relay writes to the way the CGI does (ours, not
 * writable by others, not a link): 1 with a warning when it would refuse
 * it.  A missing one is check_dir()'s business.
 */
static int
check_owned(const char *key, const char *dir)
{
	struct journal	 j;
	char		 err[512];
	int		 fd = -1, rc;

	if (*dir == '\0' || access(dir, F_OK) == -1)
		return 0;
	/* spool_dir: its dead/ too. */
	if (strcmp(key, "spool_dir") == 0) {
		if ((rc = journal_open(&j, dir, 0, err, sizeof(err))) == 0)
			journal_close(&j);
	} else if ((rc = fd = lock_opendir(AT_FDCWD, dir, dir, 0, err,
	    sizeof(err))) != -1)
		close(fd);
	if (rc == -1) {
		fprintf(stderr, "warning: %s: %s (the relay answers 500 as "
		    "long as it is so)%s\n", key, err, getuid() == 0 ?
		    "; checked as root: run --check as the web server's "
		    "user" : "");
		return 1;
	}
	return 0;
}

/*
 * Whether the shared store (state_url) answers, on stdout, or a warning
 * on stderr (1).  The password is never shown.
 */
static int
check_shared(const struct config *cfg)
{
	struct buf	 where = { 0 };
	char		 err[256];
	int		 rc;

	if (!state_shared(cfg))
		return 0;
	state_url_mask(&where, cfg->state_url);
	rc = state_ping(cfg, err, sizeof(err));
	if (rc == 0)
		printf("state_url %s: answers (PING)\n", where.data);
	else
		fprintf(stderr, "warning: state_url %s: %s (the relay goes on "
		    "without shared duplicates and rate limits as long as it "
		    "is so)\n", where.data, err);
	buf_free(&where);
	state_close();
	return rc == -1;
}

/* The spool, rate limit and duplicate settings; returns the warnings. */
static int
check_spool(const struct config *cfg)
{
	if (*cfg->spool_dir != '\0')
		printf("spool %s: up to %lld attempts within %lld s, then "
		    "dead/\n", cfg->spool_dir, cfg->max_attempts,
		    cfg->max_age);
	else
		printf("spool: none (failed deliveries are not retried)\n");
	if (state_shared(cfg))
		printf("state shared through Redis (state_url): robot rate "
		    "limits, duplicates within %lld s%s\n", cfg->dedup_seconds,
		    cfg->dedup_seconds == 0 ? " (off)" : "");
	else if (*cfg->state_dir != '\0')
		printf("state %s: robot rate limits, duplicates within "
		    "%lld s%s\n", cfg->state_dir, cfg->dedup_seconds,
		    cfg->dedup_seconds == 0 ? " (off)" : "");
	else
		printf("state: none (no rate limits, no duplicate "
		    "filter)\n");
	if (*cfg->spool_dir != '\0')
		printf("spool cap: %lld MiB (then 503 with Retry-After)\n",
		    cfg->spool_max_mb);
	return check_shared(cfg) + check_dir("spool_dir", cfg->spool_dir) +
	    check_dir("state_dir", cfg->state_dir) +
	    check_owned("spool_dir", cfg->spool_dir) +
	    check_owned("state_dir", cfg->state_dir);
}

/* The trust settings; returns the warnings. */
static int
check_trust(const struct config *cfg)
{
	int	 w = 0;

	if (*cfg->ca_file == '\0' && *cfg->ca_path == '\0') {
		printf("trust: the system's CA certificates\n");
		return 0;
	}
	printf("trust: only %s%s%s\n", cfg->ca_file,
	    *cfg->ca_file != '\0' && *cfg->ca_path != '\0' ? " and " : "",
	    cfg->ca_path);
	if (*cfg->ca_file != '\0' && access(cfg->ca_file, R_OK) == -1) {
		fprintf(stderr, "warning: ca_file %s: %s\n", cfg->ca_file,
		    strerror(errno));
		w++;
	}
	return w + check_dir("ca_path", cfg->ca_path);
}

/* 1 when s still holds a value of the example config. */
static int
placeholder(const char *s)
{
	return s != NULL && (strstr(s, "CHANGE-ME") != NULL ||
	    strstr(s, "YOUR-") != NULL);
}

/* Values left from etc/config.example.json; returns the warnings. */
static int
check_placeholders(const struct app *a)
{
	int	 w = 0;

	if (placeholder(a->token)) {
		fprintf(stderr, "warning: app %s: \"token\" is the example's "
		    "placeholder: make your own (openssl rand -hex 24)\n",
		    a->key);
		w++;
	}
	for (size_t k = 0; k < a->n_webhooks; k++) {
		const struct webhook *wh = &a->webhooks[k];
		const char *const v[] = { wh->url, wh->secret, wh->keyword };
		const char *const name[] = { "url", "secret", "keyword" };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			if (!placeholder(v[i]))
				continue;
			fprintf(stderr, "warning: app %s, webhook \"%s\": "
			    "\"%s\" is the example's placeholder: paste the "
			    "robot's own\n", a->key, wh->name, name[i]);
			w++;
		}
	}
	return w;
}

/* Where the log lines go, and why they might not get there. */
static int
check_log(const struct config *cfg)
{
	struct buf	 b = { 0 };
	int		 w;

	log_describe(&b, cfg->log);
	printf("log: %s\n", b.data);
	buf_reset(&b);
	if ((w = log_warnings(&b, cfg->log)) > 0)
		fputs(b.data, stderr);
	buf_free(&b);
	return w;
}

static int
cmd_check(const char *path)
{
	struct config	*cfg;
	struct stat	 st;
	int		 warnings = 0;

	if ((cfg = load(path)) == NULL)
		return 1;
	printf("%s: ok\n", path);
	printf("timeout %ld ms, body limit %zu bytes, timezone %s, "
	    "language %s, proxy %s\n", cfg->timeout_ms, cfg->max_body_bytes,
	    cfg->timezone, cfg->language == LANG_EN ? "en" : "zh",
	    cfg->proxy != NULL && *cfg->proxy != '\0' ? "set" : "none");
	for (size_t i = 0; i < cfg->n_apps; i++) {
		const struct app *a = &cfg->apps[i];

		printf("app %s (%s): %zu webhook%s\n", a->key,
		    a->token != NULL ? "token required" : "no token",
		    a->n_webhooks, a->n_webhooks == 1 ? "" : "s");
		for (size_t k = 0; k < a->n_webhooks; k++) {
			const struct webhook *w = &a->webhooks[k];

			printf("  %-16s %-8s %-8s%s%s events: ", w->name,
			    robot_type_names[w->type],
			    w->enabled ? "enabled" : "DISABLED",
			    w->secret != NULL ? " signed" : "",
			    w->keyword != NULL ? " keyword" : "");
			print_list(&w->events);
			printf("\n");
		}
		warnings += check_placeholders(a);
		if (a->token == NULL) {
			fprintf(stderr, "warning: app %s has no token: anyone "
			    "who can reach the URL can post its events\n",
			    a->key);
			warnings++;
		}
	}
	if (cfg->n_apps == 0) {
		fprintf(stderr, "warning: no apps: every event gets 404\n");
		warnings++;
	}
	warnings += check_spool(cfg);
	warnings += check_trust(cfg);
	warnings += check_log(cfg);
	if (stat(path, &st) == 0 && (st.st_mode & S_IROTH)) {
		fprintf(stderr, "warning: %s is readable by every user and "
		    "holds robot keys: chmod o-r %s\n", path, path);
		warnings++;
	}
	if (warnings > 0)
		fprintf(stderr, "%d warning%s\n", warnings,
		    warnings == 1 ? "" : "s");
	config_free(cfg);
	return 0;
}

/* Reads stdin to EOF, at most max bytes; -1 when larger. */
static int
read_stdin(struct buf *b, size_t max)
{
	char	 chunk[65536];
	size_t	 n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		buf_append(b, chunk, n);
		if (b->len > max)
			return -1;
	}
	return ferror(stdin) ? -1 : 0;
}

/* Resolves the app: --app, else the event's link. */
static const struct app *
find_app(const struct config *cfg, const char *key, const struct event *ev)
{
	const struct app	*app;
	char			*k = NULL;

	if (key == NULL && ev->field[EV_LINK] != NULL)
		key = k = url_link_app(ev->field[EV_LINK]);
	if (key == NULL) {
		fprintf(stderr, "no app: give --app KEY\n");
		return NULL;
	}
	if ((app = config_app(cfg, key)) == NULL)
		fprintf(stderr, "%s: no such app in the config\n", key);
	free(k);
	return app;
}

/*
 * Prints a body with the value of its "sign" key masked (Feishu signs in
 * the body).  Event text cannot fake the key: in a JSON string every
 * quote is escaped.
 */
static void
print_body(const char *body, size_t len)
{
	const char	*k = strstr(body, "\"sign\":\""), *end;

	if (k == NULL) {
		fwrite(body, 1, len, stdout);
		return;
	}
	k += strlen("\"sign\":\"");
	end = k + strcspn(k, "\"");
	fwrite(body, 1, (size_t)(k - body), stdout);
	fputs("***", stdout);
	fputs(end, stdout);
}

/* Prints a header, its value masked when it is a signature. */
static void
print_header(const char *h)
{
	size_t	 n = strcspn(h, ":");

	if ((n == strlen("webhook-signature") &&
	    strncasecmp(h, "webhook-signature", n) == 0) ||
	    (n == strlen("authorization") &&
	    strncasecmp(h, "authorization", n) == 0))
		printf("%.*s: ***\n", (int)n, h);
	else
		printf("%s\n", h);
}

static void
print_request(const struct delivery *d)
{
	char	*masked;

	printf("# webhook \"%s\" (%s)\n", d->name,
	    robot_type_names[d->type]);
	if (d->req.url == NULL) {
		printf("# cannot build the request: %s\n\n", d->v.errmsg);
		return;
	}
	masked = url_mask(d->req.url);
	printf("POST %s\n", masked);
	free(masked);
	for (size_t i = 0; i < d->req.n_headers; i++)
		print_header(d->req.headers[i]);
	printf("\n");
	print_body(d->req.body, d->req.body_len);
	printf("\n%s\n", d->req.truncated ? "# (text cut to fit the "
	    "robot's limit)\n" : "");
}

/*
 * --version: the relay's, and those of the libraries it opens when it
 * sends (by soname: the dynamic linker cannot tell which are needed).
 * 1 when one cannot be used.
 */
static int
print_version(void)
{
	const char	*curl, *ssl;
	char		 err[256];
	int		 rc = 0;

	printf("pgyer-relay %s\n", PGYER_RELAY_VERSION);
	if ((curl = deliver_version(err, sizeof(err))) != NULL)
		printf("libcurl %s\n", curl);
	else {
		fprintf(stderr, "%s\n", err);
		rc = 1;
	}
	if ((ssl = crypto_version(err, sizeof(err))) != NULL)
		printf("%s\n", ssl);
	else {
		fprintf(stderr, "%s\n", err);
		rc = 1;
	}
	return rc;
}

/* --dry-run and --test: the event from stdin or the example. */
static int
cmd_relay(const struct opts *o, int send)
{
	struct config		*cfg;
	const struct app	*app;
	struct event		 ev;
	struct buf		 body = { 0 };
	struct delivery		 d[APP_WEBHOOKS_MAX];
	struct transport	*t;
	size_t			 n = 0;
	char			 err[256];
	int			 rc = 1;

	memset(&ev, 0, sizeof(ev));
	if ((cfg = load(o->config)) == NULL)
		return 1;
	if (send)
		buf_printf(&body, example_event, (long long)time(NULL));
	else if (read_stdin(&body, cfg->max_body_bytes) == -1) {
		fprintf(stderr, "stdin: over max_body_bytes (%zu) or "
		    "unreadable\n", cfg->max_body_bytes);
		goto out;
	}
	if (!utf8_valid(body.data != NULL ? body.data : "", body.len)) {
		fprintf(stderr, "invalid event: not valid UTF-8 text\n");
		goto out;
	}
	if (event_parse(&ev, body.data != NULL ? body.data : "", body.len,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "invalid event: %s\n", err);
		goto out;
	}
	if (ev.robot_typed && ev.field[EV_TYPE] == NULL) {
		fprintf(stderr, "invalid event: %s\n", hint_robot_typed);
		goto out;
	}
	if (ev.field[EV_TYPE] == NULL) {
		fprintf(stderr, "invalid event: no \"type\"\n");
		goto out;
	}
	if ((app = find_app(cfg, o->app, &ev)) == NULL)
		goto out;
	n = relay_prepare(cfg, app, &ev, body.data, body.len,
	    clock_wall_ms(), o->webhook, d);
	if (n == 0) {
		printf("no %swebhook of app %s is enabled and subscribed to "
		    "\"%s\"\n", o->webhook != NULL ? "such " : "", app->key,
		    ev.field[EV_TYPE]);
		rc = o->webhook != NULL;
		goto out;
	}
	if (!send) {
		for (size_t i = 0; i < n; i++)
			print_request(&d[i]);
		rc = 0;
		goto out;
	}
	if ((t = deliver_open(err, sizeof(err))) == NULL) {
		fprintf(stderr, "cannot deliver: %s\n", err);
		goto out;
	}
	deliver_all(t, d, n, cfg);
	deliver_close(t);
	/* A warning only: the relay works without Redis. */
	(void)check_shared(cfg);
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		const char *h;

		queue_judge(&d[i]);
		h = hint_for(&d[i]);

		printf("%-16s %-8s %s%s%s (%ld ms)\n", d[i].name,
		    robot_type_names[d[i].type],
		    d[i].ok ? "delivered" : "FAILED",
		    d[i].ok ? "" : ": ", d[i].ok ? "" : d[i].v.errmsg,
		    d[i].ms);
		if (h != NULL)
			printf("  -> %s\n", h);
		if (!d[i].ok)
			rc = 1;
	}
out:
	relay_free(d, n);
	event_free(&ev);
	buf_free(&body);
	config_free(cfg);
	return rc;
}

/*
 * --init: creates the directories the relay writes to, mode 0700, for
 * the user running it; refuses to run as root (the CGI runs as the web
 * server's user and would refuse root's directories).
 */
static int
cmd_init(const struct config *cfg, char *err, size_t errlen)
{
	struct journal	 j;
	int		 fd;

	if (geteuid() == 0) {
		snprintf(err, errlen, "run --init as the web server's user, "
		    "e.g. sudo -u www-data pgyer-relay.cgi --init");
		return -1;
	}
	if (*cfg->spool_dir == '\0' && *cfg->state_dir == '\0') {
		printf("neither spool_dir nor state_dir is set: nothing to "
		    "create\n");
		return 0;
	}
	if (*cfg->spool_dir != '\0') {
		if (journal_open(&j, cfg->spool_dir, 1, err, errlen) == -1)
			return -1;
		journal_close(&j);
		printf("spool_dir %s: ready\n", cfg->spool_dir);
	}
	if (*cfg->state_dir != '\0') {
		if ((fd = lock_opendir(AT_FDCWD, cfg->state_dir,
		    cfg->state_dir, 1, err, errlen)) == -1)
			return -1;
		close(fd);
		printf("state_dir %s: ready\n", cfg->state_dir);
	}
	return 0;
}

/* --drain, --spool-status, --requeue, --init. */
static int
cmd_spool(const struct opts *o)
{
	struct config		*cfg;
	struct drain_opts	 d;
	struct drain_counts	 n;
	char			 err[512];
	size_t			 moved;
	int			 rc;

	if ((cfg = load(o->config)) == NULL)
		return 1;
	if (strcmp(o->cmd, "--spool-status") == 0)
		rc = drain_status(cfg->spool_dir, (long long)time(NULL), stdout,
		    err, sizeof(err));
	else if (strcmp(o->cmd, "--requeue") == 0) {
		rc = drain_requeue(cfg->spool_dir, o->ids, o->n_ids,
		    (long long)time(NULL), stdout, &moved, err, sizeof(err));
		printf("%zu requeued\n", moved);
	} else if (strcmp(o->cmd, "--init") == 0)
		rc = cmd_init(cfg, err, sizeof(err));
	else {
		memset(&d, 0, sizeof(d));
		d.all = o->all;
		d.max_seconds = o->max_seconds;
		rc = drain_run(cfg, &d, clock_wall_ms(), stdout, &n, err,
		    sizeof(err));
		/* Quiet when there was nothing to do: cron mails output. */
		if (n.delivered + n.retry + n.deferred + n.dead + n.busy +
		    n.skipped + n.left + n.errors > 0)
			printf("%zu delivered, %zu to retry, %zu rate limited, "
			    "%zu dead, %zu busy, %zu not due, %zu errors, "
			    "%zu skipped (robot not answering), %zu left for "
			    "the next run\n", n.delivered, n.retry, n.deferred,
			    n.dead, n.busy, n.waiting, n.errors, n.skipped,
			    n.left);
		if (rc == 0 && n.errors > 0) {
			snprintf(err, sizeof(err), "some items could not be "
			    "handled");
			rc = -1;
		}
	}
	fflush(stdout);
	if (rc == -1)
		fprintf(stderr, "pgyer-relay.cgi: %s\n", err);
	config_free(cfg);
	return rc == -1;
}

int
cli_main(int argc, char *argv[])
{
	struct opts	 o;
	int		 i;

	/* Keep results and warnings in order when both go to one pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&o, 0, sizeof(o));
	o.config = config_path();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			fputs(help, stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			return print_version();
		} else if (strcmp(a, "--check") == 0 ||
		    strcmp(a, "--dry-run") == 0 || strcmp(a, "--test") == 0 ||
		    strcmp(a, "--drain") == 0 ||
		    strcmp(a, "--spool-status") == 0 ||
		    strcmp(a, "--requeue") == 0 ||
		    strcmp(a, "--init") == 0) {
			if (o.cmd != NULL)
				goto bad;
			o.cmd = a;
			if (strcmp(a, "--check") == 0 && i + 1 < argc &&
			    argv[i + 1][0] != '-')
				o.config = argv[++i];
			/* The ids that follow --requeue. */
			if (strcmp(a, "--requeue") == 0) {
				o.ids = &argv[i + 1];
				while (i + 1 < argc && argv[i + 1][0] != '-') {
					o.n_ids++;
					i++;
				}
			}
			continue;
		} else if (strcmp(a, "--all") == 0) {
			o.all = 1;
			continue;
		} else if (strcmp(a, "--max-seconds") == 0) {
			char	*end;

			if (i + 1 >= argc) {
				fprintf(stderr, "pgyer-relay.cgi: %s needs a "
				    "value\n", a);
				goto bad;
			}
			errno = 0;
			o.max_seconds = strtoll(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] ||
			    o.max_seconds < 1 || o.max_seconds > 86400) {
				fprintf(stderr, "pgyer-relay.cgi: "
				    "--max-seconds takes 1 to 86400\n");
				goto bad;
			}
			continue;
		} else if (strcmp(a, "--config") == 0)
			val = &o.config;
		else if (strcmp(a, "--app") == 0)
			val = &o.app;
		else if (strcmp(a, "--webhook") == 0)
			val = &o.webhook;
		else {
			fprintf(stderr, "pgyer-relay.cgi: unknown option %s\n",
			    a);
			goto bad;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "pgyer-relay.cgi: %s needs a value\n",
			    a);
			goto bad;
		}
		*val = argv[++i];
	}
	if (o.cmd == NULL)
		goto bad;
	if ((o.all || o.max_seconds > 0) && strcmp(o.cmd, "--drain") != 0) {
		fprintf(stderr, "pgyer-relay.cgi: --all and --max-seconds go "
		    "with --drain\n");
		goto bad;
	}
	if (strcmp(o.cmd, "--check") == 0)
		return cmd_check(o.config);
	if (strcmp(o.cmd, "--drain") == 0 ||
	    strcmp(o.cmd, "--spool-status") == 0 ||
	    strcmp(o.cmd, "--requeue") == 0 || strcmp(o.cmd, "--init") == 0)
		return cmd_spool(&o);
	if (strcmp(o.cmd, "--test") == 0 && o.app == NULL) {
		fprintf(stderr, "pgyer-relay.cgi: --test needs --app KEY\n");
		goto bad;
	}
	return cmd_relay(&o, strcmp(o.cmd, "--test") == 0);
bad:
	fputs(usage, stderr);
	return 2;
}
