/* SPDX-License-Identifier: GPL-2.0-or-later
 * fwd.h - the forwarding engine: hub, learning switch, 802.1Q tagging,
 * batched output with a bounded queue per endpoint.
 */
#ifndef PATCHBAY_FWD_H
#define PATCHBAY_FWD_H

#include <stdbool.h>
#include <stdint.h>

#define FWD_BATCH 64	/* frames read, and sent per endpoint, per call */

struct sw;
struct port;
struct endpoint;

/* A received frame, valid until fwd_input() returns. */
struct frame {
	uint8_t *data;
	unsigned len;
	uint16_t vid;		/* set by the engine */
	bool tagged;		/* set by the engine */
	uint8_t tag[4];		/* set by the engine: 802.1Q tag to insert */
};

struct fwd *fwd_create(struct sw *sw);
void fwd_destroy(struct fwd *fw);
void fwd_input(struct sw *sw, struct port *src, struct frame *frames,
	       unsigned n);
void fwd_drain(struct sw *sw, struct endpoint *ep);
void fwd_tick(struct sw *sw);

#endif /* PATCHBAY_FWD_H */
