/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_net.h
 * Network device (virtio device ID 1): feature bits, configuration layout, packet header and
 * control virtqueue commands.
 *
 * Written from the virtio 1.4 specification, device-types/net/description.tex ("Network
 * Device"): "Feature bits", "Device configuration layout", "Device Operation" and "Control
 * Virtqueue". All multi-byte fields are little-endian (legacy devices: guest-endian).
 *
 * Queues: receiveq1, transmitq1, ..., receiveqN, transmitqN, then controlq at index 2N when
 * VPLAT_VIRTIO_NET_F_CTRL_VQ is negotiated. N is 1 unless VPLAT_VIRTIO_NET_F_MQ or
 * VPLAT_VIRTIO_NET_F_RSS is negotiated, in which case it is set by `max_virtqueue_pairs`.
 *
 * Feature bits 64 and above do not fit in a 64-bit mask: they are the third 32-bit feature word
 * (select value 2) of the transport.
 */
#ifndef VPLAT_SPEC_VIRTIO_NET_H
#define VPLAT_SPEC_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Feature bit numbers (sec: Network Device / Feature bits)
 * @{ */
#define VPLAT_VIRTIO_NET_F_CSUM                      0  /**< device takes partial checksums */
#define VPLAT_VIRTIO_NET_F_GUEST_CSUM                1  /**< driver takes partial checksums */
#define VPLAT_VIRTIO_NET_F_CTRL_GUEST_OFFLOADS       2  /**< offloads set over controlq */
#define VPLAT_VIRTIO_NET_F_MTU                       3  /**< `mtu` is valid */
#define VPLAT_VIRTIO_NET_F_MAC                       5  /**< `mac` is valid */
#define VPLAT_VIRTIO_NET_F_GSO                       6  /**< legacy: device handles any GSO type */
#define VPLAT_VIRTIO_NET_F_GUEST_TSO4                7  /**< driver can receive TSOv4 */
#define VPLAT_VIRTIO_NET_F_GUEST_TSO6                8  /**< driver can receive TSOv6 */
#define VPLAT_VIRTIO_NET_F_GUEST_ECN                 9  /**< driver can receive TSO with ECN */
#define VPLAT_VIRTIO_NET_F_GUEST_UFO                 10 /**< driver can receive UFO */
#define VPLAT_VIRTIO_NET_F_HOST_TSO4                 11 /**< device can receive TSOv4 */
#define VPLAT_VIRTIO_NET_F_HOST_TSO6                 12 /**< device can receive TSOv6 */
#define VPLAT_VIRTIO_NET_F_HOST_ECN                  13 /**< device can receive TSO with ECN */
#define VPLAT_VIRTIO_NET_F_HOST_UFO                  14 /**< device can receive UFO */
#define VPLAT_VIRTIO_NET_F_MRG_RXBUF                 15 /**< driver can merge receive buffers */
#define VPLAT_VIRTIO_NET_F_STATUS                    16 /**< `status` config field is valid */
#define VPLAT_VIRTIO_NET_F_CTRL_VQ                   17 /**< control virtqueue is present */
#define VPLAT_VIRTIO_NET_F_CTRL_RX                   18 /**< control queue RX mode commands */
#define VPLAT_VIRTIO_NET_F_CTRL_VLAN                 19 /**< control queue VLAN filtering */
#define VPLAT_VIRTIO_NET_F_CTRL_RX_EXTRA             20 /**< control queue extra RX mode commands */
#define VPLAT_VIRTIO_NET_F_GUEST_ANNOUNCE            21 /**< driver can send gratuitous packets */
#define VPLAT_VIRTIO_NET_F_MQ                        22 /**< multiqueue, automatic steering */
#define VPLAT_VIRTIO_NET_F_CTRL_MAC_ADDR             23 /**< MAC address set over controlq */
#define VPLAT_VIRTIO_NET_F_GUEST_RSC4                41 /**< legacy: device coalesces TCP/IPv4 */
#define VPLAT_VIRTIO_NET_F_GUEST_RSC6                42 /**< legacy: device coalesces TCP/IPv6 */
#define VPLAT_VIRTIO_NET_F_DEVICE_STATS              50 /**< device statistics over controlq */
#define VPLAT_VIRTIO_NET_F_HASH_TUNNEL               51 /**< inner header hash for tunnels */
#define VPLAT_VIRTIO_NET_F_VQ_NOTF_COAL              52 /**< per-queue notification coalescing */
#define VPLAT_VIRTIO_NET_F_NOTF_COAL                 53 /**< notification coalescing */
#define VPLAT_VIRTIO_NET_F_GUEST_USO4                54 /**< driver can receive USOv4 */
#define VPLAT_VIRTIO_NET_F_GUEST_USO6                55 /**< driver can receive USOv6 */
#define VPLAT_VIRTIO_NET_F_HOST_USO                  56 /**< device can receive USO */
#define VPLAT_VIRTIO_NET_F_HASH_REPORT               57 /**< device reports a per-packet hash */
#define VPLAT_VIRTIO_NET_F_GUEST_HDRLEN              59 /**< driver provides the exact `hdr_len` */
#define VPLAT_VIRTIO_NET_F_RSS                       60 /**< receive-side scaling (Toeplitz) */
#define VPLAT_VIRTIO_NET_F_RSC_EXT                   61 /**< RSC segment and dup ACK counts */
#define VPLAT_VIRTIO_NET_F_STANDBY                   62 /**< standby for a same-MAC primary */
#define VPLAT_VIRTIO_NET_F_SPEED_DUPLEX              63 /**< `speed`, `duplex` are valid */
#define VPLAT_VIRTIO_NET_F_RSS_CONTEXT               64 /**< several RSS contexts */
#define VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO      65 /**< driver takes UDP tunnel GSO */
#define VPLAT_VIRTIO_NET_F_GUEST_UDP_TUNNEL_GSO_CSUM 66 /**< driver takes partial outer csum */
#define VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO       67 /**< device takes UDP tunnel GSO */
#define VPLAT_VIRTIO_NET_F_HOST_UDP_TUNNEL_GSO_CSUM  68 /**< device takes partial outer csum */
#define VPLAT_VIRTIO_NET_F_OUT_NET_HEADER            69 /**< driver provides `outer_nh_offset` */
#define VPLAT_VIRTIO_NET_F_IPSEC                     70 /**< inline IPsec processing */
/** @} */

/** @name Configuration `status` bits
 * @{ */
#define VPLAT_VIRTIO_NET_S_LINK_UP  1u /**< link is up */
#define VPLAT_VIRTIO_NET_S_ANNOUNCE 2u /**< driver should send gratuitous packets */
/** @} */

/** @name Configuration field values and limits
 * @{ */
#define VPLAT_VIRTIO_NET_DUPLEX_HALF      0x00u       /**< `duplex`: half duplex */
#define VPLAT_VIRTIO_NET_DUPLEX_FULL      0x01u       /**< `duplex`: full duplex */
#define VPLAT_VIRTIO_NET_DUPLEX_UNKNOWN   0xffu       /**< `duplex`: unknown */
#define VPLAT_VIRTIO_NET_SPEED_MAX        0x7fffffffu /**< largest valid `speed` in Mbit/s */
#define VPLAT_VIRTIO_NET_SPEED_UNKNOWN    0xffffffffu /**< `speed`: unknown */
#define VPLAT_VIRTIO_NET_MTU_MIN          68u         /**< smallest `mtu` a device may report */
#define VPLAT_VIRTIO_NET_RSS_MIN_KEY_SIZE 40u         /**< smallest `rss_max_key_size` */
/** Smallest `rss_max_indirection_table_length` a device offering RSS may report. */
#define VPLAT_VIRTIO_NET_RSS_MIN_INDIRECTION_TABLE_LENGTH 128u
/** @} */

/** Device configuration layout (sec: Network Device / Device configuration layout). */
struct vplat_virtio_net_config {
	uint8_t mac[6];                              /**< MAC address (F_MAC) */
	vplat_le16 status;                           /**< VPLAT_VIRTIO_NET_S_* (F_STATUS) */
	vplat_le16 max_virtqueue_pairs;              /**< 1..0x8000 (F_MQ or F_RSS) */
	vplat_le16 mtu;                              /**< maximum MTU, 68..65535 (F_MTU) */
	vplat_le32 speed;                            /**< Mbit/s (F_SPEED_DUPLEX) */
	uint8_t duplex;                              /**< DUPLEX_* (F_SPEED_DUPLEX) */
	uint8_t rss_max_key_size;                    /**< bytes, >= 40 (F_RSS, F_HASH_REPORT) */
	vplat_le16 rss_max_indirection_table_length; /**< entries, >= 128 (F_RSS) */
	vplat_le32 supported_hash_types;             /**< HASH_TYPE_* mask */
	vplat_le32 supported_tunnel_types;           /**< HASH_TUNNEL_TYPE_* (F_HASH_TUNNEL) */
};

/** @name Hash types, for `supported_hash_types` and the RSS / hash configuration commands
 * @{ */
#define VPLAT_VIRTIO_NET_HASH_TYPE_IPv4   (1u << 0) /**< IPv4 addresses */
#define VPLAT_VIRTIO_NET_HASH_TYPE_TCPv4  (1u << 1) /**< IPv4 addresses and TCP ports */
#define VPLAT_VIRTIO_NET_HASH_TYPE_UDPv4  (1u << 2) /**< IPv4 addresses and UDP ports */
#define VPLAT_VIRTIO_NET_HASH_TYPE_IPv6   (1u << 3) /**< IPv6 addresses */
#define VPLAT_VIRTIO_NET_HASH_TYPE_TCPv6  (1u << 4) /**< IPv6 addresses and TCP ports */
#define VPLAT_VIRTIO_NET_HASH_TYPE_UDPv6  (1u << 5) /**< IPv6 addresses and UDP ports */
#define VPLAT_VIRTIO_NET_HASH_TYPE_IP_EX  (1u << 6) /**< IPv6 with extension headers */
#define VPLAT_VIRTIO_NET_HASH_TYPE_TCP_EX (1u << 7) /**< IPv6 with extension headers, TCP ports */
#define VPLAT_VIRTIO_NET_HASH_TYPE_UDP_EX (1u << 8) /**< IPv6 with extension headers, UDP ports */
/** @} */

/** @name Encapsulation types for inner header hash, `supported_tunnel_types`
 * @{ */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_2784  (1u << 0) /**< GRE, RFC 2784 */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_2890  (1u << 1) /**< GRE, RFC 2890 */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_7676  (1u << 2) /**< GRE, RFC 7676 */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GRE_UDP   (1u << 3) /**< GRE-in-UDP, RFC 8086 */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_VXLAN     (1u << 4) /**< VXLAN */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_VXLAN_GPE (1u << 5) /**< VXLAN-GPE */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_GENEVE    (1u << 6) /**< GENEVE */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_IPIP      (1u << 7) /**< IP-in-IP */
#define VPLAT_VIRTIO_NET_HASH_TUNNEL_TYPE_NVGRE     (1u << 8) /**< NVGRE */
/** @} */

/**
 * Packet header preceding every packet on the receive and transmit queues
 * (sec: Network Device / Device Operation), as laid out with VERSION_1: 12 bytes.
 * Negotiated features append fields (see the VPLAT_VIRTIO_NET_HDR_*_SIZE values).
 */
struct vplat_virtio_net_hdr {
	uint8_t flags;          /**< VPLAT_VIRTIO_NET_HDR_F_* */
	uint8_t gso_type;       /**< VPLAT_VIRTIO_NET_HDR_GSO_*, possibly or'ed with _ECN */
	vplat_le16 hdr_len;     /**< length of the headers to copy into each segment */
	vplat_le16 gso_size;    /**< segment payload size for GSO */
	vplat_le16 csum_start;  /**< checksum start offset (with F_RSC_INFO: coalesced segments) */
	vplat_le16 csum_offset; /**< checksum offset from csum_start (with F_RSC_INFO: dup ACKs) */
	vplat_le16 num_buffers; /**< RX: buffers used for the packet (1 without MRG_RXBUF); TX: 0 */
};

/** Packet header with VPLAT_VIRTIO_NET_F_HASH_REPORT: 20 bytes. */
struct vplat_virtio_net_hdr_hash {
	struct vplat_virtio_net_hdr hdr; /**< the 12-byte header */
	vplat_le32 hash_value;           /**< hash the device computed */
	vplat_le16 hash_report;          /**< VPLAT_VIRTIO_NET_HASH_REPORT_* */
	vplat_le16 padding_reserved;     /**< reserved, 0 */
};

/** @name Packet header sizes by negotiated features
 * @{ */
#define VPLAT_VIRTIO_NET_HDR_LEGACY_SIZE 10 /**< legacy header without MRG_RXBUF (no num_buffers) */
#define VPLAT_VIRTIO_NET_HDR_SIZE        12 /**< struct vplat_virtio_net_hdr */
#define VPLAT_VIRTIO_NET_HDR_HASH_SIZE   20 /**< with HASH_REPORT (hdr_hash) */
/** With a UDP tunnel GSO feature: adds le16 outer_th_offset and le16 inner_nh_offset. */
#define VPLAT_VIRTIO_NET_HDR_TUNNEL_SIZE 24
/** With OUT_NET_HEADER or IPSEC: adds le16 outer_nh_offset and a 6-byte IPsec resource field. */
#define VPLAT_VIRTIO_NET_HDR_FULL_SIZE   32
/** @} */

/** @name Packet header `flags`
 * @{ */
#define VPLAT_VIRTIO_NET_HDR_F_NEEDS_CSUM      1u  /**< checksum csum_start/csum_offset needed */
#define VPLAT_VIRTIO_NET_HDR_F_DATA_VALID      2u  /**< RX: checksum already validated */
#define VPLAT_VIRTIO_NET_HDR_F_RSC_INFO        4u  /**< RX: csum_* fields carry RSC counts */
#define VPLAT_VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM 8u  /**< outer UDP checksum is partial */
#define VPLAT_VIRTIO_NET_HDR_F_SECURITY        16u /**< IPsec processing applies */
#define VPLAT_VIRTIO_NET_HDR_F_SECURITY_ERR    32u /**< RX: IPsec processing failed */
/** RX: IPsec SA reached its soft lifetime limit. */
#define VPLAT_VIRTIO_NET_HDR_F_SECURITY_SA_SOFT_EXPIRY_WARN 64u
/** @} */

/** @name Packet header `gso_type`
 * @{ */
#define VPLAT_VIRTIO_NET_HDR_GSO_NONE            0u    /**< not a GSO frame */
#define VPLAT_VIRTIO_NET_HDR_GSO_TCPV4           1u    /**< TCP over IPv4 (TSO) */
#define VPLAT_VIRTIO_NET_HDR_GSO_UDP             3u    /**< UDP fragmentation (UFO) */
#define VPLAT_VIRTIO_NET_HDR_GSO_TCPV6           4u    /**< TCP over IPv6 */
#define VPLAT_VIRTIO_NET_HDR_GSO_UDP_L4          5u    /**< UDP segmentation (USO) */
#define VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV4 0x20u /**< flag: inside a UDP tunnel over IPv4 */
#define VPLAT_VIRTIO_NET_HDR_GSO_UDP_TUNNEL_IPV6 0x40u /**< flag: inside a UDP tunnel over IPv6 */
#define VPLAT_VIRTIO_NET_HDR_GSO_ECN             0x80u /**< flag: TCP has ECN set */
/** @} */

/** @name `hash_report` values
 * @{ */
#define VPLAT_VIRTIO_NET_HASH_REPORT_NONE     0u /**< no hash computed */
#define VPLAT_VIRTIO_NET_HASH_REPORT_IPv4     1u /**< IPv4 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_TCPv4    2u /**< TCP over IPv4 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_UDPv4    3u /**< UDP over IPv4 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_IPv6     4u /**< IPv6 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6    5u /**< TCP over IPv6 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6    6u /**< UDP over IPv6 */
#define VPLAT_VIRTIO_NET_HASH_REPORT_IPv6_EX  7u /**< IPv6 with extension headers */
#define VPLAT_VIRTIO_NET_HASH_REPORT_TCPv6_EX 8u /**< TCP over IPv6 with extension headers */
#define VPLAT_VIRTIO_NET_HASH_REPORT_UDPv6_EX 9u /**< UDP over IPv6 with extension headers */
/** @} */

/**
 * Control queue command header (sec: Control Virtqueue). The device-readable part is this
 * header and the command data; the device-writable part starts with a one-byte ack
 * (VPLAT_VIRTIO_NET_OK / VPLAT_VIRTIO_NET_ERR), followed by any command result.
 */
struct vplat_virtio_net_ctrl_hdr {
	uint8_t ctrl_class; /**< class (spec: `class`, a C++ keyword) */
	uint8_t command;    /**< command within the class */
};

/** @name Control ack values
 * @{ */
#define VPLAT_VIRTIO_NET_OK  0u /**< command succeeded */
#define VPLAT_VIRTIO_NET_ERR 1u /**< command failed */
/** @} */

/** @name Control classes and commands
 * @{ */
#define VPLAT_VIRTIO_NET_CTRL_RX                 0       /**< class: RX filter (u8 on/off) */
#define VPLAT_VIRTIO_NET_CTRL_RX_PROMISC         0       /**< RX: promiscuous mode */
#define VPLAT_VIRTIO_NET_CTRL_RX_ALLMULTI        1       /**< RX: all multicast */
#define VPLAT_VIRTIO_NET_CTRL_RX_ALLUNI          2       /**< RX: all unicast (CTRL_RX_EXTRA) */
#define VPLAT_VIRTIO_NET_CTRL_RX_NOMULTI         3       /**< RX: no multicast (CTRL_RX_EXTRA) */
#define VPLAT_VIRTIO_NET_CTRL_RX_NOUNI           4       /**< RX: no unicast (CTRL_RX_EXTRA) */
#define VPLAT_VIRTIO_NET_CTRL_RX_NOBCAST         5       /**< RX: no broadcast (CTRL_RX_EXTRA) */
#define VPLAT_VIRTIO_NET_CTRL_MAC                1       /**< class: MAC filtering */
#define VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET      0       /**< MAC: unicast + multicast ctrl_mac */
#define VPLAT_VIRTIO_NET_CTRL_MAC_ADDR_SET       1       /**< MAC: set address (6 bytes) */
#define VPLAT_VIRTIO_NET_CTRL_VLAN               2       /**< class: VLAN filter (le16 id) */
#define VPLAT_VIRTIO_NET_CTRL_VLAN_ADD           0       /**< VLAN: accept this VLAN */
#define VPLAT_VIRTIO_NET_CTRL_VLAN_DEL           1       /**< VLAN: drop this VLAN */
#define VPLAT_VIRTIO_NET_CTRL_ANNOUNCE           3       /**< class: announcements */
#define VPLAT_VIRTIO_NET_CTRL_ANNOUNCE_ACK       0       /**< ANNOUNCE: done; clear S_ANNOUNCE */
#define VPLAT_VIRTIO_NET_CTRL_MQ                 4       /**< class: multiqueue and steering */
#define VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET    0       /**< MQ: struct vplat_virtio_net_ctrl_mq */
#define VPLAT_VIRTIO_NET_CTRL_MQ_RSS_CONFIG      1       /**< MQ: RSS configuration (F_RSS) */
#define VPLAT_VIRTIO_NET_CTRL_MQ_HASH_CONFIG     2       /**< MQ: hash config (F_HASH_REPORT) */
#define VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN    1u      /**< smallest virtqueue_pairs */
#define VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX    0x8000u /**< largest virtqueue_pairs */
#define VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS     5       /**< class: offloads (le64 mask) */
#define VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0       /**< GUEST_OFFLOADS: apply mask */
#define VPLAT_VIRTIO_NET_CTRL_NOTF_COAL          6       /**< class: notification coalescing */
#define VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_TX_SET   0       /**< NOTF_COAL: ctrl_coal, all TX */
#define VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_RX_SET   1       /**< NOTF_COAL: ctrl_coal, all RX */
#define VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET   2       /**< NOTF_COAL: ctrl_coal_vq */
#define VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_GET   3       /**< NOTF_COAL: read ctrl_coal_vq */
#define VPLAT_VIRTIO_NET_CTRL_HASH_TUNNEL        7       /**< class: inner header hash */
#define VPLAT_VIRTIO_NET_CTRL_HASH_TUNNEL_SET    0       /**< HASH_TUNNEL: le32 types */
#define VPLAT_VIRTIO_NET_CTRL_STATS              8       /**< class: device statistics */
#define VPLAT_VIRTIO_NET_CTRL_STATS_QUERY        0       /**< STATS: query supported statistics */
#define VPLAT_VIRTIO_NET_CTRL_STATS_GET          1       /**< STATS: read statistics */
#define VPLAT_VIRTIO_NET_CTRL_RSS_CTX            9       /**< class: RSS contexts */
#define VPLAT_VIRTIO_NET_CTRL_RSS_CTX_CAP_GET    0       /**< RSS_CTX: read max_rss_contexts */
#define VPLAT_VIRTIO_NET_CTRL_RSS_CTX_ADD        1       /**< RSS_CTX: add a context */
#define VPLAT_VIRTIO_NET_CTRL_RSS_CTX_MOD        2       /**< RSS_CTX: modify a context */
#define VPLAT_VIRTIO_NET_CTRL_RSS_CTX_DEL        3       /**< RSS_CTX: delete a context */
/** @} */

/**
 * @name Guest offload bits that differ from their feature bit
 * In the le64 mask of VPLAT_VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET each offload uses its feature
 * bit number, except the two UDP tunnel offloads whose feature bits (65, 66) do not fit in 64
 * bits; the spec maps them to these positions (sec: Setting Offloads State).
 * @{ */
#define VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO      46 /**< feature bit 65 */
#define VPLAT_VIRTIO_NET_OFFLOAD_GUEST_UDP_TUNNEL_GSO_CSUM 47 /**< feature bit 66 */
/** @} */

/** Data of VPLAT_VIRTIO_NET_CTRL_MAC_TABLE_SET (sent twice: unicast then multicast). */
struct vplat_virtio_net_ctrl_mac {
	vplat_le32 entries; /**< number of MAC addresses that follow */
	uint8_t macs[][6];  /**< the addresses */
};

/** Data of VPLAT_VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET (spec: virtio_net_ctrl_mq_pairs_set). */
struct vplat_virtio_net_ctrl_mq {
	vplat_le16 virtqueue_pairs; /**< queue pairs to use, VQ_PAIRS_MIN..max_virtqueue_pairs */
};

/** Data of VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_TX_SET / _RX_SET. */
struct vplat_virtio_net_ctrl_coal {
	vplat_le32 max_packets; /**< packets to wait for before notifying */
	vplat_le32 max_usecs;   /**< microseconds to wait before notifying */
};

/** Data of VPLAT_VIRTIO_NET_CTRL_NOTF_COAL_VQ_SET / _VQ_GET. */
struct vplat_virtio_net_ctrl_coal_vq {
	vplat_le16 vq_index;                    /**< virtqueue the parameters apply to */
	vplat_le16 reserved;                    /**< reserved, 0 */
	struct vplat_virtio_net_ctrl_coal coal; /**< the parameters */
};

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_net_config) == 28, "virtio_net_config is 28 bytes");
_Static_assert(offsetof(struct vplat_virtio_net_config, status) == 6, "status at 6");
_Static_assert(offsetof(struct vplat_virtio_net_config, max_virtqueue_pairs) == 8, "pairs at 8");
_Static_assert(offsetof(struct vplat_virtio_net_config, mtu) == 10, "mtu at 10");
_Static_assert(offsetof(struct vplat_virtio_net_config, speed) == 12, "speed at 12");
_Static_assert(offsetof(struct vplat_virtio_net_config, duplex) == 16, "duplex at 16");
_Static_assert(offsetof(struct vplat_virtio_net_config, rss_max_key_size) == 17, "key size at 17");
_Static_assert(offsetof(struct vplat_virtio_net_config, rss_max_indirection_table_length) == 18,
	       "indirection table length at 18");
_Static_assert(offsetof(struct vplat_virtio_net_config, supported_hash_types) == 20,
	       "supported_hash_types at 20");
_Static_assert(offsetof(struct vplat_virtio_net_config, supported_tunnel_types) == 24,
	       "supported_tunnel_types at 24");
_Static_assert(sizeof(struct vplat_virtio_net_hdr) == VPLAT_VIRTIO_NET_HDR_SIZE,
	       "virtio_net_hdr is 12 bytes");
_Static_assert(offsetof(struct vplat_virtio_net_hdr, num_buffers) ==
		       VPLAT_VIRTIO_NET_HDR_LEGACY_SIZE, "num_buffers follows the 10-byte legacy header");
_Static_assert(sizeof(struct vplat_virtio_net_hdr_hash) == VPLAT_VIRTIO_NET_HDR_HASH_SIZE,
	       "hash header is 20 bytes");
_Static_assert(offsetof(struct vplat_virtio_net_hdr_hash, hash_value) == 12, "hash_value at 12");
_Static_assert(offsetof(struct vplat_virtio_net_hdr_hash, hash_report) == 16, "hash_report at 16");
_Static_assert(sizeof(struct vplat_virtio_net_ctrl_hdr) == 2, "ctrl header is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_net_ctrl_mac) == 4, "ctrl_mac header is 4 bytes");
_Static_assert(sizeof(struct vplat_virtio_net_ctrl_mq) == 2, "ctrl_mq is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_net_ctrl_coal) == 8, "ctrl_coal is 8 bytes");
_Static_assert(sizeof(struct vplat_virtio_net_ctrl_coal_vq) == 12, "ctrl_coal_vq is 12 bytes");
_Static_assert(offsetof(struct vplat_virtio_net_ctrl_coal_vq, coal) == 4, "coal at 4");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_NET_H */
