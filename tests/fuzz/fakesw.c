/* SPDX-License-Identifier: GPL-2.0-or-later
 * fakesw.c - a backend that keeps nothing but a callback: each frame the
 * core sends is gathered into one buffer and handed to the harness. Like
 * tests/unit/pairbackend.c, nothing in the core knows it exists; unlike it
 * there is no fd, so a harness runs thousands of switches a second.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasock.h"
#include "fakesw.h"
#include "fuzz.h"
#include "fwd.h"
#include "log.h"
#include "mgmt.h"
#include "sw.h"
#include "swcmd.h"
#include "vnethdr.h"

/* the longest frame the core may hand a backend: a GSO frame, a tag, a
 * virtio-net header */
#define FAKE_BUF (VNET_HDR_LEN + FWD_RXBUF_GSO + 4 + 64)

static uint8_t fake_buf[FAKE_BUF];

static int fake_send(struct endpoint *ep, struct mmsghdr *msgs, unsigned n)
{
	struct fake_ep *fe = container_of(ep, struct fake_ep, ep);
	unsigned i;

	FUZZ_CHECK(n > 0, "send of 0 frames");
	if (fe->mode == FAKE_FULL)
		return -EAGAIN;
	if (fe->mode == FAKE_FAIL)
		return -EIO;
	for (i = 0; i < n; i++) {
		const struct msghdr *h = &msgs[i].msg_hdr;
		size_t len = 0, k;

		for (k = 0; k < h->msg_iovlen; k++) {
			const struct iovec *v = &h->msg_iov[k];

			FUZZ_CHECK(len + v->iov_len <= sizeof(fake_buf),
				   "a frame over %zu bytes", sizeof(fake_buf));
			if (v->iov_len)
				memcpy(fake_buf + len, v->iov_base,
				       v->iov_len);
			len += v->iov_len;
		}
		fe->taken++;
		if (fe->rx)
			fe->rx(fe, fake_buf, len, fe->arg);
	}
	return (int)n;
}

static int fake_want_write(struct endpoint *ep, bool on)
{
	container_of(ep, struct fake_ep, ep)->watching = on;
	return 0;
}

static void fake_free(struct loop_deferred *d)
{
	free(container_of(d, struct fake_ep, dfr));
}

static void fake_close(struct endpoint *ep)
{
	struct fake_ep *fe = container_of(ep, struct fake_ep, ep);

	loop_defer(fe->loop, &fe->dfr, fake_free);
}

static const struct endpoint_ops fake_ops[4] = {
	{ .kind = "fake", .send = fake_send, .want_write = fake_want_write,
	  .close = fake_close },
	{ .kind = "fake", .pad = true, .send = fake_send,
	  .want_write = fake_want_write, .close = fake_close },
	{ .kind = "fake", .vnet = true, .send = fake_send,
	  .want_write = fake_want_write, .close = fake_close },
	{ .kind = "fake", .pad = true, .vnet = true, .send = fake_send,
	  .want_write = fake_want_write, .close = fake_close },
};

/**
 * fake_ep_attach() - a new endpoint on port @port
 * @sw:		the switch
 * @port:	port number
 * @flags:	FAKE_PAD, FAKE_VNET
 * @rx:		called with each frame taken, or NULL
 * @arg:	for @rx
 *
 * Return: the endpoint (the switch closes and frees it), or NULL
 */
struct fake_ep *fake_ep_attach(struct sw *sw, unsigned port, unsigned flags,
			       fake_rx_fn rx, void *arg)
{
	struct fake_ep *fe = calloc(1, sizeof(*fe));
	struct port *p;

	if (!fe)
		return NULL;
	fe->loop = sw_loop(sw);
	fe->rx = rx;
	fe->arg = arg;
	fe->ep.ops = &fake_ops[flags & 3];
	fe->ep.user = 0;
	snprintf(fe->ep.descr, sizeof(fe->ep.descr), "fake endpoint");
	p = port_get(sw, port);
	if (!p || port_attach(sw, p, &fe->ep)) {
		free(fe);
		return NULL;
	}
	return fe;
}

/**
 * fake_ep_drain() - the endpoint has room again: take what the core queued
 * @fe:		the endpoint (its mode becomes FAKE_TAKE)
 */
void fake_ep_drain(struct fake_ep *fe)
{
	fe->mode = FAKE_TAKE;
	if (fe->watching)
		fwd_drain(&fe->ep);
}

static char fake_tmp[64];
static char fake_dir[96];

static void fake_tmp_remove(void)
{
	rmdir(fake_dir);
	rmdir(fake_tmp);
}

/**
 * fake_switch_create() - a switch with its console and control socket
 * @fs:		filled in
 */
void fake_switch_create(struct fake_switch *fs)
{
	struct mgmt_config mc = { 0 };
	struct datasock_config dc = {
		.mode = 0600, .dirmode = 0700, .group = PORT_GID_NONE,
		.mgmtmode = 0600, .mgmtgroup = PORT_GID_NONE,
	};
	static struct swcmd cmds;
	struct sw_config cfg;
	char err[512];

	if (!fake_tmp[0]) {
		snprintf(fake_tmp, sizeof(fake_tmp), "/tmp/patchbay-fuzz-XXXXXX");
		FUZZ_CHECK(mkdtemp(fake_tmp), "mkdtemp: %s", strerror(errno));
		snprintf(fake_dir, sizeof(fake_dir), "%s/sw", fake_tmp);
		atexit(fake_tmp_remove);
		log_init("fuzz", 0);
		log_set_quiet(true);	/* not a line per input */
	}
	dc.dir = fake_dir;
	sw_config_defaults(&cfg);
	cfg.nports = 8;
	cfg.hashsize = 16;
	fs->loop = loop_create();
	FUZZ_CHECK(fs->loop, "loop_create");
	fs->sw = sw_create(&cfg, fs->loop);
	FUZZ_CHECK(fs->sw, "sw_create");
	fs->ds = datasock_create(fs->sw, &dc, err, sizeof(err));
	FUZZ_CHECK(fs->ds, "datasock_create: %s", err);
	fs->m = mgmt_create(fs->loop, &mc);
	FUZZ_CHECK(fs->m, "mgmt_create");
	fs->cmds = &cmds;
	FUZZ_CHECK(swcmd_register(fs->cmds, fs->m, fs->sw, fs->ds) == 0,
		   "swcmd_register");
	FUZZ_CHECK(fake_ep_attach(fs->sw, 1, FAKE_PAD, NULL, NULL) &&
			   fake_ep_attach(fs->sw, 1, 0, NULL, NULL) &&
			   fake_ep_attach(fs->sw, 2, FAKE_PAD, NULL, NULL) &&
			   fake_ep_attach(fs->sw, 5, FAKE_VNET, NULL, NULL),
		   "fake endpoints");
}

/**
 * fake_switch_destroy() - all of it, in the daemon's order
 * @fs:		made by fake_switch_create()
 */
void fake_switch_destroy(struct fake_switch *fs)
{
	swcmd_unregister(fs->cmds);
	mgmt_destroy(fs->m);
	sw_destroy(fs->sw);	/* the control socket too */
	loop_run_deferred(fs->loop);
	loop_destroy(fs->loop);
}

static struct fake_switch shared;
static unsigned shared_runs;

static void shared_destroy(void)
{
	if (shared.sw)
		fake_switch_destroy(&shared);
	shared.sw = NULL;
}

/**
 * fake_switch_shared() - the switch this input runs on (see fakesw.h)
 *
 * Return: the shared switch, made afresh every FAKE_SHARED_RUNS calls
 */
struct fake_switch *fake_switch_shared(void)
{
	if (shared.sw && shared_runs++ < FAKE_SHARED_RUNS)
		return &shared;
	if (shared.sw)
		fake_switch_destroy(&shared);
	else
		atexit(shared_destroy);
	fake_switch_create(&shared);
	shared_runs = 1;
	return &shared;
}

static struct sw *fwd_sw;

static void fwd_sw_destroy(void)
{
	struct loop *loop = sw_loop(fwd_sw);

	sw_destroy(fwd_sw);
	loop_run_deferred(loop);
	loop_destroy(loop);
}

/**
 * fake_fwd_switch() - the switch of a forwarding harness (see fakesw.h)
 * @cfg:	its configuration, used at the first call
 * @nvlans:	VLANs 1..@nvlans are made with it
 *
 * Return: the switch
 */
struct sw *fake_fwd_switch(const struct sw_config *cfg, unsigned nvlans)
{
	struct loop *loop;
	unsigned v;

	if (fwd_sw)
		return fwd_sw;
	log_init("fuzz", 0);
	log_set_quiet(true);	/* not a line per input */
	loop = loop_create();
	FUZZ_CHECK(loop, "loop_create");
	fwd_sw = sw_create(cfg, loop);
	FUZZ_CHECK(fwd_sw, "sw_create");
	for (v = 1; v <= nvlans; v++)
		FUZZ_CHECK(sw_vlan_create(fwd_sw, v) == 0, "vlan/create %u",
			   v);
	atexit(fwd_sw_destroy);
	return fwd_sw;
}

/**
 * fake_ports_clear() - ports 1..@nports as a new switch has them: none
 * @sw:		the switch
 * @nports:	the highest port an input used
 */
void fake_ports_clear(struct sw *sw, unsigned nports)
{
	unsigned i;

	for (i = 1; i <= nports; i++) {
		const struct port *p = sw_port(sw, i);

		if (!p)
			continue;
		while (p->eps)
			endpoint_close_now(p->eps);
		FUZZ_CHECK(sw_port_remove(sw, i) == 0, "port/remove %u", i);
	}
	loop_run_deferred(sw_loop(sw));
}
