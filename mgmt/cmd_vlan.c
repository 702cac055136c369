/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_vlan.c - the vlan/ commands, with vde_switch's output formats
 * (research/vde-transcripts/vlan-*.txt). VLANs are 1..4094 (vde_switch
 * refuses 4094); VLAN 0 always exists.
 */
#include <errno.h>

#include "port.h"
#include "swcmd.h"
#include "vlan.h"

static int vlan_arg(const char *s, unsigned *vid)
{
	return cmd_arg_uint(s, 0, VLAN_MAX, vid);
}

static int vlan_create_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned vid;

	(void)argc;
	if (vlan_arg(argv[0], &vid))
		return -EINVAL;
	return sw_vlan_create(c->sw, vid);
}

static int vlan_remove_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned vid;

	(void)argc;
	if (vlan_arg(argv[0], &vid))
		return -EINVAL;
	return sw_vlan_remove(c->sw, vid);
}

static int vlan_addport(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned vid, num;

	(void)argc;
	if (vlan_arg(argv[0], &vid) || swcmd_port_arg(c, argv[1], &num))
		return -EINVAL;
	return sw_vlan_add_port(c->sw, vid, num);
}

static int vlan_delport(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned vid, num;

	(void)argc;
	if (vlan_arg(argv[0], &vid) || swcmd_port_arg(c, argv[1], &num))
		return -EINVAL;
	return sw_vlan_del_port(c->sw, vid, num);
}

/* One VLAN and its member ports, in port order; inactive ones with @all. */
static void vlan_print_one(struct swcmd *c, struct mgmt_out *o, unsigned vid,
			   bool all)
{
	const struct vlan_table *vt = sw_vlans(c->sw);
	const struct port *p;

	mgmt_printf(o, "VLAN %04u\n", vid);
	for (p = sw_port_next(c->sw, NULL); p; p = sw_port_next(c->sw, p)) {
		bool active = p->active_idx >= 0;
		enum vlan_egress e = vlan_egress(vt, p->num, vid);

		if (e == VLAN_EGRESS_NONE || (!all && !active))
			continue;
		mgmt_printf(o, " -- Port %04u tagged=%d active=%d status=%s\n",
			    p->num, e == VLAN_EGRESS_TAGGED, active,
			    active ? "Forwarding" : "Learning");
	}
}

static int vlan_print_common(struct cmd_ctx *ctx, int argc, char **argv,
			     bool all)
{
	struct swcmd *c = ctx->arg;
	unsigned vid;

	if (argc) {
		if (vlan_arg(argv[0], &vid))
			return -EINVAL;
		if (!vlan_exists(sw_vlans(c->sw), vid))
			return -ENXIO;
		vlan_print_one(c, ctx->out, vid, all);
		return 0;
	}
	for (vid = 0; vid <= VLAN_MAX; vid++)
		if (vlan_exists(sw_vlans(c->sw), vid))
			vlan_print_one(c, ctx->out, vid, all);
	return 0;
}

static int vlan_print(struct cmd_ctx *ctx, int argc, char **argv)
{
	return vlan_print_common(ctx, argc, argv, false);
}

static int vlan_allprint(struct cmd_ctx *ctx, int argc, char **argv)
{
	return vlan_print_common(ctx, argc, argv, true);
}

static const struct cmd vlan_cmds[] = {
	CMD_MENU("vlan", "VLAN MANAGEMENT MENU"),
	{ .path = "vlan/create", .syntax = "N",
	  .help = "create the VLAN with tag N", .fn = vlan_create_cmd,
	  .min_args = 1, .max_args = 1 },
	{ .path = "vlan/remove", .syntax = "N",
	  .help = "remove the VLAN with tag N", .fn = vlan_remove_cmd,
	  .min_args = 1, .max_args = 1 },
	{ .path = "vlan/addport", .syntax = "N PORT",
	  .help = "add port to the vlan N (tagged)", .fn = vlan_addport,
	  .min_args = 2, .max_args = 2 },
	{ .path = "vlan/delport", .syntax = "N PORT",
	  .help = "remove port from the vlan N (tagged)", .fn = vlan_delport,
	  .min_args = 2, .max_args = 2 },
	{ .path = "vlan/print", .syntax = "[N]",
	  .help = "print the list of defined vlan", .fn = vlan_print,
	  .flags = CMD_DATA, .max_args = 1 },
	{ .path = "vlan/allprint", .syntax = "[N]",
	  .help = "print the list of defined vlan (including inactive port)",
	  .fn = vlan_allprint, .flags = CMD_DATA, .max_args = 1 },
};

/**
 * cmd_vlan_register() - register the vlan/ commands
 * @c:		the switch's commands
 *
 * Return: 0 or -errno
 */
int cmd_vlan_register(struct swcmd *c)
{
	return mgmt_register(c->m, vlan_cmds, CMD_COUNT(vlan_cmds),
			     CMD_ORDER_VLAN, c);
}
