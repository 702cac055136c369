/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_daemon.c - the daemon's life cycle seen from outside: -d and
 * pidfiles, one switch per directory, signals and stdin, file modes and
 * groups, option parsing, running unprivileged.
 *
 * Each test runs $PATCHBAY itself (fork/exec) in its own mkdtemp
 * directory and is a child subreaper, so a daemonized switch becomes its
 * child: it can be reaped and its exit status (0 at a clean stop, since
 * the daemon is built with ASan/LSan) checked. .fini stops what the test
 * started and removes the directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
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
#include "vdewire.h"

#define NOBODY 65534		/* nobody / nogroup on Debian */
/* A stop is immediate (one loop iteration); the bound leaves room for a
 * loaded CI machine and ASan's exit-time leak check. Not a benchmark. */
#define STOP_MS 3000
#define START_MS 10000		/* start-up (a loaded machine) */
#define RECV_MS 3000		/* a frame arrives within this */

/* spawn() flags: stdin, then extras */
#define IN_NULL 0		/* /dev/null */
#define IN_PIPE 1		/* a pipe; the write end is proc.in */
#define IN_FILE 2		/* a regular file */
#define IN_CLOSED 3		/* closed */
#define IN_MASK 3
#define OUT_CLOSED 0x10		/* stdout and stderr closed */
#define OUT_PIPE 0x20		/* stdout and stderr: a pipe (out_fd) */
#define AS_NOBODY 0x40		/* through setpriv, as nobody:nogroup */

struct proc {
	pid_t pid;
	int in;			/* write end of the stdin pipe, or -1 */
	int out_fd;		/* read end of the output pipe, or -1 */
	char out[128];		/* its stdout */
	char err[128];		/* its stderr */
};

static char tmp[64];		/* this test's directory */
static pid_t pids[32];		/* processes this test started */
static int npids;
static int nfiles;		/* numbers the output files */
static const char *child_cwd;	/* where spawn() runs it, if set */

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0xd0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0xd0, 0x0b };

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void track(pid_t pid)
{
	if (npids < (int)(sizeof(pids) / sizeof(pids[0])))
		pids[npids++] = pid;
}

/*
 * Wait up to @ms for our child @pid to exit; *@code gets its exit status,
 * or 128 + the signal. Return 0, or -1 on timeout.
 */
static int wait_exit(pid_t pid, int ms, int *code)
{
	long long end = ms_now() + ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			if (code)
				*code = WIFEXITED(st) ? WEXITSTATUS(st) :
					128 + WTERMSIG(st);
			return 0;
		}
		if (r < 0 || ms_now() > end)
			return -1;
		usleep(2000);
	}
}

/* True while our child @pid has not exited (it is not reaped here). */
static bool running(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return false;
	return si.si_pid == 0;
}

static void setup(void)
{
	/* a daemon re-parents to us when its parent exits */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(tmp, sizeof(tmp), "/tmp/pbdaemon.XXXXXX");
	cr_assert(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
	chmod(tmp, 0755);
}

static void teardown(void)
{
	int i;

	for (i = 0; i < npids; i++) {
		/* only children not yet reaped: never a recycled pid */
		if (waitpid(pids[i], NULL, WNOHANG) != 0)
			continue;
		kill(pids[i], SIGTERM);
		if (wait_exit(pids[i], 3000, NULL)) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
	npids = 0;
	if (tmp[0])
		run_cmd("rm -rf '%s'", tmp);
	tmp[0] = '\0';
}

TestSuite(daemon, .init = setup, .fini = teardown, .timeout = 60);

/* TMP/NAME */
static const char *tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmp, name);
	return buf;
}

static const char *slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool contains(const char *path, const char *needle)
{
	char buf[16384];

	return strstr(slurp(path, buf, sizeof(buf)), needle) != NULL;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void spawnv(struct proc *p, int flags, const char *const *args)
{
	const char *bin = getenv("PATCHBAY");
	const char *argv[64];
	int argc = 0, in[2] = { -1, -1 }, out[2] = { -1, -1 };
	char stdin_file[128];

	cr_assert(bin, "PATCHBAY is not set (run through make check)");
	if (flags & AS_NOBODY) {
		argv[argc++] = "setpriv";
		argv[argc++] = "--reuid=65534";
		argv[argc++] = "--regid=65534";
		argv[argc++] = "--clear-groups";
	}
	argv[argc++] = bin;
	while (*args && argc < 63)
		argv[argc++] = *args++;
	argv[argc] = NULL;

	memset(p, 0, sizeof(*p));
	p->in = -1;
	p->out_fd = -1;
	nfiles++;
	snprintf(p->out, sizeof(p->out), "%s/out.%d", tmp, nfiles);
	snprintf(p->err, sizeof(p->err), "%s/err.%d", tmp, nfiles);
	tpath(stdin_file, sizeof(stdin_file), "stdin.txt");
	if ((flags & IN_MASK) == IN_PIPE)
		cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
	if ((flags & IN_MASK) == IN_FILE)
		cr_assert_eq(run_cmd("echo some text > '%s'", stdin_file), 0);
	if (flags & OUT_PIPE)
		cr_assert_eq(pipe2(out, O_CLOEXEC), 0);

	p->pid = fork();
	cr_assert(p->pid >= 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		int o = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(p->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int i = -1;
		sigset_t none;

		if (child_cwd && chdir(child_cwd))
			_exit(126);
		/* never outlive a crashed test (the foreground ones) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		switch (flags & IN_MASK) {
		case IN_NULL:
			i = open("/dev/null", O_RDONLY);
			break;
		case IN_PIPE:
			i = in[0];
			break;
		case IN_FILE:
			i = open(stdin_file, O_RDONLY);
			break;
		}
		if (flags & OUT_PIPE) {
			o = out[1];
			e = out[1];
		}
		if (o < 0 || e < 0 || ((flags & IN_MASK) != IN_CLOSED && i < 0))
			_exit(126);
		if (i >= 0)
			dup2(i, 0);
		else
			close(0);
		if (flags & OUT_CLOSED) {
			close(1);
			close(2);
		} else {
			dup2(o, 1);
			dup2(e, 2);
		}
		/* nothing of ours (Criterion's pipes...) reaches a daemon */
		if (close_range(3, ~0U, 0))
			for (i = 3; i < 1024; i++)
				close(i);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	track(p->pid);
	if (in[0] >= 0) {
		close(in[0]);
		p->in = in[1];
	}
	if (out[1] >= 0) {
		close(out[1]);
		p->out_fd = out[0];
	}
}

/* Start $PATCHBAY ARGS... (NULL-terminated). */
static void spawn(struct proc *p, int flags, ...)
{
	const char *args[64];
	const char *a;
	va_list ap;
	int n = 0;

	va_start(ap, flags);
	while ((a = va_arg(ap, const char *)) && n < 63)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	spawnv(p, flags, args);
}

/* Run $PATCHBAY ARGS... to completion; return its exit status. */
static int run(struct proc *p, int flags, ...)
{
	const char *args[64];
	const char *a;
	va_list ap;
	int n = 0, code;

	va_start(ap, flags);
	while ((a = va_arg(ap, const char *)) && n < 63)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	spawnv(p, flags, args);
	cr_assert_eq(wait_exit(p->pid, START_MS, &code), 0,
		     "%s %s ... still running after %d ms", getenv("PATCHBAY"),
		     args[0] ? args[0] : "", START_MS);
	return code;
}

static const char *errtext(const struct proc *p)
{
	static char buf[16384];

	return slurp(p->err, buf, sizeof(buf));
}

/* Wait until a foreground switch logs that it serves; fail if it exits. */
static void wait_serving(const struct proc *p)
{
	long long end = ms_now() + START_MS;

	for (;;) {
		if (contains(p->err, "clients connect to"))
			return;
		cr_assert(running(p->pid), "patchbay exited at start-up: %s",
			  errtext(p));
		cr_assert(ms_now() < end,
			  "patchbay not serving after %d ms: %s", START_MS,
			  errtext(p));
		usleep(5000);
	}
}

/* Signal a switch, expect exit status 0 within STOP_MS. */
static void stop(const struct proc *p, int sig)
{
	int code = -1;

	cr_assert_eq(kill(p->pid, sig), 0);
	cr_assert_eq(wait_exit(p->pid, STOP_MS, &code), 0,
		     "patchbay still running %d ms after signal %d", STOP_MS,
		     sig);
	cr_assert_eq(code, 0, "exit status %d after signal %d: %s", code, sig,
		     errtext(p));
}

static VDECONN *open_port(const char *dir, const char *suffix)
{
	char url[256];

	snprintf(url, sizeof(url), "vde://%s%s", dir, suffix);
	return vde_open(url, (char *)(uintptr_t)"test_daemon", NULL);
}

/* A broadcast from @a reaches @b. */
static bool reaches(VDECONN *a, VDECONN *b, const uint8_t src[6])
{
	uint8_t f[64], g[1600];

	mkframe(f, MAC_BCAST, src, sizeof(f), 0x42);
	if (vde_send(a, f, sizeof(f), 0) != (ssize_t)sizeof(f))
		return false;
	return recv_frame(b, g, sizeof(g), RECV_MS) == (ssize_t)sizeof(f) &&
	       memcmp(f, g, sizeof(f)) == 0;
}

/* Two fresh clients of the switch on @dir can talk both ways. */
static void assert_serves(const char *dir)
{
	VDECONN *a = open_port(dir, "");
	VDECONN *b = open_port(dir, "");

	cr_assert(a && b, "cannot connect to %s", dir);
	cr_assert(reaches(a, b, MAC_A), "A -> B lost on %s", dir);
	cr_assert(reaches(b, a, MAC_B), "B -> A lost on %s", dir);
	vde_close(a);
	vde_close(b);
}

/* The first entry of @dir whose name starts with @prefix. */
static bool find_entry(const char *dir, const char *prefix, char *name,
		       size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			snprintf(name, len, "%s", e->d_name);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static unsigned fmode(const char *path)
{
	struct stat st;

	cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_mode & 07777;
}

static pid_t read_pidfile(const char *path)
{
	char buf[64], expect[32];
	int pid = 0;

	slurp(path, buf, sizeof(buf));
	cr_assert(sscanf(buf, "%d", &pid) == 1 && pid > 0,
		  "pidfile %s holds '%s'", path, buf);
	snprintf(expect, sizeof(expect), "%d\n", pid);
	cr_assert_str_eq(buf, expect, "pidfile is not \"<pid>\\n\"");
	return (pid_t)pid;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* 1. -d returns once serving; the pidfile; SIGTERM cleans everything. */
Test(daemon, detach_pidfile_sigterm)
{
	char dir[128], pidf[128], ctl[160], out[4096];
	struct proc p;
	size_t n = 0;
	pid_t dpid;
	int code = -1;
	struct stat st;
	long long end;

	tpath(dir, sizeof(dir), "sw");
	tpath(pidf, sizeof(pidf), "sw.pid");
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);

	/* output into a pipe, as in x=$(patchbay -d ...) */
	spawn(&p, IN_NULL | OUT_PIPE, "-d", "-p", pidf, "-s", dir, NULL);
	cr_assert_eq(wait_exit(p.pid, START_MS, &code), 0,
		     "patchbay -d did not return");

	/* right after the parent returns: serving, pidfile in place */
	cr_assert(lstat(ctl, &st) == 0 && S_ISSOCK(st.st_mode),
		  "no socket %s when patchbay -d returned", ctl);
	cr_assert(exists(pidf), "no pidfile when patchbay -d returned");
	dpid = read_pidfile(pidf);
	cr_assert_neq(dpid, p.pid, "the pidfile names the exited parent");
	cr_assert(running(dpid), "pid %d from the pidfile is not running",
		  (int)dpid);
	track(dpid);

	/* the daemon holds no copy of the caller's stdout/stderr */
	end = ms_now() + 5000;
	for (;;) {
		struct pollfd pfd = { .fd = p.out_fd, .events = POLLIN };
		ssize_t r;

		cr_assert(ms_now() < end, "the daemon keeps the caller's "
			  "output pipe open: %.*s", (int)n, out);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(p.out_fd, out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(p.out_fd);
	cr_assert_eq(code, 0, "patchbay -d exited %d: %.*s", code, (int)n, out);

	assert_serves(dir);

	cr_assert_eq(kill(dpid, SIGTERM), 0);
	cr_assert_eq(wait_exit(dpid, STOP_MS, &code), 0,
		     "the daemon still runs %d ms after SIGTERM", STOP_MS);
	cr_assert_eq(code, 0, "the daemon exited %d", code);
	cr_assert(!exists(ctl));
	cr_assert(!exists(dir), "the (empty) directory was not removed");
	cr_assert(!exists(pidf), "the pidfile was not removed");

	/* relative -s and -p, although the daemon does chdir("/") */
	child_cwd = tmp;
	code = run(&p, IN_NULL, "-d", "-p", "rel.pid", "-s", "rel", NULL);
	child_cwd = NULL;
	cr_assert_eq(code, 0, "relative paths: %s", errtext(&p));
	tpath(dir, sizeof(dir), "rel");
	tpath(pidf, sizeof(pidf), "rel.pid");
	dpid = read_pidfile(pidf);
	track(dpid);
	assert_serves(dir);
	cr_assert_eq(kill(dpid, SIGHUP), 0);
	cr_assert_eq(wait_exit(dpid, STOP_MS, &code), 0);
	cr_assert_eq(code, 0);
	cr_assert(!exists(dir) && !exists(pidf),
		  "relative paths: not cleaned up");
}

/* 2. -d with a start-up error: the parent fails with the reason. */
Test(daemon, detach_startup_error)
{
	char dir[128], pidf[128], ctl[160];
	struct proc p, first;
	int code;

	code = run(&p, IN_NULL, "-d", "-s", "/proc/nope/sw", NULL);
	cr_assert_neq(code, 0, "patchbay -d -s /proc/nope/sw exited 0");
	cr_assert(contains(p.err, "/proc/nope/sw"),
		  "the reason is not on stderr: '%s'", errtext(&p));

	/* another switch is live on DIR */
	tpath(dir, sizeof(dir), "sw");
	tpath(pidf, sizeof(pidf), "sw.pid");
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	spawn(&first, IN_NULL, "-s", dir, "--nostdin", NULL);
	wait_serving(&first);

	code = run(&p, IN_NULL, "-d", "-p", pidf, "-s", dir, NULL);
	cr_assert_neq(code, 0, "a second patchbay -d on a live dir exited 0");
	cr_assert(contains(p.err, "already running"),
		  "the reason is not on stderr: '%s'", errtext(&p));
	cr_assert(!exists(pidf), "a failed daemon left a pidfile");
	cr_assert(exists(ctl), "the failed daemon removed the live ctl");
	cr_assert(running(first.pid));
	assert_serves(dir);
	stop(&first, SIGTERM);
}

/* 3. A stale pidfile is replaced; a live one refuses and is kept. */
Test(daemon, pidfile_stale_and_live)
{
	char dir[128], pidf[128], text[32], before[64], after[64];
	struct stat st1, st2;
	struct proc p;
	pid_t dead, live, dpid;
	int code = -1;

	tpath(dir, sizeof(dir), "sw");
	tpath(pidf, sizeof(pidf), "sw.pid");

	/* a pid that surely is not running: a child we reaped */
	dead = fork();
	cr_assert(dead >= 0);
	if (dead == 0)
		_exit(0);
	cr_assert_eq(waitpid(dead, NULL, 0), dead);
	snprintf(text, sizeof(text), "%d\n", (int)dead);
	write_file(pidf, text);

	code = run(&p, IN_NULL, "-d", "-p", pidf, "-s", dir, NULL);
	cr_assert_eq(code, 0, "a stale pidfile stopped patchbay -d: %s",
		     errtext(&p));
	dpid = read_pidfile(pidf);
	track(dpid);
	cr_assert_neq(dpid, dead, "the stale pidfile was not replaced");
	cr_assert(running(dpid));
	assert_serves(dir);
	cr_assert_eq(kill(dpid, SIGTERM), 0);
	cr_assert_eq(wait_exit(dpid, STOP_MS, &code), 0);
	cr_assert_eq(code, 0);
	cr_assert(!exists(pidf) && !exists(dir));

	/* a live pid: a sleeping child of ours */
	live = fork();
	cr_assert(live >= 0);
	if (live == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	track(live);
	snprintf(text, sizeof(text), "%d\n", (int)live);
	write_file(pidf, text);
	cr_assert_eq(lstat(pidf, &st1), 0);
	slurp(pidf, before, sizeof(before));

	code = run(&p, IN_NULL, "-d", "-p", pidf, "-s", dir, NULL);
	cr_assert_neq(code, 0, "patchbay -d started over a live pidfile");
	snprintf(text, sizeof(text), "%d", (int)live);
	cr_assert(contains(p.err, text) && contains(p.err, "running"),
		  "no clear message naming pid %s: '%s'", text, errtext(&p));
	cr_assert(!exists(dir), "refused, yet it created the directory");
	cr_assert_eq(lstat(pidf, &st2), 0, "the live pidfile was deleted");
	cr_assert(st1.st_ino == st2.st_ino &&
		  st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
		  st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec,
		  "the live pidfile was rewritten");
	cr_assert_str_eq(slurp(pidf, after, sizeof(after)), before);

	/* the same in the foreground */
	code = run(&p, IN_NULL, "-p", pidf, "-s", dir, "--nostdin", NULL);
	cr_assert_neq(code, 0, "patchbay started over a live pidfile");
	cr_assert(contains(p.err, "running"), "'%s'", errtext(&p));
	cr_assert_str_eq(slurp(pidf, after, sizeof(after)), before);
	cr_assert(!exists(dir));
}

/* 4. One switch per directory; a stale ctl is taken over. */
/* A live switch that cannot accept now (its backlog full, say out of fds)
 * is still live: a second start says so at once instead of hanging in a
 * blocking connect(). */
Test(daemon, full_backlog_ctl_is_live_not_a_hang)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[128];
	struct proc second;
	int lfd, cfd, code;

	tpath(dir, sizeof(dir), "busy");
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.96s/ctl", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(lfd >= 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(lfd, 0), 0);
	/* one connection nobody accepts fills a backlog of 0 */
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	code = run(&second, IN_NULL, "-s", dir, "--nostdin", NULL);
	cr_assert_neq(code, 0);
	cr_assert(contains(second.err, "already running"),
		  "no clear error: '%s'", errtext(&second));
	cr_assert(exists(sun.sun_path), "the live ctl was removed");
	close(cfd);
	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);
}

Test(daemon, live_dir_refused_stale_ctl_taken_over)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[128], dir2[128], ctl[160];
	struct proc first, second, p;
	VDECONN *a, *b;
	int code, fd;

	tpath(dir, sizeof(dir), "sw");
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	spawn(&first, IN_NULL, "-s", dir, "--nostdin", NULL);
	wait_serving(&first);
	a = open_port(dir, "");
	cr_assert(a);

	code = run(&second, IN_NULL, "-s", dir, "--nostdin", NULL);
	cr_assert_neq(code, 0, "a second switch started on a live dir");
	cr_assert(contains(second.err, "already running"),
		  "no clear error: '%s'", errtext(&second));

	/* the first switch is untouched: old and new clients work */
	cr_assert(exists(ctl), "the second switch removed the live ctl");
	cr_assert(running(first.pid));
	b = open_port(dir, "");
	cr_assert(b, "the first switch no longer accepts clients");
	cr_assert(reaches(a, b, MAC_A));
	cr_assert(reaches(b, a, MAC_B));
	vde_close(a);
	vde_close(b);
	stop(&first, SIGTERM);
	cr_assert(!exists(dir));

	/* a stale ctl: bound, then closed; nobody listens */
	tpath(dir2, sizeof(dir2), "sw2");
	cr_assert_eq(mkdir(dir2, 0700), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%.96s/ctl", dir2);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cr_assert(exists(sun.sun_path));

	spawn(&p, IN_NULL, "-s", dir2, "--nostdin", NULL);
	wait_serving(&p);
	cr_assert(contains(p.err, "stale"), "'%s'", errtext(&p));
	assert_serves(dir2);
	stop(&p, SIGTERM);
	cr_assert(!exists(dir2), "the empty directory was not removed");
}

/* 5. SIGTERM, SIGINT, SIGHUP: clean exit, files gone, clients see EOF. */
Test(daemon, signals_clean_exit)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	unsigned i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		char dir[128], name[32], keep[160], ctl[160], c;
		struct pollfd pfd;
		struct proc p;
		VDECONN *v;
		bool nonempty = sigs[i] == SIGINT;

		snprintf(name, sizeof(name), "sw-%s", strsignal(sigs[i]));
		tpath(dir, sizeof(dir), name);
		snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
		snprintf(keep, sizeof(keep), "%s/keep", dir);
		if (nonempty) {
			/* a file of someone else's: the dir must stay */
			cr_assert_eq(mkdir(dir, 0700), 0);
			write_file(keep, "x\n");
		}

		spawn(&p, IN_NULL, "-s", dir, "--nostdin", NULL);
		wait_serving(&p);
		v = open_port(dir, "");
		cr_assert(v);
		cr_assert_eq(count_files(dir, "001."), 1);

		stop(&p, sigs[i]);

		/* the client's control connection ended */
		pfd.fd = vde_ctlfd(v);
		pfd.events = POLLIN;
		pfd.revents = 0;
		cr_assert_eq(poll(&pfd, 1, RECV_MS), 1,
			     "%s: the client's ctl fd saw nothing",
			     strsignal(sigs[i]));
		cr_assert(pfd.revents & (POLLIN | POLLHUP));
		cr_assert_eq(read(pfd.fd, &c, 1), 0, "%s: no EOF",
			     strsignal(sigs[i]));
		vde_close(v);

		cr_assert(!exists(ctl), "%s: ctl left", strsignal(sigs[i]));
		if (nonempty) {
			cr_assert(exists(keep));
			/* ., .., keep: the data socket is gone too */
			cr_assert_eq(count_files(dir, ""), 3,
				     "SIGINT: sockets left in %s", dir);
		} else {
			cr_assert(!exists(dir), "%s: %s not removed",
				  strsignal(sigs[i]), dir);
		}
	}
}

/* 6. Foreground: EOF on stdin stops the switch, unless --nostdin. */
Test(daemon, stdin_eof)
{
	char dir[128], dir2[128], dir3[128], dir4[128];
	struct proc p;
	VDECONN *v;
	int code = -1;

	/* a pipe: a console (replies on stdout), EOF stops it */
	tpath(dir, sizeof(dir), "sw");
	spawn(&p, IN_PIPE, "-s", dir, NULL);
	wait_serving(&p);
	v = open_port(dir, "");
	cr_assert(v);
	cr_assert_eq(write(p.in, "help\nport/print\n", 16), 16);
	usleep(300 * 1000);
	cr_assert(running(p.pid), "a command on stdin stopped the switch");
	cr_assert(contains(p.out, "endpoint ID"), "no port/print on stdout");
	assert_serves(dir);
	close(p.in);
	cr_assert_eq(wait_exit(p.pid, STOP_MS, &code), 0,
		     "still running %d ms after EOF on stdin", STOP_MS);
	cr_assert_eq(code, 0, "%s", errtext(&p));
	cr_assert(contains(p.err, "EOF on stdin"), "%s", errtext(&p));
	cr_assert(!exists(dir));
	vde_close(v);

	/* --nostdin: EOF means nothing */
	tpath(dir2, sizeof(dir2), "sw2");
	spawn(&p, IN_PIPE, "-s", dir2, "--nostdin", NULL);
	wait_serving(&p);
	close(p.in);
	usleep(500 * 1000);
	cr_assert(running(p.pid), "--nostdin, yet EOF on stdin stopped it");
	assert_serves(dir2);
	stop(&p, SIGTERM);
	cr_assert(!exists(dir2));

	/* /dev/null and a regular file: EOF at once, as vde_switch */
	tpath(dir3, sizeof(dir3), "sw3");
	spawn(&p, IN_NULL, "-s", dir3, NULL);
	cr_assert_eq(wait_exit(p.pid, 5000, &code), 0,
		     "stdin /dev/null: still running");
	cr_assert_eq(code, 0, "%s", errtext(&p));
	cr_assert(contains(p.err, "EOF on stdin"), "%s", errtext(&p));
	cr_assert(!exists(dir3));

	tpath(dir4, sizeof(dir4), "sw4");
	spawn(&p, IN_FILE, "-s", dir4, NULL);
	cr_assert_eq(wait_exit(p.pid, 5000, &code), 0,
		     "stdin a file: still running");
	cr_assert_eq(code, 0, "%s", errtext(&p));
	cr_assert(!exists(dir4));

	/* shutdown on the stdin console: a clean stop */
	spawn(&p, IN_PIPE, "-s", dir4, NULL);
	wait_serving(&p);
	cr_assert_eq(write(p.in, "shutdown\n", 9), 9);
	cr_assert_eq(wait_exit(p.pid, STOP_MS, &code), 0,
		     "still running after shutdown");
	cr_assert_eq(code, 0, "%s", errtext(&p));
	cr_assert(contains(p.out, "9999 END OF SESSION"));
	cr_assert(!exists(dir4));
	close(p.in);
}

/* Start a switch on TMP/NAME with ARGS, check the modes, stop it. */
static void check_modes(const char *name, unsigned dmode, unsigned cmode,
			const char *a1, const char *a2, const char *a3,
			const char *a4)
{
	char dir[128], ctl[160];
	struct proc p;

	tpath(dir, sizeof(dir), name);
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	spawn(&p, IN_NULL, "-s", dir, "--nostdin", a1, a2, a3, a4, NULL);
	wait_serving(&p);
	cr_assert_eq(fmode(dir), dmode, "%s %s: dir mode %04o, want %04o",
		     a1 ? a1 : "", a2 ? a2 : "", fmode(dir), dmode);
	cr_assert_eq(fmode(ctl), cmode, "%s %s: ctl mode %04o, want %04o",
		     a1 ? a1 : "", a2 ? a2 : "", fmode(ctl), cmode);
	stop(&p, SIGTERM);
}

/* A raw v3 handshake from a socket owned by @owner; stat the reply. */
static void raw_data_socket(const char *dir, uid_t owner, struct stat *st)
{
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	struct sockaddr_un rep;
	uint8_t req[VDE_V3_HDR + 3];
	struct pollfd pfd;
	uint32_t v;
	int cfd, dfd;

	tpath(me.sun_path, sizeof(me.sun_path), "raw.sock");
	dfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(dfd >= 0);
	cr_assert_eq(bind(dfd, (struct sockaddr *)&me, sizeof(me)), 0);
	cr_assert_eq(chown(me.sun_path, owner, (gid_t)-1), 0);
	/* the owner asks: the switch takes the requester's identity */
	cfd = connect_ctl_as(dir, owner, NOBODY);
	cr_assert(cfd >= 0, "connect as %u: %s", (unsigned)owner,
		  strerror(-cfd));

	memset(req, 0, sizeof(req));
	v = VDE_MAGIC;
	memcpy(req, &v, 4);
	v = 3;
	memcpy(req + 4, &v, 4);
	memcpy(req + VDE_V3_OFF_SUN, &me, VDE_SUN_SIZE);
	memcpy(req + VDE_V3_HDR, "raw", 3);
	cr_assert_eq(write(cfd, req, sizeof(req)), (ssize_t)sizeof(req));
	pfd.fd = cfd;
	pfd.events = POLLIN;
	cr_assert_eq(poll(&pfd, 1, RECV_MS), 1, "no reply to the request");
	memset(&rep, 0, sizeof(rep));
	cr_assert_eq(read(cfd, &rep, sizeof(rep)), VDE_SUN_SIZE);
	/* nobody chmods it after the switch: its own permissions */
	cr_assert_eq(lstat(rep.sun_path, st), 0, "%s", rep.sun_path);
	close(cfd);
	close(dfd);
	unlink(me.sun_path);
}

/* 7. Directory, ctl and data socket modes and groups. */
Test(daemon, modes_and_groups)
{
	char dir[128], ctl[160], ds[400], name[256];
	struct group *gr;
	struct stat st;
	struct proc p;
	VDECONN *v;
	gid_t gid;

	check_modes("def", 02700, 0600, NULL, NULL, NULL, NULL);
	check_modes("m660", 02770, 0660, "-m", "0660", NULL, NULL);
	check_modes("m640", 02750, 0640, "-m", "640", NULL, NULL);
	check_modes("d775", 0775, 0664, "--dirmode", "0775", NULL, NULL);
	check_modes("both", 0750, 0600, "-m", "0600", "--dirmode", "0750");

	if (geteuid() != 0)
		cr_skip_test("-g and data socket owners need root");

	gr = getgrnam("nogroup");
	if (!gr)
		gr = getgrnam("users");
	cr_assert(gr, "neither nogroup nor users exists");
	gid = gr->gr_gid;

	tpath(dir, sizeof(dir), "grp");
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	spawn(&p, IN_NULL, "-s", dir, "--nostdin", "-g", gr->gr_name, "-m",
	      "0660", NULL);
	wait_serving(&p);
	cr_assert_eq(lstat(dir, &st), 0);
	cr_assert_eq(st.st_gid, gid, "dir group %u", (unsigned)st.st_gid);
	cr_assert_eq(lstat(ctl, &st), 0);
	cr_assert_eq(st.st_gid, gid, "ctl group %u", (unsigned)st.st_gid);

	/*
	 * Data socket, libvdeplug client (root). The switch makes it
	 * mode & 0700 (0600) owned by the client's socket owner (root) and
	 * the -g group; vdeplug4 then chmods it to the client's own mode
	 * (default 0700, or [mode=...]) right after the handshake. So what
	 * a vdeplug4 client leaves is the client's mode.
	 */
	v = open_port(dir, "");
	cr_assert(v);
	cr_assert_eq(count_files(dir, "001."), 1);
	cr_assert(find_entry(dir, "001.", name, sizeof(name)));
	snprintf(ds, sizeof(ds), "%s/%s", dir, name);
	cr_assert_eq(lstat(ds, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_uid, 0, "data socket owner %u", (unsigned)st.st_uid);
	cr_assert_eq(st.st_gid, gid, "data socket group %u",
		     (unsigned)st.st_gid);
	cr_assert_eq(st.st_mode & 07777, 0700,
		     "data socket mode %04o (vdeplug4 default 0700)",
		     (unsigned)(st.st_mode & 07777));
	vde_close(v);

	v = open_port(dir, "[mode=0770]");
	cr_assert(v);
	cr_assert(find_entry(dir, "001.", name, sizeof(name)));
	snprintf(ds, sizeof(ds), "%s/%s", dir, name);
	cr_assert_eq(fmode(ds), 0770, "vdeplug4 [mode=0770]: %04o",
		     fmode(ds));
	vde_close(v);

	/* the switch's own doing: a raw client whose socket nobody owns */
	raw_data_socket(dir, NOBODY, &st);
	cr_assert_eq(st.st_uid, NOBODY, "owner %u, want the client's",
		     (unsigned)st.st_uid);
	cr_assert_eq(st.st_gid, gid);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %04o, want 0660 & 0700",
		     (unsigned)(st.st_mode & 07777));
	stop(&p, SIGTERM);
	cr_assert(!exists(dir));
}

/* 8. -n: the highest port works, the next is refused at once. */
static void check_numports(const char *name, const char *n, const char *last,
			   const char *next)
{
	char dir[128], suffix[32], prefix[32];
	struct proc p;
	long long t0;
	VDECONN *v, *w;

	tpath(dir, sizeof(dir), name);
	spawn(&p, IN_NULL, "-s", dir, "--nostdin", "-n", n, NULL);
	wait_serving(&p);
	snprintf(suffix, sizeof(suffix), "[%s]", last);
	v = open_port(dir, suffix);
	cr_assert(v, "-n %s: port %s refused", n, last);
	snprintf(prefix, sizeof(prefix), "%s.", last);
	cr_assert_eq(count_files(dir, prefix), 1, "-n %s: no %s/%sF", n, dir,
		     prefix);

	snprintf(suffix, sizeof(suffix), "[%s]", next);
	t0 = ms_now();
	w = open_port(dir, suffix);
	cr_assert_null(w, "-n %s: port %s accepted", n, next);
	cr_assert_lt(ms_now() - t0, 2000, "-n %s: refusing port %s took "
		     "%lld ms", n, next, ms_now() - t0);
	cr_assert(running(p.pid));
	vde_close(v);
	stop(&p, SIGTERM);
}

Test(daemon, numports)
{
	static const char *const bad[] = { "0", "abc", "70000", "-1", "" };
	struct proc p;
	unsigned i;

	check_numports("n4096", "4096", "4096", "4097");
	check_numports("n65535", "65535", "65535", "65536");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char dir[128], want[32];
		int code;

		tpath(dir, sizeof(dir), "bad");
		code = run(&p, IN_NULL, "-s", dir, "--nostdin", "-n", bad[i],
			   NULL);
		cr_assert_neq(code, 0, "-n '%s' accepted", bad[i]);
		snprintf(want, sizeof(want), "-n %s", bad[i]);
		cr_assert(contains(p.err, want), "-n '%s': '%s'", bad[i],
			  errtext(&p));
		cr_assert(!exists(dir));
	}
}

/* 9. getopt_long_only forms, --help, -v, bad usage, a bad rc file. */
Test(daemon, command_line)
{
	char dir[128], buf[16384];
	uint8_t f[64], g[1600];
	VDECONN *a, *b, *c, *v;
	struct proc p;
	int code;

	/* single-dash long options, as vde_switch scripts use them */
	tpath(dir, sizeof(dir), "sw");
	spawn(&p, IN_NULL, "-sock", dir, "-hub", "-numports", "8",
	      "--nostdin", NULL);
	wait_serving(&p);
	a = open_port(dir, "");
	b = open_port(dir, "");
	c = open_port(dir, "");
	cr_assert(a && b && c);
	/*
	 * B talks first, so a learning switch would know where B is; a hub
	 * still gives A's unicast to B to everybody else.
	 */
	cr_assert(reaches(b, a, MAC_B));
	cr_assert(recv_frame(c, g, sizeof(g), RECV_MS) > 0);
	mkframe(f, MAC_B, MAC_A, sizeof(f), 0x11);
	cr_assert_eq(vde_send(a, f, sizeof(f), 0), (ssize_t)sizeof(f));
	cr_assert_eq(recv_frame(b, g, sizeof(g), RECV_MS), (ssize_t)sizeof(f));
	cr_assert_eq(recv_frame(c, g, sizeof(g), RECV_MS), (ssize_t)sizeof(f),
		     "-hub: C did not see A's unicast to B");
	cr_assert_eq(memcmp(f, g, sizeof(f)), 0);
	cr_assert(quiet(a, 100), "a hub does not echo to the sender");
	/* -numports 8 */
	v = open_port(dir, "[8]");
	cr_assert(v, "-numports 8: port 8 refused");
	vde_close(v);
	cr_assert_null(open_port(dir, "[9]"), "-numports 8: port 9 taken");
	vde_close(a);
	vde_close(b);
	vde_close(c);
	stop(&p, SIGTERM);
	cr_assert(!exists(dir));

	code = run(&p, IN_NULL, "--help", NULL);
	cr_assert_eq(code, 0, "--help exited %d", code);
	cr_assert_eq(strncmp(slurp(p.out, buf, sizeof(buf)), "Usage", 5), 0,
		     "--help printed '%s' on stdout", buf);
	code = run(&p, IN_NULL, "-help", NULL);
	cr_assert_eq(code, 0);
	cr_assert(contains(p.out, "Usage"));

	code = run(&p, IN_NULL, "-v", NULL);
	cr_assert_eq(code, 0, "-v exited %d", code);
	cr_assert(contains(p.out, "patchbay") &&
		  contains(p.out, PACKAGE_VERSION),
		  "-v printed '%s'", slurp(p.out, buf, sizeof(buf)));
	code = run(&p, IN_NULL, "--version", NULL);
	cr_assert_eq(code, 0);
	cr_assert(contains(p.out, PACKAGE_VERSION));

	code = run(&p, IN_NULL, "--no-such-option", NULL);
	cr_assert_eq(code, 1, "an unknown option exited %d", code);
	cr_assert(contains(p.err, "Usage"), "'%s'", errtext(&p));
	cr_assert_str_empty(slurp(p.out, buf, sizeof(buf)));
	code = run(&p, IN_NULL, "-Z", NULL);
	cr_assert_eq(code, 1);
	cr_assert(contains(p.err, "Usage"));

	code = run(&p, IN_NULL, "-s", dir, "stray", NULL);
	cr_assert_eq(code, 1, "a positional argument exited %d", code);
	cr_assert(contains(p.err, "Usage") && contains(p.err, "stray"),
		  "'%s'", errtext(&p));
	cr_assert(!exists(dir));

	/* an rc file that cannot be read: an error naming it, before
	 * serving, nothing left behind */
	{
		char rc[160];

		tpath(rc, sizeof(rc), "no-such.rc");
		code = run(&p, IN_NULL, "-s", dir, "--nostdin", "-f", rc,
			   NULL);
		cr_assert_neq(code, 0);
		cr_assert(contains(p.err, "no-such.rc"), "'%s'", errtext(&p));
		cr_assert(!exists(dir));
	}
}

/* 10. Bad option values: non-zero, and the message quotes the value. */
Test(daemon, bad_values)
{
	static const char *const bad[][2] = {
		{ "--macaddr", "zz:11:22:33:44:55" },
		{ "--macaddr", "00:11:22:33:44" },
		{ "-m", "999" },
		{ "-m", "17777" },
		{ "--dirmode", "rwx" },
		{ "--hashsize", "0" },
		{ "-g", "nosuchgroup" },
		{ "--mgmtgroup", "nosuchgroup" },
	};
	struct proc p;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char dir[128], want[96];
		int code;

		tpath(dir, sizeof(dir), "sw");
		code = run(&p, IN_NULL, "-s", dir, "--nostdin", bad[i][0],
			   bad[i][1], NULL);
		cr_assert_neq(code, 0, "%s %s accepted", bad[i][0], bad[i][1]);
		snprintf(want, sizeof(want), "%s %s", bad[i][0], bad[i][1]);
		cr_assert(contains(p.err, want), "%s: '%s'", want,
			  errtext(&p));
		cr_assert(!exists(dir), "%s: the switch started", want);
	}
}

/* As nobody: two clients on the switch at @dir exchange frames. */
static int nobody_clients(const char *dir)
{
	VDECONN *a, *b;
	int rc = 0;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 2;
	if (getuid() != NOBODY || geteuid() != NOBODY)
		return 3;
	a = open_port(dir, "");
	b = open_port(dir, "");
	if (!a || !b)
		return 4;
	if (!reaches(a, b, MAC_A))
		rc = 5;
	else if (!reaches(b, a, MAC_B))
		rc = 6;
	vde_close(a);
	vde_close(b);
	return rc;
}

/* 11. The switch and its clients as nobody. */
Test(daemon, unprivileged)
{
	char dir[128], name[256], ds[400];
	const char *bin = getenv("PATCHBAY");
	struct stat st;
	struct proc p;
	pid_t child;
	int code = -1, ready[2];

	cr_assert(bin);
	if (geteuid() != 0)
		cr_skip_test("needs root to become nobody");
	cr_assert_eq(chmod(tmp, 0777), 0);
	tpath(dir, sizeof(dir), "sw");

	spawn(&p, IN_NULL | AS_NOBODY, "-s", dir, "--nostdin", NULL);
	wait_serving(&p);
	cr_assert_eq(lstat(dir, &st), 0);
	cr_assert_eq(st.st_uid, NOBODY, "dir owner %u", (unsigned)st.st_uid);
	cr_assert_eq(fmode(dir), 02700);

	child = fork();
	cr_assert(child >= 0);
	if (child == 0)
		_exit(nobody_clients(dir));
	track(child);
	cr_assert_eq(wait_exit(child, 30000, &code), 0);
	cr_assert_eq(code, 0, "nobody's clients failed (step %d): %s", code,
		     errtext(&p));

	/* the data socket of an unprivileged switch: not chowned */
	cr_assert_eq(pipe(ready), 0);
	child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		VDECONN *v;

		close(ready[0]);
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		v = open_port(dir, "");
		if (!v)
			_exit(4);
		/* vde_open() is done: its own socket file in the directory
		 * is gone (killed before, it would stay there) */
		if (write(ready[1], "r", 1) != 1)
			_exit(5);
		pause();
		_exit(0);
	}
	track(child);
	close(ready[1]);
	{
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
		char c;

		cr_assert(poll(&pfd, 1, START_MS) == 1 &&
				  read(ready[0], &c, 1) == 1,
			  "nobody's client did not connect");
		close(ready[0]);
		cr_assert(find_entry(dir, "001.", name, sizeof(name)),
			  "no data socket for nobody's client");
	}
	snprintf(ds, sizeof(ds), "%s/%s", dir, name);
	cr_assert_eq(lstat(ds, &st), 0);
	cr_assert_eq(st.st_uid, NOBODY);
	kill(child, SIGKILL);
	cr_assert_eq(wait_exit(child, START_MS, NULL), 0);

	stop(&p, SIGTERM);
	if (exists(dir))
		run_cmd("ls -la '%s' >&2", dir);	/* what was left, if any */
	cr_assert(!exists(dir), "nobody's switch left %s (listed above): %s",
		  dir, errtext(&p));
}

/* Extra: a daemon started with stdin or stdout/stderr closed. */
static void closed_stdio(const char *name, int flags)
{
	char dir[128], pidf[160];
	struct proc p;
	pid_t dpid;
	int code = -1;

	tpath(dir, sizeof(dir), name);
	snprintf(pidf, sizeof(pidf), "%s.pid", dir);
	code = run(&p, flags, "-d", "-p", pidf, "-s", dir, NULL);
	cr_assert_eq(code, 0, "%s: patchbay -d exited %d: %s", name, code,
		     errtext(&p));
	dpid = read_pidfile(pidf);
	track(dpid);
	assert_serves(dir);
	cr_assert_eq(kill(dpid, SIGTERM), 0);
	cr_assert_eq(wait_exit(dpid, STOP_MS, &code), 0,
		     "%s: the daemon ignores SIGTERM", name);
	cr_assert_eq(code, 0);
	cr_assert(!exists(dir) && !exists(pidf));
}

Test(daemon, detach_with_closed_stdio)
{
	closed_stdio("in", IN_CLOSED);
	closed_stdio("out", IN_NULL | OUT_CLOSED);
	closed_stdio("all", IN_CLOSED | OUT_CLOSED);
}
