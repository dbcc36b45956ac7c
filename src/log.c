/* The relay's log: see log.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "utf8.h"

#define IDENT		"pgyer-relay"
#define SYSLOG_PREFIX	"syslog"

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

enum dest { TO_STDERR, TO_SYSLOG, TO_FILE };

static enum dest	 dest = TO_STDERR;
static int		 log_fd = -1;	/* TO_FILE */

int
log_facility(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]);
	    i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].facility;
	return -1;
}

/* The facility of a "syslog[:name]" setting, -1 if bad, -2 if none. */
static int
syslog_facility(const char *setting)
{
	size_t	 n = strlen(SYSLOG_PREFIX);

	if (strncmp(setting, SYSLOG_PREFIX, n) != 0)
		return -2;
	if (setting[n] == '\0')
		return LOG_DAEMON;
	if (setting[n] != ':')
		return -2;
	return log_facility(setting + n + 1);
}

int
log_setting_check(const char *setting, const char **why)
{
	int	 f;

	*why = NULL;
	if (strcmp(setting, "stderr") == 0)
		return 0;
	if ((f = syslog_facility(setting)) == -1)
		*why = "names an unknown syslog facility (use daemon, user "
		    "or local0 to local7)";
	else if (f >= 0)
		return 0;
	else if (*setting != '/')
		*why = "must be \"stderr\", \"syslog\", \"syslog:FACILITY\" "
		    "or an absolute file path";
	else if (setting[strlen(setting) - 1] == '/')
		*why = "must name a file, not a directory";
	else {
		for (const char *p = setting; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*why = "must not contain control characters";
		if (*why == NULL && strlen(setting) > 1024)
			*why = "is too long";
	}
	return *why == NULL ? 0 : -1;
}

void
log_close(void)
{
	if (dest == TO_FILE)
		(void)close(log_fd);
	else if (dest == TO_SYSLOG)
		closelog();
	log_fd = -1;
	dest = TO_STDERR;
}

int
log_open(const char *setting, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*why;
	int		 fd, f;

	if (setting == NULL)
		setting = "stderr";
	if (log_setting_check(setting, &why) == -1) {
		snprintf(err, errlen, "log: %s", why);
		return -1;
	}
	if (strcmp(setting, "stderr") == 0) {
		log_close();
		return 0;
	}
	if ((f = syslog_facility(setting)) >= 0) {
		log_close();
		openlog(IDENT, LOG_PID, f);
		dest = TO_SYSLOG;
		return 0;
	}
	/*
	 * O_NOFOLLOW: a symbolic link planted in place of the file does not
	 * redirect the lines.  O_NONBLOCK: a FIFO does not hang the
	 * request; only a regular file is accepted.
	 */
	fd = open(setting, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd == -1) {
		snprintf(err, errlen, "log %s: %s", setting,
		    errno == ELOOP ? "is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "log %s: not a regular file", setting);
		(void)close(fd);
		return -1;
	}
	log_close();
	log_fd = fd;
	dest = TO_FILE;
	return 0;
}

void
log_describe(struct buf *out, const char *setting)
{
	int	 f;

	if (setting == NULL || strcmp(setting, "stderr") == 0)
		buf_puts(out, "stderr (the web server's error log)");
	else if ((f = syslog_facility(setting)) >= 0) {
		buf_puts(out, "syslog, ident " IDENT ", facility ");
		for (size_t i = 0; i < sizeof(facilities) /
		    sizeof(facilities[0]); i++)
			if (facilities[i].facility == f)
				buf_puts(out, facilities[i].name);
		buf_puts(out, " (journalctl -t " IDENT ")");
	} else
		buf_printf(out, "the file %s", setting);
}

int
log_warnings(struct buf *out, const char *setting)
{
	struct stat	 st;
	const char	*dev = "/dev/log";

	if (setting == NULL || strcmp(setting, "stderr") == 0)
		return 0;
	if (syslog_facility(setting) >= 0) {
		if (stat(dev, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		buf_printf(out, "warning: log: nothing listens on %s (no "
		    "journald, no syslog daemon): the lines are lost\n", dev);
		return 1;
	}
	if (lstat(setting, &st) == -1) {
		buf_printf(out, "warning: log %s: %s: the relay creates it "
		    "if the web server's user may write the directory, else "
		    "it logs to stderr\n", setting, strerror(errno));
		return 1;
	}
	if (S_ISLNK(st.st_mode))
		buf_printf(out, "warning: log %s: is a symbolic link, which "
		    "the relay refuses: it logs to stderr\n", setting);
	else if (!S_ISREG(st.st_mode))
		buf_printf(out, "warning: log %s: not a regular file, which "
		    "the relay refuses: it logs to stderr\n", setting);
	else if (st.st_mode & S_IROTH)
		buf_printf(out, "warning: log %s: readable by every user: "
		    "chmod o-r %s\n", setting, setting);
	else if (st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)))
		buf_printf(out, "warning: log %s: only root may write it, and "
		    "the relay runs as the web server's user: chgrp www-data "
		    "%s && chmod 0620 %s\n", setting, setting, setting);
	else
		return 0;
	return 1;
}

/* The code point of the valid sequence of n bytes at p. */
static unsigned long
decode(const unsigned char *p, size_t n)
{
	unsigned long	 cp = n == 1 ? p[0] : p[0] & (0x7f >> n);

	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | (p[k] & 0x3f);
	return cp;
}

/* 1 for the code points above U+007F that log_escape() escapes. */
static int
hidden(unsigned long cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	    cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Length of the sequence at p (at most len bytes) if valid, else 0. */
static size_t
valid_len(const unsigned char *p, size_t len)
{
	size_t	 n = p[0] < 0x80 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;

	return n <= len && utf8_valid((const char *)p, n) ? n : 0;
}

/*
 * log_escape() when replace is 0, log_printable() when 1: each character
 * the sanitiser does not let through is escaped, or shown as U+FFFD.
 */
static void
sanitise(struct buf *out, const char *s, size_t len, size_t max, int replace)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 unit[8];
	size_t			 i = 0, n, u, used = 0;

	while (i < len) {
		/* Printable ASCII but backslash and quote: a run at once. */
		for (n = 0; i + n < len && p[i + n] >= 0x20 && p[i + n] < 0x7f &&
		    p[i + n] != '\\' && p[i + n] != '"'; n++)
			continue;
		if (n > 0) {
			if (max > 0 && used + n > max)
				n = max - used;
			buf_append(out, p + i, n);
			used += n;
			i += n;
			if (max > 0 && used == max)
				break;
			continue;
		}
		n = valid_len(p + i, len - i);
		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)) ||
		    (n > 1 && hidden(decode(p + i, n)))) {
			n = n == 0 ? 1 : n;
			if (replace)
				u = (size_t)snprintf(unit, sizeof(unit),
				    "\xef\xbf\xbd");	/* U+FFFD */
			else if (n == 1)
				u = (size_t)snprintf(unit, sizeof(unit),
				    "\\x%02x", p[i]);
			else
				u = (size_t)snprintf(unit, sizeof(unit),
				    "\\u%04lx", decode(p + i, n));
		} else if (n == 1 && (p[i] == '\\' || p[i] == '"') &&
		    !replace) {
			unit[0] = '\\';
			unit[1] = (char)p[i];
			u = 2;
		} else {
			memcpy(unit, p + i, n);
			u = n;
		}
		if (max > 0 && used + u > max)
			break;
		buf_append(out, unit, u);
		used += u;
		i += n;
	}
	if (i < len)
		buf_printf(out, "...(%zu more bytes)", len - i);
}

void
log_escape(struct buf *out, const char *s, size_t len, size_t max)
{
	sanitise(out, s, len, max, 0);
}

void
log_printable(struct buf *out, const char *s, size_t len, size_t max)
{
	sanitise(out, s, len, max, 1);
}

/*
 * Appends the integer argument of conversion conv with length modifier
 * len ("", "l", "ll" or "z"), in decimal (or hex for x).  Flags and
 * width are ignored: log lines do not align columns.
 */
static int
put_number(struct buf *out, const char *len, size_t lenlen, char conv,
    va_list *ap)
{
	long long		 v = 0;
	unsigned long long	 u = 0;
	int			 sign = conv == 'd' || conv == 'i';

	if (strchr("diux", conv) == NULL)
		return -1;
	if (lenlen == 2 && strncmp(len, "ll", 2) != 0)
		return -1;
	if (lenlen > 2 || (lenlen == 1 && *len != 'l' && *len != 'z'))
		return -1;
	if (lenlen == 0 && sign)
		v = va_arg(*ap, int);
	else if (lenlen == 0)
		u = va_arg(*ap, unsigned int);
	else if (lenlen == 2 && sign)
		v = va_arg(*ap, long long);
	else if (lenlen == 2)
		u = va_arg(*ap, unsigned long long);
	else if (*len == 'l' && sign)
		v = va_arg(*ap, long);
	else if (*len == 'l')
		u = va_arg(*ap, unsigned long);
	else if (sign)
		v = va_arg(*ap, ssize_t);
	else
		u = va_arg(*ap, size_t);
	if (sign)
		buf_printf(out, "%lld", v);
	else
		buf_printf(out, conv == 'x' ? "%llx" : "%llu", u);
	return 0;
}

/*
 * printf for log lines: the format is trusted and copied; each %s (and
 * %.*s, %c) is escaped and cut to LOG_FIELD_MAX.  Handles the
 * conversions log lines use: %s %.*s %c %d %i %u %x with l, ll or z,
 * and %%.  Anything else ends the line with
 * "(bad format)" rather than read arguments of the wrong type.
 */
static void
format(struct buf *out, const char *fmt, va_list *ap)
{
	const char	*s, *len;
	size_t		 n;
	int		 prec;
	char		 c;

	while (*fmt != '\0') {
		n = strcspn(fmt, "%");
		buf_append(out, fmt, n);
		fmt += n;
		if (*fmt == '\0')
			break;
		fmt++;
		if (*fmt == '%') {
			buf_putc(out, '%');
			fmt++;
			continue;
		}
		fmt += strspn(fmt, "-+ #0");
		fmt += strspn(fmt, "0123456789");
		prec = -1;
		if (fmt[0] == '.' && fmt[1] == '*') {
			prec = va_arg(*ap, int);
			fmt += 2;
		} else if (*fmt == '.') {
			fmt++;
			prec = 0;
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		len = fmt;
		fmt += strspn(fmt, "hljztL");
		if (*fmt == 's') {
			if ((s = va_arg(*ap, const char *)) == NULL)
				s = "(null)";
			n = prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
			log_escape(out, s, n, LOG_FIELD_MAX);
		} else if (*fmt == 'c') {
			c = (char)va_arg(*ap, int);
			log_escape(out, &c, 1, 0);
		} else if (*fmt == '\0' || prec != -1 ||
		    put_number(out, len, (size_t)(fmt - len), *fmt, ap) == -1) {
			buf_puts(out, "(bad format)");
			return;
		}
		fmt++;
	}
}

/* Writes line[0..len) to fd in one write(2); retries only EINTR. */
static void
write_line(int fd, const char *line, size_t len)
{
	while (write(fd, line, len) == -1 && errno == EINTR)
		continue;
}

void
log_msg(const char *fmt, ...)
{
	struct buf	 line = { 0 }, out = { 0 };
	struct tm	 tm;
	time_t		 now;
	va_list		 ap;
	size_t		 n;

	va_start(ap, fmt);
	format(&line, fmt, &ap);
	va_end(ap);
	if (line.data == NULL)
		buf_puts(&line, "");
	if (line.len > LOG_LINE_MAX) {
		n = utf8_cut(line.data, line.len, LOG_LINE_MAX);
		line.len = n;
		buf_printf(&line, "...(cut)");
	}
	switch (dest) {
	case TO_SYSLOG:
		syslog(LOG_INFO, "%s", line.data);
		break;
	case TO_FILE:
		now = time(NULL);
		if (gmtime_r(&now, &tm) != NULL)
			buf_printf(&out, "%04d-%02d-%02dT%02d:%02d:%02dZ ",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, tm.tm_sec);
		buf_printf(&out, IDENT "[%ld]: %s\n", (long)getpid(),
		    line.data);
		/* O_APPEND and one write: concurrent CGIs do not mix. */
		write_line(log_fd, out.data, out.len);
		break;
	default:
		buf_printf(&out, IDENT ": %s\n", line.data);
		write_line(STDERR_FILENO, out.data, out.len);
		break;
	}
	buf_free(&out);
	buf_free(&line);
}

void
log_urgent(const char *msg)
{
	char	 line[256];
	size_t	 n = sizeof(IDENT ": ") - 1, m = strlen(msg);

	if (m > sizeof(line) - n - 1)
		m = sizeof(line) - n - 1;
	memcpy(line, IDENT ": ", n);
	memcpy(line + n, msg, m);
	line[n + m] = '\n';
	write_line(dest == TO_FILE ? log_fd : STDERR_FILENO, line, n + m + 1);
}
