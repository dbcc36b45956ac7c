/* The FastCGI front end and worker loop: see fcgi.h. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "cgi.h"
#include "clock.h"
#include "fcgi.h"
#include "front.h"
#include "io.h"
#include "log.h"
#include "xalloc.h"

/* The supervisor's allowance past a request's own deadline, in case the
 * worker's backstop cannot answer either. */
#define GRACE_MS	5000LL
/* A request's bound between the steps that set their own: the lock waits
 * and fsyncs around them (lock.h bounds each). */
#define STEP_MS		30000LL
#define BACKLOG		128
/* How soon a worker waiting for a connection notices SIGTERM at worst. */
#define ACCEPT_SLICE_MS	1000

struct fcgi_ctx {
	FCGX_Request		*req;
	struct fcgi_slot	*slot;
};

/* SIGTERM: 1 once asked to stop (after the request in hand). */
static volatile sig_atomic_t stopping;
/*
 * The backstop, as the CGI's (cgi.c): past the deadline the pipeline set,
 * SIGALRM's handler writes the response prepared here, as whole FastCGI
 * records (https://fastcgi-archives.github.io/FastCGI_Specification.html
 * 3.3, 5.3, 5.5: the response on FCGI_STDOUT, its end, FCGI_END_REQUEST),
 * straight to the connection, unless a response was begun; removes the
 * file it was given; and exits.  The supervisor starts a new worker.
 */
static unsigned char		 backstop[3 * FCGI_HEADER_LEN + 512 + 8];
static size_t			 backstop_len;
static int			 backstop_fd = -1;
static volatile sig_atomic_t	 answering;
/* The request in hand, for the out-of-memory handler only. */
static struct front *current;

int
fcgi_listening(int fd)
{
	int		 on = 0;
	socklen_t	 len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on != 0;
}

int
fcgi_open(const char *addr, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*path;
	int		 fd;

	if (FCGX_Init() != 0) {
		snprintf(err, errlen, "FCGX_Init failed");
		return -1;
	}
	if (strncmp(addr, "unix:", 5) == 0) {
		path = addr + 5;
		if (*path == '\0') {
			snprintf(err, errlen, "%s: no socket path", addr);
			return -1;
		}
		/* libfcgi removes what is there first: only a socket. */
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket",
			    addr);
			return -1;
		}
	} else {
		path = addr;
		if (strchr(addr, ':') == NULL) {
			snprintf(err, errlen, "%s: not unix:/path nor "
			    "HOST:PORT", addr);
			return -1;
		}
	}
	if ((fd = FCGX_OpenSocket(path, BACKLOG)) == -1) {
		snprintf(err, errlen, "%s: cannot listen: %s", addr,
		    strerror(errno));
		return -1;
	}
	if (path != addr && chmod(path, 0660) == -1) {
		snprintf(err, errlen, "%s: chmod: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static const char *
fcgi_param(struct front *f, const char *name)
{
	struct fcgi_ctx	*c = f->ctx;

	return FCGX_GetParam(name, c->req->envp);
}

static ssize_t
fcgi_read(struct front *f, char *p, size_t n)
{
	struct fcgi_ctx	*c = f->ctx;
	int		 r, e;

	if (n > INT_MAX)
		n = INT_MAX;
	r = FCGX_GetStr(p, (int)n, c->req->in);
	if (r == 0 && (e = FCGX_GetError(c->req->in)) != 0) {
		/* Positive: an errno; negative: a FastCGI protocol error. */
		errno = e > 0 ? e : EPROTO;
		return -1;
	}
	return r;
}

static int
fcgi_write(struct front *f, const char *p, size_t n)
{
	struct fcgi_ctx	*c = f->ctx;

	if (n > INT_MAX)
		return -1;
	/* libfcgi sends it at FCGX_Finish_r(): the backstop must not cut
	 * it off now (the supervisor still bounds the rest). */
	alarm(0);
	answering = 1;
	return FCGX_PutStr(p, (int)n, c->req->out) == (int)n ? 0 : -1;
}

/* A record header (the specification's 3.3) at p; its length. */
static size_t
record(unsigned char *p, int type, int id, size_t len)
{
	p[0] = FCGI_VERSION_1;
	p[1] = (unsigned char)type;
	p[2] = (unsigned char)(id >> 8 & 0xff);
	p[3] = (unsigned char)(id & 0xff);
	p[4] = (unsigned char)(len >> 8 & 0xff);
	p[5] = (unsigned char)(len & 0xff);
	p[6] = 0;	/* no padding */
	p[7] = 0;
	return FCGI_HEADER_LEN;
}

/* Prepares the backstop's answer for request id on fd: st and msg. */
static void
prepare_backstop(int fd, int id, enum http_status st, const char *msg)
{
	unsigned char	*p = backstop;
	size_t		 n;

	n = cgi_emergency((char *)p + FCGI_HEADER_LEN, 512, st, msg);
	p += record(p, FCGI_STDOUT, id, n);
	p += n;
	p += record(p, FCGI_STDOUT, id, 0);
	p += record(p, FCGI_END_REQUEST, id, 8);
	/* appStatus 0, FCGI_REQUEST_COMPLETE, 3 reserved bytes. */
	memset(p, 0, 8);
	p[4] = FCGI_REQUEST_COMPLETE;
	p += 8;
	backstop_len = (size_t)(p - backstop);
	backstop_fd = fd;
}

static void
on_alarm(int sig)
{
	(void)sig;
	if (answering) {
		log_urgent("deadline passed while the response was written");
		_exit(FCGI_EXIT_BACKSTOP);
	}
	answering = 1;
	(void)io_write_all(backstop_fd, backstop, backstop_len);
	cgi_deadline_forget();
	log_urgent("deadline passed, answered by the backstop");
	_exit(FCGI_EXIT_BACKSTOP);
}

static void
fcgi_forget(struct front *f, const char *path)
{
	(void)f;
	cgi_deadline_unlink(path);
}

/*
 * The body read is bounded by the socket's receive timeout (a read past
 * it fails with EAGAIN: the pipeline answers 408; the backstop a second
 * later only if it cannot), the rest by curl's and the locks' own
 * deadlines, then by the backstop, as in the CGI; and the whole request
 * by the supervisor, which kills a worker past the time published here.
 */
static void
fcgi_deadline(struct front *f, unsigned int seconds, enum http_status st,
    const char *msg)
{
	struct fcgi_ctx	*c = f->ctx;
	struct timeval	 tv;
	long long	 ms = seconds > 0 ? seconds * 1000LL : STEP_MS;

	/* Without a supervisor (spawn-fcgi) nothing would start another
	 * process: no backstop there. */
	alarm(0);
	if (seconds > 0 && c->slot != NULL) {
		prepare_backstop(c->req->ipcFd, c->req->requestId, st, msg);
		alarm(st == HTTP_408 ? seconds + 1 : seconds);
	}
	if (st == HTTP_408 && seconds > 0) {
		tv.tv_sec = seconds;
		tv.tv_usec = 0;
		if (setsockopt(c->req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv)) == -1)
			log_msg("SO_RCVTIMEO: %s", strerror(errno));
	}
	if (c->slot != NULL)
		c->slot->busy_until = clock_mono_ms() + ms + GRACE_MS;
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * Waits for a connection on lfd, a non-blocking socket, and accepts it
 * into req: 1, or 0 when stopping, or -1 (logged).  Several workers wait
 * on one socket: the one that loses the race finds nothing to accept
 * (EAGAIN) and waits again.  The wait is cut in slices so that a SIGTERM
 * arriving just before poll() is seen within one.
 */
static int
next_request(int lfd, FCGX_Request *req)
{
	struct pollfd	 pfd;
	int		 fl, rc;

	for (;;) {
		if (stopping)
			return 0;
		pfd.fd = lfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((rc = poll(&pfd, 1, ACCEPT_SLICE_MS)) == -1 &&
		    errno != EINTR) {
			log_msg("FastCGI: poll: %s", strerror(errno));
			return -1;
		}
		if (rc <= 0 || stopping)
			continue;
		if (FCGX_Accept_r(req) == 0)
			break;
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED) {
			log_msg("FastCGI: accept: %s", strerror(errno));
			return -1;
		}
	}
	/* The request's own socket blocks (BSD accept() would hand on
	 * O_NONBLOCK): its reads are bounded by SO_RCVTIMEO instead. */
	if ((fl = fcntl(req->ipcFd, F_GETFL)) == -1 ||
	    fcntl(req->ipcFd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		log_msg("FastCGI: fcntl: %s", strerror(errno));
	return 1;
}

/* Answers the request in hand, if it can, before xalloc exits. */
static void
fcgi_out_of_memory(void)
{
	static const char oom[] = "Status: 500 Internal Server Error\r\n"
	    "Content-Type: application/json\r\nCache-Control: no-store\r\n"
	    "\r\n{\"error\":\"out of memory\"}\n";
	struct fcgi_ctx	*c;

	if (current == NULL || current->responded)
		return;
	c = current->ctx;
	current->responded = 1;
	alarm(0);
	answering = 1;
	(void)FCGX_PutStr(oom, sizeof(oom) - 1, c->req->out);
	FCGX_Finish_r(c->req);
}

int
fcgi_serve(int lfd, struct fcgi_slot *slot, const sigset_t *mask,
    fcgi_handler h, void *arg)
{
	FCGX_Request		 req;
	struct fcgi_ctx		 c = { &req, slot };
	struct front		 f;
	struct sigaction	 sa;
	int			 rc = 0, fl, got;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, lfd, 0) != 0) {
		log_msg("FastCGI: cannot set up the request");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTERM, &sa, NULL) == -1) {
		log_msg("FastCGI: sigaction: %s", strerror(errno));
		return -1;
	}
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;
	if (sigaction(SIGALRM, &sa, NULL) == -1) {
		log_msg("FastCGI: sigaction: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Only now: a SIGTERM sent before would have met libfcgi's own
	 * handler (FCGX_Init() installs one), and been lost. */
	if (mask != NULL && sigprocmask(SIG_SETMASK, mask, NULL) == -1) {
		log_msg("FastCGI: sigprocmask: %s", strerror(errno));
		return -1;
	}
	xalloc_set_handler(fcgi_out_of_memory);
	if ((fl = fcntl(lfd, F_GETFL)) == -1 ||
	    fcntl(lfd, F_SETFL, fl | O_NONBLOCK) == -1) {
		log_msg("FastCGI: fcntl: %s", strerror(errno));
		return -1;
	}
	while ((got = next_request(lfd, &req)) == 1) {
		memset(&f, 0, sizeof(f));
		f.param = fcgi_param;
		f.read = fcgi_read;
		f.write = fcgi_write;
		f.deadline = fcgi_deadline;
		f.forget = fcgi_forget;
		f.ctx = &c;
		answering = 0;
		fcgi_forget(&f, NULL);
		fcgi_deadline(&f, 0, HTTP_504, "");
		current = &f;
		h(&f, arg);
		if (!f.responded)
			cgi_error(&f, HTTP_500, "internal error");
		current = NULL;
		alarm(0);
		FCGX_Finish_r(&req);
		if (slot != NULL)
			slot->busy_until = 0;
	}
	if (got == -1)
		rc = -1;
	FCGX_Free(&req, 1);
	return rc;
}
