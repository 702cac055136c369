/* SPDX-License-Identifier: GPL-2.0-or-later
 * datasock.h - the VDE control socket DIR/ctl and its clients' data sockets.
 */
#ifndef PATCHBAY_DATASOCK_H
#define PATCHBAY_DATASOCK_H

#include <sys/types.h>

struct sw;

/* How the control directory and its sockets are made (vde_switch's -s, -m,
 * --dirmode, -g, --mgmtmode, --mgmtgroup). */
struct datasock_config {
	const char *dir;	/* control directory */
	unsigned mode;		/* ctl and data sockets */
	unsigned dirmode;
	gid_t group;		/* -g, or PORT_GID_NONE */
	unsigned mgmtmode;	/* port-0 data sockets */
	gid_t mgmtgroup;
};

struct datasock *datasock_create(struct sw *sw,
				 const struct datasock_config *cfg, char *err,
				 unsigned errlen);
const char *datasock_dir(const struct datasock *ds);
unsigned datasock_mode(const struct datasock *ds);

#endif /* PATCHBAY_DATASOCK_H */
