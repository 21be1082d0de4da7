/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network device (sec: Device Types / Network Device): set-up, feature rules, config space,
 * and the transmit path. Freestanding (the mock host end is in vplat-val). Receive is in net_rx.c, the
 * control queue in net_ctrl.c.
 */
#include <string.h>
#include "net_internal.h"
#include "vplat/error.h"

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_NET_F_##b)

/*
 * sec: Device Types / Network Device / Feature bits / Feature bit requirements. The rules
 * with an "or" (GUEST_ECN, HOST_ECN) are checked in net_validate_features().
 */
static const struct vplat_feature_dep net_deps[] = {
    {VPLAT_VIRTIO_NET_F_GUEST_TSO4, F(GUEST_CSUM)},
    {VPLAT_VIRTIO_NET_F_GUEST_TSO6, F(GUEST_CSUM)},
    {VPLAT_VIRTIO_NET_F_GUEST_UFO, F(GUEST_CSUM)},
    {VPLAT_VIRTIO_NET_F_HOST_TSO4, F(CSUM)},
    {VPLAT_VIRTIO_NET_F_HOST_TSO6, F(CSUM)},
    {VPLAT_VIRTIO_NET_F_HOST_UFO, F(CSUM)},
    {VPLAT_VIRTIO_NET_F_CTRL_RX, F(CTRL_VQ)},
    {VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA, F(CTRL_VQ) | F(CTRL_RX)},
    {VPLAT_VIRTIO_NET_F_CTRL_VLAN, F(CTRL_VQ)},
    {VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE, F(CTRL_VQ)},
    {VPLAT_VIRTIO_NET_F_MQ, F(CTRL_VQ)},
    {VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR, F(CTRL_VQ)},
    {VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, F(CTRL_VQ)},
};

static bool net_validate_features(struct vplat_device *dev, uint64_t f)
{
	(void)dev;
	if ((f & F(GUEST_ECN)) && !(f & (F(GUEST_TSO4) | F(GUEST_TSO6))))
		return false;
	if ((f & F(HOST_ECN)) && !(f & (F(HOST_TSO4) | F(HOST_TSO6))))
		return false;
	return true;
}

uint16_t vplat_net_ctrl_index(const struct vplat_net *net)
{
	/* Control queue is 2N with MQ, else 2 (sec: Network Device / Virtqueues). */
	if (vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_MQ))
		return (uint16_t)(2u * net->cfg.pairs);
	return 2;
}

static void net_driver_ok(struct vplat_device *dev)
{
	struct vplat_net *net = dev->opaque;

	net->guest_offloads = dev->features & VPLAT_NET_GUEST_OFFLOAD_MASK;
	if (net->host->set_offloads)
		net->host->set_offloads(net->host_opaque, net->guest_offloads);
}

static void net_tx_process(struct vplat_net *net, struct vplat_vq *vq);

static void net_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_net *net = dev->opaque;

	if (!vplat_device_has_feature(dev, VPLAT_VIRTIO_NET_F_MQ) && vq->index > 2)
		return; /* queues beyond the first pair and controlq do not exist without MQ */
	if (vplat_device_has_feature(dev, VPLAT_VIRTIO_NET_F_CTRL_VQ) &&
	    vq->index == vplat_net_ctrl_index(net)) {
		vplat_net_ctrl_process(net, vq);
		return;
	}
	if (vq->index >= 2u * net->cfg.pairs)
		return; /* controlq without CTRL_VQ negotiated: not a queue */
	if (vq->index & 1u)
		net_tx_process(net, vq);
	else
		vplat_net_rx_kick(net, vq);
}

static void net_reset(struct vplat_device *dev)
{
	struct vplat_net *net = dev->opaque;

	for (uint16_t p = 0; p < VPLAT_NET_MAX_PAIRS; p++)
		vplat_net_rx_forget(net, p);
	/* devicenormative: Setting MAC Address Filtering -- empty MAC table on reset. QEMU's
	 * default of promiscuous mode is kept so drivers without CTRL_RX see every frame. */
	(void)memset(&net->filter, 0, sizeof(net->filter));
	net->filter.promisc = true;
	net->curr_pairs = 1; /* Automatic receive steering: only receiveq1 after reset */
	net->guest_offloads = 0;
	net->tx_held = false;
	net->tx_throttled = false;
	net->tx_charged = false;
	net->in_rx = false; /* a delivery the back end's SIGBUS guard jumped out of ends here */
	(void)memcpy(net->config.mac, net->cfg.mac, 6);
	net->config.status &= vplat_cpu_to_le16(VPLAT_VIRTIO_NET_S_LINK_UP);
}

static void net_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	struct vplat_net *net = dev->opaque;

	if (vq->index < 2u * VPLAT_NET_MAX_PAIRS && !(vq->index & 1u))
		vplat_net_rx_forget(net, vq->index / 2u);
	if (net->tx_held && net->tx_held_q == vq->index) {
		net->tx_held = false; /* the burst died with the queue */
		net->tx_throttled = false;
		net->tx_charged = false;
	}
}

static void net_config_write(struct vplat_device *dev, uint32_t off, const void *data, uint32_t len)
{
	/* `mac` is driver-writable only in legacy devices; every other field is read-only. */
	(void)dev, (void)off, (void)data, (void)len;
}

static const struct vplat_device_ops net_ops = {
    .name = "net",
    .device_id = VPLAT_VIRTIO_ID_NET,
    /* Everything the model can serve; each instance offers a subset (net_offer()). */
    .features = VPLAT_NET_OFFLOAD_MASK | F(MRG_RXBUF) | F(STATUS) | F(MAC) | F(MTU) |
		F(SPEED_DUPLEX) | F(CTRL_VQ) | F(CTRL_RX) | F(CTRL_RX_EXTRA) | F(CTRL_VLAN) |
		F(GUEST_ANNOUNCE) | F(CTRL_MAC_ADDR) | F(CTRL_GUEST_OFFLOADS) | F(MQ),
    .deps = net_deps,
    .ndeps = sizeof(net_deps) / sizeof(net_deps[0]),
    .validate_features = net_validate_features,
    .driver_ok = net_driver_ok,
    .queue_notify = net_queue_notify, /* serves synchronously, never blocks */
    .reset = net_reset,
    .queue_reset = net_queue_reset,
    .config_write = net_config_write,
};

static uint64_t net_offer(const struct vplat_net *net)
{
	const struct vplat_net_config *c = &net->cfg;
	uint64_t f = F(MRG_RXBUF) | F(STATUS) | F(CSUM) | F(GUEST_CSUM);

	f |= net->host_offloads & VPLAT_NET_OFFLOAD_MASK;
	if (!(f & (F(GUEST_TSO4) | F(GUEST_TSO6))))
		f &= ~F(GUEST_ECN);
	if (!(f & (F(HOST_TSO4) | F(HOST_TSO6))))
		f &= ~F(HOST_ECN);
	if (c->has_mac)
		f |= F(MAC);
	if (c->mtu)
		f |= F(MTU);
	if (c->speed)
		f |= F(SPEED_DUPLEX);
	if (c->ctrl) {
		f |= F(CTRL_VQ) | F(CTRL_RX) | F(CTRL_RX_EXTRA) | F(CTRL_VLAN) | F(GUEST_ANNOUNCE) |
		     F(CTRL_MAC_ADDR) | F(CTRL_GUEST_OFFLOADS);
		if (c->pairs > 1)
			f |= F(MQ);
	}
	/* IN_ORDER too: every queue completes in pop order (net_rx.c cache_one() keeps it). */
	return f | VPLAT_CORE_FEATURES;
}

int vplat_net_init(struct vplat_net *net, struct vplat_mem *mem, const struct vplat_net_config *cfg,
		   const struct vplat_net_host_ops *host, void *host_opaque)
{
	if (!net || !cfg || !host || !host->tx)
		return VPLAT_EINVAL;
	if (cfg->pairs < 1 || cfg->pairs > VPLAT_NET_MAX_PAIRS || (cfg->pairs > 1 && !cfg->ctrl))
		return VPLAT_EINVAL;
	/* devicenormative: Device configuration layout -- mtu 68..65535 if F_MTU is offered. */
	if (cfg->mtu && cfg->mtu < VPLAT_VIRTIO_NET_MTU_MIN)
		return VPLAT_EINVAL;
	/* devicenormative: Device configuration layout -- speed 0..0x7fffffff Mbit/s or unknown;
	 * duplex half (0), full (1) or unknown (0xff), as Linux and QEMU number them. */
	if (cfg->speed && cfg->speed > VPLAT_VIRTIO_NET_SPEED_MAX &&
	    cfg->speed != VPLAT_VIRTIO_NET_SPEED_UNKNOWN)
		return VPLAT_EINVAL;
	if (cfg->speed && cfg->duplex != VPLAT_VIRTIO_NET_DUPLEX_HALF &&
	    cfg->duplex != VPLAT_VIRTIO_NET_DUPLEX_FULL &&
	    cfg->duplex != VPLAT_VIRTIO_NET_DUPLEX_UNKNOWN)
		return VPLAT_EINVAL;
	(void)memset(net, 0, sizeof(*net));
	for (uint32_t i = 0; i < VPLAT_NET_TX_BURST; i++) {
		net->tx_chains[i].iov = net->tx_iov[i];
		net->tx_chains[i].iov_cap = VPLAT_NET_SEGS;
	}
	(void)vplat_ratelimit_init(&net->rl, 0);
	net->cfg = *cfg;
	net->host = host;
	net->host_opaque = host_opaque;
	net->host_offloads = host->offloads ? host->offloads(host_opaque) : 0;
	struct vplat_virtio_net_config *nc = &net->config;
	(void)memcpy(nc->mac, cfg->mac, 6);
	nc->status = vplat_cpu_to_le16(VPLAT_VIRTIO_NET_S_LINK_UP);
	/* devicenormative: Device configuration layout -- 1..0x8000 pairs when MQ is offered. */
	nc->max_virtqueue_pairs = vplat_cpu_to_le16(cfg->pairs);
	nc->mtu = vplat_cpu_to_le16(cfg->mtu);
	nc->speed = vplat_cpu_to_le32(cfg->speed ? cfg->speed : VPLAT_VIRTIO_NET_SPEED_UNKNOWN);
	nc->duplex = cfg->speed ? cfg->duplex : VPLAT_VIRTIO_NET_DUPLEX_UNKNOWN;
	uint16_t nq = (uint16_t)(2u * cfg->pairs + (cfg->ctrl ? 1u : 0u));
	uint16_t qs = cfg->queue_size ? cfg->queue_size : 256;
	int rc = vplat_device_init(&net->dev, &net_ops, net, mem, net->vqs, nq, qs, (uint8_t *)nc,
				   (uint32_t)sizeof(*nc));
	if (rc)
		return rc;
	rc = vplat_device_set_offer(&net->dev, net_offer(net));
	if (rc)
		return rc;
	net_reset(&net->dev);
	return 0;
}

struct vplat_device *vplat_net_device(struct vplat_net *net)
{
	return &net->dev;
}

/* ---------------------------------------------------------------------------------------- */
/* Checksums */

uint32_t vplat_net_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return sum;
}

int vplat_net_csum_fill(uint8_t *frame, size_t len, uint16_t start, uint16_t offset)
{
	size_t pos = (size_t)start + offset;
	if (!frame || start >= len || pos + 2 > len)
		return VPLAT_EINVAL;
	/* The field holds the pseudo-header sum the driver put there; fold it in as is. */
	uint16_t sum = (uint16_t)~vplat_net_csum_add(0, frame + start, len - start);
	/* A UDP checksum of 0 means "none": transmit 0xffff instead (RFC 768). */
	if (sum == 0)
		sum = 0xffff;
	frame[pos] = (uint8_t)(sum >> 8);
	frame[pos + 1] = (uint8_t)sum;
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Transmit (sec: Device Operation / Packet Transmission) */

static bool gso_allowed(const struct vplat_net *net, uint8_t gso)
{
	const struct vplat_device *d = &net->dev;
	uint8_t type = gso & (uint8_t)~VPLAT_VIRTIO_NET_HDR_GSO_ECN;

	/* devicenormative: Packet Transmission -- both UDP tunnel bits set: MUST NOT accept. */
	if ((gso & VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4) &&
	    (gso & VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6))
		return false;
	if ((gso & VPLAT_VIRTIO_NET_HDR_GSO_ECN) &&
	    !vplat_device_has_feature(d, VPLAT_VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (type) {
	case VPLAT_VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VPLAT_VIRTIO_NET_HDR_GSO_TCPV4:
		return vplat_device_has_feature(d, VPLAT_VIRTIO_NET_F_HOST_TSO4);
	case VPLAT_VIRTIO_NET_HDR_GSO_TCPV6:
		return vplat_device_has_feature(d, VPLAT_VIRTIO_NET_F_HOST_TSO6);
	case VPLAT_VIRTIO_NET_HDR_GSO_UDP:
		return vplat_device_has_feature(d, VPLAT_VIRTIO_NET_F_HOST_UFO);
	default:
		return false; /* USO and tunnels are never offered */
	}
}

int vplat_net_tx_fixup(struct vplat_net *net, struct vplat_virtio_net_hdr *hdr, uint8_t *frame,
		       size_t len)
{
	uint8_t gso = hdr->gso_type;

	if (len < 14)
		return VPLAT_EPROTO;
	if (!gso_allowed(net, gso))
		return VPLAT_EPROTO;
	/* devicenormative: Packet Transmission -- the MTU rule: frames up to mtu plus the
	 * Ethernet header (and a VLAN tag) must pass; larger non-GSO frames are refused. */
	uint8_t type = gso & (uint8_t)~VPLAT_VIRTIO_NET_HDR_GSO_ECN;
	if (type == VPLAT_VIRTIO_NET_HDR_GSO_NONE && net->cfg.mtu &&
	    vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_MTU) &&
	    len > (size_t)net->cfg.mtu + 18u)
		return VPLAT_EPROTO;
	/* VPLAT-NET-022: a GSO frame with gso_size 0 cannot be segmented: dropped. */
	if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE && hdr->gso_size == 0u)
		return VPLAT_EPROTO;
	/* devicenormative: Packet Transmission -- ignore flag bits we do not recognise, and
	 * never use csum_start/csum_offset unless NEEDS_CSUM is set. */
	hdr->flags &= VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr->num_buffers = 0;
	if (!(hdr->flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		hdr->csum_start = 0;
		hdr->csum_offset = 0;
		if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE)
			return VPLAT_EPROTO; /* GSO without a partial checksum is unusable */
		return 0;
	}
	if (!vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_CSUM))
		return VPLAT_EPROTO; /* NEEDS_CSUM without CSUM negotiated */
	uint16_t start = vplat_le16_to_cpu(hdr->csum_start);
	uint16_t off = vplat_le16_to_cpu(hdr->csum_offset);
	if ((size_t)start + off + 2u > len)
		return VPLAT_EPROTO;
	if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE || (net->host_offloads & F(CSUM)))
		return 0; /* the host end finishes it */
	/* The host end takes only complete frames: compute it here. */
	if (!frame)
		return VPLAT_EPROTO; /* callers with segments only take the linear path here */
	(void)vplat_net_csum_fill(frame, len, start, off);
	hdr->flags = 0;
	hdr->csum_start = 0;
	hdr->csum_offset = 0;
	net->stats.tx_sw_csum++;
	return 0;
}

/* Read header and frame of a popped chain into tx_buf. Returns 0 or VPLAT_EPROTO. */
static int net_tx_load(struct vplat_net *net, const struct vplat_chain *c)
{
	const size_t hl = VPLAT_VIRTIO_NET_HDR_SIZE;
	if (c->read_len < hl + 14u || c->read_len - hl > VPLAT_NET_FRAME_MAX)
		return VPLAT_EPROTO;
	(void)vplat_chain_read(c, 0, &net->tx_hdr, hl);
	net->tx_len = (size_t)(c->read_len - hl);
	if (vplat_chain_read(c, hl, net->tx_buf, net->tx_len) != net->tx_len)
		return VPLAT_EPROTO;
	return vplat_net_tx_fixup(net, &net->tx_hdr, net->tx_buf, net->tx_len);
}

static uint64_t net_now(const struct vplat_net *net)
{
	return net->clock ? net->clock(net->clock_opaque) : 0;
}

/* Transmit rate limit: may the loaded frame go now? Charges it once (VPLAT-NET-081). */
static bool net_tx_admit(struct vplat_net *net)
{
	if (net->tx_charged || !vplat_ratelimit_active(&net->rl)) {
		net->tx_throttled = false;
		return true;
	}
	uint64_t now = net_now(net);
	if (vplat_ratelimit_consume(&net->rl, 1, net->tx_len, now)) {
		net->tx_charged = true;
		net->tx_throttled = false;
		return true;
	}
	uint64_t wait = vplat_ratelimit_wait_ns(&net->rl, 1, net->tx_len, now);
	net->throttle_until = now + (wait ? wait : 1);
	if (!net->tx_throttled)
		net->stats.tx_throttled++;
	net->tx_throttled = true;
	return false;
}

/*
 * Copy the header of a popped chain into tx_hdr and describe its frame as the guest's own
 * segments in tx_seg (the header skipped). Returns the segment count, or VPLAT_EPROTO.
 */
static int32_t net_tx_segs(struct vplat_net *net, const struct vplat_chain *c)
{
	const size_t hl = VPLAT_VIRTIO_NET_HDR_SIZE;
	const struct vplat_iov *v = c->iov;
	size_t off = hl;
	uint32_t n = 0;

	if (c->read_len < hl + 14u || c->read_len - hl > VPLAT_NET_FRAME_MAX)
		return VPLAT_EPROTO;
	if (v[0].len >= hl)
		(void)memcpy(&net->tx_hdr, v[0].base, hl); /* the usual layout: one snapshot */
	else
		(void)vplat_chain_read(c, 0, &net->tx_hdr, hl);
	net->tx_len = (size_t)(c->read_len - hl);
	for (uint32_t i = 0; i < c->nread; i++) {
		if (off >= v[i].len) {
			off -= v[i].len;
			continue;
		}
		net->tx_seg[n].base = (uint8_t *)v[i].base + off;
		net->tx_seg[n].len = v[i].len - off;
		n++;
		off = 0;
	}
	return (int32_t)n;
}

/* Count the host end's answer for the frame in tx_len. VPLAT_EAGAIN: hold it. */
static int net_tx_count(struct vplat_net *net, int rc)
{
	if (rc == VPLAT_EAGAIN)
		return VPLAT_EAGAIN;
	net->tx_charged = false; /* the next frame is charged on its own */
	if (rc < 0) {
		net->stats.tx_host_errors++;
	} else {
		net->stats.tx_frames++;
		net->stats.tx_bytes += net->tx_len;
	}
	return 0;
}

/*
 * Send the frame of one popped chain: as segments to tx_sg when the host end has it and the
 * device need not change the frame, else linearized into tx_buf for tx. Returns 0 (sent,
 * dropped or counted as malformed: complete the chain) or VPLAT_EAGAIN (hold it).
 */
static int net_tx_one(struct vplat_net *net, const struct vplat_chain *c)
{
	if (c->truncated || c->nwrite != 0u) {
		net->stats.tx_errors++; /* malformed: complete it unsent */
		return 0;
	}
	if (net->host->tx_sg) {
		int32_t n = net_tx_segs(net, c);
		if (n < 0) {
			net->stats.tx_errors++;
			return 0;
		}
		struct vplat_virtio_net_hdr *h = &net->tx_hdr;
		uint8_t type = h->gso_type & (uint8_t)~VPLAT_VIRTIO_NET_HDR_GSO_ECN;
		bool sw_csum = (h->flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
			       type == VPLAT_VIRTIO_NET_HDR_GSO_NONE && !(net->host_offloads & F(CSUM));
		if (!sw_csum) {
			if (vplat_net_tx_fixup(net, h, NULL, net->tx_len) != 0) {
				net->stats.tx_errors++;
				return 0;
			}
			if (!net_tx_admit(net))
				return VPLAT_EAGAIN; /* rate limit: held until vplat_net_throttle_until() */
			return net_tx_count(net, net->host->tx_sg(net->host_opaque, h, net->tx_seg,
								  (uint32_t)n, net->tx_len));
		}
	}
	if (net_tx_load(net, c) != 0) {
		net->stats.tx_errors++;
		return 0;
	}
	if (!net_tx_admit(net))
		return VPLAT_EAGAIN; /* rate limit: held until vplat_net_throttle_until() */
	return net_tx_count(net, net->host->tx(net->host_opaque, &net->tx_hdr, net->tx_buf,
					       net->tx_len));
}

/*
 * Send the burst from tx_next on and complete what was sent with one push. Returns the
 * chains completed; tx_next < tx_count afterwards means the host end said VPLAT_EAGAIN.
 */
static uint32_t net_tx_run(struct vplat_net *net, struct vplat_vq *vq)
{
	uint32_t start = net->tx_next, i;

	for (i = start; i < net->tx_count; i++) {
		const struct vplat_chain *nx = &net->tx_chains[i + 1u < net->tx_count ? i + 1u : i];
		if (nx->nread != 0u)
			__builtin_prefetch(nx->iov[0].base, 0, 3); /* the next header and frame */
		if (net_tx_one(net, &net->tx_chains[i]) == VPLAT_EAGAIN)
			break;
	}
	net->tx_next = i;
	if (i > start)
		(void)vplat_vq_push_burst(vq, &net->tx_chains[start], i - start, NULL);
	return i - start;
}

static void net_tx_process(struct vplat_net *net, struct vplat_vq *vq)
{
	uint32_t pushed = 0;

	if (net->tx_held)
		return; /* the held burst goes first: vplat_net_tx_resume() */
	/* A resume is a dispatch call too: at most the queue's budget (VPLAT-FFI-013). */
	bool opened = vplat_vq_dispatch_begin(vq);
	for (unsigned budget = 0; budget < 4096u / VPLAT_NET_TX_BURST; budget++) {
		uint32_t n = vplat_vq_pop_burst(vq, net->tx_chains, VPLAT_NET_TX_BURST, NULL);
		if (n == 0u)
			break; /* empty, not live, or broken ring (device needs reset) */
		net->tx_count = n;
		net->tx_next = 0;
		pushed += net_tx_run(net, vq);
		if (net->tx_next < n) {
			net->tx_held = true;
			net->tx_held_q = vq->index;
			net->tx_held_gen = vq->mem->generation;
			break;
		}
	}
	if (pushed != 0u)
		(void)vplat_vq_interrupt(vq); /* one notification decision per call */
	(void)vplat_vq_dispatch_end(vq, opened);
}

int vplat_net_set_ratelimit(struct vplat_net *net, const struct vplat_ratelimit_config *cfg,
			    uint64_t (*clock)(void *clock_opaque), void *clock_opaque)
{
	if (!net || !cfg)
		return VPLAT_EINVAL;
	bool limited = cfg->ops_rate || cfg->bytes_rate;
	if (limited && !clock && !net->clock)
		return VPLAT_EINVAL;
	if (clock) {
		net->clock = clock;
		net->clock_opaque = clock_opaque;
	}
	return vplat_ratelimit_set(&net->rl, cfg, net_now(net));
}

uint64_t vplat_net_throttle_until(const struct vplat_net *net)
{
	return net && net->tx_held && net->tx_throttled ? net->throttle_until : 0;
}

void vplat_net_tx_resume(struct vplat_net *net)
{
	if (!net || !vplat_device_is_live(&net->dev))
		return;
	if (net->tx_held) {
		struct vplat_vq *vq = &net->vqs[net->tx_held_q];
		uint32_t left = net->tx_count - net->tx_next;
		if (vq->mem->generation != net->tx_held_gen) {
			/* The segments were translated through a map that is gone: complete the
			 * held chains unsent rather than read through stale pointers. */
			net->stats.tx_host_errors += left;
			(void)vplat_vq_push_burst(vq, &net->tx_chains[net->tx_next], left, NULL);
			net->tx_next = net->tx_count;
		} else {
			(void)net_tx_run(net, vq);
		}
		if (net->tx_next != net->tx_count - left)
			(void)vplat_vq_interrupt(vq);
		if (net->tx_next < net->tx_count)
			return;
		net->tx_held = false;
	}
	for (uint16_t p = 0; p < net->curr_pairs && !net->tx_held; p++)
		net_tx_process(net, &net->vqs[2u * p + 1u]);
}

/* ---------------------------------------------------------------------------------------- */
/* Link, announce, accessors */

void vplat_net_set_link(struct vplat_net *net, bool up)
{
	uint16_t st = vplat_le16_to_cpu(net->config.status);
	uint16_t nst = up ? (uint16_t)(st | VPLAT_VIRTIO_NET_S_LINK_UP)
			  : (uint16_t)(st & ~VPLAT_VIRTIO_NET_S_LINK_UP);
	if (nst == st)
		return;
	net->config.status = vplat_cpu_to_le16(nst);
	vplat_device_config_changed(&net->dev);
}

int vplat_net_announce(struct vplat_net *net)
{
	if (!vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE))
		return VPLAT_ENOTSUP;
	uint16_t st = vplat_le16_to_cpu(net->config.status);
	net->config.status = vplat_cpu_to_le16((uint16_t)(st | VPLAT_VIRTIO_NET_S_ANNOUNCE));
	vplat_device_config_changed(&net->dev);
	return 0;
}

const struct vplat_net_stats *vplat_net_stats(const struct vplat_net *net)
{
	return &net->stats;
}

const struct vplat_net_filter *vplat_net_filter(const struct vplat_net *net)
{
	return &net->filter;
}

uint16_t vplat_net_pairs(const struct vplat_net *net)
{
	return net->curr_pairs;
}
