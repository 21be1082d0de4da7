/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * No allocation per request (spec VPLAT-FFI-004): steady-state I/O through the block and
 * entropy devices, driven as a guest would over the loopback backend (virtio-mmio and
 * virtio-pci, split and packed rings), with every allocation of the process counted. The
 * program is linked with -Wl,--wrap=malloc,... (tests/unit/CMakeLists.txt), so calls from the
 * statically linked vplat library and validation driver go through the counters below; after
 * a warm-up, 2000 requests (crafted ones included: bad types, huge sectors, chains of many
 * segments) must cause no allocation at all. No Check assertion runs while counting (Check
 * allocates for its own bookkeeping): failures are counted and asserted after.
 *
 * covers(unit.test_noalloc): VPLAT-FFI-004
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/blk.h"
#include "vplat/rng.h"
#include "vplat/error.h"
#include "vplat/vplat.h"
#include "vplat/val/loopback.h"
#include "vplat/host/rng_host.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/val/val.h"

static volatile int counting;
static volatile unsigned long allocs;

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
	if (counting)
		allocs++;
	return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
	if (counting)
		allocs++;
	return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
	if (counting)
		allocs++;
	return __real_realloc(p, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	if (counting)
		allocs++;
	return __real_posix_memalign(p, a, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
	if (counting)
		allocs++;
	return __real_aligned_alloc(a, n);
}

#define SECTORS 256u

/* The counters themselves work: an allocation while counting is seen. */
START_TEST(counter_sees_allocations)
{
	counting = 1;
	unsigned long before = allocs;
	void *p = malloc(32);
	void *q = calloc(1, 32);
	counting = 0;
	ck_assert_uint_eq(allocs - before, 2);
	free(p);
	free(q);
}
END_TEST

START_TEST(blk_steady_state_allocates_nothing)
{
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[16];
	struct vplat_blk_mem disk;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	ck_assert_int_eq(vplat_loopback_init(&lb, (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					     4u << 20), 0);
	uint8_t *data = calloc(1, SECTORS * 512);
	ck_assert_ptr_nonnull(data);
	disk.data = data;
	disk.size = SECTORS * 512;
	struct vplat_blk_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = SECTORS;
	cfg.writeback = true;
	ck_assert_int_eq(vplat_blk_init(&blk, vplat_loopback_mem(&lb), &cfg, &vplat_blk_host_mem,
					&disk, reqs, 16), 0);
	ck_assert_int_eq(vplat_loopback_attach(&lb, vplat_blk_device(&blk)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&lb, &d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) |
			VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC) |
			((_i & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	ck_assert_int_eq(vplat_val_negotiate(&d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&d, &vq, 0, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&d), 0);
	struct vplat_val_mem *dm = vplat_loopback_dma(&lb);
	uint8_t *h8 = vplat_val_alloc(dm, 16, 8, NULL);
	uint8_t *buf = vplat_val_alloc(dm, 8 * 512, 8, NULL);
	uint8_t *st = vplat_val_alloc(dm, 1, 1, NULL);
	ck_assert_ptr_nonnull(h8);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(st);
	static const uint32_t types[] = {VPLAT_VIRTIO_BLK_T_OUT, VPLAT_VIRTIO_BLK_T_IN,
					 VPLAT_VIRTIO_BLK_T_FLUSH, 0x7777 /* unsupported */};
	unsigned long seen = 0;
	int bad = 0;
	for (int k = 0; k < 2200; k++) {
		if (k == 200) { /* warm-up done: from here on every allocation counts */
			seen = allocs;
			counting = 1;
		}
		struct vplat_virtio_blk_req_hdr h = {
		    .type = vplat_cpu_to_le32(types[k % 4]),
		    /* every 7th request starts beyond the capacity (IOERR, never a bigger buffer) */
		    .sector = vplat_cpu_to_le64(k % 7 == 6 ? UINT64_C(1) << 40 : (uint64_t)(k % 200))};
		memcpy(h8, &h, 16);
		/* up to 8 data segments of 512 bytes, split unevenly */
		unsigned segs = 1 + (unsigned)k % 8;
		struct vplat_val_buf b[10];
		unsigned n = 0;
		b[n++] = (struct vplat_val_buf){.ptr = h8, .len = 16};
		bool out = types[k % 4] == VPLAT_VIRTIO_BLK_T_OUT;
		if (out)
			for (unsigned s = 0; s < segs; s++)
				b[n++] = (struct vplat_val_buf){.ptr = buf + s * 512, .len = 512};
		unsigned nout = n;
		if (types[k % 4] == VPLAT_VIRTIO_BLK_T_IN)
			for (unsigned s = 0; s < segs; s++)
				b[n++] = (struct vplat_val_buf){.ptr = buf + s * 512, .len = 512};
		b[n++] = (struct vplat_val_buf){.ptr = st, .len = 1};
		*st = 0xee;
		if (vplat_val_vq_add(&vq, b, nout, n - nout, (void *)1) != 0) {
			bad++;
			continue;
		}
		vplat_val_vq_kick(&vq);
		void *tok;
		uint32_t len;
		if (vplat_val_wait_used(&vq, &tok, &len, 1000) != 0 || *st == 0xee)
			bad++;
	}
	counting = 0;
	ck_assert_int_eq(bad, 0);
	unsigned long got = allocs - seen;
	ck_assert_msg(got == 0, "%lu allocations during 2000 block requests", got);
	ck_assert_uint_eq(lb.access_errors, 0);
	vplat_val_vq_fini(&vq);
	vplat_loopback_fini(&lb);
	free(data);
}
END_TEST

START_TEST(rng_steady_state_allocates_nothing)
{
	struct vplat_loopback lb;
	struct vplat_rng rng;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	memset(&vq, 0, sizeof(vq));
	ck_assert_int_eq(vplat_loopback_init(&lb, (_i & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					     1u << 20), 0);
	ck_assert_int_eq(vplat_rng_init(&rng, vplat_loopback_mem(&lb), &vplat_rng_host_getrandom,
					NULL), 0);
	ck_assert_int_eq(vplat_loopback_attach(&lb, vplat_rng_device(&rng)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&lb, &d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
			((_i & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	ck_assert_int_eq(vplat_val_negotiate(&d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&d, &vq, 0, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&d), 0);
	uint8_t *buf = vplat_val_alloc(vplat_loopback_dma(&lb), 4096, 8, NULL);
	ck_assert_ptr_nonnull(buf);
	unsigned long seen = 0;
	int bad = 0;
	for (int k = 0; k < 2200; k++) {
		if (k == 200) {
			seen = allocs;
			counting = 1;
		}
		struct vplat_val_buf b[4];
		unsigned n = 1 + (unsigned)k % 4;
		for (unsigned s = 0; s < n; s++)
			b[s] = (struct vplat_val_buf){.ptr = buf + s * 1024, .len = 1 + (uint32_t)k % 1024};
		if (vplat_val_vq_add(&vq, b, 0, n, (void *)1) != 0) {
			bad++;
			continue;
		}
		vplat_val_vq_kick(&vq);
		void *tok;
		uint32_t len;
		if (vplat_val_wait_used(&vq, &tok, &len, 1000) != 0 || len == 0)
			bad++;
	}
	counting = 0;
	ck_assert_int_eq(bad, 0);
	unsigned long got = allocs - seen;
	ck_assert_msg(got == 0, "%lu allocations during 2000 entropy requests", got);
	vplat_val_vq_fini(&vq);
	vplat_loopback_fini(&lb);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("noalloc");
	TCase *tc = tcase_create("steady_state");
	tcase_add_test(tc, counter_sees_allocations);
	tcase_add_loop_test(tc, blk_steady_state_allocates_nothing, 0, 4);
	tcase_add_loop_test(tc, rng_steady_state_allocates_nothing, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
