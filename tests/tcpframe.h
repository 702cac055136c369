/* SPDX-License-Identifier: GPL-2.0-or-later
 * tcpframe.h - crafted TCP/IPv4 and TCP/IPv6 frames as a Linux sender
 * writes them for TSO (the TCP checksum holding the pseudo-header sum),
 * and their virtio-net headers: for the tests of gso.c and of the
 * backends that carry offloads.
 */
#ifndef PATCHBAY_TCPFRAME_H
#define PATCHBAY_TCPFRAME_H

#include <stdint.h>
#include <string.h>

#include "refcsum.h"
#include "vnethdr.h"

struct spec {
	int v6;
	int tagged;
	unsigned payload;
	unsigned ipopt;		/* IPv4 option bytes, a multiple of 4 */
	unsigned tcpopt;	/* TCP option bytes, a multiple of 4 */
	uint8_t flags;		/* TCP flags */
};

#define SEQ0 0xfffff000U	/* wraps within a 64 KiB frame */
#define ID0 0xfff0		/* wraps after 16 segments */

static inline uint8_t pattern(unsigned i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

/* Build the frame of @s into @f (room for 70000 bytes): headers as a
 * Linux sender writes them for TSO, the TCP checksum holding the
 * pseudo-header sum. Return: its length. */
static inline size_t build(uint8_t *f, const struct spec *s)
{
	static const uint8_t dst[6] = { 0x52, 0x54, 0, 0, 0, 2 };
	static const uint8_t src[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	unsigned l3 = 14, l4, hl, i;
	unsigned tcplen = 20 + s->tcpopt + s->payload;
	uint8_t *ip, *th;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (s->tagged) {
		set16(f + 12, 0x8100);
		set16(f + 14, 0x2064);	/* priority 1, VLAN 100 */
		l3 += 4;
	}
	set16(f + l3 - 2, s->v6 ? 0x86dd : 0x0800);
	ip = f + l3;
	if (s->v6) {
		static const uint8_t a[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 1 };
		static const uint8_t b[16] = { 0x20, 1, 0x0d, 0xb8, [15] = 2 };

		ip[0] = 0x60;
		ip[1] = 0x02;
		ip[2] = 0x34;
		ip[3] = 0x56;
		set16(ip + 4, tcplen);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, a, 16);
		memcpy(ip + 24, b, 16);
		l4 = l3 + 40;
	} else {
		hl = 20 + s->ipopt;
		memset(ip, 0, hl);
		ip[0] = (uint8_t)(0x40 | hl / 4);
		ip[1] = 0x02;		/* ECT(0) */
		set16(ip + 2, hl + tcplen);
		set16(ip + 4, ID0);
		set16(ip + 6, 0x4000);	/* DF */
		ip[8] = 64;
		ip[9] = 6;
		set32(ip + 12, 0xc6120001);	/* 198.18.0.1 */
		set32(ip + 16, 0xc6120002);
		for (i = 20; i < hl; i++)
			ip[i] = 1;	/* NOP options */
		set16(ip + 10, (uint16_t)~ref_fold(ref_sum(ip, hl, 0)));
		l4 = l3 + hl;
	}
	th = f + l4;
	memset(th, 0, 20 + s->tcpopt);
	set16(th, 40000);
	set16(th + 2, 5201);
	set32(th + 4, SEQ0);
	set32(th + 8, 0x01020304);
	th[12] = (uint8_t)((20 + s->tcpopt) / 4 << 4);
	th[13] = s->flags;
	set16(th + 14, 0x1234);
	for (i = 0; i < s->tcpopt; i++)
		th[20 + i] = 1;
	if (s->tcpopt >= 12) {	/* NOP NOP timestamps */
		th[22] = 8;
		th[23] = 10;
		set32(th + 24, 0xabcdef01);
		set32(th + 28, 0x11223344);
	}
	for (i = 0; i < s->payload; i++)
		th[20 + s->tcpopt + i] = pattern(i);
	set16(th + 16, ref_fold(ref_pseudo(ip, s->v6, 6, tcplen)));
	return l4 + 20 + s->tcpopt + s->payload;
}

static inline struct vnet_hdr gso_hdr(const struct spec *s, unsigned gso_size)
{
	struct vnet_hdr h = {
		.flags = VNET_HDR_F_NEEDS_CSUM,
		.gso_type = s->v6 ? VNET_HDR_GSO_TCPV6 : VNET_HDR_GSO_TCPV4,
		.gso_size = (uint16_t)gso_size,
		.csum_start = (uint16_t)(14 + (s->tagged ? 4 : 0) +
					 (s->v6 ? 40 : 20 + s->ipopt)),
		.csum_offset = 16,
		.hdr_len = 0xffff,	/* nonsense: must not be trusted */
	};
	return h;
}

#endif /* PATCHBAY_TCPFRAME_H */
