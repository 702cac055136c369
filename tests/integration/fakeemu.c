/* SPDX-License-Identifier: GPL-2.0-or-later
 * fakeemu.c - a stand-in emulator for patchbay-run's tests.
 *
 * It takes QEMU-style arguments, finds every "fd=N" in the values of
 * -nic/-netdev/-net, and reports what it was given in the file named by
 * $FAKEEMU_REPORT (written whole, then renamed into place):
 *
 *   pid PID
 *   arg I TEXT               every argument, in order
 *   fd N TYPE FAMILY PEER    each fd= it was given: dgram/stream/none,
 *                            unix/inet/other, the peer's path or "-"
 *   open N...                every fd it holds above 2
 *
 * Then it sends $FAKEEMU_FRAMES broadcast frames of $FAKEEMU_LEN bytes
 * (default 60) on each fd, from 02:fe:00:00:00:<index>. With
 * $FAKEEMU_EXIT it exits with that status; otherwise it echoes every frame
 * it receives back to its sender's MAC until a signal (HUP, INT, TERM,
 * USR1) arrives, which it records as "signal N" in $FAKEEMU_REPORT.sig
 * before exiting with 100 + N.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 8
#define FRAME_MAX 9234

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* The fd= of a network option value, or -1. */
static int fd_param(const char *v)
{
	const char *p = strstr(v, "fd=");

	if (!p || (p != v && p[-1] != ','))
		return -1;
	return atoi(p + 3);
}

static void describe(FILE *f, int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(int);
	int type;

	fprintf(f, "fd %d ", fd);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)) {
		fprintf(f, "none - -\n");
		return;
	}
	fprintf(f, "%s ", type == SOCK_DGRAM ? "dgram"
			  : type == SOCK_STREAM ? "stream" : "other");
	len = sizeof(sun);
	memset(&sun, 0, sizeof(sun));
	if (getpeername(fd, (struct sockaddr *)&sun, &len)) {
		getsockname(fd, (struct sockaddr *)&sun, &len);
		fprintf(f, "%s -\n", sun.sun_family == AF_UNIX ? "unix"
				     : sun.sun_family == AF_INET ? "inet"
								 : "other");
		return;
	}
	fprintf(f, "%s %s\n", sun.sun_family == AF_UNIX ? "unix" : "other",
		sun.sun_family == AF_UNIX && sun.sun_path[0] ? sun.sun_path
							     : "-");
}

static void report(int argc, char **argv, const int *fds, int nfds)
{
	const char *path = getenv("FAKEEMU_REPORT");
	char tmp[4096];
	struct dirent *e;
	DIR *d;
	FILE *f;
	int i;

	if (!path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		exit(90);
	fprintf(f, "pid %d\n", (int)getpid());
	for (i = 1; i < argc; i++)
		fprintf(f, "arg %d %s\n", i, argv[i]);
	for (i = 0; i < nfds; i++)
		describe(f, fds[i]);
	fprintf(f, "open");
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d) &&
		    fd != fileno(f))
			fprintf(f, " %d", fd);
	}
	if (d)
		closedir(d);
	fprintf(f, "\n");
	if (fclose(f) || rename(tmp, path))
		exit(91);
}

static void send_frames(const int *fds, int nfds)
{
	const char *n = getenv("FAKEEMU_FRAMES"), *l = getenv("FAKEEMU_LEN");
	static unsigned char f[FRAME_MAX];
	size_t len = l ? (size_t)atoi(l) : 60;
	int i, k, count = n ? atoi(n) : 0;

	if (len < 14 || len > sizeof(f))
		exit(92);
	for (i = 0; i < nfds; i++) {
		memset(f, 0xff, 6);
		memcpy(f + 6, "\x02\xfe\x00\x00\x00", 5);
		f[11] = (unsigned char)i;
		f[12] = 0x88;
		f[13] = 0xb5;	/* local experimental ethertype */
		for (k = 0; k < count; k++) {
			memset(f + 14, k, len - 14);
			if (send(fds[i], f, len, 0) != (ssize_t)len)
				exit(93);
		}
	}
}

static void echo_loop(const int *fds, int nfds)
{
	static unsigned char f[FRAME_MAX + 1];
	struct pollfd p[MAX_FDS];
	int i;

	for (i = 0; i < nfds; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	while (!got_signal) {
		if (poll(p, (nfds_t)nfds, -1) < 0)
			continue;
		for (i = 0; i < nfds; i++) {
			ssize_t n;

			if (!(p[i].revents & POLLIN))
				continue;
			n = recv(fds[i], f, sizeof(f), MSG_DONTWAIT);
			if (n < 14)
				continue;
			memcpy(f, f + 6, 6);
			memcpy(f + 6, "\x02\xfe\x00\x00\x00", 5);
			f[11] = (unsigned char)i;
			send(fds[i], f, (size_t)n, 0);
		}
	}
}

int main(int argc, char **argv)
{
	const char *ex = getenv("FAKEEMU_EXIT"), *path;
	int fds[MAX_FDS], nfds = 0, i;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 1; i + 1 < argc && nfds < MAX_FDS; i++) {
		if (strcmp(argv[i], "-nic") && strcmp(argv[i], "-netdev") &&
		    strcmp(argv[i], "-net"))
			continue;
		fds[nfds] = fd_param(argv[++i]);
		if (fds[nfds] >= 0)
			nfds++;
	}
	report(argc, argv, fds, nfds);
	send_frames(fds, nfds);
	if (ex)
		return atoi(ex);
	echo_loop(fds, nfds);
	path = getenv("FAKEEMU_REPORT");
	if (path) {
		char sig[4096];
		FILE *f;

		snprintf(sig, sizeof(sig), "%s.sig", path);
		f = fopen(sig, "w");
		if (f) {
			fprintf(f, "signal %d\n", (int)got_signal);
			fclose(f);
		}
	}
	return 100 + got_signal;
}
