/* SPDX-License-Identifier: BSD-3-Clause */
/* Minimal virtio-blk request helpers on the validation driver (tests and benchmarks). */
#ifndef VPLAT_TESTS_BLKDRV_H
#define VPLAT_TESTS_BLKDRV_H

#include <string.h>
#include "vplat/spec/virtio_blk.h"
#include "vplat/val/val.h"

/* One request slot: header, data and status in DMA memory. */
struct blkdrv_req {
	struct vplat_virtio_blk_req_hdr *hdr;
	uint8_t *data;
	uint8_t *status;
	uint32_t len;
	uint64_t sector;
	uint32_t type;
	uint64_t tag; /* caller's bookkeeping */
	bool busy;
};

static inline int blkdrv_alloc(struct vplat_val_mem *m, struct blkdrv_req *r, uint32_t len)
{
	memset(r, 0, sizeof(*r));
	r->hdr = vplat_val_alloc(m, sizeof(*r->hdr), 16, NULL);
	r->data = vplat_val_alloc(m, len, 4096, NULL);
	r->status = vplat_val_alloc(m, 1, 1, NULL);
	r->len = len;
	return r->hdr && r->data && r->status ? 0 : VPLAT_ENOMEM;
}

/* Post a read (T_IN) or write (T_OUT) of r->len bytes at @sector; does not kick. */
static inline int blkdrv_post(struct vplat_val_vq *vq, struct blkdrv_req *r, uint32_t type,
			      uint64_t sector)
{
	r->hdr->type = vplat_cpu_to_le32(type);
	r->hdr->reserved = 0;
	r->hdr->sector = vplat_cpu_to_le64(sector);
	*r->status = 0xff;
	r->type = type;
	r->sector = sector;
	struct vplat_val_buf b[3] = {{.ptr = r->hdr, .len = sizeof(*r->hdr)},
				     {.ptr = r->data, .len = r->len},
				     {.ptr = r->status, .len = 1}};
	int rc = type == VPLAT_VIRTIO_BLK_T_OUT ? vplat_val_vq_add(vq, b, 2, 1, r)
						: vplat_val_vq_add(vq, b, 1, 2, r);
	if (!rc)
		r->busy = true;
	return rc;
}

#endif
