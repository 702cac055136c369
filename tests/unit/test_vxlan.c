/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_vxlan.c - the VXLAN header, vxlan:// URLs with every refusal
 * (vxlanhdr.c), and the VTEP learning table (vxlanfdb.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "vxlanfdb.h"
#include "vxlanhdr.h"

Test(vxlan, header_build_parse)
{
	uint8_t h[VXLAN_HLEN];
	const uint8_t want[VXLAN_HLEN] = { 0x08, 0, 0, 0, 0x00, 0x10, 0x92, 0 };
	uint32_t vni = 0;

	vxlan_hdr_build(h, 4242);
	cr_assert_arr_eq(h, want, sizeof(want));
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), 0);
	cr_assert_eq(vni, 4242);
	vxlan_hdr_build(h, VXLAN_VNI_MAX);
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), 0);
	cr_assert_eq(vni, VXLAN_VNI_MAX);
	/* reserved bytes are ignored */
	h[1] = h[7] = 0xff;
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), 0);
	cr_assert_eq(vni, VXLAN_VNI_MAX);
}

Test(vxlan, header_refused)
{
	uint8_t h[VXLAN_HLEN];
	uint32_t vni;

	vxlan_hdr_build(h, 7);
	cr_assert_eq(vxlan_hdr_parse(h, 7, &vni), -EMSGSIZE);
	cr_assert_eq(vxlan_hdr_parse(h, 0, &vni), -EMSGSIZE);
	h[0] = 0;
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), -EBADMSG);
	h[0] = 0x0c;	/* I plus a flag we do not speak (GPE's P) */
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), -EBADMSG);
	h[0] = 0x88;	/* I plus GBP's G */
	cr_assert_eq(vxlan_hdr_parse(h, sizeof(h), &vni), -EBADMSG);
}

static uint16_t port_of(const struct sa *a)
{
	return ntohs(a->ss.ss_family == AF_INET
			     ? ((const struct sockaddr_in *)&a->ss)->sin_port
			     : ((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

Test(vxlan, url_defaults)
{
	struct vxlan_conf c;
	char err[512];

	cr_assert_eq(vxlan_url_parse("", &c, err, sizeof(err)), 0, "%s", err);
	cr_assert(c.mcast);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.vni, 1);
	cr_assert_eq(c.port, 4789);
	cr_assert_eq(port_of(&c.group), 4789);
	cr_assert_eq(((struct sockaddr_in *)&c.group.ss)->sin_addr.s_addr,
		     inet_addr("239.0.0.1"));
	cr_assert_eq(c.ttl, 1);
	cr_assert_eq(c.expire, VXLAN_EXPIRE_DEF);
	cr_assert_eq(c.hashsize, VXLAN_HASHSIZE_DEF);
	cr_assert_eq(c.nremotes, 0);

	cr_assert_eq(vxlan_url_parse("/v6", &c, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(c.family, AF_INET6);
	cr_assert(c.mcast);
}

Test(vxlan, url_vdeplug4_options)
{
	struct vxlan_conf c;
	char err[512];

	cr_assert_eq(vxlan_url_parse("239.1.2.3/vni=4242/port=8472/ttl=4/"
				     "hashsize=512/expiretime=60/rcvbuf=2M/v4",
				     &c, err, sizeof(err)),
		     0, "%s", err);
	cr_assert(c.mcast);
	cr_assert_eq(c.vni, 4242);
	cr_assert_eq(c.port, 8472);
	cr_assert_eq(port_of(&c.group), 8472);
	cr_assert_eq(c.ttl, 4);
	cr_assert_eq(c.hashsize, 512);
	cr_assert_eq(c.expire, 60);
	cr_assert_eq(c.rcvbuf, 2U << 20);
	/* expiretime=0 is vdeplug4's "the default" */
	cr_assert_eq(vxlan_url_parse("/expiretime=0/if=lo", &c, err,
				     sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(c.expire, VXLAN_EXPIRE_DEF);
	cr_assert_str_eq(c.ifname, "lo");
	cr_assert_gt(c.ifindex, 0);
	cr_assert_eq(vxlan_url_parse("ff05::42/vni=0", &c, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.vni, 0);
}

Test(vxlan, url_remotes)
{
	struct vxlan_conf c;
	char err[512];

	cr_assert_eq(vxlan_url_parse("198.18.0.2,198.18.0.3/vni=16777215/"
				     "local=198.18.0.1",
				     &c, err, sizeof(err)),
		     0, "%s", err);
	cr_assert(!c.mcast);
	cr_assert_eq(c.nremotes, 2);
	cr_assert_eq(c.vni, VXLAN_VNI_MAX);
	cr_assert_eq(((struct sockaddr_in *)&c.remotes[1].ss)->sin_addr.s_addr,
		     inet_addr("198.18.0.3"));
	cr_assert_eq(port_of(&c.remotes[0]), 4789);
	cr_assert(c.has_local);
	cr_assert_eq(port_of(&c.local), 4789);
	cr_assert_eq(vxlan_url_parse("[2001:db8::1],2001:db8::2", &c, err,
				     sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.nremotes, 2);
}

/* Each refusal, with the URL quoted back. */
static void refused(const char *rest, int want, const char *says)
{
	struct vxlan_conf c;
	char err[512] = "";

	cr_expect_eq(vxlan_url_parse(rest, &c, err, sizeof(err)), want,
		     "'%s' gave '%s'", rest, err);
	cr_expect(strstr(err, "vxlan://"), "'%s': no URL in '%s'", rest, err);
	cr_expect(strstr(err, says), "'%s': '%s' lacks '%s'", rest, err,
		  says);
}

Test(vxlan, url_refused)
{
	char big[400];

	refused("/vni=16777216", -EINVAL, "vni=16777216: expected 0 to "
					  "16777215");
	refused("/vni=-1", -EINVAL, "vni=-1");
	refused("/vni=", -EINVAL, "vni=");
	refused("/vni=4x", -EINVAL, "vni=4x");
	refused("/port=0", -EINVAL, "port=0");
	refused("/port=65536", -EINVAL, "port=65536");
	refused("/ttl=256", -EINVAL, "ttl=256");
	refused("/hashsize=0", -EINVAL, "hashsize=0");
	refused("/expiretime=x", -EINVAL, "expiretime=x");
	refused("/rcvbuf=2T", -EINVAL, "rcvbuf=2T");
	refused("/rcvbuf=", -EINVAL, "rcvbuf=");
	refused("/if=nosuchif0", -ENODEV, "if=nosuchif0: no such interface");
	refused("/if=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -ENODEV,
		"no such interface");
	refused("/bogus=1", -EINVAL, "unknown option 'bogus'");
	refused("/bogus", -EINVAL, "unknown option 'bogus'");
	refused("localhost", -EINVAL, "'localhost': expected an IPv4 or IPv6");
	refused("1.2.3.4.5", -EINVAL, "1.2.3.4.5");
	refused("198.18.0.2:4789", -EINVAL, "198.18.0.2:4789");
	refused("[198.18.0.2", -EINVAL, "[198.18.0.2");
	refused("198.18.0.2,", -EINVAL, "'': expected an IPv4 address");
	refused("198.18.0.2,,198.18.0.3", -EINVAL, "expected an IPv4");
	refused("198.18.0.2,239.1.1.1", -EINVAL, "cannot be one of several");
	refused("239.1.1.1,198.18.0.2", -EINVAL, "cannot be one of several");
	refused("0.0.0.0", -EINVAL, "is not a remote address");
	refused("198.18.0.2/v6", -EINVAL, "expected an IPv6");
	refused("2001:db8::1/v4", -EINVAL, "expected an IPv4");
	refused("198.18.0.2,2001:db8::1", -EINVAL, "2001:db8::1");
	refused("239.1.1.1/local=198.18.0.1", -EINVAL, "choose the interface with if=");
	refused("198.18.0.2/local=2001:db8::1", -EINVAL, "local=2001:db8::1");
	refused("198.18.0.2/local=239.1.1.1", -EINVAL, "a multicast address");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, -EINVAL, "too long");
	leak_check();
}

Test(vxlan, url_many_remotes)
{
	char url[2048] = "";
	struct vxlan_conf c;
	char err[512];
	size_t off = 0;
	int i;

	/* the address list is bounded by length before count */
	for (i = 0; i < 30; i++)
		off += (size_t)snprintf(url + off, sizeof(url) - off,
					"%s198.18.1.%d", i ? "," : "", i + 1);
	cr_assert_eq(vxlan_url_parse(url, &c, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "too long"), "%s", err);
	url[200] = '\0';
	*strrchr(url, ',') = '\0';
	cr_assert_eq(vxlan_url_parse(url, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(c.nremotes, 10);
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	a.sin_addr.s_addr = inet_addr(ip);
	return a;
}

Test(vxlan, fdb_learn_lookup_age)
{
	struct vxlan_fdb *f = vxlan_fdb_create(16, 10);
	struct sockaddr_in a = v4("198.18.0.2", 4789), b = v4("198.18.0.3", 4789);
	const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, m2[6] = { 2, 0, 0, 0, 0, 2 };
	const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int va, vb;

	cr_assert_not_null(f);
	va = vxlan_fdb_vtep(f, (struct sockaddr *)&a, sizeof(a), false, 100);
	vb = vxlan_fdb_vtep(f, (struct sockaddr *)&b, sizeof(b), true, 100);
	cr_assert_geq(va, 0);
	cr_assert_geq(vb, 0);
	cr_assert_neq(va, vb);
	cr_assert_eq(vxlan_fdb_vtep(f, (struct sockaddr *)&a, sizeof(a), false,
				    101),
		     va);
	cr_assert_eq(vxlan_fdb_nvteps(f), 2);
	cr_assert_eq(vxlan_fdb_learn(f, m1, va, 100), 0);
	cr_assert_eq(vxlan_fdb_learn(f, bc, va, 100), -EINVAL);
	cr_assert_eq(vxlan_fdb_lookup(f, m1, 105), va);
	cr_assert_eq(vxlan_fdb_lookup(f, m2, 105), -1);
	cr_assert_eq(vxlan_fdb_lookup(f, bc, 105), -1);
	/* a move is at once */
	cr_assert_eq(vxlan_fdb_learn(f, m1, vb, 106), 0);
	cr_assert_eq(vxlan_fdb_lookup(f, m1, 106), vb);
	cr_assert_eq(vxlan_fdb_vtep_macs(f, (unsigned)va), 0);
	cr_assert_eq(vxlan_fdb_vtep_macs(f, (unsigned)vb), 1);
	/* aged: not found, then gone; the learned VTEP without MACs goes,
	 * the static one stays */
	cr_assert_eq(vxlan_fdb_lookup(f, m1, 116), -1);
	vxlan_fdb_expire(f, 116);
	cr_assert_eq(vxlan_fdb_nmacs(f), 0);
	cr_assert_null(vxlan_fdb_vtep_at(f, (unsigned)va));
	cr_assert_not_null(vxlan_fdb_vtep_at(f, (unsigned)vb));
	cr_assert_eq(vxlan_fdb_nvteps(f), 1);
	vxlan_fdb_destroy(f);
	leak_check();
}

Test(vxlan, fdb_bounds)
{
	struct vxlan_fdb *f = vxlan_fdb_create(8, 300);
	struct sockaddr_in a = v4("198.18.0.2", 4789), b = v4("198.18.0.3", 4789);
	uint8_t m[6] = { 2, 0, 0, 0, 0, 0 };
	char ip[32];
	int va, vb, i, full = 0;

	va = vxlan_fdb_vtep(f, (struct sockaddr *)&a, sizeof(a), false, 1);
	vb = vxlan_fdb_vtep(f, (struct sockaddr *)&b, sizeof(b), false, 1);
	m[5] = 0xb;
	vxlan_fdb_learn(f, m, vb, 1);
	/* a flood of source MACs from one VTEP: the bound holds, and the
	 * other VTEP's MAC is not pushed out */
	for (i = 0; i < 1000; i++) {
		m[3] = (uint8_t)(i >> 8);
		m[4] = (uint8_t)i;
		m[5] = 1;
		vxlan_fdb_learn(f, m, va, 2);
	}
	cr_assert_leq(vxlan_fdb_nmacs(f), 8);
	cr_assert_gt(vxlan_fdb_evictions(f), 0);
	m[3] = m[4] = 0;
	m[5] = 0xb;
	cr_assert_eq(vxlan_fdb_lookup(f, m, 3), vb);
	/* a flood of source addresses: the VTEP table is bounded too; VTEPs
	 * without MACs make room */
	for (i = 0; i < 2 * VXLAN_VTEP_MAX; i++) {
		struct sockaddr_in c;

		snprintf(ip, sizeof(ip), "198.19.%d.%d", i >> 8, i & 255);
		c = v4(ip, 4789);
		if (vxlan_fdb_vtep(f, (struct sockaddr *)&c, sizeof(c), true,
				   3) == -ENOSPC)
			full++;
	}
	cr_assert_gt(full, 0);
	cr_assert_eq(vxlan_fdb_refused(f), (uint64_t)full);
	cr_assert_eq(vxlan_fdb_nvteps(f), VXLAN_VTEP_MAX);
	cr_assert_eq(vxlan_fdb_lookup(f, m, 3), vb);
	vxlan_fdb_destroy(f);
	leak_check();
}
