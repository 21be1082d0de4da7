/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device internals shared by blk.c and blk_req.c. Freestanding. */
#ifndef VPLAT_BLK_INTERNAL_H
#define VPLAT_BLK_INTERNAL_H

#include "vplat/blk.h"

/* blk_parse() results besides a VPLAT_VIRTIO_BLK_S_* status byte. */
#define BLK_SUBMIT 0x100 /* valid request for the host end */
#define BLK_BROKEN 0x101 /* no room for header or status: driver error, needs reset */

/* Parse and check the popped chain of @p r. Answers GET_ID and GET_LIFETIME itself. */
int vplat_blk_parse(struct vplat_blk *blk, struct vplat_blk_req *r);

/* Writes to the disk are submitted with sync set (writethrough). */
bool vplat_blk_sync_writes(const struct vplat_blk *blk);

#endif
