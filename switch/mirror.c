/* SPDX-License-Identifier: GPL-2.0-or-later
 * mirror.c - port mirroring: adding and removing mirror edges, the cycle
 * check, and forgetting the edges of a port that goes.
 *
 * Each port keeps the edges leaving it in a small array (a port mirrors to
 * a few ports at most), and a count of the edges arriving (mirror_srcs).
 * The forwarding engine reads the arrays; this file alone writes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mirror.h"
#include "port.h"
#include "swcore.h"

/**
 * mirror_dirs_name() - "rx", "tx" or "both"
 * @dirs:	MIRROR_RX and/or MIRROR_TX
 *
 * Return: a constant string
 */
const char *mirror_dirs_name(unsigned dirs)
{
	switch (dirs & MIRROR_BOTH) {
	case MIRROR_RX:
		return "rx";
	case MIRROR_TX:
		return "tx";
	default:
		return "both";
	}
}

static struct mirror_edge *mirror_find(const struct port *p, unsigned dst)
{
	unsigned i;

	for (i = 0; p && i < p->nmirrors; i++)
		if (p->mirrors[i].dst == dst)
			return &p->mirrors[i];
	return NULL;
}

/* Is @to reachable from @from along mirror edges? The graph is a forest
 * (every add keeps it so), so the walk ends; @path gets the ports seen. */
static bool mirror_reaches(const struct sw *sw, unsigned from, unsigned to,
			   char *path, size_t len)
{
	const struct port *p = port_lookup(sw, from);
	size_t used = strlen(path);
	unsigned i;

	snprintf(path + used, len - used, " -> %u", from);
	if (from == to)
		return true;
	for (i = 0; p && i < p->nmirrors; i++)
		if (mirror_reaches(sw, p->mirrors[i].dst, to, path, len))
			return true;
	path[used] = '\0';
	return false;
}

/**
 * mirror_add() - mirror a port's traffic to another port
 * @sw:		the switch
 * @src:	the mirrored port (created if needed)
 * @dst:	the port receiving the copies (created if needed)
 * @dirs:	MIRROR_RX, MIRROR_TX or both
 * @err:	the reason of a refusal
 * @errlen:	size of @err
 *
 * An existing edge @src -> @dst gets the new directions.
 *
 * Return: 0, -EINVAL (a port out of range, bad @dirs, @dst is @src),
 * -ELOOP (a cycle), -ENOMEM
 */
int mirror_add(struct sw *sw, unsigned src, unsigned dst, unsigned dirs,
	       char *err, size_t errlen)
{
	struct mirror_edge *e, *n;
	struct port *s, *d;
	char path[256];

	if (src > sw->nports || dst > sw->nports) {
		snprintf(err, errlen, "no port %u (ports 0..%u)",
			 src > sw->nports ? src : dst, sw->nports);
		return -EINVAL;
	}
	if (!dirs || (dirs & ~MIRROR_BOTH)) {
		snprintf(err, errlen, "bad direction");
		return -EINVAL;
	}
	if (src == dst) {
		snprintf(err, errlen, "port %u cannot mirror to itself", src);
		return -EINVAL;
	}
	s = port_get(sw, src);
	if (s && (e = mirror_find(s, dst))) {
		e->dirs = dirs;
		port_taps_update(s);
		return 0;
	}
	path[0] = '\0';
	if (mirror_reaches(sw, dst, src, path, sizeof(path))) {
		snprintf(err, errlen, "mirror %u -> %u would close a cycle: "
			 "%u%s", src, dst, src, path);
		return -ELOOP;
	}
	d = port_get(sw, dst);
	if (!s || !d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = malloc(((size_t)s->nmirrors + 1) * sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (s->nmirrors)
		memcpy(n, s->mirrors, s->nmirrors * sizeof(*n));
	n[s->nmirrors] = (struct mirror_edge){ .to = d, .dst = dst,
					       .dirs = dirs };
	free(s->mirrors);
	s->mirrors = n;
	s->nmirrors++;
	d->mirror_srcs++;
	port_taps_update(s);
	return 0;
}

/* Remove edge @e of @s (whose destination is @d, if it exists). */
static void mirror_remove(struct port *s, struct mirror_edge *e,
			  struct port *d)
{
	unsigned i = (unsigned)(e - s->mirrors);

	memmove(e, e + 1, (s->nmirrors - i - 1) * sizeof(*e));
	if (!--s->nmirrors) {
		free(s->mirrors);
		s->mirrors = NULL;
	}
	if (d && d->mirror_srcs)
		d->mirror_srcs--;
	port_taps_update(s);
}

/**
 * mirror_del() - stop mirroring @src to @dst
 * @sw:		the switch
 * @src:	the mirrored port
 * @dst:	the port receiving the copies
 *
 * Return: 0, -EINVAL (out of range), -ENOENT (no such mirror)
 */
int mirror_del(struct sw *sw, unsigned src, unsigned dst)
{
	struct port *s;
	struct mirror_edge *e;

	if (src > sw->nports || dst > sw->nports)
		return -EINVAL;
	s = port_lookup(sw, src);
	e = mirror_find(s, dst);
	if (!e)
		return -ENOENT;
	mirror_remove(s, e, e->to);
	return 0;
}

/**
 * mirror_port_gone() - a port is removed: drop the edges from and to it
 * @sw:		the switch
 * @p:		the port, still in the table
 */
void mirror_port_gone(struct sw *sw, struct port *p)
{
	unsigned i;

	while (p->nmirrors)
		mirror_remove(p, &p->mirrors[p->nmirrors - 1],
			      p->mirrors[p->nmirrors - 1].to);
	for (i = 0; p->mirror_srcs && i <= sw->nports; i++) {
		struct port *s = sw->ports[i];
		struct mirror_edge *e = mirror_find(s, p->num);

		if (e)
			mirror_remove(s, e, p);
	}
}
