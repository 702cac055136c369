/* SPDX-License-Identifier: GPL-2.0-or-later
 * datasock.h - the VDE control socket DIR/ctl and its clients' data sockets.
 */
#ifndef PATCHBAY_DATASOCK_H
#define PATCHBAY_DATASOCK_H

struct sw;

struct datasock *datasock_create(struct sw *sw, char *err, unsigned errlen);
void datasock_destroy(struct datasock *ds);
void datasock_tick(struct datasock *ds);
const char *datasock_dir(const struct datasock *ds);

#endif /* PATCHBAY_DATASOCK_H */
