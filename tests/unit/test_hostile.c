/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hostile guest: every malformed ring ends with DEVICE_NEEDS_RESET (plus a config change
 * notification, since DRIVER_OK is set) and never with an access outside guest memory. Run
 * these under ASan (the sanitizer build in CI) to prove the second half.
 *
 * covers(unit.test_hostile): VPLAT-FFI-001 VPLAT-FFI-005 VPLAT-FFI-006
 *
 * Each loop test runs for the split (_i == 0) and the packed (_i == 1) layout where the case
 * exists in both.
 */
#include <stdlib.h>
#include <string.h>
#include "ringfix.h"
#include "testutil.h"
#include "vplat/error.h"

#define F_INDIRECT VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC)
#define F_PACKED   VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED)
#define NEXT       VPLAT_VIRTQ_DESC_F_NEXT
#define WRITE      VPLAT_VIRTQ_DESC_F_WRITE
#define INDIRECT   VPLAT_VIRTQ_DESC_F_INDIRECT

static struct ringfix f;
static struct vplat_chain c;
static struct vplat_iov iov[64];

static void setup_layout(int packed, uint64_t features, uint16_t size)
{
	rf_setup(&f, features | (packed ? F_PACKED : 0), size);
}

/* The pop must fail as a protocol error, raise NEEDS_RESET and send a config interrupt. */
static void expect_broken(void)
{
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_EPROTO);
	ck_assert(rf_needs_reset(&f));
	ck_assert_uint_eq(f.config_irqs, 1);
	ck_assert(!vplat_device_is_live(&f.dev));
	/* The queue stays stopped: further pops do nothing until reset. */
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_ENODEV);
	/* A reset brings the device back to a clean state. */
	vplat_device_set_status(&f.dev, 0);
	ck_assert_uint_eq(vplat_device_get_status(&f.dev), 0);
	rf_teardown(&f);
}

/* Put one raw descriptor at the next position (split: desc i + avail; packed: slot). */
static void raw(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	if (f.packed)
		rf_packed_desc(&f, i, addr, len, flags, next, f.wrap);
	else
		rf_split_desc(&f, i, addr, len, flags, next);
}

START_TEST(descriptor_loop)
{
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 0, RF_BUF, 16, NEXT, 1);
	rf_split_desc(&f, 1, RF_BUF, 16, NEXT, 2);
	rf_split_desc(&f, 2, RF_BUF, 16, NEXT, 0); /* back to the head */
	rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(descriptor_self_loop)
{
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 3, RF_BUF, 16, NEXT, 3);
	rf_split_avail(&f, 3);
	expect_broken();
}
END_TEST

START_TEST(chain_longer_than_queue)
{
	/* Packed: every slot says NEXT, so the chain would run round the ring forever. */
	setup_layout(1, 0, 8);
	for (uint16_t s = 0; s < 8; s++)
		raw(s, RF_BUF, 16, NEXT, 0);
	expect_broken();
}
END_TEST

START_TEST(address_outside_guest_memory)
{
	setup_layout(_i, 0, 8);
	raw(0, RF_GPA + RF_MEMSIZE - 8, 16, 0, 0); /* crosses the end of RAM */
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(address_below_guest_memory)
{
	setup_layout(_i, 0, 8);
	raw(0, 0x1000, 16, 0, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(wrapping_address)
{
	setup_layout(_i, 0, 8);
	raw(0, UINT64_MAX - 15, 64, WRITE, 0); /* addr + len wraps past 2^64 */
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(huge_length)
{
	setup_layout(_i, 0, 8);
	raw(0, RF_BUF, UINT32_MAX, WRITE, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(zero_length_is_harmless)
{
	/* A zero-length descriptor carries no bytes; it is accepted and maps nothing. */
	setup_layout(_i, 0, 8);
	uint64_t a[2] = {RF_BUF, RF_BUF + 64};
	uint32_t l[2] = {0, 32};
	uint16_t fl[2] = {0, WRITE};
	rf_add(&f, 2, a, l, fl);
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), 0);
	ck_assert_uint_eq(c.nread, 0);
	ck_assert_uint_eq(c.nwrite, 1);
	ck_assert_uint_eq(c.write_len, 32);
	ck_assert(!rf_needs_reset(&f));
	rf_teardown(&f);
}
END_TEST

START_TEST(indirect_inside_indirect)
{
	setup_layout(_i, F_INDIRECT, 8);
	uint64_t t1 = RF_BUF, t2 = RF_BUF + 0x100;
	if (f.packed) {
		struct vplat_pvirtq_desc *tab = rf_ptr(&f, t1);
		tab[0] = (struct vplat_pvirtq_desc){vplat_cpu_to_le64(t2), vplat_cpu_to_le32(16), 0,
						    vplat_cpu_to_le16(INDIRECT)};
	} else {
		struct vplat_virtq_desc *tab = rf_ptr(&f, t1);
		tab[0] = (struct vplat_virtq_desc){vplat_cpu_to_le64(t2), vplat_cpu_to_le32(16),
						   vplat_cpu_to_le16(INDIRECT), 0};
	}
	raw(0, t1, 16, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	/* Packed: "The driver MUST NOT set any flags except DESC_F_WRITE within an indirect
	 * descriptor"; a nested INDIRECT is refused like on the split ring. */
	expect_broken();
}
END_TEST

START_TEST(packed_table_reserved_flags_ignored)
{
	/* sec: Packed Virtqueues / Indirect Flag -- in a table only WRITE is valid, other flags
	 * "are reserved and are ignored by the device" (NEXT here), and so is the Buffer ID. */
	setup_layout(1, F_INDIRECT, 8);
	struct vplat_pvirtq_desc *tab = rf_ptr(&f, RF_BUF);
	tab[0] = (struct vplat_pvirtq_desc){vplat_cpu_to_le64(RF_BUF + 0x100), vplat_cpu_to_le32(16),
					    vplat_cpu_to_le16(77), vplat_cpu_to_le16(NEXT)};
	raw(0, RF_BUF, 16, INDIRECT, 0);
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), 0);
	ck_assert_uint_eq(c.nread, 1);
	ck_assert_uint_eq(c.read_len, 16);
	ck_assert(!rf_needs_reset(&f));
	rf_teardown(&f);
}
END_TEST

START_TEST(indirect_table_bad_size)
{
	setup_layout(_i, F_INDIRECT, 8);
	raw(0, RF_BUF, 24, INDIRECT, 0); /* not a multiple of 16 */
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_table_empty)
{
	setup_layout(_i, F_INDIRECT, 8);
	raw(0, RF_BUF, 0, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_table_too_large)
{
	setup_layout(_i, F_INDIRECT, 8);
	raw(0, RF_BUF, (VPLAT_VQ_MAX_INDIRECT + 1) * 16u, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_table_outside_memory)
{
	setup_layout(_i, F_INDIRECT, 8);
	raw(0, RF_GPA + RF_MEMSIZE - 16, 64, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

/* An entry of a valid indirect table points outside guest memory (split: the walk_add check
 * inside the table; packed: the same check on its table walk). */
START_TEST(indirect_entry_outside_memory)
{
	setup_layout(_i, F_INDIRECT, 8);
	uint64_t t1 = RF_BUF, bad = RF_GPA + RF_MEMSIZE + 0x1000;
	if (f.packed) {
		struct vplat_pvirtq_desc *tab = rf_ptr(&f, t1);
		tab[0] = (struct vplat_pvirtq_desc){vplat_cpu_to_le64(bad), vplat_cpu_to_le32(16), 0,
						    vplat_cpu_to_le16(0)};
	} else {
		struct vplat_virtq_desc *tab = rf_ptr(&f, t1);
		tab[0] = (struct vplat_virtq_desc){vplat_cpu_to_le64(bad), vplat_cpu_to_le32(16), 0, 0};
	}
	raw(0, t1, 16, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_not_negotiated)
{
	setup_layout(_i, 0, 8);
	raw(0, RF_BUF, 32, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_with_next)
{
	setup_layout(_i, F_INDIRECT, 8);
	raw(0, RF_BUF, 32, INDIRECT | NEXT, 1);
	raw(1, RF_BUF + 0x100, 16, 0, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_table_loop)
{
	setup_layout(0, F_INDIRECT, 8);
	struct vplat_virtq_desc *tab = rf_ptr(&f, RF_BUF);
	tab[0] = (struct vplat_virtq_desc){vplat_cpu_to_le64(RF_BUF + 0x100), vplat_cpu_to_le32(8),
					   vplat_cpu_to_le16(NEXT), vplat_cpu_to_le16(1)};
	tab[1] = (struct vplat_virtq_desc){vplat_cpu_to_le64(RF_BUF + 0x100), vplat_cpu_to_le32(8),
					   vplat_cpu_to_le16(NEXT), vplat_cpu_to_le16(0)};
	raw(0, RF_BUF, 32, INDIRECT, 0);
	rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(indirect_next_out_of_table)
{
	setup_layout(0, F_INDIRECT, 8);
	struct vplat_virtq_desc *tab = rf_ptr(&f, RF_BUF);
	tab[0] = (struct vplat_virtq_desc){vplat_cpu_to_le64(RF_BUF + 0x100), vplat_cpu_to_le32(8),
					   vplat_cpu_to_le16(NEXT), vplat_cpu_to_le16(2)};
	raw(0, RF_BUF, 32, INDIRECT, 0); /* table has 2 entries; next = 2 is outside */
	rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(avail_index_jump)
{
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 0, RF_BUF, 16, 0, 0);
	rf_split_set_avail_idx(&f, 9); /* 9 new entries in a queue of 8 */
	expect_broken();
}
END_TEST

/* A burst sees the same jump: nothing is taken, the ring is broken. */
START_TEST(avail_index_jump_burst)
{
	/* covers: VPLAT-CORE-051 */
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 0, RF_BUF, 16, WRITE, 0); /* every ring entry names this valid chain */
	rf_split_set_avail_idx(&f, 9);
	struct vplat_chain cs[4];
	struct vplat_iov io[4][2];
	rf_burst_chains(cs, io, 4);
	int err = 0;
	ck_assert_uint_eq(vplat_vq_pop_burst(&f.vq[0], cs, 4, &err), 0);
	ck_assert_int_eq(err, VPLAT_EPROTO);
	ck_assert(rf_needs_reset(&f));
	ck_assert_uint_eq(f.config_irqs, 1);
	ck_assert_uint_eq(f.vq[0].last_avail, 0);
	rf_teardown(&f);
}
END_TEST

/* A broken chain inside a split burst (a readable descriptor after a writable one): the
 * chains before it come out, the broken one does not, the ring is broken. With the broken
 * one first, the burst takes nothing. */
START_TEST(broken_chain_in_burst)
{
	/* covers: VPLAT-CORE-051 */
	for (unsigned bad = 0; bad < 2; bad++) {
		setup_layout(0, 0, 8);
		for (uint16_t d = 0; d < 3; d++)
			rf_split_desc(&f, d, RF_BUF, 16, d == bad ? WRITE | NEXT : WRITE, 5);
		rf_split_desc(&f, 5, RF_BUF + 64, 16, 0, 0);
		rf_split_avail(&f, 0);
		rf_split_avail(&f, 1);
		rf_split_avail(&f, 2);
		struct vplat_chain cs[4];
		struct vplat_iov io[4][2];
		rf_burst_chains(cs, io, 4);
		int err = 1;
		ck_assert_uint_eq(vplat_vq_pop_burst(&f.vq[0], cs, 4, &err), bad);
		ck_assert_int_eq(err, bad == 0 ? VPLAT_EPROTO : 0);
		ck_assert(rf_needs_reset(&f));
		ck_assert_uint_eq(f.config_irqs, 1);
		ck_assert_uint_eq(f.vq[0].last_avail, bad);
		ck_assert_uint_eq(vplat_vq_pop_burst(&f.vq[0], cs, 4, &err), 0);
		ck_assert_int_eq(err, VPLAT_ENODEV);
		rf_teardown(&f);
	}
}
END_TEST

/* A head on the resubmit list (vhost-user inflight recovery: the list comes from memory the
 * front end shares) whose chain is broken is a broken ring, like one from the avail ring. */
START_TEST(resubmitted_broken_chain)
{
	/* covers: VPLAT-CORE-051 */
	static const uint16_t again[1] = {3};
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 3, RF_BUF, 16, WRITE | NEXT, 4);
	rf_split_desc(&f, 4, RF_BUF + 64, 16, 0, 0); /* readable after writable */
	f.vq[0].resubmit = again;
	f.vq[0].nresubmit = 1;
	expect_broken();
}
END_TEST

/* An indirect table whose first and last entries are guest memory but a middle entry is not
 * (a hole between two regions): the entry in the hole is a table that left guest memory, not
 * a copy of the entry before it. */
START_TEST(indirect_table_over_a_hole)
{
	/* covers: VPLAT-CORE-051 */
	setup_layout(_i, F_INDIRECT, 8);
	uint8_t *second = calloc(1, 4096);
	ck_assert_ptr_nonnull(second);
	/* region 2 starts 16 bytes after region 1 ends: entry 1 of the table is in the hole */
	ck_assert_int_eq(vplat_mem_add(&f.map, RF_GPA + RF_MEMSIZE + 16, 4096, second), 0);
	uint64_t tab = RF_GPA + RF_MEMSIZE - 16;
	if (f.packed) {
		struct vplat_pvirtq_desc d0 = {vplat_cpu_to_le64(RF_BUF), vplat_cpu_to_le32(8), 0, 0};
		struct vplat_pvirtq_desc d2 = {vplat_cpu_to_le64(RF_BUF + 64), vplat_cpu_to_le32(8), 0,
					       vplat_cpu_to_le16(WRITE)};
		memcpy(rf_ptr(&f, tab), &d0, 16);
		memcpy(second, &d2, 16);
	} else {
		struct vplat_virtq_desc d0 = {vplat_cpu_to_le64(RF_BUF), vplat_cpu_to_le32(8),
					      vplat_cpu_to_le16(NEXT), vplat_cpu_to_le16(1)};
		memcpy(rf_ptr(&f, tab), &d0, 16);
	}
	raw(0, tab, 48, INDIRECT, 0);
	if (!f.packed)
		rf_split_avail(&f, 0);
	expect_broken();
	free(second);
}
END_TEST

START_TEST(head_out_of_range)
{
	setup_layout(0, 0, 8);
	rf_split_avail(&f, 8);
	expect_broken();
}
END_TEST

START_TEST(next_out_of_range)
{
	setup_layout(0, 0, 8);
	rf_split_desc(&f, 0, RF_BUF, 16, NEXT, 200);
	rf_split_avail(&f, 0);
	expect_broken();
}
END_TEST

START_TEST(readable_after_writable)
{
	setup_layout(_i, 0, 8);
	uint64_t a[2] = {RF_BUF, RF_BUF + 64};
	uint32_t l[2] = {16, 16};
	uint16_t fl[2] = {WRITE, 0};
	rf_add(&f, 2, a, l, fl);
	expect_broken();
}
END_TEST

START_TEST(bad_queue_sizes)
{
	/* sec: Split Virtqueues -- power of two, at most 32768; and never above QueueSizeMax. */
	static const uint16_t sizes[] = {0, 3, 100, 257, 512};
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		ck_assert_int_eq(rf_setup_noqueue(&f, 0), 0);
		struct vplat_vq *vq = &f.vq[0];
		vq->size = sizes[k];
		vq->desc_addr = RF_DESC;
		vq->driver_addr = RF_DRIVER;
		vq->device_addr = RF_DEVICE;
		ck_assert_int_eq(vplat_device_queue_enable(&f.dev, 0), VPLAT_EINVAL);
		ck_assert(!vq->enabled);
		rf_teardown(&f);
	}
	/* Packed rings may have any size up to the maximum. */
	ck_assert_int_eq(rf_setup_noqueue(&f, F_PACKED), 0);
	f.vq[0].size = 100;
	f.vq[0].desc_addr = RF_DESC;
	f.vq[0].driver_addr = RF_DRIVER;
	f.vq[0].device_addr = RF_DEVICE;
	ck_assert_int_eq(vplat_device_queue_enable(&f.dev, 0), 0);
	rf_teardown(&f);
}
END_TEST

START_TEST(rings_outside_or_misaligned)
{
	static const uint64_t bad[][3] = {
		{RF_DESC + 8, RF_DRIVER, RF_DEVICE},        /* descriptor table not 16-aligned */
		{RF_DESC, RF_DRIVER + 1, RF_DEVICE},        /* avail ring not 2-aligned */
		{RF_DESC, RF_DRIVER, RF_DEVICE + 2},        /* used ring not 4-aligned */
		{0x0, RF_DRIVER, RF_DEVICE},                /* not guest memory */
		{RF_DESC, RF_DRIVER, RF_GPA + RF_MEMSIZE - 8}, /* runs off the end */
		{UINT64_MAX - 15, RF_DRIVER, RF_DEVICE},    /* wraps */
	};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		ck_assert_int_eq(rf_setup_noqueue(&f, 0), 0);
		struct vplat_vq *vq = &f.vq[0];
		vq->size = 8;
		vq->desc_addr = bad[k][0];
		vq->driver_addr = bad[k][1];
		vq->device_addr = bad[k][2];
		ck_assert_int_eq(vplat_device_queue_enable(&f.dev, 0), VPLAT_EFAULT);
		ck_assert(!vq->enabled);
		rf_teardown(&f);
	}
}
END_TEST

START_TEST(driver_ok_without_features_ok)
{
	ck_assert_int_eq(rf_setup_noqueue(&f, 0), 0);
	vplat_device_set_status(&f.dev, 0);
	vplat_device_set_status(&f.dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	ck_assert_int_eq(vplat_device_set_status(&f.dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
								  VPLAT_VIRTIO_STATUS_DRIVER |
								  VPLAT_VIRTIO_STATUS_DRIVER_OK),
			 VPLAT_EPROTO);
	ck_assert(rf_needs_reset(&f));
	ck_assert(!(vplat_device_get_status(&f.dev) & VPLAT_VIRTIO_STATUS_DRIVER_OK));
	rf_teardown(&f);
}
END_TEST

START_TEST(status_bits_cleared)
{
	setup_layout(0, 0, 8);
	/* The driver MUST NOT clear a status bit: dropping FEATURES_OK while live. */
	ck_assert_int_eq(vplat_device_set_status(&f.dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
								  VPLAT_VIRTIO_STATUS_DRIVER |
								  VPLAT_VIRTIO_STATUS_DRIVER_OK),
			 VPLAT_EPROTO);
	ck_assert(rf_needs_reset(&f));
	ck_assert_uint_eq(f.config_irqs, 1);
	rf_teardown(&f);
}
END_TEST

START_TEST(queue_enable_before_features_ok)
{
	ck_assert_int_eq(rf_setup_noqueue(&f, 0), 0);
	vplat_device_set_status(&f.dev, 0);
	vplat_device_set_status(&f.dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	f.vq[0].size = 8;
	f.vq[0].desc_addr = RF_DESC;
	f.vq[0].driver_addr = RF_DRIVER;
	f.vq[0].device_addr = RF_DEVICE;
	ck_assert_int_eq(vplat_device_queue_enable(&f.dev, 0), VPLAT_EPERM);
	ck_assert_int_eq(vplat_device_queue_enable(&f.dev, 7), VPLAT_ENOENT);
	rf_teardown(&f);
}
END_TEST

START_TEST(memory_removed_under_live_queue)
{
	/* The VMM unplugs the RAM the rings live in and tells the device: it needs a reset at
	 * once, with a configuration interrupt, and no pop touches the rings. */
	setup_layout(_i, 0, 8);
	ck_assert_int_eq(vplat_mem_remove(&f.map, RF_GPA, RF_MEMSIZE), 0);
	vplat_device_remap(&f.dev);
	ck_assert(rf_needs_reset(&f));
	ck_assert_uint_eq(f.dev.needs_reset_reason, (uint32_t)-VPLAT_EFAULT);
	ck_assert_uint_eq(f.config_irqs, 1);
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_ENODEV);
	ck_assert(!vplat_vq_interrupt(&f.vq[0]));
	rf_teardown(&f);
	/* Unplugged without telling the device: the next kick finds out before the model runs. */
	setup_layout(_i, 0, 8);
	ck_assert_int_eq(vplat_mem_remove(&f.map, RF_GPA, RF_MEMSIZE), 0);
	vplat_device_kick(&f.dev, 0, 0);
	ck_assert_uint_eq(f.kicks, 0);
	ck_assert(rf_needs_reset(&f));
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_ENODEV);
	rf_teardown(&f);
}
END_TEST

START_TEST(memory_removed_silently_then_pop_or_push)
{
	/* The VMM unplugs the RAM the rings live in, tells the device nothing and does not kick:
	 * the queue's own generation check finds the rings gone before pop or push touches them
	 * (ENODEV, DEVICE_NEEDS_RESET for EFAULT, a configuration interrupt). */
	for (int push = 0; push < 2; push++) {
		setup_layout(_i, 0, 8);
		uint64_t a[1] = {RF_BUF};
		uint32_t l[1] = {16};
		uint16_t fl[1] = {WRITE};
		rf_add(&f, 1, a, l, fl);
		rf_add(&f, 1, a, l, fl);
		if (push)
			ck_assert_int_eq(rf_pop(&f, &c, iov, 64), 0);
		struct vplat_chain in_flight = c;
		ck_assert_int_eq(vplat_mem_remove(&f.map, RF_GPA, RF_MEMSIZE), 0);
		if (push)
			ck_assert_int_eq(vplat_vq_push(&f.vq[0], &in_flight, 16), VPLAT_ENODEV);
		else
			ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_ENODEV);
		ck_assert(rf_needs_reset(&f));
		ck_assert_uint_eq(f.dev.needs_reset_reason, (uint32_t)-VPLAT_EFAULT);
		ck_assert_uint_eq(f.config_irqs, 1);
		if (!f.packed) {
			ck_assert_uint_eq(rf_split_used_idx(&f), 0); /* the old used ring untouched */
		} else {
			uint16_t uid;
			uint32_t ulen;
			ck_assert(!rf_packed_used(&f, &uid, &ulen, 1));
		}
		ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_ENODEV);
		rf_teardown(&f);
	}
}
END_TEST

START_TEST(chain_exceeding_caller_iov)
{
	/* A valid chain with more segments than the device's storage: E2BIG, still consumed. */
	setup_layout(_i, 0, 8);
	uint64_t a[4] = {RF_BUF, RF_BUF + 64, RF_BUF + 128, RF_BUF + 192};
	uint32_t l[4] = {16, 16, 16, 16};
	uint16_t fl[4] = {0, 0, WRITE, WRITE};
	rf_add(&f, 4, a, l, fl);
	ck_assert_int_eq(rf_pop(&f, &c, iov, 2), VPLAT_E2BIG);
	ck_assert(!rf_needs_reset(&f));
	/* The last writable byte is still found, for a trailing status byte. */
	ck_assert_ptr_eq(c.write_tail, rf_ptr(&f, RF_BUF + 192 + 15));
	ck_assert_int_eq(vplat_vq_push(&f.vq[0], &c, 0), 0);
	ck_assert_int_eq(rf_pop(&f, &c, iov, 64), VPLAT_EAGAIN);
	rf_teardown(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("hostile");
	tcase_add_test(tc, descriptor_loop);
	tcase_add_test(tc, descriptor_self_loop);
	tcase_add_test(tc, chain_longer_than_queue);
	tcase_add_loop_test(tc, address_outside_guest_memory, 0, 2);
	tcase_add_loop_test(tc, address_below_guest_memory, 0, 2);
	tcase_add_loop_test(tc, wrapping_address, 0, 2);
	tcase_add_loop_test(tc, huge_length, 0, 2);
	tcase_add_loop_test(tc, zero_length_is_harmless, 0, 2);
	tcase_add_loop_test(tc, indirect_inside_indirect, 0, 2);
	tcase_add_test(tc, packed_table_reserved_flags_ignored);
	tcase_add_loop_test(tc, indirect_table_bad_size, 0, 2);
	tcase_add_loop_test(tc, indirect_table_empty, 0, 2);
	tcase_add_loop_test(tc, indirect_table_too_large, 0, 2);
	tcase_add_loop_test(tc, indirect_table_outside_memory, 0, 2);
	tcase_add_loop_test(tc, indirect_entry_outside_memory, 0, 2);
	tcase_add_loop_test(tc, indirect_not_negotiated, 0, 2);
	tcase_add_loop_test(tc, indirect_with_next, 0, 2);
	tcase_add_test(tc, indirect_table_loop);
	tcase_add_test(tc, indirect_next_out_of_table);
	tcase_add_test(tc, avail_index_jump);
	tcase_add_test(tc, avail_index_jump_burst);
	tcase_add_test(tc, broken_chain_in_burst);
	tcase_add_test(tc, resubmitted_broken_chain);
	tcase_add_loop_test(tc, indirect_table_over_a_hole, 0, 2);
	tcase_add_test(tc, head_out_of_range);
	tcase_add_test(tc, next_out_of_range);
	tcase_add_loop_test(tc, readable_after_writable, 0, 2);
	tcase_add_test(tc, bad_queue_sizes);
	tcase_add_test(tc, rings_outside_or_misaligned);
	tcase_add_test(tc, driver_ok_without_features_ok);
	tcase_add_test(tc, status_bits_cleared);
	tcase_add_test(tc, queue_enable_before_features_ok);
	tcase_add_loop_test(tc, memory_removed_under_live_queue, 0, 2);
	tcase_add_loop_test(tc, memory_removed_silently_then_pop_or_push, 0, 2);
	tcase_add_loop_test(tc, chain_exceeding_caller_iov, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
