/* SPDX-License-Identifier: GPL-2.0-or-later
 * privdrop.h - the switch gives up root after start-up (--user).
 */
#ifndef PATCHBAY_PRIVDROP_H
#define PATCHBAY_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privdrop {
	bool on;		/* --user given */
	bool keep_net_admin;	/* --keep-net-admin: TAPs at run time */
	uid_t uid;
	gid_t gid;
	char user[64];
	char group[64];
};

int privdrop_parse(struct privdrop *pd, const char *arg, char *err,
		   size_t errlen);
int privdrop_give(const struct privdrop *pd, const char *path, bool dir);
int privdrop_apply(const struct privdrop *pd, char *err, size_t errlen);
void privdrop_describe(char *buf, size_t len);

#endif /* PATCHBAY_PRIVDROP_H */
