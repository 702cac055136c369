/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_slirpurl.c - the options of slirp:// URLs (switch/slirpurl.c):
 * defaults, every option, and every refusal with its message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "slirpurl.h"

static struct slirp_opts o;
static char err[512];

static const char *a4(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static unsigned i;

	i = (i + 1) % 4;
	inet_ntop(AF_INET, &a, buf[i], sizeof(buf[i]));
	return buf[i];
}

static const char *a6(const struct in6_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	return buf;
}

/* @url is refused with -@rc and a message holding @msg */
static void refused(const char *url, int rc, const char *msg)
{
	err[0] = '\0';
	cr_assert_eq(slirpurl_parse(url, &o, err, sizeof(err)), -rc,
		     "'%s' gave '%s'", url, err);
	cr_assert(strstr(err, msg), "'%s': '%s' lacks '%s'", url, err, msg);
}

static void ok(const char *url)
{
	err[0] = '\0';
	cr_assert_eq(slirpurl_parse(url, &o, err, sizeof(err)), 0, "'%s': %s",
		     url, err);
}

Test(slirpurl, defaults_are_qemus)
{
	ok("");
	cr_assert(o.v4 && o.v6);
	cr_assert_str_eq(a4(o.net), "10.0.2.0");
	cr_assert_str_eq(a4(o.mask), "255.255.255.0");
	cr_assert_str_eq(a4(o.host), "10.0.2.2");
	cr_assert_str_eq(a4(o.dns), "10.0.2.3");
	cr_assert_str_eq(a4(o.dhcp), "10.0.2.15");
	cr_assert_eq(o.len, 24);
	cr_assert_str_eq(a6(&o.net6), "fd00::");
	cr_assert_str_eq(a6(&o.host6), "fd00::2");
	cr_assert_str_eq(a6(&o.dns6), "fd00::3");
	cr_assert_eq(o.len6, 64);
	cr_assert_eq(o.mtu, 1500);
	cr_assert_eq(o.nfwd, 0);
	cr_assert_str_eq(o.tftp_path, "");
	ok("/");
	cr_assert(o.v4 && o.v6);
	leak_check();
}

Test(slirpurl, network_options)
{
	ok("/v4/addr=192.168.77.1/16/hostname=lab/mtu=9000");
	cr_assert(o.v4 && !o.v6);
	cr_assert_str_eq(a4(o.net), "192.168.0.0");
	cr_assert_str_eq(a4(o.host), "192.168.77.1");
	cr_assert_str_eq(a4(o.dns), "192.168.0.3");
	cr_assert_str_eq(a4(o.dhcp), "192.168.0.15");
	cr_assert_str_eq(o.hostname, "lab");
	cr_assert_eq(o.mtu, 9000);

	ok("/addr=10.9.0.1/24/dhcp=10.9.0.100/vnameserver=10.9.0.53");
	cr_assert_str_eq(a4(o.dhcp), "10.9.0.100");
	cr_assert_str_eq(a4(o.dns), "10.9.0.53");

	ok("/v6/addr6=fd12:3456::1/48/vnameserver6=fd12:3456::53");
	cr_assert(!o.v4 && o.v6);
	cr_assert_str_eq(a6(&o.net6), "fd12:3456::");
	cr_assert_str_eq(a6(&o.host6), "fd12:3456::1");
	cr_assert_str_eq(a6(&o.dns6), "fd12:3456::53");
	cr_assert_eq(o.len6, 48);

	ok("/v4/mtu=576");
	cr_assert_eq(o.mtu, 576);
	leak_check();
}

/* vdeplug4's spellings of a value holding '/': quoted, backslash-escaped,
 * %2F; and its default prefix lengths. */
Test(slirpurl, vdeplug4_spellings)
{
	ok("/v4/addr=\"198.18.5.2/25\"/dhcp=198.18.5.50");
	cr_assert_str_eq(a4(o.host), "198.18.5.2");
	cr_assert_eq(o.len, 25);
	cr_assert_str_eq(a4(o.dhcp), "198.18.5.50");
	ok("/v4/addr='198.18.5.2/16'/hostname=a\\/b");
	cr_assert_eq(o.len, 16);
	cr_assert_str_eq(o.hostname, "a/b");
	ok("/addr=198.18.5.2\\/28/dhcp=198.18.5.5");
	cr_assert_eq(o.len, 28);
	ok("/addr=198.18.5.2%2f27/hostname=x\\=y");
	cr_assert_eq(o.len, 27);
	cr_assert_str_eq(o.hostname, "x=y");
	ok("/addr=198.18.5.2//v4");
	cr_assert_eq(o.len, 24);
	cr_assert_str_eq(a4(o.net), "198.18.5.0");
	cr_assert(o.v4 && !o.v6);
	ok("/addr6=fd01::2/hostname=\"my lab\"");
	cr_assert_eq(o.len6, 64);
	cr_assert_str_eq(a6(&o.net6), "fd01::");
	cr_assert_str_eq(o.hostname, "my lab");
	ok("/addr6='fd01::2/60'");
	cr_assert_eq(o.len6, 60);
	leak_check();
}

/* vdeplug4's other options: host=/host6= (addr=/addr6=), the DHCP names,
 * mru=, disable_host_loopback and verbose. */
Test(slirpurl, vdeplug4_dhcp_names_and_flags)
{
	const char *names[SLIRP_SEARCH_NAMES + 1];
	char buf[SLIRP_SEARCH_MAX + 1];

	ok("/host=198.18.5.2/host6=fd01::2/70");
	cr_assert_str_eq(a4(o.host), "198.18.5.2");
	cr_assert_eq(o.len, 24);
	cr_assert_str_eq(a6(&o.host6), "fd01::2");
	cr_assert_eq(o.len6, 70);
	cr_assert(!o.domain[0] && !o.search[0] && !o.tftp_name[0]);
	cr_assert_eq(slirpurl_search(&o, buf, names), 0);
	cr_assert_null(names[0]);
	cr_assert(!o.no_host_loopback && !o.verbose);
	cr_assert_eq(o.mru, 1500, "the MRU is the MTU unless given");

	ok("/vdomainname=lab.example/vdnssearch=lab.example,corp_1.example,x"
	   "/tftp_server_name=boot.lab.example/mtu=1400/mru=9000"
	   "/disable_host_loopback/verbose");
	cr_assert_str_eq(o.domain, "lab.example");
	cr_assert_str_eq(o.search, "lab.example,corp_1.example,x");
	cr_assert_str_eq(o.tftp_name, "boot.lab.example");
	cr_assert_eq(o.mtu, 1400);
	cr_assert_eq(o.mru, 9000);
	cr_assert(o.no_host_loopback && o.verbose);
	cr_assert_eq(slirpurl_search(&o, buf, names), 3);
	cr_assert_str_eq(names[0], "lab.example");
	cr_assert_str_eq(names[1], "corp_1.example");
	cr_assert_str_eq(names[2], "x");
	cr_assert_null(names[3]);
	ok("/v4/mru=576/tftp_server_name=198.18.5.2");
	cr_assert_eq(o.mru, 576);
	cr_assert_str_eq(o.tftp_name, "198.18.5.2");
	leak_check();
}

Test(slirpurl, tftp_and_paths)
{
	char dir[] = "/tmp/slirpurl.XXXXXX", url[200], sub[200];

	cr_assert(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/a b", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);

	/* with %2F and as written */
	snprintf(url, sizeof(url), "/tftp_path=%%2Ftmp%%2F%s/bootfile=pxe.0",
		 dir + 5);
	ok(url);
	cr_assert_str_eq(o.tftp_path, dir);
	cr_assert_str_eq(o.bootfile, "pxe.0");
	snprintf(url, sizeof(url), "/tftp_path=%s/v4", dir);
	ok(url);
	cr_assert_str_eq(o.tftp_path, dir);
	cr_assert(o.v4 && !o.v6);
	snprintf(url, sizeof(url), "/tftp_path=%s/a%%20b", dir);
	ok(url);
	cr_assert_str_eq(o.tftp_path, sub);

	snprintf(url, sizeof(url), "/tftp_path=%s/missing", dir);
	refused(url, ENOENT, "No such file or directory");
	cr_assert(strstr(err, "tftp_path="));
	refused("/tftp_path=/etc/passwd", ENOTDIR, "not a directory");
	refused("/tftp_path=", EINVAL, "a directory is needed");

	rmdir(sub);
	rmdir(dir);
	leak_check();
}

Test(slirpurl, forwards)
{
	ok("/tcpfwd=8080:10.0.2.15:80/udpfwd=127.0.0.1:5353:10.0.2.16:53");
	cr_assert_eq(o.nfwd, 2);
	cr_assert(!o.fwd[0].udp);
	cr_assert_str_eq(a4(o.fwd[0].haddr), "0.0.0.0");
	cr_assert_eq(o.fwd[0].hport, 8080);
	cr_assert_str_eq(a4(o.fwd[0].gaddr), "10.0.2.15");
	cr_assert_eq(o.fwd[0].gport, 80);
	cr_assert(o.fwd[1].udp);
	cr_assert_str_eq(a4(o.fwd[1].haddr), "127.0.0.1");
	cr_assert_eq(o.fwd[1].hport, 5353);
	cr_assert_str_eq(a4(o.fwd[1].gaddr), "10.0.2.16");

	/* a list, and QEMU's spelling with the guest address left out */
	ok("/tcpfwd=1:10.0.2.15:1,2:10.0.2.15:2/hostfwd=tcp::2222-:22,"
	   "udp:127.0.0.1:6000-10.0.2.20:6001/hostfwd=::0-:80");
	cr_assert_eq(o.nfwd, 5);
	cr_assert_eq(o.fwd[1].hport, 2);
	cr_assert(!o.fwd[2].udp);
	cr_assert_eq(o.fwd[2].hport, 2222);
	cr_assert_str_eq(a4(o.fwd[2].gaddr), "10.0.2.15");
	cr_assert_eq(o.fwd[2].gport, 22);
	cr_assert(o.fwd[3].udp);
	cr_assert_str_eq(a4(o.fwd[3].haddr), "127.0.0.1");
	cr_assert_str_eq(a4(o.fwd[3].gaddr), "10.0.2.20");
	cr_assert_eq(o.fwd[3].gport, 6001);
	cr_assert_eq(o.fwd[4].hport, 0);

	/* forwards follow the network, wherever they are written */
	ok("/hostfwd=tcp::80-:80/addr=10.1.0.1/24");
	cr_assert_str_eq(a4(o.fwd[0].gaddr), "10.1.0.15");
	leak_check();
}

Test(slirpurl, refusals)
{
	refused("/noise", EINVAL, "unknown option 'noise'");
	refused("/cmdfwd=10.0.2.5:6000:true", EPERM,
		"cmdfwd= is refused: it would run a command");
	refused("/unixfwd=10.0.2.5:6000:%2Ftmp%2FX0", EPERM,
		"unixfwd= is refused");
	refused("/verbose=1", EINVAL, "verbose takes no value");
	refused("/disable_host_loopback=yes", EINVAL,
		"disable_host_loopback takes no value");
	refused("/addr", EINVAL, "addr needs a value");
	refused("/v4=1", EINVAL, "v4 takes no value");
	refused("/hostname=a%2", EINVAL, "bad %XX escape");
	refused("/hostname=a%zz", EINVAL, "bad %XX escape");
	refused("/hostname=", EINVAL, "hostname=: 1 to 63 characters");
	refused("/hostname=0123456789012345678901234567890123456789012345678901"
		"234567890123", EINVAL, "1 to 63 characters");
	refused("/bootfile=", EINVAL, "bootfile=: 1 to 127 characters");

	refused("/addr=10.0.2.300/24", EINVAL, "is no IPv4 address");
	refused("/addr=10.0.2.2/31", EINVAL, "prefix length is 1 to 30");
	refused("/addr=10.0.2.2/x", EINVAL, "prefix length is 1 to 30");
	refused("/addr=10.0.2.0/24", EINVAL, "network's own address");
	refused("/addr=10.0.2.255/24", EINVAL, "network's broadcast address");
	refused("/addr=10.0.2.2/29", EINVAL,
		"dhcp=(default): 10.0.2.15 is outside the network 10.0.2.0/29");
	refused("/dhcp=10.0.3.15", EINVAL, "outside the network 10.0.2.0/24");
	refused("/dhcp=10.0.2.2", EINVAL, "the network's gateway address");
	refused("/dhcp=10.0.2.0", EINVAL, "the network's own address");
	refused("/vnameserver=x", EINVAL, "vnameserver=x: no IPv4 address");
	refused("/dhcp=10.0.2.3", EINVAL, "the DNS forwarder's address");
	refused("/dhcp=nonsense", EINVAL, "dhcp=nonsense: no IPv4 address");
	refused("/vnameserver=10.0.9.3", EINVAL, "outside the network");
	refused("/vnameserver=10.0.2.255", EINVAL, "broadcast address");

	refused("/addr6=fd00::2::3", EINVAL, "is no IPv6 address");
	refused("/hostname=\"lab", EINVAL, "a \" quote that does not end");
	refused("/hostname='lab/v4", EINVAL, "a ' quote that does not end");
	refused("/addr6=fd00::g/64", EINVAL, "is no IPv6 address");
	refused("/addr6=fd00::2/127", EINVAL, "1 to 126");
	refused("/addr6=fd00::/64", EINVAL, "network's own address");
	refused("/vnameserver6=fd01::3", EINVAL, "outside the network");
	refused("/vnameserver6=x", EINVAL, "no IPv6 address");

	refused("/mtu=575", EINVAL, "mtu=575: 576 to 9216");
	refused("/mtu=9217", EINVAL, "576 to 9216");
	refused("/mtu=1000", EINVAL, "IPv6 needs 1280");
	refused("/mru=575", EINVAL, "mru=575: 576 to 9216");
	refused("/mru=1000", EINVAL, "mru=1000: IPv6 needs 1280");
	refused("/host=10.0.2.300", EINVAL, "host=10.0.2.300: '10.0.2.300' is "
		"no IPv4 address");
	refused("/host6=fd00::", EINVAL, "host6=fd00::: fd00:: is the "
		"network's own address");

	refused("/vdomainname=", EINVAL, "vdomainname=: a domain name of 1 to "
		"253 characters");
	refused("/vdomainname=lab..example", EINVAL, "an empty label");
	refused("/vdomainname=.lab", EINVAL, "an empty label");
	refused("/vdomainname=lab.", EINVAL, "an empty label");
	refused("/vdomainname=my lab", EINVAL, "' ' in a domain name");
	refused("/tftp_server_name=boot%01", EINVAL, "in a domain name");
	refused("/vdomainname=a23456789012345678901234567890123456789012345678"
		"9012345678901234.b", EINVAL, "a label of more than 63");
	ok("/vdomainname=a23456789012345678901234567890123456789012345678"
	   "901234567890123.b");
	refused("/vdnssearch=a.b,,c.d", EINVAL, "vdnssearch=a.b,,c.d: a domain "
		"name of 1 to 253");
	refused("/vdnssearch=a.b,c.d,", EINVAL, "a domain name of 1 to 253");
	refused("/vdnssearch=a,b,c,d,e,f,g,h,i", EINVAL, "more than 8 domains");

	refused("/tcpfwd=8080", EINVAL, "expected [HOSTADDR:]HOSTPORT:");
	refused("/tcpfwd=1:2:3:4:5", EINVAL, "expected [HOSTADDR:]HOSTPORT:");
	refused("/tcpfwd=8080::80", EINVAL, "the guest address is missing");
	refused("/tcpfwd=70000:10.0.2.15:80", EINVAL,
		"port '70000': 0 to 65535");
	refused("/tcpfwd=8080:10.0.2.15:0", EINVAL, "port '0': 1 to 65535");
	refused("/tcpfwd=8080:10.0.3.15:80", EINVAL,
		"10.0.3.15 is outside the network 10.0.2.0/24");
	refused("/tcpfwd=8080:10.0.2.2:80", EINVAL, "gateway address");
	refused("/tcpfwd=x:8080:10.0.2.15:80", EINVAL,
		"host address 'x' is no IPv4 address");
	refused("/udpfwd=1:guest:1", EINVAL,
		"guest address 'guest' is no IPv4 address");
	refused("/hostfwd=tcp:8080-:80", EINVAL, "expected [tcp|udp]:");
	refused("/hostfwd=sctp::1-:1", EINVAL, "protocol 'sctp': tcp or udp");
	refused("/hostfwd=tcp::1-:1:2", EINVAL, "expected [tcp|udp]:");
	refused("/v6/tcpfwd=1:10.0.2.15:1", EINVAL, "forwards need IPv4");
	refused("/tcpfwd=1:10.0.2.15:1,2:10.0.2.15:2,3:10.0.2.15:3,"
		"4:10.0.2.15:4,5:10.0.2.15:5,6:10.0.2.15:6,7:10.0.2.15:7,"
		"8:10.0.2.15:8,9:10.0.2.15:9,10:10.0.2.15:10,11:10.0.2.15:11,"
		"12:10.0.2.15:12,13:10.0.2.15:13,14:10.0.2.15:14,"
		"15:10.0.2.15:15,16:10.0.2.15:16,17:10.0.2.15:17",
		E2BIG, "more than 16 forwards");
	leak_check();
}

Test(slirpurl, too_many_options)
{
	char url[1024] = "";
	int i;

	for (i = 0; i < 65; i++)
		strcat(url, "/v4");
	refused(url, E2BIG, "more than 64 options");
	leak_check();
}
