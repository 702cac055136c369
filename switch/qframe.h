/* SPDX-License-Identifier: GPL-2.0-or-later
 * qframe.h - QEMU's stream framing (-netdev stream, -netdev socket with
 * listen=/connect=): each frame preceded by its length, 4 bytes,
 * big-endian (research/vde.md §2.3).
 *
 * The deframer works on a buffer the caller fills with whatever a read()
 * gave: any number of frames, or part of one. It finds the whole frames,
 * tells a bad length (0, or over the maximum) at once, and says how many
 * bytes to keep for the next read.
 */
#ifndef PATCHBAY_QFRAME_H
#define PATCHBAY_QFRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define QFRAME_HDR 4

struct qframe_scan {
	unsigned n;		/* whole frames found, in iov[0..n-1] */
	size_t used;		/* bytes they took, headers included */
	size_t bad_len;		/* on -EPROTO: the bad length, at offset used */
};

int qframe_scan(const uint8_t *buf, size_t len, size_t max_frame,
		struct iovec *iov, unsigned max, struct qframe_scan *out);

static inline void qframe_hdr(uint8_t hdr[QFRAME_HDR], size_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

#endif /* PATCHBAY_QFRAME_H */
