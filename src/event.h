/*
 * One PGYER event, decoded from the request body with yajl's streaming
 * parser.  Only the fields below are kept; every other key, and every
 * nested value, is skipped.  Keys match case-insensitively ("Type" is
 * "type"); a string or a number is accepted for every field and kept as
 * its text.  Memory is bounded whatever the body: each kept string is cut
 * (at a UTF-8 character boundary) at EVENT_FIELD_MAX bytes, more than any
 * robot carries, and marked cut in struct event so the message says so;
 * nesting deeper than EVENT_DEPTH_MAX is refused.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>

/* Above the largest robot body (20000 bytes, DingTalk and Feishu). */
#define EVENT_FIELD_MAX	20480
#define EVENT_DEPTH_MAX	32

enum event_field {
	EV_ACTION,
	EV_TITLE,
	EV_LINK,
	EV_MESSAGE,
	EV_TYPE,
	EV_OS_VERSION,
	EV_BUILD_VERSION,
	EV_CREATED,
	EV_UPDATED,
	EV_TIMESTAMP,
	EV_APPSIZE,
	EV_DEVICE_TYPE,
	EV_NOTES,
	EV_QRCODE,		/* "appQRCodeURL" */
	EV__MAX
};

/* Lowercase key names, indexed by enum event_field: "action", ... */
extern const char *const event_field_names[EV__MAX];

struct event {
	/* NUL-terminated valid UTF-8 without NUL bytes; NULL when absent. */
	char		*field[EV__MAX];
	/* Bit 1 << f: field f was longer than EVENT_FIELD_MAX and cut. */
	unsigned int	 cut;
	/*
	 * Unix seconds from "timestamp" (seconds or milliseconds, a number
	 * or a string, a fraction dropped), valid when has_timestamp; a
	 * value that is none of these is only decoration and is ignored.
	 */
	long long	 timestamp;
	int		 has_timestamp;
	/*
	 * A top-level "msgtype" or "msg_type" key: the body is a robot
	 * message (PGYER's robot webhook types format it themselves).
	 */
	int		 robot_typed;
};

struct event_parser;

/* Starts decoding into ev, which must be zeroed; ev stays the caller's. */
struct event_parser *event_parser_new(struct event *ev);
/*
 * Feeds the next len bytes.  Returns 0, or -1 with a short reason in err
 * (what was wrong and at which byte offset; never an excerpt of the body).
 */
int	 event_parser_feed(struct event_parser *, const void *, size_t,
	    char *err, size_t errlen);
/* Ends the document: -1 with a reason when it is incomplete or invalid. */
int	 event_parser_finish(struct event_parser *, char *err, size_t errlen);
void	 event_parser_free(struct event_parser *);

/* The whole body at once, in one yajl_parse().  0 or -1 as above. */
int	 event_parse(struct event *, const void *, size_t,
	    char *err, size_t errlen);
/* Frees the fields, NULL-safe; ev itself is the caller's. */
void	 event_free(struct event *);
/*
 * Writes the comparable form of an event type into out (always
 * NUL-terminated): ASCII lowercase without spaces, '_' and '-' ("crash
 * log" = "crashLog"), and the aliases "update" = "updateVersion", "crash"
 * = "crash log".  Subscriptions and message wording compare types so.
 */
void	 event_type_normalise(const char *type, char *out, size_t outlen);

#endif
