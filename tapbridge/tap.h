/* SPDX-License-Identifier: GPL-2.0-or-later
 * tap.h - the TAP backend: a switch port pinned to a kernel TAP device,
 * configured through netlink (netlink.h).
 */
#ifndef PATCHBAY_TAP_H
#define PATCHBAY_TAP_H

#include <stddef.h>

#include "netlink.h"

struct sw;
struct tap_backend;

/* One TAP to attach: its name and how netlink configures it. */
struct tap_spec {
	const char *ifname;
	struct tapnl_config nl;
};

void tap_spec_init(struct tap_spec *spec, const char *ifname);
struct tap_backend *tap_backend_create(struct sw *sw);
int tap_attach(struct tap_backend *tb, const struct tap_spec *spec,
	       unsigned port, char *err, size_t errlen);
int tap_open(const char *ifname, char *name, char *err, size_t errlen);
int tap_open_flags(const char *ifname, int flags, char *name, char *err,
		   size_t errlen);

#endif /* PATCHBAY_TAP_H */
