/* jsongen.c: JSON through yajl_gen, every status checked, errors sticky. */
#include <string.h>

#include "buf.h"
#include "jsongen.h"
#include "test.h"

/* Every kind of value, escaped as JSON, appended to what out held. */
static void
test_values(void)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];

	buf_puts(&out, "> ");
	jgen_init(&j);
	jgen_map_open(&j);
	jgen_kv(&j, "s", "a \"q\" \\ \n\t\x01 中");
	jgen_str(&j, "n");
	jgen_int(&j, -42);
	jgen_str(&j, "b");
	jgen_bool(&j, 7);
	jgen_str(&j, "z");
	jgen_null(&j);
	jgen_str(&j, "a");
	jgen_array_open(&j);
	jgen_strn(&j, "abc", 2);
	jgen_str_or(&j, "ok", "fallback");
	jgen_array_close(&j);
	jgen_map_close(&j);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), 0);
	CHECK_STR(out.data, "> {\"s\":\"a \\\"q\\\" \\\\ \\n\\t\\u0001 中\","
	    "\"n\":-42,\"b\":true,\"z\":null,\"a\":[\"ab\",\"ok\"]}");
	buf_free(&out);
}

/* Invalid UTF-8 fails the document (out untouched), and the failure is
 * sticky: nothing after it is written. */
static void
test_invalid_utf8(void)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];

	jgen_init(&j);
	jgen_map_open(&j);
	jgen_kv(&j, "s", "\xc3\x28");
	jgen_kv(&j, "t", "fine");
	jgen_map_close(&j);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), -1);
	CHECK_STR(err, "a text is not valid UTF-8");
	CHECK_INT(out.len, 0);
	buf_free(&out);
}

/* jgen_str_or() replaces an invalid string and the document goes on. */
static void
test_str_or(void)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];

	jgen_init(&j);
	jgen_array_open(&j);
	jgen_str_or(&j, "\xff", "replaced");
	jgen_str(&j, "after");
	jgen_array_close(&j);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), 0);
	CHECK_STR(out.data, "[\"replaced\",\"after\"]");
	buf_free(&out);
}

/* jgen_init_bytes(): strings byte for byte, control bytes escaped. */
static void
test_bytes(void)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];

	jgen_init_bytes(&j);
	jgen_strn(&j, "\xff\0x", 3);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), 0);
	CHECK_INT(out.len, 10);
	CHECK(out.data != NULL && memcmp(out.data, "\"\xff\\u0000x\"", 10) == 0);
	buf_free(&out);
}

/* A document that is not well formed (a key that is not a string, a
 * close without an open) fails with the generator's status. */
static void
test_misuse(void)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];

	jgen_init(&j);
	jgen_map_open(&j);
	jgen_int(&j, 1);
	jgen_map_close(&j);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), -1);
	CHECK(strncmp(err, "JSON generator error", 20) == 0);
	jgen_init(&j);
	jgen_array_close(&j);
	CHECK_INT(jgen_finish(&j, &out, err, sizeof(err)), -1);
	CHECK_INT(out.len, 0);
	buf_free(&out);
}

int
main(void)
{
	RUN(test_values);
	RUN(test_invalid_utf8);
	RUN(test_str_or);
	RUN(test_bytes);
	RUN(test_misuse);
	return TEST_END();
}
