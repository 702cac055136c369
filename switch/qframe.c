/* SPDX-License-Identifier: GPL-2.0-or-later
 * qframe.c - QEMU's 4-byte big-endian stream framing: the deframer.
 */
#include <errno.h>

#include "qframe.h"

/**
 * qframe_scan() - find the whole frames at the start of a buffer
 * @buf:	bytes read from the stream, starting at a length header
 * @len:	how many
 * @max_frame:	the longest frame accepted
 * @iov:	filled with the frames found (pointing into @buf)
 * @max:	at most this many
 * @out:	frames found, bytes used, and a bad length if one was met
 *
 * Scanning stops at the first incomplete frame, after @max frames, or at a
 * length of 0 or over @max_frame: then out->bad_len holds it and the frames
 * before it are still in @iov and counted in out->used. A stream with a bad length has lost its
 * framing; what to do (QEMU closes the connection) is the caller's.
 *
 * Return: 0, or -EPROTO if a bad length was met
 */
int qframe_scan(const uint8_t *buf, size_t len, size_t max_frame,
		struct iovec *iov, unsigned max, struct qframe_scan *out)
{
	size_t off = 0;

	/* the frames are handed on through a struct iovec, whose base is not
	 * const; the engine never writes through it */
	out->n = 0;
	out->bad_len = 0;
	while (out->n < max && len - off >= QFRAME_HDR) {
		const uint8_t *h = buf + off;
		size_t flen = (size_t)h[0] << 24 | (size_t)h[1] << 16 |
			      (size_t)h[2] << 8 | h[3];

		if (flen == 0 || flen > max_frame) {
			out->bad_len = flen;
			out->used = off;
			return -EPROTO;
		}
		if (len - off - QFRAME_HDR < flen)
			break;
		iov[out->n].iov_base = (uint8_t *)(uintptr_t)(h + QFRAME_HDR);
		iov[out->n].iov_len = flen;
		out->n++;
		off += QFRAME_HDR + flen;
	}
	out->used = off;
	return 0;
}
