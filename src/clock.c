/* The clock: see clock.h. */
#include <time.h>

#include "clock.h"

static int
read_ms(clockid_t id, long long *ms)
{
	struct timespec	 ts;

	if (clock_gettime(id, &ts) == -1)
		return -1;
	*ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return 0;
}

long long
clock_wall_ms(void)
{
	long long	 ms;

	/* time() is the one POSIX clock that cannot fail with a valid
	 * argument. */
	if (read_ms(CLOCK_REALTIME, &ms) == -1)
		ms = (long long)time(NULL) * 1000;
	return ms;
}

long long
clock_mono_ms(void)
{
	long long	 ms;

	/* CLOCK_MONOTONIC is optional in POSIX (_POSIX_MONOTONIC_CLOCK). */
	if (read_ms(CLOCK_MONOTONIC, &ms) == -1)
		ms = clock_wall_ms();
	return ms;
}
