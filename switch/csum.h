/* SPDX-License-Identifier: GPL-2.0-or-later
 * csum.h - the Internet checksum (RFC 1071): ones'-complement sums over
 * buffers and iovecs, folded to the 16 bits an IP, TCP or UDP header holds.
 *
 * Sums are kept as 32-bit partial sums of big-endian 16-bit words (host
 * order values, carries not yet folded), so that pieces can be summed
 * apart and added: a pseudo-header, a header in a scratch buffer, a payload
 * left in place. csum_fold() folds and complements; store its result
 * big-endian (put_be16 / htons).
 */
#ifndef PATCHBAY_CSUM_H
#define PATCHBAY_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

uint32_t csum_add(uint32_t sum, uint32_t v);
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
uint16_t inet_csum(const struct iovec *iov, size_t iovcnt, uint32_t sum);

#endif /* PATCHBAY_CSUM_H */
