/* SPDX-License-Identifier: GPL-2.0-or-later
 * pbbench.c - benchmark patchbay against Debian's vde_switch, paired.
 *
 * Every round runs every measurement on both switches, one right after the
 * other, the order alternating from round to round; each switch is started
 * afresh for each measurement in its own mkdtemp directory. A figure is
 * the median over rounds; a ratio is the median of the per-round ratios
 * patchbay / vde_switch, so slow drift of the machine (other jobs) cancels
 * out as far as it can.
 *
 * Throughput is lossless by construction: the sender keeps at most W
 * frames unacknowledged, receivers acknowledge every K frames through a
 * pipe (not through the switch, which then carries the measured traffic
 * only), and the loss sent - received is checked: a lossy run gives no
 * figure. The switch's CPU time comes from /proc/PID/stat, its system
 * calls from perf stat (raw_syscalls:sys_enter, enabled and disabled
 * around the traffic through a control fifo) or strace -c.
 *
 * The TAP steps (t64, t1500: the switch's own TAP port; j64, j1500: a TAP
 * joiner, patchbay-tap or vde_plug2tap, on a patchbay switch) run in a
 * network namespace the benchmark makes (tap.c), with a TAP peer of packet
 * sockets on the other side of the TAP; each measures both directions.
 *
 * The URL port steps (s64, s1500: stream+listen://; d64, d1500: udp://)
 * run on patchbay only (vde_switch has no such ports): a sender speaking
 * the port's framing (urlports.c), a batching VDE receiver. Their
 * "vde_switch" column is patchbay's own VDE port with a batching VDE
 * sender, measured in the same step, so the ratio is URL port / VDE port.
 * The vhost-user step (vh64, vhost.c) is paired the same way: two
 * vhost-user ports of patchbay, each with a front end process (vhufe.c),
 * against two batching VDE clients on patchbay.
 *
 * The table ends with a PASS/FAIL per target and an overall line; the exit
 * status is 0 whatever the targets say (it is a report), non-zero only
 * when the benchmark itself cannot run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pbbench.h"

#define MAXROUNDS 100
#define DEF_ROUNDS 7
#define DEF_DURATION 2.0
#define QUICK_DURATION 0.3
#define DEF_WINDOW 64
#define VH_WINDOW 192		/* vh64: 3/4 of a 256-entry receive ring */
#define SKB_1500 2304		/* memory charged per 1500-byte datagram */
#define DEF_IDLE 1000
#define DEF_SC_FRAMES 50000
#define QUICK_SC_FRAMES 10000
#define BURST_FRAMES 1000
#define BURST_SLOW_NS 50000
#define RSS_PORTS 32
#define BASE_PORTS 32
#define TMPFS_MAGIC_NR 0x01021994

struct bench_cfg bcfg;

/* Options beyond bcfg. */
static struct {
	unsigned rounds;
	double duration;
	unsigned idle;
	uint64_t sc_frames;
	enum sc_method sc;
	bool quick;
	const char *only;
	const char *tmpdir;
	int rtt_cpu[3];		/* switch, ping, pong: CPU or -1 */
	bool skip[IMPL_N];	/* --impl: run only the other one */
	bool window_set;	/* --window given: every step uses it */
	const char *joiner[IMPL_N];	/* patchbay-tap, vde_plug2tap */
	int netns;		/* the TAP steps' namespace, or -1 */
	char tap_na[256];	/* why the TAP steps cannot run */
} opt;

/* Steps of a round, each run on both switches. */
enum step {
	S_U64,
	S_U64CON,
	S_U1500,
	S_B64,
	S_B1500,
	S_S64,			/* stream URL port -> VDE client */
	S_S1500,
	S_D64,			/* dgram URL port -> VDE client */
	S_D1500,
	S_BC4,
	S_BC16,
	S_IDLE,
	S_RTT,
	S_SYSC,
	S_RSS,
	S_BURST64,
	S_BURST1500,
	S_C64,
	S_C1500,
	S_CD64,
	S_CD1500,
	S_T64,			/* the switch's TAP port, both directions */
	S_T1500,
	S_J64,			/* a TAP joiner on patchbay, both ways */
	S_J1500,
	S_VX64,
	S_VX1500,
	S_SLIRP,		/* ping slirp's gateway through a slirp port */
	S_MIR64,		/* b64 with the receiver's port mirrored */
	S_CAP64,		/* b64 with the receiver's port captured */
	S_VH64,			/* vhost-user port -> vhost-user port */
	S_N,
};

static const char *const step_names[S_N] = {
	"u64", "u64con", "u1500", "b64", "b1500", "s64", "s1500", "d64",
	"d1500", "bc4", "bc16", "idle", "rtt",
	"sysc", "rss", "burst64", "burst1500", "c64", "c1500", "cd64", "cd1500",
	"t64", "t1500", "j64", "j1500",
	"vx64", "vx1500", "slirp", "mir64", "cap64", "vh64",
};

/* Figures in the table. */
enum metric {
	M_U64,
	M_U64CON,
	M_U1500,
	M_B64,
	M_B1500,
	M_S64,
	M_S1500,
	M_D64,
	M_D1500,
	M_BC4,
	M_BC16,
	M_IDLE,
	M_CONN,
	M_RTTMIN,
	M_RTTMED,
	M_CPU,
	M_BCCPU,
	M_SYSC,
	M_RSS,
	M_BURST64,
	M_BURST1500,
	M_C64,
	M_C1500,
	M_CD64,
	M_CD1500,
	M_T64C,			/* TAP port: client -> TAP */
	M_T64T,			/* TAP port: TAP -> client (M_T64C + 1) */
	M_T1500C,
	M_T1500T,
	M_TCPU,
	M_J64C,			/* joiner: client -> TAP */
	M_J64T,
	M_J1500C,
	M_J1500T,
	M_JCPU,
	M_VX64,
	M_VX1500,
	M_SLRATE,
	M_SLRTT,
	M_MIRCPU,		/* switch CPU/frame: mirror on / 2 deliveries */
	M_CAPCPU,		/* switch CPU/frame: capture on / 2 deliveries */
	M_VH64,			/* vhost-user ports | VDE ports, patchbay */
	M_VHCPU,		/* switch CPU/frame of the same runs */
	M_N,
};

enum target_kind {
	TG_NONE,
	TG_RATIO_GE,		/* median ratio >= x */
	TG_RATIO_LE,		/* median ratio <= x */
	TG_PB_LE,		/* patchbay's figure <= x */
	TG_PB_ZERO,		/* patchbay's figure (worst round) == 0 */
	TG_DIFF_LE,		/* median of (patchbay - vde_switch) <= x */
	TG_REL_GE,		/* median of patchbay / patchbay's @ref >= x */
};

struct metric_def {
	const char *name;
	double scale;		/* shown value = value / scale */
	int prec;		/* decimals shown */
	enum target_kind tk;
	double target;
	enum metric ref;	/* TG_REL_GE */
	bool worst;		/* aggregate with max, not median */
	const char *rel;	/* TG_REL_GE: what the ratio is called;
				 * TG_RATIO_GE: its name, if not "ratio" */
};

static const struct metric_def mdef[M_N] = {
	[M_U64] = { "unicast 64B 1/send kf/s", 1e3, 1, TG_RATIO_GE,
		    1.2, 0, false },
	[M_U64CON] = { "unicast 64B +console kf/s", 1e3, 1, TG_REL_GE,
		       0.95, M_U64, false, "pb/u64" },
	[M_U1500] = { "unicast 1500B 1/send kf/s", 1e3, 1, TG_RATIO_GE,
		      1.2, 0, false },
	[M_B64] = { "unicast 64B batched kf/s", 1e3, 1, TG_RATIO_GE,
		    1.3, 0, false },
	[M_B1500] = { "unicast 1500B batched kf/s", 1e3, 1,
		      TG_RATIO_GE, 1.3, 0, false },
	[M_S64] = { "stream vs VDE port 64B kf/s", 1e3, 1, TG_RATIO_GE, 0.8,
		    0, false, "pb/vde-port" },
	[M_S1500] = { "stream vs VDE port 1500B kf/s", 1e3, 1, TG_RATIO_GE,
		      0.8, 0, false, "pb/vde-port" },
	[M_D64] = { "dgram vs VDE port 64B kf/s", 1e3, 1, TG_RATIO_GE, 0.8,
		    0, false, "pb/vde-port" },
	[M_D1500] = { "dgram vs VDE port 1500B kf/s", 1e3, 1, TG_RATIO_GE,
		      0.8, 0, false, "pb/vde-port" },
	[M_BC4] = { "bcast 64B to 4 kdeliv/s", 1e3, 1, TG_RATIO_GE,
		    2.0, 0, false },
	[M_BC16] = { "bcast 64B to 16 kdeliv/s", 1e3, 1, TG_RATIO_GE,
		     2.0, 0, false },
	[M_IDLE] = { "unicast 64B +idle ports kf/s", 1e3, 1,
		     TG_REL_GE, 0.9, M_U64, false, "pb/2-port" },
	[M_CONN] = { "connect idle ports, s", 1, 3, TG_PB_LE, 0.5, 0,
		     false },
	[M_RTTMIN] = { "RTT min, us", 1e3, 1, TG_DIFF_LE, 2000, 0,
		       false },
	[M_RTTMED] = { "RTT median, us", 1e3, 1, TG_NONE, 0, 0, false },
	[M_CPU] = { "switch CPU/frame 64B, ns", 1, 0, TG_RATIO_LE, 0.6,
		    0, false },
	[M_BCCPU] = { "switch CPU/deliv bcast16, ns", 1, 0, TG_NONE, 0, 0,
		      false },
	[M_SYSC] = { "syscalls/frame 64B", 1, 2, TG_PB_LE, 1.5, 0,
		     false },
	[M_RSS] = { "idle RSS 32 ports, KiB", 1, 0, TG_PB_LE, 4096, 0,
		    false },
	[M_BURST64] = { "burst 1000x64B lost", 1, 0, TG_PB_ZERO, 0, 0,
			true },
	[M_BURST1500] = { "burst 1000x1500B lost", 1, 0, TG_PB_ZERO, 0,
			  0, true },
	[M_C64] = { "cable 64B 1-proc/dpipe kf/s", 1e3, 1, TG_RATIO_GE,
		    2.0, 0, false },
	[M_C1500] = { "cable 1500B 1-proc/dpipe kf/s", 1e3, 1, TG_RATIO_GE,
		      2.0, 0, false },
	[M_CD64] = { "cable 64B dpipe kf/s", 1e3, 1, TG_RATIO_GE, 1.2, 0,
		     false },
	[M_CD1500] = { "cable 1500B dpipe kf/s", 1e3, 1, TG_RATIO_GE, 1.2,
		       0, false },
	[M_T64C] = { "TAP port 64B c->tap kf/s", 1e3, 1, TG_RATIO_GE, 1.2,
		     0, false },
	[M_T64T] = { "TAP port 64B tap->c kf/s", 1e3, 1, TG_RATIO_GE, 1.2,
		     0, false },
	[M_T1500C] = { "TAP port 1500B c->tap kf/s", 1e3, 1, TG_RATIO_GE,
		       1.2, 0, false },
	[M_T1500T] = { "TAP port 1500B tap->c kf/s", 1e3, 1, TG_RATIO_GE,
		       1.2, 0, false },
	[M_TCPU] = { "switch CPU/TAP frame 64B, ns", 1, 0, TG_RATIO_LE, 0.7,
		     0, false },
	[M_J64C] = { "joiner 64B c->tap kf/s", 1e3, 1, TG_RATIO_GE, 1.2, 0,
		     false },
	[M_J64T] = { "joiner 64B tap->c kf/s", 1e3, 1, TG_RATIO_GE, 1.2, 0,
		     false },
	[M_J1500C] = { "joiner 1500B c->tap kf/s", 1e3, 1, TG_RATIO_GE, 1.2,
		       0, false },
	[M_J1500T] = { "joiner 1500B tap->c kf/s", 1e3, 1, TG_RATIO_GE, 1.2,
		       0, false },
	[M_JCPU] = { "joiner CPU/frame 64B, ns", 1, 0, TG_NONE, 0, 0,
		     false },
	[M_VX64] = { "vxlan 64B bcast kf/s", 1e3, 1, TG_RATIO_GE, 1.5, 0,
		     false },
	[M_MIRCPU] = { "switch CPU/frame +mirror, ns", 1, 0, TG_RATIO_LE,
		       1.0, 0, false, "on/2-deliv" },
	[M_CAPCPU] = { "switch CPU/frame +capture, ns", 1, 0, TG_RATIO_LE,
		       1.0, 0, false, "on/2-deliv" },
	[M_VX1500] = { "vxlan 1500B bcast kf/s", 1e3, 1, TG_RATIO_GE, 1.5,
		       0, false },
	[M_SLRATE] = { "slirp ping gw 98B x8 kf/s", 1e3, 1, TG_NONE, 0, 0,
		       false },
	[M_VH64] = { "vhost-user vs VDE 64B kf/s", 1e3, 1, TG_RATIO_GE, 4.0,
		     0, false, "vhost/vde" },
	[M_VHCPU] = { "switch CPU/frame vh64, ns", 1, 0, TG_NONE, 0, 0,
		      false },
	[M_SLRTT] = { "slirp ping gw RTT median, us", 1e3, 1, TG_NONE, 0,
		      0, false },
};

static double res[M_N][IMPL_N][MAXROUNDS];
static unsigned lossy_runs[IMPL_N];
static unsigned failed_runs[IMPL_N];
static unsigned runs[IMPL_N];
static unsigned long long loss_total[IMPL_N];

/* A traffic pattern. */
struct flow {
	unsigned size;
	bool batch;
	bool bcast;
	bool burst;
	bool syscalls;
	unsigned nrx;
	unsigned nidle;
	bool console;		/* a console client subscribed to all debug */
	long long dur_ns;
	uint64_t count;
	const char *tap_if;	/* a TAP peer on this TAP is the receiver
				 * (@tap_rx) or else the sender */
	bool tap_rx;
	pid_t cpu_pid;		/* another process whose CPU is measured
				 * (the joiner), or -1 */
	enum urlkind url;	/* the sender goes through a URL port */
	int url_fd;		/* its socket, once attached */
	const char *const *tap_cmds; /* console commands after the
				 * announces (mirror_cmds), or NULL */
	bool capture;		/* after the announces, capture port 1 to
				 * a file in the switch's directory */
	bool vhost;		/* vhost-user ports and front ends */
	bool shm_ack;		/* acknowledgements in shared memory */
	unsigned window;	/* frames in flight, if not bcfg.window */
	const char *vh_tx;	/* the sender's port's socket, once attached */
	const char *vh_rx;	/* the receiver's (one receiver) */
	struct ackshm *acks;	/* with @shm_ack, once mapped */
};

/* What a flow measured. */
struct flow_res {
	bool ok;		/* ran to the end */
	bool lossless;
	bool stalled;
	uint64_t sent;
	uint64_t delivered;
	uint64_t loss;
	double secs;
	double rate;		/* deliveries per second */
	double cpu_ns;		/* switch CPU per delivery */
	double tx_cpu_ns;	/* sender CPU per delivery */
	double rx_cpu_ns;	/* receivers' CPU per delivery */
	long long sw_cpu;	/* switch CPU over the run, ns */
	long long cpu2;		/* @cpu_pid's CPU over the run, ns */
	uint64_t peer_drops;	/* frames the TAP peer's side dropped */
	uint64_t fe_tx[2];	/* vhost-user: the sender's kicks, sleeps */
	uint64_t fe_rx[2];	/* the receivers' */
	double connect_s;	/* opening the idle connections */
	double connect_cpu_s;	/* the switch's CPU time meanwhile */
	double sc_per;		/* switch system calls per delivery */
	unsigned con_cats;	/* debug categories listed */
	unsigned con_added;	/* of which debug/add accepted */
	uint64_t con_lines;	/* debug lines the console client read */
};

static volatile sig_atomic_t interrupted;

/*
 * SIGINT, SIGTERM, SIGHUP: stop every process the benchmark started (by
 * pid); the measurement under way then fails, cleans up its directory,
 * and main() exits. A second signal exits at once.
 */
static void on_fatal_signal(int sig)
{
	reg_kill_all();
	if (interrupted)
		_exit(128 + sig);
	interrupted = sig;
}

int announce(struct child *who, unsigned idx, struct child *listener)
{
	unsigned tries;

	for (tries = 0; tries < 5; tries++) {
		long long end = now_ns() + 1000000000LL;

		if (child_send(who, MSG_ANNOUNCE, idx))
			return -1;
		for (;;) {
			long long left = (end - now_ns()) / 1000000;
			struct cmsg m;
			int rc;

			if (left <= 0)
				break;
			rc = child_recv(listener, &m, (int)left);
			if (rc == -ETIMEDOUT)
				break;
			if (rc)
				return -1;
			if (m.type == MSG_SEEN && m.arg == idx)
				return 0;
		}
	}
	fprintf(stderr, "pbbench: announce of client %u never seen\n", idx);
	return -1;
}

/* Wait for a given report, skipping stray announces. */
int expect(struct child *c, uint32_t type, struct cmsg *m, int timeout_ms,
	   const char *what)
{
	long long end = now_ns() + (long long)timeout_ms * 1000000LL;

	for (;;) {
		long long left = (end - now_ns()) / 1000000;
		int rc;

		if (left <= 0)
			rc = -ETIMEDOUT;
		else
			rc = child_recv(c, m, (int)left);
		if (rc) {
			fprintf(stderr, "pbbench: %s: %s\n", what,
				rc == -ETIMEDOUT ? "timed out" :
				"client died");
			return -1;
		}
		if (m->type == type)
			return 0;
		if (m->type == MSG_FAIL) {
			fprintf(stderr, "pbbench: %s: client failed: %s\n",
				what, strerror((int)m->arg));
			return -1;
		}
	}
}

static unsigned max_u(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* Start the console subscriber; fill in what it subscribed to. */
static int start_console(enum impl impl, const struct swproc *sw,
			 struct child *con, struct flow_res *r)
{
	struct client_spec s;
	struct cmsg m;

	memset(&s, 0, sizeof(s));
	s.role = ROLE_CONSOLE;
	s.dir = sw->dir;
	s.mgmt = sw->mgmt;
	s.ack_w = -1;
	s.cpu = -1;
	if (child_start(con, &s) ||
	    expect(con, MSG_READY, &m, 60000, "console subscriber"))
		return -1;
	r->con_cats = (unsigned)m.v[0];
	r->con_added = (unsigned)m.v[1];
	if (!r->con_added) {
		fprintf(stderr, "pbbench: %s: debug/add refused all %u "
			"categories\n", impl_name(impl), r->con_cats);
		return -1;
	}
	return 0;
}

/* Stop the console subscriber; fail if the switch hung up on it. */
static int stop_console(enum impl impl, struct child *con,
			struct flow_res *r)
{
	struct cmsg m;

	if (child_send(con, MSG_STOP, 0) ||
	    expect(con, MSG_RESULT, &m, 60000, "console subscriber"))
		return -1;
	r->con_lines = (uint64_t)m.v[1];
	if (m.v[2]) {
		fprintf(stderr, "pbbench: %s closed the console session "
			"after %lld bytes\n", impl_name(impl),
			(long long)m.v[0]);
		return -1;
	}
	return 0;
}

/* The CPU time of @pid, or 0 if it has none (-1) or cannot be read. */
static long long cpu_of(pid_t pid)
{
	long long ns = 0;

	if (pid > 0 && proc_cpu_ns(pid, &ns))
		ns = 0;
	return ns;
}

/* A client's share of a flow: the switch, the TAP peer's namespace. */
static void spec_init(struct client_spec *s, enum role role,
		      const struct swproc *sw, const struct flow *f, bool tap)
{
	memset(s, 0, sizeof(*s));
	s->role = role;
	s->dir = sw->dir;
	s->ack_w = -1;
	s->cpu = -1;
	s->batch = f->batch || tap;
	if (tap) {
		s->tap_if = f->tap_if;
		s->netns = opt.netns;
	}
	if (role == ROLE_TX && f->url) {
		s->url = f->url;
		s->url_fd = f->url_fd;
		s->batch = true;
	}
	if (f->vhost) {
		s->vhost = role == ROLE_TX ? f->vh_tx : f->vh_rx;
		s->batch = true;
	}
	s->acks = f->acks;
	s->window = f->window;
}

/* Run the flow @f through the started switch @sw. */
static int flow_on(enum impl impl, struct swproc *sw, const struct flow *f,
		   struct flow_res *r)
{
	struct client_spec idle_s, rx_s[PB_MAXRX], tx_s;
	struct child idle = { .pid = -1 }, rx[PB_MAXRX], tx = { .pid = -1 };
	struct child con = { .pid = -1 };
	int ackp[PB_MAXRX][2], ack_r[PB_MAXRX];
	struct sccount sc = { .pid = -1 };
	bool counting = false;
	long long cpu0 = 0, cpu1 = 0, c20 = 0, txcpu = 0, rxcpu = 0;
	struct cmsg m;
	unsigned i, started_rx = 0;
	uint64_t calls = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->rate = r->cpu_ns = r->connect_s = r->sc_per = NAN;
	for (i = 0; i < f->nrx; i++) {
		ackp[i][0] = ackp[i][1] = -1;
		rx[i].pid = -1;
	}

	/* subscribed before any client joins: it sees their events too */
	if (f->console && start_console(impl, sw, &con, r))
		goto out;

	if (f->nidle) {
		spec_init(&idle_s, ROLE_IDLE, sw, f, false);
		idle_s.nidle = f->nidle;
		proc_cpu_ns(sw->pid, &cpu0);
		if (child_start(&idle, &idle_s) ||
		    expect(&idle, MSG_READY, &m, 300000, "idle connections"))
			goto out;
		proc_cpu_ns(sw->pid, &cpu1);
		r->connect_s = (double)m.v[0] / 1e9;
		r->connect_cpu_s = (double)(cpu1 - cpu0) / 1e9;
		if ((unsigned)m.v[1] < f->nidle) {
			fprintf(stderr, "pbbench: %s: only %u of %u idle "
				"connections opened (%s)\n", impl_name(impl),
				(unsigned)m.v[1], f->nidle,
				strerror((int)m.v[2]));
			goto out;
		}
	}
	for (i = 0; i < f->nrx; i++) {
		if (!f->burst && pipe2(ackp[i], O_CLOEXEC))
			goto out;
		ack_r[i] = ackp[i][0];
	}
	for (i = 0; i < f->nrx; i++) {
		spec_init(&rx_s[i], ROLE_RX, sw, f, f->tap_if && f->tap_rx);
		rx_s[i].idx = i;
		rx_s[i].ack_w = ackp[i][1];
		rx_s[i].slow_ns = f->burst ? BURST_SLOW_NS : 0;
		rx_s[i].burst = f->burst;
		if (child_start(&rx[i], &rx_s[i]))
			goto out;
		started_rx++;
		if (expect(&rx[i], MSG_READY, &m, 20000, "receiver connect"))
			goto out;
	}
	spec_init(&tx_s, ROLE_TX, sw, f, f->tap_if && !f->tap_rx);
	tx_s.size = f->size;
	tx_s.bcast = f->bcast;
	tx_s.nrx = f->nrx;
	tx_s.ack_r = ack_r;
	tx_s.dur_ns = f->dur_ns;
	tx_s.count = f->count;
	tx_s.burst = f->burst;
	if (child_start(&tx, &tx_s) ||
	    expect(&tx, MSG_READY, &m, 20000, "sender connect"))
		goto out;
	for (i = 0; i < f->nrx; i++) {
		if (ackp[i][0] >= 0)
			close(ackp[i][0]);
		if (ackp[i][1] >= 0)
			close(ackp[i][1]);
		ackp[i][0] = ackp[i][1] = -1;
	}

	/* every port is connected: now the MACs */
	for (i = 0; i < f->nrx; i++)
		if (announce(&rx[i], i, &tx))
			goto out;
	for (i = 0; f->tap_cmds && f->tap_cmds[i]; i++)
		if (sw_console(sw, f->tap_cmds[i]))
			goto out;
	if (f->capture) {
		char cmd[PATH_MAX + 32];

		snprintf(cmd, sizeof(cmd), "port/capture 1 %s/cap.pcap",
			 sw->base);
		if (sw_console(sw, cmd))
			goto out;
	}

	if (f->syscalls) {
		if (sc_start(&sc, opt.sc, sw->pid, sw->base))
			goto out;
		counting = true;
	}
	c20 = cpu_of(f->cpu_pid);
	if (proc_cpu_ns(sw->pid, &cpu0) || child_send(&tx, MSG_GO, 0) ||
	    expect(&tx, MSG_RESULT, &m,
		   (int)(f->dur_ns / 1000000) + 120000, "sender"))
		goto out;
	proc_cpu_ns(sw->pid, &cpu1);
	r->cpu2 = cpu_of(f->cpu_pid) - c20;
	r->sw_cpu = cpu1 - cpu0;
	if (counting) {
		counting = false;
		if (sc_stop(&sc, &calls))
			goto out;
	}
	r->sent = (uint64_t)m.v[0];
	r->secs = (double)m.v[1] / 1e9;
	txcpu = m.v[5];
	r->peer_drops = (uint64_t)m.v[6];
	r->fe_tx[0] = (uint64_t)m.v[7] >> 32;
	r->fe_tx[1] = (uint64_t)m.v[7] & 0xffffffffu;
	r->stalled = m.v[2] != 0;
	if (r->stalled)
		fprintf(stderr, "[sender stalled: %s after %llu frames, %llu "
			"acknowledged: %s] ", m.v[2] == 1 ?
			"no acknowledgement" : "send failed",
			(unsigned long long)m.v[0],
			(unsigned long long)m.v[3], strerror((int)m.v[4]));

	/* before the receivers leave: it counts the lines of this run */
	if (f->console && stop_console(impl, &con, r))
		goto out;
	for (i = 0; i < f->nrx; i++) {
		if (child_send(&rx[i], MSG_STOP, 0) ||
		    expect(&rx[i], MSG_RESULT, &m, 60000, "receiver"))
			goto out;
		r->delivered += (uint64_t)m.v[0];
		rxcpu += m.v[3];
		r->fe_rx[0] += (uint64_t)m.v[7] >> 32;
		r->fe_rx[1] += (uint64_t)m.v[7] & 0xffffffffu;
		r->peer_drops += (uint64_t)m.v[6];
	}
	r->ok = true;
	if (r->delivered < r->sent * f->nrx)
		r->loss = r->sent * f->nrx - r->delivered;
	else if (r->delivered > r->sent * f->nrx)
		fprintf(stderr, "[%llu frames delivered more than once] ",
			(unsigned long long)(r->delivered -
					     r->sent * f->nrx));
	r->lossless = !r->stalled && r->delivered == r->sent * f->nrx;
	if (r->secs > 0)
		r->rate = (double)r->delivered / r->secs;
	if (r->delivered) {
		r->cpu_ns = (double)(cpu1 - cpu0) / (double)r->delivered;
		r->tx_cpu_ns = (double)txcpu / (double)r->delivered;
		r->rx_cpu_ns = (double)rxcpu / (double)r->delivered;
		if (f->syscalls)
			r->sc_per = (double)calls / (double)r->delivered;
	}
	rc = 0;
out:
	if (counting)
		sc_stop(&sc, &calls);
	child_finish(&tx);
	for (i = 0; i < started_rx; i++)
		child_finish(&rx[i]);
	child_finish(&idle);
	child_finish(&con);
	for (i = 0; i < f->nrx; i++) {
		if (ackp[i][0] >= 0)
			close(ackp[i][0]);
		if (ackp[i][1] >= 0)
			close(ackp[i][1]);
	}
	return rc;
}

static int run_flow(enum impl impl, const struct flow *f, struct flow_res *r)
{
	struct flow g = *f;
	char vh_tx[PATH_MAX], vh_rx[PATH_MAX];
	struct swproc sw;
	int rc = -1;

	/* a URL port is attached through the console, vhost-user ports too
	 * (the receiver's first: ports are numbered as the VDE clients') */
	if (sw_start(&sw, impl, max_u(BASE_PORTS, f->nidle + f->nrx + 1),
		     f->console || f->url || f->tap_cmds || f->capture ||
		     f->vhost, NULL))
		return -1;
	g.url_fd = -1;
	g.vh_tx = vh_tx;
	g.vh_rx = vh_rx;
	g.acks = NULL;
	if (f->shm_ack) {
		g.acks = mmap(NULL, sizeof(*g.acks), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (g.acks == MAP_FAILED) {
			g.acks = NULL;
			fprintf(stderr, "pbbench: mmap: %s\n", strerror(errno));
			goto out;
		}
		g.acks->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (g.acks->wake_fd < 0) {
			fprintf(stderr, "pbbench: eventfd: %s\n",
				strerror(errno));
			goto out;
		}
	}
	if (f->vhost && (f->nrx != 1 ||
			 vh_attach(&sw, "vh-rx0.sock", vh_rx, sizeof(vh_rx)) ||
			 vh_attach(&sw, "vh-tx.sock", vh_tx, sizeof(vh_tx))))
		goto out;
	if (!f->url || !url_attach(&sw, f->url, &g.url_fd))
		rc = flow_on(impl, &sw, &g, r);
out:
	if (g.acks) {
		if (g.acks->wake_fd >= 0)
			close(g.acks->wake_fd);
		munmap(g.acks, sizeof(*g.acks));
	}
	if (g.url_fd >= 0)
		close(g.url_fd);
	sw_stop(&sw);
	return rc;
}

static int run_rtt(enum impl impl, double *min_ns, double *med_ns)
{
	struct client_spec ping_s, pong_s;
	struct child ping = { .pid = -1 }, pong = { .pid = -1 };
	long long dur = (long long)(opt.duration * 1e9);
	struct swproc sw;
	struct cmsg m;
	int rc = -1;

	if (sw_start(&sw, impl, BASE_PORTS, false, NULL))
		return -1;
	if (pin_cpu(sw.pid, opt.rtt_cpu[0]))
		fprintf(stderr, "[cannot pin %s] ", impl_name(impl));
	memset(&pong_s, 0, sizeof(pong_s));
	pong_s.role = ROLE_PONG;
	pong_s.dir = sw.dir;
	pong_s.ack_w = -1;
	pong_s.cpu = opt.rtt_cpu[2];
	ping_s = pong_s;
	ping_s.role = ROLE_PING;
	ping_s.dur_ns = dur;
	ping_s.cpu = opt.rtt_cpu[1];
	if (child_start(&pong, &pong_s) ||
	    expect(&pong, MSG_READY, &m, 10000, "pong connect") ||
	    child_start(&ping, &ping_s) ||
	    expect(&ping, MSG_READY, &m, 10000, "ping connect") ||
	    announce(&pong, 0, &ping) || child_send(&ping, MSG_GO, 0) ||
	    expect(&ping, MSG_RESULT, &m, (int)(dur / 1000000) + 60000,
		   "ping"))
		goto out;
	if (m.v[2] > 0) {
		*min_ns = (double)m.v[0];
		*med_ns = (double)m.v[1];
		rc = 0;
	}
	if (m.v[3])
		fprintf(stderr, "pbbench: %s: %lld pings unanswered\n",
			impl_name(impl), (long long)m.v[3]);
out:
	child_finish(&ping);
	child_finish(&pong);
	sw_stop(&sw);
	return rc;
}

static int run_rss(enum impl impl, double *kib)
{
	struct client_spec s;
	struct child idle = { .pid = -1 };
	struct swproc sw;
	struct cmsg m;
	int rc = -1;

	if (sw_start(&sw, impl, RSS_PORTS, false, NULL))
		return -1;
	memset(&s, 0, sizeof(s));
	s.role = ROLE_IDLE;
	s.dir = sw.dir;
	s.nidle = RSS_PORTS;
	s.cpu = -1;
	if (child_start(&idle, &s) ||
	    expect(&idle, MSG_READY, &m, 60000, "idle connections"))
		goto out;
	if ((unsigned)m.v[1] != RSS_PORTS) {
		fprintf(stderr, "pbbench: %s: %u of %u connections\n",
			impl_name(impl), (unsigned)m.v[1], RSS_PORTS);
		goto out;
	}
	usleep(300000);
	*kib = (double)proc_rss_kib(sw.pid);
	rc = *kib > 0 ? 0 : -1;
out:
	child_finish(&idle);
	sw_stop(&sw);
	return rc;
}

/* mir64's setup once the MACs are learnt: port 2 leaves the broadcasts'
 * VLAN and takes port 1's copies instead */
static const char *const mirror_cmds[] = {
	"vlan/create 2", "port/setvlan 2 2", "port/mirror 1 2 tx", NULL
};

static void flow_of(enum step st, struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->size = 64;
	f->nrx = 1;
	f->dur_ns = (long long)(opt.duration * 1e9);
	switch (st) {
	case S_U64CON:
		f->console = true;
		break;
	case S_U1500:
		f->size = 1500;
		break;
	case S_B64:
		f->batch = true;
		break;
	case S_B1500:
		f->batch = true;
		f->size = 1500;
		break;
	case S_S64:
	case S_S1500:
	case S_D64:
	case S_D1500:
		f->batch = true;
		f->url = st <= S_S1500 ? URL_STREAM : URL_DGRAM;
		f->size = st == S_S64 || st == S_D64 ? 64 : 1500;
		break;
	case S_BC4:
		f->bcast = true;
		f->nrx = 4;
		break;
	case S_BC16:
		f->bcast = true;
		f->nrx = 16;
		break;
	case S_IDLE:
		f->nidle = opt.idle;
		break;
	case S_SYSC:
		f->syscalls = true;
		f->dur_ns = 0;
		f->count = opt.sc_frames;
		break;
	case S_VH64:
		f->batch = true;
		f->vhost = true;
		f->shm_ack = true;
		f->window = opt.window_set ? bcfg.window : VH_WINDOW;
		break;
	case S_MIR64:
	case S_CAP64:
		/* b64, frames broadcast: the path of the reference's, which
		 * broadcasts to two receivers. mir64: receivers on ports 1
		 * and 2, the sender on 3; port 2 moves to VLAN 2, where the
		 * broadcasts do not go, and gets port 1's mirror copies.
		 * cap64: one receiver (port 1), captured */
		f->batch = true;
		f->bcast = true;
		f->nrx = st == S_MIR64 ? 2 : 1;
		if (st == S_MIR64)
			f->tap_cmds = mirror_cmds;
		else
			f->capture = true;
		break;
	case S_BURST64:
	case S_BURST1500:
		f->burst = true;
		f->dur_ns = 0;
		f->count = BURST_FRAMES;
		f->size = st == S_BURST64 ? 64 : 1500;
		break;
	default:
		break;
	}
}

static enum metric step_metric(enum step st)
{
	static const enum metric map[S_N] = {
		[S_U64] = M_U64, [S_U64CON] = M_U64CON, [S_U1500] = M_U1500,
		[S_B64] = M_B64, [S_B1500] = M_B1500, [S_S64] = M_S64,
		[S_S1500] = M_S1500, [S_D64] = M_D64, [S_D1500] = M_D1500,
		[S_BC4] = M_BC4,
		[S_BC16] = M_BC16,
		[S_IDLE] = M_IDLE, [S_RTT] = M_RTTMIN, [S_SYSC] = M_SYSC,
		[S_RSS] = M_RSS, [S_BURST64] = M_BURST64,
		[S_BURST1500] = M_BURST1500, [S_C64] = M_C64,
		[S_C1500] = M_C1500, [S_CD64] = M_CD64, [S_CD1500] = M_CD1500,
		[S_VX64] = M_VX64, [S_VX1500] = M_VX1500,
		[S_SLIRP] = M_SLRATE,
		[S_MIR64] = M_MIRCPU, [S_CAP64] = M_CAPCPU,
		[S_VH64] = M_VH64,
	};

	return map[st];
}

static void fmt_val(char *buf, size_t len, enum metric mt, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", mdef[mt].prec, v / mdef[mt].scale);
}

static bool is_tap_step(enum step st)
{
	return st == S_T64 || st == S_T1500 || st == S_J64 || st == S_J1500;
}

static bool is_join_step(enum step st)
{
	return st == S_J64 || st == S_J1500;
}

static bool is_url_step(enum step st)
{
	return st >= S_S64 && st <= S_D1500;
}

/* vhost-user: both columns patchbay, vhost-user ports and VDE ports. */
static bool is_vh_step(enum step st)
{
	return st == S_VH64;
}

/* Mirror and capture: both columns patchbay, with it on and off. */
static bool is_tapcopy_step(enum step st)
{
	return st == S_MIR64 || st == S_CAP64;
}

/* The client -> TAP figure of a TAP step; TAP -> client is the next. */
static enum metric tap_metric(enum step st)
{
	return st == S_T64 ? M_T64C : st == S_T1500 ? M_T1500C :
		st == S_J64 ? M_J64C : M_J1500C;
}

/* Can @impl take part in step @st? (TAP steps: said once, in main.) */
static bool impl_ready(enum step st, enum impl impl)
{
	if (opt.skip[impl])
		return false;
	if (is_url_step(st) || is_tapcopy_step(st) || is_vh_step(st))
		/* both columns patchbay */
		return bcfg.path[IMPL_PB] != NULL;
	if (is_join_step(st))
		return opt.joiner[impl] && bcfg.path[IMPL_PB];
	return bcfg.path[impl] != NULL;
}

/* One direction of a TAP step, and its progress line. */
static int tap_dir(enum step st, enum impl impl, struct swproc *sw,
		   pid_t joiner, bool to_tap, struct flow_res *r)
{
	struct flow f;
	char a[32];

	memset(&f, 0, sizeof(f));
	f.size = st == S_T64 || st == S_J64 ? 64 : 1500;
	f.nrx = 1;
	f.batch = true;
	f.dur_ns = (long long)(opt.duration * 1e9 / 2);
	f.tap_if = TAP_IFNAME;
	f.tap_rx = to_tap;
	f.cpu_pid = joiner;
	fprintf(stderr, "%s ", to_tap ? "c->tap" : "tap->c");
	if (flow_on(impl, sw, &f, r)) {
		fprintf(stderr, "failed; ");
		return -1;
	}
	if (!r->lossless) {
		lossy_runs[impl]++;
		loss_total[impl] += r->loss;
		fprintf(stderr, "LOSSY: sent %llu, received %llu (TAP side "
			"dropped %llu)%s -> no figure; ",
			(unsigned long long)r->sent,
			(unsigned long long)r->delivered,
			(unsigned long long)r->peer_drops,
			r->stalled ? ", stalled" : "");
		return -1;
	}
	fmt_val(a, sizeof(a), tap_metric(st), r->rate);
	fprintf(stderr, "%s k/s (%s %.0f ns/frame), loss 0, TAP side drops "
		"%llu; ", a, joiner > 0 ? "joiner CPU" : "switch CPU",
		joiner > 0 ? (double)r->cpu2 / (double)r->delivered :
		(double)r->sw_cpu / (double)r->delivered,
		(unsigned long long)r->peer_drops);
	return 0;
}

/*
 * One direction of a TAP step on a fresh switch with a TAP port (t64,
 * t1500: patchbay -t vs vde_switch -t), or a fresh patchbay with a TAP
 * joiner (j64, j1500: patchbay-tap vs vde_plug2tap), in the benchmark's
 * namespace. Fresh for each direction: the MACs of the clients trade
 * places, and a switch keeps a MAC on its port for a while (minimum
 * persistence).
 */
static int tap_run(enum step st, enum impl impl, bool to_tap,
		   struct flow_res *r)
{
	struct tapcfg tc = { TAP_IFNAME, opt.netns };
	bool join = is_join_step(st);
	char log[sizeof(((struct swproc *)0)->base) + 16];
	struct swproc sw;
	pid_t jp = -1;
	int rc = -1;

	if (sw_start(&sw, join ? IMPL_PB : impl, BASE_PORTS, false,
		     join ? NULL : &tc))
		return -1;
	if (join) {
		snprintf(log, sizeof(log), "%s/joiner.log", sw.base);
		jp = joiner_start(impl, opt.joiner[impl], sw.dir, log, &tc);
		if (jp < 0) {
			fprintf(stderr, "cannot start %s: %s; ",
				opt.joiner[impl], strerror(errno));
			goto out;
		}
	}
	rc = tap_dir(st, impl, &sw, jp, to_tap, r);
	if (rc && jp > 0 && waitpid(jp, NULL, WNOHANG) == jp) {
		unreg_pid(jp);
		jp = -1;
		fprintf(stderr, "\n  %s exited:\n", opt.joiner[impl]);
		show_log(log);
	}
out:
	stop_pid(jp, SIGTERM, 3000);
	sw_stop(&sw);
	return rc;
}

/*
 * A TAP step: client -> TAP, then TAP -> client, half the duration each;
 * a libvdeplug client on one side, the TAP peer on the other.
 */
static void run_tap_step(enum step st, enum impl impl, unsigned round)
{
	enum metric mt = tap_metric(st);
	struct flow_res r[2];
	int ok = 0;

	if (!tap_run(st, impl, true, &r[0])) {
		res[mt][impl][round] = r[0].rate;
		ok++;
	}
	if (!interrupted && !tap_run(st, impl, false, &r[1])) {
		res[mt + 1][impl][round] = r[1].rate;
		ok++;
	}
	if (ok == 2 && st == S_T64)
		res[M_TCPU][impl][round] = (double)(r[0].sw_cpu +
			r[1].sw_cpu) / (double)(r[0].delivered +
						r[1].delivered);
	if (ok == 2 && st == S_J64)
		res[M_JCPU][impl][round] = (double)(r[0].cpu2 + r[1].cpu2) /
			(double)(r[0].delivered + r[1].delivered);
	if (ok == 2) {
		fputc('\n', stderr);
		return;
	}
	failed_runs[impl]++;
	fprintf(stderr, "failed\n");
}

static void run_step(enum step st, enum impl impl, unsigned round)
{
	enum metric mt = step_metric(st);
	char a[32], b[32];
	struct flow f;
	struct flow_res r;

	fprintf(stderr, "  %-10s %-10s ", step_names[st],
		is_join_step(st) ? (impl == IMPL_PB ? "pb-tap" : "plug2tap") :
		is_url_step(st) ? (impl == IMPL_PB ? "url port" : "VDE port") :
		is_tapcopy_step(st) ? (impl == IMPL_PB ? "on" : "2 deliv") :
		is_vh_step(st) ? (impl == IMPL_PB ? "vhost-user" : "VDE port") :
		impl_name(impl));
	fflush(stderr);
	if (is_tap_step(st)) {
		run_tap_step(st, impl, round);
		return;
	}
	if (st == S_RTT) {
		double mn = NAN, md = NAN;

		if (run_rtt(impl, &mn, &md))
			failed_runs[impl]++;
		res[M_RTTMIN][impl][round] = mn;
		res[M_RTTMED][impl][round] = md;
		fmt_val(a, sizeof(a), M_RTTMIN, mn);
		fmt_val(b, sizeof(b), M_RTTMED, md);
		fprintf(stderr, "min %s us, median %s us\n", a, b);
		return;
	}
	if (st == S_SLIRP) {
		double rate, med;
		int rc = run_slirp(impl, (long long)(opt.duration * 1e9),
				   &rate, &med);

		if (rc < 0)
			failed_runs[impl]++;
		else if (rc > 0)
			lossy_runs[impl]++;
		res[M_SLRATE][impl][round] = rate;
		res[M_SLRTT][impl][round] = med;
		fmt_val(a, sizeof(a), M_SLRATE, rate);
		fmt_val(b, sizeof(b), M_SLRTT, med);
		fprintf(stderr, "%s k/s, RTT median %s us%s\n", a, b,
			rc > 0 ? " LOSSY: no rate" : rc < 0 ? " failed" : "");
		return;
	}
	if (st == S_RSS) {
		double kib = NAN;

		if (run_rss(impl, &kib))
			failed_runs[impl]++;
		res[M_RSS][impl][round] = kib;
		fprintf(stderr, "VmRSS %.0f KiB\n", kib);
		return;
	}
	if (st >= S_C64 && st <= S_VX1500) {
		double rate;
		int rc = st >= S_VX64
				 ? run_vxlan(impl, st == S_VX64 ? 64 : 1500,
					     (long long)(opt.duration * 1e9),
					     &rate)
				 : run_cable(impl,
					     st == S_C64 || st == S_CD64 ? 64
									 : 1500,
					     st >= S_CD64,
					     (long long)(opt.duration * 1e9),
					     &rate);

		if (rc < 0)
			failed_runs[impl]++;
		else if (rc > 0)
			lossy_runs[impl]++;
		res[mt][impl][round] = rc ? NAN : rate;
		fmt_val(a, sizeof(a), mt, res[mt][impl][round]);
		fprintf(stderr, "%s k/s%s\n", a, rc > 0 ? " LOSSY: no figure" :
			rc < 0 ? " failed" : "");
		return;
	}
	flow_of(st, &f);
	if (is_url_step(st) && impl == IMPL_VDE)
		f.url = URL_NONE;	/* the reference: patchbay's VDE port */
	if (is_vh_step(st) && impl == IMPL_VDE)
		f.vhost = false;	/* the reference: batching VDE clients */
	if (is_tapcopy_step(st)) {
		if (impl == IMPL_VDE) {
			/* the reference: no mirror or capture, the same
			 * broadcasts to two receivers in one VLAN (a real
			 * second delivery, on the same path) */
			f.tap_cmds = NULL;
			f.capture = false;
			f.nrx = 2;
			f.bcast = true;
		}
		if (run_flow(IMPL_PB, &f, &r) || !r.lossless || !r.sent) {
			failed_runs[impl]++;
			fprintf(stderr, "failed%s\n", r.ok ? " (lossy)" : "");
			return;
		}
		res[mt][impl][round] = (double)r.sw_cpu / (double)r.sent;
		fprintf(stderr, "CPU %.0f ns per frame sent, %llu sent in "
			"%.2f s, %llu delivered\n", res[mt][impl][round],
			(unsigned long long)r.sent, r.secs,
			(unsigned long long)r.delivered);
		return;
	}
	if (run_flow(is_url_step(st) || is_vh_step(st) ? IMPL_PB : impl, &f,
		     &r)) {
		failed_runs[impl]++;
		fprintf(stderr, "failed\n");
		return;
	}
	if (f.burst) {
		res[mt][impl][round] = (double)r.loss;
		fprintf(stderr, "%llu of %llu frames lost (%.1f ms to send)\n",
			(unsigned long long)r.loss,
			(unsigned long long)r.sent, r.secs * 1e3);
		return;
	}
	if (!r.lossless) {
		lossy_runs[impl]++;
		loss_total[impl] += r.loss;
		fprintf(stderr, "LOSSY: sent %llu x %u, received %llu%s -> "
			"no figure\n", (unsigned long long)r.sent, f.nrx,
			(unsigned long long)r.delivered,
			r.stalled ? ", stalled" : "");
		return;
	}
	if (st == S_SYSC) {
		res[M_SYSC][impl][round] = r.sc_per;
		fprintf(stderr, "%.3f syscalls/frame over %llu frames, "
			"%.0f ns CPU/frame\n", r.sc_per,
			(unsigned long long)r.delivered, r.cpu_ns);
		return;
	}
	res[mt][impl][round] = r.rate;
	if (st == S_U64)
		res[M_CPU][impl][round] = r.cpu_ns;
	if (st == S_BC16)
		res[M_BCCPU][impl][round] = r.cpu_ns;
	if (st == S_VH64)
		res[M_VHCPU][impl][round] = r.cpu_ns;
	if (st == S_IDLE)
		res[M_CONN][impl][round] = r.connect_s;
	fmt_val(a, sizeof(a), mt, r.rate);
	fprintf(stderr, "%s k/s, %llu delivered in %.2f s, CPU %.0f ns/frame",
		a, (unsigned long long)r.delivered, r.secs, r.cpu_ns);
	if (bcfg.verbose)
		fprintf(stderr, " (sender %.0f, receivers %.0f ns/frame)",
			r.tx_cpu_ns, r.rx_cpu_ns);
	if (bcfg.verbose && f.vhost)
		fprintf(stderr, "; front ends per 1000 frames: sender %.2f "
			"kicks, %.2f sleeps, receiver %.2f kicks, %.2f sleeps",
			1e3 * (double)r.fe_tx[0] / (double)r.delivered,
			1e3 * (double)r.fe_tx[1] / (double)r.delivered,
			1e3 * (double)r.fe_rx[0] / (double)r.delivered,
			1e3 * (double)r.fe_rx[1] / (double)r.delivered);
	if (st == S_IDLE)
		fprintf(stderr, ", %u connects %.3f s (switch CPU %.3f s)",
			opt.idle, r.connect_s, r.connect_cpu_s);
	if (f.console)
		fprintf(stderr, ", console: debug/add %u of %u categories, "
			"%llu debug lines read", r.con_added, r.con_cats,
			(unsigned long long)r.con_lines);
	fputc('\n', stderr);
}

/* statistics */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned n)
{
	double s[MAXROUNDS];
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			s[k++] = v[i];
	if (!k)
		return NAN;
	qsort(s, k, sizeof(s[0]), cmp_d);
	return k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
}

static double worst(const double *v, unsigned n)
{
	double w = NAN;
	unsigned i;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && (isnan(w) || v[i] > w))
			w = v[i];
	return w;
}

/* Median over rounds of op(a[r], b[r]): 0 ratio, 1 difference. */
static double paired(const double *a, const double *b, unsigned n, int op)
{
	double v[MAXROUNDS];
	unsigned i;

	for (i = 0; i < n; i++) {
		v[i] = NAN;
		if (isnan(a[i]) || isnan(b[i]))
			continue;
		if (op == 0 && b[i] != 0)
			v[i] = a[i] / b[i];
		else if (op == 1)
			v[i] = a[i] - b[i];
	}
	return median(v, n);
}

static bool step_on(enum step st)
{
	const char *p = opt.only;
	size_t len = strlen(step_names[st]);

	if (!p || !*p)
		return true;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, step_names[st], len))
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

static const char *row_name(enum metric mt)
{
	static char buf[64];

	if (mt == M_IDLE)
		snprintf(buf, sizeof(buf), "unicast 64B +%u idle kf/s",
			 opt.idle);
	else if (mt == M_CONN)
		snprintf(buf, sizeof(buf), "%u connects, s", opt.idle);
	else
		return mdef[mt].name;
	return buf;
}

/* A TAP figure asked for (--only) that no TAP step could measure. */
static bool tap_row_na(enum metric mt)
{
	enum step st;

	if (mt < M_T64C || opt.netns >= 0)
		return false;
	st = mt <= M_T1500T ? (mt <= M_T64T ? S_T64 : S_T1500) :
		mt == M_TCPU ? S_T64 : mt <= M_J64T || mt == M_JCPU ? S_J64 :
		S_J1500;
	return step_on(st);
}

static void print_table(unsigned rounds)
{
	unsigned pass = 0, total = 0, unmeasured = 0, header = 0, i;
	char failed[1024] = "";

	printf("\n%-30s | %10s | %10s | %6s | %-19s | %s\n", "figure",
	       "patchbay", "vde_switch", "ratio", "target", "result");
	printf("%-30s | %10s | %10s |\n", "  (joiner rows)", "pb-tap",
	       "plug2tap");
	printf("%-30s | %10s | %10s |\n", "  (URL port rows, patchbay)",
	       "URL port", "VDE port");
	printf("%-30s | %10s | %10s |\n", "  (+mirror/+capture, patchbay)",
	       "on", "2 deliv");
	printf("%-30s | %10s | %10s |\n", "  (vhost-user rows, patchbay)",
	       "vhost-user", "VDE port");
	printf("-------------------------------+------------+------------+"
	       "--------+---------------------+---------------\n");
	for (i = 0; i < M_N; i++) {
		const struct metric_def *d = &mdef[i];
		double pb, vde, ratio, chk = NAN;
		char spb[32], svde[32], srat[16], tgt[32], out[300];
		bool ok = false, have = true;

		pb = d->worst ? worst(res[i][IMPL_PB], rounds) :
			median(res[i][IMPL_PB], rounds);
		vde = d->worst ? worst(res[i][IMPL_VDE], rounds) :
			median(res[i][IMPL_VDE], rounds);
		if (isnan(pb) && isnan(vde) && !tap_row_na((enum metric)i))
			continue;
		ratio = paired(res[i][IMPL_PB], res[i][IMPL_VDE], rounds, 0);
		fmt_val(spb, sizeof(spb), (enum metric)i, pb);
		fmt_val(svde, sizeof(svde), (enum metric)i, vde);
		if (isnan(ratio) || d->worst)
			snprintf(srat, sizeof(srat), "-");
		else
			snprintf(srat, sizeof(srat), "%.2f", ratio);

		switch (d->tk) {
		case TG_NONE:
			have = false;
			snprintf(tgt, sizeof(tgt), "-");
			break;
		case TG_RATIO_GE:
			if (d->rel)
				snprintf(tgt, sizeof(tgt), "%s >= %.2f", d->rel,
					 d->target);
			else
				snprintf(tgt, sizeof(tgt), "ratio >= %.1f",
					 d->target);
			chk = ratio;
			ok = ratio >= d->target;
			break;
		case TG_RATIO_LE:
			snprintf(tgt, sizeof(tgt), "%s <= %.1f",
				 d->rel ? d->rel : "ratio", d->target);
			chk = ratio;
			ok = ratio <= d->target;
			break;
		case TG_PB_LE:
			snprintf(tgt, sizeof(tgt), "patchbay <= ");
			fmt_val(tgt + strlen(tgt), sizeof(tgt) - strlen(tgt),
				(enum metric)i, d->target);
			chk = pb;
			ok = pb <= d->target;
			break;
		case TG_PB_ZERO:
			snprintf(tgt, sizeof(tgt), "patchbay = 0");
			chk = pb;
			ok = pb == 0;
			break;
		case TG_DIFF_LE:
			chk = paired(res[i][IMPL_PB], res[i][IMPL_VDE], rounds,
				     1);
			snprintf(tgt, sizeof(tgt), "pb - vde <= %.0f us",
				 d->target / 1e3);
			ok = chk <= d->target;
			break;
		case TG_REL_GE:
			chk = paired(res[i][IMPL_PB], res[d->ref][IMPL_PB],
				     rounds, 0);
			snprintf(tgt, sizeof(tgt), "%s >= %.2f", d->rel,
				 d->target);
			ok = chk >= d->target;
			break;
		}
		if (!have) {
			snprintf(out, sizeof(out), "-");
		} else if (isnan(chk)) {
			snprintf(out, sizeof(out), "n/a");
			if (tap_row_na((enum metric)i))
				snprintf(out, sizeof(out), "n/a (%s)",
					 opt.tap_na);
			unmeasured++;
		} else {
			total++;
			if (ok)
				pass++;
			else
				snprintf(failed + strlen(failed),
					 sizeof(failed) - strlen(failed),
					 "%s%s", *failed ? "; " : "",
					 row_name((enum metric)i));
			if (d->tk == TG_DIFF_LE)
				snprintf(out, sizeof(out), "%s (%+.1f us)",
					 ok ? "PASS" : "FAIL", chk / 1e3);
			else if (d->tk == TG_REL_GE)
				snprintf(out, sizeof(out), "%s (%.2f)",
					 ok ? "PASS" : "FAIL", chk);
			else
				snprintf(out, sizeof(out), "%s",
					 ok ? "PASS" : "FAIL");
		}
		printf("%-30s | %10s | %10s | %6s | %-19s | %s\n",
		       row_name((enum metric)i), spb, svde, srat, tgt, out);
	}
	for (i = 0; i < M_N && rounds > 1; i++) {
		const double *a = res[i][IMPL_PB];
		const double *b = mdef[i].tk == TG_REL_GE ?
			res[mdef[i].ref][IMPL_PB] : res[i][IMPL_VDE];
		unsigned k, n = 0;

		if (mdef[i].worst)
			continue;
		for (k = 0; k < rounds; k++)
			if (!isnan(a[k]) && !isnan(b[k]) && b[k] != 0)
				n++;
		if (n < 2)
			continue;
		if (!header++)
			printf("\nper-round patchbay/vde_switch ratios "
			       "(pb/2-port for idle ports, pb/u64 for "
			       "+console, pb/vde-port for URL ports, "
			       "vhost/vde for vh64):\n");
		printf("  %-30s", row_name((enum metric)i));
		for (k = 0; k < rounds; k++) {
			if (isnan(a[k]) || isnan(b[k]) || b[k] == 0)
				printf("     -");
			else
				printf(" %5.2f", a[k] / b[k]);
		}
		putchar('\n');
	}
	printf("\nlossless check: %u lossy windowed runs for patchbay "
	       "(%llu frames), %u for vde_switch (%llu frames); "
	       "failed runs: %u / %u\n",
	       lossy_runs[IMPL_PB], loss_total[IMPL_PB], lossy_runs[IMPL_VDE],
	       loss_total[IMPL_VDE], failed_runs[IMPL_PB],
	       failed_runs[IMPL_VDE]);
	printf("OVERALL: %s: %u of %u targets met", !total ? "NONE" :
	       total == pass ? "PASS" : "FAIL", pass, total);
	if (unmeasured)
		printf(", %u not measured (n/a)", unmeasured);
	printf("%s%s\n", *failed ? "; FAILED: " : "", failed);
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: pbbench --patchbay PATH [OPTIONS]\n"
"Benchmark patchbay against vde_switch, paired, and print a table.\n"
"\n"
"  --patchbay PATH     the patchbay binary (required)\n"
"  --vde-switch PATH   vde_switch (default: vde_switch in PATH); 'none'\n"
"                      runs patchbay alone\n"
"  --rounds N          rounds (default %u; env BENCH_ROUNDS)\n"
"  --quick             1 round, short runs (env BENCH_QUICK=1)\n"
"  --duration S        seconds per throughput run (default %.1f; env\n"
"                      BENCH_DURATION)\n"
"  --window W          frames in flight at most (default %u, less if\n"
"                      net.core.wmem_default is small; vh64: %u unless\n"
"                      given)\n"
"  --ack K             receivers acknowledge every K frames (default W/4)\n"
"  --idle N            idle ports for the idle-ports run (default %u)\n"
"  --syscalls M        perf, strace or none (default: perf if it works)\n"
"  --rtt-cpus S,P,Q    pin switch, ping and pong to these CPUs for the\n"
"                      round trips (default: all on the last CPU; 'none')\n"
"  --only LIST         steps to run, comma-separated, of: u64 u64con\n"
"                      u1500 b64 b1500 s64 s1500 d64 d1500 bc4 bc16 idle\n"
"                      rtt sysc rss burst64 burst1500 c64 c1500 cd64\n"
"                      cd1500 t64 t1500 j64 j1500 vx64 vx1500 slirp\n"
"                      mir64 cap64 vh64 (env BENCH_ONLY); vx* need root\n"
"                      (network namespaces) and compare vxlan:// with\n"
"                      vde_plug vxlan:// relays; slirp pings a slirp://\n"
"                      port's gateway, vs vde_plug slirp://\n"
"                      (libvdeplug-slirp); the cable steps (c*) compare\n"
"                      patchbay-plug ($BENCH_PLUG) with vde_plug; the\n"
"                      targets of idle and u64con are ratios to u64: run\n"
"                      it too; the URL port steps (s*, d*) compare\n"
"                      patchbay's stream and dgram ports with its VDE\n"
"                      port; vh64 compares two vhost-user ports of\n"
"                      patchbay, each driven by a front end process\n"
"                      (memfd guest memory, split rings, EVENT_IDX; no\n"
"                      QEMU), with two batching VDE clients on patchbay\n"
"                      (target >= 4x)\n"
"  --patchbay-tap PATH patchbay-tap for j64/j1500 (default: beside\n"
"                      --patchbay, ../tapbridge/patchbay-tap); 'none'\n"
"  --vde-plug2tap PATH vde_plug2tap (default: in PATH); 'none'\n"
"  --tmpdir DIR        where the switch directories go (default: $TMPDIR,\n"
"                      else /dev/shm if it is a tmpfs, else /tmp)\n"
"  --impl NAME         run only patchbay or only vde_switch (profiling)\n"
"  --keep              keep the temporary directories (logs)\n"
"  -v, --verbose       more detail on stderr\n"
"  -h, --help          this text\n",
		DEF_ROUNDS, DEF_DURATION, DEF_WINDOW, VH_WINDOW, DEF_IDLE);
}

static const char *find_in_path(const char *name)
{
	static char buf[PATH_MAX];
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (access(buf, X_OK) == 0)
			return buf;
		path += n;
		if (*path)
			path++;
	}
	return NULL;
}

/* BUILD/tapbridge/patchbay-tap for BUILD/switch/patchbay, if it is there. */
static const char *pbtap_beside(void)
{
	static char buf[PATH_MAX];
	const char *slash = strrchr(bcfg.path[IMPL_PB], '/');

	snprintf(buf, sizeof(buf), "%.*s../tapbridge/patchbay-tap",
		 slash ? (int)(slash - bcfg.path[IMPL_PB] + 1) : 0,
		 bcfg.path[IMPL_PB]);
	return access(buf, X_OK) ? NULL : buf;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static unsigned parse_uint(const char *name, const char *s, unsigned min,
			   unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "pbbench: %s %s: expected %u..%u\n", name, s,
			min, max);
		exit(2);
	}
	return (unsigned)v;
}

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * The window: vde_switch drops a frame when the receiver's socket is full.
 * Its data sockets are connected both ways, so the kernel's limit is the
 * switch socket's send buffer (net.core.wmem_default, each datagram charged
 * its skb's size), not net.unix.max_dgram_qlen: about 93 frames of 1500
 * bytes with the default 212992. Stay well below that, at most DEF_WINDOW.
 */
static unsigned auto_window(void)
{
	long wmem = read_long("/proc/sys/net/core/wmem_default");
	long w = wmem > 0 ? wmem / SKB_1500 * 7 / 10 : 8;

	if (w > DEF_WINDOW)
		w = DEF_WINDOW;
	if (w < 4)
		w = 4;
	return (unsigned)w;
}

/* The highest CPU this process may run on, or -1. */
static int last_cpu(void)
{
	cpu_set_t set;
	int i;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (i = CPU_SETSIZE - 1; i >= 0; i--)
		if (CPU_ISSET(i, &set))
			return i;
	return -1;
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "patchbay", required_argument, NULL, 'P' },
		{ "vde-switch", required_argument, NULL, 'V' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, 'w' },
		{ "ack", required_argument, NULL, 'k' },
		{ "idle", required_argument, NULL, 'i' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "rtt-cpus", required_argument, NULL, 'C' },
		{ "impl", required_argument, NULL, 'I' },
		{ "patchbay-tap", required_argument, NULL, 'J' },
		{ "vde-plug2tap", required_argument, NULL, 'j' },
		{ "keep", no_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rounds = env_nonempty("BENCH_ROUNDS");
	const char *dur = env_nonempty("BENCH_DURATION");
	const char *quick = env_nonempty("BENCH_QUICK");
	const char *vde = NULL, *sc = NULL, *rtt_cpus = NULL;
	const char *pbtap = NULL, *plug2tap = NULL;
	int c;

	opt.only = env_nonempty("BENCH_ONLY");
	opt.quick = quick && strcmp(quick, "0") && strcmp(quick, "no");
	opt.idle = DEF_IDLE;
	opt.rtt_cpu[0] = opt.rtt_cpu[1] = opt.rtt_cpu[2] = -1;
	bcfg.window = 0;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case 'P':
			bcfg.path[IMPL_PB] = optarg;
			break;
		case 'V':
			vde = optarg;
			break;
		case 'r':
			rounds = optarg;
			break;
		case 'q':
			opt.quick = true;
			break;
		case 'd':
			dur = optarg;
			break;
		case 'w':
			bcfg.window = parse_uint("--window", optarg, 1,
						 PB_MAXWIN);
			opt.window_set = true;
			break;
		case 'k':
			bcfg.ackevery = parse_uint("--ack", optarg, 1,
						   PB_MAXWIN);
			break;
		case 'i':
			opt.idle = parse_uint("--idle", optarg, 1, 60000);
			break;
		case 's':
			sc = optarg;
			break;
		case 'o':
			opt.only = optarg;
			break;
		case 'T':
			opt.tmpdir = optarg;
			break;
		case 'C':
			rtt_cpus = optarg;
			break;
		case 'I':
			if (!strcmp(optarg, "patchbay")) {
				opt.skip[IMPL_VDE] = true;
			} else if (!strcmp(optarg, "vde_switch")) {
				opt.skip[IMPL_PB] = true;
			} else {
				fprintf(stderr, "pbbench: --impl patchbay or "
					"vde_switch\n");
				exit(2);
			}
			break;
		case 'J':
			pbtap = optarg;
			break;
		case 'j':
			plug2tap = optarg;
			break;
		case 'K':
			bcfg.keep = true;
			break;
		case 'v':
			bcfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc || !bcfg.path[IMPL_PB]) {
		usage(stderr);
		exit(2);
	}
	opt.rounds = rounds ? parse_uint("rounds", rounds, 1, MAXROUNDS) :
		(opt.quick ? 1 : DEF_ROUNDS);
	opt.duration = opt.quick ? QUICK_DURATION : DEF_DURATION;
	if (dur) {
		char *end;

		opt.duration = strtod(dur, &end);
		if (*end || opt.duration < 0.05 || opt.duration > 600) {
			fprintf(stderr, "pbbench: duration %s: expected "
				"0.05..600 s\n", dur);
			exit(2);
		}
	}
	opt.sc_frames = opt.quick ? QUICK_SC_FRAMES : DEF_SC_FRAMES;
	if (!bcfg.window)
		bcfg.window = auto_window();
	if (!bcfg.ackevery)
		bcfg.ackevery = bcfg.window >= 4 ? bcfg.window / 4 : 1;
	if (bcfg.ackevery > bcfg.window) {
		fprintf(stderr, "pbbench: --ack must not exceed --window\n");
		exit(2);
	}
	if (!rtt_cpus) {
		opt.rtt_cpu[0] = opt.rtt_cpu[1] = opt.rtt_cpu[2] =
			last_cpu();
	} else if (strcmp(rtt_cpus, "none") &&
		   sscanf(rtt_cpus, "%d,%d,%d", &opt.rtt_cpu[0],
			  &opt.rtt_cpu[1], &opt.rtt_cpu[2]) != 3) {
		fprintf(stderr, "pbbench: --rtt-cpus S,P,Q or none\n");
		exit(2);
	}
	if (!vde || !*vde) {
		vde = find_in_path("vde_switch");
		vde = vde ? strdup(vde) : NULL;
	}
	if (vde && strcmp(vde, "none"))
		bcfg.path[IMPL_VDE] = vde;
	opt.joiner[IMPL_PB] = pbtap ? pbtap : pbtap_beside();
	if (opt.joiner[IMPL_PB] && !strcmp(opt.joiner[IMPL_PB], "none"))
		opt.joiner[IMPL_PB] = NULL;
	if (!plug2tap || !*plug2tap) {
		/* find_in_path()'s buffer holds vde_switch's path */
		plug2tap = find_in_path("vde_plug2tap");
		plug2tap = plug2tap ? strdup(plug2tap) : NULL;
	}
	if (plug2tap && strcmp(plug2tap, "none"))
		opt.joiner[IMPL_VDE] = plug2tap;
	if (!sc) {
		opt.sc = sc_probe();
	} else if (!strcmp(sc, "perf")) {
		opt.sc = SC_PERF;
	} else if (!strcmp(sc, "strace")) {
		opt.sc = SC_STRACE;
	} else if (!strcmp(sc, "none")) {
		opt.sc = SC_NONE;
	} else {
		fprintf(stderr, "pbbench: --syscalls %s: perf, strace or "
			"none\n", sc);
		exit(2);
	}
}

static bool is_tmpfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC_NR;
}

/*
 * Switch directories go on a tmpfs when there is one: vde_switch's default
 * directory, /var/run/vde.ctl, is on tmpfs on Debian, and binding a socket
 * on a busy disk file system measures the disk, not the switch.
 */
static const char *pick_tmpdir(void)
{
	if (opt.tmpdir)
		return opt.tmpdir;
	if (env_nonempty("TMPDIR"))
		return getenv("TMPDIR");
	if (is_tmpfs("/dev/shm") && access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return "/tmp";
}

static void raise_nofile(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want)
		fprintf(stderr, "pbbench: warning: RLIMIT_NOFILE is %llu, "
			"%u idle ports need about %u\n",
			(unsigned long long)rl.rlim_cur, opt.idle, want);
}

static void print_header(void)
{
	struct utsname u;
	char load[64] = "?";
	FILE *f;

	uname(&u);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (!fgets(load, sizeof(load), f))
			load[0] = '\0';
		load[strcspn(load, "\n")] = '\0';
		fclose(f);
	}
	printf("pbbench: patchbay %s vs %s\n", bcfg.path[IMPL_PB],
	       bcfg.path[IMPL_VDE] ? bcfg.path[IMPL_VDE] : "(none)");
	printf("  %s %s, %ld CPUs, load %s\n", u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), load);
	printf("  rounds %u%s, %.2f s per throughput run, window %u frames, "
	       "ack every %u, %u idle ports, net.core.wmem_default %ld\n",
	       opt.rounds, opt.quick ? " (quick)" : "", opt.duration,
	       bcfg.window, bcfg.ackevery, opt.idle,
	       read_long("/proc/sys/net/core/wmem_default"));
	printf("  switch directories in %s (%s); round trips pinned to "
	       "CPUs %d,%d,%d (switch,ping,pong; -1 = not pinned)\n",
	       bcfg.tmpdir, is_tmpfs(bcfg.tmpdir) ? "tmpfs" : "not tmpfs",
	       opt.rtt_cpu[0], opt.rtt_cpu[1], opt.rtt_cpu[2]);
	if (opt.netns >= 0)
		printf("  TAP steps in a network namespace of their own, TAP "
		       "%s %s; joiners %s vs %s on patchbay\n", TAP_IFNAME,
		       TAP_ADDR, opt.joiner[IMPL_PB] ? opt.joiner[IMPL_PB] :
		       "(none)", opt.joiner[IMPL_VDE] ?
		       opt.joiner[IMPL_VDE] : "(none)");
	if (step_on(S_VH64))
		printf("  vh64: window %u frames in both columns, "
		       "acknowledgements in shared memory (a pipe wakes a "
		       "sleeping sender)\n",
		       opt.window_set ? bcfg.window : VH_WINDOW);
	printf("  syscalls counted with %s over %llu frames; CPU from "
	       "/proc/PID/stat utime+stime\n",
	       opt.sc == SC_PERF ? "perf stat -e raw_syscalls:sys_enter" :
	       opt.sc == SC_STRACE ? "strace -c -f -p" : "nothing",
	       (unsigned long long)opt.sc_frames);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned r, s, i, j, k;
	long long t0;

	parse_args(argc, argv);
	bcfg.tmpdir = pick_tmpdir();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
	raise_nofile(2 * opt.idle + 64);
	if (access(bcfg.path[IMPL_PB], X_OK)) {
		fprintf(stderr, "pbbench: %s: %s\n", bcfg.path[IMPL_PB],
			strerror(errno));
		return 1;
	}
	if (!bcfg.path[IMPL_VDE])
		fprintf(stderr, "pbbench: no vde_switch: patchbay alone, no "
			"ratios\n");
	for (i = 0; i < M_N; i++)
		for (j = 0; j < IMPL_N; j++)
			for (k = 0; k < MAXROUNDS; k++)
				res[i][j][k] = NAN;
	opt.netns = -1;
	for (s = S_T64; s < S_N; s++) {
		if (is_tap_step((enum step)s) && step_on((enum step)s)) {
			opt.netns = tapns_open(opt.tap_na,
					       sizeof(opt.tap_na));
			break;
		}
	}
	print_header();
	t0 = now_ns();
	for (r = 0; r < opt.rounds && !interrupted; r++) {
		fprintf(stderr, "round %u/%u\n", r + 1, opt.rounds);
		for (s = 0; s < S_N && !interrupted; s++) {
			if (!step_on((enum step)s))
				continue;
			if (s == S_SYSC && opt.sc == SC_NONE)
				continue;
			if (is_tap_step((enum step)s) && opt.netns < 0) {
				fprintf(stderr, "  %-10s n/a (%s)\n",
					step_names[s], opt.tap_na);
				continue;
			}
			for (k = 0; k < IMPL_N; k++) {
				enum impl im = (enum impl)((r + k) % 2);

				if (!impl_ready((enum step)s, im) ||
				    interrupted)
					continue;
				runs[im]++;
				run_step((enum step)s, im, r);
			}
		}
	}
	if (interrupted) {
		fprintf(stderr, "pbbench: interrupted\n");
		signal(interrupted, SIG_DFL);
		raise(interrupted);
		return 128 + interrupted;
	}
	print_table(opt.rounds);
	printf("(%u rounds in %.0f s; figures are medians over rounds, "
	       "burst losses the worst round; ratio = median of per-round "
	       "patchbay/vde_switch)\n", opt.rounds,
	       (double)(now_ns() - t0) / 1e9);
	/* targets never fail the run; a switch that never ran does */
	for (k = 0; k < IMPL_N; k++) {
		if (runs[k] && failed_runs[k] == runs[k]) {
			fprintf(stderr, "pbbench: every %s run failed\n",
				impl_name((enum impl)k));
			return 1;
		}
	}
	return 0;
}
