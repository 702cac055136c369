/* SPDX-License-Identifier: GPL-2.0-or-later
 * clients.c - the benchmark's client processes.
 *
 * Each client is a forked process with a libvdeplug connection to the
 * switch and two pipes to the parent (commands in, reports out). Roles:
 *
 * - tx: sends frames to the receivers' MAC (unicast) or to the broadcast
 *   address. With a window, it keeps at most W frames unacknowledged by the
 *   slowest receiver, so a switch that drops when a receiver's socket is
 *   full (vde_switch) is never pushed into dropping: the kernel queues at
 *   most net.unix.max_dgram_qlen datagrams per socket and W is no larger.
 *   Without a window (burst) it sends back to back.
 * - rx: counts data frames, writes the running count to its ack pipe each
 *   time it passes a multiple of K; a slow rx sleeps after each frame.
 *   With shared acknowledgements (acks, the vh64 step) it stores the count
 *   in memory shared with the sender after every batch instead, and
 *   wakes the sender (an eventfd) only when it said it sleeps, once per
 *   sleep: no system call per acknowledgement while both run, as with
 *   the vhost-user rings.
 * - ping/pong: round trips, one frame at a time.
 * - idle: opens N connections and holds them.
 * - console: connects to the switch's management console (-M), subscribes
 *   to every category debug/list shows (debug/add each; one refused is
 *   skipped), then reads and discards the asynchronous "3NNN" lines until
 *   told to quit, so the switch never has to drop or disconnect it.
 *
 * Single-frame clients use vde_send()/vde_recv(); batching clients use
 * sendmmsg()/recvmmsg() on vde_datafd(). A tx or rx with a TAP (tap_if)
 * is the TAP peer instead: no libvdeplug connection, but packet sockets on
 * the TAP in the benchmark's namespace (tap.c), always batched; it reports
 * the frames its side dropped (socket and TAP counters) with its result. A
 * tx with a URL port (url) sends on the socket the parent connected to
 * that port, in its framing (urlports.c), always batched. A client with a
 * vhost-user port (vhost) is a front end on that port's socket instead
 * (vhufe.c: guest memory, two split rings, EVENT_IDX), always batched:
 * its frames go through the transmit ring, and it sleeps on the receive
 * ring's call fd when nothing is there. Frames are
 * Ethernet frames of ethertype 0x88b5 (local experimental) carrying a
 * magic, a kind, the sender's index and a sequence number. MACs are
 * locally administered: 02:50:42:<role>:<index>.
 *
 * Receivers announce their MAC (one broadcast frame) only when the parent
 * says so, after every client has connected: a port joining makes
 * vde_switch flush its MAC table, and no measurement may run while a
 * switch floods. The sender reports each announce it sees, which proves
 * the switch has learnt that MAC.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sched.h>

#include <libvdeplug.h>

#include "pbbench.h"
#include "vhufe.h"

#define ETH_TYPE_PB 0x88b5
#define PB_MAGIC 0x50424e43u
#define PB_HDR 42		/* 14 Ethernet + magic kind idx seq ts */
#define RXBATCH 32
#define RXBUF 2048
#define ACK_TIMEOUT_MS 2000
#define RTT_WARMUP 200
#define RTT_MAX 1000000
#define CON_BUF 65536		/* console: bytes buffered */
#define CON_MAXCAT 64		/* console: debug categories kept */
#define CON_CATLEN 64		/* console: longest category path + 1 */
#define CON_TIMEOUT_MS 10000	/* console: wait for one reply */

enum frame_kind {
	FK_DATA = 1,
	FK_ANNOUNCE,
	FK_PING,
	FK_PONG,
};

enum mac_role {
	MR_TX = 1,
	MR_RX,
	MR_PING,
	MR_PONG,
};

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct cctx {
	const struct client_spec *s;
	int cmd, rep;
	VDECONN *conn;		/* NULL for a TAP peer */
	struct vhufe *fe;	/* a vhost-user front end, or NULL */
	int fd;			/* receives (the data socket, or the TAP
				 * peer's packet socket) */
	int txfd;		/* sends: @fd, or the TAP peer's other one */
	struct sockaddr_ll ll;	/* TAP peer: where frames go */
	int64_t drops0;		/* TAP peer: its drops before measuring */
	uint8_t mac[6];
};

static void mac_of(uint8_t mac[6], enum mac_role role, unsigned idx)
{
	mac[0] = 0x02;
	mac[1] = 0x50;
	mac[2] = 0x42;
	mac[3] = (uint8_t)role;
	mac[4] = (uint8_t)(idx >> 8);
	mac[5] = (uint8_t)idx;
}

static void frame_build(uint8_t *f, size_t len, const uint8_t *dst,
			const uint8_t *src, uint32_t kind, uint32_t idx)
{
	uint32_t magic = PB_MAGIC;

	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_TYPE_PB >> 8;
	f[13] = ETH_TYPE_PB & 0xff;
	memcpy(f + 14, &magic, 4);
	memcpy(f + 18, &kind, 4);
	memcpy(f + 22, &idx, 4);
}

static inline void frame_set_seq(uint8_t *f, uint64_t seq)
{
	memcpy(f + 26, &seq, 8);
}

/* Return the kind of a benchmark frame, 0 for anything else. */
static uint32_t frame_parse(const uint8_t *f, size_t len, uint32_t *idx,
			    uint64_t *seq)
{
	uint32_t magic, kind;

	if (len < PB_HDR || f[12] != ETH_TYPE_PB >> 8 ||
	    f[13] != (ETH_TYPE_PB & 0xff))
		return 0;
	memcpy(&magic, f + 14, 4);
	if (magic != PB_MAGIC)
		return 0;
	memcpy(&kind, f + 18, 4);
	memcpy(idx, f + 22, 4);
	memcpy(seq, f + 26, 8);
	return kind;
}

/* pipes */

static int msg_put(int fd, uint32_t type, uint32_t arg, const int64_t *v,
		   unsigned nv)
{
	struct cmsg m;
	ssize_t w;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.arg = arg;
	if (v)
		memcpy(m.v, v, nv * sizeof(v[0]));
	do
		w = write(fd, &m, sizeof(m));
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)sizeof(m) ? 0 : -1;
}

/* Wait up to @timeout_ms (-1: forever, 0: poll) for a message. */
static int msg_get(int fd, struct cmsg *m, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t r;
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0)
		return -errno;
	do
		r = read(fd, m, sizeof(*m));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(*m))
		return 0;
	return r == 0 ? -EPIPE : -EIO;
}

/**
 * child_send() - send a command to a client process
 * @c:		the client
 * @type:	MSG_*
 * @arg:	its argument
 *
 * Return: 0 or -1
 */
int child_send(struct child *c, uint32_t type, uint32_t arg)
{
	return msg_put(c->cmd, type, arg, NULL, 0);
}

/**
 * child_recv() - wait for a report from a client process
 * @c:		the client
 * @m:		the report
 * @timeout_ms:	how long at most
 *
 * Return: 0, -ETIMEDOUT, or another negative errno (-EPIPE: it died)
 */
int child_recv(struct child *c, struct cmsg *m, int timeout_ms)
{
	return msg_get(c->rep, m, timeout_ms);
}

/**
 * child_finish() - tell a client process to quit and reap it (SIGKILL if
 * it does not go within 3 s)
 * @c:		the client; its fds are closed
 */
void child_finish(struct child *c)
{
	if (c->pid <= 0)
		return;
	child_send(c, MSG_QUIT, 0);
	if (wait_pid_ms(c->pid, 3000, NULL)) {
		kill(c->pid, SIGKILL);
		wait_pid_ms(c->pid, 3000, NULL);
	}
	close(c->cmd);
	close(c->rep);
	c->pid = -1;
	c->cmd = c->rep = -1;
}

/* client side */

static int client_open(struct cctx *x)
{
	static char descr[] = "pbbench";
	char url[PATH_MAX];

	if (x->s->url) {
		x->fd = x->txfd = x->s->url_fd;
		return 0;
	}
	if (x->s->vhost) {
		char why[256];
		int rc = vhufe_open(&x->fe, x->s->vhost, 0, why, sizeof(why));

		if (rc) {
			fprintf(stderr, "pbbench: vhost-user front end: %s\n",
				why);
			errno = -rc;
			return -1;
		}
		x->fd = vhufe_rx_fd(x->fe);
		return 0;
	}
	if (x->s->tap_if) {
		memset(&x->ll, 0, sizeof(x->ll));
		x->ll.sll_family = AF_PACKET;
		x->ll.sll_protocol = htons(ETH_TYPE_PB);
		x->ll.sll_halen = ETH_ALEN;
		return tap_peer_open(x->s->tap_if, &x->fd, &x->txfd,
				     &x->ll.sll_ifindex);
	}
	snprintf(url, sizeof(url), "%s", x->s->dir);
	x->conn = vde_open(url, descr, NULL);
	if (!x->conn)
		return -1;
	x->fd = x->txfd = vde_datafd(x->conn);
	return 0;
}

/* One frame into the switch. */
static ssize_t csend(struct cctx *x, const void *f, size_t len)
{
	if (x->fe) {
		struct iovec iov = { (void *)(uintptr_t)f, len };
		struct mmsghdr m = { .msg_hdr = { .msg_iov = &iov,
						  .msg_iovlen = 1 } };

		return vhufe_send(x->fe, &m, 1) == 1 ? (ssize_t)len : -1;
	}
	if (!x->conn)
		return sendto(x->txfd, f, len, 0, (struct sockaddr *)&x->ll,
			      sizeof(x->ll));
	return vde_send(x->conn, f, len, 0);
}

/* A vhost-user front end: one frame, waiting up to @timeout_ms. */
static ssize_t fe_recv1(struct cctx *x, void *buf, size_t len,
			int timeout_ms)
{
	struct iovec iov = { buf, len };
	struct mmsghdr m = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };

	return vhufe_recv(x->fe, &m, 1, timeout_ms) == 1 ? (ssize_t)m.msg_len
							 : -1;
}

/* One frame from the switch. */
static ssize_t crecv(struct cctx *x, void *buf, size_t len)
{
	if (x->fe)
		return fe_recv1(x, buf, len, 1000);
	if (!x->conn)
		return recv(x->fd, buf, len, 0);
	return vde_recv(x->conn, buf, len, 0);
}

/* TAP peer: what its side dropped since measuring began (0 otherwise). */
static int64_t peer_drops(struct cctx *x)
{
	if (!x->s->tap_if)
		return 0;
	return tap_peer_drops(x->fd, x->s->tap_if) - x->drops0;
}

/* A vhost-user front end: its kicks (high 32 bits) and sleeps (low) so
 * far, for differences over a run; 0 otherwise. */
static int64_t fe_counts(struct cctx *x)
{
	uint64_t kicks, sleeps;

	if (!x->fe)
		return 0;
	vhufe_counts(x->fe, &kicks, &sleeps);
	return (int64_t)((kicks & 0xffffffffu) << 32 | (sleeps & 0xffffffffu));
}

static void set_rcvtimeo(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void wait_quit(struct cctx *x)
{
	struct cmsg m;

	while (msg_get(x->cmd, &m, -1) == 0 && m.type != MSG_QUIT)
		;
}

static int send_announce(struct cctx *x, uint32_t idx)
{
	uint8_t f[64];

	frame_build(f, sizeof(f), mac_bcast, x->mac, FK_ANNOUNCE, idx);
	return csend(x, f, sizeof(f)) == (ssize_t)sizeof(f) ? 0 : -1;
}

/*
 * Before measuring: report each announce seen on the data socket, until
 * the parent says go (0) or quit (-1).
 */
static int collect_announces(struct cctx *x)
{
	uint8_t buf[RXBUF];

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = x->cmd, .events = POLLIN },
			{ .fd = x->fd, .events = POLLIN },
		};
		struct cmsg m;
		bool waiting = x->fe && vhufe_rx_arm(x->fe);

		if (poll(pfd, 2, waiting ? 0 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((pfd[1].revents & POLLIN) || waiting) {
			ssize_t r = x->fe ? fe_recv1(x, buf, sizeof(buf), 0) :
				x->s->url ?
				url_recv(x->s->url, x->fd, buf, sizeof(buf)) :
				recv(x->fd, buf, sizeof(buf), MSG_DONTWAIT);
			uint32_t idx;
			uint64_t seq;

			if (r > 0 && frame_parse(buf, (size_t)r, &idx, &seq) ==
			    FK_ANNOUNCE)
				msg_put(x->rep, MSG_SEEN, idx, NULL, 0);
		}
		if (pfd[0].revents) {
			if (msg_get(x->cmd, &m, 0))
				return -1;
			if (m.type == MSG_GO)
				return 0;
			if (m.type == MSG_QUIT)
				return -1;
		}
	}
}

/* CPU time used by the calling process so far, in ns. */
static long long self_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		1000000000LL + ((long long)ru.ru_utime.tv_usec +
				ru.ru_stime.tv_usec) * 1000LL;
}

/* tx */

struct txstate {
	struct cctx *x;
	uint8_t (*bufs)[PB_MAXFRAME];
	struct mmsghdr msgs[PB_MAXWIN];
	struct iovec iov[PB_MAXWIN];
	uint64_t acked[PB_MAXRX];
	uint64_t minack;
	uint64_t seq;
	int wake_ep;		/* shared acks: epoll of acks->wake_fd */
};

/* Send up to @n frames; return how many went, or -1. */
static int tx_send(struct txstate *t, unsigned n)
{
	const struct client_spec *s = t->x->s;
	unsigned i;
	int rc;

	if (!s->batch) {
		frame_set_seq(t->bufs[0], t->seq);
		if (csend(t->x, t->bufs[0], s->size) != (ssize_t)s->size)
			return errno == EINTR ? 0 : -1;
		t->seq++;
		return 1;
	}
	for (i = 0; i < n; i++)
		frame_set_seq(t->bufs[i], t->seq + i);
	do
		rc = t->x->fe ? vhufe_send(t->x->fe, t->msgs, n) :
			s->url ? url_send(s->url, t->x->txfd, t->msgs, n) :
			sendmmsg(t->x->txfd, t->msgs, n, 0);
	while (rc < 0 && errno == EINTR);
	if (rc > 0)
		t->seq += (unsigned)rc;
	return rc;
}

/* Read whatever acknowledgements @i has sent; -1 if its pipe broke. */
static int tx_read_acks(struct txstate *t, unsigned i)
{
	uint64_t v[512];

	if (t->x->s->acks) {
		t->acked[i] = __atomic_load_n(&t->x->s->acks->count[i],
					      __ATOMIC_ACQUIRE);
		return 0;
	}
	for (;;) {
		ssize_t r = read(t->x->s->ack_r[i], v, sizeof(v));

		if (r >= (ssize_t)sizeof(v[0])) {
			t->acked[i] = v[(size_t)r / sizeof(v[0]) - 1];
			if (r < (ssize_t)sizeof(v))
				return 0;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		return -1;
	}
}

/* Shared acknowledgements: ask every receiver for a wake-up (@on), or
 * take the request back. */
static void tx_set_wake(const struct client_spec *s, uint32_t on)
{
	unsigned i;

	for (i = 0; i < s->nrx; i++)
		__atomic_store_n(&s->acks->wake[i], on, __ATOMIC_RELAXED);
}

/*
 * Wait until the slowest receiver acknowledges more; -1 after a timeout.
 * Every pipe is drained each time, so no receiver ever blocks on a full
 * ack pipe. With shared acknowledgements the sender says it sleeps (a
 * wake flag per receiver) and looks once more before it does: a receiver
 * that stores its count then sees its flag, clears it and writes
 * acks->wake_fd (the store, a full fence, the load on both sides: one of
 * them sees the other). The sender sleeps on that eventfd edge-triggered
 * and never reads it; after a wake-up it sets the flags again before it
 * sleeps again (the receiver that woke it cleared its own).
 */
static int tx_wait_ack(struct txstate *t)
{
	const struct client_spec *s = t->x->s;
	uint64_t before = t->minack;
	bool armed = false;
	unsigned i, j;
	int rc = -1;

	for (;;) {
		struct pollfd pfd;

		j = 0;
		for (i = 0; i < s->nrx; i++) {
			if (tx_read_acks(t, i))
				goto out;
			if (t->acked[i] < t->acked[j])
				j = i;
		}
		t->minack = t->acked[j];
		if (t->minack != before) {
			rc = 0;
			goto out;
		}
		if (s->acks) {
			struct epoll_event ev;
			int n;

			if (!armed) {
				tx_set_wake(s, 1);
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				armed = true;
				continue;
			}
			n = epoll_wait(t->wake_ep, &ev, 1, ACK_TIMEOUT_MS);
			if (n == 0 || (n < 0 && errno != EINTR))
				goto out;
			armed = false;
			continue;
		}
		pfd.fd = s->ack_r[j];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, ACK_TIMEOUT_MS) == 0)
			goto out;
	}
out:
	if (armed)
		tx_set_wake(s, 0);
	return rc;
}

static int tx_measure(struct cctx *x)
{
	const struct client_spec *s = x->s;
	uint64_t K = bcfg.ackevery, W = s->window ? s->window : bcfg.window;
	uint64_t limit, sent = 0;
	uint8_t dst[6];
	struct txstate *t;
	long long t0, deadline, tlast;
	int stalled = 0, err = 0;
	long long cpu0;
	int64_t fe0;
	int64_t v[8];
	unsigned i, nbuf;

	t = calloc(1, sizeof(*t));
	nbuf = s->batch ? PB_MAXWIN : 1;
	if (t)
		t->bufs = calloc(nbuf, sizeof(*t->bufs));
	if (!t || !t->bufs)
		return -1;
	t->x = x;
	t->wake_ep = -1;
	if (s->acks) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET };

		t->wake_ep = epoll_create1(EPOLL_CLOEXEC);
		if (t->wake_ep < 0 || epoll_ctl(t->wake_ep, EPOLL_CTL_ADD,
						s->acks->wake_fd, &ev))
			return -1;
	}
	if (s->bcast)
		memcpy(dst, mac_bcast, 6);
	else
		mac_of(dst, MR_RX, 0);
	for (i = 0; i < nbuf; i++) {
		frame_build(t->bufs[i], s->size, dst, x->mac, FK_DATA, 0);
		t->iov[i].iov_base = t->bufs[i];
		t->iov[i].iov_len = s->size;
		t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
		t->msgs[i].msg_hdr.msg_iovlen = 1;
		if (s->tap_if) {
			t->msgs[i].msg_hdr.msg_name = &x->ll;
			t->msgs[i].msg_hdr.msg_namelen = sizeof(x->ll);
		}
	}
	for (i = 0; i < s->nrx && !s->burst; i++)
		fcntl(s->ack_r[i], F_SETFL,
		      fcntl(s->ack_r[i], F_GETFL) | O_NONBLOCK);

	if (collect_announces(x))
		return -1;

	x->drops0 = peer_drops(x);
	fe0 = fe_counts(x);
	cpu0 = self_cpu_ns();
	t0 = now_ns();
	tlast = t0;
	if (s->burst) {
		while (sent < s->count) {
			uint64_t n = s->count - sent;
			int rc = tx_send(t, (unsigned)(n < PB_MAXWIN ? n :
							PB_MAXWIN));

			if (rc < 0)
				break;
			sent += (unsigned)rc;
		}
		tlast = now_ns();
	} else {
		deadline = t0 + s->dur_ns;
		limit = s->dur_ns ? UINT64_MAX : (s->count + K - 1) / K * K;
		while (sent < limit || t->minack < sent) {
			uint64_t room = 0;

			if (limit == UINT64_MAX && now_ns() >= deadline) {
				limit = (sent + K - 1) / K * K;
				if (sent == limit && t->minack == sent)
					break;
			}
			if (sent - t->minack < W)
				room = W - (sent - t->minack);
			if (room > limit - sent)
				room = limit - sent;
			if (room) {
				int rc = tx_send(t, (unsigned)room);

				if (rc < 0) {
					stalled = 2;	/* send failed */
					err = errno;
					break;
				}
				sent += (unsigned)rc;
				continue;
			}
			if (tx_wait_ack(t)) {
				stalled = 1;	/* no acknowledgement */
				err = errno;
				break;
			}
			tlast = now_ns();
		}
	}
	v[0] = (int64_t)sent;
	v[1] = tlast - t0;
	v[2] = stalled;
	v[3] = (int64_t)t->minack;
	v[4] = err;
	v[5] = self_cpu_ns() - cpu0;
	v[6] = peer_drops(x);
	v[7] = fe_counts(x) - fe0;
	msg_put(x->rep, MSG_RESULT, 0, v, 8);
	if (t->wake_ep >= 0)
		close(t->wake_ep);
	free(t->bufs);
	free(t);
	return 0;
}

/* rx */

static int rx_check_cmd(struct cctx *x, bool *stop)
{
	struct cmsg m;

	while (msg_get(x->cmd, &m, 0) == 0) {
		if (m.type == MSG_ANNOUNCE)
			send_announce(x, x->s->idx);
		else if (m.type == MSG_STOP || m.type == MSG_QUIT)
			*stop = true;
	}
	return 0;
}

static int rx_measure(struct cctx *x)
{
	const struct client_spec *s = x->s;
	uint64_t K = bcfg.ackevery;
	uint64_t count = 0, lastack = 0, expect = 0, gaps = 0, other = 0;
	struct timespec slow = { 0, (long)s->slow_ns };
	uint8_t (*bufs)[RXBUF];
	struct mmsghdr msgs[RXBATCH];
	struct iovec iov[RXBATCH];
	bool stop = false;
	long long cpu0;
	int64_t fe0;
	int64_t v[8];
	unsigned i, nb = s->batch ? RXBATCH : 1;
	struct cmsg m;

	bufs = calloc(nb, sizeof(*bufs));
	if (!bufs)
		return -1;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < nb; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = RXBUF;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (s->slow_ns)
		prctl(PR_SET_TIMERSLACK, 1UL);

	/* first announce as soon as the parent says, then measure */
	do {
		if (msg_get(x->cmd, &m, -1) || m.type == MSG_QUIT)
			return -1;
	} while (m.type != MSG_ANNOUNCE);
	send_announce(x, s->idx);
	if (!x->fe)
		set_rcvtimeo(x->fd, s->slow_ns ? 200 : 20);
	x->drops0 = peer_drops(x);
	fe0 = fe_counts(x);
	cpu0 = self_cpu_ns();

	while (!stop) {
		int n;

		if (x->fe) {
			n = vhufe_recv(x->fe, msgs, nb, 20);
		} else if (s->batch) {
			n = recvmmsg(x->fd, msgs, nb, MSG_WAITFORONE, NULL);
		} else {
			ssize_t r = crecv(x, bufs[0], RXBUF);

			n = r < 0 ? -1 : 1;
			msgs[0].msg_len = r < 0 ? 0 : (unsigned)r;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				break;
			rx_check_cmd(x, &stop);
			continue;
		}
		for (i = 0; i < (unsigned)n; i++) {
			uint32_t idx;
			uint64_t seq;

			if (frame_parse(bufs[i], msgs[i].msg_len, &idx, &seq)
			    != FK_DATA) {
				other++;
				continue;
			}
			if (seq != expect)
				gaps++;
			expect = seq + 1;
			count++;
			if (s->slow_ns)
				nanosleep(&slow, NULL);
		}
		if (s->ack_w >= 0 && s->acks && count != lastack) {
			/* every batch, in memory; the pipe only wakes a
			 * sender that sleeps */
			__atomic_store_n(&s->acks->count[s->idx], count,
					 __ATOMIC_RELEASE);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&s->acks->wake[s->idx],
					    __ATOMIC_RELAXED) &&
			    __atomic_exchange_n(&s->acks->wake[s->idx], 0,
						__ATOMIC_RELAXED) &&
			    eventfd_write(s->acks->wake_fd, 1) < 0 &&
			    errno != EAGAIN)
				break;
			lastack = count;
		} else if (s->ack_w >= 0 && !s->acks &&
			   count / K != lastack / K) {
			if (write(s->ack_w, &count, sizeof(count)) !=
			    (ssize_t)sizeof(count))
				break;
			lastack = count;
		}
	}
	v[0] = (int64_t)count;
	v[1] = (int64_t)gaps;
	v[2] = (int64_t)other;
	v[3] = self_cpu_ns() - cpu0;
	v[6] = peer_drops(x);
	v[7] = fe_counts(x) - fe0;
	msg_put(x->rep, MSG_RESULT, 0, v, 8);
	free(bufs);
	return 0;
}

/* ping, pong */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int ping_measure(struct cctx *x)
{
	const struct client_spec *s = x->s;
	uint8_t f[64], buf[RXBUF], dst[6];
	long long *rtt, end;
	unsigned n = 0, lost = 0, i;
	int64_t v[6];

	rtt = malloc(RTT_MAX * sizeof(*rtt));
	if (!rtt)
		return -1;
	mac_of(dst, MR_PONG, 0);
	frame_build(f, sizeof(f), dst, x->mac, FK_PING, 0);
	if (collect_announces(x))
		return -1;
	set_rcvtimeo(x->fd, 1000);
	end = now_ns() + s->dur_ns;
	for (i = 0; n < RTT_MAX && lost < 10; i++) {
		long long t0, t1;
		bool got = false;

		if (i >= RTT_WARMUP && now_ns() >= end)
			break;
		frame_set_seq(f, i);
		t0 = now_ns();
		if (vde_send(x->conn, f, sizeof(f), 0) != (ssize_t)sizeof(f))
			break;
		for (;;) {
			ssize_t r = vde_recv(x->conn, buf, sizeof(buf), 0);
			uint32_t idx;
			uint64_t seq;

			if (r < 0)
				break;
			if (frame_parse(buf, (size_t)r, &idx, &seq) ==
			    FK_PONG && seq == i) {
				got = true;
				break;
			}
		}
		t1 = now_ns();
		if (!got) {
			lost++;
			continue;
		}
		if (i >= RTT_WARMUP)
			rtt[n++] = t1 - t0;
	}
	qsort(rtt, n, sizeof(*rtt), cmp_ll);
	v[0] = n ? rtt[0] : -1;
	v[1] = n ? rtt[n / 2] : -1;
	v[2] = n;
	v[3] = lost;
	msg_put(x->rep, MSG_RESULT, 0, v, 4);
	free(rtt);
	return 0;
}

static int pong_run(struct cctx *x)
{
	uint8_t buf[RXBUF];
	bool stop = false;
	struct cmsg m;

	do {
		if (msg_get(x->cmd, &m, -1) || m.type == MSG_QUIT)
			return -1;
	} while (m.type != MSG_ANNOUNCE);
	send_announce(x, 0);
	set_rcvtimeo(x->fd, 50);
	while (!stop) {
		ssize_t r = vde_recv(x->conn, buf, sizeof(buf), 0);
		uint32_t idx;
		uint64_t seq;

		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				break;
			rx_check_cmd(x, &stop);
			continue;
		}
		if (frame_parse(buf, (size_t)r, &idx, &seq) != FK_PING)
			continue;
		{
			uint32_t kind = FK_PONG;

			memcpy(buf, buf + 6, 6);
			memcpy(buf + 6, x->mac, 6);
			memcpy(buf + 18, &kind, 4);
		}
		vde_send(x->conn, buf, (size_t)r, 0);
	}
	return 0;
}

/* idle: open s->nidle connections, report how long it took, hold them */
static int idle_run(struct cctx *x)
{
	static char descr[] = "pbbench idle";
	const struct client_spec *s = x->s;
	char url[PATH_MAX];
	long long t0, t1;
	unsigned i;
	int64_t v[6];
	int err = 0;

	snprintf(url, sizeof(url), "%s", s->dir);
	t0 = now_ns();
	for (i = 0; i < s->nidle; i++) {
		if (!vde_open(url, descr, NULL)) {
			err = errno;
			break;
		}
	}
	t1 = now_ns();
	v[0] = t1 - t0;
	v[1] = i;
	v[2] = err;
	msg_put(x->rep, MSG_READY, 0, v, 3);
	wait_quit(x);
	return 0;
}

/*
 * console: a session on the switch's management socket. The switch ends
 * its banner and every reply with the prompt "\nvde$ "; a reply is lines,
 * the last one a status ("1000 Success", "1NNN error"), a table between
 * "0000 DATA END WITH '.'" and "." before it. Debug lines "3NNN category
 * text" come at any time, between replies too.
 */

static const char con_prompt[] = "\nvde$ ";

struct conbuf {
	int fd;
	size_t len;		/* bytes in @buf */
	uint64_t bytes;		/* read in all */
	uint64_t lines;		/* debug lines in all */
	char buf[CON_BUF + 1];
};

struct concats {
	unsigned n;
	char path[CON_MAXCAT][CON_CATLEN];
};

/*
 * Read until a prompt ends the reply at the front of @b. Return the
 * reply's length (up to and including the newline before the prompt), or
 * -1: timeout, hang-up, or a reply longer than the buffer.
 */
static ssize_t con_reply(struct conbuf *b)
{
	long long end = now_ns() + CON_TIMEOUT_MS * 1000000LL;

	for (;;) {
		struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
		long long left;
		const char *p;
		ssize_t r;

		b->buf[b->len] = '\0';
		p = strstr(b->buf, con_prompt);
		if (p)
			return p + 1 - b->buf;
		left = (end - now_ns()) / 1000000;
		if (b->len == CON_BUF || left <= 0 ||
		    poll(&pfd, 1, (int)left) <= 0)
			return -1;
		r = read(b->fd, b->buf + b->len, CON_BUF - b->len);
		if (r <= 0)
			return -1;
		b->len += (size_t)r;
		b->bytes += (uint64_t)r;
	}
}

/* Drop a reply of @n bytes and the prompt after it from @b. */
static void con_consume(struct conbuf *b, size_t n)
{
	n += sizeof(con_prompt) - 2;	/* "vde$ ": no NUL, newline counted */
	memmove(b->buf, b->buf + n, b->len - n);
	b->len -= n;
}

/* Is @l a line "NNNN ..." (or "NNNN") with a code starting with @c? */
static bool con_code(const char *l, char c)
{
	return l[0] == c && isdigit((unsigned char)l[1]) &&
		isdigit((unsigned char)l[2]) && isdigit((unsigned char)l[3]) &&
		(l[4] == ' ' || l[4] == '\0');
}

/*
 * Send @cmd (with its newline) and read the reply. With @list, the first
 * word of each row of the table after the "------------" header line is
 * collected (debug/list). Debug lines in between are counted and skipped.
 *
 * Return: 0 if the status is 1000, 1 for another status, -1 if the
 * session failed
 */
static int con_cmd(struct conbuf *b, const char *cmd, struct concats *list)
{
	size_t len = strlen(cmd);
	bool table = false;
	int status = 1;
	char *l, *nl;
	ssize_t n;

	if (write(b->fd, cmd, len) != (ssize_t)len)
		return -1;
	n = con_reply(b);
	if (n < 0)
		return -1;
	for (l = b->buf; l < b->buf + n; l = nl + 1) {
		size_t w;

		nl = memchr(l, '\n', (size_t)(b->buf + n - l));
		*nl = '\0';
		if (con_code(l, '3')) {
			b->lines++;
		} else if (table && !strcmp(l, ".")) {
			table = false;
		} else if (table) {
			w = strcspn(l, " \t");
			if (list && w && w < CON_CATLEN &&
			    list->n < CON_MAXCAT) {
				memcpy(list->path[list->n], l, w);
				list->path[list->n++][w] = '\0';
			}
		} else if (!strncmp(l, "------------", 12)) {
			table = true;
		} else if (con_code(l, '1')) {
			status = strncmp(l, "1000", 4) ? 1 : 0;
		}
	}
	con_consume(b, (size_t)n);
	return status;
}

/* Connect, subscribe to every category; report READY (listed, added). */
static int con_subscribe(struct cctx *x, struct conbuf *b)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct concats *cats;
	char cmd[CON_CATLEN + 16];
	unsigned i, added = 0;
	int64_t v[6];
	ssize_t n;
	int err = EPROTO;

	cats = calloc(1, sizeof(*cats));
	if (!cats)
		return -ENOMEM;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", x->s->mgmt);
	b->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (b->fd < 0 || connect(b->fd, (struct sockaddr *)&sun,
				 sizeof(sun))) {
		err = errno;
		goto fail;
	}
	n = con_reply(b);		/* the banner */
	if (n < 0)
		goto fail;
	con_consume(b, (size_t)n);
	if (con_cmd(b, "debug/list\n", cats) || !cats->n)
		goto fail;
	for (i = 0; i < cats->n; i++) {
		int rc;

		snprintf(cmd, sizeof(cmd), "debug/add %s\n", cats->path[i]);
		rc = con_cmd(b, cmd, NULL);
		if (rc < 0)
			goto fail;
		if (rc == 0)
			added++;
	}
	v[0] = cats->n;
	v[1] = added;
	free(cats);
	return msg_put(x->rep, MSG_READY, 0, v, 2) ? -EPIPE : 0;
fail:
	free(cats);
	return -err;
}

/*
 * console: subscribe, then read and discard until MSG_QUIT; MSG_STOP
 * reports bytes read, debug lines, and whether the switch hung up.
 */
static int console_run(struct cctx *x)
{
	struct conbuf *b;
	bool hup = false;
	ssize_t i;
	int rc;

	b = calloc(1, sizeof(*b));
	if (!b) {
		msg_put(x->rep, MSG_FAIL, ENOMEM, NULL, 0);
		return 1;
	}
	b->fd = -1;
	rc = con_subscribe(x, b);
	if (rc) {
		msg_put(x->rep, MSG_FAIL, (uint32_t)-rc, NULL, 0);
		goto out;
	}
	/* what followed the last reply is debug lines */
	for (i = 0; i < (ssize_t)b->len; i++)
		b->lines += b->buf[i] == '\n';
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = x->cmd, .events = POLLIN },
			{ .fd = hup ? -1 : b->fd, .events = POLLIN },
		};
		struct cmsg m;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (pfd[1].revents) {
			ssize_t r = read(b->fd, b->buf, CON_BUF);

			if (r > 0) {
				b->bytes += (uint64_t)r;
				for (i = 0; i < r; i++)
					b->lines += b->buf[i] == '\n';
			} else if (r == 0 || errno != EINTR) {
				hup = true;
			}
		}
		if (pfd[0].revents) {
			int64_t v[6];

			if (msg_get(x->cmd, &m, 0) || m.type == MSG_QUIT)
				break;
			if (m.type != MSG_STOP)
				continue;
			v[0] = (int64_t)b->bytes;
			v[1] = (int64_t)b->lines;
			v[2] = hup;
			msg_put(x->rep, MSG_RESULT, 0, v, 3);
		}
	}
out:
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	return rc ? 1 : 0;
}

static int client_main(struct cctx *x)
{
	const struct client_spec *s = x->s;
	enum mac_role mr = MR_TX;
	int rc;

	if (s->role == ROLE_IDLE)
		return idle_run(x);
	if (s->role == ROLE_CONSOLE)
		return console_run(x);
	if (client_open(x)) {
		msg_put(x->rep, MSG_FAIL, (uint32_t)errno, NULL, 0);
		return 1;
	}
	if (s->role == ROLE_RX)
		mr = MR_RX;
	else if (s->role == ROLE_PING)
		mr = MR_PING;
	else if (s->role == ROLE_PONG)
		mr = MR_PONG;
	mac_of(x->mac, mr, s->role == ROLE_RX ? s->idx : 0);
	msg_put(x->rep, MSG_READY, 0, NULL, 0);

	switch (s->role) {
	case ROLE_TX:
		rc = tx_measure(x);
		break;
	case ROLE_RX:
		rc = rx_measure(x);
		break;
	case ROLE_PING:
		rc = ping_measure(x);
		break;
	case ROLE_PONG:
		rc = pong_run(x);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc == 0 && s->role != ROLE_RX && s->role != ROLE_PONG)
		wait_quit(x);
	if (x->conn) {
		vde_close(x->conn);
	} else if (x->fe) {
		vhufe_close(x->fe);
	} else {
		close(x->fd);
		if (x->txfd != x->fd)
			close(x->txfd);
	}
	return rc ? 1 : 0;
}

/**
 * child_start() - fork a client process
 * @c:		filled in: pid and the two pipes
 * @s:		what it does; fds named in @s are inherited
 *
 * The child dies with the parent (PR_SET_PDEATHSIG), so nothing is left
 * behind if the benchmark is killed.
 *
 * Return: 0, or -1
 */
int child_start(struct child *c, const struct client_spec *s)
{
	int cmdp[2], repp[2];
	pid_t parent = getpid();
	pid_t pid;

	c->pid = -1;
	c->cmd = c->rep = -1;
	if (pipe2(cmdp, O_CLOEXEC))
		return -1;
	if (pipe2(repp, O_CLOEXEC)) {
		close(cmdp[0]);
		close(cmdp[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(cmdp[0]);
		close(cmdp[1]);
		close(repp[0]);
		close(repp[1]);
		return -1;
	}
	if (pid == 0) {
		struct cctx x = { .s = s, .cmd = cmdp[0], .rep = repp[1],
				  .fd = -1, .txfd = -1 };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		pin_cpu(0, s->cpu);
		close(cmdp[1]);
		close(repp[0]);
		if (s->netns > 0 && setns(s->netns, CLONE_NEWNET)) {
			msg_put(x.rep, MSG_FAIL, (uint32_t)errno, NULL, 0);
			_exit(1);
		}
		_exit(client_main(&x));
	}
	close(cmdp[0]);
	close(repp[1]);
	c->pid = pid;
	c->cmd = cmdp[1];
	c->rep = repp[0];
	reg_pid(pid, SIGKILL);
	return 0;
}
