/*
 * url.c: robot URLs checked, query parameters, masking, encoding, and the
 * app key at the end of a PGYER link (by the one app-key rule the config
 * uses too).  Which http:// URLs count as loopback, the only ones allowed
 * without TLS: a host counts only when every resolver reads it as
 * loopback; other spellings must use https://, so that nothing is sent in
 * cleartext to a host curl reads differently.
 */
#include <stdlib.h>

#include "buf.h"
#include "test.h"
#include "url.h"

/* 0 when url_check() accepts url, -1 when it refuses it. */
static int
check(const char *url)
{
	char	 err[128];

	return url_check(url, err, sizeof(err));
}

static void
test_loopback_accepted(void)
{
	CHECK_INT(check("http://127.0.0.1/"), 0);
	CHECK_INT(check("http://127.0.0.1:8080/hook?key=k"), 0);
	CHECK_INT(check("http://127.255.255.255/"), 0);
	CHECK_INT(check("http://127.0.10.1/"), 0);
	CHECK_INT(check("http://[::1]/"), 0);
	CHECK_INT(check("http://[::1]:99/x"), 0);
	CHECK_INT(check("http://localhost/"), 0);
	CHECK_INT(check("http://LocalHost:8080/"), 0);
	CHECK_INT(check("HTTP://127.0.0.1/"), 0);
}

/*
 * inet_aton(3) and curl read a leading 0 as octal and 0x as hex, and
 * accept fewer than four parts: 0127.0.0.1 is 87.0.0.1, 0x7f.1 is
 * 127.0.0.1.  None of these is loopback here.
 */
static void
test_other_spellings_refused(void)
{
	CHECK_INT(check("http://0127.0.0.1/"), -1);
	CHECK_INT(check("http://127.0.0.01/"), -1);
	CHECK_INT(check("http://127.00.0.1/"), -1);
	CHECK_INT(check("http://0x7f.0.0.1/"), -1);
	CHECK_INT(check("http://127.1/"), -1);
	CHECK_INT(check("http://127.0.1/"), -1);
	CHECK_INT(check("http://2130706433/"), -1);
	CHECK_INT(check("http://127.0.0.1./"), -1);
	CHECK_INT(check("http://127.0.0.256/"), -1);
	CHECK_INT(check("http://127.0.0.1.2/"), -1);
	CHECK_INT(check("http://127.0.0.-1/"), -1);
	CHECK_INT(check("http://127.0.0.+1/"), -1);
	CHECK_INT(check("http://127.0.0.4294967297/"), -1);
	CHECK_INT(check("http://[0:0:0:0:0:0:0:1]/"), -1);
	CHECK_INT(check("http://[::ffff:127.0.0.1]/"), -1);
	CHECK_INT(check("http://localhost.evil.com/"), -1);
	CHECK_INT(check("http://localhost./"), -1);
	CHECK_INT(check("http://128.0.0.1/"), -1);
	/* The same hosts are fine over TLS. */
	CHECK_INT(check("https://0127.0.0.1/"), 0);
}

/* A 64-byte key, the longest url_link_app() returns. */
#define KEY64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"

static void
test_link_app(void)
{
	static const struct {
		const char	*link;
		const char	*want;
	} cases[] = {
		{ "https://www.pgyer.com/oooplay_test", "oooplay_test" },
		{ "https://www.pgyer.com/abc/?x=1", "abc" },
		{ "https://www.pgyer.com/abc#frag", "abc" },
		{ "https://www.pgyer.com/abc?x=/y/z", "abc" },
		{ "https://www.pgyer.com//a//b.c-d_E9//", "b.c-d_E9" },
		{ "http://localhost:8080/xxxx", "xxxx" },
		{ "HTTPS://WWW.PGYER.COM/Key", "Key" },
		{ "https://www.pgyer.com/...", "..." },
		{ "https://www.pgyer.com/", NULL },
		{ "https://www.pgyer.com", NULL },
		{ "https://www.pgyer.com?x=/abc", NULL },
		{ "https://www.pgyer.com/#/abc", NULL },
		{ "https:///abc", NULL },
		{ "www.pgyer.com/abc", NULL },
		{ "/abc", NULL },
		{ "abc", NULL },
		{ "://host/abc", NULL },
		{ "1http://host/abc", NULL },
		{ "", NULL },
		{ "https://www.pgyer.com/a%20b", NULL },
		{ "https://www.pgyer.com/a b", NULL },
		{ "https://www.pgyer.com/应用", NULL },
		{ "https://www.pgyer.com/.", NULL },
		{ "https://www.pgyer.com/..", NULL },
		{ "https://www.pgyer.com/x/../", NULL },
		{ "https://www.pgyer.com/a;b", NULL },
		{ "https://www.pgyer.com/" KEY64, KEY64 },
		{ "https://www.pgyer.com/" KEY64 "4", NULL },
	};
	char	*k;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k = url_link_app(cases[i].link);
		CHECK_STR(k, cases[i].want);
		if ((k == NULL) != (cases[i].want == NULL))
			fprintf(stderr, "  link: %s\n", cases[i].link);
		free(k);
	}
	CHECK(url_link_app(NULL) == NULL);
}

/* The one app-key rule: the config's keys and a link's last segment. */
static void
test_app_key_rule(void)
{
	CHECK_INT(url_app_key_ok("oooplay_test", 12), 1);
	CHECK_INT(url_app_key_ok("a.b-C_9", 7), 1);
	CHECK_INT(url_app_key_ok("...", 3), 1);
	CHECK_INT(url_app_key_ok(KEY64, 64), 1);
	CHECK_INT(url_app_key_ok(KEY64 "x", 65), 0);
	CHECK_INT(url_app_key_ok("", 0), 0);
	CHECK_INT(url_app_key_ok(".", 1), 0);
	CHECK_INT(url_app_key_ok("..", 2), 0);
	CHECK_INT(url_app_key_ok("a b", 3), 0);
	CHECK_INT(url_app_key_ok("a/b", 3), 0);
	CHECK_INT(url_app_key_ok("ab", 1), 1);	/* only len bytes count */
	CHECK_INT(url_app_key_is_dots("..", 2), 1);
	CHECK_INT(url_app_key_is_dots("...", 3), 0);
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

int
main(void)
{
	RUN(test_loopback_accepted);
	RUN(test_other_spellings_refused);
	RUN(test_url_check);
	RUN(test_url_query);
	RUN(test_url_mask);
	RUN(test_url_encode);
	RUN(test_link_app);
	RUN(test_app_key_rule);
	return TEST_END();
}
