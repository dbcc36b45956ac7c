/* Libraries opened when first needed: see lazylib.h. */
#include <dlfcn.h>
#include <stdio.h>

#include "lazylib.h"

int
lazylib_load(struct lazylib *l)
{
	const char	*e;
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
	if ((h = dlopen(l->path, RTLD_LAZY | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		snprintf(l->err, sizeof(l->err), "%s",
		    e != NULL ? e : l->path);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		(void)dlerror();
		*l->syms[i].ptr = dlsym(h, l->syms[i].name);
		if (*l->syms[i].ptr == NULL) {
			snprintf(l->err, sizeof(l->err), "%s: no %s",
			    l->path, l->syms[i].name);
			return -1;
		}
	}
	l->state = 1;
	return 0;
}
