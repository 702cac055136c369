/* SPDX-License-Identifier: GPL-2.0-or-later
 * request.h - incremental parsing of VDE control requests (v1 and v3).
 */
#ifndef PATCHBAY_REQUEST_H
#define PATCHBAY_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "vdewire.h"

/* A buffer this big always tells an oversized request from a valid one. */
#define REQUEST_BUFSIZE 512

struct vde_request {
	unsigned version;	/* 1 or 3 */
	unsigned type;		/* VDE_REQ_NEW_CONTROL or VDE_REQ_NEW_PORT0 */
	unsigned port;		/* requested port, 0 = any */
	char path[VDE_SUN_PATH + 1];	/* the client's datagram socket */
	char descr[VDE_MAXDESCR + 1];	/* printable, NUL-terminated */
};

enum request_status {
	REQUEST_INVALID = -1,	/* refuse: *why says why */
	REQUEST_INCOMPLETE = 0,	/* valid so far, wait for more bytes */
	REQUEST_COMPLETE = 1,	/* *req is filled in */
};

enum request_status request_parse(const uint8_t *buf, size_t len,
				  struct vde_request *req, char *why,
				  size_t whylen);

#endif /* PATCHBAY_REQUEST_H */
