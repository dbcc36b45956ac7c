/* buf.c: growth, and the ceiling every buffer has (BUF_MAX). */
#include <stdint.h>

#include "buf.h"
#include "test.h"

static void
test_grows(void)
{
	struct buf	 b = { 0 };

	for (int i = 0; i < 1000; i++)
		CHECK_INT(buf_puts(&b, "0123456789"), 0);
	CHECK_INT(b.len, 10000);
	CHECK_INT(buf_printf(&b, "%d-%s", 42, "x"), 0);
	CHECK_STR(b.data + 10000, "42-x");
	CHECK_INT(buf_failed(&b), 0);
	buf_free(&b);
}

/*
 * An append past the ceiling, or one whose size would wrap size_t, fails
 * without touching the memory it was given or the data already there,
 * and every append after it fails too, until the buffer is emptied.
 */
static void
test_ceiling(void)
{
	struct buf	 b = { 0 };
	char		 small[8] = "abc";

	CHECK_INT(buf_puts(&b, "kept"), 0);
	CHECK_INT(buf_append(&b, small, SIZE_MAX), -1);
	CHECK_INT(buf_failed(&b), 1);
	CHECK_STR(b.data, "kept");
	CHECK_INT(buf_putc(&b, 'x'), -1);
	CHECK_STR(b.data, "kept");
	buf_reset(&b);
	CHECK_INT(buf_failed(&b), 0);
	CHECK_INT(buf_append(&b, small, BUF_MAX + 1), -1);
	CHECK_INT(b.len, 0);
	buf_reset(&b);
	CHECK_INT(buf_append(&b, small, SIZE_MAX - 2), -1);
	buf_reset(&b);
	CHECK_INT(buf_printf(&b, "%*s", (int)(BUF_MAX / 2), ""), 0);
	CHECK_INT(buf_printf(&b, "%*s", (int)(BUF_MAX / 2), ""), 0);
	CHECK_INT(b.len, BUF_MAX);
	CHECK_INT(buf_putc(&b, 'x'), -1);
	CHECK_INT(b.len, BUF_MAX);
	/* Emptied, it has room past the ceiling: still no text past it. */
	buf_reset(&b);
	CHECK_INT(buf_printf(&b, "%*s", (int)BUF_MAX + 1, ""), -1);
	CHECK_INT(b.len, 0);
	buf_free(&b);
	CHECK_INT(buf_failed(&b), 0);
	CHECK_INT(buf_puts(&b, "again"), 0);
	CHECK_STR(b.data, "again");
	buf_free(&b);
}

int
main(void)
{
	RUN(test_grows);
	RUN(test_ceiling);
	return TEST_END();
}
