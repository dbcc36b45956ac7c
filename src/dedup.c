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
#include "crypto.h"
#include "event.h"
#include "hex.h"
#include "io.h"
#include "lock.h"

#define DEDUP_DIR	"dedup"
#define LOCK_FILE	".lock"
/* A mark: its state line and a note per webhook (at most a few). */
#define MARK_MAX	4096
#define NOTE		"sent "

/* The fields that make an event's identity, besides the app. */
static const enum event_field key_fields[] = {
	EV_TYPE, EV_TITLE, EV_LINK, EV_OS_VERSION, EV_BUILD_VERSION,
	EV_TIMESTAMP, EV_MESSAGE,
};

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

int
dedup_key(const char *app, const struct event *ev,
    char out[DEDUP_KEY_LEN + 1], char *err, size_t errlen)
{
	unsigned char	 md[CRYPTO_SHA256_LEN];
	struct buf	 b = { 0 };
	int		 rc;

	put_value(&b, app);
	for (size_t i = 0; i < sizeof(key_fields) / sizeof(key_fields[0]);
	    i++)
		put_value(&b, ev->field[key_fields[i]]);
	out[0] = '\0';
	if ((rc = crypto_sha256(b.data, b.len, md, err, errlen)) == 0)
		hex_encode(md, sizeof(md), out);
	buf_free(&b);
	return rc;
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
sweep(int dir, long long now, long long window)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 fd;

	/* A DIR stream consumes its descriptor: a fresh one. */
	if ((fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!valid_key(de->d_name))
			continue;
		if (fstatat(dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) &&
		    (long long)st.st_mtime <= now - window)
			(void)unlinkat(dir, de->d_name, 0);
	}
	closedir(d);
}

/* Writes the mark's text at fd and dates it when (its first sighting). */
static int
write_mark(int fd, const char *text, long long when)
{
	size_t	 len = strlen(text);

	if (ftruncate(fd, 0) == -1 || pwrite(fd, text, len, 0) !=
	    (ssize_t)len || io_chmod_private(fd) == -1)
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

/* Opens state_dir/dedup (checked) and waits for its lock; 0 or -1. */
static int
open_locked(const char *state_dir, long long until_ms, int *dir,
    int *lockfd, char *err, size_t errlen)
{
	struct buf	 path = { 0 };

	*lockfd = -1;
	if ((*dir = lock_opensub(state_dir, DEDUP_DIR, err, errlen)) == -1)
		return -1;
	buf_printf(&path, "%s/" DEDUP_DIR "/" LOCK_FILE, state_dir);
	*lockfd = lock_open(*dir, LOCK_FILE, path.data, until_ms, err,
	    errlen);
	buf_free(&path);
	return *lockfd == -1 ? -1 : 0;
}

/* Closes the descriptors that are open (-1: not). */
static void
close_all(int fd, int lockfd, int dir)
{
	if (fd != -1)
		close(fd);
	if (lockfd != -1)
		close(lockfd);
	if (dir != -1)
		close(dir);
}

static void
mark_err(char *err, size_t errlen, const char *what, const char *state_dir,
    const char *key)
{
	snprintf(err, errlen, "%s %s/" DEDUP_DIR "/%s: %s", what, state_dir,
	    key, strerror(errno));
}

int
dedup_claim(const char *state_dir, const char *key, long long now,
    long long window, long long deadline, long long until_ms, char *err,
    size_t errlen)
{
	struct buf	 text = { 0 }, taken = { 0 };
	struct stat	 st;
	const char	*notes;
	char		 mine[64];
	int		 dir = -1, lockfd = -1, fd = -1, rc = -1;

	if (state_dir == NULL || *state_dir == '\0' || window <= 0)
		return DEDUP_NEW;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	claimed_text(mine, sizeof(mine), deadline);
	if (open_locked(state_dir, until_ms, &dir, &lockfd, err, errlen) == -1)
		goto out;
	while ((fd = openat(dir, key, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR)) == -1) {
		if (errno != EEXIST ||
		    fstatat(dir, key, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			mark_err(err, errlen, "create", state_dir, key);
			goto out;
		}
		if (now - (long long)st.st_mtime < window &&
		    S_ISREG(st.st_mode)) {
			fd = openat(dir, key, O_RDWR | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC);
			if (fd == -1 || io_read_all(fd, MARK_MAX, &text) == -1) {
				mark_err(err, errlen, "read", state_dir, key);
				goto out;
			}
			if (!owner_gone(text.data != NULL ? text.data : "",
			    now)) {
				rc = DEDUP_DUPLICATE;
				goto out;
			}
			/* Ours now, with the notes of what was sent; the
			 * window still counts from the first sighting. */
			notes = strchr(text.data, '\n');
			buf_reset(&taken);
			buf_printf(&taken, "%s%s", mine, notes != NULL ?
			    notes + 1 : "");
			if (write_mark(fd, taken.data,
			    (long long)st.st_mtime) == -1) {
				mark_err(err, errlen, "write", state_dir, key);
				goto out;
			}
			rc = DEDUP_TAKEN;
			goto out;
		}
		/* Stale: seen too long ago to be the same delivery. */
		if (unlinkat(dir, key, 0) == -1) {
			mark_err(err, errlen, "unlink", state_dir, key);
			goto out;
		}
	}
	if (write_mark(fd, mine, now) == -1) {
		mark_err(err, errlen, "write", state_dir, key);
		(void)unlinkat(dir, key, 0);
		goto out;
	}
	rc = DEDUP_NEW;
	if (fstat(lockfd, &st) == 0 && (long long)st.st_mtime <= now - window) {
		sweep(dir, now, window);
		(void)set_mtime(lockfd, now);
	}
out:
	close_all(fd, lockfd, dir);
	buf_free(&text);
	buf_free(&taken);
	return rc;
}

int
dedup_settle(const char *state_dir, const char *key, const char *state,
    long long until_ms, char *err, size_t errlen)
{
	struct buf	 text = { 0 };
	struct stat	 st;
	int		 dir = -1, lockfd = -1, fd = -1, rc = -1;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	if (open_locked(state_dir, until_ms, &dir, &lockfd, err, errlen) == -1)
		goto out;
	buf_printf(&text, "%s\n", state);
	if ((fd = openat(dir, key, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 ||
	    write_mark(fd, text.data, (long long)st.st_mtime) == -1) {
		mark_err(err, errlen, "write", state_dir, key);
		goto out;
	}
	rc = 0;
out:
	close_all(fd, lockfd, dir);
	buf_free(&text);
	return rc;
}

/* Opens key's mark under the lock and reads it: 0, 1 when there is
 * none, -1 with err. */
static int
read_mark(const char *state_dir, const char *key, long long until_ms,
    int *dir, int *lockfd, int *fd, struct buf *text, char *err,
    size_t errlen)
{
	*fd = -1;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	if (open_locked(state_dir, until_ms, dir, lockfd, err, errlen) == -1)
		return -1;
	if ((*fd = openat(*dir, key, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 && errno == ENOENT)
		return 1;
	if (*fd == -1 || io_read_all(*fd, MARK_MAX, text) == -1) {
		mark_err(err, errlen, "read", state_dir, key);
		return -1;
	}
	return 0;
}

int
dedup_note(const char *state_dir, const char *key, const char *webhook,
    long long until_ms, char *err, size_t errlen)
{
	struct buf	 text = { 0 };
	struct stat	 st;
	char		 name[2 * 256 + 1];
	int		 dir = -1, lockfd = -1, fd = -1, rc;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	if (strlen(webhook) > 256) {
		snprintf(err, errlen, "dedup: webhook name too long");
		return -1;
	}
	rc = read_mark(state_dir, key, until_ms, &dir, &lockfd, &fd, &text,
	    err, errlen);
	/* No mark, or a settled one: nothing to add. */
	if (rc != 0 || text.data == NULL || strncmp(text.data, "claimed ",
	    8) != 0)
		goto out;
	hex_encode((const unsigned char *)webhook, strlen(webhook), name);
	buf_printf(&text, NOTE "%s\n", name);
	if (fstat(fd, &st) == -1 || text.len > MARK_MAX ||
	    write_mark(fd, text.data, (long long)st.st_mtime) == -1) {
		mark_err(err, errlen, "write", state_dir, key);
		rc = -1;
	}
out:
	close_all(fd, lockfd, dir);
	buf_free(&text);
	return rc == 1 ? 0 : rc;
}

/* One hex digit's value, or -1. */
static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
dedup_sent(const char *state_dir, const char *key,
    void (*fn)(const char *webhook, void *arg), void *arg,
    long long until_ms, char *err, size_t errlen)
{
	struct buf	 text = { 0 }, name = { 0 };
	const char	*p, *end;
	int		 dir = -1, lockfd = -1, fd = -1, rc, n = 0, hi, lo;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	rc = read_mark(state_dir, key, until_ms, &dir, &lockfd, &fd, &text,
	    err, errlen);
	close_all(fd, lockfd, dir);
	for (p = text.data; rc == 0 && p != NULL && *p != '\0'; p = end) {
		end = p + strcspn(p, "\n");
		if (strncmp(p, NOTE, strlen(NOTE)) == 0) {
			buf_reset(&name);
			for (p += strlen(NOTE); p + 1 < end; p += 2) {
				if ((hi = unhex(p[0])) == -1 ||
				    (lo = unhex(p[1])) == -1)
					break;
				buf_putc(&name, (char)(hi << 4 | lo));
			}
			if (name.len > 0 && p == end) {
				fn(name.data, arg);
				n++;
			}
		}
		if (*end == '\n')
			end++;
	}
	buf_free(&text);
	buf_free(&name);
	return rc == -1 ? -1 : n;
}

int
dedup_forget(const char *state_dir, const char *key, char *err,
    size_t errlen)
{
	int	 dir, rc = 0;

	if (state_dir == NULL || *state_dir == '\0')
		return 0;
	if (!valid_key(key)) {
		snprintf(err, errlen, "dedup: bad key");
		return -1;
	}
	if ((dir = lock_opensub(state_dir, DEDUP_DIR, err, errlen)) == -1)
		return -1;
	if (unlinkat(dir, key, 0) == -1 && errno != ENOENT) {
		mark_err(err, errlen, "unlink", state_dir, key);
		rc = -1;
	}
	close(dir);
	return rc;
}

void
dedup_path(struct buf *path, const char *state_dir, const char *key)
{
	buf_printf(path, "%s/" DEDUP_DIR "/%s", state_dir, key);
}
