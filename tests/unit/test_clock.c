/* Unit tests: clock.c. */
#include <time.h>

#include "clock.h"
#include "test.h"

static void
test_clocks(void)
{
	long long	 wall = clock_wall_ms(), t = (long long)time(NULL);
	long long	 a = clock_mono_ms(), b = clock_mono_ms();

	/* Unix time in ms: within a second or two of time()'s. */
	CHECK(wall / 1000 >= t - 1 && wall / 1000 <= t + 1);
	/* Monotonic: never back. */
	CHECK(a > 0 && b >= a);
}

int
main(void)
{
	RUN(test_clocks);
	return TEST_END();
}
