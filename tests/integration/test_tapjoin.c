/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_tapjoin.c - patchbay-tap, the vde_plug2tap replacement. Every test
 * that creates or configures an interface does it inside a network
 * namespace it creates itself (unshare(CLONE_NEWNET) in the test's own
 * process; the programs it starts inherit it). Addresses are from
 * 198.18.0.0/15; only processes the test started are stopped, by pid.
 *
 * Two patchbay-tap processes on one patchbay carry UDP between two
 * namespaces and show up as "unix prog" endpoints; -s - relays the
 * vde_plug 2-byte stream both ways and survives bad lengths; --mkpersist
 * prepares a TAP that nobody joins without privileges, while a fresh name
 * as nobody is refused naming CAP_NET_ADMIN; bad options exit 2 with the
 * usage, and a missing bridge leaves no TAP behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#ifndef TAPJOIN_BIN
#error "TAPJOIN_BIN (the path of patchbay-tap) must be defined"
#endif

#define WAIT_MS 5000
#define NOBODY 65534

static struct pb sw;

static void teardown(void)
{
	if (sw.pid > 0)
		pb_stop(&sw);
	pb_cleanup(&sw);
}

TestSuite(tapjoin, .fini = teardown, .timeout = 60);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Start patchbay-tap with @args (NULL-terminated). @in/@out: its stdin and
 * stdout, or -1 for /dev/null; @errfd: its stderr, or -1 to inherit;
 * @as_nobody: drop to uid/gid 65534 first.
 */
static pid_t tj_start(int in, int out, int errfd, bool as_nobody,
		      const char *const *args)
{
	const char *argv[32];
	pid_t pid;
	int n = 0;

	argv[n++] = TAPJOIN_BIN;
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	cr_assert(pid >= 0);
	if (pid)
		return pid;
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	if (out < 0)
		out = open("/dev/null", O_WRONLY);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	if (errfd >= 0 && dup2(errfd, 2) < 0)
		_exit(126);
	if (as_nobody && (setgroups(0, NULL) ||
			  setresgid(NOBODY, NOBODY, NOBODY) ||
			  setresuid(NOBODY, NOBODY, NOBODY)))
		_exit(126);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	execv(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

/* Wait for @pid; its exit status, 128 + signal, or -1 after @ms. */
static int tj_wait(pid_t pid, int ms)
{
	long long end = now_ms() + ms;
	int st;

	while (now_ms() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		poll(NULL, 0, 10);
	}
	return -1;
}

static int tj_stop(pid_t pid)
{
	int rc;

	kill(pid, SIGTERM);
	rc = tj_wait(pid, WAIT_MS);
	if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return rc;
}

/* Run patchbay-tap to completion; return its exit status, stderr in
 * @err (and stdout appended when @out). */
static int tj_run(char *err, size_t errlen, bool as_nobody, ...)
{
	const char *args[32];
	char path[] = "/tmp/pbtj-err.XXXXXX";
	va_list ap;
	int n = 0, fd, rc;
	ssize_t got;

	va_start(ap, as_nobody);
	while (n < 31 && (args[n] = va_arg(ap, const char *)))
		n++;
	args[n] = NULL;
	va_end(ap);
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	fchmod(fd, 0666);
	rc = tj_wait(tj_start(-1, fd, fd, as_nobody, args), WAIT_MS);
	got = pread(fd, err, errlen - 1, 0);
	err[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

static bool link_exists(const char *ifname)
{
	return run_cmd("ip link show %s >/dev/null 2>&1", ifname) == 0;
}

/* Wait until @ifname is up (its flags show UP). */
static bool wait_link_up(const char *ifname, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (!run_cmd("ip link show %s 2>/dev/null | grep -q ',UP'",
			     ifname))
			return true;
		poll(NULL, 0, 20);
	}
	return false;
}

/* Wait until port/print lists @n patchbay-tap endpoints. */
static bool wait_endpoints(int n, int ms, char *out, size_t len)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		const char *p = out;
		int found = 0;

		if (!pb_cmd(&sw, "port/print", out, len))
			while ((p = strstr(p, "module unix prog   : "
					      "patchbay-tap"))) {
				found++;
				p++;
			}
		if (found >= n)
			return true;
		poll(NULL, 0, 20);
	}
	return false;
}

/* The TAP's rx counter, through netlink (getifaddrs): /sys/class/net
 * shows the namespace sysfs was mounted in, not this test's. */
static unsigned long rx_packets(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	unsigned long n = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET &&
		    i->ifa_data && !strcmp(i->ifa_name, ifname))
			n = ((const struct rtnl_link_stats *)i->ifa_data)
				    ->rx_packets;
	freeifaddrs(ifa);
	return n;
}

/* The far end in a second namespace: the TAP moved there, addressed, a
 * UDP server sending each datagram back reversed; it leaves when told. */
static int far_end(int ready_w, int go_r)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(5001) };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	char buf[256], r[256], c;
	ssize_t n;
	int s, i;

	if (unshare(CLONE_NEWNET) || write(ready_w, "r", 1) != 1 ||
	    read(go_r, &c, 1) != 1)
		return 1;
	for (i = 0; i < 200 && system("ip link show pbj1 >/dev/null 2>&1");
	     i++)
		usleep(10000);
	if (system("ip link set lo up && ip addr add 198.18.0.2/24 dev pbj1 " /* netns */
		   "&& ip link set pbj1 up")) /* netns */
		return 2;
	inet_pton(AF_INET, "198.18.0.2", &a.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    write(ready_w, "l", 1) != 1)
		return 3;
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return 4;
	for (i = 0; i < n; i++)
		r[i] = buf[n - 1 - i];
	if (sendto(s, r, (size_t)n, 0, (struct sockaddr *)&from, fl) != n)
		return 5;
	/* stay, so that pbj1 lives until the test has stopped its joiner */
	if (read(go_r, &c, 1) < 0)
		return 6;
	close(s);
	return 0;
}

Test(tapjoin, udp_between_namespaces_through_the_switch)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(5001) };
	static char out[16384];
	const char msg[] = "patchbay-tap says hello";
	char buf[64], c;
	int ready[2], go[2], s, st, i;
	pid_t kid, j0, j1;
	ssize_t n = -1;

	pb_enter_netns();
	pb_start(&sw, NULL);
	j0 = tj_start(-1, -1, -1, false,
		      (const char *[]){ "-s", sw.dir, "--tap-addr",
					"198.18.0.1/24", "pbj0", NULL });
	j1 = tj_start(-1, -1, -1, false,
		      (const char *[]){ "-s", sw.dir, "pbj1", NULL });
	cr_assert(wait_endpoints(2, WAIT_MS, out, sizeof(out)),
		  "two patchbay-tap endpoints expected: %s", out);
	cr_assert(wait_link_up("pbj0", WAIT_MS));
	cr_assert(wait_link_up("pbj1", WAIT_MS));
	cr_assert_eq(run_cmd("ip -4 addr show pbj0 | grep -q 198.18.0.1/24"),
		     0, "--tap-addr not set");

	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	kid = fork();
	cr_assert(kid >= 0);
	if (kid == 0)
		_exit(far_end(ready[1], go[0]));
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_assert_eq(run_cmd("ip link set pbj1 netns %d", (int)kid), 0);
	cr_assert_eq(write(go[1], "g", 1), 1);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the far end did not listen");

	inet_pton(AF_INET, "198.18.0.2", &a.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	for (i = 0; i < 10 && n <= 0; i++) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		cr_assert_eq(sendto(s, msg, sizeof(msg) - 1, 0,
				    (struct sockaddr *)&a, sizeof(a)),
			     (ssize_t)sizeof(msg) - 1);
		if (poll(&p, 1, 500) == 1)
			n = recv(s, buf, sizeof(buf), 0);
	}
	cr_assert_eq(n, (ssize_t)sizeof(msg) - 1, "no UDP answer");
	for (i = 0; i < n; i++)
		cr_assert_eq(buf[i], msg[n - 1 - i]);
	close(s);
	/* and the two TAPs' namespaces ping each other, small and large */
	cr_assert_eq(run_cmd("/bin/busybox ping -c 2 -W 3 198.18.0.2 "
			     ">/dev/null && /bin/busybox ping -c 2 -W 3 "
			     "-s 1472 198.18.0.2 >/dev/null"),
		     0, "no ping answer across the two TAPs");

	cr_assert_gt(pb_port_counter(&sw, 1, " IN:", "pkts"), 0);
	cr_assert_gt(pb_port_counter(&sw, 2, " IN:", "pkts"), 0);
	cr_assert_eq(tj_stop(j0), 0);
	cr_assert_eq(tj_stop(j1), 0);
	cr_assert(!link_exists("pbj0"), "pbj0 outlived patchbay-tap");
	cr_assert_eq(write(go[1], "q", 1), 1);
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "far end: %d",
		  WEXITSTATUS(st));
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Read stream frames from @fd until one satisfies @want or @ms pass. */
static bool stream_find(int fd, int ms, bool (*want)(const uint8_t *, size_t))
{
	static uint8_t buf[65536];
	long long end = now_ms() + ms;
	size_t have = 0;

	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n <= 0)
			return false;
		have += (size_t)n;
		while (have >= 2) {
			size_t len = (size_t)buf[0] << 8 | buf[1];

			cr_assert(len >= 14 && len <= 9234,
				  "bad length %zu on stdout", len);
			if (have < len + 2)
				break;
			if (want(buf + 2, len))
				return true;
			memmove(buf, buf + 2 + len, have - 2 - len);
			have -= 2 + len;
		}
	}
	return false;
}

static bool is_our_udp(const uint8_t *f, size_t len)
{
	return len >= 14 + 20 + 8 + 5 && f[12] == 0x08 && f[13] == 0x00 &&
	       f[23] == 17 && !memcmp(f + len - 5, "probe", 5);
}

static void stream_write(int fd, const uint8_t *p, size_t n)
{
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
}

static bool wait_rx(const char *ifname, unsigned long want, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		if (rx_packets(ifname) >= want)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

Test(tapjoin, stream_on_stdin_stdout)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	uint8_t f[2 + 60], bad[4] = { 0xff, 0xff, 0x12, 0x34 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x07 };
	int in[2], out[2], s, one = 1, i;
	unsigned long rx0;
	pid_t j;
	bool ok = false;

	pb_enter_netns();
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	j = tj_start(in[0], out[1], -1, false,
		     (const char *[]){ "-s", "-", "--tap-addr",
				       "198.18.2.1/24", "pbj2", NULL });
	close(in[0]);
	close(out[1]);
	cr_assert(wait_link_up("pbj2", WAIT_MS));

	/* stream -> TAP: a 60-byte broadcast frame, local ethertype */
	rx0 = rx_packets("pbj2");
	f[0] = 0;
	f[1] = 60;
	mkframe(f + 2, MAC_BCAST, src, 60, 0xa5);
	f[2 + 12] = 0x88;
	f[2 + 13] = 0xb5;
	stream_write(in[1], f, sizeof(f));
	cr_assert(wait_rx("pbj2", rx0 + 1, WAIT_MS),
		  "the frame did not reach the TAP");

	/* a bad length is reported, and the stream goes on */
	stream_write(in[1], bad, sizeof(bad));
	rx0 = rx_packets("pbj2");
	for (i = 0; i < 50 && !ok; i++) {
		stream_write(in[1], f, sizeof(f));
		ok = wait_rx("pbj2", rx0 + 1, 100);
	}
	cr_assert(ok, "no frame after a bad length");
	cr_assert_eq(waitpid(j, NULL, WNOHANG), 0, "it died on a bad length");

	/* TAP -> stream: a broadcast datagram the kernel sends out */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	inet_pton(AF_INET, "198.18.2.255", &a.sin_addr);
	cr_assert_eq(sendto(s, "probe", 5, 0, (struct sockaddr *)&a,
			    sizeof(a)), 5, "sendto: %s", strerror(errno));
	close(s);
	cr_assert(stream_find(out[0], WAIT_MS, is_our_udp),
		  "the datagram did not come out framed on stdout");

	/* end of input: a clean exit, the TAP gone */
	close(in[1]);
	cr_assert_eq(tj_wait(j, WAIT_MS), 0);
	close(out[0]);
	cr_assert(!link_exists("pbj2"));
}

/*
 * Unprivileged users open /dev/net/tun, normally mode 0666. Where it is
 * not (some containers make it 0600), give this test's process a mount
 * namespace of its own with a 0666 node for the same device, so the host's
 * /dev is never touched. False if that cannot be done.
 */
static bool tun_for_everyone(void)
{
	struct stat st;

	if (stat("/dev/net/tun", &st))
		return false;
	if ((st.st_mode & 0666) == 0666)
		return true;
	return !unshare(CLONE_NEWNS) &&
	       !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
	       !mount("none", "/dev/net", "tmpfs", 0, "mode=0755") &&
	       !mknod("/dev/net/tun", S_IFCHR | 0666, makedev(10, 200)) &&
	       !chmod("/dev/net/tun", 0666);
}

Test(tapjoin, mkpersist_and_rmpersist)
{
	char out[4096];

	pb_enter_netns();
	cr_assert_eq(tj_run(out, sizeof(out), false, "--mkpersist", "--owner",
			    "nobody", "--group", "nogroup", "pbjp", NULL),
		     0, "--mkpersist: %s", out);
	cr_assert(strstr(out, "pbjp: persistent TAP, owner nobody"),
		  "got: %s", out);
	cr_assert_eq(run_cmd("ip -d link show pbjp | grep -q "
			     "'persist on user nobody group nogroup'"),
		     0);
	cr_assert_eq(tj_run(out, sizeof(out), false, "--mkpersist", "--owner",
			    "no-such-user-pbj", "pbjr", NULL),
		     2);
	cr_assert(strstr(out, "'no-such-user-pbj'"), "got: %s", out);
	cr_assert(!link_exists("pbjr"));
	cr_assert_eq(tj_run(out, sizeof(out), false, "--rmpersist", "pbjp",
			    NULL),
		     0, "--rmpersist: %s", out);
	cr_assert(!link_exists("pbjp"), "pbjp is still there");
}

Test(tapjoin, nobody_joins_a_persistent_tap)
{
	char err[4096], out[8192];
	pid_t j;

	pb_enter_netns();
	if (!tun_for_everyone())
		cr_skip_test("/dev/net/tun is not open to other users and no "
			     "private 0666 node could be made: %s",
			     strerror(errno));
	cr_assert_eq(tj_run(err, sizeof(err), false, "--mkpersist", "--owner",
			    "nobody", "pbjp", NULL),
		     0, "--mkpersist: %s", err);
	cr_assert_eq(run_cmd("ip link set pbjp up"), 0); /* netns */

	pb_start(&sw, "-m", "0666", NULL);
	cr_assert_eq(chmod(sw.dir, 0777), 0);
	j = tj_start(-1, -1, -1, true,
		     (const char *[]){ "-s", sw.dir, "pbjp", NULL });
	cr_assert(wait_endpoints(1, WAIT_MS, out, sizeof(out)),
		  "nobody's patchbay-tap did not join: %s", out);
	cr_assert_eq(waitpid(j, NULL, WNOHANG), 0);
	cr_assert_eq(tj_stop(j), 0);
	cr_assert(link_exists("pbjp"), "a persistent TAP went away");

	/* a fresh name, without privileges */
	cr_assert_eq(tj_run(err, sizeof(err), true, "-s", sw.dir, "pbjq",
			    NULL),
		     1);
	cr_assert(strstr(err, "CAP_NET_ADMIN"), "got: %s", err);
	cr_assert(strstr(err, "--mkpersist"), "got: %s", err);
	cr_assert(!link_exists("pbjq"));

	cr_assert_eq(tj_run(err, sizeof(err), false, "--rmpersist", "pbjp",
			    NULL),
		     0, "--rmpersist: %s", err);
	cr_assert(!link_exists("pbjp"), "pbjp is still there");
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(tapjoin, bad_options_exit_2_with_usage)
{
	char err[8192];

	cr_assert_eq(tj_run(err, sizeof(err), false, "--no-such-option",
			    "pbjx", NULL),
		     2);
	cr_assert(strstr(err, "--no-such-option"), "got: %s", err);
	cr_assert(strstr(err, "usage:"), "got: %s", err);
	cr_assert_eq(tj_run(err, sizeof(err), false, "--tap-mtu", "12",
			    "pbjx", NULL),
		     2);
	cr_assert(strstr(err, "'12'"), "got: %s", err);
	cr_assert_eq(tj_run(err, sizeof(err), false, "-p", "x1", "pbjx",
			    NULL),
		     2);
	cr_assert(strstr(err, "'x1'"), "got: %s", err);
	cr_assert_eq(tj_run(err, sizeof(err), false, NULL), 2);
	cr_assert(strstr(err, "IFNAME"), "got: %s", err);
	cr_assert_eq(tj_run(err, sizeof(err), false, "--version", NULL), 0);
	cr_assert(strstr(err, "patchbay-tap " PACKAGE_VERSION), "got: %s",
		  err);
}

Test(tapjoin, missing_bridge_leaves_nothing)
{
	char err[4096];

	pb_enter_netns();
	pb_start(&sw, NULL);
	cr_assert_eq(tj_run(err, sizeof(err), false, "-s", sw.dir,
			    "--tap-bridge", "pbjnobr", "pbjb", NULL),
		     1);
	cr_assert(strstr(err, "pbjnobr"), "got: %s", err);
	cr_assert(!link_exists("pbjb"), "a TAP was left behind");
	/* a switch that is not there: also clear, also nothing left */
	cr_assert_eq(tj_run(err, sizeof(err), false, "-s", "/nonexistent/sw",
			    "pbjb", NULL),
		     1);
	cr_assert(strstr(err, "/nonexistent/sw"), "got: %s", err);
	cr_assert(!link_exists("pbjb"), "a TAP was left behind");
	cr_assert_eq(pb_stop(&sw), 0);
}
