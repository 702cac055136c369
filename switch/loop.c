/* SPDX-License-Identifier: GPL-2.0-or-later
 * loop.c - one epoll loop for the whole switch.
 *
 * Each iteration waits for events or the first timer, runs the event
 * callbacks, then the timers that are due, then the deferred work queued
 * meanwhile (objects released during the batch are freed only then, so a
 * later event of the same batch never points at freed memory).
 *
 * Timers live in a binary min-heap of pointers to struct loop_timer, each
 * timer knowing its index so that re-arming or disarming costs O(log n).
 * The heap grows by doubling and never shrinks; no timerfd is needed, the
 * first expiry is epoll_wait()'s timeout. loop_now() is a cached monotonic
 * time, refreshed once per iteration.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_EVENTS 64

struct loop {
	int epfd;
	struct loop_timer **heap;
	unsigned ntimers;
	unsigned heapcap;
	struct loop_deferred *deferred;
	long long now_ms;
	int running;
	int status;
};

/**
 * loop_clock_ms() - monotonic time in milliseconds
 *
 * Return: milliseconds since an arbitrary point, never going backwards
 */
long long loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->now_ms = loop_clock_ms();
	return loop;
}

/**
 * loop_run_deferred() - run the deferred work queued so far now
 * @loop:	the loop
 *
 * The loop does this after each batch; a teardown outside the loop calls
 * it so that nothing deferred outlives what it points at.
 */
void loop_run_deferred(struct loop *loop)
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
 *
 * Timers still armed are forgotten (their owners are gone by now).
 */
void loop_destroy(struct loop *loop)
{
	if (!loop)
		return;
	loop_run_deferred(loop);
	close(loop->epfd);
	free(loop->heap);
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

/* timer heap */

static void heap_set(struct loop *loop, unsigned i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->idx = i;
}

static void heap_up(struct loop *loop, unsigned i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		unsigned parent = (i - 1) / 2;

		if (loop->heap[parent]->when <= t->when)
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, unsigned i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= loop->ntimers)
			break;
		if (c + 1 < loop->ntimers &&
		    loop->heap[c + 1]->when < loop->heap[c]->when)
			c++;
		if (t->when <= loop->heap[c]->when)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

/**
 * loop_timer_init() - prepare a timer, not armed
 * @t:		the timer, embedded in its owner
 * @cb:		called once when it expires
 */
void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *t))
{
	t->cb = cb;
	t->when = 0;
	t->idx = LOOP_TIMER_IDLE;
}

/**
 * loop_timer_armed() - whether a timer is waiting to expire
 * @t:		the timer
 *
 * Return: true while armed
 */
bool loop_timer_armed(const struct loop_timer *t)
{
	return t->idx != LOOP_TIMER_IDLE;
}


/**
 * loop_timer_add() - arm a timer to expire @ms milliseconds from now
 * @loop:	the loop
 * @t:		an initialised timer; if already armed, it is re-armed
 * @ms:		delay
 *
 * Return: 0, or -ENOMEM if the heap cannot grow
 */
int loop_timer_add(struct loop *loop, struct loop_timer *t, unsigned ms)
{
	if (t->idx != LOOP_TIMER_IDLE)
		return loop_timer_mod(loop, t, ms);
	if (loop->ntimers == loop->heapcap) {
		unsigned cap = loop->heapcap ? 2 * loop->heapcap : 16;
		struct loop_timer **h;

		h = realloc(loop->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		loop->heap = h;
		loop->heapcap = cap;
	}
	t->when = loop_clock_ms() + ms;
	heap_set(loop, loop->ntimers++, t);
	heap_up(loop, t->idx);
	return 0;
}

/**
 * loop_timer_mod() - re-arm a timer to expire @ms milliseconds from now
 * @loop:	the loop
 * @t:		the timer, armed or not
 * @ms:		delay
 *
 * Return: 0, or -ENOMEM (see loop_timer_add())
 */
int loop_timer_mod(struct loop *loop, struct loop_timer *t, unsigned ms)
{
	if (t->idx == LOOP_TIMER_IDLE)
		return loop_timer_add(loop, t, ms);
	t->when = loop_clock_ms() + ms;
	heap_up(loop, t->idx);
	heap_down(loop, t->idx);
	return 0;
}

/**
 * loop_timer_del() - disarm a timer; nothing happens if it is not armed
 * @loop:	the loop
 * @t:		the timer
 */
void loop_timer_del(struct loop *loop, struct loop_timer *t)
{
	unsigned i = t->idx;
	struct loop_timer *last;

	/* a timer never armed (even one only zeroed) is left alone */
	if (i == LOOP_TIMER_IDLE || i >= loop->ntimers || loop->heap[i] != t)
		return;
	t->idx = LOOP_TIMER_IDLE;
	last = loop->heap[--loop->ntimers];
	if (last == t)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->idx);
}

/* Milliseconds until the first timer, for epoll_wait(): -1 if none. */
static int loop_timeout(const struct loop *loop)
{
	long long d;

	if (!loop->ntimers)
		return -1;
	d = loop->heap[0]->when - loop_clock_ms();
	if (d <= 0)
		return 0;
	return d > INT_MAX ? INT_MAX : (int)d;
}

static void loop_run_timers(struct loop *loop)
{
	long long now = loop->now_ms;

	while (loop->ntimers && loop->heap[0]->when <= now) {
		struct loop_timer *t = loop->heap[0];

		loop_timer_del(loop, t);
		t->cb(t);
	}
}

/**
 * loop_run_once() - wait for events or timers once, and handle them
 * @loop:	the loop
 * @timeout_ms:	longest wait, -1 for no limit (timers still end the wait)
 *
 * Return: 0, or -errno if epoll_wait() failed (-EINTR included)
 */
int loop_run_once(struct loop *loop, int timeout_ms)
{
	struct epoll_event ev[LOOP_EVENTS];
	int i, n, t = loop_timeout(loop);

	if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
		t = timeout_ms;
	n = epoll_wait(loop->epfd, ev, LOOP_EVENTS, t);
	if (n < 0)
		return -errno;
	loop->now_ms = loop_clock_ms();
	for (i = 0; i < n; i++) {
		struct loop_handler *h = ev[i].data.ptr;

		h->cb(h, ev[i].events);
	}
	loop_run_timers(loop);
	loop_run_deferred(loop);
	return 0;
}

/**
 * loop_run() - handle events and timers until loop_stop()
 * @loop:	the loop
 *
 * Return: the status given to loop_stop(), or 1 if waiting failed
 */
int loop_run(struct loop *loop)
{
	loop->running = 1;
	while (loop->running) {
		int rc = loop_run_once(loop, -1);

		if (rc && rc != -EINTR) {
			errno = -rc;
			log_warn("epoll_wait");
			return 1;
		}
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
	return (time_t)(loop->now_ms / 1000);
}

/**
 * loop_now_ms() - time of the current iteration, in milliseconds
 * @loop:	the loop
 *
 * Return: monotonic milliseconds, as loop_clock_ms() at the last wake-up
 */
long long loop_now_ms(const struct loop *loop)
{
	return loop->now_ms;
}

/**
 * loop_accept() - accept one connection on a listening socket registered
 * with @h; on a shortage of fds or memory, stop watching it for @pause_ms
 * (logged), so the loop does not spin on a connection it cannot take
 * @loop:	the loop
 * @lfd:	the listening socket
 * @h:		its handler
 * @pause:	a timer of the caller's whose callback calls loop_mod(@lfd,
 *		EPOLLIN) again
 * @pause_ms:	how long to pause
 * @addr:	the peer's address, or NULL
 * @alen:	its size in and out, or NULL
 * @what:	the listener's name, for log lines
 *
 * Return: a connected socket (non-blocking, close-on-exec), or -1 when
 * there is nothing more to accept now
 */
int loop_accept(struct loop *loop, int lfd, struct loop_handler *h,
		struct loop_timer *pause, unsigned pause_ms,
		struct sockaddr *addr, socklen_t *alen, const char *what)
{
	for (;;) {
		int fd = accept4(lfd, addr, alen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0)
			return fd;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("%s: accept (pausing %u ms)", what, pause_ms);
			loop_mod(loop, lfd, 0, h);
			loop_timer_mod(loop, pause, pause_ms);
		} else if (errno != EAGAIN) {
			log_warn("%s: accept", what);
		}
		return -1;
	}
}
