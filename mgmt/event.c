/* SPDX-License-Identifier: GPL-2.0-or-later
 * event.c - debug categories and subscriptions (debug/list, debug/add,
 * debug/del).
 *
 * Modules register tables of categories (path, tag, help) as data; a tag
 * is what the "3NNN" line shows, in octal, so tags run 1..0777. Each
 * session holds a bitmap of the tags it subscribed to, and the console
 * counts subscribers per tag in struct mgmt_public, which is all that
 * mgmt_event_wanted() reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt_int.h"

/**
 * mgmt_event_register() - declare debug categories
 * @m:		the console
 * @cats:	the table; it must outlive @m
 * @n:		its size
 *
 * Return: 0; -EINVAL for a tag outside 1..0777 or a path with blanks;
 * -EEXIST for a tag or path already declared (nothing is added); -ENOMEM
 */
int mgmt_event_register(struct mgmt *m, const struct mgmt_event_cat *cats,
			size_t n)
{
	struct ev_table *t, **pp;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const char *p = cats[i].path;

		if (!p || !*p || strpbrk(p, " \t\n") || !cats[i].tag ||
		    cats[i].tag >= MGMT_EVENT_TAGS)
			return -EINVAL;
		if (m->ev_by_tag[cats[i].tag])
			return -EEXIST;
		for (t = m->ev_tables; t; t = t->next)
			for (j = 0; j < t->n; j++)
				if (strcmp(t->cats[j].path, p) == 0)
					return -EEXIST;
		for (j = 0; j < i; j++)
			if (cats[j].tag == cats[i].tag ||
			    strcmp(cats[j].path, p) == 0)
				return -EEXIST;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cats = cats;
	t->n = n;
	for (pp = &m->ev_tables; *pp; pp = &(*pp)->next)
		;
	*pp = t;
	for (i = 0; i < n; i++)
		m->ev_by_tag[cats[i].tag] = &cats[i];
	return 0;
}

/**
 * event_tables_free() - forget every category table
 * @m:		the console
 */
void event_tables_free(struct mgmt *m)
{
	struct ev_table *t, *next;

	for (t = m->ev_tables; t; t = next) {
		next = t->next;
		free(t);
	}
	m->ev_tables = NULL;
}

/**
 * session_subscribed() - does @s want @tag's lines?
 * @s:		the session
 * @tag:	the tag
 *
 * Return: true if subscribed
 */
bool session_subscribed(const struct mgmt_session *s, unsigned tag)
{
	return tag < MGMT_EVENT_TAGS && (s->subs[tag / 64] >> (tag % 64)) & 1;
}

static void set_sub(struct mgmt_session *s, unsigned tag, bool on)
{
	uint64_t bit = (uint64_t)1 << (tag % 64);

	if (session_subscribed(s, tag) == on)
		return;
	if (on) {
		s->subs[tag / 64] |= bit;
		s->m->pub.ev_subs[tag]++;
	} else {
		s->subs[tag / 64] &= ~bit;
		s->m->pub.ev_subs[tag]--;
	}
}

/* @path names @cat itself or a level above it: "port/ep" covers
 * "port/ep/+" and "port/ep/-", "port" covers every "port/..." category. */
static bool covers(const char *path, const char *cat)
{
	size_t len = strlen(path);

	if (len && path[len - 1] == '/')
		len--;
	return strncmp(cat, path, len) == 0 &&
	       (cat[len] == '\0' || cat[len] == '/');
}

/**
 * event_subscribe() - debug/add or debug/del for a session
 * @s:		the session
 * @path:	a category, or a level above several ("port/ep")
 * @on:		add or remove
 *
 * Return: 0, or -EINVAL if no category matches
 */
int event_subscribe(struct mgmt_session *s, const char *path, bool on)
{
	const struct ev_table *t;
	unsigned found = 0;
	size_t i;

	for (t = s->m->ev_tables; t; t = t->next)
		for (i = 0; i < t->n; i++)
			if (covers(path, t->cats[i].path)) {
				set_sub(s, t->cats[i].tag, on);
				found++;
			}
	return found ? 0 : -EINVAL;
}

/**
 * event_unsubscribe_all() - a session is going away
 * @s:		the session
 */
void event_unsubscribe_all(struct mgmt_session *s)
{
	unsigned tag;

	for (tag = 0; tag < MGMT_EVENT_TAGS; tag++)
		set_sub(s, tag, false);
}

/**
 * event_list() - the debug/list table, in vde_switch's layout
 * @m:		the console
 * @s:		whose ON/OFF to show, or NULL (all OFF)
 * @out:	where it goes
 *
 * Return: 0 or -ENOBUFS
 */
int event_list(struct mgmt *m, const struct mgmt_session *s,
	       struct mgmt_out *out)
{
	const struct ev_table *t;
	size_t i;
	int rc;

	rc = mgmt_printf(out, "%-22s %s\n%-22s %s\n", "CATEGORY",
			 "TAG STATUS HELP", "------------", "--- ------ ----");
	for (t = m->ev_tables; t && !rc; t = t->next)
		for (i = 0; i < t->n && !rc; i++) {
			const struct mgmt_event_cat *c = &t->cats[i];
			bool on = s && session_subscribed(s, c->tag);

			rc = mgmt_printf(out, "%-22s %03o %-6s %s\n", c->path,
					 c->tag, on ? "ON" : "OFF",
					 c->help ? c->help : "");
		}
	return rc;
}
