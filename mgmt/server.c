/* SPDX-License-Identifier: GPL-2.0-or-later
 * server.c - the management socket (-M PATH): a listening UNIX stream
 * socket, one console session per connection.
 *
 * The socket is bound to a temporary name beside PATH, given its mode and
 * group, and hard-linked to PATH only once it listens, so PATH never
 * exists without a listener behind it. A PATH left by a dead switch
 * (connect() refused) is replaced; a live one is an error. When accept()
 * runs out of fds, accepting pauses until a session closes or half a
 * second has passed, so the loop never spins on a socket it cannot serve.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mgmt_int.h"

#define ACCEPT_BURST 64
#define RETRY_ACCEPT_MS 500

/**
 * server_resume_accept() - accepting paused for lack of fds: try again
 * @m:		the console
 */
void server_resume_accept(struct mgmt *m)
{
	if (m->paused && m->lfd >= 0 &&
	    loop_mod(m->loop, m->lfd, EPOLLIN, &m->lh) == 0) {
		m->paused = false;
		loop_timer_del(m->loop, &m->retry);
	}
}

/**
 * server_retry_cb() - the retry timer: accept again after a shortage
 * @t:		the console's retry timer
 */
void server_retry_cb(struct loop_timer *t)
{
	struct mgmt *m = container_of(t, struct mgmt, retry);

	server_resume_accept(m);
	if (m->paused)
		loop_timer_add(m->loop, t, RETRY_ACCEPT_MS);
}

static void accept_cb(struct loop_handler *h, uint32_t events)
{
	struct mgmt *m = container_of(h, struct mgmt, lh);
	int i;

	(void)events;
	for (i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept4(m->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ECONNABORTED)
				return;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				if (!m->starved)
					log_warn("console accept: pausing new "
						 "connections until one closes");
				m->starved = true;
				if (loop_mod(m->loop, m->lfd, 0, &m->lh) == 0) {
					m->paused = true;
					loop_timer_add(m->loop, &m->retry,
						       RETRY_ACCEPT_MS);
				}
				return;
			}
			log_warn("console accept");
			return;
		}
		if (m->starved) {
			m->starved = false;
			log_info("console: accepting connections again");
		}
		if (session_new(m, fd, fd, false))
			log_warnx("console: cannot serve a new connection");
	}
}

/* Take @path over if nobody listens there. Return: 0 or -errno */
static int probe_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	/* connect() to a regular file is refused too: never remove one */
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-rc));
		return rc;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		snprintf(err, errlen,
			 "%s: a switch is already listening there", path);
		return -EADDRINUSE;
	}
	rc = -errno;
	close(fd);
	if (rc != -ECONNREFUSED) {
		snprintf(err, errlen, "%s exists and cannot be probed (%s)",
			 path, strerror(-rc));
		return rc;
	}
	log_info("console: taking over stale %s", path);
	if (unlink(path) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, "unlink %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

/**
 * mgmt_listen() - serve the console on a UNIX socket (-M)
 * @m:		the console
 * @path:	the socket's path
 * @mode:	its mode (vde_switch: 0600)
 * @gid:	its group, or (gid_t)-1 to leave it
 * @err:	on failure, the reason
 * @errlen:	its size
 *
 * Return: 0; -EBUSY if already listening; -EADDRINUSE if a switch listens
 * on @path; -ENAMETOOLONG; -errno of the socket calls
 */
int mgmt_listen(struct mgmt *m, const char *path, unsigned mode, gid_t gid,
		char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char tmp[sizeof(sun.sun_path)];
	struct stat st;
	int fd, n, rc, tries;

	if (m->lfd >= 0) {
		snprintf(err, errlen, "already listening on %s", m->lpath);
		return -EBUSY;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if (!*path || n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, tmp, (size_t)n);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-rc));
		return rc;
	}
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		rc = -errno;
		snprintf(err, errlen, "bind %s: %s", tmp, strerror(-rc));
		goto fail;
	}
	if (listen(fd, SOMAXCONN)) {
		rc = -errno;
		snprintf(err, errlen, "listen %s: %s", path, strerror(-rc));
		goto fail_unlink;
	}
	if (chmod(tmp, mode)) {
		rc = -errno;
		snprintf(err, errlen, "chmod %s: %s", path, strerror(-rc));
		goto fail_unlink;
	}
	if (gid != (gid_t)-1 && chown(tmp, (uid_t)-1, gid)) {
		rc = -errno;
		snprintf(err, errlen, "chgrp %s: %s", path, strerror(-rc));
		goto fail_unlink;
	}
	for (tries = 0; link(tmp, path); tries++) {
		if (errno != EEXIST || tries > 0) {
			rc = -errno;
			snprintf(err, errlen, "link %s: %s", path,
				 strerror(-rc));
			goto fail_unlink;
		}
		rc = probe_stale(path, err, errlen);
		if (rc)
			goto fail_unlink;
	}
	unlink(tmp);
	if (stat(path, &st)) {
		rc = -errno;
		snprintf(err, errlen, "stat %s: %s", path, strerror(-rc));
		goto fail_path;
	}
	m->lfd = fd;
	m->lh.cb = accept_cb;
	rc = loop_add(m->loop, fd, EPOLLIN, &m->lh);
	if (rc) {
		m->lfd = -1;
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail_path;
	}
	m->ldev = st.st_dev;
	m->lino = st.st_ino;
	m->lmode = mode;
	memcpy(m->lpath, path, strlen(path) + 1);
	return 0;
fail_path:
	unlink(path);
	close(fd);
	return rc;
fail_unlink:
	unlink(tmp);
fail:
	close(fd);
	return rc;
}

/**
 * mgmt_path() - the management socket's path
 * @m:		the console
 *
 * Return: the path, or NULL when not listening
 */
const char *mgmt_path(const struct mgmt *m)
{
	return m->lfd >= 0 ? m->lpath : NULL;
}

/**
 * server_close() - stop listening and remove the socket file, if it is
 * still ours
 * @m:		the console
 */
void server_close(struct mgmt *m)
{
	struct stat st;

	if (m->lfd < 0)
		return;
	loop_timer_del(m->loop, &m->retry);
	loop_del(m->loop, m->lfd);
	close(m->lfd);
	m->lfd = -1;
	if (stat(m->lpath, &st) == 0 && st.st_dev == m->ldev &&
	    st.st_ino == m->lino)
		unlink(m->lpath);
}
