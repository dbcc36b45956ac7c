/*
 * The configuration file: see config.h.  This file is the schema: each
 * key, its type, its range and its default, walked through jcheck.h
 * (which parses the text, keeps the place and collects every problem).
 * Values are never echoed where they may be secret (token, secret, url,
 * proxy): these lines end up in the web server's error log.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "jcheck.h"
#include "journal.h"
#include "log.h"
#include "state_url.h"
#include "template.h"
#include "url.h"
#include "xalloc.h"

#define ZONEINFO	"/usr/share/zoneinfo"
#define NAME_MAX_LEN	64
#define SECRET_MAX	256
#define KEYWORD_MAX	64
#define USER_ID_MAX	64
#define EVENT_MAX	64
/* spool_dir, state_dir: room left for the names of what goes in them. */
#define PATH_MAX_LEN		1024

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define STR_(x)		#x
#define STR(x)		STR_(x)

const char *const robot_type_names[ROBOT__MAX] = {
	"wecom", "dingtalk", "feishu", "json",
};

static const char *const lang_names[LANG__MAX] = { "zh", "en" };
static const char *const format_names[FORMAT__MAX] = {
	"markdown", "text", "card"
};

static const char *const proxy_schemes[] = {
	"http://", "https://", "socks4://", "socks4a://", "socks5://",
	"socks5h://",
};

static void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Fills l from an array of strings.  check() says what is wrong with one
 * element, or NULL; its message never quotes the element.
 */
static void
get_strlist(struct jcheck *w, yajl_val v, struct strlist *l,
    const char *(*check)(const char *))
{
	const char	*s, *why;
	size_t		 old, n;

	strlist_free(l);
	if (!YAJL_IS_ARRAY(v)) {
		jcheck_problem(w, "expected an array of strings");
		return;
	}
	n = v->u.array.len;
	l->v = xcalloc(n, sizeof(*l->v));
	for (size_t i = 0; i < n; i++) {
		old = jcheck_push_index(w, i);
		if ((s = jcheck_string(w, v->u.array.values[i])) != NULL) {
			if ((why = check(s)) != NULL)
				jcheck_problem(w, "%s", why);
			l->v[l->n++] = xstrdup(s);
		}
		jcheck_pop(w, old);
	}
}

static const char *
mobile_check(const char *s)
{
	size_t	 n = strlen(s), i = s[0] == '+';

	if (n < 5 || n > 20 || i == n)
		goto bad;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			goto bad;
	return NULL;
bad:
	return "must be a mobile number: digits with an optional leading +, "
	    "5 to 20 characters";
}

static const char *
user_id_check(const char *s)
{
	if (*s == '\0')
		return "must not be empty";
	if (strlen(s) > USER_ID_MAX)
		return "must be at most " STR(USER_ID_MAX) " bytes";
	return NULL;
}

static const char *
event_check(const char *s)
{
	if (*s == '\0')
		return "must not be empty (\"*\" subscribes to every event)";
	if (strlen(s) > EVENT_MAX)
		return "must be at most " STR(EVENT_MAX) " bytes";
	return NULL;
}

/* 1 when s holds a C0 or C1 control character (names go to logs). */
static int
has_control(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 1;
	return 0;
}

static void
webhook_free(struct webhook *wh)
{
	free(wh->name);
	free(wh->url);
	free(wh->secret);
	free(wh->keyword);
	strlist_free(&wh->at_mobiles);
	strlist_free(&wh->at_user_ids);
	strlist_free(&wh->events);
	free(wh->template);
	memset(wh, 0, sizeof(*wh));
}

enum {
	WH_NAME, WH_TYPE, WH_URL, WH_SECRET, WH_KEYWORD, WH_AT_MOBILES,
	WH_AT_USER_IDS, WH_AT_ALL, WH_EVENTS, WH_ENABLED, WH_TEMPLATE,
	WH_FORMAT, WH__MAX
};

static const char *const webhook_keys[WH__MAX] = {
	"name", "type", "url", "secret", "keyword", "at_mobiles",
	"at_user_ids", "at_all", "events", "enabled", "template", "format",
};

static const char webhook_required[WH__MAX] = {
	[WH_NAME] = 1, [WH_TYPE] = 1, [WH_URL] = 1, [WH_EVENTS] = 1,
};

/*
 * Fills wh from v.  Its name must differ from the names of the n_prev
 * webhooks before it in prev[].
 */
static void
parse_webhook(struct jcheck *w, yajl_val o, struct webhook *wh,
    const struct webhook *prev, size_t n_prev)
{
	yajl_val	 val;
	char		 seen[WH__MAX] = { 0 }, err[256];
	const char	*s;
	struct buf	 q = { 0 };
	size_t		 old;
	int		 k, e, typed = 0;

	wh->enabled = 1;
	wh->format = FORMAT_MARKDOWN;
	if (!YAJL_IS_OBJECT(o)) {
		jcheck_problem(w, "expected an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		k = jcheck_key_index(w, o, i, webhook_keys, WH__MAX, seen);
		if (k == -1)
			continue;
		val = o->u.object.values[i];
		old = jcheck_push_key(w, o->u.object.keys[i]);
		switch (k) {
		case WH_NAME:
			if ((s = jcheck_string_len(w, val, 1, NAME_MAX_LEN)) ==
			    NULL)
				break;
			wh->name = xstrdup(s);
			if (has_control(s)) {
				jcheck_problem(w, "must not contain control "
				    "characters");
				break;
			}
			for (size_t j = 0; j < n_prev; j++)
				if (prev[j].name != NULL &&
				    strcmp(prev[j].name, s) == 0) {
					buf_reset(&q);
					jcheck_quote(&q, s);
					jcheck_problem(w, "%s is used twice", q.data);
					break;
				}
			break;
		case WH_TYPE:
			if ((e = jcheck_enum(w, val, robot_type_names,
			    ROBOT__MAX)) != -1) {
				wh->type = (enum robot_type)e;
				typed = 1;
			}
			break;
		case WH_URL:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			wh->url = xstrdup(s);
			if (url_check(s, err, sizeof(err)) == -1)
				jcheck_problem(w, "%s", err);
			break;
		case WH_SECRET:
			if ((s = jcheck_string_len(w, val, 1, SECRET_MAX)) != NULL)
				wh->secret = xstrdup(s);
			break;
		case WH_KEYWORD:
			if ((s = jcheck_string_len(w, val, 1, KEYWORD_MAX)) !=
			    NULL)
				wh->keyword = xstrdup(s);
			break;
		case WH_AT_MOBILES:
			get_strlist(w, val, &wh->at_mobiles, mobile_check);
			break;
		case WH_AT_USER_IDS:
			get_strlist(w, val, &wh->at_user_ids, user_id_check);
			break;
		case WH_AT_ALL:
			(void)jcheck_bool(w, val, &wh->at_all);
			break;
		case WH_EVENTS:
			get_strlist(w, val, &wh->events, event_check);
			if (YAJL_IS_ARRAY(val) && val->u.array.len == 0)
				jcheck_problem(w, "must list at least one event "
				    "(\"*\" for every event)");
			break;
		case WH_ENABLED:
			(void)jcheck_bool(w, val, &wh->enabled);
			break;
		case WH_TEMPLATE:
			if ((s = jcheck_string_len(w, val, 1, SIZE_MAX)) == NULL)
				break;
			wh->template = xstrdup(s);
			if (template_check(s, err, sizeof(err)) == -1)
				jcheck_problem(w, "%s", err);
			break;
		case WH_FORMAT:
			if ((e = jcheck_enum(w, val, format_names,
			    FORMAT__MAX)) != -1)
				wh->format = (enum msg_format)e;
			break;
		}
		jcheck_pop(w, old);
	}
	jcheck_missing(w, webhook_keys, WH__MAX, webhook_required, seen);
	/* WeCom robots have no signing (its documentation,
	 * https://developer.work.weixin.qq.com/document/path/91770 , has none): a secret there is
	 * a misunderstanding, better said now than silently ignored. */
	if (typed && wh->type == ROBOT_WECOM && wh->secret != NULL)
		jcheck_problem_at(w, "secret", "wecom robots are not signed (the key "
		    "in the url is the credential): remove \"secret\"");
	buf_free(&q);
}

/* Fills a's webhooks from the array v. */
static void
parse_webhooks(struct jcheck *w, yajl_val v, struct app *a)
{
	struct webhook	 extra;
	size_t		 old;

	if (!YAJL_IS_ARRAY(v)) {
		jcheck_problem(w, "expected an array");
		return;
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		old = jcheck_push_index(w, i);
		if (i < APP_WEBHOOKS_MAX) {
			parse_webhook(w, v->u.array.values[i],
			    &a->webhooks[a->n_webhooks], a->webhooks,
			    a->n_webhooks);
			a->n_webhooks++;
		} else {
			/* Still checked, so that one run shows everything. */
			jcheck_problem(w, "an app has at most %d webhooks",
			    APP_WEBHOOKS_MAX);
			memset(&extra, 0, sizeof(extra));
			parse_webhook(w, v->u.array.values[i], &extra,
			    a->webhooks, a->n_webhooks);
			webhook_free(&extra);
		}
		jcheck_pop(w, old);
	}
}

enum { APP_TOKEN, APP_WEBHOOKS, APP__MAX };

static const char *const app_keys[APP__MAX] = { "token", "webhooks" };
static const char app_required[APP__MAX] = { [APP_WEBHOOKS] = 1 };

static void
parse_app(struct jcheck *w, yajl_val o, struct app *a)
{
	char		 seen[APP__MAX] = { 0 };
	const char	*s;
	size_t		 old;
	int		 k;

	if (!YAJL_IS_OBJECT(o)) {
		jcheck_problem(w, "expected an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		if ((k = jcheck_key_index(w, o, i, app_keys, APP__MAX, seen)) == -1)
			continue;
		old = jcheck_push_key(w, o->u.object.keys[i]);
		if (k == APP_TOKEN) {
			if ((s = jcheck_string_len(w, o->u.object.values[i], 1,
			    SIZE_MAX)) != NULL)
				a->token = xstrdup(s);
		} else
			parse_webhooks(w, o->u.object.values[i], a);
		jcheck_pop(w, old);
	}
	jcheck_missing(w, app_keys, APP__MAX, app_required, seen);
}

static void
parse_apps(struct jcheck *w, yajl_val o, struct config *c)
{
	const char	*key;
	char		*rep;
	struct app	*a;
	size_t		 old;

	if (!YAJL_IS_OBJECT(o)) {
		jcheck_problem(w, "expected an object");
		return;
	}
	rep = jcheck_repeated_keys(o);
	c->apps = xcalloc(o->u.object.len, sizeof(*c->apps));
	for (size_t i = 0; i < o->u.object.len; i++) {
		key = o->u.object.keys[i];
		old = jcheck_push_key(w, key);
		if (rep[i]) {
			jcheck_problem(w, "duplicate key");
			jcheck_pop(w, old);
			continue;
		}
		if (url_app_key_is_dots(key, strlen(key)))
			jcheck_problem(w, "an app key cannot be \".\" or \"..\" "
			    "(no link ends in one)");
		else if (!url_app_key_ok(key, strlen(key)))
			jcheck_problem(w, "an app key must be 1 to %d characters "
			    "from A-Z a-z 0-9 _ . -", URL_APP_KEY_MAX);
		a = &c->apps[c->n_apps++];
		a->key = xstrdup(key);
		parse_app(w, o->u.object.values[i], a);
		jcheck_pop(w, old);
	}
	free(rep);
}

/* 1 when path is a compiled zone: zone.tab and tzdata.zi live there too. */
static int
is_tzfile(const char *path)
{
	char	 magic[4];
	int	 fd, ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 0;
	/* tzfile(5): every zone file starts with "TZif". */
	ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0;
	close(fd);
	return ok;
}

/* 0 when tz names a zone this host knows, else -1 with why. */
static int
zone_check(const char *tz, struct buf *why)
{
	char		 path[512];

	if (*tz == '\0') {
		buf_puts(why, "must not be empty");
		return -1;
	}
	/* The name becomes a path under ZONEINFO, and TZ for the C library
	 * takes a leading '/' as an absolute path. */
	if (*tz == '/' || strstr(tz, "..") != NULL) {
		buf_puts(why, "must be a zone name such as \"Asia/Shanghai\", "
		    "not a path");
		return -1;
	}
	/* The C library knows UTC even without tzdata installed. */
	if (strcmp(tz, "UTC") == 0)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", ZONEINFO, tz) >=
	    sizeof(path) || !is_tzfile(path)) {
		jcheck_quote(why, tz);
		buf_puts(why, " is not a time zone of this host (no such file "
		    "under " ZONEINFO ")");
		return -1;
	}
	return 0;
}

/* NULL when p is a proxy URL curl takes, else why not.  p may hold a
 * password: messages never quote it. */
static const char *
proxy_check(const char *p)
{
	const char	*host = NULL;

	for (size_t k = 0; k < nitems(proxy_schemes); k++)
		if (strncasecmp(p, proxy_schemes[k],
		    strlen(proxy_schemes[k])) == 0)
			host = p + strlen(proxy_schemes[k]);
	if (host == NULL)
		return "must start with http://, https://, socks4://, "
		    "socks4a://, socks5:// or socks5h://";
	for (const char *s = p; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return "contains a space or control character";
	if (*host == '\0' || *host == '/')
		return "has no host";
	return NULL;
}

/*
 * A path in the config (spool_dir, state_dir, ca_file, ca_path: files
 * and directories alike): "" (none) or an absolute path, since a CGI's
 * working directory is whatever the server chose.  NULL when fine, else
 * why not.
 */
static const char *
abs_path_check(const char *s)
{
	if (*s == '\0')
		return NULL;
	if (*s != '/')
		return "must be an absolute path, or \"\" for none";
	if (has_control(s))
		return "must not contain control characters";
	if (strlen(s) > PATH_MAX_LEN)
		return "is too long";
	return NULL;
}

enum {
	TOP_TIMEOUT, TOP_MAX_BODY, TOP_TIMEZONE, TOP_LANGUAGE, TOP_PROXY,
	TOP_SPOOL_DIR, TOP_STATE_DIR, TOP_DEDUP, TOP_MAX_ATTEMPTS,
	TOP_MAX_AGE, TOP_SPOOL_MAX_MB, TOP_READ_TIMEOUT, TOP_CA_FILE,
	TOP_CA_PATH, TOP_LOG, TOP_STATE_URL, TOP_STATE_PASSWORD_FILE,
	TOP_STATE_PREFIX, TOP_APPS, TOP__MAX
};

static const char *const top_keys[TOP__MAX] = {
	"timeout_ms", "max_body_bytes", "timezone", "language", "proxy",
	"spool_dir", "state_dir", "dedup_seconds", "max_attempts", "max_age",
	"spool_max_mb", "read_timeout_ms", "ca_file", "ca_path", "log",
	"state_url", "state_password_file", "state_prefix", "apps",
};

static const char top_required[TOP__MAX] = { [TOP_APPS] = 1 };

static void
parse_top(struct jcheck *w, yajl_val o, struct config *c)
{
	char		 seen[TOP__MAX] = { 0 };
	struct state_url su;
	const char	*s, *why;
	char		**dir;
	struct buf	 q = { 0 };
	yajl_val	 val;
	long long	 n;
	size_t		 old;
	int		 k, e;

	if (!YAJL_IS_OBJECT(o)) {
		jcheck_problem(w, "the top level must be an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		if ((k = jcheck_key_index(w, o, i, top_keys, TOP__MAX, seen)) == -1)
			continue;
		val = o->u.object.values[i];
		old = jcheck_push_key(w, o->u.object.keys[i]);
		switch (k) {
		case TOP_TIMEOUT:
			if (jcheck_int(w, val, 100, 120000, &n) == 0)
				c->timeout_ms = (long)n;
			break;
		case TOP_MAX_BODY:
			if (jcheck_int(w, val, 1024, 16777216, &n) == 0)
				c->max_body_bytes = (size_t)n;
			break;
		case TOP_TIMEZONE:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			free(c->timezone);
			c->timezone = xstrdup(s);
			if (zone_check(s, &q) == -1)
				jcheck_problem(w, "%s", q.data);
			break;
		case TOP_LANGUAGE:
			if ((e = jcheck_enum(w, val, lang_names, LANG__MAX)) !=
			    -1)
				c->language = (enum lang)e;
			break;
		case TOP_PROXY:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			free(c->proxy);
			c->proxy = xstrdup(s);
			if (*s != '\0' && (why = proxy_check(s)) != NULL)
				jcheck_problem(w, "%s", why);
			break;
		case TOP_READ_TIMEOUT:
			/* A client that has not sent its body by then is
			 * stalling: 408 rather than tie up the server. */
			if (jcheck_int(w, val, 1000, 300000, &n) == 0)
				c->read_timeout_ms = (long)n;
			break;
		case TOP_STATE_URL:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			free(c->state_url);
			c->state_url = xstrdup(s);
			if (*s != '\0' && state_url_parse(s, &su, &why) == -1)
				jcheck_problem(w, "%s", why);
			break;
		case TOP_STATE_PREFIX:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			free(c->state_prefix);
			c->state_prefix = xstrdup(s);
			if (strlen(s) > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") !=
			    strlen(s))
				jcheck_problem(w, "at most 64 letters, digits "
				    "and _ . : -");
			break;
		case TOP_STATE_PASSWORD_FILE:
		case TOP_SPOOL_DIR:
		case TOP_STATE_DIR:
		case TOP_CA_FILE:
		case TOP_CA_PATH:
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			if ((why = abs_path_check(s)) != NULL) {
				jcheck_problem(w, "%s", why);
				break;
			}
			dir = k == TOP_SPOOL_DIR ? &c->spool_dir :
			    k == TOP_STATE_DIR ? &c->state_dir :
			    k == TOP_STATE_PASSWORD_FILE ?
			    &c->state_password_file :
			    k == TOP_CA_FILE ? &c->ca_file : &c->ca_path;
			free(*dir);
			*dir = xstrdup(s);
			break;
		case TOP_DEDUP:
			/* Up to a day: PGYER's retries come within minutes. */
			if (jcheck_int(w, val, 0, 86400, &n) == 0)
				c->dedup_seconds = n;
			break;
		case TOP_MAX_ATTEMPTS:
			if (jcheck_int(w, val, 1, 1000, &n) == 0)
				c->max_attempts = n;
			break;
		case TOP_MAX_AGE:
			/* Up to 30 days: after that nobody needs the news. */
			if (jcheck_int(w, val, 60, 30 * 86400, &n) == 0)
				c->max_age = n;
			break;
		case TOP_SPOOL_MAX_MB:
			/* Up to 1 TiB: past that it is not a queue any more. */
			if (jcheck_int(w, val, 1, 1048576, &n) == 0)
				c->spool_max_mb = n;
			break;
		case TOP_LOG:
			/* Where the relay's log lines go: log.h. */
			if ((s = jcheck_string(w, val)) == NULL)
				break;
			if (log_setting_check(s, &why) == -1)
				jcheck_problem(w, "%s", why);
			free(c->log);
			c->log = xstrdup(s);
			break;
		case TOP_APPS:
			parse_apps(w, val, c);
			break;
		}
		jcheck_pop(w, old);
	}
	jcheck_missing(w, top_keys, TOP__MAX, top_required, seen);
	if (*c->state_url != '\0' && *c->state_password_file != '\0' &&
	    state_url_parse(c->state_url, &su, &why) == 0 &&
	    su.password[0] != '\0')
		jcheck_report(w, "state_password_file", "the password is "
		    "already in state_url: keep one of them");
	if (*c->state_url == '\0' && *c->state_password_file != '\0')
		jcheck_report(w, "state_password_file", "needs state_url");
	/* An accepted body must fit the spool, or a failure would lose it. */
	if (*c->spool_dir != '\0' && c->max_body_bytes > JOURNAL_BODY_MAX) {
		buf_reset(&q);
		buf_printf(&q, "must be at most %d when spool_dir is set (the "
		    "largest body the spool keeps)", JOURNAL_BODY_MAX);
		jcheck_report(w, "max_body_bytes", q.data);
	}
	buf_free(&q);
}

struct config *
config_parse(const char *text, size_t len, struct buf *errors)
{
	struct jcheck	 w;
	struct config	*c;
	yajl_val	 root;

	jcheck_init(&w, errors, "config");
	if ((root = jcheck_parse(&w, text, len)) == NULL) {
		jcheck_finish(&w);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->timeout_ms = 5000;
	c->max_body_bytes = 65536;
	c->timezone = xstrdup("Asia/Shanghai");
	c->language = LANG_ZH;
	c->proxy = xstrdup("");
	c->spool_dir = xstrdup("");
	c->state_dir = xstrdup("");
	c->state_url = xstrdup("");
	c->state_password_file = xstrdup("");
	c->state_prefix = xstrdup("");
	c->ca_file = xstrdup("");
	c->ca_path = xstrdup("");
	c->log = xstrdup("stderr");
	c->read_timeout_ms = 30000;
	c->dedup_seconds = 600;
	c->max_attempts = 10;
	c->max_age = 86400;
	c->spool_max_mb = 64;
	parse_top(&w, root, c);
	yajl_tree_free(root);
	if (jcheck_finish(&w) > 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

const char *
config_path(void)
{
	const char	*p = getenv("PGYER_RELAY_CONFIG");

	return p != NULL && *p != '\0' ? p : DEFAULT_CONFIG;
}

int
config_read(const char *path, struct buf *text, struct buf *errors)
{
	char		 chunk[16384];
	ssize_t		 n;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(errors, "%s: cannot read: %s\n", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			buf_printf(errors, "%s: cannot read: %s\n", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		buf_append(text, chunk, (size_t)n);
		if (text->len > CONFIG_FILE_MAX) {
			buf_printf(errors, "%s: is larger than 1 MiB: not a "
			    "configuration file\n", path);
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

struct config *
config_load(const char *path, struct buf *errors)
{
	struct buf	 text = { 0 };
	struct config	*c = NULL;

	if (config_read(path, &text, errors) == 0)
		c = config_parse(text.data, text.len, errors);
	buf_free(&text);
	return c;
}

int
config_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

const struct app *
config_app(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->n_apps; i++)
		if (strcmp(c->apps[i].key, key) == 0)
			return &c->apps[i];
	return NULL;
}

const struct webhook *
config_webhook(const struct app *app, const char *name)
{
	for (size_t i = 0; i < app->n_webhooks; i++)
		if (strcmp(app->webhooks[i].name, name) == 0)
			return &app->webhooks[i];
	return NULL;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_apps; i++) {
		free(c->apps[i].key);
		free(c->apps[i].token);
		for (size_t k = 0; k < c->apps[i].n_webhooks; k++)
			webhook_free(&c->apps[i].webhooks[k]);
	}
	free(c->apps);
	free(c->timezone);
	free(c->proxy);
	free(c->spool_dir);
	free(c->state_dir);
	free(c->state_url);
	free(c->state_password_file);
	free(c->state_prefix);
	free(c->log);
	free(c->ca_file);
	free(c->ca_path);
	free(c);
}
