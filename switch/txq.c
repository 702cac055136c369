/* SPDX-License-Identifier: GPL-2.0-or-later
 * txq.c - bounded output queue of frames, one ring buffer per endpoint.
 *
 * Records are a 4-byte length followed by the frame, padded to 4 bytes.
 * When a record does not fit before the end of the buffer, the writer
 * leaves a wrap marker (or fewer than 4 bytes) there and starts again at
 * offset 0; the reader follows. head == tail means empty when frames == 0
 * and full otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "txq.h"
#include "vdewire.h"

#define TXQ_WRAP 0xffffffffU
#define TXQ_ALIGN(n) (((n) + 3) & ~(size_t)3)

/**
 * txq_init() - set up an empty queue (no memory is allocated yet)
 * @q:		the queue
 * @pool:	the budget its ring draws on
 * @max_frames:	bound on queued frames
 * @max_bytes:	bound on queued frame bytes
 */
void txq_init(struct txq *q, struct txq_pool *pool, unsigned max_frames,
	      size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->pool = pool;
	q->max_frames = max_frames;
	q->max_bytes = max_bytes;
}

static int txq_alloc(struct txq *q)
{
	/* room for the bytes, per-record overhead, and the end of the ring
	 * wasted by one wrap */
	size_t cap = q->max_bytes + 8 * (size_t)q->max_frames +
		     2 * TXQ_ALIGN(VDE_FRAME_MAX + 4 + 4);

	if (q->pool->used + cap > q->pool->budget)
		return -ENOBUFS;
	q->buf = malloc(cap);
	if (!q->buf)
		return -ENOMEM;
	q->cap = cap;
	q->pool->used += cap;
	return 0;
}

/* Where a record of @need bytes can be written, or -1. */
static long txq_room(struct txq *q, size_t need)
{
	if (q->frames == 0) {
		q->head = q->tail = 0;
		return need <= q->cap ? 0 : -1;
	}
	if (q->tail > q->head) {
		if (q->tail + need <= q->cap)
			return (long)q->tail;
		if (need <= q->head) {
			if (q->cap - q->tail >= 4) {
				uint32_t m = TXQ_WRAP;

				memcpy(q->buf + q->tail, &m, 4);
			}
			return 0;
		}
		return -1;
	}
	if (q->tail < q->head && need <= q->head - q->tail)
		return (long)q->tail;
	return -1;
}

/**
 * txq_push() - copy a frame, given as an iovec, to the end of the queue
 * @q:		the queue
 * @iov:	the frame's pieces
 * @iovcnt:	how many
 * @len:	their total length
 *
 * Return: 0, -ENOBUFS past a bound or the pool's budget, -ENOMEM if the
 * ring cannot be allocated
 */
int txq_push(struct txq *q, const struct iovec *iov, int iovcnt, size_t len)
{
	size_t need = TXQ_ALIGN(len + 4);
	uint32_t l32 = (uint32_t)len;
	uint8_t *p;
	long at;
	int i;

	if (q->frames >= q->max_frames || q->bytes + len > q->max_bytes)
		return -ENOBUFS;
	if (!q->buf) {
		int rc = txq_alloc(q);

		if (rc)
			return rc;
	}
	q->busy = true;
	at = txq_room(q, need);
	if (at < 0)
		return -ENOBUFS;
	p = q->buf + at;
	memcpy(p, &l32, 4);
	p += 4;
	for (i = 0; i < iovcnt; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	q->tail = (size_t)at + need;
	q->frames++;
	q->bytes += len;
	return 0;
}

static size_t txq_next(const struct txq *q, size_t pos, uint32_t *len)
{
	if (q->cap - pos < 4)
		pos = 0;
	memcpy(len, q->buf + pos, 4);
	if (*len == TXQ_WRAP) {
		pos = 0;
		memcpy(len, q->buf, 4);
	}
	return pos;
}

/**
 * txq_peek() - describe the frames at the head of the queue
 * @q:		the queue
 * @iov:	one entry per frame, pointing into the queue
 * @max:	room in @iov
 *
 * Return: number of entries filled
 */
unsigned txq_peek(const struct txq *q, struct iovec *iov, unsigned max)
{
	size_t pos = q->head;
	unsigned n;

	for (n = 0; n < max && n < q->frames; n++) {
		uint32_t len;

		pos = txq_next(q, pos, &len);
		iov[n].iov_base = q->buf + pos + 4;
		iov[n].iov_len = len;
		pos += TXQ_ALIGN((size_t)len + 4);
	}
	return n;
}

/**
 * txq_pop() - drop frames from the head of the queue
 * @q:		the queue
 * @n:		how many (at most the number queued)
 */
void txq_pop(struct txq *q, unsigned n)
{
	while (n-- > 0 && q->frames > 0) {
		uint32_t len;

		q->head = txq_next(q, q->head, &len);
		q->head += TXQ_ALIGN((size_t)len + 4);
		q->frames--;
		q->bytes -= len;
	}
	if (q->frames == 0)
		q->head = q->tail = 0;
}

/**
 * txq_free() - drop everything and release the ring
 * @q:		the queue
 */
void txq_free(struct txq *q)
{
	if (q->buf)
		q->pool->used -= q->cap;
	free(q->buf);
	q->buf = NULL;
	q->cap = 0;
	q->frames = 0;
	q->bytes = 0;
	q->head = q->tail = 0;
}

/**
 * txq_trim() - release the ring if the queue has been empty and unused
 * since the previous call
 * @q:		the queue
 *
 * Called periodically; a queue in use keeps its ring for the next burst.
 *
 * Return: true if the ring was released
 */
bool txq_trim(struct txq *q)
{
	bool idle = q->buf && q->frames == 0 && !q->busy;

	q->busy = false;
	if (idle)
		txq_free(q);
	return idle;
}
