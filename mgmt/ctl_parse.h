/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_parse.h - turn the text bodies of vde_switch's console commands into
 * JSON (patchbay-ctl --json), and read debug/list and asynchronous lines.
 *
 * The parsers never refuse a body: a line they do not understand goes to
 * the document's "unparsed" array and parsing goes on with the next one.
 */
#ifndef PATCHBAY_CTL_PARSE_H
#define PATCHBAY_CTL_PARSE_H

#include <stddef.h>

#include "ctl_json.h"

/**
 * enum ctl_body_kind - how a command's body is turned into JSON
 * @CTL_BODY_LINES:	any other command: {"lines": [...]}
 * @CTL_BODY_SHOWINFO:	showinfo: banner, version, then info lines
 * @CTL_BODY_INFO:	X/showinfo: "key value" and "Key=value" lines
 * @CTL_BODY_PORTS:	port/print, port/allprint
 * @CTL_BODY_HASH:	hash/print
 * @CTL_BODY_VLANS:	vlan/print, vlan/allprint
 */
enum ctl_body_kind {
	CTL_BODY_LINES,
	CTL_BODY_SHOWINFO,
	CTL_BODY_INFO,
	CTL_BODY_PORTS,
	CTL_BODY_HASH,
	CTL_BODY_VLANS,
};

enum ctl_body_kind ctl_body_kind(const char *cmdline);
int ctl_body_json(struct json *j, enum ctl_body_kind kind,
		  char *const *lines, size_t n);

/**
 * struct ctl_async - an asynchronous console line "3NNN category text"
 * @code:	the four-digit code as printed (3000 + the octal tag's digits)
 * @cat:	start of the category (not NUL-terminated)
 * @catlen:	its length
 * @text:	the rest of the line after one space ("" if none)
 */
struct ctl_async {
	unsigned code;
	const char *cat;
	size_t catlen;
	const char *text;
};

int ctl_parse_async(const char *line, struct ctl_async *a);
void ctl_async_json(struct json *j, const struct ctl_async *a);
int ctl_debug_categories(char *const *lines, size_t n, char ***cats,
			 size_t *ncats);
void ctl_free_strings(char **v, size_t n);

#endif /* PATCHBAY_CTL_PARSE_H */
