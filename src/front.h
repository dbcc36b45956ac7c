/*
 * A front end: where a request comes from and its response goes.  The
 * pipeline (main.c) reads a request and writes its response only through
 * this, so that the CGI (cgi.c: environment, stdin, stdout) and a
 * FastCGI worker (fcgi.c: FCGX params and streams) serve the same way.
 */
#ifndef FRONT_H
#define FRONT_H

#include <sys/types.h>

#include "cgi.h"

struct front {
	/* A request variable (RFC 3875 4.1: "REQUEST_METHOD"), or NULL. */
	const char	*(*param)(struct front *, const char *name);
	/* Up to n bytes of the body: bytes read, 0 at its end, -1 with
	 * errno (EAGAIN: the client was too slow). */
	ssize_t		 (*read)(struct front *, char *p, size_t n);
	/* A whole response, as cgi_respond() formats it: 0 or -1. */
	int		 (*write)(struct front *, const char *p, size_t n);
	/*
	 * Bounds what follows by seconds (0: the bound of the step just
	 * done is over); past it, the request is answered with st and msg
	 * by the front end's backstop (SIGALRM, in the CGI and in a
	 * FastCGI worker), and the process ends.  NULL: nothing to do.
	 */
	void		 (*deadline)(struct front *, unsigned int seconds,
			    enum http_status st, const char *msg);
	/* A file to remove if the deadline passes (NULL: none). */
	void		 (*forget)(struct front *, const char *path);
	int		 responded;	/* a response was written */
	void		*ctx;
};

#endif
