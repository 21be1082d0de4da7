/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mapping cache of a Xen domain's RAM (vplat/backend/xen.h): each bank has one address-space
 * reservation; a chunk of VPLAT_XEN_CHUNK_SIZE is foreign-mapped into its place in the
 * reservation the first time a lookup touches it and stays mapped until a drop. Chunks next
 * to each other are contiguous in the host, so a lookup is answered with the run of mapped
 * pages from the address on, across chunk boundaries.
 *
 * Per chunk a state byte (unmapped, full, partial, failed, lost), per page a bit (mapped),
 * read without a lock: the bits of a chunk are written before its state is published with a
 * release store. Mapping a chunk is serialised by a mutex and checks the state again under it.
 * No Xen call here: the mapping goes through the caller's ops, so this runs in unit tests.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vplat/backend/xen.h"
#include "vplat/error.h"

#define PAGE_SHIFT 12u
#define CHUNK_PAGES (VPLAT_XEN_CHUNK_SIZE >> PAGE_SHIFT)
/* Most chunks one lookup maps or spans, its own included (64 MiB): bounds the work per lookup. */
#define SPAN_CHUNKS 32u

enum {
	CH_UNMAPPED = 0, /* not tried since the last drop */
	CH_FULL,         /* mapped, every page */
	CH_PARTIAL,      /* mapped, some pages refused (per-page bits) */
	CH_FAILED,       /* the mapping call failed; range still reserved; retried after a drop */
	CH_LOST,         /* the mapping call failed and the range is no longer ours */
};

struct mc_bank {
	uint64_t base, pages, chunks;
	uint8_t *va;
	uint8_t *state;  /* per chunk */
	uint64_t *bits;  /* per page: mapped */
};

struct vplat_xen_mapcache {
	struct mc_bank bank[2];
	unsigned nbanks;
	struct vplat_xen_mapcache_ops ops;
	void *opaque;
	pthread_mutex_t lock;
	int errs[CHUNK_PAGES]; /* scratch of map(), under the lock */
	struct vplat_xen_mapcache_stats st;
};

static uint8_t state_of(const struct mc_bank *b, uint64_t chunk)
{
	return __atomic_load_n(&b->state[chunk], __ATOMIC_ACQUIRE);
}

static bool bit(const struct mc_bank *b, uint64_t page)
{
	return (b->bits[page / 64u] >> (page % 64u)) & 1u;
}

static uint64_t chunk_pages(const struct mc_bank *b, uint64_t chunk)
{
	uint64_t first = chunk * CHUNK_PAGES;

	return b->pages - first < CHUNK_PAGES ? b->pages - first : CHUNK_PAGES;
}

/* Map one chunk if nobody has since the last drop; returns its state. */
static uint8_t map_chunk(struct vplat_xen_mapcache *c, struct mc_bank *b, uint64_t chunk)
{
	uint8_t st;

	(void)pthread_mutex_lock(&c->lock);
	st = b->state[chunk];
	if (st == CH_UNMAPPED) {
		uint64_t first = chunk * CHUNK_PAGES, n = chunk_pages(b, chunk), ok = 0;
		int rc = c->ops.map(c->opaque, b->base + (first << PAGE_SHIFT), n,
				    b->va + (first << PAGE_SHIFT), c->errs);

		c->st.map_calls++;
		if (rc == 0) {
			for (uint64_t i = 0; i < n; i++) {
				if (c->errs[i] == 0) {
					b->bits[(first + i) / 64u] |= (uint64_t)1 << ((first + i) % 64u);
					ok++;
				}
			}
			c->st.pages_refused += n - ok;
			c->st.chunks_mapped++;
			st = ok == n ? CH_FULL : CH_PARTIAL;
		} else {
			c->st.map_failures++;
			c->st.pages_refused += n;
			st = rc == VPLAT_EEXIST ? CH_LOST : CH_FAILED;
		}
		__atomic_store_n(&b->state[chunk], st, __ATOMIC_RELEASE);
	}
	(void)pthread_mutex_unlock(&c->lock);
	return st;
}

/* Is the page mapped (mapping its chunk first if it has not been tried)? */
static bool page_ok(struct vplat_xen_mapcache *c, struct mc_bank *b, uint64_t page)
{
	uint64_t chunk = page / CHUNK_PAGES;
	uint8_t st = state_of(b, chunk);

	if (st == CH_UNMAPPED)
		st = map_chunk(c, b, chunk);
	return st == CH_FULL || (st == CH_PARTIAL && bit(b, page));
}

/* First page after the run of mapped pages that starts at @p page, within its chunk. */
static uint64_t run_end(const struct mc_bank *b, uint64_t page)
{
	uint64_t chunk = page / CHUNK_PAGES, end = chunk * CHUNK_PAGES + chunk_pages(b, chunk);

	if (state_of(b, chunk) == CH_FULL)
		return end;
	while (page < end && bit(b, page))
		page++;
	return page;
}

void *vplat_xen_mapcache_resolve(void *cache, uint64_t gpa, uint64_t len, uint64_t *avail)
{
	struct vplat_xen_mapcache *c = cache;
	struct mc_bank *b = NULL;

	if (c == NULL || avail == NULL)
		return NULL;
	for (unsigned i = 0; i < c->nbanks; i++)
		if (gpa >= c->bank[i].base && (gpa - c->bank[i].base) >> PAGE_SHIFT < c->bank[i].pages)
			b = &c->bank[i];
	if (b == NULL)
		return NULL;
	uint64_t off = gpa - b->base, page = off >> PAGE_SHIFT;
	/* The last page wanted, within the bank and at most SPAN_CHUNKS chunks further. */
	uint64_t room = (b->pages << PAGE_SHIFT) - off;
	uint64_t last = (len == 0 || len > room) ? b->pages - 1 : (off + len - 1) >> PAGE_SHIFT;

	if (last / CHUNK_PAGES - page / CHUNK_PAGES >= SPAN_CHUNKS)
		last = (page / CHUNK_PAGES + SPAN_CHUNKS) * CHUNK_PAGES - 1;
	if (!page_ok(c, b, page))
		return NULL;
	uint64_t end = run_end(b, page);

	/* Continue into the next chunks while the run reached the end of one. */
	while (end <= last && end % CHUNK_PAGES == 0 && end < b->pages && page_ok(c, b, end))
		end = run_end(b, end);
	*avail = (end << PAGE_SHIFT) - off;
	return b->va + off;
}

void vplat_xen_mapcache_drop(struct vplat_xen_mapcache *c)
{
	if (c == NULL)
		return;
	(void)pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < c->nbanks; i++) {
		struct mc_bank *b = &c->bank[i];

		for (uint64_t ch = 0; ch < b->chunks; ch++) {
			uint8_t st = b->state[ch];
			uint64_t first = ch * CHUNK_PAGES;

			if (st == CH_FULL || st == CH_PARTIAL)
				c->ops.unmap(c->opaque, b->va + (first << PAGE_SHIFT),
					     chunk_pages(b, ch) << PAGE_SHIFT);
			if (st != CH_LOST)
				__atomic_store_n(&b->state[ch], (uint8_t)CH_UNMAPPED, __ATOMIC_RELEASE);
		}
		memset(b->bits, 0, (b->pages + 63u) / 64u * sizeof(uint64_t));
	}
	c->st.chunks_mapped = 0;
	c->st.drops++;
	(void)pthread_mutex_unlock(&c->lock);
}

void vplat_xen_mapcache_stats(const struct vplat_xen_mapcache *c,
			      struct vplat_xen_mapcache_stats *out)
{
	if (c == NULL || out == NULL)
		return;
	(void)pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	*out = c->st;
	(void)pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
}

static void free_banks(struct vplat_xen_mapcache *c)
{
	for (unsigned i = 0; i < 2; i++) {
		free(c->bank[i].state);
		free(c->bank[i].bits);
	}
	free(c);
}

void vplat_xen_mapcache_free(struct vplat_xen_mapcache *c)
{
	if (c == NULL)
		return;
	vplat_xen_mapcache_drop(c);
	/* Give back each run of chunks that are still ours, skipping lost ones. */
	for (unsigned i = 0; i < c->nbanks; i++) {
		struct mc_bank *b = &c->bank[i];

		for (uint64_t ch = 0; ch < b->chunks;) {
			if (b->state[ch] == CH_LOST) {
				ch++;
				continue;
			}
			uint64_t e = ch;

			while (e < b->chunks && b->state[e] != CH_LOST)
				e++;
			uint64_t from = ch * CHUNK_PAGES,
				 to = e == b->chunks ? b->pages : e * CHUNK_PAGES;

			c->ops.release(c->opaque, b->va + (from << PAGE_SHIFT),
				       (to - from) << PAGE_SHIFT);
			ch = e;
		}
	}
	(void)pthread_mutex_destroy(&c->lock);
	free_banks(c);
}

int vplat_xen_mapcache_new(struct vplat_xen_mapcache **out, const struct vplat_xen_ram_bank *banks,
			   unsigned nbanks, uint8_t *const *va, const struct vplat_xen_mapcache_ops *ops,
			   void *opaque)
{
	if (out == NULL || banks == NULL || va == NULL || ops == NULL || ops->map == NULL ||
	    ops->unmap == NULL || ops->release == NULL || nbanks == 0 || nbanks > 2)
		return VPLAT_EINVAL;
	*out = NULL;
	for (unsigned i = 0; i < nbanks; i++) {
		const struct vplat_xen_ram_bank *r = &banks[i];

		if (va[i] == NULL || r->size == 0 || ((r->base | r->size) & 0xfffu) != 0 ||
		    r->base + (r->size - 1) < r->base)
			return VPLAT_EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (banks[j].base - r->base < r->size || r->base - banks[j].base < banks[j].size)
				return VPLAT_EINVAL;
	}
	struct vplat_xen_mapcache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return VPLAT_ENOMEM;
	c->nbanks = nbanks;
	c->ops = *ops;
	c->opaque = opaque;
	for (unsigned i = 0; i < nbanks; i++) {
		struct mc_bank *b = &c->bank[i];

		b->base = banks[i].base;
		b->pages = banks[i].size >> PAGE_SHIFT;
		b->chunks = (b->pages + CHUNK_PAGES - 1) / CHUNK_PAGES;
		b->va = va[i];
		b->state = calloc(b->chunks, 1);
		b->bits = calloc((b->pages + 63u) / 64u, sizeof(uint64_t));
		if (b->state == NULL || b->bits == NULL) {
			free_banks(c);
			return VPLAT_ENOMEM;
		}
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free_banks(c);
		return VPLAT_ENOMEM;
	}
	*out = c;
	return 0;
}
