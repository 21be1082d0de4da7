/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device: status for bad and unsupported requests (spec/11-block.md 11.1, 11.2). */
#include "blk_test.h"

/* Sector @p s (8 sectors) holds a known pattern: write it and keep a copy in @p copy. */
static uint8_t seed_area(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint64_t s, uint8_t *copy,
			 uint32_t seed)
{
	uint8_t *w = dmab(t, 8 * SECTOR);
	if (!w)
		return 0xff;
	pattern(w, 8 * SECTOR, seed);
	memcpy(copy, w, 8 * SECTOR);
	return blk_write(t, vq, s, w, 8 * SECTOR);
}

/* True if the 8 sectors at @p s still hold @p copy. */
static bool area_intact(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint64_t s, const uint8_t *copy)
{
	uint8_t *rd = dmab(t, 8 * SECTOR);
	return rd && blk_read(t, vq, s, rd, 8 * SECTOR) == S_OK && memcmp(rd, copy, 8 * SECTOR) == 0;
}

static enum vplat_result unknown_types(struct vplat_test_ctx *t)
{
	BLK_NEED_RW(t, 16);
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, blk_offer(t), &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	static uint8_t copy[8 * SECTOR];
	VPLAT_T_CHECK(t, 1, seed_area(t, vq, 8, copy, 42) == S_OK);
	static const uint32_t types[] = {
		VPLAT_VIRTIO_BLK_T_SCSI_CMD, VPLAT_VIRTIO_BLK_T_SCSI_CMD_OUT,
		VPLAT_VIRTIO_BLK_T_FLUSH_OUT, 6, 7, 9, 12, 17, 19, 100, 0x7fffffffu,
		VPLAT_VIRTIO_BLK_T_BARRIER | T_OUT, VPLAT_VIRTIO_BLK_T_BARRIER | T_IN,
		VPLAT_VIRTIO_BLK_T_BARRIER | T_FLUSH, 0xffffffffu};
	uint8_t *data = dmab(t, SECTOR);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* A readable data part, as an OUT would have: it must not reach the disk. */
		pattern(data, SECTOR, (uint32_t)i + 1000);
		uint8_t st;
		uint32_t used;
		VPLAT_T_CHECK(t, 2, blk_rq(t, vq, types[i], 8, data, SECTOR, false, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, st == S_UNSUPP && used == 1, "S_UNSUPP, used length 1",
				  "type 0x%x: status %u, used %u", types[i], st, used);
	}
	VPLAT_T_CHECK_MSG(t, 4, area_intact(t, vq, 8, copy), "no other effect",
			  "the sectors named by the unsupported requests changed");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_unknown_type_unsupp, "VPLAT-BLK-019", "sec:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "legacy SCSI/FLUSH_OUT types, unassigned types and BARRIER-flagged types get S_UNSUPP and write nothing", unknown_types);

static enum vplat_result zoned_unsupp(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, blk_offer(t), &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	static const uint32_t types[] = {
		VPLAT_VIRTIO_BLK_T_ZONE_APPEND, VPLAT_VIRTIO_BLK_T_ZONE_REPORT,
		VPLAT_VIRTIO_BLK_T_ZONE_OPEN, VPLAT_VIRTIO_BLK_T_ZONE_CLOSE,
		VPLAT_VIRTIO_BLK_T_ZONE_FINISH, VPLAT_VIRTIO_BLK_T_ZONE_RESET,
		VPLAT_VIRTIO_BLK_T_ZONE_RESET_ALL};
	uint8_t *in = dmab(t, 4096);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint8_t st;
		uint32_t used;
		bool report = types[i] == VPLAT_VIRTIO_BLK_T_ZONE_REPORT;
		bool append = types[i] == VPLAT_VIRTIO_BLK_T_ZONE_APPEND;
		/* Framed as a zoned driver would: REPORT has a 4 KiB reply, APPEND 512 bytes out
		 * and an 8-byte sector in (carried here as the start of the status buffer). */
		VPLAT_T_CHECK(t, 1, blk_rq(t, vq, types[i], 0, report || append ? in : NULL,
					   report ? 4096 : append ? SECTOR : 0, report, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 2, st == S_UNSUPP, "S_UNSUPP for zone requests",
				  "type %u: status %u", types[i], st);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(blk_zone_requests_unsupp, "VPLAT-BLK-021", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "ZONE_APPEND, ZONE_REPORT, ZONE_OPEN/CLOSE/FINISH/RESET/RESET_ALL get S_UNSUPP", zoned_unsupp);

static enum vplat_result not_negotiated(struct vplat_test_ctx *t)
{
	uint64_t off = blk_offer(t);
	bool rw = !(off & BF(RO)) && blk_capacity(t) >= 16;
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0); /* no optional feature */
	if (r != VPLAT_PASS)
		return r;
	static uint8_t copy[8 * SECTOR];
	if (rw)
		VPLAT_T_CHECK(t, 1, seed_area(t, vq, 8, copy, 7) == S_OK);
	static const uint32_t types[] = {T_DISCARD, T_WZ, T_SE};
	for (size_t i = 0; i < 3; i++) {
		struct blk_range rg = {.sector = 8, .num = 8};
		uint8_t st;
		uint32_t used;
		VPLAT_T_CHECK(t, 2, blk_ranges(t, vq, types[i], &rg, 1, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, st == S_UNSUPP, "S_UNSUPP when the feature is not negotiated",
				  "type %u: status %u", types[i], st);
	}
	uint8_t *lt = dmab(t, 6), st;
	uint32_t used;
	VPLAT_T_CHECK(t, 4, blk_rq(t, vq, T_LIFE, 0, lt, 6, true, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 5, st == S_UNSUPP, "GET_LIFETIME without LIFETIME: S_UNSUPP",
			  "status %u", st);
	if (rw)
		VPLAT_T_CHECK_MSG(t, 6, area_intact(t, vq, 8, copy), "no other effect",
				  "the range named by the refused requests changed");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_unnegotiated_type_unsupp, "VPLAT-BLK-020", "sec:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "DISCARD, WRITE_ZEROES, SECURE_ERASE and GET_LIFETIME without their features negotiated get S_UNSUPP and change nothing", not_negotiated);

static enum vplat_result not_sector_multiple(struct vplat_test_ctx *t)
{
	BLK_NEED_RW(t, 16);
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	static uint8_t copy[8 * SECTOR];
	VPLAT_T_CHECK(t, 1, seed_area(t, vq, 8, copy, 11) == S_OK);
	static const uint32_t lens[] = {1, 100, 511, 513, 1000, 4095};
	uint8_t *b = dmab(t, 4096);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t st;
		uint32_t used;
		memset(b, 0x5a, 4096);
		VPLAT_T_CHECK(t, 2, blk_rq(t, vq, T_IN, 8, b, lens[i], true, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, st == S_IOERR, "IN of a non-multiple of 512: IOERR",
				  "IN of %u bytes: status %u", lens[i], st);
		bool untouched = true;
		for (uint32_t k = 0; k < lens[i]; k++)
			untouched &= b[k] == 0x5a;
		VPLAT_T_CHECK_MSG(t, 4, untouched, "no data transferred", "IN of %u bytes wrote data",
				  lens[i]);
		pattern(b, 4096, (uint32_t)i);
		VPLAT_T_CHECK(t, 5, blk_rq(t, vq, T_OUT, 8, b, lens[i], false, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 6, st == S_IOERR, "OUT of a non-multiple of 512: IOERR",
				  "OUT of %u bytes: status %u", lens[i], st);
	}
	VPLAT_T_CHECK_MSG(t, 7, area_intact(t, vq, 8, copy), "no data written", "the disk changed");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_rw_not_sector_multiple_ioerr, "VPLAT-BLK-022", "drivernormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "IN and OUT of 1, 100, 511, 513, 1000, 4095 bytes get IOERR and transfer nothing", not_sector_multiple);

static enum vplat_result beyond_capacity(struct vplat_test_ctx *t)
{
	BLK_NEED_RW(t, 16);
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t cap = blk_capacity(t);
	static uint8_t copy[8 * SECTOR];
	VPLAT_T_CHECK(t, 1, seed_area(t, vq, cap - 8, copy, 13) == S_OK);
	uint8_t *b = dmab(t, 4 * SECTOR);
	const struct {
		uint64_t sector;
		uint32_t len;
	} bad[] = {
		{cap - 1, 2 * SECTOR},   {cap - 3, 4 * SECTOR},  {cap, SECTOR},
		{cap + 1000, SECTOR},    {UINT64_MAX, SECTOR},   {UINT64_MAX >> 9, SECTOR},
		{(UINT64_MAX >> 9) - 1, 4 * SECTOR}, {UINT64_C(1) << 55, SECTOR},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t st;
		uint32_t used;
		memset(b, 0x5a, 4 * SECTOR);
		VPLAT_T_CHECK(t, 2, blk_rq(t, vq, T_IN, bad[i].sector, b, bad[i].len, true, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 3, st == S_IOERR, "IN past capacity: IOERR",
				  "IN sector 0x%llx len %u: status %u", (unsigned long long)bad[i].sector,
				  bad[i].len, st);
		bool untouched = true;
		for (uint32_t k = 0; k < bad[i].len; k++)
			untouched &= b[k] == 0x5a;
		VPLAT_T_CHECK_MSG(t, 4, untouched, "no data transferred",
				  "IN past capacity (case %zu) wrote data", i);
		pattern(b, 4 * SECTOR, (uint32_t)i + 50);
		VPLAT_T_CHECK(t, 5, blk_rq(t, vq, T_OUT, bad[i].sector, b, bad[i].len, false, &st, &used) == 0);
		VPLAT_T_CHECK_MSG(t, 6, st == S_IOERR, "OUT past capacity: IOERR",
				  "OUT sector 0x%llx len %u: status %u", (unsigned long long)bad[i].sector,
				  bad[i].len, st);
	}
	VPLAT_T_CHECK_MSG(t, 7, area_intact(t, vq, cap - 8, copy), "no data written",
			  "the last sectors changed after writes crossing capacity");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_beyond_capacity_ioerr, "VPLAT-BLK-023", "drivernormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "IN and OUT crossing or past capacity (incl. sector values that overflow x512) get IOERR; the last sectors stay intact", beyond_capacity);

static enum vplat_result size_max_exceeded(struct vplat_test_ctx *t)
{
	uint64_t off = blk_offer(t);
	if (!(off & BF(SIZE_MAX)))
		return vplat_t_skip(t, "SIZE_MAX not offered");
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, BF(SIZE_MAX), &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t size_max = cfg(t, BOFF(size_max), 4);
	uint64_t len = (size_max & ~(uint64_t)(SECTOR - 1)) + SECTOR;
	if (len > (2u << 20) || len > blk_capacity(t) * SECTOR)
		return vplat_t_skip(t, "size_max %llu: a longer segment needs more than 2 MiB or capacity",
				    (unsigned long long)size_max);
	uint8_t *b = dmab(t, (uint32_t)len);
	VPLAT_T_CHECK(t, 1, b != NULL);
	memset(b, 0x5a, (size_t)len);
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK(t, 2, blk_rq(t, vq, T_IN, 0, b, (uint32_t)len, true, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 3, st == S_IOERR, "IOERR for a segment longer than size_max",
			  "status %u for one %llu-byte segment (size_max %llu)", st,
			  (unsigned long long)len, (unsigned long long)size_max);
	bool untouched = true;
	for (uint64_t k = 0; k < len; k += 128)
		untouched &= b[k] == 0x5a;
	VPLAT_T_CHECK_MSG(t, 4, untouched, "no data transferred", "data was read into the buffer");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_size_max_exceeded_ioerr, "VPLAT-BLK-013", "sec:Device Types / Block Device / Feature bits", VPLAT_VIRTIO_ID_BLOCK, 0, "a read in one segment of size_max + 512 bytes gets IOERR and transfers nothing", size_max_exceeded);
