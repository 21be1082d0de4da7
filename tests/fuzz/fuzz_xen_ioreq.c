/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Xen back end's ioreq dispatch (backends/xen/xen_dispatch.c) under a
 * hostile stream of I/O requests, with vplat's virtio-mmio model behind two device windows.
 *
 * The input is a sequence of 32-byte records laid out as Xen's ioreq_t (public/hvm/ioreq.h):
 *   addr u64, data u64, count u32, size u32, vp_eport u32, pad u16,
 *   byte 30: state:4 data_is_ptr:1 dir:1 df:1 pad:1, byte 31: type
 * decoded exactly as the server decodes a slot of the shared page. Two steers keep the
 * fuzzer near the interesting space: an address with bit 63 clear becomes
 * 0x2000000 + (addr % 0x500) (both windows, the gap above and below them), and type 0xfe
 * writes the 8 data bytes to guest memory at (addr % 64 KiB) so that rings can be built.
 *
 * Checked: no crash or out-of-bounds access (ASan), a request outside every window or
 * malformed (width, count, data pointer, type, direction) is refused without reaching a
 * model, every refused or rejected read answers 0, a served read fits its width, and each
 * interrupt line is up exactly while its InterruptStatus is non-zero.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/backend/xen.h"
#include "vplat/device.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/vq.h"
#include "fuzz_dev.h"

#define GPA_BASE 0x40000000u
#define MEM_SIZE 0x10000u
#define WBASE    0x2000000ull
#define WSIZE    0x200ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t guest[MEM_SIZE] __attribute__((aligned(4096)));
static struct vplat_mem_region regions[1];
static struct vplat_mem mem;
static struct vplat_vq vqs[2][2];
static uint8_t config[2][12];
static struct vplat_device dev[2];
static struct vplat_mmio t[2];
static bool line[2];
static struct vplat_xen_window win[2];

static void f_queue_notify(struct vplat_device *d, struct vplat_vq *vq)
{
	static const uint8_t fill[16] = "vplat-fuzz-xen!";

	(void)d;
	fz_serve(vq, fill, 8);
}

static const struct vplat_device_ops ops[2] = {
	{.name = "xen-fuzz-0", .device_id = 4, .features = 1, .queue_notify = f_queue_notify},
	{.name = "xen-fuzz-1", .device_id = 2, .features = 2, .queue_notify = f_queue_notify},
};

static void f_irq(void *opaque, bool level)
{
	bool *l = opaque;

	CHECK(level != *l); /* changes only */
	*l = level;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void reset_all(void)
{
	memset(guest, 0, sizeof(guest));
	vplat_mem_init(&mem, regions, 1);
	CHECK(vplat_mem_add(&mem, GPA_BASE, MEM_SIZE, guest) == 0);
	for (int i = 0; i < 2; i++) {
		memset(config[i], 0x11 * (i + 1), sizeof(config[i]));
		CHECK(vplat_device_init(&dev[i], &ops[i], NULL, &mem, vqs[i], 2, 16, config[i],
					sizeof(config[i])) == 0);
		line[i] = false;
		CHECK(vplat_mmio_init(&t[i], &dev[i], 0x006c7076u, f_irq, &line[i]) == 0);
		win[i] = (struct vplat_xen_window){.base = WBASE + WSIZE * (unsigned)i, .size = WSIZE,
						   .mmio = &t[i]};
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reset_all();
	for (; size >= 32; data += 32, size -= 32) {
		struct vplat_xen_ioreq r = {
			.addr = le(data, 8),
			.data = le(data + 8, 8),
			.count = (uint32_t)le(data + 16, 4),
			.size = (uint32_t)le(data + 20, 4),
			.data_is_ptr = (data[30] >> 4) & 1,
			.dir = (data[30] >> 5) & 1,
			.df = (data[30] >> 6) & 1,
			.type = data[31],
		};

		if (r.type == 0xfe) {
			uint32_t off = (uint32_t)(r.addr % MEM_SIZE);
			uint32_t n = MEM_SIZE - off < 8 ? MEM_SIZE - off : 8;

			memcpy(guest + off, data + 8, n);
			continue;
		}
		if (!(r.addr >> 63))
			r.addr = WBASE - 0x100 + (r.addr % 0x500);
		bool inside = false;

		for (int i = 0; i < 2; i++)
			if (r.addr >= win[i].base && r.addr - win[i].base < WSIZE &&
			    WSIZE - (r.addr - win[i].base) >= r.size)
				inside = true;
		bool wellformed = r.type == VPLAT_XEN_IOREQ_TYPE_COPY && !r.data_is_ptr &&
				  r.count == 1 &&
				  (r.size == 1 || r.size == 2 || r.size == 4 || r.size == 8);
		uint64_t before = r.data;
		int res = vplat_xen_dispatch(win, 2, &r);

		if (r.type == VPLAT_XEN_IOREQ_TYPE_INVALIDATE) {
			CHECK(res == VPLAT_XEN_INVALIDATE);
			continue;
		}
		if (!inside || !wellformed)
			CHECK(res == VPLAT_XEN_REFUSED);
		else
			CHECK(res == VPLAT_XEN_SERVED || res == VPLAT_XEN_REJECTED);
		if (r.dir == VPLAT_XEN_IOREQ_READ) {
			if (r.data_is_ptr)
				CHECK(r.data == before);
			else if (res != VPLAT_XEN_SERVED)
				CHECK(r.data == 0);
			else if (r.size < 8)
				CHECK(r.data >> (8 * r.size) == 0);
		}
		for (int i = 0; i < 2; i++)
			CHECK(line[i] == (t[i].interrupt_status != 0));
	}
	return 0;
}
