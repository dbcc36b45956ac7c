/* Unit tests: hex.c. */
#include <string.h>

#include "hex.h"
#include "test.h"

static void
test_encode(void)
{
	static const unsigned char	 in[] = { 0x00, 0x0f, 0xa5, 0xff };
	char				 out[2 * sizeof(in) + 1];

	memset(out, 'x', sizeof(out));
	hex_encode(in, sizeof(in), out);
	CHECK_STR(out, "000fa5ff");
	hex_encode(in, 0, out);
	CHECK_STR(out, "");
}

int
main(void)
{
	RUN(test_encode);
	return TEST_END();
}
