/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_mirror.c - port mirroring and pcap capture with fake endpoints:
 * rx and tx copies as on the mirrored port's wire, no learning from
 * copies or on a mirror port, the refusals (itself, cycles, unknown
 * ports), edges forgotten with their port (and never used after it); the pcap bytes, snaplen,
 * a full disk stopping the capture while forwarding goes on, a reader
 * that does not read costing drops, not a stall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "capture.h"
#include "fwd.h"
#include "loop.h"
#include "mactable.h"
#include "mirror.h"
#include "port.h"
#include "sw.h"
#include "swcore.h"
#include "vdewire.h"
#include "vlan.h"

#define MAXOUT 16

/* An endpoint that keeps what it is sent. */
struct sink {
	struct endpoint ep;
	unsigned n;
	size_t len[MAXOUT];
	uint8_t data[MAXOUT][128];
};

static int sink_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct sink *s = (struct sink *)ep;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct msghdr *h = &msgs[i].msg_hdr;
		size_t k, off = 0;

		for (k = 0; k < h->msg_iovlen; k++) {
			size_t l = h->msg_iov[k].iov_len;

			if (s->n < MAXOUT && off + l <= sizeof(s->data[0]))
				memcpy(s->data[s->n] + off,
				       h->msg_iov[k].iov_base, l);
			off += l;
		}
		if (s->n < MAXOUT)
			s->len[s->n++] = off;
	}
	return (int)n;
}

static int sink_want(struct endpoint *ep, bool on)
{
	(void)ep;
	(void)on;
	return 0;
}

static void sink_close(struct endpoint *ep)
{
	(void)ep;
}

static const struct endpoint_ops sink_ops = {
	.kind = "sink",
	.pad = false,
	.send = sink_send,
	.want_write = sink_want,
	.close = sink_close,
};

static struct loop *loop;
static struct sw *sw;
static struct sink sk[4];
static char dir[] = "/tmp/test_mirror.XXXXXX";
static bool have_dir;

static void mk_sw(void)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = 8;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
}

/* Sink @i on port @port. */
static void plug(unsigned i, unsigned port)
{
	memset(&sk[i], 0, sizeof(sk[i]));
	sk[i].ep.ops = &sink_ops;
	cr_assert_eq(port_attach(sw, port_get(sw, port), &sk[i].ep), 0);
}

static void teardown(void)
{
	unsigned i;

	if (sw) {
		for (i = 0; i < 4; i++)
			if (sk[i].ep.port)
				port_detach(sw, &sk[i].ep);
		sw_destroy(sw);
		loop_destroy(loop);
	}
	sw = NULL;
	loop = NULL;
	if (have_dir) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		cr_expect_eq(system(cmd), 0);
		have_dir = false;
		strcpy(dir, "/tmp/test_mirror.XXXXXX");
	}
}

static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(mirror, .fini = teardown);

static uint8_t fbuf[4][128];

/* A 60-byte frame from MAC ...:@src to MAC ...:@dst (0xff: broadcast). */
static void send_from(unsigned i, unsigned slot, uint8_t dst, uint8_t src)
{
	uint8_t *b = fbuf[slot];
	struct iovec iov = { b, 60 };

	memset(b, 0x5a, 60);
	memset(b, dst == 0xff ? 0xff : 0, 6);
	if (dst != 0xff) {
		b[0] = 0x02;
		b[5] = dst;
	}
	memset(b + 6, 0, 6);
	b[6] = 0x02;
	b[11] = src;
	b[12] = 0x08;
	b[13] = 0x00;
	fwd_input_iov(&sk[i].ep, &iov, 1);
}

static const uint8_t *mac(uint8_t last)
{
	static uint8_t m[6];

	memset(m, 0, 6);
	m[0] = 0x02;
	m[5] = last;
	return m;
}

Test(mirror, rx_and_tx_copies_as_on_the_wire)
{
	char err[256];

	mk_sw();
	plug(0, 1);
	plug(1, 2);
	plug(2, 3);	/* the mirror port */
	cr_assert_eq(vlan_create(sw->vt, 10), 0);
	cr_assert_eq(vlan_add_tagged(sw->vt, 1, 10), 0);
	cr_assert_eq(vlan_set_untagged(sw->vt, 2, 10), 0);
	cr_assert_eq(sw_port_mirror(sw, 1, 3, MIRROR_BOTH, err, sizeof(err)),
		     0, "%s", err);

	/* 2 (untagged in VLAN 10) -> broadcast: 1 gets it tagged, and the
	 * tx copy on 3 is that tagged frame */
	send_from(1, 0, 0xff, 2);
	cr_assert_eq(sk[0].n, 1);
	cr_assert_eq(sk[0].len[0], 64);
	cr_assert_eq(sk[2].n, 1);
	cr_assert_eq(sk[2].len[0], 64);
	cr_assert_eq(memcmp(sk[2].data[0], sk[0].data[0], 64), 0);
	cr_assert_eq(memcmp(sk[2].data[0] + 12, "\x81\x00\x00\x0a", 4), 0);

	/* 1 sends unicast to 2 (tagged 10): the rx copy on 3 keeps the tag,
	 * 2 gets it untagged */
	{
		uint8_t *b = fbuf[1];
		struct iovec iov = { b, 64 };

		memset(b, 0x11, 64);
		memcpy(b, mac(2), 6);
		memcpy(b + 6, mac(1), 6);
		memcpy(b + 12, "\x81\x00\x00\x0a\x08\x00", 6);
		fwd_input_iov(&sk[0].ep, &iov, 1);
		cr_assert_eq(sk[1].n, 1);
		cr_assert_eq(sk[1].len[0], 60);
		cr_assert_eq(sk[2].n, 2);
		cr_assert_eq(sk[2].len[1], 64);
		cr_assert_eq(memcmp(sk[2].data[1], b, 64), 0);
	}
	/* counted apart on the mirror port, and also as its output */
	cr_assert_eq(sw_port(sw, 3)->c.mirror_pkts, 2);
	cr_assert_eq(sw_port(sw, 3)->c.mirror_bytes, 128);
	cr_assert_eq(sw_port(sw, 3)->c.out_pkts, 2);

	/* rx only: what 1 is sent is no longer copied */
	cr_assert_eq(sw_port_mirror(sw, 1, 3, MIRROR_RX, err, sizeof(err)),
		     0);
	send_from(1, 0, 0xff, 2);
	cr_assert_eq(sk[2].n, 2);
	cr_assert_eq(sw_port_unmirror(sw, 1, 3), 0);
	cr_assert_eq(sw_port_unmirror(sw, 1, 3), -ENOENT);
	cr_assert_eq(sw_port(sw, 1)->taps, 0);
	finish();
}

Test(mirror, copies_and_mirror_ports_do_not_learn)
{
	char err[256];
	unsigned out;

	mk_sw();
	plug(0, 1);
	plug(1, 2);
	plug(2, 3);
	cr_assert_eq(sw_port_mirror(sw, 1, 3, MIRROR_BOTH, err, sizeof(err)),
		     0);
	/* 1 -> 2 unicast, unknown: flooded to 2 and 3, plus a copy to 3 */
	send_from(0, 0, 2, 1);
	cr_assert_eq(sk[1].n, 1);
	cr_assert_eq(sk[2].n, 2);
	cr_assert(mactable_lookup(sw->mt, mac(1), 0) == 1);
	/* the mirror port sends: forwarded, but its source is not learned;
	 * what reaches 1 comes back to 3 as 1's tx copy */
	send_from(2, 1, 0xff, 3);
	cr_assert_eq(sk[0].n, 1);
	cr_assert_eq(sk[1].n, 2);
	cr_assert_eq(sk[2].n, 3);
	cr_assert(mactable_lookup(sw->mt, mac(3), 0) < 0);
	/* 2 answers 1: delivered to 1; the tx copy to 3; 3 learned nothing
	 * from the copies (1 is still on 1) */
	send_from(1, 2, 1, 2);
	cr_assert_eq(sk[0].n, 2);
	cr_assert_eq(sk[1].n, 2);
	cr_assert_eq(sk[2].n, 4);
	out = (unsigned)mactable_lookup(sw->mt, mac(1), 0);
	cr_assert_eq(out, 1);
	/* the mirror gone, the port learns again */
	cr_assert_eq(sw_port_unmirror(sw, 1, 3), 0);
	cr_assert_eq(sw_port(sw, 3)->mirror_srcs, 0);
	send_from(2, 1, 0xff, 3);
	cr_assert(mactable_lookup(sw->mt, mac(3), 0) == 3);
	finish();
}

Test(mirror, refusals_and_forgotten_edges)
{
	char err[256];

	mk_sw();
	cr_assert_eq(sw_port_mirror(sw, 2, 2, MIRROR_BOTH, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "itself"), "%s", err);
	cr_assert_eq(sw_port_mirror(sw, 2, 9, MIRROR_BOTH, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "no port 9"), "%s", err);
	cr_assert_eq(sw_port_mirror(sw, 1, 2, MIRROR_BOTH, err, sizeof(err)),
		     0);
	cr_assert_eq(sw_port_mirror(sw, 2, 3, MIRROR_TX, err, sizeof(err)),
		     0);
	cr_assert_eq(sw_port_mirror(sw, 3, 1, MIRROR_RX, err, sizeof(err)),
		     -ELOOP);
	cr_assert_str_eq(err, "mirror 3 -> 1 would close a cycle: "
			      "3 -> 1 -> 2 -> 3");
	cr_assert_eq(sw_port_mirror(sw, 2, 1, MIRROR_RX, err, sizeof(err)),
		     -ELOOP);
	/* a second edge to the same port is fine (no cycle) */
	cr_assert_eq(sw_port_mirror(sw, 1, 3, MIRROR_RX, err, sizeof(err)),
		     0);
	cr_assert_eq(sw_port_unmirror(sw, 1, 9), -EINVAL);
	cr_assert_eq(sw_port_unmirror(sw, 3, 1), -ENOENT);
	/* port 2 removed: 1 -> 2 and 2 -> 3 go with it */
	cr_assert_eq(sw_port_remove(sw, 2), 0);
	cr_assert_eq(sw_port(sw, 1)->nmirrors, 1);
	cr_assert_eq(sw_port(sw, 1)->mirrors[0].dst, 3);
	cr_assert_eq(sw_port(sw, 3)->mirror_srcs, 1);
	/* fewer ports: port 3's edges go too */
	cr_assert_eq(sw_set_nports(sw, 2), 0);
	cr_assert_eq(sw_port(sw, 1)->nmirrors, 0);
	cr_assert_eq(sw_port(sw, 1)->taps, 0);
	finish();
}

Test(mirror, edges_hold_their_destination_until_it_goes)
{
	char err[256];

	mk_sw();
	plug(0, 1);
	plug(1, 2);
	plug(2, 3);
	cr_assert_eq(sw_port_mirror(sw, 1, 3, MIRROR_TX, err, sizeof(err)),
		     0);
	cr_assert(sw_port(sw, 1)->mirrors[0].to == sw_port(sw, 3));
	send_from(1, 0, 0xff, 2);	/* to 1 (and 3): 1's tx copy on 3 */
	cr_assert_eq(sk[2].n, 2);
	/* 3 unplugged: no copies while inactive, the edge stays */
	port_detach(sw, &sk[2].ep);
	send_from(1, 0, 0xff, 2);
	cr_assert_eq(sk[0].n, 2);
	cr_assert_eq(sw_port(sw, 3)->c.mirror_pkts, 1);
	/* 3 removed: its edge goes with it, a new port 3 gets nothing */
	cr_assert_eq(sw_port_remove(sw, 3), 0);
	cr_assert_eq(sw_port(sw, 1)->nmirrors, 0);
	cr_assert_eq(sw_port(sw, 1)->taps, 0);
	plug(2, 3);
	send_from(1, 0, 0xff, 2);
	cr_assert_eq(sk[0].n, 3);
	cr_assert_eq(sk[2].n, 1);	/* the broadcast itself, no copy */
	cr_assert_eq(sw_port(sw, 3)->c.mirror_pkts, 0);
	finish();
}

static uint8_t *slurp(const char *path, size_t *len)
{
	static uint8_t buf[1 << 16];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	cr_assert(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	cr_assert(n >= 0);
	close(fd);
	*len = (size_t)n;
	return buf;
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

Test(mirror, capture_writes_pcap_both_directions)
{
	char err[256], path[128];
	const uint8_t *b;
	size_t len;

	cr_assert(mkdtemp(dir));
	have_dir = true;
	mk_sw();
	plug(0, 1);
	plug(1, 2);
	snprintf(path, sizeof(path), "%s/c.pcap", dir);
	cr_assert_eq(sw_port_capture(sw, 1, path, 40, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(sw_port_capture(sw, 1, path, 40, err, sizeof(err)),
		     -EBUSY);
	cr_assert_eq(sw_port_capture(sw, 2, path, 13, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(sw_port(sw, 2)->cap, NULL);
	send_from(0, 0, 0xff, 1);	/* rx on 1 */
	send_from(1, 1, 1, 2);		/* tx on 1 */
	loop_run_deferred(loop);
	b = slurp(path, &len);
	cr_assert_eq(len, 24 + 2 * (16 + 40));
	cr_assert_eq(u32(b), 0xa1b23c4d);
	cr_assert_eq(b[4] | b[5] << 8, 2);	/* host order: little here */
	cr_assert_eq(b[6] | b[7] << 8, 4);
	cr_assert_eq(u32(b + 16), 40);		/* snaplen */
	cr_assert_eq(u32(b + 20), 1);		/* Ethernet */
	cr_assert(u32(b + 24 + 4) < 1000000000);	/* nanoseconds */
	cr_assert_eq(u32(b + 24 + 8), 40);
	cr_assert_eq(u32(b + 24 + 12), 60);
	cr_assert_eq(memcmp(b + 40, fbuf[0], 40), 0);
	cr_assert_eq(memcmp(b + 40 + 56, fbuf[1], 40), 0);
	cr_assert_eq(sw_port_capture_off(sw, 1), 0);
	cr_assert_eq(sw_port_capture_off(sw, 1), -ENOENT);
	cr_assert_eq(sw_port(sw, 1)->taps, 0);
	cr_assert_eq(sw_port_capture(sw, 1, "/nonexistent/x", 100, err,
				     sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "cannot open /nonexistent/x"), "%s", err);
	finish();
}

Test(mirror, full_disk_stops_capture_forwarding_goes_on)
{
	char err[256];

	mk_sw();
	plug(0, 1);
	plug(1, 2);
	cr_assert_eq(sw_port_capture(sw, 1, "/dev/full", 100, err,
				     sizeof(err)), 0, "%s", err);
	send_from(0, 0, 0xff, 1);
	cr_assert_eq(sk[1].n, 1);
	loop_run_deferred(loop);	/* the write fails: ENOSPC */
	cr_assert_eq(sw_port(sw, 1)->cap, NULL);
	send_from(0, 0, 0xff, 1);
	cr_assert_eq(sk[1].n, 2);
	finish();
}

Test(mirror, slow_reader_costs_drops_not_a_stall)
{
	struct capture_info ci;
	char err[256];
	unsigned i;
	int p[2];

	mk_sw();
	plug(0, 1);
	plug(1, 2);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	cr_assert_eq(sw_port_capture_fd(sw, 1, p[0], "pair", "hi", 2, 9000,
					err, sizeof(err)), 0, "%s", err);
	/* nobody reads p[1]: the socket fills, then the 4 MiB buffer */
	for (i = 0; i < 200000; i++) {
		send_from(0, 0, 0xff, 1);
		if (i % 64 == 0)
			loop_run_deferred(loop);
	}
	loop_run_deferred(loop);
	capture_info(sw_port(sw, 1)->cap, &ci);
	cr_assert_eq(ci.captured + ci.dropped, 200000);
	cr_assert(ci.dropped > 0);
	cr_assert(ci.queued > CAPTURE_BUF - 100);
	cr_assert_eq(sw_port(sw, 2)->c.out_pkts, 200000);
	/* the reader closes: the capture stops at the next event */
	close(p[1]);
	cr_assert(loop_run_once(loop, 1000) >= 0);
	loop_run_deferred(loop);
	cr_assert_eq(sw_port(sw, 1)->cap, NULL);
	finish();
}
