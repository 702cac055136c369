/* SPDX-License-Identifier: GPL-2.0-or-later
 * dgramep.h - UDP cables (dgram://, udp://, mcast://) as switch ports.
 */
#ifndef PATCHBAY_DGRAMEP_H
#define PATCHBAY_DGRAMEP_H

#include <stddef.h>

struct sa;
struct sw;
struct dgram_backend;

struct dgram_backend *dgramep_backend_create(struct sw *sw);
int dgram_url_unicast(const char *rest, struct sa *local, struct sa *remote,
		      char *err, size_t errlen);
int dgram_url_group(const char *rest, struct sa *group, size_t *alen,
		    char *err, size_t errlen);

#endif /* PATCHBAY_DGRAMEP_H */
