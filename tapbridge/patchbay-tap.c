/* SPDX-License-Identifier: GPL-2.0-or-later
 * patchbay-tap.c - join a VDE switch (any libvdeplug URL) or a vde_plug
 * byte stream on stdin/stdout to a kernel TAP device: the replacement for
 * vde_plug2tap.
 *
 * The TAP is opened with tap_open() and configured through netlink
 * (tapnl_configure(): link up, MTU 1500 unless --tap-mtu, addresses, MAC,
 * bridge) before any frame is relayed, and before -d returns. One poll()
 * loop relays frames both ways in batches of up to RELAY_BATCH: the TAP is
 * read until EAGAIN, the switch side while it has data. When the switch
 * side is a plain vde:// connection - its data fd a connected AF_UNIX
 * datagram socket, on which vde_send()/vde_recv() are send()/recv() - a
 * batch goes with one sendmmsg() and comes with one recvmmsg(); any other
 * libvdeplug plugin gets vde_send()/vde_recv(), a frame at a time. On
 * SIGTERM, SIGINT,
 * end of input or the switch going away, the netlink changes are put back
 * (tapnl_revert()) and the TAP is closed, so a device this process created
 * goes away with it.
 *
 * With -s - the other side is the vde_plug stream (lib/vdestream.h): each
 * frame preceded by its length as two big-endian bytes. A length of 0 is
 * skipped; a length above FRAME_MAX is reported and the buffered input
 * dropped, so the stream resynchronises on the next read, as vde_plug does.
 *
 * --mkpersist and --rmpersist prepare (or remove) a persistent TAP that an
 * unprivileged user may open, and exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "daemon.h"
#include "log.h"
#include "parse.h"
#include "tap.h"
#include "vdestream.h"

#define PROG "patchbay-tap"
/* The largest frame: MTU 9216 + Ethernet header + one 802.1Q tag. */
#define FRAME_MAX 9234
#define FRAME_MIN 14
#define RELAY_BATCH 64
#define STREAM_HDR 2

enum {
	OPT_TAP_ADDR = 256,
	OPT_TAP_BRIDGE,
	OPT_TAP_MTU,
	OPT_TAP_MAC,
	OPT_MKPERSIST,
	OPT_RMPERSIST,
	OPT_OWNER,
	OPT_GROUP,
};

static const struct option longopts[] = {
	{ "sock", required_argument, NULL, 's' },
	{ "port", required_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "pidfile", required_argument, NULL, 'P' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "tap-addr", required_argument, NULL, OPT_TAP_ADDR },
	{ "tap-bridge", required_argument, NULL, OPT_TAP_BRIDGE },
	{ "tap-mtu", required_argument, NULL, OPT_TAP_MTU },
	{ "tap-mac", required_argument, NULL, OPT_TAP_MAC },
	{ "mkpersist", no_argument, NULL, OPT_MKPERSIST },
	{ "rmpersist", no_argument, NULL, OPT_RMPERSIST },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *sock;	/* NULL: the default switch; "-": stdin/out */
	int port;
	bool have_mode;
	unsigned mode;
	const char *vdegroup;
	bool daemon;
	const char *pidfile;
	int verbose;
	bool mkpersist, rmpersist;
	const char *owner, *group;
	const char *ifname;
	struct tap_spec spec;
};

/* The relay: the TAP, the other side, and what was dropped. */
struct relay {
	int tapfd;
	VDECONN *conn;		/* NULL with -s - */
	int in_fd, out_fd;	/* the stream (-s -), else -1 */
	int dgram_fd;		/* the switch's data socket when it is a
				 * connected datagram socket, else -1 */
	unsigned long drops_tap, drops_sw, bad_len;
	uint8_t frame[FRAME_MAX + STREAM_HDR];
	struct vds_reader in;	/* the stream (-s -) */
	/* a batch for dgram_fd: frame i in bufs[i], described by msgs[i] */
	struct mmsghdr msgs[RELAY_BATCH];
	struct iovec iov[RELAY_BATCH];
	uint8_t bufs[RELAY_BATCH][FRAME_MAX];
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [OPTIONS] IFNAME\n"
"       " PROG " --mkpersist --owner USER [--group GROUP] IFNAME\n"
"       " PROG " --rmpersist IFNAME\n"
"Join a VDE switch (or a vde_plug stream) to the TAP device IFNAME.\n"
"  -s, --sock SOCK|URL|-   switch directory or libvdeplug URL (default:\n"
"                          the default switch); - speaks the vde_plug\n"
"                          stream on stdin/stdout\n"
"  -p, --port N            switch port to ask for\n"
"  -m, --mode MODE         octal mode of the data socket\n"
"  -g GROUP                group of the data socket\n"
"  -d, --daemon            run in the background once ready, log to syslog\n"
"  -P, --pidfile FILE      write the pid to FILE\n"
"  -v, --verbose           debug messages\n"
"      --tap-addr A/LEN    add an IPv4/IPv6 address (repeatable)\n"
"      --tap-bridge BR     enslave the TAP to the Linux bridge BR\n"
"      --tap-mtu N         MTU (%d..%d, default 1500)\n"
"      --tap-mac MAC       set the TAP's MAC address\n"
"      --mkpersist         create IFNAME as a persistent TAP owned by\n"
"                          --owner USER (and --group GROUP), then exit\n"
"      --rmpersist         make IFNAME non-persistent (it goes away)\n"
"  -h, --help              this help\n"
"      --version           the version\n",
		TAPNL_MTU_MIN, TAPNL_MTU_MAX);
}

static void bad_opt(const char *what, const char *arg, const char *why)
{
	fprintf(stderr, PROG ": %s '%s': %s\n", what, arg, why);
	usage(stderr);
	exit(2);
}

static void parse_opts(struct options *o, int argc, char **argv)
{
	struct tapnl_config *nl = &o->spec.nl;
	unsigned long n;
	char err[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->port = 0;
	tap_spec_init(&o->spec, NULL);
	while ((c = getopt_long(argc, argv, "s:p:m:g:dP:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 's':
			o->sock = optarg;
			break;
		case 'p':
			if (parse_ulong(optarg, 10, 1, 65535, &n))
				bad_opt("-p", optarg, "a port number 1..65535");
			o->port = (int)n;
			break;
		case 'm':
			if (parse_mode(optarg, &o->mode))
				bad_opt("-m", optarg, "an octal mode");
			o->have_mode = true;
			break;
		case 'g':
			o->vdegroup = optarg;
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
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			exit(0);
		case OPT_TAP_ADDR:
			if (nl->naddrs >= TAPNL_MAX_ADDRS)
				bad_opt("--tap-addr", optarg,
					"too many addresses");
			if (tapnl_parse_addr(optarg, &nl->addrs[nl->naddrs],
					     err, sizeof(err)))
				bad_opt("--tap-addr", optarg, err);
			nl->naddrs++;
			break;
		case OPT_TAP_BRIDGE:
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				bad_opt("--tap-bridge", optarg,
					"not an interface name");
			nl->bridge = optarg;
			break;
		case OPT_TAP_MTU:
			if (parse_ulong(optarg, 10, TAPNL_MTU_MIN,
					TAPNL_MTU_MAX, &n))
				bad_opt("--tap-mtu", optarg,
					"an MTU from 68 to 9216");
			nl->mtu = (unsigned)n;
			break;
		case OPT_TAP_MAC:
			if (parse_mac(optarg, nl->mac))
				bad_opt("--tap-mac", optarg,
					"a unicast MAC address like "
					"02:00:00:00:00:01");
			nl->set_mac = true;
			break;
		case OPT_MKPERSIST:
			o->mkpersist = true;
			break;
		case OPT_RMPERSIST:
			o->rmpersist = true;
			break;
		case OPT_OWNER:
			o->owner = optarg;
			break;
		case OPT_GROUP:
			o->group = optarg;
			break;
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": %s\n",
			optind >= argc ? "the TAP name (IFNAME) is missing"
				       : "only one IFNAME may be given");
		usage(stderr);
		exit(2);
	}
	o->ifname = argv[optind];
	o->spec.ifname = o->ifname;
	if (o->mkpersist && o->rmpersist)
		bad_opt("--mkpersist", "--rmpersist", "choose one");
	if (o->mkpersist && !o->owner)
		bad_opt("--mkpersist", o->ifname, "needs --owner USER");
	if (!o->mkpersist && (o->owner || o->group))
		bad_opt(o->owner ? "--owner" : "--group",
			o->owner ? o->owner : o->group,
			"only with --mkpersist");
	if (o->daemon && o->sock && !strcmp(o->sock, "-"))
		bad_opt("-d", "-s -", "the stream needs stdin/stdout");
}

/* A user or group by name or number; -1 if neither. */
static long lookup_id(const char *s, bool user)
{
	unsigned long n;

	if (!parse_ulong(s, 10, 0, 0x7fffffffUL, &n))
		return (long)n;
	if (user) {
		const struct passwd *pw = getpwnam(s);

		return pw ? (long)pw->pw_uid : -1;
	} else {
		const struct group *gr = getgrnam(s);

		return gr ? (long)gr->gr_gid : -1;
	}
}

/* --mkpersist / --rmpersist: one TUNSET* sequence on a tap_open() fd. */
static int persist(const struct options *o)
{
	char name[IFNAMSIZ], err[512];
	long uid = -1, gid = -1;
	int fd;

	if (o->mkpersist) {
		uid = lookup_id(o->owner, true);
		if (uid < 0)
			bad_opt("--owner", o->owner, "no such user");
		if (o->group) {
			gid = lookup_id(o->group, false);
			if (gid < 0)
				bad_opt("--group", o->group, "no such group");
		}
	}
	fd = tap_open(o->ifname, name, err, sizeof(err));
	if (fd < 0) {
		log_warnx("%s", err);
		return 1;
	}
	if (o->rmpersist) {
		if (ioctl(fd, TUNSETPERSIST, 0UL) < 0) {
			log_warn("TAP %s: TUNSETPERSIST 0", name);
			close(fd);
			return 1;
		}
		close(fd);
		printf("%s: no longer persistent, removed\n", name);
		return 0;
	}
	if (ioctl(fd, TUNSETOWNER, (unsigned long)uid) < 0) {
		log_warn("TAP %s: TUNSETOWNER %ld", name, uid);
		goto fail;
	}
	if (gid >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)gid) < 0) {
		log_warn("TAP %s: TUNSETGROUP %ld", name, gid);
		goto fail;
	}
	if (ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
		log_warn("TAP %s: TUNSETPERSIST 1", name);
		goto fail;
	}
	close(fd);
	printf("%s: persistent TAP, owner %s (uid %ld)", name, o->owner,
	       uid);
	if (gid >= 0)
		printf(", group %s (gid %ld)", o->group, gid);
	printf("; remove it with " PROG " --rmpersist %s\n", name);
	return 0;
fail:
	/* a device this call created goes with the fd: not persistent yet */
	close(fd);
	return 1;
}

/* One frame to the TAP; a full TAP queue drops it. */
static void to_tap(struct relay *r, const uint8_t *buf, size_t len)
{
	ssize_t w;

	do
		w = write(r->tapfd, buf, len);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		r->drops_tap++;
		log_debug("TAP write of %zu bytes: %s", len, strerror(errno));
	}
}

/*
 * Is @fd a connected AF_UNIX datagram socket, the data socket of the
 * vde:// plugin? Then a batch of frames may go through it with
 * sendmmsg()/recvmmsg(), as vde_send()/vde_recv() would one by one.
 */
static bool plain_dgram(int fd)
{
	struct sockaddr_un peer;
	socklen_t len = sizeof(int), plen = sizeof(peer);
	int dom, type;

	return !getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) &&
		dom == AF_UNIX &&
		!getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) &&
		type == SOCK_DGRAM &&
		!getpeername(fd, (struct sockaddr *)&peer, &plen);
}

/* Send frames [0, @n) of the batch to the switch; a full socket drops. */
static int batch_send(struct relay *r, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int rc = sendmmsg(r->dgram_fd, r->msgs + done, n - done, 0);

		if (rc >= 0) {
			done += (unsigned)rc;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			r->drops_sw += n - done;
			return 0;
		}
		log_warn("sending to the switch");
		return -1;
	}
	return 0;
}

/* TAP readable, batched: up to RELAY_BATCH frames, one sendmmsg(). */
static int from_tap_batch(struct relay *r)
{
	unsigned n = 0;

	while (n < RELAY_BATCH) {
		ssize_t len = read(r->tapfd, r->bufs[n], FRAME_MAX);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("TAP read");
			break;
		}
		if (len < FRAME_MIN)
			continue;
		r->iov[n].iov_len = (size_t)len;
		n++;
	}
	return n ? batch_send(r, n) : 0;
}

/* Switch data readable, batched: one recvmmsg(), each frame to the TAP. */
static int from_switch_batch(struct relay *r)
{
	unsigned i;
	int n;

	for (i = 0; i < RELAY_BATCH; i++)
		r->iov[i].iov_len = FRAME_MAX;
	do
		n = recvmmsg(r->dgram_fd, r->msgs, RELAY_BATCH, MSG_DONTWAIT,
			     NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		log_warn("receiving from the switch");
		return -1;
	}
	for (i = 0; i < (unsigned)n; i++)
		if (r->msgs[i].msg_len >= FRAME_MIN)
			to_tap(r, r->bufs[i], r->msgs[i].msg_len);
	return 0;
}

/* Set up the batch for the switch's data socket, if it is a plain one. */
static void batch_init(struct relay *r)
{
	unsigned i;

	r->dgram_fd = -1;
	if (!r->conn || !plain_dgram(vde_datafd(r->conn)))
		return;
	r->dgram_fd = vde_datafd(r->conn);
	for (i = 0; i < RELAY_BATCH; i++) {
		r->iov[i].iov_base = r->bufs[i];
		r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
		r->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	log_debug("the switch's data socket takes batches");
}

/* TAP readable: up to RELAY_BATCH frames to the other side.
 * Return: 0, or -1 when the other side is gone. */
static int from_tap(struct relay *r)
{
	unsigned i;

	for (i = 0; i < RELAY_BATCH; i++) {
		uint8_t *f = r->frame + STREAM_HDR;
		ssize_t n = read(r->tapfd, f, FRAME_MAX);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_warn("TAP read");
			return 0;
		}
		if (n < FRAME_MIN)
			continue;
		if (r->conn) {
			if (vde_send(r->conn, f, (size_t)n, 0) < 0) {
				if (errno == EAGAIN || errno == ENOBUFS) {
					r->drops_sw++;
					continue;
				}
				log_warn("sending to the switch");
				return -1;
			}
		} else {
			struct iovec iov = { r->frame, (size_t)n + STREAM_HDR };

			vds_put_hdr(r->frame, (size_t)n);
			if (vds_write_all(r->out_fd, &iov, 1)) {
				log_warn("writing the stream");
				return -1;
			}
		}
	}
	return 0;
}

/* Switch data readable: up to RELAY_BATCH frames to the TAP. */
static int from_switch(struct relay *r)
{
	unsigned i;

	for (i = 0; i < RELAY_BATCH; i++) {
		struct pollfd p = { .fd = vde_datafd(r->conn), .events = POLLIN };
		ssize_t n;

		if (i && poll(&p, 1, 0) <= 0)
			break;
		n = vde_recv(r->conn, r->frame, FRAME_MAX, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_warn("receiving from the switch");
			return -1;
		}
		if (n >= FRAME_MIN)
			to_tap(r, r->frame, (size_t)n);
	}
	return 0;
}

/* Stream readable: read once, pass on every complete frame.
 * Return: 0, or -1 at end of input. */
static int from_stream(struct relay *r)
{
	const uint8_t *f;
	enum vds_event ev;
	size_t len = 0, want;
	ssize_t n = vds_rx_read(&r->in, r->in_fd);

	if (n == -EAGAIN)
		return 0;
	if (n <= 0) {
		if (n < 0)
			log_warnx("reading the stream: %s", strerror((int)-n));
		else if (vds_rx_partial(&r->in, &want))
			log_warnx("stream: ended inside a frame");
		else
			log_debug("end of the stream");
		return -1;
	}
	while ((ev = vds_rx_next(&r->in, &f, &len)) != VDS_NEED) {
		if (ev == VDS_FRAME) {
			to_tap(r, f, len);
		} else if (ev == VDS_BADLEN) {
			/* lost sync: the buffered input is dropped */
			if (!r->bad_len++ || log_get_verbose())
				log_warnx("stream: frame length %zu is over "
					  "%d, dropping %zu buffered bytes",
					  r->in.bad_len, FRAME_MAX,
					  r->in.bad_drop);
		} else if (ev == VDS_SHORT) {
			log_debug("stream: %zu-byte frame skipped", len);
		}
	}
	vds_rx_release(&r->in);
	return 0;
}

static VDECONN *switch_open(const struct options *o)
{
	struct vde_open_args args = { .port = o->port };
	char descr[] = PROG ":";

	args.group = (char *)(uintptr_t)o->vdegroup;
	args.mode = o->have_mode ? (mode_t)o->mode : 0700;
	return vde_open((char *)(uintptr_t)o->sock, descr, &args);
}

static int relay_run(struct relay *r, int sigfd)
{
	struct pollfd p[4];
	int ctlfd = r->conn ? vde_ctlfd(r->conn) : -1;

	for (;;) {
		int n = 0, itap, isw = -1, ictl = -1;

		p[n] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		n++;
		itap = n;
		p[n++] = (struct pollfd){ .fd = r->tapfd, .events = POLLIN };
		isw = n;
		p[n++] = (struct pollfd){
			.fd = r->conn ? vde_datafd(r->conn) : r->in_fd,
			.events = POLLIN
		};
		if (ctlfd >= 0) {
			ictl = n;
			p[n++] = (struct pollfd){ .fd = ctlfd, .events = POLLIN };
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return 1;
		}
		if (p[0].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				log_info("signal %u, leaving", si.ssi_signo);
			return 0;
		}
		if (p[itap].revents & (POLLERR | POLLNVAL)) {
			log_warnx("TAP: the device is gone");
			return 1;
		}
		if (p[itap].revents & POLLIN &&
		    (r->dgram_fd >= 0 ? from_tap_batch(r) : from_tap(r)))
			return 1;
		if (p[isw].revents) {
			if (r->conn) {
				if (r->dgram_fd >= 0 ? from_switch_batch(r) :
				    from_switch(r))
					return 1;
			} else if (from_stream(r)) {
				return 0;
			}
		}
		if (ictl >= 0 && p[ictl].revents) {
			log_warnx("the switch closed the connection");
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct tapnl_undo *undo = NULL;
	struct options o;
	struct relay *r;
	char name[IFNAMSIZ], err[512];
	int ready_fd = -1, sigfd, rc;
	sigset_t ss;

	log_init(PROG, 0);
	parse_opts(&o, argc, argv);
	log_set_verbose(o.verbose);
	if (o.mkpersist || o.rmpersist)
		return persist(&o);

	r = calloc(1, sizeof(*r));
	if (!r)
		fatal("calloc");
	r->in_fd = r->out_fd = r->dgram_fd = -1;
	vds_rx_init(&r->in);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		fatal("signalfd");
	if (o.daemon)
		ready_fd = daemon_start();

	r->tapfd = tap_open(o.ifname, name, err, sizeof(err));
	if (r->tapfd == -EACCES)
		fatalx("%s: this user may not open the TUN/TAP device (it is "
		       "normally mode 0666); without CAP_NET_ADMIN, only a TAP "
		       "prepared with " PROG " --mkpersist %s --owner USER can "
		       "be joined", err, o.ifname);
	if (r->tapfd < 0)
		fatalx("%s", err);
	o.spec.ifname = name;
	if (tapnl_configure(name, &o.spec.nl, &undo, err, sizeof(err)) < 0) {
		close(r->tapfd);
		fatalx("%s", err);
	}
	if (o.sock && !strcmp(o.sock, "-")) {
		r->in_fd = STDIN_FILENO;
		r->out_fd = STDOUT_FILENO;
	} else {
		r->conn = switch_open(&o);
		if (!r->conn) {
			int e = errno;

			log_warnx("cannot connect to the switch %s: %s",
				  o.sock ? o.sock : "(default)", strerror(e));
			rc = 1;
			goto out;
		}
	}
	batch_init(r);
	log_debug("TAP %s joined to %s", name, o.sock ? o.sock : "(default)");
	if (o.pidfile && pidfile_write(o.pidfile)) {
		log_warn("pidfile %s", o.pidfile);
		rc = 1;
		goto out;
	}
	if (o.daemon)
		daemon_ready(ready_fd);

	rc = relay_run(r, sigfd);
	if (r->drops_tap || r->drops_sw || r->bad_len)
		log_info("dropped %lu frames to the TAP, %lu to the switch; "
			 "%lu bad stream lengths", r->drops_tap, r->drops_sw,
			 r->bad_len);
	if (o.pidfile)
		unlink(o.pidfile);
out:
	if (r->conn)
		vde_close(r->conn);
	if (tapnl_revert(undo, err, sizeof(err)) < 0)
		log_warnx("%s", err);
	close(r->tapfd);
	close(sigfd);
	free(r);
	return rc;
}
