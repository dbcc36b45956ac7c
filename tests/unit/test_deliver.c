/*
 * Unit tests: deliver.c, the transport, against a loopback mock made
 * here: a forked child that serves one connection on a port the kernel
 * chose (bind port 0), as a script says, and hands the request it read
 * back through a pipe.  The transport must return what came (status,
 * body, capped) or why nothing came, and not judge it.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "io.h"
#include "queue.h"
#include "test.h"

enum script {
	ANSWER,		/* reads the request, answers status and body */
	SILENT,		/* reads the request, answers nothing */
	PLAINTEXT,	/* answers a TLS ClientHello in cleartext HTTP */
};

struct mock {
	pid_t		 pid;
	int		 port;
	int		 back;	/* the request the child read */
};

static struct config	 cfg;

static void
config_init(long timeout_ms)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.timeout_ms = timeout_ms;
	cfg.proxy = (char *)"";
	cfg.ca_file = (char *)"";
	cfg.ca_path = (char *)"";
}

/* A socket listening on 127.0.0.1 at a port the kernel chose. */
static int
listen_any(int *port)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	int			 s;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 4) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1) {
		close(s);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return s;
}

/* Reads one HTTP request (headers and Content-Length body) into b. */
static int
read_request(int c, struct buf *b)
{
	char		 chunk[4096];
	const char	*end, *cl;
	size_t		 want = 0;
	ssize_t		 r;

	for (;;) {
		if (b->data != NULL && (end = strstr(b->data, "\r\n\r\n")) !=
		    NULL) {
			cl = strstr(b->data, "Content-Length: ");
			want = (size_t)(end + 4 - b->data) + (cl != NULL &&
			    cl < end ? (size_t)atol(cl + 16) : 0);
			if (b->len >= want)
				return 0;
		}
		if ((r = read(c, chunk, sizeof(chunk))) <= 0)
			return -1;
		buf_append(b, chunk, (size_t)r);
	}
}

/* The child: one connection, as the script says. */
static void
serve(int s, int back, enum script sc, int status, size_t body_len)
{
	struct buf	 req = { 0 }, out = { 0 };
	char		 c1;
	int		 c;

	if ((c = accept(s, NULL, NULL)) == -1)
		_exit(1);
	if (sc == PLAINTEXT) {
		if (read(c, &c1, 1) < 0)
			_exit(1);
		(void)io_write_all(c, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
		_exit(0);
	}
	if (read_request(c, &req) == -1)
		_exit(1);
	(void)io_write_all(back, req.data, req.len);
	close(back);
	if (sc == SILENT) {
		/* Until the client gives up and closes. */
		while (read(c, &c1, 1) > 0)
			continue;
		_exit(0);
	}
	buf_printf(&out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, body_len);
	for (size_t i = 0; i < body_len; i++)
		buf_putc(&out, "{}"[i % 2]);
	(void)io_write_all(c, out.data, out.len);
	close(c);
	_exit(0);
}

static int
mock_start(struct mock *m, enum script sc, int status, size_t body_len)
{
	int	 s, p[2];

	if ((s = listen_any(&m->port)) == -1 || pipe(p) == -1)
		return -1;
	fflush(NULL);
	if ((m->pid = fork()) == -1)
		return -1;
	if (m->pid == 0) {
		close(p[0]);
		serve(s, p[1], sc, status, body_len);
	}
	close(s);
	close(p[1]);
	m->back = p[0];
	return 0;
}

/* Ends the mock; the request it read, in req. */
static int
mock_end(struct mock *m, struct buf *req)
{
	char	 chunk[4096];
	ssize_t	 r;
	int	 st;

	while ((r = read(m->back, chunk, sizeof(chunk))) > 0)
		buf_append(req, chunk, (size_t)r);
	close(m->back);
	if (waitpid(m->pid, &st, 0) == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
delivery_init(struct delivery *d, char *url, const char *body)
{
	memset(d, 0, sizeof(*d));
	d->name = "hook";
	d->type = ROBOT_WECOM;
	d->req.url = url;
	d->req.body = (char *)body;
	d->req.body_len = strlen(body);
	d->req.headers[0] = (char *)"Content-Type: application/json";
	d->req.n_headers = 1;
}

/* Sends one request with the transport: 0, or -1 when it cannot open. */
static int
send_one(struct delivery *d)
{
	struct transport	*t;
	char			 err[256];

	if ((t = deliver_open(err, sizeof(err))) == NULL) {
		fprintf(stderr, "deliver_open: %s\n", err);
		return -1;
	}
	deliver_all(t, d, 1, &cfg);
	deliver_close(t);
	return 0;
}

/*
 * One request for path to a mock playing sc (status, a body of body_len
 * bytes) under timeout_ms: d holds the result, req what the mock read.
 */
static void
exchange(enum script sc, int status, size_t body_len, long timeout_ms,
    const char *scheme, struct delivery *d, struct buf *req)
{
	struct mock	 m;
	static char	 url[64];

	config_init(timeout_ms);
	CHECK_INT(mock_start(&m, sc, status, body_len), 0);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d/hook?key=k", scheme,
	    m.port);
	delivery_init(d, url, "{\"a\":1}");
	CHECK_INT(send_one(d), 0);
	CHECK_INT(mock_end(&m, req), 0);
}

/* Status and body come back as they came, not judged; the request went
 * out as built (the typed setopt wrappers set what they say). */
static void
test_status_body(void)
{
	struct delivery	 d;
	struct buf	 req = { 0 };

	exchange(ANSWER, 418, 6, 5000, "http", &d, &req);
	CHECK_INT(d.answered, 1);
	CHECK_INT(d.http_status, 418);
	CHECK_INT(d.reply.len, 6);
	CHECK(d.reply.data != NULL && memcmp(d.reply.data, "{}{}{}", 6) == 0);
	CHECK_INT(d.reply_cut, 0);
	/* Not judged: that is the caller's (queue_judge()). */
	CHECK_INT(d.ok, 0);
	CHECK_STR(d.v.errmsg, "");
	CHECK(req.data != NULL &&
	    strncmp(req.data, "POST /hook?key=k HTTP/1.1\r\n", 27) == 0);
	CHECK(req.data != NULL && strstr(req.data, "\r\nContent-Type: "
	    "application/json\r\n") != NULL);
	CHECK(req.data != NULL && strstr(req.data, "\r\nUser-Agent: "
	    "pgyer-relay/") != NULL);
	CHECK(req.data != NULL && strstr(req.data, "Expect:") == NULL);
	CHECK(req.data != NULL && req.len > 7 &&
	    memcmp(req.data + req.len - 7, "{\"a\":1}", 7) == 0);
	/* The robot judges 418: failed, with its reason. */
	queue_judge(&d);
	CHECK_INT(d.ok, 0);
	CHECK(d.v.errmsg[0] != '\0');
	CHECK(d.reply.data == NULL);
	buf_free(&req);
}

/* A reply over DELIVER_REPLY_MAX is cut there, and says so. */
static void
test_body_cap(void)
{
	struct delivery	 d;
	struct buf	 req = { 0 };

	exchange(ANSWER, 200, DELIVER_REPLY_MAX + 5000, 5000, "http", &d,
	    &req);
	CHECK_INT(d.answered, 1);
	CHECK_INT(d.http_status, 200);
	CHECK_INT(d.reply.len, DELIVER_REPLY_MAX);
	CHECK_INT(d.reply_cut, 1);
	queue_judge(&d);
	CHECK_INT(d.ok, 0);
	CHECK(strstr(d.v.errmsg, "(reply over 65536 bytes)") != NULL);
	buf_free(&req);
}

/* No answer within timeout_ms: timed out, retryable. */
static void
test_timeout(void)
{
	struct delivery	 d;
	struct buf	 req = { 0 };

	exchange(SILENT, 0, 0, 300, "http", &d, &req);
	CHECK_INT(d.answered, 0);
	CHECK_INT(d.http_status, 0);
	CHECK_INT(d.timed_out, 1);
	CHECK_INT(d.v.retryable, 1);
	CHECK(strstr(d.v.errmsg, "no answer within 300 ms") != NULL);
	buf_free(&req);
}

/* Nobody listening: cannot connect, retryable. */
static void
test_refused(void)
{
	struct delivery	 d;
	char		 url[64];
	int		 s, port;

	config_init(5000);
	CHECK((s = listen_any(&port)) != -1);
	close(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	delivery_init(&d, url, "{}");
	CHECK_INT(send_one(&d), 0);
	CHECK_INT(d.answered, 0);
	CHECK_INT(d.http_status, 0);
	CHECK_INT(d.v.retryable, 1);
	CHECK(strstr(d.v.errmsg, "cannot connect") != NULL);
}

/* A TLS handshake that fails on the way (reset, cut, garbled) is the
 * network's: retryable. */
static void
test_tls_handshake(void)
{
	struct delivery	 d;
	struct buf	 req = { 0 };

	exchange(PLAINTEXT, 0, 0, 5000, "https", &d, &req);
	CHECK_INT(d.answered, 0);
	CHECK_INT(d.v.retryable, 1);
	CHECK(strstr(d.v.errmsg, "TLS handshake failed") != NULL);
	buf_free(&req);
}

/*
 * One transport, many batches: the multi handle is the caller's.  The
 * second transfer reuses the first one's easy handle, reset: nothing of
 * the first request (a header, the body) goes out with it.
 */
static void
test_reuse(void)
{
	struct transport	*t;
	struct mock		 m;
	struct delivery		 d;
	struct buf		 req = { 0 };
	char			 url[64], err[256];

	config_init(5000);
	CHECK((t = deliver_open(err, sizeof(err))) != NULL);
	for (int i = 0; t != NULL && i < 3; i++) {
		CHECK_INT(mock_start(&m, ANSWER, 200, 2), 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", m.port);
		delivery_init(&d, url, i == 0 ? "{\"first\":1}" : "{}");
		if (i == 0)
			d.req.headers[d.req.n_headers++] =
			    (char *)"X-Only-First: 1";
		deliver_all(t, &d, 1, &cfg);
		CHECK_INT(mock_end(&m, &req), 0);
		CHECK_INT(d.http_status, 200);
		CHECK((strstr(req.data, "X-Only-First: 1") != NULL) ==
		    (i == 0));
		CHECK((strstr(req.data, "{\"first\":1}") != NULL) == (i == 0));
		CHECK(strstr(req.data, "Content-Type: application/json") !=
		    NULL);
		queue_judge(&d);
		buf_reset(&req);
	}
	deliver_close(t);
	buf_free(&req);
}

/* Allocations libcurl made through count_malloc() and friends. */
static atomic_size_t	 curl_allocs;

static void *
count_malloc(size_t n)
{
	curl_allocs++;
	return malloc(n);
}

static void *
count_calloc(size_t n, size_t size)
{
	curl_allocs++;
	return calloc(n, size);
}

static void *
count_realloc(void *p, size_t n)
{
	curl_allocs++;
	return realloc(p, n);
}

static char *
count_strdup(const char *s)
{
	curl_allocs++;
	return strdup(s);
}

/*
 * Whether libcurl is initialised now, by its own account: a
 * curl_global_init_mem() while it is initialised only counts one more
 * init and keeps the allocator it has; on the first init it installs
 * the one given (lib/easy.c, https://github.com/curl/curl).  So: one
 * init with counting callbacks, one transfer set up, one cleanup to
 * balance, and were the callbacks used?  1 initialised, 0 not, -1 when
 * libcurl is not loaded.
 */
static int
curl_initialised(void)
{
	CURLcode	 (*init_mem)(long, curl_malloc_callback,
			    curl_free_callback, curl_realloc_callback,
			    curl_strdup_callback, curl_calloc_callback);
	void		 (*cleanup)(void);
	CURL		*(*easy_init)(void);
	void		 (*easy_cleanup)(CURL *);
	void		*h;
	CURL		*e;

	/* The libcurl deliver.c opened, not another copy. */
	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD)) == NULL)
		return -1;
	*(void **)&init_mem = dlsym(h, "curl_global_init_mem");
	*(void **)&cleanup = dlsym(h, "curl_global_cleanup");
	*(void **)&easy_init = dlsym(h, "curl_easy_init");
	*(void **)&easy_cleanup = dlsym(h, "curl_easy_cleanup");
	if (init_mem == NULL || cleanup == NULL || easy_init == NULL ||
	    easy_cleanup == NULL || init_mem(CURL_GLOBAL_DEFAULT,
	    count_malloc, free, count_realloc, count_strdup,
	    count_calloc) != CURLE_OK) {
		dlclose(h);
		return -1;
	}
	curl_allocs = 0;
	if ((e = easy_init()) != NULL)
		easy_cleanup(e);
	cleanup();
	dlclose(h);
	return e != NULL && curl_allocs == 0;
}

/*
 * curl_global_init() once per program and curl_global_cleanup() once at
 * its end, as libcurl asks
 * (https://curl.se/libcurl/c/curl_global_init.html): not once per
 * batch, so a process that sends many batches (a drain, a FastCGI
 * server) neither re-initialises TLS each time nor tears it down under
 * a transfer.  libcurl stays initialised between batches, however the
 * transport is opened and closed, and deliver_end() leaves it
 * uninitialised.
 */
static void
test_global_once(void)
{
	struct mock	 m;
	struct delivery	 d;
	struct buf	 req = { 0 };
	char		 url[64];

	config_init(5000);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(mock_start(&m, ANSWER, 200, 2), 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", m.port);
		delivery_init(&d, url, "{}");
		CHECK_INT(send_one(&d), 0);
		CHECK_INT(mock_end(&m, &req), 0);
		CHECK_INT(d.http_status, 200);
		queue_judge(&d);
		buf_reset(&req);
		/* After each batch, as before the next one. */
		CHECK_INT(curl_initialised(), 1);
	}
	deliver_end();
	CHECK_INT(curl_initialised(), 0);
	buf_free(&req);
}

/* What it loads: libcurl 7.85.0 or later, by its own account. */
static void
test_version(void)
{
	const char	*v;
	char		 err[256];

	v = deliver_version(err, sizeof(err));
	CHECK(v != NULL && strchr(v, '.') != NULL);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_status_body);
	RUN(test_body_cap);
	RUN(test_timeout);
	RUN(test_refused);
	RUN(test_tls_handshake);
	RUN(test_reuse);
	RUN(test_version);
	RUN(test_global_once);	/* last: it ends libcurl */
	deliver_end();
	return TEST_END();
}
