/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_ctl.c - patchbay-ctl against Debian's real vde_switch -M, and
 * against fake consoles that stay silent, send garbage or hang up.
 *
 * vde_switch runs in the foreground as our child, its stdin a pipe we
 * hold open (EOF would stop it), in a mkdtemp directory; clients plug in
 * with libvdeplug. patchbay-ctl (CTL_BIN, the one just built) runs with
 * its stdout and stderr in files of that directory. Every process is
 * ours, waited for with a deadline, and stopped by its pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
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

#define VDE_SWITCH "/usr/bin/vde_switch"
#define WAIT_MS 10000

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };

/* The test's world: one directory, one switch, two plugs, one ctl. */
static struct {
	char tmp[64];
	char dir[96];		/* vde_switch -s */
	char mgmt[96];		/* vde_switch -M */
	pid_t sw;		/* vde_switch, or 0 */
	int sw_in;		/* its stdin's write end, or -1 */
	pid_t ctl;		/* a patchbay-ctl still running, or 0 */
	VDECONN *plug[2];
} t = { .sw_in = -1 };

/* What a patchbay-ctl run left. */
struct res {
	int status;		/* exit status, 128 + signal */
	char *out;		/* stdout, NUL-terminated */
	char *err;		/* stderr */
};

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to @ms for @pid: its exit status (128 + signal), or -1. */
static int wait_pid(pid_t pid, int ms)
{
	long long end = ms_now() + ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFSIGNALED(st) ? 128 + WTERMSIG(st) :
						 WEXITSTATUS(st);
		if (r < 0 || ms_now() > end)
			return -1;
		usleep(5000);
	}
}

static void stop_pid(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	if (wait_pid(*pid, WAIT_MS) < 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	snprintf(t.tmp, sizeof(t.tmp), "/tmp/ctltest.XXXXXX");
	cr_assert(mkdtemp(t.tmp), "mkdtemp: %s", strerror(errno));
	snprintf(t.dir, sizeof(t.dir), "%s/sw", t.tmp);
	snprintf(t.mgmt, sizeof(t.mgmt), "%s/mgmt", t.tmp);
}

static void teardown(void)
{
	int i;

	for (i = 0; i < 2; i++)
		if (t.plug[i])
			vde_close(t.plug[i]);
	stop_pid(&t.ctl);
	stop_pid(&t.sw);
	if (t.sw_in >= 0)
		close(t.sw_in);
	if (t.tmp[0])
		run_cmd("rm -rf '%s'", t.tmp);
	memset(&t, 0, sizeof(t));
	t.sw_in = -1;
}

TestSuite(ctl, .init = setup, .fini = teardown, .timeout = 120);

/* Start vde_switch -s DIR -M MGMT in the foreground; wait for MGMT. */
static void switch_start(void)
{
	char log[128];
	int in[2];

	if (access(VDE_SWITCH, X_OK))
		cr_skip_test("%s is not installed (Debian package vde2)",
			     VDE_SWITCH);
	snprintf(log, sizeof(log), "%s/switch.log", t.tmp);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	t.sw = fork();
	cr_assert(t.sw >= 0);
	if (t.sw == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(in[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(VDE_SWITCH, "vde_switch", "-s", t.dir, "-M", t.mgmt,
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	t.sw_in = in[1];
	cr_assert(wait_path(t.mgmt, true, WAIT_MS), "no %s", t.mgmt);
}

static VDECONN *plug(int i, const char *suffix, const char *descr)
{
	char url[160];

	snprintf(url, sizeof(url), "vde://%s%s", t.dir, suffix);
	t.plug[i] = vde_open(url, (char *)(uintptr_t)descr, NULL);
	cr_assert(t.plug[i], "vde_open %s: %s", url, strerror(errno));
	return t.plug[i];
}

/* Start patchbay-ctl with @argv (NULL-terminated, without argv[0]);
 * stdin from @input (NULL: /dev/null); output in TMP/out, TMP/err. */
static pid_t ctl_spawn(const char *input, const char *const *argv)
{
	const char *args[32] = { "patchbay-ctl" };
	char path[128];
	int n = 1;
	pid_t pid;

	while (*argv && n < 31)
		args[n++] = *argv++;
	args[n] = NULL;
	snprintf(path, sizeof(path), "%s/in", t.tmp);
	if (input) {
		FILE *f = fopen(path, "w");

		cr_assert(f);
		fputs(input, f);
		fclose(f);
	}
	/* both exist at once, for a test that polls them */
	run_cmd(": > '%s/out'; : > '%s/err'", t.tmp, t.tmp);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char p[128];
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGPIPE, SIG_DFL);
		fd = open(input ? path : "/dev/null", O_RDONLY);
		dup2(fd, 0);
		snprintf(p, sizeof(p), "%s/out", t.tmp);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		snprintf(p, sizeof(p), "%s/err", t.tmp);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close_range(3, ~0U, 0);
		execv(CTL_BIN, (char *const *)(uintptr_t)args);
		_exit(127);
	}
	return pid;
}

/* A whole file, NUL-terminated; asserts that it holds no NUL byte. */
static char *slurp(const char *name)
{
	char path[128], *buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t.tmp, name);
	f = fopen(path, "r");
	cr_assert(f, "%s", path);
	buf = malloc(1 << 20);
	cr_assert(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cr_assert_eq(strlen(buf), n, "a NUL byte in the %s of patchbay-ctl",
		     name);
	return buf;
}

/* Wait for the ctl started by ctl_spawn(); collect its output. */
static void ctl_collect(pid_t pid, int ms, struct res *r)
{
	t.ctl = pid;
	r->status = wait_pid(pid, ms);
	cr_assert(r->status >= 0, "patchbay-ctl did not end within %d ms",
		  ms);
	t.ctl = 0;
	r->out = slurp("out");
	r->err = slurp("err");
}

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

/* Run patchbay-ctl ARGS... (NULL-terminated) to its end. */
static void ctl(struct res *r, const char *input, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 0;

	va_start(ap, input);
	while ((argv[n] = va_arg(ap, const char *)) && n < 31)
		n++;
	va_end(ap);
	argv[n] = NULL;
	ctl_collect(ctl_spawn(input, argv), 30000, r);
}

/* A tiny JSON validator: does @p hold exactly one JSON value? */
static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *js_container(const char *p, int depth, char close,
				bool obj)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			p = js_string(js_ws(p));
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = js_value(p, depth + 1);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = js_ws(p);
	if (*p == '{')
		return js_container(p, depth, '}', true);
	if (*p == '[')
		return js_container(p, depth, ']', false);
	if (*p == '"')
		return js_string(p);
	if (*p >= '0' && *p <= '9') {
		if (*p == '0' && p[1] >= '0' && p[1] <= '9')
			return NULL;
		return p + strspn(p, "0123456789");
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return NULL;
}

static void assert_json(const char *doc)
{
	const char *end = js_value(doc, 0);

	cr_assert(end, "not JSON: %s", doc);
	cr_assert_str_eq(end, "\n", "not one JSON line: %s", doc);
}

Test(ctl, showinfo_and_port_print)
{
	struct res r;

	switch_start();
	plug(0, "", "ctl-test-a");
	plug(1, "[5]", "ctl-test-b \"quoted\"");

	ctl(&r, NULL, t.mgmt, "showinfo", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_eq(strncmp(r.out, "VDE switch V.", 13), 0, "%s", r.out);
	cr_assert(strstr(r.out, "\npid "), "%s", r.out);
	cr_assert(!strstr(r.out, "0000 DATA") && !strstr(r.out, "1000 "),
		  "framing in the output: %s", r.out);
	cr_assert_str_eq(r.err, "");
	res_free(&r);

	ctl(&r, NULL, t.mgmt, "port/print", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_eq(strncmp(r.out, "Port 0001 untagged_vlan=0000 ACTIVE", 35),
		     0, "%s", r.out);
	cr_assert(strstr(r.out, "\nPort 0005 "), "%s", r.out);
	cr_assert(strstr(r.out, " : ctl-test-a"), "%s", r.out);
	cr_assert(strstr(r.out, " : ctl-test-b \"quoted\""), "%s", r.out);
	cr_assert(r.out[strlen(r.out) - 1] == '\n');
	cr_assert(!strstr(r.out, "\n.\n"), "%s", r.out);
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "port/print", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "{\"ports\":[{\"port\":1,\"untagged_vlan\":0,"
				"\"active\":true,\"allocatable\":true,"),
		  "%s", r.out);
	cr_assert(strstr(r.out, "{\"port\":5,"), "%s", r.out);
	cr_assert(strstr(r.out, "\"module\":\"unix prog\",\"descr\":"
				"\"ctl-test-a"), "%s", r.out);
	cr_assert(strstr(r.out, "\"descr\":\"ctl-test-b \\\"quoted\\\""),
		  "%s", r.out);
	cr_assert(strstr(r.out, "\"in\":{\"pkts\":0,\"bytes\":0}"), "%s",
		  r.out);
	cr_assert(strstr(r.out, "\"unparsed\":[]}\n"), "%s", r.out);
	res_free(&r);

	ctl(&r, NULL, "-j", t.mgmt, "showinfo", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "\"version\":\"2.3.2\""), "%s", r.out);
	cr_assert(strstr(r.out, "\"perm\":\"0600\",\"unparsed\":[]}"), "%s",
		  r.out);
	res_free(&r);

	ctl(&r, NULL, "-j", t.mgmt, "help", NULL);	/* generic form */
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "\"port/print         [N]   "), "%s", r.out);
	res_free(&r);
}

Test(ctl, error_statuses)
{
	struct res r;

	switch_start();
	/* vde_switch matches by prefix: this matches nothing */
	ctl(&r, NULL, t.mgmt, "zzz/none", "1", NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "patchbay-ctl: zzz/none 1: Function not "
				"implemented\n");
	cr_assert_str_eq(r.out, "");
	res_free(&r);

	ctl(&r, NULL, t.mgmt, "port/print", "99", NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "patchbay-ctl: port/print 99: Invalid "
				"argument\n");
	cr_assert_str_eq(r.out, "");
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "port/print", "7", NULL);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "patchbay-ctl: port/print 7: No such device "
				"or address\n");
	cr_assert_str_eq(r.out, "");
	res_free(&r);
}

Test(ctl, hash_and_vlans_json)
{
	uint8_t f[64], buf[2048];
	struct res r;

	switch_start();
	plug(0, "", "a");
	plug(1, "[5]", "b");
	/* A broadcasts, B answers: both MACs learned once both arrive */
	vde_send(t.plug[0], f, mkframe(f, MAC_BCAST, MAC_A, 60, 1), 0);
	cr_assert(recv_frame(t.plug[1], buf, sizeof(buf), WAIT_MS) > 0);
	vde_send(t.plug[1], f, mkframe(f, MAC_A, MAC_B, 60, 2), 0);
	cr_assert(recv_frame(t.plug[0], buf, sizeof(buf), WAIT_MS) > 0);

	ctl(&r, NULL, "--json", t.mgmt, "hash/print", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "\"mac\":\"02:00:00:00:00:0a\",\"vlan\":0,"
				"\"port\":1,"), "%s", r.out);
	cr_assert(strstr(r.out, "\"mac\":\"02:00:00:00:00:0b\",\"vlan\":0,"
				"\"port\":5,"), "%s", r.out);
	cr_assert(strstr(r.out, "\"unparsed\":[]}\n"), "%s", r.out);
	res_free(&r);

	ctl(&r, NULL, t.mgmt, "vlan/create", "10", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	res_free(&r);
	ctl(&r, NULL, t.mgmt, "port/create", "7", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	res_free(&r);
	ctl(&r, NULL, t.mgmt, "vlan/addport", "10", "5", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "vlan/allprint", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "{\"vlans\":[{\"vlan\":0,\"ports\":[{\"port\":1,"
				"\"tagged\":false,\"active\":true,"), "%s",
		  r.out);
	cr_assert(strstr(r.out, "{\"port\":7,\"tagged\":false,"
				"\"active\":false,"), "%s", r.out);
	cr_assert(strstr(r.out, "{\"vlan\":10,\"ports\":[{\"port\":5,"
				"\"tagged\":true,\"active\":true,"), "%s",
		  r.out);
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "vlan/print", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(!strstr(r.out, "\"port\":7"), "%s", r.out);
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "port/allprint", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "{\"port\":7,\"untagged_vlan\":0,"
				"\"active\":false,\"allocatable\":false,"),
		  "%s", r.out);
	res_free(&r);

	ctl(&r, NULL, "--json", t.mgmt, "hash/showinfo", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_json(r.out);
	cr_assert(strstr(r.out, "{\"hash_size\":"), "%s", r.out);
	res_free(&r);
}

Test(ctl, script_on_stdin)
{
	struct res r;

	switch_start();
	ctl(&r, "port/showinfo\n# comment\n\nbogus/zz\nhash/showinfo\n", t.mgmt,
	    NULL);
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "Numports=32\nHUB=false\ncounters=true\n"
				"Hash size 128\nGC interval 2 secs\n"
				"GC expire 100 secs\nMin persistence 3 secs\n");
	cr_assert_str_eq(r.err, "patchbay-ctl: bogus/zz: Function not "
				"implemented\n");
	res_free(&r);

	ctl(&r, "vlan/create 30\nlogout\nvlan/create 31\n", t.mgmt, NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	res_free(&r);
	ctl(&r, NULL, t.mgmt, "vlan/print", "31", NULL);	/* not run */
	cr_assert_eq(r.status, 1, "stderr: %s", r.err);
	res_free(&r);
	ctl(&r, NULL, t.mgmt, "vlan/print", "30", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "VLAN 0030\n");
	res_free(&r);
}

Test(ctl, refusals_and_usage)
{
	char big[200];
	struct res r;

	switch_start();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ctl(&r, NULL, t.mgmt, "help", big, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "longer than 127 bytes"), "%s", r.err);
	res_free(&r);

	ctl(&r, NULL, t.mgmt, "vlan/create", "10\nvlan/create 11", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "newline"), "%s", r.err);
	res_free(&r);

	ctl(&r, NULL, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "missing SOCK"), "%s", r.err);
	res_free(&r);

	ctl(&r, NULL, "--frobnicate", t.mgmt, "showinfo", NULL);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "Usage: patchbay-ctl"), "%s", r.err);
	res_free(&r);

	ctl(&r, NULL, "--timeout", "ten", t.mgmt, "showinfo", NULL);
	cr_assert_eq(r.status, 2);
	res_free(&r);

	ctl(&r, NULL, "--version", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "patchbay-ctl (" PACKAGE_NAME ") "
				PACKAGE_VERSION "\n");
	res_free(&r);

	ctl(&r, NULL, "--help", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--follow"));
	res_free(&r);

	/* the switch is still fine */
	ctl(&r, NULL, t.mgmt, "vlan/print", "11", NULL);
	cr_assert_eq(r.status, 1);
	res_free(&r);
}

Test(ctl, shutdown_ends_the_switch)
{
	struct res r;

	switch_start();
	ctl(&r, NULL, t.mgmt, "shutdown", NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_eq(r.out, "");
	cr_assert_str_eq(r.err, "");
	res_free(&r);
	cr_assert_eq(wait_pid(t.sw, WAIT_MS), 0, "vde_switch did not exit");
	t.sw = 0;
}

Test(ctl, follow_debug_lines)
{
	const char *argv[] = { "--json", t.mgmt, "--follow", NULL };
	long long end = ms_now() + 20000;
	char path[128];
	struct res r;
	int st;

	switch_start();
	t.ctl = ctl_spawn(NULL, argv);
	snprintf(path, sizeof(path), "%s/out", t.tmp);
	/* plug in and out until the lines show: the subscription takes its
	 * time, and we cannot see when it is done */
	for (;;) {
		char *out;
		bool seen;

		vde_close(plug(0, "", "follow-me"));
		t.plug[0] = NULL;
		out = slurp("out");
		seen = strstr(out, "\"category\":\"port/ep/-\"") != NULL;
		free(out);
		if (seen)
			break;
		cr_assert(ms_now() < end, "no debug lines from --follow");
		cr_assert_eq(waitpid(t.ctl, &st, WNOHANG), 0,
			     "patchbay-ctl --follow ended early");
		usleep(100000);
	}
	kill(t.ctl, SIGTERM);
	ctl_collect(t.ctl, WAIT_MS, &r);
	cr_assert_eq(r.status, 0, "status %d, stderr: %s", r.status, r.err);
	cr_assert(strstr(r.out, "{\"code\":3031,\"category\":\"port/ep/+\","
				"\"text\":\"Port 01 FD "), "%s", r.out);
	cr_assert(strstr(r.out, "{\"code\":3023,\"category\":\"port/descr\","
				"\"text\":\"Port 01 FD "), "%s", r.out);
	cr_assert(strstr(r.out, "-> \\\"follow-me"), "%s", r.out);
	for (char *l = r.out; *l; l = strchr(l, '\n') + 1) {
		char *nl = strchr(l, '\n'), save = nl[1];

		nl[1] = '\0';
		assert_json(l);
		nl[1] = save;
	}
	res_free(&r);

	/* text form, one category; ended by the switch going away */
	ctl(&r, NULL, t.mgmt, "debug/list", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "port/ep/+              031 OFF"), "%s", r.out);
	res_free(&r);
	{
		const char *a2[] = { t.mgmt, "--follow", "port/ep", NULL };

		t.ctl = ctl_spawn(NULL, a2);
	}
	end = ms_now() + 20000;
	for (;;) {
		char *out;
		bool seen;

		vde_close(plug(0, "", "x"));
		t.plug[0] = NULL;
		out = slurp("out");
		seen = strstr(out, "3032 port/ep/- Port 01 FD ") != NULL;
		cr_assert(!strstr(out, "port/descr"), "%s", out);
		free(out);
		if (seen)
			break;
		cr_assert(ms_now() < end, "no debug lines from --follow");
		usleep(100000);
	}
	stop_pid(&t.sw);
	ctl_collect(t.ctl, WAIT_MS, &r);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "closed the connection"), "%s", r.err);
	res_free(&r);
}

Test(ctl, no_socket)
{
	char nope[128];
	struct res r;

	snprintf(nope, sizeof(nope), "%s/nope", t.tmp);
	ctl(&r, NULL, nope, "showinfo", NULL);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "cannot connect to "), "%s", r.err);
	cr_assert(strstr(r.err, nope), "%s", r.err);
	cr_assert(strstr(r.err, "No such file or directory"), "%s", r.err);
	res_free(&r);
}

/* A fake console: a listening socket at TMP/fake. */
static int fake_listen(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/fake", t.tmp);
	unlink(sun.sun_path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

static int fake_accept(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	cr_assert_eq(poll(&p, 1, WAIT_MS), 1, "patchbay-ctl did not connect");
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	cr_assert(fd >= 0);
	return fd;
}

static void fake_says(int fd, const void *data, size_t len)
{
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
}

/* Run the ctl against the fake; @talk plays the switch's part. */
static void against_fake(struct res *r, const char *timeout,
			 void (*talk)(int fd))
{
	char sock[128];
	const char *argv[] = { "--timeout", timeout, sock, "showinfo", NULL };
	long long start = ms_now();
	int lfd = fake_listen(), fd = -1;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/fake", t.tmp);
	pid = ctl_spawn(NULL, argv);
	if (talk) {
		fd = fake_accept(lfd);
		talk(fd);
	}
	ctl_collect(pid, 20000, r);
	cr_assert(ms_now() - start < 15000, "took %lld ms", ms_now() - start);
	if (fd >= 0)
		close(fd);
	close(lfd);
}

static void say_garbage(int fd)
{
	static const char g[] = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03";

	fake_says(fd, g, sizeof(g) - 1);
}

static void say_prompt_then_nothing(int fd)
{
	fake_says(fd, "fake\n\nvde$ ", 11);
}

static void say_endless_line(int fd)
{
	char buf[4096];
	int i;

	memset(buf, 'x', sizeof(buf));
	fake_says(fd, "vde$ ", 5);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 64; i++)	/* 256 KiB, as far as it goes */
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
}

static void say_half_a_reply(int fd)
{
	char buf[64];

	fake_says(fd, "vde$ ", 5);
	cr_assert(read(fd, buf, sizeof(buf)) > 0);
	fake_says(fd, "0000 DATA END WITH '.'\nhalf\n", 28);
	shutdown(fd, SHUT_WR);
}

Test(ctl, fake_consoles)
{
	struct res r;

	/* accepted by the backlog, never a byte */
	against_fake(&r, "1", NULL);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "no answer within 1 s"), "%s", r.err);
	res_free(&r);

	against_fake(&r, "1", say_prompt_then_nothing);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "no answer within 1 s"), "%s", r.err);
	res_free(&r);

	against_fake(&r, "5", say_garbage);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "NUL"), "%s", r.err);
	res_free(&r);

	against_fake(&r, "5", say_endless_line);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "a line longer than 65536 bytes"), "%s",
		  r.err);
	res_free(&r);

	against_fake(&r, "5", say_half_a_reply);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "closed before the reply ended"), "%s",
		  r.err);
	cr_assert_str_eq(r.out, "");
	res_free(&r);
}

/* Read from the pty until @needle shows (or fail after WAIT_MS); keep
 * only what came after it in @acc. */
static void pty_expect(int fd, const char *needle, char *acc, size_t cap)
{
	long long end = ms_now() + WAIT_MS;
	size_t len = strlen(acc);
	char *at;

	while (!(at = strstr(acc, needle))) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		cr_assert(ms_now() < end, "no '%s' on the terminal: %s", needle,
			  acc);
		if (poll(&p, 1, 100) != 1)
			continue;
		n = read(fd, acc + len, cap - len - 1);
		cr_assert(n > 0, "terminal closed: %s", acc);
		len += (size_t)n;
		acc[len] = '\0';
	}
	at += strlen(needle);
	memmove(acc, at, strlen(at) + 1);
}

Test(ctl, interactive_terminal)
{
	char acc[16384] = "";
	int master, st;
	pid_t pid;

	switch_start();
	pid = forkpty(&master, NULL, NULL, NULL);
	cr_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		setenv("TERM", "dumb", 1);
		setenv("HOME", t.tmp, 1);	/* no ~/.editrc of ours */
		execl(CTL_BIN, "patchbay-ctl", t.mgmt, (char *)NULL);
		_exit(127);
	}
	t.ctl = pid;
	/* type only at a prompt, as a user does: typed ahead, the line
	 * discipline would take Ctrl-D before libedit's raw mode */
	pty_expect(master, "VDE switch V.2.3.2", acc, sizeof(acc));
	pty_expect(master, "patchbay[", acc, sizeof(acc));
	pty_expect(master, "]> ", acc, sizeof(acc));
	cr_assert_eq(write(master, "debug/add port/ep\r", 18), 18);
	pty_expect(master, "Success", acc, sizeof(acc));
	pty_expect(master, "]> ", acc, sizeof(acc));
	/* an asynchronous line while idle, the prompt drawn again */
	vde_close(plug(0, "", "tty"));
	t.plug[0] = NULL;
	pty_expect(master, "3032 port/ep/- Port 01", acc, sizeof(acc));
	pty_expect(master, "]> ", acc, sizeof(acc));
	cr_assert_eq(write(master, "port/showinfo\r", 14), 14);
	pty_expect(master, "counters=true", acc, sizeof(acc));
	pty_expect(master, "]> ", acc, sizeof(acc));
	cr_assert_eq(write(master, "zzz/none\r", 9), 9);
	pty_expect(master, "Function not implemented", acc, sizeof(acc));
	pty_expect(master, "]> ", acc, sizeof(acc));
	/* logout ends it (a Ctrl-D typed right after the prompt can reach
	 * the terminal before libedit's raw mode and be lost) */
	cr_assert_eq(write(master, "logout\r", 7), 7);
	st = wait_pid(pid, WAIT_MS);
	t.ctl = 0;
	close(master);
	cr_assert_eq(st, 0, "%s", acc);
}
