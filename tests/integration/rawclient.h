/* SPDX-License-Identifier: GPL-2.0-or-later
 * rawclient.h - a VDE control protocol client built byte by byte, without
 * libvdeplug, to send the switch requests no well-behaved client sends:
 * wrong magic or version, split, truncated, oversized, pointing at a
 * socket the switch cannot reach (research/vde.md §1.2-1.3).
 */
#ifndef PATCHBAY_RAWCLIENT_H
#define PATCHBAY_RAWCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RAW_MAGIC 0xfeedfaceU
#define RAW_SUN_SIZE 110	/* struct sockaddr_un on Linux */
#define RAW_SUN_PATH 108
#define RAW_V3_HDR 122		/* magic, version, type, sockaddr_un */
#define RAW_V1_HDR 124		/* magic, type, mac[6], sockaddr_un */
#define RAW_MAXDESCR 128
#define RAW_REQ_MAX 1024	/* room for deliberately oversized requests */

enum raw_result {
	RAW_REPLY,		/* the 110-byte reply arrived */
	RAW_EOF,		/* the switch closed the connection */
	RAW_TIMEOUT,		/* neither within the time given */
	RAW_ERROR,		/* local error, or a malformed reply */
};

struct rawclient {
	int ctl;		/* stream connected to DIR/ctl, or -1 */
	int data;		/* bound datagram socket, or -1 */
	char path[RAW_SUN_PATH + 1];	/* where @data is bound, or "" */
	char reply[RAW_SUN_PATH + 1];	/* the switch's data socket */
	long long elapsed_ms;	/* how long the last raw_wait() waited */
};

void raw_init(struct rawclient *rc);
/* Connect a stream socket to DIR/ctl. Return 0 or -errno. */
int raw_connect(struct rawclient *rc, const char *dir);
/* Create a datagram socket bound to a fresh name in @sockdir and chmod it
 * to @mode (skipped when @mode < 0). Return 0 or -errno. */
int raw_bind(struct rawclient *rc, const char *sockdir, int mode);

/* Build requests into @buf (at least RAW_REQ_MAX bytes); @descr may be
 * longer than the protocol allows. Return the length. */
size_t raw_req_v3(uint8_t *buf, uint32_t magic, uint32_t version,
		  uint32_t type, const char *path, const char *descr);
size_t raw_req_v1(uint8_t *buf, uint32_t type, const uint8_t mac[6],
		  const char *path, const char *descr);
/* v3 type field: request @req (0 = new control, 1 = port 0) on @port */
static inline uint32_t raw_type(unsigned req, unsigned port)
{
	return (uint32_t)port << 8 | (req & 0xff);
}

/* Write all of @buf on the control connection. Return 0 or -errno. */
int raw_write(struct rawclient *rc, const void *buf, size_t len);
/* Write @buf in pieces of @chunks[i] bytes (the last piece takes the
 * rest), @gap_ms apart. Return 0 or -errno. */
int raw_write_split(struct rawclient *rc, const void *buf, size_t len,
		    const size_t *chunks, unsigned nchunks, int gap_ms);
/* Wait up to @ms for the reply or the end of the control connection;
 * sets rc->elapsed_ms, and rc->reply on RAW_REPLY. */
enum raw_result raw_wait(struct rawclient *rc, int ms);
const char *raw_result_str(enum raw_result r);

/* The whole v3 handshake: bind in @sockdir, connect to @dir, request
 * @port (0 = any), wait for the reply, connect the datagram socket to
 * it. Return RAW_REPLY on success. */
enum raw_result raw_open(struct rawclient *rc, const char *dir,
			 const char *sockdir, unsigned port,
			 const char *descr);
/* Connect the datagram socket to rc->reply. Return 0 or -errno. */
int raw_data_connect(struct rawclient *rc);
/* One frame per datagram. */
ssize_t raw_send(struct rawclient *rc, const void *buf, size_t len);
/* Receive one frame within @ms; its length, or -1 on timeout. */
ssize_t raw_recv(struct rawclient *rc, void *buf, size_t len, int ms);

/* Close only the control connection (the switch sees EOF). */
void raw_close_ctl(struct rawclient *rc);
/* Close everything and unlink the bound socket. */
void raw_close(struct rawclient *rc);

#endif /* PATCHBAY_RAWCLIENT_H */
