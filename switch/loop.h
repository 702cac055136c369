/* SPDX-License-Identifier: GPL-2.0-or-later
 * loop.h - the switch's single event loop: epoll, a periodic tick, and
 * work deferred to the end of a batch of events.
 *
 * An fd is registered with a struct loop_handler embedded in its owner;
 * the callback finds the owner with container_of(). The loop never
 * closes an fd: the opener registers, unregisters and closes it.
 */
#ifndef PATCHBAY_LOOP_H
#define PATCHBAY_LOOP_H

#include <stddef.h>
#include <stdint.h>
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

struct loop *loop_create(void);
void loop_destroy(struct loop *loop);
int loop_add(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h);
int loop_mod(struct loop *loop, int fd, uint32_t events,
	     struct loop_handler *h);
void loop_del(struct loop *loop, int fd);
void loop_defer(struct loop *loop, struct loop_deferred *d,
		void (*fn)(struct loop_deferred *d));
int loop_set_tick(struct loop *loop, unsigned ms,
		  void (*fn)(struct loop *loop, void *arg), void *arg);
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop, int status);
time_t loop_now(const struct loop *loop);
time_t loop_clock(void);

#endif /* PATCHBAY_LOOP_H */
