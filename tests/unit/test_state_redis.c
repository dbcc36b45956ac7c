/*
 * Unit tests: the shared rules in Redis (state_redis.c) against a real
 * redis-server started here on a unix socket in a scratch directory:
 * the claim's states and take-over, notes, rate windows and "too fast",
 * key names and expiry, the script cache flushed, and a server that
 * goes away.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "dedup.h"
#include "ratelimit.h"
#include "state_redis.h"
#include "test.h"
#include "tmpdir.h"

#define K1	"1111111111111111111111111111111111111111111111111111111111111111"
#define K2	"2222222222222222222222222222222222222222222222222222222222222222"
#define K3	"3333333333333333333333333333333333333333333333333333333333333333"
#define ROBOT	"abababababababababababababababababababababababababababababababab"
#define NOW	1764370000LL	/* Unix s */

static char		 dir[4096], sock[4200], url[4300];
static pid_t		 server = -1;
static struct config	 cfg;

/* A raw connection for looking at and planting keys; NULL: none. */
static redisContext *
raw(void)
{
	redisContext	*c = redisConnectUnix(sock);

	if (c != NULL && c->err != 0) {
		redisFree(c);
		return NULL;
	}
	return c;
}

/* The reply to one command as a string ("" for nil), in out. */
static void
ask(const char *cmd, const char *key, char *out, size_t len)
{
	redisContext	*c = raw();
	redisReply	*r;

	out[0] = '\0';
	if (c == NULL)
		return;
	if ((r = redisCommand(c, "%s %s", cmd, key)) != NULL) {
		if (r->type == REDIS_REPLY_STRING ||
		    r->type == REDIS_REPLY_STATUS)
			snprintf(out, len, "%s", r->str);
		else if (r->type == REDIS_REPLY_INTEGER)
			snprintf(out, len, "%lld", r->integer);
		freeReplyObject(r);
	}
	redisFree(c);
}

static void
set_raw(const char *key, const char *value)
{
	redisContext	*c = raw();
	redisReply	*r;

	if (c == NULL)
		return;
	if ((r = redisCommand(c, "SET %s %s PX 600000", key, value)) != NULL)
		freeReplyObject(r);
	redisFree(c);
}

static void
start_server(void)
{
	struct timespec	 ts = { 0, 20 * 1000 * 1000 };
	long long	 until;
	char		 err[256];

	if ((server = fork()) == 0) {
		int	 null = open("/dev/null", O_WRONLY);

		/* Its log is not ours to print. */
		if (null != -1) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("redis-server", "redis-server", "--port", "0",
		    "--unixsocket", sock, "--unixsocketperm", "700", "--save",
		    "", "--appendonly", "no", "--dir", dir, "--logfile", "",
		    (char *)NULL);
		_exit(127);
	}
	/* Ready when it answers: a bounded poll. */
	until = clock_mono_ms() + 20000;
	while (clock_mono_ms() < until) {
		state_redis_begin();
		if (state_redis_ping(&cfg, err, sizeof(err)) == 0)
			return;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "redis-server did not answer in 20 s (installed? "
	    ".ci/deps.sh): %s\n", err);
	exit(1);
}

static void
stop_server(void)
{
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	server = -1;
}

static int
claim(const char *key, long long now, long long deadline)
{
	char	 err[256];
	int	 rc;

	rc = state_redis_claim(&cfg, key, now, 600, deadline, err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "claim: %s\n", err);
	return rc;
}

static void
test_claim_states(void)
{
	char	 err[256], v[256];

	CHECK_INT(claim(K1, NOW, NOW + 10), DEDUP_NEW);
	/* We are alive and within the deadline: a duplicate. */
	CHECK_INT(claim(K1, NOW + 1, NOW + 11), DEDUP_DUPLICATE);
	/* Past the deadline: taken over. */
	CHECK_INT(claim(K1, NOW + 10, NOW + 20), DEDUP_TAKEN);
	CHECK_INT(state_redis_settle(&cfg, K1, "journaled", err, sizeof(err)),
	    0);
	ask("GET", "pgyer-relay:t:dedup:" K1, v, sizeof(v));
	CHECK_STR(v, "journaled");
	/* Settled: a duplicate however late (within the window). */
	CHECK_INT(claim(K1, NOW + 500, NOW + 510), DEDUP_DUPLICATE);
	/* The window counts from the first sighting, and it expires. */
	ask("PTTL", "pgyer-relay:t:dedup:" K1, v, sizeof(v));
	CHECK(atoll(v) > 590000 && atoll(v) <= 600000);
	CHECK_INT(state_redis_forget(&cfg, K1, err, sizeof(err)), 0);
	CHECK_INT(claim(K1, NOW + 501, NOW + 511), DEDUP_NEW);
	/* Settling a mark that is gone does not make one. */
	CHECK_INT(state_redis_settle(&cfg, K3, "done", err, sizeof(err)), 0);
	ask("GET", "pgyer-relay:t:dedup:" K3, v, sizeof(v));
	CHECK_STR(v, "");
}

static void
collect(const char *webhook, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s;", webhook);
}

static void
test_notes(void)
{
	struct buf	 b = { 0 };
	char		 err[256], v[64];

	CHECK_INT(claim(K2, NOW, NOW + 10), DEDUP_NEW);
	CHECK_INT(state_redis_note(&cfg, K2, "iOS group", err, sizeof(err)),
	    0);
	CHECK_INT(state_redis_sent(&cfg, K2, collect, &b, err, sizeof(err)),
	    1);
	CHECK_STR(b.data, "iOS group;");
	ask("PTTL", "pgyer-relay:t:sent:" K2, v, sizeof(v));
	CHECK(atoll(v) > 0 && atoll(v) <= 600000);
	/* Settled: notes are no longer needed, and not added. */
	CHECK_INT(state_redis_settle(&cfg, K2, "done", err, sizeof(err)), 0);
	CHECK_INT(state_redis_note(&cfg, K2, "QA", err, sizeof(err)), 0);
	buf_reset(&b);
	CHECK_INT(state_redis_sent(&cfg, K2, collect, &b, err, sizeof(err)),
	    1);
	CHECK_STR(b.data, "iOS group;");
	/* A new claim starts without the old notes. */
	CHECK_INT(state_redis_forget(&cfg, K2, err, sizeof(err)), 0);
	CHECK_INT(claim(K2, NOW, NOW + 10), DEDUP_NEW);
	CHECK_INT(state_redis_sent(&cfg, K2, collect, &b, err, sizeof(err)),
	    0);
	buf_free(&b);
}

/* A claim by a process of this host that is gone is taken over at
 * once; one by another host only at its deadline. */
static void
test_dead_owner(void)
{
	char	 host[256], mark[512];
	pid_t	 pid;

	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(mark, sizeof(mark), "claimed:%s:%ld:%lld", host, (long)pid,
	    NOW + 1000);
	set_raw("pgyer-relay:t:dedup:" K3, mark);
	CHECK_INT(claim(K3, NOW, NOW + 10), DEDUP_TAKEN);
	set_raw("pgyer-relay:t:dedup:" K3, "claimed:elsewhere:1:1764371000");
	CHECK_INT(claim(K3, NOW, NOW + 10), DEDUP_DUPLICATE);
	CHECK_INT(claim(K3, NOW + 1000, NOW + 1010), DEDUP_TAKEN);
}

static int
take(const char *robot, enum robot_type t, long long *wait)
{
	char	 err[256];
	int	 rc;

	*wait = -1;
	rc = state_redis_take(&cfg, ratelimit_limits(t), robot, wait, err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "take: %s\n", err);
	return rc;
}

static void
test_rate_windows(void)
{
	char		 v[64];
	long long	 wait;
	int		 ok = 0;

	for (int i = 0; i < 20; i++)
		ok += take("wecom-" ROBOT, ROBOT_WECOM, &wait) == 0;
	CHECK_INT(ok, 20);
	CHECK_INT(take("wecom-" ROBOT, ROBOT_WECOM, &wait), 1);
	/* The first send leaves the minute (and a second of margin). */
	CHECK(wait > 55000 && wait <= 61000);
	ask("PTTL", "pgyer-relay:t:rate:wecom-" ROBOT, v, sizeof(v));
	CHECK(atoll(v) > 0 && atoll(v) <= 61000);
	ask("ZCARD", "pgyer-relay:t:rate:wecom-" ROBOT, v, sizeof(v));
	CHECK_STR(v, "20");
	/* Feishu: 5 a second. */
	ok = 0;
	for (int i = 0; i < 5; i++)
		ok += take("feishu-" ROBOT, ROBOT_FEISHU, &wait) == 0;
	CHECK_INT(ok, 5);
	CHECK_INT(take("feishu-" ROBOT, ROBOT_FEISHU, &wait), 1);
	CHECK(wait > 0 && wait <= 1100);
	/* Another prefix is another relay: its own count. */
	free(cfg.state_prefix);
	cfg.state_prefix = strdup("other");
	CHECK_INT(take("wecom-" ROBOT, ROBOT_WECOM, &wait), 0);
	free(cfg.state_prefix);
	cfg.state_prefix = strdup("t");
}

static void
test_too_fast(void)
{
	char		 err[256], v[64];
	long long	 wait;

	CHECK_INT(take("ding-" ROBOT, ROBOT_DINGTALK, &wait), 0);
	CHECK_INT(state_redis_refused(&cfg, ratelimit_limits(ROBOT_DINGTALK),
	    "ding-" ROBOT, err, sizeof(err)), 0);
	/* DingTalk locks the robot out for 10 minutes. */
	CHECK_INT(take("ding-" ROBOT, ROBOT_DINGTALK, &wait), 1);
	CHECK(wait > 590000 && wait <= 600000);
	ask("PTTL", "pgyer-relay:t:block:ding-" ROBOT, v, sizeof(v));
	CHECK(atoll(v) > 0 && atoll(v) <= 600000);
}

/* After a restart the server has no scripts: EVALSHA's NOSCRIPT sends
 * the text again. */
static void
test_scripts_flushed(void)
{
	char		 v[64];
	long long	 wait;

	ask("SCRIPT", "FLUSH", v, sizeof(v));
	CHECK_STR(v, "OK");
	CHECK_INT(take("json-" ROBOT, ROBOT_WECOM, &wait), 0);
	CHECK_INT(claim(K3, NOW + 5000, NOW + 5010), DEDUP_TAKEN);
}

/* Gone: -1 at once, and no new try until the next request. */
static void
test_server_gone(void)
{
	char		 err[256];
	long long	 t0, wait;

	stop_server();
	t0 = clock_mono_ms();
	CHECK_INT(state_redis_claim(&cfg, K1, NOW, 600, NOW + 10, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "Redis (state_url)") != NULL);
	CHECK_INT(state_redis_take(&cfg, ratelimit_limits(ROBOT_WECOM), ROBOT,
	    &wait, err, sizeof(err)), -1);
	CHECK(clock_mono_ms() - t0 < 2000);
	start_server();
	/* start_server() called state_redis_begin(): it answers again. */
	CHECK_INT(claim(K1, NOW, NOW + 10), DEDUP_NEW);
}

int
main(void)
{
	int	 rc;

	tmpdir_make(dir, sizeof(dir), "redis");
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	snprintf(url, sizeof(url), "unix:%s", sock);
	cfg.timeout_ms = 5000;
	cfg.state_url = url;
	cfg.state_password_file = (char *)"";
	cfg.state_prefix = strdup("t");
	start_server();
	RUN(test_claim_states);
	RUN(test_notes);
	RUN(test_dead_owner);
	RUN(test_rate_windows);
	RUN(test_too_fast);
	RUN(test_scripts_flushed);
	RUN(test_server_gone);
	state_redis_close();
	stop_server();
	tmpdir_remove(dir);
	free(cfg.state_prefix);
	rc = TEST_END();
	return rc;
}
