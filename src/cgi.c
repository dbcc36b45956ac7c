/* The CGI side: see cgi.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cgi.h"
#include "front.h"
#include "io.h"
#include "jsongen.h"
#include "log.h"

#define READ_CHUNK	65536
/* A body longer than this is not drained but cut off (the server then
 * closes the connection); draining it would only feed a hostile client. */
#define DRAIN_MAX	(64UL * 1024 * 1024)

/* RFC 9110 section 15; indexed by enum http_status (as kcgi's khttps[]). */
const struct http_status_line cgi_statuses[HTTP__MAX] = {
	[HTTP_200] = { 200, "200 OK" },
	[HTTP_202] = { 202, "202 Accepted" },
	[HTTP_400] = { 400, "400 Bad Request" },
	[HTTP_403] = { 403, "403 Forbidden" },
	[HTTP_404] = { 404, "404 Not Found" },
	[HTTP_405] = { 405, "405 Method Not Allowed" },
	[HTTP_408] = { 408, "408 Request Timeout" },
	[HTTP_413] = { 413, "413 Content Too Large" },
	[HTTP_415] = { 415, "415 Unsupported Media Type" },
	[HTTP_500] = { 500, "500 Internal Server Error" },
	[HTTP_502] = { 502, "502 Bad Gateway" },
	[HTTP_503] = { 503, "503 Service Unavailable" },
	[HTTP_504] = { 504, "504 Gateway Timeout" },
};

static void	 prepare_emergency(enum http_status, const char *);

static volatile sig_atomic_t responded;
static char emergency[512];
static char forget[4096];
static size_t emergency_len;

int
cgi_is_json(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return 0;
	ct += strspn(ct, " \t");
	n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0)
		return 0;
	ct += n;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}

/* f's read, retried on EINTR.  Returns bytes read, 0 at EOF, -1. */
static ssize_t
read_some(struct front *f, char *p, size_t n)
{
	ssize_t	 r;

	do
		r = f->read(f, p, n);
	while (r == -1 && errno == EINTR);
	return r;
}

/* Reads and discards up to left bytes (to EOF when left is -1). */
static void
drain(struct front *fd, long long left)
{
	char	 sink[READ_CHUNK];
	size_t	 want;
	ssize_t	 r;
	unsigned long long total = 0;

	while (left != 0 && total < DRAIN_MAX) {
		want = sizeof(sink);
		if (left > 0 && (unsigned long long)left < want)
			want = (size_t)left;
		if ((r = read_some(fd, sink, want)) <= 0)
			return;
		total += (size_t)r;
		if (left > 0)
			left -= r;
	}
}

/*
 * RFC 3875 4.1.2: CONTENT_LENGTH is 1*digit.  Returns the length, -1 when
 * unset or empty (read to EOF), -2 when malformed.
 */
static long long
parse_length(const char *s)
{
	long long	 n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -2;
		if (n > (1LL << 50))
			return -2;
		n = n * 10 + (*s - '0');
	}
	return n;
}

enum http_status
cgi_read_body(struct front *fd, const char *content_length, size_t max,
    struct buf *out, char *err, size_t errlen)
{
	char		 chunk[READ_CHUNK];
	long long	 want;
	ssize_t		 r;
	size_t		 room;

	want = parse_length(content_length);
	if (want == -2) {
		snprintf(err, errlen, "CONTENT_LENGTH is not a number");
		return HTTP_400;
	}
	if (want >= 0 && (unsigned long long)want > max) {
		drain(fd, want);
		snprintf(err, errlen, "body of %lld bytes is over the limit "
		    "of %zu bytes (max_body_bytes)", want, max);
		return HTTP_413;
	}
	for (;;) {
		room = want >= 0 ? (size_t)want - out->len : max + 1 - out->len;
		if (room == 0)
			break;
		if (room > sizeof(chunk))
			room = sizeof(chunk);
		if ((r = read_some(fd, chunk, room)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				snprintf(err, errlen, "the request body did "
				    "not arrive in time");
				return HTTP_408;
			}
			snprintf(err, errlen, "reading the body: %s",
			    strerror(errno));
			return HTTP_400;
		}
		if (r == 0)
			break;
		if (buf_append(out, chunk, (size_t)r) == -1) {
			cgi_drain(fd, content_length);
			snprintf(err, errlen, "body is over the limit of %zu "
			    "bytes (max_body_bytes)", max);
			return HTTP_413;
		}
		if (want < 0 && out->len > max) {
			drain(fd, -1);
			snprintf(err, errlen, "body is over the limit of %zu "
			    "bytes (max_body_bytes)", max);
			return HTTP_413;
		}
	}
	if (want >= 0 && out->len < (size_t)want) {
		snprintf(err, errlen, "body ended after %zu of %lld bytes",
		    out->len, want);
		return HTTP_400;
	}
	if (out->len == 0) {
		snprintf(err, errlen, "empty body: POST the PGYER event as "
		    "JSON");
		return HTTP_400;
	}
	return HTTP_200;
}

void
cgi_drain(struct front *fd, const char *content_length)
{
	long long	 want = parse_length(content_length);

	if (want != -2)
		drain(fd, want);
}

/*
 * The response is built, then handed to the front end whole.  Running
 * out of memory while building leaves it unsent, so the out-of-memory
 * handler answers 500; a response over BUF_MAX is a 500 too.
 */
int
cgi_respond(struct front *f, enum http_status st, const char *headers,
    const char *body, size_t len)
{
	struct buf	 out = { 0 };
	int		 rc;

	if (f->responded)
		return -1;
	buf_printf(&out, "Status: %s\r\n%sContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n\r\n",
	    cgi_statuses[st].line, headers != NULL ? headers : "", len + 1);
	buf_append(&out, body, len);
	if (buf_putc(&out, '\n') == -1) {
		static const char too_large[] = "Status: 500 Internal Server "
		    "Error\r\nContent-Type: application/json\r\n"
		    "Cache-Control: no-store\r\n\r\n"
		    "{\"error\":\"response too large\"}\n";

		f->responded = 1;
		(void)f->write(f, too_large, sizeof(too_large) - 1);
		buf_free(&out);
		return -1;
	}
	f->responded = 1;
	rc = f->write(f, out.data, out.len);
	buf_free(&out);
	return rc;
}

/*
 * The CGI's write: SIGALRM is held from the check to the end of the
 * write, so the backstop (on_alarm) either answers first, or waits for
 * this whole response and then only exits.
 */
static int
stdio_write(struct front *f, const char *p, size_t n)
{
	sigset_t	 alrm, old;
	int		 rc = -1, held;

	(void)f;
	held = sigemptyset(&alrm) == 0 && sigaddset(&alrm, SIGALRM) == 0 &&
	    pthread_sigmask(SIG_BLOCK, &alrm, &old) == 0;
	if (!held)
		alarm(0);	/* cannot hold the backstop off: disarm it */
	if (!responded) {
		responded = 1;
		rc = io_write_all(STDOUT_FILENO, p, n);
	}
	if (held)
		(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static const char *
stdio_param(struct front *f, const char *name)
{
	(void)f;
	return getenv(name);
}

static ssize_t
fd_read(struct front *f, char *p, size_t n)
{
	return read(*(int *)f->ctx, p, n);
}

static void
stdio_deadline(struct front *f, unsigned int seconds, enum http_status st,
    const char *msg)
{
	(void)f;
	(void)cgi_deadline(seconds, st, msg);
}

static void
stdio_forget(struct front *f, const char *path)
{
	(void)f;
	cgi_deadline_unlink(path);
}

struct front *
cgi_stdio(void)
{
	static int		 in = STDIN_FILENO;
	static struct front	 f = {
		.param = stdio_param,
		.read = fd_read,
		.write = stdio_write,
		.deadline = stdio_deadline,
		.forget = stdio_forget,
		.ctx = &in,
	};

	return &f;
}

void
cgi_front_fd(struct front *f, int *fd)
{
	memset(f, 0, sizeof(*f));
	f->param = stdio_param;
	f->read = fd_read;
	f->write = stdio_write;
	f->ctx = fd;
}

size_t
cgi_emergency(char *out, size_t size, enum http_status st, const char *msg)
{
	int	 n;

	if (size == 0)
		return 0;
	n = snprintf(out, size, "Status: %s\r\n"
	    "Content-Type: application/json\r\nCache-Control: no-store\r\n"
	    "\r\n{\"error\":\"%s\"}\n", cgi_statuses[st].line, msg);
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* Prepares a complete response in emergency[] (no allocation later). */
static void
prepare_emergency(enum http_status st, const char *msg)
{
	emergency_len = cgi_emergency(emergency, sizeof(emergency), st, msg);
}

static void
on_alarm(int sig)
{
	(void)sig;
	if (responded) {
		log_urgent("deadline passed while the response was written");
		_exit(0);
	}
	responded = 1;
	(void)io_write_all(STDOUT_FILENO, emergency, emergency_len);
	cgi_deadline_forget();
	log_urgent("deadline passed, answered by the backstop");
	_exit(0);
}

int
cgi_deadline(unsigned int seconds, enum http_status st, const char *msg)
{
	struct sigaction sa;

	alarm(0);
	if (seconds == 0)
		return 0;
	prepare_emergency(st, msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* Without the handler SIGALRM would kill the process unanswered:
	 * no handler, no alarm. */
	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGALRM, &sa, NULL) == -1)
		return -1;
	alarm(seconds);
	return 0;
}

void
cgi_deadline_unlink(const char *path)
{
	if (path == NULL || strlen(path) >= sizeof(forget))
		forget[0] = '\0';
	else
		memcpy(forget, path, strlen(path) + 1);
}

void
cgi_deadline_forget(void)
{
	/* unlink() is async-signal-safe (POSIX 2008 2.4.3). */
	if (forget[0] != '\0')
		(void)unlink(forget);
}

void
cgi_out_of_memory(void)
{
	alarm(0);
	if (!responded) {
		prepare_emergency(HTTP_500, "out of memory");
		responded = 1;
		(void)io_write_all(STDOUT_FILENO, emergency, emergency_len);
	}
}

int
cgi_responded(void)
{
	return responded;
}

void
cgi_error(struct front *f, enum http_status st, const char *msg)
{
	struct jgen	 j;
	struct buf	 out = { 0 };
	char		 err[128];
	const char	*allow = st == HTTP_405 ? "Allow: POST\r\n" : NULL;

	/* Byte for byte, as the message was written: no UTF-8 check. */
	jgen_init_bytes(&j);
	jgen_map_open(&j);
	jgen_kv(&j, "error", msg);
	jgen_map_close(&j);
	if (jgen_finish(&j, &out, err, sizeof(err)) == -1)
		(void)cgi_respond(f, st, allow, "{}", 2);
	else
		(void)cgi_respond(f, st, allow, out.data, out.len);
	buf_free(&out);
}
