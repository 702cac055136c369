/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_txq.c - the bounded output queue (switch/txq.c).
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "txq.h"
#include "vdewire.h"

static struct txq_pool pool = { .budget = (size_t)1 << 30 };

static int push_n(struct txq *q, uint8_t fill, size_t len)
{
	static uint8_t buf[VDE_FRAME_MAX];
	struct iovec iov[2] = { { buf, len / 2 }, { buf + len / 2,
						      len - len / 2 } };

	memset(buf, fill, len);
	return txq_push(q, iov, 2, len);
}

Test(txq, fifo_order_and_contents)
{
	struct txq q;
	struct iovec iov[8];
	unsigned i, n;

	txq_init(&q, &pool, 16, 1 << 20);
	cr_assert(txq_empty(&q));
	for (i = 0; i < 5; i++)
		cr_assert_eq(push_n(&q, (uint8_t)i, 60 + i), 0);
	n = txq_peek(&q, iov, 8);
	cr_assert_eq(n, 5);
	for (i = 0; i < n; i++) {
		cr_assert_eq(iov[i].iov_len, 60 + i);
		cr_assert_eq(((uint8_t *)iov[i].iov_base)[59], i);
	}
	txq_pop(&q, 2);
	n = txq_peek(&q, iov, 8);
	cr_assert_eq(n, 3);
	cr_assert_eq(iov[0].iov_len, 62);
	txq_pop(&q, 3);
	cr_assert(txq_empty(&q));
	txq_free(&q);
	leak_check();
}

Test(txq, frame_bound)
{
	struct txq q;
	unsigned i;

	txq_init(&q, &pool, 4, 1 << 20);
	for (i = 0; i < 4; i++)
		cr_assert_eq(push_n(&q, 1, 100), 0);
	cr_assert_eq(push_n(&q, 1, 100), -ENOBUFS);
	txq_pop(&q, 1);
	cr_assert_eq(push_n(&q, 1, 100), 0);
	txq_free(&q);
	leak_check();
}

Test(txq, byte_bound)
{
	struct txq q;

	txq_init(&q, &pool, 100, 3000);
	cr_assert_eq(push_n(&q, 1, 1500), 0);
	cr_assert_eq(push_n(&q, 1, 1500), 0);
	cr_assert_eq(push_n(&q, 1, 1), -ENOBUFS);
	txq_free(&q);
	leak_check();
}

Test(txq, wraps_around_many_times)
{
	struct txq q;
	struct iovec iov[4];
	unsigned i, sent = 0, got = 0;

	txq_init(&q, &pool, 8, 8 * VDE_FRAME_MAX);
	for (i = 0; i < 5000; i++) {
		size_t len = 14 + (i * 7919) % (VDE_FRAME_MAX - 14);

		while (push_n(&q, (uint8_t)sent, len) == -ENOBUFS) {
			cr_assert(txq_peek(&q, iov, 1) == 1);
			cr_assert_eq(((uint8_t *)iov[0].iov_base)[13],
				     (uint8_t)got);
			txq_pop(&q, 1);
			got++;
		}
		sent++;
	}
	while (txq_peek(&q, iov, 4)) {
		cr_assert_eq(((uint8_t *)iov[0].iov_base)[0], (uint8_t)got);
		txq_pop(&q, 1);
		got++;
	}
	cr_assert_eq(got, sent);
	txq_free(&q);
	leak_check();
}

Test(txq, budget_shared_and_idle_ring_released)
{
	struct txq_pool small = { .budget = 0 };
	struct txq a, b;
	size_t one;

	/* the first ring tells its size; a budget for one ring only */
	txq_init(&a, &pool, 4, 65536);
	cr_assert_eq(push_n(&a, 1, 100), 0);
	one = a.cap;
	txq_free(&a);
	small.budget = one + one / 2;
	txq_init(&a, &small, 4, 65536);
	txq_init(&b, &small, 4, 65536);
	cr_assert_eq(push_n(&a, 1, 100), 0);
	cr_assert_eq(small.used, one);
	cr_assert_eq(push_n(&b, 2, 100), -ENOBUFS, "past the budget");
	cr_assert_eq(b.buf, NULL);

	/* a's ring: used since the last trim, so kept; then released */
	txq_pop(&a, 1);
	cr_assert_not(txq_trim(&a), "used during this period: kept");
	cr_assert_neq(a.buf, NULL);
	cr_assert(txq_trim(&a), "empty and unused for a whole period");
	cr_assert_eq(a.buf, NULL);
	cr_assert_eq(small.used, 0);
	cr_assert_eq(push_n(&b, 2, 100), 0, "the budget is free again");
	cr_assert_not(txq_trim(&b), "not empty: kept");
	cr_assert_not(txq_trim(&b), "not empty: kept");
	txq_free(&b);
	cr_assert_eq(small.used, 0);
	txq_free(&a);
	leak_check();
}
