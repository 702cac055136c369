/* SPDX-License-Identifier: GPL-2.0-or-later
 * cmd_hash.c - the hash/ commands: the MAC table, with vde_switch's output
 * formats (research/vde-transcripts/hash-*.txt), plus its bound. hash/find
 * prints the port the entry is on (vde_switch 2.3.2 prints port+1).
 */
#include <errno.h>
#include <string.h>

#include "loop.h"
#include "mactable.h"
#include "parse.h"
#include "swcmd.h"
#include "vlan.h"

static int hash_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	const struct mactable *mt = sw_mactable(c->sw);

	(void)argc;
	(void)argv;
	mgmt_printf(ctx->out, "Hash size %u\nGC interval %u secs\n"
		    "GC expire %u secs\nMin persistence %u secs\n",
		    mactable_get_hashsize(mt), sw_gcint(c->sw),
		    mactable_get_expire(mt), mactable_get_minpers(mt));
	mgmt_printf(ctx->out, "entries %u of at most %u, %llu evicted\n",
		    mactable_count(mt), mactable_get_maxentries(mt),
		    (unsigned long long)mactable_evictions(mt));
	return 0;
}

static int hash_seconds(struct cmd_ctx *ctx, char **argv,
			int (*set)(struct sw *sw, unsigned seconds))
{
	struct swcmd *c = ctx->arg;
	unsigned v;

	if (cmd_arg_uint(argv[0], 0, 86400 * 365, &v))
		return -EINVAL;
	return set(c->sw, v);
}

static int hash_setsize(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned v;

	(void)argc;
	if (cmd_arg_uint(argv[0], 1, 1U << 20, &v))
		return -EINVAL;
	return sw_hash_set_size(c->sw, v);
}

static int hash_setmax(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	unsigned v;

	(void)argc;
	if (cmd_arg_uint(argv[0], 1, 1U << 24, &v))
		return -EINVAL;
	return sw_hash_set_maxentries(c->sw, v);
}

static int hash_setgcint(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return hash_seconds(ctx, argv, sw_hash_set_gcint);
}

static int hash_setexpire(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return hash_seconds(ctx, argv, sw_hash_set_expire);
}

static int hash_setminper(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return hash_seconds(ctx, argv, sw_hash_set_minpers);
}

static void hash_line(struct mgmt_out *o, const struct mactable_entry_info *e)
{
	char mac[18];

	format_mac(e->mac, mac);
	mgmt_printf(o, "Hash: %04u Addr: %s VLAN %04u to port: %03u  age %lld "
		    "secs\n", e->bucket, mac, e->vlan, e->port,
		    (long long)(loop_clock() - e->last_seen));
}

static void hash_print_cb(const struct mactable_entry_info *e, void *arg)
{
	hash_line(arg, e);
}

static int hash_print(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;

	(void)argc;
	(void)argv;
	mactable_foreach(sw_mactable(c->sw), hash_print_cb, ctx->out);
	return 0;
}

static int hash_find(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct swcmd *c = ctx->arg;
	struct mactable_entry_info e;
	unsigned vid = 0;
	uint8_t mac[6];

	if (parse_mac(argv[0], mac) ||
	    (argc > 1 && cmd_arg_uint(argv[1], 0, VLAN_MAX, &vid)))
		return -EINVAL;
	if (mactable_find(sw_mactable(c->sw), mac, (uint16_t)vid, &e))
		return -ENODEV;
	hash_line(ctx->out, &e);
	return 0;
}

static const struct cmd hash_cmds[] = {
	CMD_MENU("hash", "HASH TABLE MENU"),
	{ .path = "hash/showinfo", .syntax = "", .help = "show hash info",
	  .fn = hash_showinfo, .flags = CMD_DATA },
	{ .path = "hash/setsize", .syntax = "N", .help = "change hash size",
	  .fn = hash_setsize, .min_args = 1, .max_args = 1 },
	{ .path = "hash/setgcint", .syntax = "N",
	  .help = "change garbage collector interval", .fn = hash_setgcint,
	  .min_args = 1, .max_args = 1 },
	{ .path = "hash/setexpire", .syntax = "N",
	  .help = "change hash entries expire time", .fn = hash_setexpire,
	  .min_args = 1, .max_args = 1 },
	{ .path = "hash/setminper", .syntax = "N",
	  .help = "minimum persistence time", .fn = hash_setminper,
	  .min_args = 1, .max_args = 1 },
	{ .path = "hash/print", .syntax = "", .help = "print the hash table",
	  .fn = hash_print, .flags = CMD_DATA },
	{ .path = "hash/find", .syntax = "MAC [VLAN]", .help = "MAC lookup",
	  .fn = hash_find, .flags = CMD_DATA, .min_args = 1, .max_args = 2 },
	{ .path = "hash/setmax", .syntax = "N",
	  .help = "most entries the table holds", .fn = hash_setmax,
	  .min_args = 1, .max_args = 1 },
};

/**
 * cmd_hash_register() - register the hash/ commands
 * @c:		the switch's commands
 *
 * Return: 0 or -errno
 */
int cmd_hash_register(struct swcmd *c)
{
	return mgmt_register(c->m, hash_cmds, CMD_COUNT(hash_cmds),
			     CMD_ORDER_HASH, c);
}
