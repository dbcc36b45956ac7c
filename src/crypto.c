/* Cryptographic primitives: see crypto.h.  The only file that includes
 * OpenSSL. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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
	EVP_MD		*(*EVP_MD_fetch)(OSSL_LIB_CTX *, const char *,
			    const char *);
	EVP_MAC		*(*EVP_MAC_fetch)(OSSL_LIB_CTX *, const char *,
			    const char *);
	void		 (*EVP_MAC_free)(EVP_MAC *);
	EVP_MAC_CTX	*(*EVP_MAC_CTX_new)(EVP_MAC *);
	EVP_MAC_CTX	*(*EVP_MAC_CTX_dup)(const EVP_MAC_CTX *);
	void		 (*EVP_MAC_CTX_free)(EVP_MAC_CTX *);
	int		 (*EVP_MAC_CTX_set_params)(EVP_MAC_CTX *,
			    const OSSL_PARAM *);
	int		 (*EVP_MAC_init)(EVP_MAC_CTX *, const unsigned char *,
			    size_t, const OSSL_PARAM *);
	int		 (*EVP_MAC_update)(EVP_MAC_CTX *, const unsigned char *,
			    size_t);
	int		 (*EVP_MAC_final)(EVP_MAC_CTX *, unsigned char *,
			    size_t *, size_t);
	int		 (*EVP_EncodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_DecodeBlock)(unsigned char *,
			    const unsigned char *, int);
	int		 (*EVP_Digest)(const void *, size_t, unsigned char *,
			    unsigned int *, const EVP_MD *, ENGINE *);
} ossl;

#define SYM(f)	{ #f, (void **)&ossl.f }
static const struct lazysym crypto_syms[] = {
	SYM(OpenSSL_version_num), SYM(OpenSSL_version), SYM(EVP_MD_fetch),
	SYM(EVP_MAC_fetch), SYM(EVP_MAC_free), SYM(EVP_MAC_CTX_new),
	SYM(EVP_MAC_CTX_dup), SYM(EVP_MAC_CTX_free),
	SYM(EVP_MAC_CTX_set_params), SYM(EVP_MAC_init), SYM(EVP_MAC_update),
	SYM(EVP_MAC_final), SYM(EVP_EncodeBlock), SYM(EVP_DecodeBlock),
	SYM(EVP_Digest),
};
#undef SYM

/*
 * The algorithms, fetched once per process and kept: fetching by name
 * (what EVP_sha256() and HMAC() do on every call in OpenSSL 3, see
 * https://www.openssl.org/docs/man3.0/man7/crypto.html "Performance")
 * costs several times the digest of a message this size.
 */
static EVP_MD		*md_sha256, *md_sha1;
static EVP_MAC_CTX	*hmac_sha256;	/* duplicated for each MAC */

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

/* The digest called name, fetched on the first use. */
static const EVP_MD *
md(EVP_MD **slot, const char *name, char *err, size_t errlen)
{
	if (crypto_load(err, errlen) == -1)
		return NULL;
	if (*slot == NULL &&
	    (*slot = ossl.EVP_MD_fetch(NULL, name, NULL)) == NULL)
		snprintf(err, errlen, "%s: no %s digest", LIBCRYPTO_SO, name);
	return *slot;
}

static int
digest(const void *data, size_t len, unsigned char *out, size_t outlen,
    int sha1, char *err, size_t errlen)
{
	const EVP_MD	*m;
	unsigned int	 n = 0;

	if ((m = sha1 ? md(&md_sha1, "SHA1", err, errlen) :
	    md(&md_sha256, "SHA256", err, errlen)) == NULL)
		return -1;
	if (ossl.EVP_Digest(data, len, out, &n, m, NULL) != 1 ||
	    n != outlen) {
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

static const unsigned char	 empty_key[1];

/* The HMAC-SHA256 context to duplicate, made on the first use. */
static EVP_MAC_CTX *
hmac_template(char *err, size_t errlen)
{
	char		 digest_name[] = "SHA256";
	OSSL_PARAM	 params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name,
		    sizeof(digest_name) - 1),
		OSSL_PARAM_END
	};
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;

	if (crypto_load(err, errlen) == -1)
		return NULL;
	if (hmac_sha256 != NULL)
		return hmac_sha256;
	if ((mac = ossl.EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL) {
		/*
		 * The context keeps its own reference to mac.  Keyed once
		 * (empty), so that its digest context is initialised:
		 * OpenSSL 3.0.0 cannot duplicate one that is not.
		 */
		if ((ctx = ossl.EVP_MAC_CTX_new(mac)) != NULL &&
		    (ossl.EVP_MAC_CTX_set_params(ctx, params) != 1 ||
		    ossl.EVP_MAC_init(ctx, empty_key, 0, NULL) != 1)) {
			ossl.EVP_MAC_CTX_free(ctx);
			ctx = NULL;
		}
		ossl.EVP_MAC_free(mac);
	}
	if (ctx == NULL)
		snprintf(err, errlen, "%s: no HMAC-SHA256", LIBCRYPTO_SO);
	return hmac_sha256 = ctx;
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN], char *err,
    size_t errlen)
{
	EVP_MAC_CTX			*tpl, *ctx;
	size_t				 n = 0;
	int				 ok;

	if ((tpl = hmac_template(err, errlen)) == NULL)
		return -1;
	if ((ctx = ossl.EVP_MAC_CTX_dup(tpl)) == NULL) {
		snprintf(err, errlen, "%s: EVP_MAC_CTX_dup failed",
		    LIBCRYPTO_SO);
		return -1;
	}
	/* A NULL key would mean "the key set before": there is none. */
	ok = ossl.EVP_MAC_init(ctx, key != NULL ? key : empty_key, keylen,
	    NULL) == 1 && ossl.EVP_MAC_update(ctx, msg, msglen) == 1 &&
	    ossl.EVP_MAC_final(ctx, out, &n, CRYPTO_SHA256_LEN) == 1 &&
	    n == CRYPTO_SHA256_LEN;
	ossl.EVP_MAC_CTX_free(ctx);
	if (!ok) {
		snprintf(err, errlen, "%s: HMAC failed", LIBCRYPTO_SO);
		return -1;
	}
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
