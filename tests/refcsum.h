/* SPDX-License-Identifier: GPL-2.0-or-later
 * refcsum.h - an Internet checksum written the slow, obvious way (RFC 1071:
 * big-endian byte pairs, folded at the end) and big-endian field access,
 * so that tests check switch/csum.c and switch/gso.c against something
 * that shares no code with them.
 */
#ifndef PATCHBAY_REFCSUM_H
#define PATCHBAY_REFCSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void set32(uint8_t *p, uint32_t v)
{
	set16(p, v >> 16);
	set16(p + 2, v & 0xffff);
}

/* The pseudo-header sum of the IPv4 (@v6 0) or IPv6 header at @ip for
 * @len bytes of protocol @proto. */
static inline uint32_t ref_pseudo(const uint8_t *ip, int v6, unsigned proto,
				  size_t len)
{
	uint32_t sum = v6 ? ref_sum(ip + 8, 32, 0) : ref_sum(ip + 12, 8, 0);

	return sum + proto + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
}

/* The TCP or UDP (@proto) checksum of the @len bytes at @seg under the IP
 * header at @ip verifies: everything sums to 0xffff. */
static inline int l4_ok(const uint8_t *ip, int v6, const uint8_t *seg,
			size_t len, unsigned proto)
{
	return ref_fold(ref_sum(seg, len, ref_pseudo(ip, v6, proto, len))) ==
	       0xffff;
}

#endif /* PATCHBAY_REFCSUM_H */
