/* Unit tests: duplicate events.  Time is an argument; no sleeps. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "dedup.h"
#include "lock.h"
#include "event.h"
#include "test.h"
#include "tmpdir.h"

#define NOW	1764370000LL
#define WINDOW	600

static char	 dir[4096];

static void
make_event(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->field[EV_TYPE] = (char *)"updateVersion";
	ev->field[EV_TITLE] = (char *)"QQ";
	ev->field[EV_LINK] = (char *)"https://www.pgyer.com/xxxx";
	ev->field[EV_OS_VERSION] = (char *)"0.4.0";
	ev->field[EV_BUILD_VERSION] = (char *)"2";
	ev->field[EV_TIMESTAMP] = (char *)"1594781454";
	ev->field[EV_MESSAGE] = (char *)"new version";
	ev->field[EV_NOTES] = (char *)"";
}

/* Lock waits in these tests: nobody holds a lock for long. */
static long long
until(void)
{
	return clock_mono_ms() + 10000;
}

/* An event claimed and delivered at once: the CGI without a spool. */
static int
seen(const char *key, long long now, long long window)
{
	char	 err[256];
	int	 rc;

	rc = dedup_claim(dir, key, now, window, now + 10, until(), err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "dedup_claim: %s\n", err);
	if (rc == DEDUP_NEW && window > 0 && dedup_settle(dir, key, "done",
	    until(), err, sizeof(err)) == -1) {
		fprintf(stderr, "dedup_settle: %s\n", err);
		rc = -1;
	}
	return rc;
}

static int
claim(const char *key, long long now, long long deadline)
{
	char	 err[256];
	int	 rc;

	rc = dedup_claim(dir, key, now, WINDOW, deadline, until(), err,
	    sizeof(err));
	if (rc == -1)
		fprintf(stderr, "dedup_claim: %s\n", err);
	return rc;
}

/* Marker files in state_dir/dedup (the lock file is not one). */
static int
markers(void)
{
	struct dirent	*de;
	char		 path[4200];
	DIR		*d;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/dedup", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_key(void)
{
	struct event	 ev;
	char		 a[DEDUP_KEY_LEN + 1], b[DEDUP_KEY_LEN + 1];
	char		 e[256];

	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, a, e, sizeof(e)), 0);
	CHECK_INT(strlen(a), DEDUP_KEY_LEN);
	CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
	CHECK_STR(a, b);
	/* Fields outside the identity do not matter. */
	ev.field[EV_NOTES] = (char *)"other notes";
	ev.field[EV_CREATED] = (char *)"2020-07-15 10:50:54";
	CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
	CHECK_STR(a, b);
	/* Every field of the identity does. */
	CHECK_INT(dedup_key("yyyy", &ev, b, e, sizeof(e)), 0);
	CHECK(strcmp(a, b) != 0);
	for (int f = 0; f < EV__MAX; f++) {
		char		*was = ev.field[f];
		int		 in = f == EV_TYPE || f == EV_TITLE ||
		    f == EV_LINK || f == EV_OS_VERSION ||
		    f == EV_BUILD_VERSION || f == EV_TIMESTAMP ||
		    f == EV_MESSAGE;

		ev.field[f] = (char *)"changed";
		CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
		CHECK_INT(strcmp(a, b) != 0, in);
		ev.field[f] = NULL;
		CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
		CHECK_INT(strcmp(a, b) != 0, in);
		ev.field[f] = was;
	}
	/* Absent is not empty; values do not run into each other. */
	ev.field[EV_MESSAGE] = (char *)"";
	CHECK_INT(dedup_key("xxxx", &ev, a, e, sizeof(e)), 0);
	ev.field[EV_MESSAGE] = NULL;
	CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
	CHECK(strcmp(a, b) != 0);
	ev.field[EV_OS_VERSION] = (char *)"0.4.02";
	ev.field[EV_BUILD_VERSION] = (char *)"";
	CHECK_INT(dedup_key("xxxx", &ev, a, e, sizeof(e)), 0);
	ev.field[EV_OS_VERSION] = (char *)"0.4.0";
	ev.field[EV_BUILD_VERSION] = (char *)"2";
	CHECK_INT(dedup_key("xxxx", &ev, b, e, sizeof(e)), 0);
	CHECK(strcmp(a, b) != 0);
}

static void
test_window(void)
{
	struct event	 ev;
	struct stat	 st;
	char		 key[DEDUP_KEY_LEN + 1], path[4200], err[256];
	mode_t		 old;

	tmpdir_make(dir, sizeof(dir), "dedup");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	old = umask(0);
	CHECK_INT(seen(key, NOW, WINDOW), 0);
	umask(old);
	snprintf(path, sizeof(path), "%s/dedup/%s", dir, key);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_mtime, NOW);
	CHECK_INT(seen(key, NOW, WINDOW), 1);
	CHECK_INT(seen(key, NOW + WINDOW - 1, WINDOW), 1);
	/* A duplicate does not extend the window. */
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mtime, NOW);
	/* Seen too long ago: new again, and marked anew. */
	CHECK_INT(seen(key, NOW + WINDOW, WINDOW), 0);
	CHECK_INT(seen(key, NOW + WINDOW + 1, WINDOW), 1);
	/* Forgotten (nothing accepted it): the retry goes through. */
	CHECK_INT(dedup_forget(dir, key, err, sizeof(err)), 0);
	CHECK_INT(dedup_forget(dir, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, NOW + WINDOW + 2, WINDOW), 0);
	CHECK_INT(seen(key, NOW + WINDOW + 3, WINDOW), 1);
	CHECK_INT(seen("not-a-key", NOW, WINDOW), -1);
	CHECK_INT(dedup_forget(dir, "../x", err, sizeof(err)), -1);
	tmpdir_remove(dir);
}

static void
test_off(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], err[256];

	tmpdir_make(dir, sizeof(dir), "dedup-off");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, NOW, 0), 0);
	CHECK_INT(seen(key, NOW, 0), 0);
	CHECK_INT(markers(), 0);
	CHECK_INT(dedup_claim("", key, NOW, WINDOW, NOW, until(), err,
	    sizeof(err)), 0);
	CHECK_INT(dedup_claim("", key, NOW, WINDOW, NOW, until(), err,
	    sizeof(err)), 0);
	CHECK_INT(dedup_claim(NULL, key, NOW, WINDOW, NOW, until(), err,
	    sizeof(err)), 0);
	CHECK_INT(dedup_forget("", key, err, sizeof(err)), 0);
	/* A state_dir that does not exist is an error that names it. */
	snprintf(err, sizeof(err), "x");
	CHECK_INT(dedup_claim("/nonexistent/state", key, NOW, WINDOW, NOW,
	    until(), err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/state") != NULL);
	tmpdir_remove(dir);
}

/* Stale markers go in the first call after a window has passed. */
static void
test_sweep(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], ts[32], err[256];
	long long	 now = (long long)time(NULL);

	tmpdir_make(dir, sizeof(dir), "dedup-sweep");
	make_event(&ev);
	for (int i = 0; i < 5; i++) {
		snprintf(ts, sizeof(ts), "%d", i);
		ev.field[EV_TIMESTAMP] = ts;
		CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
		CHECK_INT(seen(key, now, WINDOW), 0);
	}
	CHECK_INT(markers(), 5);
	ev.field[EV_TIMESTAMP] = (char *)"fresh";
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, now + WINDOW - 1, WINDOW), 0);
	CHECK_INT(markers(), 6);		/* not a window yet */
	ev.field[EV_TIMESTAMP] = (char *)"later";
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, now + WINDOW, WINDOW), 0);
	CHECK_INT(markers(), 2);		/* "fresh" and "later" */
	tmpdir_remove(dir);
}

/*
 * Copies of one event racing: exactly one is new, whether there is no
 * marker yet or a stale one that each of them would like to replace.
 */
static int
race(const char *key, long long now)
{
	enum { COPIES = 20 };
	pid_t		 pids[COPIES];
	int		 start[2], status, fresh = 0, dup = 0;
	char		 b;

	if (pipe(start) == -1)
		return -1;
	for (int i = 0; i < COPIES; i++)
		if ((pids[i] = fork()) == 0) {
			close(start[1]);
			(void)!read(start[0], &b, 1);
			_exit(seen(key, now, WINDOW) + 1);
		}
	close(start[0]);
	close(start[1]);
	for (int i = 0; i < COPIES; i++) {
		if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status))
			continue;
		fresh += WEXITSTATUS(status) == 1;
		dup += WEXITSTATUS(status) == 2;
	}
	return fresh + dup == COPIES ? fresh : -1;
}

static void
test_concurrent(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], err[256];

	tmpdir_make(dir, sizeof(dir), "dedup-race");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(race(key, NOW), 1);
	CHECK_INT(race(key, NOW + 1), 0);
	CHECK_INT(race(key, NOW + WINDOW), 1);
	tmpdir_remove(dir);
}

/* The text of key's mark. */
static void
mark_text(const char *key, char *out, size_t len)
{
	char	 path[4200];
	FILE	*f;
	size_t	 n = 0;

	snprintf(path, sizeof(path), "%s/dedup/%s", dir, key);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

/*
 * A claim in flight: a duplicate while its owner lives and is within its
 * deadline; taken over when the owner died or overran it; settled,
 * handled for good.
 */
static void
test_owner(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], text[128], err[256];
	pid_t		 pid;
	int		 status;

	tmpdir_make(dir, sizeof(dir), "dedup-owner");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	/* We own it, until NOW + 10. */
	CHECK_INT(claim(key, NOW, NOW + 10), DEDUP_NEW);
	mark_text(key, text, sizeof(text));
	CHECK(strncmp(text, "claimed ", 8) == 0);
	CHECK_INT(claim(key, NOW + 1, NOW + 11), DEDUP_DUPLICATE);
	/* Past the deadline: taken over (by us again). */
	CHECK_INT(claim(key, NOW + 10, NOW + 20), DEDUP_TAKEN);
	CHECK_INT(claim(key, NOW + 11, NOW + 21), DEDUP_DUPLICATE);
	/* Journaled: handled, whatever the time within the window. */
	CHECK_INT(dedup_settle(dir, key, "journaled", until(), err,
	    sizeof(err)), 0);
	mark_text(key, text, sizeof(text));
	CHECK_STR(text, "journaled\n");
	CHECK_INT(claim(key, NOW + 500, NOW + 510), DEDUP_DUPLICATE);

	/* A child claims another event and dies without settling it. */
	ev.field[EV_TIMESTAMP] = (char *)"2";
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	if ((pid = fork()) == 0)
		_exit(claim(key, NOW, NOW + 100) == DEDUP_NEW ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	CHECK_INT(claim(key, NOW + 1, NOW + 101), DEDUP_TAKEN);
	/* The window still counts from the first sighting. */
	CHECK_INT(claim(key, NOW + WINDOW, NOW + WINDOW + 10), DEDUP_NEW);

	/* A mark from an older version (empty): handled. */
	ev.field[EV_TIMESTAMP] = (char *)"3";
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, NOW, WINDOW), DEDUP_NEW);
	{
		char	 path[4200];
		FILE	*f;

		snprintf(path, sizeof(path), "%s/dedup/%s", dir, key);
		CHECK((f = fopen(path, "w")) != NULL);
		if (f != NULL)
			fclose(f);
	}
	CHECK_INT(claim(key, NOW + 1, NOW + 11), DEDUP_DUPLICATE);
	tmpdir_remove(dir);
}

static void
collect(const char *webhook, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s;", webhook);
}

/* Notes of what a drain sent survive a takeover; a settled mark takes
 * none. */
static void
test_notes(void)
{
	struct event	 ev;
	struct buf	 b = { 0 };
	char		 key[DEDUP_KEY_LEN + 1], err[256];

	tmpdir_make(dir, sizeof(dir), "dedup-notes");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	/* No mark yet: nothing to note, no error. */
	CHECK_INT(dedup_note(dir, key, "QA", until(), err, sizeof(err)), 0);
	CHECK_INT(claim(key, NOW, NOW + 10), DEDUP_NEW);
	CHECK_INT(dedup_note(dir, key, "iOS group", until(), err,
	    sizeof(err)), 0);
	CHECK_INT(dedup_note(dir, key, "PM\nx", until(), err, sizeof(err)),
	    0);
	/* Taken over past the deadline: the notes stay. */
	CHECK_INT(claim(key, NOW + 20, NOW + 30), DEDUP_TAKEN);
	CHECK_INT(dedup_sent(dir, key, collect, &b, until(), err,
	    sizeof(err)), 2);
	CHECK_STR(b.data, "iOS group;PM\nx;");
	/* Settled: handled as a whole, no notes needed. */
	CHECK_INT(dedup_settle(dir, key, "journaled", until(), err,
	    sizeof(err)), 0);
	CHECK_INT(dedup_note(dir, key, "QA", until(), err, sizeof(err)), 0);
	buf_reset(&b);
	CHECK_INT(dedup_sent(dir, key, collect, &b, until(), err,
	    sizeof(err)), 0);
	buf_free(&b);
	tmpdir_remove(dir);
}

/* A lock held by a stopped process: the wait ends in time, with an
 * error that says so. */
static void
test_lock_timeout(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], path[4200], err[256];
	long long	 t;
	int		 p[2], fd;
	pid_t		 pid;
	char		 b;

	tmpdir_make(dir, sizeof(dir), "dedup-lock");
	make_event(&ev);
	CHECK_INT(dedup_key("xxxx", &ev, key, err, sizeof(err)), 0);
	CHECK_INT(seen(key, NOW, WINDOW), DEDUP_NEW);
	snprintf(path, sizeof(path), "%s/dedup/.lock", dir);
	CHECK(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if ((fd = lock_open(AT_FDCWD, path, path, clock_mono_ms() +
		    10000, err, sizeof(err))) == -1)
			_exit(1);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK_INT(read(p[0], &b, 1), 1);
	close(p[0]);
	t = clock_mono_ms();
	CHECK_INT(dedup_claim(dir, key, NOW + 1, WINDOW, NOW + 10,
	    clock_mono_ms() + 200, err, sizeof(err)), -1);
	CHECK(strstr(err, "too long") != NULL);
	CHECK(clock_mono_ms() - t >= 200);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* The holder is gone: the lock is free again. */
	CHECK_INT(claim(key, NOW + 2, NOW + 10), DEDUP_DUPLICATE);
	tmpdir_remove(dir);
}

int
main(void)
{
	RUN(test_key);
	RUN(test_owner);
	RUN(test_notes);
	RUN(test_lock_timeout);
	RUN(test_window);
	RUN(test_off);
	RUN(test_sweep);
	RUN(test_concurrent);
	return TEST_END();
}
