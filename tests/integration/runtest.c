/* SPDX-License-Identifier: GPL-2.0-or-later
 * runtest.c - processes, files, sockets and QMP for the launcher's tests
 * (see runtest.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
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

#include "runtest.h"

#define MAX_PROCS 16

static pid_t procs[MAX_PROCS];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pid_t rt_spawn(const char *const argv[], const char *errlog)
{
	unsigned i;
	pid_t pid;

	for (i = 0; i < MAX_PROCS && procs[i] > 0; i++)
		;
	cr_assert(i < MAX_PROCS, "too many processes");
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int log = open(errlog ? errlog : "/dev/null",
			       O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		close_range(3, ~0U, 0);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	procs[i] = pid;
	return pid;
}

static void forget(pid_t pid)
{
	unsigned i;

	for (i = 0; i < MAX_PROCS; i++)
		if (procs[i] == pid)
			procs[i] = 0;
}

bool rt_wait(pid_t pid, int ms, int *status)
{
	long long end = now_ms() + ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid) {
			forget(pid);
			return true;
		}
		if (r < 0 || now_ms() > end)
			return false;
		usleep(2000);
	}
}

void rt_cleanup(void)
{
	unsigned i;

	for (i = 0; i < MAX_PROCS; i++) {
		if (procs[i] <= 0)
			continue;
		kill(procs[i], SIGKILL);
		waitpid(procs[i], NULL, 0);
		procs[i] = 0;
	}
}

char *rt_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	cr_assert(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

bool rt_wait_file(const char *path, int ms)
{
	long long end = now_ms() + ms;

	while (access(path, F_OK)) {
		if (now_ms() > end)
			return false;
		usleep(2000);
	}
	return true;
}

/* Is the socket inode @ino a datagram socket in /proc/net/unix? */
static bool inode_is_dgram(unsigned long ino)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long type, inode;

		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %*s %lx %*s %lu", &type,
			   &inode) == 2)
			found = inode == ino && type == 2;
	}
	fclose(f);
	return found;
}

int rt_unix_dgrams(pid_t pid)
{
	char dir[64], path[330], link[128];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		unsigned long ino;
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1 &&
		    inode_is_dgram(ino))
			n++;
	}
	closedir(d);
	return n;
}

/* One line from QMP before @end, NUL-terminated. */
static bool qmp_line(int fd, char *buf, size_t len, long long end)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) != 1 ||
		    read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return true;
}

bool rt_qmp(int fd, const char *cmd, int ms)
{
	long long end = now_ms() + ms;
	char line[4096];

	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return false;
	while (qmp_line(fd, line, sizeof(line), end)) {
		if (strstr(line, "\"return\""))
			return true;
		if (strstr(line, "\"error\"")) {
			cr_log_error("QMP %s: %s", cmd, line);
			return false;
		}
	}
	cr_log_error("QMP %s: no answer", cmd);
	return false;
}

int rt_qmp_open(const char *path, pid_t pid, int ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long end = now_ms() + ms;
	char line[4096];
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		siginfo_t si = { .si_pid = 0 };

		waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if (si.si_pid || now_ms() > end) {
			close(fd);
			return -1;
		}
		usleep(10000);
	}
	if (!qmp_line(fd, line, sizeof(line), end) || !strstr(line, "QMP") ||
	    !rt_qmp(fd, "{\"execute\":\"qmp_capabilities\"}\n",
		    (int)(end - now_ms()))) {
		close(fd);
		return -1;
	}
	return fd;
}

bool rt_qmp_announce(int fd, int ms)
{
	return rt_qmp(fd,
		      "{\"execute\":\"announce-self\",\"arguments\":"
		      "{\"initial\":50,\"max\":550,\"rounds\":2,\"step\":50}}\n",
		      ms);
}
