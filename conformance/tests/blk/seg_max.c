/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device: more data segments than seg_max (spec/11-block.md 11.1): IOERR, no data moved. */
#include <stdlib.h>
#include "blk_test.h"

static enum vplat_result seg_max_exceeded(struct vplat_test_ctx *t)
{
	uint64_t off = blk_offer(t);
	if (!(off & BF(SEG_MAX)))
		return vplat_t_skip(t, "SEG_MAX not offered");
	struct vplat_val_vq *vq;
	uint16_t qmax = vplat_val_queue_max(t->d, 0);
	uint16_t qs = qmax >= 256 ? 256 : qmax >= 128 ? 128 : qmax;
	enum vplat_result r = bringup(t, BF(SEG_MAX), &vq, 0, qs);
	if (r != VPLAT_PASS)
		return r;
	uint64_t seg_max = cfg(t, BOFF(seg_max), 4);
	uint32_t n = (uint32_t)seg_max + 1;
	if (seg_max == 0 || n + 2 > vq->size || blk_capacity(t) < n)
		return vplat_t_skip(t, "seg_max %llu + 1 segments do not fit a %u-entry ring",
				    (unsigned long long)seg_max, vq->size);
	void **seg = calloc(n, sizeof(*seg));
	uint32_t *len = calloc(n, sizeof(*len));
	VPLAT_T_CHECK(t, 1, seg && len);
	for (uint32_t i = 0; i < n; i++) {
		seg[i] = dmab(t, SECTOR);
		len[i] = SECTOR;
		if (seg[i])
			memset(seg[i], 0x5a, SECTOR);
	}
	uint8_t st;
	uint32_t used;
	int rc = blk_rqv(t, vq, T_IN, 0, 0, seg, len, n, true, &st, &used);
	bool untouched = true;
	for (uint32_t i = 0; i < n; i++)
		untouched &= seg[i] && ((uint8_t *)seg[i])[0] == 0x5a && ((uint8_t *)seg[i])[511] == 0x5a;
	free(seg);
	free(len);
	VPLAT_T_CHECK(t, 2, rc == 0);
	VPLAT_T_CHECK_MSG(t, 3, st == S_IOERR, "IOERR for seg_max + 1 data segments",
			  "status 0x%x (0x5a: never written), used %u for %u segments", st, used, n);
	VPLAT_T_CHECK_MSG(t, 4, untouched, "no data transferred", "data was read into the buffers");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_seg_max_exceeded_ioerr, "VPLAT-BLK-013", "sec:Device Types / Block Device / Feature bits", VPLAT_VIRTIO_ID_BLOCK, 0, "a read with seg_max + 1 data segments gets IOERR and transfers nothing", seg_max_exceeded);

