/*
 * DingTalk (钉钉) custom robot: markdown {title, text} by default, text on
 * request, with "at"; or an actionCard (the markdown, one button to the
 * link: a card without a link is sent as markdown).  DingTalk notifies a
 * mentioned person only when "@mobile" (or "@userid") also appears in the
 * text, so those go at the end of it.  With a secret the URL is signed.
 * About 20000 bytes of body (460101 "message too long" beyond).  See
 * https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type .
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fit.h"
#include "jsongen.h"
#include "message.h"
#include "reply.h"
#include "robot.h"
#include "sign.h"
#include "url.h"
#include "xalloc.h"

#define DINGTALK_BODY_MAX	20000

/*
 * A single newline does not break a line in DingTalk's markdown; a blank
 * line (a new paragraph) does.
 */
static void
paragraphs(struct buf *b, const char *s)
{
	size_t	 n;

	while (*s != '\0') {
		n = strcspn(s, "\n");
		buf_append(b, s, n);
		s += n;
		/* A lone newline inside the text is doubled; a blank line
		 * or a newline at the end stays as it is. */
		n = strspn(s, "\n");
		buf_append(b, "\n\n", n == 1 && s[1] != '\0' ? 2 : 0);
		buf_append(b, s, n == 1 && s[1] != '\0' ? 0 : n);
		s += n;
	}
}

/* Headline, facts as a list, then text paragraphs and the link (unless
 * a card's button carries it). */
static void
markdown(struct buf *b, const struct message *m, int card)
{
	const struct msg_line	*l;
	struct buf		 line = { 0 };
	int			 list = 0;

	if (m->body != NULL) {
		buf_puts(b, m->body);
		return;
	}
	buf_printf(b, "#### %s", m->heading);
	for (size_t i = 0; i < m->n_lines; i++) {
		l = &m->line[i];
		if (l->kind == MSG_INFO) {
			buf_puts(b, list ? "\n" : "\n\n");
			buf_printf(b, "- %s%s", l->label, l->value);
			list = 1;
			continue;
		}
		if (l->kind == MSG_LINK && card)
			continue;
		list = 0;
		buf_puts(b, "\n\n");
		if (l->kind == MSG_LINK) {
			buf_printf(b, "[%s](%s)", m->link_text, l->value);
			continue;
		}
		buf_reset(&line);
		message_line(&line, m, l);
		paragraphs(b, line.data);
	}
	buf_free(&line);
}

/*
 * One button (整体跳转): title, markdown text, singleTitle, singleURL
 * (https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type).
 * "at" is documented for text and markdown only: the text keeps the
 * "@mobile" words, no one is notified.
 */
static void
action_card(struct jgen *j, const struct message *m, const struct buf *text)
{
	jgen_kv(j, "msgtype", "actionCard");
	jgen_str(j, "actionCard");
	jgen_map_open(j);
	jgen_kv(j, "title", m->plain_heading);
	jgen_str(j, "text");
	jgen_strn(j, text->data != NULL ? text->data : "", text->len);
	jgen_kv(j, "singleTitle", message_button());
	jgen_kv(j, "singleURL", m->link);
	jgen_kv(j, "btnOrientation", "0");
	jgen_map_close(j);
}

static int
render(const struct message_ctx *ctx, const void *arg, struct buf *out,
    size_t *measure, char *err, size_t errlen)
{
	const struct webhook	*wh = arg;
	struct message		 m;
	struct buf		 text = { 0 }, at = { 0 };
	struct jgen		 j;
	int			 md = wh->format != FORMAT_TEXT;
	int			 rc, card;

	message_init(&m, ctx, wh->template, md ? INERT_MARKDOWN :
	    INERT_TEXT);
	card = wh->format == FORMAT_CARD && m.link != NULL;
	if (md)
		markdown(&text, &m, card);
	else
		message_plain(&text, &m);
	for (size_t i = 0; i < wh->at_mobiles.n; i++)
		buf_printf(&at, "%s@%s", at.len > 0 ? " " : "",
		    wh->at_mobiles.v[i]);
	for (size_t i = 0; i < wh->at_user_ids.n; i++)
		buf_printf(&at, "%s@%s", at.len > 0 ? " " : "",
		    wh->at_user_ids.v[i]);
	/* Keyword security reads the text, mentions included. */
	if (!message_has(text.data, wh->keyword) &&
	    !message_has(at.data, wh->keyword)) {
		message_newline(&text, md ? "\n\n" : "\n");
		buf_puts(&text, wh->keyword);
	}
	if (at.len > 0) {
		message_newline(&text, md ? "\n\n" : "\n");
		buf_append(&text, at.data, at.len);
	}
	buf_free(&at);

	jgen_init(&j);
	jgen_map_open(&j);
	if (card) {
		action_card(&j, &m, &text);
		goto done;
	}
	jgen_kv(&j, "msgtype", md ? "markdown" : "text");
	jgen_str(&j, md ? "markdown" : "text");
	jgen_map_open(&j);
	/* The title is the preview line in the chat list; required. */
	if (md)
		jgen_kv(&j, "title", m.plain_heading);
	jgen_str(&j, md ? "text" : "content");
	jgen_strn(&j, text.data != NULL ? text.data : "", text.len);
	jgen_map_close(&j);
	jgen_str(&j, "at");
	jgen_map_open(&j);
	jgen_str(&j, "atMobiles");
	jgen_array_open(&j);
	for (size_t i = 0; i < wh->at_mobiles.n; i++)
		jgen_str(&j, wh->at_mobiles.v[i]);
	jgen_array_close(&j);
	jgen_str(&j, "atUserIds");
	jgen_array_open(&j);
	for (size_t i = 0; i < wh->at_user_ids.n; i++)
		jgen_str(&j, wh->at_user_ids.v[i]);
	jgen_array_close(&j);
	jgen_str(&j, "isAtAll");
	jgen_bool(&j, wh->at_all);
	jgen_map_close(&j);
done:
	jgen_map_close(&j);
	message_free(&m);
	buf_free(&text);
	rc = jgen_finish(&j, out, err, errlen);
	/* DingTalk counts the whole body. */
	*measure = out->len;
	return rc;
}

/*
 * The URL with "&timestamp=<ms>&sign=<urlencoded base64>" appended, the
 * timestamp within an hour of DingTalk's clock.  NULL with err when it
 * cannot be signed.
 */
static char *
signed_url(const char *url, const char *secret, long long now_ms, char *err,
    size_t errlen)
{
	struct buf	 u = { 0 };
	char		 sig[SIGN_B64_MAX];
	size_t		 len = strlen(url);

	if (sign_dingtalk(secret, now_ms, sig, err, errlen) == -1)
		return NULL;
	buf_puts(&u, url);
	if (strchr(url, '?') == NULL)
		buf_putc(&u, '?');
	else if (len > 0 && url[len - 1] != '?' && url[len - 1] != '&')
		buf_putc(&u, '&');
	buf_printf(&u, "timestamp=%lld&sign=", now_ms);
	url_encode(&u, sig);
	return buf_release(&u);
}

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	struct buf	 body = { 0 };

	(void)raw;
	(void)raw_len;
	memset(req, 0, sizeof(*req));
	if (wh->secret != NULL && *wh->secret != '\0') {
		if ((req->url = signed_url(wh->url, wh->secret, now_ms,
		    err, errlen)) == NULL)
			return -1;
	} else
		req->url = xstrdup(wh->url);
	if (fit_render(ctx, DINGTALK_BODY_MAX, render, wh, &body,
	    &req->truncated, err, errlen) == -1) {
		buf_free(&body);
		request_free(req);
		return -1;
	}
	request_set_json(req, &body);
	return 0;
}

/* 130101: sent too fast (blocked for 10 minutes); -1: system busy. */
static const long retry[] = { 130101, -1 };
static const struct reply_keys keys[] = { { "errcode", "errmsg" } };
static const struct reply_rules rules = { keys, 1, retry, 2 };

static void
judge(long status, const char *body, size_t len, struct verdict *v)
{
	reply_judge(status, body, len, &rules, v);
}

const struct robot_ops robot_dingtalk = { "dingtalk", build, judge };
