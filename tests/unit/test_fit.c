/*
 * Unit tests: fit.c, cutting a message to a robot's byte limit.  Whatever
 * the limit: the result is within it, valid UTF-8 (every cut at a
 * character boundary), each cut text ends in the visible mark, the link
 * is whole or absent (never half a URL), what the formatter adds itself
 * is never cut, and the least important text goes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "fit.h"
#include "inert.h"
#include "message.h"
#include "template.h"
#include "utf8.h"
#include "test.h"

#define LINK	"https://www.pgyer.com/oooplay_test"

static struct event	 ev;
static char		*notes, *msg;

/* A formatter: a fixed prefix (a keyword, mentions), then the message. */
static int
render(const struct message_ctx *ctx, const void *arg, struct buf *out,
    size_t *measure, char *err, size_t errlen)
{
	struct message	 m;

	if (arg != NULL && strcmp(arg, "fail") == 0) {
		snprintf(err, errlen, "render failed");
		return -1;
	}
	if (arg != NULL)
		buf_puts(out, arg);
	message_init(&m, ctx, NULL, INERT_PLAIN);
	message_plain(out, &m);
	message_free(&m);
	*measure = out->len;
	return 0;
}

static char *
repeat(const char *unit, size_t n)
{
	struct buf	 b = { 0 };

	while (n-- > 0)
		buf_puts(&b, unit);
	return buf_release(&b);
}

static void
sample(struct message_ctx *ctx, enum lang lang)
{
	memset(&ev, 0, sizeof(ev));
	ev.field[EV_TITLE] = (char *)"QQ";
	ev.field[EV_ACTION] = (char *)"应用更新";
	ev.field[EV_TYPE] = (char *)"updateVersion";
	ev.field[EV_OS_VERSION] = (char *)"0.4.0";
	ev.field[EV_LINK] = (char *)LINK;
	ev.field[EV_MESSAGE] = msg;
	ev.field[EV_NOTES] = notes;
	memset(ctx, 0, sizeof(*ctx));
	template_ctx_init(ctx, &ev, "oooplay_test", lang, "Asia/Shanghai");
}

/* What every fitted message must be, at this limit. */
static void
check_fitted(const struct buf *out, size_t limit, enum lang lang,
    int truncated)
{
	const char	*mark = message_mark(lang);

	CHECK(out->len <= limit);
	CHECK(utf8_valid(out->data, out->len));
	CHECK(strlen(out->data) == out->len);
	/* Whole or not at all. */
	CHECK(test_count(out->data, "https://") ==
	    test_count(out->data, LINK));
	if (truncated)
		CHECK(strstr(out->data, mark) != NULL ||
		    strstr(out->data, LINK) == NULL);
	else
		CHECK(strstr(out->data, mark) == NULL);
}

/* Short enough: sent as it is. */
static void
test_fits(void)
{
	struct message_ctx	 ctx;
	struct buf		 out = { 0 };
	char			 err[200] = "";
	int			 truncated = -1;

	notes = (char *)"修复崩溃";
	msg = NULL;
	sample(&ctx, LANG_ZH);
	CHECK_INT(fit_render(&ctx, 4096, render, NULL, &out, &truncated, err,
	    sizeof(err)), 0);
	CHECK_INT(truncated, 0);
	CHECK(strstr(out.data, "更新说明：修复崩溃\n") != NULL);
	CHECK(strstr(out.data, LINK) != NULL);
	check_fitted(&out, 4096, LANG_ZH, 0);
	buf_free(&out);
}

/* Every limit from tight to roomy, in both languages, multibyte text. */
static void
test_every_limit(void)
{
	static const char *const units[] = { "修复", "é", "😀", "ab" };
	struct message_ctx	 ctx;
	struct buf		 out = { 0 };
	char			 err[200];
	size_t			 whole;
	int			 truncated, rc;

	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		notes = repeat(units[u], 300);
		msg = repeat(units[u], 100);
		for (enum lang lang = LANG_ZH; lang < LANG__MAX; lang++) {
			sample(&ctx, lang);
			buf_reset(&out);
			CHECK_INT(render(&ctx, NULL, &out, &whole, err,
			    sizeof(err)), 0);
			for (size_t limit = 120; limit < 1400; limit += 13) {
				rc = fit_render(&ctx, limit, render, NULL,
				    &out, &truncated, err, sizeof(err));
				if (rc == -1) {
					fprintf(stderr, "limit %zu: %s\n",
					    limit, err);
					CHECK(rc == 0);
					continue;
				}
				/* Cut exactly when it did not fit. */
				CHECK_INT(truncated, whole > limit);
				check_fitted(&out, limit, lang, truncated);
				/* Roomy enough: the link stays, with the
				 * heading and facts whole. */
				if (limit >= 400) {
					CHECK(strstr(out.data, LINK) != NULL);
					CHECK(strstr(out.data, "0.4.0") !=
					    NULL);
				}
			}
		}
		free(notes);
		free(msg);
	}
	buf_free(&out);
}

/* The notes and message are cut, the short facts are not. */
static void
test_long_text_first(void)
{
	struct message_ctx	 ctx;
	struct buf		 out = { 0 };
	char			 err[200];
	int			 truncated;

	notes = repeat("说明", 2000);
	msg = repeat("消息", 2000);
	sample(&ctx, LANG_ZH);
	CHECK_INT(fit_render(&ctx, 2048, render, NULL, &out, &truncated, err,
	    sizeof(err)), 0);
	CHECK_INT(truncated, 1);
	check_fitted(&out, 2048, LANG_ZH, 1);
	CHECK(strncmp(out.data, "QQ 应用更新\n版本：0.4.0\n", 29) == 0);
	CHECK(strstr(out.data, LINK) != NULL);
	CHECK_INT(test_count(out.data, message_mark(LANG_ZH)), 2);
	/* Little wasted: within a few characters and a mark of the limit. */
	CHECK(out.len > 2048 - 40);
	buf_free(&out);
	free(notes);
	free(msg);
}

/* The formatter's own text (a keyword) is kept; too much is refused. */
static void
test_keyword_kept(void)
{
	struct message_ctx	 ctx;
	struct buf		 out = { 0 };
	char			 err[200], *kw;
	int			 truncated;

	notes = repeat("说明", 500);
	msg = NULL;
	sample(&ctx, LANG_EN);
	kw = repeat("k", 300);
	CHECK_INT(fit_render(&ctx, 600, render, kw, &out, &truncated, err,
	    sizeof(err)), 0);
	CHECK(strncmp(out.data, kw, 300) == 0);
	check_fitted(&out, 600, LANG_EN, truncated);
	free(kw);

	kw = repeat("k", 700);
	CHECK_INT(fit_render(&ctx, 600, render, kw, &out, &truncated, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "the message does not fit in 600 bytes even with "
	    "every field cut: keyword, mentions or template too long");
	free(kw);

	CHECK_INT(fit_render(&ctx, 600, render, "fail", &out, &truncated,
	    err, sizeof(err)), -1);
	CHECK_STR(err, "render failed");
	buf_free(&out);
	free(notes);
}

/* A field the event parser cut says so, though it fits now. */
static void
test_cut_when_read(void)
{
	struct message_ctx	 ctx;
	struct buf		 out = { 0 };
	char			 err[200];
	int			 truncated;

	notes = (char *)"前半";
	msg = NULL;
	sample(&ctx, LANG_ZH);
	ev.cut = 1u << EV_NOTES;
	CHECK_INT(fit_render(&ctx, 4096, render, NULL, &out, &truncated, err,
	    sizeof(err)), 0);
	CHECK_INT(truncated, 1);
	CHECK(strstr(out.data, "前半…（内容过长已截断）") != NULL);
	/* A link cut when read is half a URL: not shown. */
	ev.cut = 1u << EV_LINK;
	CHECK_INT(fit_render(&ctx, 4096, render, NULL, &out, &truncated, err,
	    sizeof(err)), 0);
	CHECK_INT(truncated, 1);
	CHECK(strstr(out.data, "https://") == NULL);
	buf_free(&out);
}

int
main(void)
{
	RUN(test_fits);
	RUN(test_every_limit);
	RUN(test_long_text_first);
	RUN(test_keyword_kept);
	RUN(test_cut_when_read);
	return TEST_END();
}
