/* Request signing: see sign.h.  The only file that includes OpenSSL. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lazylib.h"
#include "sign.h"

#ifndef LIBCRYPTO_SO
#define LIBCRYPTO_SO	"libcrypto.so.3"
#endif

/*
 * libcrypto, opened on the first signature (lazylib.h): only a request
 * that is sent is signed, so a refused one never maps it.  libcurl needs
 * it too and then finds it already there.
 */
static struct {
	unsigned char	*(*HMAC)(const EVP_MD *, const void *, int,
			    const unsigned char *, size_t, unsigned char *,
			    unsigned int *);
	const EVP_MD	*(*EVP_sha256)(void);
	int		 (*EVP_EncodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_DecodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_Digest)(const void *, size_t, unsigned char *,
			    unsigned int *, const EVP_MD *, ENGINE *);
} ossl;

#define SYM(f)	{ #f, (void **)&ossl.f }
static const struct lazysym crypto_syms[] = {
	SYM(HMAC), SYM(EVP_sha256), SYM(EVP_EncodeBlock), SYM(EVP_DecodeBlock),
	SYM(EVP_Digest),
};
#undef SYM

static struct lazylib libcrypto = {
	LIBCRYPTO_SO, NULL, crypto_syms,
	sizeof(crypto_syms) / sizeof(crypto_syms[0]), 0, ""
};

void
sign_hmac_b64(const void *key, size_t keylen, const void *msg, size_t msglen,
    char out[SIGN_B64_MAX])
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;

	if (lazylib_load(&libcrypto) == -1 || ossl.HMAC(ossl.EVP_sha256(), key,
	    (int)keylen, msg, msglen, mac, &maclen) == NULL) {
		out[0] = '\0';
		return;
	}
	/* 32 bytes of SHA-256 encode to 44 characters and a NUL. */
	ossl.EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
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

void
sign_sha256(const void *data, size_t len, unsigned char out[SIGN_SHA256_LEN])
{
	unsigned int	 n = 0;

	if (lazylib_load(&libcrypto) == -1 ||
	    ossl.EVP_Digest(data, len, out, &n, ossl.EVP_sha256(), NULL) != 1)
		memset(out, 0, SIGN_SHA256_LEN);
}

static int
is_b64(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

long
sign_b64_decode(const char *in, unsigned char *out, size_t outlen)
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
	if (len % 4 == 1 || len + 3 >= sizeof(padded))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!is_b64((unsigned char)in[i]))
			return -1;
	/* Padding as written must not exceed what the length implies. */
	if (strlen(in) - len > (4 - len % 4) % 4)
		return -1;
	pad = (4 - len % 4) % 4;
	if (lazylib_load(&libcrypto) == -1)
		return -1;
	memcpy(padded, in, len);
	memset(padded + len, '=', pad);
	padded[len + pad] = '\0';
	n = ossl.EVP_DecodeBlock(tmp, (const unsigned char *)padded,
	    (int)(len + pad));
	if (n < 0 || (size_t)n < pad)
		return -1;
	n -= (int)pad;
	if ((size_t)n > outlen)
		return -1;
	memcpy(out, tmp, (size_t)n);
	return n;
}
