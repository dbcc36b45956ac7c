/*
 * Gold files for unit tests (the yajl way): an expected output lives in
 * tests/unit/gold/NAME, compared byte for byte with a final newline.
 * PGYER_GOLD_UPDATE=1 writes the files instead of comparing them (then
 * read the diff before committing it).
 */
#ifndef GOLD_H
#define GOLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* tests/unit/gold/NAME (beside this header, wherever the build runs). */
static inline void
gold_path(char *out, size_t len, const char *name)
{
	const char	*file = __FILE__, *slash = strrchr(file, '/');
	int		 dir = slash != NULL ? (int)(slash - file) : 1;

	snprintf(out, len, "%.*s/gold/%s", dir, slash != NULL ? file : ".",
	    name);
}

/* Reads tests/unit/gold/NAME into b (NUL-terminated); 0 or -1. */
static inline int
gold_read(const char *name, struct buf *b)
{
	char	 path[512], chunk[4096];
	FILE	*f;
	size_t	 n;

	gold_path(path, sizeof(path), name);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	buf_puts(b, "");
	return 0;
}

/*
 * 1 when body[0..len) is the gold file NAME (or was written to it, with
 * PGYER_GOLD_UPDATE set); else 0, saying why and what came instead.
 */
static inline int
gold_same(const char *name, const char *body, size_t len)
{
	struct buf	 want = { 0 };
	char		 path[512];
	FILE		*f;
	int		 same;

	gold_path(path, sizeof(path), name);
	if (getenv("PGYER_GOLD_UPDATE") != NULL) {
		if ((f = fopen(path, "wb")) == NULL) {
			perror(path);
			return 0;
		}
		fwrite(body, 1, len, f);
		fputc('\n', f);
		return fclose(f) == 0;
	}
	if (gold_read(name, &want) == -1) {
		fprintf(stderr, "%s: missing (PGYER_GOLD_UPDATE=1 writes it)\n",
		    path);
		return 0;
	}
	same = want.len == len + 1 && memcmp(want.data, body, len) == 0;
	if (!same)
		fprintf(stderr, "%s differs; got\n%.*s\n", path, (int)len,
		    body);
	buf_free(&want);
	return same;
}

#endif
