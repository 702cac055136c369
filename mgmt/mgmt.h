/* SPDX-License-Identifier: GPL-2.0-or-later
 * mgmt.h - the management console: sessions on a UNIX socket (-M) and on
 * stdin, rc files, debug events, and the switch-independent commands
 * (help, logout, shutdown, showinfo, load, debug/...).
 *
 * The console speaks vde_switch's line protocol byte for byte where
 * clients look (unixterm, vdeterm, unixcmd): a banner and the prompt
 * "\nvde$ " on connect; per command an optional body framed by
 * "0000 DATA END WITH '.'\n" ... ".\n", a status line "1000 Success\n" or
 * "1%03d <strerror>\n", then the prompt; "9999 END OF SESSION" on logout
 * and shutdown; asynchronous debug lines "3%03o <category> <text>\n".
 * Unlike vde_switch, input is line-buffered: every line of a write runs,
 * in order; lines may end in "\r\n"; a line over MGMT_LINE_MAX bytes is
 * answered "1007 Argument list too long" and skipped up to its newline; a
 * line holding NUL or other control bytes is answered "1022 Invalid
 * argument". Output is queued per session and flushed when the peer can
 * take it; a session does not read more commands while over
 * MGMT_OUT_HIGH bytes are queued, and one whose queue would pass the
 * bound (debug events to a peer that does not read) is disconnected.
 *
 * The owner (the daemon) gives callbacks for what the console cannot do
 * itself: stop the switch (shutdown), notice the end of the stdin console,
 * add the switch's line to showinfo.
 *
 * Wiring, in the daemon: mgmt_create() after the loop; each module
 * registers its table (mgmt_register(), CMD_ORDER_*) and its debug
 * categories (mgmt_event_register()); mgmt_load() of the -f file (or of
 * mgmt_rc_default()), exiting non-zero with its message on failure;
 * mgmt_listen() for -M; mgmt_stdin(0, 1) in the foreground unless
 * --nostdin (-EPERM: stdin is a file or /dev/null, i.e. EOF at once);
 * after loop_run() returns,
 * mgmt_destroy() before loop_destroy(). A module raising an event tests
 * mgmt_event_wanted() before calling mgmt_event().
 */
#ifndef PATCHBAY_MGMT_H
#define PATCHBAY_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmd.h"
#include "log.h"
#include "out.h"

struct loop;
struct mgmt;

#define MGMT_LINE_MAX 4096		/* bytes of a command line */
#define MGMT_OUT_MAX (1024 * 1024)	/* default bound of a session queue */
#define MGMT_OUT_HIGH (64 * 1024)	/* stop reading commands above this */
#define MGMT_EVENT_TAGS 512		/* tags 1..0777: "3%03o" */
#define MGMT_LOAD_DEPTH 8		/* nested `load` */
#define MGMT_PARTIAL_MS 100		/* a line without newline, alone */

struct mgmt_config {
	/* `shutdown`: stop the daemon (e.g. loop_stop()); NULL refuses it */
	void (*stop)(void *arg);
	/* the stdin console ended (EOF or `logout`); NULL: nothing */
	void (*stdin_end)(void *arg);
	/* `showinfo`: the switch's lines after the banner; NULL: none */
	void (*showinfo)(void *arg, struct mgmt_out *out);
	void *arg;		/* given to the three */
	size_t out_max;		/* session queue bound; 0: MGMT_OUT_MAX */
};

/* A debug category: `debug/add` path, tag shown in octal, help line. */
struct mgmt_event_cat {
	const char *path;	/* "port/ep/+" */
	unsigned tag;		/* 1..0777, e.g. 031 */
	const char *help;	/* "new endpoint" */
};

/* The start of struct mgmt, public only so that mgmt_event_wanted() is a
 * memory read: number of sessions subscribed to each tag. */
struct mgmt_public {
	uint32_t ev_subs[MGMT_EVENT_TAGS];
};

/*
 * A command may turn the console connection running it into a stream of
 * its own (port/capture N -): mgmt_session_handover() asks that, once the
 * command's reply is queued, the session ends without closing its socket
 * and @fn gets the socket (to own: it closes it, even on failure) with the
 * reply bytes not yet sent, which it must send first. Socket sessions
 * only; the rest of the connection's input is not read as commands.
 */
struct mgmt_handover {
	int (*fn)(const struct mgmt_handover *h, int fd, const void *pending,
		  size_t len);
	void *arg;
	unsigned u[2];		/* for @fn */
};

struct mgmt_session;

int mgmt_session_handover(struct mgmt_session *s,
			  const struct mgmt_handover *h);

struct mgmt *mgmt_create(struct loop *loop, const struct mgmt_config *cfg);
void mgmt_destroy(struct mgmt *m);
struct cmd_registry *mgmt_registry(struct mgmt *m);
int mgmt_register(struct mgmt *m, const struct cmd *cmds, size_t n,
		  int order, void *arg);

int mgmt_listen(struct mgmt *m, const char *path, unsigned mode, gid_t gid,
		char *err, size_t errlen);
const char *mgmt_path(const struct mgmt *m);
int mgmt_attach(struct mgmt *m, int fd);
int mgmt_stdin(struct mgmt *m, int in_fd, int out_fd);
unsigned mgmt_sessions(const struct mgmt *m);

int mgmt_load(struct mgmt *m, const char *path, char *err, size_t errlen);
int mgmt_rc_default(char *buf, size_t len);

int mgmt_event_register(struct mgmt *m, const struct mgmt_event_cat *cats,
			size_t n);
void mgmt_event(struct mgmt *m, unsigned tag, const char *fmt, ...)
	PB_PRINTF(3, 4);

/**
 * mgmt_event_wanted() - is any session subscribed to this debug tag?
 * @m:		the console, or NULL
 * @tag:	the category's tag
 *
 * Test this before formatting an event: with nobody subscribed an event
 * costs this read only.
 *
 * Return: true if mgmt_event() would write something
 */
static inline bool mgmt_event_wanted(const struct mgmt *m, unsigned tag)
{
	const struct mgmt_public *p = (const void *)m;

	return p && tag < MGMT_EVENT_TAGS && p->ev_subs[tag] != 0;
}

#endif /* PATCHBAY_MGMT_H */
