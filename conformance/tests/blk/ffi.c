/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device, freedom from interference seen by a driver (spec/20-interference.md 20.1):
 * the device never writes a device-readable buffer or past the end of a device-writable one
 * (VPLAT-FFI-002), and what it writes into a buffer of a failed request holds nothing left
 * over from an earlier request (VPLAT-FFI-003).
 */
#include <string.h>
#include "blk_test.h"

#define GUARD  64u
#define CANARY 0xc3u

static bool intact(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Does any 32-byte chunk of @p buf equal the same chunk of the earlier data @p old? */
static bool stale_chunk(const uint8_t *buf, const uint8_t *old, size_t n)
{
	for (size_t i = 0; i + 32 <= n; i += 32)
		if (!memcmp(buf + i, old + i, 32))
			return true;
	return false;
}

/* One request with a readable header and a guarded writable data buffer + status. */
static int guarded_rq(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type,
		      uint64_t sector, uint8_t *blk, uint32_t len, uint8_t *st)
{
	struct vplat_virtio_blk_req_hdr *h = dmab(t, sizeof(*h) + GUARD);
	if (!h)
		return VPLAT_ENOMEM;
	memset(h, CANARY, sizeof(*h) + GUARD);
	h->type = vplat_cpu_to_le32(type);
	h->reserved = 0;
	h->sector = vplat_cpu_to_le64(sector);
	struct vplat_virtio_blk_req_hdr copy = *h;
	memset(blk, CANARY, GUARD + len + 1 + GUARD);
	struct vplat_val_buf b[3] = {{.ptr = h, .len = sizeof(*h)},
				     {.ptr = blk + GUARD, .len = len},
				     {.ptr = blk + GUARD + len, .len = 1}};
	uint32_t used;
	int rc = xfer(t, vq, b, 1, 2, &used);
	*st = blk[GUARD + len];
	if (rc)
		return rc;
	if (memcmp(h, &copy, sizeof(copy)) || !intact((uint8_t *)h + sizeof(*h), GUARD, CANARY))
		return 1; /* wrote the readable header or next to it */
	if (!intact(blk, GUARD, CANARY) || !intact(blk + GUARD + len + 1, GUARD, CANARY))
		return 2; /* wrote outside the writable buffers */
	return 0;
}

static enum vplat_result no_stale_bytes(struct vplat_test_ctx *t)
{
	BLK_NEED_RW(t, 8);
	struct vplat_val_vq *vq;
	enum vplat_result r = bringup(t, 0, &vq, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	const uint32_t len = 2 * SECTOR;
	uint8_t *seed = dmab(t, len), *rd = dmab(t, len), *blk = dmab(t, GUARD + len + 1 + GUARD);
	if (!seed || !rd || !blk)
		return vplat_t_error(t, "out of DMA memory");
	/* Earlier traffic: a write and a read of the same data, so any device or host buffer that
	 * is reused holds it. */
	pattern(seed, len, 0x5e11);
	if (blk_write(t, vq, 2, seed, len) != S_OK || blk_read(t, vq, 2, rd, len) != S_OK)
		return vplat_t_error(t, "seeding sectors 2..3 failed");
	uint64_t cap = blk_capacity(t);
	uint8_t st;
	/* A read that crosses the end of the disk: it fails. */
	int rc = guarded_rq(t, vq, T_IN, cap - 1, blk, len, &st);
	VPLAT_T_CHECK_MSG(t, 1, rc == 0, "a failed read wrote only its writable buffers",
			  "rc %d (1: header or bytes after it changed, 2: bytes around the "
			  "writable buffers changed)", rc);
	VPLAT_T_CHECK_MSG(t, 2, st == S_IOERR, "the read across the end fails with IOERR",
			  "status %u", st);
	VPLAT_T_CHECK_MSG(t, 3, !stale_chunk(blk + GUARD, seed, len),
			  "its data buffer holds nothing of the earlier request",
			  "bytes of the earlier request's data were copied out");
	/* An unsupported request type with a writable data buffer. */
	rc = guarded_rq(t, vq, 0x7777, 2, blk, len, &st);
	VPLAT_T_CHECK_MSG(t, 4, rc == 0, "an unsupported request wrote only its writable buffers",
			  "rc %d", rc);
	VPLAT_T_CHECK_MSG(t, 5, st == S_UNSUPP, "it fails with UNSUPP", "status %u", st);
	VPLAT_T_CHECK_MSG(t, 6, !stale_chunk(blk + GUARD, seed, len),
			  "its data buffer holds nothing of the earlier request",
			  "bytes of the earlier request's data were copied out");
	/* A successful read of 1 sector into a 2-sector buffer: the guard after it intact. */
	rc = guarded_rq(t, vq, T_IN, 2, blk, SECTOR, &st);
	VPLAT_T_CHECK_MSG(t, 7, rc == 0 && st == S_OK && !memcmp(blk + GUARD, seed, SECTOR),
			  "a good read writes its data and nothing around it", "rc %d status %u",
			  rc, st);
	return VPLAT_PASS;
}
VPLAT_TEST(blk_ffi_no_stale_bytes, "VPLAT-FFI-002 VPLAT-FFI-003", "vplat", VPLAT_VIRTIO_ID_BLOCK, 0, "failed and unsupported requests: the device writes only the writable buffers and copies out nothing of an earlier request", no_stale_bytes);
