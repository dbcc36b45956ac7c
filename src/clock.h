/*
 * The clock, in milliseconds: the one place the relay reads the time.
 * Both readings are checked: clock_gettime() on a clock POSIX names can
 * only fail on a system without it, and then the other clock stands in.
 */
#ifndef CLOCK_H
#define CLOCK_H

/* Unix time (CLOCK_REALTIME): for records, signatures, windows. */
long long	 clock_wall_ms(void);
/* Time that never steps back (CLOCK_MONOTONIC): for deadlines and
 * durations. */
long long	 clock_mono_ms(void);

#endif
