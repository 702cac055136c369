/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_log.c - lib/log.c: debug messages cost nothing without --debug.
 */
#include <criterion/criterion.h>

#include "leakcheck.h"

#include "log.h"

static int evaluated;

static const char *costly(void)
{
	evaluated++;
	return "text";
}

Test(log, debug_arguments_not_evaluated_unless_verbose)
{
	log_init("test_log", 0);
	log_debug("dropped: %s", costly());
	cr_assert_eq(evaluated, 0, "evaluated without --debug");
	log_set_verbose(1);
	log_debug("dropped: %s", costly());
	cr_assert_eq(evaluated, 1);
	log_set_verbose(0);
	leak_check();
}
