/* SPDX-License-Identifier: GPL-2.0-or-later
 * vdewire.h - the VDE control protocol on the wire (research/vde.md §1.3).
 *
 * Integers are in host byte order; structures are packed. A v3 request is
 * magic, version, type (low byte: request, high bits: port), the client's
 * sockaddr_un, then up to 128 bytes of description, not NUL-terminated.
 * The reply is the 110-byte sockaddr_un of the switch's data socket.
 */
#ifndef PATCHBAY_VDEWIRE_H
#define PATCHBAY_VDEWIRE_H

#include <stdint.h>

#define VDE_MAGIC 0xfeedfaceU
#define VDE_REQ_NEW_CONTROL 0
#define VDE_REQ_NEW_PORT0 1

#define VDE_SUN_SIZE 110	/* sizeof(struct sockaddr_un) on Linux */
#define VDE_SUN_PATH 108
#define VDE_MAXDESCR 128

/* v3: magic(4) version(4) type(4) sockaddr_un(110) description */
#define VDE_V3_OFF_TYPE 8
#define VDE_V3_OFF_SUN 12
#define VDE_V3_HDR 122

/* v1: magic(4) type(4) mac(6) sockaddr_un(110) description */
#define VDE_V1_OFF_SUN 14
#define VDE_V1_HDR 124

#define VDE_FRAME_MIN 14	/* an Ethernet header */
#define VDE_FRAME_PAD 60	/* short frames are padded to this */
#define VDE_FRAME_MAX 9234	/* vdeplug4's VDE_ETHBUFSIZE: 9216 + 14 + 4 */

#endif /* PATCHBAY_VDEWIRE_H */
