/*
 * The last good configuration shared by the FastCGI workers: see
 * lastgood.h.  One area in shared memory, guarded by a process-shared
 * robust mutex: a worker that dies holding it does not block the others
 * (POSIX pthread_mutexattr_setrobust()).  A write in progress is
 * "started" and not yet "done": the area is good only when both are the
 * same generation, so one torn by a death is not read.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "lastgood.h"

struct lastgood {
	pthread_mutex_t		 mu;
	unsigned long long	 started;	/* the generation being written */
	unsigned long long	 done;		/* the last one written whole */
	struct stat		 st;		/* its file's identity */
	size_t			 len;
	char			 text[CONFIG_FILE_MAX];
};

static struct lastgood	*shared;

int
lastgood_create(char *err, size_t errlen)
{
	pthread_mutexattr_t	 attr;
	struct lastgood		*lg;
	int			 zero, rc;

	/* As the supervisor's slots: /dev/zero mapped shared. */
	if ((zero = open("/dev/zero", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/dev/zero: %s", strerror(errno));
		return -1;
	}
	lg = mmap(NULL, sizeof(*lg), PROT_READ | PROT_WRITE, MAP_SHARED,
	    zero, 0);
	close(zero);
	if (lg == MAP_FAILED) {
		snprintf(err, errlen, "shared memory: %s", strerror(errno));
		return -1;
	}
	if ((rc = pthread_mutexattr_init(&attr)) == 0) {
		if ((rc = pthread_mutexattr_setpshared(&attr,
		    PTHREAD_PROCESS_SHARED)) == 0 &&
		    (rc = pthread_mutexattr_setrobust(&attr,
		    PTHREAD_MUTEX_ROBUST)) == 0)
			rc = pthread_mutex_init(&lg->mu, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	if (rc != 0) {
		snprintf(err, errlen, "shared mutex: %s", strerror(rc));
		munmap(lg, sizeof(*lg));
		return -1;
	}
	shared = lg;
	return 0;
}

void
lastgood_destroy(void)
{
	if (shared == NULL)
		return;
	pthread_mutex_destroy(&shared->mu);
	munmap(shared, sizeof(*shared));
	shared = NULL;
}

/* 0 when locked (made consistent after a holder died), else -1. */
static int
lock(void)
{
	int	 rc;

	if ((rc = pthread_mutex_lock(&shared->mu)) == EOWNERDEAD &&
	    (rc = pthread_mutex_consistent(&shared->mu)) != 0)
		pthread_mutex_unlock(&shared->mu);
	return rc == 0 ? 0 : -1;
}

static int
whole(const struct lastgood *lg)
{
	return lg->done != 0 && lg->started == lg->done;
}

unsigned long long
lastgood_publish(const struct stat *st, const char *text, size_t len)
{
	unsigned long long	 gen = 0;
	const struct timespec	*mine = &st->st_ctim, *theirs;

	if (shared == NULL || len > sizeof(shared->text) || lock() == -1)
		return 0;
	theirs = &shared->st.st_ctim;
	if (whole(shared) && config_same_file(st, &shared->st))
		gen = shared->done;
	else if (!whole(shared) || mine->tv_sec > theirs->tv_sec ||
	    (mine->tv_sec == theirs->tv_sec &&
	    mine->tv_nsec > theirs->tv_nsec)) {
		/* Newer (ctime: the file's last change, which no one can
		 * set back), or nothing whole to keep. */
		gen = ++shared->started;
		shared->st = *st;
		shared->len = len;
		memcpy(shared->text, text, len);
		shared->done = gen;
	}
	pthread_mutex_unlock(&shared->mu);
	return gen;
}

struct config *
lastgood_newer(unsigned long long gen, struct stat *st,
    unsigned long long *newgen, struct buf *errors)
{
	struct buf	 text = { 0 };
	struct config	*cfg;
	int		 rc;

	if (shared == NULL || lock() == -1)
		return NULL;
	if (!whole(shared) || shared->done <= gen) {
		pthread_mutex_unlock(&shared->mu);
		return NULL;
	}
	/* Copied out: the parse is not done holding the lock. */
	rc = buf_append(&text, shared->text, shared->len);
	*st = shared->st;
	*newgen = shared->done;
	pthread_mutex_unlock(&shared->mu);
	cfg = rc == -1 ? NULL : config_parse(text.data, text.len, errors);
	buf_free(&text);
	return cfg;
}
