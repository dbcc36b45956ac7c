/*
 * The cryptographic primitives the relay uses (SHA-256, HMAC-SHA256,
 * base64 blocks), from libcrypto opened when first needed (lazylib.h).
 * The only file that includes OpenSSL.  Every function that needs the
 * library returns -1 with a reason naming it when it cannot be opened:
 * a digest or signature is never left as zeros.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_SHA1_LEN		20
/* The soname opened; LIBCRYPTO_SO overrides it at build time. */
#ifndef LIBCRYPTO_SO
#define LIBCRYPTO_SO	"libcrypto.so.3"
#endif

/* Opens libcrypto (once).  0, or -1 with err naming the library. */
int	 crypto_load(char *err, size_t errlen);
/* SHA-256 of data.  0, or -1 with err. */
int	 crypto_sha256(const void *data, size_t len,
	    unsigned char out[CRYPTO_SHA256_LEN], char *err, size_t errlen);
/* SHA-1 of data, only to name a Redis script (EVALSHA).  0, or -1 with
 * err. */
int	 crypto_sha1(const void *data, size_t len,
	    unsigned char out[CRYPTO_SHA1_LEN], char *err, size_t errlen);
/* HMAC-SHA256 of msg under key.  0, or -1 with err. */
int	 crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN], char *err,
	    size_t errlen);
/*
 * Base64 (RFC 4648 4) of in[0..len) into out, NUL-terminated; out holds
 * 4 * ((len + 2) / 3) + 1 bytes.  0, or -1 with err.
 */
int	 crypto_b64_encode(const unsigned char *in, size_t len, char *out,
	    char *err, size_t errlen);
/*
 * EVP_DecodeBlock() of a padded base64 string of len bytes (a multiple of
 * 4) into out (3 * len / 4 bytes): the length written, padding counted,
 * or -1 (err says why).
 */
int	 crypto_b64_decode_block(const char *in, size_t len,
	    unsigned char *out, char *err, size_t errlen);
/* The loaded library's version text, or NULL (with err) when it cannot
 * be opened. */
const char *crypto_version(char *err, size_t errlen);

#endif
