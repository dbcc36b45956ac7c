/* utf8.c: cutting at a character boundary, validating. */
#include "test.h"
#include "utf8.h"

static void
test_utf8_cut(void)
{
	/* "应用" is 6 bytes: a cut inside a character steps back. */
	const char	*s = "\xe5\xba\x94\xe7\x94\xa8";

	CHECK_INT(utf8_cut(s, 6, 6), 6);
	CHECK_INT(utf8_cut(s, 6, 5), 3);
	CHECK_INT(utf8_cut(s, 6, 4), 3);
	CHECK_INT(utf8_cut(s, 6, 3), 3);
	CHECK_INT(utf8_cut(s, 6, 2), 0);
	CHECK_INT(utf8_cut("abc", 3, 2), 2);
}

static void
test_utf8_valid(void)
{
	CHECK(utf8_valid("abc \xe5\xba\x94", 7));
	CHECK(!utf8_valid("\xc0\xaf", 2));		/* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	CHECK(!utf8_valid("\xe5\xba", 2));		/* truncated */
	CHECK(!utf8_valid("a\0b", 3));
	CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
}

int
main(void)
{
	RUN(test_utf8_cut);
	RUN(test_utf8_valid);
	return TEST_END();
}
