/* SPDX-License-Identifier: GPL-2.0-or-later
 * bpdu.c - spanning tree BPDUs: validation and decoding of what a port
 * received (802.1D-2004 9.3.4), encoding of what the switch sends.
 */
#include <stdio.h>
#include <string.h>

#include "bpdu.h"

#define BPDU_CONFIG_LEN 35
#define BPDU_RST_LEN 36
#define BPDU_TCN_LEN 4
#define BPDU_TYPE_CONFIG 0x00
#define BPDU_TYPE_RST 0x02
#define BPDU_TYPE_TCN 0x80
#define BPDU_8023_MAX 1500	/* above: an EtherType, not a length */
#define BPDU_WIRE_MAX 1514	/* the largest 802.3 frame, without FCS */

static const uint8_t bpdu_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/**
 * bpdu_is_dst() - is a frame addressed to the bridge group address?
 * @frame:	at least 6 bytes
 *
 * Return: true for 01:80:c2:00:00:00
 */
bool bpdu_is_dst(const uint8_t *frame)
{
	return !memcmp(frame, bpdu_dst, sizeof(bpdu_dst));
}

/**
 * bpdu_decode() - validate and decode a frame sent to the group address
 * @frame:	the whole frame, from its destination address
 * @len:	its length
 * @b:		the BPDU, on success
 *
 * Trailing bytes past the 802.3 length (padding) are ignored; a frame
 * longer than any 802.3 frame is refused.
 *
 * Return: BPDU_OK, or the rule the frame broke
 */
enum bpdu_error bpdu_decode(const uint8_t *frame, size_t len, struct bpdu *b)
{
	const uint8_t *p = frame + BPDU_OFF;
	size_t plen, l8023;
	uint8_t type;

	if (len < BPDU_OFF + BPDU_TCN_LEN)
		return BPDU_ERR_SHORT;
	if (len > BPDU_WIRE_MAX)
		return BPDU_ERR_LENGTH;
	l8023 = get16(frame + 12);
	if (l8023 > BPDU_8023_MAX || BPDU_LLC_OFF + l8023 > len)
		return BPDU_ERR_LENGTH;
	if (l8023 < 3 + BPDU_TCN_LEN)
		return BPDU_ERR_SHORT;
	if (frame[14] != 0x42 || frame[15] != 0x42 || frame[16] != 0x03)
		return BPDU_ERR_LLC;
	plen = l8023 - 3;
	if (get16(p))
		return BPDU_ERR_PROTOCOL;
	memset(b, 0, sizeof(*b));
	b->version = p[2];
	type = p[3];
	if (type == BPDU_TYPE_TCN) {
		b->type = BPDU_TCN;
		return BPDU_OK;
	}
	if (type == BPDU_TYPE_RST && b->version >= 2) {
		if (plen < BPDU_RST_LEN)
			return BPDU_ERR_SHORT;
		b->type = BPDU_RST;
	} else if (type == BPDU_TYPE_CONFIG) {
		if (plen < BPDU_CONFIG_LEN)
			return BPDU_ERR_SHORT;
		b->type = BPDU_CONFIG;
	} else {
		return BPDU_ERR_TYPE;
	}
	b->flags = p[4];
	b->root_id = get64(p + 5);
	b->root_cost = get32(p + 13);
	b->bridge_id = get64(p + 17);
	b->port_id = get16(p + 25);
	b->msg_age = get16(p + 27);
	b->max_age = get16(p + 29);
	b->hello = get16(p + 31);
	b->fwd_delay = get16(p + 33);
	if (b->type == BPDU_CONFIG && b->msg_age >= b->max_age)
		return BPDU_ERR_AGE;
	return BPDU_OK;
}

/**
 * bpdu_strerror() - a reason in words
 * @e:		from bpdu_decode()
 *
 * Return: a static string
 */
const char *bpdu_strerror(enum bpdu_error e)
{
	switch (e) {
	case BPDU_OK:
		return "valid";
	case BPDU_ERR_SHORT:
		return "truncated";
	case BPDU_ERR_LENGTH:
		return "bad 802.3 length or oversized";
	case BPDU_ERR_LLC:
		return "not LLC 42 42 03";
	case BPDU_ERR_PROTOCOL:
		return "protocol identifier not 0";
	case BPDU_ERR_TYPE:
		return "unknown BPDU type";
	case BPDU_ERR_AGE:
		return "message age not under max age";
	}
	return "invalid";
}

/**
 * bpdu_encode() - build the frame carrying a BPDU
 * @b:		what to send: type, flags, vector and times (version is
 *		implied by the type)
 * @src:	the source MAC address
 * @out:	BPDU_FRAME_MIN bytes
 *
 * The frame is padded with zeros to 60 bytes; the 802.3 length says how
 * much of it is LLC and BPDU.
 *
 * Return: BPDU_FRAME_MIN
 */
size_t bpdu_encode(const struct bpdu *b, const uint8_t src[6],
		   uint8_t out[BPDU_FRAME_MIN])
{
	uint8_t *p = out + BPDU_OFF;
	size_t plen;

	memset(out, 0, BPDU_FRAME_MIN);
	memcpy(out, bpdu_dst, 6);
	memcpy(out + 6, src, 6);
	out[14] = 0x42;
	out[15] = 0x42;
	out[16] = 0x03;
	if (b->type == BPDU_TCN) {
		p[3] = BPDU_TYPE_TCN;
		plen = BPDU_TCN_LEN;
	} else {
		p[2] = b->type == BPDU_RST ? 2 : 0;
		p[3] = b->type == BPDU_RST ? BPDU_TYPE_RST : BPDU_TYPE_CONFIG;
		p[4] = b->flags;
		put64(p + 5, b->root_id);
		put32(p + 13, b->root_cost);
		put64(p + 17, b->bridge_id);
		put16(p + 25, b->port_id);
		put16(p + 27, b->msg_age);
		put16(p + 29, b->max_age);
		put16(p + 31, b->hello);
		put16(p + 33, b->fwd_delay);
		/* RST: Version 1 Length, 0, is already there */
		plen = b->type == BPDU_RST ? BPDU_RST_LEN : BPDU_CONFIG_LEN;
	}
	put16(out + 12, (uint16_t)(plen + 3));
	return BPDU_FRAME_MIN;
}

/**
 * bpdu_bridge_id() - a bridge identifier
 * @priority:	0..65535
 * @mac:	the bridge's address
 *
 * Return: priority in the top 16 bits, then the address
 */
uint64_t bpdu_bridge_id(unsigned priority, const uint8_t mac[6])
{
	uint64_t id = priority & 0xffff;
	int i;

	for (i = 0; i < 6; i++)
		id = id << 8 | mac[i];
	return id;
}

/**
 * bpdu_format_id() - a bridge identifier as vde_switch prints it
 * @id:		the identifier
 * @buf:	"80:00:00:ff:05:a3:f6:3f"
 */
void bpdu_format_id(uint64_t id, char buf[24])
{
	int i, n = 0;

	for (i = 7; i >= 0; i--)
		n += snprintf(buf + n, (size_t)(24 - n), i ? "%02x:" : "%02x",
			      (unsigned)(id >> (i * 8)) & 0xff);
}
