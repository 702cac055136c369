/* SPDX-License-Identifier: GPL-2.0-or-later
 * slirp.c - the benchmark's slirp step: a VDE client pings the gateway
 * of a user-mode network (libslirp answers it itself: nothing leaves the
 * process, no socket is opened) through
 *
 *   patchbay column:    patchbay's own slirp:// port (port/attach)
 *   vde_switch column:  "vde_plug vde://SWITCH slirp:///v4" on Debian's
 *                       vde_switch (vdeplug4's libvdeplug_slirp, Debian
 *                       package libvdeplug-slirp)
 *
 * Both are libslirp; what differs is the path to it: patchbay's loop
 * calls slirp_input() on the frame it received, vdeplug4's goes through
 * the switch's port, the vde_plug process and its plugin's thread.
 *
 * The client first asks the gateway's MAC by ARP (slirp learns the
 * client's from it), then sends ICMP echo requests of 56 data bytes
 * (98-byte frames): for half the time one at a time, the round trip of
 * each a sample (the median is the figure); for the other half keeping
 * SLIRP_WINDOW in flight, replies per second the figure. An echo request
 * unanswered within a second is lost; a run with losses gives no rate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "pbbench.h"
#include "refcsum.h"

#define SLIRP_WINDOW 8		/* echo requests in flight, rate half */
#define SLIRP_MAXSAMPLES 200000
#define SLIRP_FRAME 98		/* 14 + 20 + 8 + 56 */
#define SLIRP_ID 0x5042		/* our echo identifier */

static const uint8_t cli_mac[6] = { 0x52, 0x54, 0x00, 0x42, 0x00, 0x01 };
static const uint8_t cli_ip[4] = { 10, 0, 2, 15 };
static const uint8_t gw_ip[4] = { 10, 0, 2, 2 };

/* The Internet checksum of @n bytes (tests/refcsum.h). */
static uint16_t csum(const uint8_t *b, size_t n)
{
	return (uint16_t)~ref_fold(ref_sum(b, n, 0));
}

static int send_arp(VDECONN *c)
{
	uint8_t f[60] = { 0 };

	memset(f, 0xff, 6);
	memcpy(f + 6, cli_mac, 6);
	set16(f + 12, 0x0806);
	set16(f + 14, 1);		/* Ethernet */
	set16(f + 16, 0x0800);		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	set16(f + 20, 1);		/* request */
	memcpy(f + 22, cli_mac, 6);
	memcpy(f + 28, cli_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	return vde_send(c, f, sizeof(f), 0) == (ssize_t)sizeof(f) ? 0 : -1;
}

/* A frame from @c within @ms; its length, 0 on timeout, -1 on error. */
static ssize_t recv_ms(VDECONN *c, uint8_t *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = vde_datafd(c), .events = POLLIN };
	int n = poll(&p, 1, ms);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (!n)
		return 0;
	return vde_recv(c, buf, len, 0);
}

/* The gateway's MAC, asked by ARP (retried: vde_plug may still be
 * connecting). */
static int arp_gw(VDECONN *c, uint8_t *gw_mac)
{
	long long end = now_ns() + 10000000000LL;
	uint8_t f[1600];
	ssize_t n;

	while (now_ns() < end) {
		if (send_arp(c))
			return -1;
		while ((n = recv_ms(c, f, sizeof(f), 200)) > 0)
			if (n >= 42 && f[12] == 0x08 && f[13] == 0x06 &&
			    f[21] == 2 && !memcmp(f + 28, gw_ip, 4)) {
				memcpy(gw_mac, f + 22, 6);
				return 0;
			}
		if (n < 0)
			return -1;
	}
	fprintf(stderr, "pbbench: slirp: no ARP reply from the gateway; ");
	return -1;
}

static size_t mkecho(uint8_t *f, const uint8_t *gw_mac, unsigned seq)
{
	uint8_t *ip = f + 14, *icmp = ip + 20;

	memset(f, 0, SLIRP_FRAME);
	memcpy(f, gw_mac, 6);
	memcpy(f + 6, cli_mac, 6);
	set16(f + 12, 0x0800);
	ip[0] = 0x45;
	set16(ip + 2, SLIRP_FRAME - 14);
	set16(ip + 4, seq);
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, cli_ip, 4);
	memcpy(ip + 16, gw_ip, 4);
	set16(ip + 10, csum(ip, 20));
	icmp[0] = 8;
	set16(icmp + 4, SLIRP_ID);
	set16(icmp + 6, seq);
	memset(icmp + 8, 0xa5, 56);
	set16(icmp + 2, csum(icmp, 8 + 56));
	return SLIRP_FRAME;
}

/* The sequence number of an echo reply of ours in @f, or -1. */
static long echo_seq(const uint8_t *f, ssize_t n)
{
	const uint8_t *ip = f + 14, *icmp;

	if (n < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || ip[9] != 1)
		return -1;
	icmp = ip + (ip[0] & 0x0f) * 4;
	if (icmp + 8 > f + n || icmp[0] != 0 ||
	    (icmp[4] << 8 | icmp[5]) != SLIRP_ID)
		return -1;
	return icmp[6] << 8 | icmp[7];
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* One echo at a time for @dur_ns: the median round trip in @med_ns. */
static int rtt_half(VDECONN *c, const uint8_t *gw_mac, long long dur_ns,
		    unsigned *seq, double *med_ns, unsigned *lost)
{
	long long *rtt = calloc(SLIRP_MAXSAMPLES, sizeof(*rtt));
	long long end = now_ns() + dur_ns, t0;
	uint8_t f[1600], e[SLIRP_FRAME];
	unsigned n = 0;
	ssize_t got;
	long s;

	if (!rtt)
		return -1;
	while (now_ns() < end && n < SLIRP_MAXSAMPLES) {
		unsigned want = ++*seq & 0xffff;

		mkecho(e, gw_mac, want);
		t0 = now_ns();
		if (vde_send(c, e, sizeof(e), 0) != (ssize_t)sizeof(e))
			goto fail;
		for (;;) {
			got = recv_ms(c, f, sizeof(f), 1000);
			if (got < 0)
				goto fail;
			if (!got) {
				++*lost;
				break;
			}
			s = echo_seq(f, got);
			if (s == (long)want) {
				rtt[n++] = now_ns() - t0;
				break;
			}
		}
	}
	if (!n)
		goto fail;
	qsort(rtt, n, sizeof(*rtt), cmp_ll);
	*med_ns = (double)rtt[n / 2];
	free(rtt);
	return 0;
fail:
	free(rtt);
	return -1;
}

/* SLIRP_WINDOW echoes in flight for @dur_ns: replies per second. */
static int rate_half(VDECONN *c, const uint8_t *gw_mac, long long dur_ns,
		     unsigned *seq, double *rate, unsigned *lost)
{
	long long start = now_ns(), end = start + dur_ns, last = start;
	uint8_t f[1600], e[SLIRP_FRAME];
	unsigned inflight = 0;
	uint64_t replies = 0;
	ssize_t got;

	while (now_ns() < end) {
		while (inflight < SLIRP_WINDOW) {
			mkecho(e, gw_mac, ++*seq & 0xffff);
			if (vde_send(c, e, sizeof(e), 0) != (ssize_t)sizeof(e))
				return -1;
			inflight++;
		}
		got = recv_ms(c, f, sizeof(f), 100);
		if (got < 0)
			return -1;
		if (got > 0 && echo_seq(f, got) >= 0) {
			replies++;
			inflight--;
			last = now_ns();
		} else if (now_ns() - last > 1000000000LL) {
			*lost += inflight;	/* a second of silence */
			inflight = 0;
			last = now_ns();
		}
	}
	*rate = (double)replies / ((double)(now_ns() - start) / 1e9);
	return 0;
}

/**
 * run_slirp() - one slirp measurement (slirp.c's header)
 * @impl:	IMPL_PB: patchbay's slirp:// port; IMPL_VDE: vde_plug's
 * @dur_ns:	how long the client pings (half one at a time, half windowed)
 * @rate:	echo replies per second, windowed (NAN if any was lost)
 * @med_ns:	median round trip, one at a time
 *
 * Return: 0, 1 when echo requests were lost (no rate), -1 when it could
 * not run
 */
int run_slirp(enum impl impl, long long dur_ns, double *rate, double *med_ns)
{
	static char descr[] = "pbbench slirp";
	struct swproc sw = { .pid = -1 };
	char url[PATH_MAX + 8], log[PATH_MAX + 16];
	uint8_t gw_mac[6];
	unsigned seq = 0, lost = 0;
	VDECONN *c = NULL;
	pid_t relay = -1;
	int rc = -1;

	*rate = NAN;
	*med_ns = NAN;
	if (sw_start(&sw, impl, 4, impl == IMPL_PB, NULL))
		return -1;
	snprintf(url, sizeof(url), "vde://%s", sw.dir);
	if (impl == IMPL_PB) {
		if (bench_console_cmd(sw.mgmt, "port/attach slirp:///v4"))
			goto out;
	} else {
		const char *argv[] = { VDE_PLUG, url, "slirp:///v4", NULL };

		snprintf(log, sizeof(log), "%s/vde_plug.log", sw.base);
		relay = spawn(argv, log, -1, -1);
		if (relay < 0) {
			fprintf(stderr, "pbbench: %s: %s; ", VDE_PLUG,
				strerror(errno));
			goto out;
		}
	}
	c = vde_open(url, descr, NULL);
	if (!c || arp_gw(c, gw_mac))
		goto out;
	if (rtt_half(c, gw_mac, dur_ns / 2, &seq, med_ns, &lost) ||
	    rate_half(c, gw_mac, dur_ns / 2, &seq, rate, &lost))
		goto out;
	rc = 0;
	if (lost) {
		fprintf(stderr, "%u echo requests lost; ", lost);
		*rate = NAN;
		rc = 1;
	}
out:
	if (rc < 0 && relay > 0 && wait_pid_ms(relay, 0, NULL) == 0) {
		fprintf(stderr, "\n  vde_plug slirp:// exited (is Debian's "
			"libvdeplug-slirp installed?):\n");
		show_log(log);
		unreg_pid(relay);
		relay = -1;
	}
	if (c)
		vde_close(c);
	stop_pid(relay, SIGTERM, 3000);
	sw_stop(&sw);
	return rc;
}
