/* Unit tests: template context, checking and rendering. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "template.h"
#include "test.h"

/* The real capture from robot-apis.md, notes with a newline. */
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
	const char		*tz;

	sample(&ev);
	/* 1594781454 is 2020-07-15 02:50:54 UTC. */
	template_ctx_init(&ctx, &ev, "oooplay_test", LANG_EN,
	    "Asia/Shanghai");
	CHECK_STR(ctx.time, "2020-07-15 10:50:54");
	CHECK(ctx.ev == &ev);
	CHECK_STR(ctx.app, "oooplay_test");
	CHECK_INT(ctx.lang, LANG_EN);
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "2020-07-15 02:50:54");
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "America/New_York");
	CHECK_STR(ctx.time, "2020-07-14 22:50:54");
	/* TZ is put back as it was. */
	setenv("TZ", "Europe/Berlin", 1);
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "Asia/Tokyo");
	CHECK_STR(ctx.time, "2020-07-15 11:50:54");
	tz = getenv("TZ");
	CHECK_STR(tz, "Europe/Berlin");
	unsetenv("TZ");
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "Asia/Tokyo");
	CHECK(getenv("TZ") == NULL);

	/* No timestamp: "created" as sent; neither: "". */
	ev.has_timestamp = 0;
	ev.field[EV_CREATED] = (char *)"2020-07-15 10:50:00";
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "2020-07-15 10:50:00");
	ev.field[EV_CREATED] = NULL;
	template_ctx_init(&ctx, &ev, "a", LANG_ZH, "UTC");
	CHECK_STR(ctx.time, "");
}

static void
test_check(void)
{
	char	 err[128];

	CHECK_INT(template_check("{title} {os_version} ({build_version}) "
	    "is ready: {link}", err, sizeof(err)), 0);
	CHECK_INT(template_check("{action}{message}{type}{device_type}"
	    "{notes}{created}{updated}{time}{appsize}{app}", err,
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
	    "ready: {link}", &ctx);
	CHECK_STR(b.data, "QQ 0.4.0 (2) is ready: "
	    "https://www.pgyer.com/oooplay_test");
	buf_reset(&b);
	template_render(&b, "{app}|{time}|{type}|{action}|{device_type}|"
	    "{appsize}|{created}|{updated}|{message}", &ctx);
	CHECK_STR(b.data, "oooplay_test|2020-07-15 10:50:54|updateVersion|"
	    "应用更新|iOS|26662364|2020-07-15 10:50:54|2020-07-15 10:50:54|"
	    "您的应用QQ有了新的版本(0.4.0)更新。");
	buf_reset(&b);
	/* Values are inserted as they are, braces and quotes included. */
	template_render(&b, "{{{notes}}}", &ctx);
	CHECK_STR(b.data, "{修复\"崩溃\"\n新增{功能}}");
	buf_reset(&b);
	/* Absent fields are empty. */
	ev.field[EV_NOTES] = NULL;
	ev.field[EV_APPSIZE] = NULL;
	template_render(&b, "[{notes}][{appsize}]", &ctx);
	CHECK_STR(b.data, "[][]");
	buf_reset(&b);
	/* Unchecked templates: shown as written where not a placeholder. */
	template_render(&b, "{titel} } {title", &ctx);
	CHECK_STR(b.data, "{titel} } {title");
	buf_reset(&b);
	template_render(&b, "", &ctx);
	CHECK(b.len == 0);
	buf_free(&b);
}

int
main(void)
{
	RUN(test_time);
	RUN(test_check);
	RUN(test_render);
	return TEST_END();
}
