/*
 * The transport: sends HTTP POSTs in parallel through one curl multi
 * handle and hands back what came: the HTTP status and body, or why
 * nothing came and whether that is worth retrying.  It does not judge a
 * reply (the queue asks the robot's judge: queue_judge()).  The only
 * file that includes curl.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stddef.h>

#include "buf.h"
#include "robot.h"

struct config;
struct transport;

/* A reply longer than this is cut (and says so); the rest is dropped. */
#define DELIVER_REPLY_MAX	(64 * 1024)

struct delivery {
	/* in */
	const char	*name;		/* webhook name, for the log */
	enum robot_type	 type;		/* whose judge() reads the reply */
	struct request	 req;
	/* out: from the transport */
	int		 answered;	/* a reply came: status and body */
	long		 http_status;	/* 0: no reply */
	struct buf	 reply;		/* its first DELIVER_REPLY_MAX bytes */
	int		 reply_cut;	/* it was longer */
	int		 timed_out;
	long		 ms;		/* wall time of this delivery */
	/* out: the verdict, the transport's when not answered, else the
	 * robot's judge's (queue_judge()) */
	int		 ok;
	struct verdict	 v;		/* errcode/errmsg; says what failed */
	/* set by the caller */
	int		 queued;	/* failed, but kept in the spool for
					 * --drain: not a failure */
};

/*
 * Opens the transport: loads libcurl (checking its version) the first
 * time, and makes a multi handle that keeps its connection and TLS
 * session caches across every batch sent through it, until
 * deliver_close().  NULL with err (which names the library and the
 * package to install) when curl cannot be set up.
 */
struct transport *deliver_open(char *err, size_t errlen);
void		 deliver_close(struct transport *);
/* Once, at the end of the program: curl_global_cleanup() if needed. */
void		 deliver_end(void);

/*
 * Sends every d[i].req at once and fills the results.  The config's
 * timeout_ms bounds the whole call; its proxy ("": none) is the only
 * proxy used; ca_file/ca_path, when set, replace the system's trust.
 */
void	 deliver_all(struct transport *, struct delivery *d, size_t n,
	    const struct config *);

/*
 * Sends requests as they come, at most window at once, each with its own
 * timeout_ms: next(arg) hands over the next delivery to start (NULL: none
 * for now), done(d, arg) gets each delivery the moment its own transfer
 * ends.  After a done(), next() is asked again; the call returns when
 * next() has nothing and nothing is in flight.  (The drain: one slow
 * robot holds back no other transfer.)
 */
void	 deliver_stream(struct transport *, const struct config *,
	    size_t window, struct delivery *(*next)(void *arg),
	    void (*done)(struct delivery *, void *arg), void *arg);

/* "libcurl/8.0 OpenSSL/3.0 ...", or NULL with err when it cannot be
 * loaded. */
const char *deliver_version(char *err, size_t errlen);

#endif
