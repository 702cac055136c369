/* SPDX-License-Identifier: GPL-2.0-or-later
 * console.c - console sessions: line-buffered input, vde_switch's reply
 * framing, a bounded output queue flushed on EPOLLOUT.
 *
 * Input is read into a buffer of 2 * MGMT_LINE_MAX bytes and every
 * complete line is run in order. A line over MGMT_LINE_MAX bytes gets
 * "1007 Argument list too long" (E2BIG) once and everything up to its
 * newline is skipped, so it never turns into two commands. A line holding
 * a NUL or another control byte (tab and a final CR are fine) gets
 * "1022 Invalid argument". EOF runs a last line without a newline, then
 * the session ends once its output is sent.
 *
 * Output: replies and debug lines wait in the session's queue; a write is
 * tried at once and the rest waits for EPOLLOUT, so the loop never blocks
 * on a client. While more than MGMT_OUT_HIGH bytes wait, the session
 * reads no more commands (a client that sends many commands but reads
 * slowly is slowed, not dropped). A debug line that would take the queue
 * past the bound (cfg.out_max) disconnects the session, with a log line.
 *
 * Release: session_close() unregisters and closes at once; the struct is
 * freed after the loop's batch (loop_defer), as datasock.c does, so a
 * caller up the stack (a command running on this session) can still test
 * @dead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "mgmt_int.h"

static const char prompt[] = "\nvde$ ";
static const char data_begin[] = "0000 DATA END WITH '.'\n";
static const char data_end[] = ".\n";
static const char end_of_session[] = "9999 END OF SESSION";

/**
 * mgmt_banner() - the two banner lines (on connect, in showinfo)
 * @o:		where they go
 *
 * Return: 0 or -ENOBUFS
 */
int mgmt_banner(struct mgmt_out *o)
{
	return mgmt_printf(o,
			   "patchbay V.%s\n"
			   "(C) the patchbay authors - GPL-2.0-or-later\n",
			   PACKAGE_VERSION);
}

/**
 * mgmt_status() - the status line of a reply
 * @o:		where it goes
 * @rc:		0 or -errno
 *
 * Return: 0 or -ENOBUFS
 */
int mgmt_status(struct mgmt_out *o, int rc)
{
	if (rc == 0)
		return mgmt_printf(o, "1000 Success\n");
	if (rc < -999 || rc > 0)
		rc = -EIO;
	return mgmt_printf(o, "1%03d %s\n", -rc, strerror(-rc));
}

/**
 * mgmt_run_line() - run one command for a session or an rc file
 * @m:		the console
 * @s:		the session, or NULL
 * @depth:	`load` nesting
 * @line:	the command line, NUL-terminated; modified
 * @body:	the reply body
 * @data:	set if the command always answers with the DATA wrapper
 *
 * Return: the command's result, 0 or -errno
 */
int mgmt_run_line(struct mgmt *m, struct mgmt_session *s, unsigned depth,
		  char *line, struct mgmt_out *body, bool *data)
{
	struct cmd_ctx ctx = {
		.out = body,
		.m = m,
		.session = s,
		.depth = depth,
	};

	return cmd_exec(m->reg, &ctx, line, data);
}

static bool session_full(const struct mgmt_session *s)
{
	return s->olen > MGMT_OUT_HIGH;
}

static bool session_has_line(const struct mgmt_session *s)
{
	return s->end == SESSION_RUN && memchr(s->in, '\n', s->inlen);
}

static void session_free(struct loop_deferred *d)
{
	free(container_of(d, struct mgmt_session, dfr));
}

/**
 * session_release() - unregister, close or restore the fds, drop the
 * session from the console
 * @s:		the session
 * @now:	free the memory at once (mgmt_destroy(), outside the loop);
 *		otherwise after the loop's batch
 */
void session_release(struct mgmt_session *s, bool now)
{
	struct mgmt *m = s->m;

	if (s->dead)
		return;
	s->dead = true;
	if (s->prev)
		s->prev->next = s->next;
	else
		m->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	m->nsessions--;
	loop_timer_del(m->loop, &s->partial);
	event_unsubscribe_all(s);
	if (s->handed) {
		/* the socket is the new owner's, already off the loop */
	} else if (s->in_fd == s->out_fd || s->in_ev) {
		loop_del(m->loop, s->in_fd);
	}
	if (s->in_fd != s->out_fd && s->out_poll)
		loop_del(m->loop, s->out_fd);
	if (s->handed) {
		/* nothing to close or restore */
	} else if (s->owned) {
		close(s->in_fd);
	} else {
		if (s->in_flags >= 0)
			fcntl(s->in_fd, F_SETFL, s->in_flags);
		if (s->out_fd != s->in_fd && s->out_flags >= 0)
			fcntl(s->out_fd, F_SETFL, s->out_flags);
	}
	s->in_fd = s->out_fd = -1;
	free(s->obuf);
	s->obuf = NULL;
	s->olen = 0;
	if (now)
		free(s);
	else
		loop_defer(m->loop, &s->dfr, session_free);
	server_resume_accept(m);
}

/**
 * session_close() - end a session now; its memory goes after the batch
 * @s:		the session
 */
void session_close(struct mgmt_session *s)
{
	session_release(s, false);
}

/**
 * session_queue() - append output for a session
 * @s:		the session
 * @data:	bytes
 * @len:	how many
 * @async:	a debug line: past the bound, the session is disconnected
 *
 * Return: 0; -ENOBUFS or -ENOMEM if the session was disconnected instead;
 * -EPIPE if it is gone
 */
int session_queue(struct mgmt_session *s, const void *data, size_t len,
		  bool async)
{
	size_t max = s->m->cfg.out_max;
	size_t limit = async ? max : 2 * max + MGMT_OUT_HIGH;

	if (s->dead)
		return -EPIPE;
	if (s->out_broken || !len)
		return 0;
	if (len > limit - s->olen) {
		log_warnx("console session %d: more than %zu bytes of output "
			  "waiting for the client: disconnected",
			  s->in_fd, max);
		session_close(s);
		return -ENOBUFS;
	}
	if (s->ohead + s->olen + len > s->ocap) {
		size_t cap = s->ocap ? s->ocap : 4096;
		char *nbuf;

		if (s->ohead) {
			memmove(s->obuf, s->obuf + s->ohead, s->olen);
			s->ohead = 0;
		}
		while (cap < s->olen + len)
			cap *= 2;
		if (cap > s->ocap) {
			nbuf = realloc(s->obuf, cap);
			if (!nbuf) {
				log_warnx("console session %d: out of memory "
					  "for output: disconnected", s->in_fd);
				session_close(s);
				return -ENOMEM;
			}
			s->obuf = nbuf;
			s->ocap = cap;
		}
	}
	memcpy(s->obuf + s->ohead + s->olen, data, len);
	s->olen += len;
	return 0;
}

/* Write what the peer takes now. Return: 0, or -errno if the session must
 * end (a socket error; stdout failing only drops the output). */
static int session_flush(struct mgmt_session *s)
{
	while (s->olen && !s->out_broken) {
		const char *p = s->obuf + s->ohead;
		ssize_t n;

		if (s->out_sock)
			n = send(s->out_fd, p, s->olen,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = write(s->out_fd, p, s->olen);
		if (n > 0) {
			s->ohead += (size_t)n;
			s->olen -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (!s->is_stdin)
			return n < 0 ? -errno : -EIO;
		log_warn("console output on fd %d: dropped from now on",
			 s->out_fd);
		s->out_broken = true;
		if (s->out_poll && s->out_fd != s->in_fd)
			loop_del(s->m->loop, s->out_fd);
		s->out_poll = false;
		s->olen = 0;
	}
	if (!s->olen)
		s->ohead = 0;
	return 0;
}

/* Watch what the session's state asks for. */
static void session_update(struct mgmt_session *s)
{
	struct loop *loop = s->m->loop;
	uint32_t in = 0, out = 0;

	if (s->dead)
		return;
	if (!s->eof && s->end == SESSION_RUN && !session_full(s) &&
	    s->inlen < sizeof(s->in))
		in = EPOLLIN;
	if (s->olen && s->out_poll)
		out = EPOLLOUT;
	if (s->in_fd == s->out_fd) {
		if ((in | out) != s->in_ev &&
		    loop_mod(loop, s->in_fd, in | out, &s->in_h) == 0)
			s->in_ev = in | out;
		return;
	}
	/* apart, an unwatched input is removed: its EPOLLHUP would spin */
	if (in && !s->in_ev) {
		if (loop_add(loop, s->in_fd, EPOLLIN, &s->in_h) == 0)
			s->in_ev = EPOLLIN;
	} else if (!in && s->in_ev) {
		loop_del(loop, s->in_fd);
		s->in_ev = 0;
	}
	if (s->out_poll && out != s->out_ev &&
	    loop_mod(loop, s->out_fd, out, &s->out_h) == 0)
		s->out_ev = out;
}

static void session_prompt(struct mgmt_session *s)
{
	if (s->interactive)
		session_queue(s, prompt, sizeof(prompt) - 1, false);
}

/* Queue a whole reply: [DATA wrapper + body], status line, prompt. */
static void session_reply(struct mgmt_session *s, struct mgmt_out *body,
			  bool data, int rc)
{
	struct mgmt_out st;

	if (body->overflow) {
		rc = -EMSGSIZE;
		mgmt_out_reset(body);
	}
	if (data || body->len) {
		session_queue(s, data_begin, sizeof(data_begin) - 1, false);
		session_queue(s, body->buf, body->len, false);
		if (body->len && body->buf[body->len - 1] != '\n')
			session_queue(s, "\n", 1, false);
		session_queue(s, data_end, sizeof(data_end) - 1, false);
	}
	mgmt_out_init(&st, 128);
	mgmt_status(&st, rc);
	session_queue(s, st.buf, st.len, false);
	mgmt_out_free(&st);
	session_prompt(s);
}

static void session_error(struct mgmt_session *s, int rc)
{
	struct mgmt_out empty;

	mgmt_out_init(&empty, 0);
	session_reply(s, &empty, false, rc);
}

/**
 * mgmt_session_handover() - after this command's reply, give the session's
 * socket to @h->fn (see mgmt.h)
 * @s:		the session running the command, or NULL (an rc file)
 * @h:		what to call, copied
 *
 * Return: 0, or -EOPNOTSUPP (no session, or not a socket session)
 */
int mgmt_session_handover(struct mgmt_session *s,
			  const struct mgmt_handover *h)
{
	if (!s || s->dead || !s->owned || !s->out_sock ||
	    s->in_fd != s->out_fd)
		return -EOPNOTSUPP;
	s->ho = *h;
	s->handover = true;
	return 0;
}

/* The reply is queued: the socket goes to its new owner with the bytes
 * not sent yet; the session ends. */
static void session_hand_over(struct mgmt_session *s)
{
	int fd = s->in_fd;

	loop_del(s->m->loop, fd);
	s->in_ev = 0;
	s->handed = true;
	log_debug("console session %d: handed over", fd);
	s->ho.fn(&s->ho, fd, s->obuf ? s->obuf + s->ohead : "", s->olen);
	session_close(s);
}

/* Run one line of input (without its '\n'). */
static void session_line(struct mgmt_session *s, const char *p, size_t len)
{
	char line[MGMT_LINE_MAX + 1];
	struct mgmt_out body;
	bool data;
	size_t i;
	char *q;
	int rc;

	if (len > MGMT_LINE_MAX) {
		session_error(s, -E2BIG);
		return;
	}
	if (len && p[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			session_error(s, -EINVAL);
			return;
		}
	}
	memcpy(line, p, len);
	line[len] = '\0';
	for (q = line; *q == ' ' || *q == '\t'; q++)
		;
	if (!*q || *q == '#') {
		session_prompt(s);
		return;
	}
	mgmt_out_init(&body, s->m->cfg.out_max);
	rc = mgmt_run_line(s->m, s, 0, q, &body, &data);
	if (!s->dead && s->end == SESSION_RUN)
		session_reply(s, &body, data, rc);
	mgmt_out_free(&body);
	if (s->handover && !s->dead) {
		if (rc)
			s->handover = false;
		else
			session_hand_over(s);
	}
}

/* Run the complete lines waiting, until the queue is full or the session
 * ends. */
static void session_lines(struct mgmt_session *s)
{
	size_t start = 0;

	while (!s->dead && s->end == SESSION_RUN && !session_full(s)) {
		char *p = s->in + start;
		char *nl = memchr(p, '\n', s->inlen - start);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - p);
		start += len + 1;
		if (s->discard) {
			s->discard = false;
			continue;
		}
		session_line(s, p, len);
	}
	if (s->dead)
		return;
	if (start) {
		memmove(s->in, s->in + start, s->inlen - start);
		s->inlen -= start;
	}
	if (memchr(s->in, '\n', s->inlen))
		return;
	/* no complete line: one too long is refused once, then skipped */
	if (s->inlen > MGMT_LINE_MAX && !s->discard) {
		s->discard = true;
		if (s->end == SESSION_RUN)
			session_error(s, -E2BIG);
	}
	if (s->discard)
		s->inlen = 0;
}

static void session_finish(struct mgmt_session *s)
{
	struct mgmt *m = s->m;
	bool call = s->is_stdin && s->end != SESSION_SHUTDOWN;

	session_close(s);
	if (call && m->cfg.stdin_end)
		m->cfg.stdin_end(m->cfg.arg);
}

/* Run what can run, send what can be sent, end the session when it is
 * over, watch the right events. */
static void session_step(struct mgmt_session *s);

/*
 * vdeterm writes each command without a newline (vde_switch takes one
 * read() as one command). A partial line that stays alone for
 * MGMT_PARTIAL_MS is taken as complete; the rest of a line split by the
 * kernel arrives long before that, so no command is ever cut in two.
 */
static void session_partial_cb(struct loop_timer *t)
{
	struct mgmt_session *s = container_of(t, struct mgmt_session, partial);

	if (s->dead || s->end != SESSION_RUN || !s->inlen ||
	    session_has_line(s) || session_full(s))
		return;
	if (!s->discard)
		session_line(s, s->in, s->inlen);
	if (s->dead)
		return;
	s->inlen = 0;
	s->discard = false;
	session_step(s);
}

/* Arm the partial-line timer while a line waits for its newline. */
static void session_partial_watch(struct mgmt_session *s)
{
	if (s->end == SESSION_RUN && !s->eof && s->inlen && !s->discard &&
	    !session_has_line(s))
		loop_timer_mod(s->m->loop, &s->partial, MGMT_PARTIAL_MS);
	else
		loop_timer_del(s->m->loop, &s->partial);
}

static void session_step(struct mgmt_session *s)
{
	for (;;) {
		session_lines(s);
		if (s->dead)
			return;
		if (s->eof && s->end == SESSION_RUN && !session_full(s) &&
		    s->inlen && !session_has_line(s)) {
			/* a last line without its newline */
			if (!s->discard)
				session_line(s, s->in, s->inlen);
			s->inlen = 0;
			s->discard = false;
			if (s->dead)
				return;
		}
		if (session_flush(s)) {
			log_debug("console session %d: client gone", s->in_fd);
			session_close(s);
			return;
		}
		if (session_full(s) || !session_has_line(s))
			break;
	}
	if (!s->olen && (s->end != SESSION_RUN || (s->eof && !s->inlen))) {
		session_finish(s);
		return;
	}
	session_partial_watch(s);
	session_update(s);
}

static void session_read(struct mgmt_session *s)
{
	int i;

	for (i = 0; i < 16 && !s->eof && s->end == SESSION_RUN; i++) {
		size_t room = sizeof(s->in) - s->inlen;
		ssize_t n;

		if (!room)
			break;
		n = read(s->in_fd, s->in + s->inlen, room);
		if (n > 0) {
			s->inlen += (size_t)n;
			session_lines(s);
			if (s->dead || session_full(s))
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			log_debug("console session %d: read: %s", s->in_fd,
				  strerror(errno));
		s->eof = true;
	}
}

static void session_in_cb(struct loop_handler *h, uint32_t events)
{
	struct mgmt_session *s = container_of(h, struct mgmt_session, in_h);

	if (s->dead)
		return;
	if (s->in_fd == s->out_fd && (events & (EPOLLOUT | EPOLLERR)) &&
	    session_flush(s)) {
		session_close(s);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		session_read(s);
	if (!s->dead)
		session_step(s);
}

static void session_out_cb(struct loop_handler *h, uint32_t events)
{
	struct mgmt_session *s = container_of(h, struct mgmt_session, out_h);

	(void)events;
	if (s->dead)
		return;
	session_step(s);
}

/* Flush, end if over, update the events: for a session other than the
 * one whose command is running. */
static void session_kick(struct mgmt_session *s)
{
	if (session_flush(s)) {
		session_close(s);
		return;
	}
	if (!s->olen && s->end != SESSION_RUN)
		session_finish(s);
	else
		session_update(s);
}

/**
 * session_logout() - `logout`: END OF SESSION, then close once sent
 * @s:		the session
 */
void session_logout(struct mgmt_session *s)
{
	session_queue(s, end_of_session, sizeof(end_of_session) - 1, false);
	if (!s->dead)
		s->end = SESSION_LOGOUT;
}

/**
 * mgmt_shutdown_sessions() - `shutdown`: END OF SESSION to every session;
 * each closes once that is sent (or at mgmt_destroy())
 * @m:		the console
 */
void mgmt_shutdown_sessions(struct mgmt *m)
{
	struct mgmt_session *s, *next;

	for (s = m->sessions; s; s = s->next) {
		if (s->end != SESSION_RUN)
			continue;
		session_queue(s, end_of_session, sizeof(end_of_session) - 1,
			      false);
		s->end = SESSION_SHUTDOWN;
	}
	for (s = m->sessions; s; s = next) {
		next = s->next;
		session_kick(s);
	}
}

/**
 * mgmt_event() - write a debug line to the sessions subscribed to @tag
 * @m:		the console
 * @tag:	a registered category's tag
 * @fmt:	the text after the category, printf style
 *
 * Test mgmt_event_wanted() first to skip formatting. The line is
 * "3%03o <category> <text>\n"; control characters in the text become '?'.
 */
void mgmt_event(struct mgmt *m, unsigned tag, const char *fmt, ...)
{
	const struct mgmt_event_cat *cat;
	struct mgmt_session *s, *next;
	char text[1024], line[1280];
	va_list ap;
	char *p;
	int n;

	if (!mgmt_event_wanted(m, tag) || !(cat = m->ev_by_tag[tag]))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	n = snprintf(line, sizeof(line), "3%03o %s %s\n", tag, cat->path,
		     text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	for (s = m->sessions; s; s = next) {
		next = s->next;
		if (s->dead || !session_subscribed(s, tag))
			continue;
		if (session_queue(s, line, (size_t)n, true) == 0)
			session_kick(s);
	}
}

static int set_nonblock(int fd, int *saved)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (saved)
		*saved = fl;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

static bool is_socket(int fd)
{
	int type;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

/**
 * session_new() - start a session on a connected stream socket or on
 * stdin/stdout
 * @m:		the console
 * @in_fd:	where commands come from
 * @out_fd:	where replies go (== @in_fd for a socket)
 * @is_stdin:	the foreground console: the fds are not ours (their flags
 *		are restored at the end), banner and prompts only on a
 *		terminal, its end calls cfg.stdin_end; otherwise the session
 *		owns @in_fd (closed even on failure) and greets the client
 *
 * Return: 0 or -errno
 */
int session_new(struct mgmt *m, int in_fd, int out_fd, bool is_stdin)
{
	struct mgmt_session *s = calloc(1, sizeof(*s));
	struct mgmt_out banner;
	int rc;

	if (!s) {
		rc = -ENOMEM;
		goto fail;
	}
	s->m = m;
	loop_timer_init(&s->partial, session_partial_cb);
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->in_flags = s->out_flags = -1;
	s->owned = !is_stdin;
	s->is_stdin = is_stdin;
	s->interactive = !is_stdin || isatty(in_fd);
	s->out_sock = is_socket(out_fd);
	s->in_h.cb = session_in_cb;
	s->out_h.cb = session_out_cb;
	rc = set_nonblock(in_fd, is_stdin ? &s->in_flags : NULL);
	if (!rc && out_fd != in_fd)
		rc = set_nonblock(out_fd, &s->out_flags);
	if (rc)
		goto fail_flags;
	rc = loop_add(m->loop, in_fd, EPOLLIN, &s->in_h);
	if (rc)
		goto fail_flags;
	s->in_ev = EPOLLIN;
	s->out_poll = true;
	if (out_fd != in_fd) {
		rc = loop_add(m->loop, out_fd, 0, &s->out_h);
		if (rc == -EPERM) {
			/* a regular file: writes complete, nothing to wait */
			s->out_poll = false;
		} else if (rc) {
			loop_del(m->loop, in_fd);
			goto fail_flags;
		}
	}
	s->next = m->sessions;
	if (m->sessions)
		m->sessions->prev = s;
	m->sessions = s;
	m->nsessions++;
	if (s->interactive) {
		if (!is_stdin) {
			mgmt_out_init(&banner, 256);
			mgmt_banner(&banner);
			session_queue(s, banner.buf, banner.len, false);
			mgmt_out_free(&banner);
		}
		session_prompt(s);
	}
	session_kick(s);
	return 0;
fail_flags:
	if (s->in_flags >= 0)
		fcntl(in_fd, F_SETFL, s->in_flags);
	if (s->out_flags >= 0)
		fcntl(out_fd, F_SETFL, s->out_flags);
	free(s);
fail:
	if (!is_stdin)
		close(in_fd);
	return rc;
}

/**
 * mgmt_attach() - serve a connected stream socket as a console session
 * @m:		the console
 * @fd:		the socket; the console owns it from now on, and closes it
 *		even when this fails
 *
 * The client gets the banner and the prompt at once.
 *
 * Return: 0 or -errno
 */
int mgmt_attach(struct mgmt *m, int fd)
{
	if (fd < 0)
		return -EBADF;
	return session_new(m, fd, fd, false);
}

/**
 * mgmt_stdin() - the foreground console on stdin/stdout
 * @m:		the console
 * @in_fd:	commands (0)
 * @out_fd:	replies (1)
 *
 * Both fds are made non-blocking while the session lives; their flags are
 * restored when it ends. Banner and prompts appear only if @in_fd is a
 * terminal (piped, the output is exactly vde_switch's: replies only).
 * EOF or `logout` ends the session and calls cfg.stdin_end. The fds are
 * not closed. SIGPIPE must be ignored by the process (writes to a pipe).
 *
 * Return: 0; -EPERM if @in_fd cannot be watched (a regular file,
 * /dev/null: the caller treats it as EOF at once); -errno
 */
int mgmt_stdin(struct mgmt *m, int in_fd, int out_fd)
{
	return session_new(m, in_fd, out_fd, true);
}

/**
 * mgmt_sessions() - number of console sessions open
 * @m:		the console
 *
 * Return: the count (the stdin one included)
 */
unsigned mgmt_sessions(const struct mgmt *m)
{
	return m->nsessions;
}
