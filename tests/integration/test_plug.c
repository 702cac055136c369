/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_plug.c - patchbay-plug, the vde_plug-compatible cable end.
 *
 * Two patchbay switches cabled by "patchbay-plug A B", by "dpipe
 * patchbay-plug A = patchbay-plug B", and by dpipe with Debian's vde_plug
 * on either end carry 60-, 1500- and 9014-byte frames both ways. The
 * stream patchbay-plug writes is compared byte for byte with vde_plug's
 * for the same frames, and the same stream written into both reaches a
 * client as the same frames. Lengths 0, 5 and 65535 in the stream are
 * reported and the stream goes on; a stream cut inside a frame is reported
 * at EOF (exit 0); the switch going away ends it with 0 (as vde_plug);
 * SIGTERM ends the two-URL form with 0; a stdout nobody reads costs
 * counted drops, not memory; bad URLs, a refused port and bad options
 * exit 1 or 2 with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#ifndef PLUG_BIN
#error "PLUG_BIN (the path of patchbay-plug) must be defined"
#endif

#define WAIT_MS 5000
#define JUMBO 9014

static struct pb sa, sb;
static char errlog[200];

static void teardown(void)
{
	if (sa.pid > 0)
		pb_stop(&sa);
	if (sb.pid > 0)
		pb_stop(&sb);
	pb_cleanup(&sa);
	pb_cleanup(&sb);
}

TestSuite(plug, .fini = teardown, .timeout = 60);

static const uint8_t MAC_X[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_Y[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is @prog runnable from PATH? */
static bool have_prog(const char *prog)
{
	return run_cmd("command -v %s >/dev/null 2>&1", prog) == 0;
}

/* Skip without vde_plug and dpipe; under CI=true that is a failure. */
static void need_vde_plug(void)
{
	if (have_prog("vde_plug") && have_prog("dpipe"))
		return;
	cr_assert_str_neq(getenv("CI") ? getenv("CI") : "", "true",
			  "vde_plug/dpipe missing (Debian package vdeplug)");
	cr_skip_test("vde_plug or dpipe missing (Debian package vdeplug)");
}

/*
 * Run @argv (NULL-terminated; argv[0] looked up in PATH) with @in/@out as
 * stdin/stdout (-1: /dev/null) and stderr appended to errlog.
 */
static pid_t spawn(int in, int out, const char *const *argv)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid)
		return pid;
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	if (out < 0)
		out = open("/dev/null", O_WRONLY);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	if (*errlog) {
		int e = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (e < 0 || dup2(e, 2) < 0)
			_exit(126);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

/* Its exit status, 128 + signal, or -1 if still running after @ms. */
static int wait_exit(pid_t pid, int ms)
{
	long long end = now_ms() + ms;
	int st;

	do {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		poll(NULL, 0, 10);
	} while (now_ms() < end);
	return -1;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	cr_assert_eq(wait_exit(pid, WAIT_MS), 0, "SIGTERM: exit status 0");
}

/* Wait until @dir holds @n data sockets. */
static void wait_socks(const char *dir, int n)
{
	long long end = now_ms() + WAIT_MS;

	while (count_datasocks(dir) != n) {
		cr_assert_lt(now_ms(), end, "%s: %d data sockets, want %d",
			     dir, count_datasocks(dir), n);
		poll(NULL, 0, 10);
	}
}

static char *read_errlog(void)
{
	static char buf[16384];
	ssize_t n;
	int fd = open(errlog, O_RDONLY);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static bool errlog_wait(const char *needle, int ms)
{
	long long end = now_ms() + ms;

	do {
		if (strstr(read_errlog(), needle))
			return true;
		poll(NULL, 0, 10);
	} while (now_ms() < end);
	return false;
}

static void two_switches(void)
{
	pb_start(&sa, NULL);
	pb_start(&sb, NULL);
	snprintf(errlog, sizeof(errlog), "%s/plug.err", sa.tmp);
}

/*
 * Start switch A and "@prog A" on it with pipes: *in_w writes its stdin,
 * *out_r (NULL: stdout is /dev/null) reads its stdout. Waits until it is
 * connected. Return: its pid.
 */
static pid_t start_on_a(const char *prog, int *in_w, int *out_r)
{
	int in[2], out[2] = { -1, -1 };
	pid_t p;

	if (!sa.pid) {
		pb_start(&sa, NULL);
		snprintf(errlog, sizeof(errlog), "%s/plug.err", sa.tmp);
	}
	cr_assert(!pipe2(in, O_CLOEXEC));
	cr_assert(!out_r || !pipe2(out, O_CLOEXEC));
	p = spawn(in[0], out[1], (const char *const[]){ prog, sa.dir, NULL });
	close(in[0]);
	if (out_r)
		close(out[1]);
	*in_w = in[1];
	if (out_r)
		*out_r = out[0];
	return p;
}

/* Expect a frame like @want (padded to 60 by the switch) on @c. */
static void expect_frame(VDECONN *c, const uint8_t *want, size_t len,
			 const char *what)
{
	static uint8_t got[10000];
	size_t elen = len < 60 ? 60 : len;
	ssize_t n;

	do
		n = recv_frame(c, got, sizeof(got), WAIT_MS);
	while (n > 0 && memcmp(got + 6, want + 6, 6));	/* not from it */
	cr_assert_eq(n, (ssize_t)elen, "%s: got %zd bytes, want %zu", what, n,
		     elen);
	cr_assert_eq(memcmp(got, want, len), 0, "%s: bytes differ", what);
}

/* Frames both ways across a cable between sa and sb: broadcast first (so
 * each switch learns the other side's MAC), then unicast, up to 9014. */
static void check_cable(const char *what)
{
	static const size_t sizes[] = { 60, 1500, JUMBO };
	static uint8_t f[JUMBO];
	VDECONN *x = pb_open(&sa, "", "x"), *y = pb_open(&sb, "", "y");
	char msg[128];
	unsigned i;

	cr_assert(x && y);
	mkframe(f, MAC_BCAST, MAC_X, 60, 0x11);
	cr_assert_eq(vde_send(x, f, 60, 0), 60);
	snprintf(msg, sizeof(msg), "%s: broadcast A->B", what);
	expect_frame(y, f, 60, msg);
	mkframe(f, MAC_BCAST, MAC_Y, 60, 0x22);
	cr_assert_eq(vde_send(y, f, 60, 0), 60);
	snprintf(msg, sizeof(msg), "%s: broadcast B->A", what);
	expect_frame(x, f, 60, msg);
	for (i = 0; i < 3; i++) {
		mkframe(f, MAC_Y, MAC_X, sizes[i], (uint8_t)(0x30 + i));
		cr_assert_eq(vde_send(x, f, sizes[i], 0), (ssize_t)sizes[i]);
		snprintf(msg, sizeof(msg), "%s: %zu bytes A->B", what,
			 sizes[i]);
		expect_frame(y, f, sizes[i], msg);
		mkframe(f, MAC_X, MAC_Y, sizes[i], (uint8_t)(0x40 + i));
		cr_assert_eq(vde_send(y, f, sizes[i], 0), (ssize_t)sizes[i]);
		snprintf(msg, sizeof(msg), "%s: %zu bytes B->A", what,
			 sizes[i]);
		expect_frame(x, f, sizes[i], msg);
	}
	vde_close(x);
	vde_close(y);
}

Test(plug, two_urls_in_one_process)
{
	pid_t p;

	two_switches();
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "-D", "cable",
		  sa.dir, sb.dir, NULL });
	wait_socks(sa.dir, 1);
	wait_socks(sb.dir, 1);
	check_cable("patchbay-plug A B");
	stop(p);
	wait_socks(sa.dir, 0);
	wait_socks(sb.dir, 0);
}

Test(plug, two_urls_switch_goes_away)
{
	pid_t p;

	two_switches();
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, sa.dir, sb.dir,
		  NULL });
	wait_socks(sb.dir, 1);
	cr_assert_eq(pb_stop(&sb), 0);
	cr_assert_eq(wait_exit(p, WAIT_MS), 0, "switch gone: exit 0");
	cr_assert(errlog_wait("the switch went away", WAIT_MS));
	wait_socks(sa.dir, 0);
}

/* dpipe LEFT... = RIGHT...; each side's argv ends with its URL. */
static pid_t dpipe(const char *l0, const char *l1, const char *r0,
		   const char *r1)
{
	return spawn(-1, -1, (const char *const[]){ "dpipe", l0, l1, "=",
		     r0, r1, NULL });
}

Test(plug, dpipe_patchbay_plug_both_ends)
{
	pid_t d;

	need_vde_plug();
	two_switches();
	d = dpipe(PLUG_BIN, sa.dir, PLUG_BIN, sb.dir);
	wait_socks(sa.dir, 1);
	wait_socks(sb.dir, 1);
	check_cable("dpipe patchbay-plug = patchbay-plug");
	/* B's end exits (switch gone), A's sees EOF on stdin: all exit 0 */
	cr_assert_eq(pb_stop(&sb), 0);
	cr_assert_eq(wait_exit(d, WAIT_MS), 0, "the whole cable exits 0");
	wait_socks(sa.dir, 0);
}

Test(plug, dpipe_vde_plug_on_a)
{
	pid_t d;

	need_vde_plug();
	two_switches();
	d = dpipe("vde_plug", sa.dir, PLUG_BIN, sb.dir);
	wait_socks(sa.dir, 1);
	wait_socks(sb.dir, 1);
	check_cable("dpipe vde_plug A = patchbay-plug B");
	cr_assert_eq(pb_stop(&sb), 0);
	cr_assert_eq(wait_exit(d, WAIT_MS), 0);
}

Test(plug, dpipe_vde_plug_on_b)
{
	pid_t d;

	need_vde_plug();
	two_switches();
	d = dpipe(PLUG_BIN, sa.dir, "vde_plug", sb.dir);
	wait_socks(sa.dir, 1);
	wait_socks(sb.dir, 1);
	check_cable("dpipe patchbay-plug A = vde_plug B");
	cr_assert_eq(pb_stop(&sa), 0);
	cr_assert_eq(wait_exit(d, WAIT_MS), 0);
}

/* Read exactly @len bytes from @fd within WAIT_MS. */
static void read_n(int fd, uint8_t *buf, size_t len, const char *what)
{
	long long end = now_ms() + WAIT_MS;
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		cr_assert_lt(now_ms(), end, "%s: %zu of %zu bytes", what, got,
			     len);
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf + got, len - got);
		cr_assert_gt(n, 0, "%s: read", what);
		got += (size_t)n;
	}
}

Test(plug, stream_bytes_as_vde_plug)
{
	static const size_t sizes[] = { 17, 60, 1500, JUMBO };
	static uint8_t f[JUMBO], a[JUMBO + 2], b[JUMBO + 2];
	int ina, inb, outa, outb;
	pid_t pv, pp;
	VDECONN *x;
	size_t i, total;

	need_vde_plug();
	pv = start_on_a("vde_plug", &ina, &outa);
	pp = start_on_a(PLUG_BIN, &inb, &outb);
	wait_socks(sa.dir, 2);
	x = pb_open(&sa, "", "x");
	cr_assert(x);

	/* switch -> stream: the same bytes from both */
	for (i = 0; i < 4; i++) {
		mkframe(f, MAC_BCAST, MAC_X, sizes[i], (uint8_t)(0x50 + i));
		cr_assert_eq(vde_send(x, f, sizes[i], 0), (ssize_t)sizes[i]);
		total = 2 + (sizes[i] < 60 ? 60 : sizes[i]);
		read_n(outa, a, total, "vde_plug's stream");
		read_n(outb, b, total, "patchbay-plug's stream");
		cr_assert_eq(memcmp(a, b, total), 0,
			     "%zu-byte frame: the streams differ", sizes[i]);
		cr_assert(a[0] == (uint8_t)((total - 2) >> 8) &&
			  a[1] == (uint8_t)(total - 2));
	}

	/* stream -> switch: the same stream into both, the same frames */
	for (i = 0; i < 4; i++) {
		uint8_t s[JUMBO + 2];
		size_t n = sizes[i] < 60 ? 60 : sizes[i];

		s[0] = (uint8_t)(n >> 8);
		s[1] = (uint8_t)n;
		mkframe(s + 2, MAC_X, MAC_Y, n, (uint8_t)(0x60 + i));
		cr_assert_eq(write(ina, s, n + 2), (ssize_t)(n + 2));
		expect_frame(x, s + 2, n, "from vde_plug's stream");
		cr_assert_eq(write(inb, s, n + 2), (ssize_t)(n + 2));
		expect_frame(x, s + 2, n, "from patchbay-plug's stream");
	}
	vde_close(x);
	close(ina);
	close(inb);
	cr_assert_eq(wait_exit(pv, WAIT_MS), 0, "vde_plug: EOF, exit 0");
	cr_assert_eq(wait_exit(pp, WAIT_MS), 0, "patchbay-plug: EOF, exit 0");
	close(outa);
	close(outb);
}

Test(plug, bad_lengths_reported_and_survived)
{
	static uint8_t s[200];
	int in;
	pid_t p;
	VDECONN *x;
	size_t n = 0;

	p = start_on_a(PLUG_BIN, &in, NULL);
	wait_socks(sa.dir, 1);
	x = pb_open(&sa, "", "x");
	cr_assert(x);

	/* a length of 0, then a 5-byte frame, then a good one */
	s[n++] = 0;
	s[n++] = 0;
	s[n++] = 0;
	s[n++] = 5;
	memset(s + n, 0xee, 5);
	n += 5;
	s[n++] = 0;
	s[n++] = 60;
	mkframe(s + n, MAC_X, MAC_Y, 60, 0x71);
	n += 60;
	cr_assert_eq(write(in, s, n), (ssize_t)n);
	expect_frame(x, s + n - 60, 60, "after lengths 0 and 5");
	cr_assert(errlog_wait("a frame length of 0, skipped", WAIT_MS));
	cr_assert(errlog_wait("a 5-byte frame", WAIT_MS));

	/* 65535: lost sync, the rest of that read is dropped */
	n = 0;
	s[n++] = 0xff;
	s[n++] = 0xff;
	memset(s + n, 0xab, 40);
	n += 40;
	cr_assert_eq(write(in, s, n), (ssize_t)n);
	cr_assert(errlog_wait("frame length 65535 is over 9234", WAIT_MS));
	cr_assert(quiet(x, 100));
	/* the next write starts with a frame again: it goes through */
	s[0] = 0;
	s[1] = 60;
	mkframe(s + 2, MAC_X, MAC_Y, 60, 0x72);
	cr_assert_eq(write(in, s, 62), 62);
	expect_frame(x, s + 2, 60, "after a bad length");
	cr_assert(kill(p, 0) == 0, "still running");

	/* cut inside a frame, then EOF: reported, exit 0 */
	s[0] = 0;
	s[1] = 100;
	memset(s + 2, 0, 50);
	cr_assert_eq(write(in, s, 52), 52);
	close(in);
	cr_assert_eq(wait_exit(p, WAIT_MS), 0, "EOF: exit 0");
	cr_assert(errlog_wait("ended inside a frame (52 of 102 bytes)", 1000),
		  "%s", read_errlog());
	cr_assert(errlog_wait("1 zero lengths, 1 short frames, 1 bad lengths "
			      "(42 bytes dropped), 1 cut at the end", 1000),
		  "%s", read_errlog());
	vde_close(x);
	wait_socks(sa.dir, 0);
}

Test(plug, switch_goes_away_exits_zero)
{
	int in;
	pid_t p;

	p = start_on_a(PLUG_BIN, &in, NULL);
	wait_socks(sa.dir, 1);
	cr_assert_eq(pb_stop(&sa), 0);
	cr_assert_eq(wait_exit(p, WAIT_MS), 0, "switch gone: exit 0 as "
		     "vde_plug");
	close(in);
}

Test(plug, slow_stdout_drops_counted)
{
	static uint8_t f[1500];
	int in, out;
	unsigned i;
	pid_t p;
	VDECONN *x;

	p = start_on_a(PLUG_BIN, &in, &out);
	wait_socks(sa.dir, 1);
	x = pb_open(&sa, "", "x");
	cr_assert(x);
	/* 3000 x 1502 bytes: more than the pipe and the 256 KiB buffer */
	mkframe(f, MAC_BCAST, MAC_X, sizeof(f), 0x33);
	for (i = 0; i < 3000; i++) {
		cr_assert_eq(vde_send(x, f, sizeof(f), 0), (ssize_t)sizeof(f));
		if (i % 32 == 31)
			poll(NULL, 0, 1);
	}
	poll(NULL, 0, 200);
	cr_assert_lt(proc_nfds(p), 64);
	stop(p);
	cr_assert(errlog_wait("(stdout full)", 1000));
	cr_assert(!strstr(read_errlog(), "dropped: 0 (stdout full)"),
		  "%s", read_errlog());
	vde_close(x);
	close(in);
	close(out);
}

Test(plug, errors)
{
	char url[300];
	pid_t p;

	pb_start(&sa, NULL);
	snprintf(errlog, sizeof(errlog), "%s/plug.err", sa.tmp);
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN,
		  "/nonexistent/switch", NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 1);
	cr_assert(errlog_wait("cannot connect to /nonexistent/switch", 100));
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "nosuch://x",
		  NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 1);
	cr_assert(errlog_wait("nosuch://x: no libvdeplug plugin", 100));
	/* port 500 of a 32-port switch: refused */
	snprintf(url, sizeof(url), "vde://%s[500]", sa.dir);
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, url, NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 1);
	cr_assert(errlog_wait("cannot connect to vde://", 100), "%s",
		  read_errlog());
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "-p", "0",
		  sa.dir, NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 2);
	cr_assert(errlog_wait("-p '0': a port number", 100));
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "-d", sa.dir,
		  NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 2);
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "a", "b", "c",
		  NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 2);
	p = spawn(-1, -1, (const char *const[]){ PLUG_BIN, "--help", NULL });
	cr_assert_eq(wait_exit(p, WAIT_MS), 0);
	cr_assert_eq(count_datasocks(sa.dir), 0);
}
