/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the CAN device's Txq and Controlq parsers (sec: Device Types / CAN
 * Device / Device Operation) on a virtual bus. The input is a script: Txq requests with
 * fuzzed headers and payload sizes, Controlq messages, frames arriving from a bus port, Rxq
 * buffers of fuzzed sizes, bus runs, fault injection and bus-off. Every Txq and Controlq
 * request must come back with one result byte of OK or NOT_OK (or nothing when it had no
 * writable byte), every Rxq buffer with a header and at most 64 data bytes, and the device
 * must never need a reset.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/can.h"
#include "vplat/vplat.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct vplat_loopback lb;
	struct vplat_canbus *bus;
	struct vplat_canbus_node *node, *port;
	struct vplat_can can;
	struct vplat_val_dev d;
	struct vplat_val_vq txq, rxq, ctlq;
};

static uint64_t now;
static uint64_t clk(void *o)
{
	(void)o;
	return now;
}

static void check_result(struct vplat_val_vq *vq)
{
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(vq, &tok, &len) == 0)
		if (len > 1 || (len == 1 && *(uint8_t *)tok > 1))
			abort();
}

static void drain(struct fz *f)
{
	void *tok;
	uint32_t len;
	check_result(&f->txq);
	check_result(&f->ctlq);
	while (vplat_val_vq_get_used(&f->rxq, &tok, &len) == 0)
		if (len != 0 && (len < 16 || len > 16 + 64))
			abort();
}

static void *alloc(struct fz *f, uint32_t n)
{
	uint64_t gpa;
	return vplat_val_alloc(&f->lb.dma, n ? n : 1, 8, &gpa);
}

static void op_tx(struct fz *f, const uint8_t *p, size_t n)
{
	uint32_t dlen = p[1] % 80, wlen = (p[2] >> 6) % 3;
	uint8_t *h = alloc(f, 16 + dlen), *r = alloc(f, wlen);
	if (!h || !r)
		return;
	memset(h, 0, 16 + dlen);
	memcpy(h, p + 3, n - 3 < 16 ? n - 3 : 16);
	if (p[2] & 1) /* mostly well-formed headers, so the checks past msg_type run */
		h[0] = 1, h[1] = 0;
	if (p[2] & 2)
		h[3] = 0, h[2] = (uint8_t)(h[2] % 65);
	if (p[2] & 4)
		h[9] &= 0xe0, h[8] = 0, h[10] = h[11] = 0;
	struct vplat_val_buf b[2] = {{.ptr = h, .len = 16 + dlen - (p[2] & 8 ? dlen / 2 : 0)},
				     {.ptr = r, .len = wlen}};
	vplat_val_vq_add(&f->txq, b, 1, wlen ? 1 : 0, r);
	vplat_val_vq_kick(&f->txq);
}

static void op_ctl(struct fz *f, const uint8_t *p)
{
	uint8_t *q = alloc(f, 2), *r = alloc(f, 1);
	if (!q || !r)
		return;
	q[0] = p[1] & 1 ? (uint8_t)(1 + (p[1] >> 1) % 3) : p[2];
	q[1] = p[1] & 1 ? 2 : p[3];
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 1 + (p[1] >> 4) % 2}, {.ptr = r, .len = 1}};
	vplat_val_vq_add(&f->ctlq, b, 1, (p[1] & 0x40) ? 0 : 1, r);
	vplat_val_vq_kick(&f->ctlq);
}

static void op_port(struct fz *f, const uint8_t *p, size_t n)
{
	struct vplat_can_frame fr;
	memset(&fr, 0, sizeof(fr));
	fr.id = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)(p[3] & 0x1f) << 24;
	fr.flags = (uint32_t)(p[4] & 0xe0) << 8;
	fr.len = (uint8_t)(p[5] % 65);
	fr.dlc = (p[6] & 1) ? p[6] >> 4 : 0;
	memcpy(fr.data, p + 7, n - 7 < 64 ? n - 7 : 64);
	vplat_canbus_port_send(f->port, &fr); /* invalid frames are refused */
	vplat_can_receive(&f->can, &fr);      /* and straight into the device */
}

static void step(struct fz *f, const uint8_t *p, size_t n)
{
	switch (p[0] % 8) {
	case 0: if (n >= 4) op_tx(f, p, n); break;
	case 1: if (n >= 4) op_ctl(f, p); break;
	case 2: if (n >= 8) op_port(f, p, n); break;
	case 3: {
		uint32_t len = n >= 2 ? p[1] % 96 : 24;
		uint8_t *b = alloc(f, len);
		struct vplat_val_buf vb = {.ptr = b, .len = len ? len : 1};
		if (b && vplat_val_vq_add(&f->rxq, &vb, 0, 1, b) == 0)
			vplat_val_vq_kick(&f->rxq);
		break;
	}
	case 4: now += n >= 2 ? (uint64_t)p[1] * 20000 : 100000; vplat_canbus_run(f->bus, 64); break;
	case 5: {
		struct vplat_canbus_faults fl = {.drop = p[0] >> 5 & 1, .corrupt = p[0] >> 6 & 1,
						 .nack = p[0] >> 7};
		vplat_canbus_inject(f->bus, &fl);
		break;
	}
	case 6: if ((p[0] >> 3) == 0) vplat_canbus_node_bus_off(f->node); break;
	default: drain(f); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	now = 0;
	struct vplat_canbus_config cfg = {.bitrate = (data[0] & 0x10) ? 500000 : 0, .clock = clk,
					  .node_fifo = 4};
	f.bus = vplat_canbus_new(&cfg);
	f.node = vplat_canbus_add_node(f.bus, "dev");
	f.port = vplat_canbus_add_port(f.bus, "port", NULL, NULL);
	uint64_t all = 0xf, want = data[0] & 0xf;
	if (!(want & 3))
		want |= 1;
	if ((want & 4) && !(want & 1))
		want |= 1;
	if (fz_lb_init(&f.lb, (data[0] & 0x20) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
		       1u << 17) ||
	    vplat_can_init(&f.can, vplat_loopback_mem(&f.lb), all, &vplat_can_host_bus, f.node))
		abort();
	vplat_canbus_node_bind(f.node, &f.can);
	if (vplat_loopback_attach(&f.lb, vplat_can_device(&f.can)) ||
	    vplat_loopback_val_init(&f.lb, &f.d))
		abort();
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (data[0] & 0x40)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.d, want) || vplat_val_vq_setup(&f.d, &f.txq, 0, 16) ||
	    vplat_val_vq_setup(&f.d, &f.rxq, 1, 16) || vplat_val_vq_setup(&f.d, &f.ctlq, 2, 8) ||
	    vplat_val_driver_ok(&f.d))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	for (size_t off = 1; off < size;) {
		size_t n = size - off < 24 ? size - off : 24;
		if (f.txq.num_free < 2 || f.ctlq.num_free < 2 || f.rxq.num_free < 1) {
			now += 10000000;
			vplat_canbus_run(f.bus, 0);
			drain(&f);
		}
		step(&f, data + off, n);
		if (!f.txq.inflight && !f.ctlq.inflight && !f.rxq.inflight)
			vplat_val_mem_release(&f.lb.dma, mark);
		off += n;
	}
	drain(&f);
	if (vplat_device_get_status(&f.can.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	vplat_val_vq_fini(&f.txq);
	vplat_val_vq_fini(&f.rxq);
	vplat_val_vq_fini(&f.ctlq);
	fz_lb_fini(&f.lb);
	vplat_canbus_free(f.bus);
	return 0;
}
