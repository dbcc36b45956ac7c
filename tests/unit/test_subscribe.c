/* subscribe.c: which enabled webhooks an event type goes to. */
#include <string.h>

#include "config.h"
#include "subscribe.h"
#include "test.h"

static void
test_subscribe(void)
{
	char		 c1[] = "crash", c2[] = "updateVersion", c3[] = "*";
	char		*ev1[] = { c1, c2 };
	char		*ev2[] = { c3 };
	struct app	 app;
	const struct webhook *out[APP_WEBHOOKS_MAX];

	memset(&app, 0, sizeof(app));
	app.n_webhooks = 3;
	app.webhooks[0].events.v = ev1;
	app.webhooks[0].events.n = 2;
	app.webhooks[0].enabled = 1;
	app.webhooks[1].events.v = ev2;
	app.webhooks[1].events.n = 1;
	app.webhooks[1].enabled = 1;
	app.webhooks[2].events.v = ev2;
	app.webhooks[2].events.n = 1;
	app.webhooks[2].enabled = 0;

	CHECK(subscribe_match(&app.webhooks[0], "crash log"));
	CHECK(subscribe_match(&app.webhooks[0], "crashLog"));
	CHECK(subscribe_match(&app.webhooks[0], "update_version"));
	CHECK(subscribe_match(&app.webhooks[0], "UPDATE"));
	CHECK(!subscribe_match(&app.webhooks[0], "feedback"));
	CHECK(subscribe_match(&app.webhooks[1], "somethingNew"));
	CHECK_INT(subscribe_select(&app, "feedback", out), 1);
	CHECK(out[0] == &app.webhooks[1]);
	CHECK_INT(subscribe_select(&app, "updateVersion", out), 2);
}

int
main(void)
{
	RUN(test_subscribe);
	return TEST_END();
}
