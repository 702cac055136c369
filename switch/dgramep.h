/* SPDX-License-Identifier: GPL-2.0-or-later
 * dgramep.h - UDP cables (dgram://, udp://, mcast://) as switch ports.
 */
#ifndef PATCHBAY_DGRAMEP_H
#define PATCHBAY_DGRAMEP_H

struct sw;
struct dgram_backend;

struct dgram_backend *dgramep_backend_create(struct sw *sw);

#endif /* PATCHBAY_DGRAMEP_H */
