/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl.c - patchbay-ctl: command-line client of the management console of
 * patchbay and vde_switch.
 *
 *   patchbay-ctl [OPTIONS] SOCK COMMAND [ARG...]   one command
 *   patchbay-ctl [OPTIONS] SOCK --follow [CAT...]  debug output
 *   patchbay-ctl [OPTIONS] SOCK --capture PORT     pcap to stdout
 *   patchbay-ctl [OPTIONS] SOCK                    terminal or script
 *
 * The body of a reply goes to stdout as the switch sent it (or as JSON),
 * an error status to stderr as "patchbay-ctl: COMMAND: text".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_json.h"
#include "ctl_parse.h"
#include "parse.h"

#define PROG "patchbay-ctl"
#define DEFAULT_TIMEOUT_S 10

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [OPTIONS] SOCK COMMAND [ARG...]\n"
		"       " PROG " [OPTIONS] SOCK --follow [CATEGORY...]\n"
		"       " PROG " [OPTIONS] SOCK --capture PORT [SNAPLEN]\n"
		"       " PROG " [OPTIONS] SOCK\n"
		"Send commands to the management console SOCK of patchbay or vde_switch\n"
		"(-M SOCK). Without COMMAND: a prompt on a terminal, otherwise one\n"
		"command per line of stdin.\n"
		"\n"
		"  -j, --json          bodies (and --follow lines) as JSON\n"
		"  -t, --timeout S     seconds allowed for each reply (default %d, 0: none)\n"
		"  -f, --follow        print debug lines of CATEGORY... (default: all)\n"
		"      --capture       write PORT's traffic to stdout as pcap\n"
		"                      (| tcpdump -r -, | wireshark -k -i -)\n"
		"  -h, --help          this help\n"
		"  -V, --version       the version\n"
		"\n"
		"Exit status: 0 success, 1 the switch answered an error, 2 usage,\n"
		"3 connection or protocol problem (no socket, timeout, garbage).\n",
		DEFAULT_TIMEOUT_S);
}

/**
 * ctl_conn_error() - report a transport or protocol error
 * @x:		the run
 * @rc:		-errno from ctl_conn_*() or ctl_command()
 *
 * Return: CTL_EXIT_CONN
 */
int ctl_conn_error(const struct ctl *x, int rc)
{
	fprintf(stderr, PROG ": %s: %s\n", x->sock,
		x->conn.why[0] ? x->conn.why : strerror(-rc));
	return CTL_EXIT_CONN;
}

/**
 * ctl_print_async() - print an asynchronous line, as is or as JSON
 * @arg:	the struct ctl
 * @line:	"3NNN category text"
 */
void ctl_print_async(void *arg, const char *line)
{
	const struct ctl *x = arg;
	struct ctl_async a;
	struct json j;

	if (x->json && !ctl_parse_async(line, &a)) {
		json_init(&j, stdout);
		ctl_async_json(&j, &a);
		json_finish(&j);
	} else {
		printf("%s\n", line);
	}
	fflush(stdout);
}

/* Refusals before sending: the message, and CTL_EXIT_USAGE. */
static int refuse(const char *cmd, int rc)
{
	switch (rc) {
	case -EINVAL:
		fprintf(stderr, PROG ": a command cannot contain a newline\n");
		break;
	case -E2BIG:
		fprintf(stderr,
			PROG ": %.40s...: longer than %d bytes (the console "
			"would run the rest as another command)\n",
			cmd, CTL_CMD_MAX);
		break;
	default:
		fprintf(stderr, PROG ": empty command or comment: '%s'\n",
			cmd);
		break;
	}
	return CTL_EXIT_USAGE;
}

static int show_reply(struct ctl *x, const char *cmd)
{
	const struct ctl_reply *r = &x->reply;
	bool ok = r->code == 1000 || r->code == 9999;
	size_t i;

	if (ok && x->json && r->code == 1000) {
		struct json j;
		int rc;

		json_init(&j, stdout);
		rc = ctl_body_json(&j, ctl_body_kind(cmd), r->lines, r->n);
		if (rc || json_finish(&j)) {
			fprintf(stderr, PROG ": %s: cannot write JSON: %s\n",
				cmd, strerror(rc ? -rc : EINVAL));
			return CTL_EXIT_CMD;
		}
	} else if (!x->json) {
		for (i = 0; i < r->n; i++)
			printf("%s\n", r->lines[i]);
	}
	if (ok && x->show_status)
		printf("%s\n", r->text);
	fflush(stdout);
	if (r->code == 9999)
		x->ended = true;
	if (ok)
		return CTL_EXIT_OK;
	fprintf(stderr, PROG ": %s: %s\n", cmd, r->text);
	return CTL_EXIT_CMD;
}

/**
 * ctl_run() - send one command, print its reply
 * @x:		the run, connected
 * @cmd:	the command line
 * @want_prompt: more commands follow on this connection
 *
 * Return: an exit status (enum ctl_exit)
 */
int ctl_run(struct ctl *x, const char *cmd, bool want_prompt)
{
	int rc = ctl_check_command(cmd);

	if (rc)
		return refuse(cmd, rc);
	rc = ctl_command(&x->conn, cmd, want_prompt, &x->reply,
			 ctl_print_async, x);
	if (rc)
		return ctl_conn_error(x, rc);
	return show_reply(x, cmd);
}

/* Join @argv with single spaces into a new string; NULL on a newline in
 * an argument or no memory (message printed). */
static char *join_args(int argc, char **argv)
{
	size_t len = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n')) {
			fprintf(stderr, PROG ": argument %d contains a newline\n",
				i + 1);
			return NULL;
		}
		len += strlen(argv[i]) + 1;
	}
	s = malloc(len + 1);
	if (!s) {
		fprintf(stderr, PROG ": out of memory\n");
		return NULL;
	}
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* stdin is not a terminal: one command per line, comments skipped. */
static int run_script(struct ctl *x)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int last = CTL_EXIT_OK;

	while (!x->ended && (len = getline(&line, &cap, stdin)) >= 0) {
		const char *p;
		int rc;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		p = line + strspn(line, " \t");
		if (!*p || *p == '#')
			continue;
		rc = ctl_run(x, line, true);
		if (rc == CTL_EXIT_CONN) {
			last = rc;
			break;
		}
		if (rc)
			last = rc;
	}
	free(line);
	return last;
}

/* Enable @cat's debug output; "File exists" means it already is. */
static int follow_add(struct ctl *x, const char *cat)
{
	char cmd[CTL_CMD_MAX + 1];
	int rc;

	if (strchr(cat, '\n') ||
	    (size_t)snprintf(cmd, sizeof(cmd), "debug/add %s", cat) >=
		    sizeof(cmd)) {
		fprintf(stderr, PROG ": bad debug category '%.40s'\n", cat);
		return CTL_EXIT_USAGE;
	}
	rc = ctl_command(&x->conn, cmd, true, &x->reply, ctl_print_async, x);
	if (rc)
		return ctl_conn_error(x, rc);
	if (x->reply.code == 1000 || x->reply.code == 1000 + EEXIST)
		return CTL_EXIT_OK;
	fprintf(stderr, PROG ": %s: %s\n", cmd, x->reply.text);
	return CTL_EXIT_CMD;
}

/* Print asynchronous lines until SIGINT/SIGTERM (on @sfd) or the switch
 * closes. */
static int follow_loop(struct ctl *x, int sfd)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = x->conn.fd, .events = POLLIN },
		};
		int err = ctl_conn_poll_async(&x->conn, ctl_print_async, x);

		if (err)
			return ctl_conn_error(x, err);
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			perror(PROG ": poll");
			return CTL_EXIT_CONN;
		}
		if (p[0].revents) {	/* SIGINT or SIGTERM: a normal end */
			struct signalfd_siginfo si;

			/* taken, so that unblocking does not deliver it */
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				perror(PROG ": signalfd");
			return CTL_EXIT_OK;
		}
	}
}

/* Subscribe to @cats (all of debug/list's if none), then follow. */
static int follow_run(struct ctl *x, int ncats, char **cats, int sfd)
{
	char **list = NULL;
	size_t n = 0, i;
	int rc;

	if (!ncats) {
		rc = ctl_command(&x->conn, "debug/list", true, &x->reply,
				 ctl_print_async, x);
		if (rc)
			return ctl_conn_error(x, rc);
		if (x->reply.code != 1000) {
			fprintf(stderr, PROG ": debug/list: %s (the switch "
				"offers no debug output)\n", x->reply.text);
			return CTL_EXIT_CMD;
		}
		rc = ctl_debug_categories(x->reply.lines, x->reply.n, &list,
					  &n);
		if (rc) {
			fprintf(stderr, PROG ": debug/list: %s\n",
				rc == -ENOMEM ? strerror(ENOMEM) :
						"no categories in the reply");
			return CTL_EXIT_CMD;
		}
	}
	rc = CTL_EXIT_OK;
	for (i = 0; i < (ncats ? (size_t)ncats : n) && !rc; i++)
		rc = follow_add(x, ncats ? cats[i] : list[i]);
	ctl_free_strings(list, n);
	if (rc)
		return rc;
	return follow_loop(x, sfd);
}

/*
 * --follow: SIGINT and SIGTERM are blocked and read from a signalfd from
 * the start, so that one arriving while the categories are subscribed
 * still ends the run normally (status 0), once the subscription is done.
 */
static int run_follow(struct ctl *x, int ncats, char **cats)
{
	sigset_t set, old;
	int i, sfd, rc;

	for (i = 0; i < ncats; i++)
		if (cats[i][0] == '-') {
			fprintf(stderr, PROG ": --follow: '%s' is not a "
				"category (options go before SOCK)\n", cats[i]);
			return CTL_EXIT_USAGE;
		}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, &old)) {
		perror(PROG ": sigprocmask");
		return CTL_EXIT_CONN;
	}
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		perror(PROG ": signalfd");
		rc = CTL_EXIT_CONN;
	} else {
		rc = follow_run(x, ncats, cats, sfd);
		close(sfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Write all of @data to stdout. Return: 0, -EPIPE (the reader left),
 * or another -errno. */
static int write_out(const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * --capture PORT [SNAPLEN]: "port/capture PORT - [SNAPLEN]" turns the
 * connection into the port's pcap stream, copied to stdout until the
 * switch ends it, stdout's reader goes (tcpdump exits), or a signal.
 */
static int run_capture(struct ctl *x, int argc, char **argv)
{
	char cmd[CTL_CMD_MAX + 1], buf[65536];
	const char *data;
	size_t len;
	int rc;

	if (argc < 1 || argc > 2 || argv[0][0] == '-' ||
	    (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, PROG ": --capture PORT [SNAPLEN]\n");
		return CTL_EXIT_USAGE;
	}
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, PROG ": --capture writes pcap: send stdout to "
			"a file or a pipe (| tcpdump -r -)\n");
		return CTL_EXIT_USAGE;
	}
	snprintf(cmd, sizeof(cmd), "port/capture %s -%s%s", argv[0],
		 argc == 2 ? " " : "", argc == 2 ? argv[1] : "");
	rc = ctl_command(&x->conn, cmd, true, &x->reply, NULL, NULL);
	if (rc)
		return ctl_conn_error(x, rc);
	if (x->reply.code != 1000) {
		size_t i;

		for (i = 0; i < x->reply.n; i++)
			fprintf(stderr, PROG ": %s\n", x->reply.lines[i]);
		fprintf(stderr, PROG ": port/capture %s: %s\n", argv[0],
			x->reply.text);
		return CTL_EXIT_CMD;
	}
	x->ended = true;	/* no more console: the stream is all */
	signal(SIGPIPE, SIG_IGN);
	len = ctl_conn_pending(&x->conn, &data);
	rc = write_out(data, len);
	while (!rc) {
		struct pollfd pfd = { .fd = x->conn.fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		n = read(x->conn.fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		rc = write_out(buf, (size_t)n);
	}
	if (rc == -EPIPE || !rc)
		return CTL_EXIT_OK;
	fprintf(stderr, PROG ": --capture: %s\n", strerror(-rc));
	return CTL_EXIT_CONN;
}

static int opt_timeout(const char *s, int *ms)
{
	unsigned long v;

	if (parse_ulong(s, 10, 0, INT_MAX / 1000, &v)) {
		fprintf(stderr, PROG ": --timeout: '%s' is not a number of "
			"seconds (0 to %d)\n", s, INT_MAX / 1000);
		return -EINVAL;
	}
	*ms = v ? (int)v * 1000 : -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl x = { .sock = NULL };
	struct ctl_reply banner = { .lines = NULL };
	int timeout_ms = DEFAULT_TIMEOUT_S * 1000;
	bool follow = false, capture = false;
	char *cmd = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+jt:fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			x.json = true;
			break;
		case 't':
			if (opt_timeout(optarg, &timeout_ms))
				return CTL_EXIT_USAGE;
			break;
		case 'f':
			follow = true;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf(PROG " (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": missing SOCK, the console socket "
			"(vde_switch -M SOCK)\n");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	x.sock = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--capture")) {
		capture = true;
		optind++;
	}
	if (optind < argc && (!strcmp(argv[optind], "--follow") ||
			      !strcmp(argv[optind], "-f"))) {
		follow = true;
		optind++;
	}
	if (!follow && !capture && optind < argc) {
		cmd = join_args(argc - optind, argv + optind);
		if (!cmd)
			return CTL_EXIT_USAGE;
		rc = ctl_check_command(cmd);
		if (rc) {
			rc = refuse(cmd, rc);
			free(cmd);
			return rc;
		}
	}

	rc = ctl_conn_open(&x.conn, x.sock, timeout_ms);
	if (rc) {
		fprintf(stderr, PROG ": cannot connect to %s: %s\n", x.sock,
			rc == -ETIMEDOUT ? "no answer (backlog full)" :
					   strerror(-rc));
		free(cmd);
		return CTL_EXIT_CONN;
	}
	rc = ctl_conn_banner(&x.conn, &banner);
	if (rc) {
		rc = ctl_conn_error(&x, rc);
	} else if (capture) {
		rc = run_capture(&x, argc - optind, argv + optind);
	} else if (follow) {
		rc = run_follow(&x, argc - optind, argv + optind);
	} else if (cmd) {
		rc = ctl_run(&x, cmd, false);
	} else if (isatty(STDIN_FILENO)) {
		x.show_status = true;
		rc = ctl_term_run(&x, &banner);
	} else {
		rc = run_script(&x);
	}
	if (rc != CTL_EXIT_CONN && !x.ended)
		ctl_logout(&x.conn);
	ctl_conn_close(&x.conn);
	ctl_reply_free(&x.reply);
	ctl_reply_free(&banner);
	free(cmd);
	if (fflush(stdout) || ferror(stdout)) {
		perror(PROG ": stdout");
		if (!rc)
			rc = CTL_EXIT_CMD;
	}
	return rc;
}
