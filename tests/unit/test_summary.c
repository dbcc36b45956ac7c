/* summary.c: the response's status and its JSON summary. */
#include <string.h>

#include "buf.h"
#include "deliver.h"
#include "summary.h"
#include "test.h"

static void
test_summary(void)
{
	struct delivery	 d[3];
	struct buf	 b = { 0 };
	char		 err[128];

	memset(d, 0, sizeof(d));
	d[0].name = "iOS \"group\"";
	d[0].ok = 1;
	d[1].name = "QA";
	d[1].timed_out = 1;
	strcpy(d[1].v.errmsg, "no answer within 5000 ms");
	d[2].name = "PM";
	strcpy(d[2].v.errmsg, "errcode 19021: sign match fail");

	CHECK_INT(summary_status(d, 0), HTTP_200);
	CHECK_INT(summary_status(d, 1), HTTP_200);
	CHECK_INT(summary_status(d, 2), HTTP_504);
	CHECK_INT(summary_status(d, 3), HTTP_502);
	CHECK_INT(summary_json(&b, "demo", "updateVersion", d, 3, err,
	    sizeof(err)), 0);
	CHECK_STR(b.data, "{\"app\":\"demo\",\"type\":\"updateVersion\","
	    "\"delivered\":1,\"failed\":2,\"webhooks\":["
	    "{\"name\":\"iOS \\\"group\\\"\",\"ok\":true,\"error\":null},"
	    "{\"name\":\"QA\",\"ok\":false,"
	    "\"error\":\"no answer within 5000 ms\"},"
	    "{\"name\":\"PM\",\"ok\":false,"
	    "\"error\":\"errcode 19021: sign match fail\"}]}");
	buf_free(&b);
}

/* With a spool: "queued" counts, and a queued webhook is not failed. */
static void
test_spool(void)
{
	struct delivery	 d[2];
	struct buf	 b = { 0 };
	char		 err[128];

	memset(d, 0, sizeof(d));
	d[0].name = "a";
	d[0].ok = 1;
	d[1].name = "b";
	d[1].queued = 1;
	strcpy(d[1].v.errmsg, "HTTP 500");
	CHECK_INT(summary_status(d, 2), HTTP_202);
	CHECK_INT(summary_json_spool(&b, "demo", "t", d, 2, err, sizeof(err)),
	    0);
	CHECK_STR(b.data, "{\"app\":\"demo\",\"type\":\"t\",\"delivered\":1,"
	    "\"queued\":1,\"failed\":0,\"webhooks\":["
	    "{\"name\":\"a\",\"ok\":true,\"queued\":false,\"error\":null},"
	    "{\"name\":\"b\",\"ok\":false,\"queued\":true,"
	    "\"error\":\"HTTP 500\"}]}");
	buf_free(&b);
}

/* A duplicate: nothing sent, nothing failed, said so. */
static void
test_duplicate(void)
{
	struct buf	 b = { 0 };
	char		 err[128];

	CHECK_INT(summary_duplicate(&b, "demo", "t", err, sizeof(err)), 0);
	CHECK_STR(b.data, "{\"app\":\"demo\",\"type\":\"t\","
	    "\"duplicate\":true,\"delivered\":0,\"failed\":0,"
	    "\"webhooks\":[]}");
	buf_free(&b);
}

/*
 * A robot's error text that is not UTF-8 is replaced, and the document
 * stays valid; a type that is not UTF-8 cannot be summarised at all and
 * says so instead of writing half a document.
 */
static void
test_not_utf8(void)
{
	struct delivery	 d;
	struct buf	 b = { 0 };
	char		 err[128];

	memset(&d, 0, sizeof(d));
	d.name = "a";
	strcpy(d.v.errmsg, "bad \xff\xfe");
	CHECK_INT(summary_json(&b, "demo", "t", &d, 1, err, sizeof(err)), 0);
	CHECK_STR(b.data, "{\"app\":\"demo\",\"type\":\"t\",\"delivered\":0,"
	    "\"failed\":1,\"webhooks\":[{\"name\":\"a\",\"ok\":false,"
	    "\"error\":\"robot error (not printable)\"}]}");
	buf_reset(&b);
	CHECK_INT(summary_json(&b, "demo", "\xff", &d, 1, err, sizeof(err)),
	    -1);
	CHECK_STR(err, "a text is not valid UTF-8");
	CHECK_INT(b.len, 0);
	buf_free(&b);
}

int
main(void)
{
	RUN(test_summary);
	RUN(test_spool);
	RUN(test_duplicate);
	RUN(test_not_utf8);
	return TEST_END();
}
