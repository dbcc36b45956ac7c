/*
 * One table of operations per robot type: build the HTTP request for an
 * event, and judge the robot's reply.  Builders are pure (the time comes
 * in as an argument) so they are tested against golden payloads.
 */
#ifndef ROBOT_H
#define ROBOT_H

#include <stddef.h>

#include "config.h"

struct buf;
struct message_ctx;

#define REQUEST_HEADERS_MAX	8

/* An HTTP POST to send; everything owned, freed by request_free(). */
struct request {
	char	*url;		/* signed where the robot wants it */
	char	*body;
	size_t	 body_len;
	char	*headers[REQUEST_HEADERS_MAX];	/* "Name: value" */
	size_t	 n_headers;
	int	 truncated;	/* text was cut to fit the robot's limit */
};

/* What a reply means. */
struct verdict {
	int	 ok;		/* HTTP 2xx and the robot says success */
	int	 retryable;	/* worth trying again later */
	long	 errcode;	/* robot's code, 0 when none */
	char	 errmsg[200];	/* robot's message or ours, printable */
};

struct robot_ops {
	const char	*name;
	/*
	 * Builds the request for wh.  raw/raw_len is the original request
	 * body (the json robot forwards it).  now_ms is the Unix time in
	 * milliseconds, used for signatures.  Returns 0, or -1 with err.
	 */
	int	(*build)(const struct webhook *wh, const struct message_ctx *,
		    const char *raw, size_t raw_len, long long now_ms,
		    struct request *, char *err, size_t errlen);
	/* Judges a reply: HTTP status and body (not NUL-terminated). */
	void	(*judge)(long http_status, const char *body, size_t len,
		    struct verdict *);
};

extern const struct robot_ops robot_wecom;
extern const struct robot_ops robot_dingtalk;
extern const struct robot_ops robot_feishu;
extern const struct robot_ops robot_json;

const struct robot_ops	*robot_get(enum robot_type);
void			 request_free(struct request *);
/* Takes body over as the request's JSON body (UTF-8), with its header. */
void			 request_set_json(struct request *, struct buf *body);

#endif
