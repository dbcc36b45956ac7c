/*
 * Which webhooks an event goes to.  Event types compare in the form
 * event_type_normalise() gives them ("crash log" = "crashLog", "update" =
 * "updateVersion"); "*" matches every type.
 */
#ifndef SUBSCRIBE_H
#define SUBSCRIBE_H

#include <stddef.h>

struct app;
struct webhook;

/* 1 when the webhook's events list matches type, else 0. */
int	 subscribe_match(const struct webhook *, const char *type);
/* Fills out with the enabled, matching webhooks of app; returns count. */
size_t	 subscribe_select(const struct app *, const char *type,
	    const struct webhook *out[]);

#endif
