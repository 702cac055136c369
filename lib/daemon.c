/* SPDX-License-Identifier: GPL-2.0-or-later
 * daemon.c - -d done so that the command returns only once the program
 * serves: the parent waits on a pipe for the child's "ready" and otherwise
 * exits with the child's own status (its reason already on stderr).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/**
 * daemon_start() - fork; the parent waits for daemon_ready() and exits 0,
 * or exits with the child's failing status
 *
 * Return: in the child (a new session): the fd to give daemon_ready()
 */
int daemon_start(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		char c;
		int status;

		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status))
			_exit(WEXITSTATUS(status));
		_exit(1);
	}
	close(p[0]);
	if (setsid() < 0)
		fatal("setsid");
	return p[1];
}

/**
 * daemon_ready() - the child serves: detach from the terminal, log to
 * syslog, let the parent return
 * @fd:		what daemon_start() returned
 */
void daemon_ready(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (chdir("/"))
		log_warn("chdir /");
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	log_use_syslog();
	if (write(fd, "R", 1) != 1)
		log_warn("telling the parent");
	close(fd);
}

/**
 * pidfile_write() - write this process's pid and a newline to @path
 * @path:	the pidfile
 *
 * Return: 0, or -1 with errno set (nothing is left on a failed write)
 */
int pidfile_write(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}
