/* SPDX-License-Identifier: BSD-3-Clause */
/* Block device: features and configuration space (spec/11-block.md 11.1, 11.5). */
#include "blk_test.h"

#define WB BOFF(writeback)

static enum vplat_result features_profile(struct vplat_test_ctx *t)
{
	const uint64_t allowed = BF(SIZE_MAX) | BF(SEG_MAX) | BF(GEOMETRY) | BF(RO) | BF(BLK_SIZE) |
				 BF(FLUSH) | BF(TOPOLOGY) | BF(CONFIG_WCE) | BF(MQ) | BF(DISCARD) |
				 BF(WRITE_ZEROES) | BF(LIFETIME) | BF(SECURE_ERASE);
	uint64_t dev = blk_offer(t) & 0xffffffu; /* device-type bits 0..23 */
	VPLAT_T_CHECK_MSG(t, 1, !(dev & (BF(ZONED) | BF(BARRIER) | BF(SCSI))),
			  "ZONED, BARRIER and SCSI never offered", "offered 0x%llx",
			  (unsigned long long)(dev & (BF(ZONED) | BF(BARRIER) | BF(SCSI))));
	VPLAT_T_CHECK_MSG(t, 2, (dev & ~allowed) == 0, "only the bits of the chapter introduction",
			  "unlisted bits 0x%llx offered", (unsigned long long)(dev & ~allowed));
	return VPLAT_PASS;
}
VPLAT_TEST(blk_features_profile, "VPLAT-BLK-005", "devicenormative:Device Types / Block Device / Device Initialization", VPLAT_VIRTIO_ID_BLOCK, 0, "the device offers only the block feature bits vplat lists, never ZONED, BARRIER or SCSI", features_profile);

static enum vplat_result wce_needs_flush(struct vplat_test_ctx *t)
{
	uint64_t f = blk_offer(t);
	if (!(f & BF(CONFIG_WCE)))
		return vplat_t_skip(t, "CONFIG_WCE not offered");
	VPLAT_T_CHECK_MSG(t, 1, f & BF(FLUSH), "CONFIG_WCE comes with FLUSH",
			  "CONFIG_WCE offered without FLUSH (offer 0x%llx)", (unsigned long long)f);
	return VPLAT_PASS;
}
VPLAT_TEST(blk_wce_offered_with_flush, "VPLAT-BLK-002", "devicenormative:Device Types / Block Device / Device Initialization", VPLAT_VIRTIO_ID_BLOCK, 0, "a device offering CONFIG_WCE also offers FLUSH", wce_needs_flush);

/* Bytes 33 and 57..59 read as 0. Checkpoints cp, cp + 1. */
static enum vplat_result padding_zero(struct vplat_test_ctx *t, int cp, const char *when)
{
	uint64_t u0 = cfg(t, BOFF(unused0), 1);
	uint8_t u1[3] = {0xff, 0xff, 0xff};
	VPLAT_T_CHECK(t, cp, vplat_val_config_read_stable(t->d, BOFF(unused1), u1, 3, 1000) == 0);
	VPLAT_T_CHECK_MSG(t, cp + 1, u0 == 0 && !u1[0] && !u1[1] && !u1[2], "padding reads 0",
			  "%s: unused0 0x%llx, unused1 %02x %02x %02x", when,
			  (unsigned long long)u0, u1[0], u1[1], u1[2]);
	return VPLAT_PASS;
}

static enum vplat_result config_padding(struct vplat_test_ctx *t)
{
	enum vplat_result r = padding_zero(t, 1, "after reset");
	if (r != VPLAT_PASS)
		return r;
	/* Everything offered negotiated; the cache mode toggled where the driver may. */
	if ((r = bringup(t, blk_offer(t), NULL, 0, 0)) != VPLAT_PASS)
		return r;
	if ((r = padding_zero(t, 3, "after DRIVER_OK")) != VPLAT_PASS)
		return r;
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_BLK_F_CONFIG_WCE)) {
		vplat_val_config_write(t->d, WB, 1, 0);
		vplat_val_config_write(t->d, WB, 1, 1);
		if ((r = padding_zero(t, 5, "after writeback writes")) != VPLAT_PASS)
			return r;
	}
	/* Writes to the padding are not stored. */
	vplat_val_config_write(t->d, BOFF(unused0), 1, 0xa5);
	return padding_zero(t, 7, "after a driver write of 0xa5 to unused0");
}
VPLAT_TEST(blk_config_padding_zero, "VPLAT-BLK-004", "devicenormative:Device Types / Block Device / Device Initialization", VPLAT_VIRTIO_ID_BLOCK, 0, "unused0 (33) and unused1 (57..59) read 0 after reset, after DRIVER_OK and after config writes", config_padding);

static enum vplat_result wce_without_flush(struct vplat_test_ctx *t)
{
	if (!(blk_offer(t) & BF(CONFIG_WCE)))
		return vplat_t_skip(t, "CONFIG_WCE not offered");
	uint64_t f = BF(CONFIG_WCE) | F(VERSION_1);
	int rc = vplat_val_negotiate(t->d, f);
	if (rc == VPLAT_EPROTO)
		return vplat_t_skip(t, "the device refuses CONFIG_WCE without FLUSH at FEATURES_OK");
	VPLAT_T_CHECK(t, 1, rc == 0);
	uint64_t wb = cfg(t, WB, 1);
	VPLAT_T_CHECK_MSG(t, 2, wb == 0, "writeback reads 0 (writethrough) once FEATURES_OK is set",
			  "writeback = %llu", (unsigned long long)wb);
	return VPLAT_PASS;
}
VPLAT_TEST(blk_wce_without_flush_writethrough, "VPLAT-BLK-003", "devicenormative:Device Types / Block Device / Device Initialization", VPLAT_VIRTIO_ID_BLOCK, 0, "CONFIG_WCE accepted without FLUSH: writeback reads 0 after FEATURES_OK", wce_without_flush);

static enum vplat_result writeback_modes(struct vplat_test_ctx *t)
{
	uint64_t off = blk_offer(t);
	if (!(off & BF(CONFIG_WCE)))
		return vplat_t_skip(t, "CONFIG_WCE not offered");
	/* A write before FEATURES_OK (status 0) is ignored. */
	enum vplat_result r = bringup(t, BF(FLUSH) | BF(CONFIG_WCE), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t initial = cfg(t, WB, 1);
	VPLAT_T_CHECK_MSG(t, 1, initial <= 1, "writeback is 0 or 1", "writeback = %llu",
			  (unsigned long long)initial);
	VPLAT_T_CHECK(t, 2, vplat_val_reset(t->d) == 0);
	vplat_val_config_write(t->d, WB, 1, initial ^ 1);
	if ((r = bringup(t, BF(FLUSH) | BF(CONFIG_WCE), NULL, 0, 0)) != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_MSG(t, 3, cfg(t, WB, 1) == initial, "a write before FEATURES_OK is ignored",
			  "writeback changed from %llu", (unsigned long long)initial);
	/* With CONFIG_WCE: 0 selects writethrough, 1 writeback, other values are ignored. */
	vplat_val_config_write(t->d, WB, 1, 0);
	VPLAT_T_CHECK_EQ(t, 4, cfg(t, WB, 1), 0, "writeback reads the mode written (0)");
	vplat_val_config_write(t->d, WB, 1, 1);
	VPLAT_T_CHECK_EQ(t, 5, cfg(t, WB, 1), 1, "writeback reads the mode written (1)");
	vplat_val_config_write(t->d, WB, 1, 2);
	VPLAT_T_CHECK_EQ(t, 6, cfg(t, WB, 1), 1, "a write of 2 is ignored");
	vplat_val_config_write(t->d, WB, 1, 0);
	vplat_val_config_write(t->d, WB, 1, 0xff);
	VPLAT_T_CHECK_EQ(t, 7, cfg(t, WB, 1), 0, "a write of 0xff is ignored");
	/* Without CONFIG_WCE negotiated, writes are ignored. */
	if ((r = bringup(t, BF(FLUSH), NULL, 0, 0)) != VPLAT_PASS)
		return r;
	uint64_t mode = cfg(t, WB, 1);
	vplat_val_config_write(t->d, WB, 1, mode ^ 1);
	VPLAT_T_CHECK_MSG(t, 8, cfg(t, WB, 1) == mode, "ignored without CONFIG_WCE negotiated",
			  "writeback changed from %llu", (unsigned long long)mode);
	return VPLAT_PASS;
}
VPLAT_TEST(blk_writeback_modes, "VPLAT-BLK-037", "sec:Device Types / Block Device / Device Initialization", VPLAT_VIRTIO_ID_BLOCK, 0, "writeback follows driver writes of 0 and 1 under CONFIG_WCE, ignores 2, 0xff, writes before FEATURES_OK and without CONFIG_WCE", writeback_modes);

static enum vplat_result capacity_backed(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t cap = blk_capacity(t);
	if (cap == 0)
		return vplat_t_skip(t, "capacity 0");
	uint8_t *a = dmab(t, SECTOR), *b = dmab(t, SECTOR);
	VPLAT_T_CHECK(t, 1, a && b);
	VPLAT_T_CHECK_MSG(t, 2, blk_read(t, vq, cap - 1, a, SECTOR) == S_OK,
			  "the last sector (capacity - 1) is backed and readable",
			  "reading sector %llu failed", (unsigned long long)(cap - 1));
	if (blk_offer(t) & BF(RO))
		return VPLAT_PASS;
	pattern(a, SECTOR, 6);
	VPLAT_T_CHECK(t, 3, blk_write(t, vq, cap - 1, a, SECTOR) == S_OK);
	VPLAT_T_CHECK(t, 4, blk_read(t, vq, cap - 1, b, SECTOR) == S_OK);
	VPLAT_T_CHECK_MSG(t, 5, memcmp(a, b, SECTOR) == 0, "the last sector keeps what was written",
			  "read back differs");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_capacity_backed, "VPLAT-BLK-006", "sec:Device Types / Block Device / Device configuration layout", VPLAT_VIRTIO_ID_BLOCK, 0, "the last sector below capacity is backed: readable, and on a writable device it keeps what is written", capacity_backed);

static enum vplat_result layout_fields(struct vplat_test_ctx *t)
{
	uint64_t f = blk_offer(t);
	unsigned checked = 0;
	if (f & BF(BLK_SIZE)) {
		uint64_t bs = cfg(t, BOFF(blk_size), 4);
		VPLAT_T_CHECK_MSG(t, 1, bs >= 512 && (bs & (bs - 1)) == 0,
				  "blk_size a power of two >= 512", "blk_size %llu",
				  (unsigned long long)bs);
		checked++;
	}
	if (f & BF(TOPOLOGY)) {
		uint64_t exp = cfg(t, BOFF(topology.physical_block_exp), 1);
		uint64_t ao = cfg(t, BOFF(topology.alignment_offset), 1);
		uint64_t min = cfg(t, BOFF(topology.min_io_size), 2);
		VPLAT_T_CHECK_MSG(t, 2, exp < 32 && ao < (UINT64_C(1) << exp),
				  "alignment_offset < 2^physical_block_exp",
				  "alignment_offset %llu, physical_block_exp %llu",
				  (unsigned long long)ao, (unsigned long long)exp);
		VPLAT_T_CHECK_MSG(t, 3, min >= 1, "min_io_size >= 1", "min_io_size 0");
		checked++;
	}
	if (f & BF(GEOMETRY)) {
		uint64_t c = cfg(t, BOFF(geometry.cylinders), 2);
		uint64_t h = cfg(t, BOFF(geometry.heads), 1);
		uint64_t s = cfg(t, BOFF(geometry.sectors), 1);
		uint64_t cap = blk_capacity(t);
		VPLAT_T_CHECK_MSG(t, 4, h && s, "heads and sectors non-zero", "heads %llu sectors %llu",
				  (unsigned long long)h, (unsigned long long)s);
		VPLAT_T_CHECK_MSG(t, 5, c * h * s <= cap, "cylinders x heads x sectors <= capacity",
				  "%llu x %llu x %llu > %llu", (unsigned long long)c,
				  (unsigned long long)h, (unsigned long long)s, (unsigned long long)cap);
		checked++;
	}
	if (!checked)
		return vplat_t_skip(t, "none of BLK_SIZE, TOPOLOGY, GEOMETRY offered");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_layout_fields, "VPLAT-BLK-009 VPLAT-BLK-010 VPLAT-BLK-011", "sec:Device Types / Block Device / Device configuration layout", VPLAT_VIRTIO_ID_BLOCK, 0, "blk_size, topology and geometry hold values in range when their features are offered", layout_fields);

static enum vplat_result limits_served(struct vplat_test_ctx *t)
{
	uint64_t f = blk_offer(t);
	if (!(f & (BF(SIZE_MAX) | BF(SEG_MAX))))
		return vplat_t_skip(t, "neither SIZE_MAX nor SEG_MAX offered");
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, BF(SIZE_MAX) | BF(SEG_MAX), &vq, 0, 128);
	if (r != VPLAT_PASS)
		return r;
	uint64_t cap = blk_capacity(t);
	uint64_t size_max = cfg(t, BOFF(size_max), 4), seg_max = cfg(t, BOFF(seg_max), 4);
	if (f & BF(SIZE_MAX))
		VPLAT_T_CHECK_MSG(t, 1, size_max != 0, "size_max non-zero", "size_max 0");
	if (f & BF(SEG_MAX))
		VPLAT_T_CHECK_MSG(t, 2, seg_max != 0, "seg_max non-zero", "seg_max 0");
	/* As many 512-byte segments as seg_max allows (and the ring holds). */
	uint32_t nseg = (f & BF(SEG_MAX)) ? (uint32_t)(seg_max < 64 ? seg_max : 64) : 8;
	if (nseg > vq->size - 2u)
		nseg = vq->size - 2u;
	if (cap < nseg)
		return vplat_t_skip(t, "capacity below %u sectors", nseg);
	void *seg[64];
	uint32_t len[64];
	for (uint32_t i = 0; i < nseg; i++) {
		seg[i] = dmab(t, SECTOR);
		len[i] = SECTOR;
		VPLAT_T_CHECK(t, 3, seg[i] != NULL);
	}
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK(t, 4, blk_rqv(t, vq, T_IN, 0, 0, seg, len, nseg, true, &st, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 5, st == S_OK, "a read of seg_max segments is served",
			  "status %u for %u segments", st, nseg);
	/* One segment of size_max bytes (rounded down to sectors, within capacity, <= 1 MiB). */
	uint64_t big = (f & BF(SIZE_MAX)) ? size_max & ~(uint64_t)(SECTOR - 1) : 65536;
	if (big > (1u << 20))
		big = 1u << 20;
	if (big > cap * SECTOR)
		big = cap * SECTOR;
	if (big >= SECTOR) {
		void *b = dmab(t, (uint32_t)big);
		VPLAT_T_CHECK(t, 6, b != NULL);
		VPLAT_T_CHECK_MSG(t, 7, blk_read(t, vq, 0, b, (uint32_t)big) == S_OK,
				  "a read in one segment of size_max bytes is served",
				  "read of %llu bytes failed", (unsigned long long)big);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(blk_size_seg_max_served, "VPLAT-BLK-012", "sec:Device Types / Block Device / Feature bits", VPLAT_VIRTIO_ID_BLOCK, 0, "size_max and seg_max are non-zero, and a read with seg_max segments or one size_max segment is served", limits_served);

static enum vplat_result mq_queues(struct vplat_test_ctx *t)
{
	if (!(blk_offer(t) & BF(MQ)))
		return vplat_t_skip(t, "MQ not offered");
	uint64_t n = cfg(t, BOFF(num_queues), 2);
	VPLAT_T_CHECK_MSG(t, 1, n >= 1 && n <= 65535, "num_queues 1..65535", "num_queues %llu",
			  (unsigned long long)n);
	if (n > 8)
		n = 8; /* vplat_t_vq() holds 8 queues; the count is checked below for all */
	enum vplat_result r = bringup(t, BF(MQ), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t all = cfg(t, BOFF(num_queues), 2);
	for (uint64_t q = 0; q < all && q < 1024; q++)
		VPLAT_T_CHECK_MSG(t, 2, vplat_val_queue_max(t->d, (uint16_t)q) > 0,
				  "every request queue below num_queues exists",
				  "queue %llu of %llu missing", (unsigned long long)q,
				  (unsigned long long)all);
	if (all < 1024)
		VPLAT_T_CHECK_MSG(t, 3, vplat_val_queue_max(t->d, (uint16_t)all) == 0,
				  "no queue beyond num_queues", "queue %llu exists",
				  (unsigned long long)all);
	/* Each queue serves requests. */
	VPLAT_T_CHECK(t, 4, vplat_val_reset(t->d) == 0);
	VPLAT_T_CHECK(t, 5, vplat_val_negotiate(t->d, BF(MQ) | F(VERSION_1)) == 0);
	struct vplat_val_vq *vq[8];
	for (uint64_t q = 0; q < n; q++) {
		vq[q] = vplat_t_vq(t);
		VPLAT_T_CHECK(t, 6, vq[q] && vplat_val_vq_setup(t->d, vq[q], (uint16_t)q, 8) == 0);
	}
	VPLAT_T_CHECK(t, 7, vplat_val_driver_ok(t->d) == 0);
	uint8_t *id = dmab(t, 20);
	for (uint64_t q = 0; q < n; q++) {
		uint8_t st;
		uint32_t used;
		VPLAT_T_CHECK_MSG(t, 8, blk_rq(t, vq[q], T_GET_ID, 0, id, 20, true, &st, &used) == 0 &&
					   st == S_OK,
				  "every request queue serves requests", "requestq%llu: no OK GET_ID",
				  (unsigned long long)q + 1);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(blk_mq_num_queues, "VPLAT-BLK-014", "sec:Device Types / Block Device / Virtqueues", VPLAT_VIRTIO_ID_BLOCK, 0, "with MQ, num_queues is 1..65535, exactly that many queues exist and each serves requests", mq_queues);

static enum vplat_result mq_not_negotiated(struct vplat_test_ctx *t)
{
	if (vplat_val_queue_max(t->d, 1) == 0)
		return vplat_t_skip(t, "the transport exposes one request queue only");
	enum vplat_result r = bringup(t, 0, NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK(t, 1, vplat_val_reset(t->d) == 0);
	VPLAT_T_CHECK(t, 2, vplat_val_negotiate(t->d, F(VERSION_1)) == 0);
	struct vplat_val_vq *q0 = vplat_t_vq(t), *q1 = vplat_t_vq(t);
	VPLAT_T_CHECK(t, 3, q0 && q1 && vplat_val_vq_setup(t->d, q0, 0, 8) == 0);
	if (vplat_val_vq_setup(t->d, q1, 1, 8) != 0)
		return VPLAT_PASS; /* the device does not even let queue 1 be enabled */
	VPLAT_T_CHECK(t, 4, vplat_val_driver_ok(t->d) == 0);
	struct vplat_virtio_blk_req_hdr *h = dmab(t, sizeof(*h));
	uint8_t *id = dmab(t, 21);
	h->type = vplat_cpu_to_le32(T_GET_ID);
	struct vplat_val_buf b[3] = {
		{.ptr = h, .len = 16}, {.ptr = id, .len = 20}, {.ptr = id + 20, .len = 1}};
	VPLAT_T_CHECK(t, 5, vplat_val_vq_add(q1, b, 1, 2, h) == 0);
	vplat_val_vq_kick(q1);
	VPLAT_T_CHECK_MSG(t, 6, quiet_for(t, q1, 100, NULL), "requestq2 is not served without MQ",
			  "a request on requestq2 completed although MQ was not negotiated");
	uint8_t st;
	uint32_t used;
	VPLAT_T_CHECK_MSG(t, 7, blk_rq(t, q0, T_GET_ID, 0, id, 20, true, &st, &used) == 0 && st == S_OK,
			  "requestq1 serves requests", "no OK GET_ID on requestq1");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_mq_not_negotiated_q1_only, "VPLAT-BLK-014", "sec:Device Types / Block Device / Virtqueues", VPLAT_VIRTIO_ID_BLOCK, 0, "without MQ negotiated a request on requestq2 is not served; requestq1 is", mq_not_negotiated);

static enum vplat_result range_fields(struct vplat_test_ctx *t)
{
	uint64_t f = blk_offer(t);
	if (!(f & (BF(DISCARD) | BF(WRITE_ZEROES) | BF(SECURE_ERASE))))
		return vplat_t_skip(t, "no range command offered");
	if (f & BF(DISCARD)) {
		VPLAT_T_CHECK_MSG(t, 1, cfg(t, BOFF(max_discard_sectors), 4) != 0 &&
					   cfg(t, BOFF(max_discard_seg), 4) != 0 &&
					   cfg(t, BOFF(discard_sector_alignment), 4) != 0,
				  "max_discard_sectors, max_discard_seg, discard_sector_alignment non-zero",
				  "one of them is 0");
	}
	if (f & BF(WRITE_ZEROES)) {
		VPLAT_T_CHECK_MSG(t, 2, cfg(t, BOFF(max_write_zeroes_sectors), 4) != 0 &&
					   cfg(t, BOFF(max_write_zeroes_seg), 4) != 0,
				  "max_write_zeroes_sectors, max_write_zeroes_seg non-zero",
				  "one of them is 0");
		uint64_t mu = cfg(t, BOFF(write_zeroes_may_unmap), 1);
		VPLAT_T_CHECK_MSG(t, 3, mu <= 1, "write_zeroes_may_unmap 0 or 1",
				  "write_zeroes_may_unmap %llu", (unsigned long long)mu);
	}
	if (f & BF(SECURE_ERASE)) {
		VPLAT_T_CHECK_MSG(t, 4, cfg(t, BOFF(max_secure_erase_sectors), 4) != 0 &&
					   cfg(t, BOFF(max_secure_erase_seg), 4) != 0 &&
					   cfg(t, BOFF(secure_erase_sector_alignment), 4) != 0,
				  "max_secure_erase_sectors, _seg, secure_erase_sector_alignment non-zero",
				  "one of them is 0");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(blk_range_limits_nonzero, "VPLAT-BLK-045", "devicenormative:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, 0, "the max_*_sectors, max_*_seg and alignment fields of offered range commands are non-zero", range_fields);
