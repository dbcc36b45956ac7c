/*
 * From an event to the requests for its subscribed webhooks: the step
 * shared by the CGI, --dry-run and --test.
 */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>

#include "config.h"
#include "deliver.h"

struct event;

/*
 * Fills out[] with one delivery per enabled webhook of app subscribed to
 * ev's type (only the one named only, when only is not NULL) and returns
 * how many.  A webhook whose request cannot be built is a failed delivery
 * (req.url NULL, v.errmsg says why).  The caller frees with relay_free().
 */
size_t	 relay_prepare(const struct config *, const struct app *,
	    const struct event *ev, const char *raw, size_t raw_len,
	    long long now_ms, const char *only,
	    struct delivery out[APP_WEBHOOKS_MAX]);
void	 relay_free(struct delivery *, size_t n);

#endif
