/* SPDX-License-Identifier: GPL-2.0-or-later
 * virtq.h - a vhost-user back end's view of guest memory and of virtio
 * split virtqueues (virtio 1.2, "Split Virtqueues").
 *
 * Guest memory (struct vu_mem) is the table of at most VU_MEM_REGIONS
 * regions the front end (QEMU) sends with SET_MEM_TABLE, each mapped
 * from its fd. Two address spaces point into it: ring addresses are the
 * front end's virtual addresses (vu_mem_qva()), descriptor addresses are
 * guest-physical (vu_mem_gpa_iov(), which splits a buffer that crosses
 * regions into one iovec per region).
 *
 * Everything in guest memory is untrusted and may change under us: a
 * descriptor is read once into a local copy, checked, then used; every
 * address and length is checked against the regions; a chain follows at
 * most the ring size of descriptors (so a loop ends) plus one indirect
 * table, which must lie in one region, hold at most VQ_MAX_INDIRECT
 * entries and not point at another table. A chain that breaks a rule is
 * "bad": it is returned to the guest unused (used length 0) and counted;
 * a ring whose available index jumps by more than its size, or names a
 * head outside the ring, is broken and the caller drops the connection.
 */
#ifndef PATCHBAY_VIRTQ_H
#define PATCHBAY_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VU_MEM_REGIONS 8
#define VQ_MAX_SIZE 32768
#define VQ_MAX_INDIRECT 1024
#define VQ_MAX_IOV 256	/* buffers of one chain, after region splits */

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vu_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;
	uint64_t qva;		/* start in the front end's address space */
	uint64_t offset;	/* of the region in its fd */
	uint8_t *map;		/* mmap() of offset + size bytes from 0 */
	size_t map_len;
};

struct vu_mem {
	struct vu_region r[VU_MEM_REGIONS];
	unsigned n;
};

/* One region as SET_MEM_TABLE describes it. */
struct vu_region_msg {
	uint64_t gpa, size, qva, offset;
};

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* then avail_event */
};

/* A split virtqueue. The addresses are kept as the front end gave them, so
 * the ring can be found again in a new memory table. */
struct virtq {
	unsigned num;		/* ring size, a power of 2; 0 until
				 * SET_VRING_NUM */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool have_addr;
	uint64_t desc_qva, avail_qva, used_qva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	/* next available entry to take */
	uint16_t avail_seen;	/* the available index as last read: the
				 * entries up to it need no new read of it */
	unsigned region;	/* region of the last buffer found */
	uint16_t used_idx;	/* next used entry to write */
	uint16_t signalled;	/* used index at the last call */
	bool signalled_valid;
};

/* A chain taken from the ring: its buffers, device-readable first. */
struct virtq_elem {
	uint16_t head;
	unsigned nout, nin;	/* readable iovecs, then writable ones */
	size_t out_len, in_len;
	struct iovec iov[VQ_MAX_IOV];
};

void vu_mem_init(struct vu_mem *m);
int vu_mem_set(struct vu_mem *m, const struct vu_region_msg *reg,
	       const int *fds, unsigned n, char *why, size_t whylen);
void vu_mem_clear(struct vu_mem *m);
void *vu_mem_qva(const struct vu_mem *m, uint64_t qva, uint64_t len);
int vu_mem_gpa_iov(const struct vu_mem *m, uint64_t gpa, uint64_t len,
		   struct iovec *iov, unsigned max);

void virtq_reset(struct virtq *vq);
int virtq_set_addr(struct virtq *vq, const struct vu_mem *m, uint64_t desc,
		   uint64_t used, uint64_t avail);
int virtq_map(struct virtq *vq, const struct vu_mem *m);
bool virtq_ready(const struct virtq *vq);
int virtq_avail(struct virtq *vq);
int virtq_pop(struct virtq *vq, const struct vu_mem *m,
	      struct virtq_elem *e);
void virtq_unpop(struct virtq *vq, unsigned n);
void virtq_set_base(struct virtq *vq, uint16_t base);
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len,
		unsigned pos);
void virtq_used_len(struct virtq *vq, unsigned pos, uint32_t len);
void virtq_publish(struct virtq *vq, unsigned n);
bool virtq_should_call(struct virtq *vq);
void virtq_want_kick(struct virtq *vq);

#endif /* PATCHBAY_VIRTQ_H */
