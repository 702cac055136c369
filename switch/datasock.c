/* SPDX-License-Identifier: GPL-2.0-or-later
 * datasock.c - the VDE control protocol and the "unix prog" backend.
 *
 * A client connects to DIR/ctl (stream) and sends a request naming its own
 * bound datagram socket (request.c). The requester's user (SO_PEERCRED on
 * the control connection) is the endpoint's; a client socket owned by
 * anyone else is refused unless the requester is root, so nobody can be
 * charged as another user. The switch picks the port (port.c), creates its
 * own datagram socket, connects it to the client's, binds it to
 * DIR/NNN.F (port number, fd number) and answers with that address: 110
 * bytes, a bare sockaddr_un. From then on frames travel one per datagram
 * on that pair, and the control stream is silent; its EOF releases the
 * endpoint at once (data socket closed, DIR/NNN.F unlinked).
 *
 * A request that is malformed, oversized, refused, or still incomplete
 * after 2 s is logged with its reason and its connection closed, so the
 * client's vde_open() fails instead of hanging. When accept() runs out of
 * fds, accepting pauses until a connection closes (or half a second has
 * passed), so the loop never spins on a listening socket it cannot serve.
 *
 * This file is one backend: it reads and sends frames and closes its fds.
 * Receive buffers, size checks, counters, ids and queues are the core's
 * (port.h, "The endpoint contract").
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
#include "sw.h"
#include "request.h"
#include "vdewire.h"

#define DS_REQUEST_TIMEOUT_MS 2000
#define DS_RETRY_ACCEPT_MS 500
#define DS_ACCEPT_BURST 64
#define DS_SNDBUF (512 * 1024)	/* kernel room for a burst to a client */

struct vdeconn {
	struct datasock *ds;
	struct vdeconn *prev, *next;	/* pending or attached list */
	struct loop_handler ctl_h;
	struct loop_handler data_h;
	struct loop_deferred dfr;
	struct loop_timer timeout;	/* request incomplete for too long */
	int ctlfd;
	int datafd;
	uid_t peer;		/* the requester, from SO_PEERCRED */
	bool attached;
	bool dead;
	bool want_out;
	size_t len;
	char datapath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct endpoint ep;
	uint8_t buf[REQUEST_BUFSIZE];
};

struct datasock {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct datasock_config cfg;
	int ctlfd;
	struct loop_handler h;
	struct loop_timer retry;	/* accept again after a shortage */
	bool paused;		/* ctl not watched: out of fds */
	bool starved;		/* the shortage has been logged */
	char dir[PATH_MAX];
	char ctlpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vdeconn *pending;
	struct vdeconn *attached;
};

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
 * the retry timer). The messages come once per shortage, not per retry. */
static void ds_resume_accept(struct datasock *ds)
{
	if (ds->paused && loop_mod(ds->loop, ds->ctlfd, EPOLLIN, &ds->h) == 0) {
		ds->paused = false;
		loop_timer_del(ds->loop, &ds->retry);
	}
}

static void ds_retry_cb(struct loop_timer *t)
{
	struct datasock *ds = container_of(t, struct datasock, retry);

	ds_resume_accept(ds);
	if (ds->paused)
		loop_timer_add(ds->loop, t, DS_RETRY_ACCEPT_MS);
}

static void vdeconn_free(struct loop_deferred *d)
{
	free(container_of(d, struct vdeconn, dfr));
}

/* Release every fd and file a connection holds; the memory goes after the
 * batch (another event of it may point here). An attached connection is
 * released only through its endpoint's close (the core detaches first). */
static void vdeconn_release(struct vdeconn *c)
{
	struct datasock *ds = c->ds;

	if (c->dead)
		return;
	c->dead = true;
	loop_timer_del(ds->loop, &c->timeout);
	if (c->attached) {
		loop_del(ds->loop, c->datafd);
		close(c->datafd);
		unlink(c->datapath);
		list_del(&ds->attached, c);
	} else {
		list_del(&ds->pending, c);
	}
	loop_del(ds->loop, c->ctlfd);
	close(c->ctlfd);
	loop_defer(ds->loop, &c->dfr, vdeconn_free);
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

static int vde_ep_want_write(struct endpoint *ep, bool on)
{
	struct vdeconn *c = container_of(ep, struct vdeconn, ep);
	int rc;

	if (c->want_out == on)
		return 0;
	rc = loop_mod(c->ds->loop, c->datafd, EPOLLIN | (on ? EPOLLOUT : 0),
		      &c->data_h);
	if (!rc)
		c->want_out = on;
	return rc;
}

static void vde_ep_close(struct endpoint *ep)
{
	vdeconn_release(container_of(ep, struct vdeconn, ep));
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
	struct fwd_rx *rx;
	int n;

	if (c->dead || c->ep.closing)
		return;
	if (events & EPOLLOUT)
		fwd_drain(&c->ep);
	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(c->datafd, SOL_SOCKET, SO_ERROR, &err, &sl);
		log_debug("port %u endpoint %d: data socket: %s",
			  c->ep.port->num, c->ep.id, strerror(err));
	}
	if (!(events & EPOLLIN) || c->ep.closing)
		return;
	rx = fwd_rx_get(c->ds->sw);
	n = recvmmsg(c->datafd, rx->msgs, FWD_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_debug("port %u endpoint %d: recv: %s",
				  c->ep.port->num, c->ep.id, strerror(errno));
		return;
	}
	fwd_rx_input(&c->ep, (unsigned)n);
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
	vdeconn_release(c);
	return -1;
}

/* Permissions of a new data socket file, as vde_switch sets them. */
static void ds_set_perms(struct datasock *ds, const char *path, uid_t user,
			 bool port0)
{
	const struct datasock_config *cfg = &ds->cfg;
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
	char why[256], ubuf[64], obuf[64];
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
	if (st.st_uid != c->peer && c->peer != 0)
		return ds_refuse(c, "client socket %s belongs to user %s, "
				 "not to the requester %s", req->path,
				 port_user_name(st.st_uid, obuf, sizeof(obuf)),
				 port_user_name(c->peer, ubuf, sizeof(ubuf)));
	rc = port_select(sw, req->type, req->port, c->peer, &p, why,
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
	ds_set_perms(ds, c->datapath, c->peer,
		     req->type == VDE_REQ_NEW_PORT0);

	w = write(c->ctlfd, &sun, VDE_SUN_SIZE);
	if (w != VDE_SUN_SIZE) {
		int err = w < 0 ? errno : EIO;

		close(fd);
		unlink(c->datapath);
		return ds_refuse(c, "reply: %s", strerror(err));
	}
	c->ep.ops = &vde_ep_ops;
	c->ep.user = c->peer;
	snprintf(c->ep.descr, sizeof(c->ep.descr), "%s", req->descr);
	if (port_attach(sw, p, &c->ep)) {
		close(fd);
		unlink(c->datapath);
		return ds_refuse(c, "out of memory for an endpoint");
	}
	c->data_h.cb = ds_data_cb;
	if (loop_add(ds->loop, fd, EPOLLIN, &c->data_h)) {
		port_detach(sw, &c->ep);
		close(fd);
		unlink(c->datapath);
		return ds_refuse(c, "cannot watch data socket");
	}
	c->datafd = fd;
	loop_timer_del(ds->loop, &c->timeout);
	list_del(&ds->pending, c);
	list_add(&ds->attached, c);
	c->attached = true;
	log_info("port %u: endpoint %d attached (v%u, user %s): %s", p->num,
		 c->ep.id, req->version,
		 port_user_name(c->peer, ubuf, sizeof(ubuf)), req->descr);
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
	if (c->dead || c->ep.closing)
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
		if (!c->ep.closing)
			log_info("port %u: endpoint %d released",
				 c->ep.port->num, c->ep.id);
		endpoint_close(&c->ep);
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

/* A request still incomplete after DS_REQUEST_TIMEOUT_MS. */
static void ds_timeout_cb(struct loop_timer *t)
{
	struct vdeconn *c = container_of(t, struct vdeconn, timeout);

	ds_refuse(c, "request incomplete after %d s (%zu bytes received)",
		  DS_REQUEST_TIMEOUT_MS / 1000, c->len);
}

/* The user on the other end of a control connection. */
static int ds_peer_uid(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    len != sizeof(cred))
		return -1;
	*uid = cred.uid;
	return 0;
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
				if (loop_mod(ds->loop, ds->ctlfd, 0,
					     &ds->h) == 0) {
					ds->paused = true;
					loop_timer_add(ds->loop, &ds->retry,
						       DS_RETRY_ACCEPT_MS);
				}
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
		c->ctl_h.cb = ds_ctl_cb;
		loop_timer_init(&c->timeout, ds_timeout_cb);
		if (ds_peer_uid(fd, &c->peer)) {
			log_warn("control connection %d: SO_PEERCRED", fd);
			close(fd);
			free(c);
			continue;
		}
		if (loop_add(ds->loop, fd, EPOLLIN, &c->ctl_h) ||
		    loop_timer_add(ds->loop, &c->timeout,
				   DS_REQUEST_TIMEOUT_MS)) {
			log_warn("watching control connection");
			loop_del(ds->loop, fd);
			close(fd);
			free(c);
			return;
		}
		list_add(&ds->pending, c);
	}
}

static int ds_make_dir(struct datasock *ds, const char *dir, char *err,
		       unsigned errlen)
{
	const struct datasock_config *cfg = &ds->cfg;
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
 * once, and a probe's ECONNREFUSED really means a dead switch. The probe
 * does not block: a live switch whose backlog is full (say, out of fds)
 * answers EAGAIN, which means "running" too.
 */
static int ds_bind_ctl(struct datasock *ds, char *err, unsigned errlen)
{
	const struct datasock_config *cfg = &ds->cfg;
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
		probe = socket(AF_UNIX,
			       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (probe < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			goto fail_unlink;
		}
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
		    errno == EAGAIN || errno == EINPROGRESS) {
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

static void ds_destroy(struct sw_backend *b);

/**
 * datasock_create() - make the control directory and socket, start serving;
 * the switch owns the result and destroys it
 * @sw:		the switch
 * @cfg:	directory, modes and groups (copied; the strings must last)
 * @err:	on failure, the reason
 * @errlen:	size of @err
 *
 * Return: the control socket, or NULL
 */
struct datasock *datasock_create(struct sw *sw,
				 const struct datasock_config *cfg, char *err,
				 unsigned errlen)
{
	struct datasock *ds = calloc(1, sizeof(*ds));
	int n;

	if (!ds) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ds->sw = sw;
	ds->loop = sw_loop(sw);
	ds->cfg = *cfg;
	ds->ctlfd = -1;
	loop_timer_init(&ds->retry, ds_retry_cb);
	if (ds_make_dir(ds, cfg->dir, err, errlen))
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
	if (loop_add(ds->loop, ds->ctlfd, EPOLLIN, &ds->h)) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		unlink(ds->ctlpath);
		close(ds->ctlfd);
		goto fail_dir;
	}
	ds->backend.name = "vde";
	ds->backend.destroy = ds_destroy;
	sw_backend_add(sw, &ds->backend);
	return ds;
fail_dir:
	rmdir(ds->dir);
fail:
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
 * datasock_mode() - the mode of the control and data sockets
 * @ds:		the control socket
 *
 * Return: the octal mode (-m)
 */
unsigned datasock_mode(const struct datasock *ds)
{
	return ds->cfg.mode;
}

/* Close every connection, unlink the sockets, remove the directory if it
 * is empty. Attached endpoints were closed by the switch already. */
static void ds_destroy(struct sw_backend *b)
{
	struct datasock *ds = container_of(b, struct datasock, backend);

	while (ds->attached) {
		endpoint_close_now(&ds->attached->ep);
		loop_run_deferred(ds->loop);
	}
	while (ds->pending)
		vdeconn_release(ds->pending);
	loop_timer_del(ds->loop, &ds->retry);
	loop_del(ds->loop, ds->ctlfd);
	close(ds->ctlfd);
	unlink(ds->ctlpath);
	rmdir(ds->dir);
	free(ds);
}
