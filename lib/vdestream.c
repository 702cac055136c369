/* SPDX-License-Identifier: GPL-2.0-or-later
 * vdestream.c - vde_plug's 2-byte length stream: deframing into a fixed
 * buffer without copies, framing with one writev() per batch and a bounded
 * output buffer. The contract is in vdestream.h.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "vdestream.h"

_Static_assert(VDS_RXBUF >= 2 * (VDS_HDR + VDS_FRAME_MAX),
	       "a frame must fit behind a released one");
_Static_assert(VDS_TXBUF >= VDS_HDR + VDS_FRAME_MAX,
	       "the rest of a partly written frame must fit");

/**
 * vds_rx_init() - an empty reader
 * @rx:		the reader
 */
void vds_rx_init(struct vds_reader *rx)
{
	rx->rel = rx->pos = rx->end = 0;
	rx->bad_len = rx->bad_drop = 0;
	memset(&rx->st, 0, sizeof(rx->st));
}

/**
 * vds_rx_room() - where the next read goes, after moving what is not
 * released to the front of the buffer
 * @rx:		the reader
 * @p:		set to the free space
 *
 * Return: its size; 0 while frames handed out are not released and fill
 * the buffer (read nothing then)
 */
size_t vds_rx_room(struct vds_reader *rx, uint8_t **p)
{
	if (rx->rel) {
		memmove(rx->buf, rx->buf + rx->rel, rx->end - rx->rel);
		rx->pos -= rx->rel;
		rx->end -= rx->rel;
		rx->rel = 0;
	}
	*p = rx->buf + rx->end;
	return sizeof(rx->buf) - rx->end;
}

/**
 * vds_rx_fill() - @n bytes were read into the space vds_rx_room() gave
 * @rx:		the reader
 * @n:		how many
 */
void vds_rx_fill(struct vds_reader *rx, size_t n)
{
	rx->end += n;
}

/**
 * vds_rx_read() - one read() from @fd into the reader
 * @rx:		the reader
 * @fd:		the stream
 *
 * Return: bytes read, 0 at end of input, -errno (-EAGAIN: nothing now,
 * -ENOBUFS: no room until frames are released)
 */
ssize_t vds_rx_read(struct vds_reader *rx, int fd)
{
	uint8_t *p;
	size_t room = vds_rx_room(rx, &p);
	ssize_t n;

	if (!room)
		return -ENOBUFS;
	do
		n = read(fd, p, room);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	vds_rx_fill(rx, (size_t)n);
	return n;
}

/**
 * vds_rx_next() - the next event in the buffered input
 * @rx:		the reader
 * @frame:	VDS_FRAME, VDS_SHORT: set to the frame (valid until
 *		vds_rx_release())
 * @len:	its length
 *
 * Return: enum vds_event; VDS_NEED when more input is needed
 */
enum vds_event vds_rx_next(struct vds_reader *rx, const uint8_t **frame,
			   size_t *len)
{
	const uint8_t *h = rx->buf + rx->pos;
	size_t avail = rx->end - rx->pos, n;

	if (avail < VDS_HDR)
		return VDS_NEED;
	n = (size_t)h[0] << 8 | h[1];
	if (!n) {
		rx->pos += VDS_HDR;
		rx->st.zero++;
		return VDS_ZERO;
	}
	if (n > VDS_FRAME_MAX) {
		/* lost sync: nothing buffered can be trusted */
		rx->bad_len = n;
		rx->bad_drop = avail;
		rx->pos = rx->end;
		rx->st.badlen++;
		rx->st.bad_bytes += avail;
		return VDS_BADLEN;
	}
	if (avail < VDS_HDR + n)
		return VDS_NEED;
	*frame = h + VDS_HDR;
	*len = n;
	rx->pos += VDS_HDR + n;
	if (n < VDS_FRAME_MIN) {
		rx->st.shortf++;
		return VDS_SHORT;
	}
	rx->st.frames++;
	rx->st.bytes += n;
	return VDS_FRAME;
}

/**
 * vds_rx_release() - every frame handed out so far is no longer used
 * @rx:		the reader
 */
void vds_rx_release(struct vds_reader *rx)
{
	rx->rel = rx->pos;
}

/**
 * vds_rx_partial() - how much of an incomplete frame is buffered (at the
 * end of input: the stream was cut inside a frame)
 * @rx:		the reader
 * @want:	set to the bytes the frame needs with its header (0 if the
 *		header itself is incomplete)
 *
 * Return: bytes buffered and not parsed
 */
size_t vds_rx_partial(const struct vds_reader *rx, size_t *want)
{
	size_t avail = rx->end - rx->pos;

	*want = 0;
	if (avail >= VDS_HDR)
		*want = VDS_HDR + ((size_t)rx->buf[rx->pos] << 8 |
				   rx->buf[rx->pos + 1]);
	return avail;
}

/**
 * vds_tx_init() - an empty writer
 * @tx:		the writer
 */
void vds_tx_init(struct vds_writer *tx)
{
	tx->off = tx->len = 0;
	memset(&tx->st, 0, sizeof(tx->st));
}

/* Append @len bytes at the end of the buffer (the caller checked room). */
static void tx_append(struct vds_writer *tx, const void *p, size_t len)
{
	if (tx->off + tx->len + len > sizeof(tx->buf)) {
		memmove(tx->buf, tx->buf + tx->off, tx->len);
		tx->off = 0;
	}
	memcpy(tx->buf + tx->off + tx->len, p, len);
	tx->len += len;
}

/* Queue a whole frame, or drop and count it. */
static void tx_queue(struct vds_writer *tx, const struct iovec *f)
{
	uint8_t hdr[VDS_HDR];

	if (tx->len + VDS_HDR + f->iov_len > sizeof(tx->buf)) {
		tx->st.dropped++;
		tx->st.dropped_bytes += f->iov_len;
		return;
	}
	vds_put_hdr(hdr, f->iov_len);
	tx_append(tx, hdr, VDS_HDR);
	tx_append(tx, f->iov_base, f->iov_len);
	tx->st.frames++;
	tx->st.bytes += f->iov_len;
}

/**
 * vds_tx_flush() - write what is buffered, as far as @fd takes it
 * @tx:		the writer
 * @fd:		the stream (non-blocking)
 *
 * Return: 0 (check vds_tx_pending()), or -errno of a failed write
 */
int vds_tx_flush(struct vds_writer *tx, int fd)
{
	while (tx->len) {
		ssize_t w = write(fd, tx->buf + tx->off, tx->len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		tx->off += (size_t)w;
		tx->len -= (size_t)w;
	}
	tx->off = 0;
	return 0;
}

/* Nothing buffered: up to VDS_TX_BATCH frames with one writev(). The rest
 * of a frame cut short is buffered first (it always fits in the empty
 * buffer: the stream must go on with it), then the frames not written at
 * all, as far as they fit. */
static int tx_direct(struct vds_writer *tx, int fd, const struct iovec *f,
		     unsigned n)
{
	struct iovec iov[2 * VDS_TX_BATCH];
	uint8_t hdr[VDS_TX_BATCH][VDS_HDR];
	unsigned i, k = 0;
	size_t done;
	ssize_t w;

	for (i = 0; i < n; i++) {
		vds_put_hdr(hdr[i], f[i].iov_len);
		iov[k++] = (struct iovec){ hdr[i], VDS_HDR };
		iov[k++] = f[i];
	}
	do
		w = writev(fd, iov, (int)k);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN)
		return -errno;
	done = w < 0 ? 0 : (size_t)w;
	for (i = 0; i < n; i++) {
		size_t flen = VDS_HDR + f[i].iov_len;

		if (!done) {
			tx_queue(tx, &f[i]);
			continue;
		}
		if (done < flen) {
			size_t skip = 0;

			if (done < VDS_HDR)
				tx_append(tx, hdr[i] + done, VDS_HDR - done);
			else
				skip = done - VDS_HDR;
			tx_append(tx, (const uint8_t *)f[i].iov_base + skip,
				  f[i].iov_len - skip);
			done = flen;
		}
		done -= flen;
		tx->st.frames++;
		tx->st.bytes += f[i].iov_len;
	}
	return 0;
}

/**
 * vds_tx_write() - put frames on the stream, in order after anything
 * buffered; frames that neither the fd nor the buffer takes are dropped
 * and counted (tx->st.dropped)
 * @tx:		the writer
 * @fd:		the stream (non-blocking)
 * @frames:	one iovec per frame, each 0..VDS_FRAME_MAX bytes
 * @n:		how many
 *
 * Return: 0, or -errno of a failed write (the peer is gone: EPIPE)
 */
int vds_tx_write(struct vds_writer *tx, int fd, const struct iovec *frames,
		 unsigned n)
{
	unsigned i;
	int rc;

	rc = vds_tx_flush(tx, fd);
	if (rc)
		return rc;
	for (i = 0; i < n;) {
		unsigned k = n - i < VDS_TX_BATCH ? n - i : VDS_TX_BATCH;

		if (tx->len) {
			for (; i < n; i++)
				tx_queue(tx, &frames[i]);
			break;
		}
		rc = tx_direct(tx, fd, frames + i, k);
		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

/**
 * vds_write_all() - write iovecs completely to a stream, waiting for room
 * when it is non-blocking and full
 * @fd:		the stream
 * @iov:	what to write
 * @n:		how many iovecs (at most 2)
 *
 * Return: 0 or -errno
 */
int vds_write_all(int fd, const struct iovec *iov, int n)
{
	struct iovec v[2];
	ssize_t w;
	int i;

	if (n > 2)
		return -EINVAL;
	memcpy(v, iov, (size_t)n * sizeof(*iov));
	for (i = 0; i < n;) {
		w = writev(fd, v + i, n - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				poll(&p, 1, -1);
				continue;
			}
			return -errno;
		}
		while (i < n && (size_t)w >= v[i].iov_len)
			w -= (ssize_t)v[i++].iov_len;
		if (i < n) {
			v[i].iov_base = (uint8_t *)v[i].iov_base + w;
			v[i].iov_len -= (size_t)w;
		}
	}
	return 0;
}
