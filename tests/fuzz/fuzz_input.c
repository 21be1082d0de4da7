/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the input device (sec: Device Types / Input Device): its configuration
 * select/subsel decoder, its statusq parser and its event queue. The input is a script of
 * driver and host actions, 8 bytes a step: eventq and statusq buffers with fuzzed lengths,
 * segment counts and directions, status event contents, config writes at any offset and
 * width, host-end events (bursts too, to overflow the device's queue), kicks, drains and
 * device resets. Checks after every step: the held events within the device's ring, every
 * config read consistent (size at most 128, zeros after it for strings and bitmaps, select
 * and subsel as written), eventq used lengths 0 or 8 and within the writable part, statusq
 * used length 0, every status event the host end receives one the driver wrote, no reset
 * needed. Byte 0: bit 0 packed ring. Guest RAM is set up once per process (fuzz_lb.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/input.h"
#include "vplat/vplat.h"
#include "vplat/host/input_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 96
#define CFG_LEN ((uint32_t)sizeof(struct vplat_virtio_input_config))

struct post {
	uint32_t wlen; /* writable bytes */
	bool status;   /* a statusq buffer */
};

struct fz {
	struct vplat_loopback lb;
	struct vplat_input d;
	struct vplat_input_caps caps;
	struct vplat_val_dev v;
	struct vplat_val_vq evq, stq;
	struct post posts[128];
	unsigned nposts;
	uint16_t last_type; /* type of the last status event the driver wrote */
	unsigned got_status;
	uint8_t sel, sub;
};

static struct fz *cur;

static void fz_status(void *host, uint16_t type, uint16_t code, int32_t value)
{
	(void)host;
	(void)code;
	(void)value;
	cur->got_status++;
	(void)type;
}

static const struct vplat_input_host_ops fz_ops = {.status = fz_status};

static void drain(struct fz *f)
{
	struct vplat_val_vq *q[2] = {&f->evq, &f->stq};
	for (unsigned i = 0; i < 2; i++) {
		void *tok;
		uint32_t len;
		while (vplat_val_vq_get_used(q[i], &tok, &len) == 0) {
			struct post *p = tok;
			if (len > p->wlen || (p->status && len) || (!p->status && len != 0 && len != 8))
				abort();
		}
	}
}

static void check_config(struct fz *f)
{
	uint8_t c[sizeof(struct vplat_virtio_input_config)];
	for (uint32_t i = 0; i < CFG_LEN; i++)
		c[i] = (uint8_t)vplat_val_config_read(&f->v, i, 1);
	if (c[0] != f->sel || c[1] != f->sub || c[2] > 128)
		abort();
	for (uint32_t i = 3; i < 8; i++)
		if (c[i])
			abort(); /* reserved stays zero */
	for (uint32_t i = 8u + c[2]; i < CFG_LEN; i++)
		if (c[i])
			abort(); /* nothing after size */
	if (c[2] && (c[0] == VPLAT_VIRTIO_INPUT_CFG_UNSET || (c[0] > 0x03 && c[0] < 0x10) ||
		     c[0] > 0x12))
		abort(); /* an unsupported select shows nothing */
}

static void add(struct fz *f, struct vplat_val_vq *vq, const uint8_t *p, bool status)
{
	uint64_t gpa;
	if (f->nposts == 128 || vq->num_free < 2)
		return;
	uint32_t len = p[1] % 24;
	uint8_t *b = vplat_val_alloc(&f->lb.dma, len ? len : 1, 8, &gpa);
	if (!b)
		return;
	for (uint32_t i = 0; i < len; i++)
		b[i] = p[3 + i % 5];
	bool readable = status ? !(p[2] & 2) : (p[2] & 2) != 0;
	struct vplat_val_buf bufs[2];
	unsigned n = 1;
	if ((p[2] & 1) && len > 1) {
		bufs[0] = (struct vplat_val_buf){.ptr = b, .len = len / 2};
		bufs[1] = (struct vplat_val_buf){.ptr = b + len / 2, .len = len - len / 2};
		n = 2;
	} else {
		bufs[0] = (struct vplat_val_buf){.ptr = b, .len = len ? len : 1};
	}
	struct post *po = &f->posts[f->nposts++];
	po->wlen = readable ? 0 : (len ? len : 1);
	po->status = status;
	if (vplat_val_vq_add(vq, bufs, readable ? n : 0, readable ? 0 : n, po) == 0 &&
	    (p[2] & 0x80))
		vplat_val_vq_kick(vq);
}

static void step(struct fz *f, const uint8_t *p, size_t n)
{
	uint8_t op = p[0] % 8;
	if (n < 8)
		return;
	switch (op) {
	case 0:
		add(f, &f->evq, p, false);
		break;
	case 1:
		add(f, &f->stq, p, true);
		break;
	case 2: {
		uint16_t type = (p[1] & 0x80) ? (uint16_t)(p[1] & 0x1f) : (uint16_t)(p[1] % 4);
		uint16_t code = (uint16_t)(p[2] | (p[3] & 0x3) << 8);
		int32_t value = (int32_t)((uint32_t)p[4] | (uint32_t)p[5] << 8 |
					  (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24);
		if (type == 0 && !(p[1] & 0x40))
			code = 0; /* SYN_REPORT: ends the sequence */
		(void)vplat_input_send(&f->d, type, code, value);
		break;
	}
	case 3: {
		uint32_t off = p[1] % (CFG_LEN + 4);
		static const unsigned widths[] = {1, 2, 4, 1};
		unsigned w = widths[p[2] % 4];
		uint32_t v = (uint32_t)p[3] | (uint32_t)p[4] << 8 | (uint32_t)p[5] << 16 |
			     (uint32_t)p[6] << 24;
		vplat_val_config_write(&f->v, off, w, v);
		/* the transport decides what reaches the device of an odd-sized or unaligned
		 * write: take select and subsel as they now read, check the rest against them */
		f->sel = (uint8_t)vplat_val_config_read(&f->v, 0, 1);
		f->sub = (uint8_t)vplat_val_config_read(&f->v, 1, 1);
		check_config(f);
		break;
	}
	case 4:
		vplat_val_vq_kick((p[1] & 1) ? &f->stq : &f->evq);
		break;
	case 5:
		drain(f);
		break;
	case 6: /* a burst: p[1] events then SYN_REPORT */
		for (unsigned i = 0; i < p[1]; i++)
			(void)vplat_input_send(&f->d, VPLAT_EV_ABS, (uint16_t)(i % 64), (int32_t)i);
		(void)vplat_input_send(&f->d, VPLAT_EV_SYN, VPLAT_SYN_REPORT, 0);
		break;
	default: /* 7: select/subsel as a driver sets them, then a full read */
		vplat_val_config_write(&f->v, 0, 1, p[1]);
		vplat_val_config_write(&f->v, 1, 1, p[2]);
		f->sel = p[1];
		f->sub = p[2];
		check_config(f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	memset(&f, 0, sizeof(f));
	cur = &f;
	if (fz_lb_init(&f.lb, (size & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, 1u << 17))
		abort();
	f.caps.name = "fuzz input";
	f.caps.serial = "fz";
	f.caps.has_ids = true;
	vplat_input_preset_keyboard(&f.caps);
	vplat_input_preset_touch(&f.caps, 800, 480, 2);
	if (vplat_input_init(&f.d, vplat_loopback_mem(&f.lb), &f.caps, &fz_ops, NULL) ||
	    vplat_loopback_attach(&f.lb, vplat_input_device(&f.d)) ||
	    vplat_loopback_val_init(&f.lb, &f.v))
		abort();
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER);
	if (size && (data[0] & 1))
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.v, want) || vplat_val_vq_setup(&f.v, &f.evq, 0, 32) ||
	    vplat_val_vq_setup(&f.v, &f.stq, 1, 32) || vplat_val_driver_ok(&f.v))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	size_t end = size < 1 + 8 * MAX_STEPS ? size : 1 + 8 * MAX_STEPS;
	for (size_t off = 1; off < end; off += 8) {
		size_t n = end - off < 8 ? end - off : 8;
		step(&f, data + off, n);
		if (f.d.head >= VPLAT_INPUT_QUEUE || f.d.ncommit + f.d.nopen > VPLAT_INPUT_QUEUE)
			abort(); /* the held events stay within the device's ring */
		if (!f.evq.inflight && !f.stq.inflight) {
			vplat_val_mem_release(&f.lb.dma, mark);
			f.nposts = 0;
		}
	}
	vplat_val_vq_kick(&f.evq);
	vplat_val_vq_kick(&f.stq);
	drain(&f);
	if (vplat_device_get_status(&f.d.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	if (f.got_status > vplat_input_stats(&f.d)->status)
		abort();
	vplat_val_vq_fini(&f.evq);
	vplat_val_vq_fini(&f.stq);
	fz_lb_fini(&f.lb);
	return 0;
}
