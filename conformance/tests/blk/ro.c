/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device: read-only devices (spec/11-block.md 11.4). */
#include "blk_test.h"

/* Writes and range commands on an RO device, with RO accepted (@p accept) or not. */
static enum vplat_result ro_refuses(struct vplat_test_ctx *t, bool accept)
{
	uint64_t off = blk_offer(t);
	if (!(off & BF(RO)))
		return vplat_t_skip(t, "RO not offered");
	if (blk_capacity(t) < 16)
		return vplat_t_skip(t, "capacity below 16 sectors");
	struct vplat_val_vq *vq;
	uint64_t want = (off & ~BF(RO)) | (accept ? BF(RO) : 0);
	enum vplat_result r = bringup(t, want, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *before = dmab(t, 8 * SECTOR), *after = dmab(t, 8 * SECTOR), *w = dmab(t, 8 * SECTOR);
	VPLAT_T_CHECK(t, 1, before && after && w);
	VPLAT_T_CHECK_MSG(t, 2, blk_read(t, vq, 8, before, 8 * SECTOR) == S_OK,
			  "IN is served on a read-only device", "reading sectors 8..15 failed");
	pattern(w, 8 * SECTOR, 0x600d);
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK(t, 3, blk_rq(t, vq, T_OUT, 8, w, 8 * SECTOR, false, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 4, st == S_IOERR, "OUT gets IOERR",
			  "RO %s: OUT status %u", accept ? "accepted" : "not accepted", st);
	static const struct {
		uint32_t type;
		uint64_t feature;
		uint32_t flags;
	} rc[] = {{T_DISCARD, BF(DISCARD), 0}, {T_WZ, BF(WRITE_ZEROES), 0},
		  {T_WZ, BF(WRITE_ZEROES), UNMAP}, {T_SE, BF(SECURE_ERASE), 0}};
	for (size_t i = 0; i < sizeof(rc) / sizeof(rc[0]); i++) {
		if (!vplat_val_has_feature(t->d, __builtin_ctzll(rc[i].feature)))
			continue;
		struct blk_range rg = {8, 8, rc[i].flags};
		VPLAT_T_CHECK(t, 5, blk_ranges(t, vq, rc[i].type, &rg, 1, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 6, st == S_IOERR, "range commands count as writes: IOERR",
				  "RO %s: type %u flags %u status %u", accept ? "accepted" : "not accepted",
				  rc[i].type, rc[i].flags, st);
	}
	VPLAT_T_CHECK(t, 7, blk_read(t, vq, 8, after, 8 * SECTOR) == S_OK);
	VPLAT_T_CHECK_MSG(t, 8, memcmp(before, after, 8 * SECTOR) == 0, "nothing is written",
			  "RO %s: sectors 8..15 changed", accept ? "accepted" : "not accepted");
	/* FLUSH, GET_ID and (with LIFETIME) GET_LIFETIME are served normally. */
	VPLAT_T_CHECK(t, 9, blk_rq(t, vq, T_FLUSH, 0, NULL, 0, false, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 10, st == S_OK, "FLUSH is served", "FLUSH status %u", st);
	uint8_t *id = dmab(t, 20);
	VPLAT_T_CHECK(t, 11, blk_rq(t, vq, T_GET_ID, 0, id, 20, true, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 12, st == S_OK, "GET_ID is served", "GET_ID status %u", st);
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_BLK_F_LIFETIME)) {
		uint8_t *lt = dmab(t, 6);
		VPLAT_T_CHECK(t, 13, blk_rq(t, vq, T_LIFE, 0, lt, 6, true, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 14, st == S_OK, "GET_LIFETIME is served", "status %u", st);
	}
	return VPLAT_PASS;
}

static enum vplat_result ro_accepted(struct vplat_test_ctx *t)
{
	return ro_refuses(t, true);
}
VPLAT_TEST(blk_ro_refuses_writes, "VPLAT-BLK-032 VPLAT-BLK-033", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "RO accepted: OUT, DISCARD, WRITE_ZEROES, SECURE_ERASE get IOERR and write nothing; IN, FLUSH, GET_ID, GET_LIFETIME are served", ro_accepted);

static enum vplat_result ro_not_accepted(struct vplat_test_ctx *t)
{
	return ro_refuses(t, false);
}
VPLAT_TEST(blk_ro_refuses_writes_unaccepted, "VPLAT-BLK-032 VPLAT-BLK-033", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "RO offered but not accepted by the driver: writes and range commands still get IOERR and write nothing", ro_not_accepted);
