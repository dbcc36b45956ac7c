/*
 * Allocation that never returns NULL.  On exhaustion it calls the handler
 * set with xalloc_set_handler() (the CGI writes a 500 response there) and
 * exits, so no caller has to carry an out-of-memory path.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Called once, before exit, when an allocation fails. */
void	 xalloc_set_handler(void (*)(void));

#endif
