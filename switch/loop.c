/* SPDX-License-Identifier: GPL-2.0-or-later
 * loop.c - one epoll loop for the whole switch.
 *
 * Each iteration waits for events, runs their callbacks, then runs the
 * deferred work queued meanwhile (objects released during the batch are
 * freed only then, so a later event of the same batch never points at
 * freed memory). A timerfd gives a periodic tick for timeouts and ageing.
 * loop_now() is a cached monotonic time in seconds, refreshed once per
 * iteration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_EVENTS 64

struct loop {
	int epfd;
	int tickfd;
	struct loop_handler tick_h;
	void (*tick_fn)(struct loop *loop, void *arg);
	void *tick_arg;
	struct loop_deferred *deferred;
	time_t now;
	int running;
	int status;
};

/**
 * loop_clock() - monotonic time in whole seconds
 *
 * Return: seconds since an arbitrary point, never going backwards
 */
time_t loop_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/**
 * loop_create() - make an empty loop
 *
 * Return: the loop, or NULL with errno set
 */
struct loop *loop_create(void)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->tickfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->now = loop_clock();
	return loop;
}

static void loop_run_deferred(struct loop *loop)
{
	while (loop->deferred) {
		struct loop_deferred *d = loop->deferred;

		loop->deferred = d->next;
		d->fn(d);
	}
}

/**
 * loop_destroy() - release the loop; deferred work still pending runs first
 * @loop:	the loop, or NULL
 */
void loop_destroy(struct loop *loop)
{
	if (!loop)
		return;
	loop_run_deferred(loop);
	if (loop->tickfd >= 0)
		close(loop->tickfd);
	close(loop->epfd);
	free(loop);
}

/**
 * loop_add() - watch an fd
 * @loop:	the loop
 * @fd:		a non-blocking fd
 * @events:	EPOLLIN, EPOLLOUT...
 * @h:		handler called with the events that occurred
 *
 * Return: 0 or -errno
 */
int loop_add(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/**
 * loop_mod() - change the events watched on an fd
 * @loop:	the loop
 * @fd:		an fd already added
 * @events:	the new event mask (0 pauses it)
 * @h:		handler
 *
 * Return: 0 or -errno
 */
int loop_mod(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) ? -errno : 0;
}

/**
 * loop_del() - stop watching an fd (before closing it)
 * @loop:	the loop
 * @fd:		the fd
 */
void loop_del(struct loop *loop, int fd)
{
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/**
 * loop_defer() - run @fn once the current batch of events is handled
 * @loop:	the loop
 * @d:		node embedded in the object concerned
 * @fn:		called with @d
 */
void loop_defer(struct loop *loop, struct loop_deferred *d,
		void (*fn)(struct loop_deferred *d))
{
	d->fn = fn;
	d->next = loop->deferred;
	loop->deferred = d;
}

static void loop_tick_cb(struct loop_handler *h, uint32_t events)
{
	struct loop *loop = container_of(h, struct loop, tick_h);
	uint64_t n;

	(void)events;
	if (read(loop->tickfd, &n, sizeof(n)) != sizeof(n))
		return;
	loop->tick_fn(loop, loop->tick_arg);
}

/**
 * loop_set_tick() - call @fn every @ms milliseconds
 * @loop:	the loop
 * @ms:		period
 * @fn:		the callback
 * @arg:	its argument
 *
 * Return: 0 or -errno
 */
int loop_set_tick(struct loop *loop, unsigned ms,
		  void (*fn)(struct loop *loop, void *arg), void *arg)
{
	struct itimerspec its = { 0 };
	int rc;

	if (loop->tickfd < 0) {
		loop->tickfd = timerfd_create(CLOCK_MONOTONIC,
					      TFD_NONBLOCK | TFD_CLOEXEC);
		if (loop->tickfd < 0)
			return -errno;
		loop->tick_h.cb = loop_tick_cb;
		rc = loop_add(loop, loop->tickfd, EPOLLIN, &loop->tick_h);
		if (rc)
			return rc;
	}
	loop->tick_fn = fn;
	loop->tick_arg = arg;
	its.it_interval.tv_sec = ms / 1000;
	its.it_interval.tv_nsec = (long)(ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	return timerfd_settime(loop->tickfd, 0, &its, NULL) ? -errno : 0;
}

/**
 * loop_run() - handle events until loop_stop()
 * @loop:	the loop
 *
 * Return: the status given to loop_stop()
 */
int loop_run(struct loop *loop)
{
	struct epoll_event ev[LOOP_EVENTS];

	loop->running = 1;
	while (loop->running) {
		int i, n;

		n = epoll_wait(loop->epfd, ev, LOOP_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			return 1;
		}
		loop->now = loop_clock();
		for (i = 0; i < n; i++) {
			struct loop_handler *h = ev[i].data.ptr;

			h->cb(h, ev[i].events);
		}
		loop_run_deferred(loop);
	}
	return loop->status;
}

/**
 * loop_stop() - make loop_run() return after the current batch
 * @loop:	the loop
 * @status:	what loop_run() returns
 */
void loop_stop(struct loop *loop, int status)
{
	loop->running = 0;
	loop->status = status;
}

/**
 * loop_now() - time of the current iteration
 * @loop:	the loop
 *
 * Return: monotonic seconds, as loop_clock() at the last wake-up
 */
time_t loop_now(const struct loop *loop)
{
	return loop->now;
}
