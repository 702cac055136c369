/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhostuser.c - QEMU virtio-net devices as switch ports over vhost-user:
 * vhost-user:///PATH.
 *
 * The switch listens at PATH (a UNIX stream socket it creates: a live one
 * there is refused, a stale one replaced) and serves one front end (QEMU,
 * -chardev socket,path=PATH,reconnect=N -netdev vhost-user) at a time; a
 * second one is accepted and closed with a log line. The attachment keeps
 * the listener and the port chosen at attach time; each connection is an
 * endpoint on that port, negotiated from scratch, and goes away when the
 * front end does (QEMU killed, QEMU restarting, the switch restarted and
 * QEMU's reconnect= dialling again).
 *
 * The protocol is spoken natively on the switch's one loop (no threads):
 * the messages a net back end needs (vhumsg.h), with REPLY_ACK. Offered:
 * VERSION_1, MRG_RXBUF, EVENT_IDX, INDIRECT_DESC, PROTOCOL_FEATURES and
 * the offloads CSUM, GUEST_CSUM, HOST/GUEST_TSO4, HOST/GUEST_TSO6 and
 * HOST/GUEST_ECN; not UFO, MQ, packed rings or IOMMU. A malformed message
 * (bad size, bad ring index, a memory table that cannot be mapped, ...)
 * closes the connection with a log line; an unknown request is logged once
 * and, if the front end waits for a reply, refused.
 *
 * Frames: queue 0 is the guest's receive ring, queue 1 its transmit ring
 * (virtq.c). A kick on the transmit ring takes batches of at most
 * FWD_BATCH chains, copies each frame and its virtio-net header (checked
 * against what was negotiated, vhu_tx_hdr()) into the core's receive
 * buffers for frames with offloads (fwd_rxv_get(): up to 64 KiB) and
 * forwards each batch; after VHU_TX_ROUNDS whole batches (a 256-entry
 * ring's worth), if more are waiting, it kicks itself to come back after
 * the loop's other events (a self-kick costs two system calls: once per
 * ring, not once per batch). Kick fds are watched edge-triggered and never
 * read: each write to one is an event of its own.
 * The core sends a GSO frame or a partial checksum on only to ports that
 * take them (ep.offloads: the guest's GUEST_* features), and cuts or
 * completes it for the others. Frames for the guest come with their
 * header; they are copied into its receive buffers, over several buffers
 * with MRG_RXBUF (num_buffers set here); when it has none, send() says -EAGAIN,
 * the core queues, and the guest's next kick on the receive ring drains.
 * Nothing here ever waits for a guest.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "sockaddr.h"
#include "sw.h"
#include "vdewire.h"
#include "vhostuser.h"
#include "vhumsg.h"
#include "virtq.h"

#define ACCEPT_PAUSE_MS 1000
#define MSGS_PER_CALL 64	/* messages handled per socket event */
#define VHU_TX_ROUNDS 4		/* transmit batches per kick, then rekick */
#define VQ_RX 0
#define VQ_TX 1

#define BIT(n) (1ULL << (n))
#define VHU_OFFERED                                                            \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |               \
	 BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |     \
	 BIT(VHOST_USER_F_PROTOCOL_FEATURES) | BIT(VIRTIO_NET_F_CSUM) |        \
	 BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |          \
	 BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_ECN) |            \
	 BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |         \
	 BIT(VIRTIO_NET_F_GUEST_ECN))
#define VHU_PROTO_OFFERED BIT(VHU_PROTOCOL_F_REPLY_ACK)

struct vhu_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme scheme;
	struct vhu_att *atts;
};

struct vhu;

/* One vhost-user:///PATH: its listener, its port, its connection. */
struct vhu_att {
	struct sw_attachment a;
	struct vhu_backend *vb;
	struct vhu_att *next;
	char url[128];
	struct sockaddr_un addr;
	unsigned port;
	int fd;			/* listening socket */
	struct loop_handler h;
	struct loop_timer timer; /* accept pause */
	struct vhu *conn;	/* the front end, or NULL */
	unsigned long long nconns, refused;
};

struct vhu_queue {
	struct virtq vq;
	int kick, call;
	bool started;		/* kick fd given, not stopped since */
	bool enabled;		/* SET_VRING_ENABLE(1) (or no protocol features) */
	struct loop_handler h;	/* the kick fd */
	struct vhu *v;
};

/* Counters of one connection, shown by port/print. */
struct vhu_counters {
	unsigned long long bad_chain;	/* chains that broke a rule */
	unsigned long long bad_hdr;	/* TX: shorter than the header */
	unsigned long long bad_gso;	/* TX: offloads not negotiated */
	unsigned long long rx_nobuf;	/* sends the guest had no room for */
	unsigned long long rx_small;	/* frames larger than a buffer */
	unsigned long long unknown;	/* requests not understood */
	unsigned long long kicks, calls;
};

struct vhu {
	struct endpoint ep;
	struct vhu_att *att;	/* NULL once its attachment is gone */
	struct vhu_backend *vb;
	struct loop_handler h;	/* the socket */
	struct loop_deferred dfr;
	int fd;
	pid_t pid;
	uint64_t features;	/* acked by the front end */
	uint64_t proto;		/* protocol features acked */
	bool features_set;
	size_t hdr_len;		/* virtio-net header: 10 or 12 */
	bool want_out;		/* the core has frames queued */
	struct vu_mem mem;
	struct vhu_queue q[2];
	struct vhu_counters c;
	uint64_t unknown_seen;	/* requests below 64 logged already */
	bool chain_logged;
	/* the message being read */
	size_t have;
	uint8_t msg[VHU_HDR_SIZE + VHU_PAYLOAD_MAX];
	int fds[VHU_MAX_FDS];
	unsigned nfds;
	/* chains of the frame being copied */
	struct virtq_elem e0, e1;
};

static const char *const feature_names[64] = {
	[VIRTIO_NET_F_CSUM] = "CSUM",
	[VIRTIO_NET_F_GUEST_CSUM] = "GUEST_CSUM",
	[VIRTIO_NET_F_GUEST_TSO4] = "GUEST_TSO4",
	[VIRTIO_NET_F_GUEST_TSO6] = "GUEST_TSO6",
	[VIRTIO_NET_F_GUEST_ECN] = "GUEST_ECN",
	[VIRTIO_NET_F_GUEST_UFO] = "GUEST_UFO",
	[VIRTIO_NET_F_HOST_TSO4] = "HOST_TSO4",
	[VIRTIO_NET_F_HOST_TSO6] = "HOST_TSO6",
	[VIRTIO_NET_F_HOST_ECN] = "HOST_ECN",
	[VIRTIO_NET_F_HOST_UFO] = "HOST_UFO",
	[VIRTIO_NET_F_MRG_RXBUF] = "MRG_RXBUF",
	[VIRTIO_NET_F_MQ] = "MQ",
	[VIRTIO_RING_F_INDIRECT_DESC] = "INDIRECT_DESC",
	[VIRTIO_RING_F_EVENT_IDX] = "EVENT_IDX",
	[VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
	[VIRTIO_F_VERSION_1] = "VERSION_1",
	[VIRTIO_F_ACCESS_PLATFORM] = "ACCESS_PLATFORM",
	[VIRTIO_F_RING_PACKED] = "RING_PACKED",
};

static const char *const request_names[] = {
	[VHU_GET_FEATURES] = "GET_FEATURES",
	[VHU_SET_FEATURES] = "SET_FEATURES",
	[VHU_SET_OWNER] = "SET_OWNER",
	[VHU_RESET_OWNER] = "RESET_OWNER",
	[VHU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHU_SET_LOG_BASE] = "SET_LOG_BASE",
	[VHU_SET_LOG_FD] = "SET_LOG_FD",
	[VHU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHU_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

static const char *req_name(uint32_t req)
{
	if (req < sizeof(request_names) / sizeof(request_names[0]) &&
	    request_names[req])
		return request_names[req];
	return "unknown";
}

static bool has(const struct vhu *v, unsigned bit)
{
	return v->features & BIT(bit);
}

static bool q_live(const struct vhu_queue *q)
{
	return q->started && q->enabled && virtq_ready(&q->vq);
}

/* The connection is unusable: say why, once, and let it go. */
static void vhu_fail(struct vhu *v, const char *fmt, ...) PB_PRINTF(2, 3);
static void vhu_fail(struct vhu *v, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (v->ep.closing)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_warnx("port %u: %s: %s: disconnected", v->ep.port->num,
		  v->ep.descr, why);
	endpoint_close(&v->ep);
}

static const char *chain_error(int rc)
{
	switch (rc) {
	case -EFAULT:
		return "a buffer outside guest memory";
	case -ELOOP:
		return "more descriptors than the ring or table holds: a loop";
	case -E2BIG:
		return "too many buffers";
	default:
		return "bad flags, next index or indirect table";
	}
}

static void vhu_bad_chain(struct vhu *v, unsigned qi, int rc)
{
	v->c.bad_chain++;
	if (!v->chain_logged) {
		v->chain_logged = true;
		log_warnx("port %u: %s: bad descriptor chain on the %s ring "
			  "(%s); dropped (further ones counted only)",
			  v->ep.port->num, v->ep.descr,
			  qi == VQ_RX ? "receive" : "transmit", chain_error(rc));
	}
}

static void q_call(struct vhu *v, struct vhu_queue *q)
{
	if (q->call >= 0 && virtq_should_call(&q->vq)) {
		v->c.calls++;
		if (eventfd_write(q->call, 1) && errno != EAGAIN)
			log_debug("%s: call: %s", v->ep.descr, strerror(errno));
	}
}

/* Come back to a ring after the loop's other events. */
static void q_rekick(struct vhu_queue *q)
{
	if (q->kick >= 0)
		eventfd_write(q->kick, 1);
}

/* Copy up to @len bytes between @buf and an iovec array from its byte
 * @off on: into the iovecs if @to_iov, else out of them. Return: bytes
 * copied */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t off,
		       void *buf, size_t len, bool to_iov)
{
	uint8_t *p = buf;
	size_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		uint8_t *base = iov[i].iov_base;
		size_t take;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - off;
		if (take > len - done)
			take = len - done;
		if (to_iov)
			memcpy(base + off, p + done, take);
		else
			memcpy(p + done, base + off, take);
		done += take;
		off = 0;
	}
	return done;
}

/* Does the first iovec hold bytes @off..@off + @len - 1 (the usual
 * case: one buffer per chain, one piece per header or frame)? */
static bool iov_first(const struct iovec *iov, unsigned n, size_t off,
		      size_t len)
{
	return n && off <= iov[0].iov_len && len <= iov[0].iov_len - off;
}

static size_t iov_to(const struct iovec *iov, unsigned n, size_t off,
		     const void *src, size_t len)
{
	if (iov_first(iov, n, off, len)) {
		memcpy((uint8_t *)iov[0].iov_base + off, src, len);
		return len;
	}
	return iov_copy(iov, n, off, (void *)(uintptr_t)src, len, true);
}

static size_t iov_from(const struct iovec *iov, unsigned n, size_t off,
		       void *dst, size_t len)
{
	if (iov_first(iov, n, off, len)) {
		memcpy(dst, (const uint8_t *)iov[0].iov_base + off, len);
		return len;
	}
	return iov_copy(iov, n, off, dst, len, false);
}

/* The offloads the guest takes on frames it receives (ep.offloads). */
static unsigned vhu_guest_offloads(const struct vhu *v)
{
	unsigned o = 0;

	if (!has(v, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	o |= EP_OFF_CSUM;
	if (has(v, VIRTIO_NET_F_GUEST_TSO4))
		o |= EP_OFF_TSO4;
	if (has(v, VIRTIO_NET_F_GUEST_TSO6))
		o |= EP_OFF_TSO6;
	if (has(v, VIRTIO_NET_F_GUEST_ECN))
		o |= EP_OFF_ECN;
	return o;
}

/*
 * The header of a frame from the guest: only what was negotiated (a
 * partial checksum needs CSUM, a GSO frame HOST_TSO4/6, and HOST_ECN for
 * its ECN bit); whether it parses is the core's check. Return: 0, or
 * -EINVAL to drop (counted)
 */
static int vhu_tx_hdr(struct vhu *v, const struct vnet_hdr *h)
{
	unsigned gso = h->gso_type & (unsigned)~VNET_HDR_GSO_ECN;
	bool ok = true;

	if (h->flags & VNET_HDR_F_NEEDS_CSUM)
		ok = has(v, VIRTIO_NET_F_CSUM);
	if (gso == VNET_HDR_GSO_TCPV4)
		ok = ok && has(v, VIRTIO_NET_F_HOST_TSO4);
	else if (gso == VNET_HDR_GSO_TCPV6)
		ok = ok && has(v, VIRTIO_NET_F_HOST_TSO6);
	else if (gso != VNET_HDR_GSO_NONE)
		ok = false;
	if (h->gso_type & VNET_HDR_GSO_ECN)
		ok = ok && has(v, VIRTIO_NET_F_HOST_ECN);
	if (!ok) {
		v->c.bad_gso++;
		return -EINVAL;
	}
	return 0;
}

/* ---- guest to switch ---------------------------------------------- */

/* One batch off the transmit ring. Return: true if it took a whole
 * batch (more may wait; the caller comes back or rekicks) */
static bool vhu_tx(struct vhu *v)
{
	struct vhu_queue *q = &v->q[VQ_TX];
	struct fwd_rxv *rx = fwd_rxv_get(v->ep.sw);
	struct virtq_elem *e = &v->e0;
	unsigned n = 0, pos = 0;
	int rc, more;

	if (!rx)
		return false;	/* vhu_create() got them: never */
	while (pos < FWD_BATCH) {
		struct vnet_hdr h;
		size_t flen;

		rc = virtq_pop(&q->vq, &v->mem, e);
		if (rc == 0)
			break;
		if (rc == -EPROTO) {
			vhu_fail(v, "transmit ring broken (available index "
				    "or head out of range)");
			return false;
		}
		virtq_push(&q->vq, e->head, 0, pos++);
		if (rc < 0) {
			vhu_bad_chain(v, VQ_TX, rc);
			continue;
		}
		if (e->nin) {
			vhu_bad_chain(v, VQ_TX, -EINVAL);
			continue;
		}
		if (e->out_len < v->hdr_len) {
			v->c.bad_hdr++;
			continue;
		}
		/* a legacy 10-byte header: num_buffers stays 0 */
		if (v->hdr_len == VNET_HDR_LEN &&
		    e->iov[0].iov_len >= VNET_HDR_LEN) {
			memcpy(rx->hdr[n], e->iov[0].iov_base, VNET_HDR_LEN);
		} else {
			memset(rx->hdr[n], 0, VNET_HDR_LEN);
			iov_from(e->iov, e->nout, 0, rx->hdr[n], v->hdr_len);
		}
		/* no partial checksum, no GSO: nothing to check (our copy) */
		if ((rx->hdr[n][0] & VNET_HDR_F_NEEDS_CSUM) || rx->hdr[n][1]) {
			vnet_hdr_decode(rx->hdr[n], &h);
			if (vhu_tx_hdr(v, &h))
				continue;
		}
		flen = e->out_len - v->hdr_len;
		if (flen > FWD_RXBUF_GSO)
			flen = FWD_RXBUF_GSO;	/* the core counts it long */
		iov_from(e->iov, e->nout, v->hdr_len, rx->iov[n][1].iov_base,
			 flen);
		rx->msgs[n].msg_len = (unsigned)(VNET_HDR_LEN + flen);
		n++;
	}
	if (pos) {
		virtq_publish(&q->vq, pos);
		q_call(v, q);
	}
	if (pos < FWD_BATCH) {
		virtq_want_kick(&q->vq);
		more = virtq_avail(&q->vq);
		if (more)	/* added meanwhile, or broken: look again */
			q_rekick(q);
	}
	if (n)
		fwd_rxv_input(&v->ep, n);
	return pos == FWD_BATCH;
}

/* ---- switch to guest ---------------------------------------------- */

/*
 * The usual frame for the guest: its header and its bytes in one piece
 * each (@m), into one buffer that holds both. Return: as vhu_rx_one(), or
 * -ENOTSUP (another case: nothing taken, vhu_rx_one() goes on)
 */
static int vhu_rx_fast(struct vhu *v, const struct msghdr *m, unsigned *pos)
{
	struct vhu_queue *q = &v->q[VQ_RX];
	struct virtq_elem *e = &v->e0;
	size_t flen = m->msg_iov[1].iov_len, total = v->hdr_len + flen;
	uint8_t h[VNET_HDR_LEN], *d;
	int rc;

	rc = virtq_pop(&q->vq, &v->mem, e);
	if (rc == 0)
		return -EAGAIN;
	if (rc == -EPROTO)
		return rc;
	if (rc < 0 || e->nout || e->nin != 1 || e->in_len < total) {
		virtq_unpop(&q->vq, 1);	/* taken again, the long way */
		return -ENOTSUP;
	}
	memcpy(h, m->msg_iov[0].iov_base, VNET_HDR_LEN);
	vnet_le16_put(h + VNET_HDR_LEN_LEGACY, 1);	/* num_buffers */
	d = e->iov[0].iov_base;
	memcpy(d, h, v->hdr_len);
	memcpy(d + v->hdr_len, m->msg_iov[1].iov_base, flen);
	virtq_push(&q->vq, e->head, (uint32_t)total, *pos);
	(*pos)++;
	return 0;
}

/*
 * One frame, after its 12-byte header in @m, into the receive ring at used
 * position *@pos; the header goes first (its first 10 bytes for a legacy
 * guest without MRG_RXBUF), num_buffers set. Return: 0,
 * -EAGAIN (no room, nothing taken), -EMSGSIZE (a buffer too small without
 * MRG_RXBUF), -EINVAL (a bad chain: returned unused), -EPROTO (broken)
 */
static int vhu_rx_one(struct vhu *v, const struct msghdr *m, unsigned *pos)
{
	struct vhu_queue *q = &v->q[VQ_RX];
	bool mrg = has(v, VIRTIO_NET_F_MRG_RXBUF);
	size_t flen = 0, off = 0, total, src_off = 0;
	uint8_t h[VNET_HDR_LEN];
	unsigned k, popped = 0, i = 0;
	int rc;

	if (m->msg_iovlen == 2 && m->msg_iov[0].iov_len == VNET_HDR_LEN) {
		rc = vhu_rx_fast(v, m, pos);
		if (rc != -ENOTSUP)
			return rc;
	}
	for (k = 0; k < m->msg_iovlen; k++)
		flen += m->msg_iov[k].iov_len;
	if (flen < VNET_HDR_LEN)
		return -EINVAL;	/* the core always gives one: never */
	iov_from(m->msg_iov, (unsigned)m->msg_iovlen, 0, h, VNET_HDR_LEN);
	vnet_le16_put(h + VNET_HDR_LEN_LEGACY, 1);	/* num_buffers */
	flen -= VNET_HDR_LEN;
	/* the frame starts after the header, maybe in the same iovec */
	src_off = VNET_HDR_LEN;
	while (i < m->msg_iovlen && src_off >= m->msg_iov[i].iov_len)
		src_off -= m->msg_iov[i++].iov_len;
	total = v->hdr_len + flen;
	while (off < total) {
		struct virtq_elem *e = popped ? &v->e1 : &v->e0;
		size_t room, put, hput = 0;

		rc = virtq_pop(&q->vq, &v->mem, e);
		if (rc == 0 || rc == -EPROTO) {
			virtq_unpop(&q->vq, popped);
			return rc ? rc : -EAGAIN;
		}
		if (rc > 0 && (e->nout || (!popped && e->in_len < v->hdr_len)))
			rc = -EINVAL;
		if (rc < 0) {
			/* give this frame's chains back empty: the guest
			 * drops each as a runt */
			vhu_bad_chain(v, VQ_RX, rc);
			for (k = 0; k < popped; k++)
				virtq_used_len(&q->vq, *pos + k, 0);
			virtq_push(&q->vq, e->head, 0, *pos + popped);
			*pos += popped + 1;
			return -EINVAL;
		}
		if (!mrg && e->in_len < total) {
			virtq_unpop(&q->vq, 1);
			v->c.rx_small++;
			return -EMSGSIZE;
		}
		room = e->in_len;
		put = 0;
		if (!popped) {
			hput = iov_to(e->iov + e->nout, e->nin, 0, h,
				      v->hdr_len);
			put = hput;
		}
		/* the frame's bytes from src_off on, as far as room goes */
		while (put < room && i < m->msg_iovlen) {
			const struct iovec *s = &m->msg_iov[i];
			size_t take = s->iov_len - src_off;

			if (take > room - put)
				take = room - put;
			iov_to(e->iov + e->nout, e->nin, put,
			       (const uint8_t *)s->iov_base + src_off, take);
			put += take;
			src_off += take;
			if (src_off == s->iov_len) {
				i++;
				src_off = 0;
			}
		}
		virtq_push(&q->vq, e->head, (uint32_t)put, *pos + popped);
		popped++;
		off += put;
	}
	if (popped > 1) {
		uint8_t nb[2];

		vnet_le16_put(nb, (uint16_t)popped);
		iov_to(v->e0.iov + v->e0.nout, v->e0.nin, VNET_HDR_LEN_LEGACY,
		       nb, sizeof(nb));
	}
	*pos += popped;
	return 0;
}

static int vhu_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct vhu *v = container_of(ep, struct vhu, ep);
	struct vhu_queue *q = &v->q[VQ_RX];
	unsigned i, pos = 0;
	int rc = 0;

	if (ep->closing || !q_live(q))
		return -ENETDOWN;
	/* A bad chain (-EINVAL) went back to the guest empty: the frames
	 * before it are taken; it goes again first next time, and if its
	 * chain is bad again the core counts it dropped (drop_send), not
	 * sent. */
	for (i = 0; i < n; i++) {
		rc = vhu_rx_one(v, &msgs[i].msg_hdr, &pos);
		if (rc)
			break;
	}
	if (pos) {
		virtq_publish(&q->vq, pos);
		q_call(v, q);
	}
	if (rc == -EPROTO)
		vhu_fail(v, "receive ring broken (available index or head "
			    "out of range)");
	if (i)
		return (int)i;
	if (rc == -EAGAIN) {
		v->c.rx_nobuf++;
		/* a kick when the guest adds buffers; if it did meanwhile,
		 * come back for them */
		virtq_want_kick(&q->vq);
		if (virtq_avail(&q->vq))
			q_rekick(q);
	}
	return rc;
}

static int vhu_want_write(struct endpoint *ep, bool on)
{
	struct vhu *v = container_of(ep, struct vhu, ep);

	v->want_out = on;
	return 0;
}

static void q_kick_cb(struct loop_handler *h, uint32_t events)
{
	struct vhu_queue *q = container_of(h, struct vhu_queue, h);
	struct vhu *v = q->v;

	/* edge-triggered: every kick is an event, the counter is never
	 * read (one system call less per wake-up; it cannot fill up
	 * before 2^64 - 2 kicks) */
	(void)events;
	if (v->ep.closing)
		return;
	v->c.kicks++;
	if (!q_live(q))
		return;
	if (q == &v->q[VQ_TX]) {
		/* up to VHU_TX_ROUNDS batches, then the loop's other events
		 * first: a kick to ourselves brings us back */
		unsigned r = 0;

		while (vhu_tx(v) && !v->ep.closing && q_live(q))
			if (++r == VHU_TX_ROUNDS) {
				q_rekick(q);
				break;
			}
	} else if (v->want_out) {
		fwd_drain(&v->ep);
	}
}

/* ---- messages ----------------------------------------------------- */

static void close_fds(struct vhu *v)
{
	unsigned i;

	for (i = 0; i < v->nfds; i++)
		close(v->fds[i]);
	v->nfds = 0;
}

static int vhu_reply(struct vhu *v, uint32_t req, const void *payload,
		     uint32_t size)
{
	uint8_t buf[VHU_HDR_SIZE + 64];
	uint32_t hdr[3] = { req, VHU_VERSION | VHU_FLAG_REPLY, size };
	ssize_t w;

	memcpy(buf, hdr, VHU_HDR_SIZE);
	memcpy(buf + VHU_HDR_SIZE, payload, size);
	do
		w = send(v->fd, buf, VHU_HDR_SIZE + size, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)(VHU_HDR_SIZE + size)) {
		vhu_fail(v, "replying to %s: %s", req_name(req),
			 w < 0 ? strerror(errno) : "short write");
		return -EIO;
	}
	return 0;
}

static int vhu_reply_u64(struct vhu *v, uint32_t req, uint64_t val)
{
	return vhu_reply(v, req, &val, sizeof(val));
}

static void q_stop(struct vhu *v, struct vhu_queue *q)
{
	if (q->kick >= 0) {
		loop_del(v->vb->loop, q->kick);
		close(q->kick);
		q->kick = -1;
	}
	q->started = false;
}

static void q_close(struct vhu *v, struct vhu_queue *q)
{
	q_stop(v, q);
	if (q->call >= 0) {
		close(q->call);
		q->call = -1;
	}
}

/* Apply negotiated ring features to both rings. */
static void q_features(struct vhu *v)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		v->q[i].vq.event_idx = has(v, VIRTIO_RING_F_EVENT_IDX);
		v->q[i].vq.indirect = has(v, VIRTIO_RING_F_INDIRECT_DESC);
	}
	v->ep.offloads = vhu_guest_offloads(v);
}

static void vhu_reset(struct vhu *v)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		q_close(v, &v->q[i]);
		virtq_reset(&v->q[i].vq);
		v->q[i].enabled = false;
	}
	vu_mem_clear(&v->mem);
	v->features = 0;
	v->features_set = false;
	v->ep.offloads = 0;
	v->proto = 0;
	v->hdr_len = VNET_HDR_LEN;
}

/* A ring that just became usable: look at it. */
static void q_maybe_go(struct vhu *v, struct vhu_queue *q)
{
	if (!q_live(q))
		return;
	if (q == &v->q[VQ_TX])
		q_rekick(q);
	else if (v->want_out)
		q_rekick(q);
}

static int msg_mem_table(struct vhu *v, const uint8_t *p, uint32_t size)
{
	struct vhu_mem_table t;
	struct vu_region_msg r[VU_MEM_REGIONS];
	char why[200];
	unsigned i;
	int rc;

	memset(&t, 0, sizeof(t));
	if (size < 8) {
		vhu_fail(v, "SET_MEM_TABLE of %u bytes", size);
		return -EINVAL;
	}
	memcpy(&t, p, 8);
	if (t.nregions < 1 || t.nregions > VU_MEM_REGIONS ||
	    size != 8 + t.nregions * sizeof(struct vhu_mem_region)) {
		vhu_fail(v, "SET_MEM_TABLE: %u regions in %u bytes (1 to %d "
			    "regions, 32 bytes each)", t.nregions, size,
			 VU_MEM_REGIONS);
		return -EINVAL;
	}
	if (v->nfds != t.nregions) {
		vhu_fail(v, "SET_MEM_TABLE: %u regions but %u fds",
			 t.nregions, v->nfds);
		return -EINVAL;
	}
	memcpy(&t, p, size);
	for (i = 0; i < t.nregions; i++) {
		r[i].gpa = t.r[i].gpa;
		r[i].size = t.r[i].size;
		r[i].qva = t.r[i].qva;
		r[i].offset = t.r[i].offset;
	}
	rc = vu_mem_set(&v->mem, r, v->fds, t.nregions, why, sizeof(why));
	close_fds(v);
	if (rc) {
		vhu_fail(v, "SET_MEM_TABLE: %s", why);
		return rc;
	}
	/* rings given before are found again in the new table */
	for (i = 0; i < 2; i++)
		if (virtq_map(&v->q[i].vq, &v->mem)) {
			vhu_fail(v, "SET_MEM_TABLE: ring %u is outside the "
				    "new table", i);
			return -EFAULT;
		}
	log_debug("%s: memory table of %u region%s", v->ep.descr, t.nregions,
		  t.nregions == 1 ? "" : "s");
	return 0;
}

static struct vhu_queue *msg_queue(struct vhu *v, uint32_t req,
				   uint64_t index)
{
	if (index >= 2) {
		vhu_fail(v, "%s: queue %llu (this port has 2)", req_name(req),
			 (unsigned long long)index);
		return NULL;
	}
	return &v->q[index];
}

/* SET_VRING_KICK/CALL/ERR: the queue and its fd (or -1) */
static struct vhu_queue *msg_vring_fd(struct vhu *v, uint32_t req,
				      uint64_t u, int *fd)
{
	struct vhu_queue *q = msg_queue(v, req, u & VHU_VRING_IDX_MASK);

	*fd = -1;
	if (!q)
		return NULL;
	if (u & VHU_VRING_NOFD) {
		if (v->nfds) {
			vhu_fail(v, "%s: an fd with the no-fd flag",
				 req_name(req));
			return NULL;
		}
		return q;
	}
	if (v->nfds != 1) {
		vhu_fail(v, "%s: %u fds (1 expected)", req_name(req), v->nfds);
		return NULL;
	}
	*fd = v->fds[0];
	v->nfds = 0;
	return q;
}

static int msg_kick(struct vhu *v, uint64_t u)
{
	int fd;
	struct vhu_queue *q = msg_vring_fd(v, VHU_SET_VRING_KICK, u, &fd);

	if (!q)
		return -EINVAL;
	if (fd < 0) {
		vhu_fail(v, "SET_VRING_KICK without an fd (polling rings is "
			    "not supported)");
		return -EINVAL;
	}
	q_stop(v, q);
	q->kick = fd;
	if (loop_add(v->vb->loop, fd, EPOLLIN | EPOLLET, &q->h)) {
		close(fd);
		q->kick = -1;
		vhu_fail(v, "SET_VRING_KICK: epoll: out of memory");
		return -ENOMEM;
	}
	q->started = true;
	if (!(v->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		q->enabled = true;
	q_maybe_go(v, q);
	return 0;
}

static int msg_call(struct vhu *v, uint64_t u)
{
	int fd;
	struct vhu_queue *q = msg_vring_fd(v, VHU_SET_VRING_CALL, u, &fd);

	if (!q)
		return -EINVAL;
	if (q->call >= 0)
		close(q->call);
	q->call = fd;
	q->vq.signalled_valid = false;
	return 0;
}

static int msg_err(struct vhu *v, uint64_t u)
{
	int fd;

	/* this back end never reports ring errors: the fd is not kept */
	if (!msg_vring_fd(v, VHU_SET_VRING_ERR, u, &fd))
		return -EINVAL;
	if (fd >= 0)
		close(fd);
	return 0;
}

static int msg_features(struct vhu *v, uint64_t f)
{
	if (f & ~VHU_OFFERED) {
		vhu_fail(v, "SET_FEATURES %#llx: bits %#llx were not offered",
			 (unsigned long long)f,
			 (unsigned long long)(f & ~VHU_OFFERED));
		return -EINVAL;
	}
	v->features = f;
	v->features_set = true;
	v->hdr_len = (has(v, VIRTIO_F_VERSION_1) ||
		      has(v, VIRTIO_NET_F_MRG_RXBUF))
			     ? VNET_HDR_LEN
			     : VNET_HDR_LEN_LEGACY;
	q_features(v);
	return 0;
}

static int msg_vring_addr(struct vhu *v, const uint8_t *p)
{
	struct vhu_vring_addr a;
	struct vhu_queue *q;
	int rc;

	memcpy(&a, p, sizeof(a));
	q = msg_queue(v, VHU_SET_VRING_ADDR, a.index);
	if (!q)
		return -EINVAL;
	rc = virtq_set_addr(&q->vq, &v->mem, a.desc, a.used, a.avail);
	if (rc) {
		vhu_fail(v, "SET_VRING_ADDR: ring %u %s", a.index,
			 rc == -EINVAL ? "has no size yet"
				       : "is outside guest memory or "
					 "misaligned");
		return rc;
	}
	q_maybe_go(v, q);
	return 0;
}

/* The payload size each request must have (-1: checked by its handler). */
static long msg_size(uint32_t req)
{
	switch (req) {
	case VHU_GET_FEATURES:
	case VHU_SET_OWNER:
	case VHU_RESET_OWNER:
	case VHU_GET_PROTOCOL_FEATURES:
	case VHU_GET_QUEUE_NUM:
		return 0;
	case VHU_SET_FEATURES:
	case VHU_SET_PROTOCOL_FEATURES:
	case VHU_SET_VRING_KICK:
	case VHU_SET_VRING_CALL:
	case VHU_SET_VRING_ERR:
		return 8;
	case VHU_SET_VRING_NUM:
	case VHU_SET_VRING_BASE:
	case VHU_GET_VRING_BASE:
	case VHU_SET_VRING_ENABLE:
		return sizeof(struct vhu_vring_state);
	case VHU_SET_VRING_ADDR:
		return sizeof(struct vhu_vring_addr);
	default:
		return -1;
	}
}

static void msg_unknown(struct vhu *v, uint32_t req, bool need_reply)
{
	v->c.unknown++;
	if (req >= 64 || !(v->unknown_seen & BIT(req))) {
		if (req < 64)
			v->unknown_seen |= BIT(req);
		log_warnx("port %u: %s: request %u (%s) not supported; %s",
			  v->ep.port->num, v->ep.descr, req, req_name(req),
			  need_reply ? "refused" : "ignored");
	}
	close_fds(v);
	if (need_reply)
		vhu_reply_u64(v, req, 1);
}

/* Handle the message in v->msg. Return: 0, or -errno (the connection is
 * closing) */
static int vhu_handle(struct vhu *v)
{
	uint32_t hdr[3];
	const uint8_t *p = v->msg + VHU_HDR_SIZE;
	struct vhu_vring_state st;
	struct vhu_queue *q;
	uint64_t u = 0;
	bool need_reply, ack;
	long want;
	int rc = 0;

	memcpy(hdr, v->msg, VHU_HDR_SIZE);
	need_reply = hdr[1] & VHU_FLAG_NEED_REPLY;
	ack = need_reply && (v->proto & BIT(VHU_PROTOCOL_F_REPLY_ACK));
	want = msg_size(hdr[0]);
	if (want < 0 && hdr[0] != VHU_SET_MEM_TABLE) {
		msg_unknown(v, hdr[0], need_reply);
		return v->ep.closing ? -EIO : 0;
	}
	if (want >= 0 && hdr[2] != (uint32_t)want) {
		vhu_fail(v, "%s with a %u-byte payload (%ld expected)",
			 req_name(hdr[0]), hdr[2], want);
		return -EINVAL;
	}
	if (want == 8)
		memcpy(&u, p, 8);
	if (want == sizeof(st))
		memcpy(&st, p, sizeof(st));
	if (v->nfds && hdr[0] != VHU_SET_MEM_TABLE &&
	    hdr[0] != VHU_SET_VRING_KICK && hdr[0] != VHU_SET_VRING_CALL &&
	    hdr[0] != VHU_SET_VRING_ERR)
		close_fds(v);	/* fds nobody asked for */
	log_debug("%s: %s", v->ep.descr, req_name(hdr[0]));

	switch (hdr[0]) {
	case VHU_GET_FEATURES:
		return vhu_reply_u64(v, hdr[0], VHU_OFFERED);
	case VHU_GET_PROTOCOL_FEATURES:
		return vhu_reply_u64(v, hdr[0], VHU_PROTO_OFFERED);
	case VHU_GET_QUEUE_NUM:
		return vhu_reply_u64(v, hdr[0], 1);
	case VHU_SET_FEATURES:
		rc = msg_features(v, u);
		break;
	case VHU_SET_PROTOCOL_FEATURES:
		if (u & ~VHU_PROTO_OFFERED) {
			vhu_fail(v, "SET_PROTOCOL_FEATURES %#llx: bits not "
				    "offered", (unsigned long long)u);
			return -EINVAL;
		}
		v->proto = u;
		ack = need_reply && (v->proto & BIT(VHU_PROTOCOL_F_REPLY_ACK));
		break;
	case VHU_SET_OWNER:
		break;
	case VHU_RESET_OWNER:
		vhu_reset(v);
		break;
	case VHU_SET_MEM_TABLE:
		rc = msg_mem_table(v, p, hdr[2]);
		break;
	case VHU_SET_VRING_NUM:
		q = msg_queue(v, hdr[0], st.index);
		if (!q)
			return -EINVAL;
		if (!st.num || st.num > VQ_MAX_SIZE ||
		    (st.num & (st.num - 1))) {
			vhu_fail(v, "SET_VRING_NUM: %u entries (a power of 2 "
				    "up to %d)", st.num, VQ_MAX_SIZE);
			return -EINVAL;
		}
		if (q->started) {
			vhu_fail(v, "SET_VRING_NUM on running ring %u",
				 st.index);
			return -EINVAL;
		}
		q->vq.num = st.num;
		q->vq.have_addr = false;
		q->vq.desc = NULL;
		q->vq.avail = NULL;
		q->vq.used = NULL;
		break;
	case VHU_SET_VRING_ADDR:
		rc = msg_vring_addr(v, p);
		break;
	case VHU_SET_VRING_BASE:
		q = msg_queue(v, hdr[0], st.index);
		if (!q)
			return -EINVAL;
		if (st.num > 0xffff) {
			vhu_fail(v, "SET_VRING_BASE: index %u", st.num);
			return -EINVAL;
		}
		virtq_set_base(&q->vq, (uint16_t)st.num);
		break;
	case VHU_GET_VRING_BASE:
		q = msg_queue(v, hdr[0], st.index);
		if (!q)
			return -EINVAL;
		q_stop(v, q);
		st.num = q->vq.last_avail;
		return vhu_reply(v, hdr[0], &st, sizeof(st));
	case VHU_SET_VRING_KICK:
		rc = msg_kick(v, u);
		break;
	case VHU_SET_VRING_CALL:
		rc = msg_call(v, u);
		break;
	case VHU_SET_VRING_ERR:
		rc = msg_err(v, u);
		break;
	case VHU_SET_VRING_ENABLE:
		q = msg_queue(v, hdr[0], st.index);
		if (!q)
			return -EINVAL;
		q->enabled = st.num != 0;
		q_maybe_go(v, q);
		break;
	}
	if (rc)
		return rc;
	if (ack)
		return vhu_reply_u64(v, hdr[0], 0);
	return 0;
}

/* Take the fds a recvmsg() brought. Return: 0, or -EBADMSG */
static int take_fds(struct vhu *v, struct msghdr *mh)
{
	struct cmsghdr *c;
	int rc = 0;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (v->nfds < VHU_MAX_FDS) {
				v->fds[v->nfds++] = fd;
			} else {
				close(fd);
				rc = -EBADMSG;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		rc = -EBADMSG;
	return rc;
}

static void vhu_read(struct vhu *v)
{
	unsigned msgs = 0;

	while (msgs < MSGS_PER_CALL && !v->ep.closing) {
		union {
			char buf[CMSG_SPACE(VHU_MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} cm;
		struct iovec iov;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		uint32_t hdr[3];
		size_t need = VHU_HDR_SIZE;
		ssize_t r;

		if (v->have >= VHU_HDR_SIZE) {
			memcpy(hdr, v->msg, VHU_HDR_SIZE);
			need += hdr[2];
		}
		iov.iov_base = v->msg + v->have;
		iov.iov_len = need - v->have;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		r = recvmsg(v->fd, &mh, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r < 0) {
			vhu_fail(v, "reading: %s", strerror(errno));
			return;
		}
		if (take_fds(v, &mh)) {
			vhu_fail(v, "a message with more than %d fds",
				 VHU_MAX_FDS);
			return;
		}
		if (r == 0) {
			if (v->have)
				log_warnx("port %u: %s: front end closed in "
					  "the middle of a message",
					  v->ep.port->num, v->ep.descr);
			else
				log_info("port %u: %s: front end closed",
					 v->ep.port->num, v->ep.descr);
			endpoint_close(&v->ep);
			return;
		}
		v->have += (size_t)r;
		if (v->have == VHU_HDR_SIZE) {
			memcpy(hdr, v->msg, VHU_HDR_SIZE);
			if ((hdr[1] & VHU_FLAG_VERSION_MASK) != VHU_VERSION) {
				vhu_fail(v, "message with version %u (1 "
					    "expected)",
					 hdr[1] & VHU_FLAG_VERSION_MASK);
				return;
			}
			if (hdr[2] > VHU_PAYLOAD_MAX) {
				vhu_fail(v, "%s (%u) with a %u-byte payload "
					    "(at most %d)",
					 req_name(hdr[0]), hdr[0], hdr[2],
					 VHU_PAYLOAD_MAX);
				return;
			}
		}
		if (v->have < VHU_HDR_SIZE)
			continue;
		memcpy(hdr, v->msg, VHU_HDR_SIZE);
		if (v->have < VHU_HDR_SIZE + hdr[2])
			continue;
		msgs++;
		v->have = 0;
		vhu_handle(v);
		close_fds(v);
	}
}

static void vhu_sock_cb(struct loop_handler *h, uint32_t events)
{
	struct vhu *v = container_of(h, struct vhu, h);

	(void)events;
	if (!v->ep.closing)
		vhu_read(v);
}

/* ---- endpoint ----------------------------------------------------- */

static void vhu_free(struct loop_deferred *d)
{
	free(container_of(d, struct vhu, dfr));
}

static void vhu_close(struct endpoint *ep)
{
	struct vhu *v = container_of(ep, struct vhu, ep);
	unsigned i;

	for (i = 0; i < 2; i++)
		q_close(v, &v->q[i]);
	close_fds(v);
	vu_mem_clear(&v->mem);
	loop_del(v->vb->loop, v->fd);
	close(v->fd);
	v->fd = -1;
	if (v->att && v->att->conn == v)
		v->att->conn = NULL;
	log_info("%s closed", v->ep.descr);
	loop_defer(v->vb->loop, &v->dfr, vhu_free);
}

static void features_str(uint64_t f, char *buf, size_t len)
{
	size_t off = 0;
	unsigned b;

	buf[0] = '\0';
	for (b = 0; b < 64 && off < len; b++) {
		if (!(f & BIT(b)))
			continue;
		if (feature_names[b])
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? " " : "",
						feature_names[b]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%sbit%u",
						off ? " " : "", b);
	}
	if (!off)
		snprintf(buf, len, "none");
}

static void ring_str(const struct vhu_queue *q, char *buf, size_t len)
{
	if (!q->vq.num)
		snprintf(buf, len, "not set up");
	else
		snprintf(buf, len, "%u entries, %s", q->vq.num,
			 q_live(q)	? "running"
			 : q->started ? "disabled"
				      : "stopped");
}

static void vhu_print(const struct endpoint *ep,
		      void (*line)(void *arg, const char *text), void *arg)
{
	const struct vhu *v = (const struct vhu *)(const void *)(
		(const char *)ep - offsetof(struct vhu, ep));
	char buf[512], f[300], r0[64], r1[64];
	unsigned long long mib = 0;
	unsigned i;

	features_str(v->features, f, sizeof(f));
	snprintf(buf, sizeof(buf), "vhost-user: front end pid %d, features "
		 "%s%s", (int)v->pid, f,
		 v->features_set ? "" : " (not negotiated yet)");
	line(arg, buf);
	snprintf(buf, sizeof(buf),
		 "vhost-user: protocol features %s; virtio-net header %zu "
		 "bytes",
		 (v->proto & BIT(VHU_PROTOCOL_F_REPLY_ACK)) ? "REPLY_ACK"
							     : "none",
		 v->hdr_len);
	line(arg, buf);
	for (i = 0; i < v->mem.n; i++)
		mib += v->mem.r[i].size >> 20;
	ring_str(&v->q[VQ_RX], r0, sizeof(r0));
	ring_str(&v->q[VQ_TX], r1, sizeof(r1));
	snprintf(buf, sizeof(buf),
		 "vhost-user: rx ring %s; tx ring %s; memory %u region%s, "
		 "%llu MiB",
		 r0, r1, v->mem.n, v->mem.n == 1 ? "" : "s", mib);
	line(arg, buf);
	snprintf(buf, sizeof(buf),
		 "vhost-user: bad chains %llu, short headers %llu, offload "
		 "frames dropped %llu, rx without buffers %llu, rx frames "
		 "too big for a buffer %llu, unknown requests %llu, kicks "
		 "%llu, calls %llu",
		 v->c.bad_chain, v->c.bad_hdr, v->c.bad_gso, v->c.rx_nobuf,
		 v->c.rx_small, v->c.unknown, v->c.kicks, v->c.calls);
	line(arg, buf);
	line(arg, "vhost-user: not offered: UFO, MQ, packed ring, IOMMU");
}

static const struct endpoint_ops vhu_ops = {
	.kind = "vhost-user",
	.pad = false,
	.url = true,
	.vnet = true,
	.send = vhu_send,
	.want_write = vhu_want_write,
	.close = vhu_close,
	.print = vhu_print,
};

/* A front end connected: it becomes an endpoint on the attachment's port.
 * Return: 0, or -errno (@fd closed) */
static int vhu_create(struct vhu_att *t, int fd)
{
	struct vhu_backend *vb = t->vb;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct port *p;
	struct vhu *v;
	char err[256];
	unsigned i;
	int rc;

	rc = sw_port_for_attach(vb->sw, t->port, &p, err, sizeof(err));
	if (rc) {
		log_warnx("%s: front end refused: %s", t->url, err);
		close(fd);
		return rc;
	}
	if (!fwd_rxv_get(vb->sw)) {
		log_warnx("%s: front end refused: out of memory for 64 KiB "
			  "receive buffers", t->url);
		close(fd);
		return -ENOMEM;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		log_warnx("%s: front end refused: out of memory", t->url);
		close(fd);
		return -ENOMEM;
	}
	v->vb = vb;
	v->att = t;
	v->fd = fd;
	v->h.cb = vhu_sock_cb;
	vu_mem_init(&v->mem);
	for (i = 0; i < 2; i++) {
		v->q[i].kick = v->q[i].call = -1;
		v->q[i].h.cb = q_kick_cb;
		v->q[i].v = v;
	}
	v->hdr_len = VNET_HDR_LEN;
	v->ep.ops = &vhu_ops;
	v->ep.user = PORT_UID_NONE;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
		v->ep.user = cred.uid;
		v->pid = cred.pid;
	}
	snprintf(v->ep.descr, sizeof(v->ep.descr), "%.100s pid %d", t->url,
		 (int)v->pid);
	rc = loop_add(vb->loop, fd, EPOLLIN, &v->h);
	if (!rc) {
		rc = port_attach(vb->sw, p, &v->ep);
		if (rc)
			loop_del(vb->loop, fd);
	}
	if (rc) {
		log_warnx("%s: front end refused: %s", t->url, strerror(-rc));
		close(fd);
		free(v);
		return rc;
	}
	t->conn = v;
	t->nconns++;
	log_info("port %u: %s (endpoint %d)", p->num, v->ep.descr, v->ep.id);
	return 0;
}

static void att_accept(struct vhu_att *t)
{
	int fd;

	while ((fd = loop_accept(t->vb->loop, t->fd, &t->h, &t->timer,
				 ACCEPT_PAUSE_MS, NULL, NULL, t->url)) >= 0) {
		if (t->conn) {
			t->refused++;
			log_warnx("%s: a second front end refused (%s is "
				  "connected)", t->url, t->conn->ep.descr);
			close(fd);
			continue;
		}
		vhu_create(t, fd);
	}
}

static void att_cb(struct loop_handler *h, uint32_t events)
{
	(void)events;
	att_accept(container_of(h, struct vhu_att, h));
}

static void att_timer(struct loop_timer *tm)
{
	struct vhu_att *t = container_of(tm, struct vhu_att, timer);

	loop_mod(t->vb->loop, t->fd, EPOLLIN, &t->h);
}

static void att_describe(struct sw_attachment *a, char *buf, size_t len)
{
	struct vhu_att *t = container_of(a, struct vhu_att, a);

	if (t->conn)
		snprintf(buf, len, "listening, front end pid %d connected "
			 "(%llu connection%s so far)",
			 (int)t->conn->pid, t->nconns,
			 t->nconns == 1 ? "" : "s");
	else
		snprintf(buf, len, "listening, waiting for a front end "
			 "(%llu connection%s so far)", t->nconns,
			 t->nconns == 1 ? "" : "s");
}

static void att_free(struct vhu_att *t)
{
	struct vhu_backend *vb = t->vb;
	struct vhu_att **pp;

	for (pp = &vb->atts; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	loop_timer_del(vb->loop, &t->timer);
	if (t->fd >= 0) {
		loop_del(vb->loop, t->fd);
		close(t->fd);
		unlink(t->addr.sun_path);
	}
	if (t->conn)
		t->conn->att = NULL;
	free(t);
}

static void att_detach(struct sw_attachment *a)
{
	struct vhu_att *t = container_of(a, struct vhu_att, a);

	sw_attachment_del(t->vb->sw, a);
	if (t->conn) {
		struct vhu *v = t->conn;

		v->att = NULL;
		t->conn = NULL;
		endpoint_close_now(&v->ep);
	}
	log_info("%s detached", t->url);
	att_free(t);
}

static int att_listen(struct vhu_att *t, char *err, size_t errlen)
{
	int e;

	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	if (bind(t->fd, (struct sockaddr *)&t->addr, sizeof(t->addr))) {
		if (errno != EADDRINUSE || !sa_unix_stale(&t->addr))
			goto fail;
		unlink(t->addr.sun_path);
		if (bind(t->fd, (struct sockaddr *)&t->addr, sizeof(t->addr)))
			goto fail;
	}
	if (listen(t->fd, 4)) {
		e = errno;
		unlink(t->addr.sun_path);
		errno = e;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "%s: %s%s", t->url, strerror(e),
		 e == EADDRINUSE ? " (a program is listening there)" : "");
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	return -e;
}

/* The lowest port with no endpoint that no attachment holds for its
 * future connections (a listener's port is empty while it waits). */
static int vhu_free_port(struct sw *sw, struct port **out, char *err,
			 size_t errlen)
{
	const struct sw_attachment *a;
	unsigned num;

	for (num = 1; num <= sw_nports(sw); num++) {
		const struct port *p = sw_port(sw, num);

		if (p && p->eps)
			continue;
		for (a = sw_attachment_next(sw, NULL); a;
		     a = sw_attachment_next(sw, a))
			if (a->port == num)
				break;
		if (!a && !sw_port_for_attach(sw, num, out, err, errlen))
			return 0;
	}
	snprintf(err, errlen, "no free port (%u ports)", sw_nports(sw));
	return -ENOSPC;
}

static int vhu_attach(struct sw_scheme *s, const char *rest, unsigned port,
		      char *err, size_t errlen)
{
	struct vhu_backend *vb = container_of(s, struct vhu_backend, scheme);
	struct vhu_att *t;
	struct port *p;
	int rc;

	if (rest[0] != '/' || strlen(rest) >= sizeof(t->addr.sun_path)) {
		snprintf(err, errlen,
			 "vhost-user://%s: give an absolute socket path "
			 "(vhost-user:///PATH), shorter than %zu bytes",
			 rest, sizeof(t->addr.sun_path));
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->vb = vb;
	t->fd = -1;
	snprintf(t->url, sizeof(t->url), "vhost-user://%s", rest);
	t->addr.sun_family = AF_UNIX;
	strcpy(t->addr.sun_path, rest);
	loop_timer_init(&t->timer, att_timer);
	t->h.cb = att_cb;
	/* the port is chosen now, and kept across connections */
	rc = port == SW_ANY_PORT ? vhu_free_port(vb->sw, &p, err, errlen)
				 : sw_port_for_attach(vb->sw, port, &p, err,
						      errlen);
	if (rc)
		goto fail;
	t->port = p->num;
	rc = att_listen(t, err, errlen);
	if (rc)
		goto fail;
	rc = loop_add(vb->loop, t->fd, EPOLLIN, &t->h);
	if (rc) {
		snprintf(err, errlen, "%s: epoll: %s", t->url, strerror(-rc));
		close(t->fd);
		unlink(t->addr.sun_path);
		goto fail;
	}
	t->a.url = t->url;
	t->a.port = t->port;
	t->a.describe = att_describe;
	t->a.detach = att_detach;
	sw_attachment_add(vb->sw, &t->a);
	t->next = vb->atts;
	vb->atts = t;
	log_info("%s attached: port %u, listening", t->url, t->port);
	return 0;
fail:
	free(t);
	return rc;
}

static void vhu_backend_destroy(struct sw_backend *b)
{
	struct vhu_backend *vb = container_of(b, struct vhu_backend, backend);

	while (vb->atts) {
		sw_attachment_del(vb->sw, &vb->atts->a);
		att_free(vb->atts);
	}
	free(vb);
}

/**
 * vhostuser_backend_create() - the vhost-user backend of a switch, serving
 * vhost-user:///PATH; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct vhu_backend *vhostuser_backend_create(struct sw *sw)
{
	struct vhu_backend *vb = calloc(1, sizeof(*vb));

	if (!vb)
		return NULL;
	vb->sw = sw;
	vb->loop = sw_loop(sw);
	vb->backend.name = "vhost-user";
	vb->backend.destroy = vhu_backend_destroy;
	vb->scheme.name = "vhost-user";
	vb->scheme.attach = vhu_attach;
	sw_backend_add(sw, &vb->backend);
	sw_scheme_add(sw, &vb->scheme);
	return vb;
}
