/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_json.h - a small streaming JSON writer for patchbay-ctl.
 *
 * Values are written to a stdio stream as they come; the writer keeps one
 * "first member" flag per open container so that it can place commas, and
 * refuses (sets @err) anything that would produce invalid JSON: a value
 * without a key inside an object, a key outside one, unbalanced ends, or
 * nesting deeper than JSON_MAX_DEPTH. Strings are escaped; bytes that are
 * not valid UTF-8 become U+FFFD, so the output is always valid JSON text.
 */
#ifndef PATCHBAY_CTL_JSON_H
#define PATCHBAY_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/**
 * struct json - writer state
 * @f:		output stream
 * @depth:	number of open containers
 * @is_obj:	per level, true for an object, false for an array
 * @first:	per level, true until the first member is written
 * @want_value:	a key was written in the innermost object, its value is due
 * @err:	0, or -EINVAL after a misuse (the output is then incomplete)
 */
struct json {
	FILE *f;
	int depth;
	bool is_obj[JSON_MAX_DEPTH];
	bool first[JSON_MAX_DEPTH];
	bool want_value;
	int err;
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, unsigned long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
int json_finish(struct json *j);

/* key and value in one call, inside an object */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kuint(struct json *j, const char *key, unsigned long long v);
void json_kbool(struct json *j, const char *key, bool v);

#endif /* PATCHBAY_CTL_JSON_H */
