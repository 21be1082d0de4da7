/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory map. Regions are kept sorted by guest address and never overlap, so a lookup is
 * a binary search. Every range check is written so that it cannot overflow: we compare
 * offsets against sizes instead of computing end addresses from guest-supplied values.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/mem.h"

int vplat_mem_init(struct vplat_mem *m, struct vplat_mem_region *storage, uint32_t max)
{
	if (!m || !storage || max == 0)
		return VPLAT_EINVAL;
	m->regions = storage;
	m->nregions = 0;
	m->max_regions = max;
	m->generation = 0;
	return 0;
}

/* Index of the last region with gpa <= addr, or -1. */
static int32_t find_floor(const struct vplat_mem *m, uint64_t addr)
{
	int32_t lo = 0, hi = (int32_t)m->nregions - 1, found = -1;

	while (lo <= hi) {
		int32_t mid = lo + (hi - lo) / 2;
		if (m->regions[mid].gpa <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/* The region containing addr, or NULL. */
static const struct vplat_mem_region *find(const struct vplat_mem *m, uint64_t addr)
{
	int32_t i = find_floor(m, addr);

	if (i < 0)
		return NULL;
	const struct vplat_mem_region *r = &m->regions[i];
	return addr - r->gpa < r->size ? r : NULL;
}

int vplat_mem_add(struct vplat_mem *m, uint64_t gpa, uint64_t size, void *hva)
{
	if (!m || !hva || size == 0)
		return VPLAT_EINVAL;
	if (gpa + (size - 1) < gpa || (uintptr_t)hva + (size - 1) < (uintptr_t)hva ||
	    size - 1 > (uint64_t)UINTPTR_MAX)
		return VPLAT_EOVERFLOW;
	if (m->nregions == m->max_regions)
		return VPLAT_ENOSPC;

	int32_t i = find_floor(m, gpa);
	/* The region below must end before gpa; the one above must start after our end. */
	if (i >= 0 && gpa - m->regions[i].gpa < m->regions[i].size)
		return VPLAT_EEXIST;
	uint32_t pos = (uint32_t)(i + 1);
	if (pos < m->nregions && m->regions[pos].gpa - gpa < size)
		return VPLAT_EEXIST;

	memmove(&m->regions[pos + 1], &m->regions[pos],
		(m->nregions - pos) * sizeof(m->regions[0]));
	m->regions[pos].gpa = gpa;
	m->regions[pos].size = size;
	m->regions[pos].hva = hva;
	m->nregions++;
	m->generation++;
	return 0;
}

int vplat_mem_remove(struct vplat_mem *m, uint64_t gpa, uint64_t size)
{
	int32_t i = m ? find_floor(m, gpa) : -1;

	if (i < 0 || m->regions[i].gpa != gpa || m->regions[i].size != size)
		return VPLAT_ENOENT;
	(void)memmove(&m->regions[i], &m->regions[i + 1],
		(m->nregions - (uint32_t)i - 1) * sizeof(m->regions[0]));
	m->nregions--;
	m->generation++;
	return 0;
}

void vplat_mem_clear(struct vplat_mem *m)
{
	m->nregions = 0;
	m->generation++;
}

void *vplat_mem_translate(const struct vplat_mem *m, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return NULL;
	const struct vplat_mem_region *r = find(m, gpa);
	if (!r)
		return NULL;
	uint64_t off = gpa - r->gpa;
	if (len > r->size - off)
		return NULL;
	return (uint8_t *)r->hva + off;
}

int vplat_mem_map(const struct vplat_mem *m, uint64_t gpa, uint64_t len, struct vplat_iov *iov,
		  uint32_t iov_cap, uint32_t *n)
{
	uint32_t k = *n;

	while (len > 0) {
		const struct vplat_mem_region *r = find(m, gpa);
		if (!r)
			return VPLAT_EFAULT;
		if (k >= iov_cap)
			return VPLAT_E2BIG;
		uint64_t off = gpa - r->gpa;
		uint64_t chunk = r->size - off;
		if (chunk > len)
			chunk = len;
		if (chunk > (uint64_t)SIZE_MAX)
			chunk = SIZE_MAX;
		iov[k].base = (uint8_t *)r->hva + off;
		iov[k].len = (size_t)chunk;
		k++;
		len -= chunk;
		gpa += chunk; /* cannot wrap unless len was left over, caught by find() */
		if (len > 0 && gpa == 0)
			return VPLAT_EFAULT;
	}
	*n = k;
	return 0;
}

/* Walk [gpa, gpa+len) region by region; fail before touching anything if a byte is missing. */
static int mem_check(const struct vplat_mem *m, uint64_t gpa, uint64_t len)
{
	while (len > 0) {
		const struct vplat_mem_region *r = find(m, gpa);
		if (!r)
			return VPLAT_EFAULT;
		uint64_t chunk = r->size - (gpa - r->gpa);
		if (chunk >= len)
			return 0;
		len -= chunk;
		gpa += chunk;
		if (gpa == 0)
			return VPLAT_EFAULT;
	}
	return 0;
}

int vplat_mem_read(const struct vplat_mem *m, uint64_t gpa, void *dst, size_t len)
{
	int rc = mem_check(m, gpa, len);
	uint8_t *d = dst;

	while (rc == 0 && len > 0) {
		const struct vplat_mem_region *r = find(m, gpa);
		uint64_t off = gpa - r->gpa;
		size_t chunk = r->size - off < len ? (size_t)(r->size - off) : len;
		memcpy(d, (const uint8_t *)r->hva + off, chunk);
		d += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return rc;
}

int vplat_mem_write(const struct vplat_mem *m, uint64_t gpa, const void *src, size_t len)
{
	int rc = mem_check(m, gpa, len);
	const uint8_t *s = src;

	while (rc == 0 && len > 0) {
		const struct vplat_mem_region *r = find(m, gpa);
		uint64_t off = gpa - r->gpa;
		size_t chunk = r->size - off < len ? (size_t)(r->size - off) : len;
		memcpy((uint8_t *)r->hva + off, s, chunk);
		s += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return rc;
}
