/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_ctl_parse.c - patchbay-ctl's body parsers (mgmt/ctl_parse.c) on the
 * bodies vde_switch 2.3.2 wrote (research transcripts), on the lines
 * patchbay adds, and on bodies they do not understand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "ctl_parse.h"

/* Split @text at newlines into a NULL-free array of new strings. */
static char **split(const char *text, size_t *n)
{
	char **v = calloc(256, sizeof(*v));
	const char *p = text;

	cr_assert(v);
	*n = 0;
	while (*p) {
		size_t len = strcspn(p, "\n");

		cr_assert(*n < 256);
		v[(*n)++] = strndup(p, len);
		p += len;
		if (*p)
			p++;
	}
	return v;
}

static void free_lines(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The JSON document for @body under @cmd, newline removed; free() it. */
static char *to_json(const char *cmd, const char *body)
{
	char *buf = NULL;
	size_t len = 0, n;
	char **lines = split(body, &n);
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	json_init(&j, f);
	cr_assert_eq(ctl_body_json(&j, ctl_body_kind(cmd), lines, n), 0);
	cr_assert_eq(json_finish(&j), 0);
	fclose(f);
	free_lines(lines, n);
	cr_assert(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	return buf;
}

static void expect_json(const char *cmd, const char *body, const char *want)
{
	char *got = to_json(cmd, body);

	cr_expect_str_eq(got, want, "%s:\n got %s\nwant %s", cmd, got, want);
	free(got);
}

Test(ctl_parse, kinds)
{
	cr_assert_eq(ctl_body_kind("port/print"), CTL_BODY_PORTS);
	cr_assert_eq(ctl_body_kind("port/print 5"), CTL_BODY_PORTS);
	cr_assert_eq(ctl_body_kind("  port/allprint\t5"), CTL_BODY_PORTS);
	cr_assert_eq(ctl_body_kind("port/printx"), CTL_BODY_LINES);
	cr_assert_eq(ctl_body_kind("port/prin"), CTL_BODY_LINES);
	cr_assert_eq(ctl_body_kind("showinfo"), CTL_BODY_SHOWINFO);
	cr_assert_eq(ctl_body_kind("hash/showinfo"), CTL_BODY_INFO);
	cr_assert_eq(ctl_body_kind("ds/showinfo"), CTL_BODY_INFO);
	cr_assert_eq(ctl_body_kind("hash/print"), CTL_BODY_HASH);
	cr_assert_eq(ctl_body_kind("vlan/allprint 10"), CTL_BODY_VLANS);
	cr_assert_eq(ctl_body_kind("help"), CTL_BODY_LINES);
	leak_check();
}

Test(ctl_parse, port_print_vde)
{
	expect_json("port/allprint",
		"Port 0005 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		" Current User: root Access Control: (User: NONE - Group: NONE)\n"
		" IN:  pkts          1          bytes                   19\n"
		" OUT: pkts          1          bytes                   19\n"
		"  -- endpoint ID 0017 module unix prog   : port5-endpointB\n"
		"  -- endpoint ID 0015 module unix prog   : a \"q\" \\ b\n"
		"Port 0007 untagged_vlan=0000 INACTIVE - NOT Unnamed Allocatable\n"
		" Current User: NONE Access Control: (User: nobody - Group: users)\n"
		" IN:  pkts          0          bytes                    0\n"
		" OUT: pkts          0          bytes                    0\n"
		"Port 0012 untagged_vlan=0010 ACTIVE - NOT Unnamed Allocatable\n"
		" Current User: NONE Access Control: (User: NONE - Group: NONE)\n"
		" IN:  pkts 4294967296 bytes 18446744073709551615\n"
		" OUT: pkts          1          bytes                   19\n"
		"  -- endpoint ID 0006 module tuntap      : vdetap0\n",
		"{\"ports\":["
		"{\"port\":5,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"current_user\":\"root\","
		"\"access_user\":null,\"access_group\":null,"
		"\"in\":{\"pkts\":1,\"bytes\":19},\"out\":{\"pkts\":1,\"bytes\":19},"
		"\"endpoints\":[{\"id\":17,\"module\":\"unix prog\","
		"\"descr\":\"port5-endpointB\"},{\"id\":15,\"module\":\"unix prog\","
		"\"descr\":\"a \\\"q\\\" \\\\ b\"}]},"
		"{\"port\":7,\"untagged_vlan\":0,\"active\":false,"
		"\"allocatable\":false,\"current_user\":null,"
		"\"access_user\":\"nobody\",\"access_group\":\"users\","
		"\"in\":{\"pkts\":0,\"bytes\":0},\"out\":{\"pkts\":0,\"bytes\":0},"
		"\"endpoints\":[]},"
		"{\"port\":12,\"untagged_vlan\":10,\"active\":true,"
		"\"allocatable\":false,\"current_user\":null,"
		"\"access_user\":null,\"access_group\":null,"
		"\"in\":{\"pkts\":4294967296,\"bytes\":18446744073709551615},"
		"\"out\":{\"pkts\":1,\"bytes\":19},"
		"\"endpoints\":[{\"id\":6,\"module\":\"tuntap\","
		"\"descr\":\"vdetap0\"}]}],\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, port_print_extra_lines)
{
	/* patchbay's additions after OUT:, before or after the endpoints */
	expect_json("port/print",
		"Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		" Current User: root Access Control: (User: NONE - Group: NONE)\n"
		" IN:  pkts 3 bytes 180 frags 0\n"
		" OUT: pkts 1 bytes 60\n"
		" DROP: short 1 long 2 vlan 0\n"
		"  -- endpoint ID 0003 module unix prog   : x\n"
		" QUEUE: depth 7 max 512\n"
		" QUEUE: state full\n"
		" something new\n",
		"{\"ports\":[{\"port\":1,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"current_user\":\"root\","
		"\"access_user\":null,\"access_group\":null,"
		"\"in\":{\"pkts\":3,\"bytes\":180,\"frags\":0},"
		"\"out\":{\"pkts\":1,\"bytes\":60},"
		"\"endpoints\":[{\"id\":3,\"module\":\"unix prog\","
		"\"descr\":\"x\"}],"
		"\"extra\":{\"drop_short\":1,\"drop_long\":2,\"drop_vlan\":0,"
		"\"queue_depth\":7,\"queue_max\":512}}],"
		"\"unparsed\":[\" QUEUE: state full\",\" something new\"]}");
	leak_check();
}

Test(ctl_parse, port_print_stp_line)
{
	/* spanning tree on: words and numbers; a second STP: line is not
	 * parsed */
	expect_json("port/print",
		"Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		" IN:  pkts 3 bytes 180\n"
		" OUT: pkts 1 bytes 60\n"
		" STP: role Alternate state discarding edge 0 cost 2000 "
		"bpdu_in 4\n"
		" STP: role Root\n",
		"{\"ports\":[{\"port\":1,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"in\":{\"pkts\":3,\"bytes\":180},"
		"\"out\":{\"pkts\":1,\"bytes\":60},"
		"\"stp\":{\"role\":\"Alternate\",\"state\":\"discarding\","
		"\"edge\":0,\"cost\":2000,\"bpdu_in\":4},"
		"\"endpoints\":[]}],\"unparsed\":[\" STP: role Root\"]}");
	leak_check();
}

Test(ctl_parse, port_print_mirror_capture)
{
	/* mirrors (several), copies received as extra, the capture with a
	 * file name holding blanks */
	expect_json("port/print",
		"Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		" IN:  pkts 3 bytes 180\n"
		" OUT: pkts 1 bytes 60\n"
		" MIRROR: to 2 dirs both\n"
		" MIRROR: to 3 dirs rx\n"
		" MIRROR-IN: pkts 4 bytes 240\n"
		" CAPTURE: snaplen 96 captured 5 dropped 1 queued 0 file "
		"/tmp/a b.pcap\n",
		"{\"ports\":[{\"port\":1,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"in\":{\"pkts\":3,\"bytes\":180},"
		"\"out\":{\"pkts\":1,\"bytes\":60},"
		"\"capture\":{\"snaplen\":96,\"captured\":5,\"dropped\":1,"
		"\"queued\":0,\"file\":\"/tmp/a b.pcap\"},"
		"\"mirrors\":[{\"to\":2,\"dirs\":\"both\"},"
		"{\"to\":3,\"dirs\":\"rx\"}],"
		"\"endpoints\":[],"
		"\"extra\":{\"mirror_in_pkts\":4,\"mirror_in_bytes\":240}}],"
		"\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, port_print_urls)
{
	/* a connector pinned to its port; a listener after the ports */
	expect_json("port/print",
		"Port 0002 untagged_vlan=0000 INACTIVE - Unnamed Allocatable\n"
		" IN:  pkts 0 bytes 0\n"
		" URL: stream+connect://127.0.0.1:9 retrying in 4 s (Connection refused)\n"
		"URL: stream+listen://:8010 listening on 0.0.0.0:8010, 0 peers\n",
		"{\"ports\":[{\"port\":2,\"untagged_vlan\":0,\"active\":false,"
		"\"allocatable\":true,\"in\":{\"pkts\":0,\"bytes\":0},"
		"\"endpoints\":[],\"urls\":[{\"url\":"
		"\"stream+connect://127.0.0.1:9\",\"state\":\"retrying in 4 s "
		"(Connection refused)\"}]}],\"urls\":[{\"url\":"
		"\"stream+listen://:8010\",\"state\":\"listening on "
		"0.0.0.0:8010, 0 peers\"}],\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, port_print_vxlan)
{
	/* a vxlan:// port: its state, and a line per VTEP */
	expect_json("port/print",
		"Port 0003 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		" IN:  pkts 5 bytes 500\n"
		"  -- endpoint ID 0004 module vxlan       : vxlan://239.1.1.1/vni=7\n"
		" URL: vxlan://239.1.1.1/vni=7 vni 7 group 239.1.1.1:4789 vteps 1\n"
		"  VTEP: 198.18.0.2:4789 macs 2 in 5 out 3 age 1 static 0 mtu 1550\n",
		"{\"ports\":[{\"port\":3,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"in\":{\"pkts\":5,\"bytes\":500},"
		"\"endpoints\":[{\"id\":4,\"module\":\"vxlan\",\"descr\":"
		"\"vxlan://239.1.1.1/vni=7\"}],\"urls\":[{\"url\":"
		"\"vxlan://239.1.1.1/vni=7\",\"state\":\"vni 7 group "
		"239.1.1.1:4789 vteps 1\",\"vteps\":[{\"addr\":"
		"\"198.18.0.2:4789\",\"macs\":2,\"in\":5,\"out\":3,\"age\":1,"
		"\"static\":0,\"mtu\":1550}]}]}],\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, port_print_endpoint_details)
{
	/* a slirp endpoint's own lines, indented under it */
	expect_json("port/print",
		"Port 0003 untagged_vlan=0000 ACTIVE - Unnamed Allocatable\n"
		"  -- endpoint ID 0004 module slirp       : slirp://\n"
		"     slirp: network 10.0.2.0/24 gateway 10.0.2.2\n"
		"     slirp: lease 10.0.2.15 52:54:00:12:34:56\n",
		"{\"ports\":[{\"port\":3,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"endpoints\":[{\"id\":4,"
		"\"module\":\"slirp\",\"descr\":\"slirp://\",\"details\":["
		"\"slirp: network 10.0.2.0/24 gateway 10.0.2.2\","
		"\"slirp: lease 10.0.2.15 52:54:00:12:34:56\"]}]}],"
		"\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, port_print_garbage)
{
	/* lines before any port, a header with an unknown word, a second
	 * IN: line, an endpoint without ':' */
	expect_json("port/print",
		"hello\n"
		"Port 0002 untagged_vlan=0000 ACTIVE - Unnamed Allocatable FROZEN\n"
		" IN:  pkts 1 bytes 2\n"
		" IN:  pkts 1 bytes 2\n"
		"  -- endpoint ID 0009 module broken\n"
		"Port 00x3\n"
		"\n",
		"{\"ports\":[{\"port\":2,\"untagged_vlan\":0,\"active\":true,"
		"\"allocatable\":true,\"in\":{\"pkts\":1,\"bytes\":2},"
		"\"endpoints\":[]},{\"endpoints\":[]}],"
		"\"unparsed\":[\"hello\",\"Port 0002 untagged_vlan=0000 ACTIVE - "
		"Unnamed Allocatable FROZEN\",\" IN:  pkts 1 bytes 2\","
		"\"  -- endpoint ID 0009 module broken\",\"Port 00x3\",\"\"]}");
	leak_check();
}

Test(ctl_parse, hash_print)
{
	expect_json("hash/print",
		"Hash: 0012 Addr: 02:00:00:00:00:11 VLAN 0010 to port: 011  age 2 secs\n"
		"Hash: 0105 Addr: 02:00:00:00:00:AB VLAN 0000 to port: 003  age 0 secs\n"
		"Hash: 0105 Addr: 02:00:00:00:00 VLAN 0000 to port: 003  age 0 secs\n",
		"{\"entries\":[{\"hash\":12,\"mac\":\"02:00:00:00:00:11\","
		"\"vlan\":10,\"port\":11,\"age_secs\":2},{\"hash\":105,"
		"\"mac\":\"02:00:00:00:00:ab\",\"vlan\":0,\"port\":3,"
		"\"age_secs\":0}],\"unparsed\":[\"Hash: 0105 Addr: "
		"02:00:00:00:00 VLAN 0000 to port: 003  age 0 secs\"]}");
	expect_json("hash/print", "", "{\"entries\":[],\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, vlan_print)
{
	expect_json("vlan/allprint",
		" -- Port 0001 tagged=0 active=1 status=Forwarding\n"
		"VLAN 0000\n"
		" -- Port 0001 tagged=0 active=1 status=Forwarding\n"
		" -- Port 0007 tagged=0 active=0 status=Learning\n"
		"VLAN 0010\n"
		" -- Port 0011 tagged=1 active=1 status=Forwarding cost=20\n"
		" -- Port 0012 oops\n"
		"VLAN 4094\n",
		"{\"vlans\":[{\"vlan\":0,\"ports\":["
		"{\"port\":1,\"tagged\":false,\"active\":true,\"status\":\"Forwarding\"},"
		"{\"port\":7,\"tagged\":false,\"active\":false,\"status\":\"Learning\"}]},"
		"{\"vlan\":10,\"ports\":[{\"port\":11,\"tagged\":true,"
		"\"active\":true,\"status\":\"Forwarding\",\"cost\":20}]},"
		"{\"vlan\":4094,\"ports\":[]}],"
		"\"unparsed\":[\" -- Port 0001 tagged=0 active=1 status=Forwarding\","
		"\" -- Port 0012 oops\"]}");
	leak_check();
}

Test(ctl_parse, showinfo)
{
	expect_json("showinfo",
		"VDE switch V.2.3.2\n"
		"(C) Virtual Square Team (coord. R. Davoli) 2005,2006,2007 - GPLv2\n"
		"\n"
		"pid 17284 MAC 00:ff:05:a3:f6:3f uptime 2\n"
		"mgmt /tmp/vdet/sw.mgmt perm 0600\n"
		"no value here\n",
		"{\"banner\":[\"VDE switch V.2.3.2\",\"(C) Virtual Square Team "
		"(coord. R. Davoli) 2005,2006,2007 - GPLv2\"],"
		"\"version\":\"2.3.2\",\"pid\":17284,\"mac\":\"00:ff:05:a3:f6:3f\","
		"\"uptime\":2,\"mgmt\":\"/tmp/vdet/sw.mgmt\",\"perm\":\"0600\","
		"\"unparsed\":[\"no value here\"]}");
	expect_json("showinfo", "patchbay 0.1.0\n\nuptime 5\n",
		    "{\"banner\":[\"patchbay 0.1.0\"],\"version\":\"0.1.0\","
		    "\"uptime\":5,\"unparsed\":[]}");
	leak_check();
}

Test(ctl_parse, info_forms)
{
	expect_json("hash/showinfo",
		"Hash size 128\nGC interval 2 secs\nGC expire 100 secs\n"
		"Min persistence 3 secs\n",
		"{\"hash_size\":128,\"gc_interval_secs\":2,"
		"\"gc_expire_secs\":100,\"min_persistence_secs\":3,"
		"\"unparsed\":[]}");
	expect_json("port/showinfo", "Numports=32\nHUB=false\ncounters=true\n",
		    "{\"numports\":32,\"hub\":false,\"counters\":true,"
		    "\"unparsed\":[]}");
	expect_json("ds/showinfo", "ctl dir /tmp/vdet/sw\nstd mode 0600\n",
		    "{\"ctl_dir\":\"/tmp/vdet/sw\",\"std_mode\":\"0600\","
		    "\"unparsed\":[]}");
	expect_json("fstp/showinfo",
		    "MAC 00:ff:05:a3:f6:3f Priority 32768 (0x8000)\nFSTP=false\n"
		    "---\n42\n",
		    "{\"mac\":\"00:ff:05:a3:f6:3f\",\"priority\":32768,"
		    "\"fstp\":false,\"unparsed\":[\"42\"]}");
	leak_check();
}

Test(ctl_parse, generic_lines)
{
	expect_json("help", "COMMAND PATH\n\n\t\x01\xff",
		    "{\"lines\":[\"COMMAND PATH\",\"\",\"\\t\\u0001\\ufffd\"]}");
	leak_check();
}

Test(ctl_parse, long_and_wide_lines)
{
	char *body = malloc(8192), *got;

	cr_assert(body);
	memset(body, 'x', 8191);
	body[8191] = '\0';
	memcpy(body, "Port 0001 ", 10);
	got = to_json("port/print", body);
	cr_assert(strstr(got, "\"unparsed\":[\"Port 0001 xxx"));
	free(got);
	memset(body, 0, 8192);
	for (int i = 0; i < 100; i++)
		strcat(body, "a 1 ");
	got = to_json("hash/showinfo", body);
	cr_assert(strstr(got, "\"unparsed\":[\"a 1 a 1"));
	free(got);
	free(body);
	leak_check();
}

Test(ctl_parse, async_lines)
{
	struct ctl_async a;
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	cr_assert_eq(ctl_parse_async("3031 port/ep/+ Port 02 FD  8", &a), 0);
	cr_assert_eq(a.code, 3031);
	cr_assert_eq(a.catlen, 9);
	cr_assert_eq(strncmp(a.cat, "port/ep/+", 9), 0);
	cr_assert_str_eq(a.text, "Port 02 FD  8");
	cr_assert_eq(ctl_parse_async("3022 port/-", &a), 0);
	cr_assert_str_eq(a.text, "");
	cr_assert_eq(ctl_parse_async("1000 Success", &a), -EINVAL);
	cr_assert_eq(ctl_parse_async("30x1 a b", &a), -EINVAL);
	cr_assert_eq(ctl_parse_async("3031", &a), -EINVAL);
	cr_assert_eq(ctl_parse_async("3031  x", &a), -EINVAL);

	cr_assert_eq(ctl_parse_async("3023 port/descr Port 01 -> \"a\"", &a),
		     0);
	f = open_memstream(&buf, &len);
	cr_assert(f);
	json_init(&j, f);
	ctl_async_json(&j, &a);
	cr_assert_eq(json_finish(&j), 0);
	fclose(f);
	cr_assert_str_eq(buf, "{\"code\":3023,\"category\":\"port/descr\","
			      "\"text\":\"Port 01 -> \\\"a\\\"\"}\n");
	free(buf);
	leak_check();
}

Test(ctl_parse, debug_categories)
{
	size_t n, nc;
	char **cats;
	char **lines = split(
		"CATEGORY               TAG STATUS HELP\n"
		"------------           --- ------ ----\n"
		"hash/+                 011 OFF    hash: new element\n"
		"port/ep/-              032 ON     closed endpoint\n"
		"\n", &n);

	cr_assert_eq(ctl_debug_categories(lines, n, &cats, &nc), 0);
	cr_assert_eq(nc, 2);
	cr_assert_str_eq(cats[0], "hash/+");
	cr_assert_str_eq(cats[1], "port/ep/-");
	ctl_free_strings(cats, nc);
	cr_assert_eq(ctl_debug_categories(lines, 1, &cats, &nc), -EINVAL);
	cr_assert_eq(ctl_debug_categories(lines, 2, &cats, &nc), -EINVAL);
	free_lines(lines, n);
	leak_check();
}
