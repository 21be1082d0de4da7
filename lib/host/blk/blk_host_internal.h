/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the block host ends in lib/host (not installed). */
#ifndef VPLAT_BLK_HOST_INTERNAL_H
#define VPLAT_BLK_HOST_INTERNAL_H

#include "vplat/host/blk_file.h"

/* The descriptor a read or write should use: the O_DIRECT one when the request is aligned. */
int vplat_blk_file_pick_fd(const struct vplat_blk_file *f, const struct vplat_blk_req *r);

#endif
