/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_clients.c - unmodified Debian clients against the real daemon:
 * vde_plug (stdin/stdout stream, requested ports, shared ports, cables
 * with dpipe and to Debian's own vde_switch) and QEMU's -netdev vde.
 *
 * Every helper process is forked here, so its pid is known: it is stopped
 * the way it stops by itself (stdin EOF, QMP quit, its switch going away)
 * and killed by that pid only as a last resort or when a test fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define VDE_PLUG "/usr/bin/vde_plug"
#define DPIPE "/usr/bin/dpipe"
#define VDE_SWITCH "/usr/bin/vde_switch"
#define QEMU "/usr/bin/qemu-system-x86_64"

#define WAIT_MS 10000		/* anything that should happen "at once" */
#define QEMU_MS 30000		/* QEMU starting or quitting under load */

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t QEMU_MAC1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t QEMU_MAC2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

/* A process started by a test: its pid and our ends of its pipes. */
struct kid {
	pid_t pid;
	int in;			/* its stdin, or -1 */
	int out;		/* its stdout, or -1 */
};

#define MAX_KIDS 16
static struct kid kids[MAX_KIDS];
static struct pb sw, sw2;

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(long long end)
{
	long long d = end - ms_now();

	return d < 0 ? 0 : (int)d;
}

/*
 * Fork and exec @argv. With @in / @out, our ends of pipes on its stdin /
 * stdout are kept in the returned entry; otherwise they are /dev/null.
 * stderr (and stdout when there is no pipe) go to @errlog. The child gets
 * SIGTERM if the test process dies, and inherits no other fd of ours.
 * The entry lives in a static table, so teardown finds it after a failed
 * assertion has left the test function.
 */
static struct kid *spawn(const char *const argv[], bool in, bool out,
			 const char *errlog)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 };
	struct kid *k = NULL;
	unsigned i;

	for (i = 0; i < MAX_KIDS && !k; i++)
		if (kids[i].pid <= 0)
			k = &kids[i];
	cr_assert(k, "too many helper processes");
	if (in)
		cr_assert_eq(pipe2(pin, O_CLOEXEC), 0);
	if (out)
		cr_assert_eq(pipe2(pout, O_CLOEXEC), 0);
	k->pid = fork();
	cr_assert(k->pid >= 0, "fork: %s", strerror(errno));
	if (k->pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int errfd = open(errlog ? errlog : "/dev/null",
				 O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGPIPE, SIG_DFL);
		dup2(in ? pin[0] : null, 0);
		dup2(out ? pout[1] : errfd, 1);
		dup2(errfd, 2);
		close_range(3, ~0U, 0);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	k->in = -1;
	k->out = -1;
	if (in) {
		close(pin[0]);
		k->in = pin[1];
	}
	if (out) {
		close(pout[1]);
		k->out = pout[0];
	}
	return k;
}

static void forget(struct kid *k)
{
	if (k->in >= 0)
		close(k->in);
	if (k->out >= 0)
		close(k->out);
	k->in = k->out = -1;
	k->pid = 0;
}

/* Wait up to @ms for @k to exit; its exit status, 128 + signal, or -1. */
static int wait_exit(struct kid *k, int ms)
{
	long long end = ms_now() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(k->pid, &status, WNOHANG);

		if (r == k->pid)
			break;
		if (r < 0 && errno == ECHILD) {
			forget(k);	/* not ours (any more) */
			return -1;
		}
		if (ms_now() > end)
			return -1;
		usleep(5000);
	}
	forget(k);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Kill @k by its pid (a fallback, or cleanup after a failure). */
static void kill_kid(struct kid *k, int sig)
{
	pid_t pid = k->pid;

	if (pid <= 0)
		return;
	kill(pid, sig);
	if (wait_exit(k, WAIT_MS) < 0 && k->pid == pid) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		forget(k);
	}
}

/* Stop a stream vde_plug the normal way: EOF on its stdin. */
static int stop_plug(struct kid *k)
{
	int st;

	close(k->in);
	k->in = -1;
	st = wait_exit(k, WAIT_MS);
	if (st < 0) {
		kill_kid(k, SIGTERM);
		cr_assert_fail("vde_plug did not exit on stdin EOF");
	}
	return st;
}

static void setup(void)
{
	/* a helper that died must fail the test, not kill it */
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < MAX_KIDS; i++)
		kill_kid(&kids[i], SIGTERM);
	pb_cleanup(&sw);
	pb_cleanup(&sw2);
}

TestSuite(clients, .init = setup, .fini = teardown, .timeout = 120);

/* vde_plug's stream framing: 2-byte big-endian length, then the frame */

static void plug_write(const struct kid *k, const uint8_t *f, size_t len)
{
	static uint8_t buf[2 + 65535];
	size_t off = 0;

	cr_assert(len <= 65535);
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, f, len);
	len += 2;
	while (off < len) {
		ssize_t w = write(k->in, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		cr_assert(w > 0, "write to vde_plug: %s", strerror(errno));
		off += (size_t)w;
	}
}

static bool read_full(int fd, uint8_t *buf, size_t len, long long end)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, ms_left(end)) != 1)
			return false;
		r = read(fd, buf + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		off += (size_t)r;
	}
	return true;
}

/* One frame from vde_plug's stdout within @ms: its length, or -1. */
static ssize_t plug_read(const struct kid *k, uint8_t *buf, size_t max,
			 int ms)
{
	long long end = ms_now() + ms;
	uint8_t hdr[2];
	size_t len;

	if (!read_full(k->out, hdr, 2, end))
		return -1;
	len = (size_t)hdr[0] << 8 | hdr[1];
	cr_assert(len <= max, "vde_plug wrote a %zu-byte frame", len);
	if (!read_full(k->out, buf, len, end))
		return -1;
	return (ssize_t)len;
}

static bool plug_quiet(const struct kid *k, int ms)
{
	struct pollfd p = { .fd = k->out, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/* vde_plug URL on stdin/stdout; waits for DIR/@prefix* to number @n. */
static struct kid *plug_start(const struct pb *pb, const char *opt,
			      const char *prefix, int n)
{
	char url[256];
	const char *argv[] = { VDE_PLUG, url, NULL };
	struct kid *k;

	snprintf(url, sizeof(url), "vde://%s%s", pb->dir, opt);
	k = spawn(argv, true, true, pb->log);
	cr_assert(wait_count(pb->dir, prefix, n, WAIT_MS),
		  "vde_plug %s: no %s* data socket", url, prefix);
	return k;
}

static void check_frame(const uint8_t *got, ssize_t n, const uint8_t *want,
			size_t len)
{
	cr_assert_eq(n, (ssize_t)len, "got %zd bytes, want %zu", n, len);
	cr_assert_eq(memcmp(got, want, len), 0, "frame content differs");
}

/*
 * 1. vde_plug's stream, both directions: framed stdin becomes datagrams
 * to the other clients, and their frames come out framed on stdout,
 * padded to 60 by the switch, jumbo frames whole.
 */
static void plug_stream(const char *mode)
{
	static uint8_t f[9300], g[9300];
	struct kid *plug;
	VDECONN *c;
	ssize_t n;
	size_t i;

	pb_start(&sw, mode, NULL);
	plug = plug_start(&sw, "", "001.", 1);
	c = pb_open(&sw, "", "listener");
	cr_assert(c);
	cr_assert(pb_log_wait(&sw, "): vdeplug: user=", WAIT_MS),
		  "vde_plug's description is not in the log");

	/* stdin -> the network */
	mkframe(f, MAC_BCAST, MAC_A, 100, 0x11);
	plug_write(plug, f, 100);
	n = recv_frame(c, g, sizeof(g), WAIT_MS);
	check_frame(g, n, f, 100);
	mkframe(f, MAC_BCAST, MAC_A, 9014, 0x12);
	plug_write(plug, f, 9014);
	n = recv_frame(c, g, sizeof(g), WAIT_MS);
	check_frame(g, n, f, 9014);

	/* the network -> stdout: a 14-byte frame is padded to 60 */
	mkframe(f, MAC_BCAST, MAC_B, 14, 0);
	cr_assert_eq(vde_send(c, f, 14, 0), 14);
	memset(g, 0xee, sizeof(g));
	n = plug_read(plug, g, sizeof(g), WAIT_MS);
	cr_assert_eq(n, 60, "a 14-byte frame came out as %zd bytes", n);
	cr_assert_eq(memcmp(g, f, 14), 0);
	for (i = 14; i < 60; i++)
		cr_assert_eq(g[i], 0, "pad byte %zu is %u", i, g[i]);

	/* a unicast reply to the MAC vde_plug sent from (learned there) */
	mkframe(f, MAC_A, MAC_B, 9014, 0x13);
	cr_assert_eq(vde_send(c, f, 9014, 0), 9014);
	n = plug_read(plug, g, sizeof(g), WAIT_MS);
	check_frame(g, n, f, 9014);
	cr_assert(plug_quiet(plug, 100));
	cr_assert(quiet(c, 100), "nothing is echoed back to the sender");

	cr_assert_eq(stop_plug(plug), 0);
	cr_assert(wait_count(sw.dir, "001.", 0, WAIT_MS),
		  "vde_plug's port was not released");
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(clients, vde_plug_stream_hub)
{
	plug_stream("-x");
}

Test(clients, vde_plug_stream_switch)
{
	plug_stream(NULL);
}

/* 1. vde_plug vde://DIR[5] and vde://DIR[0] get exactly those ports. */
Test(clients, vde_plug_requested_port_and_port0)
{
	uint8_t f[100], g[100];
	struct kid *p5, *p0;
	VDECONN *c;

	pb_start(&sw, NULL);
	p5 = plug_start(&sw, "[5]", "005.", 1);
	p0 = plug_start(&sw, "[0]", "000.", 1);
	c = pb_open(&sw, "", "listener");
	cr_assert(c);
	cr_assert_eq(count_files(sw.dir, "001."), 1);

	mkframe(f, MAC_BCAST, MAC_C, 60, 0x21);
	cr_assert_eq(vde_send(c, f, 60, 0), 60);
	check_frame(g, plug_read(p5, g, sizeof(g), WAIT_MS), f, 60);
	check_frame(g, plug_read(p0, g, sizeof(g), WAIT_MS), f, 60);

	mkframe(f, MAC_BCAST, MAC_A, 60, 0x22);
	plug_write(p5, f, 60);
	check_frame(g, recv_frame(c, g, sizeof(g), WAIT_MS), f, 60);
	check_frame(g, plug_read(p0, g, sizeof(g), WAIT_MS), f, 60);
	mkframe(f, MAC_BCAST, MAC_B, 60, 0x23);
	plug_write(p0, f, 60);
	check_frame(g, recv_frame(c, g, sizeof(g), WAIT_MS), f, 60);
	check_frame(g, plug_read(p5, g, sizeof(g), WAIT_MS), f, 60);

	cr_assert_eq(stop_plug(p5), 0);
	cr_assert_eq(stop_plug(p0), 0);
	cr_assert(wait_count(sw.dir, "005.", 0, WAIT_MS));
	cr_assert(wait_count(sw.dir, "000.", 0, WAIT_MS));
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* 2. Two vde_plug processes on port 3 both get what is sent to it. */
Test(clients, vde_plug_two_endpoints_one_port)
{
	uint8_t f[100], g[100];
	struct kid *e1, *e2;
	VDECONN *c;

	pb_start(&sw, NULL);
	e1 = plug_start(&sw, "[3]", "003.", 1);
	e2 = plug_start(&sw, "[3]", "003.", 2);
	c = pb_open(&sw, "", "third");
	cr_assert(c);

	mkframe(f, MAC_BCAST, MAC_C, 80, 0x31);
	cr_assert_eq(vde_send(c, f, 80, 0), 80);
	check_frame(g, plug_read(e1, g, sizeof(g), WAIT_MS), f, 80);
	check_frame(g, plug_read(e2, g, sizeof(g), WAIT_MS), f, 80);

	/* from one endpoint: out of the port, not back into it */
	mkframe(f, MAC_BCAST, MAC_A, 80, 0x32);
	plug_write(e1, f, 80);
	check_frame(g, recv_frame(c, g, sizeof(g), WAIT_MS), f, 80);
	cr_assert(plug_quiet(e2, 200));

	/* the port outlives its first endpoint */
	cr_assert_eq(stop_plug(e1), 0);
	cr_assert(wait_count(sw.dir, "003.", 1, WAIT_MS));
	mkframe(f, MAC_BCAST, MAC_C, 80, 0x33);
	cr_assert_eq(vde_send(c, f, 80, 0), 80);
	check_frame(g, plug_read(e2, g, sizeof(g), WAIT_MS), f, 80);

	cr_assert_eq(stop_plug(e2), 0);
	cr_assert(wait_count(sw.dir, "003.", 0, WAIT_MS));
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Frames cross a cable between the client @c1 on one switch and @c2. */
static void cable_traffic(VDECONN *c1, VDECONN *c2)
{
	static uint8_t f[1600], g[1600];

	mkframe(f, MAC_BCAST, MAC_A, 100, 0x41);
	cr_assert_eq(vde_send(c1, f, 100, 0), 100);
	check_frame(g, recv_frame(c2, g, sizeof(g), WAIT_MS), f, 100);
	mkframe(f, MAC_A, MAC_B, 1514, 0x42);
	cr_assert_eq(vde_send(c2, f, 1514, 0), 1514);
	check_frame(g, recv_frame(c1, g, sizeof(g), WAIT_MS), f, 1514);
	mkframe(f, MAC_B, MAC_A, 60, 0x43);
	cr_assert_eq(vde_send(c1, f, 60, 0), 60);
	check_frame(g, recv_frame(c2, g, sizeof(g), WAIT_MS), f, 60);
}

/*
 * 3. vdeplug4 joins two URLs in one process: a cable. When a switch shuts
 * down, vde_plug sees its control stream close and exits.
 */
Test(clients, vde_plug_cable_two_urls)
{
	char u1[256], u2[256];
	const char *argv[] = { VDE_PLUG, u1, u2, NULL };
	struct kid *cable;
	VDECONN *c1, *c2;

	pb_start(&sw, NULL);
	pb_start(&sw2, "-x", NULL);
	snprintf(u1, sizeof(u1), "vde://%s", sw.dir);
	snprintf(u2, sizeof(u2), "vde://%s", sw2.dir);
	cable = spawn(argv, false, false, sw.log);
	cr_assert(wait_count(sw.dir, "001.", 1, WAIT_MS));
	cr_assert(wait_count(sw2.dir, "001.", 1, WAIT_MS));
	c1 = pb_open(&sw, "", "c1");
	c2 = pb_open(&sw2, "", "c2");
	cr_assert(c1 && c2);

	cable_traffic(c1, c2);

	vde_close(c2);
	cr_assert_eq(pb_stop(&sw2), 0);
	cr_assert_eq(wait_exit(cable, WAIT_MS), 0,
		     "the cable did not exit when a switch went away");
	cr_assert(wait_count(sw.dir, "001.", 0, WAIT_MS));
	vde_close(c1);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* 3. The classic cable: dpipe vde_plug DIR1 = vde_plug DIR2. */
Test(clients, dpipe_cable)
{
	const char *argv[] = { DPIPE, VDE_PLUG, sw.dir, "=", VDE_PLUG,
			       sw2.dir, NULL };
	struct kid *dp;
	VDECONN *c1, *c2;

	pb_start(&sw, "-x", NULL);
	pb_start(&sw2, NULL);
	dp = spawn(argv, false, false, sw.log);
	cr_assert(wait_count(sw.dir, "001.", 1, WAIT_MS));
	cr_assert(wait_count(sw2.dir, "001.", 1, WAIT_MS));
	c1 = pb_open(&sw, "", "c1");
	c2 = pb_open(&sw2, "", "c2");
	cr_assert(c1 && c2);

	cable_traffic(c1, c2);

	/*
	 * Both switches going away stop both vde_plugs (control stream EOF,
	 * then EOF on the pipe), and dpipe exits after them.
	 */
	vde_close(c1);
	vde_close(c2);
	cr_assert_eq(pb_stop(&sw), 0);
	cr_assert_eq(pb_stop(&sw2), 0);
	cr_assert_geq(wait_exit(dp, WAIT_MS), 0,
		      "dpipe did not exit when its switches went away");
}

/*
 * 4. A cable to Debian's own vde_switch (2.3.2), run in the foreground
 * with a pipe on its stdin: closing it makes the switch exit.
 */
Test(clients, cable_to_vde_switch)
{
	static uint8_t f[1600], g[1600];
	char vsdir[200], vsctl[220], vslog[200], u1[256], u2[256];
	const char *vs_argv[] = { VDE_SWITCH, "-s", vsdir, NULL };
	const char *cable_argv[] = { VDE_PLUG, u1, u2, NULL };
	struct kid *vs, *cable;
	VDECONN *c1, *c2;

	pb_start(&sw, NULL);
	snprintf(vsdir, sizeof(vsdir), "%s/vs", sw.tmp);
	snprintf(vsctl, sizeof(vsctl), "%s/ctl", vsdir);
	snprintf(vslog, sizeof(vslog), "%s/vde_switch.log", sw.tmp);
	vs = spawn(vs_argv, true, false, vslog);
	cr_assert(wait_path(vsctl, true, WAIT_MS), "vde_switch did not start");

	snprintf(u1, sizeof(u1), "vde://%s", sw.dir);
	snprintf(u2, sizeof(u2), "vde://%s", vsdir);
	cable = spawn(cable_argv, false, false, sw.log);
	cr_assert(wait_count(sw.dir, "001.", 1, WAIT_MS));
	cr_assert(wait_count(vsdir, "001.", 1, WAIT_MS));
	c1 = pb_open(&sw, "", "pb side");
	c2 = vde_open(u2, (char *)(uintptr_t)"vde_switch side", NULL);
	cr_assert(c1 && c2);

	cable_traffic(c1, c2);
	/* vde_switch does not pad; patchbay pads what comes from it */
	mkframe(f, MAC_BCAST, MAC_B, 14, 0);
	cr_assert_eq(vde_send(c2, f, 14, 0), 14);
	cr_assert_eq(recv_frame(c1, g, sizeof(g), WAIT_MS), 60);
	cr_assert_eq(memcmp(f, g, 14), 0);

	vde_close(c2);
	close(vs->in);
	vs->in = -1;
	cr_assert_eq(wait_exit(vs, WAIT_MS), 0,
		     "vde_switch did not exit on stdin EOF");
	cr_assert_eq(wait_exit(cable, WAIT_MS), 0,
		     "the cable did not exit when vde_switch went away");
	cr_assert(wait_count(sw.dir, "001.", 0, WAIT_MS));
	vde_close(c1);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* QEMU with its QMP socket */
struct qemu {
	struct kid *k;
	int qmp;
	char qmp_path[200];
	char pidfile[200];
};

/* One line from QMP within the deadline, NUL-terminated. */
static bool qmp_line(struct qemu *q, char *buf, size_t len, long long end)
{
	size_t n = 0;

	while (n + 1 < len) {
		if (!read_full(q->qmp, (uint8_t *)buf + n, 1, end))
			return false;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return true;
}

/* Send a command; skip events until its answer; true if it succeeded. */
static bool qmp(struct qemu *q, const char *cmd)
{
	long long end = ms_now() + QEMU_MS;
	char line[4096];

	cr_assert_eq(write(q->qmp, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	while (qmp_line(q, line, sizeof(line), end)) {
		if (strstr(line, "\"return\""))
			return true;
		if (strstr(line, "\"error\"")) {
			cr_log_error("QMP %s: %s", cmd, line);
			return false;
		}
	}
	cr_log_error("QMP %s: no answer", cmd);
	return false;
}

/*
 * Start QEMU with an e1000 on -netdev vde,sock=DIR@netdev_opts; with
 * @dump, also record every frame through the netdev in a pcap file.
 */
static void qemu_start(struct qemu *q, const struct pb *pb, const char *tag,
		       const char *netdev_opts, const uint8_t mac[6],
		       const char *dump)
{
	char netdev[300], device[200], qmparg[260], filter[300], qlog[200];
	const char *argv[32] = {
		QEMU, "-M", "pc", "-accel", "tcg", "-display", "none",
		"-nodefaults", "-netdev", netdev, "-device", device,
		"-qmp", qmparg, "-pidfile", q->pidfile,
	};
	int argc = 16;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long end = ms_now() + QEMU_MS;
	char line[4096];

	if (access(QEMU, X_OK))
		cr_skip_test("%s is not installed", QEMU);
	snprintf(q->qmp_path, sizeof(q->qmp_path), "%s/qmp-%s.sock", pb->tmp,
		 tag);
	snprintf(q->pidfile, sizeof(q->pidfile), "%s/qemu-%s.pid", pb->tmp,
		 tag);
	snprintf(qlog, sizeof(qlog), "%s/qemu-%s.log", pb->tmp, tag);
	snprintf(netdev, sizeof(netdev), "vde,id=n0,sock=%s%s", pb->dir,
		 netdev_opts);
	snprintf(device, sizeof(device),
		 "e1000,netdev=n0,romfile=,mac=%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	snprintf(qmparg, sizeof(qmparg), "unix:%s,server=on,wait=off",
		 q->qmp_path);
	if (dump) {
		snprintf(filter, sizeof(filter),
			 "filter-dump,id=d0,netdev=n0,file=%s", dump);
		argv[argc++] = "-object";
		argv[argc++] = filter;
	}
	argv[argc] = NULL;
	q->k = spawn(argv, false, false, qlog);

	/* QMP answers once QEMU is up, its netdev included */
	memcpy(sun.sun_path, q->qmp_path, strlen(q->qmp_path));
	q->qmp = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(q->qmp >= 0);
	while (connect(q->qmp, (struct sockaddr *)&sun, sizeof(sun))) {
		siginfo_t si = { .si_pid = 0 };

		waitid(P_PID, (id_t)q->k->pid, &si,
		       WEXITED | WNOHANG | WNOWAIT);
		cr_assert(ms_now() < end && si.si_pid == 0,
			  "QEMU did not open its QMP socket (see %s)", qlog);
		usleep(10000);
	}
	cr_assert(qmp_line(q, line, sizeof(line), end) &&
		  strstr(line, "\"QMP\""), "no QMP greeting");
	cr_assert(qmp(q, "{\"execute\":\"qmp_capabilities\"}\n"));
}

static void qemu_announce(struct qemu *q)
{
	cr_assert(qmp(q, "{\"execute\":\"announce-self\",\"arguments\":"
		      "{\"initial\":50,\"max\":550,\"rounds\":2,"
		      "\"step\":50}}\n"));
}

/* QMP quit; wait for QEMU to exit. */
static void qemu_quit(struct qemu *q)
{
	char line[4096];
	long long end = ms_now() + QEMU_MS;
	int st;

	if (write(q->qmp, "{\"execute\":\"quit\"}\n", 19) == 19)
		while (qmp_line(q, line, sizeof(line), end))
			;	/* answer, SHUTDOWN event, then EOF */
	close(q->qmp);
	q->qmp = -1;
	st = wait_exit(q->k, QEMU_MS);
	if (st < 0)
		kill_kid(q->k, SIGTERM);
	cr_assert_eq(st, 0, "QEMU exit status %d after quit", st);
}

static bool is_rarp_from(const uint8_t *g, ssize_t n, const uint8_t mac[6])
{
	return n == 60 && !memcmp(g, MAC_BCAST, 6) && !memcmp(g + 6, mac, 6) &&
	       g[12] == 0x80 && g[13] == 0x35;
}

/*
 * 5. QEMU's native VDE backend: it attaches with the description "QEMU",
 * its announce-self RARPs reach a libvdeplug client, its port goes when
 * it quits.
 */
static void qemu_one(const char *mode, const char *netdev_opts,
		     const char *prefix)
{
	uint8_t g[1600];
	struct qemu q;
	VDECONN *c;
	char buf[32], cmd[64], body[4096];
	unsigned port;
	FILE *f;
	int i;

	pb_start(&sw, mode, NULL);
	c = pb_open(&sw, "", "listener");
	cr_assert(c);
	qemu_start(&q, &sw, "a", netdev_opts, QEMU_MAC1, NULL);
	cr_assert(pb_log_wait(&sw, "): QEMU user=", QEMU_MS),
		  "no endpoint described as QEMU in the log");
	cr_assert(wait_count(sw.dir, prefix, 1, WAIT_MS),
		  "no %s* data socket for QEMU", prefix);
	f = fopen(q.pidfile, "r");
	cr_assert(f && fgets(buf, sizeof(buf), f), "no QEMU pidfile");
	fclose(f);
	cr_assert_eq(atoi(buf), q.k->pid);

	qemu_announce(&q);
	for (i = 0; i < 2; i++) {
		ssize_t n = recv_frame(c, g, sizeof(g), QEMU_MS);

		cr_assert(is_rarp_from(g, n, QEMU_MAC1),
			  "frame %d: %zd bytes, not QEMU's RARP", i, n);
	}
	/* the console shows the guest: its description, what it sent */
	port = (unsigned)strtoul(prefix, NULL, 10);
	snprintf(cmd, sizeof(cmd), "port/print %u", port);
	cr_assert_eq(pb_cmd(&sw, cmd, body, sizeof(body)), 0);
	cr_assert(strstr(body, "module unix prog   : QEMU"), "got %s", body);
	cr_assert_eq(pb_port_counter(&sw, port, " IN:", "pkts"), 2);
	cr_assert_eq(pb_port_counter(&sw, port, " OUT:", "pkts"), 0);

	qemu_quit(&q);
	cr_assert(wait_count(sw.dir, prefix, 0, WAIT_MS),
		  "QEMU's port was not released");
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(clients, qemu_hub)
{
	qemu_one("-x", "", "002.");
}

Test(clients, qemu_switch_port4)
{
	qemu_one(NULL, ",port=4", "004.");
}

/* Is there a frame from @src to @dst in the pcap file @path? */
static bool pcap_has(const char *path, const uint8_t dst[6],
		     const uint8_t src[6])
{
	static uint8_t buf[1 << 20];
	bool found = false;
	size_t n, off = 24;	/* the file header */
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (off + 16 <= n && !found) {
		uint32_t caplen;

		memcpy(&caplen, buf + off + 8, 4);	/* host order */
		off += 16;
		if (off + caplen > n)
			break;
		found = caplen >= 12 && !memcmp(buf + off, dst, 6) &&
			!memcmp(buf + off + 6, src, 6);
		off += caplen;
	}
	return found;
}

static bool wait_pcap(const char *path, const uint8_t dst[6],
		      const uint8_t src[6], int ms)
{
	long long end = ms_now() + ms;

	for (;;) {
		if (pcap_has(path, dst, src))
			return true;
		if (ms_now() > end)
			return false;
		usleep(10000);
	}
}

/*
 * 6. Two QEMUs on ports 1 and 2, seen from inside QEMU through a
 * filter-dump on each netdev: A's broadcast reaches B; once the switch
 * has learned A's MAC, a unicast to A reaches A and not B.
 */
Test(clients, qemu_two_guests_learning)
{
	static uint8_t f[100], g[1600];
	char dump_a[200], dump_b[200];
	struct qemu qa, qb;
	int got_a = 0, got_b = 0;
	VDECONN *c;

	pb_start(&sw, NULL);
	snprintf(dump_a, sizeof(dump_a), "%s/a.pcap", sw.tmp);
	snprintf(dump_b, sizeof(dump_b), "%s/b.pcap", sw.tmp);
	qemu_start(&qa, &sw, "a", ",port=1", QEMU_MAC1, dump_a);
	qemu_start(&qb, &sw, "b", ",port=2", QEMU_MAC2, dump_b);
	cr_assert(wait_count(sw.dir, "001.", 1, WAIT_MS));
	cr_assert(wait_count(sw.dir, "002.", 1, WAIT_MS));
	c = pb_open(&sw, "", "listener");
	cr_assert(c);

	qemu_announce(&qa);
	qemu_announce(&qb);
	while (got_a < 2 || got_b < 2) {
		ssize_t n = recv_frame(c, g, sizeof(g), QEMU_MS);

		cr_assert(n > 0, "RARPs: %d from A, %d from B", got_a, got_b);
		if (is_rarp_from(g, n, QEMU_MAC1))
			got_a++;
		else if (is_rarp_from(g, n, QEMU_MAC2))
			got_b++;
		else
			cr_assert_fail("unexpected %zd-byte frame", n);
	}
	cr_assert(wait_pcap(dump_b, MAC_BCAST, QEMU_MAC1, WAIT_MS),
		  "A's broadcast did not reach B");
	cr_assert(wait_pcap(dump_a, MAC_BCAST, QEMU_MAC2, WAIT_MS),
		  "B's broadcast did not reach A");

	mkframe(f, QEMU_MAC1, MAC_C, 60, 0x61);
	cr_assert_eq(vde_send(c, f, 60, 0), 60);
	cr_assert(wait_pcap(dump_a, QEMU_MAC1, MAC_C, WAIT_MS),
		  "the unicast did not reach A");
	usleep(300000);
	cr_assert(!pcap_has(dump_b, QEMU_MAC1, MAC_C),
		  "a unicast to A's learned MAC was flooded to B");

	qemu_quit(&qa);
	qemu_quit(&qb);
	cr_assert(wait_count(sw.dir, "001.", 0, WAIT_MS));
	cr_assert(wait_count(sw.dir, "002.", 0, WAIT_MS));
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}
