/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device: DISCARD, WRITE_ZEROES, SECURE_ERASE (spec/11-block.md 11.6). */
#include "blk_test.h"

#define AREA 16u /* sectors used at sector 32 */

/* Bring up with @p feature (skip if not offered), seed sectors 32..47 with a pattern. */
static enum vplat_result setup(struct vplat_test_ctx *t, uint64_t feature, struct vplat_val_vq **vq,
			       uint8_t **copy)
{
	BLK_NEED_RW(t, 64);
	if (!(blk_offer(t) & feature))
		return vplat_t_skip(t, "feature 0x%llx not offered", (unsigned long long)feature);
	enum vplat_result r = bringup(t, feature, vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *w = dmab(t, AREA * SECTOR);
	*copy = dmab(t, AREA * SECTOR);
	if (!w || !*copy)
		return vplat_t_error(t, "out of DMA memory");
	pattern(w, AREA * SECTOR, 0xbeef);
	memcpy(*copy, w, AREA * SECTOR);
	if (blk_write(t, *vq, 32, w, AREA * SECTOR) != S_OK)
		return vplat_t_error(t, "seeding sectors 32..47 failed");
	return VPLAT_PASS;
}

/* Read sectors 32..47 into a fresh buffer. */
static uint8_t *area(struct vplat_test_ctx *t, struct vplat_val_vq *vq)
{
	uint8_t *rd = dmab(t, AREA * SECTOR);
	if (rd && blk_read(t, vq, 32, rd, AREA * SECTOR) != S_OK)
		return NULL;
	return rd;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static enum vplat_result flag_rules(struct vplat_test_ctx *t, uint32_t type, uint64_t feature,
				   uint32_t max_seg_off)
{
	struct vplat_val_vq *vq;
	uint8_t *copy;
	enum vplat_result r = setup(t, feature, &vq, &copy);
	if (r != VPLAT_PASS)
		return r;
	/* The reserved flag on the second of two otherwise valid ranges, or alone when the
	 * device takes one range per request (the driver must respect max_*_seg). */
	unsigned two = cfg(t, max_seg_off, 4) >= 2 ? 2 : 1;
	static const uint32_t reserved[] = {0x2, 0x4, 0x80000000u, 0xfffffffeu};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		struct blk_range rg[2] = {{32, 4, 0}, {40, 4, reserved[i]}};
		uint8_t st;
		uint32_t used;
		VPLAT_T_CHECK(t, 1, blk_ranges(t, vq, type, rg + 2 - two, two, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 2, st == S_UNSUPP, "S_UNSUPP for a reserved flag bit",
				  "type %u, flags 0x%x: status %u", type, reserved[i], st);
	}
	if (type != T_WZ) {
		struct blk_range rg = {32, 4, UNMAP};
		uint8_t st;
		uint32_t used;
		VPLAT_T_CHECK(t, 3, blk_ranges(t, vq, type, &rg, 1, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 4, st == S_UNSUPP, "S_UNSUPP for unmap outside WRITE_ZEROES",
				  "type %u with unmap: status %u", type, st);
	}
	uint8_t *rd = area(t, vq);
	VPLAT_T_CHECK_MSG(t, 5, rd && memcmp(rd, copy, AREA * SECTOR) == 0,
			  "refused requests leave the disk unchanged", "sectors 32..47 changed");
	return VPLAT_PASS;
}

static enum vplat_result discard_flags(struct vplat_test_ctx *t)
{
	return flag_rules(t, T_DISCARD, BF(DISCARD), BOFF(max_discard_seg));
}
VPLAT_TEST(blk_discard_flags_unsupp, "VPLAT-BLK-038 VPLAT-BLK-039", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "DISCARD with a reserved flag bit or with unmap gets S_UNSUPP and discards nothing", discard_flags);

static enum vplat_result wz_flags(struct vplat_test_ctx *t)
{
	return flag_rules(t, T_WZ, BF(WRITE_ZEROES), BOFF(max_write_zeroes_seg));
}
VPLAT_TEST(blk_write_zeroes_flags_unsupp, "VPLAT-BLK-038", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "WRITE_ZEROES with a reserved flag bit gets S_UNSUPP and zeroes nothing", wz_flags);

static enum vplat_result se_flags(struct vplat_test_ctx *t)
{
	return flag_rules(t, T_SE, BF(SECURE_ERASE), BOFF(max_secure_erase_seg));
}
VPLAT_TEST(blk_secure_erase_flags_unsupp, "VPLAT-BLK-038 VPLAT-BLK-040", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "SECURE_ERASE with a reserved flag bit or with unmap gets S_UNSUPP and erases nothing", se_flags);

static enum vplat_result write_zeroes(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint8_t *copy;
	enum vplat_result r = setup(t, BF(WRITE_ZEROES), &vq, &copy);
	if (r != VPLAT_PASS)
		return r;
	/* Sectors 34..36 without unmap, 40..43 with unmap, 47 alone; the rest stays. In one
	 * request, or one range per request when max_write_zeroes_seg is below 3 (the driver
	 * must not send more segments than that: qemu-storage-daemon offers 1). */
	struct blk_range rg[3] = {{34, 3, 0}, {40, 4, UNMAP}, {47, 1, 0}};
	uint8_t st;
	uint32_t used;
	uint64_t max_seg = cfg(t, BOFF(max_write_zeroes_seg), 4);
	unsigned per = max_seg >= 3 ? 3 : 1;
	for (unsigned i = 0; i < 3; i += per) {
		VPLAT_T_CHECK(t, 1, blk_ranges(t, vq, T_WZ, rg + i, per, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 2, st == S_OK && used == 1, "S_OK, used length 1",
				  "status %u, used %u (%u range(s) per request)", st, used, per);
	}
	uint8_t *rd = area(t, vq);
	VPLAT_T_CHECK(t, 3, rd != NULL);
	for (unsigned s = 0; s < AREA; s++) {
		unsigned sec = 32 + s;
		bool zeroed = (sec >= 34 && sec <= 36) || (sec >= 40 && sec <= 43) || sec == 47;
		const uint8_t *p = rd + s * SECTOR;
		if (zeroed)
			VPLAT_T_CHECK_MSG(t, 4, zero(p, SECTOR), "covered sectors read as zeroes",
					  "sector %u is not zero", sec);
		else
			VPLAT_T_CHECK_MSG(t, 5, memcmp(p, copy + s * SECTOR, SECTOR) == 0,
					  "other sectors untouched", "sector %u changed", sec);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(blk_write_zeroes_reads_zero, "VPLAT-BLK-041", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "after WRITE_ZEROES of 3 ranges (with and without unmap) they read as zeroes; neighbouring sectors keep their data", write_zeroes);

static enum vplat_result secure_erase(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	uint8_t *copy;
	enum vplat_result r = setup(t, BF(SECURE_ERASE), &vq, &copy);
	if (r != VPLAT_PASS)
		return r;
	uint64_t align = cfg(t, BOFF(secure_erase_sector_alignment), 4);
	if (align == 0 || align > 8 || 32 % align)
		return vplat_t_skip(t, "secure_erase_sector_alignment %llu", (unsigned long long)align);
	struct blk_range rg = {32, 8, 0};
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK(t, 1, blk_ranges(t, vq, T_SE, &rg, 1, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 2, st == S_OK, "SECURE_ERASE completes S_OK", "status %u", st);
	uint8_t *rd = area(t, vq);
	VPLAT_T_CHECK(t, 3, rd != NULL);
	for (unsigned s = 0; s < 8; s++)
		for (unsigned k = 0; k < 8; k++)
			VPLAT_T_CHECK_MSG(t, 4, memcmp(rd + s * SECTOR, copy + k * SECTOR, SECTOR) != 0,
					  "no erased sector returns data held there before",
					  "sector %u reads the old contents of sector %u", 32 + s, 32 + k);
	VPLAT_T_CHECK_MSG(t, 5, memcmp(rd + 8 * SECTOR, copy + 8 * SECTOR, 8 * SECTOR) == 0,
			  "sectors beyond the range untouched", "sectors 40..47 changed");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_secure_erase_old_data_gone, "VPLAT-BLK-047", "vplat", VPLAT_VIRTIO_ID_BLOCK, 0, "after SECURE_ERASE of 8 sectors none of them reads back any of the old sector contents; the next 8 are untouched", secure_erase);

/* One malformed-range case: the request gets IOERR and the area stays. */
static enum vplat_result range_ioerr(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type,
				     const struct blk_range *rg, unsigned n, const uint8_t *copy,
				     const char *what)
{
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK(t, 1, blk_ranges(t, vq, type, rg, n, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 2, st == S_IOERR, "IOERR for a malformed range request",
			  "type %u, %s: status %u", type, what, st);
	uint8_t *rd = area(t, vq);
	VPLAT_T_CHECK_MSG(t, 3, rd && memcmp(rd, copy, AREA * SECTOR) == 0,
			  "the backing store is unchanged (all ranges checked first)",
			  "type %u, %s: sectors 32..47 changed", type, what);
	return VPLAT_PASS;
}

static enum vplat_result malformed(struct vplat_test_ctx *t, uint32_t type, uint64_t feature,
				   uint32_t max_sec_off, uint32_t max_seg_off)
{
	struct vplat_val_vq *vq;
	uint8_t *copy;
	enum vplat_result r = setup(t, feature, &vq, &copy);
	if (r != VPLAT_PASS)
		return r;
	uint64_t cap = blk_capacity(t);
	uint64_t max_sec = cfg(t, max_sec_off, 4), max_seg = cfg(t, max_seg_off, 4);
	uint8_t st;
	uint32_t used;
	/* Empty data part, and 20 bytes (not a multiple of 16). */
	VPLAT_T_CHECK(t, 4, blk_rq(t, vq, type, 0, NULL, 0, false, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 5, st == S_IOERR, "IOERR for an empty data part", "type %u: status %u",
			  type, st);
	uint8_t *odd = dmab(t, 20);
	VPLAT_T_CHECK(t, 6, blk_rq(t, vq, type, 0, odd, 20, false, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 7, st == S_IOERR, "IOERR for 20 bytes of ranges", "type %u: status %u",
			  type, st);
	/* A valid first range and a second one past capacity (the bad one alone when the device
	 * takes one range per request). */
	unsigned two = max_seg >= 2 ? 2 : 1;
	struct blk_range past[2] = {{32, 8, 0}, {cap - 1, 2, 0}};
	if ((r = range_ioerr(t, vq, type, past + 2 - two, two, copy, "range past capacity")) !=
	    VPLAT_PASS)
		return r;
	struct blk_range wrap[2] = {{32, 8, 0}, {UINT64_MAX - 1, 4, 0}};
	if ((r = range_ioerr(t, vq, type, wrap + 2 - two, two, copy, "range wrapping")) != VPLAT_PASS)
		return r;
	/* A range longer than max_*_sectors (when that is below capacity). */
	if (max_sec && max_sec < cap - 32 && max_sec < UINT32_MAX) {
		struct blk_range lng[2] = {{32, 8, 0}, {32, (uint32_t)max_sec + 1, 0}};
		if ((r = range_ioerr(t, vq, type, lng + 2 - two, two, copy,
				     "range above max sectors")) != VPLAT_PASS)
			return r;
	}
	/* More ranges than max_*_seg (up to 256 of them). */
	if (max_seg && max_seg < 256) {
		static struct blk_range many[256];
		for (unsigned i = 0; i <= max_seg; i++)
			many[i] = (struct blk_range){32 + (i % AREA), 1, 0};
		if ((r = range_ioerr(t, vq, type, many, (unsigned)max_seg + 1, copy,
				     "max_seg + 1 ranges")) != VPLAT_PASS)
			return r;
	}
	/* A 0-sector range is valid and does nothing. */
	struct blk_range none = {36, 0, 0};
	VPLAT_T_CHECK(t, 8, blk_ranges(t, vq, type, &none, 1, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 9, st == S_OK, "a 0-sector range completes S_OK", "type %u: status %u",
			  type, st);
	uint8_t *rd = area(t, vq);
	VPLAT_T_CHECK_MSG(t, 10, rd && memcmp(rd, copy, AREA * SECTOR) == 0,
			  "a 0-sector range changes nothing", "sectors 32..47 changed");
	return VPLAT_PASS;
}

static enum vplat_result discard_malformed(struct vplat_test_ctx *t)
{
	return malformed(t, T_DISCARD, BF(DISCARD), BOFF(max_discard_sectors), BOFF(max_discard_seg));
}
VPLAT_TEST(blk_discard_malformed_ioerr, "VPLAT-BLK-046", "drivernormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "DISCARD with no or a partial range, a range past capacity or wrapping, too long or too many ranges: IOERR, nothing discarded; 0 sectors: OK", discard_malformed);

static enum vplat_result wz_malformed(struct vplat_test_ctx *t)
{
	return malformed(t, T_WZ, BF(WRITE_ZEROES), BOFF(max_write_zeroes_sectors),
			 BOFF(max_write_zeroes_seg));
}
VPLAT_TEST(blk_write_zeroes_malformed_ioerr, "VPLAT-BLK-046", "drivernormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "WRITE_ZEROES with malformed ranges gets IOERR and zeroes nothing, not even its valid first range", wz_malformed);

static enum vplat_result se_malformed(struct vplat_test_ctx *t)
{
	return malformed(t, T_SE, BF(SECURE_ERASE), BOFF(max_secure_erase_sectors),
			 BOFF(max_secure_erase_seg));
}
VPLAT_TEST(blk_secure_erase_malformed_ioerr, "VPLAT-BLK-046", "drivernormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "SECURE_ERASE with malformed ranges gets IOERR and erases nothing, not even its valid first range", se_malformed);
