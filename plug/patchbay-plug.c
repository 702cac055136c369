/* SPDX-License-Identifier: GPL-2.0-or-later
 * patchbay-plug.c - a vde_plug-compatible cable end.
 *
 * With one URL (or none: the default switch) it joins that libvdeplug
 * connection to stdin/stdout in vde_plug's byte stream (lib/vdestream.h),
 * so "dpipe vde_plug A = patchbay-plug B" and "dpipe patchbay-plug A = ssh
 * host vde_plug" work. With two URLs it joins the two connections in one
 * process and leaves stdin/stdout alone.
 *
 * One poll() loop; every direction moves a batch of up to BATCH frames per
 * wake-up. Where the URL goes to libvdeplug's own vde module (a switch
 * directory or vde://), frames are read and written with recvmmsg() and
 * sendmmsg() on vde_datafd(), which for that module is exactly what
 * vde_recv()/vde_send() do one frame at a time; any other scheme (vxvde,
 * cmd, slirp, ...) may filter, encapsulate or encrypt in its recv/send, so
 * it gets vde_recv()/vde_send().
 *
 * Memory is bounded in every direction:
 * - stream -> switch: frames are sent from the input buffer in place; when
 *   the switch's socket is full the rest waits there and stdin is not read
 *   (the writer upstream waits, nothing is lost);
 * - switch -> switch: likewise, the batch read from one waits for the
 *   other and the first is not read meanwhile (its switch queues or drops
 *   and counts, as for any slow port);
 * - switch -> stream: a slow stdout fills a bounded buffer, then frames are
 *   dropped whole and counted; the counts are printed at exit (always when
 *   something was dropped, else with -v).
 *
 * It exits with status 0 on stdin EOF, when the stream's reader goes away,
 * when a switch goes away (its control connection closes: vde_plug does the
 * same and exits 0), and on SIGTERM, SIGINT or SIGHUP; with 1 on a failure
 * to connect and on unexpected errors; with 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "daemon.h"
#include "log.h"
#include "parse.h"
#include "vdestream.h"

#define PROG "patchbay-plug"
#define BATCH 64
#define RBUF (VDS_FRAME_MAX + 1)	/* one more: longer frames show */
#define DEF_DESCR PROG ":"

enum {
	OPT_PORT2 = 256,
	OPT_VERSION,
};

static const struct option longopts[] = {
	{ "descr", required_argument, NULL, 'D' },
	{ "port", required_argument, NULL, 'p' },
	{ "port2", required_argument, NULL, OPT_PORT2 },
	{ "group", required_argument, NULL, 'g' },
	{ "group2", required_argument, NULL, 'G' },
	{ "mode", required_argument, NULL, 'm' },
	{ "mod", required_argument, NULL, 'm' },
	{ "mode2", required_argument, NULL, 'M' },
	{ "mod2", required_argument, NULL, 'M' },
	{ "log", no_argument, NULL, 'l' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "pidfile", required_argument, NULL, 'P' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* How to open one end. */
struct endspec {
	const char *url;	/* "" for the default switch */
	int port;		/* 0: any */
	const char *group;
	bool have_mode;
	unsigned mode;
};

struct options {
	struct endspec end[2];
	unsigned nurl;
	const char *descr;
	bool syslog_startstop;
	bool daemon;
	const char *pidfile;
	int verbose;
};

/* One libvdeplug connection. */
struct plug {
	VDECONN *conn;
	const char *name;	/* the URL as given, for messages */
	int fd, ctl;		/* data; control or -1 */
	bool mmsg;		/* vde module: recvmmsg/sendmmsg on fd */
	unsigned long long rx, tx;	/* frames */
	unsigned long rx_short, rx_long, tx_err;
};

/* Frames read from one side, sent to the other as far as it takes them. */
struct batch {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned n, sent;
};

/* Why the loop ended. */
enum stop {
	RUNNING,
	STOP_SIGNAL,
	STOP_EOF,		/* stdin ended or stdout's reader left */
	STOP_GONE,		/* a switch went away */
	STOP_ERROR,
};

struct relay {
	struct plug p[2];
	unsigned np;
	int sigfd;
	/* stream mode */
	struct vds_reader *in;
	struct vds_writer *out;
	struct batch sbatch;	/* stream -> p[0] */
	bool in_eof;
	int out_flags;		/* stdout's flags before O_NONBLOCK, or -1 */
	/* receive buffers and batches: frames read from p[i] */
	uint8_t (*rbuf[2])[RBUF];
	struct iovec riov[2][BATCH];
	struct mmsghdr rmsg[2][BATCH];
	struct batch pbatch[2];
	enum stop stop;
	unsigned long truncated;	/* stream ended inside a frame */
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [OPTIONS] [URL]\n"
"       " PROG " [OPTIONS] URL1 URL2\n"
"A VDE cable end, compatible with vde_plug. With one URL (none: the default\n"
"switch) frames go between it and stdin/stdout in vde_plug's stream (each\n"
"frame after its length in two big-endian bytes), as in\n"
"  dpipe vde_plug /run/sw1 = " PROG " /run/sw2\n"
"  dpipe " PROG " /run/sw1 = ssh host vde_plug\n"
"With two URLs they are joined directly, in this one process.\n"
"  -D, --descr TEXT      port description (default \"" DEF_DESCR "\")\n"
"  -p, --port N          switch port to ask for on URL (1..65535)\n"
"      --port2 N         the same for URL2\n"
"  -g, --group GROUP     group of the data socket (vde:// URLs)\n"
"  -G, --group2 GROUP    the same for URL2\n"
"  -m, --mode MODE       octal mode of the data socket (default 0700)\n"
"  -M, --mode2 MODE      the same for URL2\n"
"  -l, --log             log START and STOP to syslog\n"
"  -d, --daemon          two URLs: run in the background once connected\n"
"  -P, --pidfile FILE    write the pid to FILE\n"
"  -v, --verbose         debug messages and the frame counts at exit\n"
"  -h, --help            this help\n"
"      --version         the version\n"
"URLs: a switch directory, vde://DIR[PORT], or any libvdeplug URL\n"
"(vxvde://, udp://, ptp://, cmd://, tap://, ...). Frames of 14 to %d bytes\n"
"are relayed. Exit status: 0 at the end of the stream, when a switch goes\n"
"away or on SIGTERM/SIGINT/SIGHUP; 1 on errors; 2 on bad usage.\n",
		VDS_FRAME_MAX);
}

static void __attribute__((noreturn)) bad_opt(const char *what,
					      const char *arg, const char *why)
{
	fprintf(stderr, PROG ": %s '%s': %s\n", what, arg, why);
	fprintf(stderr, "Try '" PROG " --help'.\n");
	exit(2);
}

static int opt_port(const char *opt, const char *arg)
{
	unsigned long n;

	if (parse_ulong(arg, 10, 1, 65535, &n))
		bad_opt(opt, arg, "a port number 1..65535");
	return (int)n;
}

static unsigned opt_mode(const char *opt, const char *arg)
{
	unsigned m;

	if (parse_mode(arg, &m))
		bad_opt(opt, arg, "an octal mode such as 0770");
	return m;
}

static void parse_opts(struct options *o, int argc, char **argv)
{
	int c, i;

	memset(o, 0, sizeof(*o));
	o->descr = DEF_DESCR;
	while ((c = getopt_long(argc, argv, "D:p:g:G:m:M:ldP:vhL", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'D':
			o->descr = optarg;
			break;
		case 'p':
			o->end[0].port = opt_port("-p", optarg);
			break;
		case OPT_PORT2:
			o->end[1].port = opt_port("--port2", optarg);
			break;
		case 'g':
			o->end[0].group = optarg;
			break;
		case 'G':
			o->end[1].group = optarg;
			break;
		case 'm':
			o->end[0].mode = opt_mode("-m", optarg);
			o->end[0].have_mode = true;
			break;
		case 'M':
			o->end[1].mode = opt_mode("-M", optarg);
			o->end[1].have_mode = true;
			break;
		case 'l':
			o->syslog_startstop = true;
			break;
		case 'd':
			o->daemon = true;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf(PROG " %s\n", PACKAGE_VERSION);
			exit(0);
		case 'L':
			bad_opt("-L", "--iplog", "IP address logging is not "
				"supported (use -l)");
		default:
			fprintf(stderr, "Try '" PROG " --help'.\n");
			exit(2);
		}
	}
	if (argc - optind > 2) {
		fprintf(stderr, PROG ": at most two URLs ('%s' is a third; "
			"vde_plug's '= command' form is not supported: use "
			"dpipe)\n", argv[optind + 2]);
		exit(2);
	}
	for (i = optind; i < argc; i++)
		o->end[o->nurl++].url = argv[i];
	if (!o->nurl)
		o->end[o->nurl++].url = "";
	if (o->nurl < 2 && (o->end[1].port || o->end[1].group ||
			    o->end[1].have_mode))
		bad_opt("--port2/-G/-M", "", "only with two URLs");
	if (o->daemon && o->nurl < 2)
		bad_opt("-d", o->end[0].url, "the stream needs stdin/stdout: "
			"-d only with two URLs");
	if (strlen(o->descr) >= 100)
		bad_opt("-D", o->descr, "at most 99 characters");
}

/*
 * Does libvdeplug open @url with its own vde module? Resolved as vdeplug4
 * does: an empty URL is the user's default (~/.vdeplug/default, then
 * ~/.vde2/default.switch: a symlink to a switch directory or a file holding
 * a URL), a regular file stands for the URL on its first line, and a URL
 * without "://" belongs to the vde module.
 */
static bool url_is_vde(const char *url)
{
	static const char *const defaults[] = { "/.vdeplug/default",
						"/.vde2/default.switch" };
	char path[4096], line[4096];
	const char *home = getenv("HOME");
	const char *sep;
	struct stat st;
	unsigned i;

	if (!*url && home) {
		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s%s", home,
				 defaults[i]);
			if (!lstat(path, &st)) {
				url = path;
				break;
			}
		}
	}
	if (*url && !stat(url, &st) && S_ISREG(st.st_mode)) {
		FILE *f = fopen(url, "r");
		bool ok;

		if (!f)
			return false;
		ok = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		if (!ok)
			return false;
		line[strcspn(line, "\r\n")] = '\0';
		url = line;
	}
	sep = strstr(url, "://");
	return !sep || (sep - url == 3 && !strncmp(url, "vde", 3));
}

/* The data fd of a vde-module connection is a connected AF_UNIX datagram
 * socket; anything else is left to the plugin's own recv/send. */
static bool fd_is_unix_dgram(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) || v != AF_UNIX)
		return false;
	len = sizeof(v);
	return !getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) &&
	       v == SOCK_DGRAM;
}

static int plug_open(struct plug *p, const struct endspec *e,
		     const char *descr)
{
	struct vde_open_args args = { .port = e->port };
	char d[128];
	const char *shown = *e->url ? e->url : "(the default switch)";

	snprintf(d, sizeof(d), "%s", descr);
	args.group = (char *)(uintptr_t)e->group;
	args.mode = e->have_mode ? (mode_t)e->mode : 0700;
	p->name = shown;
	errno = 0;
	p->conn = vde_open((char *)(uintptr_t)e->url, d, &args);
	if (!p->conn) {
		int err = errno;

		if (err == EPROTONOSUPPORT)
			log_warnx("%s: no libvdeplug plugin for this URL's "
				  "scheme", shown);
		else if (err)
			log_warnx("cannot connect to %s: %s", shown,
				  strerror(err));
		else
			log_warnx("cannot connect to %s: the switch closed the "
				  "connection without a reply (port busy, out "
				  "of range or not permitted?)", shown);
		return -1;
	}
	p->fd = vde_datafd(p->conn);
	p->ctl = vde_ctlfd(p->conn);
	p->mmsg = url_is_vde(e->url) && fd_is_unix_dgram(p->fd);
	log_debug("%s: connected, data fd %d, %s", shown, p->fd,
		  p->mmsg ? "recvmmsg/sendmmsg" : "the plugin's recv/send");
	return 0;
}

/* Is this send/recv error the switch going away? */
static bool err_is_gone(int err)
{
	return err == ECONNREFUSED || err == ECONNRESET || err == ENOTCONN ||
	       err == EPIPE;
}

/*
 * Read up to BATCH frames from @p into @b (buffers @buf, @riov, @rmsg).
 * Frames under 14 bytes (none reach a switch) and over the maximum are
 * dropped and counted. Return: frames in @b, or -errno (-EPIPE: the
 * plugin's end of data).
 */
static int plug_recv(struct plug *p, struct batch *b, uint8_t (*buf)[RBUF],
		     struct iovec *riov, struct mmsghdr *rmsg)
{
	unsigned i, got = 0;
	int n;

	b->n = b->sent = 0;
	if (p->mmsg) {
		for (i = 0; i < BATCH; i++) {
			riov[i] = (struct iovec){ buf[i], RBUF };
			rmsg[i].msg_hdr = (struct msghdr){
				.msg_iov = &riov[i], .msg_iovlen = 1
			};
		}
		do
			n = recvmmsg(p->fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		got = (unsigned)n;
	} else {
		for (i = 0; i < BATCH; i++) {
			struct pollfd pf = { .fd = p->fd, .events = POLLIN };
			ssize_t r;

			if (i && poll(&pf, 1, 0) <= 0)
				break;
			r = vde_recv(p->conn, buf[i], RBUF, 0);
			if (r < 0) {
				if (errno == EINTR || errno == EAGAIN)
					break;
				return -errno;
			}
			if (r == 0) {
				if (!i)
					return -EPIPE;
				break;
			}
			rmsg[i].msg_len = (unsigned)r;
			rmsg[i].msg_hdr.msg_flags = 0;
		}
		got = i;
	}
	for (i = 0; i < got; i++) {
		size_t len = rmsg[i].msg_len;

		if (len < VDS_FRAME_MIN) {
			p->rx_short++;
			continue;
		}
		if (len > VDS_FRAME_MAX ||
		    rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			p->rx_long++;
			continue;
		}
		b->iov[b->n] = (struct iovec){ buf[i], len };
		b->n++;
	}
	p->rx += b->n;
	return (int)b->n;
}

/*
 * Send what is left of @b to @p. Return: 0 when all is sent, 1 when @p is
 * full (wait for POLLOUT), -errno when @p is gone or failing.
 */
static int plug_send(struct plug *p, struct batch *b)
{
	while (b->sent < b->n) {
		int n, err;

		if (p->mmsg) {
			unsigned i;

			for (i = b->sent; i < b->n; i++)
				b->msg[i].msg_hdr = (struct msghdr){
					.msg_iov = &b->iov[i], .msg_iovlen = 1
				};
			n = sendmmsg(p->fd, b->msg + b->sent, b->n - b->sent,
				     MSG_DONTWAIT);
		} else {
			n = vde_send(p->conn, b->iov[b->sent].iov_base,
				     b->iov[b->sent].iov_len, 0) < 0 ? -1 : 1;
		}
		if (n > 0) {
			b->sent += (unsigned)n;
			p->tx += (unsigned)n;
			continue;
		}
		err = n < 0 ? errno : EIO;
		if (err == EINTR)
			continue;
		if (err == EAGAIN || err == ENOBUFS)
			return 1;
		if (err_is_gone(err))
			return -err;
		/* this frame only: count it, go on with the next */
		p->tx_err++;
		log_debug("%s: sending a %zu-byte frame: %s", p->name,
			  b->iov[b->sent].iov_len, strerror(err));
		b->sent++;
	}
	return 0;
}

static void gone(struct relay *r, const struct plug *p, int err)
{
	if (err && !err_is_gone(err)) {
		log_warnx("%s: %s", p->name, strerror(err));
		r->stop = STOP_ERROR;
		return;
	}
	log_info("%s: the switch went away", p->name);
	r->stop = STOP_GONE;
}

/* Report what vds_rx_next() skipped: the first of each kind always, the
 * rest with -v; all are counted for the stat line. */
static void stream_event(struct relay *r, enum vds_event ev, size_t len)
{
	const struct vds_rxstats *st = &r->in->st;

	switch (ev) {
	case VDS_ZERO:
		if (st->zero == 1 || log_get_verbose())
			log_warnx("stream: a frame length of 0, skipped");
		break;
	case VDS_SHORT:
		if (st->shortf == 1 || log_get_verbose())
			log_warnx("stream: a %zu-byte frame (under %d), "
				  "skipped", len, VDS_FRAME_MIN);
		break;
	case VDS_BADLEN:
		if (st->badlen == 1 || log_get_verbose())
			log_warnx("stream: frame length %zu is over %d: lost "
				  "sync, %zu buffered bytes dropped",
				  r->in->bad_len, VDS_FRAME_MAX,
				  r->in->bad_drop);
		break;
	default:
		break;
	}
}

/* Parse and send buffered stream input until it runs out or p[0] is full.
 * Return: 0, or 1 while a batch waits for p[0]. */
static int stream_to_plug(struct relay *r)
{
	struct batch *b = &r->sbatch;

	for (;;) {
		enum vds_event ev = VDS_FRAME;
		const uint8_t *f;
		size_t len = 0;
		int rc;

		if (b->sent < b->n) {
			rc = plug_send(&r->p[0], b);
			if (rc < 0) {
				gone(r, &r->p[0], -rc);
				return 0;
			}
			if (rc)
				return 1;
		}
		vds_rx_release(r->in);
		b->n = b->sent = 0;
		while (b->n < BATCH &&
		       (ev = vds_rx_next(r->in, &f, &len)) != VDS_NEED) {
			if (ev == VDS_FRAME)
				b->iov[b->n++] = (struct iovec){
					(void *)(uintptr_t)f, len
				};
			else
				stream_event(r, ev, len);
		}
		if (!b->n)
			return 0;
	}
}

static void stream_in(struct relay *r)
{
	ssize_t n = vds_rx_read(r->in, STDIN_FILENO);

	if (n == -EAGAIN || n == -ENOBUFS)
		return;
	if (n <= 0) {
		size_t want, have = vds_rx_partial(r->in, &want);

		if (n < 0)
			log_warnx("reading the stream: %s", strerror((int)-n));
		if (have) {
			r->truncated++;
			if (want)
				log_warnx("stream: ended inside a frame (%zu "
					  "of %zu bytes)", have, want);
			else
				log_warnx("stream: ended inside a frame "
					  "length");
		}
		log_debug("end of the stream");
		r->in_eof = true;
		return;
	}
	stream_to_plug(r);
}

static void stream_out(struct relay *r, int rc)
{
	if (!rc)
		return;
	if (rc == -EPIPE)
		log_debug("stdout: the reader went away");
	else
		log_warnx("writing the stream: %s", strerror(-rc));
	r->stop = rc == -EPIPE ? STOP_EOF : STOP_ERROR;
}

/* p[i] readable: a batch to the stream or to the other plug. */
static void plug_in(struct relay *r, unsigned i)
{
	struct plug *p = &r->p[i];
	struct batch *b = &r->pbatch[i];
	int n = plug_recv(p, b, r->rbuf[i], r->riov[i], r->rmsg[i]);
	int rc;

	if (n < 0) {
		gone(r, p, n == -EPIPE ? 0 : -n);
		return;
	}
	if (!n)
		return;
	if (r->np == 1) {
		stream_out(r, vds_tx_write(r->out, STDOUT_FILENO, b->iov,
					   b->n));
		b->n = 0;
		return;
	}
	rc = plug_send(&r->p[!i], b);
	if (rc < 0)
		gone(r, &r->p[!i], -rc);
}

/* p[i] writable again: what waits for it. */
static void plug_out(struct relay *r, unsigned i)
{
	struct batch *b;
	int rc;

	if (r->np == 1) {
		stream_to_plug(r);
		return;
	}
	b = &r->pbatch[!i];
	rc = plug_send(&r->p[i], b);
	if (rc < 0)
		gone(r, &r->p[i], -rc);
}

static bool waiting(const struct batch *b)
{
	return b->sent < b->n;
}

static void relay_run(struct relay *r)
{
	struct pollfd pf[8];
	int idx[8];		/* what each pollfd is */
	enum { I_SIG, I_CTL0, I_CTL1, I_DATA0, I_DATA1, I_IN, I_OUT };

	while (r->stop == RUNNING) {
		int n = 0, k;
		unsigned i;

		if (r->in_eof && !waiting(&r->sbatch)) {
			r->stop = STOP_EOF;
			break;
		}
		pf[n] = (struct pollfd){ r->sigfd, POLLIN, 0 };
		idx[n++] = I_SIG;
		for (i = 0; i < r->np; i++) {
			short ev = 0;

			if (r->p[i].ctl >= 0) {
				pf[n] = (struct pollfd){ r->p[i].ctl, POLLIN,
							 0 };
				idx[n++] = I_CTL0 + (int)i;
			}
			if (r->np == 1) {
				ev = POLLIN;
				if (waiting(&r->sbatch))
					ev |= POLLOUT;
			} else {
				if (!waiting(&r->pbatch[i]))
					ev |= POLLIN;
				if (waiting(&r->pbatch[!i]))
					ev |= POLLOUT;
			}
			pf[n] = (struct pollfd){ r->p[i].fd, ev, 0 };
			idx[n++] = I_DATA0 + (int)i;
		}
		if (r->np == 1 && !r->in_eof && !waiting(&r->sbatch)) {
			pf[n] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
			idx[n++] = I_IN;
		}
		if (r->np == 1 && vds_tx_pending(r->out)) {
			pf[n] = (struct pollfd){ STDOUT_FILENO, POLLOUT, 0 };
			idx[n++] = I_OUT;
		}
		if (poll(pf, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			r->stop = STOP_ERROR;
			break;
		}
		for (k = 0; k < n && r->stop == RUNNING; k++) {
			short re = pf[k].revents;

			if (!re)
				continue;
			switch (idx[k]) {
			case I_SIG: {
				struct signalfd_siginfo si;

				if (read(r->sigfd, &si, sizeof(si)) ==
				    sizeof(si))
					log_debug("signal %u, leaving",
						  si.ssi_signo);
				r->stop = STOP_SIGNAL;
				break;
			}
			case I_CTL0:
			case I_CTL1:
				gone(r, &r->p[idx[k] - I_CTL0], 0);
				break;
			case I_DATA0:
			case I_DATA1:
				i = (unsigned)(idx[k] - I_DATA0);
				if (re & POLLOUT)
					plug_out(r, i);
				if (r->stop == RUNNING &&
				    re & (POLLIN | POLLERR | POLLHUP))
					plug_in(r, i);
				break;
			case I_IN:
				stream_in(r);
				break;
			case I_OUT:
				stream_out(r, vds_tx_flush(r->out,
							   STDOUT_FILENO));
				if (re & (POLLERR | POLLHUP) &&
				    r->stop == RUNNING && !(re & POLLOUT))
					r->stop = STOP_EOF;
				break;
			}
		}
	}
}

/* The stat line: always when something was dropped, else with -v. */
static void report(const struct relay *r)
{
	const struct plug *a = &r->p[0], *b = &r->p[1];
	unsigned long drops = a->rx_short + a->rx_long + a->tx_err;
	char line[512];
	int n;

	if (r->np == 2) {
		drops += b->rx_short + b->rx_long + b->tx_err;
		if (!drops && !log_get_verbose())
			return;
		n = snprintf(line, sizeof(line), "%s -> %s: %llu frames; "
			     "%s -> %s: %llu frames", a->name, b->name, b->tx,
			     b->name, a->name, a->tx);
	} else {
		const struct vds_rxstats *is = &r->in->st;
		const struct vds_txstats *os = &r->out->st;

		drops += os->dropped + is->zero + is->shortf + is->badlen +
			 r->truncated;
		if (!drops && !log_get_verbose())
			return;
		n = snprintf(line, sizeof(line), "stream -> %s: %llu frames; "
			     "%s -> stream: %llu frames; dropped: %lu "
			     "(stdout full); stream errors: %lu zero "
			     "lengths, %lu short frames, %lu bad lengths "
			     "(%llu bytes dropped), %lu cut at the end",
			     a->name, a->tx, a->name, os->frames, os->dropped,
			     is->zero, is->shortf, is->badlen, is->bad_bytes,
			     r->truncated);
	}
	if (n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n,
			 "; from the switch: %lu short, %lu too long; send "
			 "errors: %lu", a->rx_short + b->rx_short,
			 a->rx_long + b->rx_long, a->tx_err + b->tx_err);
	log_info("%s", line);
}

static const char *user_name(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "?";
}

static int setup_stream(struct relay *r)
{
	int fl;

	r->in = malloc(sizeof(*r->in));
	r->out = malloc(sizeof(*r->out));
	if (!r->in || !r->out)
		return -1;
	vds_rx_init(r->in);
	vds_tx_init(r->out);
	/* written without polling first: must not block */
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl < 0) {
		log_warn("stdout");
		return -1;
	}
	r->out_flags = fl;
	if (!(fl & O_NONBLOCK) &&
	    fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK) < 0) {
		log_warn("stdout: O_NONBLOCK");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct relay *r;
	int ready_fd = -1, rc = 1;
	unsigned i;
	sigset_t ss;

	log_init(PROG, 0);
	parse_opts(&o, argc, argv);
	log_set_verbose(o.verbose);

	r = calloc(1, sizeof(*r));
	if (!r)
		fatal("calloc");
	r->out_flags = -1;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	r->sigfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r->sigfd < 0)
		fatal("signalfd");
	if (o.daemon)
		ready_fd = daemon_start();

	r->np = o.nurl;
	for (i = 0; i < r->np; i++) {
		r->p[i].fd = r->p[i].ctl = -1;
		r->rbuf[i] = malloc(BATCH * sizeof(*r->rbuf[i]));
		if (!r->rbuf[i]) {
			log_warn("receive buffers");
			goto out;
		}
	}
	for (i = 0; i < r->np; i++)
		if (plug_open(&r->p[i], &o.end[i], o.descr))
			goto out;
	if (r->np == 1 && setup_stream(r))
		goto out;
	if (o.pidfile && pidfile_write(o.pidfile)) {
		log_warn("pidfile %s", o.pidfile);
		goto out;
	}
	if (o.syslog_startstop) {
		openlog(PROG, LOG_PID, LOG_USER);
		syslog(LOG_INFO, "START %s %s %s user=%s", r->p[0].name,
		       r->np == 2 ? "=" : "= stdin/stdout",
		       r->np == 2 ? r->p[1].name : "", user_name());
	}
	if (o.daemon)
		daemon_ready(ready_fd);

	relay_run(r);
	rc = r->stop == STOP_ERROR;
	report(r);
	if (o.syslog_startstop)
		syslog(LOG_INFO, "STOP %s user=%s", r->p[0].name, user_name());
	if (o.pidfile)
		unlink(o.pidfile);
out:
	if (r->np == 1 && r->out && rc == 0)
		vds_tx_flush(r->out, STDOUT_FILENO);
	if (r->out_flags >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, r->out_flags);
	for (i = 0; i < r->np; i++) {
		if (r->p[i].conn)
			vde_close(r->p[i].conn);
		free(r->rbuf[i]);
	}
	free(r->in);
	free(r->out);
	close(r->sigfd);
	free(r);
	return rc;
}
