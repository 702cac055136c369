/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_vhost.c - real QEMU 7.2 TCG guests on vhost-user:///PATH ports
 * (-chardev socket,reconnect=1 -netdev vhost-user, RAM in a shared memfd,
 * virtio-net-pci with vectors=0): with a guest on a VDE port (-netdev vde)
 * and with another vhost-user guest, pings of 56 and 1472 bytes and a
 * 1 MiB HTTP transfer with its checksum checked each way; the same between
 * a vhost-user guest and the host side of a TAP port of the same switch
 * (busybox ping, httpd and wget in the test's namespace); a QEMU killed
 * and started again on the same socket carries traffic again; a switch
 * restarted under running guests is reconnected by QEMU's reconnect=.
 * Everything runs in a network namespace of the test's own (the TAP and
 * its 198.18.0.1 too).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"

#define BUSYBOX "/bin/busybox"
#define COPY "1048576"
#define MAX_VM 2
#define TAP_IP "198.18.0.1"	/* the TAP's host side, in our netns */
#define HELPER_MS 60000		/* host-side pings and wget, under load */

static struct pb sw;
static struct guest vm[MAX_VM];
static char sockdir[64];	/* vhost-user sockets, kept across switches */

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	guest_image();		/* first: a first build downloads */
	pb_enter_netns();
	snprintf(sockdir, sizeof(sockdir), "/tmp/pb-vhost.XXXXXX");
	cr_assert(mkdtemp(sockdir), "mkdtemp: %s", strerror(errno));
}

static void teardown(void)
{
	unsigned i;
	char path[128];

	for (i = 0; i < MAX_VM; i++)
		guest_kill(&vm[i]);
	guest_helpers_stop();
	pb_cleanup(&sw);
	for (i = 0; i < MAX_VM; i++) {
		snprintf(path, sizeof(path), "%s/vhu%u.sock", sockdir, i);
		unlink(path);
	}
	for (i = 0; i < MAX_VM; i++) {
		snprintf(path, sizeof(path), "%s/serial-g%u.log", sockdir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/qemu-g%u.log", sockdir, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/qemu-g%u.pid", sockdir, i);
		unlink(path);
	}
	rmdir(sockdir);
}

TestSuite(vhost, .init = setup, .fini = teardown, .timeout = 300);

static const char *ip_of(unsigned i)
{
	return i ? "198.18.0.11" : "198.18.0.10";
}

/* Guest @i: on the VDE port, or on vhost-user socket vhu@i.sock. */
static void boot(unsigned i, bool vhost, const char *steps)
{
	char name[8], mac[20], ip[32], netdev[300], chardev[200];
	struct guest_spec spec = {
		.dir = sockdir,
		.name = name,
		.netdev = netdev,
		.mac = mac,
		.ip = ip,
		.steps = steps,
	};

	snprintf(name, sizeof(name), "g%u", i);
	snprintf(mac, sizeof(mac), "52:54:00:21:00:%02x", 0x10 + i);
	snprintf(ip, sizeof(ip), "%s/24", ip_of(i));
	if (vhost) {
		snprintf(chardev, sizeof(chardev),
			 "socket,id=c0,path=%s/vhu%u.sock,reconnect=1",
			 sockdir, i);
		snprintf(netdev, sizeof(netdev), "vhost-user,chardev=c0");
		spec.chardev = chardev;
		spec.shared_mem = true;
		spec.device_opts = ",vectors=0";
	} else {
		snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	}
	guest_start(&vm[i], &spec);
}

static void expect_ok(unsigned i, const char *step, char *details,
		      size_t len, int ms)
{
	char buf[256];

	if (!details) {
		details = buf;
		len = sizeof(buf);
	}
	cr_assert(guest_result(&vm[i], step, details, len, ms),
		  "guest %u: %s failed: %s (see %s)", i, step, details,
		  vm[i].serial);
}

/* What each guest does: serve 1 MiB, ping the other with 56 and 1472
 * bytes, fetch the other's 1 MiB. */
static void steps_for(unsigned i, char *buf, size_t len, const char *more)
{
	const char *peer = ip_of(!i);

	snprintf(buf, len,
		 "serve:8080:" COPY ",ping:%s,ping:%s:1472:3,fetch:%s:8080%s",
		 peer, peer, peer, more);
}

/* Both guests reached each other; the fetched sums are the served ones. */
static void expect_exchange(void)
{
	char served[2][128], fetched[128], step[64];
	unsigned i;

	for (i = 0; i < 2; i++)
		expect_ok(i, "serve:8080:" COPY, served[i], sizeof(served[i]),
			  GUEST_BOOT_MS + GUEST_STEP_MS);
	for (i = 0; i < 2; i++) {
		snprintf(step, sizeof(step), "ping:%s", ip_of(!i));
		expect_ok(i, step, NULL, 0, GUEST_STEP_MS);
		snprintf(step, sizeof(step), "ping:%s:1472:3", ip_of(!i));
		expect_ok(i, step, NULL, 0, GUEST_STEP_MS);
		snprintf(step, sizeof(step), "fetch:%s:8080", ip_of(!i));
		expect_ok(i, step, fetched, sizeof(fetched), GUEST_STEP_MS);
		cr_assert_str_eq(fetched, served[!i],
				 "guest %u fetched %s, guest %u served %s", i,
				 fetched, !i, served[!i]);
	}
}

static void attach(unsigned i, unsigned port)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "port/attach vhost-user://%s/vhu%u.sock %u",
		 sockdir, i, port);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0, "%s refused", cmd);
}

static void expect_print(unsigned port, const char *needle)
{
	static char out[65536];
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "port/print %u", port);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), 0);
	cr_assert(strstr(out, needle), "no \"%s\" in port/print:\n%s",
		  needle, out);
}

/* Both guests, each on a vhost-user port (attached as port @port[i]) or,
 * for @port[i] == 0, on a VDE port; each does the exchange, then @more. */
static void boot_pair(const unsigned port[2], const char *more)
{
	char steps[400];
	unsigned i;

	for (i = 0; i < 2; i++)
		if (port[i])
			attach(i, port[i]);
	for (i = 0; i < 2; i++) {
		steps_for(i, steps, sizeof(steps), more);
		boot(i, port[i] != 0, steps);
	}
}

/* A vhost-user guest and a VDE guest, both ways; port/print shows what
 * was negotiated. */
Test(vhost, with_a_vde_guest)
{
	const unsigned port[2] = { 0, 5 };

	pb_start(&sw, NULL);
	boot_pair(port, ",idle");
	expect_exchange();
	expect_print(5, "VERSION_1");
	expect_print(5, "MRG_RXBUF");
	expect_print(5, "EVENT_IDX");
	expect_print(5, "rx ring 256 entries, running");
	expect_print(5, "CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 GUEST_ECN "
			"HOST_TSO4 HOST_TSO6 HOST_ECN");
	expect_print(5, "not offered: UFO, MQ, packed ring, IOMMU");
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Two vhost-user guests: one copy from one guest's ring to the other's. */
Test(vhost, two_vhost_guests)
{
	const unsigned port[2] = { 3, 4 };

	pb_start(&sw, NULL);
	boot_pair(port, ",idle");
	expect_exchange();
	expect_print(3, "bad chains 0, short headers 0");
	/* both took TSO: what one sent went to the other as it was */
	expect_print(3, "OFFLOAD: segmented 0 segments 0 csum_completed 0 "
			"bad 0");
	expect_print(4, "OFFLOAD: segmented 0 segments 0 csum_completed 0 "
			"bad 0");
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A QEMU killed and started again on the same socket: a new connection,
 * negotiated from scratch, carries traffic. */
Test(vhost, qemu_restarted)
{
	const unsigned port[2] = { 0, 5 };

	pb_start(&sw, NULL);
	boot_pair(port, ",idle");
	expect_exchange();
	guest_kill(&vm[1]);
	cr_assert(pb_log_wait(&sw, "front end closed", 10000),
		  "the switch did not see QEMU go");
	/* the VDE guest is done with its steps: it only serves now */
	boot(1, true,
	     "serve:8080:" COPY ",ping:198.18.0.10,ping:198.18.0.10:1472:3,"
	     "fetch:198.18.0.10:8080,idle");
	{
		char served[128], fetched[128];

		expect_ok(0, "serve:8080:" COPY, served, sizeof(served), 1000);
		expect_ok(1, "ping:198.18.0.10", NULL, 0,
			  GUEST_BOOT_MS + GUEST_STEP_MS);
		expect_ok(1, "ping:198.18.0.10:1472:3", NULL, 0,
			  GUEST_STEP_MS);
		expect_ok(1, "fetch:198.18.0.10:8080", fetched,
			  sizeof(fetched), GUEST_STEP_MS);
		cr_assert_str_eq(fetched, served);
	}
	expect_print(5, "2 connections so far");
	cr_assert_eq(pb_stop(&sw), 0);
}

/* The switch stopped and started again under two running vhost-user
 * guests: QEMU's reconnect=1 dials the new switch, which negotiates from
 * scratch, and the guests reach each other again (the second round of
 * steps comes after a pause long enough for the restart). */
Test(vhost, switch_restarted)
{
	char steps[2][400], round2[200];
	unsigned i;

	pb_start(&sw, NULL);
	attach(0, 3);
	attach(1, 4);
	for (i = 0; i < 2; i++) {
		snprintf(round2, sizeof(round2),
			 ",sleep:15,serve:8081:" COPY ",ping:%s:1472:5,"
			 "fetch:%s:8081,idle",
			 ip_of(!i), ip_of(!i));
		steps_for(i, steps[i], sizeof(steps[i]), round2);
		boot(i, true, steps[i]);
	}
	expect_exchange();
	cr_assert_eq(pb_stop(&sw), 0);
	pb_cleanup(&sw);
	pb_start(&sw, NULL);
	attach(0, 3);
	attach(1, 4);
	for (i = 0; i < 2; i++) {
		char step[64], fetched[128], served[128];

		expect_ok(!i, "serve:8081:" COPY, served, sizeof(served),
			  30000);
		snprintf(step, sizeof(step), "ping:%s:1472:5", ip_of(!i));
		expect_ok(i, step, NULL, 0, 30000 + GUEST_STEP_MS);
		snprintf(step, sizeof(step), "fetch:%s:8081", ip_of(!i));
		expect_ok(i, step, fetched, sizeof(fetched), GUEST_STEP_MS);
		cr_assert_str_eq(fetched, served);
	}
	cr_assert(pb_log_wait(&sw, "vhu0.sock pid", 1000));
	cr_assert(pb_log_wait(&sw, "vhu1.sock pid", 1000));
	cr_assert_eq(pb_stop(&sw), 0);
}

/* @count echo requests of @size data bytes from our namespace to @ip, all
 * answered (busybox ping: there is no ping binary by default). */
static void host_ping(const char *ip, unsigned size, unsigned count)
{
	cr_assert_eq(run_cmd(BUSYBOX " ping -c %u -s %u -i 0.2 -W 5 %s 2>&1 | "
			     "grep -q ' %u packets received'",
			     count, size, ip, count), 0,
		     "%u pings of %u bytes from the TAP's side to %s were not "
		     "all answered", count, size, ip);
}

/*
 * A vhost-user guest and the host side of a TAP port of the same switch,
 * in the test's namespace (the TAP addressed 198.18.0.1/24 there): pings
 * of 56 and 1472 data bytes both ways, and 1 MiB each way over HTTP with
 * its SHA256 compared (the guest fetches from busybox httpd in the
 * namespace; busybox wget in the namespace fetches from the guest). Only
 * plain Ethernet frames are assumed of the TAP, with or without offloads.
 */
Test(vhost, with_a_tap)
{
	char www[180], rx[200], log[200], script[800], body[4096];
	char want[200], got[200], served[128], fetched[128];
	pid_t httpd, wget;

	if (access(BUSYBOX, X_OK))
		cr_skip_test(BUSYBOX " is not installed (busybox-static)");
	pb_start(&sw, NULL);
	cr_assert_eq(pb_cmd(&sw, "port/attach tap://pbtap0 2", body,
			    sizeof(body)), 0, "port/attach tap://: %s", body);
	cr_assert_eq(run_cmd("ip addr add " TAP_IP "/24 dev pbtap0 && " /* netns */
			     "ip link set pbtap0 up"), 0); /* netns */
	attach(0, 3);

	/* the namespace's server: 1 MiB of random bytes as /data */
	snprintf(www, sizeof(www), "%s/www", sw.tmp);
	cr_assert_eq(run_cmd("mkdir -p '%s' && head -c " COPY " /dev/urandom "
			     ">'%s/data'", www, www), 0);
	snprintf(rx, sizeof(rx), "%s/data", www);
	guest_file_sum(rx, want, sizeof(want));
	snprintf(log, sizeof(log), "%s/httpd.log", sw.tmp);
	snprintf(script, sizeof(script),
		 "exec " BUSYBOX " httpd -f -p " TAP_IP ":8081 -h '%s'", www);
	httpd = guest_helper(NULL, script, log);

	boot(0, true,
	     "serve:8080:" COPY ",ping:" TAP_IP ",ping:" TAP_IP ":1472:3,"
	     "fetch:" TAP_IP ":8081,idle");
	expect_ok(0, "serve:8080:" COPY, served, sizeof(served),
		  GUEST_BOOT_MS + GUEST_STEP_MS);
	/* guest -> the TAP's side */
	expect_ok(0, "ping:" TAP_IP, NULL, 0, GUEST_STEP_MS);
	expect_ok(0, "ping:" TAP_IP ":1472:3", NULL, 0, GUEST_STEP_MS);
	expect_ok(0, "fetch:" TAP_IP ":8081", fetched, sizeof(fetched),
		  GUEST_STEP_MS);
	cr_assert_str_eq(fetched, want,
			 "the guest fetched %s, the namespace served %s",
			 fetched, want);

	/* the TAP's side -> guest */
	host_ping(ip_of(0), 56, 3);
	host_ping(ip_of(0), 1472, 3);
	snprintf(rx, sizeof(rx), "%s/fetched", sw.tmp);
	snprintf(log, sizeof(log), "%s/wget.log", sw.tmp);
	snprintf(script, sizeof(script),
		 "for i in $(seq 30); do " BUSYBOX " wget -q -O '%s' "
		 "http://%s:8080/data && exit 0; sleep 1; done; exit 1",
		 rx, ip_of(0));
	wget = guest_helper(NULL, script, log);
	cr_assert_eq(guest_helper_wait(wget, HELPER_MS), 0,
		     "wget from the namespace to the guest failed (see %s)",
		     log);
	guest_file_sum(rx, got, sizeof(got));
	cr_assert_str_eq(got, served,
			 "the namespace fetched %s, the guest served %s", got,
			 served);

	cr_assert_gt(pb_port_counter(&sw, 2, " IN:", "pkts"), 0);
	cr_assert_gt(pb_port_counter(&sw, 3, " IN:", "pkts"), 0);
	kill(httpd, SIGTERM);
	cr_assert_geq(guest_helper_wait(httpd, 10000), 0);
	cr_assert_eq(pb_stop(&sw), 0);
}
