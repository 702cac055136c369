/* SPDX-License-Identifier: GPL-2.0-or-later
 * streamep.h - QEMU's stream cables (stream+listen://, stream+connect://)
 * as switch ports.
 */
#ifndef PATCHBAY_STREAMEP_H
#define PATCHBAY_STREAMEP_H

#include <stdbool.h>
#include <stddef.h>

struct sa;
struct sw;
struct stream_backend;

struct stream_backend *streamep_backend_create(struct sw *sw);
int stream_url_addr(const char *rest, bool listen, struct sa *out, char *err,
		    size_t errlen);

#endif /* PATCHBAY_STREAMEP_H */
