/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_slirp.c - slirp:// ports (libslirp user-mode networking) with real
 * QEMU guests, the switch running as nobody throughout: a guest's DHCP
 * lease in 10.0.2.0/24, pings of the gateway (56 and 1472 bytes), 1 MiB
 * fetched through NAT from a server listening only on the namespace's
 * 127.0.0.1, the namespace reaching the guest's server through a tcpfwd
 * forward, TFTP downloads with 512-byte blocks and with blksize, all
 * checksum-checked; two slirp ports on two VLANs, each guest leased from
 * its own; an idle slirp port costing no CPU; bad URLs and a forward's
 * host port in use refused with their reason, nothing left half-open;
 * port/detach closing the port's sockets; a guest flooding connections,
 * or UDP from many ports to many destinations, bounded; one URL giving
 * the same network on a slirp port and on vdeplug4's vde_plug slirp://;
 * disable_host_loopback keeping the TAP off the namespace's 127.0.0.1; a
 * guest getting its IPv6 address from a slirp port attached after it came
 * up.
 * Everything runs in a network namespace of the test's own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"
#include "refcsum.h"

#define BUSYBOX "/bin/busybox"
#define VDE_PLUG "/usr/bin/vde_plug"
#define COPY "1048576"
#define TFTP_SIZE 300001	/* not a whole number of blocks */
#define MAX_VM 2

static struct pb sw;
static struct guest vm[MAX_VM];
static pid_t httpd = -1;

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	pb_enter_netns();	/* the switch, its sockets and the guests */
}

static void guest_setup(void)
{
	guest_image();		/* first: a first build downloads */
	setup();
}

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < MAX_VM; i++)
		guest_kill(&vm[i]);
	guest_helpers_stop();
	if (httpd > 0) {
		kill(httpd, SIGTERM);
		waitpid(httpd, NULL, 0);
		httpd = -1;
	}
	pb_cleanup(&sw);
}

TestSuite(slirp, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(slirpguest, .init = guest_setup, .fini = teardown, .timeout = 300);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A number from /proc/PID/status, after @key ("Uid:"). */
static long proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	cr_assert(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static void expect_nobody(void)
{
	cr_assert_eq(proc_status(sw.pid, "Uid:"), 65534,
		     "the switch does not run as nobody");
}

static char *print_all(void)
{
	static char out[65536];

	cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
	return out;
}

/* A file of @size random bytes. */
static void mkdata(const char *path, unsigned size)
{
	cr_assert_eq(run_cmd("head -c %u /dev/urandom >'%s' && chmod 644 '%s'",
			     size, path, path), 0);
}

/* busybox httpd serving @dir on @host:@port of the namespace only
 * ("127.0.0.1", or "[::1]") */
static void start_httpd(const char *dir, const char *host, unsigned port)
{
	char addr[64];

	snprintf(addr, sizeof(addr), "%s:%u", host, port);
	httpd = fork();
	cr_assert(httpd >= 0);
	if (!httpd) {
		execl(BUSYBOX, "busybox", "httpd", "-f", "-p", addr, "-h", dir,
		      (char *)NULL);
		_exit(127);
	}
}

/* Wait until the switch's start-up is over (its last start-up line is
 * out): until then it may hold a file it reads and use CPU. */
static void settled(void)
{
	cr_assert(pb_log_wait(&sw, "running as ", 5000),
		  "the switch never said who it runs as");
}

/* The switch's fd count once its start-up is over. */
static int settled_nfds(void)
{
	settled();
	return proc_nfds(sw.pid);
}

static void boot(unsigned i, const char *netdev, const char *steps)
{
	char name[8], mac[20];
	struct guest_spec spec = {
		.dir = sw.tmp,
		.name = name,
		.netdev = netdev,
		.mac = mac,
		.ip = "dhcp",
		.steps = steps,
	};

	snprintf(name, sizeof(name), "g%u", i);
	snprintf(mac, sizeof(mac), "52:54:00:17:00:%02x", 0x10 + i);
	guest_start(&vm[i], &spec);
}

/* Guest @i's DHCP address, "A.B.C.D/LEN". */
static void expect_lease(unsigned i, const char *want)
{
	char line[256], *log;

	if (!guest_wait(&vm[i], "PB-READY", line, sizeof(line),
			GUEST_BOOT_MS)) {
		log = guest_log_read(&vm[i]);
		cr_assert_fail("guest %u did not come up; its console:\n%s", i,
			       log);
	}
	cr_assert_str_eq(line + strlen("PB-READY "), want,
			 "guest %u: %s, not %s", i, line, want);
}

static void expect_ok(unsigned i, const char *step, char *details,
		      size_t len)
{
	char buf[256];

	if (!details) {
		details = buf;
		len = sizeof(buf);
	}
	cr_assert(guest_result(&vm[i], step, details, len, GUEST_STEP_MS),
		  "guest %u: %s failed: %s (see %s)", i, step, details,
		  vm[i].serial);
}

/* GET http://127.0.0.1:@port/data from the namespace into @out, retried
 * while the guest's server is not up yet. */
static void fetch_local(unsigned port, const char *out)
{
	long long end = now_ms() + 30000;

	while (run_cmd(BUSYBOX " wget -q -O '%s' http://127.0.0.1:%u/data "
		       "2>/dev/null", out, port)) {
		cr_assert(now_ms() < end, "no answer on 127.0.0.1:%u", port);
		usleep(200000);
	}
}

/* One guest on a slirp port's network does everything a guest of QEMU's
 * -netdev user does, and the host reaches it through a forward. */
Test(slirpguest, dhcp_ping_nat_tftp_and_a_forward)
{
	char url[512], netdev[300], www[200], tftp[200], steps[512],
		served[256], got[256], want[256], path[256];
	unsigned wport = pb_free_port(SOCK_STREAM),
		 fport = pb_free_port(SOCK_STREAM);
	const char *out;

	pb_start_nobody(&sw, NULL);
	expect_nobody();

	/* the namespace's own server, on its 127.0.0.1 only */
	snprintf(www, sizeof(www), "%s/www", sw.tmp);
	snprintf(tftp, sizeof(tftp), "%s/tftp", sw.tmp);
	cr_assert_eq(run_cmd("mkdir -m 755 '%s' '%s'", www, tftp), 0);
	snprintf(path, sizeof(path), "%s/data", www);
	mkdata(path, 1048576);
	start_httpd(www, "127.0.0.1", wport);
	snprintf(path, sizeof(path), "%s/boot.img", tftp);
	mkdata(path, TFTP_SIZE);

	snprintf(url, sizeof(url),
		 "port/attach slirp:///tcpfwd=127.0.0.1:%u:10.0.2.15:8080"
		 "/tftp_path=%s",
		 fport, tftp);
	cr_assert_eq(pb_cmd(&sw, url, got, sizeof(got)), 0, "%s: %s", url,
		     got);

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	snprintf(steps, sizeof(steps),
		 "serve:8080:" COPY ",ping:10.0.2.2,ping:10.0.2.2:1472:3,"
		 "fetch:10.0.2.2:%u,tftp:10.0.2.2:boot.img,"
		 "tftp:10.0.2.2:boot.img:1432,idle",
		 wport);
	boot(0, netdev, steps);
	expect_lease(0, "10.0.2.15/24");

	/* the namespace reaches the guest's server through the forward */
	expect_ok(0, "serve:8080:" COPY, served, sizeof(served));
	snprintf(path, sizeof(path), "%s/forwarded", sw.tmp);
	fetch_local(fport, path);
	guest_file_sum(path, got, sizeof(got));
	cr_assert_str_eq(got, served, "fetched %s through the forward, the "
			 "guest served %s", got, served);

	expect_ok(0, "ping:10.0.2.2", NULL, 0);
	expect_ok(0, "ping:10.0.2.2:1472:3", NULL, 0);

	/* NAT: 10.0.2.2 is the host's loopback */
	snprintf(path, sizeof(path), "%s/data", www);
	guest_file_sum(path, want, sizeof(want));
	snprintf(steps, sizeof(steps), "fetch:10.0.2.2:%u", wport);
	expect_ok(0, steps, got, sizeof(got));
	cr_assert_str_eq(got, want, "the guest fetched %s, served %s", got,
			 want);

	snprintf(path, sizeof(path), "%s/boot.img", tftp);
	guest_file_sum(path, want, sizeof(want));
	expect_ok(0, "tftp:10.0.2.2:boot.img", got, sizeof(got));
	cr_assert_str_eq(got, want, "TFTP (512): %s, not %s", got, want);
	expect_ok(0, "tftp:10.0.2.2:boot.img:1432", got, sizeof(got));
	cr_assert_str_eq(got, want, "TFTP (blksize): %s, not %s", got, want);

	out = print_all();
	cr_assert(strstr(out, "slirp: lease 10.0.2.15 52:54:00:17:00:10"),
		  "no lease in port/print:\n%s", out);
	cr_assert(strstr(out, "TCP[HOST_FORWARD]"), "no forward:\n%s", out);
	cr_log_info("slirp port: reentry drops %lld, in %lld out %lld frames",
		    pb_port_counter(&sw, 1, " DROP:", "reentry"),
		    pb_port_counter(&sw, 1, " IN:", "pkts"),
		    pb_port_counter(&sw, 1, " OUT:", "pkts"));
	expect_nobody();
	cr_assert_eq(pb_stop(&sw), 0);
}

/* IPv6 on a slirp port with QEMU's defaults: the guest's kernel makes its
 * address from slirp's router advertisements (SLAAC, prefix fd00::/64,
 * EUI-64 from its MAC), pings slirp's gateway fd00::2 (56 and 1452 bytes,
 * the IPv6 MTU of 1500) and fetches 1 MiB through NAT from a server
 * listening only on the namespace's ::1: libslirp sends the connections
 * to any address of its prefix but its DNS to the host's loopback. */
Test(slirpguest, ipv6_slaac_ping_and_nat_to_loopback)
{
	char netdev[300], www[200], steps[256], got[256], want[256],
		path[256], *out;
	unsigned wport = pb_free_port(SOCK_STREAM);

	pb_start_nobody(&sw, "-a", "slirp://", NULL);
	snprintf(www, sizeof(www), "%s/www", sw.tmp);
	cr_assert_eq(run_cmd("mkdir -m 755 '%s'", www), 0);
	snprintf(path, sizeof(path), "%s/data", www);
	mkdata(path, 1048576);
	start_httpd(www, "[::1]", wport);

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	snprintf(steps, sizeof(steps),
		 "addr6,ping/fd00::2,ping/fd00::2/1452/3,fetch/fd00::2/%u,idle",
		 wport);
	boot(0, netdev, steps);
	expect_lease(0, "10.0.2.15/24");
	expect_ok(0, "addr6", got, sizeof(got));
	cr_assert_str_eq(got, "fd00::5054:ff:fe17:10/64",
			 "the guest's IPv6 address: %s", got);
	expect_ok(0, "ping/fd00::2", NULL, 0);
	expect_ok(0, "ping/fd00::2/1452/3", NULL, 0);
	guest_file_sum(path, want, sizeof(want));
	snprintf(steps, sizeof(steps), "fetch/fd00::2/%u", wport);
	expect_ok(0, steps, got, sizeof(got));
	cr_assert_str_eq(got, want, "the guest fetched %s over IPv6, served "
			 "%s", got, want);

	out = print_all();
	cr_assert(strstr(out, "slirp: network6 fd00::/64 gateway fd00::2 "
			      "dns fd00::3"), "%s", out);
	expect_nobody();
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A guest whose router solicitations went unanswered (no slirp port yet
 * when its link came up) still gets its IPv6 address: the slirp port is
 * attached at run time, the guest solicits again (its init restarts IPv6
 * after 12 s without an address) and the port's advertisement gives it
 * fd00::/64. */
Test(slirpguest, ipv6_router_attached_after_the_guest_came_up)
{
	char netdev[300], got[256], out[256];
	struct guest_spec spec = {
		.name = "g0",
		.netdev = netdev,
		.mac = "52:54:00:17:00:10",
		.steps = "addr6,ping/fd00::2",
	};

	pb_start_nobody(&sw, NULL);
	spec.dir = sw.tmp;
	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	guest_start(&vm[0], &spec);
	expect_lease(0, "none");
	sleep(8);		/* its first solicitations go unanswered */
	cr_assert_eq(pb_cmd(&sw, "port/attach slirp:///v6 5", out,
			    sizeof(out)), 0, "%s", out);
	expect_ok(0, "addr6", got, sizeof(got));
	cr_assert_str_eq(got, "fd00::5054:ff:fe17:10/64",
			 "the guest's IPv6 address: %s", got);
	expect_ok(0, "ping/fd00::2", NULL, 0);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Two slirp ports, two networks, two VLANs: each guest is leased from the
 * port of its own VLAN and reaches its own gateway only. */
Test(slirpguest, two_slirp_ports_serve_two_vlans)
{
	static const char *const cmds[] = {
		"vlan/create 10", "vlan/create 20",
		"port/attach slirp:///v4/addr=10.0.2.2/24 1",
		"port/attach slirp:///v4/addr=10.0.3.2/24 2",
		"port/setvlan 1 10", "port/setvlan 3 10",
		"port/setvlan 2 20", "port/setvlan 4 20",
	};
	char netdev[300], body[512], *out;
	unsigned i;

	pb_start_nobody(&sw, NULL);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		cr_assert_eq(pb_cmd(&sw, cmds[i], body, sizeof(body)), 0,
			     "%s: %s", cmds[i], body);
	snprintf(netdev, sizeof(netdev), "vde,sock=%s,port=3", sw.dir);
	boot(0, netdev, "ping:10.0.2.2,idle");
	snprintf(netdev, sizeof(netdev), "vde,sock=%s,port=4", sw.dir);
	boot(1, netdev, "ping:10.0.3.2,idle");
	expect_lease(0, "10.0.2.15/24");
	expect_lease(1, "10.0.3.15/24");
	expect_ok(0, "ping:10.0.2.2", NULL, 0);
	expect_ok(1, "ping:10.0.3.2", NULL, 0);

	out = print_all();
	cr_assert(strstr(out, "lease 10.0.2.15 52:54:00:17:00:10"), "%s", out);
	cr_assert(strstr(out, "lease 10.0.3.15 52:54:00:17:00:11"), "%s", out);
	cr_assert_null(strstr(out, "lease 10.0.3.15 52:54:00:17:00:10"));
	cr_assert_null(strstr(out, "lease 10.0.2.15 52:54:00:17:00:11"));
	expect_nobody();
	cr_assert_eq(pb_stop(&sw), 0);
}

/* voluntary context switches: how often the switch woke up */
static long wakeups(void)
{
	return proc_status(sw.pid, "voluntary_ctxt_switches:");
}

/* An idle slirp port costs nothing: no CPU, no timer ticking; with a
 * forward (a TCP listener), TCP's slow timer only. */
Test(slirp, an_idle_port_costs_nothing)
{
	char cmd[200];
	long t0, w0, t1, w1;

	pb_start_nobody(&sw, "-a", "slirp://", NULL);
	settled();		/* start-up's CPU is not idle CPU */
	t0 = proc_cputicks(sw.pid);
	w0 = wakeups();
	usleep(2000000);	/* the measurement itself */
	t1 = proc_cputicks(sw.pid);
	w1 = wakeups();
	cr_log_info("idle slirp port: %ld ticks, %ld wakeups in 2 s",
		    t1 - t0, w1 - w0);
	cr_assert_leq(t1 - t0, 1, "%ld ticks of CPU in 2 s idle", t1 - t0);
	/* the switch's own timers (queue trimming, MAC ageing) may tick */
	cr_assert_leq(w1 - w0, 4, "%ld wakeups in 2 s idle", w1 - w0);

	snprintf(cmd, sizeof(cmd),
		 "port/attach slirp:///tcpfwd=127.0.0.1:%u:10.0.2.15:22",
		 pb_free_port(SOCK_STREAM));
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	t0 = proc_cputicks(sw.pid);
	w0 = wakeups();
	usleep(2000000);
	t1 = proc_cputicks(sw.pid);
	w1 = wakeups();
	cr_log_info("with a forward: %ld ticks, %ld wakeups in 2 s", t1 - t0,
		    w1 - w0);
	cr_assert_leq(t1 - t0, 1, "%ld ticks of CPU in 2 s idle", t1 - t0);
	cr_assert_leq(w1 - w0, 10, "%ld wakeups in 2 s idle", w1 - w0);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* @url is refused with errno @err and a reply holding @msg */
static void refused(const char *url, int err, const char *msg)
{
	char cmd[600], out[1024];

	snprintf(cmd, sizeof(cmd), "port/attach %s", url);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), err, "%s: %s", url,
		     out);
	cr_assert(strstr(out, msg), "%s: '%s' lacks '%s'", url, out, msg);
}

Test(slirp, bad_input_is_refused_with_its_reason)
{
	char url[300], *out;
	unsigned busy = pb_free_port(SOCK_STREAM), free1;
	int lfd, nfds;
	struct sockaddr_in a = { .sin_family = AF_INET };

	pb_start_nobody(&sw, NULL);
	nfds = settled_nfds();
	refused("slirp:///mtu=12", EINVAL, "mtu=12: 576 to 9216");
	refused("slirp:///addr=10.0.2.2/24/dhcp=10.0.9.15", EINVAL,
		"10.0.9.15 is outside the network 10.0.2.0/24");
	refused("slirp:///tcpfwd=8080:192.168.1.5:80", EINVAL,
		"192.168.1.5 is outside the network 10.0.2.0/24");
	refused("slirp:///tftp_path=/nonexistent/tftp", ENOENT,
		"tftp_path=/nonexistent/tftp: No such file or directory");
	refused("slirp:///bogus=1", EINVAL, "unknown option 'bogus'");

	/* a forward's host port in use: nothing of the URL stays, not even
	 * the forward before it */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons((uint16_t)busy);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	free1 = pb_free_port(SOCK_STREAM);
	snprintf(url, sizeof(url),
		 "slirp:///tcpfwd=127.0.0.1:%u:10.0.2.15:1"
		 "/tcpfwd=127.0.0.1:%u:10.0.2.15:2",
		 free1, busy);
	refused(url, EADDRINUSE, "Address already in use");
	close(lfd);
	cr_assert(proc_wait_nfds(sw.pid, nfds, 2000), "fds left open: %d, not %d",
		  proc_nfds(sw.pid), nfds);
	out = print_all();
	cr_assert_null(strstr(out, "slirp"), "half-open:\n%s", out);
	/* the first forward's port is free again */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons((uint16_t)free1);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(lfd);

	/* and the switch goes on */
	cr_assert_eq(pb_cmd(&sw, "port/attach slirp:// 5", NULL, 0), 0);
	out = print_all();
	cr_assert(strstr(out, "Port 0005"), "%s", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(slirp, detach_closes_its_sockets_and_forwards)
{
	char cmd[200], *out;
	unsigned port = pb_free_port(SOCK_STREAM);
	int nfds, fd;
	struct sockaddr_in a = { .sin_family = AF_INET };

	pb_start_nobody(&sw, NULL);
	nfds = settled_nfds();
	snprintf(cmd, sizeof(cmd),
		 "port/attach slirp:///hostfwd=tcp:127.0.0.1:%u-:22 7", port);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	out = print_all();
	cr_assert(strstr(out, "slirp: network 10.0.2.0/24 gateway 10.0.2.2 "
			      "dns 10.0.2.3 dhcp 10.0.2.15 mtu 1500"),
		  "%s", out);
	cr_assert(strstr(out, "slirp: forward tcp 127.0.0.1:"), "%s", out);
	cr_assert_gt(proc_nfds(sw.pid), nfds);

	cr_assert_eq(pb_cmd(&sw, "port/detach 7", NULL, 0), 0);
	cr_assert(proc_wait_nfds(sw.pid, nfds, 2000), "fds left open: %d, not %d",
		  proc_nfds(sw.pid), nfds);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_neq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		      "the forward still listens");
	close(fd);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* The Internet checksum of @n bytes, @sum carried in (refcsum.h). */
static uint16_t csum(const uint8_t *b, size_t n, uint32_t sum)
{
	return (uint16_t)~ref_fold(ref_sum(b, n, sum));
}

/* A frame from the guest 10.0.2.15 to 10.0.2.2, broadcast: its Ethernet
 * and IPv4 headers for protocol @proto and @l4len bytes after them, zeros
 * there. Return: where they go */
static uint8_t *mkip(uint8_t *f, unsigned proto, size_t l4len)
{
	static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0x99, 0x00, 0x01 };
	uint8_t *ip = f + 14;

	memset(f, 0, 14 + 20 + l4len);
	memcpy(f, MAC_BCAST, 6);
	memcpy(f + 6, src, 6);
	set16(f + 12, 0x0800);
	ip[0] = 0x45;
	set16(ip + 2, 20 + (unsigned)l4len);
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	memcpy(ip + 12, "\x0a\x00\x02\x0f", 4);
	memcpy(ip + 16, "\x0a\x00\x02\x02", 4);
	set16(ip + 10, csum(ip, 20, 0));
	return ip + 20;
}

/* A TCP SYN from 10.0.2.15:@sport to 10.0.2.2:@dport, broadcast. */
static size_t mksyn(uint8_t *f, unsigned sport, unsigned dport)
{
	uint8_t *tcp = mkip(f, 6, 20), *ip = f + 14;

	set16(tcp, sport);
	set16(tcp + 2, dport);
	set16(tcp + 4, sport);	/* a sequence number */
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;		/* SYN */
	set16(tcp + 14, 65535);
	set16(tcp + 16, csum(tcp, 20, ref_pseudo(ip, 0, 6, 20)));
	return 14 + 20 + 20;
}

/* The port refused new flows, said so in port/print (returned) and in
 * the log. */
static char *wait_refused(void)
{
	long long end = now_ms() + 10000;
	char *out;

	for (;;) {
		out = print_all();
		if (strstr(out, "slirp: refused "))
			break;
		cr_assert(now_ms() < end, "nothing refused:\n%s", out);
		usleep(50000);
	}
	cr_assert(pb_log_wait(&sw, "refusing the guests' new connections",
			      2000));
	return out;
}

/* A guest opening connections without end: past the port's bound of
 * sockets its new ones are refused and logged, the switch's fds stay
 * bounded, and the switch goes on. */
Test(slirp, a_guest_flooding_connections_is_bounded)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	uint8_t f[64];
	VDECONN *c;
	unsigned i;
	int lfd;
	char *out;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(lfd, 4096), 0);
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);

	pb_start_nobody(&sw, "-a", "slirp:///v4", NULL);
	c = pb_open(&sw, "[2]", "flood");
	cr_assert(c, "vde_open: %s", strerror(errno));
	for (i = 0; i < 800; i++) {
		size_t n = mksyn(f, 10000 + i, ntohs(a.sin_port));

		cr_assert_eq(vde_send(c, f, n, 0), (ssize_t)n);
		if (i % 32 == 31)
			usleep(2000);	/* the switch's socket buffer */
	}
	out = wait_refused();
	cr_assert(strstr(out, ", udp 0, icmp 0)"), "%s", out);
	cr_assert_lt(proc_nfds(sw.pid), 512 + 64 + 32,
		     "%d fds open in the switch", proc_nfds(sw.pid));
	cr_log_info("flood: %d fds open in the switch", proc_nfds(sw.pid));
	vde_close(c);
	close(lfd);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", NULL, 0), 0);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A UDP datagram from 10.0.2.15:@sport to 10.0.2.2:@dport, broadcast, no
 * checksum (0: none, in IPv4). */
static size_t mkudp(uint8_t *f, unsigned sport, unsigned dport)
{
	uint8_t *udp = mkip(f, 17, 8 + 4);

	set16(udp, sport);
	set16(udp + 2, dport);
	set16(udp + 4, 8 + 4);
	memcpy(udp + 8, "ping", 4);
	return 14 + 20 + 8 + 4;
}

/* A datagram on @fd within @ms, from NAT's side of the namespace. */
static bool udp_arrives(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };
	char buf[64];

	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
		     0);
	return recv(fd, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "ping", 4);
}

#define UDP_DESTS 16

/* A UDP socket on the namespace's 127.0.0.1; its port in @port. */
static int udp_sink(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/*
 * A guest sending UDP from ever new ports to many destinations: past the
 * port's bound of sockets its new flows are dropped, counted and logged,
 * a flow it had before goes on, and the switch goes on forwarding between
 * its other ports. The destinations listen (as a flood's victims would
 * answer or stay silent): a closed port's ICMP error makes libslirp 4.7
 * close the socket, and not only that one, so it would never fill up.
 */
Test(slirp, a_guest_flooding_udp_is_bounded)
{
	unsigned i, lport, dport[UDP_DESTS];
	int ufd, dfd[UDP_DESTS];
	uint8_t f[64], buf[64];
	VDECONN *c, *c2, *c3;
	char *out;
	size_t n;

	ufd = udp_sink(&lport);
	for (i = 0; i < UDP_DESTS; i++)
		dfd[i] = udp_sink(&dport[i]);

	pb_start_nobody(&sw, "-a", "slirp:///v4", NULL);
	c = pb_open(&sw, "[2]", "flood");
	cr_assert(c, "vde_open: %s", strerror(errno));
	/* a flow from before the flood: 10.0.2.2 is the namespace's lo */
	n = mkudp(f, 9999, lport);
	cr_assert_eq(vde_send(c, f, n, 0), (ssize_t)n);
	cr_assert(udp_arrives(ufd, 5000), "the first datagram is lost");

	for (i = 0; i < 800; i++) {
		n = mkudp(f, 20000 + i, dport[i % UDP_DESTS]);
		cr_assert_eq(vde_send(c, f, n, 0), (ssize_t)n);
		if (i % 32 == 31)
			usleep(2000);	/* the switch's socket buffer */
	}
	out = wait_refused();
	cr_assert(strstr(out, "slirp: sockets 512, 512 of them the guests' "
			      "UDP flows"), "%s", out);
	cr_assert(strstr(out, "(tcp 0, udp "), "%s", out);
	cr_assert_lt(proc_nfds(sw.pid), 512 + 64 + 32,
		     "%d fds open in the switch", proc_nfds(sw.pid));
	cr_log_info("UDP flood: %d fds open in the switch", proc_nfds(sw.pid));

	/* the flow from before still goes through, a new one does not */
	n = mkudp(f, 9999, lport);
	cr_assert_eq(vde_send(c, f, n, 0), (ssize_t)n);
	cr_assert(udp_arrives(ufd, 5000), "the old flow is cut:\n%s",
		  print_all());
	n = mkudp(f, 30000, lport);
	cr_assert_eq(vde_send(c, f, n, 0), (ssize_t)n);
	cr_assert_not(udp_arrives(ufd, 500), "a new flow passed the bound");

	/* the rest of the switch forwards */
	c2 = pb_open(&sw, "[3]", "a");
	c3 = pb_open(&sw, "[4]", "b");
	cr_assert(c2 && c3);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, MAC_BCAST, 6);
	memcpy(buf + 6, "\x52\x54\x00\x99\x00\x03", 6);
	set16(buf + 12, 0x88b5);
	cr_assert_eq(vde_send(c2, buf, 60, 0), 60);
	cr_assert_eq(recv_frame(c3, f, sizeof(f), 2000), 60);
	cr_assert_eq(memcmp(f, buf, 60), 0);
	vde_close(c3);
	vde_close(c2);
	vde_close(c);
	close(ufd);
	for (i = 0; i < UDP_DESTS; i++)
		close(dfd[i]);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* The DHCP client's hook: the lease (address/prefix, router, host name,
 * domain, search list, TFTP server name) on the TAP of the test's
 * namespace and in @out. */
static void dhcp_hook(const char *path, const char *out)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "%s: %s", path, strerror(errno));
	fprintf(f, "#!/bin/sh\n"
		"case \"$1\" in\n"
		"bound)\n"
		"\tip addr add \"$ip/$mask\" dev \"$interface\" &&\n"
		"\techo \"$ip/$mask $router $hostname $domain [$search] "
		"$tftp\" >'%s'\n"
		"\t;;\n"
		"esac\n"
		"exit 0\n", out);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, 0755), 0);
}

/* vdeplug4 cuts at every '/' outside quotes: its addr= is quoted */
#define INTEROP_URL "slirp:///v4/addr=\"198.18.5.2/24\"" \
		    "/dhcp=198.18.5.50/hostname=pbslirp" \
		    "/vdomainname=lab.example" \
		    "/vdnssearch=lab.example,corp.example" \
		    "/tftp_server_name=boot.lab.example"
#define INTEROP_LEASE "198.18.5.50/24 198.18.5.2 pbslirp lab.example " \
		      "[lab.example corp.example] boot.lab.example\n"

/* The first line of @path in @buf. */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	cr_assert(f, "%s: %s", path, strerror(errno));
	buf[0] = '\0';
	cr_assert(fgets(buf, (int)len, f), "%s is empty", path);
	fclose(f);
}

/*
 * vdeplug4's libvdeplug_slirp reads the same URL: INTEROP_URL served by
 * a slirp port of patchbay, then by Debian's "vde_plug vde://SW URL"
 * plugged into patchbay. Either way busybox's DHCP client on the switch's
 * TAP (in the test's namespace) gets 198.18.5.50/24, router 198.18.5.2,
 * host name pbslirp, domain lab.example, search list lab.example and
 * corp.example, TFTP server name boot.lab.example (vdeplug4's vdomainname=,
 * vdnssearch=, tftp_server_name=), and pings the gateway, 56 and 1472
 * bytes. The slirp network is put
 * in 198.18.5.0/24, the tests' range, as it reaches the namespace's TAP.
 */
Test(slirp, one_url_on_a_slirp_port_and_on_vde_plug)
{
	char hook[256], lease[256], log[256], script[600], got[256];
	unsigned i;

	if (access(VDE_PLUG, X_OK))
		cr_skip_test(VDE_PLUG " is not installed (vdeplug)");
	if (run_cmd("ls /usr/lib/*/vdeplug/libvdeplug_slirp.so >/dev/null "
		    "2>&1"))
		cr_skip_test("libvdeplug_slirp is not installed "
			     "(libvdeplug-slirp)");
	for (i = 0; i < 2; i++) {
		if (i == 0) {
			pb_start(&sw, "-t", "pbtap0", "-a", INTEROP_URL, NULL);
		} else {
			pb_start(&sw, "-t", "pbtap0", NULL);
			snprintf(log, sizeof(log), "%s/vde_plug.log", sw.tmp);
			snprintf(script, sizeof(script),
				 "exec " VDE_PLUG " vde://%s '" INTEROP_URL "'",
				 sw.dir);
			guest_helper(NULL, script, log);
		}
		snprintf(hook, sizeof(hook), "%s/dhcp-hook", sw.tmp);
		snprintf(lease, sizeof(lease), "%s/lease", sw.tmp);
		dhcp_hook(hook, lease);
		cr_assert_eq(run_cmd(BUSYBOX " udhcpc -i pbtap0 -f -q -n -t 20 "
				     "-T 1 -O search -O tftp -s '%s' "
				     ">/dev/null 2>&1", hook),
			     0, "%s: no DHCP lease on the TAP",
			     i ? "vde_plug" : "the slirp port");
		first_line(lease, got, sizeof(got));
		cr_assert_str_eq(got, INTEROP_LEASE,
				 "%s: the lease: %s",
				 i ? "vde_plug" : "the slirp port", got);
		cr_assert_eq(run_cmd(BUSYBOX " ping -c 3 -w 10 198.18.5.2 "
				     ">/dev/null"),
			     0, "%s: the gateway does not answer",
			     i ? "vde_plug" : "the slirp port");
		cr_assert_eq(run_cmd(BUSYBOX " ping -c 2 -w 10 -s 1472 "
				     "198.18.5.2 >/dev/null"),
			     0, "%s: 1472-byte pings do not pass",
			     i ? "vde_plug" : "the slirp port");
		guest_helpers_stop();
		cr_assert_eq(pb_stop(&sw), 0);
		pb_cleanup(&sw);
	}
}

/* Connect from the namespace to @addr:@port within 5 s; the listener @lfd
 * accepts it. Return: true if both happened. */
static bool tcp_reaches(const char *addr, unsigned port, int lfd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1;
	bool ok;

	cr_assert_geq(fd, 0);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	if (ok) {
		setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		c = accept(lfd, NULL, NULL);
		ok = c >= 0;
	}
	if (c >= 0)
		close(c);
	close(fd);
	return ok;
}

/*
 * disable_host_loopback (vdeplug4's option): the namespace's TAP, leased
 * from a slirp port, reaches a server on the namespace's 127.0.0.1
 * through the gateway's address; with the option it does not, and the
 * switch says so in port/print. verbose logs the settings at attach.
 */
Test(slirp, host_loopback_off_and_verbose)
{
	char hook[256], lease[256], out[4096], url[256], *log;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int lfd, one = 1;
	unsigned i, port;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(lfd, 4), 0);
	cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	for (i = 0; i < 2; i++) {
		snprintf(url, sizeof(url), "slirp:///v4/host=198.18.5.2/24"
			 "/dhcp=198.18.5.50%s",
			 i ? "/disable_host_loopback/verbose/mru=1400" : "");
		pb_start(&sw, "-t", "pbtap0", "-a", url, NULL);
		snprintf(hook, sizeof(hook), "%s/dhcp-hook", sw.tmp);
		snprintf(lease, sizeof(lease), "%s/lease", sw.tmp);
		dhcp_hook(hook, lease);
		cr_assert_eq(run_cmd(BUSYBOX " udhcpc -i pbtap0 -f -q -n -t 20 "
				     "-T 1 -s '%s' >/dev/null 2>&1", hook),
			     0, "no DHCP lease on the TAP");
		cr_assert_eq(tcp_reaches("198.18.5.2", port, lfd), i == 0,
			     "%s: the gateway %s the namespace's 127.0.0.1:%u",
			     url, i ? "reaches" : "does not reach", port);
		cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
		cr_assert_eq(strstr(out, "slirp: host loopback off") != NULL,
			     i == 1, "port/print:\n%s", out);
		log = pb_log_read(&sw);
		cr_assert_eq(strstr(log, ": slirp: network 198.18.5.0/24 "
				    "gateway 198.18.5.2 dns 198.18.5.3 dhcp "
				    "198.18.5.50 mtu 1500 mru 1400") != NULL,
			     i == 1, "the log:\n%s", log);
		free(log);
		cr_assert_eq(pb_stop(&sw), 0);
		pb_cleanup(&sw);
	}
	close(lfd);
}
