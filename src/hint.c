/*
 * Hints for refusals: see hint.h.  Codes from the robots' documentation:
 * https://developer.work.weixin.qq.com/document/path/91770 ,
 * https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type ,
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot .
 */
#include <stddef.h>
#include <string.h>

#include "deliver.h"
#include "hint.h"

const char hint_robot_typed[] = "this is a robot message, not a PGYER "
    "event: in PGYER's webhook settings set the type to \"Other\" "
    "(其他指定URL), not a WeCom, DingTalk or Lark robot";

struct hint {
	enum robot_type	 type;
	long		 errcode;
	const char	*word;		/* in errmsg, or NULL: any */
	const char	*text;
};

static const char keyword_hint[] = "the robot's keyword is not in the "
    "message: set \"keyword\" to one of the robot's keywords";
static const char sign_hint[] = "signature refused: check \"secret\" "
    "(the robot's signing secret) and that this host's clock is right "
    "(within one hour; run NTP)";
static const char ip_hint[] = "this host's public IP is not on the "
    "robot's IP allow-list: add it in the robot's security settings";
static const char token_hint[] = "the robot does not exist: copy the "
    "robot's webhook URL again into \"url\"";
static const char rate_hint[] = "rate limited: wait and try again "
    "(WeCom and DingTalk allow 20 messages a minute; DingTalk then "
    "blocks the robot for 10 minutes)";

static const struct hint hints[] = {
	{ ROBOT_WECOM, 93000, NULL, "the key= in \"url\" is wrong: copy "
	    "the robot's webhook URL again" },
	{ ROBOT_WECOM, 45009, NULL, rate_hint },
	{ ROBOT_WECOM, 40058, NULL, "the robot refused the message as "
	    "invalid or too long: report this as a bug" },
	{ ROBOT_DINGTALK, 310000, "keyword", keyword_hint },
	{ ROBOT_DINGTALK, 310000, "sign", sign_hint },
	{ ROBOT_DINGTALK, 310000, "timestamp", sign_hint },
	{ ROBOT_DINGTALK, 310000, "whitelist", ip_hint },
	{ ROBOT_DINGTALK, 300001, NULL, token_hint },
	{ ROBOT_DINGTALK, 300005, NULL, token_hint },
	{ ROBOT_DINGTALK, 130101, NULL, rate_hint },
	{ ROBOT_FEISHU, 19021, NULL, sign_hint },
	{ ROBOT_FEISHU, 19024, NULL, keyword_hint },
	{ ROBOT_FEISHU, 19022, NULL, ip_hint },
	{ ROBOT_FEISHU, 19001, NULL, token_hint },
	{ ROBOT_FEISHU, 11232, NULL, "rate limited: Feishu allows 5 "
	    "messages a second and 100 a minute; wait and try again" },
};

const char *
hint_for(const struct delivery *d)
{
	if (d->ok)
		return NULL;
	if (d->req.url == NULL)
		return "the request could not be built: check this "
		    "webhook in the config";
	if (d->timed_out)
		return "no answer in time: check the URL's host, the network "
		    "and \"proxy\", or raise \"timeout_ms\"";
	if (d->http_status == 0)
		return "no connection: check the URL's host, the network "
		    "and \"proxy\"";
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		if (hints[i].type != d->type ||
		    hints[i].errcode != d->v.errcode)
			continue;
		if (hints[i].word == NULL ||
		    strstr(d->v.errmsg, hints[i].word) != NULL)
			return hints[i].text;
	}
	if (d->http_status == 404)
		return "the URL's path is wrong: copy the robot's webhook "
		    "URL again";
	return NULL;
}
