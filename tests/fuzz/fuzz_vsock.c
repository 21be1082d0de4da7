/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the socket device's packet parser and connection state machine
 * (sec: Device Types / Socket Device / Device Operation). The input is a script of 8-byte
 * steps: tx packets with fuzzed headers (op, type, ports, CIDs, len, credit fields) and
 * buffer layouts, rx buffers of fuzzed sizes, and host-end actions (send, consume, connect,
 * shutdown, close, transport reset). The host end accepts ports 1..3 (port 2 later), refuses
 * the rest. Checked after every step: the device never needs a reset; it never holds more
 * guest data than the credit it gave; a send never leaves more in flight than the guest's
 * credit; the reply ring, the pending count and the table stay within bounds; every rx packet
 * is a header plus exactly its len. Byte 0: bit 0 packed ring. Guest RAM is kept per process
 * (fuzz_lb.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/vsock.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "fuzz_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 64
#define NCONN     4
#define BUFA      4096u
#define CID       3u
#define HDR       VPLAT_VIRTIO_VSOCK_HDR_SIZE

struct fz {
	struct vplat_loopback lb;
	struct vplat_vsock d;
	struct vplat_vsock_conn conns[NCONN];
	struct vplat_val_dev v;
	struct vplat_val_vq rx, tx;
	uint8_t payload[8192];
};

static void check_conn(const struct vplat_vsock *d, const struct vplat_vsock_conn *c)
{
	if (c->state == VPLAT_VSOCK_FREE)
		return;
	if ((uint32_t)(c->rx_cnt - c->fwd_cnt) > d->buf_alloc)
		abort(); /* more guest data held than the credit the device gave */
}

static void check(struct fz *f)
{
	struct vplat_vsock *d = &f->d;
	if (d->nrst > VPLAT_VSOCK_RST_QUEUE || d->npend > NCONN)
		abort();
	uint32_t pend = 0;
	for (unsigned i = 0; i < NCONN; i++) {
		check_conn(d, &f->conns[i]);
		pend += f->conns[i].pend != 0;
	}
	if (pend != d->npend)
		abort(); /* the pending count matches the table */
	if (vplat_device_get_status(&d->dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
}

/* ---- host end ----------------------------------------------------------------------- */

static int h_connect(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	(void)host;
	(void)d;
	return c->peer_port == 1 || c->peer_port == 3 ? 0 : c->peer_port == 2 ? 1 : VPLAT_ENOENT;
}

static int h_recv(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c,
		  const struct vplat_chain *pkt, size_t off, uint32_t len)
{
	struct fz *f = host;
	check_conn(d, c); /* rx_cnt already counts this payload */
	uint32_t n = len < sizeof(f->payload) ? len : (uint32_t)sizeof(f->payload);
	if (vplat_chain_read(pkt, off, f->payload, n) != n)
		abort();
	return c->peer_port == 3 && len > 1000 ? VPLAT_EIO : 0;
}

static void h_closed(void *host, struct vplat_vsock *d, struct vplat_vsock_conn *c)
{
	(void)host;
	(void)d;
	if (c->state == VPLAT_VSOCK_FREE)
		abort(); /* closed() only for a live connection */
}

static const struct vplat_vsock_host_ops h_ops = {
	.connect = h_connect, .recv = h_recv, .closed = h_closed};

/* ---- driver ------------------------------------------------------------------------- */

static void drain(struct fz *f)
{
	void *tok;
	uint32_t len;
	while (vplat_val_vq_get_used(&f->rx, &tok, &len) == 0) {
		uint32_t cap = (uint32_t)(uintptr_t)tok;
		if (len > cap)
			abort();
		if (len == 0)
			continue;
		if (len < HDR)
			abort();
	}
	while (vplat_val_vq_get_used(&f->tx, &tok, &len) == 0)
		if (len != 0)
			abort(); /* tx buffers are read-only */
}

static void post_rx(struct fz *f, const uint8_t *p)
{
	unsigned n = 1 + p[1] % 4;
	for (unsigned i = 0; i < n && f->rx.num_free > 2; i++) {
		uint32_t sz = (p[2] & 0x80) ? (uint32_t)(p[3] % 64) : HDR + (uint32_t)(p[3] % 8) * 64;
		uint64_t gpa;
		uint8_t *b = vplat_val_alloc(&f->lb.dma, sz ? sz : 1, 8, &gpa);
		if (!b)
			return;
		struct vplat_val_buf s[2] = {{.ptr = b, .len = sz ? sz : 1}};
		unsigned k = 1;
		if ((p[2] & 1) && sz > 8) { /* header and payload in two segments */
			s[0].len = sz / 2;
			s[1] = (struct vplat_val_buf){.ptr = b + sz / 2, .len = sz - sz / 2};
			k = 2;
		}
		(void)vplat_val_vq_add(&f->rx, s, 0, k, (void *)(uintptr_t)(sz ? sz : 1));
	}
	vplat_val_vq_kick(&f->rx);
}

static void send_tx(struct fz *f, const uint8_t *p)
{
	static const uint16_t ops[] = {1, 1, 2, 3, 4, 5, 5, 5, 6, 7, 0, 9};
	struct vplat_vsock_hdr h = {
	    .src_cid = (p[1] & 0x80) ? (uint64_t)(p[1] & 7) : CID,
	    .dst_cid = (p[1] & 0x40) ? 4u : VPLAT_VSOCK_CID_HOST,
	    .src_port = 100u + (p[1] & 3u),
	    .dst_port = (uint32_t)((p[1] >> 2) & 3u),
	    .type = (p[2] & 0x80) ? (uint16_t)(p[2] & 3) : VPLAT_VIRTIO_VSOCK_TYPE_STREAM,
	    .op = ops[p[2] % 12],
	    .flags = p[3] & 0x7,
	    .buf_alloc = (uint32_t)p[4] << (p[5] & 15),
	    .fwd_cnt = (uint32_t)p[6] << 6,
	};
	uint32_t len = (uint32_t)p[7] * 16u;
	h.len = (p[3] & 0x80) ? len + 8u : len; /* sometimes more than the buffer holds */
	uint32_t sz = HDR + len;
	if (p[3] & 0x40)
		sz = p[7] % HDR; /* short packet */
	uint64_t gpa;
	uint8_t *b = vplat_val_alloc(&f->lb.dma, sz ? sz : 1, 8, &gpa);
	if (!b)
		return;
	if (sz >= HDR)
		vplat_vsock_hdr_encode(&h, b);
	struct vplat_val_buf s[2] = {{.ptr = b, .len = sz ? sz : 1}};
	unsigned k = 1;
	if ((p[3] & 0x20) && sz > HDR) {
		s[0].len = HDR;
		s[1] = (struct vplat_val_buf){.ptr = b + HDR, .len = sz - HDR};
		k = 2;
	}
	if (vplat_val_vq_add(&f->tx, s, k, 0, b) == 0)
		vplat_val_vq_kick(&f->tx);
}

static void host_step(struct fz *f, const uint8_t *p)
{
	struct vplat_vsock_conn *c = &f->conns[p[1] % NCONN];
	switch (p[0] % 8) {
	case 3: { /* send */
		uint32_t credit = vplat_vsock_peer_credit(c);
		int32_t n = vplat_vsock_send(&f->d, c, f->payload, (uint32_t)p[2] * 32u);
		if (n > 0 && (uint32_t)n > credit)
			abort(); /* more than the guest's credit */
		break;
	}
	case 4: /* consume */
		(void)vplat_vsock_consumed(&f->d, c, (uint32_t)p[2] * 16u);
		break;
	case 5: { /* connect to the guest, or decide a pending accept */
		struct vplat_vsock_conn *out;
		if (c->state == VPLAT_VSOCK_ACCEPTING)
			(void)vplat_vsock_accept(&f->d, c, p[2] & 1);
		else
			(void)vplat_vsock_connect(&f->d, VPLAT_VSOCK_CID_HOST, p[3] & 3, 100u + (p[4] & 3),
						  NULL, &out);
		break;
	}
	default: /* 6: shutdown, close or transport reset */
		if (p[2] & 0x80)
			(void)vplat_vsock_transport_reset(&f->d, (p[2] & 1) ? CID : 0);
		else if (p[2] & 0x40)
			vplat_vsock_close(&f->d, c);
		else
			(void)vplat_vsock_shutdown(&f->d, c, p[3] & 3);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;
	memset(&f.d, 0, sizeof(f.d));
	if (fz_lb_init(&f.lb, (size & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO, 1u << 17))
		abort();
	struct vplat_vsock_cfg cfg = {.guest_cid = CID, .buf_alloc = BUFA, .conns = f.conns,
				      .max_conns = NCONN};
	if (vplat_vsock_init(&f.d, vplat_loopback_mem(&f.lb), &cfg, &h_ops, &f) ||
	    vplat_loopback_attach(&f.lb, vplat_vsock_device(&f.d)) ||
	    vplat_loopback_val_init(&f.lb, &f.v))
		abort();
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (size && (data[0] & 1))
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(&f.v, want) || vplat_val_vq_setup(&f.v, &f.rx, 0, 32) ||
	    vplat_val_vq_setup(&f.v, &f.tx, 1, 32) || vplat_val_driver_ok(&f.v))
		abort();
	uint64_t mark = vplat_val_mem_mark(&f.lb.dma);
	size_t end = size < 1 + 8 * MAX_STEPS ? size : 1 + 8 * MAX_STEPS;
	for (size_t off = 1; off + 8 <= end; off += 8) {
		const uint8_t *p = data + off;
		if (f.rx.num_free < 4 || f.tx.num_free < 4)
			drain(&f);
		switch (p[0] % 8) {
		case 0:
		case 1:
			send_tx(&f, p);
			break;
		case 2:
			post_rx(&f, p);
			break;
		case 7:
			drain(&f);
			break;
		default:
			host_step(&f, p);
			break;
		}
		check(&f);
		if (!f.rx.inflight && !f.tx.inflight)
			vplat_val_mem_release(&f.lb.dma, mark);
	}
	drain(&f);
	check(&f);
	vplat_device_reset(vplat_vsock_device(&f.d));
	if (vplat_vsock_nconns(&f.d) != 0 || f.d.nrst || f.d.npend)
		abort(); /* a reset ends everything */
	vplat_val_vq_fini(&f.rx);
	vplat_val_vq_fini(&f.tx);
	fz_lb_fini(&f.lb);
	return 0;
}
