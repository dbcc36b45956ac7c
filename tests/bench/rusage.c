/*
 * rusage FD PROGRAM [ARG...]: runs PROGRAM with our stdin, stdout and
 * stderr, waits for it, and writes "USER_US SYS_US MAXRSS_KIB" to FD.
 *
 * Why not measure from Python directly: a child forked from the bench's
 * Python starts with Python's resident set, and Linux keeps that high
 * water mark across exec (ru_maxrss would read ~25 MiB for any program).
 * Forked from this small program, the child's ru_maxrss is its own.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage	 ru;
	pid_t		 pid;
	int		 status, fd;
	FILE		*out;

	if (argc < 3)
		return 2;
	fd = atoi(argv[1]);
	if ((pid = fork()) == -1)
		return 2;
	if (pid == 0) {
		close(fd);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1 ||
	    (out = fdopen(fd, "w")) == NULL)
		return 2;
	fprintf(out, "%lld %lld %ld\n",
	    (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
	    ru.ru_maxrss);
	fclose(out);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
