/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_vsock.h
 * Socket device (virtio device ID 19, vsock): feature bits, queues, configuration layout,
 * packet header layout, operations, shutdown flags and events.
 *
 * Written from the virtio 1.4 specification, device-types/vsock/description.tex ("Socket
 * Device"): sec:Device Types / Socket Device / Feature bits, / Device configuration layout,
 * / Device Operation, / Device Operation / Stream Sockets, / Device Operation / Device Events.
 * All multi-byte fields are little-endian.
 *
 * struct virtio_vsock_hdr is 44 bytes with 64-bit fields at offsets 0 and 8, so a C struct of
 * it needs a packing attribute (Linux uses __attribute__((packed))). vplat does not rely on
 * one: the header is described by byte offsets (VPLAT_VIRTIO_VSOCK_HDR_*) and encoded and
 * decoded field by field (vplat_vsock_hdr_decode(), vplat_vsock_hdr_encode() in vplat/vsock.h).
 */
#ifndef VPLAT_SPEC_VIRTIO_VSOCK_H
#define VPLAT_SPEC_VIRTIO_VSOCK_H

#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Feature bit numbers
 * @{ */
#define VPLAT_VIRTIO_VSOCK_F_STREAM            0 /**< stream sockets */
#define VPLAT_VIRTIO_VSOCK_F_SEQPACKET         1 /**< seqpacket sockets */
#define VPLAT_VIRTIO_VSOCK_F_NO_IMPLIED_STREAM 2 /**< stream sockets are not implied */
/** @} */

/** @name Queue indexes
 * @{ */
#define VPLAT_VIRTIO_VSOCK_RXQ    0 /**< rx: packets to the driver (device-writable buffers) */
#define VPLAT_VIRTIO_VSOCK_TXQ    1 /**< tx: packets from the driver (device-readable) */
#define VPLAT_VIRTIO_VSOCK_EVENTQ 2 /**< event: struct vplat_virtio_vsock_event */
/** @} */

/** Configuration space: the guest's context ID (upper 32 bits reserved, zero). */
struct vplat_virtio_vsock_config {
	vplat_le64 guest_cid; /**< the guest's CID */
};

/** @name Reserved CIDs (never a guest_cid)
 * @{ */
#define VPLAT_VSOCK_CID_HYPERVISOR 0u           /**< reserved */
#define VPLAT_VSOCK_CID_LOCAL      1u           /**< reserved */
#define VPLAT_VSOCK_CID_HOST       2u           /**< well-known CID of the host */
#define VPLAT_VSOCK_CID_ANY        0xffffffffu  /**< reserved */
/** @} */

/** @name struct virtio_vsock_hdr: byte offsets of its fields, and its size
 * @{ */
#define VPLAT_VIRTIO_VSOCK_HDR_SRC_CID   0u  /**< le64 src_cid */
#define VPLAT_VIRTIO_VSOCK_HDR_DST_CID   8u  /**< le64 dst_cid */
#define VPLAT_VIRTIO_VSOCK_HDR_SRC_PORT  16u /**< le32 src_port */
#define VPLAT_VIRTIO_VSOCK_HDR_DST_PORT  20u /**< le32 dst_port */
#define VPLAT_VIRTIO_VSOCK_HDR_LEN_OFF   24u /**< le32 len (payload bytes) */
#define VPLAT_VIRTIO_VSOCK_HDR_TYPE      28u /**< le16 type */
#define VPLAT_VIRTIO_VSOCK_HDR_OP        30u /**< le16 op */
#define VPLAT_VIRTIO_VSOCK_HDR_FLAGS     32u /**< le32 flags */
#define VPLAT_VIRTIO_VSOCK_HDR_BUF_ALLOC 36u /**< le32 buf_alloc */
#define VPLAT_VIRTIO_VSOCK_HDR_FWD_CNT   40u /**< le32 fwd_cnt */
#define VPLAT_VIRTIO_VSOCK_HDR_SIZE      44u /**< sizeof(struct virtio_vsock_hdr) */
/** @} */

/** @name virtio_vsock_hdr::type
 * @{ */
#define VPLAT_VIRTIO_VSOCK_TYPE_STREAM    1u /**< stream socket */
#define VPLAT_VIRTIO_VSOCK_TYPE_SEQPACKET 2u /**< seqpacket socket */
/** @} */

/** @name virtio_vsock_hdr::op
 * @{ */
#define VPLAT_VIRTIO_VSOCK_OP_INVALID        0u /**< invalid */
#define VPLAT_VIRTIO_VSOCK_OP_REQUEST        1u /**< connect request */
#define VPLAT_VIRTIO_VSOCK_OP_RESPONSE       2u /**< connect accepted */
#define VPLAT_VIRTIO_VSOCK_OP_RST            3u /**< refuse or abort a connection */
#define VPLAT_VIRTIO_VSOCK_OP_SHUTDOWN       4u /**< no more receive and/or send */
#define VPLAT_VIRTIO_VSOCK_OP_RW             5u /**< payload */
#define VPLAT_VIRTIO_VSOCK_OP_CREDIT_UPDATE  6u /**< the sender's buf_alloc/fwd_cnt */
#define VPLAT_VIRTIO_VSOCK_OP_CREDIT_REQUEST 7u /**< ask for a CREDIT_UPDATE */
/** @} */

/** @name virtio_vsock_hdr::flags of VIRTIO_VSOCK_OP_SHUTDOWN (bit masks)
 * @{ */
#define VPLAT_VIRTIO_VSOCK_SHUTDOWN_RCV  0x1u /**< bit 0: the sender will receive no more */
#define VPLAT_VIRTIO_VSOCK_SHUTDOWN_SEND 0x2u /**< bit 1: the sender will send no more */
/** @} */

/** @name virtio_vsock_hdr::flags of VIRTIO_VSOCK_OP_RW on seqpacket sockets
 * @{ */
#define VPLAT_VIRTIO_VSOCK_SEQ_EOM 0x1u /**< end of message */
#define VPLAT_VIRTIO_VSOCK_SEQ_EOR 0x2u /**< end of record */
/** @} */

/** Event queue element. */
struct vplat_virtio_vsock_event {
	vplat_le32 id; /**< VPLAT_VIRTIO_VSOCK_EVENT_* */
};

/** Event id: communication was interrupted; the driver drops connections, re-reads guest_cid. */
#define VPLAT_VIRTIO_VSOCK_EVENT_TRANSPORT_RESET 0u

#endif /* VPLAT_SPEC_VIRTIO_VSOCK_H */
