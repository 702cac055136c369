/* SPDX-License-Identifier: GPL-2.0-or-later
 * pbbench.h - shared declarations of pbbench, the benchmark comparing
 * patchbay with Debian's vde_switch.
 *
 * pbbench.c runs the rounds and prints the table, switches.c starts and
 * stops the switches and reads their /proc figures and system call counts,
 * clients.c holds the client processes (sender, receivers, ping, pong,
 * idle connections) that talk to a switch through libvdeplug, and the
 * console subscriber that talks to its management socket; tap.c makes the
 * benchmark's network namespace, starts the TAP joiners and opens the TAP
 * peer's packet sockets; urlports.c attaches a stream or dgram URL port
 * and speaks its framing for the sender; vxlan.c and slirp.c run the
 * VXLAN and slirp steps, each with its own switches and relays; vhost.c
 * attaches the vhost-user ports of the vh64 step, whose clients are
 * vhost-user front ends (vhufe.c).
 */
#ifndef PBBENCH_H
#define PBBENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define PB_MAXWIN 256		/* largest window of frames in flight */
#define PB_MAXRX 64		/* most receivers of one flow */
#define PB_MAXFRAME 1518	/* largest frame the benchmark sends */
#define TAP_IFNAME "pbbench0"	/* the TAP, in the benchmark's netns */
#define TAP_IP "198.18.0.1"	/* its address (test range) */
#define TAP_PLEN 24
#define TAP_ADDR TAP_IP "/24"

/* The two implementations under test. */
enum impl {
	IMPL_PB,
	IMPL_VDE,
	IMPL_N,
};

/* How system calls of the switch are counted. */
enum sc_method {
	SC_NONE,
	SC_PERF,		/* perf stat -e raw_syscalls:sys_enter */
	SC_STRACE,		/* strace -c -f */
};

/* A switch started by the benchmark. */
struct swproc {
	enum impl impl;
	pid_t pid;
	int stdin_w;		/* vde_switch: its stdin pipe, kept open */
	unsigned nports;	/* usable ports asked for */
	char base[PATH_MAX - 64];	/* mkdtemp directory */
	char dir[PATH_MAX];	/* control directory, base/sw */
	char mgmt[PATH_MAX];	/* console socket base/mgmt (-M), or "" */
	char log[PATH_MAX];	/* its stdout and stderr */
};

/* A system call counter attached to a switch. */
struct sccount {
	enum sc_method method;
	pid_t pid;		/* perf or strace */
	int ctl, ack;		/* perf: control and ack fifos */
	char out[PATH_MAX];	/* its report */
};

/* A TAP a switch or a joiner opens, in the benchmark's namespace. */
struct tapcfg {
	const char *ifname;
	int netns;		/* fd of the benchmark's network namespace */
};

/* Settings shared by every part. */
struct bench_cfg {
	const char *path[IMPL_N];	/* the two programs (NULL: absent) */
	const char *tmpdir;
	unsigned window;	/* frames in flight at most */
	unsigned ackevery;	/* receivers acknowledge every so many */
	bool verbose;
	bool keep;		/* keep temporary directories */
};

extern struct bench_cfg bcfg;

/*
 * Acknowledgements in memory shared by the sender and its receivers
 * (client_spec.acks): each receiver stores its count after every batch
 * and, only if the sender set its wake flag, clears the flag and writes
 * wake_fd: one write per sleep of the sender, which waits for it
 * edge-triggered (epoll) and so never reads it.
 */
struct ackshm {
	uint64_t count[PB_MAXRX];
	uint32_t wake[PB_MAXRX];
	int wake_fd;		/* an eventfd, inherited by the clients */
};

/* A sender speaking a URL port's own framing instead of libvdeplug's. */
enum urlkind {
	URL_NONE,
	URL_STREAM,		/* stream+listen://: TCP, 4-byte BE length */
	URL_DGRAM,		/* udp://: one frame per datagram */
};

/* Roles of client processes. */
enum role {
	ROLE_TX,		/* sends frames to the receivers */
	ROLE_RX,		/* counts frames, acknowledges through a pipe */
	ROLE_IDLE,		/* holds connections open, does nothing */
	ROLE_PING,		/* measures round trips */
	ROLE_PONG,		/* echoes them */
	ROLE_CONSOLE,		/* subscribes to every debug category of the
				 * console, reads and discards */
};

/* What a client process does. */
struct client_spec {
	enum role role;
	const char *dir;	/* the switch's control directory */
	const char *mgmt;	/* console: the switch's console socket */
	unsigned idx;		/* receiver index */
	unsigned size;		/* frame length in bytes */
	bool batch;		/* sendmmsg/recvmmsg, not vde_send/recv */
	bool bcast;		/* tx: send to the broadcast address */
	unsigned nrx;		/* tx: number of receivers */
	const int *ack_r;	/* tx: read ends of the receivers' ack pipes */
	int ack_w;		/* rx: write end of its ack pipe, or -1 */
	long long dur_ns;	/* tx, ping: run time (tx: 0 = send @count) */
	uint64_t count;		/* tx: frames if no @dur_ns, or burst */
	bool burst;		/* tx: no window; rx: slow reader */
	unsigned slow_ns;	/* rx: pause after each frame */
	unsigned nidle;		/* idle: connections to open */
	int cpu;		/* pin to this CPU, or -1 */
	const char *tap_if;	/* tx, rx: a TAP peer on this interface
				 * (packet sockets, batched), not a
				 * libvdeplug client */
	int netns;		/* > 0: run in this network namespace (an
				 * fd; 0 is stdin, never one): none */
	enum urlkind url;	/* tx: into a URL port through @url_fd, not
				 * a libvdeplug client; always batched */
	int url_fd;		/* tx: its connected socket (inherited) */
	unsigned window;	/* tx: frames in flight at most (0: the
				 * --window for every step) */
	struct ackshm *acks;	/* tx, rx: acknowledge in memory (the pipes
				 * only wake a sleeping sender), or NULL */
	const char *vhost;	/* tx, rx: a vhost-user front end on this
				 * socket (vhufe.c), not a libvdeplug
				 * client; always batched */
};

/* A message between the parent and a client process. */
struct cmsg {
	uint32_t type;
	uint32_t arg;
	int64_t v[8];
};

/* Message types. */
enum {
	MSG_READY = 1,		/* child: connected (idle: ns, count;
				 * console: categories listed, added) */
	MSG_FAIL,		/* child: gave up (arg errno) */
	MSG_ANNOUNCE,		/* parent: send your announce frame */
	MSG_SEEN,		/* child: saw receiver @arg's announce */
	MSG_GO,			/* parent: start measuring */
	MSG_RESULT,		/* child: figures in v[] (console: bytes,
				 * debug lines, 1 if the switch hung up;
				 * TAP peer: its drops in v[6]; vhost-user
				 * front end: kicks << 32 | sleeps in v[7]) */
	MSG_STOP,		/* parent: report and finish */
	MSG_QUIT,		/* parent: exit now */
};

/* A client process as the parent sees it. */
struct child {
	pid_t pid;
	int cmd;		/* parent writes commands */
	int rep;		/* parent reads reports */
};

/* clients.c */
int child_start(struct child *c, const struct client_spec *s);
int child_send(struct child *c, uint32_t type, uint32_t arg);
int child_recv(struct child *c, struct cmsg *m, int timeout_ms);
void child_finish(struct child *c);

/* pbbench.c */
int announce(struct child *who, unsigned idx, struct child *listener);
int expect(struct child *c, uint32_t type, struct cmsg *m, int timeout_ms,
	   const char *what);

/* cable.c */
int run_cable(enum impl impl, unsigned size, bool dpipe, long long dur_ns,
	      double *rate);
int run_between(const struct swproc *a, const struct swproc *b,
		unsigned size, bool bcast, long long dur_ns, const char *what,
		double *rate);

/* vxlan.c */
int run_vxlan(enum impl impl, unsigned size, long long dur_ns, double *rate);
int bench_console_cmd(const char *mgmt, const char *cmd);

/* vhost.c */
int vh_attach(const struct swproc *sw, const char *name, char *path,
	      size_t len);

/* slirp.c */
#define VDE_PLUG "/usr/bin/vde_plug"	/* Debian's, with its plugins */
int run_slirp(enum impl impl, long long dur_ns, double *rate, double *med_ns);

/* switches.c */
pid_t spawn(const char *const argv[], const char *log, int in_fd, int netns);
void stop_pid(pid_t pid, int sig, int timeout_ms);
void show_log(const char *path);
int sw_start(struct swproc *sw, enum impl impl, unsigned nports,
	     bool console, const struct tapcfg *tap);
void sw_stop(struct swproc *sw);
int proc_cpu_ns(pid_t pid, long long *ns);
long proc_rss_kib(pid_t pid);
enum sc_method sc_probe(void);
int sc_start(struct sccount *sc, enum sc_method m, pid_t target,
	     const char *tmpdir);
int sc_stop(struct sccount *sc, uint64_t *calls);
int wait_pid_ms(pid_t pid, int timeout_ms, int *status);
int pin_cpu(pid_t pid, int cpu);
void reg_pid(pid_t pid, int sig);
void unreg_pid(pid_t pid);
void reg_kill_all(void);
void rm_tree(const char *path);
const char *impl_name(enum impl impl);

/* tap.c */
int tapns_open(char *why, size_t len);
pid_t joiner_start(enum impl impl, const char *path, const char *swdir,
		   const char *log, const struct tapcfg *tap);
int tap_peer_open(const char *ifname, int *rxfd, int *txfd, int *ifindex);
int64_t tap_peer_drops(int rxfd, const char *ifname);

/* urlports.c */
struct mmsghdr;
int url_attach(const struct swproc *sw, enum urlkind kind, int *fd);
int sw_console(const struct swproc *sw, const char *cmd);
int url_send(enum urlkind kind, int fd, struct mmsghdr *msgs, unsigned n);
ssize_t url_recv(enum urlkind kind, int fd, void *buf, size_t len);

/* Monotonic time in nanoseconds. */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif /* PBBENCH_H */
