/* SPDX-License-Identifier: GPL-2.0-or-later
 * parse.h - strict parsing of numbers, octal modes and MAC addresses.
 */
#ifndef PATCHBAY_PARSE_H
#define PATCHBAY_PARSE_H

#include <stdint.h>

int parse_ulong(const char *s, int base, unsigned long min, unsigned long max,
		unsigned long *out);
int parse_mode(const char *s, unsigned *out);
int parse_mac(const char *s, uint8_t mac[6]);
void format_mac(const uint8_t mac[6], char buf[18]);

#endif /* PATCHBAY_PARSE_H */
