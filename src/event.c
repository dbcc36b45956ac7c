/*
 * The PGYER event decoder: yajl's streaming parser with callbacks that
 * keep the depth-1 fields we know and drop everything else, so memory stays
 * bounded whatever the body.  See event.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "event.h"
#include "utf8.h"
#include "xalloc.h"

/* 9999-12-31 23:59:59 UTC, the last second with a four-digit year. */
#define UNIX_TIME_MAX	253402300799LL

/* One bit per field in struct event_parser's seen. */
_Static_assert(EV__MAX <= 32, "seen has too few bits");

const char *const event_field_names[EV__MAX] = {
	"action", "title", "link", "message", "type", "os_version",
	"build_version", "created", "updated", "timestamp", "appsize",
	"device_type", "notes", "appqrcodeurl",
};

enum pstate {
	PS_OPEN,		/* taking bytes */
	PS_DONE,		/* finished: the document was complete */
	PS_FAILED		/* an error, kept in msg and repeated */
};

struct event_parser {
	struct event	*ev;
	yajl_handle	 yh;
	enum pstate	 state;
	size_t		 fed;		/* bytes yajl has taken */
	int		 depth;		/* 1 inside the top-level object */
	int		 key;		/* field of the next value, or -1 */
	unsigned int	 seen;		/* known keys met, one bit per field */
	char		 reason[96];	/* why a callback cancelled the parse */
	char		 msg[160];	/* "at byte N: reason", once failed */
};

/* Records why a callback stops the parse; returns 0 for yajl to cancel. */
static int	 cancel(struct event_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
cancel(struct event_parser *p, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	return 0;
}

static int
not_object(struct event_parser *p)
{
	return cancel(p, "the body must be a JSON object");
}

/* The field named by key[0..len), ASCII case folded, or -1. */
static int
field_index(const unsigned char *key, size_t len)
{
	const char	*name;
	size_t		 i;
	int		 f;
	unsigned char	 c;

	for (f = 0; f < EV__MAX; f++) {
		name = event_field_names[f];
		if (strlen(name) != len)
			continue;
		for (i = 0; i < len; i++) {
			c = key[i];
			/* ASCII only: the locale must not change a key. */
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != (unsigned char)name[i])
				break;
		}
		if (i == len)
			return f;
	}
	return -1;
}

/*
 * Reads s[0..len) as a Unix time: digits (a JSON number or a string of
 * digits, blanks around it allowed), a fraction after "." dropped;
 * seconds, or milliseconds when the value is beyond UNIX_TIME_MAX
 * seconds.  Returns 0, or -1 for anything else, including "", "-1" and
 * "1e9".
 */
static int
unix_time(const char *s, size_t len, long long *out)
{
	long long	 t = 0;
	size_t		 i = 0, digits = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		t = t * 10 + (s[i] - '0');
		/* Checked at every digit, so t never overflows. */
		if (t > UNIX_TIME_MAX * 1000 + 999)
			return -1;
	}
	if (digits == 0)
		return -1;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			continue;
	if (i != len)
		return -1;
	*out = t > UNIX_TIME_MAX ? t / 1000 : t;
	return 0;
}

/*
 * Keeps the value of a known field: checks it, then copies at most
 * EVENT_FIELD_MAX bytes of it, cut on a character boundary (yajl's text is
 * not NUL-terminated and dies with the callback).  Returns 1, or 0 after
 * cancel().
 */
static int
keep(struct event_parser *p, int f, const char *s, size_t len)
{
	struct event	*ev = p->ev;
	const char	*name = event_field_names[f];

	/*
	 * Checked over the whole value, not just the part kept, so a value
	 * is refused or accepted whatever EVENT_FIELD_MAX is.  yajl turns
	 * "\u0000" into a NUL byte, and checks only the shape of raw UTF-8
	 * (it passes overlong forms and surrogates), and decodes a lone
	 * "\uDC00" into an encoded surrogate.
	 */
	if (memchr(s, '\0', len) != NULL)
		return cancel(p, "\"%s\" contains a NUL character", name);
	if (!utf8_valid(s, len))
		return cancel(p, "\"%s\" is not valid UTF-8", name);
	/* Only decoration: unreadable, it is not shown. */
	if (f == EV_TIMESTAMP && unix_time(s, len, &ev->timestamp) == 0)
		ev->has_timestamp = 1;
	/* Duplicate keys are refused, so the field is still NULL here. */
	ev->field[f] = xstrndup(s, utf8_cut(s, len, EVENT_FIELD_MAX));
	if (len > EVENT_FIELD_MAX)
		ev->cut |= 1u << f;
	return 1;
}

/* A string or a number: kept when it is the value of a known field. */
static int
on_text(struct event_parser *p, const char *s, size_t len)
{
	int	 f = p->key;

	if (p->depth == 0)
		return not_object(p);
	p->key = -1;
	if (p->depth != 1 || f == -1)
		return 1;
	return keep(p, f, s, len);
}

/* null, true, false: a known field with one of these is absent. */
static int
on_literal(struct event_parser *p)
{
	if (p->depth == 0)
		return not_object(p);
	p->key = -1;
	return 1;
}

/* An object or an array opens: the top level must be an object. */
static int
on_open(struct event_parser *p, int is_map)
{
	if (p->depth == 0 && !is_map)
		return not_object(p);
	if (p->depth >= EVENT_DEPTH_MAX)
		return cancel(p, "nesting deeper than %d levels",
		    EVENT_DEPTH_MAX);
	/* A nested value under a known key: skipped, the field absent. */
	p->key = -1;
	p->depth++;
	return 1;
}

static int
cb_null(void *ctx)
{
	return on_literal(ctx);
}

static int
cb_boolean(void *ctx, int v)
{
	(void)v;
	return on_literal(ctx);
}

/* The number's own text: no conversion, so "2" stays "2" and 1e999 is
 * not an error. */
static int
cb_number(void *ctx, const char *s, size_t len)
{
	return on_text(ctx, s, len);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return on_text(ctx, (const char *)s, len);
}

static int
cb_start_map(void *ctx)
{
	return on_open(ctx, 1);
}

static int
cb_start_array(void *ctx)
{
	return on_open(ctx, 0);
}

static int
cb_end(void *ctx)
{
	struct event_parser	*p = ctx;

	p->depth--;
	return 1;
}

/*
 * A key of the top-level object: remembers which field, if any, its value
 * fills.  A known key twice ("type" and "Type") is refused: which one a
 * sender meant is a guess, and ambiguous input must not be trusted.
 */
static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct event_parser	*p = ctx;
	int			 f;

	if (p->depth != 1)
		return 1;
	if ((len == 7 && memcmp(key, "msgtype", 7) == 0) ||
	    (len == 8 && memcmp(key, "msg_type", 8) == 0))
		p->ev->robot_typed = 1;
	if ((f = field_index(key, len)) != -1) {
		if (p->seen & (1u << f))
			return cancel(p, "duplicate key \"%s\"",
			    event_field_names[f]);
		p->seen |= 1u << f;
	}
	p->key = f;
	return 1;
}

/* Every callback is set: yajl skips a NULL one, and even a skipped value
 * must reset the pending key and count the depth. */
static const yajl_callbacks callbacks = {
	cb_null,
	cb_boolean,
	NULL,			/* integer: yajl_number takes every number */
	NULL,			/* double: likewise */
	cb_number,
	cb_string,
	cb_start_map,
	cb_map_key,
	cb_end,
	cb_start_array,
	cb_end,
};

/* yajl checks no allocation: ours end the process cleanly instead. */
static void *
ya_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return xmalloc(n);
}

static void *
ya_realloc(void *ctx, void *ptr, size_t n)
{
	(void)ctx;
	return xrealloc(ptr, n);
}

static void
ya_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

struct event_parser *
event_parser_new(struct event *ev)
{
	struct event_parser	*p;
	yajl_alloc_funcs	 af = { ya_malloc, ya_realloc, ya_free, NULL };

	p = xcalloc(1, sizeof(*p));
	p->ev = ev;
	p->key = -1;
	if ((p->yh = yajl_alloc(&callbacks, &af, p)) == NULL) {
		free(p);
		return NULL;
	}
	/* Strict RFC 8259: one value, complete, no comments, UTF-8. */
	yajl_config(p->yh, yajl_allow_comments, 0);
	yajl_config(p->yh, yajl_dont_validate_strings, 0);
	yajl_config(p->yh, yajl_allow_trailing_garbage, 0);
	yajl_config(p->yh, yajl_allow_multiple_values, 0);
	yajl_config(p->yh, yajl_allow_partial_values, 0);
	return p;
}

void
event_parser_free(struct event_parser *p)
{
	if (p == NULL)
		return;
	yajl_free(p->yh);
	free(p);
}

/*
 * Enters the failed state with msg "at byte N: reason", and empties the
 * event so a caller never sees half of one.
 */
static int	 fail(struct event_parser *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(struct event_parser *p, size_t at, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(p->msg, sizeof(p->msg), "at byte %zu: ", at);
	if (n < 0 || (size_t)n >= sizeof(p->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(p->msg + n, sizeof(p->msg) - n, fmt, ap);
	va_end(ap);
	p->state = PS_FAILED;
	event_free(p->ev);
	p->ev->timestamp = 0;
	p->ev->has_timestamp = 0;
	p->ev->cut = 0;
	p->ev->robot_typed = 0;
	return -1;
}

/*
 * Fails with the reason for status st at byte at: ours when a callback
 * cancelled, else yajl's, which with verbose 0 is fixed text that never
 * quotes the input ("parse error: premature EOF\n"), shorn of its prefix,
 * final full stop and newline.
 */
static int
fail_yajl(struct event_parser *p, yajl_status st, size_t at,
    const unsigned char *s, size_t len)
{
	unsigned char	*e;
	const char	*m;
	size_t		 n;
	int		 rc;

	if (st == yajl_status_client_canceled)
		return fail(p, at, "%s", p->reason);
	if ((e = yajl_get_error(p->yh, 0, s, len)) == NULL)
		return fail(p, at, "invalid JSON");
	m = (const char *)e;
	if (strncmp(m, "parse error: ", 13) == 0)
		m += 13;
	else if (strncmp(m, "lexical error: ", 15) == 0)
		m += 15;
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '.'))
		n--;
	rc = fail(p, at, "%.*s", (int)n, m);
	yajl_free_error(p->yh, e);
	return rc;
}

static int
report(const struct event_parser *p, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", p->msg);
	return -1;
}

/* Hands s[0..len) to yajl; the offset of an error counts from the start
 * of the body. */
static int
parse_bytes(struct event_parser *p, const unsigned char *s, size_t len)
{
	yajl_status	 st;

	if (len == 0)
		return 0;
	if ((st = yajl_parse(p->yh, s, len)) != yajl_status_ok)
		return fail_yajl(p, st,
		    p->fed + yajl_get_bytes_consumed(p->yh), s, len);
	p->fed += len;
	return 0;
}

/*
 * yajl's lexer skips form feed and vertical tab between tokens as
 * whitespace (JSONTestSuite n_structure_whitespace_formfeed.json, "[\f]",
 * passes), but RFC 8259 section 2 allows only space, tab, LF and CR, and
 * inside a string a control character must be escaped (section 7): either
 * byte is an error wherever it is.  The bytes before it still go to yajl
 * first, so an earlier error that yajl can see wins.
 *
 * Offsets of errors are exact when the body comes in one piece (as
 * event_parse() gives it); fed in pieces, yajl reports an error in a
 * token that began in an earlier piece at the start of the later one.
 */
int
event_parser_feed(struct event_parser *p, const void *data, size_t len,
    char *err, size_t errlen)
{
	const unsigned char	*s = data;
	size_t			 bad;

	if (p->state == PS_FAILED)
		return report(p, err, errlen);
	if (len == 0)
		return 0;
	if (p->state == PS_DONE) {
		fail(p, p->fed, "data after the end of the document");
		return report(p, err, errlen);
	}
	for (bad = 0; bad < len && s[bad] != '\f' && s[bad] != '\v'; bad++)
		continue;
	if (parse_bytes(p, s, bad) == -1)
		return report(p, err, errlen);
	if (bad < len) {
		/* Counted like yajl's offsets: bytes up to and including it. */
		fail(p, p->fed + 1, "invalid control character");
		return report(p, err, errlen);
	}
	return 0;
}

int
event_parser_finish(struct event_parser *p, char *err, size_t errlen)
{
	yajl_status	 st;

	if (p->state == PS_FAILED)
		return report(p, err, errlen);
	if (p->state == PS_DONE)
		return 0;
	/*
	 * yajl_complete_parse() feeds yajl a single space of its own, and
	 * yajl_get_bytes_consumed() then counts in that: an error found now
	 * is at the end of the body.
	 */
	if ((st = yajl_complete_parse(p->yh)) != yajl_status_ok) {
		fail_yajl(p, st, p->fed, NULL, 0);
		return report(p, err, errlen);
	}
	p->state = PS_DONE;
	return 0;
}

/* The body is in memory: one yajl_parse() over all of it. */
int
event_parse(struct event *ev, const void *data, size_t len, char *err,
    size_t errlen)
{
	struct event_parser	*p;
	int			 rc;

	if ((p = event_parser_new(ev)) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = event_parser_feed(p, data, len, err, errlen);
	if (rc == 0)
		rc = event_parser_finish(p, err, errlen);
	event_parser_free(p);
	return rc;
}

void
event_free(struct event *ev)
{
	if (ev == NULL)
		return;
	for (int i = 0; i < EV__MAX; i++) {
		free(ev->field[i]);
		ev->field[i] = NULL;
	}
}

/* Aliases, in normalised form. */
static const struct {
	const char	*alias;
	const char	*type;
} aliases[] = {
	{ "update", "updateversion" },
	{ "crash", "crashlog" },
};

void
event_type_normalise(const char *type, char *out, size_t outlen)
{
	size_t	 n = 0;

	if (outlen == 0)
		return;
	for (; *type != '\0' && n + 1 < outlen; type++) {
		if (*type == ' ' || *type == '_' || *type == '-')
			continue;
		/* ASCII only: the locale must not change a type. */
		out[n++] = *type >= 'A' && *type <= 'Z' ?
		    (char)(*type - 'A' + 'a') : *type;
	}
	out[n] = '\0';
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(out, aliases[i].alias) == 0) {
			strncpy(out, aliases[i].type, outlen - 1);
			out[outlen - 1] = '\0';
			break;
		}
}
