/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the virtio-mmio register model driven by a hostile driver
 * (sec: Virtio Transport Options / Virtio Over MMIO / MMIO Device Register Layout).
 *
 * The input is a sequence of 7-byte records { op, off_lo, off_hi, val[4] }:
 *   op bit 0     0 = read, 1 = write
 *   op bits 1-2  width index: 1, 2, 4, 8 bytes
 *   op bit 3     misalign the offset by one byte
 *   op bits 4-6  0..3: register access at offset (off & 0x1ff), 4: access at a far offset
 *                (off << 16), 5: write val to guest memory at (off % 64 KiB) (to build
 *                rings), 6: device event (config change / used notification / needs reset /
 *                run the queues; with off bit 15: a full driver bring-up through the
 *                registers, features chosen by val), 7: reinitialise the transport
 * The device behind the window has 12 bytes of config space and 2 queues over 64 KiB of guest
 * memory; its queue handler pops every available chain, writes into it and pushes it back.
 *
 * Checked: no crash, no access outside guest memory (ASan), and the model's invariants:
 * control registers read at most 32 bits, refused accesses read 0, InterruptStatus holds only
 * bits 0-1, and the interrupt line is up exactly while InterruptStatus is non-zero.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/vq.h"
#include "vplat/spec/virtio_mmio.h"
#include "fuzz_dev.h"

#define GPA_BASE 0x10000u
#define MEM_SIZE 0x10000u
#define NQUEUES  2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t guest[MEM_SIZE] __attribute__((aligned(4096)));
static struct vplat_mem_region regions[1];
static struct vplat_mem mem;
static struct vplat_vq vqs[NQUEUES];
static uint8_t config[12];
static struct vplat_device dev;
static struct vplat_mmio t;
static bool line;
static struct vplat_shm_region shm[1] = {{.id = 2, .addr = 0x80000000u, .len = 0x1000}};

static void f_queue_notify(struct vplat_device *d, struct vplat_vq *vq)
{
	static const uint8_t fill[16] = "vplat-fuzz-mmio";

	(void)d;
	fz_serve(vq, fill, 4 * NQUEUES);
}

static void f_config_write(struct vplat_device *d, uint32_t off, const void *src, uint32_t len)
{
	(void)d;
	fz_config_store(config, sizeof(config), off, src, len);
}

static const struct vplat_device_ops fuzz_ops = {
	.name = "fuzz",
	.device_id = VPLAT_VIRTIO_ID_RNG,
	.features = VPLAT_BIT(0) | VPLAT_BIT(3),
	.queue_notify = f_queue_notify,
	.config_write = f_config_write,
};

static void f_irq(void *opaque, bool level)
{
	CHECK(opaque == &t);
	CHECK(level != line); /* called on changes only */
	line = level;
}

static void check_irq(void)
{
	CHECK(t.interrupt_status <= 3u);
	CHECK(line == (t.interrupt_status != 0));
}

/* Ring areas of queue q (any layout fits: split or packed, up to 16 entries). */
#define RING_DESC(q)   (GPA_BASE + 0x2000u * (q))
#define RING_DRIVER(q) (GPA_BASE + 0x2000u * (q) + 0x800u)
#define RING_DEVICE(q) (GPA_BASE + 0x2000u * (q) + 0x1000u)

static void wr(uint32_t off, uint32_t v)
{
	CHECK(vplat_mmio_write(&t, off, 4, v) == 0);
}

/*
 * A well-behaved driver's bring-up through the registers, so that the fuzzer starts from
 * live queues: @p sel picks transport features (bits 16..31 of @p sel select feature bits
 * 16..31, bits 0..15 select bits 32..47), @p qsize the queue size.
 */
static void bring_up(uint32_t sel, uint32_t qsize)
{
	uint64_t want = ((uint64_t)(sel & 0xffff0000u) | ((uint64_t)(sel & 0xffffu) << 32)) |
			VPLAT_BIT(0) | VPLAT_BIT(3) | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	uint64_t f = dev.host_features & want;

	wr(VPLAT_VIRTIO_MMIO_STATUS, 0);
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	for (uint32_t w = 0; w < 2; w++) {
		wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL, w);
		wr(VPLAT_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> (32u * w)));
	}
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
					     VPLAT_VIRTIO_STATUS_FEATURES_OK);
	for (uint32_t q = 0; q < NQUEUES; q++) {
		wr(VPLAT_VIRTIO_MMIO_QUEUE_SEL, q);
		wr(VPLAT_VIRTIO_MMIO_QUEUE_SIZE, qsize);
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC(q));
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW, RING_DRIVER(q));
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW, RING_DEVICE(q));
		wr(VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
		wr(VPLAT_VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(VPLAT_VIRTIO_MMIO_STATUS, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER |
					     VPLAT_VIRTIO_STATUS_FEATURES_OK |
					     VPLAT_VIRTIO_STATUS_DRIVER_OK);
}

static void device_event(uint16_t which, uint32_t v32)
{
	if (which & 0x8000u) {
		bring_up(v32, 1u << (which & 3u) * 2u); /* 1, 4, 16, 64 (above the max: refused) */
		return;
	}
	switch (which % 4u) {
	case 0:
		vplat_device_config_changed(&dev);
		break;
	case 1:
		if (dev.interrupt != NULL)
			dev.interrupt->used(&dev, &vqs[(which >> 2) % NQUEUES]);
		break;
	case 2:
		vplat_device_needs_reset(&dev, VPLAT_EPROTO);
		break;
	default:
		for (uint16_t q = 0; q < NQUEUES; q++)
			f_queue_notify(&dev, &vqs[q]);
		break;
	}
}

static void reg_access(uint64_t off, unsigned width, bool write, uint64_t val)
{
	uint64_t got = 0xa5a5a5a5a5a5a5a5u;
	int rc;

	if (write) {
		rc = vplat_mmio_write(&t, off, width, val);
		CHECK(rc == 0 || rc == VPLAT_EINVAL);
		return;
	}
	rc = vplat_mmio_read(&t, off, width, &got);
	CHECK(rc == 0 || rc == VPLAT_EINVAL);
	if (rc != 0)
		CHECK(got == 0);
	if (off < VPLAT_MMIO_CONFIG_OFFSET)
		CHECK(got <= UINT32_MAX);
	else if (width < 8)
		CHECK(got < (UINT64_C(1) << (8u * width)));
	if (rc == 0 && off == VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS)
		CHECK(got == t.interrupt_status);
}

static void setup(void)
{
	memset(guest, 0, sizeof(guest));
	memset(config, 0x5a, sizeof(config));
	line = false;
	if (vplat_mem_init(&mem, regions, 1) != 0 ||
	    vplat_mem_add(&mem, GPA_BASE, MEM_SIZE, guest) != 0 ||
	    vplat_device_init(&dev, &fuzz_ops, NULL, &mem, vqs, NQUEUES, 16, config,
			      sizeof(config)) != 0)
		__builtin_trap();
	dev.shm = shm;
	dev.nshm = 1;
	if (vplat_mmio_init(&t, &dev, 0x554d4551u, f_irq, &t) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned widths[4] = {1, 2, 4, 8};

	setup();
	for (size_t i = 0; i + 7 <= size; i += 7) {
		const uint8_t *r = data + i;
		uint8_t op = r[0];
		uint16_t off = (uint16_t)(r[1] | r[2] << 8);
		uint32_t v32 = (uint32_t)r[3] | (uint32_t)r[4] << 8 | (uint32_t)r[5] << 16 |
			       (uint32_t)r[6] << 24;
		unsigned width = widths[(op >> 1) & 3u];
		bool write = op & 1u;
		uint64_t val = width == 8 ? ((uint64_t)v32 << 32 | v32) : v32;
		unsigned kind = (op >> 4) & 7u;
		uint64_t roff = (uint64_t)(off & 0x1ffu) + ((op & 8u) ? 1u : 0u);

		switch (kind) {
		case 4:
			reg_access((uint64_t)off << 16 | (op & 8u), width, write, val);
			break;
		case 5: {
			uint32_t g = off % (MEM_SIZE - 3u);
			memcpy(&guest[g], &v32, 4);
			break;
		}
		case 6:
			device_event(off, v32);
			break;
		case 7:
			if (vplat_mmio_init(&t, &dev, v32, f_irq, &t) != 0)
				__builtin_trap();
			line = t.irq_level;
			break;
		default:
			reg_access(roff, width, write, val);
			break;
		}
		check_irq();
	}
	return 0;
}
