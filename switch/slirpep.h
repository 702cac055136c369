/* SPDX-License-Identifier: GPL-2.0-or-later
 * slirpep.h - user-mode networking (libslirp) as a switch port: slirp://.
 */
#ifndef PATCHBAY_SLIRPEP_H
#define PATCHBAY_SLIRPEP_H

struct sw;
struct slirp_backend;

struct slirp_backend *slirpep_backend_create(struct sw *sw);

#endif /* PATCHBAY_SLIRPEP_H */
