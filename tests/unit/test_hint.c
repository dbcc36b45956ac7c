/* hint.c: what to do about a refusal, from the robot's answer. */
#include <string.h>

#include "deliver.h"
#include "hint.h"
#include "test.h"

static void
test_hints(void)
{
	struct delivery	 d;
	char		 url[] = "https://x";

	memset(&d, 0, sizeof(d));
	d.req.url = url;
	d.type = ROBOT_DINGTALK;
	d.http_status = 200;
	d.v.errcode = 310000;
	strcpy(d.v.errmsg, "errcode 310000: keywords not in content");
	CHECK(strstr(hint_for(&d), "\"keyword\"") != NULL);
	strcpy(d.v.errmsg, "errcode 310000: sign not match");
	CHECK(strstr(hint_for(&d), "clock") != NULL);
	d.type = ROBOT_WECOM;
	d.v.errcode = 93000;
	CHECK(strstr(hint_for(&d), "key=") != NULL);
	d.http_status = 0;
	d.timed_out = 1;
	CHECK(strstr(hint_for(&d), "timeout_ms") != NULL);
	d.ok = 1;
	CHECK(hint_for(&d) == NULL);
}

int
main(void)
{
	RUN(test_hints);
	return TEST_END();
}
