/*
 * The configuration: one JSON file (comments allowed), parsed with yajl.
 * Every problem is reported with its place, one line each, e.g.
 * "apps.oooplay_test.webhooks[1].evnts: unknown key".
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

struct buf;
struct stat;

#define APP_WEBHOOKS_MAX	3
/* The largest config file read: larger is refused as not a config. */
#define CONFIG_FILE_MAX		(1024 * 1024)

enum robot_type {
	ROBOT_WECOM,
	ROBOT_DINGTALK,
	ROBOT_FEISHU,
	ROBOT_JSON,
	ROBOT__MAX
};

enum lang {
	LANG_ZH,
	LANG_EN,
	LANG__MAX
};

enum msg_format {
	FORMAT_MARKDOWN,	/* wecom/dingtalk markdown, feishu post */
	FORMAT_TEXT,		/* plain text for every robot */
	FORMAT_CARD,		/* a card with a download button */
	FORMAT__MAX
};

struct strlist {
	char	**v;
	size_t	  n;
};

struct webhook {
	char		*name;
	enum robot_type	 type;
	char		*url;
	char		*secret;	/* NULL: unsigned */
	char		*keyword;	/* NULL: none */
	struct strlist	 at_mobiles;
	struct strlist	 at_user_ids;
	int		 at_all;
	struct strlist	 events;	/* as written; "*" matches all */
	int		 enabled;	/* default 1 */
	char		*template;	/* NULL: built-in */
	enum msg_format	 format;	/* default FORMAT_MARKDOWN */
};

struct app {
	char		*key;
	char		*token;		/* NULL: no token required */
	struct webhook	 webhooks[APP_WEBHOOKS_MAX];
	size_t		 n_webhooks;
};

struct config {
	long		 timeout_ms;	/* default 5000 */
	size_t		 max_body_bytes;	/* default 65536 */
	char		*timezone;	/* default "Asia/Shanghai" */
	enum lang	 language;	/* default LANG_ZH */
	char		*proxy;		/* NULL or "": none */
	/* Spool and retry, rate limits, duplicates (journal.h, ratelimit.h,
	 * dedup.h).  Directories are absolute paths; "" turns them off. */
	long		 read_timeout_ms;	/* default 30000 */
	char		*ca_file;	/* "": libcurl's default trust */
	char		*ca_path;	/* "": libcurl's default trust */
	char		*spool_dir;	/* default "": no spool */
	char		*state_dir;	/* default "": no rate limits, no
					 * duplicate filter */
	/* Shared by several relay hosts instead (state_redis.h): "" off. */
	char		*state_url;	/* state_url.h */
	char		*state_password_file;	/* "": none */
	char		*state_prefix;	/* after "pgyer-relay:" in keys */
	long long	 dedup_seconds;	/* default 600; 0: off */
	long long	 max_attempts;	/* default 10, the first one too */
	long long	 max_age;	/* seconds, default 86400 */
	long long	 spool_max_mb;	/* default 64: past it, 503 */
	char		*log;		/* default "stderr": log.h */
	struct app	*apps;
	size_t		 n_apps;
};

/* The built-in configuration path (the Makefile sets it from SYSCONFDIR). */
#ifndef DEFAULT_CONFIG
#define DEFAULT_CONFIG "/etc/pgyer-relay/config.json"
#endif

extern const char *const robot_type_names[ROBOT__MAX];	/* "wecom", ... */

/*
 * Parses a configuration.  Returns it, or NULL after appending one line
 * per problem ("place: what is wrong\n") to errors.  The caller frees the
 * result with config_free().
 */
struct config	*config_parse(const char *text, size_t len, struct buf *errors);
/*
 * Appends the text of path to text: 0, or -1 after appending the problem
 * to errors (unreadable, or larger than CONFIG_FILE_MAX).
 */
int		 config_read(const char *path, struct buf *text,
		    struct buf *errors);
/* Reads and parses path; a read failure is reported like a parse error. */
struct config	*config_load(const char *path, struct buf *errors);
/* Whether two stat()s of the config file are of the same version of it
 * (inode, size, mtime and ctime). */
int		 config_same_file(const struct stat *, const struct stat *);
/* The configuration's path: $PGYER_RELAY_CONFIG, else DEFAULT_CONFIG. */
const char	*config_path(void);
const struct app *config_app(const struct config *, const char *key);
/* The webhook of app named name, or NULL. */
const struct webhook *config_webhook(const struct app *, const char *name);
void		 config_free(struct config *);

#endif
