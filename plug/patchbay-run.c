/* SPDX-License-Identifier: GPL-2.0-or-later
 * patchbay-run.c - run an emulator joined to VDE switches: vdeq for the
 * QEMU of today, which has no vlan= any more and may have no VDE backend.
 *
 * The VDE options of the emulator's command line (runargs.c) are joined
 * here, through libvdeplug, before the emulator starts; a refusal is an
 * error and the emulator never runs. Then, per connection:
 *
 * - a vde_switch-style switch (a path or vde:// URL, and a data fd that
 *   is an AF_UNIX datagram socket connected to the switch's NNN.F): the
 *   emulator inherits that data socket itself, as -netdev socket,fd=N.
 *   This process keeps the VDECONN (its control connection holds the
 *   port) and, once the emulator has exec'd, points its own copy of the
 *   data fd at /dev/null with dup2(), so the VDECONN still owns a valid fd
 *   for vde_close() and the only process holding the data socket is the
 *   emulator: no relay, no frame limit, no frame through here.
 * - any other scheme (vxlan://, udp://, ptp://...: the plugin's own
 *   vde_send()/vde_recv() may be needed): the emulator gets one end of a
 *   socketpair(AF_UNIX, SOCK_DGRAM) and this process relays between the
 *   other end and the plugin, up to RELAY_BATCH frames of up to FRAME_MAX
 *   bytes per turn (recvmmsg/sendmmsg on the socketpair).
 *
 * Every fd opened here is close-on-exec except the ones the emulator is
 * given; fds this process inherited are passed on untouched. Signals
 * (HUP, INT, QUIT, TERM, USR1, USR2) arrive through a signalfd and are
 * sent on to the emulator. When it exits, however it was stopped, every
 * connection is closed at once (the switch releases the ports on the
 * control connection's EOF) and this process exits with the emulator's
 * status, or dies of the same signal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "log.h"
#include "runargs.h"

#define PROG "patchbay-run"
/* The largest frame: MTU 9216 + Ethernet header + one 802.1Q tag. */
#define FRAME_MAX 9234
#define FRAME_MIN 14
#define RELAY_BATCH 64
#define RELAY_SOCKBUF (1 << 20)

/* One connection to a switch and the emulator's end of it. */
struct conn {
	const struct run_net *net;
	VDECONN *vc;
	int ctlfd;		/* watched for the switch going away, or -1 */
	int datafd;		/* the plugin's data fd (relay), or -1 */
	int relayfd;		/* our end of the socketpair, or -1 (direct) */
	int handfd;		/* the fd the emulator inherits */
	char what[160];		/* the option, for messages */
	unsigned long drop_in, drop_out;
};

struct launcher {
	struct runargs ra;
	struct conn *conns;
	size_t nconns;
	const char *descr;
	pid_t child;
	int sigfd;
	int *fds0;		/* fds open at start: passed on as they are */
	size_t nfds0;
};

static const int fwd_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				   SIGUSR1, SIGUSR2 };

static uint8_t bufs[RELAY_BATCH][FRAME_MAX + 1];

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [OPTIONS] EMULATOR [-sock PATH[,PATH...]] [--mod OCTAL] ARGS...\n"
"Run EMULATOR (looked up in PATH) with ARGS, its VDE network options joined\n"
"by " PROG " itself:\n"
"  -nic vde,...     becomes -nic socket,fd=N,...\n"
"  -netdev vde,...  becomes -netdev socket,id=ID,fd=N\n"
"  -net vde,...     becomes -net socket,fd=N (vlan=V: a hub port of hub V)\n"
"keys: sock= (switch dir or libvdeplug URL), port=, group=, mode= (octal),\n"
"id=, and model=, mac= with -nic. vdeq's -sock/-vdesock/-unix and --mod\n"
"right after EMULATOR are understood too.\n"
"Options (before EMULATOR only):\n"
"  -D, --descr TEXT   description the switch shows (default: EMULATOR's name)\n"
"  -v, --verbose      print the rewritten command (twice: debug messages)\n"
"  -h, --help         this help\n"
"  -V, --version      the version\n");
}

static bool fd_in(const int *v, size_t n, int fd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == fd)
			return true;
	return false;
}

/* The fds open now, in a new array. Return: 0 or -errno */
static int fds_list(int **out, size_t *n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int *v = NULL;
	size_t size = 0;

	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		if (*n == size) {
			int *nv = realloc(v, (size ? size * 2 : 16) *
						     sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			size = size ? size * 2 : 16;
		}
		v[(*n)++] = (int)fd;
	}
	closedir(d);
	*out = v;
	return 0;
}

/* Every fd opened since the start becomes close-on-exec. */
static int fds_cloexec_new(const struct launcher *l)
{
	int *now;
	size_t n, i;
	int rc = fds_list(&now, &n);

	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		int fl;

		if (fd_in(l->fds0, l->nfds0, now[i]))
			continue;
		fl = fcntl(now[i], F_GETFD);
		if (fl >= 0)
			fcntl(now[i], F_SETFD, fl | FD_CLOEXEC);
	}
	free(now);
	return 0;
}

/* Look @name up in PATH as execvp() would. Return: 0 or -errno */
static int find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p;
	int err = -ENOENT;

	if (strchr(name, '/')) {
		if (snprintf(out, len, "%s", name) >= (int)len)
			return -ENAMETOOLONG;
		return access(out, X_OK) ? -errno : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
		size_t dlen = strcspn(p, ":");

		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)dlen, p,
				     dlen ? "/" : "", name) >= len)
			continue;
		if (!access(out, X_OK))
			return 0;
		if (errno == EACCES)
			err = -EACCES;
	}
	return err;
}

/* Is @fd a datagram socket connected to an AF_UNIX name? */
static bool is_unix_dgram_peer(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(int);
	int type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
	    type != SOCK_DGRAM)
		return false;
	len = sizeof(sun);
	if (getpeername(fd, (struct sockaddr *)&sun, &len))
		return false;
	return sun.sun_family == AF_UNIX &&
	       len > offsetof(struct sockaddr_un, sun_path) + 1;
}

/*
 * After a failed vde_open(), is the switch's ctl socket there? libvdeplug
 * leaves errno from whatever it tried last (a port-group path, say), so
 * this tells "no switch" from "the switch said no".
 * Return: 0 if DIR/ctl accepts a connection, -errno if not, -EINVAL when
 * @sock is not a switch directory.
 */
static int probe_ctl(const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd, rc = 0;

	if (!sock || !runargs_is_vde_scheme(sock))
		return -EINVAL;
	if (!strncmp(sock, "vde://", 6))
		sock += 6;
	len = strcspn(sock, "[");
	if (!len || snprintf(sun.sun_path, sizeof(sun.sun_path), "%.*s/ctl",
			     (int)len, sock) >= (int)sizeof(sun.sun_path))
		return -EINVAL;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		rc = -errno;
	close(fd);
	return rc;
}

static void conn_describe(const struct launcher *l, struct conn *c)
{
	const struct run_net *n = c->net;

	if (n->argi >= 0)
		snprintf(c->what, sizeof(c->what), "%s %s",
			 l->ra.argv[n->argi], l->ra.argv[n->argi + 1]);
	else
		snprintf(c->what, sizeof(c->what), "-sock %s",
			 n->sock ? n->sock : "(the default switch)");
}

/* Join the switch of @c->net; pick the fd the emulator gets. */
static int conn_open(struct launcher *l, struct conn *c)
{
	const struct run_net *n = c->net;
	struct vde_open_args args = {
		.port = n->port,
		.group = n->group,
		.mode = n->mode,
	};
	int sp[2], size = RELAY_SOCKBUF;

	c->ctlfd = c->datafd = c->relayfd = c->handfd = -1;
	conn_describe(l, c);
	errno = 0;
	c->vc = vde_open(n->sock, (char *)(uintptr_t)l->descr, &args);
	if (!c->vc) {
		int err = errno, rc = probe_ctl(n->sock);

		if (!rc)
			log_warnx("%s: the switch at %s refused the request "
				  "(port busy, out of range or not allowed? "
				  "its log says why)", c->what, n->sock);
		else
			log_warnx("%s: cannot join %s: %s", c->what,
				  n->sock ? n->sock : "the default switch",
				  strerror(rc != -EINVAL ? -rc
					   : err ? err : ECONNRESET));
		return -1;
	}
	c->ctlfd = vde_ctlfd(c->vc);
	if (c->ctlfd == vde_datafd(c->vc))
		c->ctlfd = -1;	/* a plugin without a control stream */
	if (runargs_is_vde_scheme(n->sock) &&
	    is_unix_dgram_peer(vde_datafd(c->vc))) {
		c->handfd = vde_datafd(c->vc);
		log_debug("%s: the emulator gets the switch's data socket, "
			  "fd %d", c->what, c->handfd);
		return 0;
	}
	if (l->ra.daemonize) {
		log_warnx("%s: -daemonize needs a vde switch: this "
			  "connection is relayed by " PROG ", which ends with "
			  "the emulator's first process", c->what);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp)) {
		log_warn("%s: socketpair", c->what);
		return -1;
	}
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	fcntl(sp[1], F_SETFL, fcntl(sp[1], F_GETFL) | O_NONBLOCK);
	c->relayfd = sp[1];
	c->handfd = sp[0];
	c->datafd = vde_datafd(c->vc);
	log_debug("%s: relayed, the emulator gets fd %d", c->what, c->handfd);
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->relayfd >= 0)
		close(c->relayfd);
	if (c->handfd >= 0 && c->relayfd >= 0)
		close(c->handfd);	/* still ours before the fork */
	if (c->vc)
		vde_close(c->vc);
	c->vc = NULL;
	c->relayfd = c->handfd = c->ctlfd = c->datafd = -1;
}

static void conns_close(struct launcher *l)
{
	size_t i;

	for (i = 0; i < l->nconns; i++) {
		struct conn *c = &l->conns[i];

		if (c->drop_in || c->drop_out)
			log_info("%s: %lu frames dropped to the switch, %lu "
				 "to the emulator", c->what, c->drop_out,
				 c->drop_in);
		conn_close(c);
	}
}

/* Frames from the emulator to the switch: one batch. */
static void relay_out(struct conn *c)
{
	struct mmsghdr msgs[RELAY_BATCH];
	struct iovec iov[RELAY_BATCH];
	int i, n;

	for (i = 0; i < RELAY_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(c->relayfd, msgs, RELAY_BATCH, MSG_DONTWAIT, NULL);
	for (i = 0; i < n; i++) {
		size_t len = msgs[i].msg_len;

		if (len < FRAME_MIN || len > FRAME_MAX ||
		    (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ||
		    vde_send(c->vc, bufs[i], len, 0) != (ssize_t)len)
			c->drop_out++;
	}
}

static bool readable_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Frames from the switch to the emulator: one batch. */
static void relay_in(struct conn *c)
{
	struct mmsghdr msgs[RELAY_BATCH];
	struct iovec iov[RELAY_BATCH];
	int n = 0, sent;

	do {
		ssize_t len = vde_recv(c->vc, bufs[n], sizeof(bufs[n]),
				       MSG_DONTWAIT);

		if (len < 0 && errno != EAGAIN && errno != EINTR) {
			log_warn("%s: receiving from the switch", c->what);
			c->datafd = -1;
			break;
		}
		if (len == 0 && !readable_now(c->datafd))
			break;
		if (len < FRAME_MIN)
			continue;	/* not a frame (a plugin's own) */
		iov[n].iov_base = bufs[n];
		iov[n].iov_len = (size_t)len;
		memset(&msgs[n].msg_hdr, 0, sizeof(msgs[n].msg_hdr));
		msgs[n].msg_hdr.msg_iov = &iov[n];
		msgs[n].msg_hdr.msg_iovlen = 1;
		n++;
	} while (n < RELAY_BATCH && c->datafd >= 0 &&
		 readable_now(c->datafd));
	if (!n)
		return;
	sent = sendmmsg(c->relayfd, msgs, (unsigned)n, MSG_DONTWAIT);
	if (sent < n)
		c->drop_in += (unsigned long)(n - (sent > 0 ? sent : 0));
}

/* The switch closed a control connection: the port is gone. */
static void ctl_event(struct conn *c)
{
	char buf[256];
	ssize_t r = recv(c->ctlfd, buf, sizeof(buf), MSG_DONTWAIT);

	/* the switch never speaks after its reply: bytes are dropped */
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		log_warnx("%s: the switch closed the connection; the "
			  "emulator's network there is down", c->what);
		c->ctlfd = -1;
	}
}

/* Forward a signal, or reap the child. Return: true once it has exited */
static bool signal_event(struct launcher *l, int *status)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGCHLD) {
			log_debug("forwarding signal %u to %d", si.ssi_signo,
				  (int)l->child);
			kill(l->child, (int)si.ssi_signo);
		}
	}
	return waitpid(l->child, status, WNOHANG) == l->child;
}

/* Watch the signals, the control connections and the relays. */
static int run_loop(struct launcher *l)
{
	struct pollfd *p;
	struct conn **who;
	int status = 0;

	p = calloc(1 + 2 * l->nconns, sizeof(*p));
	who = calloc(1 + 2 * l->nconns, sizeof(*who));
	if (!p || !who)
		fatalx("out of memory");
	for (;;) {
		size_t n = 1, i;

		p[0].fd = l->sigfd;
		p[0].events = POLLIN;
		for (i = 0; i < l->nconns; i++) {
			struct conn *c = &l->conns[i];

			if (c->ctlfd >= 0) {
				p[n].fd = c->ctlfd;
				p[n].events = POLLIN;
				who[n++] = c;
			}
			if (c->relayfd >= 0 && c->datafd >= 0) {
				p[n].fd = c->relayfd;
				p[n].events = POLLIN;
				who[n++] = c;
				p[n].fd = c->datafd;
				p[n].events = POLLIN;
				who[n++] = c;
			}
		}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[0].revents && signal_event(l, &status))
			break;
		for (i = 1; i < n; i++) {
			struct conn *c = who[i];

			if (!p[i].revents)
				continue;
			if (p[i].fd != c->ctlfd && !(p[i].revents & POLLIN)) {
				/* a relay end hung up: stop relaying */
				log_warnx("%s: the %s side closed; relaying "
					  "stops", c->what,
					  p[i].fd == c->relayfd ? "emulator's"
								: "switch's");
				c->datafd = -1;
				continue;
			}
			if (p[i].fd == c->ctlfd)
				ctl_event(c);
			else if (p[i].fd == c->relayfd)
				relay_out(c);
			else if (p[i].fd == c->datafd)
				relay_in(c);
		}
	}
	free(p);
	free(who);
	return status;
}

/* In the child: only the chosen fds cross exec; then the emulator. */
static void child_exec(const struct launcher *l, const char *path,
		       char *const argv[], const sigset_t *mask, int errfd)
{
	size_t i;
	int err;

	sigprocmask(SIG_SETMASK, mask, NULL);
	for (i = 0; i < l->nconns; i++) {
		const struct conn *c = &l->conns[i];

		fcntl(c->handfd, F_SETFD, 0);
		if (l->ra.daemonize && c->ctlfd >= 0)
			fcntl(c->ctlfd, F_SETFD, 0);
	}
	execv(path, argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Fork and exec; return once the exec succeeded. */
static int start(struct launcher *l, const char *path, char *const argv[])
{
	sigset_t set, old;
	int pipefd[2], err = 0, devnull;
	ssize_t r;
	size_t i;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < sizeof(fwd_signals) / sizeof(fwd_signals[0]); i++)
		sigaddset(&set, fwd_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, &old))
		fatal("sigprocmask");
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (l->sigfd < 0 || devnull < 0 || pipe2(pipefd, O_CLOEXEC))
		fatal("setting up");
	fflush(NULL);
	l->child = fork();
	if (l->child < 0)
		fatal("fork");
	if (l->child == 0)
		child_exec(l, path, argv, &old, pipefd[1]);
	signal(SIGPIPE, SIG_IGN);
	close(pipefd[1]);
	do
		r = read(pipefd[0], &err, sizeof(err));
	while (r < 0 && errno == EINTR);
	close(pipefd[0]);
	if (r == sizeof(err)) {
		waitpid(l->child, NULL, 0);
		log_warnx("cannot run %s: %s", path, strerror(err));
		close(devnull);
		return err == ENOENT ? 127 : 126;
	}
	/* the emulator has its fds: ours go */
	for (i = 0; i < l->nconns; i++) {
		struct conn *c = &l->conns[i];

		if (c->relayfd >= 0)
			close(c->handfd);
		else if (dup2(devnull, c->handfd) < 0)
			fatal("dup2");
		c->handfd = -1;
	}
	close(devnull);
	return 0;
}

/* Leave as the emulator left: its exit code, or its signal. */
static void __attribute__((noreturn)) exit_like(int status)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;
	int sig;

	if (!WIFSIGNALED(status))
		exit(WEXITSTATUS(status));
	sig = WTERMSIG(status);
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	exit(128 + sig);
}

static const struct option longopts[] = {
	{ "descr", required_argument, NULL, 'D' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	static struct launcher l;
	char path[PATH_MAX], *name = basename(argv[0]), *line;
	const char *emu = NULL;
	bool vdeq = false;
	char **nargv;
	int verbose = 0, c, rc, nargc;
	size_t i;

	log_init(PROG, 0);
	/* a link named vdeEMU runs EMU, as vdeq's did; vdeq runs argv[1] */
	if (!strncmp(name, "vde", 3) && strcmp(name, "vdeq")) {
		emu = name + 3;
		vdeq = true;
		optind = 1;
	} else {
		vdeq = !strcmp(name, "vdeq");
		while ((c = getopt_long(argc, argv, "+D:vhV", longopts,
					NULL)) != -1) {
			switch (c) {
			case 'D':
				l.descr = optarg;
				break;
			case 'v':
				verbose++;
				break;
			case 'h':
				usage(stdout);
				return 0;
			case 'V':
				printf(PROG " " PACKAGE_VERSION "\n");
				return 0;
			default:
				usage(stderr);
				return 2;
			}
		}
		if (optind >= argc) {
			fprintf(stderr, PROG ": no EMULATOR given\n");
			usage(stderr);
			return 2;
		}
		emu = argv[optind++];
	}
	log_set_verbose(verbose > 1);
	if (!l.descr)
		l.descr = basename((char *)(uintptr_t)emu);

	if (runargs_parse(&l.ra, argc - optind, argv + optind, vdeq)) {
		fprintf(stderr, PROG ": %s\n", l.ra.err);
		runargs_free(&l.ra);
		return 2;
	}
	rc = find_in_path(emu, path, sizeof(path));
	if (rc) {
		fprintf(stderr, PROG ": %s: %s\n", emu,
			rc == -ENOENT && !strchr(emu, '/') ? "not found in PATH"
							   : strerror(-rc));
		runargs_free(&l.ra);
		return rc == -ENOENT ? 127 : 126;
	}
	if (fds_list(&l.fds0, &l.nfds0))
		fatal("listing /proc/self/fd");
	if (!l.ra.nnets)
		log_warnx("no -nic/-netdev/-net vde and no -sock: %s runs "
			  "without a switch", emu);

	l.conns = calloc(l.ra.nnets ? l.ra.nnets : 1, sizeof(*l.conns));
	if (!l.conns)
		fatalx("out of memory");
	for (i = 0; i < l.ra.nnets; i++) {
		struct runargs *ra = &l.ra;

		l.conns[i].net = &ra->nets[i];
		l.nconns++;
		if (conn_open(&l, &l.conns[i])) {
			conns_close(&l);
			return 1;
		}
		ra->nets[i].fd = l.conns[i].handfd;
	}
	if (fds_cloexec_new(&l))
		fatal("listing /proc/self/fd");

	nargv = runargs_build(&l.ra, &nargc);
	if (!nargv || !(nargv = realloc(nargv, (size_t)(nargc + 2) *
						       sizeof(*nargv))))
		fatalx("out of memory");
	memmove(nargv + 1, nargv, (size_t)(nargc + 1) * sizeof(*nargv));
	nargv[0] = (char *)(uintptr_t)emu;
	if (verbose) {
		line = runargs_quote(path, nargv + 1);
		if (!line)
			fatalx("out of memory");
		fprintf(stderr, PROG ": %s\n", line);
		free(line);
	}

	rc = start(&l, path, nargv);
	for (i = 1; nargv[i]; i++)
		free(nargv[i]);
	free(nargv);
	if (rc) {
		conns_close(&l);
		return rc;
	}
	rc = run_loop(&l);
	conns_close(&l);
	runargs_free(&l.ra);
	free(l.conns);
	free(l.fds0);
	exit_like(rc);
}
