/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhumsg.h - the vhost-user protocol's wire format (QEMU's
 * docs/interop/vhost-user.rst) and the virtio-net bits a net back end
 * speaks: request numbers, header flags, payloads, feature bits.
 *
 * A message is a 12-byte header {request, flags, size} (host byte order)
 * and @size bytes of payload, on a UNIX stream socket; file descriptors
 * travel with it by SCM_RIGHTS (at most VHU_MAX_FDS).
 */
#ifndef PATCHBAY_VHUMSG_H
#define PATCHBAY_VHUMSG_H

#include <stdint.h>

enum vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_RESET_OWNER = 4,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_LOG_BASE = 6,
	VHU_SET_LOG_FD = 7,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_SET_VRING_ERR = 14,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_GET_QUEUE_NUM = 17,
	VHU_SET_VRING_ENABLE = 18,
};

#define VHU_VERSION 0x1
#define VHU_FLAG_VERSION_MASK 0x3
#define VHU_FLAG_REPLY 0x4
#define VHU_FLAG_NEED_REPLY 0x8

#define VHU_HDR_SIZE 12
#define VHU_PAYLOAD_MAX 512	/* the largest we take: a full memory table */
#define VHU_MAX_FDS 8
#define VHU_VRING_NOFD (1ULL << 8)	/* SET_VRING_KICK/CALL/ERR: no fd */
#define VHU_VRING_IDX_MASK 0xffULL

/* feature bits (virtio 1.2; vhost-user's PROTOCOL_FEATURES) */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34

#define VHU_PROTOCOL_F_REPLY_ACK 3

/* SET_VRING_NUM/BASE, GET_VRING_BASE, SET_VRING_ENABLE */
struct vhu_vring_state {
	uint32_t index;
	uint32_t num;
};

/* SET_VRING_ADDR: front-end virtual addresses */
struct vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

/* SET_MEM_TABLE: nregions, padding, then that many regions */
struct vhu_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t qva;
	uint64_t offset;
};

struct vhu_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhu_mem_region r[8];
};

/* The virtio-net header itself is vnethdr.h's (12 bytes with VERSION_1 or
 * MRG_RXBUF, else the first 10). */

#endif /* PATCHBAY_VHUMSG_H */
