/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_ctl_conn.c - patchbay-ctl's console framing (mgmt/ctl_conn.c) over
 * a socketpair: the bytes vde_switch writes, asynchronous lines where
 * they can appear, and every way a peer can misbehave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "ctl_conn.h"

#define BANNER "VDE switch V.2.3.2\n(C) Virtual Square Team (coord. R. " \
	       "Davoli) 2005,2006,2007 - GPLv2\n\nvde$ "

struct pair {
	struct ctl_conn c;
	int peer;
	char async[8][128];
	int nasync;
};

static void pair_open(struct pair *p, int timeout_ms)
{
	int sv[2];

	memset(p, 0, sizeof(*p));
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		     0);
	cr_assert_eq(ctl_conn_attach(&p->c, sv[0], timeout_ms), 0);
	p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
	ctl_conn_close(&p->c);
	if (p->peer >= 0)
		close(p->peer);
}

static void peer_write(struct pair *p, const void *data, size_t len)
{
	cr_assert_eq(write(p->peer, data, len), (ssize_t)len);
}

static void peer_says(struct pair *p, const char *s)
{
	peer_write(p, s, strlen(s));
}

/* What the client sent, NUL-terminated. */
static void peer_expect(struct pair *p, const char *want)
{
	char buf[256];
	ssize_t r = read(p->peer, buf, sizeof(buf) - 1);

	cr_assert(r > 0);
	buf[r] = '\0';
	cr_assert_str_eq(buf, want);
}

static void on_async(void *arg, const char *line)
{
	struct pair *p = arg;

	cr_assert(p->nasync < 8);
	snprintf(p->async[p->nasync++], sizeof(p->async[0]), "%s", line);
}

Test(ctl_conn, banner_body_status)
{
	struct ctl_reply banner = { .n = 0 }, r = { .n = 0 };
	struct pair p;

	pair_open(&p, 2000);
	peer_says(&p, BANNER);
	cr_assert_eq(ctl_conn_banner(&p.c, &banner), 0);
	cr_assert_eq(banner.n, 3);
	cr_assert_str_eq(banner.lines[0], "VDE switch V.2.3.2");
	cr_assert_str_eq(banner.lines[2], "");

	/* an async line glued to the prompt, empty body lines kept, a
	 * "$ " inside the body is no prompt */
	peer_says(&p, "3021 port/+ 01\n0000 DATA END WITH '.'\nA\n\nvde$ x\n"
		      ".\n1000 Success\n\nvde$ 3022 port/- 01\n");
	cr_assert_eq(ctl_command(&p.c, "showinfo", true, &r, on_async, &p), 0);
	peer_expect(&p, "showinfo\n");
	cr_assert(r.has_body);
	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.lines[0], "A");
	cr_assert_str_eq(r.lines[1], "");
	cr_assert_str_eq(r.lines[2], "vde$ x");
	cr_assert_eq(r.code, 1000);
	cr_assert_str_eq(r.text, "Success");
	cr_assert_eq(p.nasync, 1);
	cr_assert_str_eq(p.async[0], "3021 port/+ 01");

	/* the line after the prompt, then one arriving in two pieces */
	cr_assert_eq(ctl_conn_poll_async(&p.c, on_async, &p), 0);
	cr_assert_eq(p.nasync, 2);
	cr_assert_str_eq(p.async[1], "3022 port/- 01");
	peer_says(&p, "3031 port/ep/+ Po");
	cr_assert_eq(ctl_conn_poll_async(&p.c, on_async, &p), 0);
	cr_assert_eq(p.nasync, 2);
	peer_says(&p, "rt 02 FD  8\n");
	cr_assert_eq(ctl_conn_poll_async(&p.c, on_async, &p), 0);
	cr_assert_eq(p.nasync, 3);
	cr_assert_str_eq(p.async[2], "3031 port/ep/+ Port 02 FD  8");

	/* an error status after an empty body */
	peer_says(&p, "0000 DATA END WITH '.'\n.\n1022 Invalid argument\n\nvde$ ");
	cr_assert_eq(ctl_command(&p.c, "port/print 99", true, &r, NULL, NULL),
		     0);
	peer_expect(&p, "port/print 99\n");
	cr_assert(r.has_body);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.code, 1022);
	cr_assert_str_eq(r.text, "Invalid argument");

	/* without want_prompt the status ends the exchange */
	peer_says(&p, "1038 Function not implemented\n");
	cr_assert_eq(ctl_command(&p.c, "foo/bar", false, &r, NULL, NULL), 0);
	cr_assert_eq(r.code, 1038);
	cr_assert(!r.has_body);

	ctl_reply_free(&r);
	ctl_reply_free(&banner);
	pair_close(&p);
	leak_check();
}

Test(ctl_conn, end_of_session)
{
	struct ctl_reply r = { .n = 0 };
	struct pair p;

	pair_open(&p, 2000);
	peer_says(&p, "vde$ 9999 END OF SESSION");
	shutdown(p.peer, SHUT_WR);
	cr_assert_eq(ctl_conn_banner(&p.c, &r), 0);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(ctl_command(&p.c, "shutdown", true, &r, NULL, NULL), 0);
	cr_assert_eq(r.code, 9999);
	cr_assert_str_eq(r.text, "END OF SESSION");
	ctl_reply_free(&r);
	pair_close(&p);
	leak_check();
}

/* Run "cmd" against a peer that already said @script; return the rc. */
static int exchange(const char *script, size_t len, bool hangup,
		    int timeout_ms, char *why, size_t whylen)
{
	struct ctl_reply r = { .n = 0 };
	struct pair p;
	int rc;

	pair_open(&p, timeout_ms);
	peer_says(&p, "vde$ ");
	cr_assert_eq(ctl_conn_banner(&p.c, &r), 0);
	fcntl(p.peer, F_SETFL, O_NONBLOCK);
	if (len)
		peer_write(&p, script, len);
	if (hangup)
		shutdown(p.peer, SHUT_WR);	/* still reads our command */
	rc = ctl_command(&p.c, "cmd", true, &r, NULL, NULL);
	snprintf(why, whylen, "%s", p.c.why);
	ctl_reply_free(&r);
	pair_close(&p);
	return rc;
}

Test(ctl_conn, misbehaving_peers)
{
	static const char nul[] = "0000 DATA END WITH '.'\nab\0c\n.\n";
	char why[160], *big;

	cr_assert_eq(exchange("", 0, false, 100, why, sizeof(why)),
		     -ETIMEDOUT);
	cr_assert_str_eq(why, "no answer within 1 s");
	/* status, but the prompt never comes */
	cr_assert_eq(exchange("1000 Success\n", 13, false, 100, why,
			      sizeof(why)), -ETIMEDOUT);
	cr_assert_eq(exchange(nul, sizeof(nul) - 1, false, 1000, why,
			      sizeof(why)), -EPROTO);
	cr_assert(strstr(why, "NUL"), "%s", why);
	cr_assert_eq(exchange("0000 DATA END WITH '.'\nline\n", 28, true, 1000,
			      why, sizeof(why)), -ECONNRESET);
	cr_assert_eq(exchange("", 0, true, 1000, why, sizeof(why)),
		     -ECONNRESET);
	cr_assert_eq(exchange("HTTP/1.1 400 Bad\n", 17, false, 1000, why,
			      sizeof(why)), -EPROTO);
	cr_assert_str_eq(why, "unexpected line: \"HTTP/1.1 400 Bad\"");
	cr_assert_eq(exchange("\xff\xfe\x01garbage\n", 11, false, 1000, why,
			      sizeof(why)), -EPROTO);
	cr_assert_eq(exchange("vde$ ", 5, false, 1000, why, sizeof(why)),
		     -EPROTO);
	cr_assert_eq(exchange("0000 DATA END WITH '.'\n.\n0000 DATA END WITH "
			      "'.'\n", 48, false, 1000, why, sizeof(why)),
		     -EPROTO);

	big = malloc(CTL_LINE_MAX + 10);
	cr_assert(big);
	memset(big, 'x', CTL_LINE_MAX + 10);
	cr_assert_eq(exchange(big, CTL_LINE_MAX + 10, false, 1000, why,
			      sizeof(why)), -EMSGSIZE);
	free(big);
	leak_check();
}

Test(ctl_conn, banner_refusals)
{
	struct ctl_reply r = { .n = 0 };
	struct pair p;
	int i;

	pair_open(&p, 1000);
	for (i = 0; i <= CTL_BANNER_MAX; i++)
		peer_says(&p, "line\n");
	cr_assert_eq(ctl_conn_banner(&p.c, &r), -EPROTO);
	pair_close(&p);

	pair_open(&p, 100);
	peer_says(&p, "vde");	/* a prompt that never ends */
	cr_assert_eq(ctl_conn_banner(&p.c, &r), -ETIMEDOUT);
	pair_close(&p);

	pair_open(&p, 1000);
	peer_says(&p, "VDE\n");
	close(p.peer);
	p.peer = -1;
	cr_assert_eq(ctl_conn_banner(&p.c, &r), -ECONNRESET);
	pair_close(&p);
	ctl_reply_free(&r);
	leak_check();
}

Test(ctl_conn, commands_checked)
{
	char big[CTL_CMD_MAX + 2];

	cr_assert_eq(ctl_check_command("port/print 1"), 0);
	cr_assert_eq(ctl_check_command("a\nb"), -EINVAL);
	cr_assert_eq(ctl_check_command(""), -ENOMSG);
	cr_assert_eq(ctl_check_command(" \t"), -ENOMSG);
	cr_assert_eq(ctl_check_command("  # comment"), -ENOMSG);
	memset(big, 'x', sizeof(big));
	big[CTL_CMD_MAX] = '\0';
	cr_assert_eq(ctl_check_command(big), 0);
	big[CTL_CMD_MAX] = 'x';
	big[CTL_CMD_MAX + 1] = '\0';
	cr_assert_eq(ctl_check_command(big), -E2BIG);
	leak_check();
}
