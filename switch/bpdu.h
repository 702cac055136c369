/* SPDX-License-Identifier: GPL-2.0-or-later
 * bpdu.h - spanning tree BPDUs on the wire (IEEE 802.1D-2004 clause 9):
 * the frame (to 01:80:c2:00:00:00, an 802.3 length, LLC 42 42 03) and the
 * three kinds of BPDU it carries: the 802.1D configuration BPDU (35
 * bytes), the topology change notification (4 bytes) and the RST BPDU
 * (protocol version 2, 36 bytes).
 *
 * Decoding checks everything a frame could get wrong and says which rule
 * refused it; it never reads past the frame. Times on the wire are in
 * 1/256 s; struct bpdu keeps them so.
 */
#ifndef PATCHBAY_BPDU_H
#define PATCHBAY_BPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPDU_FRAME_MIN 60	/* what bpdu_encode() writes, padded */
#define BPDU_LLC_OFF 14		/* after destination, source, length */
#define BPDU_OFF 17		/* after the LLC header */

/* flags (9.3.3) */
#define BPDU_F_TC 0x01
#define BPDU_F_PROPOSAL 0x02
#define BPDU_F_ROLE_SHIFT 2
#define BPDU_F_ROLE_MASK 0x0c
#define BPDU_F_LEARNING 0x10
#define BPDU_F_FORWARDING 0x20
#define BPDU_F_AGREEMENT 0x40
#define BPDU_F_TCA 0x80

/* the role field of an RST BPDU's flags */
enum bpdu_role {
	BPDU_ROLE_UNKNOWN = 0,
	BPDU_ROLE_ALTBACKUP = 1,
	BPDU_ROLE_ROOT = 2,
	BPDU_ROLE_DESIGNATED = 3,
};

enum bpdu_type {
	BPDU_CONFIG,		/* 802.1D configuration BPDU */
	BPDU_TCN,		/* topology change notification */
	BPDU_RST,		/* rapid spanning tree BPDU */
};

/* Why a frame was refused (bpdu_decode()). */
enum bpdu_error {
	BPDU_OK = 0,
	BPDU_ERR_SHORT,		/* shorter than its header or its kind */
	BPDU_ERR_LENGTH,	/* not an 802.3 length, or past the frame */
	BPDU_ERR_LLC,		/* not LLC 42 42 03 */
	BPDU_ERR_PROTOCOL,	/* protocol identifier not 0 */
	BPDU_ERR_TYPE,		/* an unknown BPDU type */
	BPDU_ERR_AGE,		/* configuration BPDU: message age >= max age */
};

struct bpdu {
	enum bpdu_type type;
	uint8_t version;	/* 0 config/TCN, 2 RST (as received) */
	uint8_t flags;
	uint64_t root_id;	/* priority (16 bits) and MAC */
	uint32_t root_cost;
	uint64_t bridge_id;
	uint16_t port_id;
	uint16_t msg_age;	/* 1/256 s */
	uint16_t max_age;
	uint16_t hello;
	uint16_t fwd_delay;
};

bool bpdu_is_dst(const uint8_t *frame);
enum bpdu_error bpdu_decode(const uint8_t *frame, size_t len, struct bpdu *b);
const char *bpdu_strerror(enum bpdu_error e);
size_t bpdu_encode(const struct bpdu *b, const uint8_t src[6],
		   uint8_t out[BPDU_FRAME_MIN]);
uint64_t bpdu_bridge_id(unsigned priority, const uint8_t mac[6]);
void bpdu_format_id(uint64_t id, char buf[24]);

#endif /* PATCHBAY_BPDU_H */
