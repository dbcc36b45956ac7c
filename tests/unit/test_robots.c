/*
 * Unit tests: the robot formatters (robot_*.c with message.c, fit.c,
 * jsongen.c) and reply judging (reply.c).  Golden payloads per robot,
 * format and language at a fixed time, one table row each with its gold
 * file; signatures against known-good vectors (computed by the vendors'
 * documented formulas); keywords; cutting to each robot's limit; every
 * verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "deliver.h"
#include "event.h"
#include "message.h"
#include "reply.h"
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

/* Number of times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
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
		CHECK_INT(count(plain.body, "发布通知"), 0);
		if (build(&wh, &ctx, 0, &req) == 0) {
			t = checked_text(v->type, req.body);
			CHECK(t != NULL && count(t, "发布通知") == 1);
			CHECK_INT(count(req.body, "发布通知"), 1);
			free(t);
			request_free(&req);
		}
		/* Only in a link's href: Feishu does not count it. */
		wh.keyword = (char *)"pgyer.com/oooplay";
		if (build(&wh, &ctx, 0, &req) == 0) {
			t = checked_text(v->type, req.body);
			CHECK(t != NULL && count(t, wh.keyword) == 1);
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
		CHECK(t != NULL && count(t, "关键词") == 1);
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

struct judge_case {
	const struct robot_ops	*ops;
	long			 status;
	const char		*body;
	int			 ok;
	int			 retryable;
	long			 errcode;
	const char		*errmsg;
};

static const struct judge_case judge_cases[] = {
	/* WeCom: HTTP 200 even on error; errcode 0 is delivered. */
	{ &robot_wecom, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", 1, 0, 0, "" },
	{ &robot_wecom, 200, "{\"errcode\":45009,\"errmsg\":"
	    "\"api freq out of limit\"}", 0, 1, 45009,
	    "errcode 45009: api freq out of limit" },
	{ &robot_wecom, 200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}",
	    0, 1, -1, "errcode -1: system busy" },
	{ &robot_wecom, 200, "{\"errcode\":93000,\"errmsg\":"
	    "\"invalid webhook url\"}", 0, 0, 93000,
	    "errcode 93000: invalid webhook url" },
	{ &robot_wecom, 200, "{\"errcode\":40058,\"errmsg\":"
	    "\"markdown.content exceed max length 4096\"}", 0, 0, 40058,
	    "errcode 40058: markdown.content exceed max length 4096" },
	{ &robot_wecom, 500, "<html>oops</html>", 0, 1, 0, "HTTP 500" },
	{ &robot_wecom, 429, "", 0, 1, 0, "HTTP 429" },
	{ &robot_wecom, 404, "not found", 0, 0, 0, "HTTP 404" },
	{ &robot_wecom, 200, "<html>proxy</html>", 0, 1, 0,
	    "reply is not JSON" },
	{ &robot_wecom, 200, "", 0, 1, 0, "reply is not JSON" },
	{ &robot_wecom, 200, "[0]", 0, 1, 0, "reply is not JSON" },
	{ &robot_wecom, 200, "{\"ok\":true}", 0, 1, 0,
	    "reply has no errcode" },
	{ &robot_wecom, 200, "{\"errcode\":\"0\"}", 0, 1, 0,
	    "reply has no errcode" },
	{ &robot_wecom, 0, NULL, 0, 1, 0, "no HTTP reply" },

	/* DingTalk. */
	{ &robot_dingtalk, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", 1, 0, 0,
	    "" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"keywords not in content\"}", 0, 0, 310000,
	    "errcode 310000: keywords not in content" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"sign not match\"}", 0, 0, 310000,
	    "errcode 310000: sign not match" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"ip 1.2.3.4 not in whitelist\"}", 0, 0, 310000,
	    "errcode 310000: ip 1.2.3.4 not in whitelist" },
	{ &robot_dingtalk, 200, "{\"errcode\":130101,\"errmsg\":"
	    "\"send too fast\"}", 0, 1, 130101,
	    "errcode 130101: send too fast" },
	{ &robot_dingtalk, 200, "{\"errcode\":-1,\"errmsg\":\"busy\"}", 0, 1,
	    -1, "errcode -1: busy" },
	{ &robot_dingtalk, 200, "{\"errcode\":300001,\"errmsg\":"
	    "\"token is not exist\"}", 0, 0, 300001,
	    "errcode 300001: token is not exist" },
	{ &robot_dingtalk, 200, "{\"errcode\":460101,\"errmsg\":"
	    "\"message too long\"}", 0, 0, 460101,
	    "errcode 460101: message too long" },
	{ &robot_dingtalk, 503, "{\"errcode\":-1,\"errmsg\":\"busy\"}", 0, 1,
	    -1, "HTTP 503, errcode -1: busy" },
	{ &robot_dingtalk, 200, "{\"errcode\":7}", 0, 0, 7, "errcode 7" },
	/* Control characters escaped (log_escape()), the message made
	 * printable; a bidi override too. */
	{ &robot_dingtalk, 200, "{\"errcode\":1,\"errmsg\":"
	    "\"a\\tb\\nc\\u001bd\\u007fe\\u0085f 应\\u202e\"}", 0, 0, 1,
	    "errcode 1: a\\x09b\\x0ac\\x1bd\\x7fe\\u0085f 应\\u202e" },
	/* yajl_tree keeps strings NUL-terminated: \u0000 ends one. */
	{ &robot_dingtalk, 200, "{\"errcode\":1,\"errmsg\":"
	    "\"a\\u0000b\"}", 0, 0, 1, "errcode 1: a" },

	/* Feishu: "code" when present, else "StatusCode". */
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"StatusMessage\":"
	    "\"success\",\"code\":0,\"data\":{},\"msg\":\"success\"}", 1, 0, 0,
	    "" },
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"StatusMessage\":"
	    "\"success\"}", 1, 0, 0, "" },
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"code\":19024,"
	    "\"msg\":\"Key Words Not Found\"}", 0, 0, 19024,
	    "errcode 19024: Key Words Not Found" },
	{ &robot_feishu, 200, "{\"code\":19021,\"data\":{},\"msg\":\"sign "
	    "match fail or timestamp is not within one hour from current "
	    "time\"}", 0, 0, 19021, "errcode 19021: sign match fail or "
	    "timestamp is not within one hour from current time" },
	{ &robot_feishu, 200, "{\"code\":19022,\"msg\":\"Ip Not Allowed\"}",
	    0, 0, 19022, "errcode 19022: Ip Not Allowed" },
	{ &robot_feishu, 200, "{\"code\":11232,\"msg\":\"frequency "
	    "limited\"}", 0, 1, 11232, "errcode 11232: frequency limited" },
	{ &robot_feishu, 200, "{\"code\":19001,\"msg\":\"param invalid: "
	    "incoming webhook access token invalid\"}", 0, 0, 19001,
	    "errcode 19001: param invalid: incoming webhook access token "
	    "invalid" },
	{ &robot_feishu, 400, "{\"code\":9499,\"msg\":\"Bad Request\"}", 0,
	    0, 9499, "HTTP 400, errcode 9499: Bad Request" },
	{ &robot_feishu, 200, "{\"msg\":\"success\"}", 0, 1, 0,
	    "reply has no code" },
	{ &robot_feishu, 502, "Bad Gateway", 0, 1, 0, "HTTP 502" },

	/* Any other service: its status alone. */
	{ &robot_json, 200, "whatever", 1, 0, 0, "" },
	{ &robot_json, 204, NULL, 1, 0, 0, "" },
	{ &robot_json, 200, "{\"errcode\":1}", 1, 0, 0, "" },
	{ &robot_json, 400, "{}", 0, 0, 0, "HTTP 400" },
	{ &robot_json, 500, "", 0, 1, 0, "HTTP 500" },
	{ &robot_json, 429, "", 0, 1, 0, "HTTP 429" },
	{ &robot_json, 301, "", 0, 0, 0, "HTTP 301" },
};

static void
test_judge(void)
{
	const struct judge_case	*c;
	struct verdict		 v;

	for (size_t i = 0; i < sizeof(judge_cases) / sizeof(judge_cases[0]);
	    i++) {
		c = &judge_cases[i];
		memset(&v, 0x55, sizeof(v));
		c->ops->judge(c->status, c->body, c->body != NULL ?
		    strlen(c->body) : 0, &v);
		if (v.ok != c->ok || v.retryable != c->retryable ||
		    v.errcode != c->errcode || strcmp(v.errmsg, c->errmsg))
			fprintf(stderr, "judge case %zu (%s %ld %s):\n", i,
			    c->ops->name, c->status, c->body);
		CHECK_INT(v.ok, c->ok);
		CHECK_INT(v.retryable, c->retryable);
		CHECK_INT(v.errcode, c->errcode);
		CHECK_STR(v.errmsg, c->errmsg);
	}
}

static void
test_judge_bounds(void)
{
	struct verdict	 v;
	struct buf	 b = { 0 };

	/* A long message: cut to fit, on a character boundary. */
	buf_puts(&b, "{\"errcode\":310000,\"errmsg\":\"");
	for (int i = 0; i < 200; i++)
		buf_puts(&b, "关键词");
	buf_puts(&b, "\"}");
	robot_dingtalk.judge(200, b.data, b.len, &v);
	CHECK_INT(v.errcode, 310000);
	CHECK(strncmp(v.errmsg, "errcode 310000: 关键词", 25) == 0);
	CHECK(strlen(v.errmsg) < sizeof(v.errmsg));
	CHECK(strlen(v.errmsg) >= sizeof(v.errmsg) - 4);
	CHECK(utf8_valid(v.errmsg, strlen(v.errmsg)));

	/* The body is not NUL-terminated: only len bytes are read. */
	robot_wecom.judge(200, "{\"errcode\":0}garbage", 13, &v);
	CHECK_INT(v.ok, 1);

	/* Over the cap is not read at all. */
	buf_reset(&b);
	buf_puts(&b, "{\"errcode\":0,\"pad\":\"");
	while (b.len < DELIVER_REPLY_MAX)
		buf_puts(&b, "xxxxxxxxxxxxxxxx");
	buf_puts(&b, "\"}");
	robot_wecom.judge(200, b.data, b.len, &v);
	CHECK_INT(v.ok, 0);
	CHECK_STR(v.errmsg, "reply is not JSON");
	buf_free(&b);

	/* Invalid UTF-8 in a reply: not JSON to yajl. */
	robot_wecom.judge(200, "{\"errcode\":1,\"errmsg\":\"\xff\"}", 25, &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 1);
}

/* The card helpers: cuts by characters with a mark, keys of labels. */
static void
test_card_helpers(void)
{
	static const struct {
		const char	*in;
		size_t		 max;
		const char	*want;
		int		 cut;
	} cases[] = {
		{ "abc", 3, "abc", 0 },
		{ "abcd", 3, "ab…", 1 },
		{ "应用更新说明", 6, "应用更新说明", 0 },
		{ "应用更新说明", 5, "应用更新…", 1 },
		{ "😀😀😀", 2, "😀…", 1 },
		{ "", 5, "", 0 },
	};
	struct buf	 b = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		CHECK_INT(message_cut_chars(&b, cases[i].in, cases[i].max),
		    cases[i].cut);
		CHECK_STR(b.data != NULL ? b.data : "", cases[i].want);
	}
	buf_reset(&b);
	message_key(&b, "版本：");
	CHECK_STR(b.data, "版本");
	buf_reset(&b);
	message_key(&b, "Version: ");
	CHECK_STR(b.data, "Version");
	buf_free(&b);
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
	RUN(test_card_helpers);
	RUN(test_card_fallbacks);
	RUN(test_judge);
	RUN(test_judge_bounds);
	return TEST_END();
}
