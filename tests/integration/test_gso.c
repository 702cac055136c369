/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_gso.c - switch/gso.c against what a real Linux kernel produces.
 *
 * In a network namespace of its own the test opens a TAP with
 * IFF_VNET_HDR and TUNSETOFFLOAD(CSUM, TSO4, TSO6, TSO_ECN), gives it
 * 198.18.0.1/24 and 2001:db8::1/64 and a permanent neighbour entry for a
 * peer that does not exist, and connects a TCP socket to that peer. The
 * test itself plays the peer on the TAP: it answers the SYN, acknowledges
 * what arrives and, once, signals congestion (ECE) so that the kernel sets
 * CWR. The kernel writes TSO super-frames (gso_type TCPV4/TCPV6, partial
 * checksum) and NEEDS_CSUM frames into the TAP; every one goes through
 * gso_segment() or gso_csum_complete(), and every resulting frame is
 * checked with an independent checksum routine (tests/refcsum.h): IPv4
 * header checksum, TCP checksum, contiguous sequence numbers, the FIN,
 * PSH and CWR placement, segment sizes within the 1500-byte MTU, and the
 * bytes themselves against what the socket sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "refcsum.h"

#include "gso.h"
#include "vnethdr.h"

#define TAPNAME "pbgso0"
#define MTU_FRAME 1514		/* the TAP's MTU 1500 plus Ethernet */
#define PEER_PORT 5201
#define TOTAL (4u << 20)	/* bytes the socket sends */
#define WSCALE 7		/* the peer's window: 65535 << 7 */

static const uint8_t kmac[6] = { 0x52, 0x54, 0x00, 0x9b, 0x00, 0x01 };
static const uint8_t pmac[6] = { 0x52, 0x54, 0x00, 0x9b, 0x00, 0x02 };

/* The test's side of the connection, and what it has seen. */
struct peer {
	int tap;
	int v6;
	uint8_t kaddr[16], paddr[16];	/* kernel's and peer's address */
	uint16_t kport;
	uint32_t isn;		/* the peer's */
	uint32_t kisn;		/* the kernel's */
	int syn;		/* the kernel's SYN seen */
	uint32_t tsval;		/* last timestamp from the kernel */
	const uint8_t *data;	/* what the socket sends */
	size_t rcvd;		/* bytes received in order */
	int fin;		/* the kernel's FIN received in order */
	int ece;		/* 1: sending ECE until CWR, 2: done */
	unsigned cur_n;		/* segments of the frame being cut */
	/* counters */
	unsigned frames, gso_frames, gso_ecn, csum_frames, segs, max_segs;
	unsigned cwr, dup;
	size_t max_gso_len;
	uint8_t seg[MTU_FRAME];
};

static uint8_t rxbuf[VNET_HDR_LEN + 70000];

static void peer_init(struct peer *p, int v6)
{
	memset(p, 0, sizeof(*p));
	p->v6 = v6;
	p->isn = 0x7f000000;
	if (v6) {
		cr_assert_eq(inet_pton(AF_INET6, "2001:db8::1", p->kaddr), 1);
		cr_assert_eq(inet_pton(AF_INET6, "2001:db8::2", p->paddr), 1);
	} else {
		cr_assert_eq(inet_pton(AF_INET, "198.18.0.1", p->kaddr), 1);
		cr_assert_eq(inet_pton(AF_INET, "198.18.0.2", p->paddr), 1);
	}
}

/* A TAP named @name in the current namespace: with @offloads, a 12-byte
 * virtio-net header on every frame and CSUM, TSO4, TSO6 and TSO_ECN; else
 * plain frames, so the kernel segments and checksums everything itself. */
static int tap_open(const char *name, int offloads)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd, sz = VNET_HDR_LEN;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	cr_assert(fd >= 0, "/dev/net/tun: %s", strerror(errno));
	if (offloads)
		ifr.ifr_flags |= IFF_VNET_HDR;
	strcpy(ifr.ifr_name, name);
	cr_assert_eq(ioctl(fd, TUNSETIFF, &ifr), 0, /* netns */
		     "TUNSETIFF: %s", strerror(errno));
	if (offloads) {
		cr_assert_eq(ioctl(fd, TUNSETVNETHDRSZ, &sz), 0);
		cr_assert_eq(ioctl(fd, TUNSETOFFLOAD,
				   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
					   TUN_F_TSO_ECN), 0,
			     "TUNSETOFFLOAD: %s", strerror(errno));
	}
	return fd;
}

/* Bring up @name (in the current namespace, which the test created) with
 * @mac, 198.18.0.@me/24, 2001:db8::@me/64 and a permanent neighbour entry
 * for host @peer at @peermac; ECN on for TCP. */
static void tap_config(const char *name, const char *mac, int me, int peer,
		       const char *peermac)
{
	cr_assert_eq(run_cmd("sysctl -qw net.ipv4.tcp_ecn=1"), 0); /* netns */
	cr_assert_eq(run_cmd("ip link set %s address %s mtu 1500 up", name,
			     mac), 0); /* netns */
	cr_assert_eq(run_cmd("ip addr add 198.18.0.%d/24 dev %s", me, name),
		     0); /* netns */
	cr_assert_eq(run_cmd("ip -6 addr add 2001:db8::%d/64 dev %s nodad",
			     me, name), 0); /* netns */
	cr_assert_eq(run_cmd("ip neigh add 198.18.0.%d lladdr %s dev %s",
			     peer, peermac, name), 0); /* netns */
	cr_assert_eq(run_cmd("ip -6 neigh add 2001:db8::%d lladdr %s dev %s",
			     peer, peermac, name), 0); /* netns */
}

#define KMAC "52:54:00:9b:00:01"
#define PMAC "52:54:00:9b:00:02"

/* The TAP with offloads in a namespace of the test's own, the peer at
 * host 2 behind it. */
static int tap_setup(void)
{
	int fd;

	pb_enter_netns();
	fd = tap_open(TAPNAME, 1);
	tap_config(TAPNAME, KMAC, 1, 2, PMAC);
	return fd;
}

/* Send the kernel a TCP segment from the peer, no payload, with a
 * virtio-net header of flags 0: checksums complete, built here. */
static void peer_send(struct peer *p, uint8_t flags)
{
	uint8_t f[14 + 40 + 40], vh[VNET_HDR_LEN] = { 0 };
	unsigned l3 = 14, l4, optlen = 12, o = 0;
	uint8_t *ip, *th;
	struct iovec iov[2];
	size_t len;

	memcpy(f, kmac, 6);
	memcpy(f + 6, pmac, 6);
	set16(f + 12, p->v6 ? 0x86dd : 0x0800);
	ip = f + l3;
	l4 = l3 + (p->v6 ? 40 : 20);
	th = f + l4;
	if (flags & 0x02)
		optlen = 20;	/* MSS, window scale, timestamps */
	memset(th, 0, 20 + optlen);
	if (flags & 0x02) {
		th[20] = 2;
		th[21] = 4;
		set16(th + 22, p->v6 ? 1440 : 1460);
		th[24] = 1;
		th[25] = 3;
		th[26] = 3;
		th[27] = WSCALE;
		o = 8;
	}
	th[20 + o] = 1;
	th[21 + o] = 1;
	th[22 + o] = 8;
	th[23 + o] = 10;
	set32(th + 24 + o, (uint32_t)time(NULL));
	set32(th + 28 + o, p->tsval);
	set16(th, PEER_PORT);
	set16(th + 2, p->kport);
	set32(th + 4, p->isn + !(flags & 0x02));
	set32(th + 8, p->kisn + 1 + (uint32_t)p->rcvd + (p->fin ? 1 : 0));
	th[12] = (uint8_t)((20 + optlen) / 4 << 4);
	th[13] = flags;
	set16(th + 14, 0xffff);
	len = l4 + 20 + optlen;
	if (p->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		set16(ip + 4, 20 + optlen);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, p->paddr, 16);
		memcpy(ip + 24, p->kaddr, 16);
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		set16(ip + 2, 40 + optlen);
		set16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, p->paddr, 4);
		memcpy(ip + 16, p->kaddr, 4);
		set16(ip + 10, (uint16_t)~ref_fold(ref_sum(ip, 20, 0)));
	}
	set16(th + 16, (uint16_t)~ref_fold(ref_sum(
			       th, 20 + optlen,
			       ref_pseudo(ip, p->v6, 6, 20 + optlen))));
	iov[0].iov_base = vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = f;
	iov[1].iov_len = len;
	cr_assert_eq(writev(p->tap, iov, 2), (ssize_t)(sizeof(vh) + len),
		     "writev to the TAP: %s", strerror(errno));
}

/* The timestamp value in the TCP options at @th (@doff bytes), or keep
 * the last one. */
static void peer_tsval(struct peer *p, const uint8_t *th, unsigned doff)
{
	unsigned i = 20;

	while (i < doff) {
		if (th[i] == 0)
			return;
		if (th[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= doff || th[i + 1] < 2 || i + th[i + 1] > doff)
			return;
		if (th[i] == 8 && th[i + 1] == 10)
			p->tsval = get32(th + i + 2);
		i += th[i + 1];
	}
}

/*
 * One ordinary frame from the kernel, as it would leave on a port without
 * offloads (a segment @idx of @n, or a whole frame with @n 1): checked and
 * taken into the stream. Frames of other flows (IPv6 router solicitations,
 * MLD) are ignored.
 */
static void peer_frame(struct peer *p, const uint8_t *f, size_t len,
		       unsigned idx, unsigned n)
{
	unsigned l4, doff, plen, iplen;
	const uint8_t *ip, *th;
	uint32_t off;
	uint8_t fl;

	cr_assert_leq(len, MTU_FRAME, "a %zu-byte frame", len);
	if (len < 14 || get16(f + 12) != (p->v6 ? 0x86dd : 0x0800))
		return;
	ip = f + 14;
	if (p->v6) {
		if (len < 54 || ip[6] != 6)
			return;
		iplen = 40 + get16(ip + 4);
		l4 = 54;
	} else {
		if (len < 34 || ip[9] != 6)
			return;
		cr_assert_eq(ref_fold(ref_sum(ip, (ip[0] & 15u) * 4, 0)),
			     0xffff, "IPv4 header checksum");
		iplen = get16(ip + 2);
		l4 = 14 + (ip[0] & 15u) * 4;
	}
	cr_assert(iplen + 14 == len || (len == 60 && iplen + 14 < len),
		  "IP length %u in a %zu-byte frame", iplen, len);
	th = f + l4;
	if (get16(th + 2) != PEER_PORT)
		return;
	doff = (th[12] >> 4) * 4u;
	cr_assert(l4 + doff <= 14 + iplen);
	cr_assert(l4_ok(ip, p->v6, th, 14 + iplen - l4, 6),
		  "TCP checksum, segment %u of %u", idx, n);
	fl = th[13];
	if (idx + 1 < n)
		cr_assert_eq(fl & 0x09, 0, "FIN/PSH on segment %u of %u",
			     idx, n);
	if (idx > 0)
		cr_assert_eq(fl & 0x80, 0, "CWR on segment %u of %u", idx, n);
	peer_tsval(p, th, doff);
	if (fl & 0x02) {	/* the SYN */
		p->kport = get16(th);
		p->kisn = get32(th + 4);
		p->syn = 1;
		return;
	}
	if (!p->syn || get16(th) != p->kport)
		return;
	if (fl & 0x80) {
		p->cwr++;
		if (p->ece == 1)
			p->ece = 2;
	}
	plen = 14 + iplen - l4 - doff;
	off = get32(th + 4) - (p->kisn + 1);
	if (off > p->rcvd) {
		p->dup++;	/* a gap: wait for the retransmission */
		return;
	}
	cr_assert_leq((size_t)off + plen, TOTAL, "data past the end");
	cr_assert_arr_eq(th + doff, p->data + off, plen,
			 "payload at stream offset %u", off);
	if (off + plen > p->rcvd)
		p->rcvd = off + plen;
	else if (plen)
		p->dup++;
	if ((fl & 0x01) && off + plen == p->rcvd)
		p->fin = 1;
}

static int peer_emit(void *arg, const struct iovec *iov, unsigned iovcnt,
		     unsigned index)
{
	struct peer *p = arg;
	size_t len = 0;
	unsigned i;

	for (i = 0; i < iovcnt; i++) {
		cr_assert_leq(len + iov[i].iov_len, sizeof(p->seg));
		memcpy(p->seg + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	p->segs++;
	peer_frame(p, p->seg, len, index, p->cur_n);
	return 0;
}

/* Read what the kernel wrote into the TAP, @ms at most for the first
 * frame; acknowledge. Return: frames read. */
static unsigned peer_pump(struct peer *p, int ms)
{
	struct pollfd pfd = { .fd = p->tap, .events = POLLIN };
	unsigned got = 0;
	size_t before = p->rcvd;
	int before_fin = p->fin;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	for (;;) {
		ssize_t r = read(p->tap, rxbuf, sizeof(rxbuf));
		struct vnet_hdr h;
		struct gso_info gi;
		uint8_t *f = rxbuf + VNET_HDR_LEN;
		size_t len;
		int rc;

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		cr_assert_geq(r, VNET_HDR_LEN, "read from the TAP: %s",
			      r < 0 ? strerror(errno) : "short");
		got++;
		p->frames++;
		len = (size_t)r - VNET_HDR_LEN;
		vnet_hdr_decode(rxbuf, &h);
		if (h.gso_type != VNET_HDR_GSO_NONE) {
			cr_assert_eq(gso_parse(f, len, &h, &gi), 0,
				     "a kernel GSO frame refused");
			cr_assert_eq(gi.l4 + 20 <= gi.hdrlen, 1);
			p->gso_frames++;
			p->gso_ecn += !!(h.gso_type & VNET_HDR_GSO_ECN);
			p->cur_n = gi.nsegs;
			if (gi.nsegs > p->max_segs)
				p->max_segs = gi.nsegs;
			if (len > p->max_gso_len)
				p->max_gso_len = len;
			rc = gso_segment(f, len, &h, MTU_FRAME, peer_emit, p);
			cr_assert_eq(rc, (int)gi.nsegs, "gso_segment: %d", rc);
			continue;
		}
		if (h.flags & VNET_HDR_F_NEEDS_CSUM) {
			cr_assert_eq(gso_csum_complete(f, len, &h), 0);
			p->csum_frames++;
		}
		peer_frame(p, f, len, 0, 1);
	}
	if (p->syn && (p->rcvd != before || p->fin != before_fin ||
		       p->ece == 1))
		peer_send(p, (uint8_t)(0x10 | (p->ece == 1 ? 0x40 : 0)));
	return got;
}

static void sa_make(struct sockaddr_storage *ss, socklen_t *sl, int v6,
		    const char *addr)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(PEER_PORT);
		cr_assert_eq(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(PEER_PORT);
		cr_assert_eq(inet_pton(AF_INET, addr, &a->sin_addr), 1);
		*sl = sizeof(*a);
	}
}

/* Write what the socket @s takes of @data from *@sent on (not yet
 * connected counts as "takes nothing"); once all is written, shut the
 * sending side: the FIN. */
static void send_some(int s, const uint8_t *data, size_t *sent)
{
	while (*sent < TOTAL) {
		ssize_t w = send(s, data + *sent, TOTAL - *sent, MSG_NOSIGNAL);

		if (w < 0) {
			cr_assert(errno == EAGAIN || errno == ENOTCONN ||
					  errno == EINTR,
				  "send: %s", strerror(errno));
			return;
		}
		*sent += (size_t)w;
		if (*sent == TOTAL)
			cr_assert_eq(shutdown(s, SHUT_WR), 0);
	}
}

static void stream_through_tap(int v6)
{
	struct peer *p = calloc(1, sizeof(*p));
	uint8_t *data = malloc(TOTAL);
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t sent = 0, i;
	struct timespec t0, t1;
	int s, err = 0;
	double secs;

	cr_assert(p && data);
	for (i = 0; i < TOTAL; i++)
		data[i] = (uint8_t)(i * 31 + (i >> 12));
	peer_init(p, v6);
	p->data = data;
	p->tap = tap_setup();
	clock_gettime(CLOCK_MONOTONIC, &t0);

	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	sa_make(&ss, &sl, v6, v6 ? "2001:db8::2" : "198.18.0.2");
	cr_assert(connect(s, (struct sockaddr *)&ss, sl) == 0 ||
		  errno == EINPROGRESS, "connect: %s", strerror(errno));

	/* the handshake: the kernel's SYN, the peer's SYN-ACK (ECN on) */
	for (i = 0; i < 100 && !p->syn; i++)
		peer_pump(p, 100);
	cr_assert(p->syn, "no SYN came out of the TAP");
	peer_send(p, 0x02 | 0x10 | 0x40);
	for (;;) {
		struct pollfd pfd = { .fd = s, .events = POLLOUT };

		peer_pump(p, 10);
		if (poll(&pfd, 1, 0) == 1)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 10, "no connection");
	}
	sl = sizeof(err);
	cr_assert_eq(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &sl), 0);
	cr_assert_eq(err, 0, "connect: %s", strerror(err));

	/* the data, acknowledged as it comes; ECE once, early: a CWR needs
	 * data the kernel has not sent yet */
	while (!p->fin) {
		send_some(s, data, &sent);
		if (!p->ece && p->rcvd >= TOTAL / 16)
			p->ece = 1;
		peer_pump(p, 20);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 60,
			     "stalled at %zu of %u bytes", p->rcvd, TOTAL);
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_log_info("IPv%d: %u frames from the kernel, %u GSO (%u with ECN, "
		    "largest %zu bytes, %u segments), %u segments out, %u "
		    "NEEDS_CSUM completed, %u CWR, %u duplicates, %.2f s",
		    v6 ? 6 : 4, p->frames, p->gso_frames, p->gso_ecn,
		    p->max_gso_len, p->max_segs, p->segs, p->csum_frames,
		    p->cwr, p->dup, secs);

	cr_assert_eq(p->rcvd, TOTAL);
	cr_assert_gt(p->gso_frames, 0, "the kernel sent no GSO frame");
	cr_assert_geq(p->max_segs, 2, "no GSO frame of two segments or more");
	cr_assert_gt(p->csum_frames, 0, "no NEEDS_CSUM frame");
	cr_assert_gt(p->cwr, 0, "the kernel never answered ECE with CWR");
	close(s);
	close(p->tap);
	free(data);
	free(p);
}

/*
 * The relay: a second namespace behind a TAP without offloads ("B", host
 * 2, a listening socket) and the test as the switch between the two TAPs.
 * What the sender's kernel writes into TAP A (super-frames, partial
 * checksums) goes through gso_output() into TAP B, whose kernel verifies
 * every checksum itself and drops what is wrong; B's plain frames go back
 * into A with a zero virtio-net header.
 */
struct relay {
	int a, b;
	unsigned gso, csum, out;
};

static int relay_emit(void *arg, const struct iovec *iov, unsigned iovcnt,
		      unsigned index)
{
	struct relay *r = arg;
	size_t want = iov[0].iov_len + (iovcnt > 1 ? iov[1].iov_len : 0);
	ssize_t w = writev(r->b, iov, (int)iovcnt);

	(void)index;
	if (w < 0)
		return -errno;
	if ((size_t)w != want)
		return -EIO;
	r->out++;
	return 0;
}

static void relay_pump(struct relay *r, int ms)
{
	struct pollfd pfd[2] = { { .fd = r->a, .events = POLLIN },
				 { .fd = r->b, .events = POLLIN } };
	uint8_t zero[VNET_HDR_LEN] = { 0 };
	ssize_t n;

	if (poll(pfd, 2, ms) <= 0)
		return;
	while ((n = read(r->a, rxbuf, sizeof(rxbuf))) >= VNET_HDR_LEN) {
		struct vnet_hdr h;
		int rc;

		vnet_hdr_decode(rxbuf, &h);
		r->gso += h.gso_type != VNET_HDR_GSO_NONE;
		r->csum += h.gso_type == VNET_HDR_GSO_NONE &&
			   (h.flags & VNET_HDR_F_NEEDS_CSUM);
		rc = gso_output(rxbuf + VNET_HDR_LEN,
				(size_t)n - VNET_HDR_LEN, &h, MTU_FRAME,
				relay_emit, r);
		cr_assert_gt(rc, 0, "gso_output: %s", strerror(-rc));
	}
	cr_assert(n < 0 && errno == EAGAIN, "read from TAP A");
	while ((n = read(r->b, rxbuf + VNET_HDR_LEN,
			 sizeof(rxbuf) - VNET_HDR_LEN)) > 0) {
		struct iovec iov[2] = { { zero, sizeof(zero) },
					{ rxbuf + VNET_HDR_LEN, (size_t)n } };

		cr_assert_eq(writev(r->a, iov, 2), n + VNET_HDR_LEN);
	}
	cr_assert(n < 0 && errno == EAGAIN, "read from TAP B");
}

static void relay_through_taps(int v6)
{
	struct relay r = { 0 };
	uint8_t *data = malloc(TOTAL), *got = malloc(TOTAL);
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t sent = 0, rcvd = 0, i;
	struct timespec t0, t1;
	int nsa, ls, s, c = -1, eof = 0;

	cr_assert(data && got);
	for (i = 0; i < TOTAL; i++)
		data[i] = (uint8_t)(i * 13 + (i >> 10));

	/* A: the sender, TAP with offloads */
	pb_enter_netns();
	nsa = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert(nsa >= 0);
	r.a = tap_open(TAPNAME, 1);
	tap_config(TAPNAME, KMAC, 1, 2, PMAC);

	/* B: the receiver, a namespace of its own, TAP without offloads */
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s",
		     strerror(errno));
	cr_assert_eq(run_cmd("ip link set lo up"), 0); /* netns */
	r.b = tap_open("pbgso1", 0);
	tap_config("pbgso1", PMAC, 2, 1, KMAC);
	ls = socket(v6 ? AF_INET6 : AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert(ls >= 0);
	sa_make(&ss, &sl, v6, v6 ? "2001:db8::2" : "198.18.0.2");
	cr_assert_eq(bind(ls, (struct sockaddr *)&ss, sl), 0, "bind: %s",
		     strerror(errno));
	cr_assert_eq(listen(ls, 1), 0);

	/* back in A: connect through the relay */
	cr_assert_eq(setns(nsa, CLONE_NEWNET), 0, "setns: %s",
		     strerror(errno));
	close(nsa);
	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	cr_assert(connect(s, (struct sockaddr *)&ss, sl) == 0 ||
		  errno == EINPROGRESS, "connect: %s", strerror(errno));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!eof) {
		relay_pump(&r, 5);
		if (c < 0) {
			c = accept4(ls, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
			cr_assert(c >= 0 || errno == EAGAIN, "accept: %s",
				  strerror(errno));
		}
		send_some(s, data, &sent);
		while (c >= 0) {
			ssize_t n = recv(c, got + rcvd, TOTAL - rcvd, 0);

			if (n == 0) {
				eof = 1;
				break;
			}
			if (n < 0) {
				cr_assert(errno == EAGAIN || errno == EINTR,
					  "recv: %s", strerror(errno));
				break;
			}
			rcvd += (size_t)n;
			cr_assert_leq(rcvd, TOTAL);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 60,
			     "stalled: %zu of %u bytes received (%u GSO "
			     "frames relayed)", rcvd, TOTAL, r.gso);
	}
	cr_log_info("relay IPv%d: %u GSO and %u NEEDS_CSUM frames from the "
		    "sender, %u frames into the receiver, %.2f s",
		    v6 ? 6 : 4, r.gso, r.csum, r.out,
		    (double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	cr_assert_eq(rcvd, TOTAL);
	cr_assert_arr_eq(got, data, TOTAL, "the bytes differ");
	cr_assert_gt(r.gso, 0, "no GSO frame went through the relay");
	cr_assert_gt(r.csum, 0, "no NEEDS_CSUM frame went through");
	close(c);
	close(s);
	close(ls);
	close(r.a);
	close(r.b);
	free(data);
	free(got);
}

Test(gso, relay_tso4, .timeout = 90)
{
	relay_through_taps(0);
}

Test(gso, relay_tso6, .timeout = 90)
{
	relay_through_taps(1);
}

Test(gso, kernel_tso4, .timeout = 90)
{
	stream_through_tap(0);
}

Test(gso, kernel_tso6, .timeout = 90)
{
	stream_through_tap(1);
}
