/* SPDX-License-Identifier: GPL-2.0-or-later
 * streamep.c - QEMU's stream cables as switch ports: stream+listen:// and
 * stream+connect://, over TCP or a UNIX stream socket.
 *
 * The framing is QEMU's (qframe.h): a 4-byte big-endian length, then the
 * frame. A read may hold many frames or part of one; what is left of a
 * frame stays in the endpoint's receive buffer for the next read. A write
 * may take part of a frame: the rest is kept in the endpoint's pending
 * buffer and written before anything else, so the stream never loses its
 * framing; while it is pending, send() says -EAGAIN and the core queues.
 *
 * An attachment is what the user asked for with one URL, and outlives its
 * connections:
 * - a listener (stream+listen://HOST:PORT, stream+listen:///PATH) accepts
 *   any number of peers, each a port of its own (QEMU -netdev
 *   stream,server=off, -netdev socket,connect=), or all on PORT if one was
 *   given;
 * - a connector (stream+connect://...) dials a QEMU that listens
 *   (-netdev stream,server=on, -netdev socket,listen=) and keeps dialling:
 *   after a failure or a disconnection it retries in 1 s, doubling up to
 *   30 s. Its port is chosen once, at attach time, and kept.
 * A peer that announces a length of 0 or over 9234 bytes has lost the
 * framing (QEMU's own answer is to close): it is disconnected and its
 * port freed, with a log line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "qframe.h"
#include "sockaddr.h"
#include "streamep.h"
#include "sw.h"
#include "vdewire.h"

#define RBUF_SIZE (64 * 1024)
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 30000
#define ACCEPT_PAUSE_MS 1000
#define MAX_IOV 1024

struct stream_backend {
	struct sw *sw;
	struct loop *loop;
	struct sw_backend backend;
	struct sw_scheme listen_scheme;
	struct sw_scheme connect_scheme;
	struct stream_att *atts;
};

struct streamep;

/* One URL: a listener or a connector. */
struct stream_att {
	struct sw_attachment a;
	struct stream_backend *sb;
	struct stream_att *next;
	bool listen;
	char url[256];
	struct sa addr;
	bool unlink_path;	/* a UNIX listener's socket file is ours */
	unsigned port;		/* SW_ANY_PORT: a port per peer */
	int fd;			/* listening, or connecting, socket */
	struct loop_handler h;
	struct loop_timer timer; /* connector retry, or accept pause */
	unsigned backoff_ms;
	char why[128];		/* the last connect failure */
	char bound[128];	/* a listener's address, port chosen */
	struct streamep *peers;
	unsigned npeers;
};

struct streamep {
	struct endpoint ep;
	struct stream_backend *sb;
	struct stream_att *att;	/* NULL once its attachment is gone */
	struct streamep *next_peer;
	struct loop_handler h;
	struct loop_deferred dfr;
	int fd;
	bool want_out;		/* the core has frames queued */
	bool polling_out;
	size_t rhave;
	size_t wlen, woff;	/* pending bytes of a frame partly written */
	uint8_t wbuf[QFRAME_HDR + VDE_FRAME_MAX];
	uint8_t hdr[FWD_BATCH][QFRAME_HDR];
	uint8_t rbuf[RBUF_SIZE];
};

static void att_connect(struct stream_att *t);

static int ep_events(struct streamep *s)
{
	bool out = s->want_out || s->woff < s->wlen;
	int rc = 0;

	if (out != s->polling_out) {
		rc = loop_mod(s->sb->loop, s->fd,
			      EPOLLIN | (out ? EPOLLOUT : 0), &s->h);
		if (!rc)
			s->polling_out = out;
	}
	return rc;
}

/* Write what is pending of a frame. Return: 0 when none is left,
 * -EAGAIN, or another -errno */
static int ep_flush_pending(struct streamep *s)
{
	while (s->woff < s->wlen) {
		ssize_t w = send(s->fd, s->wbuf + s->woff, s->wlen - s->woff,
				 MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s->woff += (size_t)w;
	}
	s->woff = s->wlen = 0;
	return 0;
}

static void ep_fail(struct streamep *s, const char *what, int err)
{
	log_warnx("port %u: %s: %s %s: disconnected", s->ep.port->num,
		  s->ep.descr, what, strerror(err));
	endpoint_close(&s->ep);
}

static int stream_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct streamep *s = container_of(ep, struct streamep, ep);
	struct iovec iov[MAX_IOV];
	struct msghdr mh = { .msg_iov = iov };
	unsigned i, k, cnt = 0, taken;
	size_t left;
	ssize_t w;
	int rc;

	rc = ep_flush_pending(s);
	if (rc == -EAGAIN) {
		ep_events(s);
		return -EAGAIN;
	}
	if (rc) {
		ep_fail(s, "writing", -rc);
		return rc;
	}
	for (i = 0; i < n; i++) {
		const struct msghdr *h = &msgs[i].msg_hdr;
		size_t len = 0;

		if (cnt + 1 + h->msg_iovlen > MAX_IOV)
			break;
		for (k = 0; k < h->msg_iovlen; k++)
			len += h->msg_iov[k].iov_len;
		qframe_hdr(s->hdr[i], len);
		iov[cnt].iov_base = s->hdr[i];
		iov[cnt++].iov_len = QFRAME_HDR;
		for (k = 0; k < h->msg_iovlen; k++)
			iov[cnt++] = h->msg_iov[k];
	}
	n = i;
	mh.msg_iovlen = cnt;
	do
		w = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w <= 0) {
		if (w == 0 || errno == EAGAIN)
			return -EAGAIN;
		rc = -errno;
		ep_fail(s, "writing", errno);
		return rc;
	}
	/* whole frames written, then keep the rest of a partial one */
	left = (size_t)w;
	cnt = 0;
	for (taken = 0; taken < n; taken++) {
		const struct msghdr *h = &msgs[taken].msg_hdr;
		size_t flen = QFRAME_HDR, skip;

		for (k = 0; k < h->msg_iovlen; k++)
			flen += h->msg_iov[k].iov_len;
		if (left >= flen) {
			left -= flen;
			cnt += 1 + (unsigned)h->msg_iovlen;
			continue;
		}
		if (!left)
			break;
		/* copy the unwritten part of this frame aside */
		s->wlen = 0;
		skip = left;
		for (k = 0; k <= h->msg_iovlen; k++) {
			const struct iovec *v = &iov[cnt + k];

			if (skip >= v->iov_len) {
				skip -= v->iov_len;
				continue;
			}
			memcpy(s->wbuf + s->wlen, (uint8_t *)v->iov_base + skip,
			       v->iov_len - skip);
			s->wlen += v->iov_len - skip;
			skip = 0;
		}
		s->woff = 0;
		taken++;
		ep_events(s);
		break;
	}
	return (int)taken;
}

static int stream_want_write(struct endpoint *ep, bool on)
{
	struct streamep *s = container_of(ep, struct streamep, ep);

	s->want_out = on;
	return ep_events(s);
}

static void ep_free(struct loop_deferred *d)
{
	free(container_of(d, struct streamep, dfr));
}

static void att_retry_later(struct stream_att *t)
{
	struct loop *loop = t->sb->loop;

	if (!t->backoff_ms)
		t->backoff_ms = RETRY_FIRST_MS;
	loop_timer_mod(loop, &t->timer, t->backoff_ms);
	t->backoff_ms = t->backoff_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS
							 : t->backoff_ms * 2;
}

static void att_forget_peer(struct stream_att *t, struct streamep *s)
{
	struct streamep **pp;

	for (pp = &t->peers; *pp; pp = &(*pp)->next_peer)
		if (*pp == s) {
			*pp = s->next_peer;
			t->npeers--;
			break;
		}
}

static void stream_close(struct endpoint *ep)
{
	struct streamep *s = container_of(ep, struct streamep, ep);
	struct stream_att *t = s->att;

	loop_del(s->sb->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	log_info("%s closed", s->ep.descr);
	if (t) {
		att_forget_peer(t, s);
		if (!t->listen) {
			snprintf(t->why, sizeof(t->why), "disconnected");
			t->backoff_ms = RETRY_FIRST_MS;
			att_retry_later(t);
		}
	}
	loop_defer(s->sb->loop, &s->dfr, ep_free);
}

static const struct endpoint_ops stream_ops = {
	.kind = "stream",
	.pad = true,
	.url = true,
	.send = stream_send,
	.want_write = stream_want_write,
	.close = stream_close,
};

/* Forward the whole frames in rbuf, keep the rest. Return: false if the
 * framing is lost (the endpoint is closing) */
static bool ep_deframe(struct streamep *s)
{
	struct iovec iov[FWD_BATCH];
	struct qframe_scan sc;
	size_t off = 0;
	int rc;

	do {
		rc = qframe_scan(s->rbuf + off, s->rhave - off, VDE_FRAME_MAX,
				 iov, FWD_BATCH, &sc);
		if (sc.n)
			fwd_input_iov(&s->ep, iov, sc.n);
		off += sc.used;
	} while (!rc && sc.n == FWD_BATCH && !s->ep.closing);
	if (rc) {
		log_warnx("port %u: %s announced a %zu-byte frame (1 to %d): "
			  "disconnected", s->ep.port->num, s->ep.descr,
			  sc.bad_len, VDE_FRAME_MAX);
		endpoint_close(&s->ep);
		return false;
	}
	if (off) {
		memmove(s->rbuf, s->rbuf + off, s->rhave - off);
		s->rhave -= off;
	}
	return !s->ep.closing;
}

static void ep_read(struct streamep *s)
{
	unsigned rounds;

	for (rounds = 0; rounds < 8 && !s->ep.closing; rounds++) {
		ssize_t r = read(s->fd, s->rbuf + s->rhave,
				 sizeof(s->rbuf) - s->rhave);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r < 0) {
			ep_fail(s, "reading", errno);
			return;
		}
		if (r == 0) {
			if (s->rhave)
				log_warnx("port %u: %s closed in the middle "
					  "of a frame (%zu bytes of it "
					  "dropped)", s->ep.port->num,
					  s->ep.descr, s->rhave);
			endpoint_close(&s->ep);
			return;
		}
		s->rhave += (size_t)r;
		if (!ep_deframe(s))
			return;
	}
}

static void ep_cb(struct loop_handler *h, uint32_t events)
{
	struct streamep *s = container_of(h, struct streamep, h);

	if (s->ep.closing)
		return;
	if (events & EPOLLOUT) {
		int rc = ep_flush_pending(s);

		if (rc && rc != -EAGAIN) {
			ep_fail(s, "writing", -rc);
			return;
		}
		if (!rc && s->want_out)
			fwd_drain(&s->ep);
		if (!s->ep.closing && ep_events(s))
			endpoint_close(&s->ep);
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		ep_read(s);
}

/* A connected stream socket becomes an endpoint on @port. Return: 0, or
 * -errno (@fd closed) */
static int ep_create(struct stream_att *t, int fd, unsigned port,
		     const char *peer)
{
	struct stream_backend *sb = t->sb;
	struct streamep *s;
	struct port *p;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char err[256];
	int rc, one = 1;

	rc = sw_port_for_attach(sb->sw, port, &p, err, sizeof(err));
	if (rc) {
		log_warnx("%s: peer %s refused: %s", t->url, peer, err);
		close(fd);
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		log_warnx("%s: peer %s refused: out of memory", t->url, peer);
		close(fd);
		return -ENOMEM;
	}
	s->sb = sb;
	s->att = t;
	s->fd = fd;
	s->h.cb = ep_cb;
	s->ep.ops = &stream_ops;
	s->ep.user = PORT_UID_NONE;
	if (t->addr.ss.ss_family == AF_UNIX) {
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
			s->ep.user = cred.uid;
	} else {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	snprintf(s->ep.descr, sizeof(s->ep.descr), "%.100s peer %.50s",
		 t->url, peer);
	rc = loop_add(sb->loop, fd, EPOLLIN, &s->h);
	if (!rc) {
		rc = port_attach(sb->sw, p, &s->ep);
		if (rc)
			loop_del(sb->loop, fd);
	}
	if (rc) {
		log_warnx("%s: peer %s refused: %s", t->url, peer,
			  strerror(-rc));
		close(fd);
		free(s);
		return rc;
	}
	s->next_peer = t->peers;
	t->peers = s;
	t->npeers++;
	log_info("port %u: %s (endpoint %d)", p->num, s->ep.descr, s->ep.id);
	return 0;
}

/* A UNIX peer is known by its process. */
static void unix_peer(int fd, char *buf, size_t len)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "pid %d", (int)cred.pid);
}

static void att_accept(struct stream_att *t)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char peer[128];
	int fd;

	while ((fd = loop_accept(t->sb->loop, t->fd, &t->h, &t->timer,
				 ACCEPT_PAUSE_MS, (struct sockaddr *)&ss, &len,
				 t->url)) >= 0) {
		if (t->addr.ss.ss_family == AF_UNIX)
			unix_peer(fd, peer, sizeof(peer));
		else
			sa_format((struct sockaddr *)&ss, len, peer,
				  sizeof(peer));
		ep_create(t, fd, t->port, peer);
		len = sizeof(ss);
	}
}

/* The connecting socket is done: connected, or failed. */
static void att_connected(struct stream_att *t)
{
	int err = 0, fd = t->fd;
	socklen_t len = sizeof(err);
	char peer[128];

	loop_del(t->sb->loop, fd);
	t->fd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		close(fd);
		snprintf(t->why, sizeof(t->why), "%s", strerror(err));
		log_debug("%s: %s; retrying in %u ms", t->url, t->why,
			  t->backoff_ms ? t->backoff_ms : RETRY_FIRST_MS);
		att_retry_later(t);
		return;
	}
	sa_format((struct sockaddr *)&t->addr.ss, t->addr.len, peer,
		  sizeof(peer));
	if (ep_create(t, fd, t->port, peer)) {
		snprintf(t->why, sizeof(t->why), "port refused");
		att_retry_later(t);
		return;
	}
	t->backoff_ms = 0;
	t->why[0] = '\0';
}

static void att_cb(struct loop_handler *h, uint32_t events)
{
	struct stream_att *t = container_of(h, struct stream_att, h);

	(void)events;
	if (t->listen)
		att_accept(t);
	else
		att_connected(t);
}

static void att_timer(struct loop_timer *tm)
{
	struct stream_att *t = container_of(tm, struct stream_att, timer);

	if (t->listen)
		loop_mod(t->sb->loop, t->fd, EPOLLIN, &t->h);
	else if (t->fd < 0 && !t->peers)
		att_connect(t);
}

static void att_connect(struct stream_att *t)
{
	int fd = socket(t->addr.ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(t->why, sizeof(t->why), "socket: %s",
			 strerror(errno));
		att_retry_later(t);
		return;
	}
	if (connect(fd, (struct sockaddr *)&t->addr.ss, t->addr.len) &&
	    errno != EINPROGRESS) {
		snprintf(t->why, sizeof(t->why), "%s", strerror(errno));
		close(fd);
		att_retry_later(t);
		return;
	}
	t->fd = fd;
	if (loop_add(t->sb->loop, fd, EPOLLOUT, &t->h)) {
		snprintf(t->why, sizeof(t->why), "epoll: out of memory");
		close(fd);
		t->fd = -1;
		att_retry_later(t);
	}
}

static void att_describe(struct sw_attachment *a, char *buf, size_t len)
{
	struct stream_att *t = container_of(a, struct stream_att, a);
	long long left;

	if (t->listen) {
		snprintf(buf, len, "listening on %s, %u peer%s", t->bound,
			 t->npeers, t->npeers == 1 ? "" : "s");
		return;
	}
	if (t->peers) {
		snprintf(buf, len, "connected");
		return;
	}
	if (t->fd >= 0) {
		snprintf(buf, len, "connecting");
		return;
	}
	left = loop_timer_armed(&t->timer)
		       ? t->timer.when - loop_now_ms(t->sb->loop)
		       : 0;
	snprintf(buf, len, "retrying in %lld s (%s)",
		 left > 0 ? (left + 999) / 1000 : 0,
		 t->why[0] ? t->why : "not connected");
}

static void att_free(struct stream_att *t)
{
	struct stream_backend *sb = t->sb;
	struct stream_att **pp;
	struct streamep *s;

	for (pp = &sb->atts; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	loop_timer_del(sb->loop, &t->timer);
	if (t->fd >= 0) {
		loop_del(sb->loop, t->fd);
		close(t->fd);
	}
	if (t->unlink_path)
		unlink(((struct sockaddr_un *)&t->addr.ss)->sun_path);
	for (s = t->peers; s; s = s->next_peer)
		s->att = NULL;
	free(t);
}

/* port/detach, or the switch going: the attachment and its connections */
static void att_detach(struct sw_attachment *a)
{
	struct stream_att *t = container_of(a, struct stream_att, a);
	struct streamep *s, *next;

	sw_attachment_del(t->sb->sw, a);
	for (s = t->peers; s; s = next) {
		next = s->next_peer;
		s->att = NULL;
		endpoint_close_now(&s->ep);
	}
	t->peers = NULL;
	log_info("%s detached", t->url);
	att_free(t);
}

static int att_listen(struct stream_att *t, char *err, size_t errlen)
{
	struct sockaddr_un *u = (struct sockaddr_un *)&t->addr.ss;
	struct sockaddr_storage bound;
	socklen_t bl;
	int one = 1, e;

	t->fd = socket(t->addr.ss.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	if (t->addr.ss.ss_family != AF_UNIX)
		setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(t->fd, (struct sockaddr *)&t->addr.ss, t->addr.len)) {
		if (errno != EADDRINUSE || t->addr.ss.ss_family != AF_UNIX ||
		    !sa_unix_stale(u))
			goto fail;
		unlink(u->sun_path);
		if (bind(t->fd, (struct sockaddr *)&t->addr.ss, t->addr.len))
			goto fail;
	}
	t->unlink_path = t->addr.ss.ss_family == AF_UNIX;
	if (listen(t->fd, 16))
		goto fail;
	bl = sizeof(bound);
	if (getsockname(t->fd, (struct sockaddr *)&bound, &bl))
		goto fail;
	sa_format((struct sockaddr *)&bound, bl, t->bound, sizeof(t->bound));
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "%s: %s%s", t->url, strerror(e),
		 e == EADDRINUSE ? " (another program listens there)" : "");
	return -e;
}

/**
 * stream_url_addr() - the address of stream+listen://REST or
 * stream+connect://REST
 * @rest:	after the scheme: HOST:PORT, [IPV6]:PORT, /PATH; to listen,
 *		also :PORT and port 0
 * @listen:	stream+listen://
 * @out:	the address
 * @err:	why not, without the URL
 * @errlen:	its size
 *
 * Return: 0 or -errno
 */
int stream_url_addr(const char *rest, bool listen, struct sa *out, char *err,
		    size_t errlen)
{
	return sa_parse(rest, strlen(rest), AF_UNSPEC, SOCK_STREAM,
			SA_UNIX | (listen ? SA_PASSIVE | SA_PORT0 : 0), out,
			err, errlen);
}

static int stream_attach(struct stream_backend *sb, bool listen,
			 const char *rest, unsigned port, char *err,
			 size_t errlen)
{
	struct stream_att *t = calloc(1, sizeof(*t));
	struct port *p;
	char why[400];
	int rc;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->sb = sb;
	t->listen = listen;
	t->fd = -1;
	t->port = port;
	snprintf(t->url, sizeof(t->url), "stream+%s://%s",
		 listen ? "listen" : "connect", rest);
	loop_timer_init(&t->timer, att_timer);
	t->h.cb = att_cb;
	rc = stream_url_addr(rest, listen, &t->addr, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s", t->url, why);
		goto fail;
	}
	if (listen) {
		rc = att_listen(t, err, errlen);
		if (rc)
			goto fail;
		rc = loop_add(sb->loop, t->fd, EPOLLIN, &t->h);
		if (rc) {
			snprintf(err, errlen, "%s: epoll: %s", t->url,
				 strerror(-rc));
			goto fail;
		}
	} else {
		/* the port is chosen now, and kept across reconnections */
		rc = sw_port_for_attach(sb->sw, port, &p, err, errlen);
		if (rc)
			goto fail;
		t->port = p->num;
	}
	t->a.url = t->url;
	t->a.port = listen ? port : t->port;
	t->a.describe = att_describe;
	t->a.detach = att_detach;
	sw_attachment_add(sb->sw, &t->a);
	t->next = sb->atts;
	sb->atts = t;
	if (!listen)
		att_connect(t);
	if (listen)
		log_info("%s attached: listening on %s", t->url, t->bound);
	else
		log_info("%s attached: port %u", t->url, t->port);
	return 0;
fail:
	if (t->fd >= 0)
		close(t->fd);
	if (t->unlink_path)
		unlink(((struct sockaddr_un *)&t->addr.ss)->sun_path);
	free(t);
	return rc;
}

static int listen_scheme_attach(struct sw_scheme *s, const char *rest,
				unsigned port, char *err, size_t errlen)
{
	return stream_attach(container_of(s, struct stream_backend,
					  listen_scheme),
			     true, rest, port, err, errlen);
}

static int connect_scheme_attach(struct sw_scheme *s, const char *rest,
				 unsigned port, char *err, size_t errlen)
{
	return stream_attach(container_of(s, struct stream_backend,
					  connect_scheme),
			     false, rest, port, err, errlen);
}

static void stream_backend_destroy(struct sw_backend *b)
{
	struct stream_backend *sb = container_of(b, struct stream_backend,
						 backend);

	while (sb->atts) {
		sw_attachment_del(sb->sw, &sb->atts->a);
		att_free(sb->atts);
	}
	free(sb);
}

/**
 * streamep_backend_create() - the stream backend of a switch, serving
 * stream+listen:// and stream+connect://; the switch owns it
 * @sw:		the switch
 *
 * Return: the backend, or NULL (no memory)
 */
struct stream_backend *streamep_backend_create(struct sw *sw)
{
	struct stream_backend *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->sw = sw;
	sb->loop = sw_loop(sw);
	sb->backend.name = "stream";
	sb->backend.destroy = stream_backend_destroy;
	sb->listen_scheme.name = "stream+listen";
	sb->listen_scheme.attach = listen_scheme_attach;
	sb->connect_scheme.name = "stream+connect";
	sb->connect_scheme.attach = connect_scheme_attach;
	sw_backend_add(sw, &sb->backend);
	sw_scheme_add(sw, &sb->listen_scheme);
	sw_scheme_add(sw, &sb->connect_scheme);
	return sb;
}
