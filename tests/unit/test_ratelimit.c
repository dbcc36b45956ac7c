/*
 * Unit tests: robot rate limits.  Time is an argument, so windows are
 * crossed without waiting; concurrent takers are forked processes.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "lock.h"
#include "ratelimit.h"
#include "test.h"
#include "tmpdir.h"

#define NOW	1764370000000LL		/* Unix ms */
#define WECOM	"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1"
#define DING	"https://oapi.dingtalk.com/robot/send?access_token=t1"
#define FEISHU	"https://open.feishu.cn/open-apis/bot/v2/hook/h1"

/* Lock waits end here: nobody holds a lock for long in these tests. */
#define UNTIL	(clock_mono_ms() + 10000)

static char	 dir[4096];

static int
take(enum robot_type t, const char *url, long long now, long long *next)
{
	char	 err[256];
	int	 rc;

	rc = ratelimit_take(dir, t, url, now, UNTIL, next, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "ratelimit_take: %s\n", err);
	return rc;
}

/* out: url's key, which must be there. */
static void
key_of(const char *url, char out[RATELIMIT_KEY_LEN + 1])
{
	char	 err[256];

	CHECK_INT(ratelimit_key(url, out, err, sizeof(err)), 0);
}

static void
test_key(void)
{
	char	 a[RATELIMIT_KEY_LEN + 1], b[RATELIMIT_KEY_LEN + 1];

	key_of(DING, a);
	CHECK_INT(strlen(a), 64);
	CHECK_INT(strspn(a, "0123456789abcdef"), 64);
	/* DingTalk's signature parameters, wherever they are, do not make
	 * another robot. */
	key_of(DING "&timestamp=1700000000000&sign=abc%3D", b);
	CHECK_STR(a, b);
	key_of("https://oapi.dingtalk.com/robot/send?timestamp=1&"
	    "access_token=t1&sign=x", b);
	CHECK_STR(a, b);
	key_of("https://oapi.dingtalk.com/robot/send?access_token=t2", b);
	CHECK(strcmp(a, b) != 0);
	/* "signature=" is not "sign=". */
	key_of(DING "&signature=1", b);
	CHECK(strcmp(a, b) != 0);
	key_of(FEISHU, a);
	key_of(FEISHU "?", b);
	CHECK_STR(a, b);
}

static void
test_wecom_minute(void)
{
	long long	 next;

	tmpdir_make(dir, sizeof(dir), "rate-wecom");
	for (int i = 0; i < 20; i++)
		CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + i * 1000, &next), 0);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 20000, &next), 1);
	/* The first send leaves the window (a minute and a margin). */
	CHECK_INT(next, NOW + 61000);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 60000, &next), 1);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 61000, &next), 0);
	/* That freed one slot, now used again. */
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 61000, &next), 1);
	CHECK_INT(next, NOW + 62000);
	/* Another robot has its own budget. */
	CHECK_INT(take(ROBOT_WECOM, WECOM "x", NOW + 61000, &next), 0);
	/* Long after, everything is free again. */
	for (int i = 0; i < 20; i++)
		CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 3600000, &next), 0);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 3600000, &next), 1);
	CHECK_INT(next, NOW + 3600000 + 61000);
	tmpdir_remove(dir);
}

static void
test_dingtalk_block(void)
{
	long long	 next;
	char		 err[256];

	tmpdir_make(dir, sizeof(dir), "rate-ding");
	for (int i = 0; i < 20; i++)
		CHECK_INT(take(ROBOT_DINGTALK, DING, NOW, &next), 0);
	CHECK_INT(take(ROBOT_DINGTALK, DING, NOW, &next), 1);
	CHECK_INT(next, NOW + 61000);
	CHECK_INT(take(ROBOT_DINGTALK, DING "&timestamp=1&sign=2", NOW + 61000,
	    &next), 0);

	/* Not its "too fast" code: nothing recorded. */
	CHECK_INT(ratelimit_refused(dir, ROBOT_DINGTALK, DING, 310000,
	    NOW + 62000, UNTIL, err, sizeof(err)), 0);
	/* 130101: DingTalk locks the robot for 10 minutes. */
	CHECK_INT(ratelimit_refused(dir, ROBOT_DINGTALK, DING, 130101,
	    NOW + 62000, UNTIL, err, sizeof(err)), 1);
	CHECK_INT(take(ROBOT_DINGTALK, DING, NOW + 200000, &next), 1);
	CHECK_INT(next, NOW + 62000 + 600000);
	CHECK_INT(take(ROBOT_DINGTALK, DING, NOW + 62000 + 600000, &next), 0);
	/* WeCom's code is WeCom's. */
	CHECK_INT(ratelimit_refused(dir, ROBOT_WECOM, WECOM, 130101, NOW,
	    UNTIL, err, sizeof(err)), 0);
	CHECK_INT(ratelimit_refused(dir, ROBOT_WECOM, WECOM, 45009, NOW,
	    UNTIL, err, sizeof(err)), 1);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW + 1000, &next), 1);
	CHECK_INT(next, NOW + 61000);
	tmpdir_remove(dir);
}

static void
test_feishu(void)
{
	long long	 next, t = NOW;
	int		 sent = 0;

	tmpdir_make(dir, sizeof(dir), "rate-feishu");
	for (int i = 0; i < 5; i++)
		CHECK_INT(take(ROBOT_FEISHU, FEISHU, NOW, &next), 0);
	CHECK_INT(take(ROBOT_FEISHU, FEISHU, NOW + 500, &next), 1);
	CHECK_INT(next, NOW + 1100);
	CHECK_INT(take(ROBOT_FEISHU, FEISHU, NOW + 1100, &next), 0);
	tmpdir_remove(dir);

	/* As fast as allowed: 100 in the minute, then the minute rules. */
	tmpdir_make(dir, sizeof(dir), "rate-feishu");
	while (sent < 100 && t < NOW + 61000) {
		if (take(ROBOT_FEISHU, FEISHU, t, &next) == 0)
			sent++;
		else
			t = next;
	}
	CHECK_INT(sent, 100);
	CHECK(t < NOW + 61000);
	CHECK_INT(take(ROBOT_FEISHU, FEISHU, t + 1100, &next), 1);
	CHECK_INT(next, NOW + 61000);
	CHECK_INT(take(ROBOT_FEISHU, FEISHU, next, &next), 0);
	CHECK_INT(ratelimit_refused(dir, ROBOT_FEISHU, FEISHU, 11232,
	    NOW + 70000, UNTIL, (char[64]){ 0 }, 64), 1);
	CHECK_INT(take(ROBOT_FEISHU, FEISHU, NOW + 70000, &next), 1);
	CHECK_INT(next, NOW + 70000 + 61000);
	tmpdir_remove(dir);
}

static void
test_no_limits(void)
{
	long long	 next;
	struct stat	 st;
	char		 err[256], path[4200];

	tmpdir_make(dir, sizeof(dir), "rate-none");
	for (int i = 0; i < 200; i++)
		CHECK_INT(take(ROBOT_JSON, "https://example.com/hook", NOW,
		    &next), 0);
	snprintf(path, sizeof(path), "%s/rate", dir);
	CHECK_INT(stat(path, &st), -1);		/* nothing written */
	/* No state_dir: no limits. */
	for (int i = 0; i < 30; i++)
		CHECK_INT(ratelimit_take("", ROBOT_WECOM, WECOM, NOW, UNTIL,
		    &next, err, sizeof(err)), 0);
	CHECK_INT(ratelimit_take(NULL, ROBOT_WECOM, WECOM, NOW, UNTIL, &next,
	    err, sizeof(err)), 0);
	CHECK_INT(ratelimit_refused("", ROBOT_WECOM, WECOM, 45009, NOW, UNTIL,
	    err, sizeof(err)), 0);
	tmpdir_remove(dir);
}

static void
test_files(void)
{
	char		 key[RATELIMIT_KEY_LEN + 1], path[4200], err[512];
	struct stat	 st;
	long long	 next;
	char		*big;
	mode_t		 old;

	tmpdir_make(dir, sizeof(dir), "rate-files");
	old = umask(0);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW, &next), 0);
	umask(old);
	key_of(WECOM, key);
	snprintf(path, sizeof(path), "%s/rate/%s", dir, key);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);

	/* Damaged state is dropped line by line, never fatal. */
	CHECK_INT(tmpdir_write(path, "x\n-5\n\n99999999999999999999\nabc\n",
	    31), 0);
	for (int i = 0; i < 20; i++)
		CHECK_INT(take(ROBOT_WECOM, WECOM, NOW, &next), 0);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW, &next), 1);
	/* A file far too big is not ours: started afresh. */
	big = calloc(1, RATELIMIT_FILE_MAX + 10);
	memset(big, '1', RATELIMIT_FILE_MAX + 9);
	CHECK_INT(tmpdir_write(path, big, RATELIMIT_FILE_MAX + 9), 0);
	free(big);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW, &next), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK(st.st_size < 100);
	/* A block "a year ahead" is nonsense: ignored. */
	CHECK_INT(tmpdir_write(path, "99999999999999\n", 15), 0);
	CHECK_INT(take(ROBOT_WECOM, WECOM, NOW, &next), 0);

	/* state_dir that does not exist: an error naming it. */
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_INT(ratelimit_take(path, ROBOT_WECOM, WECOM, NOW, UNTIL, &next,
	    err, sizeof(err)), -1);
	CHECK(strstr(err, path) != NULL);
	CHECK(strstr(err, strerror(ENOENT)) != NULL);
	tmpdir_remove(dir);
}

/* Processes racing for slots: exactly the limit get one. */
static void
test_concurrent(void)
{
	enum { TAKERS = 40 };
	pid_t		 pids[TAKERS];
	int		 start[2], status, ok = 0, over = 0;
	long long	 next;
	char		 b;

	tmpdir_make(dir, sizeof(dir), "rate-race");
	if (pipe(start) == -1) {
		CHECK(!"pipe");
		return;
	}
	for (int i = 0; i < TAKERS; i++) {
		if ((pids[i] = fork()) == 0) {
			close(start[1]);
			(void)!read(start[0], &b, 1);
			_exit(take(ROBOT_DINGTALK, DING, NOW + i, &next) + 1);
		}
	}
	close(start[0]);
	close(start[1]);
	for (int i = 0; i < TAKERS; i++) {
		if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status))
			continue;
		ok += WEXITSTATUS(status) == 1;
		over += WEXITSTATUS(status) == 2;
	}
	CHECK_INT(ok, 20);
	CHECK_INT(over, TAKERS - 20);
	CHECK_INT(take(ROBOT_DINGTALK, DING, NOW + 100, &next), 1);
	tmpdir_remove(dir);
}

int
main(void)
{
	RUN(test_key);
	RUN(test_wecom_minute);
	RUN(test_dingtalk_block);
	RUN(test_feishu);
	RUN(test_no_limits);
	RUN(test_files);
	RUN(test_concurrent);
	return TEST_END();
}
