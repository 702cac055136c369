/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhost.c - the benchmark's vhost-user step (vh64): frames/s from one
 * vhost-user port of patchbay to another, against two batching VDE
 * clients through the same switch build in the same round.
 *
 *   "vhost-user" column: patchbay started with a console; before any
 *       client connects, the benchmark attaches two ports,
 *       port/attach vhost-user:///BASE/vh-rx0.sock and .../vh-tx.sock
 *       (the switch listens there). The sender and the receiver are each
 *       a process of their own with a front end on one of them (vhufe.c:
 *       what QEMU and a virtio-net guest do, without QEMU: memfd guest
 *       memory by SCM_RIGHTS, split rings, kick and call eventfds,
 *       EVENT_IDX), so the switch, the sender and the receiver share the
 *       machine's CPUs as the VDE clients do and no client can starve
 *       the switch of more than a VDE client would.
 *   "VDE port" column: the reference, b64's method: a batching VDE
 *       sender (sendmmsg on vde_datafd()) and a batching VDE receiver
 *       (recvmmsg) on the same patchbay build.
 *
 * Everything else is that of the other throughput steps (pbbench.c's
 * flow, clients.c): 64-byte frames unicast to the receiver's MAC, the
 * receiver's announce seen by the sender before measuring (through the
 * sender's receive ring), at most W frames unacknowledged, acknowledged
 * every K through a pipe, sent = received checked. The W frames in
 * flight fit the receiver's ring (VHUFE_RING buffers), so a lossy run
 * would be the switch's fault.
 */
#include <limits.h>
#include <stdio.h>

#include "pbbench.h"

/**
 * vh_attach() - attach a vhost-user port to a started patchbay
 * @sw:		the switch, started with its console
 * @name:	the socket's name in the switch's directory
 * @path:	filled: the socket's path
 * @len:	size of @path
 *
 * Return: 0, or -1 with a message
 */
int vh_attach(const struct swproc *sw, const char *name, char *path,
	      size_t len)
{
	char cmd[PATH_MAX + 64];

	if ((size_t)snprintf(path, len, "%s/%s", sw->base, name) >= len) {
		fprintf(stderr, "pbbench: %s/%s: path too long\n", sw->base,
			name);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "port/attach vhost-user://%s", path);
	return sw_console(sw, cmd);
}
