/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between a vplat net device and a switch port: the device's transmit path feeds the
 * switch's input, the port's egress feeds vplat_net_rx(). The device resolves checksums for
 * its driver, so the port takes offloads (partial checksums pass through unchanged).
 */
#include <string.h>
#include <time.h>
#include "vplat/error.h"
#include "vplat/fabric/switch.h"
#include "fabric/switch/switch_attach.h"

#define SWITCH_DEF_FRAME 1522u /* vplat_switch_port_config.frame_max: 0 = 1522 */

uint64_t vplat_switch_monotonic_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int vplat_switch_net_port_init(struct vplat_switch_net_port *p, struct vplat_switch_if sw,
			       const struct vplat_switch_port_config *cfg,
			       vplat_switch_clock_fn clock, void *clock_ctx)
{
	if (!p || !sw.ops)
		return VPLAT_EINVAL;
	memset(p, 0, sizeof(*p));
	p->clock = clock ? clock : vplat_switch_monotonic_ns;
	p->clock_ctx = clock_ctx;
	/* The device resolves offloads for its driver. */
	return vplat_switch_attach(sw, cfg, true, &vplat_switch_net_port_ops, p, &p->sw, &p->port);
}

int vplat_switch_attach(struct vplat_switch_if sw, const struct vplat_switch_port_config *cfg,
			bool offloads, const struct vplat_switch_port_ops *ops, void *ctx,
			struct vplat_switch_if *sw_out, uint32_t *port)
{
	struct vplat_switch_port_config c;

	if (cfg)
		c = *cfg;
	else
		memset(&c, 0, sizeof(c));
	c.offloads = offloads;
	if (!c.frame_max)
		c.frame_max = SWITCH_DEF_FRAME;
	*sw_out = sw;
	return sw.ops->port_add(sw.sw, &c, ops, ctx, port);
}

void vplat_switch_net_port_bind(struct vplat_switch_net_port *p, struct vplat_net *net)
{
	p->net = net;
}

static int net_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		  size_t len)
{
	struct vplat_switch_net_port *p = host;
	struct vplat_net_frame f = {.data = frame, .len = len, .hdr = *hdr};
	int rc = p->sw.ops->input(p->sw.sw, p->port, &f, p->clock(p->clock_ctx));
	return rc < 0 ? rc : 0;
}

/* The device's segments go into the switch uncopied; the switch decides on a private copy of
 * the Ethernet header (VPLAT_NET_FRAME_SNAP bytes) taken here, once. */
static int net_tx_sg(void *host, const struct vplat_virtio_net_hdr *hdr, const struct vplat_iov *seg,
		     uint32_t nseg, size_t len)
{
	struct vplat_switch_net_port *p = host;
	uint8_t snap[VPLAT_NET_FRAME_SNAP];
	size_t want = len < sizeof(snap) ? len : sizeof(snap), got = 0;
	for (uint32_t k = 0; k < nseg && got < want; k++) {
		size_t n = seg[k].len < want - got ? seg[k].len : want - got;
		memcpy(snap + got, seg[k].base, n);
		got += n;
	}
	if (got < want)
		return VPLAT_EINVAL;
	struct vplat_net_frame f = {.data = snap, .len = len, .hdr = *hdr, .seg = seg, .nseg = nseg};
	int rc = p->sw.ops->input(p->sw.sw, p->port, &f, p->clock(p->clock_ctx));
	return rc < 0 ? rc : 0;
}

static uint64_t net_offloads(void *host)
{
	(void)host;
	/* Partial checksums travel through the switch; GSO does not (no segmentation). */
	return VPLAT_BIT(VPLAT_VIRTIO_NET_F_CSUM) | VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM);
}

static void net_rx_ready(void *host)
{
	((struct vplat_switch_net_port *)host)->rx_ready = true;
}

const struct vplat_net_host_ops vplat_switch_net_host = {
    .tx = net_tx,
    .tx_sg = net_tx_sg,
    .offloads = net_offloads,
    .rx_ready = net_rx_ready,
};

static int port_egress(void *ctx, const struct vplat_net_frame *f)
{
	struct vplat_switch_net_port *p = ctx;
	if (!p->net)
		return VPLAT_ENODEV;
	int rc = vplat_net_rx(p->net, &f->hdr, f->data, f->len);
	if (rc == VPLAT_EAGAIN)
		p->rx_ready = false;
	return rc;
}

const struct vplat_switch_port_ops vplat_switch_net_port_ops = {.egress = port_egress};
