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
 * The rule: an event is marked the moment it arrives, so a retry that
 * comes while the first copy is still being delivered is caught too; it
 * stays marked only if it was accepted, that is delivered to at least one
 * webhook or queued in the spool.  When nothing accepted it (every
 * webhook refused it for good, or the relay failed before it could
 * deliver or queue), the caller calls dedup_forget(), so that a retry
 * after the user fixed the robot goes through.  (A copy answered as a
 * duplicate while the first then fails for good is lost; it was
 * undeliverable as it stood.)
 */
#ifndef DEDUP_H
#define DEDUP_H

#include <stddef.h>

struct buf;

struct event;

#define DEDUP_KEY_LEN	64	/* hex SHA-256, without the NUL */

/* The event's identity, as above. */
void	 dedup_key(const char *app, const struct event *ev,
	    char out[DEDUP_KEY_LEN + 1]);

/*
 * Marks key as seen at now (Unix s), unless it was seen less than window
 * seconds before.  Returns 0 when new (and now marked), 1 when a
 * duplicate, -1 with err.  With state_dir NULL or "" or window <= 0,
 * returns 0 and keeps nothing.  On -1 the caller should deliver anyway:
 * a duplicate message is better than a lost one.
 */
int	 dedup_seen(const char *state_dir, const char *key, long long now,
	    long long window, char *err, size_t errlen);

/* Removes key's mark (nothing accepted the event).  0, or -1 with err. */
int	 dedup_forget(const char *state_dir, const char *key, char *err,
	    size_t errlen);
/* Appends the path of key's mark to path. */
void	 dedup_path(struct buf *path, const char *state_dir, const char *key);

#endif
