/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_fstp.c - the fstp/ commands: vde_switch's (showinfo, setfstp,
 * setedge, bonus, print) over patchbay's rapid spanning tree
 * (switch/stp.h), plus setpriority, setcost and settimers.
 *
 * vde_switch runs one tree per VLAN and its per-port commands take a VLAN
 * first; patchbay runs one tree for the whole switch and takes both forms
 * (PORT ... or VLAN PORT ...), checking the VLAN number and ignoring it.
 */
#include <errno.h>
#include <string.h>

#include "bpdu.h"
#include "parse.h"
#include "port.h"
#include "stp.h"
#include "swcmd.h"
#include "vlan.h"

static int fstp_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	struct stp_info in;
	char mac[18];

	(void)argc;
	(void)argv;
	stp_info(sw_stp(c->sw), &in);
	format_mac(sw_macaddr(c->sw), mac);
	mgmt_printf(ctx->out, "MAC %s Priority %u (0x%x)\nFSTP=%s\n", mac,
		    in.priority, in.priority, in.on ? "true" : "false");
	mgmt_printf(ctx->out, "Protocol RSTP (IEEE 802.1D-2004), one tree "
		    "for every VLAN\n");
	mgmt_printf(ctx->out, "Hello %u MaxAge %u FwdDelay %u (this switch's; "
		    "the root's apply)\n", in.hello, in.max_age,
		    in.fwd_delay);
	mgmt_printf(ctx->out, "Topology changes %llu\n",
		    (unsigned long long)in.topology_changes);
	return 0;
}

static int fstp_setfstp(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	bool on;

	(void)argc;
	if (swcmd_flag_arg(argv[0], &on))
		return -EINVAL;
	return stp_set_enabled(sw_stp(c->sw), on);
}

/* [VLAN] PORT VALUE: the port and where the value is */
static int fstp_port_args(struct swcmd *c, int argc, char **argv,
			  unsigned *port, const char **val)
{
	unsigned vid;

	if (argc == 3 && cmd_arg_uint(argv[0], 0, VLAN_MAX, &vid))
		return -EINVAL;
	if (swcmd_port_arg(c, argv[argc - 2], port))
		return -EINVAL;
	*val = argv[argc - 1];
	return 0;
}

static int fstp_setedge(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	enum stp_edge edge;
	const char *val;
	unsigned port;

	if (fstp_port_args(c, argc, argv, &port, &val))
		return -EINVAL;
	if (!strcmp(val, "1"))
		edge = STP_EDGE_ON;
	else if (!strcmp(val, "0"))
		edge = STP_EDGE_OFF;
	else if (!strcmp(val, "auto"))
		edge = STP_EDGE_AUTO;
	else
		return -EINVAL;
	return stp_set_port_edge(sw_stp(c->sw), port, edge);
}

/* [VLAN] PORT COST, for a setter of stp.h */
static int fstp_port_cost_cmd(struct cmd_ctx *ctx, int argc, char **argv,
			      int (*set)(struct stp *, unsigned, unsigned))
{
	struct swcmd *c = ctx->arg;
	const char *val;
	unsigned port, v;

	if (fstp_port_args(c, argc, argv, &port, &val) ||
	    cmd_arg_uint(val, 0, STP_MAX_PORT_COST, &v))
		return -EINVAL;
	return set(sw_stp(c->sw), port, v);
}

static int fstp_bonus(struct cmd_ctx *ctx, int argc, char **argv)
{
	return fstp_port_cost_cmd(ctx, argc, argv, stp_set_port_bonus);
}

static int fstp_setcost(struct cmd_ctx *ctx, int argc, char **argv)
{
	return fstp_port_cost_cmd(ctx, argc, argv, stp_set_port_cost);
}

static int fstp_setpriority(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned v;

	(void)argc;
	if (cmd_arg_uint(argv[0], 0, 65535, &v))
		return -EINVAL;
	return stp_set_priority(sw_stp(c->sw), v);
}

static int fstp_settimers(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned hello, max_age, fwd;

	(void)argc;
	if (cmd_arg_uint(argv[0], 1, 10, &hello) ||
	    cmd_arg_uint(argv[1], 6, 40, &max_age) ||
	    cmd_arg_uint(argv[2], 2, 30, &fwd))
		return -EINVAL;
	return stp_set_timers(sw_stp(c->sw), hello, max_age, fwd);
}

static int fstp_print(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	const struct stp *st = sw_stp(c->sw);
	struct stp_port_info pi;
	struct stp_info in;
	const struct port *p;
	char id[24];
	unsigned vid, bonus = 0;

	if (argc && cmd_arg_uint(argv[0], 0, VLAN_MAX, &vid))
		return -EINVAL;
	stp_info(st, &in);
	if (in.root_port && !stp_port_info(st, in.root_port, &pi))
		bonus = pi.bonus;
	mgmt_printf(ctx->out, "FST DATA VLAN 0000 %s%s\n",
		    in.root_port ? "" : "ROOTSWITCH",
		    in.on ? "" : " FSTP IS DISABLED");
	bpdu_format_id(in.root_id, id);
	mgmt_printf(ctx->out, " ++ root %s\n", id);
	bpdu_format_id(in.designated_id, id);
	mgmt_printf(ctx->out, " ++ designated %s\n", id);
	mgmt_printf(ctx->out, " ++ rootport %04u cost %u age %u bonusport "
		    "%04u bonuscost %u\n", in.root_port, in.root_cost,
		    in.root_age, bonus ? in.root_port : 0, bonus);
	mgmt_printf(ctx->out, " ++ times hello %u maxage %u fwddelay %u "
		    "topology_changes %llu\n", in.root_hello, in.root_max_age,
		    in.root_fwd_delay,
		    (unsigned long long)in.topology_changes);
	for (p = sw_port_next(c->sw, NULL); p; p = sw_port_next(c->sw, p)) {
		if (p->active_idx < 0 || stp_port_info(st, p->num, &pi))
			continue;
		mgmt_printf(ctx->out, " -- Port %04u tagged=0 portcost=%u "
			    "role=%s state=%s edge=%d version=%s\n", p->num,
			    pi.cost, pi.role, pi.state, pi.edge,
			    pi.rstp ? "rstp" : "stp");
	}
	return 0;
}

static const struct cmd fstp_cmds[] = {
	CMD_MENU("fstp", "FAST SPANNING TREE MENU"),
	{ .path = "fstp/showinfo", .syntax = "", .help = "show fstp info",
	  .fn = fstp_showinfo, .flags = CMD_DATA },
	{ .path = "fstp/setfstp", .syntax = "0/1",
	  .help = "Fast spanning tree protocol 1=ON 0=OFF (RSTP)",
	  .fn = fstp_setfstp, .min_args = 1, .max_args = 1 },
	{ .path = "fstp/setedge", .syntax = "[VLAN] PORT 1/0/auto",
	  .help = "Define an edge port 1=Y 0=N auto=until a BPDU",
	  .fn = fstp_setedge, .min_args = 2, .max_args = 3 },
	{ .path = "fstp/bonus", .syntax = "[VLAN] PORT COST",
	  .help = "set the port bonus (subtracted from its cost)",
	  .fn = fstp_bonus, .min_args = 2, .max_args = 3 },
	{ .path = "fstp/setcost", .syntax = "[VLAN] PORT COST",
	  .help = "set the port path cost (0=default 2000)",
	  .fn = fstp_setcost, .min_args = 2, .max_args = 3 },
	{ .path = "fstp/setpriority", .syntax = "N",
	  .help = "set the bridge priority (default 32768)",
	  .fn = fstp_setpriority, .min_args = 1, .max_args = 1 },
	{ .path = "fstp/settimers", .syntax = "HELLO MAXAGE FWDDELAY",
	  .help = "set the times used when this switch is root",
	  .fn = fstp_settimers, .min_args = 3, .max_args = 3 },
	{ .path = "fstp/print", .syntax = "[N]",
	  .help = "print fst data (one tree for every VLAN)",
	  .fn = fstp_print, .flags = CMD_DATA, .max_args = 1 },
};

/**
 * cmd_fstp_register() - register the fstp/ commands
 * @c:		the switch's commands
 *
 * Return: 0 or -errno
 */
int cmd_fstp_register(struct swcmd *c)
{
	return mgmt_register(c->m, fstp_cmds, CMD_COUNT(fstp_cmds),
			     CMD_ORDER_FSTP, c);
}
