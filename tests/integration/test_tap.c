/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_tap.c - TAP ports, every test inside a network namespace it creates
 * itself (unshare(CLONE_NEWNET) in the test's own process: the switch it
 * starts inherits it; nothing touches the host's namespace). Addresses are
 * from 198.18.0.0/15.
 *
 * A TAP addressed 198.18.0.1 reaches a peer behind the switch (a
 * libvdeplug client of the test answering ARP and UDP); TCP runs end to
 * end between two TAPs of one switch, one of them moved to a second
 * namespace; a bridge, MTU and MAC are set through netlink with no program
 * run; a deleted device takes its port down only; bad names, bridges and
 * missing privileges are clear errors that leave nothing behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define WAIT_MS 5000

static struct pb sw;

static void teardown(void)
{
	if (sw.pid > 0)
		pb_stop(&sw);
	pb_cleanup(&sw);
}

TestSuite(tap, .fini = teardown, .timeout = 60);

static const uint8_t PEER_MAC[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t PEER_IP[4] = { 198, 18, 0, 2 };

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The peer behind the switch: answers ARP for 198.18.0.2 and sends each
 * UDP datagram for it back reversed. Returns after @want UDP datagrams or
 * when @ms pass.
 */
static unsigned peer_serve(VDECONN *c, unsigned want, int ms)
{
	long long end = (long long)time(NULL) * 1000 + ms;
	unsigned got = 0;
	uint8_t f[1600];

	while (got < want && (long long)time(NULL) * 1000 < end) {
		ssize_t n = recv_frame(c, f, sizeof(f), 200);

		if (n < 42)
			continue;
		if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 &&
		    !memcmp(f + 38, PEER_IP, 4)) {
			uint8_t r[60] = { 0 };

			memcpy(r, f + 6, 6);
			memcpy(r + 6, PEER_MAC, 6);
			memcpy(r + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x02",
			       10);
			memcpy(r + 22, PEER_MAC, 6);
			memcpy(r + 28, PEER_IP, 4);
			memcpy(r + 32, f + 22, 10);	/* sender's MAC+IP */
			vde_send(c, r, sizeof(r), 0);
		} else if (f[12] == 0x08 && f[13] == 0x00 && f[23] == 17 &&
			   !memcmp(f + 30, PEER_IP, 4)) {
			unsigned ihl = (f[14] & 15) * 4u;
			uint8_t *udp = f + 14 + ihl;
			unsigned ulen = (unsigned)(udp[4] << 8 | udp[5]);
			uint8_t tmp[16];
			unsigned i;

			/* swap MACs, IPs, ports; reverse the payload */
			memcpy(tmp, f, 6);
			memcpy(f, f + 6, 6);
			memcpy(f + 6, tmp, 6);
			memcpy(tmp, f + 26, 4);
			memcpy(f + 26, f + 30, 4);
			memcpy(f + 30, tmp, 4);
			memcpy(tmp, udp, 2);
			memcpy(udp, udp + 2, 2);
			memcpy(udp + 2, tmp, 2);
			for (i = 0; i < (ulen - 8) / 2; i++) {
				uint8_t x = udp[8 + i];

				udp[8 + i] = udp[ulen - 1 - i];
				udp[ulen - 1 - i] = x;
			}
			udp[6] = udp[7] = 0;	/* no UDP checksum */
			f[24] = f[25] = 0;
			{
				uint16_t cs = ip_csum(f + 14, ihl);

				f[24] = (uint8_t)(cs >> 8);
				f[25] = (uint8_t)cs;
			}
			vde_send(c, f, (size_t)n, 0);
			got++;
		}
	}
	return got;
}

Test(tap, addressed_tap_reaches_a_peer_behind_the_switch)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(7777) };
	char body[4096], buf[64];
	VDECONN *peer;
	pid_t kid;
	int s, st;
	ssize_t n;

	pb_enter_netns();
	pb_start(&sw, "-t", "pbtap0", "--tap-addr", "198.18.0.1/24",
		 "--tap-addr", "2001:db8::1/64", NULL);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", body, sizeof(body)), 0);
	cr_assert(strstr(body, " Current User: NONE "), "got %s", body);
	cr_assert(strstr(body, "  -- endpoint ID "), "got %s", body);
	cr_assert(strstr(body, " module tuntap      : pbtap0\n"), "got %s",
		  body);
	cr_assert_eq(run_cmd("ip -o link show pbtap0 | grep -q ',UP'"), 0,
		     "pbtap0 is not up");
	cr_assert_eq(run_cmd("ip -o addr show dev pbtap0 | "
			     "grep -q 'inet 198.18.0.1/24'"), 0);
	cr_assert_eq(run_cmd("ip -o addr show dev pbtap0 | "
			     "grep -q 'inet6 2001:db8::1/64'"), 0);
	peer = pb_open(&sw, "", "peer");
	cr_assert(peer);

	/* the kernel ARPs through the TAP, then the datagram comes */
	kid = fork();
	cr_assert(kid >= 0);
	if (kid == 0)
		_exit(peer_serve(peer, 3, 8000) == 3 ? 0 : 1);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	inet_pton(AF_INET, "198.18.0.2", &to.sin_addr);
	for (int i = 0; i < 3; i++) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		cr_assert_eq(sendto(s, "hello", 5, 0, (struct sockaddr *)&to,
				    sizeof(to)), 5);
		cr_assert_eq(poll(&pfd, 1, WAIT_MS), 1, "no answer %d", i);
		n = recv(s, buf, sizeof(buf), 0);
		cr_assert_eq(n, 5);
		cr_assert_eq(memcmp(buf, "olleh", 5), 0);
	}
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(s);
	/* the TAP's frames are not padded: the ARP request came at 42 */
	cr_assert_geq(pb_port_counter(&sw, 1, " IN:", "pkts"), 4);
	cr_assert_eq(pb_port_counter(&sw, 1, " DROP:", "short"), 0);
	vde_close(peer);
	cr_assert_eq(pb_stop(&sw), 0);
	cr_assert_neq(run_cmd("ip link show pbtap0 2>/dev/null"), 0,
		      "the TAP the switch created outlived it");
}

static uint64_t fnv(const uint8_t *p, size_t n, uint64_t h)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The far end in a second namespace: the TAP moved there, addressed,
 * a TCP server hashing what it gets and sending the hash back. */
static int far_end(int ready_w, int go_r)
{
	static uint8_t buf[65536];
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(5001) };
	uint64_t h = 0xcbf29ce484222325ULL;
	int ls, s, i, one = 1;
	char c;
	ssize_t n;

	if (unshare(CLONE_NEWNET) || write(ready_w, "r", 1) != 1 ||
	    read(go_r, &c, 1) != 1)
		return 1;
	for (i = 0; i < 200 && system("ip link show pbtap1 >/dev/null 2>&1");
	     i++)
		usleep(10000);
	/* in the second netns, unshare()d above */
	if (system("ip link set lo up && ip addr add 198.18.0.2/24 dev " /* netns */
		   "pbtap1 && ip link set pbtap1 up")) /* netns */
		return 2;
	inet_pton(AF_INET, "198.18.0.2", &a.sin_addr);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(ls, 1) || write(ready_w, "l", 1) != 1)
		return 3;
	s = accept(ls, NULL, NULL);
	if (s < 0)
		return 4;
	while ((n = read(s, buf, sizeof(buf))) > 0)
		h = fnv(buf, (size_t)n, h);
	if (write(s, &h, sizeof(h)) != sizeof(h))
		return 5;
	close(s);
	close(ls);
	return 0;
}

Test(tap, tcp_end_to_end_between_two_namespaces)
{
	static uint8_t data[1 << 20];
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(5001) };
	uint64_t want = 0xcbf29ce484222325ULL, got = 0;
	int ready[2], go[2], s, st, i;
	size_t off = 0;
	char c, cmd[128];
	pid_t kid;

	pb_enter_netns();
	pb_start(&sw, "-t", "pbtap0", "--tap-addr", "198.18.0.1/24", "-t",
		 "pbtap1", NULL);
	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(go), 0);
	kid = fork();
	cr_assert(kid >= 0);
	if (kid == 0)
		_exit(far_end(ready[1], go[0]));
	cr_assert_eq(read(ready[0], &c, 1), 1);
	snprintf(cmd, sizeof(cmd), "ip link set pbtap1 netns %d", (int)kid);
	cr_assert_eq(run_cmd("%s", cmd), 0);
	cr_assert_eq(write(go[1], "g", 1), 1);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the far end did not listen");

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (uint8_t)((unsigned)i * 2654435761u >> 24);
	want = fnv(data, sizeof(data), want);
	inet_pton(AF_INET, "198.18.0.2", &a.sin_addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(s >= 0);
	cr_assert_eq(connect(s, (struct sockaddr *)&a, sizeof(a)), 0,
		     "connect 198.18.0.2:5001: %s", strerror(errno));
	while (off < sizeof(data)) {
		ssize_t n = write(s, data + off, sizeof(data) - off);

		cr_assert_gt(n, 0, "write: %s", strerror(errno));
		off += (size_t)n;
	}
	shutdown(s, SHUT_WR);
	cr_assert_eq(read(s, &got, sizeof(got)), (ssize_t)sizeof(got));
	cr_assert_eq(got, want, "the bytes changed on the way");
	close(s);
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "far end: %d",
		  WEXITSTATUS(st));
	/* bytes, not frames: with offloads both TAPs pass 64 KiB segments */
	cr_assert_gt(pb_port_counter(&sw, 1, " IN:", "bytes"), 1 << 20);
	cr_assert_gt(pb_port_counter(&sw, 2, " OUT:", "bytes"), 1 << 20);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Bridge, MTU and MAC through netlink, and no program run to do it. */
Test(tap, bridge_mtu_mac_without_running_a_program)
{
	const char *bin = getenv("PATCHBAY");
	char dir[64], trace[96], pidf[96];
	long pid = 0;
	FILE *f;
	int i;

	cr_assert(bin);
	pb_enter_netns();
	cr_assert_eq(run_cmd("ip link add pbbr0 type bridge && " /* netns */
			     "ip link set pbbr0 up"), 0); /* netns */
	snprintf(dir, sizeof(dir), "/tmp/pbtest-tapbr-%d", (int)getpid());
	snprintf(trace, sizeof(trace), "%s.trace", dir);
	snprintf(pidf, sizeof(pidf), "%s.pid", dir);
	/* -d returns once the TAP is configured */
	cr_assert_eq(run_cmd("strace -f -q -e trace=execve -o '%s' '%s' -s "
			     "'%s' -d -p '%s' -t pbtap0 --tap-bridge pbbr0 "
			     "--tap-mtu 9000 --tap-mac 02:12:34:56:78:9a "
			     "--tap-addr 198.18.0.1/24 &",
			     trace, bin, dir, pidf), 0);
	for (i = 0; i < 500 && !wait_path(pidf, true, 0); i++)
		usleep(10000);
	cr_assert(wait_path(pidf, true, WAIT_MS));
	cr_assert_eq(run_cmd("ip -o link show pbtap0 | grep -q 'master pbbr0'"),
		     0, "not enslaved to pbbr0");
	cr_assert_eq(run_cmd("ip -o link show pbtap0 | grep -q 'mtu 9000'"),
		     0, "MTU not set");
	cr_assert_eq(run_cmd("ip -o link show pbtap0 | "
			     "grep -q 'link/ether 02:12:34:56:78:9a'"), 0,
		     "MAC not set");
	f = fopen(pidf, "r");
	cr_assert(f && fscanf(f, "%ld", &pid) == 1);
	fclose(f);
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 500 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
	cr_assert_neq(kill((pid_t)pid, 0), 0);
	/* strace ends with its last tracee; the only execve is the first */
	for (i = 0; i < 500 && run_cmd("grep -q 'exited with' '%s'", trace);
	     i++)
		usleep(10000);
	cr_assert_eq(run_cmd("test $(grep -c 'execve(' '%s') -eq 1", trace), 0,
		     "the switch ran a program (see %s)", trace);
	unlink(trace);
}

/* The device deleted under the switch: that port goes, nothing else. */
Test(tap, device_deleted_under_the_switch)
{
	char body[2048];
	VDECONN *a, *b;
	uint8_t f[60], g[1600];
	ssize_t n;
	int i;

	pb_enter_netns();
	pb_start(&sw, "-t", "pbtap0", NULL);
	a = pb_open(&sw, "", "a");
	b = pb_open(&sw, "", "b");
	cr_assert(a && b);
	cr_assert_eq(run_cmd("ip link del pbtap0"), 0);
	cr_assert(pb_log_wait(&sw, "TAP pbtap0", WAIT_MS));
	for (i = 0; i < 100 && pb_cmd(&sw, "port/print 1", body,
				      sizeof(body)) == 0; i++)
		usleep(20000);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", body, sizeof(body)), ENXIO,
		     "port 1 still active: %s", body);
	mkframe(f, MAC_BCAST, (const uint8_t[]){ 2, 0, 0, 0, 0, 9 }, 60, 1);
	vde_send(a, f, sizeof(f), 0);
	/* b may hold the TAP's last frames (IPv6 ND) before it */
	for (i = 0; i < 20; i++) {
		n = recv_frame(b, g, sizeof(g), WAIT_MS);
		cr_assert_gt(n, 0, "a frame from a to b was lost");
		if (n == 60 && !memcmp(g, f, 60))
			break;
	}
	cr_assert_lt(i, 20);
	vde_close(a);
	vde_close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Start-up and run-time errors: clear, nothing left behind. */
Test(tap, bad_names_bridges_and_attach_detach)
{
	const char *bin = getenv("PATCHBAY");
	char body[2048];

	cr_assert(bin);
	pb_enter_netns();
	cr_assert_eq(run_cmd("ip link add pbdum0 type bridge"), 0); /* netns */
	cr_assert_eq(run_cmd("'%s' -s /tmp/pbtest-tapbad-%d --nostdin "
			     "-t 0123456789abcdefX 2>&1 | grep -q 'characters'",
			     bin, (int)getpid()), 0, "long name");
	cr_assert_eq(run_cmd("'%s' -s /tmp/pbtest-tapbad-%d --nostdin "
			     "-t pbdum0 2>&1 | grep -q 'not a free TAP'",
			     bin, (int)getpid()), 0, "a bridge is no TAP");
	cr_assert_eq(run_cmd("'%s' -s /tmp/pbtest-tapbad-%d --nostdin "
			     "-t pbtap7 --tap-bridge nosuchbr 2>&1 | "
			     "grep -q 'nosuchbr'", bin, (int)getpid()), 0,
		     "a missing bridge");
	cr_assert_neq(run_cmd("ip link show pbtap7 2>/dev/null"), 0,
		      "a half-configured TAP was left behind");
	cr_assert_neq(run_cmd("'%s' -s /tmp/pbtest-tapbad-%d --nostdin "
			      "--tap-mtu 9000 </dev/null 2>/dev/null", bin,
			      (int)getpid()), 0, "--tap-mtu without -t");
	cr_assert(wait_path("/tmp/pbtest-tapbad", false, 0));

	/* at run time: port/attach tap://, port/detach */
	pb_start(&sw, NULL);
	cr_assert_eq(pb_cmd(&sw, "port/attach tap://pbtap5 7", body,
			    sizeof(body)), 0, "port/attach: %s", body);
	cr_assert_eq(pb_cmd(&sw, "port/print 7", body, sizeof(body)), 0);
	cr_assert(strstr(body, "module tuntap      : pbtap5"), "got %s", body);
	cr_assert_eq(pb_cmd(&sw, "port/attach tap://pbdum0", body,
			    sizeof(body)), EINVAL);
	cr_assert(strstr(body, "pbdum0"), "no reason given: '%s'", body);
	cr_assert_eq(pb_cmd(&sw, "port/attach nonsense", body, sizeof(body)),
		     EINVAL);
	cr_assert_eq(pb_cmd(&sw, "port/attach gopher://x", body, sizeof(body)),
		     EPROTONOSUPPORT);
	cr_assert_eq(pb_cmd(&sw, "port/detach 7", NULL, 0), 0);
	cr_assert_eq(pb_cmd(&sw, "port/print 7", body, sizeof(body)), ENXIO);
	cr_assert_neq(run_cmd("ip link show pbtap5 2>/dev/null"), 0,
		      "pbtap5 outlived its port");
	cr_assert_eq(pb_cmd(&sw, "port/detach 7", NULL, 0), ENXIO);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A TAP root prepared for nobody: the switch run as nobody uses it; a TAP
 * it would have to create is refused with what is missing. */
Test(tap, unprivileged_switch_on_a_prepared_tap)
{
	const char *bin = getenv("PATCHBAY");
	char base[64], body[2048], pidf[96];
	struct pb d;
	long pid = 0;
	FILE *f;
	int i;

	cr_assert(bin);
	pb_enter_netns();
	cr_assert_eq(run_cmd("ip tuntap add pbtapu mode tap user nobody && " /* netns */
			     "ip link set pbtapu up"), 0); /* netns */
	snprintf(base, sizeof(base), "/tmp/pbtest-unpriv-%d", (int)getpid());
	cr_assert_eq(mkdir(base, 0777), 0);
	cr_assert_eq(chmod(base, 0777), 0);
	{
		/* Debian's /dev/net/tun is 0666; where this machine's is
		 * not, a private mount namespace gets such a node, the host
		 * keeping its own */
		struct stat st;
		char node[96];

		cr_assert_eq(stat("/dev/net/tun", &st), 0);
		if ((st.st_mode & 0666) != 0666) {
			snprintf(node, sizeof(node), "%s/tun", base);
			cr_assert_eq(unshare(CLONE_NEWNS), 0);
			cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
					   NULL), 0);
			cr_assert_eq(mknod(node, S_IFCHR | 0666,
					   makedev(10, 200)), 0);
			cr_assert_eq(chmod(node, 0666), 0);
			cr_assert_eq(mount(node, "/dev/net/tun", NULL, MS_BIND,
					   NULL), 0, "bind: %s",
				     strerror(errno));
		}
	}
	memset(&d, 0, sizeof(d));
	snprintf(d.dir, sizeof(d.dir), "%s/sw", base);
	snprintf(d.mgmt, sizeof(d.mgmt), "%s/mgmt", base);
	snprintf(pidf, sizeof(pidf), "%s/pid", base);
	cr_assert_eq(run_cmd("setpriv --reuid=nobody --regid=nogroup "
			     "--clear-groups '%s' -s '%s' -M '%s' -d -p '%s' "
			     "-t pbtapu", bin, d.dir, d.mgmt, pidf), 0,
		     "the switch as nobody refused the prepared TAP");
	cr_assert_eq(pb_cmd(&d, "port/print 1", body, sizeof(body)), 0);
	cr_assert(strstr(body, "module tuntap      : pbtapu"), "got %s", body);
	f = fopen(pidf, "r");
	cr_assert(f && fscanf(f, "%ld", &pid) == 1);
	fclose(f);
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 500 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
	cr_assert_eq(run_cmd("ip link show pbtapu >/dev/null"), 0,
		     "the prepared TAP was removed");

	cr_assert_eq(run_cmd("setpriv --reuid=nobody --regid=nogroup "
			     "--clear-groups '%s' -s '%s' --nostdin -t pbtapz "
			     "2>&1 </dev/null | grep -q CAP_NET_ADMIN",
			     bin, d.dir), 0, "no word of CAP_NET_ADMIN");
	cr_assert_neq(run_cmd("ip link show pbtapz 2>/dev/null"), 0);
	run_cmd("rm -rf '%s'", base);
}
