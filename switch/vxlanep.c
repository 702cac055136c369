/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanep.c - VXLAN tunnels (RFC 7348) as switch ports: vxlan://, the
 * segment of kernel vxlan devices, Open vSwitch and vdeplug4's vxlan://.
 *
 * vxlan://[GROUP|REMOTE[,REMOTE...]][/v4|/v6][/vni=N][/port=4789]
 * [/local=ADDR][/if=IFNAME][/ttl=N][/expiretime=S][/hashsize=N][/rcvbuf=N]
 * (vxlanhdr.c parses it). Each URL is one port carrying one VNI.
 *
 * Flood and learn, as the kernel does: a frame whose destination is
 * broadcast, multicast or not known goes to the group, or (no group) to
 * every static remote, one copy each (head-end replication); the source
 * address a frame arrives from is learned as the VTEP of its inner source
 * MAC (vxlanfdb.c: bounded, aged), and a frame to a known MAC goes to that
 * VTEP alone. Frames go to a VTEP's address at the URL's UDP port, as the
 * kernel and vdeplug4 send them, whatever source port they came from.
 *
 * Sockets: one per address family, UDP port and local address, shared by
 * every VXLAN port (VNI) using them; received datagrams are demultiplexed
 * by VNI. Multicast loopback is off: a member never hears itself (the
 * kernel and vdeplug4 do the same). The socket reads with recvmmsg() into
 * the core's lent buffers (the VXLAN header goes to a buffer of its own)
 * and writes with sendmmsg(), the 8-byte header an iovec before the
 * frame's. Datagrams shorter than a header, with other flags or an unknown
 * VNI are dropped and counted on the socket (every port on it shows them).
 *
 * MTU: an inner frame of L bytes is an IPv4 packet of L + 36 bytes (IPv6
 * L + 56). Each destination's underlay MTU is looked up (the if= device's,
 * or the route's through IP_MTU on a connected socket) when it is added and
 * every few seconds after; a frame that would not fit is dropped, counted
 * and logged once per destination and MTU. Nothing is fragmented (DF is
 * left to the kernel's default path MTU discovery).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "sockaddr.h"
#include "sw.h"
#include "vxlanep.h"
#include "vxlanfdb.h"
#include "vxlanhdr.h"

#define VX_OUT_MAX 256		/* datagrams per send() call */
#define VX_IOV 6		/* header + the core's iovecs of a frame */
#define VX_SWEEP_MS 2000	/* ageing, and MTUs every VX_MTU_SWEEPS */
#define VX_MTU_SWEEPS 5
#define VX_MTU_UNKNOWN 65535	/* no figure: no check */
#define VX_GROUP (-1)		/* a datagram's destination: the group */

struct vxlan_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme scheme;
	struct vx_sock *socks;
};

/* One UDP socket and the VXLAN ports (VNIs) sharing it. */
struct vx_sock {
	struct vxlan_backend *vb;
	struct vx_sock *next;
	int fd;
	int family;
	uint16_t port;
	bool has_local;
	struct sa local;
	bool mc_set;		/* multicast options set (by the first
				 * port with a group) */
	unsigned ifindex, ttl;
	struct loop_handler h;
	struct loop_deferred dfr;
	struct vxlanep *eps;
	bool out;		/* EPOLLOUT watched */
	uint64_t bad_short, bad_flags, bad_vni;
};

struct vxlanep {
	struct endpoint ep;
	struct sw_attachment att;
	struct vxlan_backend *vb;
	struct vx_sock *s;
	struct vxlanep *next_on_sock;
	struct vxlan_conf conf;
	struct vxlan_fdb *fdb;
	uint8_t hdr[VXLAN_HLEN];
	bool joined;		/* this port joined its group on the socket */
	bool want_out;
	unsigned overhead;	/* IP + UDP + VXLAN */
	unsigned group_mtu, group_mtu_logged;
	uint64_t flood_out, drop_mtu, drop_send;
	struct loop_timer timer;
	unsigned sweeps;
	struct loop_deferred dfr;
	char url[300];
};

/* --- the underlay's MTU ------------------------------------------------ */

static unsigned if_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned mtu = VX_MTU_UNKNOWN;

	if (fd < 0)
		return mtu;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		mtu = (unsigned)ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/* The MTU of the route to @dst, or -errno (no route). */
static int route_mtu(const struct sa *dst, unsigned ifindex)
{
	int fd = socket(dst->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mtu = 0, rc = 0;
	socklen_t sl = sizeof(mtu);

	if (fd < 0)
		return -errno;
	if (ifindex && dst->ss.ss_family == AF_INET) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };

		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m));
	} else if (ifindex) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
			   sizeof(ifindex));
	}
	if (connect(fd, (const struct sockaddr *)&dst->ss, dst->len))
		rc = -errno;
	else if (dst->ss.ss_family == AF_INET
			 ? getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &sl)
			 : getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &sl))
		mtu = VX_MTU_UNKNOWN;
	close(fd);
	if (rc)
		return rc;
	return mtu > 0 ? mtu : VX_MTU_UNKNOWN;
}

static unsigned dest_mtu(const struct vxlanep *x, const struct sa *dst)
{
	int mtu;

	if (x->conf.ifname[0])
		return if_mtu(x->conf.ifname);
	mtu = route_mtu(dst, 0);
	return mtu > 0 ? (unsigned)mtu : VX_MTU_UNKNOWN;
}

/* A frame of @len bytes does not fit: counted, logged once per MTU. */
static void mtu_drop(struct vxlanep *x, unsigned len, unsigned mtu,
		     unsigned *logged, const struct sa *dst)
{
	char a[128];

	x->drop_mtu++;
	if (*logged == mtu)
		return;
	*logged = mtu;
	sa_format((const struct sockaddr *)&dst->ss, dst->len, a, sizeof(a));
	if (x->conf.ifname[0])
		log_warnx("port %u: a %u-byte frame needs an underlay MTU of "
			  "%u; %s has %u (dropped, counted as mtu; further "
			  "drops are not logged)", x->ep.port ? x->ep.port->num : 0,
			  len, len + x->overhead, x->conf.ifname, mtu);
	else
		log_warnx("port %u: a %u-byte frame needs an underlay MTU of "
			  "%u; the route to %s has %u (dropped, counted as "
			  "mtu; further drops are not logged)",
			  x->ep.port ? x->ep.port->num : 0, len,
			  len + x->overhead, a, mtu);
}

static void mtus_refresh(struct vxlanep *x)
{
	unsigned i, dev = x->conf.ifname[0] ? if_mtu(x->conf.ifname) : 0;
	struct vxlan_vtep *v;

	if (x->conf.mcast)
		x->group_mtu = dev ? dev : dest_mtu(x, &x->conf.group);
	for (i = 0; i < VXLAN_VTEP_MAX; i++)
		if ((v = vxlan_fdb_vtep_at(x->fdb, i)))
			v->mtu = dev ? dev : dest_mtu(x, &v->addr);
}

/* --- output ------------------------------------------------------------ */

static void sock_events(struct vx_sock *s)
{
	struct vxlanep *x;
	bool out = false;

	for (x = s->eps; x; x = x->next_on_sock)
		out |= x->want_out;
	if (out != s->out &&
	    !loop_mod(s->vb->loop, s->fd, EPOLLIN | (out ? EPOLLOUT : 0),
		      &s->h))
		s->out = out;
}

static int vx_want_write(struct endpoint *ep, bool on)
{
	struct vxlanep *x = container_of(ep, struct vxlanep, ep);

	x->want_out = on;
	sock_events(x->s);
	return on && !x->s->out ? -ENOMEM : 0;
}

/* The first 6 bytes of a frame given as iovecs. */
static void frame_dst(const struct msghdr *h, uint8_t mac[6])
{
	size_t got = 0, i;

	memset(mac, 0xff, 6);
	for (i = 0; i < h->msg_iovlen && got < 6; i++) {
		size_t n = h->msg_iov[i].iov_len;

		if (n > 6 - got)
			n = 6 - got;
		memcpy(mac + got, h->msg_iov[i].iov_base, n);
		got += n;
	}
}

struct vx_out {
	struct mmsghdr m[VX_OUT_MAX];
	struct iovec iov[VX_OUT_MAX][VX_IOV];
	int dest[VX_OUT_MAX];		/* VTEP index or VX_GROUP */
	unsigned first[FWD_BATCH + 1];	/* each frame's first datagram */
};

/* One datagram of frame @h to @dst; false if it does not fit. */
static bool out_add(struct vxlanep *x, struct vx_out *o, unsigned *k,
		    const struct msghdr *h, size_t len, int d)
{
	const struct sa *dst;
	unsigned mtu, *logged;
	struct vxlan_vtep *v = NULL;

	if (d == VX_GROUP) {
		dst = &x->conf.group;
		mtu = x->group_mtu;
		logged = &x->group_mtu_logged;
	} else {
		v = vxlan_fdb_vtep_at(x->fdb, (unsigned)d);
		if (!v)
			return false;
		dst = &v->addr;
		if (!v->mtu)
			v->mtu = dest_mtu(x, dst);
		mtu = v->mtu;
		logged = &v->mtu_logged;
	}
	if (len + x->overhead > mtu) {
		mtu_drop(x, (unsigned)len, mtu, logged, dst);
		return false;
	}
	memset(&o->m[*k], 0, sizeof(o->m[*k]));
	o->iov[*k][0].iov_base = x->hdr;
	o->iov[*k][0].iov_len = VXLAN_HLEN;
	memcpy(&o->iov[*k][1], h->msg_iov, h->msg_iovlen * sizeof(struct iovec));
	o->m[*k].msg_hdr.msg_iov = o->iov[*k];
	o->m[*k].msg_hdr.msg_iovlen = h->msg_iovlen + 1;
	/* sendmmsg() does not write the address */
	o->m[*k].msg_hdr.msg_name = (void *)(uintptr_t)&dst->ss;
	o->m[*k].msg_hdr.msg_namelen = dst->len;
	o->dest[*k] = d;
	(*k)++;
	return true;
}

static int vx_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct vxlanep *x = container_of(ep, struct vxlanep, ep);
	time_t now = loop_now(x->vb->loop);
	struct vx_out o;
	unsigned f, i, k = 0, sent = 0, taken;
	bool again = false;
	uint8_t mac[6];
	int r;

	if (n > FWD_BATCH)
		n = FWD_BATCH;
	for (f = 0; f < n; f++) {
		const struct msghdr *h = &msgs[f].msg_hdr;
		size_t len = 0;
		int vt;

		for (i = 0; i < h->msg_iovlen; i++)
			len += h->msg_iov[i].iov_len;
		frame_dst(h, mac);
		vt = vxlan_fdb_lookup(x->fdb, mac, now);
		if (k + (vt < 0 && !x->conf.mcast ? x->conf.nremotes : 1) >
		    VX_OUT_MAX)
			break;
		o.first[f] = k;
		if (h->msg_iovlen + 1 > VX_IOV) {
			x->drop_send++;
		} else if (vt >= 0) {
			out_add(x, &o, &k, h, len, vt);
		} else if (x->conf.mcast) {
			out_add(x, &o, &k, h, len, VX_GROUP);
		} else {
			for (i = 0; i < x->conf.nremotes; i++) {
				int d = vxlan_fdb_vtep(
					x->fdb,
					(const struct sockaddr *)&x->conf
						.remotes[i].ss,
					x->conf.remotes[i].len, true, now);

				if (d >= 0)
					out_add(x, &o, &k, h, len, d);
			}
		}
	}
	n = f;
	o.first[n] = k;

	while (sent < k) {
		r = sendmmsg(x->s->fd, &o.m[sent], k - sent, MSG_DONTWAIT);
		if (r > 0) {
			sent += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno == EAGAIN || errno == ENOBUFS) {
			again = true;
			break;
		}
		/* this datagram is lost (no route, ...), not the rest */
		log_debug("port %u: vxlan send: %s", ep->port->num,
			  strerror(errno));
		x->drop_send++;
		o.dest[sent++] = INT_MIN;
	}
	for (i = 0; i < sent; i++) {
		struct vxlan_vtep *v;

		if (o.dest[i] == VX_GROUP)
			x->flood_out++;
		else if (o.dest[i] >= 0 &&
			 (v = vxlan_fdb_vtep_at(x->fdb, (unsigned)o.dest[i])))
			v->out_pkts++;
	}
	if (!again)
		return (int)n;
	/* a frame is taken once a copy of it left; the other copies of the
	 * last one are lost (counted) */
	for (taken = 0; taken < n; taken++)
		if (o.first[taken] >= sent &&
		    !(o.first[taken] == o.first[taken + 1] &&
		      o.first[taken] == sent))
			break;
	if (taken && o.first[taken] > sent)
		x->drop_send += o.first[taken] - sent;
	return taken ? (int)taken : -EAGAIN;
}

/* --- input ------------------------------------------------------------- */

static struct vxlanep *sock_find_vni(struct vx_sock *s, uint32_t vni)
{
	struct vxlanep *x;

	for (x = s->eps; x; x = x->next_on_sock)
		if (x->conf.vni == vni && !x->ep.closing)
			return x;
	return NULL;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* A batch from the socket, each frame to the port of its VNI. */
static unsigned sock_read(struct vx_sock *s)
{
	struct fwd_rx *rx = fwd_rx_get(s->vb->sw);
	struct mmsghdr m[FWD_BATCH];
	struct iovec iov[FWD_BATCH][2], keep[FWD_BATCH];
	uint8_t hdr[FWD_BATCH][VXLAN_HLEN];
	struct sockaddr_storage from[FWD_BATCH];
	struct vxlanep *owner[FWD_BATCH], *x;
	time_t now = loop_now(s->vb->loop);
	unsigned i, k;
	int r;

	memset(m, 0, sizeof(m));
	for (i = 0; i < FWD_BATCH; i++) {
		iov[i][0].iov_base = hdr[i];
		iov[i][0].iov_len = VXLAN_HLEN;
		iov[i][1] = rx->iov[i];
		m[i].msg_hdr.msg_iov = iov[i];
		m[i].msg_hdr.msg_iovlen = 2;
		m[i].msg_hdr.msg_name = &from[i];
		m[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	do
		r = recvmmsg(s->fd, m, FWD_BATCH, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 0;
	for (i = 0; i < (unsigned)r; i++) {
		uint32_t vni;
		int rc = vxlan_hdr_parse(hdr[i], m[i].msg_len, &vni), vt;
		const uint8_t *frame = rx->iov[i].iov_base;

		owner[i] = NULL;
		if (rc == -EMSGSIZE) {
			s->bad_short++;
			continue;
		}
		if (rc) {
			s->bad_flags++;
			continue;
		}
		x = sock_find_vni(s, vni);
		if (!x) {
			s->bad_vni++;
			continue;
		}
		owner[i] = x;
		if (m[i].msg_len < VXLAN_HLEN + 14)
			continue;	/* the core counts it as short */
		set_port(&from[i], x->conf.port);
		vt = vxlan_fdb_vtep(x->fdb, (struct sockaddr *)&from[i],
				    m[i].msg_hdr.msg_namelen, false, now);
		if (vt < 0)
			continue;
		vxlan_fdb_vtep_at(x->fdb, (unsigned)vt)->in_pkts++;
		vxlan_fdb_learn(x->fdb, frame + 6, vt, now);
	}
	for (x = s->eps; x; x = x->next_on_sock) {
		for (i = k = 0; i < (unsigned)r; i++)
			if (owner[i] == x) {
				keep[k].iov_base = rx->iov[i].iov_base;
				keep[k++].iov_len = m[i].msg_len - VXLAN_HLEN;
			}
		if (k)
			fwd_input_iov(&x->ep, keep, k);
	}
	return (unsigned)r;
}

static void sock_cb(struct loop_handler *h, uint32_t events)
{
	struct vx_sock *s = container_of(h, struct vx_sock, h);
	struct vxlanep *x;
	unsigned rounds;

	if (s->fd < 0)
		return;
	if (events & EPOLLOUT)
		for (x = s->eps; x; x = x->next_on_sock)
			if (x->want_out && !x->ep.closing)
				fwd_drain(&x->ep);
	if (!(events & (EPOLLIN | EPOLLERR)))
		return;
	for (rounds = 0; rounds < 4 && s->fd >= 0; rounds++)
		if (sock_read(s) < FWD_BATCH)
			break;
}

/* --- the socket -------------------------------------------------------- */

static void sock_free(struct loop_deferred *d)
{
	free(container_of(d, struct vx_sock, dfr));
}

static void sock_release(struct vx_sock *s)
{
	struct vx_sock **pp;

	for (pp = &s->vb->socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->fd >= 0) {
		loop_del(s->vb->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	loop_defer(s->vb->loop, &s->dfr, sock_free);
}

static int fail_errno(const char *url, const char *what, char *err,
		      size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s: %s", url, what, strerror(e));
	return -e;
}

/* Multicast loopback off, TTL and interface: set by the first port of
 * the socket that has a group. Return: 0 or -1 (errno set) */
static int sock_mcast_options(struct vx_sock *s, const struct vxlan_conf *c)
{
	int zero = 0, ttl = (int)c->ttl;

	if (c->family == AF_INET) {
		struct ip_mreqn m = { .imr_ifindex = (int)c->ifindex };

		if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
			       sizeof(zero)) ||
		    setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
			       sizeof(ttl)) ||
		    (c->ifindex && setsockopt(s->fd, IPPROTO_IP,
					      IP_MULTICAST_IF, &m, sizeof(m))))
			return -1;
	} else {
		if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero,
			       sizeof(zero)) ||
		    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
			       sizeof(ttl)) ||
		    (c->ifindex && setsockopt(s->fd, IPPROTO_IPV6,
					      IPV6_MULTICAST_IF, &c->ifindex,
					      sizeof(c->ifindex))))
			return -1;
	}
	s->mc_set = true;
	s->ifindex = c->ifindex;
	s->ttl = c->ttl;
	return 0;
}

/* The socket for @c's family, port and local address, made if new. */
static int sock_get(struct vxlan_backend *vb, const struct vxlan_conf *c,
		    const char *url, struct vx_sock **out, char *err,
		    size_t errlen)
{
	struct vx_sock *s;
	struct sa bind_to;
	int one = 1, rc;

	for (s = vb->socks; s; s = s->next)
		if (s->family == c->family && s->port == c->port &&
		    s->has_local == c->has_local &&
		    (!c->has_local ||
		     sa_equal(&s->local, (const struct sockaddr *)&c->local.ss,
			      c->local.len))) {
			*out = s;
			return 0;
		}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->vb = vb;
	s->family = c->family;
	s->port = c->port;
	s->has_local = c->has_local;
	s->local = c->local;
	s->h.cb = sock_cb;
	s->fd = socket(c->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (s->fd < 0) {
		rc = fail_errno(url, "socket", err, errlen);
		goto fail;
	}
	if (c->has_local) {
		bind_to = c->local;
	} else {
		memset(&bind_to, 0, sizeof(bind_to));
		bind_to.ss.ss_family = (sa_family_t)c->family;
		bind_to.len = c->family == AF_INET
				      ? sizeof(struct sockaddr_in)
				      : sizeof(struct sockaddr_in6);
		set_port(&bind_to.ss, c->port);
	}
	if (c->family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (c->rcvbuf && setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &c->rcvbuf,
				    sizeof(c->rcvbuf))) {
		rc = fail_errno(url, "rcvbuf", err, errlen);
		goto fail;
	}
	if (bind(s->fd, (struct sockaddr *)&bind_to.ss, bind_to.len)) {
		rc = -errno;
		if (rc == -EADDRINUSE)
			snprintf(err, errlen, "%s: UDP port %u is in use by "
				 "another program (a kernel vxlan device, "
				 "another patchbay or vde_plug?)", url,
				 c->port);
		else
			fail_errno(url, "bind", err, errlen);
		goto fail;
	}
	if (c->mcast && sock_mcast_options(s, c)) {
		rc = fail_errno(url, "multicast options", err, errlen);
		goto fail;
	}
	rc = loop_add(vb->loop, s->fd, EPOLLIN, &s->h);
	if (rc) {
		snprintf(err, errlen, "%s: epoll: %s", url, strerror(-rc));
		goto fail;
	}
	s->next = vb->socks;
	vb->socks = s;
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return rc;
}

static bool same_group(const struct vxlanep *a, const struct vxlanep *b)
{
	return a->conf.mcast && b->conf.mcast &&
	       a->conf.ifindex == b->conf.ifindex &&
	       sa_equal(&a->conf.group,
			(const struct sockaddr *)&b->conf.group.ss,
			b->conf.group.len);
}

/* Join (@on) or leave the group, unless another port on the socket has. */
static int group_membership(struct vxlanep *x, bool on)
{
	struct vxlanep *o;
	const struct sa *g = &x->conf.group;

	for (o = x->s->eps; o; o = o->next_on_sock)
		if (o != x && o->joined && same_group(o, x))
			return 0;
	if (g->ss.ss_family == AF_INET) {
		struct ip_mreqn m = {
			.imr_multiaddr =
				((const struct sockaddr_in *)&g->ss)->sin_addr,
			.imr_ifindex = (int)x->conf.ifindex,
		};

		if (setsockopt(x->s->fd, IPPROTO_IP,
			       on ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
			       sizeof(m)))
			return -errno;
	} else {
		struct ipv6_mreq m = {
			.ipv6mr_multiaddr =
				((const struct sockaddr_in6 *)&g->ss)
					->sin6_addr,
			.ipv6mr_interface = x->conf.ifindex,
		};

		if (setsockopt(x->s->fd, IPPROTO_IPV6,
			       on ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP,
			       &m, sizeof(m)))
			return -errno;
	}
	x->joined = on;
	return 0;
}

static void sock_unlink(struct vxlanep *x)
{
	struct vxlanep **pp;

	for (pp = &x->s->eps; *pp; pp = &(*pp)->next_on_sock)
		if (*pp == x) {
			*pp = x->next_on_sock;
			break;
		}
}

/* --- the port: state, close ---------------------------------------------- */

static void vx_free(struct loop_deferred *d)
{
	struct vxlanep *x = container_of(d, struct vxlanep, dfr);

	vxlan_fdb_destroy(x->fdb);
	free(x);
}

static void vx_close(struct endpoint *ep)
{
	struct vxlanep *x = container_of(ep, struct vxlanep, ep);
	struct vx_sock *s = x->s;

	sw_attachment_del(x->vb->sw, &x->att);
	loop_timer_del(x->vb->loop, &x->timer);
	if (x->joined)
		group_membership(x, false);
	sock_unlink(x);
	x->want_out = false;
	if (s->eps)
		sock_events(s);
	else
		sock_release(s);
	log_info("%s closed", x->ep.descr);
	loop_defer(x->vb->loop, &x->dfr, vx_free);
}

static const struct endpoint_ops vx_ops = {
	.kind = "vxlan",
	.pad = true,
	.url = true,
	.send = vx_send,
	.want_write = vx_want_write,
	.close = vx_close,
};

static void vx_sweep(struct loop_timer *t)
{
	struct vxlanep *x = container_of(t, struct vxlanep, timer);

	vxlan_fdb_expire(x->fdb, loop_now(x->vb->loop));
	if (++x->sweeps % VX_MTU_SWEEPS == 0)
		mtus_refresh(x);
	loop_timer_add(x->vb->loop, &x->timer, VX_SWEEP_MS);
}

static void att_describe(struct sw_attachment *a, char *buf, size_t len)
{
	struct vxlanep *x = container_of(a, struct vxlanep, att);
	char where[128];

	if (x->conf.mcast)
		sa_format((const struct sockaddr *)&x->conf.group.ss,
			  x->conf.group.len, where, sizeof(where));
	snprintf(buf, len, "vni %u %s %s vteps %u macs %u flood_out %llu "
		 "drop: mtu %llu send %llu short %llu flags %llu othervni %llu",
		 x->conf.vni, x->conf.mcast ? "group" : "remotes",
		 x->conf.mcast ? where : "static",
		 vxlan_fdb_nvteps(x->fdb), vxlan_fdb_nmacs(x->fdb),
		 (unsigned long long)x->flood_out,
		 (unsigned long long)x->drop_mtu,
		 (unsigned long long)x->drop_send,
		 (unsigned long long)x->s->bad_short,
		 (unsigned long long)x->s->bad_flags,
		 (unsigned long long)x->s->bad_vni);
}

/* Line @i: the i-th known VTEP. */
static bool att_detail(struct sw_attachment *a, unsigned i, char *buf,
		       size_t len)
{
	struct vxlanep *x = container_of(a, struct vxlanep, att);
	time_t now = loop_now(x->vb->loop);
	struct vxlan_vtep *v;
	unsigned j, n = 0;
	char addr[128];

	for (j = 0; j < VXLAN_VTEP_MAX; j++) {
		if (!(v = vxlan_fdb_vtep_at(x->fdb, j)) || n++ != i)
			continue;
		sa_format((const struct sockaddr *)&v->addr.ss, v->addr.len,
			  addr, sizeof(addr));
		snprintf(buf, len, "VTEP: %s macs %u in %llu out %llu age %lld "
			 "static %d mtu %u", addr, vxlan_fdb_vtep_macs(x->fdb, j),
			 (unsigned long long)v->in_pkts,
			 (unsigned long long)v->out_pkts,
			 (long long)(now - v->seen), v->is_static,
			 v->mtu == VX_MTU_UNKNOWN ? 0 : v->mtu);
		return true;
	}
	return false;
}

static void att_detach(struct sw_attachment *a)
{
	struct vxlanep *x = container_of(a, struct vxlanep, att);

	endpoint_close_now(&x->ep);
}

/* --- attach ------------------------------------------------------------ */

/* What a new port may not share with the ports already on its socket. */
static int sock_check(struct vxlanep *x, char *err, size_t errlen)
{
	const struct vxlanep *o;

	for (o = x->s->eps; o; o = o->next_on_sock) {
		if (o->conf.vni == x->conf.vni) {
			snprintf(err, errlen, "%s: VNI %u is already port %u "
				 "(%s)", x->url, x->conf.vni,
				 o->ep.port ? o->ep.port->num : 0, o->url);
			return -EADDRINUSE;
		}
	}
	if (!x->conf.mcast)
		return 0;
	if (x->s->mc_set &&
	    (x->s->ifindex != x->conf.ifindex || x->s->ttl != x->conf.ttl)) {
		for (o = x->s->eps; o && !o->conf.mcast; o = o->next_on_sock)
			;
		snprintf(err, errlen, "%s: UDP port %u is already used with "
			 "other if= or ttl= (%s)", x->url, x->conf.port,
			 o ? o->url : "");
		return -EINVAL;
	}
	if (!x->s->mc_set && sock_mcast_options(x->s, &x->conf)) {
		snprintf(err, errlen, "%s: multicast options: %s", x->url,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static int vx_attach(struct vxlan_backend *vb, const char *rest,
		     unsigned port, char *err, size_t errlen)
{
	struct vxlanep *x = calloc(1, sizeof(*x));
	time_t now = loop_now(vb->loop);
	struct port *p;
	unsigned i;
	int rc, mtu;
	bool linked = false;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	x->vb = vb;
	snprintf(x->url, sizeof(x->url), "vxlan://%.280s", rest);
	rc = vxlan_url_parse(rest, &x->conf, err, errlen);
	if (rc)
		goto fail;
	x->overhead = x->conf.family == AF_INET ? VXLAN_OVERHEAD_V4
						: VXLAN_OVERHEAD_V6;
	vxlan_hdr_build(x->hdr, x->conf.vni);
	if (x->conf.mcast) {
		mtu = x->conf.ifname[0] ? (int)if_mtu(x->conf.ifname)
					: route_mtu(&x->conf.group, 0);
		if (mtu < 0) {
			snprintf(err, errlen, "%s: no route to the group (%s): "
				 "choose the interface with if=", x->url,
				 strerror(-mtu));
			rc = mtu;
			goto fail;
		}
		x->group_mtu = (unsigned)mtu;
	}
	x->fdb = vxlan_fdb_create(x->conf.hashsize, x->conf.expire);
	if (!x->fdb) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < x->conf.nremotes; i++) {
		int vt = vxlan_fdb_vtep(
			x->fdb, (const struct sockaddr *)&x->conf.remotes[i].ss,
			x->conf.remotes[i].len, true, now);

		if (vt >= 0)
			vxlan_fdb_vtep_at(x->fdb, (unsigned)vt)->mtu =
				dest_mtu(x, &x->conf.remotes[i]);
	}
	rc = sock_get(vb, &x->conf, x->url, &x->s, err, errlen);
	if (rc)
		goto fail;
	rc = sock_check(x, err, errlen);
	if (!rc && x->conf.mcast) {
		rc = group_membership(x, true);
		if (rc)
			snprintf(err, errlen, "%s: joining the group: %s",
				 x->url, strerror(-rc));
	}
	if (!rc)
		rc = sw_port_for_attach(vb->sw, port, &p, err, errlen);
	if (rc)
		goto fail_sock;
	x->next_on_sock = x->s->eps;
	x->s->eps = x;
	linked = true;
	x->ep.ops = &vx_ops;
	x->ep.user = PORT_UID_NONE;
	snprintf(x->ep.descr, sizeof(x->ep.descr), "%.150s", x->url);
	rc = port_attach(vb->sw, p, &x->ep);
	if (rc) {
		snprintf(err, errlen, "%s: out of memory", x->url);
		goto fail_sock;
	}
	x->att.url = x->url;
	x->att.port = p->num;
	x->att.describe = att_describe;
	x->att.detail = att_detail;
	x->att.detach = att_detach;
	sw_attachment_add(vb->sw, &x->att);
	loop_timer_init(&x->timer, vx_sweep);
	loop_timer_add(vb->loop, &x->timer, VX_SWEEP_MS);
	log_info("port %u: %s attached (endpoint %d)", p->num, x->url,
		 x->ep.id);
	return 0;
fail_sock:
	if (x->joined)
		group_membership(x, false);
	if (linked)
		sock_unlink(x);
	if (!x->s->eps)
		sock_release(x->s);
fail:
	vxlan_fdb_destroy(x->fdb);
	free(x);
	return rc;
}

static int vx_scheme_attach(struct sw_scheme *sc, const char *rest,
			    unsigned port, char *err, size_t errlen)
{
	return vx_attach(container_of(sc, struct vxlan_backend, scheme), rest,
			 port, err, errlen);
}

static void vx_backend_destroy(struct sw_backend *b)
{
	free(container_of(b, struct vxlan_backend, backend));
}

/**
 * vxlanep_backend_create() - the VXLAN backend of a switch, serving
 * vxlan://; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct vxlan_backend *vxlanep_backend_create(struct sw *sw)
{
	struct vxlan_backend *vb = calloc(1, sizeof(*vb));

	if (!vb)
		return NULL;
	vb->sw = sw;
	vb->loop = sw_loop(sw);
	vb->backend.name = "vxlan";
	vb->backend.destroy = vx_backend_destroy;
	vb->scheme.name = "vxlan";
	vb->scheme.attach = vx_scheme_attach;
	sw_backend_add(sw, &vb->backend);
	sw_scheme_add(sw, &vb->scheme);
	return vb;
}
