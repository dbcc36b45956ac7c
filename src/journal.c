/*
 * The journal's records on disk: see journal.h.
 *
 * Every path below is relative to a directory descriptor opened once by
 * journal_open(), so a directory swapped for a symbolic link after the
 * checks changes nothing, and O_NOFOLLOW keeps records from being links.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fault.h"
#include "io.h"
#include "journal.h"
#include "journal_record.h"
#include "lock.h"
#include "xalloc.h"

#define DEAD_DIR	"dead"
#define TMP_PREFIX	".tmp-"
#define SUFFIX		".json"
#define QUARANTINED	".quarantined"
static const char *const queue_names[JOURNAL__MAX] = { "", DEAD_DIR "/" };

/* Ids are our own names, but they end up in paths: keep them plain. */
static int
valid_id(const char *id)
{
	size_t	 n = strlen(id);

	if (n == 0 || n >= JOURNAL_ID_MAX || id[0] == '.')
		return 0;
	return strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_") == n;
}

static void
set_err(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
}

/*
 * Reads and parses the item open at fd.  Returns 0, -1 with err when it
 * cannot be read, -2 with err when what it holds is not an item.
 */
static int
read_item(int fd, const char *path, struct journal_record *it, char *err,
    size_t errlen)
{
	struct buf	 text = { 0 };
	char		 why[200];
	int		 rc = -2;

	if (io_read_all(fd, JOURNAL_RECORD_MAX, &text) == -1) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: not a journal record: more "
			    "than %d bytes", path, JOURNAL_RECORD_MAX);
		else {
			set_err(err, errlen, "read", path);
			rc = -1;
		}
	} else if (journal_record_decode(text.data != NULL ? text.data :
	    "", text.len, it, why, sizeof(why)) == -1)
		snprintf(err, errlen, "%s: not a journal record: %s", path,
		    why);
	else
		rc = 0;
	buf_free(&text);
	return rc;
}

/* "spool_dir/dead/ID.json", for messages. */
static void
shown(struct buf *b, const struct journal *j, enum journal_queue q,
    const char *name)
{
	buf_reset(b);
	buf_printf(b, "%s/%s%s", j->path, queue_names[q], name);
}

int
journal_open(struct journal *j, const char *spool_dir, int create,
    char *err, size_t errlen)
{
	struct buf	 b = { 0 };

	j->fd[JOURNAL_PENDING] = j->fd[JOURNAL_DEAD] = -1;
	j->path = xstrdup(spool_dir);
	if ((j->fd[JOURNAL_PENDING] = lock_opendir(AT_FDCWD, spool_dir,
	    spool_dir, create, err, errlen)) == -1)
		goto fail;
	buf_printf(&b, "%s/" DEAD_DIR, spool_dir);
	/* Always created: dead/ is ours to make, inside a directory we
	 * checked. */
	if ((j->fd[JOURNAL_DEAD] = lock_opendir(j->fd[JOURNAL_PENDING],
	    DEAD_DIR, b.data, 1, err, errlen)) == -1)
		goto fail;
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	journal_close(j);
	return -1;
}

void
journal_close(struct journal *j)
{
	for (int q = 0; q < JOURNAL__MAX; q++) {
		if (j->fd[q] != -1)
			close(j->fd[q]);
		j->fd[q] = -1;
	}
	free(j->path);
	j->path = NULL;
}

/*
 * A name no other writer uses: the time (to the millisecond, from the
 * one checked clock, in the nanosecond field), the process, a counter and
 * the tag.  Fixed-width seconds make names sort oldest
 * first.
 */
static void
unique_name(char *out, size_t len, const char *tag)
{
	static unsigned int	 counter;
	long long		 ms = clock_wall_ms();

	snprintf(out, len, "%010lld.%09ld.%ld.%u%s%.*s", ms / 1000,
	    (long)(ms % 1000) * 1000000L, (long)getpid(), counter++,
	    tag != NULL ? "-" : "", JOURNAL_TAG_LEN, tag != NULL ? tag : "");
}

static int
sync_dir(const struct journal *j, enum journal_queue q, char *err,
    size_t errlen)
{
	struct buf	 b = { 0 };

	if (fsync(j->fd[q]) == 0)
		return 0;
	shown(&b, j, q, "");
	set_err(err, errlen, "fsync", b.data);
	buf_free(&b);
	return -1;
}

/*
 * Writes r as q/ID.json the crash-safe way: a temporary file in
 * spool_dir, fsync, rename, fsync of the directory.  With lockfd, the new
 * file is locked before it gets its name and its descriptor is returned
 * there (a claim on it); else it is closed.
 */
static int
write_record(struct journal *j, enum journal_queue q,
    const struct journal_record *r, int *lockfd, char *err, size_t errlen)
{
	struct buf	 json = { 0 }, msg = { 0 };
	char		 tmp[JOURNAL_ID_MAX + 8], name[JOURNAL_ID_MAX + 8];
	int		 fd = -1, rc = -1, renamed = 0;

	if (journal_record_encode(r, &json, err, errlen) == -1)
		goto out;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", r->id);
	snprintf(name, sizeof(name), "%s" SUFFIX, r->id);
	shown(&msg, j, JOURNAL_PENDING, tmp);
	fd = openat(j->fd[JOURNAL_PENDING], tmp, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd == -1) {
		set_err(err, errlen, "create", msg.data);
		goto out;
	}
	if (io_chmod_private(fd) == -1 || (lockfd != NULL && lock_try(fd) != 0) ||
	    io_write_all(fd, json.data, json.len) == -1 || fsync(fd) == -1) {
		set_err(err, errlen, "write", msg.data);
		goto out;
	}
	FAULT("journal-before-rename");
	if (renameat(j->fd[JOURNAL_PENDING], tmp, j->fd[q], name) == -1) {
		shown(&msg, j, q, name);
		set_err(err, errlen, "rename to", msg.data);
		goto out;
	}
	renamed = 1;
	FAULT("journal-after-rename");
	if (sync_dir(j, q, err, errlen) == -1)
		goto out;
	FAULT("journal-written");
	rc = 0;
out:
	if (rc == -1 && fd != -1 && !renamed)
		(void)unlinkat(j->fd[JOURNAL_PENDING], tmp, 0);
	/* close() can report a delayed write error (NFS, quotas), but the
	 * fsync above has reported it already. */
	if (rc == 0 && lockfd != NULL)
		*lockfd = fd;
	else if (fd != -1)
		close(fd);
	buf_free(&json);
	buf_free(&msg);
	return rc;
}

static void
record_copy(struct journal_record *to, const struct journal_record *from)
{
	memcpy(to->id, from->id, sizeof(to->id));
	to->app = xstrdup(from->app);
	to->webhook = xstrdup(from->webhook);
	to->body = xmalloc(from->body_len + 1);
	if (from->body_len > 0)
		memcpy(to->body, from->body, from->body_len);
	to->body[from->body_len] = '\0';
	to->body_len = from->body_len;
	to->received = from->received;
	to->attempts = from->attempts;
	to->next_at = from->next_at;
	to->last_error = from->last_error != NULL ?
	    xstrdup(from->last_error) : NULL;
	to->event = from->event != NULL ? xstrdup(from->event) : NULL;
}

int
journal_put(struct journal *j, struct journal_record *r, const char *tag,
    struct journal_claim *c, char *err, size_t errlen)
{
	int	 fd = -1;

	if (c != NULL) {
		memset(c, 0, sizeof(*c));
		c->fd = -1;
	}
	if (tag != NULL && (strlen(tag) < JOURNAL_TAG_LEN ||
	    strspn(tag, "0123456789abcdef") < JOURNAL_TAG_LEN)) {
		snprintf(err, errlen, "journal: bad tag");
		return -1;
	}
	unique_name(r->id, sizeof(r->id), tag);
	if (write_record(j, JOURNAL_PENDING, r, c != NULL ? &fd : NULL, err,
	    errlen) == -1)
		return -1;
	if (c != NULL) {
		c->fd = fd;
		c->j = j;
		record_copy(&c->rec, r);
	}
	return 0;
}

/* Compares names for qsort(). */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Calls fn(name, arg) for each entry of queue q's directory but "." and
 * ".." (through a fresh descriptor: a DIR stream consumes the one it is
 * given).
 */
static int
each_entry(struct journal *j, enum journal_queue q,
    int (*fn)(struct journal *, enum journal_queue, const char *, void *),
    void *arg, char *err, size_t errlen)
{
	struct buf	 msg = { 0 };
	struct dirent	*de;
	DIR		*d;
	int		 fd, rc = 0;

	fd = openat(j->fd[q], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		shown(&msg, j, q, "");
		set_err(err, errlen, "open", msg.data);
		if (fd != -1)
			close(fd);
		buf_free(&msg);
		return -1;
	}
	/* readdir() returns NULL at the end and on error alike; only errno
	 * tells them apart, and fn() may set it: reset it before each call
	 * (POSIX.1-2008, readdir()). */
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((rc = fn(j, q, de->d_name, arg)) != 0)
			break;
	}
	if (rc == 0 && errno != 0) {
		shown(&msg, j, q, "");
		set_err(err, errlen, "read", msg.data);
		rc = -1;
	}
	closedir(d);
	buf_free(&msg);
	return rc;
}

/* The id in a record's file name, or NULL. */
static char *
name_id(const char *name)
{
	size_t	 len = strlen(name), sfx = strlen(SUFFIX);
	char	*id;

	if (len <= sfx || strcmp(name + len - sfx, SUFFIX) != 0)
		return NULL;
	id = xstrndup(name, len - sfx);
	if (!valid_id(id)) {
		free(id);
		return NULL;
	}
	return id;
}

struct id_list {
	char	**ids;
	long	 n;
	size_t	 cap;
};

static int
add_id(struct journal *j, enum journal_queue q, const char *name, void *arg)
{
	struct id_list	*l = arg;
	char		*id;

	(void)j;
	(void)q;
	if ((id = name_id(name)) == NULL)
		return 0;
	if ((size_t)l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->ids = xrealloc(l->ids, l->cap * sizeof(*l->ids));
	}
	l->ids[l->n++] = id;
	return 0;
}

long
journal_ids(struct journal *j, enum journal_queue q, char ***ids, char *err,
    size_t errlen)
{
	struct id_list	 l = { NULL, 0, 0 };

	*ids = NULL;
	if (each_entry(j, q, add_id, &l, err, errlen) == -1) {
		journal_ids_free(l.ids, l.n);
		return -1;
	}
	if (l.n > 0)
		qsort(l.ids, (size_t)l.n, sizeof(*l.ids), cmp_names);
	*ids = l.ids;
	return l.n;
}

void
journal_ids_free(char **ids, long n)
{
	for (long i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Collects the ids that carry a tag. */
struct tagged {
	char		 tag[JOURNAL_TAG_LEN + 1];
	struct id_list	 ids;
};

static int
has_tag(struct journal *j, enum journal_queue q, const char *name,
    void *arg)
{
	struct tagged	*t = arg;
	const char	*dash;
	size_t		 len = strlen(name), sfx = strlen(SUFFIX);

	if (len <= sfx || (dash = strrchr(name, '-')) == NULL ||
	    strncmp(dash + 1, t->tag, JOURNAL_TAG_LEN) != 0 ||
	    strcmp(dash + 1 + JOURNAL_TAG_LEN, SUFFIX) != 0)
		return 0;
	return add_id(j, q, name, &t->ids);
}

int
journal_tagged(struct journal *j, const char *tag,
    void (*fn)(const char *, void *), void *arg, char *err, size_t errlen)
{
	struct journal_record	 r;
	struct tagged		 t;
	int			 found = 0, rc = 0;

	snprintf(t.tag, sizeof(t.tag), "%s", tag);
	for (int q = 0; q < JOURNAL__MAX && rc == 0; q++) {
		memset(&t.ids, 0, sizeof(t.ids));
		if (each_entry(j, (enum journal_queue)q, has_tag, &t, err,
		    errlen) == -1)
			rc = -1;
		for (long i = 0; rc == 0 && i < t.ids.n; i++) {
			/* Gone meanwhile (delivered, moved): skipped. */
			if ((rc = journal_read(j, (enum journal_queue)q,
			    t.ids.ids[i], &r, err, errlen)) == 1) {
				rc = 0;
				continue;
			}
			if (rc == 0) {
				fn(r.webhook, arg);
				found++;
				journal_record_free(&r);
			}
		}
		journal_ids_free(t.ids.ids, t.ids.n);
	}
	return rc == -1 ? -1 : found;
}

static int
is_quarantined(struct journal *j, enum journal_queue q, const char *name,
    void *arg)
{
	size_t	 len = strlen(name), sfx = strlen(QUARANTINED);

	(void)j;
	(void)q;
	if (len > sfx && strcmp(name + len - sfx, QUARANTINED) == 0)
		++*(long *)arg;
	return 0;
}

long
journal_quarantined(struct journal *j, char *err, size_t errlen)
{
	long	 n = 0;

	if (each_entry(j, JOURNAL_DEAD, is_quarantined, &n, err, errlen) == -1)
		return -1;
	return n;
}

static int
add_size(struct journal *j, enum journal_queue q, const char *name,
    void *arg)
{
	long long	*total = arg;
	struct stat	 st;

	if (fstatat(j->fd[q], name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode))
		*total += (long long)st.st_size;
	return 0;
}

long long
journal_bytes(struct journal *j, char *err, size_t errlen)
{
	long long	 total = 0;

	for (int q = 0; q < JOURNAL__MAX; q++)
		if (each_entry(j, (enum journal_queue)q, add_size, &total, err,
		    errlen) == -1)
			return -1;
	return total;
}

/*
 * Opens q/ID.json for reading, never through a link.  Returns the
 * descriptor, -2 when it is gone, -1 with err.
 */
static int
open_record(struct journal *j, enum journal_queue q, const char *id,
    char *err, size_t errlen)
{
	struct buf	 msg = { 0 };
	char		 name[JOURNAL_ID_MAX + 8];
	int		 fd;

	if (!valid_id(id)) {
		snprintf(err, errlen, "journal: bad record id");
		return -1;
	}
	snprintf(name, sizeof(name), "%s" SUFFIX, id);
	fd = openat(j->fd[q], name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return -2;
	if (fd == -1) {
		shown(&msg, j, q, name);
		set_err(err, errlen, "open", msg.data);
	}
	buf_free(&msg);
	return fd;
}

int
journal_read(struct journal *j, enum journal_queue q, const char *id,
    struct journal_record *r, char *err, size_t errlen)
{
	int	 fd, rc;

	memset(r, 0, sizeof(*r));
	if ((fd = open_record(j, q, id, err, errlen)) < 0)
		return fd == -2 ? 1 : -1;
	snprintf(r->id, sizeof(r->id), "%s", id);
	rc = read_item(fd, id, r, err, errlen) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

/*
 * Moves a record we did not write out of the way, under a name nothing
 * lists: never sent, kept for the operator to look at.
 */
static void
quarantine(struct journal *j, enum journal_queue q, const char *id,
    const char *why, char *err, size_t errlen)
{
	char	 from[JOURNAL_ID_MAX + 8], to[JOURNAL_ID_MAX + 16];

	snprintf(from, sizeof(from), "%s" SUFFIX, id);
	snprintf(to, sizeof(to), "%s" QUARANTINED, id);
	if (renameat(j->fd[q], from, j->fd[JOURNAL_DEAD], to) == 0)
		snprintf(err, errlen, "%s/%s%s: %s: quarantined as %s/"
		    DEAD_DIR "/%s, not sent", j->path, queue_names[q], from,
		    why, j->path, to);
	else
		snprintf(err, errlen, "%s/%s%s: %s: not sent (cannot move it "
		    "away: %s)", j->path, queue_names[q], from, why,
		    strerror(errno));
}

/*
 * Claims id in queue q: opens it, takes its lock without waiting, makes
 * sure the locked file is still the one at that name (another process
 * may have delivered, moved or rewritten it between our open and our
 * lock), checks it is ours, reads it.  Returns 0, 1 (busy or gone), -1
 * with err; with quarantine, a malformed pending record is moved to
 * dead/ as it is.
 */
static int
claim(struct journal *j, enum journal_queue q, const char *id,
    int quarantine_bad, struct journal_claim *c, char *err, size_t errlen)
{
	struct stat	 held, named;
	char		 name[JOURNAL_ID_MAX + 8];
	int		 fd, rc = -1;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if ((fd = open_record(j, q, id, err, errlen)) < 0)
		return fd == -2 ? 1 : -1;
	snprintf(name, sizeof(name), "%s" SUFFIX, id);
	if (fstat(fd, &held) == -1) {
		set_err(err, errlen, "stat", name);
		goto out;
	}
	if (!S_ISREG(held.st_mode) || held.st_uid != geteuid() ||
	    (held.st_mode & (S_IRWXG | S_IRWXO))) {
		quarantine(j, q, id, !S_ISREG(held.st_mode) ?
		    "not a regular file" : held.st_uid != geteuid() ?
		    "not written by the relay's user" :
		    "readable or writable by others", err, errlen);
		goto out;
	}
	if ((rc = lock_try(fd)) != 0) {
		if (rc == -1)
			set_err(err, errlen, "lock", name);
		goto out;
	}
	if (fstatat(j->fd[q], name, &named, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			rc = 1;
		else
			set_err(err, errlen, "stat", name);
		goto out;
	}
	if (held.st_dev != named.st_dev || held.st_ino != named.st_ino) {
		rc = 1;
		goto out;
	}
	/* Unlinked after our fstat above: delivered meanwhile. */
	if (fstat(fd, &held) == -1 || held.st_nlink == 0) {
		rc = 1;
		goto out;
	}
	snprintf(c->rec.id, sizeof(c->rec.id), "%s", id);
	if ((rc = read_item(fd, name, &c->rec, err, errlen)) != 0) {
		/* Only what was read and found wrong, not an I/O error. */
		if (rc == -2 && quarantine_bad && q == JOURNAL_PENDING &&
		    renameat(j->fd[q], name, j->fd[JOURNAL_DEAD], name) == 0) {
			size_t	 n = strlen(err);

			snprintf(err + n, errlen - n, "; moved to "
			    DEAD_DIR "/");
		}
		rc = -1;
		goto out;
	}
	c->fd = fd;
	c->j = j;
	fd = -1;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	return rc;
}

int
journal_claim(struct journal *j, const char *id, struct journal_claim *c,
    char *err, size_t errlen)
{
	return claim(j, JOURNAL_PENDING, id, 1, c, err, errlen);
}

void
journal_release(struct journal_claim *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	journal_record_free(&c->rec);
}

/* Ends a claim with the rewritten record: the lock goes with the old
 * file. */
static int
rewrite(struct journal_claim *c, enum journal_queue q, char *err,
    size_t errlen)
{
	int	 rc;

	rc = write_record(c->j, q, &c->rec, NULL, err, errlen);
	journal_release(c);
	return rc;
}

static void
set_error(struct journal_record *r, const char *error)
{
	free(r->last_error);
	r->last_error = error != NULL ? xstrdup(error) : NULL;
}

int
journal_done(struct journal_claim *c, char *err, size_t errlen)
{
	char	 name[JOURNAL_ID_MAX + 8];
	int	 rc = -1;

	FAULT("journal-before-done");
	snprintf(name, sizeof(name), "%s" SUFFIX, c->rec.id);
	/* Unlinked while still locked: nobody can claim it meanwhile. */
	if (unlinkat(c->j->fd[JOURNAL_PENDING], name, 0) == -1)
		set_err(err, errlen, "unlink", name);
	else
		rc = sync_dir(c->j, JOURNAL_PENDING, err, errlen);
	journal_release(c);
	return rc;
}

int
journal_retry(struct journal_claim *c, long long next_at, const char *error,
    char *err, size_t errlen)
{
	if (c->rec.attempts < JOURNAL_ATTEMPTS_MAX)
		c->rec.attempts++;
	c->rec.next_at = next_at;
	set_error(&c->rec, error);
	return rewrite(c, JOURNAL_PENDING, err, errlen);
}

int
journal_defer(struct journal_claim *c, long long next_at, char *err,
    size_t errlen)
{
	c->rec.next_at = next_at;
	return rewrite(c, JOURNAL_PENDING, err, errlen);
}

/* One rename moves the record from one queue to the other, durably. */
static int
move(struct journal *j, enum journal_queue from, enum journal_queue to,
    const char *id, char *err, size_t errlen)
{
	struct buf	 msg = { 0 };
	char		 name[JOURNAL_ID_MAX + 8];

	snprintf(name, sizeof(name), "%s" SUFFIX, id);
	if (renameat(j->fd[from], name, j->fd[to], name) == -1) {
		shown(&msg, j, to, name);
		set_err(err, errlen, "rename to", msg.data);
		buf_free(&msg);
		return -1;
	}
	return sync_dir(j, to, err, errlen) == -1 ||
	    sync_dir(j, from, err, errlen) == -1 ? -1 : 0;
}

/*
 * One rename moves the record, then its new content replaces it there: a
 * crash between the two leaves it dead with its previous last error,
 * never in both places.
 */
int
journal_bury(struct journal_claim *c, int attempted, const char *error,
    char *err, size_t errlen)
{
	int	 rc = -1;

	if (move(c->j, JOURNAL_PENDING, JOURNAL_DEAD, c->rec.id, err,
	    errlen) == -1)
		goto out;
	if (attempted && c->rec.attempts < JOURNAL_ATTEMPTS_MAX)
		c->rec.attempts++;
	set_error(&c->rec, error);
	rc = rewrite(c, JOURNAL_DEAD, err, errlen);
out:
	journal_release(c);
	return rc;
}

int
journal_requeue(struct journal *j, const char *id, long long now, char *err,
    size_t errlen)
{
	struct journal_claim	 c;
	int			 rc;

	if ((rc = claim(j, JOURNAL_DEAD, id, 0, &c, err, errlen)) != 0)
		return rc;
	rc = -1;
	if (move(j, JOURNAL_DEAD, JOURNAL_PENDING, id, err, errlen) == -1)
		goto out;
	c.rec.attempts = 0;
	c.rec.next_at = now;
	c.rec.received = now;
	rc = rewrite(&c, JOURNAL_PENDING, err, errlen);
out:
	journal_release(&c);
	return rc;
}

struct clean {
	long long	 now;
	int		 n;
};

static int
clean_one(struct journal *j, enum journal_queue q, const char *name,
    void *arg)
{
	struct clean	*cl = arg;
	struct stat	 st;

	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
		return 0;
	if (fstatat(j->fd[q], name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) ||
	    (long long)st.st_mtime > cl->now - JOURNAL_TMP_STALE)
		return 0;
	if (unlinkat(j->fd[q], name, 0) == 0)
		cl->n++;
	return 0;
}

int
journal_clean(struct journal *j, long long now, char *err, size_t errlen)
{
	struct clean	 cl = { now, 0 };

	if (each_entry(j, JOURNAL_PENDING, clean_one, &cl, err, errlen) == -1)
		return -1;
	return cl.n;
}
