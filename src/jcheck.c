/*
 * Checking a JSON document against a schema: see jcheck.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "jcheck.h"
#include "log.h"
#include "xalloc.h"

void
jcheck_init(struct jcheck *w, struct buf *errors, const char *top)
{
	memset(w, 0, sizeof(*w));
	w->errors = errors;
	w->top = top;
}

size_t
jcheck_finish(struct jcheck *w)
{
	if (w->n_errors > JCHECK_ERRORS_MAX)
		buf_printf(w->errors, "%s: %zu more problems not shown\n",
		    w->top, w->n_errors - JCHECK_ERRORS_MAX);
	buf_free(&w->path);
	return w->n_errors;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * Escaped by the one sanitiser (log.h: quotes, backslashes, controls,
 * invalid UTF-8, bidi overrides), cut at the first character boundary
 * after JCHECK_QUOTE_MAX bytes, so that a log line or terminal stays
 * readable whatever the file holds.
 */
void
jcheck_quote(struct buf *b, const char *s)
{
	size_t	 len = strlen(s), cut = len;

	if (len > JCHECK_QUOTE_MAX)
		for (cut = JCHECK_QUOTE_MAX; cut < len &&
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
 * "[\"key\"]" (keys may hold dots).  Returns the length to restore.
 */
size_t
jcheck_push_key(struct jcheck *w, const char *key)
{
	size_t	 old = w->path.len, i;

	for (i = 0; key[i] != '\0'; i++)
		if (!is_alnum((unsigned char)key[i]) && key[i] != '_' &&
		    key[i] != '-')
			break;
	if (i > 0 && i <= JCHECK_QUOTE_MAX && key[i] == '\0') {
		if (old > 0)
			buf_putc(&w->path, '.');
		buf_puts(&w->path, key);
	} else {
		buf_putc(&w->path, '[');
		jcheck_quote(&w->path, key);
		buf_putc(&w->path, ']');
	}
	return old;
}

size_t
jcheck_push_index(struct jcheck *w, size_t i)
{
	size_t	 old = w->path.len;

	buf_printf(&w->path, "[%zu]", i);
	return old;
}

void
jcheck_pop(struct jcheck *w, size_t old)
{
	w->path.len = old;
	if (w->path.data != NULL)
		w->path.data[old] = '\0';
}

/* Appends one line "place: msg"; counts but drops lines past the cap. */
void
jcheck_report(struct jcheck *w, const char *place, const char *msg)
{
	if (++w->n_errors > JCHECK_ERRORS_MAX)
		return;
	buf_printf(w->errors, "%s: %s\n", place, msg);
}

static void
vproblem(struct jcheck *w, const char *fmt, va_list ap)
{
	char	 msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	jcheck_report(w, w->path.len > 0 ? w->path.data : w->top, msg);
}

/* Reports a problem at the current place. */
void
jcheck_problem(struct jcheck *w, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vproblem(w, fmt, ap);
	va_end(ap);
}

/* Reports a problem at key of the current object. */
void
jcheck_problem_at(struct jcheck *w, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 old;

	old = jcheck_push_key(w, key);
	va_start(ap, fmt);
	vproblem(w, fmt, ap);
	va_end(ap);
	jcheck_pop(w, old);
}

/*
 * Finds key i of object o in names[]: its index, or -1 after reporting it
 * unknown or repeated (yajl_tree keeps both copies of a repeated key).
 * seen[] has one flag per name.
 */
int
jcheck_key_index(struct jcheck *w, yajl_val o, size_t i,
    const char *const names[], size_t n, char *seen)
{
	const char	*key = o->u.object.keys[i];

	for (size_t k = 0; k < n; k++) {
		if (strcmp(key, names[k]) != 0)
			continue;
		if (seen[k]) {
			jcheck_problem_at(w, key, "duplicate key");
			return -1;
		}
		seen[k] = 1;
		return (int)k;
	}
	jcheck_problem_at(w, key, "unknown key");
	return -1;
}

/* Reports every name marked required[] but not seen[]. */
void
jcheck_missing(struct jcheck *w, const char *const names[], size_t n,
    const char *required, const char *seen)
{
	for (size_t k = 0; k < n; k++)
		if (required[k] && !seen[k])
			jcheck_problem(w, "missing \"%s\"", names[k]);
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
char *
jcheck_repeated_keys(yajl_val o)
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
const char *
jcheck_string(struct jcheck *w, yajl_val v)
{
	if (!YAJL_IS_STRING(v)) {
		jcheck_problem(w, "expected a string");
		return NULL;
	}
	return v->u.string;
}

/* The string in v if it is min..max bytes long, else NULL (reported). */
const char *
jcheck_string_len(struct jcheck *w, yajl_val v, size_t min, size_t max)
{
	const char	*s;
	size_t		 n;

	if ((s = jcheck_string(w, v)) == NULL)
		return NULL;
	n = strlen(s);
	if (n == 0 && min > 0) {
		jcheck_problem(w, "must not be empty");
		return NULL;
	}
	if (n > max) {
		jcheck_problem(w, "must be at most %zu bytes", max);
		return NULL;
	}
	return s;
}

/* 0 and *out from a JSON boolean, else -1 (reported). */
int
jcheck_bool(struct jcheck *w, yajl_val v, int *out)
{
	if (YAJL_IS_TRUE(v))
		*out = 1;
	else if (YAJL_IS_FALSE(v))
		*out = 0;
	else {
		jcheck_problem(w, "expected true or false");
		return -1;
	}
	return 0;
}

/* 0 and *out from an integer in lo..hi, else -1 (reported). */
int
jcheck_int(struct jcheck *w, yajl_val v, long long lo, long long hi,
    long long *out)
{
	/* yajl_tree marks 5e3, 1.0 and out-of-range numbers as not int. */
	if (!YAJL_IS_INTEGER(v) || v->u.number.i < lo ||
	    v->u.number.i > hi) {
		jcheck_problem(w, "must be an integer from %lld to %lld", lo, hi);
		return -1;
	}
	*out = v->u.number.i;
	return 0;
}

/* The index of v's string in names[], or -1 (reported). */
int
jcheck_enum(struct jcheck *w, yajl_val v, const char *const names[],
    size_t n)
{
	struct buf	 list = { 0 };
	const char	*s;

	if ((s = jcheck_string(w, v)) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (strcmp(s, names[k]) == 0)
			return (int)k;
	for (size_t k = 0; k < n; k++)
		buf_printf(&list, "%s\"%s\"", k == 0 ? "" :
		    k + 1 == n ? " or " : ", ", names[k]);
	jcheck_problem(w, "must be %s", list.data);
	buf_free(&list);
	return -1;
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

	if (++s->depth > JCHECK_DEPTH_MAX) {
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
report_offset(struct jcheck *w, const char *text, size_t at, const char *msg)
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
	jcheck_report(w, place, msg);
}

/*
 * Checks syntax, nesting and strings with a streaming handle before
 * yajl_tree_parse() sees the text: yajl_tree's error message quotes the
 * text around the error (this file holds secrets), and it has no depth
 * limit.  Returns 0, or -1 after one "line L, column C: why" line.
 */
static int
scan(struct jcheck *w, const char *text, size_t len)
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
		jcheck_report(w, w->top, "out of memory");
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

yajl_val
jcheck_parse(struct jcheck *w, const char *text, size_t len)
{
	yajl_val	 root;
	char		*copy;

	if (text == NULL)
		text = "";
	if (scan(w, text, len) == -1)
		return NULL;
	/* yajl_tree_parse() wants a C string; the scan ruled out NULs. */
	copy = xstrndup(text, len);
	root = yajl_tree_parse(copy, NULL, 0);
	free(copy);
	if (root == NULL)
		jcheck_report(w, w->top, "cannot be parsed (out of memory?)");
	return root;
}
