/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl.h - patchbay-ctl, the management console client: what its modes
 * (one command, a script on stdin, --follow, the interactive terminal in
 * ctl_term.c) share.
 */
#ifndef PATCHBAY_CTL_H
#define PATCHBAY_CTL_H

#include <stdbool.h>

#include "ctl_conn.h"

/* Exit statuses (documented in patchbay-ctl(1)) */
enum ctl_exit {
	CTL_EXIT_OK = 0,	/* success */
	CTL_EXIT_CMD = 1,	/* the switch answered an error status */
	CTL_EXIT_USAGE = 2,	/* bad options or a command that cannot be sent */
	CTL_EXIT_CONN = 3,	/* no connection, timeout, protocol error */
};

/**
 * struct ctl - one run of patchbay-ctl
 * @sock:	the console socket's path
 * @json:	--json: bodies and asynchronous lines as JSON
 * @show_status: print the status text of successful commands too
 *		(interactive use)
 * @conn:	the connection
 * @reply:	the last command's reply
 * @ended:	the switch ended the session (9999)
 */
struct ctl {
	const char *sock;
	bool json;
	bool show_status;
	struct ctl_conn conn;
	struct ctl_reply reply;
	bool ended;
};

int ctl_run(struct ctl *x, const char *cmd, bool want_prompt);
void ctl_print_async(void *arg, const char *line);
int ctl_conn_error(const struct ctl *x, int rc);
int ctl_term_run(struct ctl *x, const struct ctl_reply *banner);

#endif /* PATCHBAY_CTL_H */
