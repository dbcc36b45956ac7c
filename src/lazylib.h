/*
 * Shared libraries opened when first needed, with dlopen(), so that a
 * request the relay refuses never maps them: libcurl brings about 30
 * libraries whose loading and relocation cost several times a trivial
 * CGI's whole run (make bench).  They are opened by soname, the way the
 * dynamic linker would find them, so the packages that provide them are
 * run-time dependencies the linker cannot see (README.md lists them).
 */
#ifndef LAZYLIB_H
#define LAZYLIB_H

#include <stddef.h>

struct lazysym {
	const char	 *name;
	void		**ptr;	/* where dlsym()'s answer goes */
};

struct lazylib {
	const char		*soname;	/* "libcurl.so.4" */
	const char		*package;	/* Debian's, for the error */
	/*
	 * Its big dependencies, opened first, leaves first: each is then
	 * relocated against a short scope instead of behind all of the
	 * library's (about 7% of libcurl's loading, in instructions).
	 * NULL-terminated; may be NULL.
	 */
	const char *const	*first;
	const struct lazysym	*syms;
	size_t			 n;
	/*
	 * Called once the symbols are there: 0 when the loaded version is
	 * one the code works with, else -1 with a reason in err.  May be
	 * NULL.
	 */
	int			(*check)(char *err, size_t errlen);
	int			 state;	/* 0 not yet, 1 loaded, -1 failed */
	char			 err[256];
};

/*
 * Opens l->soname (once: later calls return the first result), fills
 * every symbol and checks the version.  Returns 0, or -1 with the reason
 * and the package to install in l->err.
 */
int	 lazylib_load(struct lazylib *l);

#endif
