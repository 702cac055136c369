/* SPDX-License-Identifier: GPL-2.0-or-later
 * tap.c - what the TAP steps need beyond the switches and clients: the
 * benchmark's own network namespace, the TAP joiners (patchbay-tap,
 * vde_plug2tap) as processes in it, and the TAP peer's packet sockets.
 *
 * The namespace is made once, by a forked child that unshares
 * CLONE_NEWNET; the parent keeps an fd of it (/proc/CHILD/ns/net) and the
 * child exits. Programs that open the TAP and the TAP peer setns() into it
 * after fork, so the host's namespace is never touched, and the namespace
 * (with any TAP left in it) goes away by itself when the benchmark exits,
 * however it exits: nothing is named, nothing to remove.
 *
 * The TAP peer is the other end of the TAP, inside the namespace: one
 * AF_PACKET socket bound to the TAP's ifindex for the benchmark's
 * ethertype (0x88b5) receives what the switch wrote into the TAP (only
 * incoming frames: outgoing copies go to ETH_P_ALL sockets alone), and
 * one bound with protocol 0 (it receives nothing) sends raw Ethernet
 * frames out of the TAP, past the qdisc (PACKET_QDISC_BYPASS), so the
 * switch reads them from its TAP fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pbbench.h"

#define ETH_TYPE_PB 0x88b5
#define PEER_RCVBUF (4 << 20)
#define IF_WAIT_MS 10000

/* What the namespace child found, sent to the parent. */
struct nsprobe {
	int err;		/* 0, or errno of @stage */
	int stage;		/* 0 unshare, 1 /dev/net/tun, 2 TUNSETIFF */
};

/* Write @val to a sysctl of the calling process's namespace. */
static void set_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0) {
		/* no IPv6 in this kernel: nothing to quieten */
	}
	close(fd);
}

/*
 * The namespace child: unshare, check that a TAP can be made in the new
 * namespace (it goes with the fd), quieten IPv6 there (no router
 * solicitations or MLD reports on the TAP), report, and stay until the
 * parent has opened the namespace.
 */
static void ns_child(int rep, int hold)
{
	struct nsprobe p = { 0, 0 };
	struct ifreq ifr;
	char c;
	int fd;

	if (unshare(CLONE_NEWNET)) {
		p.err = errno;
		goto out;
	}
	set_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	set_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	p.stage = 1;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		p.err = errno;
		goto out;
	}
	p.stage = 2;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_IFNAME);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		p.err = errno;
	close(fd);
out:
	if (write(rep, &p, sizeof(p)) != (ssize_t)sizeof(p))
		_exit(1);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/**
 * tapns_open() - make the benchmark's network namespace
 * @why:	when it cannot be had, the reason, for "n/a (reason)"
 * @len:	size of @why
 *
 * Checks that a TAP can be created in it. The namespace lives as long as
 * the returned fd (and the processes put in it).
 *
 * Return: an O_CLOEXEC fd of the namespace, or -1
 */
int tapns_open(char *why, size_t len)
{
	static const char *const stage[] = {
		"unshare(CLONE_NEWNET)", "/dev/net/tun", "TUNSETIFF",
	};
	int rep[2], hold[2], fd = -1;
	struct nsprobe p;
	char path[64];
	pid_t pid;

	if (geteuid() != 0) {
		snprintf(why, len, "not root: the TAP steps need "
			 "CAP_NET_ADMIN in a network namespace of their own");
		return -1;
	}
	if (pipe2(rep, O_CLOEXEC))
		goto fail_errno;
	if (pipe2(hold, O_CLOEXEC)) {
		close(rep[0]);
		close(rep[1]);
		goto fail_errno;
	}
	pid = fork();
	if (pid == 0) {
		close(rep[0]);
		close(hold[1]);
		ns_child(rep[1], hold[0]);
	}
	close(rep[1]);
	close(hold[0]);
	if (pid < 0) {
		close(rep[0]);
		close(hold[1]);
		goto fail_errno;
	}
	if (read(rep[0], &p, sizeof(p)) != (ssize_t)sizeof(p)) {
		p.err = EIO;
		p.stage = 0;
	}
	if (!p.err) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			snprintf(why, len, "%s: %s", path, strerror(errno));
	} else {
		snprintf(why, len, "%s: %s", stage[p.stage], strerror(p.err));
	}
	close(hold[1]);		/* the child exits */
	close(rep[0]);
	waitpid(pid, NULL, 0);
	return fd;
fail_errno:
	snprintf(why, len, "%s", strerror(errno));
	return -1;
}

/**
 * joiner_start() - start a TAP joiner in the benchmark's namespace
 * @impl:	IMPL_PB: patchbay-tap (configures the TAP: --tap-addr, link
 *		up); IMPL_VDE: vde_plug2tap (leaves it down: the TAP peer
 *		brings it up)
 * @path:	the program
 * @swdir:	the switch to join
 * @log:	file for its output
 * @tap:	the TAP and the namespace
 *
 * Return: its pid (registered), or -1
 */
pid_t joiner_start(enum impl impl, const char *path, const char *swdir,
		   const char *log, const struct tapcfg *tap)
{
	const char *argv[8];
	int n = 0;

	argv[n++] = path;
	argv[n++] = "-s";
	argv[n++] = swdir;
	if (impl == IMPL_PB) {
		argv[n++] = "--tap-addr";
		argv[n++] = TAP_ADDR;
	}
	argv[n++] = tap->ifname;
	argv[n] = NULL;
	return spawn(argv, log, -1, tap->netns);
}

/*
 * Bring @ifname up and give it TAP_ADDR unless it has an address: what
 * patchbay and patchbay-tap do themselves, done for vde_switch and
 * vde_plug2tap, which leave the TAP down.
 */
static int tap_config(int s, const char *ifname)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFADDR, &ifr) < 0) {
		sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, TAP_IP, &sin->sin_addr);
		if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
			return -1;
		sin = (struct sockaddr_in *)(void *)&ifr.ifr_netmask;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(~0U << (32 - TAP_PLEN));
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
			return -1;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			return -1;
	}
	return 0;
}

static int packet_socket(int proto, int ifindex)
{
	struct sockaddr_ll ll;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));

	if (s < 0)
		return -1;
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(proto);
	ll.sll_ifindex = ifindex;
	if (bind(s, (struct sockaddr *)&ll, sizeof(ll))) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * tap_peer_open() - the TAP peer's sockets, in the benchmark's namespace
 * (the caller has entered it)
 * @ifname:	the TAP; waited for up to 10 s (a joiner creates it after
 *		it starts), brought up and given TAP_ADDR if it is down
 * @rxfd:	receives frames of ethertype 0x88b5 the switch sent
 * @txfd:	sends frames into the switch (sendto with a sockaddr_ll)
 * @ifindex:	the TAP's ifindex
 *
 * Return: 0, or -1 with errno set
 */
int tap_peer_open(const char *ifname, int *rxfd, int *txfd, int *ifindex)
{
	long long end = now_ns() + IF_WAIT_MS * 1000000LL;
	int one = 1, buf = PEER_RCVBUF, s, e;

	while (!(*ifindex = (int)if_nametoindex(ifname))) {
		if (now_ns() > end) {
			errno = ENODEV;
			return -1;
		}
		usleep(2000);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (tap_config(s, ifname)) {
		e = errno;
		close(s);
		errno = e;
		return -1;
	}
	close(s);
	*rxfd = packet_socket(ETH_TYPE_PB, *ifindex);
	if (*rxfd < 0)
		return -1;
	*txfd = packet_socket(0, *ifindex);
	if (*txfd < 0) {
		e = errno;
		close(*rxfd);
		errno = e;
		return -1;
	}
	if (setsockopt(*rxfd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(*rxfd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	/* straight to the TAP's queue, as a kernel sender would be */
	setsockopt(*txfd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	return 0;
}

/* rx_dropped + tx_dropped of @ifname, from /proc/self/net/dev. */
static int64_t dev_drops(const char *ifname)
{
	char line[512];
	size_t n = strlen(ifname);
	int64_t d = 0;
	FILE *f = fopen("/proc/self/net/dev", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " ");
		unsigned long long rxd, txd;

		if (strncmp(p, ifname, n) || p[n] != ':')
			continue;
		/* bytes packets errs drop ... x8, then the same for tx */
		if (sscanf(p + n + 1, "%*u %*u %*u %llu %*u %*u %*u %*u "
			   "%*u %*u %*u %llu", &rxd, &txd) == 2)
			d = (int64_t)(rxd + txd);
		break;
	}
	fclose(f);
	return d;
}

/**
 * tap_peer_drops() - frames lost on the TAP peer's side so far: its
 * receive socket's drops (PACKET_STATISTICS, added up here since reading
 * resets them) plus the TAP's rx_dropped and tx_dropped since it was made
 * @rxfd:	the receive socket (one per process)
 * @ifname:	the TAP
 *
 * Return: the count; call once before measuring and subtract
 */
int64_t tap_peer_drops(int rxfd, const char *ifname)
{
	static int64_t sock_drops;
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (!getsockopt(rxfd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		sock_drops += st.tp_drops;
	return sock_drops + dev_drops(ifname);
}
