/* SPDX-License-Identifier: GPL-2.0-or-later
 * mirror.h - port mirroring: the table of mirror edges kept on each port
 * (struct mirror_edge in port.h) and the rules that keep it sane.
 *
 * An edge SRC -> DST with MIRROR_RX gives DST a copy of every frame SRC
 * sends into the switch, as SRC sent it; with MIRROR_TX a copy of every
 * frame the switch sends to SRC, as it leaves (tag inserted or stripped
 * for SRC). The copies are made by the forwarding engine (fwd.c); they are
 * never learned and never mirrored again. A port that is a mirror
 * destination does not learn the source addresses of its own frames.
 * Edges onto the source itself and edges that would close a cycle are
 * refused, so the mirror graph stays a forest.
 */
#ifndef PATCHBAY_MIRROR_H
#define PATCHBAY_MIRROR_H

#include <stddef.h>

struct sw;
struct port;

int mirror_add(struct sw *sw, unsigned src, unsigned dst, unsigned dirs,
	       char *err, size_t errlen);
int mirror_del(struct sw *sw, unsigned src, unsigned dst);
void mirror_port_gone(struct sw *sw, struct port *p);
const char *mirror_dirs_name(unsigned dirs);

#endif /* PATCHBAY_MIRROR_H */
