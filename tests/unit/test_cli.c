/*
 * Unit tests: cli.c, the command line, run in a child process each time
 * (as a user runs it) with its output kept.  What a user sees: a mistyped
 * command line gets the usage and exit 2, saying what was wrong;
 * --check prints the config's summary and warns about what would bite;
 * --dry-run prints each request with the robot's key and signature
 * masked.  tests/cgi/test_cli.py runs the built program for --test,
 * --version and the config errors.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"
#include "tmpdir.h"

static char	 dir[256], out[8192], err[8192];

static void
slurp(const char *path, char *dst, size_t len)
{
	FILE	*f;
	size_t	 n = 0;

	if ((f = fopen(path, "r")) != NULL) {
		n = fread(dst, 1, len - 1, f);
		fclose(f);
	}
	dst[n] = '\0';
}

/*
 * Runs the command line argv (NULL-terminated) with stdin from `in`;
 * fills out and err; returns the exit status, -1 when it did not exit.
 */
static int
run(const char *in, const char *const *argv)
{
	char	 p_in[300], p_out[300], p_err[300];
	char	*args[32];
	int	 argc = 0, status, fd;
	pid_t	 pid;

	snprintf(p_in, sizeof(p_in), "%s/stdin", dir);
	snprintf(p_out, sizeof(p_out), "%s/stdout", dir);
	snprintf(p_err, sizeof(p_err), "%s/stderr", dir);
	CHECK(tmpdir_write(p_in, in, strlen(in)) == 0);
	args[argc++] = (char *)"pgyer-relay.cgi";
	while (*argv != NULL && argc < 31)
		args[argc++] = (char *)*argv++;
	args[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((fd = open(p_in, O_RDONLY)) == -1 ||
		    dup2(fd, STDIN_FILENO) == -1 ||
		    (fd = open(p_out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
		    -1 || dup2(fd, STDOUT_FILENO) == -1 ||
		    (fd = open(p_err, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
		    -1 || dup2(fd, STDERR_FILENO) == -1)
			_exit(99);
		status = cli_main(argc, args);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	slurp(p_out, out, sizeof(out));
	slurp(p_err, err, sizeof(err));
	return WEXITSTATUS(status);
}

#define RUN_CLI(in, ...)	\
	run((in), (const char *const[]){ __VA_ARGS__, NULL })

/* A mistyped command line: the usage, exit 2, and what was wrong. */
static void
test_usage(void)
{
	static const struct {
		const char	*args[4];
		const char	*says;	/* before the usage, or NULL */
	} cases[] = {
		{ { NULL }, NULL },
		{ { "--frobnicate" }, "unknown option --frobnicate" },
		{ { "--check", "--drain" }, NULL },
		{ { "--dry-run", "--app" }, "--app needs a value" },
		{ { "--drain", "--max-seconds" },
		    "--max-seconds needs a value" },
		{ { "--drain", "--max-seconds", "0" },
		    "--max-seconds takes 1 to 86400" },
		{ { "--drain", "--max-seconds", "86401" },
		    "--max-seconds takes 1 to 86400" },
		{ { "--drain", "--max-seconds", "5s" },
		    "--max-seconds takes 1 to 86400" },
		{ { "--spool-status", "--all" },
		    "--all and --max-seconds go with --drain" },
		{ { "--test" }, "--test needs --app KEY" },
	};
	const char	*argv[5];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(argv, cases[i].args, sizeof(cases[i].args));
		argv[4] = NULL;
		CHECK_INT(run("", argv), 2);
		CHECK(strstr(err, "usage: pgyer-relay.cgi --check") != NULL);
		if (cases[i].says != NULL && strstr(err, cases[i].says) ==
		    NULL) {
			fprintf(stderr, "case %zu: want \"%s\" in:\n%s", i,
			    cases[i].says, err);
			CHECK(0);
		}
		CHECK_STR(out, "");
	}
	CHECK_INT(RUN_CLI("", "--help"), 0);
	CHECK(strncmp(out, "usage: ", 7) == 0);
	CHECK(strstr(out, "--dry-run") != NULL);
	CHECK_STR(err, "");
}

#define WECOM_KEY	"693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
#define FEISHU_SECRET	"do-not-print-this-secret"

static const char config[] =
"{\"timeout_ms\":5000,\"apps\":{\"oooplay_test\":{\"token\":\"t0k\","
"\"webhooks\":[{\"name\":\"team\",\"type\":\"wecom\",\"url\":"
"\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" WECOM_KEY "\","
"\"events\":[\"*\"]},"
"{\"name\":\"ops\",\"type\":\"feishu\",\"secret\":\"" FEISHU_SECRET "\","
"\"url\":\"https://open.feishu.cn/open-apis/bot/v2/hook/hook-id-secret\","
"\"events\":[\"updateVersion\"]}]},"
"\"open\":{\"webhooks\":[]}}}";

static void
write_config(const char *path, const char *text, mode_t mode)
{
	CHECK(tmpdir_write(path, text, strlen(text)) == 0);
	CHECK(chmod(path, mode) == 0);
}

static void
test_check(void)
{
	char	 path[300];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_config(path, config, 0600);
	CHECK_INT(RUN_CLI("", "--check", path), 0);
	CHECK(strstr(out, ": ok\n") != NULL);
	CHECK(strstr(out, "app oooplay_test (token required): 2 webhooks\n")
	    != NULL);
	CHECK(strstr(out, "app open (no token): 0 webhooks\n") != NULL);
	CHECK(strstr(out, "team") != NULL && strstr(out, "wecom") != NULL);
	CHECK(strstr(out, "signed") != NULL);
	CHECK(strstr(err, "warning: app open has no token") != NULL);
	CHECK(strstr(err, "readable by every user") == NULL);
	CHECK(strstr(out, WECOM_KEY) == NULL && strstr(err, WECOM_KEY) ==
	    NULL);
	CHECK(strstr(out, FEISHU_SECRET) == NULL);

	/* Keys readable by every user: said, with the fix. */
	CHECK(chmod(path, 0644) == 0);
	CHECK_INT(RUN_CLI("", "--check", path), 0);
	CHECK(strstr(err, "readable by every user and holds robot keys: "
	    "chmod o-r ") != NULL);

	/* A broken config: exit 1, the place of each problem. */
	write_config(path, "{\"apps\":{\"a\":{\"webhooks\":[{\"name\":\"x\","
	    "\"type\":\"slack\",\"events\":[\"*\"],"
	    "\"url\":\"https://example.com/\"}]}}}", 0600);
	CHECK_INT(RUN_CLI("", "--check", path), 1);
	CHECK(strstr(err, "configuration errors") != NULL);
	CHECK(strstr(err, "apps.a.webhooks[0].type: must be \"wecom\"") !=
	    NULL);
	CHECK_STR(out, "");
}

static const char event[] =
"{\"action\":\"应用更新\",\"title\":\"QQ\","
"\"link\":\"https://www.pgyer.com/oooplay_test\","
"\"message\":\"您的应用QQ有了新的版本(0.4.0)更新。\","
"\"type\":\"updateVersion\",\"os_version\":\"0.4.0\","
"\"build_version\":\"2\",\"created\":\"2020-07-15 10:50:54\","
"\"timestamp\":1594781454,\"device_type\":\"iOS\",\"notes\":\"\"}";

/* Each request it would send, keys and signatures masked. */
static void
test_dry_run(void)
{
	char	 path[300];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	write_config(path, config, 0600);
	CHECK_INT(RUN_CLI(event, "--dry-run", "--config", path), 0);
	CHECK(strstr(out, "# webhook \"team\" (wecom)\n") != NULL);
	CHECK(strstr(out, "# webhook \"ops\" (feishu)\n") != NULL);
	CHECK(strstr(out, "POST https://qyapi.weixin.qq.com/") != NULL);
	CHECK(strstr(out, "QQ 应用更新") != NULL);
	CHECK(strstr(out, "\"sign\":\"***\"") != NULL);
	CHECK(strstr(out, WECOM_KEY) == NULL);
	CHECK(strstr(out, "hook-id-secret") == NULL);
	CHECK(strstr(out, FEISHU_SECRET) == NULL);

	/* --webhook: that one only. */
	CHECK_INT(RUN_CLI(event, "--dry-run", "--config", path, "--webhook",
	    "ops"), 0);
	CHECK(strstr(out, "\"team\"") == NULL);
	CHECK(strstr(out, "\"ops\"") != NULL);

	/* Not an event: said, nothing printed as if sent. */
	CHECK_INT(RUN_CLI("{\"type\":", "--dry-run", "--config", path), 1);
	CHECK(strstr(out, "POST") == NULL);
	CHECK(err[0] != '\0');
}

int
main(void)
{
	int	 rc;

	tmpdir_make(dir, sizeof(dir), "cli");
	RUN(test_usage);
	RUN(test_check);
	RUN(test_dry_run);
	rc = TEST_END();
	tmpdir_remove(dir);
	return rc;
}
