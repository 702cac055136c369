/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_capture.c - port mirroring and pcap capture on the real daemon,
 * with libvdeplug clients, tcpdump reading the capture files, and
 * patchbay-ctl --capture piped into tcpdump; the refusals on the console,
 * a full disk (/dev/full) stopping a capture while forwarding goes on;
 * a real QEMU guest pinging a slirp port's gateway, captured to a file on
 * its port and streamed by patchbay-ctl --capture from the slirp port,
 * both read by tcpdump.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct pb sw;

static void teardown(void)
{
	pb_cleanup(&sw);
}

static struct guest vm;
static pid_t ctl = -1;

static void guest_teardown(void)
{
	guest_kill(&vm);
	if (ctl > 0) {
		kill(ctl, SIGTERM);
		waitpid(ctl, NULL, 0);
		ctl = -1;
	}
	teardown();
}

static void guest_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	guest_image();		/* first: a first build downloads */
	pb_enter_netns();	/* the switch, its slirp port and the guest */
}

TestSuite(capture, .fini = teardown, .timeout = 60);
TestSuite(captureguest, .init = guest_setup, .fini = guest_teardown,
	  .timeout = 300);

/* A frame @src -> @dst of @len bytes filled with @fill, into @f, sent by
 * @from and received whole by @to. */
static void pass(uint8_t *f, VDECONN *from, VDECONN *to, const uint8_t *dst,
		 const uint8_t *src, size_t len, uint8_t fill)
{
	uint8_t g[1600];

	mkframe(f, dst, src, len, fill);
	cr_assert_eq(vde_send(from, f, len, 0), (ssize_t)len);
	cr_assert_eq(recv_frame(to, g, sizeof(g), 2000), (ssize_t)len);
	cr_assert_eq(memcmp(f, g, len), 0);
}

/* A on port 1, B on port 2, both learned. */
static void two_clients(VDECONN **a, VDECONN **b)
{
	uint8_t f[64];

	*a = pb_open(&sw, "[1]", "A");
	*b = pb_open(&sw, "[2]", "B");
	cr_assert(*a && *b);
	pass(f, *a, *b, MAC_BCAST, MAC_A, 64, 1);
	pass(f, *b, *a, MAC_BCAST, MAC_B, 64, 2);
}

Test(capture, mirror_port_sees_unicast)
{
	uint8_t f[100], g[200];
	VDECONN *a, *b, *m;

	pb_start(&sw, NULL);
	two_clients(&a, &b);
	m = pb_open(&sw, "[3]", "M");
	cr_assert(m);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 1 3", NULL, 0), 0);

	/* A -> B unicast: B gets it, and M its rx copy from port 1 */
	pass(f, a, b, MAC_B, MAC_A, 100, 0x33);
	cr_assert_eq(recv_frame(m, g, sizeof(g), 2000), 100);
	cr_assert_eq(memcmp(f, g, 100), 0);
	/* B -> A unicast: the tx copy of port 1 */
	pass(f, b, a, MAC_A, MAC_B, 100, 0x44);
	cr_assert_eq(recv_frame(m, g, sizeof(g), 2000), 100);
	cr_assert_eq(memcmp(f, g, 100), 0);
	cr_assert(quiet(m, 200));
	cr_assert_eq(pb_port_counter(&sw, 3, " MIRROR-IN:", "pkts"), 2);

	/* rx only: B -> A is not copied any more; then none at all */
	cr_assert_eq(pb_cmd(&sw, "port/mirror 1 3 rx", NULL, 0), 0);
	pass(f, b, a, MAC_A, MAC_B, 100, 0x44);
	cr_assert(quiet(m, 200));
	cr_assert_eq(pb_cmd(&sw, "port/unmirror 1 3", NULL, 0), 0);
	pass(f, a, b, MAC_B, MAC_A, 100, 0x55);
	cr_assert(quiet(m, 200));

	vde_close(a);
	vde_close(b);
	vde_close(m);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(capture, refusals_on_the_console)
{
	char out[1024], cmd[512];

	pb_start(&sw, NULL);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 2 2", out, sizeof(out)),
		     EINVAL);
	cr_assert(strstr(out, "cannot mirror to itself"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 1 2", NULL, 0), 0);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 2 1 tx", out, sizeof(out)),
		     ELOOP);
	cr_assert(strstr(out, "would close a cycle: 2 -> 1 -> 2"), "%s",
		  out);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 1 99", out, sizeof(out)),
		     EINVAL);
	cr_assert(strstr(out, "no port 99"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/mirror 1 3 both3", out, sizeof(out)),
		     EINVAL);
	cr_assert(strstr(out, "bad direction"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/unmirror 2 1", out, sizeof(out)),
		     ENOENT);
	cr_assert_eq(pb_cmd(&sw, "port/capture 99 /tmp/x.pcap", out,
			    sizeof(out)), EINVAL);
	cr_assert(strstr(out, "no port 99"), "%s", out);
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/c.pcap 13", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), EINVAL);
	cr_assert(strstr(out, "bad snaplen"), "%s", out);
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/c.pcap abc", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), EINVAL);
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/none/c.pcap", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), ENOENT);
	cr_assert(strstr(out, "cannot open") &&
			  strstr(out, "No such file or directory"),
		  "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 off", out, sizeof(out)),
		     ENOENT);
	/* a stream needs a console connection: not from a loaded file */
	cr_assert_eq(run_cmd("echo 'port/capture 1 -' > %s/rc", sw.tmp), 0);
	snprintf(cmd, sizeof(cmd), "load %s/rc", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), EOPNOTSUPP);
	cr_assert(strstr(out, "console socket connection only"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), ENXIO);
	cr_assert_eq(pb_cmd(&sw, "port/allprint 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, " MIRROR: to 2 dirs both\n"), "%s", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(capture, file_read_by_tcpdump)
{
	uint8_t f[200];
	char cmd[512], out[2048];
	VDECONN *a, *b;
	int i;

	pb_start(&sw, NULL);
	two_clients(&a, &b);
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/c.pcap", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	for (i = 0; i < 3; i++) {
		pass(f, a, b, MAC_B, MAC_A, 150, (uint8_t)i);
	}
	pass(f, b, a, MAC_A, MAC_B, 80, 9);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, " CAPTURE: snaplen 262144 captured 4 dropped 0"),
		  "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 off", NULL, 0), 0);
	cr_assert(pb_log_wait(&sw, "4 frames captured, 0 dropped", 2000));

	/* tcpdump reads it: 3 frames A -> B, 1 B -> A, lengths kept */
	cr_assert_eq(run_cmd("test \"$(tcpdump -nn -e -r %s/c.pcap 2>/dev/null"
			     " | grep -c '02:00:00:00:00:0a > "
			     "02:00:00:00:00:0b.*length 150')\" = 3",
			     sw.tmp), 0);
	cr_assert_eq(run_cmd("test \"$(tcpdump -nn -e -r %s/c.pcap 2>/dev/null"
			     " | grep -c '02:00:00:00:00:0b > "
			     "02:00:00:00:00:0a.*length 80')\" = 1",
			     sw.tmp), 0);
	/* nanosecond timestamps: tcpdump prints nine digits */
	cr_assert_eq(run_cmd("tcpdump --time-stamp-precision=nano -nn -r "
			     "%s/c.pcap 2>/dev/null | head -1 | grep -q "
			     "'^[0-9:]*\\.[0-9]\\{9\\} '", sw.tmp), 0);

	/* a snaplen: frames cut, their length kept */
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/s.pcap 64", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	pass(f, a, b, MAC_B, MAC_A, 150, 7);
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 off", NULL, 0), 0);
	cr_assert_eq(run_cmd("tcpdump -nn -e -r %s/s.pcap 2>&1 | grep -q "
			     "'snapshot length 64'", sw.tmp), 0);
	cr_assert_eq(run_cmd("tcpdump -nn -e -r %s/s.pcap 2>/dev/null | "
			     "grep -q 'length 150'", sw.tmp), 0);

	vde_close(a);
	vde_close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(capture, full_disk_stops_capture_not_forwarding)
{
	uint8_t f[100];
	char out[1024];
	VDECONN *a, *b;

	pb_start(&sw, NULL);
	two_clients(&a, &b);
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 /dev/full", NULL, 0), 0);
	pass(f, a, b, MAC_B, MAC_A, 100, 5);
	cr_assert(pb_log_wait(&sw, "port 1: capture to /dev/full stopped: "
			      "No space left on device", 2000));
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), 0);
	cr_assert_null(strstr(out, "CAPTURE"), "%s", out);
	pass(f, a, b, MAC_B, MAC_A, 100, 6);
	vde_close(a);
	vde_close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* patchbay-ctl SOCK --capture 1 | tcpdump -r - -c 3: the stream ends
 * when tcpdump has its frames; the switch notices the reader gone. */
Test(capture, ctl_capture_piped_into_tcpdump)
{
	uint8_t f[120];
	char sh[1024];
	VDECONN *a, *b;
	pid_t pid;
	int st, i;

	pb_start(&sw, NULL);
	two_clients(&a, &b);
	snprintf(sh, sizeof(sh),
		 "%s %s --capture 1 | tcpdump -nn -e -r - -c 3 > %s/td.out "
		 "2>%s/td.err", CTL_BIN, sw.mgmt, sw.tmp, sw.tmp);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
		_exit(127);
	}
	cr_assert(pb_log_wait(&sw, "capture to console connection", 5000));
	for (i = 0; i < 3; i++)
		pass(f, a, b, MAC_B, MAC_A, 120, (uint8_t)i);
	/* tcpdump exits after 3; the next frame makes patchbay-ctl see it */
	for (i = 0; i < 100 && waitpid(pid, &st, WNOHANG) == 0; i++) {
		pass(f, a, b, MAC_B, MAC_A, 120, 3);
		usleep(50000);
	}
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		cr_assert_fail("patchbay-ctl | tcpdump did not end");
	}
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	cr_assert_eq(run_cmd("test \"$(grep -c '02:00:00:00:00:0a > "
			     "02:00:00:00:00:0b.*length 120' %s/td.out)\" = 3",
			     sw.tmp), 0);
	cr_assert(pb_log_wait(&sw, "capture to console connection", 2000));
	cr_assert(pb_log_wait(&sw, "stopped: the reader", 5000));
	/* the port can be captured again; forwarding never stopped */
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 off", NULL, 0), ENOENT);
	vde_close(a);
	vde_close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A guest on port 1 pings the gateway of a slirp port on port 2: port 1
 * captured to a file, port 2 streamed through patchbay-ctl --capture; in
 * both, tcpdump reads the echo requests and replies. */
Test(captureguest, guest_ping_captured_and_streamed)
{
	char cmd[512], out[1024], netdev[300], line[256];
	struct guest_spec spec = {
		.name = "g",
		.netdev = netdev,
		.mac = "52:54:00:20:00:10",
		.ip = "dhcp",
		.steps = "ping:10.0.2.2:56:3",
	};
	int st;

	pb_start(&sw, NULL);
	spec.dir = sw.tmp;
	cr_assert_eq(pb_cmd(&sw, "port/attach slirp:// 2", out, sizeof(out)),
		     0, "%s", out);
	snprintf(cmd, sizeof(cmd), "port/capture 1 %s/g.pcap", sw.tmp);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "%s/s.pcap", sw.tmp);
	ctl = fork();
	cr_assert(ctl >= 0);
	if (ctl == 0) {
		int fd = open(cmd, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execl(CTL_BIN, "patchbay-ctl", sw.mgmt, "--capture", "2",
		      (char *)NULL);
		_exit(127);
	}
	cr_assert(pb_log_wait(&sw, "port 2: capture to console connection",
			      5000));

	snprintf(netdev, sizeof(netdev), "vde,sock=%s,port=1", sw.dir);
	guest_start(&vm, &spec);
	if (!guest_wait(&vm, "PB-READY", line, sizeof(line), GUEST_BOOT_MS))
		cr_assert_fail("the guest did not come up");
	cr_assert(guest_result(&vm, "ping:10.0.2.2:56:3", NULL, 0,
			       GUEST_STEP_MS));
	cr_assert_eq(pb_cmd(&sw, "port/print 2", out, sizeof(out)), 0);
	cr_assert(strstr(out, " CAPTURE: "), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/capture 1 off", NULL, 0), 0);
	/* the stream's end: patchbay-ctl stopped, the switch notices */
	kill(ctl, SIGTERM);
	cr_assert_eq(waitpid(ctl, &st, 0), ctl);
	ctl = -1;
	cr_assert(pb_log_wait(&sw, "stopped: the reader", 5000));

	/* tcpdump: the requests and replies (3, and the guest's own probe
	 * before its step), in both captures */
	cr_assert_eq(run_cmd("test $(tcpdump -nn -r %s/g.pcap icmp 2>/dev/null"
			     " | grep -c '10.0.2.15 > 10.0.2.2: ICMP echo "
			     "request') -ge 3", sw.tmp), 0);
	cr_assert_eq(run_cmd("test $(tcpdump -nn -r %s/g.pcap icmp 2>/dev/null"
			     " | grep -c '10.0.2.2 > 10.0.2.15: ICMP echo "
			     "reply') -ge 3", sw.tmp), 0);
	cr_assert_eq(run_cmd("test $(tcpdump -nn -r %s/s.pcap icmp 2>/dev/null"
			     " | grep -c 'ICMP echo re') -ge 6", sw.tmp), 0);
	/* and the DHCP exchange before it, on the guest's port */
	cr_assert_eq(run_cmd("tcpdump -nn -r %s/g.pcap port 67 2>/dev/null | "
			     "grep -q 'BOOTP/DHCP'", sw.tmp), 0);
	guest_kill(&vm);
	cr_assert_eq(pb_stop(&sw), 0);
}
