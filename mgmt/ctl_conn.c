/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_conn.c - a management console connection (see ctl_conn.h).
 *
 * Input is cut into tokens: whole lines, and the prompt, recognised at a
 * line start outside a body as a short run of non-blank bytes ending in
 * "$ " (as vdeterm does it: a read ending in "$ "). Inside a body every
 * line is content, empty ones included. Nothing the switch sends can make
 * the client wait forever (each exchange has a deadline), grow without
 * bound (CTL_LINE_MAX, CTL_BANNER_MAX) or print NUL bytes (refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_conn.h"

#define CTL_BODY_MAX (64UL << 20)	/* bytes of one reply's body */

enum ctl_tok {
	TOK_LINE = 1,
	TOK_PROMPT,
	TOK_EOF,
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Absolute deadline for an exchange starting now; -1: none. */
static long long deadline_of(const struct ctl_conn *c)
{
	return c->timeout_ms < 0 ? -1 : now_ms() + c->timeout_ms;
}

/* poll() timeout until @deadline: -1 without one, 0 once it passed. */
static int ms_until(long long deadline)
{
	long long d;

	if (deadline < 0)
		return -1;
	d = deadline - now_ms();
	if (d <= 0)
		return 0;
	return d > 1000000 ? 1000000 : (int)d;
}

/* Wait for @events on the socket until @deadline. Return: 0 or -errno */
static int conn_wait(struct ctl_conn *c, short events, long long deadline)
{
	struct pollfd p = { .fd = c->fd, .events = events };

	for (;;) {
		int r = poll(&p, 1, ms_until(deadline));

		if (r > 0)
			return 0;
		if (r == 0) {
			snprintf(c->why, sizeof(c->why),
				 "no answer within %d s",
				 (c->timeout_ms + 999) / 1000);
			return -ETIMEDOUT;
		}
		if (errno != EINTR)
			return -errno;
	}
}

/* Printable excerpt of a line for an error message. */
static void conn_quote(struct ctl_conn *c, const char *what, const char *l)
{
	char q[64];
	size_t i;

	for (i = 0; l[i] && i < sizeof(q) - 1; i++)
		q[i] = (l[i] >= 0x20 && l[i] < 0x7f) ? l[i] : '?';
	q[i] = '\0';
	snprintf(c->why, sizeof(c->why), "%s: \"%s%s\"", what, q,
		 l[i] ? "..." : "");
}

/**
 * ctl_conn_attach() - set up a connection on a connected stream socket
 * @c:		connection to set up
 * @fd:		the socket, owned by @c from now on (also on failure)
 * @timeout_ms:	time allowed for each exchange; -1: none
 *
 * Return: 0, or -errno (the socket cannot be made non-blocking, no memory)
 */
int ctl_conn_attach(struct ctl_conn *c, int fd, int timeout_ms)
{
	int fl;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		goto fail;
	c->cap = 4096;
	c->buf = malloc(c->cap);
	if (!c->buf)
		goto fail;
	return 0;
fail:
	fl = -errno;
	ctl_conn_close(c);
	return fl;
}

/**
 * ctl_conn_open() - connect to a console socket
 * @c:		connection to set up
 * @path:	the socket's path
 * @timeout_ms:	time allowed for connecting and for each exchange; -1: none
 *
 * Return: 0, or -errno (-ENAMETOOLONG for a path too long for a socket,
 * -ETIMEDOUT if the listener's backlog stays full)
 */
int ctl_conn_open(struct ctl_conn *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long long deadline;
	int fd, err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	err = ctl_conn_attach(c, fd, timeout_ms);
	if (err)
		return err;
	deadline = deadline_of(c);
	while (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {	/* backlog full: try again */
			if (!ms_until(deadline)) {
				errno = ETIMEDOUT;
				goto fail;
			}
			poll(NULL, 0, 10);
			continue;
		}
		if (errno == EINPROGRESS) {
			socklen_t len = sizeof(err);

			err = conn_wait(c, POLLOUT, deadline);
			if (err) {
				errno = -err;
				goto fail;
			}
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
				       &len))
				goto fail;
			if (!err)
				break;
			errno = err;
		}
		goto fail;
	}
	return 0;
fail:
	err = -errno;
	ctl_conn_close(c);
	return err;
}

/**
 * ctl_conn_close() - close the connection and free its buffer
 * @c:		the connection (may be closed already)
 */
void ctl_conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->cap = c->len = c->off = 0;
}

/* Read more input. @deadline < -1 means: do not wait, -EAGAIN if none. */
static int conn_fill(struct ctl_conn *c, long long deadline)
{
	ssize_t r;
	int err;

	if (c->off) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + 1 >= c->cap) {
		size_t ncap = c->cap * 2;
		char *nbuf;

		if (ncap > 2 * CTL_LINE_MAX)
			return -EMSGSIZE;	/* conn_take() stops first */
		nbuf = realloc(c->buf, ncap);
		if (!nbuf)
			return -ENOMEM;
		c->buf = nbuf;
		c->cap = ncap;
	}
	for (;;) {
		if (deadline >= -1) {
			err = conn_wait(c, POLLIN, deadline);
			if (err)
				return err;
		}
		/* one byte stays free to terminate a last unfinished line */
		r = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (r > 0) {
			c->len += (size_t)r;
			return 0;
		}
		if (r == 0) {
			c->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && deadline >= -1)
			continue;
		return -errno;
	}
}

/* At a line start: a prompt such as "vde$ "? Its length in @plen. */
static bool at_prompt(const char *d, size_t avail, size_t *plen)
{
	size_t i, lim = avail < CTL_PROMPT_MAX ? avail : CTL_PROMPT_MAX;

	for (i = 0; i + 1 < lim; i++) {
		if (d[i] == '$' && d[i + 1] == ' ') {
			*plen = i + 2;
			return true;
		}
		if (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || !d[i])
			return false;
	}
	return false;
}

/* The next token from the buffer: TOK_*, -EAGAIN if more input is needed,
 * -EMSGSIZE or -EPROTO. A line is returned NUL-terminated in place. */
static int conn_take(struct ctl_conn *c, bool body, char **line)
{
	char *d = c->buf + c->off, *nl;
	size_t avail = c->len - c->off, n, plen;

	if (!body && at_prompt(d, avail, &plen)) {
		c->off += plen;
		return TOK_PROMPT;
	}
	nl = memchr(d, '\n', avail);
	if (memchr(d, '\0', nl ? (size_t)(nl - d) : avail)) {
		snprintf(c->why, sizeof(c->why),
			 "binary data (a NUL byte) from the switch");
		return -EPROTO;
	}
	if (nl) {
		n = (size_t)(nl - d);
	} else if (c->eof) {
		if (!avail)
			return TOK_EOF;
		n = avail;
	} else if (avail > CTL_LINE_MAX) {
		n = avail;
	} else {
		return -EAGAIN;
	}
	if (n > CTL_LINE_MAX) {
		snprintf(c->why, sizeof(c->why),
			 "a line longer than %d bytes", CTL_LINE_MAX);
		return -EMSGSIZE;
	}
	d[n] = '\0';
	c->off += nl ? n + 1 : n;
	*line = d;
	return TOK_LINE;
}

/* The next token, reading as needed until @deadline (< -1: no waiting). */
static int conn_next(struct ctl_conn *c, bool body, long long deadline,
		     char **line)
{
	for (;;) {
		int rc = conn_take(c, body, line);

		if (rc != -EAGAIN)
			return rc;
		rc = conn_fill(c, deadline);
		if (rc)
			return rc;
	}
}

static int reply_add(struct ctl_reply *r, const char *line)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		char **nl = realloc(r->lines, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		r->lines = nl;
		r->cap = ncap;
	}
	r->lines[r->n] = strdup(line);
	if (!r->lines[r->n])
		return -ENOMEM;
	r->n++;
	return 0;
}

/**
 * ctl_reply_free() - free a reply's contents and clear it for reuse
 * @r:		the reply
 */
void ctl_reply_free(struct ctl_reply *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/**
 * ctl_conn_banner() - read the greeting up to the first prompt
 * @c:		a connection just opened
 * @banner:	receives the banner lines (cleared first)
 *
 * Return: 0, or -errno with @c->why set: -ETIMEDOUT, -ECONNRESET (closed),
 * -EPROTO (no prompt after CTL_BANNER_MAX lines, NUL bytes), -EMSGSIZE
 */
int ctl_conn_banner(struct ctl_conn *c, struct ctl_reply *banner)
{
	long long deadline = deadline_of(c);
	char *line;
	int rc;

	ctl_reply_free(banner);
	for (;;) {
		rc = conn_next(c, false, deadline, &line);
		if (rc < 0)
			return rc;
		if (rc == TOK_PROMPT)
			return 0;
		if (rc == TOK_EOF) {
			snprintf(c->why, sizeof(c->why),
				 "connection closed before the prompt");
			return -ECONNRESET;
		}
		if (banner->n == CTL_BANNER_MAX) {
			snprintf(c->why, sizeof(c->why),
				 "no prompt after %d lines: not a VDE console",
				 CTL_BANNER_MAX);
			return -EPROTO;
		}
		rc = reply_add(banner, line);
		if (rc)
			return rc;
	}
}

/**
 * ctl_check_command() - can this line be sent as one command?
 * @cmd:	the command line, without newline
 *
 * Return: 0; -EINVAL if it holds a newline; -E2BIG if longer than
 * CTL_CMD_MAX (vde_switch would run the rest as another command);
 * -ENOMSG if empty or a '#' comment (the switch sends no status for those)
 */
int ctl_check_command(const char *cmd)
{
	const char *p = cmd + strspn(cmd, " \t");

	if (strchr(cmd, '\n'))
		return -EINVAL;
	if (strlen(cmd) > CTL_CMD_MAX)
		return -E2BIG;
	if (!*p || *p == '#')
		return -ENOMSG;
	return 0;
}

static int conn_send(struct ctl_conn *c, const char *cmd, long long deadline)
{
	char buf[CTL_CMD_MAX + 2];
	size_t len = strlen(cmd), off = 0;

	memcpy(buf, cmd, len);
	buf[len++] = '\n';
	while (off < len) {	/* one send: the switch reads one command per read */
		ssize_t w = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
		int err;

		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			snprintf(c->why, sizeof(c->why), "send: %s",
				 strerror(errno));
			return -errno;
		}
		err = conn_wait(c, POLLOUT, deadline);
		if (err)
			return err;
	}
	return 0;
}

static bool is_async(const char *l)
{
	return l[0] == '3' && l[1] >= '0' && l[1] <= '9' && l[2] >= '0' &&
	       l[2] <= '9' && l[3] >= '0' && l[3] <= '9' && l[4] == ' ';
}

/* "1NNN text" or "9999 text": the code, and the text in @text. */
static bool is_status(const char *l, unsigned *code, const char **text)
{
	int i;

	if (l[0] != '1' && strncmp(l, "9999", 4))
		return false;
	for (i = 1; i < 4; i++)
		if (l[i] < '0' || l[i] > '9')
			return false;
	if (l[4] != ' ' && l[4] != '\0')
		return false;
	*code = (unsigned)((l[0] - '0') * 1000 + (l[1] - '0') * 100 +
			   (l[2] - '0') * 10 + (l[3] - '0'));
	*text = l[4] ? l + 5 : l + 4;
	return true;
}

/**
 * ctl_command() - send one command and read its reply
 * @c:		an open connection, after the banner
 * @cmd:	the command line (checked with ctl_check_command())
 * @want_prompt: read up to the prompt after the status, so that the next
 *		command starts clean; false for a last command
 * @r:		receives body, code and text (cleared first)
 * @fn:		called for asynchronous lines seen meanwhile (may be NULL)
 * @arg:	for @fn
 *
 * A reply that is an error status still returns 0: look at @r->code.
 *
 * Return: 0 when a status came; -errno on a local refusal (see
 * ctl_check_command()) or a transport or protocol error, @c->why set for
 * the latter (-ETIMEDOUT, -ECONNRESET, -EPROTO, -EMSGSIZE, -ENOMEM)
 */
int ctl_command(struct ctl_conn *c, const char *cmd, bool want_prompt,
		struct ctl_reply *r, ctl_async_fn fn, void *arg)
{
	enum { WAIT, BODY, STATUS } st = WAIT;
	long long deadline = deadline_of(c);
	size_t bytes = 0;
	const char *text;
	char *line;
	int rc;

	ctl_reply_free(r);
	rc = ctl_check_command(cmd);
	if (rc)
		return rc;
	c->why[0] = '\0';
	rc = conn_send(c, cmd, deadline);
	if (rc)
		return rc;
	for (;;) {
		rc = conn_next(c, st == BODY, deadline, &line);
		if (rc < 0)
			return rc;
		if (rc == TOK_EOF) {
			if (st == STATUS)
				return 0;
			snprintf(c->why, sizeof(c->why),
				 "connection closed before the reply ended");
			return -ECONNRESET;
		}
		if (rc == TOK_PROMPT) {
			if (st == STATUS)
				return 0;
			snprintf(c->why, sizeof(c->why),
				 "a prompt before the status line");
			return -EPROTO;
		}
		if (st == BODY) {
			if (!strcmp(line, ".")) {
				st = WAIT;
				continue;
			}
			bytes += strlen(line) + 1;
			if (bytes > CTL_BODY_MAX) {
				snprintf(c->why, sizeof(c->why),
					 "a reply larger than %lu bytes",
					 CTL_BODY_MAX);
				return -EMSGSIZE;
			}
			rc = reply_add(r, line);
			if (rc)
				return rc;
			continue;
		}
		if (!line[0])
			continue;
		if (is_async(line)) {
			if (fn)
				fn(arg, line);
			continue;
		}
		if (st == WAIT && !r->has_body &&
		    !strcmp(line, "0000 DATA END WITH '.'")) {
			r->has_body = true;
			st = BODY;
			continue;
		}
		if (st == WAIT && is_status(line, &r->code, &text)) {
			r->text = strdup(text);
			if (!r->text)
				return -ENOMEM;
			if (r->code == 9999 || !want_prompt)
				return 0;
			st = STATUS;
			continue;
		}
		conn_quote(c, "unexpected line", line);
		return -EPROTO;
	}
}

/**
 * ctl_conn_pending() - take the bytes received but not consumed (after a
 * command that turned the connection into a stream, port/capture N -)
 * @c:		the connection
 * @data:	set to the bytes, valid until the next call on @c
 *
 * Return: how many; they count as consumed
 */
size_t ctl_conn_pending(struct ctl_conn *c, const char **data)
{
	size_t n = c->len - c->off;

	*data = c->buf ? c->buf + c->off : "";
	c->off = c->len;
	return n;
}

/**
 * ctl_conn_poll_async() - take the asynchronous lines received so far,
 * without waiting
 * @c:		a connection between commands
 * @fn:		called for each "3NNN ..." line
 * @arg:	for @fn
 *
 * Return: 0; -ECONNRESET once the switch closed the connection; -EPROTO
 * for anything else than asynchronous lines, prompts and empty lines;
 * -EMSGSIZE; -errno of read(). @c->why is set for these.
 */
int ctl_conn_poll_async(struct ctl_conn *c, ctl_async_fn fn, void *arg)
{
	char *line;
	int rc;

	c->why[0] = '\0';
	for (;;) {
		rc = conn_next(c, false, -2, &line);
		if (rc == -EAGAIN)
			return 0;
		if (rc < 0) {
			if (!c->why[0])
				snprintf(c->why, sizeof(c->why), "read: %s",
					 strerror(-rc));
			return rc;
		}
		if (rc == TOK_EOF) {
			snprintf(c->why, sizeof(c->why),
				 "the switch closed the connection");
			return -ECONNRESET;
		}
		if (rc == TOK_PROMPT || !line[0])
			continue;
		if (!is_async(line)) {
			conn_quote(c, "unexpected line", line);
			return -EPROTO;
		}
		fn(arg, line);
	}
}

/**
 * ctl_logout() - say goodbye if the connection is still up; no reply read
 * @c:		the connection
 */
void ctl_logout(struct ctl_conn *c)
{
	static const char bye[] = "logout\n";

	if (c->fd >= 0 && !c->eof)
		(void)!send(c->fd, bye, sizeof(bye) - 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
}
