/*
 * Whole reads and writes through a file descriptor, and the mode of the
 * files the relay creates (its journal and state files are read whole and
 * must be private to the relay's user).
 */
#ifndef IO_H
#define IO_H

#include <stddef.h>

struct buf;

/*
 * Writes all len bytes of p to fd, retrying short writes and EINTR.
 * Returns 0, or -1 with errno set.  Async-signal-safe (only write()), so
 * the CGI's deadline handler may call it.
 */
int	 io_write_all(int fd, const void *p, size_t len);

/*
 * Replaces b with the whole content of fd, read from offset 0 with
 * pread(2) (the file offset does not move).  Returns 0, or -1 with errno
 * set: EFBIG when the file holds more than max bytes.
 */
int	 io_read_all(int fd, size_t max, struct buf *b);
/* fchmod(fd, 0600): files we create must not depend on the umask. */
int	 io_chmod_private(int fd);

#endif
