/*
 * JSON output, through yajl's generator (never by pasting strings): the
 * robot payloads, the response summary, the error body and the journal's
 * records.  Every yajl_gen status is checked, and errors are sticky: a
 * writer emits the whole document and checks once, in jgen_finish().
 * Strings are checked to be valid UTF-8 (jgen_init()), so every document
 * we send is; jgen_init_bytes() keeps strings byte for byte instead.
 */
#ifndef JSONGEN_H
#define JSONGEN_H

#include <stddef.h>

#include <yajl/yajl_gen.h>

struct buf;

struct jgen {
	yajl_gen	 g;
	int		 status;	/* first yajl_gen_status not ok */
};

void	 jgen_init(struct jgen *);
/* Without the UTF-8 check: strings are kept byte for byte (control bytes
 * and NUL still escaped as \u00XX). */
void	 jgen_init_bytes(struct jgen *);
void	 jgen_str(struct jgen *, const char *);
void	 jgen_strn(struct jgen *, const char *, size_t);
/* s, or fallback when s is not valid UTF-8 (the document stays valid). */
void	 jgen_str_or(struct jgen *, const char *s, const char *fallback);
void	 jgen_bool(struct jgen *, int);
void	 jgen_null(struct jgen *);
void	 jgen_int(struct jgen *, long long);
void	 jgen_map_open(struct jgen *);
void	 jgen_map_close(struct jgen *);
void	 jgen_array_open(struct jgen *);
void	 jgen_array_close(struct jgen *);
/* A key and its string value. */
void	 jgen_kv(struct jgen *, const char *key, const char *val);
/*
 * Appends the document to out and frees the generator.  Returns 0, or -1
 * with the reason in err (out is then unchanged, or failed when the
 * document would pass BUF_MAX).
 */
int	 jgen_finish(struct jgen *, struct buf *out, char *err, size_t errlen);

#endif
