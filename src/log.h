/*
 * The relay's log: one line per log_msg() call, to stderr (the web
 * server's error log, the default), to syslog, or appended to a file,
 * as the config's "log" setting says:
 *
 *	"stderr"		each line prefixed "pgyer-relay: "
 *	"syslog", "syslog:local0"	ident pgyer-relay, facility daemon
 *				unless named, priority info
 *	"/var/log/x.log"	"2026-01-02T03:04:05Z pgyer-relay[PID]: "
 *				then the line; opened append-only,
 *				O_NOFOLLOW, each line one write(2)
 *
 * Until log_open() succeeds, lines go to stderr.  Every %s argument is
 * escaped by log_escape() and cut to LOG_FIELD_MAX bytes, so a hostile
 * value can neither forge lines nor push what follows it (a delivery's
 * result) off its line.  Never pass secrets.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

struct buf;

/* Bytes of one escaped %s argument, before the "...(N more bytes)". */
#define LOG_FIELD_MAX	300
/* Bytes of one line after the prefix. */
#define LOG_LINE_MAX	4096

/*
 * Checks a "log" setting without opening anything: 0, or -1 with why
 * set to a phrase ("must be ...").
 */
int	 log_setting_check(const char *setting, const char **why);
/*
 * The syslog facility named (LOG_DAEMON for "daemon", LOG_LOCAL0 for
 * "local0", ...), or -1 for a name it does not know.
 */
int	 log_facility(const char *name);
/*
 * Sends later lines where setting says (NULL means "stderr").  Returns
 * 0, or -1 with err set; lines then keep going where they went before.
 */
int	 log_open(const char *setting, char *err, size_t errlen);
/* Back to stderr; closes the file or syslog connection. */
void	 log_close(void);
/* Appends to out, for --check, where setting sends the lines. */
void	 log_describe(struct buf *out, const char *setting);
/*
 * For --check: appends one line ("warning: ...\n") per reason why lines
 * sent where setting says could be lost or seen by others; returns how
 * many.
 */
int	 log_warnings(struct buf *out, const char *setting);

void	 log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Logs msg (a fixed, trusted text) from a signal handler: only
 * async-signal-safe calls.  Under syslog, goes to stderr.
 */
void	 log_urgent(const char *msg);

/*
 * The sanitiser for everything that reaches a log or a terminal: appends
 * s[0..len) to out with backslash, C0 and C1 controls, DEL, invalid
 * UTF-8 bytes, '"', U+2028, U+2029 and the bidirectional formatting
 * characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
 * escaped as \\, \", \xNN or \uNNNN.  When the escaped text exceeds max
 * bytes (0: no limit), it is cut between characters and
 * "...(N more bytes)" says how much of s was left out.
 */
void	 log_escape(struct buf *out, const char *s, size_t len, size_t max);
/*
 * The same with U+FFFD in place of each escape, and backslash and '"'
 * kept: for a text that is stored and shown again later (a robot's error
 * message in a summary, the journal and the log), which the output then
 * escapes once, as any other.
 */
void	 log_printable(struct buf *out, const char *s, size_t len,
	    size_t max);

#endif
