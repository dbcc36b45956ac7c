/*
 * Checking a JSON document against a schema, reporting every problem with
 * its place.  jcheck_parse() checks the text with a streaming yajl handle
 * (syntax, nesting depth, "\u0000") and then builds a yajl_tree; the
 * schema's own code walks the tree with the jcheck_*() readers below,
 * which never stop at the first problem: each one becomes a line
 * "place: what is wrong", the place a path such as
 * apps.demo.webhooks[1].events kept by jcheck_push_key() and
 * jcheck_push_index().  Nothing here echoes a value: a schema whose
 * values may be secret says only what is wrong with them.
 */
#ifndef JCHECK_H
#define JCHECK_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

struct buf;

/* Deeper documents are refused before yajl_tree (which recurses) sees
 * them. */
#define JCHECK_DEPTH_MAX	32
/* Lines reported; the rest are counted in one closing line. */
#define JCHECK_ERRORS_MAX	100
/* Longest string quoted in a place or a message. */
#define JCHECK_QUOTE_MAX	64

struct jcheck {
	struct buf	*errors;	/* the caller's: lines appended */
	const char	*top;		/* the place of the whole document */
	struct buf	 path;		/* "apps.demo.webhooks[1]"; "" at top */
	size_t		 n_errors;
};

/* Starts a check reporting to errors, the document itself called top
 * ("config"). */
void	 jcheck_init(struct jcheck *, struct buf *errors, const char *top);
/*
 * Ends the check: adds "top: N more problems not shown" when lines were
 * dropped, frees the path.  Returns the number of problems.
 */
size_t	 jcheck_finish(struct jcheck *);
/*
 * Checks text[0..len) (comments allowed) and returns its tree, which the
 * caller frees with yajl_tree_free(); or NULL after one line
 * "line L, column C: why" (yajl_tree's own message would quote the text,
 * and the text may hold secrets).
 */
yajl_val jcheck_parse(struct jcheck *, const char *text, size_t len);

/* Appends s in double quotes, escaped by log_escape(), cut after
 * JCHECK_QUOTE_MAX bytes (at a character boundary) with "...". */
void	 jcheck_quote(struct buf *, const char *s);
/*
 * Adds key to the path: ".key" when it reads unambiguously, else
 * "[\"key\"]".  Returns the length jcheck_pop() restores.
 */
size_t	 jcheck_push_key(struct jcheck *, const char *key);
/* Adds "[i]" to the path; returns the length to restore. */
size_t	 jcheck_push_index(struct jcheck *, size_t i);
void	 jcheck_pop(struct jcheck *, size_t old);

/* Appends the line "place: msg". */
void	 jcheck_report(struct jcheck *, const char *place, const char *msg);
/* Reports a problem at the current place. */
void	 jcheck_problem(struct jcheck *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Reports a problem at key of the current object. */
void	 jcheck_problem_at(struct jcheck *, const char *key, const char *,
	    ...) __attribute__((format(printf, 3, 4)));

/*
 * Finds key i of object o in names[]: its index, or -1 after reporting it
 * unknown or repeated (yajl_tree keeps both copies of a repeated key).
 * seen[] has one flag per name.
 */
int	 jcheck_key_index(struct jcheck *, yajl_val o, size_t i,
	    const char *const names[], size_t n, char *seen);
/* Reports every name marked required[] but not seen[]. */
void	 jcheck_missing(struct jcheck *, const char *const names[], size_t n,
	    const char *required, const char *seen);
/*
 * For an object with free-form keys: a flag per key, set when the same
 * key came earlier.  The caller frees the result.
 */
char	*jcheck_repeated_keys(yajl_val o);

/* The string in v, or NULL after reporting a wrong type. */
const char *jcheck_string(struct jcheck *, yajl_val v);
/* The string in v if it is min..max bytes long, else NULL (reported). */
const char *jcheck_string_len(struct jcheck *, yajl_val v, size_t min,
	    size_t max);
/* 0 and *out from a JSON boolean, else -1 (reported). */
int	 jcheck_bool(struct jcheck *, yajl_val v, int *out);
/* 0 and *out from an integer in lo..hi, else -1 (reported). */
int	 jcheck_int(struct jcheck *, yajl_val v, long long lo, long long hi,
	    long long *out);
/* The index of v's string in names[], or -1 (reported). */
int	 jcheck_enum(struct jcheck *, yajl_val v, const char *const names[],
	    size_t n);

#endif
