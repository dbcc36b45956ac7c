/* The FastCGI front end and worker loop: see fcgi.h. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "cgi.h"
#include "clock.h"
#include "fcgi.h"
#include "front.h"
#include "log.h"
#include "xalloc.h"

/* The supervisor's allowance past a request's own deadline: its answer,
 * the journal's fsyncs. */
#define GRACE_MS	5000LL
/* A request's bound between the steps that set their own: the lock waits
 * and fsyncs around them (lock.h bounds each). */
#define STEP_MS		30000LL
#define BACKLOG		128

struct fcgi_ctx {
	FCGX_Request		*req;
	struct fcgi_slot	*slot;
};

/* SIGTERM: 1 once asked to stop; 1 while blocked in accept, where
 * stopping is exiting (no request is in hand). */
static volatile sig_atomic_t stopping;
static volatile sig_atomic_t accepting;
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
	return FCGX_PutStr(p, (int)n, c->req->out) == (int)n ? 0 : -1;
}

/*
 * No alarm in a worker: the body read is bounded by the socket's receive
 * timeout (a read past it fails with EAGAIN: 408), the rest by curl's and
 * the locks' own deadlines, and the whole request by the supervisor,
 * which kills a worker past the time published here.
 */
static void
fcgi_deadline(struct front *f, unsigned int seconds, enum http_status st,
    const char *msg)
{
	struct fcgi_ctx	*c = f->ctx;
	struct timeval	 tv;
	long long	 ms = seconds > 0 ? seconds * 1000LL : STEP_MS;

	(void)msg;
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
	if (accepting)
		_exit(0);
	stopping = 1;
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
	(void)FCGX_PutStr(oom, sizeof(oom) - 1, c->req->out);
	FCGX_Finish_r(c->req);
}

int
fcgi_serve(int lfd, struct fcgi_slot *slot, fcgi_handler h, void *arg)
{
	FCGX_Request		 req;
	struct fcgi_ctx		 c = { &req, slot };
	struct front		 f;
	struct sigaction	 sa;
	sigset_t		 term, old;
	int			 rc = 0;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, lfd, 0) != 0) {
		log_msg("FastCGI: cannot set up the request");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigemptyset(&term) == -1 || sigaddset(&term, SIGTERM) == -1) {
		log_msg("FastCGI: sigaction: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	xalloc_set_handler(fcgi_out_of_memory);
	/* SIGTERM waits while a request is in hand; in accept it exits. */
	sigprocmask(SIG_BLOCK, &term, &old);
	while (!stopping) {
		accepting = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (FCGX_Accept_r(&req) < 0) {
			sigprocmask(SIG_BLOCK, &term, NULL);
			accepting = 0;
			if (!stopping) {
				log_msg("FastCGI: accept failed");
				rc = -1;
			}
			break;
		}
		sigprocmask(SIG_BLOCK, &term, NULL);
		accepting = 0;
		memset(&f, 0, sizeof(f));
		f.param = fcgi_param;
		f.read = fcgi_read;
		f.write = fcgi_write;
		f.deadline = fcgi_deadline;
		f.ctx = &c;
		fcgi_deadline(&f, 0, HTTP_504, "");
		current = &f;
		h(&f, arg);
		if (!f.responded)
			cgi_error(&f, HTTP_500, "internal error");
		current = NULL;
		FCGX_Finish_r(&req);
		if (slot != NULL)
			slot->busy_until = 0;
		/* A pending SIGTERM is taken here: stopping is set. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigprocmask(SIG_BLOCK, &term, NULL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	FCGX_Free(&req, 1);
	return rc;
}
