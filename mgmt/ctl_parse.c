/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_parse.c - the text bodies of console commands as JSON.
 *
 * Formats (vde_switch 2.3.2, kept by patchbay):
 *   port/print:  "Port 0001 untagged_vlan=0000 ACTIVE - Unnamed Allocatable"
 *                " Current User: root Access Control: (User: NONE - Group: NONE)"
 *                " IN:  pkts 0 bytes 0", " OUT: pkts 1 bytes 19",
 *                "  -- endpoint ID 0003 module unix prog   : DESCR",
 *                and any " LABEL: name N name N" line (patchbay's drop
 *                counters, queue depths) as "extra" members; with spanning
 *                tree on, " STP: role Designated state forwarding edge 1
 *                ..." as the member "stp"; " MIRROR: to 3 dirs both" lines
 *                as "mirrors", " CAPTURE: snaplen N ... file PATH" as
 *                "capture".
 *   hash/print:  "Hash: 0012 Addr: 02:00:00:00:00:11 VLAN 0010 to port: 011  age 2 secs"
 *   vlan/print:  "VLAN 0010", " -- Port 0011 tagged=1 active=1 status=Forwarding"
 *   X/showinfo:  "Hash size 128", "GC interval 2 secs", "Numports=32", ...
 * Zero-padded numbers in the port, hash and VLAN formats are decimal.
 * Every line that fits none of these goes to "unparsed", in order.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_parse.h"
#include "parse.h"

#define MAX_TOKS 48
#define TOK_BUF 1024
#define KEY_LEN 64

/* A line split on blanks, in a private copy. */
struct toks {
	char buf[TOK_BUF];
	char *t[MAX_TOKS];
	size_t n;
};

/* The unparsed lines of a body, by index, emitted at the end. */
struct unparsed {
	size_t *idx;
	size_t n;
};

/* Split @line on spaces and tabs; false if it is too long or has too many
 * words to be one of the known formats. */
static bool tokenize(const char *line, struct toks *tk)
{
	size_t len = strlen(line);
	char *p;

	tk->n = 0;
	if (len >= sizeof(tk->buf))
		return false;
	memcpy(tk->buf, line, len + 1);
	p = tk->buf;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			return true;
		if (tk->n == MAX_TOKS)
			return false;
		tk->t[tk->n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
}

/* All of @s is a decimal number (leading zeros allowed). */
static bool dec(const char *s, unsigned long long *v)
{
	unsigned long x;

	if (parse_ulong(s, 10, 0, ULONG_MAX, &x))
		return false;
	*v = x;
	return true;
}

/* @s is a MAC address written with colons. */
static bool is_mac(const char *s, char norm[18])
{
	uint8_t mac[6];

	if (!strchr(s, ':') || parse_mac(s, mac))
		return false;
	format_mac(mac, norm);
	return true;
}

/* Append the words of @in to key @out: lowercase, runs of anything but
 * letters and digits become one '_'. */
static void key_append(char out[KEY_LEN], const char *in)
{
	size_t len = strlen(out);
	bool sep = len > 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (!isalnum(c)) {
			sep = len > 0;
			continue;
		}
		if (sep && len + 1 < KEY_LEN) {
			out[len++] = '_';
			sep = false;
		}
		if (len + 1 < KEY_LEN)
			out[len++] = (char)tolower(c);
	}
	out[len] = '\0';
}

static void unparsed_add(struct unparsed *u, size_t i)
{
	u->idx[u->n++] = i;
}

/* A value from a port or VLAN line: decimal (zero-padded) or a string. */
static void json_fieldval(struct json *j, const char *v)
{
	unsigned long long n;

	if (dec(v, &n))
		json_uint(j, n);
	else
		json_str(j, v);
}

/* "NONE" is vde_switch's word for no user or group. */
static void json_kname(struct json *j, const char *key, const char *v)
{
	json_kstr(j, key, strcmp(v, "NONE") ? v : NULL);
}

/* " LABEL: name N name N ...": the label (without ':') and the pairs. */
static bool pairs_line(const char *line, struct toks *tk)
{
	size_t i, len;
	unsigned long long v;

	if (!tokenize(line, tk) || tk->n < 3 || (tk->n - 1) % 2)
		return false;
	len = strlen(tk->t[0]);
	if (len < 2 || tk->t[0][len - 1] != ':')
		return false;
	for (i = 1; i < tk->n; i += 2)
		if (dec(tk->t[i], &v) || !dec(tk->t[i + 1], &v))
			return false;
	return true;
}

/* --- port/print ------------------------------------------------------- */

enum port_line {
	PL_UNKNOWN,
	PL_USER,
	PL_IN,
	PL_OUT,
	PL_ENDPOINT,
	PL_URL,
	PL_VTEP,
	PL_STP,
	PL_MIRROR,
	PL_CAPTURE,
	PL_DETAIL,
	PL_EXTRA,
};

static bool is_port_header(const char *l)
{
	return !strncmp(l, "Port ", 5) && isdigit((unsigned char)l[5]);
}

/* " Current User: U Access Control: (User: U - Group: G)" */
static bool user_line(const char *line, struct toks *tk)
{
	size_t len;

	if (!tokenize(line, tk) || tk->n != 10)
		return false;
	if (strcmp(tk->t[0], "Current") || strcmp(tk->t[1], "User:") ||
	    strcmp(tk->t[3], "Access") || strcmp(tk->t[4], "Control:") ||
	    strcmp(tk->t[5], "(User:") || strcmp(tk->t[7], "-") ||
	    strcmp(tk->t[8], "Group:"))
		return false;
	len = strlen(tk->t[9]);
	if (len < 2 || tk->t[9][len - 1] != ')')
		return false;
	tk->t[9][len - 1] = '\0';
	return true;
}

/**
 * struct endpoint - the parts of "  -- endpoint ID 0003 module M   : DESCR"
 * @id:		endpoint number
 * @mod:	module name (not terminated), trailing blanks removed
 * @modlen:	its length
 * @descr:	the description, the rest of the line
 */
struct endpoint {
	unsigned long long id;
	const char *mod;
	size_t modlen;
	const char *descr;
};

static bool endpoint_line(const char *line, struct endpoint *ep)
{
	const char *p = line, *colon;
	char num[24];
	size_t len;

	while (*p == ' ')
		p++;
	if (strncmp(p, "-- endpoint ID ", 15))
		return false;
	p += 15;
	len = strspn(p, "0123456789");
	if (!len || len >= sizeof(num) || strncmp(p + len, " module ", 8))
		return false;
	memcpy(num, p, len);
	num[len] = '\0';
	if (!dec(num, &ep->id))
		return false;
	p += len + 8;
	colon = strchr(p, ':');
	if (!colon)
		return false;
	ep->mod = p;
	ep->modlen = (size_t)(colon - p);
	while (ep->modlen && ep->mod[ep->modlen - 1] == ' ')
		ep->modlen--;
	ep->descr = colon[1] == ' ' ? colon + 2 : colon + 1;
	return true;
}

/* "URL: SCHEME://REST STATE" (" URL: " inside a port's block) */
static bool url_line(const char *line, bool top)
{
	return !strncmp(line, top ? "URL: " : " URL: ", top ? 5 : 6);
}

/* "  VTEP: ADDR macs N in N out N ..." under a vxlan:// URL line */
static bool vtep_line(const char *line)
{
	return !strncmp(line, "  VTEP: ", 8);
}

/* {"url": ..., "state": ..., "vteps": [...]} from a URL line (lines[@i])
 * and the VTEP lines after it, up to @n */
static void url_obj(struct json *j, char *const *lines, size_t i, size_t n)
{
	const char *line = lines[i];
	const char *u = line + (line[0] == ' ' ? 6 : 5);
	const char *sp = strchr(u, ' ');
	struct toks tk;
	size_t p;

	json_obj_begin(j);
	json_key(j, "url");
	json_strn(j, u, sp ? (size_t)(sp - u) : strlen(u));
	json_kstr(j, "state", sp ? sp + 1 : "");
	if (i + 1 < n && vtep_line(lines[i + 1])) {
		json_key(j, "vteps");
		json_arr_begin(j);
		for (i++; i < n && vtep_line(lines[i]); i++) {
			if (!tokenize(lines[i], &tk) || tk.n < 2)
				continue;
			json_obj_begin(j);
			json_kstr(j, "addr", tk.t[1]);
			for (p = 2; p + 1 < tk.n; p += 2) {
				char key[KEY_LEN] = "";
				unsigned long long v = 0;

				key_append(key, tk.t[p]);
				dec(tk.t[p + 1], &v);
				json_kuint(j, key, v);
			}
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	json_obj_end(j);
}

/* "     TEXT": a line of an endpoint's own state (a slirp port's
 * network, leases, connections), under its endpoint line */
static bool detail_line(const char *line)
{
	return !strncmp(line, "     ", 5) && line[5] && line[5] != ' ';
}

static enum port_line port_line_kind(const char *line, struct toks *tk)
{
	struct endpoint ep;

	if (detail_line(line))
		return PL_DETAIL;
	if (url_line(line, false))
		return PL_URL;
	if (vtep_line(line))
		return PL_VTEP;
	if (endpoint_line(line, &ep))
		return PL_ENDPOINT;
	if (user_line(line, tk))
		return PL_USER;
	if (tokenize(line, tk) && tk->n >= 3 && tk->n % 2 &&
	    !strcmp(tk->t[0], "STP:"))
		return PL_STP;
	if (!strncmp(line, " MIRROR: to ", 12) && tk->n == 5 &&
	    !strcmp(tk->t[3], "dirs"))
		return PL_MIRROR;
	if (!strncmp(line, " CAPTURE: ", 10) && strstr(line, " file "))
		return PL_CAPTURE;
	if (pairs_line(line, tk)) {
		if (!strcmp(tk->t[0], "IN:"))
			return PL_IN;
		if (!strcmp(tk->t[0], "OUT:"))
			return PL_OUT;
		return PL_EXTRA;
	}
	return PL_UNKNOWN;
}

/* The header's fields; false (after writing what it could) if a word was
 * not understood. */
static bool port_header(struct json *j, const char *line, struct toks *tk)
{
	unsigned long long num;
	bool ok = true, not = false;
	size_t i;

	if (!tokenize(line, tk) || tk->n < 2 || !dec(tk->t[1], &num))
		return false;
	json_kuint(j, "port", num);
	for (i = 2; i < tk->n; i++) {
		char *t = tk->t[i], *eq = strchr(t, '=');

		if (!strcmp(t, "ACTIVE") || !strcmp(t, "INACTIVE")) {
			json_kbool(j, "active", t[0] == 'A');
		} else if (!strcmp(t, "-")) {
			continue;
		} else if (!strcmp(t, "NOT")) {
			not = true;
		} else if (!strcmp(t, "Unnamed") && i + 1 < tk->n &&
			   !strcmp(tk->t[i + 1], "Allocatable")) {
			json_kbool(j, "allocatable", !not);
			i++;
		} else if (eq && eq != t) {
			char key[KEY_LEN] = "";

			*eq = '\0';
			key_append(key, t);
			json_key(j, key);
			json_fieldval(j, eq + 1);
		} else {
			ok = false;
		}
	}
	return ok;
}

static void port_counters(struct json *j, const char *key, struct toks *tk)
{
	unsigned long long v = 0;
	size_t i;

	json_key(j, key);
	json_obj_begin(j);
	for (i = 1; i + 1 < tk->n; i += 2) {
		char k[KEY_LEN] = "";

		key_append(k, tk->t[i]);
		dec(tk->t[i + 1], &v);
		json_kuint(j, k, v);
	}
	json_obj_end(j);
}

/* " STP: name value ...": values are numbers or words */
static void port_stp(struct json *j, struct toks *tk)
{
	size_t i;

	json_key(j, "stp");
	json_obj_begin(j);
	for (i = 1; i + 1 < tk->n; i += 2) {
		char k[KEY_LEN] = "";

		key_append(k, tk->t[i]);
		json_key(j, k);
		json_fieldval(j, tk->t[i + 1]);
	}
	json_obj_end(j);
}

/* " CAPTURE: name N ... file PATH": the numbers, then the rest of the
 * line as the file (it may hold blanks) */
static void port_capture(struct json *j, const char *line, struct toks *tk)
{
	const char *file = strstr(line, " file ") + 6;
	size_t i;

	json_key(j, "capture");
	json_obj_begin(j);
	for (i = 1; i + 1 < tk->n && strcmp(tk->t[i], "file"); i += 2) {
		char k[KEY_LEN] = "";

		key_append(k, tk->t[i]);
		json_key(j, k);
		json_fieldval(j, tk->t[i + 1]);
	}
	json_kstr(j, "file", file);
	json_obj_end(j);
}

/* One "Port NNNN" block, lines [@from, @to). */
static void port_block(struct json *j, char *const *lines, size_t from,
		       size_t to, struct unparsed *u)
{
	bool seen[PL_EXTRA + 1] = { false };
	struct toks tk;
	struct endpoint ep;
	size_t i;
	bool any;

	json_obj_begin(j);
	if (!port_header(j, lines[from], &tk))
		unparsed_add(u, from);

	/* user and counters: the first of each; a repeat is unparsed */
	for (i = from + 1; i < to; i++) {
		enum port_line k = port_line_kind(lines[i], &tk);

		if (k == PL_ENDPOINT || k == PL_EXTRA || k == PL_URL ||
		    k == PL_VTEP || k == PL_DETAIL || k == PL_MIRROR)
			continue;
		if (k == PL_UNKNOWN || seen[k]) {
			unparsed_add(u, i);
			continue;
		}
		seen[k] = true;
		if (k == PL_USER) {
			json_kname(j, "current_user", tk.t[2]);
			json_kname(j, "access_user", tk.t[6]);
			json_kname(j, "access_group", tk.t[9]);
		} else if (k == PL_STP) {
			port_stp(j, &tk);
		} else if (k == PL_CAPTURE) {
			port_capture(j, lines[i], &tk);
		} else {
			port_counters(j, k == PL_IN ? "in" : "out", &tk);
		}
	}

	any = false;
	for (i = from + 1; i < to; i++) {
		if (port_line_kind(lines[i], &tk) != PL_MIRROR)
			continue;
		if (!any) {
			json_key(j, "mirrors");
			json_arr_begin(j);
			any = true;
		}
		json_obj_begin(j);
		json_key(j, "to");
		json_fieldval(j, tk.t[2]);
		json_kstr(j, "dirs", tk.t[4]);
		json_obj_end(j);
	}
	if (any)
		json_arr_end(j);

	json_key(j, "endpoints");
	json_arr_begin(j);
	for (i = from + 1; i < to; i++) {
		if (!endpoint_line(lines[i], &ep))
			continue;
		json_obj_begin(j);
		json_kuint(j, "id", ep.id);
		json_key(j, "module");
		json_strn(j, ep.mod, ep.modlen);
		json_kstr(j, "descr", ep.descr);
		if (i + 1 < to && detail_line(lines[i + 1])) {
			json_key(j, "details");
			json_arr_begin(j);
			while (i + 1 < to && detail_line(lines[i + 1]))
				json_str(j, lines[++i] + 5);
			json_arr_end(j);
		}
		json_obj_end(j);
	}
	json_arr_end(j);

	any = false;
	for (i = from + 1; i < to; i++) {
		if (!url_line(lines[i], false))
			continue;
		if (!any) {
			json_key(j, "urls");
			json_arr_begin(j);
			any = true;
		}
		url_obj(j, lines, i, to);
	}
	if (any)
		json_arr_end(j);

	any = false;
	for (i = from + 1; i < to; i++) {
		size_t p;
		char label[KEY_LEN] = "";

		if (port_line_kind(lines[i], &tk) != PL_EXTRA)
			continue;
		if (!any) {
			json_key(j, "extra");
			json_obj_begin(j);
			any = true;
		}
		key_append(label, tk.t[0]);
		for (p = 1; p + 1 < tk.n; p += 2) {
			char key[KEY_LEN];
			unsigned long long v = 0;

			memcpy(key, label, sizeof(key));
			key_append(key, tk.t[p]);
			dec(tk.t[p + 1], &v);
			json_kuint(j, key, v);
		}
	}
	if (any)
		json_obj_end(j);
	json_obj_end(j);
}

static void body_ports(struct json *j, char *const *lines, size_t n,
		       struct unparsed *u)
{
	size_t i = 0;

	bool any = false;

	json_key(j, "ports");
	json_arr_begin(j);
	while (i < n) {
		size_t end;

		if (!is_port_header(lines[i])) {
			if (!url_line(lines[i], true) && !vtep_line(lines[i]))
				unparsed_add(u, i);
			i++;
			continue;
		}
		for (end = i + 1; end < n && !is_port_header(lines[end]) &&
				  !url_line(lines[end], true);
		     end++)
			;
		port_block(j, lines, i, end, u);
		i = end;
	}
	json_arr_end(j);
	/* listeners whose peers get ports of their own, and the like */
	for (i = 0; i < n; i++) {
		if (!url_line(lines[i], true))
			continue;
		if (!any) {
			json_key(j, "urls");
			json_arr_begin(j);
			any = true;
		}
		url_obj(j, lines, i, n);
	}
	if (any)
		json_arr_end(j);
}

/* --- hash/print ------------------------------------------------------- */

/* "Hash: 0012 Addr: 02:00:00:00:00:11 VLAN 0010 to port: 011  age 2 secs" */
static bool hash_line(struct json *j, const char *line)
{
	unsigned long long hash, vlan, port, age;
	struct toks tk;
	char mac[18];

	if (!tokenize(line, &tk) || tk.n != 12 || strcmp(tk.t[0], "Hash:") ||
	    !dec(tk.t[1], &hash) || strcmp(tk.t[2], "Addr:") ||
	    !is_mac(tk.t[3], mac) || strcmp(tk.t[4], "VLAN") ||
	    !dec(tk.t[5], &vlan) || strcmp(tk.t[6], "to") ||
	    strcmp(tk.t[7], "port:") || !dec(tk.t[8], &port) ||
	    strcmp(tk.t[9], "age") || !dec(tk.t[10], &age) ||
	    strcmp(tk.t[11], "secs"))
		return false;
	json_obj_begin(j);
	json_kuint(j, "hash", hash);
	json_kstr(j, "mac", mac);
	json_kuint(j, "vlan", vlan);
	json_kuint(j, "port", port);
	json_kuint(j, "age_secs", age);
	json_obj_end(j);
	return true;
}

static void body_hash(struct json *j, char *const *lines, size_t n,
		      struct unparsed *u)
{
	size_t i;

	json_key(j, "entries");
	json_arr_begin(j);
	for (i = 0; i < n; i++)
		if (!hash_line(j, lines[i]))
			unparsed_add(u, i);
	json_arr_end(j);
}

/* --- vlan/print ------------------------------------------------------- */

/* " -- Port 0011 tagged=1 active=1 status=Forwarding" */
static bool vlan_member(struct json *j, const char *line)
{
	unsigned long long port;
	struct toks tk;
	size_t i;

	if (!tokenize(line, &tk) || tk.n < 3 || strcmp(tk.t[0], "--") ||
	    strcmp(tk.t[1], "Port") || !dec(tk.t[2], &port))
		return false;
	for (i = 3; i < tk.n; i++) {
		char *eq = strchr(tk.t[i], '=');

		if (!eq || eq == tk.t[i])
			return false;
	}
	json_obj_begin(j);
	json_kuint(j, "port", port);
	for (i = 3; i < tk.n; i++) {
		char *t = tk.t[i], *eq = strchr(t, '=');
		char key[KEY_LEN] = "";

		*eq = '\0';
		key_append(key, t);
		if ((!strcmp(key, "tagged") || !strcmp(key, "active")) &&
		    (!strcmp(eq + 1, "0") || !strcmp(eq + 1, "1"))) {
			json_kbool(j, key, eq[1] == '1');
			continue;
		}
		json_key(j, key);
		json_fieldval(j, eq + 1);
	}
	json_obj_end(j);
	return true;
}

static void body_vlans(struct json *j, char *const *lines, size_t n,
		       struct unparsed *u)
{
	bool open = false;
	size_t i;

	json_key(j, "vlans");
	json_arr_begin(j);
	for (i = 0; i < n; i++) {
		unsigned long long vlan;
		struct toks tk;

		if (tokenize(lines[i], &tk) && tk.n == 2 &&
		    !strcmp(tk.t[0], "VLAN") && dec(tk.t[1], &vlan)) {
			if (open) {
				json_arr_end(j);
				json_obj_end(j);
			}
			json_obj_begin(j);
			json_kuint(j, "vlan", vlan);
			json_key(j, "ports");
			json_arr_begin(j);
			open = true;
			continue;
		}
		if (!open || !vlan_member(j, lines[i]))
			unparsed_add(u, i);
	}
	if (open) {
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* --- showinfo and X/showinfo ------------------------------------------ */

#define MAX_KV 16

struct kv {
	char key[KEY_LEN];
	const char *val;
};

static bool is_unit(const char *s)
{
	return !strcmp(s, "secs") || !strcmp(s, "ms") || !strcmp(s, "bytes");
}

static bool is_info_value(const char *s)
{
	char mac[18];

	return isdigit((unsigned char)s[0]) || s[0] == '/' ||
	       !strcmp(s, "true") || !strcmp(s, "false") || is_mac(s, mac);
}

/*
 * "Hash size 128", "GC interval 2 secs", "pid 1 MAC 00:.. uptime 2",
 * "Numports=32", "MAC 00:.. Priority 32768 (0x8000)": words make a key,
 * the next value token (number, path, MAC, true/false) its value; a unit
 * after a value goes into the key ("gc_interval_secs"), a parenthesised
 * word (another notation of the same value) is skipped.
 * Return: the number of pairs, 0 for a blank or "---" line, -1 if the line
 * is not of this form.
 */
static int info_line(const char *line, struct toks *tk, struct kv *kv)
{
	char words[KEY_LEN] = "";
	size_t i, len;
	int n = 0;

	if (!tokenize(line, tk))
		return -1;
	if (tk->n == 0 || (tk->n == 1 && strspn(tk->t[0], "-") ==
			   strlen(tk->t[0])))
		return 0;
	for (i = 0; i < tk->n; i++) {
		char *t = tk->t[i], *eq = strchr(t, '=');

		len = strlen(t);
		if (eq && eq != t && !words[0]) {
			if (n == MAX_KV)
				return -1;
			*eq = '\0';
			kv[n].key[0] = '\0';
			key_append(kv[n].key, t);
			kv[n++].val = eq + 1;
		} else if (is_info_value(t)) {
			if (!words[0] || n == MAX_KV)
				return -1;
			memcpy(kv[n].key, words, sizeof(words));
			kv[n++].val = t;
			words[0] = '\0';
		} else if (t[0] == '(' && t[len - 1] == ')' && n &&
			   !words[0]) {
			continue;
		} else if (is_unit(t) && n && !words[0]) {
			key_append(kv[n - 1].key, t);
		} else {
			key_append(words, t);
		}
	}
	return words[0] || !n ? -1 : n;
}

/* An info value: true/false, a number without a leading zero ("0600"
 * is a mode and stays a string), a MAC, or a string. */
static void json_infoval(struct json *j, const char *v)
{
	unsigned long long n;
	char mac[18];

	if (!strcmp(v, "true") || !strcmp(v, "false"))
		json_bool(j, v[0] == 't');
	else if ((v[0] != '0' || !v[1]) && dec(v, &n))
		json_uint(j, n);
	else if (is_mac(v, mac))
		json_str(j, mac);
	else
		json_str(j, v);
}

static void body_info(struct json *j, char *const *lines, size_t n,
		      struct unparsed *u)
{
	struct kv kv[MAX_KV];
	struct toks tk;
	size_t i;

	for (i = 0; i < n; i++) {
		int k, c = info_line(lines[i], &tk, kv);

		if (c < 0) {
			unparsed_add(u, i);
			continue;
		}
		for (k = 0; k < c; k++) {
			json_key(j, kv[k].key);
			json_infoval(j, kv[k].val);
		}
	}
}

/* "VDE switch V.2.3.2" -> "2.3.2"; "patchbay 0.1.0" -> "0.1.0" */
static const char *banner_version(const char *line, struct toks *tk)
{
	size_t i;

	if (!tokenize(line, tk))
		return NULL;
	for (i = 0; i < tk->n; i++) {
		const char *t = tk->t[i];

		if (!strncmp(t, "V.", 2))
			t += 2;
		else if (t[0] == 'v')
			t++;
		if (isdigit((unsigned char)t[0]) && strchr(t, '.') &&
		    strspn(t, "0123456789.") == strlen(t))
			return t;
	}
	return NULL;
}

static void body_showinfo(struct json *j, char *const *lines, size_t n,
			  struct unparsed *u)
{
	size_t i, blank = n;
	struct toks tk;

	for (i = 0; i < n; i++)
		if (!lines[i][0]) {
			blank = i;
			break;
		}
	if (blank == n) {
		body_info(j, lines, n, u);
		return;
	}
	json_key(j, "banner");
	json_arr_begin(j);
	for (i = 0; i < blank; i++)
		json_str(j, lines[i]);
	json_arr_end(j);
	if (blank > 0) {
		const char *v = banner_version(lines[0], &tk);

		if (v)
			json_kstr(j, "version", v);
	}
	body_info(j, lines + blank + 1, n - blank - 1, u);
	for (i = 0; i < u->n; i++)
		u->idx[i] += blank + 1;
}

/**
 * ctl_body_kind() - which JSON form a command's body gets
 * @cmdline:	the command line as sent ("port/print 5")
 *
 * Return: the kind, by the command's first word (exact match)
 */
enum ctl_body_kind ctl_body_kind(const char *cmdline)
{
	static const struct {
		const char *cmd;
		enum ctl_body_kind kind;
	} map[] = {
		{ "showinfo", CTL_BODY_SHOWINFO },
		{ "ds/showinfo", CTL_BODY_INFO },
		{ "port/showinfo", CTL_BODY_INFO },
		{ "hash/showinfo", CTL_BODY_INFO },
		{ "fstp/showinfo", CTL_BODY_INFO },
		{ "port/print", CTL_BODY_PORTS },
		{ "port/allprint", CTL_BODY_PORTS },
		{ "hash/print", CTL_BODY_HASH },
		{ "vlan/print", CTL_BODY_VLANS },
		{ "vlan/allprint", CTL_BODY_VLANS },
	};
	size_t i, len;

	cmdline += strspn(cmdline, " \t");
	len = strcspn(cmdline, " \t");
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].cmd) == len &&
		    !strncmp(map[i].cmd, cmdline, len))
			return map[i].kind;
	return CTL_BODY_LINES;
}

/**
 * ctl_body_json() - write a command's body as one JSON object
 * @j:		writer, at a place where a value may go
 * @kind:	the form, from ctl_body_kind()
 * @lines:	body lines without their newlines
 * @n:		number of lines
 *
 * Every form has an "unparsed" array (possibly empty) of the lines it did
 * not understand; CTL_BODY_LINES puts every line in "lines".
 *
 * Return: 0, -ENOMEM, or the writer's error
 */
int ctl_body_json(struct json *j, enum ctl_body_kind kind,
		  char *const *lines, size_t n)
{
	struct unparsed u = { .idx = calloc(n ? n : 1, sizeof(size_t)) };
	size_t i;

	if (!u.idx)
		return -ENOMEM;
	json_obj_begin(j);
	switch (kind) {
	case CTL_BODY_LINES:
		json_key(j, "lines");
		json_arr_begin(j);
		for (i = 0; i < n; i++)
			json_str(j, lines[i]);
		json_arr_end(j);
		break;
	case CTL_BODY_SHOWINFO:
		body_showinfo(j, lines, n, &u);
		break;
	case CTL_BODY_INFO:
		body_info(j, lines, n, &u);
		break;
	case CTL_BODY_PORTS:
		body_ports(j, lines, n, &u);
		break;
	case CTL_BODY_HASH:
		body_hash(j, lines, n, &u);
		break;
	case CTL_BODY_VLANS:
		body_vlans(j, lines, n, &u);
		break;
	}
	if (kind != CTL_BODY_LINES) {
		json_key(j, "unparsed");
		json_arr_begin(j);
		for (i = 0; i < u.n; i++)
			json_str(j, lines[u.idx[i]]);
		json_arr_end(j);
	}
	json_obj_end(j);
	free(u.idx);
	return j->err;
}

/**
 * ctl_parse_async() - split an asynchronous line "3NNN category text"
 * @line:	the line, without newline
 * @a:		the parts; pointers into @line
 *
 * Return: 0, or -EINVAL if @line is not an asynchronous line
 */
int ctl_parse_async(const char *line, struct ctl_async *a)
{
	size_t i;

	if (line[0] != '3')
		return -EINVAL;
	for (i = 1; i < 4; i++)
		if (!isdigit((unsigned char)line[i]))
			return -EINVAL;
	if (line[4] != ' ' || !line[5] || line[5] == ' ')
		return -EINVAL;
	a->code = (unsigned)((line[0] - '0') * 1000 + (line[1] - '0') * 100 +
			     (line[2] - '0') * 10 + (line[3] - '0'));
	a->cat = line + 5;
	a->catlen = strcspn(a->cat, " ");
	a->text = a->cat + a->catlen;
	if (*a->text == ' ')
		a->text++;
	return 0;
}

/**
 * ctl_async_json() - write {"code":N,"category":"...","text":"..."}
 * @j:		writer
 * @a:		the parsed line
 */
void ctl_async_json(struct json *j, const struct ctl_async *a)
{
	json_obj_begin(j);
	json_kuint(j, "code", a->code);
	json_key(j, "category");
	json_strn(j, a->cat, a->catlen);
	json_kstr(j, "text", a->text);
	json_obj_end(j);
}

/**
 * ctl_free_strings() - free an array of strings and the array
 * @v:		the array (may be NULL)
 * @n:		number of strings
 */
void ctl_free_strings(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/**
 * ctl_debug_categories() - the category names in a debug/list body
 * @lines:	body lines: a header, a "----" line, then one line per
 *		category whose first word is its name
 * @n:		number of lines
 * @cats:	a new array of new strings (free with ctl_free_strings())
 * @ncats:	its length
 *
 * Return: 0, -EINVAL if there is no "---" line or no category, -ENOMEM
 */
int ctl_debug_categories(char *const *lines, size_t n, char ***cats,
			 size_t *ncats)
{
	size_t i, k = 0;
	char **v;

	for (i = 0; i < n && strncmp(lines[i], "---", 3); i++)
		;
	if (i + 1 >= n)
		return -EINVAL;
	v = calloc(n - i - 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i++; i < n; i++) {
		const char *p = lines[i] + strspn(lines[i], " \t");
		size_t len = strcspn(p, " \t");

		if (!len)
			continue;
		v[k] = strndup(p, len);
		if (!v[k]) {
			ctl_free_strings(v, k);
			return -ENOMEM;
		}
		k++;
	}
	if (!k) {
		free(v);
		return -EINVAL;
	}
	*cats = v;
	*ncats = k;
	return 0;
}
