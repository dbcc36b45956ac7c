/*
 * Unit tests: --drain, --spool-status, --requeue, against a mock robot on
 * a loopback port that answers each connection with the next scripted
 * reply and records what it got.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "drain.h"
#include "ratelimit.h"
#include "journal.h"
#include "lock.h"
#include "xalloc.h"
#include "test.h"
#include "tmpdir.h"

#define EVENT	"{\"action\":\"\xe5\xba\x94\xe7\x94\xa8\xe6\x9b\xb4\xe6\x96\xb0\"," \
	"\"title\":\"QQ\",\"link\":\"https://www.pgyer.com/demo\"," \
	"\"type\":\"updateVersion\",\"os_version\":\"0.4.0\"," \
	"\"build_version\":\"2\",\"timestamp\":1594781454}"

static char	 dir[4096], spool[4200], state[4200];
static pid_t	 mock_pid;
static int	 mock_port;
static long long now_s;

/* Reads one HTTP request from fd; writes its body to path. */
static void
mock_serve(int fd, const char *path, const char *reply)
{
	char		 req[65536], *end, *cl, out[1024];
	size_t		 len = 0, want = 0, head;
	ssize_t		 n;
	int		 status;
	const char	*body;

	while (len < sizeof(req) - 1) {
		if ((n = read(fd, req + len, sizeof(req) - 1 - len)) <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if ((end = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		head = (size_t)(end - req) + 4;
		for (cl = req; (cl = strchr(cl, '\n')) != NULL; cl++)
			if (strncasecmp(cl + 1, "Content-Length:", 15) == 0)
				want = strtoul(cl + 16, NULL, 10);
		if (len >= head + want) {
			tmpdir_write(path, req + head, want);
			break;
		}
	}
	status = atoi(reply);
	body = strchr(reply, ' ') != NULL ? strchr(reply, ' ') + 1 : "";
	snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close"
	    "\r\n\r\n%s", status, strlen(body), body);
	(void)!write(fd, out, strlen(out));
}

/* Starts the mock: the i-th connection gets replies[i] ("200 {...}"). */
static void
mock_start(const char *const replies[], size_t n)
{
	struct sockaddr_in	 sa;
	socklen_t		 salen = sizeof(sa);
	int			 s, c, one = 1;
	char			 path[4300];

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 16) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &salen) == -1) {
		perror("mock");
		exit(2);
	}
	mock_port = ntohs(sa.sin_port);
	if ((mock_pid = fork()) == 0) {
		for (size_t i = 0; i < n; i++) {
			if ((c = accept(s, NULL, NULL)) == -1)
				_exit(1);
			snprintf(path, sizeof(path), "%s/got-%zu", dir, i);
			mock_serve(c, path, replies[i]);
			close(c);
		}
		_exit(0);
	}
	close(s);
}

static void
mock_stop(void)
{
	if (mock_pid > 0) {
		kill(mock_pid, SIGTERM);
		waitpid(mock_pid, NULL, 0);
	}
	mock_pid = 0;
}

/* What the mock's i-th connection carried, or NULL. */
static char *
mock_got(size_t i)
{
	struct buf	 b = { 0 };
	char		 path[4300], chunk[4096];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/got-%zu", dir, i);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_release(&b);
}

static struct config *
make_config(void)
{
	struct config	*cfg;
	struct buf	 text = { 0 }, errors = { 0 };

	buf_printf(&text, "{ \"timeout_ms\": 3000, \"spool_dir\": \"%s\", "
	    "\"state_dir\": \"%s\", \"max_attempts\": 5, \"max_age\": 86400, "
	    "\"apps\": { \"demo\": {"
	    "\"webhooks\": ["
	    "{ \"name\": \"hook\", \"type\": \"json\", \"url\": "
	    "\"http://127.0.0.1:%d/hook\", \"events\": [\"*\"] },"
	    "{ \"name\": \"wc\", \"type\": \"wecom\", \"url\": "
	    "\"http://127.0.0.1:%d/cgi-bin/webhook/send?key=SECRETKEY\", "
	    "\"events\": [\"*\"] },"
	    "{ \"name\": \"off\", \"type\": \"json\", \"url\": "
	    "\"http://127.0.0.1:%d/off\", \"events\": [\"*\"], "
	    "\"enabled\": false } ] } } }", spool, state, mock_port, mock_port,
	    mock_port);
	if ((cfg = config_parse(text.data, text.len, &errors)) == NULL)
		fprintf(stderr, "config: %s\n", errors.data);
	buf_free(&text);
	buf_free(&errors);
	return cfg;
}

static void
setup(const char *name)
{
	tmpdir_make(dir, sizeof(dir), name);
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	mkdir(state, 0700);
	now_s = (long long)time(NULL);
}

static void
teardown(void)
{
	mock_stop();
	tmpdir_remove(dir);
}

/* Queues EVENT for webhook; returns the id in id. */
static void
put(const char *app, const char *webhook, long long attempts,
    long long received, long long next_at, char id[JOURNAL_ID_MAX])
{
	struct journal_record	 it;
	struct journal		 j;
	char			 err[256];

	if (journal_open(&j, spool, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "journal_open: %s\n", err);
		return;
	}
	memset(&it, 0, sizeof(it));
	it.app = (char *)app;
	it.webhook = (char *)webhook;
	it.body = (char *)EVENT;
	it.body_len = strlen(EVENT);
	it.received = received;
	it.attempts = attempts;
	it.next_at = next_at;
	it.last_error = (char *)"HTTP 502";
	if (journal_put(&j, &it, NULL, NULL, err, sizeof(err)) == -1)
		fprintf(stderr, "journal_put: %s\n", err);
	snprintf(id, JOURNAL_ID_MAX, "%s", it.id);
	journal_close(&j);
}

/* Runs a drain; its output goes to out (freed by the caller). */
static int
drain(const struct config *cfg, int all, struct drain_counts *n, char **out)
{
	struct drain_opts	 o;
	char			*text = NULL, err[512];
	size_t			 len = 0;
	FILE			*f;
	int			 rc;

	memset(&o, 0, sizeof(o));
	o.all = all;
	f = open_memstream(&text, &len);
	rc = drain_run(cfg, &o, now_s * 1000, f, n, err, sizeof(err));
	fclose(f);
	if (rc == -1)
		fprintf(stderr, "drain_run: %s\n", err);
	*out = text;
	return rc;
}

static int
read_item(enum journal_queue q, const char *id, struct journal_record *it)
{
	struct journal	 j;
	char		 err[256];
	int		 rc;

	memset(it, 0, sizeof(*it));
	if (journal_open(&j, spool, 0, err, sizeof(err)) == -1)
		return -1;
	rc = journal_read(&j, q, id, it, err, sizeof(err));
	journal_close(&j);
	return rc;
}

static void
test_deliver(void)
{
	static const char *const replies[] = { "200 ok" };
	struct config		*cfg;
	struct drain_counts	 n;
	struct journal_record	 it;
	char			 id[JOURNAL_ID_MAX], *out, *got;

	setup("drain-ok");
	mock_start(replies, 1);
	cfg = make_config();
	put("demo", "hook", 1, now_s - 60, now_s - 1, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.delivered, 1);
	CHECK_INT(n.retry + n.dead + n.errors + n.busy + n.waiting, 0);
	CHECK(strstr(out, "delivered") != NULL);
	CHECK(strstr(out, id) != NULL);
	CHECK(strstr(out, "127.0.0.1") == NULL);
	free(out);
	CHECK_INT(read_item(JOURNAL_PENDING, id, &it), 1);
	/* The json robot gets the event byte for byte. */
	got = mock_got(0);
	CHECK_STR(got, EVENT);
	free(got);
	/* Nothing left: a second drain does nothing. */
	CHECK_INT(drain(cfg, 1, &n, &out), 0);
	CHECK_INT(n.delivered + n.retry + n.dead + n.errors + n.waiting, 0);
	CHECK_STR(out, "");
	free(out);
	config_free(cfg);
	teardown();
}

static void
test_not_due(void)
{
	static const char *const replies[] = { "200 ok" };
	struct config		*cfg;
	struct drain_counts	 n;
	char			 id[JOURNAL_ID_MAX], *out;

	setup("drain-due");
	mock_start(replies, 1);
	cfg = make_config();
	put("demo", "hook", 1, now_s, now_s + 100, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.waiting, 1);
	CHECK_INT(n.delivered, 0);
	CHECK_STR(out, "");
	free(out);
	/* --all: the operator fixed the robot, send it now. */
	CHECK_INT(drain(cfg, 1, &n, &out), 0);
	CHECK_INT(n.delivered, 1);
	free(out);
	config_free(cfg);
	teardown();
}

static void
test_retry_then_dead(void)
{
	static const char *const replies[] = { "500 busy", "503 busy",
	    "400 bad" };
	struct config		*cfg;
	struct drain_counts	 n;
	struct journal_record	 it;
	char			 id[JOURNAL_ID_MAX], id2[JOURNAL_ID_MAX], *out;

	setup("drain-retry");
	mock_start(replies, 3);
	cfg = make_config();
	put("demo", "hook", 1, now_s, now_s, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.retry, 1);
	CHECK(strstr(out, "attempt 2 of 5") != NULL);
	free(out);
	CHECK_INT(read_item(JOURNAL_PENDING, id, &it), 0);
	CHECK_INT(it.attempts, 2);
	/* The 2nd failure waits 60 s +-20%. */
	CHECK(it.next_at >= now_s + 48 && it.next_at <= now_s + 72);
	CHECK_STR(it.last_error, "HTTP 500");
	journal_record_free(&it);

	/* The last allowed attempt fails: dead. */
	put("demo", "hook", 4, now_s, now_s, id2);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.dead, 1);
	CHECK_INT(n.waiting, 1);		/* the first one */
	CHECK(strstr(out, "dead after 5 attempts") != NULL);
	free(out);
	CHECK_INT(read_item(JOURNAL_DEAD, id2, &it), 0);
	CHECK_INT(it.attempts, 5);
	CHECK_STR(it.last_error, "HTTP 503");
	journal_record_free(&it);

	/* Refused for good: dead at once. */
	CHECK_INT(drain(cfg, 1, &n, &out), 0);
	CHECK_INT(n.dead, 1);
	CHECK(strstr(out, "refused for good") != NULL);
	free(out);
	CHECK_INT(read_item(JOURNAL_DEAD, id, &it), 0);
	CHECK_STR(it.last_error, "HTTP 400");
	journal_record_free(&it);
	config_free(cfg);
	teardown();
}

/* Items the drain gives up on without sending anything. */
static void
test_give_up(void)
{
	struct config		*cfg;
	struct drain_counts	 n;
	struct journal_record	 it;
	struct buf		 path = { 0 };
	char			 ids[6][JOURNAL_ID_MAX], *out;

	setup("drain-giveup");
	mock_start(NULL, 0);		/* must not be called */
	cfg = make_config();
	put("gone", "hook", 1, now_s, now_s, ids[0]);
	put("demo", "gone", 1, now_s, now_s, ids[1]);
	put("demo", "off", 1, now_s, now_s, ids[2]);
	put("demo", "hook", 1, now_s - 86400, now_s, ids[3]);
	put("demo", "hook", 5, now_s, now_s, ids[4]);
	buf_printf(&path, "%s/zz-broken.json", spool);
	tmpdir_write(path.data, "{\"v\":1,", 7);
	chmod(path.data, 0600);
	/* Another user's, or readable by others: quarantined, not sent. */
	buf_reset(&path);
	buf_printf(&path, "%s/zz-open.json", spool);
	tmpdir_write(path.data, EVENT, strlen(EVENT));
	chmod(path.data, 0644);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.dead, 5);
	CHECK_INT(n.errors, 2);
	CHECK(strstr(out, "zz-open.json: readable or writable by others: "
	    "quarantined as") != NULL);
	buf_reset(&path);
	buf_printf(&path, "%s/dead/zz-open.quarantined", spool);
	CHECK_INT(access(path.data, F_OK), 0);
	CHECK_INT(n.delivered + n.retry, 0);
	CHECK(strstr(out, "app is no longer in the configuration") != NULL);
	CHECK(strstr(out, "webhook is no longer in the configuration") !=
	    NULL);
	CHECK(strstr(out, "disabled") != NULL);
	CHECK(strstr(out, "max_age") != NULL);
	CHECK(strstr(out, "gave up after 5 attempts; last error: HTTP 502") !=
	    NULL);
	CHECK(strstr(out, "zz-broken") != NULL);
	CHECK(strstr(out, "moved to dead/") != NULL);
	CHECK(strstr(out, "premature EOF; moved") != NULL);
	free(out);
	for (int i = 0; i < 5; i++) {
		CHECK_INT(read_item(JOURNAL_DEAD, ids[i], &it), 0);
		journal_record_free(&it);
	}
	buf_free(&path);
	config_free(cfg);
	teardown();
}

/* Robot limits: over it, the item waits for the next slot, unsent. */
static void
test_rate_limited(void)
{
	static const char *const replies[] = {
	    "200 {\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}",
	};
	struct config		*cfg;
	struct drain_counts	 n;
	struct journal_record	 it;
	long long		 next;
	char			 id[JOURNAL_ID_MAX], url[256], err[256], *out;

	setup("drain-rate");
	mock_start(replies, 1);
	cfg = make_config();
	/* The robot answers "too fast": retried, and the robot blocked. */
	put("demo", "wc", 1, now_s, now_s, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.retry, 1);
	CHECK(strstr(out, "45009") != NULL);
	CHECK(strstr(out, "SECRETKEY") == NULL);
	free(out);
	CHECK_INT(drain(cfg, 1, &n, &out), 0);
	CHECK_INT(n.deferred, 1);
	CHECK(strstr(out, "rate limited, next slot in") != NULL);
	free(out);
	CHECK_INT(read_item(JOURNAL_PENDING, id, &it), 0);
	CHECK_INT(it.attempts, 2);		/* deferring is no attempt */
	CHECK(it.next_at >= now_s + 60 && it.next_at <= now_s + 63);
	journal_record_free(&it);

	config_free(cfg);
	teardown();

	/* Twenty sends this minute by CGI processes: not even tried. */
	setup("drain-rate");
	mock_start(NULL, 0);
	cfg = make_config();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/cgi-bin/webhook/"
	    "send?key=SECRETKEY", mock_port);
	for (int i = 0; i < 20; i++)
		CHECK_INT(ratelimit_take(state, ROBOT_WECOM, url,
		    now_s * 1000 - 30000, clock_mono_ms() + 5000, &next, err,
		    sizeof(err)), 0);
	put("demo", "wc", 0, now_s, now_s, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.deferred, 1);
	CHECK_INT(n.retry + n.dead + n.delivered, 0);
	free(out);
	CHECK_INT(read_item(JOURNAL_PENDING, id, &it), 0);
	CHECK_INT(it.attempts, 0);
	CHECK_INT(it.next_at, now_s + 31);	/* 61 s after those sends */
	journal_record_free(&it);
	config_free(cfg);
	teardown();
}

/* An item another drain holds is left alone. */
static void
test_busy(void)
{
	struct config		*cfg;
	struct drain_counts	 n;
	struct journal_claim	 c;
	struct journal		 j;
	char			 id[JOURNAL_ID_MAX], err[256], *out;

	setup("drain-busy");
	mock_start(NULL, 0);
	cfg = make_config();
	put("demo", "hook", 1, now_s, now_s, id);
	CHECK_INT(journal_open(&j, spool, 0, err, sizeof(err)), 0);
	CHECK_INT(journal_claim(&j, id, &c, err, sizeof(err)), 0);
	CHECK_INT(drain(cfg, 1, &n, &out), 0);
	CHECK_INT(n.busy, 1);
	CHECK_INT(n.delivered + n.dead + n.retry, 0);
	free(out);
	journal_release(&c);
	journal_close(&j);
	config_free(cfg);
	teardown();
}

/* Nobody listening: a connection error is retryable. */
static void
test_refused(void)
{
	struct config		*cfg;
	struct drain_counts	 n;
	char			 id[JOURNAL_ID_MAX], *out;

	setup("drain-refused");
	mock_start(NULL, 0);
	mock_stop();			/* the port is closed now */
	cfg = make_config();
	put("demo", "hook", 1, now_s, now_s, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK_INT(n.retry, 1);
	CHECK(strstr(out, "cannot connect") != NULL);
	free(out);
	config_free(cfg);
	teardown();
}

/* What a record says reaches the terminal through the one sanitiser: an
 * escape sequence or a bidi override in it is shown, not obeyed. */
static void
test_hostile_names(void)
{
	struct config		*cfg;
	struct drain_counts	 n;
	char			 id[JOURNAL_ID_MAX], *out;

	setup("drain-hostile");
	mock_start(NULL, 0);
	cfg = make_config();
	put("demo", "ho\x1b[2Jok\xe2\x80\xae", 1, now_s, now_s, id);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);
	CHECK(out != NULL && strstr(out, "ho\\x1b[2Jok\\u202e") != NULL);
	CHECK(out != NULL && strchr(out, '\x1b') == NULL &&
	    strstr(out, "\xe2\x80\xae") == NULL);
	free(out);
	config_free(cfg);
	teardown();
}

static void
test_status_requeue(void)
{
	static const char *const replies[] = { "200 ok" };
	struct config		*cfg;
	struct drain_counts	 n;
	char			 id[JOURNAL_ID_MAX], id2[JOURNAL_ID_MAX];
	char			 err[256], *out, *text = NULL;
	char			*none[] = { NULL }, *bogus[] = { (char *)"x" };
	size_t			 len = 0, moved;
	FILE			*f;

	setup("drain-status");
	mock_start(replies, 1);
	cfg = make_config();
	put("demo", "hook", 1, now_s - 3600, now_s + 300, id);
	put("demo", "gone", 3, now_s - 7200, now_s, id2);
	CHECK_INT(drain(cfg, 0, &n, &out), 0);	/* id2 dies */
	CHECK_INT(n.dead, 1);
	free(out);

	f = open_memstream(&text, &len);
	CHECK_INT(drain_status(spool, now_s, f, err, sizeof(err)), 0);
	fclose(f);
	CHECK(strstr(text, "pending: 1\n") != NULL);
	CHECK(strstr(text, "dead: 1\n") != NULL);
	CHECK(strstr(text, id) != NULL);
	CHECK(strstr(text, id2) != NULL);
	CHECK(strstr(text, "next try") != NULL);
	CHECK(strstr(text, "(in 5m00s)") != NULL);
	CHECK(strstr(text, "webhook is no longer in the configuration") !=
	    NULL);
	CHECK(strstr(text, "127.0.0.1") == NULL);
	free(text);

	f = open_memstream(&text, &len);
	CHECK_INT(drain_requeue(spool, bogus, 1, now_s, f, &moved, err,
	    sizeof(err)), -1);
	CHECK_INT(moved, 0);
	CHECK_INT(drain_requeue(spool, none, 0, now_s, f, &moved, err,
	    sizeof(err)), 0);
	CHECK_INT(moved, 1);
	fclose(f);
	CHECK(strstr(text, "requeued") != NULL);
	free(text);

	f = open_memstream(&text, &len);
	CHECK_INT(drain_status(spool, now_s, f, err, sizeof(err)), 0);
	fclose(f);
	CHECK(strstr(text, "pending: 2\n") != NULL);
	CHECK(strstr(text, "dead: 0\n") != NULL);
	free(text);

	/* No spool configured: a clear error. */
	CHECK_INT(drain_status("", now_s, stdout, err, sizeof(err)), -1);
	CHECK(strstr(err, "spool_dir") != NULL);
	config_free(cfg);
	teardown();
}

/* The configuration keys the spool, rate limits and dedup read. */
static void
test_config_keys(void)
{
	static const char *const bad[] = {
		"{\"spool_dir\": \"var/spool\", \"apps\": {}}",
		"{\"state_dir\": 1, \"apps\": {}}",
		"{\"state_dir\": \"/x\\ny\", \"apps\": {}}",
		"{\"dedup_seconds\": -1, \"apps\": {}}",
		"{\"dedup_seconds\": 86401, \"apps\": {}}",
		"{\"max_attempts\": 0, \"apps\": {}}",
		"{\"max_attempts\": 1001, \"apps\": {}}",
		"{\"max_age\": 59, \"apps\": {}}",
		"{\"max_age\": 2592001, \"apps\": {}}",
	};
	static const char good[] = "{\"spool_dir\": \"/var/spool/pgyer\", "
	    "\"state_dir\": \"/var/lib/pgyer\", \"dedup_seconds\": 0, "
	    "\"max_attempts\": 3, \"max_age\": 3600, \"apps\": {}}";
	struct buf	 errors = { 0 };
	struct config	*cfg;

	cfg = config_parse("{\"apps\": {}}", 12, &errors);
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		/* Off unless asked for: an upgrade changes nothing. */
		CHECK_STR(cfg->spool_dir, "");
		CHECK_STR(cfg->state_dir, "");
		CHECK_INT(cfg->dedup_seconds, 600);
		CHECK_INT(cfg->max_attempts, 10);
		CHECK_INT(cfg->max_age, 86400);
		config_free(cfg);
	}
	cfg = config_parse(good, strlen(good), &errors);
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK_STR(cfg->spool_dir, "/var/spool/pgyer");
		CHECK_STR(cfg->state_dir, "/var/lib/pgyer");
		CHECK_INT(cfg->dedup_seconds, 0);
		CHECK_INT(cfg->max_attempts, 3);
		CHECK_INT(cfg->max_age, 3600);
		config_free(cfg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&errors);
		cfg = config_parse(bad[i], strlen(bad[i]), &errors);
		CHECK(cfg == NULL);
		config_free(cfg);
		CHECK(errors.len > 0);
	}
	buf_reset(&errors);
	config_parse(bad[0], strlen(bad[0]), &errors);
	CHECK_STR(errors.data, "spool_dir: must be an absolute path, or \"\" "
	    "for none\n");
	buf_free(&errors);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_deliver);
	RUN(test_not_due);
	RUN(test_retry_then_dead);
	RUN(test_give_up);
	RUN(test_rate_limited);
	RUN(test_busy);
	RUN(test_refused);
	RUN(test_status_requeue);
	RUN(test_hostile_names);
	RUN(test_config_keys);
	return TEST_END();
}
