/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared harness for the ring-walker fuzz targets: the fuzzer's bytes become the driver's
 * side of a queue in 64 KiB of guest memory (descriptor table, available ring / event areas,
 * indirect tables and buffers all live there; packed: also up to 63 descriptor copies that
 * inflight recovery replays before the ring), a device pops and pushes until the ring is
 * empty or broken, and touches every byte of every segment so that ASan sees any segment
 * that points outside guest memory.
 *
 * The guest memory is one static array for the whole process (a global, so ASan's redzones
 * still catch a segment past its end); each input overwrites its start with the input's bytes
 * and clears only what the previous input dirtied beyond that (its bytes, the rings the device
 * writes below 0xc00, and the writable segments it filled).
 */
#ifndef VPLAT_FUZZ_RING_H
#define VPLAT_FUZZ_RING_H

#include <stdlib.h>
#include <string.h>
#include "vplat/device.h"
#include "vplat/error.h"

#define FZ_GPA  UINT64_C(0x10000)
#define FZ_SIZE 0x10000u

static void fz_kick(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)dev;
	(void)vq;
}
static void fz_used(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)dev;
	(void)vq;
}
static void fz_config(struct vplat_device *dev)
{
	(void)dev;
}
static const struct vplat_interrupt_ops fz_notify = {fz_used, fz_config};
static const struct vplat_device_ops fz_ops = {
	.name = "fuzz", .device_id = 0x7e, .queue_notify = fz_kick};

static int fz_run(const uint8_t *data, size_t size, bool packed)
{
	if (size < 4)
		return 0;
	/* Header: queue size, feature toggles. */
	uint16_t qsize = (uint16_t)(data[0] | data[1] << 8), qword = qsize;
	uint8_t toggles = data[2];
	data += 3;
	size -= 3;
	qsize = packed ? (uint16_t)(qsize % 64 + 1) : (uint16_t)(1u << (qsize % 7));

	static uint8_t ram[FZ_SIZE] __attribute__((aligned(4096)));
	static size_t dirty = FZ_SIZE; /* the first input clears everything */
	size_t copy = size < FZ_SIZE ? size : FZ_SIZE;
	memcpy(ram, data, copy);
	if (dirty > copy)
		memset(ram + copy, 0, dirty - copy);
	dirty = copy > 0xc00 ? copy : 0xc00; /* device-written rings live below 0xc00 */
	struct vplat_mem_region regs[1];
	struct vplat_mem mem;
	struct vplat_device dev;
	struct vplat_vq vq;
	vplat_mem_init(&mem, regs, 1);
	vplat_mem_add(&mem, FZ_GPA, FZ_SIZE, ram);
	vplat_device_init(&dev, &fz_ops, NULL, &mem, &vq, 1, 64, NULL, 0);
	vplat_device_attach(&dev, &fz_notify, NULL);
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (packed)
		f |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (toggles & 1)
		f |= VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC);
	if (toggles & 2)
		f |= VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX);
	if (toggles & 4)
		f |= VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER);
	vplat_device_set_status(&dev, 3);
	vplat_device_set_driver_features64(&dev, f);
	vplat_device_set_status(&dev, 0xb);
	vq.size = qsize;
	vq.desc_addr = FZ_GPA;
	vq.driver_addr = FZ_GPA + 0x400;
	vq.device_addr = FZ_GPA + 0x800;
	if (vplat_device_queue_enable(&dev, 0) == 0 && vplat_device_set_status(&dev, 0xf) == 0) {
		/* Packed: the high byte of the queue-size word gives 0..63 descriptor copies to
		 * replay before the ring (inflight recovery, vplat_vq::replay), read from guest
		 * memory at 0xc00 (the device only reads them). */
		if (packed) {
			vq.replay = (const struct vplat_pvirtq_desc *)(void *)(ram + 0xc00);
			vq.nreplay = (uint16_t)(qword >> 8 & 0x3fu);
		}
		struct vplat_iov iov[16];
		struct vplat_chain c;
		uint8_t sink = 0;
		/* Toggle 32: the burst API (vplat_vq_pop_burst/push_burst), 1..4 chains a burst
		 * (toggle bits 6-7), same touching of every segment. */
		struct vplat_chain bc[4];
		struct vplat_iov biov[4][16];
		uint32_t bn = (uint32_t)(toggles >> 6) + 1u;
		for (int n = 0; (toggles & 32) && n < 64; n++) {
			for (uint32_t j = 0; j < bn; j++) {
				bc[j].iov = biov[j];
				bc[j].iov_cap = (toggles & 8) ? 2 : 16;
			}
			uint32_t got = vplat_vq_pop_burst(&vq, bc, bn, NULL);
			if (got == 0)
				break;
			for (uint32_t j = 0; j < got; j++) {
				const struct vplat_chain *b = &bc[j];
				for (uint32_t i = 0; i < b->nread; i++)
					for (size_t k = 0; k < b->iov[i].len; k++)
						sink ^= ((volatile uint8_t *)b->iov[i].base)[k];
				for (uint32_t i = b->nread; i < b->nread + b->nwrite; i++) {
					memset(b->iov[i].base, sink, b->iov[i].len);
					size_t end = (size_t)((uint8_t *)b->iov[i].base - ram) + b->iov[i].len;
					if (end > dirty)
						dirty = end;
				}
			}
			vplat_vq_push_burst(&vq, bc, got, NULL);
			vplat_vq_interrupt(&vq);
		}
		/* Bounded: the ring can never hold more than qsize chains per lap. */
		for (int n = 0; !(toggles & 32) && n < 4 * 64; n++) {
			c.iov = iov;
			c.iov_cap = (toggles & 8) ? 2 : 16;
			int rc = vplat_vq_pop(&vq, &c);
			if (rc != 0 && rc != VPLAT_E2BIG)
				break;
			for (uint32_t i = 0; i < c.nread; i++)
				for (size_t k = 0; k < iov[i].len; k++)
					sink ^= ((volatile uint8_t *)iov[i].base)[k];
			for (uint32_t i = c.nread; i < c.nread + c.nwrite; i++) {
				memset(iov[i].base, sink, iov[i].len);
				size_t end = (size_t)((uint8_t *)iov[i].base - ram) + iov[i].len;
				if (end > dirty)
					dirty = end;
			}
			vplat_vq_push(&vq, &c, (uint32_t)c.write_len);
			vplat_vq_interrupt(&vq);
			if (toggles & 16)
				vplat_vq_set_notification(&vq, n & 1);
		}
	}
	return 0;
}

#endif
