/* SPDX-License-Identifier: GPL-2.0-or-later
 * vnethdr.h - the virtio-net header that precedes every frame on a
 * vhost-user ring and on a TAP opened with IFF_VNET_HDR.
 *
 * With VIRTIO_F_VERSION_1 the header is always 12 bytes, every field
 * little-endian (virtio 1.2, "Device Operation" of the network device):
 *
 *	u8   flags		NEEDS_CSUM: the L4 checksum is partial
 *	u8   gso_type		NONE, TCPV4, UDP (UFO), TCPV6, | ECN
 *	le16 hdr_len		length of the headers (a hint, never trusted)
 *	le16 gso_size		payload bytes per segment
 *	le16 csum_start		where the checksummed data begins
 *	le16 csum_offset	where, after csum_start, the checksum goes
 *	le16 num_buffers	buffers a received frame spans (MRG_RXBUF)
 *
 * A TAP without TUNSETVNETHDRSZ uses the first 10 bytes (no num_buffers).
 * With NEEDS_CSUM the checksum field already holds the pseudo-header sum;
 * the rest is summed from csum_start to the end of the frame (gso.c).
 * struct vnet_hdr holds the fields in host byte order.
 */
#ifndef PATCHBAY_VNETHDR_H
#define PATCHBAY_VNETHDR_H

#include <stdint.h>

#define VNET_HDR_LEN 12		/* VERSION_1, or legacy with MRG_RXBUF */
#define VNET_HDR_LEN_LEGACY 10	/* legacy without MRG_RXBUF; TAP default */

#define VNET_HDR_F_NEEDS_CSUM 1
#define VNET_HDR_F_DATA_VALID 2

#define VNET_HDR_GSO_NONE 0
#define VNET_HDR_GSO_TCPV4 1
#define VNET_HDR_GSO_UDP 3
#define VNET_HDR_GSO_TCPV6 4
#define VNET_HDR_GSO_ECN 0x80	/* or'ed in: the sender honours ECN (CWR) */

struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

static inline uint16_t vnet_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void vnet_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/**
 * vnet_hdr_decode() - read a header from the wire
 * @buf:	12 bytes (num_buffers is read too: pass 12 readable bytes)
 * @h:		the fields, host byte order
 */
static inline void vnet_hdr_decode(const uint8_t buf[VNET_HDR_LEN],
				   struct vnet_hdr *h)
{
	h->flags = buf[0];
	h->gso_type = buf[1];
	h->hdr_len = vnet_le16_get(buf + 2);
	h->gso_size = vnet_le16_get(buf + 4);
	h->csum_start = vnet_le16_get(buf + 6);
	h->csum_offset = vnet_le16_get(buf + 8);
	h->num_buffers = vnet_le16_get(buf + 10);
}

/**
 * vnet_hdr_encode() - write a header for the wire
 * @buf:	12 bytes (a 10-byte header is its first 10)
 * @h:		the fields, host byte order
 */
static inline void vnet_hdr_encode(uint8_t buf[VNET_HDR_LEN],
				   const struct vnet_hdr *h)
{
	buf[0] = h->flags;
	buf[1] = h->gso_type;
	vnet_le16_put(buf + 2, h->hdr_len);
	vnet_le16_put(buf + 4, h->gso_size);
	vnet_le16_put(buf + 6, h->csum_start);
	vnet_le16_put(buf + 8, h->csum_offset);
	vnet_le16_put(buf + 10, h->num_buffers);
}

#endif /* PATCHBAY_VNETHDR_H */
