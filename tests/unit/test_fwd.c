/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_fwd.c - the forwarding engine with fake endpoints: hub and switch
 * delivery, tag insertion and stripping on the bytes, padding, the 9234-byte
 * limit after tagging, output queueing when a socket is full.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "fwd.h"
#include "loop.h"
#include "mactable.h"
#include "port.h"
#include "sw.h"
#include "swcore.h"
#include "vdewire.h"
#include "vlan.h"

#define MAXOUT 64

struct fake {
	struct endpoint ep;
	int full;		/* send() says EAGAIN while set */
	bool zero;		/* send() says 0 (a faulty backend) */
	int want_fails;		/* want_write() fails with this */
	unsigned echo;		/* frames sent back per frame taken */
	unsigned closed;	/* ops->close calls */
	bool want;
	unsigned n;
	size_t len[MAXOUT];
	uint8_t data[MAXOUT][VDE_FRAME_MAX + 8];
};

static int depth, max_depth;
static uint8_t echo_frame[60];

/* Like libslirp: input produced synchronously, from inside send(). */
static void fake_echo(struct fake *f)
{
	struct iovec iov = { echo_frame, sizeof(echo_frame) };
	unsigned k;

	memset(echo_frame, 0xff, 6);
	memset(echo_frame + 6, 0x02, 6);
	echo_frame[11] = 0x77;
	memset(echo_frame + 12, 0x08, 48);
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	for (k = 0; k < f->echo; k++)
		fwd_input_iov(&f->ep, &iov, 1);
	depth--;
}

static int fake_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct fake *f = (struct fake *)ep;
	unsigned i;

	if (f->full)
		return -EAGAIN;
	if (f->zero)
		return 0;
	if (f->echo)
		fake_echo(f);
	for (i = 0; i < n && f->n < MAXOUT; i++) {
		struct msghdr *h = &msgs[i].msg_hdr;
		size_t k, off = 0;

		for (k = 0; k < h->msg_iovlen; k++) {
			memcpy(f->data[f->n] + off, h->msg_iov[k].iov_base,
			       h->msg_iov[k].iov_len);
			off += h->msg_iov[k].iov_len;
		}
		f->len[f->n++] = off;
	}
	return (int)i;
}

static int fake_want(struct endpoint *ep, bool on)
{
	struct fake *f = (struct fake *)ep;

	if (f->want_fails)
		return f->want_fails;
	f->want = on;
	return 0;
}

static void fake_close(struct endpoint *ep)
{
	((struct fake *)ep)->closed++;
}

static const struct endpoint_ops fake_ops = {
	.kind = "fake",
	.pad = true,
	.send = fake_send,
	.want_write = fake_want,
	.close = fake_close,
};

static const struct endpoint_ops fake_ops_nopad = {
	.kind = "fake",
	.pad = false,
	.send = fake_send,
	.want_write = fake_want,
	.close = fake_close,
};

static struct loop *loop;
static struct sw *sw;
static struct fake fk[8];

static struct sw *mk_sw(bool hub)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = 16;
	cfg.hub = hub;
	cfg.hashsize = 64;
	cfg.maxmac = 1024;
	cfg.queue_frames = 8;
	cfg.queue_bytes = 1 << 20;
	cfg.queue_memory = 1 << 30;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
	return sw;
}

static void plug(unsigned i, unsigned port, const struct endpoint_ops *ops)
{
	struct port *p = port_get(sw, port);

	memset(&fk[i], 0, sizeof(fk[i]));
	fk[i].ep.ops = ops;
	cr_assert_eq(port_attach(sw, p, &fk[i].ep), 0);
}

static void teardown(void)
{
	unsigned i;

	if (!sw)
		return;
	for (i = 0; i < 8; i++) {
		if (fk[i].ep.port)
			port_detach(sw, &fk[i].ep);
		memset(&fk[i], 0, sizeof(fk[i]));
	}
	sw_destroy(sw);
	loop_destroy(loop);
	sw = NULL;
	loop = NULL;
}

/* The end of a passing test: tear down, then nothing may be left. */
static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(fwd, .fini = teardown);

static uint8_t rxbuf[4][VDE_FRAME_MAX + 8];

/* A frame from @src to @dst, @len bytes; @vid >= 0 adds a tag. */
static struct iovec mk(unsigned slot, uint8_t dst, uint8_t src, size_t len,
		       int vid)
{
	uint8_t *b = rxbuf[slot];

	memset(b, 0xab, len);
	memset(b, dst == 0xff ? 0xff : 0, 6);
	b[0] = dst == 0xff ? 0xff : 0x02;
	b[5] = dst;
	memset(b + 6, 0, 6);
	b[6] = 0x02;
	b[11] = src;
	if (vid >= 0) {
		b[12] = 0x81;
		b[13] = 0x00;
		b[14] = (uint8_t)(0xe0 | (vid >> 8)); /* PCP 7: kept as is */
		b[15] = (uint8_t)vid;
		b[16] = 0x08;
		b[17] = 0x00;
	} else {
		b[12] = 0x08;
		b[13] = 0x00;
	}
	return (struct iovec){ .iov_base = b, .iov_len = len };
}

Test(fwd, hub_delivers_everywhere_unchanged)
{
	struct iovec f;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	plug(2, 0, &fake_ops);
	f = mk(0, 0x42, 1, 100, 20);	/* tags ignored in a hub */
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[0].n, 0);
	cr_assert_eq(fk[1].n, 1);
	cr_assert_eq(fk[2].n, 1, "port 0 receives in hub mode");
	cr_assert_eq(fk[1].len[0], 100);
	cr_assert_eq(memcmp(fk[1].data[0], rxbuf[0], 100), 0);
	finish();
}

Test(fwd, short_frame_padded_with_zeros_unless_tap)
{
	struct iovec f;
	size_t i;

	mk_sw(false);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	plug(2, 3, &fake_ops_nopad);
	f = mk(0, 0xff, 1, 14, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].len[0], 60);
	cr_assert_eq(memcmp(fk[1].data[0], rxbuf[0], 14), 0);
	for (i = 14; i < 60; i++)
		cr_assert_eq(fk[1].data[0][i], 0);
	cr_assert_eq(fk[2].len[0], 14, "no padding where ops->pad is false");
	finish();
}

Test(fwd, tag_inserted_and_stripped_on_the_bytes)
{
	struct iovec f;

	mk_sw(false);
	cr_assert_eq(vlan_create(sw->vt, 10), 0);
	/* port 11: tagged member of 10; port 12: untagged 10; port 13 plain */
	plug(0, 11, &fake_ops);
	plug(1, 12, &fake_ops);
	plug(2, 13, &fake_ops);
	cr_assert_eq(vlan_add_tagged(sw->vt, 11, 10), 0);
	cr_assert_eq(vlan_set_untagged(sw->vt, 12, 10), 0);

	/* untagged broadcast from 12: to 11 with 81 00 00 0a inserted */
	f = mk(0, 0xff, 12, 60, -1);
	fwd_input_iov(&fk[1].ep, &f, 1);
	cr_assert_eq(fk[0].n, 1);
	cr_assert_eq(fk[2].n, 0);
	cr_assert_eq(fk[0].len[0], 64);
	cr_assert_eq(memcmp(fk[0].data[0], rxbuf[0], 12), 0);
	cr_assert_eq(memcmp(fk[0].data[0] + 12, "\x81\x00\x00\x0a", 4), 0);
	cr_assert_eq(memcmp(fk[0].data[0] + 16, rxbuf[0] + 12, 48), 0);

	/* tagged VID 10 from 11: to 12 with the tag removed, padded to 60 */
	f = mk(1, 0xff, 11, 62, 10);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].n, 1);
	cr_assert_eq(fk[2].n, 0);
	cr_assert_eq(fk[1].len[0], 60);
	cr_assert_eq(memcmp(fk[1].data[0], rxbuf[1], 12), 0);
	cr_assert_eq(memcmp(fk[1].data[0] + 12, rxbuf[1] + 16, 46), 0);
	cr_assert_eq(fk[1].data[0][58], 0);
	cr_assert_eq(fk[1].data[0][59], 0);

	/* untagged from 11: VLAN 0, to 13 only */
	f = mk(2, 0xff, 11, 60, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[2].n, 1);
	cr_assert_eq(fk[1].n, 1);

	/* VID 20 from 11 and VID 10 from 13: dropped and counted */
	f = mk(3, 0xff, 11, 60, 20);
	fwd_input_iov(&fk[0].ep, &f, 1);
	f = mk(3, 0xff, 13, 60, 10);
	fwd_input_iov(&fk[2].ep, &f, 1);
	cr_assert_eq(fk[1].n + fk[2].n + fk[0].n, 3);
	cr_assert_eq(fk[0].ep.port->c.drop_vlan, 1);
	cr_assert_eq(fk[2].ep.port->c.drop_vlan, 1);
	finish();
}

Test(fwd, trunk_keeps_tag_as_is)
{
	struct iovec f;

	mk_sw(false);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	cr_assert_eq(vlan_set_trunk(sw->vt, 1, true), 0);
	cr_assert_eq(vlan_set_trunk(sw->vt, 2, true), 0);
	f = mk(0, 0xff, 1, 100, 777);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].n, 1);
	cr_assert_eq(fk[1].len[0], 100);
	cr_assert_eq(memcmp(fk[1].data[0], rxbuf[0], 100), 0,
		     "PCP bits and VID untouched");
	finish();
}

Test(fwd, oversized_after_tagging_dropped_and_counted)
{
	struct iovec f;

	mk_sw(false);
	cr_assert_eq(vlan_create(sw->vt, 10), 0);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	plug(2, 3, &fake_ops);
	cr_assert_eq(vlan_set_untagged(sw->vt, 1, 10), 0);
	cr_assert_eq(vlan_add_tagged(sw->vt, 2, 10), 0);
	cr_assert_eq(vlan_set_untagged(sw->vt, 3, 10), 0);
	f = mk(0, 0xff, 1, VDE_FRAME_MAX, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].n, 0, "9234 + 4 bytes is too long");
	cr_assert_eq(fk[1].ep.port->c.drop_tagged_long, 1);
	cr_assert_eq(fk[2].n, 1, "the untagged copy still goes");
	cr_assert_eq(fk[2].len[0], VDE_FRAME_MAX);
	finish();
}

Test(fwd, learning_then_unicast_and_own_port_drop)
{
	struct iovec f;

	mk_sw(false);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	plug(2, 3, &fake_ops);
	f = mk(0, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(mactable_lookup(sw->mt, rxbuf[0] + 6, 0), 1);
	f = mk(1, 1, 2, 60, -1);	/* to MAC 02..01, learned on port 1 */
	fwd_input_iov(&fk[1].ep, &f, 1);
	cr_assert_eq(fk[0].n, 1);
	cr_assert_eq(fk[2].n, 1, "only the first broadcast");
	f = mk(1, 1, 9, 60, -1);	/* to port 1's MAC, from port 1 */
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].n, 1);
	cr_assert_eq(fk[2].n, 1);
	/* port 1 leaving forgets only its own MACs */
	port_detach(sw, &fk[0].ep);
	cr_assert_lt(mactable_lookup(sw->mt, rxbuf[0] + 6, 0), 0);
	cr_assert_eq(mactable_lookup(sw->mt, (uint8_t[]){ 2, 0, 0, 0, 0, 2 },
				     0), 2);
	finish();
}

Test(fwd, full_socket_queues_then_drains_in_order)
{
	struct iovec f[12];
	unsigned i;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	fk[1].full = 1;
	for (i = 0; i < 4; i++) {
		f[i] = mk(i, 0xff, 1, 60, -1);
		rxbuf[i][20] = (uint8_t)i;
	}
	fwd_input_iov(&fk[0].ep, f, 4);
	cr_assert_eq(fk[1].n, 0);
	cr_assert(fk[1].want, "EPOLLOUT requested");
	cr_assert_eq(fk[1].ep.q.frames, 4);
	/* 8 more: 4 fit the 8-frame queue, 4 are dropped and counted */
	for (i = 0; i < 8; i++) {
		f[i] = mk(i % 4, 0xff, 1, 60, -1);
		rxbuf[i % 4][20] = (uint8_t)(4 + i);
	}
	fwd_input_iov(&fk[0].ep, f, 4);
	fwd_input_iov(&fk[0].ep, f + 4, 4);
	cr_assert_eq(fk[1].ep.q.frames, 8);
	cr_assert_eq(fk[1].ep.port->c.drop_queue, 4);
	fk[1].full = 0;
	fwd_drain(&fk[1].ep);
	cr_assert_eq(fk[1].n, 8);
	cr_assert(!fk[1].want);
	for (i = 0; i < 4; i++)
		cr_assert_eq(fk[1].data[i][20], i, "queued in order");
	finish();
}

Test(fwd, more_endpoints_than_slots)
{
	static struct fake many[80];
	struct iovec f;
	unsigned i;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	for (i = 0; i < 80; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		many[i].ep.ops = &fake_ops;
		cr_assert_eq(port_attach(sw, port_get(sw, 2 + i % 14),
					 &many[i].ep), 0);
	}
	f = mk(0, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	for (i = 0; i < 80; i++) {
		cr_assert_eq(many[i].n, 1);
		port_detach(sw, &many[i].ep);
	}
	finish();
}

/* A send() that says 0: one meaning in the flush and the drain (a failed
 * frame, counted), never a loop. */
Test(fwd, send_returning_zero_never_spins, .timeout = 10)
{
	struct iovec f[4];
	unsigned i;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	fk[1].zero = true;
	f[0] = mk(0, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, f, 1);
	cr_assert_eq(fk[1].ep.port->c.drop_send, 1);
	cr_assert_eq(fk[1].ep.q.frames, 0, "not queued");

	/* queued while full, then the drain meets the zeros */
	fk[1].zero = false;
	fk[1].full = 1;
	for (i = 0; i < 4; i++)
		f[i] = mk(i, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, f, 4);
	cr_assert_eq(fk[1].ep.q.frames, 4);
	fk[1].full = 0;
	fk[1].zero = true;
	fwd_drain(&fk[1].ep);
	cr_assert_eq(fk[1].ep.q.frames, 0);
	cr_assert_eq(fk[1].ep.port->c.drop_send, 5);
	cr_assert_eq(fk[1].ep.port->c.out_pkts, 0);
	finish();
}

/* Output counters count what was delivered: a copy dropped at a full queue
 * is a queue drop, not a sent frame. */
Test(fwd, out_counted_on_delivery)
{
	struct iovec f[4];
	struct port *p2;
	unsigned i;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	p2 = fk[1].ep.port;
	fk[1].full = 1;
	for (i = 0; i < 4; i++)
		f[i] = mk(i, 0xff, 1, 100, -1);
	fwd_input_iov(&fk[0].ep, f, 4);
	fwd_input_iov(&fk[0].ep, f, 4);
	fwd_input_iov(&fk[0].ep, f, 4);		/* 12 copies, room for 8 */
	cr_assert_eq(p2->c.out_pkts, 0);
	cr_assert_eq(p2->c.drop_queue, 4);
	fk[1].full = 0;
	fwd_drain(&fk[1].ep);
	cr_assert_eq(p2->c.out_pkts, 8);
	cr_assert_eq(p2->c.out_bytes, 800);
	fwd_input_iov(&fk[0].ep, f, 1);
	cr_assert_eq(p2->c.out_pkts, 9);
	finish();
}

/* want_write() failing: the queue would never drain, so the endpoint is
 * closed, by the core, after the batch. */
Test(fwd, want_write_failure_closes_the_endpoint)
{
	struct iovec f;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	fk[1].full = 1;
	fk[1].want_fails = -EBADF;
	f = mk(0, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].closed, 0, "not inside forwarding");
	cr_assert(fk[1].ep.closing);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].ep.q.frames, 1, "no more frames for it");
	loop_run_deferred(loop);
	cr_assert_eq(fk[1].closed, 1);
	cr_assert_null(fk[1].ep.port);
	cr_assert_eq(sw->nactive, 1);
	finish();
}

/* Input produced inside send() is held and forwarded after the batch:
 * forwarding never re-enters itself; past the bound, drops are counted. */
Test(fwd, reentrant_input_held_until_the_batch_is_done)
{
	struct iovec f;

	mk_sw(true);
	plug(0, 1, &fake_ops);
	plug(1, 2, &fake_ops);
	fk[1].echo = 1;
	depth = max_depth = 0;
	f = mk(0, 0xff, 1, 60, -1);
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(max_depth, 1, "forwarding re-entered");
	cr_assert_eq(fk[0].n, 1, "the echo reached port 1 after the batch");
	cr_assert_eq(fk[0].data[0][11], 0x77);
	cr_assert_eq(fk[1].ep.port->c.in_pkts, 1);

	fk[1].echo = 100;
	fwd_input_iov(&fk[0].ep, &f, 1);
	cr_assert_eq(fk[1].ep.port->c.in_pkts, 1 + 64, "64 held, forwarded");
	cr_assert_eq(fk[1].ep.port->c.drop_reentry, 36);
	cr_assert_eq(max_depth, 1);
	finish();
}
