/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_port.c - port choice and access control (switch/port.c), as
 * research/vde.md §1.5 and §3.5 describe vde_switch's.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "loop.h"
#include "port.h"
#include "sw.h"
#include "swcore.h"
#include "vdewire.h"

#define NOBODY 65534
#define NOGROUP 65534
#define DAEMON 1

static struct loop *loop;
static struct sw *sw;
static struct endpoint eps[8];

static void setup(void)
{
	struct sw_config cfg;

	sw_config_defaults(&cfg);
	cfg.nports = 4;
	cfg.hashsize = 16;
	cfg.maxmac = 16;
	cfg.queue_frames = 4;
	cfg.queue_bytes = 65536;
	cfg.queue_memory = 1 << 30;
	loop = loop_create();
	cr_assert(loop);
	sw = sw_create(&cfg, loop);
	cr_assert(sw);
	memset(eps, 0, sizeof(eps));
}

static void teardown(void)
{
	unsigned i;

	if (!sw)
		return;
	for (i = 0; i < 8; i++)
		if (eps[i].port)
			port_detach(sw, &eps[i]);
	sw_destroy(sw);
	loop_destroy(loop);
	sw = NULL;
	loop = NULL;
}

/* The end of a passing test: tear down, then nothing may be left. */
static void finish(void)
{
	teardown();
	leak_check();
}

TestSuite(port, .init = setup, .fini = teardown);

static int take(unsigned i, unsigned type, unsigned num, uid_t user)
{
	struct port *p;
	char why[256];
	int rc = port_select(sw, type, num, user, &p, why, sizeof(why));

	if (rc == 0) {
		eps[i].user = user;
		cr_assert_eq(port_attach(sw, p, &eps[i]), 0);
		return (int)p->num;
	}
	cr_assert_neq(why[0], '\0', "a refusal says why");
	return rc;
}

Test(port, automatic_choice_is_lowest_free)
{
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 0, 0), 1);
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 3, 0), 3);
	cr_assert_eq(take(2, VDE_REQ_NEW_CONTROL, 0, 0), 2);
	cr_assert_eq(take(3, VDE_REQ_NEW_CONTROL, 0, 0), 4, "-n 4: port 4");
	cr_assert_eq(take(4, VDE_REQ_NEW_CONTROL, 0, 0), -ENOSPC);
	cr_assert_eq(take(4, VDE_REQ_NEW_PORT0, 0, 0), 0);
	port_detach(sw, &eps[2]);
	eps[2].port = NULL;
	cr_assert_eq(take(5, VDE_REQ_NEW_CONTROL, 0, 0), 2, "freed port");
	finish();
}

Test(port, not_allocatable_skipped_by_automatic_choice)
{
	port_get(sw, 1)->allocatable = false;
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 0, 0), 2);
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 1, 0), 1, "named: fine");
	finish();
}

Test(port, out_of_range)
{
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 5, 0), -ERANGE);
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 0xffffff, 0), -ERANGE);
	finish();
}

Test(port, active_port_only_for_its_user)
{
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 2, NOBODY), 2);
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 2, DAEMON), -EADDRINUSE);
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 2, 0), -EADDRINUSE,
		     "root too (measured on vde_switch)");
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 2, NOBODY), 2);
	cr_assert_eq(port_get(sw, 2)->neps, 2);
	/* once inactive, anyone may take it */
	port_detach(sw, &eps[0]);
	port_detach(sw, &eps[1]);
	eps[0].port = eps[1].port = NULL;
	cr_assert_eq(take(2, VDE_REQ_NEW_CONTROL, 2, DAEMON), 2);
	finish();
}

Test(port, acl_user)
{
	port_get(sw, 3)->acl_user = NOBODY;
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 3, DAEMON), -EPERM);
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 3, NOBODY), 3);
	port_detach(sw, &eps[0]);
	eps[0].port = NULL;
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 3, 0), 3, "root passes");
	/* the automatic choice skips a port the user may not take */
	port_detach(sw, &eps[0]);
	eps[0].port = NULL;
	port_get(sw, 1)->acl_user = NOBODY;
	cr_assert_eq(take(1, VDE_REQ_NEW_CONTROL, 0, DAEMON), 2);
	finish();
}

Test(port, acl_group)
{
	port_get(sw, 4)->acl_group = NOGROUP;
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 4, DAEMON), -EPERM);
	cr_assert_eq(take(0, VDE_REQ_NEW_CONTROL, 4, NOBODY), 4,
		     "nobody's primary group is nogroup");
	finish();
}
