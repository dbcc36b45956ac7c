/* STUB: the command line, filled in after the CGI path. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#ifndef DEFAULT_CONFIG
#define DEFAULT_CONFIG "/etc/pgyer-relay/config.json"
#endif

const char *
cli_config_path(void)
{
	const char	*p = getenv("PGYER_RELAY_CONFIG");

	return p != NULL && *p != '\0' ? p : DEFAULT_CONFIG;
}

int
cli_main(int argc, char *argv[])
{
	(void)argc; (void)argv;
	fprintf(stderr, "usage: pgyer-relay.cgi --help\n");
	return 2;
}
