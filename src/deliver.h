/*
 * Sends requests in parallel through one curl multi handle, under one
 * overall deadline.  The only file that includes curl.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stddef.h>

#include "robot.h"

struct config;

struct delivery {
	/* in */
	const char	*name;		/* webhook name, for the log */
	enum robot_type	 type;		/* whose judge() reads the reply */
	struct request	 req;
	/* out */
	int		 ok;
	int		 timed_out;
	long		 http_status;	/* 0: no reply */
	long		 ms;		/* wall time of this delivery */
	struct verdict	 v;		/* errcode/errmsg; says what failed */
	/* set by the caller */
	int		 queued;	/* failed, but kept in the spool for
					 * --drain: not a failure */
};

/*
 * Sends every d[i].req at once and fills the results.  The config's
 * timeout_ms bounds the whole call; its proxy ("": none) is the only
 * proxy used; ca_file/ca_path, when set, replace the system's trust.
 * Returns 0, or -1 with err when curl itself could not be set up.
 */
int	 deliver_all(struct delivery *d, size_t n, const struct config *,
	    char *err, size_t errlen);

/*
 * Sends requests as they come, at most window at once, each with its own
 * timeout_ms: next(arg) hands over the next delivery to start (NULL: none
 * for now), done(d, arg) gets each delivery the moment its own transfer
 * ends.  After a done(), next() is asked again; the call returns when
 * next() has nothing and nothing is in flight.  (The drain: one slow
 * robot holds back no other transfer.)  Returns 0, or -1 with err when
 * curl itself could not be set up.
 */
int	 deliver_stream(const struct config *, size_t window,
	    struct delivery *(*next)(void *arg),
	    void (*done)(struct delivery *, void *arg), void *arg, char *err,
	    size_t errlen);

#endif
