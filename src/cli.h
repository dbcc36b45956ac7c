/* The command line: --check, --dry-run, --version, --help. */
#ifndef CLI_H
#define CLI_H

/* Runs the command line; returns the exit status. */
int	 cli_main(int argc, char *argv[]);

#endif
