/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_parse.c - strict number, mode and MAC parsing (lib/parse.c).
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "parse.h"

Test(parse, numbers)
{
	unsigned long v;

	cr_assert_eq(parse_ulong("32", 10, 1, 100, &v), 0);
	cr_assert_eq(v, 32);
	cr_assert_eq(parse_ulong("abc", 10, 0, 100, &v), -EINVAL);
	cr_assert_eq(parse_ulong("", 10, 0, 100, &v), -EINVAL);
	cr_assert_eq(parse_ulong("12x", 10, 0, 100, &v), -EINVAL);
	cr_assert_eq(parse_ulong("-1", 10, 0, 100, &v), -EINVAL);
	cr_assert_eq(parse_ulong(" 1", 10, 0, 100, &v), -EINVAL);
	cr_assert_eq(parse_ulong("101", 10, 0, 100, &v), -ERANGE);
	cr_assert_eq(parse_ulong("0", 10, 1, 100, &v), -ERANGE);
	cr_assert_eq(parse_ulong("99999999999999999999999", 10, 0, 100, &v),
		     -ERANGE);
	leak_check();
}

Test(parse, modes)
{
	unsigned m;

	cr_assert_eq(parse_mode("0660", &m), 0);
	cr_assert_eq(m, 0660);
	cr_assert_eq(parse_mode("2700", &m), 0);
	cr_assert_eq(m, 02700);
	cr_assert_eq(parse_mode("888", &m), -EINVAL);
	cr_assert_eq(parse_mode("17777", &m), -ERANGE);
	leak_check();
}

Test(parse, macs)
{
	uint8_t mac[6];
	char buf[18];

	cr_assert_eq(parse_mac("02:00:00:00:00:0a", mac), 0);
	format_mac(mac, buf);
	cr_assert_str_eq(buf, "02:00:00:00:00:0a");
	cr_assert_eq(parse_mac("2.0.0.0.0.A", mac), 0);
	cr_assert_eq(mac[5], 0x0a);
	cr_assert_eq(parse_mac("02:00:00:00:00", mac), -EINVAL);
	cr_assert_eq(parse_mac("02:00:00:00:00:0a:0b", mac), -EINVAL);
	cr_assert_eq(parse_mac("02:00.00:00:00:0a", mac), -EINVAL);
	cr_assert_eq(parse_mac("xyz", mac), -EINVAL);
	cr_assert_eq(parse_mac("002:00:00:00:00:0a", mac), -EINVAL);
	leak_check();
}
