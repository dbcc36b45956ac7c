/* Unit tests: sign.c, the robots' signatures and base64. */
#include <string.h>

#include "sign.h"
#include "test.h"

/* Test vectors computed with `openssl dgst -sha256 -hmac`, and the
 * examples in each vendor's documentation. */
static void
test_vectors(void)
{
	char	 s[SIGN_B64_MAX], err[256];

	CHECK_INT(sign_dingtalk("secret", 1700000000000LL, s, err,
	    sizeof(err)), 0);
	CHECK_STR(s, "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=");
	CHECK_INT(sign_dingtalk("secret123", 1700000000000LL, s, err,
	    sizeof(err)), 0);
	CHECK_STR(s, "dmKht5wnRNI8D3ORFxZjr58I3IDg5FOcP5dFPicdUYg=");
	CHECK_INT(sign_feishu("demo", 1599360473LL, s, err, sizeof(err)), 0);
	CHECK_STR(s, "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
	CHECK_INT(sign_feishu("orbit-test-secret", 1756800000LL, s, err,
	    sizeof(err)), 0);
	CHECK_STR(s, "sN+9ZKa5w6BQmKyxCaxNA1DWEgtEnZaOcfEOCqZ26fg=");
	CHECK(sign_equal("abc", "abc"));
	CHECK(!sign_equal("abc", "abd"));
	CHECK(!sign_equal("abc", "abcd"));
	CHECK(!sign_equal("", "a"));
}

/* A secret too long says so, and nothing is signed. */
static void
test_too_long(void)
{
	char	 secret[600], s[SIGN_B64_MAX], err[256] = "";

	memset(secret, 'k', sizeof(secret) - 1);
	secret[sizeof(secret) - 1] = '\0';
	CHECK_INT(sign_dingtalk(secret, 1700000000000LL, s, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "secret too long") != NULL);
	err[0] = '\0';
	CHECK_INT(sign_feishu(secret, 1599360473LL, s, err, sizeof(err)), -1);
	CHECK(strstr(err, "secret too long") != NULL);
}

static void
test_helpers(void)
{
	static const char	 msg[] = "msg_p5jXN8AQM9LWM0D4loKWxJek."
	    "1614265330.{\"test\": 2432232314}";
	unsigned char		 key[64];
	char			 s[SIGN_B64_MAX], err[256];
	long			 n;

	/* The example in the Standard Webhooks specification. */
	n = sign_b64_decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key,
	    sizeof(key), err, sizeof(err));
	CHECK_INT(n, 24);
	CHECK_INT(sign_hmac_b64(key, (size_t)n, msg, strlen(msg), s, err,
	    sizeof(err)), 0);
	CHECK_STR(s, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

	CHECK_INT(sign_b64_decode("YQ==", key, sizeof(key), err,
	    sizeof(err)), 1);
	CHECK(key[0] == 'a');
	CHECK_INT(sign_b64_decode("YWI", key, sizeof(key), err,
	    sizeof(err)), 2);
	CHECK(key[0] == 'a' && key[1] == 'b');
	CHECK_INT(sign_b64_decode("", key, sizeof(key), err, sizeof(err)), 0);
	CHECK_INT(sign_b64_decode("Y", key, sizeof(key), err, sizeof(err)),
	    -1);
	CHECK_STR(err, "not base64");
	CHECK_INT(sign_b64_decode("YWJj=", key, sizeof(key), err,
	    sizeof(err)), -1);
	CHECK_INT(sign_b64_decode("YQ===", key, sizeof(key), err,
	    sizeof(err)), -1);
	CHECK_INT(sign_b64_decode("Y Q==", key, sizeof(key), err,
	    sizeof(err)), -1);
	CHECK_INT(sign_b64_decode("YWJj", key, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "decodes to over 2 bytes");
}

int
main(void)
{
	RUN(test_vectors);
	RUN(test_too_long);
	RUN(test_helpers);
	return TEST_END();
}
