/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_guest.c - a real QEMU guest (Linux, busybox) plugged into patchbay
 * reaches hosts through patchbay's TAP port:
 *   - bridged onto a LAN: patchbay's TAP enslaved to a Linux bridge that
 *     also holds a veth whose other end is the LAN host, in a second
 *     network namespace; the guest pings it (56 and 1472 bytes) and sends
 *     1 MiB to it and receives 1 MiB from it over TCP, checksums compared;
 *   - routed to the TAP's own address (--tap-addr).
 *
 * Everything runs in network namespaces the test creates: its own (A,
 * pb_enter_netns) and the LAN host's (B, held by a child process that
 * dies with the test). Addresses are from 198.18.0.0/15.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

#include "guest.h"
#include "harness.h"

#define BUSYBOX "/bin/busybox"
#define WAIT_MS 30000		/* host-side helpers, under load */
#define COPY_SIZE 1048576

#define LAN_IP "198.18.0.1"
#define GUEST_IP "198.18.0.11"
#define GUEST_MAC "52:54:00:12:00:11"

static struct pb sw;
static struct guest vm;
static pid_t lan = -1;		/* holds the LAN host's network namespace */

/* A child that only holds a new network namespace: the LAN host. */
static pid_t netns_holder(void)
{
	int p[2];
	char c;
	pid_t pid;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		if (unshare(CLONE_NEWNET))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1, "the LAN host's netns failed");
	close(p[0]);
	return pid;
}

/* Run a shell script in the LAN host's netns (@in_lan) or in ours, in the
 * background; stdout/stderr to @log. */
static pid_t spawn_sh(bool in_lan, const char *script, const char *log)
{
	char ns[64];

	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", (int)lan);
	return guest_helper(in_lan ? ns : NULL, script, log);
}

/* Run a command in the LAN host's netns; its exit status. */
static int lan_cmd(const char *cmd)
{
	return run_cmd("nsenter --net=/proc/%d/ns/net sh -c '%s'", (int)lan,
		       cmd);
}

/*
 * A TCP receiver (busybox nc -l) writing what it gets to @out. Its stdin
 * is a FIFO it also holds open for writing: it never sees EOF there, so
 * it sends no FIN before the sender has finished.
 */
static pid_t start_receiver(bool in_lan, unsigned port, const char *out)
{
	char script[1024], log[200];

	snprintf(log, sizeof(log), "%s/nc-%u.log", sw.tmp, port);
	snprintf(script, sizeof(script),
		 "mkfifo '%s.hold' && exec 3<>'%s.hold' && "
		 "exec " BUSYBOX " nc -l -p %u <&3 >'%s'",
		 out, out, port, out);
	return spawn_sh(in_lan, script, log);
}

static void start_guest(const char *steps)
{
	char netdev[300];
	struct guest_spec spec = {
		.dir = sw.tmp,
		.name = "a",
		.netdev = netdev,
		.mac = GUEST_MAC,
		.ip = GUEST_IP "/24",
		.steps = steps,
	};

	snprintf(netdev, sizeof(netdev), "vde,sock=%s", sw.dir);
	guest_start(&vm, &spec);
	cr_assert(guest_wait(&vm, "PB-READY", NULL, 0, GUEST_BOOT_MS),
		  "the guest did not come up (see %s, %s)", vm.serial,
		  vm.errlog);
}

static void expect_ok(const char *step)
{
	char details[256];

	cr_assert(guest_result(&vm, step, details, sizeof(details),
			       GUEST_STEP_MS),
		  "guest step %s failed: %s", step, details);
}

/* The guest's send @step reached the receiver @recv, writing @rx, whole. */
static void expect_sent(const char *step, pid_t recv, const char *rx)
{
	char details[256], got[200];

	cr_assert(guest_result(&vm, step, details, sizeof(details),
			       GUEST_STEP_MS),
		  "guest step %s failed: %s", step, details);
	cr_assert_eq(guest_helper_wait(recv, WAIT_MS), 0,
		     "the receiver of %s did not finish", step);
	guest_file_sum(rx, got, sizeof(got));
	cr_assert_str_eq(got, details,
			 "the guest sent %s, the receiver got %s", details,
			 got);
}

/*
 * Boot the guest, which pings LAN_IP with 56 and 1472 data bytes, then
 * sends it @size random bytes over TCP, then does the steps @more
 * (",step,..."); check those first three. The receiver of the bytes runs
 * in the LAN host's netns (@in_lan) or in ours.
 */
static void pings_and_send(bool in_lan, int size, const char *more)
{
	char rx[200], send[64], steps[300];
	pid_t recv;

	snprintf(rx, sizeof(rx), "%s/rx-5001", sw.tmp);
	recv = start_receiver(in_lan, 5001, rx);
	snprintf(send, sizeof(send), "send:" LAN_IP ":5001:%d", size);
	snprintf(steps, sizeof(steps),
		 "ping:" LAN_IP ",ping:" LAN_IP ":1472:3,%s%s", send, more);
	start_guest(steps);
	expect_ok("ping:" LAN_IP);
	expect_ok("ping:" LAN_IP ":1472:3");
	expect_sent(send, recv, rx);
}

/* The guest powers off by itself after its last step. */
static void expect_done(void)
{
	char line[128];

	cr_assert(guest_wait(&vm, "PB-DONE", line, sizeof(line),
			     GUEST_STEP_MS),
		  "the guest did not finish (see %s)", vm.serial);
	cr_assert_str_eq(line, "PB-DONE ok");
	cr_assert_eq(guest_wait_exit(&vm, GUEST_STEP_MS), 0,
		     "QEMU did not exit cleanly after the guest's poweroff");
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (access(BUSYBOX, X_OK))
		cr_skip_test(BUSYBOX " is not installed (busybox-static)");
	guest_image();		/* first: a first build downloads */
	pb_enter_netns();	/* netns A: the switch, its TAP, the bridge */
}

static void teardown(void)
{
	guest_kill(&vm);
	guest_helpers_stop();
	if (lan > 0) {
		kill(lan, SIGKILL);	/* its netns goes with it */
		waitpid(lan, NULL, 0);
		lan = -1;
	}
	pb_cleanup(&sw);
}

TestSuite(guest, .init = setup, .fini = teardown, .timeout = 150);

/*
 * The bridge-onto-LAN case (issue 14): br0 in netns A holds patchbay's
 * TAP and a veth whose peer is the LAN host in netns B; the guest on
 * patchbay reaches the LAN host at layer 2 through the bridge.
 */
Test(guest, bridged_onto_lan)
{
	char tx[200], log[200], script[600], want[200];
	char details[256];
	pid_t send;

	lan = netns_holder();
	/* all of this in the test's own network namespaces, A and B */
	cr_assert_eq(run_cmd("ip link add br0 type bridge && "
			     "ip link set br0 up && "
			     "ip link add pbveth0 type veth peer name pblan0 "
			     "netns %d && "
			     "ip link set pbveth0 master br0 up",
			     (int)lan),
		     0);
	cr_assert_eq(lan_cmd("ip link set lo up && "
			     "ip addr add " LAN_IP "/24 dev pblan0 && "
			     "ip link set pblan0 up"),
		     0);
	pb_start(&sw, "-t", "pbtap0", "--tap-bridge", "br0", NULL);
	cr_assert_eq(run_cmd("ip -o link show pbtap0 | grep -q 'master br0'"),
		     0, "patchbay's TAP is not in br0");

	pings_and_send(true, COPY_SIZE, ",recv:5002");

	/* LAN host -> guest */
	snprintf(tx, sizeof(tx), "%s/lan-tx", sw.tmp);
	cr_assert(guest_wait(&vm, "PB-LISTEN 5002", NULL, 0, GUEST_STEP_MS),
		  "the guest is not listening");
	snprintf(script, sizeof(script),
		 "head -c %d /dev/urandom >'%s' && "
		 "for i in $(seq 50); do timeout 30 " BUSYBOX " nc " GUEST_IP
		 " 5002 <'%s' && exit 0; sleep 0.2; done; exit 1",
		 COPY_SIZE, tx, tx);
	snprintf(log, sizeof(log), "%s/nc-send.log", sw.tmp);
	send = spawn_sh(true, script, log);
	cr_assert_eq(guest_helper_wait(send, WAIT_MS + 10000), 0,
		     "the LAN host could not send to the guest");
	guest_file_sum(tx, want, sizeof(want));
	cr_assert(guest_result(&vm, "recv:5002", details, sizeof(details),
			       GUEST_STEP_MS),
		  "the guest's receive failed: %s", details);
	cr_assert_str_eq(details, want,
			 "the LAN host sent %s, the guest got %s", want,
			 details);

	expect_done();
	cr_assert_eq(pb_stop(&sw), 0);
}

/*
 * The guest reaches the TAP's own address (--tap-addr): the host stack of
 * netns A answers pings and takes a TCP transfer.
 */
Test(guest, tap_address)
{
	pb_start(&sw, "-t", "pbtap0", "--tap-addr", LAN_IP "/24", NULL);
	pings_and_send(false, COPY_SIZE / 4, "");
	expect_done();
	cr_assert_eq(pb_stop(&sw), 0);
}
