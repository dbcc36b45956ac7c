/*
 * libFuzzer harness for the event parser (event.h).  Besides "no crash,
 * no leak, no hang" it checks what event.h promises: every kept field is
 * valid UTF-8 without NUL and at most EVENT_FIELD_MAX bytes, and feeding
 * the body in chunks gives the same event as feeding it whole.
 *
 * tests/unit/test_fuzz_regress.c includes this file with FUZZ_NO_MAIN
 * and its own FUZZ_ASSERT to replay the findings in tests/fuzz/regress/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "url.h"
#include "utf8.h"

#ifndef FUZZ_ASSERT
#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		abort();						\
	}								\
} while (0)
#endif

/* Feeds d in pieces of chunk bytes, as a slow client would send it. */
static int
parse_chunked(struct event *ev, const uint8_t *d, size_t n, size_t chunk,
    char *err, size_t errlen)
{
	struct event_parser	*p;
	size_t			 len;
	int			 rc = 0;

	if ((p = event_parser_new(ev)) == NULL)
		return -2;
	for (size_t off = 0; off < n && rc == 0; off += len) {
		len = n - off < chunk ? n - off : chunk;
		rc = event_parser_feed(p, d + off, len, err, errlen);
	}
	if (rc == 0)
		rc = event_parser_finish(p, err, errlen);
	event_parser_free(p);
	return rc;
}

static void
check_fields(const struct event *ev)
{
	size_t	 len;

	for (int i = 0; i < EV__MAX; i++) {
		if (ev->field[i] == NULL)
			continue;
		len = strlen(ev->field[i]);
		FUZZ_ASSERT(len <= EVENT_FIELD_MAX);
		FUZZ_ASSERT(utf8_valid(ev->field[i], len));
	}
}

static int
fuzz_event(const uint8_t *d, size_t n)
{
	struct event	 whole, chunked;
	char		 err[256], err2[256], *app;
	size_t		 chunk;
	int		 rc, rc2;

	memset(&whole, 0, sizeof(whole));
	memset(&chunked, 0, sizeof(chunked));
	err[0] = err2[0] = '\0';
	rc = event_parse(&whole, d, n, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc == -1) {
		/* A reason, and no half event left behind. */
		FUZZ_ASSERT(err[0] != '\0');
		for (int i = 0; i < EV__MAX; i++)
			FUZZ_ASSERT(whole.field[i] == NULL);
	}
	check_fields(&whole);
	if (rc == 0 && whole.field[EV_LINK] != NULL) {
		app = url_link_app(whole.field[EV_LINK]);
		free(app);
	}

	/*
	 * The chunk size comes from the input, so it is reproducible; at
	 * most 64 pieces, since yajl rescans a token that spans pieces from
	 * its start on every piece (a long string in tiny pieces would take
	 * quadratic time: the relay parses bodies in one piece).
	 */
	chunk = n % 31 + 1;
	if (chunk < n / 64)
		chunk = n / 64;
	rc2 = parse_chunked(&chunked, d, n, chunk, err2, sizeof(err2));
	FUZZ_ASSERT(rc2 == rc);
	if (rc == 0 && rc2 == 0) {
		for (int i = 0; i < EV__MAX; i++) {
			const char	*a = whole.field[i];
			const char	*b = chunked.field[i];

			FUZZ_ASSERT((a == NULL) == (b == NULL));
			FUZZ_ASSERT(a == NULL || strcmp(a, b) == 0);
		}
		FUZZ_ASSERT(whole.has_timestamp == chunked.has_timestamp);
		FUZZ_ASSERT(!whole.has_timestamp ||
		    whole.timestamp == chunked.timestamp);
	}
	event_free(&whole);
	event_free(&chunked);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	return fuzz_event(d, n);
}
#endif
