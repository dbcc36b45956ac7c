/*
 * WeCom (企业微信) group robot.  markdown by default; text when someone is
 * mentioned (mentions by mobile number work only in text) or when the
 * webhook asks for text; as a card, template_card text_notice, or news
 * with the QR code as its picture when the event has one (a card without
 * a link is sent as markdown: both need one).  The limits count the
 * content field's bytes: 4096 for markdown (errcode 40058 beyond), 2048
 * for text.  No signing: the key in the URL is the credential.  See
 * https://developer.work.weixin.qq.com/document/path/91770 .
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "template.h"
#include "utf8.h"
#include "fit.h"
#include "jsongen.h"
#include "message.h"
#include "reply.h"
#include "robot.h"
#include "xalloc.h"

#define WECOM_MARKDOWN_MAX	4096
#define WECOM_TEXT_MAX		2048

/*
 * template_card text_notice: the docs' 建议不超过N个字, characters
 * (https://developer.work.weixin.qq.com/document/path/91770).  Event text
 * is cut there with a mark rather than by WeCom without one.
 */
#define CARD_TITLE_CHARS	26	/* main_title.title */
#define CARD_DESC_CHARS		30	/* main_title.desc */
#define CARD_SUB_CHARS		112	/* sub_title_text */
#define CARD_VALUE_CHARS	26	/* horizontal_content_list[].value */
#define CARD_ROWS_MAX		6
/* news: title 128 bytes, description 512, cut by WeCom beyond (91770). */
#define NEWS_TITLE_MAX		128
#define NEWS_DESC_MAX		512

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

/* Appends s cut to max bytes, ending in "…" when cut; 1 when it cut. */
static int
cut_bytes(struct buf *b, const char *s, size_t max)
{
	size_t	 len = strlen(s), mark = strlen("…");

	if (len <= max) {
		buf_puts(b, s);
		return 0;
	}
	buf_append(b, s, utf8_cut(s, len, max - mark));
	buf_puts(b, "…");
	return 1;
}

/* The card's text: keyword first (so no cut removes it), then the
 * message or the template's body. */
static void
card_text(struct buf *b, const struct webhook *wh, const struct message *m,
    int info)
{
	const struct msg_line	*l;

	if (m->body != NULL)
		buf_puts(b, m->body);
	for (size_t i = 0; m->body == NULL && i < m->n_lines; i++) {
		l = &m->line[i];
		if (l->kind == MSG_LINK || (l->kind == MSG_INFO && !info))
			continue;
		message_newline(b, "\n");
		message_line(b, m, l);
	}
	if (!message_has(b->data, wh->keyword) &&
	    !message_has(m->heading, wh->keyword)) {
		struct buf	 k = { 0 };

		buf_printf(&k, "%s%s%s", wh->keyword, b->len > 0 ? "\n" : "",
		    b->data != NULL ? b->data : "");
		buf_reset(b);
		buf_append(b, k.data, k.len);
		buf_free(&k);
	}
}

/* news, one article: the QR code as its picture. */
static int
news(struct jgen *j, const struct webhook *wh, const struct message *m,
    const char *qrcode)
{
	struct buf	 t = { 0 }, s = { 0 };
	int		 cut;

	jgen_kv(j, "msgtype", "news");
	jgen_str(j, "news");
	jgen_map_open(j);
	jgen_str(j, "articles");
	jgen_array_open(j);
	jgen_map_open(j);
	cut = cut_bytes(&t, m->heading, NEWS_TITLE_MAX);
	jgen_kv(j, "title", t.data);
	card_text(&s, wh, m, 1);
	buf_reset(&t);
	cut |= cut_bytes(&t, s.data != NULL ? s.data : "", NEWS_DESC_MAX);
	jgen_kv(j, "description", t.data);
	jgen_kv(j, "url", m->link);
	jgen_kv(j, "picurl", qrcode);
	jgen_map_close(j);
	jgen_array_close(j);
	jgen_map_close(j);
	buf_free(&t);
	buf_free(&s);
	return cut;
}

/* template_card text_notice: title, facts as rows, the link as action. */
static int
text_notice(struct jgen *j, const struct webhook *wh,
    const struct message *m)
{
	const struct msg_line	*l;
	struct buf		 t = { 0 };
	size_t			 rows = 0;
	int			 cut;

	jgen_kv(j, "msgtype", "template_card");
	jgen_str(j, "template_card");
	jgen_map_open(j);
	jgen_kv(j, "card_type", "text_notice");
	jgen_str(j, "main_title");
	jgen_map_open(j);
	cut = message_cut_chars(&t, m->title, CARD_TITLE_CHARS);
	jgen_kv(j, "title", t.data);
	if (*m->action != '\0') {
		buf_reset(&t);
		cut |= message_cut_chars(&t, m->action, CARD_DESC_CHARS);
		jgen_kv(j, "desc", t.data);
	}
	jgen_map_close(j);
	buf_reset(&t);
	card_text(&t, wh, m, 0);
	if (t.len > 0) {
		struct buf	 sub = { 0 };

		cut |= message_cut_chars(&sub, t.data, CARD_SUB_CHARS);
		jgen_kv(j, "sub_title_text", sub.data);
		buf_free(&sub);
	}
	jgen_str(j, "horizontal_content_list");
	jgen_array_open(j);
	for (size_t i = 0; m->body == NULL && i < m->n_lines &&
	    rows < CARD_ROWS_MAX; i++) {
		l = &m->line[i];
		if (l->kind != MSG_INFO)
			continue;
		jgen_map_open(j);
		buf_reset(&t);
		message_key(&t, l->label);
		jgen_kv(j, "keyname", t.data);
		buf_reset(&t);
		cut |= message_cut_chars(&t, l->value, CARD_VALUE_CHARS);
		jgen_kv(j, "value", t.data);
		jgen_map_close(j);
		rows++;
	}
	jgen_array_close(j);
	jgen_str(j, "jump_list");
	jgen_array_open(j);
	jgen_map_open(j);
	jgen_str(j, "type");
	jgen_int(j, 1);
	jgen_kv(j, "title", message_button());
	jgen_kv(j, "url", m->link);
	jgen_map_close(j);
	jgen_array_close(j);
	/* Required: without it, errcode 42045. */
	jgen_str(j, "card_action");
	jgen_map_open(j);
	jgen_str(j, "type");
	jgen_int(j, 1);
	jgen_kv(j, "url", m->link);
	jgen_map_close(j);
	jgen_map_close(j);
	buf_free(&t);
	return cut;
}

/* The card for ctx into out; 0 or -1 with err, *cut when text was cut. */
static int
card(const struct webhook *wh, const struct message_ctx *ctx,
    struct buf *out, int *cut, char *err, size_t errlen)
{
	struct message	 m;
	struct jgen	 j;
	char		*qrcode;
	int		 rc;

	message_init(&m, ctx, wh->template, INERT_TEXT);
	qrcode = inert_link(ctx->ev->field[EV_QRCODE]);
	jgen_init(&j);
	jgen_map_open(&j);
	if (qrcode != NULL)
		*cut = news(&j, wh, &m, qrcode);
	else
		*cut = text_notice(&j, wh, &m);
	jgen_map_close(&j);
	rc = jgen_finish(&j, out, err, errlen);
	free(qrcode);
	message_free(&m);
	return rc;
}

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	struct buf	 body = { 0 };
	char		*link;

	(void)raw;
	(void)raw_len;
	(void)now_ms;
	memset(req, 0, sizeof(*req));
	if (wh->format == FORMAT_CARD && !mentions(wh) &&
	    (link = inert_link(ctx->ev->field[EV_LINK])) != NULL) {
		free(link);
		if (card(wh, ctx, &body, &req->truncated, err, errlen) == -1) {
			buf_free(&body);
			return -1;
		}
	} else if (fit_render(ctx, as_text(wh) ? WECOM_TEXT_MAX :
	    WECOM_MARKDOWN_MAX, render, wh, &body, &req->truncated, err,
	    errlen) == -1) {
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
