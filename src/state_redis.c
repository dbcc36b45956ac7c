/*
 * The shared rules in Redis: see state_redis.h.  The only file that
 * includes hiredis (https://github.com/redis/hiredis, Debian's
 * libhiredis-dev).
 */
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>

#include "buf.h"
#include "clock.h"
#include "crypto.h"
#include "dedup.h"
#include "hex.h"
#include "io.h"
#include "ratelimit.h"
#include "state_redis.h"
#include "state_url.h"

#define KEY_ROOT	"pgyer-relay:"
#define CLAIMED		"claimed:"
#define ARGS_MAX	12
/* A long run (--drain) tries a failed Redis again after this (ms). */
#define RETRY_MS	10000

/*
 * The claim (dedup.h's rule).  KEYS: the mark, its sent set.  ARGV: our
 * claim, now (Unix s), the window (ms), a claim we found dead and may
 * replace ("": none).  Returns { 0 new | 1 duplicate | 2 taken (enum
 * dedup_result), the
 * mark found }.  A claim past its deadline is taken over; a live or
 * settled mark is a duplicate; the window counts from the first
 * sighting (KEEPTTL).
 */
static const char claim_lua[] =
"local v = redis.call('GET', KEYS[1])\n"
"if not v then\n"
"  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])\n"
"  redis.call('DEL', KEYS[2])\n"
"  return {0, ''}\n"
"end\n"
"local d = string.match(v, '^claimed:.*:(%d+)$')\n"
"if d and (tonumber(d) <= tonumber(ARGV[2]) or v == ARGV[4]) then\n"
"  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')\n"
"  return {2, v}\n"
"end\n"
"return {1, v}\n";

/* dedup_note(): KEYS the mark, its sent set; ARGV the webhook. */
static const char note_lua[] =
"local v = redis.call('GET', KEYS[1])\n"
"if v and string.sub(v, 1, 8) == 'claimed:' then\n"
"  redis.call('SADD', KEYS[2], ARGV[1])\n"
"  local t = redis.call('PTTL', KEYS[1])\n"
"  if t > 0 then redis.call('PEXPIRE', KEYS[2], t) end\n"
"end\n"
"return 0\n";

/*
 * A send slot (ratelimit.h's sliding windows).  KEYS: the robot's sends,
 * its block.  ARGV: a unique name for this send, the longest window
 * (ms), then limit and window (ms) for each rule.  Returns 0 (taken) or
 * the ms until a slot frees.
 */
static const char take_lua[] =
"local t = redis.call('TIME')\n"
"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
"local longest = tonumber(ARGV[2])\n"
"redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)\n"
"local nxt = 0\n"
"local b = tonumber(redis.call('GET', KEYS[2]) or '0') or 0\n"
"if b > now then nxt = b end\n"
"for i = 3, #ARGV - 1, 2 do\n"
"  local lim, w = tonumber(ARGV[i]), tonumber(ARGV[i + 1])\n"
"  local r = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf',\n"
"    '(' .. (now - w), 'WITHSCORES', 'LIMIT', lim - 1, 1)\n"
"  if #r == 2 and tonumber(r[2]) + w > nxt then\n"
"    nxt = tonumber(r[2]) + w\n"
"  end\n"
"end\n"
"if nxt > now then return nxt - now end\n"
"redis.call('ZADD', KEYS[1], now, ARGV[1])\n"
"redis.call('PEXPIRE', KEYS[1], longest)\n"
"return 0\n";

/* "Too fast": KEYS the robot's block; ARGV how long (ms). */
static const char refused_lua[] =
"local t = redis.call('TIME')\n"
"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
"local u = now + tonumber(ARGV[1])\n"
"local b = tonumber(redis.call('GET', KEYS[1]) or '0') or 0\n"
"if u > b then redis.call('SET', KEYS[1], u, 'PX', ARGV[1]) end\n"
"return 0\n";

struct script {
	const char	*text;
	char		 sha[2 * CRYPTO_SHA1_LEN + 1];	/* "": not yet */
};

static struct script claim_script = { claim_lua, "" };
static struct script note_script = { note_lua, "" };
static struct script take_script = { take_lua, "" };
static struct script refused_script = { refused_lua, "" };

/* The process's connection. */
static struct {
	redisContext	*c;
	char		*url;		/* what c is connected to */
	int		 failed;	/* until state_redis_begin() ... */
	long long	 retry_at;	/* ... or this (clock_mono_ms()) */
	char		 why[256];	/* the failure */
	unsigned long	 sends;		/* names this process's sends */
	long		 timeout_ms;
} conn;

long
state_redis_timeout_ms(long timeout_ms)
{
	long	 t = timeout_ms / 10;

	return t < 50 ? 50 : t > 1000 ? 1000 : t;
}

void
state_redis_begin(void)
{
	conn.failed = 0;
}

static void
drop(void)
{
	if (conn.c != NULL)
		redisFree(conn.c);
	conn.c = NULL;
	free(conn.url);
	conn.url = NULL;
}

void
state_redis_close(void)
{
	drop();
	conn.failed = 0;
}

static int	 fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Gives up on the connection until the next request; -1 with err. */
static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(conn.why, sizeof(conn.why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s", conn.why);
	conn.failed = 1;
	conn.retry_at = clock_mono_ms() + RETRY_MS;
	drop();
	return -1;
}

/* Clears a password (volatile: the compiler may not drop the stores
 * to memory about to go out of scope). */
static void
wipe(void *p, size_t len)
{
	volatile unsigned char	*v = p;

	while (len-- > 0)
		*v++ = 0;
}

/* The password in state_password_file (its first line).  0 or -1. */
static int
read_password(const char *path, char *out, size_t outlen)
{
	struct buf	 b = { 0 };
	int		 fd, rc = -1;
	size_t		 len;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (io_read_all(fd, outlen - 1, &b) == 0 && b.data != NULL) {
		len = strcspn(b.data, "\r\n");
		memcpy(out, b.data, len);
		out[len] = '\0';
		rc = len > 0 ? 0 : -1;
	}
	close(fd);
	if (b.data != NULL)
		wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

/* A reply that is an error, or none: -1 with err (no secret in it). */
static int
bad_reply(redisReply *r, const char *what, char *err, size_t errlen)
{
	char	 text[200];

	if (r == NULL && conn.c == NULL && conn.failed) {
		/* connect_to() said why. */
		snprintf(err, errlen, "%s", conn.why);
		return -1;
	}
	if (r == NULL)
		return fail(err, errlen, "Redis (state_url): %s (timeout "
		    "%ld ms)", conn.c != NULL && conn.c->err != 0 ?
		    conn.c->errstr : "no reply", conn.timeout_ms);
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(text, sizeof(text), "%s: %.150s", what, r->str);
		freeReplyObject(r);
		return fail(err, errlen, "Redis (state_url): %s", text);
	}
	return 0;
}

/*
 * One command on the connection, with SIGPIPE held back: hiredis
 * writes with write(2), and a connection Redis closed would otherwise
 * kill a process that does not ignore SIGPIPE (the command line: a
 * --drain).  A SIGPIPE raised meanwhile is consumed; the write's EPIPE
 * is the error.
 */
static redisReply *
call(int argc, const char **argv, const size_t *len)
{
	static const struct timespec	 zero = { 0, 0 };
	sigset_t			 sigpipe, old, pending;
	redisReply			*r;

	int				 e;

	sigemptyset(&sigpipe);
	sigaddset(&sigpipe, SIGPIPE);
	sigpending(&pending);
	/* One pending before us is not ours to consume. */
	if (sigismember(&pending, SIGPIPE) ||
	    sigprocmask(SIG_BLOCK, &sigpipe, &old) == -1)
		return redisCommandArgv(conn.c, argc, argv, len);
	r = redisCommandArgv(conn.c, argc, argv, len);
	e = errno;	/* the write's or read's, for call_kept() */
	sigpending(&pending);
	if (sigismember(&pending, SIGPIPE))
		(void)sigtimedwait(&sigpipe, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

/* Connects when not connected.  0, or -1 with err. */
static int
connect_to(const struct config *cfg, char *err, size_t errlen)
{
	struct state_url	 u;
	struct timeval		 tv;
	redisReply		*r;
	const char		*why, *auth[2];
	size_t			 alen[2];
	char			 db[16];
	long			 ms;

	if (conn.c != NULL && conn.url != NULL &&
	    strcmp(conn.url, cfg->state_url) == 0)
		return 0;
	drop();
	if (conn.failed && clock_mono_ms() < conn.retry_at) {
		snprintf(err, errlen, "%s", conn.why);
		return -1;
	}
	if (state_url_parse(cfg->state_url, &u, &why) == -1)
		return fail(err, errlen, "state_url: %s", why);
	if (*cfg->state_password_file != '\0' &&
	    read_password(cfg->state_password_file, u.password,
	    sizeof(u.password)) == -1) {
		wipe(&u, sizeof(u));
		return fail(err, errlen, "cannot read state_password_file %s",
		    cfg->state_password_file);
	}
	ms = conn.timeout_ms = state_redis_timeout_ms(cfg->timeout_ms);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	conn.c = u.is_unix ? redisConnectUnixWithTimeout(u.path, tv) :
	    redisConnectWithTimeout(u.host, u.port, tv);
	if (conn.c == NULL || conn.c->err != 0 ||
	    redisSetTimeout(conn.c, tv) != REDIS_OK) {
		wipe(&u, sizeof(u));
		return fail(err, errlen, "Redis (state_url): cannot connect: "
		    "%s (timeout %ld ms)", conn.c != NULL ? conn.c->errstr :
		    "out of memory", ms);
	}
	if (u.password[0] != '\0') {
		auth[0] = "AUTH";
		auth[1] = u.password;
		alen[0] = 4;
		alen[1] = strlen(u.password);
		r = call(2, auth, alen);
		wipe(&u.password, sizeof(u.password));
		if (bad_reply(r, "AUTH", err, errlen) == -1)
			return -1;
		freeReplyObject(r);
	}
	if (u.db != 0) {
		snprintf(db, sizeof(db), "%d", u.db);
		auth[0] = "SELECT";
		auth[1] = db;
		alen[0] = 6;
		alen[1] = strlen(db);
		r = call(2, auth, alen);
		if (bad_reply(r, "SELECT", err, errlen) == -1)
			return -1;
		freeReplyObject(r);
	}
	conn.url = strdup(cfg->state_url);
	if (conn.url == NULL)
		return fail(err, errlen, "Redis (state_url): out of memory");
	return 0;
}

/* 1 when this process holds a connection to cfg's state_url. */
static int
kept(const struct config *cfg)
{
	return conn.c != NULL && conn.url != NULL &&
	    strcmp(conn.url, cfg->state_url) == 0;
}

/*
 * call() on a connection kept from an earlier request, once more on a
 * new one when Redis had closed it (restarted, or its idle timeout): the
 * command then never reached a running server, so sending it again
 * cannot run it twice.  A timeout is not retried (the command may have
 * run).  NULL: no reply (conn.c's error, or connect_to()'s with err).
 */
static redisReply *
call_kept(const struct config *cfg, int reused, int argc,
    const char **argv, const size_t *len, char *err, size_t errlen)
{
	redisReply	*r;
	int		 e;

	r = call(argc, argv, len);
	e = errno;
	if (r != NULL || !reused || conn.c == NULL ||
	    !(conn.c->err == REDIS_ERR_EOF || (conn.c->err == REDIS_ERR_IO &&
	    (e == EPIPE || e == ECONNRESET))))
		return r;
	drop();
	if (connect_to(cfg, err, errlen) == -1)
		return NULL;
	return call(argc, argv, len);
}

/* A key: "pgyer-relay:" PREFIX ":" kind ":" id. */
static void
key_name(struct buf *b, const struct config *cfg, const char *kind,
    const char *id)
{
	buf_puts(b, KEY_ROOT);
	if (*cfg->state_prefix != '\0')
		buf_printf(b, "%s:", cfg->state_prefix);
	buf_printf(b, "%s:%s", kind, id);
}

/* A command from argv (NUL-terminated strings); the reply or NULL with
 * err (the connection dropped). */
static redisReply *
command(const struct config *cfg, const char *what, int argc,
    const char **argv, char *err, size_t errlen)
{
	size_t		 len[ARGS_MAX];
	redisReply	*r;
	int		 reused = kept(cfg);

	if (connect_to(cfg, err, errlen) == -1)
		return NULL;
	for (int i = 0; i < argc; i++)
		len[i] = strlen(argv[i]);
	r = call_kept(cfg, reused, argc, argv, len, err, errlen);
	if (bad_reply(r, what, err, errlen) == -1)
		return NULL;
	return r;
}

/*
 * Runs a script by its SHA-1 (EVALSHA), sending its text (EVAL) only
 * when the server does not have it yet (NOSCRIPT): after a restart, or
 * the first time.  args: KEYS then ARGV, nkeys of them keys.
 */
static redisReply *
run_script(const struct config *cfg, struct script *s, int nkeys,
    int nargs, const char **args, char *err, size_t errlen)
{
	const char	*argv[ARGS_MAX];
	char		 nk[16];
	unsigned char	 md[CRYPTO_SHA1_LEN];
	size_t		 len[ARGS_MAX];
	redisReply	*r;
	int		 reused = kept(cfg);

	if (nargs + 3 > ARGS_MAX) {
		snprintf(err, errlen, "redis: too many script arguments");
		return NULL;
	}
	if (s->sha[0] == '\0') {
		if (crypto_sha1(s->text, strlen(s->text), md, err, errlen) ==
		    -1)
			return NULL;
		hex_encode(md, sizeof(md), s->sha);
	}
	if (connect_to(cfg, err, errlen) == -1)
		return NULL;
	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = s->sha;
	argv[2] = nk;
	for (int i = 0; i < nargs; i++)
		argv[3 + i] = args[i];
	for (int i = 0; i < nargs + 3; i++)
		len[i] = strlen(argv[i]);
	r = call_kept(cfg, reused, nargs + 3, argv, len, err, errlen);
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		argv[0] = "EVAL";
		argv[1] = s->text;
		len[0] = strlen(argv[0]);
		len[1] = strlen(argv[1]);
		r = call(nargs + 3, argv, len);
	}
	if (bad_reply(r, "script", err, errlen) == -1)
		return NULL;
	return r;
}

int
state_redis_ping(const struct config *cfg, char *err, size_t errlen)
{
	const char	*argv[] = { "PING" };
	redisReply	*r;

	if ((r = command(cfg, "PING", 1, argv, err, errlen)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

/* This host's name, as claims and send names carry it. */
static void
our_host(char *out, size_t len)
{
	if (gethostname(out, len) == -1)
		snprintf(out, len, "unknown");
	out[len - 1] = '\0';
}

/*
 * 1 when a mark is a claim by a process of this host that is gone (the
 * other hosts' processes only their deadline ends).
 */
static int
dead_here(const char *mark)
{
	char		 host[256], *p;
	long		 pid;
	size_t		 n;

	our_host(host, sizeof(host));
	n = strlen(host);
	if (strncmp(mark, CLAIMED, strlen(CLAIMED)) != 0)
		return 0;
	mark += strlen(CLAIMED);
	if (strncmp(mark, host, n) != 0 || mark[n] != ':')
		return 0;
	pid = strtol(mark + n + 1, &p, 10);
	if (pid <= 0 || *p != ':')
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int
state_redis_claim(const struct config *cfg, const char *key, long long now,
    long long window, long long deadline, char *err, size_t errlen)
{
	struct buf	 mark = { 0 }, sent = { 0 }, mine = { 0 }, found = { 0 };
	char		 host[256], snow[32], swin[32];
	const char	*args[6];
	redisReply	*r;
	int		 rc = -1;

	our_host(host, sizeof(host));
	key_name(&mark, cfg, "dedup", key);
	key_name(&sent, cfg, "sent", key);
	buf_printf(&mine, CLAIMED "%s:%ld:%lld", host, (long)getpid(),
	    deadline);
	snprintf(snow, sizeof(snow), "%lld", now);
	snprintf(swin, sizeof(swin), "%lld", window * 1000);
	buf_puts(&found, "");
	for (int round = 0; round < 2; round++) {
		args[0] = mark.data;
		args[1] = sent.data;
		args[2] = mine.data;
		args[3] = snow;
		args[4] = swin;
		args[5] = found.data;
		if ((r = run_script(cfg, &claim_script, 2, 6, args, err,
		    errlen)) == NULL)
			goto out;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_INTEGER ||
		    r->element[1]->type != REDIS_REPLY_STRING) {
			freeReplyObject(r);
			(void)fail(err, errlen, "Redis (state_url): claim: "
			    "unexpected reply");
			goto out;
		}
		rc = (int)r->element[0]->integer;
		buf_reset(&found);
		buf_puts(&found, r->element[1]->str);
		freeReplyObject(r);
		/* A claim by a process of ours that died: take it over. */
		if (rc != DEDUP_DUPLICATE || round > 0 ||
		    !dead_here(found.data))
			break;
	}
out:
	buf_free(&mark);
	buf_free(&sent);
	buf_free(&mine);
	buf_free(&found);
	return rc;
}

int
state_redis_settle(const struct config *cfg, const char *key,
    const char *state, char *err, size_t errlen)
{
	struct buf	 mark = { 0 };
	const char	*argv[5];
	redisReply	*r;

	key_name(&mark, cfg, "dedup", key);
	/* Only a mark that is there: an expired one stays gone. */
	argv[0] = "SET";
	argv[1] = mark.data;
	argv[2] = state;
	argv[3] = "XX";
	argv[4] = "KEEPTTL";
	r = command(cfg, "SET", 5, argv, err, errlen);
	buf_free(&mark);
	if (r == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

/*
 * Over key's mark and its sent set: script s with extra as its argument,
 * or (s NULL) DEL of both.  0, or -1 with err.
 */
static int
on_mark(const struct config *cfg, const char *key, struct script *s,
    const char *extra, char *err, size_t errlen)
{
	struct buf	 mark = { 0 }, sent = { 0 };
	const char	*argv[4];
	redisReply	*r;
	int		 n = 0;

	key_name(&mark, cfg, "dedup", key);
	key_name(&sent, cfg, "sent", key);
	if (s == NULL)
		argv[n++] = "DEL";
	argv[n++] = mark.data;
	argv[n++] = sent.data;
	if (extra != NULL)
		argv[n++] = extra;
	r = s != NULL ? run_script(cfg, s, 2, n, argv, err, errlen) :
	    command(cfg, "DEL", n, argv, err, errlen);
	buf_free(&mark);
	buf_free(&sent);
	if (r == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

int
state_redis_note(const struct config *cfg, const char *key,
    const char *webhook, char *err, size_t errlen)
{
	return on_mark(cfg, key, &note_script, webhook, err, errlen);
}

int
state_redis_sent(const struct config *cfg, const char *key,
    void (*fn)(const char *webhook, void *arg), void *arg, char *err,
    size_t errlen)
{
	struct buf	 sent = { 0 };
	const char	*argv[2];
	redisReply	*r;
	int		 n = 0;

	key_name(&sent, cfg, "sent", key);
	argv[0] = "SMEMBERS";
	argv[1] = sent.data;
	r = command(cfg, "SMEMBERS", 2, argv, err, errlen);
	buf_free(&sent);
	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING) {
				fn(r->element[i]->str, arg);
				n++;
			}
	freeReplyObject(r);
	return n;
}

int
state_redis_forget(const struct config *cfg, const char *key, char *err,
    size_t errlen)
{
	return on_mark(cfg, key, NULL, NULL, err, errlen);
}

int
state_redis_take(const struct config *cfg, const struct ratelimit_limits *l,
    const char *robot, long long *wait_ms, char *err, size_t errlen)
{
	struct buf	 rate = { 0 }, block = { 0 }, name = { 0 };
	char		 num[2 * RATELIMIT_RULES_MAX + 1][24], host[64];
	const char	*args[4 + 2 * RATELIMIT_RULES_MAX];
	long long	 longest = 0;
	redisReply	*r;
	int		 n = 0, rc = -1;

	our_host(host, sizeof(host));
	key_name(&rate, cfg, "rate", robot);
	key_name(&block, cfg, "block", robot);
	/* Unique among every host's sends in the window, even when a pid
	 * is reused within it (a member added again would only move). */
	buf_printf(&name, "%s:%ld:%lld:%lu", host, (long)getpid(),
	    clock_wall_ms(), ++conn.sends);
	for (size_t i = 0; i < l->n; i++)
		if (l->rules[i].window_ms > longest)
			longest = l->rules[i].window_ms;
	args[n++] = rate.data;
	args[n++] = block.data;
	args[n++] = name.data;
	snprintf(num[0], sizeof(num[0]), "%lld", longest);
	args[n++] = num[0];
	for (size_t i = 0; i < l->n; i++) {
		snprintf(num[1 + 2 * i], sizeof(num[0]), "%d",
		    l->rules[i].limit);
		snprintf(num[2 + 2 * i], sizeof(num[0]), "%lld",
		    l->rules[i].window_ms);
		args[n++] = num[1 + 2 * i];
		args[n++] = num[2 + 2 * i];
	}
	if ((r = run_script(cfg, &take_script, 2, n, args, err, errlen)) ==
	    NULL)
		goto out;
	if (r->type != REDIS_REPLY_INTEGER || r->integer < 0)
		(void)fail(err, errlen, "Redis (state_url): rate: "
		    "unexpected reply");
	else {
		*wait_ms = r->integer;
		rc = r->integer > 0;
	}
	freeReplyObject(r);
out:
	buf_free(&rate);
	buf_free(&block);
	buf_free(&name);
	return rc;
}

int
state_redis_refused(const struct config *cfg,
    const struct ratelimit_limits *l, const char *robot, char *err,
    size_t errlen)
{
	struct buf	 block = { 0 };
	char		 ms[24];
	const char	*args[2];
	redisReply	*r;

	key_name(&block, cfg, "block", robot);
	snprintf(ms, sizeof(ms), "%lld", l->block_ms);
	args[0] = block.data;
	args[1] = ms;
	r = run_script(cfg, &refused_script, 1, 2, args, err, errlen);
	buf_free(&block);
	if (r == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}
