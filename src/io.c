/* Whole reads and writes through a descriptor: see io.h. */
#include <sys/stat.h>

#include <errno.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"

int
io_write_all(int fd, const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
io_read_all(int fd, size_t max, struct buf *b)
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
		if ((size_t)n > max - b->len ||
		    buf_append(b, chunk, (size_t)n) == -1) {
			errno = EFBIG;
			return -1;
		}
		off += n;
	}
}

int
io_chmod_private(int fd)
{
	return fchmod(fd, S_IRUSR | S_IWUSR);
}
