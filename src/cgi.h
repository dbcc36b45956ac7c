/*
 * The CGI side (RFC 3875): request variables, the body, the response,
 * through a front end (front.h).  A FastCGI responder answers in the same
 * form (the FastCGI spec, 6.2), so both front ends read and respond here;
 * the CGI's own front end (stdin, stdout, environment) and its
 * per-process backstops (deadline, out of memory) are cgi_stdio()'s.
 */
#ifndef CGI_H
#define CGI_H

#include <stddef.h>

struct buf;
struct front;

enum http_status {
	HTTP_200, HTTP_202, HTTP_400, HTTP_403, HTTP_404, HTTP_405,
	HTTP_408, HTTP_413, HTTP_415, HTTP_500, HTTP_502, HTTP_503, HTTP_504,
	HTTP__MAX
};

struct http_status_line {
	int		 code;		/* 200 */
	const char	*line;		/* "200 OK": the CGI Status header */
};

extern const struct http_status_line cgi_statuses[HTTP__MAX];

/* 1 when ct is application/json (any parameters, any case). */
int	 cgi_is_json(const char *ct);
/* The CGI's front end: environment, stdin, stdout, the backstop. */
struct front	*cgi_stdio(void);
/* A front end that reads the body from fd (for tests); no response. */
void	 cgi_front_fd(struct front *, int *fd);
/*
 * Reads the body from f into out.  With content_length set and
 * non-empty, exactly that many bytes; else to its end.  Returns HTTP_200,
 * or HTTP_400 (bad length, body ended early, empty), HTTP_408 (the
 * front end's read timed out), HTTP_413 (over max; the rest is drained)
 * with the reason in err.
 */
enum http_status cgi_read_body(struct front *f, const char *content_length,
	    size_t max, struct buf *out, char *err, size_t errlen);
/* Reads and discards the rest of the body (before refusing a request:
 * fcgiwrap answers 502 when the body is left unread). */
void	 cgi_drain(struct front *f, const char *content_length);
/*
 * Writes a complete response through f: status, optional extra header
 * lines ("Name: value\r\n" each), Content-Type: application/json, body.
 * Once: a response is either this one, whole, or the backstop's or the
 * out-of-memory one (never none, never two).  Returns 0, or -1 when a
 * response was already sent or this one could not be written whole.
 */
int	 cgi_respond(struct front *f, enum http_status, const char *headers,
	    const char *body, size_t len);
/*
 * Arms the backstop: after seconds, a response with st and msg (ASCII,
 * prepared now, written by the signal handler without allocating) is sent
 * unless one was, and the process exits.  0 disarms.  Returns 0, or -1
 * when the handler cannot be installed (no alarm is armed then).
 */
int	 cgi_deadline(unsigned int seconds, enum http_status st,
	    const char *msg);
/*
 * Formats into out (size bytes) the whole response a backstop writes:
 * status line, headers, {"error": msg} (msg ASCII, no escapes needed).
 * Returns its length (cut to size - 1 at worst).  No allocation: the
 * FastCGI front end frames it in records when it arms its own backstop.
 */
size_t	 cgi_emergency(char *out, size_t size, enum http_status st,
	    const char *msg);
/* A file the backstop removes before it exits (NULL: none), so that an
 * event it cuts short is not remembered as seen.  Copied. */
void	 cgi_deadline_unlink(const char *path);
/* Removes that file: for a backstop's signal handler (only unlink(2)). */
void	 cgi_deadline_forget(void);
/* Writes a prepared 500 without allocating, then exits: for when memory
 * runs out. */
void	 cgi_out_of_memory(void);
/* 1 once the CGI (cgi_stdio()) has written a response. */
int	 cgi_responded(void);
/* Responds {"error": msg} with the status through f. */
void	 cgi_error(struct front *f, enum http_status, const char *msg);

#endif
