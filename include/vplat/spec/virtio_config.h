/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_config.h
 * Device status bits, device-independent feature bits and device type IDs.
 *
 * Written from the virtio 1.4 specification (content.tex): "Device Status Field",
 * "Reserved Feature Bits" and the "Device Types" table.
 */
#ifndef VPLAT_SPEC_VIRTIO_CONFIG_H
#define VPLAT_SPEC_VIRTIO_CONFIG_H

#include "vplat/spec/types.h"

/** @name Device status bits (sec: Basic Facilities of a Virtio Device / Device Status Field)
 * @{ */
#define VPLAT_VIRTIO_STATUS_ACKNOWLEDGE       0x01u /**< guest noticed the device */
#define VPLAT_VIRTIO_STATUS_DRIVER            0x02u /**< guest knows how to drive it */
#define VPLAT_VIRTIO_STATUS_DRIVER_OK         0x04u /**< driver is ready */
#define VPLAT_VIRTIO_STATUS_FEATURES_OK       0x08u /**< feature negotiation complete */
#define VPLAT_VIRTIO_STATUS_SUSPEND           0x10u /**< 1.4: suspend requested (VIRTIO_F_SUSPEND) */
#define VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40u /**< device hit an unrecoverable error */
#define VPLAT_VIRTIO_STATUS_FAILED            0x80u /**< driver gave up on the device */
/** @} */

/** @name Device-independent feature bit numbers (sec: Reserved Feature Bits)
 * @{ */
#define VPLAT_VIRTIO_F_NOTIFY_ON_EMPTY    24 /**< legacy only */
#define VPLAT_VIRTIO_F_ANY_LAYOUT         27 /**< legacy only */
#define VPLAT_VIRTIO_F_INDIRECT_DESC      28
#define VPLAT_VIRTIO_F_EVENT_IDX          29
#define VPLAT_VIRTIO_F_VERSION_1          32
#define VPLAT_VIRTIO_F_ACCESS_PLATFORM    33
#define VPLAT_VIRTIO_F_RING_PACKED        34
#define VPLAT_VIRTIO_F_IN_ORDER           35
#define VPLAT_VIRTIO_F_ORDER_PLATFORM     36
#define VPLAT_VIRTIO_F_SR_IOV             37
#define VPLAT_VIRTIO_F_NOTIFICATION_DATA  38
#define VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA  39
#define VPLAT_VIRTIO_F_RING_RESET         40
#define VPLAT_VIRTIO_F_ADMIN_VQ           41
#define VPLAT_VIRTIO_F_SUSPEND            43
/** First bit of the transport/queue range (24..40 and 43). */
#define VPLAT_VIRTIO_TRANSPORT_F_START    24
/** Last bit of the contiguous transport/queue range. */
#define VPLAT_VIRTIO_TRANSPORT_F_END      40
/** @} */

/** Feature bit number @p b as a 64-bit mask. */
#define VPLAT_BIT(b) (UINT64_C(1) << (b))

/** @name Device type IDs (sec: Device Types)
 * @{ */
#define VPLAT_VIRTIO_ID_NET       1
#define VPLAT_VIRTIO_ID_BLOCK     2
#define VPLAT_VIRTIO_ID_CONSOLE   3
#define VPLAT_VIRTIO_ID_RNG       4
#define VPLAT_VIRTIO_ID_BALLOON   5
#define VPLAT_VIRTIO_ID_SCSI      8
#define VPLAT_VIRTIO_ID_9P        9
#define VPLAT_VIRTIO_ID_GPU       16
#define VPLAT_VIRTIO_ID_INPUT     18
#define VPLAT_VIRTIO_ID_VSOCK     19
#define VPLAT_VIRTIO_ID_FS        26
#define VPLAT_VIRTIO_ID_I2C       34
#define VPLAT_VIRTIO_ID_WATCHDOG  35
#define VPLAT_VIRTIO_ID_CAN       36
#define VPLAT_VIRTIO_ID_GPIO      41
/** @} */

#endif /* VPLAT_SPEC_VIRTIO_CONFIG_H */
