/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small virtio-net driver on top of the validation driver (vplat/val.h) and the loopback
 * backend, shared by the net unit tests, the fuzz targets, bench/net and tests/guest/net_peer.
 * Header-only (static functions) so each user compiles it with its own flags.
 *
 * Receive buffers: @ref netdrv.nrx buffers of @ref netdrv.rxlen bytes per receiveq, posted at
 * set-up and re-posted as frames are taken. Transmit: one buffer per transmitq, sent
 * synchronously (the loopback device runs inside the kick).
 */
#ifndef VPLAT_TESTS_NETDRV_H
#define VPLAT_TESTS_NETDRV_H

#include <stdlib.h>
#include <string.h>
#include "vplat/vplat.h"
#include "vplat/net.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/val/mock.h"

#define NETDRV_MAX_RX 256u

/* The fuzz targets keep guest RAM for the whole process (tests/fuzz/fuzz_lb.h). */
#ifndef NETDRV_LOOPBACK_INIT
#define NETDRV_LOOPBACK_INIT vplat_loopback_init
#define NETDRV_LOOPBACK_FINI vplat_loopback_fini
#endif

struct netdrv {
	struct vplat_loopback lb;
	struct vplat_net net;
	struct vplat_val_dev d;
	struct vplat_val_vq vq[VPLAT_NET_MAX_QUEUES];
	uint16_t pairs; /* pairs the device has (cfg.pairs) */
	uint16_t ctrl;	/* control queue index, or 0xffff */
	uint32_t rxlen; /* receive buffer size */
	uint32_t nrx;	/* receive buffers per receiveq */
	uint8_t *rx[VPLAT_NET_MAX_PAIRS][NETDRV_MAX_RX];
	uint8_t *tx[VPLAT_NET_MAX_PAIRS];
	uint8_t *ctl; /* control command buffer (4 KiB) */
};

static inline int netdrv_post_rx(struct netdrv *n, uint16_t pair, uint32_t i)
{
	struct vplat_val_buf b = {.ptr = n->rx[pair][i], .len = n->rxlen};
	return vplat_val_vq_add(&n->vq[2u * pair], &b, 0, 1, (void *)(uintptr_t)(i + 1u));
}

/*
 * Bring up a device and a driver. @p variant bit 0: PCI (else MMIO); bit 1: packed ring.
 * @p want: device features the driver asks for (VERSION_1 is added). Queues of every pair
 * the device has are set up (ring size @p qsize); receive buffers are posted on all of them.
 * Returns 0 or the first error.
 */
static inline int netdrv_up(struct netdrv *n, int variant, const struct vplat_net_config *cfg,
			    const struct vplat_net_host_ops *host, void *host_opaque, uint64_t want,
			    uint32_t rxlen, uint32_t nrx, uint16_t qsize, uint64_t mem)
{
	int rc;
	memset(n, 0, sizeof(*n));
	enum vplat_loopback_transport kind =
	    (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	if ((rc = NETDRV_LOOPBACK_INIT(&n->lb, kind, mem)))
		return rc;
	if ((rc = vplat_net_init(&n->net, vplat_loopback_mem(&n->lb), cfg, host, host_opaque)))
		return rc;
	if ((rc = vplat_loopback_attach(&n->lb, vplat_net_device(&n->net))))
		return rc;
	if ((rc = vplat_loopback_val_init(&n->lb, &n->d)))
		return rc;
	want |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if ((rc = vplat_val_negotiate(&n->d, want)))
		return rc;
	bool mq = vplat_val_has_feature(&n->d, VPLAT_VIRTIO_NET_F_MQ);
	n->pairs = mq ? cfg->pairs : 1;
	n->ctrl = 0xffff;
	if (vplat_val_has_feature(&n->d, VPLAT_VIRTIO_NET_F_CTRL_VQ))
		n->ctrl = (uint16_t)(2u * n->pairs);
	n->rxlen = rxlen;
	n->nrx = nrx > NETDRV_MAX_RX ? NETDRV_MAX_RX : nrx;
	struct vplat_val_mem *dma = vplat_loopback_dma(&n->lb);
	for (uint16_t q = 0; q < 2u * n->pairs; q++)
		if ((rc = vplat_val_vq_setup(&n->d, &n->vq[q], q, qsize)))
			return rc;
	if (n->ctrl != 0xffff) {
		if ((rc = vplat_val_vq_setup(&n->d, &n->vq[n->ctrl], n->ctrl, 16)))
			return rc;
		n->ctl = vplat_val_alloc(dma, 4096, 8, NULL);
	}
	for (uint16_t p = 0; p < n->pairs; p++) {
		n->tx[p] =
		    vplat_val_alloc(dma, VPLAT_VIRTIO_NET_HDR_SIZE + VPLAT_NET_FRAME_MAX, 8, NULL);
		if (!n->tx[p])
			return VPLAT_ENOMEM;
		for (uint32_t i = 0; i < n->nrx; i++) {
			n->rx[p][i] = vplat_val_alloc(dma, rxlen, 8, NULL);
			if (!n->rx[p][i])
				return VPLAT_ENOMEM;
		}
	}
	if ((rc = vplat_val_driver_ok(&n->d)))
		return rc;
	for (uint16_t p = 0; p < n->pairs; p++) {
		for (uint32_t i = 0; i < n->nrx && i < n->vq[2u * p].size; i++)
			if ((rc = netdrv_post_rx(n, p, i)))
				return rc;
		vplat_val_vq_kick(&n->vq[2u * p]);
	}
	return 0;
}

static inline void netdrv_down(struct netdrv *n)
{
	for (unsigned q = 0; q < VPLAT_NET_MAX_QUEUES; q++)
		vplat_val_vq_fini(&n->vq[q]);
	NETDRV_LOOPBACK_FINI(&n->lb);
}

/*
 * Transmit one frame on @p pair with header @p hdr (NULL: zero header). With @p split the
 * header and the frame are separate descriptors. Returns 0, VPLAT_EAGAIN if the device has
 * not completed it (host end busy; collect it later with netdrv_tx_reap), or an error.
 */
static inline int netdrv_tx(struct netdrv *n, uint16_t pair, const struct vplat_virtio_net_hdr *hdr,
			    const void *frame, size_t len, bool split)
{
	struct vplat_virtio_net_hdr zero;
	memset(&zero, 0, sizeof(zero));
	uint8_t *b = n->tx[pair];
	memcpy(b, hdr ? hdr : &zero, VPLAT_VIRTIO_NET_HDR_SIZE);
	memcpy(b + VPLAT_VIRTIO_NET_HDR_SIZE, frame, len);
	struct vplat_val_buf bufs[2] = {
	    {.ptr = b, .len = split ? VPLAT_VIRTIO_NET_HDR_SIZE : (uint32_t)(len + 12)},
	    {.ptr = b + VPLAT_VIRTIO_NET_HDR_SIZE, .len = (uint32_t)len},
	};
	struct vplat_val_vq *vq = &n->vq[2u * pair + 1u];
	int rc = vplat_val_vq_add(vq, bufs, split ? 2u : 1u, 0, (void *)1);
	if (rc)
		return rc;
	vplat_val_vq_kick(vq);
	void *tok;
	return vplat_val_vq_get_used(vq, &tok, NULL);
}

/*
 * Take one received frame from receiveq @p pair: copies the frame (without the virtio header)
 * to @p out, the header to @p hdr (may be NULL), re-posts the buffers. Returns the frame
 * length, VPLAT_EAGAIN if none is pending, or VPLAT_EPROTO on a device error.
 */
static inline int netdrv_rx(struct netdrv *n, uint16_t pair, uint8_t *out, size_t cap,
			    struct vplat_virtio_net_hdr *hdr, uint16_t *nbufs)
{
	struct vplat_val_vq *vq = &n->vq[2u * pair];
	void *tok;
	uint32_t len;
	int rc = vplat_val_vq_get_used(vq, &tok, &len);
	if (rc)
		return rc;
	uint32_t i = (uint32_t)(uintptr_t)tok - 1u;
	if (len < VPLAT_VIRTIO_NET_HDR_SIZE || len > n->rxlen)
		return VPLAT_EPROTO;
	struct vplat_virtio_net_hdr h;
	memcpy(&h, n->rx[pair][i], sizeof(h));
	if (hdr)
		*hdr = h;
	uint16_t nb = vplat_le16_to_cpu(h.num_buffers);
	if (nbufs)
		*nbufs = nb;
	size_t got = 0, flen = len - VPLAT_VIRTIO_NET_HDR_SIZE;
	if (flen <= cap)
		memcpy(out, n->rx[pair][i] + VPLAT_VIRTIO_NET_HDR_SIZE, flen);
	got = flen;
	netdrv_post_rx(n, pair, i);
	for (uint16_t k = 1; k < nb; k++) {
		if (vplat_val_vq_get_used(vq, &tok, &len))
			return VPLAT_EPROTO; /* the device must publish all buffers together */
		i = (uint32_t)(uintptr_t)tok - 1u;
		if (len > n->rxlen)
			return VPLAT_EPROTO;
		if (got + len <= cap)
			memcpy(out + got, n->rx[pair][i], len);
		got += len;
		netdrv_post_rx(n, pair, i);
	}
	vplat_val_vq_kick(vq);
	return got > cap ? VPLAT_E2BIG : (int)got;
}

/* Send one control command; returns the ack byte, or a negative error. */
static inline int netdrv_ctrl(struct netdrv *n, uint8_t cls, uint8_t cmd, const void *data,
			      size_t len)
{
	if (n->ctrl == 0xffff)
		return VPLAT_ENOTSUP;
	if (len > 4000)
		return VPLAT_E2BIG;
	n->ctl[0] = cls;
	n->ctl[1] = cmd;
	if (len)
		memcpy(n->ctl + 2, data, len);
	n->ctl[4095] = 0xaa;
	struct vplat_val_buf bufs[2] = {{.ptr = n->ctl, .len = (uint32_t)(2 + len)},
					{.ptr = n->ctl + 4095, .len = 1}};
	struct vplat_val_vq *vq = &n->vq[n->ctrl];
	int rc = vplat_val_vq_add(vq, bufs, 1, 1, (void *)1);
	if (rc)
		return rc;
	vplat_val_vq_kick(vq);
	void *tok;
	uint32_t used;
	if ((rc = vplat_val_vq_get_used(vq, &tok, &used)))
		return rc;
	return used == 1 ? n->ctl[4095] : VPLAT_EPROTO;
}

#endif
