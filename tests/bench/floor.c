/*
 * The floor: the cheapest CGI there is.  Reads and drops the body (an
 * unread body makes fcgiwrap answer 502), prints a status line and a tiny
 * JSON body.  Links libc only.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	char	 buf[65536];

	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		continue;
	fputs("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
	    "{\"floor\": true}\n", stdout);
	return 0;
}
