/*
 * Replays the fuzz harnesses' checks (tests/fuzz/fuzz_*.c) on every
 * finding in tests/fuzz/regress/, the seeds, JSONTestSuite when it is
 * there, and hostile bodies made here: so a fixed crash stays fixed, in
 * every `make check` (and under ASan there).  Run from the top of the
 * tree, as tests/run.sh does.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"

#define FUZZ_NO_MAIN
#define FUZZ_ASSERT(c)	CHECK(c)
#include "../fuzz/fuzz_event.c"
#include "../fuzz/fuzz_config.c"

#define FILE_MAX	(16 * 1024 * 1024)

/* Reads path whole (at most FILE_MAX bytes); -1 when it cannot. */
static int
slurp(const char *path, struct buf *b)
{
	char	 chunk[65536];
	size_t	 n;
	FILE	*f;

	buf_reset(b);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b->len <= FILE_MAX)
		buf_append(b, chunk, n);
	fclose(f);
	return b->len <= FILE_MAX ? 0 : -1;
}

/*
 * Runs fn on every regular file of dir whose name does not start with
 * '.'; returns how many, or -1 when dir cannot be read.
 */
static int
replay_dir(const char *dir, int (*fn)(const uint8_t *, size_t))
{
	struct buf	 b = { 0 };
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];
	DIR		*d;
	int		 n = 0, before;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		CHECK_INT(slurp(path, &b), 0);
		before = test_failed_checks;
		fn((const uint8_t *)(b.data != NULL ? b.data : ""), b.len);
		if (test_failed_checks != before)
			fprintf(stderr, "  ... on %s\n", path);
		n++;
	}
	closedir(d);
	buf_free(&b);
	return n;
}

static void
test_regress_event(void)
{
	CHECK(replay_dir("tests/fuzz/regress/event", fuzz_event) >= 0);
	CHECK(replay_dir("tests/fuzz/seeds/event", fuzz_event) > 0);
}

static void
test_regress_config(void)
{
	struct buf	 b = { 0 };

	CHECK(replay_dir("tests/fuzz/regress/config", fuzz_config) >= 0);
	CHECK(replay_dir("tests/fuzz/seeds/config", fuzz_config) > 0);
	if (slurp("etc/config.example.json", &b) == 0)
		fuzz_config((const uint8_t *)b.data, b.len);
	buf_free(&b);
}

/* Every JSONTestSuite file, when the suite is there (test.h). */
static void
test_suite(void)
{
	const char	*dir;
	int		 n;

	if ((dir = test_jsonsuite()) == NULL)
		return;
	n = replay_dir(dir, fuzz_event);
	CHECK(n > 300);
	CHECK_INT(replay_dir(dir, fuzz_config), n);
}

static void
run_both(const struct buf *b)
{
	fuzz_event((const uint8_t *)b->data, b->len);
	fuzz_config((const uint8_t *)b->data, b->len);
}

/* Hostile bodies (deep nesting, huge strings, bad UTF-8), made here
 * rather than stored. */
static void
test_hostile(void)
{
	struct buf	 b = { 0 };

	/* Extreme nesting, both kinds, closed and not. */
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, '[');
	run_both(&b);
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"x\",\"a\":");
	for (int i = 0; i < 50000; i++)
		buf_puts(&b, "{\"a\":");
	buf_puts(&b, "1");
	for (int i = 0; i < 50000; i++)
		buf_putc(&b, '}');
	buf_putc(&b, '}');
	run_both(&b);

	/* A 1 MB string in a kept field, and in a skipped one. */
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"");
	for (int i = 0; i < 1024 * 1024 / 3; i++)
		buf_puts(&b, "\xe5\xba\x94");
	buf_puts(&b, "\",\"other\":\"");
	for (int i = 0; i < 1024 * 1024; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\"}");
	run_both(&b);

	/* Invalid UTF-8, NUL bytes raw and escaped. */
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"\xc0\xaf\xed\xa0\x80\"}");
	run_both(&b);
	buf_reset(&b);
	buf_append(&b, "{\"type\":\"a\0b\"}", 14);
	run_both(&b);
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"a\\u0000b\",\"title\":\"\\ud800\"}");
	run_both(&b);

	/* Duplicate keys, huge numbers, truncation at every byte. */
	buf_reset(&b);
	buf_puts(&b, "{\"type\":\"a\",\"TYPE\":\"b\",\"Type\":7,"
	    "\"timestamp\":1e999,\"appsize\":"
	    "123456789012345678901234567890123456789,\"build_version\":-0."
	    "0000000000000000000000000001e-99999}");
	run_both(&b);
	{
		static const char	 ev[] = "{\"action\":\"\xe5\xba\x94\","
		    "\"type\":\"updateVersion\",\"timestamp\":1594781454,"
		    "\"x\":[1,{\"y\":null}],\"notes\":\"\\n\\\"\"}";

		for (size_t n = 0; n <= sizeof(ev) - 1; n++)
			fuzz_event((const uint8_t *)ev, n);
	}
	buf_free(&b);
}

int
main(void)
{
	RUN(test_regress_event);
	RUN(test_regress_config);
	RUN(test_suite);
	RUN(test_hostile);
	return TEST_END();
}
