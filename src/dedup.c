/*
 * Duplicate events: see dedup.h.
 *
 * Checking a marker, replacing a stale one and sweeping happen under one
 * flock on state_dir/dedup/.lock: without it, two processes could both
 * find the same stale marker, and the second would delete the marker the
 * first had just made and both would deliver.  The lock is held for a
 * few system calls.  The lock file's mtime is when the last sweep ran.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dedup.h"
#include "event.h"
#include "lock.h"
#include "sign.h"

#define DEDUP_DIR	"dedup"
#define LOCK_FILE	".lock"

/* The fields that make an event's identity, besides the app. */
static const enum event_field key_fields[] = {
	EV_TYPE, EV_TITLE, EV_LINK, EV_OS_VERSION, EV_BUILD_VERSION,
	EV_TIMESTAMP, EV_MESSAGE,
};

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Each value length-prefixed, absent ones marked: no two different
 * events hash the same input. */
static void
put_value(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_puts(b, "-\n");
	else
		buf_printf(b, "%zu:%s\n", strlen(s), s);
}

void
dedup_key(const char *app, const struct event *ev,
    char out[DEDUP_KEY_LEN + 1])
{
	unsigned char	 md[SIGN_SHA256_LEN];
	struct buf	 b = { 0 };

	put_value(&b, app);
	for (size_t i = 0; i < sizeof(key_fields) / sizeof(key_fields[0]);
	    i++)
		put_value(&b, ev->field[key_fields[i]]);
	sign_sha256(b.data, b.len, md);
	hex(md, sizeof(md), out);
	buf_free(&b);
}

static int
valid_key(const char *key)
{
	return strlen(key) == DEDUP_KEY_LEN &&
	    strspn(key, "0123456789abcdef") == DEDUP_KEY_LEN;
}

static int
set_mtime(int fd, long long t)
{
	struct timespec	 ts[2];

	ts[0].tv_sec = ts[1].tv_sec = (time_t)t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return futimens(fd, ts);
}

/* Removes the markers last seen window seconds or more before now. */
static void
sweep(const char *dir, long long now, long long window)
{
	struct buf	 path = { 0 };
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!valid_key(de->d_name))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.data, &st) == 0 && S_ISREG(st.st_mode) &&
		    (long long)st.st_mtime <= now - window)
			unlink(path.data);
	}
	closedir(d);
	buf_free(&path);
}

/* Writes the mark's text at fd and dates it when (its first sighting). */
static int
write_mark(int fd, const char *text, long long when)
{
	size_t	 len = strlen(text);

	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, len, 0) !=
	    (ssize_t)len || lock_private(fd) == -1)
		return -1;
	return set_mtime(fd, when);
}

static void
claimed_text(char *out, size_t len, long long deadline)
{
	snprintf(out, len, "claimed %ld %lld\n", (long)getpid(), deadline);
}

/*
 * 1 when the mark's text is a claim whose owner is gone at now: dead, or
 * past its deadline.  0 for a live owner within its deadline, and for
 * "journaled", "done" and the empty mark of an older version (handled).
 */
static int
owner_gone(const char *text, long long now)
{
	long		 pid;
	long long	 deadline;

	if (sscanf(text, "claimed %ld %lld", &pid, &deadline) != 2)
		return 0;
	if (pid <= 0 || now >= deadline)
		return 1;
	/* EPERM: alive under another user (a reused pid): the deadline
	 * ends that. */
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int
dedup_claim(const char *state_dir, const char *key, long long now,
    long long window, long long deadline, long long until_ms, char *err,
    size_t errlen)
{
	struct buf	 dir = { 0 }, path = { 0 }, text = { 0 };
	struct stat	 st;
	char		 mine[64];
	int		 lockfd = -1, fd = -1, rc = -1;

	if (state_dir == NULL || *state_dir == '\0' || window <= 0)
		return DEDUP_NEW;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	claimed_text(mine, sizeof(mine), deadline);
	buf_printf(&dir, "%s/" DEDUP_DIR, state_dir);
	if (mkdir(dir.data, S_IRWXU) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir.data,
		    strerror(errno));
		goto out;
	}
	buf_printf(&path, "%s/" LOCK_FILE, dir.data);
	if ((lockfd = lock_open(path.data, until_ms, err, errlen)) == -1)
		goto out;
	buf_reset(&path);
	buf_printf(&path, "%s/%s", dir.data, key);
	while ((fd = open(path.data, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR)) == -1) {
		if (errno != EEXIST || lstat(path.data, &st) == -1) {
			snprintf(err, errlen, "create %s: %s", path.data,
			    strerror(errno));
			goto out;
		}
		if (now - (long long)st.st_mtime < window &&
		    S_ISREG(st.st_mode)) {
			fd = open(path.data, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
			if (fd == -1 || lock_read(fd, 256, &text) == -1) {
				snprintf(err, errlen, "read %s: %s",
				    path.data, strerror(errno));
				goto out;
			}
			if (!owner_gone(text.data != NULL ? text.data : "",
			    now)) {
				rc = DEDUP_DUPLICATE;
				goto out;
			}
			/* Ours now; the window still counts from the
			 * first sighting. */
			if (write_mark(fd, mine, (long long)st.st_mtime) ==
			    -1) {
				snprintf(err, errlen, "%s: %s", path.data,
				    strerror(errno));
				goto out;
			}
			rc = DEDUP_TAKEN;
			goto out;
		}
		/* Stale: seen too long ago to be the same delivery. */
		if (unlink(path.data) == -1) {
			snprintf(err, errlen, "unlink %s: %s", path.data,
			    strerror(errno));
			goto out;
		}
	}
	if (write_mark(fd, mine, now) == -1) {
		snprintf(err, errlen, "%s: %s", path.data, strerror(errno));
		unlink(path.data);
		goto out;
	}
	rc = DEDUP_NEW;
	if (fstat(lockfd, &st) == 0 && (long long)st.st_mtime <= now - window) {
		sweep(dir.data, now, window);
		(void)set_mtime(lockfd, now);
	}
out:
	if (fd != -1)
		close(fd);
	if (lockfd != -1)
		close(lockfd);
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int
dedup_settle(const char *state_dir, const char *key, const char *state,
    long long until_ms, char *err, size_t errlen)
{
	struct buf	 path = { 0 }, text = { 0 };
	struct stat	 st;
	int		 lockfd = -1, fd = -1, rc = -1;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	buf_printf(&path, "%s/" DEDUP_DIR "/" LOCK_FILE, state_dir);
	if ((lockfd = lock_open(path.data, until_ms, err, errlen)) == -1)
		goto out;
	buf_reset(&path);
	dedup_path(&path, state_dir, key);
	buf_printf(&text, "%s\n", state);
	if ((fd = open(path.data, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 ||
	    write_mark(fd, text.data, (long long)st.st_mtime) == -1) {
		snprintf(err, errlen, "%s: %s", path.data, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (lockfd != -1)
		close(lockfd);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int
dedup_forget(const char *state_dir, const char *key, char *err,
    size_t errlen)
{
	struct buf	 path = { 0 };
	int		 rc = 0;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	dedup_path(&path, state_dir, key);
	if (unlink(path.data) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "unlink %s: %s", path.data,
		    strerror(errno));
		rc = -1;
	}
	buf_free(&path);
	return rc;
}

void
dedup_path(struct buf *path, const char *state_dir, const char *key)
{
	buf_printf(path, "%s/" DEDUP_DIR "/%s", state_dir, key);
}
