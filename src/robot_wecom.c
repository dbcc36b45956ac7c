/*
 * WeCom (企业微信) group robot.  markdown by default; text when someone is
 * mentioned (mentions by mobile number work only in text) or when the
 * webhook asks for text.  The limits count the content field's bytes:
 * 4096 for markdown (errcode 40058 beyond), 2048 for text.  No signing:
 * the key in the URL is the credential.  See robot-apis.md.
 */
#include <string.h>

#include "buf.h"
#include "fit.h"
#include "jsongen.h"
#include "message.h"
#include "reply.h"
#include "robot.h"
#include "xalloc.h"

#define WECOM_MARKDOWN_MAX	4096
#define WECOM_TEXT_MAX		2048

static int
mentions(const struct webhook *wh)
{
	return wh->at_all || wh->at_mobiles.n > 0 || wh->at_user_ids.n > 0;
}

static int
as_text(const struct webhook *wh)
{
	return wh->format == FORMAT_TEXT || mentions(wh);
}

/*
 * WeCom's markdown subset: bold, "> " quotes, [text](url).  Each line is
 * its own line on screen, so single newlines do.
 */
static void
markdown(struct buf *b, const struct message *m)
{
	const struct msg_line	*l;

	if (m->body != NULL) {
		buf_puts(b, m->body);
		return;
	}
	buf_printf(b, "**%s**", m->title);
	if (*m->action != '\0')
		buf_printf(b, " %s", m->action);
	for (size_t i = 0; i < m->n_lines; i++) {
		l = &m->line[i];
		buf_putc(b, '\n');
		if (l->kind == MSG_INFO)
			buf_printf(b, "> %s%s", l->label, l->value);
		else if (l->kind == MSG_LINK)
			buf_printf(b, "[%s](%s)", m->link_text, l->value);
		else
			message_line(b, m, l);
	}
}

static int
render(const struct message_ctx *ctx, const void *arg, struct buf *out,
    size_t *measure, char *err, size_t errlen)
{
	const struct webhook	*wh = arg;
	struct message		 m;
	struct buf		 content = { 0 };
	struct jgen		 j;
	int			 text = as_text(wh);

	message_init(&m, ctx, wh->template, text ? INERT_TEXT :
	    INERT_MARKDOWN);
	if (text)
		message_plain(&content, &m);
	else
		markdown(&content, &m);
	message_free(&m);
	/* The configured keyword is always in what is checked: content. */
	if (!message_has(content.data, wh->keyword)) {
		message_newline(&content, "\n");
		buf_puts(&content, wh->keyword);
	}
	*measure = content.len;

	jgen_init(&j);
	jgen_map_open(&j);
	jgen_kv(&j, "msgtype", text ? "text" : "markdown");
	jgen_str(&j, text ? "text" : "markdown");
	jgen_map_open(&j);
	jgen_str(&j, "content");
	jgen_strn(&j, content.data != NULL ? content.data : "", content.len);
	if (text && (wh->at_user_ids.n > 0 || wh->at_all)) {
		jgen_str(&j, "mentioned_list");
		jgen_array_open(&j);
		for (size_t i = 0; i < wh->at_user_ids.n; i++)
			jgen_str(&j, wh->at_user_ids.v[i]);
		if (wh->at_all)
			jgen_str(&j, "@all");
		jgen_array_close(&j);
	}
	if (text && wh->at_mobiles.n > 0) {
		jgen_str(&j, "mentioned_mobile_list");
		jgen_array_open(&j);
		for (size_t i = 0; i < wh->at_mobiles.n; i++)
			jgen_str(&j, wh->at_mobiles.v[i]);
		jgen_array_close(&j);
	}
	jgen_map_close(&j);
	jgen_map_close(&j);
	buf_free(&content);
	return jgen_finish(&j, out, err, errlen);
}

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	struct buf	 body = { 0 };

	(void)raw;
	(void)raw_len;
	(void)now_ms;
	memset(req, 0, sizeof(*req));
	if (fit_render(ctx, as_text(wh) ? WECOM_TEXT_MAX : WECOM_MARKDOWN_MAX,
	    render, wh, &body, &req->truncated, err, errlen) == -1) {
		buf_free(&body);
		return -1;
	}
	req->url = xstrdup(wh->url);
	request_set_json(req, &body);
	return 0;
}

/* errcode 45009: over 20 messages a minute; -1: system busy. */
static const long retry[] = { 45009, -1 };
static const struct reply_keys keys[] = { { "errcode", "errmsg" } };
static const struct reply_rules rules = { keys, 1, retry, 2 };

static void
judge(long status, const char *body, size_t len, struct verdict *v)
{
	reply_judge(status, body, len, &rules, v);
}

const struct robot_ops robot_wecom = { "wecom", build, judge };
