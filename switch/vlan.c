/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vlan.c - the 802.1Q engine: which VLANs exist, which ports belong to them
 * and how, and what happens to a frame entering or leaving a port. The set
 * of existing VLANs is a 4096-bit bitmap (VLAN 0 is always in it). Each port
 * holds its untagged VLAN, its trunk flag and a 4096-bit bitmap of tagged
 * memberships that is only allocated once the port joins its first VLAN as
 * a tagged member and is released when it leaves its last one, so a large
 * idle switch costs a few bytes per port.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vlan.h"

#define VLAN_COUNT 4096		/* VIDs 0..4095, VLAN_NONE included */
#define VLAN_WORD_BITS 64
#define VLAN_WORDS (VLAN_COUNT / VLAN_WORD_BITS)

#define ETH_TPID_OFF 12		/* offset of the EtherType / TPID */
#define ETH_TCI_OFF 14		/* offset of the tag control information */
#define ETH_TAGGED_MIN 18	/* two MACs, TPID and TCI */
#define VLAN_VID_MASK 0x0fff

struct vlan_port {
	uint64_t *tagged;	/* VLAN_WORDS words, NULL when ntagged == 0 */
	uint16_t ntagged;	/* number of bits set in @tagged */
	uint16_t untagged;	/* untagged VLAN or VLAN_NONE */
	bool trunk;		/* VLAN-transparent */
};

struct vlan_table {
	unsigned nports;		/* ports are 0..nports */
	struct vlan_port *ports;	/* nports + 1 entries */
	uint64_t exists[VLAN_WORDS];
};

static bool bit_test(const uint64_t *map, unsigned bit)
{
	return (map[bit / VLAN_WORD_BITS] >> (bit % VLAN_WORD_BITS)) & 1;
}

static void bit_set(uint64_t *map, unsigned bit)
{
	map[bit / VLAN_WORD_BITS] |= UINT64_C(1) << (bit % VLAN_WORD_BITS);
}

static void bit_clear(uint64_t *map, unsigned bit)
{
	map[bit / VLAN_WORD_BITS] &= ~(UINT64_C(1) << (bit % VLAN_WORD_BITS));
}

static void port_init(struct vlan_port *p)
{
	p->tagged = NULL;
	p->ntagged = 0;
	p->untagged = 0;
	p->trunk = false;
}

static void port_clear(struct vlan_port *p)
{
	free(p->tagged);
	port_init(p);
}

static struct vlan_port *get_port(const struct vlan_table *vt, unsigned port)
{
	if (port > vt->nports)
		return NULL;
	return &vt->ports[port];
}

static bool port_has_tagged(const struct vlan_port *p, unsigned vid)
{
	return p->tagged && vid <= VLAN_MAX && bit_test(p->tagged, vid);
}

/* Drop a tagged membership the caller knows exists. */
static void port_untag(struct vlan_port *p, unsigned vid)
{
	bit_clear(p->tagged, vid);
	if (--p->ntagged == 0) {
		free(p->tagged);
		p->tagged = NULL;
	}
}

/* Number of port entries for ports 0..nports, or 0 if it would overflow. */
static size_t port_count(unsigned nports)
{
	size_t n = (size_t)nports + 1;

	if (n == 0 || n > SIZE_MAX / sizeof(struct vlan_port))
		return 0;
	return n;
}

/**
 * vlan_table_create() - create a VLAN table with only VLAN 0
 * @nports: highest port index; ports 0..@nports exist
 *
 * Every port starts with untagged VLAN 0, no tagged memberships and trunk
 * mode off.
 *
 * Return: the new table, or NULL if memory ran out.
 */
struct vlan_table *vlan_table_create(unsigned nports)
{
	struct vlan_table *vt;
	size_t n = port_count(nports);
	size_t i;

	if (!n)
		return NULL;
	vt = calloc(1, sizeof(*vt));
	if (!vt)
		return NULL;
	vt->ports = calloc(n, sizeof(*vt->ports));
	if (!vt->ports) {
		free(vt);
		return NULL;
	}
	for (i = 0; i < n; i++)
		port_init(&vt->ports[i]);
	vt->nports = nports;
	bit_set(vt->exists, 0);
	return vt;
}

/**
 * vlan_table_destroy() - free a VLAN table
 * @vt: the table, or NULL
 */
void vlan_table_destroy(struct vlan_table *vt)
{
	size_t i;

	if (!vt)
		return;
	for (i = 0; i <= vt->nports; i++)
		free(vt->ports[i].tagged);
	free(vt->ports);
	free(vt);
}

/**
 * vlan_table_resize() - change the port range
 * @vt: the table
 * @nports: new highest port index
 *
 * Ports beyond the old range get the defaults; ports beyond the new range
 * lose their configuration. On failure the table is unchanged.
 *
 * Return: 0, or -ENOMEM.
 */
int vlan_table_resize(struct vlan_table *vt, unsigned nports)
{
	struct vlan_port *ports;
	size_t n = port_count(nports);
	size_t i;

	if (!n)
		return -ENOMEM;
	if (nports < vt->nports) {
		for (i = (size_t)nports + 1; i <= vt->nports; i++)
			port_clear(&vt->ports[i]);
		/* A failed shrink leaves a larger block, which is fine. */
		ports = realloc(vt->ports, n * sizeof(*ports));
		if (ports)
			vt->ports = ports;
		vt->nports = nports;
		return 0;
	}
	ports = realloc(vt->ports, n * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	for (i = (size_t)vt->nports + 1; i < n; i++)
		port_init(&ports[i]);
	vt->ports = ports;
	vt->nports = nports;
	return 0;
}

/**
 * vlan_create() - create a VLAN
 * @vt: the table
 * @vid: VLAN ID, 1..VLAN_MAX
 *
 * Return: 0; -EEXIST if the VLAN exists (VLAN 0 always does); -EINVAL if
 * @vid is above VLAN_MAX.
 */
int vlan_create(struct vlan_table *vt, unsigned vid)
{
	if (vid > VLAN_MAX)
		return -EINVAL;
	if (bit_test(vt->exists, vid))
		return -EEXIST;
	bit_set(vt->exists, vid);
	return 0;
}

/**
 * vlan_remove() - remove a VLAN no port uses
 * @vt: the table
 * @vid: VLAN ID, 1..VLAN_MAX
 *
 * Return: 0; -EINVAL for VLAN 0 or @vid above VLAN_MAX; -ENXIO if the VLAN
 * does not exist; -EADDRINUSE if a port has it as untagged VLAN or is a
 * tagged member of it.
 */
int vlan_remove(struct vlan_table *vt, unsigned vid)
{
	size_t i;

	if (vid == 0 || vid > VLAN_MAX)
		return -EINVAL;
	if (!bit_test(vt->exists, vid))
		return -ENXIO;
	for (i = 0; i <= vt->nports; i++) {
		const struct vlan_port *p = &vt->ports[i];

		if (p->untagged == vid || port_has_tagged(p, vid))
			return -EADDRINUSE;
	}
	bit_clear(vt->exists, vid);
	return 0;
}

/**
 * vlan_exists() - tell whether a VLAN exists
 * @vt: the table
 * @vid: VLAN ID
 *
 * Return: true if @vid is VLAN 0 or a created VLAN.
 */
bool vlan_exists(const struct vlan_table *vt, unsigned vid)
{
	return vid <= VLAN_MAX && bit_test(vt->exists, vid);
}

/**
 * vlan_set_untagged() - set the untagged VLAN of a port
 * @vt: the table
 * @port: port index
 * @vid: an existing VLAN, or VLAN_NONE to accept tagged frames only
 *
 * A tagged membership of the port in @vid, if any, is dropped: a port is
 * either an untagged or a tagged member of a VLAN, never both.
 *
 * Return: 0; -EINVAL if @port is out of range or @vid above VLAN_NONE;
 * -ENXIO if the VLAN does not exist.
 */
int vlan_set_untagged(struct vlan_table *vt, unsigned port, unsigned vid)
{
	struct vlan_port *p = get_port(vt, port);

	if (!p || vid > VLAN_NONE)
		return -EINVAL;
	if (vid != VLAN_NONE && !bit_test(vt->exists, vid))
		return -ENXIO;
	if (port_has_tagged(p, vid))
		port_untag(p, vid);
	p->untagged = (uint16_t)vid;
	return 0;
}

/**
 * vlan_get_untagged() - get the untagged VLAN of a port
 * @vt: the table
 * @port: port index
 *
 * Return: the untagged VLAN, or VLAN_NONE if the port has none or is out
 * of range.
 */
unsigned vlan_get_untagged(const struct vlan_table *vt, unsigned port)
{
	const struct vlan_port *p = get_port(vt, port);

	return p ? p->untagged : VLAN_NONE;
}

/**
 * vlan_add_tagged() - make a port a tagged member of a VLAN
 * @vt: the table
 * @port: port index
 * @vid: an existing VLAN
 *
 * Return: 0; -EINVAL if @port is out of range or @vid above VLAN_MAX;
 * -ENXIO if the VLAN does not exist; -EADDRINUSE if it is the port's
 * untagged VLAN; -EEXIST if the port already is a tagged member;
 * -ENOMEM.
 */
int vlan_add_tagged(struct vlan_table *vt, unsigned port, unsigned vid)
{
	struct vlan_port *p = get_port(vt, port);

	if (!p || vid > VLAN_MAX)
		return -EINVAL;
	if (!bit_test(vt->exists, vid))
		return -ENXIO;
	if (p->untagged == vid)
		return -EADDRINUSE;
	if (port_has_tagged(p, vid))
		return -EEXIST;
	if (!p->tagged) {
		p->tagged = calloc(VLAN_WORDS, sizeof(*p->tagged));
		if (!p->tagged)
			return -ENOMEM;
	}
	bit_set(p->tagged, vid);
	p->ntagged++;
	return 0;
}

/**
 * vlan_del_tagged() - end a tagged membership of a port
 * @vt: the table
 * @port: port index
 * @vid: VLAN ID
 *
 * Return: 0; -EINVAL if @port is out of range or @vid above VLAN_MAX;
 * -EADDRINUSE if @vid is the port's untagged VLAN; -ENXIO if the port is
 * not a tagged member of @vid.
 */
int vlan_del_tagged(struct vlan_table *vt, unsigned port, unsigned vid)
{
	struct vlan_port *p = get_port(vt, port);

	if (!p || vid > VLAN_MAX)
		return -EINVAL;
	if (p->untagged == vid)
		return -EADDRINUSE;
	if (!port_has_tagged(p, vid))
		return -ENXIO;
	port_untag(p, vid);
	return 0;
}

/**
 * vlan_is_tagged() - tell whether a port is a tagged member of a VLAN
 * @vt: the table
 * @port: port index
 * @vid: VLAN ID
 *
 * Trunk mode does not count: this reports configured memberships only.
 *
 * Return: true if it is; false otherwise or if @port is out of range.
 */
bool vlan_is_tagged(const struct vlan_table *vt, unsigned port, unsigned vid)
{
	const struct vlan_port *p = get_port(vt, port);

	return p && port_has_tagged(p, vid);
}

/**
 * vlan_set_trunk() - switch the VLAN-transparent trunk mode of a port
 * @vt: the table
 * @port: port index
 * @on: true to make the port accept and receive every tagged frame
 *
 * Return: 0, or -EINVAL if @port is out of range.
 */
int vlan_set_trunk(struct vlan_table *vt, unsigned port, bool on)
{
	struct vlan_port *p = get_port(vt, port);

	if (!p)
		return -EINVAL;
	p->trunk = on;
	return 0;
}

/**
 * vlan_is_trunk() - tell whether a port is in trunk mode
 * @vt: the table
 * @port: port index
 *
 * Return: true if it is; false otherwise or if @port is out of range.
 */
bool vlan_is_trunk(const struct vlan_table *vt, unsigned port)
{
	const struct vlan_port *p = get_port(vt, port);

	return p && p->trunk;
}

/**
 * vlan_port_reset() - give a port the default configuration
 * @vt: the table
 * @port: port index; out of range is ignored
 *
 * Untagged VLAN 0, no tagged memberships, trunk mode off.
 */
void vlan_port_reset(struct vlan_table *vt, unsigned port)
{
	struct vlan_port *p = get_port(vt, port);

	if (p)
		port_clear(p);
}

/**
 * vlan_classify() - decide which VLAN a frame entering a port belongs to
 * @vt: the table
 * @port: ingress port index
 * @frame: Ethernet frame, from the destination MAC
 * @len: bytes in @frame, at least 14
 * @vid: set to the frame's VLAN on success
 * @tagged: set to whether the frame carries an 802.1Q tag on success
 *
 * Only TPID 0x8100 marks a tagged frame. An untagged frame goes to the
 * port's untagged VLAN. A tagged frame is accepted if the port is a member
 * of its VLAN (untagged or tagged) or in trunk mode; VID 4095 never is.
 * @vid and @tagged are left alone when the frame is dropped.
 *
 * Return: 0 if the frame is accepted, -1 if it must be dropped.
 */
int vlan_classify(const struct vlan_table *vt, unsigned port,
		  const uint8_t *frame, size_t len, uint16_t *vid,
		  bool *tagged)
{
	const struct vlan_port *p = get_port(vt, port);
	unsigned v;

	if (!p || len < ETH_TCI_OFF)
		return -1;
	if (frame[ETH_TPID_OFF] != (VLAN_TPID >> 8) ||
	    frame[ETH_TPID_OFF + 1] != (VLAN_TPID & 0xff)) {
		if (p->untagged == VLAN_NONE)
			return -1;
		*vid = p->untagged;
		*tagged = false;
		return 0;
	}
	if (len < ETH_TAGGED_MIN)
		return -1;
	v = ((unsigned)frame[ETH_TCI_OFF] << 8 | frame[ETH_TCI_OFF + 1]) &
	    VLAN_VID_MASK;
	if (v > VLAN_MAX)
		return -1;
	if (p->untagged != v && !port_has_tagged(p, v) && !p->trunk)
		return -1;
	*vid = (uint16_t)v;
	*tagged = true;
	return 0;
}

/**
 * vlan_egress() - decide how a frame of a VLAN leaves a port
 * @vt: the table
 * @port: egress port index
 * @vid: the frame's VLAN, as set by vlan_classify()
 *
 * Return: VLAN_EGRESS_UNTAGGED if @vid is the port's untagged VLAN;
 * VLAN_EGRESS_TAGGED if the port is a tagged member of @vid or in trunk
 * mode; VLAN_EGRESS_NONE otherwise, or if @port is out of range or @vid
 * above VLAN_MAX.
 */
enum vlan_egress vlan_egress(const struct vlan_table *vt, unsigned port,
			     unsigned vid)
{
	const struct vlan_port *p = get_port(vt, port);

	if (!p || vid > VLAN_MAX)
		return VLAN_EGRESS_NONE;
	if (p->untagged == vid)
		return VLAN_EGRESS_UNTAGGED;
	if (p->trunk || port_has_tagged(p, vid))
		return VLAN_EGRESS_TAGGED;
	return VLAN_EGRESS_NONE;
}
