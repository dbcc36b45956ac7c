/* Unit tests: log (the sanitiser, the destinations, the setting). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "test.h"
#include "tmpdir.h"

/* Reads the whole file at path into b (emptied first). */
static void
slurp(struct buf *b, const char *path)
{
	char	 chunk[4096];
	ssize_t	 n;
	int	 fd;

	buf_reset(b);
	buf_puts(b, "");
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(b, chunk, (size_t)n);
	close(fd);
}

/*
 * What log_msg() writes to stderr for one call, with stderr pointed at a
 * scratch file meanwhile.
 */
static char	 cap_dir[4096], cap_path[4200];
static int	 cap_saved = -1;

static void
capture_start(void)
{
	int	 fd;

	snprintf(cap_path, sizeof(cap_path), "%s/stderr", cap_dir);
	fd = open(cap_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	cap_saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static void
capture_end(struct buf *out)
{
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	slurp(out, cap_path);
}

static void
test_plain_line(void)
{
	struct buf	 b = { 0 };

	capture_start();
	log_msg("%d app=%s type=%s webhooks=%zu ms=%lld x=%u %ld %c%%", 200,
	    "oooplay", "updateVersion", (size_t)3, 12LL, 7u, -5L, 'z');
	capture_end(&b);
	CHECK_STR(b.data, "pgyer-relay: 200 app=oooplay type=updateVersion "
	    "webhooks=3 ms=12 x=7 -5 z%\n");
	capture_start();
	log_msg("config: %.*s", 3, "abcdef");
	capture_end(&b);
	CHECK_STR(b.data, "pgyer-relay: config: abc\n");
	buf_free(&b);
}

/* ?app= from anyone: a terminal escape and a right-to-left override. */
static void
test_hostile_field(void)
{
	struct buf	 b = { 0 };

	capture_start();
	log_msg("404 unknown app app=%s",
	    "x\x1b[2J\x1b]0;pwned\x07\xe2\x80\xae" "evil\r\nfake line");
	capture_end(&b);
	CHECK_STR(b.data, "pgyer-relay: 404 unknown app app=x\\x1b[2J"
	    "\\x1b]0;pwned\\x07\\u202eevil\\x0d\\x0afake line\n");
	buf_free(&b);
}

static void
test_escape(void)
{
	struct buf	 b = { 0 };
	/* C1 CSI (U+009B), NEL (U+0085), LS, PS, LRI..PDI, RLM, ALM, and
	 * what stays: "应用", an emoji. */
	const char	*s = "\xc2\x9b" "1m\xc2\x85\xe2\x80\xa8\xe2\x80\xa9"
	    "\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c"
	    "\xe5\xba\x94\xe7\x94\xa8\xf0\x9f\x98\x80";

	log_escape(&b, s, strlen(s), 0);
	CHECK_STR(b.data, "\\u009b1m\\u0085\\u2028\\u2029\\u2066\\u2069"
	    "\\u200f\\u061c\xe5\xba\x94\xe7\x94\xa8\xf0\x9f\x98\x80");
	buf_reset(&b);
	/* Invalid UTF-8 byte by byte; quotes and backslashes. */
	log_escape(&b, "\xc0\xaf\xff\xe5\xba \"\\\x7f", 9, 0);
	CHECK_STR(b.data, "\\xc0\\xaf\\xff\\xe5\\xba \\\"\\\\\\x7f");
	buf_reset(&b);
	/* An embedded NUL with an explicit length. */
	log_escape(&b, "a\0b", 3, 0);
	CHECK_STR(b.data, "a\\x00b");
	buf_free(&b);
}

/*
 * The same characters shown as U+FFFD, backslash and quote kept: a robot's
 * message stored in a verdict, which log_msg() then escapes once.
 */
static void
test_printable(void)
{
	struct buf	 b = { 0 }, line = { 0 };
	const char	*s = "a\x1b[2J\xc2\x85\xe2\x80\xae\xff \"\\x09\" "
	    "\xe5\xba\x94";

	log_printable(&b, s, strlen(s), 0);
	CHECK_STR(b.data, "a\ufffd[2J\ufffd\ufffd\ufffd \"\\x09\" 应");
	capture_start();
	log_msg("wecom: %s", b.data);
	capture_end(&line);
	CHECK_STR(line.data, "pgyer-relay: wecom: a\ufffd[2J\ufffd\ufffd"
	    "\ufffd \\\"\\\\x09\\\" 应\n");
	buf_free(&b);
	buf_free(&line);
}

/* Cuts between characters, never inside "应" or an escape. */
static void
test_escape_cut(void)
{
	struct buf	 b = { 0 };

	log_escape(&b, "ab\xe5\xba\x94\xe7\x94\xa8", 8, 4);
	CHECK_STR(b.data, "ab...(6 more bytes)");
	buf_reset(&b);
	log_escape(&b, "ab\x1b" "cd", 5, 5);
	CHECK_STR(b.data, "ab...(3 more bytes)");
	buf_reset(&b);
	log_escape(&b, "abcd", 4, 4);
	CHECK_STR(b.data, "abcd");
	buf_free(&b);
}

/* A 6 KB "type" must not push the delivery's result off its line. */
static void
test_long_field_keeps_result(void)
{
	struct buf	 b = { 0 };
	char		*type = malloc(6001);
	const char	*tail;

	memset(type, 'T', 6000);
	type[6000] = '\0';
	capture_start();
	log_msg("app=%s type=%s webhook=\"%s\" %s%s%s ms=%ld", "oooplay",
	    type, "wecom group", "failed", ": ", "errcode 93000", 42L);
	capture_end(&b);
	tail = "webhook=\"wecom group\" failed: errcode 93000 ms=42\n";
	CHECK(b.len < 1000);
	CHECK(b.len > strlen(tail) &&
	    strcmp(b.data + b.len - strlen(tail), tail) == 0);
	CHECK(strstr(b.data, "...(5700 more bytes)") != NULL);
	free(type);
	buf_free(&b);
}

static void
test_setting_check(void)
{
	const char	*why;

	CHECK_INT(log_setting_check("stderr", &why), 0);
	CHECK_INT(log_setting_check("syslog", &why), 0);
	CHECK_INT(log_setting_check("syslog:local0", &why), 0);
	CHECK_INT(log_setting_check("syslog:daemon", &why), 0);
	CHECK_INT(log_setting_check("/var/log/pgyer-relay/relay.log", &why),
	    0);
	CHECK_INT(log_setting_check("syslog:local8", &why), -1);
	CHECK(why != NULL && strstr(why, "facility") != NULL);
	CHECK_INT(log_setting_check("syslog:", &why), -1);
	CHECK_INT(log_setting_check("relay.log", &why), -1);
	CHECK(why != NULL && strstr(why, "absolute") != NULL);
	CHECK_INT(log_setting_check("", &why), -1);
	CHECK_INT(log_setting_check("Stderr", &why), -1);
	CHECK_INT(log_setting_check("/var/log/", &why), -1);
	CHECK_INT(log_setting_check("/var/log/a\nb", &why), -1);
}

static void
test_facility(void)
{
	CHECK_INT(log_facility("daemon"), LOG_DAEMON);
	CHECK_INT(log_facility("user"), LOG_USER);
	CHECK_INT(log_facility("local0"), LOG_LOCAL0);
	CHECK_INT(log_facility("local7"), LOG_LOCAL7);
	CHECK_INT(log_facility("kern"), -1);
	CHECK_INT(log_facility("LOCAL0"), -1);
	CHECK_INT(log_facility(""), -1);
}

/* A file: appended to, one line per call, created 0640, nothing on
 * stderr. */
static void
test_file(void)
{
	struct buf	 b = { 0 }, out = { 0 };
	struct stat	 st;
	char		 path[4200], err[256];
	const char	*p;
	int		 fd;

	snprintf(path, sizeof(path), "%s/relay.log", cap_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(write(fd, "before\n", 7) == 7);
	close(fd);
	capture_start();
	CHECK_INT(log_open(path, err, sizeof(err)), 0);
	log_msg("first %s", "\xe2\x80\xae");
	log_msg("second");
	log_urgent("deadline passed");
	log_close();
	log_msg("after close");
	capture_end(&out);
	CHECK_STR(out.data, "pgyer-relay: after close\n");
	slurp(&b, path);
	CHECK(strncmp(b.data, "before\n", 7) == 0);
	/* "2026-01-02T03:04:05Z pgyer-relay[PID]: first \u202e" */
	p = b.data + 7;
	CHECK(strlen(p) > 21 && p[4] == '-' && p[10] == 'T' && p[19] == 'Z');
	CHECK(strstr(p, " pgyer-relay[") != NULL);
	CHECK(strstr(p, "]: first \\u202e\n") != NULL);
	CHECK(strstr(p, "]: second\n") != NULL);
	CHECK(strstr(p, "pgyer-relay: deadline passed\n") != NULL);
	/* A new file: created 0640 (less the umask). */
	unlink(path);
	CHECK_INT(log_open(path, err, sizeof(err)), 0);
	log_close();
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777 & ~0640) == 0);
	buf_free(&b);
	buf_free(&out);
}

/* A symbolic link, a directory, a relative path: refused, lines keep
 * going to stderr, and the target is not written. */
static void
test_file_refused(void)
{
	struct buf	 b = { 0 }, out = { 0 };
	char		 path[4200], target[4200], err[256];

	snprintf(target, sizeof(target), "%s/target", cap_dir);
	snprintf(path, sizeof(path), "%s/link.log", cap_dir);
	close(open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	CHECK(symlink(target, path) == 0);
	capture_start();
	CHECK_INT(log_open(path, err, sizeof(err)), -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK_INT(log_open(cap_dir, err, sizeof(err)), -1);
	CHECK_INT(log_open("relay.log", err, sizeof(err)), -1);
	CHECK(strstr(err, "absolute") != NULL);
	log_msg("still here");
	capture_end(&out);
	CHECK_STR(out.data, "pgyer-relay: still here\n");
	slurp(&b, target);
	CHECK_STR(b.data, "");
	buf_free(&b);
	buf_free(&out);
}

/* A refused setting keeps the destination that worked. */
static void
test_file_kept(void)
{
	struct buf	 b = { 0 };
	char		 path[4200], err[256];

	snprintf(path, sizeof(path), "%s/kept.log", cap_dir);
	CHECK_INT(log_open(path, err, sizeof(err)), 0);
	CHECK_INT(log_open("syslog:nope", err, sizeof(err)), -1);
	log_msg("kept");
	log_close();
	slurp(&b, path);
	CHECK(strstr(b.data, "]: kept\n") != NULL);
	buf_free(&b);
}

static void
test_describe(void)
{
	struct buf	 b = { 0 };

	log_describe(&b, "syslog:local3");
	CHECK_STR(b.data, "syslog, ident pgyer-relay, facility local3 "
	    "(journalctl -t pgyer-relay)");
	buf_reset(&b);
	log_describe(&b, "syslog");
	CHECK(strstr(b.data, "facility daemon") != NULL);
	buf_reset(&b);
	log_describe(&b, "/var/log/pgyer-relay/pgyer-relay.log");
	CHECK_STR(b.data, "the file /var/log/pgyer-relay/pgyer-relay.log");
	buf_reset(&b);
	log_describe(&b, "stderr");
	CHECK(strncmp(b.data, "stderr", 6) == 0);
	buf_free(&b);
}

/* --check's warnings: a world-readable file, a link, a missing file. */
static void
test_warnings(void)
{
	struct buf	 b = { 0 };
	char		 path[4200], link[4200];

	snprintf(path, sizeof(path), "%s/w.log", cap_dir);
	snprintf(link, sizeof(link), "%s/w-link.log", cap_dir);
	CHECK_INT(log_warnings(&b, "stderr"), 0);
	CHECK_INT(log_warnings(&b, path), 1);
	CHECK(strstr(b.data, "No such file") != NULL);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	chmod(path, 0644);
	buf_reset(&b);
	CHECK_INT(log_warnings(&b, path), 1);
	CHECK(strstr(b.data, "readable by every user") != NULL);
	chmod(path, 0620);
	buf_reset(&b);
	CHECK_INT(log_warnings(&b, path), 0);
	/* Owned by root (make install run as root without the chgrp). */
	if (geteuid() == 0) {
		chmod(path, 0600);
		CHECK_INT(log_warnings(&b, path), 1);
		CHECK(strstr(b.data, "only root may write it") != NULL);
		chmod(path, 0620);
		buf_reset(&b);
	}
	CHECK(symlink(path, link) == 0);
	CHECK_INT(log_warnings(&b, link), 1);
	CHECK(strstr(b.data, "symbolic link") != NULL);
	buf_free(&b);
}

int
main(void)
{
	tmpdir_make(cap_dir, sizeof(cap_dir), "log");
	RUN(test_plain_line);
	RUN(test_hostile_field);
	RUN(test_escape);
	RUN(test_printable);
	RUN(test_escape_cut);
	RUN(test_long_field_keeps_result);
	RUN(test_setting_check);
	RUN(test_facility);
	RUN(test_file);
	RUN(test_file_refused);
	RUN(test_file_kept);
	RUN(test_describe);
	RUN(test_warnings);
	tmpdir_remove(cap_dir);
	return TEST_END();
}
