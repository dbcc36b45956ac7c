/* STUB: replaced by the config parser. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"

const char *const robot_type_names[ROBOT__MAX] = {
	"wecom", "dingtalk", "feishu", "json",
};

struct config *
config_parse(const char *text, size_t len, struct buf *errors)
{
	(void)text; (void)len;
	buf_puts(errors, "config: not implemented\n");
	return NULL;
}

struct config *
config_load(const char *path, struct buf *errors)
{
	(void)path;
	return config_parse("", 0, errors);
}

const struct app *
config_app(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->n_apps; i++)
		if (strcmp(c->apps[i].key, key) == 0)
			return &c->apps[i];
	return NULL;
}

void
config_free(struct config *c)
{
	free(c);
}
