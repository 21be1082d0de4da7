/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest's side of a vsock device for tests and benches: the loopback backend's driver with
 * rx buffers posted as Linux posts them (header and 4 KiB payload) and packets built by hand.
 * Static functions: include once per program.
 */
#ifndef VPLAT_TEST_VSOCK_GUEST_H
#define VPLAT_TEST_VSOCK_GUEST_H

#include <stdlib.h>
#include <string.h>
#include "vplat/vsock.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "lbrig.h"

#define VG_HDR   VPLAT_VIRTIO_VSOCK_HDR_SIZE
#define VG_PAY   4096u
#define VG_NRX   64u
#define VG_TXMAX 65536u

struct vguest {
	struct vplat_loopback lb;
	struct vplat_vsock d;
	struct vplat_vsock_conn conns[16];
	struct vplat_val_dev v;
	struct vplat_val_vq rx, tx, ev;
	uint8_t *rxbuf[VG_NRX];
	unsigned rxnext;
	uint8_t *txbuf;
	uint64_t cid;
	int err;
};

/* Bring up a device with CID @cid and credit @buf_alloc on host end (@ops, @host); -1 on
 * failure (err holds the step). */
static int vg_up(struct vguest *g, int variant, uint64_t cid, uint32_t buf_alloc,
		 const struct vplat_vsock_host_ops *ops, void *host)
{
	memset(g, 0, sizeof(*g));
	g->cid = cid;
	if (lbrig_init(&g->lb, variant, 4u << 20))
		return g->err = 1, -1;
	struct vplat_vsock_cfg cfg = {.guest_cid = cid, .buf_alloc = buf_alloc, .conns = g->conns,
				      .max_conns = 16};
	if (vplat_vsock_init(&g->d, vplat_loopback_mem(&g->lb), &cfg, ops, host))
		return g->err = 2, -1;
	struct vplat_val_vq *const q[3] = {&g->rx, &g->tx, &g->ev};
	static const uint16_t sizes[3] = {128, 128, 8};
	int step = lbrig_start(&g->lb, vplat_vsock_device(&g->d), &g->v, variant, 0, q, sizes, 3);
	if (step)
		return g->err = step == 1 ? 2 : 3, -1;
	struct vplat_val_mem *m = vplat_loopback_dma(&g->lb);
	uint64_t gpa;
	for (unsigned i = 0; i < VG_NRX; i++)
		if (!(g->rxbuf[i] = vplat_val_alloc(m, VG_HDR + VG_PAY, 8, &gpa)))
			return g->err = 4, -1;
	if (!(g->txbuf = vplat_val_alloc(m, VG_HDR + VG_TXMAX, 8, &gpa)))
		return g->err = 5, -1;
	return 0;
}

static void vg_down(struct vguest *g)
{
	vplat_val_vq_fini(&g->rx);
	vplat_val_vq_fini(&g->tx);
	vplat_val_vq_fini(&g->ev);
	vplat_loopback_fini(&g->lb);
}

/* Post @n rx buffers (header, payload: two segments) and kick. */
static void vg_post_rx(struct vguest *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *b = g->rxbuf[g->rxnext++ % VG_NRX];
		struct vplat_val_buf s[2] = {{.ptr = b, .len = VG_HDR},
					     {.ptr = b + VG_HDR, .len = VG_PAY}};
		if (vplat_val_vq_add(&g->rx, s, 0, 2, b))
			break;
	}
	vplat_val_vq_kick(&g->rx);
}

/* Take one packet from rx (payload copied to @data if not NULL); false if none. The buffer
 * is not reposted. */
static bool vg_rx(struct vguest *g, struct vplat_vsock_hdr *h, uint8_t *data)
{
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&g->rx, &tok, &len) != 0)
		return false;
	vplat_vsock_hdr_decode(tok, h);
	if (len != VG_HDR + h->len)
		g->err = 10;
	if (data)
		memcpy(data, (uint8_t *)tok + VG_HDR, h->len);
	return true;
}

/* Send one packet from the guest; waits for the tx buffer to come back. */
static int vg_tx(struct vguest *g, const struct vplat_vsock_hdr *h, const void *data)
{
	if (h->len > VG_TXMAX)
		return -1;
	vplat_vsock_hdr_encode(h, g->txbuf);
	if (h->len)
		memcpy(g->txbuf + VG_HDR, data, h->len);
	struct vplat_val_buf s = {.ptr = g->txbuf, .len = VG_HDR + h->len};
	if (vplat_val_vq_add(&g->tx, &s, 1, 0, g->txbuf))
		return -1;
	vplat_val_vq_kick(&g->tx);
	void *tok;
	uint32_t len;
	return vplat_val_wait_used(&g->tx, &tok, &len, 1000);
}

/* A header from this guest. */
static struct vplat_vsock_hdr vg_hdr(const struct vguest *g, uint16_t op, uint32_t sport,
				     uint64_t dcid, uint32_t dport)
{
	return (struct vplat_vsock_hdr){.src_cid = g->cid, .dst_cid = dcid, .src_port = sport,
					.dst_port = dport, .type = VPLAT_VIRTIO_VSOCK_TYPE_STREAM,
					.op = op, .buf_alloc = 1u << 20};
}

#endif /* VPLAT_TEST_VSOCK_GUEST_H */
