/* SPDX-License-Identifier: GPL-2.0-or-later
 * request.c - validate a VDE control request as its bytes arrive.
 *
 * The protocol has no length field: a request is complete once its fixed
 * part has arrived (122 bytes for v3, 124 for v1), and its description is
 * whatever else the client sent with it. So the caller reads everything
 * available, then asks here whether the buffer is invalid, incomplete or
 * complete. Wrong magic or version is refused as soon as those bytes are
 * in, without waiting for the rest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "request.h"

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static enum request_status invalid(char *why, size_t whylen, const char *fmt,
				   ...) __attribute__((format(printf, 3, 4)));

static enum request_status invalid(char *why, size_t whylen, const char *fmt,
				   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return REQUEST_INVALID;
}

static void copy_descr(char *dst, const uint8_t *src, size_t len)
{
	size_t i;

	while (len > 0 && src[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[len] = '\0';
}

/**
 * request_parse() - check the bytes of a control request received so far
 * @buf:	bytes received
 * @len:	how many
 * @req:	filled in when the request is complete
 * @why:	on REQUEST_INVALID, the reason, for the log
 * @whylen:	size of @why
 *
 * Return: REQUEST_INVALID, REQUEST_INCOMPLETE or REQUEST_COMPLETE
 */
enum request_status request_parse(const uint8_t *buf, size_t len,
				  struct vde_request *req, char *why,
				  size_t whylen)
{
	const uint32_t magic = VDE_MAGIC;
	size_t hdr, off_sun, i;
	uint32_t version, type;
	uint16_t family;

	if (memcmp(buf, &magic, len < 4 ? len : 4))
		return invalid(why, whylen,
			       "bad magic (not a VDE request, %lu bytes)",
			       (unsigned long)len);
	if (len < 8)
		return REQUEST_INCOMPLETE;

	version = get_u32(buf + 4);
	if (version == 3) {
		hdr = VDE_V3_HDR;
		off_sun = VDE_V3_OFF_SUN;
	} else if (version <= 1) {
		/* v1 has no version field: this is its request type */
		hdr = VDE_V1_HDR;
		off_sun = VDE_V1_OFF_SUN;
	} else {
		return invalid(why, whylen,
			       "unsupported protocol version %u",
			       version);
	}
	if (len > hdr + VDE_MAXDESCR)
		return invalid(why, whylen,
			       "oversized request: %lu bytes, at most %lu",
			       (unsigned long)len,
			       (unsigned long)(hdr + VDE_MAXDESCR));
	if (version == 3 && len >= 12) {
		type = get_u32(buf + VDE_V3_OFF_TYPE);
		if ((type & 0xff) > VDE_REQ_NEW_PORT0)
			return invalid(why, whylen,
				       "unknown request type %u",
				       type & 0xff);
	}
	if (len < hdr)
		return REQUEST_INCOMPLETE;

	memcpy(&family, buf + off_sun, sizeof(family));
	if (family != AF_UNIX)
		return invalid(why, whylen,
			       "client address family %u is not AF_UNIX",
			       family);

	memset(req, 0, sizeof(*req));
	if (version == 3) {
		type = get_u32(buf + VDE_V3_OFF_TYPE);
		req->version = 3;
		req->type = type & 0xff;
		req->port = type >> 8;
	} else {
		req->version = 1;
		req->type = version;
		req->port = 0;
	}
	if (req->type == VDE_REQ_NEW_PORT0 && req->port)
		return invalid(why, whylen,
			       "port 0 request also names port %u",
			       req->port);

	for (i = 0; i < VDE_SUN_PATH; i++) {
		char c = (char)buf[off_sun + 2 + i];

		if (c == '\0')
			break;
		req->path[i] = c;
	}
	req->path[i] = '\0';
	if (i == 0)
		return invalid(why, whylen,
			       "empty client socket path");

	copy_descr(req->descr, buf + hdr, len - hdr);
	return REQUEST_COMPLETE;
}
