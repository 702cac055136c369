/* SPDX-License-Identifier: GPL-2.0-or-later
 * load.c - rc files: each line goes through the registry, as typed on the
 * console. Empty lines and '#' comments are skipped. Unlike vde_switch,
 * which runs every line whatever happens, the first failing line stops
 * the file, and the error names the file, the line number and the
 * command: "sw.rc:5: bogus/cmd: Function not implemented".
 *
 * From the console (`load PATH`) the reply body echoes each line as
 * vde_switch does ("vde[PATH]: line"), then the line's own output and
 * status line, and on failure that error message; the reply's status is
 * the failing line's (1038 above). At start-up (mgmt_load()) the output
 * is discarded and the message goes to the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt_int.h"

/* Read a line into @buf (without '\n'). Return: its length, -1 at EOF,
 * -E2BIG for a line over MGMT_LINE_MAX bytes (read up to its end). */
static long read_line(FILE *f, char *buf)
{
	size_t len = 0;
	bool any = false, big = false;
	int c;

	while ((c = getc(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (len < MGMT_LINE_MAX)
			buf[len++] = (char)c;
		else
			big = true;
	}
	if (!any)
		return -1;
	if (big)
		return -E2BIG;
	buf[len] = '\0';
	return (long)len;
}

static int check_line(char *buf, size_t len)
{
	size_t i;

	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EINVAL;
	}
	return 0;
}

static void append_body(struct mgmt_out *echo, const struct mgmt_out *body)
{
	if (!body->len)
		return;
	mgmt_write(echo, body->buf, body->len);
	if (body->buf[body->len - 1] != '\n')
		mgmt_write(echo, "\n", 1);
}

/**
 * load_file() - run an rc file
 * @m:		the console
 * @s:		the session that typed `load`, or NULL
 * @depth:	nesting of `load` so far
 * @path:	the file
 * @echo:	the console reply body, or NULL to discard the output
 * @err:	on failure, "PATH:LINE: COMMAND: reason" or "PATH: reason"
 * @errlen:	its size
 *
 * Return: 0, or the failing line's -errno (-ELOOP when nested too deep,
 * -E2BIG for an over-long line, -EINVAL for control bytes, the file's
 * open or read error)
 */
int load_file(struct mgmt *m, struct mgmt_session *s, unsigned depth,
	      const char *path, struct mgmt_out *echo, char *err,
	      size_t errlen)
{
	char buf[MGMT_LINE_MAX + 1], cmdline[MGMT_LINE_MAX + 1];
	unsigned lineno = 0;
	struct mgmt_out body;
	FILE *f;
	long len;
	int rc = 0;

	if (depth >= MGMT_LOAD_DEPTH) {
		snprintf(err, errlen, "%s: load nested more than %d deep",
			 path, MGMT_LOAD_DEPTH);
		return -ELOOP;
	}
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	mgmt_out_init(&body, m->cfg.out_max);
	while ((len = read_line(f, buf)) != -1) {
		bool data;
		char *q;

		lineno++;
		if (len >= 0)
			rc = check_line(buf, (size_t)len);
		else
			rc = (int)len;
		if (rc) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
				 rc == -E2BIG ? "line too long"
					      : "control characters in line");
			break;
		}
		for (q = buf; *q == ' ' || *q == '\t'; q++)
			;
		if (!*q)
			continue;
		if (echo)
			mgmt_printf(echo, "vde[%s]: %s\n", path, q);
		if (*q == '#')
			continue;
		snprintf(cmdline, sizeof(cmdline), "%s", q);
		mgmt_out_reset(&body);
		rc = mgmt_run_line(m, s, depth + 1, q, &body, &data);
		if (body.overflow && !rc)
			rc = -EMSGSIZE;
		if (echo) {
			append_body(echo, &body);
			mgmt_status(echo, rc);
		}
		if (rc) {
			snprintf(err, errlen, "%s:%u: %s: %s", path, lineno,
				 cmdline, strerror(-rc));
			break;
		}
		if (s && (s->dead || s->end != SESSION_RUN))
			break;
	}
	if (!rc && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	mgmt_out_free(&body);
	fclose(f);
	return rc;
}

/**
 * mgmt_load() - run an rc file at start-up (-f), output discarded
 * @m:		the console
 * @path:	the file
 * @err:	on failure, "PATH:LINE: COMMAND: reason" or "PATH: reason"
 * @errlen:	its size
 *
 * Return: 0, or the -errno of the first failing line (the rest of the file
 * is not run)
 */
int mgmt_load(struct mgmt *m, const char *path, char *err, size_t errlen)
{
	return load_file(m, NULL, 0, path, NULL, err, errlen);
}

/**
 * mgmt_rc_default() - the rc file vde_switch runs without -f
 * @buf:	gets the path
 * @len:	its size
 *
 * $HOME/.vde2/vde_switch.rc if readable, otherwise /etc/vde2/vde_switch.rc
 * if readable.
 *
 * Return: 0, or -ENOENT if neither is readable
 */
int mgmt_rc_default(char *buf, size_t len)
{
	const char *home = getenv("HOME");
	int n;

	if (home && *home) {
		n = snprintf(buf, len, "%s/.vde2/vde_switch.rc", home);
		if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0)
			return 0;
	}
	n = snprintf(buf, len, "/etc/vde2/vde_switch.rc");
	if (n > 0 && (size_t)n < len && access(buf, R_OK) == 0)
		return 0;
	if (len)
		buf[0] = '\0';
	return -ENOENT;
}
