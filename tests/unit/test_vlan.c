/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vlan.c - unit tests of the 802.1Q engine (switch/vlan.c): VLAN
 * table and membership error codes, ingress classification, egress
 * decisions, and the delivery table measured on vde_switch.
 */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vlan.h"

#define NPORTS 32
#define ETH_PAYLOAD_MIN 46
#define FRAME_MAX (18 + ETH_PAYLOAD_MIN)

/* The ports of the measured vde_switch table. */
#define P_TAG10 11	/* untagged 0, tagged member of 10 */
#define P_UNT10 12	/* untagged 10 */
#define P_PLAIN 13	/* defaults */

/*
 * Build a minimal frame from broadcast to a fixed source. With @tpid 0 the
 * frame is untagged with EtherType 0x0800; otherwise @tpid and @tci are
 * written at offset 12 and the inner EtherType follows.
 */
static size_t make_frame(uint8_t *buf, uint16_t tpid, uint16_t tci)
{
	static const uint8_t hdr[12] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	size_t len = sizeof(hdr);

	memset(buf, 0, FRAME_MAX);
	memcpy(buf, hdr, sizeof(hdr));
	if (tpid) {
		buf[len++] = tpid >> 8;
		buf[len++] = tpid & 0xff;
		buf[len++] = tci >> 8;
		buf[len++] = tci & 0xff;
	}
	buf[len++] = 0x08;
	buf[len++] = 0x00;
	return len + ETH_PAYLOAD_MIN;
}

/* VLAN 10 created; ports 11, 12 and 13 as in the measured table. */
static struct vlan_table *measured_setup(void)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_not_null(vt);
	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, P_TAG10, 10), 0);
	cr_assert_eq(vlan_set_untagged(vt, P_UNT10, 10), 0);
	return vt;
}

/*
 * Classify a frame entering @from and check it lands in @want_vid with the
 * given tag state, then check the egress decision of each of the three
 * measured ports other than @from against @want (indexed by port - 11).
 */
static void check_delivery(const struct vlan_table *vt, unsigned from,
			   uint16_t tpid, uint16_t tci, unsigned want_vid,
			   bool want_tagged, const enum vlan_egress want[3])
{
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, tpid, tci);
	uint16_t vid = 0xffff;
	bool tagged = !want_tagged;
	unsigned port;

	cr_assert_eq(vlan_classify(vt, from, frame, len, &vid, &tagged), 0,
		     "frame from port %u dropped at ingress", from);
	cr_assert_eq(vid, want_vid);
	cr_assert_eq(tagged, want_tagged);
	for (port = P_TAG10; port <= P_PLAIN; port++) {
		if (port == from)
			continue;
		cr_assert_eq(vlan_egress(vt, port, vid), want[port - P_TAG10],
			     "port %u: egress %d, want %d", port,
			     vlan_egress(vt, port, vid), want[port - P_TAG10]);
	}
}

/* Expect the frame to be dropped at ingress, outputs untouched. */
static void check_dropped(const struct vlan_table *vt, unsigned port,
			  const uint8_t *frame, size_t len)
{
	uint16_t vid = 0x1234;
	bool tagged = true;

	cr_assert_eq(vlan_classify(vt, port, frame, len, &vid, &tagged), -1);
	cr_assert_eq(vid, 0x1234);
	cr_assert(tagged);
}

Test(vlan, table_defaults)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	unsigned port;

	cr_assert_not_null(vt);
	cr_assert(vlan_exists(vt, 0));
	cr_assert_not(vlan_exists(vt, 1));
	cr_assert_not(vlan_exists(vt, VLAN_MAX));
	cr_assert_not(vlan_exists(vt, VLAN_NONE));
	cr_assert_not(vlan_exists(vt, 100000));
	for (port = 0; port <= NPORTS; port++) {
		cr_assert_eq(vlan_get_untagged(vt, port), 0);
		cr_assert_not(vlan_is_trunk(vt, port));
		cr_assert_not(vlan_is_tagged(vt, port, 0));
		cr_assert_eq(vlan_egress(vt, port, 0), VLAN_EGRESS_UNTAGGED);
	}
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, table_single_port_and_destroy_null)
{
	struct vlan_table *vt = vlan_table_create(0);

	cr_assert_not_null(vt);
	cr_assert_eq(vlan_get_untagged(vt, 0), 0);
	cr_assert_eq(vlan_set_trunk(vt, 1, true), -EINVAL);
	vlan_table_destroy(vt);
	vlan_table_destroy(NULL);
	leak_check();
}

Test(vlan, create_errors)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 0), -EEXIST);
	cr_assert_eq(vlan_create(vt, VLAN_NONE), -EINVAL);
	cr_assert_eq(vlan_create(vt, 4096), -EINVAL);
	cr_assert_eq(vlan_create(vt, 100000), -EINVAL);
	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert(vlan_exists(vt, 10));
	cr_assert_eq(vlan_create(vt, 10), -EEXIST);
	cr_assert_eq(vlan_create(vt, 1), 0);
	cr_assert(vlan_exists(vt, 1));
	cr_assert_not(vlan_exists(vt, 2));
	vlan_table_destroy(vt);
	leak_check();
}

/* vde_switch refuses 4094 through an off-by-one; we accept it. */
Test(vlan, create_4094_works)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, VLAN_MAX);
	uint16_t vid = 0;
	bool tagged = false;

	cr_assert_eq(vlan_create(vt, VLAN_MAX), 0);
	cr_assert(vlan_exists(vt, VLAN_MAX));
	cr_assert_eq(vlan_add_tagged(vt, 1, VLAN_MAX), 0);
	cr_assert(vlan_is_tagged(vt, 1, VLAN_MAX));
	cr_assert_eq(vlan_classify(vt, 1, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, VLAN_MAX);
	cr_assert(tagged);
	cr_assert_eq(vlan_set_untagged(vt, 2, VLAN_MAX), 0);
	cr_assert_eq(vlan_egress(vt, 2, VLAN_MAX), VLAN_EGRESS_UNTAGGED);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, remove_errors)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_remove(vt, 0), -EINVAL);
	cr_assert_eq(vlan_remove(vt, VLAN_NONE), -EINVAL);
	cr_assert_eq(vlan_remove(vt, 100000), -EINVAL);
	cr_assert_eq(vlan_remove(vt, 10), -ENXIO);
	cr_assert(vlan_exists(vt, 0));

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_remove(vt, 10), 0);
	cr_assert_not(vlan_exists(vt, 10));
	cr_assert_eq(vlan_remove(vt, 10), -ENXIO);
	cr_assert_eq(vlan_create(vt, 10), 0);
	vlan_table_destroy(vt);
	leak_check();
}

/* Any port counts, the first and the last included. */
Test(vlan, remove_in_use)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_create(vt, 20), 0);

	cr_assert_eq(vlan_set_untagged(vt, 0, 10), 0);
	cr_assert_eq(vlan_remove(vt, 10), -EADDRINUSE);
	cr_assert(vlan_exists(vt, 10));
	cr_assert_eq(vlan_set_untagged(vt, 0, 0), 0);
	cr_assert_eq(vlan_remove(vt, 10), 0);

	cr_assert_eq(vlan_add_tagged(vt, NPORTS, 20), 0);
	cr_assert_eq(vlan_remove(vt, 20), -EADDRINUSE);
	cr_assert(vlan_exists(vt, 20));
	cr_assert_eq(vlan_del_tagged(vt, NPORTS, 20), 0);
	cr_assert_eq(vlan_remove(vt, 20), 0);
	cr_assert_not(vlan_exists(vt, 20));
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, set_untagged_errors)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_set_untagged(vt, NPORTS + 1, 0), -EINVAL);
	cr_assert_eq(vlan_set_untagged(vt, 100000, 0), -EINVAL);
	cr_assert_eq(vlan_set_untagged(vt, 1, 4096), -EINVAL);
	cr_assert_eq(vlan_set_untagged(vt, 1, 10), -ENXIO);
	cr_assert_eq(vlan_set_untagged(vt, 1, VLAN_MAX), -ENXIO);
	cr_assert_eq(vlan_get_untagged(vt, 1), 0);

	cr_assert_eq(vlan_set_untagged(vt, 1, VLAN_NONE), 0);
	cr_assert_eq(vlan_get_untagged(vt, 1), VLAN_NONE);
	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_set_untagged(vt, 1, 10), 0);
	cr_assert_eq(vlan_get_untagged(vt, 1), 10);
	cr_assert_eq(vlan_set_untagged(vt, 1, 10), 0);
	cr_assert_eq(vlan_set_untagged(vt, NPORTS, 10), 0);
	cr_assert_eq(vlan_get_untagged(vt, NPORTS), 10);
	cr_assert_eq(vlan_get_untagged(vt, NPORTS + 1), VLAN_NONE);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, set_untagged_drops_tagged_membership)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_create(vt, 20), 0);
	cr_assert_eq(vlan_add_tagged(vt, 3, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, 3, 20), 0);
	cr_assert_eq(vlan_set_untagged(vt, 3, 10), 0);
	cr_assert_eq(vlan_get_untagged(vt, 3), 10);
	cr_assert_not(vlan_is_tagged(vt, 3, 10));
	cr_assert(vlan_is_tagged(vt, 3, 20));
	cr_assert_eq(vlan_egress(vt, 3, 10), VLAN_EGRESS_UNTAGGED);
	cr_assert_eq(vlan_del_tagged(vt, 3, 10), -EADDRINUSE);

	/* The last tagged membership goes the same way. */
	cr_assert_eq(vlan_set_untagged(vt, 3, 20), 0);
	cr_assert_not(vlan_is_tagged(vt, 3, 20));
	cr_assert_eq(vlan_add_tagged(vt, 3, 10), 0);
	cr_assert(vlan_is_tagged(vt, 3, 10));
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, add_tagged_errors)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, NPORTS + 1, 10), -EINVAL);
	cr_assert_eq(vlan_add_tagged(vt, 1, 20), -ENXIO);
	cr_assert_eq(vlan_add_tagged(vt, 1, 0), -EADDRINUSE);
	cr_assert_eq(vlan_add_tagged(vt, 1, 10), 0);
	cr_assert(vlan_is_tagged(vt, 1, 10));
	cr_assert_eq(vlan_add_tagged(vt, 1, 10), -EEXIST);
	cr_assert_eq(vlan_set_untagged(vt, 2, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, 2, 10), -EADDRINUSE);

	/* VLAN 0 can be tagged once it is not the untagged VLAN. */
	cr_assert_eq(vlan_add_tagged(vt, 2, 0), 0);
	cr_assert(vlan_is_tagged(vt, 2, 0));
	cr_assert_eq(vlan_egress(vt, 2, 0), VLAN_EGRESS_TAGGED);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, add_tagged_invalid_vid)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_set_untagged(vt, 1, VLAN_NONE), 0);
	cr_assert_eq(vlan_add_tagged(vt, 1, VLAN_NONE), -EINVAL);
	cr_assert_eq(vlan_add_tagged(vt, 1, 4096), -EINVAL);
	cr_assert_eq(vlan_del_tagged(vt, 1, VLAN_NONE), -EINVAL);
	cr_assert_not(vlan_is_tagged(vt, 1, VLAN_NONE));
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, del_tagged_errors)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_del_tagged(vt, NPORTS + 1, 10), -EINVAL);
	cr_assert_eq(vlan_del_tagged(vt, 1, 0), -EADDRINUSE);
	cr_assert_eq(vlan_del_tagged(vt, 1, 10), -ENXIO);
	cr_assert_eq(vlan_del_tagged(vt, 1, 20), -ENXIO);
	cr_assert_eq(vlan_add_tagged(vt, 1, 10), 0);
	cr_assert_eq(vlan_del_tagged(vt, 1, 10), 0);
	cr_assert_not(vlan_is_tagged(vt, 1, 10));
	cr_assert_eq(vlan_del_tagged(vt, 1, 10), -ENXIO);
	cr_assert_eq(vlan_egress(vt, 1, 10), VLAN_EGRESS_NONE);
	vlan_table_destroy(vt);
	leak_check();
}

/* Join every VLAN, then leave them all: the bitmap comes and goes. */
Test(vlan, tagged_all_vlans)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	unsigned v;

	for (v = 1; v <= VLAN_MAX; v++)
		cr_assert_eq(vlan_create(vt, v), 0);
	for (v = 1; v <= VLAN_MAX; v++)
		cr_assert_eq(vlan_add_tagged(vt, 5, v), 0);
	for (v = 1; v <= VLAN_MAX; v++)
		cr_assert(vlan_is_tagged(vt, 5, v));
	cr_assert_not(vlan_is_tagged(vt, 4, 1));
	cr_assert_not(vlan_is_tagged(vt, 6, VLAN_MAX));
	for (v = 1; v <= VLAN_MAX; v++)
		cr_assert_eq(vlan_del_tagged(vt, 5, v), 0);
	for (v = 1; v <= VLAN_MAX; v++)
		cr_assert_eq(vlan_remove(vt, v), 0);
	cr_assert_eq(vlan_add_tagged(vt, 5, 1), -ENXIO);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, trunk_flag)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_set_trunk(vt, NPORTS + 1, true), -EINVAL);
	cr_assert_not(vlan_is_trunk(vt, NPORTS + 1));
	cr_assert_eq(vlan_set_trunk(vt, NPORTS, true), 0);
	cr_assert(vlan_is_trunk(vt, NPORTS));
	cr_assert_not(vlan_is_trunk(vt, NPORTS - 1));
	cr_assert_eq(vlan_set_trunk(vt, NPORTS, false), 0);
	cr_assert_not(vlan_is_trunk(vt, NPORTS));
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, port_reset)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_create(vt, 20), 0);
	cr_assert_eq(vlan_set_untagged(vt, 4, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, 4, 20), 0);
	cr_assert_eq(vlan_set_trunk(vt, 4, true), 0);
	cr_assert_eq(vlan_add_tagged(vt, 5, 20), 0);

	vlan_port_reset(vt, 4);
	cr_assert_eq(vlan_get_untagged(vt, 4), 0);
	cr_assert_not(vlan_is_tagged(vt, 4, 20));
	cr_assert_not(vlan_is_trunk(vt, 4));
	cr_assert(vlan_is_tagged(vt, 5, 20));
	cr_assert_eq(vlan_remove(vt, 10), 0);
	cr_assert_eq(vlan_remove(vt, 20), -EADDRINUSE);

	vlan_port_reset(vt, 5);
	cr_assert_eq(vlan_remove(vt, 20), 0);
	vlan_port_reset(vt, NPORTS + 1);	/* out of range: ignored */
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, resize)
{
	struct vlan_table *vt = vlan_table_create(4);
	unsigned port;

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_create(vt, 20), 0);
	cr_assert_eq(vlan_set_untagged(vt, 2, 10), 0);
	cr_assert_eq(vlan_add_tagged(vt, 4, 20), 0);
	cr_assert_eq(vlan_set_trunk(vt, 4, true), 0);
	cr_assert_eq(vlan_set_untagged(vt, 5, 10), -EINVAL);

	/* Grow: old ports keep their setup, new ports get the defaults. */
	cr_assert_eq(vlan_table_resize(vt, 100), 0);
	cr_assert_eq(vlan_get_untagged(vt, 2), 10);
	cr_assert(vlan_is_tagged(vt, 4, 20));
	cr_assert(vlan_is_trunk(vt, 4));
	for (port = 5; port <= 100; port++) {
		cr_assert_eq(vlan_get_untagged(vt, port), 0);
		cr_assert_not(vlan_is_trunk(vt, port));
		cr_assert_not(vlan_is_tagged(vt, port, 20));
	}
	cr_assert_eq(vlan_set_untagged(vt, 100, 10), 0);
	cr_assert_eq(vlan_set_untagged(vt, 101, 10), -EINVAL);

	/* Shrink: dropped ports lose their memberships. */
	cr_assert_eq(vlan_table_resize(vt, 3), 0);
	cr_assert_eq(vlan_set_untagged(vt, 4, 0), -EINVAL);
	cr_assert_eq(vlan_egress(vt, 4, 20), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_remove(vt, 20), 0);
	cr_assert_eq(vlan_remove(vt, 10), -EADDRINUSE);
	cr_assert_eq(vlan_get_untagged(vt, 2), 10);

	/* Grow again: no stale configuration comes back. */
	cr_assert_eq(vlan_table_resize(vt, 200), 0);
	cr_assert_eq(vlan_get_untagged(vt, 100), 0);
	cr_assert_not(vlan_is_trunk(vt, 4));
	cr_assert_not(vlan_is_tagged(vt, 4, 20));
	cr_assert_eq(vlan_table_resize(vt, 200), 0);
	cr_assert_eq(vlan_table_resize(vt, 0), 0);
	cr_assert_eq(vlan_get_untagged(vt, 0), 0);
	cr_assert_eq(vlan_remove(vt, 10), 0);
	vlan_table_destroy(vt);
	leak_check();
}

/* Measured row 1: untagged broadcast from port 12 (untagged 10). */
Test(vlan, measured_untagged_from_untagged10)
{
	struct vlan_table *vt = measured_setup();
	const enum vlan_egress want[3] = {
		VLAN_EGRESS_TAGGED,	/* 11: tag 81 00 00 0a inserted */
		VLAN_EGRESS_NONE,	/* 12: the sender */
		VLAN_EGRESS_NONE,	/* 13 */
	};

	check_delivery(vt, P_UNT10, 0, 0, 10, false, want);
	vlan_table_destroy(vt);
	leak_check();
}

/* Measured row 2: VID 10 from port 11 (tagged member of 10). */
Test(vlan, measured_tagged10_from_tagged_member)
{
	struct vlan_table *vt = measured_setup();
	const enum vlan_egress want[3] = {
		VLAN_EGRESS_NONE,	/* 11: the sender */
		VLAN_EGRESS_UNTAGGED,	/* 12: tag stripped */
		VLAN_EGRESS_NONE,	/* 13 */
	};

	check_delivery(vt, P_TAG10, VLAN_TPID, 10, 10, true, want);
	vlan_table_destroy(vt);
	leak_check();
}

/* Measured row 3: untagged from port 11 stays in VLAN 0. */
Test(vlan, measured_untagged_from_tagged_member)
{
	struct vlan_table *vt = measured_setup();
	const enum vlan_egress want[3] = {
		VLAN_EGRESS_NONE,	/* 11: the sender */
		VLAN_EGRESS_NONE,	/* 12 */
		VLAN_EGRESS_UNTAGGED,	/* 13 */
	};

	check_delivery(vt, P_TAG10, 0, 0, 0, false, want);
	vlan_table_destroy(vt);
	leak_check();
}

/* Measured row 4: VID 20 from port 11, not a member of 20. */
Test(vlan, measured_tagged20_from_non_member)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 20);

	check_dropped(vt, P_TAG10, frame, len);
	/* Still dropped once VLAN 20 exists: port 11 is not in it. */
	cr_assert_eq(vlan_create(vt, 20), 0);
	check_dropped(vt, P_TAG10, frame, len);
	vlan_table_destroy(vt);
	leak_check();
}

/* Measured row 5: VID 10 from port 13, not a member of 10. */
Test(vlan, measured_tagged10_from_plain_port)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 10);

	check_dropped(vt, P_PLAIN, frame, len);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, trunk_to_trunk_uncreated_vid)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 777);
	uint16_t vid = 0;
	bool tagged = false;

	cr_assert_eq(vlan_set_trunk(vt, 20, true), 0);
	cr_assert_eq(vlan_set_trunk(vt, 21, true), 0);
	cr_assert_not(vlan_exists(vt, 777));
	cr_assert_eq(vlan_classify(vt, 20, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, 777);
	cr_assert(tagged);
	cr_assert_eq(vlan_egress(vt, 21, vid), VLAN_EGRESS_TAGGED);
	cr_assert_eq(vlan_egress(vt, P_TAG10, vid), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, P_UNT10, vid), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, P_PLAIN, vid), VLAN_EGRESS_NONE);

	/* A non-trunk port still drops it. */
	check_dropped(vt, P_PLAIN, frame, len);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, trunk_to_untagged10_port)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 10);
	uint16_t vid = 0;
	bool tagged = false;

	cr_assert_eq(vlan_set_trunk(vt, 20, true), 0);
	cr_assert_eq(vlan_classify(vt, 20, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, 10);
	cr_assert(tagged);
	cr_assert_eq(vlan_egress(vt, P_UNT10, vid), VLAN_EGRESS_UNTAGGED);
	cr_assert_eq(vlan_egress(vt, P_TAG10, vid), VLAN_EGRESS_TAGGED);
	cr_assert_eq(vlan_egress(vt, P_PLAIN, vid), VLAN_EGRESS_NONE);

	/* Back the other way: port 12's untagged frame reaches the trunk. */
	cr_assert_eq(vlan_egress(vt, 20, 10), VLAN_EGRESS_TAGGED);
	vlan_table_destroy(vt);
	leak_check();
}

/* Untagged frames on a trunk port still go to its untagged VLAN. */
Test(vlan, trunk_untagged_frames)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, 0, 0);
	uint16_t vid = 0xffff;
	bool tagged = true;

	cr_assert_eq(vlan_set_trunk(vt, 20, true), 0);
	cr_assert_eq(vlan_classify(vt, 20, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, 0);
	cr_assert_not(tagged);
	cr_assert_eq(vlan_egress(vt, P_PLAIN, 0), VLAN_EGRESS_UNTAGGED);

	/* A trunk receives its untagged VLAN untagged, others tagged. */
	cr_assert_eq(vlan_set_untagged(vt, 20, 10), 0);
	cr_assert_eq(vlan_egress(vt, 20, 10), VLAN_EGRESS_UNTAGGED);
	cr_assert_eq(vlan_egress(vt, 20, 0), VLAN_EGRESS_TAGGED);
	cr_assert_eq(vlan_classify(vt, 20, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, 10);
	cr_assert_not(tagged);

	/* VLAN_NONE on a trunk: tagged only. */
	cr_assert_eq(vlan_set_untagged(vt, 20, VLAN_NONE), 0);
	check_dropped(vt, 20, frame, len);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, vid_4095_always_dropped)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 0x0fff);

	check_dropped(vt, 1, frame, len);
	cr_assert_eq(vlan_set_trunk(vt, 1, true), 0);
	check_dropped(vt, 1, frame, len);
	cr_assert_eq(vlan_set_untagged(vt, 1, VLAN_NONE), 0);
	check_dropped(vt, 1, frame, len);
	cr_assert_eq(vlan_egress(vt, 1, VLAN_NONE), VLAN_EGRESS_NONE);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, untagged_none_accepts_tagged_only)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	uint8_t frame[FRAME_MAX];
	size_t len;
	uint16_t vid = 0;
	bool tagged = false;

	cr_assert_eq(vlan_create(vt, 10), 0);
	cr_assert_eq(vlan_set_untagged(vt, 1, VLAN_NONE), 0);
	cr_assert_eq(vlan_add_tagged(vt, 1, 10), 0);

	len = make_frame(frame, 0, 0);
	check_dropped(vt, 1, frame, len);

	len = make_frame(frame, VLAN_TPID, 10);
	cr_assert_eq(vlan_classify(vt, 1, frame, len, &vid, &tagged), 0);
	cr_assert_eq(vid, 10);
	cr_assert(tagged);

	/* Not a member of VLAN 0 any more, priority tags included. */
	len = make_frame(frame, VLAN_TPID, 0);
	check_dropped(vt, 1, frame, len);
	cr_assert_eq(vlan_egress(vt, 1, 0), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, 1, 10), VLAN_EGRESS_TAGGED);
	cr_assert_eq(vlan_egress(vt, 1, VLAN_NONE), VLAN_EGRESS_NONE);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, priority_tag_vid0)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 0xa000);	/* PCP 5 */
	uint16_t vid = 0xffff;
	bool tagged = false;

	cr_assert_eq(vlan_classify(vt, P_PLAIN, frame, len, &vid, &tagged),
		     0);
	cr_assert_eq(vid, 0);
	cr_assert(tagged);
	cr_assert_eq(vlan_egress(vt, P_TAG10, 0), VLAN_EGRESS_UNTAGGED);
	cr_assert_eq(vlan_egress(vt, P_UNT10, 0), VLAN_EGRESS_NONE);

	/* Port 12 is not in VLAN 0: its priority-tagged frames drop. */
	check_dropped(vt, P_UNT10, frame, len);
	vlan_table_destroy(vt);
	leak_check();
}

/* PCP and DEI are not part of the VID. */
Test(vlan, pcp_dei_ignored)
{
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, VLAN_TPID, 0xf000 | 10);
	uint16_t vid = 0;
	bool tagged = false;

	cr_assert_eq(vlan_classify(vt, P_TAG10, frame, len, &vid, &tagged),
		     0);
	cr_assert_eq(vid, 10);
	cr_assert(tagged);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, other_tpids_are_untagged)
{
	static const uint16_t tpids[] = { 0x88a8, 0x9100, 0x8101, 0x0081 };
	struct vlan_table *vt = measured_setup();
	uint8_t frame[FRAME_MAX];
	size_t i, len;

	for (i = 0; i < sizeof(tpids) / sizeof(tpids[0]); i++) {
		uint16_t vid = 0xffff;
		bool tagged = true;

		len = make_frame(frame, tpids[i], 10);
		cr_assert_eq(vlan_classify(vt, P_UNT10, frame, len, &vid,
					   &tagged), 0);
		cr_assert_eq(vid, 10, "TPID %#x", tpids[i]);
		cr_assert_not(tagged, "TPID %#x", tpids[i]);
		cr_assert_eq(vlan_classify(vt, P_PLAIN, frame, len, &vid,
					   &tagged), 0);
		cr_assert_eq(vid, 0);
		cr_assert_not(tagged);
	}
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, short_tagged_frame_dropped)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	uint8_t frame[FRAME_MAX];
	uint16_t vid = 0xffff;
	bool tagged = false;
	size_t len;

	make_frame(frame, VLAN_TPID, 0);
	cr_assert_eq(vlan_set_trunk(vt, 1, true), 0);
	for (len = 14; len < 18; len++) {
		check_dropped(vt, 0, frame, len);
		check_dropped(vt, 1, frame, len);
	}
	cr_assert_eq(vlan_classify(vt, 0, frame, 18, &vid, &tagged), 0);
	cr_assert_eq(vid, 0);
	cr_assert(tagged);

	/* A bare 14-byte untagged frame is fine. */
	make_frame(frame, 0, 0);
	tagged = true;
	cr_assert_eq(vlan_classify(vt, 0, frame, 14, &vid, &tagged), 0);
	cr_assert_not(tagged);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, port_out_of_range_queries)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);
	uint8_t frame[FRAME_MAX];
	size_t len = make_frame(frame, 0, 0);

	check_dropped(vt, NPORTS + 1, frame, len);
	cr_assert_eq(vlan_egress(vt, NPORTS + 1, 0), VLAN_EGRESS_NONE);
	cr_assert_not(vlan_is_tagged(vt, NPORTS + 1, 0));
	cr_assert_eq(vlan_get_untagged(vt, NPORTS + 1), VLAN_NONE);
	vlan_table_destroy(vt);
	leak_check();
}

Test(vlan, egress_invalid_vid)
{
	struct vlan_table *vt = vlan_table_create(NPORTS);

	cr_assert_eq(vlan_set_trunk(vt, 1, true), 0);
	cr_assert_eq(vlan_egress(vt, 1, VLAN_NONE), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, 1, 4096), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, 1, 100000), VLAN_EGRESS_NONE);
	cr_assert_eq(vlan_egress(vt, 1, VLAN_MAX), VLAN_EGRESS_TAGGED);
	vlan_table_destroy(vt);
	leak_check();
}
