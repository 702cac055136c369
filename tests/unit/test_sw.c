/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_sw.c - the switch through its seams: a real backend (a socketpair,
 * pairbackend.c) on a real event loop, with the core doing size checks,
 * counters, VLANs, queues and teardown; the front-end API (sw.h) keeping
 * each module's rules; timers.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "fwd.h"
#include "loop.h"
#include "mactable.h"
#include "pairbackend.h"
#include "port.h"
#include "sw.h"
#include "vdewire.h"
#include "vlan.h"

static struct loop *loop;
static struct sw *sw;

static void setup(void)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = 8;
	cfg.hashsize = 64;
	cfg.queue_frames = 16;
	cfg.queue_trim_ms = 20;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
	pairep_closed = 0;
}

static void teardown(void)
{
	sw_destroy(sw);
	loop_destroy(loop);
	sw = NULL;
	loop = NULL;
}

static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(sw, .init = setup, .fini = teardown, .timeout = 20);

/* Run the loop until nothing happens for a few ms. */
static void settle(void)
{
	long long end = loop_clock_ms() + 50;

	while (loop_clock_ms() < end)
		cr_assert_eq(loop_run_once(loop, 5), 0);
}

static size_t frame(uint8_t *b, uint8_t dst, uint8_t src, size_t len)
{
	memset(b, 0x5a, len);
	if (len >= 12) {
		memset(b, dst == 0xff ? 0xff : 0, 6);
		if (dst != 0xff) {
			b[0] = 0x02;
			b[5] = dst;
		}
		memset(b + 6, 0, 6);
		b[6] = 0x02;
		b[11] = src;
	}
	return len;
}

static ssize_t get(int fd, uint8_t *buf, size_t len)
{
	return recv(fd, buf, len, MSG_DONTWAIT);
}

static const struct port_counters *ctr(unsigned num)
{
	return &sw_port(sw, num)->c;
}

Test(sw, backend_sizes_counters_and_padding)
{
	static uint8_t f[VDE_FRAME_MAX + 100], g[VDE_FRAME_MAX + 100];
	int a, b, t;
	size_t len;
	unsigned i;

	cr_assert(pairep_attach(sw, 1, true, &a));
	cr_assert(pairep_attach(sw, 2, true, &b));
	cr_assert(pairep_attach(sw, 3, false, &t));

	/* 0..13 bytes (0-byte datagrams too) and 9235.. are dropped */
	for (len = 0; len < VDE_FRAME_MIN; len++)
		cr_assert_eq(send(a, f, frame(f, 0xff, 1, len), 0),
			     (ssize_t)len);
	cr_assert_eq(send(a, f, frame(f, 0xff, 1, VDE_FRAME_MAX + 1), 0),
		     VDE_FRAME_MAX + 1);
	cr_assert_eq(send(a, f, frame(f, 0xff, 1, VDE_FRAME_MAX + 99), 0),
		     VDE_FRAME_MAX + 99);
	/* 14, 60, 9234: forwarded */
	send(a, f, frame(f, 0xff, 1, 14), 0);
	send(a, f, frame(f, 0xff, 1, 60), 0);
	send(a, f, frame(f, 0xff, 1, VDE_FRAME_MAX), 0);
	settle();

	cr_assert_eq(ctr(1)->drop_short, VDE_FRAME_MIN, "0..13: %llu",
		     (unsigned long long)ctr(1)->drop_short);
	cr_assert_eq(ctr(1)->drop_long, 2);
	cr_assert_eq(ctr(1)->in_pkts, 3);
	cr_assert_eq(ctr(1)->in_bytes, 14 + 60 + VDE_FRAME_MAX);
	cr_assert_eq(get(b, g, sizeof(g)), 60, "padded on a VDE-like port");
	for (i = 14; i < 60; i++)
		cr_assert_eq(g[i], 0);
	cr_assert_eq(get(b, g, sizeof(g)), 60);
	cr_assert_eq(get(b, g, sizeof(g)), VDE_FRAME_MAX);
	cr_assert_eq(get(t, g, sizeof(g)), 14, "a TAP-like port: unpadded");
	cr_assert_eq(ctr(2)->out_pkts, 3);
	cr_assert_eq(ctr(2)->out_bytes, 60 + 60 + VDE_FRAME_MAX);
	cr_assert_eq(ctr(3)->out_bytes, 14 + 60 + VDE_FRAME_MAX);
	cr_assert_eq(get(a, g, sizeof(g)), -1, "no echo");

	close(a);
	close(b);
	close(t);
	finish();
}

Test(sw, backend_vlans_and_learning)
{
	uint8_t f[200], g[200];
	int a, b, c;

	cr_assert_eq(sw_vlan_create(sw, 10), 0);
	cr_assert(pairep_attach(sw, 1, true, &a));
	cr_assert(pairep_attach(sw, 2, true, &b));
	cr_assert(pairep_attach(sw, 3, true, &c));
	cr_assert_eq(sw_port_set_vlan(sw, 1, 10), 0);
	cr_assert_eq(sw_vlan_add_port(sw, 10, 2), 0);

	/* untagged from 1 (VLAN 10): tagged to 2, nothing to 3 */
	send(a, f, frame(f, 0xff, 1, 100), 0);
	settle();
	cr_assert_eq(get(b, g, sizeof(g)), 104);
	cr_assert_eq(memcmp(g + 12, "\x81\x00\x00\x0a", 4), 0);
	cr_assert_eq(get(c, g, sizeof(g)), -1);
	cr_assert_eq(mactable_lookup(sw_mactable(sw), f + 6, 10), 1);

	/* moving port 1 to VLAN 0 forgets its VLAN 10 entries only */
	send(c, f, frame(f, 0xff, 3, 100), 0);
	settle();
	cr_assert_eq(mactable_lookup(sw_mactable(sw), f + 6, 0), 3);
	cr_assert_eq(sw_port_set_vlan(sw, 1, 0), 0);
	cr_assert_lt(mactable_lookup(sw_mactable(sw),
				     (uint8_t[]){ 2, 0, 0, 0, 0, 1 }, 10), 0);
	cr_assert_eq(mactable_lookup(sw_mactable(sw), f + 6, 0), 3);
	close(a);
	close(b);
	close(c);
	finish();
}

Test(sw, full_peer_queues_drains_and_ring_released)
{
	uint8_t f[1500], g[1500];
	int a, b, sent = 0, got = 0;
	struct endpoint *eb;
	struct pairep *pb;

	cr_assert(pairep_attach(sw, 1, true, &a));
	pb = pairep_attach(sw, 2, true, &b);
	cr_assert(pb);
	eb = pairep_endpoint(pb);
	/* fill b's receive side until the switch must queue */
	while (eb->q.frames == 0 && sent < 10000) {
		send(a, f, frame(f, 0xff, 1, 1000), 0);
		sent++;
		cr_assert_eq(loop_run_once(loop, 0), 0);
	}
	cr_assert_gt(eb->q.frames, 0, "the socket never filled");
	cr_assert_gt(sw_queue_memory(sw), 0);
	/* read everything: EPOLLOUT drains the queue in order */
	while (got < sent) {
		ssize_t n = get(b, g, sizeof(g));

		if (n < 0) {
			cr_assert_eq(loop_run_once(loop, 100), 0);
			continue;
		}
		cr_assert_eq(n, 1000);
		got++;
	}
	cr_assert_eq(ctr(2)->out_pkts, (uint64_t)sent);
	cr_assert_eq(ctr(2)->drop_queue, 0);
	/* idle for two trim periods: the ring goes */
	for (int i = 0; i < 40 && sw_queue_memory(sw); i++)
		cr_assert_eq(loop_run_once(loop, 10), 0);
	cr_assert_eq(sw_queue_memory(sw), 0);
	close(a);
	close(b);
	finish();
}

Test(sw, core_closes_endpoints)
{
	uint8_t f[100];
	int a, b, c, id;

	cr_assert(pairep_attach(sw, 1, true, &a));
	cr_assert(pairep_attach(sw, 1, true, &b));
	cr_assert_eq(sw_port(sw, 1)->neps, 2);
	id = sw_port(sw, 1)->eps->next->id;	/* a's: newest first */
	cr_assert_eq(sw_port_close_endpoint(sw, 1, id + 100), -ENXIO);
	cr_assert_eq(sw_port_remove(sw, 1), -EADDRINUSE);
	cr_assert_eq(sw_port_close_endpoint(sw, 1, id), 0);
	cr_assert_eq(pairep_closed, 1);
	cr_assert_eq(sw_port(sw, 1)->neps, 1);
	/* the ids are the core's: the freed one is given again */
	close(a);
	cr_assert(pairep_attach(sw, 2, true, &a));
	cr_assert_eq(sw_port(sw, 2)->eps->id, id);
	send(b, f, frame(f, 0xff, 9, 60), 0);
	settle();
	cr_assert_eq(ctr(1)->in_pkts, 1);
	/* a close asked for during a batch, then one from the console:
	 * closed once, at the end of the batch */
	endpoint_close(pairep_endpoint(pairep_attach(sw, 3, true, &c)));
	cr_assert_eq(sw_port_close_endpoint(sw, 3, sw_port(sw, 3)->eps->id), 0);
	cr_assert_eq(pairep_closed, 1);
	loop_run_deferred(loop);
	cr_assert_eq(pairep_closed, 2);
	cr_assert_eq(sw_port(sw, 3)->neps, 0);
	close(c);
	/* the switch going closes the rest through ops->close */
	teardown();
	cr_assert_eq(pairep_closed, 4);
	close(a);
	close(b);
	leak_check();
}

Test(sw, front_end_rules)
{
	int a;

	cr_assert_eq(sw_port_create(sw, 4), 0);
	cr_assert_eq(sw_port_create(sw, 4), -EEXIST);
	cr_assert_not(sw_port(sw, 4)->allocatable);
	cr_assert_eq(sw_port_create(sw, 9), -EINVAL);
	cr_assert_eq(sw_port_set_user(sw, 5, 65534), 0, "created on use");
	cr_assert_eq(sw_port(sw, 5)->acl_user, 65534);
	cr_assert_eq(sw_port_remove(sw, 5), 0);
	cr_assert_null(sw_port(sw, 5));
	cr_assert_eq(sw_port_remove(sw, 5), -ENXIO);

	/* port count: every table together; active ports are kept */
	cr_assert(pairep_attach(sw, 6, true, &a));
	cr_assert_eq(sw_set_nports(sw, 5), -EADDRINUSE);
	cr_assert_eq(sw_set_nports(sw, 100), 0);
	cr_assert_eq(sw_nports(sw), 100);
	cr_assert_eq(sw_vlan_create(sw, 4094), 0);
	cr_assert_eq(sw_port_set_vlan(sw, 100, 4094), 0);
	cr_assert_eq(vlan_get_untagged(sw_vlans(sw), 100), 4094);
	cr_assert_eq(sw_set_nports(sw, 6), 0);
	cr_assert_eq(sw_port_set_vlan(sw, 100, 4094), -EINVAL);
	cr_assert_eq(sw_vlan_remove(sw, 4094), 0, "port 100 went");
	cr_assert_eq(sw_port(sw, 6)->neps, 1);

	cr_assert_eq(sw_set_hub(sw, true), 0);
	cr_assert(sw_is_hub(sw));
	cr_assert_eq(sw_port_reset_counters(sw, 3), -ENXIO);
	cr_assert_eq(sw_port_reset_counters(sw, SW_ALL_PORTS), 0);
	cr_assert_eq(sw_hash_set_gcint(sw, 0), -EINVAL);
	cr_assert_eq(sw_hash_set_gcint(sw, 7), 0);
	cr_assert_eq(sw_gcint(sw), 7);
	cr_assert_eq(sw_port_next(sw, NULL)->num, 4);
	cr_assert_eq(sw_port_next(sw, sw_port(sw, 4))->num, 6);
	cr_assert_null(sw_port_next(sw, sw_port(sw, 6)));
	close(a);
	finish();
}

/* Timers: any number, in expiry order, re-armed and disarmed. */
static struct loop_timer tt[5];
static int fired[5], nfired;

static void tcb(struct loop_timer *t)
{
	fired[nfired++] = (int)(t - tt);
}

Test(sw, timers)
{
	static const unsigned ms[5] = { 40, 10, 30, 20, 50 };
	long long end = loop_clock_ms() + 2000;
	unsigned i;

	for (i = 0; i < 5; i++) {
		loop_timer_init(&tt[i], tcb);
		cr_assert_eq(loop_timer_add(loop, &tt[i], ms[i]), 0);
	}
	loop_timer_del(loop, &tt[4]);
	cr_assert_not(loop_timer_armed(&tt[4]));
	cr_assert_eq(loop_timer_mod(loop, &tt[0], 5), 0);
	while (nfired < 4 && loop_clock_ms() < end)
		cr_assert_eq(loop_run_once(loop, -1), 0);
	cr_assert_eq(nfired, 4);
	cr_assert_eq(fired[0], 0);
	cr_assert_eq(fired[1], 1);
	cr_assert_eq(fired[2], 3);
	cr_assert_eq(fired[3], 2);
	for (i = 0; i < 5; i++)
		cr_assert_not(loop_timer_armed(&tt[i]));
	finish();
}

/* Events reach listeners: port and endpoint comings and goings, MAC
 * addresses learned, moved and gone. */
static unsigned nev[SW_EV_MAC_MOVE + 1];
static struct sw_event last_ev;

static void listen_cb(struct sw_listener *l, const struct sw_event *ev)
{
	(void)l;
	nev[ev->type]++;
	last_ev = *ev;
}

Test(sw, events_reach_listeners)
{
	struct sw_listener l = { .fn = listen_cb };
	uint8_t f[100];
	int a, b, c, id;

	memset(nev, 0, sizeof(nev));
	cr_assert(pairep_attach(sw, 1, true, &a));	/* before: unheard */
	sw_listener_add(sw, &l);
	cr_assert(pairep_attach(sw, 2, true, &b));
	cr_assert_eq(nev[SW_EV_PORT_UP], 1);
	cr_assert_eq(nev[SW_EV_EP_ATTACH], 1);
	cr_assert_eq(last_ev.port, 2);
	cr_assert(pairep_attach(sw, 3, true, &c));
	cr_assert_eq(sw_hash_set_minpers(sw, 0), 0);
	send(a, f, frame(f, 0xff, 1, 60), 0);
	settle();
	cr_assert_eq(nev[SW_EV_MAC_NEW], 1);
	cr_assert_eq(last_ev.mac[5], 1);
	send(c, f, frame(f, 0xff, 1, 60), 0);		/* MAC 1 moves to 3 */
	settle();
	cr_assert_eq(nev[SW_EV_MAC_MOVE], 1);
	cr_assert_eq(last_ev.old_port, 1);
	cr_assert_eq(last_ev.port, 3);
	id = sw_port(sw, 3)->eps->id;
	cr_assert_eq(sw_port_close_endpoint(sw, 3, id), 0);
	cr_assert_eq(nev[SW_EV_EP_DETACH], 1);
	cr_assert_eq(nev[SW_EV_PORT_DOWN], 1);
	cr_assert_eq(nev[SW_EV_MAC_GONE], 1, "port 3's MAC forgotten");
	sw_listener_del(sw, &l);
	cr_assert_eq(sw_port_close_endpoint(sw, 2, sw_port(sw, 2)->eps->id),
		     0);
	cr_assert_eq(nev[SW_EV_EP_DETACH], 1, "not told any more");
	close(a);
	close(b);
	close(c);
	finish();
}
