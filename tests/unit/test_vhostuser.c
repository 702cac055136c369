/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_vhostuser.c - the vhost-user backend (vhostuser.c, virtq.c) driven
 * by a fake front end: a UNIX socket to the switch's listener, guest
 * memory in a memfd with crafted split rings, eventfds for kicks and
 * calls. Negotiation, a frame each way (over several receive buffers with
 * MRG_RXBUF), and what untrusted guests and front ends can do: addresses
 * outside memory, a looping chain, an indirect table out of range, a
 * truncated header, an unknown request, a message with a bad size. The
 * other side of the switch is a socketpair endpoint (pairbackend.c). The
 * messages are framed by bench/vhufe.c, the benchmark's front end. The
 * virtq suite drives virtq_pop() alone on a two-region table: buffers in
 * either region or across both, the available index read again only
 * when what was read of it is used up.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"
#include "pairbackend.h"
#include "tcpframe.h"
#include "vhufe.h"

#include "fwd.h"
#include "loop.h"
#include "port.h"
#include "sw.h"
#include "vdewire.h"
#include "vhostuser.h"
#include "vhumsg.h"
#include "virtq.h"

#define MEM_SIZE (1 << 20)
#define GPA 0x100000ULL		/* guest-physical base of the region */
#define QVA 0x7f0000000000ULL	/* the front end's address of it */
#define QN 8			/* ring size */
#define VPORT 1
#define PPORT 2
/* where things are, as offsets in the memfd */
#define RING_OFF(q) ((q) ? 0x8000 : 0x0)
#define DESC_OFF(q) (RING_OFF(q))
#define AVAIL_OFF(q) (RING_OFF(q) + 0x1000)
#define USED_OFF(q) (RING_OFF(q) + 0x2000)
#define BUF_OFF 0x10000
#define IND_OFF 0x20000

static struct loop *loop;
static struct sw *sw;
static char dir[64], path[128];
static int fe = -1, memfd = -1, peer = -1;
static uint8_t *mem;
static int kick[2] = { -1, -1 }, call[2] = { -1, -1 };
static uint16_t avail_idx[2];

static void setup(void)
{
	struct sw_config cfg;
	char err[256], url[160];

	sw_config_defaults(&cfg);
	cfg.nports = 8;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
	cr_assert(vhostuser_backend_create(sw));
	cr_assert(pairep_attach(sw, PPORT, false, &peer));
	snprintf(dir, sizeof(dir), "/tmp/pb-vhu.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(url, sizeof(url), "vhost-user://%s", path);
	cr_assert_eq(sw_attach_url(sw, url, VPORT, err, sizeof(err)), 0, "%s",
		     err);
	memfd = memfd_create("guest", MFD_CLOEXEC);
	cr_assert(memfd >= 0);
	cr_assert_eq(ftruncate(memfd, MEM_SIZE), 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		   0);
	cr_assert(mem != MAP_FAILED);
	memset(avail_idx, 0, sizeof(avail_idx));
}

static void closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void teardown(void)
{
	unsigned i;

	closefd(&fe);
	for (i = 0; i < 2; i++) {
		closefd(&kick[i]);
		closefd(&call[i]);
	}
	closefd(&peer);
	closefd(&memfd);
	if (mem)
		munmap(mem, MEM_SIZE);
	mem = NULL;
	sw_destroy(sw);
	loop_destroy(loop);
	sw = NULL;
	loop = NULL;
	unlink(path);
	rmdir(dir);
	leak_check();
}

TestSuite(vhu, .init = setup, .fini = teardown, .timeout = 20);

static void run(void)
{
	unsigned i;

	for (i = 0; i < 20; i++)
		loop_run_once(loop, 1);
}

static int connect_fe(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	strcpy(a.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	run();
	return fd;
}

static void send_msg(uint32_t req, uint32_t flags, const void *payload,
		     uint32_t size, const int *fds, unsigned nfds)
{
	int rc = vhufe_msg_send(fe, req, flags, payload, size, fds, nfds);

	cr_assert_eq(rc, 0, "sending request %u: %s", req, strerror(-rc));
	run();
}

/* A reply to @req; its payload to @out. Return: the payload size, -1 if
 * none came, 0 on EOF */
static ssize_t recv_reply(uint32_t req, void *out, size_t len)
{
	int rc = vhufe_msg_reply(fe, req, out, len, 0);

	if (rc == -ETIMEDOUT)
		return -1;
	if (rc == -EPIPE)
		return 0;
	cr_assert(rc >= 0, "reply to %u: %s", req, strerror(-rc));
	return rc;
}

static uint64_t get_u64(uint32_t req)
{
	uint64_t v = 0;

	send_msg(req, 0, NULL, 0, NULL, 0);
	cr_assert_eq(recv_reply(req, &v, sizeof(v)), 8, "no reply to %u",
		     req);
	return v;
}

static void set_u64(uint32_t req, uint64_t v, const int *fds, unsigned n)
{
	send_msg(req, 0, &v, sizeof(v), fds, n);
}

static void set_state(uint32_t req, uint32_t index, uint32_t num)
{
	struct vhu_vring_state st = { index, num };

	send_msg(req, 0, &st, sizeof(st), NULL, 0);
}

#define OFFLOAD_FEATURES                                                       \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |     \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) | \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_TSO4) | \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6) | (1ULL << VIRTIO_NET_F_GUEST_ECN))

static uint64_t features_acked;

/* Everything QEMU does before the guest's frames flow. */
static void negotiate(uint64_t features)
{
	struct vhu_mem_table t = { .nregions = 1 };
	uint64_t ack = 99;
	unsigned q;

	fe = connect_fe();
	cr_assert_eq(get_u64(VHU_GET_FEATURES),
		     (1ULL << VIRTIO_F_VERSION_1) |
			     (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			     (1ULL << VIRTIO_RING_F_EVENT_IDX) |
			     (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
			     (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
			     OFFLOAD_FEATURES);
	cr_assert_eq(get_u64(VHU_GET_PROTOCOL_FEATURES),
		     1ULL << VHU_PROTOCOL_F_REPLY_ACK);
	set_u64(VHU_SET_PROTOCOL_FEATURES, 1ULL << VHU_PROTOCOL_F_REPLY_ACK,
		NULL, 0);
	send_msg(VHU_SET_OWNER, 0, NULL, 0, NULL, 0);
	features_acked = features | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	set_u64(VHU_SET_FEATURES, features_acked, NULL, 0);
	t.r[0].gpa = GPA;
	t.r[0].size = MEM_SIZE;
	t.r[0].qva = QVA;
	t.r[0].offset = 0;
	send_msg(VHU_SET_MEM_TABLE, VHU_FLAG_NEED_REPLY, &t,
		 8 + sizeof(t.r[0]), &memfd, 1);
	cr_assert_eq(recv_reply(VHU_SET_MEM_TABLE, &ack, sizeof(ack)), 8);
	cr_assert_eq(ack, 0);
	for (q = 0; q < 2; q++) {
		struct vhu_vring_addr a = {
			.index = q,
			.desc = QVA + DESC_OFF(q),
			.used = QVA + USED_OFF(q),
			.avail = QVA + AVAIL_OFF(q),
		};

		set_state(VHU_SET_VRING_NUM, q, QN);
		set_state(VHU_SET_VRING_BASE, q, 0);
		send_msg(VHU_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
		kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		call[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		set_u64(VHU_SET_VRING_KICK, q, &kick[q], 1);
		set_u64(VHU_SET_VRING_CALL, q, &call[q], 1);
		set_state(VHU_SET_VRING_ENABLE, q, 1);
	}
	cr_assert(port_lookup(sw, VPORT)->eps, "no endpoint on the port");
}

static struct vring_desc *desc(unsigned q, unsigned i)
{
	return (struct vring_desc *)(mem + DESC_OFF(q)) + i;
}

static struct vring_avail *avail(unsigned q)
{
	return (struct vring_avail *)(mem + AVAIL_OFF(q));
}

static struct vring_used *used(unsigned q)
{
	return (struct vring_used *)(mem + USED_OFF(q));
}

/* used->ring[QN]: where the switch wants the next kick (EVENT_IDX) */
static uint16_t avail_event(unsigned q)
{
	uint16_t v;

	memcpy(&v, mem + USED_OFF(q) + 4 + 8 * QN, sizeof(v));
	return v;
}

static void set_desc(unsigned q, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vring_desc *d = desc(q, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Offer chain @head on ring @q and kick. */
static void offer(unsigned q, uint16_t head)
{
	struct vring_avail *a = avail(q);

	a->ring[avail_idx[q] % QN] = head;
	avail_idx[q]++;
	__atomic_store_n(&a->idx, avail_idx[q], __ATOMIC_RELEASE);
	cr_assert_eq(eventfd_write(kick[q], 1), 0);
	run();
}

static size_t mkframe_at(uint8_t *p, size_t len, uint8_t fill)
{
	static const uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t src[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x88;
	p[13] = 0xb5;
	memset(p + 14, fill, len - 14);
	return len;
}

/* A frame of @len bytes with a 12-byte header in one descriptor at
 * buffer @slot of the TX ring, as descriptor @i. */
static void tx_frame(unsigned i, unsigned slot, size_t len, uint8_t fill)
{
	uint8_t *b = mem + BUF_OFF + slot * 0x3000;

	memset(b, 0, 12);
	mkframe_at(b + 12, len, fill);
	set_desc(1, i, GPA + BUF_OFF + slot * 0x3000, (uint32_t)(12 + len), 0,
		 0);
}

static ssize_t peer_recv(uint8_t *buf, size_t len)
{
	return recv(peer, buf, len, MSG_DONTWAIT);
}

static char printed[4096];

static void print_line(void *arg, const char *text)
{
	(void)arg;
	strncat(printed, text, sizeof(printed) - strlen(printed) - 2);
	strcat(printed, "\n");
}

static const char *print_ep(void)
{
	const struct endpoint *ep = port_lookup(sw, VPORT)->eps;

	printed[0] = '\0';
	cr_assert(ep);
	ep->ops->print(ep, print_line, NULL);
	return printed;
}

static void expect_printed(const char *needle)
{
	const char *p = print_ep();

	cr_assert(strstr(p, needle), "no \"%s\" in:\n%s", needle, p);
}

#define STD_FEATURES                                                           \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |     \
	 (1ULL << VIRTIO_RING_F_EVENT_IDX) |                                   \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

Test(vhu, negotiation_and_print)
{
	negotiate(STD_FEATURES);
	expect_printed("features MRG_RXBUF INDIRECT_DESC EVENT_IDX "
		       "PROTOCOL_FEATURES VERSION_1");
	expect_printed("protocol features REPLY_ACK; virtio-net header 12");
	expect_printed("rx ring 8 entries, running; tx ring 8 entries, "
		       "running; memory 1 region, 1 MiB");
	expect_printed("not offered: UFO, MQ, packed ring, IOMMU");
}

Test(vhu, frame_from_the_guest)
{
	uint8_t buf[2048];
	eventfd_t n;

	negotiate(STD_FEATURES);
	tx_frame(0, 0, 100, 0xab);
	offer(1, 0);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), 100);
	cr_assert_eq(buf[14], 0xab);
	cr_assert_eq(buf[99], 0xab);
	cr_assert_eq(used(1)->idx, 1);
	cr_assert_eq(used(1)->ring[0].id, 0);
	cr_assert_eq(eventfd_read(call[1], &n), 0, "no call after TX");
	/* EVENT_IDX: the switch asks for the next kick */
	cr_assert_eq(avail_event(1), 1);
	cr_assert_eq(port_lookup(sw, VPORT)->c.in_pkts, 1);
}

/* A frame with its header and body in two descriptors, via an indirect
 * table. */
Test(vhu, frame_from_the_guest_indirect)
{
	struct vring_desc *tab = (struct vring_desc *)(mem + IND_OFF);
	uint8_t buf[2048];

	negotiate(STD_FEATURES);
	memset(mem + BUF_OFF, 0, 12);
	mkframe_at(mem + BUF_OFF + 0x100, 64, 0x5a);
	tab[0] = (struct vring_desc){ GPA + BUF_OFF, 12, VRING_DESC_F_NEXT,
				      1 };
	tab[1] = (struct vring_desc){ GPA + BUF_OFF + 0x100, 64, 0, 0 };
	set_desc(1, 3, GPA + IND_OFF, 32, VRING_DESC_F_INDIRECT, 0);
	offer(1, 3);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), 64);
	cr_assert_eq(buf[20], 0x5a);
}

/* A frame from the VDE side reaches a guest that acked @features whole:
 * its header all zeros but num_buffers. */
static void frame_to_guest(uint64_t features)
{
	uint8_t f[200];
	struct vnet_hdr h;
	eventfd_t n;

	negotiate(features);
	set_desc(0, 0, GPA + BUF_OFF, 2048, VRING_DESC_F_WRITE, 0);
	offer(0, 0);
	mkframe_at(f, sizeof(f), 0x42);
	cr_assert_eq(send(peer, f, sizeof(f), 0), (ssize_t)sizeof(f));
	run();
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].id, 0);
	cr_assert_eq(used(0)->ring[0].len, 12 + sizeof(f));
	vnet_hdr_decode(mem + BUF_OFF, &h);
	cr_assert_eq(h.flags, 0);
	cr_assert_eq(h.gso_type, 0);
	cr_assert_eq(h.num_buffers, 1);
	cr_assert_arr_eq(mem + BUF_OFF + 12, f, sizeof(f));
	cr_assert_eq(eventfd_read(call[0], &n), 0, "no call after RX");
}

Test(vhu, frame_to_the_guest)
{
	frame_to_guest(STD_FEATURES);
}

/* MRG_RXBUF: one frame over three 100-byte buffers, num_buffers 3. */
Test(vhu, frame_to_the_guest_merged)
{
	uint8_t f[250], got[300];
	struct vnet_hdr h;
	unsigned i;

	negotiate(STD_FEATURES);
	for (i = 0; i < 3; i++) {
		set_desc(0, i, GPA + BUF_OFF + i * 0x1000, 100,
			 VRING_DESC_F_WRITE, 0);
		offer(0, (uint16_t)i);
	}
	mkframe_at(f, sizeof(f), 0x17);
	f[249] = 0x99;
	cr_assert_eq(send(peer, f, sizeof(f), 0), (ssize_t)sizeof(f));
	run();
	cr_assert_eq(used(0)->idx, 3);
	cr_assert_eq(used(0)->ring[0].len, 100);
	cr_assert_eq(used(0)->ring[1].len, 100);
	cr_assert_eq(used(0)->ring[2].len, 62);
	vnet_hdr_decode(mem + BUF_OFF, &h);
	cr_assert_eq(h.num_buffers, 3);
	memcpy(got, mem + BUF_OFF + 12, 88);
	memcpy(got + 88, mem + BUF_OFF + 0x1000, 100);
	memcpy(got + 188, mem + BUF_OFF + 0x2000, 62);
	cr_assert_arr_eq(got, f, sizeof(f));
}

/* No buffers: the core queues; the guest's kick drains. */
Test(vhu, no_buffers_then_kick)
{
	uint8_t f[100];

	negotiate(STD_FEATURES);
	mkframe_at(f, sizeof(f), 1);
	cr_assert_eq(send(peer, f, sizeof(f), 0), (ssize_t)sizeof(f));
	run();
	cr_assert_eq(used(0)->idx, 0);
	expect_printed("rx without buffers 1");
	/* EVENT_IDX: a kick is asked for at the next buffer */
	cr_assert_eq(avail_event(0), 0);
	set_desc(0, 0, GPA + BUF_OFF, 2048, VRING_DESC_F_WRITE, 0);
	offer(0, 0);
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].len, 12 + sizeof(f));
}

/* Without MRG_RXBUF a frame larger than the buffer is dropped; the buffer
 * stays for the next one. */
Test(vhu, buffer_too_small_without_mrg)
{
	uint8_t f[200];

	negotiate((1ULL << VIRTIO_F_VERSION_1));
	set_desc(0, 0, GPA + BUF_OFF, 100, VRING_DESC_F_WRITE, 0);
	offer(0, 0);
	mkframe_at(f, sizeof(f), 1);
	cr_assert_eq(send(peer, f, sizeof(f), 0), (ssize_t)sizeof(f));
	run();
	cr_assert_eq(used(0)->idx, 0);
	expect_printed("rx frames too big for a buffer 1");
	cr_assert_eq(port_lookup(sw, VPORT)->c.drop_send, 1);
	cr_assert_eq(send(peer, f, 80, 0), 80);
	run();
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].len, 92);
}

/* A receive chain the switch may not write (no WRITE flag) goes back
 * empty. The frame it was for is tried again on the next chain: counted
 * sent once it is in one, dropped (drop_send) if it was first in its
 * batch, never counted sent for a chain it did not reach. */
Test(vhu, bad_rx_chain_frame_tried_again_or_dropped)
{
	const struct port_counters *c;
	uint8_t a[100], b[120];

	negotiate(STD_FEATURES);
	c = &port_lookup(sw, VPORT)->c;
	set_desc(0, 0, GPA + BUF_OFF, 2048, 0, 0);	/* read-only */
	offer(0, 0);
	mkframe_at(a, sizeof(a), 1);
	cr_assert_eq(send(peer, a, sizeof(a), 0), (ssize_t)sizeof(a));
	run();
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].len, 0);
	cr_assert_eq(c->out_pkts, 0);
	cr_assert_eq(c->drop_send, 1);
	expect_printed("bad chains 1");

	/* a good chain, a bad one, a good one; two frames in one batch */
	set_desc(0, 1, GPA + BUF_OFF, 2048, VRING_DESC_F_WRITE, 0);
	set_desc(0, 2, GPA + BUF_OFF + 0x1000, 2048, 0, 0);
	set_desc(0, 3, GPA + BUF_OFF + 0x2000, 2048, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	offer(0, 2);
	offer(0, 3);
	mkframe_at(b, sizeof(b), 2);
	cr_assert_eq(send(peer, a, sizeof(a), 0), (ssize_t)sizeof(a));
	cr_assert_eq(send(peer, b, sizeof(b), 0), (ssize_t)sizeof(b));
	run();
	cr_assert_eq(used(0)->idx, 4);
	cr_assert_eq(used(0)->ring[1].len, 12 + sizeof(a));
	cr_assert_eq(used(0)->ring[2].len, 0);
	cr_assert_eq(used(0)->ring[3].len, 12 + sizeof(b));
	cr_assert_arr_eq(mem + BUF_OFF + 0x2000 + 12, b, sizeof(b));
	cr_assert_eq(c->out_pkts, 2);
	cr_assert_eq(c->drop_send, 1);
	expect_printed("bad chains 2");
}

/* A descriptor outside guest memory: the chain comes back unused and is
 * counted; the next good frame goes through. */
Test(vhu, bad_address)
{
	uint8_t buf[2048];

	negotiate(STD_FEATURES);
	set_desc(1, 0, GPA + MEM_SIZE - 10, 100, 0, 0);	/* runs off the end */
	offer(1, 0);
	set_desc(1, 1, 0x1000, 100, 0, 0);		/* below the region */
	offer(1, 1);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
	cr_assert_eq(used(1)->idx, 2);
	cr_assert_eq(used(1)->ring[0].len, 0);
	expect_printed("bad chains 2");
	tx_frame(2, 0, 60, 7);
	offer(1, 2);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), 60);
}

Test(vhu, looping_chain)
{
	uint8_t buf[2048];

	negotiate(STD_FEATURES);
	set_desc(1, 0, GPA + BUF_OFF, 6, VRING_DESC_F_NEXT, 1);
	set_desc(1, 1, GPA + BUF_OFF, 6, VRING_DESC_F_NEXT, 0);
	offer(1, 0);
	cr_assert_eq(used(1)->idx, 1);
	expect_printed("bad chains 1");
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
	/* a loop in an indirect table too */
	{
		struct vring_desc *tab = (struct vring_desc *)(mem + IND_OFF);

		tab[0] = (struct vring_desc){ GPA + BUF_OFF, 6,
					      VRING_DESC_F_NEXT, 1 };
		tab[1] = (struct vring_desc){ GPA + BUF_OFF, 6,
					      VRING_DESC_F_NEXT, 0 };
		set_desc(1, 2, GPA + IND_OFF, 32, VRING_DESC_F_INDIRECT, 0);
		offer(1, 2);
	}
	expect_printed("bad chains 2");
}

Test(vhu, indirect_table_out_of_range)
{
	struct vring_desc *tab = (struct vring_desc *)(mem + IND_OFF);

	negotiate(STD_FEATURES);
	set_desc(1, 0, GPA + MEM_SIZE - 16, 64, VRING_DESC_F_INDIRECT, 0);
	offer(1, 0);
	expect_printed("bad chains 1");
	/* nested tables are refused too */
	tab[0] = (struct vring_desc){ GPA + IND_OFF, 16,
				      VRING_DESC_F_INDIRECT, 0 };
	set_desc(1, 1, GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0);
	offer(1, 1);
	expect_printed("bad chains 2");
	cr_assert_eq(used(1)->idx, 2);
}

Test(vhu, truncated_header_and_long_frame)
{
	uint8_t buf[2048];

	negotiate(STD_FEATURES);
	set_desc(1, 0, GPA + BUF_OFF, 8, 0, 0);
	offer(1, 0);
	expect_printed("short headers 1");
	/* 9235 bytes after the header: the core's drop_long */
	set_desc(1, 1, GPA + BUF_OFF, 12 + VDE_FRAME_MAX + 1, 0, 0);
	offer(1, 1);
	cr_assert_eq(port_lookup(sw, VPORT)->c.drop_long, 1);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
	cr_assert_eq(used(1)->idx, 2);
}

/* A broken ring (the available index jumps past the ring size) closes
 * the connection; the listener stays for the next one. */
Test(vhu, broken_ring_closes)
{
	uint64_t v;

	negotiate(STD_FEATURES);
	avail(1)->idx = QN + 5;
	cr_assert_eq(eventfd_write(kick[1], 1), 0);
	run();
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
	cr_assert_null(port_lookup(sw, VPORT)->eps);
	closefd(&fe);
	fe = connect_fe();
	cr_assert(port_lookup(sw, VPORT)->eps);
}

Test(vhu, unknown_request)
{
	uint64_t v = 0;

	negotiate(STD_FEATURES);
	/* SET_LOG_BASE is not supported; a request number nobody knows */
	send_msg(VHU_SET_LOG_BASE, VHU_FLAG_NEED_REPLY, &v, 8, NULL, 0);
	cr_assert_eq(recv_reply(VHU_SET_LOG_BASE, &v, sizeof(v)), 8);
	cr_assert_neq(v, 0, "not refused");
	send_msg(77, 0, NULL, 0, NULL, 0);
	cr_assert_eq(recv_reply(77, &v, sizeof(v)), -1, "an unasked reply");
	expect_printed("unknown requests 2");
	/* still talking */
	cr_assert_eq(get_u64(VHU_GET_QUEUE_NUM), 1);
}

Test(vhu, bad_size_closes)
{
	uint32_t four = 1;
	uint64_t v;

	negotiate(STD_FEATURES);
	send_msg(VHU_SET_FEATURES, 0, &four, 4, NULL, 0);
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
	cr_assert_null(port_lookup(sw, VPORT)->eps);
	/* a payload over the limit */
	closefd(&fe);
	fe = connect_fe();
	send_msg(VHU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	cr_assert_eq(recv_reply(VHU_GET_FEATURES, &v, sizeof(v)), 8);
	{
		uint32_t hdr[3] = { VHU_SET_MEM_TABLE, VHU_VERSION, 4096 };

		cr_assert_eq(send(fe, hdr, sizeof(hdr), 0), 12);
		run();
	}
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
}

/* A memory table whose fd cannot be mapped closes the connection; so
 * does a feature that was not offered. */
Test(vhu, unmappable_table_closes)
{
	struct vhu_mem_table t = { .nregions = 1 };
	uint64_t v;
	int bad;

	fe = connect_fe();
	bad = eventfd(0, EFD_CLOEXEC);
	t.r[0].gpa = GPA;
	t.r[0].size = MEM_SIZE;
	t.r[0].qva = QVA;
	send_msg(VHU_SET_MEM_TABLE, 0, &t, 8 + sizeof(t.r[0]), &bad, 1);
	close(bad);
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
	closefd(&fe);
	fe = connect_fe();
	set_u64(VHU_SET_FEATURES, 1ULL << VIRTIO_NET_F_MQ, NULL, 0);
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
}

/* One front end at a time; a live listener's path is refused to a second
 * attachment. */
Test(vhu, one_front_end_and_live_path)
{
	char err[256], url[160];
	int second;
	uint64_t v;

	fe = connect_fe();
	second = connect_fe();
	cr_assert_eq(recv(second, &v, sizeof(v), MSG_DONTWAIT), 0,
		     "second front end not closed");
	close(second);
	snprintf(url, sizeof(url), "vhost-user://%s", path);
	cr_assert_eq(sw_attach_url(sw, url, 3, err, sizeof(err)),
		     -EADDRINUSE);
	cr_assert_eq(sw_attach_url(sw, "vhost-user://rel/path", 3, err,
				   sizeof(err)),
		     -EINVAL);
}

/* port/detach: the front end is disconnected, the socket file removed. */
Test(vhu, detach_closes_and_unlinks)
{
	char url[160];
	uint64_t v;

	negotiate(STD_FEATURES);
	snprintf(url, sizeof(url), "vhost-user://%s", path);
	cr_assert_eq(sw_detach_url(sw, url), 0);
	run();
	cr_assert_eq(recv(fe, &v, sizeof(v), MSG_DONTWAIT), 0, "not closed");
	cr_assert_null(port_lookup(sw, VPORT)->eps);
	cr_assert_neq(access(path, F_OK), 0, "%s still there", path);
}

/* A socket file nobody listens on is replaced. */
Test(vhu, stale_socket_replaced)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char url[200], err[256], stale[100];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(stale, sizeof(stale), "%s/stale.sock", dir);
	strcpy(a.sun_path, stale);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	snprintf(url, sizeof(url), "vhost-user://%s", stale);
	cr_assert_eq(sw_attach_url(sw, url, 4, err, sizeof(err)), 0, "%s",
		     err);
	/* a port of its own, not the first one's (still empty) port 1 */
	cr_assert_null(port_lookup(sw, VPORT)->eps);
	cr_assert(strstr(url, "stale"));
	{
		const struct sw_attachment *t = sw_attachment_next(sw, NULL);

		for (; t && !strstr(t->url, "stale");
		     t = sw_attachment_next(sw, t))
			;
		cr_assert(t);
		cr_assert_eq(t->port, 4);
	}
	cr_assert_eq(sw_detach_url(sw, url), 0);
	snprintf(url, sizeof(url), "vhost-user://%s", stale);
	cr_assert_eq(sw_attach_url(sw, url, SW_ANY_PORT, err, sizeof(err)),
		     0, "%s", err);
	{
		const struct sw_attachment *t = sw_attachment_next(sw, NULL);

		for (; t && !strstr(t->url, "stale");
		     t = sw_attachment_next(sw, t))
			;
		cr_assert(t);
		cr_assert_neq(t->port, VPORT, "an empty listener's port reused");
		cr_assert_neq(t->port, PPORT);
	}
	cr_assert_eq(sw_detach_url(sw, url), 0);
	cr_assert_neq(access(stale, F_OK), 0);
}

/* ---- offloads */

/* A frame after header @h in one descriptor at buffer @slot of the TX
 * ring, as descriptor @i. */
static void tx_offload(unsigned i, unsigned slot, const struct vnet_hdr *h,
		       const uint8_t *f, size_t len)
{
	uint8_t *b = mem + BUF_OFF + slot * 0x3000;

	cr_assert(12 + len <= 0x3000);
	vnet_hdr_encode(b, h);
	memcpy(b + 12, f, len);
	set_desc(1, i, GPA + BUF_OFF + slot * 0x3000, (uint32_t)(12 + len), 0,
		 0);
}

/* The segment in @buf (@len bytes) of a frame built from @s: lengths,
 * sequence number and checksums. */
static void check_seg_tag(const struct spec *s, const uint8_t *buf,
			  ssize_t len, unsigned index, unsigned mss,
			  unsigned plen, unsigned vid)
{
	unsigned l3 = vid ? 18 : 14, l4 = l3 + (s->v6 ? 40 : 20);
	const uint8_t *ip = buf + l3;

	if (vid) {
		cr_assert_eq(get16(buf + 12), 0x8100);
		cr_assert_eq(get16(buf + 14) & 0xfff, vid);
	}
	cr_assert_eq(len, (ssize_t)(l4 + 20 + plen), "segment %u: %zd bytes",
		     index, len);
	if (s->v6) {
		cr_assert_eq(get16(ip + 4), 20 + plen);
	} else {
		cr_assert_eq(get16(ip + 2), 20 + 20 + plen);
		cr_assert_eq(ref_fold(ref_sum(ip, 20, 0)), 0xffff,
			     "segment %u: IPv4 header checksum", index);
	}
	cr_assert_eq(get32(buf + l4 + 4), SEQ0 + index * mss);
	cr_assert(l4_ok(ip, s->v6, buf + l4, 20 + plen, 6),
		  "segment %u: TCP checksum", index);
	cr_assert_eq(buf[l4 + 20], pattern(index * mss));
}

static void check_seg(const struct spec *s, const uint8_t *buf, ssize_t len,
		      unsigned index, unsigned mss, unsigned plen)
{
	check_seg_tag(s, buf, len, index, mss, plen, 0);
}

#define HOST_OFFLOADS                                                          \
	(STD_FEATURES | (1ULL << VIRTIO_NET_F_CSUM) |                          \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6))

/* A guest's 4000-byte TSO frames (IPv4, IPv6) reach a port without
 * offloads as segments of at most 1448 bytes, each with its checksums. */
Test(vhu, gso_frames_cut_for_a_vde_port)
{
	static uint8_t f[8192], buf[4096];
	unsigned v6;

	negotiate(HOST_OFFLOADS);
	for (v6 = 0; v6 < 2; v6++) {
		struct spec s = { .v6 = (int)v6, .payload = 4000,
				  .flags = 0x18 };
		size_t len = build(f, &s);
		struct vnet_hdr h = gso_hdr(&s, 1448);
		unsigned k;

		tx_offload(v6, v6, &h, f, len);
		offer(1, (uint16_t)v6);
		for (k = 0; k < 3; k++)
			check_seg(&s, buf, peer_recv(buf, sizeof(buf)), k, 1448,
				  k < 2 ? 1448 : 4000 - 2 * 1448);
		cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
	}
	cr_assert_eq(port_lookup(sw, PPORT)->c.soft_gso, 2);
	cr_assert_eq(port_lookup(sw, PPORT)->c.soft_segs, 6);
	cr_assert_eq(port_lookup(sw, VPORT)->c.in_pkts, 2);
}

/* A partial checksum (NEEDS_CSUM, no GSO) is completed for that port. */
Test(vhu, partial_checksum_completed)
{
	struct spec s = { .payload = 300, .flags = 0x18 };
	uint8_t f[2048], buf[2048];
	size_t len = build(f, &s);
	struct vnet_hdr h = gso_hdr(&s, 0);

	h.gso_type = VNET_HDR_GSO_NONE;
	negotiate(HOST_OFFLOADS);
	tx_offload(0, 0, &h, f, len);
	offer(1, 0);
	check_seg(&s, buf, peer_recv(buf, sizeof(buf)), 0, 0, 300);
	cr_assert_eq(port_lookup(sw, PPORT)->c.soft_csum, 1);
}

/* Offloads the front end did not ack: dropped, counted. */
Test(vhu, offloads_not_acked)
{
	struct spec s = { .payload = 4000 };
	static uint8_t f[8192], buf[4096];
	size_t len = build(f, &s);
	struct vnet_hdr h = gso_hdr(&s, 1448);

	negotiate(STD_FEATURES);		/* no CSUM, no HOST_TSO4 */
	tx_offload(0, 0, &h, f, len);
	offer(1, 0);
	expect_printed("offload frames dropped 1");
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
}

/* A GSO frame that does not parse, a GSO size that cuts it into too many
 * segments, UFO: dropped, counted, the next frame goes through. */
Test(vhu, bad_gso_frames)
{
	struct spec s = { .payload = 4000 };
	static uint8_t f[8192], buf[4096];
	size_t len = build(f, &s);
	struct vnet_hdr h = gso_hdr(&s, 1448);

	negotiate(HOST_OFFLOADS);
	h.gso_size = 0;				/* does not parse */
	tx_offload(0, 0, &h, f, len);
	offer(1, 0);
	h = gso_hdr(&s, 1448);
	h.csum_start = 20;			/* not where TCP's is */
	tx_offload(1, 1, &h, f, len);
	offer(1, 1);
	h = gso_hdr(&s, 1);			/* 4000 one-byte segments */
	tx_offload(2, 2, &h, f, len);
	offer(1, 2);
	h = gso_hdr(&s, 1448);
	h.gso_type = VNET_HDR_GSO_UDP;		/* UFO: never offered */
	tx_offload(3, 3, &h, f, len);
	offer(1, 3);
	cr_assert_eq(port_lookup(sw, VPORT)->c.drop_offload, 3);
	expect_printed("offload frames dropped 1");
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
	h = gso_hdr(&s, 2000);
	tx_offload(4, 4, &h, f, len);
	offer(1, 4);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), 14 + 20 + 20 + 2000);
	cr_assert_eq(port_lookup(sw, VPORT)->c.in_pkts, 1);
}

/* A guest that acked GUEST_CSUM and GUEST_TSO4: its port takes those
 * offloads; frames from a VDE port still reach it whole, flags 0. */
Test(vhu, guest_offloads_acked)
{
	frame_to_guest(STD_FEATURES | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		       (1ULL << VIRTIO_NET_F_GUEST_TSO4));
	cr_assert_eq(port_lookup(sw, VPORT)->eps->offloads,
		     EP_OFF_CSUM | EP_OFF_TSO4);
}

/* Segments get the tag a trunk port needs (the guest's port is untagged
 * in VLAN 10), and lose the one it does not (a tagged GSO frame from a
 * guest trunked into VLAN 100, to a port untagged there). */
Test(vhu, gso_segments_tagged_and_untagged)
{
	static uint8_t f[8192], buf[4096];
	struct spec s = { .payload = 3000, .flags = 0x10 };
	struct vnet_hdr h;
	size_t len;
	unsigned k;

	cr_assert_eq(sw_vlan_create(sw, 10), 0);
	cr_assert_eq(sw_port_set_vlan(sw, VPORT, 10), 0);
	cr_assert_eq(sw_vlan_add_port(sw, 10, PPORT), 0);
	negotiate(HOST_OFFLOADS);
	len = build(f, &s);
	h = gso_hdr(&s, 1448);
	tx_offload(0, 0, &h, f, len);
	offer(1, 0);
	for (k = 0; k < 3; k++)
		check_seg_tag(&s, buf, peer_recv(buf, sizeof(buf)), k, 1448,
			      k < 2 ? 1448 : 3000 - 2 * 1448, 10);

	cr_assert_eq(sw_vlan_create(sw, 100), 0);
	cr_assert_eq(sw_vlan_add_port(sw, 100, VPORT), 0);
	cr_assert_eq(sw_port_set_vlan(sw, PPORT, 100), 0);
	s.tagged = 1;			/* build() tags it VLAN 100 */
	s.v6 = 1;
	len = build(f, &s);
	h = gso_hdr(&s, 1000);
	tx_offload(1, 1, &h, f, len);
	offer(1, 1);
	for (k = 0; k < 3; k++)
		check_seg(&s, buf, peer_recv(buf, sizeof(buf)), k, 1000, 1000);
	cr_assert_eq(peer_recv(buf, sizeof(buf)), -1);
}

/* ---- the benchmark's front end (bench/vhufe.c) against the switch ---- */

#define FE_OUT 600	/* frames from the front end: over two rings' worth */
#define FE_IN 300	/* frames to it */
#define FE_LEN 64

struct fe_run {
	int rc;			/* 0, or -errno of the step that failed */
	unsigned sent, got, bad;
	uint64_t kicks, sleeps;
	int done;
};

static void fe_frame(uint8_t *f, uint32_t seq)
{
	mkframe_at(f, FE_LEN, 0x33);
	memcpy(f + 14, &seq, sizeof(seq));
}

/* The front end, on a thread of its own: the switch's loop runs on the
 * test's. It sends FE_OUT frames (its ring of VHUFE_RING entries fills
 * when the loop lags: vhufe_send() then waits for a call), then reads
 * FE_IN frames. */
static void *fe_thread(void *arg)
{
	struct fe_run *r = arg;
	uint8_t bufs[32][FE_LEN + 64];
	struct iovec iov[32];
	struct mmsghdr msgs[32];
	struct vhufe *f;
	char why[256];
	unsigned i;
	int n;

	r->rc = vhufe_open(&f, path, 0, why, sizeof(why));
	if (r->rc)
		goto out;
	for (i = 0; i < 32; i++) {
		iov[i].iov_base = bufs[i];
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
						   .msg_iovlen = 1 };
	}
	while (r->sent < FE_OUT) {
		unsigned k = FE_OUT - r->sent < 32 ? FE_OUT - r->sent : 32;

		for (i = 0; i < k; i++) {
			fe_frame(bufs[i], r->sent + i);
			iov[i].iov_len = FE_LEN;
		}
		n = vhufe_send(f, msgs, k);
		if (n <= 0) {
			r->rc = -errno;
			goto close;
		}
		r->sent += (unsigned)n;
	}
	while (r->got < FE_IN) {
		for (i = 0; i < 32; i++)
			iov[i].iov_len = sizeof(bufs[i]);
		n = vhufe_recv(f, msgs, 32, 5000);
		if (n < 0) {
			r->rc = -errno;
			break;
		}
		for (i = 0; i < (unsigned)n; i++) {
			uint32_t seq;

			memcpy(&seq, bufs[i] + 14, sizeof(seq));
			if (msgs[i].msg_len != FE_LEN || seq != r->got ||
			    bufs[i][FE_LEN - 1] != 0x33)
				r->bad++;
			r->got++;
		}
	}
	vhufe_counts(f, &r->kicks, &r->sleeps);
close:
	vhufe_close(f);
out:
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

Test(vhu, bench_front_end)
{
	struct fe_run r = { 0 };
	unsigned seen = 0, fed = 0, i;
	uint8_t buf[2048];
	pthread_t th;
	ssize_t len;

	cr_assert_eq(pthread_create(&th, NULL, fe_thread, &r), 0);
	for (i = 0; i < 100000 && !__atomic_load_n(&r.done, __ATOMIC_ACQUIRE);
	     i++) {
		loop_run_once(loop, 1);
		while ((len = peer_recv(buf, sizeof(buf))) > 0) {
			uint32_t seq;

			memcpy(&seq, buf + 14, sizeof(seq));
			cr_assert_eq(len, FE_LEN);
			cr_assert_eq(seq, seen, "frame %u came as %u", seen,
				     seq);
			seen++;
		}
		/* then frames to the front end, a few at a time so the
		 * socketpair never fills */
		while (seen == FE_OUT && fed < FE_IN && fed < r.got + 64) {
			fe_frame(buf, fed);
			cr_assert_eq(send(peer, buf, FE_LEN, 0), FE_LEN);
			fed++;
		}
	}
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(r.rc, 0, "front end: %s", strerror(-r.rc));
	cr_assert_eq(seen, FE_OUT);
	cr_assert_eq(r.got, FE_IN);
	cr_assert_eq(r.bad, 0);
	/* batched: far fewer kicks than frames */
	cr_assert_lt(r.kicks, (FE_OUT + FE_IN) / 4, "%llu kicks",
		     (unsigned long long)r.kicks);
	cr_assert_eq(port_lookup(sw, VPORT)->c.in_pkts, FE_OUT);
}

/* A client asking for any port does not get the port a vhost-user
 * listener keeps for its QEMU (port 1 here, no front end yet). */
Test(vhu, listener_port_not_given_to_others)
{
	struct port *p;
	char why[128];

	cr_assert_eq(port_lookup(sw, VPORT) ? port_lookup(sw, VPORT)->neps : 0,
		     0);
	cr_assert_eq(port_select(sw, VDE_REQ_NEW_CONTROL, 0, 0, &p, why,
				 sizeof(why)), 0, "%s", why);
	cr_assert_neq(p->num, VPORT);
	cr_assert_neq(p->num, PPORT);
}

/* ---- virtq.c alone: two regions, the short cuts of virtq_pop() ---- */

#define XQN 8
#define XREG 4096		/* bytes per region */
#define XGPA0 0x10000ULL	/* region 0; region 1 follows it at once */

/* A ring in local memory and a two-region table over two buffers that
 * are not next to each other here, though their guest addresses are. */
struct xring {
	struct vring_desc desc[XQN] __attribute__((aligned(16)));
	uint16_t avail[2 + XQN + 1] __attribute__((aligned(4)));
	uint32_t used[1 + 2 * XQN + 1] __attribute__((aligned(8)));
	uint8_t r0[XREG], gap[64], r1[XREG];
	struct vu_mem m;
	struct virtq vq;
};

static void xring_init(struct xring *x)
{
	memset(x, 0, sizeof(*x));
	x->m.n = 2;
	x->m.r[0] = (struct vu_region){ .gpa = XGPA0, .size = XREG,
					.map = x->r0, .map_len = XREG };
	x->m.r[1] = (struct vu_region){ .gpa = XGPA0 + XREG, .size = XREG,
					.map = x->r1, .map_len = XREG };
	x->vq.num = XQN;
	x->vq.desc = x->desc;
	x->vq.avail = (struct vring_avail *)(void *)x->avail;
	x->vq.used = (struct vring_used *)(void *)x->used;
}

/* Descriptor @i: one buffer, device-readable; offered at once. */
static void xring_offer(struct xring *x, uint16_t i, uint64_t gpa,
			uint32_t len)
{
	struct vring_avail *a = x->vq.avail;

	x->desc[i] = (struct vring_desc){ .addr = gpa, .len = len };
	a->ring[a->idx % XQN] = i;
	__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
}

Test(virtq, one_descriptor_in_either_region_or_across)
{
	static struct xring x;
	static struct virtq_elem e;

	xring_init(&x);
	xring_offer(&x, 0, XGPA0 + XREG + 100, 60);	/* in region 1 */
	xring_offer(&x, 1, XGPA0 + 8, 60);		/* in region 0 */
	xring_offer(&x, 2, XGPA0 + XREG - 20, 60);	/* across both */
	xring_offer(&x, 3, XGPA0 + 2 * XREG - 10, 60);	/* past the end */

	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.nout, 1);
	cr_assert_eq(e.iov[0].iov_base, x.r1 + 100);
	cr_assert_eq(e.iov[0].iov_len, 60);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.nout, 1);
	cr_assert_eq(e.iov[0].iov_base, x.r0 + 8);
	/* split where the regions meet, into one iovec each */
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.nout, 2);
	cr_assert_eq(e.out_len, 60);
	cr_assert_eq(e.iov[0].iov_base, x.r0 + XREG - 20);
	cr_assert_eq(e.iov[0].iov_len, 20);
	cr_assert_eq(e.iov[1].iov_base, x.r1);
	cr_assert_eq(e.iov[1].iov_len, 40);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), -EFAULT);
	cr_assert_eq(e.head, 3);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 0);
}

Test(virtq, available_index_read_again_when_used_up)
{
	static struct xring x;
	static struct virtq_elem e;

	xring_init(&x);
	xring_offer(&x, 0, XGPA0, 60);
	xring_offer(&x, 1, XGPA0 + 64, 60);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	xring_offer(&x, 2, XGPA0 + 128, 60);	/* while the switch works */
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.head, 1);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.head, 2);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 0);
	/* given back and taken again from what was read */
	virtq_unpop(&x.vq, 2);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(e.head, 1);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 1);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 0);
	/* a new base: nothing is taken without reading the index again */
	virtq_set_base(&x.vq, 1);
	__atomic_store_n(&x.vq.avail->idx, 1, __ATOMIC_RELEASE);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), 0);
	/* an index that jumps by more than the ring breaks it */
	__atomic_store_n(&x.vq.avail->idx, 1 + XQN + 1, __ATOMIC_RELEASE);
	cr_assert_eq(virtq_pop(&x.vq, &x.m, &e), -EPROTO);
}
