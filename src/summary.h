/*
 * The response to a relayed event: its HTTP status and the JSON summary
 * {"app", "type", "delivered", "failed", "webhooks": [{"name", "ok",
 * "error"}]}.  Never a URL, key, token or secret.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stddef.h>

#include "cgi.h"

struct buf;
struct delivery;

/* 200 when every delivery succeeded (or there were none); 202 when the
 * others were queued; 504 when the only failures were timeouts; else
 * 502.  A queued delivery is not a failure. */
enum http_status summary_status(const struct delivery *, size_t n);
/*
 * Each appends its JSON to out and returns 0, or -1 with the reason in err
 * (app and type must be valid UTF-8; a robot's error text that is not is
 * replaced).
 */
int	 summary_json(struct buf *, const char *app, const char *type,
	    const struct delivery *, size_t n, char *err, size_t errlen);
/* The same for a relay with a spool: also "queued" (how many), and
 * "queued" (true or false) for each webhook; "failed" excludes them. */
int	 summary_json_spool(struct buf *, const char *app, const char *type,
	    const struct delivery *, size_t n, char *err, size_t errlen);
/* {"app", "type", "duplicate": true, "delivered": 0, "failed": 0,
 * "webhooks": []}: the event was relayed before (dedup.h). */
int	 summary_duplicate(struct buf *, const char *app, const char *type,
	    char *err, size_t errlen);

#endif
