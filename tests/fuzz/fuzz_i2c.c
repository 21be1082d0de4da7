/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the I2C adapter device's request parser (sec: Device Types / I2C Adapter
 * Device / Device Operation: Request Queue) on the simulated bus (an LM75 at 0x48, a 24c02 at
 * 0x50). The input is a script of driver actions: requests with fuzzed header bytes, buffer
 * layouts (segment counts, directions, lengths) and FAIL_NEXT chaining, kicks, and drains.
 * Every used length must fit the request's writable part, every written status must be OK
 * or ERR, and the device must never need a reset (the rings the driver builds are valid).
 * Byte 0: bit 0 packed ring, bit 1 indirect descriptors (one ring slot per request, as Linux
 * sends them; lets a group outgrow the device's limit in a 32-entry ring). Guest RAM is set up
 * once per process (fuzz_lb.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/i2c.h"
#include "vplat/vplat.h"
#include "vplat/host/i2c_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 96

/* What the driver posted, to check what comes back. */
struct post {
	uint8_t *status;  /* last writable byte, or NULL */
	uint32_t wlen;    /* writable bytes */
};

struct fz {
	struct vplat_loopback lb;
	struct vplat_i2c d;
	struct vplat_i2c_sim *sim;
	struct vplat_val_dev v;
	struct vplat_val_vq rq;
	struct post posts[64];
	unsigned nposts;
};

static void drain(struct fz *f)
{
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(&f->rq, &tok, &len) == 0) {
		struct post *p = tok;
		if (len > p->wlen)
			abort();
		if (p->status && len && *p->status > 1)
			abort(); /* the status byte is OK or ERR once written */
	}
}

static void step(struct fz *f, const uint8_t *p, size_t n)
{
	uint8_t op = p[0] % 8;
	uint64_t gpa;
	if (op == 7) {
		drain(f);
		return;
	}
	if (op == 6) {
		vplat_val_vq_kick(&f->rq);
		return;
	}
	if (n < 8 || f->nposts == 64)
		return;
	/* p[1]: address selector, p[2]: flags, p[3]: read data length, p[4]: write length,
	 * p[5]: layout, p[6..7]: raw bytes for odd cases */
	static const uint16_t addrs[] = {0x48 << 1, 0x50 << 1, 0x49 << 1, 0xa5f4, 0x0091, 0x1248};
	uint16_t addr = (p[1] & 0x80) ? (uint16_t)(p[6] | p[7] << 8) : addrs[p[1] % 6];
	uint32_t flags = p[2] & 0x3;
	if (p[2] & 0x80)
		flags |= (uint32_t)p[2] << 24;
	uint32_t hdr_len = (p[5] & 0x40) ? (uint32_t)(p[5] % 12) : 8;
	uint32_t rd = hdr_len + (uint32_t)(p[3] % 24);
	uint32_t wr = (uint32_t)(p[4] % 24);
	unsigned nseg_r = 1 + (p[5] & 1), nseg_w = wr ? 1 + ((p[5] >> 1) & 1) : 0;
	uint8_t *rb = vplat_val_alloc(&f->lb.dma, rd ? rd : 1, 8, &gpa);
	uint8_t *wb = vplat_val_alloc(&f->lb.dma, wr ? wr : 1, 8, &gpa);
	if (!rb || !wb)
		return;
	struct vplat_virtio_i2c_out_hdr h = {.addr = vplat_cpu_to_le16(addr),
					     .flags = vplat_cpu_to_le32(flags)};
	memcpy(rb, &h, hdr_len < 8 ? hdr_len : 8);
	for (uint32_t i = 8; i < rd; i++)
		rb[i] = (uint8_t)(p[6] + i);
	memset(wb, 0xee, wr ? wr : 1);
	struct vplat_val_buf b[4];
	unsigned k = 0;
	if (!rd)
		rd = 1;
	if (nseg_r == 2 && rd > 1) {
		b[k++] = (struct vplat_val_buf){.ptr = rb, .len = rd / 2};
		b[k++] = (struct vplat_val_buf){.ptr = rb + rd / 2, .len = rd - rd / 2};
	} else {
		b[k++] = (struct vplat_val_buf){.ptr = rb, .len = rd};
		nseg_r = 1;
	}
	if (nseg_w == 2 && wr > 1) {
		b[k++] = (struct vplat_val_buf){.ptr = wb, .len = wr / 2};
		b[k++] = (struct vplat_val_buf){.ptr = wb + wr / 2, .len = wr - wr / 2};
	} else if (nseg_w) {
		b[k++] = (struct vplat_val_buf){.ptr = wb, .len = wr};
		nseg_w = 1;
	}
	struct post *po = &f->posts[f->nposts++];
	po->status = wr ? wb + wr - 1 : NULL;
	po->wlen = wr;
	if (vplat_val_vq_add(&f->rq, b, nseg_r, nseg_w, po) == 0 && (p[5] & 0x80))
		vplat_val_vq_kick(&f->rq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	memset(&f, 0, sizeof(f));
	if (fz_lb_init(&f.lb, (size & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, 1u << 17))
		abort();
	f.sim = vplat_i2c_sim_new();
	if (!f.sim || vplat_i2c_sim_add_lm75(f.sim, 0x48, 23500) ||
	    vplat_i2c_sim_add_eeprom(f.sim, 0x50, 256, 8, NULL) ||
	    vplat_i2c_init(&f.d, vplat_loopback_mem(&f.lb), &vplat_i2c_host_sim, f.sim) ||
	    vplat_loopback_attach(&f.lb, vplat_i2c_device(&f.d)) ||
	    vplat_loopback_val_init(&f.lb, &f.v))
		abort();
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
			VPLAT_BIT(VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST) |
			VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER) | VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC);
	if (size && (data[0] & 1))
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.v, want) || vplat_val_vq_setup(&f.v, &f.rq, 0, 32) ||
	    (size && (data[0] & 2) && vplat_val_vq_use_indirect(&f.rq, true)) ||
	    vplat_val_driver_ok(&f.v))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	/* At most MAX_STEPS steps: longer inputs add no state a 17-request group cannot reach,
	 * and the rate stays above 10,000 inputs per CPU-second (docs/fuzzing.md). */
	size_t end = size < 1 + 8 * MAX_STEPS ? size : 1 + 8 * MAX_STEPS;
	for (size_t off = 1; off < end;) {
		size_t n = end - off < 8 ? end - off : 8;
		if (f.rq.num_free < 5) {
			vplat_val_vq_kick(&f.rq);
			drain(&f);
		}
		step(&f, data + off, n);
		if (f.d.npend > VPLAT_I2C_GROUP_MAX || f.d.used > VPLAT_I2C_GROUP_BYTES)
			abort(); /* the open group stays within the device's storage */
		/* Buffers are reused only when none is in flight (held groups pin memory). */
		if (!f.rq.inflight) {
			vplat_val_mem_release(&f.lb.dma, mark);
			f.nposts = 0;
		}
		off += n;
	}
	vplat_val_vq_kick(&f.rq);
	drain(&f);
	if (vplat_device_get_status(&f.d.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	if (f.d.npend > VPLAT_I2C_GROUP_MAX || f.d.used > VPLAT_I2C_GROUP_BYTES)
		abort();
	vplat_val_vq_fini(&f.rq);
	fz_lb_fini(&f.lb);
	vplat_i2c_sim_free(f.sim);
	return 0;
}
