/*
 * Unit tests: the queue's state machine and retry policy.  A transfer's
 * result is set by hand (the robots are tested elsewhere): what the queue
 * does with each answer is what is checked here, on a real journal.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "journal.h"
#include "queue.h"
#include "xalloc.h"
#include "test.h"
#include "tmpdir.h"

#define NOW_MS	1764370000000LL

static char		 dir[4096];
static struct config	*cfg;
static struct journal	 J;
static struct queue	 Q;

static void
setup(const char *name, int cap_mb)
{
	struct buf	 text = { 0 }, errors = { 0 };
	char		 err[256];

	tmpdir_make(dir, sizeof(dir), name);
	buf_printf(&text, "{ \"spool_dir\": \"%s\", \"max_attempts\": 3, "
	    "\"spool_max_mb\": %d, \"apps\": { \"demo\": { \"webhooks\": ["
	    "{ \"name\": \"hook\", \"type\": \"json\", \"url\": "
	    "\"http://127.0.0.1:9/hook\", \"events\": [\"*\"] } ] } } }", dir,
	    cap_mb);
	if ((cfg = config_parse(text.data, text.len, &errors)) == NULL ||
	    journal_open(&J, dir, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "setup: %s %s\n", errors.data != NULL ?
		    errors.data : "", err);
		exit(2);
	}
	buf_free(&text);
	buf_free(&errors);
	memset(&Q, 0, sizeof(Q));
	Q.cfg = cfg;
	Q.j = &J;
	Q.capped = 1;
}

static void
teardown(void)
{
	journal_close(&J);
	config_free(cfg);
	tmpdir_remove(dir);
}

static size_t
count(enum journal_queue q)
{
	char	**ids, err[256];
	long	 n;

	if ((n = journal_ids(&J, q, &ids, err, sizeof(err))) == -1)
		return 99;
	journal_ids_free(ids, n);
	return (size_t)n;
}

/* A job as the CGI makes it: its record journaled and claimed. */
static void
journaled_job(struct queue_job *job, long long attempts)
{
	const struct app	*app = config_app(cfg, "demo");
	struct journal_record	 r;
	char			 err[256];

	memset(job, 0, sizeof(*job));
	job->c.fd = -1;
	job->app = app;
	job->wh = config_webhook(app, "hook");
	memset(&r, 0, sizeof(r));
	r.app = (char *)"demo";
	r.webhook = (char *)"hook";
	r.body = (char *)"{\"type\":\"updateVersion\"}";
	r.body_len = strlen(r.body);
	r.received = NOW_MS / 1000;
	r.attempts = attempts;
	r.next_at = NOW_MS / 1000;
	if (journal_put(&J, &r, NULL, &job->c, err, sizeof(err)) == -1)
		fprintf(stderr, "journal_put: %s\n", err);
	job->fate = QUEUE_READY;
}

static void
answer(struct queue_job *job, int ok, int retryable, const char *msg)
{
	job->d.ok = job->d.v.ok = ok;
	job->d.v.retryable = retryable;
	job->d.http_status = ok ? 200 : 500;
	snprintf(job->d.v.errmsg, sizeof(job->d.v.errmsg), "%s", msg);
}

static void
test_fates(void)
{
	struct queue_job	 job;
	struct journal_record	 r;
	char			**ids, err[256];
	long			 n;

	setup("queue-fates", 64);
	/* Accepted: the record goes. */
	journaled_job(&job, 0);
	answer(&job, 1, 0, "");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_DELIVERED);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	queue_job_free(&job);

	/* Retryable: kept, one more attempt, the next try 30 s +-20% on. */
	journaled_job(&job, 0);
	answer(&job, 0, 1, "HTTP 500");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_RETRY);
	CHECK(job.next_at >= NOW_MS / 1000 + 24 &&
	    job.next_at <= NOW_MS / 1000 + 36);
	queue_job_free(&job);
	CHECK_INT(count(JOURNAL_PENDING), 1);
	n = journal_ids(&J, JOURNAL_PENDING, &ids, err, sizeof(err));
	CHECK_INT(n, 1);
	CHECK_INT(journal_read(&J, JOURNAL_PENDING, ids[0], &r, err,
	    sizeof(err)), 0);
	CHECK_INT(r.attempts, 1);
	CHECK_STR(r.last_error, "HTTP 500");
	journal_record_free(&r);
	journal_ids_free(ids, n);

	/* The last allowed attempt fails: dead, with the reason. */
	journaled_job(&job, 2);
	answer(&job, 0, 1, "HTTP 503");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_DEAD);
	CHECK(strstr(job.why, "dead after 3 attempts") != NULL);
	queue_job_free(&job);
	CHECK_INT(count(JOURNAL_DEAD), 1);

	/* Refused for good: dead at the first attempt. */
	journaled_job(&job, 0);
	answer(&job, 0, 0, "errcode 93000: invalid webhook url");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_DEAD);
	CHECK(strstr(job.why, "refused for good") != NULL);
	queue_job_free(&job);
	CHECK_INT(count(JOURNAL_DEAD), 2);

	/* No spool_dir: no record, only the fate. */
	memset(&job, 0, sizeof(job));
	job.c.fd = -1;
	job.wh = config_webhook(config_app(cfg, "demo"), "hook");
	answer(&job, 0, 1, "HTTP 500");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_FAILED);
	queue_job_free(&job);
	teardown();
}

/* Over spool_max_mb: a retryable failure is not kept. */
static void
test_cap(void)
{
	struct queue_job	 job;
	struct buf		 path = { 0 };
	char			*junk;

	setup("queue-cap", 1);
	buf_printf(&path, "%s/dead/old.json", dir);
	junk = xcalloc(1, 1024 * 1024 + 1);
	CHECK_INT(tmpdir_write(path.data, junk, 1024 * 1024 + 1), 0);
	free(junk);
	journaled_job(&job, 0);
	answer(&job, 0, 1, "HTTP 500");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_FULL);
	CHECK(strstr(job.d.v.errmsg, "spool_max_mb") != NULL);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	queue_job_free(&job);
	/* Refused for good is still kept, with its reason. */
	journaled_job(&job, 0);
	answer(&job, 0, 0, "errcode 93000");
	queue_finish(&Q, &job, NOW_MS);
	CHECK_INT(job.fate, QUEUE_DEAD);
	queue_job_free(&job);
	buf_free(&path);
	teardown();
}

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
	RUN(test_fates);
	RUN(test_cap);
	RUN(test_backoff);
	return TEST_END();
}
