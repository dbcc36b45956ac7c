/*
 * The floor plus libcrypto and yajl, linked but not used (the calls below
 * run only with an argument, which a CGI request never has): what a relay
 * pays when libcurl is not loaded, e.g. on a rejected request once libcurl
 * is opened only when there is something to send.
 */
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <yajl/yajl_gen.h>

int
main(int argc, char *argv[])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		 buf[65536];
	yajl_gen	 g;

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		continue;
	if (argc > 1 && argv[1][0] == 'x') {
		if (HMAC(EVP_sha256(), "k", 1, (const unsigned char *)"m", 1,
		    md, &mdlen) == NULL)
			return 1;
		if ((g = yajl_gen_alloc(NULL)) == NULL)
			return 1;
		yajl_gen_free(g);
	}
	fputs("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
	    "{\"floor\": \"libcrypto+yajl\"}\n", stdout);
	return 0;
}
