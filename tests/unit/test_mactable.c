/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_mactable.c - unit tests for the learning table (switch/mactable.c).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "mactable.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

/* A unicast, locally administered MAC built from a number. */
static void mk_mac(uint8_t mac[6], uint32_t n)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

/*
 * Criterion's workers end without LeakSanitizer's exit-time check, so run
 * it here: whatever the table allocated must be gone after destroy.
 */
static void destroy_checked(struct mactable *mt)
{
	mactable_destroy(mt);
#ifdef __SANITIZE_ADDRESS__
	cr_expect_eq(__lsan_do_recoverable_leak_check(), 0,
		     "LeakSanitizer found leaks (see stderr)");
#endif
}

static struct mactable *mk_table(unsigned hashsize, unsigned maxentries,
				 unsigned nports)
{
	struct mactable *mt = mactable_create(hashsize, maxentries, nports);

	cr_assert_not_null(mt, "mactable_create: %s", strerror(errno));
	return mt;
}

static enum mactable_learn_result learn_n(struct mactable *mt, uint32_t n,
					  uint16_t vlan, unsigned port,
					  time_t now)
{
	uint8_t mac[6];

	mk_mac(mac, n);
	return mactable_learn(mt, mac, vlan, port, now, NULL);
}

static int lookup_n(struct mactable *mt, uint32_t n, uint16_t vlan)
{
	uint8_t mac[6];

	mk_mac(mac, n);
	return mactable_lookup(mt, mac, vlan);
}

Test(mactable, create_defaults)
{
	struct mactable *mt = mk_table(MACTABLE_DEF_HASHSIZE,
				       MACTABLE_DEF_MAXENTRIES, 32);

	cr_expect_eq(mactable_get_hashsize(mt), MACTABLE_DEF_HASHSIZE);
	cr_expect_eq(mactable_get_maxentries(mt), MACTABLE_DEF_MAXENTRIES);
	cr_expect_eq(mactable_get_expire(mt), MACTABLE_DEF_EXPIRE);
	cr_expect_eq(mactable_get_minpers(mt), MACTABLE_DEF_MINPERS);
	cr_expect_eq(mactable_count(mt), 0);
	cr_expect_eq(mactable_evictions(mt), 0);
	destroy_checked(mt);
}

Test(mactable, create_rejects_bad_arguments)
{
	errno = 0;
	cr_expect_null(mactable_create(0, 64, 4));
	cr_expect_eq(errno, EINVAL);
	errno = 0;
	cr_expect_null(mactable_create(16, 0, 4));
	cr_expect_eq(errno, EINVAL);
	errno = 0;
	cr_expect_null(mactable_create((1U << 20) + 1, 64, 4));
	cr_expect_eq(errno, EINVAL);
	errno = 0;
	cr_expect_null(mactable_create(16, 64, 65536));
	cr_expect_eq(errno, EINVAL);
}

Test(mactable, create_rounds_hashsize_up)
{
	struct mactable *mt = mk_table(1000, 64, 4);

	cr_expect_eq(mactable_get_hashsize(mt), 1024);
	destroy_checked(mt);
	mt = mk_table(1, 64, 4);
	cr_expect_eq(mactable_get_hashsize(mt), 1);
	destroy_checked(mt);
	mt = mk_table(1U << 20, 64, 4);
	cr_expect_eq(mactable_get_hashsize(mt), 1U << 20);
	destroy_checked(mt);
}

Test(mactable, destroy_null_is_noop)
{
	mactable_destroy(NULL);
}

Test(mactable, learn_then_lookup)
{
	struct mactable *mt = mk_table(64, 64, 8);

	cr_expect_eq(lookup_n(mt, 1, 0), -ENOENT);
	cr_expect_eq(learn_n(mt, 1, 0, 3, 10), MACTABLE_NEW);
	cr_expect_eq(lookup_n(mt, 1, 0), 3);
	cr_expect_lt(lookup_n(mt, 2, 0), 0);
	cr_expect_eq(mactable_count(mt), 1);
	cr_expect_eq(mactable_port_count(mt, 3), 1);
	cr_expect_eq(mactable_port_count(mt, 2), 0);
	destroy_checked(mt);
}

Test(mactable, same_mac_in_two_vlans_is_two_entries)
{
	struct mactable *mt = mk_table(64, 64, 8);

	cr_expect_eq(learn_n(mt, 7, 1, 2, 10), MACTABLE_NEW);
	cr_expect_eq(learn_n(mt, 7, 2, 5, 10), MACTABLE_NEW);
	cr_expect_eq(mactable_count(mt), 2);
	cr_expect_eq(lookup_n(mt, 7, 1), 2);
	cr_expect_eq(lookup_n(mt, 7, 2), 5);
	cr_expect_lt(lookup_n(mt, 7, 3), 0);
	destroy_checked(mt);
}

Test(mactable, vlan_4095_and_port_0_and_nports)
{
	struct mactable *mt = mk_table(16, 64, 8);

	cr_expect_eq(learn_n(mt, 1, 4095, 0, 1), MACTABLE_NEW);
	cr_expect_eq(learn_n(mt, 2, 4095, 8, 1), MACTABLE_NEW);
	cr_expect_eq(lookup_n(mt, 1, 4095), 0);
	cr_expect_eq(lookup_n(mt, 2, 4095), 8);
	destroy_checked(mt);
}

Test(mactable, port_above_nports_is_not_learned)
{
	struct mactable *mt = mk_table(16, 64, 8);
	unsigned old = 1234;
	uint8_t mac[6];

	mk_mac(mac, 1);
	cr_expect_eq(mactable_learn(mt, mac, 0, 9, 1, &old), MACTABLE_KEPT);
	cr_expect_eq(old, 1234);
	cr_expect_eq(mactable_count(mt), 0);
	cr_expect_lt(mactable_lookup(mt, mac, 0), 0);
	cr_expect_eq(mactable_port_count(mt, 9), 0);
	destroy_checked(mt);
}

Test(mactable, multicast_mac_does_not_crash)
{
	struct mactable *mt = mk_table(16, 64, 8);
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	mactable_learn(mt, bcast, 0, 1, 1, NULL);
	mactable_lookup(mt, bcast, 0);
	destroy_checked(mt);
}

Test(mactable, refresh_updates_last_seen)
{
	struct mactable *mt = mk_table(64, 64, 8);
	struct mactable_entry_info info;
	uint8_t mac[6];

	mk_mac(mac, 1);
	cr_expect_eq(mactable_learn(mt, mac, 4, 2, 10, NULL), MACTABLE_NEW);
	cr_expect_eq(mactable_learn(mt, mac, 4, 2, 50, NULL),
		     MACTABLE_REFRESHED);
	cr_expect_eq(mactable_count(mt), 1);
	cr_assert_eq(mactable_find(mt, mac, 4, &info), 0);
	cr_expect_eq(info.last_seen, 50);
	cr_expect_eq(info.port, 2);
	cr_expect_eq(info.vlan, 4);
	cr_expect_arr_eq(info.mac, mac, 6);
	cr_expect_lt(info.bucket, 64);
	/* Refreshed at 50: still there at 149, gone at 150. */
	cr_expect_eq(mactable_expire(mt, 149), 0);
	cr_expect_eq(mactable_expire(mt, 150), 1);
	destroy_checked(mt);
}

Test(mactable, find_miss_is_enodev)
{
	struct mactable *mt = mk_table(64, 64, 8);
	struct mactable_entry_info info;
	uint8_t mac[6];

	mk_mac(mac, 1);
	cr_expect_eq(mactable_find(mt, mac, 0, &info), -ENODEV);
	learn_n(mt, 1, 0, 1, 1);
	cr_expect_eq(mactable_find(mt, mac, 1, &info), -ENODEV);
	cr_expect_eq(mactable_find(mt, mac, 0, &info), 0);
	destroy_checked(mt);
}

Test(mactable, move_respects_minpers)
{
	struct mactable *mt = mk_table(64, 64, 8);
	unsigned old = 99;
	uint8_t mac[6];

	mk_mac(mac, 1);
	cr_expect_eq(mactable_learn(mt, mac, 0, 1, 100, &old), MACTABLE_NEW);
	/* Within minpers (3 s): kept on port 1. */
	cr_expect_eq(mactable_learn(mt, mac, 0, 2, 102, &old), MACTABLE_KEPT);
	cr_expect_eq(old, 1);
	cr_expect_eq(mactable_lookup(mt, mac, 0), 1);
	cr_expect_eq(mactable_port_count(mt, 1), 1);
	cr_expect_eq(mactable_port_count(mt, 2), 0);
	/* KEPT leaves last_seen alone: 103 - 100 >= 3 moves. */
	old = 99;
	cr_expect_eq(mactable_learn(mt, mac, 0, 2, 103, &old), MACTABLE_MOVED);
	cr_expect_eq(old, 1);
	cr_expect_eq(mactable_lookup(mt, mac, 0), 2);
	cr_expect_eq(mactable_port_count(mt, 1), 0);
	cr_expect_eq(mactable_port_count(mt, 2), 1);
	cr_expect_eq(mactable_count(mt), 1);
	/* The move reset last_seen: moving back at 104 is refused. */
	cr_expect_eq(mactable_learn(mt, mac, 0, 1, 104, NULL), MACTABLE_KEPT);
	cr_expect_eq(mactable_learn(mt, mac, 0, 1, 106, NULL), MACTABLE_MOVED);
	cr_expect_eq(mactable_lookup(mt, mac, 0), 1);
	destroy_checked(mt);
}

Test(mactable, custom_minpers)
{
	struct mactable *mt = mk_table(64, 64, 8);

	mactable_set_minpers(mt, 0);
	cr_expect_eq(mactable_get_minpers(mt), 0);
	learn_n(mt, 1, 0, 1, 10);
	cr_expect_eq(learn_n(mt, 1, 0, 2, 10), MACTABLE_MOVED);
	mactable_set_minpers(mt, 20);
	cr_expect_eq(learn_n(mt, 1, 0, 3, 29), MACTABLE_KEPT);
	cr_expect_eq(learn_n(mt, 1, 0, 3, 30), MACTABLE_MOVED);
	cr_expect_eq(lookup_n(mt, 1, 0), 3);
	destroy_checked(mt);
}

Test(mactable, expire_default_100s)
{
	struct mactable *mt = mk_table(64, 64, 8);

	learn_n(mt, 1, 0, 1, 1000);
	learn_n(mt, 2, 0, 2, 1050);
	cr_expect_eq(mactable_expire(mt, 1099), 0);
	cr_expect_eq(mactable_count(mt), 2);
	cr_expect_eq(mactable_expire(mt, 1100), 1);
	cr_expect_lt(lookup_n(mt, 1, 0), 0);
	cr_expect_eq(lookup_n(mt, 2, 0), 2);
	cr_expect_eq(mactable_expire(mt, 1149), 0);
	cr_expect_eq(mactable_expire(mt, 1150), 1);
	cr_expect_eq(mactable_count(mt), 0);
	cr_expect_eq(mactable_port_count(mt, 1), 0);
	cr_expect_eq(mactable_port_count(mt, 2), 0);
	destroy_checked(mt);
}

Test(mactable, expire_custom)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	mactable_set_expire(mt, 10);
	cr_expect_eq(mactable_get_expire(mt), 10);
	for (i = 0; i < 10; i++)
		learn_n(mt, i, 0, 1 + i % 3, (time_t)i);
	/* Entries seen at 0..4 are >= 10 s old at 14. */
	cr_expect_eq(mactable_expire(mt, 14), 5);
	cr_expect_eq(mactable_count(mt), 5);
	for (i = 0; i < 10; i++)
		cr_expect_eq(lookup_n(mt, i, 0) >= 0, i >= 5, "mac %u", i);
	cr_expect_eq(mactable_expire(mt, 100), 5);
	cr_expect_eq(mactable_count(mt), 0);
	destroy_checked(mt);
}

Test(mactable, lookup_ignores_age)
{
	struct mactable *mt = mk_table(64, 64, 8);

	learn_n(mt, 1, 0, 1, 0);
	/* No expire run yet: the stale entry still answers. */
	cr_expect_eq(lookup_n(mt, 1, 0), 1);
	destroy_checked(mt);
}

Test(mactable, refresh_keeps_entry_from_expiring)
{
	struct mactable *mt = mk_table(64, 64, 8);

	learn_n(mt, 1, 0, 1, 0);
	learn_n(mt, 2, 0, 1, 0);
	cr_expect_eq(learn_n(mt, 1, 0, 1, 60), MACTABLE_REFRESHED);
	cr_expect_eq(mactable_expire(mt, 100), 1);
	cr_expect_eq(lookup_n(mt, 1, 0), 1);
	cr_expect_lt(lookup_n(mt, 2, 0), 0);
	destroy_checked(mt);
}

Test(mactable, flush_port_removes_only_that_port)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	for (i = 0; i < 5; i++) {
		learn_n(mt, 100 + i, 0, 1, 1);
		learn_n(mt, 200 + i, 0, 2, 1);
		learn_n(mt, 300 + i, 1, 3, 1);
	}
	cr_expect_eq(mactable_count(mt), 15);
	mactable_flush_port(mt, 2);
	cr_expect_eq(mactable_count(mt), 10);
	cr_expect_eq(mactable_port_count(mt, 1), 5);
	cr_expect_eq(mactable_port_count(mt, 2), 0);
	cr_expect_eq(mactable_port_count(mt, 3), 5);
	for (i = 0; i < 5; i++) {
		cr_expect_eq(lookup_n(mt, 100 + i, 0), 1);
		cr_expect_lt(lookup_n(mt, 200 + i, 0), 0);
		cr_expect_eq(lookup_n(mt, 300 + i, 1), 3);
	}
	/* Out of range: no effect, no crash. */
	mactable_flush_port(mt, 1000);
	cr_expect_eq(mactable_count(mt), 10);
	destroy_checked(mt);
}

Test(mactable, flush_removes_everything_and_table_is_reusable)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	for (i = 0; i < 40; i++)
		learn_n(mt, i, 0, i % 9, 1);
	mactable_flush(mt);
	cr_expect_eq(mactable_count(mt), 0);
	for (i = 0; i <= 8; i++)
		cr_expect_eq(mactable_port_count(mt, i), 0);
	for (i = 0; i < 40; i++)
		cr_expect_lt(lookup_n(mt, i, 0), 0);
	for (i = 0; i < 40; i++)
		cr_expect_eq(learn_n(mt, i, 0, 1, 2), MACTABLE_NEW);
	cr_expect_eq(mactable_count(mt), 40);
	destroy_checked(mt);
}

static void count_cb(const struct mactable_entry_info *e, void *arg)
{
	(void)e;
	(*(unsigned *)arg)++;
}

/* A sparse table (255 entries, 4096 buckets, some sharing one) clears its
 * buckets entry by entry: nothing is left to find or to walk, and it
 * learns again; hash/setsize on it drops every entry too. */
Test(mactable, flush_of_a_sparse_table_clears_every_chain)
{
	struct mactable *mt = mk_table(4096, 1024, 8);
	unsigned seen = 0;
	uint32_t i;

	for (i = 0; i < 255; i++)
		learn_n(mt, i, (uint16_t)(i % 3), i % 9, 1);
	cr_assert_eq(mactable_count(mt), 255);
	mactable_flush(mt);
	cr_expect_eq(mactable_count(mt), 0);
	mactable_foreach(mt, count_cb, &seen);
	cr_expect_eq(seen, 0, "a flushed entry is still in a chain");
	for (i = 0; i < 255; i++)
		cr_expect_lt(lookup_n(mt, i, (uint16_t)(i % 3)), 0);
	for (i = 0; i < 255; i++)
		cr_expect_eq(learn_n(mt, i, 0, 2, 2), MACTABLE_NEW);
	cr_expect_eq(mactable_set_hashsize(mt, 1U << 20), 0);
	cr_expect_eq(mactable_count(mt), 0);
	mactable_foreach(mt, count_cb, &seen);
	cr_expect_eq(seen, 0);
	cr_expect_eq(learn_n(mt, 7, 0, 3, 3), MACTABLE_NEW);
	cr_expect_eq(lookup_n(mt, 7, 0), 3);
	destroy_checked(mt);
}

Test(mactable, bound_is_fair_to_quiet_ports)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	for (i = 0; i < 10; i++)
		cr_expect_eq(learn_n(mt, 5000 + i, 0, 2, 1), MACTABLE_NEW);
	for (i = 0; i < 1000; i++)
		cr_expect_eq(learn_n(mt, i, 0, 1, 2), MACTABLE_NEW);
	cr_expect_eq(mactable_count(mt), 64);
	cr_expect_eq(mactable_port_count(mt, 2), 10);
	cr_expect_eq(mactable_port_count(mt, 1), 54);
	for (i = 0; i < 10; i++)
		cr_expect_eq(lookup_n(mt, 5000 + i, 0), 2);
	/* Port 1 kept its 54 newest entries. */
	for (i = 0; i < 1000; i++)
		cr_expect_eq(lookup_n(mt, i, 0) == 1, i >= 946, "mac %u", i);
	cr_expect_eq(mactable_evictions(mt), 1000 - 54);
	destroy_checked(mt);
}

Test(mactable, eviction_takes_oldest_of_busiest_port)
{
	struct mactable *mt = mk_table(16, 8, 8);
	uint32_t i;

	/* Port 1: macs 0..4, port 2: macs 10..12. Table is full (8). */
	for (i = 0; i < 5; i++)
		learn_n(mt, i, 0, 1, 1);
	for (i = 0; i < 3; i++)
		learn_n(mt, 10 + i, 0, 2, 1);
	/* Refreshing mac 0 makes mac 1 the oldest of port 1. */
	cr_expect_eq(learn_n(mt, 0, 0, 1, 2), MACTABLE_REFRESHED);
	/* A newcomer on port 3 evicts from port 1, the busiest. */
	cr_expect_eq(learn_n(mt, 20, 0, 3, 3), MACTABLE_NEW);
	cr_expect_eq(mactable_count(mt), 8);
	cr_expect_eq(mactable_evictions(mt), 1);
	cr_expect_lt(lookup_n(mt, 1, 0), 0);
	cr_expect_eq(lookup_n(mt, 0, 0), 1);
	cr_expect_eq(lookup_n(mt, 20, 0), 3);
	cr_expect_eq(mactable_port_count(mt, 1), 4);
	destroy_checked(mt);
}

Test(mactable, maxentries_one)
{
	struct mactable *mt = mk_table(4, 1, 4);

	cr_expect_eq(learn_n(mt, 1, 0, 2, 1), MACTABLE_NEW);
	cr_expect_eq(learn_n(mt, 2, 0, 1, 1), MACTABLE_NEW);
	cr_expect_eq(mactable_count(mt), 1);
	cr_expect_lt(lookup_n(mt, 1, 0), 0);
	cr_expect_eq(lookup_n(mt, 2, 0), 1);
	cr_expect_eq(learn_n(mt, 3, 0, 1, 1), MACTABLE_NEW);
	cr_expect_eq(lookup_n(mt, 3, 0), 1);
	cr_expect_eq(mactable_evictions(mt), 2);
	destroy_checked(mt);
}

Test(mactable, set_maxentries_lowering_evicts)
{
	struct mactable *mt = mk_table(64, 100, 8);
	uint32_t i;

	for (i = 0; i < 40; i++)
		learn_n(mt, i, 0, 1, 1);
	for (i = 0; i < 10; i++)
		learn_n(mt, 100 + i, 0, 2, 1);
	cr_expect_eq(mactable_set_maxentries(mt, 0), -EINVAL);
	cr_expect_eq(mactable_get_maxentries(mt), 100);
	cr_expect_eq(mactable_set_maxentries(mt, 20), 0);
	cr_expect_eq(mactable_get_maxentries(mt), 20);
	cr_expect_eq(mactable_count(mt), 20);
	cr_expect_eq(mactable_evictions(mt), 30);
	/* Port 1 pays until it is level with port 2. */
	cr_expect_eq(mactable_port_count(mt, 1), 10);
	cr_expect_eq(mactable_port_count(mt, 2), 10);
	for (i = 0; i < 40; i++)
		cr_expect_eq(lookup_n(mt, i, 0) == 1, i >= 30, "mac %u", i);
	/* Raising the limit evicts nothing. */
	cr_expect_eq(mactable_set_maxentries(mt, 1000), 0);
	cr_expect_eq(mactable_count(mt), 20);
	cr_expect_eq(mactable_evictions(mt), 30);
	destroy_checked(mt);
}

Test(mactable, set_hashsize_flushes_and_rounds)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	for (i = 0; i < 20; i++)
		learn_n(mt, i, 0, 1, 1);
	cr_expect_eq(mactable_set_hashsize(mt, 100), 0);
	cr_expect_eq(mactable_get_hashsize(mt), 128);
	cr_expect_eq(mactable_count(mt), 0);
	cr_expect_eq(mactable_port_count(mt, 1), 0);
	cr_expect_lt(lookup_n(mt, 0, 0), 0);
	cr_expect_eq(mactable_set_hashsize(mt, 0), -EINVAL);
	cr_expect_eq(mactable_set_hashsize(mt, (1U << 20) + 1), -EINVAL);
	cr_expect_eq(mactable_get_hashsize(mt), 128);
	cr_expect_eq(mactable_set_hashsize(mt, 3), 0);
	cr_expect_eq(mactable_get_hashsize(mt), 4);
	for (i = 0; i < 20; i++)
		cr_expect_eq(learn_n(mt, i, 0, 1, 1), MACTABLE_NEW);
	for (i = 0; i < 20; i++)
		cr_expect_eq(lookup_n(mt, i, 0), 1);
	destroy_checked(mt);
}

Test(mactable, set_nports_shrink_flushes_high_ports)
{
	struct mactable *mt = mk_table(64, 64, 8);
	uint32_t i;

	for (i = 0; i <= 8; i++) {
		learn_n(mt, 10 * i, 0, i, 1);
		learn_n(mt, 10 * i + 1, 0, i, 1);
	}
	cr_expect_eq(mactable_count(mt), 18);
	cr_expect_eq(mactable_set_nports(mt, 4), 0);
	cr_expect_eq(mactable_count(mt), 10);
	for (i = 0; i <= 8; i++) {
		cr_expect_eq(lookup_n(mt, 10 * i, 0) >= 0, i <= 4,
			     "port %u", i);
		cr_expect_eq(mactable_port_count(mt, i), i <= 4 ? 2 : 0);
	}
	/* Ports above 4 are now refused. */
	cr_expect_eq(learn_n(mt, 999, 0, 5, 2), MACTABLE_KEPT);
	cr_expect_eq(mactable_count(mt), 10);
	/* Growing again keeps what is there and takes new ports. */
	cr_expect_eq(mactable_set_nports(mt, 100), 0);
	cr_expect_eq(mactable_count(mt), 10);
	cr_expect_eq(learn_n(mt, 999, 0, 100, 2), MACTABLE_NEW);
	cr_expect_eq(lookup_n(mt, 999, 0), 100);
	cr_expect_eq(lookup_n(mt, 40, 0), 4);
	cr_expect_eq(mactable_set_nports(mt, 65536), -EINVAL);
	destroy_checked(mt);
}

Test(mactable, set_nports_grow_keeps_fair_eviction)
{
	struct mactable *mt = mk_table(64, 20, 2);
	uint32_t i;

	for (i = 0; i < 5; i++)
		learn_n(mt, 1000 + i, 0, 2, 1);
	cr_expect_eq(mactable_set_nports(mt, 300), 0);
	for (i = 0; i < 500; i++)
		learn_n(mt, i, 0, 300, 2);
	cr_expect_eq(mactable_count(mt), 20);
	cr_expect_eq(mactable_port_count(mt, 2), 5);
	cr_expect_eq(mactable_port_count(mt, 300), 15);
	destroy_checked(mt);
}

struct visit {
	unsigned calls;
	unsigned seen[64];
	unsigned last_bucket;
	bool ordered;
};

static void visit_cb(const struct mactable_entry_info *info, void *arg)
{
	struct visit *v = arg;
	unsigned n = info->mac[5];

	if (v->calls && info->bucket < v->last_bucket)
		v->ordered = false;
	v->last_bucket = info->bucket;
	v->calls++;
	if (n < 64 && info->port == n % 5 && info->vlan == n % 3)
		v->seen[n]++;
}

Test(mactable, foreach_visits_each_entry_once_in_bucket_order)
{
	struct mactable *mt = mk_table(8, 64, 8);
	struct visit v = { .ordered = true };
	uint32_t i;

	for (i = 0; i < 64; i++)
		learn_n(mt, i, (uint16_t)(i % 3), i % 5, 1);
	mactable_foreach(mt, visit_cb, &v);
	cr_expect_eq(v.calls, 64);
	cr_expect(v.ordered);
	for (i = 0; i < 64; i++)
		cr_expect_eq(v.seen[i], 1, "mac %u seen %u times", i,
			     v.seen[i]);
	destroy_checked(mt);
}

static void bucket_cb(const struct mactable_entry_info *info, void *arg)
{
	const struct mactable *mt = arg;
	struct mactable_entry_info f;

	cr_expect_eq(mactable_find(mt, info->mac, info->vlan, &f), 0);
	cr_expect_eq(f.bucket, info->bucket);
	cr_expect_eq(f.port, info->port);
	cr_expect_lt(info->bucket, mactable_get_hashsize(mt));
}

Test(mactable, find_bucket_matches_foreach)
{
	struct mactable *mt = mk_table(32, 64, 8);
	uint32_t i;

	for (i = 0; i < 50; i++)
		learn_n(mt, i, 7, 1, 1);
	mactable_foreach(mt, bucket_cb, mt);
	destroy_checked(mt);
}

Test(mactable, hash_spreads_sequential_macs)
{
	struct mactable *mt = mk_table(1024, 4096, 8);
	struct mactable_entry_info info;
	static unsigned hist[1024];
	unsigned max = 0;
	uint32_t i;
	uint8_t mac[6];

	for (i = 0; i < 4096; i++) {
		mk_mac(mac, i);
		mactable_learn(mt, mac, 0, 1, 1, NULL);
		cr_assert_eq(mactable_find(mt, mac, 0, &info), 0);
		hist[info.bucket]++;
	}
	for (i = 0; i < 1024; i++)
		if (hist[i] > max)
			max = hist[i];
	/*
	 * 4 per bucket on average; with a random hash the fullest bucket
	 * reaches 25 about once in 10^9 runs.
	 */
	cr_expect_lt(max, 25, "fullest bucket holds %u", max);
	destroy_checked(mt);
}

/*
 * With the default 1024 buckets a full table has chains of 64 entries, and a
 * million misses cost over a second; a bucket per entry keeps this quick.
 */
Test(mactable, flood_of_a_million_macs_stays_bounded)
{
	struct mactable *mt = mk_table(MACTABLE_DEF_MAXENTRIES,
				       MACTABLE_DEF_MAXENTRIES, 32);
	struct timespec t0, t1;
	double secs;
	uint32_t i;

	for (i = 0; i < 100; i++)
		learn_n(mt, 0x800000 + i, 0, 5, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000000; i++)
		learn_n(mt, i, 0, 1, 2 + i / 100000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_log_info("1,000,000 learns in %.3f s", secs);
	cr_expect_eq(mactable_count(mt), MACTABLE_DEF_MAXENTRIES);
	cr_expect_eq(mactable_port_count(mt, 5), 100);
	cr_expect_eq(mactable_evictions(mt),
		     1000000 + 100 - MACTABLE_DEF_MAXENTRIES);
	cr_expect_eq(lookup_n(mt, 999999, 0), 1);
	cr_expect_lt(lookup_n(mt, 0, 0), 0);
	cr_expect_eq(lookup_n(mt, 0x800000, 0), 5);
	destroy_checked(mt);
}

Test(mactable, pool_is_reused_after_expire)
{
	struct mactable *mt = mk_table(256, 10000, 4);
	uint32_t round, i;

	/* Repeated fill and age-out: the free list serves every round. */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 3000; i++)
			cr_assert_eq(learn_n(mt, round * 3000 + i, 0, 1,
					     (time_t)round * 200),
				     MACTABLE_NEW);
		cr_assert_eq(mactable_count(mt), 3000);
		cr_assert_eq(mactable_expire(mt, (time_t)round * 200 + 100),
			     3000);
	}
	cr_expect_eq(mactable_count(mt), 0);
	cr_expect_eq(mactable_evictions(mt), 0);
	destroy_checked(mt);
}

/*
 * A slow, obviously correct model of the table, driven side by side with
 * the real one by a random sequence of operations.
 */
#define MODEL_MACS 120
#define MODEL_VLANS 2
#define MODEL_SLOTS (MODEL_MACS * MODEL_VLANS)

struct model {
	bool present[MODEL_SLOTS];
	unsigned port[MODEL_SLOTS];
	time_t last_seen[MODEL_SLOTS];
	uint64_t touch[MODEL_SLOTS];	/* order of last learn */
	uint64_t clock;
	unsigned nports;
	unsigned maxentries;
	unsigned minpers;
	unsigned expire;
	uint64_t evictions;
};

static unsigned model_count(const struct model *m, unsigned port, bool all)
{
	unsigned i, n = 0;

	for (i = 0; i < MODEL_SLOTS; i++)
		if (m->present[i] && (all || m->port[i] == port))
			n++;
	return n;
}

static void model_evict(struct model *m, unsigned learner)
{
	unsigned p, best = 0, bestn = 0, i, victim = MODEL_SLOTS;

	for (p = 0; p <= m->nports; p++) {
		unsigned n = model_count(m, p, false);

		if (n > bestn) {
			best = p;
			bestn = n;
		}
	}
	if (learner <= m->nports && model_count(m, learner, false) > 0 &&
	    model_count(m, learner, false) >= bestn)
		best = learner;
	for (i = 0; i < MODEL_SLOTS; i++)
		if (m->present[i] && m->port[i] == best &&
		    (victim == MODEL_SLOTS || m->touch[i] < m->touch[victim]))
			victim = i;
	cr_assert_lt(victim, MODEL_SLOTS);
	m->present[victim] = false;
	m->evictions++;
}

static enum mactable_learn_result model_learn(struct model *m, unsigned slot,
					      unsigned port, time_t now)
{
	if (port > m->nports)
		return MACTABLE_KEPT;
	if (m->present[slot] && m->port[slot] == port) {
		m->last_seen[slot] = now;
		m->touch[slot] = ++m->clock;
		return MACTABLE_REFRESHED;
	}
	if (m->present[slot]) {
		if (now - m->last_seen[slot] < (time_t)m->minpers)
			return MACTABLE_KEPT;
		m->port[slot] = port;
		m->last_seen[slot] = now;
		m->touch[slot] = ++m->clock;
		return MACTABLE_MOVED;
	}
	while (model_count(m, 0, true) >= m->maxentries)
		model_evict(m, port);
	m->present[slot] = true;
	m->port[slot] = port;
	m->last_seen[slot] = now;
	m->touch[slot] = ++m->clock;
	return MACTABLE_NEW;
}

static uint32_t rng_next(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*state >> 33);
}

Test(mactable, random_operations_match_model)
{
	static struct model m;
	struct mactable *mt = mk_table(16, 40, 6);
	uint64_t rng = 12345;
	time_t now = 1000;
	unsigned step, i, visits, results[4] = { 0 };
	uint8_t mac[6];

	m.nports = 6;
	m.maxentries = 40;
	m.minpers = MACTABLE_DEF_MINPERS;
	m.expire = 30;
	mactable_set_expire(mt, 30);
	for (step = 0; step < 20000; step++) {
		uint32_t op = rng_next(&rng) % 1000;

		now += rng_next(&rng) % 4 == 0;
		if (op < 900) {
			unsigned slot = rng_next(&rng) % MODEL_SLOTS;
			unsigned port = rng_next(&rng) % (m.nports + 2);
			uint16_t vlan = (uint16_t)(slot % MODEL_VLANS);
			unsigned old = 777, mold;
			enum mactable_learn_result r;

			mold = m.present[slot] ? m.port[slot] : 777;
			mk_mac(mac, slot / MODEL_VLANS);
			r = model_learn(&m, slot, port, now);
			results[r]++;
			cr_assert_eq(mactable_learn(mt, mac, vlan, port, now,
						    &old),
				     r, "step %u", step);
			if (port <= m.nports && mold != 777 && mold != port)
				cr_assert_eq(old, mold, "step %u", step);
		} else if (op < 960) {
			unsigned n = 0;

			for (i = 0; i < MODEL_SLOTS; i++) {
				if (m.present[i] &&
				    now - m.last_seen[i] >= (time_t)m.expire) {
					m.present[i] = false;
					n++;
				}
			}
			cr_assert_eq(mactable_expire(mt, now), n);
		} else if (op < 975) {
			unsigned port = rng_next(&rng) % (m.nports + 1);

			for (i = 0; i < MODEL_SLOTS; i++)
				if (m.present[i] && m.port[i] == port)
					m.present[i] = false;
			mactable_flush_port(mt, port);
		} else if (op < 990) {
			m.maxentries = 1 + rng_next(&rng) % 60;
			while (model_count(&m, 0, true) > m.maxentries)
				model_evict(&m, UINT32_MAX);
			cr_assert_eq(mactable_set_maxentries(mt, m.maxentries),
				     0);
		} else {
			m.nports = rng_next(&rng) % 9;
			for (i = 0; i < MODEL_SLOTS; i++)
				if (m.present[i] && m.port[i] > m.nports)
					m.present[i] = false;
			cr_assert_eq(mactable_set_nports(mt, m.nports), 0);
		}

		cr_assert_eq(mactable_count(mt), model_count(&m, 0, true),
			     "step %u", step);
		cr_assert_eq(mactable_evictions(mt), m.evictions,
			     "step %u", step);
		for (i = 0; i <= m.nports + 1; i++)
			cr_assert_eq(mactable_port_count(mt, i),
				     model_count(&m, i, false),
				     "step %u port %u", step, i);
		for (i = 0; i < MODEL_SLOTS; i++) {
			uint16_t vlan = (uint16_t)(i % MODEL_VLANS);

			mk_mac(mac, i / MODEL_VLANS);
			cr_assert_eq(mactable_lookup(mt, mac, vlan),
				     m.present[i] ? (int)m.port[i] : -ENOENT,
				     "step %u slot %u", step, i);
		}
	}
	/* The run reached every outcome and evicted. */
	for (i = 0; i < 4; i++)
		cr_expect_gt(results[i], 100, "result %u: %u", i, results[i]);
	cr_expect_gt(m.evictions, 100);
	visits = 0;
	mactable_foreach(mt, count_cb, &visits);
	cr_expect_eq(visits, mactable_count(mt));
	destroy_checked(mt);
}
