/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_mgmt.c - the real daemon's console driven by Debian's unixcmd,
 * unixterm and vdeterm (under a pseudo-terminal: script(1)), and by raw
 * sockets: an rc file building research/vde.md §3.4's VLAN setup checked
 * with real clients, live debug events, and bad input while the switch
 * keeps forwarding.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

TestSuite(mgmt, .fini = teardown, .timeout = 60);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A raw console connection. */
struct con {
	int fd;
	size_t n;
	char buf[1 << 18];
};

static void con_open(struct con *c, const struct pb *pb)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.100s", pb->mgmt);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(c->fd >= 0);
	cr_assert_eq(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)), 0,
		     "connect %s: %s", sun.sun_path, strerror(errno));
	c->n = 0;
	c->buf[0] = '\0';
}

/* Read until @needle has arrived (or @ms pass); true if it did. */
static bool con_wait(struct con *c, const char *needle, int ms)
{
	long long end = now_ms() + ms;

	while (!strstr(c->buf, needle)) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long long left = end - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return false;
		r = read(c->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
		if (r <= 0)
			return strstr(c->buf, needle) != NULL;
		c->n += (size_t)r;
		c->buf[c->n] = '\0';
	}
	return true;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void con_send(struct con *c, const char *s)
{
	cr_assert_eq(write(c->fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void con_close(struct con *c)
{
	close(c->fd);
	c->fd = -1;
}

/* A command's output through a shell pipeline, into @out. */
static int shell(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int shell(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *f;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	cr_assert(f, "popen %s", cmd);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Two fresh libvdeplug clients can still join and talk. */
static void check_forwarding(const struct pb *pb)
{
	VDECONN *a = pb_open(pb, "", "fwd-a");
	VDECONN *b = pb_open(pb, "", "fwd-b");
	uint8_t f[60], g[100];
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0x0f, 0x0a };

	cr_assert(a && b, "the switch no longer takes clients");
	mkframe(f, MAC_BCAST, src, sizeof(f), 0x42);
	cr_assert_eq(vde_send(a, f, sizeof(f), 0), (ssize_t)sizeof(f));
	cr_assert_eq(recv_frame(b, g, sizeof(g), WAIT_MS), 60);
	vde_close(a);
	vde_close(b);
}

Test(mgmt, unixcmd_port_print)
{
	static char out[65536];
	VDECONN *c;

	pb_start(&sw, NULL);
	c = pb_open(&sw, "[3]", "unixcmd-client");
	cr_assert(c);
	shell(out, sizeof(out),
	      "unixcmd -f /etc/vde2/vdecmd -s '%s' port/print | tr '\\0' @",
	      sw.mgmt);
	/* unixcmd copies the body, a NUL after each line */
	cr_assert(strstr(out, "Port 0003 untagged_vlan=0000 ACTIVE - "
			 "Unnamed Allocatable\n@"), "got '%s'", out);
	cr_assert(strstr(out, "module unix prog   : unixcmd-client"),
		  "got '%s'", out);
	shell(out, sizeof(out),
	      "unixcmd -f /etc/vde2/vdecmd -s '%s' showinfo | tr -d '\\0'",
	      sw.mgmt);
	cr_assert(strstr(out, "patchbay V."), "got '%s'", out);
	cr_assert(strstr(out, "mgmt "), "got '%s'", out);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}

/*
 * port/createauto through Debian's unixcmd: the lowest port that does not
 * exist, printed as vde_switch does ("Port 0002"), inactive and not
 * allocatable, so a client asking for any port is refused until
 * port/allocatable; none left: 1028, as vde_switch says it.
 */
Test(mgmt, unixcmd_port_createauto)
{
	char out[4096];
	VDECONN *a, *b;

	pb_start(&sw, "-n", "3", NULL);
	a = pb_open(&sw, "", "first");
	cr_assert(a);
	cr_assert_eq(shell(out, sizeof(out), "unixcmd -f /etc/vde2/vdecmd "
			   "-s '%s' port/createauto | tr -d '\\0'", sw.mgmt),
		     0);
	cr_assert_str_eq(out, "Port 0002\n");
	shell(out, sizeof(out), "unixcmd -f /etc/vde2/vdecmd -s '%s' "
	      "port/createauto | tr -d '\\0'", sw.mgmt);
	cr_assert_str_eq(out, "Port 0003\n");
	cr_assert_eq(pb_cmd(&sw, "port/createauto", out, sizeof(out)), ENOSPC,
		     "got '%s'", out);
	cr_assert_null(pb_open(&sw, "", "refused"),
		       "created ports are not allocatable");
	cr_assert_eq(pb_cmd(&sw, "port/allocatable 3 1", out, sizeof(out)), 0);
	b = pb_open(&sw, "", "second");
	cr_assert(b);
	cr_assert_eq(pb_cmd(&sw, "port/print 3", out, sizeof(out)), 0,
		     "the client took port 3: '%s'", out);
	vde_close(b);
	vde_close(a);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(mgmt, unixterm_session)
{
	static char out[65536];

	pb_start(&sw, NULL);
	shell(out, sizeof(out),
	      "(sleep 0.3; echo port/showinfo; sleep 0.3; echo bogus/cmd; "
	      "sleep 0.3; echo logout; sleep 0.3) | timeout 10 unixterm '%s'",
	      sw.mgmt);
	cr_assert(strncmp(out, "patchbay V.", 11) == 0, "got '%s'", out);
	cr_assert(strstr(out, "\nvde$ 0000 DATA END WITH '.'\nNumports=32\n"
			 "HUB=false\ncounters=true\n"), "got '%s'", out);
	cr_assert(strstr(out, "1038 Function not implemented\n"));
	cr_assert_eq(pb_stop(&sw), 0);
}

/* vdeterm needs a terminal and sends each command without a newline */
Test(mgmt, vdeterm_under_a_pty)
{
	static char out[65536];

	pb_start(&sw, NULL);
	shell(out, sizeof(out),
	      "(sleep 1; echo port/showinfo; sleep 1; echo bogus; sleep 1) | "
	      "timeout 10 script -qec \"vdeterm '%s'\" /dev/null | tr -d '\\r\\0'",
	      sw.mgmt);
	cr_assert(strstr(out, "patchbay V."), "got '%s'", out);
	cr_assert(strstr(out, "Numports=32\nHUB=false\ncounters=true\n"),
		  "vdeterm showed no body: '%s'", out);
	cr_assert(strstr(out, "Success"), "got '%s'", out);
	cr_assert(strstr(out, "Function not implemented"), "got '%s'", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* research/vde.md §3.4's setup from an rc file, and its measured table */
Test(mgmt, rc_file_vlan_setup_seen_by_clients)
{
	static const uint8_t m11[6] = { 2, 0, 0, 0, 0, 0x11 };
	static const uint8_t m12[6] = { 2, 0, 0, 0, 0, 0x12 };
	static const uint8_t m13[6] = { 2, 0, 0, 0, 0, 0x13 };
	uint8_t f[100], g[200];
	char rc[200], body[4096];
	VDECONN *p11, *p12, *p13;
	FILE *rcf;

	snprintf(rc, sizeof(rc), "/tmp/pbtest-rc-%d", (int)getpid());
	rcf = fopen(rc, "w");
	cr_assert(rcf);
	fprintf(rcf, "# VLAN 10: 11 tagged, 12 untagged, 13 plain\n"
		"vlan/create 10\n\nport/setvlan 12 10\nvlan/addport 10 11\n");
	fclose(rcf);
	pb_start(&sw, "-f", rc, NULL);
	unlink(rc);
	p11 = pb_open(&sw, "[11]", "p11");
	p12 = pb_open(&sw, "[12]", "p12");
	p13 = pb_open(&sw, "[13]", "p13");
	cr_assert(p11 && p12 && p13);
	cr_assert_eq(pb_cmd(&sw, "vlan/print 10", body, sizeof(body)), 0);
	cr_assert_str_eq(body,
			 "VLAN 0010\n"
			 " -- Port 0011 tagged=1 active=1 status=Forwarding\n"
			 " -- Port 0012 tagged=0 active=1 status=Forwarding\n");

	/* 12 untagged broadcast: to 11 tagged 81 00 00 0a, nothing to 13 */
	mkframe(f, MAC_BCAST, m12, 60, 1);
	vde_send(p12, f, 60, 0);
	cr_assert_eq(recv_frame(p11, g, sizeof(g), WAIT_MS), 64);
	cr_assert_eq(memcmp(g + 12, "\x81\x00\x00\x0a", 4), 0);
	cr_assert(quiet(p13, 200));

	/* 11 tagged VID 10: to 12 untagged */
	mkframe(f, MAC_BCAST, m11, 64, 2);
	memcpy(f + 12, "\x81\x00\x00\x0a\x08\x00", 6);
	vde_send(p11, f, 64, 0);
	cr_assert_eq(recv_frame(p12, g, sizeof(g), WAIT_MS), 60);
	cr_assert_eq(g[12], 0x08, "the tag was not removed");
	cr_assert(quiet(p13, 200));

	/* 11 untagged: 13 only */
	mkframe(f, MAC_BCAST, m11, 60, 3);
	vde_send(p11, f, 60, 0);
	cr_assert_eq(recv_frame(p13, g, sizeof(g), WAIT_MS), 60);
	cr_assert(quiet(p12, 200));

	/* 11 VID 20, 13 VID 10: not members, dropped and counted */
	mkframe(f, MAC_BCAST, m11, 64, 4);
	memcpy(f + 12, "\x81\x00\x00\x14\x08\x00", 6);
	vde_send(p11, f, 64, 0);
	mkframe(f, MAC_BCAST, m13, 64, 5);
	memcpy(f + 12, "\x81\x00\x00\x0a\x08\x00", 6);
	vde_send(p13, f, 64, 0);
	cr_assert(quiet(p12, 200) && quiet(p11, 50) && quiet(p13, 50));
	cr_assert_eq(pb_port_counter(&sw, 11, " DROP:", "vlan"), 1);
	cr_assert_eq(pb_port_counter(&sw, 13, " DROP:", "vlan"), 1);
	cr_assert_eq(pb_port_counter(&sw, 11, " IN:", "pkts"), 3);

	/* the MAC table is per VLAN; hash/find names the right port */
	cr_assert_eq(pb_cmd(&sw, "hash/find 02:00:00:00:00:11 10", body,
			    sizeof(body)), 0);
	cr_assert(strstr(body, "VLAN 0010 to port: 011"), "got %s", body);
	vde_close(p11);
	vde_close(p12);
	vde_close(p13);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(mgmt, rc_file_error_names_file_line_command)
{
	char rc[200], cmd[600];
	const char *bin = getenv("PATCHBAY");
	FILE *rcf;

	cr_assert(bin);
	snprintf(rc, sizeof(rc), "/tmp/pbtest-rcbad-%d", (int)getpid());
	rcf = fopen(rc, "w");
	cr_assert(rcf);
	fprintf(rcf, "vlan/create 10\n# fine so far\nport/setvlan 3 77\n");
	fclose(rcf);
	/* with -d: a non-zero exit before it returns, the reason on stderr */
	snprintf(cmd, sizeof(cmd),
		 "'%s' -d -s /tmp/pbtest-rcbad-%d.sw -f '%s' 2>&1 | "
		 "grep -q 'pbtest-rcbad-%d:3: port/setvlan 3 77: No such device'",
		 bin, (int)getpid(), rc, (int)getpid());
	cr_assert_eq(run_cmd("%s", cmd), 0, "no file:line: command: reason");
	snprintf(cmd, sizeof(cmd), "/tmp/pbtest-rcbad-%d.sw", (int)getpid());
	cr_assert(wait_path(cmd, false, 100), "%s left behind", cmd);
	unlink(rc);
}

Test(mgmt, debug_add_shows_a_port_joining)
{
	static struct con c;
	VDECONN *v;
	char line[80];
	int id;

	pb_start(&sw, NULL);
	con_open(&c, &sw);
	cr_assert(con_wait(&c, "\nvde$ ", WAIT_MS));
	con_send(&c, "debug/add port/ep\n");
	cr_assert(con_wait(&c, "1000 Success\n\nvde$ ", WAIT_MS));
	v = pb_open(&sw, "[2]", "joining");
	cr_assert(v);
	cr_assert(con_wait(&c, "3031 port/ep/+ Port 02 FD ", WAIT_MS),
		  "got '%s'", c.buf);
	id = atoi(strstr(c.buf, "3031 port/ep/+ Port 02 FD ") + 26);
	cr_assert_gt(id, 0);
	vde_close(v);
	snprintf(line, sizeof(line), "3032 port/ep/- Port 02 FD %2d\n", id);
	cr_assert(con_wait(&c, line, WAIT_MS), "got '%s'", c.buf);
	con_close(&c);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(mgmt, bad_input_and_many_clients)
{
	static struct con c, many[64];
	static char big[1000 * 16 + 1];
	char garbage[512];
	unsigned i;

	pb_start(&sw, NULL);
	con_open(&c, &sw);
	cr_assert(con_wait(&c, "\nvde$ ", WAIT_MS));

	/* 1000 commands in one write: 1000 answers, in order */
	big[0] = '\0';
	for (i = 0; i < 1000; i++)
		strcat(big, "port/showinfo\n");
	con_send(&c, big);
	for (i = 0; i < 200 && count(c.buf, "1000 Success") < 1000; i++)
		con_wait(&c, "never", 50);
	cr_assert_eq(count(c.buf, "1000 Success"), 1000);

	/* binary garbage and NUL bytes: errors, not a crash */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 37 + 11);
	garbage[sizeof(garbage) - 1] = '\n';
	c.n = 0;
	c.buf[0] = '\0';
	cr_assert_eq(write(c.fd, garbage, sizeof(garbage)),
		     (ssize_t)sizeof(garbage));
	con_send(&c, "port/print\n");
	cr_assert(con_wait(&c, "1000 Success", WAIT_MS), "got '%s'", c.buf);
	check_forwarding(&sw);

	/* a line over the limit: an error, not two commands */
	{
		static char longline[6000];

		memset(longline, 'x', sizeof(longline) - 2);
		memcpy(longline, "port/print ", 11);
		longline[sizeof(longline) - 2] = '\n';
		c.n = 0;
		c.buf[0] = '\0';
		con_send(&c, longline);
		cr_assert(con_wait(&c, "1007 Argument list too long", WAIT_MS),
			  "got '%s'", c.buf);
		cr_assert_eq(count(c.buf, "\nvde$ "), 1);
	}

	/* 64 clients at once, each served */
	for (i = 0; i < 64; i++)
		con_open(&many[i], &sw);
	for (i = 0; i < 64; i++) {
		cr_assert(con_wait(&many[i], "\nvde$ ", WAIT_MS));
		con_send(&many[i], "ds/showinfo\n");
	}
	for (i = 0; i < 64; i++)
		cr_assert(con_wait(&many[i], "std mode 0600\n.\n1000 Success",
				   WAIT_MS));
	/* one vanishing in the middle of a long output */
	con_send(&many[0], "help\nhelp\nhelp\nhelp\nport/allprint\n");
	con_close(&many[0]);
	check_forwarding(&sw);

	/* logout ends one session */
	con_send(&many[1], "logout\n");
	cr_assert(con_wait(&many[1], "9999 END OF SESSION", WAIT_MS));
	con_close(&many[1]);

	/* shutdown from one: every other client gets 9999, the switch ends */
	con_send(&c, "shutdown\n");
	for (i = 2; i < 64; i++)
		cr_assert(con_wait(&many[i], "9999 END OF SESSION", WAIT_MS),
			  "client %u: '%s'", i, many[i].buf);
	cr_assert(con_wait(&c, "9999 END OF SESSION", WAIT_MS));
	for (i = 2; i < 64; i++)
		con_close(&many[i]);
	con_close(&c);
	cr_assert_eq(pb_stop(&sw), 0, "shutdown: not a clean exit");
}

/* vde_switch -s DIR -M SOCK -d: the console is there when -d returns, and
 * shutdown ends the daemon cleanly. */
Test(mgmt, console_ready_when_daemon_returns)
{
	const char *bin = getenv("PATCHBAY");
	char base[64], out[4096];
	struct pb d;
	FILE *f;
	long pid = 0;
	int i;

	cr_assert(bin);
	snprintf(base, sizeof(base), "/tmp/pbtest-d-%d", (int)getpid());
	memset(&d, 0, sizeof(d));
	snprintf(d.dir, sizeof(d.dir), "%s.sw", base);
	snprintf(d.mgmt, sizeof(d.mgmt), "%s.mgmt", base);
	cr_assert_eq(run_cmd("'%s' -s '%s' -M '%s' -d -p '%s.pid'", bin, d.dir,
			     d.mgmt, base), 0);
	cr_assert(wait_path(d.mgmt, true, 0), "no console when -d returned");
	snprintf(out, sizeof(out), "%s.pid", base);
	f = fopen(out, "r");
	cr_assert(f && fscanf(f, "%ld", &pid) == 1);
	fclose(f);
	cr_assert_eq(pb_cmd(&d, "ds/showinfo", out, sizeof(out)), 0);
	cr_assert(strstr(out, "ctl dir "), "got %s", out);
	cr_assert_eq(pb_cmd(&d, "shutdown", NULL, 0), -1, "9999, no status");
	for (i = 0; i < 500 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
	cr_assert_neq(kill((pid_t)pid, 0), 0, "still running after shutdown");
	cr_assert(wait_path(d.mgmt, false, 1000), "console socket left");
	cr_assert(wait_path(d.dir, false, 1000), "directory left");
}

/* patchbay-ctl against patchbay: JSON with the real fields, exit codes */
Test(mgmt, patchbay_ctl_json_and_status)
{
	static char out[65536];
	VDECONN *c;

	pb_start(&sw, NULL);
	c = pb_open(&sw, "[4]", "ctl-client");
	cr_assert(c);
	cr_assert_eq(shell(out, sizeof(out), "'%s' --json '%s' port/print",
			   CTL_BIN, sw.mgmt), 0);
	cr_assert(strstr(out, "\"port\":4"), "got %s", out);
	cr_assert(strstr(out, "\"module\":\"unix prog\""), "got %s", out);
	cr_assert(strstr(out, "ctl-client"), "got %s", out);
	cr_assert(strstr(out, "\"extra\""), "drop counters: %s", out);
	cr_assert_eq(shell(out, sizeof(out), "'%s' '%s' port/print 9 2>&1",
			   CTL_BIN, sw.mgmt), 1);
	cr_assert(strstr(out, "No such device or address"), "got %s", out);
	cr_assert_eq(shell(out, sizeof(out), "'%s' '%s' bogus/cmd 2>&1",
			   CTL_BIN, sw.mgmt), 1);
	cr_assert(strstr(out, "Function not implemented"), "got %s", out);
	vde_close(c);
	cr_assert_eq(pb_stop(&sw), 0);
}
