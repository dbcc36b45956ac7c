/*
 * state_url.c: the Redis addresses state_url takes, the ones it refuses
 * (with a reason that never quotes the password), and the masked form
 * --check prints.
 */
#include "buf.h"
#include "state_redis.h"
#include "state_url.h"
#include "test.h"

static void
test_tcp(void)
{
	struct state_url	 u;
	const char		*why;

	CHECK_INT(state_url_parse("redis://127.0.0.1:6380/2", &u, &why), 0);
	CHECK_INT(u.is_unix, 0);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_INT(u.port, 6380);
	CHECK_INT(u.db, 2);
	CHECK_STR(u.password, "");

	CHECK_INT(state_url_parse("redis://redis.example", &u, &why), 0);
	CHECK_STR(u.host, "redis.example");
	CHECK_INT(u.port, 6379);
	CHECK_INT(u.db, 0);

	CHECK_INT(state_url_parse("redis://[::1]:7000/", &u, &why), 0);
	CHECK_STR(u.host, "::1");
	CHECK_INT(u.port, 7000);
}

static void
test_password(void)
{
	struct state_url	 u;
	const char		*why;

	CHECK_INT(state_url_parse("redis://:s3cr@t@10.0.0.5:6379/1", &u,
	    &why), 0);
	/* The host starts after the last '@'. */
	CHECK_STR(u.password, "s3cr@t");
	CHECK_STR(u.host, "10.0.0.5");
	CHECK_INT(u.db, 1);
	CHECK_INT(state_url_parse("redis://user:pw@h", &u, &why), -1);
	CHECK(strstr(why, "pw") == NULL);
	CHECK_INT(state_url_parse("redis://:@h", &u, &why), -1);
}

static void
test_unix(void)
{
	struct state_url	 u;
	const char		*why;
	char			 longpath[200];

	CHECK_INT(state_url_parse("unix:/run/redis/redis-server.sock", &u,
	    &why), 0);
	CHECK_INT(u.is_unix, 1);
	CHECK_STR(u.path, "/run/redis/redis-server.sock");
	CHECK_INT(state_url_parse("unix:run/redis.sock", &u, &why), -1);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	{
		struct buf	 b = { 0 };

		buf_printf(&b, "unix:%s", longpath);
		CHECK_INT(state_url_parse(b.data, &u, &why), -1);
		buf_free(&b);
	}
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"", "redis://", "redis://:6379", "redis://h:0", "redis://h:65536",
		"redis://h:x", "redis://h/16", "redis://h/-1", "redis://h/1x",
		"rediss://h", "http://h", "redis://h_1", "redis://[::1",
		"redis://h:6379:1",
	};
	struct state_url	 u;
	const char		*why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (state_url_parse(bad[i], &u, &why) != -1 || why == NULL) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			test_failed_checks++;
		}
	}
}

static void
test_mask(void)
{
	struct buf	 b = { 0 };

	state_url_mask(&b, "redis://:hunter2@127.0.0.1:6379/0");
	CHECK_STR(b.data, "redis://:***@127.0.0.1:6379/0");
	buf_reset(&b);
	state_url_mask(&b, "redis://127.0.0.1");
	CHECK_STR(b.data, "redis://127.0.0.1");
	buf_reset(&b);
	state_url_mask(&b, "unix:/run/r.sock");
	CHECK_STR(b.data, "unix:/run/r.sock");
	buf_reset(&b);
	state_url_mask(&b, "junk:hunter2");
	CHECK(strstr(b.data, "hunter2") == NULL);
	buf_free(&b);
}

/* Redis must answer well inside timeout_ms, or not be waited for. */
static void
test_timeouts(void)
{
	CHECK_INT(state_redis_timeout_ms(100), 50);
	CHECK_INT(state_redis_timeout_ms(5000), 500);
	CHECK_INT(state_redis_timeout_ms(120000), 1000);
}

int
main(void)
{
	RUN(test_tcp);
	RUN(test_password);
	RUN(test_unix);
	RUN(test_refused);
	RUN(test_mask);
	RUN(test_timeouts);
	return TEST_END();
}
