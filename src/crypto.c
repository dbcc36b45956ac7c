/* Cryptographic primitives: see crypto.h.  The only file that includes
 * OpenSSL. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "lazylib.h"

/*
 * The oldest libcrypto whose interface this file is written against:
 * OpenSSL 3.0 (libcrypto.so.3), https://www.openssl.org/docs/man3.0/.
 */
#define CRYPTO_MIN_VERSION	0x30000000UL
#define CRYPTO_PACKAGE		"libssl3"

/*
 * libcrypto, opened on the first digest or signature: only a request
 * that is sent needs one, so a refused one never maps it.  libcurl needs
 * it too and then finds it already there.
 */
static struct {
	unsigned long	 (*OpenSSL_version_num)(void);
	const char	*(*OpenSSL_version)(int);
	unsigned char	*(*HMAC)(const EVP_MD *, const void *, int,
			    const unsigned char *, size_t, unsigned char *,
			    unsigned int *);
	const EVP_MD	*(*EVP_sha256)(void);
	const EVP_MD	*(*EVP_sha1)(void);
	int		 (*EVP_EncodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_DecodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_Digest)(const void *, size_t, unsigned char *,
			    unsigned int *, const EVP_MD *, ENGINE *);
} ossl;

#define SYM(f)	{ #f, (void **)&ossl.f }
static const struct lazysym crypto_syms[] = {
	SYM(OpenSSL_version_num), SYM(OpenSSL_version), SYM(HMAC),
	SYM(EVP_sha256), SYM(EVP_sha1), SYM(EVP_EncodeBlock), SYM(EVP_DecodeBlock),
	SYM(EVP_Digest),
};
#undef SYM

static int
check_version(char *err, size_t errlen)
{
	unsigned long	 v = ossl.OpenSSL_version_num();

	/* 0xMNN00PP0L: major, minor, patch (OPENSSL_VERSION_NUMBER(3)). */
	if (v < CRYPTO_MIN_VERSION) {
		snprintf(err, errlen, "version %lu.%lu.%lu, 3.0.0 needed",
		    v >> 28, (v >> 20) & 0xff, (v >> 4) & 0xff);
		return -1;
	}
	return 0;
}

static struct lazylib libcrypto = {
	LIBCRYPTO_SO, CRYPTO_PACKAGE, NULL, crypto_syms,
	sizeof(crypto_syms) / sizeof(crypto_syms[0]), check_version, 0, ""
};

int
crypto_load(char *err, size_t errlen)
{
	if (lazylib_load(&libcrypto) == -1) {
		snprintf(err, errlen, "%s", libcrypto.err);
		return -1;
	}
	return 0;
}

static int
digest(const void *data, size_t len, unsigned char *out, size_t outlen,
    int sha1, char *err, size_t errlen)
{
	unsigned int	 n = 0;

	if (crypto_load(err, errlen) == -1)
		return -1;
	if (ossl.EVP_Digest(data, len, out, &n, sha1 ? ossl.EVP_sha1() :
	    ossl.EVP_sha256(), NULL) != 1 || n != outlen) {
		snprintf(err, errlen, "%s: EVP_Digest failed", LIBCRYPTO_SO);
		return -1;
	}
	return 0;
}

int
crypto_sha256(const void *data, size_t len,
    unsigned char out[CRYPTO_SHA256_LEN], char *err, size_t errlen)
{
	return digest(data, len, out, CRYPTO_SHA256_LEN, 0, err, errlen);
}

int
crypto_sha1(const void *data, size_t len, unsigned char out[CRYPTO_SHA1_LEN],
    char *err, size_t errlen)
{
	return digest(data, len, out, CRYPTO_SHA1_LEN, 1, err, errlen);
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN], char *err,
    size_t errlen)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;

	if (crypto_load(err, errlen) == -1)
		return -1;
	if (keylen > 0x7fffffff) {
		snprintf(err, errlen, "HMAC key too long");
		return -1;
	}
	if (ossl.HMAC(ossl.EVP_sha256(), key, (int)keylen, msg, msglen, mac,
	    &n) == NULL || n != CRYPTO_SHA256_LEN) {
		snprintf(err, errlen, "%s: HMAC failed", LIBCRYPTO_SO);
		return -1;
	}
	memcpy(out, mac, CRYPTO_SHA256_LEN);
	return 0;
}

int
crypto_b64_encode(const unsigned char *in, size_t len, char *out, char *err,
    size_t errlen)
{
	if (crypto_load(err, errlen) == -1)
		return -1;
	if (len > 0x7fffffff / 4 * 3) {
		snprintf(err, errlen, "base64: input too long");
		return -1;
	}
	(void)ossl.EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return 0;
}

int
crypto_b64_decode_block(const char *in, size_t len, unsigned char *out,
    char *err, size_t errlen)
{
	int	 n;

	if (crypto_load(err, errlen) == -1)
		return -1;
	if (len > 0x7fffffff) {
		snprintf(err, errlen, "base64: input too long");
		return -1;
	}
	if ((n = ossl.EVP_DecodeBlock(out, (const unsigned char *)in,
	    (int)len)) < 0) {
		snprintf(err, errlen, "not base64");
		return -1;
	}
	return n;
}

const char *
crypto_version(char *err, size_t errlen)
{
	if (crypto_load(err, errlen) == -1)
		return NULL;
	return ossl.OpenSSL_version(OPENSSL_VERSION);
}
