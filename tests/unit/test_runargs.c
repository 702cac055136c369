/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_runargs.c - patchbay-run's command-line rewriter: every form it
 * rewrites, what it leaves alone, vdeq's options, and each refusal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"
#include "runargs.h"

#define MAXARGS 32

static struct runargs ra;

static void fini(void)
{
	runargs_free(&ra);
	leak_check();
}

TestSuite(runargs, .fini = fini);

/* Parse the NULL-terminated arguments (after releasing the last parse);
 * @vdeq as runargs_parse(). */
static int parse(bool vdeq, ...)
{
	static char *argv[MAXARGS];
	va_list ap;
	int argc = 0;
	char *a;

	va_start(ap, vdeq);
	while ((a = va_arg(ap, char *)) && argc < MAXARGS - 1)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	runargs_free(&ra);
	return runargs_parse(&ra, argc, argv, vdeq);
}

/* Give the nets fds 10, 11, ... and return the new command line. */
static char *rewritten(void)
{
	static char line[4096];
	char **argv, *q;
	size_t i;

	for (i = 0; i < ra.nnets; i++)
		ra.nets[i].fd = 10 + (int)i;
	argv = runargs_build(&ra, NULL);
	cr_assert(argv);
	q = runargs_quote("EMU", argv);
	cr_assert(q);
	snprintf(line, sizeof(line), "%s", q);
	free(q);
	runargs_argv_free(argv);
	return line;
}

static void refused(const char *needle)
{
	cr_assert(strstr(ra.err, needle), "error '%s' lacks '%s'", ra.err,
		  needle);
}

Test(runargs, netdev)
{
	cr_assert_eq(parse(false, "-M", "pc", "-netdev",
			   "vde,id=n0,sock=/tmp/sw,port=4,group=kvm,mode=0770",
			   "-device", "e1000,netdev=n0", NULL), 0);
	cr_assert_eq(ra.nnets, 1);
	cr_assert_str_eq(ra.nets[0].sock, "/tmp/sw");
	cr_assert_eq(ra.nets[0].port, 4);
	cr_assert_str_eq(ra.nets[0].group, "kvm");
	cr_assert_eq(ra.nets[0].mode, 0770);
	cr_assert_eq(ra.nets[0].form, RUN_NETDEV);
	cr_assert_str_eq(rewritten(), "EMU -M pc -netdev socket,id=n0,fd=10 "
				      "-device e1000,netdev=n0");
}

Test(runargs, nic_keeps_model_mac_id)
{
	cr_assert_eq(parse(false, "--nic",
			   "vde,sock=vde:///tmp/sw[3],model=virtio-net-pci,"
			   "mac=52:54:00:12:34:56,id=x",
			   NULL), 0);
	cr_assert_str_eq(ra.nets[0].sock, "vde:///tmp/sw[3]");
	cr_assert_eq(ra.nets[0].mode, RUN_DEFAULT_MODE);
	cr_assert_str_eq(rewritten(),
			 "EMU -nic socket,fd=10,id=x,model=virtio-net-pci,"
			 "mac=52:54:00:12:34:56");
}

Test(runargs, nic_default_switch)
{
	cr_assert_eq(parse(false, "-nic", "vde", NULL), 0);
	cr_assert_null(ra.nets[0].sock);
	cr_assert_str_eq(rewritten(), "EMU -nic socket,fd=10");
}

Test(runargs, commas_escaped_both_ways)
{
	cr_assert_eq(parse(false, "-netdev", "vde,id=n0,sock=/tmp/a,,b", NULL),
		     0);
	cr_assert_str_eq(ra.nets[0].sock, "/tmp/a,b");
	cr_assert_eq(parse(false, "-nic", "vde,model=a,,b", NULL), 0);
	cr_assert_str_eq(rewritten(), "EMU -nic socket,fd=10,model=a,,b");
}

Test(runargs, type_key_form)
{
	cr_assert_eq(parse(false, "-netdev", "type=vde,id=n0", NULL), 0);
	cr_assert_eq(ra.nnets, 1);
	cr_assert_str_eq(rewritten(), "EMU -netdev socket,id=n0,fd=10");
}

Test(runargs, net_hub0)
{
	cr_assert_eq(parse(false, "-net", "nic,model=e1000", "-net",
			   "vde,sock=/tmp/sw,vlan=0", NULL), 0);
	cr_assert_eq(ra.nnics, 0);
	cr_assert_str_eq(rewritten(),
			 "EMU -net nic,model=e1000 -net socket,fd=10");
}

/* vdeq's documented two-NIC example, mapped to QEMU 7.2's hubs. */
Test(runargs, net_vlans_become_hubports)
{
	cr_assert_eq(parse(false, "-net", "nic,vlan=0", "-net", "nic,vlan=1",
			   "-net", "vde,vlan=0", "-net",
			   "vde,vlan=1,sock=/tmp/my.ctl,port=10", NULL), 0);
	cr_assert_eq(ra.nnets, 2);
	cr_assert_eq(ra.nets[1].port, 10);
	cr_assert_eq(ra.nets[1].vlan, 1);
	cr_assert_str_eq(rewritten(),
			 "EMU -net nic -netdev hubport,id=pbnic1,hubid=1 "
			 "-net nic,netdev=pbnic1 -net socket,fd=10 "
			 "-netdev socket,id=pbrun1,fd=11 "
			 "-netdev hubport,id=pbrun1hub,hubid=1,netdev=pbrun1");
}

Test(runargs, net_nic_without_vlan_untouched)
{
	cr_assert_eq(parse(false, "-net", "nic,macaddr=52:54:00:00:00:01",
			   "-net", "user", NULL), 0);
	cr_assert_eq(ra.nnets, 0);
	cr_assert_eq(ra.nnics, 0);
	cr_assert_str_eq(rewritten(),
			 "EMU -net nic,macaddr=52:54:00:00:00:01 -net user");
}

Test(runargs, other_options_untouched)
{
	cr_assert_eq(parse(false, "-netdev", "user,id=u0", "-append",
			   "console=ttyS0 x=vde,y", "-nic", "tap,fd=5",
			   "-netdev", NULL), 0);
	cr_assert_eq(ra.nnets, 0);
	cr_assert_str_eq(rewritten(),
			 "EMU -netdev user,id=u0 -append 'console=ttyS0 x=vde,y' "
			 "-nic tap,fd=5 -netdev");
}

Test(runargs, vdeq_sock_old_form)
{
	cr_assert_eq(parse(false, "-sock", "/tmp/a,/tmp/b", "--mod", "770",
			   "-m", "128M", NULL), 0);
	cr_assert_eq(ra.first, 4);
	cr_assert_eq(ra.nnets, 2);
	cr_assert_str_eq(ra.nets[1].sock, "/tmp/b");
	cr_assert_eq(ra.nets[0].mode, 0770);
	cr_assert(ra.add_nic);
	cr_assert_str_eq(rewritten(), "EMU -net nic -net socket,fd=10 "
				      "-net socket,fd=11 -m 128M");
}

Test(runargs, vdeq_sock_with_own_nic)
{
	cr_assert_eq(parse(false, "-unix", "/tmp/a", "-net", "nic,model=e1000",
			   NULL), 0);
	cr_assert(!ra.add_nic);
	cr_assert_str_eq(rewritten(),
			 "EMU -net socket,fd=10 -net nic,model=e1000");
}

Test(runargs, vdeq_sock_is_default_for_vde_options)
{
	cr_assert_eq(parse(false, "-vdesock", "/tmp/a", "--mod", "0777",
			   "-nic", "vde", "-nic", "vde,sock=/tmp/b,mode=0700",
			   NULL), 0);
	cr_assert_eq(ra.nnets, 2);
	cr_assert_str_eq(ra.nets[0].sock, "/tmp/a");
	cr_assert_eq(ra.nets[0].mode, 0777);
	cr_assert_str_eq(ra.nets[1].sock, "/tmp/b");
	cr_assert_eq(ra.nets[1].mode, 0700);
	cr_assert(!ra.add_nic);
}

Test(runargs, vdeq_default_switch_and_quotes)
{
	cr_assert_eq(parse(true, "-hda", "disk.img", NULL), 0);
	cr_assert_eq(ra.nnets, 1);
	cr_assert_null(ra.nets[0].sock);
	cr_assert_str_eq(rewritten(),
			 "EMU -net nic -net socket,fd=10 -hda disk.img");
	cr_assert_eq(parse(false, "-net", "vde,sock=\"/tmp/x y\"", NULL), 0);
	cr_assert_str_eq(ra.nets[0].sock, "/tmp/x y");
}

Test(runargs, nothing_to_do)
{
	cr_assert_eq(parse(false, "-M", "none", NULL), 0);
	cr_assert_eq(ra.nnets, 0);
	cr_assert(!ra.add_nic);
	cr_assert_str_eq(rewritten(), "EMU -M none");
}

Test(runargs, daemonize_seen)
{
	cr_assert_eq(parse(false, "-nic", "vde", "--daemonize", NULL), 0);
	cr_assert(ra.daemonize);
}

Test(runargs, refusals)
{
	cr_assert_lt(parse(false, "-nic", "vde,sock=/x,fast=1", NULL), 0);
	refused("unknown key 'fast'");
	refused("-nic vde,sock=/x,fast=1");
	cr_assert_lt(parse(false, "-netdev", "vde,sock=/x", NULL), 0);
	refused("id= is required");
	cr_assert_lt(parse(false, "-netdev", "vde,id=a,model=e1000", NULL), 0);
	refused("unknown key 'model'");
	cr_assert_lt(parse(false, "-nic", "vde,vlan=1", NULL), 0);
	refused("unknown key 'vlan'");
	cr_assert_lt(parse(false, "-nic", "vde,port=x", NULL), 0);
	refused("bad port 'x'");
	cr_assert_lt(parse(false, "-nic", "vde,port=16777216", NULL), 0);
	refused("bad port");
	cr_assert_lt(parse(false, "-nic", "vde,mode=0999", NULL), 0);
	refused("bad mode '0999'");
	cr_assert_lt(parse(false, "-nic", "vde,mac=52:54:00", NULL), 0);
	refused("bad mac");
	cr_assert_lt(parse(false, "-nic", "vde,port=1,port=2", NULL), 0);
	refused("'port' given twice");
	cr_assert_lt(parse(false, "-nic", "vde,sock=", NULL), 0);
	refused("empty sock=");
	cr_assert_lt(parse(false, "-nic", "vde,bare", NULL), 0);
	refused("'bare' is not key=value");
	cr_assert_lt(parse(false, "-net", "vde,vlan=-1", NULL), 0);
	refused("bad vlan");
	cr_assert_lt(parse(false, "-net", "nic,vlan=x", NULL), 0);
	refused("bad vlan 'x'");
	cr_assert_lt(parse(false, "-netdev", "{\"type\":\"vde\",\"id\":\"n\"}",
			   NULL), 0);
	refused("JSON");
	cr_assert_lt(parse(false, "-sock", "/a,/b", "-nic", "vde", NULL), 0);
	refused("several switches");
	cr_assert_lt(parse(false, "-sock", "/a,,/b", NULL), 0);
	refused("empty path");
	cr_assert_lt(parse(false, "-sock", NULL), 0);
	refused("-sock needs a path");
	cr_assert_lt(parse(false, "--mod", "rw", NULL), 0);
	refused("--mod 'rw'");
}

Test(runargs, quote)
{
	char a0[] = "a b", a1[] = "it's", a2[] = "", a3[] = "plain,x=1:/p";
	char *argv[] = { a0, a1, a2, a3, NULL };
	char *q = runargs_quote("/usr/bin/q", argv);

	cr_assert_str_eq(q, "/usr/bin/q 'a b' 'it'\\''s' '' plain,x=1:/p");
	free(q);
}

Test(runargs, schemes)
{
	cr_assert(runargs_is_vde_scheme(NULL));
	cr_assert(runargs_is_vde_scheme("/tmp/sw"));
	cr_assert(runargs_is_vde_scheme("/tmp/sw[4]"));
	cr_assert(runargs_is_vde_scheme("vde:///tmp/sw"));
	cr_assert(!runargs_is_vde_scheme("vxlan://239.0.0.1"));
	cr_assert(!runargs_is_vde_scheme("ptp:///tmp/p"));
}
