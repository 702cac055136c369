/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_stp.c - rapid spanning tree between real switches in one process:
 * two switches on one loop, joined by "cables" the test relays between
 * socketpair endpoints (pairbackend.c), so it can also stall a cable or
 * cut it; and a switch facing the test as a hand-made bridge (crafted
 * BPDUs in, the switch's BPDUs read back).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "bpdu.h"
#include "loop.h"
#include "mactable.h"
#include "pairbackend.h"
#include "port.h"
#include "stp.h"
#include "sw.h"

static struct loop *loop;
static struct sw *swa, *swb;

struct cable {
	int a, b;		/* the test's ends, on swa and swb */
	struct pairep *pb;	/* swb's endpoint */
	bool stalled;
	unsigned long frames;	/* relayed */
};

static struct cable cables[2];
static unsigned ncables;

static struct sw *mksw(uint8_t last)
{
	struct sw_config cfg;
	struct sw *s;

	sw_config_defaults(&cfg);
	cfg.nports = 8;
	cfg.hashsize = 64;
	cfg.mac[0] = 0x02;
	cfg.mac[5] = last;
	s = sw_create(&cfg, loop);
	cr_assert(s);
	return s;
}

static void setup(void)
{
	loop = loop_create();
	cr_assert(loop);
	swa = mksw(0x0a);
	swb = mksw(0x0b);
	ncables = 0;
}

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < ncables; i++) {
		if (cables[i].a >= 0)
			close(cables[i].a);
		if (cables[i].b >= 0)
			close(cables[i].b);
	}
	sw_destroy(swa);
	sw_destroy(swb);
	loop_destroy(loop);
	swa = swb = NULL;
	loop = NULL;
}

static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(stp, .init = setup, .fini = teardown, .timeout = 30);

static void relay1(int from, int to, struct cable *c)
{
	uint8_t buf[9300];
	ssize_t n;

	while ((n = recv(from, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		c->frames++;
		if (!c->stalled && to >= 0)
			send(to, buf, (size_t)n, MSG_DONTWAIT);
	}
}

/* Run the loop and the cables for @ms. */
static void run_ms(int ms)
{
	long long end = loop_clock_ms() + ms;

	while (loop_clock_ms() < end) {
		unsigned i;

		cr_assert_eq(loop_run_once(loop, 2), 0);
		for (i = 0; i < ncables; i++) {
			struct cable *c = &cables[i];

			if (c->a >= 0)
				relay1(c->a, c->b, c);
			if (c->b >= 0)
				relay1(c->b, c->a, c);
		}
	}
}

static void cable(unsigned pa, unsigned pb)
{
	struct cable *c = &cables[ncables++];

	c->stalled = false;
	c->frames = 0;
	cr_assert(pairep_attach(swa, pa, true, &c->a));
	c->pb = pairep_attach(swb, pb, true, &c->b);
	cr_assert(c->pb);
}

static struct stp_port_info pinfo(struct sw *s, unsigned port)
{
	struct stp_port_info pi;

	cr_assert_eq(stp_port_info(sw_stp(s), port, &pi), 0);
	return pi;
}

static bool forwarding(struct sw *s, unsigned port)
{
	return !strcmp(pinfo(s, port).state, "forwarding");
}

/* Wait up to @ms for @port of @s to forward; return the time it took. */
static long long until_forwarding(struct sw *s, unsigned port, int ms)
{
	long long start = loop_clock_ms();

	while (!forwarding(s, port) && loop_clock_ms() - start < ms)
		run_ms(20);
	return loop_clock_ms() - start;
}

static void both_on(void)
{
	cr_assert_eq(stp_set_enabled(sw_stp(swa), true), 0);
	cr_assert_eq(stp_set_enabled(sw_stp(swb), true), 0);
	cr_assert_eq(stp_set_timers(sw_stp(swa), 1, 6, 4), 0);
	cr_assert_eq(stp_set_timers(sw_stp(swb), 1, 6, 4), 0);
}

/* A test endpoint on port 3 of each switch, for data frames. */
static int hosts[2];

static void add_hosts(void)
{
	cr_assert(pairep_attach(swa, 3, true, &hosts[0]));
	cr_assert(pairep_attach(swb, 3, true, &hosts[1]));
}

static size_t bcast(uint8_t *f, uint8_t src, uint8_t tag)
{
	memset(f, 0xff, 6);
	memset(f + 6, 0, 6);
	f[6] = 0x02;
	f[11] = src;
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, tag, 46);
	return 60;
}

/* How many frames carrying @tag reach @fd. */
static unsigned count_tag(int fd, uint8_t tag)
{
	uint8_t buf[9300];
	unsigned n = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (r >= 60 && buf[12] == 0x08 && buf[20] == tag)
			n++;
	return n;
}

Test(stp, two_cables_one_tree_each_broadcast_once)
{
	struct stp_info ia, ib;
	uint8_t f[60];

	both_on();
	cable(1, 1);
	cable(2, 2);
	add_hosts();
	run_ms(300);

	stp_info(sw_stp(swa), &ia);
	stp_info(sw_stp(swb), &ib);
	cr_assert_eq(ia.root_port, 0, "the lower MAC is the root");
	cr_assert_eq(ib.root_id, ia.bridge_id);
	cr_assert_eq(ib.root_port, 1, "the peer's lower port id wins");
	cr_assert_eq(ib.root_cost, STP_DEF_PORT_COST);
	cr_assert_str_eq(pinfo(swb, 1).role, "Root");
	cr_assert_str_eq(pinfo(swb, 2).role, "Alternate");
	cr_assert_str_eq(pinfo(swb, 2).state, "discarding");
	cr_assert_str_eq(pinfo(swa, 1).role, "Designated");
	cr_assert(forwarding(swa, 2), "the root's ports all forward");
	cr_assert_not(pinfo(swb, 1).edge);
	cr_assert(pinfo(swb, 3).edge, "a host port stays edge");
	cr_assert(forwarding(swb, 3));

	count_tag(hosts[0], 0);
	count_tag(hosts[1], 0);
	send(hosts[0], f, bcast(f, 1, 0x11), 0);
	send(hosts[1], f, bcast(f, 2, 0x22), 0);
	run_ms(200);
	cr_assert_eq(count_tag(hosts[1], 0x11), 1, "once, not a storm");
	cr_assert_eq(count_tag(hosts[0], 0x22), 1);
	cr_assert_geq(pinfo(swb, 2).discarded, 1, "the alternate drops");
	cr_assert_eq(pinfo(swa, 1).bpdu_bad, 0);
	finish();
}

Test(stp, cut_cable_heals_at_once)
{
	long long t;

	both_on();
	cable(1, 1);
	cable(2, 2);
	run_ms(300);
	cr_assert_not(forwarding(swb, 2));
	/* the root port's cable goes: its port closes (as when the cable's
	 * process ends) */
	cr_assert_eq(sw_port_close_endpoint(swb, 1,
					    pairep_endpoint(cables[0].pb)->id),
		     0);
	cables[0].b = -1;
	t = until_forwarding(swb, 2, 3000);
	cr_assert(forwarding(swb, 2), "still blocked after %lld ms", t);
	cr_assert_lt(t, 1000, "%lld ms", t);
	cr_assert_str_eq(pinfo(swb, 2).role, "Root");
	finish();
}

Test(stp, stalled_cable_heals_after_three_hellos)
{
	long long t;

	both_on();
	cable(1, 1);
	cable(2, 2);
	run_ms(300);
	cables[0].stalled = true;	/* connected, carries nothing */
	t = until_forwarding(swb, 2, 8000);
	cr_assert(forwarding(swb, 2), "still blocked after %lld ms", t);
	/* hello 1 s: the root's information ages 2-3 s after the last
	 * BPDU, which came up to 1 s before the stall */
	cr_assert_lt(t, 4500, "%lld ms", t);
	cr_assert_gt(t, 900, "%lld ms: it waited for the ageing", t);
	cr_assert_str_eq(pinfo(swb, 2).role, "Root");
	/* the cable comes back: one tree again, port 1 the root port */
	cables[0].stalled = false;
	run_ms(1500);
	cr_assert_str_eq(pinfo(swb, 1).role, "Root");
	cr_assert_not(forwarding(swb, 2));
	finish();
}

Test(stp, priority_cost_and_off)
{
	struct stp_info ib;
	uint8_t f[60];

	both_on();
	cable(1, 1);
	cable(2, 2);
	add_hosts();
	cr_assert_eq(stp_set_priority(sw_stp(swb), 4096), 0);
	run_ms(300);
	stp_info(sw_stp(swb), &ib);
	cr_assert_eq(ib.root_port, 0, "B is the root now");
	cr_assert_str_eq(pinfo(swa, 2).role, "Alternate");
	/* cable 2 made cheaper: A's root port moves to it */
	cr_assert_eq(stp_set_port_cost(sw_stp(swa), 2, 500), 0);
	run_ms(300);
	cr_assert_str_eq(pinfo(swa, 2).role, "Root");
	cr_assert_eq(pinfo(swa, 2).cost, 500);
	cr_assert_eq(stp_set_port_bonus(sw_stp(swa), 2, 499), 0);
	cr_assert_eq(pinfo(swa, 2).cost, 1);
	cr_assert_eq(stp_set_port_cost(sw_stp(swa), 2, 200000001), -EINVAL);
	cr_assert_eq(stp_set_port_cost(sw_stp(swa), 9, 1), -EINVAL);
	cr_assert_eq(stp_set_timers(sw_stp(swa), 2, 5, 4), -EINVAL);
	cr_assert_eq(sw_set_hub(swa, true), -EBUSY);

	/* off on B: no tree, BPDUs forwarded as multicast; A (still on)
	 * hears its own BPDUs come back once B's information has aged, and
	 * keeps one port to B: no storm */
	cr_assert_eq(stp_set_enabled(sw_stp(swb), false), 0);
	run_ms(5000);
	cr_assert_neq(forwarding(swa, 1), forwarding(swa, 2));
	cr_assert(!strcmp(pinfo(swa, 1).role, "Backup") ||
		  !strcmp(pinfo(swa, 2).role, "Backup"));
	count_tag(hosts[1], 0);
	send(hosts[0], f, bcast(f, 1, 0x33), 0);
	run_ms(200);
	cr_assert_eq(count_tag(hosts[1], 0x33), 1);
	finish();
}

/* The test as a bridge on port 1 of swa: its BPDUs in, swa's read. */
static int peer;

static void send_bpdu(const struct bpdu *b)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t f[BPDU_FRAME_MIN];

	bpdu_encode(b, mac, f);
	cr_assert_eq(send(peer, f, sizeof(f), 0), (ssize_t)sizeof(f));
}

/* The last BPDU swa sent to @fd; false if none. */
static bool last_bpdu_on(int fd, struct bpdu *out)
{
	uint8_t buf[9300];
	bool got = false;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if (n >= 14 && bpdu_is_dst(buf) &&
		    bpdu_decode(buf, (size_t)n, out) == BPDU_OK)
			got = true;
	return got;
}

static bool last_bpdu(struct bpdu *out)
{
	return last_bpdu_on(peer, out);
}

static struct bpdu peer_bpdu(enum bpdu_type t, uint8_t flags)
{
	return (struct bpdu){ .type = t, .flags = flags,
			      .root_id = 0x1000020000000001ULL,
			      .bridge_id = 0x1000020000000001ULL,
			      .port_id = 0x8001, .max_age = 20 * 256,
			      .hello = 2 * 256, .fwd_delay = 15 * 256 };
}

static void settle(void)
{
	long long end = loop_clock_ms() + 60;

	while (loop_clock_ms() < end)
		cr_assert_eq(loop_run_once(loop, 2), 0);
}

Test(stp, proposal_gets_agreement_and_tc_flushes)
{
	struct bpdu b;
	int h;
	uint8_t f[60];

	cr_assert_eq(stp_set_enabled(sw_stp(swa), true), 0);
	cr_assert(pairep_attach(swa, 1, true, &peer));
	cr_assert(pairep_attach(swa, 2, true, &h));
	settle();
	cr_assert(last_bpdu(&b), "BPDUs from the start");
	cr_assert_eq(b.type, BPDU_RST);
	cr_assert_eq(b.root_id, 0x800002000000000aULL, "itself as root");
	cr_assert(forwarding(swa, 1), "edge until a BPDU is heard");

	/* a better root proposes: swa syncs and agrees at once */
	/* all zero: a configuration BPDU whose age is not under max age */
	send_bpdu(&(struct bpdu){ 0 });
	b = peer_bpdu(BPDU_RST, BPDU_F_PROPOSAL | (BPDU_ROLE_DESIGNATED
						   << BPDU_F_ROLE_SHIFT));
	send_bpdu(&b);
	settle();
	cr_assert(last_bpdu(&b));
	cr_assert(b.flags & BPDU_F_AGREEMENT, "flags %#x", b.flags);
	cr_assert_eq((b.flags & BPDU_F_ROLE_MASK) >> BPDU_F_ROLE_SHIFT,
		     BPDU_ROLE_ROOT);
	cr_assert_eq(b.root_id, 0x1000020000000001ULL);
	cr_assert_eq(b.root_cost, STP_DEF_PORT_COST);
	cr_assert(forwarding(swa, 1), "the root port forwards at once");
	cr_assert_not(pinfo(swa, 1).edge);
	cr_assert_eq(pinfo(swa, 1).bpdu_bad, 1, "the zero BPDU: type 0, "
		     "age 0 not under max age 0");

	/* port 2 gets a bridge too, which agrees: not edge, forwarding */
	b = peer_bpdu(BPDU_RST, BPDU_F_AGREEMENT | (BPDU_ROLE_ROOT
						    << BPDU_F_ROLE_SHIFT));
	b.root_cost = 2 * STP_DEF_PORT_COST;
	b.bridge_id = 0x9000020000000002ULL;
	cr_assert_eq(send(h, (bpdu_encode(&b, (const uint8_t *)"\2\0\0\0\0\2",
					  f), f), 60, 0), 60);
	settle();
	cr_assert_str_eq(pinfo(swa, 2).role, "Designated");
	cr_assert_not(pinfo(swa, 2).edge);
	cr_assert(forwarding(swa, 2), "agreed: no forward delay");

	/* a host learned behind port 2, then a topology change from the
	 * root: entries on the other non-edge ports go */
	memset(f, 0, sizeof(f));
	f[0] = 0x02;
	f[5] = 0x01;
	f[6] = 0x02;
	f[11] = 0x77;
	send(h, f, 60, 0);
	settle();
	cr_assert_eq(mactable_count(sw_mactable(swa)), 1);
	b = peer_bpdu(BPDU_RST, BPDU_F_TC | (BPDU_ROLE_DESIGNATED
					     << BPDU_F_ROLE_SHIFT));
	send_bpdu(&b);
	settle();
	cr_assert_eq(mactable_count(sw_mactable(swa)), 0);
	cr_assert(last_bpdu_on(h, &b));
	cr_assert(b.flags & BPDU_F_TC, "propagated: flags %#x", b.flags);
	close(peer);
	close(h);
	finish();
}

Test(stp, legacy_bridge_and_bad_bpdus)
{
	struct bpdu b;
	uint8_t f[BPDU_FRAME_MIN + 1600];
	unsigned i;

	cr_assert_eq(stp_set_enabled(sw_stp(swa), true), 0);
	cr_assert(pairep_attach(swa, 1, true, &peer));
	settle();
	last_bpdu(&b);
	/* an 802.1D bridge that thinks itself root, worse than swa */
	b = peer_bpdu(BPDU_CONFIG, 0);
	b.root_id = b.bridge_id = 0xf000020000000001ULL;
	send_bpdu(&b);
	settle();
	cr_assert_not(pinfo(swa, 1).rstp, "migrated to 802.1D");
	cr_assert(last_bpdu(&b), "answered at once");
	cr_assert_eq(b.type, BPDU_CONFIG);
	cr_assert_eq(b.root_id, 0x800002000000000aULL);
	cr_assert_str_eq(pinfo(swa, 1).role, "Designated");

	/* malformed: counted, ignored, never forwarded */
	for (i = 0; i < 50; i++) {
		size_t len = 14 + i * 31 % 1600;

		memset(f, (int)i, sizeof(f));
		bpdu_encode(&b, (const uint8_t *)"\2\0\0\0\0\1", f);
		f[13 + i % 8] ^= (uint8_t)(i + 1);
		if (len < 14)
			len = 14;
		send(peer, f, len, 0);
	}
	settle();
	cr_assert_gt(pinfo(swa, 1).bpdu_bad, 30);
	finish();
}
