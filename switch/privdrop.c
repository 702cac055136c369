/* SPDX-License-Identifier: GPL-2.0-or-later
 * privdrop.c - the switch gives up root after start-up (--user).
 *
 * A switch is often started as root because -t TAPs need CAP_NET_ADMIN;
 * once its sockets, TAPs, rc file and pidfile are set up it needs none of
 * root's powers, and keeping them turns any bug into a root compromise.
 * With --user USER[:GROUP] it becomes that user and group (USER's own
 * group unless GROUP is given), supplementary groups cleared, every
 * capability and the bounding set dropped through libcap-ng (Debian's
 * libcap-ng-dev: the well-kept library for exactly this dance, keepcaps
 * and all) — except CAP_NET_ADMIN with --keep-net-admin, so that
 * port/attach tap://... still works at run time.
 *
 * The names are checked when the options are read, before -d forks: a user
 * or group that does not exist, root itself, or a switch not started as
 * root is refused there with the reason. What the switch must remove on
 * exit (its control directory's sockets, the console socket, the pidfile)
 * is handed to USER first (privdrop_give()).
 */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "privdrop.h"

/* A passwd entry by name, or by number if the name is one. */
static struct passwd *find_user(const char *name)
{
	struct passwd *pw = getpwnam(name);
	unsigned long v;

	if (!pw && parse_ulong(name, 10, 0, UINT_MAX - 1, &v) == 0)
		pw = getpwuid((uid_t)v);
	return pw;
}

static struct group *find_group(const char *name)
{
	struct group *gr = getgrnam(name);
	unsigned long v;

	if (!gr && parse_ulong(name, 10, 0, UINT_MAX - 1, &v) == 0)
		gr = getgrgid((gid_t)v);
	return gr;
}

/**
 * privdrop_parse() - check --user USER[:GROUP] and fill @pd
 * @pd:		filled in (pd->keep_net_admin is left as it is)
 * @arg:	the option's value
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * Return: 0, -EPERM (not root), -ENOENT (no such user or group), -EINVAL
 * (root, or a malformed value)
 */
int privdrop_parse(struct privdrop *pd, const char *arg, char *err,
		   size_t errlen)
{
	char name[sizeof(pd->user)], *colon;
	const char *gname = NULL;
	struct passwd *pw;
	struct group *gr;

	if ((size_t)snprintf(name, sizeof(name), "%s", arg) >= sizeof(name) ||
	    !*arg) {
		snprintf(err, errlen, "--user '%s': not a user name", arg);
		return -EINVAL;
	}
	colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		gname = colon + 1;
		if (!*name || !*gname) {
			snprintf(err, errlen, "--user '%s': USER or "
				 "USER:GROUP", arg);
			return -EINVAL;
		}
	}
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user %s: only a switch started as "
			 "root can change to another user (this one runs as "
			 "uid %u)", arg, (unsigned)geteuid());
		return -EPERM;
	}
	pw = find_user(name);
	if (!pw) {
		snprintf(err, errlen, "--user %s: no such user", name);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "--user %s: that is root; give the "
			 "unprivileged user the switch should run as", name);
		return -EINVAL;
	}
	pd->uid = pw->pw_uid;
	pd->gid = pw->pw_gid;
	snprintf(pd->user, sizeof(pd->user), "%s", pw->pw_name);
	if (gname) {
		gr = find_group(gname);
		if (!gr) {
			snprintf(err, errlen, "--user %s: no such group '%s'",
				 arg, gname);
			return -ENOENT;
		}
		pd->gid = gr->gr_gid;
	} else {
		gr = getgrgid(pd->gid);
	}
	if (pd->gid == 0) {
		snprintf(err, errlen, "--user %s: group root would keep root's "
			 "files open to the switch; give another group", arg);
		return -EINVAL;
	}
	if (gr)
		snprintf(pd->group, sizeof(pd->group), "%s", gr->gr_name);
	else
		snprintf(pd->group, sizeof(pd->group), "%u",
			 (unsigned)pd->gid);
	pd->on = true;
	return 0;
}

/**
 * privdrop_give() - hand a file or directory the switch removes on exit to
 * the user it will run as
 * @pd:		the --user settings (nothing happens if off)
 * @path:	the file or directory
 * @dir:	a directory: its group stays (vde_switch's -g), else the
 *		group becomes GROUP too
 *
 * Return: 0, or -errno
 */
int privdrop_give(const struct privdrop *pd, const char *path, bool dir)
{
	if (!pd->on || !path)
		return 0;
	if (chown(path, pd->uid, dir ? (gid_t)-1 : pd->gid))
		return -errno;
	return 0;
}

static const char *capng_error(int rc)
{
	switch (rc) {
	case -2:
		return "cannot keep capabilities across the change (keepcaps)";
	case -3:
		return "cannot change the group (setresgid)";
	case -4:
		return "cannot clear the supplementary groups (setgroups)";
	case -5:
		return "cannot change the user (setresuid)";
	case -6:
		return "cannot clear keepcaps";
	case -7:
		return "cannot apply the capabilities";
	case -8:
		return "cannot clear the bounding set";
	default:
		return "libcap-ng could not start";
	}
}

/**
 * privdrop_apply() - become USER:GROUP with no supplementary groups, no
 * capabilities but CAP_NET_ADMIN if asked, an empty bounding set
 * @pd:		the --user settings (nothing happens if off)
 * @err:	on failure, why
 * @errlen:	size of @err
 *
 * Checked afterwards: root cannot be had back.
 *
 * Return: 0, or -EPERM
 */
int privdrop_apply(const struct privdrop *pd, char *err, size_t errlen)
{
	uid_t r, e, s;
	int rc;

	if (!pd->on)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	if (pd->keep_net_admin &&
	    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			 CAP_NET_ADMIN)) {
		snprintf(err, errlen, "--keep-net-admin: libcap-ng refused "
			 "CAP_NET_ADMIN");
		return -EPERM;
	}
	rc = capng_change_id((int)pd->uid, (int)pd->gid,
			     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc) {
		snprintf(err, errlen, "--user %s:%s: %s (%s)", pd->user,
			 pd->group, capng_error(rc), strerror(errno));
		return -EPERM;
	}
	if (getresuid(&r, &e, &s) || r != pd->uid || e != pd->uid ||
	    s != pd->uid || setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: the change did not hold",
			 pd->user);
		return -EPERM;
	}
	return 0;
}

/**
 * privdrop_describe() - who the process runs as, in one line
 * @buf:	"uid 65534 (nobody), gid 65534 (nogroup), no supplementary
 *		groups, capabilities: net_admin"
 * @len:	size of @buf
 */
void privdrop_describe(char *buf, size_t len)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	struct passwd *pw = getpwuid(uid);
	struct group *gr = getgrgid(gid);
	int ngroups = getgroups(0, NULL);
	char *caps = NULL, groups[48];
	const char *c;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() == 0)
		caps = capng_print_caps_text(CAPNG_PRINT_BUFFER,
					     CAPNG_EFFECTIVE);
	switch (capng_have_capabilities(CAPNG_SELECT_CAPS)) {
	case CAPNG_FULL:
		c = "all";
		break;
	case CAPNG_NONE:
		c = "none";
		break;
	default:
		c = caps ? caps : "some";
		break;
	}
	if (ngroups <= 0)
		snprintf(groups, sizeof(groups), "no supplementary groups");
	else
		snprintf(groups, sizeof(groups), "%d supplementary group%s",
			 ngroups, ngroups == 1 ? "" : "s");
	snprintf(buf, len, "uid %u (%s), gid %u (%s), %s, capabilities: %s",
		 (unsigned)uid, pw ? pw->pw_name : "?", (unsigned)gid,
		 gr ? gr->gr_name : "?", groups, c);
	free(caps);
}
