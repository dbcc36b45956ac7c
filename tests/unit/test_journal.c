/*
 * Unit tests: the journal's records on disk.  Every test works in its
 * own directory under $TMPDIR; processes that must race are forked and
 * synchronised through pipes, never through sleeps.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "xalloc.h"
#include "test.h"
#include "tmpdir.h"

#define NOW	1764370000LL

static char		 dir[4096];
static struct journal	 J;

static void
setup(const char *name)
{
	char	 err[512];

	tmpdir_make(dir, sizeof(dir), name);
	if (journal_open(&J, dir, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "journal_open: %s\n", err);
		exit(2);
	}
}

static void
teardown(void)
{
	journal_close(&J);
	tmpdir_remove(dir);
}

/* A record like the CGI writes: body with bytes JSON has to escape. */
static void
make_item(struct journal_record *it, const char *webhook)
{
	static const char body[] = "{\"title\":\"\xe5\xba\x94\xe7\x94\xa8\","
	    "\"q\":\"\\\"x\\\"\",\"nl\":\"a\nb\"}\0\x01\xff\xfe end";

	memset(it, 0, sizeof(*it));
	it->app = xstrdup("oooplay_test");
	it->webhook = xstrdup(webhook);
	it->body = xmalloc(sizeof(body));
	memcpy(it->body, body, sizeof(body));
	it->body_len = sizeof(body);	/* with the NUL at the end */
	it->received = NOW;
	it->attempts = 1;
	it->next_at = NOW + 30;
	it->last_error = xstrdup("errcode 45009: api freq out of limit");
}

struct ids {
	char	 id[8][JOURNAL_ID_MAX];
	size_t	 n;
};

static void
list(enum journal_queue q, struct ids *l)
{
	char	**ids, err[256];
	long	 n;

	memset(l, 0, sizeof(*l));
	if ((n = journal_ids(&J, q, &ids, err, sizeof(err))) == -1) {
		fprintf(stderr, "journal_ids: %s\n", err);
		return;
	}
	for (long i = 0; i < n && l->n < 8; i++)
		snprintf(l->id[l->n++], JOURNAL_ID_MAX, "%s", ids[i]);
	journal_ids_free(ids, n);
}

static size_t
count(enum journal_queue q)
{
	char	**ids, err[256];
	long	 n;

	if ((n = journal_ids(&J, q, &ids, err, sizeof(err))) == -1) {
		fprintf(stderr, "journal_ids: %s\n", err);
		return 99;
	}
	journal_ids_free(ids, n);
	return (size_t)n;
}

static void
test_put_read(void)
{
	struct journal_record	 it, back;
	struct ids		 l;
	struct stat		 st;
	struct buf		 path = { 0 };
	char			 err[256];
	mode_t			 old;

	setup("journal-put");
	make_item(&it, "iOS group");
	/* The mode must not depend on the umask either way. */
	old = umask(0);
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	umask(0277);
	make_item(&back, "QA");
	CHECK_INT(journal_put(&J, &back, NULL, NULL, err,
	    sizeof(err)), 0);
	umask(old);
	journal_record_free(&back);

	list(JOURNAL_PENDING, &l);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.id[0], it.id);		/* oldest first */
	for (size_t i = 0; i < l.n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s.json", dir, l.id[i]);
		CHECK_INT(stat(path.data, &st), 0);
		CHECK_INT(st.st_mode & 07777, 0600);
	}
	CHECK_INT(stat(dir, &st), 0);
	CHECK_INT(count(JOURNAL_DEAD), 0);

	CHECK_INT(journal_read(&J, JOURNAL_PENDING, it.id, &back, err,
	    sizeof(err)), 0);
	CHECK_STR(back.id, it.id);
	CHECK_STR(back.app, "oooplay_test");
	CHECK_STR(back.webhook, "iOS group");
	CHECK_INT(back.body_len, it.body_len);
	CHECK(memcmp(back.body, it.body, it.body_len) == 0);
	CHECK_INT(back.received, NOW);
	CHECK_INT(back.attempts, 1);
	CHECK_INT(back.next_at, NOW + 30);
	CHECK_STR(back.last_error, it.last_error);
	journal_record_free(&back);

	CHECK_INT(journal_read(&J, JOURNAL_PENDING, "no-such-item", &back, err,
	    sizeof(err)), 1);
	CHECK_INT(journal_read(&J, JOURNAL_PENDING, "../etc/passwd", &back, err,
	    sizeof(err)), -1);
	journal_record_free(&it);
	buf_free(&path);
	teardown();
}

static void
test_put_errors(void)
{
	struct journal_record	 it;
	char			 err[256];

	setup("journal-err");
	make_item(&it, "x");
	/* The parent of spool_dir is not created: a typo stays visible. */
	{
		struct journal	 j;
		char		 bad[4200];

		snprintf(bad, sizeof(bad), "%s/no/such/dir", dir);
		CHECK_INT(journal_open(&j, bad, 1, err, sizeof(err)), -1);
		CHECK(strstr(err, bad) != NULL);
		CHECK(strstr(err, strerror(ENOENT)) != NULL);
	}
	free(it.body);
	it.body = xcalloc(1, JOURNAL_BODY_MAX + 1);
	it.body_len = JOURNAL_BODY_MAX + 1;
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than the journal keeps") != NULL);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	journal_record_free(&it);
	teardown();
}

static void
test_claim_done(void)
{
	struct journal_record	 it;
	struct journal_claim	 c, c2;
	char			 err[256];

	setup("journal-done");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_STR(c.rec.webhook, "iOS group");
	CHECK_INT(c.rec.body_len, it.body_len);
	/* A second open file, even in this process, is refused. */
	CHECK_INT(journal_claim(&J, it.id, &c2, err, sizeof(err)), 1);
	CHECK_INT(journal_done(&c, err, sizeof(err)), 0);
	CHECK_INT(c.fd, -1);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	CHECK_INT(count(JOURNAL_DEAD), 0);
	CHECK_INT(journal_claim(&J, it.id, &c2, err, sizeof(err)), 1);
	journal_record_free(&it);
	teardown();
}

static void
test_retry_defer(void)
{
	struct journal_record	 it;
	struct journal_claim	 c;
	struct buf		 path = { 0 };
	struct stat		 st;
	char			 err[256];

	setup("journal-retry");
	make_item(&it, "QA");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(journal_retry(&c, NOW + 600, "HTTP 502", err, sizeof(err)),
	    0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(c.rec.attempts, 2);
	CHECK_INT(c.rec.next_at, NOW + 600);
	CHECK_STR(c.rec.last_error, "HTTP 502");
	CHECK_INT(c.rec.received, NOW);
	CHECK_INT(journal_defer(&c, NOW + 700, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(c.rec.attempts, 2);
	CHECK_INT(c.rec.next_at, NOW + 700);
	CHECK_STR(c.rec.last_error, "HTTP 502");
	CHECK_INT(c.rec.body_len, it.body_len);
	CHECK(memcmp(c.rec.body, it.body, it.body_len) == 0);
	journal_release(&c);
	journal_release(&c);	/* twice is harmless */
	buf_printf(&path, "%s/%s.json", dir, it.id);
	CHECK_INT(stat(path.data, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(count(JOURNAL_PENDING), 1);
	buf_free(&path);
	journal_record_free(&it);
	teardown();
}

static void
test_bury_requeue(void)
{
	struct journal_record	 it, back;
	struct journal_claim	 c;
	struct ids		 l;
	char			 err[256];

	setup("journal-dead");
	make_item(&it, "PM");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(journal_bury(&c, 1, "errcode 310000: keywords not in "
	    "content", err, sizeof(err)), 0);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	list(JOURNAL_DEAD, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.id[0], it.id);
	CHECK_INT(journal_read(&J, JOURNAL_DEAD, it.id, &back, err,
	    sizeof(err)), 0);
	CHECK_INT(back.attempts, 2);
	CHECK_STR(back.last_error, "errcode 310000: keywords not in content");
	journal_record_free(&back);
	/* Dead items are not claimable for sending. */
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 1);

	CHECK_INT(journal_requeue(&J, it.id, NOW + 5000, err, sizeof(err)), 0);
	CHECK_INT(count(JOURNAL_DEAD), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(c.rec.attempts, 0);
	CHECK_INT(c.rec.next_at, NOW + 5000);
	CHECK_INT(c.rec.received, NOW + 5000);
	CHECK_STR(c.rec.last_error, "errcode 310000: keywords not in "
	    "content");
	CHECK(memcmp(c.rec.body, it.body, it.body_len) == 0);
	/* Buried without an attempt: the count stays. */
	CHECK_INT(journal_bury(&c, 0, "too old", err, sizeof(err)), 0);
	CHECK_INT(journal_read(&J, JOURNAL_DEAD, it.id, &back, err,
	    sizeof(err)), 0);
	CHECK_INT(back.attempts, 0);
	journal_record_free(&back);
	CHECK_INT(journal_requeue(&J, "no-such-item", NOW, err, sizeof(err)),
	    1);
	journal_record_free(&it);
	teardown();
}

/* Forks a child that claims id and exits 0 when claimed, 1 when busy. */
static int
child_claim(const char *id)
{
	struct journal_claim	 c;
	char			 err[256];
	pid_t			 pid;
	int			 status, rc;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		rc = journal_claim(&J, id, &c, err, sizeof(err));
		if (rc == 0)
			journal_release(&c);
		_exit(rc == 0 ? 0 : rc == 1 ? 1 : 2);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
test_claim_other_process(void)
{
	struct journal_record	 it;
	struct journal_claim	 c;
	char			 err[256];

	setup("journal-fork");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(child_claim(it.id), 1);
	journal_release(&c);
	CHECK_INT(child_claim(it.id), 0);
	journal_record_free(&it);
	teardown();
}

/*
 * A claimer that dies while sending: the kernel drops its lock, the item
 * is still pending, whole, and the next drain claims it.
 */
static void
test_killed_claimer(void)
{
	struct journal_record	 it;
	struct journal_claim	 c;
	char			 err[256], b;
	int			 held[2], go[2], status;
	pid_t			 pid;

	setup("journal-crash");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	if (pipe(held) == -1 || pipe(go) == -1) {
		CHECK(!"pipe");
		return;
	}
	if ((pid = fork()) == 0) {
		close(held[0]);
		close(go[1]);
		if (journal_claim(&J, it.id, &c, err, sizeof(err)) != 0)
			_exit(2);
		(void)!write(held[1], "x", 1);
		(void)!read(go[0], &b, 1);
		_exit(0);		/* no release, no done */
	}
	close(held[1]);
	close(go[0]);
	CHECK_INT(read(held[0], &b, 1), 1);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 1);
	(void)!write(go[1], "x", 1);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), 0);
	CHECK_INT(c.rec.attempts, 1);
	CHECK(memcmp(c.rec.body, it.body, it.body_len) == 0);
	journal_release(&c);
	close(held[0]);
	close(go[1]);
	journal_record_free(&it);
	teardown();
}

/*
 * Many processes race for one item and "send" it: exactly one wins; the
 * others find it busy or already delivered.
 */
static void
test_claim_race(void)
{
	struct journal_record	 it;
	struct journal_claim	 c;
	char			 err[256];
	int			 start[2], status, won = 0, lost = 0;
	pid_t			 pids[16];
	char			 b;

	setup("journal-race");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	if (pipe(start) == -1) {
		CHECK(!"pipe");
		return;
	}
	for (int i = 0; i < 16; i++) {
		if ((pids[i] = fork()) == 0) {
			close(start[1]);
			/* Everyone starts when the pipe closes. */
			(void)!read(start[0], &b, 1);
			if (journal_claim(&J, it.id, &c, err,
			    sizeof(err)) != 0)
				_exit(1);
			_exit(journal_done(&c, err, sizeof(err)) == 0 ? 0 : 2);
		}
	}
	close(start[0]);
	close(start[1]);
	for (int i = 0; i < 16; i++) {
		if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status))
			continue;
		if (WEXITSTATUS(status) == 0)
			won++;
		else if (WEXITSTATUS(status) == 1)
			lost++;
	}
	CHECK_INT(won, 1);
	CHECK_INT(lost, 15);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	journal_record_free(&it);
	teardown();
}

/* A writer that crashed before its rename left a temporary file. */
static void
test_stale_tmp(void)
{
	struct journal_record	 it;
	struct buf		 tmp = { 0 };
	struct stat		 st;
	char			 err[256];
	long long		 now = (long long)time(NULL);

	setup("journal-tmp");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	buf_printf(&tmp, "%s/.tmp-1764370000.000000001.42.0", dir);
	CHECK_INT(tmpdir_write(tmp.data, "{\"v\":1,\"app", 11), 0);
	CHECK_INT(count(JOURNAL_PENDING), 1);
	/* A fresh one may belong to a live writer. */
	CHECK_INT(journal_clean(&J, now, err, sizeof(err)), 0);
	CHECK_INT(stat(tmp.data, &st), 0);
	CHECK_INT(journal_clean(&J, now + JOURNAL_TMP_STALE + 5, err,
	    sizeof(err)), 1);
	CHECK_INT(stat(tmp.data, &st), -1);
	CHECK_INT(count(JOURNAL_PENDING), 1);
	buf_free(&tmp);
	journal_record_free(&it);
	teardown();
}

/* Files that are not items: refused with a reason, moved out of the way. */
static void
test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"[]",
		"{\"v\":1}",
		"{\"v\":2,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":-1,\"next_at\":1,\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":99999999999999999999999,"
		    "\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1.5,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\\u0000b\",\"webhook\":\"w\","
		    "\"received\":1,\"attempts\":0,\"next_at\":1,"
		    "\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"app\":\"b\",\"webhook\":\"w\","
		    "\"received\":1,\"attempts\":0,\"next_at\":1,"
		    "\"body\":\"{}\"}",
		"{\"v\":1,\"app\":{\"x\":1},\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\",\"x\":[1]}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"w\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"} {}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":1,\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"}",
		"{\"v\":1,\"app\":\"a\",\"webhook\":\"\xff\",\"received\":1,"
		    "\"attempts\":0,\"next_at\":1,\"body\":\"{}\"}",
	};
	static const char	 good[] = "{\"v\":1,\"app\":\"a\","
	    "\"webhook\":\"w\",\"received\":1,\"attempts\":0,\"next_at\":1,"
	    "\"body\":\"{}\",\"new\":true}";
	struct journal_claim	 c;
	struct journal_record	 it;
	struct buf		 path = { 0 };
	char			 err[512], id[32];

	setup("journal-bad");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(id, sizeof(id), "bad-%zu", i);
		buf_reset(&path);
		buf_printf(&path, "%s/%s.json", dir, id);
		CHECK_INT(tmpdir_write(path.data, bad[i], strlen(bad[i])), 0);
		chmod(path.data, 0600);
		err[0] = '\0';
		CHECK_INT(journal_read(&J, JOURNAL_PENDING, id, &it, err,
		    sizeof(err)), -1);
		CHECK(strstr(err, "not a journal record") != NULL);
		CHECK_INT(journal_claim(&J, id, &c, err, sizeof(err)), -1);
		if (strstr(err, "moved to dead/") == NULL)
			fprintf(stderr, "case %zu: %s\n", i, err);
		CHECK(strstr(err, "moved to dead/") != NULL);
		/* A dead unreadable item stays dead. */
		CHECK_INT(journal_requeue(&J, id, NOW, err, sizeof(err)), -1);
	}
	CHECK_INT(count(JOURNAL_PENDING), 0);
	/* A valid one with an unknown scalar key is read (newer writer). */
	buf_reset(&path);
	buf_printf(&path, "%s/ok.json", dir);
	CHECK_INT(tmpdir_write(path.data, good, strlen(good)), 0);
	CHECK_INT(journal_read(&J, JOURNAL_PENDING, "ok", &it, err,
	    sizeof(err)), 0);
	CHECK_STR(it.app, "a");
	CHECK_INT(it.body_len, 2);
	journal_record_free(&it);
	buf_free(&path);
	teardown();
}

/* A file bigger than any item is refused without reading it all. */
static void
test_too_big(void)
{
	struct journal_record	 it;
	struct buf		 path = { 0 };
	char			 err[512];
	FILE			*f;

	setup("journal-big");
	buf_printf(&path, "%s/big.json", dir);
	if ((f = fopen(path.data, "w")) != NULL) {
		fseek(f, JOURNAL_RECORD_MAX, SEEK_SET);
		fputc('}', f);
		fclose(f);
	}
	CHECK_INT(journal_read(&J, JOURNAL_PENDING, "big", &it, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "more than") != NULL);
	buf_free(&path);
	teardown();
}

static void
one_webhook(const char *webhook, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s;", webhook);
}

/*
 * The CGI's write-ahead records: claimed from before they have a name,
 * found again by the event's tag while pending or dead.
 */
static void
test_claimed_tagged(void)
{
	static const char tag[] = "0123456789abcdef0123456789abcdef";
	struct journal_record	 it, other;
	struct journal_claim	 c, c2;
	struct buf		 b = { 0 };
	char			 err[256];

	setup("journal-tag");
	make_item(&it, "iOS group");
	make_item(&other, "QA");
	it.event = xstrdup(tag);
	CHECK_INT(journal_put(&J, &it, tag, &c, err, sizeof(err)), 0);
	CHECK(strstr(it.id, "-0123456789abcdef") != NULL);
	CHECK_STR(c.rec.webhook, "iOS group");
	CHECK_STR(c.rec.event, tag);
	CHECK_INT(c.rec.body_len, it.body_len);
	CHECK_INT(journal_claim(&J, it.id, &c2, err, sizeof(err)), 1);
	CHECK_INT(journal_put(&J, &other, NULL, NULL, err, sizeof(err)), 0);
	CHECK_INT(journal_tagged(&J, tag, one_webhook, &b, err, sizeof(err)),
	    1);
	CHECK_STR(b.data, "iOS group;");
	/* Dead, it still counts: the journal still holds it. */
	CHECK_INT(journal_bury(&c, 1, "refused", err, sizeof(err)), 0);
	buf_reset(&b);
	CHECK_INT(journal_tagged(&J, tag, one_webhook, &b, err, sizeof(err)),
	    1);
	CHECK_STR(b.data, "iOS group;");
	CHECK_INT(journal_tagged(&J, "ffffffffffffffff", one_webhook, &b, err,
	    sizeof(err)), 0);
	CHECK_INT(journal_put(&J, &it, "not-hex", NULL, err, sizeof(err)), -1);
	buf_free(&b);
	journal_record_free(&it);
	journal_record_free(&other);
	teardown();
}

static void
test_bytes(void)
{
	struct journal_record	 it;
	struct buf		 path = { 0 };
	struct stat		 st;
	char			 err[256];
	long long		 before;

	setup("journal-bytes");
	CHECK_INT(journal_bytes(&J, err, sizeof(err)), 0);
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	buf_printf(&path, "%s/%s.json", dir, it.id);
	CHECK_INT(stat(path.data, &st), 0);
	CHECK_INT(journal_bytes(&J, err, sizeof(err)), st.st_size);
	before = st.st_size;
	buf_reset(&path);
	buf_printf(&path, "%s/dead/old.json", dir);
	CHECK_INT(tmpdir_write(path.data, "12345", 5), 0);
	CHECK_INT(journal_bytes(&J, err, sizeof(err)), before + 5);
	buf_free(&path);
	journal_record_free(&it);
	teardown();
}

/* Directories that are not ours to trust are refused, with the reason. */
static void
test_open_refuses(void)
{
	struct journal	 j;
	char		 err[512], sub[4200], link[4300];

	setup("journal-dirs");
	snprintf(sub, sizeof(sub), "%s/open", dir);
	CHECK_INT(mkdir(sub, 0700), 0);
	CHECK_INT(chmod(sub, 0777), 0);
	CHECK_INT(journal_open(&j, sub, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "writable by group or others") != NULL);
	CHECK_INT(chmod(sub, 0700), 0);
	CHECK_INT(journal_open(&j, sub, 0, err, sizeof(err)), 0);
	journal_close(&j);
	/* spool_dir itself a link, then its dead/. */
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK_INT(symlink(sub, link), 0);
	CHECK_INT(journal_open(&j, link, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	snprintf(link, sizeof(link), "%s/dead", sub);
	CHECK_INT(rmdir(link), 0);
	CHECK_INT(symlink(dir, link), 0);
	CHECK_INT(journal_open(&j, sub, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "dead is not a directory") != NULL);
	if (geteuid() == 0) {
		CHECK_INT(unlink(link), 0);
		CHECK_INT(chown(sub, 65534, 65534), 0);
		CHECK_INT(journal_open(&j, sub, 0, err, sizeof(err)), -1);
		CHECK(strstr(err, "belongs to uid 65534") != NULL);
	}
	teardown();
}

/* A record readable by others was not written by us: quarantined. */
static void
test_quarantine(void)
{
	struct journal_record	 it;
	struct journal_claim	 c;
	struct buf		 path = { 0 };
	char			 err[512];

	setup("journal-quarantine");
	make_item(&it, "iOS group");
	CHECK_INT(journal_put(&J, &it, NULL, NULL, err, sizeof(err)), 0);
	buf_printf(&path, "%s/%s.json", dir, it.id);
	CHECK_INT(chmod(path.data, 0644), 0);
	CHECK_INT(journal_claim(&J, it.id, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "quarantined") != NULL);
	CHECK_INT(count(JOURNAL_PENDING), 0);
	CHECK_INT(count(JOURNAL_DEAD), 0);
	buf_reset(&path);
	buf_printf(&path, "%s/dead/%s.quarantined", dir, it.id);
	CHECK_INT(access(path.data, F_OK), 0);
	buf_free(&path);
	journal_record_free(&it);
	teardown();
}

int
main(void)
{
	RUN(test_claimed_tagged);
	RUN(test_bytes);
	RUN(test_open_refuses);
	RUN(test_quarantine);
	RUN(test_put_read);
	RUN(test_put_errors);
	RUN(test_claim_done);
	RUN(test_retry_defer);
	RUN(test_bury_requeue);
	RUN(test_claim_other_process);
	RUN(test_killed_claimer);
	RUN(test_claim_race);
	RUN(test_stale_tmp);
	RUN(test_malformed);
	RUN(test_too_big);
	return TEST_END();
}
