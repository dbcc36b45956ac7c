/* relay.c: from an event to one request per subscribed, enabled webhook. */
#include <string.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "relay.h"
#include "test.h"

static const char config[] = "{\"apps\":{\"demo\":{\"webhooks\":["
    "{\"name\":\"wecom\",\"type\":\"wecom\","
    "\"url\":\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k\","
    "\"events\":[\"update\"]},"
    "{\"name\":\"all\",\"type\":\"json\","
    "\"url\":\"https://hooks.example/in\",\"events\":[\"*\"]},"
    "{\"name\":\"off\",\"type\":\"json\",\"enabled\":false,"
    "\"url\":\"https://hooks.example/off\",\"events\":[\"*\"]}"
    "]}}}";

static const char body[] = "{\"type\":\"updateVersion\",\"title\":\"QQ\","
    "\"link\":\"https://www.pgyer.com/demo\",\"message\":\"m\"}";

static struct config	*cfg;
static struct event	 ev;

static int
setup(void)
{
	struct buf	 errors = { 0 };
	char		 err[256];

	cfg = config_parse(config, sizeof(config) - 1, &errors);
	if (cfg == NULL) {
		fprintf(stderr, "%s", errors.data);
		buf_free(&errors);
		return -1;
	}
	buf_free(&errors);
	memset(&ev, 0, sizeof(ev));
	if (event_parse(&ev, body, sizeof(body) - 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* The subscribed, enabled webhooks in config order, each with its own
 * request: the JSON webhook gets the PGYER body byte for byte. */
static void
test_prepare(void)
{
	struct delivery	 d[APP_WEBHOOKS_MAX];
	const struct app *app = config_app(cfg, "demo");
	size_t		 n;

	CHECK(app != NULL);
	if (app == NULL)
		return;
	n = relay_prepare(cfg, app, &ev, body, sizeof(body) - 1,
	    1594781454000LL, NULL, d);
	CHECK_INT(n, 2);
	if (n != 2)
		return;
	CHECK_STR(d[0].name, "wecom");
	CHECK_INT(d[0].type, ROBOT_WECOM);
	CHECK_STR(d[0].req.url,
	    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k");
	CHECK(d[0].req.body != NULL &&
	    strstr(d[0].req.body, "\"msgtype\":\"markdown\"") != NULL);
	CHECK_STR(d[1].name, "all");
	CHECK_INT(d[1].type, ROBOT_JSON);
	CHECK_INT(d[1].req.body_len, sizeof(body) - 1);
	CHECK(d[1].req.body != NULL &&
	    memcmp(d[1].req.body, body, sizeof(body) - 1) == 0);
	relay_free(d, n);
}

/* only: the one webhook named, or none. */
static void
test_only(void)
{
	struct delivery	 d[APP_WEBHOOKS_MAX];
	const struct app *app = config_app(cfg, "demo");
	size_t		 n;

	if (app == NULL) {
		CHECK(0);
		return;
	}
	n = relay_prepare(cfg, app, &ev, body, sizeof(body) - 1, 0, "all", d);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(d[0].name, "all");
	relay_free(d, n);
	CHECK_INT(relay_prepare(cfg, app, &ev, body, sizeof(body) - 1, 0,
	    "off", d), 0);
	CHECK_INT(relay_prepare(cfg, app, &ev, body, sizeof(body) - 1, 0,
	    "nosuch", d), 0);
}

/* An event type nobody subscribed to but "*" reaches only "*". */
static void
test_other_type(void)
{
	static const char fb[] = "{\"type\":\"feedback\"}";
	struct delivery	 d[APP_WEBHOOKS_MAX];
	struct event	 e;
	const struct app *app = config_app(cfg, "demo");
	char		 err[256];
	size_t		 n;

	memset(&e, 0, sizeof(e));
	CHECK_INT(event_parse(&e, fb, sizeof(fb) - 1, err, sizeof(err)), 0);
	if (app == NULL) {
		CHECK(0);
		return;
	}
	n = relay_prepare(cfg, app, &e, fb, sizeof(fb) - 1, 0, NULL, d);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(d[0].name, "all");
	relay_free(d, n);
	event_free(&e);
}

int
main(void)
{
	if (setup() == -1) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_prepare);
	RUN(test_only);
	RUN(test_other_type);
	event_free(&ev);
	config_free(cfg);
	return TEST_END();
}
