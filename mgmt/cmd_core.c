/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_core.c - the console's own commands: help, logout, shutdown,
 * showinfo, load.
 */
#include <errno.h>
#include <stdio.h>

#include "mgmt_int.h"

static int core_help(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_help(ctx->m->reg, ctx->out, argc ? argv[0] : NULL);
}

static int core_logout(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!ctx->session)
		return -EINVAL;
	session_logout(ctx->session);
	return 0;
}

static int core_shutdown(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgmt *m = ctx->m;

	(void)argc;
	(void)argv;
	if (!m->cfg.stop)
		return -EOPNOTSUPP;
	log_info("console: shutdown requested");
	mgmt_shutdown_sessions(m);
	m->cfg.stop(m->cfg.arg);
	return 0;
}

static int core_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgmt *m = ctx->m;

	(void)argc;
	(void)argv;
	mgmt_banner(ctx->out);
	mgmt_printf(ctx->out, "\n");
	if (m->cfg.showinfo)
		m->cfg.showinfo(m->cfg.arg, ctx->out);
	if (m->lfd >= 0)
		mgmt_printf(ctx->out, "mgmt %s perm %04o\n", m->lpath,
			    m->lmode);
	return 0;
}

static int core_load(struct cmd_ctx *ctx, int argc, char **argv)
{
	char err[MGMT_LINE_MAX + 256];
	int rc;

	(void)argc;
	rc = load_file(ctx->m, ctx->session, ctx->depth, argv[0], ctx->out,
		       err, sizeof(err));
	if (rc)
		mgmt_printf(ctx->out, "%s\n", err);
	return rc;
}

static const struct cmd core_cmds[] = {
	{ .path = "help",
	  .syntax = "[arg]",
	  .help = "Help (limited to arg when specified)",
	  .fn = core_help,
	  .flags = CMD_DATA,
	  .max_args = 1 },
	{ .path = "logout",
	  .syntax = "",
	  .help = "logout from this mgmt terminal",
	  .fn = core_logout },
	{ .path = "shutdown",
	  .syntax = "",
	  .help = "shutdown of the switch",
	  .fn = core_shutdown },
	{ .path = "showinfo",
	  .syntax = "",
	  .help = "show switch version and info",
	  .fn = core_showinfo,
	  .flags = CMD_DATA },
	{ .path = "load",
	  .syntax = "path",
	  .help = "load a configuration script",
	  .fn = core_load,
	  .flags = CMD_REST,
	  .min_args = 1,
	  .max_args = 1 },
};

/**
 * cmd_core_register() - register help, logout, shutdown, showinfo, load
 * @m:		the console
 *
 * Return: 0 or -errno
 */
int cmd_core_register(struct mgmt *m)
{
	return cmd_register(m->reg, core_cmds, CMD_COUNT(core_cmds),
			    CMD_ORDER_CORE, m);
}
