/* SPDX-License-Identifier: GPL-2.0-or-later
 * pairbackend.h - a backend for unit tests: one end of a datagram
 * socketpair is the endpoint, the test holds the other.
 */
#ifndef PATCHBAY_PAIRBACKEND_H
#define PATCHBAY_PAIRBACKEND_H

#include <stdbool.h>

struct sw;
struct pairep;

struct pairep *pairep_attach(struct sw *sw, unsigned port, bool pad,
			     int *peer);
struct endpoint *pairep_endpoint(struct pairep *pe);
extern unsigned pairep_closed;	/* how many ops->close calls so far */

#endif /* PATCHBAY_PAIRBACKEND_H */
