/*
 * Reference: libcurl doing only the sends.  Reads and drops the body,
 * then POSTs one small JSON message to each URL in BENCH_URLS (space
 * separated) at once through one multi handle, and prints a status line.
 * What a relay costs with no work of its own: no config, no parsing, no
 * formatting, no signing.
 *
 * BENCH_CAINFO, BENCH_CAPATH: when set, CURLOPT_CAINFO / CURLOPT_CAPATH
 * ("" sets NULL: none), to compare certificate loading.  This is a bench
 * program: unlike the relay it reads its environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#define MAX_URLS	8

static const char msg[] = "{\"msgtype\":\"text\",\"text\":"
    "{\"content\":\"pgyer-relay bench 应用\"}}";

static size_t
drop(char *p, size_t size, size_t nmemb, void *arg)
{
	(void)p;
	(void)arg;
	return size * nmemb;
}

static void
ca_option(CURL *e, CURLoption opt, const char *var)
{
	const char	*v = getenv(var);

	if (v != NULL)
		curl_easy_setopt(e, opt, *v != '\0' ? v : NULL);
}

int
main(void)
{
	CURL			*e[MAX_URLS];
	CURLM			*m;
	CURLMsg			*cm;
	struct curl_slist	*h = NULL;
	char			 buf[65536], *urls, *u, *save = NULL;
	const char		*list = getenv("BENCH_URLS");
	int			 n = 0, running = 1, left, ok = 0;

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		continue;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (m = curl_multi_init()) == NULL)
		return 1;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	if ((urls = strdup(list != NULL ? list : "")) == NULL)
		return 1;
	for (u = strtok_r(urls, " ", &save); u != NULL && n < MAX_URLS;
	    u = strtok_r(NULL, " ", &save)) {
		if ((e[n] = curl_easy_init()) == NULL)
			return 1;
		curl_easy_setopt(e[n], CURLOPT_URL, u);
		curl_easy_setopt(e[n], CURLOPT_POSTFIELDS, msg);
		curl_easy_setopt(e[n], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[n], CURLOPT_WRITEFUNCTION, drop);
		curl_easy_setopt(e[n], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e[n], CURLOPT_TIMEOUT_MS, 5000L);
		curl_easy_setopt(e[n], CURLOPT_PROXY, "");
		ca_option(e[n], CURLOPT_CAINFO, "BENCH_CAINFO");
		ca_option(e[n], CURLOPT_CAPATH, "BENCH_CAPATH");
		curl_multi_add_handle(m, e[n]);
		n++;
	}
	while (running > 0) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running > 0 &&
		    curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
	while ((cm = curl_multi_info_read(m, &left)) != NULL)
		if (cm->msg == CURLMSG_DONE && cm->data.result == CURLE_OK)
			ok++;
	for (int i = 0; i < n; i++) {
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	free(urls);
	curl_global_cleanup();
	printf("Status: %s\r\nContent-Type: application/json\r\n\r\n"
	    "{\"sent\": %d, \"ok\": %d}\n", ok == n ? "200 OK" :
	    "502 Bad Gateway", n, ok);
	return 0;
}
