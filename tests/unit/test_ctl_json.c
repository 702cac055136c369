/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_ctl_json.c - patchbay-ctl's JSON writer (mgmt/ctl_json.c): commas,
 * escaping, invalid UTF-8, misuse refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "ctl_json.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
	cr_assert(o->f);
	json_init(&o->j, o->f);
}

/* Finish the document; return its text (newline removed), owned by @o. */
static const char *out_close(struct out *o, int want_rc)
{
	cr_assert_eq(json_finish(&o->j), want_rc);
	fclose(o->f);
	if (o->len && o->buf[o->len - 1] == '\n')
		o->buf[--o->len] = '\0';
	return o->buf;
}

Test(ctl_json, nesting_and_commas)
{
	struct out o;

	out_open(&o);
	json_obj_begin(&o.j);
	json_kuint(&o.j, "a", 1);
	json_kbool(&o.j, "b", false);
	json_key(&o.j, "c");
	json_arr_begin(&o.j);
	json_uint(&o.j, 18446744073709551615ULL);
	json_null(&o.j);
	json_obj_begin(&o.j);
	json_obj_end(&o.j);
	json_arr_begin(&o.j);
	json_arr_end(&o.j);
	json_arr_end(&o.j);
	json_kstr(&o.j, "d", NULL);
	json_obj_end(&o.j);
	cr_assert_str_eq(out_close(&o, 0),
			 "{\"a\":1,\"b\":false,\"c\":[18446744073709551615,"
			 "null,{},[]],\"d\":null}");
	free(o.buf);
	leak_check();
}

Test(ctl_json, escaping)
{
	static const char raw[] = "q\"b\\n\nt\tc\x01\x1f\x7f"
				  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	struct out o;

	out_open(&o);
	json_arr_begin(&o.j);
	json_str(&o.j, raw);
	json_strn(&o.j, "a\0b", 3);
	json_arr_end(&o.j);
	cr_assert_str_eq(out_close(&o, 0),
			 "[\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007f"
			 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"a\\u0000b\"]");
	free(o.buf);
	leak_check();
}

Test(ctl_json, invalid_utf8)
{
	struct out o;

	out_open(&o);
	json_arr_begin(&o.j);
	json_str(&o.j, "\xff");		/* not a lead byte */
	json_str(&o.j, "\xc3");		/* cut short */
	json_str(&o.j, "\xc0\xaf");	/* overlong '/' */
	json_str(&o.j, "\xed\xa0\x80");	/* surrogate */
	json_str(&o.j, "\xf4\x90\x80\x80");	/* beyond U+10FFFF */
	json_arr_end(&o.j);
	cr_assert_str_eq(out_close(&o, 0),
			 "[\"\\ufffd\",\"\\ufffd\",\"\\ufffd\\ufffd\","
			 "\"\\ufffd\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd"
			 "\\ufffd\"]");
	free(o.buf);
	leak_check();
}

Test(ctl_json, misuse_refused)
{
	struct out o;
	int i;

	out_open(&o);			/* a value without a key */
	json_obj_begin(&o.j);
	json_uint(&o.j, 1);
	out_close(&o, -EINVAL);
	free(o.buf);

	out_open(&o);			/* a key in an array */
	json_arr_begin(&o.j);
	json_key(&o.j, "k");
	out_close(&o, -EINVAL);
	free(o.buf);

	out_open(&o);			/* unbalanced */
	json_arr_begin(&o.j);
	json_obj_end(&o.j);
	out_close(&o, -EINVAL);
	free(o.buf);

	out_open(&o);			/* unfinished */
	json_obj_begin(&o.j);
	json_key(&o.j, "k");
	out_close(&o, -EINVAL);
	free(o.buf);

	out_open(&o);			/* too deep */
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		json_arr_begin(&o.j);
	out_close(&o, -EINVAL);
	free(o.buf);
	leak_check();
}
