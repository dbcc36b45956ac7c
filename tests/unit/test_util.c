/* Unit tests: sign helpers (the robots' signature vectors). */
#include <string.h>

#include "sign.h"
#include "test.h"

static void
test_sign_vectors(void)
{
	char	 s[SIGN_B64_MAX];

	sign_dingtalk("secret", 1700000000000LL, s);
	CHECK_STR(s, "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=");
	sign_dingtalk("secret123", 1700000000000LL, s);
	CHECK_STR(s, "dmKht5wnRNI8D3ORFxZjr58I3IDg5FOcP5dFPicdUYg=");
	sign_feishu("demo", 1599360473LL, s);
	CHECK_STR(s, "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
	sign_feishu("orbit-test-secret", 1756800000LL, s);
	CHECK_STR(s, "sN+9ZKa5w6BQmKyxCaxNA1DWEgtEnZaOcfEOCqZ26fg=");
	CHECK(sign_equal("abc", "abc"));
	CHECK(!sign_equal("abc", "abd"));
	CHECK(!sign_equal("abc", "abcd"));
	CHECK(!sign_equal("", "a"));
}

int
main(void)
{
	RUN(test_sign_vectors);
	return TEST_END();
}
