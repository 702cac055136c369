/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_fwd.c - the forwarding engine (switch/fwd.c with port.c, vlan.c,
 * mactable.c, sw.c): random frames through a switch whose VLAN, trunk and
 * hub configuration comes from the input, with fake endpoints (fakesw.c)
 * recording every copy, checked against a model of the rules kept here.
 *
 * Input:
 *   byte 0	bit 0: hub; bits 1..3: ports (2..9)
 *   2 bytes per port
 *	a: bits 0-1 untagged VLAN (0..3); bit 2 trunk; bits 3-5 tagged in
 *	   VLANs 1, 2, 3; bit 6 padding (VDE) endpoint; bit 7 a second
 *	   endpoint on the port
 *	b: bits 0-1 send mode (0, 1 take; 2 refuse; 3 no room until
 *	   drained); bit 2 virtio-net header endpoint
 *   then frames: [src port, length (2 bytes, mod 9301)] and the bytes
 *   (taken from the input, the rest of a long frame filled in); bit 7 of
 *   the port byte reads the frame through the lent receive buffers
 *   (fwd_rx_input(), as recvmmsg), else fwd_input_iov().
 *
 * Invariants, after each frame: the input counters (in, drop_short,
 * drop_long, drop_vlan) say what happened to it; each port gets exactly
 * the copies the model says (ASIS, tag inserted, tag stripped: the exact
 * bytes, padded to 60 on padding endpoints, never over 9234, tagged only
 * where the configuration says, after an all-zero virtio-net header on
 * vnet endpoints), or counts it dropped (drop_tagged_long, drop_send);
 * out_pkts and out_bytes add up to what the endpoints took; nothing goes
 * back to the source port. One switch serves every input; the ports an
 * input made are removed after it.
 */
#include <string.h>

#include "fakesw.h"
#include "fuzz.h"
#include "fwd.h"
#include "port.h"
#include "sw.h"
#include "vdewire.h"
#include "vlan.h"
#include "vnethdr.h"

#define MAXPORTS 9
#define MAXFRAMES 200
#define FRAME_LIMIT 9300

enum act { A_NONE, A_ASIS, A_INSERT, A_STRIP };

struct mport {
	unsigned untagged;	/* 0..3 */
	bool trunk;
	bool tagged[4];		/* VLANs 1..3 */
	struct fake_ep *eps[2];
	unsigned neps;
};

struct model {
	struct sw *sw;
	bool hub;
	unsigned nports;
	struct mport p[MAXPORTS + 1];
	/* learned (MAC, VLAN) -> port: the first port keeps it (the engine
	 * never moves an entry within its minimum persistence) */
	struct {
		uint8_t mac[6];
		unsigned vid, port;
	} fdb[MAXFRAMES];
	unsigned nfdb;
	/* the frame in flight and what each endpoint must get */
	const uint8_t *f;
	size_t len;
	unsigned vid;
	uint16_t tci;
	enum act want[MAXPORTS + 1];
	unsigned got[MAXPORTS + 1][2];
};

static struct model M;
static uint8_t frame[FRAME_LIMIT + 1];
static const uint8_t zeros[VNET_HDR_LEN];

static void rx(struct fake_ep *fe, const uint8_t *out, size_t len, void *arg)
{
	struct model *m = arg;
	unsigned port = fe->tag >> 1, k = fe->tag & 1;
	bool pad = fe->ep.ops->pad, vnet = fe->ep.ops->vnet;
	enum act a = m->want[port];
	size_t exp, body;

	FUZZ_CHECK(a != A_NONE, "port %u got a copy it should not (%zu "
		   "bytes)", port, len);
	FUZZ_CHECK(m->got[port][k] == 0, "port %u endpoint %u: a second copy",
		   port, k);
	m->got[port][k]++;
	if (vnet) {
		FUZZ_CHECK(len >= VNET_HDR_LEN &&
			   !memcmp(out, zeros, VNET_HDR_LEN),
			   "port %u: virtio-net header not all zeros", port);
		out += VNET_HDR_LEN;
		len -= VNET_HDR_LEN;
	}
	body = m->len + (a == A_INSERT ? 4 : 0) - (a == A_STRIP ? 4 : 0);
	exp = pad && body < VDE_FRAME_PAD ? VDE_FRAME_PAD : body;
	FUZZ_CHECK(len == exp, "port %u: %zu bytes, want %zu (act %d, in %zu)",
		   port, len, exp, (int)a, m->len);
	FUZZ_CHECK(len <= VDE_FRAME_MAX, "port %u: %zu bytes", port, len);
	FUZZ_CHECK(!pad || len >= VDE_FRAME_PAD, "port %u: %zu bytes unpadded",
		   port, len);
	FUZZ_CHECK(!memcmp(out, m->f, 12), "port %u: addresses changed", port);
	switch (a) {
	case A_ASIS:
		FUZZ_CHECK(!memcmp(out, m->f, m->len), "port %u: bytes changed",
			   port);
		break;
	case A_INSERT:
		FUZZ_CHECK(out[12] == 0x81 && out[13] == 0 &&
			   (out[14] << 8 | out[15]) == (int)m->vid,
			   "port %u: tag %02x%02x %02x%02x, want VLAN %u", port,
			   out[12], out[13], out[14], out[15], m->vid);
		FUZZ_CHECK(!memcmp(out + 16, m->f + 12, m->len - 12),
			   "port %u: bytes after the tag changed", port);
		break;
	case A_STRIP:
		FUZZ_CHECK(!memcmp(out + 12, m->f + 16, m->len - 16),
			   "port %u: bytes after the stripped tag", port);
		break;
	default:
		break;
	}
	for (; body < len; body++)
		FUZZ_CHECK(out[body] == 0, "port %u: padding byte %zu not 0",
			   port, body);
}

static enum act egress(const struct mport *p, unsigned vid, bool tagged)
{
	if (p->untagged == vid)
		return tagged ? A_STRIP : A_ASIS;
	if (p->trunk || (vid >= 1 && vid <= 3 && p->tagged[vid]))
		return tagged ? A_ASIS : A_INSERT;
	return A_NONE;
}

static int fdb_find(const struct model *m, const uint8_t *mac, unsigned vid)
{
	unsigned i;

	for (i = 0; i < m->nfdb; i++)
		if (m->fdb[i].vid == vid && !memcmp(m->fdb[i].mac, mac, 6))
			return (int)m->fdb[i].port;
	return -1;
}

static bool setup(struct model *m, const uint8_t **data, size_t *size)
{
	const uint8_t *d = *data;
	struct sw_config cfg;
	unsigned i, v, k;

	if (*size < 1)
		return false;
	memset(m, 0, sizeof(*m));
	m->hub = d[0] & 1;
	m->nports = 2 + ((d[0] >> 1) & 7);
	if (*size < 1 + 2 * m->nports)
		return false;
	/* one switch for every input: each input's ports are cleared after
	 * it (fake_ports_clear()) */
	sw_config_defaults(&cfg);
	cfg.nports = MAXPORTS;
	cfg.hashsize = 16;
	/* small rings: a queue holds one frame here, and smaller allocations
	 * make more executions a second */
	cfg.queue_frames = 8;
	cfg.queue_bytes = 2 * VDE_FRAME_MAX + 256;
	m->sw = fake_fwd_switch(&cfg, 3);
	FUZZ_CHECK(sw_set_hub(m->sw, m->hub) == 0, "hub");
	for (i = 1; i <= m->nports; i++) {
		uint8_t a = d[2 * i - 1], b = d[2 * i];
		struct mport *p = &m->p[i];

		FUZZ_CHECK(sw_port_create(m->sw, i) == 0, "port/create %u", i);
		if (sw_port_set_vlan(m->sw, i, a & 3) == 0)
			p->untagged = a & 3;
		if ((a & 4) && sw_port_set_trunk(m->sw, i, true) == 0)
			p->trunk = true;
		for (v = 1; v <= 3; v++)
			if ((a >> (2 + v) & 1) &&
			    sw_vlan_add_port(m->sw, v, i) == 0)
				p->tagged[v] = true;
		p->neps = (a & 0x80) ? 2 : 1;
		for (k = 0; k < p->neps; k++) {
			unsigned fl = ((a & 0x40) ? FAKE_PAD : 0) |
				      ((b & 4) ? FAKE_VNET : 0);
			struct fake_ep *fe = fake_ep_attach(m->sw, i, fl, rx,
							     m);

			FUZZ_CHECK(fe, "attach on port %u", i);
			fe->tag = i << 1 | k;
			fe->mode = (b & 3) == 2 ? FAKE_FAIL
				 : (b & 3) == 3 ? FAKE_FULL : FAKE_TAKE;
			p->eps[k] = fe;
		}
	}
	*data += 1 + 2 * m->nports;
	*size -= 1 + 2 * m->nports;
	return true;
}

static struct port_counters counters(const struct model *m, unsigned i)
{
	return sw_port(m->sw, i)->c;
}

static void one_frame(struct model *m, unsigned src, bool via_rx,
		      size_t len)
{
	struct port_counters before[MAXPORTS + 1], after;
	struct mport *sp = &m->p[src];
	bool tagged = false, drop_vlan = false, in_ok;
	unsigned i, k;
	size_t eff = len > FWD_RXBUF ? FWD_RXBUF : len;

	for (i = 1; i <= m->nports; i++)
		before[i] = counters(m, i);
	memset(m->want, 0, sizeof(m->want));
	memset(m->got, 0, sizeof(m->got));
	m->f = frame;
	m->len = eff;
	in_ok = eff >= VDE_FRAME_MIN && eff <= VDE_FRAME_MAX;

	if (in_ok && m->hub) {
		for (i = 1; i <= m->nports; i++)
			if (i != src)
				m->want[i] = A_ASIS;
	} else if (in_ok) {
		int dst;

		if (frame[12] == 0x81 && frame[13] == 0x00) {
			unsigned v = (frame[14] << 8 | frame[15]) & 0xfff;

			tagged = true;
			m->vid = v;
			if (eff < 18 || v > VLAN_MAX ||
			    (sp->untagged != v && !sp->trunk &&
			     !(v >= 1 && v <= 3 && sp->tagged[v])))
				drop_vlan = true;
		} else {
			m->vid = sp->untagged;
		}
		if (!drop_vlan) {
			if (!(frame[6] & 1) && m->nfdb < MAXFRAMES &&
			    fdb_find(m, frame + 6, m->vid) < 0) {
				memcpy(m->fdb[m->nfdb].mac, frame + 6, 6);
				m->fdb[m->nfdb].vid = m->vid;
				m->fdb[m->nfdb++].port = src;
			}
			dst = (frame[0] & 1) ? -1 : fdb_find(m, frame, m->vid);
			for (i = 1; i <= m->nports; i++) {
				if (i == src || (dst >= 0 && (int)i != dst))
					continue;
				m->want[i] = egress(&m->p[i], m->vid, tagged);
			}
		}
	}

	if (via_rx) {
		struct fwd_rx *r = fwd_rx_get(m->sw);

		memcpy(r->iov[0].iov_base, frame, eff);
		r->msgs[0].msg_len = (unsigned)eff;
		fwd_rx_input(&sp->eps[0]->ep, 1);
	} else {
		struct iovec iov = { frame, len };

		fwd_input_iov(&sp->eps[0]->ep, &iov, 1);
	}
	/* the endpoints without room get it now */
	for (i = 1; i <= m->nports; i++)
		for (k = 0; k < m->p[i].neps; k++) {
			struct fake_ep *fe = m->p[i].eps[k];

			if (fe->mode == FAKE_FULL) {
				fake_ep_drain(fe);
				fe->mode = FAKE_FULL;
			}
		}

	for (i = 1; i <= m->nports; i++) {
		const struct port_counters *b = &before[i];
		struct mport *p = &m->p[i];
		unsigned long copies = 0, fails = 0, tl;
		size_t body;

		after = counters(m, i);
		if (i == src) {
			FUZZ_CHECK(after.in_pkts - b->in_pkts == in_ok &&
				   after.in_bytes - b->in_bytes ==
					   (in_ok ? eff : 0),
				   "port %u: in counters", i);
			FUZZ_CHECK(after.drop_short - b->drop_short ==
					   (eff < VDE_FRAME_MIN) &&
				   after.drop_long - b->drop_long ==
					   (eff > VDE_FRAME_MAX),
				   "port %u: size drops (%zu bytes)", i, eff);
			FUZZ_CHECK(after.drop_vlan - b->drop_vlan == drop_vlan,
				   "port %u: drop_vlan %llu, model %d", i,
				   (unsigned long long)(after.drop_vlan -
							b->drop_vlan),
				   drop_vlan);
			FUZZ_CHECK(m->want[i] == A_NONE, "model sends back");
		} else {
			FUZZ_CHECK(after.in_pkts == b->in_pkts &&
				   after.drop_vlan == b->drop_vlan,
				   "port %u: input counted, not the source", i);
		}
		body = m->len + (m->want[i] == A_INSERT ? 4 : 0) -
		       (m->want[i] == A_STRIP ? 4 : 0);
		tl = after.drop_tagged_long - b->drop_tagged_long;
		if (m->want[i] != A_NONE && body > VDE_FRAME_MAX) {
			FUZZ_CHECK(tl == 1, "port %u: %zu-byte copy not "
				   "counted too long", i, body);
			m->want[i] = A_NONE;
		} else {
			FUZZ_CHECK(tl == 0, "port %u: drop_tagged_long", i);
		}
		for (k = 0; k < p->neps; k++) {
			if (p->eps[k]->mode == FAKE_FAIL)
				fails += m->want[i] != A_NONE;
			else
				copies += m->got[i][k];
			if (m->want[i] != A_NONE &&
			    p->eps[k]->mode != FAKE_FAIL)
				FUZZ_CHECK(m->got[i][k] == 1, "port %u "
					   "endpoint %u: no copy (act %d)", i,
					   k, (int)m->want[i]);
		}
		FUZZ_CHECK(after.out_pkts - b->out_pkts == copies,
			   "port %u: out_pkts +%llu, %lu taken", i,
			   (unsigned long long)(after.out_pkts - b->out_pkts),
			   copies);
		if (copies) {
			size_t per = p->eps[0]->ep.ops->pad &&
						     body < VDE_FRAME_PAD
					     ? VDE_FRAME_PAD : body;

			FUZZ_CHECK(after.out_bytes - b->out_bytes ==
					   copies * per,
				   "port %u: out_bytes", i);
		}
		FUZZ_CHECK(after.drop_send - b->drop_send == fails,
			   "port %u: drop_send +%llu, want %lu", i,
			   (unsigned long long)(after.drop_send - b->drop_send),
			   fails);
		FUZZ_CHECK(after.drop_queue == b->drop_queue &&
			   after.drop_reentry == b->drop_reentry,
			   "port %u: queue or re-entry drops", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0;

	if (!setup(&M, &data, &size))
		return 0;
	while (size >= 3 && n++ < MAXFRAMES) {
		unsigned src = 1 + (data[0] & 0x7f) % M.nports;
		bool via_rx = data[0] & 0x80;
		size_t len = (size_t)(data[1] << 8 | data[2]) % (FRAME_LIMIT + 1);
		size_t have = size - 3 < len ? size - 3 : len, i;

		memcpy(frame, data + 3, have);
		for (i = have; i < len; i++)
			frame[i] = (uint8_t)(i * 7);
		data += 3 + have;
		size -= 3 + have;
		one_frame(&M, src, via_rx, len);
	}
	fake_ports_clear(M.sw, M.nports);
	return 0;
}
