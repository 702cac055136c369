/* SPDX-License-Identifier: GPL-2.0-or-later
 * vdestream.h - vde_plug's byte stream (research/vde.md §2.2): each frame
 * preceded by its length as two big-endian bytes, no padding. Shared by
 * patchbay-plug and patchbay-tap -s -.
 *
 * Reading (struct vds_reader): the caller reads into the free space at the
 * end of a fixed buffer (vds_rx_room(), vds_rx_fill()), then takes events
 * with vds_rx_next() until VDS_NEED. Frames are handed out as pointers into
 * the buffer and stay valid until vds_rx_release(): a caller whose
 * destination is full keeps them and reads no more meanwhile, so input is
 * never copied and memory stays bounded. Lengths 0 and 1..13 are skipped
 * and counted; a length above VDS_FRAME_MAX means the stream lost sync: it
 * is reported and every byte buffered after it is dropped, so parsing
 * starts again at the next read, as vde_plug does. Unlike vde_plug, a
 * header split across two reads is kept.
 *
 * Writing (struct vds_writer): frames given as iovecs are written with one
 * writev() (headers interleaved) when nothing is buffered; what the fd does
 * not take is copied into a bounded buffer and flushed when the fd is
 * writable again. A frame that does not fit is dropped whole and counted,
 * so a slow reader costs frames, never unbounded memory, and the stream
 * never carries part of a frame.
 */
#ifndef PATCHBAY_VDESTREAM_H
#define PATCHBAY_VDESTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "vdewire.h"

#define VDS_HDR 2
#define VDS_FRAME_MAX VDE_FRAME_MAX	/* 9234 */
#define VDS_FRAME_MIN VDE_FRAME_MIN	/* 14 */
#define VDS_RXBUF 65536		/* >= 2 * (VDS_HDR + VDS_FRAME_MAX) */
#define VDS_TXBUF 262144
#define VDS_TX_BATCH 64		/* frames per writev() */

/* What vds_rx_next() found. */
enum vds_event {
	VDS_NEED = 0,		/* no complete frame buffered: read more */
	VDS_FRAME,		/* a frame of 14..VDS_FRAME_MAX bytes */
	VDS_ZERO,		/* a length of 0, skipped */
	VDS_SHORT,		/* a frame of 1..13 bytes, skipped */
	VDS_BADLEN,		/* a length over VDS_FRAME_MAX: buffered input
				 * dropped (vds_reader.bad_len, .bad_drop) */
};

struct vds_rxstats {
	unsigned long long frames, bytes;	/* VDS_FRAME */
	unsigned long zero, shortf, badlen;
	unsigned long long bad_bytes;	/* dropped after bad lengths */
};

/*
 * Bytes [0, rel) are released, [rel, pos) were handed out and may still be
 * in use, [pos, end) are not parsed yet. Compaction (in vds_rx_room())
 * moves only what follows rel.
 */
struct vds_reader {
	size_t rel, pos, end;
	size_t bad_len;		/* the last bad length seen */
	size_t bad_drop;	/* bytes dropped with it */
	struct vds_rxstats st;
	uint8_t buf[VDS_RXBUF];
};

struct vds_txstats {
	unsigned long long frames, bytes;	/* accepted into the stream */
	unsigned long dropped;		/* no room: dropped whole */
	unsigned long long dropped_bytes;
};

/* buf[off, off + len) waits to be written. */
struct vds_writer {
	size_t off, len;
	struct vds_txstats st;
	uint8_t buf[VDS_TXBUF];
};

/* The two header bytes for a frame of @len bytes. */
static inline void vds_put_hdr(uint8_t hdr[VDS_HDR], size_t len)
{
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
}

void vds_rx_init(struct vds_reader *rx);
size_t vds_rx_room(struct vds_reader *rx, uint8_t **p);
void vds_rx_fill(struct vds_reader *rx, size_t n);
enum vds_event vds_rx_next(struct vds_reader *rx, const uint8_t **frame,
			   size_t *len);
void vds_rx_release(struct vds_reader *rx);
size_t vds_rx_partial(const struct vds_reader *rx, size_t *want);
ssize_t vds_rx_read(struct vds_reader *rx, int fd);

void vds_tx_init(struct vds_writer *tx);
int vds_tx_write(struct vds_writer *tx, int fd, const struct iovec *frames,
		 unsigned n);
int vds_tx_flush(struct vds_writer *tx, int fd);
static inline bool vds_tx_pending(const struct vds_writer *tx)
{
	return tx->len != 0;
}
int vds_write_all(int fd, const struct iovec *iov, int n);

#endif /* PATCHBAY_VDESTREAM_H */
