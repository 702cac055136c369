/* SPDX-License-Identifier: GPL-2.0-or-later
 * fwd.h - the forwarding engine: the receive path every backend uses (size
 * checks, input counters, receive buffers), hub, learning switch, 802.1Q
 * tagging, batched output with a bounded queue per endpoint.
 *
 * The rules a backend follows are in port.h ("The endpoint contract").
 */
#ifndef PATCHBAY_FWD_H
#define PATCHBAY_FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "vdewire.h"
#include "vnethdr.h"

#define FWD_BATCH 64	/* frames read, and sent per endpoint, per call */
#define FWD_RXBUF (VDE_FRAME_MAX + 1)	/* one more: tells "too long" */
/* A GSO frame: a 64 KiB IP packet behind Ethernet and a tag, one more. */
#define FWD_RXBUF_GSO (65535 + 14 + 4 + 1)
#define FWD_GSO_SEGS 1024	/* at most this many segments per GSO frame */

/* Offloads an endpoint takes (ep->offloads), as a virtio-net device or a
 * TAP with IFF_VNET_HDR negotiated them for frames it receives. */
#define EP_OFF_CSUM 0x1		/* partial checksums (NEEDS_CSUM) */
#define EP_OFF_TSO4 0x2		/* TCP/IPv4 GSO frames */
#define EP_OFF_TSO6 0x4		/* TCP/IPv6 GSO frames */
#define EP_OFF_ECN 0x8		/* GSO frames with the ECN bit */

struct sw;
struct port;
struct endpoint;

/*
 * The receive buffers the core lends a backend: FWD_BATCH buffers of
 * FWD_RXBUF bytes, each described by iov[i] and msgs[i] (msg_iov points at
 * iov[i]), ready for recvmmsg(). The backend leaves iov and msg_iov as they
 * are and puts each frame's length in msgs[i].msg_len (recvmmsg() does).
 */
struct fwd_rx {
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH];
};

/*
 * The receive buffers for endpoints with offloads (ops->vnet): FWD_BATCH
 * of them, each a 12-byte virtio-net header (hdr[i], iov[i][0]) and a
 * frame buffer of FWD_RXBUF_GSO bytes (iov[i][1]); msgs[i] as for recvmmsg()
 * or readv(). The backend puts header + frame length in msgs[i].msg_len.
 */
struct fwd_rxv {
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH][2];
	uint8_t hdr[FWD_BATCH][VNET_HDR_LEN];
};

struct fwd *fwd_create(struct sw *sw);
void fwd_destroy(struct fwd *fw);
struct fwd_rx *fwd_rx_get(struct sw *sw);
void fwd_rx_input(struct endpoint *ep, unsigned n);
struct fwd_rxv *fwd_rxv_get(struct sw *sw);
void fwd_rxv_input(struct endpoint *ep, unsigned n);
void fwd_input_iov(struct endpoint *ep, const struct iovec *frames,
		   unsigned n);
void fwd_drain(struct endpoint *ep);
void fwd_forget(struct sw *sw, struct endpoint *ep);
int fwd_output(struct sw *sw, struct port *p, const uint8_t *data,
	       unsigned len);

#endif /* PATCHBAY_FWD_H */
