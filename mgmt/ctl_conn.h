/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_conn.h - the client side of the vde_switch management console, as
 * patchbay's console speaks it too.
 *
 * Framing (vde_switch 2.3.2, measured): a banner ending in the prompt
 * "\nvde$ " (no newline after it); each command is one line, read by the
 * switch in ONE read() of at most 128 bytes (so a command is sent in one
 * write and never longer than CTL_CMD_MAX); the reply is an optional
 * "0000 DATA END WITH '.'" line, body lines up to a "." line, a status
 * line "1NNN text" and the prompt again, or "9999 END OF SESSION" and the
 * end of the connection. Asynchronous debug lines "3NNN category text"
 * arrive between replies, possibly right after a prompt on the same line.
 */
#ifndef PATCHBAY_CTL_CONN_H
#define PATCHBAY_CTL_CONN_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_CMD_MAX 127		/* bytes of a command, without '\n' */
#define CTL_LINE_MAX 65536	/* longest line accepted from the switch */
#define CTL_BANNER_MAX 64	/* banner lines before the prompt */
#define CTL_PROMPT_MAX 64	/* bytes of a prompt, "$ " included */

/**
 * struct ctl_conn - a console connection
 * @fd:		the connected socket, or -1
 * @buf:	received bytes not consumed yet, [@off, @len)
 * @cap:	size of @buf
 * @len:	end of the received bytes
 * @off:	start of the unconsumed ones (always at a line start)
 * @eof:	the switch closed its side
 * @timeout_ms:	time allowed for each exchange, or -1 for no limit
 * @why:	text of the last protocol error, for the caller's message
 */
struct ctl_conn {
	int fd;
	char *buf;
	size_t cap;
	size_t len;
	size_t off;
	bool eof;
	int timeout_ms;
	char why[160];
};

/**
 * struct ctl_reply - what the switch answered to one command
 * @lines:	body lines, without newline, NUL-terminated
 * @n:		their number
 * @cap:	room in @lines
 * @has_body:	the "0000 DATA END WITH '.'" wrapper was there
 * @code:	status code: 1000 success, 1NNN error (NNN an errno),
 *		9999 end of session
 * @text:	the status text ("Success")
 */
struct ctl_reply {
	char **lines;
	size_t n;
	size_t cap;
	bool has_body;
	unsigned code;
	char *text;
};

/* Called for each asynchronous "3NNN ..." line, without its newline. */
typedef void (*ctl_async_fn)(void *arg, const char *line);

int ctl_conn_attach(struct ctl_conn *c, int fd, int timeout_ms);
int ctl_conn_open(struct ctl_conn *c, const char *path, int timeout_ms);
void ctl_conn_close(struct ctl_conn *c);
int ctl_conn_banner(struct ctl_conn *c, struct ctl_reply *banner);
int ctl_check_command(const char *cmd);
int ctl_command(struct ctl_conn *c, const char *cmd, bool want_prompt,
		struct ctl_reply *r, ctl_async_fn fn, void *arg);
int ctl_conn_poll_async(struct ctl_conn *c, ctl_async_fn fn, void *arg);
size_t ctl_conn_pending(struct ctl_conn *c, const char **data);
void ctl_logout(struct ctl_conn *c);
void ctl_reply_free(struct ctl_reply *r);

#endif /* PATCHBAY_CTL_CONN_H */
