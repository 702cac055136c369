/* SPDX-License-Identifier: GPL-2.0-or-later
 * slirpep.c - user-mode networking as a switch port: slirp:// on libslirp,
 * the stack QEMU's -netdev user runs. The port is a whole network behind
 * NAT: guests on the switch get DHCP, DNS, TFTP and outbound TCP/UDP/ICMP
 * through sockets of the switch's process, and the host reaches them
 * through forwards; no root anywhere. The options are in slirpurl.c.
 *
 * One Slirp instance per port, run on the switch's loop, no thread:
 *
 * - Frames the switch sends to the port go to slirp_input() inside send().
 *   libslirp answers synchronously (send_packet from inside slirp_input):
 *   those frames go to fwd_input_iov(), which holds them until the batch
 *   is done (port.h, re-entrancy).
 *
 * - libslirp's sockets: after every call into libslirp (input, socket
 *   events, timers) slirp_pollfds_fill() says which sockets it wants to
 *   hear about and for what; each is put on the loop's epoll with those
 *   events (added, changed, or removed when no longer listed). An event
 *   runs slirp_pollfds_poll() with that socket's events. libslirp says when
 *   it is about to close a socket (unregister_poll_fd): it leaves epoll
 *   then, before its number can be reused. A socket's watch (struct sfd)
 *   is kept per fd number and freed with the port, after the batch.
 *
 * - Timers: libslirp's own (timer_new/timer_mod) are loop timers; its TCP
 *   timers need slirp_pollfds_poll() called in time, which fill's timeout
 *   gives: a loop timer armed for it. libslirp caps that timeout at 1 s
 *   even with nothing to do; 1 s (or more) back means nothing is pending
 *   and no timer is armed, so an idle port costs nothing (with TCP
 *   sockets open, forwards' listeners included, TCP's slow timer ticks
 *   twice a second, as in any BSD stack).
 *
 * - A guest opening flows without end: past SLIRP_MAX_SOCKETS of the
 *   port's sockets (counted between register_poll_fd and
 *   unregister_poll_fd) its new flows are dropped, counted and logged
 *   (rate-limited); the rest of the switch is not affected. A new flow is
 *   what makes libslirp open a socket: a TCP SYN; a UDP datagram from a
 *   guest address and port libslirp has no socket for (it keys its UDP
 *   sockets on the guest's end only, so one guest port sending to many
 *   destinations is one socket, many guest ports are many); an ICMP echo
 *   request to anyone but the gateway or DNS address (a socket per
 *   request; libslirp 4.7 answers ICMPv6 echo to its own only). Which UDP
 *   socket belongs to which guest end is seen as it is made: a socket
 *   registered while slirp_input() takes a UDP datagram is that
 *   datagram's. DHCP and TFTP, answered by libslirp itself, and the
 *   guest ends of udpfwd forwards always pass.
 *
 * - port/print: the network, the DHCP leases seen going to guests, the
 *   forwards and libslirp's own table of connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include <slirp/libslirp.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "port.h"
#include "slirpep.h"
#include "slirpurl.h"
#include "sw.h"
#include "vdewire.h"

#define SLIRP_MAX_SOCKETS 512	/* a guest's new flows refused past it */
#define SLIRP_IDLE_MS 1000	/* fill's timeout when nothing is pending */
#define SLIRP_LEASES 16		/* libslirp's DHCP pool size */
#define SLIRP_LOG_MS 10000	/* repeated log lines: one per period */

struct slirp_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme scheme;
};

struct slirpep;

/* One of libslirp's sockets, watched on the loop. */
struct sfd {
	struct loop_handler h;
	struct slirpep *s;
	int fd;
	bool open;		/* between register_ and unregister_poll_fd */
	bool watched;		/* on epoll */
	uint32_t events;	/* what epoll watches */
	uint32_t revents;	/* what it said, while slirp_pollfds_poll runs */
	unsigned gen;		/* the fill that last listed it */
	bool udp;		/* a guest's UDP flow, from its end: */
	uint8_t gaddr[16];	/* the guest's address (IPv4: 4 bytes) */
	uint16_t gport;		/* and port, network order */
};

/* What a frame from the guests is to the socket bound. */
enum flow_kind {
	FLOW_OTHER,		/* no new socket */
	FLOW_TCP,		/* a SYN */
	FLOW_UDP,		/* a datagram from @gaddr/@gport */
	FLOW_ICMP,		/* an echo request to the outside */
};

struct flow {
	enum flow_kind kind;
	bool v6;
	uint8_t gaddr[16];
	uint16_t gport;		/* network order */
};

/* A timer libslirp asked for. */
struct stimer {
	struct loop_timer t;
	struct slirpep *s;
	SlirpTimerCb cb;
	void *opaque;
};

struct lease {
	struct in_addr ip;
	uint8_t mac[6];
	bool used;
};

/* A line logged at most once per SLIRP_LOG_MS, the others counted. */
struct ratelog {
	long long next;
	unsigned skipped;
};

struct slirpep {
	struct endpoint ep;
	struct slirp_backend *sb;
	Slirp *slirp;
	struct slirp_opts o;
	struct sfd **byfd;	/* watches by fd number */
	unsigned nbyfd;
	struct sfd **polled;	/* what the last fill listed, by index */
	struct sfd **prev;	/* the fill before, for removals */
	unsigned npolled, nprev, cappolled, capprev;
	unsigned gen;
	unsigned nsockets;	/* sockets open (register_poll_fd) */
	unsigned nudp;		/* of which the guests' UDP flows */
	int new_fd;		/* registered during slirp_input(), or -1 */
	struct loop_timer tick;	/* slirp_pollfds_poll() for TCP timers */
	struct lease leases[SLIRP_LEASES];
	unsigned next_lease;
	struct ratelog guest_log, flood_log, epoll_log;
	unsigned long long refused;	/* new flows dropped by the bound: */
	unsigned long long refused_tcp, refused_udp, refused_icmp;
	struct loop_deferred dfr;
	uint8_t frame[FWD_RXBUF];	/* a frame gathered for slirp_input() */
};

/* True when the line may be logged now; @more then says how many were
 * not since the last ("" if none). */
static bool ratelog_ok(struct slirpep *s, struct ratelog *r, char *more,
		       size_t len)
{
	long long now = loop_now_ms(s->sb->loop);

	if (now < r->next) {
		r->skipped++;
		return false;
	}
	r->next = now + SLIRP_LOG_MS;
	more[0] = '\0';
	if (r->skipped)
		snprintf(more, len, " (and %u more not logged)", r->skipped);
	r->skipped = 0;
	return true;
}

/* --- libslirp's sockets on the loop ------------------------------------ */

static uint32_t to_epoll(int ev)
{
	return ((ev & SLIRP_POLL_IN) ? EPOLLIN : 0) |
	       ((ev & SLIRP_POLL_OUT) ? EPOLLOUT : 0) |
	       ((ev & SLIRP_POLL_PRI) ? EPOLLPRI : 0);
}

static int from_epoll(uint32_t ev)
{
	return ((ev & EPOLLIN) ? SLIRP_POLL_IN : 0) |
	       ((ev & EPOLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((ev & EPOLLPRI) ? SLIRP_POLL_PRI : 0) |
	       ((ev & EPOLLERR) ? SLIRP_POLL_ERR : 0) |
	       ((ev & EPOLLHUP) ? SLIRP_POLL_HUP : 0);
}

static void sync_slirp(struct slirpep *s);
static int get_revents(int idx, void *opaque);

static void sfd_cb(struct loop_handler *h, uint32_t events)
{
	struct sfd *f = container_of(h, struct sfd, h);
	struct slirpep *s = f->s;

	/* an event of the batch for a socket slirp has let go since */
	if (!s->slirp || s->ep.closing || !f->watched || f->gen != s->gen)
		return;
	f->revents = events;
	slirp_pollfds_poll(s->slirp, 0, get_revents, s);
	f->revents = 0;
	sync_slirp(s);
}

/* The watch of fd @fd, made on first use. */
static struct sfd *sfd_get(struct slirpep *s, int fd)
{
	struct sfd *f;

	if (fd < 0)
		return NULL;
	if ((unsigned)fd >= s->nbyfd) {
		unsigned n = (unsigned)fd + 64;
		struct sfd **t = calloc(n, sizeof(*t));

		if (!t)
			return NULL;
		if (s->nbyfd)
			memcpy(t, s->byfd, s->nbyfd * sizeof(*t));
		free(s->byfd);
		s->byfd = t;
		s->nbyfd = n;
	}
	f = s->byfd[fd];
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return NULL;
		f->h.cb = sfd_cb;
		f->s = s;
		f->fd = fd;
		s->byfd[fd] = f;
	}
	return f;
}

static void sfd_unwatch(struct slirpep *s, struct sfd *f)
{
	if (!f->watched)
		return;
	loop_del(s->sb->loop, f->fd);
	f->watched = false;
	f->events = 0;
}

static void epoll_failed(struct slirpep *s, int fd, int rc)
{
	char more[64];

	if (ratelog_ok(s, &s->epoll_log, more, sizeof(more)))
		log_warnx("%s: watching socket %d: %s%s", s->ep.descr, fd,
			  strerror(-rc), more);
}

/* Room for one more in the fill's list. Return: 0 or -ENOMEM */
static int polled_room(struct slirpep *s)
{
	unsigned cap = s->cappolled ? 2 * s->cappolled : 64;
	struct sfd **a;

	if (s->npolled < s->cappolled)
		return 0;
	a = calloc(cap, sizeof(*a));
	if (!a)
		return -ENOMEM;
	if (s->npolled)
		memcpy(a, s->polled, s->npolled * sizeof(*a));
	free(s->polled);
	s->polled = a;
	s->cappolled = cap;
	return 0;
}

/* slirp_pollfds_fill()'s add_poll: watch @fd for @events. */
static int add_poll(int fd, int events, void *opaque)
{
	struct slirpep *s = opaque;
	struct sfd *f = sfd_get(s, fd);
	uint32_t ev = to_epoll(events);
	int rc = 0;

	if (!f || polled_room(s)) {
		epoll_failed(s, fd, -ENOMEM);
		return -1;
	}
	if (!f->watched) {
		rc = loop_add(s->sb->loop, fd, ev, &f->h);
		f->watched = !rc;
	} else if (f->events != ev) {
		rc = loop_mod(s->sb->loop, fd, ev, &f->h);
	}
	if (rc) {
		epoll_failed(s, fd, rc);
		sfd_unwatch(s, f);
		return -1;
	}
	f->events = ev;
	f->gen = s->gen;
	s->polled[s->npolled] = f;
	return (int)s->npolled++;
}

/* slirp_pollfds_poll()'s get_revents: what epoll said of socket @idx. */
static int get_revents(int idx, void *opaque)
{
	struct slirpep *s = opaque;

	if (idx < 0 || (unsigned)idx >= s->npolled)
		return 0;
	return from_epoll(s->polled[idx]->revents);
}

/*
 * After every call into libslirp: epoll watches what it now wants, and the
 * tick timer is armed for its TCP timers. The sockets listed by the fill
 * before and not now leave epoll.
 */
static void sync_slirp(struct slirpep *s)
{
	struct loop *loop = s->sb->loop;
	uint32_t timeout = UINT32_MAX;
	struct sfd **t;
	unsigned i, cap;

	if (!s->slirp || s->ep.closing)
		return;
	t = s->prev;
	s->prev = s->polled;
	s->polled = t;
	cap = s->capprev;
	s->capprev = s->cappolled;
	s->cappolled = cap;
	s->nprev = s->npolled;
	s->npolled = 0;
	s->gen++;
	slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
	for (i = 0; i < s->nprev; i++)
		if (s->prev[i]->gen != s->gen)
			sfd_unwatch(s, s->prev[i]);
	if (timeout >= SLIRP_IDLE_MS) {
		loop_timer_del(loop, &s->tick);
	} else if (!loop_timer_armed(&s->tick) ||
		   s->tick.when > loop_clock_ms() + timeout) {
		/* an earlier deadline only: a stream of frames must not keep
		 * pushing TCP's timers back */
		if (loop_timer_mod(loop, &s->tick, timeout))
			epoll_failed(s, -1, -ENOMEM);
	}
}

static void tick_cb(struct loop_timer *t)
{
	struct slirpep *s = container_of(t, struct slirpep, tick);

	if (!s->slirp || s->ep.closing)
		return;
	slirp_pollfds_poll(s->slirp, 0, get_revents, s);
	sync_slirp(s);
}

/* --- libslirp's callbacks ---------------------------------------------- */

/* A DHCP ACK going to a guest: remember the lease for port/print. */
static void snoop_dhcp(struct slirpep *s, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *udp, *b, *opt, *end = f + len;
	struct in_addr yi;
	unsigned ihl, i;
	int slot = -1;

	if (len < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0x00 ||
	    ip[9] != 17)
		return;
	ihl = (ip[0] & 0x0f) * 4u;
	udp = ip + ihl;
	if (ihl < 20 || udp + 8 + 240 > end || udp[0] != 0 || udp[1] != 67)
		return;
	b = udp + 8;
	if (b[0] != 2 || memcmp(b + 236, "\x63\x82\x53\x63", 4))
		return;
	for (opt = b + 240; opt + 2 < end && opt[0] != 255;
	     opt += opt[0] ? 2 + opt[1] : 1) {
		if (opt[0] == 53 && opt[1] == 1 && opt[2] != 5)
			return;		/* not an ACK */
		if (opt[0] == 53)
			break;
	}
	if (opt + 2 >= end || opt[0] != 53)
		return;
	memcpy(&yi, b + 16, 4);
	for (i = 0; i < SLIRP_LEASES; i++)
		if (s->leases[i].used && !memcmp(s->leases[i].mac, b + 28, 6))
			slot = (int)i;
	if (slot < 0) {
		slot = (int)s->next_lease;
		s->next_lease = (s->next_lease + 1) % SLIRP_LEASES;
	}
	s->leases[slot].used = true;
	s->leases[slot].ip = yi;
	memcpy(s->leases[slot].mac, b + 28, 6);
}

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirpep *s = opaque;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
			     .iov_len = len };

	if (!s->ep.port || s->ep.closing)
		return (ssize_t)len;
	snoop_dhcp(s, buf, len);
	fwd_input_iov(&s->ep, &iov, 1);
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	struct slirpep *s = opaque;
	char more[64];

	if (ratelog_ok(s, &s->guest_log, more, sizeof(more)))
		log_warnx("%s: guest error: %s%s", s->ep.descr, msg, more);
}

static int64_t clock_get_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stimer_cb(struct loop_timer *t)
{
	struct stimer *st = container_of(t, struct stimer, t);
	struct slirpep *s = st->s;

	if (!s->slirp || s->ep.closing)
		return;
	st->cb(st->opaque);
	sync_slirp(s);
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct stimer *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	loop_timer_init(&st->t, stimer_cb);
	st->s = opaque;
	st->cb = cb;
	st->opaque = cb_opaque;
	return st;
}

static void timer_free(void *timer, void *opaque)
{
	struct stimer *st = timer;

	(void)opaque;
	if (!st)
		return;
	loop_timer_del(st->s->sb->loop, &st->t);
	free(st);
}

/* @expire_ms on clock_get_ns()'s clock, in milliseconds */
static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct stimer *st = timer;
	int64_t in = expire_ms - clock_get_ns(opaque) / 1000000;

	if (!st)
		return;
	if (in < 0)
		in = 0;
	if (in > INT_MAX)
		in = INT_MAX;
	if (loop_timer_mod(st->s->sb->loop, &st->t, (unsigned)in))
		epoll_failed(st->s, -1, -ENOMEM);
}

/* A socket libslirp opened: counted (the bound on a guest's connections);
 * it is watched from the next fill. */
static void register_poll_fd(int fd, void *opaque)
{
	struct slirpep *s = opaque;
	struct sfd *f = sfd_get(s, fd);

	if (f && !f->open) {
		f->open = true;
		f->udp = false;
		s->nsockets++;
		s->new_fd = fd;
	}
}

/* Before libslirp closes @fd: it leaves epoll while the number is ours. */
static void unregister_poll_fd(int fd, void *opaque)
{
	struct slirpep *s = opaque;
	struct sfd *f;

	if (fd < 0 || (unsigned)fd >= s->nbyfd || !s->byfd[fd])
		return;
	f = s->byfd[fd];
	sfd_unwatch(s, f);
	if (f->open) {
		f->open = false;
		s->nsockets--;
	}
	if (f->udp) {
		f->udp = false;
		s->nudp--;
	}
}

/* Only for guestfwd= (data pushed by the application), not used here. */
static void notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb slirp_cbs = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_get_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = register_poll_fd,
	.unregister_poll_fd = unregister_poll_fd,
	.notify = notify,
};

/* --- the endpoint ------------------------------------------------------ */

/*
 * What frame @f of @len bytes from the guests is to the socket bound
 * (slirpep.c's header): IPv4 or IPv6 (no extension headers), fragments
 * but the first aside.
 */
static void classify(const struct slirpep *s, const uint8_t *f, size_t len,
		     struct flow *fl)
{
	const uint8_t *l4, *dst, *end = f + len;
	unsigned proto, alen;
	uint16_t dport;

	fl->kind = FLOW_OTHER;
	if (len < 14 + 20)
		return;
	if (f[12] == 0x08 && f[13] == 0x00 && s->o.v4) {
		if ((f[14 + 6] & 0x1f) || f[14 + 7])
			return;		/* a later fragment */
		l4 = f + 14 + (f[14] & 0x0f) * 4u;
		proto = f[14 + 9];
		memcpy(fl->gaddr, f + 14 + 12, 4);
		dst = f + 14 + 16;
		alen = 4;
	} else if (f[12] == 0x86 && f[13] == 0xdd && s->o.v6 &&
		   len >= 14 + 40) {
		l4 = f + 14 + 40;
		proto = f[14 + 6];
		memcpy(fl->gaddr, f + 14 + 8, 16);
		dst = f + 14 + 24;
		alen = 16;
		fl->v6 = true;
	} else {
		return;
	}
	if (proto == 6 && l4 + 14 <= end && (l4[13] & 0x12) == 0x02) {
		fl->kind = FLOW_TCP;
	} else if (proto == 17 && l4 + 8 <= end) {
		dport = (uint16_t)(l4[2] << 8 | l4[3]);
		/* DHCP, DHCPv6 and TFTP: libslirp's own, no socket */
		if (dport == 67 || dport == 547 || dport == 69)
			return;
		memcpy(&fl->gport, l4, 2);
		fl->kind = FLOW_UDP;
	} else if (proto == 1 && alen == 4 && l4 < end && l4[0] == 8 &&
		   memcmp(dst, &s->o.host, 4) && memcmp(dst, &s->o.dns, 4)) {
		fl->kind = FLOW_ICMP;	/* the gateway and DNS answer */
	}
}

/* True when the guests' UDP flow @fl has a socket already, or is the
 * guest's end of a udpfwd forward: its datagrams open nothing. */
static bool udp_known(const struct slirpep *s, const struct flow *fl)
{
	unsigned i;

	for (i = 0; i < s->o.nfwd; i++)
		if (s->o.fwd[i].udp && !fl->v6 &&
		    !memcmp(&s->o.fwd[i].gaddr, fl->gaddr, 4) &&
		    s->o.fwd[i].gport == ntohs(fl->gport))
			return true;
	for (i = 0; i < s->nbyfd; i++) {
		const struct sfd *f = s->byfd[i];

		if (f && f->udp && f->gport == fl->gport &&
		    !memcmp(f->gaddr, fl->gaddr, sizeof(f->gaddr)))
			return true;
	}
	return false;
}

static void refuse(struct slirpep *s, const struct flow *fl)
{
	char more[64];

	s->refused++;
	if (fl->kind == FLOW_TCP)
		s->refused_tcp++;
	else if (fl->kind == FLOW_UDP)
		s->refused_udp++;
	else
		s->refused_icmp++;
	if (ratelog_ok(s, &s->flood_log, more, sizeof(more)))
		log_warnx("%s: %u sockets open: refusing the guests' new "
			  "connections (%llu so far: tcp %llu, udp %llu, "
			  "icmp %llu)%s", s->ep.descr, s->nsockets, s->refused,
			  s->refused_tcp, s->refused_udp, s->refused_icmp,
			  more);
}

static void input_one(struct slirpep *s, const uint8_t *f, size_t len)
{
	struct flow fl;
	struct sfd *sf;

	memset(&fl, 0, sizeof(fl));
	classify(s, f, len, &fl);
	if (s->nsockets >= SLIRP_MAX_SOCKETS && fl.kind != FLOW_OTHER &&
	    !(fl.kind == FLOW_UDP && udp_known(s, &fl))) {
		refuse(s, &fl);
		return;
	}
	s->new_fd = -1;
	slirp_input(s->slirp, f, (int)len);
	if (fl.kind != FLOW_UDP || s->new_fd < 0 || !s->slirp)
		return;
	/* the socket libslirp opened for this datagram's guest end */
	sf = s->byfd[s->new_fd];
	if (sf->open && !sf->udp) {
		sf->udp = true;
		memcpy(sf->gaddr, fl.gaddr, sizeof(sf->gaddr));
		sf->gport = fl.gport;
		s->nudp++;
	}
}

static int slirp_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct slirpep *s = container_of(ep, struct slirpep, ep);
	unsigned i, j;

	for (i = 0; i < n && s->slirp; i++) {
		struct msghdr *m = &msgs[i].msg_hdr;
		size_t len = 0;

		if (m->msg_iovlen == 1) {
			input_one(s, m->msg_iov[0].iov_base,
				  m->msg_iov[0].iov_len);
			continue;
		}
		for (j = 0; j < m->msg_iovlen; j++) {
			size_t l = m->msg_iov[j].iov_len;

			if (len + l > sizeof(s->frame))
				break;
			memcpy(s->frame + len, m->msg_iov[j].iov_base, l);
			len += l;
		}
		input_one(s, s->frame, len);
	}
	sync_slirp(s);
	return (int)n;
}

/* slirp_input() always takes the frame: the core never queues. */
static int slirp_want_write(struct endpoint *ep, bool on)
{
	(void)ep;
	(void)on;
	return 0;
}

static void slirp_free(struct loop_deferred *d)
{
	struct slirpep *s = container_of(d, struct slirpep, dfr);
	unsigned i;

	for (i = 0; i < s->nbyfd; i++)
		free(s->byfd[i]);
	free(s->byfd);
	free(s->polled);
	free(s->prev);
	free(s);
}

static void slirp_close(struct endpoint *ep)
{
	struct slirpep *s = container_of(ep, struct slirpep, ep);
	unsigned i;

	for (i = 0; i < s->nbyfd; i++)
		if (s->byfd[i])
			sfd_unwatch(s, s->byfd[i]);
	loop_timer_del(s->sb->loop, &s->tick);
	if (s->slirp)
		slirp_cleanup(s->slirp);	/* its sockets, forwards, timers */
	s->slirp = NULL;
	log_info("%s closed", s->ep.descr);
	loop_defer(s->sb->loop, &s->dfr, slirp_free);
}

/* Each line of libslirp's report (its own malloc: GLib's g_malloc is
 * malloc since 2.46), indented. */
static void print_report(char *text, void (*line)(void *arg, const char *t),
			 void *arg)
{
	char *save = NULL, *l;

	if (!text)
		return;
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		line(arg, l);
	free(text);
}

/* The settings of @o, a line each (port/print, and the log with
 * verbose). */
static void slirp_print_opts(const struct slirp_opts *o,
			     void (*line)(void *arg, const char *text),
			     void *arg)
{
	char buf[1024], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN],
		c[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], mru[32] = "";
	unsigned i;

	if (o->mru != o->mtu)
		snprintf(mru, sizeof(mru), " mru %u", o->mru);
	if (o->v4) {
		inet_ntop(AF_INET, &o->net, a, sizeof(a));
		inet_ntop(AF_INET, &o->host, b, sizeof(b));
		inet_ntop(AF_INET, &o->dns, c, sizeof(c));
		inet_ntop(AF_INET, &o->dhcp, d, sizeof(d));
		snprintf(buf, sizeof(buf), "slirp: network %s/%u gateway %s "
			 "dns %s dhcp %s mtu %u%s", a, o->len, b, c, d, o->mtu,
			 mru);
		line(arg, buf);
	}
	if (o->v6) {
		inet_ntop(AF_INET6, &o->net6, a, sizeof(a));
		inet_ntop(AF_INET6, &o->host6, b, sizeof(b));
		inet_ntop(AF_INET6, &o->dns6, c, sizeof(c));
		snprintf(buf, sizeof(buf), "slirp: network6 %s/%u gateway %s "
			 "dns %s%s", a, o->len6, b, c, o->v4 ? "" : mru);
		line(arg, buf);
	}
	if (o->hostname[0] || o->domain[0] || o->search[0]) {
		snprintf(buf, sizeof(buf), "slirp: dhcp%s%s%s%s%s%s",
			 o->hostname[0] ? " hostname " : "", o->hostname,
			 o->domain[0] ? " domain " : "", o->domain,
			 o->search[0] ? " search " : "", o->search);
		line(arg, buf);
	}
	if (o->tftp_path[0] || o->tftp_name[0] || o->bootfile[0]) {
		snprintf(buf, sizeof(buf), "slirp: tftp %.300s%s%s%s%s",
			 o->tftp_path[0] ? o->tftp_path : "(none)",
			 o->tftp_name[0] ? " server-name " : "", o->tftp_name,
			 o->bootfile[0] ? " bootfile " : "", o->bootfile);
		line(arg, buf);
	}
	if (o->no_host_loopback)
		line(arg, "slirp: host loopback off (guests do not reach the "
		     "host's 127.0.0.1)");
	for (i = 0; i < o->nfwd; i++) {
		const struct slirp_fwd *f = &o->fwd[i];

		inet_ntop(AF_INET, &f->haddr, a, sizeof(a));
		inet_ntop(AF_INET, &f->gaddr, b, sizeof(b));
		snprintf(buf, sizeof(buf), "slirp: forward %s %s:%u -> %s:%u",
			 f->udp ? "udp" : "tcp", a, f->hport, b, f->gport);
		line(arg, buf);
	}
}

static void slirp_print(const struct endpoint *ep,
			void (*line)(void *arg, const char *text), void *arg)
{
	const struct slirpep *s = (const struct slirpep *)(const void *)(
		(const char *)ep - offsetof(struct slirpep, ep));
	char buf[512], a[INET6_ADDRSTRLEN], mac[18];
	unsigned i;

	slirp_print_opts(&s->o, line, arg);
	for (i = 0; i < SLIRP_LEASES; i++) {
		if (!s->leases[i].used)
			continue;
		inet_ntop(AF_INET, &s->leases[i].ip, a, sizeof(a));
		format_mac(s->leases[i].mac, mac);
		snprintf(buf, sizeof(buf), "slirp: lease %s %s", a, mac);
		line(arg, buf);
	}
	snprintf(buf, sizeof(buf), "slirp: sockets %u, %u of them the "
		 "guests' UDP flows (at most %u for the guests' connections)",
		 s->nsockets, s->nudp, SLIRP_MAX_SOCKETS);
	line(arg, buf);
	if (s->refused) {
		snprintf(buf, sizeof(buf), "slirp: refused %llu new "
			 "connections (tcp %llu, udp %llu, icmp %llu)",
			 s->refused, s->refused_tcp, s->refused_udp,
			 s->refused_icmp);
		line(arg, buf);
	}
	if (s->slirp)
		print_report(slirp_connection_info(s->slirp), line, arg);
}

static const struct endpoint_ops slirp_ops = {
	.kind = "slirp",
	.pad = false,
	.url = true,
	.send = slirp_send,
	.want_write = slirp_want_write,
	.close = slirp_close,
	.print = slirp_print,
};

/* --- attaching --------------------------------------------------------- */

static Slirp *slirp_start(struct slirpep *s)
{
	const struct slirp_opts *o = &s->o;
	char search[SLIRP_SEARCH_MAX + 1];
	const char *names[SLIRP_SEARCH_NAMES + 1];
	SlirpConfig cfg = {
		.version = 4,
		.restricted = 0,
		.in_enabled = o->v4,
		.vnetwork = o->net,
		.vnetmask = o->mask,
		.vhost = o->host,
		.in6_enabled = o->v6,
		.vprefix_addr6 = o->net6,
		.vprefix_len = (uint8_t)o->len6,
		.vhost6 = o->host6,
		.vhostname = o->hostname[0] ? o->hostname : NULL,
		.tftp_server_name = o->tftp_name[0] ? o->tftp_name : NULL,
		.tftp_path = o->tftp_path[0] ? o->tftp_path : NULL,
		.bootfile = o->bootfile[0] ? o->bootfile : NULL,
		.vdhcp_start = o->dhcp,
		.vnameserver = o->dns,
		.vnameserver6 = o->dns6,
		.vdomainname = o->domain[0] ? o->domain : NULL,
		.if_mtu = o->mtu,
		.if_mru = o->mru,
		.disable_host_loopback = o->no_host_loopback,
	};

	if (slirpurl_search(o, search, names))
		cfg.vdnssearch = names;	/* copied by slirp_new() */
#ifdef __SANITIZE_ADDRESS__
	/* libslirp 4.7's slirp_cleanup() never frees its copy of
	 * tftp_server_name (strlen + 1 bytes a port): not ours to report */
	if (cfg.tftp_server_name) {
		Slirp *sl;

		__lsan_disable();
		sl = slirp_new(&cfg, &slirp_cbs, s);
		__lsan_enable();
		return sl;
	}
#endif
	return slirp_new(&cfg, &slirp_cbs, s);
}

/* slirp_print_opts()'s line for the log: @arg is the port */
static void log_line(void *arg, const char *text)
{
	const struct port *p = arg;

	log_info("port %u: %s", p->num, text);
}

/* Every forward, or none: the reason of the first that fails in @err. */
static int add_forwards(struct slirpep *s, const char *url, char *err,
			size_t errlen)
{
	char h[INET_ADDRSTRLEN];
	unsigned i;

	for (i = 0; i < s->o.nfwd; i++) {
		const struct slirp_fwd *f = &s->o.fwd[i];
		int e;

		errno = 0;
		if (!slirp_add_hostfwd(s->slirp, f->udp, f->haddr,
				       (int)f->hport, f->gaddr, (int)f->gport))
			continue;
		e = errno ? errno : EADDRINUSE;
		inet_ntop(AF_INET, &f->haddr, h, sizeof(h));
		snprintf(err, errlen, "%s: forward of %s port %s:%u: %s", url,
			 f->udp ? "udp" : "tcp", h, f->hport, strerror(e));
		return -e;
	}
	return 0;
}

static int slirp_attach(struct sw_scheme *sc, const char *rest, unsigned port,
			char *err, size_t errlen)
{
	struct slirp_backend *sb = container_of(sc, struct slirp_backend,
						scheme);
	struct slirpep *s = calloc(1, sizeof(*s));
	char url[256], why[400];
	struct port *p;
	int rc;

	snprintf(url, sizeof(url), "slirp://%s", rest);
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", url);
		return -ENOMEM;
	}
	s->sb = sb;
	s->new_fd = -1;
	loop_timer_init(&s->tick, tick_cb);
	rc = slirpurl_parse(rest, &s->o, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", url, why);
		goto fail;
	}
	rc = sw_port_for_attach(sb->sw, port, &p, err, errlen);
	if (rc)
		goto fail;
	s->slirp = slirp_start(s);
	if (!s->slirp) {
		snprintf(err, errlen, "%s: libslirp refused the settings", url);
		rc = -EINVAL;
		goto fail;
	}
	rc = add_forwards(s, url, err, errlen);
	if (rc)
		goto fail;
	s->ep.ops = &slirp_ops;
	s->ep.user = PORT_UID_NONE;
	snprintf(s->ep.descr, sizeof(s->ep.descr), "%.150s", url);
	rc = port_attach(sb->sw, p, &s->ep);
	if (rc) {
		snprintf(err, errlen, "%s: out of memory", url);
		goto fail;
	}
	sync_slirp(s);
	log_info("port %u: %s attached (endpoint %d)", p->num, s->ep.descr,
		 s->ep.id);
	if (s->o.verbose)
		slirp_print_opts(&s->o, log_line, p);
	return 0;
fail:
	if (s->slirp)
		slirp_cleanup(s->slirp);	/* the forwards made so far */
	slirp_free(&s->dfr);
	return rc;
}

static void slirp_backend_destroy(struct sw_backend *b)
{
	free(container_of(b, struct slirp_backend, backend));
}

/**
 * slirpep_backend_create() - the user-mode networking backend of a switch,
 * serving slirp://; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct slirp_backend *slirpep_backend_create(struct sw *sw)
{
	struct slirp_backend *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->sw = sw;
	sb->loop = sw_loop(sw);
	sb->backend.name = "slirp";
	sb->backend.destroy = slirp_backend_destroy;
	sb->scheme.name = "slirp";
	sb->scheme.attach = slirp_attach;
	sw_backend_add(sw, &sb->backend);
	sw_scheme_add(sw, &sb->scheme);
	return sb;
}
