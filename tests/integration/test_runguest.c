/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_runguest.c - real QEMU guests through patchbay-run and across
 * patchbay-plug cables: a guest on QEMU's own -netdev vde and one started
 * by patchbay-run (-netdev and -nic forms, and behind a wrapper that
 * refuses any vde netdev) ping each other with 56 and 1472 bytes and copy
 * 1 MiB with its checksum checked; guests on two switches joined by
 * patchbay-plug (one process, two URLs) and by a dpipe cable with
 * Debian's vde_plug on one end do the same.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"
#include "runtest.h"

#define SERVER_IP "198.18.0.10"
#define CLIENT_IP "198.18.0.11"
#define COPY "1048576"

static struct pb sa, sb;
static struct guest vm[2];
static char reject[256];

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	guest_image();		/* a first build downloads */
}

static void teardown(void)
{
	guest_kill(&vm[0]);
	guest_kill(&vm[1]);
	rt_cleanup();
	pb_cleanup(&sa);
	pb_cleanup(&sb);
	if (reject[0])
		unlink(reject);
}

TestSuite(runguest, .init = setup, .fini = teardown, .timeout = 240);

/* The server: QEMU's own -netdev vde on @sw; serves 1 MiB and pings the
 * client. Its checksum goes to @sum. */
static void boot_server(const struct pb *sw, char *sum, size_t len)
{
	char netdev[300];
	struct guest_spec spec = {
		.dir = sw->tmp,
		.name = "server",
		.netdev = netdev,
		.mac = "52:54:00:15:00:10",
		.ip = SERVER_IP "/24",
		.steps = "serve:8080:" COPY ",ping:" CLIENT_IP
			 ",ping:" CLIENT_IP ":1472:3,idle",
	};

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw->dir);
	guest_start(&vm[0], &spec);
	cr_assert(guest_result(&vm[0], "serve:8080:" COPY, sum, len,
			       GUEST_BOOT_MS + GUEST_STEP_MS),
		  "the server did not serve: %s", sum);
}

/* The client on @sw, through @wrapper when not NULL; -nic when @nic. */
static void boot_client(const struct pb *sw, const char *const *wrapper,
			bool nic)
{
	char netdev[300];
	struct guest_spec spec = {
		.dir = sw->tmp,
		.name = "client",
		.netdev = netdev,
		.nic = nic,
		.mac = "52:54:00:15:00:11",
		.ip = CLIENT_IP "/24",
		.steps = "ping:" SERVER_IP ",ping:" SERVER_IP ":1472:3,"
			 "fetch:" SERVER_IP ":8080,idle",
		.wrapper = wrapper,
	};

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw->dir);
	guest_start(&vm[1], &spec);
}

static void expect_ok(unsigned i, const char *step)
{
	char details[256];

	cr_assert(guest_result(&vm[i], step, details, sizeof(details),
			       GUEST_BOOT_MS + GUEST_STEP_MS),
		  "guest %u: %s failed: %s (see %s)", i, step, details,
		  vm[i].serial);
}

/* Both ways: pings of 56 and 1472 bytes; the client fetched 1 MiB whole. */
static void expect_talk(const char *sum)
{
	char details[256];

	expect_ok(1, "ping:" SERVER_IP);
	expect_ok(1, "ping:" SERVER_IP ":1472:3");
	cr_assert(guest_result(&vm[1], "fetch:" SERVER_IP ":8080", details,
			       sizeof(details), GUEST_STEP_MS),
		  "fetch failed: %s", details);
	cr_assert_str_eq(details, sum, "fetched %s, served %s", details, sum);
	expect_ok(0, "ping:" CLIENT_IP);
	expect_ok(0, "ping:" CLIENT_IP ":1472:3");
}

/* QEMU's own vde netdev next to patchbay-run's -netdev form: the launcher
 * hands QEMU the switch's data socket, and QEMU holds it. */
Test(runguest, qemu_vde_and_launcher_netdev_talk)
{
	static const char *const run[] = { RUN_BIN, NULL };
	char sum[128];

	pb_start(&sa, NULL);
	boot_server(&sa, sum, sizeof(sum));
	boot_client(&sa, run, false);
	expect_talk(sum);
	cr_assert_eq(rt_unix_dgrams(vm[1].pid), 0,
		     "the launcher holds no data socket");
	cr_assert_gt(rt_unix_dgrams(guest_qemu_pid(&vm[1])), 0,
		     "QEMU holds the switch's data socket");
	cr_assert_eq(pb_stop(&sa), 0);
}

/* The -nic form, with QEMU behind a wrapper that refuses any vde netdev
 * (a QEMU built without VDE support): patchbay-run still works. */
Test(runguest, launcher_nic_form_without_qemu_vde)
{
	const char *run[] = { RUN_BIN, reject, NULL };
	char sum[128];
	FILE *f;

	snprintf(reject, sizeof(reject), "/tmp/pb-novde-%d.sh", (int)getpid());
	f = fopen(reject, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\n"
		   "for a; do case \"$a\" in *vde,*|*vde) "
		   "echo \"no VDE support: $a\" >&2; exit 1;; esac; done\n"
		   "exec \"$@\"\n");
	fclose(f);
	cr_assert_eq(chmod(reject, 0755), 0);
	pb_start(&sa, NULL);
	boot_server(&sa, sum, sizeof(sum));
	boot_client(&sa, run, true);
	expect_talk(sum);
	cr_assert_eq(pb_stop(&sa), 0);
}

static void two_switches(void)
{
	pb_start(&sa, NULL);
	pb_start(&sb, NULL);
}

/* A 9014-byte frame crosses the cable both ways. */
static void jumbo_across(void)
{
	static uint8_t f[9014], g[9300];
	static const uint8_t ma[6] = { 2, 0, 0, 0, 0, 0xa1 };
	static const uint8_t mb[6] = { 2, 0, 0, 0, 0, 0xb1 };
	VDECONN *a = pb_open(&sa, "", "jumbo a"), *b = pb_open(&sb, "",
							       "jumbo b");

	cr_assert(a && b);
	mkframe(f, MAC_BCAST, ma, sizeof(f), 0x5a);
	cr_assert_eq(vde_send(a, f, sizeof(f), 0), (ssize_t)sizeof(f));
	cr_assert_eq(recv_frame(b, g, sizeof(g), 3000), (ssize_t)sizeof(f));
	cr_assert_eq(memcmp(f, g, sizeof(f)), 0);
	mkframe(f, ma, mb, sizeof(f), 0xa5);
	cr_assert_eq(vde_send(b, f, sizeof(f), 0), (ssize_t)sizeof(f));
	cr_assert_eq(recv_frame(a, g, sizeof(g), 3000), (ssize_t)sizeof(f));
	cr_assert_eq(memcmp(f, g, sizeof(f)), 0);
	vde_close(a);
	vde_close(b);
}

/* Wait until both switches show the cable's endpoint. */
static void cable_up(void)
{
	char out[8192];
	int i;

	for (i = 0; i < 200; i++) {
		if (pb_cmd(&sa, "port/print", out, sizeof(out)) == 0 &&
		    strstr(out, "endpoint ID") &&
		    pb_cmd(&sb, "port/print", out, sizeof(out)) == 0 &&
		    strstr(out, "endpoint ID"))
			return;
		usleep(20000);
	}
	cr_assert_fail("the cable did not connect both switches");
}

Test(runguest, guests_across_a_one_process_cable)
{
	char sum[128], ua[200], ub[200], log[256];
	pid_t cable;
	int st;

	two_switches();
	snprintf(ua, sizeof(ua), "vde://%s", sa.dir);
	snprintf(ub, sizeof(ub), "vde://%s", sb.dir);
	snprintf(log, sizeof(log), "%s/cable.log", sa.tmp);
	cable = rt_spawn((const char *[]){ PLUG_BIN, ua, ub, NULL }, log);
	cable_up();
	jumbo_across();
	boot_server(&sa, sum, sizeof(sum));
	boot_client(&sb, NULL, false);
	expect_talk(sum);
	kill(cable, SIGTERM);
	cr_assert(rt_wait(cable, 5000, &st) && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0, "the cable did not stop cleanly");
	cr_assert_eq(pb_stop(&sb), 0);
	cr_assert_eq(pb_stop(&sa), 0);
}

Test(runguest, guests_across_dpipe_with_debian_vde_plug)
{
	char sum[128], cmd[600], log[256];
	pid_t cable;

	if (access("/usr/bin/dpipe", X_OK) || access("/usr/bin/vde_plug", X_OK))
		cr_skip_test("dpipe or vde_plug missing (vde2, vdeplug)");
	two_switches();
	snprintf(cmd, sizeof(cmd), "exec dpipe vde_plug vde://%s = %s vde://%s",
		 sa.dir, PLUG_BIN, sb.dir);
	snprintf(log, sizeof(log), "%s/cable.log", sa.tmp);
	cable = rt_spawn((const char *[]){ "/bin/sh", "-c", cmd, NULL }, log);
	cable_up();
	jumbo_across();
	boot_server(&sa, sum, sizeof(sum));
	boot_client(&sb, NULL, false);
	expect_talk(sum);
	(void)cable;
	cr_assert_eq(pb_stop(&sb), 0);
	cr_assert_eq(pb_stop(&sa), 0);
}
