/* The response summary: see summary.h. */
#include "buf.h"
#include "deliver.h"
#include "jsongen.h"
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

/* The summary; with spool, the "queued" keys too.  dup: a duplicate. */
static int
gen_summary(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n, int spool, int dup, char *err,
    size_t errlen)
{
	struct jgen	 j;
	size_t		 ok = 0, queued = 0;

	for (size_t i = 0; i < n; i++) {
		ok += d[i].ok != 0;
		queued += !d[i].ok && d[i].queued;
	}
	/* Values may come from the request or a robot: keep JSON valid. */
	jgen_init(&j);
	jgen_map_open(&j);
	jgen_kv(&j, "app", app);
	jgen_kv(&j, "type", type);
	if (dup) {
		jgen_str(&j, "duplicate");
		jgen_bool(&j, 1);
	}
	jgen_str(&j, "delivered");
	jgen_int(&j, (long long)ok);
	if (spool) {
		jgen_str(&j, "queued");
		jgen_int(&j, (long long)queued);
	}
	jgen_str(&j, "failed");
	jgen_int(&j, (long long)(n - ok - queued));
	jgen_str(&j, "webhooks");
	jgen_array_open(&j);
	for (size_t i = 0; i < n; i++) {
		jgen_map_open(&j);
		jgen_kv(&j, "name", d[i].name);
		jgen_str(&j, "ok");
		jgen_bool(&j, d[i].ok);
		if (spool) {
			jgen_str(&j, "queued");
			jgen_bool(&j, !d[i].ok && d[i].queued);
		}
		jgen_str(&j, "error");
		if (d[i].ok)
			jgen_null(&j);
		else
			jgen_str_or(&j, d[i].v.errmsg,
			    "robot error (not printable)");
		jgen_map_close(&j);
	}
	jgen_array_close(&j);
	jgen_map_close(&j);
	return jgen_finish(&j, out, err, errlen);
}

int
summary_json(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n, char *err, size_t errlen)
{
	return gen_summary(out, app, type, d, n, 0, 0, err, errlen);
}

int
summary_json_spool(struct buf *out, const char *app, const char *type,
    const struct delivery *d, size_t n, char *err, size_t errlen)
{
	return gen_summary(out, app, type, d, n, 1, 0, err, errlen);
}

int
summary_duplicate(struct buf *out, const char *app, const char *type,
    char *err, size_t errlen)
{
	return gen_summary(out, app, type, NULL, 0, 0, 1, err, errlen);
}
