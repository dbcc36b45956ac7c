/*
 * Request signing (HMAC-SHA256, base64).  The only file that includes
 * OpenSSL.  Outputs are NUL-terminated base64, SIGN_B64_MAX bytes at most.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>

#define SIGN_B64_MAX	48

/* base64(HMAC_SHA256(key, msg)). */
void	 sign_hmac_b64(const void *key, size_t keylen, const void *msg,
	    size_t msglen, char out[SIGN_B64_MAX]);
/* DingTalk: base64(HMAC_SHA256(key = secret, msg = ts_ms "\n" secret)),
 * not yet URL-encoded. */
void	 sign_dingtalk(const char *secret, long long ts_ms,
	    char out[SIGN_B64_MAX]);
/* Feishu: base64(HMAC_SHA256(key = ts_s "\n" secret, msg = "")). */
void	 sign_feishu(const char *secret, long long ts_s,
	    char out[SIGN_B64_MAX]);
/* Constant-time comparison of two NUL-terminated strings: 1 if equal. */
int	 sign_equal(const char *, const char *);

#endif
