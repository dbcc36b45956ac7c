/* Request signing: see sign.h.  The only file that includes OpenSSL. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sign.h"

void
sign_hmac_b64(const void *key, size_t keylen, const void *msg, size_t msglen,
    char out[SIGN_B64_MAX])
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, mac,
	    &maclen) == NULL) {
		out[0] = '\0';
		return;
	}
	/* 32 bytes of SHA-256 encode to 44 characters and a NUL. */
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
}

void
sign_dingtalk(const char *secret, long long ts_ms, char out[SIGN_B64_MAX])
{
	char	 msg[512];
	int	 n;

	n = snprintf(msg, sizeof(msg), "%lld\n%s", ts_ms, secret);
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		out[0] = '\0';
		return;
	}
	sign_hmac_b64(secret, strlen(secret), msg, (size_t)n, out);
}

void
sign_feishu(const char *secret, long long ts_s, char out[SIGN_B64_MAX])
{
	char	 key[512];
	int	 n;

	n = snprintf(key, sizeof(key), "%lld\n%s", ts_s, secret);
	if (n < 0 || (size_t)n >= sizeof(key)) {
		out[0] = '\0';
		return;
	}
	sign_hmac_b64(key, (size_t)n, "", 0, out);
}

int
sign_equal(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b);
	unsigned char	 diff = la != lb;

	/* Touch every byte of b whatever a is, so timing tells nothing. */
	for (size_t i = 0; i < lb; i++)
		diff |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
	return diff == 0;
}
