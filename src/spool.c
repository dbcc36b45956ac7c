/* The spool of deliveries to retry: see spool.h. */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "io.h"
#include "lock.h"
#include "spool.h"
#include "utf8.h"
#include "xalloc.h"

#define SPOOL_VERSION	1
#define DEAD_DIR	"dead"
#define TMP_PREFIX	".tmp-"
#define SUFFIX		".json"
/* 2^40 s is the year 36812: anything later is a corrupt file. */
#define TIME_MAX	(1LL << 40)

static const char *const queue_dirs[SPOOL__MAX] = { "", "/" DEAD_DIR };

/* The keys of an item file. */
enum item_key {
	IK_V, IK_APP, IK_WEBHOOK, IK_RECEIVED, IK_ATTEMPTS, IK_NEXT_AT,
	IK_LAST_ERROR, IK_BODY, IK__MAX
};

static const char *const item_keys[IK__MAX] = {
	"v", "app", "webhook", "received", "attempts", "next_at",
	"last_error", "body",
};

/* Keys that must be present. */
static const unsigned int item_required = 1u << IK_V | 1u << IK_APP |
    1u << IK_WEBHOOK | 1u << IK_RECEIVED | 1u << IK_ATTEMPTS |
    1u << IK_NEXT_AT | 1u << IK_BODY;

/* Ids are our own names, but they end up in paths: keep them plain. */
static int
valid_id(const char *id)
{
	size_t	 n = strlen(id);

	if (n == 0 || n >= SPOOL_ID_MAX || id[0] == '.')
		return 0;
	return strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_") == n;
}

/*
 * A name no other writer uses: the time to the nanosecond, the process
 * and a counter.  Fixed-width seconds make names sort oldest first.
 */
static void
unique_name(char *out, size_t len)
{
	static unsigned int	 counter;
	struct timespec		 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, len, "%010lld.%09ld.%ld.%u", (long long)ts.tv_sec,
	    ts.tv_nsec, (long)getpid(), counter++);
}

static void
item_path(struct buf *b, const char *dir, enum spool_queue q, const char *id)
{
	buf_reset(b);
	buf_printf(b, "%s%s/%s" SUFFIX, dir, queue_dirs[q], id);
}

static void
set_err(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
}

/* Makes a rename or unlink in path durable. */
static int
sync_dir(const char *path, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		set_err(err, errlen, "open", path);
		return -1;
	}
	if (fsync(fd) == -1) {
		set_err(err, errlen, "fsync", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, S_IRWXU) == 0)
		return 0;
	if (errno == EEXIST)
		return 0;
	set_err(err, errlen, "mkdir", path);
	return -1;
}

/* Creates dir and dir/dead when missing. */
static int
make_dirs(const char *dir, char *err, size_t errlen)
{
	struct buf	 b = { 0 };
	int		 rc;

	if (make_dir(dir, err, errlen) == -1)
		return -1;
	buf_printf(&b, "%s/" DEAD_DIR, dir);
	rc = make_dir(b.data, err, errlen);
	buf_free(&b);
	return rc;
}

static void
gen_str(yajl_gen g, const char *s, size_t len)
{
	yajl_gen_string(g, (const unsigned char *)s, len);
}

static void
gen_key(yajl_gen g, enum item_key k)
{
	gen_str(g, item_keys[k], strlen(item_keys[k]));
}

/*
 * The item as JSON.  Strings are not checked for UTF-8 on the way out
 * (the body is kept byte for byte, and yajl escapes control bytes and
 * NUL as \u00XX), nor on the way back in for the body.
 */
static int
item_json(const struct spool_item *it, struct buf *out, char *err,
    size_t errlen)
{
	yajl_gen		 g;
	const unsigned char	*p;
	size_t			 len;

	if (it->app == NULL || it->webhook == NULL ||
	    strlen(it->app) > SPOOL_TEXT_MAX ||
	    strlen(it->webhook) > SPOOL_TEXT_MAX) {
		snprintf(err, errlen, "spool: no app or webhook name, or "
		    "longer than %d bytes", SPOOL_TEXT_MAX);
		return -1;
	}
	if (it->body_len > SPOOL_BODY_MAX) {
		snprintf(err, errlen, "spool: the event is %zu bytes, more "
		    "than the spool keeps (%d)", it->body_len, SPOOL_BODY_MAX);
		return -1;
	}
	if ((g = yajl_gen_alloc(NULL)) == NULL) {
		snprintf(err, errlen, "spool: out of memory");
		return -1;
	}
	yajl_gen_map_open(g);
	gen_key(g, IK_V);
	yajl_gen_integer(g, SPOOL_VERSION);
	gen_key(g, IK_APP);
	gen_str(g, it->app, strlen(it->app));
	gen_key(g, IK_WEBHOOK);
	gen_str(g, it->webhook, strlen(it->webhook));
	gen_key(g, IK_RECEIVED);
	yajl_gen_integer(g, it->received);
	gen_key(g, IK_ATTEMPTS);
	yajl_gen_integer(g, it->attempts);
	gen_key(g, IK_NEXT_AT);
	yajl_gen_integer(g, it->next_at);
	if (it->last_error != NULL) {
		/* Cut long errors at a character boundary: the reader
		 * refuses texts over SPOOL_TEXT_MAX. */
		gen_key(g, IK_LAST_ERROR);
		gen_str(g, it->last_error, utf8_cut(it->last_error,
		    strlen(it->last_error), SPOOL_TEXT_MAX));
	}
	gen_key(g, IK_BODY);
	gen_str(g, it->body != NULL ? it->body : "", it->body_len);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &p, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		snprintf(err, errlen, "spool: cannot encode the item");
		return -1;
	}
	buf_reset(out);
	buf_append(out, p, len);
	buf_putc(out, '\n');
	yajl_gen_free(g);
	return 0;
}

/*
 * Writes it to path (a file of dir or dir/dead) the crash-safe way: a
 * temporary file in dir, fsync, rename, fsync of path's directory.
 */
static int
write_item(const char *dir, enum spool_queue q, const char *path,
    const struct spool_item *it, char *err, size_t errlen)
{
	struct buf	 json = { 0 }, tmp = { 0 }, qdir = { 0 };
	char		 name[SPOOL_ID_MAX];
	int		 fd = -1, rc = -1;

	if (item_json(it, &json, err, errlen) == -1)
		goto out;
	unique_name(name, sizeof(name));
	buf_printf(&tmp, "%s/" TMP_PREFIX "%s", dir, name);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd == -1) {
		set_err(err, errlen, "create", tmp.data);
		goto out;
	}
	if (lock_private(fd) == -1 || io_write_all(fd, json.data,
	    json.len) == -1 || fsync(fd) == -1) {
		set_err(err, errlen, "write", tmp.data);
		goto out;
	}
	/* close() can report a delayed write error (NFS, quotas). */
	rc = close(fd);
	fd = -1;
	if (rc == -1) {
		set_err(err, errlen, "close", tmp.data);
		goto out;
	}
	rc = -1;
	if (rename(tmp.data, path) == -1) {
		set_err(err, errlen, "rename to", path);
		goto out;
	}
	buf_printf(&qdir, "%s%s", dir, queue_dirs[q]);
	rc = sync_dir(qdir.data, err, errlen);
out:
	if (fd != -1)
		close(fd);
	if (rc == -1 && tmp.data != NULL)
		unlink(tmp.data);
	buf_free(&json);
	buf_free(&tmp);
	buf_free(&qdir);
	return rc;
}

void
spool_item_free(struct spool_item *it)
{
	if (it == NULL)
		return;
	free(it->app);
	free(it->webhook);
	free(it->body);
	free(it->last_error);
	it->app = it->webhook = it->body = it->last_error = NULL;
	it->body_len = 0;
}

int
spool_put(const char *dir, struct spool_item *it, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	int		 rc;

	if (make_dirs(dir, err, errlen) == -1)
		return -1;
	unique_name(it->id, sizeof(it->id));
	item_path(&path, dir, SPOOL_PENDING, it->id);
	rc = write_item(dir, SPOOL_PENDING, path.data, it, err, errlen);
	buf_free(&path);
	return rc;
}

/*
 * Reading an item back.  The spool is ours, but a disk, an editor or an
 * older version may have left anything there: every value is checked,
 * every string bounded, anything nested or unexpected refused.
 */
struct item_parser {
	struct spool_item	*it;
	int			 depth;
	int			 key;		/* enum item_key, -1 unknown */
	unsigned int		 seen;
	const char		*why;
};

static int
ip_fail(struct item_parser *p, const char *why)
{
	p->why = why;
	return 0;
}

/* Scalars under unknown keys are skipped: a newer writer may add some. */
static int
ip_null(void *arg)
{
	struct item_parser	*p = arg;

	return p->key == -1 ? 1 : ip_fail(p, "unexpected null");
}

static int
ip_bool(void *arg, int v)
{
	struct item_parser	*p = arg;

	(void)v;
	return p->key == -1 ? 1 : ip_fail(p, "unexpected boolean");
}

static int
ip_double(void *arg, double v)
{
	struct item_parser	*p = arg;

	(void)v;
	return p->key == -1 ? 1 : ip_fail(p, "a number is not an integer");
}

static int
ip_integer(void *arg, long long v)
{
	struct item_parser	*p = arg;
	struct spool_item	*it = p->it;

	switch (p->key) {
	case -1:
		return 1;
	case IK_V:
		if (v != SPOOL_VERSION)
			return ip_fail(p, "unknown format version");
		return 1;
	case IK_RECEIVED:
	case IK_NEXT_AT:
		if (v < 0 || v > TIME_MAX)
			return ip_fail(p, "time out of range");
		*(p->key == IK_RECEIVED ? &it->received : &it->next_at) = v;
		return 1;
	case IK_ATTEMPTS:
		if (v < 0 || v > SPOOL_ATTEMPTS_MAX)
			return ip_fail(p, "attempts out of range");
		it->attempts = v;
		return 1;
	default:
		return ip_fail(p, "a number where a string belongs");
	}
}

static int
ip_string(void *arg, const unsigned char *s, size_t len)
{
	struct item_parser	*p = arg;
	struct spool_item	*it = p->it;
	char			**dst;

	switch (p->key) {
	case -1:
		return 1;
	case IK_BODY:
		if (len > SPOOL_BODY_MAX)
			return ip_fail(p, "body too long");
		it->body = xmalloc(len + 1);
		memcpy(it->body, s, len);
		it->body[len] = '\0';
		it->body_len = len;
		return 1;
	case IK_APP:
		dst = &it->app;
		break;
	case IK_WEBHOOK:
		dst = &it->webhook;
		break;
	case IK_LAST_ERROR:
		dst = &it->last_error;
		break;
	default:
		return ip_fail(p, "a string where a number belongs");
	}
	/* These become C strings, so no NUL (utf8_valid refuses it). */
	if (len > SPOOL_TEXT_MAX || !utf8_valid((const char *)s, len))
		return ip_fail(p, "text too long or not UTF-8");
	*dst = xstrndup((const char *)s, len);
	return 1;
}

static int
ip_map_open(void *arg)
{
	struct item_parser	*p = arg;

	if (++p->depth > 1)
		return ip_fail(p, "unexpected object");
	return 1;
}

static int
ip_map_key(void *arg, const unsigned char *s, size_t len)
{
	struct item_parser	*p = arg;

	p->key = -1;
	for (int k = 0; k < IK__MAX; k++)
		if (strlen(item_keys[k]) == len &&
		    memcmp(item_keys[k], s, len) == 0) {
			if (p->seen & 1u << k)
				return ip_fail(p, "duplicate key");
			p->seen |= 1u << k;
			p->key = k;
		}
	return 1;
}

static int
ip_map_close(void *arg)
{
	struct item_parser	*p = arg;

	p->depth--;
	return 1;
}

static int
ip_array_open(void *arg)
{
	return ip_fail(arg, "unexpected array");
}

static const yajl_callbacks item_callbacks = {
	ip_null, ip_bool, ip_integer, ip_double, NULL, ip_string,
	ip_map_open, ip_map_key, ip_map_close, ip_array_open, NULL,
};

/* Parses text into it (zeroed here); -1 with the reason in err. */
static int
item_parse(const char *text, size_t len, struct spool_item *it, char *err,
    size_t errlen)
{
	struct item_parser	 p;
	yajl_handle		 h;
	yajl_status		 st;
	char			 id[SPOOL_ID_MAX];
	unsigned char		*msg;

	memcpy(id, it->id, sizeof(id));
	memset(it, 0, sizeof(*it));
	memcpy(it->id, id, sizeof(id));
	memset(&p, 0, sizeof(p));
	p.it = it;
	p.key = -1;
	if ((h = yajl_alloc(&item_callbacks, NULL, &p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The body is kept byte for byte; text fields are checked above. */
	yajl_config(h, yajl_dont_validate_strings, 1);
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok) {
		if (p.why != NULL)
			snprintf(err, errlen, "%s", p.why);
		else {
			/* Not verbose: the message names no part of text. */
			msg = yajl_get_error(h, 0, NULL, 0);
			snprintf(err, errlen, "%.*s", (int)strcspn(
			    (const char *)msg, "\n"), (const char *)msg);
			yajl_free_error(h, msg);
		}
		goto fail;
	}
	if ((p.seen & item_required) != item_required) {
		for (int k = 0; k < IK__MAX; k++)
			if ((item_required & 1u << k) && !(p.seen & 1u << k)) {
				snprintf(err, errlen, "no \"%s\"",
				    item_keys[k]);
				break;
			}
		goto fail;
	}
	if (it->app == NULL || it->webhook == NULL || it->body == NULL) {
		snprintf(err, errlen, "not an object");
		goto fail;
	}
	yajl_free(h);
	return 0;
fail:
	yajl_free(h);
	spool_item_free(it);
	return -1;
}

/*
 * Reads and parses the item open at fd.  Returns 0, -1 with err when it
 * cannot be read, -2 with err when what it holds is not an item.
 */
static int
read_item(int fd, const char *path, struct spool_item *it, char *err,
    size_t errlen)
{
	struct buf	 text = { 0 };
	char		 why[200];
	int		 rc = -2;

	if (lock_read(fd, SPOOL_ITEM_MAX, &text) == -1) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: not a spool item: more "
			    "than %d bytes", path, SPOOL_ITEM_MAX);
		else {
			set_err(err, errlen, "read", path);
			rc = -1;
		}
	} else if (item_parse(text.data != NULL ? text.data : "", text.len, it,
	    why, sizeof(why)) == -1)
		snprintf(err, errlen, "%s: not a spool item: %s", path, why);
	else
		rc = 0;
	buf_free(&text);
	return rc;
}

int
spool_read(const char *dir, enum spool_queue q, const char *id,
    struct spool_item *it, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	int		 fd, rc = -1;

	memset(it, 0, sizeof(*it));
	if (!valid_id(id)) {
		snprintf(err, errlen, "spool: bad item id");
		return -1;
	}
	snprintf(it->id, sizeof(it->id), "%s", id);
	item_path(&path, dir, q, id);
	if ((fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			rc = 1;
		else
			set_err(err, errlen, "open", path.data);
	} else {
		rc = read_item(fd, path.data, it, err, errlen) == 0 ? 0 : -1;
		close(fd);
	}
	buf_free(&path);
	return rc;
}

/* Compares names for qsort(). */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_list(const char *dir, enum spool_queue q,
    int (*fn)(const char *id, void *arg), void *arg, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	struct dirent	*de;
	DIR		*d;
	char		**ids = NULL;
	size_t		 n = 0, cap = 0, len, sfx = strlen(SUFFIX);
	int		 rc = 0;

	buf_printf(&path, "%s%s", dir, queue_dirs[q]);
	if ((d = opendir(path.data)) == NULL) {
		if (errno != ENOENT) {
			set_err(err, errlen, "open", path.data);
			rc = -1;
		}
		buf_free(&path);
		return rc;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= sfx || strcmp(de->d_name + len - sfx, SUFFIX) != 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			ids = xrealloc(ids, cap * sizeof(*ids));
		}
		ids[n] = xstrndup(de->d_name, len - sfx);
		if (!valid_id(ids[n])) {
			free(ids[n]);
			continue;
		}
		n++;
	}
	if (errno != 0) {
		set_err(err, errlen, "read", path.data);
		rc = -1;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(ids, n, sizeof(*ids), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && fn(ids[i], arg) == -1)
			rc = -1;
		free(ids[i]);
	}
	free(ids);
	buf_free(&path);
	return rc;
}

/*
 * Claims id in queue q: opens it, takes its lock without waiting, makes
 * sure the locked file is still the one at that name (another process
 * may have delivered, moved or rewritten it between our open and our
 * lock), reads it.  Returns 0, 1 (busy or gone), -1 with err; with
 * quarantine, a malformed pending item is moved to dead/ as it is.
 */
static int
claim(const char *dir, enum spool_queue q, const char *id, int quarantine,
    struct spool_claim *c, char *err, size_t errlen)
{
	struct buf	 path = { 0 }, dead = { 0 };
	struct stat	 held, named;
	int		 fd, rc = -1;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!valid_id(id)) {
		snprintf(err, errlen, "spool: bad item id");
		return -1;
	}
	item_path(&path, dir, q, id);
	if ((fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			rc = 1;
		else
			set_err(err, errlen, "open", path.data);
		goto out;
	}
	if ((rc = lock_try(fd)) != 0) {
		if (rc == -1)
			set_err(err, errlen, "lock", path.data);
		goto out;
	}
	if (fstat(fd, &held) == -1 || stat(path.data, &named) == -1) {
		if (errno == ENOENT)
			rc = 1;
		else
			set_err(err, errlen, "stat", path.data);
		goto out;
	}
	if (held.st_nlink == 0 || held.st_dev != named.st_dev ||
	    held.st_ino != named.st_ino) {
		rc = 1;
		goto out;
	}
	snprintf(c->item.id, sizeof(c->item.id), "%s", id);
	if ((rc = read_item(fd, path.data, &c->item, err, errlen)) != 0) {
		/* Only what was read and found wrong, not an I/O error. */
		if (rc == -2 && quarantine) {
			char	 why[128];

			item_path(&dead, dir, SPOOL_DEAD, id);
			if (make_dirs(dir, why, sizeof(why)) == 0 &&
			    rename(path.data, dead.data) == 0) {
				size_t	 n = strlen(err);

				snprintf(err + n, errlen - n,
				    "; moved to " DEAD_DIR "/");
			}
		}
		rc = -1;
		goto out;
	}
	c->fd = fd;
	fd = -1;
	c->dir = xstrdup(dir);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	buf_free(&path);
	buf_free(&dead);
	return rc;
}

int
spool_claim(const char *dir, const char *id, struct spool_claim *c,
    char *err, size_t errlen)
{
	return claim(dir, SPOOL_PENDING, id, 1, c, err, errlen);
}

void
spool_release(struct spool_claim *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	spool_item_free(&c->item);
	free(c->dir);
	c->dir = NULL;
}

/* Ends a claim with the rewritten item: the lock goes with the old file. */
static int
rewrite(struct spool_claim *c, enum spool_queue q, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	int		 rc;

	item_path(&path, c->dir, q, c->item.id);
	rc = write_item(c->dir, q, path.data, &c->item, err, errlen);
	buf_free(&path);
	spool_release(c);
	return rc;
}

static void
set_error(struct spool_item *it, const char *error)
{
	free(it->last_error);
	it->last_error = error != NULL ? xstrdup(error) : NULL;
}

int
spool_done(struct spool_claim *c, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	int		 rc = -1;

	item_path(&path, c->dir, SPOOL_PENDING, c->item.id);
	/* Unlinked while still locked: nobody can claim it meanwhile. */
	if (unlink(path.data) == -1)
		set_err(err, errlen, "unlink", path.data);
	else
		rc = sync_dir(c->dir, err, errlen);
	buf_free(&path);
	spool_release(c);
	return rc;
}

int
spool_retry(struct spool_claim *c, long long next_at, const char *error,
    char *err, size_t errlen)
{
	if (c->item.attempts < SPOOL_ATTEMPTS_MAX)
		c->item.attempts++;
	c->item.next_at = next_at;
	set_error(&c->item, error);
	return rewrite(c, SPOOL_PENDING, err, errlen);
}

int
spool_defer(struct spool_claim *c, long long next_at, char *err,
    size_t errlen)
{
	c->item.next_at = next_at;
	return rewrite(c, SPOOL_PENDING, err, errlen);
}

/*
 * One rename moves the item, then its new content replaces it there: a
 * crash between the two leaves it dead with its previous last error,
 * never in both places.
 */
int
spool_bury(struct spool_claim *c, int attempted, const char *error,
    char *err, size_t errlen)
{
	struct buf	 from = { 0 }, to = { 0 };
	int		 rc = -1;

	if (make_dirs(c->dir, err, errlen) == -1)
		goto out;
	item_path(&from, c->dir, SPOOL_PENDING, c->item.id);
	item_path(&to, c->dir, SPOOL_DEAD, c->item.id);
	if (rename(from.data, to.data) == -1) {
		set_err(err, errlen, "rename to", to.data);
		goto out;
	}
	if (sync_dir(c->dir, err, errlen) == -1)
		goto out;
	if (attempted && c->item.attempts < SPOOL_ATTEMPTS_MAX)
		c->item.attempts++;
	set_error(&c->item, error);
	rc = rewrite(c, SPOOL_DEAD, err, errlen);
out:
	buf_free(&from);
	buf_free(&to);
	spool_release(c);
	return rc;
}

int
spool_requeue(const char *dir, const char *id, long long now, char *err,
    size_t errlen)
{
	struct spool_claim	 c;
	struct buf		 from = { 0 }, to = { 0 };
	int			 rc;

	if ((rc = claim(dir, SPOOL_DEAD, id, 0, &c, err, errlen)) != 0)
		return rc;
	rc = -1;
	item_path(&from, dir, SPOOL_DEAD, id);
	item_path(&to, dir, SPOOL_PENDING, id);
	if (rename(from.data, to.data) == -1) {
		set_err(err, errlen, "rename to", to.data);
		goto out;
	}
	if (sync_dir(dir, err, errlen) == -1)
		goto out;
	c.item.attempts = 0;
	c.item.next_at = now;
	c.item.received = now;
	rc = rewrite(&c, SPOOL_PENDING, err, errlen);
out:
	buf_free(&from);
	buf_free(&to);
	spool_release(&c);
	return rc;
}

int
spool_clean(const char *dir, long long now, char *err, size_t errlen)
{
	struct buf	 path = { 0 };
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "open", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.data, &st) == -1 || !S_ISREG(st.st_mode) ||
		    (long long)st.st_mtime > now - SPOOL_TMP_STALE)
			continue;
		if (unlink(path.data) == 0)
			n++;
	}
	closedir(d);
	buf_free(&path);
	return n;
}

long long
spool_backoff(long long attempts, unsigned int rnd)
{
	long long	 d = SPOOL_BACKOFF_BASE;

	for (long long i = 1; i < attempts && d < SPOOL_BACKOFF_CAP; i++)
		d *= 2;
	if (d > SPOOL_BACKOFF_CAP)
		d = SPOOL_BACKOFF_CAP;
	/* 80% .. 120%, in 1% steps. */
	return d * (80 + rnd % 41) / 100;
}

long long
spool_next_try(long long now, long long attempts)
{
	unsigned int	 rnd;
	struct timespec	 ts;

	/* Jitter needs no cryptographic quality: fall back to the clock. */
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		rnd = (unsigned int)ts.tv_nsec ^ (unsigned int)getpid();
	}
	return now + spool_backoff(attempts, rnd);
}
