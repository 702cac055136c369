/* SPDX-License-Identifier: GPL-2.0-or-later
 * csum.c - the Internet checksum (RFC 1071).
 *
 * The ones'-complement sum does not depend on byte order (RFC 1071 §2(B)):
 * csum_partial() adds the buffer as native 32-bit words into a 64-bit
 * accumulator, folds to 16 bits and swaps once into big-endian terms. A
 * piece that starts at an odd offset of the checksummed data has its sum
 * byte-swapped before it is added (§2(B) again): inet_csum() tracks that
 * across iovecs.
 */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"

/**
 * csum_add() - add a 16- or 32-bit quantity to a partial sum
 * @sum:	a partial sum
 * @v:		host-order value of big-endian words (e.g. a pseudo-header's
 *		length, or another partial sum)
 *
 * Return: the partial sum, the carry folded back in
 */
uint32_t csum_add(uint32_t sum, uint32_t v)
{
	uint64_t t = (uint64_t)sum + v;

	return (uint32_t)((t & 0xffffffffU) + (t >> 32));
}

/* The native-order 16-bit ones'-complement sum of @len bytes at @p. */
static uint16_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;
	uint32_t a, b;
	uint16_t h;

	while (len >= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += a;
		acc += b;
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&a, p, 4);
		acc += a;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };	/* padded with a zero byte */

		memcpy(&h, last, 2);
		acc += h;
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/**
 * csum_partial() - add a buffer to a partial sum
 * @buf:	the bytes; their first byte is the high byte of a 16-bit word
 * @len:	their length; an odd last byte counts as padded with a zero
 * @sum:	the partial sum so far
 *
 * Return: the new partial sum
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	return csum_add(sum, ntohs(sum_native(buf, len)));
}

/**
 * csum_fold() - the checksum a header stores, from a partial sum
 * @sum:	the partial sum over everything the checksum covers
 *
 * Return: the ones' complement of the folded sum, host order
 */
uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * inet_csum() - the checksum over an iovec array
 * @iov:	the pieces, in order; any length, odd ones too
 * @iovcnt:	their number
 * @sum:	a partial sum to start from (a pseudo-header's), or 0
 *
 * Return: the folded, complemented checksum, host order
 */
uint16_t inet_csum(const struct iovec *iov, size_t iovcnt, uint32_t sum)
{
	size_t i;
	int odd = 0;

	for (i = 0; i < iovcnt; i++) {
		uint16_t s;

		if (!iov[i].iov_len)
			continue;
		s = ntohs(sum_native(iov[i].iov_base, iov[i].iov_len));
		if (odd)
			s = (uint16_t)(s << 8 | s >> 8);
		sum = csum_add(sum, s);
		odd ^= (int)(iov[i].iov_len & 1);
	}
	return csum_fold(sum);
}
