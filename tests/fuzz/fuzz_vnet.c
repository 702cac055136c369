/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_vnet.c - frames with a virtio-net header into the core
 * (fwd_rxv_input(): the header check in fwd.c, then gso.c's segmentation
 * and checksum completion for the ports that take no offloads), as a
 * vhost-user guest or a TAP with IFF_VNET_HDR hands them over.
 *
 * Input:
 *   byte 0	bit 0 hub; bits 1-2: ports (2..5)
 *   1 byte per port: bit 0 virtio-net endpoint; bits 1-4 its offloads
 *	(EP_OFF_*); bit 5 padding; bit 6 untagged VLAN 1 (else 0); bit 7
 *	trunk. Port 1 is the source and always a virtio-net endpoint.
 *   then records: 2 bytes length L, then L bytes: header (12) + frame.
 *
 * Invariants: each record is counted once at the source (in_pkts, or
 * drop_short, drop_long, drop_offload); a copy keeps a GSO type or a
 * partial checksum only toward an endpoint that takes it; a copy without
 * GSO is at most 9234 bytes (at least 60 on padding endpoints); the
 * segments made for endpoints without TSO carry valid TCP checksums.
 */
#include <string.h>

#include "fakesw.h"
#include "fuzz.h"
#include "fwd.h"
#include "port.h"
#include "refcsum.h"
#include "sw.h"
#include "vdewire.h"
#include "vnethdr.h"

#define MAXPORTS 5

static uint8_t hdrframe[VNET_HDR_LEN + FWD_RXBUF_GSO];

struct vctx {
	bool in_gso;		/* the frame in flight is a GSO frame */
	unsigned gso_need;	/* EP_OFF_TSO4 or EP_OFF_TSO6 */
};

static struct vctx V;

/* An untagged or single-tagged TCP frame's checksum verifies. */
static void check_tcp(const uint8_t *f, size_t len, unsigned port)
{
	size_t l3 = 14;
	unsigned et = get16(f + 12);

	if (et == 0x8100) {
		if (len < 18)
			return;
		et = get16(f + 16);
		l3 = 18;
	}
	if (et == 0x0800 && len >= l3 + 20) {
		const uint8_t *ip = f + l3;
		size_t ihl = (size_t)(ip[0] & 15) * 4, tot = get16(ip + 2);

		if (ip[9] != 6 || ihl < 20 || l3 + tot > len || tot < ihl)
			return;
		FUZZ_CHECK(l4_ok(ip, 0, ip + ihl, tot - ihl, 6),
			   "port %u: segment with a bad TCP/IPv4 checksum",
			   port);
	} else if (et == 0x86dd && len >= l3 + 40) {
		const uint8_t *ip = f + l3;
		size_t pl = get16(ip + 4);

		if (ip[6] != 6 || l3 + 40 + pl > len)
			return;
		FUZZ_CHECK(l4_ok(ip, 1, ip + 40, pl, 6),
			   "port %u: segment with a bad TCP/IPv6 checksum",
			   port);
	}
}

static void rx(struct fake_ep *fe, const uint8_t *out, size_t len, void *arg)
{
	const struct endpoint *ep = &fe->ep;
	unsigned port = fe->tag;
	struct vnet_hdr h = { 0 };

	(void)arg;
	if (ep->ops->vnet) {
		unsigned gso;

		FUZZ_CHECK(len >= VNET_HDR_LEN, "port %u: %zu bytes", port,
			   len);
		vnet_hdr_decode(out, &h);
		out += VNET_HDR_LEN;
		len -= VNET_HDR_LEN;
		gso = h.gso_type & (unsigned)~VNET_HDR_GSO_ECN;
		FUZZ_CHECK(gso == VNET_HDR_GSO_NONE ||
			   (gso == VNET_HDR_GSO_TCPV4 &&
			    (ep->offloads & EP_OFF_TSO4)) ||
			   (gso == VNET_HDR_GSO_TCPV6 &&
			    (ep->offloads & EP_OFF_TSO6)),
			   "port %u: GSO type %u, offloads 0x%x", port,
			   h.gso_type, ep->offloads);
		FUZZ_CHECK(!(h.gso_type & VNET_HDR_GSO_ECN) ||
			   (ep->offloads & EP_OFF_ECN),
			   "port %u: ECN without the offload", port);
		FUZZ_CHECK(!(h.flags & VNET_HDR_F_NEEDS_CSUM) ||
			   (ep->offloads & EP_OFF_CSUM),
			   "port %u: partial checksum without the offload",
			   port);
		FUZZ_CHECK(!(h.flags & VNET_HDR_F_DATA_VALID),
			   "port %u: DATA_VALID passed on", port);
	}
	if (h.gso_type == VNET_HDR_GSO_NONE) {
		FUZZ_CHECK(len <= VDE_FRAME_MAX, "port %u: %zu bytes", port,
			   len);
		FUZZ_CHECK(!ep->ops->pad || len >= VDE_FRAME_PAD,
			   "port %u: %zu bytes unpadded", port, len);
		if (V.in_gso && !(ep->offloads & V.gso_need))
			check_tcp(out, len, port);
	}
}

/* One switch for every input: the ports an input made are removed after
 * it (fake_ports_clear()), so the next starts from the same switch. */
static struct sw *the_switch(void)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = MAXPORTS;
	cfg.hashsize = 16;
	return fake_fwd_switch(&cfg, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_ep *src = NULL;
	unsigned nports, i;
	struct sw *sw;

	if (size < 1)
		return 0;
	nports = 2 + ((data[0] >> 1) & 3);
	if (size < 1 + nports)
		return 0;
	sw = the_switch();
	FUZZ_CHECK(sw_set_hub(sw, data[0] & 1) == 0, "hub");
	for (i = 1; i <= nports; i++) {
		uint8_t b = data[i];
		unsigned fl = (b & 1 || i == 1 ? FAKE_VNET : 0) |
			      (b & 0x20 ? FAKE_PAD : 0);
		struct fake_ep *fe;

		FUZZ_CHECK(sw_port_create(sw, i) == 0, "port/create");
		if (b & 0x40)
			sw_port_set_vlan(sw, i, 1);
		else
			sw_vlan_add_port(sw, 1, i);
		if (b & 0x80)
			sw_port_set_trunk(sw, i, true);
		fe = fake_ep_attach(sw, i, fl, rx, NULL);
		FUZZ_CHECK(fe, "attach");
		fe->tag = i;
		if (fl & FAKE_VNET)
			fe->ep.offloads = (b >> 1) & 0xf;
		if (i == 1)
			src = fe;
	}
	data += 1 + nports;
	size -= 1 + nports;

	while (size >= 2) {
		size_t len = (size_t)(data[0] << 8 | data[1]);
		const struct port_counters *c = &sw_port(sw, 1)->c;
		uint64_t before, after;
		struct fwd_rxv *r;
		struct vnet_hdr h;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(hdrframe, data, len);
		data += len;
		size -= len;
		if (len >= VNET_HDR_LEN) {
			vnet_hdr_decode(hdrframe, &h);
			V.in_gso = (h.gso_type & 0x7f) != VNET_HDR_GSO_NONE;
			V.gso_need = (h.gso_type & 0x7f) == VNET_HDR_GSO_TCPV6
					     ? EP_OFF_TSO6 : EP_OFF_TSO4;
		} else {
			V.in_gso = false;
		}
		before = c->in_pkts + c->drop_short + c->drop_long +
			 c->drop_offload;
		r = fwd_rxv_get(sw);
		FUZZ_CHECK(r, "fwd_rxv_get");
		memcpy(r->hdr[0], hdrframe,
		       len < VNET_HDR_LEN ? len : VNET_HDR_LEN);
		if (len > VNET_HDR_LEN)
			memcpy(r->iov[0][1].iov_base, hdrframe + VNET_HDR_LEN,
			       len - VNET_HDR_LEN);
		r->msgs[0].msg_len = (unsigned)len;
		fwd_rxv_input(&src->ep, 1);
		after = c->in_pkts + c->drop_short + c->drop_long +
			c->drop_offload;
		FUZZ_CHECK(after - before == 1, "a record counted %llu times",
			   (unsigned long long)(after - before));
	}
	fake_ports_clear(sw, nports);
	return 0;
}
