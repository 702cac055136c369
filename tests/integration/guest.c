/* SPDX-License-Identifier: GPL-2.0-or-later
 * guest.c - real QEMU guests for integration tests: the image from
 * tests/guest/mkguest.sh, QEMU under TCG forked with a caller-given
 * -netdev, progress read from the serial console log (see guest.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
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

#ifndef GUEST_DIR
#error "GUEST_DIR (the source tree's tests/guest) must be defined"
#endif
#ifndef QEMU_BIN
#define QEMU_BIN "/usr/bin/qemu-system-x86_64"
#endif

#define START_MS 30000		/* QEMU writing its pidfile */
#define KILL_MS 10000		/* SIGTERM to SIGKILL */

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Cannot be done on this machine: skip, or fail under CI=true. */
__attribute__((format(printf, 1, 2), noreturn)) static void
unavailable(const char *fmt, ...)
{
	const char *ci = getenv("CI");
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ci && !strcmp(ci, "true"))
		cr_assert_fail("%s (a failure under CI=true)", msg);
	cr_skip_test("%s", msg);
	abort();	/* cr_skip_test does not return */
}

/* A whole (small) file, NUL-terminated, or NULL; free() it. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t r;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

const struct guest_image *guest_image(void)
{
	static struct guest_image img;
	char cmd[600], line[1024], last[1024] = "", dir[480] = "";
	FILE *p;
	size_t n;
	int st;

	if (img.kernel[0])
		return &img;
	/* its last line is the image directory; what comes before it
	 * (progress, errors) is copied to our stderr */
	snprintf(cmd, sizeof(cmd), "sh '%s/mkguest.sh' 2>&1", GUEST_DIR);
	p = popen(cmd, "r");
	cr_assert(p, "popen %s: %s", cmd, strerror(errno));
	while (fgets(line, sizeof(line), p)) {
		n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (last[0])
			fprintf(stderr, "%s\n", last);
		snprintf(last, sizeof(last), "%s", line);
	}
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		snprintf(dir, sizeof(dir), "%.479s", last);
	else if (last[0])
		fprintf(stderr, "%s\n", last);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		unavailable("no test guest: %s", last);
	cr_assert(dir[0] == '/', "%s failed (status %d): %s", cmd, st, last);
	snprintf(img.kernel, sizeof(img.kernel), "%.480s/vmlinuz", dir);
	snprintf(img.initrd, sizeof(img.initrd), "%.480s/initrd.gz", dir);
	cr_assert(!access(img.kernel, R_OK) && !access(img.initrd, R_OK),
		  "mkguest.sh named %s, which has no vmlinuz or initrd.gz",
		  dir);
	return &img;
}

/* Has the process forked by guest_start() exited (not reaped)? */
static bool gone(const struct guest *g)
{
	siginfo_t si = { .si_pid = 0 };

	if (g->pid <= 0)
		return true;
	if (waitid(P_PID, (id_t)g->pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return true;
	return si.si_pid != 0;
}

/* The child: stdio to the error log, only @pass_fd kept, then exec. */
static void exec_qemu(const struct guest *g, int pass_fd, char **argv)
{
	int null = open("/dev/null", O_RDONLY);
	int errfd = open(g->errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	prctl(PR_SET_PDEATHSIG, SIGTERM);	/* never outlive the test */
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || errfd < 0)
		_exit(126);
	dup2(null, 0);
	dup2(errfd, 1);
	dup2(errfd, 2);
	if (pass_fd > 2) {
		fcntl(pass_fd, F_SETFD, 0);
		close_range(3, (unsigned)pass_fd - 1, 0);
		close_range((unsigned)pass_fd + 1, ~0U, 0);
	} else {
		close_range(3, ~0U, 0);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Append " @key@val" to the kernel command line @buf, if @val. */
static void cmdline_add(char *buf, size_t len, const char *key,
			const char *val)
{
	size_t n = strlen(buf);
	int r;

	if (!val)
		return;
	r = snprintf(buf + n, len - n, " %s%s", key, val);
	cr_assert(r >= 0 && (size_t)r < len - n,
		  "kernel command line too long at %s%s", key, val);
}

void guest_start(struct guest *g, const struct guest_spec *spec)
{
	const struct guest_image *img;
	char serial[300], netdev[600], device[200], append[2048];
	char *argv[64];
	const char *name = spec->name ? spec->name : "guest";
	long long end;
	int argc = 0, i;

	cr_assert(spec->dir && spec->netdev && spec->mac,
		  "guest_start: dir, netdev and mac are needed");
	memset(g, 0, sizeof(*g));
	if (access(QEMU_BIN, X_OK))
		unavailable("%s is not installed (qemu-system-x86)", QEMU_BIN);
	img = guest_image();

	snprintf(g->serial, sizeof(g->serial), "%s/serial-%s.log", spec->dir,
		 name);
	snprintf(g->errlog, sizeof(g->errlog), "%s/qemu-%s.log", spec->dir,
		 name);
	snprintf(g->pidfile, sizeof(g->pidfile), "%s/qemu-%s.pid", spec->dir,
		 name);
	unlink(g->serial);
	unlink(g->pidfile);
	snprintf(serial, sizeof(serial), "file:%s", g->serial);
	if (spec->nic)
		snprintf(netdev, sizeof(netdev),
			 "%s,model=virtio-net-pci,mac=%s", spec->netdev,
			 spec->mac);
	else
		snprintf(netdev, sizeof(netdev), "%s,id=n0", spec->netdev);
	snprintf(device, sizeof(device),
		 "virtio-net-pci,netdev=n0,mac=%s,romfile=%s", spec->mac,
		 spec->device_opts ? spec->device_opts : "");
	/* no_timer_check: under TCG on a loaded machine the kernel may find
	 * the timer interrupt too slow and panic ("IO-APIC + timer doesn't
	 * work") */
	snprintf(append, sizeof(append),
		 "console=ttyS0 quiet panic=-1 no_timer_check");
	cmdline_add(append, sizeof(append), "pb.ip=", spec->ip);
	cmdline_add(append, sizeof(append), "pb.do=", spec->steps);
	cmdline_add(append, sizeof(append), "", spec->append);

	for (i = 0; spec->wrapper && spec->wrapper[i] && argc < 32; i++)
		argv[argc++] = (char *)(uintptr_t)spec->wrapper[i];
	{
		const char *q[] = {
			QEMU_BIN, "-accel", "tcg", "-m", GUEST_MEM, "-smp", "1",
			"-nodefaults", "-nographic", "-no-reboot",
			"-monitor", "none", "-serial", serial,
			"-pidfile", g->pidfile,
			"-kernel", img->kernel, "-initrd", img->initrd,
			"-append", append,
			/* no option ROM for a -nic's device either */
			"-global", "virtio-net-pci.romfile=",
			spec->nic ? "-nic" : "-netdev", netdev,
			spec->nic ? NULL : "-device", device, NULL,
		};

		for (i = 0; q[i]; i++)
			argv[argc++] = (char *)(uintptr_t)q[i];
	}
	if (spec->chardev) {
		argv[argc++] = (char *)(uintptr_t) "-chardev";
		argv[argc++] = (char *)(uintptr_t)spec->chardev;
	}
	if (spec->shared_mem) {
		argv[argc++] = (char *)(uintptr_t) "-object";
		argv[argc++] = (char *)(uintptr_t)
			"memory-backend-memfd,id=mem,size=" GUEST_MEM
			",share=on";
		argv[argc++] = (char *)(uintptr_t) "-numa";
		argv[argc++] = (char *)(uintptr_t) "node,memdev=mem";
	}
	argv[argc] = NULL;

	g->pid = fork();
	cr_assert(g->pid >= 0, "fork: %s", strerror(errno));
	if (g->pid == 0)
		exec_qemu(g, spec->pass_fd, argv);

	/* QEMU writes its pidfile early, before its netdev is set up: a
	 * bad -netdev shows in guest_wait(), as QEMU exiting */
	end = ms_now() + START_MS;
	while (guest_qemu_pid(g) < 0) {
		if (gone(g) || ms_now() > end) {
			char *log = read_file(g->errlog);

			cr_assert_fail("QEMU (%s) did not start: %s", name,
				       log ? log : "(no output)");
		}
		usleep(10000);
	}
}

/* The line of @log starting with @prefix, copied to @line. */
static bool find_line(const char *log, const char *prefix, char *line,
		      size_t len)
{
	size_t pl = strlen(prefix);
	const char *p = log;

	while (p && *p) {
		if (!strncmp(p, prefix, pl)) {
			const char *e = strchr(p, '\n');

			if (!e)
				return false;	/* still being written */
			if (e > p && e[-1] == '\r')
				e--;	/* the tty's ONLCR */
			if (line && len)
				snprintf(line, len, "%.*s", (int)(e - p), p);
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

bool guest_wait(const struct guest *g, const char *prefix, char *line,
		size_t len, int ms)
{
	long long end = ms_now() + ms;

	for (;;) {
		bool dead = gone(g);	/* before reading: its last words */
		char *log = read_file(g->serial);
		bool found = log && find_line(log, prefix, line, len);

		free(log);
		if (found)
			return true;
		if (dead) {
			log = read_file(g->errlog);
			cr_log_error("QEMU exited before \"%s\" (%s): %s", prefix,
				     g->errlog, log ? log : "(no output)");
			free(log);
			return false;
		}
		if (ms_now() > end)
			return false;
		usleep(20000);
	}
}

bool guest_result(const struct guest *g, const char *step, char *details,
		  size_t len, int ms)
{
	char prefix[512], line[1024], *log;
	const char *rest;
	bool ok;

	snprintf(prefix, sizeof(prefix), "PB-RESULT %s ", step);
	if (!guest_wait(g, prefix, line, sizeof(line), ms)) {
		size_t n;

		log = read_file(g->serial);
		n = log ? strlen(log) : 0;
		cr_assert_fail("no result for step %s within %d ms (or QEMU "
			       "exited: see above); serial log %s ends:\n%s",
			       step, ms, g->serial,
			       log ? log + (n > 2000 ? n - 2000 : 0) : "");
	}
	rest = line + strlen(prefix);
	ok = !strncmp(rest, "ok", 2) && (rest[2] == ' ' || !rest[2]);
	rest += ok ? 2 : strcspn(rest, " ");
	rest += strspn(rest, " ");
	if (details && len)
		snprintf(details, len, "%s", rest);
	return ok;
}

int guest_wait_exit(struct guest *g, int ms)
{
	long long end = ms_now() + ms;
	int status;

	if (g->pid <= 0)
		return -1;
	for (;;) {
		pid_t r = waitpid(g->pid, &status, WNOHANG);

		if (r == g->pid)
			break;
		if (r < 0) {
			g->pid = 0;	/* not ours any more */
			return -1;
		}
		if (ms_now() > end)
			return -1;
		usleep(10000);
	}
	g->pid = 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

#define GUEST_HELPERS 8
static pid_t helpers[GUEST_HELPERS];

pid_t guest_helper(const char *netns, const char *script, const char *log)
{
	pid_t pid;
	unsigned i;

	for (i = 0; i < GUEST_HELPERS && helpers[i] > 0; i++)
		;
	cr_assert(i < GUEST_HELPERS, "too many helper processes");
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int ns = netns ? open(netns, O_RDONLY | O_CLOEXEC) : -1;

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd < 0 || (netns && (ns < 0 || setns(ns, CLONE_NEWNET))))
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close_range(3, ~0U, 0);
		execlp("sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	helpers[i] = pid;
	return pid;
}

int guest_helper_wait(pid_t pid, int ms)
{
	long long end = ms_now() + ms;
	unsigned i;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 || ms_now() > end)
			return -1;
		usleep(10000);
	}
	for (i = 0; i < GUEST_HELPERS; i++)
		if (helpers[i] == pid)
			helpers[i] = 0;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

void guest_helpers_stop(void)
{
	unsigned i;

	for (i = 0; i < GUEST_HELPERS; i++) {
		pid_t pid = helpers[i];

		if (pid <= 0)
			continue;
		kill(pid, SIGTERM);
		if (guest_helper_wait(pid, 5000) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		helpers[i] = 0;
	}
}

void guest_file_sum(const char *path, char *out, size_t len)
{
	char cmd[400], sha[80] = "";
	struct stat st;
	FILE *p;

	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	cr_assert(p);
	cr_assert_eq(fscanf(p, "%64s", sha), 1, "sha256sum %s", path);
	pclose(p);
	snprintf(out, len, "%lld %s", (long long)st.st_size, sha);
}

pid_t guest_qemu_pid(const struct guest *g)
{
	char buf[32];
	FILE *f = fopen(g->pidfile, "r");
	char *e;
	long v;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;	/* created, not yet written */
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &e, 10);
	if (errno || e == buf || v <= 0 || (*e && *e != '\n'))
		return -1;
	return (pid_t)v;
}

/* Is @pid (still) a QEMU? A pidfile can outlive it. */
static bool is_qemu(pid_t pid)
{
	char link[64], exe[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return !strcmp(exe, QEMU_BIN);
}

void guest_kill(struct guest *g)
{
	pid_t q;

	if (g->pid <= 0)
		return;
	q = guest_qemu_pid(g);
	if (q > 0 && q != g->pid && is_qemu(q))
		kill(q, SIGTERM);	/* started by the wrapper */
	kill(g->pid, SIGTERM);
	if (guest_wait_exit(g, KILL_MS) < 0 && g->pid > 0) {
		kill(g->pid, SIGKILL);
		waitpid(g->pid, NULL, 0);
		g->pid = 0;
	}
}

char *guest_log_read(const struct guest *g)
{
	char *log = read_file(g->serial);

	return log ? log : strdup("");
}
