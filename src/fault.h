/*
 * Crash injection for the tests: FAULT("name") kills the process with
 * SIGKILL, as a power cut or the OOM killer would, when the environment
 * says PGYER_FAULT=name (at its first pass) or PGYER_FAULT=name:N (at its
 * N-th pass).  With PGYER_FAULT_HANG=1 too, the process stops there for
 * good instead, as on a disk that never answers: only a signal ends it.
 * Compiled only into the test build (-DPGYER_FAULTS, `make faults`); in
 * every other build FAULT() is nothing at all.
 */
#ifndef FAULT_H
#define FAULT_H

#ifdef PGYER_FAULTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
fault_point(const char *name, int *passes)
{
	const char	*want = getenv("PGYER_FAULT");
	size_t		 n = strlen(name);
	long		 at = 1;

	if (want == NULL || strncmp(want, name, n) != 0 ||
	    (want[n] != '\0' && want[n] != ':'))
		return;
	if (want[n] == ':')
		at = strtol(want + n + 1, NULL, 10);
	if (++*passes != at)
		return;
	if (getenv("PGYER_FAULT_HANG") != NULL)
		for (;;)
			pause();
	kill(getpid(), SIGKILL);
}

#define FAULT(name) do {						\
	static int fault_passes_;					\
	fault_point(name, &fault_passes_);				\
} while (0)
#else
#define FAULT(name) do { } while (0)
#endif

#endif
