/* lock.c: exclusive whole-file locks with a deadline, and directories
 * checked before the relay keeps state in them. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "clock.h"
#include "lock.h"
#include "test.h"
#include "tmpdir.h"

static char	 dir[4096];

/* A lock file is created 0600 whatever the umask, and a second open
 * file of it cannot take the lock until the first is closed. */
static void
test_exclusive(void)
{
	struct stat	 st;
	char		 err[256];
	int		 d, a, b;
	mode_t		 old = umask(0);

	CHECK((d = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	a = lock_open(d, "f", "dir/f", clock_mono_ms() + 1000, err,
	    sizeof(err));
	umask(old);
	CHECK(a != -1);
	CHECK_INT(fstat(a, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK((b = openat(d, "f", O_RDWR)) != -1);
	CHECK_INT(lock_try(b), 1);
	close(a);
	CHECK_INT(lock_try(b), 0);
	close(b);
	close(d);
}

/* A held lock is waited for until the deadline, then ETIMEDOUT and a
 * message naming the path. */
static void
test_deadline(void)
{
	char		 err[256];
	int		 d, a, b;
	long long	 start;

	CHECK((d = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	a = lock_open(d, "held", "dir/held", clock_mono_ms() + 1000, err,
	    sizeof(err));
	CHECK(a != -1);
	start = clock_mono_ms();
	errno = 0;
	b = lock_open(d, "held", "dir/held", start + 50, err, sizeof(err));
	CHECK_INT(b, -1);
	CHECK_INT(errno, ETIMEDOUT);
	CHECK(clock_mono_ms() >= start + 50);
	CHECK_STR(err, "dir/held: lock held by another process for too long");
	CHECK_INT(lock_wait(a, start), 0);	/* its own lock: at once */
	close(a);
	close(d);
}

/* A symbolic link is not followed, for files or directories. */
static void
test_symlinks(void)
{
	char		 err[256], path[4200];
	int		 d;

	CHECK((d = open(dir, O_RDONLY | O_DIRECTORY)) != -1);
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK_INT(symlink("/etc/passwd", path), 0);
	CHECK_INT(lock_open(d, "link", "dir/link", clock_mono_ms() + 100, err,
	    sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/dirlink", dir);
	CHECK_INT(symlink("/tmp", path), 0);
	CHECK_INT(lock_opendir(d, "dirlink", "dir/dirlink", 0, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "dir/dirlink is not a directory (a symbolic link is "
	    "not followed)");
	close(d);
}

/* lock_opensub() creates the subdirectory 0700; a directory others may
 * write to is refused with what to do. */
static void
test_directories(void)
{
	struct stat	 st;
	char		 err[512], path[4200];
	int		 fd;

	fd = lock_opensub(dir, "sub", err, sizeof(err));
	CHECK(fd != -1);
	CHECK_INT(fstat(fd, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0700);
	close(fd);
	snprintf(path, sizeof(path), "%s/open", dir);
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(chmod(path, 0777), 0);
	CHECK_INT(lock_opendir(AT_FDCWD, path, "the dir", 0, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "the dir is writable by group or others: chmod 700 it");
	CHECK_INT(lock_opensub(path, "x", err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_INT(lock_opendir(AT_FDCWD, path, "gone", 0, err, sizeof(err)),
	    -1);
	CHECK_STR(err, "gone: No such file or directory");
}

int
main(void)
{
	tmpdir_make(dir, sizeof(dir), "lock");
	RUN(test_exclusive);
	RUN(test_deadline);
	RUN(test_symlinks);
	RUN(test_directories);
	tmpdir_remove(dir);
	return TEST_END();
}
