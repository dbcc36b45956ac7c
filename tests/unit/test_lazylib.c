/* Unit tests: lazylib.c, opening a library by soname when first needed. */
#include <string.h>

#include "lazylib.h"
#include "test.h"

static double	(*fn_cos)(double);
static void	*fn_none;

static const struct lazysym	 cos_sym[] = { { "cos", (void **)&fn_cos } };
static const struct lazysym	 no_sym[] = {
	{ "no_such_function_here", &fn_none }
};

static int	 checks;

static int
too_old(char *err, size_t errlen)
{
	checks++;
	snprintf(err, errlen, "version 0.1, 9.0 needed");
	return -1;
}

static int
fine(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	checks++;
	return 0;
}

/* Found by soname, the way the dynamic linker finds libraries. */
static void
test_by_soname(void)
{
	struct lazylib	 l = { "libm.so.6", "libc6", NULL, cos_sym, 1, fine,
	    0, "" };

	CHECK_INT(lazylib_load(&l), 0);
	CHECK(fn_cos != NULL && fn_cos(0.0) == 1.0);
	CHECK_INT(checks, 1);
	/* Once: later calls give the first answer, nothing checked again. */
	CHECK_INT(lazylib_load(&l), 0);
	CHECK_INT(checks, 1);
}

/* Each failure names the library and the package to install. */
static void
test_failures(void)
{
	struct lazylib	 absent = { "libabsent-for-a-test.so.9", "libabsent9",
	    NULL, cos_sym, 1, NULL, 0, "" };
	struct lazylib	 nosym = { "libm.so.6", "libc6", NULL, no_sym, 1,
	    NULL, 0, "" };
	struct lazylib	 old = { "libm.so.6", "libc6", NULL, cos_sym, 1,
	    too_old, 0, "" };

	CHECK_INT(lazylib_load(&absent), -1);
	CHECK(strncmp(absent.err, "cannot load libabsent-for-a-test.so.9 "
	    "(install libabsent9): ", 59) == 0);
	CHECK_INT(lazylib_load(&absent), -1);

	CHECK_INT(lazylib_load(&nosym), -1);
	CHECK_STR(nosym.err, "cannot use libm.so.6: it has no "
	    "no_such_function_here (install a current libc6)");

	CHECK_INT(lazylib_load(&old), -1);
	CHECK_STR(old.err, "cannot use libm.so.6: version 0.1, 9.0 needed "
	    "(install a current libc6)");
}

int
main(void)
{
	RUN(test_by_soname);
	RUN(test_failures);
	return TEST_END();
}
