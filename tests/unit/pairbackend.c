/* SPDX-License-Identifier: GPL-2.0-or-later
 * pairbackend.c - the smallest real backend: a datagram socketpair, one
 * frame per message. It reads into the core's buffers, sends, and closes;
 * size checks, counters, ids, queues and teardown are the core's. Nothing
 * in fwd.c or datasock.c knows it exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fwd.h"
#include "loop.h"
#include "pairbackend.h"
#include "port.h"
#include "sw.h"

struct pairep {
	struct endpoint ep;
	struct loop_handler h;
	struct loop_deferred dfr;
	struct loop *loop;
	int fd;
};

unsigned pairep_closed;

static int pair_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct pairep *pe = container_of(ep, struct pairep, ep);
	int rc = sendmmsg(pe->fd, msgs, n, MSG_DONTWAIT);

	return rc < 0 ? -errno : rc;
}

static int pair_want_write(struct endpoint *ep, bool on)
{
	struct pairep *pe = container_of(ep, struct pairep, ep);

	return loop_mod(pe->loop, pe->fd, EPOLLIN | (on ? EPOLLOUT : 0),
			&pe->h);
}

static void pair_free(struct loop_deferred *d)
{
	free(container_of(d, struct pairep, dfr));
}

static void pair_close(struct endpoint *ep)
{
	struct pairep *pe = container_of(ep, struct pairep, ep);

	loop_del(pe->loop, pe->fd);
	close(pe->fd);
	pairep_closed++;
	loop_defer(pe->loop, &pe->dfr, pair_free);
}

static const struct endpoint_ops pair_ops = {
	.kind = "pair", .pad = true, .send = pair_send,
	.want_write = pair_want_write, .close = pair_close,
};

static const struct endpoint_ops pair_ops_nopad = {
	.kind = "pair", .pad = false, .send = pair_send,
	.want_write = pair_want_write, .close = pair_close,
};

static void pair_cb(struct loop_handler *h, uint32_t events)
{
	struct pairep *pe = container_of(h, struct pairep, h);
	struct fwd_rx *rx;
	int n;

	if (events & EPOLLOUT)
		fwd_drain(&pe->ep);
	if (!(events & (EPOLLIN | EPOLLHUP)))
		return;
	rx = fwd_rx_get(pe->ep.sw);
	n = recvmmsg(pe->fd, rx->msgs, FWD_BATCH, MSG_DONTWAIT, NULL);
	if (n > 0)
		fwd_rx_input(&pe->ep, (unsigned)n);
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
		endpoint_close(&pe->ep);	/* the peer is gone */
}

/**
 * pairep_attach() - a new endpoint on port @port
 * @sw:		the switch
 * @port:	port number
 * @pad:	pad short frames (like a VDE socket) or not (like a TAP)
 * @peer:	the test's end of the pair
 *
 * Return: the endpoint, or NULL
 */
struct pairep *pairep_attach(struct sw *sw, unsigned port, bool pad,
			     int *peer)
{
	struct pairep *pe = calloc(1, sizeof(*pe));
	int sv[2];

	if (!pe || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
					SOCK_CLOEXEC, 0, sv)) {
		free(pe);
		return NULL;
	}
	pe->fd = sv[0];
	pe->loop = sw_loop(sw);
	pe->h.cb = pair_cb;
	pe->ep.ops = pad ? &pair_ops : &pair_ops_nopad;
	pe->ep.user = 0;
	if (loop_add(pe->loop, pe->fd, EPOLLIN, &pe->h) ||
	    port_attach(sw, port_get(sw, port), &pe->ep)) {
		close(sv[0]);
		close(sv[1]);
		free(pe);
		return NULL;
	}
	*peer = sv[1];
	return pe;
}

/**
 * pairep_endpoint() - the core's view of the endpoint
 * @pe:		the endpoint
 *
 * Return: its struct endpoint
 */
struct endpoint *pairep_endpoint(struct pairep *pe)
{
	return &pe->ep;
}
