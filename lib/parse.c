/* SPDX-License-Identifier: GPL-2.0-or-later
 * parse.c - strict parsing: the whole string must be a number in range,
 * never atoi()'s "abc is 0".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse.h"

/**
 * parse_ulong() - parse an unsigned number, all of @s, within [min, max]
 * @s:		text; no sign, no surrounding blanks
 * @base:	10, 8, 16, or 0 for C prefixes
 * @min:	smallest accepted value
 * @max:	largest accepted value
 * @out:	where the value goes on success
 *
 * Return: 0, -EINVAL if @s is not a number, -ERANGE if out of range
 */
int parse_ulong(const char *s, int base, unsigned long min, unsigned long max,
		unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/**
 * parse_mode() - parse an octal file mode (at most 07777)
 * @s:		text such as "0660" or "660"
 * @out:	the mode
 *
 * Return: 0, -EINVAL or -ERANGE
 */
int parse_mode(const char *s, unsigned *out)
{
	unsigned long v;
	int rc;

	rc = parse_ulong(s, 8, 0, 07777, &v);
	if (rc)
		return rc;
	*out = (unsigned)v;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/**
 * parse_mac() - parse a MAC address written with ':' or '.' separators
 * @s:		six groups of one or two hex digits, e.g. 02:00:00:00:00:0a
 * @mac:	the six bytes
 *
 * Return: 0, or -EINVAL if @s is not a MAC address
 */
int parse_mac(const char *s, uint8_t mac[6])
{
	char sep = 0;
	int i;

	for (i = 0; i < 6; i++) {
		int hi, lo;

		hi = hexval((unsigned char)*s);
		if (hi < 0)
			return -EINVAL;
		s++;
		lo = hexval((unsigned char)*s);
		if (lo >= 0) {
			hi = hi * 16 + lo;
			s++;
		}
		mac[i] = (uint8_t)hi;
		if (i == 5)
			break;
		if (*s != ':' && *s != '.')
			return -EINVAL;
		if (sep && *s != sep)
			return -EINVAL;
		sep = *s++;
	}
	return *s == '\0' ? 0 : -EINVAL;
}

/**
 * format_mac() - write a MAC address as xx:xx:xx:xx:xx:xx
 * @mac:	the six bytes
 * @buf:	18 bytes of room
 */
void format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}
