/* Writing to a file descriptor. */
#ifndef IO_H
#define IO_H

#include <stddef.h>

/*
 * Writes all len bytes of p to fd, retrying short writes and EINTR.
 * Returns 0, or -1 with errno set.  Async-signal-safe (only write()), so
 * the CGI's deadline handler may call it.
 */
int	 io_write_all(int fd, const void *p, size_t len);

#endif
