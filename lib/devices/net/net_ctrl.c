/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network device control queue (sec: Device Types / Network Device / Device Operation /
 * Control Virtqueue). Freestanding.
 *
 * A command chain is the device-readable class, command and data, then a device-writable
 * ack byte. Every command is checked against the negotiated features and its exact data
 * length; anything else is answered VIRTIO_NET_ERR. A chain with no writable byte cannot be
 * answered and is completed empty (stats.ctrl_bad).
 */
#include <string.h>
#include "net_internal.h"
#include "vplat/error.h"

#define OK  VPLAT_VIRTIO_NET_OK
#define ERR VPLAT_VIRTIO_NET_ERR

static bool has(const struct vplat_net *net, unsigned bit)
{
	return vplat_device_has_feature(&net->dev, bit);
}

static uint8_t ctrl_rx(struct vplat_net *net, uint8_t cmd, const uint8_t *d, size_t n)
{
	struct vplat_net_filter *f = &net->filter;

	/* devicenormative: Packet Receive Filtering -- one byte, 0 (off) or 1 (on). */
	if (!has(net, VPLAT_VIRTIO_NET_F_CTRL_RX) || n != 1 || d[0] > 1)
		return ERR;
	bool on = d[0] != 0;
	if (cmd > VPLAT_VIRTIO_NET_CTRL_RX_ALLMULTI && !has(net, VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA))
		return ERR;
	switch (cmd) {
	case VPLAT_VIRTIO_NET_CTRL_RX_PROMISC:
		f->promisc = on;
		break;
	case VPLAT_VIRTIO_NET_CTRL_RX_ALLMULTI:
		f->allmulti = on;
		break;
	case VPLAT_VIRTIO_NET_CTRL_RX_ALLUNI:
		f->alluni = on;
		break;
	case VPLAT_VIRTIO_NET_CTRL_RX_NOMULTI:
		f->nomulti = on;
		break;
	case VPLAT_VIRTIO_NET_CTRL_RX_NOUNI:
		f->nouni = on;
		break;
	case VPLAT_VIRTIO_NET_CTRL_RX_NOBCAST:
		f->nobcast = on;
		break;
	default:
		return ERR;
	}
	return OK;
}

/* Parse one `struct virtio_net_ctrl_mac` at d[*pos]; bounds-checked. */
static bool mac_list(const uint8_t *d, size_t n, size_t *pos, uint32_t *entries)
{
	if (n - *pos < 4)
		return false;
	uint32_t e = (uint32_t)d[*pos] | (uint32_t)d[*pos + 1] << 8 | (uint32_t)d[*pos + 2] << 16 |
		     (uint32_t)d[*pos + 3] << 24;
	*pos += 4;
	if (e > (n - *pos) / 6)
		return false;
	*entries = e;
	return true;
}

static uint8_t ctrl_mac_table(struct vplat_net *net, const uint8_t *d, size_t n)
{
	size_t pos = 0, upos, mpos;
	uint32_t nu, nm;

	if (!mac_list(d, n, &pos, &nu))
		return ERR;
	upos = pos;
	pos += (size_t)nu * 6;
	if (!mac_list(d, n, &pos, &nm))
		return ERR;
	mpos = pos;
	if (pos + (size_t)nm * 6 != n)
		return ERR; /* exactly two tables, nothing after them */
	/* devicenormative: Setting MAC Address Filtering -- the table is updated before the
	 * command is used. A table that does not fit turns on all-unicast / all-multicast for
	 * that class (the driver still receives everything it asked for). */
	struct vplat_net_filter *f = &net->filter;
	f->uni_overflow = nu > VPLAT_NET_MAC_TABLE;
	f->n_uni = f->uni_overflow ? 0 : (uint16_t)nu;
	if (!f->uni_overflow)
		memcpy(f->macs, d + upos, (size_t)nu * 6);
	f->multi_overflow = nm > VPLAT_NET_MAC_TABLE - f->n_uni;
	f->n_multi = f->multi_overflow ? 0 : (uint16_t)nm;
	if (!f->multi_overflow)
		memcpy(f->macs[f->n_uni], d + mpos, (size_t)nm * 6);
	return OK;
}

static uint8_t ctrl_mac(struct vplat_net *net, uint8_t cmd, const uint8_t *d, size_t n)
{
	switch (cmd) {
	case VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET:
		/* drivernormative: MAC class commands need CTRL_RX. */
		if (!has(net, VPLAT_VIRTIO_NET_F_CTRL_RX))
			return ERR;
		return ctrl_mac_table(net, d, n);
	case VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET:
		if (!has(net, VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR) || n != 6)
			return ERR;
		/* VPLAT-NET-064: no group address, no all-zero address. */
		if ((d[0] & 1) || !(d[0] | d[1] | d[2] | d[3] | d[4] | d[5]))
			return ERR;
		/* devicenormative: Setting MAC Address Filtering -- `mac` in config space is
		 * updated before the command is used. */
		(void)memcpy(net->config.mac, d, 6);
		vplat_device_config_changed(&net->dev);
		return OK;
	default:
		return ERR;
	}
}

static uint8_t ctrl_vlan(struct vplat_net *net, uint8_t cmd, const uint8_t *d, size_t n)
{
	if (!has(net, VPLAT_VIRTIO_NET_F_CTRL_VLAN) || n != 2)
		return ERR;
	uint16_t vid = (uint16_t)(d[0] | d[1] << 8);
	if (vid >= 4096)
		return ERR;
	uint32_t bit = UINT32_C(1) << (vid % 32u);
	if (cmd == VPLAT_VIRTIO_NET_CTRL_VLAN_ADD)
		net->filter.vlans[vid / 32u] |= bit;
	else if (cmd == VPLAT_VIRTIO_NET_CTRL_VLAN_DEL)
		net->filter.vlans[vid / 32u] &= ~bit;
	else
		return ERR;
	return OK;
}

static uint8_t ctrl_announce(struct vplat_net *net, uint8_t cmd, size_t n)
{
	if (!has(net, VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE) ||
	    cmd != VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK || n != 0)
		return ERR;
	/* devicenormative: Gratuitous Packet Sending -- clear S_ANNOUNCE before the buffer is
	 * marked used. */
	uint16_t st = vplat_le16_to_cpu(net->config.status);
	net->config.status = vplat_cpu_to_le16((uint16_t)(st & ~VPLAT_VIRTIO_NET_S_ANNOUNCE));
	return OK;
}

static uint8_t ctrl_mq(struct vplat_net *net, uint8_t cmd, const uint8_t *d, size_t n)
{
	if (!has(net, VPLAT_VIRTIO_NET_F_MQ) || cmd != VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
	    n != 2)
		return ERR;
	uint16_t pairs = (uint16_t)(d[0] | d[1] << 8);
	if (pairs < VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > net->cfg.pairs)
		return ERR;
	/* devicenormative: Automatic receive steering -- no packets beyond virtqueue_pairs once
	 * the command is used: set before the ack is pushed. */
	net->curr_pairs = pairs;
	return OK;
}

static uint8_t ctrl_offloads(struct vplat_net *net, uint8_t cmd, const uint8_t *d, size_t n)
{
	if (!has(net, VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
	    cmd != VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || n != 8)
		return ERR;
	uint64_t m = 0;
	for (unsigned i = 0; i < 8; i++)
		m |= (uint64_t)d[i] << (8u * i);
	/* Only offloads that were negotiated may be switched on (sec: Setting Offloads State). */
	uint64_t allowed = net->dev.features & VPLAT_NET_GUEST_OFFLOAD_MASK;
	if (m & ~allowed)
		return ERR;
	net->guest_offloads = m;
	if (net->host->set_offloads)
		net->host->set_offloads(net->host_opaque, m);
	return OK;
}

uint8_t vplat_net_ctrl_exec(struct vplat_net *net, const uint8_t *cmd, size_t len)
{
	if (len < 2)
		return ERR;
	const uint8_t *d = cmd + 2;
	size_t n = len - 2;
	switch (cmd[0]) {
	case VPLAT_VIRTIO_NET_CTRL_RX:
		return ctrl_rx(net, cmd[1], d, n);
	case VPLAT_VIRTIO_NET_CTRL_MAC:
		return ctrl_mac(net, cmd[1], d, n);
	case VPLAT_VIRTIO_NET_CTRL_VLAN:
		return ctrl_vlan(net, cmd[1], d, n);
	case VPLAT_VIRTIO_NET_CTRL_ANNOUNCE:
		return ctrl_announce(net, cmd[1], n);
	case VPLAT_VIRTIO_NET_CTRL_MQ:
		return ctrl_mq(net, cmd[1], d, n);
	case VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS:
		return ctrl_offloads(net, cmd[1], d, n);
	default:
		return ERR; /* RSS, coalescing, statistics...: not offered */
	}
}

/*
 * Can a chain offset be passed to vplat_chain_read()/vplat_chain_write() on this host? A
 * chain's lengths are 64-bit (descriptors may overlap, so even a 32-bit host can be shown a
 * chain longer than 4 GiB) while the offsets of those functions are size_t.
 */
static bool chain_off_fits(uint64_t off)
{
	return off <= (uint64_t)SIZE_MAX;
}

/*
 * A MAC_TABLE_SET longer than ctrl_buf (VPLAT-NET-063: lists of any length are accepted; a
 * list that does not fit the table turns into all-unicast / all-multicast). The counts and
 * the entries that fit are read straight from the chain; everything else is ERR.
 */
static uint8_t ctrl_mac_table_chain(struct vplat_net *net, const struct vplat_chain *c)
{
	struct vplat_net_filter *f = &net->filter;
	uint64_t len = c->read_len, pos = 2, at[2];
	uint32_t cnt[2];
	uint8_t b[4];

	if (!chain_off_fits(len))
		return ERR; /* offsets past SIZE_MAX cannot be read on this host */
	if (vplat_chain_read(c, 0, b, 2) != 2 || b[0] != VPLAT_VIRTIO_NET_CTRL_MAC ||
	    b[1] != VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET || !has(net, VPLAT_VIRTIO_NET_F_CTRL_RX))
		return ERR;
	for (int l = 0; l < 2; l++) {
		if (len - pos < 4 || vplat_chain_read(c, (size_t)pos, b, 4) != 4)
			return ERR;
		cnt[l] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			 (uint32_t)b[3] << 24;
		pos += 4;
		at[l] = pos;
		if (cnt[l] > (len - pos) / 6)
			return ERR;
		pos += (uint64_t)cnt[l] * 6;
	}
	if (pos != len)
		return ERR; /* exactly two tables, nothing after them */
	f->uni_overflow = cnt[0] > VPLAT_NET_MAC_TABLE;
	f->n_uni = f->uni_overflow ? 0 : (uint16_t)cnt[0];
	if (f->n_uni)
		vplat_chain_read(c, (size_t)at[0], f->macs, (size_t)f->n_uni * 6);
	f->multi_overflow = cnt[1] > VPLAT_NET_MAC_TABLE - f->n_uni;
	f->n_multi = f->multi_overflow ? 0 : (uint16_t)cnt[1];
	if (f->n_multi)
		vplat_chain_read(c, (size_t)at[1], f->macs[f->n_uni], (size_t)f->n_multi * 6);
	return OK;
}

void vplat_net_ctrl_process(struct vplat_net *net, struct vplat_vq *vq)
{
	struct vplat_iov iov[VPLAT_NET_SEGS];
	struct vplat_chain c = {.iov = iov, .iov_cap = VPLAT_NET_SEGS};
	bool pushed = false;

	for (unsigned budget = 0; budget < 1024u; budget++) {
		int rc = vplat_vq_pop(vq, &c);
		if (rc != 0 && rc != VPLAT_E2BIG)
			break; /* empty, not live, or broken ring (device needs reset) */
		/* No room for the ack, or its offset past SIZE_MAX (32-bit hosts) */
		if (rc != 0 || c.write_len < 1 || !chain_off_fits(c.write_len - 1)) {
			net->stats.ctrl_bad++;
			(void)vplat_vq_push(vq, &c, 0);
			pushed = true;
			continue;
		}
		uint8_t ack = ERR;
		if (c.read_len <= VPLAT_NET_CTRL_MAX) {
			size_t n = vplat_chain_read(&c, 0, net->ctrl_buf, (size_t)c.read_len);
			ack = vplat_net_ctrl_exec(net, net->ctrl_buf, n);
		} else {
			ack = ctrl_mac_table_chain(net, &c);
		}
		if (ack == OK)
			net->stats.ctrl_ok++;
		else
			net->stats.ctrl_err++;
		/* VPLAT-NET-046: the ack is the last device-writable byte of the chain. */
		vplat_chain_write(&c, (size_t)(c.write_len - 1), &ack, 1);
		vplat_vq_push(vq, &c, c.write_len > UINT32_MAX ? UINT32_MAX : (uint32_t)c.write_len);
		pushed = true;
	}
	if (pushed)
		(void)vplat_vq_interrupt(vq);
}
