/*
 * File locks: see lock.h.
 *
 * flock() is a BSD call that POSIX does not define, so glibc declares it
 * only with _DEFAULT_SOURCE; the rest of the tree builds with plain
 * _POSIX_C_SOURCE and keeps it that way.  We want flock and not POSIX
 * fcntl() locks because fcntl locks belong to the process: a process
 * that opens an item twice would "claim" it twice, and closing any
 * descriptor of the file silently drops the lock.  (Linux's OFD fcntl
 * locks fix that but need _GNU_SOURCE and are not on the BSDs.)
 */
#define _DEFAULT_SOURCE

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "io.h"
#include "lock.h"

/*
 * The first and the longest nap between two tries of a held lock, in
 * microseconds.  A holder keeps it for a few system calls, but may be
 * preempted while it does: waiters that slept up to 20 ms, from 1 ms up,
 * missed its release for long (make bench, four FastCGI workers sharing
 * state_dir: 1730 requests/s, p99 122 ms; with these: 2328/s, p99
 * 12 ms).  A waiter then tries a thousand times a second at most.
 */
#define NAP_MIN_US	50
#define NAP_MAX_US	1000

int
lock_open(int dirfd, const char *name, const char *path, long long until_ms,
    char *err, size_t errlen)
{
	int	 fd;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (lock_wait(fd, until_ms) == -1 || io_chmod_private(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == ETIMEDOUT ?
		    "lock held by another process for too long" :
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
lock_try(int fd)
{
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			return 1;
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * flock() has no timeout, and an alarm would take the CGI's deadline
 * signal: try without blocking, nap, try again, each nap twice the last.
 */
int
lock_wait(int fd, long long until_ms)
{
	struct timespec	 nap;
	long long	 left, us = NAP_MIN_US;
	int		 rc;

	while ((rc = lock_try(fd)) == 1) {
		if ((left = until_ms - clock_mono_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (us > left * 1000)
			us = left * 1000;
		nap.tv_sec = 0;
		nap.tv_nsec = (long)us * 1000;
		(void)nanosleep(&nap, NULL);
		us = us * 2 < NAP_MAX_US ? us * 2 : NAP_MAX_US;
	}
	return rc;
}

int
lock_opendir(int at, const char *name, const char *path, int create,
    char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd;

	if (create && mkdirat(at, name, S_IRWXU) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			snprintf(err, errlen, "%s is not a directory (a "
			    "symbolic link is not followed)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "stat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to uid %ld, not to the user "
		    "running the relay (uid %ld): run the relay as its owner "
		    "(the web server's user), or chown it", path,
		    (long)st.st_uid, (long)geteuid());
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s is writable by group or others: "
		    "chmod 700 it", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
lock_opensub(const char *dir, const char *sub, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	int		 top, fd;

	if ((top = lock_opendir(AT_FDCWD, dir, dir, 0, err, errlen)) == -1)
		return -1;
	buf_printf(&path, "%s/%s", dir, sub);
	fd = lock_opendir(top, sub, path.data, 1, err, errlen);
	close(top);
	buf_free(&path);
	return fd;
}
