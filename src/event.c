/* STUB: replaced by the yajl streaming event parser. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "event.h"

const char *const event_field_names[EV__MAX] = {
	"action", "title", "link", "message", "type", "os_version",
	"build_version", "created", "updated", "timestamp", "appsize",
	"device_type", "notes",
};

struct event_parser { struct event *ev; };

struct event_parser *
event_parser_new(struct event *ev)
{
	struct event_parser *p = calloc(1, sizeof(*p));
	p->ev = ev;
	return p;
}

int
event_parser_feed(struct event_parser *p, const void *b, size_t n, char *err,
    size_t errlen)
{
	(void)p; (void)b; (void)n;
	snprintf(err, errlen, "not implemented");
	return -1;
}

int
event_parser_finish(struct event_parser *p, char *err, size_t errlen)
{
	(void)p;
	snprintf(err, errlen, "not implemented");
	return -1;
}

void
event_parser_free(struct event_parser *p)
{
	free(p);
}

int
event_parse(struct event *ev, const void *b, size_t n, char *err,
    size_t errlen)
{
	(void)ev; (void)b; (void)n;
	snprintf(err, errlen, "not implemented");
	return -1;
}

void
event_free(struct event *ev)
{
	for (int i = 0; i < EV__MAX; i++) {
		free(ev->field[i]);
		ev->field[i] = NULL;
	}
}

char *
event_link_app(const char *link)
{
	(void)link;
	return NULL;
}
