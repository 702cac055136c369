/* SPDX-License-Identifier: GPL-2.0-or-later
 * datasock.c - the VDE control protocol and the "unix prog" backend.
 *
 * A client connects to DIR/ctl (stream) and sends a request naming its own
 * bound datagram socket (request.c). The switch checks who owns that
 * socket file (the endpoint's user), picks the port (port.c), creates its
 * own datagram socket, connects it to the client's, binds it to
 * DIR/NNN.F (port number, fd number) and answers with that address: 110
 * bytes, a bare sockaddr_un. From then on frames travel one per datagram
 * on that pair, and the control stream is silent; its EOF releases the
 * endpoint at once (data socket closed, DIR/NNN.F unlinked).
 *
 * A request that is malformed, oversized, refused, or still incomplete
 * after 2 s is logged with its reason and its connection closed, so the
 * client's vde_open() fails instead of hanging. When accept() runs out of
 * fds, accepting pauses until a connection closes (or the next tick), so
 * the loop never spins on a listening socket it cannot serve.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "datasock.h"
#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "request.h"
#include "vdewire.h"

#define DS_REQUEST_TIMEOUT_MS 2000
#define DS_ACCEPT_BURST 64
#define DS_RXBUF (VDE_FRAME_MAX + 1)	/* one more: tells "too long" */
#define DS_SNDBUF (512 * 1024)	/* kernel room for a burst to a client */

struct vdeconn {
	struct datasock *ds;
	struct vdeconn *prev, *next;	/* pending or attached list */
	struct loop_handler ctl_h;
	struct loop_handler data_h;
	struct loop_deferred dfr;
	int ctlfd;
	int datafd;
	bool attached;
	bool dead;
	bool want_out;
	long long start_ms;
	size_t len;
	char datapath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct endpoint ep;
	uint8_t buf[REQUEST_BUFSIZE];
};

struct datasock {
	struct sw *sw;
	int ctlfd;
	struct loop_handler h;
	bool paused;		/* ctl not watched: out of fds */
	bool starved;		/* the shortage has been logged */
	char dir[PATH_MAX];
	char ctlpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vdeconn *pending;
	struct vdeconn *attached;
	/* receive batch */
	uint8_t (*rxbuf)[DS_RXBUF];
	struct mmsghdr rxmsgs[FWD_BATCH];
	struct iovec rxiov[FWD_BATCH];
	struct frame frames[FWD_BATCH];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void list_add(struct vdeconn **head, struct vdeconn *c)
{
	c->prev = NULL;
	c->next = *head;
	if (*head)
		(*head)->prev = c;
	*head = c;
}

static void list_del(struct vdeconn **head, struct vdeconn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* Accepting was paused for lack of fds: try again (a connection closed, or
 * the tick). The messages come once per shortage, not once per retry. */
static void ds_resume_accept(struct datasock *ds)
{
	if (ds->paused &&
	    loop_mod(ds->sw->loop, ds->ctlfd, EPOLLIN, &ds->h) == 0)
		ds->paused = false;
}

static void vdeconn_free(struct loop_deferred *d)
{
	free(container_of(d, struct vdeconn, dfr));
}

/* Release everything a connection holds; the memory goes after the batch. */
static void vdeconn_close(struct vdeconn *c)
{
	struct datasock *ds = c->ds;
	struct loop *loop = ds->sw->loop;

	if (c->dead)
		return;
	c->dead = true;
	if (c->attached) {
		port_detach(ds->sw, &c->ep);
		txq_free(&c->ep.q);
		loop_del(loop, c->datafd);
		close(c->datafd);
		unlink(c->datapath);
		list_del(&ds->attached, c);
	} else {
		list_del(&ds->pending, c);
	}
	loop_del(loop, c->ctlfd);
	close(c->ctlfd);
	loop_defer(loop, &c->dfr, vdeconn_free);
	ds_resume_accept(ds);
}

/* endpoint_ops of a VDE data socket */

static int vde_ep_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct vdeconn *c = container_of(ep, struct vdeconn, ep);
	int rc;

	/* one frame: sendmsg() is cheaper than a sendmmsg() of one */
	do
		rc = n == 1 ? (sendmsg(c->datafd, &msgs[0].msg_hdr,
				       MSG_DONTWAIT) < 0 ? -1 : 1)
			    : sendmmsg(c->datafd, msgs, n, MSG_DONTWAIT);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : rc;
}

static void vde_ep_want_write(struct endpoint *ep, bool on)
{
	struct vdeconn *c = container_of(ep, struct vdeconn, ep);

	if (c->want_out == on)
		return;
	c->want_out = on;
	loop_mod(c->ds->sw->loop, c->datafd, EPOLLIN | (on ? EPOLLOUT : 0),
		 &c->data_h);
}

static void vde_ep_close(struct endpoint *ep)
{
	vdeconn_close(container_of(ep, struct vdeconn, ep));
}

static const struct endpoint_ops vde_ep_ops = {
	.kind = "unix prog",
	.pad = true,
	.send = vde_ep_send,
	.want_write = vde_ep_want_write,
	.close = vde_ep_close,
};

static void ds_data_cb(struct loop_handler *h, uint32_t events)
{
	struct vdeconn *c = container_of(h, struct vdeconn, data_h);
	struct datasock *ds = c->ds;
	struct port *p = c->ep.port;
	unsigned i, k = 0;
	int n;

	if (c->dead)
		return;
	if (events & EPOLLOUT)
		fwd_drain(ds->sw, &c->ep);
	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(c->datafd, SOL_SOCKET, SO_ERROR, &err, &sl);
		log_debug("port %u endpoint %d: data socket: %s", p->num,
			  c->ep.id, strerror(err));
	}
	if (!(events & EPOLLIN))
		return;

	n = recvmmsg(c->datafd, ds->rxmsgs, FWD_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_debug("port %u endpoint %d: recv: %s", p->num,
				  c->ep.id, strerror(errno));
		return;
	}
	for (i = 0; i < (unsigned)n; i++) {
		struct mmsghdr *m = &ds->rxmsgs[i];
		unsigned len = m->msg_len;

		if (m->msg_hdr.msg_flags & MSG_TRUNC || len > VDE_FRAME_MAX) {
			p->c.drop_long++;
			log_debug("port %u: frame over %u bytes dropped",
				  p->num, VDE_FRAME_MAX);
		} else if (len < VDE_FRAME_MIN) {
			if (len)
				p->c.drop_short++;
			log_debug("port %u: %u-byte frame dropped", p->num,
				  len);
		} else {
			ds->frames[k].data = ds->rxbuf[i];
			ds->frames[k].len = len;
			k++;
		}
		m->msg_hdr.msg_flags = 0;
	}
	if (k)
		fwd_input(ds->sw, p, ds->frames, k);
}

static int ds_refuse(struct vdeconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Log why a control connection is refused, and close it. Return: -1 */
static int ds_refuse(struct vdeconn *c, const char *fmt, ...)
{
	char msg[512], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the client's path may hold control characters: no forged lines */
	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_warnx("control connection %d refused: %s", c->ctlfd, msg);
	vdeconn_close(c);
	return -1;
}

/* Permissions of a new data socket file, as vde_switch sets them. */
static void ds_set_perms(struct datasock *ds, const char *path, uid_t user,
			 bool port0)
{
	const struct sw_config *cfg = &ds->sw->cfg;
	unsigned mode = port0 ? cfg->mgmtmode : cfg->mode;
	gid_t gid = port0 ? cfg->mgmtgroup : cfg->group;

	if (geteuid() == 0 && user != PORT_UID_NONE) {
		if (chown(path, user, gid))
			log_warn("chown %s", path);
		if (!port0)
			mode &= 0700;
	} else if (gid != PORT_GID_NONE) {
		if (chown(path, (uid_t)-1, gid))
			log_warn("chgrp %s", path);
	}
	if (chmod(path, mode))
		log_warn("chmod %s", path);
}

/*
 * Room in the kernel for a burst towards this client before frames go to
 * the endpoint's queue: what is in flight to a unix datagram peer is
 * bounded by the sender's send buffer. Root may exceed net.core.wmem_max;
 * others get what it allows.
 */
static void ds_set_sndbuf(int fd)
{
	int size = DS_SNDBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		log_debug("data socket send buffer: %s", strerror(errno));
}

/* Serve a complete request. Return: 0, or -1 when refused (closed). */
static int ds_handle_request(struct vdeconn *c, const struct vde_request *req)
{
	struct datasock *ds = c->ds;
	struct sw *sw = ds->sw;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char why[256], ubuf[64];
	struct port *p;
	struct stat st;
	ssize_t w;
	int rc, fd;

	if (stat(req->path, &st))
		return ds_refuse(c, "client socket %s: %s", req->path,
				 strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return ds_refuse(c, "client path %s is not a socket",
				 req->path);
	rc = port_select(sw, req->type, req->port, st.st_uid, &p, why,
			 sizeof(why));
	if (rc)
		return ds_refuse(c, "%s", why);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ds_refuse(c, "data socket: %s", strerror(errno));
	ds_set_sndbuf(fd);
	memcpy(sun.sun_path, req->path, strlen(req->path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int err = errno;

		close(fd);
		return ds_refuse(c,
				 "cannot connect back to client socket %s "
				 "(mode %04o, owner %s): %s",
				 req->path, (unsigned)(st.st_mode & 07777),
				 port_user_name(st.st_uid, ubuf, sizeof(ubuf)),
				 strerror(err));
	}
	rc = snprintf(c->datapath, sizeof(c->datapath), "%s/%03u.%d", ds->dir,
		      p->num, fd);
	if (rc < 0 || (size_t)rc >= sizeof(c->datapath)) {
		close(fd);
		return ds_refuse(c, "data socket path too long in %s",
				 ds->dir);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, c->datapath, strlen(c->datapath));
	unlink(c->datapath);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int err = errno;

		close(fd);
		return ds_refuse(c, "bind %s: %s", c->datapath,
				 strerror(err));
	}
	ds_set_perms(ds, c->datapath, st.st_uid,
		     req->type == VDE_REQ_NEW_PORT0);

	w = write(c->ctlfd, &sun, VDE_SUN_SIZE);
	if (w != VDE_SUN_SIZE) {
		int err = w < 0 ? errno : EIO;

		close(fd);
		unlink(c->datapath);
		return ds_refuse(c, "reply: %s", strerror(err));
	}
	c->data_h.cb = ds_data_cb;
	if (loop_add(sw->loop, fd, EPOLLIN, &c->data_h)) {
		close(fd);
		unlink(c->datapath);
		return ds_refuse(c, "cannot watch data socket");
	}
	c->datafd = fd;
	c->ep.ops = &vde_ep_ops;
	c->ep.id = c->ctlfd;
	c->ep.user = st.st_uid;
	snprintf(c->ep.descr, sizeof(c->ep.descr), "%s", req->descr);
	txq_init(&c->ep.q, sw->cfg.queue_frames, sw->cfg.queue_bytes);
	list_del(&ds->pending, c);
	list_add(&ds->attached, c);
	c->attached = true;
	port_attach(sw, p, &c->ep);
	log_info("port %u: endpoint %d attached (v%u, user %s): %s", p->num,
		 c->ep.id, req->version,
		 port_user_name(st.st_uid, ubuf, sizeof(ubuf)), req->descr);
	return 0;
}

static void ds_ctl_cb(struct loop_handler *h, uint32_t events)
{
	struct vdeconn *c = container_of(h, struct vdeconn, ctl_h);
	struct vde_request req;
	enum request_status st;
	char why[256];
	bool eof = false;
	int err = 0;

	(void)events;
	if (c->dead)
		return;
	if (c->attached) {
		uint8_t scratch[512];
		ssize_t r;

		/* silent after the handshake: anything else is ignored */
		r = read(c->ctlfd, scratch, sizeof(scratch));
		if (r > 0) {
			log_debug("port %u endpoint %d: %zd unexpected bytes "
				  "on the control connection ignored",
				  c->ep.port->num, c->ep.id, r);
			return;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		log_info("port %u: endpoint %d released", c->ep.port->num,
			 c->ep.id);
		vdeconn_close(c);
		return;
	}

	while (c->len < sizeof(c->buf)) {
		ssize_t r = read(c->ctlfd, c->buf + c->len,
				 sizeof(c->buf) - c->len);

		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r == 0)
			eof = true;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			err = errno;
		break;
	}
	st = request_parse(c->buf, c->len, &req, why, sizeof(why));
	if (st == REQUEST_INVALID)
		ds_refuse(c, "%s", why);
	else if (err)
		ds_refuse(c, "read: %s", strerror(err));
	else if (eof)
		ds_refuse(c, "client closed the connection after %zu bytes "
			  "of its request", c->len);
	else if (st == REQUEST_COMPLETE)
		ds_handle_request(c, &req);
}

static void ds_accept_cb(struct loop_handler *h, uint32_t events)
{
	struct datasock *ds = container_of(h, struct datasock, h);
	int i;

	(void)events;
	for (i = 0; i < DS_ACCEPT_BURST; i++) {
		struct vdeconn *c;
		int fd;

		fd = accept4(ds->ctlfd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (!ds->starved)
					log_warn("accept: pausing new "
						 "connections until one closes");
				ds->starved = true;
				if (loop_mod(ds->sw->loop, ds->ctlfd, 0,
					     &ds->h) == 0)
					ds->paused = true;
				return;
			}
			log_warn("accept");
			return;
		}
		if (ds->starved) {
			ds->starved = false;
			log_info("accepting connections again");
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			log_warnx("out of memory for a control connection");
			close(fd);
			return;
		}
		c->ds = ds;
		c->ctlfd = fd;
		c->datafd = -1;
		c->start_ms = now_ms();
		c->ctl_h.cb = ds_ctl_cb;
		if (loop_add(ds->sw->loop, fd, EPOLLIN, &c->ctl_h)) {
			log_warn("watching control connection");
			close(fd);
			free(c);
			return;
		}
		list_add(&ds->pending, c);
	}
}

/**
 * datasock_tick() - periodic work: drop requests that never completed,
 * retry accepting after running out of fds
 * @ds:		the control socket
 */
void datasock_tick(struct datasock *ds)
{
	long long now = now_ms();
	struct vdeconn *c, *next;

	for (c = ds->pending; c; c = next) {
		next = c->next;
		if (now - c->start_ms >= DS_REQUEST_TIMEOUT_MS)
			ds_refuse(c, "request incomplete after %d s "
				  "(%zu bytes received)",
				  DS_REQUEST_TIMEOUT_MS / 1000, c->len);
	}
	ds_resume_accept(ds);
}

static int ds_make_dir(struct datasock *ds, const char *dir, char *err,
		       unsigned errlen)
{
	const struct sw_config *cfg = &ds->sw->cfg;
	struct stat st;

	if (mkdir(dir, 0777) == 0) {
		if (chmod(dir, cfg->dirmode)) {
			snprintf(err, errlen, "chmod %s: %s", dir,
				 strerror(errno));
			return -1;
		}
		if (cfg->group != PORT_GID_NONE &&
		    chown(dir, (uid_t)-1, cfg->group)) {
			snprintf(err, errlen, "chgrp %s: %s", dir,
				 strerror(errno));
			return -1;
		}
	} else if (errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	if (!realpath(dir, ds->dir)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Bind DIR/ctl; a stale socket (nobody answers) is taken over. The socket
 * is bound to a temporary name and hard-linked to DIR/ctl only once it
 * listens with its final mode: a client that sees DIR/ctl can connect at
 * once, and a probe's ECONNREFUSED really means a dead switch.
 */
static int ds_bind_ctl(struct datasock *ds, char *err, unsigned errlen)
{
	const struct sw_config *cfg = &ds->sw->cfg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[sizeof(sun.sun_path)];
	int fd, tries, n;

	n = snprintf(tmp, sizeof(tmp), "%s/.ctl-%ld", ds->dir, (long)getpid());
	if (strlen(ds->ctlpath) >= sizeof(sun.sun_path) || n < 0 ||
	    (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", ds->ctlpath);
		return -1;
	}
	memcpy(sun.sun_path, tmp, (size_t)n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		snprintf(err, errlen, "bind %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (listen(fd, SOMAXCONN)) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		goto fail_unlink;
	}
	if (chmod(tmp, cfg->mode)) {
		snprintf(err, errlen, "chmod %s: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	if (cfg->group != PORT_GID_NONE && chown(tmp, (uid_t)-1, cfg->group)) {
		snprintf(err, errlen, "chgrp %s: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path, ds->ctlpath, strlen(ds->ctlpath));
	for (tries = 0; link(tmp, ds->ctlpath); tries++) {
		int probe;

		if (errno != EEXIST || tries > 0) {
			snprintf(err, errlen, "link %s: %s", ds->ctlpath,
				 strerror(errno));
			goto fail_unlink;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			goto fail_unlink;
		}
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			snprintf(err, errlen,
				 "another switch is already running on %s",
				 ds->dir);
			goto fail_unlink;
		}
		if (errno != ECONNREFUSED) {
			snprintf(err, errlen,
				 "%s exists and cannot be probed (%s): is "
				 "another switch running there?",
				 ds->ctlpath, strerror(errno));
			close(probe);
			goto fail_unlink;
		}
		close(probe);
		log_info("taking over stale %s", ds->ctlpath);
		unlink(ds->ctlpath);
	}
	unlink(tmp);
	ds->ctlfd = fd;
	return 0;
fail_unlink:
	unlink(tmp);
fail:
	close(fd);
	return -1;
}

/**
 * datasock_create() - make the control directory and socket, start serving
 * @sw:		the switch
 * @err:	on failure, the reason
 * @errlen:	size of @err
 *
 * Return: the control socket, or NULL
 */
struct datasock *datasock_create(struct sw *sw, char *err, unsigned errlen)
{
	struct datasock *ds = calloc(1, sizeof(*ds));
	unsigned i;
	int n;

	if (!ds) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ds->sw = sw;
	ds->ctlfd = -1;
	ds->rxbuf = calloc(FWD_BATCH, sizeof(*ds->rxbuf));
	if (!ds->rxbuf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < FWD_BATCH; i++) {
		ds->rxiov[i].iov_base = ds->rxbuf[i];
		ds->rxiov[i].iov_len = DS_RXBUF;
		ds->rxmsgs[i].msg_hdr.msg_iov = &ds->rxiov[i];
		ds->rxmsgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (ds_make_dir(ds, sw->cfg.dir, err, errlen))
		goto fail;
	n = snprintf(ds->ctlpath, sizeof(ds->ctlpath), "%s/ctl", ds->dir);
	if (n < 0 || (size_t)n >= sizeof(ds->ctlpath) - 12) {
		snprintf(err, errlen, "%s: path too long for sockets",
			 ds->dir);
		goto fail_dir;
	}
	if (ds_bind_ctl(ds, err, errlen))
		goto fail_dir;
	ds->h.cb = ds_accept_cb;
	if (loop_add(sw->loop, ds->ctlfd, EPOLLIN, &ds->h)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		unlink(ds->ctlpath);
		close(ds->ctlfd);
		goto fail_dir;
	}
	sw->ds = ds;
	return ds;
fail_dir:
	rmdir(ds->dir);
fail:
	free(ds->rxbuf);
	free(ds);
	return NULL;
}

/**
 * datasock_dir() - the control directory clients connect to
 * @ds:		the control socket
 *
 * Return: its absolute path
 */
const char *datasock_dir(const struct datasock *ds)
{
	return ds->dir;
}

/**
 * datasock_destroy() - close every connection, unlink the sockets, remove
 * the directory if it is empty
 * @ds:		the control socket, or NULL
 */
void datasock_destroy(struct datasock *ds)
{
	if (!ds)
		return;
	while (ds->attached)
		vdeconn_close(ds->attached);
	while (ds->pending)
		vdeconn_close(ds->pending);
	loop_del(ds->sw->loop, ds->ctlfd);
	close(ds->ctlfd);
	unlink(ds->ctlpath);
	rmdir(ds->dir);
	ds->sw->ds = NULL;
	free(ds->rxbuf);
	free(ds);
}
