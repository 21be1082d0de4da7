/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the GPIO device's requestq and eventq parsers (sec: Device Types / GPIO
 * Device / requestq Operation, eventq Operation). The input is a script of driver actions:
 * requestq messages with fuzzed bytes and response sizes, eventq buffer pairs for fuzzed lines,
 * and input changes from the simulator. Every buffer must come back with a sane length and
 * status, and the device must never need a reset (the rings the driver builds are valid).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/gpio.h"
#include "vplat/vplat.h"
#include "vplat/host/gpio_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NL 8

struct fz {
	struct vplat_loopback lb;
	struct vplat_gpio g;
	struct vplat_gpio_line lines[NL];
	struct vplat_gpio_sim *sim;
	uint8_t names[128];
	uint32_t names_size;
	struct vplat_val_dev d;
	struct vplat_val_vq rq, eq;
};

static void sink(void *opaque, uint16_t line, uint8_t level)
{
	vplat_gpio_input_event(opaque, line, level);
}

static void drain(struct fz *f)
{
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(&f->rq, &tok, &len) == 0)
		if (len > 1 + f->names_size + 1)
			abort();
	while (vplat_val_vq_get_used(&f->eq, &tok, &len) == 0)
		if (len > 1 || (len == 1 && *(uint8_t *)tok > 1))
			abort();
}

static void step(struct fz *f, const uint8_t *p, size_t n, uint64_t mark)
{
	uint8_t op = p[0] % 4;
	uint64_t gpa;
	if (op == 0 && n >= 11) { /* request: 8 bytes + response size */
		uint32_t rlen = p[9] % 64;
		uint8_t *q = vplat_val_alloc(&f->lb.dma, 8, 8, &gpa);
		uint8_t *r = vplat_val_alloc(&f->lb.dma, rlen ? rlen : 1, 8, &gpa);
		if (!q || !r)
			return;
		memcpy(q, p + 1, 8);
		q[0] = (uint8_t)(q[0] % 8); /* mostly valid types */
		q[2] = (uint8_t)(q[2] % (NL + 2));
		q[3] = p[10] & 1 ? q[3] : 0;
		struct vplat_val_buf b[2] = {{.ptr = q, .len = p[10] & 2 ? 8 : (p[10] % 9)},
					     {.ptr = r, .len = rlen}};
		if (b[0].len == 0)
			b[0].len = 1;
		vplat_val_vq_add(&f->rq, b, 1, rlen ? 1 : 0, q);
		vplat_val_vq_kick(&f->rq);
	} else if (op == 1 && n >= 4) { /* eventq pair */
		uint8_t *q = vplat_val_alloc(&f->lb.dma, 2, 8, &gpa);
		uint8_t *r = vplat_val_alloc(&f->lb.dma, 2, 8, &gpa);
		if (!q || !r)
			return;
		q[0] = (uint8_t)(p[1] % (NL + 1));
		q[1] = p[3] & 1 ? p[2] : 0;
		struct vplat_val_buf b[2] = {{.ptr = q, .len = 1 + (p[3] >> 1) % 2},
					     {.ptr = r, .len = (p[3] >> 2) % 3}};
		vplat_val_vq_add(&f->eq, b, 1, b[1].len ? 1 : 0, r);
		vplat_val_vq_kick(&f->eq);
	} else if (op == 2 && n >= 3) { /* the outside world toggles a line */
		vplat_gpio_sim_drive(f->sim, 0, p[1] % NL, p[2] & 1);
	} else if (op == 3) {
		drain(f);
	}
	/* Buffers are reused only when none is in flight (held eventq pairs pin memory). */
	if (!f->rq.inflight && !f->eq.inflight)
		vplat_val_mem_release(&f->lb.dma, mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	memset(&f, 0, sizeof(f));
	if (fz_lb_init(&f.lb, (size & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, 1u << 17))
		abort();
	f.sim = vplat_gpio_sim_new(1, NL);
	vplat_gpio_sim_set_name(f.sim, 0, 1, "");
	vplat_gpio_names_pack(vplat_gpio_sim_names(f.sim, 0), NL, f.names, sizeof(f.names),
			      &f.names_size);
	if (vplat_gpio_init(&f.g, vplat_loopback_mem(&f.lb), f.lines, NL, f.names, f.names_size,
			    &vplat_gpio_host_sim, vplat_gpio_sim_chip(f.sim, 0)) ||
	    vplat_loopback_attach(&f.lb, vplat_gpio_device(&f.g)) ||
	    vplat_loopback_val_init(&f.lb, &f.d))
		abort();
	vplat_gpio_sim_set_sink(f.sim, 0, sink, &f.g);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ);
	if (size && (data[0] & 1))
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.d, want) || vplat_val_vq_setup(&f.d, &f.rq, 0, 16) ||
	    vplat_val_vq_setup(&f.d, &f.eq, 1, 16) || vplat_val_driver_ok(&f.d))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	/* Steps of up to 12 bytes; a full ring is drained first. */
	for (size_t off = 1; off < size;) {
		size_t n = size - off < 12 ? size - off : 12;
		if (f.rq.num_free < 2 || f.eq.num_free < 2)
			drain(&f);
		step(&f, data + off, n, mark);
		off += n;
	}
	drain(&f);
	if (vplat_device_get_status(&f.g.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	vplat_val_vq_fini(&f.rq);
	vplat_val_vq_fini(&f.eq);
	vplat_gpio_fini(&f.g);
	fz_lb_fini(&f.lb);
	vplat_gpio_sim_free(f.sim);
	return 0;
}
