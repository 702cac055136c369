/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_urlguest.c - real QEMU 7.2 guests on ports from URLs: -netdev
 * stream (both sides), the legacy -netdev socket,connect=, -netdev dgram
 * unicast, and a multicast bus of both forms (-netdev dgram with a
 * multicast remote, -netdev socket,mcast=) reach a guest on a VDE port:
 * pings of 56 and 1472 bytes and a 1 MiB HTTP transfer with its checksum
 * checked. Everything runs in a network namespace of the test's own.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"

#define SERVER_IP "198.18.0.10"
#define COPY "1048576"
#define MAX_VM 3

static struct pb sw;
static struct guest vm[MAX_VM];

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	guest_image();		/* first: a first build downloads */
	pb_enter_netns();	/* the switch, its sockets and the guests */
}

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < MAX_VM; i++)
		guest_kill(&vm[i]);
	pb_cleanup(&sw);
}

TestSuite(urlguest, .init = setup, .fini = teardown, .timeout = 240);

static void boot(unsigned i, const char *netdev, const char *ip,
		 const char *steps)
{
	char name[8], mac[20];
	struct guest_spec spec = {
		.dir = sw.tmp,
		.name = name,
		.netdev = netdev,
		.mac = mac,
		.ip = ip,
		.steps = steps,
	};

	snprintf(name, sizeof(name), "g%u", i);
	snprintf(mac, sizeof(mac), "52:54:00:16:00:%02x", 0x10 + i);
	guest_start(&vm[i], &spec);
}

/* The guest on the switch's VDE port: serves 1 MiB; its checksum. */
static void boot_server(char *sum, size_t len)
{
	char netdev[300];

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	boot(0, netdev, SERVER_IP "/24", "serve:8080:" COPY ",idle");
	cr_assert(guest_result(&vm[0], "serve:8080:" COPY, sum, len,
			       GUEST_BOOT_MS + GUEST_STEP_MS),
		  "the VDE guest did not serve: %s", sum);
}

static void expect_ok(unsigned i, const char *step)
{
	char details[256];

	cr_assert(guest_result(&vm[i], step, details, sizeof(details),
			       GUEST_BOOT_MS + GUEST_STEP_MS),
		  "guest %u: %s failed: %s (see %s)", i, step, details,
		  vm[i].serial);
}

/* Pings of 56 and 1472 bytes to @peer; guest @i fetched what the server
 * serves, checksum @sum. */
static void expect_reached(unsigned i, const char *peer, const char *sum)
{
	char step[64], details[256];

	snprintf(step, sizeof(step), "ping:%s", peer);
	expect_ok(i, step);
	snprintf(step, sizeof(step), "ping:%s:1472:3", peer);
	expect_ok(i, step);
	cr_assert(guest_result(&vm[i], "fetch:" SERVER_IP ":8080", details,
			       sizeof(details), GUEST_STEP_MS),
		  "guest %u: fetch failed: %s", i, details);
	cr_assert_str_eq(details, sum, "guest %u fetched %s, served %s", i,
			 details, sum);
}

#define CLIENT_STEPS                                                           \
	"ping:" SERVER_IP ",ping:" SERVER_IP ":1472:3,fetch:" SERVER_IP       \
	":8080,idle"

static unsigned listen_port(void)
{
	static char out[65536];
	const char *p;

	cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
	p = strstr(out, "listening on 127.0.0.1:");
	cr_assert(p, "no listener:\n%s", out);
	return (unsigned)strtoul(p + strlen("listening on 127.0.0.1:"), NULL,
				 10);
}

/* QEMU -netdev stream,server=off and the legacy -netdev socket,connect=
 * are peers of one stream+listen://, each on a port of its own. */
Test(urlguest, stream_and_socket_connect_peers_of_a_listener)
{
	char sum[128], nd1[200], nd2[200];
	unsigned port;

	pb_start(&sw, "-a", "stream+listen://127.0.0.1:0", NULL);
	port = listen_port();
	boot_server(sum, sizeof(sum));
	snprintf(nd1, sizeof(nd1), "stream,server=off,addr.type=inet,"
		 "addr.host=127.0.0.1,addr.port=%u", port);
	snprintf(nd2, sizeof(nd2), "socket,connect=127.0.0.1:%u", port);
	boot(1, nd1, "198.18.0.11/24", CLIENT_STEPS);
	boot(2, nd2, "198.18.0.12/24", CLIENT_STEPS);
	expect_reached(1, SERVER_IP, sum);
	expect_reached(2, SERVER_IP, sum);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* QEMU -netdev stream,server=on: the switch dials it, and tries again
 * (after 1 s) when QEMU does not listen yet. */
Test(urlguest, stream_server_dialled_by_the_switch)
{
	char sum[128], nd[200], cmd[128];
	unsigned port = pb_free_port(SOCK_STREAM);

	pb_start(&sw, NULL);
	boot_server(sum, sizeof(sum));
	snprintf(cmd, sizeof(cmd), "port/attach stream+connect://127.0.0.1:%u",
		 port);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	snprintf(nd, sizeof(nd), "stream,server=on,addr.type=inet,"
		 "addr.host=127.0.0.1,addr.port=%u", port);
	boot(1, nd, "198.18.0.11/24", CLIENT_STEPS);
	expect_reached(1, SERVER_IP, sum);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* QEMU -netdev dgram with a unicast remote: udp://. */
Test(urlguest, dgram_unicast_peer)
{
	char sum[128], nd[300], url[128];
	unsigned qport = pb_free_port(SOCK_DGRAM);
	unsigned sport = pb_free_port(SOCK_DGRAM);

	snprintf(url, sizeof(url), "udp://127.0.0.1:%u->127.0.0.1:%u", sport,
		 qport);
	pb_start(&sw, "-a", url, NULL);
	boot_server(sum, sizeof(sum));
	snprintf(nd, sizeof(nd), "dgram,local.type=inet,local.host=127.0.0.1,"
		 "local.port=%u,remote.type=inet,remote.host=127.0.0.1,"
		 "remote.port=%u", qport, sport);
	boot(1, nd, "198.18.0.11/24", CLIENT_STEPS);
	expect_reached(1, SERVER_IP, sum);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Two guests on one multicast bus, one of each QEMU form, and the VDE
 * guest: all reach each other, and the switch never hears itself (no
 * MAC moves in its log). */
Test(urlguest, multicast_bus_of_both_forms)
{
	char sum[128], *log;

	cr_assert_eq(run_cmd("ip link set lo multicast on && " /* test netns */
			     "ip route add 224.0.0.0/4 dev lo"),
		     0);
	pb_start(&sw, "-a", "mcast://230.0.0.1:1234", NULL);
	boot_server(sum, sizeof(sum));
	boot(1, "socket,mcast=230.0.0.1:1234", "198.18.0.11/24",
	     "ping:198.18.0.12,ping:198.18.0.12:1472:3,"
	     "ping:" SERVER_IP ",ping:" SERVER_IP ":1472:3,"
	     "fetch:" SERVER_IP ":8080,idle");
	boot(2, "dgram,remote.type=inet,remote.host=230.0.0.1,"
		"remote.port=1234",
	     "198.18.0.12/24",
	     "ping:198.18.0.11,ping:198.18.0.11:1472:3,"
	     "ping:" SERVER_IP ",ping:" SERVER_IP ":1472:3,"
	     "fetch:" SERVER_IP ":8080,idle");
	expect_ok(1, "ping:198.18.0.12");
	expect_ok(1, "ping:198.18.0.12:1472:3");
	expect_reached(1, SERVER_IP, sum);
	expect_ok(2, "ping:198.18.0.11");
	expect_ok(2, "ping:198.18.0.11:1472:3");
	expect_reached(2, SERVER_IP, sum);
	log = pb_log_read(&sw);
	cr_assert(!strstr(log, "moved"), "MAC moves on the bus:\n%s", log);
	free(log);
	cr_assert_eq(pb_stop(&sw), 0);
}
