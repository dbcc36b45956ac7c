/*
 * Unit tests: reply.c, judging a robot's reply, through each robot's own
 * rules (its judge()) and directly.  Every code the vendors document
 * (https://developer.work.weixin.qq.com/document/path/91770,
 * https://open.dingtalk.com/document/orgapp/custom-robot-access,
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot) is
 * judged delivered, worth retrying (rate limits, busy) or not (token,
 * signature, keyword, IP, size); a reply over DELIVER_REPLY_MAX is not
 * read; a reply that is not JSON is retried; what reaches the log is
 * printable and cut at a character boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "deliver.h"
#include "reply.h"
#include "robot.h"
#include "utf8.h"
#include "test.h"

struct judge_case {
	const struct robot_ops	*ops;
	long			 status;
	const char		*body;
	int			 ok;
	int			 retryable;
	long			 errcode;
	const char		*errmsg;
};

static const struct judge_case judge_cases[] = {
	/* WeCom: HTTP 200 even on error; errcode 0 is delivered. */
	{ &robot_wecom, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", 1, 0, 0, "" },
	{ &robot_wecom, 200, "{\"errcode\":45009,\"errmsg\":"
	    "\"api freq out of limit\"}", 0, 1, 45009,
	    "errcode 45009: api freq out of limit" },
	{ &robot_wecom, 200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}",
	    0, 1, -1, "errcode -1: system busy" },
	{ &robot_wecom, 200, "{\"errcode\":93000,\"errmsg\":"
	    "\"invalid webhook url\"}", 0, 0, 93000,
	    "errcode 93000: invalid webhook url" },
	{ &robot_wecom, 200, "{\"errcode\":40058,\"errmsg\":"
	    "\"markdown.content exceed max length 4096\"}", 0, 0, 40058,
	    "errcode 40058: markdown.content exceed max length 4096" },
	{ &robot_wecom, 200, "{\"errcode\":42045,\"errmsg\":"
	    "\"Template_Card card_action invalid\"}", 0, 0, 42045,
	    "errcode 42045: Template_Card card_action invalid" },
	{ &robot_wecom, 500, "<html>oops</html>", 0, 1, 0, "HTTP 500" },
	{ &robot_wecom, 429, "", 0, 1, 0, "HTTP 429" },
	{ &robot_wecom, 404, "not found", 0, 0, 0, "HTTP 404" },
	{ &robot_wecom, 200, "<html>proxy</html>", 0, 1, 0,
	    "reply is not JSON" },
	{ &robot_wecom, 200, "", 0, 1, 0, "reply is not JSON" },
	{ &robot_wecom, 200, "[0]", 0, 1, 0, "reply is not JSON" },
	{ &robot_wecom, 200, "{\"ok\":true}", 0, 1, 0,
	    "reply has no errcode" },
	{ &robot_wecom, 200, "{\"errcode\":\"0\"}", 0, 1, 0,
	    "reply has no errcode" },
	{ &robot_wecom, 0, NULL, 0, 1, 0, "no HTTP reply" },

	/* DingTalk. */
	{ &robot_dingtalk, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", 1, 0, 0,
	    "" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"keywords not in content\"}", 0, 0, 310000,
	    "errcode 310000: keywords not in content" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"sign not match\"}", 0, 0, 310000,
	    "errcode 310000: sign not match" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"ip 1.2.3.4 not in whitelist\"}", 0, 0, 310000,
	    "errcode 310000: ip 1.2.3.4 not in whitelist" },
	{ &robot_dingtalk, 200, "{\"errcode\":130101,\"errmsg\":"
	    "\"send too fast\"}", 0, 1, 130101,
	    "errcode 130101: send too fast" },
	{ &robot_dingtalk, 200, "{\"errcode\":-1,\"errmsg\":\"busy\"}", 0, 1,
	    -1, "errcode -1: busy" },
	{ &robot_dingtalk, 200, "{\"errcode\":300001,\"errmsg\":"
	    "\"token is not exist\"}", 0, 0, 300001,
	    "errcode 300001: token is not exist" },
	{ &robot_dingtalk, 200, "{\"errcode\":300005,\"errmsg\":"
	    "\"token is not exist\"}", 0, 0, 300005,
	    "errcode 300005: token is not exist" },
	{ &robot_dingtalk, 200, "{\"errcode\":310000,\"errmsg\":"
	    "\"invalid timestamp\"}", 0, 0, 310000,
	    "errcode 310000: invalid timestamp" },
	{ &robot_dingtalk, 200, "{\"errcode\":460101,\"errmsg\":"
	    "\"message too long\"}", 0, 0, 460101,
	    "errcode 460101: message too long" },
	{ &robot_dingtalk, 503, "{\"errcode\":-1,\"errmsg\":\"busy\"}", 0, 1,
	    -1, "HTTP 503, errcode -1: busy" },
	{ &robot_dingtalk, 200, "{\"errcode\":7}", 0, 0, 7, "errcode 7" },
	/* Control characters and a bidi override shown as U+FFFD
	 * (log_printable()): no escape for an output to escape again. */
	{ &robot_dingtalk, 200, "{\"errcode\":1,\"errmsg\":"
	    "\"a\\tb\\nc\\u001bd\\u007fe\\u0085f 应\\u202e\"}", 0, 0, 1,
	    "errcode 1: a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf 应\ufffd" },
	/* A backslash and a quote are the robot's own: kept. */
	{ &robot_dingtalk, 200, "{\"errcode\":1,\"errmsg\":"
	    "\"bad \\\"key\\\" \\\\x09\"}", 0, 0, 1,
	    "errcode 1: bad \"key\" \\x09" },
	/* yajl_tree keeps strings NUL-terminated: \u0000 ends one. */
	{ &robot_dingtalk, 200, "{\"errcode\":1,\"errmsg\":"
	    "\"a\\u0000b\"}", 0, 0, 1, "errcode 1: a" },

	/* Feishu: "code" when present, else "StatusCode". */
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"StatusMessage\":"
	    "\"success\",\"code\":0,\"data\":{},\"msg\":\"success\"}", 1, 0, 0,
	    "" },
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"StatusMessage\":"
	    "\"success\"}", 1, 0, 0, "" },
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"code\":19024,"
	    "\"msg\":\"Key Words Not Found\"}", 0, 0, 19024,
	    "errcode 19024: Key Words Not Found" },
	{ &robot_feishu, 200, "{\"code\":19021,\"data\":{},\"msg\":\"sign "
	    "match fail or timestamp is not within one hour from current "
	    "time\"}", 0, 0, 19021, "errcode 19021: sign match fail or "
	    "timestamp is not within one hour from current time" },
	{ &robot_feishu, 200, "{\"code\":19022,\"msg\":\"Ip Not Allowed\"}",
	    0, 0, 19022, "errcode 19022: Ip Not Allowed" },
	{ &robot_feishu, 200, "{\"code\":11232,\"msg\":\"frequency "
	    "limited\"}", 0, 1, 11232, "errcode 11232: frequency limited" },
	{ &robot_feishu, 200, "{\"code\":19001,\"msg\":\"param invalid: "
	    "incoming webhook access token invalid\"}", 0, 0, 19001,
	    "errcode 19001: param invalid: incoming webhook access token "
	    "invalid" },
	{ &robot_feishu, 200, "{\"code\":11246,\"msg\":\"ErrCode: 100000; "
	    "ErrMsg: card content size is over limit\"}", 0, 0, 11246,
	    "errcode 11246: ErrCode: 100000; ErrMsg: card content size is "
	    "over limit" },
	{ &robot_feishu, 200, "{\"StatusCode\":11232,\"StatusMessage\":"
	    "\"frequency limited\"}", 0, 1, 11232,
	    "errcode 11232: frequency limited" },
	{ &robot_feishu, 200, "{\"StatusCode\":0,\"code\":0}", 1, 0, 0, "" },
	{ &robot_feishu, 400, "{\"code\":9499,\"msg\":\"Bad Request\"}", 0,
	    0, 9499, "HTTP 400, errcode 9499: Bad Request" },
	{ &robot_feishu, 200, "{\"msg\":\"success\"}", 0, 1, 0,
	    "reply has no code" },
	{ &robot_feishu, 502, "Bad Gateway", 0, 1, 0, "HTTP 502" },

	/* Any other service: its status alone. */
	{ &robot_json, 200, "whatever", 1, 0, 0, "" },
	{ &robot_json, 204, NULL, 1, 0, 0, "" },
	{ &robot_json, 200, "{\"errcode\":1}", 1, 0, 0, "" },
	{ &robot_json, 400, "{}", 0, 0, 0, "HTTP 400" },
	{ &robot_json, 500, "", 0, 1, 0, "HTTP 500" },
	{ &robot_json, 429, "", 0, 1, 0, "HTTP 429" },
	{ &robot_json, 301, "", 0, 0, 0, "HTTP 301" },
};

static void
test_judge(void)
{
	const struct judge_case	*c;
	struct verdict		 v;

	for (size_t i = 0; i < sizeof(judge_cases) / sizeof(judge_cases[0]);
	    i++) {
		c = &judge_cases[i];
		memset(&v, 0x55, sizeof(v));
		c->ops->judge(c->status, c->body, c->body != NULL ?
		    strlen(c->body) : 0, &v);
		if (v.ok != c->ok || v.retryable != c->retryable ||
		    v.errcode != c->errcode || strcmp(v.errmsg, c->errmsg))
			fprintf(stderr, "judge case %zu (%s %ld %s):\n", i,
			    c->ops->name, c->status, c->body);
		CHECK_INT(v.ok, c->ok);
		CHECK_INT(v.retryable, c->retryable);
		CHECK_INT(v.errcode, c->errcode);
		CHECK_STR(v.errmsg, c->errmsg);
	}
}

static void
test_judge_bounds(void)
{
	struct verdict	 v;
	struct buf	 b = { 0 };

	/* A long message: cut to fit, on a character boundary. */
	buf_puts(&b, "{\"errcode\":310000,\"errmsg\":\"");
	for (int i = 0; i < 200; i++)
		buf_puts(&b, "关键词");
	buf_puts(&b, "\"}");
	robot_dingtalk.judge(200, b.data, b.len, &v);
	CHECK_INT(v.errcode, 310000);
	CHECK(strncmp(v.errmsg, "errcode 310000: 关键词", 25) == 0);
	CHECK(strlen(v.errmsg) < sizeof(v.errmsg));
	CHECK(strlen(v.errmsg) >= sizeof(v.errmsg) - 4);
	CHECK(utf8_valid(v.errmsg, strlen(v.errmsg)));

	/* The body is not NUL-terminated: only len bytes are read. */
	robot_wecom.judge(200, "{\"errcode\":0}garbage", 13, &v);
	CHECK_INT(v.ok, 1);

	/* Over the cap is not read at all. */
	buf_reset(&b);
	buf_puts(&b, "{\"errcode\":0,\"pad\":\"");
	while (b.len < DELIVER_REPLY_MAX)
		buf_puts(&b, "xxxxxxxxxxxxxxxx");
	buf_puts(&b, "\"}");
	robot_wecom.judge(200, b.data, b.len, &v);
	CHECK_INT(v.ok, 0);
	CHECK_STR(v.errmsg, "reply is not JSON");
	buf_free(&b);

	/* Invalid UTF-8 in a reply: not JSON to yajl. */
	robot_wecom.judge(200, "{\"errcode\":1,\"errmsg\":\"\xff\"}", 25, &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 1);
}


/* The rules as reply_judge() reads them: keys in order, codes to retry. */
static const struct reply_keys two_keys[] = {
	{ "code", "msg" },
	{ "status", "detail" },
};
static const long two_retry[] = { 42, 7 };
static const struct reply_rules two_rules = { two_keys, 2, two_retry, 2 };

static void
judge(long status, const char *body, struct verdict *v)
{
	reply_judge(status, body, body != NULL ? strlen(body) : 0, &two_rules,
	    v);
}

static void
test_rules(void)
{
	struct verdict	 v;

	/* The first key present counts, its own message with it. */
	judge(200, "{\"status\":7,\"detail\":\"later\",\"code\":3,"
	    "\"msg\":\"no\"}", &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 0);
	CHECK_INT(v.errcode, 3);
	CHECK_STR(v.errmsg, "errcode 3: no");
	judge(200, "{\"status\":7,\"detail\":\"later\"}", &v);
	CHECK_INT(v.retryable, 1);
	CHECK_STR(v.errmsg, "errcode 7: later");
	/* A code that is not an integer is no code. */
	judge(200, "{\"code\":0.0}", &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 1);
	CHECK_STR(v.errmsg, "reply has no code");
	judge(200, "{\"code\":0}", &v);
	CHECK_INT(v.ok, 1);
	CHECK_STR(v.errmsg, "");
	/* A refusing status with a code worth retrying: retried. */
	judge(403, "{\"code\":42,\"msg\":\"slow down\"}", &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 1);
	CHECK_STR(v.errmsg, "HTTP 403, errcode 42: slow down");
	/* A success status with nothing from the robot: not delivered. */
	judge(200, NULL, &v);
	CHECK_INT(v.ok, 0);
	CHECK_STR(v.errmsg, "reply is not JSON");
}

/* Whatever the reply, the verdict is bounded and printable. */
static void
test_not_json(void)
{
	static const char *const bodies[] = {
		"<html><body>502 Bad Gateway</body></html>",
		"ok",
		"{\"code\":0",
		"{\"code\":0}{\"code\":1}",
		"null",
		"0",
		"\"code\"",
		"{\"code\":0,}",
		"\xef\xbb\xbf{\"code\":0}",
	};
	struct verdict	 v;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		judge(200, bodies[i], &v);
		if (v.ok)
			fprintf(stderr, "delivered: %s\n", bodies[i]);
		CHECK_INT(v.ok, 0);
		CHECK_INT(v.retryable, 1);
		CHECK_STR(v.errmsg, "reply is not JSON");
	}
}

/* A reply exactly at the cap is read; one byte over is not. */
static void
test_cap(void)
{
	struct verdict	 v;
	struct buf	 b = { 0 };

	buf_puts(&b, "{\"code\":0,\"pad\":\"");
	while (b.len < DELIVER_REPLY_MAX - 2)
		buf_putc(&b, 'x');
	buf_puts(&b, "\"}");
	CHECK_INT(b.len, DELIVER_REPLY_MAX);
	reply_judge(200, b.data, b.len, &two_rules, &v);
	CHECK_INT(v.ok, 1);
	b.len -= 2;
	buf_puts(&b, "x\"}");
	CHECK_INT(b.len, DELIVER_REPLY_MAX + 1);
	reply_judge(200, b.data, b.len, &two_rules, &v);
	CHECK_INT(v.ok, 0);
	CHECK_INT(v.retryable, 1);
	CHECK_STR(v.errmsg, "reply is not JSON");
	buf_free(&b);
}

static void
test_status(void)
{
	static const struct {
		long		 status;
		int		 ok, retryable;
		const char	*errmsg;
	} cases[] = {
		{ 200, 1, 0, "" }, { 204, 1, 0, "" }, { 299, 1, 0, "" },
		{ 0, 0, 1, "no HTTP reply" }, { -1, 0, 1, "no HTTP reply" },
		{ 199, 0, 0, "HTTP 199" }, { 300, 0, 0, "HTTP 300" },
		{ 401, 0, 0, "HTTP 401" }, { 413, 0, 0, "HTTP 413" },
		{ 429, 0, 1, "HTTP 429" }, { 500, 0, 1, "HTTP 500" },
		{ 504, 0, 1, "HTTP 504" },
	};
	struct verdict	 v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&v, 0x55, sizeof(v));
		reply_status(cases[i].status, &v);
		CHECK_INT(v.ok, cases[i].ok);
		CHECK_INT(v.retryable, cases[i].retryable);
		CHECK_INT(v.errcode, 0);
		CHECK_STR(v.errmsg, cases[i].errmsg);
	}
}

/* Appended after what dst holds, made printable, cut to fit with its
 * NUL. */
static void
test_printable(void)
{
	char	 dst[24], big[64];

	strcpy(big, "a: ");
	reply_printable(big, sizeof(big), "b\x1b[2Jc\xff", 7);
	CHECK_STR(big, "a: b\ufffd[2Jc\ufffd");
	/* Cut: still valid UTF-8, and it says how much it left out. */
	strcpy(dst, "");
	reply_printable(dst, sizeof(dst), "应用应用应用应用应用应用应用", 42);
	CHECK(strlen(dst) < sizeof(dst));
	CHECK(utf8_valid(dst, strlen(dst)));
	CHECK(strncmp(dst, "应...(", 7) == 0);
	CHECK(strstr(dst, "more") != NULL);
	strcpy(dst, "full");
	reply_printable(dst, 5, "more", 4);
	CHECK_STR(dst, "full");
	reply_printable(dst, 0, "more", 4);
	CHECK_STR(dst, "full");
}

int
main(void)
{
	RUN(test_judge);
	RUN(test_judge_bounds);
	RUN(test_rules);
	RUN(test_not_json);
	RUN(test_cap);
	RUN(test_status);
	RUN(test_printable);
	return TEST_END();
}
