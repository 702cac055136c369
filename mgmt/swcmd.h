/* SPDX-License-Identifier: GPL-2.0-or-later
 * swcmd.h - the switch's console commands (port/, vlan/, hash/, ds/,
 * fstp/, plugin/ and the showinfo lines) and its debug events.
 *
 * One file per command family; each handler calls the switch's front-end
 * API (switch/sw.h) and returns 0 or -errno. Nothing here keeps a copy of
 * the switch's state or writes its structures. The dependency runs one
 * way: the switch does not know the console exists; the console listens
 * to the switch's events (struct sw_listener).
 */
#ifndef PATCHBAY_MGMT_SWCMD_H
#define PATCHBAY_MGMT_SWCMD_H

#include "mgmt.h"
#include "sw.h"

struct datasock;

struct swcmd {
	struct sw *sw;
	struct datasock *ds;
	struct mgmt *m;
	struct sw_listener listener;
};

int swcmd_register(struct swcmd *c, struct mgmt *m, struct sw *sw,
		   struct datasock *ds);
void swcmd_unregister(struct swcmd *c);
void swcmd_showinfo(void *arg, struct mgmt_out *out);

/* one per family, called by swcmd_register() */
int cmd_port_register(struct swcmd *c);
int cmd_vlan_register(struct swcmd *c);
int cmd_hash_register(struct swcmd *c);
int cmd_info_register(struct swcmd *c);
int cmd_fstp_register(struct swcmd *c);	/* by cmd_info_register() */

/* shared by the families */
int swcmd_port_arg(const struct swcmd *c, const char *s, unsigned *num);
int swcmd_flag_arg(const char *s, bool *on);
const char *swcmd_user(uid_t uid, char *buf, size_t len);
const char *swcmd_group(gid_t gid, char *buf, size_t len);

#endif /* PATCHBAY_MGMT_SWCMD_H */
