/* From an event to requests: see relay.h. */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "relay.h"
#include "subscribe.h"
#include "template.h"

size_t
relay_prepare(const struct config *cfg, const struct app *app,
    const struct event *ev, const char *raw, size_t raw_len,
    long long now_ms, const char *only, struct delivery out[APP_WEBHOOKS_MAX])
{
	const struct webhook	*wh[APP_WEBHOOKS_MAX];
	struct message_ctx	 ctx;
	struct delivery		*d;
	size_t			 n, k = 0;

	template_ctx_init(&ctx, ev, app->key, cfg->language, cfg->timezone);
	n = subscribe_select(app, ev->field[EV_TYPE], wh);
	for (size_t i = 0; i < n; i++) {
		if (only != NULL && strcmp(wh[i]->name, only) != 0)
			continue;
		d = &out[k++];
		memset(d, 0, sizeof(*d));
		d->name = wh[i]->name;
		d->type = wh[i]->type;
		if (robot_get(wh[i]->type)->build(wh[i], &ctx, raw, raw_len,
		    now_ms, &d->req, d->v.errmsg, sizeof(d->v.errmsg)) == -1)
			request_free(&d->req);
	}
	return k;
}

void
relay_free(struct delivery *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		request_free(&d[i].req);
}
