/*
 * Whole-file advisory locks (flock(2)) and the directories they live in:
 * the journal, the rate limiter and the duplicate filter share state
 * between concurrent CGI processes and drains through these (io.h reads
 * the files whole).
 *
 * A flock belongs to the open file description, not to the process: a
 * second open() of the same file, even in the same process, does not
 * share it, and closing the descriptor (or the process dying in any way)
 * drops it.  That is what makes a claim survive nothing but its holder.
 * Locks are advisory and local: keep spool_dir and state_dir on a local
 * filesystem (not NFS).
 */
#ifndef LOCK_H
#define LOCK_H

#include <stddef.h>

struct buf;

/*
 * Opens name in the directory dirfd (path: how messages call it) for
 * reading and writing, creating it with mode 0600 whatever the umask, and
 * waits for an exclusive lock on it until the monotonic clock reads
 * until_ms (clock_mono_ms()): a holder that is stopped or stuck must not
 * hang the caller.  Symbolic links are refused.  Returns the descriptor
 * (the caller closes it to unlock), or -1 with err naming the path and
 * the errno text; errno ETIMEDOUT when the wait ran out.
 */
int	 lock_open(int dirfd, const char *name, const char *path,
	    long long until_ms, char *err, size_t errlen);
/*
 * Opens the directory name under at (AT_FDCWD and an absolute path, or a
 * directory descriptor), creating it with mode 0700 when create is set,
 * without following a symbolic link, and checks that it belongs to the
 * running user and that neither group nor others may write to it.  path
 * is how messages name it.  Returns the descriptor, or -1 with err saying
 * what is wrong and what to do.
 */
int	 lock_opendir(int at, const char *name, const char *path, int create,
	    char *err, size_t errlen);
/* lock_opendir() of dir (an absolute path, which must exist) and then of
 * its subdirectory sub (created when missing): the descriptor of sub. */
int	 lock_opensub(const char *dir, const char *sub, char *err,
	    size_t errlen);
/*
 * Takes an exclusive lock on fd without waiting.  Returns 0 when taken,
 * 1 when another open file holds it, -1 on error (errno set).
 */
int	 lock_try(int fd);
/* Waits for an exclusive lock on fd until until_ms (clock_mono_ms()).  0, or
 * -1 with errno (ETIMEDOUT when the wait ran out). */
int	 lock_wait(int fd, long long until_ms);

#endif
