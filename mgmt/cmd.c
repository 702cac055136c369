/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd.c - command registry: tables of commands, exact lookup, argument
 * splitting and counting, the `help` table (see cmd.h).
 *
 * The registry is a list of tables sorted by order (stable). Lookups walk
 * it: a switch has some fifty commands and a console line is rare, so a
 * list read in `help` order is all that is needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"

struct cmd_table {
	struct cmd_table *next;
	const struct cmd *cmds;
	size_t n;
	int order;
	void *arg;
};

struct cmd_registry {
	struct cmd_table *tables;
};

/**
 * cmd_registry_create() - make an empty registry
 *
 * Return: the registry, or NULL (out of memory)
 */
struct cmd_registry *cmd_registry_create(void)
{
	return calloc(1, sizeof(struct cmd_registry));
}

/**
 * cmd_registry_destroy() - forget every table (the tables themselves belong
 * to their modules)
 * @r:		the registry, or NULL
 */
void cmd_registry_destroy(struct cmd_registry *r)
{
	struct cmd_table *t, *next;

	if (!r)
		return;
	for (t = r->tables; t; t = next) {
		next = t->next;
		free(t);
	}
	free(r);
}

static const struct cmd *lookup(const struct cmd_registry *r,
				const char *path, const struct cmd_table **tp)
{
	const struct cmd_table *t;
	size_t i;

	for (t = r->tables; t; t = t->next)
		for (i = 0; i < t->n; i++)
			if (strcmp(t->cmds[i].path, path) == 0) {
				if (tp)
					*tp = t;
				return &t->cmds[i];
			}
	return NULL;
}

static bool path_valid(const char *p)
{
	if (!p || !*p)
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/**
 * cmd_register() - add a table of commands
 * @r:		the registry
 * @cmds:	the table; it must stay valid until unregistered or the
 *		registry is destroyed
 * @n:		number of entries (CMD_COUNT())
 * @order:	where `help` lists it (enum cmd_order)
 * @arg:	given to its handlers as ctx->arg
 *
 * Return: 0; -EINVAL for an entry without a path, with blanks in it, or with
 * min_args > max_args; -EEXIST if a path is already registered (nothing is
 * added then); -ENOMEM
 */
int cmd_register(struct cmd_registry *r, const struct cmd *cmds, size_t n,
		 int order, void *arg)
{
	struct cmd_table *t, **pp;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!path_valid(cmds[i].path) ||
		    cmds[i].min_args > cmds[i].max_args)
			return -EINVAL;
		if (lookup(r, cmds[i].path, NULL))
			return -EEXIST;
		for (j = 0; j < i; j++)
			if (strcmp(cmds[i].path, cmds[j].path) == 0)
				return -EEXIST;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cmds = cmds;
	t->n = n;
	t->order = order;
	t->arg = arg;
	for (pp = &r->tables; *pp && (*pp)->order <= order; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	return 0;
}

/**
 * cmd_unregister() - remove a table (a module going away)
 * @r:		the registry
 * @cmds:	the table given to cmd_register()
 *
 * Return: 0, or -ENOENT if it was not registered
 */
int cmd_unregister(struct cmd_registry *r, const struct cmd *cmds)
{
	struct cmd_table **pp, *t;

	for (pp = &r->tables; (t = *pp); pp = &t->next)
		if (t->cmds == cmds) {
			*pp = t->next;
			free(t);
			return 0;
		}
	return -ENOENT;
}

/**
 * cmd_find() - the entry with exactly this path
 * @r:		the registry
 * @path:	"port/print"
 * @arg:	if not NULL, gets the table's context
 *
 * Return: the entry (possibly a menu line, fn NULL), or NULL
 */
const struct cmd *cmd_find(const struct cmd_registry *r, const char *path,
			   void **arg)
{
	const struct cmd_table *t;
	const struct cmd *c = lookup(r, path, &t);

	if (c && arg)
		*arg = t->arg;
	return c;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split @s in place. Return: the number of words, or -EINVAL if more than
 * @max */
static int split(char *s, char **argv, int max)
{
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			*s++ = '\0';
		if (!*s)
			break;
		if (n == max)
			return -EINVAL;
		argv[n++] = s;
		while (*s && !is_blank(*s))
			s++;
	}
	argv[n] = NULL;
	return n;
}

/**
 * cmd_exec() - run one command line
 * @r:		the registry
 * @ctx:	out, m, session, depth filled in by the caller; arg and cmd
 *		are set here
 * @line:	NUL-terminated, without its newline; modified (split)
 * @data:	set to true if the entry asks for the DATA wrapper whatever
 *		happens (CMD_DATA), false otherwise
 *
 * Return: what the handler returned; -ENOSYS for an unknown path or a menu
 * line; -EINVAL for a wrong number of arguments; 0 for an empty line
 */
int cmd_exec(const struct cmd_registry *r, struct cmd_ctx *ctx, char *line,
	     bool *data)
{
	char *argv[CMD_MAX_ARGS + 2];
	const struct cmd_table *t;
	const struct cmd *c;
	char *path, *rest;
	int argc;

	*data = false;
	while (is_blank(*line))
		line++;
	if (!*line)
		return 0;
	path = line;
	for (rest = line; *rest && !is_blank(*rest); rest++)
		;
	if (*rest)
		*rest++ = '\0';
	c = lookup(r, path, &t);
	if (!c || !c->fn)
		return -ENOSYS;
	*data = c->flags & CMD_DATA;
	if (c->flags & CMD_REST) {
		char *end;

		while (is_blank(*rest))
			rest++;
		end = rest + strlen(rest);
		while (end > rest && is_blank(end[-1]))
			*--end = '\0';
		argc = *rest ? 1 : 0;
		argv[0] = argc ? rest : NULL;
		argv[1] = NULL;
	} else {
		argc = split(rest, argv, CMD_MAX_ARGS);
		if (argc < 0)
			return argc;
	}
	if (argc < c->min_args || argc > c->max_args)
		return -EINVAL;
	ctx->cmd = c;
	ctx->arg = t->arg;
	return c->fn(ctx, argc, argv);
}

/**
 * cmd_help() - the `help` table, in vde_switch's layout
 * @r:		the registry
 * @out:	where it goes
 * @prefix:	only paths starting with it (as vde_switch), or NULL
 *
 * Return: 0, or -ENOBUFS if @out is full
 */
int cmd_help(const struct cmd_registry *r, struct mgmt_out *out,
	     const char *prefix)
{
	const struct cmd_table *t;
	size_t i, plen = prefix ? strlen(prefix) : 0;
	int rc;

	rc = mgmt_printf(out, "%-18s %-15s %s\n", "COMMAND PATH", "SYNTAX",
			 "HELP");
	if (!rc)
		rc = mgmt_printf(out, "%-18s %-15s %s\n", "------------",
				 "--------------", "------------");
	for (t = r->tables; t && !rc; t = t->next)
		for (i = 0; i < t->n && !rc; i++) {
			const struct cmd *c = &t->cmds[i];

			if (plen && strncmp(c->path, prefix, plen))
				continue;
			rc = mgmt_printf(out, "%-18s %-15s %s\n", c->path,
					 c->syntax ? c->syntax : "",
					 c->help ? c->help : "");
		}
	return rc;
}

/**
 * cmd_arg_ulong() - a strict decimal number argument
 * @s:		the word
 * @min:	smallest accepted
 * @max:	largest accepted
 * @out:	the value
 *
 * Return: 0, or -EINVAL if @s is not a number in [min, max] (vde_switch's
 * 1022 for both)
 */
int cmd_arg_ulong(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	return parse_ulong(s, 10, min, max, out) ? -EINVAL : 0;
}

/**
 * cmd_arg_uint() - cmd_arg_ulong() for an unsigned int
 * @s:		the word
 * @min:	smallest accepted
 * @max:	largest accepted
 * @out:	the value
 *
 * Return: 0 or -EINVAL
 */
int cmd_arg_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;
	int rc = cmd_arg_ulong(s, min, max, &v);

	if (!rc)
		*out = (unsigned)v;
	return rc;
}
