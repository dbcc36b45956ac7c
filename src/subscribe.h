/*
 * Which webhooks an event goes to.  Event types compare case-insensitively
 * ignoring spaces, '_' and '-' ("crash log" = "crashLog"); "*" matches
 * every type; aliases: "update" = "updateVersion", "crash" = "crash log".
 */
#ifndef SUBSCRIBE_H
#define SUBSCRIBE_H

#include <stddef.h>

struct app;
struct webhook;

/* Writes the comparable form of type into out (always NUL-terminated). */
void	 subscribe_normalise(const char *type, char *out, size_t outlen);
/* 1 when the webhook's events list matches type, else 0. */
int	 subscribe_match(const struct webhook *, const char *type);
/* Fills out with the enabled, matching webhooks of app; returns count. */
size_t	 subscribe_select(const struct app *, const char *type,
	    const struct webhook *out[]);

#endif
