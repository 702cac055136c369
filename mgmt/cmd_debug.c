/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_debug.c - debug/list, debug/add, debug/del: a session's
 * subscriptions to the debug categories modules declared (event.c).
 */
#include <errno.h>

#include "mgmt_int.h"

static int debug_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return event_list(ctx->m, ctx->session, ctx->out);
}

static int debug_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	if (!ctx->session)
		return -EINVAL;
	return event_subscribe(ctx->session, argv[0], true);
}

static int debug_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	if (!ctx->session)
		return -EINVAL;
	return event_subscribe(ctx->session, argv[0], false);
}

static const struct cmd debug_cmds[] = {
	CMD_MENU("debug", "DEBUG MENU"),
	{ .path = "debug/list",
	  .syntax = "",
	  .help = "list debug categories",
	  .fn = debug_list,
	  .flags = CMD_DATA },
	{ .path = "debug/add",
	  .syntax = "dbgpath",
	  .help = "enable debug info for a given category",
	  .fn = debug_add,
	  .min_args = 1,
	  .max_args = 1 },
	{ .path = "debug/del",
	  .syntax = "dbgpath",
	  .help = "disable debug info for a given category",
	  .fn = debug_del,
	  .min_args = 1,
	  .max_args = 1 },
};

/**
 * cmd_debug_register() - register the debug menu
 * @m:		the console
 *
 * Return: 0 or -errno
 */
int cmd_debug_register(struct mgmt *m)
{
	return cmd_register(m->reg, debug_cmds, CMD_COUNT(debug_cmds),
			    CMD_ORDER_DEBUG, m);
}
