/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault containment (spec/20-interference.md 20.2) with three entropy devices served by one
 * thread, each behind its own loopback transport (virtio-mmio or -pci by _i bit 0, split or
 * packed ring by bit 1): A is broken by its driver (a descriptor loop), B stands for another
 * device of the platform, C for another VM. Checked:
 *   - A enters DEVICE_NEEDS_RESET with a configuration change interrupt; B and C do not, and
 *     keep completing requests with data, before and after (VPLAT-FFI-005);
 *   - C's host end fails: C's requests complete with their defined result (used length 0,
 *     counted), C stays usable, A and B see nothing of it (VPLAT-FFI-008);
 *   - a reset and re-initialization by A's driver alone brings A back (VPLAT-FFI-007).
 *
 * covers(unit.test_containment): VPLAT-FFI-005 VPLAT-FFI-007 VPLAT-FFI-008
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/rng.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/val/mock.h"

#define S_NR VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET

struct dev {
	struct vplat_loopback lb;
	struct vplat_rng rng;
	struct vplat_rng_mock mock;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	uint8_t *buf;
};

static void bring(struct dev *x, int variant)
{
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
			((variant & 2) ? VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED) : 0);
	ck_assert_int_eq(vplat_val_negotiate(&x->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&x->d, &x->vq, 0, 8), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&x->d), 0);
}

static void up(struct dev *x, int variant)
{
	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(vplat_loopback_init(&x->lb, (variant & 1) ? VPLAT_LOOPBACK_PCI
								   : VPLAT_LOOPBACK_MMIO,
					     1u << 20), 0);
	ck_assert_int_eq(vplat_rng_init(&x->rng, vplat_loopback_mem(&x->lb), &vplat_rng_host_mock,
					&x->mock), 0);
	ck_assert_int_eq(vplat_loopback_attach(&x->lb, vplat_rng_device(&x->rng)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&x->lb, &x->d), 0);
	bring(x, variant);
	x->buf = vplat_val_alloc(vplat_loopback_dma(&x->lb), 64, 8, NULL);
	ck_assert_ptr_nonnull(x->buf);
}

static void down(struct dev *x)
{
	ck_assert_uint_eq(x->lb.access_errors, 0);
	vplat_val_vq_fini(&x->vq);
	vplat_loopback_fini(&x->lb);
}

/* One 32-byte request; returns the used length, or -1 if it did not complete. */
static int request(struct dev *x)
{
	struct vplat_val_buf b = {.ptr = x->buf, .len = 32};
	if (vplat_val_vq_add(&x->vq, &b, 0, 1, (void *)1))
		return -1;
	vplat_val_vq_kick(&x->vq);
	void *tok;
	uint32_t len;
	if (vplat_val_wait_used(&x->vq, &tok, &len, 1000))
		return -1;
	return (int)len;
}

static uint8_t st(struct dev *x)
{
	return vplat_val_get_status(&x->d);
}

START_TEST(broken_ring_contained)
{
	static struct dev a, b, c;
	up(&a, _i);
	up(&b, _i);
	up(&c, _i);
	ck_assert_int_eq(request(&a), 32);
	ck_assert_int_eq(request(&b), 32);
	ck_assert_int_eq(request(&c), 32);
	/* A's driver publishes a descriptor loop 0 -> 1 -> 0. */
	vplat_val_isr(&a.d); /* acknowledge what is pending so a new interrupt is an edge */
	uint64_t irqs = vplat_val_irq_count(&a.d);
	uint64_t g = 0;
	ck_assert_ptr_nonnull(vplat_val_alloc(vplat_loopback_dma(&a.lb), 64, 16, &g));
	vplat_val_vq_raw_desc(&a.vq, 0, g, 16, VPLAT_VIRTQ_DESC_F_WRITE | VPLAT_VIRTQ_DESC_F_NEXT, 1);
	vplat_val_vq_raw_desc(&a.vq, 1, g, 16, VPLAT_VIRTQ_DESC_F_WRITE | VPLAT_VIRTQ_DESC_F_NEXT, 0);
	if (_i & 2)
		vplat_val_vq_raw_make_avail(&a.vq, 2);
	else
		vplat_val_vq_raw_avail(&a.vq, 0);
	vplat_val_vq_notify(&a.vq);
	ck_assert_uint_ne(st(&a) & S_NR, 0);
	ck_assert_uint_gt(vplat_val_irq_count(&a.d), irqs);
	ck_assert_uint_ne(vplat_val_isr(&a.d) & 2u, 0); /* a configuration change */
	/* B and C: no status change, and they go on serving. */
	for (int k = 0; k < 50; k++) {
		ck_assert_int_eq(request(&b), 32);
		ck_assert_int_eq(request(&c), 32);
	}
	ck_assert_uint_eq(st(&b) & S_NR, 0);
	ck_assert_uint_eq(st(&c) & S_NR, 0);
	/* C's host end fails three times: defined result (empty completion), nothing else. */
	c.mock.fail = 3;
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(request(&c), 0);
	ck_assert_uint_eq(vplat_rng_stats(&c.rng)->host_errors, 3);
	ck_assert_int_eq(request(&c), 32);
	ck_assert_int_eq(request(&b), 32);
	ck_assert_uint_eq(st(&c) & S_NR, 0);
	ck_assert_uint_eq(st(&b) & S_NR, 0);
	ck_assert_uint_eq(vplat_rng_stats(&b.rng)->host_errors, 0);
	/* A recovers by its driver's reset and re-initialization alone. */
	ck_assert_int_eq(vplat_val_reset(&a.d), 0);
	vplat_val_vq_fini(&a.vq);
	bring(&a, _i);
	ck_assert_uint_eq(st(&a) & S_NR, 0);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(request(&a), 32);
	down(&a);
	down(&b);
	down(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containment");
	TCase *tc = tcase_create("ffi");
	tcase_add_loop_test(tc, broken_ring_contained, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
