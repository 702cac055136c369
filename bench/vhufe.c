/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhufe.c - a vhost-user front end without QEMU (see vhufe.h): the
 * protocol's messages as QEMU 7.2 sends them to a net back end, guest
 * memory in a memfd, and the driver side of two split rings with
 * EVENT_IDX.
 *
 * Ordering (virtio 1.2, "Split Virtqueues"): entries of the available
 * ring are written before its index is stored with release semantics; a
 * full fence separates that store from reading avail_event to decide on a
 * kick, and the store of used_event from re-reading the used index before
 * sleeping; the used index is read with acquire semantics before the
 * entries it covers.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhufe.h"
#include "vhumsg.h"
#include "vnethdr.h"
#include "virtq.h"

#define BIT(n) (1ULL << (n))
#define REPLY_MS 5000		/* each reply of the back end */
#define VQ_RX 0
#define VQ_TX 1
/* what this front end implements, of what a back end may offer */
#define FE_FEATURES                                                            \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF) |               \
	 BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VHOST_USER_F_PROTOCOL_FEATURES))

/* One ring, the driver's side of it. */
struct fe_queue {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint8_t *bufs;		/* VHUFE_BUF bytes per descriptor */
	uint16_t avail_idx;	/* next available entry to write */
	uint16_t last_used;	/* next used entry to read */
	int kick, call;
	int ep;			/* epoll of @call, edge-triggered */
	uint16_t *free;		/* TX: descriptors not in the ring */
	unsigned nfree;
};

struct vhufe {
	int sock;
	int memfd;
	uint8_t *mem;
	size_t memlen;
	unsigned num;
	uint64_t features;
	bool event_idx;
	bool reply_ack;
	size_t hdr_len;
	struct fe_queue q[2];
	uint64_t kicks;		/* eventfd writes to the back end */
	uint64_t sleeps;	/* poll()s on a call fd */
};

/**
 * vhufe_msg_send() - send one vhost-user message
 * @fd:		the connected socket
 * @req:	request number (enum vhu_request)
 * @flags:	VHU_FLAG_NEED_REPLY or 0 (the version is added)
 * @payload:	@size bytes
 * @size:	payload size
 * @fds:	file descriptors to pass with it (SCM_RIGHTS)
 * @nfds:	how many, at most VHU_MAX_FDS
 *
 * Return: 0, or -errno (-EMSGSIZE: payload or fds too many)
 */
int vhufe_msg_send(int fd, uint32_t req, uint32_t flags, const void *payload,
		   uint32_t size, const int *fds, unsigned nfds)
{
	uint8_t buf[VHU_HDR_SIZE + 1024];
	uint32_t hdr[3] = { req, VHU_VERSION | flags, size };
	union {
		char b[CMSG_SPACE(VHU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { buf, VHU_HDR_SIZE + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t w;

	if (size > sizeof(buf) - VHU_HDR_SIZE || nfds > VHU_MAX_FDS)
		return -EMSGSIZE;
	memcpy(buf, hdr, VHU_HDR_SIZE);
	if (size)
		memcpy(buf + VHU_HDR_SIZE, payload, size);
	if (nfds) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return w == (ssize_t)(VHU_HDR_SIZE + size) ? 0 : -EIO;
}

/* Read exactly @len bytes, waiting up to @timeout_ms for the first. */
static int read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < len) {
		ssize_t r;
		int n;

		n = poll(&pfd, 1, got ? REPLY_MS : timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		r = recv(fd, (uint8_t *)buf + got, len - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		got += (size_t)r;
	}
	return 0;
}

/**
 * vhufe_msg_reply() - wait for the back end's reply to @req
 * @fd:		the connected socket
 * @req:	the request it answers
 * @out:	its payload
 * @len:	room in @out
 * @timeout_ms:	how long to wait for it (0: only if it is there)
 *
 * Return: the payload size, -ETIMEDOUT (none), -EPIPE (the back end
 * closed), -EPROTO (a reply to another request, or one that is not a
 * reply, or too big), or another -errno
 */
int vhufe_msg_reply(int fd, uint32_t req, void *out, size_t len,
		    int timeout_ms)
{
	uint32_t hdr[3];
	uint8_t sink[VHU_PAYLOAD_MAX];
	int rc;

	rc = read_full(fd, hdr, sizeof(hdr), timeout_ms);
	if (rc)
		return rc;
	if (hdr[2] > sizeof(sink))
		return -EPROTO;
	rc = read_full(fd, sink, hdr[2], REPLY_MS);
	if (rc)
		return rc;
	if (hdr[0] != req || hdr[1] != (VHU_VERSION | VHU_FLAG_REPLY) ||
	    hdr[2] > len)
		return -EPROTO;
	memcpy(out, sink, hdr[2]);
	return (int)hdr[2];
}

/* A request answered by a u64 (GET_*, or an ack). Return: 0 or -errno */
static int get_u64(struct vhufe *fe, uint32_t req, uint32_t flags,
		   const void *payload, uint32_t size, const int *fds,
		   unsigned nfds, uint64_t *val)
{
	int rc = vhufe_msg_send(fe->sock, req, flags, payload, size, fds,
				nfds);

	if (rc)
		return rc;
	rc = vhufe_msg_reply(fe->sock, req, val, sizeof(*val), REPLY_MS);
	if (rc < 0)
		return rc;
	return rc == sizeof(*val) ? 0 : -EPROTO;
}

static int set_u64(struct vhufe *fe, uint32_t req, uint64_t val,
		   const int *fds, unsigned nfds)
{
	return vhufe_msg_send(fe->sock, req, 0, &val, sizeof(val), fds, nfds);
}

static int set_state(struct vhufe *fe, uint32_t req, uint32_t index,
		     uint32_t num, uint32_t flags)
{
	struct vhu_vring_state st = { index, num };

	return vhufe_msg_send(fe->sock, req, flags, &st, sizeof(st), NULL, 0);
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Where a queue's parts go in guest memory; the size of one queue's area
 * from the ring's start. */
static size_t queue_layout(unsigned num, size_t *avail, size_t *used,
			   size_t *bufs)
{
	*avail = 16 * (size_t)num;
	*used = align_up(*avail + 6 + 2 * (size_t)num, 4096);
	*bufs = align_up(*used + 6 + 8 * (size_t)num, 4096);
	return *bufs + (size_t)num * VHUFE_BUF;
}

static uint64_t gpa_of(const struct vhufe *fe, const void *p)
{
	return VHUFE_GPA + (uint64_t)((const uint8_t *)p - fe->mem);
}

static uint64_t qva_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Lay out both rings in guest memory; post every receive buffer. */
static int mem_setup(struct vhufe *fe)
{
	size_t avail, used, bufs, area = queue_layout(fe->num, &avail, &used,
						      &bufs);
	unsigned i, k;

	fe->memlen = 2 * area;
	fe->memfd = memfd_create("vhufe-guest", MFD_CLOEXEC);
	if (fe->memfd < 0)
		return -errno;
	if (ftruncate(fe->memfd, (off_t)fe->memlen))
		return -errno;
	fe->mem = mmap(NULL, fe->memlen, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fe->memfd, 0);
	if (fe->mem == MAP_FAILED) {
		fe->mem = NULL;
		return -errno;
	}
	for (k = 0; k < 2; k++) {
		struct fe_queue *q = &fe->q[k];
		uint8_t *base = fe->mem + k * area;

		q->desc = (struct vring_desc *)(void *)base;
		q->avail = (struct vring_avail *)(void *)(base + avail);
		q->used = (struct vring_used *)(void *)(base + used);
		q->bufs = base + bufs;
		for (i = 0; i < fe->num; i++) {
			q->desc[i].addr = gpa_of(fe, q->bufs +
						 (size_t)i * VHUFE_BUF);
			q->desc[i].len = VHUFE_BUF;
			q->desc[i].flags = k == VQ_RX ? VRING_DESC_F_WRITE : 0;
			q->desc[i].next = 0;
		}
	}
	/* the guest's receive buffers, all of them, before the switch
	 * looks; transmit descriptors wait on the free list */
	for (i = 0; i < fe->num; i++)
		fe->q[VQ_RX].avail->ring[i] = (uint16_t)i;
	fe->q[VQ_RX].avail_idx = (uint16_t)fe->num;
	__atomic_store_n(&fe->q[VQ_RX].avail->idx, fe->q[VQ_RX].avail_idx,
			 __ATOMIC_RELEASE);
	fe->q[VQ_TX].free = calloc(fe->num, sizeof(uint16_t));
	if (!fe->q[VQ_TX].free)
		return -ENOMEM;
	for (i = 0; i < fe->num; i++)
		fe->q[VQ_TX].free[i] = (uint16_t)(fe->num - 1 - i);
	fe->q[VQ_TX].nfree = fe->num;
	return 0;
}

static int send_mem_table(struct vhufe *fe)
{
	struct vhu_mem_table t = { .nregions = 1 };
	uint64_t ack = 1;
	int rc;

	t.r[0].gpa = VHUFE_GPA;
	t.r[0].size = fe->memlen;
	t.r[0].qva = qva_of(fe->mem);
	t.r[0].offset = 0;
	if (!fe->reply_ack)
		return vhufe_msg_send(fe->sock, VHU_SET_MEM_TABLE, 0, &t,
				      8 + sizeof(t.r[0]), &fe->memfd, 1);
	rc = get_u64(fe, VHU_SET_MEM_TABLE, VHU_FLAG_NEED_REPLY, &t,
		     8 + sizeof(t.r[0]), &fe->memfd, 1, &ack);
	if (rc)
		return rc;
	return ack ? -EREMOTEIO : 0;
}

static int setup_queue(struct vhufe *fe, unsigned k)
{
	struct fe_queue *q = &fe->q[k];
	struct vhu_vring_addr a = {
		.index = k,
		.desc = qva_of(q->desc),
		.used = qva_of(q->used),
		.avail = qva_of(q->avail),
	};
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int rc;

	q->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->ep = epoll_create1(EPOLL_CLOEXEC);
	if (q->kick < 0 || q->call < 0 || q->ep < 0 ||
	    epoll_ctl(q->ep, EPOLL_CTL_ADD, q->call, &ev))
		return -errno;
	if ((rc = set_state(fe, VHU_SET_VRING_NUM, k, fe->num, 0)) ||
	    (rc = set_state(fe, VHU_SET_VRING_BASE, k, 0, 0)) ||
	    (rc = vhufe_msg_send(fe->sock, VHU_SET_VRING_ADDR, 0, &a,
				 sizeof(a), NULL, 0)) ||
	    (rc = set_u64(fe, VHU_SET_VRING_KICK, k, &q->kick, 1)) ||
	    (rc = set_u64(fe, VHU_SET_VRING_CALL, k, &q->call, 1)))
		return rc;
	return 0;
}

/* The whole negotiation; @why says which step failed. */
static int negotiate(struct vhufe *fe, char *why, size_t whylen)
{
	uint64_t offered = 0, proto = 0, ack = 1;
	unsigned k;
	int rc;

	rc = get_u64(fe, VHU_GET_FEATURES, 0, NULL, 0, NULL, 0, &offered);
	if (rc) {
		snprintf(why, whylen, "GET_FEATURES: %s", strerror(-rc));
		return rc;
	}
	if (!(offered & BIT(VIRTIO_F_VERSION_1))) {
		snprintf(why, whylen, "the back end does not offer VERSION_1 "
			 "(features %#llx)", (unsigned long long)offered);
		return -EPROTONOSUPPORT;
	}
	fe->features = offered & FE_FEATURES;
	if (fe->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		rc = get_u64(fe, VHU_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL,
			     0, &proto);
		proto &= BIT(VHU_PROTOCOL_F_REPLY_ACK);
		if (!rc)
			rc = set_u64(fe, VHU_SET_PROTOCOL_FEATURES, proto,
				     NULL, 0);
		if (rc) {
			snprintf(why, whylen, "protocol features: %s",
				 strerror(-rc));
			return rc;
		}
		fe->reply_ack = proto != 0;
	}
	fe->event_idx = fe->features & BIT(VIRTIO_RING_F_EVENT_IDX);
	fe->hdr_len = VNET_HDR_LEN;	/* VERSION_1 */
	if ((rc = vhufe_msg_send(fe->sock, VHU_SET_OWNER, 0, NULL, 0, NULL,
				 0)) ||
	    (rc = set_u64(fe, VHU_SET_FEATURES, fe->features, NULL, 0))) {
		snprintf(why, whylen, "SET_OWNER/SET_FEATURES: %s",
			 strerror(-rc));
		return rc;
	}
	rc = mem_setup(fe);
	if (rc) {
		snprintf(why, whylen, "guest memory: %s", strerror(-rc));
		return rc;
	}
	rc = send_mem_table(fe);
	if (rc) {
		snprintf(why, whylen, "SET_MEM_TABLE: %s", strerror(-rc));
		return rc;
	}
	for (k = 0; k < 2; k++) {
		rc = setup_queue(fe, k);
		if (rc) {
			snprintf(why, whylen, "setting up ring %u: %s", k,
				 strerror(-rc));
			return rc;
		}
	}
	/* enabled (with PROTOCOL_FEATURES rings start disabled); the last
	 * message is answered, so the back end has taken every one */
	if (fe->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		rc = set_state(fe, VHU_SET_VRING_ENABLE, VQ_RX, 1, 0);
		if (!rc && fe->reply_ack) {
			struct vhu_vring_state st = { VQ_TX, 1 };

			rc = get_u64(fe, VHU_SET_VRING_ENABLE,
				     VHU_FLAG_NEED_REPLY, &st, sizeof(st),
				     NULL, 0, &ack);
			if (!rc && ack)
				rc = -EREMOTEIO;
		} else if (!rc) {
			rc = set_state(fe, VHU_SET_VRING_ENABLE, VQ_TX, 1, 0);
		}
		if (rc) {
			snprintf(why, whylen, "SET_VRING_ENABLE: %s",
				 strerror(-rc));
			return rc;
		}
	}
	if (!fe->reply_ack) {
		rc = get_u64(fe, VHU_GET_FEATURES, 0, NULL, 0, NULL, 0,
			     &offered);
		if (rc) {
			snprintf(why, whylen, "GET_FEATURES after set-up: %s",
				 strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/**
 * vhufe_open() - connect to a vhost-user back end and set up a device
 * with two rings, as QEMU does for a virtio-net NIC with one queue pair
 * @out:	the front end
 * @path:	the back end's socket
 * @ring:	ring size, a power of 2 up to 32768 (0: VHUFE_RING)
 * @why:	on failure, what went wrong
 * @whylen:	size of @why
 *
 * Features: VERSION_1 (required), MRG_RXBUF, EVENT_IDX and
 * PROTOCOL_FEATURES with REPLY_ACK, those the back end offers. When this
 * returns, both rings run and every receive buffer is posted.
 *
 * Return: 0, or -errno
 */
int vhufe_open(struct vhufe **out, const char *path, unsigned ring,
	       char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vhufe *fe;
	unsigned k;
	int rc;

	*out = NULL;
	if (!ring)
		ring = VHUFE_RING;
	if (ring > VQ_MAX_SIZE || (ring & (ring - 1)) ||
	    strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "ring size %u or path %s", ring, path);
		return -EINVAL;
	}
	fe = calloc(1, sizeof(*fe));
	if (!fe) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	fe->num = ring;
	fe->memfd = -1;
	for (k = 0; k < 2; k++)
		fe->q[k].kick = fe->q[k].call = fe->q[k].ep = -1;
	fe->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fe->sock < 0) {
		rc = -errno;
		snprintf(why, whylen, "socket: %s", strerror(errno));
		goto fail;
	}
	strcpy(sa.sun_path, path);
	if (connect(fe->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		snprintf(why, whylen, "connect %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = negotiate(fe, why, whylen);
	if (rc)
		goto fail;
	*out = fe;
	return 0;
fail:
	vhufe_close(fe);
	return rc;
}

/**
 * vhufe_close() - disconnect and free everything
 * @fe:		the front end, or NULL
 */
void vhufe_close(struct vhufe *fe)
{
	unsigned k;

	if (!fe)
		return;
	if (fe->sock >= 0)
		close(fe->sock);
	for (k = 0; k < 2; k++) {
		if (fe->q[k].kick >= 0)
			close(fe->q[k].kick);
		if (fe->q[k].call >= 0)
			close(fe->q[k].call);
		if (fe->q[k].ep >= 0)
			close(fe->q[k].ep);
		free(fe->q[k].free);
	}
	if (fe->mem)
		munmap(fe->mem, fe->memlen);
	if (fe->memfd >= 0)
		close(fe->memfd);
	free(fe);
}

/**
 * vhufe_features() - the features acked to the back end
 * @fe:		the front end
 *
 * Return: the feature bits
 */
uint64_t vhufe_features(const struct vhufe *fe)
{
	return fe->features;
}

/* vring_need_event() of the virtio spec: is @event in [old, new)? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

static uint16_t *avail_event(const struct vhufe *fe, struct fe_queue *q)
{
	return (uint16_t *)(void *)&q->used->ring[fe->num];
}

static uint16_t *used_event(const struct vhufe *fe, struct fe_queue *q)
{
	return &q->avail->ring[fe->num];
}

/* Publish the available entries written since @old; kick the back end
 * if it asked to be (avail_event), or always without EVENT_IDX unless
 * it set NO_NOTIFY. */
static void publish_avail(struct vhufe *fe, struct fe_queue *q, uint16_t old)
{
	bool kick;

	if (q->avail_idx == old)
		return;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (fe->event_idx)
		kick = need_event(__atomic_load_n(avail_event(fe, q),
						  __ATOMIC_RELAXED),
				  q->avail_idx, old);
	else
		kick = !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) &
			 1 /* VRING_USED_F_NO_NOTIFY */);
	if (kick) {
		fe->kicks++;
		eventfd_write(q->kick, 1);
	}
}

/* Ask for a call at the next used entry; true if one is there already. */
static bool arm(struct vhufe *fe, struct fe_queue *q)
{
	__atomic_store_n(used_event(fe, q), q->last_used, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) !=
	       q->last_used;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep on @q's call fd until @deadline (mono_ms()): edge-triggered,
 * so each call is an event and the eventfd is never read (as a guest
 * takes an interrupt, one system call per sleep). A call may be stale
 * (one for entries seen already): the caller looks and comes back.
 * Return: 0 woken, -1 with errno EAGAIN if the deadline passed */
static int wait_call(struct vhufe *fe, struct fe_queue *q,
		     long long deadline)
{
	struct epoll_event ev;
	long long left = deadline - mono_ms();
	int n;

	if (left <= 0) {
		errno = EAGAIN;
		return -1;
	}
	fe->sleeps++;
	do
		n = epoll_wait(q->ep, &ev, 1, (int)left);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n == 0)
			errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* Transmit descriptors the back end is done with back to the free list. */
static void tx_reclaim(struct vhufe *fe)
{
	struct fe_queue *q = &fe->q[VQ_TX];
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);

	while (q->last_used != idx) {
		uint32_t id = __atomic_load_n(
			&q->used->ring[q->last_used & (fe->num - 1)].id,
			__ATOMIC_RELAXED);

		if (id < fe->num && q->nfree < fe->num)
			q->free[q->nfree++] = (uint16_t)id;
		q->last_used++;
	}
}

/**
 * vhufe_send() - frames into the transmit ring, as a guest sends them
 * @fe:		the front end
 * @msgs:	the frames (each msg_hdr's iovecs), sendmmsg() style
 * @n:		how many
 *
 * Each frame goes into one descriptor after a virtio-net header with
 * flags 0. With no descriptor free it waits (a call) up to 2 s for the
 * back end to return some.
 *
 * Return: frames queued (at least 1 for @n > 0), or -1 with errno
 * (EMSGSIZE: a frame larger than a buffer; EAGAIN: the ring stayed full)
 */
int vhufe_send(struct vhufe *fe, struct mmsghdr *msgs, unsigned n)
{
	struct fe_queue *q = &fe->q[VQ_TX];
	uint16_t old = q->avail_idx;
	unsigned i, k;

	tx_reclaim(fe);
	if (!q->nfree && n) {
		long long deadline = mono_ms() + 2000;

		while (!q->nfree) {
			if (!arm(fe, q) && wait_call(fe, q, deadline))
				return -1;
			tx_reclaim(fe);
		}
	}
	for (i = 0; i < n && q->nfree; i++) {
		const struct msghdr *m = &msgs[i].msg_hdr;
		uint16_t id = q->free[q->nfree - 1];
		uint8_t *b = q->bufs + (size_t)id * VHUFE_BUF;
		size_t len = fe->hdr_len;

		for (k = 0; k < m->msg_iovlen; k++) {
			if (m->msg_iov[k].iov_len > VHUFE_BUF - len)
				break;
			memcpy(b + len, m->msg_iov[k].iov_base,
			       m->msg_iov[k].iov_len);
			len += m->msg_iov[k].iov_len;
		}
		if (k < m->msg_iovlen) {
			if (i)
				break;
			errno = EMSGSIZE;
			return -1;
		}
		memset(b, 0, VNET_HDR_LEN);	/* flags 0, no GSO */
		q->nfree--;
		msgs[i].msg_len = (unsigned)(len - fe->hdr_len);
		q->desc[id].len = (uint32_t)len;
		q->avail->ring[q->avail_idx & (fe->num - 1)] = id;
		q->avail_idx++;
	}
	publish_avail(fe, q, old);
	return (int)i;
}

/* Copy @len bytes at @src into @m's iovecs from byte @off on; return the
 * new offset (what does not fit is cut). */
static size_t to_msg(struct msghdr *m, size_t off, const uint8_t *src,
		     size_t len)
{
	size_t pos = 0;
	unsigned k;

	if (m->msg_iovlen && off <= m->msg_iov[0].iov_len &&
	    len <= m->msg_iov[0].iov_len - off) {
		memcpy((uint8_t *)m->msg_iov[0].iov_base + off, src, len);
		return off + len;
	}
	for (k = 0; k < m->msg_iovlen && len; k++) {
		size_t l = m->msg_iov[k].iov_len, take;

		if (off >= pos + l) {
			pos += l;
			continue;
		}
		take = pos + l - off;
		if (take > len)
			take = len;
		memcpy((uint8_t *)m->msg_iov[k].iov_base + (off - pos), src,
		       take);
		src += take;
		len -= take;
		off += take;
		pos += l;
	}
	return off;
}

/* Read up to @n frames off the receive ring, reposting their buffers.
 * Return: frames read, or -1 with errno EPROTO (the back end broke the
 * ring) */
static int rx_harvest(struct vhufe *fe, struct mmsghdr *msgs, unsigned n)
{
	struct fe_queue *q = &fe->q[VQ_RX];
	uint16_t old = q->avail_idx;
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	bool mrg = fe->features & BIT(VIRTIO_NET_F_MRG_RXBUF);
	unsigned got = 0;
	int rc = 0;

	while (q->last_used != idx && got < n) {
		struct msghdr *m = &msgs[got].msg_hdr;
		unsigned nb = 1, b;
		size_t off = 0;

		for (b = 0; b < nb; b++) {
			struct vring_used_elem e;
			const uint8_t *p;
			size_t len;

			if (q->last_used == idx) {
				rc = -1;	/* a frame cut short */
				break;
			}
			e.id = __atomic_load_n(
				&q->used->ring[q->last_used & (fe->num - 1)].id,
				__ATOMIC_RELAXED);
			e.len = __atomic_load_n(
				&q->used->ring[q->last_used & (fe->num - 1)].len,
				__ATOMIC_RELAXED);
			q->last_used++;
			if (e.id >= fe->num || e.len > VHUFE_BUF ||
			    (!b && e.len < fe->hdr_len)) {
				rc = -1;
				break;
			}
			p = q->bufs + (size_t)e.id * VHUFE_BUF;
			len = e.len;
			if (!b) {
				uint16_t num = vnet_le16_get(
					p + VNET_HDR_LEN_LEGACY);

				if (mrg && num > 1)
					nb = num;
				p += fe->hdr_len;
				len -= fe->hdr_len;
			}
			off = to_msg(m, off, p, len);
			q->avail->ring[q->avail_idx & (fe->num - 1)] =
				(uint16_t)e.id;
			q->avail_idx++;
		}
		if (rc)
			break;
		msgs[got].msg_len = (unsigned)off;
		got++;
	}
	publish_avail(fe, q, old);
	if (rc && !got) {
		errno = EPROTO;
		return -1;
	}
	return (int)got;
}

/**
 * vhufe_recv() - frames from the receive ring, recvmmsg() style
 * @fe:		the front end
 * @msgs:	where they go (each msg_hdr's iovecs; msg_len set)
 * @n:		room
 * @timeout_ms:	when none is there, how long to sleep on the call fd
 *		(0: not at all)
 *
 * Buffers are reposted as their frames are read; the back end is kicked
 * only if it waits for buffers.
 *
 * Return: frames read (> 0), or -1 with errno EAGAIN (none in time) or
 * EPROTO (a broken ring)
 */
int vhufe_recv(struct vhufe *fe, struct mmsghdr *msgs, unsigned n,
	       int timeout_ms)
{
	struct fe_queue *q = &fe->q[VQ_RX];
	long long deadline = timeout_ms ? mono_ms() + timeout_ms : 0;
	int got;

	while (!(got = rx_harvest(fe, msgs, n))) {
		if (!timeout_ms) {
			errno = EAGAIN;
			return -1;
		}
		if (!arm(fe, q) && wait_call(fe, q, deadline))
			return -1;
	}
	return got;
}

/**
 * vhufe_rx_fd() - the receive ring's call eventfd, to poll() with other
 * fds; arm it with vhufe_rx_arm() first
 * @fe:		the front end
 *
 * Return: the fd (the front end owns it)
 */
int vhufe_rx_fd(const struct vhufe *fe)
{
	return fe->q[VQ_RX].call;
}

/**
 * vhufe_rx_arm() - ask for a call on the receive ring's fd when a frame
 * comes (a call that came before is cleared)
 * @fe:		the front end
 *
 * Return: true if frames are waiting already (do not sleep)
 */
bool vhufe_rx_arm(struct vhufe *fe)
{
	eventfd_t v;

	eventfd_read(fe->q[VQ_RX].call, &v);	/* calls seen before */
	return arm(fe, &fe->q[VQ_RX]);
}

/**
 * vhufe_counts() - what the front end cost in system calls on the rings
 * @fe:		the front end
 * @kicks:	kicks sent to the back end so far
 * @sleeps:	times it slept on a call fd so far (vhufe_recv(), a full
 *		transmit ring; not the caller's own poll() of vhufe_rx_fd())
 */
void vhufe_counts(const struct vhufe *fe, uint64_t *kicks, uint64_t *sleeps)
{
	*kicks = fe->kicks;
	*sleeps = fe->sleeps;
}
