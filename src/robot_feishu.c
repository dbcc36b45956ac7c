/*
 * Feishu / Lark custom bot: "post" rich text by default (a title, then
 * paragraphs of text, a link and mentions as "at" elements), "text" on
 * request, or an "interactive" card (a header coloured by the event's
 * kind, the facts as short fields, the text, a button to the link).
 * With a secret, "timestamp" (seconds, a string as in the docs) and
 * "sign" go at the top of the body.  The whole body is at most 20 KB
 * after JSON escaping.  See
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot .
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
#include "xalloc.h"

#define FEISHU_BODY_MAX		20000

struct feishu {
	const struct webhook	*wh;
	char			 ts[32];	/* "" when unsigned */
	char			 sign[SIGN_B64_MAX];
};

/* One paragraph: a single text element. */
static void
para_text(struct jgen *j, const char *s, size_t len)
{
	jgen_array_open(j);
	jgen_map_open(j);
	jgen_kv(j, "tag", "text");
	jgen_str(j, "text");
	jgen_strn(j, s, len);
	jgen_map_close(j);
	jgen_array_close(j);
}

/* A paragraph per line of s; adds the text to hay. */
static void
para_lines(struct jgen *j, const char *s, struct buf *hay)
{
	size_t	 n;

	buf_puts(hay, s);
	buf_putc(hay, '\n');
	for (;;) {
		n = strcspn(s, "\n");
		para_text(j, s, n);
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
}

/* The post's paragraphs before the keyword and mentions. */
static void
post_body(struct jgen *j, const struct message *m, struct buf *hay)
{
	const struct msg_line	*l;
	struct buf		 line = { 0 };

	if (m->body != NULL) {
		para_lines(j, m->body, hay);
		return;
	}
	for (size_t i = 0; i < m->n_lines; i++) {
		l = &m->line[i];
		if (l->kind == MSG_LINK) {
			/* Keyword checks read text and title, not href. */
			jgen_array_open(j);
			jgen_map_open(j);
			jgen_kv(j, "tag", "a");
			jgen_kv(j, "text", m->link_text);
			jgen_kv(j, "href", l->value);
			jgen_map_close(j);
			jgen_array_close(j);
			continue;
		}
		buf_reset(&line);
		message_line(&line, m, l);
		para_lines(j, line.data, hay);
	}
	buf_free(&line);
}

static void
post(struct jgen *j, const struct webhook *wh, const struct message *m)
{
	struct buf	 hay = { 0 };
	size_t		 n;

	jgen_str(j, "post");
	jgen_map_open(j);
	jgen_str(j, m->lang == LANG_EN ? "en_us" : "zh_cn");
	jgen_map_open(j);
	jgen_kv(j, "title", m->heading);
	buf_puts(&hay, m->heading);
	buf_putc(&hay, '\n');
	jgen_str(j, "content");
	jgen_array_open(j);
	post_body(j, m, &hay);
	if (!message_has(hay.data, wh->keyword))
		para_text(j, wh->keyword, strlen(wh->keyword));
	buf_free(&hay);
	if (wh->at_all || wh->at_user_ids.n > 0) {
		jgen_array_open(j);
		n = wh->at_all ? 1 : 0;
		for (size_t i = 0; i < n + wh->at_user_ids.n; i++) {
			jgen_map_open(j);
			jgen_kv(j, "tag", "at");
			jgen_kv(j, "user_id", i < n ? "all" :
			    wh->at_user_ids.v[i - n]);
			jgen_map_close(j);
		}
		jgen_array_close(j);
	}
	jgen_array_close(j);
	jgen_map_close(j);
	jgen_map_close(j);
}

static void
text(struct jgen *j, const struct webhook *wh, const struct message *m)
{
	struct buf	 t = { 0 };

	message_plain(&t, m);
	if (!message_has(t.data, wh->keyword)) {
		message_newline(&t, "\n");
		buf_puts(&t, wh->keyword);
	}
	/* <at user_id="all">所有人</at>: the name shown is Feishu's own. */
	if (wh->at_all || wh->at_user_ids.n > 0)
		message_newline(&t, "\n");
	if (wh->at_all)
		buf_printf(&t, "<at user_id=\"all\">%s</at>",
		    m->lang == LANG_EN ? "Everyone" : "所有人");
	for (size_t i = 0; i < wh->at_user_ids.n; i++)
		buf_printf(&t, "%s<at user_id=\"%s\">%s</at>",
		    wh->at_all || i > 0 ? " " : "", wh->at_user_ids.v[i],
		    wh->at_user_ids.v[i]);
	jgen_str(j, "text");
	jgen_strn(j, t.data != NULL ? t.data : "", t.len);
	buf_free(&t);
}

/* A plain_text object: shown as it is, nothing in it acts. */
static void
plain(struct jgen *j, const char *key, const char *s)
{
	jgen_str(j, key);
	jgen_map_open(j);
	jgen_kv(j, "tag", "plain_text");
	jgen_kv(j, "content", s);
	jgen_map_close(j);
}

/* A div of one plain text. */
static void
div_text(struct jgen *j, const char *s)
{
	jgen_map_open(j);
	jgen_kv(j, "tag", "div");
	plain(j, "text", s);
	jgen_map_close(j);
}

/*
 * Header colours of card JSON 1.0:
 * https://open.larksuite.com/document/common-capabilities/message-card/message-cards-content/card-header
 */
static const char *const colours[] = {
	[MSG_KIND_UPDATE] = "green",
	[MSG_KIND_FEEDBACK] = "orange",
	[MSG_KIND_CRASH] = "red",
	[MSG_KIND_OTHER] = "blue",
};

/*
 * The card of a custom bot, JSON 1.0: the whole card goes in "card", not
 * in "content" (https://open.feishu.cn/document/feishu-cards/quick-start/
 * send-message-cards-with-custom-bot).  Which card fields keyword
 * security reads is not documented: the keyword goes in plain text.
 */
static void
card(struct jgen *j, const struct message_ctx *ctx,
    const struct webhook *wh, const struct message *m)
{
	const struct msg_line	*l;
	struct buf		 t = { 0 }, hay = { 0 };
	int			 fields = 0;

	jgen_str(j, "card");
	jgen_map_open(j);
	jgen_str(j, "config");
	jgen_map_open(j);
	jgen_str(j, "wide_screen_mode");
	jgen_bool(j, 1);
	jgen_map_close(j);
	jgen_str(j, "header");
	jgen_map_open(j);
	plain(j, "title", m->heading);
	jgen_kv(j, "template", colours[message_kind(ctx)]);
	jgen_map_close(j);
	buf_puts(&hay, m->heading);
	jgen_str(j, "elements");
	jgen_array_open(j);
	if (m->body != NULL) {
		div_text(j, m->body);
		buf_puts(&hay, m->body);
	}
	for (size_t i = 0; i < m->n_lines; i++) {
		l = &m->line[i];
		if (l->kind == MSG_LINK)
			continue;
		buf_reset(&t);
		message_line(&t, m, l);
		buf_puts(&hay, t.data);
		if (l->kind == MSG_INFO) {
			if (!fields) {
				jgen_map_open(j);
				jgen_kv(j, "tag", "div");
				jgen_str(j, "fields");
				jgen_array_open(j);
				fields = 1;
			}
			jgen_map_open(j);
			jgen_str(j, "is_short");
			jgen_bool(j, 1);
			plain(j, "text", t.data);
			jgen_map_close(j);
			continue;
		}
		if (fields) {
			jgen_array_close(j);
			jgen_map_close(j);
			fields = 0;
		}
		div_text(j, t.data);
	}
	if (fields) {
		jgen_array_close(j);
		jgen_map_close(j);
	}
	if (!message_has(hay.data, wh->keyword))
		div_text(j, wh->keyword);
	/* Configured mentions: lark_md's <at id=...></at>, ours only. */
	if (wh->at_all || wh->at_user_ids.n > 0) {
		buf_reset(&t);
		if (wh->at_all)
			buf_puts(&t, "<at id=all></at>");
		for (size_t i = 0; i < wh->at_user_ids.n; i++)
			buf_printf(&t, "%s<at id=%s></at>", t.len > 0 ? " " :
			    "", wh->at_user_ids.v[i]);
		jgen_map_open(j);
		jgen_kv(j, "tag", "div");
		jgen_str(j, "text");
		jgen_map_open(j);
		jgen_kv(j, "tag", "lark_md");
		jgen_kv(j, "content", t.data);
		jgen_map_close(j);
		jgen_map_close(j);
	}
	if (m->link != NULL) {
		jgen_map_open(j);
		jgen_kv(j, "tag", "action");
		jgen_str(j, "actions");
		jgen_array_open(j);
		jgen_map_open(j);
		jgen_kv(j, "tag", "button");
		plain(j, "text", message_button());
		jgen_kv(j, "type", "primary");
		jgen_kv(j, "url", m->link);
		jgen_map_close(j);
		jgen_array_close(j);
		jgen_map_close(j);
	}
	jgen_array_close(j);
	jgen_map_close(j);
	buf_free(&t);
	buf_free(&hay);
}

static int
render(const struct message_ctx *ctx, const void *arg, struct buf *out,
    size_t *measure, char *err, size_t errlen)
{
	const struct feishu	*f = arg;
	const struct webhook	*wh = f->wh;
	struct message		 m;
	struct jgen		 j;
	int			 rc, is_post = wh->format == FORMAT_MARKDOWN;

	message_init(&m, ctx, wh->template, wh->format == FORMAT_TEXT ?
	    INERT_TEXT : INERT_PLAIN);
	jgen_init(&j);
	jgen_map_open(&j);
	if (f->ts[0] != '\0') {
		jgen_kv(&j, "timestamp", f->ts);
		jgen_kv(&j, "sign", f->sign);
	}
	if (wh->format == FORMAT_CARD) {
		jgen_kv(&j, "msg_type", "interactive");
		card(&j, ctx, wh, &m);
	} else {
		jgen_kv(&j, "msg_type", is_post ? "post" : "text");
		jgen_str(&j, "content");
		jgen_map_open(&j);
		if (is_post)
			post(&j, wh, &m);
		else
			text(&j, wh, &m);
		jgen_map_close(&j);
	}
	jgen_map_close(&j);
	message_free(&m);
	rc = jgen_finish(&j, out, err, errlen);
	/* Feishu counts the whole body, escapes and all. */
	*measure = out->len;
	return rc;
}

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	struct feishu	 f;
	struct buf	 body = { 0 };

	(void)raw;
	(void)raw_len;
	memset(req, 0, sizeof(*req));
	memset(&f, 0, sizeof(f));
	f.wh = wh;
	if (wh->secret != NULL && *wh->secret != '\0') {
		/* Seconds, not DingTalk's milliseconds, and its own formula. */
		snprintf(f.ts, sizeof(f.ts), "%lld", now_ms / 1000);
		if (sign_feishu(wh->secret, now_ms / 1000, f.sign, err,
		    errlen) == -1)
			return -1;
	}
	if (fit_render(ctx, FEISHU_BODY_MAX, render, &f, &body,
	    &req->truncated, err, errlen) == -1) {
		buf_free(&body);
		return -1;
	}
	req->url = xstrdup(wh->url);
	request_set_json(req, &body);
	return 0;
}

/*
 * "code" in current replies, only "StatusCode" in older ones.  11232:
 * frequency limited.
 */
static const long retry[] = { 11232 };
static const struct reply_keys keys[] = {
	{ "code", "msg" },
	{ "StatusCode", "StatusMessage" },
};
static const struct reply_rules rules = { keys, 2, retry, 1 };

static void
judge(long status, const char *body, size_t len, struct verdict *v)
{
	reply_judge(status, body, len, &rules, v);
}

const struct robot_ops robot_feishu = { "feishu", build, judge };
