/* Request signing: see sign.h. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "sign.h"

/* Longest secret signed, with its timestamp: a robot's are ~70 bytes. */
#define SIGN_INPUT_MAX	512

int
sign_hmac_b64(const void *key, size_t keylen, const void *msg, size_t msglen,
    char out[SIGN_B64_MAX], char *err, size_t errlen)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];

	/* 32 bytes encode to 44 characters and a NUL. */
	if (crypto_hmac_sha256(key, keylen, msg, msglen, mac, err, errlen) ==
	    -1 || crypto_b64_encode(mac, sizeof(mac), out, err, errlen) == -1)
		return -1;
	return 0;
}

/* Writes "ts\nsecret" to out; 0, or -1 with err. */
static int
ts_secret(char out[SIGN_INPUT_MAX], long long ts, const char *secret,
    size_t *len, char *err, size_t errlen)
{
	int	 n;

	n = snprintf(out, SIGN_INPUT_MAX, "%lld\n%s", ts, secret);
	if (n < 0 || n >= SIGN_INPUT_MAX) {
		snprintf(err, errlen, "secret too long to sign (over %d "
		    "bytes)", SIGN_INPUT_MAX - 22);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

int
sign_dingtalk(const char *secret, long long ts_ms, char out[SIGN_B64_MAX],
    char *err, size_t errlen)
{
	char	 msg[SIGN_INPUT_MAX];
	size_t	 n;

	if (ts_secret(msg, ts_ms, secret, &n, err, errlen) == -1)
		return -1;
	return sign_hmac_b64(secret, strlen(secret), msg, n, out, err,
	    errlen);
}

int
sign_feishu(const char *secret, long long ts_s, char out[SIGN_B64_MAX],
    char *err, size_t errlen)
{
	char	 key[SIGN_INPUT_MAX];
	size_t	 n;

	if (ts_secret(key, ts_s, secret, &n, err, errlen) == -1)
		return -1;
	return sign_hmac_b64(key, n, "", 0, out, err, errlen);
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

long
sign_b64_decode(const char *in, unsigned char *out, size_t outlen,
    char *err, size_t errlen)
{
	unsigned char	 tmp[1024 + 3];
	char		 padded[sizeof(tmp) / 3 * 4 + 4];
	size_t		 len, pad;
	int		 n;

	/*
	 * EVP_DecodeBlock skips blanks, wants whole 4-character groups and
	 * counts padding as output: check strictly here, and pad ourselves.
	 */
	len = strlen(in);
	while (len > 0 && in[len - 1] == '=')
		len--;
	pad = (4 - len % 4) % 4;
	if (len % 4 == 1 || len + 3 >= sizeof(padded) ||
	    strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/") < len ||
	    strlen(in) - len > pad) {
		/* Padding as written must not exceed what the length
		 * implies. */
		snprintf(err, errlen, "not base64");
		return -1;
	}
	memcpy(padded, in, len);
	memset(padded + len, '=', pad);
	padded[len + pad] = '\0';
	if ((n = crypto_b64_decode_block(padded, len + pad, tmp, err,
	    errlen)) == -1)
		return -1;
	if ((size_t)n < pad) {
		snprintf(err, errlen, "not base64");
		return -1;
	}
	if ((size_t)n - pad > outlen) {
		snprintf(err, errlen, "decodes to over %zu bytes", outlen);
		return -1;
	}
	n -= (int)pad;
	memcpy(out, tmp, (size_t)n);
	return n;
}
