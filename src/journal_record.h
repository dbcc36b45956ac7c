/*
 * The journal's record files, encoded and decoded (journal.h keeps them
 * on disk).  struct journal_record and its bounds are in journal.h.
 */
#ifndef JOURNAL_RECORD_H
#define JOURNAL_RECORD_H

#include <stddef.h>

struct buf;
struct journal_record;

/*
 * Replaces out with r as one line of JSON.  Returns 0, or -1 with err
 * (no app or webhook name, a text or the body over its bound).
 */
int	 journal_record_encode(const struct journal_record *r,
	    struct buf *out, char *err, size_t errlen);
/*
 * Decodes text[0..len) into r, zeroed here but for r->id.  Returns 0, or
 * -1 with the reason in err (r is then freed): what a disk, an editor or
 * an older version may leave is refused, never half read.
 */
int	 journal_record_decode(const char *text, size_t len,
	    struct journal_record *r, char *err, size_t errlen);

#endif
