/* SPDX-License-Identifier: GPL-2.0-or-later
 * capture.c - pcap capture of a port's traffic (see capture.h).
 *
 * The buffer is a byte ring of CAPTURE_BUF bytes, allocated when the
 * capture starts. capture_frame(), called by the forwarding engine, only
 * copies: a record header and up to snaplen bytes of the frame, or nothing
 * (dropped++) if the whole record does not fit. The first frame of a batch
 * asks the loop to run capture_deferred() after the batch, which writes
 * what the fd takes. A regular file (or a device epoll refuses) takes it
 * all; a pipe or socket that is full is watched for EPOLLOUT. A stream
 * handed over by the console is also watched for input, so that its
 * client closing ends the capture even when no frame flows.
 *
 * Release: capture_stop() closes the fd at once and takes the capture off
 * its port; the memory goes after the batch (the deferred call), since a
 * pending write may still point at it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "swcore.h"

#define PCAP_MAGIC_NS 0xa1b23c4dU
#define PCAP_LINKTYPE_ETHERNET 1

struct capture {
	struct sw *sw;
	unsigned port;
	int fd;
	bool direct;		/* regular file or unpollable: just write */
	bool stream;		/* a console connection: watch for its end */
	bool polling;		/* fd registered with the loop */
	uint32_t events;	/* watched now */
	bool deferred;		/* capture_deferred() is pending */
	bool dead;		/* stopped: freed by capture_deferred() */
	char name[256];
	unsigned snaplen;
	uint8_t *buf;
	size_t head, len;	/* the ring's content: [head, head + len) */
	uint64_t captured, dropped;
	struct loop_handler h;
	struct loop_deferred dfr;
};

static void capture_put(struct capture *cap, const void *data, size_t n)
{
	size_t at = (cap->head + cap->len) % CAPTURE_BUF;
	size_t first = CAPTURE_BUF - at < n ? CAPTURE_BUF - at : n;

	if (!n)
		return;
	memcpy(cap->buf + at, data, first);
	memcpy(cap->buf, (const uint8_t *)data + first, n - first);
	cap->len += n;
}

static void capture_watch(struct capture *cap, uint32_t events)
{
	if (!cap->polling || events == cap->events)
		return;
	if (loop_mod(cap->sw->loop, cap->fd, events, &cap->h) == 0)
		cap->events = events;
}

/* Write what the fd takes. Return: 0, or -errno (the capture must stop). */
static int capture_flush(struct capture *cap)
{
	while (cap->len) {
		struct iovec iov[2];
		size_t first = CAPTURE_BUF - cap->head;
		int n = 1;
		ssize_t w;

		if (first >= cap->len) {
			first = cap->len;
		} else {
			iov[1] = (struct iovec){ cap->buf, cap->len - first };
			n = 2;
		}
		iov[0] = (struct iovec){ cap->buf + cap->head, first };
		w = writev(cap->fd, iov, n);
		if (w > 0) {
			cap->head = (cap->head + (size_t)w) % CAPTURE_BUF;
			cap->len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			capture_watch(cap, (cap->stream ? EPOLLIN : 0) |
						   EPOLLOUT);
			return 0;
		}
		return w < 0 ? -errno : -EIO;
	}
	cap->head = 0;
	capture_watch(cap, cap->stream ? EPOLLIN : 0);
	return 0;
}

static void capture_fail(struct capture *cap, int rc)
{
	capture_stop(cap, strerror(-rc));
}

static void capture_deferred(struct loop_deferred *d)
{
	struct capture *cap = container_of(d, struct capture, dfr);
	int rc;

	cap->deferred = false;
	if (cap->dead) {
		free(cap->buf);
		free(cap);
		return;
	}
	rc = capture_flush(cap);
	if (rc)
		capture_fail(cap, rc);
}

static void capture_defer(struct capture *cap)
{
	if (cap->deferred)
		return;
	cap->deferred = true;
	loop_defer(cap->sw->loop, &cap->dfr, capture_deferred);
}

static void capture_cb(struct loop_handler *h, uint32_t events)
{
	struct capture *cap = container_of(h, struct capture, h);
	char junk[512];
	int rc;

	if (cap->dead)
		return;
	if (events & EPOLLIN) {
		ssize_t n = read(cap->fd, junk, sizeof(junk));

		if (n == 0) {
			capture_stop(cap, "the reader closed the connection");
			return;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			capture_fail(cap, -errno);
			return;
		}
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		capture_stop(cap, "the reader went away");
		return;
	}
	if (events & EPOLLOUT) {
		rc = capture_flush(cap);
		if (rc)
			capture_fail(cap, rc);
	}
}

/* The 24-byte global header. */
static void capture_header(struct capture *cap)
{
	uint32_t magic = PCAP_MAGIC_NS, snap = cap->snaplen;
	uint32_t link = PCAP_LINKTYPE_ETHERNET;
	uint16_t major = 2, minor = 4;
	int32_t zone = 0;
	uint32_t sigfigs = 0;
	uint8_t h[24];

	memcpy(h, &magic, 4);
	memcpy(h + 4, &major, 2);
	memcpy(h + 6, &minor, 2);
	memcpy(h + 8, &zone, 4);
	memcpy(h + 12, &sigfigs, 4);
	memcpy(h + 16, &snap, 4);
	memcpy(h + 20, &link, 4);
	capture_put(cap, h, sizeof(h));
}

/* Make the capture on @fd (taken: closed on failure) and put it on @p. */
static int capture_start(struct sw *sw, struct port *p, int fd, bool stream,
			 const char *name, const void *prefix,
			 size_t prefixlen, unsigned snaplen, char *err,
			 size_t errlen)
{
	struct capture *cap = NULL;
	struct stat st;
	int rc;

	if (p->cap) {
		snprintf(err, errlen, "port %u is already captured", p->num);
		rc = -EBUSY;
		goto fail;
	}
	if (snaplen < CAPTURE_SNAPLEN_MIN || snaplen > CAPTURE_SNAPLEN_MAX) {
		snprintf(err, errlen, "snaplen %u out of range %u..%u",
			 snaplen, CAPTURE_SNAPLEN_MIN, CAPTURE_SNAPLEN_MAX);
		rc = -EINVAL;
		goto fail;
	}
	if (prefixlen > 65536) {
		snprintf(err, errlen, "too much pending output");
		rc = -EINVAL;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
		goto fail;
	}
	cap = calloc(1, sizeof(*cap));
	if (cap)
		cap->buf = malloc(CAPTURE_BUF);
	if (!cap || !cap->buf) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	cap->sw = sw;
	cap->port = p->num;
	cap->fd = fd;
	cap->stream = stream;
	cap->snaplen = snaplen;
	cap->h.cb = capture_cb;
	snprintf(cap->name, sizeof(cap->name), "%s", name);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		cap->direct = true;
	} else {
		cap->events = stream ? EPOLLIN : 0;
		rc = loop_add(sw->loop, fd, cap->events, &cap->h);
		if (rc == -EPERM && !stream) {
			cap->direct = true;	/* a device: no polling */
		} else if (rc) {
			snprintf(err, errlen, "%s: cannot watch it: %s", name,
				 strerror(-rc));
			goto fail;
		} else {
			cap->polling = true;
		}
	}
	capture_put(cap, prefix, prefixlen);
	capture_header(cap);
	p->cap = cap;
	port_taps_update(p);
	capture_defer(cap);
	log_info("port %u: capture to %s started (snaplen %u)", p->num,
		 cap->name, snaplen);
	return 0;
fail:
	if (cap) {
		if (cap->polling)
			loop_del(sw->loop, fd);
		free(cap->buf);
		free(cap);
	}
	close(fd);
	return rc;
}

/**
 * capture_start_file() - capture a port's traffic into a file
 * @sw:		the switch
 * @p:		the port
 * @path:	the file, created or truncated (mode 0644 less the umask);
 *		a FIFO must have its reader already
 * @snaplen:	bytes kept of each frame, CAPTURE_SNAPLEN_MIN..MAX
 * @err:	the reason of a failure, naming the file
 * @errlen:	size of @err
 *
 * Return: 0, -EBUSY (already captured), -EINVAL, or -errno of open()
 */
int capture_start_file(struct sw *sw, struct port *p, const char *path,
		       unsigned snaplen, char *err, size_t errlen)
{
	int fd;

	if (p->cap) {
		snprintf(err, errlen, "port %u is already captured", p->num);
		return -EBUSY;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC |
				O_NOCTTY, 0644);
	if (fd < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(-rc));
		return rc;
	}
	return capture_start(sw, p, fd, false, path, NULL, 0, snaplen, err,
			     errlen);
}

/**
 * capture_start_fd() - capture a port's traffic into a stream the caller
 * hands over (a console connection)
 * @sw:		the switch
 * @p:		the port
 * @fd:		the stream, taken in all cases (closed on failure)
 * @name:	what port/print shows for it
 * @prefix:	bytes to write before the pcap header (the console's reply)
 * @prefixlen:	how many
 * @snaplen:	bytes kept of each frame
 * @err:	the reason of a failure
 * @errlen:	size of @err
 *
 * The capture ends when the peer closes the stream.
 *
 * Return: 0, -EBUSY, -EINVAL, -ENOMEM
 */
int capture_start_fd(struct sw *sw, struct port *p, int fd,
		     const char *name, const void *prefix, size_t prefixlen,
		     unsigned snaplen, char *err, size_t errlen)
{
	return capture_start(sw, p, fd, true, name, prefix, prefixlen,
			     snaplen, err, errlen);
}

/**
 * capture_frame() - copy one frame into the capture's buffer
 * @cap:	the capture
 * @iov:	the frame's pieces
 * @n:		how many
 * @len:	their total length
 *
 * Called from inside forwarding: never writes, never stops the capture.
 */
void capture_frame(struct capture *cap, const struct iovec *iov,
		   unsigned n, size_t len)
{
	size_t incl = len < cap->snaplen ? len : cap->snaplen, left;
	struct timespec ts;
	uint32_t h[4];
	unsigned i;

	if (cap->dead)
		return;
	if (CAPTURE_BUF - cap->len < incl + sizeof(h)) {
		cap->dropped++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	h[0] = (uint32_t)ts.tv_sec;
	h[1] = (uint32_t)ts.tv_nsec;
	h[2] = (uint32_t)incl;
	h[3] = (uint32_t)len;
	capture_put(cap, h, sizeof(h));
	for (i = 0, left = incl; i < n && left; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;

		capture_put(cap, iov[i].iov_base, k);
		left -= k;
	}
	cap->captured++;
	capture_defer(cap);
}

/**
 * capture_stop() - stop a capture, close its fd, take it off its port
 * @cap:	the capture
 * @why:	NULL when asked for (what is buffered is written if the fd
 *		takes it now); otherwise the reason, logged as a warning
 *
 * Not from inside forwarding. The memory goes after the loop's batch.
 */
void capture_stop(struct capture *cap, const char *why)
{
	struct port *p;

	if (cap->dead)
		return;
	if (!why) {
		int rc = capture_flush(cap);

		if (rc || cap->len)
			log_warnx("port %u: capture to %s: %zu bytes not "
				  "written%s%s", cap->port, cap->name, cap->len,
				  rc ? ": " : "", rc ? strerror(-rc) : "");
	}
	cap->dead = true;
	if (cap->polling)
		loop_del(cap->sw->loop, cap->fd);
	cap->polling = false;
	close(cap->fd);
	cap->fd = -1;
	p = port_lookup(cap->sw, cap->port);
	if (p && p->cap == cap) {
		p->cap = NULL;
		port_taps_update(p);
	}
	if (why)
		log_warnx("port %u: capture to %s stopped: %s (%llu frames "
			  "captured, %llu dropped)", cap->port, cap->name, why,
			  (unsigned long long)cap->captured,
			  (unsigned long long)cap->dropped);
	else
		log_info("port %u: capture to %s stopped (%llu frames "
			 "captured, %llu dropped)", cap->port, cap->name,
			 (unsigned long long)cap->captured,
			 (unsigned long long)cap->dropped);
	capture_defer(cap);
}

/**
 * capture_info() - a capture's state, for port/print
 * @cap:	the capture
 * @info:	filled in
 */
void capture_info(const struct capture *cap, struct capture_info *info)
{
	info->name = cap->name;
	info->snaplen = cap->snaplen;
	info->captured = cap->captured;
	info->dropped = cap->dropped;
	info->queued = cap->len;
}
