/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device (sec: Device Types / Block Device) driven as a guest would: loopback backend,
 * virtio-mmio (_i bit 0 = 0) or virtio-pci (bit 0 = 1), split (bit 1 = 0) or packed (bit 1 = 1)
 * rings, the in-memory host end. Clause labels: devicenormative:Device Types / Block Device /
 * Device Operation ("Operation") and / Device Initialization ("Initialization").
 */
#define _GNU_SOURCE /* mkstemp, ftruncate */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "blkdrv.h"
#include "testutil.h"
#include "vplat/blk.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/host/blk_file.h"

#define DISK_SECTORS 2048u
#define NREQ 32u
#define WB offsetof(struct vplat_virtio_blk_config, writeback)

struct rig {
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[NREQ];
	struct vplat_blk_mem disk;
	struct vplat_val_dev d;
	struct vplat_val_vq vq[2];
	uint8_t *data;
	uint64_t mark;
};

static const uint64_t ALL = VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_CONFIG_WCE) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_DISCARD) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_WRITE_ZEROES) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_SECURE_ERASE) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_LIFETIME) | VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO) |
			    VPLAT_BIT(VPLAT_VIRTIO_BLK_F_MQ) | VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC);

static void default_cfg(struct vplat_blk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->capacity = DISK_SECTORS;
	c->writeback = true;
	c->discard = c->write_zeroes = c->secure_erase = c->write_zeroes_may_unmap = true;
	c->lifetime = true;
	c->max_discard_sectors = 1024;
	memcpy(c->id, "vplat-test-disk", 15);
}

/* The in-memory disk of the next rig_up_cfg() has lifetime metrics (all zero) at init. */
static bool rig_disk_lifetime;

static void rig_up_cfg(struct rig *r, int variant, const struct vplat_blk_config *cfg,
		       uint64_t want, uint32_t nreq)
{
	memset(r, 0, sizeof(*r));
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 4u << 20), 0);
	r->data = calloc(1, (size_t)cfg->capacity * 512 + 512);
	r->disk.data = r->data;
	r->disk.size = cfg->capacity * 512;
	r->disk.has_lifetime = rig_disk_lifetime;
	ck_assert_int_eq(vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), cfg, &vplat_blk_host_mem,
					&r->disk, r->reqs, nreq),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq[0], 0, 64), 0);
	if (cfg->num_queues > 1)
		ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq[1], 1, 64), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
	r->mark = vplat_val_mem_mark(vplat_loopback_dma(&r->lb));
}

static void rig_up(struct rig *r, int variant, uint64_t want)
{
	struct vplat_blk_config c;
	default_cfg(&c);
	rig_up_cfg(r, variant, &c, want, NREQ);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	ck_assert_int_eq(r->vq[0].error, 0);
	vplat_val_vq_fini(&r->vq[0]);
	if (r->vq[1].dev)
		vplat_val_vq_fini(&r->vq[1]);
	vplat_loopback_fini(&r->lb);
	free(r->data);
}

static void *dma(struct rig *r, uint32_t len)
{
	return blkdrv_dma(&r->lb, len, 8);
}

/* Post one request: header, optional readable data, optional writable data, status. */
static uint8_t *post(struct rig *r, int q, uint32_t type, uint64_t sector, void *out,
		     uint32_t outlen, void *in, uint32_t inlen, void *token)
{
	return blkdrv_post(&r->lb, &r->vq[q], 8, type, sector, out, outlen, in, inlen, token);
}

/* One synchronous request; returns the status byte. */
static uint8_t req(struct rig *r, uint32_t type, uint64_t sector, void *out, uint32_t outlen,
		   void *in, uint32_t inlen, uint32_t *used)
{
	uint8_t *st = post(r, 0, type, sector, out, outlen, in, inlen, (void *)1);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r->vq[0], &tok, &len, 1000), 0);
	if (used)
		*used = len;
	return *st;
}

static void fill_random(uint8_t *p, size_t n, unsigned *seed)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(*seed >> 16);
	}
}

START_TEST(data_integrity_sizes_alignments)
{
	/* Random pattern, many sizes and buffer alignments, split into uneven segments. */
	struct rig r;
	rig_up(&r, _i, 0);
	unsigned seed = 1234 + (unsigned)_i;
	static const uint32_t sectors[] = {1, 2, 3, 7, 8, 16, 31, 64, 128};
	for (unsigned k = 0; k < sizeof(sectors) / sizeof(sectors[0]); k++) {
		for (unsigned align = 0; align < 4; align++) {
			uint32_t len = sectors[k] * 512;
			uint64_t sector = (seed % (DISK_SECTORS - sectors[k]));
			uint8_t *wbuf = (uint8_t *)dma(&r, len + 64) + align * 13;
			uint8_t *rbuf = (uint8_t *)dma(&r, len + 64) + align * 7;
			fill_random(wbuf, len, &seed);
			/* Write as two readable segments of uneven size. */
			struct vplat_virtio_blk_req_hdr *h = dma(&r, sizeof(*h));
			uint8_t *st = dma(&r, 1);
			h->type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_OUT);
			h->sector = vplat_cpu_to_le64(sector);
			uint32_t cut = len > 1 ? len / 3 + 1 : len;
			struct vplat_val_buf b[4] = {{.ptr = h, .len = 16}, {.ptr = wbuf, .len = cut},
						     {.ptr = wbuf + cut, .len = len - cut},
						     {.ptr = st, .len = 1}};
			ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], b, 3, 1, (void *)2), 0);
			vplat_val_vq_kick(&r.vq[0]);
			void *tok;
			uint32_t used;
			ck_assert_int_eq(vplat_val_wait_used(&r.vq[0], &tok, &used, 1000), 0);
			ck_assert_uint_eq(*st, VPLAT_VIRTIO_BLK_S_OK);
			ck_assert_mem_eq(r.data + sector * 512, wbuf, len);
			ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, sector, NULL, 0, rbuf, len,
					      &used),
					  VPLAT_VIRTIO_BLK_S_OK);
			ck_assert_uint_eq(used, len + 1);
			ck_assert_mem_eq(rbuf, wbuf, len);
			vplat_val_mem_release(vplat_loopback_dma(&r.lb), r.mark);
		}
	}
	ck_assert_uint_eq(vplat_blk_stats(&r.blk)->reads, 36);
	rig_down(&r);
}
END_TEST

START_TEST(status_in_data_descriptor)
{
	/* No framing assumptions: header in two pieces, data and status in one descriptor. */
	struct rig r;
	rig_up(&r, _i, 0);
	memset(r.data + 512 * 5, 0x5a, 512);
	uint8_t *h = dma(&r, 16);
	uint8_t *buf = dma(&r, 513);
	struct vplat_virtio_blk_req_hdr hdr = {.type = vplat_cpu_to_le32(VPLAT_VIRTIO_BLK_T_IN),
					       .sector = vplat_cpu_to_le64(5)};
	memcpy(h, &hdr, 16);
	struct vplat_val_buf b[3] = {{.ptr = h, .len = 5}, {.ptr = h + 5, .len = 11},
				     {.ptr = buf, .len = 513}};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], b, 2, 1, (void *)1), 0);
	vplat_val_vq_kick(&r.vq[0]);
	void *tok;
	uint32_t used;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq[0], &tok, &used, 1000), 0);
	ck_assert_uint_eq(buf[512], VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(buf[0], 0x5a);
	ck_assert_uint_eq(buf[511], 0x5a);
	rig_down(&r);
}
END_TEST

START_TEST(read_only_write_ioerr)
{
	/* Operation: "MUST set the status byte to VIRTIO_BLK_S_IOERR for a write request if the
	 * VIRTIO_BLK_F_RO feature if offered, and MUST NOT write any data". */
	struct rig r;
	struct vplat_blk_config c;
	default_cfg(&c);
	c.read_only = true;
	rig_up_cfg(&r, _i, &c, ALL, NREQ);
	ck_assert(vplat_val_has_feature(&r.d, VPLAT_VIRTIO_BLK_F_RO));
	uint8_t *w = dma(&r, 512);
	memset(w, 0x77, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	struct vplat_virtio_blk_discard_write_zeroes *seg = dma(&r, 16);
	seg->num_sectors = vplat_cpu_to_le32(1);
	memset(r.data, 0x11, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(r.data[i], 0x11);
	ck_assert_uint_eq(r.disk.submits, 0);
	/* Reads still work. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, w, 512, NULL),
			  VPLAT_VIRTIO_BLK_S_OK);
	rig_down(&r);
}
END_TEST

START_TEST(bad_requests_get_status)
{
	struct rig r;
	rig_up(&r, _i, ALL & ~VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO));
	uint8_t *buf = dma(&r, 4096);
	uint32_t used;
	/* Unknown type, legacy SCSI: UNSUPP. */
	ck_assert_uint_eq(req(&r, 0x1234, 0, NULL, 0, NULL, 0, &used), VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_SCSI_CMD, 0, NULL, 0, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	/* Operation: ZONED not negotiated (never offered): every zone request gets UNSUPP. */
	static const uint32_t zone[] = {VPLAT_VIRTIO_BLK_T_ZONE_REPORT, VPLAT_VIRTIO_BLK_T_ZONE_OPEN,
					VPLAT_VIRTIO_BLK_T_ZONE_CLOSE, VPLAT_VIRTIO_BLK_T_ZONE_FINISH,
					VPLAT_VIRTIO_BLK_T_ZONE_APPEND, VPLAT_VIRTIO_BLK_T_ZONE_RESET,
					VPLAT_VIRTIO_BLK_T_ZONE_RESET_ALL};
	for (unsigned z = 0; z < 7; z++)
		ck_assert_uint_eq(req(&r, zone[z], 0, NULL, 0, buf, 512, NULL),
				  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert(!(r.d.device_features & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_ZONED)));
	/* Crossing capacity, sector past the end, huge sector (overflow): IOERR. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, DISK_SECTORS - 1, NULL, 0, buf, 1024, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, DISK_SECTORS, buf, 512, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, UINT64_MAX, NULL, 0, buf, 512, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, DISK_SECTORS - 1, NULL, 0, buf, 512, NULL),
			  VPLAT_VIRTIO_BLK_S_OK);
	/* Not a multiple of 512: IOERR. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 100, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, buf, 513, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	/* Wrong direction: read with readable data, write with writable data. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, buf, 512, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, NULL, 0, buf, 512, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	/* Host failures: IOERR; host refuses a range command: UNSUPP. */
	r.disk.fail = 1;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 512, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	r.disk.unsupp = true;
	struct vplat_virtio_blk_discard_write_zeroes *seg = dma(&r, 16);
	seg->num_sectors = vplat_cpu_to_le32(1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 0, seg, 16, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_ge(vplat_blk_stats(&r.blk)->ioerr, 8);
	rig_down(&r);
}
END_TEST

START_TEST(get_id_and_lifetime)
{
	struct rig r;
	rig_disk_lifetime = true;
	rig_up(&r, _i, ALL & ~VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO));
	rig_disk_lifetime = false;
	uint8_t *id = dma(&r, 20);
	uint32_t used;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_GET_ID, 0, NULL, 0, id, 20, &used),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used, 21);
	ck_assert_mem_eq(id, "vplat-test-disk\0\0\0\0\0", 20);
	/* A data part shorter than 20 bytes gets the first bytes, with S_OK (VPLAT-BLK-026). */
	memset(id, 0xcc, 20);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_GET_ID, 0, NULL, 0, id, 19, &used),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used, 20);
	ck_assert_mem_eq(id, "vplat-test-disk\0\0\0\0", 19);
	/* Lifetime: offered (cfg asks, the host end had metrics at init); when the host end
	 * cannot answer later: IOERR. */
	ck_assert(vplat_val_has_feature(&r.d, VPLAT_VIRTIO_BLK_F_LIFETIME));
	r.disk.has_lifetime = false;
	struct vplat_virtio_blk_lifetime *lt = dma(&r, sizeof(*lt));
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_GET_LIFETIME, 0, NULL, 0, lt, 6, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	r.disk.has_lifetime = true;
	r.disk.lifetime.pre_eol_info = vplat_cpu_to_le16(VPLAT_VIRTIO_BLK_PRE_EOL_INFO_NORMAL);
	r.disk.lifetime.device_lifetime_est_typ_a = vplat_cpu_to_le16(2);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_GET_LIFETIME, 0, NULL, 0, lt, 6, NULL),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(vplat_le16_to_cpu(lt->pre_eol_info), 1);
	ck_assert_uint_eq(vplat_le16_to_cpu(lt->device_lifetime_est_typ_a), 2);
	rig_down(&r);

	/* Not negotiated: UNSUPP. */
	rig_up(&r, _i, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_GET_LIFETIME, 0, NULL, 0, lt = dma(&r, 6), 6, NULL),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	rig_down(&r);
}
END_TEST

static uint8_t range_req(struct rig *r, uint32_t type, unsigned n, const uint64_t *sector,
			 const uint32_t *num, const uint32_t *flags)
{
	struct vplat_virtio_blk_discard_write_zeroes *seg = dma(r, 16 * n);
	for (unsigned i = 0; i < n; i++) {
		seg[i].sector = vplat_cpu_to_le64(sector[i]);
		seg[i].num_sectors = vplat_cpu_to_le32(num[i]);
		seg[i].flags = vplat_cpu_to_le32(flags[i]);
	}
	return req(r, type, 0, seg, 16 * n, NULL, 0, NULL);
}

START_TEST(discard_write_zeroes_secure_erase)
{
	struct rig r;
	rig_up(&r, _i, ALL & ~VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO));
	memset(r.data, 0xab, DISK_SECTORS * 512);
	const uint64_t sec[2] = {10, 100};
	const uint32_t num[2] = {4, 2};
	const uint32_t unmap[2] = {1, 0}, none[2] = {0, 0}, unknown[2] = {0, 2};
	/* Operation: "After a write zeroes command is completed, reads of the specified ranges of
	 * sectors MUST return zeroes", with and without unmap. */
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, 2, sec, num, unmap),
			  VPLAT_VIRTIO_BLK_S_OK);
	uint8_t *rb = dma(&r, 4 * 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 10, NULL, 0, rb, 2048, NULL), 0);
	for (unsigned i = 0; i < 2048; i++)
		ck_assert_uint_eq(rb[i], 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 100, NULL, 0, rb, 1024, NULL), 0);
	for (unsigned i = 0; i < 1024; i++)
		ck_assert_uint_eq(rb[i], 0);
	ck_assert_uint_eq(r.data[102 * 512], 0xab);
	ck_assert_uint_eq(r.data[9 * 512 + 511], 0xab);
	/* Operation: unknown flag: UNSUPP (even with another range out of bounds); DISCARD with
	 * unmap: UNSUPP; nothing is touched. */
	memset(r.data, 0xab, DISK_SECTORS * 512);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, 2, sec, num, unknown),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 2, sec, num, unmap),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_SECURE_ERASE, 2, sec, num, unknown),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(r.data[10 * 512], 0xab);
	/* Valid DISCARD and SECURE_ERASE. */
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 2, sec, num, none),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r.data[10 * 512], 0xdd);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_SECURE_ERASE, 2, sec, num, none),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r.data[10 * 512], 0);
	/* Past capacity, above max_discard_sectors, too many ranges, bad length: IOERR. */
	const uint64_t far[1] = {DISK_SECTORS - 1};
	const uint32_t two[1] = {2}, big[1] = {1025}, z[1] = {0};
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 1, far, two, z),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 1, sec, big, z),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	uint64_t many_s[VPLAT_BLK_RANGES + 1] = {0};
	uint32_t many_n[VPLAT_BLK_RANGES + 1] = {0}, many_f[VPLAT_BLK_RANGES + 1] = {0};
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, VPLAT_BLK_RANGES + 1,
				    many_s, many_n, many_f),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	uint8_t *odd = dma(&r, 20);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 0, odd, 20, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_IOERR);
	rig_down(&r);

	/* Features not negotiated: UNSUPP. */
	rig_up(&r, _i, 0);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_DISCARD, 1, sec, num, z),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(range_req(&r, VPLAT_VIRTIO_BLK_T_WRITE_ZEROES, 1, sec, num, z),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	rig_down(&r);
}
END_TEST

START_TEST(malformed_chains_need_reset)
{
	/* A chain too short for the 16-byte header, or without a writable status byte, cannot
	 * be answered: the device completes it and enters DEVICE_NEEDS_RESET (as QEMU does). */
	for (int kind = 0; kind < 2; kind++) {
		struct rig r;
		rig_up(&r, _i, 0);
		uint8_t *h = dma(&r, 16);
		struct vplat_val_buf b[2] = {{.ptr = h, .len = kind ? 16 : 8}, {.ptr = h, .len = 1}};
		ck_assert_int_eq(vplat_val_vq_add(&r.vq[0], b, kind ? 2 : 1, kind ? 0 : 1, (void *)1), 0);
		vplat_val_vq_kick(&r.vq[0]);
		ck_assert(vplat_val_get_status(&r.d) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET);
		ck_assert_uint_eq(vplat_blk_stats(&r.blk)->malformed, 1);
		r.vq[0].error = 0;
		rig_down(&r);
	}
}
END_TEST

START_TEST(config_layout)
{
	/* Initialization: config fields filled, padding unused0/unused1 zero. */
	struct rig r;
	struct vplat_blk_config c;
	default_cfg(&c);
	c.blk_size = 4096;
	c.physical_block_exp = 1;
	c.opt_io_size = 32;
	rig_up_cfg(&r, _i, &c, ALL, NREQ);
	struct vplat_virtio_blk_config k;
	ck_assert_int_eq(vplat_val_config_read_stable(&r.d, 0, &k, sizeof(k), 1000), 0);
	ck_assert_uint_eq(vplat_le64_to_cpu(k.capacity), DISK_SECTORS);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.seg_max), VPLAT_BLK_SEGS - 2);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.size_max), 1u << 20);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.blk_size), 4096);
	ck_assert_uint_eq(k.topology.physical_block_exp, 1);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.topology.opt_io_size), 32);
	ck_assert_uint_eq(vplat_le16_to_cpu(k.num_queues), 1);
	ck_assert_uint_eq(k.geometry.heads, 16);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.max_discard_sectors), 1024);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.max_discard_seg), VPLAT_BLK_RANGES);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.discard_sector_alignment), 8);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.max_write_zeroes_sectors), DISK_SECTORS);
	ck_assert_uint_eq(k.write_zeroes_may_unmap, 1);
	ck_assert_uint_eq(vplat_le32_to_cpu(k.max_secure_erase_seg), VPLAT_BLK_RANGES);
	ck_assert_uint_eq(k.unused0, 0);
	ck_assert_uint_eq(k.unused1[0] | k.unused1[1] | k.unused1[2], 0);
	ck_assert_uint_eq(k.writeback, 1);
	ck_assert(!vplat_val_has_feature(&r.d, VPLAT_VIRTIO_F_IN_ORDER));
	ck_assert(!vplat_val_has_feature(&r.d, VPLAT_VIRTIO_BLK_F_MQ));
	/* Initialization: CONFIG_WCE offered implies FLUSH offered. */
	uint64_t off = r.d.device_features;
	ck_assert(off & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH));
	ck_assert(off & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_CONFIG_WCE));
	ck_assert(!(off & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_RO)));
	rig_down(&r);
}
END_TEST

START_TEST(writeback_honoured)
{
	/* Operation: a write is stable at completion (sync) when FLUSH was offered but neither
	 * FLUSH nor CONFIG_WCE negotiated, or CONFIG_WCE negotiated with writeback 0. */
	struct rig r;
	uint8_t *w;
	rig_up(&r, _i, 0); /* nothing negotiated */
	w = dma(&r, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0, NULL), 0);
	ck_assert_uint_eq(r.disk.sync_writes, 1);
	rig_down(&r);

	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH)); /* FLUSH only: writeback */
	w = dma(&r, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0, NULL), 0);
	ck_assert_uint_eq(r.disk.sync_writes, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0, NULL), 0);
	ck_assert_uint_eq(r.disk.flushes, 1);
	rig_down(&r);

	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) | VPLAT_BIT(VPLAT_VIRTIO_BLK_F_CONFIG_WCE));
	w = dma(&r, 512);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, WB, 1), 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0, NULL), 0);
	ck_assert_uint_eq(r.disk.sync_writes, 0);
	vplat_val_config_write(&r.d, WB, 1, 0); /* switch to writethrough */
	ck_assert_uint_eq(vplat_val_config_read(&r.d, WB, 1), 0);
	ck_assert(vplat_blk_writethrough(&r.blk));
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_OUT, 0, w, 512, NULL, 0, NULL), 0);
	ck_assert_uint_eq(r.disk.sync_writes, 1);
	vplat_val_config_write(&r.d, WB, 1, 7); /* invalid value ignored */
	ck_assert_uint_eq(vplat_val_config_read(&r.d, WB, 1), 0);
	rig_down(&r);

	/* Initialization: CONFIG_WCE negotiated without FLUSH: writeback MUST start as 0. */
	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_CONFIG_WCE));
	ck_assert_uint_eq(vplat_val_config_read(&r.d, WB, 1), 0);
	rig_down(&r);
}
END_TEST

START_TEST(async_out_of_order_and_backpressure)
{
	/* Host end completes later, newest first; only 4 request slots; host busy once. */
	struct rig r;
	struct vplat_blk_config c;
	default_cfg(&c);
	rig_up_cfg(&r, _i, &c, 0, 4);
	r.disk.async = true;
	r.disk.reverse = true;
	r.disk.busy = 1;
	uint8_t *st[12], *buf[12];
	for (unsigned i = 0; i < 12; i++) {
		memset(r.data + i * 512, (int)(i + 1), 512);
		buf[i] = dma(&r, 512);
		st[i] = post(&r, 0, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, buf[i], 512,
			     (void *)(uintptr_t)(i + 1));
	}
	ck_assert_uint_le(r.disk.nqueued, 4);
	ck_assert_uint_ge(r.disk.kicks, 1);
	unsigned got = 0;
	for (int spin = 0; spin < 100 && got < 12; spin++) {
		vplat_blk_mem_run(&r.disk, 2);
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(&r.vq[0], &tok, &len) == 0) {
			unsigned i = (unsigned)(uintptr_t)tok - 1;
			ck_assert_uint_eq(*st[i], VPLAT_VIRTIO_BLK_S_OK);
			ck_assert_uint_eq(buf[i][0], i + 1);
			ck_assert_uint_eq(len, 513);
			got++;
		}
	}
	ck_assert_uint_eq(got, 12);
	rig_down(&r);
}
END_TEST

START_TEST(queue_reset_drops_late_completion)
{
	struct rig r;
	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	r.disk.async = true;
	uint8_t *buf = dma(&r, 512);
	uint8_t *st = post(&r, 0, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 512, (void *)1);
	ck_assert_uint_eq(r.disk.nqueued, 1);
	ck_assert_int_eq(vplat_val_queue_reset(&r.d, 0), 0);
	vplat_blk_mem_run(&r.disk, 10); /* completion after the reset: dropped */
	ck_assert_uint_eq(*st, 0xee);
	ck_assert_int_eq(vplat_val_vq_reset(&r.vq[0]), 0);
	r.disk.async = false;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 512, NULL), 0);
	rig_down(&r);
}
END_TEST

/* A host end whose submit() never returns: it jumps out, as the vhost-user back end's SIGBUS
 * guard jumps out of the device when guest memory vanishes under it (then resets the device). */
static jmp_buf abandon_jb;
static int abandon_submit(void *host, struct vplat_blk_req *req)
{
	(void)host;
	(void)req;
	longjmp(abandon_jb, 1);
}

START_TEST(reset_after_abandoned_processing)
{
	struct rig r;
	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET));
	struct vplat_blk_host_ops jump = vplat_blk_host_mem;
	jump.submit = abandon_submit;
	ck_assert_int_eq(vplat_blk_set_queue_host(&r.blk, 0, &jump, r.blk.host_opaque), 0);
	uint8_t *buf = dma(&r, 512);
	if (!setjmp(abandon_jb)) {
		(void)post(&r, 0, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 512, (void *)1);
		ck_abort_msg("submit() returned");
	}
	/* The queue is reset (vhost-user: the whole device); the next driver is served. */
	ck_assert_int_eq(vplat_blk_set_queue_host(&r.blk, 0, &vplat_blk_host_mem, r.blk.host_opaque), 0);
	ck_assert_int_eq(vplat_val_queue_reset(&r.d, 0), 0);
	ck_assert_int_eq(vplat_val_vq_reset(&r.vq[0]), 0);
	memset(r.data, 0x5a, 512);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, buf, 512, NULL), 0);
	ck_assert_uint_eq(buf[0], 0x5a);
	rig_down(&r);
}
END_TEST

START_TEST(multiqueue)
{
	struct rig r;
	struct vplat_blk_config c;
	default_cfg(&c);
	c.num_queues = 2;
	rig_up_cfg(&r, _i, &c, VPLAT_BIT(VPLAT_VIRTIO_BLK_F_MQ), NREQ);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, offsetof(struct vplat_virtio_blk_config,
								  num_queues), 2), 2);
	uint8_t *a = dma(&r, 512), *b = dma(&r, 512);
	memset(a, 0xa1, 512);
	uint8_t *s0 = post(&r, 0, VPLAT_VIRTIO_BLK_T_OUT, 3, a, 512, NULL, 0, (void *)1);
	uint8_t *s1 = post(&r, 1, VPLAT_VIRTIO_BLK_T_IN, 3, NULL, 0, b, 512, (void *)2);
	void *tok;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq[0], &tok, NULL, 1000), 0);
	ck_assert_int_eq(vplat_val_wait_used(&r.vq[1], &tok, NULL, 1000), 0);
	ck_assert_uint_eq(*s0, 0);
	ck_assert_uint_eq(*s1, 0);
	ck_assert_mem_eq(a, b, 512);
	ck_assert_int_eq(r.vq[1].error, 0);
	rig_down(&r);
}
END_TEST

static uint64_t fake_now;
static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_now;
}

/* covers(unit.test_blk): VPLAT-BLK-049 VPLAT-BLK-050 (limits set, changed and lifted at run
 * time; held requests complete later, in order, with status OK) */
START_TEST(ratelimit_isolates_devices)
{
	/* Freedom from interference: device A limited to 100 IOPS (burst 5), device B unlimited.
	 * With the clock frozen, A completes its burst and stops; B completes everything. */
	struct rig *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	rig_up(a, _i, 0);
	rig_up(b, _i, 0);
	fake_now = 1000;
	struct vplat_ratelimit_config lim = {.ops_rate = 100, .ops_burst = 5};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&a->blk, &lim, fake_clock, NULL), 0);
	ck_assert_int_eq(vplat_blk_set_ratelimit(&a->blk, &lim, NULL, NULL), 0);
	struct vplat_rig_post { uint8_t *st; } pa[20], pb[20];
	for (unsigned i = 0; i < 20; i++) {
		pa[i].st = post(a, 0, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, dma(a, 512), 512, (void *)1);
		pb[i].st = post(b, 0, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, dma(b, 512), 512, (void *)1);
	}
	unsigned done_a = 0, done_b = 0;
	for (unsigned i = 0; i < 20; i++) {
		done_a += *pa[i].st == 0;
		done_b += *pb[i].st == 0;
	}
	ck_assert_uint_eq(done_a, 5);
	ck_assert_uint_eq(done_b, 20);
	ck_assert_uint_eq(vplat_blk_throttle_ns(&b->blk), 0);
	uint64_t wait = vplat_blk_throttle_ns(&a->blk);
	ck_assert_uint_eq(wait, 10000000); /* one op at 100/s: 10 ms */
	/* Advance the clock 30 ms: 3 more go through. */
	fake_now += 30000000;
	vplat_blk_resume(&a->blk, 0);
	done_a = 0;
	for (unsigned i = 0; i < 20; i++)
		done_a += *pa[i].st == 0;
	ck_assert_uint_eq(done_a, 8);
	/* 1 s later the bucket holds only its burst of 5. */
	fake_now += 1000000000;
	vplat_blk_resume(&a->blk, 0);
	done_a = 0;
	for (unsigned i = 0; i < 20; i++)
		done_a += *pa[i].st == 0;
	ck_assert_uint_eq(done_a, 13);
	ck_assert_uint_ge(vplat_blk_stats(&a->blk)->throttled, 2);
	/* Lift the limit at run time: the rest completes. */
	struct vplat_ratelimit_config none = {0};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&a->blk, &none, NULL, NULL), 0);
	vplat_blk_resume(&a->blk, 0);
	done_a = 0;
	for (unsigned i = 0; i < 20; i++)
		done_a += *pa[i].st == 0;
	ck_assert_uint_eq(done_a, 20);
	ck_assert_uint_eq(vplat_blk_throttle_ns(&a->blk), 0);
	void *tok;
	while (vplat_val_vq_get_used(&a->vq[0], &tok, NULL) == 0)
		;
	/* Bandwidth limit: 1 MiB/s, burst 4 KiB: one 4 KiB read, then a wait of 4 ms. */
	struct vplat_ratelimit_config bw = {.bytes_rate = 1u << 20, .bytes_burst = 4096};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&a->blk, &bw, fake_clock, NULL), 0);
	uint8_t *s1 = post(a, 0, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, dma(a, 4096), 4096, (void *)1);
	uint8_t *s2 = post(a, 0, VPLAT_VIRTIO_BLK_T_IN, 0, NULL, 0, dma(a, 4096), 4096, (void *)1);
	ck_assert_uint_eq(*s1, 0);
	ck_assert_uint_eq(*s2, 0xee);
	ck_assert_uint_eq(vplat_blk_throttle_ns(&a->blk), 3906250);
	fake_now += 3906250;
	vplat_blk_resume(&a->blk, 0);
	ck_assert_uint_eq(*s2, 0);
	while (vplat_val_vq_get_used(&a->vq[0], &tok, NULL) == 0)
		;
	rig_down(a);
	rig_down(b);
	free(a);
	free(b);
}
END_TEST

START_TEST(init_rejects_bad_config)
{
	struct vplat_blk *blk = calloc(1, sizeof(*blk));
	struct vplat_blk_req reqs[2];
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	struct vplat_blk_mem disk = {0};
	vplat_mem_init(&m, reg, 1);
	struct vplat_blk_config c;
	default_cfg(&c);
	c.blk_size = 1000;
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, 2),
			 VPLAT_EINVAL);
	default_cfg(&c);
	c.num_queues = 3;
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, 2),
			 VPLAT_EINVAL);
	c.num_queues = VPLAT_BLK_MAX_QUEUES + 1;
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, 2),
			 VPLAT_EINVAL);
	default_cfg(&c);
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, 2), 0);
	ck_assert_int_eq(vplat_blk_set_capacity(blk, 4096), 0);
	ck_assert_uint_eq(vplat_le64_to_cpu(blk->config.capacity), 4096);
	free(blk);
}
END_TEST

/* Each argument check of the integrator API on its own (tools/mutate: every one of them is
 * reached with all the other arguments valid, so removing one check changes the result). */
START_TEST(api_rejects_bad_arguments)
{
	struct vplat_blk *blk = calloc(1, sizeof(*blk));
	struct vplat_blk_req *reqs = calloc(VPLAT_BLK_MAX_QUEUES + 1, sizeof(*reqs));
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	struct vplat_blk_mem disk = {0};
	const struct vplat_blk_host_ops no_submit = {0};
	const uint32_t n = VPLAT_BLK_MAX_QUEUES + 1;
	vplat_mem_init(&m, reg, 1);
	struct vplat_blk_config c;
	default_cfg(&c);
	ck_assert_int_eq(vplat_blk_init(NULL, &m, &c, &vplat_blk_host_mem, &disk, reqs, n),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_init(blk, &m, NULL, &vplat_blk_host_mem, &disk, reqs, n),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, NULL, &disk, reqs, n), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &no_submit, &disk, reqs, n), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, NULL, n),
			 VPLAT_EINVAL);
	/* Too many queues, with enough request slots for all of them. */
	c.num_queues = VPLAT_BLK_MAX_QUEUES + 1;
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, n),
			 VPLAT_EINVAL);
	/* A capacity whose byte size does not fit 64 bits, at init and at a resize. */
	default_cfg(&c);
	c.capacity = (UINT64_MAX >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT) + 1u;
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, n),
			 VPLAT_EINVAL);
	default_cfg(&c);
	ck_assert_int_eq(vplat_blk_init(blk, &m, &c, &vplat_blk_host_mem, &disk, reqs, n), 0);
	ck_assert_int_eq(vplat_blk_set_capacity(blk, (UINT64_MAX >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT) + 1u),
			 VPLAT_EINVAL);
	ck_assert_uint_eq(vplat_le64_to_cpu(blk->config.capacity), DISK_SECTORS);
	ck_assert_int_eq(vplat_blk_set_capacity(blk, UINT64_MAX >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT), 0);
	/* Rate limits: no device, no configuration, a limit without any clock. */
	struct vplat_ratelimit_config lim = {.ops_rate = 10, .ops_burst = 1};
	struct vplat_ratelimit_config none = {0};
	ck_assert_int_eq(vplat_blk_set_ratelimit(NULL, &none, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_ratelimit(blk, NULL, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_ratelimit(blk, &lim, NULL, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_ratelimit(blk, &none, NULL, NULL), 0);
	/* Per-queue host ends: no device, no ops, no submit, a queue that does not exist. */
	ck_assert_int_eq(vplat_blk_set_queue_host(NULL, 0, &vplat_blk_host_mem, &disk), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_queue_host(blk, 0, NULL, &disk), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_queue_host(blk, 0, &no_submit, &disk), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_queue_host(blk, 1, &vplat_blk_host_mem, &disk), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_blk_set_queue_host(blk, 0, &vplat_blk_host_mem, &disk), 0);
	free(reqs);
	free(blk);
}
END_TEST

/* The in-memory host end's own checks, called directly (the device never sends it what they
 * refuse, so only a direct call reaches them): reads, writes and ranges outside the disk,
 * busy answers, a full asynchronous queue. */
START_TEST(mem_host_end_checks)
{
	uint8_t data[4096 + 512];
	uint8_t buf[512];
	memset(data, 0x5a, sizeof(data));
	struct vplat_blk_mem m = {.data = data, .size = 4096};
	struct vplat_iov iov = {.base = buf, .len = sizeof(buf)};
	struct vplat_blk_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.op = VPLAT_BLK_OP_WRITE;
	rq.offset = 4096; /* just past the end: only the slack after the disk would be written */
	rq.len = sizeof(buf);
	rq.iov = &iov;
	rq.niov = 1;
	memset(buf, 0x11, sizeof(buf));
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), VPLAT_EIO);
	ck_assert_uint_eq(data[4096], 0x5a);
	rq.offset = 3584; /* the last sector: fine */
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), 0);
	ck_assert_uint_eq(data[3584], 0x11);
	struct vplat_blk_range rg = {.offset = 4096, .len = 512};
	rq.op = VPLAT_BLK_OP_WRITE_ZEROES;
	rq.ranges = &rg;
	rq.nranges = 1;
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), VPLAT_EIO);
	ck_assert_uint_eq(data[4096], 0x5a);
	/* busy: VPLAT_EAGAIN without doing anything, then the request is done */
	rq.op = VPLAT_BLK_OP_WRITE;
	rq.offset = 0;
	m.busy = 1;
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), VPLAT_EAGAIN);
	ck_assert_uint_eq(m.busy, 0);
	ck_assert_uint_eq(data[0], 0x5a);
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), 0);
	ck_assert_uint_eq(data[0], 0x11);
	/* asynchronous: VPLAT_BLK_MEM_QUEUE requests accepted, the next one answered busy */
	m.async = true;
	for (uint32_t i = 0; i < VPLAT_BLK_MEM_QUEUE; i++)
		ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), VPLAT_BLK_INPROGRESS);
	ck_assert_int_eq(vplat_blk_host_mem.submit(&m, &rq), VPLAT_EAGAIN);
	ck_assert_uint_eq(m.nqueued, VPLAT_BLK_MEM_QUEUE);
}
END_TEST

/* A device whose integrator set no_flush offers no FLUSH, and a FLUSH request sent anyway is
 * answered UNSUPP without reaching the host end; without no_flush a FLUSH the driver did not
 * negotiate is still done (every write was durable anyway). */
START_TEST(flush_unsupported_with_no_flush)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct vplat_blk_config c;
	default_cfg(&c);
	c.no_flush = true;
	rig_up_cfg(r, _i, &c, ALL, NREQ);
	ck_assert(!vplat_val_has_feature(&r->d, VPLAT_VIRTIO_BLK_F_FLUSH));
	ck_assert_uint_eq(req(r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(r->disk.flushes, 0);
	rig_down(r);
	default_cfg(&c);
	rig_up_cfg(r, _i, &c, 0, NREQ);
	ck_assert(!vplat_val_has_feature(&r->d, VPLAT_VIRTIO_BLK_F_FLUSH));
	ck_assert_uint_eq(req(r, VPLAT_VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0, NULL),
			  VPLAT_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r->disk.flushes, 1);
	rig_down(r);
	free(r);
}
END_TEST

/* ---- requirement tests (tools/spec-index.py: the covers line names what each checks) ---- */

START_TEST(lifetime_only_with_metrics)
{
	/* covers: VPLAT-BLK-029 */
	/* LIFETIME is offered only when the integrator asks for it and the backing storage has
	 * lifetime metrics: not for a RAM disk without them, not for an image file (the file host
	 * end has no lifetime op), not when the integrator does not ask; and it is for a RAM disk
	 * that has them. */
	struct vplat_blk_config c;
	default_cfg(&c);
	struct rig *r = calloc(1, sizeof(*r));
	rig_up_cfg(r, _i, &c, ALL, NREQ); /* RAM, no metrics */
	ck_assert(!vplat_val_has_feature(&r->d, VPLAT_VIRTIO_BLK_F_LIFETIME));
	ck_assert(!(vplat_val_get_device_features(&r->d) & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_LIFETIME)));
	rig_down(r);
	rig_disk_lifetime = true;
	rig_up_cfg(r, _i, &c, ALL, NREQ); /* RAM with metrics */
	rig_disk_lifetime = false;
	ck_assert(vplat_val_has_feature(&r->d, VPLAT_VIRTIO_BLK_F_LIFETIME));
	rig_down(r);
	c.lifetime = false;
	rig_disk_lifetime = true;
	rig_up_cfg(r, _i, &c, ALL, NREQ); /* metrics, but the integrator did not ask */
	rig_disk_lifetime = false;
	ck_assert(!(vplat_val_get_device_features(&r->d) & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_LIFETIME)));
	rig_down(r);
	free(r);
	/* An image file behind the file host end, the integrator asking for LIFETIME. */
	char path[] = "/tmp/vplat-blk-lifetime-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	struct vplat_blk_file *f = calloc(1, sizeof(*f));
	ck_assert_int_eq(vplat_blk_file_open(f, path, 0), 0);
	struct vplat_loopback lb;
	ck_assert_int_eq(vplat_loopback_init(&lb, VPLAT_LOOPBACK_MMIO, 1u << 20), 0);
	struct vplat_blk *blk = calloc(1, sizeof(*blk));
	struct vplat_blk_req *reqs = calloc(4, sizeof(*reqs));
	default_cfg(&c);
	c.capacity = (1u << 20) / 512;
	ck_assert_int_eq(vplat_blk_init(blk, vplat_loopback_mem(&lb), &c, &vplat_blk_host_file, f,
					reqs, 4),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&lb, vplat_blk_device(blk)), 0);
	struct vplat_val_dev d;
	ck_assert_int_eq(vplat_loopback_val_init(&lb, &d), 0);
	ck_assert(!(vplat_val_get_device_features(&d) & VPLAT_BIT(VPLAT_VIRTIO_BLK_F_LIFETIME)));
	vplat_loopback_fini(&lb);
	vplat_blk_file_close(f);
	unlink(path);
	close(fd);
	free(f);
	free(blk);
	free(reqs);
}
END_TEST

START_TEST(ratelimit_covers_all_queues)
{
	/* covers: VPLAT-BLK-051 */
	/* One limit (100 requests/s, burst 6; clock frozen) for the device: 12 requests on
	 * request queue 1 and 12 on queue 2 complete 6 in all, not 6 per queue; 30 ms later 3
	 * more in all, whichever queue they are on; lifted, the rest complete. */
	struct vplat_blk_config c;
	default_cfg(&c);
	c.num_queues = 2;
	struct rig *r = calloc(1, sizeof(*r));
	rig_up_cfg(r, _i, &c, ALL, NREQ);
	ck_assert(vplat_val_has_feature(&r->d, VPLAT_VIRTIO_BLK_F_MQ));
	fake_now = 1000;
	struct vplat_ratelimit_config lim = {.ops_rate = 100, .ops_burst = 6};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&r->blk, &lim, fake_clock, NULL), 0);
	uint8_t *st[2][12];
	for (unsigned i = 0; i < 12; i++)
		for (int q = 0; q < 2; q++)
			st[q][i] = post(r, q, VPLAT_VIRTIO_BLK_T_IN, i, NULL, 0, dma(r, 512), 512,
					(void *)1);
	unsigned done[2] = {0, 0};
	for (int q = 0; q < 2; q++)
		for (unsigned i = 0; i < 12; i++)
			done[q] += *st[q][i] == 0;
	ck_assert_msg(done[0] + done[1] == 6, "%u + %u requests done under a burst of 6", done[0],
		      done[1]);
	fake_now += 30000000;
	vplat_blk_resume(&r->blk, 0);
	vplat_blk_resume(&r->blk, 1);
	done[0] = done[1] = 0;
	for (int q = 0; q < 2; q++)
		for (unsigned i = 0; i < 12; i++)
			done[q] += *st[q][i] == 0;
	ck_assert_uint_eq(done[0] + done[1], 9);
	struct vplat_ratelimit_config none = {0};
	ck_assert_int_eq(vplat_blk_set_ratelimit(&r->blk, &none, NULL, NULL), 0);
	vplat_blk_resume(&r->blk, 0);
	vplat_blk_resume(&r->blk, 1);
	done[0] = done[1] = 0;
	for (int q = 0; q < 2; q++)
		for (unsigned i = 0; i < 12; i++)
			done[q] += *st[q][i] == 0;
	ck_assert_uint_eq(done[0] + done[1], 24);
	rig_down(r);
	free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("blk");
	TCase *tc = tcase_create("blk");
	tcase_add_loop_test(tc, data_integrity_sizes_alignments, 0, 4);
	tcase_add_loop_test(tc, status_in_data_descriptor, 0, 4);
	tcase_add_loop_test(tc, read_only_write_ioerr, 0, 4);
	tcase_add_loop_test(tc, bad_requests_get_status, 0, 4);
	tcase_add_loop_test(tc, get_id_and_lifetime, 0, 4);
	tcase_add_loop_test(tc, discard_write_zeroes_secure_erase, 0, 4);
	tcase_add_loop_test(tc, malformed_chains_need_reset, 0, 4);
	tcase_add_loop_test(tc, config_layout, 0, 4);
	tcase_add_loop_test(tc, writeback_honoured, 0, 4);
	tcase_add_loop_test(tc, async_out_of_order_and_backpressure, 0, 4);
	tcase_add_loop_test(tc, queue_reset_drops_late_completion, 0, 4);
	tcase_add_loop_test(tc, reset_after_abandoned_processing, 0, 4);
	tcase_add_loop_test(tc, multiqueue, 0, 4);
	tcase_add_loop_test(tc, ratelimit_isolates_devices, 0, 4);
	tcase_add_test(tc, init_rejects_bad_config);
	tcase_add_test(tc, api_rejects_bad_arguments);
	tcase_add_test(tc, mem_host_end_checks);
	tcase_add_loop_test(tc, flush_unsupported_with_no_flush, 0, 4);
	tcase_add_loop_test(tc, lifetime_only_with_metrics, 0, 4);
	tcase_add_loop_test(tc, ratelimit_covers_all_queues, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
