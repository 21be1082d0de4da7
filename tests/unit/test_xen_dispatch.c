/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Xen ioreq dispatch (backends/xen/xen_dispatch.c): requests as Xen's ioreq server delivers
 * them, routed to vplat's virtio-mmio model, and every malformed one answered without
 * reaching it.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vplat/backend/xen.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/spec/virtio_mmio.h"

#define BASE0 0x2000000ull
#define BASE1 0x2000200ull
#define WSIZE 0x200ull

static struct vplat_mem_region regions[1];
static struct vplat_mem mem;
static struct vplat_vq vqs[2][1];
static uint8_t config[2][8];
static struct vplat_device dev[2];
static struct vplat_mmio t[2];
static struct vplat_xen_window win[2];
static int kicks[2];

static void t_notify(struct vplat_device *d, struct vplat_vq *vq)
{
	(void)vq;
	kicks[d == &dev[0] ? 0 : 1]++;
}

static const struct vplat_device_ops rng_ops = {
	.name = "xen-rng", .device_id = 4, .queue_notify = t_notify};
static const struct vplat_device_ops blk_ops = {
	.name = "xen-blk", .device_id = 2, .queue_notify = t_notify};

static void setup(void)
{
	static uint8_t guest[0x1000];

	ck_assert_int_eq(vplat_mem_init(&mem, regions, 1), 0);
	ck_assert_int_eq(vplat_mem_add(&mem, 0x40000000u, sizeof(guest), guest), 0);
	for (int i = 0; i < 2; i++) {
		for (unsigned k = 0; k < sizeof(config[i]); k++)
			config[i][k] = (uint8_t)(0x40 * i + k + 1);
		ck_assert_int_eq(vplat_device_init(&dev[i], i ? &blk_ops : &rng_ops, NULL, &mem,
						   vqs[i], 1, 64, config[i], sizeof(config[i])),
				 0);
		ck_assert_int_eq(vplat_mmio_init(&t[i], &dev[i], 0x006c7076u, NULL, NULL), 0);
		win[i] = (struct vplat_xen_window){.base = i ? BASE1 : BASE0, .size = WSIZE,
						   .mmio = &t[i]};
		kicks[i] = 0;
	}
}

static struct vplat_xen_ioreq rq(uint64_t addr, uint32_t size, uint8_t dir, uint64_t data)
{
	return (struct vplat_xen_ioreq){.addr = addr, .data = data, .count = 1, .size = size,
					.dir = dir, .type = VPLAT_XEN_IOREQ_TYPE_COPY};
}

/* Each window reaches its own transport: magic, version and device ID of both devices. */
START_TEST(routes_to_each_window)
{
	struct vplat_xen_ioreq r = rq(BASE0 + VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 4,
				      VPLAT_XEN_IOREQ_READ, 0xdead);

	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 0x74726976u);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_DEVICE_ID, 4, VPLAT_XEN_IOREQ_READ, 0);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 4);
	r = rq(BASE1 + VPLAT_VIRTIO_MMIO_DEVICE_ID, 4, VPLAT_XEN_IOREQ_READ, 0);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 2);
	r = rq(BASE1 + VPLAT_VIRTIO_MMIO_VERSION, 4, VPLAT_XEN_IOREQ_READ, 0);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 2);
	/* Config space byte access of the second device. */
	r = rq(BASE1 + VPLAT_MMIO_CONFIG_OFFSET + 3, 1, VPLAT_XEN_IOREQ_READ, 0);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 0x44);
}
END_TEST

/* Writes reach the model: a status write reads back; data above the width is dropped. */
START_TEST(writes_reach_model)
{
	struct vplat_xen_ioreq r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 4, VPLAT_XEN_IOREQ_WRITE,
				      0xffffffff00000000ull | VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);

	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 4, VPLAT_XEN_IOREQ_READ, 0);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	r = rq(BASE1 + VPLAT_VIRTIO_MMIO_STATUS, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 0);
}
END_TEST

/* Hostile requests: answered (reads 0), the model untouched, nothing crashes. */
START_TEST(hostile_requests_refused)
{
	static const uint32_t sizes[] = {0, 3, 5, 7, 16, 0xffffffffu};
	struct vplat_xen_ioreq r;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		r = rq(BASE0 + VPLAT_VIRTIO_MMIO_MAGIC_VALUE, sizes[i], VPLAT_XEN_IOREQ_READ, 0xdead);
		ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
		ck_assert_uint_eq(r.data, 0);
	}
	/* Outside every window, below, between-less gap and above, and wrapping. */
	static const uint64_t addrs[] = {BASE0 - 4, BASE1 + WSIZE, 0, ~0ull - 3, ~0ull};

	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		r = rq(addrs[i], 4, VPLAT_XEN_IOREQ_READ, 0xdead);
		ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
		ck_assert_uint_eq(r.data, 0);
	}
	/* Overrunning the end of the last window by part of the access. */
	r = rq(BASE1 + WSIZE - 4, 8, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	ck_assert_uint_eq(r.data, 0);
	/* Repeat counts, data pointers, port I/O, PCI config and unknown types and directions. */
	r = rq(BASE0, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	r.count = 2;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	r = rq(BASE0, 4, VPLAT_XEN_IOREQ_READ, 0x40000000u);
	r.data_is_ptr = 1;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	ck_assert_uint_eq(r.data, 0x40000000u); /* a pointer is never written through */
	r = rq(BASE0, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	r.type = VPLAT_XEN_IOREQ_TYPE_PIO;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	r.type = VPLAT_XEN_IOREQ_TYPE_PCI_CONFIG;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	r.type = 0x77;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 4, 7, 1);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REFUSED);
	/* None of it reached a model: status still 0, no kick. */
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 0);
	ck_assert_int_eq(kicks[0] + kicks[1], 0);
	/* Bad arguments. */
	ck_assert_int_eq(vplat_xen_dispatch(NULL, 1, &r), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, NULL), VPLAT_EINVAL);
	r = rq(BASE0, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(NULL, 0, &r), VPLAT_XEN_REFUSED);
}
END_TEST

/* Wrong width or alignment inside a window: the model refuses it, the read answers 0. */
START_TEST(model_rejects_bad_width)
{
	struct vplat_xen_ioreq r = rq(BASE0 + VPLAT_VIRTIO_MMIO_MAGIC_VALUE, 2,
				      VPLAT_XEN_IOREQ_READ, 0xdead);

	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REJECTED);
	ck_assert_uint_eq(r.data, 0);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_MAGIC_VALUE + 1, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REJECTED);
	ck_assert_uint_eq(r.data, 0);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 1, VPLAT_XEN_IOREQ_WRITE, 0xff);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_REJECTED);
	r = rq(BASE0 + VPLAT_VIRTIO_MMIO_STATUS, 4, VPLAT_XEN_IOREQ_READ, 0xdead);
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_SERVED);
	ck_assert_uint_eq(r.data, 0);
}
END_TEST

/* A memory-map invalidation is handed back to the caller, whatever its other fields say. */
START_TEST(invalidate_returned)
{
	struct vplat_xen_ioreq r = rq(0, 0, VPLAT_XEN_IOREQ_WRITE, 0);

	r.type = VPLAT_XEN_IOREQ_TYPE_INVALIDATE;
	ck_assert_int_eq(vplat_xen_dispatch(win, 2, &r), VPLAT_XEN_INVALIDATE);
}
END_TEST

/* Arm's guest layout: up to 3 GiB in the first bank, the rest at 8 GiB (GUEST_RAM1_BASE). */
START_TEST(ram_banks_split_at_3gib)
{
	struct vplat_xen_ram_bank b[2];

	ck_assert_uint_eq(vplat_xen_arm_ram_banks(128ull << 20, b), 1);
	ck_assert_uint_eq(b[0].base, 0x40000000ull);
	ck_assert_uint_eq(b[0].size, 128ull << 20);
	ck_assert_uint_eq(b[1].size, 0);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(3ull << 30, b), 1);
	ck_assert_uint_eq(b[0].size, 3ull << 30);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks((4ull << 30) + 4096 + 123, b), 2);
	ck_assert_uint_eq(b[0].base, VPLAT_XEN_ARM_RAM0_BASE);
	ck_assert_uint_eq(b[0].size, 0xc0000000ull);
	ck_assert_uint_eq(b[1].base, 0x200000000ull);
	ck_assert_uint_eq(b[1].size, (1ull << 30) + 4096);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(0, b), 0);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(4095, b), 0);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(0xc0000000ull + 0xfe00000000ull, b), 2);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(0xc0000000ull + 0xfe00000000ull + 4096, b), 0);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(UINT64_MAX, b), 0);
	ck_assert_uint_eq(vplat_xen_arm_ram_banks(1ull << 30, NULL), 0);
}
END_TEST

/*
 * The foreign mapping of a 4 GiB guest as the server makes it (xen_server.c ram_map): each
 * bank's mapped runs become regions, so descriptor addresses in the second bank translate to
 * the second mapping, and addresses between the banks, in pages Xen did not let dom0 map, or
 * running off a bank fail. The "mappings" are small buffers standing in for the bank tails.
 */
static Suite *make_suite(void)
{
	Suite *s = suite_create("xen_dispatch");
	TCase *tc = tcase_create("dispatch");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, routes_to_each_window);
	tcase_add_test(tc, writes_reach_model);
	tcase_add_test(tc, hostile_requests_refused);
	tcase_add_test(tc, model_rejects_bad_width);
	tcase_add_test(tc, invalidate_returned);
	tcase_add_test(tc, ram_banks_split_at_3gib);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(make_suite());
}
