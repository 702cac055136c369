/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_request.c - the VDE control request parser (switch/request.c) as a
 * control connection sees it: the bytes arrive in pieces and after each
 * read the whole buffer so far is parsed again (datasock.c).
 *
 * Input: 4 bytes of seed for the read sizes, then the bytes the client
 * sends. Invariants: a refused request stays refused whatever follows;
 * "incomplete" only before the fixed part has arrived; a complete request
 * has version 1 or 3, a known type, a non-empty path and a printable
 * description, all NUL-terminated.
 */
#include <string.h>

#include "fuzz.h"
#include "request.h"

static void check_req(const struct vde_request *r)
{
	size_t i, n;

	FUZZ_CHECK(r->version == 1 || r->version == 3, "version %u",
		   r->version);
	FUZZ_CHECK(r->type <= VDE_REQ_NEW_PORT0, "type %u", r->type);
	n = strnlen(r->path, sizeof(r->path));
	FUZZ_CHECK(n > 0 && n < sizeof(r->path), "path length %zu", n);
	n = strnlen(r->descr, sizeof(r->descr));
	FUZZ_CHECK(n < sizeof(r->descr), "descr not terminated");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(r->descr[i] >= 0x20 && r->descr[i] < 0x7f,
			   "descr byte %zu is 0x%02x", i,
			   (unsigned char)r->descr[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_chunks ch;
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	bool refused = false;
	size_t len = 0;
	char why[256];

	if (size < 4)
		return 0;
	fuzz_chunks_init(&ch, fuzz_u32(data), 200);
	data += 4;
	size -= 4;
	while (len < size && len < sizeof(buf)) {
		size_t n = fuzz_chunk_next(&ch);
		enum request_status st;
		uint8_t *copy;

		if (n > size - len)
			n = size - len;
		if (n > sizeof(buf) - len)
			n = sizeof(buf) - len;
		memcpy(buf + len, data + len, n);
		len += n;
		/* exactly @len bytes: ASan sees a read past what arrived */
		copy = malloc(len);
		FUZZ_CHECK(copy, "out of memory");
		memcpy(copy, buf, len);
		why[0] = '\0';
		st = request_parse(copy, len, &req, why, sizeof(why));
		free(copy);
		switch (st) {
		case REQUEST_INVALID:
			FUZZ_CHECK(why[0], "refused without a reason");
			refused = true;
			break;
		case REQUEST_INCOMPLETE:
			FUZZ_CHECK(!refused, "refused, then incomplete at %zu",
				   len);
			FUZZ_CHECK(len < VDE_V1_HDR && len < REQUEST_BUFSIZE,
				   "incomplete at %zu bytes", len);
			break;
		case REQUEST_COMPLETE:
			FUZZ_CHECK(!refused, "refused, then complete at %zu",
				   len);
			check_req(&req);
			break;
		default:
			FUZZ_CHECK(0, "status %d", (int)st);
		}
		if (st == REQUEST_COMPLETE)
			break;	/* the switch acts on it now */
	}
	return 0;
}
