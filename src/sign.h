/*
 * Request signing (HMAC-SHA256, base64).  The only file that includes
 * OpenSSL.  Outputs are NUL-terminated base64, SIGN_B64_MAX bytes at most.
 */
#ifndef SIGN_H
#define SIGN_H

#include <stddef.h>

#define SIGN_B64_MAX	48
#define SIGN_SHA256_LEN	32

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
/* SHA-256 of data. */
void	 sign_sha256(const void *data, size_t len,
	    unsigned char out[SIGN_SHA256_LEN]);
/*
 * Decodes standard base64 (RFC 4648 4; the "=" padding may be left out)
 * into out.  Returns the decoded length, or -1 when in is not base64 or
 * needs more than outlen bytes.
 */
long	 sign_b64_decode(const char *in, unsigned char *out, size_t outlen);
/* Constant-time comparison of two NUL-terminated strings: 1 if equal. */
int	 sign_equal(const char *, const char *);

#endif
