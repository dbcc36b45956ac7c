/* Unit tests: template context, checking and rendering. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "template.h"
#include "test.h"

/* A real capture of PGYER's update event, notes with a newline. */
static void
sample(struct event *ev)
{
	static char action[] = "应用更新", title[] = "QQ",
	    link[] = "https://www.pgyer.com/oooplay_test",
	    message[] = "您的应用QQ有了新的版本(0.4.0)更新。",
	    type[] = "updateVersion", os[] = "0.4.0", build[] = "2",
	    created[] = "2020-07-15 10:50:54", appsize[] = "26662364",
	    device[] = "iOS", notes[] = "修复\"崩溃\"\n新增{功能}";

	memset(ev, 0, sizeof(*ev));
	ev->field[EV_ACTION] = action;
	ev->field[EV_TITLE] = title;
	ev->field[EV_LINK] = link;
	ev->field[EV_MESSAGE] = message;
	ev->field[EV_TYPE] = type;
	ev->field[EV_OS_VERSION] = os;
	ev->field[EV_BUILD_VERSION] = build;
	ev->field[EV_CREATED] = created;
	ev->field[EV_UPDATED] = created;
	ev->field[EV_APPSIZE] = appsize;
	ev->field[EV_DEVICE_TYPE] = device;
	ev->field[EV_NOTES] = notes;
	ev->timestamp = 1594781454;
	ev->has_timestamp = 1;
}

static void
test_time(void)
{
	struct message_ctx	 ctx;
	struct event		 ev;

	sample(&ev);
	/* PGYER's own "created" first: it is what PGYER shows. */
	template_ctx_init(&ctx, &ev, "oooplay_test", LANG_EN, "UTC");
	CHECK_STR(ctx.time, "2020-07-15 10:50:54");
	CHECK(ctx.ev == &ev);
	CHECK_STR(ctx.app, "oooplay_test");
	CHECK_INT(ctx.lang, LANG_EN);
	/* Then "updated". */
	ev.field[EV_CREATED] = NULL;
	ev.field[EV_UPDATED] = (char *)"2020-07-15 10:51:00";
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "2020-07-15 10:51:00");
	/* Too long to show whole: not shown cut, the timestamp instead. */
	ev.field[EV_UPDATED] = (char *)"0123456789012345678901234567890123456"
	    "789012345678901234567890123456789";
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "2020-07-15 02:50:54");

	/* Else the timestamp in the zone; 1594781454 is 02:50:54 UTC. */
	ev.field[EV_UPDATED] = NULL;
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "Asia/Shanghai");
	CHECK_STR(ctx.time, "2020-07-15 10:50:54");
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "America/New_York");
	CHECK_STR(ctx.time, "2020-07-14 22:50:54");
	/* TZ is set once and left: no setenv() per message. */
	CHECK_STR(getenv("TZ"), "America/New_York");
	setenv("TZ", "Marker", 1);
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "America/New_York");
	CHECK_STR(getenv("TZ"), "Marker");
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "Asia/Tokyo");
	CHECK_STR(ctx.time, "2020-07-15 11:50:54");
	CHECK_STR(getenv("TZ"), "Asia/Tokyo");

	/* Neither: "". */
	ev.has_timestamp = 0;
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "");
}

static void
test_size(void)
{
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "26662364", "25.4 MB" },
		{ "2202010", "2.1 MB" },
		{ "1023", "1023 B" },
		{ "0", "0 B" },
		{ "1536", "1.5 KB" },
		{ "3221225472", "3.0 GB" },
		{ "", "" },
		{ "12 MB", "" },
		{ "-1", "" },
		{ "1234567890123456", "" },
	};
	char	 out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		template_size(cases[i].in, out, sizeof(out));
		CHECK_STR(out, cases[i].want);
	}
	template_size(NULL, out, sizeof(out));
	CHECK_STR(out, "");
}

static void
test_check(void)
{
	char	 err[128];

	CHECK_INT(template_check("{title} {os_version} ({build_version}) "
	    "is ready: {link}", err, sizeof(err)), 0);
	CHECK_INT(template_check("{action}{message}{type}{device_type}"
	    "{notes}{created}{updated}{time}{appsize}{app}{size}{qrcode}", err,
	    sizeof(err)), 0);
	CHECK_INT(template_check("", err, sizeof(err)), 0);
	CHECK_INT(template_check(NULL, err, sizeof(err)), 0);
	CHECK_INT(template_check("{{literal}} {{ }}", err, sizeof(err)), 0);

	CHECK_INT(template_check("new: {titel}", err, sizeof(err)), -1);
	CHECK_STR(err, "unknown field {titel}");
	CHECK_INT(template_check("{Title}", err, sizeof(err)), -1);
	CHECK_STR(err, "unknown field {Title}");
	CHECK_INT(template_check("{timestamp}", err, sizeof(err)), -1);
	CHECK_STR(err, "unknown field {timestamp}");
	CHECK_INT(template_check("{}", err, sizeof(err)), -1);
	CHECK_STR(err, "unknown field {}");
	CHECK_INT(template_check("{title", err, sizeof(err)), -1);
	CHECK_STR(err, "unclosed { at byte 0 (write {{ for a literal "
	    "brace)");
	CHECK_INT(template_check("ok {title} {", err, sizeof(err)), -1);
	CHECK_STR(err, "unclosed { at byte 11 (write {{ for a literal "
	    "brace)");
	CHECK_INT(template_check("a } b", err, sizeof(err)), -1);
	CHECK_STR(err, "single } at byte 2 (write }} for a literal brace)");
	/* "{{{title}}}" is a brace, the title, a brace. */
	CHECK_INT(template_check("{{{title}}}", err, sizeof(err)), 0);
	/* A long unknown name is quoted in part, whole characters only. */
	CHECK_INT(template_check("{应用应用应用应用应用应用应用应用}", err,
	    sizeof(err)), -1);
	/* 40 bytes hold 13 characters of 3 bytes. */
	CHECK_STR(err, "unknown field {应用应用应用应用应用应用应...}");
}

static void
test_render(void)
{
	struct message_ctx	 ctx;
	struct event		 ev;
	struct buf		 b = { 0 };

	sample(&ev);
	template_ctx_init(&ctx, &ev, "oooplay_test", LANG_ZH,
	    "Asia/Shanghai");
	template_render(&b, "{title} {os_version} ({build_version}) is "
	    "ready: {link}", &ctx, INERT_PLAIN);
	CHECK_STR(b.data, "QQ 0.4.0 (2) is ready: "
	    "https://www.pgyer.com/oooplay_test");
	buf_reset(&b);
	template_render(&b, "{app}|{time}|{type}|{action}|{device_type}|"
	    "{appsize}|{size}|{created}|{updated}|{message}", &ctx,
	    INERT_PLAIN);
	CHECK_STR(b.data, "oooplay_test|2020-07-15 10:50:54|updateVersion|"
	    "应用更新|iOS|26662364|25.4 MB|2020-07-15 10:50:54|"
	    "2020-07-15 10:50:54|您的应用QQ有了新的版本(0.4.0)更新。");
	buf_reset(&b);
	/* Values are inserted as they are, braces and quotes included. */
	template_render(&b, "{{{notes}}}", &ctx, INERT_PLAIN);
	CHECK_STR(b.data, "{修复\"崩溃\"\n新增{功能}}");
	buf_reset(&b);
	/* The template is trusted, its values are not. */
	ev.field[EV_TITLE] = (char *)"**x** [a](https://evil.example) <@all>";
	template_render(&b, "**{title}** [下载]({link})", &ctx,
	    INERT_MARKDOWN);
	CHECK_STR(b.data, "**\u200b\u2217\u2217x\u2217\u2217 [a]\u200b(https:"
	    "\u200b//evil.example) <\u200b@all>** [下载](https://www.pgyer.com/"
	    "oooplay_test)");
	buf_reset(&b);
	/* {link} and {qrcode} only as web addresses. */
	ev.field[EV_LINK] = (char *)"javascript:alert(1)";
	ev.field[EV_QRCODE] = (char *)"https://www.pgyer.com/app/qrcode/x)y";
	template_render(&b, "[{link}][{qrcode}]", &ctx, INERT_MARKDOWN);
	CHECK_STR(b.data, "[][https://www.pgyer.com/app/qrcode/x%29y]");
	buf_reset(&b);
	/* Absent fields are empty. */
	ev.field[EV_NOTES] = NULL;
	ev.field[EV_APPSIZE] = NULL;
	template_render(&b, "[{notes}][{appsize}]", &ctx, INERT_PLAIN);
	CHECK_STR(b.data, "[][]");
	buf_reset(&b);
	/* Unchecked templates: shown as written where not a placeholder. */
	template_render(&b, "{titel} } {title", &ctx, INERT_PLAIN);
	CHECK_STR(b.data, "{titel} } {title");
	buf_reset(&b);
	template_render(&b, "", &ctx, INERT_PLAIN);
	CHECK(b.len == 0);
	buf_free(&b);
}

int
main(void)
{
	RUN(test_time);
	RUN(test_size);
	RUN(test_check);
	RUN(test_render);
	return TEST_END();
}
