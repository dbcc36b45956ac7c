/* Unit tests: CGI body reading, content type, the status table, error
 * bodies, the backstop and out-of-memory responses. */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cgi.h"
#include "front.h"
#include "test.h"
#include "xalloc.h"

/* A pipe holding data, write end closed: stdin as the server gives it. */
static int
pipe_with(const char *data, size_t len)
{
	int	 fd[2];

	if (pipe(fd) == -1)
		return -1;
	if (len > 0 && write(fd[1], data, len) != (ssize_t)len)
		return -1;
	close(fd[1]);
	return fd[0];
}

static enum http_status
read_body(const char *data, const char *cl, size_t max, struct buf *b,
    char *err)
{
	enum http_status st;
	struct front	 f;
	int		 fd = pipe_with(data, strlen(data));

	cgi_front_fd(&f, &fd);
	buf_reset(b);
	st = cgi_read_body(&f, cl, max, b, err, 200);
	close(fd);
	return st;
}

static void
test_read_body(void)
{
	struct buf	 b = { 0 };
	char		 err[200];

	CHECK_INT(read_body("{\"a\":1}", "7", 100, &b, err), HTTP_200);
	CHECK_STR(b.data, "{\"a\":1}");
	/* Never read past CONTENT_LENGTH (RFC 3875 4.2). */
	CHECK_INT(read_body("{\"a\":1}garbage", "7", 100, &b, err), HTTP_200);
	CHECK_STR(b.data, "{\"a\":1}");
	/* Unset or empty: to EOF (Apache passes chunked bodies so). */
	CHECK_INT(read_body("{}", NULL, 100, &b, err), HTTP_200);
	CHECK_STR(b.data, "{}");
	CHECK_INT(read_body("{}", "", 100, &b, err), HTTP_200);
	/* stdin ends first. */
	CHECK_INT(read_body("{}", "10", 100, &b, err), HTTP_400);
	CHECK(strstr(err, "2 of 10") != NULL);
	CHECK_INT(read_body("{}", "-1", 100, &b, err), HTTP_400);
	CHECK_INT(read_body("{}", "1e3", 100, &b, err), HTTP_400);
	CHECK_INT(read_body("{}", " 2", 100, &b, err), HTTP_400);
	CHECK_INT(read_body("", "0", 100, &b, err), HTTP_400);
	CHECK_INT(read_body("", NULL, 100, &b, err), HTTP_400);
	CHECK(strstr(err, "empty") != NULL);
	CHECK_INT(read_body("0123456789", "10", 9, &b, err), HTTP_413);
	CHECK_INT(read_body("0123456789", NULL, 9, &b, err), HTTP_413);
	CHECK_INT(read_body("0123456789", NULL, 10, &b, err), HTTP_200);
	CHECK_INT(read_body("{}", "99999999999999999999999", 100, &b, err),
	    HTTP_400);
	buf_free(&b);
}

static void
test_is_json(void)
{
	CHECK(cgi_is_json("application/json"));
	CHECK(cgi_is_json("Application/JSON; charset=utf-8"));
	CHECK(cgi_is_json("application/json;charset=UTF-8"));
	CHECK(!cgi_is_json("application/jsonx"));
	CHECK(!cgi_is_json("text/plain"));
	CHECK(!cgi_is_json("application/x-www-form-urlencoded"));
	CHECK(!cgi_is_json(""));
	CHECK(!cgi_is_json(NULL));
}

/* The backstop answers for a process that outlives its deadline, and
 * removes the file it was given (a dedup mark). */
static void
test_deadline_backstop(void)
{
	char	 mark[] = "/tmp/pgyer-relay-mark-XXXXXX";
	char	 out[1024];
	int	 fd, p[2], status;
	ssize_t	 n, got = 0;
	pid_t	 pid;

	if ((fd = mkstemp(mark)) == -1 || pipe(p) == -1) {
		CHECK(0);
		return;
	}
	close(fd);
	if ((pid = fork()) == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		cgi_deadline(1, HTTP_504, "deadline passed");
		cgi_deadline_unlink(mark);
		for (;;)
			pause();	/* a transfer that never ends */
	}
	close(p[1]);
	while ((n = read(p[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strncmp(out, "Status: 504 Gateway Timeout\r\n", 29) == 0);
	CHECK(strstr(out, "{\"error\":\"deadline passed\"}") != NULL);
	CHECK(access(mark, F_OK) == -1);
	unlink(mark);
}

/* Reads fd to EOF into b. */
static void
read_all(int fd, struct buf *b)
{
	char	 chunk[65536];
	ssize_t	 n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(b, chunk, (size_t)n);
}

/* The Content-Length in a response's headers, or -1. */
static long
content_length(const char *resp)
{
	const char	*p = strstr(resp, "Content-Length: ");

	return p != NULL ? atol(p + 16) : -1;
}

/*
 * Runs fn(arg) in a child whose stdout is a pipe, which the child ends
 * with _exit(); reads what it writes into out.  Returns its wait status,
 * or -1.
 */
static int
in_child(void (*fn)(void *), void *arg, struct buf *out)
{
	int	 p[2], status;
	pid_t	 pid;

	if (pipe(p) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		fn(arg);
		_exit(3);
	}
	close(p[1]);
	read_all(p[0], out);
	close(p[0]);
	return pid != -1 && waitpid(pid, &status, 0) == pid ? status : -1;
}

/*
 * The alarm arriving while the response is written neither cuts it short
 * nor adds a second one: the whole response, then the exit.  The child
 * writes 1 MB into a pipe, so it is still writing when the parent, having
 * read the first bytes, sends SIGALRM.
 */
static void
test_respond_alarm_while_writing(void)
{
	const size_t	 len = 1024 * 1024;
	struct buf	 out = { 0 };
	char		*body, *end;
	int		 p[2], status;
	pid_t		 pid;

	if ((body = malloc(len)) == NULL || pipe(p) == -1) {
		CHECK(0);
		free(body);
		return;
	}
	memset(body, 'x', len);
	if ((pid = fork()) == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		cgi_deadline(3600, HTTP_504, "deadline passed");
		cgi_respond(cgi_stdio(), HTTP_200, NULL, body, len);
		_exit(3);
	}
	close(p[1]);
	buf_append(&out, "", 0);
	while (out.len == 0) {
		char	 c;

		if (read(p[0], &c, 1) != 1)
			break;
		buf_putc(&out, c);
	}
	kill(pid, SIGALRM);
	read_all(p[0], &out);
	close(p[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK(strncmp(out.data, "Status: 200 OK\r\n", 16) == 0);
	CHECK(strstr(out.data, "504") == NULL);
	CHECK_INT(content_length(out.data), len + 1);
	end = strstr(out.data, "\r\n\r\n");
	CHECK(end != NULL);
	if (end != NULL)
		CHECK_INT(out.len - (size_t)(end + 4 - out.data), len + 1);
	buf_free(&out);
	free(body);
}

#if !defined(__SANITIZE_ADDRESS__)
/* The child of test_respond_out_of_memory(). */
static void
respond_out_of_memory(void *arg)
{
	const size_t	 len = 32 * 1024 * 1024;
	struct rlimit	 rl;
	unsigned long	 pages = 0;
	FILE		*f;
	char		*body;
	int		 zero;

	(void)arg;
	xalloc_set_handler(cgi_out_of_memory);
	/* len bytes of body that take address space, not memory. */
	if ((zero = open("/dev/zero", O_RDONLY)) == -1 ||
	    (body = mmap(NULL, len, PROT_READ, MAP_PRIVATE, zero,
	    0)) == MAP_FAILED ||
	    (f = fopen("/proc/self/statm", "r")) == NULL ||
	    fscanf(f, "%lu", &pages) != 1)
		_exit(2);
	fclose(f);
	rl.rlim_cur = rl.rlim_max = pages *
	    (unsigned long)sysconf(_SC_PAGESIZE) + len / 2;
	if (setrlimit(RLIMIT_AS, &rl) == -1)
		_exit(2);
	cgi_respond(cgi_stdio(), HTTP_200, NULL, body, len);
}
#endif

/*
 * Memory running out while the response is built still answers: a 500
 * from cgi_out_of_memory(), the handler the CGI gives xalloc.  The child
 * limits its address space to less than the response needs.  ASan
 * reserves terabytes of address space, so there this is skipped.
 */
static void
test_respond_out_of_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("skip - test_respond_out_of_memory: RLIMIT_AS under ASan\n");
#else
	struct buf	 out = { 0 };
	int		 status;

	status = in_child(respond_out_of_memory, NULL, &out);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 70);
	CHECK(out.data != NULL &&
	    strncmp(out.data, "Status: 500 Internal Server Error\r\n", 35) == 0);
	CHECK(out.data != NULL && strstr(out.data, "out of memory") != NULL);
	buf_free(&out);
#endif
}

/* Every status has its code and its RFC 9110 reason phrase, in order. */
static void
test_status_table(void)
{
	for (int i = 0; i < HTTP__MAX; i++) {
		char	 code[8];

		CHECK(cgi_statuses[i].line != NULL);
		if (cgi_statuses[i].line == NULL)
			continue;
		snprintf(code, sizeof(code), "%d ", cgi_statuses[i].code);
		CHECK(strncmp(cgi_statuses[i].line, code, 4) == 0);
		if (i > 0)
			CHECK(cgi_statuses[i].code > cgi_statuses[i - 1].code);
	}
	CHECK_INT(cgi_statuses[HTTP_202].code, 202);
	CHECK_STR(cgi_statuses[HTTP_413].line, "413 Content Too Large");
	CHECK_STR(cgi_statuses[HTTP_504].line, "504 Gateway Timeout");
}

struct error_args {
	enum http_status	 st;
	const char		*msg;
};

static void
error_child(void *arg)
{
	struct error_args	*a = arg;

	cgi_error(cgi_stdio(), a->st, a->msg);
	_exit(cgi_responded() ? 0 : 1);
}

/* What cgi_error(st, msg) writes to stdout, into out. */
static void
error_response(enum http_status st, const char *msg, struct buf *out)
{
	struct error_args	 a = { st, msg };
	int			 status;

	status = in_child(error_child, &a, out);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* An error is a whole response: its status line, Allow for a 405, and
 * {"error": msg} with the message escaped as JSON. */
static void
test_error_body(void)
{
	struct buf	 out = { 0 };
	const char	*body;

	error_response(HTTP_405, "use POST", &out);
	CHECK(out.data != NULL && strncmp(out.data,
	    "Status: 405 Method Not Allowed\r\nAllow: POST\r\n", 45) == 0);
	body = out.data != NULL ? strstr(out.data, "\r\n\r\n") : NULL;
	CHECK_STR(body, "\r\n\r\n{\"error\":\"use POST\"}\n");
	CHECK_INT(content_length(out.data != NULL ? out.data : ""), 21);
	buf_reset(&out);
	error_response(HTTP_400, "bad \"type\"\n\x01", &out);
	CHECK(out.data != NULL &&
	    strncmp(out.data, "Status: 400 Bad Request\r\n", 25) == 0);
	CHECK(out.data != NULL && strstr(out.data, "Allow:") == NULL);
	body = out.data != NULL ? strstr(out.data, "\r\n\r\n") : NULL;
	CHECK_STR(body, "\r\n\r\n{\"error\":\"bad \\\"type\\\"\\n"
	    "\\u0001\"}\n");
	buf_free(&out);
}

int
main(void)
{
	RUN(test_read_body);
	RUN(test_is_json);
	RUN(test_status_table);
	RUN(test_error_body);
	RUN(test_deadline_backstop);
	RUN(test_respond_alarm_while_writing);
	RUN(test_respond_out_of_memory);
	return TEST_END();
}
