/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhostuser.h - QEMU virtio-net devices as switch ports over vhost-user:
 * vhost-user:///PATH.
 */
#ifndef PATCHBAY_VHOSTUSER_H
#define PATCHBAY_VHOSTUSER_H

struct sw;
struct vhu_backend;

struct vhu_backend *vhostuser_backend_create(struct sw *sw);

#endif /* PATCHBAY_VHOSTUSER_H */
