/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the block device tests (spec/11-block.md). */
#ifndef VPLAT_CONFORM_BLKT_H
#define VPLAT_CONFORM_BLKT_H

#include <stddef.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define BF(b)     VPLAT_BIT(VPLAT_VIRTIO_BLK_F_##b)
#define BOFF(fld) ((uint32_t)offsetof(struct vplat_virtio_blk_config, fld))
#define T_IN      VPLAT_VIRTIO_BLK_T_IN
#define T_OUT     VPLAT_VIRTIO_BLK_T_OUT
#define T_FLUSH   VPLAT_VIRTIO_BLK_T_FLUSH
#define T_GET_ID  VPLAT_VIRTIO_BLK_T_GET_ID
#define T_LIFE    VPLAT_VIRTIO_BLK_T_GET_LIFETIME
#define T_DISCARD VPLAT_VIRTIO_BLK_T_DISCARD
#define T_WZ      VPLAT_VIRTIO_BLK_T_WRITE_ZEROES
#define T_SE      VPLAT_VIRTIO_BLK_T_SECURE_ERASE
#define S_OK      VPLAT_VIRTIO_BLK_S_OK
#define S_IOERR   VPLAT_VIRTIO_BLK_S_IOERR
#define S_UNSUPP  VPLAT_VIRTIO_BLK_S_UNSUPP
#define UNMAP     VPLAT_VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
#define SECTOR    512u

static inline uint64_t blk_offer(struct vplat_test_ctx *t)
{
	return vplat_val_get_device_features(t->d);
}

static inline uint64_t blk_capacity(struct vplat_test_ctx *t)
{
	return cfg(t, BOFF(capacity), 8);
}

/* Read (IN) @p len bytes at @p sector into @p buf; the status byte, or 0xff on a ring error. */
static inline uint8_t blk_read(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint64_t sector,
			       void *buf, uint32_t len)
{
	uint8_t st = 0xff;
	uint32_t used;
	if (blk_rq(t, vq, T_IN, sector, buf, len, true, &st, &used) != 0)
		return 0xff;
	return st;
}

/* Write (OUT) @p len bytes of @p buf at @p sector; returns the status byte or 0xff. */
static inline uint8_t blk_write(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint64_t sector,
				void *buf, uint32_t len)
{
	uint8_t st = 0xff;
	uint32_t used;
	if (blk_rq(t, vq, T_OUT, sector, buf, len, false, &st, &used) != 0)
		return 0xff;
	return st;
}

/* Skip (in the caller) unless the device is writable and has @p sectors sectors. */
#define BLK_NEED_RW(T, SECTORS)                                                                    \
	do {                                                                                       \
		if (blk_offer(T) & BF(RO))                                                         \
			return vplat_t_skip(T, "read-only device");                                \
		if (blk_capacity(T) < (SECTORS))                                                   \
			return vplat_t_skip(T, "capacity below %u sectors", (unsigned)(SECTORS));  \
	} while (0)

#endif
