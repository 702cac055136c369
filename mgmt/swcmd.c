/* SPDX-License-Identifier: GPL-2.0-or-later
 * swcmd.c - the switch's side of the console: its command families, the
 * showinfo lines, and its events turned into debug lines (3NNN) for
 * debug/add subscribers.
 *
 * Event lines keep vde_switch's shapes ("3031 port/ep/+ Port 02 FD  8");
 * where vde_switch shows the endpoint's fd, patchbay shows the endpoint
 * id, which plays that role in port/print and port/epclose. A line is
 * formatted only when a session subscribed to its category.
 */
#include <stdio.h>
#include <unistd.h>

#include "loop.h"
#include "parse.h"
#include "swcmd.h"

enum {
	EV_HASH_NEW = 011,
	EV_HASH_GONE = 012,
	EV_HASH_MOVE = 013,
	EV_PORT_UP = 021,
	EV_PORT_DOWN = 022,
	EV_EP_NEW = 031,
	EV_EP_GONE = 032,
};

static const struct mgmt_event_cat sw_events[] = {
	{ "hash/+", EV_HASH_NEW, "hash: new element" },
	{ "hash/-", EV_HASH_GONE, "hash: discarded element" },
	{ "hash/move", EV_HASH_MOVE, "hash: element moved to another port" },
	{ "port/+", EV_PORT_UP, "new port" },
	{ "port/-", EV_PORT_DOWN, "closed port" },
	{ "port/ep/+", EV_EP_NEW, "new endpoint" },
	{ "port/ep/-", EV_EP_GONE, "closed endpoint" },
};

static const unsigned ev_tag[] = {
	[SW_EV_PORT_UP] = EV_PORT_UP,
	[SW_EV_PORT_DOWN] = EV_PORT_DOWN,
	[SW_EV_EP_ATTACH] = EV_EP_NEW,
	[SW_EV_EP_DETACH] = EV_EP_GONE,
	[SW_EV_MAC_NEW] = EV_HASH_NEW,
	[SW_EV_MAC_GONE] = EV_HASH_GONE,
	[SW_EV_MAC_MOVE] = EV_HASH_MOVE,
};

static void swcmd_event(struct sw_listener *l, const struct sw_event *ev)
{
	struct swcmd *c = container_of(l, struct swcmd, listener);
	unsigned tag = ev_tag[ev->type];
	char mac[18];

	if (!mgmt_event_wanted(c->m, tag))
		return;
	switch (ev->type) {
	case SW_EV_PORT_UP:
	case SW_EV_PORT_DOWN:
		mgmt_event(c->m, tag, "Port %02u", ev->port);
		break;
	case SW_EV_EP_ATTACH:
	case SW_EV_EP_DETACH:
		mgmt_event(c->m, tag, "Port %02u FD %2d", ev->port,
			   ev->ep_id);
		break;
	case SW_EV_MAC_NEW:
	case SW_EV_MAC_GONE:
		format_mac(ev->mac, mac);
		mgmt_event(c->m, tag, "%s VLAN %04u Port %03u", mac, ev->vlan,
			   ev->port);
		break;
	case SW_EV_MAC_MOVE:
		format_mac(ev->mac, mac);
		mgmt_event(c->m, tag, "%s VLAN %04u Port %03u to %03u", mac,
			   ev->vlan, ev->old_port, ev->port);
		break;
	}
}

/**
 * swcmd_showinfo() - the switch's line of showinfo, after the banner (the
 * console adds its own "mgmt PATH perm MODE")
 * @arg:	the switch's commands (struct swcmd)
 * @out:	where they go
 */
void swcmd_showinfo(void *arg, struct mgmt_out *out)
{
	struct swcmd *c = arg;
	char mac[18];

	format_mac(sw_macaddr(c->sw), mac);
	mgmt_printf(out, "pid %d MAC %s uptime %lld\n", (int)getpid(), mac,
		    (long long)sw_uptime(c->sw));
}

/**
 * swcmd_register() - give the console the switch's commands and events
 * @c:		filled in; must live until swcmd_unregister()
 * @m:		the console
 * @sw:		the switch
 * @ds:		its VDE control socket
 *
 * Return: 0 or -errno
 */
int swcmd_register(struct swcmd *c, struct mgmt *m, struct sw *sw,
		   struct datasock *ds)
{
	int rc;

	c->m = m;
	c->sw = sw;
	c->ds = ds;
	rc = cmd_info_register(c);
	if (!rc)
		rc = cmd_hash_register(c);
	if (!rc)
		rc = cmd_port_register(c);
	if (!rc)
		rc = cmd_vlan_register(c);
	if (!rc)
		rc = mgmt_event_register(m, sw_events, CMD_COUNT(sw_events));
	if (rc)
		return rc;
	c->listener.fn = swcmd_event;
	sw_listener_add(sw, &c->listener);
	return 0;
}

/**
 * swcmd_unregister() - stop listening to the switch (before either goes)
 * @c:		the switch's commands
 */
void swcmd_unregister(struct swcmd *c)
{
	sw_listener_del(c->sw, &c->listener);
}
