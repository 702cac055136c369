/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanep.h - VXLAN (RFC 7348) tunnels as switch ports: vxlan://.
 */
#ifndef PATCHBAY_VXLANEP_H
#define PATCHBAY_VXLANEP_H

struct sw;
struct vxlan_backend;

struct vxlan_backend *vxlanep_backend_create(struct sw *sw);

#endif /* PATCHBAY_VXLANEP_H */
