/* SPDX-License-Identifier: GPL-2.0-or-later
 * gso.c - TCP segmentation and checksum completion in software.
 *
 * A guest (or a TAP) with offloads hands over TCP "super-frames" of up to
 * 64 KiB with a virtio-net header saying how to cut them (gso_type,
 * gso_size), and frames whose TCP or UDP checksum holds only the
 * pseudo-header sum (NEEDS_CSUM, csum_start, csum_offset). A port without
 * offloads needs ordinary frames, so:
 *
 * - gso_segment() parses the headers itself (hdr_len is a hint the device
 *   must not rely on): Ethernet, at most one 802.1Q tag, IPv4 with its IHL
 *   or IPv6 without extension headers, TCP with its data offset. Each
 *   segment gets a copy of the headers with IPv4 tot_len, id + i and the
 *   header checksum, or IPv6 payload_len; TCP seq + i * gso_size, FIN and
 *   PSH only on the last segment, CWR only on the first (as Linux's
 *   tcp_gso_segment()); and the full TCP checksum with the pseudo-header.
 *   UDP fragmentation offload (UFO) is refused: Linux stopped emitting it.
 * - gso_csum_complete() sums from csum_start to the end of the frame and
 *   stores the result at csum_start + csum_offset.
 *
 * Refusals: -EPROTONOSUPPORT for what is well-formed but not handled (UFO,
 * a second VLAN tag, IPv6 extension headers, IPv4 carrying something other
 * than TCP), -EINVAL for everything malformed or too long.
 */
#include <errno.h>
#include <string.h>

#include "csum.h"
#include "gso.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_MIN 60		/* shortest frame: padding may follow IP */
#define IPPROTO_TCP_ 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The IP packet's length field against the bytes after @l3: equal, or
 * shorter in a minimum-size frame (Ethernet padding). */
static int ip_len_ok(size_t len, unsigned l3, size_t iplen, unsigned tag)
{
	if (l3 + iplen == len)
		return 1;
	return l3 + iplen < len && len <= ETH_MIN + tag;
}

/**
 * gso_parse() - parse and check a GSO frame
 * @frame:	the frame, from its Ethernet header (no virtio-net header)
 * @len:	its length
 * @h:		its virtio-net header; gso_type and gso_size are used
 * @info:	the offsets and counts, on success
 *
 * Return: 0; -EPROTONOSUPPORT for UFO, a second tag (or an 802.1ad one),
 * IPv6 extension headers or IPv4 not carrying TCP; -EINVAL for a gso_type
 * of NONE or unknown, a gso_size of 0, an IP version other than gso_type's,
 * truncated headers, an IP length disagreeing with the frame, an IPv4
 * fragment, a TCP header running past the packet
 */
int gso_parse(const uint8_t *frame, size_t len, const struct vnet_hdr *h,
	      struct gso_info *info)
{
	unsigned type = h->gso_type & (unsigned)~VNET_HDR_GSO_ECN;
	unsigned l3 = GSO_ETH_HLEN, tag = 0, doff;
	uint16_t proto;
	const uint8_t *ip, *th;

	memset(info, 0, sizeof(*info));
	if (type == VNET_HDR_GSO_UDP)
		return -EPROTONOSUPPORT;
	if (type != VNET_HDR_GSO_TCPV4 && type != VNET_HDR_GSO_TCPV6)
		return -EINVAL;
	if (!h->gso_size)
		return -EINVAL;
	if (len < GSO_ETH_HLEN)
		return -EINVAL;
	proto = be16(frame + 12);
	if (proto == ETH_P_8021Q) {
		tag = GSO_VLAN_HLEN;
		l3 += tag;
		if (len < l3)
			return -EINVAL;
		proto = be16(frame + 16);
	}
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
		return -EPROTONOSUPPORT;
	ip = frame + l3;

	if (type == VNET_HDR_GSO_TCPV4) {
		unsigned ihl;
		size_t tot;

		if (proto != ETH_P_IP || len < l3 + 20 || ip[0] >> 4 != 4)
			return -EINVAL;
		ihl = (ip[0] & 0x0fU) * 4;
		tot = be16(ip + 2);
		if (ihl < 20 || len < l3 + ihl || tot < ihl ||
		    !ip_len_ok(len, l3, tot, tag))
			return -EINVAL;
		if (be16(ip + 6) & 0x3fff)	/* MF or a fragment offset */
			return -EINVAL;
		if (ip[9] != IPPROTO_TCP_)
			return -EPROTONOSUPPORT;
		info->l4 = l3 + ihl;
		info->ip_end = l3 + (unsigned)tot;
	} else {
		size_t plen;

		if (proto != ETH_P_IPV6 || len < l3 + 40 || ip[0] >> 4 != 6)
			return -EINVAL;
		plen = be16(ip + 4);
		if (!ip_len_ok(len, l3, 40 + plen, tag))
			return -EINVAL;
		if (ip[6] != IPPROTO_TCP_)
			return -EPROTONOSUPPORT;
		info->ipv6 = 1;
		info->l4 = l3 + 40;
		info->ip_end = l3 + 40 + (unsigned)plen;
	}
	if (info->ip_end < info->l4 + 20)
		return -EINVAL;
	th = frame + info->l4;
	doff = (unsigned)(th[12] >> 4) * 4;
	if (doff < 20 || info->ip_end < info->l4 + doff)
		return -EINVAL;

	info->l3 = l3;
	info->hdrlen = info->l4 + doff;
	info->payload = info->ip_end - info->hdrlen;
	info->gso_size = h->gso_size;
	info->nsegs = info->payload
		? (info->payload + info->gso_size - 1) / info->gso_size : 1;
	info->seg_max = info->hdrlen + (info->payload < info->gso_size
						? info->payload
						: info->gso_size);
	return 0;
}

/* The TCP pseudo-header sum of @ip (its version in @info) for a TCP
 * segment of @tcplen bytes. */
static uint32_t pseudo_sum(const struct gso_info *info, const uint8_t *ip,
			   unsigned tcplen)
{
	uint32_t sum;

	if (info->ipv6)
		sum = csum_partial(ip + 8, 32, 0);	/* addresses */
	else
		sum = csum_partial(ip + 12, 8, 0);
	sum = csum_add(sum, IPPROTO_TCP_);
	return csum_add(sum, tcplen);
}

/**
 * gso_segment() - cut a TCP GSO frame into ordinary frames
 * @frame:	the frame, from its Ethernet header; not changed
 * @len:	its length
 * @h:		its virtio-net header (gso_type TCPV4 or TCPV6, ECN allowed)
 * @max:	the longest frame a segment may be (GSO_FRAME_MAX, or a
 *		port's MTU plus its Ethernet header and tag)
 * @emit:	called with each segment, in order
 * @arg:	passed to @emit
 *
 * Nothing is emitted unless the whole frame parses (gso_parse()) and its
 * longest segment fits in @max. A frame whose payload fits in one segment
 * comes out as one frame, its checksums completed.
 *
 * Return: the number of segments emitted; gso_parse()'s errors; -EINVAL if
 * a segment would be longer than @max; or @emit's error
 */
int gso_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *h,
		size_t max, gso_emit_fn emit, void *arg)
{
	uint8_t hdr[GSO_HDR_MAX];
	struct gso_info in;
	struct iovec iov[2];
	unsigned i, off, iplen, tcplen, doff;
	uint32_t seq;
	uint16_t id;
	uint8_t *ip, *th;
	int rc;

	rc = gso_parse(frame, len, h, &in);
	if (rc)
		return rc;
	if (in.seg_max > max)
		return -EINVAL;

	memcpy(hdr, frame, in.hdrlen);
	ip = hdr + in.l3;
	th = hdr + in.l4;
	doff = in.hdrlen - in.l4;
	seq = be32(th + 4);
	id = be16(ip + 4);

	for (i = 0, off = 0; i < in.nsegs; i++, off += in.gso_size) {
		unsigned plen = in.payload - off;
		uint32_t sum;

		if (plen > in.gso_size)
			plen = in.gso_size;
		tcplen = doff + plen;
		iplen = in.hdrlen - in.l3 + plen;

		if (in.ipv6) {
			put_be16(ip + 4, (uint16_t)(iplen - 40));
		} else {
			put_be16(ip + 2, (uint16_t)iplen);
			put_be16(ip + 4, (uint16_t)(id + i));
			put_be16(ip + 10, 0);
			put_be16(ip + 10, csum_fold(csum_partial(
						  ip, in.l4 - in.l3, 0)));
		}

		put_be32(th + 4, seq + off);
		th[13] = frame[in.l4 + 13];
		if (i + 1 < in.nsegs)
			th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i)
			th[13] &= (uint8_t)~TCP_CWR;
		put_be16(th + 16, 0);
		sum = pseudo_sum(&in, ip, tcplen);
		sum = csum_partial(th, doff, sum);	/* doff is even */
		sum = csum_partial(frame + in.hdrlen + off, plen, sum);
		put_be16(th + 16, csum_fold(sum));

		iov[0].iov_base = hdr;
		iov[0].iov_len = in.hdrlen;
		iov[1].iov_base = (void *)(uintptr_t)(frame + in.hdrlen + off);
		iov[1].iov_len = plen;
		rc = emit(arg, iov, plen ? 2 : 1, i);
		if (rc)
			return rc < 0 ? rc : -EINVAL;
	}
	return (int)in.nsegs;
}

/**
 * gso_csum_complete() - finish a partial checksum (NEEDS_CSUM, no GSO)
 * @frame:	the frame, from its Ethernet header; the checksum is written
 * @len:	its length
 * @h:		its virtio-net header
 *
 * The field at csum_start + csum_offset holds the pseudo-header sum; the
 * ones'-complement sum from csum_start to the end of the frame goes there.
 * A result of 0 is stored as 0xffff, as Linux does (for UDP, 0 would mean
 * "no checksum"; for TCP both are the same).
 *
 * Return: 0, also when NEEDS_CSUM is not set (nothing to do); -EINVAL if
 * the header asks for GSO or the 2-byte field at csum_start + csum_offset
 * is not inside the frame or at an odd offset
 */
int gso_csum_complete(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t c;

	if (h->gso_type != VNET_HDR_GSO_NONE)
		return -EINVAL;
	if (!(h->flags & VNET_HDR_F_NEEDS_CSUM))
		return 0;
	if (at + 2 > len || h->csum_offset & 1)
		return -EINVAL;
	c = csum_fold(csum_partial(frame + start, len - start, 0));
	put_be16(frame + at, c ? c : 0xffff);
	return 0;
}

/**
 * gso_output() - turn any frame with a virtio-net header into frames for a
 * port without offloads
 * @frame:	the frame, from its Ethernet header; a partial checksum is
 *		completed in place
 * @len:	its length
 * @h:		its virtio-net header
 * @max:	the longest frame that may come out
 * @emit:	called with each resulting frame (index 0, 1, ...)
 * @arg:	passed to @emit
 *
 * A GSO frame is segmented (gso_segment()); a NEEDS_CSUM frame is
 * completed (gso_csum_complete()) and emitted as one iovec; any other
 * frame is emitted as it is.
 *
 * Return: the number of frames emitted, or the -errno of the step that
 * refused it (-EINVAL for a plain frame longer than @max)
 */
int gso_output(uint8_t *frame, size_t len, const struct vnet_hdr *h,
	       size_t max, gso_emit_fn emit, void *arg)
{
	struct iovec iov;
	int rc;

	if (h->gso_type != VNET_HDR_GSO_NONE)
		return gso_segment(frame, len, h, max, emit, arg);
	if (len > max)
		return -EINVAL;
	rc = gso_csum_complete(frame, len, h);
	if (rc)
		return rc;
	iov.iov_base = frame;
	iov.iov_len = len;
	rc = emit(arg, &iov, 1, 0);
	if (rc)
		return rc < 0 ? rc : -EINVAL;
	return 1;
}
