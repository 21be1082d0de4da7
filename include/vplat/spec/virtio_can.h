/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_can.h
 * CAN device (virtio device ID 36): feature bits, configuration layout, controlq, txq and
 * rxq messages.
 *
 * Written from the virtio 1.4 specification, device-types/can/description.tex ("CAN
 * Device"): "Feature bits", "Device configuration layout" and "Device Operation". All
 * multi-byte fields are little-endian.
 *
 * Queues: 0 = Txq, 1 = Rxq, 2 = Controlq. The controller starts STOPPED. At least one of
 * VPLAT_VIRTIO_CAN_F_CAN_CLASSIC and VPLAT_VIRTIO_CAN_F_CAN_FD is negotiated; 29-bit extended
 * identifiers are mandatory.
 */
#ifndef VPLAT_SPEC_VIRTIO_CAN_H
#define VPLAT_SPEC_VIRTIO_CAN_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Feature bit numbers (sec: CAN Device / Feature bits)
 * @{ */
#define VPLAT_VIRTIO_CAN_F_CAN_CLASSIC 0 /**< classic CAN frames, up to 8 data bytes */
#define VPLAT_VIRTIO_CAN_F_CAN_FD      1 /**< CAN FD frames, up to 64 data bytes */
#define VPLAT_VIRTIO_CAN_F_RTR_FRAMES  2 /**< RTR frames (needs F_CAN_CLASSIC) */
#define VPLAT_VIRTIO_CAN_F_LATE_TX_ACK 3 /**< TX marked used only once the frame is on the bus */
/** @} */

/** @name Queue indices
 * @{ */
#define VPLAT_VIRTIO_CAN_TXQ      0 /**< frames to transmit */
#define VPLAT_VIRTIO_CAN_RXQ      1 /**< received frames */
#define VPLAT_VIRTIO_CAN_CONTROLQ 2 /**< controller mode requests */
/** @} */

/** Device configuration layout (sec: CAN Device / Device configuration layout). */
struct vplat_virtio_can_config {
	vplat_le16 status; /**< VPLAT_VIRTIO_CAN_S_* bits, read-only for the driver */
};

/** Config `status` bit: the controller went bus-off and is now STOPPED. */
#define VPLAT_VIRTIO_CAN_S_CTRL_BUSOFF (1u << 0)

/** @name Result codes of every request (any other value means NOT_OK)
 * @{ */
#define VPLAT_VIRTIO_CAN_RESULT_OK     0u /**< success */
#define VPLAT_VIRTIO_CAN_RESULT_NOT_OK 1u /**< failure */
/** @} */

/** Controlq: device-readable request. */
struct vplat_virtio_can_control_out {
	vplat_le16 msg_type; /**< VPLAT_VIRTIO_CAN_SET_CTRL_MODE_* */
};

/** Controlq: device-writable reply, written once the mode change has completed. */
struct vplat_virtio_can_control_in {
	uint8_t result; /**< VPLAT_VIRTIO_CAN_RESULT_* */
};

/** @name Message types
 * @{ */
#define VPLAT_VIRTIO_CAN_TX                  0x0001u /**< Txq: struct vplat_virtio_can_tx_out */
#define VPLAT_VIRTIO_CAN_RX                  0x0101u /**< Rxq: struct vplat_virtio_can_rx */
#define VPLAT_VIRTIO_CAN_SET_CTRL_MODE_START 0x0201u /**< Controlq: start the controller */
#define VPLAT_VIRTIO_CAN_SET_CTRL_MODE_STOP  0x0202u /**< Controlq: stop the controller */
/** @} */

/** Txq: device-readable frame, a 16-byte header followed by `length` data bytes. */
struct vplat_virtio_can_tx_out {
	vplat_le16 msg_type;             /**< VPLAT_VIRTIO_CAN_TX */
	vplat_le16 length;               /**< data bytes: 0..8 classic, 0..64 FD */
	uint8_t reserved_classic_dlc;    /**< reserved (classic DLC 9..15 when length is 8) */
	uint8_t padding;                 /**< padding */
	vplat_le16 reserved_xl_priority; /**< reserved (CAN XL priority) */
	vplat_le32 flags;                /**< VPLAT_VIRTIO_CAN_FLAGS_* */
	vplat_le32 can_id;               /**< 11- or 29-bit identifier; the top 3 bits are 0 */
	uint8_t sdu[];                   /**< frame data */
};

/** Txq: device-writable reply to a frame. */
struct vplat_virtio_can_tx_in {
	uint8_t result; /**< VPLAT_VIRTIO_CAN_RESULT_* */
};

/**
 * Rxq: device-writable received frame, the same 16-byte header as struct vplat_virtio_can_tx_out
 * with msg_type VPLAT_VIRTIO_CAN_RX. The driver posts buffers of at least 16 + 8 bytes
 * (16 + 64 with VPLAT_VIRTIO_CAN_F_CAN_FD).
 */
struct vplat_virtio_can_rx {
	vplat_le16 msg_type;             /**< VPLAT_VIRTIO_CAN_RX */
	vplat_le16 length;               /**< data bytes: 0..8 classic, 0..64 FD */
	uint8_t reserved_classic_dlc;    /**< reserved (classic DLC 9..15 when length is 8) */
	uint8_t padding;                 /**< padding */
	vplat_le16 reserved_xl_priority; /**< reserved (CAN XL priority) */
	vplat_le32 flags;                /**< VPLAT_VIRTIO_CAN_FLAGS_* */
	vplat_le32 can_id;               /**< 11- or 29-bit identifier; the top 3 bits are 0 */
	uint8_t sdu[];                   /**< frame data */
};

/** @name Frame `flags`
 * The device rejects (NOT_OK) a frame with any other bit set or with an unnegotiated type.
 * @{ */
#define VPLAT_VIRTIO_CAN_FLAGS_EXTENDED 0x8000u /**< 29-bit extended identifier (else 11-bit) */
#define VPLAT_VIRTIO_CAN_FLAGS_FD       0x4000u /**< CAN FD frame (F_CAN_FD) */
#define VPLAT_VIRTIO_CAN_FLAGS_RTR      0x2000u /**< remote transmission request (F_RTR_FRAMES) */
/** @} */

/** @name Payload and identifier limits
 * @{ */
#define VPLAT_VIRTIO_CAN_MAX_DLEN_CLASSIC 8u          /**< most data bytes in a classic frame */
#define VPLAT_VIRTIO_CAN_MAX_DLEN_FD      64u         /**< most data bytes in a CAN FD frame */
#define VPLAT_VIRTIO_CAN_ID_STD_MASK      0x000007ffu /**< valid bits of a standard identifier */
#define VPLAT_VIRTIO_CAN_ID_EXT_MASK      0x1fffffffu /**< valid bits of an extended identifier */
/** @} */

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_can_config) == 2, "can config is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_can_control_out) == 2, "control_out is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_can_control_in) == 1, "control_in is 1 byte");
_Static_assert(sizeof(struct vplat_virtio_can_tx_out) == 16, "tx_out header is 16 bytes");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, length) == 2, "length at 2");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, reserved_classic_dlc) == 4, "dlc at 4");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, reserved_xl_priority) == 6, "prio at 6");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, flags) == 8, "flags at 8");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, can_id) == 12, "can_id at 12");
_Static_assert(offsetof(struct vplat_virtio_can_tx_out, sdu) == 16, "sdu at 16");
_Static_assert(sizeof(struct vplat_virtio_can_tx_in) == 1, "tx_in is 1 byte");
_Static_assert(sizeof(struct vplat_virtio_can_rx) == 16, "rx header is 16 bytes");
_Static_assert(offsetof(struct vplat_virtio_can_rx, flags) == 8, "flags at 8");
_Static_assert(offsetof(struct vplat_virtio_can_rx, can_id) == 12, "can_id at 12");
_Static_assert(offsetof(struct vplat_virtio_can_rx, sdu) == 16, "sdu at 16");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_CAN_H */
