/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd.h - the console's command registry.
 *
 * A module (one family of commands, one .c file) declares a table of
 * struct cmd: the command path as vde_switch spells it ("port/print"), the
 * argument syntax and the help line shown by `help`, and the handler with
 * a full prototype. A menu line of `help` is an entry without a handler
 * (CMD_MENU()); typing it is an unknown command. The module registers the
 * table into a struct cmd_registry with an opaque context pointer that its
 * handlers find in ctx->arg, so handlers reach their module without
 * globals.
 *
 * A line is split into words at spaces and tabs. The first word must be
 * exactly a registered path: no prefix matching ("showinfoXYZ" is
 * unknown, -ENOSYS), unlike vde_switch. The number of remaining words is
 * checked against the entry's min_args..max_args before the handler runs
 * (-EINVAL otherwise). Handlers append their output to ctx->out and
 * return 0 or -errno; the session turns that into the reply.
 *
 * Tables are listed by `help` in ascending @order, then in registration
 * order; CMD_ORDER_* reproduces vde_switch's layout.
 */
#ifndef PATCHBAY_MGMT_CMD_H
#define PATCHBAY_MGMT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "out.h"

struct cmd_registry;
struct mgmt;
struct mgmt_session;
struct cmd_ctx;

/* Always answer with the DATA wrapper, even with no output or on failure
 * (vde_switch's WITHFILE commands: port/print 99 gives an empty body). */
#define CMD_DATA 0x01
/* The arguments are the rest of the line as one word (leading and trailing
 * blanks removed): argc is 0 or 1. For free text such as descriptions. */
#define CMD_REST 0x02

#define CMD_MAX_ARGS 32		/* words after the path */
#define CMD_ARGS_ANY 255	/* max_args: no limit but CMD_MAX_ARGS */

struct cmd {
	const char *path;	/* "family/verb"; no blanks */
	const char *syntax;	/* "N [VLAN]" for help, "" if none */
	const char *help;	/* one line */
	/* argv[0] is the first argument (not the path); argv[argc] is NULL */
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	unsigned flags;		/* CMD_DATA, CMD_REST */
	unsigned char min_args;
	unsigned char max_args;
};

/* A menu line of `help` ("port  ============  PORT STATUS MENU") */
#define CMD_MENU(p, title)                                                     \
	{                                                                      \
		.path = (p), .syntax = "============", .help = (title)          \
	}

/* What a handler is given besides its arguments. */
struct cmd_ctx {
	struct mgmt_out *out;		/* the reply body */
	void *arg;			/* the context registered with the table */
	const struct cmd *cmd;		/* the entry running */
	struct mgmt *m;			/* the console (may be NULL in tests) */
	struct mgmt_session *session;	/* NULL from an rc file at start-up */
	unsigned depth;			/* nesting of `load` */
};

enum cmd_order {
	CMD_ORDER_DS = 10,
	CMD_ORDER_CORE = 20,	/* help logout shutdown showinfo load */
	CMD_ORDER_DEBUG = 30,
	CMD_ORDER_PLUGIN = 40,
	CMD_ORDER_HASH = 50,
	CMD_ORDER_FSTP = 60,
	CMD_ORDER_PORT = 70,
	CMD_ORDER_VLAN = 80,
	CMD_ORDER_OTHER = 100,
};

#define CMD_COUNT(t) (sizeof(t) / sizeof((t)[0]))

struct cmd_registry *cmd_registry_create(void);
void cmd_registry_destroy(struct cmd_registry *r);
int cmd_register(struct cmd_registry *r, const struct cmd *cmds, size_t n,
		 int order, void *arg);
int cmd_unregister(struct cmd_registry *r, const struct cmd *cmds);
const struct cmd *cmd_find(const struct cmd_registry *r, const char *path,
			   void **arg);
int cmd_exec(const struct cmd_registry *r, struct cmd_ctx *ctx, char *line,
	     bool *data);
int cmd_help(const struct cmd_registry *r, struct mgmt_out *out,
	     const char *prefix);

int cmd_arg_ulong(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out);
int cmd_arg_uint(const char *s, unsigned min, unsigned max, unsigned *out);

#endif /* PATCHBAY_MGMT_CMD_H */
