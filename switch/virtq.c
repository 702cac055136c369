/* SPDX-License-Identifier: GPL-2.0-or-later
 * virtq.c - guest memory and split virtqueues for the vhost-user back end:
 * the rules are in virtq.h.
 *
 * Ordering: the available index is read with acquire semantics before the
 * entries it covers; used entries are written before the used index is
 * stored with release semantics; a full fence separates that store from
 * reading used_event (or the flags) to decide on a call, and the store of
 * avail_event from re-reading the available index.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtq.h"

/**
 * vu_mem_init() - an empty memory table
 * @m:		the table
 */
void vu_mem_init(struct vu_mem *m)
{
	memset(m, 0, sizeof(*m));
}

/**
 * vu_mem_clear() - unmap every region
 * @m:		the table, empty afterwards
 */
void vu_mem_clear(struct vu_mem *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].map)
			munmap(m->r[i].map, m->r[i].map_len);
	vu_mem_init(m);
}

/**
 * vu_mem_set() - map a new memory table, replacing the old one on success
 * @m:		the table
 * @reg:	the regions as the front end describes them
 * @fds:	one fd per region (the caller closes them)
 * @n:		how many, 1..VU_MEM_REGIONS
 * @why:	on failure, the reason
 * @whylen:	size of @why
 *
 * Return: 0, or -errno with @m unchanged
 */
int vu_mem_set(struct vu_mem *m, const struct vu_region_msg *reg,
	       const int *fds, unsigned n, char *why, size_t whylen)
{
	struct vu_mem nm;
	unsigned i, k;
	int rc;

	vu_mem_init(&nm);
	if (n < 1 || n > VU_MEM_REGIONS) {
		snprintf(why, whylen, "%u regions (1 to %d)", n,
			 VU_MEM_REGIONS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		const struct vu_region_msg *r = &reg[i];
		uint64_t total = r->offset + r->size;
		void *p;

		if (!r->size || total < r->offset || total > SIZE_MAX ||
		    r->gpa + r->size < r->gpa || r->qva + r->size < r->qva) {
			snprintf(why, whylen,
				 "region %u: size %#llx at offset %#llx does "
				 "not fit", i, (unsigned long long)r->size,
				 (unsigned long long)r->offset);
			rc = -EINVAL;
			goto fail;
		}
		for (k = 0; k < i; k++)
			if (r->gpa < reg[k].gpa + reg[k].size &&
			    reg[k].gpa < r->gpa + r->size) {
				snprintf(why, whylen,
					 "regions %u and %u overlap", k, i);
				rc = -EINVAL;
				goto fail;
			}
		p = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, fds[i], 0);
		if (p == MAP_FAILED) {
			rc = -errno;
			snprintf(why, whylen, "region %u: mmap of %#llx bytes: "
				 "%s", i, (unsigned long long)total,
				 strerror(errno));
			goto fail;
		}
		nm.r[i].gpa = r->gpa;
		nm.r[i].size = r->size;
		nm.r[i].qva = r->qva;
		nm.r[i].offset = r->offset;
		nm.r[i].map = p;
		nm.r[i].map_len = (size_t)total;
		nm.n = i + 1;
	}
	vu_mem_clear(m);
	*m = nm;
	return 0;
fail:
	vu_mem_clear(&nm);
	return rc;
}

/**
 * vu_mem_qva() - where a front-end virtual address range is mapped here
 * @m:		the table
 * @qva:	start
 * @len:	length; the whole range must lie in one region
 *
 * Return: the address, or NULL
 */
void *vu_mem_qva(const struct vu_mem *m, uint64_t qva, uint64_t len)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct vu_region *r = &m->r[i];

		if (qva >= r->qva && qva - r->qva < r->size &&
		    len <= r->size - (qva - r->qva))
			return r->map + r->offset + (qva - r->qva);
	}
	return NULL;
}

/**
 * vu_mem_gpa_iov() - a guest-physical buffer as iovecs, one per region
 * @m:		the table
 * @gpa:	start
 * @len:	length
 * @iov:	filled
 * @max:	room in @iov
 *
 * Return: the number of iovecs (0 for an empty buffer), -EFAULT if part
 * of the buffer is in no region, -E2BIG if @max is too small
 */
int vu_mem_gpa_iov(const struct vu_mem *m, uint64_t gpa, uint64_t len,
		   struct iovec *iov, unsigned max)
{
	unsigned n = 0, i;

	while (len) {
		const struct vu_region *r = NULL;
		uint64_t off, take;

		for (i = 0; i < m->n; i++)
			if (gpa >= m->r[i].gpa &&
			    gpa - m->r[i].gpa < m->r[i].size) {
				r = &m->r[i];
				break;
			}
		if (!r)
			return -EFAULT;
		if (n == max)
			return -E2BIG;
		off = gpa - r->gpa;
		take = r->size - off < len ? r->size - off : len;
		iov[n].iov_base = r->map + r->offset + off;
		iov[n].iov_len = (size_t)take;
		n++;
		gpa += take;
		len -= take;
	}
	return (int)n;
}

/**
 * virtq_reset() - a ring with no size, addresses or state
 * @vq:		the ring
 */
void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

static size_t desc_size(unsigned num)
{
	return 16 * (size_t)num;
}

static size_t avail_size(unsigned num)
{
	return 6 + 2 * (size_t)num;
}

static size_t used_size(unsigned num)
{
	return 6 + 8 * (size_t)num;
}

/**
 * virtq_map() - find the ring in (a new) memory table
 * @vq:		a ring with its size and addresses set
 * @m:		the table
 *
 * Return: 0, or -EFAULT if a part is outside the regions or misaligned
 */
int virtq_map(struct virtq *vq, const struct vu_mem *m)
{
	void *d, *a, *u;

	if (!vq->have_addr || !vq->num)
		return 0;
	d = vu_mem_qva(m, vq->desc_qva, desc_size(vq->num));
	a = vu_mem_qva(m, vq->avail_qva, avail_size(vq->num));
	u = vu_mem_qva(m, vq->used_qva, used_size(vq->num));
	if (!d || !a || !u || ((uintptr_t)d & 15) || ((uintptr_t)a & 1) ||
	    ((uintptr_t)u & 3)) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return -EFAULT;
	}
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	return 0;
}

/**
 * virtq_set_addr() - SET_VRING_ADDR: where the ring's parts are
 * @vq:		the ring, its size set
 * @m:		the memory table
 * @desc:	descriptor table, front-end virtual address
 * @used:	used ring
 * @avail:	available ring
 *
 * The next used entry is the one the used index names now.
 *
 * Return: 0, -EINVAL without a size, -EFAULT if not mapped or misaligned
 */
int virtq_set_addr(struct virtq *vq, const struct vu_mem *m, uint64_t desc,
		   uint64_t used, uint64_t avail)
{
	int rc;

	if (!vq->num)
		return -EINVAL;
	vq->desc_qva = desc;
	vq->used_qva = used;
	vq->avail_qva = avail;
	vq->have_addr = true;
	rc = virtq_map(vq, m);
	if (rc) {
		vq->have_addr = false;
		return rc;
	}
	vq->used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	vq->avail_seen = vq->last_avail;
	vq->signalled_valid = false;
	return 0;
}

/**
 * virtq_ready() - the ring can be used
 * @vq:		the ring
 *
 * Return: true if it has a size and mapped addresses
 */
bool virtq_ready(const struct virtq *vq)
{
	return vq->num && vq->desc && vq->avail && vq->used;
}

/**
 * virtq_avail() - how many chains the guest offers (the available index
 * is read anew)
 * @vq:		a ready ring
 *
 * Return: the count, or -EPROTO if the index moved by more than the ring
 */
int virtq_avail(struct virtq *vq)
{
	uint16_t idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t n = (uint16_t)(idx - vq->last_avail);

	if (n > vq->num)
		return -EPROTO;
	vq->avail_seen = idx;
	return n;
}

/* Is [@gpa, @gpa + @len) inside region @r? */
static bool in_region(const struct vu_region *r, uint64_t gpa, uint64_t len)
{
	return gpa >= r->gpa && gpa - r->gpa < r->size &&
	       len <= r->size - (gpa - r->gpa);
}

/* The region holding the whole of [@gpa, @gpa + @len), region *@hint
 * tried first and set to the one found. Return: it, or NULL */
static const struct vu_region *mem_find(const struct vu_mem *m, uint64_t gpa,
					uint64_t len, unsigned *hint)
{
	unsigned i = *hint;

	if (i < m->n && in_region(&m->r[i], gpa, len))
		return &m->r[i];
	for (i = 0; i < m->n; i++)
		if (in_region(&m->r[i], gpa, len)) {
			*hint = i;
			return &m->r[i];
		}
	return NULL;
}

/* Add a descriptor's buffer to the element. Return: 0 or -errno */
static int elem_add(struct virtq_elem *e, const struct vu_mem *m,
		    const struct vring_desc *d)
{
	unsigned used = e->nout + e->nin;
	int n;

	if ((d->flags & VRING_DESC_F_WRITE) == 0 && e->nin)
		return -EINVAL;	/* readable after writable */
	n = vu_mem_gpa_iov(m, d->addr, d->len, e->iov + used,
			   VQ_MAX_IOV - used);
	if (n < 0)
		return n;
	if (d->flags & VRING_DESC_F_WRITE) {
		e->nin += (unsigned)n;
		e->in_len += d->len;
	} else {
		e->nout += (unsigned)n;
		e->out_len += d->len;
	}
	return 0;
}

static void desc_read(struct vring_desc *out, const struct vring_desc *in)
{
	/* one read of guest memory per field: the guest may change it */
	out->addr = __atomic_load_n(&in->addr, __ATOMIC_RELAXED);
	out->len = __atomic_load_n(&in->len, __ATOMIC_RELAXED);
	out->flags = __atomic_load_n(&in->flags, __ATOMIC_RELAXED);
	out->next = __atomic_load_n(&in->next, __ATOMIC_RELAXED);
}

/* Walk an indirect table. Return: 0 or -errno */
static int elem_indirect(struct virtq_elem *e, const struct vu_mem *m,
			 const struct vring_desc *ind)
{
	const struct vring_desc *tab;
	struct vring_desc d;
	unsigned cnt, i = 0, steps;
	struct iovec v;
	int rc;

	if (ind->len == 0 || ind->len % 16 || ind->len / 16 > VQ_MAX_INDIRECT)
		return -EINVAL;
	cnt = ind->len / 16;
	rc = vu_mem_gpa_iov(m, ind->addr, ind->len, &v, 1);
	if (rc != 1 || ((uintptr_t)v.iov_base & 15))
		return -EFAULT;	/* out of range, or split across regions */
	tab = v.iov_base;
	for (steps = 0;; steps++) {
		if (steps >= cnt)
			return -ELOOP;
		desc_read(&d, &tab[i]);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return -EINVAL;	/* nested */
		rc = elem_add(e, m, &d);
		if (rc)
			return rc;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= cnt)
			return -EINVAL;
		i = d.next;
	}
}

/**
 * virtq_pop() - take the next available chain
 * @vq:		a ready ring
 * @m:		the memory table
 * @e:		its buffers
 *
 * A bad chain is taken too: @e->head is valid, the caller returns it with
 * length 0 and counts it.
 *
 * Return: 1 taken, 0 none available, -EINVAL/-EFAULT/-ELOOP/-E2BIG a bad
 * chain (taken), -EPROTO the ring is broken
 */
int virtq_pop(struct virtq *vq, const struct vu_mem *m,
	      struct virtq_elem *e)
{
	const struct vu_region *r;
	struct vring_desc d;
	unsigned i, steps;
	uint16_t head, known = (uint16_t)(vq->avail_seen - vq->last_avail);
	int rc;

	if (!known || known > vq->num) {
		int n = virtq_avail(vq);

		if (n <= 0)
			return n;
	}
	/* the size is a power of 2 (SET_VRING_NUM): a mask, never past it */
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail &
						  (vq->num - 1)],
			       __ATOMIC_RELAXED);
	if (head >= vq->num)
		return -EPROTO;
	vq->last_avail++;
	e->head = head;
	desc_read(&d, &vq->desc[head]);
	/* the usual chain: one descriptor, inside one region */
	if (!(d.flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT)) &&
	    d.len && (r = mem_find(m, d.addr, d.len, &vq->region))) {
		e->iov[0].iov_base = r->map + r->offset + (d.addr - r->gpa);
		e->iov[0].iov_len = d.len;
		if (d.flags & VRING_DESC_F_WRITE) {
			e->nout = 0;
			e->nin = 1;
			e->out_len = 0;
			e->in_len = d.len;
		} else {
			e->nout = 1;
			e->nin = 0;
			e->out_len = d.len;
			e->in_len = 0;
		}
		return 1;
	}
	e->nout = e->nin = 0;
	e->out_len = e->in_len = 0;
	i = head;
	for (steps = 0;; steps++) {
		if (steps >= vq->num)
			return -ELOOP;
		if (steps)
			desc_read(&d, &vq->desc[i]);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect || (d.flags & VRING_DESC_F_NEXT) ||
			    steps)
				return -EINVAL;
			rc = elem_indirect(e, m, &d);
			return rc ? rc : 1;
		}
		rc = elem_add(e, m, &d);
		if (rc)
			return rc;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 1;
		if (d.next >= vq->num)
			return -EINVAL;
		i = d.next;
	}
}

/**
 * virtq_unpop() - give back the last @n chains taken, unused
 * @vq:		the ring
 * @n:		how many
 */
void virtq_unpop(struct virtq *vq, unsigned n)
{
	vq->last_avail = (uint16_t)(vq->last_avail - n);
}

/**
 * virtq_set_base() - SET_VRING_BASE: the next available entry to take
 * @vq:		the ring
 * @base:	its index
 */
void virtq_set_base(struct virtq *vq, uint16_t base)
{
	vq->last_avail = base;
	vq->avail_seen = base;	/* the index is read again before a take */
}

/**
 * virtq_push() - write a used entry, not yet published
 * @vq:		the ring
 * @head:	the chain's head
 * @len:	bytes written into it
 * @pos:	0 for the first entry of this batch, 1 for the next...
 */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len, unsigned pos)
{
	struct vring_used_elem *u = &vq->used->ring[
		(uint16_t)(vq->used_idx + pos) & (vq->num - 1)];

	__atomic_store_n(&u->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&u->len, len, __ATOMIC_RELAXED);
}

/**
 * virtq_used_len() - change the length of a used entry not yet published
 * @vq:		the ring
 * @pos:	as for virtq_push()
 * @len:	the new length
 */
void virtq_used_len(struct virtq *vq, unsigned pos, uint32_t len)
{
	struct vring_used_elem *u = &vq->used->ring[
		(uint16_t)(vq->used_idx + pos) & (vq->num - 1)];

	__atomic_store_n(&u->len, len, __ATOMIC_RELAXED);
}

/**
 * virtq_publish() - hand the @n entries pushed to the guest
 * @vq:		the ring
 * @n:		how many
 */
void virtq_publish(struct virtq *vq, unsigned n)
{
	vq->used_idx = (uint16_t)(vq->used_idx + n);
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

/**
 * virtq_should_call() - whether the guest wants an interrupt for what was
 * published since the last call (used_event with EVENT_IDX, else the
 * NO_INTERRUPT flag)
 * @vq:		the ring
 *
 * Return: true if the caller should signal the call fd
 */
bool virtq_should_call(struct virtq *vq)
{
	uint16_t old = vq->signalled, now = vq->used_idx, ev;
	bool valid = vq->signalled_valid;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(__atomic_load_n(&vq->avail->flags,
					 __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled = now;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	ev = __atomic_load_n(&vq->avail->ring[vq->num], __ATOMIC_RELAXED);
	return (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
}

/**
 * virtq_want_kick() - ask for a kick when the guest adds a chain past
 * what was taken (EVENT_IDX: avail_event; without it kicks always come)
 * @vq:		the ring
 */
void virtq_want_kick(struct virtq *vq)
{
	uint16_t *avail_event = (uint16_t *)(void *)((uint8_t *)vq->used + 4 +
						      8 * (size_t)vq->num);

	if (!vq->event_idx)
		return;
	__atomic_store_n(avail_event, vq->last_avail, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
