/* SPDX-License-Identifier: GPL-2.0-or-later
 * stp.c - rapid spanning tree: the state machines of IEEE 802.1D-2004
 * clause 17 for one instance covering the whole switch.
 *
 * Each machine is a function that takes at most one transition and says
 * whether it did; stp_run() steps every machine of every port (and the
 * bridge's role selection) until none moves. The standard's states that
 * leave unconditionally are folded into the transition that enters them,
 * so a port keeps only its "resting" states. Timers count whole seconds,
 * decremented by a one-second tick (the standard's Port Timers machine).
 *
 * Priority vectors are compared as the standard's five components: root
 * bridge id, root path cost, designated bridge id, designated port id,
 * receiving port id; lower is better.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpdu.h"
#include "fwd.h"
#include "log.h"
#include "loop.h"
#include "mactable.h"
#include "port.h"
#include "stp.h"
#include "swcore.h"

#define STP_MIGRATE_TIME 3
#define STP_TX_HOLD 6
#define STP_RXQ 4		/* BPDUs queued per port between runs */
#define STP_RUN_MAX 10000	/* steps of one run: a bug guard */
#define STP_MAC_MASK 0xffffffffffffULL

enum stp_role { ROLE_DISABLED, ROLE_ROOT, ROLE_DESIGNATED, ROLE_ALTERNATE,
		ROLE_BACKUP };
enum stp_info_is { INFO_DISABLED, INFO_AGED, INFO_MINE, INFO_RECEIVED };
enum stp_rcvd { RCVD_SUPERIOR, RCVD_REPEATED, RCVD_INFERIOR_DESIGNATED,
		RCVD_INFERIOR_ROOT_ALT, RCVD_OTHER };
enum pim_state { PIM_DISABLED, PIM_AGED, PIM_CURRENT };
enum prt_state { PRT_DISABLE_PORT, PRT_DISABLED_PORT, PRT_ROOT_PORT,
		 PRT_DESIGNATED_PORT, PRT_BLOCK_PORT, PRT_ALTERNATE_PORT };
enum pst_state { PST_DISCARDING, PST_LEARNING, PST_FORWARDING };
enum tcm_state { TCM_INACTIVE, TCM_LEARNING, TCM_ACTIVE };
enum ppm_state { PPM_CHECKING_RSTP, PPM_SELECTING_STP, PPM_SENSING };
enum bdm_state { BDM_EDGE, BDM_NOT_EDGE };
enum ptx_state { PTX_INIT, PTX_IDLE };

struct stp_prio {
	uint64_t root;
	uint32_t cost;
	uint64_t bridge;
	uint16_t port;
	uint16_t rxport;
};

struct stp_times {
	unsigned age, max_age, hello, fwd_delay;	/* seconds */
};

/* A port's state: the standard's per-port variables (17.19), timers
 * (17.17) and the state of each machine, plus its settings, which stay
 * while the port is inactive or spanning tree is off. */
struct stp_port {
	unsigned num;
	uint16_t id;
	/* settings */
	unsigned cost_set, bonus;
	enum stp_edge edge_cfg;
	/* machines */
	enum pim_state pim;
	enum prt_state prt;
	enum pst_state pst;
	enum tcm_state tcm;
	enum ppm_state ppm;
	enum bdm_state bdm;
	enum ptx_state ptx;
	/* variables */
	bool enabled;
	enum stp_info_is info_is;
	enum stp_role role, selected_role;
	struct stp_prio port_prio, msg_prio, desig_prio;
	struct stp_times port_times, msg_times, desig_times;
	struct bpdu msg;
	bool agree, agreed, disputed, forward, forwarding, learn, learning;
	bool mcheck, new_info, oper_edge, proposed, proposing;
	bool rcvd_msg, rcvd_rstp, rcvd_stp, rcvd_tc, rcvd_tcn, rcvd_tcack;
	bool re_root, reselect, selected, send_rstp, sync, synced;
	bool tc_ack, tc_prop, updt_info;
	unsigned tx_count;
	/* timers */
	unsigned edge_delay_while, fd_while, hello_when, mdelay_while;
	unsigned rb_while, rcvd_info_while, rr_while, tc_while;
	/* BPDUs received since the last run */
	struct bpdu rxq[STP_RXQ];
	unsigned rxq_n;
	uint64_t bpdu_in, bpdu_out, bpdu_bad, bpdu_lost, discarded;
};

struct stp {
	struct sw *sw;
	bool on;
	bool stopped;		/* the switch is going */
	unsigned priority;
	uint64_t bridge_id;
	struct stp_times bridge_times;
	struct stp_prio root_prio;
	struct stp_times root_times;
	struct stp_port *root_port;
	struct stp_port **ports;	/* by number, NULL until used */
	unsigned nalloc;		/* size of ports */
	uint64_t topology_changes;
	struct loop_timer tick;
	struct loop_deferred dfr;
	bool dfr_queued;
};

static void stp_kick(struct stp *st);
static void stp_port_begin(struct stp *st, struct stp_port *sp);
static void stp_tick(struct loop_timer *t);

/**
 * stp_create() - the spanning tree of a switch, off
 * @sw:		the switch
 *
 * Return: the module, or NULL
 */
struct stp *stp_create(struct sw *sw)
{
	struct stp *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->sw = sw;
	st->priority = STP_DEF_PRIORITY;
	st->bridge_times = (struct stp_times){ 0, STP_DEF_MAX_AGE,
					       STP_DEF_HELLO,
					       STP_DEF_FWD_DELAY };
	loop_timer_init(&st->tick, stp_tick);
	return st;
}

/**
 * stp_stop() - the switch is going: no more work, no more BPDUs
 * @st:		the module, or NULL
 */
void stp_stop(struct stp *st)
{
	if (!st)
		return;
	st->stopped = true;
	loop_timer_del(st->sw->loop, &st->tick);
}

/**
 * stp_destroy() - release the module (after stp_stop() and the loop's
 * deferred work)
 * @st:		the module, or NULL
 */
void stp_destroy(struct stp *st)
{
	unsigned i;

	if (!st)
		return;
	loop_timer_del(st->sw->loop, &st->tick);
	for (i = 0; i < st->nalloc; i++)
		free(st->ports[i]);
	free(st->ports);
	free(st);
}

static struct stp_port *stp_port_get(struct stp *st, unsigned num)
{
	struct stp_port *sp;

	if (num >= st->nalloc) {
		unsigned n = num + 1 > 2 * st->nalloc ? num + 1
						      : 2 * st->nalloc;
		struct stp_port **np = calloc(n, sizeof(*np));

		if (!np)
			return NULL;
		if (st->ports)
			memcpy(np, st->ports, st->nalloc * sizeof(*np));
		free(st->ports);
		st->ports = np;
		st->nalloc = n;
	}
	sp = st->ports[num];
	if (sp)
		return sp;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->num = num;
	sp->id = (uint16_t)(0x8000 | (num & 0x0fff));
	sp->edge_cfg = STP_EDGE_AUTO;
	st->ports[num] = sp;
	if (st->on)
		stp_port_begin(st, sp);
	return sp;
}

static struct stp_port *stp_port_find(const struct stp *st, unsigned num)
{
	return num < st->nalloc ? st->ports[num] : NULL;
}

/* The ports that take part: every one used so far, up to the port count. */
#define stp_each(st, sp, i)                                                    \
	for ((i) = 0; (i) < (st)->nalloc && (i) <= (st)->sw->nports; (i)++)    \
		if (((sp) = (st)->ports[i]))

static int prio_cmp(const struct stp_prio *a, const struct stp_prio *b)
{
	if (a->root != b->root)
		return a->root < b->root ? -1 : 1;
	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->bridge != b->bridge)
		return a->bridge < b->bridge ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->rxport != b->rxport)
		return a->rxport < b->rxport ? -1 : 1;
	return 0;
}

/* Sent by the same designated port (bridge address and port number). */
static bool prio_same_designated(const struct stp_prio *a,
				 const struct stp_prio *b)
{
	return (a->bridge & STP_MAC_MASK) == (b->bridge & STP_MAC_MASK) &&
	       (a->port & 0x0fff) == (b->port & 0x0fff);
}

static bool times_eq(const struct stp_times *a, const struct stp_times *b)
{
	return a->age == b->age && a->max_age == b->max_age &&
	       a->hello == b->hello && a->fwd_delay == b->fwd_delay;
}

static unsigned stp_port_cost(const struct stp_port *sp)
{
	unsigned c = sp->cost_set ? sp->cost_set : STP_DEF_PORT_COST;

	return c > sp->bonus ? c - sp->bonus : 1;
}

/* forwardDelay (17.20.6) is FwdDelay here: a designated port that hears
 * no agreement waits the whole forward delay (or becomes an edge port). */
static unsigned fwd_delay(const struct stp_port *sp)
{
	return sp->desig_times.fwd_delay;
}

/* Set the port's flags that forwarding reads. */
static void stp_port_flags(struct stp *st, struct stp_port *sp)
{
	struct port *p = port_lookup(st->sw, sp->num);

	if (!p)
		return;
	p->stp_gate = st->on;
	p->stp_block = st->on && !sp->forwarding;
}

/* ---- transmit ---------------------------------------------------------- */

/* A BPDU's time (1/256 s) in whole seconds, rounded: 0..255. */
static unsigned secs(uint16_t t256)
{
	unsigned s = (t256 + 128u) / 256u;

	return s > 255 ? 255 : s;
}

/* Whole seconds as a BPDU carries them: a message age one more than
 * 255 s (the most a BPDU holds) is sent as the most it holds. */
static uint16_t t256(unsigned s)
{
	return s > 255 ? 0xffff : (uint16_t)(s * 256);
}

static void stp_send(struct stp *st, struct stp_port *sp, struct bpdu *b)
{
	struct port *p = port_lookup(st->sw, sp->num);
	uint8_t frame[BPDU_FRAME_MIN];
	size_t len;

	if (!p || p->active_idx < 0)
		return;
	b->root_id = sp->desig_prio.root;
	b->root_cost = sp->desig_prio.cost;
	b->bridge_id = sp->desig_prio.bridge;
	b->port_id = sp->desig_prio.port;
	b->msg_age = t256(sp->desig_times.age);
	b->max_age = t256(sp->desig_times.max_age);
	b->hello = t256(sp->desig_times.hello);
	b->fwd_delay = t256(sp->desig_times.fwd_delay);
	len = bpdu_encode(b, st->sw->cfg.mac, frame);
	if (fwd_output(st->sw, p, frame, (unsigned)len))
		sp->bpdu_lost++;
	else
		sp->bpdu_out++;
}

static void tx_rstp(struct stp *st, struct stp_port *sp)
{
	struct bpdu b = { .type = BPDU_RST };
	unsigned role = BPDU_ROLE_UNKNOWN;

	switch (sp->role) {
	case ROLE_ROOT:
		role = BPDU_ROLE_ROOT;
		break;
	case ROLE_DESIGNATED:
		role = BPDU_ROLE_DESIGNATED;
		break;
	case ROLE_ALTERNATE:
	case ROLE_BACKUP:
		role = BPDU_ROLE_ALTBACKUP;
		break;
	case ROLE_DISABLED:
		break;
	}
	b.flags = (uint8_t)(role << BPDU_F_ROLE_SHIFT);
	if (sp->tc_while)
		b.flags |= BPDU_F_TC;
	if (sp->proposing)
		b.flags |= BPDU_F_PROPOSAL;
	if (sp->learning)
		b.flags |= BPDU_F_LEARNING;
	if (sp->forwarding)
		b.flags |= BPDU_F_FORWARDING;
	if (sp->agree)
		b.flags |= BPDU_F_AGREEMENT;
	stp_send(st, sp, &b);
}

static void tx_config(struct stp *st, struct stp_port *sp)
{
	struct bpdu b = { .type = BPDU_CONFIG };

	/* information at the edge of its max age (a root's max age of 1 s,
	 * one hop away): a configuration BPDU with such a message age is
	 * invalid (9.3.4), every receiver drops it, so it is not sent */
	if (sp->desig_times.age >= sp->desig_times.max_age)
		return;
	if (sp->tc_while)
		b.flags |= BPDU_F_TC;
	if (sp->tc_ack)
		b.flags |= BPDU_F_TCA;
	stp_send(st, sp, &b);
}

static void tx_tcn(struct stp *st, struct stp_port *sp)
{
	struct bpdu b = { .type = BPDU_TCN };

	stp_send(st, sp, &b);
}

/* ---- helpers of the machines (17.21) ---------------------------------- */

static void set_sync_tree(struct stp *st)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i)
		sp->sync = true;
}

static void set_reroot_tree(struct stp *st)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i)
		sp->re_root = true;
}

static void set_tc_prop_tree(struct stp *st, struct stp_port *except)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i)
		if (sp != except)
			sp->tc_prop = true;
}

/* Every other port agrees with the current roles and is synced. */
static bool all_synced(struct stp *st, struct stp_port *self)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i) {
		if (sp == self)
			continue;
		if (!sp->selected || sp->role != sp->selected_role ||
		    sp->updt_info || !sp->synced)
			return false;
	}
	return true;
}

/* No other port is a recent root port. */
static bool re_rooted(struct stp *st, struct stp_port *self)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i)
		if (sp != self && sp->rr_while)
			return false;
	return true;
}

static void new_tc_while(struct stp_port *sp)
{
	if (sp->tc_while)
		return;
	if (sp->send_rstp) {
		sp->tc_while = 2 * sp->desig_times.hello;
		sp->new_info = true;
	} else {
		sp->tc_while = sp->desig_times.max_age +
			       sp->desig_times.fwd_delay;
	}
}

static void fdb_flush(struct stp *st, struct stp_port *sp)
{
	mactable_flush_port(st->sw->mt, sp->num);
}

/* rcvInfo() (17.21.8) */
static enum stp_rcvd rcv_info(struct stp_port *sp)
{
	const struct bpdu *m = &sp->msg;
	unsigned role;
	int c;

	sp->msg_prio = (struct stp_prio){ m->root_id, m->root_cost,
					  m->bridge_id, m->port_id, sp->id };
	sp->msg_times = (struct stp_times){ secs(m->msg_age),
					    secs(m->max_age), secs(m->hello),
					    secs(m->fwd_delay) };
	if (!sp->msg_times.hello)
		sp->msg_times.hello = 1;
	role = m->type == BPDU_RST
		       ? (m->flags & BPDU_F_ROLE_MASK) >> BPDU_F_ROLE_SHIFT
		       : BPDU_ROLE_DESIGNATED;
	if (role == BPDU_ROLE_DESIGNATED) {
		c = prio_cmp(&sp->msg_prio, &sp->port_prio);
		if (c < 0 ||
		    (c > 0 && prio_same_designated(&sp->msg_prio,
						   &sp->port_prio)) ||
		    (!c && !times_eq(&sp->msg_times, &sp->port_times)))
			return RCVD_SUPERIOR;
		if (!c)
			return RCVD_REPEATED;
		return RCVD_INFERIOR_DESIGNATED;
	}
	if ((role == BPDU_ROLE_ROOT || role == BPDU_ROLE_ALTBACKUP) &&
	    prio_cmp(&sp->msg_prio, &sp->desig_prio) >= 0)
		return RCVD_INFERIOR_ROOT_ALT;
	return RCVD_OTHER;
}

static void record_proposal(struct stp_port *sp)
{
	const struct bpdu *m = &sp->msg;

	if (m->type == BPDU_RST &&
	    (m->flags & BPDU_F_ROLE_MASK) >> BPDU_F_ROLE_SHIFT ==
		    BPDU_ROLE_DESIGNATED &&
	    (m->flags & BPDU_F_PROPOSAL))
		sp->proposed = true;
}

/* Every port of the switch is point-to-point (one peer per cable). */
static void record_agreement(struct stp_port *sp)
{
	const struct bpdu *m = &sp->msg;

	if (m->type == BPDU_RST && (m->flags & BPDU_F_AGREEMENT)) {
		sp->agreed = true;
		sp->proposing = false;
	} else {
		sp->agreed = false;
	}
}

static void record_dispute(struct stp_port *sp)
{
	const struct bpdu *m = &sp->msg;

	if (m->type == BPDU_RST && (m->flags & BPDU_F_LEARNING)) {
		sp->disputed = true;
		sp->agreed = false;
	}
}

static void set_tc_flags(struct stp_port *sp)
{
	const struct bpdu *m = &sp->msg;

	if (m->type == BPDU_TCN) {
		sp->rcvd_tcn = true;
		return;
	}
	if (m->flags & BPDU_F_TC)
		sp->rcvd_tc = true;
	if (m->type == BPDU_CONFIG && (m->flags & BPDU_F_TCA))
		sp->rcvd_tcack = true;
}

static void updt_rcvd_info_while(struct stp_port *sp)
{
	const struct stp_times *t = &sp->port_times;

	sp->rcvd_info_while = t->age + 1 <= t->max_age ? 3 * t->hello : 0;
}

/* ---- port information (17.27) ----------------------------------------- */

static void pim_enter_disabled(struct stp_port *sp)
{
	sp->pim = PIM_DISABLED;
	sp->rcvd_msg = false;
	sp->proposing = sp->proposed = sp->agree = sp->agreed = false;
	sp->rcvd_info_while = 0;
	sp->info_is = INFO_DISABLED;
	sp->reselect = true;
	sp->selected = false;
}

static void pim_enter_aged(struct stp_port *sp)
{
	sp->pim = PIM_AGED;
	sp->info_is = INFO_AGED;
	sp->reselect = true;
	sp->selected = false;
}

static void pim_update(struct stp_port *sp)
{
	sp->proposing = sp->proposed = false;
	sp->agreed = sp->agreed && sp->info_is == INFO_MINE &&
		     prio_cmp(&sp->desig_prio, &sp->port_prio) <= 0;
	sp->synced = sp->synced && sp->agreed;
	sp->port_prio = sp->desig_prio;
	sp->port_times = sp->desig_times;
	sp->updt_info = false;
	sp->info_is = INFO_MINE;
	sp->new_info = true;
	sp->pim = PIM_CURRENT;
}

static void pim_receive(struct stp_port *sp)
{
	bool same;

	if (sp->msg.type == BPDU_TCN) {
		set_tc_flags(sp);
		sp->rcvd_msg = false;
		return;
	}
	switch (rcv_info(sp)) {
	case RCVD_SUPERIOR:
		same = sp->info_is == INFO_RECEIVED &&
		       prio_cmp(&sp->msg_prio, &sp->port_prio) <= 0;
		sp->agreed = sp->proposing = false;
		record_proposal(sp);
		set_tc_flags(sp);
		sp->agree = sp->agree && same;
		sp->port_prio = sp->msg_prio;
		sp->port_times = sp->msg_times;
		updt_rcvd_info_while(sp);
		sp->info_is = INFO_RECEIVED;
		sp->reselect = true;
		sp->selected = false;
		break;
	case RCVD_REPEATED:
		record_proposal(sp);
		set_tc_flags(sp);
		updt_rcvd_info_while(sp);
		break;
	case RCVD_INFERIOR_DESIGNATED:
		record_dispute(sp);
		break;
	case RCVD_INFERIOR_ROOT_ALT:
		record_agreement(sp);
		set_tc_flags(sp);
		break;
	case RCVD_OTHER:
		break;
	}
	sp->rcvd_msg = false;
}

static bool pim_step(struct stp_port *sp)
{
	if (!sp->enabled && sp->info_is != INFO_DISABLED) {
		pim_enter_disabled(sp);
		return true;
	}
	switch (sp->pim) {
	case PIM_DISABLED:
		if (sp->rcvd_msg) {
			pim_enter_disabled(sp);
			return true;
		}
		if (sp->enabled) {
			pim_enter_aged(sp);
			return true;
		}
		return false;
	case PIM_AGED:
		if (sp->selected && sp->updt_info) {
			pim_update(sp);
			return true;
		}
		return false;
	case PIM_CURRENT:
		if (sp->selected && sp->updt_info) {
			pim_update(sp);
			return true;
		}
		if (sp->info_is == INFO_RECEIVED && !sp->rcvd_info_while &&
		    !sp->updt_info && !sp->rcvd_msg) {
			pim_enter_aged(sp);
			return true;
		}
		if (sp->rcvd_msg && !sp->updt_info) {
			pim_receive(sp);
			return true;
		}
		return false;
	}
	return false;
}

/* ---- port role selection (17.28) -------------------------------------- */

static void updt_roles_tree(struct stp *st)
{
	struct stp_prio best = { st->bridge_id, 0, st->bridge_id, 0, 0 };
	struct stp_port *sp, *root = NULL;
	unsigned i;

	stp_each(st, sp, i) {
		struct stp_prio cand = sp->port_prio;
		uint64_t c;

		if (sp->info_is != INFO_RECEIVED ||
		    (cand.bridge & STP_MAC_MASK) ==
			    (st->bridge_id & STP_MAC_MASK))
			continue;
		c = (uint64_t)cand.cost + stp_port_cost(sp);
		cand.cost = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
		if (prio_cmp(&cand, &best) < 0) {
			best = cand;
			root = sp;
		}
	}
	if (root != st->root_port || best.root != st->root_prio.root)
		log_info("spanning tree: root %012llx (priority %u), %s%u",
			 (unsigned long long)(best.root & STP_MAC_MASK),
			 (unsigned)(best.root >> 48),
			 root ? "root port " : "this switch", root ? root->num
								   : 0);
	st->root_prio = best;
	st->root_port = root;
	if (root) {
		st->root_times = root->port_times;
		st->root_times.age++;
	} else {
		st->root_times = st->bridge_times;
	}
	stp_each(st, sp, i) {
		sp->desig_prio = (struct stp_prio){ best.root, best.cost,
						    st->bridge_id, sp->id,
						    sp->id };
		sp->desig_times = st->root_times;
		sp->desig_times.hello = st->bridge_times.hello;
		switch (sp->info_is) {
		case INFO_DISABLED:
			sp->selected_role = ROLE_DISABLED;
			break;
		case INFO_AGED:
			sp->selected_role = ROLE_DESIGNATED;
			sp->updt_info = true;
			break;
		case INFO_MINE:
			sp->selected_role = ROLE_DESIGNATED;
			if (prio_cmp(&sp->port_prio, &sp->desig_prio) ||
			    !times_eq(&sp->port_times, &sp->desig_times))
				sp->updt_info = true;
			break;
		case INFO_RECEIVED:
			if (sp == root) {
				sp->selected_role = ROLE_ROOT;
				sp->updt_info = false;
			} else if (prio_cmp(&sp->desig_prio,
					    &sp->port_prio) >= 0) {
				sp->selected_role =
					(sp->port_prio.bridge & STP_MAC_MASK) !=
							(st->bridge_id &
							 STP_MAC_MASK)
						? ROLE_ALTERNATE
						: ROLE_BACKUP;
				sp->updt_info = false;
			} else {
				sp->selected_role = ROLE_DESIGNATED;
				sp->updt_info = true;
			}
			break;
		}
	}
}

static bool prs_step(struct stp *st)
{
	struct stp_port *sp;
	unsigned i;
	bool any = false;

	stp_each(st, sp, i)
		any |= sp->reselect;
	if (!any)
		return false;
	stp_each(st, sp, i)
		sp->reselect = false;
	updt_roles_tree(st);
	stp_each(st, sp, i)
		sp->selected = true;
	return true;
}

/* ---- port role transitions (17.29) ------------------------------------ */

static void prt_enter_root(struct stp_port *sp)
{
	sp->prt = PRT_ROOT_PORT;
	sp->role = ROLE_ROOT;
	sp->rr_while = sp->desig_times.fwd_delay;
}

static void prt_enter_designated(struct stp_port *sp)
{
	sp->prt = PRT_DESIGNATED_PORT;
	sp->role = ROLE_DESIGNATED;
}

static void prt_enter_alternate(struct stp_port *sp)
{
	sp->prt = PRT_ALTERNATE_PORT;
	sp->fd_while = fwd_delay(sp);
	sp->synced = true;
	sp->rr_while = 0;
	sp->sync = sp->re_root = false;
}

static void prt_enter_disabled(struct stp_port *sp)
{
	sp->prt = PRT_DISABLED_PORT;
	sp->fd_while = sp->desig_times.max_age;
	sp->synced = true;
	sp->rr_while = 0;
	sp->sync = sp->re_root = false;
}

static bool prt_root(struct stp *st, struct stp_port *sp)
{
	bool rapid = sp->fd_while == 0 || (re_rooted(st, sp) && !sp->rb_while);

	if (sp->proposed && !sp->agree) {
		set_sync_tree(st);
		sp->proposed = false;
	} else if ((all_synced(st, sp) && !sp->agree) ||
		   (sp->proposed && sp->agree)) {
		sp->proposed = sp->sync = false;
		sp->agree = true;
		sp->new_info = true;
	} else if (!sp->forward && !sp->re_root) {
		set_reroot_tree(st);
	} else if (rapid && sp->learn && !sp->forward) {
		sp->fd_while = 0;
		sp->forward = true;
	} else if (rapid && !sp->learn) {
		sp->fd_while = fwd_delay(sp);
		sp->learn = true;
	} else if (sp->re_root && sp->forward) {
		sp->re_root = false;
	} else if (sp->rr_while != sp->desig_times.fwd_delay) {
		/* refresh the recent root timer */
	} else {
		return false;
	}
	prt_enter_root(sp);
	return true;
}

static bool prt_designated(struct stp_port *sp)
{
	bool may = (!sp->fd_while || sp->agreed || sp->oper_edge) &&
		   (!sp->rr_while || !sp->re_root) && !sp->sync;

	if (!sp->forward && !sp->agreed && !sp->proposing &&
	    !sp->oper_edge) {
		sp->proposing = true;
		sp->edge_delay_while = STP_MIGRATE_TIME;
		sp->new_info = true;
	} else if ((!sp->learning && !sp->forwarding && !sp->synced) ||
		   (sp->agreed && !sp->synced) ||
		   (sp->oper_edge && !sp->synced) ||
		   (sp->sync && sp->synced)) {
		sp->rr_while = 0;
		sp->synced = true;
		sp->sync = false;
	} else if (!sp->rr_while && sp->re_root) {
		sp->re_root = false;
	} else if (((sp->sync && !sp->synced) ||
		    (sp->re_root && sp->rr_while) || sp->disputed) &&
		   !sp->oper_edge && (sp->learn || sp->forward)) {
		sp->learn = sp->forward = false;
		sp->disputed = false;
		sp->fd_while = fwd_delay(sp);
	} else if (may && !sp->learn) {
		sp->learn = true;
		sp->fd_while = fwd_delay(sp);
	} else if (may && sp->learn && !sp->forward) {
		sp->forward = true;
		sp->fd_while = 0;
		sp->agreed = sp->send_rstp;
	} else {
		return false;
	}
	prt_enter_designated(sp);
	return true;
}

static bool prt_alternate(struct stp *st, struct stp_port *sp)
{
	if (sp->proposed && !sp->agree) {
		set_sync_tree(st);
		sp->proposed = false;
	} else if ((all_synced(st, sp) && !sp->agree) ||
		   (sp->proposed && sp->agree)) {
		sp->proposed = false;
		sp->agree = true;
		sp->new_info = true;
	} else if (sp->role == ROLE_BACKUP &&
		   sp->rb_while != 2 * sp->desig_times.hello) {
		sp->rb_while = 2 * sp->desig_times.hello;
	} else if (sp->fd_while != fwd_delay(sp) || sp->sync || sp->re_root ||
		   !sp->synced) {
		/* back to the resting state's values */
	} else {
		return false;
	}
	prt_enter_alternate(sp);
	return true;
}

static bool prt_step(struct stp *st, struct stp_port *sp)
{
	if (!sp->selected || sp->updt_info)
		return false;
	if (sp->role != sp->selected_role) {
		switch (sp->selected_role) {
		case ROLE_DISABLED:
			sp->prt = PRT_DISABLE_PORT;
			sp->role = ROLE_DISABLED;
			sp->learn = sp->forward = false;
			break;
		case ROLE_ROOT:
			prt_enter_root(sp);
			break;
		case ROLE_DESIGNATED:
			prt_enter_designated(sp);
			break;
		case ROLE_ALTERNATE:
		case ROLE_BACKUP:
			sp->prt = PRT_BLOCK_PORT;
			sp->role = sp->selected_role;
			sp->learn = sp->forward = false;
			break;
		}
		return true;
	}
	switch (sp->prt) {
	case PRT_DISABLE_PORT:
		if (sp->learning || sp->forwarding)
			return false;
		prt_enter_disabled(sp);
		return true;
	case PRT_DISABLED_PORT:
		if (sp->fd_while == sp->desig_times.max_age && !sp->sync &&
		    !sp->re_root && sp->synced)
			return false;
		prt_enter_disabled(sp);
		return true;
	case PRT_ROOT_PORT:
		return prt_root(st, sp);
	case PRT_DESIGNATED_PORT:
		return prt_designated(sp);
	case PRT_BLOCK_PORT:
		if (sp->learning || sp->forwarding)
			return false;
		prt_enter_alternate(sp);
		return true;
	case PRT_ALTERNATE_PORT:
		return prt_alternate(st, sp);
	}
	return false;
}

/* ---- port state transition (17.30) ------------------------------------ */

static bool pst_step(struct stp *st, struct stp_port *sp)
{
	enum pst_state old = sp->pst;

	switch (sp->pst) {
	case PST_DISCARDING:
		if (sp->learn)
			sp->pst = PST_LEARNING;
		break;
	case PST_LEARNING:
		if (sp->forward)
			sp->pst = PST_FORWARDING;
		else if (!sp->learn)
			sp->pst = PST_DISCARDING;
		break;
	case PST_FORWARDING:
		if (!sp->forward)
			sp->pst = PST_DISCARDING;
		break;
	}
	if (sp->pst == old)
		return false;
	sp->learning = sp->pst != PST_DISCARDING;
	sp->forwarding = sp->pst == PST_FORWARDING;
	stp_port_flags(st, sp);
	return true;
}

/* ---- topology change (17.31) ------------------------------------------ */

static void tcm_enter_learning(struct stp_port *sp)
{
	sp->tcm = TCM_LEARNING;
	sp->rcvd_tc = sp->rcvd_tcn = sp->rcvd_tcack = sp->tc_prop = false;
}

static void tcm_notified_tc(struct stp *st, struct stp_port *sp)
{
	sp->rcvd_tcn = sp->rcvd_tc = false;
	if (sp->role == ROLE_DESIGNATED)
		sp->tc_ack = true;
	set_tc_prop_tree(st, sp);
}

static bool tcm_step(struct stp *st, struct stp_port *sp)
{
	bool rd = sp->role == ROLE_ROOT || sp->role == ROLE_DESIGNATED;
	bool rcvd = sp->rcvd_tc || sp->rcvd_tcn || sp->rcvd_tcack ||
		    sp->tc_prop;

	switch (sp->tcm) {
	case TCM_INACTIVE:
		if (!sp->learn)
			return false;
		tcm_enter_learning(sp);
		return true;
	case TCM_LEARNING:
		if (rd && sp->forward && !sp->oper_edge) {
			/* DETECTED */
			new_tc_while(sp);
			set_tc_prop_tree(st, sp);
			sp->new_info = true;
			sp->tcm = TCM_ACTIVE;
			st->topology_changes++;
		} else if (!rd && !sp->learn && !sp->learning && !rcvd) {
			sp->tcm = TCM_INACTIVE;
			fdb_flush(st, sp);
			sp->tc_while = 0;
			sp->tc_ack = false;
		} else if (rcvd) {
			tcm_enter_learning(sp);
		} else {
			return false;
		}
		return true;
	case TCM_ACTIVE:
		if (!rd || sp->oper_edge) {
			tcm_enter_learning(sp);
		} else if (sp->rcvd_tcn) {
			new_tc_while(sp);
			tcm_notified_tc(st, sp);
			st->topology_changes++;
		} else if (sp->rcvd_tc) {
			tcm_notified_tc(st, sp);
		} else if (sp->tc_prop && !sp->oper_edge) {
			new_tc_while(sp);
			fdb_flush(st, sp);
			sp->tc_prop = false;
		} else if (sp->rcvd_tcack) {
			sp->tc_while = 0;
			sp->rcvd_tcack = false;
		} else {
			return false;
		}
		return true;
	}
	return false;
}

/* ---- protocol migration (17.24) and bridge detection (17.25) ---------- */

static void ppm_enter_checking(struct stp_port *sp)
{
	sp->ppm = PPM_CHECKING_RSTP;
	sp->mcheck = false;
	sp->send_rstp = true;
	sp->mdelay_while = STP_MIGRATE_TIME;
}

static void ppm_enter_selecting(struct stp_port *sp)
{
	sp->ppm = PPM_SELECTING_STP;
	sp->send_rstp = false;
	sp->mdelay_while = STP_MIGRATE_TIME;
	sp->new_info = true;
	log_info("spanning tree: port %u: a legacy (802.1D) bridge: sending "
		 "configuration BPDUs", sp->num);
}

static bool ppm_step(struct stp_port *sp)
{
	switch (sp->ppm) {
	case PPM_CHECKING_RSTP:
		/* not in the standard: a legacy bridge heard before any RSTP
		 * one is answered at once, not after MigrateTime, so that it
		 * learns the tree before its forward delay runs out */
		if (sp->send_rstp && sp->rcvd_stp && !sp->rcvd_rstp &&
		    sp->enabled) {
			ppm_enter_selecting(sp);
			return true;
		}
		if (!sp->mdelay_while) {
			sp->ppm = PPM_SENSING;
			sp->rcvd_rstp = sp->rcvd_stp = false;
			return true;
		}
		if (sp->mdelay_while != STP_MIGRATE_TIME && !sp->enabled) {
			ppm_enter_checking(sp);
			return true;
		}
		return false;
	case PPM_SELECTING_STP:
		if (!sp->mdelay_while || !sp->enabled || sp->mcheck) {
			sp->ppm = PPM_SENSING;
			sp->rcvd_rstp = sp->rcvd_stp = false;
			return true;
		}
		return false;
	case PPM_SENSING:
		if (!sp->enabled || sp->mcheck ||
		    (!sp->send_rstp && sp->rcvd_rstp)) {
			ppm_enter_checking(sp);
			return true;
		}
		if (sp->send_rstp && sp->rcvd_stp) {
			ppm_enter_selecting(sp);
			return true;
		}
		return false;
	}
	return false;
}

static bool bdm_step(struct stp_port *sp)
{
	bool admin = sp->edge_cfg == STP_EDGE_ON;

	switch (sp->bdm) {
	case BDM_EDGE:
		if ((!sp->enabled && !admin) || !sp->oper_edge) {
			sp->bdm = BDM_NOT_EDGE;
			sp->oper_edge = false;
			return true;
		}
		return false;
	case BDM_NOT_EDGE:
		if ((!sp->enabled && admin) ||
		    (!sp->edge_delay_while && sp->edge_cfg == STP_EDGE_AUTO &&
		     sp->send_rstp && sp->proposing)) {
			sp->bdm = BDM_EDGE;
			sp->oper_edge = true;
			return true;
		}
		return false;
	}
	return false;
}

/* ---- transmit (17.26) ------------------------------------------------- */

static bool ptx_step(struct stp *st, struct stp_port *sp)
{
	if (!sp->enabled) {
		if (sp->ptx == PTX_INIT)
			return false;
		sp->ptx = PTX_INIT;
		return true;
	}
	if (sp->ptx == PTX_INIT) {
		sp->new_info = true;
		sp->tx_count = 0;
		sp->ptx = PTX_IDLE;
		sp->hello_when = sp->desig_times.hello;
		return true;
	}
	if (!sp->selected || sp->updt_info)
		return false;
	if (!sp->hello_when) {
		sp->new_info = sp->new_info || sp->role == ROLE_DESIGNATED ||
			       (sp->role == ROLE_ROOT && sp->tc_while);
	} else if (!sp->new_info || sp->tx_count >= STP_TX_HOLD) {
		return false;
	} else if (sp->send_rstp) {
		sp->new_info = false;
		tx_rstp(st, sp);
		sp->tx_count++;
		sp->tc_ack = false;
	} else if (sp->role == ROLE_ROOT) {
		sp->new_info = false;
		tx_tcn(st, sp);
		sp->tx_count++;
	} else if (sp->role == ROLE_DESIGNATED) {
		sp->new_info = false;
		tx_config(st, sp);
		sp->tx_count++;
		sp->tc_ack = false;
	} else {
		return false;
	}
	sp->hello_when = sp->desig_times.hello;	/* IDLE */
	return true;
}

/* ---- running ---------------------------------------------------------- */

/* Port Receive (17.23): take the next queued BPDU if the last is done. */
static bool prx_step(struct stp_port *sp)
{
	if (sp->rcvd_msg || !sp->rxq_n)
		return false;
	if (!sp->enabled) {
		sp->rxq_n = 0;
		return false;
	}
	sp->msg = sp->rxq[0];
	memmove(sp->rxq, sp->rxq + 1, --sp->rxq_n * sizeof(sp->rxq[0]));
	if (sp->msg.type == BPDU_RST)
		sp->rcvd_rstp = true;
	else
		sp->rcvd_stp = true;
	sp->oper_edge = false;
	sp->rcvd_msg = true;
	sp->edge_delay_while = STP_MIGRATE_TIME;
	return true;
}

static void stp_run(struct stp *st)
{
	unsigned steps = 0;
	bool moved;

	if (!st->on || st->stopped)
		return;
	do {
		struct stp_port *sp;
		unsigned i;

		moved = false;
		stp_each(st, sp, i) {
			moved |= prx_step(sp);
			moved |= ppm_step(sp);
			moved |= bdm_step(sp);
			moved |= pim_step(sp);
		}
		moved |= prs_step(st);
		stp_each(st, sp, i) {
			moved |= prt_step(st, sp);
			moved |= pst_step(st, sp);
			moved |= tcm_step(st, sp);
			moved |= ptx_step(st, sp);
		}
	} while (moved && ++steps < STP_RUN_MAX);
	if (moved)
		log_warnx("spanning tree: the state machines did not settle "
			  "in %u steps", STP_RUN_MAX);
}

static void stp_deferred(struct loop_deferred *d)
{
	struct stp *st = container_of(d, struct stp, dfr);

	st->dfr_queued = false;
	stp_run(st);
}

/* Run the machines at the end of the loop's batch. */
static void stp_kick(struct stp *st)
{
	if (st->dfr_queued || !st->on || st->stopped)
		return;
	st->dfr_queued = true;
	loop_defer(st->sw->loop, &st->dfr, stp_deferred);
}

static void dec(unsigned *t)
{
	if (*t)
		(*t)--;
}

/* Port Timers (17.22), once a second. */
static void stp_tick(struct loop_timer *t)
{
	struct stp *st = container_of(t, struct stp, tick);
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i) {
		if (!sp->enabled)
			continue;
		dec(&sp->hello_when);
		dec(&sp->tc_while);
		dec(&sp->fd_while);
		dec(&sp->rcvd_info_while);
		dec(&sp->rr_while);
		dec(&sp->rb_while);
		dec(&sp->mdelay_while);
		dec(&sp->edge_delay_while);
		dec(&sp->tx_count);
	}
	if (loop_timer_add(st->sw->loop, t, 1000))
		log_warnx("spanning tree: out of memory for its timer");
	stp_run(st);
}

/* BEGIN for one port: every machine in its initial state. */
static void stp_port_begin(struct stp *st, struct stp_port *sp)
{
	struct port *p = port_lookup(st->sw, sp->num);
	unsigned id = sp->id, num = sp->num, cost = sp->cost_set;
	unsigned bonus = sp->bonus;
	enum stp_edge edge = sp->edge_cfg;
	uint64_t in = sp->bpdu_in, out = sp->bpdu_out, bad = sp->bpdu_bad;
	uint64_t lost = sp->bpdu_lost, disc = sp->discarded;

	memset(sp, 0, sizeof(*sp));
	sp->id = (uint16_t)id;
	sp->num = num;
	sp->cost_set = cost;
	sp->bonus = bonus;
	sp->edge_cfg = edge;
	sp->bpdu_in = in;
	sp->bpdu_out = out;
	sp->bpdu_bad = bad;
	sp->bpdu_lost = lost;
	sp->discarded = disc;
	sp->enabled = p && p->active_idx >= 0;
	sp->desig_times = st->bridge_times;
	/* INIT_PORT */
	sp->role = ROLE_DISABLED;
	sp->selected_role = ROLE_DISABLED;
	sp->sync = sp->re_root = true;
	sp->rr_while = st->bridge_times.fwd_delay;
	sp->fd_while = st->bridge_times.max_age;
	sp->prt = PRT_DISABLE_PORT;
	pim_enter_disabled(sp);
	ppm_enter_checking(sp);
	sp->pst = PST_DISCARDING;
	sp->tcm = TCM_INACTIVE;
	sp->ptx = PTX_INIT;
	sp->bdm = (edge == STP_EDGE_ON || (edge == STP_EDGE_AUTO &&
					    sp->enabled))
			  ? BDM_EDGE
			  : BDM_NOT_EDGE;
	sp->oper_edge = sp->bdm == BDM_EDGE;
	stp_port_flags(st, sp);
}

/**
 * stp_set_enabled() - turn spanning tree on or off (fstp/setfstp, -F)
 * @st:		the module
 * @on:		true to run it
 *
 * On: every port starts from the standard's initial state (active ports
 * not edge by configuration discard until their roles are known). Off:
 * every port forwards, BPDUs are forwarded as other multicast.
 *
 * Return: 0, -EBUSY in hub mode, -ENOMEM
 */
int stp_set_enabled(struct stp *st, bool on)
{
	struct sw *sw = st->sw;
	struct stp_port *sp;
	unsigned i;

	if (on == st->on)
		return 0;
	if (on && sw->cfg.hub)
		return -EBUSY;
	if (on) {
		for (i = 0; i < sw->nactive; i++)
			if (!stp_port_get(st, sw->active[i]->num))
				return -ENOMEM;
		if (loop_timer_add(sw->loop, &st->tick, 1000))
			return -ENOMEM;
	} else {
		loop_timer_del(sw->loop, &st->tick);
	}
	st->on = on;
	st->bridge_id = bpdu_bridge_id(st->priority, sw->cfg.mac);
	st->root_port = NULL;
	st->root_prio = (struct stp_prio){ st->bridge_id, 0, st->bridge_id,
					   0, 0 };
	st->root_times = st->bridge_times;
	stp_each(st, sp, i)
		stp_port_begin(st, sp);
	log_info("spanning tree %s", on ? "on (RSTP)" : "off");
	if (on) {
		mactable_flush(sw->mt);
		stp_kick(st);
	}
	return 0;
}

/**
 * stp_enabled() - is spanning tree on?
 * @st:		the module
 *
 * Return: true if on
 */
bool stp_enabled(const struct stp *st)
{
	return st->on;
}

static void stp_reselect_all(struct stp *st)
{
	struct stp_port *sp;
	unsigned i;

	stp_each(st, sp, i)
		sp->reselect = true;
	stp_kick(st);
}

/**
 * stp_set_priority() - the bridge priority (fstp/setpriority, --priority)
 * @st:		the module
 * @priority:	0..65535, 32768 by default; lower wins the root election
 *
 * Return: 0, or -EINVAL
 */
int stp_set_priority(struct stp *st, unsigned priority)
{
	if (priority > 0xffff)
		return -EINVAL;
	st->priority = priority;
	st->bridge_id = bpdu_bridge_id(priority, st->sw->cfg.mac);
	stp_reselect_all(st);
	return 0;
}

/**
 * stp_set_timers() - the times this bridge uses when it is the root
 * @st:		the module
 * @hello:	1..10 s
 * @max_age:	6..40 s, at least 2 * (hello + 1)
 * @fwd_delay:	2..30 s (the Linux bridge's lower bound, below 802.1D's 4)
 *
 * Return: 0, or -EINVAL
 */
int stp_set_timers(struct stp *st, unsigned hello, unsigned max_age,
		   unsigned fwd_delay)
{
	if (hello < 1 || hello > 10 || max_age < 6 || max_age > 40 ||
	    fwd_delay < 2 || fwd_delay > 30 || max_age < 2 * (hello + 1))
		return -EINVAL;
	st->bridge_times.hello = hello;
	st->bridge_times.max_age = max_age;
	st->bridge_times.fwd_delay = fwd_delay;
	stp_reselect_all(st);
	return 0;
}

static int stp_port_conf(struct stp *st, unsigned port,
			 struct stp_port **out)
{
	if (port > st->sw->nports)
		return -EINVAL;
	*out = stp_port_get(st, port);
	return *out ? 0 : -ENOMEM;
}

/* A cost or bonus of a port: 0..STP_MAX_PORT_COST */
static int stp_port_cost_set(struct stp *st, unsigned port, unsigned v,
			     bool bonus)
{
	struct stp_port *sp;
	int rc;

	if (v > STP_MAX_PORT_COST)
		return -EINVAL;
	rc = stp_port_conf(st, port, &sp);
	if (rc)
		return rc;
	if (bonus)
		sp->bonus = v;
	else
		sp->cost_set = v;
	stp_reselect_all(st);
	return 0;
}

/**
 * stp_set_port_cost() - a port's path cost (fstp/setcost)
 * @st:		the module
 * @port:	the port
 * @cost:	1..200000000, or 0 for the default (2000)
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int stp_set_port_cost(struct stp *st, unsigned port, unsigned cost)
{
	return stp_port_cost_set(st, port, cost, false);
}

/**
 * stp_set_port_bonus() - subtract @bonus from a port's cost (fstp/bonus)
 * @st:		the module
 * @port:	the port
 * @bonus:	0..200000000; the cost never goes under 1
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int stp_set_port_bonus(struct stp *st, unsigned port, unsigned bonus)
{
	return stp_port_cost_set(st, port, bonus, true);
}

/**
 * stp_set_port_edge() - a port's edge setting (fstp/setedge)
 * @st:		the module
 * @port:	the port
 * @edge:	STP_EDGE_ON (forwards at once, until a BPDU is heard),
 *		STP_EDGE_OFF (never edge), STP_EDGE_AUTO (the default)
 *
 * Return: 0, -EINVAL, -ENOMEM
 */
int stp_set_port_edge(struct stp *st, unsigned port, enum stp_edge edge)
{
	struct stp_port *sp;
	int rc;

	rc = stp_port_conf(st, port, &sp);
	if (rc)
		return rc;
	sp->edge_cfg = edge;
	if (edge == STP_EDGE_OFF && sp->bdm == BDM_EDGE) {
		sp->bdm = BDM_NOT_EDGE;
		sp->oper_edge = false;
	} else if (edge == STP_EDGE_ON && sp->bdm == BDM_NOT_EDGE &&
		   sp->enabled) {
		sp->bdm = BDM_EDGE;
		sp->oper_edge = true;
	}
	stp_kick(st);
	return 0;
}

static const char *role_name(enum stp_role r)
{
	switch (r) {
	case ROLE_DISABLED:
		return "Disabled";
	case ROLE_ROOT:
		return "Root";
	case ROLE_DESIGNATED:
		return "Designated";
	case ROLE_ALTERNATE:
		return "Alternate";
	case ROLE_BACKUP:
		return "Backup";
	}
	return "Unknown";
}

/**
 * stp_info() - the bridge's state
 * @st:		the module
 * @info:	filled in
 */
void stp_info(const struct stp *st, struct stp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->on = st->on;
	info->priority = st->priority;
	info->bridge_id = bpdu_bridge_id(st->priority, st->sw->cfg.mac);
	info->hello = st->bridge_times.hello;
	info->max_age = st->bridge_times.max_age;
	info->fwd_delay = st->bridge_times.fwd_delay;
	info->topology_changes = st->topology_changes;
	if (!st->on || !st->root_port) {
		info->root_id = info->bridge_id;
		info->designated_id = info->bridge_id;
		info->root_hello = info->hello;
		info->root_max_age = info->max_age;
		info->root_fwd_delay = info->fwd_delay;
		return;
	}
	info->root_id = st->root_prio.root;
	info->root_cost = st->root_prio.cost;
	info->designated_id = st->root_prio.bridge;
	info->root_port = st->root_port ? st->root_port->num : 0;
	info->root_hello = st->root_times.hello;
	info->root_max_age = st->root_times.max_age;
	info->root_fwd_delay = st->root_times.fwd_delay;
	info->root_age = st->root_times.age;
}

/**
 * stp_port_info() - a port's role, state, settings and counters
 * @st:		the module
 * @port:	the port
 * @info:	filled in
 *
 * Return: 0, or -ENOENT if spanning tree never saw the port
 */
int stp_port_info(const struct stp *st, unsigned port,
		  struct stp_port_info *info)
{
	const struct stp_port *sp = stp_port_find(st, port);

	memset(info, 0, sizeof(*info));
	if (!sp)
		return -ENOENT;
	info->role = st->on ? role_name(sp->role) : "Disabled";
	info->state = !st->on || sp->forwarding ? "forwarding"
		      : sp->learning		? "learning"
						: "discarding";
	info->cost = stp_port_cost(sp);
	info->cost_set = sp->cost_set;
	info->bonus = sp->bonus;
	info->edge_cfg = sp->edge_cfg;
	info->edge = sp->oper_edge;
	info->rstp = sp->send_rstp;
	info->bpdu_in = sp->bpdu_in;
	info->bpdu_out = sp->bpdu_out;
	info->bpdu_bad = sp->bpdu_bad;
	info->bpdu_lost = sp->bpdu_lost;
	info->discarded = sp->discarded;
	return 0;
}

/**
 * stp_port_up() - a port became active
 * @st:		the module
 * @p:		the port
 *
 * It discards until the machines run at the end of this batch (an edge
 * port forwards from then on).
 */
void stp_port_up(struct stp *st, struct port *p)
{
	struct stp_port *sp;

	if (!st->on)
		return;
	sp = stp_port_get(st, p->num);
	if (!sp) {
		log_warnx("spanning tree: port %u: out of memory: it stays "
			  "blocked", p->num);
		p->stp_gate = p->stp_block = true;
		return;
	}
	sp->enabled = true;
	sp->rxq_n = 0;
	sp->rcvd_rstp = sp->rcvd_stp = false;
	if (sp->edge_cfg != STP_EDGE_OFF) {
		sp->bdm = BDM_EDGE;
		sp->oper_edge = true;
	}
	stp_port_flags(st, sp);
	stp_kick(st);
}

/**
 * stp_port_down() - a port became inactive
 * @st:		the module
 * @p:		the port
 */
void stp_port_down(struct stp *st, struct port *p)
{
	struct stp_port *sp = stp_port_find(st, p->num);

	if (!st->on || !sp)
		return;
	sp->enabled = false;
	sp->rxq_n = 0;
	/* its frames stop now; the machines catch up at the batch's end */
	sp->learn = sp->forward = false;
	sp->learning = sp->forwarding = false;
	sp->pst = PST_DISCARDING;
	stp_port_flags(st, sp);
	stp_kick(st);
}

/**
 * stp_input() - a frame to 01:80:c2:00:00:00 arrived while spanning tree
 * is on (inside forwarding)
 * @st:		the module
 * @p:		the port it came from
 * @frame:	the frame
 * @len:	its length
 *
 * Invalid BPDUs are counted and ignored; valid ones are queued for the
 * run at the end of the batch.
 */
void stp_input(struct stp *st, struct port *p, const uint8_t *frame,
	       unsigned len)
{
	struct stp_port *sp = stp_port_find(st, p->num);
	enum bpdu_error e;
	struct bpdu b;

	if (!sp)
		return;
	e = bpdu_decode(frame, len, &b);
	if (e != BPDU_OK) {
		if (!sp->bpdu_bad++)
			log_info("spanning tree: port %u: BPDU ignored (%s); "
				 "later ones are only counted", p->num,
				 bpdu_strerror(e));
		return;
	}
	/* 9.3.4: a configuration BPDU this very port sent, looped back */
	if (b.type == BPDU_CONFIG && b.bridge_id == st->bridge_id &&
	    (b.port_id & 0x0fff) == (sp->id & 0x0fff)) {
		sp->bpdu_bad++;
		return;
	}
	if (sp->rxq_n == STP_RXQ) {
		sp->bpdu_lost++;
		return;
	}
	sp->bpdu_in++;
	sp->rxq[sp->rxq_n++] = b;
	stp_kick(st);
}

/**
 * stp_discarded() - count a frame a blocked port received
 * @st:		the module
 * @p:		the port
 */
void stp_discarded(struct stp *st, struct port *p)
{
	struct stp_port *sp = stp_port_find(st, p->num);

	if (sp)
		sp->discarded++;
}
