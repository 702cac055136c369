/* SPDX-License-Identifier: GPL-2.0-or-later
 * fuzz_url.c - the URL parsers of every native scheme, as port/attach and
 * -a reach them, without opening anything:
 *   slirp://OPTIONS                    slirpurl_parse()
 *   vxlan://ADDRS[/OPTIONS]            vxlan_url_parse()
 *   stream+listen://, stream+connect://  stream_url_addr()
 *   dgram://, udp://                   dgram_url_unicast()
 *   mcast://                           dgram_url_group()
 * tap:// takes an interface name and vhost-user:// an absolute path, both
 * checked by the kernel when opened; opening things is the integration
 * tests' business (in a namespace), not a fuzzer's.
 *
 * Input: a URL (up to its first NUL). Names are looked up numerically only
 * (nodns.c). Invariants: a refusal says why; an accepted address prints
 * (sa_format()) and that text parses back to the same address; accepted
 * slirp and vxlan settings are within their documented ranges.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "dgramep.h"
#include "fuzz.h"
#include "slirpurl.h"
#include "sockaddr.h"
#include "streamep.h"
#include "vxlanhdr.h"

static struct slirp_opts so;
static struct vxlan_conf vc;

/* An accepted address prints, and the print parses back to it. */
static void check_sa(const struct sa *a, int socktype, unsigned flags)
{
	char text[300], err[512];
	struct sa b;

	FUZZ_CHECK(a->len > 0 && a->len <= sizeof(a->ss), "length %u",
		   (unsigned)a->len);
	sa_format((const struct sockaddr *)&a->ss, a->len, text, sizeof(text));
	if (a->ss.ss_family == AF_UNIX) {
		FUZZ_CHECK(text[0] == '/', "unix address printed '%s'", text);
		FUZZ_CHECK(sa_parse(text, strlen(text), AF_UNSPEC, socktype,
				    flags | SA_UNIX, &b, err, sizeof(err)) ==
					   0 &&
				   !strcmp(((struct sockaddr_un *)&b.ss)->sun_path,
					   ((const struct sockaddr_un *)&a->ss)
						   ->sun_path),
			   "'%s' does not parse back", text);
		return;
	}
	FUZZ_CHECK(a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6,
		   "family %d", a->ss.ss_family);
	err[0] = '\0';
	FUZZ_CHECK(sa_parse(text, strlen(text), a->ss.ss_family, socktype,
			    flags | SA_PORT0, &b, err, sizeof(err)) == 0,
		   "'%s' does not parse back: %s", text, err);
	FUZZ_CHECK(sa_equal(a, (struct sockaddr *)&b.ss, b.len),
		   "'%s' parses back to another address", text);
}

/* A refusal says why; accepted addresses print and parse back. */
static void check_parsed(int rc, const char *err, const struct sa *a,
			 int socktype, unsigned flags)
{
	if (rc) {
		FUZZ_CHECK(rc < 0 && err[0], "rc %d, '%s'", rc, err);
		return;
	}
	check_sa(a, socktype, flags);
}

/* dgram://[LADDR:]LPORT->RADDR:RPORT */
static void dgram_url(const char *rest)
{
	struct sa local, remote;
	char err[512] = "";
	int rc = dgram_url_unicast(rest, &local, &remote, err, sizeof(err));

	check_parsed(rc, err, &remote, SOCK_DGRAM, 0);
	if (!rc) {
		FUZZ_CHECK(local.ss.ss_family == remote.ss.ss_family,
			   "local family %d, remote %d", local.ss.ss_family,
			   remote.ss.ss_family);
		check_sa(&local, SOCK_DGRAM, SA_PASSIVE | SA_PORT0 | SA_NOHOST);
	}
}

/* mcast://GROUP:PORT[/if=IFNAME][/ttl=N] */
static void mcast_url(const char *rest)
{
	char err[512] = "";
	struct sa g;
	size_t alen;
	int rc = dgram_url_group(rest, &g, &alen, err, sizeof(err));

	FUZZ_CHECK(alen <= strlen(rest), "address of %zu bytes in %zu", alen,
		   strlen(rest));
	check_parsed(rc, err, &g, SOCK_DGRAM, 0);
}

/* stream+listen:// and stream+connect:// */
static void stream_url(const char *rest, bool listen)
{
	char err[512] = "";
	struct sa a;
	int rc = stream_url_addr(rest, listen, &a, err, sizeof(err));

	check_parsed(rc, err, &a, SOCK_STREAM,
		     SA_UNIX | (listen ? SA_PASSIVE | SA_PORT0 : 0));
}

/* A name slirp gives by DHCP: dot-separated labels of 1 to 63 of
 * [A-Za-z0-9_-], SLIRP_NAME_MAX characters at most. */
static bool dns_name(const char *s, size_t len)
{
	size_t i, label = 0;

	if (!len || len > SLIRP_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((!isalnum((unsigned char)s[i]) && s[i] != '-' &&
			    s[i] != '_') || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

static void slirp_url(const char *rest)
{
	const char *names[SLIRP_SEARCH_NAMES + 1];
	char err[1024] = "", buf[SLIRP_SEARCH_MAX + 1];
	unsigned i, n;

	if (slirpurl_parse(rest, &so, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "refused without a reason");
		return;
	}
	FUZZ_CHECK(so.v4 || so.v6, "neither IPv4 nor IPv6");
	FUZZ_CHECK(so.mtu >= SLIRP_MTU_MIN && so.mtu <= SLIRP_MTU_MAX,
		   "mtu %u", so.mtu);
	FUZZ_CHECK(so.mru >= SLIRP_MTU_MIN && so.mru <= SLIRP_MTU_MAX,
		   "mru %u", so.mru);
	FUZZ_CHECK(!so.v6 || (so.mtu >= SLIRP_MTU_V6_MIN &&
			      so.mru >= SLIRP_MTU_V6_MIN),
		   "IPv6 with mtu %u mru %u", so.mtu, so.mru);
	FUZZ_CHECK(memchr(so.domain, 0, sizeof(so.domain)) &&
			   memchr(so.tftp_name, 0, sizeof(so.tftp_name)) &&
			   memchr(so.search, 0, sizeof(so.search)),
		   "a name not terminated");
	FUZZ_CHECK(!so.domain[0] || dns_name(so.domain, strlen(so.domain)),
		   "vdomainname '%s'", so.domain);
	FUZZ_CHECK(!so.tftp_name[0] ||
			   dns_name(so.tftp_name, strlen(so.tftp_name)),
		   "tftp_server_name '%s'", so.tftp_name);
	n = slirpurl_search(&so, buf, names);
	FUZZ_CHECK(n <= SLIRP_SEARCH_NAMES && !names[n] &&
			   (n > 0) == (so.search[0] != '\0'),
		   "vdnssearch '%s': %u names", so.search, n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(dns_name(names[i], strlen(names[i])),
			   "vdnssearch '%s': name '%s'", so.search, names[i]);
	FUZZ_CHECK(so.nfwd <= SLIRP_MAX_FWD, "%u forwards", so.nfwd);
	FUZZ_CHECK(so.len <= 32 && so.len6 <= 128, "prefix %u / %u", so.len,
		   so.len6);
	FUZZ_CHECK(memchr(so.hostname, 0, sizeof(so.hostname)) &&
			   memchr(so.tftp_path, 0, sizeof(so.tftp_path)) &&
			   memchr(so.bootfile, 0, sizeof(so.bootfile)),
		   "a string not terminated");
	for (i = 0; i < so.nfwd; i++)
		FUZZ_CHECK(so.fwd[i].hport <= 65535 &&
				   so.fwd[i].gport <= 65535,
			   "forward %u: ports %u %u", i, so.fwd[i].hport,
			   so.fwd[i].gport);
}

static void vxlan_url(const char *rest)
{
	char err[1024] = "";
	unsigned i;

	if (vxlan_url_parse(rest, &vc, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "refused without a reason");
		return;
	}
	FUZZ_CHECK(vc.family == AF_INET || vc.family == AF_INET6,
		   "family %d", vc.family);
	FUZZ_CHECK(vc.vni <= VXLAN_VNI_MAX, "vni %u", vc.vni);
	FUZZ_CHECK(vc.mcast ? vc.nremotes == 0
			    : vc.nremotes >= 1 &&
				      vc.nremotes <= VXLAN_REMOTES_MAX,
		   "mcast %d with %u remotes", vc.mcast, vc.nremotes);
	FUZZ_CHECK(vc.hashsize >= 1 && vc.hashsize <= VXLAN_HASHSIZE_MAX,
		   "hashsize %u", vc.hashsize);
	FUZZ_CHECK(memchr(vc.ifname, 0, sizeof(vc.ifname)),
		   "ifname not terminated");
	if (vc.mcast)
		check_sa(&vc.group, SOCK_DGRAM, 0);
	for (i = 0; i < vc.nremotes; i++) {
		FUZZ_CHECK(vc.remotes[i].ss.ss_family == vc.family,
			   "remote %u of another family", i);
		check_sa(&vc.remotes[i], SOCK_DGRAM, 0);
	}
	if (vc.has_local)
		FUZZ_CHECK(vc.local.ss.ss_family == vc.family,
			   "local address of another family");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1);

	FUZZ_CHECK(url, "out of memory");
	memcpy(url, data, size);
	url[size] = '\0';
	if (!strncmp(url, "slirp://", 8)) {
		slirp_url(url + 8);
	} else if (!strncmp(url, "vxlan://", 8)) {
		vxlan_url(url + 8);
	} else if (!strncmp(url, "stream+listen://", 16)) {
		stream_url(url + 16, true);
	} else if (!strncmp(url, "stream+connect://", 17)) {
		stream_url(url + 17, false);
	} else if (!strncmp(url, "dgram://", 8)) {
		dgram_url(url + 8);
	} else if (!strncmp(url, "udp://", 6)) {
		dgram_url(url + 6);
	} else if (!strncmp(url, "mcast://", 8)) {
		mcast_url(url + 8);
	} else {
		/* no scheme: every parser on it (what a mistyped scheme's
		 * rest would be) */
		slirp_url(url);
		vxlan_url(url);
		dgram_url(url);
		mcast_url(url);
		stream_url(url, true);
	}
	free(url);
	return 0;
}
