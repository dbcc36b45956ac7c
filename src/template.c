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

/* Formats ts in the IANA zone tz into out; 0, or -1 when out of range. */
static int
format_time(long long ts, const char *tz, char *out, size_t outlen)
{
	struct tm	 tm;
	time_t		 t = (time_t)ts;
	char		*saved = NULL;
	const char	*old;
	int		 rc = -1;

	if ((long long)t != ts)
		return -1;
	/*
	 * localtime_r() reads the zone from TZ, and POSIX lets it skip
	 * tzset(): set TZ, call tzset() ourselves, and put TZ back after.
	 */
	if (tz != NULL && *tz != '\0') {
		if ((old = getenv("TZ")) != NULL)
			saved = xstrdup(old);
		setenv("TZ", tz, 1);
		tzset();
	}
	if (localtime_r(&t, &tm) != NULL &&
	    strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm) > 0)
		rc = 0;
	if (tz != NULL && *tz != '\0') {
		if (saved != NULL)
			setenv("TZ", saved, 1);
		else
			unsetenv("TZ");
		tzset();
		free(saved);
	}
	return rc;
}

void
template_ctx_init(struct message_ctx *ctx, const struct event *ev,
    const char *app, enum lang lang, const char *tz)
{
	const char	*c;
	size_t		 n;

	memset(ctx, 0, sizeof(*ctx));
	ctx->ev = ev;
	ctx->app = app;
	ctx->lang = lang;
	if (ev == NULL)
		return;
	if (ev->has_timestamp && format_time(ev->timestamp, tz, ctx->time,
	    sizeof(ctx->time)) == 0)
		return;
	ctx->time[0] = '\0';
	/* PGYER's "created" is already "YYYY-MM-DD HH:MM:SS", China time. */
	if ((c = ev->field[EV_CREATED]) != NULL) {
		n = utf8_cut(c, strlen(c), sizeof(ctx->time) - 1);
		memcpy(ctx->time, c, n);
		ctx->time[n] = '\0';
	}
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
template_render(struct buf *b, const char *tpl, const struct message_ctx *ctx)
{
	const char	*p, *end, *v;
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
		else
			v = ctx->ev != NULL ? ctx->ev->field[f] : NULL;
		if (v != NULL)
			buf_puts(b, v);
		p = end;
	}
}
