/*
 * The configuration file: see config.h.
 *
 * The text is checked first with a streaming yajl handle (syntax, nesting
 * depth, \u0000), then turned into a tree with yajl_tree_parse() and walked
 * key by key.  The walk never stops at the first problem: each one becomes
 * a line "place: what is wrong", the place written as a path such as
 * apps.demo.webhooks[1].events.  Values are never echoed where they may be
 * secret (token, secret, url, proxy): these lines end up in the web
 * server's error log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "journal.h"
#include "log.h"
#include "template.h"
#include "url.h"
#include "xalloc.h"

#define CONFIG_FILE_MAX	(1024 * 1024)
/* Our own shape is 6 levels deep; yajl_tree frees recursively. */
#define DEPTH_MAX	32
/* Enough to fix a file by; a broken generator could make thousands. */
#define ERRORS_MAX	100
#define ZONEINFO	"/usr/share/zoneinfo"
#define NAME_MAX_LEN	64
#define SECRET_MAX	256
#define KEYWORD_MAX	64
#define USER_ID_MAX	64
#define EVENT_MAX	64
/* Longest string quoted in an error line. */
#define QUOTE_MAX	64
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

/* Where the walk is in the document, and what went wrong so far. */
struct walk {
	struct buf	*errors;
	struct buf	 path;		/* "apps.demo.webhooks[1]"; "" at top */
	size_t		 n_errors;
};

static void	 problem(struct walk *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 problem_at(struct walk *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Appends s in double quotes, escaped by the one sanitiser (log.h:
 * quotes, backslashes, controls, invalid UTF-8, bidi overrides), cut at
 * the first character boundary after QUOTE_MAX bytes so that a log line
 * or terminal stays readable whatever the file holds.
 */
static void
quote(struct buf *b, const char *s)
{
	size_t	 len = strlen(s), cut = len;

	if (len > QUOTE_MAX)
		for (cut = QUOTE_MAX; cut < len &&
		    ((unsigned char)s[cut] & 0xc0) == 0x80; cut++)
			;
	buf_putc(b, '"');
	log_escape(b, s, cut, 0);
	if (cut < len)
		buf_puts(b, "...");
	buf_putc(b, '"');
}

/*
 * Adds key to the path: ".key" when it reads unambiguously, else
 * "[\"key\"]" (app keys may hold dots).  Returns the length to restore.
 */
static size_t
path_push_key(struct walk *w, const char *key)
{
	size_t	 old = w->path.len, i;

	for (i = 0; key[i] != '\0'; i++)
		if (!is_alnum((unsigned char)key[i]) && key[i] != '_' &&
		    key[i] != '-')
			break;
	if (i > 0 && i <= QUOTE_MAX && key[i] == '\0') {
		if (old > 0)
			buf_putc(&w->path, '.');
		buf_puts(&w->path, key);
	} else {
		buf_putc(&w->path, '[');
		quote(&w->path, key);
		buf_putc(&w->path, ']');
	}
	return old;
}

static size_t
path_push_index(struct walk *w, size_t i)
{
	size_t	 old = w->path.len;

	buf_printf(&w->path, "[%zu]", i);
	return old;
}

static void
path_pop(struct walk *w, size_t old)
{
	w->path.len = old;
	if (w->path.data != NULL)
		w->path.data[old] = '\0';
}

/* Appends one line "place: msg"; counts but drops lines past the cap. */
static void
report(struct walk *w, const char *place, const char *msg)
{
	if (++w->n_errors > ERRORS_MAX)
		return;
	buf_printf(w->errors, "%s: %s\n", place, msg);
}

static void
vproblem(struct walk *w, const char *fmt, va_list ap)
{
	char	 msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	report(w, w->path.len > 0 ? w->path.data : "config", msg);
}

/* Reports a problem at the current place. */
static void
problem(struct walk *w, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vproblem(w, fmt, ap);
	va_end(ap);
}

/* Reports a problem at key of the current object. */
static void
problem_at(struct walk *w, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 old;

	old = path_push_key(w, key);
	va_start(ap, fmt);
	vproblem(w, fmt, ap);
	va_end(ap);
	path_pop(w, old);
}

/*
 * Finds key i of object o in names[]: its index, or -1 after reporting it
 * unknown or repeated (yajl_tree keeps both copies of a repeated key).
 * seen[] has one flag per name.
 */
static int
key_index(struct walk *w, yajl_val o, size_t i,
    const char *const names[], size_t n, char *seen)
{
	const char	*key = o->u.object.keys[i];

	for (size_t k = 0; k < n; k++) {
		if (strcmp(key, names[k]) != 0)
			continue;
		if (seen[k]) {
			problem_at(w, key, "duplicate key");
			return -1;
		}
		seen[k] = 1;
		return (int)k;
	}
	problem_at(w, key, "unknown key");
	return -1;
}

/* Reports every name marked required[] but not seen[]. */
static void
check_missing(struct walk *w, const char *const names[], size_t n,
    const char *required, const char *seen)
{
	for (size_t k = 0; k < n; k++)
		if (required[k] && !seen[k])
			problem(w, "missing \"%s\"", names[k]);
}

struct key_at {
	const char	*key;
	size_t		 i;
};

static int
key_at_cmp(const void *a, const void *b)
{
	const struct key_at	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * For an object with free-form keys: a flag per key, set when the same key
 * came earlier.  Sorting keeps this fast for any number of keys.  The
 * caller frees the result.
 */
static char *
repeated_keys(yajl_val o)
{
	size_t		 n = o->u.object.len;
	struct key_at	*s;
	char		*rep;

	rep = xcalloc(n, 1);
	s = xcalloc(n, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s[i].key = o->u.object.keys[i];
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), key_at_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(s[i].key, s[i - 1].key) == 0)
			rep[s[i].i] = 1;
	free(s);
	return rep;
}

/* The string in v, or NULL after reporting a wrong type. */
static const char *
get_string(struct walk *w, yajl_val v)
{
	if (!YAJL_IS_STRING(v)) {
		problem(w, "expected a string");
		return NULL;
	}
	return v->u.string;
}

/* The string in v if it is min..max bytes long, else NULL (reported). */
static const char *
get_string_len(struct walk *w, yajl_val v, size_t min, size_t max)
{
	const char	*s;
	size_t		 n;

	if ((s = get_string(w, v)) == NULL)
		return NULL;
	n = strlen(s);
	if (n == 0 && min > 0) {
		problem(w, "must not be empty");
		return NULL;
	}
	if (n > max) {
		problem(w, "must be at most %zu bytes", max);
		return NULL;
	}
	return s;
}

/* 0 and *out from a JSON boolean, else -1 (reported). */
static int
get_bool(struct walk *w, yajl_val v, int *out)
{
	if (YAJL_IS_TRUE(v))
		*out = 1;
	else if (YAJL_IS_FALSE(v))
		*out = 0;
	else {
		problem(w, "expected true or false");
		return -1;
	}
	return 0;
}

/* 0 and *out from an integer in lo..hi, else -1 (reported). */
static int
get_int(struct walk *w, yajl_val v, long long lo, long long hi,
    long long *out)
{
	/* yajl_tree marks 5e3, 1.0 and out-of-range numbers as not int. */
	if (!YAJL_IS_INTEGER(v) || v->u.number.i < lo ||
	    v->u.number.i > hi) {
		problem(w, "must be an integer from %lld to %lld", lo, hi);
		return -1;
	}
	*out = v->u.number.i;
	return 0;
}

/* The index of v's string in names[], or -1 (reported). */
static int
get_enum(struct walk *w, yajl_val v, const char *const names[],
    size_t n)
{
	struct buf	 list = { 0 };
	const char	*s;

	if ((s = get_string(w, v)) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (strcmp(s, names[k]) == 0)
			return (int)k;
	for (size_t k = 0; k < n; k++)
		buf_printf(&list, "%s\"%s\"", k == 0 ? "" :
		    k + 1 == n ? " or " : ", ", names[k]);
	problem(w, "must be %s", list.data);
	buf_free(&list);
	return -1;
}

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
get_strlist(struct walk *w, yajl_val v, struct strlist *l,
    const char *(*check)(const char *))
{
	const char	*s, *why;
	size_t		 old, n;

	strlist_free(l);
	if (!YAJL_IS_ARRAY(v)) {
		problem(w, "expected an array of strings");
		return;
	}
	n = v->u.array.len;
	l->v = xcalloc(n, sizeof(*l->v));
	for (size_t i = 0; i < n; i++) {
		old = path_push_index(w, i);
		if ((s = get_string(w, v->u.array.values[i])) != NULL) {
			if ((why = check(s)) != NULL)
				problem(w, "%s", why);
			l->v[l->n++] = xstrdup(s);
		}
		path_pop(w, old);
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
parse_webhook(struct walk *w, yajl_val o, struct webhook *wh,
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
		problem(w, "expected an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		k = key_index(w, o, i, webhook_keys, WH__MAX, seen);
		if (k == -1)
			continue;
		val = o->u.object.values[i];
		old = path_push_key(w, o->u.object.keys[i]);
		switch (k) {
		case WH_NAME:
			if ((s = get_string_len(w, val, 1, NAME_MAX_LEN)) ==
			    NULL)
				break;
			wh->name = xstrdup(s);
			if (has_control(s)) {
				problem(w, "must not contain control "
				    "characters");
				break;
			}
			for (size_t j = 0; j < n_prev; j++)
				if (prev[j].name != NULL &&
				    strcmp(prev[j].name, s) == 0) {
					buf_reset(&q);
					quote(&q, s);
					problem(w, "%s is used twice", q.data);
					break;
				}
			break;
		case WH_TYPE:
			if ((e = get_enum(w, val, robot_type_names,
			    ROBOT__MAX)) != -1) {
				wh->type = (enum robot_type)e;
				typed = 1;
			}
			break;
		case WH_URL:
			if ((s = get_string(w, val)) == NULL)
				break;
			wh->url = xstrdup(s);
			if (url_check(s, err, sizeof(err)) == -1)
				problem(w, "%s", err);
			break;
		case WH_SECRET:
			if ((s = get_string_len(w, val, 1, SECRET_MAX)) != NULL)
				wh->secret = xstrdup(s);
			break;
		case WH_KEYWORD:
			if ((s = get_string_len(w, val, 1, KEYWORD_MAX)) !=
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
			(void)get_bool(w, val, &wh->at_all);
			break;
		case WH_EVENTS:
			get_strlist(w, val, &wh->events, event_check);
			if (YAJL_IS_ARRAY(val) && val->u.array.len == 0)
				problem(w, "must list at least one event "
				    "(\"*\" for every event)");
			break;
		case WH_ENABLED:
			(void)get_bool(w, val, &wh->enabled);
			break;
		case WH_TEMPLATE:
			if ((s = get_string_len(w, val, 1, SIZE_MAX)) == NULL)
				break;
			wh->template = xstrdup(s);
			if (template_check(s, err, sizeof(err)) == -1)
				problem(w, "%s", err);
			break;
		case WH_FORMAT:
			if ((e = get_enum(w, val, format_names,
			    FORMAT__MAX)) != -1)
				wh->format = (enum msg_format)e;
			break;
		}
		path_pop(w, old);
	}
	check_missing(w, webhook_keys, WH__MAX, webhook_required, seen);
	/* WeCom robots have no signing (its documentation,
	 * https://developer.work.weixin.qq.com/document/path/91770 , has none): a secret there is
	 * a misunderstanding, better said now than silently ignored. */
	if (typed && wh->type == ROBOT_WECOM && wh->secret != NULL)
		problem_at(w, "secret", "wecom robots are not signed (the key "
		    "in the url is the credential): remove \"secret\"");
	buf_free(&q);
}

/* Fills a's webhooks from the array v. */
static void
parse_webhooks(struct walk *w, yajl_val v, struct app *a)
{
	struct webhook	 extra;
	size_t		 old;

	if (!YAJL_IS_ARRAY(v)) {
		problem(w, "expected an array");
		return;
	}
	for (size_t i = 0; i < v->u.array.len; i++) {
		old = path_push_index(w, i);
		if (i < APP_WEBHOOKS_MAX) {
			parse_webhook(w, v->u.array.values[i],
			    &a->webhooks[a->n_webhooks], a->webhooks,
			    a->n_webhooks);
			a->n_webhooks++;
		} else {
			/* Still checked, so that one run shows everything. */
			problem(w, "an app has at most %d webhooks",
			    APP_WEBHOOKS_MAX);
			memset(&extra, 0, sizeof(extra));
			parse_webhook(w, v->u.array.values[i], &extra,
			    a->webhooks, a->n_webhooks);
			webhook_free(&extra);
		}
		path_pop(w, old);
	}
}

enum { APP_TOKEN, APP_WEBHOOKS, APP__MAX };

static const char *const app_keys[APP__MAX] = { "token", "webhooks" };
static const char app_required[APP__MAX] = { [APP_WEBHOOKS] = 1 };

static void
parse_app(struct walk *w, yajl_val o, struct app *a)
{
	char		 seen[APP__MAX] = { 0 };
	const char	*s;
	size_t		 old;
	int		 k;

	if (!YAJL_IS_OBJECT(o)) {
		problem(w, "expected an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		if ((k = key_index(w, o, i, app_keys, APP__MAX, seen)) == -1)
			continue;
		old = path_push_key(w, o->u.object.keys[i]);
		if (k == APP_TOKEN) {
			if ((s = get_string_len(w, o->u.object.values[i], 1,
			    SIZE_MAX)) != NULL)
				a->token = xstrdup(s);
		} else
			parse_webhooks(w, o->u.object.values[i], a);
		path_pop(w, old);
	}
	check_missing(w, app_keys, APP__MAX, app_required, seen);
}

static void
parse_apps(struct walk *w, yajl_val o, struct config *c)
{
	const char	*key;
	char		*rep;
	struct app	*a;
	size_t		 old;

	if (!YAJL_IS_OBJECT(o)) {
		problem(w, "expected an object");
		return;
	}
	rep = repeated_keys(o);
	c->apps = xcalloc(o->u.object.len, sizeof(*c->apps));
	for (size_t i = 0; i < o->u.object.len; i++) {
		key = o->u.object.keys[i];
		old = path_push_key(w, key);
		if (rep[i]) {
			problem(w, "duplicate key");
			path_pop(w, old);
			continue;
		}
		if (url_app_key_is_dots(key, strlen(key)))
			problem(w, "an app key cannot be \".\" or \"..\" "
			    "(no link ends in one)");
		else if (!url_app_key_ok(key, strlen(key)))
			problem(w, "an app key must be 1 to %d characters "
			    "from A-Z a-z 0-9 _ . -", URL_APP_KEY_MAX);
		a = &c->apps[c->n_apps++];
		a->key = xstrdup(key);
		parse_app(w, o->u.object.values[i], a);
		path_pop(w, old);
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
		quote(why, tz);
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
	TOP_CA_PATH, TOP_LOG, TOP_APPS, TOP__MAX
};

static const char *const top_keys[TOP__MAX] = {
	"timeout_ms", "max_body_bytes", "timezone", "language", "proxy",
	"spool_dir", "state_dir", "dedup_seconds", "max_attempts", "max_age",
	"spool_max_mb", "read_timeout_ms", "ca_file", "ca_path", "log", "apps",
};

static const char top_required[TOP__MAX] = { [TOP_APPS] = 1 };

static void
parse_top(struct walk *w, yajl_val o, struct config *c)
{
	char		 seen[TOP__MAX] = { 0 };
	const char	*s, *why;
	char		**dir;
	struct buf	 q = { 0 };
	yajl_val	 val;
	long long	 n;
	size_t		 old;
	int		 k, e;

	if (!YAJL_IS_OBJECT(o)) {
		problem(w, "the top level must be an object");
		return;
	}
	for (size_t i = 0; i < o->u.object.len; i++) {
		if ((k = key_index(w, o, i, top_keys, TOP__MAX, seen)) == -1)
			continue;
		val = o->u.object.values[i];
		old = path_push_key(w, o->u.object.keys[i]);
		switch (k) {
		case TOP_TIMEOUT:
			if (get_int(w, val, 100, 120000, &n) == 0)
				c->timeout_ms = (long)n;
			break;
		case TOP_MAX_BODY:
			if (get_int(w, val, 1024, 16777216, &n) == 0)
				c->max_body_bytes = (size_t)n;
			break;
		case TOP_TIMEZONE:
			if ((s = get_string(w, val)) == NULL)
				break;
			free(c->timezone);
			c->timezone = xstrdup(s);
			if (zone_check(s, &q) == -1)
				problem(w, "%s", q.data);
			break;
		case TOP_LANGUAGE:
			if ((e = get_enum(w, val, lang_names, LANG__MAX)) !=
			    -1)
				c->language = (enum lang)e;
			break;
		case TOP_PROXY:
			if ((s = get_string(w, val)) == NULL)
				break;
			free(c->proxy);
			c->proxy = xstrdup(s);
			if (*s != '\0' && (why = proxy_check(s)) != NULL)
				problem(w, "%s", why);
			break;
		case TOP_READ_TIMEOUT:
			/* A client that has not sent its body by then is
			 * stalling: 408 rather than tie up the server. */
			if (get_int(w, val, 1000, 300000, &n) == 0)
				c->read_timeout_ms = (long)n;
			break;
		case TOP_SPOOL_DIR:
		case TOP_STATE_DIR:
		case TOP_CA_FILE:
		case TOP_CA_PATH:
			if ((s = get_string(w, val)) == NULL)
				break;
			if ((why = abs_path_check(s)) != NULL) {
				problem(w, "%s", why);
				break;
			}
			dir = k == TOP_SPOOL_DIR ? &c->spool_dir :
			    k == TOP_STATE_DIR ? &c->state_dir :
			    k == TOP_CA_FILE ? &c->ca_file : &c->ca_path;
			free(*dir);
			*dir = xstrdup(s);
			break;
		case TOP_DEDUP:
			/* Up to a day: PGYER's retries come within minutes. */
			if (get_int(w, val, 0, 86400, &n) == 0)
				c->dedup_seconds = n;
			break;
		case TOP_MAX_ATTEMPTS:
			if (get_int(w, val, 1, 1000, &n) == 0)
				c->max_attempts = n;
			break;
		case TOP_MAX_AGE:
			/* Up to 30 days: after that nobody needs the news. */
			if (get_int(w, val, 60, 30 * 86400, &n) == 0)
				c->max_age = n;
			break;
		case TOP_SPOOL_MAX_MB:
			/* Up to 1 TiB: past that it is not a queue any more. */
			if (get_int(w, val, 1, 1048576, &n) == 0)
				c->spool_max_mb = n;
			break;
		case TOP_LOG:
			/* Where the relay's log lines go: log.h. */
			if ((s = get_string(w, val)) == NULL)
				break;
			if (log_setting_check(s, &why) == -1)
				problem(w, "%s", why);
			free(c->log);
			c->log = xstrdup(s);
			break;
		case TOP_APPS:
			parse_apps(w, val, c);
			break;
		}
		path_pop(w, old);
	}
	check_missing(w, top_keys, TOP__MAX, top_required, seen);
	/* An accepted body must fit the spool, or a failure would lose it. */
	if (*c->spool_dir != '\0' && c->max_body_bytes > JOURNAL_BODY_MAX) {
		buf_reset(&q);
		buf_printf(&q, "must be at most %d when spool_dir is set (the "
		    "largest body the spool keeps)", JOURNAL_BODY_MAX);
		report(w, "max_body_bytes", q.data);
	}
	buf_free(&q);
}

/* The streaming check's state. */
struct scan {
	unsigned int	 depth;
	const char	*why;		/* set when a callback cancels */
};

static int
scan_open(void *ctx)
{
	struct scan	*s = ctx;

	if (++s->depth > DEPTH_MAX) {
		s->why = "nested too deeply";
		return 0;
	}
	return 1;
}

static int
scan_close(void *ctx)
{
	((struct scan *)ctx)->depth--;
	return 1;
}

static int
scan_string(void *ctx, const unsigned char *p, size_t n)
{
	struct scan	*s = ctx;

	/* yajl_tree hands out C strings: "\u0000" would silently cut a
	 * token or secret short. */
	if (memchr(p, '\0', n) != NULL) {
		s->why = "\\u0000 is not allowed in a string";
		return 0;
	}
	return 1;
}

static const yajl_callbacks scan_callbacks = {
	NULL, NULL, NULL, NULL, NULL,
	scan_string, scan_open, scan_string, scan_close,
	scan_open, scan_close,
};

/* Reports msg at byte offset at of text as "line L, column C". */
static void
report_offset(struct walk *w, const char *text, size_t at, const char *msg)
{
	char	 place[64];
	size_t	 line = 1, col = 1;

	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;	/* columns count characters, not bytes */
	}
	snprintf(place, sizeof(place), "line %zu, column %zu", line, col);
	report(w, place, msg);
}

/*
 * Checks syntax, nesting and strings with a streaming handle before
 * yajl_tree_parse() sees the text: yajl_tree's error message quotes the
 * text around the error (this file holds secrets), and it has no depth
 * limit.  Returns 0, or -1 after one "line L, column C: why" line.
 */
static int
scan(struct walk *w, const char *text, size_t len)
{
	struct scan	 s = { 0, NULL };
	yajl_handle	 h;
	yajl_status	 st;
	unsigned char	*msg;
	const char	*nul;
	size_t		 at, n;

	/* A NUL in a comment passes yajl but would end yajl_tree's text. */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		report_offset(w, text, (size_t)(nul - text),
		    "contains a NUL byte");
		return -1;
	}
	if ((h = yajl_alloc(&scan_callbacks, NULL, &s)) == NULL) {
		report(w, "config", "out of memory");
		return -1;
	}
	yajl_config(h, yajl_allow_comments, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok) {
		/* What is missing is missing at the end. */
		st = yajl_complete_parse(h);
		at = len;
	} else {
		/* The byte that failed is the last one consumed, except where
		 * yajl gives the token back: then it may be the blank before
		 * the token. */
		at = yajl_get_bytes_consumed(h);
		at = at > 0 ? at - 1 : 0;
		while (at + 1 < len && (text[at] == ' ' || text[at] == '\t' ||
		    text[at] == '\r' || text[at] == '\n'))
			at++;
	}
	if (st == yajl_status_ok) {
		yajl_free(h);
		return 0;
	}
	if (s.why != NULL)
		report_offset(w, text, at, s.why);
	else {
		/* Not verbose: the verbose form quotes the text. */
		msg = yajl_get_error(h, 0, NULL, 0);
		if (msg != NULL) {
			n = strlen((char *)msg);
			while (n > 0 && (msg[n - 1] == '\n' ||
			    msg[n - 1] == ' '))
				msg[--n] = '\0';
		}
		report_offset(w, text, at, msg != NULL ? (char *)msg :
		    "invalid JSON");
		yajl_free_error(h, msg);
	}
	yajl_free(h);
	return -1;
}

struct config *
config_parse(const char *text, size_t len, struct buf *errors)
{
	struct walk	 w;
	struct config	*c;
	yajl_val	 root;
	char		*copy;

	memset(&w, 0, sizeof(w));
	w.errors = errors;
	if (text == NULL)
		text = "";
	if (scan(&w, text, len) == -1)
		return NULL;
	/* yajl_tree_parse() wants a C string; the scan ruled out NULs. */
	copy = xstrndup(text, len);
	root = yajl_tree_parse(copy, NULL, 0);
	free(copy);
	if (root == NULL) {
		report(&w, "config", "cannot be parsed (out of memory?)");
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
	buf_free(&w.path);

	if (w.n_errors > ERRORS_MAX)
		buf_printf(errors, "config: %zu more problems not shown\n",
		    w.n_errors - ERRORS_MAX);
	if (w.n_errors > 0) {
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

struct config *
config_load(const char *path, struct buf *errors)
{
	struct buf	 text = { 0 };
	struct config	*c = NULL;
	char		 chunk[16384];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		buf_printf(errors, "%s: cannot read: %s\n", path,
		    strerror(errno));
		return NULL;
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
		buf_append(&text, chunk, (size_t)n);
		if (text.len > CONFIG_FILE_MAX) {
			buf_printf(errors, "%s: is larger than 1 MiB: not a "
			    "configuration file\n", path);
			goto out;
		}
	}
	c = config_parse(text.data, text.len, errors);
out:
	close(fd);
	buf_free(&text);
	return c;
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
	free(c->log);
	free(c->ca_file);
	free(c->ca_path);
	free(c);
}
