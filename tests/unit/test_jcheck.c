/* jcheck.c: a JSON document checked against a schema, every problem
 * reported with its place, nothing echoed but names. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jcheck.h"
#include "test.h"

/* The lines jcheck_parse() reports for text, or "" when it parses. */
static void
parse_errors(const char *text, size_t len, struct buf *out)
{
	struct jcheck	 w;
	yajl_val	 v;

	buf_reset(out);
	jcheck_init(&w, out, "doc");
	if ((v = jcheck_parse(&w, text, len)) != NULL)
		yajl_tree_free(v);
	jcheck_finish(&w);
	if (out->data == NULL)
		buf_puts(out, "");
}

static void
test_parse(void)
{
	struct buf	 b = { 0 };
	char		 deep[JCHECK_DEPTH_MAX * 2 + 3];

	parse_errors("{\"a\": [1, 2] /* a comment */}", 29, &b);
	CHECK_STR(b.data, "");
	/* Where, in lines and characters (not bytes), and never the text. */
	parse_errors("{\n  \"中\": tru3}", 16, &b);
	CHECK(strncmp(b.data, "line 2, column 10: ", 19) == 0);
	CHECK(strstr(b.data, "tru3") == NULL);
	parse_errors("{\"a\":", 5, &b);
	CHECK(strncmp(b.data, "line 1, column 6: ", 18) == 0);
	parse_errors("{\"k\":\"sec\\u0000ret\"}", 20, &b);
	CHECK_STR(b.data, "line 1, column 19: \\u0000 is not allowed in a "
	    "string\n");
	parse_errors("{} /*\0*/", 8, &b);
	CHECK_STR(b.data, "line 1, column 6: contains a NUL byte\n");
	/* JCHECK_DEPTH_MAX levels parse; one more is refused. */
	memset(deep, '[', JCHECK_DEPTH_MAX);
	memset(deep + JCHECK_DEPTH_MAX, ']', JCHECK_DEPTH_MAX);
	parse_errors(deep, JCHECK_DEPTH_MAX * 2, &b);
	CHECK_STR(b.data, "");
	memset(deep, '[', JCHECK_DEPTH_MAX + 1);
	memset(deep + JCHECK_DEPTH_MAX + 1, ']', JCHECK_DEPTH_MAX + 1);
	parse_errors(deep, JCHECK_DEPTH_MAX * 2 + 2, &b);
	CHECK_STR(b.data, "line 1, column 33: nested too deeply\n");
	buf_free(&b);
}

/* A small schema: {"name": string 1..8, "n": 1..10, "on": bool,
 * "kind": "a" or "b"}, "name" required. */
static void
walk(struct jcheck *w, yajl_val o)
{
	static const char *const keys[] = { "name", "n", "on", "kind" };
	static const char *const kinds[] = { "a", "b" };
	static const char required[] = { 1, 0, 0, 0 };
	char		 seen[4] = { 0 };
	long long	 n;
	size_t		 old;
	int		 k, on;

	for (size_t i = 0; i < o->u.object.len; i++) {
		if ((k = jcheck_key_index(w, o, i, keys, 4, seen)) == -1)
			continue;
		old = jcheck_push_key(w, keys[k]);
		switch (k) {
		case 0:
			(void)jcheck_string_len(w, o->u.object.values[i], 1, 8);
			break;
		case 1:
			(void)jcheck_int(w, o->u.object.values[i], 1, 10, &n);
			break;
		case 2:
			(void)jcheck_bool(w, o->u.object.values[i], &on);
			break;
		default:
			(void)jcheck_enum(w, o->u.object.values[i], kinds, 2);
			break;
		}
		jcheck_pop(w, old);
	}
	jcheck_missing(w, keys, 4, required, seen);
}

static void
check_schema(const char *text, const char *want)
{
	struct buf	 b = { 0 };
	struct jcheck	 w;
	yajl_val	 v;

	jcheck_init(&w, &b, "doc");
	v = jcheck_parse(&w, text, strlen(text));
	CHECK(v != NULL);
	if (v != NULL) {
		walk(&w, v);
		yajl_tree_free(v);
	}
	jcheck_finish(&w);
	CHECK_STR(b.data != NULL ? b.data : "", want);
	buf_free(&b);
}

static void
test_schema(void)
{
	check_schema("{\"name\":\"x\",\"n\":3,\"on\":true,\"kind\":\"b\"}", "");
	check_schema("{\"n\":0,\"on\":1,\"kind\":\"c\",\"name\":\"\","
	    "\"extra\":1,\"n\":2}",
	    "n: must be an integer from 1 to 10\n"
	    "on: expected true or false\n"
	    "kind: must be \"a\" or \"b\"\n"
	    "name: must not be empty\n"
	    "extra: unknown key\n"
	    "n: duplicate key\n");
	check_schema("{\"name\":\"123456789\",\"n\":2.5}",
	    "name: must be at most 8 bytes\n"
	    "n: must be an integer from 1 to 10\n");
	check_schema("{\"name\":7}", "name: expected a string\n");
	check_schema("{}", "doc: missing \"name\"\n");
}

/* Places: plain keys joined with dots, others quoted and escaped. */
static void
test_places(void)
{
	struct buf	 b = { 0 };
	struct jcheck	 w;
	size_t		 a, c;

	jcheck_init(&w, &b, "doc");
	a = jcheck_push_key(&w, "apps");
	c = jcheck_push_key(&w, "a.b\x1b[2J");
	jcheck_push_index(&w, 2);
	jcheck_problem_at(&w, "url", "is %s", "wrong");
	jcheck_pop(&w, c);
	jcheck_push_key(&w, "ok_key-1");
	jcheck_problem(&w, "fine %d", 1);
	jcheck_pop(&w, a);
	jcheck_problem(&w, "top");
	CHECK_INT(jcheck_finish(&w), 3);
	CHECK_STR(b.data, "apps[\"a.b\\x1b[2J\"][2].url: is wrong\n"
	    "apps.ok_key-1: fine 1\n"
	    "doc: top\n");
	buf_free(&b);
}

/* Past JCHECK_ERRORS_MAX lines, one line says how many more. */
static void
test_cap(void)
{
	struct buf	 b = { 0 };
	struct jcheck	 w;
	size_t		 lines = 0;

	jcheck_init(&w, &b, "doc");
	for (int i = 0; i < JCHECK_ERRORS_MAX + 5; i++)
		jcheck_problem(&w, "p%d", i);
	CHECK_INT(jcheck_finish(&w), JCHECK_ERRORS_MAX + 5);
	for (const char *p = b.data; p != NULL && *p != '\0'; p++)
		lines += *p == '\n';
	CHECK_INT(lines, JCHECK_ERRORS_MAX + 1);
	CHECK(b.data != NULL &&
	    strstr(b.data, "doc: 5 more problems not shown\n") != NULL);
	buf_free(&b);
}

/* Repeated free-form keys are flagged from their second time on. */
static void
test_repeated(void)
{
	struct buf	 b = { 0 };
	struct jcheck	 w;
	yajl_val	 v;
	char		*rep;
	const char	*text = "{\"x\":1,\"y\":2,\"x\":3,\"z\":4,\"x\":5}";

	jcheck_init(&w, &b, "doc");
	v = jcheck_parse(&w, text, strlen(text));
	CHECK(v != NULL);
	if (v != NULL) {
		rep = jcheck_repeated_keys(v);
		CHECK(rep[0] == 0 && rep[1] == 0 && rep[2] == 1 &&
		    rep[3] == 0 && rep[4] == 1);
		free(rep);
		yajl_tree_free(v);
	}
	jcheck_finish(&w);
	buf_free(&b);
}

int
main(void)
{
	RUN(test_parse);
	RUN(test_schema);
	RUN(test_places);
	RUN(test_cap);
	RUN(test_repeated);
	return TEST_END();
}
