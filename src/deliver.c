/*
 * The transport through one curl multi handle: see deliver.h.  This is
 * the only file that includes curl, so how libcurl is linked or loaded
 * can change here alone.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "clock.h"
#include "crypto.h"
#include "deliver.h"
#include "lazylib.h"
#include "log.h"
#include "version.h"
#include "xalloc.h"

/* The soname opened; LIBCURL_SO overrides it at build time. */
#ifndef LIBCURL_SO
#define LIBCURL_SO	"libcurl.so.4"
#endif
#ifndef LIBSSL_SO
#define LIBSSL_SO	"libssl.so.3"
#endif
/*
 * The oldest libcurl with everything used here: CURLOPT_PROTOCOLS_STR
 * and CURLOPT_REDIR_PROTOCOLS_STR came in 7.85.0
 * (https://curl.se/libcurl/c/symbols-in-versions.html).
 */
#define CURL_MIN_VERSION	0x075500
#define CURL_MIN_TEXT		"7.85.0"
#define CURL_PACKAGE		"libcurl4"

/*
 * libcurl, opened by deliver_open() only when there is something to send
 * (lazylib.h): a refused request never maps it.  The curl_ functions used
 * here, called as cu.name().
 */
static struct {
	curl_version_info_data *(*version_info)(CURLversion);
	CURLcode	 (*global_init)(long);
	void		 (*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char	*(*easy_strerror)(CURLcode);
	void		 (*easy_cleanup)(CURL *);
	void		 (*easy_reset)(CURL *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	const char	*(*multi_strerror)(CURLMcode);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	CURLSH		*(*share_init)(void);
	CURLSHcode	 (*share_setopt)(CURLSH *, CURLSHoption, ...);
	CURLSHcode	 (*share_cleanup)(CURLSH *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
} cu;

#define SYM(f)	{ "curl_" #f, (void **)&cu.f }
static const struct lazysym curl_syms[] = {
	SYM(version_info), SYM(global_init), SYM(global_cleanup),
	SYM(easy_init), SYM(easy_setopt), SYM(easy_getinfo),
	SYM(easy_strerror), SYM(easy_cleanup), SYM(easy_reset),
	SYM(multi_init),
	SYM(multi_add_handle), SYM(multi_remove_handle), SYM(multi_perform),
	SYM(multi_poll), SYM(multi_info_read), SYM(multi_strerror),
	SYM(multi_cleanup), SYM(share_init), SYM(share_setopt),
	SYM(share_cleanup), SYM(slist_append), SYM(slist_free_all),
};
#undef SYM

static int
check_version(char *err, size_t errlen)
{
	const curl_version_info_data	*v = cu.version_info(CURLVERSION_NOW);

	if (v == NULL || v->version_num < CURL_MIN_VERSION) {
		snprintf(err, errlen, "version %s, %s needed",
		    v != NULL ? v->version : "unknown", CURL_MIN_TEXT);
		return -1;
	}
	return 0;
}

static const char *const curl_first[] = { LIBCRYPTO_SO, LIBSSL_SO, NULL };

static struct lazylib libcurl = {
	LIBCURL_SO, CURL_PACKAGE, curl_first, curl_syms,
	sizeof(curl_syms) / sizeof(curl_syms[0]), check_version, 0, ""
};

/*
 * Typed curl_easy_setopt(): curl_easy_setopt() is variadic, so through a
 * function pointer nothing checks that an option gets the type it reads
 * (curl's typecheck-gcc.h does that for direct calls).  Each wrapper
 * takes one type, and the macro in front of it refuses at compile time an
 * option of another kind: the option's number says its kind
 * (CURLOPTTYPE_LONG, _OBJECTPOINT, _FUNCTIONPOINT, _OFF_T in curl.h).
 */
#define OPT_KIND(opt, kind)	((void)sizeof(char[				\
	(opt) / 10000 * 10000 == (kind) ? 1 : -1]))

static inline CURLcode
set_long(CURL *e, CURLoption opt, long v)
{
	return cu.easy_setopt(e, opt, v);
}

static inline CURLcode
set_str(CURL *e, CURLoption opt, const char *v)
{
	return cu.easy_setopt(e, opt, v);
}

static inline CURLcode
set_ptr(CURL *e, CURLoption opt, void *v)
{
	return cu.easy_setopt(e, opt, v);
}

static inline CURLcode
set_slist(CURL *e, CURLoption opt, struct curl_slist *v)
{
	return cu.easy_setopt(e, opt, v);
}

static inline CURLcode
set_off(CURL *e, CURLoption opt, curl_off_t v)
{
	return cu.easy_setopt(e, opt, v);
}

static inline CURLcode
set_write(CURL *e, CURLoption opt, curl_write_callback v)
{
	return cu.easy_setopt(e, opt, v);
}

#define setopt_long(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_LONG), set_long(e, opt, v))
#define setopt_str(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_STRINGPOINT), set_str(e, opt, v))
#define setopt_ptr(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_OBJECTPOINT), set_ptr(e, opt, v))
#define setopt_slist(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_SLISTPOINT), set_slist(e, opt, v))
#define setopt_off(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_OFF_T), set_off(e, opt, v))
#define setopt_write(e, opt, v)						\
	(OPT_KIND(opt, CURLOPTTYPE_FUNCTIONPOINT), set_write(e, opt, v))

#define CONNECT_TIMEOUT_MS	3000L
/* How long to wait past the deadline before giving up on curl itself. */
#define GRACE_MS	500L
#define POLL_MAX_MS	1000

/* Easy handles kept for the next transfers: a request has at most a
 * few webhooks. */
#define IDLE_MAX	8

/*
 * The multi handle keeps the connections (and, for the transfers in it,
 * the DNS answers); the share handle keeps TLS sessions and DNS answers
 * from one transfer to the next, so that a new connection to a robot
 * resumes its TLS session (https://curl.se/libcurl/c/CURLSHOPT_SHARE.html).
 * One thread: no lock callbacks.  A finished transfer's easy handle is
 * reset (https://curl.se/libcurl/c/curl_easy_reset.html) and kept for the
 * next: making and freeing one cost about a tenth of a transfer's
 * instructions in a FastCGI worker (make bench).
 */
struct transport {
	CURLM		*multi;
	CURLSH		*share;
	CURL		*idle[IDLE_MAX];
	size_t		 n_idle;
};

/* curl_global_init() ran (once per program, as libcurl asks). */
static int	 curl_ready;

struct xfer {
	struct delivery		*d;
	CURL			*easy;
	struct curl_slist	*headers;
	int			 added;	/* in the multi handle */
	int			 done;
};

/* Keeps the first DELIVER_REPLY_MAX bytes; the rest is read and
 * dropped. */
static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer	*x = arg;
	struct buf	*r = &x->d->reply;
	size_t		 n = size * nmemb, room;

	room = r->len < DELIVER_REPLY_MAX ? DELIVER_REPLY_MAX - r->len : 0;
	if (n > room)
		x->d->reply_cut = 1;
	if (room > 0)
		buf_append(r, p, n < room ? n : room);
	return n;
}

/* 1 when libcurl's default CA directory exists (CURLINFO_CAPATH). */
static int
capath_ok(CURL *e)
{
	struct stat	 st;
	char		*dir = NULL;

	return cu.easy_getinfo(e, CURLINFO_CAPATH, &dir) == CURLE_OK &&
	    dir != NULL && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Sets up x->easy for x->d->req.  Returns CURLE_OK, or the first code
 * that failed.
 */
static CURLcode
setup(struct xfer *x, CURLSH *share, long timeout_ms,
    const struct config *cfg)
{
	const struct request	*req = &x->d->req;
	struct curl_slist	*l;
	CURL			*e = x->easy;
	CURLcode		 rc;

	for (size_t i = 0; i < req->n_headers; i++) {
		if ((l = cu.slist_append(x->headers, req->headers[i])) ==
		    NULL)
			return CURLE_OUT_OF_MEMORY;
		x->headers = l;
	}
	/* No "Expect: 100-continue" round trip before the body. */
	if ((l = cu.slist_append(x->headers, "Expect:")) == NULL)
		return CURLE_OUT_OF_MEMORY;
	x->headers = l;

#define SET(call) do {							\
	if ((rc = (call)) != CURLE_OK)					\
		return rc;						\
} while (0)
	SET(setopt_ptr(e, CURLOPT_PRIVATE, x));
	if (share != NULL)
		SET(setopt_ptr(e, CURLOPT_SHARE, share));
	SET(setopt_str(e, CURLOPT_URL, req->url));
	SET(setopt_str(e, CURLOPT_PROTOCOLS_STR, "http,https"));
	SET(setopt_str(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
	SET(setopt_long(e, CURLOPT_FOLLOWLOCATION, 0L));
	SET(setopt_long(e, CURLOPT_POST, 1L));
	SET(setopt_off(e, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)req->body_len));
	/* CURLOPT_POSTFIELDS is not copied: req outlives the transfer. */
	SET(setopt_str(e, CURLOPT_POSTFIELDS, req->body != NULL ?
	    req->body : ""));
	SET(setopt_slist(e, CURLOPT_HTTPHEADER, x->headers));
	SET(setopt_str(e, CURLOPT_USERAGENT,
	    "pgyer-relay/" PGYER_RELAY_VERSION));
	/*
	 * An explicit proxy, even "", makes curl ignore http_proxy and
	 * friends: nginx+fcgiwrap passes a client's "Proxy:" header as
	 * HTTP_PROXY.  NOPROXY "" likewise overrides no_proxy.
	 */
	SET(setopt_str(e, CURLOPT_PROXY, cfg->proxy != NULL ? cfg->proxy :
	    ""));
	SET(setopt_str(e, CURLOPT_NOPROXY, ""));
	SET(setopt_long(e, CURLOPT_NOSIGNAL, 1L));
	SET(setopt_long(e, CURLOPT_SSL_VERIFYPEER, 1L));
	SET(setopt_long(e, CURLOPT_SSL_VERIFYHOST, 2L));
	/*
	 * Trust the hashed directory (Debian: /etc/ssl/certs, kept by
	 * update-ca-certificates with the same CAs as the bundle), where
	 * OpenSSL reads only the issuer it needs, instead of parsing the
	 * whole bundle for every connection: 24 ms -> 6 ms of CPU per HTTPS
	 * robot, 64 ms -> 9 ms for three (make bench).  Only when libcurl
	 * has such a directory: without one this would trust nothing.
	 */
	if (*cfg->ca_file != '\0' || *cfg->ca_path != '\0') {
		/* A private CA: exactly what the config names. */
		SET(setopt_str(e, CURLOPT_CAINFO, *cfg->ca_file != '\0' ?
		    cfg->ca_file : NULL));
		SET(setopt_str(e, CURLOPT_CAPATH, *cfg->ca_path != '\0' ?
		    cfg->ca_path : NULL));
	} else if (capath_ok(e))
		SET(setopt_str(e, CURLOPT_CAINFO, NULL));
	/* All transfers start together: each gets the whole deadline. */
	SET(setopt_long(e, CURLOPT_TIMEOUT_MS, timeout_ms));
	SET(setopt_long(e, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms :
	    CONNECT_TIMEOUT_MS));
	SET(setopt_write(e, CURLOPT_WRITEFUNCTION, on_write));
	SET(setopt_ptr(e, CURLOPT_WRITEDATA, x));
#undef SET
	return CURLE_OK;
}

static void	 fail(struct delivery *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Marks d as failed with a message for the summary and the log. */
static void
fail(struct delivery *d, int retryable, const char *fmt, ...)
{
	va_list	 ap;

	d->ok = 0;
	d->v.ok = 0;
	d->v.retryable = retryable;
	va_start(ap, fmt);
	vsnprintf(d->v.errmsg, sizeof(d->v.errmsg), fmt, ap);
	va_end(ap);
}

/*
 * Explains a failed transfer.  Only curl_easy_strerror() and strerror()
 * texts go into errmsg: curl's error buffer may quote the URL, which
 * carries the robot's key.
 */
static void
explain(struct xfer *x, CURLcode code, long timeout_ms)
{
	struct delivery	*d = x->d;
	curl_off_t	 conn = 0;
	long		 oserr = 0;
	const char	*why;

	if (cu.easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr) != CURLE_OK)
		oserr = 0;
	why = oserr != 0 ? strerror((int)oserr) : cu.easy_strerror(code);

	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		d->timed_out = 1;
		if (cu.easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T,
		    &conn) != CURLE_OK)
			conn = 0;
		if (conn == 0 && timeout_ms > CONNECT_TIMEOUT_MS)
			fail(d, 1, "cannot connect within %ld ms",
			    CONNECT_TIMEOUT_MS);
		else
			fail(d, 1, "no answer within %ld ms", timeout_ms);
		break;
	case CURLE_COULDNT_CONNECT:
		fail(d, 1, "cannot connect: %s", why);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		fail(d, 1, "cannot resolve the host: %s",
		    cu.easy_strerror(code));
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		fail(d, 1, "cannot resolve the proxy: %s",
		    cu.easy_strerror(code));
		break;
	case CURLE_GOT_NOTHING:
		fail(d, 1, "connection closed without a reply");
		break;
	case CURLE_SEND_ERROR:
		fail(d, 1, "connection lost while sending: %s", why);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		fail(d, 1, "connection lost while receiving: %s", why);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		/* A handshake reset or cut: the network's, not the robot's
		 * certificate. */
		fail(d, 1, "TLS handshake failed: %s", why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		fail(d, 0, "TLS: %s", cu.easy_strerror(code));
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_TOO_MANY_REDIRECTS:
		fail(d, 0, "%s", cu.easy_strerror(code));
		break;
	default:
		fail(d, 1, "%s", cu.easy_strerror(code));
		break;
	}
}

/* Fills x->d from a finished transfer. */
static void
finish(struct xfer *x, CURLcode code, long timeout_ms, long long start)
{
	struct delivery	*d = x->d;
	curl_off_t	 us;
	long		 status = 0;

	x->done = 1;
	if (cu.easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us) ==
	    CURLE_OK)
		d->ms = (long)(us / 1000);
	else
		d->ms = (long)(clock_mono_ms() - start);
	if (code != CURLE_OK) {
		explain(x, code, timeout_ms);
		return;
	}
	if (cu.easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	d->http_status = status;
	d->answered = 1;
}

/* Marks every unfinished transfer as failed with msg. */
static void
abandon(struct xfer *x, size_t n, long long start, int timed_out,
    const char *msg)
{
	for (size_t i = 0; i < n; i++) {
		if (x[i].d == NULL || x[i].done)
			continue;
		x[i].done = 1;
		x[i].d->ms = (long)(clock_mono_ms() - start);
		x[i].d->timed_out = timed_out;
		fail(x[i].d, 1, "%s", msg);
	}
}

/* Runs the transfers until all are done or the deadline has passed. */
static void
run(CURLM *multi, struct xfer *x, size_t n, long timeout_ms)
{
	struct xfer	*xi;
	CURLMsg		*m;
	char		*priv;
	CURLMcode	 mc;
	long long	 start = clock_mono_ms(), left;
	char		 msg[200];
	int		 running = 1, queued;

	for (;;) {
		if ((mc = cu.multi_perform(multi, &running)) != CURLM_OK)
			break;
		while ((m = cu.multi_info_read(multi, &queued)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			if (cu.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    &priv) != CURLE_OK || priv == NULL)
				continue;
			xi = (struct xfer *)(void *)priv;
			finish(xi, m->data.result, timeout_ms, start);
		}
		if (running == 0) {
			/* All have a result by now; this is in case not. */
			abandon(x, n, start, 0, "the transfer ended without "
			    "a result");
			return;
		}
		/* curl keeps its own deadline; this is in case it does not. */
		left = start + timeout_ms + GRACE_MS - clock_mono_ms();
		if (left <= 0) {
			snprintf(msg, sizeof(msg), "no answer within %ld ms",
			    timeout_ms);
			abandon(x, n, start, 1, msg);
			return;
		}
		if ((mc = cu.multi_poll(multi, NULL, 0,
		    left < POLL_MAX_MS ? (int)left : POLL_MAX_MS, NULL)) !=
		    CURLM_OK)
			break;
	}
	snprintf(msg, sizeof(msg), "delivery stopped: %s",
	    cu.multi_strerror(mc));
	abandon(x, n, start, 0, msg);
}

/* Loads libcurl and runs curl_global_init() once; 0, or -1 with err. */
static int
load_curl(char *err, size_t errlen)
{
	CURLcode	 rc;

	if (lazylib_load(&libcurl) == -1) {
		snprintf(err, errlen, "%s", libcurl.err);
		return -1;
	}
	if (curl_ready)
		return 0;
	if ((rc = cu.global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init: %s",
		    cu.easy_strerror(rc));
		return -1;
	}
	curl_ready = 1;
	return 0;
}

struct transport *
deliver_open(char *err, size_t errlen)
{
	struct transport	*t;
	CURLM			*multi;

	if (load_curl(err, errlen) == -1)
		return NULL;
	if ((multi = cu.multi_init()) == NULL) {
		snprintf(err, errlen, "curl_multi_init failed");
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->multi = multi;
	/* Without it each connection negotiates TLS afresh: no failure. */
	if ((t->share = cu.share_init()) != NULL &&
	    (cu.share_setopt(t->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    cu.share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) !=
	    CURLSHE_OK)) {
		cu.share_cleanup(t->share);
		t->share = NULL;
	}
	return t;
}

void
deliver_close(struct transport *t)
{
	CURLMcode	 mc;

	if (t == NULL)
		return;
	/* Before the share handle: a reset handle still uses it. */
	while (t->n_idle > 0)
		cu.easy_cleanup(t->idle[--t->n_idle]);
	if ((mc = cu.multi_cleanup(t->multi)) != CURLM_OK)
		log_msg("curl_multi_cleanup: %s", cu.multi_strerror(mc));
	/* After the multi handle: its connections may still use it. */
	if (t->share != NULL && cu.share_cleanup(t->share) != CURLSHE_OK)
		log_msg("curl_share_cleanup failed");
	free(t);
}

void
deliver_end(void)
{
	if (curl_ready)
		cu.global_cleanup();
	curl_ready = 0;
}

const char *
deliver_version(char *err, size_t errlen)
{
	if (lazylib_load(&libcurl) == -1) {
		snprintf(err, errlen, "%s", libcurl.err);
		return NULL;
	}
	return cu.version_info(CURLVERSION_NOW)->version;
}

/* Starts d's transfer as x; when it cannot start, x->done and d says
 * why. */
static void
start(struct transport *t, struct xfer *x, struct delivery *d,
    long timeout_ms, const struct config *cfg)
{
	CURLcode	 rc;
	CURLMcode	 mc;

	x->d = d;
	d->ok = d->timed_out = d->answered = d->reply_cut = 0;
	d->http_status = d->ms = 0;
	buf_free(&d->reply);
	memset(&d->v, 0, sizeof(d->v));
	if (t->n_idle > 0)
		x->easy = t->idle[--t->n_idle];
	else
		x->easy = cu.easy_init();
	if (x->easy == NULL) {
		fail(d, 1, "cannot set up the transfer: curl_easy_init "
		    "failed");
		x->done = 1;
	} else if ((rc = setup(x, t->share, timeout_ms, cfg)) != CURLE_OK) {
		fail(d, 0, "cannot set up the transfer: %s",
		    cu.easy_strerror(rc));
		x->done = 1;
	} else if ((mc = cu.multi_add_handle(t->multi, x->easy)) !=
	    CURLM_OK) {
		fail(d, 1, "cannot start the transfer: %s",
		    cu.multi_strerror(mc));
		x->done = 1;
	} else
		x->added = 1;
}

/* Takes x out of the multi handle and keeps its easy handle, or frees
 * it. */
static void
end(struct transport *t, struct xfer *x)
{
	CURLMcode	 mc = CURLM_OK;

	if (x->added && (mc = cu.multi_remove_handle(t->multi, x->easy)) !=
	    CURLM_OK)
		log_msg("curl_multi_remove_handle: %s",
		    cu.multi_strerror(mc));
	if (x->easy != NULL && mc == CURLM_OK && t->n_idle < IDLE_MAX) {
		cu.easy_reset(x->easy);
		t->idle[t->n_idle++] = x->easy;
	} else if (x->easy != NULL)
		cu.easy_cleanup(x->easy);
	cu.slist_free_all(x->headers);
	memset(x, 0, sizeof(*x));
}

void
deliver_all(struct transport *t, struct delivery *d, size_t n,
    const struct config *cfg)
{
	long		 timeout_ms = cfg->timeout_ms;
	struct xfer	*x;
	CURLM		*multi = t->multi;

	if (timeout_ms <= 0)
		timeout_ms = 1;
	x = xcalloc(n, sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		/* A request that could not be built keeps its error. */
		if (d[i].req.url != NULL)
			start(t, &x[i], &d[i], timeout_ms, cfg);
	}
	run(multi, x, n, timeout_ms);
	/* The results are in d[] by now: a cleanup error is only logged. */
	for (size_t i = 0; i < n; i++)
		end(t, &x[i]);
	free(x);
}

/* A transfer of deliver_stream(): its xfer and when it started. */
struct slot {
	struct xfer	 x;
	long long	 start;
	int		 busy;
};

void
deliver_stream(struct transport *tp, const struct config *cfg, size_t window,
    struct delivery *(*next)(void *), void (*done)(struct delivery *, void *),
    void *arg)
{
	long		 timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 1;
	struct slot	*s;
	struct delivery	*d;
	CURLM		*multi = tp->multi;
	CURLMsg		*m;
	CURLMcode	 mc = CURLM_OK;
	char		*priv, msg[200];
	size_t		 busy = 0, i;
	long long	 t, wait;
	int		 running, queued, more = 1, freed;

	if (window == 0)
		window = 1;
	s = xcalloc(window, sizeof(*s));
	for (;;) {
		/* Fill the window; a transfer that cannot start is done. */
		for (i = 0; more && i < window; i++) {
			if (s[i].busy)
				continue;
			if ((d = next(arg)) == NULL) {
				more = 0;
				break;
			}
			memset(&s[i].x, 0, sizeof(s[i].x));
			s[i].start = clock_mono_ms();
			start(tp, &s[i].x, d, timeout_ms, cfg);
			if (s[i].x.done) {
				end(tp, &s[i].x);
				done(d, arg);
				i--;	/* the slot is free again */
				continue;
			}
			s[i].busy = 1;
			busy++;
		}
		if (busy == 0)
			break;
		if (mc == CURLM_OK)
			mc = cu.multi_perform(multi, &running);
		while (mc == CURLM_OK &&
		    (m = cu.multi_info_read(multi, &queued)) != NULL) {
			if (m->msg != CURLMSG_DONE ||
			    cu.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    &priv) != CURLE_OK || priv == NULL)
				continue;
			finish((struct xfer *)(void *)priv, m->data.result,
			    timeout_ms, clock_mono_ms());
		}
		/* curl keeps each deadline; this is in case it does not. */
		t = clock_mono_ms();
		wait = POLL_MAX_MS;
		freed = 0;
		for (i = 0; i < window; i++) {
			if (!s[i].busy)
				continue;
			if (!s[i].x.done && mc != CURLM_OK) {
				snprintf(msg, sizeof(msg), "delivery stopped: "
				    "%s", cu.multi_strerror(mc));
				abandon(&s[i].x, 1, s[i].start, 0, msg);
			} else if (!s[i].x.done &&
			    t >= s[i].start + timeout_ms + GRACE_MS) {
				snprintf(msg, sizeof(msg), "no answer within "
				    "%ld ms", timeout_ms);
				abandon(&s[i].x, 1, s[i].start, 1, msg);
			}
			if (s[i].x.done) {
				d = s[i].x.d;
				end(tp, &s[i].x);
				s[i].busy = 0;
				busy--;
				/* Asked again: done() may have freed work. */
				more = freed = 1;
				done(d, arg);
			} else if (s[i].start + timeout_ms + GRACE_MS - t <
			    wait)
				wait = s[i].start + timeout_ms + GRACE_MS - t;
		}
		if (busy > 0 && !freed && mc == CURLM_OK)
			mc = cu.multi_poll(multi, NULL, 0, wait > 0 ?
			    (int)wait : 0, NULL);
	}
	free(s);
}
