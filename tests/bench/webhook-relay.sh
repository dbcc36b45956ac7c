#!/bin/sh
# What a user would deploy with Debian's `webhook` (adnanh/webhook): the
# hook (see bench.py, webhook_hooks()) checks ?token= and passes the
# event's fields as PGYER_* variables; this script posts a WeCom markdown
# message to each URL in ROBOT_URLS with curl, all at once, and prints
# curl's replies.  Like most such scripts it does not escape JSON: fine
# for the bench's event, not for real use.
text="### ${PGYER_TITLE} ${PGYER_ACTION}\n> 版本: ${PGYER_OS_VERSION} (${PGYER_BUILD_VERSION})\n> 设备: ${PGYER_DEVICE_TYPE}\n\n${PGYER_MESSAGE}\n\n[查看](${PGYER_LINK})"
body="{\"msgtype\":\"markdown\",\"markdown\":{\"content\":\"$text\"}}"
for url in $ROBOT_URLS; do
	curl -sS -m 5 --noproxy '*' -H 'Content-Type: application/json' \
	    -H 'Expect:' --data-binary "$body" "$url" &
done
wait
