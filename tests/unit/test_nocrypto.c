/*
 * Unit tests: what the relay does when libcrypto cannot be opened.  This
 * program carries its own copy of src/crypto.c, compiled to open a
 * soname that no system has: the linker then takes the copy, not the
 * library's, for every module (dedup, ratelimit, sign, the robots).  The
 * relay itself is not changed for the test.
 *
 * Before, the digest and signatures were left as zeros: every event had
 * the same duplicate key, every robot the same rate bucket, and a
 * signing failure read "secret too long".
 */
#define LIBCRYPTO_SO	"libcrypto-absent-for-a-test.so.0"
#include "../../src/crypto.c"

#include <sys/stat.h>

#include <string.h>

#include "clock.h"
#include "config.h"
#include "dedup.h"
#include "event.h"
#include "ratelimit.h"
#include "robot.h"
#include "sign.h"
#include "template.h"
#include "test.h"
#include "tmpdir.h"

#define NAMED(err)	(strstr(err, LIBCRYPTO_SO) != NULL &&		\
	strstr(err, "install libssl3") != NULL)

static void
test_digest(void)
{
	unsigned char	 d[CRYPTO_SHA256_LEN];
	char		 err[256] = "";

	CHECK_INT(crypto_sha256("abc", 3, d, err, sizeof(err)), -1);
	CHECK(NAMED(err));
	CHECK(crypto_version(err, sizeof(err)) == NULL);
}

/* No identity: dedup_key() fails, rather than one key for all. */
static void
test_dedup_key(void)
{
	struct event	 ev;
	char		 key[DEDUP_KEY_LEN + 1], err[256] = "";

	memset(&ev, 0, sizeof(ev));
	ev.field[EV_TYPE] = (char *)"updateVersion";
	CHECK_INT(dedup_key("app", &ev, key, err, sizeof(err)), -1);
	CHECK(NAMED(err));
	CHECK_STR(key, "");
}

/* No bucket: the rate limiter fails, rather than one bucket for all. */
static void
test_ratelimit(void)
{
	char		 key[RATELIMIT_KEY_LEN + 1], err[256] = "", dir[4096];
	long long	 next;

	CHECK_INT(ratelimit_key("https://example.com/a", key, err,
	    sizeof(err)), -1);
	CHECK(NAMED(err));
	tmpdir_make(dir, sizeof(dir), "nocrypto-rate");
	err[0] = '\0';
	CHECK_INT(ratelimit_take(dir, ROBOT_WECOM,
	    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
	    1700000000000LL, clock_mono_ms() + 5000, &next, err, sizeof(err)),
	    -1);
	CHECK(NAMED(err));
	tmpdir_remove(dir);
}

/* Signing says which library is missing, not "secret too long". */
static void
test_sign(void)
{
	static const enum robot_type	 types[] = {
		ROBOT_DINGTALK, ROBOT_FEISHU, ROBOT_JSON
	};
	struct webhook			 wh;
	struct message_ctx		 ctx;
	struct request			 req;
	struct event			 e;
	char				 s[SIGN_B64_MAX], err[256] = "";

	CHECK_INT(sign_dingtalk("secret", 1700000000000LL, s, err,
	    sizeof(err)), -1);
	CHECK(NAMED(err));
	err[0] = '\0';
	CHECK_INT(sign_feishu("secret", 1700000000LL, s, err, sizeof(err)),
	    -1);
	CHECK(NAMED(err));

	memset(&e, 0, sizeof(e));
	e.field[EV_TYPE] = (char *)"updateVersion";
	e.field[EV_TITLE] = (char *)"App";
	template_ctx_init(&ctx, &e, "app", LANG_EN, "UTC");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&wh, 0, sizeof(wh));
		wh.name = (char *)"hook";
		wh.type = types[i];
		wh.url = (char *)"https://example.com/hook?access_token=t";
		wh.secret = (char *)"SECxyz";
		wh.enabled = 1;
		err[0] = '\0';
		CHECK_INT(robot_get(types[i])->build(&wh, &ctx, "{}", 2,
		    1700000000000LL, &req, err, sizeof(err)), -1);
		CHECK(NAMED(err));
		CHECK(strstr(err, "too long") == NULL);
		CHECK(req.url == NULL);
	}
}

int
main(void)
{
	RUN(test_digest);
	RUN(test_dedup_key);
	RUN(test_ratelimit);
	RUN(test_sign);
	return TEST_END();
}
