/* SPDX-License-Identifier: GPL-2.0-or-later
 * vdeplugep.h - every URL no native backend serves, through libvdeplug.
 */
#ifndef PATCHBAY_VDEPLUGEP_H
#define PATCHBAY_VDEPLUGEP_H

struct sw;
struct vdeplug_backend;

struct vdeplug_backend *vdeplugep_backend_create(struct sw *sw);

#endif /* PATCHBAY_VDEPLUGEP_H */
