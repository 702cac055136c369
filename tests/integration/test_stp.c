/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_stp.c - rapid spanning tree with the real daemon: two switches
 * with -F and two cables (Debian's vde_plug joining two URLs in one
 * process) carry each broadcast exactly once with almost no CPU, and heal
 * when a cable is stopped (SIGSTOP: connected, carrying nothing) or cut
 * (killed: its ports close), unicast included (the topology change
 * flushes what was learned behind the old path); the same loop closed through a Linux bridge
 * with 802.1D STP on, in a network namespace of the test's own: no storm,
 * and the kernel bridge, given the worst priority, takes a patchbay as its
 * root; malformed, truncated and oversized BPDUs are counted, never
 * forwarded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define HOST_PORT "[10]"
#define HEAL_STOP_MS 7000	/* 3 missed hellos, then rapid transition */
#define HEAL_CUT_MS 1000

extern char **environ;

static struct pb sa, sb;
static pid_t cables[2];
static VDECONN *ha, *hb;

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < 2; i++)
		if (cables[i] > 0) {
			kill(cables[i], SIGKILL);
			kill(cables[i], SIGCONT);
			waitpid(cables[i], NULL, 0);
			cables[i] = 0;
		}
	if (ha)
		vde_close(ha);
	if (hb)
		vde_close(hb);
	ha = hb = NULL;
	for (i = 0; i < 2; i++) {
		struct pb *pb = i ? &sb : &sa;

		if (pb->pid > 0)
			pb_stop(pb);
		pb_cleanup(pb);
	}
}

TestSuite(stp, .fini = teardown, .timeout = 120);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void need_vde_plug(void)
{
	if (!run_cmd("command -v vde_plug >/dev/null 2>&1"))
		return;
	cr_assert_str_neq(getenv("CI") ? getenv("CI") : "", "true",
			  "vde_plug missing (Debian package vdeplug)");
	cr_skip_test("vde_plug missing (Debian package vdeplug)");
}

/* Wait until port @n of @pb is active. */
static void wait_port(const struct pb *pb, unsigned n)
{
	char cmd[32];
	int i;

	snprintf(cmd, sizeof(cmd), "port/print %u", n);
	for (i = 0; i < 500 && pb_cmd(pb, cmd, NULL, 0); i++)
		usleep(10000);
	cr_assert_eq(pb_cmd(pb, cmd, NULL, 0), 0, "%s: port %u", pb->dir, n);
}

/* Debian's vde_plug joining both switches in one process: a cable on
 * port @n of each. */
static pid_t cable(unsigned n)
{
	char prog[] = "vde_plug", ua[200], ub[200];
	char *argv[] = { prog, ua, ub, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	snprintf(ua, sizeof(ua), "vde://%s[%u]", sa.dir, n);
	snprintf(ub, sizeof(ub), "vde://%s[%u]", sb.dir, n);
	cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	cr_assert_eq(posix_spawnp(&pid, "vde_plug", &fa, NULL, argv, environ),
		     0);
	posix_spawn_file_actions_destroy(&fa);
	wait_port(&sa, n);
	wait_port(&sb, n);
	return pid;
}

/* Wait up to @ms for @needle in fstp/print of @pb. */
static bool fstp_wait(const struct pb *pb, const char *needle, int ms)
{
	char out[8192];
	long long end = now_ms() + ms;

	do {
		if (!pb_cmd(pb, "fstp/print", out, sizeof(out)) &&
		    strstr(out, needle))
			return true;
		usleep(20000);
	} while (now_ms() < end);
	return false;
}

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0x01, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0x01, 0x0b };

/* A broadcast from @from carrying @seq. */
static void bsend(VDECONN *from, const uint8_t *src, uint32_t seq)
{
	uint8_t f[64];
	size_t len = mkframe(f, MAC_BCAST, src, 60, 0x5a);

	memcpy(f + 16, &seq, 4);
	cr_assert_eq(vde_send(from, f, len, 0), (ssize_t)len);
}

/* Copies of broadcast @seq reaching @to within @ms. */
static unsigned copies(VDECONN *to, uint32_t seq, int ms)
{
	uint8_t f[9300];
	long long end = now_ms() + ms;
	unsigned n = 0;
	ssize_t r;

	while (now_ms() < end) {
		r = recv_frame(to, f, sizeof(f), 20);
		if (r >= 60 && f[0] == 0xff && f[14] == 0x5a &&
		    !memcmp(f + 16, &seq, 4))
			n++;
	}
	return n;
}

static uint32_t seq = 1000;

static void once_each_way(void)
{
	bsend(ha, MAC_A, ++seq);
	cr_assert_eq(copies(hb, seq, 400), 1, "A to B, broadcast %u", seq);
	bsend(hb, MAC_B, ++seq);
	cr_assert_eq(copies(ha, seq, 400), 1, "B to A, broadcast %u", seq);
}

/* A unicast from A to B's host, right after a change: B's address was
 * learned behind the old path, so it arrives only if the topology change
 * flushed that entry. */
static void unicast_once(void)
{
	uint8_t f[9300];
	size_t len = mkframe(f, MAC_B, MAC_A, 60, 0x77);
	long long end = now_ms() + 400;
	unsigned n = 0;

	cr_assert_eq(vde_send(ha, f, len, 0), (ssize_t)len);
	while (now_ms() < end)
		if (recv_frame(hb, f, sizeof(f), 20) >= 60 && f[14] == 0x77 &&
		    !memcmp(f, MAC_B, 6))
			n++;
	cr_assert_eq(n, 1, "unicast to B after the change: %u copies", n);
}

/* Send @sig to @pid and broadcast from A every 50 ms until one sent
 * after it reaches B. Return: how long that took, -1 past @limit ms. */
static long long heal_ms(pid_t pid, int sig, int limit)
{
	uint8_t f[9300];
	long long t0 = now_ms();
	uint32_t first = seq + 1;

	cr_assert_eq(kill(pid, sig), 0);
	while (now_ms() - t0 < limit) {
		long long tick = now_ms() + 50;

		bsend(ha, MAC_A, ++seq);
		while (now_ms() < tick) {
			ssize_t r = recv_frame(hb, f, sizeof(f), 10);
			uint32_t got;

			if (r < 60 || f[0] != 0xff || f[14] != 0x5a)
				continue;
			memcpy(&got, f + 16, 4);
			if (got >= first && got <= seq)
				return now_ms() - t0;
		}
	}
	return -1;
}

static void start_pair(const char *tapa, const char *tapb)
{
	if (tapa) {
		pb_start(&sa, "-F", "--macaddr", "02:00:00:00:00:0a", "-t",
			 tapa, "--tap-bridge", "br0", NULL);
		pb_start(&sb, "-F", "--macaddr", "02:00:00:00:00:0b", "-t",
			 tapb, "--tap-bridge", "br0", NULL);
	} else {
		pb_start(&sa, "-F", "--macaddr", "02:00:00:00:00:0a", NULL);
		pb_start(&sb, "-F", "--macaddr", "02:00:00:00:00:0b", NULL);
	}
	ha = pb_open(&sa, HOST_PORT, "host a");
	hb = pb_open(&sb, HOST_PORT, "host b");
}

Test(stp, two_switches_two_cables)
{
	long ta, tb;
	long long t;

	need_vde_plug();
	start_pair(NULL, NULL);
	cables[0] = cable(1);
	cables[1] = cable(2);
	cr_assert(fstp_wait(&sb, " ++ rootport 0001 cost 2000", 3000));
	cr_assert(fstp_wait(&sb, "Port 0002 tagged=0 portcost=2000 "
			    "role=Alternate state=discarding", 3000));
	cr_assert(fstp_wait(&sa, "FST DATA VLAN 0000 ROOTSWITCH", 100));
	cr_assert(fstp_wait(&sb, "Port 0010 tagged=0 portcost=2000 "
			    "role=Designated state=forwarding edge=1", 100),
		  "a host port is an edge port and forwards");

	/* one tree: each broadcast once, and an idle loop costs nothing */
	ta = proc_cputicks(sa.pid);
	tb = proc_cputicks(sb.pid);
	once_each_way();
	once_each_way();
	usleep(1000000);
	ta = proc_cputicks(sa.pid) - ta;
	tb = proc_cputicks(sb.pid) - tb;
	cr_log_info("CPU over ~2.6 s: A %ld ticks, B %ld ticks", ta, tb);
	cr_assert_lt(ta, 30, "A used %ld ticks", ta);
	cr_assert_lt(tb, 30, "B used %ld ticks", tb);
	cr_assert_eq(pb_port_counter(&sb, 2, " IN:", "pkts") < 100, true,
		     "no storm on the blocked cable");

	/* the root port's cable stops: B's root information ages */
	t = heal_ms(cables[0], SIGSTOP, HEAL_STOP_MS + 3000);
	cr_log_info("stopped root cable: healed in %lld ms", t);
	cr_assert(t >= 0 && t <= HEAL_STOP_MS, "heal: %lld ms", t);
	unicast_once();
	once_each_way();
	kill(cables[0], SIGCONT);
	cr_assert(fstp_wait(&sb, " ++ rootport 0001 ", 5000));
	usleep(300000);
	once_each_way();

	/* the other cable stops: it carried nothing, nothing is lost */
	t = heal_ms(cables[1], SIGSTOP, HEAL_STOP_MS + 3000);
	cr_log_info("stopped alternate cable: traffic after %lld ms", t);
	cr_assert(t >= 0 && t < 500, "%lld ms", t);
	kill(cables[1], SIGCONT);
	cr_assert(fstp_wait(&sb, "Port 0002 tagged=0 portcost=2000 "
			    "role=Alternate state=discarding", 5000));
	usleep(300000);
	once_each_way();

	/* the root port's cable is cut: its ports close */
	t = heal_ms(cables[0], SIGKILL, HEAL_CUT_MS + 3000);
	waitpid(cables[0], NULL, 0);
	cables[0] = 0;
	cr_log_info("cut root cable: healed in %lld ms", t);
	cr_assert(t >= 0 && t <= HEAL_CUT_MS, "heal: %lld ms", t);
	unicast_once();
	once_each_way();
	cr_assert(fstp_wait(&sb, " ++ rootport 0002 ", 100));

	/* and the last one: nothing left between them */
	t = heal_ms(cables[1], SIGKILL, 1000);
	waitpid(cables[1], NULL, 0);
	cables[1] = 0;
	cr_assert_eq(t, -1);
	cr_assert(fstp_wait(&sb, "FST DATA VLAN 0000 ROOTSWITCH", 2000));
	cr_assert_eq(pb_stop(&sa), 0);
	cr_assert_eq(pb_stop(&sb), 0);
}

/* Wait up to @ms for the first line of @path to start with @want. */
static bool file_is(const char *path, const char *want, int ms)
{
	long long end = now_ms() + ms;
	char buf[128];

	do {
		FILE *f = fopen(path, "r");
		bool ok = false;

		if (f) {
			ok = fgets(buf, sizeof(buf), f) &&
			     !strncmp(buf, want, strlen(want));
			fclose(f);
		}
		if (ok)
			return true;
		usleep(50000);
	} while (now_ms() < end);
	return false;
}

/* Wait up to @ms for @what in `ip -d link show DEV`. */
static bool ip_shows(const char *dev, const char *what, int ms)
{
	long long end = now_ms() + ms;

	do {
		if (!run_cmd("ip -d link show %s | grep -q '%s'", dev, what))
			return true;
		usleep(50000);
	} while (now_ms() < end);
	return false;
}

Test(stp, loop_through_a_linux_bridge)
{
	long ta, tb;
	long long in;

	need_vde_plug();
	pb_enter_netns();
	/* sysfs shows the namespace it was mounted in: mount this one's */
	cr_assert_eq(unshare(CLONE_NEWNS), 0);
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	cr_assert_eq(mount("sysfs", "/sys", "sysfs", 0, NULL), 0);
	/* 802.1D STP in the kernel, the worst priority, short timers */
	cr_assert_eq(run_cmd("ip link add br0 type bridge stp_state 1 "
			     "priority 61440 forward_delay 200 hello_time 100"),
		     0);
	cr_assert_eq(run_cmd("ip link set br0 up"), 0);
	start_pair("pbta", "pbtb");
	/* patchbay will be the root: its times are the tree's */
	cr_assert_eq(pb_cmd(&sa, "fstp/settimers 1 6 2", NULL, 0), 0);
	cr_assert_eq(pb_cmd(&sb, "fstp/settimers 1 6 2", NULL, 0), 0);
	cables[0] = cable(2);

	cr_assert(file_is("/sys/class/net/br0/bridge/root_id",
			  "8000.02000000000a", 10000),
		  "the Linux bridge takes patchbay A as its root");
	cr_assert(file_is("/sys/class/net/br0/bridge/bridge_id", "f000.", 10));
	cr_assert(ip_shows("pbta", "bridge_slave state forwarding", 10000));
	cr_assert(ip_shows("pbtb", "bridge_slave state forwarding", 10000),
		  "the bridge forwards on both TAPs");
	cr_assert(fstp_wait(&sa, "Port 0001 tagged=0 portcost=2000 "
			    "role=Designated state=forwarding edge=0 "
			    "version=stp", 5000),
		  "A speaks 802.1D to the bridge");
	cr_assert(fstp_wait(&sb, "Port 0001 tagged=0 portcost=2000 "
			    "role=Alternate state=discarding", 5000),
		  "B blocks its TAP: the loop is broken there");
	cr_assert(fstp_wait(&sb, " ++ rootport 0002 ", 100));

	ta = proc_cputicks(sa.pid);
	tb = proc_cputicks(sb.pid);
	in = pb_port_counter(&sb, 1, " IN:", "pkts");
	once_each_way();
	once_each_way();
	usleep(1000000);
	ta = proc_cputicks(sa.pid) - ta;
	tb = proc_cputicks(sb.pid) - tb;
	in = pb_port_counter(&sb, 1, " IN:", "pkts") - in;
	cr_log_info("with the Linux bridge, ~2.6 s: CPU A %ld B %ld ticks, "
		    "%lld frames in on B's TAP", ta, tb, in);
	cr_assert_lt(ta, 30);
	cr_assert_lt(tb, 30);
	cr_assert_lt(in, 40, "no storm: %lld frames", in);
	cr_assert_eq(pb_stop(&sa), 0);
	cr_assert_eq(pb_stop(&sb), 0);
}

/* Frames to the bridge group address that are no BPDU: counted on the
 * port, never forwarded, the switch unharmed; with spanning tree off the
 * same frames are plain multicast, as vde_switch forwards them. */
Test(stp, bad_bpdus_counted_never_forwarded)
{
	static const uint8_t grp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };
	static uint8_t f[9300];
	char out[4096];
	unsigned i;

	pb_start(&sa, "-F", NULL);
	ha = pb_open(&sa, "[1]", "bad bridge");
	hb = pb_open(&sa, "[2]", "listener");
	for (i = 0; i < 40; i++) {
		size_t len = i < 20 ? 14 + i : 60 + (i - 20) * 450;

		memset(f, (int)i, sizeof(f));
		memcpy(f, grp, 6);
		memcpy(f + 6, MAC_A, 6);
		f[12] = 0;
		f[13] = (uint8_t)(i * 7);	/* lengths past the frame too */
		f[14] = f[15] = i % 3 ? 0x42 : 0xaa;
		f[16] = 3;
		f[17] = f[18] = 0;
		if (i == 39) {			/* an EtherType: not 802.3 */
			f[12] = 0x88;
			f[13] = 0xcc;
		}
		if (len > 9234)
			len = 9234;
		cr_assert_eq(vde_send(ha, f, len, 0), (ssize_t)len);
	}
	/* the listener gets the switch's own BPDUs, nothing from MAC_A */
	for (i = 0; i < 20; i++) {
		ssize_t r = recv_frame(hb, f, sizeof(f), 20);

		cr_assert(r < 0 || memcmp(f + 6, MAC_A, 6),
			  "a bad BPDU forwarded");
	}
	cr_assert_eq(pb_cmd(&sa, "port/print 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, "bpdu_in 0 "), "%s", out);
	cr_assert(strstr(out, "bpdu_bad 40 "), "%s", out);
	cr_assert_eq(pb_cmd(&sa, "fstp/setfstp 0", NULL, 0), 0);
	while (recv_frame(hb, f, sizeof(f), 50) >= 0)
		;
	memcpy(f, grp, 6);
	memcpy(f + 6, MAC_A, 6);
	cr_assert_eq(vde_send(ha, f, 60, 0), 60);
	cr_assert_eq(recv_frame(hb, f, sizeof(f), 1000), 60,
		     "spanning tree off: plain multicast");
	cr_assert(!memcmp(f + 6, MAC_A, 6));
	cr_assert_eq(pb_stop(&sa), 0);
}
