/*
 * url.c: which http:// URLs count as loopback (the only ones allowed
 * without TLS).  A host counts only when every resolver reads it as
 * loopback; other spellings must use https://, so that nothing is sent
 * in cleartext to a host curl reads differently.  And the app key at the
 * end of a PGYER link, by the one app-key rule the config uses too.
 */
#include <stdlib.h>

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

int
main(void)
{
	RUN(test_loopback_accepted);
	RUN(test_other_spellings_refused);
	RUN(test_link_app);
	RUN(test_app_key_rule);
	return TEST_END();
}
