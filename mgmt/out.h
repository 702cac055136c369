/* SPDX-License-Identifier: GPL-2.0-or-later
 * out.h - the body of a console reply: a growable text buffer with a hard
 * bound, filled by command handlers with mgmt_printf().
 *
 * A handler never writes to a file descriptor: it appends text here and
 * returns 0 or -errno. The session wraps the text in vde_switch's
 * "0000 DATA END WITH '.'" ... "." frame and adds the status line. Past
 * @max bytes nothing more is kept and @overflow is set; the session then
 * answers -EMSGSIZE instead of a truncated table.
 */
#ifndef PATCHBAY_MGMT_OUT_H
#define PATCHBAY_MGMT_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct mgmt_out {
	char *buf;		/* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max;		/* bound on len */
	bool overflow;		/* something was refused for lack of room */
};

void mgmt_out_init(struct mgmt_out *o, size_t max);
void mgmt_out_free(struct mgmt_out *o);
void mgmt_out_reset(struct mgmt_out *o);
int mgmt_write(struct mgmt_out *o, const void *data, size_t len);
int mgmt_vprintf(struct mgmt_out *o, const char *fmt, va_list ap)
	PB_PRINTF(2, 0);
int mgmt_printf(struct mgmt_out *o, const char *fmt, ...) PB_PRINTF(2, 3);

#endif /* PATCHBAY_MGMT_OUT_H */
