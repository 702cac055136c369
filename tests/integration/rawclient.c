/* SPDX-License-Identifier: GPL-2.0-or-later
 * rawclient.c - a raw VDE control protocol client for integration tests.
 *
 * Requests are laid out byte by byte as vdeplug4 sends them (host byte
 * order, packed, description not NUL-terminated), so a test can send them
 * whole, in pieces, cut short or with a bad field, and tell a reply from
 * the switch closing the connection from no answer at all.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rawclient.h"

_Static_assert(sizeof(struct sockaddr_un) == RAW_SUN_SIZE,
	       "the VDE wire format assumes Linux's sockaddr_un");

static long long raw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void raw_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int raw_set_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/**
 * raw_init() - an unconnected client
 * @rc:		the client
 */
void raw_init(struct rawclient *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->ctl = -1;
	rc->data = -1;
}

/**
 * raw_connect() - connect the control stream to DIR/ctl
 * @rc:		the client
 * @dir:	the switch directory
 *
 * Return: 0 or -errno
 */
int raw_connect(struct rawclient *rc, const char *dir)
{
	struct sockaddr_un sun;
	char path[256];
	int fd, err;

	snprintf(path, sizeof(path), "%s/ctl", dir);
	err = raw_set_sun(&sun, path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		close(fd);
		return err;
	}
	rc->ctl = fd;
	return 0;
}

/**
 * raw_bind() - create the client's datagram socket under a fresh name
 * @rc:		the client
 * @sockdir:	directory for the socket file
 * @mode:	its mode, or < 0 to leave it as bind() made it
 *
 * Return: 0 or -errno
 */
int raw_bind(struct rawclient *rc, const char *sockdir, int mode)
{
	static unsigned seq;
	struct sockaddr_un sun;
	int fd, err;

	snprintf(rc->path, sizeof(rc->path), "%s/raw.%d.%u", sockdir,
		 (int)getpid(), seq++);
	err = raw_set_sun(&sun, rc->path);
	if (err)
		goto fail;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	unlink(rc->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    (mode >= 0 && chmod(rc->path, (mode_t)mode))) {
		err = -errno;
		close(fd);
		unlink(rc->path);
		goto fail;
	}
	rc->data = fd;
	return 0;
fail:
	rc->path[0] = '\0';
	return err;
}

static size_t raw_put_sun(uint8_t *p, const char *path)
{
	uint16_t family = AF_UNIX;
	size_t n = strlen(path);

	memset(p, 0, RAW_SUN_SIZE);
	memcpy(p, &family, sizeof(family));
	memcpy(p + 2, path, n < RAW_SUN_PATH ? n : RAW_SUN_PATH);
	return RAW_SUN_SIZE;
}

static size_t raw_put_descr(uint8_t *p, size_t room, const char *descr)
{
	size_t n = descr ? strlen(descr) : 0;

	if (n > room)
		n = room;
	memcpy(p, descr ? descr : "", n);
	return n;
}

/**
 * raw_req_v3() - lay out a v3 request
 * @buf:	at least RAW_REQ_MAX bytes
 * @magic:	0xfeedface for a valid request
 * @version:	3 for a valid request
 * @type:	raw_type(request, port)
 * @path:	the client's datagram socket
 * @descr:	description, sent without its NUL (may be too long on purpose)
 *
 * Return: the request's length
 */
size_t raw_req_v3(uint8_t *buf, uint32_t magic, uint32_t version,
		  uint32_t type, const char *path, const char *descr)
{
	size_t n = 0;

	memcpy(buf + n, &magic, 4);
	n += 4;
	memcpy(buf + n, &version, 4);
	n += 4;
	memcpy(buf + n, &type, 4);
	n += 4;
	n += raw_put_sun(buf + n, path);
	n += raw_put_descr(buf + n, RAW_REQ_MAX - n, descr);
	return n;
}

/**
 * raw_req_v1() - lay out a legacy v1 request (no version field)
 * @buf:	at least RAW_REQ_MAX bytes
 * @type:	0 = new control, 1 = port 0
 * @mac:	the obsolete MAC field
 * @path:	the client's datagram socket
 * @descr:	description, sent without its NUL
 *
 * Return: the request's length
 */
size_t raw_req_v1(uint8_t *buf, uint32_t type, const uint8_t mac[6],
		  const char *path, const char *descr)
{
	const uint32_t magic = RAW_MAGIC;
	size_t n = 0;

	memcpy(buf + n, &magic, 4);
	n += 4;
	memcpy(buf + n, &type, 4);
	n += 4;
	memcpy(buf + n, mac, 6);
	n += 6;
	n += raw_put_sun(buf + n, path);
	n += raw_put_descr(buf + n, RAW_REQ_MAX - n, descr);
	return n;
}

/**
 * raw_write() - write bytes on the control connection
 * @rc:		the client
 * @buf:	the bytes
 * @len:	how many
 *
 * Return: 0 or -errno
 */
int raw_write(struct rawclient *rc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t w = send(rc->ctl, p, len, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/**
 * raw_write_split() - write a request in several pieces
 * @rc:		the client
 * @buf:	the bytes
 * @len:	how many
 * @chunks:	sizes of the first pieces; what remains goes last
 * @nchunks:	number of entries in @chunks
 * @gap_ms:	pause between pieces
 *
 * Return: 0 or -errno
 */
int raw_write_split(struct rawclient *rc, const void *buf, size_t len,
		    const size_t *chunks, unsigned nchunks, int gap_ms)
{
	const uint8_t *p = buf;
	unsigned i;
	int err;

	for (i = 0; i < nchunks && len > 0; i++) {
		size_t n = chunks[i] < len ? chunks[i] : len;

		err = raw_write(rc, p, n);
		if (err)
			return err;
		p += n;
		len -= n;
		if (len > 0)
			raw_sleep_ms(gap_ms);
	}
	return len > 0 ? raw_write(rc, p, len) : 0;
}

/**
 * raw_wait() - wait for the switch's answer to a request
 * @rc:		the client
 * @ms:		how long at most
 *
 * Return: RAW_REPLY (rc->reply set), RAW_EOF, RAW_TIMEOUT or RAW_ERROR;
 * rc->elapsed_ms tells how long it took.
 */
enum raw_result raw_wait(struct rawclient *rc, int ms)
{
	long long start = raw_now_ms(), end = start + ms;
	uint8_t buf[RAW_SUN_SIZE + 1];
	enum raw_result res;
	size_t got = 0;

	rc->reply[0] = '\0';
	for (;;) {
		struct pollfd pfd = { .fd = rc->ctl, .events = POLLIN };
		long long left = end - raw_now_ms();
		ssize_t r;
		int n;

		if (left < 0)
			left = 0;
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			res = RAW_ERROR;
			break;
		}
		if (n == 0) {
			res = RAW_TIMEOUT;
			break;
		}
		r = recv(rc->ctl, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET)) {
			/* a partial reply then EOF is not a reply */
			res = got ? RAW_ERROR : RAW_EOF;
			break;
		}
		if (r < 0) {
			res = RAW_ERROR;
			break;
		}
		got += (size_t)r;
		if (got > RAW_SUN_SIZE) {
			res = RAW_ERROR;	/* more than a reply */
			break;
		}
		if (got == RAW_SUN_SIZE) {
			uint16_t family;

			memcpy(&family, buf, sizeof(family));
			if (family != AF_UNIX) {
				res = RAW_ERROR;
				break;
			}
			memcpy(rc->reply, buf + 2, RAW_SUN_PATH);
			rc->reply[RAW_SUN_PATH] = '\0';
			res = RAW_REPLY;
			break;
		}
	}
	rc->elapsed_ms = raw_now_ms() - start;
	return res;
}

/**
 * raw_result_str() - a result for messages
 * @r:		the result
 *
 * Return: its name
 */
const char *raw_result_str(enum raw_result r)
{
	switch (r) {
	case RAW_REPLY:
		return "reply";
	case RAW_EOF:
		return "EOF";
	case RAW_TIMEOUT:
		return "timeout";
	case RAW_ERROR:
		break;
	}
	return "error";
}

/**
 * raw_data_connect() - connect the datagram socket to the switch's
 * @rc:		the client, after RAW_REPLY
 *
 * Return: 0 or -errno
 */
int raw_data_connect(struct rawclient *rc)
{
	struct sockaddr_un sun;
	int err = raw_set_sun(&sun, rc->reply);

	if (err)
		return err;
	if (connect(rc->data, (struct sockaddr *)&sun, sizeof(sun)))
		return -errno;
	return 0;
}

/**
 * raw_open() - a complete, well-formed v3 handshake
 * @rc:		the client (raw_init()ed)
 * @dir:	the switch directory
 * @sockdir:	where to bind the client's datagram socket
 * @port:	port wanted, 0 = any
 * @descr:	description
 *
 * Return: RAW_REPLY with the datagram socket connected, or what went wrong
 */
enum raw_result raw_open(struct rawclient *rc, const char *dir,
			 const char *sockdir, unsigned port, const char *descr)
{
	uint8_t req[RAW_REQ_MAX];
	enum raw_result res;
	size_t n;

	if (raw_bind(rc, sockdir, 0600) || raw_connect(rc, dir))
		return RAW_ERROR;
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, port), rc->path, descr);
	if (raw_write(rc, req, n))
		return RAW_ERROR;
	res = raw_wait(rc, 10000);
	if (res == RAW_REPLY && raw_data_connect(rc))
		return RAW_ERROR;
	return res;
}

/**
 * raw_send() - send one frame
 * @rc:		the client, attached
 * @buf:	the frame
 * @len:	its length (anything, even 0)
 *
 * Return: what send() returned
 */
ssize_t raw_send(struct rawclient *rc, const void *buf, size_t len)
{
	return send(rc->data, buf, len, 0);
}

/**
 * raw_recv() - receive one frame
 * @rc:		the client, attached
 * @buf:	room for it
 * @len:	size of @buf
 * @ms:		how long to wait
 *
 * Return: its length, or -1 when nothing came
 */
ssize_t raw_recv(struct rawclient *rc, void *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = rc->data, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return recv(rc->data, buf, len, MSG_DONTWAIT);
}

/**
 * raw_close_ctl() - close the control connection only
 * @rc:		the client
 */
void raw_close_ctl(struct rawclient *rc)
{
	if (rc->ctl >= 0)
		close(rc->ctl);
	rc->ctl = -1;
}

/**
 * raw_close() - close both sockets and unlink the client's socket file
 * @rc:		the client
 */
void raw_close(struct rawclient *rc)
{
	raw_close_ctl(rc);
	if (rc->data >= 0)
		close(rc->data);
	rc->data = -1;
	if (rc->path[0])
		unlink(rc->path);
	rc->path[0] = '\0';
}
