/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest memory map: bounds-checked, overflow-safe translation. */
/* covers(unit.test_mem): VPLAT-FFI-001 (wrapping_ranges_refused, read_write_all_or_nothing,
 * init_arguments_and_below_first_region, no_wrap_from_top_into_region_at_zero,
 * resolver_answer_checked) */
#include <stdint.h>
#include <string.h>
#include "testutil.h"
#include "vplat/error.h"
#include "vplat/mem.h"

static uint8_t ram_a[4096], ram_b[4096], ram_c[4096];
static struct vplat_mem_region regs[3];
static struct vplat_mem m;

static void setup(void)
{
	ck_assert_int_eq(vplat_mem_init(&m, regs, 3), 0);
}

START_TEST(add_and_translate)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x1000, 4096, ram_a), 0);
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x1000, 4096), ram_a);
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x1ff0, 16), ram_a + 0xff0);
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x1ff0, 17)); /* one byte past the end */
	ck_assert_ptr_null(vplat_mem_translate(&m, 0xfff, 2));   /* one byte before */
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x1000, 0));  /* empty ranges are refused */
}
END_TEST

START_TEST(init_arguments_and_below_first_region)
{
	struct vplat_mem m2;
	ck_assert_int_eq(vplat_mem_init(NULL, regs, 3), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mem_init(&m2, NULL, 3), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mem_init(&m2, regs, 0), VPLAT_EINVAL);
	/* An address below the first region has no floor region: it is not translated, whatever
	 * lies in memory just before the region table (here a region that would contain it). */
	static struct {
		struct vplat_mem_region before;
		struct vplat_mem_region table[2];
	} s = {.before = {0, 0x100000, ram_c}};
	ck_assert_int_eq(vplat_mem_init(&m2, s.table, 2), 0);
	ck_assert_int_eq(vplat_mem_add(&m2, 0x10000, 4096, ram_a), 0);
	ck_assert_ptr_null(vplat_mem_translate(&m2, 0x10, 1));
	ck_assert_ptr_eq(vplat_mem_translate(&m2, 0x10010, 1), ram_a + 0x10);
}
END_TEST

START_TEST(sorted_insert_and_lookup)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x30000, 4096, ram_c), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 4096, ram_a), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0x20000, 4096, ram_b), 0);
	ck_assert_uint_eq(m.regions[0].gpa, 0x10000);
	ck_assert_uint_eq(m.regions[2].gpa, 0x30000);
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x20010, 1), ram_b + 0x10);
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x30fff, 1), ram_c + 0xfff);
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x15000, 1));
	ck_assert_int_eq(vplat_mem_add(&m, 0x40000, 16, ram_a), VPLAT_ENOSPC);
}
END_TEST

START_TEST(overlap_refused)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 4096, ram_a), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0x10fff, 16, ram_b), VPLAT_EEXIST);
	ck_assert_int_eq(vplat_mem_add(&m, 0xf001, 4096, ram_b), VPLAT_EEXIST);
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 1, ram_b), VPLAT_EEXIST);
	ck_assert_int_eq(vplat_mem_add(&m, 0xf000, 4096, ram_b), 0); /* adjacent is fine */
	ck_assert_int_eq(vplat_mem_add(&m, 0x11000, 4096, ram_c), 0);
}
END_TEST

START_TEST(wrapping_ranges_refused)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, UINT64_MAX - 100, 4096, ram_a), VPLAT_EOVERFLOW);
	ck_assert_int_eq(vplat_mem_add(&m, 0, 0, ram_a), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mem_add(&m, 0, 16, NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mem_add(&m, UINT64_MAX - 4095, 4096, ram_a), 0); /* ends at 2^64-1 */
	ck_assert_ptr_nonnull(vplat_mem_translate(&m, UINT64_MAX, 1));
	/* A range that would wrap past 2^64 must not come back as "inside". */
	ck_assert_ptr_null(vplat_mem_translate(&m, UINT64_MAX, 2));
	ck_assert_ptr_null(vplat_mem_translate(&m, UINT64_MAX - 10, UINT64_MAX));
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, UINT64_MAX, 2, iov, 4, &n), VPLAT_EFAULT);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(map_splits_across_adjacent_regions)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 4096, ram_a), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0x11000, 4096, ram_b), 0);
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, 0x10f00, 0x200, iov, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(iov[0].base, ram_a + 0xf00);
	ck_assert_uint_eq(iov[0].len, 0x100);
	ck_assert_ptr_eq(iov[1].base, ram_b);
	ck_assert_uint_eq(iov[1].len, 0x100);
	/* Too small a vector: E2BIG and nothing counted. */
	n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, 0x10f00, 0x200, iov, 1, &n), VPLAT_E2BIG);
	ck_assert_uint_eq(n, 0);
	/* A hole after the regions. */
	n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, 0x11f00, 0x200, iov, 4, &n), VPLAT_EFAULT);
	/* translate() insists on one region. */
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x10f00, 0x200));
}
END_TEST

START_TEST(read_write_all_or_nothing)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 4096, ram_a), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0x11000, 4096, ram_b), 0);
	uint8_t buf[32];
	memset(buf, 0xab, sizeof(buf));
	ck_assert_int_eq(vplat_mem_write(&m, 0x10ff0, buf, 32), 0);
	ck_assert_uint_eq(ram_a[0xfff], 0xab);
	ck_assert_uint_eq(ram_b[0xf], 0xab);
	memset(ram_b + 0xff0, 0, 16);
	ck_assert_int_eq(vplat_mem_write(&m, 0x11ff0, buf, 32), VPLAT_EFAULT);
	ck_assert_uint_eq(ram_b[0xff0], 0); /* nothing written */
	ck_assert_int_eq(vplat_mem_read(&m, 0x11ff8, buf, 16), VPLAT_EFAULT);
}
END_TEST

START_TEST(remove_region)
{
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, 0x10000, 4096, ram_a), 0);
	uint32_t gen = m.generation;
	ck_assert_int_eq(vplat_mem_remove(&m, 0x10000, 4095), VPLAT_ENOENT);
	ck_assert_int_eq(vplat_mem_remove(&m, 0x10000, 4096), 0);
	ck_assert_uint_ne(m.generation, gen);
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x10000, 1));
	ck_assert_int_eq(vplat_mem_remove(&m, 0x10000, 4096), VPLAT_ENOENT);
}
END_TEST

START_TEST(no_wrap_from_top_into_region_at_zero)
{
	/* covers: VPLAT-FFI-001 */
	/* A region ending at 2^64 and one at guest address 0: a range running off the top of
	 * the address space is refused whole, it does not continue in the region at 0. */
	setup();
	ck_assert_int_eq(vplat_mem_add(&m, UINT64_MAX - 4095, 4096, ram_a), 0);
	ck_assert_int_eq(vplat_mem_add(&m, 0, 4096, ram_b), 0);
	struct vplat_iov iov[4];
	uint32_t n = 0;
	/* The last 0x100 bytes of the space and the first 0x100 bytes after the wrap. */
	ck_assert_int_eq(vplat_mem_map(&m, UINT64_MAX - 0xff, 0x200, iov, 4, &n), VPLAT_EFAULT);
	ck_assert_uint_eq(n, 0);
	/* Up to the last byte is fine. */
	ck_assert_int_eq(vplat_mem_map(&m, UINT64_MAX - 0xff, 0x100, iov, 4, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(iov[0].base, ram_a + 0xf00);
	uint8_t buf[32];
	memset(buf, 0xab, sizeof(buf));
	memset(ram_a, 0, sizeof(ram_a));
	memset(ram_b, 0, sizeof(ram_b));
	ck_assert_int_eq(vplat_mem_write(&m, UINT64_MAX - 0xf, buf, 32), VPLAT_EFAULT);
	ck_assert_uint_eq(ram_a[0xff0], 0); /* nothing written on either side */
	ck_assert_uint_eq(ram_b[0], 0);
	ram_b[0] = 0x5a;
	ck_assert_int_eq(vplat_mem_read(&m, UINT64_MAX - 0xf, buf, 32), VPLAT_EFAULT);
	ck_assert_uint_eq(buf[16], 0xab); /* nothing read */
	ck_assert_int_eq(vplat_mem_read(&m, UINT64_MAX - 0xf, buf, 16), 0);
	ck_assert_uint_eq(buf[0], 0);
}
END_TEST

/* A resolver for tests: guest pages at 0x100000.. backed by ram_big in 4 KiB pages, each
 * lookup answering one page (or what the test sets), counting calls. */
static uint8_t ram_big[4 * 4096];
static struct {
	unsigned calls;
	uint64_t last_len;
	int mode; /* 0: to the end of the page; 1: not guest memory; 2: 0 bytes; 3: wrapping;
		   * 4: to the end of ram_big; 5: pages, but only for the first two calls */
} rs;

static void *page_resolver(void *opaque, uint64_t gpa, uint64_t len, uint64_t *avail)
{
	ck_assert_ptr_eq(opaque, &rs);
	rs.calls++;
	rs.last_len = len;
	if (rs.mode == 5 && rs.calls > 2)
		return NULL; /* changes its mind after two answers */
	if (rs.mode == 1 || gpa < 0x100000 || gpa - 0x100000 >= sizeof(ram_big))
		return NULL;
	uint64_t off = gpa - 0x100000;

	*avail = 4096 - off % 4096; /* to the end of the page */
	if (rs.mode == 2)
		*avail = 0;
	if (rs.mode == 3) {
		*avail = 8192; /* running off the top of the host address space */
		return (void *)(UINTPTR_MAX - 4095);
	}
	if (rs.mode == 4)
		*avail = sizeof(ram_big) - off;
	return ram_big + off;
}

START_TEST(resolver_answers_misses_only)
{
	setup();
	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(vplat_mem_add(&m, 0x1000, 4096, ram_a), 0);
	uint32_t gen = m.generation;

	ck_assert_int_eq(vplat_mem_set_resolver(NULL, page_resolver, &rs), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_mem_set_resolver(&m, page_resolver, &rs), 0);
	ck_assert_uint_ne(m.generation, gen); /* a change of the map: queues translate again */
	/* A region of the map: the resolver is not asked. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x1010, 16), ram_a + 0x10);
	ck_assert_uint_eq(rs.calls, 0);
	/* A miss: answered by the resolver, with the length wanted as the hint. */
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x101010, 32), ram_big + 4096 + 0x10);
	ck_assert_uint_eq(rs.calls, 1);
	ck_assert_uint_eq(rs.last_len, 32);
	/* The region answered is one page: a range across two is not one region... */
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x100ff0, 32));
	/* ...but vplat_mem_map() splits it, and reads and writes cross it. */
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, 0x100ff0, 32, iov, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(iov[0].base, ram_big + 0xff0);
	ck_assert_ptr_eq(iov[1].base, ram_big + 4096);
	uint8_t buf[32];
	memset(buf, 0x5c, sizeof(buf));
	ck_assert_int_eq(vplat_mem_write(&m, 0x100ff0, buf, 32), 0);
	ck_assert_uint_eq(ram_big[0xff0], 0x5c);
	ck_assert_uint_eq(ram_big[4096 + 15], 0x5c);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(vplat_mem_read(&m, 0x100ff0, buf, 32), 0);
	ck_assert_uint_eq(buf[31], 0x5c);
	/* Outside both: refused, all or nothing. */
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x200000, 1));
	ram_big[sizeof(ram_big) - 1] = 0;
	ck_assert_int_eq(vplat_mem_write(&m, 0x100000 + sizeof(ram_big) - 1, buf, 2), VPLAT_EFAULT);
	ck_assert_uint_eq(ram_big[sizeof(ram_big) - 1], 0);
	/* Removed: misses are misses again. */
	ck_assert_int_eq(vplat_mem_set_resolver(&m, NULL, NULL), 0);
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x101010, 32));
}
END_TEST

START_TEST(resolver_answer_checked)
{
	/* covers: VPLAT-FFI-001 */
	/* What the resolver answers is checked like guest input: 0 bytes, or a range wrapping
	 * the host's address space, is a miss; one running into a region of the map is cut
	 * short where the region begins. */
	setup();
	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(vplat_mem_set_resolver(&m, page_resolver, &rs), 0);
	rs.mode = 1;
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x100000, 1));
	rs.mode = 2;
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x100000, 1));
	rs.mode = 3;
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x100000, 1));
	rs.mode = 4;
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x102000, 8192), ram_big + 8192);
	/* A region of the map inside what the resolver answers wins from where it starts. */
	ck_assert_int_eq(vplat_mem_add(&m, 0x102000, 4096, ram_a), 0);
	ck_assert_ptr_null(vplat_mem_translate(&m, 0x101000, 8192));
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x101000, 4096), ram_big + 4096);
	ck_assert_ptr_eq(vplat_mem_translate(&m, 0x102010, 16), ram_a + 0x10);
	struct vplat_iov iov[4];
	uint32_t n = 0;
	ck_assert_int_eq(vplat_mem_map(&m, 0x101000, 3 * 4096, iov, 4, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(iov[1].base, ram_a);
	ck_assert_ptr_eq(iov[2].base, ram_big + 3 * 4096);
	/* A resolver that breaks its contract (its answer for an address changes within one
	 * call): a read or write across two pages is checked whole first, then fails where the
	 * second lookup is refused, without touching a NULL pointer. */
	uint8_t buf[32];
	rs.mode = 5;
	rs.calls = 0;
	ck_assert_int_eq(vplat_mem_read(&m, 0x100ff0, buf, 32), VPLAT_EFAULT);
	rs.calls = 0;
	ck_assert_int_eq(vplat_mem_write(&m, 0x100ff0, buf, 32), VPLAT_EFAULT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("mem");
	tcase_add_test(tc, add_and_translate);
	tcase_add_test(tc, sorted_insert_and_lookup);
	tcase_add_test(tc, overlap_refused);
	tcase_add_test(tc, wrapping_ranges_refused);
	tcase_add_test(tc, map_splits_across_adjacent_regions);
	tcase_add_test(tc, read_write_all_or_nothing);
	tcase_add_test(tc, remove_region);
	tcase_add_test(tc, init_arguments_and_below_first_region);
	tcase_add_test(tc, no_wrap_from_top_into_region_at_zero);
	tcase_add_test(tc, resolver_answers_misses_only);
	tcase_add_test(tc, resolver_answer_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
