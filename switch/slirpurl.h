/* SPDX-License-Identifier: GPL-2.0-or-later
 * slirpurl.h - the options of a slirp:// URL (vdeplug4's libvdeplug-slirp
 * syntax, and QEMU's hostfwd= spelling of a forward), parsed and checked
 * before any socket is opened.
 *
 * What a slirp port is, as QEMU's -netdev user: a network (10.0.2.0/24 by
 * default) whose gateway (.2) is the host, seen through NAT; a DNS
 * forwarder (.3), a DHCP server handing out addresses from .15, a TFTP
 * server when tftp_path= is given, and an IPv6 network (fd00::/64) beside
 * it. Forwards let the host reach guests: a host address and port bound
 * on the switch's host, relayed to a guest address and port. DHCP may also
 * give a domain name, a DNS search list and a TFTP server name.
 */
#ifndef PATCHBAY_SLIRPURL_H
#define PATCHBAY_SLIRPURL_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define SLIRP_MAX_FWD 16
#define SLIRP_MTU_MIN 576	/* the least IPv4 host must take */
#define SLIRP_MTU_MAX 9216	/* a VDE frame of 9234 bytes, tag included */
#define SLIRP_MTU_V6_MIN 1280	/* IPv6's minimum link MTU */
#define SLIRP_MTU_DEF 1500
#define SLIRP_NAME_MAX 253	/* a domain name, dots included */
#define SLIRP_SEARCH_MAX 511	/* vdnssearch='s list, commas included */
#define SLIRP_SEARCH_NAMES 8	/* domains in that list */

/* One port forward: the host binds @haddr:@hport, guests get @gaddr:@gport */
struct slirp_fwd {
	bool udp;
	struct in_addr haddr;	/* INADDR_ANY when not given */
	unsigned hport;		/* 0: any free port */
	struct in_addr gaddr;
	unsigned gport;
};

struct slirp_opts {
	bool v4, v6;
	struct in_addr net, mask, host;	/* addr=HOST/LEN */
	unsigned len;
	struct in_addr dhcp;		/* the first address handed out */
	struct in_addr dns;		/* vnameserver= */
	struct in6_addr net6, host6;	/* addr6=HOST/LEN */
	unsigned len6;
	struct in6_addr dns6;		/* vnameserver6= */
	char hostname[64];		/* given to guests by DHCP */
	char domain[SLIRP_NAME_MAX + 1];	/* vdomainname=, DHCP's 15 */
	char search[SLIRP_SEARCH_MAX + 1];	/* vdnssearch=A,B, 119 */
	char tftp_name[SLIRP_NAME_MAX + 1];	/* tftp_server_name=, 66 */
	char tftp_path[PATH_MAX];	/* "": no TFTP server */
	char bootfile[128];
	unsigned mtu;
	unsigned mru;			/* mru=, else the MTU */
	bool no_host_loopback;		/* disable_host_loopback */
	bool verbose;			/* the settings logged at attach */
	struct slirp_fwd fwd[SLIRP_MAX_FWD];
	unsigned nfwd;
};

int slirpurl_parse(const char *rest, struct slirp_opts *o, char *err,
		   size_t errlen);
unsigned slirpurl_search(const struct slirp_opts *o, char *buf,
			 const char **names);

#endif /* PATCHBAY_SLIRPURL_H */
