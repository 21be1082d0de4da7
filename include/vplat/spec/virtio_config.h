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
#define VPLAT_VIRTIO_F_INDIRECT_DESC      28 /**< descriptors may point to indirect tables */
#define VPLAT_VIRTIO_F_EVENT_IDX          29 /**< used_event / avail_event suppression */
#define VPLAT_VIRTIO_F_VERSION_1          32 /**< virtio 1.x; device MUST offer it */
#define VPLAT_VIRTIO_F_ACCESS_PLATFORM    33 /**< DMA goes through platform translation */
#define VPLAT_VIRTIO_F_RING_PACKED        34 /**< packed virtqueue layout */
#define VPLAT_VIRTIO_F_IN_ORDER           35 /**< buffers used in available order */
#define VPLAT_VIRTIO_F_ORDER_PLATFORM     36 /**< platform memory ordering needed */
#define VPLAT_VIRTIO_F_SR_IOV             37 /**< device supports SR-IOV (PCI only) */
#define VPLAT_VIRTIO_F_NOTIFICATION_DATA  38 /**< driver notifications carry next_off/next_wrap */
#define VPLAT_VIRTIO_F_NOTIF_CONFIG_DATA  39 /**< driver notifies with device-supplied data (PCI) */
#define VPLAT_VIRTIO_F_RING_RESET         40 /**< individual virtqueues can be reset */
#define VPLAT_VIRTIO_F_ADMIN_VQ           41 /**< administration virtqueues (PCI only for now) */
#define VPLAT_VIRTIO_F_SUSPEND            43 /**< 1.4: device can be suspended (status SUSPEND) */
/** First bit of the transport/queue range (24..40 and 43). */
#define VPLAT_VIRTIO_TRANSPORT_F_START    24
/** Last bit of the contiguous transport/queue range. */
#define VPLAT_VIRTIO_TRANSPORT_F_END      40
/** @} */

/** Feature bit number @p b as a 64-bit mask. */
#define VPLAT_BIT(b) (UINT64_C(1) << (b))

/** @name Device type IDs (sec: Device Types)
 * @{ */
#define VPLAT_VIRTIO_ID_NET       1 /**< network device */
#define VPLAT_VIRTIO_ID_BLOCK     2 /**< block device */
#define VPLAT_VIRTIO_ID_CONSOLE   3 /**< console */
#define VPLAT_VIRTIO_ID_RNG       4 /**< entropy source */
#define VPLAT_VIRTIO_ID_BALLOON   5 /**< traditional memory balloon */
#define VPLAT_VIRTIO_ID_SCSI      8 /**< SCSI host */
#define VPLAT_VIRTIO_ID_9P        9 /**< 9P transport */
#define VPLAT_VIRTIO_ID_GPU       16 /**< GPU device */
#define VPLAT_VIRTIO_ID_INPUT     18 /**< input device */
#define VPLAT_VIRTIO_ID_VSOCK     19 /**< socket device (vsock) */
#define VPLAT_VIRTIO_ID_SOUND     25 /**< sound device */
#define VPLAT_VIRTIO_ID_FS        26 /**< file system device */
#define VPLAT_VIRTIO_ID_I2C       34 /**< I2C adapter */
#define VPLAT_VIRTIO_ID_WATCHDOG  35 /**< watchdog (ID reserved; no device chapter in the spec) */
#define VPLAT_VIRTIO_ID_CAN       36 /**< CAN device */
#define VPLAT_VIRTIO_ID_GPIO      41 /**< GPIO device */
/** @} */

#endif /* VPLAT_SPEC_VIRTIO_CONFIG_H */
