/* The FastCGI supervisor: see supervise.h. */
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fcgi.h"
#include "lastgood.h"
#include "log.h"
#include "supervise.h"

#define WORKERS_MAX	256
/* A worker that dies sooner than this after its start is crashing: its
 * restart waits, twice as long each time, up to BACKOFF_MAX_MS. */
#define HEALTHY_MS	1000LL
#define BACKOFF_MIN_MS	100LL
#define BACKOFF_MAX_MS	10000LL

struct worker {
	pid_t		 pid;		/* 0: not running */
	long long	 started;	/* clock_mono_ms() */
	long long	 restart_at;	/* when not running */
	long long	 backoff;
	int		 killed;	/* past its deadline: SIGKILLed */
};

static int
usage(void)
{
	fprintf(stderr, "usage: pgyer-relay.cgi --fastcgi unix:/path|"
	    "HOST:PORT|- [--workers N]\n");
	return 2;
}

/* Starts worker i; 0, or -1 (logged; it is tried again later). */
static int
spawn(struct worker *w, struct fcgi_slot *slot, int lfd,
    const sigset_t *mask, fcgi_handler h, void *arg,
    void (*worker_end)(void *))
{
	pid_t	 pid;
	int	 rc;

	slot->busy_until = 0;
	if ((pid = fork()) == -1) {
		log_msg("FastCGI: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		/* Still blocked: fcgi_serve() unblocks them when its SIGTERM
		 * handler is there to see one. */
		rc = fcgi_serve(lfd, slot, mask, h, arg);
		if (worker_end != NULL)
			worker_end(arg);
		/* exit(), not _exit(): the leak checkers see each worker. */
		exit(rc == 0 ? 0 : 1);
	}
	w->pid = pid;
	w->started = clock_mono_ms();
	w->killed = 0;
	return 0;
}

/* A worker ended: says why when it was not asked to, plans its restart. */
static void
ended(struct worker *w, int status, int stopping)
{
	long long	 now = clock_mono_ms();

	if (!stopping || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			log_msg("FastCGI: worker %ld killed by signal %d%s",
			    (long)w->pid, WTERMSIG(status), w->killed ?
			    " (past its request's deadline)" : "");
		else if (WEXITSTATUS(status) == FCGI_EXIT_BACKSTOP)
			log_msg("FastCGI: worker %ld answered a request past "
			    "its deadline and ended", (long)w->pid);
		else
			log_msg("FastCGI: worker %ld exited with %d",
			    (long)w->pid, WEXITSTATUS(status));
	}
	if (now - w->started < HEALTHY_MS && !w->killed &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == FCGI_EXIT_BACKSTOP))
		w->backoff = w->backoff == 0 ? BACKOFF_MIN_MS :
		    w->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    w->backoff * 2;
	else
		w->backoff = 0;
	w->restart_at = now + w->backoff;
	w->pid = 0;
}

int
supervise_main(int argc, char *argv[], fcgi_handler h, void *arg,
    void (*worker_end)(void *))
{
	struct worker		 w[WORKERS_MAX];
	struct fcgi_slot	*slots;
	sigset_t		 set, old;
	struct timespec		 tick = { 0, 200 * 1000 * 1000 };
	const char		*addr;
	char			 err[256], *end;
	long			 n;
	long long		 now, until;
	pid_t			 pid;
	int			 lfd, zero, status, sig, stopping = 0, running;

	if (argc != 3 && argc != 5)
		return usage();
	addr = argv[2];
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (argc == 5) {
		if (strcmp(argv[3], "--workers") != 0)
			return usage();
		errno = 0;
		n = strtol(argv[4], &end, 10);
		if (errno != 0 || *end != '\0' || end == argv[4] || n < 1 ||
		    n > WORKERS_MAX) {
			fprintf(stderr, "pgyer-relay.cgi: --workers: 1 to %d\n",
			    WORKERS_MAX);
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	if (n > WORKERS_MAX)
		n = WORKERS_MAX;
	/* "-": the listening socket is standard input (systemd). */
	if (strcmp(addr, "-") == 0) {
		if (!fcgi_listening(STDIN_FILENO)) {
			fprintf(stderr, "pgyer-relay.cgi: --fastcgi -: standard "
			    "input is not a listening socket\n");
			return 1;
		}
		lfd = STDIN_FILENO;
	} else if ((lfd = fcgi_open(addr, err, sizeof(err))) == -1) {
		fprintf(stderr, "pgyer-relay.cgi: %s\n", err);
		return 1;
	}
	/* Shared with the workers: /dev/zero mapped shared is anonymous
	 * shared memory (MAP_ANONYMOUS is not in POSIX 2008). */
	if ((zero = open("/dev/zero", O_RDWR)) == -1 ||
	    (slots = mmap(NULL, (size_t)n * sizeof(*slots),
	    PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0)) == MAP_FAILED) {
		fprintf(stderr, "pgyer-relay.cgi: shared memory: %s\n",
		    strerror(errno));
		return 1;
	}
	close(zero);
	/* The workers' last good config, one for all (lastgood.h). */
	if (lastgood_create(err, sizeof(err)) == -1) {
		fprintf(stderr, "pgyer-relay.cgi: %s\n", err);
		return 1;
	}
	memset(w, 0, sizeof(w));
	/* Signals are taken one at a time by sigtimedwait() below. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	log_msg("FastCGI: listening on %s with %ld workers", addr, n);
	for (;;) {
		now = clock_mono_ms();
		running = 0;
		for (long i = 0; i < n; i++) {
			if (w[i].pid == 0 && !stopping && now >= w[i].restart_at)
				(void)spawn(&w[i], &slots[i], lfd, &old, h, arg,
				    worker_end);
			if (w[i].pid == 0)
				continue;
			running++;
			/* Past its deadline and its own backstop's: the web
			 * server answers for it (the connection closes
			 * unanswered: 502). */
			until = slots[i].busy_until;
			if (until != 0 && now > until && !w[i].killed) {
				log_msg("FastCGI: worker %ld past its "
				    "request's deadline: killed",
				    (long)w[i].pid);
				kill(w[i].pid, SIGKILL);
				w[i].killed = 1;
			}
		}
		if (stopping && running == 0)
			break;
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			if (!stopping)
				log_msg("FastCGI: stopping: requests in "
				    "progress finish first");
			stopping = 1;
			for (long i = 0; i < n; i++)
				if (w[i].pid != 0)
					kill(w[i].pid, SIGTERM);
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (long i = 0; i < n; i++)
				if (w[i].pid == pid)
					ended(&w[i], status, stopping);
	}
	close(lfd);
	if (strncmp(addr, "unix:", 5) == 0)
		(void)unlink(addr + 5);
	munmap(slots, (size_t)n * sizeof(*slots));
	lastgood_destroy();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}
