/* SPDX-License-Identifier: GPL-2.0-or-later
 * runtest.h - helpers for tests that start patchbay-run, an emulator or
 * QEMU: processes known by pid, files waited for, the sockets a process
 * holds, and a minimal QMP client. Every process started here is killed
 * (by its pid) in rt_cleanup() if the test left it running.
 */
#ifndef PATCHBAY_RUNTEST_H
#define PATCHBAY_RUNTEST_H

#include <stdbool.h>
#include <sys/types.h>

/* Fork and exec @argv (stdin /dev/null, stdout and stderr appended to
 * @errlog); no fd above 2 is inherited. Aborts the test on failure. */
pid_t rt_spawn(const char *const argv[], const char *errlog);
/* Wait up to @ms for @pid; true with its raw wait status in @status. */
bool rt_wait(pid_t pid, int ms, int *status);
/* SIGKILL and reap every process rt_spawn() started and no one reaped. */
void rt_cleanup(void);
/* The whole file, NUL-terminated (free() it), or NULL. */
char *rt_slurp(const char *path);
/* Wait up to @ms for @path to exist. */
bool rt_wait_file(const char *path, int ms);
/* How many AF_UNIX datagram sockets @pid holds (/proc/PID/fd matched
 * against /proc/net/unix); -1 if it cannot be read. */
int rt_unix_dgrams(pid_t pid);

/* QMP on the unix socket @path of a starting QEMU @pid: connect within
 * @ms, read the greeting, enable commands. Return: the fd, or -1. */
int rt_qmp_open(const char *path, pid_t pid, int ms);
/* Send @cmd (one JSON line); true once it returns, false on error. */
bool rt_qmp(int fd, const char *cmd, int ms);
/* The RARPs QEMU's announce-self sends: two rounds, 50 ms apart. */
bool rt_qmp_announce(int fd, int ms);

#endif /* PATCHBAY_RUNTEST_H */
