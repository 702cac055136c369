/* SPDX-License-Identifier: GPL-2.0-or-later
 * harness.c - integration test helpers: the real daemon, real clients.
 *
 * The daemon under test is $PATCHBAY (set by make check), started in a
 * fresh mkdtemp directory; tests poll for its sockets instead of sleeping.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
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

#include <sched.h>

#include <criterion/criterion.h>

#include "harness.h"

const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool wait_path(const char *path, bool exists, int ms)
{
	long long end = ms_now() + ms;

	for (;;) {
		struct stat st;
		bool there = lstat(path, &st) == 0;

		if (there == exists)
			return true;
		if (ms_now() > end)
			return false;
		usleep(5000);
	}
}

static void pb_vstart(struct pb *pb, bool with_stdin, bool nobody,
		      va_list ap)
{
	const char *bin = getenv("PATCHBAY");
	char *argv[64];
	char ctl[200];
	int argc = 0, in[2] = { -1, -1 };
	const char *a;

	cr_assert(bin, "PATCHBAY is not set (run through make check)");
	memset(pb, 0, sizeof(*pb));
	snprintf(pb->tmp, sizeof(pb->tmp), "/tmp/pbtest.XXXXXX");
	cr_assert(mkdtemp(pb->tmp), "mkdtemp: %s", strerror(errno));
	chmod(pb->tmp, 0755);
	snprintf(pb->dir, sizeof(pb->dir), "%s/sw", pb->tmp);
	snprintf(pb->log, sizeof(pb->log), "%s/log", pb->tmp);
	snprintf(pb->out, sizeof(pb->out), "%s/out", pb->tmp);
	snprintf(pb->mgmt, sizeof(pb->mgmt), "%s/mgmt", pb->tmp);

	if (nobody) {
		static const char *const su[] = {
			"setpriv", "--reuid=nobody", "--regid=nogroup",
			"--clear-groups", NULL
		};
		struct passwd *pw = getpwnam("nobody");

		cr_assert(pw, "no user nobody");
		/* the switch makes its directory and console socket here */
		cr_assert_eq(chown(pb->tmp, pw->pw_uid, pw->pw_gid), 0);
		for (; su[argc]; argc++)
			argv[argc] = (char *)(uintptr_t)su[argc];
	}
	argv[argc++] = (char *)(uintptr_t)bin;
	argv[argc++] = (char *)(uintptr_t)"-s";
	argv[argc++] = pb->dir;
	argv[argc++] = (char *)(uintptr_t)"-M";
	argv[argc++] = pb->mgmt;
	if (!with_stdin)
		argv[argc++] = (char *)(uintptr_t)"--nostdin";
	while ((a = va_arg(ap, const char *)) && argc < 62)
		argv[argc++] = (char *)(uintptr_t)a;
	argv[argc] = NULL;

	if (with_stdin)
		cr_assert_eq(pipe(in), 0);
	pb->pid = fork();
	cr_assert(pb->pid >= 0);
	if (pb->pid == 0) {
		int fd = open(pb->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int ofd = open(pb->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		/* never outlive a crashed test */
		prctl(PR_SET_PDEATHSIG, SIGTERM);

		dup2(fd, 2);
		dup2(ofd, 1);
		if (with_stdin) {
			dup2(in[0], 0);
			close(in[1]);
		}
		if (nobody)
			execvp(argv[0], argv);
		else
			execv(bin, argv);
		_exit(127);
	}
	pb->stdin_fd = -1;
	if (with_stdin) {
		close(in[0]);
		pb->stdin_fd = in[1];
	}
	snprintf(ctl, sizeof(ctl), "%s/ctl", pb->dir);
	cr_assert(wait_path(ctl, true, 10000), "patchbay did not create %s",
		  ctl);
	cr_assert(wait_path(pb->mgmt, true, 10000),
		  "patchbay did not create %s", pb->mgmt);
}

/* Read from @fd until @buf ends with the prompt; false on timeout/EOF. */
static bool read_prompt(int fd, char *buf, size_t len, size_t *n,
			long long end)
{
	static const char prompt[] = "\nvde$ ";

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (*n >= sizeof(prompt) - 1 &&
		    !memcmp(buf + *n - (sizeof(prompt) - 1), prompt,
			    sizeof(prompt) - 1))
			return true;
		if (*n + 1 >= len || ms_now() > end ||
		    poll(&pfd, 1, 100) < 0)
			return false;
		if (!pfd.revents)
			continue;
		r = read(fd, buf + *n, len - 1 - *n);
		if (r <= 0)
			return false;
		*n += (size_t)r;
		buf[*n] = '\0';
	}
}

int pb_cmd(const struct pb *pb, const char *cmd, char *out, size_t len)
{
	static char buf[1 << 20];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long end = ms_now() + 5000;
	char *p, *status, *body;
	size_t n = 0;
	int fd, code = -1;

	if (out && len)
		out[0] = '\0';
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.100s", pb->mgmt);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    !read_prompt(fd, buf, sizeof(buf), &n, end))
		goto out;
	n = 0;
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(fd, "\n", 1) != 1 ||
	    !read_prompt(fd, buf, sizeof(buf), &n, end))
		goto out;
	buf[n - 6] = '\0';		/* the prompt goes */
	if (n > 6 && buf[n - 7] == '\n')
		buf[n - 7] = '\0';	/* and the status line's newline */
	/* the status is the last line: 1NNN text */
	p = strrchr(buf, '\n');
	status = p ? p + 1 : buf;
	if (status[0] != '1')
		goto out;
	code = (int)strtol(status, NULL, 10) - 1000;
	body = strstr(buf, "0000 DATA END WITH '.'\n");
	if (body && out) {
		char *e;

		body += 23;
		e = strstr(body, "\n.\n");
		if (!e && !strncmp(body, ".\n", 2))
			e = body - 1;	/* an empty body */
		if (e)
			snprintf(out, len, "%.*s", (int)(e + 1 - body), body);
	}
out:
	close(fd);
	return code;
}

long long pb_port_counter(const struct pb *pb, unsigned port,
			  const char *label, const char *name)
{
	static char body[65536];
	char cmd[64], key[64], *line, *w;

	snprintf(cmd, sizeof(cmd), "port/print %u", port);
	if (pb_cmd(pb, cmd, body, sizeof(body)))
		return -1;
	for (line = body; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, label, strlen(label)))
			continue;
		snprintf(key, sizeof(key), " %s ", name);
		w = strstr(line, key);
		if (!w || w > strchr(line, '\n'))
			return -1;
		return strtoll(w + strlen(key), NULL, 10);
	}
	return -1;
}

void pb_start(struct pb *pb, ...)
{
	va_list ap;

	va_start(ap, pb);
	pb_vstart(pb, false, false, ap);
	va_end(ap);
}

void pb_start_nobody(struct pb *pb, ...)
{
	va_list ap;

	va_start(ap, pb);
	pb_vstart(pb, false, true, ap);
	va_end(ap);
}

void pb_start_stdin(struct pb *pb, ...)
{
	va_list ap;

	va_start(ap, pb);
	pb_vstart(pb, true, false, ap);
	va_end(ap);
}

int pb_stop(struct pb *pb)
{
	int status;

	if (pb->pid <= 0)
		return -1;
	kill(pb->pid, SIGTERM);
	cr_assert_eq(waitpid(pb->pid, &status, 0), pb->pid);
	pb->pid = 0;
	if (pb->stdin_fd >= 0)
		close(pb->stdin_fd);
	pb->stdin_fd = -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

char *pb_log_read(const struct pb *pb)
{
	FILE *f = fopen(pb->log, "r");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	cr_assert(buf);
	if (f) {
		size_t r;

		while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
			n += r;
			if (n == cap - 1) {
				char *bigger = realloc(buf, cap * 2);

				cr_assert(bigger);
				buf = bigger;
				cap *= 2;
			}
		}
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

bool pb_log_wait(const struct pb *pb, const char *needle, int ms)
{
	long long end = ms_now() + ms;

	for (;;) {
		char *log = pb_log_read(pb);
		bool found = strstr(log, needle) != NULL;

		free(log);
		if (found)
			return true;
		if (ms_now() > end)
			return false;
		usleep(10000);
	}
}

void pb_cleanup(struct pb *pb)
{
	if (pb->pid > 0)
		pb_stop(pb);
	if (pb->tmp[0])
		run_cmd("rm -rf '%s'", pb->tmp);
}

VDECONN *pb_open(const struct pb *pb, const char *suffix, const char *descr)
{
	char url[256];

	snprintf(url, sizeof(url), "vde://%s%s", pb->dir, suffix);
	return vde_open(url, (char *)(uintptr_t)descr, NULL);
}

size_t mkframe(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
	       size_t len, uint8_t fill)
{
	memset(buf, fill, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (len >= 14) {
		buf[12] = 0x08;
		buf[13] = 0x00;
	}
	return len;
}

ssize_t recv_fd(int fd, uint8_t *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(fd, buf, len, MSG_DONTWAIT);
}

ssize_t recv_frame(VDECONN *c, uint8_t *buf, size_t len, int ms)
{
	return recv_fd(vde_datafd(c), buf, len, ms);
}

bool quiet(VDECONN *c, int ms)
{
	uint8_t buf[9300];

	return recv_frame(c, buf, sizeof(buf), ms) < 0;
}

/* Entries of @dir for which @match(name, @arg) holds, or -1. */
static int count_matching(const char *dir,
			  bool (*match)(const char *name, const void *arg),
			  const void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (match(e->d_name, arg))
			n++;
	closedir(d);
	return n;
}

static bool has_prefix(const char *name, const void *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

int count_files(const char *dir, const char *prefix)
{
	return count_matching(dir, has_prefix, prefix);
}

/* A switch data socket: NNN.F, digits dot digits. */
static bool is_datasock(const char *name, const void *arg)
{
	const char *dot = strchr(name, '.');

	(void)arg;
	if (!dot || dot == name || !dot[1])
		return false;
	return strspn(name, "0123456789") == (size_t)(dot - name) &&
	       strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

int count_datasocks(const char *dir)
{
	return count_matching(dir, is_datasock, NULL);
}

/**
 * connect_ctl_as() - connect to DIR/ctl as another user, so that the switch
 * sees that user on the connection (SO_PEERCRED holds the connecting
 * effective ids). Only DIR itself must let the user in: the socket is
 * reached by a relative name from inside DIR.
 * @dir:	the switch's directory
 * @uid:	effective user for the connect()
 * @gid:	effective group for the connect()
 *
 * Return: the connected fd, or -errno
 */
/**
 * wait_count() - wait until DIR holds @n entries whose names start with
 * @prefix
 * @dir:	the directory
 * @prefix:	name prefix
 * @n:		the count wanted
 * @ms:		how long to wait at most
 *
 * Return: true if the count was reached in time
 */
bool wait_count(const char *dir, const char *prefix, int n, int ms)
{
	int i;

	for (i = 0; i <= ms / 5; i++) {
		if (count_files(dir, prefix) == n)
			return true;
		usleep(5000);
	}
	return false;
}

int connect_ctl_as(const char *dir, uid_t uid, gid_t gid)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "ctl" };
	int cwd, fd, err = 0;

	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || chdir(dir)) {
		err = -errno;
		goto out;
	}
	if (setegid(gid) || seteuid(uid)) {
		err = -errno;
		goto restore;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		err = -errno;
restore:
	if (seteuid(0) || setegid(0))
		cr_assert_fail("cannot get root back: %s", strerror(errno));
out:
	if (fchdir(cwd))
		err = err ? err : -errno;
	close(cwd);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/**
 * pb_enter_netns() - move this test's process into a network namespace of
 * its own, lo up; what the test starts after inherits it. Without root the
 * test is skipped, saying why; under CI=true that is a failure.
 */
void pb_enter_netns(void)
{
	const char *ci = getenv("CI");

	if (unshare(CLONE_NEWNET)) {
		if (ci && !strcmp(ci, "true"))
			cr_assert_fail("unshare(CLONE_NEWNET): %s: TAP tests "
				       "need root", strerror(errno));
		cr_skip_test("unshare(CLONE_NEWNET): %s: TAP tests need root "
			     "(a network namespace of their own)",
			     strerror(errno));
	}
	cr_assert_eq(run_cmd("ip link set lo up"), 0); /* the new netns */
}

int run_cmd(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

unsigned pb_free_port(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

long proc_cputicks(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

int proc_nfds(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	return count_files(path, "") - 2;	/* . and .. */
}

bool proc_wait_nfds(pid_t pid, int n, int ms)
{
	long long end = ms_now() + ms;

	while (proc_nfds(pid) != n) {
		if (ms_now() > end)
			return false;
		usleep(5000);
	}
	return true;
}
