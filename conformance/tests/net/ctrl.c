/* SPDX-License-Identifier: BSD-3-Clause */
/* Network device: control queue commands (spec/13-network.md 13.5-13.10). */
#include "net_test.h"

#define C_RX       VPLAT_VIRTIO_NET_CTRL_RX
#define C_MAC      VPLAT_VIRTIO_NET_CTRL_MAC
#define C_VLAN     VPLAT_VIRTIO_NET_CTRL_VLAN
#define C_ANNOUNCE VPLAT_VIRTIO_NET_CTRL_ANNOUNCE
#define C_MQ       VPLAT_VIRTIO_NET_CTRL_MQ
#define C_OFFLOADS VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS
#define OFF_SET    VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET
#define TABLE_SET  VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET

#define EXPECT(T, CP, GOT, WANT, WHAT)                                                             \
	VPLAT_T_CHECK_MSG(T, CP, (GOT) == (WANT), (WANT) == N_OK ? "VIRTIO_NET_OK" : "VIRTIO_NET_ERR", \
			  "%s: ack 0x%x", WHAT, GOT)

static enum vplat_result rx_mode(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	bool extra = net_offer(t) & NF(CTRL_RX_EXTRA);
	enum vplat_result r = net_up_ctrl(t, NF(CTRL_RX_EXTRA), NF(CTRL_RX), &c);
	if (r != VPLAT_PASS)
		return r;
	unsigned ncmd = extra ? 6 : 2;
	for (uint8_t cmd = 0; cmd < ncmd; cmd++) {
		for (uint8_t v = 0; v < 2; v++) {
			uint8_t on = (uint8_t)(1 - v), ack = 0xff;
			uint32_t used = 0;
			VPLAT_T_CHECK(t, 1, net_ctrl(t, c, C_RX, cmd, &on, 1, &ack, &used) == 0);
			VPLAT_T_CHECK_MSG(t, 2, ack == N_OK && used == 1, "VIRTIO_NET_OK, used length 1",
					  "RX command %u value %u: ack 0x%x used %u", cmd, on, ack, used);
		}
	}
	/* The device ends promiscuous, as after reset (not observable, but leaves it tidy). */
	uint8_t one = 1;
	EXPECT(t, 3, ctl(t, c, C_RX, VPLAT_VIRTIO_NET_CTRL_RX_PROMISC, &one, 1), N_OK, "PROMISC 1");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_rx_mode, "VPLAT-NET-051 VPLAT-NET-054 VPLAT-NET-046", "devicenormative:Device Types / Network Device / Device Operation / Control Virtqueue / Packet Receive Filtering", VPLAT_VIRTIO_ID_NET, 0, "RX_PROMISC and RX_ALLMULTI (and with CTRL_RX_EXTRA the four others) accept 1 and 0 with VIRTIO_NET_OK", rx_mode);

static enum vplat_result malformed_commands(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	uint64_t off = net_offer(t);
	enum vplat_result r = net_up_ctrl(t, off, 0, &c);
	if (r != VPLAT_PASS)
		return r;
	uint8_t b[16] = {0};
	/* Unknown classes (and the classes of features never offered) and commands. */
	static const uint8_t classes[] = {6, 7, 8, 9, 10, 0x7f, 0xff};
	for (size_t i = 0; i < sizeof(classes); i++)
		EXPECT(t, 1, ctl(t, c, classes[i], 0, b, 1), N_ERR, "unknown class");
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_CTRL_RX)) {
		EXPECT(t, 2, ctl(t, c, C_RX, 6, b, 1), N_ERR, "RX command 6");
		EXPECT(t, 3, ctl(t, c, C_RX, 0xff, b, 1), N_ERR, "RX command 0xff");
		EXPECT(t, 4, ctl(t, c, C_RX, 0, b, 0), N_ERR, "RX_PROMISC without data");
		EXPECT(t, 5, ctl(t, c, C_RX, 0, b, 2), N_ERR, "RX_PROMISC with 2 data bytes");
		b[0] = 2;
		EXPECT(t, 6, ctl(t, c, C_RX, 0, b, 1), N_ERR, "RX_PROMISC value 2");
		b[0] = 0xff;
		EXPECT(t, 7, ctl(t, c, C_RX, 1, b, 1), N_ERR, "RX_ALLMULTI value 0xff");
		b[0] = 0;
		EXPECT(t, 8, ctl(t, c, C_MAC, 2, b, 6), N_ERR, "MAC command 2");
	}
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_CTRL_VLAN))
		EXPECT(t, 9, ctl(t, c, C_VLAN, 2, b, 2), N_ERR, "VLAN command 2");
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE)) {
		EXPECT(t, 10, ctl(t, c, C_ANNOUNCE, 1, NULL, 0), N_ERR, "ANNOUNCE command 1");
		EXPECT(t, 11, ctl(t, c, C_ANNOUNCE, 0, b, 1), N_ERR, "ANNOUNCE_ACK with a data byte");
	}
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_MQ)) {
		uint8_t n[2] = {1, 0};
		EXPECT(t, 12, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_RSS_CONFIG, n, 2), N_ERR,
		       "MQ_RSS_CONFIG (RSS never offered)");
		EXPECT(t, 13, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_HASH_CONFIG, n, 2), N_ERR,
		       "MQ_HASH_CONFIG (HASH_REPORT never offered)");
	}
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS))
		EXPECT(t, 14, ctl(t, c, C_OFFLOADS, 1, b, 8), N_ERR, "GUEST_OFFLOADS command 1");
	/* A chain with fewer than 2 readable bytes: 1 byte, and a class without command. */
	uint8_t *one = dmab(t, 1), *ack = dmab(t, 1);
	one[0] = C_RX;
	*ack = 0xee;
	struct vplat_val_buf s[2] = {{.ptr = one, .len = 1}, {.ptr = ack, .len = 1}};
	uint32_t used;
	VPLAT_T_CHECK(t, 15, xfer(t, c, s, 1, 1, &used) == 0);
	EXPECT(t, 16, *ack, N_ERR, "a 1-byte command");
	/* Still serving: a valid command afterwards. */
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_CTRL_RX)) {
		uint8_t on = 1;
		EXPECT(t, 17, ctl(t, c, C_RX, 0, &on, 1), N_OK, "RX_PROMISC 1 after the errors");
	}
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_malformed_err, "VPLAT-NET-047", "sec:Device Types / Network Device / Device Operation / Control Virtqueue", VPLAT_VIRTIO_ID_NET, 0, "unknown classes and commands, wrong data lengths, out-of-range values and a 1-byte chain get VIRTIO_NET_ERR; the queue keeps serving", malformed_commands);

static enum vplat_result unnegotiated(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, 0, 0, &c); /* CTRL_VQ alone */
	if (r != VPLAT_PASS)
		return r;
	uint8_t b[16] = {0};
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 9};
	b[0] = 1;
	EXPECT(t, 1, ctl(t, c, C_RX, VPLAT_VIRTIO_NET_CTRL_RX_PROMISC, b, 1), N_ERR,
	       "RX_PROMISC without CTRL_RX");
	memset(b, 0, sizeof(b));
	EXPECT(t, 2, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 8), N_ERR,
	       "MAC_TABLE_SET without CTRL_RX");
	EXPECT(t, 3, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, mac, 6), N_ERR,
	       "MAC_ADDR_SET without CTRL_MAC_ADDR");
	EXPECT(t, 4, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, b, 2), N_ERR,
	       "VLAN_ADD without CTRL_VLAN");
	EXPECT(t, 5, ctl(t, c, C_ANNOUNCE, VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0), N_ERR,
	       "ANNOUNCE_ACK without GUEST_ANNOUNCE");
	b[0] = 1;
	EXPECT(t, 6, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, b, 2), N_ERR,
	       "VQ_PAIRS_SET without MQ");
	memset(b, 0, sizeof(b));
	EXPECT(t, 7, ctl(t, c, C_OFFLOADS, VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET, b, 8), N_ERR,
	       "GUEST_OFFLOADS_SET without CTRL_GUEST_OFFLOADS");
	/* CTRL_RX without CTRL_RX_EXTRA: the extra commands are refused. */
	if (!(net_offer(t) & NF(CTRL_RX)))
		return VPLAT_PASS;
	release_queues(t);
	if ((r = net_up_ctrl(t, NF(CTRL_RX), 0, &c)) != VPLAT_PASS)
		return r;
	b[0] = 1;
	for (uint8_t cmd = VPLAT_VIRTIO_NET_CTRL_RX_ALLUNI; cmd <= VPLAT_VIRTIO_NET_CTRL_RX_NOBCAST; cmd++)
		EXPECT(t, 8, ctl(t, c, C_RX, cmd, b, 1), N_ERR, "an RX_EXTRA command without CTRL_RX_EXTRA");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_unnegotiated_err, "VPLAT-NET-047", "sec:Device Types / Network Device / Device Operation / Control Virtqueue", VPLAT_VIRTIO_ID_NET, 0, "with CTRL_VQ alone every command class gets VIRTIO_NET_ERR; with CTRL_RX alone the RX_EXTRA commands do", unnegotiated);

/* MAC_TABLE_SET data: @p nu unicast then @p nm multicast entries; @p b has room. */
static uint32_t mac_table(uint8_t *b, uint32_t nu, uint32_t nm)
{
	uint32_t n = 0;
	uint32_t counts[2] = {nu, nm};
	for (int l = 0; l < 2; l++) {
		b[n++] = (uint8_t)counts[l];
		b[n++] = (uint8_t)(counts[l] >> 8);
		b[n++] = (uint8_t)(counts[l] >> 16);
		b[n++] = (uint8_t)(counts[l] >> 24);
		for (uint32_t i = 0; i < counts[l]; i++) {
			uint8_t m[6] = {l ? 0x01 : 0x02, 0x00, 0x5e, 0, (uint8_t)(i >> 8), (uint8_t)i};
			memcpy(b + n, m, 6);
			n += 6;
		}
	}
	return n;
}

static enum vplat_result mac_table_set(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, 0, NF(CTRL_RX), &c);
	if (r != VPLAT_PASS)
		return r;
	uint8_t *b = dmab(t, 8 + 300 * 6 + 16);
	VPLAT_T_CHECK(t, 1, b != NULL);
	uint32_t n = mac_table(b, 0, 0);
	EXPECT(t, 2, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n), N_OK, "empty tables");
	n = mac_table(b, 2, 3);
	EXPECT(t, 3, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n), N_OK,
	       "2 unicast + 3 multicast");
	n = mac_table(b, 200, 100); /* longer than most devices store: accepted anyway */
	EXPECT(t, 4, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n), N_OK,
	       "200 unicast + 100 multicast (overflow falls back to all-unicast/all-multicast)");
	/* Other layouts: ERR. */
	n = mac_table(b, 2, 3);
	EXPECT(t, 5, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n - 6), N_ERR,
	       "multicast list one entry short");
	EXPECT(t, 6, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n + 1), N_ERR,
	       "a byte after the multicast list");
	EXPECT(t, 7, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 4 + 12), N_ERR,
	       "the unicast list only");
	EXPECT(t, 8, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 3), N_ERR,
	       "3 bytes");
	EXPECT(t, 9, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, 0), N_ERR, "no data");
	n = mac_table(b, 0, 0);
	b[0] = b[1] = b[2] = b[3] = 0xff; /* 0xffffffff unicast entries announced */
	EXPECT(t, 10, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET, b, n), N_ERR,
	       "a count of 0xffffffff");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_mac_table_layout, "VPLAT-NET-063", "sec:Device Types / Network Device / Device Operation / Control Virtqueue / Setting MAC Address Filtering", VPLAT_VIRTIO_ID_NET, 0, "MAC_TABLE_SET accepts empty, small and oversized lists; a short, trailing, one-list, tiny, empty or overflowing layout gets VIRTIO_NET_ERR", mac_table_set);

static enum vplat_result mac_addr_set(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	uint64_t off = net_offer(t);
	enum vplat_result r = net_up_ctrl(t, off & NF(MAC), NF(CTRL_MAC_ADDR), &c);
	if (r != VPLAT_PASS)
		return r;
	bool mac_cfg = vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_MAC);
	uint8_t orig[6], now[6];
	VPLAT_T_CHECK(t, 1, vplat_val_config_read_stable(t->d, NOFF(mac), orig, 6, 1000) == 0);
	uint8_t good[6] = {0x02, 0x56, 0x70, 0x6c, 0x61, 0x74};
	if (mac_cfg && !memcmp(good, orig, 6))
		good[5] ^= 1;
	EXPECT(t, 2, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, good, 6), N_OK,
	       "a locally administered unicast address");
	if (mac_cfg) {
		VPLAT_T_CHECK(t, 3, vplat_val_config_read_stable(t->d, NOFF(mac), now, 6, 1000) == 0);
		VPLAT_T_CHECK_MSG(t, 4, memcmp(now, good, 6) == 0,
				  "mac holds the new address once the command is used",
				  "mac %02x:%02x:%02x:%02x:%02x:%02x", now[0], now[1], now[2], now[3],
				  now[4], now[5]);
	}
	static const struct {
		uint8_t mac[7];
		uint32_t len;
		const char *what;
	} bad[] = {
		{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, 6, "a multicast address"},
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 6, "the broadcast address"},
		{{0x03, 0x56, 0x70, 0x6c, 0x61, 0x74}, 6, "a group bit on a local address"},
		{{0, 0, 0, 0, 0, 0}, 6, "the all-zero address"},
		{{0x02, 0x56, 0x70, 0x6c, 0x61}, 5, "5 bytes"},
		{{0x02, 0x56, 0x70, 0x6c, 0x61, 0x74, 0x00}, 7, "7 bytes"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT(t, 5, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, bad[i].mac, bad[i].len),
		       N_ERR, bad[i].what);
		if (mac_cfg) {
			VPLAT_T_CHECK(t, 6, vplat_val_config_read_stable(t->d, NOFF(mac), now, 6, 1000) == 0);
			VPLAT_T_CHECK_MSG(t, 7, memcmp(now, good, 6) == 0, "mac unchanged by a refused command",
					  "%s changed mac", bad[i].what);
		}
	}
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_mac_addr_set, "VPLAT-NET-061 VPLAT-NET-064 VPLAT-NET-046", "devicenormative:Device Types / Network Device / Device Operation / Control Virtqueue / Setting MAC Address Filtering", VPLAT_VIRTIO_ID_NET, 0, "MAC_ADDR_SET of a unicast address is in mac when used; group, broadcast, zero addresses and 5 or 7 bytes get ERR and leave mac", mac_addr_set);

static enum vplat_result vlan(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, 0, NF(CTRL_VLAN), &c);
	if (r != VPLAT_PASS)
		return r;
	static const uint16_t ids[] = {0, 1, 100, 4095};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint8_t v[2] = {(uint8_t)ids[i], (uint8_t)(ids[i] >> 8)};
		EXPECT(t, 1, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, v, 2), N_OK, "VLAN_ADD");
		EXPECT(t, 2, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, v, 2), N_OK,
		       "VLAN_ADD of an ID already present");
		EXPECT(t, 3, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, v, 2), N_OK, "VLAN_DEL");
		EXPECT(t, 4, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, v, 2), N_OK,
		       "VLAN_DEL of an absent ID");
	}
	static const uint16_t badids[] = {4096, 0x8000, 0xffff};
	for (size_t i = 0; i < sizeof(badids) / sizeof(badids[0]); i++) {
		uint8_t v[2] = {(uint8_t)badids[i], (uint8_t)(badids[i] >> 8)};
		EXPECT(t, 5, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, v, 2), N_ERR,
		       "VLAN_ADD of an ID above 4095");
		EXPECT(t, 6, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, v, 2), N_ERR,
		       "VLAN_DEL of an ID above 4095");
	}
	uint8_t v[4] = {5, 0, 0, 0};
	EXPECT(t, 7, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, v, 1), N_ERR, "1 data byte");
	EXPECT(t, 8, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_ADD, v, 3), N_ERR, "3 data bytes");
	EXPECT(t, 9, ctl(t, c, C_VLAN, VPLAT_VIRTIO_NET_CTRL_VLAN_DEL, v, 0), N_ERR, "no data");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_vlan_add_del, "VPLAT-NET-068", "sec:Device Types / Network Device / Device Operation / Control Virtqueue / VLAN Filtering", VPLAT_VIRTIO_ID_NET, 0, "VLAN_ADD/DEL of 0..4095 (also repeated or absent) get OK; IDs above 4095 and 0, 1 or 3 data bytes get ERR", vlan);

static enum vplat_result announce_ack(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, NF(STATUS), NF(GUEST_ANNOUNCE) | NF(STATUS), &c);
	if (r != VPLAT_PASS)
		return r;
	/* VPLAT-NET-069 asks for ANNOUNCE to be clear, not for a particular ack: with no
	 * announcement pending a device may answer VIRTIO_NET_ERR (QEMU does). */
	unsigned ack = ctl(t, c, C_ANNOUNCE, VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0);
	VPLAT_T_CHECK_MSG(t, 1, ack == N_OK || ack == N_ERR, "VIRTIO_NET_OK or VIRTIO_NET_ERR",
			  "ANNOUNCE_ACK: ack 0x%x", ack);
	uint64_t st = cfg(t, NOFF(status), 2);
	VPLAT_T_CHECK_MSG(t, 2, !(st & VPLAT_VIRTIO_NET_S_ANNOUNCE),
			  "ANNOUNCE clear once the ANNOUNCE_ACK is used", "status 0x%llx",
			  (unsigned long long)st);
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_announce_ack, "VPLAT-NET-069", "devicenormative:Device Types / Network Device / Device Operation / Control Virtqueue / Gratuitous Packet Sending", VPLAT_VIRTIO_ID_NET, 0, "ANNOUNCE_ACK gets OK and status has ANNOUNCE clear when it is used", announce_ack);

static enum vplat_result vq_pairs(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, 0, NF(MQ), &c);
	if (r != VPLAT_PASS)
		return r;
	uint16_t max = (uint16_t)cfg(t, NOFF(max_virtqueue_pairs), 2);
	uint16_t ok[3] = {1, max, (uint16_t)((max + 1) / 2)};
	for (int i = 0; i < 3; i++) {
		uint8_t v[2] = {(uint8_t)ok[i], (uint8_t)(ok[i] >> 8)};
		EXPECT(t, 1, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, v, 2), N_OK,
		       "VQ_PAIRS_SET within 1..max_virtqueue_pairs");
	}
	uint32_t bad[4] = {0, (uint32_t)max + 1, 0x8001, 0xffff};
	for (int i = 0; i < 4; i++) {
		uint8_t v[2] = {(uint8_t)bad[i], (uint8_t)(bad[i] >> 8)};
		VPLAT_T_CHECK_MSG(t, 2, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, v, 2) == N_ERR,
				  "VIRTIO_NET_ERR", "VQ_PAIRS_SET %u (max %u) accepted", bad[i], max);
	}
	uint8_t v[3] = {1, 0, 0};
	EXPECT(t, 3, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, v, 1), N_ERR, "1 data byte");
	EXPECT(t, 4, ctl(t, c, C_MQ, VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, v, 3), N_ERR, "3 data bytes");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_vq_pairs_range, "VPLAT-NET-078", "drivernormative:Device Types / Network Device / Device Operation / Control Virtqueue / Automatic receive steering in multiqueue mode", VPLAT_VIRTIO_ID_NET, 0, "VQ_PAIRS_SET 1, max and in between get OK; 0, max + 1, 0x8001, 0xffff and 1 or 3 data bytes get ERR", vq_pairs);

static enum vplat_result offloads(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	const uint64_t guest = NF(GUEST_CSUM) | NF(GUEST_TSO4) | NF(GUEST_TSO6) | NF(GUEST_ECN) |
			       NF(GUEST_UFO);
	uint64_t off = net_offer(t);
	/* Negotiate GUEST_CSUM (and TSO4 if offered) but not the other guest offloads. */
	uint64_t want = off & (NF(GUEST_CSUM) | NF(GUEST_TSO4));
	enum vplat_result r = net_up_ctrl(t, want, NF(CTRL_GUEST_OFFLOADS), &c);
	if (r != VPLAT_PASS)
		return r;
	uint64_t nego = t->d->features & guest;
	uint64_t masks[3] = {0, nego, nego & NF(GUEST_CSUM)};
	for (int i = 0; i < 3; i++) {
		uint8_t m[8];
		for (int k = 0; k < 8; k++)
			m[k] = (uint8_t)(masks[i] >> (8 * k));
		VPLAT_T_CHECK_MSG(t, 1, ctl(t, c, C_OFFLOADS, OFF_SET, m, 8) == N_OK,
				  "VIRTIO_NET_OK for a mask of negotiated guest offloads",
				  "mask 0x%llx refused", (unsigned long long)masks[i]);
	}
	uint64_t badm[4] = {guest & ~nego, NF(CSUM), NF(MRG_RXBUF), UINT64_C(1) << 63};
	for (int i = 0; i < 4; i++) {
		if (!badm[i])
			continue;
		uint8_t m[8];
		for (int k = 0; k < 8; k++)
			m[k] = (uint8_t)(badm[i] >> (8 * k));
		VPLAT_T_CHECK_MSG(t, 2, ctl(t, c, C_OFFLOADS, OFF_SET, m, 8) == N_ERR,
				  "VIRTIO_NET_ERR for a bit that is not a negotiated guest offload",
				  "mask 0x%llx accepted", (unsigned long long)badm[i]);
	}
	uint8_t m[9] = {0};
	EXPECT(t, 3, ctl(t, c, C_OFFLOADS, OFF_SET, m, 7), N_ERR, "7 data bytes");
	EXPECT(t, 4, ctl(t, c, C_OFFLOADS, OFF_SET, m, 9), N_ERR, "9 data bytes");
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_guest_offloads_set, "VPLAT-NET-080", "sec:Device Types / Network Device / Device Operation / Control Virtqueue / Offloads State Configuration / Setting Offloads State", VPLAT_VIRTIO_ID_NET, 0, "GUEST_OFFLOADS_SET with negotiated guest offloads gets OK; unnegotiated or non-offload bits and 7 or 9 bytes get ERR", offloads);

static enum vplat_result ack_last_byte(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	uint64_t off = net_offer(t);
	enum vplat_result r = net_up_ctrl(t, off & NF(MAC), NF(CTRL_MAC_ADDR), &c);
	if (r != VPLAT_PASS)
		return r;
	/* Two MAC_ADDR_SETs posted together, each with a 4-byte writable part split 3 + 1. */
	uint8_t *cmd[2], *w[2];
	for (int i = 0; i < 2; i++) {
		cmd[i] = dmab(t, 8);
		w[i] = dmab(t, 4);
		VPLAT_T_CHECK(t, 1, cmd[i] && w[i]);
		cmd[i][0] = C_MAC;
		cmd[i][1] = VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET;
		uint8_t mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, (uint8_t)(0x10 + i)};
		memcpy(cmd[i] + 2, mac, 6);
		memset(w[i], 0xee, 4);
		struct vplat_val_buf b[3] = {{.ptr = cmd[i], .len = 8}, {.ptr = w[i], .len = 3},
					     {.ptr = w[i] + 3, .len = 1}};
		VPLAT_T_CHECK(t, 2, vplat_val_vq_add(c, b, 1, 2, cmd[i]) == 0);
	}
	vplat_val_vq_kick(c);
	for (int i = 0; i < 2; i++) {
		void *tok;
		uint32_t used;
		VPLAT_T_CHECK(t, 3, wait_used(t, c, &tok, &used) == 0);
	}
	for (int i = 0; i < 2; i++)
		VPLAT_T_CHECK_MSG(t, 4, w[i][3] == N_OK, "the ack is the last device-writable byte",
				  "command %d: writable bytes %02x %02x %02x %02x", i, w[i][0], w[i][1],
				  w[i][2], w[i][3]);
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_MAC)) {
		uint8_t now[6];
		VPLAT_T_CHECK(t, 5, vplat_val_config_read_stable(t->d, NOFF(mac), now, 6, 1000) == 0);
		VPLAT_T_CHECK_MSG(t, 6, now[5] == 0x11, "commands run in controlq order (the second wins)",
				  "mac ends in %02x", now[5]);
	}
	return VPLAT_PASS;
}
VPLAT_TEST(net_ctrl_ack_last_byte_in_order, "VPLAT-NET-046", "sec:Device Types / Network Device / Device Operation / Control Virtqueue", VPLAT_VIRTIO_ID_NET, 0, "two MAC_ADDR_SETs posted together with a 3 + 1 byte writable part: each ack lands in the last writable byte, and the second address wins", ack_last_byte);

static enum vplat_result no_ack(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	uint64_t off = net_offer(t);
	enum vplat_result r = net_up_ctrl(t, off & NF(MAC), NF(CTRL_MAC_ADDR), &c);
	if (r != VPLAT_PASS)
		return r;
	uint8_t orig[6];
	VPLAT_T_CHECK(t, 1, vplat_val_config_read_stable(t->d, NOFF(mac), orig, 6, 1000) == 0);
	uint8_t *cmd = dmab(t, 8);
	cmd[0] = C_MAC;
	cmd[1] = VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET;
	uint8_t mac[6] = {0x02, 0x99, 0x88, 0x77, 0x66, 0x55};
	memcpy(cmd + 2, mac, 6);
	struct vplat_val_buf b = {.ptr = cmd, .len = 8};
	uint32_t used = 1234;
	VPLAT_T_CHECK_MSG(t, 2, xfer(t, c, &b, 1, 0, &used) == 0, "the chain is completed",
			  "a control chain without a writable byte was not completed");
	VPLAT_T_CHECK_MSG(t, 3, used == 0, "used length 0", "used %u", used);
	if (vplat_val_has_feature(t->d, VPLAT_VIRTIO_NET_F_MAC)) {
		uint8_t now[6];
		VPLAT_T_CHECK(t, 4, vplat_val_config_read_stable(t->d, NOFF(mac), now, 6, 1000) == 0);
		VPLAT_T_CHECK_MSG(t, 5, memcmp(now, orig, 6) == 0, "the command has no effect",
				  "mac changed by an unanswerable MAC_ADDR_SET");
	}
	uint8_t good[6] = {0x02, 0x12, 0x34, 0x56, 0x78, 0x9a};
	EXPECT(t, 6, ctl(t, c, C_MAC, VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET, good, 6), N_OK,
	       "the next command is served");
	return VPLAT_PASS;
}
VPLAT_TEST(net_exer_ctrl_no_ack_byte, "VPLAT-NET-048", "vplat", VPLAT_VIRTIO_ID_NET, VPLAT_TF_EXERCISER, "a MAC_ADDR_SET chain with no writable byte completes with used length 0 and leaves mac; the next command is served", no_ack);

static enum vplat_result huge_command(struct vplat_test_ctx *t)
{
	struct vplat_val_vq *c;
	enum vplat_result r = net_up_ctrl(t, 0, NF(CTRL_RX), &c);
	if (r != VPLAT_PASS)
		return r;
	/* A 64 KiB MAC_TABLE_SET (10000 + 922 entries, exact layout), and one over 12 descriptors. */
	uint8_t *big = dmab(t, 8 + 10922 * 6);
	VPLAT_T_CHECK(t, 1, big != NULL);
	uint32_t n = mac_table(big, 10000, 922);
	uint8_t ack = 0xff;
	uint32_t used;
	VPLAT_T_CHECK(t, 2, net_ctrl(t, c, C_MAC, TABLE_SET, big, n, &ack, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 3, ack == N_OK, "lists of any length are accepted",
			  "ack 0x%x for a 64 KiB MAC_TABLE_SET", ack);
	uint8_t *cmd = dmab(t, 2 + 8 + 12), *a = dmab(t, 1);
	cmd[0] = C_MAC;
	cmd[1] = VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET;
	mac_table(cmd + 2, 1, 1);
	*a = 0xee;
	struct vplat_val_buf b[13];
	for (int i = 0; i < 11; i++)
		b[i] = (struct vplat_val_buf){.ptr = cmd + 2 * i, .len = 2};
	b[11] = (struct vplat_val_buf){.ptr = cmd + 22, .len = 0};
	b[12] = (struct vplat_val_buf){.ptr = a, .len = 1};
	VPLAT_T_CHECK(t, 4, xfer(t, c, b, 12, 1, &used) == 0);
	VPLAT_T_CHECK_MSG(t, 5, *a == N_OK, "a command split over 11 descriptors is served",
			  "ack 0x%x", *a);
	return VPLAT_PASS;
}
VPLAT_TEST(net_exer_ctrl_huge_and_split, "VPLAT-NET-046 VPLAT-NET-063", "vplat", VPLAT_VIRTIO_ID_NET, VPLAT_TF_EXERCISER, "a 64 KiB MAC_TABLE_SET (10922 entries) gets OK; one split into 2-byte descriptors (and an empty one) is served", huge_command);
