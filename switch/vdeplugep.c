/* SPDX-License-Identifier: GPL-2.0-or-later
 * vdeplugep.c - every other URL through libvdeplug: vde:// of another
 * switch, vxvde://, ptp://, cmd://, hub://, switch://, null:// and any
 * plugin installed, each a port relayed on the switch's loop.
 *
 * vde_open() does the plugin's handshake; the switch then polls the
 * plugin's data fd and moves frames with vde_recv()/vde_send(), which
 * keep the plugin's own framing (a vxvde datagram has a header, a cmd://
 * stream a length). Frames up to 9234 bytes both ways. A datagram or
 * seqpacket data fd is made non-blocking, so a full peer makes the core
 * queue; a stream fd (a plugin relaying to a process) is left blocking,
 * since a partial write would break its framing, and is read only when
 * poll says so. The control fd, when the plugin has one (vde://), tells
 * when the other switch goes: the port goes inactive with a log line.
 *
 * The plugin runs in the switch's process: a crash in it is the switch's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "sw.h"
#include "vdeplugep.h"
#include "vdewire.h"

#ifdef __SANITIZE_ADDRESS__
#include <dlfcn.h>

/*
 * libvdeplug loads its plugins with dlopen(RTLD_DEEPBIND), which the
 * AddressSanitizer runtime refuses (it aborts the process). In ASan builds
 * only - the test builds - the switch's own dlopen() drops that flag and
 * hands over to the next one (ASan's). The plugins Debian ships do not
 * depend on the flag.
 */
void *dlopen(const char *file, int flags)
{
	static void *(*next)(const char *, int);

	if (!next) {
		void *sym = dlsym(RTLD_NEXT, "dlopen");

		memcpy(&next, &sym, sizeof(next));
	}
	return next(file, flags & ~RTLD_DEEPBIND);
}
#endif

struct vdeplug_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme scheme;
};

struct plugep {
	struct endpoint ep;
	struct vdeplug_backend *vb;
	struct loop_handler dh;	/* data fd */
	struct loop_handler ch;	/* control fd, if any */
	struct loop_deferred dfr;
	VDECONN *conn;
	int dfd, cfd;
	bool stream;		/* a stream data fd: blocking */
	bool want_out;
};

static int plug_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct plugep *pe = container_of(ep, struct plugep, ep);
	static uint8_t flat[VDE_FRAME_MAX + 8];
	unsigned i, k;

	for (i = 0; i < n; i++) {
		const struct msghdr *h = &msgs[i].msg_hdr;
		const void *data = h->msg_iov[0].iov_base;
		size_t len = h->msg_iov[0].iov_len;
		ssize_t w;

		if (h->msg_iovlen > 1) {
			/* tagged or padded copies come in pieces */
			for (len = 0, k = 0; k < h->msg_iovlen; k++) {
				size_t l = h->msg_iov[k].iov_len;

				if (len + l > sizeof(flat))
					l = sizeof(flat) - len;
				memcpy(flat + len, h->msg_iov[k].iov_base, l);
				len += l;
			}
			data = flat;
		}
		do
			w = vde_send(pe->conn, data, len, 0);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			if (i)
				return (int)i;
			return errno == EAGAIN || errno == ENOBUFS ? -EAGAIN
								   : -errno;
		}
	}
	return (int)n;
}

static int plug_want_write(struct endpoint *ep, bool on)
{
	struct plugep *pe = container_of(ep, struct plugep, ep);
	int rc;

	if (pe->want_out == on)
		return 0;
	rc = loop_mod(pe->vb->loop, pe->dfd, EPOLLIN | (on ? EPOLLOUT : 0),
		      &pe->dh);
	if (!rc)
		pe->want_out = on;
	return rc;
}

static void plug_free(struct loop_deferred *d)
{
	free(container_of(d, struct plugep, dfr));
}

static void plug_close(struct endpoint *ep)
{
	struct plugep *pe = container_of(ep, struct plugep, ep);

	loop_del(pe->vb->loop, pe->dfd);
	if (pe->cfd >= 0)
		loop_del(pe->vb->loop, pe->cfd);
	vde_close(pe->conn);
	pe->conn = NULL;
	log_info("%s closed", pe->ep.descr);
	loop_defer(pe->vb->loop, &pe->dfr, plug_free);
}

static const struct endpoint_ops plug_ops = {
	.kind = "vdeplug",
	.pad = true,
	.url = true,
	.send = plug_send,
	.want_write = plug_want_write,
	.close = plug_close,
};

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void plug_read(struct plugep *pe)
{
	struct fwd_rx *rx = fwd_rx_get(pe->vb->sw);
	unsigned k;

	for (k = 0; k < FWD_BATCH; k++) {
		ssize_t r;

		/* a stream fd would block for more: read it while poll
		 * says there is something */
		if (k && pe->stream && !readable(pe->dfd))
			break;
		do
			r = vde_recv(pe->conn, rx->iov[k].iov_base,
				     rx->iov[k].iov_len, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			if (errno != EAGAIN) {
				log_warnx("port %u: %s: %s: the port goes "
					  "inactive", pe->ep.port->num,
					  pe->ep.descr, strerror(errno));
				endpoint_close(&pe->ep);
			}
			break;
		}
		if (r == 0 && pe->stream) {
			log_warnx("port %u: %s: end of the stream: the port "
				  "goes inactive", pe->ep.port->num,
				  pe->ep.descr);
			endpoint_close(&pe->ep);
			break;
		}
		rx->msgs[k].msg_len = (unsigned)r;
	}
	if (k)
		fwd_rx_input(&pe->ep, k);
}

static void plug_dcb(struct loop_handler *h, uint32_t events)
{
	struct plugep *pe = container_of(h, struct plugep, dh);

	if (pe->ep.closing)
		return;
	if (events & EPOLLOUT)
		fwd_drain(&pe->ep);
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		plug_read(pe);
}

/* The other switch's control connection: it only ever closes. */
static void plug_ccb(struct loop_handler *h, uint32_t events)
{
	struct plugep *pe = container_of(h, struct plugep, ch);
	char b[64];
	ssize_t r;

	(void)events;
	if (pe->ep.closing)
		return;
	r = recv(pe->cfd, b, sizeof(b), MSG_DONTWAIT);
	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	log_warnx("port %u: %s: the other end closed its control "
		  "connection: the port goes inactive", pe->ep.port->num,
		  pe->ep.descr);
	endpoint_close(&pe->ep);
}

/* ", a://, b://" for the plugins installed, to say what would work */
static void list_plugins(char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/vdeplug",
					    "/usr/lib/vdeplug",
					    "/usr/local/lib/vdeplug" };
	size_t off = strlen(buf), i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			const char *n = e->d_name;
			size_t l = strlen(n);

			char name[64];

			if (strncmp(n, "libvdeplug_", 11) || l < 15 ||
			    l - 14 >= sizeof(name) - 4 ||
			    strcmp(n + l - 3, ".so") || off >= len)
				continue;
			/* " name://": native schemes are listed already */
			snprintf(name, sizeof(name), " %.*s://", (int)(l - 14),
				 n + 11);
			if (strstr(buf, name) ||
			    !strncmp(buf, name + 1, strlen(name + 1)))
				continue;
			off += (size_t)snprintf(buf + off, len - off, ",%s",
						name);
		}
		closedir(d);
		break;
	}
}

static int plug_attach(struct sw_scheme *s, const char *url, unsigned port,
		       char *err, size_t errlen)
{
	struct vdeplug_backend *vb = container_of(s, struct vdeplug_backend,
						  scheme);
	struct plugep *pe;
	struct port *p;
	char known[512], descr[] = "patchbay";
	int rc, type = 0, fl;
	socklen_t tl = sizeof(type);

	rc = sw_port_for_attach(vb->sw, port, &p, err, errlen);
	if (rc)
		return rc;
	pe = calloc(1, sizeof(*pe));
	if (!pe) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pe->vb = vb;
	errno = 0;
	pe->conn = vde_open((char *)(uintptr_t)url, descr, NULL);
	if (!pe->conn) {
		rc = errno ? -errno : -EPROTONOSUPPORT;
		known[0] = '\0';
		sw_schemes_list(vb->sw, known, sizeof(known));
		list_plugins(known, sizeof(known));
		snprintf(err, errlen, "%s: libvdeplug cannot open it: %s "
			 "(schemes: %s)", url, strerror(-rc), known);
		free(pe);
		return rc;
	}
	pe->dfd = vde_datafd(pe->conn);
	pe->cfd = vde_ctlfd(pe->conn);
	if (getsockopt(pe->dfd, SOL_SOCKET, SO_TYPE, &type, &tl) ||
	    type == SOCK_STREAM)
		pe->stream = true;
	if (!pe->stream) {
		fl = fcntl(pe->dfd, F_GETFL);
		if (fl >= 0)
			fcntl(pe->dfd, F_SETFL, fl | O_NONBLOCK);
	}
	if (pe->cfd == pe->dfd)
		pe->cfd = -1;
	pe->dh.cb = plug_dcb;
	pe->ch.cb = plug_ccb;
	rc = loop_add(vb->loop, pe->dfd, EPOLLIN, &pe->dh);
	if (!rc && pe->cfd >= 0) {
		rc = loop_add(vb->loop, pe->cfd, EPOLLIN, &pe->ch);
		if (rc)
			loop_del(vb->loop, pe->dfd);
	}
	if (rc) {
		snprintf(err, errlen, "%s: epoll: %s", url, strerror(-rc));
		goto fail;
	}
	pe->ep.ops = &plug_ops;
	pe->ep.user = PORT_UID_NONE;
	snprintf(pe->ep.descr, sizeof(pe->ep.descr), "%s", url);
	rc = port_attach(vb->sw, p, &pe->ep);
	if (rc) {
		snprintf(err, errlen, "%s: out of memory", url);
		loop_del(vb->loop, pe->dfd);
		if (pe->cfd >= 0)
			loop_del(vb->loop, pe->cfd);
		goto fail;
	}
	log_info("port %u: %s attached through libvdeplug (endpoint %d)",
		 p->num, url, pe->ep.id);
	return 0;
fail:
	vde_close(pe->conn);
	free(pe);
	return rc;
}

static void vdeplug_backend_destroy(struct sw_backend *b)
{
	free(container_of(b, struct vdeplug_backend, backend));
}

/**
 * vdeplugep_backend_create() - the libvdeplug backend of a switch: the
 * URLs no native backend serves; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct vdeplug_backend *vdeplugep_backend_create(struct sw *sw)
{
	struct vdeplug_backend *vb = calloc(1, sizeof(*vb));

	if (!vb)
		return NULL;
	vb->sw = sw;
	vb->loop = sw_loop(sw);
	vb->backend.name = "vdeplug";
	vb->backend.destroy = vdeplug_backend_destroy;
	vb->scheme.name = NULL;	/* any other scheme */
	vb->scheme.attach = plug_attach;
	sw_backend_add(sw, &vb->backend);
	sw_scheme_add(sw, &vb->scheme);
	return vb;
}
