/* The words of a message: see message.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "message.h"
#include "template.h"

enum label {
	L_VERSION,
	L_PLATFORM,
	L_TIME,
	L_SIZE,
	L_NOTES,
	L_OTHER_NOTES,
	L_LINK,
	L_LINK_LABEL,
	L_BUILD,
	L_MARK,
	L__MAX
};

static const char *const labels[LANG__MAX][L__MAX] = {
	[LANG_ZH] = {
		[L_VERSION] = "版本：",
		[L_PLATFORM] = "平台：",
		[L_TIME] = "时间：",
		[L_SIZE] = "大小：",
		[L_NOTES] = "更新说明：",
		[L_OTHER_NOTES] = "备注：",
		[L_LINK] = "查看应用",
		[L_LINK_LABEL] = "查看应用：",
		[L_BUILD] = "build ",
		[L_MARK] = "…（内容过长已截断）",
	},
	[LANG_EN] = {
		[L_VERSION] = "Version: ",
		[L_PLATFORM] = "Platform: ",
		[L_TIME] = "Time: ",
		[L_SIZE] = "Size: ",
		[L_NOTES] = "Release notes: ",
		[L_OTHER_NOTES] = "Notes: ",
		[L_LINK] = "View app",
		[L_LINK_LABEL] = "View app: ",
		[L_BUILD] = "build ",
		[L_MARK] = "… (truncated)",
	},
};

static const char *
label(enum lang lang, enum label l)
{
	return labels[(unsigned)lang < LANG__MAX ? lang : LANG_ZH][l];
}

const char *
message_mark(enum lang lang)
{
	return label(lang, L_MARK);
}

enum msg_kind
message_kind(const struct message_ctx *ctx)
{
	const char	*t = ctx->ev->field[EV_TYPE];
	char		 type[64];

	event_type_normalise(t != NULL ? t : "", type, sizeof(type));
	if (strcmp(type, "updateversion") == 0)
		return MSG_KIND_UPDATE;
	if (strncmp(type, "feedback", 8) == 0)
		return MSG_KIND_FEEDBACK;
	if (strncmp(type, "crash", 5) == 0)
		return MSG_KIND_CRASH;
	return MSG_KIND_OTHER;
}

const char *
message_button(void)
{
	return "下载 / Download";
}

void
message_key(struct buf *b, const char *lbl)
{
	size_t	 n = strlen(lbl);

	if (n >= 3 && strcmp(lbl + n - 3, "：") == 0)
		n -= 3;
	while (n > 0 && (lbl[n - 1] == ' ' || lbl[n - 1] == ':'))
		n--;
	buf_append(b, lbl, n);
}

int
message_cut_chars(struct buf *b, const char *s, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 chars = 0, i = 0, keep = 0;

	for (; p[i] != '\0'; i++) {
		if ((p[i] & 0xc0) == 0x80)
			continue;
		/* Room for "…" when it must be cut. */
		if (chars == max - 1)
			keep = i;
		if (chars++ == max) {
			buf_append(b, s, keep);
			buf_puts(b, "…");
			return 1;
		}
	}
	buf_puts(b, s);
	return 0;
}

/* s when it holds text, else NULL. */
static const char *
text(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Adds a line whose value, from the event, is made inert. */
static void
add(struct message *m, enum msg_line_kind kind, const char *lbl,
    const char *value)
{
	if (value == NULL || *value == '\0' || m->n_lines == MSG_LINES_MAX)
		return;
	m->owned[m->n_lines] = inert_dup(m->dialect, value);
	m->line[m->n_lines].kind = kind;
	m->line[m->n_lines].label = lbl;
	m->line[m->n_lines].value = m->owned[m->n_lines];
	m->n_lines++;
}

void
message_init(struct message *m, const struct message_ctx *ctx,
    const char *tpl, enum inert_dialect d)
{
	const struct event	*ev = ctx->ev;
	const char		*os, *build, *title, *action;
	struct buf		 b = { 0 };
	char			 type[64];

	memset(m, 0, sizeof(*m));
	m->lang = (unsigned)ctx->lang < LANG__MAX ? ctx->lang : LANG_ZH;
	m->dialect = (unsigned)d < INERT__MAX ? d : INERT_PLAIN;
	m->link_text = label(m->lang, L_LINK);
	m->link_label = label(m->lang, L_LINK_LABEL);
	if ((title = text(ev->field[EV_TITLE])) == NULL &&
	    (title = text(ctx->app)) == NULL)
		title = "PGYER";
	if ((action = text(ev->field[EV_ACTION])) == NULL &&
	    (action = text(ev->field[EV_TYPE])) == NULL)
		action = "";
	m->title = inert_dup(m->dialect, title);
	m->action = inert_dup(m->dialect, action);
	buf_puts(&b, title);
	if (*action != '\0') {
		buf_putc(&b, ' ');
		buf_puts(&b, action);
	}
	m->heading = inert_dup(m->dialect, b.data);
	m->plain_heading = inert_dup(INERT_PLAIN, b.data);
	buf_reset(&b);
	m->link = inert_link(ev->field[EV_LINK]);

	if (tpl != NULL) {
		template_render(&b, tpl, ctx, m->dialect);
		/* Robots refuse an empty message: say at least what it is. */
		if (b.len == 0)
			buf_puts(&b, m->heading);
		m->body = buf_release(&b);
		return;
	}

	/* "0.4.0 (build 2)": the build number alone says little. */
	os = text(ev->field[EV_OS_VERSION]);
	build = text(ev->field[EV_BUILD_VERSION]);
	if (os != NULL && build != NULL)
		buf_printf(&b, "%s (%s%s)", os, label(m->lang, L_BUILD),
		    build);
	else if (os != NULL)
		buf_puts(&b, os);
	else if (build != NULL)
		buf_printf(&b, "%s%s", label(m->lang, L_BUILD), build);

	add(m, MSG_INFO, label(m->lang, L_VERSION), b.data);
	buf_free(&b);
	add(m, MSG_INFO, label(m->lang, L_PLATFORM), ev->field[EV_DEVICE_TYPE]);
	add(m, MSG_INFO, label(m->lang, L_SIZE), ctx->size);
	add(m, MSG_INFO, label(m->lang, L_TIME), ctx->time);
	add(m, MSG_TEXT, "", ev->field[EV_MESSAGE]);
	/* Only an update's notes are release notes; feedback and crash
	 * events carry other notes. */
	event_type_normalise(ev->field[EV_TYPE] != NULL ? ev->field[EV_TYPE] :
	    "", type, sizeof(type));
	add(m, MSG_TEXT, label(m->lang, strcmp(type, "updateversion") == 0 ?
	    L_NOTES : L_OTHER_NOTES), ev->field[EV_NOTES]);
	if (m->link != NULL && m->n_lines < MSG_LINES_MAX) {
		m->line[m->n_lines].kind = MSG_LINK;
		m->line[m->n_lines].label = "";
		m->line[m->n_lines].value = m->link;
		m->n_lines++;
	} else if (m->link == NULL)
		/* Not a web address: shown, not linked. */
		add(m, MSG_TEXT, m->link_label, ev->field[EV_LINK]);
}

void
message_free(struct message *m)
{
	free(m->title);
	free(m->action);
	free(m->heading);
	free(m->plain_heading);
	free(m->body);
	free(m->link);
	for (size_t i = 0; i < MSG_LINES_MAX; i++)
		free(m->owned[i]);
	memset(m, 0, sizeof(*m));
}

void
message_newline(struct buf *b, const char *sep)
{
	if (b->len > 0)
		buf_puts(b, sep);
}

void
message_line(struct buf *b, const struct message *m, const struct msg_line *l)
{
	size_t	 n;

	if (l->kind == MSG_LINK) {
		buf_puts(b, m->link_label);
		buf_puts(b, l->value);
		return;
	}
	/* Notes of several lines start on a line of their own. */
	if (*l->label != '\0' && strchr(l->value, '\n') != NULL) {
		n = strlen(l->label);
		while (n > 0 && l->label[n - 1] == ' ')
			n--;
		buf_append(b, l->label, n);
		buf_putc(b, '\n');
	} else
		buf_puts(b, l->label);
	buf_puts(b, l->value);
}

void
message_plain(struct buf *b, const struct message *m)
{
	if (m->body != NULL) {
		buf_puts(b, m->body);
		return;
	}
	message_newline(b, "\n");
	buf_puts(b, m->heading);
	for (size_t i = 0; i < m->n_lines; i++) {
		buf_putc(b, '\n');
		message_line(b, m, &m->line[i]);
	}
}

int
message_has(const char *s, const char *kw)
{
	return kw == NULL || *kw == '\0' ||
	    (s != NULL && strstr(s, kw) != NULL);
}
