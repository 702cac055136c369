/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_gso.c - the Internet checksum (csum.c), the virtio-net header
 * (vnethdr.h), software TCP segmentation and checksum completion (gso.c):
 * crafted IPv4/IPv6 frames, tagged and untagged, of several sizes, every
 * segment checked field by field against an independent checksum; every
 * refusal; and garbage that must come back as errors, never as a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"
#include "refcsum.h"
#include "tcpframe.h"

#include "csum.h"
#include "gso.h"
#include "vnethdr.h"

/* ---- collecting segments */

#define COLL_BYTES (1 << 20)
#define COLL_MAX 8192

static struct coll {
	uint8_t buf[COLL_BYTES];
	unsigned off[COLL_MAX], len[COLL_MAX];
	unsigned n, used;
	int fail_at;		/* return -ENOBUFS at this index, or -1 */
} coll;

static void coll_reset(void)
{
	coll.n = coll.used = 0;
	coll.fail_at = -1;
}

static int collect(void *arg, const struct iovec *iov, unsigned iovcnt,
		   unsigned index)
{
	unsigned i;

	cr_assert_eq(arg, &coll);
	cr_assert_eq(index, coll.n);
	cr_assert(iovcnt == 1 || iovcnt == 2);
	if ((int)index == coll.fail_at)
		return -ENOBUFS;
	cr_assert_lt(coll.n, COLL_MAX);
	coll.off[coll.n] = coll.used;
	for (i = 0; i < iovcnt; i++) {
		cr_assert_leq(coll.used + iov[i].iov_len, COLL_BYTES);
		memcpy(coll.buf + coll.used, iov[i].iov_base, iov[i].iov_len);
		coll.used += (unsigned)iov[i].iov_len;
	}
	coll.len[coll.n] = coll.used - coll.off[coll.n];
	coll.n++;
	return 0;
}

static uint8_t frame[70000];

/* Segment the frame of @s at @gso_size and check every segment. */
static void check_segments(const struct spec *s, unsigned gso_size)
{
	struct vnet_hdr h = gso_hdr(s, gso_size);
	size_t len = build(frame, s);
	unsigned l3 = 14 + (s->tagged ? 4 : 0);
	unsigned iphl = s->v6 ? 40 : 20 + s->ipopt;
	unsigned l4 = l3 + iphl, thl = 20 + s->tcpopt, hdrlen = l4 + thl;
	unsigned want = s->payload ? (s->payload + gso_size - 1) / gso_size : 1;
	unsigned i, off = 0;
	int rc;

	coll_reset();
	rc = gso_segment(frame, len, &h, GSO_FRAME_MAX, collect, &coll);
	cr_assert_eq(rc, (int)want, "v6 %d tag %d payload %u gso %u: %d",
		     s->v6, s->tagged, s->payload, gso_size, rc);
	cr_assert_eq(coll.n, want);
	for (i = 0; i < coll.n; i++, off += gso_size) {
		const uint8_t *g = coll.buf + coll.off[i];
		const uint8_t *ip = g + l3, *th = g + l4;
		unsigned plen = s->payload - off < gso_size ? s->payload - off
							     : gso_size;
		uint8_t flags = s->flags;

		if (!s->payload)
			plen = 0;
		cr_assert_eq(coll.len[i], hdrlen + plen, "segment %u", i);
		cr_assert_arr_eq(g, frame, l3);	/* Ethernet and tag */
		if (s->v6) {
			cr_assert_eq(get16(ip + 4), thl + plen);
			cr_assert_arr_eq(ip, frame + l3, 4);
			cr_assert_arr_eq(ip + 6, frame + l3 + 6, 34);
		} else {
			cr_assert_eq(get16(ip + 2), iphl + thl + plen);
			cr_assert_eq(get16(ip + 4), (uint16_t)(ID0 + i));
			cr_assert_eq(ref_fold(ref_sum(ip, iphl, 0)), 0xffff,
				     "IPv4 header checksum, segment %u", i);
			cr_assert_arr_eq(ip, frame + l3, 2);
			cr_assert_arr_eq(ip + 6, frame + l3 + 6, 4);
			cr_assert_arr_eq(ip + 12, frame + l3 + 12, iphl - 12);
		}
		cr_assert_eq(get32(th + 4), SEQ0 + off, "seq, segment %u", i);
		cr_assert_arr_eq(th, frame + l4, 4);	/* ports */
		cr_assert_arr_eq(th + 8, frame + l4 + 8, 5); /* ack, offset */
		if (i + 1 < coll.n)
			flags &= (uint8_t)~0x09;	/* FIN, PSH */
		if (i)
			flags &= (uint8_t)~0x80;	/* CWR */
		cr_assert_eq(th[13], flags, "flags, segment %u", i);
		cr_assert_arr_eq(th + 14, frame + l4 + 14, 2); /* window */
		cr_assert_arr_eq(th + 18, frame + l4 + 18, thl - 18);
		cr_assert(l4_ok(ip, s->v6, th, thl + plen, 6),
			  "TCP checksum, segment %u", i);
		cr_assert_arr_eq(th + thl, frame + hdrlen + off, plen);
	}
	cr_assert_eq(off >= s->payload || !s->payload, 1);
}

TestSuite(gso, .fini = leak_check);

Test(gso, segments_every_shape)
{
	static const unsigned sizes[] = { 1, 100, 1447, 1448, 1449, 2896,
					  4000, 14480, 30001 };
	unsigned v6, tagged, k;

	for (v6 = 0; v6 < 2; v6++)
		for (tagged = 0; tagged < 2; tagged++)
			for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
				struct spec s = {
					.v6 = (int)v6,
					.tagged = (int)tagged,
					.payload = sizes[k],
					.tcpopt = 12,
					.flags = 0x80 | 0x10 | 0x08 | 0x01,
				};

				check_segments(&s, 1448);
				s.tcpopt = 0;
				s.ipopt = 8;
				s.flags = 0x18;
				check_segments(&s, 1000);
			}
}

Test(gso, largest_frames)
{
	struct spec s4 = { .payload = 65535 - 20 - 32, .tcpopt = 12,
			   .flags = 0x18 };
	struct spec s6 = { .v6 = 1, .tagged = 1, .payload = 65535 - 32,
			   .tcpopt = 12, .flags = 0x19 };

	check_segments(&s4, 1448);	/* 46 segments, ids and seq wrap */
	check_segments(&s6, 1448);
	check_segments(&s6, 9000);	/* jumbo segments still fit 9234 */
	check_segments(&s4, 8960);
}

Test(gso, one_byte_segments)
{
	struct spec s = { .payload = 300, .flags = 0x19 };

	check_segments(&s, 1);
	s.v6 = 1;
	s.tagged = 1;
	check_segments(&s, 1);
	s.payload = 1;
	check_segments(&s, 1);
	check_segments(&s, 1448);
}

Test(gso, exactly_one_and_empty)
{
	struct spec s = { .payload = 1448, .flags = 0x99 };

	check_segments(&s, 1448);	/* one segment: FIN, PSH, CWR kept */
	s.payload = 0;			/* headers only: one frame */
	check_segments(&s, 1448);
	s.v6 = 1;
	check_segments(&s, 536);
}

Test(gso, ecn_accepted)
{
	struct spec s = { .payload = 5000, .flags = 0x80 | 0x40 | 0x10 };
	struct vnet_hdr h = gso_hdr(&s, 1448);
	size_t len = build(frame, &s);

	h.gso_type |= VNET_HDR_GSO_ECN;
	coll_reset();
	cr_assert_eq(gso_segment(frame, len, &h, GSO_FRAME_MAX, collect,
				 &coll), 4);
	/* CWR on the first only; ECE stays on all */
	cr_assert_eq(coll.buf[coll.off[0] + 14 + 20 + 13], 0xd0);
	cr_assert_eq(coll.buf[coll.off[1] + 14 + 20 + 13], 0x50);
	cr_assert_eq(coll.buf[coll.off[3] + 14 + 20 + 13], 0x50);
}

Test(gso, ethernet_padding_accepted)
{
	struct spec s = { .payload = 2 };
	struct vnet_hdr h = gso_hdr(&s, 1);
	size_t len = build(frame, &s);	/* 56 bytes */

	memset(frame + len, 0, 60 - len);
	coll_reset();
	cr_assert_eq(gso_segment(frame, 60, &h, GSO_FRAME_MAX, collect,
				 &coll), 2);
	cr_assert_eq(coll.len[0], 55);	/* no padding: the caller pads */
}

Test(gso, callback_error_stops)
{
	struct spec s = { .payload = 5000 };
	struct vnet_hdr h = gso_hdr(&s, 1000);
	size_t len = build(frame, &s);

	coll_reset();
	coll.fail_at = 2;
	cr_assert_eq(gso_segment(frame, len, &h, GSO_FRAME_MAX, collect,
				 &coll), -ENOBUFS);
	cr_assert_eq(coll.n, 2);
}

static int seg(const uint8_t *f, size_t len, const struct vnet_hdr *h)
{
	coll_reset();
	return gso_segment(f, len, h, GSO_FRAME_MAX, collect, &coll);
}

Test(gso, refusals)
{
	struct spec s = { .payload = 3000, .tcpopt = 12 };
	struct spec s6 = { .v6 = 1, .tagged = 1, .payload = 3000 };
	struct vnet_hdr h = gso_hdr(&s, 1448), h6 = gso_hdr(&s6, 1448), x;
	size_t len = build(frame, &s);
	uint8_t save;

	/* gso_size 0, UDP (UFO), NONE, unknown types */
	x = h;
	x.gso_size = 0;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	x = h;
	x.gso_type = VNET_HDR_GSO_UDP;
	cr_assert_eq(seg(frame, len, &x), -EPROTONOSUPPORT);
	x.gso_type = VNET_HDR_GSO_UDP | VNET_HDR_GSO_ECN;
	cr_assert_eq(seg(frame, len, &x), -EPROTONOSUPPORT);
	x.gso_type = VNET_HDR_GSO_NONE;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	x.gso_type = 2;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	x.gso_type = 5;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	/* TCPV6 on an IPv4 frame */
	x = h;
	x.gso_type = VNET_HDR_GSO_TCPV6;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	/* segments over the maximum: 1448 + 66 > 1500 */
	coll_reset();
	cr_assert_eq(gso_segment(frame, len, &h, 1500, collect, &coll),
		     -EINVAL);
	cr_assert_eq(coll.n, 0);
	coll_reset();
	cr_assert_eq(gso_segment(frame, len, &h, 1514, collect, &coll), 3);
	x = h;
	x.gso_size = 9300;
	cr_assert_eq(seg(frame, len, &x), 1);	/* payload 3000 fits */
	s.payload = 20000;
	len = build(frame, &s);
	cr_assert_eq(seg(frame, len, &x), -EINVAL);	/* 9300 + 66 > 9234 */
	s.payload = 3000;
	len = build(frame, &s);

	/* truncated at every length short of the headers */
	for (size_t l = 0; l < 14 + 20 + 32; l++)
		cr_assert_eq(seg(frame, l, &h), -EINVAL, "length %zu", l);
	/* IP length disagreeing with the frame, both ways */
	cr_assert_eq(seg(frame, len - 1, &h), -EINVAL);
	cr_assert_eq(seg(frame, len + 1, &h), -EINVAL);
	set16(frame + 16, get16(frame + 16) + 1);
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	set16(frame + 16, 19);	/* shorter than its own header */
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	len = build(frame, &s);
	/* IHL under 5, version not 4 */
	frame[14] = 0x44;
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	frame[14] = 0x65;
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	len = build(frame, &s);
	/* fragments */
	set16(frame + 20, 0x2000);	/* MF */
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	set16(frame + 20, 0x0010);	/* offset */
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	len = build(frame, &s);
	/* not TCP */
	frame[23] = 17;
	cr_assert_eq(seg(frame, len, &h), -EPROTONOSUPPORT);
	len = build(frame, &s);
	/* TCP data offset under 5, past the packet */
	save = frame[14 + 20 + 12];
	frame[14 + 20 + 12] = 0x40;
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	frame[14 + 20 + 12] = save;
	s.payload = 0;
	s.tcpopt = 0;
	len = build(frame, &s);
	frame[14 + 20 + 12] = 0x60;	/* 24 bytes claimed, 20 there */
	cr_assert_eq(seg(frame, len, &h), -EINVAL);
	s.payload = 3000;
	s.tcpopt = 12;
	/* an IP header longer than the frame */
	len = build(frame, &s);
	frame[14] = 0x4f;
	cr_assert_eq(seg(frame, 14 + 40, &h), -EINVAL);

	/* IPv6: good first, then broken */
	len = build(frame, &s6);
	cr_assert_eq(seg(frame, len, &h6), 3);
	x = h6;
	x.gso_type = VNET_HDR_GSO_TCPV4;
	cr_assert_eq(seg(frame, len, &x), -EINVAL);
	frame[18 + 6] = 0;	/* hop-by-hop options */
	cr_assert_eq(seg(frame, len, &h6), -EPROTONOSUPPORT);
	frame[18 + 6] = 44;	/* fragment header */
	cr_assert_eq(seg(frame, len, &h6), -EPROTONOSUPPORT);
	frame[18 + 6] = 6;
	frame[18] = 0x40;	/* version 4 */
	cr_assert_eq(seg(frame, len, &h6), -EINVAL);
	frame[18] = 0x60;
	set16(frame + 18 + 4, 0);	/* jumbogram style payload_len */
	cr_assert_eq(seg(frame, len, &h6), -EINVAL);
	len = build(frame, &s6);
	for (size_t l = 0; l < 18 + 40 + 20; l++)
		cr_assert_eq(seg(frame, l, &h6), -EINVAL, "length %zu", l);
	cr_assert_eq(seg(frame, len - 1, &h6), -EINVAL);
	/* a second tag, an 802.1ad tag */
	memmove(frame + 16, frame + 12, len - 12);
	set16(frame + 12, 0x8100);
	cr_assert_eq(seg(frame, len + 4, &h6), -EPROTONOSUPPORT);
	set16(frame + 12, 0x88a8);
	cr_assert_eq(seg(frame, len + 4, &h6), -EPROTONOSUPPORT);
	/* an Ethernet type that is not IP */
	len = build(frame, &s6);
	set16(frame + 16, 0x0806);
	cr_assert_eq(seg(frame, len, &h6), -EINVAL);
	cr_assert_eq(coll.n, 0);
}

/* ---- checksum completion */

Test(gso, csum_complete_tcp_udp)
{
	struct spec s = { .payload = 1001, .tcpopt = 12, .flags = 0x18 };
	struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM,
			      .csum_start = 34, .csum_offset = 16 };
	size_t len = build(frame, &s);
	uint8_t *ip = frame + 14;

	/* TCP over IPv4: the field holds the pseudo-header sum */
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	cr_assert(l4_ok(ip, 0, frame + 34, len - 34, 6));

	/* TCP over tagged IPv6 */
	s.v6 = 1;
	s.tagged = 1;
	len = build(frame, &s);
	h.csum_start = 18 + 40;
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	cr_assert(l4_ok(frame + 18, 1, frame + 58, len - 58, 6));

	/* UDP over IPv4, odd length: turn the IPv4 frame into UDP */
	s.v6 = 0;
	s.tagged = 0;
	s.tcpopt = 0;
	s.payload = 77;
	len = build(frame, &s);
	ip[9] = 17;
	set16(frame + 34 + 4, (unsigned)(len - 34));
	set16(frame + 34 + 6, ref_fold(ref_pseudo(ip, 0, 17, len - 34)));
	h.csum_start = 34;
	h.csum_offset = 6;
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	cr_assert(l4_ok(ip, 0, frame + 34, len - 34, 17));
	cr_assert_neq(get16(frame + 40), 0);
}

Test(gso, csum_complete_refusals)
{
	struct spec s = { .payload = 10 };
	struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM,
			      .csum_start = 34, .csum_offset = 16 };
	size_t len = build(frame, &s);	/* 64 bytes */
	uint8_t copy[128];

	memcpy(copy, frame, len);
	h.flags = 0;
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	cr_assert_arr_eq(frame, copy, len);	/* nothing to do */
	h.flags = VNET_HDR_F_DATA_VALID;
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	cr_assert_arr_eq(frame, copy, len);
	h.flags = VNET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)(len - 1);
	h.csum_offset = 0;
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	h.csum_start = (uint16_t)(len - 2);
	cr_assert_eq(gso_csum_complete(frame, len, &h), 0);
	h.csum_start = 34;
	h.csum_offset = (uint16_t)(len - 34 - 1);
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	h.csum_offset = 0xffff;
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	h.csum_start = 0xffff;
	h.csum_offset = 0;
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	h.csum_start = 34;
	h.csum_offset = 15;	/* odd */
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	h.csum_offset = 16;
	h.gso_type = VNET_HDR_GSO_TCPV4;
	cr_assert_eq(gso_csum_complete(frame, len, &h), -EINVAL);
	cr_assert_eq(gso_csum_complete(frame, 0, &h), -EINVAL);
}

Test(gso, csum_complete_zero_is_ffff)
{
	/* A UDP datagram whose checksum comes out 0 gets 0xffff. */
	uint8_t f[8] = { 0 };
	struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM,
			      .csum_start = 0, .csum_offset = 6 };

	set16(f, 0xffff);	/* sum 0xffff: complement 0 */
	cr_assert_eq(gso_csum_complete(f, sizeof(f), &h), 0);
	cr_assert_eq(get16(f + 6), 0xffff);
}

/* ---- gso_output(): any header */

Test(gso, output_dispatch)
{
	struct spec s = { .payload = 4000, .flags = 0x18 };
	struct vnet_hdr h = gso_hdr(&s, 1448), none = { 0 };
	size_t len = build(frame, &s);

	coll_reset();
	cr_assert_eq(gso_output(frame, len, &h, GSO_FRAME_MAX, collect, &coll),
		     3);
	h.gso_type = VNET_HDR_GSO_NONE;
	coll_reset();
	cr_assert_eq(gso_output(frame, len, &h, GSO_FRAME_MAX, collect, &coll),
		     1);
	cr_assert(l4_ok(frame + 14, 0, frame + 34, len - 34, 6));
	coll_reset();
	cr_assert_eq(gso_output(frame, len, &none, 1514, collect, &coll),
		     -EINVAL);
	cr_assert_eq(gso_output(frame, len, &none, GSO_FRAME_MAX, collect,
				&coll), 1);
	cr_assert_eq(coll.len[0], len);
	cr_assert_arr_eq(coll.buf, frame, len);
	coll_reset();
	coll.fail_at = 0;
	cr_assert_eq(gso_output(frame, len, &none, GSO_FRAME_MAX, collect,
				&coll), -ENOBUFS);
}

/* ---- the helpers */

Test(gso, vnet_hdr_roundtrip)
{
	const uint8_t wire[VNET_HDR_LEN] = { 0x01, 0x84, 0x42, 0x00, 0xa8,
					     0x05, 0x22, 0x00, 0x10, 0x00,
					     0x02, 0x00 };
	struct vnet_hdr h;
	uint8_t back[VNET_HDR_LEN];

	vnet_hdr_decode(wire, &h);
	cr_assert_eq(h.flags, VNET_HDR_F_NEEDS_CSUM);
	cr_assert_eq(h.gso_type, VNET_HDR_GSO_TCPV6 | VNET_HDR_GSO_ECN);
	cr_assert_eq(h.hdr_len, 66);
	cr_assert_eq(h.gso_size, 1448);
	cr_assert_eq(h.csum_start, 34);
	cr_assert_eq(h.csum_offset, 16);
	cr_assert_eq(h.num_buffers, 2);
	vnet_hdr_encode(back, &h);
	cr_assert_arr_eq(back, wire, sizeof(wire));
}

Test(gso, inet_csum_against_reference)
{
	static uint8_t buf[3000];
	unsigned seed = 7, i, k;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	for (k = 0; k < 2000; k++) {
		size_t len = (size_t)rand_r(&seed) % sizeof(buf);
		size_t a = len ? (size_t)rand_r(&seed) % (len + 1) : 0;
		size_t b = a + (len - a ? (size_t)rand_r(&seed) % (len - a + 1)
					: 0);
		struct iovec iov[4] = {
			{ buf, a }, { buf + a, 0 }, { buf + a, b - a },
			{ buf + b, len - b },
		};
		uint32_t start = (uint32_t)rand_r(&seed) & 0xfffff;
		uint16_t want = (uint16_t)~ref_fold(ref_sum(buf, len, start));

		cr_assert_eq(inet_csum(iov, 4, start), want,
			     "len %zu split %zu %zu", len, a, b);
		cr_assert_eq(csum_fold(csum_partial(buf, len, start)), want);
	}
	/* all ones stays all ones; an empty sum is 0xffff */
	memset(buf, 0xff, 64);
	cr_assert_eq(csum_fold(csum_partial(buf, 64, 0)), 0);
	cr_assert_eq(inet_csum(NULL, 0, 0), 0xffff);
	cr_assert_eq(csum_add(0xffffffffU, 1), 1);
}

/* ---- garbage: errors, never crashes (ASan watches every read) */

static int fuzz_emit(void *arg, const struct iovec *iov, unsigned iovcnt,
		     unsigned index)
{
	unsigned *n = arg;

	(void)index;
	cr_assert(iovcnt == 1 ||
		  (iovcnt == 2 && iov[0].iov_len <= GSO_HDR_MAX));
	cr_assert(iov[0].iov_len + (iovcnt > 1 ? iov[1].iov_len : 0) <=
		  GSO_FRAME_MAX);
	(*n)++;
	return 0;
}

Test(gso, random_garbage, .timeout = 120)
{
	unsigned seed = 20261204, k, i, ok = 0;

	for (k = 0; k < 20000; k++) {
		size_t len = (size_t)rand_r(&seed) % 200;
		uint8_t *f = malloc(len ? len : 1);
		struct vnet_hdr h;
		unsigned n = 0;
		int rc;

		cr_assert_not_null(f);
		for (i = 0; i < len; i++)
			f[i] = (uint8_t)rand_r(&seed);
		if (len >= 14 && k % 2)	/* get past the Ethernet type */
			set16(f + 12, k % 4 == 1 ? 0x0800 : 0x86dd);
		if (len >= 15 && k % 3)
			f[14] = k % 4 == 1 ? 0x45 : 0x60;
		h.flags = (uint8_t)rand_r(&seed);
		h.gso_type = (uint8_t)(rand_r(&seed) % 6 |
				       (k & 8 ? VNET_HDR_GSO_ECN : 0));
		h.gso_size = (uint16_t)(rand_r(&seed) % 3000);
		h.csum_start = (uint16_t)(rand_r(&seed) % 256);
		h.csum_offset = (uint16_t)(rand_r(&seed) % 64);
		h.hdr_len = (uint16_t)rand_r(&seed);
		rc = gso_segment(f, len, &h, GSO_FRAME_MAX, fuzz_emit, &n);
		cr_assert(rc < 0 || (unsigned)rc == n);
		n = 0;
		rc = gso_output(f, len, &h, GSO_FRAME_MAX, fuzz_emit, &n);
		cr_assert(rc < 0 || (unsigned)rc == n);
		ok += rc > 0;
		free(f);
	}
	cr_assert_gt(ok, 0);
}

Test(gso, mutated_frames, .timeout = 120)
{
	unsigned seed = 1234, k, i, good = 0;

	for (k = 0; k < 5000; k++) {
		struct spec s = {
			.v6 = (int)(k & 1),
			.tagged = (int)(k >> 1 & 1),
			.payload = (unsigned)rand_r(&seed) % 5000,
			.tcpopt = (k >> 2 & 1) * 12,
			.ipopt = (k >> 3 & 1) * 4,
			.flags = (uint8_t)rand_r(&seed),
		};
		size_t len = build(frame, &s), cut;
		struct vnet_hdr h = gso_hdr(&s, 1 + (unsigned)rand_r(&seed) %
							    2000);
		unsigned flips = 1 + (unsigned)rand_r(&seed) % 4, n = 0;
		uint8_t *f;
		int rc;

		for (i = 0; i < flips; i++)	/* within the headers */
			frame[(size_t)rand_r(&seed) % 80] =
				(uint8_t)rand_r(&seed);
		cut = k % 5 ? len : (size_t)rand_r(&seed) % (len + 1);
		f = malloc(cut ? cut : 1);	/* exact: ASan sees overruns */
		cr_assert_not_null(f);
		memcpy(f, frame, cut);
		rc = gso_segment(f, cut, &h, GSO_FRAME_MAX, fuzz_emit, &n);
		cr_assert(rc < 0 || (unsigned)rc == n);
		good += rc > 0;
		free(f);
	}
	cr_assert_gt(good, 0);
}
