/*
 * libFuzzer harness for the config parser (config.h): no crash, no leak,
 * no hang on any file, and either a configuration or at least one error
 * line, never both, never neither.
 *
 * tests/unit/test_fuzz_regress.c includes this file with FUZZ_NO_MAIN
 * and its own FUZZ_ASSERT to replay the findings in tests/fuzz/regress/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"

#ifndef FUZZ_ASSERT
#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		abort();						\
	}								\
} while (0)
#endif

static int
fuzz_config(const uint8_t *d, size_t n)
{
	struct buf	 errors = { 0 };
	struct config	*cfg;

	cfg = config_parse((const char *)d, n, &errors);
	if (cfg != NULL) {
		FUZZ_ASSERT(errors.len == 0);
		/* What the relay looks up on every request. */
		for (size_t i = 0; i < cfg->n_apps; i++)
			FUZZ_ASSERT(config_app(cfg, cfg->apps[i].key) ==
			    &cfg->apps[i]);
		config_free(cfg);
	} else {
		FUZZ_ASSERT(errors.len > 0);
		FUZZ_ASSERT(errors.data[errors.len - 1] == '\n');
	}
	buf_free(&errors);
	return 0;
}

#ifndef FUZZ_NO_MAIN
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	return fuzz_config(d, n);
}
#endif
