/* SPDX-License-Identifier: GPL-2.0-or-later
 * fwd.c - the forwarding engine.
 *
 * The receive path is here, once for every backend: a backend reads into
 * the buffers lent by fwd_rx_get() and calls fwd_rx_input(), or hands
 * frames in its own memory to fwd_input_iov(); frames under 14 or over
 * 9234 bytes are dropped and counted on the port there.
 *
 * A batch of frames from one port is then forwarded. For each frame it
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
 * With spanning tree on (stp.c), a port's stp_gate sends frames to the
 * bridge group address (01:80:c2:00:00:00) to it instead, and a port that
 * is not forwarding (stp_block) neither forwards nor learns nor gets
 * output; BPDUs leave through fwd_output(). Off, both flags are false.
 *
 * Mirrors and captures (mirror.c, capture.c): a port whose taps say so
 * has each frame it receives, as received, and each copy sent to it, as
 * sent, handed to its capture and to the ports it mirrors to (fwd_tap()).
 * A mirror copy is only delivered (and captured on its destination): it
 * is not learned and not mirrored again. Without taps this costs one test
 * per frame and per output port.
 *
 * Slots come from a fixed pool; if more endpoints than slots get output
 * in one batch, the oldest slot is sent early to make room (frame order
 * per endpoint is kept).
 *
 * Re-entry: while a batch is forwarded or a queue drained ("busy"), a
 * backend's send() may produce input synchronously (libslirp does). Such
 * frames are copied into a small ring of held frames and forwarded once the
 * current batch is done, before the engine returns; past the ring's size
 * they are dropped and counted (drop_reentry). Nothing re-enters the
 * forwarding code itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpdu.h"
#include "capture.h"
#include "fwd.h"
#include "gso.h"
#include "log.h"
#include "loop.h"
#include "mactable.h"
#include "parse.h"
#include "port.h"
#include "stp.h"
#include "swcore.h"
#include "vdewire.h"
#include "vlan.h"

#define FWD_SLOTS 64
#define FWD_IOV 6	/* virtio-net header, 3 for a tag, a payload, pad */
#define FWD_MOVES_PER_SEC 10
#define FWD_HELD FWD_BATCH	/* frames held during re-entry */

/* A received frame, valid while its batch is forwarded. A segment of a
 * GSO frame cut in software is its headers (data, len) and a payload
 * (tail), left in the GSO frame. */
struct frame {
	uint8_t *data;
	unsigned len;
	const uint8_t *tail;	/* a segment's payload, or NULL */
	unsigned tail_len;
	uint16_t vid;		/* set by the engine */
	bool tagged;		/* set by the engine */
	uint8_t tag[4];		/* set by the engine: 802.1Q tag to insert */
	const uint8_t *tagp;	/* where that tag is (a segment: its frame's) */
	unsigned need;		/* EP_OFF_* it needs to leave as is; 0: it is
				 * whole, its checksums complete */
	struct vnet_hdr vh;	/* with @need: its virtio-net header */
	uint8_t vnet[3][VNET_HDR_LEN];	/* with @need: encoded per action */
};

/* A segment made by fwd_segment(): headers in fwd->seghdr. */
struct fwd_seg {
	unsigned hlen;
	const uint8_t *payload;
	unsigned plen;
};

/* A frame received while the engine was busy, forwarded after. */
struct fwd_held {
	struct endpoint *ep;	/* NULL once the endpoint has gone */
	unsigned len;
	uint8_t data[FWD_RXBUF];
};

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
	struct sw *sw;
	struct txslot slots[FWD_SLOTS];
	unsigned used;		/* slots[0..used) hold output */
	bool busy;		/* forwarding or draining: input is held */
	struct fwd_rx rx;	/* lent to backends */
	uint8_t (*rxbuf)[FWD_RXBUF];
	struct frame frames[FWD_BATCH];
	struct fwd_rxv *rxv;	/* lent to backends with offloads, on demand */
	uint8_t *rxvbuf;	/* FWD_BATCH buffers of FWD_RXBUF_GSO */
	uint8_t (*seghdr)[GSO_HDR_MAX];	/* FWD_GSO_SEGS, with rxv */
	struct fwd_seg *segs;
	const struct frame *seg_of;	/* the frame segs hold, until flushed */
	unsigned nsegs;
	struct fwd_held *held;	/* ring of FWD_HELD, allocated on first use */
	unsigned held_head, held_n;
	time_t moves_sec;	/* MAC moves logged in this second */
	unsigned moves_logged;
	uint64_t moves_quiet;	/* and not logged since the last report */
	struct loop_timer moves_timer;
};

static const uint8_t fwd_zeros[VDE_FRAME_PAD];

static void fwd_moves_report(struct loop_timer *t);

/**
 * fwd_create() - make the forwarding engine's buffers
 * @sw:		the switch
 *
 * Return: the engine, or NULL
 */
struct fwd *fwd_create(struct sw *sw)
{
	struct fwd *fw = calloc(1, sizeof(*fw));
	unsigned i;

	if (!fw)
		return NULL;
	fw->sw = sw;
	fw->rxbuf = calloc(FWD_BATCH, sizeof(*fw->rxbuf));
	if (!fw->rxbuf) {
		free(fw);
		return NULL;
	}
	for (i = 0; i < FWD_BATCH; i++) {
		fw->rx.iov[i].iov_base = fw->rxbuf[i];
		fw->rx.iov[i].iov_len = FWD_RXBUF;
		fw->rx.msgs[i].msg_hdr.msg_iov = &fw->rx.iov[i];
		fw->rx.msgs[i].msg_hdr.msg_iovlen = 1;
	}
	loop_timer_init(&fw->moves_timer, fwd_moves_report);
	return fw;
}

/**
 * fwd_destroy() - release the engine
 * @fw:		the engine, or NULL
 */
void fwd_destroy(struct fwd *fw)
{
	if (!fw)
		return;
	loop_timer_del(fw->sw->loop, &fw->moves_timer);
	free(fw->held);
	free(fw->rxv);
	free(fw->rxvbuf);
	free(fw->seghdr);
	free(fw->segs);
	free(fw->rxbuf);
	free(fw);
}

/**
 * fwd_rx_get() - the receive buffers a backend reads into
 * @sw:		the switch
 *
 * Only from a backend's own fd callback, never while the engine runs (see
 * port.h).
 *
 * Return: FWD_BATCH buffers, for fwd_rx_input()
 */
struct fwd_rx *fwd_rx_get(struct sw *sw)
{
	return &sw->fwd->rx;
}

/**
 * fwd_rxv_get() - the receive buffers of a backend with offloads
 * @sw:		the switch
 *
 * Allocated on first use (FWD_BATCH buffers of 64 KiB and the room to cut
 * GSO frames): a backend asks when it attaches, so a switch without such
 * ports never has them. Only from a backend's own fd callback, like
 * fwd_rx_get().
 *
 * Return: the buffers, for fwd_rxv_input(), or NULL (no memory)
 */
struct fwd_rxv *fwd_rxv_get(struct sw *sw)
{
	struct fwd *fw = sw->fwd;
	unsigned i;

	if (fw->rxv)
		return fw->rxv;
	fw->rxvbuf = malloc((size_t)FWD_BATCH * FWD_RXBUF_GSO);
	fw->seghdr = malloc(FWD_GSO_SEGS * sizeof(*fw->seghdr));
	fw->segs = malloc(FWD_GSO_SEGS * sizeof(*fw->segs));
	fw->rxv = calloc(1, sizeof(*fw->rxv));
	if (!fw->rxvbuf || !fw->seghdr || !fw->segs || !fw->rxv) {
		free(fw->rxvbuf);
		free(fw->seghdr);
		free(fw->segs);
		free(fw->rxv);
		fw->rxvbuf = NULL;
		fw->seghdr = NULL;
		fw->segs = NULL;
		fw->rxv = NULL;
		return NULL;
	}
	for (i = 0; i < FWD_BATCH; i++) {
		struct fwd_rxv *r = fw->rxv;

		r->iov[i][0] = (struct iovec){ r->hdr[i], VNET_HDR_LEN };
		r->iov[i][1] = (struct iovec){
			fw->rxvbuf + (size_t)i * FWD_RXBUF_GSO, FWD_RXBUF_GSO
		};
		r->msgs[i].msg_hdr.msg_iov = r->iov[i];
		r->msgs[i].msg_hdr.msg_iovlen = 2;
	}
	return fw->rxv;
}

/* A frame's bytes as it came, without offload metadata. */
static void fwd_frame_set(struct frame *f, uint8_t *data, unsigned len)
{
	f->data = data;
	f->len = len;
	f->tail = NULL;
	f->tail_len = 0;
	f->tagp = f->tag;
	f->need = 0;
}

/* Frame bytes of an output: what the backend took, less the header. */
static size_t fwd_out_bytes(const struct endpoint *ep, size_t len)
{
	return ep->ops->vnet && len >= VNET_HDR_LEN ? len - VNET_HDR_LEN
						    : len;
}

static void fwd_queue(struct endpoint *ep, const struct mmsghdr *m,
		      size_t len)
{
	if (txq_push(&ep->q, m->msg_hdr.msg_iov, (int)m->msg_hdr.msg_iovlen,
		     len))
		ep->port->c.drop_queue++;
}

static bool fwd_no_room(int rc)
{
	return rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ENOBUFS;
}

/* A send() that failed for the first frame (0 counts as a failure: it must
 * never make the engine spin). */
static void fwd_send_failed(struct endpoint *ep, int rc)
{
	ep->port->c.drop_send++;
	log_debug("port %u endpoint %d: send: %s", ep->port->num, ep->id,
		  rc ? strerror(-rc) : "sent nothing");
}

/* Watch for room, or stop; a failure makes the endpoint useless. */
static void fwd_want_write(struct endpoint *ep, bool on)
{
	int rc = ep->ops->want_write(ep, on);

	if (rc) {
		log_warnx("port %u endpoint %d: cannot %s watching for room "
			  "to write (%s): closing it", ep->port->num, ep->id,
			  on ? "start" : "stop", strerror(-rc));
		endpoint_close(ep);
	}
}

/* Send what @slot holds; what cannot go now waits in the queue. */
static void fwd_slot_flush(struct txslot *slot)
{
	struct endpoint *ep = slot->ep;
	struct port_counters *c = &ep->port->c;
	unsigned i = 0;

	if (txq_empty(&ep->q)) {
		while (i < slot->n) {
			int rc = ep->ops->send(ep, &slot->msgs[i],
					       slot->n - i);

			if (rc > 0) {
				unsigned end = i + (unsigned)rc;

				c->out_pkts += (unsigned)rc;
				for (; i < end; i++)
					c->out_bytes +=
						fwd_out_bytes(ep, slot->len[i]);
				continue;
			}
			if (fwd_no_room(rc))
				break;
			fwd_send_failed(ep, rc);
			i++;
		}
	}
	for (; i < slot->n; i++)
		fwd_queue(ep, &slot->msgs[i], slot->len[i]);
	if (!txq_empty(&ep->q))
		fwd_want_write(ep, true);
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
	fw->seg_of = NULL;	/* nothing refers to the segments now */
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

/* The pieces of the copy of @f that leaves as @act says (no header, no
 * padding). Return: how many, at most 4 */
static int fwd_iov(const struct frame *f, enum fwd_action act,
		   struct iovec *iov)
{
	int n;

	switch (act) {
	case FWD_STRIP:
		iov[0] = (struct iovec){ f->data, 12 };
		iov[1] = (struct iovec){ f->data + 16, f->len - 16 };
		n = 2;
		break;
	case FWD_INSERT:
		iov[0] = (struct iovec){ f->data, 12 };
		iov[1] = (struct iovec){ (void *)(uintptr_t)f->tagp, 4 };
		iov[2] = (struct iovec){ f->data + 12, f->len - 12 };
		n = 3;
		break;
	case FWD_ASIS:
	default:
		iov[0] = (struct iovec){ f->data, f->len };
		n = 1;
		break;
	}
	if (f->tail_len)
		iov[n++] = (struct iovec){ (void *)(uintptr_t)f->tail,
					   f->tail_len };
	return n;
}

/* One copy of @f, @len bytes as @act makes it, to @ep as it is: after a
 * virtio-net header if @ep wants one (all zeros for a whole frame). */
static void fwd_add_one(struct fwd *fw, struct endpoint *ep,
			const struct frame *f, enum fwd_action act,
			size_t len)
{
	struct txslot *slot = fwd_slot_get(fw, ep);
	unsigned k = slot->n++;
	struct iovec *iov = slot->iov[k];
	struct mmsghdr *m = &slot->msgs[k];
	size_t out = len;
	int n = 0;

	if (ep->ops->vnet) {
		const uint8_t *h = f->need ? f->vnet[act] : fwd_zeros;

		iov[n++] = (struct iovec){ (void *)(uintptr_t)h,
					   VNET_HDR_LEN };
		out += VNET_HDR_LEN;
	}
	n += fwd_iov(f, act, iov + n);
	if (ep->ops->pad && len < VDE_FRAME_PAD) {
		iov[n++] = (struct iovec){ (void *)(uintptr_t)fwd_zeros,
					   VDE_FRAME_PAD - len };
		out += VDE_FRAME_PAD - len;
	}
	memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
	m->msg_hdr.msg_iov = iov;
	m->msg_hdr.msg_iovlen = (size_t)n;
	slot->len[k] = out;
}

/* gso_segment()'s callback: keep segment @index's headers and where its
 * payload is (in the GSO frame, left in place). */
static int fwd_seg_keep(void *arg, const struct iovec *iov, unsigned iovcnt,
			unsigned index)
{
	struct fwd *fw = arg;
	struct fwd_seg *sg;

	if (index >= FWD_GSO_SEGS || iov[0].iov_len > GSO_HDR_MAX)
		return -E2BIG;
	sg = &fw->segs[index];
	memcpy(fw->seghdr[index], iov[0].iov_base, iov[0].iov_len);
	sg->hlen = (unsigned)iov[0].iov_len;
	sg->payload = iovcnt > 1 ? iov[1].iov_base : NULL;
	sg->plen = iovcnt > 1 ? (unsigned)iov[1].iov_len : 0;
	fw->nsegs = index + 1;
	return 0;
}

/* Cut GSO frame @f into segments, once for all the ports that need them;
 * they stay until the output is sent. Return: 0 or -errno */
static int fwd_segment(struct fwd *fw, const struct frame *f)
{
	int rc;

	if (fw->seg_of == f)
		return fw->nsegs ? 0 : -EINVAL;
	if (fw->seg_of)		/* another frame's, still referred to */
		fwd_flush_all(fw);
	fw->nsegs = 0;
	rc = gso_segment(f->data, f->len, &f->vh, FWD_RXBUF_GSO,
			 fwd_seg_keep, fw);
	fw->seg_of = f;
	if (rc <= 0) {
		fw->nsegs = 0;
		return rc ? rc : -EINVAL;
	}
	return 0;
}

/*
 * @f needs offloads @ep does not take: complete its checksum (in place,
 * so every copy, sent or not, stays consistent with its header, which
 * becomes all zeros) or send its segments instead.
 */
static void fwd_add_soft(struct fwd *fw, struct endpoint *ep,
			 struct frame *f, enum fwd_action act, size_t len)
{
	struct port_counters *c = &ep->port->c;
	unsigned i;

	if (!(f->need & (EP_OFF_TSO4 | EP_OFF_TSO6))) {
		if (gso_csum_complete(f->data, f->len, &f->vh)) {
			c->drop_offload++;	/* checked at input: never */
			return;
		}
		f->need = 0;
		memset(f->vnet, 0, sizeof(f->vnet));
		c->soft_csum++;
		fwd_add_one(fw, ep, f, act, len);
		return;
	}
	if (fwd_segment(fw, f)) {
		c->drop_offload++;
		return;
	}
	c->soft_gso++;
	c->soft_segs += fw->nsegs;
	for (i = 0; i < fw->nsegs; i++) {
		const struct fwd_seg *sg = &fw->segs[i];
		struct frame s = {
			.data = fw->seghdr[i],
			.len = sg->hlen,
			.tail = sg->payload,
			.tail_len = sg->plen,
			.tagp = f->tagp,
		};
		size_t slen = sg->hlen + sg->plen;

		if (act == FWD_INSERT)
			slen += 4;
		else if (act == FWD_STRIP)
			slen -= 4;
		if (slen > VDE_FRAME_MAX) {
			c->drop_tagged_long++;
			continue;
		}
		fwd_add_one(fw, ep, &s, act, slen);
	}
}

/* A copy of @f to @ep: as it is if @ep takes its offloads. */
static void fwd_add(struct fwd *fw, struct endpoint *ep, struct frame *f,
		    enum fwd_action act, size_t len)
{
	if (f->need & ~ep->offloads)
		fwd_add_soft(fw, ep, f, act, len);
	else
		fwd_add_one(fw, ep, f, act, len);
}

/* Hand @f, leaving as @act (@len bytes), to capture @cap. Out of line:
 * its iovec array would cost every mirror copy a larger stack frame. */
static void __attribute__((noinline))
fwd_capture(struct capture *cap, const struct frame *f, enum fwd_action act,
	    size_t len)
{
	struct iovec iov[FWD_IOV];
	int n = fwd_iov(f, act, iov);

	capture_frame(cap, iov, (unsigned)n, len);
}

/*
 * A mirror copy for port @d: the frame as it was on the mirrored port's
 * wire (@f leaving as @act, @len bytes). It is counted apart (mirror_*),
 * goes into the destination's capture (that is its wire) and to its
 * endpoints, and nowhere else: not learned, not mirrored again. The edge
 * holds @d itself (no lookup per copy) and the frame's pieces are built
 * only for a capture, so a copy costs little more than a delivery to @d.
 */
static void fwd_mirror_copy(struct fwd *fw, struct port *d, struct frame *f,
			    enum fwd_action act, size_t len)
{
	struct endpoint *ep;

	if (d->active_idx < 0)
		return;
	d->c.mirror_pkts++;
	d->c.mirror_bytes += len;
	if (d->cap)
		fwd_capture(d->cap, f, act, len);
	for (ep = d->eps; ep; ep = ep->next)
		if (!ep->closing)
			fwd_add(fw, ep, f, act, len);
}

/* What port @p's mirrors and capture take of a frame in direction @dir
 * (MIRROR_RX: as received, MIRROR_TX: as sent, @act and @len). */
static void fwd_tap(struct fwd *fw, struct port *p, struct frame *f,
		    enum fwd_action act, size_t len, unsigned dir)
{
	const struct mirror_edge *e = p->mirrors, *end = e + p->nmirrors;

	if (p->cap)
		fwd_capture(p->cap, f, act, len);
	for (; e < end; e++)
		if (e->dirs & dir)
			fwd_mirror_copy(fw, e->to, f, act, len);
}

/* One copy of @f to every endpoint of @p. */
static void fwd_emit(struct fwd *fw, struct port *p, struct frame *f,
		     enum fwd_action act)
{
	struct endpoint *ep;
	size_t len = f->len;

	if (act == FWD_STRIP)
		len -= 4;
	else if (act == FWD_INSERT)
		len += 4;
	if (len > VDE_FRAME_MAX && !(f->need & (EP_OFF_TSO4 | EP_OFF_TSO6))) {
		p->c.drop_tagged_long++;
		return;
	}
	for (ep = p->eps; ep; ep = ep->next)
		if (!ep->closing)
			fwd_add(fw, ep, f, act, len);
	if (p->taps & PORT_TAP_TX)
		fwd_tap(fw, p, f, act, len, MIRROR_TX);
}

static enum fwd_action fwd_vlan_action(const struct frame *f,
				       enum vlan_egress e)
{
	if (e == VLAN_EGRESS_UNTAGGED)
		return f->tagged ? FWD_STRIP : FWD_ASIS;
	return f->tagged ? FWD_ASIS : FWD_INSERT;
}

static void fwd_hub(struct sw *sw, struct port *src, struct frame *f)
{
	unsigned i;

	for (i = 0; i < sw->nactive; i++)
		if (sw->active[i] != src)
			fwd_emit(sw->fwd, sw->active[i], f, FWD_ASIS);
}

static void fwd_flood(struct sw *sw, struct port *src, struct frame *f)
{
	unsigned i;

	for (i = 0; i < sw->nactive; i++) {
		struct port *p = sw->active[i];
		enum vlan_egress e;

		if (p == src || p->stp_block)
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
	if (r == MACTABLE_NEW && sw->listeners)
		sw_emit_slow(sw, &(struct sw_event){ .type = SW_EV_MAC_NEW,
						     .port = src->num,
						     .mac = f->data + 6,
						     .vlan = f->vid });
	if (r == MACTABLE_MOVED) {
		sw_emit(sw, &(struct sw_event){ .type = SW_EV_MAC_MOVE,
						.port = src->num,
						.old_port = old,
						.mac = f->data + 6,
						.vlan = f->vid });
		struct fwd *fw = sw->fwd;
		time_t now = loop_now(sw->loop);
		char mac[18];

		/* a flood of moving MACs must not flood the log */
		if (now != fw->moves_sec) {
			fw->moves_sec = now;
			fw->moves_logged = 0;
		}
		if (fw->moves_logged >= FWD_MOVES_PER_SEC) {
			if (!fw->moves_quiet++)
				loop_timer_add(sw->loop, &fw->moves_timer,
					       1000);
			return;
		}
		fw->moves_logged++;
		format_mac(f->data + 6, mac);
		log_info("MAC %s moved from port %u to port %u (VLAN %u)",
			 mac, old, src->num, f->vid);
	}
}

/* A second after moves went unlogged: say how many. */
static void fwd_moves_report(struct loop_timer *t)
{
	struct fwd *fw = container_of(t, struct fwd, moves_timer);

	log_info("%llu more MAC moves not logged (at most %d a second)",
		 (unsigned long long)fw->moves_quiet, FWD_MOVES_PER_SEC);
	fw->moves_quiet = 0;
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

	if (!(f->data[6] & 1) && !src->mirror_srcs)
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
	if (dst->stp_block)
		return;		/* not forwarding: its entries go with the TC */
	{
		enum vlan_egress e = vlan_egress(sw->vt, dst->num, f->vid);

		if (e != VLAN_EGRESS_NONE)
			fwd_emit(sw->fwd, dst, f, fwd_vlan_action(f, e));
	}
}

/* Spanning tree is on: BPDUs go to it, a port that is not forwarding
 * neither forwards nor learns. Return: true if the frame stops here. */
static bool fwd_stp_gate(struct sw *sw, struct port *src,
			 const struct frame *f)
{
	if ((f->data[0] & 1) && bpdu_is_dst(f->data)) {	/* group only */
		stp_input(sw->stp, src, f->data, f->len);
		return true;
	}
	if (src->stp_block) {
		stp_discarded(sw->stp, src);
		return true;
	}
	return false;
}

/* Forward a batch of checked frames from @src and send the output. */
static void fwd_frames(struct sw *sw, struct port *src, struct frame *frames,
		       unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct frame *f = &frames[i];

		src->c.in_pkts++;
		src->c.in_bytes += f->len;
		if (src->taps & PORT_TAP_RX)
			fwd_tap(sw->fwd, src, f, FWD_ASIS, f->len,
				MIRROR_RX);
		if (src->stp_gate && fwd_stp_gate(sw, src, f))
			continue;
		if (sw->cfg.hub)
			fwd_hub(sw, src, f);
		else
			fwd_switch(sw, src, f);
	}
	fwd_flush_all(sw->fwd);
}

/* Forward the frames held during re-entry, oldest first, in runs from one
 * endpoint; more may be held meanwhile. */
static void fwd_release_held(struct sw *sw)
{
	struct fwd *fw = sw->fwd;

	while (fw->held_n) {
		unsigned head = fw->held_head, k = 0;
		struct endpoint *ep = fw->held[head].ep;

		while (k < fw->held_n && k < FWD_BATCH &&
		       head + k < FWD_HELD && fw->held[head + k].ep == ep) {
			fwd_frame_set(&fw->frames[k], fw->held[head + k].data,
				      fw->held[head + k].len);
			k++;
		}
		if (ep && !ep->closing)
			fwd_frames(sw, ep->port, fw->frames, k);
		fw->held_head = (head + k) % FWD_HELD;
		fw->held_n -= k;
	}
}

/* Forward @n frames from @ep, then whatever was held meanwhile. */
static void fwd_run(struct endpoint *ep, struct frame *frames, unsigned n)
{
	struct sw *sw = ep->sw;
	struct fwd *fw = sw->fwd;

	fw->busy = true;
	fwd_frames(sw, ep->port, frames, n);
	fwd_release_held(sw);
	fw->busy = false;
}

/* Copy a frame aside while the engine is busy. */
static void fwd_hold(struct endpoint *ep, const void *data, unsigned len)
{
	struct fwd *fw = ep->sw->fwd;
	struct fwd_held *h;

	if (!fw->held) {
		fw->held = malloc(FWD_HELD * sizeof(*fw->held));
		if (!fw->held) {
			ep->port->c.drop_reentry++;
			return;
		}
	}
	if (fw->held_n == FWD_HELD) {
		ep->port->c.drop_reentry++;
		return;
	}
	h = &fw->held[(fw->held_head + fw->held_n++) % FWD_HELD];
	h->ep = ep;
	h->len = len;
	memcpy(h->data, data, len);
}

/* Size checks, once for every backend; false drops (and counts) it. */
static bool fwd_size_ok(struct endpoint *ep, unsigned len)
{
	struct port *p = ep->port;

	if (len > VDE_FRAME_MAX) {
		p->c.drop_long++;
		log_debug("port %u endpoint %d: frame over %u bytes dropped",
			  p->num, ep->id, VDE_FRAME_MAX);
		return false;
	}
	if (len < VDE_FRAME_MIN) {
		p->c.drop_short++;
		log_debug("port %u endpoint %d: %u-byte frame dropped", p->num,
			  ep->id, len);
		return false;
	}
	return true;
}

/**
 * fwd_rx_input() - forward the frames a backend read into the lent buffers
 * @ep:		the endpoint they came from
 * @n:		buffers 0..n-1 of fwd_rx_get() hold frames, lengths in msg_len
 *
 * Frames under 14 or over 9234 bytes are dropped and counted on the port.
 * Every output is handed to its endpoint (or queued) before this returns.
 */
void fwd_rx_input(struct endpoint *ep, unsigned n)
{
	struct fwd *fw = ep->sw->fwd;
	unsigned i, k = 0;

	if (!ep->port || ep->closing)
		return;
	for (i = 0; i < n && i < FWD_BATCH; i++) {
		unsigned len = fw->rx.msgs[i].msg_len;

		if (!fwd_size_ok(ep, len))
			continue;
		if (fw->busy) {
			fwd_hold(ep, fw->rxbuf[i], len);
			continue;
		}
		fwd_frame_set(&fw->frames[k], fw->rxbuf[i], len);
		k++;
	}
	if (k)
		fwd_run(ep, fw->frames, k);
}

/*
 * Check the virtio-net header @vh of a frame (@data, @len bytes) and make
 * it what the frame carries on: flags NEEDS_CSUM or nothing, the true
 * header length of a GSO frame. A GSO frame must be TCP over IPv4 or IPv6
 * that gso.c can cut (at most FWD_GSO_SEGS segments), with its partial
 * checksum where TCP's is; a partial checksum must lie in the frame.
 *
 * Return: the offloads (EP_OFF_*) a receiver needs to take the frame as it
 * is (0: whole, checksums complete), or -1 if the header does not parse
 */
static int fwd_vnet_check(const uint8_t *data, unsigned len,
			  struct vnet_hdr *vh)
{
	unsigned gso = vh->gso_type & (unsigned)~VNET_HDR_GSO_ECN;
	struct gso_info gi;
	int need;

	vh->flags &= VNET_HDR_F_NEEDS_CSUM;	/* DATA_VALID: not passed on */
	vh->num_buffers = 0;
	if (gso == VNET_HDR_GSO_NONE) {
		if (vh->gso_type)
			return -1;	/* ECN alone */
		if (!vh->flags)
			return 0;
		if (vh->csum_start < 14 ||
		    (size_t)vh->csum_start + vh->csum_offset + 2 > len)
			return -1;
		vh->gso_size = 0;
		return EP_OFF_CSUM;
	}
	if (!(vh->flags & VNET_HDR_F_NEEDS_CSUM) ||
	    gso_parse(data, len, vh, &gi) || gi.nsegs > FWD_GSO_SEGS ||
	    vh->csum_start != gi.l4 || vh->csum_offset != 16)
		return -1;
	vh->hdr_len = (uint16_t)gi.hdrlen;
	need = EP_OFF_CSUM | (gi.ipv6 ? EP_OFF_TSO6 : EP_OFF_TSO4);
	if (vh->gso_type & VNET_HDR_GSO_ECN)
		need |= EP_OFF_ECN;
	return need;
}

/* @f's header as each action makes it: a tag moves what follows it. */
static void fwd_vnet_encode(struct frame *f)
{
	static const int delta[3] = { [FWD_ASIS] = 0, [FWD_STRIP] = -4,
				      [FWD_INSERT] = 4 };
	unsigned a;

	for (a = 0; a < 3; a++) {
		struct vnet_hdr h = f->vh;

		h.csum_start = (uint16_t)(h.csum_start + delta[a]);
		if (h.gso_type)
			h.hdr_len = (uint16_t)(h.hdr_len + delta[a]);
		vnet_hdr_encode(f->vnet[a], &h);
	}
}

/**
 * fwd_rxv_input() - forward the frames a backend with offloads read
 * @ep:		the endpoint they came from
 * @n:		buffers 0..n-1 of fwd_rxv_get() hold a header and a frame,
 *		their total length in msg_len
 *
 * A header that does not parse drops its frame (drop_offload); a frame
 * without GSO is held to 14..9234 bytes like any other, a GSO frame to
 * 64 KiB. Each goes on with its offloads (see fwd_add()).
 */
void fwd_rxv_input(struct endpoint *ep, unsigned n)
{
	struct fwd *fw = ep->sw->fwd;
	struct fwd_rxv *rxv = fw->rxv;
	struct port *p = ep->port;
	unsigned i, k = 0;

	if (!p || ep->closing || !rxv)
		return;
	for (i = 0; i < n && i < FWD_BATCH; i++) {
		unsigned len = rxv->msgs[i].msg_len;
		uint8_t *data = rxv->iov[i][1].iov_base;
		struct vnet_hdr vh;
		int need;

		if (len < VNET_HDR_LEN) {
			p->c.drop_short++;
			continue;
		}
		len -= VNET_HDR_LEN;
		if (len >= FWD_RXBUF_GSO) {
			p->c.drop_long++;
			continue;
		}
		/* no partial checksum, no GSO: a whole frame, as it is */
		if ((rxv->hdr[i][0] & VNET_HDR_F_NEEDS_CSUM) ||
		    rxv->hdr[i][1]) {
			vnet_hdr_decode(rxv->hdr[i], &vh);
			need = fwd_vnet_check(data, len, &vh);
		} else {
			need = 0;
		}
		if (need < 0) {
			p->c.drop_offload++;
			log_debug("port %u endpoint %d: a frame whose virtio-net "
				  "header does not parse dropped", p->num,
				  ep->id);
			continue;
		}
		if (!(need & (EP_OFF_TSO4 | EP_OFF_TSO6)) &&
		    !fwd_size_ok(ep, len))
			continue;
		if (fw->busy) {
			/* held frames are whole: too big ones are lost */
			if (need & (EP_OFF_TSO4 | EP_OFF_TSO6)) {
				p->c.drop_reentry++;
				continue;
			}
			if (need) {
				if (gso_csum_complete(data, len, &vh)) {
					p->c.drop_offload++;
					continue;
				}
				p->c.soft_csum++;
			}
			fwd_hold(ep, data, len);
			continue;
		}
		fwd_frame_set(&fw->frames[k], data, len);
		if (need) {
			fw->frames[k].need = (unsigned)need;
			fw->frames[k].vh = vh;
			fwd_vnet_encode(&fw->frames[k]);
		}
		k++;
	}
	if (k)
		fwd_run(ep, fw->frames, k);
}

/**
 * fwd_input_iov() - forward frames a backend holds in its own memory
 * @ep:		the endpoint they came from
 * @frames:	one iovec per frame, unchanged by the engine
 * @n:		how many
 *
 * Safe inside a callback the engine is running (the frames are then
 * copied and forwarded once the current batch is done).
 */
void fwd_input_iov(struct endpoint *ep, const struct iovec *frames,
		   unsigned n)
{
	struct frame batch[FWD_BATCH];
	unsigned i, k = 0;

	if (!ep->port || ep->closing)
		return;
	for (i = 0; i < n; i++) {
		unsigned len = frames[i].iov_len > FWD_RXBUF
				       ? FWD_RXBUF
				       : (unsigned)frames[i].iov_len;

		if (!fwd_size_ok(ep, len))
			continue;
		if (ep->sw->fwd->busy) {
			fwd_hold(ep, frames[i].iov_base, len);
			continue;
		}
		fwd_frame_set(&batch[k], frames[i].iov_base, len);
		if (++k == FWD_BATCH) {
			fwd_run(ep, batch, k);
			k = 0;
		}
	}
	if (k)
		fwd_run(ep, batch, k);
}

/**
 * fwd_drain() - send queued frames of an endpoint whose backend has room
 * @ep:		the endpoint
 */
void fwd_drain(struct endpoint *ep)
{
	struct fwd *fw = ep->sw->fwd;
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH];
	struct port_counters *c;
	bool was_busy = fw->busy;

	if (!ep->port || ep->closing)
		return;
	c = &ep->port->c;
	fw->busy = true;
	while (!txq_empty(&ep->q)) {
		unsigned i, n = txq_peek(&ep->q, iov, FWD_BATCH);
		int rc;

		memset(msgs, 0, sizeof(msgs[0]) * n);
		for (i = 0; i < n; i++) {
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		rc = ep->ops->send(ep, msgs, n);
		if (fwd_no_room(rc))
			goto out;
		if (rc <= 0) {
			fwd_send_failed(ep, rc);
			rc = 1;
		} else {
			c->out_pkts += (unsigned)rc;
			for (i = 0; i < (unsigned)rc; i++)
				c->out_bytes +=
					fwd_out_bytes(ep, iov[i].iov_len);
		}
		txq_pop(&ep->q, (unsigned)rc);
	}
	fwd_want_write(ep, false);
out:
	if (!was_busy) {
		fwd_release_held(ep->sw);
		fw->busy = false;
	}
}

/**
 * fwd_output() - send a frame the switch makes itself (a BPDU) to a port
 * @sw:		the switch
 * @p:		an active port: a copy to each of its endpoints
 * @data:	the frame, at least 60 bytes (no padding is added)
 * @len:	its length
 *
 * Not inside forwarding (from a timer or deferred work). The frame is
 * counted in the port's out_* counters like any other.
 *
 * Return: 0, or -EBUSY if called inside forwarding (nothing sent)
 */
int fwd_output(struct sw *sw, struct port *p, const uint8_t *data,
	       unsigned len)
{
	struct fwd *fw = sw->fwd;
	struct frame f;

	fwd_frame_set(&f, (uint8_t *)(uintptr_t)data, len);
	if (fw->busy)
		return -EBUSY;
	fw->busy = true;
	fwd_emit(fw, p, &f, FWD_ASIS);
	fwd_flush_all(fw);
	fwd_release_held(sw);
	fw->busy = false;
	return 0;
}

/**
 * fwd_forget() - an endpoint is going: drop the frames held from it
 * @sw:		the switch
 * @ep:		the endpoint
 */
void fwd_forget(struct sw *sw, struct endpoint *ep)
{
	struct fwd *fw = sw->fwd;
	unsigned i;

	for (i = 0; i < fw->held_n; i++) {
		struct fwd_held *h = &fw->held[(fw->held_head + i) % FWD_HELD];

		if (h->ep == ep)
			h->ep = NULL;
	}
}
