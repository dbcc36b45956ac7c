/*
 * Delivery through one curl multi handle: see deliver.h.  This is the only
 * file that includes curl, so how libcurl is linked or loaded can change
 * here alone.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "deliver.h"
#include "lazylib.h"
#include "log.h"
#include "version.h"
#include "xalloc.h"

#ifndef LIBCURL_SO
#define LIBCURL_SO	"libcurl.so.4"
#endif
#ifndef LIBCRYPTO_SO
#define LIBCRYPTO_SO	"libcrypto.so.3"
#endif
#ifndef LIBSSL_SO
#define LIBSSL_SO	"libssl.so.3"
#endif

/*
 * libcurl, opened by deliver_all() only when there is something to send
 * (lazylib.h): a refused request never maps it.  The curl_ functions used
 * here, called as cu.name().
 */
static struct {
	CURLcode	 (*global_init)(long);
	void		 (*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char	*(*easy_strerror)(CURLcode);
	void		 (*easy_cleanup)(CURL *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	const char	*(*multi_strerror)(CURLMcode);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
} cu;

#define SYM(f)	{ "curl_" #f, (void **)&cu.f }
static const struct lazysym curl_syms[] = {
	SYM(global_init), SYM(global_cleanup), SYM(easy_init),
	SYM(easy_setopt), SYM(easy_getinfo), SYM(easy_strerror),
	SYM(easy_cleanup), SYM(multi_init), SYM(multi_add_handle),
	SYM(multi_remove_handle), SYM(multi_perform), SYM(multi_poll),
	SYM(multi_info_read), SYM(multi_strerror), SYM(multi_cleanup),
	SYM(slist_append), SYM(slist_free_all),
};
#undef SYM

static const char *const curl_first[] = { LIBCRYPTO_SO, LIBSSL_SO, NULL };

static struct lazylib libcurl = {
	LIBCURL_SO, curl_first, curl_syms,
	sizeof(curl_syms) / sizeof(curl_syms[0]), 0, ""
};

/* A robot's reply is a short JSON object; keep no more than this. */
#define REPLY_MAX	(64 * 1024)
#define CONNECT_TIMEOUT_MS	3000L
/* How long to wait past the deadline before giving up on curl itself. */
#define GRACE_MS	500L
#define POLL_MAX_MS	1000

struct xfer {
	struct delivery		*d;
	CURL			*easy;
	struct curl_slist	*headers;
	struct buf		 reply;
	int			 cut;	/* reply over REPLY_MAX */
	int			 added;	/* in the multi handle */
	int			 done;
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the first REPLY_MAX bytes; the rest is read and dropped. */
static size_t
on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer	*x = arg;
	size_t		 n = size * nmemb, room;

	room = x->reply.len < REPLY_MAX ? REPLY_MAX - x->reply.len : 0;
	if (n > room)
		x->cut = 1;
	if (room > 0)
		buf_append(&x->reply, p, n < room ? n : room);
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
setup(struct xfer *x, long timeout_ms, const struct config *cfg)
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

#define SET(opt, val) do {						\
	if ((rc = cu.easy_setopt(e, opt, val)) != CURLE_OK)		\
		return rc;						\
} while (0)
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	/* CURLOPT_POSTFIELDS is not copied: req outlives the transfer. */
	SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
	SET(CURLOPT_HTTPHEADER, x->headers);
	SET(CURLOPT_USERAGENT, "pgyer-relay/" PGYER_RELAY_VERSION);
	/*
	 * An explicit proxy, even "", makes curl ignore http_proxy and
	 * friends: nginx+fcgiwrap passes a client's "Proxy:" header as
	 * HTTP_PROXY.  NOPROXY "" likewise overrides no_proxy.
	 */
	SET(CURLOPT_PROXY, cfg->proxy != NULL ? cfg->proxy : "");
	SET(CURLOPT_NOPROXY, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
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
		SET(CURLOPT_CAINFO, *cfg->ca_file != '\0' ? cfg->ca_file :
		    (char *)NULL);
		SET(CURLOPT_CAPATH, *cfg->ca_path != '\0' ? cfg->ca_path :
		    (char *)NULL);
	} else if (capath_ok(e))
		SET(CURLOPT_CAINFO, (char *)NULL);
	/* All transfers start together: each gets the whole deadline. */
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < CONNECT_TIMEOUT_MS ?
	    timeout_ms : CONNECT_TIMEOUT_MS);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
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
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
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
	size_t		 len;

	x->done = 1;
	if (cu.easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us) ==
	    CURLE_OK)
		d->ms = (long)(us / 1000);
	else
		d->ms = (long)(now_ms() - start);
	if (code != CURLE_OK) {
		explain(x, code, timeout_ms);
		return;
	}
	if (cu.easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	d->http_status = status;
	robot_get(d->type)->judge(status, x->reply.data != NULL ?
	    x->reply.data : "", x->reply.len, &d->v);
	d->ok = d->v.ok;
	if (!d->ok && x->cut) {
		len = strlen(d->v.errmsg);
		snprintf(d->v.errmsg + len, sizeof(d->v.errmsg) - len,
		    " (reply over %d bytes)", REPLY_MAX);
	}
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
		x[i].d->ms = (long)(now_ms() - start);
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
	long long	 start = now_ms(), left;
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
		left = start + timeout_ms + GRACE_MS - now_ms();
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

/* Loads libcurl and makes a multi handle; NULL with err. */
static CURLM *
open_multi(char *err, size_t errlen)
{
	CURLM		*multi;
	CURLcode	 rc;

	if (lazylib_load(&libcurl) == -1) {
		snprintf(err, errlen, "cannot load libcurl: %s", libcurl.err);
		return NULL;
	}
	if ((rc = cu.global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init: %s",
		    cu.easy_strerror(rc));
		return NULL;
	}
	if ((multi = cu.multi_init()) == NULL) {
		snprintf(err, errlen, "curl_multi_init failed");
		cu.global_cleanup();
	}
	return multi;
}

static void
close_multi(CURLM *multi)
{
	CURLMcode	 mc;

	if ((mc = cu.multi_cleanup(multi)) != CURLM_OK)
		log_msg("curl_multi_cleanup: %s", cu.multi_strerror(mc));
	cu.global_cleanup();
}

/* Starts d's transfer as x; when it cannot start, x->done and d says
 * why. */
static void
start(CURLM *multi, struct xfer *x, struct delivery *d, long timeout_ms,
    const struct config *cfg)
{
	CURLcode	 rc;
	CURLMcode	 mc;

	x->d = d;
	d->ok = d->timed_out = 0;
	d->http_status = d->ms = 0;
	memset(&d->v, 0, sizeof(d->v));
	if ((x->easy = cu.easy_init()) == NULL) {
		fail(d, 1, "cannot set up the transfer: curl_easy_init "
		    "failed");
		x->done = 1;
	} else if ((rc = setup(x, timeout_ms, cfg)) != CURLE_OK) {
		fail(d, 0, "cannot set up the transfer: %s",
		    cu.easy_strerror(rc));
		x->done = 1;
	} else if ((mc = cu.multi_add_handle(multi, x->easy)) != CURLM_OK) {
		fail(d, 1, "cannot start the transfer: %s",
		    cu.multi_strerror(mc));
		x->done = 1;
	} else
		x->added = 1;
}

/* Takes x out of the multi handle and frees it. */
static void
end(CURLM *multi, struct xfer *x)
{
	CURLMcode	 mc;

	if (x->added && (mc = cu.multi_remove_handle(multi, x->easy)) !=
	    CURLM_OK)
		log_msg("curl_multi_remove_handle: %s",
		    cu.multi_strerror(mc));
	if (x->easy != NULL)
		cu.easy_cleanup(x->easy);
	cu.slist_free_all(x->headers);
	buf_free(&x->reply);
	memset(x, 0, sizeof(*x));
}

int
deliver_all(struct delivery *d, size_t n, const struct config *cfg,
    char *err, size_t errlen)
{
	long		 timeout_ms = cfg->timeout_ms;
	struct xfer	*x;
	CURLM		*multi;

	if (timeout_ms <= 0)
		timeout_ms = 1;
	if ((multi = open_multi(err, errlen)) == NULL)
		return -1;
	x = xcalloc(n, sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		/* A request that could not be built keeps its error. */
		if (d[i].req.url != NULL)
			start(multi, &x[i], &d[i], timeout_ms, cfg);
	}
	run(multi, x, n, timeout_ms);
	/* The results are in d[] by now: a cleanup error is only logged. */
	for (size_t i = 0; i < n; i++)
		end(multi, &x[i]);
	free(x);
	close_multi(multi);
	return 0;
}

/* A transfer of deliver_stream(): its xfer and when it started. */
struct slot {
	struct xfer	 x;
	long long	 start;
	int		 busy;
};

int
deliver_stream(const struct config *cfg, size_t window,
    struct delivery *(*next)(void *), void (*done)(struct delivery *, void *),
    void *arg, char *err, size_t errlen)
{
	long		 timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 1;
	struct slot	*s;
	struct delivery	*d;
	CURLM		*multi;
	CURLMsg		*m;
	CURLMcode	 mc = CURLM_OK;
	char		*priv, msg[200];
	size_t		 busy = 0, i;
	long long	 t, wait;
	int		 running, queued, more = 1, freed;

	if (window == 0)
		window = 1;
	if ((multi = open_multi(err, errlen)) == NULL)
		return -1;
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
			s[i].start = now_ms();
			start(multi, &s[i].x, d, timeout_ms, cfg);
			if (s[i].x.done) {
				end(multi, &s[i].x);
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
			    timeout_ms, now_ms());
		}
		/* curl keeps each deadline; this is in case it does not. */
		t = now_ms();
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
				end(multi, &s[i].x);
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
	close_multi(multi);
	return 0;
}
