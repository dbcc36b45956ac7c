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

/* 200 when every delivery succeeded (or there were none); 504 when the
 * only failures were timeouts; else 502. */
enum http_status summary_status(const struct delivery *, size_t n);
void	 summary_json(struct buf *, const char *app, const char *type,
	    const struct delivery *, size_t n);

#endif
