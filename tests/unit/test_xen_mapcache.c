/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Xen back end's RAM mapping cache (backends/xen/xen_mapcache.c) as the resolver of a
 * memory map, with the foreign mapping faked: chunks mapped on first touch only, once; pages
 * the hypervisor refuses never translated; failed and lost chunks; drops; the work per lookup
 * bounded; concurrent lookups mapping each chunk once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testutil.h"
#include "vplat/backend/xen.h"
#include "vplat/error.h"
#include "vplat/mem.h"

#define CH VPLAT_XEN_CHUNK_SIZE
#define PG 4096ull
#define B0 0x40000000ull
#define B1 VPLAT_XEN_ARM_RAM1_BASE
#define MAXCALLS 256

/* The fake hypervisor: which pages it refuses, how a mapping call fails, what was called. */
static struct {
	uint64_t refuse_gpa;  /* a page refused (0: none) */
	uint64_t fail_gpa;    /* a chunk whose mapping call fails (0: none) */
	int fail_rc;          /* with this result */
	unsigned calls, unmaps, releases;
	uint64_t call_gpa[MAXCALLS], call_np[MAXCALLS];
	void *call_at[MAXCALLS];
	uint64_t released; /* bytes released */
	void *release_at[8];
	uint64_t release_bytes[8];
} fx;
static pthread_mutex_t fx_lock = PTHREAD_MUTEX_INITIALIZER; /* fake_map() from several threads */

static int fake_map(void *opaque, uint64_t gpa, uint64_t npages, void *at, int *errs)
{
	ck_assert_ptr_eq(opaque, &fx);
	ck_assert_uint_le(npages, CH / PG);
	pthread_mutex_lock(&fx_lock);
	if (fx.calls < MAXCALLS) {
		fx.call_gpa[fx.calls] = gpa;
		fx.call_np[fx.calls] = npages;
		fx.call_at[fx.calls] = at;
	}
	fx.calls++;
	pthread_mutex_unlock(&fx_lock);
	if (fx.fail_gpa != 0 && fx.fail_gpa == gpa)
		return fx.fail_rc;
	for (uint64_t i = 0; i < npages; i++)
		errs[i] = gpa + i * PG == fx.refuse_gpa ? -1 : 0;
	return 0;
}

static void fake_unmap(void *opaque, void *at, uint64_t bytes)
{
	(void)opaque;
	(void)at;
	ck_assert_uint_eq(bytes % PG, 0);
	fx.unmaps++;
}

static void fake_release(void *opaque, void *at, uint64_t bytes)
{
	(void)opaque;
	if (fx.releases < 8) {
		fx.release_at[fx.releases] = at;
		fx.release_bytes[fx.releases] = bytes;
	}
	fx.releases++;
	fx.released += bytes;
}

static const struct vplat_xen_mapcache_ops ops = {fake_map, fake_unmap, fake_release};

/* Bank 0: 3 chunks and 2 pages (the last chunk short); bank 1: 1 chunk. The "reservations"
 * are inaccessible anonymous mappings: the cache hands out addresses, nothing touches them. */
static const struct vplat_xen_ram_bank banks[2] = {{B0, 3 * CH + 2 * PG}, {B1, CH}};
static uint8_t *va[2];
static struct vplat_xen_mapcache *mc;
static struct vplat_mem_region storage[1];
static struct vplat_mem m;

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	for (unsigned i = 0; i < 2; i++) {
		va[i] = mmap(NULL, banks[i].size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			     -1, 0);
		ck_assert_ptr_ne(va[i], MAP_FAILED);
	}
	ck_assert_int_eq(vplat_xen_mapcache_new(&mc, banks, 2, va, &ops, &fx), 0);
	ck_assert_int_eq(vplat_mem_init(&m, storage, 1), 0);
	ck_assert_int_eq(vplat_mem_set_resolver(&m, vplat_xen_mapcache_resolve, mc), 0);
}

static void teardown(void)
{
	vplat_xen_mapcache_free(mc);
	for (unsigned i = 0; i < 2; i++)
		munmap(va[i], banks[i].size);
}

START_TEST(chunks_mapped_on_first_touch_once)
{
	struct vplat_xen_mapcache_stats st;

	ck_assert_uint_eq(fx.calls, 0); /* nothing mapped up front */
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + CH + 0x10, 64), va[0] + CH + 0x10);
	ck_assert_uint_eq(fx.calls, 1);
	ck_assert_uint_eq(fx.call_gpa[0], B0 + CH); /* exactly the chunk around the address */
	ck_assert_uint_eq(fx.call_np[0], CH / PG);
	ck_assert_ptr_eq(fx.call_at[0], va[0] + CH);
	/* Again, anywhere in that chunk: no new mapping. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 2 * CH - PG, PG), va[0] + 2 * CH - PG);
	ck_assert_uint_eq(fx.calls, 1);
	/* A range across into the next chunk: that one mapped too, one contiguous host range. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 2 * CH - 8, 16), va[0] + 2 * CH - 8);
	ck_assert_uint_eq(fx.calls, 2);
	ck_assert_uint_eq(fx.call_gpa[1], B0 + 2 * CH);
	/* The short last chunk: its two pages only; its end is the bank's. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 3 * CH, 2 * PG), va[0] + 3 * CH);
	ck_assert_uint_eq(fx.call_np[2], 2);
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + 3 * CH, 2 * PG + 1));
	/* vplat_mem_map over chunks 1..3 is one segment (the reservation keeps them together). */
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, B0 + CH, 2 * CH + 2 * PG, iov, 4, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(iov[0].base, va[0] + CH);
	/* The second bank: mapped on its own touch, at its own reservation. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, B1 + 0x1234, 4), va[1] + 0x1234);
	ck_assert_uint_eq(fx.call_gpa[3], B1);
	vplat_xen_mapcache_stats(mc, &st);
	ck_assert_uint_eq(st.chunks_mapped, 4);
	ck_assert_uint_eq(st.map_calls, 4);
	ck_assert_uint_eq(st.pages_refused, 0);
}
END_TEST

START_TEST(outside_the_banks_refused)
{
	/* covers: VPLAT-FFI-001 */
	/* Below, between and after the banks; a range running off a bank's end; lengths that
	 * would wrap: refused, and no mapping is attempted for any of them. */
	uint8_t b[8];

	ck_assert_ptr_null(vplat_mem_translate(&m, B0 - 1, 1));
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + 3 * CH + 2 * PG, 1));
	ck_assert_ptr_null(vplat_mem_translate(&m, B1 - PG, 1));
	ck_assert_ptr_null(vplat_mem_translate(&m, B1 + CH, 1));
	ck_assert_ptr_null(vplat_mem_translate(&m, UINT64_MAX, 1));
	ck_assert_uint_eq(fx.calls, 0);
	ck_assert_ptr_null(vplat_mem_translate(&m, B1 + CH - 4, 8));
	ck_assert_ptr_null(vplat_mem_translate(&m, B1 + CH - 4, UINT64_MAX));
	ck_assert_int_eq(vplat_mem_read(&m, B1 + CH - 4, b, 8), VPLAT_EFAULT);
	uint64_t n = 0;
	ck_assert_ptr_eq(vplat_xen_mapcache_resolve(mc, B1 + CH - 1, UINT64_MAX, &n), va[1] + CH - 1);
	ck_assert_uint_eq(n, 1); /* a run, never past the bank */
	ck_assert_ptr_null(vplat_xen_mapcache_resolve(NULL, B1, 1, &n));
	ck_assert_ptr_null(vplat_xen_mapcache_resolve(mc, B1, 1, NULL));
}
END_TEST

START_TEST(refused_pages_never_translated)
{
	/* covers: VPLAT-FFI-001 */
	/* Xen refuses one page of chunk 0 (not the domain's): it, and any range over it, fails;
	 * its neighbours translate, each up to the hole. */
	fx.refuse_gpa = B0 + 5 * PG;
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + 5 * PG + 8, 8));
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + 4 * PG, 2 * PG));
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 4 * PG, PG), va[0] + 4 * PG);
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 6 * PG, CH - 6 * PG), va[0] + 6 * PG);
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, B0, 6 * PG, iov, 4, &n), VPLAT_EFAULT);
	ck_assert_uint_eq(n, 0);
	uint64_t avail = 0;
	ck_assert_ptr_null(vplat_xen_mapcache_resolve(mc, B0 + 5 * PG, 1, &avail));
	ck_assert_ptr_eq(vplat_xen_mapcache_resolve(mc, B0 + 2 * PG + 8, 1, &avail),
			 va[0] + 2 * PG + 8);
	ck_assert_uint_eq(avail, 3 * PG - 8); /* the run stops at the hole */
	ck_assert_ptr_eq(vplat_xen_mapcache_resolve(mc, B0 + 7 * PG, 1, &avail), va[0] + 7 * PG);
	ck_assert_uint_eq(avail, CH - 7 * PG);
	/* A partial chunk's run does not continue into the next chunk past a hole either. */
	fx.refuse_gpa = B0 + CH + CH - PG; /* the last page of chunk 1 */
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + 2 * CH - 8, 16));
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 2 * CH, 16), va[0] + 2 * CH);
	struct vplat_xen_mapcache_stats st;
	vplat_xen_mapcache_stats(mc, &st);
	ck_assert_uint_eq(st.pages_refused, 2);
	ck_assert_uint_eq(st.map_calls, 3);
}
END_TEST

START_TEST(failed_chunk_not_retried_until_a_drop)
{
	/* A failed mapping call: the chunk fails lookups and is not called again per lookup (a
	 * guest pointing there cannot make every lookup a slow hypercall); a drop retries. */
	fx.fail_gpa = B0 + CH;
	fx.fail_rc = VPLAT_EIO;
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + CH, 1));
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + CH + PG, 1));
	ck_assert_uint_eq(fx.calls, 1);
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0, 1), va[0]);
	ck_assert_uint_eq(fx.calls, 2);
	struct vplat_xen_mapcache_stats st;
	vplat_xen_mapcache_stats(mc, &st);
	ck_assert_uint_eq(st.map_failures, 1);
	ck_assert_uint_eq(st.chunks_mapped, 1);
	vplat_xen_mapcache_drop(mc);
	ck_assert_uint_eq(fx.unmaps, 1); /* the mapped one only */
	fx.fail_gpa = 0;
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + CH, 1), va[0] + CH);
	ck_assert_uint_eq(fx.calls, 3);
}
END_TEST

START_TEST(lost_chunk_never_touched_again)
{
	/* A failed mapping call whose range was taken by someone else (VPLAT_EEXIST): never
	 * mapped into again, not even after a drop, and not released at free. */
	fx.fail_gpa = B0 + CH;
	fx.fail_rc = VPLAT_EEXIST;
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + CH, 1));
	vplat_xen_mapcache_drop(mc);
	ck_assert_ptr_null(vplat_mem_translate(&m, B0 + CH, 1));
	ck_assert_uint_eq(fx.calls, 1);
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 2 * CH, 1), va[0] + 2 * CH);
	vplat_xen_mapcache_free(mc);
	mc = NULL;
	ck_assert_uint_eq(fx.unmaps, 1);
	/* Released: bank 0 around the lost chunk (two ranges), bank 1 whole. */
	ck_assert_uint_eq(fx.releases, 3);
	ck_assert_ptr_eq(fx.release_at[0], va[0]);
	ck_assert_uint_eq(fx.release_bytes[0], CH);
	ck_assert_ptr_eq(fx.release_at[1], va[0] + 2 * CH);
	ck_assert_uint_eq(fx.release_bytes[1], CH + 2 * PG);
	ck_assert_ptr_eq(fx.release_at[2], va[1]);
	ck_assert_uint_eq(fx.released, banks[0].size - CH + banks[1].size);
}
END_TEST

START_TEST(drop_unmaps_and_maps_again)
{
	ck_assert_ptr_nonnull(vplat_mem_translate(&m, B0, 1));
	ck_assert_ptr_nonnull(vplat_mem_translate(&m, B0 + 3 * CH, 1));
	ck_assert_ptr_nonnull(vplat_mem_translate(&m, B1, 1));
	vplat_xen_mapcache_drop(mc);
	ck_assert_uint_eq(fx.unmaps, 3);
	struct vplat_xen_mapcache_stats st;
	vplat_xen_mapcache_stats(mc, &st);
	ck_assert_uint_eq(st.chunks_mapped, 0);
	ck_assert_uint_eq(st.drops, 1);
	ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + 8, 1), va[0] + 8);
	ck_assert_uint_eq(fx.calls, 4);
	vplat_xen_mapcache_free(mc);
	mc = NULL;
	ck_assert_uint_eq(fx.unmaps, 4); /* free drops what is mapped */
	ck_assert_uint_eq(fx.released, banks[0].size + banks[1].size);
}
END_TEST

START_TEST(work_per_lookup_bounded)
{
	/* A descriptor of 4 GiB from the start of a 256 MiB bank maps at most 32 chunks (64 MiB)
	 * per lookup; vplat_mem_map() goes on region by region. */
	static const struct vplat_xen_ram_bank big = {B0, 128 * CH};
	uint8_t *bva = mmap(NULL, big.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);
	struct vplat_xen_mapcache *c2;
	uint64_t avail = 0;

	ck_assert_ptr_ne(bva, MAP_FAILED);
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, &big, 1, &bva, &ops, &fx), 0);
	ck_assert_ptr_eq(vplat_xen_mapcache_resolve(c2, B0 + 8, 1ull << 32, &avail), bva + 8);
	ck_assert_uint_eq(fx.calls, 32);
	ck_assert_uint_eq(avail, 32 * CH - 8);
	struct vplat_mem m2;
	struct vplat_mem_region st2[1];
	struct vplat_iov iov[8];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_init(&m2, st2, 1), 0);
	ck_assert_int_eq(vplat_mem_set_resolver(&m2, vplat_xen_mapcache_resolve, c2), 0);
	ck_assert_int_eq(vplat_mem_map(&m2, B0, big.size, iov, 8, &n), 0);
	ck_assert_uint_eq(n, 4); /* 4 lookups of 64 MiB */
	ck_assert_uint_eq(fx.calls, 128);
	vplat_xen_mapcache_free(c2);
	munmap(bva, big.size);
}
END_TEST

static void *resolver_thread(void *arg)
{
	for (uint64_t i = 0; i < 4; i++)
		ck_assert_ptr_eq(vplat_mem_translate(&m, B0 + i * CH + (uint64_t)(uintptr_t)arg, 8),
				 va[0] + i * CH + (uint64_t)(uintptr_t)arg);
	return NULL;
}

START_TEST(concurrent_lookups_map_each_chunk_once)
{
	pthread_t t[4];

	for (uintptr_t i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, resolver_thread, (void *)(i * 64)), 0);
	for (unsigned i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(fx.calls, 4);
}
END_TEST

START_TEST(arguments_checked)
{
	struct vplat_xen_mapcache *c2;
	struct vplat_xen_ram_bank bad[2] = {{B0, CH}, {B0 + CH - PG, CH}};
	struct vplat_xen_mapcache_ops noop = {fake_map, NULL, fake_release};

	ck_assert_int_eq(vplat_xen_mapcache_new(NULL, banks, 1, va, &ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, banks, 0, va, &ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, banks, 3, va, &ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, bad, 2, va, &ops, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, banks, 1, va, &noop, NULL), VPLAT_EINVAL);
	bad[1] = (struct vplat_xen_ram_bank){B1 + 1, CH};
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, bad, 2, va, &ops, NULL), VPLAT_EINVAL);
	bad[1] = (struct vplat_xen_ram_bank){UINT64_MAX - PG + 1, 2 * PG};
	ck_assert_int_eq(vplat_xen_mapcache_new(&c2, bad, 2, va, &ops, NULL), VPLAT_EINVAL);
	vplat_xen_mapcache_drop(NULL);
	vplat_xen_mapcache_free(NULL);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("xen_mapcache");
	TCase *tc = tcase_create("mapcache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, chunks_mapped_on_first_touch_once);
	tcase_add_test(tc, outside_the_banks_refused);
	tcase_add_test(tc, refused_pages_never_translated);
	tcase_add_test(tc, failed_chunk_not_retried_until_a_drop);
	tcase_add_test(tc, lost_chunk_never_touched_again);
	tcase_add_test(tc, drop_unmaps_and_maps_again);
	tcase_add_test(tc, work_per_lookup_bounded);
	tcase_add_test(tc, concurrent_lookups_map_each_chunk_once);
	tcase_add_test(tc, arguments_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(make_suite());
}
