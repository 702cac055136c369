/* SPDX-License-Identifier: GPL-2.0-or-later
 * port.h - ports, endpoints and the switch object that holds them.
 *
 * A port is a numbered place on the switch with its configuration (ACL,
 * allocatable flag, VLANs in vlan.c) and counters. It exists from its first
 * use until removed, and is ACTIVE while it has at least one endpoint. An
 * endpoint is one attached client: a backend (VDE data socket today; TAP
 * and others later) behind struct endpoint_ops. Every endpoint of a port
 * gets a copy of the frames sent to the port.
 */
#ifndef PATCHBAY_PORT_H
#define PATCHBAY_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "txq.h"

#define PORT_UID_NONE ((uid_t)-1)
#define PORT_GID_NONE ((gid_t)-1)
#define PORT_MAX 65535		/* 24 bits on the wire; names use %03u */

struct endpoint;
struct loop;
struct mactable;
struct vlan_table;
struct fwd;
struct datasock;

struct endpoint_ops {
	const char *kind;	/* port/print's module column */
	bool pad;		/* pad frames shorter than 60 bytes */
	/* Send @n frames; return how many went (>= 0) or -errno for the
	 * first one. */
	int (*send)(struct endpoint *ep, struct mmsghdr *msgs, unsigned n);
	/* Watch (or stop watching) for room to write. */
	void (*want_write)(struct endpoint *ep, bool on);
	/* Release fds and files; the endpoint is already detached. */
	void (*close)(struct endpoint *ep);
};

struct endpoint {
	const struct endpoint_ops *ops;
	struct port *port;
	struct endpoint *next;	/* the port's endpoints, newest first */
	int id;			/* endpoint ID shown on the console */
	uid_t user;
	char descr[160];
	struct txq q;		/* frames waiting for room to write */
	struct txslot *slot;	/* output being built in this batch */
};

struct port_counters {
	uint64_t in_pkts, in_bytes;
	uint64_t out_pkts, out_bytes;
	uint64_t drop_short;	/* received frames under 14 bytes */
	uint64_t drop_long;	/* received frames over 9234 bytes */
	uint64_t drop_vlan;	/* refused by VLAN ingress rules */
	uint64_t drop_tagged_long; /* output copies over 9234 after tagging */
	uint64_t drop_queue;	/* output copies past the queue bound */
	uint64_t drop_send;	/* output copies the socket refused */
};

struct port {
	unsigned num;
	struct endpoint *eps;
	unsigned neps;
	int active_idx;		/* index in sw->active, -1 if inactive */
	uid_t user;		/* current user while active */
	uid_t acl_user;		/* access control, PORT_UID_NONE = unset */
	gid_t acl_group;	/* access control, PORT_GID_NONE = unset */
	bool allocatable;	/* may be chosen for an "any port" request */
	struct port_counters c;
};

struct sw_config {
	const char *dir;	/* control directory, absolute */
	unsigned mode;		/* ctl and data sockets */
	unsigned dirmode;
	gid_t group;		/* -g, or PORT_GID_NONE */
	unsigned mgmtmode;	/* also port-0 data sockets */
	gid_t mgmtgroup;
	unsigned nports;
	bool hub;
	unsigned hashsize;
	unsigned maxmac;
	uint8_t mac[6];
	unsigned queue_frames;	/* output queue bound per endpoint */
	unsigned queue_bytes;
};

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
	struct datasock *ds;
	time_t start;
	time_t last_gc;
	unsigned gcint;
};

struct sw *sw_create(const struct sw_config *cfg, struct loop *loop);
void sw_destroy(struct sw *sw);

struct port *port_get(struct sw *sw, unsigned num);
struct port *port_lookup(const struct sw *sw, unsigned num);
int port_select(struct sw *sw, unsigned type, unsigned num, uid_t user,
		struct port **out, char *why, size_t whylen);
void port_attach(struct sw *sw, struct port *p, struct endpoint *ep);
void port_detach(struct sw *sw, struct endpoint *ep);
const char *port_user_name(uid_t uid, char *buf, size_t len);

#endif /* PATCHBAY_PORT_H */
