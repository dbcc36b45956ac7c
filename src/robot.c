/* The table of robot operations, indexed by enum robot_type. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "robot.h"
#include "xalloc.h"

static const struct robot_ops *const robots[ROBOT__MAX] = {
	[ROBOT_WECOM] = &robot_wecom,
	[ROBOT_DINGTALK] = &robot_dingtalk,
	[ROBOT_FEISHU] = &robot_feishu,
	[ROBOT_JSON] = &robot_json,
};

const struct robot_ops *
robot_get(enum robot_type t)
{
	return (unsigned)t < ROBOT__MAX ? robots[t] : NULL;
}

void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->url);
	free(r->body);
	for (size_t i = 0; i < r->n_headers; i++)
		free(r->headers[i]);
	memset(r, 0, sizeof(*r));
}

void
request_set_json(struct request *r, struct buf *body)
{
	r->body_len = body->len;
	r->body = buf_release(body);
	r->headers[r->n_headers++] =
	    xstrdup("Content-Type: application/json; charset=utf-8");
}
