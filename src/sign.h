/*
 * Request signing: the robots' HMAC-SHA256 formulas, base64.  Outputs are
 * NUL-terminated base64, SIGN_B64_MAX bytes at most.  Every function that
 * signs returns 0, or -1 with err saying why (libcrypto cannot be
 * opened, a secret too long): never an empty or zero signature.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>

#define SIGN_B64_MAX	48

/* base64(HMAC_SHA256(key, msg)). */
int	 sign_hmac_b64(const void *key, size_t keylen, const void *msg,
	    size_t msglen, char out[SIGN_B64_MAX], char *err, size_t errlen);
/* DingTalk: base64(HMAC_SHA256(key = secret, msg = ts_ms "\n" secret)),
 * not yet URL-encoded. */
int	 sign_dingtalk(const char *secret, long long ts_ms,
	    char out[SIGN_B64_MAX], char *err, size_t errlen);
/* Feishu: base64(HMAC_SHA256(key = ts_s "\n" secret, msg = "")). */
int	 sign_feishu(const char *secret, long long ts_s,
	    char out[SIGN_B64_MAX], char *err, size_t errlen);
/*
 * Decodes standard base64 (RFC 4648 4; the "=" padding may be left out)
 * into out.  Returns the decoded length, or -1 with err when in is not
 * base64, needs more than outlen bytes, or libcrypto cannot be opened.
 */
long	 sign_b64_decode(const char *in, unsigned char *out, size_t outlen,
	    char *err, size_t errlen);
/* Constant-time comparison of two NUL-terminated strings: 1 if equal. */
int	 sign_equal(const char *, const char *);

#endif
