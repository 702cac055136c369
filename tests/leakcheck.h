/* SPDX-License-Identifier: GPL-2.0-or-later
 * leakcheck.h - LeakSanitizer inside Criterion tests.
 *
 * Criterion's test processes end without LeakSanitizer's exit-time check,
 * so a unit test that leaks would pass. leak_check() runs the check on
 * demand; use it as a suite's .fini, or at the end of one. Without ASan it
 * does nothing.
 */
#ifndef PATCHBAY_LEAKCHECK_H
#define PATCHBAY_LEAKCHECK_H

#include <criterion/criterion.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

static inline void leak_check(void)
{
#ifdef __SANITIZE_ADDRESS__
	cr_expect_eq(__lsan_do_recoverable_leak_check(), 0,
		     "LeakSanitizer found leaks (see the log)");
#endif
}

#endif /* PATCHBAY_LEAKCHECK_H */
