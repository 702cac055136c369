/* SPDX-License-Identifier: GPL-2.0-or-later
 * netlink.h - configure an existing network interface (the TAP the switch
 * opened) through rtnetlink with libnl-3: link up, MTU, MAC, IPv4/IPv6
 * addresses, enslaving to a Linux bridge, and putting it all back.
 *
 * tapnl_configure() applies a struct tapnl_config and returns an undo
 * record of exactly what it changed (each value it replaced, each address
 * it added, the master it set); tapnl_revert() puts those back and frees
 * the record. A failure in the middle of tapnl_configure() reverts what it
 * had done, so the device is left as it was found. Nothing here runs a
 * program; every change is one rtnetlink request.
 *
 * Every function returns 0 (or a positive value where said) or -errno;
 * where an @err buffer is given it receives a one-line message naming the
 * interface and quoting the bad value.
 */
#ifndef PATCHBAY_TAPNL_H
#define PATCHBAY_TAPNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TAPNL_MAX_ADDRS 16
#define TAPNL_MTU_MIN 68
#define TAPNL_MTU_MAX 9216
/* "ADDR/PREFIXLEN" with the longest IPv6 text, and its NUL */
#define TAPNL_ADDRSTRLEN (46 + 4)

/**
 * struct tapnl_addr - an interface address with its prefix length
 * @family:	AF_INET or AF_INET6
 * @addr:	the address in network order; 4 or 16 bytes used
 * @prefixlen:	1..32 for AF_INET, 1..128 for AF_INET6
 */
struct tapnl_addr {
	int family;
	uint8_t addr[16];
	unsigned prefixlen;
};

/**
 * struct tapnl_config - what tapnl_configure() should set
 * @up:		bring the link up; false leaves its state as it is
 * @mtu:	TAPNL_MTU_MIN..TAPNL_MTU_MAX; 0 leaves the MTU as it is
 * @set_mac:	set @mac; false leaves the address as it is
 * @mac:	a unicast, non-zero MAC address
 * @bridge:	name of an existing Linux bridge to enslave to; NULL: none
 * @addrs:	addresses to add, in this order (see tapnl_parse_addr())
 * @naddrs:	entries used in @addrs, at most TAPNL_MAX_ADDRS
 *
 * A zeroed struct changes nothing. An address the interface already has
 * is not an error, and is not removed by tapnl_revert().
 */
struct tapnl_config {
	bool up;
	unsigned mtu;
	bool set_mac;
	uint8_t mac[6];
	const char *bridge;
	struct tapnl_addr addrs[TAPNL_MAX_ADDRS];
	unsigned naddrs;
};

/* What tapnl_configure() changed on one interface; opaque. */
struct tapnl_undo;

int tapnl_parse_addr(const char *s, struct tapnl_addr *a, char *err,
		     size_t errlen);
void tapnl_format_addr(const struct tapnl_addr *a,
		       char buf[TAPNL_ADDRSTRLEN]);
int tapnl_configure(const char *ifname, const struct tapnl_config *cfg,
		    struct tapnl_undo **undo, char *err, size_t errlen);
int tapnl_revert(struct tapnl_undo *undo, char *err, size_t errlen);
void tapnl_forget(struct tapnl_undo *undo);
int tapnl_ifindex(const char *ifname);

#endif /* PATCHBAY_TAPNL_H */
