/* SPDX-License-Identifier: GPL-2.0-or-later
 * gso.h - software segmentation (TSO) and checksum completion for frames
 * that carry a virtio-net header, toward ports that negotiated no offloads.
 *
 * Pure functions: no allocation, no sockets, no state. The input frame is
 * one linear buffer (Ethernet, at most one 802.1Q tag); segments come out
 * one at a time through a callback as two iovecs: the rewritten headers
 * (in gso_segment()'s own stack scratch, valid during the call) and a slice
 * of the input payload, left in place. A caller needs no buffer of its own
 * beyond the frame; it copies or sends each segment before returning.
 *
 * Every check happens before the first segment is emitted: a frame either
 * comes out whole, as all its segments, or not at all (-errno). Work is
 * bounded by the frame length: at most len segments, each summed once.
 */
#ifndef PATCHBAY_GSO_H
#define PATCHBAY_GSO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vnethdr.h"

#define GSO_ETH_HLEN 14
#define GSO_VLAN_HLEN 4
/* The longest headers a segment repeats: Ethernet + tag, IPv4 with 40
 * bytes of options, TCP with 40 bytes of options. */
#define GSO_HDR_MAX (GSO_ETH_HLEN + GSO_VLAN_HLEN + 60 + 60)
#define GSO_FRAME_MAX 9234	/* what leaves on a port without offloads */

/*
 * A GSO frame, parsed. Offsets count from the start of the frame; @ip_end
 * is where the IP packet ends (anything after it is Ethernet padding).
 */
struct gso_info {
	int ipv6;		/* 0: IPv4, 1: IPv6 */
	unsigned l3;		/* IP header */
	unsigned l4;		/* TCP header */
	unsigned hdrlen;	/* headers every segment repeats: l4 + TCP */
	unsigned ip_end;	/* end of the IP packet */
	unsigned payload;	/* TCP payload bytes: ip_end - hdrlen */
	unsigned gso_size;	/* payload bytes per segment */
	unsigned nsegs;		/* segments it becomes (1 if it fits) */
	unsigned seg_max;	/* the longest segment's frame length */
};

/*
 * Called once per segment, in order: @iov[0] the headers, @iov[1] (absent
 * if the segment has no payload) its payload; @iovcnt 1 or 2. From
 * gso_output(), a frame that needed no segmenting comes as one iovec, the
 * whole frame. @index counts from 0. The iovecs are valid only during the
 * call. Return 0 to go on, or -errno to stop (the caller returns it).
 */
typedef int (*gso_emit_fn)(void *arg, const struct iovec *iov,
			   unsigned iovcnt, unsigned index);

int gso_parse(const uint8_t *frame, size_t len, const struct vnet_hdr *h,
	      struct gso_info *info);
int gso_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *h,
		size_t max, gso_emit_fn emit, void *arg);
int gso_csum_complete(uint8_t *frame, size_t len, const struct vnet_hdr *h);
int gso_output(uint8_t *frame, size_t len, const struct vnet_hdr *h,
	       size_t max, gso_emit_fn emit, void *arg);

#endif /* PATCHBAY_GSO_H */
