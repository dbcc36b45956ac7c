/* io.c: whole writes, whole reads with a ceiling, private modes. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "test.h"
#include "tmpdir.h"

static char	 dir[4096];

static int
open_file(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

/* What io_write_all() wrote, io_read_all() reads back whole, across
 * several of its read chunks, without moving the file offset. */
static void
test_round_trip(void)
{
	struct buf	 b = { 0 };
	char		 path[4200], data[20000];
	int		 fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	CHECK((fd = open_file("rt", path, sizeof(path))) != -1);
	CHECK_INT(io_write_all(fd, data, sizeof(data)), 0);
	CHECK_INT(io_read_all(fd, sizeof(data), &b), 0);
	CHECK_INT(b.len, sizeof(data));
	CHECK(b.data != NULL && memcmp(b.data, data, sizeof(data)) == 0);
	CHECK_INT(lseek(fd, 0, SEEK_CUR), sizeof(data));
	/* Read again: the buffer is replaced, not appended to. */
	CHECK_INT(io_read_all(fd, sizeof(data), &b), 0);
	CHECK_INT(b.len, sizeof(data));
	close(fd);
	buf_free(&b);
}

/* A file one byte over the limit is refused with EFBIG. */
static void
test_too_big(void)
{
	struct buf	 b = { 0 };
	char		 path[4200];
	int		 fd;

	CHECK((fd = open_file("big", path, sizeof(path))) != -1);
	CHECK_INT(io_write_all(fd, "0123456789", 10), 0);
	errno = 0;
	CHECK_INT(io_read_all(fd, 9, &b), -1);
	CHECK_INT(errno, EFBIG);
	CHECK_INT(io_read_all(fd, 10, &b), 0);
	CHECK_STR(b.data, "0123456789");
	close(fd);
	buf_free(&b);
}

/* An empty file reads as an empty buffer; a bad descriptor fails. */
static void
test_empty_and_bad(void)
{
	struct buf	 b = { 0 };
	char		 path[4200];
	int		 fd;

	CHECK((fd = open_file("empty", path, sizeof(path))) != -1);
	CHECK_INT(io_read_all(fd, 10, &b), 0);
	CHECK_INT(b.len, 0);
	close(fd);
	CHECK_INT(io_read_all(fd, 10, &b), -1);
	CHECK_INT(errno, EBADF);
	CHECK_INT(io_write_all(fd, "x", 1), -1);
	buf_free(&b);
}

/* io_chmod_private() leaves 0600 whatever the file had. */
static void
test_private(void)
{
	struct stat	 st;
	char		 path[4200];
	int		 fd;

	CHECK((fd = open_file("mode", path, sizeof(path))) != -1);
	CHECK_INT(fchmod(fd, 0666), 0);
	CHECK_INT(io_chmod_private(fd), 0);
	CHECK_INT(fstat(fd, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	close(fd);
}

int
main(void)
{
	tmpdir_make(dir, sizeof(dir), "io");
	RUN(test_round_trip);
	RUN(test_too_big);
	RUN(test_empty_and_bad);
	RUN(test_private);
	tmpdir_remove(dir);
	return TEST_END();
}
