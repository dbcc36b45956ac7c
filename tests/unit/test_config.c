/*
 * Unit tests: the config parser.  Run from the top of the tree (the
 * example file is read from etc/).  JSON in this file is written with '
 * for " so that it stays readable; parse() swaps them back.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "template.h"
#include "xalloc.h"
#include "test.h"

static struct buf	 errs;

/* Parses s with ' standing for "; problems are left in errs. */
static struct config *
parse(const char *s)
{
	struct config	*c;
	char		*t;

	t = xstrdup(s);
	for (char *p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	buf_reset(&errs);
	c = config_parse(t, strlen(t), &errs);
	free(t);
	return c;
}

/* Checks that s is refused with exactly the lines in want. */
#define CHECK_ERRORS(s, want)	check_errors(__FILE__, __LINE__, (s), (want))

static void
check_errors(const char *file, int line, const char *s, const char *want)
{
	struct config	*c;

	if ((c = parse(s)) != NULL) {
		fprintf(stderr, "%s:%d: accepted, want\n%s", file, line, want);
		test_failed_checks++;
		config_free(c);
		return;
	}
	if (strcmp(errs.data, want) != 0) {
		fprintf(stderr, "%s:%d: errors are\n%swant\n%s", file, line,
		    errs.data, want);
		test_failed_checks++;
	}
}

/* Checks that s is accepted. */
#define CHECK_OK(s)	check_ok(__FILE__, __LINE__, (s))

static void
check_ok(const char *file, int line, const char *s)
{
	struct config	*c;

	if ((c = parse(s)) == NULL) {
		fprintf(stderr, "%s:%d: refused:\n%s", file, line,
		    errs.data != NULL ? errs.data : "");
		test_failed_checks++;
	}
	config_free(c);
}

/* One app "demo" with one dingtalk webhook, plus extra webhook keys. */
#define WH(extra)							\
	"{'apps':{'demo':{'webhooks':[{'name':'A','type':'dingtalk',"	\
	"'url':'https://h.example/x','events':['*']" extra "}]}}}"

#define P0	"apps.demo.webhooks[0]"

static void
test_defaults(void)
{
	struct config		*c;
	const struct webhook	*w;

	c = parse("{'apps':{}}");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->timeout_ms, 5000);
	CHECK_INT(c->max_body_bytes, 65536);
	CHECK_STR(c->timezone, "Asia/Shanghai");
	CHECK_INT(c->language, LANG_ZH);
	CHECK(c->proxy == NULL || *c->proxy == '\0');
	CHECK_INT(c->n_apps, 0);
	CHECK_INT(c->read_timeout_ms, 30000);
	CHECK_STR(c->ca_file, "");
	CHECK_STR(c->ca_path, "");
	config_free(c);

	c = parse(WH(""));
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->n_apps, 1);
	CHECK(c->apps[0].token == NULL);
	CHECK_INT(c->apps[0].n_webhooks, 1);
	w = &c->apps[0].webhooks[0];
	CHECK_INT(w->enabled, 1);
	CHECK_INT(w->at_all, 0);
	CHECK_INT(w->format, FORMAT_MARKDOWN);
	CHECK(w->secret == NULL);
	CHECK(w->keyword == NULL);
	CHECK(w->template == NULL);
	CHECK_INT(w->at_mobiles.n, 0);
	CHECK_INT(w->at_user_ids.n, 0);
	config_free(c);

	/* An app may have no webhooks yet. */
	CHECK_OK("{'apps':{'demo':{'webhooks':[]}}}");
}

static void
test_full(void)
{
	struct config		*c;
	const struct app	*a;
	const struct webhook	*w;

	c = parse("{'timeout_ms':120000,'max_body_bytes':1024,"
	    "'timezone':'UTC','language':'en',"
	    "'proxy':'socks5h://127.0.0.1:1080',"
	    "'apps':{'my.app-1_x':{'token':'t0k','webhooks':["
	    "{'name':'企业微信群','type':'wecom',"
	    "'url':'http://127.0.0.1:8080/send?key=k','events':['feedback',"
	    "'crash log'],'enabled':false,'format':'text',"
	    "'at_mobiles':['+8613800000000','12345'],'at_all':true},"
	    "{'name':'B','type':'dingtalk','url':'https://h.example/d',"
	    "'secret':'s','keyword':'应用','at_user_ids':['u1','u2'],"
	    "'events':['*'],'template':'{title} {link}','format':'markdown'},"
	    "{'name':'C','type':'json','url':'https://h.example/j',"
	    "'events':['updateVersion']}]},"
	    "'second':{'webhooks':[]}}}");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->timeout_ms, 120000);
	CHECK_INT(c->max_body_bytes, 1024);
	CHECK_STR(c->timezone, "UTC");
	CHECK_INT(c->language, LANG_EN);
	CHECK_STR(c->proxy, "socks5h://127.0.0.1:1080");
	CHECK_INT(c->n_apps, 2);
	a = &c->apps[0];
	CHECK_STR(a->key, "my.app-1_x");
	CHECK_STR(a->token, "t0k");
	CHECK_INT(a->n_webhooks, 3);
	w = &a->webhooks[0];
	CHECK_STR(w->name, "企业微信群");
	CHECK_INT(w->type, ROBOT_WECOM);
	CHECK_STR(w->url, "http://127.0.0.1:8080/send?key=k");
	CHECK_INT(w->events.n, 2);
	if (w->events.n == 2) {
		CHECK_STR(w->events.v[0], "feedback");
		CHECK_STR(w->events.v[1], "crash log");
	}
	CHECK_INT(w->enabled, 0);
	CHECK_INT(w->format, FORMAT_TEXT);
	CHECK_INT(w->at_mobiles.n, 2);
	if (w->at_mobiles.n == 2)
		CHECK_STR(w->at_mobiles.v[0], "+8613800000000");
	CHECK_INT(w->at_all, 1);
	w = &a->webhooks[1];
	CHECK_INT(w->type, ROBOT_DINGTALK);
	CHECK_STR(w->secret, "s");
	CHECK_STR(w->keyword, "应用");
	CHECK_INT(w->at_user_ids.n, 2);
	if (w->at_user_ids.n == 2)
		CHECK_STR(w->at_user_ids.v[1], "u2");
	CHECK_STR(w->template, "{title} {link}");
	CHECK_INT(w->format, FORMAT_MARKDOWN);
	CHECK_INT(w->enabled, 1);
	w = &a->webhooks[2];
	CHECK_INT(w->type, ROBOT_JSON);
	CHECK_STR(w->name, "C");
	CHECK_STR(c->apps[1].key, "second");
	CHECK_INT(c->apps[1].n_webhooks, 0);
	config_free(c);
}

static void
test_comments(void)
{
	struct config	*c;

	c = parse("// leading\n/* block\n * over lines */ {\n"
	    "  'timeout_ms': 250, // after a value\n"
	    "  /* before a key */ 'apps': { /* empty */ }\n"
	    "} // trailing\n");
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_INT(c->timeout_ms, 250);
	config_free(c);
}

static void
test_top_errors(void)
{
	const char	*t = "timeout_ms: must be an integer from 100 to "
	    "120000\n";
	const char	*m = "max_body_bytes: must be an integer from 1024 to "
	    "16777216\n";
	const char	*p = "proxy: must start with http://, https://, "
	    "socks4://, socks4a://, socks5:// or socks5h://\n";

	CHECK_OK("{'timeout_ms':100,'max_body_bytes':16777216,'apps':{}}");
	CHECK_ERRORS("{'timeout_ms':99,'apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':120001,'apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':'5000','apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':5000.0,'apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':5e3,'apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':-5000,'apps':{}}", t);
	CHECK_ERRORS("{'timeout_ms':99999999999999999999999,'apps':{}}", t);
	CHECK_ERRORS("{'max_body_bytes':1023,'apps':{}}", m);
	CHECK_ERRORS("{'max_body_bytes':16777217,'apps':{}}", m);
	CHECK_OK("{'read_timeout_ms':1000,'ca_file':'/etc/ssl/ca.pem',"
	    "'ca_path':'/etc/ssl/certs','apps':{}}");
	CHECK_ERRORS("{'read_timeout_ms':999,'apps':{}}",
	    "read_timeout_ms: must be an integer from 1000 to 300000\n");
	CHECK_OK("{'max_body_bytes':1048576,'spool_dir':'/s','apps':{}}");
	CHECK_ERRORS("{'max_body_bytes':1048577,'spool_dir':'/s','apps':{}}",
	    "max_body_bytes: must be at most 1048576 when spool_dir is set "
	    "(the largest body the spool keeps)\n");
	CHECK_ERRORS("{'ca_file':'ca.pem','apps':{}}",
	    "ca_file: must be an absolute path, or \"\" for none\n");

	CHECK_OK("{'timezone':'UTC','apps':{}}");
	if (access("/usr/share/zoneinfo/Europe/Berlin", F_OK) == 0)
		CHECK_OK("{'timezone':'Europe/Berlin','apps':{}}");
	CHECK_ERRORS("{'timezone':'','apps':{}}",
	    "timezone: must not be empty\n");
	CHECK_ERRORS("{'timezone':'../../etc/passwd','apps':{}}",
	    "timezone: must be a zone name such as \"Asia/Shanghai\", not "
	    "a path\n");
	CHECK_ERRORS("{'timezone':'/etc/localtime','apps':{}}",
	    "timezone: must be a zone name such as \"Asia/Shanghai\", not "
	    "a path\n");
	CHECK_ERRORS("{'timezone':'Mars/Olympus','apps':{}}",
	    "timezone: \"Mars/Olympus\" is not a time zone of this host (no "
	    "such file under /usr/share/zoneinfo)\n");
	/* A directory is not a zone. */
	CHECK_ERRORS("{'timezone':'Asia','apps':{}}",
	    "timezone: \"Asia\" is not a time zone of this host (no "
	    "such file under /usr/share/zoneinfo)\n");
	/* Not every file there is a zone. */
	if (access("/usr/share/zoneinfo/zone.tab", F_OK) == 0)
		CHECK_ERRORS("{'timezone':'zone.tab','apps':{}}",
		    "timezone: \"zone.tab\" is not a time zone of this host (no "
		    "such file under /usr/share/zoneinfo)\n");
	CHECK_ERRORS("{'timezone':8,'apps':{}}",
	    "timezone: expected a string\n");

	CHECK_ERRORS("{'language':'fr','apps':{}}",
	    "language: must be \"zh\" or \"en\"\n");
	CHECK_ERRORS("{'language':1,'apps':{}}",
	    "language: expected a string\n");

	CHECK_OK("{'proxy':'','apps':{}}");
	CHECK_OK("{'proxy':'http://10.0.0.1:3128','apps':{}}");
	CHECK_OK("{'proxy':'HTTPS://proxy.example','apps':{}}");
	CHECK_OK("{'proxy':'socks4a://127.0.0.1:1080','apps':{}}");
	CHECK_ERRORS("{'proxy':'ftp://10.0.0.1','apps':{}}", p);
	CHECK_ERRORS("{'proxy':'10.0.0.1:3128','apps':{}}", p);
	CHECK_ERRORS("{'proxy':'http://','apps':{}}", "proxy: has no host\n");
	CHECK_ERRORS("{'proxy':'http://a b','apps':{}}",
	    "proxy: contains a space or control character\n");
	CHECK_ERRORS("{'proxy':null,'apps':{}}", "proxy: expected a string\n");

	CHECK_ERRORS("{}", "config: missing \"apps\"\n");
	CHECK_ERRORS("{'apps':[]}", "apps: expected an object\n");
	CHECK_ERRORS("[]", "config: the top level must be an object\n");
	CHECK_ERRORS("'apps'", "config: the top level must be an object\n");
	CHECK_ERRORS("{'timeout':5000,'apps':{}}", "timeout: unknown key\n");
	CHECK_ERRORS("{'timeout_ms':5000,'apps':{},'timeout_ms':6000}",
	    "timeout_ms: duplicate key\n");
	CHECK_ERRORS("{'apps':{},'apps':{}}", "apps: duplicate key\n");
}

static void
test_app_errors(void)
{
	char	 key[80], s[256];

	CHECK_ERRORS("{'apps':{'bad key':{'webhooks':[]}}}",
	    "apps[\"bad key\"]: an app key must be 1 to 64 characters from "
	    "A-Z a-z 0-9 _ . -\n");
	CHECK_ERRORS("{'apps':{'':{'webhooks':[]}}}",
	    "apps[\"\"]: an app key must be 1 to 64 characters from "
	    "A-Z a-z 0-9 _ . -\n");
	/* 64 bytes is fine, 65 is not. */
	memset(key, 'k', 64);
	key[64] = '\0';
	snprintf(s, sizeof(s), "{'apps':{'%s':{'webhooks':[]}}}", key);
	CHECK_OK(s);
	snprintf(s, sizeof(s), "{'apps':{'%sk':{'webhooks':[]}}}", key);
	CHECK_ERRORS(s, "apps[\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkk...\"]: an app key must be 1 to 64 characters "
	    "from A-Z a-z 0-9 _ . -\n");
	/* "." and ".." are not keys: no link ends in one. */
	CHECK_ERRORS("{'apps':{'..':{'webhooks':[]}}}",
	    "apps[\"..\"]: an app key cannot be \".\" or \"..\" (no link "
	    "ends in one)\n");
	/* Dots are allowed; the path then quotes the key. */
	CHECK_ERRORS("{'apps':{'a.b':{'webhooks':[], 'x':1}}}",
	    "apps[\"a.b\"].x: unknown key\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[]},'demo':{'webhooks':[]}}}",
	    "apps.demo: duplicate key\n");
	CHECK_ERRORS("{'apps':{'demo':[]}}", "apps.demo: expected an object\n");
	CHECK_ERRORS("{'apps':{'demo':{}}}",
	    "apps.demo: missing \"webhooks\"\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhook':[]}}}",
	    "apps.demo.webhook: unknown key\n"
	    "apps.demo: missing \"webhooks\"\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':{}}}}",
	    "apps.demo.webhooks: expected an array\n");
	CHECK_ERRORS("{'apps':{'demo':{'token':'','webhooks':[]}}}",
	    "apps.demo.token: must not be empty\n");
	CHECK_ERRORS("{'apps':{'demo':{'token':42,'webhooks':[]}}}",
	    "apps.demo.token: expected a string\n");
}

static void
test_webhook_count(void)
{
#define HOOK(n)	"{'name':'" n "','type':'json','url':'https://h.example/'," \
	"'events':['*']}"
	struct config	*c;

	c = parse("{'apps':{'demo':{'webhooks':[" HOOK("a") "," HOOK("b") ","
	    HOOK("c") "]}}}");
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_INT(c->apps[0].n_webhooks, 3);
	config_free(c);
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[" HOOK("a") "," HOOK("b")
	    "," HOOK("c") "," HOOK("d") "]}}}",
	    "apps.demo.webhooks[3]: an app has at most 3 webhooks\n");
	/* What is wrong inside a 4th and 5th is reported too. */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[" HOOK("a") "," HOOK("b")
	    "," HOOK("c") ",{'name':'a'}," HOOK("e") "]}}}",
	    "apps.demo.webhooks[3]: an app has at most 3 webhooks\n"
	    "apps.demo.webhooks[3].name: \"a\" is used twice\n"
	    "apps.demo.webhooks[3]: missing \"type\"\n"
	    "apps.demo.webhooks[3]: missing \"url\"\n"
	    "apps.demo.webhooks[3]: missing \"events\"\n"
	    "apps.demo.webhooks[4]: an app has at most 3 webhooks\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[" HOOK("QA") "," HOOK("QA")
	    "]}}}", "apps.demo.webhooks[1].name: \"QA\" is used twice\n");
	/* Names are compared as written. */
	CHECK_OK("{'apps':{'demo':{'webhooks':[" HOOK("QA") "," HOOK("qa")
	    "]}}}");
	/* Webhooks of different apps may share a name. */
	CHECK_OK("{'apps':{'a':{'webhooks':[" HOOK("QA") "]},"
	    "'b':{'webhooks':[" HOOK("QA") "]}}}");
#undef HOOK
}

static void
test_webhook_errors(void)
{
	char	 long_s[300], s[600], want[320], err[256];

	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{}]}}}",
	    P0 ": missing \"name\"\n" P0 ": missing \"type\"\n"
	    P0 ": missing \"url\"\n" P0 ": missing \"events\"\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'events':['*']}]}}}", P0 ": missing \"url\"\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':['A']}}}",
	    P0 ": expected an object\n");
	CHECK_ERRORS("{'apps':{'oooplay_test':{'webhooks':["
	    "{'name':'A','type':'json','url':'https://h.example/',"
	    "'events':['*']},{'name':'B','type':'json',"
	    "'url':'https://h.example/','evnts':['*']}]}}}",
	    "apps.oooplay_test.webhooks[1].evnts: unknown key\n"
	    "apps.oooplay_test.webhooks[1]: missing \"events\"\n");
	CHECK_ERRORS(WH(",'a b':1"), P0 "[\"a b\"]: unknown key\n");
	CHECK_ERRORS(WH(",'url':'https://h.example/y'"),
	    P0 ".url: duplicate key\n");

	/* name */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'','type':'json',"
	    "'url':'https://h.example/','events':['*']}]}}}",
	    P0 ".name: must not be empty\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A\\u0007',"
	    "'type':'json','url':'https://h.example/','events':['*']}]}}}",
	    P0 ".name: must not contain control characters\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A\\u0085',"
	    "'type':'json','url':'https://h.example/','events':['*']}]}}}",
	    P0 ".name: must not contain control characters\n");
	memset(long_s, 'n', 65);
	long_s[65] = '\0';
	snprintf(s, sizeof(s), "{'apps':{'demo':{'webhooks':[{'name':'%s',"
	    "'type':'json','url':'https://h.example/','events':['*']}]}}}",
	    long_s);
	CHECK_ERRORS(s, P0 ".name: must be at most 64 bytes\n");
	long_s[64] = '\0';
	snprintf(s, sizeof(s), "{'apps':{'demo':{'webhooks':[{'name':'%s',"
	    "'type':'json','url':'https://h.example/','events':['*']}]}}}",
	    long_s);
	CHECK_OK(s);

	/* type */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'slack',"
	    "'url':'https://h.example/','events':['*']}]}}}",
	    P0 ".type: must be \"wecom\", \"dingtalk\", \"feishu\" or "
	    "\"json\"\n");

	/* url */
	CHECK_OK("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'http://localhost:9/x','events':['*']}]}}}");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'http://h.example/x','events':['*']}]}}}",
	    P0 ".url: must be https:// (http:// only for 127.0.0.1, ::1 or "
	    "localhost)\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'ftp://127.0.0.1/','events':['*']}]}}}",
	    P0 ".url: must start with https://\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':7,'events':['*']}]}}}", P0 ".url: expected a string\n");

	/* secret */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'wecom',"
	    "'url':'https://h.example/','secret':'s','events':['*']}]}}}",
	    P0 ".secret: wecom robots are not signed (the key in the url is "
	    "the credential): remove \"secret\"\n");
	CHECK_ERRORS(WH(",'secret':''"), P0 ".secret: must not be empty\n");
	memset(long_s, 'S', 257);
	long_s[257] = '\0';
	snprintf(s, sizeof(s), WH(",'secret':'%s'"), long_s);
	CHECK_ERRORS(s, P0 ".secret: must be at most 256 bytes\n");
	long_s[256] = '\0';
	snprintf(s, sizeof(s), WH(",'secret':'%s'"), long_s);
	CHECK_OK(s);

	/* keyword */
	CHECK_ERRORS(WH(",'keyword':''"), P0 ".keyword: must not be empty\n");
	memset(long_s, 'w', 65);
	long_s[65] = '\0';
	snprintf(s, sizeof(s), WH(",'keyword':'%s'"), long_s);
	CHECK_ERRORS(s, P0 ".keyword: must be at most 64 bytes\n");

	/* at_mobiles, at_user_ids, at_all */
	CHECK_OK(WH(",'at_mobiles':['12345','+8613800000000',"
	    "'12345678901234567890']"));
	CHECK_ERRORS(WH(",'at_mobiles':['1234','138-0000','+','',"
	    "'123456789012345678901','13800000000',5]"),
	    P0 ".at_mobiles[0]: must be a mobile number: digits with an "
	    "optional leading +, 5 to 20 characters\n"
	    P0 ".at_mobiles[1]: must be a mobile number: digits with an "
	    "optional leading +, 5 to 20 characters\n"
	    P0 ".at_mobiles[2]: must be a mobile number: digits with an "
	    "optional leading +, 5 to 20 characters\n"
	    P0 ".at_mobiles[3]: must be a mobile number: digits with an "
	    "optional leading +, 5 to 20 characters\n"
	    P0 ".at_mobiles[4]: must be a mobile number: digits with an "
	    "optional leading +, 5 to 20 characters\n"
	    P0 ".at_mobiles[6]: expected a string\n");
	CHECK_ERRORS(WH(",'at_mobiles':'13800000000'"),
	    P0 ".at_mobiles: expected an array of strings\n");
	memset(long_s, 'u', 65);
	long_s[65] = '\0';
	snprintf(s, sizeof(s), WH(",'at_user_ids':['ok','','%s']"), long_s);
	CHECK_ERRORS(s, P0 ".at_user_ids[1]: must not be empty\n"
	    P0 ".at_user_ids[2]: must be at most 64 bytes\n");
	CHECK_ERRORS(WH(",'at_all':'yes'"),
	    P0 ".at_all: expected true or false\n");

	/* events */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'https://h.example/','events':[]}]}}}",
	    P0 ".events: must list at least one event (\"*\" for every "
	    "event)\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'https://h.example/','events':['',true]}]}}}",
	    P0 ".events[0]: must not be empty (\"*\" subscribes to every "
	    "event)\n" P0 ".events[1]: expected a string\n");
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'A','type':'json',"
	    "'url':'https://h.example/','events':'*'}]}}}",
	    P0 ".events: expected an array of strings\n");

	/* enabled, format, template */
	CHECK_ERRORS(WH(",'enabled':1"), P0 ".enabled: expected true or false\n");
	CHECK_ERRORS(WH(",'format':'html'"),
	    P0 ".format: must be \"markdown\", \"text\" or \"card\"\n");
	CHECK_ERRORS(WH(",'template':''"), P0 ".template: must not be empty\n");
	CHECK_ERRORS(WH(",'template':['x']"),
	    P0 ".template: expected a string\n");
	/* Whatever template_check() refuses is reported in its words. */
	if (template_check("{titel}", err, sizeof(err)) == -1) {
		snprintf(want, sizeof(want), P0 ".template: %s\n", err);
		CHECK_ERRORS(WH(",'template':'{titel}'"), want);
	}
}

static void
test_quoting(void)
{
	/* Names in messages are quoted with their quotes escaped. */
	CHECK_ERRORS("{'apps':{'demo':{'webhooks':[{'name':'Q\\'A',"
	    "'type':'json','url':'https://h.example/','events':['*']},"
	    "{'name':'Q\\'A','type':'json','url':'https://h.example/',"
	    "'events':['*']}]}}}",
	    "apps.demo.webhooks[1].name: \"Q\\\"A\" is used twice\n");
	/* Control characters in keys never reach the log raw. */
	CHECK_ERRORS("{'apps':{},'a\\nb':1}", "[\"a\\x0ab\"]: unknown key\n");
	/* ... by the one sanitiser: C1 controls and bidi overrides too, so a
	 * config cannot reorder or recolour the terminal that checks it. */
	CHECK_ERRORS("{'apps':{},'a\xe2\x80\xae" "b\xc2\x9b[31m':1}",
	    "[\"a\\u202eb\\u009b[31m\"]: unknown key\n");
}

static void
test_syntax(void)
{
	static const char nul[] = "{ /*\0*/ \"apps\": {} }";
	struct config	*c;
	char		 deep[100];

	CHECK_ERRORS("{\n  'apps': {\n    x\n}",
	    "line 3, column 5: lexical error: invalid char in json text.\n");
	CHECK_ERRORS("{'apps': {}", "line 1, column 12: parse error: "
	    "premature EOF\n");
	CHECK_ERRORS("{'apps': {}\n", "line 2, column 1: parse error: "
	    "premature EOF\n");
	CHECK_ERRORS("", "line 1, column 1: parse error: premature EOF\n");
	CHECK_ERRORS("{'apps': {},}", "line 1, column 13: parse error: "
	    "invalid object key (must be a string)\n");
	CHECK_ERRORS("{'apps': {}} {}", "line 1, column 14: parse error: "
	    "trailing garbage\n");
	/* yajl gives this token back: the column is still the token's. */
	CHECK_ERRORS("{'apps':{}\n  5}", "line 2, column 3: parse error: "
	    "after key and value, inside map, I expect ',' or '}'\n");
	/* Columns count characters: 应用 is two columns, six bytes. */
	CHECK_ERRORS("{'apps':{},\n'k':'应用' x}",
	    "line 2, column 10: lexical error: invalid char in json text.\n");
	CHECK_ERRORS("{'apps':{'\xff':{}}}", "line 1, column 11: lexical "
	    "error: invalid bytes in UTF8 string.\n");
	/* yajl_tree would cut the token at the NUL. */
	CHECK_ERRORS("{'apps':{'demo':{'token':'abc\\u0000def',"
	    "'webhooks':[]}}}", "line 1, column 39: \\u0000 is not allowed "
	    "in a string\n");

	/* A NUL byte, here in a comment, where yajl itself would pass it. */
	buf_reset(&errs);
	c = config_parse(nul, sizeof(nul) - 1, &errs);
	CHECK(c == NULL);
	CHECK_STR(errs.data, "line 1, column 5: contains a NUL byte\n");
	config_free(c);

	/* Nesting is capped before yajl_tree (which recurses) sees it. */
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = '\0';
	CHECK_ERRORS(deep, "line 1, column 33: nested too deeply\n");
}

static void
test_many_errors(void)
{
	CHECK_ERRORS("{'timeout_ms':1,'language':'de','colour':'red',"
	    "'apps':{'demo':{'webhooks':["
	    "{'name':'QA','type':'wecom','url':'http://h.example/',"
	    "'events':['*']},"
	    "{'name':'QA','type':'feishu','url':'https://h.example/',"
	    "'evnts':['*']}]},"
	    "'second':{'webhooks':[{'name':'x','type':'feishu',"
	    "'url':'https://h.example/','events':[''],'at_all':0}]}}}",
	    "timeout_ms: must be an integer from 100 to 120000\n"
	    "language: must be \"zh\" or \"en\"\n"
	    "colour: unknown key\n"
	    "apps.demo.webhooks[0].url: must be https:// (http:// only for "
	    "127.0.0.1, ::1 or localhost)\n"
	    "apps.demo.webhooks[1].name: \"QA\" is used twice\n"
	    "apps.demo.webhooks[1].evnts: unknown key\n"
	    "apps.demo.webhooks[1]: missing \"events\"\n"
	    "apps.second.webhooks[0].events[0]: must not be empty (\"*\" "
	    "subscribes to every event)\n"
	    "apps.second.webhooks[0].at_all: expected true or false\n");
}

static void
test_error_cap(void)
{
	struct buf	 text = { 0 };
	struct config	*c;
	const char	*last;
	size_t		 lines = 0;

	buf_puts(&text, "{");
	for (int i = 0; i < 150; i++)
		buf_printf(&text, "%s\"k%d\":1", i > 0 ? "," : "", i);
	buf_puts(&text, "}");
	buf_reset(&errs);
	c = config_parse(text.data, text.len, &errs);
	CHECK(c == NULL);
	for (size_t i = 0; i < errs.len; i++)
		if (errs.data[i] == '\n')
			lines++;
	CHECK_INT(lines, 101);
	CHECK(strncmp(errs.data, "k0: unknown key\nk1: unknown key\n",
	    32) == 0);
	last = strstr(errs.data, "k99: unknown key\n");
	CHECK(last != NULL);
	if (last != NULL)
		CHECK_STR(last, "k99: unknown key\n"
		    "config: 51 more problems not shown\n");
	buf_free(&text);
	config_free(c);
}

/* Every value that may be a credential, misplaced in every way. */
static void
test_no_secrets(void)
{
	static const char *const secrets[] = {
		"PROXYPASS", "TOKEN-VALUE", "URLKEY", "SECRET-789",
		"ZZZZZZZZ", "DINGTOKEN", "TOPSECRET",
	};
	char		 z[300], s[2048];

	memset(z, 'Z', 257);
	z[257] = '\0';
	snprintf(s, sizeof(s),
	    "{'proxy':'ftp://user:PROXYPASS@h','apps':{"
	    "'demo':{'token':'TOKEN-VALUE-1','webhooks':["
	    "{'name':'A','type':'wecom','url':'http://h.example/?key=URLKEY-1',"
	    "'secret':'SECRET-789','events':['*']},"
	    "{'name':'B','type':'dingtalk',"
	    "'url':'https://h.example/x?access_token=DINGTOKEN y',"
	    "'secret':'%s','keyword':'','events':['*']}]},"
	    "'bad app':{'token':'TOKEN-VALUE-2','webhooks':5},"
	    "'c':{'token':['TOKEN-VALUE-3'],'webhooks':[]}}}", z);
	CHECK(parse(s) == NULL);
	CHECK(errs.len > 0);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(errs.data, secrets[i]) != NULL) {
			fprintf(stderr, "%s:%d: \"%s\" shown in\n%s", __FILE__,
			    __LINE__, secrets[i], errs.data);
			test_failed_checks++;
		}
	CHECK_ERRORS("{'proxy':'http://user:PROXYPASS x@h','apps':{}}",
	    "proxy: contains a space or control character\n");

	/* yajl_tree's own message would quote the text around the error. */
	CHECK(parse("{'apps':{'demo':{'token':'TOPSECRET-TOKEN' "
	    "'webhooks':[]}}}") == NULL);
	CHECK(strstr(errs.data, "TOPSECRET") == NULL);
	CHECK(strstr(errs.data, "right here") == NULL);
	CHECK(strstr(errs.data, "line 1, column ") == errs.data);
}

static void
test_example(void)
{
	struct config		*c;
	const struct app	*a;

	buf_reset(&errs);
	c = config_load("etc/config.example.json", &errs);
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "%s", errs.data != NULL ? errs.data : "");
		return;
	}
	CHECK_INT(c->timeout_ms, 5000);
	CHECK_INT(c->max_body_bytes, 65536);
	CHECK_STR(c->timezone, "Asia/Shanghai");
	CHECK_INT(c->language, LANG_ZH);
	CHECK_STR(c->proxy, "");
	CHECK_INT(c->n_apps, 1);
	a = config_app(c, "oooplay_test");
	CHECK(a != NULL);
	if (a == NULL)
		goto out;
	CHECK(a->token != NULL && strlen(a->token) >= 32);
	CHECK_INT(a->n_webhooks, 3);
	if (a->n_webhooks != 3)
		goto out;
	CHECK_INT(a->webhooks[0].type, ROBOT_WECOM);
	CHECK(a->webhooks[0].secret == NULL);
	CHECK(strstr(a->webhooks[0].url, "key=YOUR-WECOM-KEY") != NULL);
	CHECK_INT(a->webhooks[1].type, ROBOT_DINGTALK);
	CHECK(a->webhooks[1].secret != NULL);
	CHECK_STR(a->webhooks[1].keyword, "应用");
	CHECK_INT(a->webhooks[1].at_mobiles.n, 1);
	CHECK_INT(a->webhooks[2].type, ROBOT_FEISHU);
	CHECK(a->webhooks[2].secret != NULL);
	CHECK(a->webhooks[2].template != NULL);
out:
	config_free(c);
}

static void
test_config_app(void)
{
	struct config	*c;

	c = parse("{'apps':{'one':{'webhooks':[]},'two':{'token':'t',"
	    "'webhooks':[]}}}");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(config_app(c, "one") == &c->apps[0]);
	CHECK(config_app(c, "two") == &c->apps[1]);
	CHECK(config_app(c, "three") == NULL);
	CHECK(config_app(c, "") == NULL);
	CHECK(config_app(c, "ONE") == NULL);
	config_free(c);
}

/* Writes n bytes of s to a new temporary file; returns its name. */
static char *
temp_file(const char *s, size_t n)
{
	char	*path;
	int	 fd;

	path = xstrdup("/tmp/test_config.XXXXXX");
	if ((fd = mkstemp(path)) == -1) {
		free(path);
		return NULL;
	}
	if (write(fd, s, n) != (ssize_t)n) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void
test_load(void)
{
	struct config	*c;
	char		*path, *big, want[256];
	const char	*ok = "{\"timeout_ms\": 700, \"apps\": {}}\n";
	size_t		 n = 1024 * 1024 + 1;

	buf_reset(&errs);
	c = config_load("/nonexistent-dir/config.json", &errs);
	CHECK(c == NULL);
	CHECK_STR(errs.data, "/nonexistent-dir/config.json: cannot read: "
	    "No such file or directory\n");

	buf_reset(&errs);
	c = config_load("/", &errs);
	CHECK(c == NULL);
	CHECK_STR(errs.data, "/: cannot read: Is a directory\n");

	if ((path = temp_file(ok, strlen(ok))) != NULL) {
		buf_reset(&errs);
		c = config_load(path, &errs);
		CHECK(c != NULL);
		if (c != NULL)
			CHECK_INT(c->timeout_ms, 700);
		config_free(c);
		unlink(path);
		free(path);
	} else
		CHECK(!"cannot write a temporary file");

	big = xmalloc(n);
	memset(big, ' ', n);
	memcpy(big, ok, strlen(ok));
	if ((path = temp_file(big, n)) != NULL) {
		buf_reset(&errs);
		c = config_load(path, &errs);
		CHECK(c == NULL);
		snprintf(want, sizeof(want), "%s: is larger than 1 MiB: not a "
		    "configuration file\n", path);
		CHECK_STR(errs.data, want);
		config_free(c);
		unlink(path);
		free(path);
	} else
		CHECK(!"cannot write a temporary file");
	free(big);

	config_free(NULL);
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_full);
	RUN(test_comments);
	RUN(test_top_errors);
	RUN(test_app_errors);
	RUN(test_webhook_count);
	RUN(test_webhook_errors);
	RUN(test_quoting);
	RUN(test_syntax);
	RUN(test_many_errors);
	RUN(test_error_cap);
	RUN(test_no_secrets);
	RUN(test_example);
	RUN(test_config_app);
	RUN(test_load);
	buf_free(&errs);
	return TEST_END();
}
