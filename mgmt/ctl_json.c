/* SPDX-License-Identifier: GPL-2.0-or-later
 * ctl_json.c - a small streaming JSON writer (see ctl_json.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl_json.h"

/**
 * json_init() - start writing JSON to a stream
 * @j:		writer state
 * @f:		output stream
 */
void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Before any value: a comma if needed; refuse a value where a key is due. */
static bool json_pre_value(struct json *j)
{
	if (j->err)
		return false;
	if (j->depth == 0)
		return true;
	if (j->is_obj[j->depth - 1]) {
		if (!j->want_value) {
			j->err = -EINVAL;
			return false;
		}
		j->want_value = false;
		return true;
	}
	if (!j->first[j->depth - 1])
		fputc(',', j->f);
	j->first[j->depth - 1] = false;
	return true;
}

static void json_open(struct json *j, bool obj)
{
	if (!json_pre_value(j))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	j->is_obj[j->depth] = obj;
	j->first[j->depth] = true;
	j->depth++;
	fputc(obj ? '{' : '[', j->f);
}

static void json_close(struct json *j, bool obj)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->is_obj[j->depth - 1] != obj || j->want_value) {
		j->err = -EINVAL;
		return;
	}
	j->depth--;
	fputc(obj ? '}' : ']', j->f);
}

/**
 * json_obj_begin() - open an object (as a value)
 * @j:		writer state
 */
void json_obj_begin(struct json *j)
{
	json_open(j, true);
}

/**
 * json_obj_end() - close the innermost object
 * @j:		writer state
 */
void json_obj_end(struct json *j)
{
	json_close(j, true);
}

/**
 * json_arr_begin() - open an array (as a value)
 * @j:		writer state
 */
void json_arr_begin(struct json *j)
{
	json_open(j, false);
}

/**
 * json_arr_end() - close the innermost array
 * @j:		writer state
 */
void json_arr_end(struct json *j)
{
	json_close(j, false);
}

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0 if
 * the bytes there are not one: bad lead byte, missing continuation,
 * overlong form, surrogate or beyond U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Write @len bytes at @s as a quoted, escaped JSON string. */
static void json_quote(struct json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', j->f);
	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\r':
			fputs("\\r", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		case '\b':
			fputs("\\b", j->f);
			break;
		case '\f':
			fputs("\\f", j->f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(j->f, "\\u%04x", c);
				break;
			}
			n = utf8_seq(p + i, len - i);
			if (!n) {
				fputs("\\ufffd", j->f);
				break;
			}
			fwrite(p + i, 1, n, j->f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', j->f);
}

/**
 * json_strn() - write a string value of @len bytes, escaped
 * @j:		writer state
 * @s:		the bytes (need not be NUL-terminated; NUL bytes are escaped)
 * @len:	their number
 */
void json_strn(struct json *j, const char *s, size_t len)
{
	if (json_pre_value(j))
		json_quote(j, s, len);
}

/**
 * json_str() - write a NUL-terminated string value, escaped
 * @j:		writer state
 * @s:		the string; NULL writes null
 */
void json_str(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_strn(j, s, strlen(s));
}

/**
 * json_key() - write the key of the next member of the innermost object
 * @j:		writer state
 * @key:	the member name
 */
void json_key(struct json *j, const char *key)
{
	if (j->err)
		return;
	if (j->depth == 0 || !j->is_obj[j->depth - 1] || j->want_value) {
		j->err = -EINVAL;
		return;
	}
	if (!j->first[j->depth - 1])
		fputc(',', j->f);
	j->first[j->depth - 1] = false;
	json_quote(j, key, strlen(key));
	fputc(':', j->f);
	j->want_value = true;
}

/**
 * json_uint() - write a number value
 * @j:		writer state
 * @v:		the number
 */
void json_uint(struct json *j, unsigned long long v)
{
	if (json_pre_value(j))
		fprintf(j->f, "%llu", v);
}

/**
 * json_bool() - write true or false
 * @j:		writer state
 * @v:		the value
 */
void json_bool(struct json *j, bool v)
{
	if (json_pre_value(j))
		fputs(v ? "true" : "false", j->f);
}

/**
 * json_null() - write null
 * @j:		writer state
 */
void json_null(struct json *j)
{
	if (json_pre_value(j))
		fputs("null", j->f);
}

/**
 * json_kstr() - write a member with a string value (NULL: null)
 * @j:		writer state
 * @key:	member name
 * @s:		value
 */
void json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

/**
 * json_kuint() - write a member with a number value
 * @j:		writer state
 * @key:	member name
 * @v:		value
 */
void json_kuint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	json_uint(j, v);
}

/**
 * json_kbool() - write a member with a boolean value
 * @j:		writer state
 * @key:	member name
 * @v:		value
 */
void json_kbool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

/**
 * json_finish() - end a document: a newline after the top-level value
 * @j:		writer state
 *
 * Return: 0, or -EINVAL if the document is incomplete or was misused
 */
int json_finish(struct json *j)
{
	if (!j->err && (j->depth != 0 || j->want_value))
		j->err = -EINVAL;
	if (j->err)
		return j->err;
	fputc('\n', j->f);
	return 0;
}
