/* Unit tests: the queue's retry policy.  Pure functions, no files. */
#include "queue.h"
#include "test.h"

static void
test_backoff(void)
{
	CHECK_INT(queue_backoff(1, 20), 30);	/* 100% */
	CHECK_INT(queue_backoff(1, 0), 24);	/* 80% */
	CHECK_INT(queue_backoff(1, 40), 36);	/* 120% */
	CHECK_INT(queue_backoff(0, 20), 30);
	CHECK_INT(queue_backoff(2, 20), 60);
	CHECK_INT(queue_backoff(3, 20), 120);
	CHECK_INT(queue_backoff(7, 20), 1920);
	CHECK_INT(queue_backoff(8, 20), 3600);	/* 3840 capped */
	CHECK_INT(queue_backoff(8, 40), 4320);
	CHECK_INT(queue_backoff(1000000, 0), 2880);
}

int
main(void)
{
	RUN(test_backoff);
	return TEST_END();
}
