/* SPDX-License-Identifier: GPL-2.0-or-later
 * port.h - ports and endpoints, and the contract between a backend and the
 * switch core.
 *
 * A port is a numbered place on the switch with its configuration (ACL,
 * allocatable flag, VLANs in vlan.c) and counters. It exists from its first
 * use until removed, and is ACTIVE while it has at least one endpoint. An
 * endpoint is one attached client: a backend (VDE data socket, TAP, ...)
 * behind struct endpoint_ops. Every endpoint of a port gets a copy of the
 * frames sent to the port.
 *
 * The endpoint contract
 * ---------------------
 * A backend embeds a struct endpoint in its own object, fills ops, user
 * and descr, and calls port_attach(). Everything else an endpoint needs is
 * the core's: its id (from an allocator, shown on the console), its output
 * queue, its place on the port. The backend only moves frames:
 *
 * - Receiving: from its own fd callback it reads at most FWD_BATCH frames
 *   into the receive buffers the core lends (fwd_rx_get(): an mmsghdr per
 *   buffer, ready for recvmmsg(); a backend that read()s sets msg_len),
 *   then calls fwd_rx_input(ep, n). Frames in its own memory go through
 *   fwd_input_iov(). Size checks (14..9234 bytes, 0-byte datagrams too),
 *   the drop_short/drop_long and in_* counters are the core's.
 *
 * - Sending: ops->send(ep, msgs, n) sends up to @n frames, each an iovec
 *   array in msgs[i].msg_hdr (msg_name unset). It returns how many frames
 *   it took (1..n), -EAGAIN when it has no room now (nothing taken: the
 *   core queues the rest and calls ops->want_write(ep, true); on room the
 *   backend calls fwd_drain(ep)), or another -errno when the first frame
 *   failed (dropped and counted as drop_send; the core goes on with the
 *   next). 0 is not a valid answer: the core counts it as a failed first
 *   frame, so a faulty backend can never make it spin.
 *
 * - Offloads: a backend whose frames carry a virtio-net header (vhost-user,
 *   a TAP with IFF_VNET_HDR) sets ops->vnet and ep->offloads (EP_OFF_*,
 *   fwd.h: what its peer takes). It reads into fwd_rxv_get()'s buffers
 *   (header + frame up to 64 KiB) and calls fwd_rxv_input(); the core
 *   checks the header (a GSO frame must parse, fwd.c) and counts bad ones
 *   as drop_offload. Its send() gets every frame after a 12-byte header,
 *   possibly in the same iovec (queued frames are one piece). A frame goes
 *   to an endpoint as it came only if that endpoint takes its offloads;
 *   otherwise the core segments it (TCP over IPv4/IPv6) and completes its
 *   checksum in software first, and the frames arrive whole, flags 0.
 *
 * - ops->want_write(ep, on) starts or stops watching for room; it returns
 *   0 or -errno. On failure the core closes the endpoint (logged): a queue
 *   nobody will drain is a dead port.
 *
 * - Closing: ops->close(ep) is the one way an endpoint is torn down. It is
 *   called by the core after port_detach() (the core no longer refers to
 *   the endpoint); the backend closes its fds there and frees its memory
 *   after the loop's batch (loop_defer()), since another event of the
 *   batch may still point at it. A backend that sees its peer go calls
 *   endpoint_close(ep); so does the core when want_write() fails.
 *   endpoint_close() only marks the endpoint and defers the work to the
 *   end of the batch, so it is safe anywhere: inside send(), inside a
 *   callback the core is running, twice. endpoint_close_now() (the
 *   console's epclose, the switch's teardown) closes at once, outside
 *   forwarding; on an endpoint already marked it leaves the work to the
 *   deferred close.
 *
 * - Re-entrancy: nothing may call back into forwarding while forwarding
 *   runs. A backend whose send() produces input synchronously (libslirp
 *   calls its send_packet from inside slirp_input()) may call
 *   fwd_input_iov() there: the engine copies such frames aside (bounded,
 *   drops counted as drop_reentry) and forwards them when the current
 *   batch is done. The lent receive buffers may not be used there.
 *
 * - ops->print (optional) tells port/print more of the endpoint's state,
 *   a line at a time through @line (slirp: its network, leases, forwards
 *   and connections). It only reads.
 */
#ifndef PATCHBAY_PORT_H
#define PATCHBAY_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "loop.h"
#include "txq.h"

#define PORT_UID_NONE ((uid_t)-1)
#define PORT_GID_NONE ((gid_t)-1)
#define PORT_MAX 65535		/* 24 bits on the wire; names use %03u */

struct endpoint;
struct sw;
struct txslot;

struct endpoint_ops {
	const char *kind;	/* port/print's module column */
	bool pad;		/* pad frames shorter than 60 bytes */
	bool url;		/* attached from a URL: port/detach closes it */
	bool vnet;		/* frames to send() start with a virtio-net
				 * header (12 bytes, num_buffers 0) */
	int (*send)(struct endpoint *ep, struct mmsghdr *msgs, unsigned n);
	int (*want_write)(struct endpoint *ep, bool on);
	void (*close)(struct endpoint *ep);
	void (*print)(const struct endpoint *ep,
		      void (*line)(void *arg, const char *text), void *arg);
};

struct endpoint {
	/* set by the backend before port_attach() */
	const struct endpoint_ops *ops;
	uid_t user;
	char descr[160];
	unsigned offloads;	/* EP_OFF_* it takes (vnet backends; may
				 * change while attached) */
	/* the core's */
	struct sw *sw;
	struct port *port;
	struct endpoint *next;	/* the port's endpoints, newest first */
	int id;			/* endpoint ID shown on the console */
	bool closing;		/* endpoint_close() called */
	struct txq q;		/* frames waiting for room to write */
	struct txslot *slot;	/* output being built in this batch */
	struct loop_deferred dfr;
};

/* Output counters count what a backend took, per endpoint copy; drops are
 * counted on the port whose frame (input) or copy (output) was lost. */
struct port_counters {
	uint64_t in_pkts, in_bytes;
	uint64_t out_pkts, out_bytes;
	uint64_t drop_short;	/* received frames under 14 bytes */
	uint64_t drop_long;	/* received frames over 9234 bytes */
	uint64_t drop_vlan;	/* refused by VLAN ingress rules */
	uint64_t drop_reentry;	/* received during forwarding, past the bound */
	uint64_t drop_tagged_long; /* output copies over 9234 after tagging */
	uint64_t drop_queue;	/* output copies past the queue bound/budget */
	uint64_t drop_send;	/* output copies the backend refused */
	uint64_t drop_offload;	/* received with a virtio-net header that
				 * does not parse (or GSO it cannot be) */
	uint64_t soft_gso;	/* GSO frames segmented for this port */
	uint64_t soft_segs;	/* the segments they became */
	uint64_t soft_csum;	/* partial checksums completed for it */
	uint64_t mirror_pkts;	/* mirror copies given to this port (also */
	uint64_t mirror_bytes;	/* in out_* once a backend takes them) */
};

/* Port mirroring (mirror.c): a copy of what a port receives (rx) and/or
 * of what the switch sends it (tx) goes to another port. */
#define MIRROR_RX 0x1
#define MIRROR_TX 0x2
#define MIRROR_BOTH (MIRROR_RX | MIRROR_TX)

struct mirror_edge {
	struct port *to;	/* the port receiving the copies: it lives as
				 * long as the edge (mirror_port_gone()) */
	unsigned dst;		/* its number */
	unsigned dirs;		/* MIRROR_RX and/or MIRROR_TX */
};

/* port->taps: what forwarding must look at besides delivery, one test per
 * frame when nothing is mirrored or captured. */
#define PORT_TAP_RX 0x1		/* frames received: mirror or capture */
#define PORT_TAP_TX 0x2		/* frames sent: mirror or capture */

struct capture;

struct port {
	unsigned num;
	struct endpoint *eps;
	unsigned neps;
	int active_idx;		/* index in sw->active, -1 if inactive */
	uid_t user;		/* current user while active */
	uid_t acl_user;		/* access control, PORT_UID_NONE = unset */
	gid_t acl_group;	/* access control, PORT_GID_NONE = unset */
	bool allocatable;	/* may be chosen for an "any port" request */
	bool stp_gate;		/* spanning tree on: BPDUs and stp_block */
	bool stp_block;		/* spanning tree: not forwarding (stp.c) */
	unsigned taps;		/* PORT_TAP_*, kept by port_taps_update() */
	struct mirror_edge *mirrors;	/* where copies of its traffic go */
	unsigned nmirrors;
	unsigned mirror_srcs;	/* ports mirrored to it: it does not learn */
	struct capture *cap;	/* pcap capture of its traffic, or NULL */
	struct port_counters c;
};

struct port *port_get(struct sw *sw, unsigned num);
struct port *port_lookup(const struct sw *sw, unsigned num);
bool port_held(const struct sw *sw, unsigned num);
int port_select(struct sw *sw, unsigned type, unsigned num, uid_t user,
		struct port **out, char *why, size_t whylen);
int port_attach(struct sw *sw, struct port *p, struct endpoint *ep);
void port_detach(struct sw *sw, struct endpoint *ep);
void port_taps_update(struct port *p);
void port_destroy(struct sw *sw, struct port *p);
void endpoint_close(struct endpoint *ep);
void endpoint_close_now(struct endpoint *ep);
const char *port_user_name(uid_t uid, char *buf, size_t len);

#endif /* PATCHBAY_PORT_H */
