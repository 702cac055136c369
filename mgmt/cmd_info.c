/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_info.c - the small families: ds/ (the VDE control socket) and
 * plugin/ (patchbay loads no plugins, and says so); fstp/ is cmd_fstp.c's.
 */
#include <errno.h>

#include "datasock.h"
#include "swcmd.h"

static int ds_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;

	(void)argc;
	(void)argv;
	mgmt_printf(ctx->out, "ctl dir %s\nstd mode %04o\n",
		    datasock_dir(c->ds), datasock_mode(c->ds));
	return 0;
}

static int plugin_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mgmt_printf(ctx->out, "NAME                   HELP\n"
		    "------------           ----\n");
	return -ENOENT;		/* none, as vde_switch answers */
}

static int plugin_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return -EOPNOTSUPP;	/* patchbay loads no plugins */
}

static int plugin_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return -ENOENT;		/* no such plugin: there are none */
}

static const struct cmd ds_cmds[] = {
	CMD_MENU("ds", "DATA SOCKET MENU"),
	{ .path = "ds/showinfo", .syntax = "", .help = "show ds info",
	  .fn = ds_showinfo, .flags = CMD_DATA },
};

static const struct cmd plugin_cmds[] = {
	CMD_MENU("plugin", "PLUGINS MENU"),
	{ .path = "plugin/list", .syntax = "", .help = "list plugins",
	  .fn = plugin_list, .flags = CMD_DATA },
	{ .path = "plugin/add", .syntax = "library", .help = "load a plugin",
	  .fn = plugin_add, .min_args = 1, .max_args = 1 },
	{ .path = "plugin/del", .syntax = "name", .help = "unload a plugin",
	  .fn = plugin_del, .min_args = 1, .max_args = 1 },
};

/**
 * cmd_info_register() - register the ds/, plugin/ and fstp/ commands
 * @c:		the switch's commands
 *
 * Return: 0 or -errno
 */
int cmd_info_register(struct swcmd *c)
{
	int rc;

	rc = mgmt_register(c->m, ds_cmds, CMD_COUNT(ds_cmds), CMD_ORDER_DS,
			   c);
	if (!rc)
		rc = mgmt_register(c->m, plugin_cmds, CMD_COUNT(plugin_cmds),
				   CMD_ORDER_PLUGIN, c);
	if (!rc)
		rc = cmd_fstp_register(c);
	return rc;
}
