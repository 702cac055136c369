/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlan.c - the benchmark's VXLAN steps: two patchbay switches in two
 * network namespaces the benchmark creates, joined by a veth underlay
 * (198.18.0.1 and .2, MTU 9000) and VXLAN (VNI 42, UDP 4789, multicast
 * group 239.1.1.42), a batching sender on one, a batching receiver on the
 * other, the same lossless window as the other throughput steps.
 *
 *   patchbay column:    each switch's own vxlan:// port
 *   vde_switch column:  "vde_plug vde://SWITCH vxlan://..." on each side
 *                       (Debian's vdeplug4 relays)
 *
 * Frames are broadcast, so both columns flood them through the group:
 * vdeplug4 4.0.1 cannot unicast to a VTEP it learned (its recvmsg() asks
 * for no sender address, so its sendmsg() to that MAC fails with
 * EDESTADDRREQ), and a unicast run would only measure that bug.
 *
 * The switches' clients talk through their Unix sockets, so only switch B
 * and relay B need namespace B. The benchmark process enters namespace A
 * for the step and returns to its own after; the namespaces go with the
 * processes. Needs root (unshare(CLONE_NEWNET)); without it the step
 * fails, saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pbbench.h"

#define VX_PORTS 8
#define VX_GROUP "239.1.1.42"

/* Run a shell command; 0 if it succeeded. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st)
		fprintf(stderr, "pbbench: failed: %s\n", cmd);
	return st;
}

/**
 * bench_console_cmd() - one command on a patchbay console
 * @mgmt:	its socket
 * @cmd:	the command line
 *
 * Return: 0 on "1000 Success", -1 otherwise (the reply on stderr)
 */
int bench_console_cmd(const char *mgmt, const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t got = 0;
	long long end = now_ns() + 5000000000LL;
	int fd, rc = -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", mgmt);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(fd, "\n", 1) != 1)
		goto out;
	while (got < sizeof(buf) - 1 && now_ns() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "1000 Success")) {
			rc = 0;
			break;
		}
		if (strstr(buf, "\n10") && !strstr(buf, "1000 ")) {
			char *l = strstr(buf, "\n10");

			if (strchr(l + 1, '\n')) {
				fprintf(stderr, "pbbench: %s: %s\n", cmd, buf);
				break;
			}
		}
	}
out:
	close(fd);
	return rc;
}

/* "vde_plug vde://DIR vxlan://..." in the current namespace. */
static pid_t relay_start(const char *dir, const char *ifname,
			 const char *log)
{
	char a[PATH_MAX + 8], b[128];
	pid_t pid;

	snprintf(a, sizeof(a), "vde://%s", dir);
	snprintf(b, sizeof(b), "vxlan://" VX_GROUP "/vni=42/if=%s", ifname);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(nul, 0);
		dup2(nul, 1);
		if (lf >= 0)
			dup2(lf, 2);
		execlp("vde_plug", "vde_plug", a, b, (char *)NULL);
		fprintf(stderr, "exec vde_plug: %s\n", strerror(errno));
		_exit(127);
	}
	reg_pid(pid, SIGTERM);
	return pid;
}

static void relay_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if (wait_pid_ms(pid, 3000, NULL)) {
		kill(pid, SIGKILL);
		wait_pid_ms(pid, 3000, NULL);
	}
	unreg_pid(pid);
}

/* The namespaces and the underlay; the caller is left in A. */
static int underlay(int *nsa, int *nsb)
{
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "pbbench: the vxlan steps need root (network "
			"namespaces): %s\n", strerror(errno));
		return -1;
	}
	*nsa = open("/proc/self/ns/net", O_RDONLY);
	if (*nsa < 0 || sh("ip link set lo up") || unshare(CLONE_NEWNET))
		return -1;
	*nsb = open("/proc/self/ns/net", O_RDONLY);
	if (*nsb < 0 || sh("ip link set lo up && "
			   "ip link add vxb mtu 9000 type veth peer name vxa "
			   "mtu 9000 netns /proc/%d/fd/%d && "
			   "ip addr add 198.18.0.2/24 dev vxb && "
			   "ip link set vxb up", (int)getpid(), *nsa))
		return -1;
	if (setns(*nsa, CLONE_NEWNET))
		return -1;
	return sh("ip addr add 198.18.0.1/24 dev vxa && ip link set vxa up");
}

/**
 * run_vxlan() - one VXLAN measurement
 * @impl:	IMPL_PB: patchbay's vxlan:// ports; IMPL_VDE: vde_plug relays
 * @size:	frame size
 * @dur_ns:	how long the sender sends
 * @rate:	frames per second delivered
 *
 * Return: 0, 1 when the run lost frames or stalled (no figure), -1 when it
 * could not run
 */
int run_vxlan(enum impl impl, unsigned size, long long dur_ns, double *rate)
{
	struct swproc a = { .pid = -1 }, b = { .pid = -1 };
	pid_t ra = -1, rb = -1;
	int home, nsa = -1, nsb = -1, rc = -1;
	bool pb = impl == IMPL_PB;
	char log[PATH_MAX];

	*rate = NAN;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -1;
	if (underlay(&nsa, &nsb) ||
	    sw_start(&a, IMPL_PB, VX_PORTS, pb, NULL))
		goto out;
	if (setns(nsb, CLONE_NEWNET))
		goto out;
	if (sw_start(&b, IMPL_PB, VX_PORTS, pb, NULL))
		goto out_a;
	snprintf(log, sizeof(log), "%s/vxlan.log", a.base);
	if (pb) {
		if (bench_console_cmd(b.mgmt, "port/attach vxlan://" VX_GROUP
					"/vni=42/if=vxb"))
			goto out_a;
	} else {
		rb = relay_start(b.dir, "vxb", log);
		if (rb < 0)
			goto out_a;
	}
	if (setns(nsa, CLONE_NEWNET))
		goto out;
	if (pb) {
		if (bench_console_cmd(a.mgmt, "port/attach vxlan://" VX_GROUP
					"/vni=42/if=vxa"))
			goto out;
	} else {
		ra = relay_start(a.dir, "vxa", log);
		if (ra < 0)
			goto out;
	}
	rc = run_between(&a, &b, size, true, dur_ns, log, rate);
	goto out;
out_a:
	setns(nsa, CLONE_NEWNET);
out:
	relay_stop(ra);
	relay_stop(rb);
	if (b.pid > 0)
		sw_stop(&b);
	if (a.pid > 0)
		sw_stop(&a);
	if (setns(home, CLONE_NEWNET)) {
		fprintf(stderr, "pbbench: cannot return to the benchmark's "
			"network namespace: %s\n", strerror(errno));
		exit(1);
	}
	close(home);
	if (nsa >= 0)
		close(nsa);
	if (nsb >= 0)
		close(nsb);
	return rc;
}
