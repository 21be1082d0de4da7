/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device, hostile driver: chains with no room for the header or the status byte, and
 * data in the wrong direction (spec/11-block.md 11.2). The device must answer as the chapter
 * says and stay usable.
 */
#include "blk_test.h"

#define S_NR VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

enum frame {
	SHORT_HEADER,   /* 8 readable bytes, then a status byte */
	HEADER_SPLIT_SHORT, /* 4 + 4 + 4 readable bytes (12 < 16), then a status byte */
	NO_WRITABLE,    /* a full IN header and 512 readable bytes, nothing writable */
	EMPTY_STATUS,   /* a GET_ID header, then a 0-byte writable descriptor */
};

static enum vplat_result unframed(struct vplat_test_ctx *t, enum frame f)
{
	struct vplat_val_vq *vq;
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	enum vplat_result r = bringup(t, 0, &vq, 0, 8);
	if (r != VPLAT_PASS)
		return r;
	struct vplat_virtio_blk_req_hdr *h = dmab(t, 16);
	uint8_t *d = dmab(t, 512), *s = dmab(t, 1);
	VPLAT_T_CHECK(t, 1, h && d && s);
	h->type = vplat_cpu_to_le32(f == EMPTY_STATUS ? T_GET_ID : T_IN);
	*s = BLK_NO_STATUS;
	struct vplat_val_buf b[4];
	unsigned no = 0, ni = 0;
	switch (f) {
	case SHORT_HEADER:
		b[0] = (struct vplat_val_buf){.ptr = h, .len = 8};
		b[1] = (struct vplat_val_buf){.ptr = s, .len = 1};
		no = 1, ni = 1;
		break;
	case HEADER_SPLIT_SHORT:
		for (unsigned i = 0; i < 3; i++)
			b[i] = (struct vplat_val_buf){.ptr = (uint8_t *)h + 4 * i, .len = 4};
		b[3] = (struct vplat_val_buf){.ptr = s, .len = 1};
		no = 3, ni = 1;
		break;
	case NO_WRITABLE:
		b[0] = (struct vplat_val_buf){.ptr = h, .len = 16};
		b[1] = (struct vplat_val_buf){.ptr = d, .len = 512};
		no = 2;
		break;
	case EMPTY_STATUS:
		b[0] = (struct vplat_val_buf){.ptr = h, .len = 16};
		b[1] = (struct vplat_val_buf){.ptr = s, .len = 0};
		no = 1, ni = 1;
		break;
	}
	VPLAT_T_CHECK(t, 2, vplat_val_vq_add(vq, b, no, ni, h) == 0);
	vplat_val_vq_kick(vq);
	wait_status(t, S_NR, 500); /* the device may or may not return the chain */
	uint8_t st = status(t);
	VPLAT_T_CHECK_MSG(t, 3, st & S_NR, "DEVICE_NEEDS_RESET (the request cannot be answered)",
			  "status 0x%x after an unframed chain (case %d)", st, (int)f);
	VPLAT_T_CHECK_MSG(t, 4, *s == BLK_NO_STATUS || f == SHORT_HEADER || f == HEADER_SPLIT_SHORT,
			  "the request is not executed", "a status byte was written");
	/* A reset recovers the device. */
	VPLAT_T_CHECK(t, 5, vplat_val_reset(t->d) == 0);
	release_queues(t);
	vplat_val_mem_release(t->d->mem, mark);
	if ((r = bringup(t, 0, &vq, 0, 8)) != VPLAT_PASS)
		return r;
	uint8_t *id = dmab(t, 20), rs;
	uint32_t used;
	VPLAT_T_CHECK_MSG(t, 6, blk_rq(t, vq, T_GET_ID, 0, id, 20, true, &rs, &used) == 0 && rs == S_OK,
			  "requests work after the reset", "GET_ID after reset failed");
	return VPLAT_PASS;
}

static enum vplat_result x_short_header(struct vplat_test_ctx *t) { return unframed(t, SHORT_HEADER); }
static enum vplat_result x_split_short(struct vplat_test_ctx *t)
{
	return unframed(t, HEADER_SPLIT_SHORT);
}
static enum vplat_result x_no_writable(struct vplat_test_ctx *t) { return unframed(t, NO_WRITABLE); }
static enum vplat_result x_empty_status(struct vplat_test_ctx *t) { return unframed(t, EMPTY_STATUS); }

VPLAT_TEST(blk_exer_short_header_needs_reset, "VPLAT-BLK-015", "vplat", VPLAT_VIRTIO_ID_BLOCK, VPLAT_TF_EXERCISER, "an 8-byte header: DEVICE_NEEDS_RESET, and a reset recovers the device", x_short_header);
VPLAT_TEST(blk_exer_split_short_header_needs_reset, "VPLAT-BLK-015", "vplat", VPLAT_VIRTIO_ID_BLOCK, VPLAT_TF_EXERCISER, "a header of 3 x 4 readable bytes (12 < 16): DEVICE_NEEDS_RESET, reset recovers", x_split_short);
VPLAT_TEST(blk_exer_no_status_needs_reset, "VPLAT-BLK-015", "vplat", VPLAT_VIRTIO_ID_BLOCK, VPLAT_TF_EXERCISER, "an IN chain with no device-writable byte: not executed, DEVICE_NEEDS_RESET, reset recovers", x_no_writable);
VPLAT_TEST(blk_exer_empty_status_needs_reset, "VPLAT-BLK-015", "vplat", VPLAT_VIRTIO_ID_BLOCK, VPLAT_TF_EXERCISER, "a 0-byte writable status descriptor: not executed, DEVICE_NEEDS_RESET, reset recovers", x_empty_status);

/* Post a header, @p no readable and @p ni writable buffers, and a status byte; return it. */
static uint8_t dir_case(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type, uint64_t sector,
			const struct vplat_val_buf *data, unsigned no, unsigned ni, uint32_t *used)
{
	struct vplat_val_buf b[6];
	struct vplat_virtio_blk_req_hdr *h = dmab(t, 16);
	uint8_t *s = dmab(t, 1);
	if (!h || !s)
		return 0xff;
	h->type = vplat_cpu_to_le32(type);
	h->sector = vplat_cpu_to_le64(sector);
	*s = BLK_NO_STATUS;
	b[0] = (struct vplat_val_buf){.ptr = h, .len = 16};
	for (unsigned i = 0; i < no + ni; i++)
		b[1 + i] = data[i];
	b[1 + no + ni] = (struct vplat_val_buf){.ptr = s, .len = 1};
	if (xfer(t, vq, b, 1 + no, ni + 1, used) != 0)
		return 0xff;
	return *s;
}

static enum vplat_result wrong_direction(struct vplat_test_ctx *t)
{
	uint64_t off = blk_offer(t);
	bool rw = !(off & BF(RO)) && blk_capacity(t) >= 16;
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, off & (BF(DISCARD) | BF(WRITE_ZEROES) | BF(SECURE_ERASE) |
						BF(LIFETIME)), &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *before = dmab(t, 8 * SECTOR), *after = dmab(t, 8 * SECTOR);
	uint8_t *rd = dmab(t, SECTOR), *wr = dmab(t, SECTOR);
	VPLAT_T_CHECK(t, 1, before && after && rd && wr);
	if (rw) {
		pattern(before, 8 * SECTOR, 0xd1);
		VPLAT_T_CHECK(t, 2, blk_write(t, vq, 8, before, 8 * SECTOR) == S_OK);
	} else {
		VPLAT_T_CHECK(t, 2, blk_read(t, vq, 8, before, 8 * SECTOR) == S_OK);
	}
	uint32_t used;
	uint8_t st;
	/* IN with its data device-readable (plus a writable sector so lengths add up). */
	pattern(rd, SECTOR, 1);
	memset(wr, 0x5a, SECTOR);
	struct vplat_val_buf in_rd[2] = {{.ptr = rd, .len = SECTOR}, {.ptr = wr, .len = SECTOR}};
	st = dir_case(t, vq, T_IN, 8, in_rd, 1, 1, &used);
	VPLAT_T_CHECK_MSG(t, 3, st == S_IOERR, "IN with readable data: IOERR", "status %u", st);
	VPLAT_T_CHECK_MSG(t, 4, wr[0] == 0x5a && wr[511] == 0x5a, "no data transferred",
			  "IN with readable data wrote data");
	/* OUT with its data device-writable. */
	memset(wr, 0x5a, SECTOR);
	struct vplat_val_buf out_wr[1] = {{.ptr = wr, .len = SECTOR}};
	st = dir_case(t, vq, T_OUT, 8, out_wr, 0, 1, &used);
	VPLAT_T_CHECK_MSG(t, 5, st == S_IOERR, "OUT with writable data: IOERR", "status %u", st);
	/* OUT with readable data followed by an extra writable sector. */
	pattern(rd, SECTOR, 2);
	st = dir_case(t, vq, T_OUT, 8, in_rd, 1, 1, &used);
	VPLAT_T_CHECK_MSG(t, 6, st == S_IOERR, "OUT with writable bytes besides the status: IOERR",
			  "status %u", st);
	/* GET_ID with a readable data part before its writable one. */
	uint8_t *idr = dmab(t, 20), *idw = dmab(t, 20);
	memset(idw, 0x5a, 20);
	struct vplat_val_buf id_rd[2] = {{.ptr = idr, .len = 20}, {.ptr = idw, .len = 20}};
	st = dir_case(t, vq, T_GET_ID, 0, id_rd, 1, 1, &used);
	VPLAT_T_CHECK_MSG(t, 7, st == S_IOERR, "GET_ID with readable data: IOERR", "status %u", st);
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_BLK_F_LIFETIME)) {
		struct vplat_val_buf lt_rd[2] = {{.ptr = idr, .len = 6}, {.ptr = idw, .len = 6}};
		st = dir_case(t, vq, T_LIFE, 0, lt_rd, 1, 1, &used);
		VPLAT_T_CHECK_MSG(t, 8, st == S_IOERR, "GET_LIFETIME with readable data: IOERR",
				  "status %u", st);
	}
	/* Range commands with a writable data part besides the status. */
	static const uint32_t rtypes[] = {T_DISCARD, T_WZ, T_SE};
	static const unsigned rbits[] = {VPLAT_VIRTIO_BLK_F_DISCARD, VPLAT_VIRTIO_BLK_F_WRITE_ZEROES,
					 VPLAT_VIRTIO_BLK_F_SECURE_ERASE};
	struct vplat_virtio_blk_discard_write_zeroes *seg = dmab(t, 16);
	seg->sector = vplat_cpu_to_le64(8);
	seg->num_sectors = vplat_cpu_to_le32(8);
	for (unsigned i = 0; i < 3; i++) {
		if (!vplat_val_has_feature(t->d, rbits[i]))
			continue;
		struct vplat_val_buf rg[2] = {{.ptr = seg, .len = 16}, {.ptr = wr, .len = 16}};
		st = dir_case(t, vq, rtypes[i], 0, rg, 1, 1, &used);
		VPLAT_T_CHECK_MSG(t, 9, st == S_IOERR, "range command with writable data: IOERR",
				  "type %u: status %u", rtypes[i], st);
	}
	VPLAT_T_CHECK(t, 10, blk_read(t, vq, 8, after, 8 * SECTOR) == S_OK);
	VPLAT_T_CHECK_MSG(t, 11, memcmp(before, after, 8 * SECTOR) == 0, "no effect on the disk",
			  "sectors 8..15 changed");
	return VPLAT_PASS;
}
VPLAT_TEST(blk_exer_wrong_direction_ioerr, "VPLAT-BLK-024", "sec:Device Types / Block Device / Device Operation", VPLAT_VIRTIO_ID_BLOCK, VPLAT_TF_EXERCISER, "IN/GET_ID/GET_LIFETIME with readable data, OUT/range commands with writable data: IOERR, disk unchanged", wrong_direction);
