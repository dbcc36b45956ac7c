/* Unit tests: crypto.c, the primitives from libcrypto. */
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "test.h"

/* FIPS 180-2 and RFC 4231 vectors. */
static void
test_vectors(void)
{
	unsigned char	 d[CRYPTO_SHA256_LEN], out[8], key[131];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1], b64[45], err[256];

	CHECK_INT(crypto_sha256("abc", 3, d, err, sizeof(err)), 0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	/* FIPS 180-2 A.1: the name Redis gives a script (EVALSHA). */
	CHECK_INT(crypto_sha1("abc", 3, d, err, sizeof(err)), 0);
	hex_encode(d, CRYPTO_SHA1_LEN, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	/* RFC 4231 4.3, test case 2. */
	CHECK_INT(crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?",
	    28, d, err, sizeof(err)), 0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	/* RFC 4231 4.7, test case 6: a key longer than a block is hashed;
	 * then case 2 again: each MAC starts from the keyless template. */
	memset(key, 0xaa, sizeof(key));
	CHECK_INT(crypto_hmac_sha256(key, sizeof(key), "Test Using Larger "
	    "Than Block-Size Key - Hash Key First", 54, d, err, sizeof(err)),
	    0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
	CHECK_INT(crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?",
	    28, d, err, sizeof(err)), 0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	/* An empty key (RFC 2104 2: padded with zeros). */
	CHECK_INT(crypto_hmac_sha256(NULL, 0, "", 0, d, err, sizeof(err)), 0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "b613679a0814d9ec772f95d778c35fc5"
	    "ff1697c493715653c6c712144292c5ad");
	CHECK_INT(crypto_b64_encode((const unsigned char *)"ab", 2, b64, err,
	    sizeof(err)), 0);
	CHECK_STR(b64, "YWI=");
	CHECK_INT(crypto_b64_decode_block("YWJj", 4, out, err, sizeof(err)),
	    3);
	CHECK(memcmp(out, "abc", 3) == 0);
	CHECK_INT(crypto_b64_decode_block("Y*Jj", 4, out, err, sizeof(err)),
	    -1);
}

/* The library it loaded: OpenSSL 3 or later, by its own account. */
static void
test_version(void)
{
	const char	*v;
	char		 err[256];

	v = crypto_version(err, sizeof(err));
	CHECK(v != NULL && strncmp(v, "OpenSSL ", 8) == 0);
}

int
main(void)
{
	RUN(test_vectors);
	RUN(test_version);
	return TEST_END();
}
