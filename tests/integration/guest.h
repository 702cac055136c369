/* SPDX-License-Identifier: GPL-2.0-or-later
 * guest.h - real QEMU guests for integration tests.
 *
 * The image (a Debian cloud kernel and a busybox initramfs) comes from
 * tests/guest/mkguest.sh, built on first use and cached. A guest boots
 * under TCG with one virtio-net NIC on a -netdev the caller gives, and does
 * what its kernel command line says: pb.ip= and the steps of pb.do= (ping,
 * serve, fetch, send, recv, sleep, idle: see tests/guest/init). It reports
 * on its serial console, which QEMU writes to a file:
 *   PB-BOOT, PB-READY <addr>, PB-LISTEN <port>,
 *   PB-RESULT <step> ok|fail [details], PB-DONE ok|fail <n>
 * and then powers off, so QEMU exits with status 0 (-no-reboot).
 *
 * Every QEMU is forked here (or by the caller's wrapper, which must hand
 * its pid over through -pidfile): it is stopped by that pid only.
 */
#ifndef PATCHBAY_GUEST_H
#define PATCHBAY_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define GUEST_BOOT_MS 60000	/* boot to PB-READY, TCG on a busy machine */
#define GUEST_MEM "128M"	/* guest RAM (and its memfd when shared) */
#define GUEST_STEP_MS 60000	/* one step of pb.do (pings, a 1 MiB copy) */

struct guest_image {
	char kernel[512];	/* vmlinuz */
	char initrd[512];	/* initrd.gz */
};

/* What to boot and how to plug it in. Zero fields are defaults. */
struct guest_spec {
	const char *dir;	/* where its files go (the test's tmp dir) */
	const char *name;	/* tag in their names: serial-NAME.log, ... */
	const char *netdev;	/* -netdev, without id: "vde,sock=DIR" */
	bool nic;		/* -nic NETDEV,model=virtio-net-pci,mac=
				 * instead of -netdev and -device */
	const char *mac;	/* the NIC's MAC, "52:54:00:12:34:56" */
	const char *ip;		/* pb.ip: "198.18.0.11/24", or NULL */
	const char *steps;	/* pb.do: "ping:198.18.0.1:1472:3,...", or NULL */
	const char *append;	/* more kernel parameters, or NULL */
	/* a launcher run instead of QEMU, QEMU's command line appended
	 * to it: {"/path/run", "--opt", NULL}, or NULL */
	const char *const *wrapper;
	int pass_fd;		/* an fd > 2 QEMU inherits (socket,fd=N); 0 */
	/* vhost-user: "-chardev" and its argument, RAM shared with the back
	 * end (-object memory-backend-memfd,share=on as -numa node's
	 * memory), and more -device options (",vectors=0") */
	const char *chardev;	/* "socket,id=c0,path=P,reconnect=1" */
	bool shared_mem;
	const char *device_opts;
};

struct guest {
	pid_t pid;		/* forked here: QEMU, or the wrapper */
	char serial[256];	/* the serial console log */
	char errlog[256];	/* QEMU's (and the wrapper's) stdout/stderr */
	char pidfile[256];	/* QEMU's -pidfile */
};

/*
 * guest_image() - find or build the image with tests/guest/mkguest.sh
 * (progress on stderr the first time). Skips the test when it cannot be
 * had on this machine (no Debian mirror, busybox-static or cpio missing),
 * fails it so under CI=true, and fails it when the build failed. The
 * first build downloads the kernel: call this before entering a network
 * namespace of the test's own (guest_start() calls it too).
 * Return: the image's paths (static storage).
 */
const struct guest_image *guest_image(void);

/*
 * guest_start() - boot a guest: QEMU under TCG, GUEST_MEM, serial console to
 * @g->serial. Skips the test (fails it under CI=true) if QEMU is missing.
 * Returns once QEMU runs (has written its pidfile); use guest_wait() for
 * its progress.
 */
void guest_start(struct guest *g, const struct guest_spec *spec);

/*
 * guest_wait() - wait up to @ms for a serial console line starting with
 * @prefix. The line (without its newline) goes to @line when non-NULL.
 * Return: true if it came; false on timeout or when QEMU exited first
 * (its output is then logged: a bad -netdev shows so).
 */
bool guest_wait(const struct guest *g, const char *prefix, char *line,
		size_t len, int ms);

/*
 * guest_result() - wait up to @ms for the PB-RESULT line of @step (as
 * written in pb.do); fails the test, quoting the serial log, if none
 * comes. What follows "ok" or "fail" goes to @details ("3/3",
 * "1048576 <sha256>").
 * Return: true if the step succeeded.
 */
bool guest_result(const struct guest *g, const char *step, char *details,
		  size_t len, int ms);

/*
 * guest_wait_exit() - wait up to @ms for the process forked by
 * guest_start() to exit by itself (the guest powering off).
 * Return: its exit status, 128 + signal, or -1 on timeout (or if it was
 * never started or already reaped).
 */
int guest_wait_exit(struct guest *g, int ms);

/*
 * guest_qemu_pid() - QEMU's pid from its pidfile.
 * Return: the pid, or -1 if there is none yet.
 */
pid_t guest_qemu_pid(const struct guest *g);

/*
 * guest_kill() - stop the guest: SIGTERM to QEMU (by its pidfile, when a
 * wrapper started it) and to the process forked here, SIGKILL if they
 * linger. Does nothing for a guest not started or already gone; call it
 * from a suite's .fini.
 */
void guest_kill(struct guest *g);

/*
 * guest_helper() - a host-side helper of the test (nc, vde_plug): "sh -c
 * @script" in the background, stdout and stderr appended to @log, in the
 * network namespace at path @netns ("/proc/PID/ns/net") or, if NULL, the
 * test's. Remembered until reaped, for guest_helpers_stop().
 * Return: its pid (fails the test if it cannot start).
 */
pid_t guest_helper(const char *netns, const char *script, const char *log);

/*
 * guest_helper_wait() - wait up to @ms for a helper to exit.
 * Return: its exit status, 128 + signal, or -1 on timeout or error.
 */
int guest_helper_wait(pid_t pid, int ms);

/* guest_helpers_stop() - SIGTERM to every helper not reaped yet, SIGKILL
 * after 5 s; for a suite's .fini. */
void guest_helpers_stop(void);

/*
 * guest_file_sum() - "BYTES SHA256" of a file, as a guest's send, fetch,
 * serve and recv steps print them; fails the test if it cannot.
 */
void guest_file_sum(const char *path, char *out, size_t len);

/* The serial log so far, NUL-terminated; free() it. */
char *guest_log_read(const struct guest *g);

#endif /* PATCHBAY_GUEST_H */
