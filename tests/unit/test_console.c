/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_console.c - the management console against vde_switch's bytes:
 * banner, help layout (vde_switch's whole command table registered with
 * dummy handlers), reply framing and status lines, line buffering (many
 * commands per write, CRLF, over-long lines, NUL and garbage), logout and
 * shutdown, the output bound, debug events, rc files, the -M socket with
 * 64 clients, the stdin console, and Debian's unixcmd.
 *
 * Sessions run on a real struct loop; pump() runs one iteration of it
 * without blocking (an always-readable eventfd stops loop_run() after its
 * first batch). Expected bytes come from research/vde-transcripts/.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "loop.h"
#include "mgmt.h"

#define PROMPT "\nvde$ "

static struct loop *loop;
static struct mgmt *m;
static int kickfd = -1;
static struct loop_handler kick_h;
static int stops, stdin_ends;
static unsigned created;	/* port/create + vlan/create + port/setvlan */
static char tmpdir[64];

/* --- vde_switch's command table, dummy handlers ------------------------ */

static int t_dummy(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return 0;
}

static int t_count(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned v;
	int i;

	(void)ctx;
	for (i = 0; i < argc; i++)
		if (cmd_arg_uint(argv[i], 0, 4095, &v))
			return -EINVAL;
	created++;
	return 0;
}

static int t_vlan_create(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned vlan;

	(void)argc;
	(void)ctx;
	if (cmd_arg_uint(argv[0], 1, 4094, &vlan))
		return -EINVAL;
	if (vlan == 10)
		return -EEXIST;
	created++;
	return 0;
}

static int t_port_print(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned port;

	if (argc == 0) {
		mgmt_printf(ctx->out, "Port 0001 untagged_vlan=0000 ACTIVE\n");
		return 0;
	}
	if (cmd_arg_uint(argv[0], 1, 32, &port))
		return -EINVAL;
	if (port == 7)
		return -ENXIO;
	return mgmt_printf(ctx->out, "Port %04u\n", port);
}

static int t_showinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (strcmp(ctx->cmd->path, "port/showinfo") == 0)
		return mgmt_printf(ctx->out,
				   "Numports=32\nHUB=false\ncounters=true\n");
	return mgmt_printf(ctx->out, "Hash size 128\nGC interval 2 secs\n"
				     "GC expire 100 secs\n"
				     "Min persistence 3 secs\n");
}

/* test/echo N: body "N", no newline; test/big: a body over any bound */
static int t_echo(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return mgmt_printf(ctx->out, "%s", argv[0]);
}

static int t_big(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i;

	(void)argc;
	(void)argv;
	for (i = 0; i < 100000; i++)
		if (mgmt_printf(ctx->out, "line %d of a big table\n", i))
			break;
	return 0;
}

static int t_arg(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i;

	mgmt_printf(ctx->out, "arg=%p argc=%d", ctx->arg, argc);
	for (i = 0; i < argc; i++)
		mgmt_printf(ctx->out, " [%s]", argv[i]);
	return 0;
}

static int t_event(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mgmt_event(ctx->m, 021, "Port %02d", 3);
	return mgmt_printf(ctx->out, "after the event\n");
}

/* test/handover: the connection goes to ho_take() after the reply */
static int ho_fd = -1;
static char ho_pending[256];
static size_t ho_len;

static int ho_take(const struct mgmt_handover *h, int fd,
		   const void *pending, size_t len)
{
	cr_assert_eq(h->u[0], 7);
	cr_assert(len < sizeof(ho_pending));
	memcpy(ho_pending, pending, len);
	ho_len = len;
	ho_fd = fd;
	return 0;
}

static int t_handover(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgmt_handover h = { .fn = ho_take, .u = { 7, 0 } };

	(void)argc;
	(void)argv;
	return mgmt_session_handover(ctx->session, &h);
}

static const struct cmd test_cmds[] = {
	{ .path = "test/echo", .fn = t_echo, .min_args = 1, .max_args = 1 },
	{ .path = "test/big", .fn = t_big, .flags = CMD_DATA },
	{ .path = "test/args", .fn = t_arg, .max_args = CMD_ARGS_ANY },
	{ .path = "test/rest", .fn = t_arg, .flags = CMD_REST,
	  .max_args = 1 },
	{ .path = "test/event", .fn = t_event },
	{ .path = "test/handover", .fn = t_handover },
};

/* debug categories as vde_switch declares them (debug-list.txt) */
static const struct mgmt_event_cat hash_events[] = {
	{ "hash/+", 011, "hash: new element" },
	{ "hash/-", 012, "hash: discarded element" },
};
static const struct mgmt_event_cat fstp_events[] = {
	{ "fstp/status", 044, "fstp: status change" },
	{ "fstp/root", 045, "fstp: rootswitch/port change" },
	{ "fstp/+", 041, "fstp: port becomes active" },
	{ "fstp/-", 042, "fstp: port becomes inactive" },
};
static const struct mgmt_event_cat port_events[] = {
	{ "port/+", 021, "new port" },
	{ "port/-", 022, "closed port" },
	{ "port/descr", 023, "set port description" },
	{ "port/ep/+", 031, "new endpoint" },
	{ "port/ep/-", 032, "closed endpoint" },
};

static const struct cmd vde_ds_cmds[] = {
	CMD_MENU("ds", "DATA SOCKET MENU"),
	{ "ds/showinfo", "",
	  "show ds info",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct cmd vde_plugin_cmds[] = {
	CMD_MENU("plugin", "PLUGINS MENU"),
	{ "plugin/list", "",
	  "list plugins",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "plugin/add", "library",
	  "load a plugin",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "plugin/del", "name",
	  "unload a plugin",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct cmd vde_hash_cmds[] = {
	CMD_MENU("hash", "HASH TABLE MENU"),
	{ "hash/showinfo", "",
	  "show hash info",
	  t_showinfo, CMD_DATA, 0, 0 },
	{ "hash/setsize", "N",
	  "change hash size",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "hash/setgcint", "N",
	  "change garbage collector interval",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "hash/setexpire", "N",
	  "change hash entries expire time",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "hash/setminper", "N",
	  "minimum persistence time",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "hash/print", "",
	  "print the hash table",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "hash/find", "MAC [VLAN]",
	  "MAC lookup",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct cmd vde_fstp_cmds[] = {
	CMD_MENU("fstp", "FAST SPANNING TREE MENU"),
	{ "fstp/showinfo", "",
	  "show fstp info",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "fstp/setfstp", "0/1",
	  "Fast spanning tree protocol 1=ON 0=OFF",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "fstp/setedge", "VLAN PORT 1/0",
	  "Define an edge port for a vlan 1=Y 0=N",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "fstp/bonus", "VLAN PORT COST",
	  "set the port bonus for a vlan",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "fstp/print", "[N]",
	  "print fst data for the defined vlan",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct cmd vde_port_cmds[] = {
	CMD_MENU("port", "PORT STATUS MENU"),
	{ "port/showinfo", "",
	  "show port info",
	  t_showinfo, CMD_DATA, 0, 0 },
	{ "port/setnumports", "N",
	  "set the number of ports",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/sethub", "0/1",
	  "1=HUB 0=switch",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/setvlan", "N VLAN",
	  "set port VLAN (untagged)",
	  t_count, 0, 2, 2 },
	{ "port/createauto", "",
	  "create a port with an automatically allocated id (inactive|notallocatable)",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/create", "N",
	  "create the port N (inactive|notallocatable)",
	  t_count, 0, 1, 1 },
	{ "port/remove", "N",
	  "remove the port N",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/allocatable", "N 0/1",
	  "Is the port allocatable as unnamed? 1=Y 0=N",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/setuser", "N user",
	  "access control: set user",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/setgroup", "N user",
	  "access control: set group",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/epclose", "N ID",
	  "remove the endpoint port N/id ID",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/resetcounter", "[N]",
	  "reset the port (N) counters",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "port/print", "[N]",
	  "print the port/endpoint table",
	  t_port_print, CMD_DATA, 0, 1 },
	{ "port/allprint", "[N]",
	  "print the port/endpoint table (including inactive port)",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct cmd vde_vlan_cmds[] = {
	CMD_MENU("vlan", "VLAN MANAGEMENT MENU"),
	{ "vlan/create", "N",
	  "create the VLAN with tag N",
	  t_vlan_create, 0, 1, 1 },
	{ "vlan/remove", "N",
	  "remove the VLAN with tag N",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "vlan/addport", "N PORT",
	  "add port to the vlan N (tagged)",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "vlan/delport", "N PORT",
	  "add port to the vlan N (tagged)",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "vlan/print", "[N]",
	  "print the list of defined vlan",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
	{ "vlan/allprint", "[N]",
	  "print the list of defined vlan (including inactive port)",
	  t_dummy, 0, 0, CMD_ARGS_ANY },
};

static const struct {
	const struct cmd *cmds;
	size_t n;
	int order;
} vde_tables[] = {
	{ vde_ds_cmds, CMD_COUNT(vde_ds_cmds), CMD_ORDER_DS },
	{ vde_plugin_cmds, CMD_COUNT(vde_plugin_cmds), CMD_ORDER_PLUGIN },
	{ vde_hash_cmds, CMD_COUNT(vde_hash_cmds), CMD_ORDER_HASH },
	{ vde_fstp_cmds, CMD_COUNT(vde_fstp_cmds), CMD_ORDER_FSTP },
	{ vde_port_cmds, CMD_COUNT(vde_port_cmds), CMD_ORDER_PORT },
	{ vde_vlan_cmds, CMD_COUNT(vde_vlan_cmds), CMD_ORDER_VLAN },
};

static const char help_txt[] =
	"0000 DATA END WITH '.'\n"
	"COMMAND PATH       SYNTAX          HELP\n"
	"------------       --------------  ------------\n"
	"ds                 ============    DATA SOCKET MENU\n"
	"ds/showinfo                        show ds info\n"
	"help               [arg]           Help (limited to arg when specified)\n"
	"logout                             logout from this mgmt terminal\n"
	"shutdown                           shutdown of the switch\n"
	"showinfo                           show switch version and info\n"
	"load               path            load a configuration script\n"
	"debug              ============    DEBUG MENU\n"
	"debug/list                         list debug categories\n"
	"debug/add          dbgpath         enable debug info for a given category\n"
	"debug/del          dbgpath         disable debug info for a given category\n"
	"plugin             ============    PLUGINS MENU\n"
	"plugin/list                        list plugins\n"
	"plugin/add         library         load a plugin\n"
	"plugin/del         name            unload a plugin\n"
	"hash               ============    HASH TABLE MENU\n"
	"hash/showinfo                      show hash info\n"
	"hash/setsize       N               change hash size\n"
	"hash/setgcint      N               change garbage collector interval\n"
	"hash/setexpire     N               change hash entries expire time\n"
	"hash/setminper     N               minimum persistence time\n"
	"hash/print                         print the hash table\n"
	"hash/find          MAC [VLAN]      MAC lookup\n"
	"fstp               ============    FAST SPANNING TREE MENU\n"
	"fstp/showinfo                      show fstp info\n"
	"fstp/setfstp       0/1             Fast spanning tree protocol 1=ON 0=OFF\n"
	"fstp/setedge       VLAN PORT 1/0   Define an edge port for a vlan 1=Y 0=N\n"
	"fstp/bonus         VLAN PORT COST  set the port bonus for a vlan\n"
	"fstp/print         [N]             print fst data for the defined vlan\n"
	"port               ============    PORT STATUS MENU\n"
	"port/showinfo                      show port info\n"
	"port/setnumports   N               set the number of ports\n"
	"port/sethub        0/1             1=HUB 0=switch\n"
	"port/setvlan       N VLAN          set port VLAN (untagged)\n"
	"port/createauto                    create a port with an automatically allocated id (inactive|notallocatable)\n"
	"port/create        N               create the port N (inactive|notallocatable)\n"
	"port/remove        N               remove the port N\n"
	"port/allocatable   N 0/1           Is the port allocatable as unnamed? 1=Y 0=N\n"
	"port/setuser       N user          access control: set user\n"
	"port/setgroup      N user          access control: set group\n"
	"port/epclose       N ID            remove the endpoint port N/id ID\n"
	"port/resetcounter  [N]             reset the port (N) counters\n"
	"port/print         [N]             print the port/endpoint table\n"
	"port/allprint      [N]             print the port/endpoint table (including inactive port)\n"
	"vlan               ============    VLAN MANAGEMENT MENU\n"
	"vlan/create        N               create the VLAN with tag N\n"
	"vlan/remove        N               remove the VLAN with tag N\n"
	"vlan/addport       N PORT          add port to the vlan N (tagged)\n"
	"vlan/delport       N PORT          add port to the vlan N (tagged)\n"
	"vlan/print         [N]             print the list of defined vlan\n"
	"vlan/allprint      [N]             print the list of defined vlan (including inactive port)\n"
	".\n"
	"1000 Success\n"
	"\n"
	"vde$ "
	;

static const char help_port_txt[] =
	"0000 DATA END WITH '.'\n"
	"COMMAND PATH       SYNTAX          HELP\n"
	"------------       --------------  ------------\n"
	"port               ============    PORT STATUS MENU\n"
	"port/showinfo                      show port info\n"
	"port/setnumports   N               set the number of ports\n"
	"port/sethub        0/1             1=HUB 0=switch\n"
	"port/setvlan       N VLAN          set port VLAN (untagged)\n"
	"port/createauto                    create a port with an automatically allocated id (inactive|notallocatable)\n"
	"port/create        N               create the port N (inactive|notallocatable)\n"
	"port/remove        N               remove the port N\n"
	"port/allocatable   N 0/1           Is the port allocatable as unnamed? 1=Y 0=N\n"
	"port/setuser       N user          access control: set user\n"
	"port/setgroup      N user          access control: set group\n"
	"port/epclose       N ID            remove the endpoint port N/id ID\n"
	"port/resetcounter  [N]             reset the port (N) counters\n"
	"port/print         [N]             print the port/endpoint table\n"
	"port/allprint      [N]             print the port/endpoint table (including inactive port)\n"
	".\n"
	"1000 Success\n"
	"\n"
	"vde$ "
	;

static const char debug_list_txt[] =
	"0000 DATA END WITH '.'\n"
	"CATEGORY               TAG STATUS HELP\n"
	"------------           --- ------ ----\n"
	"hash/+                 011 OFF    hash: new element\n"
	"hash/-                 012 OFF    hash: discarded element\n"
	"fstp/status            044 OFF    fstp: status change\n"
	"fstp/root              045 OFF    fstp: rootswitch/port change\n"
	"fstp/+                 041 OFF    fstp: port becomes active\n"
	"fstp/-                 042 OFF    fstp: port becomes inactive\n"
	"port/+                 021 OFF    new port\n"
	"port/-                 022 OFF    closed port\n"
	"port/descr             023 OFF    set port description\n"
	"port/ep/+              031 OFF    new endpoint\n"
	"port/ep/-              032 OFF    closed endpoint\n"
	".\n"
	"1000 Success\n"
	"\n"
	"vde$ "
	;

static const char err_range_txt[] =
	"0000 DATA END WITH '.'\n"
	".\n"
	"1022 Invalid argument\n"
	"\n"
	"vde$ "
	;

static const char err_inactive_txt[] =
	"0000 DATA END WITH '.'\n"
	".\n"
	"1006 No such device or address\n"
	"\n"
	"vde$ "
	;

static const char err_unknown_txt[] =
	"1038 Function not implemented\n"
	"\n"
	"vde$ "
	;

static const char two_cmds_txt[] =
	"0000 DATA END WITH '.'\n"
	"Numports=32\n"
	"HUB=false\n"
	"counters=true\n"
	".\n"
	"1000 Success\n"
	"\n"
	"vde$ "
	;

static const char empty_txt[] =
	"\n"
	"vde$ "
	;

static const char debug_add_txt[] =
	"1000 Success\n"
	"\n"
	"vde$ "
	;

static const char async_connect_txt[] =
	"3031 port/ep/+ Port 02 FD  8\n"
	;

static const char async_disconnect_txt[] =
	"3032 port/ep/- Port 02 FD  8\n"
	;

/* --- harness ------------------------------------------------------------ */

static void kick_cb(struct loop_handler *h, uint32_t events)
{
	(void)h;
	(void)events;
	loop_stop(loop, 0);
}

/* One iteration of the loop, without waiting. */
static void pump(void)
{
	loop_run(loop);
}

static void on_stop(void *arg)
{
	(void)arg;
	stops++;
}

static void on_stdin_end(void *arg)
{
	(void)arg;
	stdin_ends++;
}

static void on_showinfo(void *arg, struct mgmt_out *out)
{
	(void)arg;
	mgmt_printf(out, "pid 1 MAC 00:ff:00:00:00:01 uptime 0\n");
}

static void start(size_t out_max)
{
	struct mgmt_config cfg = {
		.stop = on_stop,
		.stdin_end = on_stdin_end,
		.showinfo = on_showinfo,
		.out_max = out_max,
	};
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	stops = stdin_ends = 0;
	created = 0;
	loop = loop_create();
	cr_assert(loop);
	kickfd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	cr_assert(kickfd >= 0);
	kick_h.cb = kick_cb;
	cr_assert_eq(loop_add(loop, kickfd, EPOLLIN, &kick_h), 0);
	m = mgmt_create(loop, &cfg);
	cr_assert(m);
	for (i = 0; i < CMD_COUNT(vde_tables); i++)
		cr_assert_eq(mgmt_register(m, vde_tables[i].cmds,
					   vde_tables[i].n,
					   vde_tables[i].order, NULL),
			     0);
	cr_assert_eq(mgmt_register(m, test_cmds, CMD_COUNT(test_cmds),
				   CMD_ORDER_OTHER, &created),
		     0);
	cr_assert_eq(mgmt_event_register(m, hash_events,
					 CMD_COUNT(hash_events)), 0);
	cr_assert_eq(mgmt_event_register(m, fstp_events,
					 CMD_COUNT(fstp_events)), 0);
	cr_assert_eq(mgmt_event_register(m, port_events,
					 CMD_COUNT(port_events)), 0);
}

static void setup(void)
{
	start(0);
}

static void rm_tmpdir(void)
{
	char cmd[128];

	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		cr_log_warn("could not remove %s", tmpdir);
	tmpdir[0] = '\0';
}

static void teardown(void)
{
	mgmt_destroy(m);
	m = NULL;
	if (loop) {
		loop_del(loop, kickfd);
		close(kickfd);
		loop_destroy(loop);
		loop = NULL;
	}
	rm_tmpdir();
	leak_check();
}

static const char *mktmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pb-console-XXXXXX");
	cr_assert(mkdtemp(tmpdir));
	return tmpdir;
}

/* A client on a socketpair; the console owns the other end. */
static int client(void)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		     0);
	cr_assert_eq(mgmt_attach(m, sv[0]), 0);
	cr_assert_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	return sv[1];
}

struct buf {
	char *p;
	size_t len, cap;
	bool eof;
};

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static unsigned count(const struct buf *b, const char *what)
{
	size_t wl = strlen(what), i;
	unsigned n = 0;

	for (i = 0; i + wl <= b->len; i++)
		if (memcmp(b->p + i, what, wl) == 0)
			n++;
	return n;
}

/* Read what is there without waiting. */
static void drain(int fd, struct buf *b)
{
	for (;;) {
		ssize_t n;

		if (b->cap - b->len < 65536) {
			b->cap = b->cap ? b->cap * 2 : 131072;
			b->p = realloc(b->p, b->cap + 1);
			cr_assert(b->p);
		}
		n = read(fd, b->p + b->len, b->cap - b->len);
		if (n > 0) {
			b->len += (size_t)n;
			b->p[b->len] = '\0';
			continue;
		}
		if (n == 0)
			b->eof = true;
		else
			cr_assert_eq(errno, EAGAIN, "read: %s",
				     strerror(errno));
		return;
	}
}

/* Pump and read until @n prompts (or @what @n times) arrived, or EOF. */
static void wait_for(int fd, struct buf *b, const char *what, unsigned n)
{
	int i;

	for (i = 0; i < 200000; i++) {
		drain(fd, b);
		if (count(b, what) >= n || b->eof)
			return;
		pump();
	}
	cr_assert_fail("never got %u x '%s'", n, what);
}

static void send_str(int fd, const char *s, size_t len)
{
	cr_assert_eq(write(fd, s, len), (ssize_t)len);
}

#define SEND(fd, lit) send_str((fd), (lit), sizeof(lit) - 1)

/* Connect a client, skip the banner, send @cmd, return the reply bytes
 * up to and including the next prompt. */
static void roundtrip(int fd, const char *cmd, size_t cmdlen, struct buf *b)
{
	b->len = 0;
	send_str(fd, cmd, cmdlen);
	wait_for(fd, b, PROMPT, 1);
}

/* help.txt has vde_switch's commands only */
static void no_test_cmds(void)
{
	cr_assert_eq(cmd_unregister(mgmt_registry(m), test_cmds), 0);
}

static int greeted_client(void)
{
	struct buf b = { 0 };
	int fd = client();

	wait_for(fd, &b, PROMPT, 1);
	buf_free(&b);
	return fd;
}

#define cr_assert_bytes(b, lit)                                                \
	do {                                                                   \
		cr_assert_eq((b)->len, sizeof(lit) - 1,                        \
			     "got %zu bytes:\n%s\nexpected:\n%s", (b)->len,    \
			     (b)->p ? (b)->p : "", (lit));                     \
		cr_assert_eq(memcmp((b)->p, (lit), sizeof(lit) - 1), 0,        \
			     "got:\n%s\nexpected:\n%s", (b)->p, (lit));        \
	} while (0)

TestSuite(console, .init = setup, .fini = teardown, .timeout = 30);

/* --- banner, help, framing ----------------------------------------------- */

Test(console, banner_shape)
{
	char expect[256];
	struct buf b = { 0 };
	int fd = client();

	wait_for(fd, &b, PROMPT, 1);
	snprintf(expect, sizeof(expect),
		 "patchbay V.%s\n(C) the patchbay authors - "
		 "GPL-2.0-or-later\n\nvde$ ",
		 PACKAGE_VERSION);
	cr_assert_str_eq(b.p, expect);
	/* vde_switch's shape: two lines, an empty one, the prompt */
	cr_assert_eq(count(&b, "\n"), 3);
	cr_assert_eq(strncmp(b.p, "patchbay V.", 11), 0);
	cr_assert_eq(mgmt_sessions(m), 1);
	buf_free(&b);
	close(fd);
	pump();
	cr_assert_eq(mgmt_sessions(m), 0);
}

Test(console, help_matches_vde_switch)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	no_test_cmds();
	roundtrip(fd, "help\n", 5, &b);
	cr_assert_bytes(&b, help_txt);
	roundtrip(fd, "help port\n", 10, &b);
	cr_assert_bytes(&b, help_port_txt);
	/* a filter matching nothing: the two header lines */
	roundtrip(fd, "help xyz\n", 9, &b);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\n"
			    "COMMAND PATH       SYNTAX          HELP\n"
			    "------------       --------------  ------------\n"
			    ".\n1000 Success\n" PROMPT);
	buf_free(&b);
	close(fd);
}

Test(console, unknown_command_and_no_prefix_match)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	roundtrip(fd, "foo/bar\n", 8, &b);
	cr_assert_bytes(&b, err_unknown_txt);
	/* vde_switch runs showinfo for this; patchbay does not */
	roundtrip(fd, "showinfoXYZ\n", 12, &b);
	cr_assert_bytes(&b, err_unknown_txt);
	/* a menu line is not a command */
	roundtrip(fd, "port\n", 5, &b);
	cr_assert_bytes(&b, err_unknown_txt);
	roundtrip(fd, "hel\n", 4, &b);
	cr_assert_bytes(&b, err_unknown_txt);
	buf_free(&b);
	close(fd);
}

Test(console, data_wrapper_and_status_lines)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	roundtrip(fd, "port/print 99\n", 14, &b);
	cr_assert_bytes(&b, err_range_txt);
	roundtrip(fd, "port/print 7\n", 13, &b);
	cr_assert_bytes(&b, err_inactive_txt);
	/* strict numbers: atoi would have made these port 0 or 5 */
	roundtrip(fd, "port/print abc\n", 15, &b);
	cr_assert_bytes(&b, err_range_txt);
	roundtrip(fd, "port/print 5x\n", 14, &b);
	cr_assert_bytes(&b, err_range_txt);
	roundtrip(fd, "port/print -1\n", 14, &b);
	cr_assert_bytes(&b, err_range_txt);
	/* arity: too many arguments */
	roundtrip(fd, "port/print 1 2\n", 15, &b);
	cr_assert_bytes(&b, err_range_txt);
	roundtrip(fd, "port/print 5\n", 13, &b);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\nPort 0005\n.\n"
			    "1000 Success\n" PROMPT);
	/* no output, no CMD_DATA: status only */
	roundtrip(fd, "vlan/create 10\n", 15, &b);
	cr_assert_bytes(&b, "1017 File exists\n" PROMPT);
	roundtrip(fd, "vlan/create 4095\n", 17, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "vlan/create\n", 12, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "vlan/create 20\n", 15, &b);
	cr_assert_bytes(&b, "1000 Success\n" PROMPT);
	/* output without a final newline gets one before the dot */
	roundtrip(fd, "test/echo hello\n", 16, &b);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\nhello\n.\n"
			    "1000 Success\n" PROMPT);
	/* a body past the bound: refused whole, not truncated */
	roundtrip(fd, "test/big\n", 9, &b);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\n.\n"
			    "1090 Message too long\n" PROMPT);
	buf_free(&b);
	close(fd);
}

Test(console, showinfo)
{
	char expect[512];
	struct buf b = { 0 };
	int fd = greeted_client();

	roundtrip(fd, "showinfo\n", 9, &b);
	snprintf(expect, sizeof(expect),
		 "0000 DATA END WITH '.'\npatchbay V.%s\n"
		 "(C) the patchbay authors - GPL-2.0-or-later\n\n"
		 "pid 1 MAC 00:ff:00:00:00:01 uptime 0\n.\n"
		 "1000 Success\n" PROMPT,
		 PACKAGE_VERSION);
	cr_assert_str_eq(b.p, expect);
	buf_free(&b);
	close(fd);
}

Test(console, empty_line_and_comment)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	roundtrip(fd, "\n", 1, &b);
	cr_assert_bytes(&b, empty_txt);
	roundtrip(fd, "# a comment\n", 12, &b);
	cr_assert_bytes(&b, empty_txt);
	roundtrip(fd, " \t \n", 4, &b);
	cr_assert_bytes(&b, empty_txt);
	roundtrip(fd, "   # indented comment\r\n", 23, &b);
	cr_assert_bytes(&b, empty_txt);
	buf_free(&b);
	close(fd);
}

Test(console, args_split_and_rest)
{
	char expect[256];
	struct buf b = { 0 };
	int fd = greeted_client();

	roundtrip(fd, "test/args  a\tbb   ccc \n", 23, &b);
	snprintf(expect, sizeof(expect),
		 "0000 DATA END WITH '.'\narg=%p argc=3 [a] [bb] [ccc]\n.\n"
		 "1000 Success\n" PROMPT,
		 (void *)&created);
	cr_assert_str_eq(b.p, expect);
	roundtrip(fd, "test/rest   two  words \t\n", 25, &b);
	snprintf(expect, sizeof(expect),
		 "0000 DATA END WITH '.'\narg=%p argc=1 [two  words]\n.\n"
		 "1000 Success\n" PROMPT,
		 (void *)&created);
	cr_assert_str_eq(b.p, expect);
	buf_free(&b);
	close(fd);
}

/* --- line buffering ------------------------------------------------------ */

Test(console, two_commands_in_one_write)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	SEND(fd, "port/showinfo\nhash/showinfo\n");
	wait_for(fd, &b, PROMPT, 2);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\n"
			    "Numports=32\nHUB=false\ncounters=true\n"
			    ".\n1000 Success\n" PROMPT
			    "0000 DATA END WITH '.'\n"
			    "Hash size 128\nGC interval 2 secs\n"
			    "GC expire 100 secs\nMin persistence 3 secs\n"
			    ".\n1000 Success\n" PROMPT);
	/* the first one is vde_switch's transcript exactly */
	cr_assert_eq(memcmp(b.p, two_cmds_txt, sizeof(two_cmds_txt) - 1), 0);
	buf_free(&b);
	close(fd);
}

Test(console, crlf_and_leading_blanks)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	no_test_cmds();
	roundtrip(fd, " \thelp port\r\n", 13, &b);
	cr_assert_bytes(&b, help_port_txt);
	buf_free(&b);
	close(fd);
}

Test(console, thousand_commands_in_one_write)
{
	size_t len = 0, cap = 1000 * 20;
	char *cmds = malloc(cap);
	struct buf b = { 0 };
	char *p, want[32];
	int fd = greeted_client(), i;

	cr_assert(cmds);
	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(cmds + len, cap - len,
					"test/echo %d\n", i);
	send_str(fd, cmds, len);
	wait_for(fd, &b, PROMPT, 1000);
	cr_assert_eq(count(&b, PROMPT), 1000);
	cr_assert_eq(count(&b, "1000 Success\n"), 1000);
	/* in order */
	p = b.p;
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "\n%d\n.\n", i);
		p = strstr(p, want);
		cr_assert(p, "reply %d missing or out of order", i);
	}
	free(cmds);
	buf_free(&b);
	close(fd);
}

Test(console, overlong_line_rejected_not_split)
{
	size_t big = MGMT_LINE_MAX + 100;
	char *line = malloc(big + 64);
	struct buf b = { 0 };
	int fd = greeted_client();

	cr_assert(line);
	/* a line just too long, in one write, followed by a good one */
	memcpy(line, "help ", 5);
	memset(line + 5, 'x', big - 5);
	memcpy(line + big, "\nvlan/create 20\n", 16);
	send_str(fd, line, big + 16);
	wait_for(fd, &b, PROMPT, 2);
	cr_assert_bytes(&b, "1007 Argument list too long\n" PROMPT
			    "1000 Success\n" PROMPT);
	cr_assert_eq(created, 1);

	/* 20000 bytes without a newline, in pieces: one error, skipped to
	 * the newline, nothing of it run */
	b.len = 0;
	memset(line, 'y', 1000);
	for (int i = 0; i < 20; i++) {
		send_str(fd, line, 1000);
		pump();
	}
	SEND(fd, "vlan/create 5\nvlan/create 21\n");
	wait_for(fd, &b, PROMPT, 2);
	cr_assert_bytes(&b, "1007 Argument list too long\n" PROMPT
			    "1000 Success\n" PROMPT);
	cr_assert_eq(created, 2);

	/* exactly MGMT_LINE_MAX bytes is accepted */
	no_test_cmds();
	b.len = 0;
	memcpy(line, "help", 4);
	memset(line + 4, ' ', MGMT_LINE_MAX - 4);
	line[MGMT_LINE_MAX] = '\n';
	send_str(fd, line, MGMT_LINE_MAX + 1);
	wait_for(fd, &b, PROMPT, 1);
	cr_assert_bytes(&b, help_txt);
	free(line);
	buf_free(&b);
	close(fd);
}

Test(console, nul_and_garbage)
{
	struct buf b = { 0 };
	unsigned char junk[65536];
	unsigned seed = 12345;
	size_t i, off;
	int fd = greeted_client();

	roundtrip(fd, "he\0lp\n", 6, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "help\0\n", 6, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "\x1b[A\n", 4, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);

	for (i = 0; i < sizeof(junk); i++) {
		seed = seed * 1103515245 + 12345;
		junk[i] = (unsigned char)(seed >> 16);
	}
	b.len = 0;
	for (off = 0; off < sizeof(junk); off += 4096) {
		send_str(fd, (char *)junk + off, 4096);
		pump();
		drain(fd, &b);
	}
	/* still serving, in order, after the garbage */
	SEND(fd, "\ntest/echo survived\n");
	wait_for(fd, &b, "survived\n.\n1000 Success\n" PROMPT, 1);
	cr_assert_eq(mgmt_sessions(m), 1);
	buf_free(&b);
	close(fd);
}

Test(console, final_line_without_newline_at_eof)
{
	struct buf b = { 0 };
	int fd = greeted_client();

	SEND(fd, "vlan/create 20\nvlan/create 21");
	shutdown(fd, SHUT_WR);
	wait_for(fd, &b, "\n\n\n\n\n", 1);	/* until EOF */
	cr_assert(b.eof);
	cr_assert_bytes(&b, "1000 Success\n" PROMPT "1000 Success\n" PROMPT);
	cr_assert_eq(created, 2);
	cr_assert_eq(mgmt_sessions(m), 0);
	buf_free(&b);
	close(fd);
}

/* --- ending sessions ----------------------------------------------------- */

Test(console, logout)
{
	struct buf b = { 0 };
	int fd = greeted_client(), other = greeted_client();

	cr_assert_eq(mgmt_sessions(m), 2);
	/* what follows logout in the same write is not run */
	SEND(fd, "logout\nvlan/create 20\n");
	wait_for(fd, &b, "\n\n\n\n\n", 1);	/* until EOF */
	cr_assert(b.eof);
	cr_assert_bytes(&b, "9999 END OF SESSION");
	cr_assert_eq(created, 0);
	cr_assert_eq(mgmt_sessions(m), 1);
	cr_assert_eq(stops, 0);
	buf_free(&b);
	roundtrip(other, "logout extra\n", 13, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	buf_free(&b);
	close(fd);
	close(other);
}

Test(console, shutdown_reaches_every_client)
{
	struct buf b[3] = { { 0 } };
	int fd[3], i;

	for (i = 0; i < 3; i++)
		fd[i] = greeted_client();
	SEND(fd[1], "shutdown\n");
	for (i = 0; i < 3; i++) {
		wait_for(fd[i], &b[i], "\n\n\n\n\n", 1);	/* EOF */
		cr_assert(b[i].eof, "client %d not closed", i);
		cr_assert_bytes(&b[i], "9999 END OF SESSION");
		buf_free(&b[i]);
		close(fd[i]);
	}
	cr_assert_eq(stops, 1);
	cr_assert_eq(mgmt_sessions(m), 0);
}

Test(console, client_gone_mid_output)
{
	int fd = greeted_client();

	SEND(fd, "test/big\nhelp\nhelp\nhelp\n");
	close(fd);
	pump();
	pump();
	cr_assert_eq(mgmt_sessions(m), 0);
}

/* --- output bound -------------------------------------------------------- */

Test(console, slow_reader_is_throttled_not_dropped)
{
	size_t len = 0, cap = 3000 * 8;
	char *cmds = malloc(cap);
	struct buf b = { 0 };
	int fd = greeted_client(), i;

	/* 3000 x help is ~10 MiB of replies: the session stops reading
	 * commands while its queue is full, and catches up as we read */
	cr_assert(cmds);
	for (i = 0; i < 3000; i++)
		len += (size_t)snprintf(cmds + len, cap - len, "help\n");
	send_str(fd, cmds, len);
	for (i = 0; i < 50; i++)
		pump();
	cr_assert_eq(mgmt_sessions(m), 1);
	wait_for(fd, &b, PROMPT, 3000);
	cr_assert_eq(count(&b, "1000 Success\n"), 3000);
	free(cmds);
	buf_free(&b);
	close(fd);
}

Test(console, event_flood_disconnects_a_client_that_never_reads)
{
	struct buf b = { 0 };
	int deaf = greeted_client(), ok = greeted_client();
	int i;

	roundtrip(deaf, "debug/add port\n", 15, &b);
	cr_assert_bytes(&b, "1000 Success\n" PROMPT);
	for (i = 0; i < 1000000 && mgmt_sessions(m) == 2; i++) {
		if (mgmt_event_wanted(m, 021))
			mgmt_event(m, 021, "Port %02d flooding the console",
				   i % 100);
		if (i % 1000 == 0)
			pump();
	}
	cr_assert_eq(mgmt_sessions(m), 1, "the deaf client was not dropped");
	cr_assert(!mgmt_event_wanted(m, 021));
	/* the other client is still served */
	roundtrip(ok, "test/echo alive\n", 16, &b);
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\nalive\n.\n"
			    "1000 Success\n" PROMPT);
	buf_free(&b);
	close(deaf);
	close(ok);
}

/* --- debug events -------------------------------------------------------- */

Test(console, debug_list_add_event_del)
{
	struct buf b = { 0 };
	int fd = greeted_client(), other = greeted_client();

	roundtrip(fd, "debug/list\n", 11, &b);
	cr_assert_bytes(&b, debug_list_txt);
	cr_assert(!mgmt_event_wanted(m, 031));
	roundtrip(fd, "debug/add port/ep\n", 18, &b);
	cr_assert_bytes(&b, debug_add_txt);
	cr_assert(mgmt_event_wanted(m, 031));
	cr_assert(mgmt_event_wanted(m, 032));
	cr_assert(!mgmt_event_wanted(m, 021));
	cr_assert(!mgmt_event_wanted(m, 0777));
	cr_assert(!mgmt_event_wanted(m, 5000));

	b.len = 0;
	mgmt_event(m, 031, "Port %02d FD %2d", 2, 8);
	wait_for(fd, &b, "\n", 1);
	cr_assert_bytes(&b, async_connect_txt);
	b.len = 0;
	mgmt_event(m, 032, "Port %02d FD %2d", 2, 8);
	mgmt_event(m, 021, "Port %02d", 2);	/* not subscribed */
	wait_for(fd, &b, "\n", 1);
	pump();
	drain(fd, &b);
	cr_assert_bytes(&b, async_disconnect_txt);

	/* the other session got nothing */
	b.len = 0;
	pump();
	drain(other, &b);
	cr_assert_eq(b.len, 0);

	/* list shows ON for this session only */
	roundtrip(fd, "debug/list\n", 11, &b);
	cr_assert(strstr(b.p, "port/ep/+              031 ON     new endpoint\n"));
	roundtrip(other, "debug/list\n", 11, &b);
	cr_assert_bytes(&b, debug_list_txt);

	/* an event raised by a command comes before its reply */
	roundtrip(fd, "debug/add port/+\n", 17, &b);
	roundtrip(fd, "test/event\n", 11, &b);
	cr_assert_bytes(&b, "3021 port/+ Port 03\n"
			    "0000 DATA END WITH '.'\nafter the event\n.\n"
			    "1000 Success\n" PROMPT);

	roundtrip(fd, "debug/del port/ep\n", 18, &b);
	cr_assert_bytes(&b, "1000 Success\n" PROMPT);
	cr_assert(!mgmt_event_wanted(m, 031));
	roundtrip(fd, "debug/add nosuch\n", 17, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "debug/add port/e\n", 17, &b);	/* no partial words */
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	roundtrip(fd, "debug/add\n", 10, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);

	/* a closed session's subscriptions are dropped */
	cr_assert(mgmt_event_wanted(m, 021));
	close(fd);
	pump();
	cr_assert(!mgmt_event_wanted(m, 021));
	buf_free(&b);
	close(other);
}

Test(console, event_registration_rules)
{
	static const struct mgmt_event_cat dup_tag[] = {
		{ "other/x", 011, "clash" },
	};
	static const struct mgmt_event_cat dup_path[] = {
		{ "hash/+", 0100, "clash" },
	};
	static const struct mgmt_event_cat bad[] = {
		{ "x/y", 01000, "too big" },
	};
	static const struct mgmt_event_cat zero[] = {
		{ "x/y", 0, "zero" },
	};

	cr_assert_eq(mgmt_event_register(m, dup_tag, 1), -EEXIST);
	cr_assert_eq(mgmt_event_register(m, dup_path, 1), -EEXIST);
	cr_assert_eq(mgmt_event_register(m, bad, 1), -EINVAL);
	cr_assert_eq(mgmt_event_register(m, zero, 1), -EINVAL);
	cr_assert(!mgmt_event_wanted(NULL, 011));
}

/* --- registry ------------------------------------------------------------ */

Test(console, registry_rules)
{
	static const struct cmd dup[] = {
		{ .path = "help", .fn = t_dummy },
	};
	static const struct cmd dup_inside[] = {
		{ .path = "x/a", .fn = t_dummy },
		{ .path = "x/a", .fn = t_dummy },
	};
	static const struct cmd blank[] = {
		{ .path = "x b", .fn = t_dummy },
	};
	static const struct cmd arity[] = {
		{ .path = "x/c", .fn = t_dummy, .min_args = 2,
		  .max_args = 1 },
	};
	static const struct cmd ok[] = {
		{ .path = "zz/late", .syntax = "", .help = "h", .fn = t_dummy },
	};
	struct cmd_registry *r = mgmt_registry(m);
	void *arg = NULL;

	cr_assert_eq(cmd_register(r, dup, 1, 0, NULL), -EEXIST);
	cr_assert_eq(cmd_register(r, dup_inside, 2, 0, NULL), -EEXIST);
	cr_assert_eq(cmd_register(r, blank, 1, 0, NULL), -EINVAL);
	cr_assert_eq(cmd_register(r, arity, 1, 0, NULL), -EINVAL);
	cr_assert_eq(cmd_register(r, ok, 1, CMD_ORDER_OTHER, &arg), 0);
	cr_assert_eq(cmd_find(r, "zz/late", &arg), &ok[0]);
	cr_assert_eq(arg, (void *)&arg);
	cr_assert_null(cmd_find(r, "zz/lat", NULL));
	cr_assert_eq(cmd_unregister(r, ok), 0);
	cr_assert_eq(cmd_unregister(r, ok), -ENOENT);
	cr_assert_null(cmd_find(r, "zz/late", NULL));
}

Test(console, number_helper)
{
	unsigned long v;
	unsigned u;

	cr_assert_eq(cmd_arg_ulong("42", 0, 100, &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(cmd_arg_ulong("101", 0, 100, &v), -EINVAL);
	cr_assert_eq(cmd_arg_ulong("", 0, 100, &v), -EINVAL);
	cr_assert_eq(cmd_arg_ulong("0x10", 0, 100, &v), -EINVAL);
	cr_assert_eq(cmd_arg_ulong(" 1", 0, 100, &v), -EINVAL);
	cr_assert_eq(cmd_arg_ulong("+1", 0, 100, &v), -EINVAL);
	cr_assert_eq(cmd_arg_ulong("99999999999999999999999", 0, 100, &v),
		     -EINVAL);
	cr_assert_eq(cmd_arg_uint("4094", 1, 4094, &u), 0);
	cr_assert_eq(u, 4094);
	cr_assert_eq(cmd_arg_uint("0", 1, 4094, &u), -EINVAL);
}

/* --- rc files ------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

Test(console, rc_file_stops_at_first_error)
{
	char path[128], err[512], expect[640];

	snprintf(path, sizeof(path), "%s/vde_switch.rc", mktmp());
	write_file(path, "vlan/create 20\nport/create 9\n\n"
			 "  port/setvlan 9 20\r\n# comment\nbogus/cmd\n"
			 "port/create 10\n");
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), -ENOSYS);
	snprintf(expect, sizeof(expect),
		 "%s:6: bogus/cmd: Function not implemented", path);
	cr_assert_str_eq(err, expect);
	cr_assert_eq(created, 3, "lines before the error run, none after");

	write_file(path, "vlan/create 10\n");
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), -EEXIST);
	snprintf(expect, sizeof(expect), "%s:1: vlan/create 10: File exists",
		 path);
	cr_assert_str_eq(err, expect);

	write_file(path, "# only comments\n\n   \n");
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), 0);

	write_file(path, "vlan/create 30\nvlan/cre\1ate 31\n");
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), -EINVAL);
	snprintf(expect, sizeof(expect), "%s:2: control characters in line",
		 path);
	cr_assert_str_eq(err, expect);

	snprintf(expect, sizeof(expect), "%s/nonexistent.rc", tmpdir);
	cr_assert_eq(mgmt_load(m, expect, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "nonexistent.rc: No such file or directory"));
}

Test(console, rc_file_long_line_and_nesting)
{
	char path[128], err[512], *text;
	size_t n = MGMT_LINE_MAX + 10;

	snprintf(path, sizeof(path), "%s/long.rc", mktmp());
	text = malloc(n + 32);
	cr_assert(text);
	memset(text, 'a', n);
	strcpy(text + n, "\nvlan/create 20\n");
	write_file(path, text);
	free(text);
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), -E2BIG);
	cr_assert(strstr(err, "long.rc:1: line too long"));
	cr_assert_eq(created, 0);

	/* a file loading itself stops at the depth limit */
	snprintf(path, sizeof(path), "%s/self.rc", tmpdir);
	snprintf(err, sizeof(err), "load %s\n", path);
	write_file(path, err);
	cr_assert_eq(mgmt_load(m, path, err, sizeof(err)), -ELOOP);
	cr_assert(strstr(err, "self.rc:1: load "), "%s", err);
}

Test(console, load_from_the_console)
{
	char path[128], cmd[160], expect[2048];
	struct buf b = { 0 };
	int fd = greeted_client();

	snprintf(path, sizeof(path), "%s/test.rc", mktmp());
	write_file(path, "vlan/create 20\nport/create 9\nport/setvlan 9 20\n"
			 "# comment\nbogus/cmd\nport/create 11\n");
	snprintf(cmd, sizeof(cmd), "load %s\n", path);
	roundtrip(fd, cmd, strlen(cmd), &b);
	snprintf(expect, sizeof(expect),
		 "0000 DATA END WITH '.'\n"
		 "vde[%1$s]: vlan/create 20\n1000 Success\n"
		 "vde[%1$s]: port/create 9\n1000 Success\n"
		 "vde[%1$s]: port/setvlan 9 20\n1000 Success\n"
		 "vde[%1$s]: # comment\n"
		 "vde[%1$s]: bogus/cmd\n1038 Function not implemented\n"
		 "%1$s:5: bogus/cmd: Function not implemented\n"
		 ".\n1038 Function not implemented\n" PROMPT,
		 path);
	cr_assert_str_eq(b.p, expect);
	cr_assert_eq(created, 3);

	roundtrip(fd, "load\n", 5, &b);
	cr_assert_bytes(&b, "1022 Invalid argument\n" PROMPT);
	buf_free(&b);
	close(fd);
}

Test(console, rc_default_path)
{
	char dir[160], path[256];
	const char *old = getenv("HOME");
	char *saved = old ? strdup(old) : NULL;

	snprintf(dir, sizeof(dir), "%s/.vde2", mktmp());
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/vde_switch.rc", dir);
	write_file(path, "\n");
	setenv("HOME", tmpdir, 1);
	cr_assert_eq(mgmt_rc_default(dir, sizeof(dir)), 0);
	cr_assert_str_eq(dir, path);
	unlink(path);
	if (mgmt_rc_default(dir, sizeof(dir)) == 0)
		cr_assert_str_eq(dir, "/etc/vde2/vde_switch.rc");
	else
		cr_assert_str_eq(dir, "");
	if (saved)
		setenv("HOME", saved, 1);
	free(saved);
}

/* --- the management socket ----------------------------------------------- */

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	cr_assert_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

Test(console, socket_64_clients)
{
	char path[128], err[256];
	struct buf b = { 0 };
	struct stat st;
	int fd[64], i;

	snprintf(path, sizeof(path), "%s/mgmt", mktmp());
	cr_assert_eq(mgmt_listen(m, path, 0600, (gid_t)-1, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(mgmt_path(m), path);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600);
	for (i = 0; i < 64; i++) {
		fd[i] = connect_to(path);
		cr_assert(fd[i] >= 0);
	}
	for (i = 0; i < 64; i++) {
		b.len = 0;
		wait_for(fd[i], &b, PROMPT, 1);
		cr_assert(strncmp(b.p, "patchbay V.", 11) == 0);
	}
	cr_assert_eq(mgmt_sessions(m), 64);
	for (i = 0; i < 64; i++)
		SEND(fd[i], "port/showinfo\n");
	for (i = 0; i < 64; i++) {
		b.len = 0;
		wait_for(fd[i], &b, PROMPT, 1);
		cr_assert_eq(memcmp(b.p, two_cmds_txt,
				    sizeof(two_cmds_txt) - 1), 0);
	}
	for (i = 0; i < 64; i += 2)
		close(fd[i]);
	pump();
	cr_assert_eq(mgmt_sessions(m), 32);
	for (i = 1; i < 64; i += 2)
		close(fd[i]);
	buf_free(&b);
	/* showinfo names the socket */
	i = client();
	wait_for(i, &b, PROMPT, 1);
	roundtrip(i, "showinfo\n", 9, &b);
	snprintf(err, sizeof(err), "mgmt %s perm 0600\n.\n", path);
	cr_assert(strstr(b.p, err), "%s", b.p);
	buf_free(&b);
	close(i);
	mgmt_destroy(m);
	m = NULL;
	cr_assert_neq(stat(path, &st), 0, "destroy leaves the socket file");
}

Test(console, socket_stale_live_and_not_a_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char path[128], err[256];
	struct mgmt *m2;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/mgmt", mktmp());
	/* stale: bound, never listening, closed */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sun.sun_path, path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cr_assert_eq(mgmt_listen(m, path, 0660, getgid(), err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0660);
	cr_assert_eq(mgmt_listen(m, path, 0600, (gid_t)-1, err, sizeof(err)),
		     -EBUSY);

	/* live: a second console on the same path is refused */
	m2 = mgmt_create(loop, NULL);
	cr_assert(m2);
	cr_assert_eq(mgmt_listen(m2, path, 0600, (gid_t)-1, err, sizeof(err)),
		     -EADDRINUSE);
	cr_assert(strstr(err, "already listening"), "%s", err);
	mgmt_destroy(m2);
	cr_assert_eq(stat(path, &st), 0, "the loser removed the socket");

	/* a regular file is never removed */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	write_file(path, "keep me\n");
	m2 = mgmt_create(loop, NULL);
	cr_assert(m2);
	cr_assert_eq(mgmt_listen(m2, path, 0600, (gid_t)-1, err, sizeof(err)),
		     -EEXIST);
	mgmt_destroy(m2);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));

	/* too long for sun_path */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	m2 = mgmt_create(loop, NULL);
	cr_assert(m2);
	cr_assert_eq(mgmt_listen(m2, path, 0600, (gid_t)-1, err, sizeof(err)),
		     -ENAMETOOLONG);
	mgmt_destroy(m2);
}

static void pump_until_sessions(unsigned n)
{
	int i;

	for (i = 0; i < 1000 && mgmt_sessions(m) != n; i++)
		pump();
	cr_assert_eq(mgmt_sessions(m), n);
}

Test(console, socket_accept_paused_when_out_of_fds)
{
	char path[128], err[256];
	struct buf b4 = { 0 }, b5 = { 0 };
	struct rlimit old, rl;
	int fd[6], i, lowest, hold;

	snprintf(path, sizeof(path), "%s/mgmt", mktmp());
	cr_assert_eq(mgmt_listen(m, path, 0600, (gid_t)-1, err, sizeof(err)),
		     0, "%s", err);
	for (i = 0; i < 4; i++)
		fd[i] = connect_to(path);
	pump_until_sessions(4);
	/* two more wait in the backlog; then no fd is left to accept them */
	fd[4] = connect_to(path);
	fd[5] = connect_to(path);
	cr_assert(fd[4] >= 0 && fd[5] >= 0);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lowest = dup(0);
	cr_assert(lowest >= 0);
	close(lowest);
	rl = old;
	rl.rlim_cur = (rlim_t)lowest;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < 10; i++)
		pump();
	cr_assert_eq(mgmt_sessions(m), 4, "accepted without a free fd?");
	/* a session closing frees an fd: the next client gets it */
	close(fd[0]);
	hold = dup(0);		/* the client's own fd number, same process */
	cr_assert(hold >= 0);
	for (i = 0; i < 10; i++)
		pump();
	cr_assert_eq(mgmt_sessions(m), 4, "%u sessions", mgmt_sessions(m));
	drain(fd[4], &b4);
	drain(fd[5], &b5);
	cr_assert(strncmp(b4.p, "patchbay V.", 11) == 0);
	cr_assert_eq(b5.len, 0);
	/* fds again: the retry timer resumes accepting (within 0.5 s) */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(hold);
	for (i = 0; i < 100 && mgmt_sessions(m) != 5; i++) {
		usleep(10000);
		pump();
	}
	cr_assert_eq(mgmt_sessions(m), 5);
	wait_for(fd[5], &b5, PROMPT, 1);
	for (i = 1; i < 6; i++)
		close(fd[i]);
	pump_until_sessions(0);
	buf_free(&b4);
	buf_free(&b5);
}

Test(console, attach_bad_fd)
{
	cr_assert_eq(mgmt_attach(m, -1), -EBADF);
	cr_assert_eq(mgmt_sessions(m), 0);
}

/* --- stdin console ------------------------------------------------------- */

Test(console, stdin_session_like_vde_switch_foreground)
{
	int in[2], out[2];
	struct buf b = { 0 };
	int i;

	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
	cr_assert_eq(mgmt_stdin(m, in[0], out[1]), 0);
	cr_assert(fcntl(in[0], F_GETFL) & O_NONBLOCK);
	SEND(in[1], "port/showinfo\n");
	pump();
	SEND(in[1], "bogus\n");
	close(in[1]);
	for (i = 0; i < 20 && !stdin_ends; i++) {
		pump();
		drain(out[0], &b);
	}
	drain(out[0], &b);
	/* foreground-stdin-console.stdout.txt: no banner, no prompts */
	cr_assert_bytes(&b, "0000 DATA END WITH '.'\nNumports=32\n"
			    "HUB=false\ncounters=true\n.\n1000 Success\n"
			    "1038 Function not implemented\n");
	cr_assert_eq(stdin_ends, 1);
	cr_assert_eq(stops, 0);
	cr_assert_eq(mgmt_sessions(m), 0);
	/* the fds are not ours: open, flags restored */
	cr_assert_eq(fcntl(in[0], F_GETFL) & O_NONBLOCK, 0);
	close(in[0]);
	close(out[0]);
	close(out[1]);
	buf_free(&b);
}

Test(console, stdin_output_reader_gone)
{
	int in[2], out[2], i;

	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(mgmt_stdin(m, in[0], out[1]), 0);
	close(out[0]);
	SEND(in[1], "help\nvlan/create 20\n");
	for (i = 0; i < 5; i++)
		pump();
	/* output dropped, commands still run, the console still reads */
	cr_assert_eq(created, 1);
	cr_assert_eq(mgmt_sessions(m), 1);
	SEND(in[1], "vlan/create 21\n");
	close(in[1]);
	for (i = 0; i < 5 && !stdin_ends; i++)
		pump();
	cr_assert_eq(created, 2);
	cr_assert_eq(stdin_ends, 1);
	close(in[0]);
	close(out[1]);
}

Test(console, stdin_regular_file_refused)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/in", mktmp());
	write_file(path, "help\n");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0);
	cr_assert_eq(mgmt_stdin(m, fd, 1), -EPERM);
	cr_assert_eq(mgmt_sessions(m), 0);
	close(fd);
}

Test(console, stdin_output_to_a_regular_file)
{
	char path[128];
	int in[2], fd, i;
	char got[64] = "";

	snprintf(path, sizeof(path), "%s/out", mktmp());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(mgmt_stdin(m, in[0], fd), 0);
	SEND(in[1], "vlan/create 4095\n");
	close(in[1]);
	for (i = 0; i < 10 && !stdin_ends; i++)
		pump();
	cr_assert_eq(stdin_ends, 1);
	cr_assert_eq(pread(fd, got, sizeof(got) - 1, 0), 22);
	cr_assert_str_eq(got, "1022 Invalid argument\n");
	close(in[0]);
	close(fd);
}

/* --- Debian's unixcmd ---------------------------------------------------- */

Test(console, debian_unixcmd)
{
	char path[128], err[256], cmd[512];
	char out[16384];
	size_t n = 0;
	pid_t pid;
	FILE *p;
	int status;

	if (access("/usr/bin/unixcmd", X_OK) ||
	    access("/etc/vde2/vdecmd", R_OK))
		cr_skip_test("Debian's unixcmd (package vde2) is not "
			     "installed");
	snprintf(path, sizeof(path), "%s/mgmt", mktmp());
	cr_assert_eq(mgmt_listen(m, path, 0600, (gid_t)-1, err, sizeof(err)),
		     0, "%s", err);
	no_test_cmds();
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		/* the console serves from a child until killed */
		for (;;)
			pump();
	}
	snprintf(cmd, sizeof(cmd),
		 "unixcmd -f /etc/vde2/vdecmd -s %s help; "
		 "unixcmd -f /etc/vde2/vdecmd -s %s port/showinfo",
		 path, path);
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	pclose(p);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	out[n] = '\0';
	/* unixcmd copies each body line followed by a NUL */
	{
		const char *body = strchr(help_txt, '\n') + 1;
		char expect[8192];
		size_t k = 0;

		for (; *body && strncmp(body, ".\n", 2); body++) {
			expect[k++] = *body;
			if (*body == '\n')
				expect[k++] = '\0';
		}
		memcpy(expect + k, "Numports=32\n\0HUB=false\n\0"
				   "counters=true\n\0", 39);
		k += 39;
		cr_assert_eq(n, k, "unixcmd printed %zu bytes, expected %zu",
			     n, k);
		cr_assert_eq(memcmp(out, expect, k), 0);
	}
}

/* A command hands its connection over: the reply is given to the new
 * owner to send first, the session ends without closing the socket, and
 * the lines after the command are not run. */
Test(console, handover_gives_the_socket_and_the_reply)
{
	struct buf b = { 0 };
	int fd = greeted_client();
	char got[64];
	ssize_t n;

	SEND(fd, "test/handover\ntest/echo 5\n");
	pump_until_sessions(0);
	cr_assert(ho_fd >= 0);
	cr_assert_eq(ho_len, strlen("1000 Success\n" PROMPT));
	cr_assert_eq(memcmp(ho_pending, "1000 Success\n" PROMPT, ho_len), 0);
	drain(fd, &b);
	cr_assert_eq(b.len, 0, "the session wrote after the handover");
	/* the socket is open, and the new owner's */
	cr_assert_eq(write(ho_fd, "pcap", 4), 4);
	n = read(fd, got, sizeof(got));
	cr_assert_eq(n, 4);
	cr_assert_eq(memcmp(got, "pcap", 4), 0);
	close(ho_fd);
	ho_fd = -1;
	buf_free(&b);
	close(fd);
}
