/* Cutting a message to a robot's limit: see fit.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "fit.h"
#include "message.h"
#include "template.h"
#include "utf8.h"

/* The fields cut, a class at a time, in this order; -1 ends a class. */
static const int long_fields[] = { EV_NOTES, EV_MESSAGE, -1 };
static const int short_fields[] = {
	EV_TITLE, EV_ACTION, EV_TYPE, EV_OS_VERSION, EV_BUILD_VERSION,
	EV_DEVICE_TYPE, EV_CREATED, EV_UPDATED, EV_APPSIZE, -1
};

struct fitter {
	const struct message_ctx *orig;
	struct message_ctx	 ctx;	/* orig, seeing ev instead */
	struct event		 ev;	/* orig's event with fields cut */
	char			*owned[EV__MAX];
	size_t			 cap[EV__MAX];	/* SIZE_MAX: whole */
	int			 drop_link;
	fit_render_fn		 render;
	const void		*arg;
	struct buf		*out;
	char			*err;
	size_t			 errlen;
};

/* Points f->ev at the fields as cut by f->cap; 1 if anything was cut. */
static int
apply(struct fitter *f)
{
	const struct event	*src = f->orig->ev;
	const char		*mark = message_mark(f->orig->lang);
	char			*v;
	struct buf		 b = { 0 };
	size_t			 len, n;
	int			 cut = 0;

	for (int i = 0; i < EV__MAX; i++) {
		free(f->owned[i]);
		f->owned[i] = NULL;
		f->ev.field[i] = v = src->field[i];
		if (v == NULL)
			continue;
		len = strlen(v);
		/* Half a URL is wrong: a link goes whole or not at all. */
		if (i == EV_LINK || i == EV_QRCODE) {
			if (src->cut & (1u << i)) {
				f->ev.field[i] = NULL;
				cut = 1;
			}
			continue;
		}
		/* Cut when the event was read: the mark says so here. */
		if ((f->cap[i] == SIZE_MAX || len <= f->cap[i]) &&
		    !(src->cut & (1u << i)))
			continue;
		n = f->cap[i] == SIZE_MAX ? len : utf8_cut(v, len, f->cap[i]);
		buf_append(&b, v, n);
		buf_puts(&b, mark);
		f->ev.field[i] = f->owned[i] = buf_release(&b);
		cut = 1;
	}
	for (int i = 0; f->drop_link && i < 2; i++)
		if (src->field[i == 0 ? EV_LINK : EV_QRCODE] != NULL) {
			f->ev.field[i == 0 ? EV_LINK : EV_QRCODE] = NULL;
			cut = 1;
		}
	return cut;
}

/* Renders with the current cuts: 1 fits, 0 does not, -1 error. */
static int
try(struct fitter *f, size_t limit)
{
	size_t	 measure = 0;

	apply(f);
	buf_reset(f->out);
	if (f->render(&f->ctx, f->arg, f->out, &measure, f->err,
	    f->errlen) == -1)
		return -1;
	return measure <= limit;
}

static void
set_class(struct fitter *f, const int *class, size_t cap)
{
	for (; *class != -1; class++)
		f->cap[*class] = cap;
}

/*
 * Cuts the fields of class to the largest common length that fits, or to
 * nothing.  Returns 1 when the message now fits, 0 when not, -1 on error.
 */
static int
cut_class(struct fitter *f, const int *class, size_t limit)
{
	const char	*v;
	size_t		 lo, hi, mid, longest = 0;
	int		 rc;

	for (const int *c = class; *c != -1; c++)
		if ((v = f->orig->ev->field[*c]) != NULL &&
		    strlen(v) > longest)
			longest = strlen(v);
	if (longest == 0)
		return 0;
	set_class(f, class, 0);
	if ((rc = try(f, limit)) != 1)
		return rc;
	/*
	 * Longer fits less well, give or take a mark or a keyword that a
	 * cut removed: keep lo as a length that was seen to fit.
	 */
	lo = 0;
	hi = longest;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		set_class(f, class, mid);
		if ((rc = try(f, limit)) == -1)
			return -1;
		if (rc == 1)
			lo = mid;
		else
			hi = mid;
	}
	set_class(f, class, lo);
	return try(f, limit);
}

int
fit_render(const struct message_ctx *ctx, size_t limit, fit_render_fn render,
    const void *arg, struct buf *out, int *truncated, char *err, size_t errlen)
{
	struct fitter	 f;
	int		 rc;

	memset(&f, 0, sizeof(f));
	f.orig = ctx;
	f.ctx = *ctx;
	f.ctx.ev = &f.ev;
	f.ev = *ctx->ev;
	for (int i = 0; i < EV__MAX; i++)
		f.cap[i] = SIZE_MAX;
	f.render = render;
	f.arg = arg;
	f.out = out;
	f.err = err;
	f.errlen = errlen;
	*truncated = 0;

	if ((rc = try(&f, limit)) == 0 &&
	    (rc = cut_class(&f, long_fields, limit)) == 0 &&
	    (rc = cut_class(&f, short_fields, limit)) == 0) {
		/* Without the link, the other fields may keep more. */
		for (int i = 0; i < EV__MAX; i++)
			f.cap[i] = SIZE_MAX;
		f.drop_link = 1;
		if ((rc = try(&f, limit)) == 0 &&
		    (rc = cut_class(&f, long_fields, limit)) == 0)
			rc = cut_class(&f, short_fields, limit);
	}
	if (rc == 1)
		*truncated = apply(&f);
	else if (rc == 0)
		snprintf(err, errlen, "the message does not fit in %zu "
		    "bytes even with every field cut: keyword, mentions or "
		    "template too long", limit);
	for (int i = 0; i < EV__MAX; i++)
		free(f.owned[i]);
	return rc == 1 ? 0 : -1;
}
