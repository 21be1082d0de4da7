/* SPDX-License-Identifier: BSD-3-Clause */
/* DMA memory for the validation driver: a bump allocator over one guest-physical range. */
#include <string.h>
#include "vplat/val/val.h"

int vplat_val_mem_init(struct vplat_val_mem *m, void *base, uint64_t gpa, uint64_t size)
{
	if (!m || !base || size == 0)
		return VPLAT_EINVAL;
	if (gpa + size - 1 < gpa)
		return VPLAT_EOVERFLOW;
	m->base = base;
	m->gpa = gpa;
	m->size = size;
	m->used = 0;
	return 0;
}

void *vplat_val_alloc(struct vplat_val_mem *m, uint64_t size, uint64_t align, uint64_t *gpa)
{
	if (!m)
		return NULL;
	if (align == 0)
		align = 1;
	if (align & (align - 1))
		return NULL;
	if (size == 0)
		size = 1;
	/* Align the guest address; base and gpa need not share an alignment. */
	uint64_t start = m->gpa + m->used;
	uint64_t pad = (align - (start & (align - 1))) & (align - 1);
	if (pad > m->size - m->used || size > m->size - m->used - pad)
		return NULL;
	uint64_t off = m->used + pad;
	m->used = off + size;
	void *p = m->base + off;
	memset(p, 0, (size_t)size);
	if (gpa)
		*gpa = m->gpa + off;
	return p;
}

void vplat_val_mem_reset(struct vplat_val_mem *m)
{
	if (m)
		m->used = 0;
}

uint64_t vplat_val_mem_mark(const struct vplat_val_mem *m)
{
	return m ? m->used : 0;
}

void vplat_val_mem_release(struct vplat_val_mem *m, uint64_t mark)
{
	if (m && mark <= m->used)
		m->used = mark;
}

void *vplat_val_mem_ptr(const struct vplat_val_mem *m, uint64_t gpa, uint64_t len)
{
	if (!m || gpa < m->gpa)
		return NULL;
	uint64_t off = gpa - m->gpa;
	if (off >= m->size || len > m->size - off)
		return NULL;
	return m->base + off;
}

int vplat_val_mem_gpa(const struct vplat_val_mem *m, const void *ptr, uint64_t *gpa)
{
	if (!m || !ptr || !gpa)
		return VPLAT_EFAULT;
	uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)m->base;
	if (p < b || p - b >= m->size)
		return VPLAT_EFAULT;
	*gpa = m->gpa + (uint64_t)(p - b);
	return 0;
}
