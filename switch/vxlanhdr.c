/* SPDX-License-Identifier: GPL-2.0-or-later
 * vxlanhdr.c - the VXLAN header (RFC 7348) and vxlan:// URLs.
 *
 * The header is 8 bytes: flags (0x08, "I": the VNI is valid), 3 reserved
 * bytes, the 24-bit VNI, 1 reserved byte. Like the kernel, a receiver
 * takes only datagrams whose flags byte is exactly 0x08 (any other flag is
 * an extension it does not speak); the reserved bytes are ignored.
 *
 * The URL is vdeplug4's, with unicast remotes and local= added (addresses
 * are numeric: no name lookup stalls the switch):
 * vxlan://[GROUP|REMOTE[,REMOTE...]][/v4|/v6][/vni=N][/port=N][/local=ADDR]
 * [/if=IFNAME][/ttl=N][/expiretime=S][/hashsize=N][/rcvbuf=N]. No address
 * means vdeplug4's default group (239.0.0.1, or ff05:56de::1 with /v6).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "vxlanhdr.h"

/**
 * vxlan_hdr_build() - the header of a datagram of VNI @vni
 * @hdr:	the 8 bytes
 * @vni:	the VNI (24 bits)
 */
void vxlan_hdr_build(uint8_t hdr[VXLAN_HLEN], uint32_t vni)
{
	memset(hdr, 0, VXLAN_HLEN);
	hdr[0] = VXLAN_FLAG_I;
	hdr[4] = (uint8_t)(vni >> 16);
	hdr[5] = (uint8_t)(vni >> 8);
	hdr[6] = (uint8_t)vni;
}

/**
 * vxlan_hdr_parse() - check the header of a received datagram
 * @buf:	the datagram
 * @len:	its length
 * @vni:	its VNI
 *
 * Return: 0, -EMSGSIZE if shorter than a header, -EBADMSG if the flags are
 * not exactly "I"
 */
int vxlan_hdr_parse(const uint8_t *buf, size_t len, uint32_t *vni)
{
	if (len < VXLAN_HLEN)
		return -EMSGSIZE;
	if (buf[0] != VXLAN_FLAG_I)
		return -EBADMSG;
	*vni = (uint32_t)buf[4] << 16 | (uint32_t)buf[5] << 8 | buf[6];
	return 0;
}

/* A numeric IPv4 or IPv6 address (bare or in brackets) and @port into
 * @out; names are refused (a lookup would stall the switch's loop). */
static int resolve(const char *host, size_t n, int family, uint16_t port,
		   struct sa *out, char *err, size_t errlen)
{
	char buf[64];

	memset(out, 0, sizeof(*out));
	if (n && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (!n || n >= sizeof(buf))
		goto bad;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (family != AF_INET6 && inet_pton(AF_INET, buf,
			&((struct sockaddr_in *)&out->ss)->sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		out->len = sizeof(*a);
		return 0;
	}
	if (family != AF_INET && inet_pton(AF_INET6, buf,
			&((struct sockaddr_in6 *)&out->ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		out->len = sizeof(*a);
		return 0;
	}
bad:
	snprintf(err, errlen, "'%.*s': expected %s address", (int)(n > 64 ? 64 : n),
		 host, family == AF_INET ? "an IPv4" :
		 family == AF_INET6 ? "an IPv6" : "an IPv4 or IPv6");
	return -EINVAL;
}

static bool sa_is_mcast(const struct sa *a)
{
	if (a->ss.ss_family == AF_INET)
		return IN_MULTICAST(ntohl(
			((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr));
	return IN6_IS_ADDR_MULTICAST(
		&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static bool sa_is_any(const struct sa *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(
		&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

/* N, NK, NM or NG (powers of 1024), as vdeplug4's rcvbuf= */
static int parse_size(const char *s, unsigned long *out)
{
	char num[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	int rc;

	if (!n || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift)
		num[n - 1] = '\0';
	rc = parse_ulong(num, 10, 1, (1UL << 30) >> shift, out);
	*out <<= shift;
	return rc;
}

struct vx_opt {
	const char *name;
	unsigned long min, max;
	unsigned long *val;
};

/* The options after the addresses; @v4/@v6 record /v4 and /v6. */
static int parse_options(char *opts, const char *url, struct vxlan_conf *c,
			 bool *v4, bool *v6, const char **local, char *err,
			 size_t errlen)
{
	unsigned long vni = VXLAN_VNI_DEF, port = VXLAN_PORT_DEF,
		      ttl = VXLAN_TTL_DEF, expire = VXLAN_EXPIRE_DEF,
		      hashsize = VXLAN_HASHSIZE_DEF, rcvbuf = 0;
	const struct vx_opt num[] = {
		{ "vni", 0, VXLAN_VNI_MAX, &vni },
		{ "port", 1, 65535, &port },
		{ "ttl", 0, 255, &ttl },
		{ "expiretime", 0, 86400, &expire },
		{ "hashsize", 1, VXLAN_HASHSIZE_MAX, &hashsize },
	};
	char *save = NULL, *o, *eq;
	size_t i;

	for (o = strtok_r(opts, "/", &save); o; o = strtok_r(NULL, "/", &save)) {
		eq = strchr(o, '=');
		if (!strcmp(o, "v4")) {
			*v4 = true;
			continue;
		}
		if (!strcmp(o, "v6")) {
			*v6 = true;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "%s: unknown option '%s'", url,
				 o);
			return -EINVAL;
		}
		*eq++ = '\0';
		for (i = 0; i < sizeof(num) / sizeof(num[0]); i++)
			if (!strcmp(o, num[i].name))
				break;
		if (i < sizeof(num) / sizeof(num[0])) {
			if (parse_ulong(eq, 10, num[i].min, num[i].max,
					num[i].val)) {
				snprintf(err, errlen, "%s: %s=%s: expected "
					 "%lu to %lu", url, o, eq, num[i].min,
					 num[i].max);
				return -EINVAL;
			}
		} else if (!strcmp(o, "rcvbuf")) {
			if (parse_size(eq, &rcvbuf)) {
				snprintf(err, errlen, "%s: rcvbuf=%s: expected "
					 "1 to 1G bytes (K, M, G suffixes)",
					 url, eq);
				return -EINVAL;
			}
		} else if (!strcmp(o, "if")) {
			if (strlen(eq) >= sizeof(c->ifname) ||
			    !(c->ifindex = if_nametoindex(eq))) {
				snprintf(err, errlen, "%s: if=%s: no such "
					 "interface", url, eq);
				return -ENODEV;
			}
			strcpy(c->ifname, eq);
		} else if (!strcmp(o, "local")) {
			*local = eq;
		} else {
			snprintf(err, errlen, "%s: unknown option '%s' (v4, v6, "
				 "vni=, port=, local=, if=, ttl=, expiretime=, "
				 "hashsize=, rcvbuf=)", url, o);
			return -EINVAL;
		}
	}
	c->vni = (uint32_t)vni;
	c->port = (uint16_t)port;
	c->ttl = (unsigned)ttl;
	c->expire = expire ? (unsigned)expire : VXLAN_EXPIRE_DEF;
	c->hashsize = (unsigned)hashsize;
	c->rcvbuf = (unsigned)rcvbuf;
	return 0;
}

/* GROUP, or REMOTE[,REMOTE...], of @family (AF_UNSPEC: the first's). */
static int parse_addrs(const char *addrs, const char *url, int family,
		       struct vxlan_conf *c, char *err, size_t errlen)
{
	const char *p = addrs, *comma;
	char why[512];
	struct sa a;
	int rc;

	if (!*addrs) {
		rc = resolve(family == AF_INET6 ? VXLAN_GROUP_V6
						: VXLAN_GROUP_V4,
			     strlen(family == AF_INET6 ? VXLAN_GROUP_V6
						       : VXLAN_GROUP_V4),
			     family, c->port, &c->group, why, sizeof(why));
		if (rc)
			goto bad;
		c->mcast = true;
		c->family = c->group.ss.ss_family;
		return 0;
	}
	for (;;) {
		comma = strchr(p, ',');
		rc = resolve(p, comma ? (size_t)(comma - p) : strlen(p),
			     family, c->port, &a, why, sizeof(why));
		if (rc)
			goto bad;
		family = a.ss.ss_family;
		if (sa_is_mcast(&a)) {
			if (c->nremotes || comma) {
				snprintf(err, errlen, "%s: a multicast group "
					 "cannot be one of several remotes",
					 url);
				return -EINVAL;
			}
			c->group = a;
			c->mcast = true;
			break;
		}
		if (sa_is_any(&a)) {
			snprintf(err, errlen, "%s: '%.*s' is not a remote "
				 "address", url,
				 (int)(comma ? (size_t)(comma - p) : strlen(p)),
				 p);
			return -EINVAL;
		}
		if (c->nremotes == VXLAN_REMOTES_MAX) {
			snprintf(err, errlen, "%s: more than %u remotes", url,
				 VXLAN_REMOTES_MAX);
			return -EINVAL;
		}
		c->remotes[c->nremotes++] = a;
		if (!comma)
			break;
		p = comma + 1;
	}
	c->family = family;
	return 0;
bad:
	snprintf(err, errlen, "%s: %s", url, why);
	return -EINVAL;
}

/**
 * vxlan_url_parse() - parse what follows vxlan://
 * @rest:	the URL after the scheme
 * @c:		the configuration
 * @err:	on failure, why (quoting the URL)
 * @errlen:	size of @err
 *
 * Addresses are numeric; an interface given with if= must exist.
 *
 * Return: 0, -EINVAL (unparsable, out of range) or -ENODEV (if=)
 */
int vxlan_url_parse(const char *rest, struct vxlan_conf *c, char *err,
		    size_t errlen)
{
	const char *slash = strchr(rest, '/'), *local = NULL;
	size_t alen = slash ? (size_t)(slash - rest) : strlen(rest);
	char url[300], addrs[256], opts[256], why[400];
	bool v4 = false, v6 = false;
	int family, rc;

	memset(c, 0, sizeof(*c));
	snprintf(url, sizeof(url), "vxlan://%.280s", rest);
	if (alen >= sizeof(addrs) || (slash && strlen(slash) >= sizeof(opts))) {
		snprintf(err, errlen, "%s: too long", url);
		return -EINVAL;
	}
	memcpy(addrs, rest, alen);
	addrs[alen] = '\0';
	strcpy(opts, slash ? slash : "");
	rc = parse_options(opts, url, c, &v4, &v6, &local, err, errlen);
	if (rc)
		return rc;
	family = v4 == v6 ? AF_UNSPEC : v4 ? AF_INET : AF_INET6;
	rc = parse_addrs(addrs, url, family, c, err, errlen);
	if (rc)
		return rc;
	if (local) {
		if (c->mcast) {
			snprintf(err, errlen, "%s: local= goes with unicast "
				 "remotes; with a group, choose the interface "
				 "with if=", url);
			return -EINVAL;
		}
		rc = resolve(local, strlen(local), c->family, c->port,
			     &c->local, why, sizeof(why));
		if (rc || sa_is_mcast(&c->local)) {
			snprintf(err, errlen, "%s: local=%s: %s", url, local,
				 rc ? why : "a multicast address");
			return -EINVAL;
		}
		c->has_local = true;
	}
	return 0;
}
