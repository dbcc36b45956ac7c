/*
 * Unit tests: event text made inert (inert.c) and the golden payloads of
 * every robot and format for the PGYER events in tests/unit/gold/.  Each
 * case is an event as PGYER sends it (NAME.event.json), read by the
 * event parser, and each robot's body for it is NAME.ROBOT-FORMAT.json.
 * PGYER_GOLD_UPDATE=1 writes the gold files instead of comparing (then
 * read the diff before committing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "inert.h"
#include "robot.h"
#include "template.h"
#include "utf8.h"
#include "gold.h"
#include "test.h"

#define ZWSP	"\u200b"

static void
test_dialects(void)
{
	static const struct {
		enum inert_dialect	 d;
		const char		*in, *want;
	} cases[] = {
		/* Plain: only control characters change. */
		{ INERT_PLAIN, "**a** [b](https://x) <@all> # c",
		    "**a** [b](https:" ZWSP "//x) <@all> # c" },
		{ INERT_PLAIN, "a\r\nb\rc\td\x01\x7f", "a\nb\nc\td\ufffd\ufffd" },
		{ INERT_PLAIN, "\u202eabc\u2066\xc2\x85\u2028",
		    "\ufffdabc\ufffd\ufffd\ufffd" },
		/* Text: tags and mentions break after "<". */
		{ INERT_TEXT, "<@zhangsan> <at user_id=\"all\">x</at> @all",
		    "<" ZWSP "@zhangsan> <" ZWSP "at user_id=\"all\">x<" ZWSP
		    "/at> @all" },
		{ INERT_TEXT, "[a](b) **c** http://x", "[a](b) **c** http:" ZWSP
		    "//x" },
		/* Markdown: links, tags, emphasis, code, line starts. */
		{ INERT_MARKDOWN, "[点此](https://evil.example)",
		    ZWSP "[点此]" ZWSP "(https:" ZWSP "//evil.example)" },
		{ INERT_MARKDOWN, "x ![i](u) <font color=\"info\">y</font>",
		    "x ![i]" ZWSP "(u) <" ZWSP "font color=\"info\">y<" ZWSP
		    "/font>" },
		{ INERT_MARKDOWN, "QQ_beta *internal* **b** `c`",
		    "QQ_beta \u2217internal\u2217 \u2217\u2217b\u2217\u2217 "
		    "\u02cbc\u02cb" },
		{ INERT_MARKDOWN, "# h\n> q\n- l\n+ l\n1. o\n12) o\n    code\n"
		    "---\n|a|b|\n[r]: u",
		    ZWSP "# h\n" ZWSP "> q\n" ZWSP "- l\n" ZWSP "+ l\n" ZWSP
		    "1. o\n" ZWSP "12) o\n" ZWSP "    code\n" ZWSP "---\n" ZWSP
		    "|a|b|\n" ZWSP "[r]: u" },
		/* Numbers that are no list stay as they are. */
		{ INERT_MARKDOWN, "0.4.0\n2020-07-15\n1.\n3.5",
		    "0.4.0\n2020-07-15\n" ZWSP "1.\n3.5" },
		{ INERT_MARKDOWN, "a\r\n# b", "a\n" ZWSP "# b" },
		{ INERT_MARKDOWN, "中文 @all", "中文 @all" },
		{ INERT_MARKDOWN, "", "" },
	};
	char	*s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = inert_dup(cases[i].d, cases[i].in);
		CHECK_STR(s, cases[i].want);
		CHECK(utf8_valid(s, strlen(s)));
		free(s);
	}
}

static void
test_link(void)
{
	static const struct {
		const char	*in, *want;	/* want NULL: not a link */
	} cases[] = {
		{ "https://www.pgyer.com/oooplay_test",
		    "https://www.pgyer.com/oooplay_test" },
		{ "HTTP://www.pgyer.com/a?b=c#d", "HTTP://www.pgyer.com/a?b=c#d" },
		{ "https://x.example/a)b(c<d>[e]\"f'g`h",
		    "https://x.example/a%29b%28c%3Cd%3E%5Be%5D%22f%27g%60h" },
		{ "https://x.example/中", "https://x.example/%E4%B8%AD" },
		{ "javascript:alert(1)", NULL },
		{ "www.pgyer.com/a", NULL },
		{ "https://", NULL },
		{ "https:///a", NULL },
		{ "https://a b", NULL },
		{ "https://a\nb", NULL },
		{ "https://www.pgyer.com@evil.example/", NULL },
		{ "ftp://x.example/", NULL },
		{ "", NULL },
	};
	char	*s;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = inert_link(cases[i].in);
		CHECK_STR(s, cases[i].want);
		free(s);
	}
	CHECK(inert_link(NULL) == NULL);
}

/* The events, each NAME.event.json. */
static const char *const events[] = {
	"pgyer-ios", "pgyer-android", "pgyer-feedback", "pgyer-crash",
	"hostile", "long-notes", "ts-ms",
	"ts-string", "ts-empty", "bad-link",
};

static char	 mobile[] = "13800000000", user[] = "zhangsan";
static char	*mobiles[] = { mobile };
static char	*users[] = { user };

/* The webhooks, each named ROBOT-FORMAT in the gold files. */
static const struct {
	const char	*name;
	enum robot_type	 type;
	enum msg_format	 format;
	const char	*url;
	const char	*keyword;
	int		 mention;	/* mentions configured */
	/* Where the robot reads syntax, and how much of it. */
	const char	*path[3];
	int		 markdown;
	const char	*alt[3];	/* path when it is not there */
	const char	*secret;
} hooks[] = {
	{ "wecom-markdown", ROBOT_WECOM, FORMAT_MARKDOWN,
	    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", NULL, 0,
	    { "markdown", "content", NULL }, 1,
	    { NULL }, NULL },
	{ "wecom-text", ROBOT_WECOM, FORMAT_TEXT,
	    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", NULL, 1,
	    { "text", "content", NULL }, 0,
	    { NULL }, NULL },
	{ "dingtalk-markdown", ROBOT_DINGTALK, FORMAT_MARKDOWN,
	    "https://oapi.dingtalk.com/robot/send?access_token=T", "应用", 1,
	    { "markdown", "text", NULL }, 1,
	    { NULL }, NULL },
	{ "dingtalk-text", ROBOT_DINGTALK, FORMAT_TEXT,
	    "https://oapi.dingtalk.com/robot/send?access_token=T", "应用", 0,
	    { "text", "content", NULL }, 0,
	    { NULL }, NULL },
	/* Post "text" elements are literal: nothing there acts. */
	{ "feishu-post", ROBOT_FEISHU, FORMAT_MARKDOWN,
	    "https://open.feishu.cn/open-apis/bot/v2/hook/H", "应用", 1,
	    { NULL }, 0,
	    { NULL }, NULL },
	{ "feishu-text", ROBOT_FEISHU, FORMAT_TEXT,
	    "https://open.feishu.cn/open-apis/bot/v2/hook/H", NULL, 0,
	    { "content", "text", NULL }, 0,
	    { NULL }, NULL },
	/* Cards: WeCom's fields and Feishu's plain_text show text as is. */
	{ "wecom-card", ROBOT_WECOM, FORMAT_CARD,
	    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", NULL, 0,
	    { NULL }, 0, { NULL }, NULL },
	/* Without a link, no card: markdown. */
	{ "dingtalk-card", ROBOT_DINGTALK, FORMAT_CARD,
	    "https://oapi.dingtalk.com/robot/send?access_token=T", "应用", 0,
	    { "actionCard", "text", NULL }, 1, { "markdown", "text", NULL },
	    "secret" },
	{ "feishu-card", ROBOT_FEISHU, FORMAT_CARD,
	    "https://open.feishu.cn/open-apis/bot/v2/hook/H", "应用", 1,
	    { NULL }, 0, { NULL }, "demo" },
};

/* What the hostile event would do if it acted: in text, tags... */
static const char *const acting_text[] = {
	"<@", "<font", "<at user_id=\"all\">所有人", NULL
};
/* ... in markdown, also links, emphasis, code and blocks. */
static const char *const acting_markdown[] = {
	"<@", "<font", "<at user_id=\"all\">所有人", "](https://evil",
	"**粗体", "`code`", "\n# ", "\n> 引用", "\n- 列表", "\n1. 第一",
	"\n[a]: ", "\n---", "\n    缩进", "QQ_beta *", NULL
};

/* Fails when the text the robot reads as syntax holds what would act. */
static void
check_inert(const char *ev_name, size_t h, yajl_val tree)
{
	const char *const	*a;
	const char		*text, *path[3];

	if (hooks[h].path[0] == NULL)
		return;
	memcpy(path, hooks[h].path, sizeof(path));
	text = YAJL_GET_STRING(yajl_tree_get(tree, path, yajl_t_string));
	if (text == NULL && hooks[h].alt[0] != NULL) {
		memcpy(path, hooks[h].alt, sizeof(path));
		text = YAJL_GET_STRING(yajl_tree_get(tree, path,
		    yajl_t_string));
	}
	if (text == NULL) {
		fprintf(stderr, "%s %s: no %s\n", ev_name, hooks[h].name,
		    hooks[h].path[0]);
		CHECK(0);
		return;
	}
	for (a = hooks[h].markdown ? acting_markdown : acting_text;
	    *a != NULL; a++)
		if (strstr(text, *a) != NULL) {
			fprintf(stderr, "%s %s: holds %s\n", ev_name,
			    hooks[h].name, *a);
			CHECK(0);
		}
	/* No robot shows a control character but tab and newline. */
	for (; *text != '\0'; text++)
		CHECK((unsigned char)*text >= 0x20 || *text == '\t' ||
		    *text == '\n');
}

static void
test_golden(void)
{
	struct buf		 raw = { 0 };
	struct event		 ev;
	struct message_ctx	 ctx;
	struct webhook		 wh;
	struct request		 req;
	char			 name[256], err[200];
	yajl_val		 tree;

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		buf_reset(&raw);
		snprintf(name, sizeof(name), "%s.event.json", events[i]);
		if (gold_read(name, &raw) == -1) {
			fprintf(stderr, "gold/%s: cannot read\n", name);
			CHECK(0);
			continue;
		}
		memset(&ev, 0, sizeof(ev));
		if (event_parse(&ev, raw.data, raw.len, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "gold/%s: %s\n", name, err);
			CHECK(0);
			continue;
		}
		template_ctx_init(&ctx, &ev, "oooplay_test", LANG_ZH,
		    "Asia/Shanghai");
		for (size_t h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++) {
			memset(&wh, 0, sizeof(wh));
			wh.name = (char *)"test";
			wh.type = hooks[h].type;
			wh.format = hooks[h].format;
			wh.url = (char *)hooks[h].url;
			wh.keyword = (char *)hooks[h].keyword;
			wh.secret = (char *)hooks[h].secret;
			wh.enabled = 1;
			if (hooks[h].mention) {
				wh.at_mobiles.v = mobiles;
				wh.at_mobiles.n = hooks[h].type ==
				    ROBOT_FEISHU ? 0 : 1;
				wh.at_user_ids.v = users;
				wh.at_user_ids.n = 1;
			}
			if (robot_get(wh.type)->build(&wh, &ctx, raw.data,
			    raw.len, 1700000000000LL, &req, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "%s %s: %s\n", events[i],
				    hooks[h].name, err);
				CHECK(0);
				continue;
			}
			/* What every robot needs: UTF-8 JSON, an object. */
			CHECK(utf8_valid(req.body, req.body_len));
			tree = yajl_tree_parse(req.body, err, sizeof(err));
			CHECK(YAJL_IS_OBJECT(tree));
			check_inert(events[i], h, tree);
			yajl_tree_free(tree);
			CHECK(strstr(req.body, "\\u00") == NULL);
			/* No web address of the event's text can be linked. */
			CHECK(strstr(req.body, "://evil") == NULL);
			/* The link is kept, whole; a cut is marked. */
			if (strstr(events[i], "link") == NULL)
				CHECK(strstr(req.body,
				    "https://www.pgyer.com/") != NULL);
			CHECK(req.truncated == (strstr(req.body,
			    "内容过长已截断") != NULL ||
			    strstr(req.body, "…\"") != NULL));
			snprintf(name, sizeof(name), "%s.%s.json", events[i],
			    hooks[h].name);
			CHECK(gold_same(name, req.body, req.body_len));
			request_free(&req);
		}
		event_free(&ev);
	}
	buf_free(&raw);
}

int
main(void)
{
	RUN(test_dialects);
	RUN(test_link);
	RUN(test_golden);
	return TEST_END();
}
