/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_term.c - patchbay-ctl's interactive mode: a prompt with line editing
 * and history (libedit's own API, <histedit.h>).
 *
 * libedit reads characters through term_getc(), which waits on the
 * terminal and the console socket at once: asynchronous debug lines that
 * arrive while the user types are printed above the prompt, and libedit
 * redraws the prompt and the line being edited (EL_REFRESH). The run's
 * state reaches the callbacks through EL_CLIENTDATA, not a global.
 */
#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "ctl.h"

#define HISTORY_SIZE 500

/**
 * struct term - the interactive session
 * @x:		the run (connection, options)
 * @el:		libedit's editor
 * @prompt:	"patchbay[SOCK]> "
 * @mbs:	multibyte state of the bytes read from the terminal
 * @tty_out:	stdout is a terminal: clear the prompt line before a line
 * @lost:	the connection failed while idle; @status says how
 * @status:	exit status once @lost
 */
struct term {
	struct ctl *x;
	EditLine *el;
	char *prompt;
	mbstate_t mbs;
	bool tty_out;
	bool lost;
	int status;
};

/* Before printing over the prompt line: back to its start, cleared. */
static void term_clear_line(const struct term *t)
{
	if (t->tty_out) {
		fputs("\r\033[K", stdout);
		fflush(stdout);
	}
}

static char *term_prompt(EditLine *el)
{
	struct term *t;

	el_get(el, EL_CLIENTDATA, &t);
	return t->prompt;
}

/* An asynchronous line while the user types: above the prompt. */
static void term_async(void *arg, const char *line)
{
	struct term *t = arg;

	term_clear_line(t);
	ctl_print_async(t->x, line);
	el_set(t->el, EL_REFRESH);
}

/* libedit's character source: the terminal, serving the socket meanwhile.
 * Return: 1 and a character in @wc, 0 at the end (EOF, connection lost),
 * -1 on a read error. */
static int term_getc(EditLine *el, wchar_t *wc)
{
	struct term *t;

	el_get(el, EL_CLIENTDATA, &t);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t->x->conn.fd, .events = POLLIN },
		};
		ssize_t r;
		size_t k;
		char ch;
		int rc;

		if (poll(p, t->lost ? 1 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!t->lost && p[1].revents) {
			rc = ctl_conn_poll_async(&t->x->conn, term_async, t);
			if (rc) {
				term_clear_line(t);
				t->status = ctl_conn_error(t->x, rc);
				t->lost = true;
				return 0;
			}
			continue;
		}
		if (!p[0].revents)
			continue;
		r = read(STDIN_FILENO, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		k = mbrtowc(wc, &ch, 1, &t->mbs);
		if (k == (size_t)-2)
			continue;	/* more bytes of this character */
		if (k == (size_t)-1) {
			memset(&t->mbs, 0, sizeof(t->mbs));
			*wc = (unsigned char)ch;
		}
		return 1;
	}
}

/**
 * ctl_term_run() - the interactive session: read lines with libedit, run
 * each as a command, until logout, Ctrl-D or the end of the connection
 * @x:		the run, connected, stdin a terminal
 * @banner:	the switch's greeting, shown first
 *
 * Return: CTL_EXIT_OK, or CTL_EXIT_CONN if the connection failed
 */
int ctl_term_run(struct ctl *x, const struct ctl_reply *banner)
{
	struct term t = { .x = x, .tty_out = isatty(STDOUT_FILENO) };
	History *hist;
	HistEvent ev;
	size_t i, plen;
	int rc = CTL_EXIT_OK;

	setlocale(LC_CTYPE, "");
	plen = strlen(x->sock) + sizeof("patchbay[]> ");
	t.prompt = malloc(plen);
	hist = history_init();
	t.el = el_init("patchbay-ctl", stdin, stdout, stderr);
	if (!t.prompt || !hist || !t.el) {
		fprintf(stderr, "patchbay-ctl: cannot set up the terminal\n");
		rc = CTL_EXIT_CONN;
		goto out;
	}
	snprintf(t.prompt, plen, "patchbay[%s]> ", x->sock);
	history(hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(hist, &ev, H_SETUNIQUE, 1);
	el_set(t.el, EL_CLIENTDATA, &t);
	el_set(t.el, EL_EDITOR, "emacs");
	el_set(t.el, EL_SIGNAL, 1);
	el_set(t.el, EL_PROMPT, term_prompt);
	el_set(t.el, EL_HIST, history, hist);
	el_set(t.el, EL_GETCFN, term_getc);
	el_source(t.el, NULL);	/* ~/.editrc, as other libedit programs */

	for (i = 0; i < banner->n; i++)
		printf("%s\n", banner->lines[i]);
	fflush(stdout);
	while (!x->ended) {
		const char *in, *p;
		char *line;
		int count;
		size_t len;

		in = el_gets(t.el, &count);
		if (!in || count <= 0) {
			if (t.lost)
				rc = t.status;
			else
				putchar('\n');	/* Ctrl-D */
			break;
		}
		line = strdup(in);
		if (!line) {
			rc = CTL_EXIT_CONN;
			break;
		}
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line + strspn(line, " \t");
		if (*p && *p != '#') {
			history(hist, &ev, H_ENTER, line);
			if (ctl_run(x, line, true) == CTL_EXIT_CONN) {
				rc = CTL_EXIT_CONN;
				free(line);
				break;
			}
		}
		free(line);
	}
out:
	if (t.el)
		el_end(t.el);
	if (hist)
		history_end(hist);
	free(t.prompt);
	return rc;
}
