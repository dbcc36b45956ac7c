/* STUB: replaced by the template renderer. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "template.h"

void
template_ctx_init(struct message_ctx *ctx, const struct event *ev,
    const char *app, enum lang lang, const char *tz)
{
	(void)tz;
	memset(ctx, 0, sizeof(*ctx));
	ctx->ev = ev;
	ctx->app = app;
	ctx->lang = lang;
}

int
template_check(const char *tpl, char *err, size_t errlen)
{
	(void)tpl; (void)err; (void)errlen;
	return 0;
}

void
template_render(struct buf *b, const char *tpl, const struct message_ctx *ctx)
{
	(void)ctx;
	buf_puts(b, tpl);
}
