/* SPDX-License-Identifier: GPL-2.0-or-later
 * loop.h - the switch's single event loop: epoll, timers, and work
 * deferred to the end of a batch of events.
 *
 * An fd is registered with a struct loop_handler embedded in its owner;
 * the callback finds the owner with container_of(). The loop never
 * closes an fd: the opener registers, unregisters and closes it.
 */
#ifndef PATCHBAY_LOOP_H
#define PATCHBAY_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct loop;

struct loop_handler {
	void (*cb)(struct loop_handler *h, uint32_t events);
};

/* Embedded in objects whose release must wait until the current batch of
 * events has been handled (another event of the batch may point at them).
 */
struct loop_deferred {
	struct loop_deferred *next;
	void (*fn)(struct loop_deferred *d);
};

/*
 * A one-shot timer, embedded in its owner: armed with loop_timer_add(),
 * re-armed with loop_timer_mod() (a periodic timer re-arms itself in its
 * callback), disarmed with loop_timer_del(). Any number may be armed; they
 * sit in a heap ordered by expiry, and the loop sleeps until the first.
 * The owner must disarm a timer before freeing it.
 */
struct loop_timer {
	void (*cb)(struct loop_timer *t);
	long long when;		/* expiry, monotonic ms */
	unsigned idx;		/* position in the heap, LOOP_TIMER_IDLE if not armed */
};

#define LOOP_TIMER_IDLE ((unsigned)-1)

struct loop *loop_create(void);
void loop_destroy(struct loop *loop);
int loop_add(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h);
int loop_mod(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h);
void loop_del(struct loop *loop, int fd);
int loop_accept(struct loop *loop, int lfd, struct loop_handler *h,
		struct loop_timer *pause, unsigned pause_ms,
		struct sockaddr *addr, socklen_t *alen, const char *what);
void loop_defer(struct loop *loop, struct loop_deferred *d,
		void (*fn)(struct loop_deferred *d));
void loop_run_deferred(struct loop *loop);
void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *t));
int loop_timer_add(struct loop *loop, struct loop_timer *t, unsigned ms);
int loop_timer_mod(struct loop *loop, struct loop_timer *t, unsigned ms);
void loop_timer_del(struct loop *loop, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);
int loop_run(struct loop *loop);
int loop_run_once(struct loop *loop, int timeout_ms);
void loop_stop(struct loop *loop, int status);
time_t loop_now(const struct loop *loop);
long long loop_now_ms(const struct loop *loop);
time_t loop_clock(void);
long long loop_clock_ms(void);

#endif /* PATCHBAY_LOOP_H */
