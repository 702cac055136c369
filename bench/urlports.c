/* SPDX-License-Identifier: GPL-2.0-or-later
 * urlports.c - the benchmark's URL port steps (s64, s1500, d64, d1500): a
 * sender speaking a URL port's own framing into patchbay, a batching VDE
 * client receiving, the same lossless window as the other throughput
 * steps (the flow itself is pbbench.c's and clients.c's).
 *
 * Before the clients start, the benchmark (the parent) attaches the port
 * through the switch's console (sw_start() with a console, then
 * "port/attach URL" with mgmt/ctl_conn.c) and makes the sender's socket,
 * connected; the sender process inherits it:
 *
 *   stream: port/attach stream+listen://127.0.0.1:0; the port the kernel
 *           chose is read back from port/print ("listening on
 *           127.0.0.1:PORT"); a TCP socket connects to it (TCP_NODELAY,
 *           as patchbay's side has it). Each frame goes with QEMU's
 *           framing, a 4-byte big-endian length before it; a batch of
 *           frames is one sendmsg() (iovecs: a header, a frame, ...).
 *   dgram:  the sender's UDP socket is bound to 127.0.0.1:0 first (CP),
 *           a free port for the switch is found by binding a probe to
 *           port 0 and closing it (SP), then port/attach
 *           udp://127.0.0.1:SP->127.0.0.1:CP and the sender connects to
 *           SP. One frame per datagram, sendmmsg() as the batching VDE
 *           sender does on its data socket.
 *
 * The receiver's announce reaches the sender through the port (flooded):
 * url_recv() takes one whole frame off the socket, so the sender sees the
 * switch learnt the receiver's MAC before measuring, as on a VDE port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "ctl_conn.h"
#include "pbbench.h"

#define URL_HOST "127.0.0.1"
#define URL_CON_MS 5000		/* console: each exchange */
#define URL_TRIES 5		/* dgram: free ports tried */
#define LISTENING "listening on " URL_HOST ":"
#define QHDR 4			/* QEMU's stream framing: length, BE */

static void sin_of(struct sockaddr_in *a, unsigned port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, URL_HOST, &a->sin_addr);
}

/* A socket of @type bound to URL_HOST:0; its port in @port. */
static int bound_socket(int type, unsigned *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return -1;
	sin_of(&a, 0);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_to(int fd, unsigned port)
{
	struct sockaddr_in a;

	sin_of(&a, port);
	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

/*
 * Run @cmd on the console @c; with @find, return in @val the number after
 * the first occurrence of @find in the reply's lines. Return: 0, or -1
 * with a message.
 */
static int con_run(struct ctl_conn *c, const char *cmd, const char *find,
		   unsigned *val)
{
	struct ctl_reply r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = ctl_command(c, cmd, true, &r, NULL, NULL);
	if (rc) {
		fprintf(stderr, "pbbench: console: %s: %s\n", cmd,
			c->why[0] ? c->why : strerror(-rc));
		return -1;
	}
	rc = -1;
	if (r.code != 1000) {
		fprintf(stderr, "pbbench: console: %s: %u %s\n", cmd, r.code,
			r.text ? r.text : "");
		for (i = 0; i < r.n; i++)
			fprintf(stderr, "  | %s\n", r.lines[i]);
		goto out;
	}
	if (!find) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < r.n; i++) {
		const char *p = strstr(r.lines[i], find);
		char *end;
		unsigned long v;

		if (!p)
			continue;
		v = strtoul(p + strlen(find), &end, 10);
		if (end != p + strlen(find) && v > 0 && v <= 65535) {
			*val = (unsigned)v;
			rc = 0;
			goto out;
		}
	}
	fprintf(stderr, "pbbench: console: no \"%s\" in %s\n", find, cmd);
out:
	ctl_reply_free(&r);
	return rc;
}

/* stream+listen:// on 127.0.0.1, a chosen port; connect to it. */
static int attach_stream(struct ctl_conn *c)
{
	unsigned port = 0;
	int fd, one = 1, e;

	if (con_run(c, "port/attach stream+listen://" URL_HOST ":0", NULL,
		    NULL) ||
	    con_run(c, "port/print", LISTENING, &port))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect_to(fd, port))
		goto fail;
	return fd;
fail:
	e = errno;
	fprintf(stderr, "pbbench: connect %s:%u: %s\n", URL_HOST, port,
		strerror(e));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* udp://127.0.0.1:SP->127.0.0.1:CP, the sender bound to CP first. */
static int attach_dgram(struct ctl_conn *c)
{
	unsigned cp, sp = 0, tries;
	char cmd[CTL_CMD_MAX + 1];
	int fd, probe;

	fd = bound_socket(SOCK_DGRAM, &cp);
	if (fd < 0) {
		fprintf(stderr, "pbbench: UDP socket: %s\n", strerror(errno));
		return -1;
	}
	/* another program may take the probed port before the switch:
	 * then its bind fails, and another port is tried */
	for (tries = 0; tries < URL_TRIES; tries++) {
		probe = bound_socket(SOCK_DGRAM, &sp);
		if (probe < 0) {
			fprintf(stderr, "pbbench: UDP socket: %s\n",
				strerror(errno));
			break;
		}
		close(probe);
		snprintf(cmd, sizeof(cmd), "port/attach udp://%s:%u->%s:%u",
			 URL_HOST, sp, URL_HOST, cp);
		if (!con_run(c, cmd, NULL, NULL))
			break;
		sp = 0;
	}
	if (!sp || connect_to(fd, sp)) {
		if (sp)
			fprintf(stderr, "pbbench: connect %s:%u: %s\n",
				URL_HOST, sp, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Open the switch's console and read its banner. Return: 0, or -1 with a
 * message. */
static int con_open(const struct swproc *sw, struct ctl_conn *c)
{
	struct ctl_reply banner;
	int rc;

	memset(&banner, 0, sizeof(banner));
	rc = ctl_conn_open(c, sw->mgmt, URL_CON_MS);
	if (!rc)
		rc = ctl_conn_banner(c, &banner);
	ctl_reply_free(&banner);
	if (rc) {
		fprintf(stderr, "pbbench: console %s: %s\n", sw->mgmt,
			c->why[0] ? c->why : strerror(-rc));
		ctl_conn_close(c);
		return -1;
	}
	return 0;
}

/**
 * url_attach() - give the started patchbay @sw a URL port and make the
 * sender's socket, connected to it
 * @sw:		the switch, started with a console (sw->mgmt)
 * @kind:	URL_STREAM or URL_DGRAM
 * @fd:		the sender's socket (blocking, O_CLOEXEC); the caller
 *		closes it
 *
 * Return: 0, or -1 with a message on stderr
 */
int url_attach(const struct swproc *sw, enum urlkind kind, int *fd)
{
	struct ctl_conn c;

	*fd = -1;
	if (con_open(sw, &c))
		return -1;
	*fd = kind == URL_STREAM ? attach_stream(&c) : attach_dgram(&c);
	ctl_logout(&c);
	ctl_conn_close(&c);
	return *fd < 0 ? -1 : 0;
}

/*
 * A batch as one sendmsg(): each frame after its 4-byte big-endian length.
 * A blocking socket takes it whole unless a signal interrupts; what is
 * left is written after, so the framing holds.
 */
static int stream_send(int fd, const struct mmsghdr *msgs, unsigned n)
{
	uint8_t hdr[PB_MAXWIN][QHDR];
	struct iovec iov[2 * PB_MAXWIN], *v = iov;
	struct msghdr mh;
	unsigned i, cnt = 0;
	ssize_t w;

	if (n > PB_MAXWIN)
		n = PB_MAXWIN;
	for (i = 0; i < n; i++) {
		const struct iovec *f = msgs[i].msg_hdr.msg_iov;
		uint32_t be = htonl((uint32_t)f->iov_len);

		memcpy(hdr[i], &be, QHDR);
		iov[cnt].iov_base = hdr[i];
		iov[cnt++].iov_len = QHDR;
		iov[cnt++] = *f;
	}
	memset(&mh, 0, sizeof(mh));
	while (cnt) {
		mh.msg_iov = v;
		mh.msg_iovlen = cnt;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		while (cnt && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			cnt--;
		}
		if (cnt) {
			v->iov_base = (uint8_t *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
	return (int)n;
}

/**
 * url_send() - send a batch of frames to a URL port in its framing
 * @kind:	URL_STREAM (length + frame, one sendmsg) or URL_DGRAM (a
 *		datagram each, sendmmsg)
 * @fd:		the sender's connected socket
 * @msgs:	the frames, one iovec each
 * @n:		how many
 *
 * Return: frames sent, or -1 with errno set
 */
int url_send(enum urlkind kind, int fd, struct mmsghdr *msgs, unsigned n)
{
	if (kind == URL_STREAM)
		return stream_send(fd, msgs, n);
	return sendmmsg(fd, msgs, n, 0);
}

/**
 * url_recv() - take one whole frame from a URL port, without waiting
 * @kind:	URL_STREAM or URL_DGRAM
 * @fd:		the sender's connected socket
 * @buf:	the frame, without the stream's length
 * @len:	room in @buf
 *
 * On a stream, a frame not all there yet stays in the socket (peeked at,
 * counted with SIOCINQ) and -1 with EAGAIN is returned; no state is kept.
 *
 * Return: the frame's length, 0 at the end of the stream, or -1 with
 * errno set (EAGAIN: nothing whole yet; EPROTO: a length of 0 or over
 * @len)
 */
ssize_t url_recv(enum urlkind kind, int fd, void *buf, size_t len)
{
	uint8_t hdr[QHDR];
	struct iovec iov[2] = { { hdr, QHDR }, { buf, 0 } };
	struct msghdr mh;
	uint32_t be;
	ssize_t r;
	int avail;

	if (kind == URL_DGRAM)
		return recv(fd, buf, len, MSG_DONTWAIT);
	r = recv(fd, hdr, QHDR, MSG_PEEK | MSG_DONTWAIT);
	if (r <= 0)
		return r;
	if (r < QHDR || ioctl(fd, SIOCINQ, &avail)) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(&be, hdr, QHDR);
	iov[1].iov_len = ntohl(be);
	if (!iov[1].iov_len || iov[1].iov_len > len) {
		errno = EPROTO;
		return -1;
	}
	if ((size_t)avail < QHDR + iov[1].iov_len) {
		errno = EAGAIN;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	r = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (r < 0)
		return r;
	if (r != (ssize_t)(QHDR + iov[1].iov_len)) {
		errno = EPROTO;		/* SIOCINQ said it was there */
		return -1;
	}
	return (ssize_t)iov[1].iov_len;
}

/**
 * sw_console() - run one console command on a started patchbay
 * @sw:		the switch, started with its console
 * @cmd:	the command ("port/mirror 1 2 tx")
 *
 * Return: 0, or -1 with a message (an error status included)
 */
int sw_console(const struct swproc *sw, const char *cmd)
{
	struct ctl_conn c;
	int rc;

	if (con_open(sw, &c))
		return -1;
	rc = con_run(&c, cmd, NULL, NULL);
	ctl_logout(&c);
	ctl_conn_close(&c);
	return rc;
}
