/* journal_record.c: a record encoded and decoded back, and what decoding
 * refuses, with the reason. */
#include <string.h>

#include "buf.h"
#include "journal.h"
#include "journal_record.h"
#include "test.h"

#define REC(extra) "{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1," \
	"\"attempts\":0,\"next_at\":1" extra ",\"body\":\"{}\"}"

/* Every field survives the round trip, the body byte for byte. */
static void
test_round_trip(void)
{
	struct journal_record	 r, back;
	struct buf		 out = { 0 };
	char			 err[256], body[] = "{\"x\":\"\x01\xff\0z\"}";

	memset(&r, 0, sizeof(r));
	r.app = (char *)"demo";
	r.webhook = (char *)"QA \"group\"";
	r.body = body;
	r.body_len = sizeof(body) - 1;
	r.received = 1594781454;
	r.attempts = 3;
	r.next_at = 1594781999;
	r.last_error = (char *)"HTTP 500";
	r.event = (char *)"0123abcd";
	CHECK_INT(journal_record_encode(&r, &out, err, sizeof(err)), 0);
	CHECK(out.len > 0 && out.data[out.len - 1] == '\n');
	memset(&back, 0, sizeof(back));
	strcpy(back.id, "kept");
	CHECK_INT(journal_record_decode(out.data, out.len, &back, err,
	    sizeof(err)), 0);
	CHECK_STR(back.id, "kept");
	CHECK_STR(back.app, "demo");
	CHECK_STR(back.webhook, "QA \"group\"");
	CHECK_INT(back.body_len, sizeof(body) - 1);
	CHECK(back.body != NULL &&
	    memcmp(back.body, body, sizeof(body) - 1) == 0);
	CHECK_INT(back.received, 1594781454);
	CHECK_INT(back.attempts, 3);
	CHECK_INT(back.next_at, 1594781999);
	CHECK_STR(back.last_error, "HTTP 500");
	CHECK_STR(back.event, "0123abcd");
	journal_record_free(&back);
	buf_free(&out);
}

/* A last error over JOURNAL_TEXT_MAX is cut at a character boundary so
 * that the record still reads back; a missing name or a big body is
 * refused on the way out. */
static void
test_encode_bounds(void)
{
	struct journal_record	 r, back;
	struct buf		 out = { 0 }, e = { 0 };
	char			 err[256];

	for (int i = 0; i < JOURNAL_TEXT_MAX; i++)
		buf_puts(&e, "中");
	memset(&r, 0, sizeof(r));
	r.app = (char *)"a";
	r.webhook = (char *)"w";
	r.body = (char *)"{}";
	r.body_len = 2;
	r.last_error = e.data;
	CHECK_INT(journal_record_encode(&r, &out, err, sizeof(err)), 0);
	memset(&back, 0, sizeof(back));
	CHECK_INT(journal_record_decode(out.data, out.len, &back, err,
	    sizeof(err)), 0);
	CHECK_INT(strlen(back.last_error), JOURNAL_TEXT_MAX / 3 * 3);
	journal_record_free(&back);
	r.webhook = NULL;
	CHECK_INT(journal_record_encode(&r, &out, err, sizeof(err)), -1);
	CHECK(strstr(err, "no app or webhook name") != NULL);
	r.webhook = (char *)"w";
	r.body_len = JOURNAL_BODY_MAX + 1;
	CHECK_INT(journal_record_encode(&r, &out, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than the journal keeps") != NULL);
	buf_free(&out);
	buf_free(&e);
}

/* What decoding refuses, and the reason it gives. */
static void
test_decode_refused(void)
{
	static const struct {
		const char	*text;
		const char	*why;
	} cases[] = {
		{ "{\"v\":2" ",\"app\":\"a\"}", "unknown format version" },
		{ REC(",\"x\":[1]"), "unexpected array" },
		{ REC(",\"last_error\":{}"), "unexpected object" },
		{ REC(",\"last_error\":null"), "unexpected null" },
		{ REC(",\"v\":1"), "duplicate key" },
		{ REC(",\"event\":\"\xff\""), "text too long or not UTF-8" },
		{ REC(",\"event\":\"a\\u0000b\""),
		    "text too long or not UTF-8" },
		{ "{\"v\":1,\"app\":\"a\"}", "no \"webhook\"" },
		{ "{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":-1}",
		    "time out of range" },
		{ "{\"v\":1,\"attempts\":1.5}", "a number is not an integer" },
		{ "{\"v\":1,\"app\":1}", "a number where a string belongs" },
		{ "{\"v\":1,\"received\":\"1\"}",
		    "a string where a number belongs" },
		{ "[]", "unexpected array" },
	};
	struct journal_record	 r;
	char			 err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		err[0] = '\0';
		CHECK_INT(journal_record_decode(cases[i].text,
		    strlen(cases[i].text), &r, err, sizeof(err)), -1);
		CHECK_STR(err, cases[i].why);
		CHECK(r.app == NULL && r.body == NULL);
	}
	/* Not JSON: yajl's message, one line, quoting nothing. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(journal_record_decode("{\"v\":1,secret", 13, &r, err,
	    sizeof(err)), -1);
	CHECK(strchr(err, '\n') == NULL && strstr(err, "secret") == NULL);
	/* Unknown scalar keys are a newer writer's: skipped. */
	CHECK_INT(journal_record_decode(REC(",\"new\":true"),
	    strlen(REC(",\"new\":true")), &r, err, sizeof(err)), 0);
	CHECK_STR(r.app, "a");
	journal_record_free(&r);
}

int
main(void)
{
	RUN(test_round_trip);
	RUN(test_encode_bounds);
	RUN(test_decode_refused);
	return TEST_END();
}
