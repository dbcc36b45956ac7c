/*
 * The journal: every accepted event waits here, one record per (event,
 * webhook), from before its first attempt until a robot accepts it.
 * This file knows records on disk only; what happens to them is the
 * queue's business (queue.h).
 *
 *	spool_dir/ID.json		pending
 *	spool_dir/dead/ID.json		given up: too many attempts, too old,
 *					or refused for good; kept with the
 *					last error until requeued
 *	spool_dir/dead/ID.quarantined	a record we did not write (another
 *					owner, readable by others): never sent
 *	spool_dir/.tmp-*		being written; left only by a crash
 *
 * Every write is a new file in spool_dir (same filesystem), fsync, rename
 * over the final name, fsync of the directory: a crash leaves either the
 * old version or the new one, never half of one.  Moves between pending
 * and dead are one rename(), so a record is always in exactly one place.
 * Files are mode 0600 whatever the umask.  Signatures are not stored:
 * they are made when the record is sent.
 *
 * The directories are opened once (O_DIRECTORY | O_NOFOLLOW) and must
 * belong to the user running the relay and not be writable by group or
 * others; records are opened relative to them, never through a symbolic
 * link.
 *
 * Claims: whoever sends a record claims it with an exclusive flock held
 * until it is deleted (delivered), rewritten (retry later) or moved
 * (dead).  A process that dies drops its lock with it, so a crash leaves
 * the record pending and claimable, and two processes never hold the
 * same record.  Keep spool_dir on a local filesystem.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>

/* Bounds for reading records back: a bigger or stranger file is refused. */
#define JOURNAL_BODY_MAX	(1024 * 1024)		/* the event body */
#define JOURNAL_TEXT_MAX	1024		/* app, webhook, error */
#define JOURNAL_RECORD_MAX	(8 * 1024 * 1024)	/* one file, escaped */
#define JOURNAL_ID_MAX		64
#define JOURNAL_TAG_LEN		16	/* hex digits of a tag in an id */
#define JOURNAL_ATTEMPTS_MAX	1000000

enum journal_queue {
	JOURNAL_PENDING,
	JOURNAL_DEAD,
	JOURNAL__MAX
};

/* The open journal: its directories. */
struct journal {
	int		 fd[JOURNAL__MAX];
	char		*path;		/* spool_dir, for messages */
};

struct journal_record {
	char		 id[JOURNAL_ID_MAX];	/* the file name, no ".json" */
	char		*app;		/* the app key */
	char		*webhook;	/* the webhook's name in that app */
	char		*body;		/* the event as received, any bytes */
	size_t		 body_len;
	long long	 received;	/* Unix s: arrival, or the last requeue;
					 * max_age counts from here */
	long long	 attempts;	/* failed attempts so far */
	long long	 next_at;	/* Unix s: not sent before */
	char		*last_error;	/* NULL: none */
	char		*event;		/* NULL, or the event's identity in
					 * the duplicate filter (dedup.h) */
};

/* A claimed record: c.rec is what the file holds.  Ended by one of
 * journal_done/retry/defer/bury/release, whatever they return. */
struct journal_claim {
	int			 fd;	/* holds the lock; -1 when ended */
	struct journal		*j;
	struct journal_record	 rec;
};

/*
 * Opens spool_dir and its dead/, creating them (mode 0700) when missing
 * and create is set.  Refuses a directory that is a symbolic link, is not
 * the running user's, or is writable by group or others.  Returns 0, or
 * -1 with err saying which and what to do.  Close with journal_close().
 */
int	 journal_open(struct journal *, const char *spool_dir, int create,
	    char *err, size_t errlen);
void	 journal_close(struct journal *);

/* Frees the strings of r (NULL-safe); r itself is the caller's. */
void	 journal_record_free(struct journal_record *r);

/*
 * Writes r as a new pending record and fills r->id; tag (NULL, or at
 * least JOURNAL_TAG_LEN hex digits) goes into the id, for
 * journal_tagged().  With c, the new record stays claimed by the caller
 * from before anyone else can see it (c->rec is a copy of r).  The
 * strings of r stay the caller's.  Returns 0, or -1 with err.
 */
int	 journal_put(struct journal *, struct journal_record *r,
	    const char *tag, struct journal_claim *c, char *err,
	    size_t errlen);

/*
 * Calls fn(webhook, arg) with the webhook of every pending or dead record
 * whose id carries tag.  Returns how many, or -1 with err.
 */
int	 journal_tagged(struct journal *, const char *tag,
	    void (*fn)(const char *webhook, void *arg), void *arg, char *err,
	    size_t errlen);

/* How many files were quarantined (dead/ID.quarantined); -1 with err. */
long	 journal_quarantined(struct journal *, char *err, size_t errlen);

/* Bytes the records hold, pending and dead; -1 with err. */
long long journal_bytes(struct journal *, char *err, size_t errlen);

/*
 * Reads the ids of a queue, oldest first, into *ids (the caller frees
 * each and the array with journal_ids_free).  Returns how many, or -1
 * with err.
 */
long	 journal_ids(struct journal *, enum journal_queue, char ***ids,
	    char *err, size_t errlen);
void	 journal_ids_free(char **ids, long n);

/*
 * Reads one record without claiming it (to show it).  The caller frees it
 * with journal_record_free().  Returns 0, 1 when it is gone, -1 with err
 * (unreadable or malformed, and why).
 */
int	 journal_read(struct journal *, enum journal_queue, const char *id,
	    struct journal_record *r, char *err, size_t errlen);

/*
 * Claims the pending record id for sending: takes its lock without
 * waiting and reads it.  Returns 0 (c holds the record), 1 when another
 * process holds it or it is gone (delivered, moved) meanwhile, or -1
 * with err.  A file that cannot be understood is moved to dead/ as it is
 * (neither retried blindly nor lost); a file not written by us (another
 * owner, readable by others, not a regular file) is quarantined as
 * dead/ID.quarantined, never sent; -1 says so.
 */
int	 journal_claim(struct journal *, const char *id,
	    struct journal_claim *c, char *err, size_t errlen);
/* Delivered: deletes the record. */
int	 journal_done(struct journal_claim *, char *err, size_t errlen);
/* One more failed attempt: attempts + 1, next try at next_at (Unix s),
 * error becomes the last error.  The record stays pending. */
int	 journal_retry(struct journal_claim *, long long next_at,
	    const char *error, char *err, size_t errlen);
/* Not attempted (a rate limit): only next_at changes. */
int	 journal_defer(struct journal_claim *, long long next_at, char *err,
	    size_t errlen);
/* Gives up: moves the record to dead/ with error as its last error; when
 * attempted, the attempt that just failed is counted. */
int	 journal_bury(struct journal_claim *, int attempted, const char *error,
	    char *err, size_t errlen);
/* Leaves the record as it is and ends the claim. */
void	 journal_release(struct journal_claim *);

/*
 * Moves the dead record id back to pending, due at now, with its attempts
 * reset and its age counted from now.  Returns 0, 1 when another process
 * holds it or it is gone, -1 with err (unreadable records stay dead).
 */
int	 journal_requeue(struct journal *, const char *id, long long now,
	    char *err, size_t errlen);

/*
 * Removes temporary files that a crashed writer left, once they are older
 * than JOURNAL_TMP_STALE seconds at now (a live writer needs
 * milliseconds).  Returns how many it removed, or -1 with err.
 */
#define JOURNAL_TMP_STALE	600
int	 journal_clean(struct journal *, long long now, char *err,
	    size_t errlen);

#endif
