/* JSON output through yajl_gen: see jsongen.h. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jsongen.h"

void
jgen_init_bytes(struct jgen *j)
{
	j->status = yajl_gen_status_ok;
	if ((j->g = yajl_gen_alloc(NULL)) == NULL)
		j->status = yajl_gen_generation_complete;
}

void
jgen_init(struct jgen *j)
{
	jgen_init_bytes(j);
	/* Values come from requests and config: refuse invalid UTF-8.
	 * yajl_gen_config() returns 0 when it does not know the option. */
	if (j->g != NULL &&
	    yajl_gen_config(j->g, yajl_gen_validate_utf8, 1) == 0)
		j->status = yajl_gen_generation_complete;
}

/* Keeps the first failure. */
static void
note(struct jgen *j, yajl_gen_status st)
{
	if (j->status == yajl_gen_status_ok)
		j->status = st;
}

void
jgen_strn(struct jgen *j, const char *s, size_t len)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_string(j->g, (const unsigned char *)s, len));
}

void
jgen_str(struct jgen *j, const char *s)
{
	jgen_strn(j, s, strlen(s));
}

void
jgen_str_or(struct jgen *j, const char *s, const char *fallback)
{
	yajl_gen_status	 st;

	if (j->status != yajl_gen_status_ok)
		return;
	/* An invalid string is refused before anything is written. */
	st = yajl_gen_string(j->g, (const unsigned char *)s, strlen(s));
	if (st == yajl_gen_invalid_string)
		jgen_str(j, fallback);
	else
		note(j, st);
}

void
jgen_null(struct jgen *j)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_null(j->g));
}

void
jgen_bool(struct jgen *j, int b)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_bool(j->g, b != 0));
}

void
jgen_int(struct jgen *j, long long n)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_integer(j->g, n));
}

void
jgen_map_open(struct jgen *j)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_map_open(j->g));
}

void
jgen_map_close(struct jgen *j)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_map_close(j->g));
}

void
jgen_array_open(struct jgen *j)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_array_open(j->g));
}

void
jgen_array_close(struct jgen *j)
{
	if (j->status == yajl_gen_status_ok)
		note(j, yajl_gen_array_close(j->g));
}

void
jgen_kv(struct jgen *j, const char *key, const char *val)
{
	jgen_str(j, key);
	jgen_str(j, val);
}

int
jgen_finish(struct jgen *j, struct buf *out, char *err, size_t errlen)
{
	const unsigned char	*p;
	size_t			 len;
	int			 rc = 0;

	if (j->g == NULL) {
		snprintf(err, errlen, "cannot start the JSON generator");
		return -1;
	}
	if (j->status == yajl_gen_invalid_string) {
		snprintf(err, errlen, "a text is not valid UTF-8");
		rc = -1;
	} else if (j->status != yajl_gen_status_ok) {
		snprintf(err, errlen, "JSON generator error %d", j->status);
		rc = -1;
	} else if (yajl_gen_get_buf(j->g, &p, &len) != yajl_gen_status_ok) {
		snprintf(err, errlen, "JSON generator error");
		rc = -1;
	} else if (buf_append(out, p, len) == -1) {
		snprintf(err, errlen, "the JSON document is too large");
		rc = -1;
	}
	yajl_gen_free(j->g);
	j->g = NULL;
	return rc;
}
