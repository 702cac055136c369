/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_urls.c - ports from URLs: -a, port/attach and port/detach, and
 * QEMU's stream framing (stream+listen://, stream+connect://) spoken by
 * test peers byte by byte, in bursts, and wrongly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct pb sw;

static void teardown(void)
{
	pb_cleanup(&sw);
}

TestSuite(urls, .fini = teardown, .timeout = 60);

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The port a listener got, from "listening on 127.0.0.1:PORT" */
static unsigned listen_port(const struct pb *pb)
{
	static char out[65536];
	const char *p;

	cr_assert_eq(pb_cmd(pb, "port/print", out, sizeof(out)), 0);
	p = strstr(out, "listening on 127.0.0.1:");
	cr_assert(p, "no listener in port/print:\n%s", out);
	return (unsigned)strtoul(p + strlen("listening on 127.0.0.1:"), NULL,
				 10);
}

static int tcp_connect(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "connect 127.0.0.1:%u: %s", port, strerror(errno));
	return fd;
}

static void put_hdr(uint8_t *h, size_t len)
{
	h[0] = (uint8_t)(len >> 24);
	h[1] = (uint8_t)(len >> 16);
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
}

static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		cr_assert(w > 0, "write: %s", strerror(errno));
		b += w;
		n -= (size_t)w;
	}
}

static void stream_send(int fd, const uint8_t *f, size_t len)
{
	uint8_t h[4];

	put_hdr(h, len);
	write_all(fd, h, 4);
	write_all(fd, f, len);
}

/* Read exactly @n bytes within @ms; false on timeout or EOF. */
static bool read_n(int fd, uint8_t *buf, size_t n, int ms)
{
	long long end = mono_ms() + ms;
	size_t have = 0;

	while (have < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - mono_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return false;
		r = read(fd, buf + have, n - have);
		if (r <= 0)
			return false;
		have += (size_t)r;
	}
	return true;
}

/* One frame from a stream peer: its length, or -1. */
static ssize_t stream_recv(int fd, uint8_t *buf, size_t size, int ms)
{
	uint8_t h[4];
	size_t len;

	if (!read_n(fd, h, 4, ms))
		return -1;
	len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 |
	      h[3];
	cr_assert(len >= 14 && len <= size, "bad length %zu from the switch",
		  len);
	if (!read_n(fd, buf, len, ms))
		return -1;
	return (ssize_t)len;
}

/* EOF (the switch closed us) within @ms. */
static bool wait_eof(int fd, int ms)
{
	uint8_t b[256];
	long long end = mono_ms() + ms;

	while (mono_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 50) != 1)
			continue;
		r = read(fd, b, sizeof(b));
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

static bool wait_endpoints(const struct pb *pb, const char *module, int n,
			   int ms)
{
	static char out[65536];
	long long end = mono_ms() + ms;
	char needle[64];

	snprintf(needle, sizeof(needle), "module %s", module);
	while (mono_ms() < end) {
		const char *p = out;
		int k = 0;

		if (pb_cmd(pb, "port/print", out, sizeof(out)) == 0)
			while ((p = strstr(p, needle))) {
				k++;
				p++;
			}
		if (k == n)
			return true;
		poll(NULL, 0, 20);
	}
	return false;
}

Test(urls, stream_listen_frames_both_ways_in_any_pieces)
{
	uint8_t f[9300], g[9300], burst[3 * (4 + 100)];
	VDECONN *v;
	unsigned port, i;
	ssize_t n;
	int s;

	pb_start(&sw, "-a", "stream+listen://127.0.0.1:0", NULL);
	port = listen_port(&sw);
	v = pb_open(&sw, "", "vde client");
	cr_assert(v);
	s = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));

	/* one frame a byte at a time: a read may hold part of a frame */
	mkframe(f, BCAST, MAC_A, 100, 0x11);
	put_hdr(g, 100);
	memcpy(g + 4, f, 100);
	for (i = 0; i < 104; i++) {
		write_all(s, g + i, 1);
		if (i % 13 == 0)
			poll(NULL, 0, 2);
	}
	n = recv_frame(v, g, sizeof(g), 2000);
	cr_assert_eq(n, 100);
	cr_assert_eq(memcmp(f, g, 100), 0);

	/* three frames in one write: a read may hold many */
	for (i = 0; i < 3; i++) {
		mkframe(f, MAC_B, MAC_A, 100, (uint8_t)(0x20 + i));
		put_hdr(burst + i * 104, 100);
		memcpy(burst + i * 104 + 4, f, 100);
	}
	write_all(s, burst, sizeof(burst));
	for (i = 0; i < 3; i++) {
		n = recv_frame(v, g, sizeof(g), 2000);
		cr_assert_eq(n, 100, "frame %u of the burst", i);
		cr_assert_eq(g[20], 0x20 + i);
	}

	/* the other way: a short frame arrives padded, a jumbo one whole */
	mkframe(f, MAC_A, MAC_B, 42, 0x33);
	cr_assert_eq(vde_send(v, f, 42, 0), 42);
	n = stream_recv(s, g, sizeof(g), 2000);
	cr_assert_eq(n, 60, "a 42-byte frame is padded to 60 on a stream");
	cr_assert_eq(memcmp(f, g, 42), 0);
	mkframe(f, MAC_A, MAC_B, 9014, 0x44);
	cr_assert_eq(vde_send(v, f, 9014, 0), 9014);
	n = stream_recv(s, g, sizeof(g), 2000);
	cr_assert_eq(n, 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);
	mkframe(f, BCAST, MAC_A, 9014, 0x55);
	stream_send(s, f, 9014);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);

	cr_assert_eq(pb_port_counter(&sw, 2, " IN:", "pkts"), 5,
		     "the VDE client has port 1, the stream peer port 2");
	close(s);
	cr_assert(wait_endpoints(&sw, "stream", 0, 3000),
		  "a peer that goes frees its port");
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(urls, each_listener_peer_is_a_port_of_its_own)
{
	static char out[65536];
	uint8_t f[200], g[200];
	unsigned port;
	int a, b;

	pb_start(&sw, "-a", "stream+listen://127.0.0.1:0", NULL);
	port = listen_port(&sw);
	a = tcp_connect(port);
	b = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 2, 3000));
	cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
	cr_assert(strstr(out, "Port 0001") && strstr(out, "Port 0002"),
		  "two peers, two ports:\n%s", out);
	cr_assert(strstr(out, "2 peers"), "%s", out);

	/* a learns where b is, then unicast goes between them */
	mkframe(f, BCAST, MAC_B, 80, 0x01);
	stream_send(b, f, 80);
	cr_assert_eq(stream_recv(a, g, sizeof(g), 2000), 80);
	mkframe(f, MAC_B, MAC_A, 80, 0x02);
	stream_send(a, f, 80);
	cr_assert_eq(stream_recv(b, g, sizeof(g), 2000), 80);
	cr_assert_eq(memcmp(f, g, 80), 0);
	close(a);
	close(b);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A peer that breaks the framing loses its connection and its port; the
 * other peer and the VDE client go on. */
Test(urls, bad_lengths_disconnect_that_peer_only)
{
	static const size_t bad[] = { 0, 9235, 0x7fffffff };
	uint8_t f[200], g[200], h[4];
	unsigned port, i;
	VDECONN *v;
	int good, s;

	pb_start(&sw, "-a", "stream+listen://127.0.0.1:0", NULL);
	port = listen_port(&sw);
	v = pb_open(&sw, "", "vde client");
	good = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = tcp_connect(port);
		cr_assert(wait_endpoints(&sw, "stream", 2, 3000));
		/* a good frame first, then the bad length */
		mkframe(f, BCAST, MAC_A, 64, (uint8_t)i);
		stream_send(s, f, 64);
		cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 64);
		put_hdr(h, bad[i]);
		write_all(s, h, 4);
		cr_assert(wait_eof(s, 3000), "length %zu: not disconnected",
			  bad[i]);
		close(s);
		cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	}
	cr_assert(pb_log_wait(&sw, "announced a 0-byte frame", 1000));
	cr_assert(pb_log_wait(&sw, "announced a 9235-byte frame", 1000));

	/* closing in the middle of a frame: logged, nothing forwarded */
	s = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 2, 3000));
	put_hdr(h, 100);
	write_all(s, h, 4);
	write_all(s, f, 50);
	close(s);
	cr_assert(pb_log_wait(&sw, "closed in the middle of a frame", 3000));
	cr_assert(quiet(v, 200));

	/* the good peer still works both ways */
	mkframe(f, BCAST, MAC_B, 64, 0x77);
	stream_send(good, f, 64);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 64);
	mkframe(f, BCAST, MAC_A, 64, 0x78);
	cr_assert_eq(vde_send(v, f, 64, 0), 64);
	cr_assert_eq(stream_recv(good, g, sizeof(g), 2000), 64);
	close(good);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

static int tcp_listener(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	cr_assert(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	a.sin_port = htons((uint16_t)*port);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "bind: %s", strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* stream+connect:// dials a QEMU that listens: it retries until the peer
 * is there, redials when it goes, and port/detach stops it. */
Test(urls, stream_connect_retries_and_redials)
{
	static char out[65536];
	char url[64], cmd[128];
	uint8_t f[200], g[200];
	unsigned port = 0;
	VDECONN *v;
	int lfd, s;

	/* a free port, closed again so the first dials are refused */
	lfd = tcp_listener(&port);
	close(lfd);
	snprintf(url, sizeof(url), "stream+connect://127.0.0.1:%u", port);
	pb_start(&sw, NULL);
	v = pb_open(&sw, "", "vde client");
	cr_assert_eq(pb_cmd(&sw, "port/attach stream+connect://127.0.0.1:1 5",
			    out, sizeof(out)), 0);
	cr_assert_eq(pb_cmd(&sw, "port/detach 5", NULL, 0), 0,
		     "port/detach N removes a connector pinned to N");
	snprintf(cmd, sizeof(cmd), "port/attach %s", url);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), 0);
	cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
	cr_assert(strstr(out, "retrying in") || strstr(out, "connecting"),
		  "%s", out);
	cr_assert(!strstr(out, ":1 "), "the detached connector is gone");

	lfd = tcp_listener(&port);
	s = accept_within(lfd, 4000);
	cr_assert(s >= 0, "the switch did not dial within 4 s");
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	cr_assert_eq(pb_cmd(&sw, "port/print", out, sizeof(out)), 0);
	cr_assert(strstr(out, "connected"), "%s", out);
	mkframe(f, BCAST, MAC_A, 64, 0x01);
	stream_send(s, f, 64);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 64);
	mkframe(f, MAC_A, MAC_B, 64, 0x02);
	cr_assert_eq(vde_send(v, f, 64, 0), 64);
	cr_assert_eq(stream_recv(s, g, sizeof(g), 2000), 64);

	/* the peer goes: the switch dials again after a second */
	close(s);
	s = accept_within(lfd, 4000);
	cr_assert(s >= 0, "no redial after the peer closed");
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));

	/* detach by URL: closed, and no more dialling */
	snprintf(cmd, sizeof(cmd), "port/detach %s", url);
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), 0);
	cr_assert(wait_eof(s, 2000));
	close(s);
	cr_assert_lt(accept_within(lfd, 2500), 0, "dialled after detach");
	cr_assert_eq(pb_cmd(&sw, cmd, NULL, 0), ENXIO,
		     "detaching it twice is an error");
	close(lfd);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%.100s", path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "connect %s: %s", path, strerror(errno));
	return fd;
}

Test(urls, unix_listener_replaces_a_stale_socket_and_removes_its_own)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char path[200], arg[240];
	uint8_t f[200], g[200];
	VDECONN *v;
	int stale, s;

	pb_start(&sw, NULL);
	snprintf(path, sizeof(path), "%s/qemu.sock", sw.tmp);
	/* a socket file whose listener is gone */
	stale = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%.100s", path);
	cr_assert_eq(bind(stale, (struct sockaddr *)&a, sizeof(a)), 0);
	close(stale);
	snprintf(arg, sizeof(arg), "port/attach stream+listen://%s", path);
	cr_assert_eq(pb_cmd(&sw, arg, NULL, 0), 0);
	v = pb_open(&sw, "", "vde client");
	s = unix_connect(path);
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	mkframe(f, BCAST, MAC_A, 64, 0x01);
	stream_send(s, f, 64);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 64);
	/* a second listener on the same live path is refused */
	cr_assert_eq(pb_cmd(&sw, arg, NULL, 0), EADDRINUSE);
	snprintf(arg, sizeof(arg), "port/detach stream+listen://%s", path);
	cr_assert_eq(pb_cmd(&sw, arg, NULL, 0), 0);
	cr_assert(wait_eof(s, 2000), "detaching a listener closes its peers");
	cr_assert(access(path, F_OK) != 0, "the socket file is removed");
	close(s);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Run the switch with @args until it exits; its exit status and log. */
static int run_switch(char *log, size_t len, const char *const *args)
{
	char cmd[2048], dir[] = "/tmp/pb-urls-XXXXXX";
	FILE *p;
	size_t n;
	int st, i;

	cr_assert(mkdtemp(dir));
	n = (size_t)snprintf(cmd, sizeof(cmd), "'%s' -s %s/sw --nostdin",
			     getenv("PATCHBAY"), dir);
	for (i = 0; args[i]; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'",
				      args[i]);
	snprintf(cmd + n, sizeof(cmd) - n, " </dev/null 2>&1");
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(log, 1, len - 1, p);
	log[n] = '\0';
	st = pclose(p);
	run_cmd("rm -rf %s", dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(urls, bad_urls_are_clear_errors)
{
	static char out[65536];
	char log[4096];
	VDECONN *v;

	cr_assert_eq(run_switch(log, sizeof(log),
				(const char *[]){ "-a", "gopher://x", NULL }),
		     1);
	cr_assert(strstr(log, "gopher://x: libvdeplug cannot open it") &&
		  strstr(log, "schemes: tap://, stream+listen://, "
			      "stream+connect://, dgram://, udp://, mcast://") &&
		  strstr(log, "vxvde://"),
		  "%s", log);
	cr_assert_eq(run_switch(log, sizeof(log),
				(const char *[]){
					"-a", "stream+listen://127.0.0.1", NULL }),
		     1);
	cr_assert(strstr(log, "expected HOST:PORT"), "%s", log);
	cr_assert_eq(run_switch(log, sizeof(log),
				(const char *[]){ "-a",
						  "stream+listen://1.2.3.4.5:80",
						  NULL }),
		     1);

	pb_start(&sw, NULL);
	cr_assert_eq(pb_cmd(&sw, "port/attach nonsense", out, sizeof(out)),
		     EINVAL);
	cr_assert_eq(pb_cmd(&sw, "port/attach stream+connect://:99999", out,
			    sizeof(out)),
		     EINVAL);
	cr_assert(strstr(out, "expected HOST:PORT"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/detach stream+listen://:1", out,
			    sizeof(out)), ENXIO);
	cr_assert(strstr(out, "nothing attached as stream+listen://:1"), "%s",
		  out);
	cr_assert_eq(pb_cmd(&sw, "port/detach 7", NULL, 0), ENXIO);
	v = pb_open(&sw, "[3]", "vde client");
	cr_assert(v);
	cr_assert_eq(pb_cmd(&sw, "port/detach 3", out, sizeof(out)), EPERM,
		     "a VDE client's port is not port/detach's");
	cr_assert(strstr(out, "port 3 has VDE clients only"), "%s", out);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A peer that does not read: the switch's writes stop in the middle of a
 * frame; what the peer then reads is still whole frames, in order (some
 * may have been dropped at the queue bound, counted). */
Test(urls, slow_peer_keeps_the_framing)
{
	static uint8_t f[9014], g[9300];
	unsigned port, i, got = 0, last = 0;
	VDECONN *v;
	ssize_t n;
	int s;

	pb_start(&sw, "-a", "stream+listen://127.0.0.1:0", NULL);
	port = listen_port(&sw);
	v = pb_open(&sw, "", "vde client");
	s = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	/* 13 MB: more than the kernel buffers of a loopback connection */
	for (i = 1; i <= 1500; i++) {
		mkframe(f, BCAST, MAC_A, sizeof(f), 0x5a);
		f[14] = (uint8_t)(i >> 8);
		f[15] = (uint8_t)i;
		f[sizeof(f) - 1] = (uint8_t)i;
		cr_assert_eq(vde_send(v, f, sizeof(f), 0), (ssize_t)sizeof(f));
		if (i % 50 == 0)
			poll(NULL, 0, 5);
	}
	while ((n = stream_recv(s, g, sizeof(g), 500)) > 0) {
		unsigned seq = (unsigned)g[14] << 8 | g[15];

		cr_assert_eq(n, (ssize_t)sizeof(f));
		cr_assert_gt(seq, last, "frames out of order");
		cr_assert_eq(g[sizeof(f) - 1], (uint8_t)seq, "frame %u torn",
			     seq);
		last = seq;
		got++;
	}
	cr_assert_gt(got, 10);
	cr_assert_eq(got + (unsigned)pb_port_counter(&sw, 2, " DROP:", "queue"),
		     1500, "every frame delivered or counted as dropped");
	close(s);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

static int udp_socket(const char *ip, unsigned *port, bool reuse)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	cr_assert(fd >= 0);
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, ip, &a.sin_addr);
	a.sin_port = htons((uint16_t)*port);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
		     "bind %s:%u: %s", ip, *port, strerror(errno));
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void udp_connect(int fd, const char *ip, unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
}

Test(urls, dgram_unicast_peer_both_ways)
{
	static uint8_t f[9100], g[9300];
	static char out[8192];
	unsigned peer_port = 0, sw_port = 0, other_port = 0;
	char url[128];
	VDECONN *v;
	int peer, other, probe;

	peer = udp_socket("127.0.0.1", &peer_port, false);
	probe = udp_socket("127.0.0.1", &sw_port, false); /* a free port */
	close(probe);
	snprintf(url, sizeof(url), "udp://127.0.0.1:%u->127.0.0.1:%u",
		 sw_port, peer_port);
	pb_start(&sw, "-a", url, NULL);
	udp_connect(peer, "127.0.0.1", sw_port);
	v = pb_open(&sw, "", "vde client");
	cr_assert(v);

	mkframe(f, BCAST, MAC_A, 9014, 0x61);
	cr_assert_eq(send(peer, f, 9014, 0), 9014);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);
	mkframe(f, MAC_A, MAC_B, 40, 0x62);
	cr_assert_eq(vde_send(v, f, 40, 0), 40);
	cr_assert_eq(recv_fd(peer, g, sizeof(g), 2000), 60,
		     "a short frame goes out padded to 60");

	/* a datagram from anyone else is not heard */
	other = udp_socket("127.0.0.1", &other_port, false);
	udp_connect(other, "127.0.0.1", sw_port);
	mkframe(f, BCAST, MAC_B, 64, 0x63);
	send(other, f, 64, 0);
	cr_assert(quiet(v, 200));
	close(other);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, "module udp"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/detach 1", NULL, 0), 0);
	mkframe(f, BCAST, MAC_A, 64, 0x64);
	send(peer, f, 64, 0);
	cr_assert(quiet(v, 200), "a detached port hears nothing");
	close(peer);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Multicast needs a route: in a namespace of the test's own, on lo. */
static void mcast_netns(void)
{
	pb_enter_netns();
	cr_assert_eq(run_cmd("ip link set lo multicast on && " /* test netns */
			     "ip route add 224.0.0.0/4 dev lo"),
		     0);
}

static int mcast_member(const char *group, unsigned port)
{
	struct ip_mreqn m = { .imr_ifindex = 0 };
	unsigned p = port;
	int fd = udp_socket("0.0.0.0", &p, true), one = 1;

	inet_pton(AF_INET, group, &m.imr_multiaddr);
	cr_assert_eq(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m,
				sizeof(m)), 0, "join: %s", strerror(errno));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one));
	return fd;
}

static void mcast_send(int fd, const char *group, unsigned port,
		       const uint8_t *f, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, group, &a.sin_addr);
	cr_assert_eq(sendto(fd, f, len, 0, (struct sockaddr *)&a, sizeof(a)),
		     (ssize_t)len);
}

/* Two members of a bus (one sending from the group's own port, as QEMU's
 * -netdev dgram,local.port= does) and a VDE client all reach each other;
 * the switch does not hear itself: no MAC moves, IN counts only theirs. */
Test(urls, mcast_bus_without_hearing_itself)
{
	static uint8_t f[9100], g[9300];
	const char *grp = "239.255.12.34";
	const unsigned port = 5555;
	char *log;
	VDECONN *v;
	int m1, m2;

	mcast_netns();
	pb_start(&sw, "-a", "mcast://239.255.12.34:5555/ttl=0", NULL);
	v = pb_open(&sw, "", "vde client");
	cr_assert(v);
	m1 = mcast_member(grp, port);	/* sends from the group's port */
	m2 = mcast_member(grp, port);

	mkframe(f, BCAST, MAC_A, 1500, 0x71);
	mcast_send(m1, grp, port, f, 1500);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 1500);
	cr_assert_eq(recv_fd(m2, g, sizeof(g), 2000), 1500, "m2 hears m1");
	cr_assert_eq(recv_fd(m1, g, sizeof(g), 2000), 1500, "m1 hears itself");

	/* the VDE client answers A: the bus members hear it once each */
	mkframe(f, MAC_A, MAC_B, 9014, 0x72);
	cr_assert_eq(vde_send(v, f, 9014, 0), 9014);
	cr_assert_eq(recv_fd(m1, g, sizeof(g), 2000), 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);
	cr_assert_eq(recv_fd(m2, g, sizeof(g), 2000), 9014);
	cr_assert_eq(recv_fd(m1, g, sizeof(g), 200), -1);

	/* and A still is on the bus port: B's frame to A goes there */
	mkframe(f, MAC_A, MAC_B, 64, 0x73);
	cr_assert_eq(vde_send(v, f, 64, 0), 64);
	cr_assert_eq(recv_fd(m1, g, sizeof(g), 2000), 64);
	cr_assert(quiet(v, 200), "the switch heard its own datagram");
	cr_assert_eq(pb_port_counter(&sw, 1, " IN:", "pkts"), 1,
		     "only the member's frame came in on the bus port");
	log = pb_log_read(&sw);
	cr_assert(!strstr(log, "moved"), "%s", log);
	free(log);
	close(m1);
	close(m2);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(urls, bad_udp_urls)
{
	static char out[4096], cmd[512];

	pb_start(&sw, NULL);
	cr_assert_eq(pb_cmd(&sw, "port/attach udp://1234", out, sizeof(out)),
		     EINVAL);
	cr_assert(strstr(out, "LPORT->RADDR:RPORT"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/attach mcast://127.0.0.1:5000", out,
			    sizeof(out)), EINVAL);
	cr_assert(strstr(out, "not a multicast group"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/attach mcast://239.1.1.1:5000/bogus=1",
			    out, sizeof(out)), EINVAL);
	cr_assert(strstr(out, "unknown option 'bogus=1'"), "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/attach mcast://239.1.1.1:5000/if=nope0",
			    out, sizeof(out)), ENODEV);
	/* options past what is read are refused, not dropped */
	snprintf(cmd, sizeof(cmd), "port/attach mcast://239.1.1.1:5000/ttl=1"
		 "%0300d", 0);
	cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), EINVAL);
	cr_assert(strstr(out, "options over 255 bytes"), "%s", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Once the switch runs, a host name in a URL is refused at once, with the
 * reason, instead of a lookup that would stall every port (no query is
 * sent: AI_NUMERICHOST); addresses and localhost still work. */
Test(urls, host_names_refused_at_run_time)
{
	static char out[4096];
	const char *const urls[] = {
		"stream+connect://pb-no-such-host.invalid:5000",
		"stream+listen://pb-no-such-host.invalid:0",
		"dgram://0->pb-no-such-host.invalid:5001",
	};
	unsigned i;

	pb_start(&sw, NULL);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "port/attach %s", urls[i]);
		cr_assert_eq(pb_cmd(&sw, cmd, out, sizeof(out)), EINVAL,
			     "%s: %s", urls[i], out);
		cr_assert(strstr(out, "pb-no-such-host.invalid: a host name: "
				 "while the switch runs only addresses"),
			  "%s: %s", urls[i], out);
	}
	/* it dials in the background (nothing listens: it redials) */
	cr_assert_eq(pb_cmd(&sw, "port/attach stream+connect://localhost:9",
			    out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(pb_cmd(&sw, "port/attach stream+listen://127.0.0.1:0",
			    out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Any other scheme goes to libvdeplug: vde:// of another switch cables
 * two patchbays inside one process; when the other goes, the port goes
 * inactive and the rest keeps working. */
Test(urls, vde_url_cables_two_switches_in_one_process)
{
	static uint8_t f[9100], g[9300];
	static char out[65536];
	struct pb b;
	char url[256];
	VDECONN *va, *vb, *va2;

	pb_start(&b, NULL);
	snprintf(url, sizeof(url), "vde://%s", b.dir);
	pb_start(&sw, "-a", url, NULL);
	va = pb_open(&sw, "", "client of A");
	vb = pb_open(&b, "", "client of B");
	cr_assert(va && vb);
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), 0);
	cr_assert(strstr(out, "module vdeplug") && strstr(out, url), "%s",
		  out);

	mkframe(f, BCAST, MAC_A, 9014, 0x81);
	cr_assert_eq(vde_send(va, f, 9014, 0), 9014);
	cr_assert_eq(recv_frame(vb, g, sizeof(g), 2000), 9014);
	cr_assert_eq(memcmp(f, g, 9014), 0);
	mkframe(f, MAC_A, MAC_B, 64, 0x82);
	cr_assert_eq(vde_send(vb, f, 64, 0), 64);
	cr_assert_eq(recv_frame(va, g, sizeof(g), 2000), 64);
	cr_assert_eq(memcmp(f, g, 64), 0);

	vde_close(vb);
	cr_assert_eq(pb_stop(&b), 0);
	pb_cleanup(&b);
	cr_assert(pb_log_wait(&sw, "closed its control connection", 3000));
	cr_assert_eq(pb_cmd(&sw, "port/print 1", out, sizeof(out)), ENXIO,
		     "the cable's port is inactive");
	va2 = pb_open(&sw, "", "another client of A");
	mkframe(f, BCAST, MAC_A, 64, 0x83);
	cr_assert_eq(vde_send(va, f, 64, 0), 64);
	cr_assert_eq(recv_frame(va2, g, sizeof(g), 2000), 64);
	vde_close(va);
	vde_close(va2);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* vxvde:// (vdeplug4's distributed switch over multicast UDP) joins two
 * switches in two network namespaces the test creates, linked by a veth
 * pair. */
Test(urls, vxvde_joins_switches_in_two_namespaces)
{
	static uint8_t f[2000], g[2000];
	struct pb b;
	VDECONN *va, *vb;
	int ns1;

	pb_enter_netns();			/* ns1: this test's own */
	ns1 = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert(ns1 >= 0);
	cr_assert_eq(unshare(CLONE_NEWNET), 0);	/* ns2: the test's own too */
	cr_assert_eq(run_cmd("ip link set lo up"), 0);
	pb_start(&b, NULL);			/* B lives in ns2 */
	cr_assert_eq(setns(ns1, CLONE_NEWNET), 0);
	close(ns1);
	/* every command below runs in ns1 or (nsenter) in B's ns2 */
	cr_assert_eq(run_cmd("ip link add pbv1 type veth peer name pbv2 && "
			     "ip link set pbv2 netns %d && "
			     "ip addr add 198.18.1.1/24 dev pbv1 && "
			     "ip link set pbv1 up && "
			     "ip route add 224.0.0.0/4 dev pbv1", (int)b.pid),
		     0);
	cr_assert_eq(run_cmd("nsenter -t %d -n sh -c '"
			     "ip addr add 198.18.1.2/24 dev pbv2 && "
			     "ip link set pbv2 up && "
			     "ip route add 224.0.0.0/4 dev pbv2'", (int)b.pid),
		     0);
	pb_start(&sw, NULL);			/* A lives in ns1 */
	cr_assert_eq(pb_cmd(&sw, "port/attach vxvde://239.0.0.77/port=14789",
			    NULL, 0), 0);
	cr_assert_eq(pb_cmd(&b, "port/attach vxvde://239.0.0.77/port=14789",
			    NULL, 0), 0);
	va = pb_open(&sw, "", "client of A");
	vb = pb_open(&b, "", "client of B");
	cr_assert(va && vb);

	mkframe(f, BCAST, MAC_A, 1400, 0x91);
	cr_assert_eq(vde_send(va, f, 1400, 0), 1400);
	cr_assert_eq(recv_frame(vb, g, sizeof(g), 3000), 1400,
		     "A's broadcast did not cross to B");
	cr_assert_eq(memcmp(f, g, 1400), 0);
	mkframe(f, MAC_A, MAC_B, 100, 0x92);
	cr_assert_eq(vde_send(vb, f, 100, 0), 100);
	cr_assert_eq(recv_frame(va, g, sizeof(g), 3000), 100,
		     "B's answer did not cross to A");
	cr_assert_eq(memcmp(f, g, 100), 0);
	vde_close(va);
	vde_close(vb);
	cr_assert_eq(pb_stop(&b), 0);
	pb_cleanup(&b);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* -a, an rc file line and the console command are one code path. */
Test(urls, rc_file_line_attaches_like_the_console)
{
	char rc[256];
	uint8_t f[200], g[200];
	unsigned port;
	VDECONN *v;
	FILE *fp;
	int s;

	snprintf(rc, sizeof(rc), "/tmp/pb-urls-rc.%d", (int)getpid());
	fp = fopen(rc, "w");
	cr_assert(fp);
	fprintf(fp, "# a QEMU stream server's peers\n"
		    "port/attach stream+listen://127.0.0.1:0 9\n");
	fclose(fp);
	pb_start(&sw, "-f", rc, NULL);
	unlink(rc);
	port = listen_port(&sw);
	v = pb_open(&sw, "", "vde client");
	s = tcp_connect(port);
	cr_assert(wait_endpoints(&sw, "stream", 1, 3000));
	mkframe(f, BCAST, MAC_A, 64, 0x01);
	stream_send(s, f, 64);
	cr_assert_eq(recv_frame(v, g, sizeof(g), 2000), 64);
	cr_assert_eq(pb_port_counter(&sw, 9, " IN:", "pkts"), 1,
		     "the peer went to the port the rc line named");
	close(s);
	vde_close(v);
	cr_assert_eq(pb_stop(&sw), 0);
}
