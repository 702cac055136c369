/* SPDX-License-Identifier: GPL-2.0-or-later
 * tap.c - the TAP backend.
 *
 * A TAP endpoint is /dev/net/tun opened with TUNSETIFF (IFF_TAP |
 * IFF_NO_PI | IFF_VNET_HDR), non-blocking, on the switch's loop. Every
 * frame each way has a 12-byte virtio-net header (TUNSETVNETHDRSZ), and
 * TUNSETOFFLOAD lets the kernel hand over TCP segments of up to 64 KiB
 * and partial checksums (CSUM, TSO4, TSO6, TSO_ECN): a guest on a
 * vhost-user port and the host then exchange such segments as they are,
 * and the core cuts them (or completes the checksum) for ports without
 * offloads. It reads frames with their headers into the receive buffers
 * the core lends for that (up to FWD_BATCH per wake-up, until EAGAIN) and
 * hands them to the core, which checks them and counts; frames to it go
 * out unpadded with writev(), header first, one per frame, through the
 * core's bounded queue. Netlink (netlink.c) brings the device
 * up and sets its MTU, MAC, addresses and bridge before the port is
 * attached; whatever it changed is put back when the port closes, and a
 * device the switch created goes with its fd.
 *
 * The backend serves the tap:// scheme: port/attach tap://IFNAME [PORT].
 * The device deleted under the switch (ip link del) makes the read fail:
 * the port goes inactive with a log line, the rest keeps running.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "sw.h"
#include "tap.h"

#define TAP_DEV "/dev/net/tun"

struct tap_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme scheme;
};

struct tapep {
	struct endpoint ep;
	struct tap_backend *tb;
	struct loop_handler h;
	struct loop_deferred dfr;
	struct tapnl_undo *undo;
	int fd;
	bool want_out;
	bool gone;		/* the device vanished: nothing to put back */
	char ifname[IFNAMSIZ];
};

/**
 * tap_spec_init() - a TAP spec with the defaults: link up, MTU 1500
 * @spec:	filled in
 * @ifname:	interface name (kept, not copied)
 */
void tap_spec_init(struct tap_spec *spec, const char *ifname)
{
	memset(spec, 0, sizeof(*spec));
	spec->ifname = ifname;
	spec->nl.up = true;
	spec->nl.mtu = 1500;
}

/**
 * tap_open() - open a TAP device, creating it if absent
 * @ifname:	its name
 * @name:	the name the kernel gave (IFNAMSIZ bytes)
 * @err:	on failure, why, with what to do about it
 * @errlen:	size of @err
 *
 * Return: a non-blocking, close-on-exec fd, or -errno
 */
int tap_open(const char *ifname, char *name, char *err, size_t errlen)
{
	return tap_open_flags(ifname, IFF_TAP | IFF_NO_PI, name, err, errlen);
}

/**
 * tap_open_flags() - tap_open() with other TUNSETIFF flags
 * @ifname:	its name
 * @flags:	IFF_TAP | IFF_NO_PI, and maybe IFF_VNET_HDR
 * @name:	the name the kernel gave (IFNAMSIZ bytes)
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * Return: a non-blocking, close-on-exec fd, or -errno
 */
int tap_open_flags(const char *ifname, int flags, char *name, char *err,
		   size_t errlen)
{
	struct ifreq ifr;
	int fd, e;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "TAP name '%s': 1 to %d characters",
			 ifname, IFNAMSIZ - 1);
		return -EINVAL;
	}
	fd = open(TAP_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s%s", TAP_DEV, strerror(e),
			 e == ENOENT ? " (no TUN/TAP support: modprobe tun)"
				     : "");
		return -e;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)flags;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		if (e == EPERM)
			snprintf(err, errlen,
				 "TAP %s: creating or opening it needs "
				 "CAP_NET_ADMIN; as root, prepare one this "
				 "user may open: patchbay-tap --mkpersist %s "
				 "--owner USER (or ip tuntap add %s mode tap "
				 "user USER)", ifname, ifname, ifname);
		else if (e == EBUSY || e == EINVAL)
			snprintf(err, errlen,
				 "TAP %s: the name is taken by a device that "
				 "is not a free TAP (%s)", ifname,
				 strerror(e));
		else
			snprintf(err, errlen, "TAP %s: %s", ifname,
				 strerror(e));
		return -e;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return fd;
}

static int tap_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct tapep *t = container_of(ep, struct tapep, ep);
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct msghdr *h = &msgs[i].msg_hdr;
		ssize_t w;

		do
			w = writev(t->fd, h->msg_iov, (int)h->msg_iovlen);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			if (i)
				return (int)i;
			return -errno;
		}
	}
	return (int)n;
}

static int tap_want_write(struct endpoint *ep, bool on)
{
	struct tapep *t = container_of(ep, struct tapep, ep);
	int rc;

	if (t->want_out == on)
		return 0;
	rc = loop_mod(t->tb->loop, t->fd, EPOLLIN | (on ? EPOLLOUT : 0),
		      &t->h);
	if (!rc)
		t->want_out = on;
	return rc;
}

static void tap_free(struct loop_deferred *d)
{
	free(container_of(d, struct tapep, dfr));
}

static void tap_close(struct endpoint *ep)
{
	struct tapep *t = container_of(ep, struct tapep, ep);

	loop_del(t->tb->loop, t->fd);
	/* put the device back as found while it still exists */
	if (t->gone) {
		tapnl_forget(t->undo);
	} else {
		char err[256];

		if (tapnl_revert(t->undo, err, sizeof(err)))
			log_warnx("TAP %s: %s", t->ifname, err);
	}
	t->undo = NULL;
	close(t->fd);
	t->fd = -1;
	log_info("TAP %s closed", t->ifname);
	loop_defer(t->tb->loop, &t->dfr, tap_free);
}

static void tap_print(const struct endpoint *ep,
		      void (*line)(void *arg, const char *text), void *arg)
{
	line(arg, ep->offloads ? "tap: virtio-net header 12 bytes, offloads "
				 "CSUM TSO4 TSO6 TSO_ECN"
			       : "tap: virtio-net header 12 bytes, no "
				 "offloads (TUNSETOFFLOAD refused)");
}

static const struct endpoint_ops tap_ops = {
	.kind = "tuntap",
	.pad = false,
	.url = true,
	.vnet = true,
	.print = tap_print,
	.send = tap_send,
	.want_write = tap_want_write,
	.close = tap_close,
};

/* Read until EAGAIN, a batch at a time, into the core's buffers. */
static void tap_read(struct tapep *t)
{
	unsigned k, rounds;

	for (rounds = 0; rounds < 4 && !t->ep.closing; rounds++) {
		struct fwd_rxv *rx = fwd_rxv_get(t->tb->sw);

		if (!rx)
			return;		/* tap_attach() got them: never */
		for (k = 0; k < FWD_BATCH; k++) {
			ssize_t r;

			do
				r = readv(t->fd, rx->iov[k], 2);
			while (r < 0 && errno == EINTR);
			if (r >= 0) {
				rx->msgs[k].msg_len = (unsigned)r;
				continue;
			}
			if (errno != EAGAIN) {
				log_warnx("TAP %s: %s: the port goes "
					  "inactive", t->ifname,
					  strerror(errno));
				t->gone = true;
				endpoint_close(&t->ep);
			}
			break;
		}
		if (k)
			fwd_rxv_input(&t->ep, k);
		if (k < FWD_BATCH)
			return;
	}
}

/* A 12-byte header each way, and the offloads the kernel may use toward
 * us; without them the header stays (flags 0). Return: 0, or -errno */
static int tap_offloads(struct tapep *t, char *err, size_t errlen)
{
	int sz = VNET_HDR_LEN;
	unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;

	if (ioctl(t->fd, TUNSETVNETHDRSZ, &sz) < 0) {
		int e = errno;

		snprintf(err, errlen, "TAP %s: TUNSETVNETHDRSZ: %s", t->ifname,
			 strerror(e));
		return -e;
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)off) < 0) {
		log_warnx("TAP %s: TUNSETOFFLOAD: %s: no offloads, every "
			  "frame whole", t->ifname, strerror(errno));
		t->ep.offloads = 0;
		return 0;
	}
	t->ep.offloads = EP_OFF_CSUM | EP_OFF_TSO4 | EP_OFF_TSO6 | EP_OFF_ECN;
	return 0;
}

static void tap_cb(struct loop_handler *h, uint32_t events)
{
	struct tapep *t = container_of(h, struct tapep, h);

	if (t->ep.closing)
		return;
	if (events & EPOLLOUT)
		fwd_drain(&t->ep);
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		tap_read(t);
}

/**
 * tap_attach() - open and configure a TAP, and attach it as a port
 * @tb:		the TAP backend
 * @spec:	the device and its configuration
 * @port:	port number, or SW_ANY_PORT
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * On failure nothing is left behind: the device is put back as found (or
 * goes, if it was created here).
 *
 * Return: 0, or -errno
 */
int tap_attach(struct tap_backend *tb, const struct tap_spec *spec,
	       unsigned port, char *err, size_t errlen)
{
	struct tapep *t = calloc(1, sizeof(*t));
	struct port *p;
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->tb = tb;
	rc = sw_port_for_attach(tb->sw, port, &p, err, errlen);
	if (rc)
		goto fail;
	if (!fwd_rxv_get(tb->sw)) {
		snprintf(err, errlen, "out of memory for 64 KiB receive "
			 "buffers");
		rc = -ENOMEM;
		goto fail;
	}
	t->fd = tap_open_flags(spec->ifname,
			       IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, t->ifname,
			       err, errlen);
	if (t->fd < 0) {
		rc = t->fd;
		goto fail;
	}
	rc = tap_offloads(t, err, errlen);
	if (rc)
		goto fail_fd;
	rc = tapnl_configure(t->ifname, &spec->nl, &t->undo, err, errlen);
	if (rc)
		goto fail_fd;
	t->h.cb = tap_cb;
	rc = loop_add(tb->loop, t->fd, EPOLLIN, &t->h);
	if (rc) {
		snprintf(err, errlen, "TAP %s: epoll: %s", t->ifname,
			 strerror(-rc));
		goto fail_nl;
	}
	t->ep.ops = &tap_ops;
	t->ep.user = PORT_UID_NONE;
	snprintf(t->ep.descr, sizeof(t->ep.descr), "%s", t->ifname);
	rc = port_attach(tb->sw, p, &t->ep);
	if (rc) {
		snprintf(err, errlen, "TAP %s: out of memory", t->ifname);
		loop_del(tb->loop, t->fd);
		goto fail_nl;
	}
	log_info("port %u: TAP %s attached (endpoint %d)", p->num, t->ifname,
		 t->ep.id);
	return 0;
fail_nl: {
		char why[256];

		if (tapnl_revert(t->undo, why, sizeof(why)))
			log_warnx("TAP %s: %s", t->ifname, why);
	}
fail_fd:
	close(t->fd);
fail:
	free(t);
	return rc;
}

static int tap_scheme_attach(struct sw_scheme *s, const char *rest,
			     unsigned port, char *err, size_t errlen)
{
	struct tap_backend *tb = container_of(s, struct tap_backend, scheme);
	struct tap_spec spec;

	tap_spec_init(&spec, rest);
	return tap_attach(tb, &spec, port, err, errlen);
}

static void tap_backend_destroy(struct sw_backend *b)
{
	free(container_of(b, struct tap_backend, backend));
}

/**
 * tap_backend_create() - the TAP backend of a switch, serving tap://; the
 * switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct tap_backend *tap_backend_create(struct sw *sw)
{
	struct tap_backend *tb = calloc(1, sizeof(*tb));

	if (!tb)
		return NULL;
	tb->sw = sw;
	tb->loop = sw_loop(sw);
	tb->backend.name = "tap";
	tb->backend.destroy = tap_backend_destroy;
	tb->scheme.name = "tap";
	tb->scheme.attach = tap_scheme_attach;
	sw_backend_add(sw, &tb->backend);
	sw_scheme_add(sw, &tb->scheme);
	return tb;
}
