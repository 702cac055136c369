/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_port.c - the port/ commands: vde_switch's, with its output formats
 * byte for byte (research/vde-transcripts/port-*.txt), plus trunk mode,
 * output queue bounds, and drop counters on lines of their own.
 *
 * Where vde_switch is fragile this is not: numbers are strict (port/print
 * abc is 1022, not port 0), setnumports N means ports 1..N like -n, and
 * configuring a port that does not exist yet creates it.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "log.h"
#include "mgmt.h"
#include "mirror.h"
#include "parse.h"
#include "port.h"
#include "stp.h"
#include "swcmd.h"
#include "vlan.h"

/**
 * swcmd_port_arg() - a port number argument, 0..nports
 * @c:		the switch's commands
 * @s:		the argument
 * @num:	the port
 *
 * Return: 0, or -EINVAL
 */
int swcmd_port_arg(const struct swcmd *c, const char *s, unsigned *num)
{
	return cmd_arg_uint(s, 0, sw_nports(c->sw), num);
}

/**
 * swcmd_flag_arg() - a 0/1 argument
 * @s:		the argument
 * @on:		its value
 *
 * Return: 0, or -EINVAL
 */
int swcmd_flag_arg(const char *s, bool *on)
{
	unsigned v;
	int rc = cmd_arg_uint(s, 0, 1, &v);

	if (!rc)
		*on = v;
	return rc;
}

/**
 * swcmd_user() - a user for output: name, number, or NONE
 * @uid:	the user
 * @buf:	room for it
 * @len:	size of @buf
 *
 * Return: @buf
 */
const char *swcmd_user(uid_t uid, char *buf, size_t len)
{
	return port_user_name(uid, buf, len);
}

/**
 * swcmd_group() - a group for output: name, number, or NONE
 * @gid:	the group
 * @buf:	room for it
 * @len:	size of @buf
 *
 * Return: @buf
 */
const char *swcmd_group(gid_t gid, char *buf, size_t len)
{
	struct group *gr;

	if (gid == PORT_GID_NONE) {
		snprintf(buf, len, "NONE");
		return buf;
	}
	gr = getgrgid(gid);
	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned)gid);
	return buf;
}

static int port_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned frames, bytes;

	(void)argc;
	(void)argv;
	sw_queue_bounds(c->sw, &frames, &bytes);
	mgmt_printf(ctx->out, "Numports=%u\nHUB=%s\ncounters=true\n",
		    sw_nports(c->sw), sw_is_hub(c->sw) ? "true" : "false");
	mgmt_printf(ctx->out, "queue frames=%u bytes=%u memory=%zu of %zu\n",
		    frames, bytes, sw_queue_memory(c->sw),
		    sw_queue_budget(c->sw));
	return 0;
}

static int port_setnumports(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned n;

	(void)argc;
	if (cmd_arg_uint(argv[0], 1, PORT_MAX, &n))
		return -EINVAL;
	return sw_set_nports(c->sw, n);
}

static int port_sethub(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	bool on;

	(void)argc;
	if (swcmd_flag_arg(argv[0], &on))
		return -EINVAL;
	return sw_set_hub(c->sw, on);
}

static int port_setvlan(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num, vid;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) ||
	    cmd_arg_uint(argv[1], 0, VLAN_MAX, &vid))
		return -EINVAL;
	return sw_port_set_vlan(c->sw, num, vid);
}

static int port_settrunk(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num;
	bool on;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) || swcmd_flag_arg(argv[1], &on))
		return -EINVAL;
	return sw_port_set_trunk(c->sw, num, on);
}

static int port_create(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num))
		return -EINVAL;
	return sw_port_create(c->sw, num);
}

static int port_createauto(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	int num;

	(void)argc;
	(void)argv;
	num = sw_port_create_auto(c->sw);
	if (num < 0)
		return num;
	mgmt_printf(ctx->out, "Port %04d\n", num);
	return 0;
}

static int port_remove(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num))
		return -EINVAL;
	return sw_port_remove(c->sw, num);
}

static int port_allocatable(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num;
	bool on;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) || swcmd_flag_arg(argv[1], &on))
		return -EINVAL;
	return sw_port_set_allocatable(c->sw, num, on);
}

/* A user or group argument: a name, a number, or NONE or ANY (no
 * restriction, as vde_switch takes both). */
static int port_id_arg(const char *s, bool group, unsigned *id)
{
	unsigned long v;

	if (!strcmp(s, "NONE") || !strcmp(s, "ANY")) {
		*id = (unsigned)-1;
		return 0;
	}
	if (group) {
		struct group *gr = getgrnam(s);

		if (gr) {
			*id = gr->gr_gid;
			return 0;
		}
	} else {
		struct passwd *pw = getpwnam(s);

		if (pw) {
			*id = pw->pw_uid;
			return 0;
		}
	}
	if (parse_ulong(s, 10, 0, 0x7ffffffe, &v))
		return -EINVAL;
	*id = (unsigned)v;
	return 0;
}

static int port_setuser(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num, uid;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) || port_id_arg(argv[1], false,
							      &uid))
		return -EINVAL;
	return sw_port_set_user(c->sw, num, (uid_t)uid);
}

static int port_setgroup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num, gid;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) || port_id_arg(argv[1], true,
							      &gid))
		return -EINVAL;
	return sw_port_set_group(c->sw, num, (gid_t)gid);
}

static int port_epclose(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num, id;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &num) ||
	    cmd_arg_uint(argv[1], 1, 0x7fffffff, &id))
		return -EINVAL;
	return sw_port_close_endpoint(c->sw, num, (int)id);
}

static int port_resetcounter(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num = SW_ALL_PORTS;

	if (argc && swcmd_port_arg(c, argv[0], &num))
		return -EINVAL;
	return sw_port_reset_counters(c->sw, num);
}

static int port_setqueue(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned frames, bytes;

	(void)argc;
	if (cmd_arg_uint(argv[0], 0, 1U << 20, &frames) ||
	    cmd_arg_uint(argv[1], 0, 1U << 30, &bytes))
		return -EINVAL;
	return sw_set_queue_bounds(c->sw, frames, bytes);
}

static int port_attach_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num = SW_ANY_PORT;
	char err[512];
	int rc;

	if (argc > 1 && swcmd_port_arg(c, argv[1], &num))
		return -EINVAL;
	rc = sw_attach_url(c->sw, argv[0], num, err, sizeof(err));
	if (rc) {
		log_warnx("port/attach %s: %s", argv[0], err);
		mgmt_printf(ctx->out, "%s\n", err);
	}
	return rc;
}

static int port_detach_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num;

	int rc;

	(void)argc;
	if (strstr(argv[0], "://")) {
		rc = sw_detach_url(c->sw, argv[0]);
		if (rc)
			mgmt_printf(ctx->out, "nothing attached as %s\n",
				    argv[0]);
		return rc;
	}
	if (swcmd_port_arg(c, argv[0], &num))
		return -EINVAL;
	rc = sw_port_detach(c->sw, num);
	if (rc == -EPERM)
		mgmt_printf(ctx->out, "port %u has VDE clients only: they "
			    "leave by themselves, or port/epclose %u ID\n",
			    num, num);
	else if (rc)
		mgmt_printf(ctx->out, "nothing attached to port %u\n", num);
	return rc;
}

/* The URLs attached to port @num, with their state. */
static void port_print_attachments(struct swcmd *c, struct mgmt_out *o,
				   unsigned num)
{
	struct sw_attachment *a = NULL;
	char state[192];
	unsigned i;

	while ((a = sw_attachment_next(c->sw, a)))
		if (a->port == num) {
			a->describe(a, state, sizeof(state));
			mgmt_printf(o, " URL: %s %s\n", a->url, state);
			for (i = 0; a->detail &&
				    a->detail(a, i, state, sizeof(state));
			     i++)
				mgmt_printf(o, "  %s\n", state);
		}
}

/* After the ports: the URLs whose peers get ports of their own, and those
 * pinned to a port that does not exist yet. */
static void port_print_other_attachments(struct swcmd *c, struct mgmt_out *o)
{
	struct sw_attachment *a = NULL;
	char state[192];

	while ((a = sw_attachment_next(c->sw, a))) {
		if (a->port != SW_ANY_PORT && sw_port(c->sw, a->port))
			continue;
		a->describe(a, state, sizeof(state));
		if (a->port == SW_ANY_PORT)
			mgmt_printf(o, "URL: %s %s\n", a->url, state);
		else
			mgmt_printf(o, "URL: %s %s (port %u)\n", a->url,
				    state, a->port);
	}
}

/* With spanning tree on: the port's role and state, its BPDUs. */
static void port_print_stp(struct swcmd *c, struct mgmt_out *o,
			   const struct port *p)
{
	const struct stp *st = sw_stp(c->sw);
	struct stp_port_info si;

	if (!stp_enabled(st) || stp_port_info(st, p->num, &si))
		return;
	mgmt_printf(o, " STP: role %s state %s edge %d cost %u bpdu_in %llu "
		    "bpdu_out %llu bpdu_bad %llu discarded %llu\n", si.role,
		    si.state, si.edge, si.cost,
		    (unsigned long long)si.bpdu_in,
		    (unsigned long long)si.bpdu_out,
		    (unsigned long long)si.bpdu_bad,
		    (unsigned long long)si.discarded);
}

/* Mirrors from the port, mirror copies given to it, its capture. */
static void port_print_taps(struct mgmt_out *o, const struct port *p)
{
	struct capture_info ci;
	unsigned i;

	for (i = 0; i < p->nmirrors; i++)
		mgmt_printf(o, " MIRROR: to %u dirs %s\n", p->mirrors[i].dst,
			    mirror_dirs_name(p->mirrors[i].dirs));
	if (p->mirror_srcs || p->c.mirror_pkts)
		mgmt_printf(o, " MIRROR-IN: pkts %llu bytes %llu\n",
			    (unsigned long long)p->c.mirror_pkts,
			    (unsigned long long)p->c.mirror_bytes);
	if (p->cap) {
		capture_info(p->cap, &ci);
		mgmt_printf(o, " CAPTURE: snaplen %u captured %llu dropped "
			    "%llu queued %zu file %s\n", ci.snaplen,
			    (unsigned long long)ci.captured,
			    (unsigned long long)ci.dropped, ci.queued, ci.name);
	}
}

/* A line of an endpoint's own state, under its endpoint line. */
static void port_print_line(void *arg, const char *text)
{
	mgmt_printf(arg, "     %s\n", text);
}

static void port_print_one(struct swcmd *c, struct mgmt_out *o,
			   const struct port *p)
{
	const struct vlan_table *vt = sw_vlans(c->sw);
	const struct port_counters *k = &p->c;
	const struct endpoint *ep;
	char u[64], au[64], ag[64];
	unsigned qframes = 0, offloads = 0;
	size_t qbytes = 0;

	mgmt_printf(o, "Port %04u untagged_vlan=%04u %sACTIVE - %sUnnamed "
		    "Allocatable\n", p->num, vlan_get_untagged(vt, p->num),
		    p->active_idx >= 0 ? "" : "IN",
		    p->allocatable ? "" : "NOT ");
	mgmt_printf(o, " Current User: %s Access Control: (User: %s - "
		    "Group: %s)\n", swcmd_user(p->user, u, sizeof(u)),
		    swcmd_user(p->acl_user, au, sizeof(au)),
		    swcmd_group(p->acl_group, ag, sizeof(ag)));
	mgmt_printf(o, " IN:  pkts %10llu          bytes %20llu\n",
		    (unsigned long long)k->in_pkts,
		    (unsigned long long)k->in_bytes);
	mgmt_printf(o, " OUT: pkts %10llu          bytes %20llu\n",
		    (unsigned long long)k->out_pkts,
		    (unsigned long long)k->out_bytes);
	/* patchbay's own lines: never the words scripts count */
	mgmt_printf(o, " DROP: short %llu long %llu vlan %llu reentry %llu "
		    "tagged_long %llu queue %llu send %llu\n",
		    (unsigned long long)k->drop_short,
		    (unsigned long long)k->drop_long,
		    (unsigned long long)k->drop_vlan,
		    (unsigned long long)k->drop_reentry,
		    (unsigned long long)k->drop_tagged_long,
		    (unsigned long long)k->drop_queue,
		    (unsigned long long)k->drop_send);
	for (ep = p->eps; ep; ep = ep->next) {
		qframes += ep->q.frames;
		qbytes += ep->q.bytes;
		offloads |= ep->offloads;
	}
	if (offloads || k->soft_gso || k->soft_csum || k->drop_offload)
		mgmt_printf(o, " OFFLOAD: segmented %llu segments %llu "
			    "csum_completed %llu bad %llu\n",
			    (unsigned long long)k->soft_gso,
			    (unsigned long long)k->soft_segs,
			    (unsigned long long)k->soft_csum,
			    (unsigned long long)k->drop_offload);
	mgmt_printf(o, " QUEUE: frames %u bytes %zu%s\n", qframes, qbytes,
		    vlan_is_trunk(vt, p->num) ? " trunk" : "");
	port_print_stp(c, o, p);
	port_print_taps(o, p);
	for (ep = p->eps; ep; ep = ep->next) {
		mgmt_printf(o, "  -- endpoint ID %04d module %-12s: %s\n",
			    ep->id, ep->ops->kind, ep->descr);
		if (ep->ops->print)
			ep->ops->print(ep, port_print_line, o);
	}
	port_print_attachments(c, o, p->num);
}

static bool port_has_attachment(struct swcmd *c, unsigned num)
{
	struct sw_attachment *a = NULL;

	while ((a = sw_attachment_next(c->sw, a)))
		if (a->port == num)
			return true;
	return false;
}

static int port_print_common(struct cmd_ctx *ctx, int argc, char **argv,
			     bool all)
{
	struct swcmd *c = ctx->arg;
	const struct port *p;
	unsigned num;

	if (argc) {
		if (swcmd_port_arg(c, argv[0], &num))
			return -EINVAL;
		p = sw_port(c->sw, num);
		if (!p || (!all && p->active_idx < 0 &&
			   !port_has_attachment(c, num)))
			return -ENXIO;
		port_print_one(c, ctx->out, p);
		return 0;
	}
	for (p = sw_port_next(c->sw, NULL); p; p = sw_port_next(c->sw, p))
		if (all || p->active_idx >= 0 ||
		    port_has_attachment(c, p->num))
			port_print_one(c, ctx->out, p);
	port_print_other_attachments(c, ctx->out);
	return 0;
}

static int port_print(struct cmd_ctx *ctx, int argc, char **argv)
{
	return port_print_common(ctx, argc, argv, false);
}

static int port_allprint(struct cmd_ctx *ctx, int argc, char **argv)
{
	return port_print_common(ctx, argc, argv, true);
}

static int port_mirror_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned src, dst, dirs = MIRROR_BOTH;
	char err[320];
	int rc;

	if (cmd_arg_uint(argv[0], 0, PORT_MAX, &src) ||
	    cmd_arg_uint(argv[1], 0, PORT_MAX, &dst)) {
		mgmt_printf(ctx->out, "usage: port/mirror SRC DST [rx|tx|both]"
			    "\n");
		return -EINVAL;
	}
	if (argc > 2) {
		if (!strcmp(argv[2], "rx"))
			dirs = MIRROR_RX;
		else if (!strcmp(argv[2], "tx"))
			dirs = MIRROR_TX;
		else if (strcmp(argv[2], "both")) {
			mgmt_printf(ctx->out, "bad direction \"%s\": rx, tx "
				    "or both\n", argv[2]);
			return -EINVAL;
		}
	}
	rc = sw_port_mirror(c->sw, src, dst, dirs, err, sizeof(err));
	if (rc)
		mgmt_printf(ctx->out, "%s\n", err);
	return rc;
}

static int port_unmirror_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned src, dst;
	int rc;

	(void)argc;
	if (swcmd_port_arg(c, argv[0], &src) ||
	    swcmd_port_arg(c, argv[1], &dst)) {
		mgmt_printf(ctx->out, "no such port (ports 0..%u)\n",
			    sw_nports(c->sw));
		return -EINVAL;
	}
	rc = sw_port_unmirror(c->sw, src, dst);
	if (rc == -ENOENT)
		mgmt_printf(ctx->out, "port %u is not mirrored to port %u\n",
			    src, dst);
	return rc;
}

/* The console connection becomes the capture's stream. */
static int port_capture_take(const struct mgmt_handover *h, int fd,
			     const void *pending, size_t len)
{
	struct swcmd *c = h->arg;
	char err[320], name[64];
	int rc;

	snprintf(name, sizeof(name), "console connection %d", fd);
	rc = sw_port_capture_fd(c->sw, h->u[0], fd, name, pending, len,
				h->u[1], err, sizeof(err));
	if (rc)
		log_warnx("port/capture %u -: %s", h->u[0], err);
	return rc;
}

static int port_capture_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned num, snaplen = CAPTURE_SNAPLEN_MAX;
	const struct port *p;
	char err[320];
	int rc;

	if (cmd_arg_uint(argv[0], 0, PORT_MAX, &num) ||
	    num > sw_nports(c->sw)) {
		mgmt_printf(ctx->out, "no port %s (ports 0..%u)\n", argv[0],
			    sw_nports(c->sw));
		return -EINVAL;
	}
	if (!strcmp(argv[1], "off")) {
		if (argc > 2)
			return -EINVAL;
		rc = sw_port_capture_off(c->sw, num);
		if (rc)
			mgmt_printf(ctx->out, "port %u is not captured\n", num);
		return rc;
	}
	if (argc > 2 && cmd_arg_uint(argv[2], CAPTURE_SNAPLEN_MIN,
				     CAPTURE_SNAPLEN_MAX, &snaplen)) {
		mgmt_printf(ctx->out, "bad snaplen \"%s\": %u..%u bytes\n",
			    argv[2], CAPTURE_SNAPLEN_MIN, CAPTURE_SNAPLEN_MAX);
		return -EINVAL;
	}
	if (!strcmp(argv[1], "-")) {
		struct mgmt_handover h = {
			.fn = port_capture_take,
			.arg = c,
			.u = { num, snaplen },
		};

		p = sw_port(c->sw, num);
		if (p && p->cap) {
			mgmt_printf(ctx->out, "port %u is already captured\n",
				    num);
			return -EBUSY;
		}
		/* not from an rc file or `load`: no connection to give */
		rc = ctx->depth ? -EOPNOTSUPP :
				  mgmt_session_handover(ctx->session, &h);
		if (rc)
			mgmt_printf(ctx->out, "port/capture N - streams on a "
				    "console socket connection only\n");
		return rc;
	}
	rc = sw_port_capture(c->sw, num, argv[1], snaplen, err, sizeof(err));
	if (rc) {
		log_warnx("port/capture %u: %s", num, err);
		mgmt_printf(ctx->out, "%s\n", err);
	}
	return rc;
}

static const struct cmd port_cmds[] = {
	CMD_MENU("port", "PORT STATUS MENU"),
	{ .path = "port/showinfo", .syntax = "", .help = "show port info",
	  .fn = port_showinfo, .flags = CMD_DATA },
	{ .path = "port/setnumports", .syntax = "N",
	  .help = "set the number of ports", .fn = port_setnumports,
	  .min_args = 1, .max_args = 1 },
	{ .path = "port/sethub", .syntax = "0/1", .help = "1=HUB 0=switch",
	  .fn = port_sethub, .min_args = 1, .max_args = 1 },
	{ .path = "port/setvlan", .syntax = "N VLAN",
	  .help = "set port VLAN (untagged)", .fn = port_setvlan,
	  .min_args = 2, .max_args = 2 },
	{ .path = "port/createauto", .syntax = "",
	  .help = "create a port with an automatically allocated id "
		  "(inactive|notallocatable)",
	  .fn = port_createauto, .flags = CMD_DATA },
	{ .path = "port/create", .syntax = "N",
	  .help = "create the port N (inactive|notallocatable)",
	  .fn = port_create, .min_args = 1, .max_args = 1 },
	{ .path = "port/remove", .syntax = "N", .help = "remove the port N",
	  .fn = port_remove, .min_args = 1, .max_args = 1 },
	{ .path = "port/allocatable", .syntax = "N 0/1",
	  .help = "Is the port allocatable as unnamed? 1=Y 0=N",
	  .fn = port_allocatable, .min_args = 2, .max_args = 2 },
	{ .path = "port/setuser", .syntax = "N user",
	  .help = "access control: set user", .fn = port_setuser,
	  .min_args = 2, .max_args = 2 },
	{ .path = "port/setgroup", .syntax = "N user",
	  .help = "access control: set group", .fn = port_setgroup,
	  .min_args = 2, .max_args = 2 },
	{ .path = "port/epclose", .syntax = "N ID",
	  .help = "remove the endpoint port N/id ID", .fn = port_epclose,
	  .min_args = 2, .max_args = 2 },
	{ .path = "port/resetcounter", .syntax = "[N]",
	  .help = "reset the port (N) counters", .fn = port_resetcounter,
	  .max_args = 1 },
	{ .path = "port/print", .syntax = "[N]",
	  .help = "print the port/endpoint table", .fn = port_print,
	  .flags = CMD_DATA, .max_args = 1 },
	{ .path = "port/allprint", .syntax = "[N]",
	  .help = "print the port/endpoint table (including inactive port)",
	  .fn = port_allprint, .flags = CMD_DATA, .max_args = 1 },
	{ .path = "port/attach", .syntax = "URL [N]",
	  .help = "attach a port: tap://, stream+listen://, "
		  "stream+connect://, dgram://, mcast://, slirp://, any vde_open "
		  "URL",
	  .fn = port_attach_cmd,
	  .min_args = 1, .max_args = 2 },
	{ .path = "port/detach", .syntax = "N|URL",
	  .help = "close port N's endpoints, or what URL attached",
	  .fn = port_detach_cmd,
	  .min_args = 1, .max_args = 1 },
	{ .path = "port/settrunk", .syntax = "N 0/1",
	  .help = "trunk: every tagged VLAN passes untouched 1=Y 0=N",
	  .fn = port_settrunk, .min_args = 2, .max_args = 2 },
	{ .path = "port/mirror", .syntax = "SRC DST [rx|tx|both]",
	  .help = "copy what port SRC receives (rx) and/or is sent (tx) to "
		  "port DST",
	  .fn = port_mirror_cmd, .min_args = 2, .max_args = 3 },
	{ .path = "port/unmirror", .syntax = "SRC DST",
	  .help = "stop copying port SRC's traffic to port DST",
	  .fn = port_unmirror_cmd, .min_args = 2, .max_args = 2 },
	{ .path = "port/capture", .syntax = "N FILE|-|off [SNAPLEN]",
	  .help = "write port N's traffic to a pcap FILE (-: this "
		  "connection), or stop",
	  .fn = port_capture_cmd, .min_args = 2, .max_args = 3 },
	{ .path = "port/setqueue", .syntax = "FRAMES BYTES",
	  .help = "output queue bound of new endpoints", .fn = port_setqueue,
	  .min_args = 2, .max_args = 2 },
};

/**
 * cmd_port_register() - register the port/ commands
 * @c:		the switch's commands
 *
 * Return: 0 or -errno
 */
int cmd_port_register(struct swcmd *c)
{
	return mgmt_register(c->m, port_cmds, CMD_COUNT(port_cmds),
			     CMD_ORDER_PORT, c);
}
