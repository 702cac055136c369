/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_vhost.c - real QEMU 7.2 TCG guests on vhost-user:///PATH ports
 * (-chardev socket,reconnect=1 -netdev vhost-user, RAM in a shared memfd,
 * virtio-net-pci with vectors=0): with a guest on a VDE port (-netdev vde)
 * and with another vhost-user guest, pings of 56 and 1472 bytes and a
 * 1 MiB HTTP transfer with its checksum checked each way; a QEMU killed
 * and started again on the same socket carries traffic again; a switch
 * restarted under running guests is reconnected by QEMU's reconnect=.
 * Everything runs in a network namespace of the test's own.
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

#define COPY "1048576"
#define MAX_VM 2

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
