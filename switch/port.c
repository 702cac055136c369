/* SPDX-License-Identifier: GPL-2.0-or-later
 * port.c - ports, who may use them, and the endpoint lifecycle.
 *
 * Ports are created on first use (a client asking for one, later the
 * console) and stay, inactive, with their settings until removed. The
 * active ones are also kept in a dense array so that flooding costs the
 * number of active ports, never the size of the table.
 *
 * Access (research/vde.md §3.5): the user of an endpoint is the user who
 * asked for it (for a VDE client, the peer of its control connection). An
 * active port takes more endpoints only from
 * its current user; an inactive port with an ACL (user and/or group) takes
 * root, that user, or a member of that group.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * port_lookup() - a port, if it exists
 * @sw:		the switch
 * @num:	port number
 *
 * Return: the port, or NULL if out of range or never created
 */
struct port *port_lookup(const struct sw *sw, unsigned num)
{
	return num <= sw->nports ? sw->ports[num] : NULL;
}

/**
 * port_get() - a port, created (inactive, allocatable) if needed
 * @sw:		the switch
 * @num:	port number, at most sw->nports
 *
 * Return: the port, or NULL (out of range, or no memory)
 */
struct port *port_get(struct sw *sw, unsigned num)
{
	struct port *p;

	if (num > sw->nports)
		return NULL;
	if (sw->ports[num])
		return sw->ports[num];
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->num = num;
	p->active_idx = -1;
	p->user = PORT_UID_NONE;
	p->acl_user = PORT_UID_NONE;
	p->acl_group = PORT_GID_NONE;
	p->allocatable = true;
	sw->ports[num] = p;
	return p;
}

/**
 * port_taps_update() - recompute what forwarding must copy of a port's
 * traffic (its mirrors, its capture)
 * @p:		the port
 */
void port_taps_update(struct port *p)
{
	unsigned taps = p->cap ? PORT_TAP_RX | PORT_TAP_TX : 0, i;

	for (i = 0; i < p->nmirrors; i++) {
		if (p->mirrors[i].dirs & MIRROR_RX)
			taps |= PORT_TAP_RX;
		if (p->mirrors[i].dirs & MIRROR_TX)
			taps |= PORT_TAP_TX;
	}
	p->taps = taps;
}

/**
 * port_destroy() - free an inactive port that leaves the table: its
 * capture stops, the mirrors from and to it go
 * @sw:		the switch
 * @p:		the port, still in sw->ports; NULL does nothing
 */
void port_destroy(struct sw *sw, struct port *p)
{
	if (!p)
		return;
	if (p->cap)
		capture_stop(p->cap, NULL);
	mirror_port_gone(sw, p);
	free(p);
}

/**
 * port_user_name() - a user for messages: name, number, or NONE
 * @uid:	the user
 * @buf:	room for the text
 * @len:	size of @buf
 *
 * Return: @buf
 */
const char *port_user_name(uid_t uid, char *buf, size_t len)
{
	/* the last answer: a burst of connects is mostly one user, and
	 * getpwuid() reads /etc/passwd every time */
	static uid_t cached_uid = PORT_UID_NONE;
	static char cached[64];
	struct passwd *pw;

	if (uid == PORT_UID_NONE) {
		snprintf(buf, len, "NONE");
		return buf;
	}
	if (uid != cached_uid) {
		pw = getpwuid(uid);
		if (pw)
			snprintf(cached, sizeof(cached), "%s", pw->pw_name);
		else
			snprintf(cached, sizeof(cached), "%u", (unsigned)uid);
		cached_uid = uid;
	}
	snprintf(buf, len, "%s", cached);
	return buf;
}

static bool user_in_group(uid_t uid, gid_t gid)
{
	struct passwd *pw = getpwuid(uid);
	gid_t few[64], *groups = few;
	bool found = false;
	int i, n = 64;

	if (!pw)
		return false;
	if (pw->pw_gid == gid)
		return true;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
		/* n is now the number of groups the user has */
		groups = calloc((size_t)n, sizeof(*groups));
		if (!groups ||
		    getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
			n = 0;
	}
	for (i = 0; i < n && !found; i++)
		found = groups[i] == gid;
	if (groups != few)
		free(groups);
	return found;
}

static bool port_acl_allows(const struct port *p, uid_t uid)
{
	if (p->acl_user == PORT_UID_NONE && p->acl_group == PORT_GID_NONE)
		return true;
	if (uid == 0 || uid == p->acl_user)
		return true;
	return p->acl_group != PORT_GID_NONE && user_in_group(uid, p->acl_group);
}

/**
 * port_held() - does a URL's attachment keep port @num for its peers to
 * come (a vhost-user listener before QEMU connects)? Then it is not free
 * for "any port".
 * @sw:		the switch
 * @num:	port number
 *
 * Return: true if held
 */
bool port_held(const struct sw *sw, unsigned num)
{
	const struct sw_attachment *a;

	for (a = sw->attachments; a; a = a->next)
		if (a->port == num)
			return true;
	return false;
}

/**
 * port_select() - choose the port for a client's request, or refuse
 * @sw:		the switch
 * @type:	VDE_REQ_NEW_CONTROL or VDE_REQ_NEW_PORT0
 * @num:	requested port for VDE_REQ_NEW_CONTROL, 0 = any (the lowest
 *		inactive port nobody's attachment keeps)
 * @user:	the client's user
 * @out:	the chosen port
 * @why:	on failure, the reason, for the log
 * @whylen:	size of @why
 *
 * Return: 0, or -ERANGE, -ENOSPC, -EADDRINUSE, -EPERM, -ENOMEM
 */
int port_select(struct sw *sw, unsigned type, unsigned num, uid_t user,
		struct port **out, char *why, size_t whylen)
{
	char ubuf[64], pbuf[64];
	struct port *p;
	unsigned i;

	if (type == VDE_REQ_NEW_PORT0) {
		num = 0;
	} else if (num == 0) {
		for (i = 1; i <= sw->nports; i++) {
			p = sw->ports[i];
			if ((!p || (p->active_idx < 0 && p->allocatable &&
				    port_acl_allows(p, user))) &&
			    !port_held(sw, i))
				break;
		}
		if (i > sw->nports) {
			snprintf(why, whylen, "no free port (1..%u)",
				 sw->nports);
			return -ENOSPC;
		}
		num = i;
	} else if (num > sw->nports) {
		snprintf(why, whylen, "port %u out of range (1..%u)", num,
			 sw->nports);
		return -ERANGE;
	}
	p = port_get(sw, num);
	if (!p) {
		snprintf(why, whylen, "out of memory for port %u", num);
		return -ENOMEM;
	}
	if (p->active_idx >= 0 && p->user != user) {
		snprintf(why, whylen, "port %u is in use by user %s, not %s",
			 num, port_user_name(p->user, pbuf, sizeof(pbuf)),
			 port_user_name(user, ubuf, sizeof(ubuf)));
		return -EADDRINUSE;
	}
	if (p->active_idx < 0 && !port_acl_allows(p, user)) {
		snprintf(why, whylen,
			 "port %u: access control refuses user %s", num,
			 port_user_name(user, ubuf, sizeof(ubuf)));
		return -EPERM;
	}
	*out = p;
	return 0;
}

/**
 * port_attach() - give an endpoint what every endpoint needs and add it to
 * a port, activating the port if needed
 * @sw:		the switch
 * @p:		the port (from port_select() or port_get())
 * @ep:		the endpoint, with ops, user and descr set by its backend
 *
 * The endpoint gets its id and an empty output queue.
 *
 * Return: 0, or -ENOMEM (the endpoint is not attached)
 */
int port_attach(struct sw *sw, struct port *p, struct endpoint *ep)
{
	int id = sw_ep_id_alloc(sw);

	if (id < 0)
		return id;
	ep->sw = sw;
	ep->id = id;
	ep->closing = false;
	ep->port = p;
	ep->slot = NULL;
	txq_init(&ep->q, &sw->qpool, sw->cfg.queue_frames,
		 sw->cfg.queue_bytes);
	ep->next = p->eps;
	p->eps = ep;
	p->neps++;
	if (p->active_idx < 0) {
		p->user = ep->user;
		p->active_idx = (int)sw->nactive;
		sw->active[sw->nactive++] = p;
		mactable_flush_port(sw->mt, p->num);
		stp_port_up(sw->stp, p);
		sw_emit(sw, &(struct sw_event){ .type = SW_EV_PORT_UP,
						.port = p->num });
	}
	sw_emit(sw, &(struct sw_event){ .type = SW_EV_EP_ATTACH,
					.port = p->num, .ep_id = ep->id,
					.descr = ep->descr });
	return 0;
}

/**
 * port_detach() - remove an endpoint from its port and release what
 * port_attach() gave it (id, queued frames)
 * @sw:		the switch
 * @ep:		the endpoint
 *
 * The last endpoint leaving makes the port inactive and forgets the MAC
 * addresses learned on it (only on it: other ports keep theirs). Never
 * called while forwarding runs (endpoint_close() defers).
 */
void port_detach(struct sw *sw, struct endpoint *ep)
{
	struct port *p = ep->port;
	struct endpoint **pp;

	if (!p)
		return;
	for (pp = &p->eps; *pp; pp = &(*pp)->next) {
		if (*pp == ep) {
			*pp = ep->next;
			p->neps--;
			break;
		}
	}
	ep->next = NULL;
	ep->port = NULL;
	fwd_forget(sw, ep);
	txq_free(&ep->q);
	sw_emit(sw, &(struct sw_event){ .type = SW_EV_EP_DETACH,
					.port = p->num, .ep_id = ep->id,
					.descr = ep->descr });
	sw_ep_id_free(sw, ep->id);
	if (!p->eps && p->active_idx >= 0) {
		unsigned idx = (unsigned)p->active_idx;

		sw->active[idx] = sw->active[--sw->nactive];
		sw->active[idx]->active_idx = (int)idx;
		p->active_idx = -1;
		p->user = PORT_UID_NONE;
		mactable_flush_port(sw->mt, p->num);
		stp_port_down(sw->stp, p);
		sw_emit(sw, &(struct sw_event){ .type = SW_EV_PORT_DOWN,
						.port = p->num });
	}
}

static void endpoint_release(struct endpoint *ep)
{
	if (ep->port)
		port_detach(ep->sw, ep);
	ep->ops->close(ep);
}

/**
 * endpoint_close_now() - detach an endpoint and let its backend release it
 * @ep:		the endpoint
 *
 * Not inside forwarding: there, use endpoint_close(). An endpoint whose
 * close is already deferred is left to that (its node is on the loop's
 * list), and goes at the end of this batch.
 */
void endpoint_close_now(struct endpoint *ep)
{
	if (!ep->closing)
		endpoint_release(ep);
}

static void endpoint_close_deferred(struct loop_deferred *d)
{
	endpoint_release(container_of(d, struct endpoint, dfr));
}

/**
 * endpoint_close() - ask the core to close an endpoint after this batch
 * @ep:		an attached endpoint
 *
 * Safe anywhere, any number of times: inside send(), inside a callback
 * the core runs. Until then the endpoint gets no more frames.
 */
void endpoint_close(struct endpoint *ep)
{
	if (ep->closing || !ep->port)
		return;
	ep->closing = true;
	loop_defer(ep->sw->loop, &ep->dfr, endpoint_close_deferred);
}
