/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * covers(unit.test_redispatch): VPLAT-FFI-013 (every backend serves what a dispatch budget left
 * on a ring: the register model tells the VMM through the redispatch callback, the loopback
 * backend serves it while the driver waits, the instance layer that the vhost-user daemon,
 * the Xen back end and vplat-platform run on asks for no sleep and serves it in its dispatch)
 *
 * The entropy device (_i bit 1 clear; its host end resumes requests by itself) or the
 * watchdog (bit 1 set; only the dispatch serves it) behind the in-process loopback backend
 * (virtio-mmio: _i bit 0 = 0, virtio-pci: 1), built by the instance factory, with a dispatch
 * budget of 3 on a 16-entry ring holding 16 requests, and a single kick.
 */
#include <string.h>
#include "testutil.h"
#include "vplat/vplat.h"
#include "vplat/platform/instance.h"
#include "vplat/val/loopback.h"
#include "vplat/val/mock.h"
#include "vplat/val/val.h"

#define Q 16u
#define B 3u

struct rig {
	struct vplat_loopback lb;
	struct vplat_instance *in;
	struct vplat_device *dev;
	struct vplat_rng_mock mock;
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	unsigned callbacks;
};

static void on_more(struct vplat_device *dev, void *opaque)
{
	struct rig *r = opaque;
	ck_assert_ptr_eq(dev, r->dev);
	r->callbacks++;
}

static void wd_expired(void *opaque)
{
	(void)opaque;
}

static void rig_up(struct rig *r, int kind)
{
	bool pci = kind & 1;
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(vplat_loopback_init(&r->lb, pci ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
					     1u << 20),
			 0);
	struct vplat_instance_options o = {
	    .type = VPLAT_INSTANCE_RNG,
	    .rng = {.host = &vplat_rng_host_mock, .host_opaque = &r->mock}};
	if (kind & 2)
		o = (struct vplat_instance_options){
		    .type = VPLAT_INSTANCE_WATCHDOG,
		    .watchdog = {.min_timeout_ms = 1000, .expired = wd_expired}};
	ck_assert_int_eq(vplat_instance_create(&r->in, vplat_loopback_mem(&r->lb), &o, NULL, 0), 0);
	r->dev = vplat_instance_device(r->in);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, r->dev), 0);
	ck_assert_int_eq(vplat_device_set_dispatch_budget(r->dev, VPLAT_DISPATCH_ALL_QUEUES, B), 0);
	vplat_device_set_redispatch(r->dev, on_more, r);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
							 VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX)),
			 0);
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->vq, 0, Q), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
	for (unsigned i = 0; i < Q; i++) {
		uint64_t gpa;
		uint8_t *buf = vplat_val_alloc(vplat_loopback_dma(&r->lb), 16, 8, &gpa);
		ck_assert_ptr_nonnull(buf);
		struct vplat_val_buf b = {.ptr = buf, .len = 16};
		ck_assert_int_eq(vplat_val_vq_add(&r->vq, &b, 0, 1, (void *)(uintptr_t)(i + 1)), 0);
	}
	vplat_val_vq_notify(&r->vq); /* one kick: a register write */
}

static void rig_down(struct rig *r)
{
	vplat_val_vq_fini(&r->vq);
	vplat_loopback_fini(&r->lb);
	vplat_instance_destroy(r->in);
}

/* Used entries the driver can take now, without waiting (no poll). */
static unsigned take_used(struct rig *r)
{
	unsigned n = 0;
	void *tok;
	while (vplat_val_vq_get_used(&r->vq, &tok, NULL) == 0)
		n++;
	return n;
}

START_TEST(register_write_calls_back_and_dispatch_serves)
{
	/* The VMM's view: the register write served B chains and called the redispatch
	 * callback once; each vplat_device_dispatch() serves at most B more; nothing is lost. */
	struct rig r;
	rig_up(&r, _i);
	ck_assert_uint_eq(take_used(&r), B);
	ck_assert_uint_eq(r.callbacks, 1);
	ck_assert(vplat_device_has_more(r.dev));
	unsigned total = B, calls = 0;
	int rc;
	do {
		rc = vplat_device_dispatch(r.dev);
		unsigned n = take_used(&r);
		ck_assert_uint_le(n, B);
		total += n;
		ck_assert_uint_le(++calls, Q);
	} while (rc == VPLAT_DISPATCH_MORE);
	ck_assert_uint_eq(total, Q);
	ck_assert(!vplat_device_has_more(r.dev));
	ck_assert_uint_eq(r.callbacks, 1); /* only kicks call back, not the dispatches */
	rig_down(&r);
}
END_TEST

START_TEST(instance_loop_does_not_sleep_and_serves)
{
	/* The daemons' loop (vplat-device, vplat-xen, vplat-platform): poll with
	 * vplat_instance_timeout_ms(), then vplat_instance_dispatch(). */
	struct rig r;
	rig_up(&r, _i);
	unsigned total = take_used(&r), calls = 0;
	ck_assert_uint_eq(total, B);
	while (total < Q) {
		ck_assert_int_eq(vplat_instance_timeout_ms(r.in), 0);
		ck_assert_int_eq(vplat_instance_dispatch(r.in), 0);
		unsigned n = take_used(&r);
		ck_assert_uint_le(n, B);
		total += n;
		ck_assert_uint_le(++calls, Q);
	}
	ck_assert_uint_eq(total, Q);
	ck_assert_int_ne(vplat_instance_timeout_ms(r.in), 0); /* nothing left: may sleep */
	rig_down(&r);
}
END_TEST

START_TEST(loopback_driver_wait_serves)
{
	/* The loopback backend: a driver that waits (vplat_val_wait_used() polls the backend)
	 * gets every request, B per dispatch. */
	struct rig r;
	rig_up(&r, _i);
	for (unsigned i = 0; i < Q; i++) {
		void *tok;
		ck_assert_int_eq(vplat_val_wait_used(&r.vq, &tok, NULL, 2000), 0);
		ck_assert_ptr_eq(tok, (void *)(uintptr_t)(i + 1));
	}
	ck_assert(!vplat_device_has_more(r.dev));
	rig_down(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("redispatch");
	TCase *tc = tcase_create("loopback");
	tcase_add_loop_test(tc, register_write_calls_back_and_dispatch_serves, 0, 4);
	tcase_add_loop_test(tc, instance_loop_does_not_sleep_and_serves, 0, 4);
	tcase_add_loop_test(tc, loopback_driver_wait_serves, 0, 4);
	suite_add_tcase(s, tc);
	return vplat_test_main(s);
}
