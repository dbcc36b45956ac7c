/* The response summary: see summary.h. */
#include <string.h>

#include <yajl/yajl_gen.h>

#include "buf.h"
#include "deliver.h"
#include "summary.h"

enum http_status
summary_status(const struct delivery *d, size_t n)
{
	int	 failed = 0, timeouts = 0, queued = 0;

	for (size_t i = 0; i < n; i++) {
		if (d[i].ok)
			continue;
		if (d[i].queued) {
			queued++;
			continue;
		}
		failed++;
		timeouts += d[i].timed_out;
	}
	if (failed == 0)
		return queued > 0 ? HTTP_202 : HTTP_200;
	return timeouts == failed ? HTTP_504 : HTTP_502;
}

static void
gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/* The summary; with spool, the "queued" keys too.  dup: a duplicate. */
static void
gen_summary(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n, int spool, int dup)
{
	yajl_gen		 g;
	const unsigned char	*p;
	size_t			 len, ok = 0, queued = 0;

	for (size_t i = 0; i < n; i++) {
		ok += d[i].ok != 0;
		queued += !d[i].ok && d[i].queued;
	}
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return;
	/* Values may come from the request or a robot: keep JSON valid. */
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	yajl_gen_map_open(g);
	gen_str(g, "app");
	gen_str(g, app);
	gen_str(g, "type");
	gen_str(g, type);
	if (dup) {
		gen_str(g, "duplicate");
		yajl_gen_bool(g, 1);
	}
	gen_str(g, "delivered");
	yajl_gen_integer(g, (long long)ok);
	if (spool) {
		gen_str(g, "queued");
		yajl_gen_integer(g, (long long)queued);
	}
	gen_str(g, "failed");
	yajl_gen_integer(g, (long long)(n - ok - queued));
	gen_str(g, "webhooks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_str(g, "name");
		gen_str(g, d[i].name);
		gen_str(g, "ok");
		yajl_gen_bool(g, d[i].ok);
		if (spool) {
			gen_str(g, "queued");
			yajl_gen_bool(g, !d[i].ok && d[i].queued);
		}
		gen_str(g, "error");
		if (d[i].ok)
			yajl_gen_null(g);
		else if (yajl_gen_string(g,
		    (const unsigned char *)d[i].v.errmsg,
		    strlen(d[i].v.errmsg)) != yajl_gen_status_ok)
			gen_str(g, "robot error (not printable)");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &p, &len);
	buf_append(out, p, len);
	yajl_gen_free(g);
}

void
summary_json(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n)
{
	gen_summary(out, app, type, d, n, 0, 0);
}

void
summary_json_spool(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n)
{
	gen_summary(out, app, type, d, n, 1, 0);
}

void
summary_duplicate(struct buf *out, const char *app, const char *type)
{
	gen_summary(out, app, type, NULL, 0, 0, 1);
}
