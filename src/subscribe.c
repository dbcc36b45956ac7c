/* Subscriptions: see subscribe.h. */
#include <ctype.h>
#include <string.h>

#include "config.h"
#include "subscribe.h"

#define TYPE_MAX	128

/* Aliases, in normalised form. */
static const struct {
	const char	*alias;
	const char	*type;
} aliases[] = {
	{ "update", "updateversion" },
	{ "crash", "crashlog" },
};

void
subscribe_normalise(const char *type, char *out, size_t outlen)
{
	size_t	 n = 0;

	if (outlen == 0)
		return;
	for (; *type != '\0' && n + 1 < outlen; type++) {
		if (*type == ' ' || *type == '_' || *type == '-')
			continue;
		out[n++] = (char)tolower((unsigned char)*type);
	}
	out[n] = '\0';
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(out, aliases[i].alias) == 0) {
			strncpy(out, aliases[i].type, outlen - 1);
			out[outlen - 1] = '\0';
			break;
		}
}

int
subscribe_match(const struct webhook *wh, const char *type)
{
	char	 want[TYPE_MAX], have[TYPE_MAX];

	subscribe_normalise(type, want, sizeof(want));
	for (size_t i = 0; i < wh->events.n; i++) {
		if (strcmp(wh->events.v[i], "*") == 0)
			return 1;
		subscribe_normalise(wh->events.v[i], have, sizeof(have));
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
