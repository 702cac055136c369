/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_swcmd.c - the switch's console commands through the registry, on a
 * switch with real (socketpair) endpoints: output shapes as vde_switch's
 * transcripts, reply codes, the fixes over vde_switch, events.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "loop.h"
#include "mgmt.h"
#include "pairbackend.h"
#include "port.h"
#include "sw.h"
#include "swcmd.h"

static struct loop *loop;
static struct sw *sw;
static struct mgmt *m;
static struct swcmd cmds;
static struct mgmt_out out;

static void setup(void)
{
	struct sw_config cfg;
	struct mgmt_config mc = { 0 };

	sw_config_defaults(&cfg);
	cfg.nports = 16;
	cfg.hashsize = 128;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
	m = mgmt_create(loop, &mc);
	cr_assert(m);
	/* no VDE control socket here: ds/showinfo is tested by the daemon */
	cr_assert_eq(swcmd_register(&cmds, m, sw, NULL), 0);
	mgmt_out_init(&out, 1 << 20);
}

static void teardown(void)
{
	if (!sw)
		return;
	mgmt_out_free(&out);
	swcmd_unregister(&cmds);
	mgmt_destroy(m);
	sw_destroy(sw);
	loop_destroy(loop);
	sw = NULL;
}

static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(swcmd, .init = setup, .fini = teardown, .timeout = 20);

/* Run a command; its output is in out.buf (NUL-terminated). */
static int run(const char *line)
{
	struct cmd_ctx ctx = { .out = &out, .m = m };
	char buf[512];
	bool data;

	snprintf(buf, sizeof(buf), "%s", line);
	mgmt_out_reset(&out);
	return cmd_exec(mgmt_registry(m), &ctx, buf, &data);
}

static const char *body(void)
{
	return out.len ? out.buf : "";
}

static void settle(void)
{
	long long end = loop_clock_ms() + 50;

	while (loop_clock_ms() < end)
		cr_assert_eq(loop_run_once(loop, 5), 0);
}

static void bcast(int fd, uint8_t src, size_t len, int vid)
{
	uint8_t f[100];

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = src;
	if (vid >= 0) {
		f[12] = 0x81;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
	} else {
		f[12] = 0x08;
	}
	cr_assert_eq(send(fd, f, len, 0), (ssize_t)len);
}

Test(swcmd, port_print_shapes_as_vde_switch)
{
	struct pairep *a, *b;
	int fa, fb, f3;
	char want[512];

	a = pairep_attach(sw, 5, true, &fa);
	b = pairep_attach(sw, 5, true, &fb);
	cr_assert(a && b);
	snprintf(pairep_endpoint(a)->descr, 160, "port5-endpointA");
	snprintf(pairep_endpoint(b)->descr, 160, "port5-endpointB");
	cr_assert(pairep_attach(sw, 3, true, &f3));
	bcast(f3, 3, 19, -1);		/* 19 bytes in, padded to 60 out */
	settle();
	cr_assert_eq(run("port/print 5"), 0);
	/* the transcript's lines, with this run's endpoint ids */
	snprintf(want, sizeof(want),
		 "Port 0005 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		 " Current User: root Access Control: (User: NONE - Group: "
		 "NONE)\n"
		 " IN:  pkts          0          bytes                    0\n"
		 " OUT: pkts          2          bytes                  120\n");
	cr_assert_eq(strncmp(body(), want, strlen(want)), 0, "got\n%s",
		     body());
	snprintf(want, sizeof(want),
		 "  -- endpoint ID %04d module pair        : port5-endpointB\n"
		 "  -- endpoint ID %04d module pair        : port5-endpointA\n",
		 pairep_endpoint(b)->id, pairep_endpoint(a)->id);
	cr_assert(strstr(body(), want), "got\n%s", body());
	cr_assert(strstr(body(), "\n DROP: short 0 long 0 vlan 0"));
	cr_assert_null(strstr(strstr(body(), " DROP:"), "ACTIVE"));

	/* strict numbers, range, inactive */
	cr_assert_eq(run("port/print abc"), -EINVAL);
	cr_assert_eq(run("port/print 17"), -EINVAL);
	cr_assert_eq(run("port/print 7"), -ENXIO);
	cr_assert_eq(run("port/print 5 6"), -EINVAL, "too many arguments");
	cr_assert_eq(run("port/create 7"), 0);
	cr_assert_eq(run("port/allprint 7"), 0);
	cr_assert(strstr(body(), "Port 0007 untagged_vlan=0000 INACTIVE - "
			 "NOT Unnamed Allocatable\n"));
	cr_assert_eq(run("port/remove 5"), -EADDRINUSE);
	cr_assert_eq(run("port/epclose 5 9999"), -ENXIO);
	cr_assert_eq(run("bogus/cmd"), -ENOSYS);
	close(fa);
	close(fb);
	close(f3);
	finish();
}

Test(swcmd, vlan_setup_and_print)
{
	int f11, f12, f13;

	cr_assert_eq(run("vlan/create 10"), 0);
	cr_assert_eq(run("vlan/create 10"), -EEXIST);
	cr_assert_eq(run("vlan/create 4095"), -EINVAL);
	cr_assert_eq(run("vlan/create 4094"), 0, "vde_switch refuses it");
	/* a port that does not exist yet: created, keeps its VLAN */
	cr_assert_eq(run("port/setvlan 12 10"), 0);
	cr_assert_eq(run("port/setvlan 12 20"), -ENXIO);
	cr_assert_eq(run("vlan/addport 10 11"), 0);
	cr_assert(pairep_attach(sw, 11, true, &f11));
	cr_assert(pairep_attach(sw, 12, true, &f12));
	cr_assert(pairep_attach(sw, 13, true, &f13));
	cr_assert_eq(run("vlan/print 10"), 0);
	cr_assert_str_eq(body(),
			 "VLAN 0010\n"
			 " -- Port 0011 tagged=1 active=1 status=Forwarding\n"
			 " -- Port 0012 tagged=0 active=1 status=Forwarding\n");
	cr_assert_eq(run("vlan/print 20"), -ENXIO);
	cr_assert_eq(run("vlan/remove 10"), -EADDRINUSE);
	cr_assert_eq(run("vlan/delport 10 12"), -EADDRINUSE, "untagged");

	/* the MAC table is per VLAN; hash/find prints the right port */
	bcast(f11, 0x11, 64, 10);
	settle();
	cr_assert_eq(run("hash/find 02:00:00:00:00:11 10"), 0);
	cr_assert(strstr(body(), "Addr: 02:00:00:00:00:11 VLAN 0010 to port: "
			 "011  age "), "got %s", body());
	cr_assert_eq(run("hash/find 02:00:00:00:00:11"), -ENODEV);
	cr_assert_eq(run("hash/find 02.00.00.00.00.11 10"), 0);
	cr_assert_eq(run("hash/find nonsense"), -EINVAL);
	cr_assert_eq(run("hash/print"), 0);
	cr_assert(strstr(body(), "VLAN 0010 to port: 011"));
	close(f11);
	close(f12);
	close(f13);
	finish();
}

Test(swcmd, switch_settings)
{
	cr_assert_eq(run("port/showinfo"), 0);
	cr_assert(strncmp(body(), "Numports=16\nHUB=false\ncounters=true\n",
			  35) == 0, "got %s", body());
	cr_assert_eq(run("port/setnumports 40"), 0);
	cr_assert_eq(sw_nports(sw), 40, "N means ports 1..N");
	cr_assert_eq(run("port/setnumports 0"), -EINVAL);
	cr_assert_eq(run("port/sethub 1"), 0);
	cr_assert(sw_is_hub(sw));
	cr_assert_eq(run("port/sethub 2"), -EINVAL);
	cr_assert_eq(run("hash/setminper 0"), 0);
	cr_assert_eq(run("hash/setexpire 30"), 0);
	cr_assert_eq(run("hash/setgcint 0"), -EINVAL);
	cr_assert_eq(run("hash/setsize 256"), 0);
	cr_assert_eq(run("hash/showinfo"), 0);
	cr_assert(strncmp(body(), "Hash size 256\nGC interval 2 secs\n"
			  "GC expire 30 secs\nMin persistence 0 secs\n",
			  74) == 0, "got %s", body());
	cr_assert_eq(run("port/setuser 3 nobody"), 0);
	cr_assert_eq(sw_port(sw, 3)->acl_user, 65534);
	cr_assert_eq(run("port/setuser 3 ANY"), 0);
	cr_assert_eq(sw_port(sw, 3)->acl_user, (uid_t)-1);
	cr_assert_eq(run("port/setgroup 3 no-such-group-here"), -EINVAL);
	cr_assert_eq(run("port/allocatable 3 0"), 0);
	cr_assert_not(sw_port(sw, 3)->allocatable);
	cr_assert_eq(run("port/settrunk 3 1"), 0);
	cr_assert_eq(run("port/setqueue 16 65536"), 0);
	cr_assert_eq(run("port/resetcounter"), 0);
	cr_assert_eq(run("port/resetcounter 9"), -ENXIO);
	cr_assert_eq(run("fstp/showinfo"), 0);
	cr_assert(strstr(body(), "FSTP=false\n"));
	cr_assert_eq(run("fstp/setfstp 2"), -EINVAL);
	cr_assert_eq(run("fstp/setfstp 1"), -EBUSY, "still a hub");
	cr_assert_eq(run("port/sethub 0"), 0);
	cr_assert_eq(run("fstp/setfstp 1"), 0);
	cr_assert_eq(run("fstp/showinfo"), 0);
	cr_assert(strstr(body(), "FSTP=true\n"));
	cr_assert_eq(run("port/sethub 1"), -EBUSY, "a hub runs no tree");
	cr_assert_eq(run("fstp/setedge 3 0"), 0);
	cr_assert_eq(run("fstp/setedge 10 3 auto"), 0, "vde_switch's form");
	cr_assert_eq(run("fstp/setedge 4095 3 1"), -EINVAL, "bad VLAN");
	cr_assert_eq(run("fstp/setedge 3 2"), -EINVAL);
	cr_assert_eq(run("fstp/setcost 3 20000"), 0);
	cr_assert_eq(run("fstp/setcost 3 200000001"), -EINVAL);
	cr_assert_eq(run("fstp/bonus 0 3 500"), 0);
	cr_assert_eq(run("fstp/setpriority 4096"), 0);
	cr_assert_eq(run("fstp/setpriority 65536"), -EINVAL);
	cr_assert_eq(run("fstp/settimers 1 6 2"), 0);
	cr_assert_eq(run("fstp/settimers 3 6 2"), -EINVAL, "maxage < 8");
	cr_assert_eq(run("fstp/print"), 0);
	cr_assert(strstr(body(), "FST DATA VLAN 0000 ROOTSWITCH\n"
			 " ++ root 10:00:"), "got %s", body());
	cr_assert_eq(run("fstp/setfstp 0"), 0);
	cr_assert_eq(run("fstp/print"), 0);
	cr_assert(strstr(body(), "FSTP IS DISABLED"), "got %s", body());
	cr_assert_eq(run("plugin/list"), -ENOENT);
	cr_assert_eq(run("plugin/add x.so"), -EOPNOTSUPP);
	finish();
}
