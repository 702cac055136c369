/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_privdrop.c - --user: the switch started as root with a -t TAP in a
 * network namespace of the test's own drops to nobody:nogroup. Checked in
 * /proc/PID/status (ids, no groups, capabilities), in showinfo and the
 * log; a real QEMU guest still reaches the TAP; port/attach tap:// works
 * at run time with --keep-net-admin and fails with a clear console error
 * without it; the sockets and the directory are gone after SIGTERM. Bad
 * values (no such user or group, root, not started as root) stop the
 * switch before it creates anything.
 *
 * /dev/net/tun is 0666 on a stock Debian, but may be 0600 (containers):
 * the tests open it to nobody in a mount namespace of their own (a device
 * node of the same number bound over it), never changing the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "guest.h"
#include "harness.h"

#define TAP_IP "198.18.7.1"
#define GUEST_IP "198.18.7.11"

static struct pb sw;
static struct guest vm;
static char tundir[64];

static void teardown(void)
{
	guest_kill(&vm);
	pb_cleanup(&sw);
	if (tundir[0]) {
		umount2(tundir, MNT_DETACH);
		rmdir(tundir);
		tundir[0] = '\0';
	}
}

TestSuite(privdrop, .fini = teardown, .timeout = 180);

/* A private /dev/net/tun that nobody may open, in our mount namespace. */
static void tun_for_everyone(void)
{
	char node[96];

	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare(mount): %s",
		     strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(tundir, sizeof(tundir), "/tmp/pb-tun.XXXXXX");
	cr_assert(mkdtemp(tundir));
	cr_assert_eq(mount("none", tundir, "tmpfs", 0, "mode=0755"), 0);
	snprintf(node, sizeof(node), "%s/tun", tundir);
	cr_assert_eq(mknod(node, S_IFCHR | 0666, makedev(10, 200)), 0,
		     "mknod: %s", strerror(errno));
	cr_assert_eq(chmod(node, 0666), 0);
	cr_assert_eq(mount(node, "/dev/net/tun", NULL, MS_BIND, NULL), 0,
		     "bind /dev/net/tun: %s", strerror(errno));
}

/* The value of "@name:" in /proc/@pid/status, words joined by one blank. */
static void status_field(pid_t pid, const char *name, char *out, size_t len)
{
	char path[64], line[256];
	size_t n = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	cr_assert(f, "%s: %s", path, strerror(errno));
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w;

		if (strncmp(line, name, n) || line[n] != ':')
			continue;
		for (w = strtok_r(line + n + 1, " \t\n", &save); w;
		     w = strtok_r(NULL, " \t\n", &save)) {
			if (out[0])
				strncat(out, " ", len - strlen(out) - 1);
			strncat(out, w, len - strlen(out) - 1);
		}
		break;
	}
	fclose(f);
}

static void expect_status(const char *name, const char *want)
{
	char got[128];

	status_field(sw.pid, name, got, sizeof(got));
	cr_assert_str_eq(got, want, "%s: %s, not %s", name, got, want);
}

/* Ids, groups and capabilities of the switch: nobody:nogroup, nothing
 * else, @caps (hex CapEff and CapPrm). */
static void expect_nobody(const char *caps)
{
	struct passwd *pw = getpwnam("nobody");
	char ids[64];

	cr_assert(pw, "no user nobody");
	snprintf(ids, sizeof(ids), "%u %u %u %u", (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid, (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_uid);
	expect_status("Uid", ids);
	snprintf(ids, sizeof(ids), "%u %u %u %u", (unsigned)pw->pw_gid,
		 (unsigned)pw->pw_gid, (unsigned)pw->pw_gid,
		 (unsigned)pw->pw_gid);
	expect_status("Gid", ids);
	expect_status("Groups", "");
	expect_status("CapEff", caps);
	expect_status("CapPrm", caps);
	expect_status("CapBnd", "0000000000000000");
	expect_status("CapAmb", "0000000000000000");
}

static void expect_showinfo(const char *needle)
{
	char out[4096];

	cr_assert_eq(pb_cmd(&sw, "showinfo", out, sizeof(out)), 0);
	cr_assert(strstr(out, needle), "no \"%s\" in showinfo:\n%s", needle,
		  out);
}

/* The switch (nobody) removes its sockets in TMP: a sticky directory, as
 * /tmp is, lets it. Its console answers before it drops its privileges:
 * the log line that comes after the drop says when it is done. */
static void tmp_sticky(void)
{
	cr_assert_eq(chmod(sw.tmp, 01777), 0);
	cr_assert(pb_log_wait(&sw, "running as uid", 5000),
		  "the switch did not say who it runs as");
}

static void guest_pings_tap(void)
{
	char netdev[300], details[256];
	struct guest_spec spec = {
		.dir = sw.tmp,
		.name = "a",
		.netdev = netdev,
		.mac = "52:54:00:12:07:11",
		.ip = GUEST_IP "/24",
		.steps = "ping:" TAP_IP ",ping:" TAP_IP ":1472:3",
	};

	/* the switch (nobody) connects back to QEMU's (root's) socket:
	 * QEMU must open it to it, as for any switch run as another user */
	snprintf(netdev, sizeof(netdev), "vde,sock=%s,mode=0777", sw.dir);
	guest_start(&vm, &spec);
	cr_assert(guest_wait(&vm, "PB-READY", NULL, 0, GUEST_BOOT_MS),
		  "the guest did not come up (see %s, %s)", vm.serial,
		  vm.errlog);
	cr_assert(guest_result(&vm, "ping:" TAP_IP, details, sizeof(details),
			       GUEST_STEP_MS),
		  "ping failed: %s", details);
	cr_assert(guest_result(&vm, "ping:" TAP_IP ":1472:3", details,
			       sizeof(details), GUEST_STEP_MS),
		  "1472-byte ping failed: %s", details);
}

Test(privdrop, nobody_keeping_net_admin)
{
	char out[4096];

	guest_image();
	pb_enter_netns();
	tun_for_everyone();
	pb_start(&sw, "-t", "pbpd0", "--tap-addr", TAP_IP "/24", "--user",
		 "nobody", "--keep-net-admin", NULL);
	tmp_sticky();
	expect_nobody("0000000000001000");	/* CAP_NET_ADMIN (12) */
	expect_showinfo("running as uid ");
	expect_showinfo(" (nobody), ");
	expect_showinfo("no supplementary groups, capabilities: net_admin");

	guest_pings_tap();

	cr_assert_eq(pb_cmd(&sw, "port/attach tap://pbpd1", out, sizeof(out)),
		     0, "port/attach tap://pbpd1: %s", out);
	cr_assert_eq(run_cmd("ip -o link show pbpd1 | grep -q ',UP'"), 0,
		     "pbpd1 is not up");
	cr_assert_eq(pb_stop(&sw), 0);
	cr_assert(!wait_path(sw.mgmt, true, 0), "the console socket stayed");
}

Test(privdrop, nobody_without_capabilities)
{
	char out[4096];

	pb_enter_netns();
	tun_for_everyone();
	pb_start(&sw, "-t", "pbpd0", "--user", "nobody", NULL);
	tmp_sticky();
	expect_nobody("0000000000000000");
	expect_showinfo("capabilities: none");
	cr_assert_neq(pb_cmd(&sw, "port/attach tap://pbpd1", out,
			     sizeof(out)), 0);
	cr_assert(strstr(out, "needs CAP_NET_ADMIN"), "console said: %s",
		  out);
	cr_assert_neq(run_cmd("ip link show pbpd1 2>/dev/null"), 0);
	/* the rest of the switch goes on */
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, "pbpd0"), "port/print 1: %s", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* patchbay ARGS... as @as (NULL: root), run to its end in a temporary
 * directory; its status, stderr in @err, and whether it left anything. */
static int run_bad(const char *as, const char *const *args, char *err,
		   size_t len, bool *left)
{
	const char *bin = getenv("PATCHBAY");
	char dir[64], sock[96], errf[96], cmd[1024];
	size_t off = 0;
	int st, fd;
	ssize_t n;

	cr_assert(bin, "PATCHBAY is not set");
	snprintf(dir, sizeof(dir), "/tmp/pb-pd.XXXXXX");
	cr_assert(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 01777), 0);
	snprintf(sock, sizeof(sock), "%s/sw", dir);
	snprintf(errf, sizeof(errf), "%s/err", dir);
	off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, "%s%s -s %s "
				"--nostdin",
				as ? "setpriv --reuid=nobody --regid=nogroup "
				     "--clear-groups "
				   : "",
				bin, sock);
	for (; *args; args++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %s",
					*args);
	snprintf(cmd + off, sizeof(cmd) - off, " </dev/null 2>%s", errf);
	st = system(cmd);
	fd = open(errf, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0);
	n = read(fd, err, len - 1);
	close(fd);
	err[n > 0 ? n : 0] = '\0';
	*left = access(sock, F_OK) == 0;
	unlink(errf);
	rmdir(sock);
	rmdir(dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void expect_refused(const char *as, const char *const *args,
			   const char *needle)
{
	char err[1024];
	bool left;

	cr_assert_eq(run_bad(as, args, err, sizeof(err), &left), 1,
		     "%s: not refused: %s", args[1] ? args[1] : args[0], err);
	cr_assert(strstr(err, needle), "no \"%s\" in: %s", needle, err);
	cr_assert(!left, "the control directory was made");
}

Test(privdrop, bad_values_refused_before_anything)
{
	const char *const no_user[] = { "--user", "pb-no-such-user", NULL };
	const char *const root[] = { "--user", "root", NULL };
	const char *const no_group[] = { "--user", "nobody:pb-no-such-group",
					 NULL };
	const char *const root_group[] = { "--user", "nobody:root", NULL };
	const char *const keep_alone[] = { "--keep-net-admin", NULL };
	const char *const empty[] = { "--user", "nobody:", NULL };
	const char *const as_nobody[] = { "--user", "nobody", NULL };

	expect_refused(NULL, no_user, "--user pb-no-such-user: no such user");
	expect_refused(NULL, root, "--user root: that is root");
	expect_refused(NULL, no_group, "no such group 'pb-no-such-group'");
	expect_refused(NULL, root_group, "group root");
	expect_refused(NULL, keep_alone, "--keep-net-admin: only with --user");
	expect_refused(NULL, empty, "USER or USER:GROUP");
	expect_refused("nobody", as_nobody, "only a switch started as root");
}
