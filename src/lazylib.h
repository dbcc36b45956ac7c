/*
 * Shared libraries opened when first needed, with dlopen(), so that a
 * request the relay refuses never maps them: libcurl brings about 30
 * libraries whose loading and relocation cost several times a trivial
 * CGI's whole run (issue 5, make bench).
 */
#ifndef LAZYLIB_H
#define LAZYLIB_H

#include <stddef.h>

struct lazysym {
	const char	 *name;
	void		**ptr;	/* where dlsym()'s answer goes */
};

struct lazylib {
	const char		*path;	/* absolute, set at build time */
	/*
	 * Its big dependencies, opened first, leaves first: each is then
	 * relocated against a short scope instead of behind all of path's
	 * libraries (about 7% of libcurl's loading, in instructions).
	 * NULL-terminated; may be NULL.
	 */
	const char *const	*first;
	const struct lazysym	*syms;
	size_t			 n;
	int			 state;	/* 0 not yet, 1 loaded, -1 failed */
	char			 err[200];
};

/*
 * Opens l->path (once: later calls return the first result) and fills
 * every symbol.  Returns 0, or -1 with the reason in l->err.
 */
int	 lazylib_load(struct lazylib *l);

#endif
