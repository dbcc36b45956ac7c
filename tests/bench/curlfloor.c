/*
 * The libcurl floor: the floor plus Debian's libcurl linked and
 * initialised (curl_global_init, one easy handle, cleanup), sending
 * nothing.  What any relay that links libcurl pays before its own work.
 */
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>

int
main(void)
{
	char	 buf[65536];
	CURL	*e;

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		continue;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if ((e = curl_easy_init()) == NULL)
		return 1;
	curl_easy_cleanup(e);
	curl_global_cleanup();
	fputs("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
	    "{\"floor\": \"libcurl\"}\n", stdout);
	return 0;
}
