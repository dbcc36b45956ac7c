/* Judging a robot's reply: see reply.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "deliver.h"
#include "reply.h"
#include "robot.h"
#include "utf8.h"
#include "xalloc.h"

/* Length of the valid UTF-8 character at s, or 0. */
static size_t
char_len(const char *s, size_t len)
{
	size_t	 n;

	for (n = 1; n <= 4 && n <= len; n++)
		if (utf8_valid(s, n))
			return n;
	return 0;
}

void
reply_printable(char *dst, size_t dstlen, const char *src, size_t len)
{
	const unsigned char	*p;
	size_t			 used, n;

	if (dstlen == 0)
		return;
	used = strnlen(dst, dstlen - 1);
	dst[used] = '\0';
	for (size_t i = 0; i < len; i += n) {
		p = (const unsigned char *)src + i;
		if ((n = char_len(src + i, len - i)) == 0) {
			n = 1;		/* a stray byte: dropped */
			continue;
		}
		/* C0, DEL and C1 (U+0080..U+009F, 0xc2 0x80..0x9f). */
		if (p[0] < 0x20 || p[0] == 0x7f ||
		    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0))
			continue;
		if (used + n > dstlen - 1)
			break;
		memcpy(dst + used, src + i, n);
		used += n;
		dst[used] = '\0';
	}
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
