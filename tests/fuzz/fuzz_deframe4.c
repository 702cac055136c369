/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_deframe4.c - QEMU's stream framing (4-byte big-endian length before
 * each frame, switch/qframe.c) as a stream endpoint reads it: a fixed
 * receive buffer filled by reads of any size, qframe_scan() after each
 * read, the whole frames taken, the rest moved to the front
 * (streamep.c's ep_deframe()).
 *
 * Input: 4 bytes of seed for the read sizes, then the stream. Invariant:
 * the frames found, and where the framing is declared lost, are the same
 * whatever the read sizes: exactly those of one pass over the whole
 * stream, each frame 1..VDE_FRAME_MAX bytes and inside the buffer.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "qframe.h"
#include "vdewire.h"

#define RBUF_SIZE (64 * 1024)	/* streamep.c's */
#define BATCH 64

static uint8_t rbuf[RBUF_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t have = 0, fed = 0, ref = 0, nframes = 0;
	struct fuzz_chunks ch;
	bool lost = false;

	if (size < 4)
		return 0;
	fuzz_chunks_init(&ch, fuzz_u32(data), 12000);
	data += 4;
	size -= 4;

	while (fed < size && !lost) {
		size_t n = fuzz_chunk_next(&ch), off = 0;
		struct iovec iov[BATCH];
		struct qframe_scan sc;
		int rc;

		if (n > size - fed)
			n = size - fed;
		if (n > sizeof(rbuf) - have)
			n = sizeof(rbuf) - have;
		FUZZ_CHECK(n > 0, "no room in the buffer (%zu held)", have);
		memcpy(rbuf + have, data + fed, n);
		have += n;
		fed += n;
		do {
			unsigned i;

			rc = qframe_scan(rbuf + off, have - off, VDE_FRAME_MAX,
					 iov, BATCH, &sc);
			FUZZ_CHECK(sc.n <= BATCH && sc.used <= have - off,
				   "n %u used %zu of %zu", sc.n, sc.used,
				   have - off);
			for (i = 0; i < sc.n; i++) {
				const uint8_t *p = iov[i].iov_base;
				size_t l = iov[i].iov_len;
				size_t rl;

				FUZZ_CHECK(l >= 1 && l <= VDE_FRAME_MAX,
					   "frame of %zu bytes", l);
				FUZZ_CHECK(p >= rbuf + off &&
					   p + l <= rbuf + have,
					   "frame outside the buffer");
				/* the one-pass reading of the whole stream */
				FUZZ_CHECK(ref + QFRAME_HDR <= size,
					   "a frame past the stream");
				rl = fuzz_u32(data + ref);
				FUZZ_CHECK(rl == l, "frame %zu: %zu bytes, "
					   "the stream says %zu", nframes, l,
					   rl);
				FUZZ_CHECK(ref + QFRAME_HDR + l <= size &&
					   !memcmp(p, data + ref + QFRAME_HDR,
						   l),
					   "frame %zu: other bytes", nframes);
				ref += QFRAME_HDR + l;
				nframes++;
			}
			off += sc.used;
		} while (!rc && sc.n == BATCH);
		if (rc) {
			size_t bl;

			FUZZ_CHECK(rc == -EPROTO, "rc %d", rc);
			FUZZ_CHECK(ref + QFRAME_HDR <= size, "bad length "
				   "past the stream");
			bl = fuzz_u32(data + ref);
			FUZZ_CHECK(bl == sc.bad_len &&
				   (bl == 0 || bl > VDE_FRAME_MAX),
				   "bad length %zu, the stream says %zu",
				   sc.bad_len, bl);
			lost = true;
			break;
		}
		memmove(rbuf, rbuf + off, have - off);
		have -= off;
		FUZZ_CHECK(have < QFRAME_HDR ||
			   fuzz_u32(rbuf) + QFRAME_HDR > have,
			   "a whole frame left in the buffer");
	}
	/* the stream ended: everything whole was found, or framing lost */
	if (!lost) {
		FUZZ_CHECK(ref + have == size, "%zu + %zu bytes of %zu", ref,
			   have, size);
		if (have >= QFRAME_HDR) {
			size_t l = fuzz_u32(data + ref);

			FUZZ_CHECK(l >= 1 && l <= VDE_FRAME_MAX &&
				   QFRAME_HDR + l > have,
				   "a frame of %zu bytes not taken", l);
		}
	}
	return 0;
}
