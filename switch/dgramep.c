/* SPDX-License-Identifier: GPL-2.0-or-later
 * dgramep.c - UDP cables as switch ports, one raw frame per datagram:
 * dgram:// (alias udp://, vdeplug4's syntax) for a unicast peer, and
 * mcast:// for a multicast bus.
 *
 * dgram://[LADDR:]LPORT->RADDR:RPORT binds LADDR:LPORT and connects to
 * RADDR:RPORT, so only that peer is heard (QEMU -netdev dgram with
 * local.* and remote.*, -netdev socket,udp=,localaddr=; vdeplug4's
 * udp://).
 *
 * mcast://GROUP:PORT[/if=IFNAME][/ttl=N] is QEMU's -netdev socket,mcast=
 * and -netdev dgram with a multicast remote: every member sends each frame
 * to GROUP:PORT and hears every other member's (a hub; the switch learns
 * the guests behind it). Two sockets: one bound to the group's port with
 * SO_REUSEADDR, as QEMU's are, that has joined the group; one that sends,
 * bound to an ephemeral port, with multicast loopback on so members on
 * this host hear it. That loopback brings the switch's own datagrams back:
 * they are dropped by their exact source address - the sending socket's -
 * and not by "anything from the group's port", since a QEMU with -netdev
 * dgram,local.port=PORT sends from that very port number.
 *
 * Both read with recvmmsg() into the core's buffers and write with
 * sendmmsg(); a full socket buffer makes the core queue.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dgramep.h"
#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "port.h"
#include "sockaddr.h"
#include "sw.h"

#define MCAST_TTL_DEF 1

struct dgram_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme dgram_scheme;
	struct sw_scheme udp_scheme;
	struct sw_scheme mcast_scheme;
};

struct dgramep {
	struct endpoint ep;
	struct dgram_backend *db;
	struct loop_handler rh;	/* receiving socket */
	struct loop_handler wh;	/* sending socket, when it is another */
	struct loop_deferred dfr;
	int rfd, wfd;		/* the same fd for dgram:// */
	bool mcast;
	bool want_out;
	struct sa self;		/* mcast: the sending socket's address */
	struct sa group;
};

static int dgram_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct dgramep *d = container_of(ep, struct dgramep, ep);
	int r;

	do
		r = sendmmsg(d->wfd, msgs, n, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return r;
	if (r == 0 || errno == EAGAIN || errno == ENOBUFS)
		return -EAGAIN;
	/* ICMP from a peer not listening yet: that frame is lost, not the
	 * port */
	return -errno;
}

static int dgram_want_write(struct endpoint *ep, bool on)
{
	struct dgramep *d = container_of(ep, struct dgramep, ep);
	struct loop_handler *h = d->wfd == d->rfd ? &d->rh : &d->wh;
	uint32_t ev = d->wfd == d->rfd ? EPOLLIN : 0;
	int rc;

	if (d->want_out == on)
		return 0;
	rc = loop_mod(d->db->loop, d->wfd, ev | (on ? EPOLLOUT : 0), h);
	if (!rc)
		d->want_out = on;
	return rc;
}

static void dgram_free(struct loop_deferred *df)
{
	free(container_of(df, struct dgramep, dfr));
}

static void dgram_close(struct endpoint *ep)
{
	struct dgramep *d = container_of(ep, struct dgramep, ep);

	loop_del(d->db->loop, d->rfd);
	close(d->rfd);
	if (d->wfd != d->rfd) {
		loop_del(d->db->loop, d->wfd);
		close(d->wfd);
	}
	d->rfd = d->wfd = -1;
	log_info("%s closed", d->ep.descr);
	loop_defer(d->db->loop, &d->dfr, dgram_free);
}

static const struct endpoint_ops dgram_ops = {
	.kind = "udp",
	.pad = true,
	.url = true,
	.send = dgram_send,
	.want_write = dgram_want_write,
	.close = dgram_close,
};

/* A batch from the connected socket: the kernel heard only the peer. */
static unsigned read_unicast(struct dgramep *d)
{
	struct fwd_rx *rx = fwd_rx_get(d->db->sw);
	int r;

	do
		r = recvmmsg(d->rfd, rx->msgs, FWD_BATCH, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 0;
	fwd_rx_input(&d->ep, (unsigned)r);
	return (unsigned)r;
}

/* A batch from the group, less what the switch itself sent. */
static unsigned read_mcast(struct dgramep *d)
{
	struct fwd_rx *rx = fwd_rx_get(d->db->sw);
	struct sockaddr_storage from[FWD_BATCH];
	struct iovec keep[FWD_BATCH];
	unsigned i, k = 0;
	int r;

	for (i = 0; i < FWD_BATCH; i++) {
		rx->msgs[i].msg_hdr.msg_name = &from[i];
		rx->msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	do
		r = recvmmsg(d->rfd, rx->msgs, FWD_BATCH, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	for (i = 0; i < (r > 0 ? (unsigned)r : 0); i++) {
		if (sa_equal(&d->self, (struct sockaddr *)&from[i],
			     rx->msgs[i].msg_hdr.msg_namelen))
			continue;
		keep[k].iov_base = rx->iov[i].iov_base;
		keep[k++].iov_len = rx->msgs[i].msg_len;
	}
	for (i = 0; i < FWD_BATCH; i++) {
		rx->msgs[i].msg_hdr.msg_name = NULL;
		rx->msgs[i].msg_hdr.msg_namelen = 0;
	}
	if (k)
		fwd_input_iov(&d->ep, keep, k);
	return r > 0 ? (unsigned)r : 0;
}

static void dgram_rcb(struct loop_handler *h, uint32_t events)
{
	struct dgramep *d = container_of(h, struct dgramep, rh);
	unsigned rounds, n;

	if (d->ep.closing)
		return;
	if ((events & EPOLLOUT) && d->wfd == d->rfd)
		fwd_drain(&d->ep);
	if (!(events & (EPOLLIN | EPOLLERR)))
		return;
	for (rounds = 0; rounds < 4 && !d->ep.closing; rounds++) {
		n = d->mcast ? read_mcast(d) : read_unicast(d);
		if (n < FWD_BATCH)
			break;
	}
}

static void dgram_wcb(struct loop_handler *h, uint32_t events)
{
	struct dgramep *d = container_of(h, struct dgramep, wh);

	(void)events;
	if (!d->ep.closing)
		fwd_drain(&d->ep);
}

static int sock_fail(const char *url, const char *what, char *err,
		     size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s: %s", url, what, strerror(e));
	return -e;
}

/**
 * dgram_url_unicast() - the addresses of dgram://[LADDR:]LPORT->RADDR:RPORT
 * @rest:	after the scheme
 * @local:	LADDR (the wildcard of RADDR's family if none) and LPORT
 * @remote:	RADDR:RPORT
 * @err:	why not, without the URL
 * @errlen:	its size
 *
 * Return: 0 or -errno
 */
int dgram_url_unicast(const char *rest, struct sa *local, struct sa *remote,
		      char *err, size_t errlen)
{
	const char *arrow = strstr(rest, "->");
	int rc;

	if (!arrow) {
		snprintf(err, errlen, "expected [LADDR:]LPORT->RADDR:RPORT");
		return -EINVAL;
	}
	rc = sa_parse(arrow + 2, strlen(arrow + 2), AF_UNSPEC, SOCK_DGRAM, 0,
		      remote, err, errlen);
	/* the local address of the remote's family: :: would not do for a
	 * v4 peer */
	if (!rc)
		rc = sa_parse(rest, (size_t)(arrow - rest),
			      remote->ss.ss_family, SOCK_DGRAM,
			      SA_PASSIVE | SA_PORT0 | SA_NOHOST, local, err,
			      errlen);
	if (rc)
		return rc;
	if (local->ss.ss_family != remote->ss.ss_family) {
		snprintf(err, errlen, "the local and remote addresses are not "
			 "of one family");
		return -EINVAL;
	}
	return 0;
}

/* dgram://[LADDR:]LPORT->RADDR:RPORT */
static int open_unicast(struct dgramep *d, const char *url, const char *rest,
			char *err, size_t errlen)
{
	struct sa local, remote;
	char why[400];
	int rc, one = 1;

	rc = dgram_url_unicast(rest, &local, &remote, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", url, why);
		return rc;
	}
	d->rfd = d->wfd = socket(remote.ss.ss_family,
				 SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->rfd < 0)
		return sock_fail(url, "socket", err, errlen);
	setsockopt(d->rfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(d->rfd, (struct sockaddr *)&local.ss, local.len))
		return sock_fail(url, "bind", err, errlen);
	if (connect(d->rfd, (struct sockaddr *)&remote.ss, remote.len))
		return sock_fail(url, "connect", err, errlen);
	return 0;
}

/**
 * dgram_url_group() - the group of mcast://GROUP:PORT[/OPTIONS]
 * @rest:	after the scheme
 * @group:	GROUP:PORT, an IPv4 or IPv6 multicast group
 * @alen:	the length of GROUP:PORT in @rest (the options follow)
 * @err:	why not, without the URL
 * @errlen:	its size
 *
 * Return: 0 or -errno
 */
int dgram_url_group(const char *rest, struct sa *group, size_t *alen,
		    char *err, size_t errlen)
{
	const char *v6end = rest[0] == '[' ? strchr(rest, ']') : NULL;
	const char *slash = strchr(v6end ? v6end : rest, '/');
	int rc, fam;

	*alen = slash ? (size_t)(slash - rest) : strlen(rest);
	rc = sa_parse(rest, *alen, AF_UNSPEC, SOCK_DGRAM, 0, group, err,
		      errlen);
	if (rc)
		return rc;
	fam = group->ss.ss_family;
	if ((fam == AF_INET &&
	     !IN_MULTICAST(ntohl(((struct sockaddr_in *)&group->ss)
					 ->sin_addr.s_addr))) ||
	    (fam == AF_INET6 &&
	     !IN6_IS_ADDR_MULTICAST(
		     &((struct sockaddr_in6 *)&group->ss)->sin6_addr))) {
		snprintf(err, errlen, "%.*s is not a multicast group",
			 (int)*alen, rest);
		return -EINVAL;
	}
	return 0;
}

/* /if=IFNAME and /ttl=N after mcast://GROUP:PORT */
static int mcast_options(const char *url, char *opts, unsigned *ifindex,
			 unsigned long *ttl, char *err, size_t errlen)
{
	char *save = NULL, *o;

	for (o = strtok_r(opts, "/", &save); o; o = strtok_r(NULL, "/", &save)) {
		if (!strncmp(o, "if=", 3)) {
			*ifindex = if_nametoindex(o + 3);
			if (!*ifindex) {
				snprintf(err, errlen, "%s: no interface %s",
					 url, o + 3);
				return -ENODEV;
			}
		} else if (!strncmp(o, "ttl=", 4)) {
			if (parse_ulong(o + 4, 10, 0, 255, ttl)) {
				snprintf(err, errlen, "%s: ttl=%s: 0 to 255",
					 url, o + 4);
				return -EINVAL;
			}
		} else {
			snprintf(err, errlen, "%s: unknown option '%s' (if=, "
				 "ttl=)", url, o);
			return -EINVAL;
		}
	}
	return 0;
}

/* mcast://GROUP:PORT[/if=IFNAME][/ttl=N], IPv4 or IPv6 */
static int open_mcast(struct dgramep *d, const char *url, const char *rest,
		      char *err, size_t errlen)
{
	struct sa any;
	unsigned ifindex = 0;
	unsigned long ttl = MCAST_TTL_DEF;
	char opts[256] = "", why[400];
	int rc, one = 1, fam, ittl;
	size_t alen;
	socklen_t sl;

	rc = dgram_url_group(rest, &d->group, &alen, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", url, why);
		return rc;
	}
	fam = d->group.ss.ss_family;
	if (strlen(rest + alen) >= sizeof(opts)) {
		snprintf(err, errlen, "%s: options over %zu bytes", url,
			 sizeof(opts) - 1);
		return -EINVAL;
	}
	strcpy(opts, rest + alen);
	rc = mcast_options(url, opts, &ifindex, &ttl, err, errlen);
	if (rc)
		return rc;
	ittl = (int)ttl;

	/* the receiving socket: the group's port, shared, joined */
	d->rfd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->rfd < 0)
		return sock_fail(url, "socket", err, errlen);
	setsockopt(d->rfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	any = d->group;
	if (bind(d->rfd, (struct sockaddr *)&any.ss, any.len))
		return sock_fail(url, "bind", err, errlen);
	if (fam == AF_INET) {
		struct ip_mreqn m = {
			.imr_multiaddr =
				((struct sockaddr_in *)&d->group.ss)->sin_addr,
			.imr_ifindex = (int)ifindex,
		};

		if (setsockopt(d->rfd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m,
			       sizeof(m)))
			return sock_fail(url, "joining the group", err,
					 errlen);
	} else {
		struct ipv6_mreq m = {
			.ipv6mr_multiaddr =
				((struct sockaddr_in6 *)&d->group.ss)
					->sin6_addr,
			.ipv6mr_interface = ifindex,
		};

		if (setsockopt(d->rfd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m,
			       sizeof(m)))
			return sock_fail(url, "joining the group", err,
					 errlen);
	}

	/* the sending socket: its own port, loopback on, connected to the
	 * group so that its source address is known */
	d->wfd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->wfd < 0)
		return sock_fail(url, "socket", err, errlen);
	if (fam == AF_INET) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };

		if ((ifindex && setsockopt(d->wfd, IPPROTO_IP,
					   IP_MULTICAST_IF, &m, sizeof(m))) ||
		    setsockopt(d->wfd, IPPROTO_IP, IP_MULTICAST_LOOP, &one,
			       sizeof(one)) ||
		    setsockopt(d->wfd, IPPROTO_IP, IP_MULTICAST_TTL, &ittl,
			       sizeof(ittl)))
			return sock_fail(url, "multicast options", err,
					 errlen);
	} else {
		if ((ifindex && setsockopt(d->wfd, IPPROTO_IPV6,
					   IPV6_MULTICAST_IF, &ifindex,
					   sizeof(ifindex))) ||
		    setsockopt(d->wfd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one,
			       sizeof(one)) ||
		    setsockopt(d->wfd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
			       &ittl, sizeof(ittl)))
			return sock_fail(url, "multicast options", err,
					 errlen);
	}
	if (connect(d->wfd, (struct sockaddr *)&d->group.ss, d->group.len))
		return sock_fail(url, "no route to the group (connect)", err,
				 errlen);
	sl = sizeof(d->self.ss);
	if (getsockname(d->wfd, (struct sockaddr *)&d->self.ss, &sl))
		return sock_fail(url, "getsockname", err, errlen);
	d->self.len = sl;
	return 0;
}

static int dgram_attach(struct dgram_backend *db, const char *scheme,
			const char *rest, unsigned port, char *err,
			size_t errlen)
{
	struct dgramep *d = calloc(1, sizeof(*d));
	char url[256], self[128];
	struct port *p;
	int rc;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->db = db;
	d->rfd = d->wfd = -1;
	d->mcast = !strcmp(scheme, "mcast");
	snprintf(url, sizeof(url), "%s://%s", scheme, rest);
	rc = d->mcast ? open_mcast(d, url, rest, err, errlen)
		      : open_unicast(d, url, rest, err, errlen);
	if (rc)
		goto fail;
	rc = sw_port_for_attach(db->sw, port, &p, err, errlen);
	if (rc)
		goto fail;
	d->rh.cb = dgram_rcb;
	d->wh.cb = dgram_wcb;
	rc = loop_add(db->loop, d->rfd, EPOLLIN, &d->rh);
	if (!rc && d->wfd != d->rfd) {
		rc = loop_add(db->loop, d->wfd, 0, &d->wh);
		if (rc)
			loop_del(db->loop, d->rfd);
	}
	if (rc) {
		snprintf(err, errlen, "%s: epoll: %s", url, strerror(-rc));
		goto fail;
	}
	d->ep.ops = &dgram_ops;
	d->ep.user = PORT_UID_NONE;
	if (d->mcast) {
		sa_format((struct sockaddr *)&d->self.ss, d->self.len, self,
			  sizeof(self));
		snprintf(d->ep.descr, sizeof(d->ep.descr),
			 "%.100s from %.50s", url, self);
	} else {
		snprintf(d->ep.descr, sizeof(d->ep.descr), "%.150s", url);
	}
	rc = port_attach(db->sw, p, &d->ep);
	if (rc) {
		snprintf(err, errlen, "%s: out of memory", url);
		loop_del(db->loop, d->rfd);
		if (d->wfd != d->rfd)
			loop_del(db->loop, d->wfd);
		goto fail;
	}
	log_info("port %u: %s attached (endpoint %d)", p->num, d->ep.descr,
		 d->ep.id);
	return 0;
fail:
	if (d->wfd >= 0 && d->wfd != d->rfd)
		close(d->wfd);
	if (d->rfd >= 0)
		close(d->rfd);
	free(d);
	return rc;
}

static int dgram_scheme_attach(struct sw_scheme *s, const char *rest,
			       unsigned port, char *err, size_t errlen)
{
	return dgram_attach(container_of(s, struct dgram_backend, dgram_scheme),
			    "dgram", rest, port, err, errlen);
}

static int udp_scheme_attach(struct sw_scheme *s, const char *rest,
			     unsigned port, char *err, size_t errlen)
{
	return dgram_attach(container_of(s, struct dgram_backend, udp_scheme),
			    "udp", rest, port, err, errlen);
}

static int mcast_scheme_attach(struct sw_scheme *s, const char *rest,
			       unsigned port, char *err, size_t errlen)
{
	return dgram_attach(container_of(s, struct dgram_backend, mcast_scheme),
			    "mcast", rest, port, err, errlen);
}

static void dgram_backend_destroy(struct sw_backend *b)
{
	free(container_of(b, struct dgram_backend, backend));
}

/**
 * dgramep_backend_create() - the datagram backend of a switch, serving
 * dgram://, udp:// and mcast://; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct dgram_backend *dgramep_backend_create(struct sw *sw)
{
	struct dgram_backend *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->sw = sw;
	db->loop = sw_loop(sw);
	db->backend.name = "dgram";
	db->backend.destroy = dgram_backend_destroy;
	db->dgram_scheme.name = "dgram";
	db->dgram_scheme.attach = dgram_scheme_attach;
	db->udp_scheme.name = "udp";
	db->udp_scheme.attach = udp_scheme_attach;
	db->mcast_scheme.name = "mcast";
	db->mcast_scheme.attach = mcast_scheme_attach;
	sw_backend_add(sw, &db->backend);
	sw_scheme_add(sw, &db->dgram_scheme);
	sw_scheme_add(sw, &db->udp_scheme);
	sw_scheme_add(sw, &db->mcast_scheme);
	return db;
}
