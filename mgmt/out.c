/* SPDX-License-Identifier: GPL-2.0-or-later
 * out.c - bounded text buffer for console replies (see out.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

/**
 * mgmt_out_init() - make an empty buffer
 * @o:		the buffer
 * @max:	the most bytes it will hold
 */
void mgmt_out_init(struct mgmt_out *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
}

/**
 * mgmt_out_free() - release the memory of a buffer (it stays usable, empty)
 * @o:		the buffer
 */
void mgmt_out_free(struct mgmt_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
	o->overflow = false;
}

/**
 * mgmt_out_reset() - forget the contents, keep the memory
 * @o:		the buffer
 */
void mgmt_out_reset(struct mgmt_out *o)
{
	o->len = 0;
	o->overflow = false;
	if (o->buf)
		o->buf[0] = '\0';
}

/* Room for @need more bytes plus a NUL. Return: 0 or -ENOBUFS/-ENOMEM */
static int out_reserve(struct mgmt_out *o, size_t need)
{
	size_t cap;
	char *nbuf;

	if (need > o->max - o->len) {
		o->overflow = true;
		return -ENOBUFS;
	}
	if (o->len + need + 1 <= o->cap)
		return 0;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + need + 1)
		cap *= 2;
	nbuf = realloc(o->buf, cap);
	if (!nbuf) {
		o->overflow = true;
		return -ENOMEM;
	}
	o->buf = nbuf;
	o->cap = cap;
	return 0;
}

/**
 * mgmt_write() - append bytes
 * @o:		the buffer
 * @data:	what to append
 * @len:	its length
 *
 * Return: 0, or -ENOBUFS past the bound (nothing appended, @o->overflow set)
 */
int mgmt_write(struct mgmt_out *o, const void *data, size_t len)
{
	int rc = out_reserve(o, len);

	if (rc)
		return rc;
	memcpy(o->buf + o->len, data, len);
	o->len += len;
	o->buf[o->len] = '\0';
	return 0;
}

/**
 * mgmt_vprintf() - append formatted text
 * @o:		the buffer
 * @fmt:	printf format
 * @ap:		its arguments
 *
 * Return: 0, or -ENOBUFS past the bound (nothing appended), -EINVAL on a
 * format error
 */
int mgmt_vprintf(struct mgmt_out *o, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return mgmt_write(o, small, (size_t)n);
	rc = out_reserve(o, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	o->len += (size_t)n;
	return 0;
}

/**
 * mgmt_printf() - append formatted text
 * @o:		the buffer
 * @fmt:	printf format
 *
 * Return: 0, or -ENOBUFS past the bound (nothing appended)
 */
int mgmt_printf(struct mgmt_out *o, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mgmt_vprintf(o, fmt, ap);
	va_end(ap);
	return rc;
}
