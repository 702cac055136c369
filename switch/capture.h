/* SPDX-License-Identifier: GPL-2.0-or-later
 * capture.h - a port's traffic, both directions, written as a pcap file.
 *
 * The format is the classic pcap one, written here directly (no libpcap):
 * a 24-byte global header (magic 0xa1b23c4d, i.e. nanosecond timestamps,
 * version 2.4, link type 1 = Ethernet) and per frame a 16-byte record
 * header (seconds, nanoseconds, captured length, length on the wire), all
 * in host byte order, as readers expect. tcpdump -r and Wireshark read it.
 *
 * Capturing never stalls forwarding: the engine only copies a frame into
 * the capture's bounded buffer (CAPTURE_BUF bytes); the buffer is written
 * once the loop's batch is done, and, for a pipe or socket that is full,
 * on EPOLLOUT. A frame that does not fit is counted as dropped. A write
 * error (ENOSPC, EIO, a reader gone) stops the capture with a log line;
 * forwarding goes on.
 */
#ifndef PATCHBAY_CAPTURE_H
#define PATCHBAY_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define CAPTURE_BUF (4U << 20)
#define CAPTURE_SNAPLEN_MIN 14
#define CAPTURE_SNAPLEN_MAX 262144	/* tcpdump's default */

struct capture;
struct port;
struct sw;

struct capture_info {
	const char *name;	/* the file, or what the stream goes to */
	unsigned snaplen;
	uint64_t captured;	/* frames put in the buffer */
	uint64_t dropped;	/* frames that did not fit */
	size_t queued;		/* bytes waiting to be written */
};

int capture_start_file(struct sw *sw, struct port *p, const char *path,
		       unsigned snaplen, char *err, size_t errlen);
int capture_start_fd(struct sw *sw, struct port *p, int fd,
		     const char *name, const void *prefix, size_t prefixlen,
		     unsigned snaplen, char *err, size_t errlen);
void capture_frame(struct capture *cap, const struct iovec *iov,
		   unsigned n, size_t len);
void capture_stop(struct capture *cap, const char *why);
void capture_info(const struct capture *cap, struct capture_info *info);

#endif /* PATCHBAY_CAPTURE_H */
