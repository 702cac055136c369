/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_gso.c - software segmentation and checksum completion
 * (switch/gso.c) on any frame with any virtio-net header.
 *
 * Input: a 12-byte virtio-net header, 2 bytes for the longest frame that
 * may come out (64..65599), then the frame. gso_output() runs on it.
 * Invariants, checked against tests/refcsum.h (which shares no code with
 * csum.c): a GSO frame comes out as exactly gso_parse()'s number of
 * segments, in order, none longer than the maximum, each with valid IPv4
 * header and TCP checksums, consecutive sequence numbers, and together
 * exactly the frame's TCP payload; a completed partial checksum verifies;
 * any other frame comes out unchanged; a refused frame emits nothing.
 */
#include <string.h>

#include "fuzz.h"
#include "gso.h"
#include "refcsum.h"
#include "vnethdr.h"

struct seen {
	const uint8_t *orig;
	struct gso_info gi;
	bool gso;
	unsigned n;
	size_t max, payload_off;	/* payload bytes seen so far */
	uint8_t seg[65600];
};

static struct seen sn;

static int emit(void *arg, const struct iovec *iov, unsigned iovcnt,
		unsigned index)
{
	struct seen *s = arg;
	size_t len = 0, plen;
	unsigned i, doff;
	const uint8_t *ip, *th;

	FUZZ_CHECK(index == s->n, "segment %u after %u", index, s->n);
	FUZZ_CHECK(iovcnt >= 1 && iovcnt <= 2, "%u iovecs", iovcnt);
	for (i = 0; i < iovcnt; i++) {
		FUZZ_CHECK(len + iov[i].iov_len <= sizeof(s->seg),
			   "segment over %zu bytes", sizeof(s->seg));
		memcpy(s->seg + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	FUZZ_CHECK(len <= s->max, "segment %u: %zu bytes, max %zu", index,
		   len, s->max);
	s->n++;
	if (!s->gso)
		return 0;
	FUZZ_CHECK(index < s->gi.nsegs, "segment %u of %u", index,
		   s->gi.nsegs);
	FUZZ_CHECK(len >= s->gi.hdrlen, "segment %u: %zu bytes", index, len);
	plen = len - s->gi.hdrlen;
	FUZZ_CHECK(plen <= s->gi.gso_size, "segment %u: %zu payload bytes",
		   index, plen);
	FUZZ_CHECK(!memcmp(s->seg + s->gi.hdrlen,
			   s->orig + s->gi.hdrlen + s->payload_off, plen),
		   "segment %u: payload not the frame's", index);
	ip = s->seg + s->gi.l3;
	th = s->seg + s->gi.l4;
	doff = s->gi.hdrlen - s->gi.l4;
	if (!s->gi.ipv6) {
		unsigned ihl = s->gi.l4 - s->gi.l3;

		FUZZ_CHECK(ref_fold(ref_sum(ip, ihl, 0)) == 0xffff,
			   "segment %u: bad IPv4 header checksum", index);
		FUZZ_CHECK(get16(ip + 2) == ihl + doff + plen,
			   "segment %u: IPv4 length %u", index, get16(ip + 2));
	} else {
		FUZZ_CHECK(get16(ip + 4) == doff + plen,
			   "segment %u: IPv6 length %u", index, get16(ip + 4));
	}
	FUZZ_CHECK(l4_ok(ip, s->gi.ipv6, th, doff + plen, 6),
		   "segment %u: bad TCP checksum", index);
	FUZZ_CHECK(get32(th + 4) == get32(s->orig + s->gi.l4 + 4) +
					    (uint32_t)s->payload_off,
		   "segment %u: sequence number", index);
	s->payload_off += plen;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_hdr h;
	uint8_t *frame, *orig;
	size_t len, max;
	int rc, prc;

	if (size < VNET_HDR_LEN + 2)
		return 0;
	vnet_hdr_decode(data, &h);
	max = 64 + ((size_t)data[VNET_HDR_LEN] << 8 | data[VNET_HDR_LEN + 1]);
	data += VNET_HDR_LEN + 2;
	len = size - VNET_HDR_LEN - 2;
	frame = malloc(len ? len : 1);
	orig = malloc(len ? len : 1);
	FUZZ_CHECK(frame && orig, "out of memory");
	memcpy(frame, data, len);
	memcpy(orig, data, len);

	memset(&sn, 0, offsetof(struct seen, seg));
	sn.orig = orig;
	sn.max = max;
	sn.gso = h.gso_type != VNET_HDR_GSO_NONE;
	prc = sn.gso ? gso_parse(frame, len, &h, &sn.gi) : 0;
	rc = gso_output(frame, len, &h, max, emit, &sn);
	if (rc < 0) {
		FUZZ_CHECK(sn.n == 0, "refused (%d) after %u segments", rc,
			   sn.n);
	} else if (sn.gso) {
		FUZZ_CHECK(prc == 0, "segmented a frame gso_parse() refused");
		FUZZ_CHECK((unsigned)rc == sn.gi.nsegs && sn.n == sn.gi.nsegs,
			   "%d segments, %u emitted, parse said %u", rc, sn.n,
			   sn.gi.nsegs);
		FUZZ_CHECK(sn.payload_off == sn.gi.payload,
			   "%zu payload bytes of %u", sn.payload_off,
			   sn.gi.payload);
		FUZZ_CHECK(!memcmp(frame, orig, len), "the frame changed");
	} else {
		FUZZ_CHECK(rc == 1 && sn.n == 1, "%d frames", rc);
		FUZZ_CHECK(!memcmp(sn.seg, frame, len), "emitted other bytes");
		if (h.flags & VNET_HDR_F_NEEDS_CSUM) {
			size_t at = (size_t)h.csum_start + h.csum_offset;
			uint32_t f = get16(orig + at);

			FUZZ_CHECK(ref_fold(ref_sum(frame + h.csum_start,
						    len - h.csum_start, f)) ==
					   0xffff,
				   "completed checksum does not verify");
			FUZZ_CHECK(!memcmp(frame, orig, at) &&
					   !memcmp(frame + at + 2,
						   orig + at + 2,
						   len - at - 2),
				   "bytes besides the checksum changed");
		} else {
			FUZZ_CHECK(!memcmp(frame, orig, len),
				   "a plain frame changed");
		}
	}
	free(frame);
	free(orig);
	return 0;
}
