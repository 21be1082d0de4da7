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
	m->resolve = NULL;
	m->resolve_opaque = NULL;
	return 0;
}

int vplat_mem_set_resolver(struct vplat_mem *m, vplat_mem_resolve_fn resolver, void *opaque)
{
	if (!m)
		return VPLAT_EINVAL;
	m->resolve = resolver;
	m->resolve_opaque = opaque;
	m->generation++;
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

/* The resolver's path is kept out of line and the hit path inline, so that lookups that hit a
 * region (every lookup of a map without a resolver) use the stack they always did
 * (docs/stack.md). */
#if defined(__GNUC__)
#define MEM_COLD __attribute__((noinline, cold))
#define MEM_INLINE __attribute__((always_inline)) inline
#else
#define MEM_COLD
#define MEM_INLINE inline
#endif

/*
 * No region contains addr (i: the floor region, -1 if none): ask the resolver, and check what
 * it answers as if it came from a guest: at least one byte, no wrap of either address space,
 * and no further than where the map's next region begins.
 */
MEM_COLD static uint8_t *ask_resolver(const struct vplat_mem *m, int32_t i, uint64_t addr,
				      uint64_t want, uint64_t *avail)
{
	uint64_t n = 0;
	uint8_t *p = m->resolve != NULL ? m->resolve(m->resolve_opaque, addr, want, &n) : NULL;

	if (p == NULL || n == 0 || addr + (n - 1) < addr || n - 1 > (uint64_t)UINTPTR_MAX ||
	    (uintptr_t)p + (n - 1) < (uintptr_t)p)
		return NULL;
	uint32_t next = (uint32_t)(i + 1);
	if (next < m->nregions && m->regions[next].gpa - addr < n)
		n = m->regions[next].gpa - addr;
	*avail = n;
	return p;
}

/* Host address of addr and the bytes mapped contiguously from it (*avail, at least 1), or NULL.
 * want: the bytes the caller needs from addr (at least 1), a hint for the resolver. */
static MEM_INLINE uint8_t *lookup(const struct vplat_mem *m, uint64_t addr, uint64_t want,
				  uint64_t *avail)
{
	int32_t i = find_floor(m, addr);

	if (i >= 0) {
		const struct vplat_mem_region *r = &m->regions[i];
		uint64_t off = addr - r->gpa;
		if (off < r->size) {
			*avail = r->size - off;
			return (uint8_t *)r->hva + off;
		}
	}
	return ask_resolver(m, i, addr, want, avail);
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
	uint64_t avail = 0;

	if (len == 0)
		return NULL;
	uint8_t *p = lookup(m, gpa, len, &avail);
	return p != NULL && len <= avail ? p : NULL;
}

int vplat_mem_map(const struct vplat_mem *m, uint64_t gpa, uint64_t len, struct vplat_iov *iov,
		  uint32_t iov_cap, uint32_t *n)
{
	uint32_t k = *n;

	while (len > 0) {
		uint64_t chunk = 0;
		uint8_t *p = lookup(m, gpa, len, &chunk);
		if (!p)
			return VPLAT_EFAULT;
		if (k >= iov_cap)
			return VPLAT_E2BIG;
		if (chunk > len)
			chunk = len;
		if (chunk > (uint64_t)SIZE_MAX)
			chunk = SIZE_MAX;
		iov[k].base = p;
		iov[k].len = (size_t)chunk;
		k++;
		len -= chunk;
		gpa += chunk; /* cannot wrap unless len was left over, caught by lookup() */
		if (len > 0 && gpa == 0)
			return VPLAT_EFAULT;
	}
	*n = k;
	return 0;
}

/* Walk [gpa, gpa+len) region by region; fail before touching anything if a byte is missing. */
static MEM_INLINE int mem_check(const struct vplat_mem *m, uint64_t gpa, uint64_t len)
{
	while (len > 0) {
		uint64_t chunk = 0;
		if (!lookup(m, gpa, len, &chunk))
			return VPLAT_EFAULT;
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
		uint64_t avail = 0;
		const uint8_t *p = lookup(m, gpa, len, &avail);
		if (!p)
			return VPLAT_EFAULT; /* a resolver changed its answer within the call */
		size_t chunk = avail < len ? (size_t)avail : len;
		(void)memcpy(d, p, chunk);
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
		uint64_t avail = 0;
		uint8_t *p = lookup(m, gpa, len, &avail);
		if (!p)
			return VPLAT_EFAULT; /* a resolver changed its answer within the call */
		size_t chunk = avail < len ? (size_t)avail : len;
		(void)memcpy(p, s, chunk);
		s += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return rc;
}
