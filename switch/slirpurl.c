/* SPDX-License-Identifier: GPL-2.0-or-later
 * slirpurl.c - the options of a slirp:// URL, parsed and checked.
 *
 * slirp://[/v4][/v6][/addr=HOST/LEN][/addr6=HOST/LEN][/hostname=NAME]
 *   [/dhcp=ADDR][/vnameserver=ADDR][/vnameserver6=ADDR][/mtu=N][/mru=N]
 *   [/vdomainname=DOMAIN][/vdnssearch=DOMAIN,...][/tftp_server_name=NAME]
 *   [/tftp_path=DIR][/bootfile=NAME][/disable_host_loopback][/verbose]
 *   [/tcpfwd=[HOSTADDR:]HOSTPORT:GUESTADDR:GUESTPORT]...[/udpfwd=...]
 *   [/hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...
 *
 * The options are vdeplug4's libvdeplug-slirp ones (host= and host6= are
 * its other names of addr= and addr6=), hostfwd= is QEMU's -netdev user
 * spelling of the same forwards; a forward option may hold several
 * forwards separated by commas. vdeplug4's cmdfwd= (a command run for
 * each guest connection) and unixfwd= (guests reaching a UNIX socket of
 * the host) are refused, with that reason: a switch is often run by one
 * user for others, and often as root. Options are separated by '/'; a
 * value holding '/' is written as vdeplug4 takes it, quoted ("..." or
 * '...'), backslash-escaped (\/) or as %2F (any %XX is decoded), or as it
 * is: a piece without '=' that is no option name continues the value
 * before it, so that addr=10.0.2.2/24 and tftp_path=/srv/tftp read as they
 * are written (vdeplug4 refuses those). addr= and addr6= without a prefix
 * length mean /24 and /64, as in vdeplug4.
 *
 * Defaults are QEMU's: both IPv4 and IPv6 (one of /v4, /v6 keeps only
 * that one), 10.0.2.2/24 with the DNS forwarder at .3 and DHCP from .15
 * (counted from the network given with addr=), fd00::2/64 with DNS at
 * fd00::3, MTU 1500. Everything is checked here, before a socket exists:
 * an address outside its network, a forward to one, a TFTP directory that
 * is not there each get a message quoting the option.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parse.h"
#include "slirpurl.h"

#define MAX_OPTS 64

struct opt {
	char *key;
	char *val;		/* NULL for a flag */
};

static const char *const known[] = {
	"v4", "v6", "addr", "host", "addr6", "host6", "hostname", "dhcp",
	"vnameserver", "vnameserver6", "mtu", "mru", "vdomainname",
	"vdnssearch", "tftp_server_name", "tftp_path", "bootfile",
	"disable_host_loopback", "verbose", "tcpfwd", "udpfwd", "hostfwd",
	"cmdfwd", "unixfwd",
};

static bool is_flag(const char *s)
{
	return !strcmp(s, "v4") || !strcmp(s, "v6") ||
	       !strcmp(s, "disable_host_loopback") || !strcmp(s, "verbose");
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static bool known_key(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(k, known[i]))
			return true;
	return false;
}

/* %XX decoding in place. Return: 0, or -1 on a bad escape */
static int unescape(char *s)
{
	char *w = s, hex[3] = "";
	unsigned long v;

	for (; *s; s++) {
		if (*s != '%') {
			*w++ = *s;
			continue;
		}
		if (!s[1] || !s[2])
			return -1;
		hex[0] = s[1];
		hex[1] = s[2];
		if (parse_ulong(hex, 16, 1, 255, &v))
			return -1;
		*w++ = (char)v;
		s += 2;
	}
	*w = '\0';
	return 0;
}

/*
 * Cut @buf at the '/' outside quotes into options, in place: quotes and
 * backslashes go, what they protect stays (the pieces stay contiguous,
 * each ending in its '\0'). A piece with no '=' that is no option name
 * continues the value before it. Return: the number, or -errno
 */
static int split(char *buf, struct opt *opts, char *err, size_t errlen)
{
	char *r = buf, *w = buf, *piece, *eq;
	char quote = 0;
	int n = 0;

	while (*r) {
		piece = w;
		eq = NULL;
		for (; *r && (quote || *r != '/'); r++) {
			if (*r == '\\' && r[1]) {
				*w++ = *++r;	/* escaped: no '/', '=', quote */
			} else if (quote && *r == quote) {
				quote = 0;
			} else if (!quote && (*r == '"' || *r == '\'')) {
				quote = *r;
			} else {
				if (*r == '=' && !eq && !quote)
					eq = w;
				*w++ = *r;
			}
		}
		if (quote)
			return fail(err, errlen, -EINVAL, "a %c quote that "
				    "does not end", quote);
		if (*r)
			r++;		/* the '/' */
		*w++ = '\0';
		if (!*piece) {
			w = piece;
			continue;
		}
		if (!eq && !known_key(piece)) {
			if (n && opts[n - 1].val) {
				/* undo the cut: the value goes on */
				piece[-1] = '/';
				continue;
			}
			return fail(err, errlen, -EINVAL, "unknown option '%s'",
				    piece);
		}
		if (n == MAX_OPTS)
			return fail(err, errlen, -E2BIG, "more than %d options",
				    MAX_OPTS);
		opts[n].key = piece;
		opts[n].val = NULL;
		if (eq) {
			*eq = '\0';
			opts[n].val = eq + 1;
		}
		n++;
	}
	return n;
}

static uint32_t prefix_mask(unsigned len)
{
	return len ? htonl(~0U << (32 - len)) : 0;
}

/* HOST[/LEN], IPv4 (default /24), of option @k (addr or host) */
static int parse_cidr4(const char *k, const char *v, struct slirp_opts *o,
		       char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : strlen(v);
	unsigned long len = 24;
	uint32_t h, m;

	if (alen >= sizeof(a))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: expected HOST[/LEN] (10.0.2.2/24)", k, v);
	memcpy(a, v, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, &o->host) != 1)
		return fail(err, errlen, -EINVAL,
			    "%s=%s: '%s' is no IPv4 address", k, v, a);
	if (slash && parse_ulong(slash + 1, 10, 1, 30, &len))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: the prefix length is 1 to 30", k, v);
	o->len = (unsigned)len;
	m = prefix_mask(o->len);
	o->mask.s_addr = m;
	o->net.s_addr = o->host.s_addr & m;
	h = o->host.s_addr & ~m;
	if (!h || h == ~m)
		return fail(err, errlen, -EINVAL,
			    "%s=%s: %s is the network's %s address", k, v, a,
			    h ? "broadcast" : "own");
	return 0;
}

/* HOST[/LEN], IPv6 (default /64), of option @k (addr6 or host6) */
static int parse_cidr6(const char *k, const char *v, struct slirp_opts *o,
		       char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(v, '/');
	size_t alen = slash ? (size_t)(slash - v) : strlen(v);
	unsigned long len = 64;
	unsigned i;

	if (alen >= sizeof(a))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: expected HOST[/LEN] (fd00::2/64)", k, v);
	memcpy(a, v, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET6, a, &o->host6) != 1)
		return fail(err, errlen, -EINVAL,
			    "%s=%s: '%s' is no IPv6 address", k, v, a);
	if (slash && parse_ulong(slash + 1, 10, 1, 126, &len))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: the prefix length is 1 to 126", k, v);
	o->len6 = (unsigned)len;
	for (i = 0; i < 16; i++) {
		unsigned bits = o->len6 > i * 8 ? o->len6 - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		o->net6.s6_addr[i] = o->host6.s6_addr[i] & m;
	}
	if (!memcmp(&o->net6, &o->host6, sizeof(o->net6)))
		return fail(err, errlen, -EINVAL,
			    "%s=%s: %s is the network's own address", k, v, a);
	return 0;
}

static bool in_net6(const struct slirp_opts *o, const struct in6_addr *a)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned bits = o->len6 > i * 8 ? o->len6 - i * 8 : 0;
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if ((a->s6_addr[i] & m) != o->net6.s6_addr[i])
			return false;
	}
	return true;
}

/* An address of the network other than its own, its broadcast and the
 * host's: @what names the option in the message. */
static int check_in_net(const struct slirp_opts *o, struct in_addr a,
			const char *what, const char *val, char *err,
			size_t errlen)
{
	char net[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
	uint32_t h = a.s_addr & ~o->mask.s_addr;

	inet_ntop(AF_INET, &o->net, net, sizeof(net));
	inet_ntop(AF_INET, &a, s, sizeof(s));
	if ((a.s_addr & o->mask.s_addr) != o->net.s_addr)
		return fail(err, errlen, -EINVAL,
			    "%s=%s: %s is outside the network %s/%u", what,
			    val, s, net, o->len);
	if (!h || h == ~o->mask.s_addr || a.s_addr == o->host.s_addr)
		return fail(err, errlen, -EINVAL,
			    "%s=%s: %s is the network's %s address", what, val,
			    s,
			    !h ? "own" : a.s_addr == o->host.s_addr ? "gateway"
								    : "broadcast");
	return 0;
}

static int parse_addr4(const char *key, const char *v, struct in_addr *out,
		       char *err, size_t errlen)
{
	if (inet_pton(AF_INET, v, out) != 1)
		return fail(err, errlen, -EINVAL, "%s=%s: no IPv4 address",
			    key, v);
	return 0;
}

static int parse_port(const char *what, const char *v, unsigned long min,
		      unsigned *out, char *err, size_t errlen)
{
	unsigned long p;

	if (parse_ulong(v, 10, min, 65535, &p))
		return fail(err, errlen, -EINVAL, "%s: port '%s': %lu to 65535",
			    what, v, min);
	*out = (unsigned)p;
	return 0;
}

/* The guest side of a forward: an address of the network; "" is the first
 * DHCP address, as in QEMU. */
static int fwd_guest(const struct slirp_opts *o, struct slirp_fwd *f,
		     const char *what, const char *ga, const char *gp,
		     char *err, size_t errlen)
{
	int rc;

	if (!*ga)
		f->gaddr = o->dhcp;
	else if (inet_pton(AF_INET, ga, &f->gaddr) != 1)
		return fail(err, errlen, -EINVAL,
			    "%s: guest address '%s' is no IPv4 address", what,
			    ga);
	rc = check_in_net(o, f->gaddr, "forward", what, err, errlen);
	if (rc)
		return rc;
	return parse_port(what, gp, 1, &f->gport, err, errlen);
}

static int fwd_host(struct slirp_fwd *f, const char *what, const char *ha,
		    const char *hp, char *err, size_t errlen)
{
	f->haddr.s_addr = htonl(INADDR_ANY);
	if (*ha && inet_pton(AF_INET, ha, &f->haddr) != 1)
		return fail(err, errlen, -EINVAL,
			    "%s: host address '%s' is no IPv4 address", what,
			    ha);
	return parse_port(what, hp, 0, &f->hport, err, errlen);
}

/* [HOSTADDR:]HOSTPORT:GUESTADDR:GUESTPORT (tcpfwd=, udpfwd=) */
static int parse_vdefwd(struct slirp_opts *o, bool udp, char *spec,
			char *err, size_t errlen)
{
	char what[300], *f[5], *p = spec;
	struct slirp_fwd *fw = &o->fwd[o->nfwd];
	unsigned n = 0;
	int rc;

	snprintf(what, sizeof(what), "%s=%s", udp ? "udpfwd" : "tcpfwd", spec);
	while (p && n < 5) {
		f[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (p || n < 3 || n > 4)
		return fail(err, errlen, -EINVAL, "%s: expected "
			    "[HOSTADDR:]HOSTPORT:GUESTADDR:GUESTPORT", what);
	memset(fw, 0, sizeof(*fw));
	fw->udp = udp;
	rc = n == 4 ? fwd_host(fw, what, f[0], f[1], err, errlen)
		    : fwd_host(fw, what, "", f[0], err, errlen);
	if (!rc && !*f[n - 2])
		rc = fail(err, errlen, -EINVAL, "%s: the guest address is "
			  "missing", what);
	if (!rc)
		rc = fwd_guest(o, fw, what, f[n - 2], f[n - 1], err, errlen);
	return rc;
}

/* [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (QEMU's hostfwd=) */
static int parse_hostfwd(struct slirp_opts *o, char *spec, char *err,
			 size_t errlen)
{
	char what[300], *proto = spec, *ha, *hp, *ga, *gp;
	struct slirp_fwd *fw = &o->fwd[o->nfwd];
	int rc;

	snprintf(what, sizeof(what), "hostfwd=%s", spec);
	ha = strchr(proto, ':');
	hp = ha ? strchr(ha + 1, ':') : NULL;
	ga = hp ? strchr(hp + 1, '-') : NULL;
	gp = ga ? strchr(ga + 1, ':') : NULL;
	if (!gp || strchr(gp + 1, ':'))
		return fail(err, errlen, -EINVAL, "%s: expected [tcp|udp]:"
			    "[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", what);
	*ha++ = *hp++ = *ga++ = *gp++ = '\0';
	memset(fw, 0, sizeof(*fw));
	if (!strcmp(proto, "udp"))
		fw->udp = true;
	else if (*proto && strcmp(proto, "tcp"))
		return fail(err, errlen, -EINVAL, "%s: protocol '%s': tcp or "
			    "udp", what, proto);
	rc = fwd_host(fw, what, ha, hp, err, errlen);
	if (!rc)
		rc = fwd_guest(o, fw, what, ga, gp, err, errlen);
	return rc;
}

static int parse_forwards(struct slirp_opts *o, const char *key, char *val,
			  char *err, size_t errlen)
{
	char *save = NULL, *one;
	int rc;

	if (!o->v4)
		return fail(err, errlen, -EINVAL, "%s=%s: forwards need IPv4 "
			    "(/v4)", key, val);
	for (one = strtok_r(val, ",", &save); one;
	     one = strtok_r(NULL, ",", &save)) {
		if (o->nfwd == SLIRP_MAX_FWD)
			return fail(err, errlen, -E2BIG, "%s=%s: more than %d "
				    "forwards", key, one, SLIRP_MAX_FWD);
		if (!strcmp(key, "hostfwd"))
			rc = parse_hostfwd(o, one, err, errlen);
		else
			rc = parse_vdefwd(o, !strcmp(key, "udpfwd"), one, err,
					  errlen);
		if (rc)
			return rc;
		o->nfwd++;
	}
	return 0;
}

static int set_string(char *dst, size_t size, const char *key,
		      const char *val, char *err, size_t errlen)
{
	if (!*val || strlen(val) >= size)
		return fail(err, errlen, -EINVAL, "%s=%s: 1 to %zu characters",
			    key, val, size - 1);
	strcpy(dst, val);
	return 0;
}

/* A domain name: dot-separated labels of 1 to 63 letters, digits, '-' or
 * '_', SLIRP_NAME_MAX characters at most: the @len bytes at @name, in the
 * value @v of option @k. */
static int check_name(const char *k, const char *v, const char *name,
		      size_t len, char *err, size_t errlen)
{
	size_t i, label = 0;

	if (!len || len > SLIRP_NAME_MAX)
		return fail(err, errlen, -EINVAL, "%s=%s: a domain name of 1 "
			    "to %d characters", k, v, SLIRP_NAME_MAX);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (!label)
				break;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return fail(err, errlen, -EINVAL, "%s=%s: '%c' in a "
				    "domain name (letters, digits, '-', '_' "
				    "and dots)", k, v, c);
		if (++label > 63)
			return fail(err, errlen, -EINVAL, "%s=%s: a label of "
				    "more than 63 characters", k, v);
	}
	if (!label)
		return fail(err, errlen, -EINVAL, "%s=%s: an empty label",
			    k, v);
	return 0;
}

/* vdomainname=, tftp_server_name=: one domain name into @dst */
static int set_name(char *dst, const char *k, const char *v, char *err,
		    size_t errlen)
{
	int rc = check_name(k, v, v, strlen(v), err, errlen);

	if (!rc)
		strcpy(dst, v);		/* SLIRP_NAME_MAX + 1 bytes */
	return rc;
}

/* vdnssearch=DOMAIN[,DOMAIN]...: SLIRP_SEARCH_NAMES names at most */
static int set_search(struct slirp_opts *o, const char *v, char *err,
		      size_t errlen)
{
	const char *p = v;
	unsigned n = 0;
	int rc;

	if (strlen(v) > SLIRP_SEARCH_MAX)
		return fail(err, errlen, -EINVAL, "vdnssearch=%s: more than "
			    "%d characters", v, SLIRP_SEARCH_MAX);
	for (;;) {
		size_t len = strcspn(p, ",");

		if (++n > SLIRP_SEARCH_NAMES)
			return fail(err, errlen, -EINVAL, "vdnssearch=%s: more "
				    "than %d domains", v, SLIRP_SEARCH_NAMES);
		rc = check_name("vdnssearch", v, p, len, err, errlen);
		if (rc)
			return rc;
		if (!p[len])
			break;
		p += len + 1;
	}
	strcpy(o->search, v);
	return 0;
}

/**
 * slirpurl_search() - the DNS search list as libslirp takes it
 * @o:		parsed options
 * @buf:	SLIRP_SEARCH_MAX + 1 bytes, cut into the names
 * @names:	SLIRP_SEARCH_NAMES + 1 pointers into @buf, NULL-terminated
 *
 * Return: the number of names (0: no vdnssearch=)
 */
unsigned slirpurl_search(const struct slirp_opts *o, char *buf,
			 const char **names)
{
	char *save = NULL, *one;
	unsigned n = 0;

	strcpy(buf, o->search);
	for (one = strtok_r(buf, ",", &save);
	     one && n < SLIRP_SEARCH_NAMES; one = strtok_r(NULL, ",", &save))
		names[n++] = one;
	names[n] = NULL;
	return n;
}

/* mtu=, mru=: a size in SLIRP_MTU_MIN..SLIRP_MTU_MAX */
static int parse_mtu(const char *k, const char *v, unsigned *out, char *err,
		     size_t errlen)
{
	unsigned long n;

	if (parse_ulong(v, 10, SLIRP_MTU_MIN, SLIRP_MTU_MAX, &n))
		return fail(err, errlen, -EINVAL, "%s=%s: %u to %u", k, v,
			    SLIRP_MTU_MIN, SLIRP_MTU_MAX);
	*out = (unsigned)n;
	return 0;
}

static int set_tftp(struct slirp_opts *o, const char *val, char *err,
		    size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (!*val)
		return fail(err, errlen, -EINVAL, "tftp_path=: a directory is "
			    "needed");
	if (!realpath(val, real) || stat(real, &st))
		return fail(err, errlen, -errno, "tftp_path=%s: %s", val,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(err, errlen, -ENOTDIR, "tftp_path=%s: not a "
			    "directory", val);
	return set_string(o->tftp_path, sizeof(o->tftp_path), "tftp_path",
			  real, err, errlen);
}

/* The network options, once the addresses they depend on are known. */
static int network(struct slirp_opts *o, struct opt *opts, int n, char *err,
		   size_t errlen)
{
	const char *dhcp = NULL, *dns = NULL, *dns6 = NULL;
	int i, rc = 0;

	inet_pton(AF_INET, "10.0.2.2", &o->host);
	o->len = 24;
	o->mask.s_addr = prefix_mask(24);
	o->net.s_addr = o->host.s_addr & o->mask.s_addr;
	inet_pton(AF_INET6, "fd00::2", &o->host6);
	inet_pton(AF_INET6, "fd00::", &o->net6);
	o->len6 = 64;
	o->mtu = SLIRP_MTU_DEF;
	for (i = 0; i < n && !rc; i++) {
		const char *k = opts[i].key, *v = opts[i].val;

		if (!strcmp(k, "addr") || !strcmp(k, "host"))
			rc = parse_cidr4(k, v, o, err, errlen);
		else if (!strcmp(k, "addr6") || !strcmp(k, "host6"))
			rc = parse_cidr6(k, v, o, err, errlen);
		else if (!strcmp(k, "dhcp"))
			dhcp = v;
		else if (!strcmp(k, "vnameserver"))
			dns = v;
		else if (!strcmp(k, "vnameserver6"))
			dns6 = v;
		else if (!strcmp(k, "hostname"))
			rc = set_string(o->hostname, sizeof(o->hostname), k, v,
					err, errlen);
		else if (!strcmp(k, "bootfile"))
			rc = set_string(o->bootfile, sizeof(o->bootfile), k, v,
					err, errlen);
		else if (!strcmp(k, "tftp_path"))
			rc = set_tftp(o, v, err, errlen);
		else if (!strcmp(k, "vdomainname"))
			rc = set_name(o->domain, k, v, err, errlen);
		else if (!strcmp(k, "tftp_server_name"))
			rc = set_name(o->tftp_name, k, v, err, errlen);
		else if (!strcmp(k, "vdnssearch"))
			rc = set_search(o, v, err, errlen);
		else if (!strcmp(k, "mtu"))
			rc = parse_mtu(k, v, &o->mtu, err, errlen);
		else if (!strcmp(k, "mru"))
			rc = parse_mtu(k, v, &o->mru, err, errlen);
	}
	if (rc)
		return rc;
	if (!o->mru)
		o->mru = o->mtu;
	if (o->v6 && (o->mtu < SLIRP_MTU_V6_MIN || o->mru < SLIRP_MTU_V6_MIN))
		return fail(err, errlen, -EINVAL, "%s=%u: IPv6 needs %u or "
			    "more (or /v4 alone)",
			    o->mtu < SLIRP_MTU_V6_MIN ? "mtu" : "mru",
			    o->mtu < SLIRP_MTU_V6_MIN ? o->mtu : o->mru,
			    SLIRP_MTU_V6_MIN);

	/* the DNS forwarder (.3) and DHCP (.15) of the network given */
	o->dns.s_addr = o->net.s_addr | htonl(3);
	o->dhcp.s_addr = o->net.s_addr | htonl(15);
	if (dns)
		rc = parse_addr4("vnameserver", dns, &o->dns, err, errlen);
	if (!rc)
		rc = check_in_net(o, o->dns, "vnameserver",
				  dns ? dns : "(default)", err, errlen);
	if (!rc && dhcp)
		rc = parse_addr4("dhcp", dhcp, &o->dhcp, err, errlen);
	if (!rc)
		rc = check_in_net(o, o->dhcp, "dhcp",
				  dhcp ? dhcp : "(default)", err, errlen);
	if (rc)
		return rc;
	if (o->dhcp.s_addr == o->dns.s_addr)
		return fail(err, errlen, -EINVAL, "dhcp=%s: that is the DNS "
			    "forwarder's address", dhcp ? dhcp : "(default)");

	o->dns6 = o->net6;
	o->dns6.s6_addr[15] |= 3;
	if (dns6 && inet_pton(AF_INET6, dns6, &o->dns6) != 1)
		return fail(err, errlen, -EINVAL, "vnameserver6=%s: no IPv6 "
			    "address", dns6);
	if (!in_net6(o, &o->dns6))
		return fail(err, errlen, -EINVAL, "vnameserver6=%s: outside "
			    "the network of addr6=", dns6 ? dns6 : "(default)");
	return 0;
}

/**
 * slirpurl_parse() - parse and check the options of a slirp:// URL
 * @rest:	what follows "slirp://"
 * @o:		filled in, defaults included
 * @err:	the reason of a refusal, quoting the option
 * @errlen:	its size
 *
 * Return: 0, or -errno with @err set (-EINVAL for a bad option, -ENOENT or
 * -ENOTDIR for a tftp_path= that is no directory, -E2BIG for too many,
 * -EPERM for cmdfwd= and unixfwd=)
 */
int slirpurl_parse(const char *rest, struct slirp_opts *o, char *err,
		   size_t errlen)
{
	struct opt opts[MAX_OPTS];
	char *buf = strdup(rest);
	int i, n, rc = 0;

	memset(o, 0, sizeof(*o));
	if (!buf)
		return fail(err, errlen, -ENOMEM, "out of memory");
	n = split(buf, opts, err, errlen);
	if (n < 0) {
		free(buf);
		return n;
	}
	for (i = 0; i < n && !rc; i++) {
		if (!known_key(opts[i].key))
			rc = fail(err, errlen, -EINVAL, "unknown option '%s' "
				  "(v4, v6, addr=, addr6=, hostname=, dhcp=, "
				  "vnameserver=, vnameserver6=, mtu=, mru=, "
				  "vdomainname=, vdnssearch=, "
				  "tftp_server_name=, tftp_path=, bootfile=, "
				  "disable_host_loopback, verbose, tcpfwd=, "
				  "udpfwd=, hostfwd=)", opts[i].key);
		else if (!strcmp(opts[i].key, "cmdfwd"))
			rc = fail(err, errlen, -EPERM, "cmdfwd= is refused: "
				  "it would run a command as the switch's "
				  "user for each guest connection (forward "
				  "to a listener with tcpfwd= or hostfwd=)");
		else if (!strcmp(opts[i].key, "unixfwd"))
			rc = fail(err, errlen, -EPERM, "unixfwd= is refused: "
				  "it would let guests reach any UNIX socket "
				  "the switch's user may open (listen on TCP "
				  "instead, e.g. socat)");
		else if (!opts[i].val && !is_flag(opts[i].key))
			rc = fail(err, errlen, -EINVAL, "%s needs a value "
				  "(%s=...)", opts[i].key, opts[i].key);
		else if (opts[i].val && is_flag(opts[i].key))
			rc = fail(err, errlen, -EINVAL, "%s takes no value",
				  opts[i].key);
		else if (opts[i].val && unescape(opts[i].val))
			rc = fail(err, errlen, -EINVAL, "%s=%s: a bad %%XX "
				  "escape", opts[i].key, opts[i].val);
		else if (!strcmp(opts[i].key, "v4"))
			o->v4 = true;
		else if (!strcmp(opts[i].key, "v6"))
			o->v6 = true;
		else if (!strcmp(opts[i].key, "disable_host_loopback"))
			o->no_host_loopback = true;
		else if (!strcmp(opts[i].key, "verbose"))
			o->verbose = true;
	}
	if (!o->v4 && !o->v6)
		o->v4 = o->v6 = true;
	if (!rc)
		rc = network(o, opts, n, err, errlen);
	for (i = 0; i < n && !rc; i++)
		if (strstr(opts[i].key, "fwd"))
			rc = parse_forwards(o, opts[i].key, opts[i].val, err,
					    errlen);
	free(buf);
	return rc;
}
