/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_vdestream.c - vde_plug's 2-byte stream (lib/vdestream.c): the bytes
 * of a frame on the wire, reassembly across every read boundary, zero,
 * short and oversized lengths with resynchronisation, a stream cut inside
 * a frame, frames handed out staying valid until released, and the writer
 * keeping order through a full pipe and dropping whole frames past its
 * bound, never part of one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "vdestream.h"

static struct vds_reader *rx;
static struct vds_writer *tx;

static void setup(void)
{
	rx = malloc(sizeof(*rx));
	tx = malloc(sizeof(*tx));
	cr_assert(rx && tx);
	vds_rx_init(rx);
	vds_tx_init(tx);
}

static void teardown(void)
{
	free(rx);
	free(tx);
	leak_check();
}

TestSuite(vdestream, .init = setup, .fini = teardown, .timeout = 30);

/* Put @n bytes into the reader as one read. */
static void feed(const void *p, size_t n)
{
	uint8_t *room;

	cr_assert_geq(vds_rx_room(rx, &room), n);
	memcpy(room, p, n);
	vds_rx_fill(rx, n);
}

/* A frame of @len bytes, its bytes derived from @seed, with its header. */
static size_t mkstream(uint8_t *out, size_t len, uint8_t seed)
{
	size_t i;

	vds_put_hdr(out, len);
	for (i = 0; i < len; i++)
		out[VDS_HDR + i] = (uint8_t)(seed + i * 7);
	return VDS_HDR + len;
}

Test(vdestream, header_bytes)
{
	uint8_t h[2];

	vds_put_hdr(h, 17);
	cr_assert(h[0] == 0x00 && h[1] == 0x11);	/* research §2.2 */
	vds_put_hdr(h, 9234);
	cr_assert(h[0] == 0x24 && h[1] == 0x12);
}

Test(vdestream, every_split)
{
	static uint8_t s[3 * (VDS_HDR + 1500)];
	size_t n = 0, cut, got;

	n += mkstream(s + n, 60, 1);
	n += mkstream(s + n, 1500, 2);
	n += mkstream(s + n, 14, 3);
	for (cut = 0; cut <= n; cut++) {
		const uint8_t *f;
		size_t len, lens[3];
		enum vds_event ev;

		vds_rx_init(rx);
		got = 0;
		feed(s, cut);
		while ((ev = vds_rx_next(rx, &f, &len)) != VDS_NEED) {
			cr_assert_eq(ev, VDS_FRAME);
			lens[got++] = len;
		}
		vds_rx_release(rx);
		feed(s + cut, n - cut);
		while ((ev = vds_rx_next(rx, &f, &len)) != VDS_NEED) {
			cr_assert_eq(ev, VDS_FRAME, "cut at %zu", cut);
			cr_assert_lt(got, 3);
			lens[got++] = len;
			if (len == 1500)
				cr_assert_eq(f[1499], (uint8_t)(2 + 1499 * 7));
		}
		cr_assert_eq(got, 3, "cut at %zu: %zu frames", cut, got);
		cr_assert(lens[0] == 60 && lens[1] == 1500 && lens[2] == 14);
		cr_assert_eq(rx->st.frames, 3);
	}
}

Test(vdestream, zero_short_and_max)
{
	static uint8_t s[2 * VDS_HDR + 5 + 2 * (VDS_HDR + VDS_FRAME_MAX)];
	const uint8_t *f;
	size_t n = 0, len = 0;

	s[n++] = 0;
	s[n++] = 0;
	n += mkstream(s + n, 5, 9);
	n += mkstream(s + n, VDS_FRAME_MAX, 4);
	feed(s, n);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_ZERO);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_SHORT);
	cr_assert_eq(len, 5);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_FRAME);
	cr_assert_eq(len, VDS_FRAME_MAX);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_NEED);
	cr_assert(rx->st.zero == 1 && rx->st.shortf == 1 &&
		  rx->st.frames == 1);
}

Test(vdestream, bad_length_resyncs_on_next_read)
{
	static uint8_t s[64];
	const uint8_t *f;
	size_t n = 0, len = 0, want;

	s[n++] = 0x24;		/* 9235: one over the maximum */
	s[n++] = 0x13;
	memset(s + n, 0xaa, 20);
	n += 20;
	feed(s, n);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_BADLEN);
	cr_assert_eq(rx->bad_len, 9235);
	cr_assert_eq(rx->bad_drop, 22);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_NEED);
	cr_assert_eq(vds_rx_partial(rx, &want), 0);
	vds_rx_release(rx);
	/* the next read starts at a frame again */
	n = mkstream(s, 40, 5);
	feed(s, n);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_FRAME);
	cr_assert_eq(len, 40);
	cr_assert_eq(rx->st.badlen, 1);
	cr_assert_eq(rx->st.bad_bytes, 22);

	/* 0xffff as well */
	s[0] = s[1] = 0xff;
	feed(s, 2);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_BADLEN);
	cr_assert_eq(rx->bad_len, 65535);
}

Test(vdestream, cut_at_the_end)
{
	static uint8_t s[VDS_HDR + 100];
	const uint8_t *f;
	size_t len = 0, want;

	mkstream(s, 100, 1);
	feed(s, 50);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_NEED);
	cr_assert_eq(vds_rx_partial(rx, &want), 50);
	cr_assert_eq(want, 102);
	vds_rx_init(rx);
	feed(s, 1);
	cr_assert_eq(vds_rx_partial(rx, &want), 1);
	cr_assert_eq(want, 0);
}

Test(vdestream, held_frames_block_compaction)
{
	static uint8_t s[VDS_RXBUF];
	const uint8_t *f, *first;
	uint8_t *room;
	size_t n = 0, len = 0, k = 0;

	while (n + VDS_HDR + VDS_FRAME_MAX <= sizeof(s))
		n += mkstream(s + n, VDS_FRAME_MAX, (uint8_t)k++);
	feed(s, n);
	cr_assert_eq(vds_rx_next(rx, &first, &len), VDS_FRAME);
	/* not released: room() must not move it */
	vds_rx_room(rx, &room);
	cr_assert_eq(first[0], s[VDS_HDR]);
	cr_assert_eq(first, rx->buf + VDS_HDR);
	while (vds_rx_next(rx, &f, &len) == VDS_FRAME)
		;
	vds_rx_release(rx);
	cr_assert_eq(vds_rx_room(rx, &room), VDS_RXBUF);
}

Test(vdestream, read_from_fd)
{
	static uint8_t s[VDS_HDR + 200];
	const uint8_t *f;
	size_t len = 0;
	int p[2];

	cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
	cr_assert_eq(vds_rx_read(rx, p[0]), -EAGAIN);
	cr_assert_eq(write(p[1], s, mkstream(s, 200, 3)), VDS_HDR + 200);
	cr_assert_eq(vds_rx_read(rx, p[0]), VDS_HDR + 200);
	cr_assert_eq(vds_rx_next(rx, &f, &len), VDS_FRAME);
	close(p[1]);
	cr_assert_eq(vds_rx_read(rx, p[0]), 0);
	close(p[0]);
}

/* Drain @fd and parse: frames must be 1, 2, 3, ... by their first byte. */
static unsigned drain_check(int fd, unsigned *next, size_t flen)
{
	const uint8_t *f;
	size_t len;
	unsigned got = 0;
	ssize_t r;

	while ((r = vds_rx_read(rx, fd)) > 0) {
		while (vds_rx_next(rx, &f, &len) == VDS_FRAME) {
			cr_assert_eq(len, flen);
			cr_assert_eq(f[0], (uint8_t)*next, "frame %u came as %u",
				     *next, f[0]);
			(*next)++;
			got++;
		}
		vds_rx_release(rx);
	}
	return got;
}

Test(vdestream, writer_order_and_bound)
{
	static uint8_t fr[128][1500];
	struct iovec iov[32];
	unsigned i, k, sent = 0, next = 0, got = 0;
	int p[2];

	cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
	cr_assert_gt(fcntl(p[1], F_SETPIPE_SZ, 4096), 0);
	for (i = 0; i < 128; i++)
		memset(fr[i], (int)i, sizeof(fr[i]));
	/* 4 KiB pipe: the first writev is cut inside a frame */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 32; i++)
			iov[i] = (struct iovec){ fr[sent + i], 1500 };
		cr_assert_eq(vds_tx_write(tx, p[1], iov, 32), 0);
		sent += 32;
	}
	cr_assert(vds_tx_pending(tx));
	cr_assert_eq(tx->st.frames, 128);
	cr_assert_eq(tx->st.dropped, 0, "128 x 1502 bytes fit in the buffer");
	while (vds_tx_pending(tx)) {
		got += drain_check(p[0], &next, 1500);
		cr_assert_eq(vds_tx_flush(tx, p[1]), 0);
	}
	got += drain_check(p[0], &next, 1500);
	cr_assert_eq(got, 128);
	close(p[0]);
	close(p[1]);
}

Test(vdestream, writer_drops_whole_frames)
{
	static uint8_t big[VDS_FRAME_MAX];
	struct iovec iov[64];
	unsigned i, k, got;
	unsigned long long offered = 0;
	size_t i_want;
	int p[2];

	cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
	cr_assert_gt(fcntl(p[1], F_SETPIPE_SZ, 4096), 0);
	for (i = 0; i < 64; i++)
		iov[i] = (struct iovec){ big, sizeof(big) };
	for (k = 0; k < 2; k++) {
		cr_assert_eq(vds_tx_write(tx, p[1], iov, 64), 0);
		offered += 64;
	}
	cr_assert_gt(tx->st.dropped, 0);
	cr_assert_eq(tx->st.frames + tx->st.dropped, offered);
	cr_assert_leq(tx->len, VDS_TXBUF);
	/* what was accepted comes out complete: frames of 9234 bytes */
	got = 0;
	for (;;) {
		const uint8_t *f;
		size_t len;

		while (vds_rx_read(rx, p[0]) > 0) {
			while (vds_rx_next(rx, &f, &len) == VDS_FRAME) {
				cr_assert_eq(len, VDS_FRAME_MAX);
				got++;
			}
			vds_rx_release(rx);
		}
		if (!vds_tx_pending(tx))
			break;
		cr_assert_eq(vds_tx_flush(tx, p[1]), 0);
	}
	cr_assert_eq(got, tx->st.frames);
	cr_assert_eq(rx->st.badlen, 0);
	cr_assert_eq(vds_rx_partial(rx, &i_want), 0);
	close(p[0]);
	close(p[1]);
}

Test(vdestream, writer_peer_gone)
{
	uint8_t f[60] = { 0 };
	struct iovec iov = { f, sizeof(f) };
	int p[2];

	cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(vds_tx_write(tx, p[1], &iov, 1), -EPIPE);
	close(p[1]);
}

Test(vdestream, write_all_blocking)
{
	static uint8_t s[VDS_HDR + 100];
	uint8_t got[sizeof(s)];
	struct iovec iov[2];
	int p[2];

	cr_assert_eq(pipe(p), 0);
	mkstream(s, 100, 7);
	iov[0] = (struct iovec){ s, VDS_HDR };
	iov[1] = (struct iovec){ s + VDS_HDR, 100 };
	cr_assert_eq(vds_write_all(p[1], iov, 2), 0);
	cr_assert_eq(read(p[0], got, sizeof(got)), sizeof(got));
	cr_assert_eq(memcmp(got, s, sizeof(s)), 0);
	cr_assert_eq(vds_write_all(p[1], iov, 3), -EINVAL);
	close(p[0]);
	close(p[1]);
}
