/* Judging a robot's reply: see reply.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "deliver.h"
#include "log.h"
#include "reply.h"
#include "robot.h"
#include "utf8.h"
#include "xalloc.h"

void
reply_printable(char *dst, size_t dstlen, const char *src, size_t len)
{
	struct buf	 b = { 0 };
	size_t		 used, room, max;

	if (dstlen == 0)
		return;
	used = strnlen(dst, dstlen - 1);
	dst[used] = '\0';
	room = dstlen - 1 - used;
	/* log_printable() cuts at max and then says how much it left out:
	 * shrink max until that note fits too (max 0 would be no limit). */
	for (max = room > 0 ? room : 1;; max -= b.len - room < max ?
	    b.len - room : max - 1) {
		buf_reset(&b);
		log_printable(&b, src, len, max);
		if (b.len <= room || max == 1)
			break;
	}
	if (b.len > room)
		b.len = utf8_cut(b.data, b.len, room);
	if (b.len > 0)
		memcpy(dst + used, b.data, b.len);
	dst[used + b.len] = '\0';
	buf_free(&b);
}

static int
retryable_code(const struct reply_rules *r, long code)
{
	for (size_t i = 0; i < r->n_retry; i++)
		if (r->retry[i] == code)
			return 1;
	return 0;
}

/*
 * Finds the robot's code and message in tree.  Returns 1 and sets *code
 * and *msg (NULL when absent), or 0 when the reply has no code.
 */
static int
find_code(yajl_val tree, const struct reply_rules *r, long *code,
    const char **msg)
{
	const char	*path[2] = { NULL, NULL };
	yajl_val	 c, m;

	for (size_t i = 0; i < r->n_keys; i++) {
		path[0] = r->keys[i].code;
		c = yajl_tree_get(tree, path, yajl_t_number);
		if (c == NULL || !YAJL_IS_INTEGER(c))
			continue;
		*code = (long)YAJL_GET_INTEGER(c);
		path[0] = r->keys[i].msg;
		m = yajl_tree_get(tree, path, yajl_t_string);
		*msg = m != NULL ? YAJL_GET_STRING(m) : NULL;
		return 1;
	}
	return 0;
}

/* Appends ": errcode N: msg" style detail to v->errmsg. */
static void
describe(struct verdict *v, long code, const char *msg)
{
	size_t	 used = strlen(v->errmsg);

	snprintf(v->errmsg + used, sizeof(v->errmsg) - used, "%serrcode %ld",
	    used > 0 ? ", " : "", code);
	if (msg != NULL && *msg != '\0') {
		used = strlen(v->errmsg);
		snprintf(v->errmsg + used, sizeof(v->errmsg) - used, ": ");
		reply_printable(v->errmsg, sizeof(v->errmsg), msg,
		    strlen(msg));
	}
}

void
reply_judge(long status, const char *body, size_t len,
    const struct reply_rules *r, struct verdict *v)
{
	yajl_val	 tree = NULL;
	const char	*msg = NULL;
	char		*copy, ebuf[128];
	long		 code = 0;
	int		 found = 0, http_ok;

	memset(v, 0, sizeof(*v));
	http_ok = status >= 200 && status <= 299;
	/* yajl_tree_parse wants a NUL-terminated string. */
	if (body != NULL && len > 0 && len <= DELIVER_REPLY_MAX) {
		copy = xstrndup(body, len);
		tree = yajl_tree_parse(copy, ebuf, sizeof(ebuf));
		free(copy);
	}
	if (YAJL_IS_OBJECT(tree))
		found = find_code(tree, r, &code, &msg);
	if (!http_ok) {
		reply_status(status, v);
		if (found) {
			v->errcode = code;
			describe(v, code, msg);
			v->retryable |= retryable_code(r, code);
		}
	} else if (!YAJL_IS_OBJECT(tree)) {
		snprintf(v->errmsg, sizeof(v->errmsg), "reply is not JSON");
		v->retryable = 1;
	} else if (!found) {
		snprintf(v->errmsg, sizeof(v->errmsg), "reply has no %s",
		    r->n_keys > 0 ? r->keys[0].code : "code");
		v->retryable = 1;
	} else if (code != 0) {
		v->errcode = code;
		describe(v, code, msg);
		v->retryable = retryable_code(r, code);
	} else
		v->ok = 1;
	yajl_tree_free(tree);
}

void
reply_status(long status, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (status >= 200 && status <= 299) {
		v->ok = 1;
		return;
	}
	if (status <= 0)
		snprintf(v->errmsg, sizeof(v->errmsg), "no HTTP reply");
	else
		snprintf(v->errmsg, sizeof(v->errmsg), "HTTP %ld", status);
	/* Server trouble and rate limits pass; anything else will not. */
	v->retryable = status <= 0 || status >= 500 || status == 429;
}
