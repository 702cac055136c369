/* SPDX-License-Identifier: GPL-2.0-or-later
 * sw.h - the switch object and its front-end API.
 *
 * struct sw owns the modules of one switch: ports (port.c), the MAC table
 * (mactable.c), the VLAN table (vlan.c), the forwarding engine (fwd.c), the
 * output queue budget, its timers, and the list of backends that attach
 * endpoints (the VDE control socket, TAP, ...), each destroyed with it.
 *
 * The functions below are what a front end (the console, an rc file, a
 * test) may do to a running switch. Each keeps the rules of the modules it
 * touches (a VLAN change flushes the MAC entries it makes wrong, a port
 * count change resizes every table together), returns 0 or -errno, and
 * leaves the switch unchanged on failure. Front ends never write struct sw,
 * struct port or struct endpoint; they read them through the const
 * pointers given here.
 */
#ifndef PATCHBAY_SW_H
#define PATCHBAY_SW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct loop;
struct mactable;
struct port;
struct endpoint;
struct stp;
struct sw;
struct vlan_table;

#define SW_DEF_NPORTS 32
#define SW_DEF_QUEUE_FRAMES 1024
#define SW_DEF_QUEUE_BYTES (2U << 20)
#define SW_DEF_QUEUE_MEMORY ((size_t)256 << 20)
#define SW_DEF_QUEUE_TRIM_MS 5000
#define SW_ALL_PORTS ((unsigned)-1)

struct sw_config {
	unsigned nports;	/* ports 1..nports, plus port 0 */
	bool hub;
	unsigned hashsize;
	unsigned maxmac;
	unsigned mac_expire;	/* seconds */
	unsigned mac_minpers;	/* seconds */
	unsigned mac_gcint;	/* seconds */
	uint8_t mac[6];
	unsigned queue_frames;	/* output queue bound per endpoint */
	unsigned queue_bytes;
	size_t queue_memory;	/* all output queues' rings together */
	unsigned queue_trim_ms;	/* idle rings released after 1-2 periods */
};

/* A module that attaches endpoints; destroyed (in reverse order of
 * addition) by sw_destroy(), after every endpoint has been closed. */
struct sw_backend {
	const char *name;
	void (*destroy)(struct sw_backend *b);
	struct sw_backend *next;
};

/* What happened, for listeners (the console's debug/add subscribers). */
enum sw_event_type {
	SW_EV_PORT_UP,		/* a port became active */
	SW_EV_PORT_DOWN,	/* a port became inactive */
	SW_EV_EP_ATTACH,	/* an endpoint joined a port */
	SW_EV_EP_DETACH,	/* an endpoint left a port */
	SW_EV_MAC_NEW,		/* a MAC address was learned */
	SW_EV_MAC_GONE,		/* a MAC entry left the table */
	SW_EV_MAC_MOVE,		/* a MAC address moved to another port */
};

struct sw_event {
	enum sw_event_type type;
	unsigned port;		/* the port (for MAC_MOVE, the new one) */
	unsigned old_port;	/* MAC_MOVE: where it was */
	int ep_id;		/* EP_*: the endpoint */
	const char *descr;	/* EP_*: its description */
	const uint8_t *mac;	/* MAC_*: the address */
	uint16_t vlan;		/* MAC_*: its VLAN */
};

/*
 * A listener is told of every event, synchronously, possibly from inside
 * forwarding: it may only record or queue (say, console output); it must
 * not change the switch or close anything. With no listener an event costs
 * one pointer test.
 */
struct sw_listener {
	void (*fn)(struct sw_listener *l, const struct sw_event *ev);
	struct sw_listener *next;
};

/*
 * A URL scheme a backend serves: "tap" for tap://IFNAME. sw_attach_url()
 * finds the scheme of a URL and hands the rest to its attach(); a scheme
 * whose name is NULL gets the whole URL of any scheme no other serves (the
 * libvdeplug backend). attach() adds
 * an endpoint to port @port (SW_ANY_PORT: the lowest free one, chosen as
 * for a VDE client) or fails with -errno and a message in @err.
 */
#define SW_ANY_PORT ((unsigned)-1)

struct sw_scheme {
	const char *name;
	int (*attach)(struct sw_scheme *s, const char *rest, unsigned port,
		      char *err, size_t errlen);
	struct sw_scheme *next;
};

/*
 * What one URL attached, when it outlives its connections: a listener whose
 * peers come and go, a connector that redials. Its endpoints are ordinary
 * endpoints; the attachment is how port/print shows the URL's state and
 * how port/detach takes the whole thing away. @port is the port its
 * endpoints go to, or SW_ANY_PORT if each gets a port of its own.
 */
struct sw_attachment {
	const char *url;
	unsigned port;
	void (*describe)(struct sw_attachment *a, char *buf, size_t len);
	/* optional: line @i of details shown under the URL (false: no more) */
	bool (*detail)(struct sw_attachment *a, unsigned i, char *buf,
		       size_t len);
	void (*detach)(struct sw_attachment *a);	/* frees it */
	struct sw_attachment *next;
};

void sw_config_defaults(struct sw_config *cfg);
struct sw *sw_create(const struct sw_config *cfg, struct loop *loop);
void sw_destroy(struct sw *sw);
void sw_backend_add(struct sw *sw, struct sw_backend *b);
struct loop *sw_loop(const struct sw *sw);
void sw_scheme_add(struct sw *sw, struct sw_scheme *s);
int sw_attach_url(struct sw *sw, const char *url, unsigned port, char *err,
		  size_t errlen);
int sw_port_for_attach(struct sw *sw, unsigned port, struct port **out,
		       char *err, size_t errlen);
void sw_attachment_add(struct sw *sw, struct sw_attachment *a);
void sw_attachment_del(struct sw *sw, struct sw_attachment *a);
struct sw_attachment *sw_attachment_next(const struct sw *sw,
					 const struct sw_attachment *a);
int sw_detach_url(struct sw *sw, const char *url);
size_t sw_schemes_list(const struct sw *sw, char *buf, size_t len);
void sw_listener_add(struct sw *sw, struct sw_listener *l);
void sw_listener_del(struct sw *sw, struct sw_listener *l);

/* reading */
bool sw_is_hub(const struct sw *sw);
unsigned sw_nports(const struct sw *sw);
const uint8_t *sw_macaddr(const struct sw *sw);
time_t sw_uptime(const struct sw *sw);
const struct port *sw_port(const struct sw *sw, unsigned num);
const struct port *sw_port_next(const struct sw *sw, const struct port *p);
const struct mactable *sw_mactable(const struct sw *sw);
const struct vlan_table *sw_vlans(const struct sw *sw);
size_t sw_queue_memory(const struct sw *sw);
size_t sw_queue_budget(const struct sw *sw);
unsigned sw_gcint(const struct sw *sw);

/* the switch */
int sw_set_hub(struct sw *sw, bool on);
int sw_set_queue_bounds(struct sw *sw, unsigned frames, unsigned bytes);
void sw_queue_bounds(const struct sw *sw, unsigned *frames, unsigned *bytes);
int sw_set_nports(struct sw *sw, unsigned nports);

/* spanning tree: its settings and state are stp.h's */
struct stp *sw_stp(const struct sw *sw);

/* ports */
int sw_port_create(struct sw *sw, unsigned num);
int sw_port_create_auto(struct sw *sw);
int sw_port_remove(struct sw *sw, unsigned num);
int sw_port_set_allocatable(struct sw *sw, unsigned num, bool on);
int sw_port_set_user(struct sw *sw, unsigned num, uid_t user);
int sw_port_set_group(struct sw *sw, unsigned num, gid_t group);
int sw_port_close_endpoint(struct sw *sw, unsigned num, int id);
int sw_port_detach(struct sw *sw, unsigned num);
int sw_port_reset_counters(struct sw *sw, unsigned num);

/* mirrors and captures (mirror.h, capture.h) */
int sw_port_mirror(struct sw *sw, unsigned src, unsigned dst, unsigned dirs,
		   char *err, size_t errlen);
int sw_port_unmirror(struct sw *sw, unsigned src, unsigned dst);
int sw_port_capture(struct sw *sw, unsigned num, const char *path,
		    unsigned snaplen, char *err, size_t errlen);
int sw_port_capture_fd(struct sw *sw, unsigned num, int fd, const char *name,
		       const void *prefix, size_t prefixlen, unsigned snaplen,
		       char *err, size_t errlen);
int sw_port_capture_off(struct sw *sw, unsigned num);

/* VLANs */
int sw_vlan_create(struct sw *sw, unsigned vid);
int sw_vlan_remove(struct sw *sw, unsigned vid);
int sw_port_set_vlan(struct sw *sw, unsigned num, unsigned vid);
int sw_vlan_add_port(struct sw *sw, unsigned vid, unsigned num);
int sw_vlan_del_port(struct sw *sw, unsigned vid, unsigned num);
int sw_port_set_trunk(struct sw *sw, unsigned num, bool on);

/* MAC table */
int sw_hash_set_size(struct sw *sw, unsigned hashsize);
int sw_hash_set_maxentries(struct sw *sw, unsigned maxentries);
int sw_hash_set_expire(struct sw *sw, unsigned seconds);
int sw_hash_set_minpers(struct sw *sw, unsigned seconds);
int sw_hash_set_gcint(struct sw *sw, unsigned seconds);

#endif /* PATCHBAY_SW_H */
