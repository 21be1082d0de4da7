/* SPDX-License-Identifier: BSD-3-Clause */
/* Network device: feature bits and configuration space (spec/13-network.md 13.1, 13.2). */
#include "net_test.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

/* Device feature word @p sel (0..3) read through the transport. */
static uint32_t feature_word(struct vplat_test_ctx *t, uint32_t sel)
{
	return t->d->t->get_features(t->d, sel);
}

static enum vplat_result features_profile(struct vplat_test_ctx *t)
{
	const uint64_t allowed = NF(CSUM) | NF(GUEST_CSUM) | NF(CTRL_GUEST_OFFLOADS) | NF(MTU) |
				 NF(MAC) | NF(GUEST_TSO4) | NF(GUEST_TSO6) | NF(GUEST_ECN) |
				 NF(GUEST_UFO) | NF(HOST_TSO4) | NF(HOST_TSO6) | NF(HOST_ECN) |
				 NF(HOST_UFO) | NF(MRG_RXBUF) | NF(STATUS) | NF(CTRL_VQ) |
				 NF(CTRL_RX) | NF(CTRL_VLAN) | NF(CTRL_RX_EXTRA) |
				 NF(GUEST_ANNOUNCE) | NF(MQ) | NF(CTRL_MAC_ADDR) | NF(SPEED_DUPLEX);
	/* Device-type bits: 0..23 and 41..63 (24..40 are the device-independent range). */
	const uint64_t devbits = UINT64_C(0xffffff) | (~UINT64_C(0) << 41);
	uint64_t f = net_offer(t) & devbits;
	VPLAT_T_CHECK_MSG(t, 1, (f & ~allowed) == 0, "only the bits the chapter lists",
			  "unlisted device bits 0x%llx offered", (unsigned long long)(f & ~allowed));
	if (t->dev->emulated)
		return VPLAT_PASS; /* the words above 1 are not reachable through the PAL */
	uint32_t w2 = feature_word(t, 2), w3 = feature_word(t, 3);
	VPLAT_T_CHECK_MSG(t, 2, w2 == 0 && w3 == 0, "no feature bit at position 64 or above",
			  "feature words 2 and 3: 0x%08x 0x%08x", w2, w3);
	return VPLAT_PASS;
}
VPLAT_TEST(net_features_profile, "VPLAT-NET-001", "vplat", VPLAT_VIRTIO_ID_NET, 0, "the device offers only the network bits vplat lists, none at position 64 or above", features_profile);

/* Dependency table of virtio 1.4 (Feature bit requirements) plus VPLAT-NET-004. */
static const struct {
	unsigned bit;
	uint64_t all;  /* all of these */
	uint64_t any;  /* and one of these (0: none needed) */
} deps[] = {
	{VPLAT_VIRTIO_NET_F_GUEST_TSO4, NF(GUEST_CSUM), 0},
	{VPLAT_VIRTIO_NET_F_GUEST_TSO6, NF(GUEST_CSUM), 0},
	{VPLAT_VIRTIO_NET_F_GUEST_ECN, 0, NF(GUEST_TSO4) | NF(GUEST_TSO6)},
	{VPLAT_VIRTIO_NET_F_GUEST_UFO, NF(GUEST_CSUM), 0},
	{VPLAT_VIRTIO_NET_F_HOST_TSO4, NF(CSUM), 0},
	{VPLAT_VIRTIO_NET_F_HOST_TSO6, NF(CSUM), 0},
	{VPLAT_VIRTIO_NET_F_HOST_ECN, 0, NF(HOST_TSO4) | NF(HOST_TSO6)},
	{VPLAT_VIRTIO_NET_F_HOST_UFO, NF(CSUM), 0},
	{VPLAT_VIRTIO_NET_F_CTRL_RX, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_CTRL_VLAN, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_MQ, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, NF(CTRL_VQ), 0},
	{VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA, NF(CTRL_VQ) | NF(CTRL_RX), 0},
};

static bool deps_met(uint64_t f, size_t i)
{
	return (f & deps[i].all) == deps[i].all && (!deps[i].any || (f & deps[i].any));
}

static enum vplat_result offer_deps(struct vplat_test_ctx *t)
{
	uint64_t f = net_offer(t);
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
		if (f & VPLAT_BIT(deps[i].bit))
			VPLAT_T_CHECK_MSG(t, 1, deps_met(f, i),
					  "an offered feature comes with what it requires",
					  "bit %u offered without its prerequisites (offer 0x%llx)",
					  deps[i].bit, (unsigned long long)f);
	return VPLAT_PASS;
}
VPLAT_TEST(net_offer_dependencies, "VPLAT-NET-002 VPLAT-NET-004", "sec:Device Types / Network Device / Feature bits / Feature bit requirements", VPLAT_VIRTIO_ID_NET, 0, "no feature is offered without its prerequisites (incl. the or-rules for the ECN bits and CTRL_RX_EXTRA)", offer_deps);

static enum vplat_result refuse_deps(struct vplat_test_ctx *t)
{
	uint64_t off = net_offer(t);
	unsigned tried = 0;
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
		uint64_t bit = VPLAT_BIT(deps[i].bit);
		if (!(off & bit))
			continue;
		/* Everything offered except the prerequisites of this one bit. */
		uint64_t f = (off & ~(deps[i].all | deps[i].any)) | bit | F(VERSION_1);
		/* Drop whatever else now lacks its own prerequisites, except the bit under test. */
		for (int pass = 0; pass < 4; pass++)
			for (size_t k = 0; k < sizeof(deps) / sizeof(deps[0]); k++)
				if (k != i && (f & VPLAT_BIT(deps[k].bit)) && !deps_met(f, k))
					f &= ~VPLAT_BIT(deps[k].bit);
		tried++;
		int rc = vplat_val_negotiate(t->d, f);
		VPLAT_T_CHECK_MSG(t, 1, rc == VPLAT_EPROTO &&
					   !(status(t) & VPLAT_VIRTIO_STATUS_FEATURES_OK),
				  "FEATURES_OK stays clear", "bit %u accepted without 0x%llx: FEATURES_OK set",
				  deps[i].bit, (unsigned long long)(deps[i].all | deps[i].any));
		/* And with the prerequisites it is accepted. */
		rc = vplat_val_negotiate(t->d, f | (deps[i].all | (deps[i].any & off)));
		VPLAT_T_CHECK_MSG(t, 2, rc == 0, "accepted with its prerequisites",
				  "bit %u refused with its prerequisites", deps[i].bit);
	}
	if (!tried)
		return vplat_t_skip(t, "no feature with a prerequisite offered");
	return VPLAT_PASS;
}
VPLAT_TEST(net_refuse_missing_dependency, "VPLAT-NET-003", "sec:Device Types / Network Device / Feature bits / Feature bit requirements", VPLAT_VIRTIO_ID_NET, 0, "for each offered feature with prerequisites: accepted without them, FEATURES_OK stays clear; with them it is set", refuse_deps);

static enum vplat_result mac_valid(struct vplat_test_ctx *t)
{
	if (!(net_offer(t) & NF(MAC)))
		return vplat_t_skip(t, "MAC not offered");
	uint8_t mac[6];
	VPLAT_T_CHECK(t, 1, vplat_val_config_read_stable(t->d, NOFF(mac), mac, 6, 1000) == 0);
	bool zero = !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
	VPLAT_T_CHECK_MSG(t, 2, !(mac[0] & 1) && !zero, "an individual, non-zero address",
			  "mac %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
			  mac[5]);
	return VPLAT_PASS;
}
VPLAT_TEST(net_mac_individual, "VPLAT-NET-006", "sec:Device Types / Network Device / Device configuration layout", VPLAT_VIRTIO_ID_NET, 0, "with MAC offered, mac is a non-zero individual (unicast) address", mac_valid);

static enum vplat_result mq_pairs(struct vplat_test_ctx *t)
{
	if (!(net_offer(t) & NF(MQ)))
		return vplat_t_skip(t, "MQ not offered");
	uint64_t n = cfg(t, NOFF(max_virtqueue_pairs), 2);
	VPLAT_T_CHECK_MSG(t, 1, n >= 1 && n <= 0x8000, "max_virtqueue_pairs 1..0x8000",
			  "max_virtqueue_pairs %llu", (unsigned long long)n);
	/* The transport exposes the 2N data queues and the control queue. */
	enum vplat_result r = bringup(t, NF(MQ) | NF(CTRL_VQ), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	for (uint64_t q = 0; q <= 2 * n && q < 1024; q++)
		VPLAT_T_CHECK_MSG(t, 2, vplat_val_queue_max(t->d, (uint16_t)q) > 0,
				  "receiveq1..N, transmitq1..N and controlq exist",
				  "queue %llu of %llu missing", (unsigned long long)q,
				  (unsigned long long)(2 * n + 1));
	return VPLAT_PASS;
}
VPLAT_TEST(net_mq_max_pairs, "VPLAT-NET-007", "devicenormative:Device Types / Network Device / Device configuration layout", VPLAT_VIRTIO_ID_NET, 0, "with MQ, max_virtqueue_pairs is 1..0x8000 and the 2N + 1 queues exist", mq_pairs);

static enum vplat_result mtu_fixed(struct vplat_test_ctx *t)
{
	uint64_t off = net_offer(t);
	if (!(off & NF(MTU)))
		return vplat_t_skip(t, "MTU not offered");
	uint64_t mtu = cfg(t, NOFF(mtu), 2);
	VPLAT_T_CHECK_MSG(t, 1, mtu >= 68 && mtu <= 65535, "mtu 68..65535", "mtu %llu",
			  (unsigned long long)mtu);
	/* Negotiate, use the device, set a MAC and reset: mtu never changes. */
	struct vplat_val_vq *ctrl = NULL;
	enum vplat_result r = (off & NF(CTRL_VQ)) ? net_up_ctrl(t, off, 0, &ctrl)
						 : bringup(t, off, NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	VPLAT_T_CHECK_EQ(t, 2, cfg(t, NOFF(mtu), 2), mtu, "mtu unchanged after DRIVER_OK");
	if (ctrl && vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR)) {
		static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
		ctl(t, ctrl, VPLAT_VIRTIO_NET_CTRL_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6);
		VPLAT_T_CHECK_EQ(t, 3, cfg(t, NOFF(mtu), 2), mtu, "mtu unchanged after MAC_ADDR_SET");
	}
	VPLAT_T_CHECK(t, 4, vplat_val_reset(t->d) == 0);
	VPLAT_T_CHECK_EQ(t, 5, cfg(t, NOFF(mtu), 2), mtu, "mtu unchanged after reset");
	return VPLAT_PASS;
}
VPLAT_TEST(net_mtu_range_fixed, "VPLAT-NET-008 VPLAT-NET-010", "devicenormative:Device Types / Network Device / Device configuration layout", VPLAT_VIRTIO_ID_NET, 0, "with MTU offered, mtu is 68..65535 and stays the same through negotiation, control commands and reset", mtu_fixed);

static enum vplat_result status_bits(struct vplat_test_ctx *t)
{
	uint64_t off = net_offer(t);
	if (!(off & NF(STATUS)))
		return vplat_t_skip(t, "STATUS not offered");
	/* STATUS without GUEST_ANNOUNCE: only LINK_UP may be set. */
	enum vplat_result r = bringup(t, NF(STATUS), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t st = cfg(t, NOFF(status), 2);
	VPLAT_T_CHECK_MSG(t, 1, (st & ~(uint64_t)VPLAT_VIRTIO_NET_S_LINK_UP) == 0,
			  "no bit but LINK_UP without GUEST_ANNOUNCE", "status 0x%llx",
			  (unsigned long long)st);
	if (off & NF(GUEST_ANNOUNCE)) {
		if ((r = bringup(t, NF(STATUS) | NF(CTRL_VQ) | NF(GUEST_ANNOUNCE), NULL, 0, 0)) != VPLAT_PASS)
			return r;
		st = cfg(t, NOFF(status), 2);
		VPLAT_T_CHECK_MSG(t, 2, (st & ~(uint64_t)(VPLAT_VIRTIO_NET_S_LINK_UP |
							  VPLAT_VIRTIO_NET_S_ANNOUNCE)) == 0,
				  "only LINK_UP and ANNOUNCE defined", "status 0x%llx",
				  (unsigned long long)st);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(net_status_defined_bits, "VPLAT-NET-013", "sec:Device Types / Network Device / Device configuration layout", VPLAT_VIRTIO_ID_NET, 0, "status has no bit but LINK_UP (and ANNOUNCE with GUEST_ANNOUNCE)", status_bits);

static enum vplat_result speed_duplex(struct vplat_test_ctx *t)
{
	if (!(net_offer(t) & NF(SPEED_DUPLEX)))
		return vplat_t_skip(t, "SPEED_DUPLEX not offered");
	enum vplat_result r = bringup(t, NF(SPEED_DUPLEX) | NF(STATUS), NULL, 0, 0);
	if (r != VPLAT_PASS)
		return r;
	uint64_t speed = cfg(t, NOFF(speed), 4), duplex = cfg(t, NOFF(duplex), 1);
	VPLAT_T_CHECK_MSG(t, 1, speed <= VPLAT_VIRTIO_NET_SPEED_MAX ||
				   speed == VPLAT_VIRTIO_NET_SPEED_UNKNOWN,
			  "speed 0..0x7fffffff or 0xffffffff", "speed 0x%llx", (unsigned long long)speed);
	VPLAT_T_CHECK_MSG(t, 2, duplex == VPLAT_VIRTIO_NET_DUPLEX_FULL ||
				   duplex == VPLAT_VIRTIO_NET_DUPLEX_HALF ||
				   duplex == VPLAT_VIRTIO_NET_DUPLEX_UNKNOWN,
			  "duplex 0x00, 0x01 or 0xff", "duplex 0x%llx", (unsigned long long)duplex);
	return VPLAT_PASS;
}
VPLAT_TEST(net_speed_duplex_values, "VPLAT-NET-014 VPLAT-NET-015", "devicenormative:Device Types / Network Device / Device configuration layout", VPLAT_VIRTIO_ID_NET, 0, "speed is 0..0x7fffffff or unknown, duplex 0x00/0x01/0xff", speed_duplex);
