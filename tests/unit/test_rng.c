/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entropy device (sec: Device Types / Entropy Device), driven as a guest would: through the
 * loopback backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1), with split
 * (bit 1 = 0) and packed (bit 1 = 1) rings.
 */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "vplat/vplat.h"
#include "vplat/host/rng_host.h"
#include "vplat/val/mock.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

struct rig {
	struct vplat_loopback lb;
	struct vplat_rng rng;
	struct vplat_rng_mock mock;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
};

static void rig_up(struct rig *r, int variant, uint64_t extra)
{
	memset(r, 0, sizeof(*r));
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 1u << 20), 0);
	ck_assert_int_eq(vplat_rng_init(&r->rng, vplat_loopback_mem(&r->lb), &vplat_rng_host_mock,
					&r->mock),
			 0);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_rng_device(&r->rng)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | extra;
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	vplat_val_vq_fini(&r->vq);
	vplat_loopback_fini(&r->lb);
}

/* Post one device-writable buffer of @p len bytes; returns its host pointer. */
static uint8_t *post(struct rig *r, uint32_t len, void *token)
{
	uint64_t gpa;
	uint8_t *buf = vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, &gpa);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xee, len);
	struct vplat_val_buf b = {.ptr = buf, .len = len};
	ck_assert_int_eq(vplat_val_vq_add(&r->vq, &b, 0, 1, token), 0);
	vplat_val_vq_kick(&r->vq);
	return buf;
}

START_TEST(fills_buffers)
{
	/* devicenormative: Entropy Device / Device Operation -- "MUST place one or more random
	 * bytes into the buffer". Many requests, so both ring layouts wrap. */
	struct rig r;
	rig_up(&r, _i, 0);
	uint64_t mark = vplat_val_mem_mark(vplat_loopback_dma(&r.lb)); /* rings live below */
	for (unsigned n = 0; n < 50; n++) {
		uint8_t expect = r.mock.next;
		uint8_t *buf = post(&r, 64, (void *)(uintptr_t)(n + 1));
		void *tok;
		uint32_t len;
		ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(n + 1));
		ck_assert_uint_eq(len, 64);
		for (unsigned k = 0; k < 64; k++)
			ck_assert_uint_eq(buf[k], (uint8_t)(expect + k));
		vplat_val_mem_release(vplat_loopback_dma(&r.lb), mark);
	}
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->requests, 50);
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->bytes, 50 * 64);
	ck_assert_uint_ge(vplat_val_irq_count(&r.d), 1);
	rig_down(&r);
}
END_TEST

START_TEST(starved_host_holds_request)
{
	/* No entropy now: the request waits (it is never completed empty), then completes. */
	struct rig r;
	rig_up(&r, _i, 0);
	r.mock.starve = 1;
	post(&r, 32, (void *)1);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.vq, &tok, &len), VPLAT_EAGAIN);
	vplat_rng_resume(&r.rng);
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 32);
	rig_down(&r);
}
END_TEST

START_TEST(short_host_reads_still_deliver)
{
	struct rig r;
	rig_up(&r, _i, 0);
	r.mock.max_chunk = 5;
	post(&r, 32, (void *)1);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_ge(len, 1);
	ck_assert_uint_le(len, 32);
	rig_down(&r);
}
END_TEST

START_TEST(host_failure_completes_request)
{
	struct rig r;
	rig_up(&r, _i, 0);
	r.mock.fail = 1;
	post(&r, 16, (void *)1);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->host_errors, 1);
	rig_down(&r);
}
END_TEST

START_TEST(multi_segment_and_indirect)
{
	struct rig r;
	rig_up(&r, _i, VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC));
	vplat_val_vq_use_indirect(&r.vq, true);
	uint64_t gpa;
	uint8_t *a = vplat_val_alloc(vplat_loopback_dma(&r.lb), 8, 8, &gpa);
	uint8_t *b = vplat_val_alloc(vplat_loopback_dma(&r.lb), 8, 8, &gpa);
	struct vplat_val_buf bufs[2] = {{.ptr = a, .len = 8}, {.ptr = b, .len = 8}};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, bufs, 0, 2, (void *)7), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(b[7], (uint8_t)(a[0] + 15));
	rig_down(&r);
}
END_TEST

START_TEST(readonly_buffer_completes_empty)
{
	/* A driver error (no writable buffer): the request still completes, with 0 bytes. */
	struct rig r;
	rig_up(&r, _i, 0);
	uint64_t gpa;
	uint8_t *a = vplat_val_alloc(vplat_loopback_dma(&r.lb), 8, 8, &gpa);
	struct vplat_val_buf b = {.ptr = a, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.vq, &b, 1, 0, (void *)3), 0);
	vplat_val_vq_kick(&r.vq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(vplat_rng_stats(&r.rng)->bad_requests, 1);
	rig_down(&r);
}
END_TEST

/* Each argument check of vplat_rng_init() on its own, with a valid guest memory. */
START_TEST(init_rejects_bad_arguments)
{
	struct vplat_rng rng;
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	struct vplat_rng_mock mock = {0};
	const struct vplat_rng_host_ops no_read = {0};
	vplat_mem_init(&m, reg, 1);
	ck_assert_int_eq(vplat_rng_init(NULL, &m, &vplat_rng_host_mock, &mock), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_rng_init(&rng, &m, NULL, &mock), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_rng_init(&rng, &m, &no_read, &mock), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_rng_init(&rng, &m, &vplat_rng_host_mock, &mock), 0);
}
END_TEST

START_TEST(getrandom_host_end)
{
	struct vplat_rng_host_ops const *h = &vplat_rng_host_getrandom;
	uint8_t a[64] = {0}, b[64] = {0};
	ck_assert_int_eq(h->read(NULL, a, sizeof(a)), 64);
	ck_assert_int_eq(h->read(NULL, b, sizeof(b)), 64);
	ck_assert_mem_ne(a, b, sizeof(a));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("rng");
	tcase_add_loop_test(tc, fills_buffers, 0, 4);
	tcase_add_loop_test(tc, starved_host_holds_request, 0, 4);
	tcase_add_loop_test(tc, short_host_reads_still_deliver, 0, 4);
	tcase_add_loop_test(tc, host_failure_completes_request, 0, 4);
	tcase_add_loop_test(tc, multi_segment_and_indirect, 0, 4);
	tcase_add_loop_test(tc, readonly_buffer_completes_empty, 0, 4);
	tcase_add_test(tc, getrandom_host_end);
	tcase_add_test(tc, init_rejects_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
