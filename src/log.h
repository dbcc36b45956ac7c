/*
 * Log lines on stderr (the web server's error log), one per call,
 * prefixed "pgyer-relay: ".  Control characters in the message are
 * escaped so a hostile value cannot forge lines.  Never pass secrets.
 */
#ifndef LOG_H
#define LOG_H

void	 log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
