/*
 * Unit tests: xalloc.c.  Allocations that succeed hold what was asked;
 * one that fails calls the out-of-memory handler (where the CGI answers
 * 500), says "out of memory" on stderr and exits 70 (EX_SOFTWARE), never
 * returning NULL to its caller.
 */
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"
#include "test.h"

static void
test_ok(void)
{
	char	*p;

	p = xstrndup("应用更新", 6);
	CHECK_STR(p, "应用");
	free(p);
	p = xstrdup("");
	CHECK_STR(p, "");
	free(p);
	/* Zero bytes is still a pointer to free. */
	p = xmalloc(0);
	CHECK(p != NULL);
	free(p);
	p = xcalloc(0, 0);
	CHECK(p != NULL);
	free(p);
	p = xcalloc(4, 2);
	CHECK(memcmp(p, "\0\0\0\0\0\0\0\0", 8) == 0);
	p = xrealloc(p, 4096);
	CHECK(memcmp(p, "\0\0\0\0\0\0\0\0", 8) == 0);
	free(p);
}

#if !defined(__SANITIZE_ADDRESS__)
static int	 handler_fd = -1;

static void
handler(void)
{
	if (write(handler_fd, "500", 3) != 3)
		_exit(71);
}

/*
 * Runs allocation `which` for more than any machine has in a child.
 * Fills out with what the handler wrote, err with stderr; returns the
 * exit status, -1 when the child did not exit.
 */
static int
fail_in_child(int which, char *out, size_t outlen, char *err, size_t errlen)
{
	int	 hp[2], ep[2], status;
	ssize_t	 n;
	pid_t	 pid;
	void	*p = NULL;

	if (pipe(hp) == -1 || pipe(ep) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(hp[0]);
		close(ep[0]);
		dup2(ep[1], STDERR_FILENO);
		handler_fd = hp[1];
		xalloc_set_handler(handler);
		switch (which) {
		case 0:
			p = xmalloc(SIZE_MAX - 4096);
			break;
		case 1:
			p = xcalloc(SIZE_MAX / 2, 4);
			break;
		case 2:
			p = xrealloc(NULL, SIZE_MAX - 4096);
			break;
		default:
			p = xstrndup("", SIZE_MAX - 1);
			break;
		}
		/* Reached only when the allocation "succeeded". */
		free(p);
		_exit(0);
	}
	close(hp[1]);
	close(ep[1]);
	n = read(hp[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	n = read(ep[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(hp[0]);
	close(ep[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
#endif

static void
test_out_of_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	/* ASan reports an allocation this size as an error of its own. */
	printf("skip - test_out_of_memory: allocation failure under ASan\n");
#else
	char	 out[16], err[256];

	for (int which = 0; which < 4; which++) {
		CHECK_INT(fail_in_child(which, out, sizeof(out), err,
		    sizeof(err)), 70);
		CHECK_STR(out, "500");
		CHECK(strstr(err, "out of memory") != NULL);
	}
#endif
}

int
main(void)
{
	RUN(test_ok);
	RUN(test_out_of_memory);
	return TEST_END();
}
