/*
 * The FastCGI supervisor: `--fastcgi ADDR [--workers N]` listens on ADDR
 * ("-": the listening socket it was given as standard input) and keeps N
 * worker processes (fcgi_serve()) serving on it.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include "fcgi.h"

/*
 * Runs the supervisor for argv ("--fastcgi", ADDR, and optionally
 * "--workers", N): until SIGTERM or SIGINT, then until the workers have
 * finished their requests.  Returns the program's exit status.
 */
int	 supervise_main(int argc, char *argv[], fcgi_handler h, void *arg,
	    void (*worker_end)(void *arg));

#endif
