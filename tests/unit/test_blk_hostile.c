/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device against a hostile or careless driver: broken rings, over-long chains, resets
 * with requests still in the host end, and a long random mix of valid and invalid requests
 * checked against a shadow disk. Loopback, virtio-mmio (_i bit 0 = 0) / virtio-pci (bit 0 = 1),
 * split (bit 1 = 0) / packed (bit 1 = 1).
 */
#include <stdlib.h>
#include <string.h>
#include "blkdrv.h"
#include "testutil.h"
#include "vplat/blk.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define SECTORS 256u
#define NREQ 16u

struct rig {
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[NREQ];
	struct vplat_blk_mem disk;
	uint8_t data[SECTORS * 512];
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	int variant;
};

static void start(struct rig *r)
{
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) |
			VPLAT_BIT(VPLAT_VIRTIO_BLK_F_DISCARD) |
			VPLAT_BIT(VPLAT_VIRTIO_BLK_F_WRITE_ZEROES);
	if (r->variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, 128), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static struct rig *rig_up(int variant)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->variant = variant;
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 4u << 20), 0);
	r->disk.data = r->data;
	r->disk.size = sizeof(r->data);
	struct vplat_blk_config c = {.capacity = SECTORS, .writeback = true, .discard = true,
				     .write_zeroes = true, .max_discard_sectors = 64};
	ck_assert_int_eq(vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), &c, &vplat_blk_host_mem,
					&r->disk, r->reqs, NREQ),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	start(r);
	return r;
}

static void rig_down(struct rig *r)
{
	vplat_val_vq_fini(&r->vq);
	vplat_loopback_fini(&r->lb);
	free(r);
}

static void *dma(struct rig *r, uint32_t len)
{
	return blkdrv_dma(&r->lb, len, 8);
}

static uint8_t *post(struct rig *r, uint32_t type, uint64_t sector, void *out, uint32_t outlen,
		     void *in, uint32_t inlen, void *token)
{
	return blkdrv_post(&r->lb, &r->vq, 8, type, sector, out, outlen, in, inlen, token);
}

/* All request slots usable: NREQ reads in flight at once on an asynchronous host end. */
static void all_slots_work(struct rig *r)
{
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
	r->disk.async = true;
	uint8_t *st[NREQ];
	for (unsigned i = 0; i < NREQ; i++)
		st[i] = post(r, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, dma(r, 512), 512, (void *)1);
	ck_assert_uint_eq(r->disk.nqueued, NREQ);
	vplat_blk_mem_run(&r->disk, NREQ);
	void *tok;
	for (unsigned i = 0; i < NREQ; i++) {
		ck_assert_uint_eq(*st[i], VPLAT_VIRTIO_BLK_S_OK);
		ck_assert_int_eq(vplat_val_vq_get_used(&r->vq, &tok, NULL), 0);
	}
	r->disk.async = false;
	vplat_val_mem_release(vplat_loopback_dma(&r->lb), mark);
}

START_TEST(broken_ring_needs_reset_then_recovers)
{
	/* A descriptor outside guest memory is ring-level breakage: DEVICE_NEEDS_RESET, no
	 * request slot leaked; after a reset the device serves a full queue depth again. */
	struct rig *r = rig_up(_i);
	ck_assert_int_eq(vplat_val_vq_raw_desc(&r->vq, 0, 0x1000, 16, 0, 0), 0);
	if (r->variant & 2)
		ck_assert_int_eq(vplat_val_vq_raw_make_avail(&r->vq, 1), 0);
	else
		ck_assert_int_eq(vplat_val_vq_raw_avail(&r->vq, 0), 0);
	vplat_val_queue_notify(&r->d, 0, 0);
	ck_assert(vplat_val_get_status(&r->d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	vplat_val_vq_fini(&r->vq);
	start(r);
	all_slots_work(r);
	rig_down(r);
}
END_TEST

START_TEST(reset_with_requests_in_host_end)
{
	/* Requests still in the host end when the driver resets: their late completions are
	 * dropped (never pushed to the new ring) and their slots come back. */
	struct rig *r = rig_up(_i);
	r->disk.async = true;
	for (unsigned i = 0; i < 6; i++)
		post(r, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, dma(r, 512), 512, (void *)1);
	ck_assert_uint_eq(r->disk.nqueued, 6);
	vplat_val_vq_fini(&r->vq);
	start(r); /* resets the device */
	vplat_blk_mem_run(&r->disk, 6);
	void *tok;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->vq, &tok, NULL), VPLAT_EAGAIN);
	all_slots_work(r);
	rig_down(r);
}
END_TEST

START_TEST(overlong_chain_returned_empty)
{
	/* More segments than seg_max + 2: no status byte can be found; the chain is returned
	 * with length 0 and counted, the device stays live. */
	struct rig *r = rig_up(_i);
	uint32_t nseg = VPLAT_BLK_SEGS + 6;
	struct vplat_val_buf *b = calloc(nseg, sizeof(*b));
	struct vplat_virtio_blk_req_hdr *h = dma(r, 16);
	h->type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_IN);
	b[0] = (struct vplat_val_buf){.ptr = h, .len = 16};
	for (uint32_t i = 1; i < nseg - 1; i++)
		b[i] = (struct vplat_val_buf){.ptr = dma(r, 512), .len = 512};
	uint8_t *st = dma(r, 1);
	*st = 0xee;
	b[nseg - 1] = (struct vplat_val_buf){.ptr = st, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq, b, 1, nseg - 1, (void *)5), 0);
	vplat_val_vq_kick(&r->vq);
	void *tok;
	uint32_t len = 99;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->vq, &tok, &len), 0);
	ck_assert_uint_eq(len, 0);
	/* VPLAT-BLK-013: no data moved, and the status byte at the chain's end says IOERR. */
	ck_assert_uint_eq(*st, VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(vplat_blk_stats(&r->blk)->malformed, 1);
	ck_assert(!(vplat_val_get_status(&r->d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	free(b);
	all_slots_work(r);
	rig_down(r);
}
END_TEST

START_TEST(header_in_single_bytes)
{
	/* The 16-byte header in 16 one-byte descriptors, data in 8 uneven pieces. */
	struct rig *r = rig_up(_i);
	memset(r->data + 512 * 7, 0x6b, 1024);
	struct vplat_virtio_blk_req_hdr hdr = {.type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_IN),
					       .sector = vplat_cpu_to_le64(7)};
	struct vplat_val_buf b[26];
	uint8_t *hb = dma(r, 16);
	memcpy(hb, &hdr, 16);
	for (int i = 0; i < 16; i++)
		b[i] = (struct vplat_val_buf){.ptr = hb + i, .len = 1};
	uint8_t *data = dma(r, 1024);
	static const uint32_t cut[9] = {0, 1, 100, 511, 512, 513, 700, 1000, 1024};
	for (int i = 0; i < 8; i++)
		b[16 + i] = (struct vplat_val_buf){.ptr = data + cut[i], .len = cut[i + 1] - cut[i]};
	uint8_t *st = dma(r, 1);
	b[24] = (struct vplat_val_buf){.ptr = st, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq, b, 16, 9, (void *)1), 0);
	vplat_val_vq_kick(&r->vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r->vq, &tok, &len), 0);
	ck_assert_uint_eq(*st, VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 1025);
	for (int i = 0; i < 1024; i++)
		ck_assert_uint_eq(data[i], 0x6b);
	rig_down(r);
}
END_TEST

/* Expected status of a random request against the model. */
static uint8_t model(uint32_t type, uint64_t sector, uint32_t len)
{
	if (type != VPLAT_VIRTIO_BLK_T_IN && type != VPLAT_VIRTIO_BLK_T_OUT &&
	    type != VPLAT_VIRTIO_BLK_T_FLUSH)
		return VPLAT_VIRTIO_BLK_S_UNSUPP;
	if (type == VPLAT_VIRTIO_BLK_T_FLUSH)
		return VPLAT_VIRTIO_BLK_S_OK;
	if (len % 512 || sector > SECTORS || len / 512 > SECTORS - sector)
		return VPLAT_VIRTIO_BLK_S_IOERR;
	return VPLAT_VIRTIO_BLK_S_OK;
}

START_TEST(random_mix_against_shadow_disk)
{
	struct rig *r = rig_up(_i);
	static uint8_t shadow[SECTORS * 512];
	memset(shadow, 0, sizeof(shadow));
	uint32_t seed = 77u + (uint32_t)_i;
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
	static const uint32_t types[] = {VPLAT_VIRTIO_BLK_T_IN, VPLAT_VIRTIO_BLK_T_OUT,
					 VPLAT_VIRTIO_BLK_T_OUT, VPLAT_VIRTIO_BLK_T_FLUSH, 3, 99};
	for (unsigned k = 0; k < 400; k++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t type = types[(seed >> 8) % 6];
		uint64_t sector = (seed >> 4) % (SECTORS + 8);
		uint32_t len = 512u * (1 + (seed >> 20) % 8) + ((seed & 7) == 0 ? 100 : 0);
		uint8_t *buf = dma(r, len);
		for (uint32_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(seed + i * 13);
		bool out = type != VPLAT_VIRTIO_BLK_T_IN;
		uint32_t dlen = type == VPLAT_VIRTIO_BLK_T_FLUSH ? 0 : len;
		uint8_t *st = post(r, type, sector, out ? buf : NULL, out ? dlen : 0,
				   out ? NULL : buf, out ? 0 : dlen, (void *)1);
		void *tok;
		ck_assert_int_eq(vplat_val_vq_get_used(&r->vq, &tok, NULL), 0);
		uint8_t want = model(type, sector, dlen);
		ck_assert_uint_eq(*st, want);
		if (want == VPLAT_VIRTIO_BLK_S_OK && type == VPLAT_VIRTIO_BLK_T_OUT)
			memcpy(shadow + sector * 512, buf, len);
		if (want == VPLAT_VIRTIO_BLK_S_OK && type == VPLAT_VIRTIO_BLK_T_IN)
			ck_assert_mem_eq(buf, shadow + sector * 512, len);
		vplat_val_mem_release(vplat_loopback_dma(&r->lb), mark);
	}
	ck_assert_mem_eq(r->data, shadow, sizeof(shadow));
	ck_assert(!(vplat_val_get_status(&r->d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET));
	rig_down(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("blk_hostile");
	TCase *tc = tcase_create("blk_hostile");
	tcase_add_loop_test(tc, broken_ring_needs_reset_then_recovers, 0, 4);
	tcase_add_loop_test(tc, reset_with_requests_in_host_end, 0, 4);
	tcase_add_loop_test(tc, overlong_chain_returned_empty, 0, 4);
	tcase_add_loop_test(tc, header_in_single_bytes, 0, 4);
	tcase_add_loop_test(tc, random_mix_against_shadow_disk, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
