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
#include <unistd.h>

#include "buf.h"
#include "lock.h"

int
lock_open(const char *path, char *err, size_t errlen)
{
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (lock_wait(fd) == -1 || lock_private(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
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

int
lock_wait(int fd)
{
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
lock_read(int fd, size_t max, struct buf *b)
{
	char	 chunk[8192];
	off_t	 off = 0;
	ssize_t	 n;

	buf_reset(b);
	for (;;) {
		n = pread(fd, chunk, sizeof(chunk), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		if ((size_t)n > max - b->len) {
			errno = EFBIG;
			return -1;
		}
		buf_append(b, chunk, (size_t)n);
		off += n;
	}
}

int
lock_private(int fd)
{
	return fchmod(fd, S_IRUSR | S_IWUSR);
}
