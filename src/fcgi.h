/*
 * The FastCGI front end: a worker that accepts requests on a listening
 * socket with libfcgi's reentrant FCGX_ API and hands each to the same
 * pipeline the CGI runs, through a front end (front.h) made of the
 * request's params and streams.
 */
#ifndef FCGI_H
#define FCGI_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

struct front;

/*
 * What a worker publishes to its supervisor, in memory they share: the
 * monotonic time (clock_mono_ms()) by which its request must be done, 0
 * while it waits for one.
 */
struct fcgi_slot {
	_Atomic long long	 busy_until;
};

/* A worker's exit status once its backstop answered a request past its
 * deadline (the supervisor says so, and starts another). */
#define FCGI_EXIT_BACKSTOP	3

/* One request, start to end; the front end says whether it responded. */
typedef void	 (*fcgi_handler)(struct front *, void *arg);

/* 1 when fd is a listening socket (spawn-fcgi, mod_fcgid, systemd). */
int	 fcgi_listening(int fd);
/*
 * Opens a listening socket for addr: "unix:/path" (made 0660: the web
 * server's group may connect) or "HOST:PORT".  Returns it, or -1 with
 * err.
 */
int	 fcgi_open(const char *addr, char *err, size_t errlen);
/*
 * Serves requests on lfd with h until SIGTERM (a request in progress is
 * finished first); slot, when not NULL, gets each request's deadline.
 * mask, when not NULL, is the signal mask set once the worker's own
 * handlers are in place (a supervisor forks it with SIGTERM blocked).
 * Returns 0, or -1 when accepting failed (logged).
 */
int	 fcgi_serve(int lfd, struct fcgi_slot *slot, const sigset_t *mask,
	    fcgi_handler h, void *arg);

#endif
