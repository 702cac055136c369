/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanfdb.h - a VXLAN port's forwarding database: which VTEP (remote
 * tunnel end) each inner MAC address is behind, as the kernel's vxlan
 * learns it.
 *
 * The MACs are a struct mactable (MAC -> "port", here a VTEP's index in
 * the VTEP table; VLAN 0), so they are bounded, aged and evicted the way
 * the switch's own table is: when full, a new MAC evicts the oldest of the
 * VTEP that holds the most, so a remote flooding source MACs pushes out
 * its own entries, never the memory bound nor everyone else's.
 *
 * The VTEPs: a fixed table of VXLAN_VTEP_MAX. The URL's static remotes
 * are never aged; a learned VTEP goes when it has had no MAC for the
 * ageing time (a VTEP with MACs never goes, so entries never point at a
 * freed VTEP). Each keeps frames in and out, last-heard time and the
 * underlay MTU towards it.
 */
#ifndef PATCHBAY_VXLANFDB_H
#define PATCHBAY_VXLANFDB_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sockaddr.h"

#define VXLAN_VTEP_MAX 256

struct vxlan_vtep {
	struct sa addr;
	bool used;
	bool is_static;
	uint64_t in_pkts, out_pkts;
	time_t seen;		/* last frame from it (learned ones) */
	unsigned mtu;		/* underlay MTU towards it, 0: unknown */
	unsigned mtu_logged;	/* the MTU a drop was last logged with */
};

struct vxlan_fdb;

struct vxlan_fdb *vxlan_fdb_create(unsigned maxmacs, unsigned expire);
void vxlan_fdb_destroy(struct vxlan_fdb *f);
int vxlan_fdb_vtep(struct vxlan_fdb *f, const struct sockaddr *sa,
		   socklen_t len, bool is_static, time_t now);
int vxlan_fdb_learn(struct vxlan_fdb *f, const uint8_t mac[6], int vtep,
		    time_t now);
int vxlan_fdb_lookup(const struct vxlan_fdb *f, const uint8_t mac[6],
		     time_t now);
void vxlan_fdb_expire(struct vxlan_fdb *f, time_t now);
struct vxlan_vtep *vxlan_fdb_vtep_at(struct vxlan_fdb *f, unsigned i);
unsigned vxlan_fdb_vtep_macs(const struct vxlan_fdb *f, unsigned i);
unsigned vxlan_fdb_nvteps(const struct vxlan_fdb *f);
unsigned vxlan_fdb_nmacs(const struct vxlan_fdb *f);
uint64_t vxlan_fdb_evictions(const struct vxlan_fdb *f);
uint64_t vxlan_fdb_refused(const struct vxlan_fdb *f);

#endif /* PATCHBAY_VXLANFDB_H */
