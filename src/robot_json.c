/*
 * Any other service: the original PGYER body, byte for byte.  With a
 * secret, signed the Standard Webhooks way (standardwebhooks.com): the
 * headers webhook-id, webhook-timestamp (seconds) and webhook-signature
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>", keyed by the base64
 * after "whsec_" when the secret has that prefix, else by its bytes.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "hex.h"
#include "reply.h"
#include "robot.h"
#include "sign.h"
#include "xalloc.h"

#define WHSEC_PREFIX	"whsec_"
#define WHSEC_KEY_MAX	512

static void
add_header(struct request *req, const char *name, const char *value)
{
	struct buf	 h = { 0 };

	buf_printf(&h, "%s: %s", name, value);
	req->headers[req->n_headers++] = buf_release(&h);
}

static int
sign_request(const char *secret, const char *body, size_t len,
    long long now_ms, struct request *req, char *err, size_t errlen)
{
	unsigned char	 digest[CRYPTO_SHA256_LEN], key[WHSEC_KEY_MAX];
	const void	*k = secret;
	long		 klen = (long)strlen(secret);
	char		 id[4 + 32 + 1], ts[32], sig[SIGN_B64_MAX];
	char		 v1[3 + SIGN_B64_MAX], why[256];
	int		 rc;
	struct buf	 msg = { 0 };

	if (strncmp(secret, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0) {
		klen = sign_b64_decode(secret + strlen(WHSEC_PREFIX), key,
		    sizeof(key), why, sizeof(why));
		if (klen <= 0) {
			snprintf(err, errlen, "secret: the part after "
			    "\"whsec_\" is %s", klen == 0 ||
			    strcmp(why, "not base64") == 0 ? "not base64" : why);
			return -1;
		}
		k = key;
	}
	/* The same event gets the same id, so a receiver can drop a retry. */
	if (crypto_sha256(body, len, digest, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "cannot sign: %s", why);
		return -1;
	}
	memcpy(id, "msg_", 4);
	hex_encode(digest, 16, id + 4);
	snprintf(ts, sizeof(ts), "%lld", now_ms / 1000);
	buf_printf(&msg, "%s.%s.", id, ts);
	buf_append(&msg, body, len);
	rc = sign_hmac_b64(k, (size_t)klen, msg.data, msg.len, sig, why,
	    sizeof(why));
	buf_free(&msg);
	if (rc == -1) {
		snprintf(err, errlen, "cannot sign: %s", why);
		return -1;
	}
	snprintf(v1, sizeof(v1), "v1,%s", sig);
	add_header(req, "webhook-id", id);
	add_header(req, "webhook-timestamp", ts);
	add_header(req, "webhook-signature", v1);
	return 0;
}

static int
build(const struct webhook *wh, const struct message_ctx *ctx,
    const char *raw, size_t raw_len, long long now_ms, struct request *req,
    char *err, size_t errlen)
{
	(void)ctx;
	memset(req, 0, sizeof(*req));
	if (raw == NULL) {
		raw = "";
		raw_len = 0;
	}
	req->body = xmalloc(raw_len + 1);
	memcpy(req->body, raw, raw_len);
	req->body[raw_len] = '\0';
	req->body_len = raw_len;
	req->url = xstrdup(wh->url);
	req->headers[req->n_headers++] =
	    xstrdup("Content-Type: application/json");
	if (wh->secret != NULL && *wh->secret != '\0' &&
	    sign_request(wh->secret, raw, raw_len, now_ms, req, err,
	    errlen) == -1) {
		request_free(req);
		return -1;
	}
	return 0;
}

/* Another service speaks no known reply format: any 2xx is delivered. */
static void
judge(long status, const char *body, size_t len, struct verdict *v)
{
	(void)body;
	(void)len;
	reply_status(status, v);
}

const struct robot_ops robot_json = { "json", build, judge };
