/* STUB: replaced by the wecom formatter. */
#include <stdio.h>

#include "robot.h"

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	(void)wh; (void)ctx; (void)raw; (void)raw_len; (void)now_ms; (void)req;
	snprintf(err, errlen, "not implemented");
	return -1;
}

static void
judge(long status, const char *body, size_t len, struct verdict *v)
{
	(void)body; (void)len;
	v->ok = status >= 200 && status < 300;
}

const struct robot_ops robot_wecom = { "wecom", build, judge };
