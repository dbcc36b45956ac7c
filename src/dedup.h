/*
 * Duplicate events: PGYER (whose retry behaviour is undocumented) or a
 * proxy may post the same event again.  An event's identity is a hash of
 * its app, type, title, link, os_version, build_version, timestamp and
 * message: a new upload has a new timestamp and build; two feedback or
 * crash events on one build in the same second differ in their message.
 * A marker file per event under state_dir/dedup/, created with O_EXCL,
 * says when it was first seen (its mtime); stale markers are removed
 * lazily, at most once per window.
 *
 * The rule: the filter answers "already handled" only for an event that
 * was delivered or is still in the journal.  A mark goes through three
 * states, its text:
 *
 *	claimed PID DEADLINE	process PID is handling the event and will
 *				have answered by DEADLINE (Unix s)
 *	journaled		every record of the event is in the journal
 *				(spool_dir set), which delivers it
 *	done			delivered to some robot (no spool_dir)
 *
 * A copy that finds the event claimed by a live process within its
 * deadline is a duplicate (the first copy is being handled); one that
 * finds the owner dead or past its deadline takes the claim over
 * (dedup_claim() returns DEDUP_TAKEN) and the caller looks in the journal:
 * the owner may have died after journaling it.  When nothing accepted an
 * event (every webhook refused it for good, or the relay failed before it
 * could deliver or journal it), the caller calls dedup_forget(), so that
 * a retry after the user fixed the robot goes through.  Marks written by
 * an older version hold nothing and count as done.
 */
#ifndef DEDUP_H
#define DEDUP_H

#include <stddef.h>

struct buf;

struct event;

#define DEDUP_KEY_LEN	64	/* hex SHA-256, without the NUL */

/*
 * The event's identity, as above.  0, or -1 with err (libcrypto cannot
 * be opened): then there is no identity, and the event must not be
 * taken for any other.
 */
int	 dedup_key(const char *app, const struct event *ev,
	    char out[DEDUP_KEY_LEN + 1], char *err, size_t errlen);

enum dedup_result {
	DEDUP_NEW,		/* not seen: now claimed by us */
	DEDUP_DUPLICATE,	/* handled, or being handled by a live owner */
	DEDUP_TAKEN		/* the owner died or overran: claimed by us */
};

/*
 * Claims key at now (Unix s) for this process until deadline (Unix s),
 * unless it was seen less than window seconds before; see the rule above.
 * The lock wait ends at until_ms (clock_mono_ms()).  Returns a
 * dedup_result, or -1 with err; then the caller should deliver anyway: a
 * duplicate message is better than a lost one.  With state_dir NULL or ""
 * or window <= 0, returns DEDUP_NEW and keeps nothing.
 */
int	 dedup_claim(const char *state_dir, const char *key, long long now,
	    long long window, long long deadline, long long until_ms,
	    char *err, size_t errlen);

/* Settles our claim on key: "journaled" or "done".  0, or -1 with err. */
int	 dedup_settle(const char *state_dir, const char *key,
	    const char *state, long long until_ms, char *err, size_t errlen);

/*
 * Notes on key's mark, while it is still a claim, that the message for
 * webhook is about to be sent from the journal (--drain): when the
 * claim's owner died before marking the event journaled, the copy that
 * takes the claim over then knows that webhook was handled even after
 * its record is gone.  0 (also when there is no mark, or a settled one),
 * or -1 with err.
 */
int	 dedup_note(const char *state_dir, const char *key,
	    const char *webhook, long long until_ms, char *err,
	    size_t errlen);
/* Calls fn(webhook, arg) for each webhook noted on key's mark.  Returns
 * how many, or -1 with err. */
int	 dedup_sent(const char *state_dir, const char *key,
	    void (*fn)(const char *webhook, void *arg), void *arg,
	    long long until_ms, char *err, size_t errlen);

/* Removes key's mark (nothing accepted the event).  0, or -1 with err. */
int	 dedup_forget(const char *state_dir, const char *key, char *err,
	    size_t errlen);
/* Appends the path of key's mark to path. */
void	 dedup_path(struct buf *path, const char *state_dir, const char *key);

#endif
