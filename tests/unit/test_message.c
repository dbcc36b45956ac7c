/*
 * Unit tests: message.c, the words of the built-in messages.  For each
 * kind of PGYER event, in each language, the lines a reader sees and in
 * which order; the fallbacks when the event leaves things out; a
 * template's message; the mark that ends a cut text; card helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "inert.h"
#include "message.h"
#include "template.h"
#include "test.h"

static struct event	 ev;

/* An event with the given fields, NULL-terminated name/value pairs. */
static void
make(struct message_ctx *ctx, enum lang lang, const int *fields,
    const char *const *values)
{
	memset(&ev, 0, sizeof(ev));
	for (size_t i = 0; fields[i] != -1; i++)
		ev.field[fields[i]] = (char *)values[i];
	memset(ctx, 0, sizeof(*ctx));
	template_ctx_init(ctx, &ev, "oooplay_test", lang, "Asia/Shanghai");
}

/* The message as plain text, one fact a line. */
static char *
plain(const struct message_ctx *ctx, const char *tpl, enum inert_dialect d)
{
	struct message	 m;
	struct buf	 b = { 0 };

	message_init(&m, ctx, tpl, d);
	message_plain(&b, &m);
	message_free(&m);
	return buf_release(&b);
}

static const int all_fields[] = {
	EV_ACTION, EV_TITLE, EV_LINK, EV_MESSAGE, EV_TYPE, EV_OS_VERSION,
	EV_BUILD_VERSION, EV_CREATED, EV_DEVICE_TYPE, EV_NOTES, EV_APPSIZE, -1
};

static const struct {
	const char	*name;
	enum lang	 lang;
	const char	*values[11];
	const char	*want;
} kinds[] = {
	{ "update, zh", LANG_ZH, { "应用更新", "QQ", "https://www.pgyer.com/"
	    "oooplay_test", "您的应用QQ有了新的版本(0.4.0)更新。",
	    "updateVersion", "0.4.0", "2", "2020-07-15 10:50:54", "iOS",
	    "修复崩溃", "26662364" },
	    "QQ 应用更新\n"
	    "版本：0.4.0 (build 2)\n"
	    "平台：iOS\n"
	    "大小：25.4 MB\n"
	    "时间：2020-07-15 10:50:54\n"
	    "您的应用QQ有了新的版本(0.4.0)更新。\n"
	    "更新说明：修复崩溃\n"
	    "查看应用：https://www.pgyer.com/oooplay_test" },
	{ "update, en, notes of several lines", LANG_EN, { "App update",
	    "QQ", "https://www.pgyer.com/oooplay_test", NULL,
	    "updateVersion", "0.4.0", NULL, NULL, "Android",
	    "1. fix\n2. faster", NULL },
	    "QQ App update\n"
	    "Version: 0.4.0\n"
	    "Platform: Android\n"
	    "Release notes:\n1. fix\n2. faster\n"
	    "View app: https://www.pgyer.com/oooplay_test" },
	{ "feedback: other notes", LANG_ZH, { "新反馈", "QQ", NULL,
	    "用户反馈：闪退", "feedback", NULL, "7", NULL, NULL, "截图见附件",
	    NULL },
	    "QQ 新反馈\n"
	    "版本：build 7\n"
	    "用户反馈：闪退\n"
	    "备注：截图见附件" },
	{ "crash, en, no action: the type", LANG_EN, { NULL, "QQ", NULL,
	    "SIGSEGV in main", "crash", NULL, NULL, NULL, "iOS", NULL, NULL },
	    "QQ crash\n"
	    "Platform: iOS\n"
	    "SIGSEGV in main" },
	{ "no title: the app key; a link that is no web address: shown",
	    LANG_ZH, { "应用更新", NULL, "javascript:alert(1)", NULL,
	    "updateVersion", NULL, NULL, NULL, NULL, NULL, NULL },
	    "oooplay_test 应用更新\n"
	    "查看应用：javascript:alert(1)" },
};

static void
test_kinds(void)
{
	struct message_ctx	 ctx;
	char			*got;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		make(&ctx, kinds[i].lang, all_fields, kinds[i].values);
		got = plain(&ctx, NULL, INERT_PLAIN);
		if (strcmp(got, kinds[i].want) != 0)
			fprintf(stderr, "case: %s\n", kinds[i].name);
		CHECK_STR(got, kinds[i].want);
		free(got);
	}
}

/* The lines a formatter dresses: kinds, labels and the link checked. */
static void
test_lines(void)
{
	struct message_ctx	 ctx;
	struct message		 m;

	make(&ctx, LANG_ZH, all_fields, kinds[0].values);
	message_init(&m, &ctx, NULL, INERT_PLAIN);
	CHECK_INT(m.n_lines, 7);
	CHECK_INT(m.line[0].kind, MSG_INFO);
	CHECK_STR(m.line[0].label, "版本：");
	CHECK_INT(m.line[4].kind, MSG_TEXT);
	CHECK_STR(m.line[4].label, "");
	CHECK_INT(m.line[5].kind, MSG_TEXT);
	CHECK_STR(m.line[5].label, "更新说明：");
	CHECK_INT(m.line[6].kind, MSG_LINK);
	CHECK_STR(m.line[6].value, "https://www.pgyer.com/oooplay_test");
	CHECK_STR(m.link, "https://www.pgyer.com/oooplay_test");
	CHECK_STR(m.link_text, "查看应用");
	CHECK_STR(m.heading, "QQ 应用更新");
	CHECK(m.body == NULL);
	message_free(&m);

	/* Nothing but the type: a heading, no lines, nothing empty. */
	make(&ctx, LANG_EN, (const int[]){ EV_TYPE, -1 },
	    (const char *const[]){ "updateVersion" });
	message_init(&m, &ctx, NULL, INERT_PLAIN);
	CHECK_INT(m.n_lines, 0);
	CHECK_STR(m.heading, "oooplay_test updateVersion");
	CHECK(m.link == NULL);
	message_free(&m);
}

/* Event text is made inert for the dialect it goes to; ours is not. */
static void
test_inert(void)
{
	struct message_ctx	 ctx;
	struct message		 m;

	make(&ctx, LANG_ZH, (const int[]){ EV_TITLE, EV_MESSAGE, -1 },
	    (const char *const[]){ "**QQ**", "[点我](https://evil.example)" });
	message_init(&m, &ctx, NULL, INERT_MARKDOWN);
	CHECK(strstr(m.heading, "**QQ**") == NULL);
	CHECK_STR(m.plain_heading, "**QQ**");
	CHECK_INT(m.n_lines, 1);
	CHECK(strstr(m.line[0].value, "](https://evil.example)") == NULL);
	message_free(&m);
}

/* A template's message; an empty one still says what happened. */
static void
test_template(void)
{
	struct message_ctx	 ctx;
	char			*got;

	make(&ctx, LANG_ZH, all_fields, kinds[0].values);
	got = plain(&ctx, "{title} {os_version}", INERT_PLAIN);
	CHECK_STR(got, "QQ 0.4.0");
	free(got);
	got = plain(&ctx, "", INERT_PLAIN);
	CHECK_STR(got, "QQ 应用更新");
	free(got);
}

static void
test_kind(void)
{
	static const struct {
		const char	*type;
		enum msg_kind	 kind;
	} cases[] = {
		{ "updateVersion", MSG_KIND_UPDATE },
		{ "update_version", MSG_KIND_UPDATE },
		{ "feedback", MSG_KIND_FEEDBACK },
		{ "crash", MSG_KIND_CRASH },
		{ "buildFailed", MSG_KIND_OTHER },
		{ NULL, MSG_KIND_OTHER },
	};
	struct message_ctx	 ctx;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make(&ctx, LANG_ZH, (const int[]){ EV_TYPE, -1 },
		    (const char *const[]){ cases[i].type });
		CHECK_INT(message_kind(&ctx), cases[i].kind);
	}
}

/* The marks and words a reader sees, in each language. */
static void
test_words(void)
{
	CHECK_STR(message_mark(LANG_ZH), "…（内容过长已截断）");
	CHECK_STR(message_mark(LANG_EN), "… (truncated)");
	CHECK_STR(message_button(), "下载 / Download");
	CHECK(message_has("版本：0.4.0 发布", "发布"));
	CHECK(message_has("anything", NULL));
	CHECK(message_has("anything", ""));
	CHECK(!message_has("版本", "发布"));
	CHECK(!message_has(NULL, "发布"));
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

int
main(void)
{
	RUN(test_kinds);
	RUN(test_lines);
	RUN(test_inert);
	RUN(test_template);
	RUN(test_kind);
	RUN(test_words);
	RUN(test_card_helpers);
	return TEST_END();
}
