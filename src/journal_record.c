/*
 * The journal's record files: the codec.  See journal.h for where they
 * live and how they are written.  The record is one JSON object:
 *
 *	{"v": 1, "app": "...", "webhook": "...", "received": N,
 *	 "attempts": N, "next_at": N, ["last_error": "...",]
 *	 ["event": "...",] "body": "..."}
 *
 * Written with jsongen (the body byte for byte); read back with yajl's
 * streaming parser, every value checked and bounded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "journal.h"
#include "journal_record.h"
#include "jsongen.h"
#include "utf8.h"
#include "xalloc.h"

#define RECORD_VERSION	1
/* 2^40 s is the year 36812: anything later is a corrupt file. */
#define TIME_MAX	(1LL << 40)

/* The keys of a record file. */
enum item_key {
	IK_V, IK_APP, IK_WEBHOOK, IK_RECEIVED, IK_ATTEMPTS, IK_NEXT_AT,
	IK_LAST_ERROR, IK_EVENT, IK_BODY, IK__MAX
};

static const char *const item_keys[IK__MAX] = {
	"v", "app", "webhook", "received", "attempts", "next_at",
	"last_error", "event", "body",
};

/* Keys that must be present. */
static const unsigned int item_required = 1u << IK_V | 1u << IK_APP |
    1u << IK_WEBHOOK | 1u << IK_RECEIVED | 1u << IK_ATTEMPTS |
    1u << IK_NEXT_AT | 1u << IK_BODY;

void
journal_record_free(struct journal_record *r)
{
	if (r == NULL)
		return;
	free(r->app);
	free(r->webhook);
	free(r->body);
	free(r->last_error);
	free(r->event);
	r->app = r->webhook = r->body = r->last_error = r->event = NULL;
	r->body_len = 0;
}

/*
 * The item as JSON.  Strings are not checked for UTF-8 on the way out
 * (the body is kept byte for byte, and yajl escapes control bytes and
 * NUL as \u00XX), nor on the way back in for the body.
 */
int
journal_record_encode(const struct journal_record *it, struct buf *out,
    char *err, size_t errlen)
{
	struct jgen	 j;
	char		 why[128];

	if (it->app == NULL || it->webhook == NULL ||
	    strlen(it->app) > JOURNAL_TEXT_MAX ||
	    strlen(it->webhook) > JOURNAL_TEXT_MAX) {
		snprintf(err, errlen, "journal: no app or webhook name, or "
		    "longer than %d bytes", JOURNAL_TEXT_MAX);
		return -1;
	}
	if (it->body_len > JOURNAL_BODY_MAX) {
		snprintf(err, errlen, "journal: the event is %zu bytes, more "
		    "than the journal keeps (%d)", it->body_len,
		    JOURNAL_BODY_MAX);
		return -1;
	}
	jgen_init_bytes(&j);
	jgen_map_open(&j);
	jgen_str(&j, item_keys[IK_V]);
	jgen_int(&j, RECORD_VERSION);
	jgen_kv(&j, item_keys[IK_APP], it->app);
	jgen_kv(&j, item_keys[IK_WEBHOOK], it->webhook);
	jgen_str(&j, item_keys[IK_RECEIVED]);
	jgen_int(&j, it->received);
	jgen_str(&j, item_keys[IK_ATTEMPTS]);
	jgen_int(&j, it->attempts);
	jgen_str(&j, item_keys[IK_NEXT_AT]);
	jgen_int(&j, it->next_at);
	if (it->last_error != NULL) {
		/* Cut long errors at a character boundary: the reader
		 * refuses texts over JOURNAL_TEXT_MAX. */
		jgen_str(&j, item_keys[IK_LAST_ERROR]);
		jgen_strn(&j, it->last_error, utf8_cut(it->last_error,
		    strlen(it->last_error), JOURNAL_TEXT_MAX));
	}
	if (it->event != NULL)
		jgen_kv(&j, item_keys[IK_EVENT], it->event);
	jgen_str(&j, item_keys[IK_BODY]);
	jgen_strn(&j, it->body != NULL ? it->body : "", it->body_len);
	jgen_map_close(&j);
	buf_reset(out);
	if (jgen_finish(&j, out, why, sizeof(why)) == -1 ||
	    buf_putc(out, '\n') == -1) {
		snprintf(err, errlen, "journal: cannot encode the record: %s",
		    buf_failed(out) ? "too large" : why);
		return -1;
	}
	return 0;
}

/*
 * Reading a record back.  The journal is ours, but a disk, an editor or an
 * older version may have left anything there: every value is checked,
 * every string bounded, anything nested or unexpected refused.
 */
struct item_parser {
	struct journal_record	*it;
	int			 depth;
	int			 key;		/* enum item_key, -1 unknown */
	unsigned int		 seen;
	const char		*why;
};

static int
ip_fail(struct item_parser *p, const char *why)
{
	p->why = why;
	return 0;
}

/* Scalars under unknown keys are skipped: a newer writer may add some. */
static int
ip_null(void *arg)
{
	struct item_parser	*p = arg;

	return p->key == -1 ? 1 : ip_fail(p, "unexpected null");
}

static int
ip_bool(void *arg, int v)
{
	struct item_parser	*p = arg;

	(void)v;
	return p->key == -1 ? 1 : ip_fail(p, "unexpected boolean");
}

static int
ip_double(void *arg, double v)
{
	struct item_parser	*p = arg;

	(void)v;
	return p->key == -1 ? 1 : ip_fail(p, "a number is not an integer");
}

static int
ip_integer(void *arg, long long v)
{
	struct item_parser	*p = arg;
	struct journal_record	*it = p->it;

	switch (p->key) {
	case -1:
		return 1;
	case IK_V:
		if (v != RECORD_VERSION)
			return ip_fail(p, "unknown format version");
		return 1;
	case IK_RECEIVED:
	case IK_NEXT_AT:
		if (v < 0 || v > TIME_MAX)
			return ip_fail(p, "time out of range");
		*(p->key == IK_RECEIVED ? &it->received : &it->next_at) = v;
		return 1;
	case IK_ATTEMPTS:
		if (v < 0 || v > JOURNAL_ATTEMPTS_MAX)
			return ip_fail(p, "attempts out of range");
		it->attempts = v;
		return 1;
	default:
		return ip_fail(p, "a number where a string belongs");
	}
}

static int
ip_string(void *arg, const unsigned char *s, size_t len)
{
	struct item_parser	*p = arg;
	struct journal_record	*it = p->it;
	char			**dst;

	switch (p->key) {
	case -1:
		return 1;
	case IK_BODY:
		if (len > JOURNAL_BODY_MAX)
			return ip_fail(p, "body too long");
		it->body = xmalloc(len + 1);
		memcpy(it->body, s, len);
		it->body[len] = '\0';
		it->body_len = len;
		return 1;
	case IK_APP:
		dst = &it->app;
		break;
	case IK_WEBHOOK:
		dst = &it->webhook;
		break;
	case IK_LAST_ERROR:
		dst = &it->last_error;
		break;
	case IK_EVENT:
		dst = &it->event;
		break;
	default:
		return ip_fail(p, "a string where a number belongs");
	}
	/* These become C strings, so no NUL (utf8_valid refuses it). */
	if (len > JOURNAL_TEXT_MAX || !utf8_valid((const char *)s, len))
		return ip_fail(p, "text too long or not UTF-8");
	*dst = xstrndup((const char *)s, len);
	return 1;
}

static int
ip_map_open(void *arg)
{
	struct item_parser	*p = arg;

	if (++p->depth > 1)
		return ip_fail(p, "unexpected object");
	return 1;
}

static int
ip_map_key(void *arg, const unsigned char *s, size_t len)
{
	struct item_parser	*p = arg;

	p->key = -1;
	for (int k = 0; k < IK__MAX; k++)
		if (strlen(item_keys[k]) == len &&
		    memcmp(item_keys[k], s, len) == 0) {
			if (p->seen & 1u << k)
				return ip_fail(p, "duplicate key");
			p->seen |= 1u << k;
			p->key = k;
		}
	return 1;
}

static int
ip_map_close(void *arg)
{
	struct item_parser	*p = arg;

	p->depth--;
	return 1;
}

static int
ip_array_open(void *arg)
{
	return ip_fail(arg, "unexpected array");
}

static const yajl_callbacks item_callbacks = {
	ip_null, ip_bool, ip_integer, ip_double, NULL, ip_string,
	ip_map_open, ip_map_key, ip_map_close, ip_array_open, NULL,
};

int
journal_record_decode(const char *text, size_t len, struct journal_record *it,
    char *err, size_t errlen)
{
	struct item_parser	 p;
	yajl_handle		 h;
	yajl_status		 st;
	char			 id[JOURNAL_ID_MAX];
	unsigned char		*msg;

	memcpy(id, it->id, sizeof(id));
	memset(it, 0, sizeof(*it));
	memcpy(it->id, id, sizeof(id));
	memset(&p, 0, sizeof(p));
	p.it = it;
	p.key = -1;
	if ((h = yajl_alloc(&item_callbacks, NULL, &p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The body is kept byte for byte; text fields are checked above. */
	yajl_config(h, yajl_dont_validate_strings, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (p.why != NULL)
			snprintf(err, errlen, "%s", p.why);
		else {
			/* Not verbose: the message names no part of text. */
			msg = yajl_get_error(h, 0, NULL, 0);
			snprintf(err, errlen, "%.*s", (int)strcspn(
			    (const char *)msg, "\n"), (const char *)msg);
			yajl_free_error(h, msg);
		}
		goto fail;
	}
	if ((p.seen & item_required) != item_required) {
		for (int k = 0; k < IK__MAX; k++)
			if ((item_required & 1u << k) && !(p.seen & 1u << k)) {
				snprintf(err, errlen, "no \"%s\"",
				    item_keys[k]);
				break;
			}
		goto fail;
	}
	if (it->app == NULL || it->webhook == NULL || it->body == NULL) {
		snprintf(err, errlen, "not an object");
		goto fail;
	}
	yajl_free(h);
	return 0;
fail:
	yajl_free(h);
	journal_record_free(it);
	return -1;
}
