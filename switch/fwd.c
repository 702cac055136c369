/* SPDX-License-Identifier: GPL-2.0-or-later
 * fwd.c - the forwarding engine.
 *
 * fwd_input() takes a batch of frames read from one port. For each frame it
 * decides the output ports (hub: all others; switch: learn the source,
 * look up the destination in the frame's VLAN, flood when unknown) and how
 * each copy leaves (as is, tag stripped, tag inserted, padded). Copies are
 * not made: each output is an iovec pointing into the received frame, a
 * 4-byte tag and a zero pad, collected per endpoint in a "slot". When the
 * batch is done every slot is sent with one sendmmsg(); what the socket
 * does not take now goes to the endpoint's bounded queue (txq), drained on
 * EPOLLOUT. So the loop never blocks on a slow receiver and a burst is not
 * lost while it fits the queue.
 *
 * Slots come from a fixed pool; if more endpoints than slots get output
 * in one batch, the oldest slot is sent early to make room (frame order
 * per endpoint is kept).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "mactable.h"
#include "parse.h"
#include "port.h"
#include "vdewire.h"
#include "vlan.h"

#define FWD_SLOTS 64
#define FWD_IOV 4
#define FWD_MOVES_PER_SEC 10

enum fwd_action {
	FWD_ASIS,
	FWD_STRIP,
	FWD_INSERT,
};

struct txslot {
	struct endpoint *ep;
	unsigned n;
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH][FWD_IOV];
	size_t len[FWD_BATCH];
};

struct fwd {
	struct txslot slots[FWD_SLOTS];
	unsigned used;		/* slots[0..used) hold output */
	time_t moves_sec;	/* MAC moves logged in this second */
	unsigned moves_logged;
	uint64_t moves_quiet;	/* and not logged since the last report */
};

static const uint8_t fwd_zeros[VDE_FRAME_PAD];

/**
 * fwd_create() - make the forwarding engine's buffers
 * @sw:		the switch
 *
 * Return: the engine, or NULL
 */
struct fwd *fwd_create(struct sw *sw)
{
	(void)sw;
	return calloc(1, sizeof(struct fwd));
}

/**
 * fwd_destroy() - release the engine
 * @fw:		the engine, or NULL
 */
void fwd_destroy(struct fwd *fw)
{
	free(fw);
}

static void fwd_queue(struct endpoint *ep, const struct mmsghdr *m,
		      size_t len)
{
	if (txq_push(&ep->q, m->msg_hdr.msg_iov, (int)m->msg_hdr.msg_iovlen,
		     len))
		ep->port->c.drop_queue++;
}

/* Send what @slot holds; what cannot go now waits in the queue. */
static void fwd_slot_flush(struct txslot *slot)
{
	struct endpoint *ep = slot->ep;
	unsigned i = 0;

	if (txq_empty(&ep->q)) {
		while (i < slot->n) {
			int rc = ep->ops->send(ep, &slot->msgs[i],
					       slot->n - i);

			if (rc > 0) {
				i += (unsigned)rc;
				continue;
			}
			if (rc == -EAGAIN || rc == -EWOULDBLOCK ||
			    rc == -ENOBUFS)
				break;
			ep->port->c.drop_send++;
			log_debug("port %u endpoint %d: send: %s",
				  ep->port->num, ep->id, strerror(-rc));
			i++;
		}
	}
	for (; i < slot->n; i++)
		fwd_queue(ep, &slot->msgs[i], slot->len[i]);
	if (!txq_empty(&ep->q))
		ep->ops->want_write(ep, true);
	ep->slot = NULL;
	slot->ep = NULL;
	slot->n = 0;
}

static void fwd_flush_all(struct fwd *fw)
{
	unsigned i;

	for (i = 0; i < fw->used; i++)
		if (fw->slots[i].ep)
			fwd_slot_flush(&fw->slots[i]);
	fw->used = 0;
}

static struct txslot *fwd_slot_get(struct fwd *fw, struct endpoint *ep)
{
	struct txslot *slot = ep->slot;

	if (slot) {
		if (slot->n == FWD_BATCH) {
			fwd_slot_flush(slot);
			slot->ep = ep;
			ep->slot = slot;
		}
		return slot;
	}
	if (fw->used == FWD_SLOTS)
		fwd_flush_all(fw);
	slot = &fw->slots[fw->used++];
	slot->ep = ep;
	slot->n = 0;
	ep->slot = slot;
	return slot;
}

static void fwd_add(struct fwd *fw, struct endpoint *ep,
		    const struct frame *f, enum fwd_action act, size_t len)
{
	struct txslot *slot = fwd_slot_get(fw, ep);
	unsigned k = slot->n++;
	struct iovec *iov = slot->iov[k];
	struct mmsghdr *m = &slot->msgs[k];
	size_t out = len;
	int n = 0;

	switch (act) {
	case FWD_ASIS:
		iov[n++] = (struct iovec){ f->data, f->len };
		break;
	case FWD_STRIP:
		iov[n++] = (struct iovec){ f->data, 12 };
		iov[n++] = (struct iovec){ f->data + 16, f->len - 16 };
		break;
	case FWD_INSERT:
		iov[n++] = (struct iovec){ f->data, 12 };
		iov[n++] = (struct iovec){ (void *)(uintptr_t)f->tag, 4 };
		iov[n++] = (struct iovec){ f->data + 12, f->len - 12 };
		break;
	}
	if (ep->ops->pad && len < VDE_FRAME_PAD) {
		iov[n++] = (struct iovec){ (void *)(uintptr_t)fwd_zeros,
					   VDE_FRAME_PAD - len };
		out = VDE_FRAME_PAD;
	}
	memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
	m->msg_hdr.msg_iov = iov;
	m->msg_hdr.msg_iovlen = (size_t)n;
	slot->len[k] = out;
}

/* One copy of @f to every endpoint of @p. */
static void fwd_emit(struct fwd *fw, struct port *p, const struct frame *f,
		     enum fwd_action act)
{
	struct endpoint *ep;
	size_t len = f->len;

	if (act == FWD_STRIP)
		len -= 4;
	else if (act == FWD_INSERT)
		len += 4;
	if (len > VDE_FRAME_MAX) {
		p->c.drop_tagged_long++;
		return;
	}
	p->c.out_pkts++;
	p->c.out_bytes += len;
	for (ep = p->eps; ep; ep = ep->next)
		fwd_add(fw, ep, f, act, len);
}

static enum fwd_action fwd_vlan_action(const struct frame *f,
				       enum vlan_egress e)
{
	if (e == VLAN_EGRESS_UNTAGGED)
		return f->tagged ? FWD_STRIP : FWD_ASIS;
	return f->tagged ? FWD_ASIS : FWD_INSERT;
}

static void fwd_hub(struct sw *sw, struct port *src, const struct frame *f)
{
	unsigned i;

	for (i = 0; i < sw->nactive; i++)
		if (sw->active[i] != src)
			fwd_emit(sw->fwd, sw->active[i], f, FWD_ASIS);
}

static void fwd_flood(struct sw *sw, struct port *src, const struct frame *f)
{
	unsigned i;

	for (i = 0; i < sw->nactive; i++) {
		struct port *p = sw->active[i];
		enum vlan_egress e;

		if (p == src)
			continue;
		e = vlan_egress(sw->vt, p->num, f->vid);
		if (e != VLAN_EGRESS_NONE)
			fwd_emit(sw->fwd, p, f, fwd_vlan_action(f, e));
	}
}

static void fwd_learn(struct sw *sw, struct port *src, const struct frame *f)
{
	enum mactable_learn_result r;
	unsigned old;

	r = mactable_learn(sw->mt, f->data + 6, f->vid, src->num,
			   loop_now(sw->loop), &old);
	if (r == MACTABLE_MOVED) {
		struct fwd *fw = sw->fwd;
		time_t now = loop_now(sw->loop);
		char mac[18];

		/* a flood of moving MACs must not flood the log */
		if (now != fw->moves_sec) {
			fw->moves_sec = now;
			fw->moves_logged = 0;
		}
		if (fw->moves_logged >= FWD_MOVES_PER_SEC) {
			fw->moves_quiet++;
			return;
		}
		fw->moves_logged++;
		format_mac(f->data + 6, mac);
		log_info("MAC %s moved from port %u to port %u (VLAN %u)",
			 mac, old, src->num, f->vid);
	}
}

/**
 * fwd_tick() - periodic work: report MAC moves left out of the log
 * @sw:		the switch
 */
void fwd_tick(struct sw *sw)
{
	struct fwd *fw = sw->fwd;

	if (fw->moves_quiet && loop_now(sw->loop) != fw->moves_sec) {
		log_info("%llu more MAC moves not logged (at most %d a second)",
			 (unsigned long long)fw->moves_quiet,
			 FWD_MOVES_PER_SEC);
		fw->moves_quiet = 0;
	}
}

static void fwd_switch(struct sw *sw, struct port *src, struct frame *f)
{
	struct port *dst;
	int out;

	if (vlan_classify(sw->vt, src->num, f->data, f->len, &f->vid,
			  &f->tagged)) {
		src->c.drop_vlan++;
		return;
	}
	f->tag[0] = VLAN_TPID >> 8;
	f->tag[1] = VLAN_TPID & 0xff;
	f->tag[2] = (uint8_t)(f->vid >> 8);
	f->tag[3] = (uint8_t)f->vid;

	if (!(f->data[6] & 1))
		fwd_learn(sw, src, f);
	if (f->data[0] & 1) {
		fwd_flood(sw, src, f);
		return;
	}
	out = mactable_lookup(sw->mt, f->data, f->vid);
	if (out < 0) {
		fwd_flood(sw, src, f);
		return;
	}
	if ((unsigned)out == src->num)
		return;		/* the destination is where it came from */
	dst = port_lookup(sw, (unsigned)out);
	if (!dst || dst->active_idx < 0) {
		fwd_flood(sw, src, f);
		return;
	}
	{
		enum vlan_egress e = vlan_egress(sw->vt, dst->num, f->vid);

		if (e != VLAN_EGRESS_NONE)
			fwd_emit(sw->fwd, dst, f, fwd_vlan_action(f, e));
	}
}

/**
 * fwd_input() - forward a batch of frames received on one port
 * @sw:		the switch
 * @src:	the port they came from
 * @frames:	frames of 14..9234 bytes (the backend drops the others)
 * @n:		how many, at most FWD_BATCH
 *
 * Every output is handed to its endpoint before this returns.
 */
void fwd_input(struct sw *sw, struct port *src, struct frame *frames,
	       unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct frame *f = &frames[i];

		src->c.in_pkts++;
		src->c.in_bytes += f->len;
		if (sw->cfg.hub)
			fwd_hub(sw, src, f);
		else
			fwd_switch(sw, src, f);
	}
	fwd_flush_all(sw->fwd);
}

/**
 * fwd_drain() - send queued frames of an endpoint whose socket has room
 * @sw:		the switch
 * @ep:		the endpoint
 */
void fwd_drain(struct sw *sw, struct endpoint *ep)
{
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH];

	(void)sw;
	while (!txq_empty(&ep->q)) {
		unsigned i, n = txq_peek(&ep->q, iov, FWD_BATCH);
		int rc;

		memset(msgs, 0, sizeof(msgs[0]) * n);
		for (i = 0; i < n; i++) {
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		rc = ep->ops->send(ep, msgs, n);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ENOBUFS)
			return;
		if (rc < 0) {
			ep->port->c.drop_send++;
			rc = 1;
		}
		txq_pop(&ep->q, (unsigned)rc);
	}
	ep->ops->want_write(ep, false);
}
