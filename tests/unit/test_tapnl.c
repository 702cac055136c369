/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_tapnl.c - the TAP netlink configuration module against the real
 * kernel: settings applied and read back through libnl, put back by
 * tapnl_revert(), nothing left behind by a failure in the middle, the
 * messages for bad input, missing devices and a missing CAP_NET_ADMIN.
 *
 * Safety: every test that creates or changes an interface first enters a
 * network namespace of its own (unshare(CLONE_NEWNET) in the suite's
 * .init, which Criterion runs in the test's own process); the namespace
 * and everything in it go away with that process. Only documentation
 * addresses (198.18.0.0/15, 2001:db8::/32) are used. Nothing runs ip(8):
 * devices are made with TUNSETIFF and libnl (in that netns), and read
 * back with libnl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "netlink.h"

#define ERRLEN 512

/*
 * Enter a new network namespace, or skip (fail under CI=true). There is no
 * fallback to a user namespace for non-root runs: unshare(CLONE_NEWUSER)
 * wants a single-threaded process, and a Criterion test worker with a
 * .timeout is not one (EINVAL).
 */
static void enter_netns(void)
{
	const char *ci = getenv("CI");
	int e;

	if (unshare(CLONE_NEWNET) == 0)
		return;
	e = errno;
	if (ci && !strcmp(ci, "true"))
		cr_assert_fail("unshare(CLONE_NEWNET): %s: these tests need "
			       "root (CAP_SYS_ADMIN) for a network namespace "
			       "of their own; under CI=true that is a failure",
			       strerror(e));
	cr_skip_test("unshare(CLONE_NEWNET): %s: these tests need root "
		     "(CAP_SYS_ADMIN) for a network namespace of their own",
		     strerror(e));
}

/*
 * The same .timeout for both suites: with two different ones, Criterion's
 * runner (2.4.1) leaks 48 bytes of its own and LeakSanitizer reports it.
 */
TestSuite(tapnl, .init = enter_netns, .timeout = 30);
TestSuite(tapnl_parse, .timeout = 30);

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	cr_assert_not_null(sk);
	cr_assert_eq(nl_connect(sk, NETLINK_ROUTE), 0);
	return sk;
}

/* A TAP named @name in this namespace; it lives while the fd is open. */
static int tap_create(const char *name)
{
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* in the netns of the suite's .init */
	cr_assert_eq(ioctl(fd, TUNSETIFF, &ifr), 0, /* netns */
		     "TUNSETIFF %s: %s", name, strerror(errno)); /* netns */
	return fd;
}

static void bridge_create(const char *name)
{
	struct nl_sock *sk = nl_open();
	int rc = rtnl_link_bridge_add(sk, name);

	cr_assert_eq(rc, 0, "adding bridge %s: %s", name, nl_geterror(rc));
	nl_socket_free(sk);
}

static void veth_create(const char *name, const char *peer)
{
	struct nl_sock *sk = nl_open();
	int rc = rtnl_link_veth_add(sk, name, peer, getpid());

	cr_assert_eq(rc, 0, "adding veth %s: %s", name, nl_geterror(rc));
	nl_socket_free(sk);
}

struct linkstate {
	int ifindex;
	unsigned flags;
	unsigned mtu;
	uint8_t mac[6];
	int master;
};

static void link_read(const char *name, struct linkstate *ls)
{
	struct nl_sock *sk = nl_open();
	struct rtnl_link *link = NULL;
	struct nl_addr *a;
	int rc;

	rc = rtnl_link_get_kernel(sk, 0, name, &link);
	cr_assert_eq(rc, 0, "reading %s: %s", name, nl_geterror(rc));
	memset(ls, 0, sizeof(*ls));
	ls->ifindex = rtnl_link_get_ifindex(link);
	ls->flags = rtnl_link_get_flags(link);
	ls->mtu = rtnl_link_get_mtu(link);
	ls->master = rtnl_link_get_master(link);
	a = rtnl_link_get_addr(link);
	cr_assert(a && nl_addr_get_len(a) == 6);
	memcpy(ls->mac, nl_addr_get_binary_addr(a), 6);
	rtnl_link_put(link);
	nl_socket_free(sk);
}

static void assert_same_link(const struct linkstate *a,
			     const struct linkstate *b)
{
	cr_assert_eq(a->ifindex, b->ifindex);
	cr_assert_eq(a->flags & IFF_UP, b->flags & IFF_UP, "IFF_UP differs");
	cr_assert_eq(a->mtu, b->mtu, "MTU %u, was %u", a->mtu, b->mtu);
	cr_assert_arr_eq(a->mac, b->mac, 6, "MAC differs");
	cr_assert_eq(a->master, b->master, "master %d, was %d", a->master,
		     b->master);
}

static struct tapnl_addr A(const char *s)
{
	struct tapnl_addr a;
	char err[ERRLEN];

	cr_assert_eq(tapnl_parse_addr(s, &a, err, sizeof(err)), 0, "%s",
		     err);
	return a;
}

/* Does interface @ifindex have address @s (with its prefix length)? */
static bool has_addr(int ifindex, const char *s)
{
	struct tapnl_addr want = A(s);
	struct nl_sock *sk = nl_open();
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	bool found = false;

	cr_assert_eq(rtnl_addr_alloc_cache(sk, &cache), 0);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(ra);

		if (rtnl_addr_get_ifindex(ra) == ifindex &&
		    rtnl_addr_get_family(ra) == want.family && l &&
		    (unsigned)rtnl_addr_get_prefixlen(ra) == want.prefixlen &&
		    !memcmp(nl_addr_get_binary_addr(l), want.addr,
			    want.family == AF_INET ? 4 : 16))
			found = true;
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return found;
}

/* Addresses of @ifindex other than IPv6 link-local ones. */
static unsigned count_addrs(int ifindex)
{
	struct nl_sock *sk = nl_open();
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	unsigned n = 0;

	cr_assert_eq(rtnl_addr_alloc_cache(sk, &cache), 0);
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(ra);
		const uint8_t *b = l ? nl_addr_get_binary_addr(l) : NULL;

		if (rtnl_addr_get_ifindex(ra) != ifindex || !b)
			continue;
		if (rtnl_addr_get_family(ra) == AF_INET6 && b[0] == 0xfe &&
		    (b[1] & 0xc0) == 0x80)
			continue;
		n++;
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return n;
}

/* Add @s to @ifindex directly with libnl: an address found there. */
static void addr_add_raw(int ifindex, const char *s)
{
	struct tapnl_addr t = A(s);
	struct nl_sock *sk = nl_open();
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *l;
	int rc;

	l = nl_addr_build(t.family, t.addr, t.family == AF_INET ? 4 : 16);
	cr_assert_not_null(l);
	nl_addr_set_prefixlen(l, (int)t.prefixlen);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_local(ra, l);
	rtnl_addr_set_prefixlen(ra, (int)t.prefixlen);
	rc = rtnl_addr_add(sk, ra, 0);
	cr_assert_eq(rc, 0, "adding %s: %s", s, nl_geterror(rc));
	nl_addr_put(l);
	rtnl_addr_put(ra);
	nl_socket_free(sk);
}

static void set_disable_ipv6(const char *ifname)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fputs("1\n", f) >= 0 && fclose(f) == 0, true);
}

static const uint8_t mac1[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

/* ---------------------------------------------------------------- */

Test(tapnl_parse, good)
{
	static const struct {
		const char *s;
		int family;
		unsigned plen;
		const char *back;
	} rows[] = {
		{ "198.18.0.1/24", AF_INET, 24, "198.18.0.1/24" },
		{ "198.19.255.254/32", AF_INET, 32, "198.19.255.254/32" },
		{ "198.18.0.1/1", AF_INET, 1, "198.18.0.1/1" },
		{ "2001:db8::1/64", AF_INET6, 64, "2001:db8::1/64" },
		{ "2001:DB8:0:0::2/128", AF_INET6, 128, "2001:db8::2/128" },
		{ "fe80::1/64", AF_INET6, 64, "fe80::1/64" },
	};
	char buf[TAPNL_ADDRSTRLEN];
	struct tapnl_addr a;
	unsigned i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cr_assert_eq(tapnl_parse_addr(rows[i].s, &a, NULL, 0), 0,
			     "%s", rows[i].s);
		cr_assert_eq(a.family, rows[i].family, "%s", rows[i].s);
		cr_assert_eq(a.prefixlen, rows[i].plen, "%s", rows[i].s);
		tapnl_format_addr(&a, buf);
		cr_assert_str_eq(buf, rows[i].back);
	}
	a = A("198.18.0.1/24");
	cr_assert_arr_eq(a.addr, ((uint8_t[]){ 198, 18, 0, 1 }), 4);
	leak_check();
}

Test(tapnl_parse, bad)
{
	static const char *const rows[] = {
		"198.18.0.1",	    "198.18.0.1/33",  "::1/129",
		"abc/24",	    "",		      "1.2.3.4/24x",
		"198.18.0.1/0",	    "/24",	      "198.18.0.1/",
		"198.18.0.1/24/1",  " 198.18.0.1/24", "198.18.0.1/ 24",
		"198.18.0.1/+24",   "198.18.0.1/-1",  "1.2.3/24",
		"198.18.0.01/24",   "224.0.0.1/24",   "0.0.0.0/8",
		"255.255.255.255/32", "127.0.0.1/8",  "::/64",
		"::1/128",	    "ff02::1/64",     "fe80::1%lo/64",
		"2001:db8::1::2/64", "2001:db8::g/64",
		"198.18.0.1/99999999999999999999",
	};
	struct tapnl_addr a, untouched;
	char err[ERRLEN];
	unsigned i;

	memset(&untouched, 0xa5, sizeof(untouched));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char quoted[128];

		a = untouched;
		err[0] = '\0';
		cr_assert_eq(tapnl_parse_addr(rows[i], &a, err, sizeof(err)),
			     -EINVAL, "\"%s\" was accepted", rows[i]);
		snprintf(quoted, sizeof(quoted), "\"%s\"", rows[i]);
		cr_assert_not_null(strstr(err, quoted),
				   "message for \"%s\" does not quote it: %s",
				   rows[i], err);
		cr_assert_arr_eq(&a, &untouched, sizeof(a));
	}
	cr_assert_eq(tapnl_parse_addr(NULL, &a, err, sizeof(err)), -EINVAL);
	/* no message buffer is fine */
	cr_assert_eq(tapnl_parse_addr("abc/24", &a, NULL, 0), -EINVAL);
	leak_check();
}

/* ---------------------------------------------------------------- */

Test(tapnl, apply_read_back_and_revert)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1400, .set_mac = true };
	struct linkstate before, after, back;
	struct tapnl_undo *undo = NULL;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	memcpy(cfg.mac, mac1, 6);
	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24");
	cfg.addrs[cfg.naddrs++] = A("2001:db8::1/64");
	link_read("tap0", &before);
	cr_assert_eq(before.flags & IFF_UP, 0u);
	cr_assert_eq(before.mtu, 1500u);

	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_not_null(undo);
	link_read("tap0", &after);
	cr_assert_eq(after.ifindex, before.ifindex);
	cr_assert_neq(after.flags & IFF_UP, 0u);
	cr_assert_eq(after.mtu, 1400u);
	cr_assert_arr_eq(after.mac, mac1, 6);
	cr_assert_eq(after.master, 0);
	cr_assert(has_addr(after.ifindex, "198.18.0.1/24"));
	cr_assert(has_addr(after.ifindex, "2001:db8::1/64"));
	cr_assert_eq(count_addrs(after.ifindex), 2u);
	cr_assert_eq(tapnl_ifindex("tap0"), before.ifindex);

	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	link_read("tap0", &back);
	assert_same_link(&back, &before);
	cr_assert_eq(count_addrs(back.ifindex), 0u);
	close(fd);
	leak_check();
}

Test(tapnl, revert_keeps_addresses_found)
{
	struct tapnl_config cfg = { .up = true };
	struct tapnl_undo *undo = NULL;
	struct linkstate ls;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	link_read("tap0", &ls);
	addr_add_raw(ls.ifindex, "198.18.1.1/24");
	addr_add_raw(ls.ifindex, "198.18.0.1/24");
	addr_add_raw(ls.ifindex, "2001:db8:1::1/64");
	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24"); /* already there */
	cfg.addrs[cfg.naddrs++] = A("198.18.0.2/24");
	cfg.addrs[cfg.naddrs++] = A("2001:db8::2/64");
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(count_addrs(ls.ifindex), 5u);

	/*
	 * Setting the link down again makes the kernel flush its IPv6
	 * addresses; the revert adds back 2001:db8:1::1, which was there.
	 */
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	cr_assert(has_addr(ls.ifindex, "198.18.1.1/24"));
	cr_assert(has_addr(ls.ifindex, "198.18.0.1/24"));
	cr_assert(has_addr(ls.ifindex, "2001:db8:1::1/64"));
	cr_assert_not(has_addr(ls.ifindex, "198.18.0.2/24"));
	cr_assert_not(has_addr(ls.ifindex, "2001:db8::2/64"));
	cr_assert_eq(count_addrs(ls.ifindex), 3u);
	link_read("tap0", &ls);
	cr_assert_eq(ls.flags & IFF_UP, 0u);
	close(fd);
	leak_check();
}

Test(tapnl, unchanged_values_are_not_recorded)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1500, .set_mac = true };
	struct linkstate before, after;
	struct tapnl_undo *undo = NULL;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	link_read("tap0", &before);
	memcpy(cfg.mac, before.mac, 6);
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	/* brought up by us: revert sets it down; MTU and MAC untouched */
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	link_read("tap0", &after);
	assert_same_link(&after, &before);

	/* a link found up stays up after the revert */
	cfg = (struct tapnl_config){ .up = true };
	cr_assert_eq(tapnl_configure("tap0", &cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	link_read("tap0", &after);
	cr_assert_neq(after.flags & IFF_UP, 0u);

	/* an empty configuration changes nothing */
	cfg = (struct tapnl_config){ 0 };
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_not_null(undo);
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(tapnl_revert(NULL, err, sizeof(err)), 0);
	tapnl_forget(NULL);
	close(fd);
	leak_check();
}

Test(tapnl, bridge_enslave_and_revert)
{
	struct tapnl_config cfg = { .bridge = "br0" };
	struct linkstate br0, br1, ls;
	struct tapnl_undo *undo = NULL;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	bridge_create("br0");
	bridge_create("br1");
	link_read("br0", &br0);
	link_read("br1", &br1);

	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.master, br0.ifindex);
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.master, 0);

	/* found in br1, moved to br0, put back in br1 */
	cfg.bridge = "br1";
	cr_assert_eq(tapnl_configure("tap0", &cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	cfg.bridge = "br0";
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.master, br0.ifindex);
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.master, br1.ifindex);
	close(fd);
	leak_check();
}

Test(tapnl, errors_before_any_change)
{
	struct tapnl_config cfg = { .up = true };
	struct linkstate before, after;
	struct tapnl_undo *undo = (struct tapnl_undo *)&cfg; /* set to NULL */
	char err[ERRLEN];
	int fd = tap_create("tap0");
	static const unsigned bad_mtu[] = { 1, 67, 9217, 65535 };
	unsigned i;

	veth_create("veth0", "veth1");
	link_read("tap0", &before);

	cr_assert_eq(tapnl_configure("nosuch0", &cfg, &undo, err, sizeof(err)),
		     -ENODEV);
	cr_assert_null(undo);
	cr_assert_str_eq(err, "interface nosuch0 does not exist");
	cr_assert_eq(tapnl_ifindex("nosuch0"), -ENODEV);
	cr_assert_eq(tapnl_ifindex(""), -EINVAL);
	cr_assert_eq(tapnl_ifindex("a-name-far-too-long"), -EINVAL);
	cr_assert_eq(tapnl_configure("a-name-far-too-long", &cfg, &undo, err,
				     sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "\"a-name-far-too-long\""), "%s", err);

	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24");
	cfg.bridge = "br9";
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -ENODEV);
	cr_assert_str_eq(err, "bridge br9 does not exist");

	cfg.bridge = "veth0";
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "veth0 is not a bridge (its link type is veth)");
	cfg.bridge = "lo";
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "lo is not a bridge"), "%s", err);
	cfg.bridge = NULL;

	for (i = 0; i < sizeof(bad_mtu) / sizeof(bad_mtu[0]); i++) {
		char want[64];

		cfg.mtu = bad_mtu[i];
		cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err,
					     sizeof(err)),
			     -EINVAL, "MTU %u", bad_mtu[i]);
		snprintf(want, sizeof(want), "MTU %u for tap0 not in 68..9216",
			 bad_mtu[i]);
		cr_assert_str_eq(err, want);
	}

	/* IPv6 needs an MTU of 1280 */
	cfg.mtu = 1279;
	cfg.addrs[cfg.naddrs++] = A("2001:db8::1/64");
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cr_assert_not_null(strstr(err, "2001:db8::1/64"), "%s", err);
	cfg.mtu = 0;

	cfg.set_mac = true;
	memcpy(cfg.mac, (uint8_t[]){ 0x03, 0, 0x5e, 0, 0, 1 }, 6);
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err,
			 "MAC 03:00:5e:00:00:01 for tap0 is not a unicast "
			 "address");
	cfg.set_mac = false;

	cfg.naddrs = TAPNL_MAX_ADDRS + 1;
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cfg.naddrs = 1;
	cfg.addrs[0].prefixlen = 33;
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(tapnl_configure("tap0", NULL, &undo, err, sizeof(err)),
		     -EINVAL);

	link_read("tap0", &after);
	assert_same_link(&after, &before);
	cr_assert_eq(count_addrs(after.ifindex), 0u);
	cr_assert_null(undo);
	close(fd);
	leak_check();
}

Test(tapnl, mtu_limits_accepted)
{
	struct tapnl_config cfg = { .mtu = TAPNL_MTU_MIN };
	struct linkstate ls;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	cr_assert_eq(tapnl_configure("tap0", &cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.mtu, 68u);
	cfg.mtu = TAPNL_MTU_MAX;
	cr_assert_eq(tapnl_configure("tap0", &cfg, NULL, err, sizeof(err)), 0,
		     "%s", err);
	link_read("tap0", &ls);
	cr_assert_eq(ls.mtu, 9216u);
	close(fd);
	leak_check();
}

/*
 * The kernel refuses the IPv6 address (IPv6 is disabled on the device)
 * after MTU, MAC, master and the IPv4 address were set: all of it is put
 * back, and the message says which address failed.
 */
Test(tapnl, kernel_failure_midway_leaves_device_as_found)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1400, .set_mac = true,
				    .bridge = "br0" };
	struct tapnl_undo *undo = (struct tapnl_undo *)&cfg;
	struct linkstate before, after;
	char err[ERRLEN];
	int fd = tap_create("tap0"), rc;

	bridge_create("br0");
	set_disable_ipv6("tap0");
	link_read("tap0", &before);
	addr_add_raw(before.ifindex, "198.18.1.1/24");
	memcpy(cfg.mac, mac1, 6);
	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24");
	cfg.addrs[cfg.naddrs++] = A("2001:db8::1/64");
	rc = tapnl_configure("tap0", &cfg, &undo, err, sizeof(err));
	cr_assert_lt(rc, 0);
	cr_assert_null(undo);
	cr_assert_not_null(strstr(err, "adding 2001:db8::1/64 to tap0: "),
			   "%s", err);
	cr_assert_null(strstr(err, "putting"), "%s", err);
	cr_log_info("kernel refusal: %d, \"%s\"", rc, err);

	link_read("tap0", &after);
	assert_same_link(&after, &before);
	cr_assert_not(has_addr(after.ifindex, "198.18.0.1/24"));
	cr_assert(has_addr(after.ifindex, "198.18.1.1/24"));
	cr_assert_eq(count_addrs(after.ifindex), 1u);
	close(fd);
	leak_check();
}

/* The bridge is checked before anything changes. */
Test(tapnl, missing_bridge_after_addresses_changes_nothing)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1400, .set_mac = true,
				    .bridge = "br9" };
	struct tapnl_undo *undo = NULL;
	struct linkstate before, after;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	link_read("tap0", &before);
	memcpy(cfg.mac, mac1, 6);
	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24");
	cfg.addrs[cfg.naddrs++] = A("2001:db8::1/64");
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     -ENODEV);
	cr_assert_str_eq(err, "bridge br9 does not exist");
	link_read("tap0", &after);
	assert_same_link(&after, &before);
	cr_assert_eq(count_addrs(after.ifindex), 0u);
	close(fd);
	leak_check();
}

/*
 * Run @fn in a child without CAP_NET_ADMIN; its exit status is returned.
 * @nobody: the child becomes uid/gid 65534 (no capabilities at all);
 * otherwise it stays uid 0 and drops CAP_NET_ADMIN alone.
 */
static int without_net_admin(int (*fn)(void *), void *arg, bool nobody)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const unsigned i = CAP_TO_INDEX(CAP_NET_ADMIN);
	const uint32_t bit = CAP_TO_MASK(CAP_NET_ADMIN);
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (nobody) {
			if (setgid(65534) || setuid(65534))
				_exit(102);
			_exit(fn(arg));
		}
		if (syscall(SYS_capget, &h, d))
			_exit(100);
		d[i].effective &= ~bit;
		d[i].permitted &= ~bit;
		d[i].inheritable &= ~bit;
		if (syscall(SYS_capset, &h, d))
			_exit(101);
		_exit(fn(arg));
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "child status %#x", st);
	return WEXITSTATUS(st);
}

static const char cap_msg[] = "configuring tap0 needs CAP_NET_ADMIN (run as "
			      "root, or have root prepare the device)";

static int noadmin_configures(void *arg)
{
	const struct tapnl_config *cfg = arg;
	struct tapnl_undo *undo = NULL;
	char err[ERRLEN];
	int rc = tapnl_configure("tap0", cfg, &undo, err, sizeof(err));

	if (rc != -EPERM)
		return 1;
	if (strcmp(err, cap_msg))
		return 2;
	if (undo)
		return 3;
	return 0;
}

static int noadmin_reverts(void *arg)
{
	char err[ERRLEN];
	int rc = tapnl_revert(arg, err, sizeof(err));

	if (rc != -EPERM)
		return 1;
	if (strcmp(err, cap_msg))
		return 2;
	return 0;
}

Test(tapnl, eperm_without_cap_net_admin)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1400 };
	struct tapnl_undo *undo = NULL;
	struct linkstate before, after, set;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	link_read("tap0", &before);
	cfg.addrs[cfg.naddrs++] = A("198.18.0.1/24");
	cr_assert_eq(without_net_admin(noadmin_configures, &cfg, false), 0);
	cr_assert_eq(without_net_admin(noadmin_configures, &cfg, true), 0);
	link_read("tap0", &after);
	assert_same_link(&after, &before);
	cr_assert_eq(count_addrs(after.ifindex), 0u);

	/* the addresses alone need it too */
	cfg = (struct tapnl_config){ .naddrs = 1 };
	cfg.addrs[0] = A("198.18.0.1/24");
	cr_assert_eq(without_net_admin(noadmin_configures, &cfg, false), 0);

	/* a revert without it fails and changes nothing */
	cfg.up = true;
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	link_read("tap0", &set);
	cr_assert_eq(without_net_admin(noadmin_reverts, undo, true), 0);
	link_read("tap0", &after);
	assert_same_link(&after, &set);
	cr_assert(has_addr(after.ifindex, "198.18.0.1/24"));
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), 0, "%s", err);
	close(fd);
	leak_check();
}

Test(tapnl, revert_after_device_gone)
{
	struct tapnl_config cfg = { .up = true, .mtu = 1400 };
	struct tapnl_undo *undo = NULL;
	char err[ERRLEN];
	int fd = tap_create("tap0");

	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	close(fd); /* a non-persistent TAP goes with its fd */
	cr_assert_eq(tapnl_ifindex("tap0"), -ENODEV);
	cr_assert_eq(tapnl_revert(undo, err, sizeof(err)), -ENODEV);
	cr_assert_str_eq(err, "tap0 no longer exists: nothing to put back");

	fd = tap_create("tap0");
	cr_assert_eq(tapnl_configure("tap0", &cfg, &undo, err, sizeof(err)),
		     0, "%s", err);
	close(fd);
	tapnl_forget(undo);
	leak_check();
}
