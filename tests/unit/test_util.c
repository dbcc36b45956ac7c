/* Unit tests: utf8, url, subscribe. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "subscribe.h"
#include "url.h"
#include "utf8.h"
#include "test.h"

static void
test_utf8_cut(void)
{
	/* "应用" is 6 bytes: a cut inside a character steps back. */
	const char	*s = "\xe5\xba\x94\xe7\x94\xa8";

	CHECK_INT(utf8_cut(s, 6, 6), 6);
	CHECK_INT(utf8_cut(s, 6, 5), 3);
	CHECK_INT(utf8_cut(s, 6, 4), 3);
	CHECK_INT(utf8_cut(s, 6, 3), 3);
	CHECK_INT(utf8_cut(s, 6, 2), 0);
	CHECK_INT(utf8_cut("abc", 3, 2), 2);
}

static void
test_utf8_valid(void)
{
	CHECK(utf8_valid("abc \xe5\xba\x94", 7));
	CHECK(!utf8_valid("\xc0\xaf", 2));		/* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	CHECK(!utf8_valid("\xe5\xba", 2));		/* truncated */
	CHECK(!utf8_valid("a\0b", 3));
	CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
}

static void
test_url_check(void)
{
	char	 err[128];

	CHECK_INT(url_check("https://qyapi.weixin.qq.com/x?key=1", err,
	    sizeof(err)), 0);
	CHECK_INT(url_check("http://127.0.0.1:8080/x", err, sizeof(err)), 0);
	CHECK_INT(url_check("http://127.9.9.9/x", err, sizeof(err)), 0);
	CHECK_INT(url_check("http://[::1]:99/x", err, sizeof(err)), 0);
	CHECK_INT(url_check("http://localhost/x", err, sizeof(err)), 0);
	CHECK_INT(url_check("http://example.com/x", err, sizeof(err)), -1);
	CHECK_INT(url_check("http://127.0.0.1.evil.com/", err,
	    sizeof(err)), -1);
	CHECK_INT(url_check("http://127.0.0.1@evil.com/", err,
	    sizeof(err)), -1);
	CHECK_INT(url_check("ftp://127.0.0.1/", err, sizeof(err)), -1);
	CHECK_INT(url_check("https://a b/", err, sizeof(err)), -1);
	CHECK_INT(url_check("https:///x", err, sizeof(err)), -1);
}

static void
test_url_query(void)
{
	char	*v;

	v = url_query_param("app=demo&token=a%2Bb+c", "token");
	CHECK_STR(v, "a+b c");
	free(v);
	v = url_query_param("xapp=1&app=two", "app");
	CHECK_STR(v, "two");
	free(v);
	CHECK(url_query_param("app=1", "token") == NULL);
	CHECK(url_query_param("token=%00x", "token") == NULL);
	CHECK(url_query_param("token=%4", "token") == NULL);
	CHECK(url_query_param(NULL, "token") == NULL);
	/* Present but badly encoded is not absent. */
	CHECK_INT(url_query_bad("app=a%00b", "app"), 1);
	CHECK_INT(url_query_bad("app=%zz", "app"), 1);
	CHECK_INT(url_query_bad("x=1&token=ab%", "token"), 1);
	CHECK_INT(url_query_bad("app=ok%20", "app"), 0);
	CHECK_INT(url_query_bad("token=%zz", "app"), 0);
	CHECK_INT(url_query_bad(NULL, "app"), 0);
}

static void
test_url_mask(void)
{
	char	*m;

	m = url_mask("https://oapi.dingtalk.com/robot/send?access_token=abc&"
	    "timestamp=1&sign=x");
	CHECK_STR(m, "https://oapi.dingtalk.com/robot/send?access_token=***&"
	    "timestamp=***&sign=***");
	free(m);
	m = url_mask("https://open.feishu.cn/open-apis/bot/v2/hook/"
	    "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
	CHECK_STR(m, "https://open.feishu.cn/open-apis/bot/v2/hook/***");
	free(m);
	/* Every shape of credential, whatever its length or place. */
	static const struct {
		const char	*in, *want;
	} cases[] = {
		{ "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
		    "https://open.feishu.cn/open-apis/bot/v2/hook/***" },
		{ "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-aaaa/",
		    "https://open.feishu.cn/open-apis/bot/v2/hook/***/" },
		{ "https://open.larksuite.com/open-apis/bot/v2/hook/x1//",
		    "https://open.larksuite.com/open-apis/bot/v2/hook/***//" },
		{ "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
		    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***" },
		{ "https://hooks.example.com/services/T0/B1/abc9",
		    "https://hooks.example.com/services/T0/B1/***" },
		{ "https://x.example/in/a9?x", "https://x.example/in/***?x" },
		{ "https://u:p@x.example/a#frag", "https://***@x.example/a#***" },
		{ "https://x.example", "https://x.example" },
		{ "https://x.example/", "https://x.example/" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = url_mask(cases[i].in);
		CHECK_STR(m, cases[i].want);
		free(m);
	}
}

static void
test_url_encode(void)
{
	struct buf	 b = { 0 };

	url_encode(&b, "OuzzJR5+xZ4/EYw=");
	CHECK_STR(b.data, "OuzzJR5%2BxZ4%2FEYw%3D");
	buf_free(&b);
}

static void
test_subscribe(void)
{
	char		 c1[] = "crash", c2[] = "updateVersion", c3[] = "*";
	char		*ev1[] = { c1, c2 };
	char		*ev2[] = { c3 };
	struct app	 app;
	const struct webhook *out[APP_WEBHOOKS_MAX];
	char		 n[64];

	memset(&app, 0, sizeof(app));
	app.n_webhooks = 3;
	app.webhooks[0].events.v = ev1;
	app.webhooks[0].events.n = 2;
	app.webhooks[0].enabled = 1;
	app.webhooks[1].events.v = ev2;
	app.webhooks[1].events.n = 1;
	app.webhooks[1].enabled = 1;
	app.webhooks[2].events.v = ev2;
	app.webhooks[2].events.n = 1;
	app.webhooks[2].enabled = 0;

	subscribe_normalise("Crash_Log", n, sizeof(n));
	CHECK_STR(n, "crashlog");
	subscribe_normalise("update", n, sizeof(n));
	CHECK_STR(n, "updateversion");
	CHECK(subscribe_match(&app.webhooks[0], "crash log"));
	CHECK(subscribe_match(&app.webhooks[0], "crashLog"));
	CHECK(subscribe_match(&app.webhooks[0], "update_version"));
	CHECK(subscribe_match(&app.webhooks[0], "UPDATE"));
	CHECK(!subscribe_match(&app.webhooks[0], "feedback"));
	CHECK(subscribe_match(&app.webhooks[1], "somethingNew"));
	CHECK_INT(subscribe_select(&app, "feedback", out), 1);
	CHECK(out[0] == &app.webhooks[1]);
	CHECK_INT(subscribe_select(&app, "updateVersion", out), 2);
}

int
main(void)
{
	RUN(test_utf8_cut);
	RUN(test_utf8_valid);
	RUN(test_url_check);
	RUN(test_url_query);
	RUN(test_url_mask);
	RUN(test_url_encode);
	RUN(test_subscribe);
	return TEST_END();
}
