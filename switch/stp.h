/* SPDX-License-Identifier: GPL-2.0-or-later
 * stp.h - rapid spanning tree (IEEE 802.1D-2004 RSTP) for the whole switch.
 *
 * One spanning tree instance, not one per VLAN. Each port runs the
 * standard's state machines (port information, role transitions, state
 * transitions, topology change, protocol migration, bridge detection,
 * transmit) and the bridge runs port role selection; they advance on
 * events (a BPDU, a port up or down, a setting) and on a one-second tick
 * armed on the switch's loop while spanning tree is on. Work never runs
 * inside forwarding: received BPDUs are decoded and queued there, and the
 * machines run at the end of the loop's batch.
 *
 * What forwarding needs is two flags on struct port (port.h): stp_gate
 * (spanning tree is on: look at BPDUs and stp_block on input) and
 * stp_block (the port is not forwarding: it neither forwards nor learns).
 *
 * Deviations from the standard, on purpose: a port whose edge setting is
 * "auto" (the default) is an edge port from the moment it comes up, until
 * a BPDU is heard on it, so a virtual machine plugging in never waits; a
 * port in the learning state does not learn either; MAC entries are
 * flushed at once on a topology change, also towards legacy bridges; a
 * port that hears a legacy (802.1D) BPDU before any RST BPDU answers in
 * 802.1D at once rather than after MigrateTime (3 s), so that a Linux
 * bridge with a short forward delay learns the tree before it forwards.
 * Ports above 4095 share port identifiers modulo 4096.
 */
#ifndef PATCHBAY_STP_H
#define PATCHBAY_STP_H

#include <stdbool.h>
#include <stdint.h>

struct sw;
struct port;
struct stp;

#define STP_DEF_PRIORITY 32768
#define STP_DEF_HELLO 2
#define STP_DEF_MAX_AGE 20
#define STP_DEF_FWD_DELAY 15
#define STP_DEF_PORT_COST 2000	/* 10 Gbit/s in 802.1D-2004's table */
#define STP_MAX_PORT_COST 200000000

enum stp_edge {
	STP_EDGE_AUTO,		/* edge until a BPDU is heard (default) */
	STP_EDGE_ON,		/* adminEdge */
	STP_EDGE_OFF,		/* never edge */
};

/* The bridge, for fstp/print and fstp/showinfo. */
struct stp_info {
	bool on;
	unsigned priority;
	uint64_t bridge_id;
	uint64_t root_id;
	uint64_t designated_id;	/* designated bridge of the root port */
	uint32_t root_cost;
	unsigned root_port;	/* 0: this switch is the root */
	unsigned hello, max_age, fwd_delay;		/* this bridge's */
	unsigned root_hello, root_max_age, root_fwd_delay, root_age;
	uint64_t topology_changes;
};

/* A port, for fstp/print and port/print. */
struct stp_port_info {
	const char *role;	/* "Root", "Designated", ... */
	const char *state;	/* "discarding", "learning", "forwarding" */
	unsigned cost;		/* the cost it adds (bonus applied) */
	unsigned cost_set;	/* set with fstp/setcost; 0: default */
	unsigned bonus;
	enum stp_edge edge_cfg;
	bool edge;		/* operEdge */
	bool rstp;		/* sends RST BPDUs (false: a legacy peer) */
	uint64_t bpdu_in, bpdu_out, bpdu_bad, bpdu_lost, discarded;
};

struct stp *stp_create(struct sw *sw);
void stp_stop(struct stp *st);
void stp_destroy(struct stp *st);

int stp_set_enabled(struct stp *st, bool on);
bool stp_enabled(const struct stp *st);
int stp_set_priority(struct stp *st, unsigned priority);
int stp_set_timers(struct stp *st, unsigned hello, unsigned max_age,
		   unsigned fwd_delay);
int stp_set_port_cost(struct stp *st, unsigned port, unsigned cost);
int stp_set_port_bonus(struct stp *st, unsigned port, unsigned bonus);
int stp_set_port_edge(struct stp *st, unsigned port, enum stp_edge edge);

void stp_info(const struct stp *st, struct stp_info *info);
int stp_port_info(const struct stp *st, unsigned port,
		  struct stp_port_info *info);

/* the core's hooks */
void stp_port_up(struct stp *st, struct port *p);
void stp_port_down(struct stp *st, struct port *p);
void stp_input(struct stp *st, struct port *p, const uint8_t *frame,
	       unsigned len);
void stp_discarded(struct stp *st, struct port *p);

#endif /* PATCHBAY_STP_H */
