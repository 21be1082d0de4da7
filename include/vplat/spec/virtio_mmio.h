/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_mmio.h
 * Virtio over MMIO, version 2: register offsets and values.
 *
 * Written from the virtio 1.4 specification, transport-mmio.tex: "MMIO Device Register Layout"
 * and "Legacy interface". Every register is little-endian. Control registers (offsets below
 * 0x100) are accessed with aligned 32-bit accesses; the device-specific configuration space at
 * VPLAT_VIRTIO_MMIO_CONFIG is accessed with the width of each field (64-bit fields as two 32-bit
 * accesses). R / W / RW below is the direction as seen by the driver.
 *
 * The value written to QueueNotify when VIRTIO_F_NOTIFICATION_DATA is negotiated is described
 * in vplat/spec/virtio_notify.h, included here.
 */
#ifndef VPLAT_SPEC_VIRTIO_MMIO_H
#define VPLAT_SPEC_VIRTIO_MMIO_H

#include <stdint.h>
#include "vplat/spec/types.h"
#include "vplat/spec/virtio_notify.h"

/** @name Register offsets from the device's base address (version 2)
 * QueueSizeMax and QueueSize were called QueueNumMax and QueueNum before virtio 1.2.
 * @{ */
#define VPLAT_VIRTIO_MMIO_MAGIC_VALUE         0x000 /**< R: VPLAT_VIRTIO_MMIO_MAGIC */
#define VPLAT_VIRTIO_MMIO_VERSION             0x004 /**< R: VPLAT_VIRTIO_MMIO_VERSION_MODERN */
#define VPLAT_VIRTIO_MMIO_DEVICE_ID           0x008 /**< R: device type; 0 = no device here */
#define VPLAT_VIRTIO_MMIO_VENDOR_ID           0x00c /**< R: subsystem vendor ID */
#define VPLAT_VIRTIO_MMIO_DEVICE_FEATURES     0x010 /**< R: feature bits 32*sel .. 32*sel+31 */
#define VPLAT_VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014 /**< W: DeviceFeatures word select */
#define VPLAT_VIRTIO_MMIO_DRIVER_FEATURES     0x020 /**< W: feature bits 32*sel .. 32*sel+31 */
#define VPLAT_VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024 /**< W: DriverFeatures word select */
#define VPLAT_VIRTIO_MMIO_QUEUE_SEL           0x030 /**< W: queue the Queue* registers address */
#define VPLAT_VIRTIO_MMIO_QUEUE_SIZE_MAX      0x034 /**< R: largest size of the queue; 0 = absent */
#define VPLAT_VIRTIO_MMIO_QUEUE_SIZE          0x038 /**< W: size of the queue in use */
#define VPLAT_VIRTIO_MMIO_QUEUE_READY         0x044 /**< RW: 1 = queue live; write 0 to stop it */
#define VPLAT_VIRTIO_MMIO_QUEUE_NOTIFY        0x050 /**< W: queue index or notification data */
#define VPLAT_VIRTIO_MMIO_INTERRUPT_STATUS    0x060 /**< R: pending VPLAT_VIRTIO_MMIO_INT_* bits */
#define VPLAT_VIRTIO_MMIO_INTERRUPT_ACK       0x064 /**< W: clears the INT_* bits written */
#define VPLAT_VIRTIO_MMIO_STATUS              0x070 /**< RW: device status; 0 resets the device */
#define VPLAT_VIRTIO_MMIO_QUEUE_DESC_LOW      0x080 /**< W: descriptor area, bits 0..31 */
#define VPLAT_VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084 /**< W: descriptor area, bits 32..63 */
#define VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090 /**< W: driver area (avail ring), bits 0..31 */
#define VPLAT_VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094 /**< W: driver area, bits 32..63 */
#define VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0 /**< W: device area (used ring), bits 0..31 */
#define VPLAT_VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4 /**< W: device area, bits 32..63 */
#define VPLAT_VIRTIO_MMIO_SHM_SEL             0x0ac /**< W: selects a shared memory region */
#define VPLAT_VIRTIO_MMIO_SHM_LEN_LOW         0x0b0 /**< R: region length, bits 0..31 */
#define VPLAT_VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4 /**< R: region length, bits 32..63 */
#define VPLAT_VIRTIO_MMIO_SHM_BASE_LOW        0x0b8 /**< R: region address, bits 0..31 */
#define VPLAT_VIRTIO_MMIO_SHM_BASE_HIGH       0x0bc /**< R: region address, bits 32..63 */
/** RW: 1 resets the queue; reads 1 until done */
#define VPLAT_VIRTIO_MMIO_QUEUE_RESET         0x0c0
#define VPLAT_VIRTIO_MMIO_CONFIG_GENERATION   0x0fc /**< R: configuration generation counter */
#define VPLAT_VIRTIO_MMIO_CONFIG              0x100 /**< RW: device-specific configuration space */
/** @} */

/** @name Legacy (version 1) only register offsets; a version 2 device has nothing here
 * @{ */
#define VPLAT_VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE 0x028 /**< legacy W: page size for QueuePFN */
#define VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_ALIGN     0x03c /**< legacy W: used ring alignment */
#define VPLAT_VIRTIO_MMIO_LEGACY_QUEUE_PFN       0x040 /**< legacy RW: queue page; 0 = stop */
/** @} */

/** @name Register values
 * @{ */
#define VPLAT_VIRTIO_MMIO_MAGIC          0x74726976u /**< MagicValue: "virt" in LE bytes */
#define VPLAT_VIRTIO_MMIO_VERSION_MODERN 2u          /**< Version of a virtio 1.x MMIO device */
#define VPLAT_VIRTIO_MMIO_VERSION_LEGACY 1u          /**< Version of a legacy MMIO device */
/** SHMLen and SHMBase read as all ones (64-bit) for a shmid the device does not have. */
#define VPLAT_VIRTIO_MMIO_SHM_NONE       ((uint64_t)0xffffffffffffffffu)
/** @} */

/** @name InterruptStatus / InterruptACK bits
 * @{ */
#define VPLAT_VIRTIO_MMIO_INT_VRING  (1u << 0) /**< a used buffer notification is pending */
/** A configuration change notification is pending */
#define VPLAT_VIRTIO_MMIO_INT_CONFIG (1u << 1)
/** @} */

/** @cond */
_Static_assert(VPLAT_VIRTIO_MMIO_QUEUE_RESET == 0x0c0, "QueueReset is at 0x0c0");
_Static_assert(VPLAT_VIRTIO_MMIO_CONFIG_GENERATION == 0x0fc, "ConfigGeneration is at 0x0fc");
_Static_assert(VPLAT_VIRTIO_MMIO_CONFIG == 0x100, "device config starts at 0x100");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_MMIO_H */
