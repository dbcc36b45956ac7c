/*
 * Robot rate limits: see ratelimit.h.
 *
 * A robot's file is text: the first line is the time (Unix ms) until
 * which the robot is blocked (0: not blocked), then one line per send
 * still inside the longest window, oldest first.  It is rewritten in
 * place under the lock and not fsynced: after a power cut it may forget
 * the last minute, and the robot's own limit (a retryable refusal) covers
 * that.  Anything unparsable in it is dropped.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "lock.h"
#include "ratelimit.h"
#include "crypto.h"
#include "hex.h"
#include "xalloc.h"

#define RATE_DIR	"rate"
/* The most sends one file remembers: the largest limit. */
#define SENDS_MAX	100

/*
 * Each window is a little longer than the robot's: a send counts from
 * when we took its slot, but the robot counts when the request arrives,
 * after DNS, TCP and TLS, which take longer for some requests than for
 * others.  A second of margin over a minute costs under 2% of the rate.
 */
#define MINUTE_MS	(60000 + 1000)
#define SECOND_MS	(1000 + 100)

static const struct ratelimit_limits limits[ROBOT__MAX] = {
	[ROBOT_WECOM] = { { { 20, MINUTE_MS } }, 1, 45009, MINUTE_MS },
	[ROBOT_DINGTALK] = { { { 20, MINUTE_MS } }, 1, 130101,
	    10 * 60 * 1000 },
	[ROBOT_FEISHU] = { { { 5, SECOND_MS }, { 100, MINUTE_MS } }, 2, 11232,
	    MINUTE_MS },
	[ROBOT_JSON] = { { { 0, 0 } }, 0, 0, 0 },
};

struct state {
	long long	 blocked_until;
	long long	 sends[SENDS_MAX + 1];
	size_t		 n;
};

const struct ratelimit_limits *
ratelimit_limits(enum robot_type type)
{
	if ((unsigned int)type >= ROBOT__MAX || limits[type].n == 0)
		return NULL;
	return &limits[type];
}

/* 1 when the query parameter at p (up to '&' or the end) is one of the
 * signature parameters added at send time. */
static int
is_signature(const char *p, size_t len)
{
	static const char *const names[] = { "timestamp", "sign" };
	size_t	 n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len >= n && strncmp(p, names[i], n) == 0 &&
		    (len == n || p[n] == '='))
			return 1;
	}
	return 0;
}

int
ratelimit_key(const char *url, char out[RATELIMIT_KEY_LEN + 1], char *err,
    size_t errlen)
{
	unsigned char		 md[CRYPTO_SHA256_LEN];
	struct buf		 b = { 0 };
	const char		*q, *p;
	size_t			 len;
	int			 first = 1, rc;

	if ((q = strchr(url, '?')) == NULL)
		buf_puts(&b, url);
	else {
		buf_append(&b, url, (size_t)(q - url));
		for (p = q + 1; *p != '\0'; p += len + (p[len] == '&')) {
			len = strcspn(p, "&");
			if (len == 0 || is_signature(p, len))
				continue;
			buf_putc(&b, first ? '?' : '&');
			buf_append(&b, p, len);
			first = 0;
		}
	}
	out[0] = '\0';
	if ((rc = crypto_sha256(b.data, b.len, md, err, errlen)) == 0)
		hex_encode(md, sizeof(md), out);
	buf_free(&b);
	return rc;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* One decimal number per line; -1 for anything else. */
static long long
parse_line(const char *p, size_t len)
{
	long long	 v = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * Reads the state, keeping the sends inside the longest window around
 * now (a send "in the future" is kept only up to one window ahead: the
 * clock may have stepped back, but not that far).
 */
static void
parse_state(const struct buf *b, long long now, long long window,
    struct state *s)
{
	const char	*p = b->data != NULL ? b->data : "";
	size_t		 len;
	long long	 v;
	int		 line = 0;

	memset(s, 0, sizeof(*s));
	for (; *p != '\0'; p += len + (p[len] == '\n'), line++) {
		len = strcspn(p, "\n");
		if ((v = parse_line(p, len)) < 0)
			continue;
		if (line == 0) {
			if (v <= now + 24LL * 3600 * 1000)
				s->blocked_until = v;
		} else if (v > now - window && v <= now + window &&
		    s->n < SENDS_MAX)
			s->sends[s->n++] = v;
	}
	qsort(s->sends, s->n, sizeof(s->sends[0]), cmp_ll);
}

static int
write_state(int fd, const struct state *s)
{
	struct buf	 b = { 0 };
	ssize_t		 n;
	int		 rc = -1;

	buf_printf(&b, "%lld\n", s->blocked_until);
	for (size_t i = 0; i < s->n; i++)
		buf_printf(&b, "%lld\n", s->sends[i]);
	do
		n = pwrite(fd, b.data, b.len, 0);
	while (n == -1 && errno == EINTR);
	/* A crash before the truncation leaves old lines at the end:
	 * they are old sends, which only makes us more careful. */
	if (n == (ssize_t)b.len && ftruncate(fd, (off_t)b.len) == 0)
		rc = 0;
	buf_free(&b);
	return rc;
}

/*
 * Opens and reads the robot's state under its lock.  Returns the locked
 * descriptor, or -1 with err.
 */
static int
open_state(const char *state_dir, const char *url,
    const struct ratelimit_limits *l, long long now, long long until_ms,
    struct state *s, char *err, size_t errlen)
{
	struct buf	 path = { 0 }, text = { 0 };
	char		 key[RATELIMIT_KEY_LEN + 1];
	long long	 window = 0;
	int		 dir, fd, rc;

	/* No key, no bucket: never one shared by every robot. */
	if (ratelimit_key(url, key, err, errlen) == -1)
		return -1;
	if ((dir = lock_opensub(state_dir, RATE_DIR, err, errlen)) == -1)
		return -1;
	buf_printf(&path, "%s/" RATE_DIR "/%s", state_dir, key);
	fd = lock_open(dir, key, path.data, until_ms, err, errlen);
	close(dir);
	if (fd == -1) {
		buf_free(&path);
		return -1;
	}
	/* Too big is not ours: start afresh (see above); else an error. */
	if ((rc = io_read_all(fd, RATELIMIT_FILE_MAX, &text)) == -1 &&
	    errno != EFBIG) {
		snprintf(err, errlen, "read %s: %s", path.data,
		    strerror(errno));
		close(fd);
		fd = -1;
	} else {
		if (rc == -1)
			buf_reset(&text);
		for (size_t i = 0; i < l->n; i++)
			if (l->rules[i].window_ms > window)
				window = l->rules[i].window_ms;
		parse_state(&text, now, window, s);
	}
	buf_free(&text);
	buf_free(&path);
	return fd;
}

static int
write_and_close(int fd, const struct state *s, const char *state_dir,
    char *err, size_t errlen)
{
	int	 rc = write_state(fd, s);

	if (rc == -1)
		snprintf(err, errlen, "write %s/" RATE_DIR "/...: %s",
		    state_dir, strerror(errno));
	close(fd);
	return rc;
}

int
ratelimit_take(const char *state_dir, enum robot_type type, const char *url,
    long long now, long long until_ms, long long *next_ms, char *err,
    size_t errlen)
{
	const struct ratelimit_limits	*l;
	const struct ratelimit_rule	*r;
	struct state			 s;
	long long			 next = 0, t;
	size_t				 in;
	int				 fd;

	*next_ms = now;
	if (state_dir == NULL || *state_dir == '\0' ||
	    (unsigned int)type >= ROBOT__MAX || limits[type].n == 0)
		return 0;
	l = &limits[type];
	if ((fd = open_state(state_dir, url, l, now, until_ms, &s, err,
	    errlen)) == -1)
		return -1;
	if (s.blocked_until > now)
		next = s.blocked_until;
	for (size_t i = 0; i < l->n; i++) {
		r = &l->rules[i];
		/* The sends inside this window are the last `in' ones. */
		in = 0;
		while (in < s.n && s.sends[s.n - 1 - in] > now - r->window_ms)
			in++;
		if (in < (size_t)r->limit)
			continue;
		/* The slot frees when the limit-th most recent send leaves
		 * the window. */
		t = s.sends[s.n - (size_t)r->limit] + r->window_ms;
		if (t > next)
			next = t;
	}
	if (next == 0) {
		s.sends[s.n++] = now;
		qsort(s.sends, s.n, sizeof(s.sends[0]), cmp_ll);
		/* Only the latest SENDS_MAX matter to any window. */
		if (s.n > SENDS_MAX) {
			memmove(s.sends, s.sends + 1,
			    SENDS_MAX * sizeof(s.sends[0]));
			s.n = SENDS_MAX;
		}
	}
	if (write_and_close(fd, &s, state_dir, err, errlen) == -1)
		return -1;
	if (next == 0)
		return 0;
	*next_ms = next;
	return 1;
}

int
ratelimit_refused(const char *state_dir, enum robot_type type,
    const char *url, long errcode, long long now, long long until_ms,
    char *err, size_t errlen)
{
	const struct ratelimit_limits	*l;
	struct state			 s;
	int				 fd;

	if (state_dir == NULL || *state_dir == '\0' ||
	    (unsigned int)type >= ROBOT__MAX || limits[type].n == 0 ||
	    errcode != limits[type].too_fast)
		return 0;
	l = &limits[type];
	if ((fd = open_state(state_dir, url, l, now, until_ms, &s, err,
	    errlen)) == -1)
		return -1;
	if (now + l->block_ms > s.blocked_until)
		s.blocked_until = now + l->block_ms;
	if (write_and_close(fd, &s, state_dir, err, errlen) == -1)
		return -1;
	return 1;
}
