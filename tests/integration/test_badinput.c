/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_badinput.c - the real daemon against broken and hostile clients:
 * malformed, split, truncated and oversized control requests, clients the
 * switch cannot reach or must refuse, clients that stall, vanish, crowd
 * in or churn, and bad frames.
 *
 * Every test also checks that the switch says why in its log, keeps
 * serving other clients, and gives back every fd and data socket file
 * once the bad client is gone (ASan makes pb_stop() fail on leaks).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "rawclient.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };

static struct pb sw;

static void teardown(void)
{
	pb_cleanup(&sw);
}

TestSuite(bad, .fini = teardown, .timeout = 60);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many times @needle stands in the whole log. */
static int log_count(const struct pb *pb, const char *needle)
{
	char *buf = pb_log_read(pb), *p = buf;
	int n = 0;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	free(buf);
	return n;
}

/* True when one line of the log holds every string of the NULL-terminated
 * list, within @ms. */
static bool log_wait_line(const struct pb *pb, int ms, ...)
{
	long long end = now_ms() + ms;

	for (;;) {
		char *buf = pb_log_read(pb), *line, *save = NULL;
		bool found = false;

		for (line = strtok_r(buf, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *needle;
			va_list ap;

			found = true;
			va_start(ap, ms);
			while ((needle = va_arg(ap, const char *)))
				if (!strstr(line, needle))
					found = false;
			va_end(ap);
		}
		free(buf);
		if (found)
			return true;
		if (now_ms() > end)
			return false;
		usleep(10000);
	}
}

#define assert_log(pb, needle)                                                 \
	cr_assert(pb_log_wait(pb, needle, 5000),                               \
		  "the switch log does not say \"%s\"", needle)

/* One line of the log holds all of these strings. */
#define assert_line(pb, ...)                                                   \
	cr_assert(log_wait_line(pb, 5000, __VA_ARGS__, (const char *)NULL),   \
		  "no line of the switch log holds all of: %s",               \
		  #__VA_ARGS__)

static bool wait_datasocks(const char *dir, int n, int ms)
{
	long long end = now_ms() + ms;

	while (count_datasocks(dir) != n) {
		if (now_ms() > end)
			return false;
		usleep(5000);
	}
	return true;
}

/* The switch's fd count once it is serving and idle. */
static int baseline(const struct pb *pb)
{
	assert_log(pb, "clients connect to");
	return proc_nfds(pb->pid);
}

/*
 * Nothing left behind: once @nclients endpoints remain, the switch holds
 * its idle fds (@base) plus two per endpoint (control and data), and as
 * many data socket files.
 */
#define expect_clean(pb, base, nclients, ms)                                   \
	expect_clean_at(pb, base, nclients, ms, __LINE__)

static void expect_clean_at(const struct pb *pb, int base, int nclients,
			    int ms, int line)
{
	cr_assert(wait_datasocks(pb->dir, nclients, ms),
		  "line %d: %d data sockets in %s, expected %d", line,
		  count_datasocks(pb->dir), pb->dir, nclients);
	cr_assert(proc_wait_nfds(pb->pid, base + 2 * nclients, ms),
		  "line %d: the switch holds %d fds, expected %d", line,
		  proc_nfds(pb->pid), base + 2 * nclients);
}

/* Send a broadcast frame with a fresh mark from @from; true when it shows
 * up on @to within @ms (other frames on @to are skipped). */
static bool frame_passes(int from, int to, int ms)
{
	static uint32_t mark = 0x5eed0000;
	uint8_t f[64], g[9300];
	long long end = now_ms() + ms;

	mark++;
	mkframe(f, MAC_BCAST, MAC_A, sizeof(f), 0x42);
	f[11] = (uint8_t)from;
	memcpy(f + 14, &mark, sizeof(mark));
	if (send(from, f, sizeof(f), 0) != (ssize_t)sizeof(f))
		return false;
	for (;;) {
		long long left = end - now_ms();
		ssize_t n;

		if (left <= 0)
			return false;
		n = recv_fd(to, g, sizeof(g), (int)left);
		if (n == (ssize_t)sizeof(f) && !memcmp(f, g, sizeof(f)))
			return true;
	}
}

/* Frames pass both ways between two attached data sockets. */
#define exchange(a, b) exchange_at(a, b, __LINE__)

static void exchange_at(int a, int b, int line)
{
	cr_assert(frame_passes(a, b, 5000),
		  "line %d: a frame from fd %d to fd %d was lost", line, a, b);
	cr_assert(frame_passes(b, a, 5000),
		  "line %d: a frame from fd %d to fd %d was lost", line, b, a);
}

/* Two new libvdeplug clients can still join and talk. */
static void check_serving(const struct pb *pb)
{
	VDECONN *a = pb_open(pb, "", "serving-a");
	VDECONN *b = pb_open(pb, "", "serving-b");

	cr_assert(a && b, "the switch no longer takes new clients");
	exchange(vde_datafd(a), vde_datafd(b));
	vde_close(a);
	vde_close(b);
}

/* Send @req in one write: the switch must close the connection at once,
 * with no reply, and log a line holding the strings given (up to 4). */
#define expect_refused(pb, req, len, ...)                                      \
	expect_refused_(pb, req, len, __VA_ARGS__, (const char *)NULL)

static void expect_refused_(const struct pb *pb, const uint8_t *req,
			    size_t len, ...)
{
	const char *why[5] = { NULL };
	struct rawclient rc;
	enum raw_result r;
	char msg[1024] = "";
	unsigned i;
	va_list ap;

	va_start(ap, len);
	for (i = 0; i < 4 && (why[i] = va_arg(ap, const char *)); i++) {
		strncat(msg, " \"", sizeof(msg) - strlen(msg) - 1);
		strncat(msg, why[i], sizeof(msg) - strlen(msg) - 1);
		strncat(msg, "\"", sizeof(msg) - strlen(msg) - 1);
	}
	va_end(ap);

	raw_init(&rc);
	cr_assert_eq(raw_connect(&rc, pb->dir), 0);
	cr_assert_eq(raw_write(&rc, req, len), 0);
	r = raw_wait(&rc, 5000);
	cr_assert_eq(r, RAW_EOF,
		     "expected the switch to close the connection, got %s "
		     "after %lld ms", raw_result_str(r), rc.elapsed_ms);
	cr_assert_lt(rc.elapsed_ms, 1500, "closed only after %lld ms",
		     rc.elapsed_ms);
	raw_close(&rc);
	cr_assert(log_wait_line(pb, 5000, why[0], why[1], why[2], why[3],
				(const char *)NULL),
		  "no line of the switch log holds all of:%s", msg);
}

/* A bound client socket for requests that are wrong in another way. */
static void bind_client(struct rawclient *rc, const struct pb *pb)
{
	raw_init(rc);
	cr_assert_eq(raw_bind(rc, pb->tmp, 0600), 0);
}

static void expect_reply(struct rawclient *rc)
{
	enum raw_result r = raw_wait(rc, 10000);

	cr_assert_eq(r, RAW_REPLY, "expected a reply, got %s after %lld ms",
		     raw_result_str(r), rc->elapsed_ms);
	cr_assert_eq(raw_data_connect(rc), 0, "connect to %s", rc->reply);
}

Test(bad, wrong_magic)
{
	static const uint32_t magics[] = { 0xcefaedfe, 0, 0xfeedfacf };
	uint8_t req[RAW_REQ_MAX];
	unsigned i;
	size_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		n = raw_req_v3(req, magics[i], 3, 0, "/nonexistent", "x");
		expect_refused(&sw, req, n, "bad magic");
	}
	/* not VDE at all */
	expect_refused(&sw, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18,
		       "bad magic");
	/* wrong from the very first byte: no need to wait for more */
	expect_refused(&sw, (const uint8_t *)"\xcf", 1, "bad magic");
	cr_assert_geq(log_count(&sw, "bad magic"), 5);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, wrong_version)
{
	static const uint32_t versions[] = { 2, 4, 0x100, 0xffffffff };
	uint8_t req[RAW_REQ_MAX];
	char why[64];
	unsigned i;
	size_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		n = raw_req_v3(req, RAW_MAGIC, versions[i], 0, "/nonexistent",
			       "x");
		snprintf(why, sizeof(why), "version %u", versions[i]);
		expect_refused(&sw, req, n, "unsupported", why);
		/* the version alone is enough to refuse */
		expect_refused(&sw, req, 8, "unsupported", why);
	}

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, request_split_over_writes)
{
	static const size_t pieces[] = { 10, 50 };
	static size_t bytes[RAW_V3_HDR];
	uint8_t req[RAW_REQ_MAX];
	struct rawclient r1, r2;
	VDECONN *c;
	unsigned i;
	size_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	c = pb_open(&sw, "", "peer");
	cr_assert(c);

	/* 10 bytes, 50 bytes, then the rest, 100 ms apart */
	bind_client(&r1, &sw);
	cr_assert_eq(raw_connect(&r1, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, r1.path, "split-client");
	cr_assert_eq(raw_write_split(&r1, req, n, pieces, 2, 100), 0);
	expect_reply(&r1);
	assert_line(&sw, "attached", "v3", "split-client");
	exchange(r1.data, vde_datafd(c));

	/* one byte per write */
	for (i = 0; i < RAW_V3_HDR; i++)
		bytes[i] = 1;
	bind_client(&r2, &sw);
	cr_assert_eq(raw_connect(&r2, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, 9), r2.path, NULL);
	cr_assert_eq(raw_write_split(&r2, req, n, bytes, RAW_V3_HDR, 2), 0);
	expect_reply(&r2);
	cr_assert(strstr(r2.reply, "/009."), "asked for port 9, got %s",
		  r2.reply);
	exchange(r2.data, vde_datafd(c));
	exchange(r1.data, r2.data);

	raw_close(&r1);
	raw_close(&r2);
	vde_close(c);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, truncated_request)
{
	uint8_t req[RAW_REQ_MAX];
	struct rawclient rc;
	enum raw_result r;
	VDECONN *a, *b;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	a = pb_open(&sw, "", "a");
	b = pb_open(&sw, "", "b");
	cr_assert(a && b);

	/* 60 bytes and then nothing: dropped after the 2 s timeout */
	bind_client(&rc, &sw);
	cr_assert_eq(raw_connect(&rc, sw.dir), 0);
	raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, "truncated");
	cr_assert_eq(raw_write(&rc, req, 60), 0);
	r = raw_wait(&rc, 8000);
	cr_assert_eq(r, RAW_EOF, "got %s after %lld ms", raw_result_str(r),
		     rc.elapsed_ms);
	cr_assert(rc.elapsed_ms >= 1500 && rc.elapsed_ms <= 5000,
		  "dropped after %lld ms, expected about 2 s",
		  rc.elapsed_ms);
	raw_close(&rc);
	assert_line(&sw, "request incomplete", "60 bytes");
	exchange(vde_datafd(a), vde_datafd(b));
	expect_clean(&sw, base, 2, 5000);

	/* 60 bytes, then the client goes away */
	bind_client(&rc, &sw);
	cr_assert_eq(raw_connect(&rc, sw.dir), 0);
	raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, "truncated");
	cr_assert_eq(raw_write(&rc, req, 60), 0);
	raw_close(&rc);
	assert_line(&sw, "client closed", "60 bytes");
	exchange(vde_datafd(a), vde_datafd(b));
	expect_clean(&sw, base, 2, 5000);

	vde_close(a);
	vde_close(b);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, oversized_request)
{
	char descr[400];
	uint8_t req[RAW_REQ_MAX];
	struct rawclient rc;
	size_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);

	/* a real client socket: only the size is wrong */
	bind_client(&rc, &sw);
	memset(descr, 'd', sizeof(descr));
	descr[RAW_MAXDESCR + 1] = '\0';
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, descr);
	cr_assert_eq(n, 251);
	expect_refused(&sw, req, n, "oversized", "251 bytes");

	descr[400 - RAW_V3_HDR] = '\0';
	memset(descr, 'd', 400 - RAW_V3_HDR);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, descr);
	cr_assert_eq(n, 400);
	expect_refused(&sw, req, n, "oversized", "400 bytes");

	/* legacy v1 has its own limit: 124 + 128 */
	descr[RAW_MAXDESCR + 1] = '\0';
	n = raw_req_v1(req, 0, MAC_A, rc.path, descr);
	expect_refused(&sw, req, n, "oversized", "253 bytes");

	/* the longest description allowed still works */
	descr[RAW_MAXDESCR] = '\0';
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, descr);
	cr_assert_eq(n, 250);
	cr_assert_eq(raw_connect(&rc, sw.dir), 0);
	cr_assert_eq(raw_write(&rc, req, n), 0);
	expect_reply(&rc);
	cr_assert_eq(count_datasocks(sw.dir), 1);
	raw_close(&rc);

	/* control characters in a description cannot forge log lines */
	bind_client(&rc, &sw);
	cr_assert_eq(raw_connect(&rc, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path,
		       "evil\npatchbay: forged\x1b[2J\r");
	cr_assert_eq(raw_write(&rc, req, n), 0);
	expect_reply(&rc);
	assert_line(&sw, "attached", "evil?patchbay: forged?[2J?");
	cr_assert_eq(log_count(&sw, "\npatchbay: forged"), 0);
	cr_assert_eq(log_count(&sw, "\x1b"), 0);
	raw_close(&rc);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, client_socket_missing)
{
	uint8_t req[RAW_REQ_MAX];
	struct rawclient victim, stream;
	char path[256], longpath[RAW_SUN_PATH + 1];
	uint16_t family = 2;
	VDECONN *c;
	size_t n;
	int fd, base;

	pb_start(&sw, NULL);
	base = baseline(&sw);

	snprintf(path, sizeof(path), "%s/no-such-socket", sw.tmp);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, path, "ghost");
	expect_refused(&sw, req, n, "client socket", path,
		       "No such file or directory");

	/* a path that exists but is no socket */
	snprintf(path, sizeof(path), "%s/plain-file", sw.tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	cr_assert_geq(fd, 0);
	close(fd);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, path, "file");
	expect_refused(&sw, req, n, path, "not a socket");

	/* an empty path; a path filling sun_path with no NUL */
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, "", "empty");
	expect_refused(&sw, req, n, "empty client socket path");
	memset(longpath, 'L', RAW_SUN_PATH);
	longpath[RAW_SUN_PATH] = '\0';
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, longpath, "long");
	expect_refused(&sw, req, n, "client socket", "LLLLLLLL");

	/* control characters in the path cannot forge log lines */
	snprintf(path, sizeof(path), "%s/x\npatchbay: forged\x1b[2J", sw.tmp);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, path, "forger");
	expect_refused(&sw, req, n, "x?patchbay: forged?[2J");
	cr_assert_eq(log_count(&sw, "\npatchbay: forged"), 0);
	cr_assert_eq(log_count(&sw, "\x1b"), 0);

	/* not AF_UNIX */
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, path, "inet");
	memcpy(req + 12, &family, sizeof(family));
	expect_refused(&sw, req, n, "address family 2");

	/* a stream socket: the switch cannot connect a datagram to it */
	raw_init(&stream);
	cr_assert_eq(raw_connect(&stream, sw.dir), 0);
	snprintf(path, sizeof(path), "%s/ctl", sw.dir);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, path, "stream");
	raw_close(&stream);
	expect_refused(&sw, req, n, "cannot connect back", path,
		       "Protocol wrong type");

	/* another client's data socket: taken, the kernel says no */
	c = pb_open(&sw, "", "victim");
	cr_assert(c);
	bind_client(&victim, &sw);
	cr_assert_eq(raw_connect(&victim, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, victim.path, "victim 2");
	cr_assert_eq(raw_write(&victim, req, n), 0);
	expect_reply(&victim);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, victim.reply, "hijack");
	expect_refused(&sw, req, n, "cannot connect back", victim.reply,
		       "Operation not permitted");
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, victim.path, "hijack");
	expect_refused(&sw, req, n, "cannot connect back", victim.path,
		       "Operation not permitted");
	expect_clean(&sw, base, 2, 5000);
	exchange(victim.data, vde_datafd(c));
	raw_close(&victim);
	vde_close(c);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

enum start_how {
	START_AS_NOBODY,	/* the switch without root's privileges */
	START_NOFILE_128,	/* the switch with 128 fds at most */
};

/*
 * pb_start() for switches needing a change of credentials or limits in
 * the child before exec (setpriv/prlimit would do the same, but then
 * PR_SET_PDEATHSIG would be reset by the credential change).
 */
static void start_special(struct pb *pb, enum start_how how)
{
	const char *bin = getenv("PATCHBAY");
	struct passwd *pw = getpwnam("nobody");
	uid_t uid;
	gid_t gid;
	char ctl[200];

	cr_assert(bin, "PATCHBAY is not set (run through make check)");
	cr_assert(pw, "no user nobody");
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	memset(pb, 0, sizeof(*pb));
	pb->stdin_fd = -1;
	snprintf(pb->tmp, sizeof(pb->tmp), "/tmp/pbtest.XXXXXX");
	cr_assert(mkdtemp(pb->tmp), "mkdtemp: %s", strerror(errno));
	/* nobody must be able to create the switch directory in it */
	cr_assert_eq(chmod(pb->tmp, how == START_AS_NOBODY ? 0777 : 0755), 0);
	snprintf(pb->dir, sizeof(pb->dir), "%s/sw", pb->tmp);
	snprintf(pb->log, sizeof(pb->log), "%s/log", pb->tmp);

	pb->pid = fork();
	cr_assert(pb->pid >= 0);
	if (pb->pid == 0) {
		int fd = open(pb->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0644);

		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (how == START_NOFILE_128) {
			struct rlimit rl = { 128, 128 };

			if (setrlimit(RLIMIT_NOFILE, &rl))
				_exit(126);
		} else if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
			   setresuid(uid, uid, uid)) {
			_exit(126);
		}
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(bin, bin, "-s", pb->dir, "--nostdin", (char *)NULL);
		_exit(127);
	}
	snprintf(ctl, sizeof(ctl), "%s/ctl", pb->dir);
	cr_assert(wait_path(ctl, true, 10000), "patchbay did not create %s",
		  ctl);
}

Test(bad, cannot_connect_back)
{
	uint8_t req[RAW_REQ_MAX];
	struct rawclient rc, ok;
	size_t n;
	int base;

	/* root passes every permission check: run the switch as nobody */
	start_special(&sw, START_AS_NOBODY);
	base = baseline(&sw);

	/* the test (root) binds its socket with mode 000 */
	raw_init(&rc);
	cr_assert_eq(raw_bind(&rc, sw.tmp, 0), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path, "mode 0");
	expect_refused(&sw, req, n, "cannot connect back", rc.path,
		       "mode 0000", "Permission denied");
	raw_close(&rc);

	/* the same with a mode that lets the switch in works */
	raw_init(&ok);
	cr_assert_eq(raw_bind(&ok, sw.tmp, 0666), 0);
	cr_assert_eq(raw_connect(&ok, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, 0, ok.path, "mode 0666");
	cr_assert_eq(raw_write(&ok, req, n), 0);
	expect_reply(&ok);
	raw_close(&ok);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, port_out_of_range)
{
	static const unsigned ports[] = { 40, 33, 65535, 0xffffff };
	uint8_t req[RAW_REQ_MAX];
	struct rawclient rc, last;
	char why[128];
	long long t0, t;
	VDECONN *c;
	unsigned i;
	size_t n;
	int base;

	pb_start(&sw, "-n", "32", NULL);
	base = baseline(&sw);
	bind_client(&rc, &sw);
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, ports[i]),
			       rc.path, "far away");
		snprintf(why, sizeof(why), "port %u ", ports[i]);
		expect_refused(&sw, req, n, why, "out of range", "32");
	}
	raw_close(&rc);

	/* libvdeplug sees vde_open() fail, quickly */
	t0 = now_ms();
	c = pb_open(&sw, "[40]", "far away");
	t = now_ms() - t0;
	cr_assert_null(c, "vde_open of port 40 of 32 succeeded");
	cr_assert_lt(t, 1500, "vde_open took %lld ms to fail", t);

	/* the last port is in range */
	bind_client(&last, &sw);
	cr_assert_eq(raw_connect(&last, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, 32), last.path, "last");
	cr_assert_eq(raw_write(&last, req, n), 0);
	expect_reply(&last);
	cr_assert(strstr(last.reply, "/032."), "got %s", last.reply);
	raw_close(&last);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* A client whose socket file belongs to @uid (the port's user). */
static void open_as_owner(struct rawclient *rc, const struct pb *pb,
			  unsigned port, uid_t uid, gid_t gid)
{
	uint8_t req[RAW_REQ_MAX];
	size_t n;

	bind_client(rc, pb);
	cr_assert_eq(chown(rc->path, uid, gid), 0);
	rc->ctl = connect_ctl_as(pb->dir, uid, gid);
	cr_assert_geq(rc->ctl, 0, "connect as %u: %s", (unsigned)uid,
		      strerror(-rc->ctl));
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, port), rc->path,
		       "owned");
	cr_assert_eq(raw_write(rc, req, n), 0);
}

/* The endpoint's user is whoever asks (SO_PEERCRED), not whoever owns the
 * socket the request names: nobody cannot be charged as root. */
Test(bad, requester_is_the_user)
{
	struct passwd *pw = getpwnam("nobody");
	struct rawclient theft, rootc;
	uint8_t req[RAW_REQ_MAX];
	enum raw_result r;
	struct stat st;
	size_t n;
	int base;

	cr_assert(pw);
	pb_start(&sw, "-m", "0666", NULL);
	base = baseline(&sw);

	/* nobody names a socket of root's: refused, at once */
	bind_client(&theft, &sw);
	theft.ctl = connect_ctl_as(sw.dir, pw->pw_uid, pw->pw_gid);
	cr_assert_geq(theft.ctl, 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, 0), theft.path,
		       "theft");
	cr_assert_eq(raw_write(&theft, req, n), 0);
	r = raw_wait(&theft, 5000);
	cr_assert_eq(r, RAW_EOF, "got %s", raw_result_str(r));
	cr_assert_lt(theft.elapsed_ms, 1500);
	raw_close(&theft);
	assert_line(&sw, "refused", "belongs to user root",
		    "not to the requester nobody");

	/* root may name anyone's socket; the port is root's */
	bind_client(&rootc, &sw);
	cr_assert_eq(chown(rootc.path, pw->pw_uid, pw->pw_gid), 0);
	cr_assert_eq(raw_connect(&rootc, sw.dir), 0);
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(0, 4), rootc.path,
		       "root");
	cr_assert_eq(raw_write(&rootc, req, n), 0);
	expect_reply(&rootc);
	assert_line(&sw, "port 4", "attached", "user root");
	cr_assert_eq(stat(rootc.reply, &st), 0);
	cr_assert_eq(st.st_uid, 0);
	raw_close(&rootc);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, port_held_by_another_user)
{
	struct rawclient n1, n2, root;
	struct passwd *pw = getpwnam("nobody");
	enum raw_result r;
	VDECONN *c, *other;
	struct stat st;
	int base;

	cr_assert(pw);
	pb_start(&sw, "-m", "0666", NULL);
	base = baseline(&sw);
	other = pb_open(&sw, "", "other");
	cr_assert(other);

	/* nobody's client takes port 5 */
	open_as_owner(&n1, &sw, 5, pw->pw_uid, pw->pw_gid);
	expect_reply(&n1);
	cr_assert(strstr(n1.reply, "/005."), "got %s", n1.reply);
	assert_line(&sw, "port 5", "attached", "user nobody");
	/* root makes the data socket the user's */
	cr_assert_eq(stat(n1.reply, &st), 0);
	cr_assert_eq(st.st_uid, pw->pw_uid);

	/* root may not join it */
	open_as_owner(&root, &sw, 5, 0, 0);
	r = raw_wait(&root, 5000);
	cr_assert_eq(r, RAW_EOF, "got %s", raw_result_str(r));
	cr_assert_lt(root.elapsed_ms, 1500);
	raw_close(&root);
	assert_line(&sw, "port 5", "in use by user nobody");
	cr_assert_null(pb_open(&sw, "[5]", "root"));

	/* nobody may */
	open_as_owner(&n2, &sw, 5, pw->pw_uid, pw->pw_gid);
	expect_reply(&n2);
	cr_assert(strstr(n2.reply, "/005."), "got %s", n2.reply);
	cr_assert_eq(count_files(sw.dir, "005."), 2);

	/* both endpoints get the port's frames; one port does not echo */
	cr_assert(frame_passes(vde_datafd(other), n1.data, 5000));
	cr_assert(frame_passes(vde_datafd(other), n2.data, 5000));
	exchange(n1.data, vde_datafd(other));
	exchange(n2.data, vde_datafd(other));
	cr_assert(!frame_passes(n1.data, n2.data, 300),
		  "an endpoint got a frame from its own port");

	raw_close(&n1);
	raw_close(&n2);
	expect_clean(&sw, base, 1, 5000);

	/* free again: root gets it now */
	c = pb_open(&sw, "[5]", "root");
	cr_assert(c);
	exchange(vde_datafd(c), vde_datafd(other));
	vde_close(c);
	vde_close(other);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, silent_clients)
{
	struct rawclient rc[10];
	enum raw_result r;
	long long t0, t;
	unsigned i;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	t0 = now_ms();
	for (i = 0; i < 10; i++) {
		raw_init(&rc[i]);
		cr_assert_eq(raw_connect(&rc[i], sw.dir), 0);
	}
	/* meanwhile, others are served */
	check_serving(&sw);
	for (i = 0; i < 10; i++) {
		r = raw_wait(&rc[i], 8000);
		t = now_ms() - t0;
		cr_assert_eq(r, RAW_EOF, "got %s", raw_result_str(r));
		cr_assert(t >= 1500 && t <= 5000,
			  "a silent client was dropped after %lld ms, "
			  "expected about 2 s", t);
		raw_close(&rc[i]);
	}
	assert_line(&sw, "request incomplete", "0 bytes");
	cr_assert_eq(log_count(&sw, "request incomplete"), 10);

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

#define HELD 300

Test(bad, fd_exhaustion_does_not_spin)
{
	static struct rawclient held[HELD];
	long ticks0, ticks1;
	unsigned i;
	int base;

	start_special(&sw, START_NOFILE_128);
	base = baseline(&sw);
	cr_assert_lt(base, 64, "the switch starts with %d fds", base);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);

	for (i = 0; i < HELD; i++) {
		raw_init(&held[i]);
		cr_assert_eq(raw_connect(&held[i], sw.dir), 0,
			     "connection %u refused by the kernel", i);
	}
	assert_log(&sw, "pausing new connections");

	/* it waits, it does not spin: measured over 1 s */
	ticks0 = proc_cputicks(sw.pid);
	usleep(1000 * 1000);
	ticks1 = proc_cputicks(sw.pid);
	cr_assert(ticks0 >= 0 && ticks1 >= 0);
	cr_assert_lt(ticks1 - ticks0, 20,
		     "the switch used %ld ticks in 1 s while out of fds",
		     ticks1 - ticks0);

	for (i = 0; i < HELD; i++)
		raw_close(&held[i]);
	assert_log(&sw, "accepting connections again");
	expect_clean(&sw, base, 0, 20000);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* 500 short and 500 long frames: each dropped and counted on its port (the
 * console's port/print), the good one after them passes. */
Test(bad, bad_frames_dropped_and_counted)
{
	static uint8_t f[10000], g[10000];
	unsigned i;
	VDECONN *a, *b;
	size_t len;
	ssize_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	a = pb_open(&sw, "", "A");
	b = pb_open(&sw, "", "B");
	cr_assert(a && b);

	for (i = 0; i < 1000; i++) {
		if (i % 2)
			len = 9235 + (i * 7919) % 766;	/* 9235..10000 */
		else
			len = (i / 2) % 14;		/* 0..13 */
		mkframe(f, MAC_BCAST, MAC_A, len, 0x77);
		cr_assert_eq(send(vde_datafd(a), f, len, 0), (ssize_t)len,
			     "send %zu: %s", len, strerror(errno));
	}
	/* the first thing B gets is the good frame that followed */
	mkframe(f, MAC_BCAST, MAC_A, 100, 0x99);
	cr_assert_eq(vde_send(a, f, 100, 0), 100);
	n = recv_frame(b, g, sizeof(g), 5000);
	cr_assert_eq(n, 100, "B got %zd bytes", n);
	cr_assert_eq(memcmp(f, g, 100), 0);
	cr_assert(quiet(b, 200));
	/* A is port 1: 500 under 14 bytes (0-byte ones too), 500 over 9234 */
	cr_assert_eq(pb_port_counter(&sw, 1, " DROP:", "short"), 500);
	cr_assert_eq(pb_port_counter(&sw, 1, " DROP:", "long"), 500);
	cr_assert_eq(pb_port_counter(&sw, 1, " IN:", "pkts"), 1);
	cr_assert_eq(pb_port_counter(&sw, 2, " OUT:", "pkts"), 1);


	exchange(vde_datafd(a), vde_datafd(b));
	vde_close(a);
	vde_close(b);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

Test(bad, legacy_v1_and_unknown_type)
{
	static const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t req[RAW_REQ_MAX];
	struct rawclient v1, v1p0, rc;
	VDECONN *c;
	size_t n;
	int base;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	c = pb_open(&sw, "", "v3 peer");
	cr_assert(c);

	/* v1: magic, type, mac, sockaddr_un, description */
	bind_client(&v1, &sw);
	cr_assert_eq(raw_connect(&v1, sw.dir), 0);
	n = raw_req_v1(req, 0, mac, v1.path, "v1-client");
	cr_assert_eq(n, RAW_V1_HDR + 9);
	cr_assert_eq(raw_write(&v1, req, n), 0);
	expect_reply(&v1);
	assert_line(&sw, "attached", "v1", "v1-client");
	exchange(v1.data, vde_datafd(c));

	/* v1 port 0 request */
	bind_client(&v1p0, &sw);
	cr_assert_eq(raw_connect(&v1p0, sw.dir), 0);
	n = raw_req_v1(req, 1, mac, v1p0.path, "v1-port0");
	cr_assert_eq(raw_write(&v1p0, req, n), 0);
	expect_reply(&v1p0);
	cr_assert(strstr(v1p0.reply, "/000."), "got %s", v1p0.reply);
	exchange(v1p0.data, vde_datafd(c));

	/* v3 request type 7 does not exist */
	bind_client(&rc, &sw);
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(7, 0), rc.path, "type 7");
	expect_refused(&sw, req, n, "unknown request type 7");
	/* port 0 naming another port is contradictory */
	n = raw_req_v3(req, RAW_MAGIC, 3, raw_type(1, 5), rc.path, "0 and 5");
	expect_refused(&sw, req, n, "port 0 request also names port 5");
	raw_close(&rc);

	raw_close(&v1);
	raw_close(&v1p0);
	vde_close(c);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

/* Send broadcasts without blocking; a full socket just loses them. */
static void flood(int fd, unsigned count, uint8_t fill)
{
	uint8_t f[1000];
	unsigned i;

	mkframe(f, MAC_BCAST, MAC_A, sizeof(f), fill);
	for (i = 0; i < count; i++)
		if (send(fd, f, sizeof(f), MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			break;
}

/* Read and discard until nothing has come for 300 ms. */
static void drain(int fd)
{
	uint8_t buf[9300];

	while (recv_fd(fd, buf, sizeof(buf), 300) >= 0)
		;
}

Test(bad, client_vanishes_mid_session)
{
	struct rawclient r;
	uint8_t buf[16];
	VDECONN *a, *b;
	int base, p[2];
	pid_t child;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	a = pb_open(&sw, "", "a");
	b = pb_open(&sw, "", "b");
	cr_assert(a && b);

	/* closes its control connection while frames go both ways */
	raw_init(&r);
	cr_assert_eq(raw_open(&r, sw.dir, sw.tmp, 0, "vanishing"), RAW_REPLY);
	cr_assert_eq(count_datasocks(sw.dir), 3);
	flood(r.data, 200, 1);
	/* r never reads: its queue fills */
	flood(vde_datafd(a), 200, 2);
	raw_close_ctl(&r);
	flood(vde_datafd(a), 50, 3);
	flood(r.data, 50, 4);
	assert_log(&sw, "released");
	cr_assert(wait_path(r.reply, false, 5000), "%s is still there",
		  r.reply);
	expect_clean(&sw, base, 2, 5000);
	drain(vde_datafd(a));
	drain(vde_datafd(b));
	exchange(vde_datafd(a), vde_datafd(b));
	raw_close(&r);

	/* dies (SIGKILL) while sending */
	cr_assert_eq(pipe(p), 0);
	child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		struct rawclient k;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		raw_init(&k);
		if (raw_open(&k, sw.dir, sw.tmp, 0, "killed") != RAW_REPLY)
			_exit(1);
		if (write(p[1], "R", 1) != 1)
			_exit(1);
		for (;;)
			flood(k.data, 100, 5);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], buf, 1), 1, "the child could not attach");
	close(p[0]);
	cr_assert(recv_frame(b, buf, sizeof(buf), 5000) > 0);
	flood(vde_datafd(a), 100, 6);
	cr_assert_eq(kill(child, SIGKILL), 0);
	cr_assert_eq(waitpid(child, NULL, 0), child);
	cr_assert(wait_datasocks(sw.dir, 2, 5000));
	expect_clean(&sw, base, 2, 5000);
	/* the flood filled a's and b's queues to their bound: empty them,
	 * or the next frame is (rightly) dropped */
	drain(vde_datafd(a));
	drain(vde_datafd(b));
	exchange(vde_datafd(a), vde_datafd(b));
	cr_assert_eq(log_count(&sw, "released"), 2);

	vde_close(a);
	vde_close(b);
	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}

#define CHURN_PROCS 4
#define CHURN_ROUNDS 50

/* In a child: connect and disconnect as fast as possible. Every 5th
 * round is a raw client that hangs up right after its request, racing
 * the reply. Return the number of failed vde_open()s. */
static int churn(const struct pb *pb, int idx)
{
	uint8_t f[64], req[RAW_REQ_MAX];
	int i, fails = 0;

	mkframe(f, MAC_BCAST, MAC_A, sizeof(f), (uint8_t)idx);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		VDECONN *c = pb_open(pb, "", "churn");

		if (!c) {
			fails++;
			continue;
		}
		if (i % 3 == 0)
			vde_send(c, f, sizeof(f), 0);
		vde_close(c);
		if (i % 5 == 4) {
			struct rawclient rc;
			size_t n;

			raw_init(&rc);
			if (raw_bind(&rc, pb->tmp, 0600) == 0 &&
			    raw_connect(&rc, pb->dir) == 0) {
				n = raw_req_v3(req, RAW_MAGIC, 3, 0, rc.path,
					       "hang up");
				raw_write(&rc, req, n);
			}
			raw_close(&rc);
		}
	}
	return fails;
}

Test(bad, connect_disconnect_churn)
{
	pid_t kids[CHURN_PROCS];
	int i, st, base, attached;

	pb_start(&sw, NULL);
	base = baseline(&sw);
	for (i = 0; i < CHURN_PROCS; i++) {
		kids[i] = fork();
		cr_assert(kids[i] >= 0);
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(churn(&sw, i) ? 1 : 0);
		}
	}
	for (i = 0; i < CHURN_PROCS; i++) {
		cr_assert_eq(waitpid(kids[i], &st, 0), kids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "a churning client failed to connect (status %#x)",
			  st);
	}
	expect_clean(&sw, base, 0, 10000);
	attached = log_count(&sw, " attached");
	cr_assert_geq(attached, CHURN_PROCS * CHURN_ROUNDS);
	cr_assert_eq(log_count(&sw, "released"), attached,
		     "every endpoint attached must be released");

	check_serving(&sw);
	expect_clean(&sw, base, 0, 5000);
	cr_assert_eq(pb_stop(&sw), 0);
}
