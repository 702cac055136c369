/* SPDX-License-Identifier: GPL-2.0-or-later
 * txq.h - an endpoint's output queue: frames its socket could not take yet.
 *
 * A ring of [length][bytes] records in one buffer, allocated when the queue
 * is first used. Bounded in frames and in bytes; txq_push() past a bound
 * fails and the caller counts the drop. The rings of all the queues of a
 * switch draw on one budget (struct txq_pool): past it a queue cannot get
 * its ring and the frame is dropped like one past the bound. A ring that
 * stays empty for a whole period of txq_trim() calls is released, so
 * briefly slow clients do not keep megabytes each.
 */
#ifndef PATCHBAY_TXQ_H
#define PATCHBAY_TXQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct txq_pool {
	size_t used;		/* bytes of rings allocated */
	size_t budget;		/* at most this */
};

struct txq {
	struct txq_pool *pool;
	uint8_t *buf;
	size_t cap;
	size_t head, tail;	/* read and write offsets in buf */
	unsigned frames;	/* frames queued */
	size_t bytes;		/* frame bytes queued */
	unsigned max_frames;
	size_t max_bytes;
	bool busy;		/* used since the last txq_trim() */
};

void txq_init(struct txq *q, struct txq_pool *pool, unsigned max_frames,
	      size_t max_bytes);
int txq_push(struct txq *q, const struct iovec *iov, int iovcnt, size_t len);
unsigned txq_peek(const struct txq *q, struct iovec *iov, unsigned max);
void txq_pop(struct txq *q, unsigned n);
void txq_free(struct txq *q);
bool txq_trim(struct txq *q);

static inline bool txq_empty(const struct txq *q)
{
	return q->frames == 0;
}

#endif /* PATCHBAY_TXQ_H */
