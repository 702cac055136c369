/* SPDX-License-Identifier: GPL-2.0-or-later
 * switches.c - the switches under test, as processes: start one in a fresh
 * temporary directory, wait until its control socket answers, read its CPU
 * time and resident memory from /proc, count its system calls (perf stat on
 * the raw_syscalls:sys_enter tracepoint, or strace -c), stop it.
 *
 * patchbay runs in the foreground with --nostdin. Debian's vde_switch 2.3.2
 * has no --nostdin and exits on EOF on stdin, so it gets a pipe whose write
 * end the benchmark keeps open; its -n N gives ports 1..N-1, so it is
 * started with one port more.
 *
 * Every process started here is registered, so an interrupted benchmark can
 * stop exactly those processes (by pid) and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pbbench.h"

#define REG_MAX 64
#define SW_START_MS 10000

static struct {
	pid_t pid;
	int sig;
} reg[REG_MAX];

/**
 * impl_name() - printable name of an implementation
 * @impl:	IMPL_PB or IMPL_VDE
 *
 * Return: "patchbay" or "vde_switch"
 */
const char *impl_name(enum impl impl)
{
	return impl == IMPL_PB ? "patchbay" : "vde_switch";
}

/**
 * reg_pid() - remember a process started by the benchmark
 * @pid:	its pid
 * @sig:	the signal that stops it cleanly
 */
void reg_pid(pid_t pid, int sig)
{
	unsigned i;

	for (i = 0; i < REG_MAX; i++) {
		if (reg[i].pid == 0) {
			reg[i].sig = sig;
			reg[i].pid = pid;
			return;
		}
	}
}

/**
 * unreg_pid() - forget a process that has been reaped
 * @pid:	its pid
 */
void unreg_pid(pid_t pid)
{
	unsigned i;

	for (i = 0; i < REG_MAX; i++)
		if (reg[i].pid == pid)
			reg[i].pid = 0;
}

/**
 * reg_kill_all() - signal every registered process (async-signal-safe)
 *
 * Used when the benchmark is interrupted: each process started by it gets
 * its own stop signal, by pid.
 */
void reg_kill_all(void)
{
	unsigned i;

	for (i = 0; i < REG_MAX; i++)
		if (reg[i].pid > 0)
			kill(reg[i].pid, reg[i].sig);
}

/**
 * wait_pid_ms() - wait for a child to exit, at most @timeout_ms
 * @pid:	the child
 * @timeout_ms:	how long
 * @status:	its wait status, or NULL
 *
 * Return: 0 when reaped, -1 on timeout or error
 */
int wait_pid_ms(pid_t pid, int timeout_ms, int *status)
{
	long long end = now_ns() + (long long)timeout_ms * 1000000LL;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			unreg_pid(pid);
			if (status)
				*status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ns() >= end)
			return -1;
		usleep(2000);
	}
}

/**
 * pin_cpu() - restrict a process to one CPU
 * @pid:	the process (0: the caller)
 * @cpu:	the CPU, or -1 for no change
 *
 * Return: 0 or -1
 */
int pin_cpu(pid_t pid, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set);
}

/**
 * stop_pid() - stop a process the benchmark started: @sig, then SIGKILL
 * after @timeout_ms; reap it
 * @pid:	the process (<= 0: nothing)
 * @sig:	the signal that stops it cleanly
 * @timeout_ms:	how long it may take
 */
void stop_pid(pid_t pid, int sig, int timeout_ms)
{
	if (pid <= 0)
		return;
	kill(pid, sig);
	if (wait_pid_ms(pid, timeout_ms, NULL) == 0)
		return;
	kill(pid, SIGKILL);
	wait_pid_ms(pid, 5000, NULL);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/**
 * rm_tree() - remove a temporary directory and what it holds
 * @path:	the directory
 */
void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Does a UNIX stream socket at @path accept a connection? */
static bool sock_answers(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool ok;
	int fd;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
			     path) >= sizeof(sun.sun_path))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

static bool ctl_answers(const char *dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/ctl", dir) >=
	    sizeof(path))
		return false;
	return sock_answers(path);
}

/**
 * show_log() - copy a process's log to stderr, indented
 * @path:	the log file
 */
void show_log(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  | %s", line);
	fclose(f);
}

/**
 * spawn() - start a program the benchmark measures, registered for SIGTERM
 * @argv:	the program (absolute path) and its arguments
 * @log:	file for its stdout and stderr
 * @in_fd:	its stdin, or -1 for /dev/null
 * @netns:	a network namespace to run it in (setns()), or -1
 *
 * The program gets SIGTERM when the benchmark dies (PR_SET_PDEATHSIG).
 *
 * Return: its pid, or -1 with errno set
 */
pid_t spawn(const char *const argv[], const char *log, int in_fd, int netns)
{
	pid_t pid;
	int logfd;

	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(logfd);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in_fd >= 0 ? in_fd : nul, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		if (netns >= 0 && setns(netns, CLONE_NEWNET)) {
			fprintf(stderr, "setns: %s\n", strerror(errno));
			_exit(127);
		}
		execv(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	reg_pid(pid, SIGTERM);
	return pid;
}

/**
 * sw_start() - start a switch in a new temporary directory
 * @sw:		filled in
 * @impl:	which one
 * @nports:	usable ports wanted (vde_switch gets -n @nports + 1)
 * @console:	also open a management console, -M base/mgmt (sw->mgmt)
 * @tap:	a TAP port to open (-t) in the benchmark's network namespace,
 *		or NULL; patchbay configures it itself (--tap-addr, link up),
 *		vde_switch leaves it down (the TAP peer brings it up)
 *
 * Returns once the control socket (and the console, if asked for) accept
 * connections; the console check opens and closes one session.
 *
 * Return: 0, or -1 with a message on stderr
 */
int sw_start(struct swproc *sw, enum impl impl, unsigned nports,
	     bool console, const struct tapcfg *tap)
{
	char nbuf[16];
	const char *argv[16];
	int in[2] = { -1, -1 };
	long long end;
	pid_t pid;
	int n = 0;

	memset(sw, 0, sizeof(*sw));
	sw->impl = impl;
	sw->pid = -1;
	sw->stdin_w = -1;
	sw->nports = nports;
	snprintf(sw->base, sizeof(sw->base), "%s/pbbench.XXXXXX", bcfg.tmpdir);
	if (!mkdtemp(sw->base)) {
		fprintf(stderr, "pbbench: mkdtemp %s: %s\n", sw->base,
			strerror(errno));
		return -1;
	}
	snprintf(sw->dir, sizeof(sw->dir), "%s/sw", sw->base);
	snprintf(sw->log, sizeof(sw->log), "%s/%s.log", sw->base,
		 impl_name(impl));
	if (console) {
		struct sockaddr_un sun;

		snprintf(sw->mgmt, sizeof(sw->mgmt), "%s/mgmt", sw->base);
		if (strlen(sw->mgmt) >= sizeof(sun.sun_path)) {
			fprintf(stderr, "pbbench: %s: too long for a socket "
				"(--tmpdir)\n", sw->mgmt);
			goto fail_stop;
		}
	}
	snprintf(nbuf, sizeof(nbuf), "%u", impl == IMPL_VDE ? nports + 1 :
		 nports);

	argv[n++] = bcfg.path[impl];
	if (impl == IMPL_PB)
		argv[n++] = "--nostdin";
	argv[n++] = "-s";
	argv[n++] = sw->dir;
	argv[n++] = "-n";
	argv[n++] = nbuf;
	if (console) {
		argv[n++] = "-M";
		argv[n++] = sw->mgmt;
	}
	if (tap) {
		argv[n++] = "-t";
		argv[n++] = tap->ifname;
		if (impl == IMPL_PB) {
			argv[n++] = "--tap-addr";
			argv[n++] = TAP_ADDR;
		}
	}
	argv[n] = NULL;

	if (impl == IMPL_VDE && pipe2(in, O_CLOEXEC))
		goto fail;
	pid = spawn(argv, sw->log, in[0], tap ? tap->netns : -1);
	if (in[0] >= 0)
		close(in[0]);
	sw->stdin_w = in[1];
	if (pid < 0)
		goto fail;
	sw->pid = pid;

	end = now_ns() + SW_START_MS * 1000000LL;
	while (!ctl_answers(sw->dir) || (console && !sock_answers(sw->mgmt))) {
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			unreg_pid(pid);
			sw->pid = -1;
			fprintf(stderr, "pbbench: %s exited at start-up:\n",
				impl_name(impl));
			show_log(sw->log);
			goto fail_stop;
		}
		if (now_ns() > end) {
			fprintf(stderr, "pbbench: %s: no control socket%s "
				"after %d ms\n", impl_name(impl),
				console ? " or console" : "", SW_START_MS);
			show_log(sw->log);
			goto fail_stop;
		}
		usleep(2000);
	}
	if (bcfg.verbose)
		fprintf(stderr, "  [%s pid %d, %u ports, %s%s%s%s%s]\n",
			impl_name(impl), (int)pid, nports, sw->dir,
			console ? ", console " : "", sw->mgmt,
			tap ? ", TAP " : "", tap ? tap->ifname : "");
	return 0;
fail:
	fprintf(stderr, "pbbench: starting %s: %s\n", impl_name(impl),
		strerror(errno));
fail_stop:
	sw_stop(sw);
	return -1;
}

/**
 * sw_stop() - stop a switch (SIGTERM, then SIGKILL) and remove its
 * temporary directory
 * @sw:		the switch
 */
void sw_stop(struct swproc *sw)
{
	stop_pid(sw->pid, SIGTERM, 3000);
	sw->pid = -1;
	if (sw->stdin_w >= 0)
		close(sw->stdin_w);
	sw->stdin_w = -1;
	if (sw->base[0] && !bcfg.keep)
		rm_tree(sw->base);
	sw->base[0] = '\0';
}

/**
 * proc_cpu_ns() - CPU time a process has used (utime + stime)
 * @pid:	the process
 * @ns:		the time in nanoseconds (clock-tick resolution)
 *
 * Return: 0 or -1
 */
int proc_cpu_ns(pid_t pid, long long *ns)
{
	char path[64], buf[1024];
	unsigned long long ut, st, hz;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after "comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %llu %llu", &ut, &st) != 2)
		return -1;
	hz = (unsigned long long)sysconf(_SC_CLK_TCK);
	*ns = (long long)((ut + st) * (1000000000ULL / hz));
	return 0;
}

/**
 * proc_rss_kib() - resident memory of a process
 * @pid:	the process
 *
 * Return: VmRSS in KiB, or -1
 */
long proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Run a command quietly; return its exit status, or -1. */
static int run_quiet(const char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/**
 * sc_probe() - find a way to count a process's system calls
 *
 * Return: SC_PERF if perf can count the raw_syscalls:sys_enter tracepoint,
 * else SC_STRACE if strace runs, else SC_NONE
 */
enum sc_method sc_probe(void)
{
	static const char *const perf[] = {
		"perf", "stat", "-e", "raw_syscalls:sys_enter", "-x", ",",
		"-o", "/dev/null", "true", NULL
	};
	static const char *const strace[] = {
		"strace", "-c", "-o", "/dev/null", "true", NULL
	};

	if (run_quiet(perf) == 0)
		return SC_PERF;
	if (run_quiet(strace) == 0)
		return SC_STRACE;
	return SC_NONE;
}

/* Read from @fd until @needle was seen or @timeout_ms passed. */
static int wait_text(int fd, const char *needle, int timeout_ms)
{
	long long end = now_ns() + (long long)timeout_ms * 1000000LL;
	char buf[4096];
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = (end - now_ns()) / 1000000LL;
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, needle))
			return 0;
		if (len > sizeof(buf) / 2) {
			/* keep the tail, a needle may straddle */
			memmove(buf, buf + len - 64, 64);
			len = 64;
		}
	}
}

static int perf_cmd(struct sccount *sc, const char *cmd)
{
	size_t len = strlen(cmd);

	if (write(sc->ctl, cmd, len) != (ssize_t)len)
		return -1;
	return wait_text(sc->ack, "ack", 15000);
}

/**
 * sc_start() - start counting the system calls of a process
 * @sc:		filled in
 * @m:		SC_PERF or SC_STRACE
 * @target:	the process
 * @tmpdir:	a directory for fifos and the report
 *
 * Returns once counting has begun (perf acknowledged "enable", or strace
 * attached), so what follows is counted entirely.
 *
 * Return: 0, or -1
 */
int sc_start(struct sccount *sc, enum sc_method m, pid_t target,
	     const char *tmpdir)
{
	char ctl[PATH_MAX], ack[PATH_MAX], spid[16], fifos[2 * PATH_MAX + 8];
	const char *argv[20];
	int err[2] = { -1, -1 };
	pid_t pid;
	int n = 0;

	memset(sc, 0, sizeof(*sc));
	sc->method = m;
	sc->pid = -1;
	sc->ctl = sc->ack = -1;
	snprintf(spid, sizeof(spid), "%d", (int)target);
	snprintf(sc->out, sizeof(sc->out), "%s/syscalls.out", tmpdir);
	unlink(sc->out);
	if (m == SC_PERF) {
		snprintf(ctl, sizeof(ctl), "%s/perf.ctl", tmpdir);
		snprintf(ack, sizeof(ack), "%s/perf.ack", tmpdir);
		unlink(ctl);
		unlink(ack);
		if (mkfifo(ctl, 0600) || mkfifo(ack, 0600))
			return -1;
		/* O_RDWR: opening never blocks, and perf's side is free
		 * to come and go */
		sc->ctl = open(ctl, O_RDWR | O_CLOEXEC);
		sc->ack = open(ack, O_RDWR | O_CLOEXEC);
		if (sc->ctl < 0 || sc->ack < 0)
			goto fail;
		snprintf(fifos, sizeof(fifos), "fifo:%s,%s", ctl, ack);
		argv[n++] = "perf";
		argv[n++] = "stat";
		argv[n++] = "-e";
		argv[n++] = "raw_syscalls:sys_enter";
		argv[n++] = "-x";
		argv[n++] = ",";
		argv[n++] = "-o";
		argv[n++] = sc->out;
		argv[n++] = "-D";
		argv[n++] = "-1";
		argv[n++] = "--control";
		argv[n++] = fifos;
		argv[n++] = "-p";
		argv[n++] = spid;
	} else if (m == SC_STRACE) {
		if (pipe2(err, O_CLOEXEC))
			return -1;
		argv[n++] = "strace";
		argv[n++] = "-c";
		argv[n++] = "-f";
		argv[n++] = "-o";
		argv[n++] = sc->out;
		argv[n++] = "-p";
		argv[n++] = spid;
	} else {
		return -1;
	}
	argv[n] = NULL;

	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGINT);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(err[1] >= 0 ? err[1] : nul, 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	sc->pid = pid;
	reg_pid(pid, SIGINT);
	if (m == SC_PERF) {
		if (perf_cmd(sc, "enable\n"))
			goto fail;
	} else {
		close(err[1]);
		err[1] = -1;
		if (wait_text(err[0], "attached", 15000))
			goto fail;
		close(err[0]);
	}
	return 0;
fail:
	if (err[0] >= 0)
		close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
	stop_pid(sc->pid, SIGKILL, 3000);
	sc->pid = -1;
	if (sc->ctl >= 0)
		close(sc->ctl);
	if (sc->ack >= 0)
		close(sc->ack);
	sc->ctl = sc->ack = -1;
	fprintf(stderr, "pbbench: cannot start %s on pid %d\n",
		m == SC_PERF ? "perf stat" : "strace", (int)target);
	return -1;
}

static int parse_perf(const char *path, uint64_t *calls)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strstr(line, "raw_syscalls:sys_enter"))
			continue;
		if (line[0] == '<') {	/* <not counted> */
			*calls = 0;
			rc = 0;
		} else if (sscanf(line, "%" SCNu64, calls) == 1) {
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

static int parse_strace(const char *path, uint64_t *calls)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		double pct, secs;
		unsigned long long usecs, n;

		if (!strstr(line, "total"))
			continue;
		if (sscanf(line, "%lf %lf %llu %llu", &pct, &secs, &usecs,
			   &n) == 4) {
			*calls = n;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/**
 * sc_stop() - stop counting and read the count
 * @sc:		a counter from sc_start()
 * @calls:	system calls made by the process while counted
 *
 * Return: 0, or -1
 */
int sc_stop(struct sccount *sc, uint64_t *calls)
{
	int rc = 0;

	if (sc->pid <= 0)
		return -1;
	if (sc->method == SC_PERF && perf_cmd(sc, "disable\n"))
		rc = -1;
	stop_pid(sc->pid, SIGINT, 10000);
	sc->pid = -1;
	if (sc->ctl >= 0)
		close(sc->ctl);
	if (sc->ack >= 0)
		close(sc->ack);
	sc->ctl = sc->ack = -1;
	if (rc)
		return -1;
	if (sc->method == SC_PERF)
		return parse_perf(sc->out, calls);
	return parse_strace(sc->out, calls);
}
