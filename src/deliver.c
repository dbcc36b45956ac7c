/* STUB: replaced by the curl multi delivery. */
#include <stdio.h>

#include <curl/curl.h>

#include "deliver.h"

int
deliver_all(struct delivery *d, size_t n, long timeout_ms, const char *proxy,
    char *err, size_t errlen)
{
	(void)d; (void)n; (void)timeout_ms; (void)proxy;
	snprintf(err, errlen, "not implemented");
	return -1;
}
