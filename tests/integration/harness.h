/* SPDX-License-Identifier: GPL-2.0-or-later
 * harness.h - start the real patchbay daemon in a temporary directory and
 * talk to it with real clients, for integration tests.
 */
#ifndef PATCHBAY_HARNESS_H
#define PATCHBAY_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libvdeplug.h>

struct pb {
	pid_t pid;
	char tmp[128];		/* mkdtemp directory holding everything */
	char dir[160];		/* the switch's -s directory */
	char log[160];		/* its stderr */
	char out[160];		/* its stdout (the stdin console's replies) */
	char mgmt[160];		/* its console socket (-M) */
	int stdin_fd;		/* write end of its stdin, or -1 */
};

/* Start patchbay -s TMP/sw -M TMP/mgmt --nostdin ARGS... (NULL-terminated);
 * wait for ctl and the console. Aborts the test on failure. */
void pb_start(struct pb *pb, ...);
/* Same, the switch run as nobody:nogroup (setpriv), TMP its own. */
void pb_start_nobody(struct pb *pb, ...);
/* Same, but with a pipe on stdin (no --nostdin). */
void pb_start_stdin(struct pb *pb, ...);
/* SIGTERM, wait, check the directory is gone; return the exit status
 * (or 128 + signal). */
int pb_stop(struct pb *pb);
/* Wait up to @ms for @needle in the switch's log. */
bool pb_log_wait(const struct pb *pb, const char *needle, int ms);
/* The whole log so far, NUL-terminated; free() it. */
char *pb_log_read(const struct pb *pb);
/* Run one console command on pb->mgmt; its body (between the DATA lines)
 * goes to @out (NUL-terminated, may be NULL). Return: 0 for 1000 Success,
 * else the reply code minus 1000 (an errno), or -1 if no reply came. */
int pb_cmd(const struct pb *pb, const char *cmd, char *out, size_t len);
/* A number from port/print N: on the line starting with @label (" IN:",
 * " DROP:"), the number after the word @name ("pkts", "short"). -1 if
 * absent. */
long long pb_port_counter(const struct pb *pb, unsigned port,
			  const char *label, const char *name);
/* Remove the temporary directory. */
void pb_cleanup(struct pb *pb);

/* vde_open on DIR with URL suffix such as "[5]" or "" */
VDECONN *pb_open(const struct pb *pb, const char *suffix, const char *descr);
/* Frames */
size_t mkframe(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
	       size_t len, uint8_t fill);
/* Receive one frame within @ms; return its length, or -1 on timeout. */
ssize_t recv_frame(VDECONN *c, uint8_t *buf, size_t len, int ms);
ssize_t recv_fd(int fd, uint8_t *buf, size_t len, int ms);
/* True when nothing arrives within @ms. */
bool quiet(VDECONN *c, int ms);

/* Wait for a path to exist / not exist, up to @ms. */
bool wait_path(const char *path, bool exists, int ms);
/* Count entries in DIR whose names start with @prefix. */
int count_files(const char *dir, const char *prefix);
/* Wait up to @ms until DIR holds @n entries starting with @prefix. */
bool wait_count(const char *dir, const char *prefix, int n, int ms);
/* Count the switch's data sockets (NNN.F) in DIR. */
int count_datasocks(const char *dir);
/* Connect to DIR/ctl with effective ids @uid/@gid (run as root); return
 * the fd or -errno. */
int connect_ctl_as(const char *dir, uid_t uid, gid_t gid);
/* Enter a network namespace of the test's own (TAP tests): skip without
 * root, fail so under CI=true. */
void pb_enter_netns(void);
/* Run a shell command; return its exit status. */
int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A port of @type (SOCK_STREAM, SOCK_DGRAM) free now on 127.0.0.1. */
unsigned pb_free_port(int type);
/* CPU time (user+sys, clock ticks) used by a process so far. */
long proc_cputicks(pid_t pid);
/* Number of open fds of a process. */
int proc_nfds(pid_t pid);
/* Wait up to @ms until a process has @n open fds. */
bool proc_wait_nfds(pid_t pid, int n, int ms);

extern const uint8_t MAC_BCAST[6];

#endif /* PATCHBAY_HARNESS_H */
