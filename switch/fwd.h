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

#define FWD_BATCH 64	/* frames read, and sent per endpoint, per call */
#define FWD_RXBUF (VDE_FRAME_MAX + 1)	/* one more: tells "too long" */

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

struct fwd *fwd_create(struct sw *sw);
void fwd_destroy(struct fwd *fw);
struct fwd_rx *fwd_rx_get(struct sw *sw);
void fwd_rx_input(struct endpoint *ep, unsigned n);
void fwd_input_iov(struct endpoint *ep, const struct iovec *frames,
		   unsigned n);
void fwd_drain(struct endpoint *ep);
void fwd_forget(struct sw *sw, struct endpoint *ep);
int fwd_output(struct sw *sw, struct port *p, const uint8_t *data,
	       unsigned len);

#endif /* PATCHBAY_FWD_H */
