/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_deframe2.c - vde_plug's byte stream (2-byte big-endian length
 * before each frame, lib/vdestream.c) as patchbay-plug reads it: reads of
 * any size into the reader's buffer, events taken until VDS_NEED, frames
 * released, and sometimes kept unreleased across reads (a destination
 * that is full).
 *
 * Input: 4 bytes of seed for the read sizes, then the stream. Invariant:
 * until the first bad length (after which what is dropped depends on what
 * was buffered, by design), the events are exactly those of one pass over
 * the whole stream: frames of 14..9234 bytes with the right bytes, zero
 * and short lengths skipped and counted, the counters adding up.
 */
#include <string.h>

#include "fuzz.h"
#include "vdestream.h"

static struct vds_reader rx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t fed = 0, ref = 0, want;
	unsigned long nframes = 0, nzero = 0, nshort = 0;
	struct fuzz_chunks ch;
	bool lost = false;

	if (size < 4)
		return 0;
	fuzz_chunks_init(&ch, fuzz_u32(data), 12000);
	data += 4;
	size -= 4;
	vds_rx_init(&rx);

	while (fed < size && !lost) {
		size_t n = fuzz_chunk_next(&ch), room;
		enum vds_event ev;
		const uint8_t *f;
		uint8_t *p;
		size_t len;

		room = vds_rx_room(&rx, &p);
		FUZZ_CHECK(room > 0, "no room (rel %zu pos %zu end %zu)",
			   rx.rel, rx.pos, rx.end);
		if (n > size - fed)
			n = size - fed;
		if (n > room)
			n = room;
		memcpy(p, data + fed, n);
		vds_rx_fill(&rx, n);
		fed += n;
		while ((ev = vds_rx_next(&rx, &f, &len)) != VDS_NEED) {
			size_t rl;

			FUZZ_CHECK(ref + VDS_HDR <= size, "event past the "
				   "stream");
			rl = (size_t)data[ref] << 8 | data[ref + 1];
			if (ev == VDS_BADLEN) {
				FUZZ_CHECK(rl > VDS_FRAME_MAX &&
					   rx.bad_len == rl,
					   "bad length %zu, stream says %zu",
					   rx.bad_len, rl);
				lost = true;
				break;
			}
			if (ev == VDS_ZERO) {
				FUZZ_CHECK(rl == 0, "zero, stream says %zu",
					   rl);
				nzero++;
				ref += VDS_HDR;
				continue;
			}
			FUZZ_CHECK(len == rl && ref + VDS_HDR + len <= size &&
				   !memcmp(f, data + ref + VDS_HDR, len),
				   "frame of %zu bytes, stream says %zu", len,
				   rl);
			FUZZ_CHECK(f >= rx.buf && f + len <= rx.buf + rx.end,
				   "frame outside the buffer");
			if (ev == VDS_SHORT) {
				FUZZ_CHECK(len >= 1 && len < VDS_FRAME_MIN,
					   "short frame of %zu", len);
				nshort++;
			} else {
				FUZZ_CHECK(ev == VDS_FRAME && len >=
					   VDS_FRAME_MIN && len <=
					   VDS_FRAME_MAX, "event %d, %zu bytes",
					   (int)ev, len);
				nframes++;
			}
			ref += VDS_HDR + len;
		}
		/* a destination with room releases; a full one keeps the
		 * frames a while (the reader must still make progress) */
		if ((ch.state & 3) || rx.end - rx.rel > VDS_RXBUF / 2)
			vds_rx_release(&rx);
	}
	FUZZ_CHECK(rx.st.frames == nframes && rx.st.zero == nzero &&
		   rx.st.shortf == nshort, "counters %llu/%lu/%lu, seen "
		   "%lu/%lu/%lu", rx.st.frames, rx.st.zero, rx.st.shortf,
		   nframes, nzero, nshort);
	if (!lost) {
		size_t left = vds_rx_partial(&rx, &want);

		FUZZ_CHECK(ref + left == size, "%zu + %zu of %zu", ref, left,
			   size);
		FUZZ_CHECK(left < VDS_HDR || want > left,
			   "a whole frame left: %zu of %zu", left, want);
	}
	return 0;
}
