/* Libraries opened when first needed: see lazylib.h. */
#include <dlfcn.h>
#include <stdio.h>

#include "lazylib.h"

int
lazylib_load(struct lazylib *l)
{
	const char	*e;
	char		 why[200];
	void		*h;

	if (l->state != 0)
		return l->state == 1 ? 0 : -1;
	l->state = -1;
	/*
	 * Never closed: libcurl and OpenSSL are not made to be unloaded.
	 * RTLD_LAZY: binding every PLT entry of the ~30 libraries up front
	 * costs 2.7 million instructions, for functions never called.  A
	 * dependency that does not open is only not opened early.
	 */
	for (size_t i = 0; l->first != NULL && l->first[i] != NULL; i++)
		(void)dlopen(l->first[i], RTLD_LAZY | RTLD_LOCAL);
	if ((h = dlopen(l->soname, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(l->err, sizeof(l->err), "cannot load %s (install "
		    "%s): %s", l->soname, l->package,
		    e != NULL ? e : "dlopen failed");
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		(void)dlerror();
		*l->syms[i].ptr = dlsym(h, l->syms[i].name);
		if (*l->syms[i].ptr == NULL) {
			snprintf(l->err, sizeof(l->err), "cannot use %s: it "
			    "has no %s (install a current %s)", l->soname,
			    l->syms[i].name, l->package);
			return -1;
		}
	}
	if (l->check != NULL && l->check(why, sizeof(why)) == -1) {
		snprintf(l->err, sizeof(l->err), "cannot use %s: %s (install "
		    "a current %s)", l->soname, why, l->package);
		return -1;
	}
	l->state = 1;
	return 0;
}
