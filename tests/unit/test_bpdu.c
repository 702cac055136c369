/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_bpdu.c - BPDUs on the wire: the bytes patchbay sends (RST,
 * configuration, TCN) against 802.1D-2004's layout, a Linux bridge's
 * configuration BPDU decoded, each refusal rule, and random frames that
 * must never be read past their end.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bpdu.h"

static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x0a };

static struct bpdu sample(enum bpdu_type t)
{
	return (struct bpdu){ .type = t,
			      .flags = 0x7d,
			      .root_id = 0x8000020000000001ULL,
			      .root_cost = 2000,
			      .bridge_id = 0x900002000000000aULL,
			      .port_id = 0x8003,
			      .msg_age = 256,
			      .max_age = 20 * 256,
			      .hello = 2 * 256,
			      .fwd_delay = 15 * 256 };
}

Test(bpdu, rst_bytes_and_round_trip)
{
	struct bpdu b = sample(BPDU_RST), d;
	uint8_t f[BPDU_FRAME_MIN];
	static const uint8_t head[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,	/* group address */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,	/* source */
		0x00, 39,				/* 3 + 36 */
		0x42, 0x42, 0x03,			/* LLC */
		0x00, 0x00, 0x02, 0x02, 0x7d,		/* id, v2, RST, flags */
		0x80, 0x00, 0x02, 0, 0, 0, 0, 0x01,	/* root */
		0, 0, 0x07, 0xd0,			/* cost 2000 */
		0x90, 0x00, 0x02, 0, 0, 0, 0, 0x0a,	/* bridge */
		0x80, 0x03,				/* port */
		0x01, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
		0x00,					/* version 1 length */
	};
	size_t i;

	cr_assert_eq(bpdu_encode(&b, src, f), 60);
	cr_assert(!memcmp(f, head, sizeof(head)));
	for (i = sizeof(head); i < 60; i++)
		cr_assert_eq(f[i], 0, "padding at %zu", i);
	cr_assert(bpdu_is_dst(f));
	cr_assert_eq(bpdu_decode(f, 60, &d), BPDU_OK);
	cr_assert_eq(d.type, BPDU_RST);
	cr_assert_eq(d.version, 2);
	cr_assert_eq(d.flags, 0x7d);
	cr_assert_eq(d.root_id, b.root_id);
	cr_assert_eq(d.root_cost, 2000);
	cr_assert_eq(d.bridge_id, b.bridge_id);
	cr_assert_eq(d.port_id, 0x8003);
	cr_assert_eq(d.msg_age, 256);
	cr_assert_eq(d.max_age, 20 * 256);
	cr_assert_eq(d.hello, 2 * 256);
	cr_assert_eq(d.fwd_delay, 15 * 256);
	/* exactly 14 + 3 + 36 bytes, without padding, is enough */
	cr_assert_eq(bpdu_decode(f, 53, &d), BPDU_OK);
}

Test(bpdu, config_and_tcn)
{
	struct bpdu b = sample(BPDU_CONFIG), d;
	uint8_t f[BPDU_FRAME_MIN];

	b.flags = BPDU_F_TC | BPDU_F_TCA;
	bpdu_encode(&b, src, f);
	cr_assert_eq(f[13], 38, "3 + 35");
	cr_assert_eq(f[19], 0, "version 0");
	cr_assert_eq(f[20], 0, "type config");
	cr_assert_eq(f[17 + 35], 0);
	cr_assert_eq(bpdu_decode(f, 52, &d), BPDU_OK);
	cr_assert_eq(d.type, BPDU_CONFIG);
	cr_assert_eq(d.flags, BPDU_F_TC | BPDU_F_TCA);
	cr_assert_eq(d.root_cost, 2000);

	b.type = BPDU_TCN;
	bpdu_encode(&b, src, f);
	cr_assert_eq(f[13], 7);
	cr_assert_eq(f[20], 0x80);
	cr_assert_eq(bpdu_decode(f, 21, &d), BPDU_OK);
	cr_assert_eq(d.type, BPDU_TCN);
}

/* What a Linux bridge (stp_state 1, priority 61440) sends: the config
 * BPDU of a root that is itself, hello 1 s, forward delay 2 s. */
Test(bpdu, linux_bridge_config)
{
	static const uint8_t f[60] = {
		0x01, 0x80, 0xc2, 0, 0, 0, 0x46, 0x1f, 0xed, 0xe9, 0x82, 0x15,
		0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xf0, 0x00, 0x46, 0x1f, 0xed, 0xe9, 0x82, 0x15,
		0x00, 0x00, 0x00, 0x00,
		0xf0, 0x00, 0x46, 0x1f, 0xed, 0xe9, 0x82, 0x15,
		0x80, 0x01, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x02, 0x00,
	};
	struct bpdu d;
	char id[24];

	cr_assert_eq(bpdu_decode(f, sizeof(f), &d), BPDU_OK);
	cr_assert_eq(d.type, BPDU_CONFIG);
	cr_assert_eq(d.root_id, 0xf000461fede98215ULL);
	cr_assert_eq(d.root_id, d.bridge_id);
	cr_assert_eq(d.port_id, 0x8001);
	cr_assert_eq(d.hello, 256);
	cr_assert_eq(d.fwd_delay, 512);
	bpdu_format_id(d.root_id, id);
	cr_assert_str_eq(id, "f0:00:46:1f:ed:e9:82:15");
	cr_assert_eq(bpdu_bridge_id(61440, f + 6), d.root_id);
}

static enum bpdu_error decode_edit(size_t len, size_t at, uint8_t v)
{
	struct bpdu b = sample(BPDU_RST), d;
	uint8_t f[1600];

	memset(f, 0, sizeof(f));
	bpdu_encode(&b, src, f);
	if (at < sizeof(f))
		f[at] = v;
	return bpdu_decode(f, len, &d);
}

Test(bpdu, refusals)
{
	struct bpdu b = sample(BPDU_CONFIG), d;
	uint8_t f[BPDU_FRAME_MIN];
	size_t len;

	for (len = 0; len < 21; len++)
		cr_assert_eq(decode_edit(len, 99, 0), BPDU_ERR_SHORT, "%zu",
			     len);
	cr_assert_eq(decode_edit(52, 99, 0), BPDU_ERR_LENGTH, "truncated");
	cr_assert_eq(decode_edit(60, 12, 0x08), BPDU_ERR_LENGTH, "EtherType");
	cr_assert_eq(decode_edit(60, 13, 200), BPDU_ERR_LENGTH, "past end");
	cr_assert_eq(decode_edit(1515, 99, 0), BPDU_ERR_LENGTH, "oversized");
	cr_assert_eq(decode_edit(1514, 99, 0), BPDU_OK, "largest 802.3");
	cr_assert_eq(decode_edit(60, 13, 6), BPDU_ERR_SHORT, "length 6");
	cr_assert_eq(decode_edit(60, 13, 20), BPDU_ERR_SHORT, "RST in 17");
	cr_assert_eq(decode_edit(60, 15, 0xaa), BPDU_ERR_LLC);
	cr_assert_eq(decode_edit(60, 16, 0x13), BPDU_ERR_LLC);
	cr_assert_eq(decode_edit(60, 18, 1), BPDU_ERR_PROTOCOL);
	cr_assert_eq(decode_edit(60, 20, 0x01), BPDU_ERR_TYPE);
	cr_assert_eq(decode_edit(60, 19, 0), BPDU_ERR_TYPE, "RST v0");
	cr_assert_eq(decode_edit(60, 19, 3), BPDU_OK, "v3 reads as RST");

	b.msg_age = b.max_age;
	bpdu_encode(&b, src, f);
	cr_assert_eq(bpdu_decode(f, 60, &d), BPDU_ERR_AGE);
	f[13] = 30;
	cr_assert_eq(bpdu_decode(f, 60, &d), BPDU_ERR_SHORT, "config in 27");
	cr_assert_str_neq(bpdu_strerror(BPDU_ERR_LLC), "invalid");
}

/* Random frames of every length under a valid header: refused or read,
 * never past their end (ASan watches the exact-size copy). */
Test(bpdu, random_frames)
{
	struct bpdu d;
	unsigned i;

	srandom(20);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)random() % 80, k;
		uint8_t *f = malloc(len ? len : 1);

		cr_assert(f);
		for (k = 0; k < len; k++)
			f[k] = (uint8_t)random();
		if (len > 18 && (i & 1)) {
			f[12] = 0;
			f[13] = (uint8_t)(random() % 64);
			f[14] = f[15] = 0x42;
			f[16] = 3;
			f[17] = f[18] = 0;
		}
		(void)bpdu_decode(f, len, &d);
		free(f);
	}
}
