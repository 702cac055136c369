/* SPDX-License-Identifier: GPL-2.0-or-later
 * daemon.h - going to the background only once ready, and pidfiles:
 * shared by patchbay and patchbay-tap.
 */
#ifndef PATCHBAY_DAEMON_H
#define PATCHBAY_DAEMON_H

int daemon_start(void);
void daemon_ready(int fd);
int pidfile_write(const char *path);

#endif /* PATCHBAY_DAEMON_H */
