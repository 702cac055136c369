/* SPDX-License-Identifier: GPL-2.0-or-later
 * fakesw.h - endpoints without sockets for the harnesses that drive a
 * whole switch (forwarding, console commands): a backend that records
 * what the core sends it, and can refuse (a failing send) or have no room
 * (-EAGAIN: the core queues, the harness drains).
 */
#ifndef PATCHBAY_FAKESW_H
#define PATCHBAY_FAKESW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "port.h"

struct datasock;
struct mgmt;
struct swcmd;

#define FAKE_PAD 0x1		/* pads short frames, as a VDE socket */
#define FAKE_VNET 0x2		/* frames come after a virtio-net header */

enum fake_mode {
	FAKE_TAKE,		/* takes every frame */
	FAKE_FAIL,		/* refuses every frame (-EIO) */
	FAKE_FULL,		/* no room (-EAGAIN) until drained */
};

struct fake_ep;

/* Called with each frame taken, in one piece (the header first if
 * FAKE_VNET). */
typedef void (*fake_rx_fn)(struct fake_ep *fe, const uint8_t *frame,
			   size_t len, void *arg);

struct fake_ep {
	struct endpoint ep;
	struct loop_deferred dfr;
	struct loop *loop;
	enum fake_mode mode;
	bool watching;		/* want_write(true) and not yet false */
	unsigned long taken;
	fake_rx_fn rx;
	void *arg;
	unsigned tag;		/* the harness's */
};

/*
 * A switch as the daemon has one for its console, without URL backends:
 * the VDE control socket in a directory of its own under a temporary
 * directory (made once, removed at exit), every switch command
 * registered, fake endpoints on ports 1 (two), 2 and 5.
 */
struct fake_switch {
	struct loop *loop;
	struct sw *sw;
	struct mgmt *m;
	struct datasock *ds;
	struct swcmd *cmds;
};

void fake_switch_create(struct fake_switch *fs);
void fake_switch_destroy(struct fake_switch *fs);

/*
 * The console and rc harnesses share one such switch among inputs: made
 * for the first, made afresh after FAKE_SHARED_RUNS inputs (and destroyed
 * at exit), so an input meets the settings up to FAKE_SHARED_RUNS - 1
 * inputs before it left, as sessions meet on a daemon's console. Building
 * a switch (its forwarding buffers, control socket, command registry)
 * costs far more than most inputs; this makes ~10x more executions a
 * second.
 */
#define FAKE_SHARED_RUNS 256
struct fake_switch *fake_switch_shared(void);

/* The forwarding harnesses keep one switch of their own (made of @cfg
 * with VLANs 1..@nvlans at the first call, destroyed at exit, its
 * informational log lines dropped) and clear the ports they used after
 * each input: endpoints closed, settings, VLAN membership and learned MACs
 * gone (sw_port_remove()), so the next input starts from the same switch. */
struct sw_config;
struct sw *fake_fwd_switch(const struct sw_config *cfg, unsigned nvlans);
void fake_ports_clear(struct sw *sw, unsigned nports);

struct fake_ep *fake_ep_attach(struct sw *sw, unsigned port, unsigned flags,
			       fake_rx_fn rx, void *arg);
void fake_ep_drain(struct fake_ep *fe);

#endif /* PATCHBAY_FAKESW_H */
