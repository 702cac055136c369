/* SPDX-License-Identifier: GPL-2.0-or-later
 * mgmt_int.h - what the files of mgmt/ share: the console object, the
 * session, and the functions one file offers the others. Not for use
 * outside mgmt/.
 */
#ifndef PATCHBAY_MGMT_INT_H
#define PATCHBAY_MGMT_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "loop.h"
#include "mgmt.h"

#define MGMT_INBUF (2 * MGMT_LINE_MAX)	/* a whole line always fits */
#define MGMT_SUBWORDS (MGMT_EVENT_TAGS / 64)

enum session_end {
	SESSION_RUN,
	SESSION_LOGOUT,		/* END OF SESSION queued: close once sent */
	SESSION_SHUTDOWN,	/* the same, for `shutdown` */
};

/*
 * One console client. A socket session has one fd for both directions and
 * owns it; the stdin session reads in_fd and writes out_fd, owns neither
 * and restores their file status flags when it ends. Output waits in
 * obuf[ohead, ohead + olen). The memory is freed after the loop's batch
 * (dfr), so events of the same batch may still look at @dead.
 */
struct mgmt_session {
	struct mgmt *m;
	struct mgmt_session *prev, *next;
	struct loop_handler in_h;
	struct loop_handler out_h;	/* out_fd != in_fd only */
	struct loop_deferred dfr;
	int in_fd, out_fd;
	int in_flags, out_flags;	/* to restore (stdin session) */
	uint32_t in_ev, out_ev;		/* events watched now */
	bool owned;		/* in_fd is ours: close it */
	bool is_stdin;
	bool interactive;	/* banner and prompts */
	bool out_sock;		/* send(MSG_NOSIGNAL) rather than write() */
	bool out_poll;		/* out_fd can be watched for EPOLLOUT */
	bool out_broken;	/* stdout failed: output dropped */
	bool dead;
	bool eof;		/* no more input */
	bool discard;		/* skipping the rest of an over-long line */
	bool handover;		/* hand the socket over after this reply */
	bool handed;		/* the socket is someone else's now */
	struct mgmt_handover ho;
	struct loop_timer partial;	/* a line without its newline */
	enum session_end end;
	size_t inlen;
	char *obuf;
	size_t ohead, olen, ocap;
	uint64_t subs[MGMT_SUBWORDS];	/* debug tags subscribed */
	char in[MGMT_INBUF];
};

struct ev_table {
	struct ev_table *next;
	const struct mgmt_event_cat *cats;
	size_t n;
};

struct mgmt {
	struct mgmt_public pub;		/* first: see mgmt_event_wanted() */
	struct loop *loop;
	struct mgmt_config cfg;
	struct cmd_registry *reg;
	struct mgmt_session *sessions;
	unsigned nsessions;
	/* the listening socket (-M) */
	int lfd;
	struct loop_handler lh;
	bool paused;		/* not accepting: out of fds */
	struct loop_timer retry;	/* accept again after a shortage */
	bool starved;		/* the shortage was logged */
	unsigned lmode;
	dev_t ldev;
	ino_t lino;
	char lpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* debug categories, in registration order; by tag */
	struct ev_table *ev_tables;
	const struct mgmt_event_cat *ev_by_tag[MGMT_EVENT_TAGS];
};

/* console.c */
int session_new(struct mgmt *m, int in_fd, int out_fd, bool is_stdin);
void session_close(struct mgmt_session *s);
void session_release(struct mgmt_session *s, bool now);
int session_queue(struct mgmt_session *s, const void *data, size_t len,
		  bool async);
void session_logout(struct mgmt_session *s);
void mgmt_shutdown_sessions(struct mgmt *m);
int mgmt_run_line(struct mgmt *m, struct mgmt_session *s, unsigned depth,
		  char *line, struct mgmt_out *body, bool *data);
int mgmt_status(struct mgmt_out *o, int rc);
int mgmt_banner(struct mgmt_out *o);

/* server.c */
void server_close(struct mgmt *m);
void server_resume_accept(struct mgmt *m);
void server_retry_cb(struct loop_timer *t);

/* load.c */
int load_file(struct mgmt *m, struct mgmt_session *s, unsigned depth,
	      const char *path, struct mgmt_out *echo, char *err,
	      size_t errlen);

/* event.c */
bool session_subscribed(const struct mgmt_session *s, unsigned tag);
int event_subscribe(struct mgmt_session *s, const char *path, bool on);
void event_unsubscribe_all(struct mgmt_session *s);
void event_tables_free(struct mgmt *m);
int event_list(struct mgmt *m, const struct mgmt_session *s,
	       struct mgmt_out *out);

/* cmd_core.c, cmd_debug.c */
int cmd_core_register(struct mgmt *m);
int cmd_debug_register(struct mgmt *m);

#endif /* PATCHBAY_MGMT_INT_H */
