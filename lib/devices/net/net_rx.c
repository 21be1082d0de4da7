/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network device receive path (sec: Device Types / Network Device / Device Operation /
 * Setting Up Receive Buffers, Processing of Incoming Packets) and the receive filters
 * (sec: Control Virtqueue / Packet Receive Filtering, Setting MAC Address Filtering,
 * VLAN Filtering). Freestanding.
 *
 * Receive chains are popped only when a frame needs them and kept in a small per-queue cache
 * (struct vplat_net_rxq) until used, so a frame that does not fit the buffers posted so far
 * is refused whole (VPLAT_EAGAIN) without losing any chain. The device does not offer
 * VIRTIO_F_IN_ORDER, so a chain with no room for the header can be completed empty at once.
 */
#include <string.h>
#include "net_internal.h"
#include "vplat/error.h"

#define HDR_LEN VPLAT_VIRTIO_NET_HDR_SIZE

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static bool mac_in(const struct vplat_net_filter *f, const uint8_t *mac, uint16_t from, uint16_t n)
{
	for (uint16_t i = from; i < from + n && i < VPLAT_NET_MAC_TABLE; i++)
		if (memcmp(f->macs[i], mac, 6) == 0)
			return true;
	return false;
}

static bool vlan_ok(const struct vplat_net *net, const uint8_t *frame, size_t len)
{
	/* devicenormative: VLAN Filtering -- without CTRL_VLAN accept every tagged frame; with it,
	 * accept those in the table and drop the others. */
	if (!vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_CTRL_VLAN))
		return true;
	if (len < 16 || frame[12] != 0x81 || frame[13] != 0x00)
		return true; /* untagged */
	uint16_t vid = (uint16_t)(((frame[14] & 0x0fu) << 8) | frame[15]);
	return (net->filter.vlans[vid / 32u] >> (vid % 32u)) & 1u;
}

bool vplat_net_rx_accept(const struct vplat_net *net, const uint8_t *frame, size_t len)
{
	const struct vplat_net_filter *f = &net->filter;
	const uint8_t *dst = frame;

	if (len < 14)
		return false;
	if (!vlan_ok(net, frame, len))
		return false;
	/* devicenormative: Packet Receive Filtering -- promiscuous wins over the other modes. */
	if (f->promisc)
		return true;
	if (memcmp(dst, bcast, 6) == 0)
		return !f->nobcast;
	if (dst[0] & 1u) {
		if (f->nomulti)
			return false;
		return f->allmulti || f->multi_overflow || mac_in(f, dst, f->n_uni, f->n_multi);
	}
	if (f->nouni)
		return false;
	/* devicenormative: Setting MAC Address Filtering -- SHOULD drop frames matching neither
	 * `mac` nor the table. */
	if (f->alluni || f->uni_overflow || memcmp(dst, net->config.mac, 6) == 0)
		return true;
	return mac_in(f, dst, 0, f->n_uni);
}

/* Flow hash for automatic receive steering: IPv4/IPv6 addresses and TCP/UDP ports. */
static uint32_t flow_hash(const uint8_t *frame, size_t len)
{
	size_t l3 = 14;
	uint32_t h = 2166136261u;
	uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
	if (type == 0x8100 && len >= 18) {
		type = (uint16_t)(frame[16] << 8 | frame[17]);
		l3 = 18;
	}
	size_t from = 6, to = 12, l4 = 0; /* default: source MAC */
	if (type == 0x0800 && len >= l3 + 20) {
		from = l3 + 12, to = l3 + 20;
		uint8_t proto = frame[l3 + 9];
		if (proto == 6 || proto == 17)
			l4 = l3 + (size_t)(frame[l3] & 0x0fu) * 4u;
	} else if (type == 0x86dd && len >= l3 + 40) {
		from = l3 + 8, to = l3 + 40;
		uint8_t nh = frame[l3 + 6];
		if (nh == 6 || nh == 17)
			l4 = l3 + 40;
	}
	if (l4 && l4 + 4 <= len)
		for (size_t i = l4; i < l4 + 4; i++)
			h = (h ^ frame[i]) * 16777619u;
	for (size_t i = from; i < to; i++)
		h = (h ^ frame[i]) * 16777619u;
	return h;
}

void vplat_net_rx_forget(struct vplat_net *net, uint16_t pair)
{
	if (pair < VPLAT_NET_MAX_PAIRS) {
		net->rxq[pair].head = 0;
		net->rxq[pair].count = 0;
	}
}

void vplat_net_rx_kick(struct vplat_net *net, struct vplat_vq *vq)
{
	(void)vq;
	if (!net->in_rx && net->host->rx_ready)
		net->host->rx_ready(net->host_opaque);
}

/* Slot @p i places after the cache's head. head and i are below VPLAT_NET_RX_CACHE (48, not a
 * power of two), so one conditional subtraction wraps: no division on the receive path. */
static uint16_t rx_slot(const struct vplat_net_rxq *q, uint16_t i)
{
	uint16_t s = (uint16_t)(q->head + i);
	return s >= VPLAT_NET_RX_CACHE ? (uint16_t)(s - VPLAT_NET_RX_CACHE) : s;
}

static struct vplat_chain *cached(struct vplat_net_rxq *q, uint16_t i)
{
	return &q->chains[rx_slot(q, i)];
}

/*
 * Pop one more usable chain into the cache. Chains with no room for the header (or too
 * many segments) are completed empty on the spot; under IN_ORDER the chains cached before
 * such a chain go back first, empty too, because buffers must be used in the order they were
 * made available (so the cache may shrink: the caller starts over). Returns 0, VPLAT_EAGAIN
 * or VPLAT_ENODEV.
 */
static int cache_one(struct vplat_net *net, struct vplat_vq *vq, struct vplat_net_rxq *q)
{
	for (;;) {
		uint16_t slot = rx_slot(q, q->count);
		struct vplat_chain *c = &q->chains[slot];
		c->iov = q->iov[slot];
		c->iov_cap = VPLAT_NET_SEGS;
		int rc = vplat_vq_pop(vq, c);
		if (rc == VPLAT_EAGAIN)
			return rc;
		if (rc != 0 && rc != VPLAT_E2BIG)
			return VPLAT_ENODEV; /* not live or broken ring (device needs reset) */
		if (rc == 0 && c->write_len >= HDR_LEN && c->nread == 0) {
			q->count++;
			return 0;
		}
		net->stats.rx_bad_buffers++;
		if (vq->in_order && q->count != 0u) {
			/* Reserved Feature Bits (VIRTIO_F_IN_ORDER): no used buffer overtakes
			 * one made available before it (VPLAT-RING-030). */
			for (uint16_t i = 0; i < q->count; i++)
				(void)vplat_vq_push(vq, cached(q, i), 0);
			q->count = 0;
		}
		(void)vplat_vq_push(vq, c, 0);
		(void)vplat_vq_interrupt(vq);
	}
}

/* Make the cache hold enough buffers for @p total bytes. Returns chains needed or < 0. */
static int gather(struct vplat_net *net, struct vplat_vq *vq, struct vplat_net_rxq *q,
		  uint64_t total, bool mrg)
{
	if (q->count == 0) {
		int rc = cache_one(net, vq, q);
		if (rc)
			return rc;
	}
	if (!mrg)
		return cached(q, 0)->write_len >= total ? 1 : VPLAT_E2BIG;
	uint64_t room = 0;
	for (uint16_t i = 0;; i++) {
		if (i == q->count) {
			if (q->count == VPLAT_NET_RX_CACHE)
				return VPLAT_E2BIG;
			uint16_t before = q->count;
			int rc = cache_one(net, vq, q);
			if (rc)
				return rc;
			if (q->count <= before) { /* IN_ORDER emptied the cache: start over */
				room = 0;
				i = 0;
			}
		}
		room += cached(q, i)->write_len;
		if (room >= total)
			return i + 1;
	}
}

/* Resolve offloads the driver did not take; fill @p out. Returns false to drop. */
static bool rx_header(struct vplat_net *net, const struct vplat_virtio_net_hdr *in, size_t len,
		      struct vplat_virtio_net_hdr *out, bool *sw_csum)
{
	uint64_t go = net->guest_offloads;
	(void)memset(out, 0, sizeof(*out));
	*sw_csum = false;
	uint8_t gso = in ? in->gso_type : 0;
	uint8_t type = gso & (uint8_t)~VPLAT_VIRTIO_NET_HDR_GSO_ECN;
	/* devicenormative: Processing of Incoming Packets -- no GSO type the driver did not
	 * negotiate (and has not switched off with GUEST_OFFLOADS_SET). */
	if (type == VPLAT_VIRTIO_NET_HDR_GSO_TCPV4 &&
	    !(go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO4)))
		return false;
	if (type == VPLAT_VIRTIO_NET_HDR_GSO_TCPV6 &&
	    !(go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_TSO6)))
		return false;
	if (type == VPLAT_VIRTIO_NET_HDR_GSO_UDP && !(go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_UFO)))
		return false;
	if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE && type != VPLAT_VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VPLAT_VIRTIO_NET_HDR_GSO_TCPV6 && type != VPLAT_VIRTIO_NET_HDR_GSO_UDP)
		return false;
	if ((gso & VPLAT_VIRTIO_NET_HDR_GSO_ECN) && !(go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_ECN)))
		return false;
	/* devicenormative: Processing of Incoming Packets -- a GSO frame reaches the driver with
	 * NEEDS_CSUM and the MSS in gso_size (VPLAT-NET-038); a host end's header without them is
	 * dropped, not handed up incomplete. */
	if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE &&
	    (!(in->flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM) || in->gso_size == 0u))
		return false;
	/* devicenormative: Device configuration layout -- no non-GSO frame above mtu. */
	if (type == VPLAT_VIRTIO_NET_HDR_GSO_NONE && net->cfg.mtu &&
	    vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_MTU) &&
	    len > (size_t)net->cfg.mtu + 18u)
		return false;
	out->gso_type = gso;
	if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE)
		out->hdr_len = in->hdr_len, out->gso_size = in->gso_size;
	uint8_t flags = in ? in->flags : 0;
	if (flags & VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t start = vplat_le16_to_cpu(in->csum_start);
		uint16_t off = vplat_le16_to_cpu(in->csum_offset);
		if ((size_t)start + off + 2u > len)
			return false;
		if (go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)) {
			out->flags = VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM;
			out->csum_start = in->csum_start;
			out->csum_offset = in->csum_offset;
			return true;
		}
		if (type != VPLAT_VIRTIO_NET_HDR_GSO_NONE)
			return false;
		*sw_csum = true;
		out->csum_start = in->csum_start; /* scratch: cleared before writing */
		out->csum_offset = in->csum_offset;
		return true;
	}
	/* devicenormative: Processing of Incoming Packets -- flags zero without GUEST_CSUM. */
	if ((flags & VPLAT_VIRTIO_NET_HDR_F_DATA_VALID) &&
	    (go & VPLAT_BIT(VPLAT_VIRTIO_NET_F_GUEST_CSUM)))
		out->flags = VPLAT_VIRTIO_NET_HDR_F_DATA_VALID;
	return true;
}

/* Write the frame over @p n cached chains (all but the last filled completely). */
static void rx_write(struct vplat_net *net, struct vplat_vq *vq, struct vplat_net_rxq *q, int n,
		     struct vplat_virtio_net_hdr *h, const uint8_t *frame, size_t len, bool sw_csum)
{
	uint8_t csum[2] = {0, 0};
	size_t csum_pos = 0;
	if (sw_csum) {
		uint16_t start = vplat_le16_to_cpu(h->csum_start);
		csum_pos = (size_t)start + vplat_le16_to_cpu(h->csum_offset);
		uint32_t s = vplat_net_csum_add(0, frame + start, csum_pos - start);
		s = vplat_net_csum_add(s, frame + csum_pos, 2); /* pseudo-header sum */
		s = vplat_net_csum_add(s, frame + csum_pos + 2, len - csum_pos - 2);
		uint16_t v = (uint16_t)~s;
		v = v ? v : 0xffff;
		csum[0] = (uint8_t)(v >> 8);
		csum[1] = (uint8_t)v;
		h->csum_start = 0;
		h->csum_offset = 0;
		net->stats.rx_sw_csum++;
	}
	/* devicenormative: Setting Up Receive Buffers -- num_buffers is the number of buffers
	 * used (1 without MRG_RXBUF). */
	h->num_buffers = vplat_cpu_to_le16((uint16_t)n);
	size_t done = 0; /* frame bytes written */
	for (int i = 0; i < n; i++) {
		struct vplat_chain *c = cached(q, 0);
		size_t off = 0;
		if (i == 0) {
			(void)vplat_chain_write(c, 0, h, HDR_LEN);
			off = HDR_LEN;
		}
		size_t room = (size_t)c->write_len - off;
		size_t chunk = len - done < room ? len - done : room;
		(void)vplat_chain_write(c, off, frame + done, chunk);
		if (sw_csum && csum_pos >= done && csum_pos < done + chunk) {
			/* the checksum field may straddle two buffers */
			(void)vplat_chain_write(c, off + (csum_pos - done), csum, 1);
		}
		if (sw_csum && csum_pos + 1 >= done && csum_pos + 1 < done + chunk)
			vplat_chain_write(c, off + (csum_pos + 1 - done), csum + 1, 1);
		done += chunk;
		net->rx_done[i] = *c;
		net->rx_written[i] = (uint32_t)(off + chunk);
		q->head = rx_slot(q, 1u);
		q->count--;
	}
	/* devicenormative: Processing of Incoming Packets -- the buffers of one packet are used
	 * together (VPLAT-NET-030): one used-index store (split), the first descriptor's flags
	 * written last (packed), so a driver that sees the first buffer sees num_buffers. */
	(void)vplat_vq_push_burst(vq, net->rx_done, (uint32_t)n, net->rx_written);
}

static struct vplat_vq *rx_queue(struct vplat_net *net, const uint8_t *frame, size_t len,
				 uint16_t *pair)
{
	uint16_t n = net->curr_pairs;
	/* The flow hash scaled to [0, n) with a multiply and a shift, not a division. */
	uint16_t first = n > 1 ? (uint16_t)(((uint64_t)flow_hash(frame, len) * n) >> 32) : 0;
	/* devicenormative: Automatic receive steering -- a queue being reset is skipped;
	 * if all are, the frame is dropped. */
	for (uint16_t k = 0; k < n; k++) {
		uint16_t p = (uint16_t)(first + k);
		if (p >= n)
			p = (uint16_t)(p - n);
		if (net->vqs[2u * p].live) {
			*pair = p;
			return &net->vqs[2u * p];
		}
	}
	return NULL;
}

int vplat_net_rx(struct vplat_net *net, const struct vplat_virtio_net_hdr *hdr, const void *frame,
		 size_t len)
{
	if (!net || !frame)
		return VPLAT_EINVAL;
	if (!vplat_device_is_live(&net->dev) ||
	    !(vplat_le16_to_cpu(net->config.status) & VPLAT_VIRTIO_NET_S_LINK_UP))
		return VPLAT_ENODEV;
	const uint8_t *p = frame;
	struct vplat_virtio_net_hdr h;
	bool sw_csum;
	if (len < 14 || len > VPLAT_NET_FRAME_MAX || !rx_header(net, hdr, len, &h, &sw_csum)) {
		net->stats.rx_errors++;
		return 0;
	}
	if (!vplat_net_rx_accept(net, p, len)) {
		net->stats.rx_filtered++;
		return 0;
	}
	uint16_t pair;
	struct vplat_vq *vq = rx_queue(net, p, len, &pair);
	if (!vq) {
		net->stats.rx_errors++;
		return 0;
	}
	struct vplat_net_rxq *q = &net->rxq[pair];
	bool mrg = vplat_device_has_feature(&net->dev, VPLAT_VIRTIO_NET_F_MRG_RXBUF);
	net->in_rx = true;
	int n = gather(net, vq, q, (uint64_t)len + HDR_LEN, mrg);
	if (n == VPLAT_EAGAIN && vq->kick_disabled && vplat_vq_set_notification(vq, true))
		n = gather(net, vq, q, (uint64_t)len + HDR_LEN, mrg); /* buffers raced the re-arm */
	net->in_rx = false;
	if (n == VPLAT_EAGAIN) {
		net->stats.rx_no_buffer++;
		return VPLAT_EAGAIN;
	}
	if (n == VPLAT_E2BIG) { /* posted buffers can never hold it */
		net->stats.rx_errors++;
		return 0;
	}
	if (n < 0)
		return VPLAT_ENODEV;
	rx_write(net, vq, q, n, &h, p, len, sw_csum);
	/* More buffers posted: the driver need not kick for the ones it re-posts now (no
	 * wake-up of a host end per re-posted buffer). Kicks come back on when a frame finds no
	 * buffer (above); with the ring empty they stay on (a host end told VPLAT_EAGAIN before
	 * waits for the rx_ready of the next kick). */
	if (!vq->kick_disabled && vplat_vq_has_avail(vq))
		(void)vplat_vq_set_notification(vq, false);
	(void)vplat_vq_interrupt(vq);
	net->stats.rx_frames++;
	net->stats.rx_bytes += len;
	return 0;
}
