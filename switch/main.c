/* SPDX-License-Identifier: GPL-2.0-or-later
 * main.c - patchbay, the switch daemon: options, start-up, signals.
 *
 * Options follow vde_switch's (getopt_long_only, so -sock and -hub work),
 * new ones are long-only. With -d the parent returns only once the switch
 * is serving (control socket bound, pidfile written) and fails with the
 * child's reason on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "datasock.h"
#include "dgramep.h"
#include "vhostuser.h"
#include "vxlanep.h"
#include "log.h"
#include "loop.h"
#include "mactable.h"
#include "mgmt.h"
#include "parse.h"
#include "port.h"
#include "privdrop.h"
#include "sockaddr.h"
#include "slirpep.h"
#include "stp.h"
#include "streamep.h"
#include "sw.h"
#include "swcmd.h"
#include "tap.h"
#include "vdeplugep.h"

#define DEF_MODE 0600
#define DEF_DIRMODE 02700

enum {
	OPT_MACADDR = 256,
	OPT_HASHSIZE,
	OPT_DIRMODE,
	OPT_MGMTMODE,
	OPT_MGMTGROUP,
	OPT_NOSTDIN,
	OPT_MAXMAC,
	OPT_QFRAMES,
	OPT_QBYTES,
	OPT_QMEMORY,
	OPT_HASH_EXPIRE,
	OPT_HASH_MINPER,
	OPT_DEBUG,
	OPT_PRIORITY,
	OPT_TAP_ADDR,
	OPT_TAP_BRIDGE,
	OPT_TAP_MTU,
	OPT_TAP_MAC,
	OPT_USER,
	OPT_KEEP_NET_ADMIN,
};

#define MAX_TAPS 64
#define MAX_ATTACH 256

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "numports", required_argument, NULL, 'n' },
	{ "hub", no_argument, NULL, 'x' },
	{ "fstp", no_argument, NULL, 'F' },
	{ "macaddr", required_argument, NULL, OPT_MACADDR },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "hashsize", required_argument, NULL, OPT_HASHSIZE },
	{ "sock", required_argument, NULL, 's' },
	{ "vdesock", required_argument, NULL, 's' },
	{ "unix", required_argument, NULL, 's' },
	{ "mode", required_argument, NULL, 'm' },
	{ "mod", required_argument, NULL, 'm' },
	{ "dirmode", required_argument, NULL, OPT_DIRMODE },
	{ "group", required_argument, NULL, 'g' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "rcfile", required_argument, NULL, 'f' },
	{ "mgmt", required_argument, NULL, 'M' },
	{ "mgmtmode", required_argument, NULL, OPT_MGMTMODE },
	{ "mgmtgroup", required_argument, NULL, OPT_MGMTGROUP },
	{ "debugclients", required_argument, NULL, 'D' },
	{ "tap", required_argument, NULL, 't' },
	{ "attach", required_argument, NULL, 'a' },
	{ "tap-addr", required_argument, NULL, OPT_TAP_ADDR },
	{ "tap-bridge", required_argument, NULL, OPT_TAP_BRIDGE },
	{ "tap-mtu", required_argument, NULL, OPT_TAP_MTU },
	{ "tap-mac", required_argument, NULL, OPT_TAP_MAC },
	{ "nostdin", no_argument, NULL, OPT_NOSTDIN },
	{ "maxmac", required_argument, NULL, OPT_MAXMAC },
	{ "queue-frames", required_argument, NULL, OPT_QFRAMES },
	{ "queue-bytes", required_argument, NULL, OPT_QBYTES },
	{ "queue-memory", required_argument, NULL, OPT_QMEMORY },
	{ "hash-expire", required_argument, NULL, OPT_HASH_EXPIRE },
	{ "hash-minper", required_argument, NULL, OPT_HASH_MINPER },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "user", required_argument, NULL, OPT_USER },
	{ "keep-net-admin", no_argument, NULL, OPT_KEEP_NET_ADMIN },
	{ NULL, 0, NULL, 0 },
};

struct options {
	struct sw_config cfg;
	struct datasock_config ds;
	bool mode_set, dirmode_set;
	bool daemon;
	bool nostdin;
	bool fstp;		/* -F */
	unsigned priority;	/* --priority */
	const char *pidfile;
	const char *mgmt;	/* -M */
	const char *rcfile;	/* -f */
	struct tap_spec taps[MAX_TAPS];	/* -t, with --tap-* */
	unsigned ntaps;
	const char *attach[MAX_ATTACH];	/* -a */
	unsigned nattach;
	struct privdrop drop;	/* --user, --keep-net-admin */
	char pidpath[PATH_MAX];
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: patchbay [OPTIONS]\n"
"A VDE switch: libvdeplug clients (QEMU -netdev vde, vde_plug, ...) connect\n"
"to its control directory.\n"
"\n"
"  -h, --help              show this help and exit\n"
"  -v, --version           show the version and exit\n"
"  -s, --sock DIR          control directory (default /var/run/vde.ctl as\n"
"                          root, /tmp/vde.ctl otherwise); also --vdesock,\n"
"                          --unix\n"
"  -m, --mode MODE         mode of the control and data sockets (octal,\n"
"                          default 0600)\n"
"      --dirmode MODE      mode of the directory (octal, default 02700)\n"
"  -g, --group GROUP       group of the directory and sockets\n"
"  -n, --numports N        ports 1..N (default 32, at most 65535)\n"
"  -x, --hub               hub: every frame to every other port\n"
"  -F, --fstp              rapid spanning tree (IEEE 802.1D-2004 RSTP) on;\n"
"                          not with --hub\n"
"      --priority N        its bridge priority (0..65535, default 32768)\n"
"      --hashsize N        MAC table buckets (power of two, default %u)\n"
"      --maxmac N          MAC table entries at most (default %u)\n"
"      --hash-expire S     forget a MAC address unseen for S seconds\n"
"                          (default %u)\n"
"      --hash-minper S     a MAC address may move to another port only\n"
"                          after S seconds on one (default %u)\n"
"      --macaddr MAC       the switch's own MAC address\n"
"      --queue-frames N    output queue per endpoint, frames (default %u)\n"
"      --queue-bytes N     output queue per endpoint, bytes (default %u)\n"
"      --queue-memory N    all output queues together, bytes (default %zu)\n"
"  -d, --daemon            run in the background, log to syslog\n"
"  -p, --pidfile FILE      write the pid to FILE\n"
"      --nostdin           in the foreground, do not stop on EOF on stdin\n"
"  -M, --mgmt SOCK         management console socket (vde_switch's console:\n"
"                          unixterm, vdeterm, unixcmd, patchbay-ctl)\n"
"      --mgmtmode MODE     mode of the console socket and of port-0 data\n"
"                          sockets (octal, default 0600)\n"
"      --mgmtgroup GROUP   their group\n"
"  -f, --rcfile FILE       console commands run at start-up (default\n"
"                          ~/.vde2/vde_switch.rc, then\n"
"                          /etc/vde2/vde_switch.rc, if they exist)\n"
"      --debug             log every connection detail and dropped frame\n"
"      --user USER[:GROUP] after start-up (sockets, -t, -a, rc file,\n"
"                          pidfile) run as USER and GROUP (USER's own\n"
"                          by default), no supplementary groups, no\n"
"                          capabilities; needs root\n"
"      --keep-net-admin    with --user: keep CAP_NET_ADMIN only, so that\n"
"                          port/attach tap://IFNAME works at run time\n"
"  -t, --tap IFNAME        a port on the TAP device IFNAME (created if\n"
"                          absent, brought up; repeatable). Each of the\n"
"                          next four applies to the last -t before it:\n"
"      --tap-addr A/LEN    an IPv4 or IPv6 address for it (repeatable)\n"
"      --tap-bridge BR     enslave it to the Linux bridge BR\n"
"      --tap-mtu N         its MTU (default 1500, at most 9216)\n"
"      --tap-mac MAC       its MAC address\n"
"  -a, --attach URL        a port from a URL (repeatable), as the console's\n"
"                          port/attach: tap://IFNAME, stream+listen://\n"
"                          HOST:PORT or /PATH (a port per QEMU -netdev\n"
"                          stream/socket,connect= peer), stream+connect://\n"
"                          HOST:PORT or /PATH (dials a listening QEMU),\n"
"                          dgram://[LADDR:]LPORT->RADDR:RPORT (also udp://),\n"
"                          mcast://GROUP:PORT[/if=IFNAME][/ttl=N],\n"
"                          slirp://[/OPTION]... (user-mode networking:\n"
"                          DHCP, DNS, NAT, TFTP, forwards; no root),\n"
"                          vxlan://[GROUP|REMOTE,...][/vni=N][/port=4789]\n"
"                          [/if=IFNAME][/local=ADDR]... (RFC 7348); any\n"
"                          other scheme through libvdeplug's plugins\n"
"                          (vde://, vxvde://, ptp://, cmd://, ...)\n"
"  -D, --debugclients N    accepted and ignored, as vde_switch does\n"
"\n"
"In the foreground, stdin is a console too (replies on stdout); EOF on it\n"
"stops the switch, as do Ctrl-C, SIGTERM, SIGHUP and the shutdown command.\n",
		MACTABLE_DEF_HASHSIZE, MACTABLE_DEF_MAXENTRIES,
		MACTABLE_DEF_EXPIRE, MACTABLE_DEF_MINPERS, SW_DEF_QUEUE_FRAMES,
		SW_DEF_QUEUE_BYTES, SW_DEF_QUEUE_MEMORY);
}

static unsigned long opt_num(const char *name, const char *arg,
			     unsigned long min, unsigned long max)
{
	unsigned long v;
	int rc = parse_ulong(arg, 10, min, max, &v);

	if (rc == -ERANGE)
		fatalx("%s %s: out of range (%lu..%lu)", name, arg, min, max);
	if (rc)
		fatalx("%s %s: not a number", name, arg);
	return v;
}

static unsigned opt_mode(const char *name, const char *arg)
{
	unsigned m;

	if (parse_mode(arg, &m))
		fatalx("%s %s: not an octal mode", name, arg);
	return m;
}

static gid_t opt_group(const char *name, const char *arg)
{
	struct group *gr = getgrnam(arg);
	unsigned long v;

	if (gr)
		return gr->gr_gid;
	if (parse_ulong(arg, 10, 0, 0x7fffffff, &v) == 0)
		return (gid_t)v;
	fatalx("%s %s: no such group", name, arg);
}

/* --tap-addr, --tap-bridge, --tap-mtu, --tap-mac: for the last -t. */
static void opt_tap(struct options *o, int c, const char *arg)
{
	const char *name = c == OPT_TAP_ADDR	   ? "--tap-addr"
			   : c == OPT_TAP_BRIDGE ? "--tap-bridge"
			   : c == OPT_TAP_MTU	   ? "--tap-mtu"
						   : "--tap-mac";
	struct tapnl_config *nl;
	char err[256];

	if (!o->ntaps)
		fatalx("%s %s: give -t IFNAME before it", name, arg);
	nl = &o->taps[o->ntaps - 1].nl;
	switch (c) {
	case OPT_TAP_ADDR:
		if (nl->naddrs == TAPNL_MAX_ADDRS)
			fatalx("%s %s: at most %d addresses", name, arg,
			       TAPNL_MAX_ADDRS);
		if (tapnl_parse_addr(arg, &nl->addrs[nl->naddrs], err,
				     sizeof(err)))
			fatalx("%s: %s", name, err);
		nl->naddrs++;
		break;
	case OPT_TAP_BRIDGE:
		nl->bridge = arg;
		break;
	case OPT_TAP_MTU:
		nl->mtu = (unsigned)opt_num(name, arg, 68, 9216);
		break;
	default:
		if (parse_mac(arg, nl->mac))
			fatalx("%s %s: not a MAC address", name, arg);
		nl->set_mac = true;
		break;
	}
}

/* x where r or w is set, plus setgid: vde_switch's dirmode from -m. */
static unsigned dirmode_from_mode(unsigned m)
{
	unsigned d = m;

	if (m & 0600)
		d |= 0100;
	if (m & 060)
		d |= 010;
	if (m & 06)
		d |= 01;
	return d | 02000;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	struct sw_config *cfg = &o->cfg;
	struct datasock_config *ds = &o->ds;
	int c;

	memset(o, 0, sizeof(*o));
	sw_config_defaults(cfg);
	ds->dir = geteuid() == 0 ? "/var/run/vde.ctl" : "/tmp/vde.ctl";
	ds->mode = DEF_MODE;
	ds->dirmode = DEF_DIRMODE;
	ds->group = PORT_GID_NONE;
	ds->mgmtmode = DEF_MODE;
	ds->mgmtgroup = PORT_GID_NONE;
	o->priority = STP_DEF_PRIORITY;
	cfg->mac[0] = 0x00;
	cfg->mac[1] = 0xff;
	if (getrandom(cfg->mac + 2, 4, 0) != 4) {
		unsigned r = (unsigned)getpid() ^ (unsigned)time(NULL);

		memcpy(cfg->mac + 2, &r, 4);
	}

	while ((c = getopt_long_only(argc, argv, "hvn:xFs:m:g:dp:f:M:D:t:a:",
				     longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			printf("patchbay %s\n", PACKAGE_VERSION);
			exit(0);
		case 'n':
			cfg->nports = (unsigned)opt_num("-n", optarg, 1,
							PORT_MAX);
			break;
		case 'x':
			cfg->hub = true;
			break;
		case 'F':
			o->fstp = true;
			break;
		case OPT_MACADDR:
			if (parse_mac(optarg, cfg->mac))
				fatalx("--macaddr %s: not a MAC address",
				       optarg);
			break;
		case OPT_PRIORITY:
			o->priority = (unsigned)opt_num("--priority", optarg,
							0, 65535);
			break;
		case OPT_HASHSIZE:
			cfg->hashsize = (unsigned)opt_num("--hashsize", optarg,
							  1, 1U << 20);
			break;
		case OPT_MAXMAC:
			cfg->maxmac = (unsigned)opt_num("--maxmac", optarg, 1,
							1U << 24);
			break;
		case OPT_QFRAMES:
			cfg->queue_frames = (unsigned)opt_num(
				"--queue-frames", optarg, 0, 1U << 20);
			break;
		case OPT_QBYTES:
			cfg->queue_bytes = (unsigned)opt_num(
				"--queue-bytes", optarg, 0, 1U << 30);
			break;
		case OPT_QMEMORY:
			cfg->queue_memory = (size_t)opt_num(
				"--queue-memory", optarg, 0, SIZE_MAX);
			break;
		case OPT_HASH_EXPIRE:
			cfg->mac_expire = (unsigned)opt_num(
				"--hash-expire", optarg, 1, 86400 * 365);
			break;
		case OPT_HASH_MINPER:
			cfg->mac_minpers = (unsigned)opt_num(
				"--hash-minper", optarg, 0, 86400 * 365);
			break;
		case 's':
			ds->dir = optarg;
			break;
		case 'm':
			ds->mode = opt_mode("-m", optarg);
			o->mode_set = true;
			break;
		case OPT_DIRMODE:
			ds->dirmode = opt_mode("--dirmode", optarg);
			o->dirmode_set = true;
			break;
		case 'g':
			ds->group = opt_group("-g", optarg);
			break;
		case 'd':
			o->daemon = true;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case OPT_MGMTMODE:
			ds->mgmtmode = opt_mode("--mgmtmode", optarg);
			break;
		case OPT_MGMTGROUP:
			ds->mgmtgroup = opt_group("--mgmtgroup", optarg);
			break;
		case OPT_NOSTDIN:
			o->nostdin = true;
			break;
		case OPT_DEBUG:
			log_set_verbose(1);
			break;
		case 'D':
			opt_num("-D", optarg, 0, INT_MAX);
			break;
		case 'M':
			o->mgmt = optarg;
			break;
		case 'f':
			o->rcfile = optarg;
			break;
		case 't':
			if (o->ntaps == MAX_TAPS)
				fatalx("-t %s: at most %d TAP devices", optarg,
				       MAX_TAPS);
			tap_spec_init(&o->taps[o->ntaps++], optarg);
			break;
		case 'a':
			if (o->nattach == MAX_ATTACH)
				fatalx("-a %s: at most %d URLs", optarg,
				       MAX_ATTACH);
			o->attach[o->nattach++] = optarg;
			break;
		case OPT_TAP_ADDR:
		case OPT_TAP_BRIDGE:
		case OPT_TAP_MTU:
		case OPT_TAP_MAC:
			opt_tap(o, c, optarg);
			break;
		case OPT_USER: {
			char err[256];

			if (privdrop_parse(&o->drop, optarg, err, sizeof(err)))
				fatalx("%s", err);
			break;
		}
		case OPT_KEEP_NET_ADMIN:
			o->drop.keep_net_admin = true;
			break;
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "patchbay: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		exit(1);
	}
	if (o->fstp && cfg->hub)
		fatalx("-F and --hub: a hub runs no spanning tree");
	if (o->drop.keep_net_admin && !o->drop.on)
		fatalx("--keep-net-admin: only with --user (root keeps every "
		       "capability anyway)");
	if (o->mode_set && !o->dirmode_set)
		ds->dirmode = dirmode_from_mode(ds->mode);
	else if (!o->mode_set && o->dirmode_set)
		ds->mode = ds->dirmode & 0666;
}

/* A live pidfile is an error; a stale one (dead pid) is replaced. */
static void pidfile_check(struct options *o)
{
	char buf[32];
	unsigned long pid;
	ssize_t n;
	int fd;

	if (!o->pidfile)
		return;
	if (o->pidfile[0] == '/') {
		snprintf(o->pidpath, sizeof(o->pidpath), "%s", o->pidfile);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			fatal("getcwd");
		if ((size_t)snprintf(o->pidpath, sizeof(o->pidpath), "%s/%s",
				     cwd, o->pidfile) >= sizeof(o->pidpath))
			fatalx("-p %s: path too long", o->pidfile);
	}
	fd = open(o->pidpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		fatal("pidfile %s", o->pidpath);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_ulong(buf, 10, 1, INT_MAX, &pid))
		return;
	if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
		fatalx("pidfile %s: a process is running as pid %lu; "
		       "not starting", o->pidpath, pid);
	log_info("pidfile %s: pid %lu is gone, replacing it", o->pidpath,
		 pid);
}

/*
 * Started with fd 0, 1 or 2 closed, the signalfd or a socket would take
 * that number and daemon_ready()'s dup2() would silently replace it (a
 * daemon deaf to SIGTERM); log lines would go to a socket. Fill the gaps.
 */
static void open_std_fds(void)
{
	int fd;

	do
		fd = open("/dev/null", O_RDWR);
	while (fd >= 0 && fd <= 2);
	if (fd > 2)
		close(fd);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct mainctx {
	struct loop *loop;
	struct sw *sw;
	struct datasock *ds;
	struct mgmt *mgmt;
	struct swcmd cmds;
	struct loop_handler sig_h;
	int sigfd;
	bool stopped;		/* shutdown or EOF: do not (re)start the loop */
};

static void on_signal(struct loop_handler *h, uint32_t events)
{
	struct mainctx *m = container_of(h, struct mainctx, sig_h);
	struct signalfd_siginfo si;

	(void)events;
	if (read(m->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("signal %s: cleaning up and exiting",
		 strsignal((int)si.ssi_signo));
	loop_stop(m->loop, 0);
}

/* The console's shutdown command. */
static void on_shutdown(void *arg)
{
	struct mainctx *m = arg;

	log_info("shutdown from the console: cleaning up and exiting");
	m->stopped = true;
	loop_stop(m->loop, 0);
}

/* The stdin console ended: EOF (or logout) stops a foreground switch. */
static void on_stdin_end(void *arg)
{
	struct mainctx *m = arg;

	log_info("EOF on stdin: cleaning up and exiting");
	m->stopped = true;
	loop_stop(m->loop, 0);
}

/* The TAP backend, and the -t devices, configured, before -d returns.
 * Return: 0, or -1 with the reason in @err */
static int taps_start(struct mainctx *m, const struct options *o, char *err,
		      size_t errlen)
{
	struct tap_backend *tb = tap_backend_create(m->sw);
	unsigned i;

	if (!tb) {
		snprintf(err, errlen, "TAP backend: out of memory");
		return -1;
	}
	for (i = 0; i < o->ntaps; i++)
		if (tap_attach(tb, &o->taps[i], SW_ANY_PORT, err, errlen))
			return -1;
	return 0;
}

/* The other URL backends, and the -a ports, before -d returns.
 * Return: 0, or -1 with the reason in @err */
static int attach_start(struct mainctx *m, const struct options *o,
			char *err, size_t errlen)
{
	char why[400];
	unsigned i;

	/* the libvdeplug backend first: it serves what the others do not */
	if (!vdeplugep_backend_create(m->sw) ||
	    !streamep_backend_create(m->sw) ||
	    !dgramep_backend_create(m->sw) ||
	    !slirpep_backend_create(m->sw) ||
	    !vxlanep_backend_create(m->sw) ||
	    !vhostuser_backend_create(m->sw)) {
		snprintf(err, errlen, "URL backends: out of memory");
		return -1;
	}
	for (i = 0; i < o->nattach; i++)
		if (sw_attach_url(m->sw, o->attach[i], SW_ANY_PORT, why,
				  sizeof(why))) {
			snprintf(err, errlen, "-a %s", why);
			return -1;
		}
	return 0;
}

static void on_showinfo(void *arg, struct mgmt_out *out)
{
	struct mainctx *m = arg;
	char who[300];

	swcmd_showinfo(&m->cmds, out);
	privdrop_describe(who, sizeof(who));
	mgmt_printf(out, "running as %s\n", who);
}

/* --user: hand over what must be removed on exit, then drop root.
 * Return: 0, or -1 with the reason in @err */
static int drop_start(struct mainctx *m, const struct options *o, char *err,
		      size_t errlen)
{
	const struct privdrop *pd = &o->drop;
	const char *what = NULL;
	int rc = 0;

	if (!pd->on)
		return 0;
	if ((rc = privdrop_give(pd, datasock_dir(m->ds), true)))
		what = datasock_dir(m->ds);
	else if (o->mgmt && (rc = privdrop_give(pd, o->mgmt, false)))
		what = o->mgmt;
	else if (o->pidfile && (rc = privdrop_give(pd, o->pidpath, false)))
		what = o->pidpath;
	if (rc) {
		snprintf(err, errlen, "--user %s: chown %.200s: %s", pd->user,
			 what, strerror(-rc));
		return -1;
	}
	return privdrop_apply(pd, err, errlen) ? -1 : 0;
}

/* The console, its commands, the rc file, -M; before -d returns.
 * Return: 0, or -1 with the reason in @err */
static int console_start(struct mainctx *m, const struct options *o,
			 char *err, size_t errlen)
{
	struct mgmt_config mc = {
		.stop = on_shutdown,
		.stdin_end = on_stdin_end,
		.showinfo = on_showinfo,
		.arg = m,
	};
	char rc[PATH_MAX];
	const char *rcfile = o->rcfile;

	m->mgmt = mgmt_create(m->loop, &mc);
	if (!m->mgmt) {
		snprintf(err, errlen, "console: out of memory");
		return -1;
	}
	if (swcmd_register(&m->cmds, m->mgmt, m->sw, m->ds)) {
		snprintf(err, errlen, "console: cannot register commands");
		return -1;
	}
	if (!rcfile && mgmt_rc_default(rc, sizeof(rc)) == 0)
		rcfile = rc;
	if (rcfile && mgmt_load(m->mgmt, rcfile, err, errlen))
		return -1;
	if (o->mgmt && mgmt_listen(m->mgmt, o->mgmt, o->ds.mgmtmode,
				   o->ds.mgmtgroup, err, errlen))
		return -1;
	return 0;
}

static void console_stop(struct mainctx *m)
{
	if (!m->mgmt)
		return;
	if (m->cmds.sw)
		swcmd_unregister(&m->cmds);
	mgmt_destroy(m->mgmt);
	m->mgmt = NULL;
}

int main(int argc, char **argv)
{
	struct mainctx m = { .sigfd = -1 };
	struct options o;
	char err[512], who[300];
	sigset_t mask;
	int ready_fd = -1;
	int status = 0;

	open_std_fds();
	log_init("patchbay", 0);
	parse_options(argc, argv, &o);
	pidfile_check(&o);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	if (o.daemon)
		ready_fd = daemon_start();

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		fatal("sigprocmask");
	m.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (m.sigfd < 0)
		fatal("signalfd");

	m.loop = loop_create();
	if (!m.loop)
		fatal("event loop");
	m.sw = sw_create(&o.cfg, m.loop);
	if (!m.sw)
		fatal("switch");
	stp_set_priority(sw_stp(m.sw), o.priority);
	if (o.fstp && stp_set_enabled(sw_stp(m.sw), true))
		fatalx("-F: spanning tree cannot start");
	m.ds = datasock_create(m.sw, &o.ds, err, sizeof(err));
	if (!m.ds)
		fatalx("%s", err);
	if (taps_start(&m, &o, err, sizeof(err)) ||
	    attach_start(&m, &o, err, sizeof(err)) ||
	    console_start(&m, &o, err, sizeof(err))) {
		log_warnx("%s", err);
		console_stop(&m);
		sw_destroy(m.sw);
		exit(1);
	}
	if (o.pidfile && pidfile_write(o.pidpath)) {
		log_warn("pidfile %s", o.pidpath);
		console_stop(&m);
		sw_destroy(m.sw);
		exit(1);
	}
	if (drop_start(&m, &o, err, sizeof(err))) {
		log_warnx("%s", err);
		console_stop(&m);
		sw_destroy(m.sw);
		if (o.pidfile)
			unlink(o.pidpath);
		exit(1);
	}
	m.sig_h.cb = on_signal;
	if (loop_add(m.loop, m.sigfd, EPOLLIN, &m.sig_h))
		fatalx("cannot watch signals");

	/* who, first: tests count the fds once the next line is out */
	privdrop_describe(who, sizeof(who));
	log_info("patchbay %s: %u ports, %s; clients connect to %s "
		 "(vde://%s)%s%s", PACKAGE_VERSION, sw_nports(m.sw),
		 sw_is_hub(m.sw) ? "hub" : "learning switch",
		 datasock_dir(m.ds), datasock_dir(m.ds),
		 o.mgmt ? "; console on " : "", o.mgmt ? o.mgmt : "");
	log_info("running as %s", who);
	if (!o.daemon && !o.nostdin && !m.stopped &&
	    mgmt_stdin(m.mgmt, 0, 1) == -EPERM) {
		/* a regular file or /dev/null: EOF comes at once */
		log_info("EOF on stdin (not a terminal or pipe): "
			 "cleaning up and exiting");
		m.stopped = true;
	}
	if (o.daemon)
		daemon_ready(ready_fd);

	/* names in URLs were looked up at start-up; from now on a lookup
	 * would stall every port (sockaddr.c) */
	sa_names_off();
	if (!m.stopped)
		status = loop_run(m.loop);
	console_stop(&m);
	sw_destroy(m.sw);
	if (o.pidfile)
		unlink(o.pidpath);
	loop_destroy(m.loop);
	close(m.sigfd);
	return status;
}
