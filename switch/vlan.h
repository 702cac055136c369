/* SPDX-License-Identifier: GPL-2.0-or-later
 * vlan.h - the 802.1Q engine: VLAN table, port memberships, ingress
 * classification and egress tagging decisions.
 *
 * Every port has one untagged VLAN (default 0; VLAN_NONE means "accept
 * tagged frames only") and any number of tagged memberships. A port in
 * trunk mode is VLAN-transparent: it accepts every tagged frame, whatever
 * its VID, and receives every tagged frame with the tag untouched.
 *
 * The module only decides; it never touches frame bytes except to read
 * the tag. Ports are plain indices 0..nports.
 */
#ifndef PATCHBAY_VLAN_H
#define PATCHBAY_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VLAN_MAX 4094	/* highest VLAN a user can create */
#define VLAN_NONE 4095	/* "no untagged VLAN" */
#define VLAN_TPID 0x8100

struct vlan_table;

/* How a frame leaves a port for a given VLAN. */
enum vlan_egress {
	VLAN_EGRESS_NONE = 0,	/* the port is not in that VLAN */
	VLAN_EGRESS_UNTAGGED,	/* strip the tag if the frame has one */
	VLAN_EGRESS_TAGGED,	/* keep the frame's tag, or insert one */
};

struct vlan_table *vlan_table_create(unsigned nports);
void vlan_table_destroy(struct vlan_table *vt);
int vlan_table_resize(struct vlan_table *vt, unsigned nports);

int vlan_create(struct vlan_table *vt, unsigned vid);
int vlan_remove(struct vlan_table *vt, unsigned vid);
bool vlan_exists(const struct vlan_table *vt, unsigned vid);

int vlan_set_untagged(struct vlan_table *vt, unsigned port, unsigned vid);
unsigned vlan_get_untagged(const struct vlan_table *vt, unsigned port);
int vlan_add_tagged(struct vlan_table *vt, unsigned port, unsigned vid);
int vlan_del_tagged(struct vlan_table *vt, unsigned port, unsigned vid);
bool vlan_is_tagged(const struct vlan_table *vt, unsigned port, unsigned vid);
int vlan_set_trunk(struct vlan_table *vt, unsigned port, bool on);
bool vlan_is_trunk(const struct vlan_table *vt, unsigned port);
void vlan_port_reset(struct vlan_table *vt, unsigned port);

int vlan_classify(const struct vlan_table *vt, unsigned port,
		  const uint8_t *frame, size_t len, uint16_t *vid,
		  bool *tagged);
enum vlan_egress vlan_egress(const struct vlan_table *vt, unsigned port,
			     unsigned vid);

#endif /* PATCHBAY_VLAN_H */
