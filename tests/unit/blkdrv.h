/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver side of a virtio-blk request in the blk unit tests (test_blk, test_blk_file,
 * test_blk_hostile): buffers from the loopback's DMA allocator, one request posted as header,
 * optional device-readable data, optional device-writable data and the status byte.
 */
#ifndef VPLAT_TEST_BLKDRV_H
#define VPLAT_TEST_BLKDRV_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/spec/virtio_blk.h"

/* @p len bytes of guest memory aligned to @p align; fails the test when there are none. */
static inline void *blkdrv_dma(struct vplat_loopback *lb, uint32_t len, uint32_t align)
{
	void *p = vplat_val_alloc(vplat_loopback_dma(lb), len, align, NULL);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Posts one request of @p type at @p sector on @p vq and kicks it: @p out (@p outlen bytes,
 * none if 0) for the device to read, @p in (@p inlen bytes, none if 0) for it to write.
 * Returns the status byte, 0xee until the device writes it. */
static inline uint8_t *blkdrv_post(struct vplat_loopback *lb, struct vplat_val_vq *vq,
				   uint32_t align, uint32_t type, uint64_t sector, void *out,
				   uint32_t outlen, void *in, uint32_t inlen, void *token)
{
	struct vplat_virtio_blk_req_hdr *h = blkdrv_dma(lb, sizeof(*h), align);
	uint8_t *st = blkdrv_dma(lb, 1, align);
	*st = 0xee;
	h->type = vplat_cpu_to_le32(type);
	h->sector = vplat_cpu_to_le64(sector);
	struct vplat_val_buf b[4];
	unsigned n = 0, nout, nin = 1;
	b[n++] = (struct vplat_val_buf){.ptr = h, .len = sizeof(*h)};
	if (outlen)
		b[n++] = (struct vplat_val_buf){.ptr = out, .len = outlen};
	nout = n;
	if (inlen) {
		b[n++] = (struct vplat_val_buf){.ptr = in, .len = inlen};
		nin++;
	}
	b[n++] = (struct vplat_val_buf){.ptr = st, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(vq, b, nout, nin, token), 0);
	vplat_val_vq_kick(vq);
	return st;
}

#endif
