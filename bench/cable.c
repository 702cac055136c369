/* SPDX-License-Identifier: GPL-2.0-or-later
 * cable.c - the benchmark's cable steps: two patchbay switches joined by a
 * cable, a batching sender on one, a receiver on the other, the same
 * lossless window as the other throughput steps.
 *
 * The "patchbay" column is patchbay-plug (its path: $BENCH_PLUG, else
 * plug/patchbay-plug next to the switch's directory in the build tree),
 * the "vde_switch" column is Debian's vde_plug (both from PATH with dpipe):
 *
 *   one-process step:  patchbay-plug A B   vs  dpipe vde_plug A = vde_plug B
 *   dpipe step:        dpipe patchbay-plug A = patchbay-plug B
 *                                          vs  dpipe vde_plug A = vde_plug B
 *
 * Both switches are patchbay in both columns, so the cable is the only
 * difference. The cable runs in its own process group, stopped with
 * SIGTERM to the group (dpipe leaves its children otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pbbench.h"

#define CABLE_PORTS 8

/* patchbay-plug: $BENCH_PLUG, else beside the switch in the build tree. */
static const char *plug_path(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("BENCH_PLUG");
	char sw[PATH_MAX];

	if (env && *env)
		return env;
	snprintf(sw, sizeof(sw), "%s", bcfg.path[IMPL_PB]);
	snprintf(buf, sizeof(buf), "%s/../plug/patchbay-plug", dirname(sw));
	return buf;
}

/* Start the cable between @a and @b in its own process group; its
 * stderr goes to @log. Return: its pid, or -1. */
static pid_t cable_start(enum impl impl, bool dpipe, const char *a,
			 const char *b, const char *log)
{
	const char *plug = impl == IMPL_PB ? plug_path() : "vde_plug";
	const char *argv[8];
	pid_t pid;
	int n = 0;

	if (impl == IMPL_PB && access(plug, X_OK)) {
		fprintf(stderr, "pbbench: %s: %s (set BENCH_PLUG)\n", plug,
			strerror(errno));
		return -1;
	}
	if (impl == IMPL_PB && !dpipe) {
		argv[n++] = plug;
		argv[n++] = a;
		argv[n++] = b;
	} else {
		argv[n++] = "dpipe";
		argv[n++] = plug;
		argv[n++] = a;
		argv[n++] = "=";
		argv[n++] = plug;
		argv[n++] = b;
	}
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		dup2(nul, 0);
		dup2(nul, 1);
		if (lf >= 0)
			dup2(lf, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	reg_pid(pid, SIGTERM);
	return pid;
}

static void cable_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	if (wait_pid_ms(pid, 3000, NULL)) {
		kill(-pid, SIGKILL);
		wait_pid_ms(pid, 3000, NULL);
	}
	unreg_pid(pid);
}

/**
 * run_between() - frames from a batching sender on switch @a to a batching
 * receiver on switch @b, joined by something the caller started
 * @a:		the sender's switch
 * @b:		the receiver's switch
 * @size:	frame size
 * @bcast:	send to the broadcast address, not the receiver's MAC
 * @dur_ns:	how long the sender sends
 * @what:	what joins them, for messages (its log)
 * @rate:	frames per second delivered
 *
 * Return: 0, 1 when the run lost frames or stalled (no figure), -1 when it
 * could not run
 */
int run_between(const struct swproc *a, const struct swproc *b,
		unsigned size, bool bcast, long long dur_ns, const char *what,
		double *rate)
{
	struct client_spec rx_s, tx_s;
	struct child rx = { .pid = -1 }, tx = { .pid = -1 };
	struct cmsg m;
	int ackp[2] = { -1, -1 }, ack_r;
	uint64_t sent, delivered;
	int rc = -1;

	*rate = NAN;
	if (pipe2(ackp, O_CLOEXEC))
		goto out;
	ack_r = ackp[0];
	memset(&rx_s, 0, sizeof(rx_s));
	rx_s.role = ROLE_RX;
	rx_s.dir = b->dir;
	rx_s.batch = true;
	rx_s.ack_w = ackp[1];
	rx_s.cpu = -1;
	if (child_start(&rx, &rx_s) ||
	    expect(&rx, MSG_READY, &m, 10000, "receiver"))
		goto out;
	memset(&tx_s, 0, sizeof(tx_s));
	tx_s.role = ROLE_TX;
	tx_s.dir = a->dir;
	tx_s.size = size;
	tx_s.batch = true;
	tx_s.bcast = bcast;
	tx_s.nrx = 1;
	tx_s.ack_r = &ack_r;
	tx_s.dur_ns = dur_ns;
	tx_s.cpu = -1;
	if (child_start(&tx, &tx_s) ||
	    expect(&tx, MSG_READY, &m, 10000, "sender"))
		goto out;
	close(ackp[0]);
	close(ackp[1]);
	ackp[0] = ackp[1] = -1;
	/* the announce crosses: proof they are joined */
	if (announce(&rx, 0, &tx)) {
		fprintf(stderr, "pbbench: nothing crossed (%s)\n", what);
		goto out;
	}
	if (child_send(&tx, MSG_GO, 0) ||
	    expect(&tx, MSG_RESULT, &m, (int)(dur_ns / 1000000) + 120000,
		   "sender"))
		goto out;
	sent = (uint64_t)m.v[0];
	if (m.v[2]) {
		fprintf(stderr, "[sender stalled after %llu frames] ",
			(unsigned long long)sent);
		rc = 1;
		goto out;
	}
	*rate = m.v[1] > 0 ? (double)sent / ((double)m.v[1] / 1e9) : NAN;
	if (child_send(&rx, MSG_STOP, 0) ||
	    expect(&rx, MSG_RESULT, &m, 60000, "receiver"))
		goto out;
	delivered = (uint64_t)m.v[0];
	rc = delivered == sent ? 0 : 1;
	if (rc)
		fprintf(stderr, "[sent %llu, received %llu] ",
			(unsigned long long)sent,
			(unsigned long long)delivered);
out:
	child_finish(&tx);
	child_finish(&rx);
	if (ackp[0] >= 0)
		close(ackp[0]);
	if (ackp[1] >= 0)
		close(ackp[1]);
	return rc;
}

/**
 * run_cable() - one cable measurement
 * @impl:	IMPL_PB: patchbay-plug; IMPL_VDE: vde_plug
 * @size:	frame size
 * @dpipe:	patchbay-plug through dpipe too (vde_plug always is)
 * @dur_ns:	how long the sender sends
 * @rate:	frames per second delivered
 *
 * Return: 0, 1 when the run lost frames or stalled (no figure), -1 when it
 * could not run
 */
int run_cable(enum impl impl, unsigned size, bool dpipe, long long dur_ns,
	      double *rate)
{
	struct swproc a, b;
	char log[PATH_MAX];
	pid_t cable = -1;
	int rc = -1;

	*rate = NAN;
	if (sw_start(&a, IMPL_PB, CABLE_PORTS, false, NULL))
		return -1;
	if (sw_start(&b, IMPL_PB, CABLE_PORTS, false, NULL)) {
		sw_stop(&a);
		return -1;
	}
	snprintf(log, sizeof(log), "%s/cable.log", a.base);
	cable = cable_start(impl, dpipe, a.dir, b.dir, log);
	if (cable >= 0)
		rc = run_between(&a, &b, size, false, dur_ns, log, rate);
	cable_stop(cable);
	sw_stop(&b);
	sw_stop(&a);
	return rc;
}
