/* SPDX-License-Identifier: GPL-2.0-or-later
 * vhufe.h - a vhost-user front end without QEMU: what a virtio-net guest
 * and QEMU do on their side of a vhost-user:///PATH port, for the
 * benchmark's vh64 step (bench/vhost.c) and as the message framing the
 * unit tests' fake front end speaks (tests/unit/test_vhostuser.c).
 *
 * Guest memory is one memfd, mapped here and handed to the back end by
 * SCM_RIGHTS with SET_MEM_TABLE (guest-physical base VHUFE_GPA; the
 * front end's "virtual address" of it is where it is mapped here, as in
 * QEMU). It holds two split rings of the same size, the receive ring
 * (queue 0) and the transmit ring (queue 1), each with one buffer of
 * VHUFE_BUF bytes per descriptor: a descriptor always points at its own
 * buffer, so a chain is one descriptor and never needs rewriting beyond
 * its length.
 *
 * The driver side behaves like Linux's virtio-net with EVENT_IDX: every
 * receive buffer is posted at once and reposted as soon as its frame is
 * read; the switch is kicked only when avail_event says it waits for one
 * (so a busy switch is not kicked at all), and a call is asked for (by
 * used_event) only when the front end is about to sleep on the call fd,
 * which it does through epoll, edge-triggered, never reading the fd (one
 * system call per sleep, as a guest takes an interrupt). No system call
 * per frame while the rings are busy.
 */
#ifndef PATCHBAY_VHUFE_H
#define PATCHBAY_VHUFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define VHUFE_GPA 0x40000000ULL	/* guest-physical base of the memory */
#define VHUFE_RING 256		/* ring size (QEMU's default) */
#define VHUFE_BUF 2048		/* bytes per buffer: header + a frame */

struct vhufe;

int vhufe_msg_send(int fd, uint32_t req, uint32_t flags, const void *payload,
		   uint32_t size, const int *fds, unsigned nfds);
int vhufe_msg_reply(int fd, uint32_t req, void *out, size_t len,
		    int timeout_ms);

int vhufe_open(struct vhufe **out, const char *path, unsigned ring,
	       char *why, size_t whylen);
void vhufe_close(struct vhufe *fe);
uint64_t vhufe_features(const struct vhufe *fe);
int vhufe_send(struct vhufe *fe, struct mmsghdr *msgs, unsigned n);
int vhufe_recv(struct vhufe *fe, struct mmsghdr *msgs, unsigned n,
	       int timeout_ms);
int vhufe_rx_fd(const struct vhufe *fe);
bool vhufe_rx_arm(struct vhufe *fe);
void vhufe_counts(const struct vhufe *fe, uint64_t *kicks, uint64_t *sleeps);

#endif /* PATCHBAY_VHUFE_H */
