/* SPDX-License-Identifier: GPL-2.0-or-later
 * sw.c - the switch object: creation and teardown of its modules, its
 * timers, its backends, and the front-end API (sw.h) that changes a
 * running switch while keeping each module's rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "mactable.h"
#include "mirror.h"
#include "port.h"
#include "stp.h"
#include "swcore.h"
#include "vdewire.h"
#include "vlan.h"


/**
 * sw_config_defaults() - the default configuration (vde_switch's, where it
 * has one)
 * @cfg:	filled in; the MAC address is left zero
 */
void sw_config_defaults(struct sw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nports = SW_DEF_NPORTS;
	cfg->hashsize = MACTABLE_DEF_HASHSIZE;
	cfg->maxmac = MACTABLE_DEF_MAXENTRIES;
	cfg->mac_expire = MACTABLE_DEF_EXPIRE;
	cfg->mac_minpers = MACTABLE_DEF_MINPERS;
	cfg->mac_gcint = MACTABLE_DEF_GCINT;
	cfg->queue_frames = SW_DEF_QUEUE_FRAMES;
	cfg->queue_bytes = SW_DEF_QUEUE_BYTES;
	cfg->queue_memory = SW_DEF_QUEUE_MEMORY;
	cfg->queue_trim_ms = SW_DEF_QUEUE_TRIM_MS;
}

static void sw_gc_cb(struct loop_timer *t)
{
	struct sw *sw = container_of(t, struct sw, gc_timer);

	mactable_expire(sw->mt, loop_clock());
	if (loop_timer_add(sw->loop, t, sw->cfg.mac_gcint * 1000))
		log_warnx("MAC ageing stopped: out of memory for its timer");
}

static void sw_trim_cb(struct loop_timer *t)
{
	struct sw *sw = container_of(t, struct sw, trim_timer);
	struct endpoint *ep;
	unsigned i;

	for (i = 0; i < sw->nactive; i++)
		for (ep = sw->active[i]->eps; ep; ep = ep->next)
			txq_trim(&ep->q);
	if (loop_timer_add(sw->loop, t, sw->cfg.queue_trim_ms))
		log_warnx("output queue trimming stopped: out of memory");
}

/**
 * sw_create() - make a switch with no ports in use
 * @cfg:	configuration, copied
 * @loop:	the event loop it runs on
 *
 * Return: the switch, or NULL with errno set
 */
struct sw *sw_create(const struct sw_config *cfg, struct loop *loop)
{
	struct sw *sw = calloc(1, sizeof(*sw));

	if (!sw)
		return NULL;
	sw->cfg = *cfg;
	if (!sw->cfg.mac_gcint)
		sw->cfg.mac_gcint = MACTABLE_DEF_GCINT;
	if (!sw->cfg.queue_trim_ms)
		sw->cfg.queue_trim_ms = SW_DEF_QUEUE_TRIM_MS;
	sw->loop = loop;
	sw->nports = cfg->nports;
	sw->start = loop_clock();
	sw->qpool.budget = cfg->queue_memory;
	loop_timer_init(&sw->gc_timer, sw_gc_cb);
	loop_timer_init(&sw->trim_timer, sw_trim_cb);
	sw->ports = calloc((size_t)sw->nports + 1, sizeof(*sw->ports));
	sw->active = calloc((size_t)sw->nports + 1, sizeof(*sw->active));
	sw->mt = mactable_create(cfg->hashsize, cfg->maxmac, sw->nports);
	sw->vt = vlan_table_create(sw->nports);
	sw->fwd = fwd_create(sw);
	sw->stp = stp_create(sw);
	if (!sw->ports || !sw->active || !sw->mt || !sw->vt || !sw->fwd ||
	    !sw->stp)
		goto fail;
	mactable_set_expire(sw->mt, cfg->mac_expire);
	mactable_set_minpers(sw->mt, cfg->mac_minpers);
	if (loop_timer_add(loop, &sw->gc_timer, sw->cfg.mac_gcint * 1000) ||
	    loop_timer_add(loop, &sw->trim_timer, sw->cfg.queue_trim_ms))
		goto fail;
	return sw;
fail:
	sw_destroy(sw);
	errno = ENOMEM;
	return NULL;
}

/**
 * sw_destroy() - close every endpoint, destroy the backends (newest
 * first), release the switch
 * @sw:		the switch, or NULL
 */
void sw_destroy(struct sw *sw)
{
	unsigned i;

	if (!sw)
		return;
	stp_stop(sw->stp);
	/* endpoints whose close was asked for go first, then the others */
	loop_run_deferred(sw->loop);
	while (sw->nactive) {
		endpoint_close_now(sw->active[0]->eps);
		loop_run_deferred(sw->loop);
	}
	while (sw->backends) {
		struct sw_backend *b = sw->backends;

		sw->backends = b->next;
		b->destroy(b);
	}
	/* captures stop with their ports; their memory goes after */
	if (sw->ports)
		for (i = 0; i <= sw->nports; i++) {
			port_destroy(sw, sw->ports[i]);
			sw->ports[i] = NULL;
		}
	loop_run_deferred(sw->loop);
	loop_timer_del(sw->loop, &sw->gc_timer);
	loop_timer_del(sw->loop, &sw->trim_timer);
	free(sw->ports);
	free(sw->active);
	if (sw->mt)
		mactable_destroy(sw->mt);
	if (sw->vt)
		vlan_table_destroy(sw->vt);
	fwd_destroy(sw->fwd);
	stp_destroy(sw->stp);
	free(sw->ep_ids);
	free(sw);
}

/**
 * sw_backend_add() - hand a backend to the switch, which destroys it
 * @sw:		the switch
 * @b:		the backend, with name and destroy set
 */
void sw_backend_add(struct sw *sw, struct sw_backend *b)
{
	b->next = sw->backends;
	sw->backends = b;
}

/**
 * sw_scheme_add() - let a backend serve a URL scheme
 * @sw:		the switch
 * @s:		name and attach() set; it stays the backend's
 */
void sw_scheme_add(struct sw *sw, struct sw_scheme *s)
{
	s->next = sw->schemes;
	sw->schemes = s;
}

/**
 * sw_attach_url() - attach a port from a URL (tap://IFNAME, ...)
 * @sw:		the switch
 * @url:	SCHEME://REST
 * @port:	port number, or SW_ANY_PORT
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * Return: 0, -EINVAL (not a URL), -EPROTONOSUPPORT (no backend for the
 * scheme), or the backend's -errno
 */
int sw_attach_url(struct sw *sw, const char *url, unsigned port, char *err,
		  size_t errlen)
{
	const char *sep = strstr(url, "://");
	struct sw_scheme *s;
	char known[256];
	size_t n;

	if (!sep || sep == url) {
		snprintf(err, errlen, "%s: not a URL (SCHEME://...)", url);
		return -EINVAL;
	}
	n = (size_t)(sep - url);
	for (s = sw->schemes; s; s = s->next)
		if (s->name && strlen(s->name) == n &&
		    !strncmp(s->name, url, n))
			return s->attach(s, sep + 3, port, err, errlen);
	for (s = sw->schemes; s; s = s->next)
		if (!s->name)
			return s->attach(s, url, port, err, errlen);
	known[0] = '\0';
	sw_schemes_list(sw, known, sizeof(known));
	snprintf(err, errlen, "%s: no backend for %.*s:// (known: %s)", url,
		 (int)n, url, known);
	return -EPROTONOSUPPORT;
}

/**
 * sw_schemes_list() - the URL schemes the switch serves, for messages
 * @sw:		the switch
 * @buf:	"a://, b://", in the order they were added
 * @len:	size of @buf
 *
 * Return: the length written (as snprintf, truncated to fit)
 */
size_t sw_schemes_list(const struct sw *sw, char *buf, size_t len)
{
	const struct sw_scheme *s, *t;
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	/* the list is newest first: walk it from the end */
	for (t = NULL; t != sw->schemes; t = s) {
		for (s = sw->schemes; s->next != t; s = s->next)
			;
		if (s->name && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s://",
						off ? ", " : "", s->name);
	}
	return off < len ? off : (len ? len - 1 : 0);
}

/**
 * sw_attachment_add() - register what a URL attached (port/print shows it,
 * port/detach removes it)
 * @sw:		the switch
 * @a:		url, port, describe() and detach() set; it stays the backend's
 */
void sw_attachment_add(struct sw *sw, struct sw_attachment *a)
{
	struct sw_attachment **pp = &sw->attachments;

	while (*pp)
		pp = &(*pp)->next;
	a->next = NULL;
	*pp = a;
}

/**
 * sw_attachment_del() - forget an attachment (its backend frees it)
 * @sw:		the switch
 * @a:		the attachment
 */
void sw_attachment_del(struct sw *sw, struct sw_attachment *a)
{
	struct sw_attachment **pp;

	for (pp = &sw->attachments; *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			return;
		}
}

/**
 * sw_attachment_next() - iterate over the attachments, oldest first
 * @sw:		the switch
 * @a:		the previous one, or NULL for the first
 *
 * Return: the next attachment, or NULL
 */
struct sw_attachment *sw_attachment_next(const struct sw *sw,
					 const struct sw_attachment *a)
{
	return a ? a->next : sw->attachments;
}

/**
 * sw_detach_url() - take away what a URL attached, and its connections
 * @sw:		the switch
 * @url:	the URL as it was attached
 *
 * Return: 0, or -ENXIO if no attachment has that URL
 */
int sw_detach_url(struct sw *sw, const char *url)
{
	struct sw_attachment *a;

	for (a = sw->attachments; a; a = a->next)
		if (!strcmp(a->url, url)) {
			a->detach(a);
			return 0;
		}
	return -ENXIO;
}

/**
 * sw_port_for_attach() - the port a backend's attach() should use
 * @sw:		the switch
 * @port:	a port number, or SW_ANY_PORT for the lowest free one
 * @out:	the port
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * The choice and its rules are a VDE client's (port_select()), as root.
 *
 * Return: 0, or -errno
 */
int sw_port_for_attach(struct sw *sw, unsigned port, struct port **out,
		       char *err, size_t errlen)
{
	if (port == SW_ANY_PORT)
		return port_select(sw, VDE_REQ_NEW_CONTROL, 0, 0, out, err,
				   errlen);
	if (port == 0)
		return port_select(sw, VDE_REQ_NEW_PORT0, 0, 0, out, err,
				   errlen);
	return port_select(sw, VDE_REQ_NEW_CONTROL, port, 0, out, err,
			   errlen);
}

static void sw_mac_gone(void *arg, const struct mactable_entry_info *e)
{
	struct sw_event ev = {
		.type = SW_EV_MAC_GONE,
		.port = e->port,
		.mac = e->mac,
		.vlan = e->vlan,
	};

	sw_emit(arg, &ev);
}

/**
 * sw_listener_add() - be told of the switch's events
 * @sw:		the switch
 * @l:		the listener, with fn set; it stays the caller's
 */
void sw_listener_add(struct sw *sw, struct sw_listener *l)
{
	l->next = sw->listeners;
	sw->listeners = l;
	mactable_set_discard(sw->mt, sw_mac_gone, sw);
}

/**
 * sw_listener_del() - stop telling a listener
 * @sw:		the switch
 * @l:		a listener added before (or not: then nothing happens)
 */
void sw_listener_del(struct sw *sw, struct sw_listener *l)
{
	struct sw_listener **pp;

	for (pp = &sw->listeners; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	if (!sw->listeners)
		mactable_set_discard(sw->mt, NULL, NULL);
}

/**
 * sw_emit_slow() - tell every listener of an event
 * @sw:		the switch
 * @ev:		the event
 */
void sw_emit_slow(struct sw *sw, const struct sw_event *ev)
{
	struct sw_listener *l, *next;

	for (l = sw->listeners; l; l = next) {
		next = l->next;
		l->fn(l, ev);
	}
}

/**
 * sw_loop() - the event loop a switch runs on
 * @sw:		the switch
 *
 * Return: the loop
 */
struct loop *sw_loop(const struct sw *sw)
{
	return sw->loop;
}

/**
 * sw_ep_id_alloc() - the lowest free endpoint id (from 1)
 * @sw:		the switch
 *
 * Return: the id, or -ENOMEM
 */
int sw_ep_id_alloc(struct sw *sw)
{
	unsigned w, b;

	for (w = 0; w < sw->ep_ids_words; w++)
		if (~sw->ep_ids[w])
			break;
	if (w == sw->ep_ids_words) {
		unsigned n = w ? 2 * w : 4;
		uint64_t *ids = calloc(n, sizeof(*ids));

		if (!ids || (uint64_t)n * 64 > (uint64_t)1 << 30) {
			free(ids);
			return -ENOMEM;
		}
		if (w)
			memcpy(ids, sw->ep_ids, w * sizeof(*ids));
		free(sw->ep_ids);
		sw->ep_ids = ids;
		sw->ep_ids_words = n;
		if (w == 0)
			ids[0] = 1;	/* id 0 is never used */
	}
	b = (unsigned)__builtin_ctzll(~sw->ep_ids[w]);
	sw->ep_ids[w] |= (uint64_t)1 << b;
	return (int)(w * 64 + b);
}

/**
 * sw_ep_id_free() - give an endpoint id back
 * @sw:		the switch
 * @id:		an id from sw_ep_id_alloc()
 */
void sw_ep_id_free(struct sw *sw, int id)
{
	unsigned u = (unsigned)id;

	if (id > 0 && u / 64 < sw->ep_ids_words)
		sw->ep_ids[u / 64] &= ~((uint64_t)1 << (u % 64));
}

/**
 * sw_is_hub() - whether the switch is a hub
 * @sw:		the switch
 *
 * Return: true in hub mode
 */
bool sw_is_hub(const struct sw *sw)
{
	return sw->cfg.hub;
}

/**
 * sw_nports() - the highest port number
 * @sw:		the switch
 *
 * Return: N for ports 0..N
 */
unsigned sw_nports(const struct sw *sw)
{
	return sw->nports;
}

/**
 * sw_macaddr() - the switch's own MAC address
 * @sw:		the switch
 *
 * Return: 6 bytes
 */
const uint8_t *sw_macaddr(const struct sw *sw)
{
	return sw->cfg.mac;
}

/**
 * sw_uptime() - seconds since the switch was created
 * @sw:		the switch
 *
 * Return: seconds
 */
time_t sw_uptime(const struct sw *sw)
{
	return loop_clock() - sw->start;
}

/**
 * sw_port() - a port, if it exists
 * @sw:		the switch
 * @num:	port number
 *
 * Return: the port, or NULL
 */
const struct port *sw_port(const struct sw *sw, unsigned num)
{
	return port_lookup(sw, num);
}

/**
 * sw_port_next() - iterate over the existing ports in number order
 * @sw:		the switch
 * @p:		the previous port, or NULL for the first
 *
 * Return: the next existing port, or NULL at the end
 */
const struct port *sw_port_next(const struct sw *sw, const struct port *p)
{
	unsigned i;

	for (i = p ? p->num + 1 : 0; i <= sw->nports; i++)
		if (sw->ports[i])
			return sw->ports[i];
	return NULL;
}

/**
 * sw_mactable() - the MAC table, to read
 * @sw:		the switch
 *
 * Return: the table
 */
const struct mactable *sw_mactable(const struct sw *sw)
{
	return sw->mt;
}

/**
 * sw_vlans() - the VLAN table, to read
 * @sw:		the switch
 *
 * Return: the table
 */
const struct vlan_table *sw_vlans(const struct sw *sw)
{
	return sw->vt;
}

/**
 * sw_queue_memory() - bytes held by output queue rings now
 * @sw:		the switch
 *
 * Return: bytes
 */
size_t sw_queue_memory(const struct sw *sw)
{
	return sw->qpool.used;
}

/**
 * sw_queue_budget() - bytes all output queue rings may hold together
 * @sw:		the switch
 *
 * Return: bytes
 */
size_t sw_queue_budget(const struct sw *sw)
{
	return sw->qpool.budget;
}

/**
 * sw_queue_bounds() - the output queue bound of each endpoint
 * @sw:		the switch
 * @frames:	frames at most
 * @bytes:	bytes at most
 */
void sw_queue_bounds(const struct sw *sw, unsigned *frames, unsigned *bytes)
{
	*frames = sw->cfg.queue_frames;
	*bytes = sw->cfg.queue_bytes;
}

/**
 * sw_set_queue_bounds() - change the output queue bound of endpoints that
 * attach from now on (those attached keep theirs)
 * @sw:		the switch
 * @frames:	frames at most, 0..1<<20
 * @bytes:	bytes at most, 0..1<<30
 *
 * Return: 0, or -EINVAL out of range
 */
int sw_set_queue_bounds(struct sw *sw, unsigned frames, unsigned bytes)
{
	if (frames > 1U << 20 || bytes > 1U << 30)
		return -EINVAL;
	sw->cfg.queue_frames = frames;
	sw->cfg.queue_bytes = bytes;
	return 0;
}

/**
 * sw_gcint() - seconds between MAC table ageing runs
 * @sw:		the switch
 *
 * Return: seconds
 */
unsigned sw_gcint(const struct sw *sw)
{
	return sw->cfg.mac_gcint;
}

/**
 * sw_set_hub() - switch between hub and learning switch
 * @sw:		the switch
 * @on:		true for a hub
 *
 * The MAC table is flushed on a change. A hub runs no spanning tree: hub
 * mode is refused while it is on.
 *
 * Return: 0, or -EBUSY
 */
int sw_set_hub(struct sw *sw, bool on)
{
	if (on && stp_enabled(sw->stp))
		return -EBUSY;
	if (sw->cfg.hub != on) {
		sw->cfg.hub = on;
		mactable_flush(sw->mt);
	}
	return 0;
}

/**
 * sw_stp() - the switch's spanning tree, for its own API (stp.h)
 * @sw:		the switch
 *
 * Return: the module (never NULL)
 */
struct stp *sw_stp(const struct sw *sw)
{
	return sw->stp;
}

/**
 * sw_set_nports() - change the number of ports: ports 0..@nports
 * @sw:		the switch
 * @nports:	1..PORT_MAX
 *
 * The port, active, MAC and VLAN tables are resized together; inactive
 * ports above @nports and their settings are removed.
 *
 * Return: 0; -EINVAL out of range; -EADDRINUSE if a port above @nports is
 * active; -ENOMEM (nothing changed)
 */
int sw_set_nports(struct sw *sw, unsigned nports)
{
	struct port **ports, **active;
	unsigned i, keep;

	if (nports < 1 || nports > PORT_MAX)
		return -EINVAL;
	for (i = nports + 1; i <= sw->nports; i++)
		if (sw->ports[i] && sw->ports[i]->active_idx >= 0)
			return -EADDRINUSE;
	ports = calloc((size_t)nports + 1, sizeof(*ports));
	active = calloc((size_t)nports + 1, sizeof(*active));
	if (!ports || !active)
		goto nomem;
	if (mactable_set_nports(sw->mt, nports))
		goto nomem;
	if (vlan_table_resize(sw->vt, nports)) {
		mactable_set_nports(sw->mt, sw->nports);
		goto nomem;
	}
	keep = nports < sw->nports ? nports : sw->nports;
	memcpy(ports, sw->ports, ((size_t)keep + 1) * sizeof(*ports));
	for (i = nports + 1; i <= sw->nports; i++) {
		port_destroy(sw, sw->ports[i]);
		sw->ports[i] = NULL;
	}
	memcpy(active, sw->active, sw->nactive * sizeof(*active));
	free(sw->ports);
	free(sw->active);
	sw->ports = ports;
	sw->active = active;
	sw->nports = nports;
	sw->cfg.nports = nports;
	return 0;
nomem:
	free(ports);
	free(active);
	return -ENOMEM;
}

/**
 * sw_port_create() - create an inactive port that an "any port" request
 * does not take (vde_switch's port/create)
 * @sw:		the switch
 * @num:	port number
 *
 * Return: 0; -EINVAL out of range; -EEXIST; -ENOMEM
 */
int sw_port_create(struct sw *sw, unsigned num)
{
	struct port *p;

	if (num > sw->nports)
		return -EINVAL;
	if (sw->ports[num])
		return -EEXIST;
	p = port_get(sw, num);
	if (!p)
		return -ENOMEM;
	p->allocatable = false;
	return 0;
}

/**
 * sw_port_create_auto() - create the lowest-numbered port that does not
 * exist yet, as sw_port_create() does (vde_switch's port/createauto)
 * @sw:		the switch
 *
 * Ports that a URL's attachment keeps for its peers are skipped.
 *
 * Return: the port's number; -ENOSPC if ports 1..N all exist; -ENOMEM
 */
int sw_port_create_auto(struct sw *sw)
{
	unsigned i;
	int rc;

	for (i = 1; i <= sw->nports; i++) {
		if (sw->ports[i] || port_held(sw, i))
			continue;
		rc = sw_port_create(sw, i);
		return rc ? rc : (int)i;
	}
	return -ENOSPC;
}

/**
 * sw_port_remove() - forget an inactive port and its settings
 * @sw:		the switch
 * @num:	port number
 *
 * Return: 0; -ENXIO if it does not exist; -EADDRINUSE if it is active
 */
int sw_port_remove(struct sw *sw, unsigned num)
{
	struct port *p = port_lookup(sw, num);

	if (!p)
		return -ENXIO;
	if (p->active_idx >= 0)
		return -EADDRINUSE;
	vlan_port_reset(sw->vt, num);
	mactable_flush_port(sw->mt, num);
	port_destroy(sw, p);
	sw->ports[num] = NULL;
	return 0;
}

/* The port to configure: configuring a port that does not exist yet
 * creates it (inactive, keeping its settings). */
static int sw_port_conf(struct sw *sw, unsigned num, struct port **out)
{
	if (num > sw->nports)
		return -EINVAL;
	*out = port_get(sw, num);
	return *out ? 0 : -ENOMEM;
}

/**
 * sw_port_set_allocatable() - whether "any port" requests may take a port
 * @sw:		the switch
 * @num:	port number (created if needed)
 * @on:		allocatable
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_port_set_allocatable(struct sw *sw, unsigned num, bool on)
{
	struct port *p;
	int rc = sw_port_conf(sw, num, &p);

	if (!rc)
		p->allocatable = on;
	return rc;
}

/**
 * sw_port_set_user() - access control: the user who may take a port
 * @sw:		the switch
 * @num:	port number (created if needed)
 * @user:	the user, or PORT_UID_NONE for none
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_port_set_user(struct sw *sw, unsigned num, uid_t user)
{
	struct port *p;
	int rc = sw_port_conf(sw, num, &p);

	if (!rc)
		p->acl_user = user;
	return rc;
}

/**
 * sw_port_set_group() - access control: the group whose members may take
 * a port
 * @sw:		the switch
 * @num:	port number (created if needed)
 * @group:	the group, or PORT_GID_NONE for none
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_port_set_group(struct sw *sw, unsigned num, gid_t group)
{
	struct port *p;
	int rc = sw_port_conf(sw, num, &p);

	if (!rc)
		p->acl_group = group;
	return rc;
}

/**
 * sw_port_close_endpoint() - close one endpoint of a port now
 * @sw:		the switch
 * @num:	port number
 * @id:		endpoint id
 *
 * Not to be called from inside forwarding (a backend uses
 * endpoint_close()).
 *
 * Return: 0, or -ENXIO if there is no such endpoint
 */
int sw_port_close_endpoint(struct sw *sw, unsigned num, int id)
{
	struct port *p = port_lookup(sw, num);
	struct endpoint *ep;

	for (ep = p ? p->eps : NULL; ep; ep = ep->next) {
		if (ep->id == id) {
			endpoint_close_now(ep);
			return 0;
		}
	}
	return -ENXIO;
}

/**
 * sw_port_detach() - close the endpoints a URL attached to a port, and take
 * away the attachments pinned to it (a stream+connect:// that would redial)
 * @sw:		the switch
 * @num:	port number
 *
 * VDE clients attached themselves: port/epclose closes those.
 *
 * Return: 0, -EPERM if the port has VDE clients only, -ENXIO if nothing
 */
int sw_port_detach(struct sw *sw, unsigned num)
{
	struct port *p;
	struct sw_attachment *a, *anext;
	struct endpoint *ep, *next;
	bool found = false;

	/* a connector pinned to the port would dial again: it goes too */
	for (a = sw->attachments; a; a = anext) {
		anext = a->next;
		if (a->port == num) {
			a->detach(a);
			found = true;
		}
	}
	p = port_lookup(sw, num);
	for (ep = p ? p->eps : NULL; ep; ep = next) {
		next = ep->next;
		if (ep->ops->url) {
			endpoint_close_now(ep);
			found = true;
		}
	}
	if (found)
		return 0;
	return p && p->eps ? -EPERM : -ENXIO;
}

/**
 * sw_port_reset_counters() - zero a port's counters, or every port's
 * @sw:		the switch
 * @num:	port number, or SW_ALL_PORTS
 *
 * Return: 0, or -ENXIO if the port does not exist
 */
int sw_port_reset_counters(struct sw *sw, unsigned num)
{
	struct port *p;
	unsigned i;

	if (num != SW_ALL_PORTS) {
		p = port_lookup(sw, num);
		if (!p)
			return -ENXIO;
		memset(&p->c, 0, sizeof(p->c));
		return 0;
	}
	for (i = 0; i <= sw->nports; i++)
		if (sw->ports[i])
			memset(&sw->ports[i]->c, 0, sizeof(sw->ports[i]->c));
	return 0;
}

/**
 * sw_port_mirror() - copy port @src's traffic to port @dst
 * @sw:		the switch
 * @src:	the mirrored port (created if needed)
 * @dst:	the port getting the copies (created if needed)
 * @dirs:	MIRROR_RX, MIRROR_TX or MIRROR_BOTH (port.h)
 * @err:	the reason of a refusal
 * @errlen:	size of @err
 *
 * Return: 0, -EINVAL, -ELOOP, -ENOMEM (see mirror_add())
 */
int sw_port_mirror(struct sw *sw, unsigned src, unsigned dst, unsigned dirs,
		   char *err, size_t errlen)
{
	return mirror_add(sw, src, dst, dirs, err, errlen);
}

/**
 * sw_port_unmirror() - stop copying port @src's traffic to port @dst
 * @sw:		the switch
 * @src:	the mirrored port
 * @dst:	the port getting the copies
 *
 * Return: 0, -EINVAL, -ENOENT
 */
int sw_port_unmirror(struct sw *sw, unsigned src, unsigned dst)
{
	return mirror_del(sw, src, dst);
}

static int sw_capture_port(struct sw *sw, unsigned num, struct port **p,
			   char *err, size_t errlen)
{
	if (num > sw->nports) {
		snprintf(err, errlen, "no port %u (ports 0..%u)", num,
			 sw->nports);
		return -EINVAL;
	}
	*p = port_get(sw, num);
	if (!*p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/**
 * sw_port_capture() - write port @num's traffic to a pcap file
 * @sw:		the switch
 * @num:	the port (created if needed)
 * @path:	the file
 * @snaplen:	bytes kept per frame
 * @err:	the reason of a failure
 * @errlen:	size of @err
 *
 * Return: 0, -EINVAL, -EBUSY, -ENOMEM or open()'s -errno
 */
int sw_port_capture(struct sw *sw, unsigned num, const char *path,
		    unsigned snaplen, char *err, size_t errlen)
{
	struct port *p;
	int rc = sw_capture_port(sw, num, &p, err, errlen);

	return rc ? rc : capture_start_file(sw, p, path, snaplen, err, errlen);
}

/**
 * sw_port_capture_fd() - stream port @num's traffic as pcap to a stream
 * @sw:		the switch
 * @num:	the port (created if needed)
 * @fd:		the stream, taken in all cases
 * @name:	what port/print calls it
 * @prefix:	bytes written before the pcap data
 * @prefixlen:	how many
 * @snaplen:	bytes kept per frame
 * @err:	the reason of a failure
 * @errlen:	size of @err
 *
 * Return: 0, -EINVAL, -EBUSY, -ENOMEM
 */
int sw_port_capture_fd(struct sw *sw, unsigned num, int fd, const char *name,
		       const void *prefix, size_t prefixlen, unsigned snaplen,
		       char *err, size_t errlen)
{
	struct port *p;
	int rc = sw_capture_port(sw, num, &p, err, errlen);

	if (rc) {
		close(fd);
		return rc;
	}
	return capture_start_fd(sw, p, fd, name, prefix, prefixlen, snaplen,
				err, errlen);
}

/**
 * sw_port_capture_off() - stop capturing port @num (the buffer is written
 * if the file takes it now, then closed)
 * @sw:		the switch
 * @num:	the port
 *
 * Return: 0, -ENXIO (no such port), -ENOENT (not captured)
 */
int sw_port_capture_off(struct sw *sw, unsigned num)
{
	struct port *p = port_lookup(sw, num);

	if (!p)
		return -ENXIO;
	if (!p->cap)
		return -ENOENT;
	capture_stop(p->cap, NULL);
	return 0;
}

/**
 * sw_vlan_create() - create a VLAN
 * @sw:		the switch
 * @vid:	1..VLAN_MAX
 *
 * Return: 0, -EINVAL, -EEXIST
 */
int sw_vlan_create(struct sw *sw, unsigned vid)
{
	if (vid == 0)
		return -EEXIST;
	return vlan_create(sw->vt, vid);
}

/**
 * sw_vlan_remove() - remove a VLAN no port uses
 * @sw:		the switch
 * @vid:	1..VLAN_MAX
 *
 * Return: 0, -EINVAL, -ENXIO, -EADDRINUSE
 */
int sw_vlan_remove(struct sw *sw, unsigned vid)
{
	return vlan_remove(sw->vt, vid);
}

/**
 * sw_port_set_vlan() - set a port's untagged VLAN
 * @sw:		the switch
 * @num:	port number (created if needed)
 * @vid:	an existing VLAN
 *
 * The MAC entries learned on the port in its old untagged VLAN go; all
 * others stay.
 *
 * Return: 0, -EINVAL, -ENXIO (no such VLAN), -ENOMEM
 */
int sw_port_set_vlan(struct sw *sw, unsigned num, unsigned vid)
{
	unsigned old;
	struct port *p;
	int rc;

	if (vid > VLAN_MAX)
		return -EINVAL;
	if (!vlan_exists(sw->vt, vid))
		return -ENXIO;
	rc = sw_port_conf(sw, num, &p);
	if (rc)
		return rc;
	old = vlan_get_untagged(sw->vt, num);
	rc = vlan_set_untagged(sw->vt, num, vid);
	if (!rc && old != vid && old <= VLAN_MAX)
		mactable_flush_port_vlan(sw->mt, num, (uint16_t)old);
	return rc;
}

/**
 * sw_vlan_add_port() - make a port a tagged member of a VLAN
 * @sw:		the switch
 * @vid:	an existing VLAN
 * @num:	port number (created if needed)
 *
 * Return: 0, -EINVAL, -ENXIO, -EEXIST, -EADDRINUSE, -ENOMEM
 */
int sw_vlan_add_port(struct sw *sw, unsigned vid, unsigned num)
{
	struct port *p;
	int rc;

	if (vid > VLAN_MAX)
		return -EINVAL;
	if (!vlan_exists(sw->vt, vid))
		return -ENXIO;
	rc = sw_port_conf(sw, num, &p);
	return rc ? rc : vlan_add_tagged(sw->vt, num, vid);
}

/**
 * sw_vlan_del_port() - end a port's tagged membership of a VLAN
 * @sw:		the switch
 * @vid:	the VLAN
 * @num:	port number
 *
 * The MAC entries learned on that port in that VLAN go; all others stay.
 *
 * Return: 0, -EINVAL, -ENXIO, -EADDRINUSE
 */
int sw_vlan_del_port(struct sw *sw, unsigned vid, unsigned num)
{
	int rc;

	if (!port_lookup(sw, num))
		return -ENXIO;
	rc = vlan_del_tagged(sw->vt, num, vid);
	if (!rc)
		mactable_flush_port_vlan(sw->mt, num, (uint16_t)vid);
	return rc;
}

/**
 * sw_port_set_trunk() - make a port VLAN-transparent, or not
 * @sw:		the switch
 * @num:	port number (created if needed)
 * @on:		trunk mode
 *
 * On a change the port's MAC entries go (the VLANs it sees change).
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_port_set_trunk(struct sw *sw, unsigned num, bool on)
{
	struct port *p;
	int rc = sw_port_conf(sw, num, &p);

	if (rc)
		return rc;
	if (vlan_is_trunk(sw->vt, num) == on)
		return 0;
	rc = vlan_set_trunk(sw->vt, num, on);
	if (!rc)
		mactable_flush_port(sw->mt, num);
	return rc;
}

/**
 * sw_hash_set_size() - change the MAC table's bucket count
 * @sw:		the switch
 * @hashsize:	buckets (rounded up to a power of two)
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_hash_set_size(struct sw *sw, unsigned hashsize)
{
	return mactable_set_hashsize(sw->mt, hashsize);
}

/**
 * sw_hash_set_maxentries() - change the MAC table's bound
 * @sw:		the switch
 * @maxentries:	entries at most
 *
 * Return: 0, -EINVAL
 */
int sw_hash_set_maxentries(struct sw *sw, unsigned maxentries)
{
	return mactable_set_maxentries(sw->mt, maxentries);
}

/**
 * sw_hash_set_expire() - seconds an unseen MAC entry lives
 * @sw:		the switch
 * @seconds:	ageing time
 *
 * Return: 0
 */
int sw_hash_set_expire(struct sw *sw, unsigned seconds)
{
	mactable_set_expire(sw->mt, seconds);
	return 0;
}

/**
 * sw_hash_set_minpers() - seconds before a MAC entry may move to another
 * port
 * @sw:		the switch
 * @seconds:	minimum persistence
 *
 * Return: 0
 */
int sw_hash_set_minpers(struct sw *sw, unsigned seconds)
{
	mactable_set_minpers(sw->mt, seconds);
	return 0;
}

/**
 * sw_hash_set_gcint() - seconds between MAC table ageing runs
 * @sw:		the switch
 * @seconds:	1..86400
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int sw_hash_set_gcint(struct sw *sw, unsigned seconds)
{
	int rc;

	if (seconds < 1 || seconds > 86400)
		return -EINVAL;
	rc = loop_timer_mod(sw->loop, &sw->gc_timer, seconds * 1000);
	if (!rc)
		sw->cfg.mac_gcint = seconds;
	return rc;
}
