/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ThreadSanitizer check of the Xen mapping cache's promise (vplat/backend/xen.h,
 * vplat_xen_mapcache_resolve): "the mapping of a chunk is serialised, a mapped chunk is looked
 * up without a lock". Built with -fsanitize=thread (tests/tsan/CMakeLists.txt).
 *
 * The fake hypervisor's map() really maps anonymous memory at the address the cache gives it
 * and writes each page's guest address into the page's first 8 bytes (plain stores), refusing
 * one page in every fourth chunk. Four threads then look up random guest addresses in both
 * banks, read the tags through the pointers they get (plain loads) and check them; a thread
 * that sees a chunk mapped by another thread through the lock-free path reads that thread's
 * stores, so those stores must happen before the read: the chunk's state byte published with
 * a release store and read with an acquire load. Each thread first maps a share of the chunks
 * and then waits, without synchronising, for the others: every later read of another thread's
 * chunk goes through the lock-free path. Make either side relaxed and ThreadSanitizer reports
 * a data race here (docs/xen.md, "Mapping cache"). Between rounds the threads stop and
 * the cache is dropped (a drop must not run concurrently with lookups); each round maps every
 * chunk exactly once.
 *
 * Exit 0 when every check held; ThreadSanitizer's report makes the program exit non-zero
 * (TSAN_OPTIONS=halt_on_error=1 exitcode=66 from CTest).
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vplat/backend/xen.h"

#define PG 4096ull
#define CH ((uint64_t)VPLAT_XEN_CHUNK_SIZE)
#define NCH0 16u /* bank 0 chunks */
#define NCH1 4u  /* bank 1 chunks */
#define NCHUNK (NCH0 + NCH1)
#define THREADS 4u
#define LOOKUPS 20000u
#define ROUNDS 3u

static const struct vplat_xen_ram_bank banks[2] = {
	{0x40000000ull, NCH0 * CH},
	{VPLAT_XEN_ARM_RAM1_BASE, NCH1 * CH},
};
static uint8_t *va[2];
static struct vplat_xen_mapcache *mc;
static unsigned map_calls[NCHUNK]; /* per chunk, atomic */
static unsigned failures;          /* atomic */

static unsigned chunk_index(uint64_t gpa)
{
	if (gpa >= banks[1].base)
		return NCH0 + (unsigned)((gpa - banks[1].base) / CH);
	return (unsigned)((gpa - banks[0].base) / CH);
}

/* The page refused in a chunk whose index is a multiple of 4: its 7th page. */
static int refused(uint64_t gpa)
{
	unsigned ci = chunk_index(gpa);

	return ci % 4u == 0 && (gpa & (CH - 1)) / PG == 7;
}

static void fail(const char *what, uint64_t gpa, uint64_t x)
{
	fprintf(stderr, "FAIL: %s at 0x%llx (0x%llx)\n", what, (unsigned long long)gpa,
		(unsigned long long)x);
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static int fake_map(void *opaque, uint64_t gpa, uint64_t npages, void *at, int *errs)
{
	(void)opaque;
	if (mmap(at, npages * PG, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0) == MAP_FAILED)
		return -1;
	__atomic_add_fetch(&map_calls[chunk_index(gpa)], 1, __ATOMIC_RELAXED);
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t g = gpa + i * PG;

		errs[i] = refused(g) ? -1 : 0;
		if (!refused(g))
			memcpy((uint8_t *)at + i * PG, &g, sizeof(g)); /* plain store */
	}
	return 0;
}

static void fake_unmap(void *opaque, void *at, uint64_t bytes)
{
	(void)opaque;
	if (mmap(at, bytes, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		 0) == MAP_FAILED)
		fail("unmap", 0, bytes);
}

static void fake_release(void *opaque, void *at, uint64_t bytes)
{
	(void)opaque;
	munmap(at, bytes);
}

static const struct vplat_xen_mapcache_ops ops = {fake_map, fake_unmap, fake_release};

static unsigned mapped_own[THREADS]; /* per thread: its chunks are mapped (relaxed only) */

static uint64_t chunk_gpa(unsigned ci)
{
	return ci < NCH0 ? banks[0].base + ci * CH : banks[1].base + (ci - NCH0) * CH;
}

static void *looker(void *arg)
{
	unsigned id = (unsigned)((uintptr_t)arg % THREADS);
	uint64_t x = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1), got;

	/* First each thread maps its own chunks (the 8th page: never refused), then says so with
	 * a relaxed store, which orders nothing; so when another thread reads those chunks below,
	 * only the cache's own release/acquire pair orders the mapping before the read. */
	for (unsigned ci = id; ci < NCHUNK; ci += THREADS)
		if (vplat_xen_mapcache_resolve(mc, chunk_gpa(ci) + 8u * PG, 1, &got) == NULL)
			fail("own chunk not mapped", chunk_gpa(ci), 0);
	__atomic_store_n(&mapped_own[id], 1u, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < THREADS; i++)
		while (__atomic_load_n(&mapped_own[i], __ATOMIC_RELAXED) == 0)
			sched_yield();
	for (unsigned n = 0; n < LOOKUPS; n++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		const struct vplat_xen_ram_bank *b = &banks[(x >> 60) % 4u == 0 ? 1 : 0];
		uint64_t gpa = b->base + (x % (b->size / 8u)) * 8u, len = 1u + (x >> 40) % (3u * CH);
		uint64_t avail = 0, page = gpa & ~(PG - 1);
		uint8_t *p = vplat_xen_mapcache_resolve(mc, gpa, len, &avail);
		uint64_t tag;

		if (refused(gpa)) {
			if (p != NULL)
				fail("refused page translated", gpa, avail);
			continue;
		}
		if (p == NULL) {
			fail("mapped page not translated", gpa, 0);
			continue;
		}
		if (avail == 0 || (uintptr_t)p % 8u != 0) {
			fail("bad answer", gpa, avail);
			continue;
		}
		/* The tag of the address's own page and of the last page of the answered run. */
		memcpy(&tag, p - (gpa - page), sizeof(tag)); /* plain load */
		if (tag != page)
			fail("wrong page contents", gpa, tag);
		uint64_t last = (gpa + avail - 1) & ~(PG - 1);

		memcpy(&tag, p + (last - gpa), sizeof(tag));
		if (tag != last)
			fail("wrong contents at the end of the run", last, tag);
		if (refused(gpa + avail) == 0 && gpa + avail < b->base + b->size &&
		    (gpa + avail) % CH != 0 && avail < len)
			fail("run cut short inside a chunk", gpa, avail);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];

	for (unsigned i = 0; i < 2; i++) {
		va[i] = mmap(NULL, banks[i].size, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (va[i] == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	if (vplat_xen_mapcache_new(&mc, banks, 2, va, &ops, NULL) != 0) {
		fprintf(stderr, "FAIL: vplat_xen_mapcache_new\n");
		return 1;
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		memset(map_calls, 0, sizeof(map_calls));
		memset(mapped_own, 0, sizeof(mapped_own));
		for (uintptr_t i = 0; i < THREADS; i++)
			if (pthread_create(&t[i], NULL, looker, (void *)(i + r * THREADS)) != 0) {
				perror("pthread_create");
				return 1;
			}
		for (unsigned i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
		for (unsigned c = 0; c < NCHUNK; c++)
			if (map_calls[c] != 1)
				fail("chunk mapping calls in a round (want 1)", c, map_calls[c]);
		vplat_xen_mapcache_drop(mc);
	}
	struct vplat_xen_mapcache_stats st;

	vplat_xen_mapcache_stats(mc, &st);
	vplat_xen_mapcache_free(mc);
	printf("%u threads x %u lookups x %u rounds: %llu chunk mappings, %llu pages refused, "
	       "%llu drops, %u failures\n",
	       THREADS, LOOKUPS, ROUNDS, (unsigned long long)st.map_calls,
	       (unsigned long long)st.pages_refused, (unsigned long long)st.drops, failures);
	return failures == 0 ? 0 : 1;
}
