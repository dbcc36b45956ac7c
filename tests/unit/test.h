/*
 * A tiny unit-test harness.  Each tests/unit/test_*.c is its own program:
 * it defines test functions, lists them in main() with RUN(), and ends with
 * TEST_END(), which prints "N passed, N failed" and returns non-zero when
 * anything failed.  A check that fails prints file:line and what it saw.
 */
#ifndef TEST_H
#define TEST_H

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_checks;
static int test_passed, test_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #cond);				\
		test_failed_checks++;					\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long got_ = (long long)(got), want_ = (long long)(want);	\
	if (got_ != want_) {						\
		fprintf(stderr, "%s:%d: %s is %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, got_, want_);		\
		test_failed_checks++;					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *got_ = (got), *want_ = (want);			\
	if (got_ == NULL || want_ == NULL ? got_ != want_ :		\
	    strcmp(got_, want_) != 0) {					\
		fprintf(stderr, "%s:%d: %s is\n  \"%s\"\nwant\n  \"%s\"\n",\
		    __FILE__, __LINE__, #got,				\
		    got_ ? got_ : "(null)", want_ ? want_ : "(null)");	\
		test_failed_checks++;					\
	}								\
} while (0)

#define RUN(fn) do {							\
	int before_ = test_failed_checks;				\
	fn();								\
	if (test_failed_checks == before_)				\
		test_passed++;						\
	else {								\
		fprintf(stderr, "FAIL %s\n", #fn);			\
		test_failed++;						\
	}								\
} while (0)

/*
 * The test_parsing directory of JSONTestSuite (github.com/nst/JSONTestSuite)
 * for tests that read it: $JSONTESTSUITE/test_parsing, or
 * ../shared/JSONTestSuite/test_parsing from the top of the tree (where
 * tests/run.sh runs).  NULL when it is not there: a skip, saying so in
 * one line, unless JSONTESTSUITE was set (CI sets it), then a failure.
 */
static inline const char *
test_jsonsuite(void)
{
	static char	 dir[4096];
	const char	*top = getenv("JSONTESTSUITE");
	int		 given = top != NULL && *top != '\0';
	struct stat	 st;

	if (!given)
		top = "../shared/JSONTestSuite";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/test_parsing", top) <
	    sizeof(dir) && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	if (given) {
		fprintf(stderr, "JSONTESTSUITE=%s: no test_parsing directory "
		    "there\n", top);
		test_failed_checks++;
	} else
		printf("skip - JSONTestSuite not found at %s (set "
		    "JSONTESTSUITE to a clone of "
		    "github.com/nst/JSONTestSuite)\n", top);
	return NULL;
}

/* Number of times needle (not empty) occurs in s. */
static inline int
test_count(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

#define TEST_END() (printf("%d passed, %d failed\n", test_passed,	\
	test_failed), test_failed != 0)

#endif
