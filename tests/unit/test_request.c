/* SPDX-License-Identifier: GPL-2.0-or-later
 * test_request.c - VDE control request parsing (switch/request.c).
 */
#include <string.h>
#include <sys/socket.h>

#include <criterion/criterion.h>

#include "leakcheck.h"

#include "request.h"

/* Build a v3 request the way vdeplug4 does. */
static size_t mk_v3(uint8_t *buf, uint32_t type, const char *path,
		    const char *descr)
{
	uint32_t magic = VDE_MAGIC, version = 3;
	uint16_t family = AF_UNIX;
	size_t dl = strlen(descr);

	memset(buf, 0, REQUEST_BUFSIZE);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &version, 4);
	memcpy(buf + 8, &type, 4);
	memcpy(buf + 12, &family, 2);
	memcpy(buf + 14, path, strlen(path));
	memcpy(buf + VDE_V3_HDR, descr, dl);
	return VDE_V3_HDR + dl;
}

Test(request, captured_vde_plug_bytes)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	size_t n = mk_v3(buf, 0, "/tmp/vdet/sw1/.12410-00000",
			 "mytestplug user=root pid=12410");

	cr_assert_eq(n, 152);
	/* the first bytes on the wire, as captured from vde_plug */
	cr_assert_eq(memcmp(buf, "\xce\xfa\xed\xfe\x03\0\0\0\0\0\0\0\x01\0/t",
			    16), 0);
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(req.version, 3);
	cr_assert_eq(req.type, VDE_REQ_NEW_CONTROL);
	cr_assert_eq(req.port, 0);
	cr_assert_str_eq(req.path, "/tmp/vdet/sw1/.12410-00000");
	cr_assert_str_eq(req.descr, "mytestplug user=root pid=12410");
	leak_check();
}

Test(request, port_number_and_port0)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	size_t n = mk_v3(buf, 5 << 8, "/x/.1-0", "QEMU");

	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(req.port, 5);
	n = mk_v3(buf, VDE_REQ_NEW_PORT0, "/x/.1-0", "");
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(req.type, VDE_REQ_NEW_PORT0);
	cr_assert_str_eq(req.descr, "");
	leak_check();
}

Test(request, incomplete_at_every_length)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	size_t n = mk_v3(buf, 0, "/x/.1-0", "d"), i;

	for (i = 0; i < VDE_V3_HDR; i++)
		cr_assert_eq(request_parse(buf, i, &req, why, sizeof(why)),
			     REQUEST_INCOMPLETE, "at %zu bytes", i);
	cr_assert_eq(request_parse(buf, VDE_V3_HDR, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_str_eq(req.descr, "d");
	leak_check();
}

Test(request, bad_magic_refused_from_first_byte)
{
	uint8_t buf[REQUEST_BUFSIZE] = { 0xce, 0xfa, 0x00 };
	struct vde_request req;
	char why[128];

	cr_assert_eq(request_parse(buf, 1, &req, why, sizeof(why)),
		     REQUEST_INCOMPLETE);
	cr_assert_eq(request_parse(buf, 3, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	cr_assert(strstr(why, "magic"), "%s", why);
	memcpy(buf, "GET / HTTP/1.0\r\n", 16);
	cr_assert_eq(request_parse(buf, 16, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	leak_check();
}

Test(request, version_2_and_above_3_refused)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	uint32_t v;

	for (v = 2; v < 12; v++) {
		if (v == 3)
			continue;
		mk_v3(buf, 0, "/x", "");
		memcpy(buf + 4, &v, 4);
		cr_assert_eq(request_parse(buf, 8, &req, why, sizeof(why)),
			     REQUEST_INVALID, "version %u", v);
		cr_assert(strstr(why, "version"), "%s", why);
	}
	leak_check();
}

Test(request, oversized_refused)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	char descr[VDE_MAXDESCR + 2];

	memset(descr, 'a', sizeof(descr) - 1);
	descr[sizeof(descr) - 1] = '\0';
	/* 128 bytes of description: the most a client may send */
	descr[VDE_MAXDESCR] = '\0';
	cr_assert_eq(request_parse(buf, mk_v3(buf, 0, "/x", descr), &req, why,
				   sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(strlen(req.descr), VDE_MAXDESCR);
	descr[VDE_MAXDESCR] = 'a';
	cr_assert_eq(request_parse(buf, mk_v3(buf, 0, "/x", descr), &req, why,
				   sizeof(why)),
		     REQUEST_INVALID);
	cr_assert(strstr(why, "oversized"), "%s", why);
	leak_check();
}

Test(request, v1_layout)
{
	uint8_t buf[REQUEST_BUFSIZE] = { 0 };
	uint32_t magic = VDE_MAGIC, type = 0;
	uint16_t family = AF_UNIX;
	struct vde_request req;
	char why[128];

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &type, 4);
	memcpy(buf + VDE_V1_OFF_SUN, &family, 2);
	memcpy(buf + VDE_V1_OFF_SUN + 2, "/old/client", 11);
	memcpy(buf + VDE_V1_HDR, "old lib PID=1", 13);
	cr_assert_eq(request_parse(buf, VDE_V1_HDR - 1, &req, why, sizeof(why)),
		     REQUEST_INCOMPLETE);
	cr_assert_eq(request_parse(buf, VDE_V1_HDR + 13, &req, why,
				   sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_eq(req.version, 1);
	cr_assert_str_eq(req.path, "/old/client");
	cr_assert_str_eq(req.descr, "old lib PID=1");
	leak_check();
}

Test(request, bad_family_type_and_empty_path)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	uint16_t fam = 2;
	size_t n;

	n = mk_v3(buf, 0, "/x", "");
	memcpy(buf + 12, &fam, 2);
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	n = mk_v3(buf, 7, "/x", "");
	cr_assert_eq(request_parse(buf, 12, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	n = mk_v3(buf, 0, "", "");
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	cr_assert(strstr(why, "empty"), "%s", why);
	n = mk_v3(buf, VDE_REQ_NEW_PORT0 | (3 << 8), "/x", "");
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_INVALID);
	leak_check();
}

Test(request, description_made_printable)
{
	uint8_t buf[REQUEST_BUFSIZE];
	struct vde_request req;
	char why[128];
	size_t n = mk_v3(buf, 0, "/x", "a\nb\x01" "c");

	buf[n++] = '\0';	/* a NUL-terminated description */
	cr_assert_eq(request_parse(buf, n, &req, why, sizeof(why)),
		     REQUEST_COMPLETE);
	cr_assert_str_eq(req.descr, "a?b?c");
	leak_check();
}
