/* Unit tests: the PGYER event decoder (event.c). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "utf8.h"
#include "test.h"

#define ERRLEN	256


/* Feeds doc[0..len) in pieces of chunk bytes (0: event_parse at once). */
static int
parse_chunked(const void *doc, size_t len, size_t chunk, struct event *ev,
    char *err, size_t errlen)
{
	struct event_parser	*p;
	const char		*s = doc;
	size_t			 n;
	int			 rc = 0;

	memset(ev, 0, sizeof(*ev));
	err[0] = '\0';
	if (chunk == 0)
		return event_parse(ev, doc, len, err, errlen);
	p = event_parser_new(ev);
	while (rc == 0 && len > 0) {
		n = len < chunk ? len : chunk;
		rc = event_parser_feed(p, s, n, err, errlen);
		s += n;
		len -= n;
	}
	if (rc == 0)
		rc = event_parser_finish(p, err, errlen);
	event_parser_free(p);
	return rc;
}

static int
parse(const char *doc, struct event *ev, char *err)
{
	return parse_chunked(doc, strlen(doc), 0, ev, err, ERRLEN);
}

/* 1 when two decoded events hold the same fields and timestamp. */
static int
same_event(const struct event *a, const struct event *b)
{
	for (int i = 0; i < EV__MAX; i++) {
		if ((a->field[i] == NULL) != (b->field[i] == NULL))
			return 0;
		if (a->field[i] != NULL && strcmp(a->field[i], b->field[i]))
			return 0;
	}
	return a->has_timestamp == b->has_timestamp &&
	    a->timestamp == b->timestamp;
}

/*
 * Parses doc whole and in every chunk size 1..31 and 64 KiB; returns the
 * number of chunkings whose result or fields differ from the whole, or
 * whose error does when the document came in one piece (fed in pieces,
 * yajl dates an error in a token begun earlier from the later piece).
 */
static int
chunk_mismatches(const char *name, const void *doc, size_t len,
    size_t maxchunk)
{
	struct event	 whole, part;
	char		 ew[ERRLEN], ep[ERRLEN];
	int		 rw, rp, bad = 0;
	size_t		 c;

	rw = parse_chunked(doc, len, 0, &whole, ew, sizeof(ew));
	for (c = 1; c <= maxchunk + 1; c++) {
		/* The last round is one 64 KiB feed through the parser API. */
		size_t	 chunk = c <= maxchunk ? c : 64 * 1024;

		rp = parse_chunked(doc, len, chunk, &part, ep, sizeof(ep));
		if (rp != rw || (chunk >= len && strcmp(ep, ew) != 0) ||
		    !same_event(&whole, &part)) {
			if (bad == 0)
				fprintf(stderr, "%s: chunk %zu: %d \"%s\", "
				    "whole: %d \"%s\"\n", name, chunk, rp, ep,
				    rw, ew);
			bad++;
		}
		event_free(&part);
	}
	event_free(&whole);
	return bad;
}

/* Reads a whole file into b; -1 when it cannot. */
static int
read_file(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 rc;

	buf_reset(b);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	if (b->data == NULL)
		buf_append(b, "", 0);
	return rc;
}

/* 1 when the first byte after JSON whitespace opens an object. */
static int
is_object(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			break;
	return i < len && s[i] == '{';
}

/* A real capture of PGYER's update event (fields as in
 * https://www.pgyer.com/doc/view/webhook ). */
static const char capture[] =
    "{\"action\":\"应用更新\",\"title\":\"QQ\","
    "\"link\":\"https://www.pgyer.com/xxxx\","
    "\"message\":\"您的应用QQ有了新的版本(0.4.0)更新。\","
    "\"type\":\"updateVersion\",\"os_version\":\"0.4.0\","
    "\"build_version\":\"2\",\"created\":\"2020-07-15 10:50:54\","
    "\"updated\":\"2020-07-15 10:50:54\",\"timestamp\":1594781454,"
    "\"appsize\":\"26662364\",\"device_type\":\"iOS\",\"notes\":\"\"}";

static void
test_capture(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	CHECK_INT(parse(capture, &ev, err), 0);
	CHECK_STR(err, "");
	CHECK_STR(ev.field[EV_ACTION], "应用更新");
	CHECK_STR(ev.field[EV_TITLE], "QQ");
	CHECK_STR(ev.field[EV_LINK], "https://www.pgyer.com/xxxx");
	CHECK_STR(ev.field[EV_MESSAGE],
	    "您的应用QQ有了新的版本(0.4.0)更新。");
	CHECK_STR(ev.field[EV_TYPE], "updateVersion");
	CHECK_STR(ev.field[EV_OS_VERSION], "0.4.0");
	CHECK_STR(ev.field[EV_BUILD_VERSION], "2");
	CHECK_STR(ev.field[EV_CREATED], "2020-07-15 10:50:54");
	CHECK_STR(ev.field[EV_UPDATED], "2020-07-15 10:50:54");
	CHECK_STR(ev.field[EV_TIMESTAMP], "1594781454");
	CHECK_STR(ev.field[EV_APPSIZE], "26662364");
	CHECK_STR(ev.field[EV_DEVICE_TYPE], "iOS");
	CHECK_STR(ev.field[EV_NOTES], "");
	CHECK_INT(ev.has_timestamp, 1);
	CHECK_INT(ev.timestamp, 1594781454);
	event_free(&ev);
	/* NULL-safe, and safe twice. */
	event_free(&ev);
	event_free(NULL);
}

static void
test_field_names(void)
{
	CHECK_STR(event_field_names[EV_ACTION], "action");
	CHECK_STR(event_field_names[EV_OS_VERSION], "os_version");
	CHECK_STR(event_field_names[EV_TIMESTAMP], "timestamp");
	CHECK_STR(event_field_names[EV_NOTES], "notes");
	for (int i = 0; i < EV__MAX; i++)
		CHECK(event_field_names[i] != NULL);
}

static void
test_keys_and_values(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	/* The English docs capitalise keys; numbers stand for strings. */
	CHECK_INT(parse("{\"Type\":\"updateVersion\",\"Os_version\":\"1.0\","
	    "\"BUILD_VERSION\":2,\"appsize\":-1.5e3,\"\\u0074itle\":\"t\"}",
	    &ev, err), 0);
	CHECK_STR(ev.field[EV_TYPE], "updateVersion");
	CHECK_STR(ev.field[EV_OS_VERSION], "1.0");
	CHECK_STR(ev.field[EV_BUILD_VERSION], "2");
	CHECK_STR(ev.field[EV_APPSIZE], "-1.5e3");
	CHECK_STR(ev.field[EV_TITLE], "t");
	CHECK(ev.field[EV_LINK] == NULL);
	CHECK_INT(ev.has_timestamp, 0);
	event_free(&ev);

	/* Nested values and unknown keys skipped; null and bools absent. */
	CHECK_INT(parse("{\"unknown\":{\"type\":\"nested\",\"title\":\"x\"},"
	    "\"title\":{\"a\":1},\"link\":[\"https://x/y\"],\"notes\":null,"
	    "\"message\":true,\"device_type\":false,"
	    "\"deep\":[{\"type\":1},[\"action\"]],\"type\":\"feedback\","
	    "\"typex\":\"no\",\"typ\":\"no\",\"action\":\"a\\\"b\\n\"}",
	    &ev, err), 0);
	CHECK_STR(err, "");
	CHECK_STR(ev.field[EV_TYPE], "feedback");
	CHECK_STR(ev.field[EV_ACTION], "a\"b\n");
	CHECK(ev.field[EV_TITLE] == NULL);
	CHECK(ev.field[EV_LINK] == NULL);
	CHECK(ev.field[EV_NOTES] == NULL);
	CHECK(ev.field[EV_MESSAGE] == NULL);
	CHECK(ev.field[EV_DEVICE_TYPE] == NULL);
	event_free(&ev);

	/* A key with a NUL matches nothing; a NUL in a skipped value is
	 * fine (JSONTestSuite y_object_escaped_null_in_key.json). */
	CHECK_INT(parse("{\"type\\u0000\":\"x\",\"a\":\"\\u0000\","
	    "\"type\":\"t\"}", &ev, err), 0);
	CHECK_STR(ev.field[EV_TYPE], "t");
	event_free(&ev);

	/* Keys fold ASCII only: a Turkish dotless i is not an "i". */
	CHECK_INT(parse("{\"t\xc4\xb1tle\":\"x\"}", &ev, err), 0);
	CHECK(ev.field[EV_TITLE] == NULL);
	event_free(&ev);

	/* An empty object decodes to an empty event. */
	CHECK_INT(parse(" {\r\n\t} \n", &ev, err), 0);
	for (int i = 0; i < EV__MAX; i++)
		CHECK(ev.field[i] == NULL);
	event_free(&ev);

	/* Escapes decode; a surrogate pair makes one 4-byte character. */
	CHECK_INT(parse("{\"title\":\"\\u5e94\\u7528 \\ud83d\\ude00 \\/\"}",
	    &ev, err), 0);
	CHECK_STR(ev.field[EV_TITLE], "应用 \xf0\x9f\x98\x80 /");
	event_free(&ev);
}

static void
test_top_level(void)
{
	static const char *const bad[] = {
		"[]", "[{\"type\":\"x\"}]", "\"type\"", "1", "-0.5", "null",
		"true", "false", " [ ", "12345678901234567890",
	};
	struct event	 ev;
	char		 err[ERRLEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(parse(bad[i], &ev, err), -1);
		CHECK(strstr(err, "the body must be a JSON object") != NULL);
		CHECK(ev.field[EV_TYPE] == NULL);
	}
	CHECK_INT(parse("[]", &ev, err), -1);
	CHECK_STR(err, "at byte 1: the body must be a JSON object");
	/* A top-level number ends only at the end of the body. */
	CHECK_INT(parse("12", &ev, err), -1);
	CHECK_STR(err, "at byte 2: the body must be a JSON object");
	CHECK_INT(parse("", &ev, err), -1);
	CHECK_STR(err, "at byte 0: premature EOF");
	CHECK_INT(parse("  \n", &ev, err), -1);
	CHECK_STR(err, "at byte 3: premature EOF");
}

/* yajl's messages, shorn of their prefix, with our byte offsets. */
static void
test_error_messages(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	CHECK_INT(parse("{\"type\":\"x\", 17:\"y\"}", &ev, err), -1);
	CHECK_STR(err, "at byte 15: invalid object key (must be a string)");
	CHECK_INT(parse("{\"a\":\x01}", &ev, err), -1);
	CHECK_STR(err, "at byte 6: invalid char in json text");
	CHECK_INT(parse("{\"a\":1}x", &ev, err), -1);
	CHECK_STR(err, "at byte 8: trailing garbage");
	CHECK_INT(parse("{\"a\":1} {}", &ev, err), -1);
	CHECK_STR(err, "at byte 9: trailing garbage");
	CHECK_INT(parse("{\"a\":", &ev, err), -1);
	CHECK_STR(err, "at byte 5: premature EOF");
	CHECK_INT(parse("{\"a\":-}", &ev, err), -1);
	CHECK_STR(err, "at byte 6: malformed number, a digit is required "
	    "after the minus sign");
	CHECK_INT(parse("{/* c */}", &ev, err), -1);
	CHECK(strstr(err, "comments are not enabled") != NULL);
	CHECK_INT(parse("{\"a\":\"\xff\"}", &ev, err), -1);
	CHECK_STR(err, "at byte 7: invalid bytes in UTF8 string");
	/* Form feed and vertical tab are not JSON whitespace (RFC 8259 2). */
	CHECK_INT(parse("{\f}", &ev, err), -1);
	CHECK_STR(err, "at byte 2: invalid control character");
	CHECK_INT(parse("{\"type\":\"x\"}\v", &ev, err), -1);
	CHECK_STR(err, "at byte 13: invalid control character");
	CHECK(ev.field[EV_TYPE] == NULL);
	CHECK_INT(parse("{\"a\":\"\f\"}", &ev, err), -1);
	CHECK_STR(err, "at byte 7: invalid control character");
	/* An earlier error wins over a later control character ... */
	CHECK_INT(parse("{[\f}", &ev, err), -1);
	CHECK_STR(err, "at byte 2: invalid object key (must be a string)");
	/* ... once yajl can see it: a number ends only at the next byte. */
	CHECK_INT(parse("{1\f}", &ev, err), -1);
	CHECK_STR(err, "at byte 3: invalid control character");
	/* A too small buffer still gets a terminated prefix. */
	{
		char	 small[8];

		memset(&ev, 0, sizeof(ev));
		CHECK_INT(event_parse(&ev, "[]", 2, small, sizeof(small)), -1);
		CHECK_STR(small, "at byte");
		CHECK_INT(event_parse(&ev, "[]", 2, NULL, 0), -1);
	}
}

static void
test_no_echo(void)
{
	static const char *const bad[] = {
		"{SeCrEtMaRkEr:1}",
		"{\"a\":SeCrEtMaRkEr}",
		"{\"a\":\"x\" SeCrEtMaRkEr}",
		"[\"SeCrEtMaRkEr\"]",
		"\"SeCrEtMaRkEr\"",
		"{\"title\":\"SeCrEtMaRkEr\\u0000\"}",
		"{\"title\":\"SeCrEtMaRkEr\xc0\xaf\"}",
		"{\"type\":\"SeCrEtMaRkEr\",\"TYPE\":\"SeCrEtMaRkEr\"}",
		"{\"SeCrEtMaRkEr\":\"SeCrEtMaRkEr",
		"{\"a\":\"SeCrEtMaRkEr\"}SeCrEtMaRkEr",
		"{\"a\":\"SeCrEtMaRkEr\"\f}",
		"{\"a\":\"SeCrEtMaRkEr\x01\"}",
		"{\"a\":\"SeCrEtMaRkEr\\q\"}",
		"{\"a\":\"SeCrEtMaRkEr\\u12G4\"}",
		"{\"a\":tSeCrEtMaRkEr}",
		"{\"a\":1SeCrEtMaRkEr}",
		"{\"SeCrEtMaRkEr\"}",
		"{\"a\":[SeCrEtMaRkEr]}",
	};
	struct event	 ev;
	char		 err[ERRLEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(parse(bad[i], &ev, err), -1);
		CHECK(strncmp(err, "at byte ", 8) == 0);
		CHECK(strstr(err, "SeCrEt") == NULL);
		CHECK(strstr(err, "MaRkEr") == NULL);
		if (strstr(err, "SeCrEt") != NULL)
			fprintf(stderr, "  body %zu echoed: %s\n", i, err);
	}
}

/* Valid and invalid documents that stress token boundaries. */
static const char *const chunk_docs[] = {
	capture,
	"{\"Type\":\"x\",\"Os_version\":\"1.0\",\"build_version\":2}",
	"{\"title\":\"\\u5e94\\u7528\\ud83d\\ude00\\\"\\\\\",\"a\":[1,{}]}",
	"{\"timestamp\":\"1594781454\",\"appsize\":123456789012345,"
	    "\"notes\":-0.25e-10,\"x\":[true,false,null]}",
	"  {  \"type\"  :  \"a\"  ,  \"link\" : null }  ",
	"{\"title\":\"中文标题\",\"message\":\"😀😀\","
	    "\"x\":\"\\u0000\"}",
	"{\"type\":\"a\",\"TYPE\":\"b\"}",
	"{\"title\":\"a\\u0000b\"}",
	"{\"title\":\"\\udc00\"}",
	"{\"timestamp\":253402300800}",
	"{\"timestamp\":\"12x\"}",
	"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	"[1,2,3]",
	"123",
	"{\"a\":1}x",
	"{\"a\":1}  \n\f",
	"{\"a\":\"b\f\"}",
	"{\"a\":12",
	"{\"a\":-",
	"{\"a\":tru",
	"{\"a\":\"\xff\"}",
	"{\"a\":\"\\x\"}",
	"{\"a\":\"\\u12\"}",
	"{\"a\" 1}",
	"{1:2}",
	"{\"a\":1,}",
	"{\"a\":01}",
	"{\"a\":1.}",
	"{\"a\":1e}",
	"",
	"   ",
	"{\"type\":\"x\"}{}",
	"{\"a\":[1,2,]}",
	"{\"a\":\"\t\"}",
	"{\"a\"://c\n1}",
};

static void
test_chunking(void)
{
	for (size_t i = 0; i < sizeof(chunk_docs) / sizeof(chunk_docs[0]); i++)
		CHECK_INT(chunk_mismatches("chunk_docs", chunk_docs[i],
		    strlen(chunk_docs[i]), 31), 0);
}

static void
test_depth(void)
{
	struct buf	 b = { 0 };
	struct event	 ev;
	char		 err[ERRLEN];
	int		 i;

	/* The top-level object is level 1: 31 arrays inside it make 32. */
	buf_puts(&b, "{\"a\":");
	for (i = 0; i < EVENT_DEPTH_MAX - 1; i++)
		buf_putc(&b, '[');
	for (i = 0; i < EVENT_DEPTH_MAX - 1; i++)
		buf_putc(&b, ']');
	buf_puts(&b, ",\"type\":\"ok\"}");
	CHECK_INT(parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err)), 0);
	CHECK_STR(ev.field[EV_TYPE], "ok");
	event_free(&ev);

	/* Objects count too: 32 levels of {"a": ... }. */
	buf_reset(&b);
	for (i = 0; i < EVENT_DEPTH_MAX; i++)
		buf_puts(&b, "{\"a\":");
	buf_puts(&b, "1");
	for (i = 0; i < EVENT_DEPTH_MAX; i++)
		buf_putc(&b, '}');
	CHECK_INT(parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err)), 0);
	event_free(&ev);

	/* 33 levels are refused at the 33rd opening bracket. */
	buf_reset(&b);
	buf_puts(&b, "{\"a\":");
	for (i = 0; i < EVENT_DEPTH_MAX; i++)
		buf_putc(&b, '[');
	for (i = 0; i < EVENT_DEPTH_MAX; i++)
		buf_putc(&b, ']');
	buf_putc(&b, '}');
	CHECK_INT(parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 37: nesting deeper than 32 levels");
	CHECK_INT(chunk_mismatches("depth 33", b.data, b.len, 31), 0);

	/* A body of a million opening brackets costs nothing. */
	buf_reset(&b);
	buf_putc(&b, '{');
	buf_puts(&b, "\"a\":");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, '[');
	CHECK_INT(parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 37: nesting deeper than 32 levels");
	buf_free(&b);
}

static void
test_long_strings(void)
{
	struct buf	 b = { 0 };
	struct event	 ev;
	char		 err[ERRLEN];
	size_t		 n, i;

	/* 1 MB of "中" (3 bytes each): 20480 is not a multiple of 3, so the
	 * cut lands inside a character and must step back to 20478. */
	buf_puts(&b, "{\"title\":\"");
	for (i = 0; i < 1000000 / 3; i++)
		buf_puts(&b, "中");
	buf_puts(&b, "\",\"type\":\"t\",\"message\":\"");
	for (i = 0; i < EVENT_FIELD_MAX + 1; i++)
		buf_putc(&b, 'm');
	buf_puts(&b, "\",\"notes\":\"");
	for (i = 0; i < EVENT_FIELD_MAX; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "\",\"appsize\":");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, '7');
	buf_puts(&b, ",\"skipped\":\"");
	for (i = 0; i < 1000000; i++)
		buf_putc(&b, 's');
	buf_puts(&b, "\"}");
	CHECK_INT(parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(ev.field[EV_TITLE] != NULL);
	if (ev.field[EV_TITLE] != NULL) {
		n = strlen(ev.field[EV_TITLE]);
		CHECK(n <= EVENT_FIELD_MAX);
		CHECK_INT(n, EVENT_FIELD_MAX / 3 * 3);
		CHECK(utf8_valid(ev.field[EV_TITLE], n));
		CHECK(strncmp(ev.field[EV_TITLE], "中中中", 9) == 0);
	}
	CHECK_STR(ev.field[EV_TYPE], "t");
	CHECK_INT(strlen(ev.field[EV_MESSAGE]), EVENT_FIELD_MAX);
	CHECK_INT(strlen(ev.field[EV_NOTES]), EVENT_FIELD_MAX);
	CHECK_INT(strlen(ev.field[EV_APPSIZE]), EVENT_FIELD_MAX);
	/* What was cut is marked so, for the message to say it. */
	CHECK_INT(ev.cut, (1u << EV_TITLE) | (1u << EV_MESSAGE) |
	    (1u << EV_APPSIZE));
	event_free(&ev);

	/* The same through the parser API in odd-sized pieces. */
	CHECK_INT(chunk_mismatches("long", b.data, b.len, 0), 0);
	{
		struct event	 e2;

		parse_chunked(b.data, b.len, 0, &ev, err, sizeof(err));
		/* In the pieces a slow client sends. */
		CHECK_INT(parse_chunked(b.data, b.len, 64 * 1024, &e2, err,
		    sizeof(err)), 0);
		CHECK(same_event(&ev, &e2));
		event_free(&ev);
		event_free(&e2);
	}
	buf_free(&b);
}

static void
test_duplicates(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	CHECK_INT(parse("{\"type\":\"a\",\"type\":\"b\"}", &ev, err), -1);
	CHECK_STR(err, "at byte 18: duplicate key \"type\"");
	CHECK(ev.field[EV_TYPE] == NULL);
	CHECK_INT(parse("{\"type\":\"a\",\"TYPE\":\"b\"}", &ev, err), -1);
	CHECK_STR(err, "at byte 18: duplicate key \"type\"");
	/* The key counts even when its value does not. */
	CHECK_INT(parse("{\"os_version\":null,\"Os_Version\":\"1\"}", &ev,
	    err), -1);
	CHECK(strstr(err, "duplicate key \"os_version\"") != NULL);
	CHECK_INT(parse("{\"title\":{},\"title\":\"x\"}", &ev, err), -1);
	CHECK(strstr(err, "duplicate key \"title\"") != NULL);
	CHECK_INT(parse("{\"timestamp\":1,\"timestamp\":1}", &ev, err), -1);
	CHECK_INT(ev.has_timestamp, 0);
	/* Unknown keys may repeat (y_object_duplicated_key.json), and
	 * nested known keys belong to no field. */
	CHECK_INT(parse("{\"a\":1,\"a\":2,\"type\":\"t\",\"x\":{\"type\":\"u\","
	    "\"type\":\"v\"}}", &ev, err), 0);
	CHECK_STR(ev.field[EV_TYPE], "t");
	event_free(&ev);
}

static void
test_nul_and_utf8(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	CHECK_INT(parse("{\"type\":\"t\",\"title\":\"a\\u0000b\"}", &ev, err),
	    -1);
	CHECK_STR(err, "at byte 30: \"title\" contains a NUL character");
	CHECK(ev.field[EV_TYPE] == NULL);
	CHECK_INT(parse("{\"NOTES\":\"\\u0000\"}", &ev, err), -1);
	CHECK(strstr(err, "\"notes\" contains a NUL character") != NULL);
	/* yajl passes overlong forms and encoded surrogates; a kept field
	 * must be valid UTF-8 all the same. */
	CHECK_INT(parse("{\"title\":\"\xc0\xaf\"}", &ev, err), -1);
	CHECK(strstr(err, "\"title\" is not valid UTF-8") != NULL);
	CHECK_INT(parse("{\"title\":\"\xed\xa0\x80\"}", &ev, err), -1);
	CHECK(strstr(err, "\"title\" is not valid UTF-8") != NULL);
	CHECK_INT(parse("{\"title\":\"\\udc00\"}", &ev, err), -1);
	CHECK(strstr(err, "\"title\" is not valid UTF-8") != NULL);
	/* ... while skipped values are left to yajl's own check. */
	CHECK_INT(parse("{\"x\":\"\xc0\xaf\\udc00\"}", &ev, err), 0);
	event_free(&ev);
}

static void
test_timestamp(void)
{
	static const struct {
		const char	*doc;
		long long	 want;	/* -1: ignored, the event still read */
	} cases[] = {
		{ "{\"timestamp\":1594781454}", 1594781454LL },
		{ "{\"timestamp\":\"1594781454\"}", 1594781454LL },
		{ "{\"Timestamp\":0}", 0 },
		{ "{\"timestamp\":\"0\"}", 0 },
		{ "{\"timestamp\":\"007\"}", 7 },
		{ "{\"timestamp\":253402300799}", 253402300799LL },
		/* Milliseconds, as a number or a string. */
		{ "{\"timestamp\":1594781454123}", 1594781454LL },
		{ "{\"timestamp\":\"1594781454999\"}", 1594781454LL },
		{ "{\"timestamp\":253402300799999}", 253402300799LL },
		/* A fraction is dropped; blanks around a string are. */
		{ "{\"timestamp\":1594781454.75}", 1594781454LL },
		{ "{\"timestamp\":\"1594781454.0\"}", 1594781454LL },
		{ "{\"timestamp\":1594781454123.5}", 1594781454LL },
		{ "{\"timestamp\":\" 1594781454 \"}", 1594781454LL },
		/* Unreadable: decoration only, so ignored, never refused. */
		{ "{\"timestamp\":253402300800000}", -1 },
		{ "{\"timestamp\":99999999999999999999999999}", -1 },
		{ "{\"timestamp\":-1}", -1 },
		{ "{\"timestamp\":-0}", -1 },
		{ "{\"timestamp\":1e9}", -1 },
		{ "{\"timestamp\":\"\"}", -1 },
		{ "{\"timestamp\":\".5\"}", -1 },
		{ "{\"timestamp\":\"1.2.3\"}", -1 },
		{ "{\"timestamp\":\"+1\"}", -1 },
		{ "{\"timestamp\":\"0x10\"}", -1 },
		{ "{\"timestamp\":\"2020-07-15 10:50:54\"}", -1 },
		{ "{\"timestamp\":\"\u0661\u0662\"}", -1 },
		{ "{\"timestamp\":\"soon\"}", -1 },
	};
	struct event	 ev;
	char		 err[ERRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(parse(cases[i].doc, &ev, err), 0);
		CHECK_STR(err, "");
		CHECK(ev.field[EV_TIMESTAMP] != NULL);
		CHECK_INT(ev.has_timestamp, cases[i].want != -1);
		if (cases[i].want != -1 && ev.timestamp != cases[i].want)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].doc);
		if (cases[i].want != -1)
			CHECK_INT(ev.timestamp, cases[i].want);
		event_free(&ev);
	}
	CHECK_INT(parse("{\"timestamp\":\"007\"}", &ev, err), 0);
	CHECK_STR(ev.field[EV_TIMESTAMP], "007");
	event_free(&ev);
	/* null, a bool or a nested value: absent, not an error. */
	CHECK_INT(parse("{\"timestamp\":null}", &ev, err), 0);
	CHECK_INT(ev.has_timestamp, 0);
	CHECK(ev.field[EV_TIMESTAMP] == NULL);
	CHECK_INT(parse("{\"timestamp\":[1]}", &ev, err), 0);
	CHECK_INT(ev.has_timestamp, 0);
	CHECK_INT(parse("{\"timestamp\":true}", &ev, err), 0);
	CHECK_INT(ev.has_timestamp, 0);
}

/* PGYER's robot webhook types send a robot message: said, not read. */
static void
test_robot_typed(void)
{
	struct event	 ev;
	char		 err[ERRLEN];

	CHECK_INT(parse("{\"msgtype\":\"markdown\",\"markdown\":"
	    "{\"content\":\"x\"}}", &ev, err), 0);
	CHECK_INT(ev.robot_typed, 1);
	CHECK(ev.field[EV_TYPE] == NULL);
	event_free(&ev);
	CHECK_INT(parse("{\"msg_type\":\"text\",\"content\":{}}", &ev,
	    err), 0);
	CHECK_INT(ev.robot_typed, 1);
	event_free(&ev);
	/* Nested, it is only a value. */
	CHECK_INT(parse("{\"type\":\"a\",\"x\":{\"msgtype\":1}}", &ev,
	    err), 0);
	CHECK_INT(ev.robot_typed, 0);
	event_free(&ev);
	/* The Android capture's QR code. */
	CHECK_INT(parse("{\"type\":\"updateVersion\",\"appQRCodeURL\":"
	    "\"https://www.pgyer.com/app/qrcodeHistory/abc\"}", &ev, err), 0);
	CHECK_STR(ev.field[EV_QRCODE],
	    "https://www.pgyer.com/app/qrcodeHistory/abc");
	event_free(&ev);
}

static void
test_parser_api(void)
{
	struct event		 ev;
	struct event_parser	*p;
	char			 err[ERRLEN];

	/* Whitespace after the object is fine; bytes after finish are not. */
	memset(&ev, 0, sizeof(ev));
	p = event_parser_new(&ev);
	CHECK(p != NULL);
	CHECK_INT(event_parser_feed(p, "{\"type\":", 8, err, sizeof(err)), 0);
	CHECK_INT(event_parser_feed(p, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(event_parser_feed(p, "\"x\"} \n", 6, err, sizeof(err)), 0);
	CHECK_INT(event_parser_finish(p, err, sizeof(err)), 0);
	CHECK_INT(event_parser_finish(p, err, sizeof(err)), 0);
	CHECK_STR(ev.field[EV_TYPE], "x");
	CHECK_INT(event_parser_feed(p, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(event_parser_feed(p, " ", 1, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 14: data after the end of the document");
	CHECK(ev.field[EV_TYPE] == NULL);
	event_parser_free(p);

	/* An error sticks: every later call repeats it. */
	memset(&ev, 0, sizeof(ev));
	p = event_parser_new(&ev);
	CHECK_INT(event_parser_feed(p, "{\"title\":\"t\",", 13, err,
	    sizeof(err)), 0);
	CHECK_STR(ev.field[EV_TITLE], "t");
	CHECK_INT(event_parser_feed(p, "]", 1, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 14: invalid object key (must be a string)");
	CHECK(ev.field[EV_TITLE] == NULL);
	err[0] = '\0';
	CHECK_INT(event_parser_feed(p, "}", 1, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 14: invalid object key (must be a string)");
	err[0] = '\0';
	CHECK_INT(event_parser_finish(p, err, sizeof(err)), -1);
	CHECK_STR(err, "at byte 14: invalid object key (must be a string)");
	event_parser_free(p);
	event_parser_free(NULL);
	event_free(&ev);
}

/* Types compare without case, spaces, '_' and '-', and with aliases. */
static void
test_type_normalise(void)
{
	char	 n[64], small[5];

	event_type_normalise("Crash_Log", n, sizeof(n));
	CHECK_STR(n, "crashlog");
	event_type_normalise("update", n, sizeof(n));
	CHECK_STR(n, "updateversion");
	event_type_normalise("App - Settings", n, sizeof(n));
	CHECK_STR(n, "appsettings");
	event_type_normalise("feedback", small, sizeof(small));
	CHECK_STR(small, "feed");
}

/*
 * Every file of JSONTestSuite (github.com/nst/JSONTestSuite): y_ must
 * parse (when it is an object; else it is refused as not an object), n_
 * must be refused, i_ may go either way; none may crash, and every
 * chunking must agree.  Skipped when the corpus is absent (test.h).
 */
static void
test_jsontestsuite(void)
{
	const char	*dir;
	DIR		*d;
	struct dirent	*de;
	struct buf	 path = { 0 }, body = { 0 };
	struct event	 ev;
	char		 err[ERRLEN];
	int		 seen = 0, rc;

	if ((dir = test_jsonsuite()) == NULL)
		return;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: cannot open\n", dir);
		CHECK(d != NULL);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char	*name = de->d_name;
		size_t		 nlen = strlen(name);

		if (nlen < 6 || strcmp(name + nlen - 5, ".json") != 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, name);
		if (read_file(path.data, &body) == -1) {
			fprintf(stderr, "%s: cannot read\n", path.data);
			CHECK(0);
			continue;
		}
		seen++;
		rc = parse_chunked(body.data, body.len, 0, &ev, err,
		    sizeof(err));
		event_free(&ev);
		if (name[0] == 'n' && rc != -1) {
			fprintf(stderr, "%s: accepted\n", name);
			CHECK(rc == -1);
		}
		if (name[0] == 'y' && is_object(body.data, body.len) &&
		    rc != 0) {
			fprintf(stderr, "%s: %s\n", name, err);
			CHECK(rc == 0);
		}
		if (name[0] == 'y' && !is_object(body.data, body.len) &&
		    (rc != -1 ||
		    strstr(err, "must be a JSON object") == NULL)) {
			fprintf(stderr, "%s: %d %s\n", name, rc, err);
			CHECK(0);
		}
		CHECK_INT(chunk_mismatches(name, body.data, body.len, 31), 0);
	}
	closedir(d);
	buf_free(&path);
	buf_free(&body);
	CHECK(seen > 300);
	if (seen <= 300)
		fprintf(stderr, "%s: only %d files\n", dir, seen);
}

int
main(void)
{
	RUN(test_capture);
	RUN(test_field_names);
	RUN(test_keys_and_values);
	RUN(test_top_level);
	RUN(test_error_messages);
	RUN(test_no_echo);
	RUN(test_chunking);
	RUN(test_depth);
	RUN(test_long_strings);
	RUN(test_duplicates);
	RUN(test_nul_and_utf8);
	RUN(test_timestamp);
	RUN(test_robot_typed);
	RUN(test_parser_api);
	RUN(test_type_normalise);
	RUN(test_jsontestsuite);
	return TEST_END();
}
