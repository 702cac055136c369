/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanhdr.h - the VXLAN wire header (RFC 7348) and vxlan:// URLs, parsed
 * apart from any socket so that a unit test can check every refusal.
 */
#ifndef PATCHBAY_VXLANHDR_H
#define PATCHBAY_VXLANHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"

#define VXLAN_HLEN 8		/* flags, 3 reserved, VNI (24 bits), 1 reserved */
#define VXLAN_FLAG_I 0x08	/* "the VNI is valid": the only flag sent */
#define VXLAN_VNI_MAX 16777215U
#define VXLAN_PORT_DEF 4789	/* IANA; the kernel's own default is 8472 */
#define VXLAN_VNI_DEF 1		/* vdeplug4's default */
#define VXLAN_TTL_DEF 1
#define VXLAN_EXPIRE_DEF 300	/* seconds, as the kernel's ageing */
#define VXLAN_HASHSIZE_DEF 4096	/* learned MACs per port */
#define VXLAN_HASHSIZE_MAX 65536
#define VXLAN_REMOTES_MAX 64
#define VXLAN_GROUP_V4 "239.0.0.1"	/* vdeplug4's defaults */
#define VXLAN_GROUP_V6 "ff05:56de::1"

/* The outer headers an inner frame of L bytes gets: IP + UDP + VXLAN. */
#define VXLAN_OVERHEAD_V4 (20 + 8 + VXLAN_HLEN)
#define VXLAN_OVERHEAD_V6 (40 + 8 + VXLAN_HLEN)

/*
 * A parsed vxlan:// URL. Either @group is a multicast group (flood and
 * learn through it) or @remotes lists unicast VTEPs that get a copy of
 * every flooded frame (head-end replication). Addresses carry @port.
 */
struct vxlan_conf {
	int family;		/* AF_INET or AF_INET6 */
	uint32_t vni;
	uint16_t port;		/* host order */
	bool mcast;		/* @group is set, @remotes empty */
	struct sa group;
	struct sa remotes[VXLAN_REMOTES_MAX];
	unsigned nremotes;
	bool has_local;
	struct sa local;	/* port set too */
	char ifname[16];	/* "" if not given */
	unsigned ifindex;
	unsigned ttl;
	unsigned expire;	/* seconds */
	unsigned hashsize;	/* bound on learned MACs */
	unsigned rcvbuf;	/* 0: the kernel's default */
};

void vxlan_hdr_build(uint8_t hdr[VXLAN_HLEN], uint32_t vni);
int vxlan_hdr_parse(const uint8_t *buf, size_t len, uint32_t *vni);
int vxlan_url_parse(const char *rest, struct vxlan_conf *c, char *err,
		    size_t errlen);

#endif /* PATCHBAY_VXLANHDR_H */
