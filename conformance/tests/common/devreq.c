/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>
#include "devreq.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

void *dmab(struct vplat_test_ctx *t, uint32_t len)
{
	uint64_t gpa;
	uint8_t *p = vplat_val_alloc(t->d->mem, len ? len : 1, 16, &gpa);
	if (p)
		memset(p, 0, len ? len : 1);
	return p;
}

void pattern(void *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		((uint8_t *)p)[i] = (uint8_t)(x >> 7);
	}
}

int xfer(struct vplat_test_ctx *t, struct vplat_val_vq *vq, const struct vplat_val_buf *b,
	 unsigned n_out, unsigned n_in, uint32_t *used)
{
	static int tokens;
	void *tok = &tokens, *got = NULL;
	uint32_t len = 0;
	int rc = vplat_val_vq_add(vq, b, n_out, n_in, tok);
	if (rc)
		return rc;
	vplat_val_vq_kick(vq);
	rc = wait_used(t, vq, &got, &len);
	if (rc)
		return rc;
	if (used)
		*used = len;
	return got == tok ? 0 : VPLAT_EPROTO;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool quiet_for(struct vplat_test_ctx *t, struct vplat_val_vq *vq, unsigned ms, void **tok)
{
	uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
	void *dummy;
	uint32_t len;
	do {
		if (vplat_val_vq_get_used(vq, tok ? tok : &dummy, &len) != VPLAT_EAGAIN)
			return false;
		vplat_t_poll(t);
	} while (mono_ns() < end);
	return true;
}

bool wait_status(struct vplat_test_ctx *t, uint8_t bits, unsigned ms)
{
	uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
	do {
		if ((vplat_val_get_status(t->d) & bits) == bits)
			return true;
		vplat_t_poll(t);
	} while (mono_ns() < end);
	return false;
}

uint64_t cfg(struct vplat_test_ctx *t, uint32_t off, unsigned size)
{
	uint8_t b[8] = {0};
	uint64_t v = 0;
	if (size > 8 || vplat_val_config_read_stable(t->d, off, b, size, 1000) != 0)
		return UINT64_MAX;
	for (unsigned i = size; i > 0; i--)
		v = v << 8 | b[i - 1];
	return v;
}

int blk_rqv(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type, uint32_t reserved,
	    uint64_t sector, void *const *data, const uint32_t *len, unsigned nd, bool data_in,
	    uint8_t *st, uint32_t *used)
{
	struct vplat_val_buf b[VPLAT_VAL_VQ_DEFAULT_SIZE];
	if (nd + 2 > sizeof(b) / sizeof(b[0]))
		return VPLAT_E2BIG;
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	struct vplat_virtio_blk_req_hdr *h = dmab(t, sizeof(*h));
	uint8_t *s = dmab(t, 1);
	if (!h || !s)
		return VPLAT_ENOMEM;
	h->type = vplat_cpu_to_le32(type);
	h->reserved = vplat_cpu_to_le32(reserved);
	h->sector = vplat_cpu_to_le64(sector);
	*s = BLK_NO_STATUS;
	unsigned n = 0;
	b[n++] = (struct vplat_val_buf){.ptr = h, .len = sizeof(*h)};
	for (unsigned i = 0; i < nd; i++)
		b[n++] = (struct vplat_val_buf){.ptr = data[i], .len = len[i]};
	b[n++] = (struct vplat_val_buf){.ptr = s, .len = 1};
	unsigned n_out = data_in ? 1 : 1 + nd;
	int rc = xfer(t, vq, b, n_out, n - n_out, used);
	*st = *s;
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

int blk_rq(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type, uint64_t sector,
	   void *data, uint32_t len, bool data_in, uint8_t *st, uint32_t *used)
{
	unsigned nd = data && len ? 1 : 0;
	return blk_rqv(t, vq, type, 0, sector, &data, &len, nd, data_in, st, used);
}

int blk_ranges(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint32_t type,
	       const struct blk_range *r, unsigned n, uint8_t *st, uint32_t *used)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	struct vplat_virtio_blk_discard_write_zeroes *seg = dmab(t, 16 * (n ? n : 1));
	if (!seg)
		return VPLAT_ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		seg[i].sector = vplat_cpu_to_le64(r[i].sector);
		seg[i].num_sectors = vplat_cpu_to_le32(r[i].num);
		seg[i].flags = vplat_cpu_to_le32(r[i].flags);
	}
	int rc = blk_rq(t, vq, type, 0, seg, 16 * n, false, st, used);
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

int net_ctrl(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint8_t cls, uint8_t cmd,
	     const void *data, uint32_t len, uint8_t *ack, uint32_t *used)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	uint8_t *c = dmab(t, 2 + len), *a = dmab(t, 1);
	if (!c || !a)
		return VPLAT_ENOMEM;
	c[0] = cls;
	c[1] = cmd;
	if (len)
		memcpy(c + 2, data, len);
	*a = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = c, .len = 2 + len}, {.ptr = a, .len = 1}};
	int rc = xfer(t, vq, b, 1, 1, used);
	*ack = *a;
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}
