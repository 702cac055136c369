/* SPDX-License-Identifier: GPL-2.0-or-later
 * swcore.h - the inside of struct sw, for the core modules only (sw.c,
 * port.c, fwd.c) and their unit tests. Everyone else uses sw.h.
 */
#ifndef PATCHBAY_SWCORE_H
#define PATCHBAY_SWCORE_H

#include "loop.h"
#include "sw.h"
#include "txq.h"

struct sw {
	struct sw_config cfg;
	struct loop *loop;
	struct port **ports;	/* 0..nports, NULL until first used */
	unsigned nports;
	struct port **active;	/* dense list of active ports */
	unsigned nactive;
	struct mactable *mt;
	struct vlan_table *vt;
	struct fwd *fwd;
	struct stp *stp;	/* spanning tree, off unless enabled */
	struct txq_pool qpool;	/* the budget of every output ring */
	struct sw_backend *backends;	/* newest first */
	uint64_t *ep_ids;	/* endpoint id allocator: bit set = in use */
	unsigned ep_ids_words;
	time_t start;
	struct loop_timer gc_timer;	/* MAC ageing */
	struct loop_timer trim_timer;	/* idle output rings released */
	struct sw_listener *listeners;
	struct sw_scheme *schemes;
	struct sw_attachment *attachments;
};

void sw_emit_slow(struct sw *sw, const struct sw_event *ev);

/* Tell the listeners, if any (one pointer test otherwise). */
static inline void sw_emit(struct sw *sw, const struct sw_event *ev)
{
	if (sw->listeners)
		sw_emit_slow(sw, ev);
}

int sw_ep_id_alloc(struct sw *sw);
void sw_ep_id_free(struct sw *sw, int id);

#endif /* PATCHBAY_SWCORE_H */
