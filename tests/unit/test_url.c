/*
 * url.c: which http:// URLs count as loopback (the only ones allowed
 * without TLS).  A host counts only when every resolver reads it as
 * loopback; other spellings must use https://, so that nothing is sent
 * in cleartext to a host curl reads differently.
 */
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

int
main(void)
{
	RUN(test_loopback_accepted);
	RUN(test_other_spellings_refused);
	return TEST_END();
}
