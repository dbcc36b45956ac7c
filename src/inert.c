/*
 * Event text made inert: see inert.h.
 *
 * Neither WeCom nor DingTalk documents an escape for its markdown
 * (https://developer.work.weixin.qq.com/document/path/91770,
 * https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type),
 * so syntax is broken without one:
 * - a ZERO WIDTH SPACE (U+200B) goes where syntax needs two characters
 *   side by side: after "<" (tags "<font>", mentions "<@id>", "<at>"),
 *   between "]" and "(" (links and images), and before the first
 *   character of a line that starts with punctuation, "1." or a blank
 *   (headings "#", quotes ">", lists "- " "1. ", code blocks, tables,
 *   link definitions, "---" under a line).  It shows nothing, so the
 *   characters read as they were written;
 * - in every dialect, between ":" and "//": the chat clients turn a web
 *   address in any text into a link, and only the event's link may be one;
 * - emphasis and code marks make pairs over any distance, which no
 *   invisible character breaks in every renderer: "*" is shown as "∗"
 *   (U+2217) and "`" as "ˋ" (U+02CB), their look-alikes.
 * Control characters (but tab and newline), C1 controls, the line and
 * paragraph separators and the bidirectional overrides are shown as
 * U+FFFD in every dialect: they would hide or reorder what follows; CR LF
 * and a lone CR are a newline.
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "inert.h"

#define ZWSP		"\xe2\x80\x8b"	/* U+200B */
#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */
#define ASTERISK_OP	"\xe2\x88\x97"	/* U+2217 */
#define GRAVE_MOD	"\xcb\x8b"	/* U+02CB */

/* Bytes of the UTF-8 sequence led by c (input is valid UTF-8). */
static size_t
seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* 1 when the n-byte sequence at p is shown as U+FFFD. */
static int
hidden(const unsigned char *p, size_t n)
{
	if (n == 1)
		return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n') ||
		    p[0] == 0x7f;
	/* U+0080..U+009F */
	if (n == 2)
		return p[0] == 0xc2 && p[1] < 0xa0;
	/* U+2028..U+202E, U+2066..U+2069 */
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x80)
		return p[2] >= 0xa8 && p[2] <= 0xae;
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x81)
		return p[2] >= 0xa6 && p[2] <= 0xa9;
	return 0;
}

/*
 * 1 when a markdown line starting at p could start a block: punctuation
 * or a blank, or digits followed by "." or ")" and a blank ("1. ").
 */
static int
block_start(const unsigned char *p)
{
	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		return (*p == '.' || *p == ')') && (p[1] == ' ' ||
		    p[1] == '\t' || p[1] == '\n' || p[1] == '\r' ||
		    p[1] == '\0');
	}
	return *p == ' ' || *p == '\t' || (*p != '\0' && *p < 0x80 &&
	    strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", *p) != NULL);
}

/*
 * Bytes of the run at p that no dialect changes, copied as one: printable
 * ASCII but the marks handled below, and UTF-8 sequences whose lead byte
 * cannot start one shown as U+FFFD (those start with 0xc2 or 0xe2).  A
 * run ends before a lead or ASCII byte, so at a character's start.
 */
static size_t
plain_run(const unsigned char *p)
{
	const unsigned char	*q = p;

	while (*q >= 0x20 && *q != 0x7f && *q != 0xc2 && *q != 0xe2 &&
	    *q != '*' && *q != '`' && *q != '<' && *q != ']' && *q != ':')
		q++;
	return (size_t)(q - p);
}

void
inert_append(struct buf *b, enum inert_dialect d, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;
	int			 bol = 1;

	if (s == NULL)
		return;
	while (*p != '\0') {
		/* Not at a line's start: nothing in the run acts. */
		if (!bol && (n = plain_run(p)) > 0) {
			buf_append(b, p, n);
			p += n;
			continue;
		}
		n = seq_len(*p);
		if (*p == '\r') {
			buf_putc(b, '\n');
			p += p[1] == '\n' ? 2 : 1;
			bol = 1;
			continue;
		}
		if (hidden(p, n)) {
			buf_puts(b, REPLACEMENT);
			p += n;
			bol = 0;
			continue;
		}
		if (d == INERT_MARKDOWN && bol && block_start(p))
			buf_puts(b, ZWSP);
		bol = *p == '\n';
		if (d == INERT_MARKDOWN && *p == '*')
			buf_puts(b, ASTERISK_OP);
		else if (d == INERT_MARKDOWN && *p == '`')
			buf_puts(b, GRAVE_MOD);
		else {
			buf_append(b, p, n);
			if ((d != INERT_PLAIN && *p == '<') ||
			    (d == INERT_MARKDOWN && *p == ']' && p[1] == '(') ||
			    (*p == ':' && p[1] == '/' && p[2] == '/'))
				buf_puts(b, ZWSP);
		}
		p += n;
	}
}

char *
inert_dup(enum inert_dialect d, const char *s)
{
	struct buf	 b = { 0 };

	inert_append(&b, d, s);
	buf_puts(&b, "");
	return buf_release(&b);
}

char *
inert_link(const char *url)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b = { 0 };
	const unsigned char	*p;
	size_t			 skip;

	if (url == NULL)
		return NULL;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return NULL;
	/* A host: not empty, no userinfo hiding another one. */
	if (strchr("/?#:", url[skip]) != NULL ||
	    memchr(url + skip, '@', strcspn(url + skip, "/?#")) != NULL)
		return NULL;
	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			buf_free(&b);
			return NULL;
		}
		/* RFC 3986 2.1: what may end a markdown link or a tag. */
		if (*p >= 0x80 || strchr("()<>[]\"'`\\{}|^", *p) != NULL)
			buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
		else
			buf_putc(&b, (char)*p);
	}
	return buf_release(&b);
}
