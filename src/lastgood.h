/*
 * The last good configuration shared by the FastCGI workers: the text of
 * the newest config file that loaded in any of them.  After a failed
 * reload every worker serves that one, as nginx does, not each the one
 * it last loaded itself.  The supervisor makes the shared area before
 * forking; without it (the CGI, a worker on its own) every call does
 * nothing and each process keeps its own last good config.
 */
#ifndef LASTGOOD_H
#define LASTGOOD_H

#include <stddef.h>

struct buf;
struct config;
struct stat;

/* Maps the shared area (the supervisor, before forking): 0, or -1 with
 * err. */
int		 lastgood_create(char *err, size_t errlen);
void		 lastgood_destroy(void);
/*
 * The config file (identity st) loaded from text: shares it when it is
 * newer than the shared one.  Returns the generation the caller now
 * holds (0: not the shared one).
 */
unsigned long long lastgood_publish(const struct stat *st, const char *text,
		    size_t len);
/*
 * When the shared config is newer than generation gen: returns it parsed
 * (its identity in *st, its generation in *newgen), else NULL (also
 * when it does not parse: the problems appended to errors).
 */
struct config	*lastgood_newer(unsigned long long gen, struct stat *st,
		    unsigned long long *newgen, struct buf *errors);

#endif
