/*
 * Unit tests: robot.c and the robot formatters, robot_*.c (one table for
 * all four, a row a robot and format).  Golden payloads per robot, format
 * and language at a fixed time, one table row each with its gold file;
 * signatures against known-good vectors (computed by the vendors'
 * documented formulas); keywords; cutting to each robot's own limit.
 * Each robot's reply judge is in test_reply.c, beside reply.c it uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "message.h"
#include "robot.h"
#include "template.h"
#include "utf8.h"
#include "gold.h"
#include "test.h"

/* 2020-07-15 10:50:54 in Asia/Shanghai. */
#define SAMPLE_TS	1594781454LL

/*
 * A real capture of PGYER's update event, with quotes in the title and a
 * backslash, newline, tab and control character in the notes.
 */
static struct event	 ev;
static char		 f_action[] = "应用更新";
static char		 f_title[] = "QQ \"内测\"";
static char		 f_link[] = "https://www.pgyer.com/oooplay_test";
static char		 f_message[] = "您的应用QQ有了新的版本(0.4.0)更新。";
static char		 f_type[] = "updateVersion";
static char		 f_os[] = "0.4.0";
static char		 f_build[] = "2";
static char		 f_created[] = "2020-07-15 10:50:54";
static char		 f_device[] = "iOS";
static char		 f_notes[] = "1. 修复\\崩溃\n2. tab\there\x01";

static void
sample(struct message_ctx *ctx, enum lang lang)
{
	memset(&ev, 0, sizeof(ev));
	ev.field[EV_ACTION] = f_action;
	ev.field[EV_TITLE] = f_title;
	ev.field[EV_LINK] = f_link;
	ev.field[EV_MESSAGE] = f_message;
	ev.field[EV_TYPE] = f_type;
	ev.field[EV_OS_VERSION] = f_os;
	ev.field[EV_BUILD_VERSION] = f_build;
	ev.field[EV_CREATED] = f_created;
	ev.field[EV_DEVICE_TYPE] = f_device;
	ev.field[EV_NOTES] = f_notes;
	ev.timestamp = SAMPLE_TS;
	ev.has_timestamp = 1;
	template_ctx_init(ctx, &ev, "oooplay_test", lang, "Asia/Shanghai");
}

static char	 mobile[] = "13800000000", user[] = "zhangsan",
		 feishu_user[] = "ou_7d8a6e6df7621556ce0d21922b676706ccs";
static char	*mobiles[] = { mobile };
static char	*users[] = { user };
static char	*feishu_users[] = { feishu_user };

static void
webhook(struct webhook *wh, enum robot_type type, const char *url)
{
	memset(wh, 0, sizeof(*wh));
	wh->name = (char *)"test";
	wh->type = type;
	wh->url = (char *)url;
	wh->enabled = 1;
}

#define WECOM_URL	"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
#define DINGTALK_URL	"https://oapi.dingtalk.com/robot/send?access_token=T"
#define FEISHU_URL	"https://open.feishu.cn/open-apis/bot/v2/hook/H"
#define CT_UTF8		"Content-Type: application/json; charset=utf-8"

/* Builds and checks what every request must be: valid UTF-8 JSON. */
static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    long long now_ms, struct request *req)
{
	char		 err[200] = "";
	yajl_val	 tree;
	int		 rc;

	rc = robot_get(wh->type)->build(wh, ctx, "{\"raw\":1}", 9, now_ms,
	    req, err, sizeof(err));
	if (rc == -1) {
		fprintf(stderr, "build: %s\n", err);
		return -1;
	}
	CHECK(req->body != NULL && strlen(req->body) == req->body_len);
	CHECK(utf8_valid(req->body, req->body_len));
	tree = yajl_tree_parse(req->body, err, sizeof(err));
	CHECK(YAJL_IS_OBJECT(tree));
	yajl_tree_free(tree);
	return 0;
}

/* Only an update's notes are called release notes. */
static void
test_notes_label(void)
{
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			 feedback[] = "feedback";

	webhook(&wh, ROBOT_WECOM, WECOM_URL);
	sample(&ctx, LANG_ZH);
	memset(&req, 0, sizeof(req));
	if (build(&wh, &ctx, SAMPLE_TS * 1000, &req) == 0)
		CHECK(strstr(req.body, "更新说明：") != NULL);
	request_free(&req);
	ev.field[EV_TYPE] = feedback;
	if (build(&wh, &ctx, SAMPLE_TS * 1000, &req) == 0) {
		CHECK(strstr(req.body, "更新说明") == NULL);
		CHECK(strstr(req.body, "备注：") != NULL);
	}
	request_free(&req);
	sample(&ctx, LANG_EN);
	ev.field[EV_TYPE] = feedback;
	if (build(&wh, &ctx, SAMPLE_TS * 1000, &req) == 0) {
		CHECK(strstr(req.body, "Release notes") == NULL);
		CHECK(strstr(req.body, "Notes:") != NULL);
	}
	request_free(&req);
}

/*
 * The golden payloads: one case a row, its body in
 * tests/unit/gold/robots/NAME.json (PGYER_GOLD_UPDATE=1 rewrites them).
 * Every case is the sample event at a fixed time.
 */
static const struct golden {
	const char	*name;
	enum robot_type	 type;
	enum msg_format	 format;
	enum lang	 lang;
	const char	*url;		/* NULL: the robot's usual one */
	const char	*secret;
	const char	*keyword;
	const char	*template;
	int		 mobiles, users, at_all;	/* mentions */
	int		 empty_notes;
	long long	 now_ms;
	const char	*want_url;	/* NULL: url as given */
} goldens[] = {
	{ .name = "wecom-markdown-zh", .type = ROBOT_WECOM, .lang = LANG_ZH },
	{ .name = "wecom-markdown-en", .type = ROBOT_WECOM, .lang = LANG_EN },
	/* Mentions switch to text: mobiles only work there. */
	{ .name = "wecom-mentions", .type = ROBOT_WECOM, .lang = LANG_ZH,
	    .keyword = "应用", .mobiles = 1, .users = 1, .at_all = 1 },
	/* Asked for text, no mentions: no lists. */
	{ .name = "wecom-text-en", .type = ROBOT_WECOM,
	    .format = FORMAT_TEXT, .lang = LANG_EN },
	{ .name = "wecom-template", .type = ROBOT_WECOM, .lang = LANG_ZH,
	    .keyword = "蒲公英", .template = "**{title}** {os_version} "
	    "({build_version}) 已发布：[下载]({link})" },
	/* A template that renders empty: robots refuse "", say what it is. */
	{ .name = "wecom-template-empty", .type = ROBOT_WECOM,
	    .lang = LANG_ZH, .template = "{notes}", .empty_notes = 1 },
	/* The known-good vector, URL-encoded. */
	{ .name = "dingtalk-markdown-signed", .type = ROBOT_DINGTALK,
	    .lang = LANG_ZH, .secret = "secret", .keyword = "应用",
	    .mobiles = 1, .now_ms = 1700000000000LL,
	    .want_url = DINGTALK_URL "&timestamp=1700000000000&sign="
	    "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D" },
	{ .name = "dingtalk-markdown-en", .type = ROBOT_DINGTALK,
	    .lang = LANG_EN, .now_ms = 1700000000000LL },
	/* A URL without a query gets "?". */
	{ .name = "dingtalk-text-signed", .type = ROBOT_DINGTALK,
	    .format = FORMAT_TEXT, .lang = LANG_EN,
	    .url = "http://127.0.0.1:8080/robot/send", .secret = "secret123",
	    .users = 1, .at_all = 1, .now_ms = 1700000000000LL,
	    .want_url = "http://127.0.0.1:8080/robot/send?timestamp="
	    "1700000000000&sign=dmKht5wnRNI8D3ORFxZjr58I3IDg5FOcP5dFPicdUYg"
	    "%3D" },
	{ .name = "dingtalk-template", .type = ROBOT_DINGTALK,
	    .lang = LANG_ZH, .template = "### {title} {os_version}\n\n{notes}" },
	/* The known-good vector: seconds, not milliseconds. */
	{ .name = "feishu-post-signed", .type = ROBOT_FEISHU, .lang = LANG_ZH,
	    .secret = "demo", .keyword = "应用", .users = 1, .at_all = 1,
	    .now_ms = 1599360473999LL },
	{ .name = "feishu-post-en", .type = ROBOT_FEISHU, .lang = LANG_EN,
	    .now_ms = 1599360473000LL },
	{ .name = "feishu-text", .type = ROBOT_FEISHU, .format = FORMAT_TEXT,
	    .lang = LANG_ZH, .at_all = 1 },
	/* A template's lines become paragraphs under the usual title. */
	{ .name = "feishu-template", .type = ROBOT_FEISHU, .lang = LANG_EN,
	    .template = "{title} {os_version} is ready\n{link}" },
};

static const char *const usual_url[ROBOT__MAX] = {
	[ROBOT_WECOM] = WECOM_URL,
	[ROBOT_DINGTALK] = DINGTALK_URL,
	[ROBOT_FEISHU] = FEISHU_URL,
};

static void
test_golden(void)
{
	const struct golden	*g;
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			 name[128], empty[] = "";

	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		g = &goldens[i];
		webhook(&wh, g->type, g->url != NULL ? g->url :
		    usual_url[g->type]);
		wh.format = g->format;
		wh.secret = (char *)g->secret;
		wh.keyword = (char *)g->keyword;
		wh.template = (char *)g->template;
		wh.at_all = g->at_all;
		if (g->mobiles) {
			wh.at_mobiles.v = mobiles;
			wh.at_mobiles.n = 1;
		}
		if (g->users) {
			wh.at_user_ids.v = g->type == ROBOT_FEISHU ?
			    feishu_users : users;
			wh.at_user_ids.n = 1;
		}
		sample(&ctx, g->lang);
		if (g->empty_notes)
			ev.field[EV_NOTES] = empty;
		if (build(&wh, &ctx, g->now_ms, &req) == -1) {
			fprintf(stderr, "golden %s: not built\n", g->name);
			CHECK(0);
			continue;
		}
		CHECK_STR(req.url, g->want_url != NULL ? g->want_url : wh.url);
		CHECK_INT(req.n_headers, 1);
		CHECK_STR(req.headers[0], CT_UTF8);
		CHECK_INT(req.truncated, 0);
		snprintf(name, sizeof(name), "robots/%s.json", g->name);
		CHECK(gold_same(name, req.body, req.body_len));
		request_free(&req);
	}
}

static void
test_json(void)
{
	static const char	 body[] = "{\"test\": 2432232314}";
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			 err[200];
	const char		 raw[] = "{\"a\":\"\xff\"}\n";

	/* Byte for byte, even what we would not send ourselves. */
	webhook(&wh, ROBOT_JSON, "https://example.com/hook");
	sample(&ctx, LANG_ZH);
	CHECK_INT(robot_json.build(&wh, &ctx, raw, sizeof(raw) - 1, 0, &req,
	    err, sizeof(err)), 0);
	CHECK_INT(req.body_len, sizeof(raw) - 1);
	CHECK(memcmp(req.body, raw, sizeof(raw) - 1) == 0);
	CHECK_STR(req.url, "https://example.com/hook");
	CHECK_INT(req.n_headers, 1);
	CHECK_STR(req.headers[0], "Content-Type: application/json");
	CHECK_INT(req.truncated, 0);
	request_free(&req);

	/*
	 * Standard Webhooks: the id is "msg_" and the first 16 bytes of
	 * SHA-256 of the body; expected values computed with Python's hmac.
	 */
	wh.secret = (char *)"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
	CHECK_INT(robot_json.build(&wh, &ctx, body, strlen(body),
	    1614265330123LL, &req, err, sizeof(err)), 0);
	CHECK_INT(req.n_headers, 4);
	CHECK_STR(req.headers[0], "Content-Type: application/json");
	CHECK_STR(req.headers[1],
	    "webhook-id: msg_ae858931f67887e8150d6f96c9fe0306");
	CHECK_STR(req.headers[2], "webhook-timestamp: 1614265330");
	CHECK_STR(req.headers[3], "webhook-signature: "
	    "v1,fpLMH9I+Pd5dYYDxCFmhniL1oOrFHHfTM5T3HQOGpIM=");
	CHECK_STR(req.body, body);
	request_free(&req);

	/* Without the prefix the secret's own bytes are the key. */
	wh.secret = (char *)"plain-secret";
	CHECK_INT(robot_json.build(&wh, &ctx, body, strlen(body),
	    1614265330999LL, &req, err, sizeof(err)), 0);
	CHECK_STR(req.headers[3], "webhook-signature: "
	    "v1,1/rfzotROtEhHQg7Pe3kMwCIVsco0DMXE4ar0QWrxps=");
	request_free(&req);

	wh.secret = (char *)"whsec_not*base64";
	CHECK_INT(robot_json.build(&wh, &ctx, body, strlen(body), 0, &req,
	    err, sizeof(err)), -1);
	CHECK_STR(err, "secret: the part after \"whsec_\" is not base64");
	CHECK(req.body == NULL && req.url == NULL && req.n_headers == 0);
}

/* A copy of the string at body's path a.b (c when not NULL), or NULL. */
static char *
get(const char *body, const char *a, const char *b, const char *c)
{
	const char	*path[] = { a, b, c, NULL };
	yajl_val	 tree, v;
	char		*s = NULL;

	if ((tree = yajl_tree_parse(body, NULL, 0)) == NULL)
		return NULL;
	if ((v = yajl_tree_get(tree, path, yajl_t_string)) != NULL)
		s = strdup(v->u.string);
	yajl_tree_free(tree);
	return s;
}

/*
 * The text a robot's keyword check reads: WeCom's content, DingTalk's
 * text, Feishu's title and text values (all of the body but hrefs).
 */
static char *
checked_text(enum robot_type type, const char *body)
{
	char	*s;

	switch (type) {
	case ROBOT_WECOM:
		if ((s = get(body, "markdown", "content", NULL)) == NULL)
			s = get(body, "text", "content", NULL);
		return s;
	case ROBOT_DINGTALK:
		if ((s = get(body, "markdown", "text", NULL)) == NULL)
			s = get(body, "text", "content", NULL);
		return s;
	default:
		s = strdup(body);
		/* Blank out hrefs: the keyword there does not count. */
		for (char *h = s; (h = strstr(h, "\"href\":\"")) != NULL; ) {
			h += 8;
			while (*h != '"')
				*h++ = '#';
		}
		return s;
	}
}

struct variant {
	enum robot_type	 type;
	enum msg_format	 format;
	enum lang	 lang;
};

static const struct variant variants[] = {
	{ ROBOT_WECOM, FORMAT_MARKDOWN, LANG_ZH },
	{ ROBOT_WECOM, FORMAT_TEXT, LANG_EN },
	{ ROBOT_DINGTALK, FORMAT_MARKDOWN, LANG_EN },
	{ ROBOT_DINGTALK, FORMAT_TEXT, LANG_ZH },
	{ ROBOT_FEISHU, FORMAT_MARKDOWN, LANG_ZH },
	{ ROBOT_FEISHU, FORMAT_TEXT, LANG_EN },
};
#define N_VARIANTS	(sizeof(variants) / sizeof(variants[0]))

static void
test_keyword(void)
{
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 plain, req;
	const struct variant	*v;
	char			*t;

	for (size_t i = 0; i < N_VARIANTS; i++) {
		v = &variants[i];
		webhook(&wh, v->type, "https://example.com/robot?x=1");
		wh.format = v->format;
		sample(&ctx, v->lang);
		if (build(&wh, &ctx, 0, &plain) == -1) {
			CHECK(0);
			continue;
		}
		/* Present already (in the title): the body is unchanged. */
		wh.keyword = (char *)"QQ";
		if (build(&wh, &ctx, 0, &req) == 0) {
			CHECK_STR(req.body, plain.body);
			request_free(&req);
		}
		/* Present in the notes: unchanged too. */
		wh.keyword = (char *)"tab";
		if (build(&wh, &ctx, 0, &req) == 0) {
			CHECK_STR(req.body, plain.body);
			request_free(&req);
		}
		/* Missing: added once, where the robot looks. */
		wh.keyword = (char *)"发布通知";
		CHECK_INT(test_count(plain.body, "发布通知"), 0);
		if (build(&wh, &ctx, 0, &req) == 0) {
			t = checked_text(v->type, req.body);
			CHECK(t != NULL && test_count(t, "发布通知") == 1);
			CHECK_INT(test_count(req.body, "发布通知"), 1);
			free(t);
			request_free(&req);
		}
		/* Only in a link's href: Feishu does not count it. */
		wh.keyword = (char *)"pgyer.com/oooplay";
		if (build(&wh, &ctx, 0, &req) == 0) {
			t = checked_text(v->type, req.body);
			CHECK(t != NULL && test_count(t, wh.keyword) == 1);
			free(t);
			request_free(&req);
		}
		request_free(&plain);
	}
}

/* s[0..n) filled with unit repeated, cut at a character boundary. */
static char *
repeat(const char *unit, size_t n)
{
	char	*s = malloc(n + 1);
	size_t	 u = strlen(unit), i;

	for (i = 0; i + u <= n; i += u)
		memcpy(s + i, unit, u);
	s[i] = '\0';
	return s;
}

static size_t
limit_of(const struct variant *v, int mentions)
{
	if (v->type == ROBOT_WECOM)
		return v->format == FORMAT_TEXT || mentions ? 2048 : 4096;
	return 20000;
}

/* What the robot counts: WeCom the content, the others the body. */
static size_t
measure(enum robot_type type, const struct request *req)
{
	char	*t;
	size_t	 n;

	if (type != ROBOT_WECOM)
		return req->body_len;
	t = checked_text(type, req->body);
	n = t != NULL ? strlen(t) : (size_t)-1;
	free(t);
	return n;
}

/*
 * Builds for v with the current event and checks the cut: within the
 * limit and not far under it, valid UTF-8, the mark shown, the keyword,
 * mentions and link kept.
 */
static void
check_cut(const struct variant *v, const struct message_ctx *ctx,
    int mentions, int link, size_t slack)
{
	struct webhook	 wh;
	struct request	 req;
	const char	*mark;
	char		*t;
	size_t		 limit = limit_of(v, mentions), m;

	webhook(&wh, v->type, "https://example.com/robot");
	wh.format = v->format;
	wh.keyword = (char *)"关键词";
	if (mentions) {
		wh.at_all = 1;
		wh.at_mobiles.v = mobiles;
		wh.at_mobiles.n = 1;
		wh.at_user_ids.v = feishu_users;
		wh.at_user_ids.n = 1;
	}
	if (build(&wh, ctx, 0, &req) == -1) {
		CHECK(0);
		return;
	}
	m = measure(v->type, &req);
	if (m > limit || m + slack < limit)
		fprintf(stderr, "robot %d format %d: %zu bytes, limit %zu\n",
		    v->type, v->format, m, limit);
	CHECK(m <= limit);
	CHECK(m + slack >= limit);
	CHECK_INT(req.truncated, 1);
	CHECK(utf8_valid(req.body, req.body_len));
	t = checked_text(v->type, req.body);
	CHECK(t != NULL);
	if (t == NULL)
		goto out;
	CHECK(utf8_valid(t, strlen(t)));
	mark = ctx->lang == LANG_ZH ? "…（内容过长已截断）" : "… (truncated)";
	CHECK(strstr(t, mark) != NULL);
	CHECK(strstr(t, "关键词") != NULL);
	if (link)
		CHECK(strstr(req.body, f_link) != NULL);
	if (mentions && v->type == ROBOT_WECOM) {
		CHECK(strstr(req.body, "\"mentioned_mobile_list\":"
		    "[\"13800000000\"]") != NULL);
		CHECK(strstr(req.body, "\"@all\"") != NULL);
	}
	if (mentions && v->type == ROBOT_DINGTALK) {
		CHECK(strstr(t, "@13800000000") != NULL);
		CHECK(strstr(req.body, "\"isAtAll\":true") != NULL);
	}
	if (mentions && v->type == ROBOT_FEISHU)
		CHECK(strstr(req.body, v->format == FORMAT_TEXT ?
		    "<at user_id=\\\"all\\\">" : "\"user_id\":\"all\"") !=
		    NULL);
	free(t);
out:
	request_free(&req);
}

static void
test_cut_chinese(void)
{
	struct message_ctx	 ctx;
	char			*notes, *message;

	/* Long Chinese notes and message, control characters to escape. */
	notes = repeat("修复\x01\x02", EVENT_FIELD_MAX - 2);
	message = repeat("新版本", EVENT_FIELD_MAX - 2);
	for (size_t i = 0; i < N_VARIANTS; i++) {
		for (int mentions = 0; mentions < 2; mentions++) {
			sample(&ctx, variants[i].lang);
			ev.field[EV_NOTES] = notes;
			ev.field[EV_MESSAGE] = message;
			check_cut(&variants[i], &ctx, mentions, 1, 64);
		}
	}
	free(notes);
	free(message);
}

static void
test_cut_escapes(void)
{
	struct message_ctx	 ctx;
	char			*notes;

	/* Each control character grows sixfold in JSON: \u0001. */
	notes = repeat("\x01", EVENT_FIELD_MAX - 1);
	for (size_t i = 0; i < N_VARIANTS; i++) {
		sample(&ctx, variants[i].lang);
		ev.field[EV_NOTES] = notes;
		ev.field[EV_MESSAGE] = notes;
		ev.field[EV_TITLE] = notes;
		check_cut(&variants[i], &ctx, 1, 1, 64);
	}
	free(notes);
}

static void
test_cut_everything(void)
{
	struct message_ctx	 ctx;
	char			*big;

	/*
	 * Every field at its longest, the link too: the link goes last
	 * (WeCom cannot hold it at all), keyword and mentions stay.
	 */
	big = repeat("链\"", EVENT_FIELD_MAX - 1);
	for (size_t i = 0; i < N_VARIANTS; i++) {
		sample(&ctx, variants[i].lang);
		for (int f = 0; f < EV__MAX; f++)
			ev.field[f] = big;
		check_cut(&variants[i], &ctx, 1, 0, 200);
	}
	free(big);
}

static void
test_cut_keyword_kept(void)
{
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			*notes, *t;

	/* The keyword was only in the part cut away: it comes back. */
	notes = malloc(6000 + sizeof("关键词"));
	memset(notes, 'x', 6000);
	memcpy(notes + 6000, "关键词", sizeof("关键词"));
	webhook(&wh, ROBOT_WECOM, WECOM_URL);
	wh.keyword = (char *)"关键词";
	sample(&ctx, LANG_ZH);
	ev.field[EV_NOTES] = notes;
	if (build(&wh, &ctx, 0, &req) == 0) {
		t = checked_text(ROBOT_WECOM, req.body);
		CHECK(t != NULL && strlen(t) <= 4096);
		CHECK(t != NULL && test_count(t, "关键词") == 1);
		CHECK(t != NULL && strstr(t, "…（内容过长已截断）") != NULL);
		free(t);
		request_free(&req);
	} else
		CHECK(0);
	free(notes);
}

static void
test_cannot_fit(void)
{
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			 err[200];
	char			*kw;

	/* Nothing we may cut makes a 3000-byte keyword fit 2048 bytes. */
	kw = repeat("关", 3000);
	webhook(&wh, ROBOT_WECOM, WECOM_URL);
	wh.format = FORMAT_TEXT;
	wh.keyword = kw;
	sample(&ctx, LANG_ZH);
	CHECK_INT(robot_wecom.build(&wh, &ctx, NULL, 0, 0, &req, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "the message does not fit in 2048 bytes even with "
	    "every field cut: keyword, mentions or template too long");
	CHECK(req.body == NULL && req.url == NULL);
	free(kw);

	/* A config string that is not UTF-8 is refused, not sent. */
	wh.keyword = (char *)"\xff";
	CHECK_INT(robot_wecom.build(&wh, &ctx, NULL, 0, 0, &req, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "a text is not valid UTF-8");
	wh.keyword = NULL;
	webhook(&wh, ROBOT_DINGTALK, DINGTALK_URL);
	wh.at_mobiles.v = (char *[]){ (char *)"138\xff" };
	wh.at_mobiles.n = 1;
	CHECK_INT(robot_dingtalk.build(&wh, &ctx, NULL, 0, 0, &req, err,
	    sizeof(err)), -1);
	CHECK(req.body == NULL && req.url == NULL);
}

/* A card needs a link, WeCom mentions need text: else no card. */
static void
test_card_fallbacks(void)
{
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;

	sample(&ctx, LANG_ZH);
	webhook(&wh, ROBOT_WECOM, WECOM_URL);
	wh.format = FORMAT_CARD;
	wh.at_user_ids.v = users;
	wh.at_user_ids.n = 1;
	if (build(&wh, &ctx, 0, &req) == 0) {
		CHECK(strstr(req.body, "\"msgtype\":\"text\"") != NULL);
		request_free(&req);
	}
	wh.at_user_ids.n = 0;
	ev.field[EV_LINK] = NULL;
	if (build(&wh, &ctx, 0, &req) == 0) {
		CHECK(strstr(req.body, "\"msgtype\":\"markdown\"") != NULL);
		request_free(&req);
	}
	webhook(&wh, ROBOT_DINGTALK, DINGTALK_URL);
	wh.format = FORMAT_CARD;
	if (build(&wh, &ctx, 0, &req) == 0) {
		CHECK(strstr(req.body, "\"msgtype\":\"markdown\"") != NULL);
		request_free(&req);
	}
	/* Feishu's card still goes, without a button. */
	webhook(&wh, ROBOT_FEISHU, FEISHU_URL);
	wh.format = FORMAT_CARD;
	if (build(&wh, &ctx, 0, &req) == 0) {
		CHECK(strstr(req.body, "\"interactive\"") != NULL);
		CHECK(strstr(req.body, "\"button\"") == NULL);
		request_free(&req);
	}
}

int
main(void)
{
	RUN(test_golden);
	RUN(test_notes_label);
	RUN(test_json);
	RUN(test_keyword);
	RUN(test_cut_chinese);
	RUN(test_cut_escapes);
	RUN(test_cut_everything);
	RUN(test_cut_keyword_kept);
	RUN(test_cannot_fit);
	RUN(test_card_fallbacks);
	return TEST_END();
}
