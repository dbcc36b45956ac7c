/*
 * JSON output for the robot formatters, through yajl's generator (never
 * by pasting strings).  Errors are sticky: a formatter emits the whole
 * document and checks once, in jgen_finish().  Strings are checked to be
 * valid UTF-8, so every document we send is.
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
void	 jgen_str(struct jgen *, const char *);
void	 jgen_strn(struct jgen *, const char *, size_t);
void	 jgen_bool(struct jgen *, int);
void	 jgen_int(struct jgen *, long long);
void	 jgen_map_open(struct jgen *);
void	 jgen_map_close(struct jgen *);
void	 jgen_array_open(struct jgen *);
void	 jgen_array_close(struct jgen *);
/* A key and its string value. */
void	 jgen_kv(struct jgen *, const char *key, const char *val);
/*
 * Appends the document to out and frees the generator.  Returns 0, or -1
 * with the reason in err (out is then unchanged).
 */
int	 jgen_finish(struct jgen *, struct buf *out, char *err, size_t errlen);

#endif
