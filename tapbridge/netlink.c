/* SPDX-License-Identifier: GPL-2.0-or-later
 * netlink.c - configure a TAP (or any existing interface) through
 * rtnetlink with libnl-route-3, and put it back as it was found.
 *
 * tapnl_configure() first checks everything it can without changing
 * anything: the configuration itself, that the interface exists, that the
 * bridge exists and is one, that an IPv6 address will have an MTU of at
 * least 1280. Then it makes one rtnetlink request per change, in this
 * order: MTU, MAC, master, addresses, link up. Each change that succeeds is
 * written into the undo record with the value it replaced; on the first
 * failure the record is played back (undo_apply()) and freed, so nothing is
 * left half-configured. Link changes are RTM_NEWLINK requests through
 * rtnl_link_change() against a freshly read copy of the link; addresses
 * are RTM_NEWADDR with NLM_F_EXCL, so an address that was already there is
 * seen (EEXIST), left alone and never recorded.
 *
 * The kernel flushes an interface's IPv6 addresses when it goes down (with
 * the default keep_addr_on_down=0) and when its MTU drops below 1280. When
 * tapnl_configure() brings the link up or changes the MTU, it therefore
 * notes the IPv6 addresses the interface had, and undo_apply() adds back
 * those that the revert (bringing it down, restoring the MTU) made the
 * kernel drop.
 *
 * libnl reports errors as its own NLE_* codes, which merge several errno
 * values. A per-socket error callback keeps the kernel's errno and its
 * extended-ack message (NETLINK_EXT_ACK), so callers get -errno and the
 * kernel's reason; nle_errno() maps what libnl reports by itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "netlink.h"
#include "parse.h"

#define TAPNL_IPV6_MIN_MTU 1280

/* What tapnl_configure() changed; the bits of tapnl_undo.changed */
#define CH_UP 0x1
#define CH_MTU 0x2
#define CH_MAC 0x4
#define CH_MASTER 0x8

/**
 * struct tapnl_undo - what to put back on one interface
 * @ifname:	the name it had, for messages
 * @ifindex:	the interface; names can change, the index does not
 * @changed:	CH_* bits: which of the values below are to be restored
 * @old_mtu:	the MTU before (CH_MTU)
 * @old_mac:	the MAC address before (CH_MAC)
 * @old_master:	the master's ifindex before, 0 for none (CH_MASTER)
 * @added:	addresses tapnl_configure() added, in that order
 * @nadded:	entries used in @added
 * @kept:	permanent, non-link-local IPv6 addresses the interface had
 *		when the link was brought up or the MTU changed; the kernel
 *		may flush them on the revert, which adds them back
 * @nkept:	entries in @kept
 */
struct tapnl_undo {
	char ifname[IFNAMSIZ];
	int ifindex;
	unsigned changed;
	unsigned old_mtu;
	uint8_t old_mac[6];
	int old_master;
	struct tapnl_addr added[TAPNL_MAX_ADDRS];
	unsigned nadded;
	struct tapnl_addr *kept;
	unsigned nkept;
};

/**
 * struct nlctx - an rtnetlink socket and the kernel's last error on it
 * @sk:		the libnl socket
 * @syserr:	-errno from the kernel's last NLMSG_ERROR, 0 if none
 * @extack:	the kernel's extended-ack message with it, "" if none
 *
 * The error callback keeps a pointer to this: it must not move while @sk
 * is open.
 */
struct nlctx {
	struct nl_sock *sk;
	int syserr;
	char extack[160];
};

enum link_attr { LA_UP, LA_MTU, LA_MAC, LA_MASTER };

__attribute__((format(printf, 4, 5))) static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* libnl's own error codes, for when the kernel's errno was not seen. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
		return -EPERM;
	default:
		return -EIO;
	}
}

/* NLMSG_ERROR from the kernel: keep its errno and extended-ack message. */
static int ctx_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlctx *c = arg;
	struct nlattr *a;
	size_t off;

	(void)nla;
	c->syserr = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (h->nlmsg_len <= off)
		return NL_STOP;
	a = nla_find((struct nlattr *)((char *)h + off),
		     (int)(h->nlmsg_len - off), NLMSGERR_ATTR_MSG);
	if (a && nla_len(a) > 0)
		snprintf(c->extack, sizeof(c->extack), "%.*s",
			 (int)strnlen(nla_data(a), (size_t)nla_len(a)),
			 (const char *)nla_data(a));
	return NL_STOP;
}

static void ctx_reset(struct nlctx *c)
{
	c->syserr = 0;
	c->extack[0] = '\0';
}

/* -errno for libnl's result @rc, preferring what the kernel said. */
static int ctx_result(const struct nlctx *c, int rc)
{
	if (rc >= 0)
		return 0;
	if (c->syserr < 0)
		return c->syserr;
	return nle_errno(rc);
}

static int ctx_open(struct nlctx *c, char *err, size_t errlen)
{
	int one = 1, rc;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return fail(err, errlen, -ENOMEM, "netlink socket: %s",
			    strerror(ENOMEM));
	rc = nl_connect(c->sk, NETLINK_ROUTE);
	if (rc < 0) {
		rc = nle_errno(rc);
		nl_socket_free(c->sk);
		c->sk = NULL;
		return fail(err, errlen, rc, "netlink socket: %s",
			    strerror(-rc));
	}
	nl_socket_modify_err_cb(c->sk, NL_CB_CUSTOM, ctx_err_cb, c);
	/* Only for better messages: older kernels may refuse them. */
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	return 0;
}

static void ctx_close(struct nlctx *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

/*
 * A failed request: the CAP_NET_ADMIN message for EPERM, otherwise "WHAT:
 * strerror (kernel's reason)".
 */
__attribute__((format(printf, 6, 7))) static int
step_fail(const struct nlctx *c, int rc, const char *ifname, char *err,
	  size_t errlen, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (rc == -EPERM)
		return fail(err, errlen, rc,
			    "configuring %s needs CAP_NET_ADMIN (run as root, "
			    "or have root prepare the device)",
			    ifname);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->extack[0])
		return fail(err, errlen, rc, "%s: %s (%s)", what, strerror(-rc),
			    c->extack);
	return fail(err, errlen, rc, "%s: %s", what, strerror(-rc));
}

static int get_link(struct nlctx *c, int ifindex, const char *name,
		    struct rtnl_link **link)
{
	int rc;

	ctx_reset(c);
	rc = rtnl_link_get_kernel(c->sk, ifindex, name, link);
	return ctx_result(c, rc);
}

/* One RTM_NEWLINK request changing one attribute of @ifindex. */
static int link_set(struct nlctx *c, int ifindex, enum link_attr what,
		    unsigned val, const uint8_t mac[6])
{
	struct rtnl_link *orig = NULL, *ch;
	struct nl_addr *a = NULL;
	int rc;

	ch = rtnl_link_alloc();
	if (!ch)
		return -ENOMEM;
	switch (what) {
	case LA_UP:
		if (val)
			rtnl_link_set_flags(ch, IFF_UP);
		else
			rtnl_link_unset_flags(ch, IFF_UP);
		break;
	case LA_MTU:
		rtnl_link_set_mtu(ch, val);
		break;
	case LA_MAC:
		a = nl_addr_build(AF_LLC, mac, 6);
		if (!a) {
			rc = -ENOMEM;
			goto out;
		}
		rtnl_link_set_addr(ch, a);
		break;
	case LA_MASTER:
		rtnl_link_set_master(ch, (int)val);
		break;
	}
	/* The flags sent are computed from the original's. */
	rc = get_link(c, ifindex, NULL, &orig);
	if (rc)
		goto out;
	ctx_reset(c);
	rc = ctx_result(c, rtnl_link_change(c->sk, orig, ch, 0));
out:
	if (orig)
		rtnl_link_put(orig);
	if (a)
		nl_addr_put(a);
	rtnl_link_put(ch);
	return rc;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* RTM_NEWADDR (exclusive) or RTM_DELADDR for @a on @ifindex. */
static int addr_op(struct nlctx *c, int ifindex, const struct tapnl_addr *a,
		   bool add)
{
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int rc;

	ra = rtnl_addr_alloc();
	if (!ra)
		return -ENOMEM;
	local = nl_addr_build(a->family, a->addr, addr_len(a->family));
	if (!local) {
		rtnl_addr_put(ra);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(local, (int)a->prefixlen);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rc = rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)a->prefixlen);
	if (rc >= 0) {
		ctx_reset(c);
		if (add)
			rc = rtnl_addr_add(c->sk, ra, NLM_F_EXCL);
		else
			rc = rtnl_addr_delete(c->sk, ra, 0);
	}
	rc = ctx_result(c, rc);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return rc;
}

static bool is_v6_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Permanent, non-link-local IPv6 addresses of @ifindex, one record each. */
static bool keep_v6(struct rtnl_addr *ra, int ifindex, struct tapnl_addr *t)
{
	struct nl_addr *local = rtnl_addr_get_local(ra);

	if (rtnl_addr_get_ifindex(ra) != ifindex ||
	    rtnl_addr_get_family(ra) != AF_INET6 || !local ||
	    nl_addr_get_len(local) != 16 ||
	    !(rtnl_addr_get_flags(ra) & IFA_F_PERMANENT) ||
	    is_v6_linklocal(nl_addr_get_binary_addr(local)))
		return false;
	if (t) {
		t->family = AF_INET6;
		memcpy(t->addr, nl_addr_get_binary_addr(local), 16);
		t->prefixlen = (unsigned)rtnl_addr_get_prefixlen(ra);
	}
	return true;
}

static int snapshot_v6(struct nlctx *c, struct tapnl_undo *u)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	unsigned n = 0;
	int rc;

	ctx_reset(c);
	rc = ctx_result(c, rtnl_addr_alloc_cache(c->sk, &cache));
	if (rc)
		return rc;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		n += keep_v6((struct rtnl_addr *)o, u->ifindex, NULL);
	if (n) {
		u->kept = calloc(n, sizeof(*u->kept));
		if (!u->kept) {
			nl_cache_free(cache);
			return -ENOMEM;
		}
	}
	for (o = nl_cache_get_first(cache); o && u->nkept < n;
	     o = nl_cache_get_next(o))
		u->nkept += keep_v6((struct rtnl_addr *)o, u->ifindex,
				    &u->kept[u->nkept]);
	nl_cache_free(cache);
	return 0;
}

static void undo_free(struct tapnl_undo *u)
{
	if (!u)
		return;
	free(u->kept);
	free(u);
}

/* Keep the first failure's message and code; go on with the rest. */
#define UNDO_STEP(rc, first, ...)                                              \
	do {                                                                   \
		if ((rc) && !(first))                                          \
			(first) = step_fail(c, (rc), u->ifname, err, errlen,   \
					    __VA_ARGS__);                      \
	} while (0)

/*
 * Put back what @u records, newest change first, as far as possible.
 * Return: 0, or the first failure's -errno (its message in @err)
 */
static int undo_apply(struct nlctx *c, struct tapnl_undo *u, char *err,
		      size_t errlen)
{
	struct rtnl_link *link = NULL;
	char buf[TAPNL_ADDRSTRLEN], mac[18];
	int rc, first = 0;
	unsigned i;

	if (!u->changed && !u->nadded)
		return 0;
	rc = get_link(c, u->ifindex, NULL, &link);
	if (rc == -ENODEV)
		return fail(err, errlen, rc,
			    "%s no longer exists: nothing to put back",
			    u->ifname);
	if (rc)
		return step_fail(c, rc, u->ifname, err, errlen,
				 "looking up %s", u->ifname);
	rtnl_link_put(link);

	for (i = u->nadded; i-- > 0;) {
		rc = addr_op(c, u->ifindex, &u->added[i], false);
		if (rc == -EADDRNOTAVAIL) /* already gone */
			rc = 0;
		tapnl_format_addr(&u->added[i], buf);
		UNDO_STEP(rc, first, "removing %s from %s", buf, u->ifname);
	}
	if (u->changed & CH_UP) {
		rc = link_set(c, u->ifindex, LA_UP, 0, NULL);
		UNDO_STEP(rc, first, "setting %s down", u->ifname);
	}
	if (u->changed & CH_MASTER) {
		rc = link_set(c, u->ifindex, LA_MASTER,
			      (unsigned)u->old_master, NULL);
		UNDO_STEP(rc, first, "setting the master of %s back to %d",
			  u->ifname, u->old_master);
	}
	if (u->changed & CH_MAC) {
		rc = link_set(c, u->ifindex, LA_MAC, 0, u->old_mac);
		format_mac(u->old_mac, mac);
		UNDO_STEP(rc, first, "setting the MAC of %s back to %s",
			  u->ifname, mac);
	}
	if (u->changed & CH_MTU) {
		rc = link_set(c, u->ifindex, LA_MTU, u->old_mtu, NULL);
		UNDO_STEP(rc, first, "setting the MTU of %s back to %u",
			  u->ifname, u->old_mtu);
	}
	for (i = 0; i < u->nkept && (u->changed & (CH_UP | CH_MTU)); i++) {
		rc = addr_op(c, u->ifindex, &u->kept[i], true);
		if (rc == -EEXIST)
			rc = 0;
		tapnl_format_addr(&u->kept[i], buf);
		UNDO_STEP(rc, first, "adding %s back to %s", buf, u->ifname);
	}
	u->changed = 0;
	u->nadded = 0;
	return first;
}

/* Why @a cannot be an interface's address, or NULL if it can. */
static const char *addr_unusable(const struct tapnl_addr *a)
{
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };
	const uint8_t *b = a->addr;

	if (a->family == AF_INET) {
		if (a->prefixlen < 1 || a->prefixlen > 32)
			return "prefix length not in 1..32";
		if (!memcmp(b, zero, 4))
			return "the unspecified address";
		if ((b[0] & 0xf0) == 0xe0)
			return "a multicast address";
		if (b[0] == 127)
			return "a loopback address";
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return "the broadcast address";
		return NULL;
	}
	if (a->family != AF_INET6)
		return "neither IPv4 nor IPv6";
	if (a->prefixlen < 1 || a->prefixlen > 128)
		return "prefix length not in 1..128";
	if (!memcmp(b, zero, 16))
		return "the unspecified address";
	if (b[0] == 0xff)
		return "a multicast address";
	if (!memcmp(b, loop6, 16))
		return "a loopback address";
	return NULL;
}

/**
 * tapnl_parse_addr() - parse "ADDR/PREFIXLEN", IPv4 or IPv6
 * @s:		e.g. "198.18.0.1/24" or "2001:db8::1/64", nothing around
 * @a:		the result; left alone on error
 * @err:	message quoting @s on error; may be NULL
 * @errlen:	size of @err
 *
 * The prefix length is required, decimal, 1..32 or 1..128. Unspecified,
 * multicast, loopback and (IPv4) limited broadcast addresses are refused.
 *
 * Return: 0, or -EINVAL
 */
int tapnl_parse_addr(const char *s, struct tapnl_addr *a, char *err,
		     size_t errlen)
{
	struct tapnl_addr t = { 0 };
	char host[INET6_ADDRSTRLEN];
	const char *slash, *why;
	unsigned long plen;
	size_t n;
	int rc;

	if (!s)
		return fail(err, errlen, -EINVAL, "no address given");
	slash = strchr(s, '/');
	if (!slash)
		return fail(err, errlen, -EINVAL,
			    "bad address \"%s\": no /PREFIXLEN", s);
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(host))
		goto bad_host;
	memcpy(host, s, n);
	host[n] = '\0';
	t.family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(t.family, host, t.addr) != 1)
		goto bad_host;
	rc = parse_ulong(slash + 1, 10, 1, t.family == AF_INET ? 32 : 128,
			 &plen);
	if (rc == -ERANGE)
		return fail(err, errlen, -EINVAL,
			    "bad address \"%s\": prefix length %s not in 1..%d",
			    s, slash + 1, t.family == AF_INET ? 32 : 128);
	if (rc)
		return fail(err, errlen, -EINVAL,
			    "bad address \"%s\": prefix length \"%s\" is not "
			    "a decimal number",
			    s, slash + 1);
	t.prefixlen = (unsigned)plen;
	why = addr_unusable(&t);
	if (why)
		return fail(err, errlen, -EINVAL,
			    "bad address \"%s\": %s, not an interface address",
			    s, why);
	*a = t;
	return 0;

bad_host:
	return fail(err, errlen, -EINVAL,
		    "bad address \"%s\": \"%.*s\" is not an IPv4 or IPv6 "
		    "address",
		    s, (int)n, s);
}

/**
 * tapnl_format_addr() - write @a as "ADDR/PREFIXLEN"
 * @a:		an address as tapnl_parse_addr() makes them
 * @buf:	the text
 */
void tapnl_format_addr(const struct tapnl_addr *a, char buf[TAPNL_ADDRSTRLEN])
{
	char host[INET6_ADDRSTRLEN];

	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->addr, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	snprintf(buf, TAPNL_ADDRSTRLEN, "%s/%u", host, a->prefixlen);
}

static bool bad_ifname(const char *name)
{
	return !name || !name[0] || strlen(name) >= IFNAMSIZ ||
	       strchr(name, '/') || strchr(name, ' ');
}

/* Everything about @cfg that can be checked without the kernel. */
static int check_config(const char *ifname, const struct tapnl_config *cfg,
			char *err, size_t errlen)
{
	char buf[TAPNL_ADDRSTRLEN], mac[18];
	static const uint8_t zero[6];
	const char *why;
	unsigned i;

	if (bad_ifname(ifname))
		return fail(err, errlen, -EINVAL, "bad interface name \"%s\"",
			    ifname ? ifname : "(null)");
	if (!cfg)
		return fail(err, errlen, -EINVAL, "no configuration for %s",
			    ifname);
	if (cfg->mtu && (cfg->mtu < TAPNL_MTU_MIN || cfg->mtu > TAPNL_MTU_MAX))
		return fail(err, errlen, -EINVAL,
			    "MTU %u for %s not in %d..%d", cfg->mtu, ifname,
			    TAPNL_MTU_MIN, TAPNL_MTU_MAX);
	if (cfg->set_mac &&
	    ((cfg->mac[0] & 1) || !memcmp(cfg->mac, zero, 6))) {
		format_mac(cfg->mac, mac);
		return fail(err, errlen, -EINVAL,
			    "MAC %s for %s is not a unicast address", mac,
			    ifname);
	}
	if (cfg->bridge && bad_ifname(cfg->bridge))
		return fail(err, errlen, -EINVAL, "bad bridge name \"%s\"",
			    cfg->bridge);
	if (cfg->naddrs > TAPNL_MAX_ADDRS)
		return fail(err, errlen, -EINVAL,
			    "%u addresses for %s, at most %d", cfg->naddrs,
			    ifname, TAPNL_MAX_ADDRS);
	for (i = 0; i < cfg->naddrs; i++) {
		why = addr_unusable(&cfg->addrs[i]);
		if (!why)
			continue;
		tapnl_format_addr(&cfg->addrs[i], buf);
		return fail(err, errlen, -EINVAL, "bad address %s for %s: %s",
			    buf, ifname, why);
	}
	return 0;
}

/* @name is an existing bridge other than @ifindex: its index in @brindex. */
static int check_bridge(struct nlctx *c, const char *name, int ifindex,
			int *brindex, char *err, size_t errlen)
{
	struct rtnl_link *br = NULL;
	const char *type;
	int rc;

	rc = get_link(c, 0, name, &br);
	if (rc == -ENODEV)
		return fail(err, errlen, rc, "bridge %s does not exist", name);
	if (rc)
		return step_fail(c, rc, name, err, errlen,
				 "looking up bridge %s", name);
	type = rtnl_link_get_type(br);
	if (!type || strcmp(type, "bridge")) {
		rc = fail(err, errlen, -EINVAL,
			  "%s is not a bridge (its link type is %s)", name,
			  type ? type : "none");
	} else if (rtnl_link_get_ifindex(br) == ifindex) {
		rc = fail(err, errlen, -EINVAL, "%s cannot be its own bridge",
			  name);
	} else {
		*brindex = rtnl_link_get_ifindex(br);
		rc = 0;
	}
	rtnl_link_put(br);
	return rc;
}

/* The kernel will not give IPv6 addresses to a link with a small MTU. */
static int check_v6_mtu(const char *ifname, const struct tapnl_config *cfg,
			unsigned mtu, char *err, size_t errlen)
{
	char buf[TAPNL_ADDRSTRLEN];
	unsigned i;

	if (mtu >= TAPNL_IPV6_MIN_MTU)
		return 0;
	for (i = 0; i < cfg->naddrs; i++) {
		if (cfg->addrs[i].family != AF_INET6)
			continue;
		tapnl_format_addr(&cfg->addrs[i], buf);
		return fail(err, errlen, -EINVAL,
			    "IPv6 address %s on %s needs an MTU of at least "
			    "%d, not %u",
			    buf, ifname, TAPNL_IPV6_MIN_MTU, mtu);
	}
	return 0;
}

/* The changes themselves, each recorded in @u once made. */
static int apply(struct nlctx *c, const char *ifname,
		 const struct tapnl_config *cfg, struct rtnl_link *link,
		 int brindex, struct tapnl_undo *u, char *err, size_t errlen)
{
	unsigned mtu = rtnl_link_get_mtu(link), i;
	int master = rtnl_link_get_master(link), rc;
	char buf[TAPNL_ADDRSTRLEN], mac[18];

	if (cfg->mtu && cfg->mtu != mtu) {
		rc = link_set(c, u->ifindex, LA_MTU, cfg->mtu, NULL);
		if (rc)
			return step_fail(c, rc, ifname, err, errlen,
					 "setting MTU %u on %s", cfg->mtu,
					 ifname);
		u->old_mtu = mtu;
		u->changed |= CH_MTU;
	}
	if (cfg->set_mac && memcmp(cfg->mac, u->old_mac, 6)) {
		rc = link_set(c, u->ifindex, LA_MAC, 0, cfg->mac);
		format_mac(cfg->mac, mac);
		if (rc)
			return step_fail(c, rc, ifname, err, errlen,
					 "setting MAC %s on %s", mac, ifname);
		u->changed |= CH_MAC;
	}
	if (brindex && brindex != master) {
		rc = link_set(c, u->ifindex, LA_MASTER, (unsigned)brindex,
			      NULL);
		if (rc)
			return step_fail(c, rc, ifname, err, errlen,
					 "enslaving %s to bridge %s", ifname,
					 cfg->bridge);
		u->old_master = master;
		u->changed |= CH_MASTER;
	}
	for (i = 0; i < cfg->naddrs; i++) {
		rc = addr_op(c, u->ifindex, &cfg->addrs[i], true);
		if (rc == -EEXIST) /* it was there: not ours to remove */
			continue;
		if (rc) {
			tapnl_format_addr(&cfg->addrs[i], buf);
			return step_fail(c, rc, ifname, err, errlen,
					 "adding %s to %s", buf, ifname);
		}
		u->added[u->nadded++] = cfg->addrs[i];
	}
	if (cfg->up && !(rtnl_link_get_flags(link) & IFF_UP)) {
		rc = link_set(c, u->ifindex, LA_UP, 1, NULL);
		if (rc)
			return step_fail(c, rc, ifname, err, errlen,
					 "setting %s up", ifname);
		u->changed |= CH_UP;
	}
	return 0;
}

/**
 * tapnl_configure() - apply @cfg to the existing interface @ifname
 * @ifname:	the interface, e.g. the TAP just opened
 * @cfg:	what to set; see struct tapnl_config
 * @undo:	on success, what was changed, for tapnl_revert() or
 *		tapnl_forget(); NULL on failure. May be NULL if the caller
 *		never reverts.
 * @err:	on failure, a one-line message; may be NULL
 * @errlen:	size of @err
 *
 * Checks @cfg, the interface and the bridge before changing anything,
 * then sets MTU, MAC, master, addresses and link up, each only if it
 * differs. On a failure after some changes, those are put back before
 * returning (if that fails too, @err says so after the first message).
 *
 * Return: 0; -EINVAL for a bad @cfg or a bridge name that is not a bridge,
 * -ENODEV if @ifname or the bridge does not exist, -EPERM without
 * CAP_NET_ADMIN, or another -errno from the socket or the kernel
 */
int tapnl_configure(const char *ifname, const struct tapnl_config *cfg,
		    struct tapnl_undo **undo, char *err, size_t errlen)
{
	struct rtnl_link *link = NULL;
	struct tapnl_undo *u = NULL;
	struct nl_addr *la;
	struct nlctx c;
	int rc, rc2, brindex = 0;
	char why[256];
	size_t n;

	if (undo)
		*undo = NULL;
	if (err && errlen)
		err[0] = '\0';
	rc = check_config(ifname, cfg, err, errlen);
	if (rc)
		return rc;
	rc = ctx_open(&c, err, errlen);
	if (rc)
		return rc;
	u = calloc(1, sizeof(*u));
	if (!u) {
		rc = fail(err, errlen, -ENOMEM, "configuring %s: %s", ifname,
			  strerror(ENOMEM));
		goto out;
	}
	snprintf(u->ifname, sizeof(u->ifname), "%s", ifname);

	rc = get_link(&c, 0, ifname, &link);
	if (rc == -ENODEV) {
		rc = fail(err, errlen, rc, "interface %s does not exist",
			  ifname);
		goto fail;
	}
	if (rc) {
		rc = step_fail(&c, rc, ifname, err, errlen, "looking up %s",
			       ifname);
		goto fail;
	}
	u->ifindex = rtnl_link_get_ifindex(link);
	if (cfg->bridge) {
		rc = check_bridge(&c, cfg->bridge, u->ifindex, &brindex, err,
				  errlen);
		if (rc)
			goto fail;
	}
	rc = check_v6_mtu(ifname, cfg,
			  cfg->mtu ? cfg->mtu : rtnl_link_get_mtu(link), err,
			  errlen);
	if (rc)
		goto fail;
	la = rtnl_link_get_addr(link);
	if (la && nl_addr_get_len(la) == 6) {
		memcpy(u->old_mac, nl_addr_get_binary_addr(la), 6);
	} else if (cfg->set_mac) {
		rc = fail(err, errlen, -EINVAL,
			  "%s has no Ethernet address to set", ifname);
		goto fail;
	}
	if ((cfg->up && !(rtnl_link_get_flags(link) & IFF_UP)) ||
	    (cfg->mtu && cfg->mtu != rtnl_link_get_mtu(link))) {
		rc = snapshot_v6(&c, u);
		if (rc) {
			rc = step_fail(&c, rc, ifname, err, errlen,
				       "reading the addresses of %s", ifname);
			goto fail;
		}
	}

	rc = apply(&c, ifname, cfg, link, brindex, u, err, errlen);
	if (rc) {
		rc2 = undo_apply(&c, u, why, sizeof(why));
		n = err ? strlen(err) : 0;
		if (rc2 && err && n < errlen)
			snprintf(err + n, errlen - n,
				 "; and putting %s back failed: %s", ifname,
				 why);
		goto fail;
	}
	if (undo)
		*undo = u;
	else
		undo_free(u);
	u = NULL;
	goto out;

fail:
	undo_free(u);
out:
	if (link)
		rtnl_link_put(link);
	ctx_close(&c);
	return rc;
}

/**
 * tapnl_revert() - put back what tapnl_configure() changed, and free @undo
 * @undo:	from tapnl_configure(); NULL does nothing
 * @err:	on failure, the first failure's message; may be NULL
 * @errlen:	size of @err
 *
 * Removes the addresses it added (an address already gone is fine), sets
 * the link down if it was brought up, and restores the master, MAC and
 * MTU it replaced; IPv6 addresses the interface had and the kernel dropped
 * meanwhile are added back. Goes on after a failure. Call it while the
 * interface still exists: before closing a non-persistent TAP's fd.
 *
 * Return: 0, -ENODEV if the interface is gone, or the first failure's
 * -errno
 */
int tapnl_revert(struct tapnl_undo *undo, char *err, size_t errlen)
{
	struct nlctx c;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!undo)
		return 0;
	rc = ctx_open(&c, err, errlen);
	if (!rc)
		rc = undo_apply(&c, undo, err, errlen);
	ctx_close(&c);
	undo_free(undo);
	return rc;
}

/**
 * tapnl_forget() - free @undo without putting anything back
 * @undo:	from tapnl_configure(); NULL does nothing
 *
 * For when the interface is gone (a non-persistent TAP whose fd was
 * closed takes its addresses and bridge membership with it) or the
 * changes are meant to stay.
 */
void tapnl_forget(struct tapnl_undo *undo)
{
	undo_free(undo);
}

/**
 * tapnl_ifindex() - the index of interface @ifname
 * @ifname:	an interface name
 *
 * Return: the ifindex (> 0), -EINVAL for a bad name, -ENODEV if there is
 * no such interface, or another -errno
 */
int tapnl_ifindex(const char *ifname)
{
	struct rtnl_link *link = NULL;
	struct nlctx c;
	int rc;

	if (bad_ifname(ifname))
		return -EINVAL;
	rc = ctx_open(&c, NULL, 0);
	if (rc)
		return rc;
	rc = get_link(&c, 0, ifname, &link);
	if (!rc) {
		rc = rtnl_link_get_ifindex(link);
		rtnl_link_put(link);
	}
	ctx_close(&c);
	return rc;
}
