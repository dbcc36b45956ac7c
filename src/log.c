/* Log lines on stderr: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* Long enough for a request line with every webhook's result. */
#define LOG_LINE_MAX	4096

void
log_msg(const char *fmt, ...)
{
	struct buf	 out = { 0 };
	char		 line[LOG_LINE_MAX];
	unsigned char	 c;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_puts(&out, "pgyer-relay: ");
	for (size_t i = 0; line[i] != '\0'; i++) {
		c = (unsigned char)line[i];
		if (c == '\\')
			buf_puts(&out, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(&out, "\\x%02x", c);
		else
			buf_putc(&out, (char)c);
	}
	buf_putc(&out, '\n');
	/* One write per line: concurrent CGI processes share the log. */
	(void)!write(STDERR_FILENO, out.data, out.len);
	buf_free(&out);
}
