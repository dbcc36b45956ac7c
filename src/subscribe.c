/* Subscriptions: see subscribe.h. */
#include <string.h>

#include "config.h"
#include "event.h"
#include "subscribe.h"

#define TYPE_MAX	128

int
subscribe_match(const struct webhook *wh, const char *type)
{
	char	 want[TYPE_MAX], have[TYPE_MAX];

	event_type_normalise(type, want, sizeof(want));
	for (size_t i = 0; i < wh->events.n; i++) {
		if (strcmp(wh->events.v[i], "*") == 0)
			return 1;
		event_type_normalise(wh->events.v[i], have, sizeof(have));
		if (strcmp(have, want) == 0)
			return 1;
	}
	return 0;
}

size_t
subscribe_select(const struct app *app, const char *type,
    const struct webhook *out[])
{
	size_t	 n = 0;

	for (size_t i = 0; i < app->n_webhooks; i++)
		if (app->webhooks[i].enabled &&
		    subscribe_match(&app->webhooks[i], type))
			out[n++] = &app->webhooks[i];
	return n;
}
