/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_run.c - patchbay-run against the real switch: the emulator (a fake
 * that reports its argv and fds, or a real QEMU that boots nothing) holds
 * the switch's own data socket and the launcher none; exit status and
 * signals pass through; ports go as soon as the emulator does; bad input
 * stops everything before the emulator starts; other schemes are relayed
 * with jumbo frames intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "runtest.h"

#define QEMU "/usr/bin/qemu-system-x86_64"
#define WAIT_MS 10000		/* anything that should happen "at once" */
#define RELEASE_MS 2000		/* a port's release after the emulator */
#define QEMU_MS 30000

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t FAKE_MAC0[6] = { 0x02, 0xfe, 0, 0, 0, 0 };
static const uint8_t QEMU_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct pb sw;
static char report[200], errlog[200];

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
}

static void teardown(void)
{
	rt_cleanup();
	pb_cleanup(&sw);
}

TestSuite(run, .init = setup, .fini = teardown, .timeout = 120);

/* The switch, and where the fake emulator and the launcher report. */
static void start_switch(void)
{
	pb_start(&sw, NULL);
	snprintf(report, sizeof(report), "%s/report", sw.tmp);
	snprintf(errlog, sizeof(errlog), "%s/run.err", sw.tmp);
	setenv("FAKEEMU_REPORT", report, 1);
}

/* The fake's report, once it is there. free() it. */
static char *fake_report(void)
{
	char *r;

	cr_assert(rt_wait_file(report, WAIT_MS),
		  "the emulator did not start (see %s)", errlog);
	r = rt_slurp(report);
	cr_assert(r);
	return r;
}

/* The fake's arguments, joined by spaces. */
static const char *fake_args(const char *rep)
{
	static char args[2048];
	const char *p = rep;

	args[0] = '\0';
	while ((p = strstr(p, "\narg "))) {
		const char *v = strchr(p + 5, ' ') + 1;
		size_t len = strcspn(v, "\n"), have = strlen(args);

		snprintf(args + have, sizeof(args) - have, "%s%.*s",
			 have ? " " : "", (int)len, v);
		p = v;
	}
	return args;
}

static pid_t fake_pid(const char *rep)
{
	int pid = 0;

	cr_assert_eq(sscanf(rep, "pid %d", &pid), 1);
	return pid;
}

/* The @n-th fd line of the report: its number, type and peer. */
static int fake_fd(const char *rep, int n, char type[16], char peer[256])
{
	const char *p = rep;
	char fam[16];
	int fd = -1;

	while (n-- >= 0) {
		p = strstr(p, "\nfd ");
		cr_assert(p, "no fd in the report:\n%s", rep);
		p++;
	}
	cr_assert_eq(sscanf(p, "fd %d %15s %15s %255s", &fd, type, fam, peer),
		     4);
	cr_assert_str_eq(fam, "unix");
	return fd;
}

/* @peer is the switch's data socket DIR/NNN.F for port @port. */
static void assert_switch_peer(const char *peer, unsigned port)
{
	char want[220];

	snprintf(want, sizeof(want), "%s/%03u.", sw.dir, port);
	cr_assert_eq(strncmp(peer, want, strlen(want)), 0,
		     "the emulator's fd is connected to %s, not %s*", peer,
		     want);
}

static void assert_err_has(const char *needle)
{
	char *e = rt_slurp(errlog);

	cr_assert(e && strstr(e, needle), "'%s' is not in the output:\n%s",
		  needle, e ? e : "(none)");
	free(e);
}

/* The launcher exited with @code, not by a signal. */
static void assert_exit(pid_t run, int code)
{
	int st;

	cr_assert(rt_wait(run, WAIT_MS, &st), "patchbay-run did not exit");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == code,
		  "patchbay-run: status %#x, want exit %d", st, code);
}

/* Wait up to RELEASE_MS for the switch to hold no data socket. */
static bool ports_released(void)
{
	int ms;

	for (ms = 0; count_datasocks(sw.dir) && ms < RELEASE_MS; ms += 5)
		usleep(5000);
	return count_datasocks(sw.dir) == 0;
}

static void recv_from(VDECONN *c, const uint8_t src[6], size_t len)
{
	static uint8_t g[9300];
	ssize_t n = recv_frame(c, g, sizeof(g), WAIT_MS);

	cr_assert_eq(n, (ssize_t)len, "got %zd bytes, want %zu", n, len);
	cr_assert_eq(memcmp(g + 6, src, 6), 0, "frame from another MAC");
}

/*
 * The direct hand-over: the emulator holds a datagram socket connected to
 * the switch's 005.F, its frames count on port 5, the launcher holds no
 * datagram socket at all (so no frame can pass through it), -v printed the
 * command exactly, and SIGKILL to the emulator releases the port at once.
 */
Test(run, netdev_direct_handover)
{
	char netdev[300], want[600], body[4096], type[16], peer[256];
	const char *argv[] = { RUN_BIN, "-v", "-D", "fake guest", FAKEEMU_BIN,
			       "-M", "pc", "-netdev", netdev, "-device",
			       "e1000,netdev=n0", NULL };
	pid_t run, emu;
	VDECONN *c;
	char *rep;
	int fd, st;

	start_switch();
	c = pb_open(&sw, "", "listener");
	cr_assert(c);
	setenv("FAKEEMU_FRAMES", "3", 1);
	snprintf(netdev, sizeof(netdev), "vde,id=n0,sock=%s,port=5", sw.dir);
	run = rt_spawn(argv, errlog);
	rep = fake_report();
	emu = fake_pid(rep);

	fd = fake_fd(rep, 0, type, peer);
	cr_assert_str_eq(type, "dgram");
	assert_switch_peer(peer, 5);
	snprintf(want, sizeof(want),
		 "-M pc -netdev socket,id=n0,fd=%d -device e1000,netdev=n0",
		 fd);
	cr_assert_str_eq(fake_args(rep), want);
	snprintf(body, sizeof(body), "\nopen %d\n", fd);
	cr_assert(strstr(rep, body), "the emulator holds other fds:\n%s",
		  rep);
	snprintf(want, sizeof(want), "patchbay-run: %s %s", FAKEEMU_BIN,
		 fake_args(rep));
	assert_err_has(want);

	recv_from(c, FAKE_MAC0, 60);
	recv_from(c, FAKE_MAC0, 60);
	recv_from(c, FAKE_MAC0, 60);
	cr_assert_eq(pb_port_counter(&sw, 5, " IN:", "pkts"), 3);
	cr_assert_eq(pb_cmd(&sw, "port/print 5", body, sizeof(body)), 0);
	cr_assert(strstr(body, ": fake guest user="), "port/print 5: %s",
		  body);
	cr_assert_eq(rt_unix_dgrams(emu), 1);
	cr_assert_eq(rt_unix_dgrams(run), 0,
		     "the launcher holds a datagram socket");

	cr_assert_eq(kill(emu, SIGKILL), 0);
	cr_assert(rt_wait(run, WAIT_MS, &st));
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		  "status %#x: not the emulator's SIGKILL", st);
	cr_assert(wait_count(sw.dir, "005.", 0, RELEASE_MS),
		  "port 5 outlived the emulator");
	free(rep);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* -nic keeps model= and mac=; the emulator's exit code is the launcher's. */
Test(run, nic_exit_status)
{
	char nic[300], want[300], type[16], peer[256];
	const char *argv[] = { RUN_BIN, FAKEEMU_BIN, "-nic", nic, NULL };
	char *rep;
	int fd;

	start_switch();
	setenv("FAKEEMU_EXIT", "7", 1);
	snprintf(nic, sizeof(nic),
		 "vde,sock=%s,model=e1000,mac=52:54:00:12:34:56", sw.dir);
	assert_exit(rt_spawn(argv, errlog), 7);
	rep = fake_report();
	fd = fake_fd(rep, 0, type, peer);
	assert_switch_peer(peer, 1);
	snprintf(want, sizeof(want),
		 "-nic socket,fd=%d,model=e1000,mac=52:54:00:12:34:56", fd);
	cr_assert_str_eq(fake_args(rep), want);
	cr_assert(wait_count(sw.dir, "001.", 0, RELEASE_MS));
	free(rep);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* SIGTERM to the launcher reaches the emulator (-net vde form). */
Test(run, signal_forwarded)
{
	char net[300], want[300], type[16], peer[256], sig[220];
	const char *argv[] = { RUN_BIN, FAKEEMU_BIN, "-net", "nic", "-net",
			       net, NULL };
	char *rep, *s;
	pid_t run;
	int fd;

	start_switch();
	snprintf(net, sizeof(net), "vde,sock=%s", sw.dir);
	run = rt_spawn(argv, errlog);
	rep = fake_report();
	fd = fake_fd(rep, 0, type, peer);
	assert_switch_peer(peer, 1);
	snprintf(want, sizeof(want), "-net nic -net socket,fd=%d", fd);
	cr_assert_str_eq(fake_args(rep), want);

	cr_assert_eq(kill(run, SIGTERM), 0);
	assert_exit(run, 100 + SIGTERM);
	snprintf(sig, sizeof(sig), "%s.sig", report);
	s = rt_slurp(sig);
	cr_assert(s && !strcmp(s, "signal 15\n"), "the emulator got: %s", s);
	cr_assert(wait_count(sw.dir, "001.", 0, RELEASE_MS));
	free(s);
	free(rep);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* vdeq's form: -sock DIR,DIR --mod after EMULATOR: two ports, one NIC. */
Test(run, vdeq_sock_form)
{
	char socks[400], want[300], type[16], peer[256];
	const char *argv[] = { RUN_BIN, FAKEEMU_BIN, "-sock", socks, "--mod",
			       "0770", "-m", "64", NULL };
	char *rep;
	int fd0, fd1;

	start_switch();
	setenv("FAKEEMU_EXIT", "0", 1);
	snprintf(socks, sizeof(socks), "%s,%s", sw.dir, sw.dir);
	assert_exit(rt_spawn(argv, errlog), 0);
	rep = fake_report();
	fd0 = fake_fd(rep, 0, type, peer);
	assert_switch_peer(peer, 1);
	fd1 = fake_fd(rep, 1, type, peer);
	assert_switch_peer(peer, 2);
	snprintf(want, sizeof(want),
		 "-net nic -net socket,fd=%d -net socket,fd=%d -m 64", fd0,
		 fd1);
	cr_assert_str_eq(fake_args(rep), want);
	cr_assert(ports_released());
	free(rep);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A refusal: exit @code with @needle said, no emulator, no port left. */
static void refused(const char *opt, const char *val, int code,
		    const char *needle)
{
	const char *argv[] = { RUN_BIN, FAKEEMU_BIN, "-nic", "vde", opt, val,
			       NULL };
	char first[300];

	snprintf(first, sizeof(first), "vde,sock=%s", sw.dir);
	argv[3] = first;
	unlink(errlog);
	assert_exit(rt_spawn(argv, errlog), code);
	assert_err_has(needle);
	cr_assert(access(report, F_OK), "the emulator was started");
	cr_assert(ports_released(), "a port was left behind");
}

Test(run, bad_input_before_the_emulator)
{
	char v[300];

	start_switch();
	snprintf(v, sizeof(v), "vde,sock=%s,colour=red", sw.dir);
	refused("-nic", v, 2, "-nic vde,sock=");
	refused("-nic", v, 2, "unknown key 'colour'");
	snprintf(v, sizeof(v), "vde,sock=%s/nothere", sw.tmp);
	refused("-nic", v, 1, "nothere: No such file or directory");
	/* 32 ports: port 40 is refused by the switch */
	snprintf(v, sizeof(v), "vde,sock=%s,port=40", sw.dir);
	refused("-nic", v, 1, "refused the request");
	cr_assert(pb_log_wait(&sw, "port 40 out of range", WAIT_MS));
	refused("-netdev", "vde,sock=/x", 2, "id= is required");
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(run, emulator_not_found)
{
	const char *argv[] = { RUN_BIN, "patchbay-no-such-emulator", "-nic",
			       "vde", NULL };

	start_switch();
	assert_exit(rt_spawn(argv, errlog), 127);
	assert_err_has("patchbay-no-such-emulator: not found in PATH");
	cr_assert_eq(pb_stop(&sw), 0);
}

/*
 * Another scheme is relayed: ptp:// (two ends of an AF_UNIX datagram
 * link, no switch). 9014-byte frames pass both ways whole.
 */
Test(run, relay_ptp_jumbo)
{
	static uint8_t f[9014];
	char url[220], netdev[300], type[16], peer[256];
	const char *argv[] = { RUN_BIN, FAKEEMU_BIN, "-netdev", netdev, NULL };
	VDECONN *end;
	pid_t run;
	char *rep;

	start_switch();
	snprintf(url, sizeof(url), "ptp://%s/ptp", sw.tmp);
	end = vde_open(url, (char *)(uintptr_t)"test end", NULL);
	cr_assert(end, "vde_open %s: %s", url, strerror(errno));
	setenv("FAKEEMU_FRAMES", "2", 1);
	setenv("FAKEEMU_LEN", "9014", 1);
	snprintf(netdev, sizeof(netdev), "vde,id=p0,sock=%s", url);
	run = rt_spawn(argv, errlog);
	rep = fake_report();
	fake_fd(rep, 0, type, peer);
	cr_assert_str_eq(type, "dgram");

	recv_from(end, FAKE_MAC0, 9014);
	recv_from(end, FAKE_MAC0, 9014);
	mkframe(f, MAC_BCAST, MAC_A, sizeof(f), 0x5a);
	cr_assert_eq(vde_send(end, f, sizeof(f), 0), (ssize_t)sizeof(f));
	recv_from(end, FAKE_MAC0, 9014);	/* the fake's echo */

	cr_assert_eq(kill(run, SIGTERM), 0);
	assert_exit(run, 100 + SIGTERM);
	free(rep);
	vde_close(end);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A shell wrapper that refuses any vde netdev, then runs QEMU. */
static void write_wrapper(char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/qemu-novde", sw.tmp);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "#!/bin/sh\n"
		   "for a in \"$@\"; do\n"
		   "\tcase \"$a\" in *vde,*) echo \"no vde: $a\" >&2; "
		   "exit 1;; esac\n"
		   "done\n"
		   "exec " QEMU " \"$@\"\n");
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, 0755), 0);
}

static bool is_rarp_from(const uint8_t *g, ssize_t n, const uint8_t mac[6])
{
	return n == 60 && !memcmp(g, MAC_BCAST, 6) && !memcmp(g + 6, mac, 6) &&
	       g[12] == 0x80 && g[13] == 0x35;
}

/*
 * Real QEMU 7.2 without a guest: QMP announce-self makes its NIC send
 * RARPs, which come out of the switch; QEMU holds the data socket, the
 * launcher none; QMP quit ends both with status 0 and frees the port.
 */
static void qemu_run(const char *opt, const char *head, const char *tail,
		     unsigned port, bool wrapper)
{
	char emu[220], netarg[300], qmparg[260], qmp[220], pidfile[220];
	const char *argv[] = { RUN_BIN, "-v", emu, "-M", "pc", "-accel", "tcg",
			       "-display", "none", "-nodefaults", "-qmp",
			       qmparg, "-pidfile", pidfile, opt, netarg,
			       "-device",
			       "e1000,netdev=n0,romfile=,mac=52:54:00:12:34:56",
			       NULL };
	uint8_t g[1600];
	char prefix[16], *pidtext;
	pid_t run, qemu;
	VDECONN *c;
	int q, i, st;

	if (access(QEMU, X_OK))
		cr_skip_test("%s is not installed", QEMU);
	start_switch();
	if (strcmp(opt, "-netdev"))
		argv[16] = NULL;	/* -nic brings its own device */
	snprintf(emu, sizeof(emu), "%s", QEMU);
	if (wrapper)
		write_wrapper(emu, sizeof(emu));
	snprintf(netarg, sizeof(netarg), "%s%s%s", head, sw.dir, tail);
	snprintf(qmp, sizeof(qmp), "%s/qmp.sock", sw.tmp);
	snprintf(qmparg, sizeof(qmparg), "unix:%s,server=on,wait=off", qmp);
	snprintf(pidfile, sizeof(pidfile), "%s/qemu.pid", sw.tmp);
	snprintf(prefix, sizeof(prefix), "%03u.", port);
	c = pb_open(&sw, "[9]", "listener");
	cr_assert(c);

	run = rt_spawn(argv, errlog);
	q = rt_qmp_open(qmp, run, QEMU_MS);
	cr_assert(q >= 0, "QEMU did not start (see %s)", errlog);
	snprintf(prefix, sizeof(prefix), "%s", opt);
	snprintf(netarg, sizeof(netarg), " %s socket,", prefix);
	assert_err_has(netarg);	/* -v: the rewritten command */
	snprintf(prefix, sizeof(prefix), "%03u.", port);
	pidtext = rt_slurp(pidfile);
	cr_assert(pidtext);
	qemu = atoi(pidtext);
	free(pidtext);
	cr_assert(wait_count(sw.dir, prefix, 1, WAIT_MS));

	cr_assert(rt_qmp_announce(q, QEMU_MS));
	for (i = 0; i < 2; i++) {
		ssize_t n = recv_frame(c, g, sizeof(g), QEMU_MS);

		cr_assert(is_rarp_from(g, n, QEMU_MAC),
			  "frame %d: %zd bytes, not QEMU's RARP", i, n);
	}
	cr_assert_eq(pb_port_counter(&sw, port, " IN:", "pkts"), 2);
	cr_assert_geq(rt_unix_dgrams(qemu), 1);
	cr_assert_eq(rt_unix_dgrams(run), 0,
		     "the launcher holds a datagram socket");

	cr_assert(rt_qmp(q, "{\"execute\":\"quit\"}\n", QEMU_MS));
	cr_assert(rt_wait(run, QEMU_MS, &st));
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert(wait_count(sw.dir, prefix, 0, RELEASE_MS));
	close(q);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(run, qemu_netdev)
{
	qemu_run("-netdev", "vde,id=n0,sock=", ",port=4", 4, false);
}

Test(run, qemu_nic)
{
	qemu_run("-nic", "vde,id=n0,sock=",
		 ",model=e1000,mac=52:54:00:12:34:56", 1, false);
}

Test(run, qemu_wrapper_without_vde)
{
	qemu_run("-netdev", "vde,id=n0,sock=", "", 1, true);
}
