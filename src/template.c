/*
 * Message templates: see template.h.  A template is checked once when the
 * config is loaded (template_check) and rendered per event; rendering is
 * forgiving, so an unchecked template still shows what it can.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "event.h"
#include "template.h"
#include "utf8.h"
#include "xalloc.h"

/* Placeholders that are not event fields. */
#define PH_TIME	(-1)
#define PH_APP	(-2)
#define PH_SIZE	(-3)

static const struct {
	const char	*name;
	int		 field;	/* enum event_field, or PH_* */
} placeholders[] = {
	{ "title", EV_TITLE },
	{ "action", EV_ACTION },
	{ "message", EV_MESSAGE },
	{ "type", EV_TYPE },
	{ "os_version", EV_OS_VERSION },
	{ "build_version", EV_BUILD_VERSION },
	{ "device_type", EV_DEVICE_TYPE },
	{ "notes", EV_NOTES },
	{ "link", EV_LINK },
	{ "created", EV_CREATED },
	{ "updated", EV_UPDATED },
	{ "time", PH_TIME },
	{ "appsize", EV_APPSIZE },
	{ "size", PH_SIZE },
	{ "qrcode", EV_QRCODE },
	{ "app", PH_APP },
};

/* The placeholder named by name[0..len), or -1. */
static int
lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(placeholders) /
	    sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i].name) == len &&
		    memcmp(placeholders[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Sets TZ to tz unless it was the last one set. */
static void
set_zone(const char *tz)
{
	static char	 current[256];

	if (tz == NULL || *tz == '\0' || strcmp(current, tz) == 0)
		return;
	/*
	 * localtime_r() reads the zone from TZ, and POSIX lets it skip
	 * tzset(): call it ourselves.
	 */
	snprintf(current, sizeof(current), "%s", tz);
	setenv("TZ", tz, 1);
	tzset();
}

/* Formats ts into out in the current zone; 0, or -1 when out of range. */
static int
format_time(long long ts, char *out, size_t outlen)
{
	struct tm	 tm;
	time_t		 t = (time_t)ts;

	if ((long long)t != ts || localtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return -1;
	return 0;
}

void
template_size(const char *s, char *out, size_t outlen)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	unsigned long long	 n = 0;
	double			 v;
	size_t			 u = 0;

	out[0] = '\0';
	if (s == NULL || *s == '\0' || strlen(s) > 15)
		return;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	/* Binary units, as app stores and PGYER count them. */
	for (v = (double)n; v >= 1024 && u + 1 < sizeof(units) /
	    sizeof(units[0]); u++)
		v /= 1024;
	if (u == 0)
		snprintf(out, outlen, "%llu B", n);
	else
		snprintf(out, outlen, "%.1f %s", v, units[u]);
}

/* Copies s into out when it fits whole; 1 when it did. */
static int
copy_whole(const char *s, char *out, size_t outlen)
{
	if (s == NULL || *s == '\0' || strlen(s) >= outlen)
		return 0;
	memcpy(out, s, strlen(s) + 1);
	return 1;
}

void
template_ctx_init(struct message_ctx *ctx, const struct event *ev,
    const char *app, enum lang lang, const char *tz)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ev = ev;
	ctx->app = app;
	ctx->lang = lang;
	set_zone(tz);
	if (ev == NULL)
		return;
	template_size(ev->field[EV_APPSIZE], ctx->size, sizeof(ctx->size));
	/*
	 * PGYER's "created" is "YYYY-MM-DD HH:MM:SS", China time, what
	 * PGYER itself shows; "timestamp" comes a second or two later.  A
	 * value too long for time is not shown rather than cut.
	 */
	if (copy_whole(ev->field[EV_CREATED], ctx->time, sizeof(ctx->time)) ||
	    copy_whole(ev->field[EV_UPDATED], ctx->time, sizeof(ctx->time)))
		return;
	if (!ev->has_timestamp || format_time(ev->timestamp, ctx->time,
	    sizeof(ctx->time)) == -1)
		ctx->time[0] = '\0';
}

int
template_check(const char *tpl, char *err, size_t errlen)
{
	const char	*p, *end;
	size_t		 n;

	if (tpl == NULL)
		return 0;
	for (p = tpl; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '}') {
			snprintf(err, errlen, "single } at byte %zu (write }} "
			    "for a literal brace)", (size_t)(p - tpl));
			return -1;
		}
		if (*p != '{')
			continue;
		if ((end = strchr(p + 1, '}')) == NULL) {
			snprintf(err, errlen, "unclosed { at byte %zu (write "
			    "{{ for a literal brace)", (size_t)(p - tpl));
			return -1;
		}
		n = (size_t)(end - p - 1);
		if (lookup(p + 1, n) == -1) {
			/* Quote a long name only in part, whole characters. */
			n = utf8_cut(p + 1, n, 40);
			snprintf(err, errlen, "unknown field {%.*s%s}", (int)n,
			    p + 1, n < (size_t)(end - p - 1) ? "..." : "");
			return -1;
		}
		p = end;
	}
	return 0;
}

void
template_render(struct buf *b, const char *tpl, const struct message_ctx *ctx,
    enum inert_dialect d)
{
	const char	*p, *end, *v;
	char		*link;
	int		 i, f;

	if (tpl == NULL)
		return;
	for (p = tpl; *p != '\0'; p++) {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			buf_putc(b, *p++);
			continue;
		}
		if (*p != '{' || (end = strchr(p + 1, '}')) == NULL ||
		    (i = lookup(p + 1, (size_t)(end - p - 1))) == -1) {
			/* Unknown or unclosed: shown as written. */
			buf_putc(b, *p);
			continue;
		}
		f = placeholders[i].field;
		if (f == PH_TIME)
			v = ctx->time;
		else if (f == PH_APP)
			v = ctx->app;
		else if (f == PH_SIZE)
			v = ctx->size;
		else
			v = ctx->ev != NULL ? ctx->ev->field[f] : NULL;
		p = end;
		if (v == NULL)
			continue;
		if (f == EV_LINK || f == EV_QRCODE) {
			/* A template may write "[下载]({link})". */
			if ((link = inert_link(v)) != NULL)
				buf_puts(b, link);
			free(link);
		} else
			inert_append(b, d, v);
	}
}
