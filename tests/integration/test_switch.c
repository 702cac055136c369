/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_switch.c - the real daemon with real libvdeplug clients: hub and
 * switch forwarding, port selection, endpoints, frame sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };

static struct pb sw;

static void teardown(void)
{
	pb_cleanup(&sw);
}

TestSuite(sw, .fini = teardown, .timeout = 60);

Test(sw, hub_floods_unchanged)
{
	uint8_t f[9300], g[9300];
	VDECONN *a, *b, *c;
	ssize_t n;

	pb_start(&sw, "-x", NULL);
	a = pb_open(&sw, "", "A");
	b = pb_open(&sw, "", "B");
	c = pb_open(&sw, "", "C");
	cr_assert(a && b && c);

	/* unicast to a MAC nobody has: a hub still delivers it everywhere */
	mkframe(f, MAC_B, MAC_A, 100, 0x5a);
	cr_assert_eq(vde_send(a, f, 100, 0), 100);
	n = recv_frame(b, g, sizeof(g), 2000);
	cr_assert_eq(n, 100);
	cr_assert_eq(memcmp(f, g, 100), 0);
	cr_assert_eq(recv_frame(c, g, sizeof(g), 2000), 100);
	cr_assert(quiet(a, 100), "a hub does not echo to the sender");

	vde_close(a);
	vde_close(b);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(sw, learning_switch_unicast_after_learning)
{
	uint8_t f[1600], g[1600];
	VDECONN *a, *b, *c;

	pb_start(&sw, NULL);
	a = pb_open(&sw, "", "A");
	b = pb_open(&sw, "", "B");
	c = pb_open(&sw, "", "C");
	cr_assert(a && b && c);

	/* broadcast from A: flooded, A learned */
	mkframe(f, MAC_BCAST, MAC_A, 64, 1);
	vde_send(a, f, 64, 0);
	cr_assert_eq(recv_frame(b, g, sizeof(g), 2000), 64);
	cr_assert_eq(recv_frame(c, g, sizeof(g), 2000), 64);

	/* B answers A: only A gets it; B learned */
	mkframe(f, MAC_A, MAC_B, 64, 2);
	vde_send(b, f, 64, 0);
	cr_assert_eq(recv_frame(a, g, sizeof(g), 2000), 64);
	cr_assert_eq(g[20], 2);
	cr_assert(quiet(c, 200), "known unicast must not be flooded");

	/* unknown unicast from C: flooded to A and B */
	mkframe(f, MAC_C, MAC_C, 64, 3);
	memcpy(f, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x99 }, 6);
	vde_send(c, f, 64, 0);
	cr_assert_eq(recv_frame(a, g, sizeof(g), 2000), 64);
	cr_assert_eq(recv_frame(b, g, sizeof(g), 2000), 64);

	/* a frame to a MAC learned on the sender's own port is dropped */
	mkframe(f, MAC_A, MAC_A, 64, 4);
	memcpy(f + 6, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x77 }, 6);
	vde_send(a, f, 64, 0);
	cr_assert(quiet(b, 200) && quiet(c, 50));

	vde_close(a);
	vde_close(b);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(sw, requested_port_and_port0)
{
	uint8_t f[100], g[100];
	VDECONN *p5, *p0, *any;

	pb_start(&sw, NULL);
	p5 = pb_open(&sw, "[5]", "five");
	cr_assert(p5);
	cr_assert_eq(count_files(sw.dir, "005."), 1);
	p0 = pb_open(&sw, "[0]", "zero");
	cr_assert(p0);
	cr_assert_eq(count_files(sw.dir, "000."), 1);
	any = pb_open(&sw, "", "any");
	cr_assert(any);
	cr_assert_eq(count_files(sw.dir, "001."), 1, "lowest free port is 1");

	mkframe(f, MAC_BCAST, MAC_A, 60, 7);
	vde_send(p5, f, 60, 0);
	cr_assert_eq(recv_frame(p0, g, sizeof(g), 2000), 60);
	cr_assert_eq(recv_frame(any, g, sizeof(g), 2000), 60);
	mkframe(f, MAC_BCAST, MAC_B, 60, 8);
	vde_send(p0, f, 60, 0);
	cr_assert_eq(recv_frame(p5, g, sizeof(g), 2000), 60);

	vde_close(p5);
	/* the endpoint's data socket is unlinked when it goes */
	cr_assert(wait_count(sw.dir, "005.", 0, 2000));
	vde_close(p0);
	vde_close(any);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(sw, two_endpoints_on_one_port)
{
	uint8_t f[100], g[100];
	VDECONN *e1, *e2, *other;

	pb_start(&sw, NULL);
	e1 = pb_open(&sw, "[7]", "e1");
	e2 = pb_open(&sw, "[7]", "e2");
	other = pb_open(&sw, "", "other");
	cr_assert(e1 && e2 && other);
	cr_assert_eq(count_files(sw.dir, "007."), 2);

	/* to the port: every endpoint gets a copy */
	mkframe(f, MAC_BCAST, MAC_C, 60, 1);
	vde_send(other, f, 60, 0);
	cr_assert_eq(recv_frame(e1, g, sizeof(g), 2000), 60);
	cr_assert_eq(recv_frame(e2, g, sizeof(g), 2000), 60);

	/* from one endpoint: out of the port, not back into it */
	mkframe(f, MAC_BCAST, MAC_A, 60, 2);
	vde_send(e1, f, 60, 0);
	cr_assert_eq(recv_frame(other, g, sizeof(g), 2000), 60);
	cr_assert(quiet(e2, 200));

	/* one endpoint leaving keeps the port alive for the other */
	vde_close(e1);
	cr_assert(wait_count(sw.dir, "007.", 1, 2000));
	mkframe(f, MAC_BCAST, MAC_C, 60, 3);
	vde_send(other, f, 60, 0);
	cr_assert_eq(recv_frame(e2, g, sizeof(g), 2000), 60);

	vde_close(e2);
	vde_close(other);
	cr_assert_eq(pb_stop(&sw), 0);
}

static void sizes_in_mode(const char *mode)
{
	static uint8_t f[9300], g[9300];
	VDECONN *a, *b;
	ssize_t n;
	size_t i;

	pb_start(&sw, mode, NULL);
	a = pb_open(&sw, "", "A");
	b = pb_open(&sw, "", "B");
	cr_assert(a && b);

	/* 14 bytes: forwarded, padded with zeros to 60 */
	mkframe(f, MAC_BCAST, MAC_A, 14, 0);
	vde_send(a, f, 14, 0);
	memset(g, 0xee, sizeof(g));
	n = recv_frame(b, g, sizeof(g), 2000);
	cr_assert_eq(n, 60);
	cr_assert_eq(memcmp(f, g, 14), 0);
	for (i = 14; i < 60; i++)
		cr_assert_eq(g[i], 0, "pad byte %zu is %u", i, g[i]);

	/* 9014 and 9234 bytes: whole */
	mkframe(f, MAC_BCAST, MAC_A, 9014, 0x33);
	vde_send(a, f, 9014, 0);
	cr_assert_eq(recv_frame(b, g, sizeof(g), 2000), 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);
	mkframe(f, MAC_BCAST, MAC_A, 9234, 0x34);
	vde_send(a, f, 9234, 0);
	cr_assert_eq(recv_frame(b, g, sizeof(g), 2000), 9234);
	cr_assert_eq(memcmp(f, g, 9234), 0);

	/* 13 bytes and 9235 bytes: dropped; the switch goes on */
	mkframe(f, MAC_BCAST, MAC_A, 13, 0);
	vde_send(a, f, 13, 0);
	mkframe(f, MAC_BCAST, MAC_A, 9235, 0);
	vde_send(a, f, 9235, 0);
	cr_assert(quiet(b, 300));
	mkframe(f, MAC_BCAST, MAC_A, 1514, 0x35);
	vde_send(a, f, 1514, 0);
	cr_assert_eq(recv_frame(b, g, sizeof(g), 2000), 1514);

	vde_close(a);
	vde_close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(sw, frame_sizes_switch)
{
	sizes_in_mode("--hashsize=64");
}

Test(sw, frame_sizes_hub)
{
	sizes_in_mode("-x");
}

/* MAC moves are logged, but a flood of them is not: 10 a second, then a
 * count of the rest. */
Test(sw, mac_moves_logged_with_a_limit)
{
	uint8_t f[100], g[100];
	VDECONN *a, *b, *c;
	int i;

	/* no minimum persistence: a MAC may move at once */
	pb_start(&sw, "--hash-minper", "0", NULL);
	a = pb_open(&sw, "", "A");
	b = pb_open(&sw, "", "B");
	c = pb_open(&sw, "", "C");
	cr_assert(a && b && c);
	for (i = 0; i < 100; i++) {
		mkframe(f, MAC_BCAST, MAC_A, 60, 1);
		f[10] = (uint8_t)i;
		vde_send(a, f, 60, 0);
		cr_assert_eq(recv_frame(c, g, sizeof(g), 2000), 60);
	}
	/* the same MACs appear on B */
	for (i = 0; i < 100; i++) {
		mkframe(f, MAC_BCAST, MAC_A, 60, 2);
		f[10] = (uint8_t)i;
		vde_send(b, f, 60, 0);
		cr_assert_eq(recv_frame(c, g, sizeof(g), 2000), 60);
	}
	cr_assert(pb_log_wait(&sw, "MAC 02:00:00:00:00:0a moved from port 1 "
			      "to port 2", 3000));
	cr_assert(pb_log_wait(&sw, "more MAC moves not logged", 5000));
	cr_assert_eq(run_cmd("test $(grep -c 'moved from port' '%s') -le 20",
			     sw.log), 0, "the log is not flooded");
	vde_close(a);
	vde_close(b);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A control directory whose socket paths cannot fit a sockaddr_un is a
 * clear start-up error, and nothing is left behind. */
Test(sw, directory_path_too_long)
{
	char dir[200], cmd[600];
	const char *bin = getenv("PATCHBAY");

	cr_assert(bin);
	snprintf(dir, sizeof(dir), "/tmp/pbtest-long-%d-%s", (int)getpid(),
		 "0123456789012345678901234567890123456789012345678901234567"
		 "89012345678901234567890123456789");
	snprintf(cmd, sizeof(cmd),
		 "'%s' -s '%s' --nostdin 2>&1 </dev/null | grep -q 'too long'",
		 bin, dir);
	cr_assert_eq(run_cmd("%s", cmd), 0);
	cr_assert(wait_path(dir, false, 10), "%s was left behind", dir);
}
