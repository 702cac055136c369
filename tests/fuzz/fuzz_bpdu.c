/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_bpdu.c - BPDUs from the wire into the spanning tree (switch/bpdu.c
 * and stp.c, through fwd.c's gate), as a cable or a Linux bridge sends
 * them: a switch with spanning tree on, fake endpoints (fakesw.c) on its
 * ports, frames from the input arriving on them, the state machines run
 * when the input says (as at the end of a batch).
 *
 * Input:
 *   byte 0	bits 0-1: ports (2..5); bits 2-5: bridge priority / 4096
 *   then records: [control, length (2 bytes, mod 1601)] and the bytes;
 *   control bits 0-2: source port (mod ports, from 1); bit 3: the harness
 *   writes the BPDU address (01:80:c2:00:00:00) and the LLC header
 *   (42 42 03) in, so that most records are BPDUs; bit 4: run the state
 *   machines after it.
 *
 * Invariants: a BPDU that decodes encodes and decodes back to the same
 * fields; each frame of a valid size to the BPDU address is counted once
 * at its port (received, bad or lost), and never forwarded; what leaves a
 * port to the BPDU address is the switch's own (its MAC) and decodes; the
 * root port is one of the switch's ports. One switch serves every input:
 * spanning tree goes off and the ports are removed after each.
 */
#include <string.h>

#include "bpdu.h"
#include "fakesw.h"
#include "fuzz.h"
#include "fwd.h"
#include "port.h"
#include "stp.h"
#include "sw.h"
#include "vdewire.h"

#define MAXPORTS 5
#define FRAME_LIMIT 1600

static uint8_t frame[FRAME_LIMIT + 1];
static const uint8_t llc[3] = { 0x42, 0x42, 0x03 };

static struct sw *the_switch(void)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = MAXPORTS;
	cfg.hashsize = 16;
	return fake_fwd_switch(&cfg, 0);
}

/* The fields bpdu_encode() writes, compared. */
static bool same_bpdu(const struct bpdu *a, const struct bpdu *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == BPDU_TCN)
		return true;
	return a->flags == b->flags && a->root_id == b->root_id &&
	       a->root_cost == b->root_cost && a->bridge_id == b->bridge_id &&
	       a->port_id == b->port_id && a->msg_age == b->msg_age &&
	       a->max_age == b->max_age && a->hello == b->hello &&
	       a->fwd_delay == b->fwd_delay;
}

static void check_decode(const uint8_t *f, size_t len)
{
	uint8_t out[BPDU_FRAME_MIN];
	struct bpdu b, again;
	enum bpdu_error e = bpdu_decode(f, len, &b);

	FUZZ_CHECK(bpdu_strerror(e)[0], "no text for error %d", (int)e);
	if (e != BPDU_OK)
		return;
	FUZZ_CHECK(b.type == BPDU_TCN || b.type == BPDU_CONFIG ||
			   b.version >= 2,
		   "an RST BPDU of version %u", b.version);
	FUZZ_CHECK(bpdu_encode(&b, f + 6, out) == BPDU_FRAME_MIN, "encode");
	FUZZ_CHECK(bpdu_is_dst(out) && !memcmp(out + 6, f + 6, 6),
		   "addresses not written");
	FUZZ_CHECK(bpdu_decode(out, sizeof(out), &again) == BPDU_OK,
		   "what bpdu_encode() wrote does not decode");
	FUZZ_CHECK(same_bpdu(&b, &again), "fields changed on the way back");
}

/* What the switch sends a port: BPDUs only its own. */
static void rx(struct fake_ep *fe, const uint8_t *out, size_t len, void *arg)
{
	enum bpdu_error e;
	struct bpdu b = { 0 };	/* printed below even if decode stops early */

	(void)arg;
	if (len < 6 || !bpdu_is_dst(out))
		return;
	FUZZ_CHECK(len >= 12 && !memcmp(out + 6, sw_macaddr(the_switch()), 6),
		   "port %u: a BPDU forwarded (%zu bytes)", fe->tag, len);
	e = bpdu_decode(out, len, &b);
	FUZZ_CHECK(e == BPDU_OK, "port %u: the switch sent a BPDU that does "
		   "not decode: %s (age %u, max age %u)", fe->tag,
		   bpdu_strerror(e), b.msg_age, b.max_age);
}

static uint64_t bpdus_counted(struct stp *st, unsigned port)
{
	struct stp_port_info pi;

	FUZZ_CHECK(stp_port_info(st, port, &pi) == 0, "port %u: no info",
		   port);
	return pi.bpdu_in + pi.bpdu_bad + pi.bpdu_lost;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_ep *eps[MAXPORTS + 1];
	struct stp_info info;
	unsigned nports, i, n = 0;
	struct stp *st;
	struct sw *sw;

	if (size < 1)
		return 0;
	nports = 2 + (data[0] & 3);
	sw = the_switch();
	st = sw_stp(sw);
	FUZZ_CHECK(stp_set_priority(st, ((data[0] >> 2) & 15) * 4096) == 0,
		   "priority");
	for (i = 1; i <= nports; i++) {
		FUZZ_CHECK(sw_port_create(sw, i) == 0, "port/create %u", i);
		eps[i] = fake_ep_attach(sw, i, FAKE_PAD, rx, NULL);
		FUZZ_CHECK(eps[i], "attach on port %u", i);
		eps[i]->tag = i;
	}
	FUZZ_CHECK(stp_set_enabled(st, true) == 0, "spanning tree on");
	loop_run_deferred(sw_loop(sw));
	data++;
	size--;

	while (size >= 3 && n++ < 256) {
		unsigned src = 1 + (data[0] & 7) % nports;
		bool force = data[0] & 8, run = data[0] & 0x10;
		size_t len = (size_t)(data[1] << 8 | data[2]) % (FRAME_LIMIT + 1);
		size_t have = size - 3 < len ? size - 3 : len;
		struct iovec iov = { frame, len };
		uint64_t before;

		memset(frame, 0, len);
		memcpy(frame, data + 3, have);
		data += 3 + have;
		size -= 3 + have;
		if (force && len >= 17) {
			memcpy(frame, "\x01\x80\xc2\x00\x00\x00", 6);
			memcpy(frame + 14, llc, sizeof(llc));
		}
		check_decode(frame, len);
		before = bpdus_counted(st, src);
		fwd_input_iov(&eps[src]->ep, &iov, 1);
		if (len >= VDE_FRAME_MIN && len <= VDE_FRAME_MAX &&
		    (frame[0] & 1) && bpdu_is_dst(frame))
			FUZZ_CHECK(bpdus_counted(st, src) == before + 1,
				   "port %u: a BPDU counted %llu times", src,
				   (unsigned long long)(bpdus_counted(st, src) -
							before));
		else
			FUZZ_CHECK(bpdus_counted(st, src) == before,
				   "port %u: a frame counted as a BPDU", src);
		if (run)
			loop_run_deferred(sw_loop(sw));
	}
	loop_run_deferred(sw_loop(sw));
	stp_info(st, &info);
	FUZZ_CHECK(info.root_port <= nports, "root port %u of %u",
		   info.root_port, nports);

	FUZZ_CHECK(stp_set_enabled(st, false) == 0, "spanning tree off");
	fake_ports_clear(sw, nports);
	return 0;
}
