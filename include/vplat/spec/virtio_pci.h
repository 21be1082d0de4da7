/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_pci.h
 * Virtio over PCI: IDs, the virtio vendor capabilities, the common configuration structure,
 * plus the few standard PCI definitions a type-0 function model needs.
 *
 * Virtio parts written from the virtio 1.4 specification, transport-pci.tex: "PCI Device
 * Discovery", "Virtio Structure PCI Capabilities", "Common configuration structure layout",
 * "Notification capability", "ISR status capability", "Vendor data capability", "PCI
 * configuration access capability", "MSI-X Vector Configuration" and "Legacy Interfaces: A Note
 * on PCI Device Layout". Every virtio structure is little-endian.
 *
 * The generic PCI parts (`VPLAT_PCI_*`, struct vplat_pci_msix_cap, struct vplat_pci_msix_entry)
 * are the type-0 configuration header and the MSI-X capability of the PCI Local Bus / PCI
 * Express Base specifications, which the virtio text refers to as [PCI].
 */
#ifndef VPLAT_SPEC_VIRTIO_PCI_H
#define VPLAT_SPEC_VIRTIO_PCI_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"
#include "vplat/spec/virtio_notify.h"

/** @name PCI IDs (sec: PCI Device Discovery)
 * @{ */
#define VPLAT_VIRTIO_PCI_VENDOR_ID       0x1af4u /**< PCI vendor ID of every virtio device */
#define VPLAT_VIRTIO_PCI_DEVICE_ID_FIRST 0x1000u /**< lowest PCI device ID of a virtio device */
#define VPLAT_VIRTIO_PCI_DEVICE_ID_LAST  0x107fu /**< highest PCI device ID of a virtio device */
#define VPLAT_VIRTIO_PCI_DEVICE_ID_BASE  0x1040u /**< modern device ID = this + virtio device ID */
/** Modern (non-transitional) PCI device ID of virtio device type @p virtio_id. */
#define VPLAT_VIRTIO_PCI_DEVICE_ID(virtio_id) (VPLAT_VIRTIO_PCI_DEVICE_ID_BASE + (virtio_id))
/** Last transitional PCI device ID (transitional IDs are 0x1000..0x103f). */
#define VPLAT_VIRTIO_PCI_TRANS_ID_LAST   0x103fu
#define VPLAT_VIRTIO_PCI_TRANS_ID_NET     0x1000u /**< transitional ID: network device */
#define VPLAT_VIRTIO_PCI_TRANS_ID_BLOCK   0x1001u /**< transitional ID: block device */
#define VPLAT_VIRTIO_PCI_TRANS_ID_BALLOON 0x1002u /**< transitional ID: traditional balloon */
#define VPLAT_VIRTIO_PCI_TRANS_ID_CONSOLE 0x1003u /**< transitional ID: console */
#define VPLAT_VIRTIO_PCI_TRANS_ID_SCSI    0x1004u /**< transitional ID: SCSI host */
#define VPLAT_VIRTIO_PCI_TRANS_ID_RNG     0x1005u /**< transitional ID: entropy source */
#define VPLAT_VIRTIO_PCI_TRANS_ID_9P      0x1009u /**< transitional ID: 9P transport */
/** A non-transitional device SHOULD have a PCI Revision ID of at least this. */
#define VPLAT_VIRTIO_PCI_MODERN_MIN_REVISION  1u
/** A non-transitional device SHOULD have a PCI Subsystem Device ID of at least this. */
#define VPLAT_VIRTIO_PCI_MODERN_MIN_SUBSYS_ID 0x40u
/** @} */

/** @name Virtio structure capability types, struct vplat_virtio_pci_cap::cfg_type
 * @{ */
#define VPLAT_VIRTIO_PCI_CAP_COMMON_CFG        1 /**< common configuration */
#define VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG        2 /**< notifications (notify_cap) */
#define VPLAT_VIRTIO_PCI_CAP_ISR_CFG           3 /**< ISR status byte */
#define VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG        4 /**< device-specific configuration */
#define VPLAT_VIRTIO_PCI_CAP_PCI_CFG           5 /**< BAR access window (cfg_cap) */
#define VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG 8 /**< a shared memory region (cap64) */
#define VPLAT_VIRTIO_PCI_CAP_VENDOR_CFG        9 /**< vendor data (vndr_data) */
/** @} */

/**
 * Virtio structure capability: locates one virtio structure inside a BAR
 * (sec: Virtio Structure PCI Capabilities). Sits in PCI configuration space.
 */
struct vplat_virtio_pci_cap {
	uint8_t cap_vndr;   /**< VPLAT_PCI_CAP_ID_VNDR */
	uint8_t cap_next;   /**< config-space offset of the next capability, 0 at the end */
	uint8_t cap_len;    /**< length of this capability including any data after it */
	uint8_t cfg_type;   /**< VPLAT_VIRTIO_PCI_CAP_* */
	uint8_t bar;        /**< BAR holding the structure, 0..5; else ignore the cap */
	uint8_t id;         /**< tells same-type caps apart (shmid for shared memory) */
	uint8_t padding[2]; /**< pads to a dword */
	vplat_le32 offset;  /**< offset of the structure within the BAR */
	vplat_le32 length;  /**< length of the structure in bytes */
};

/** Capability with 64-bit offset and length, used for shared memory regions. */
struct vplat_virtio_pci_cap64 {
	struct vplat_virtio_pci_cap cap; /**< cap.offset/cap.length: the low 32 bits */
	vplat_le32 offset_hi;            /**< bits 32..63 of the offset */
	vplat_le32 length_hi;            /**< bits 32..63 of the length */
};

/** VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG capability (sec: Notification capability). */
struct vplat_virtio_pci_notify_cap {
	struct vplat_virtio_pci_cap cap;  /**< cap.offset: the notify area in the BAR */
	vplat_le32 notify_off_multiplier; /**< see VPLAT_VIRTIO_PCI_NOTIFY_OFFSET() */
};

/** VPLAT_VIRTIO_PCI_CAP_PCI_CFG capability: a window through config space into a BAR. */
struct vplat_virtio_pci_cfg_cap {
	struct vplat_virtio_pci_cap cap; /**< driver sets bar, offset, length (1/2/4) */
	uint8_t pci_cfg_data[4];         /**< data of the BAR access */
};

/**
 * VPLAT_VIRTIO_PCI_CAP_VENDOR_CFG capability header (sec: Vendor data capability). Vendor data
 * follows; the whole capability is a multiple of 4 bytes and reads have no side effects.
 */
struct vplat_virtio_pci_vndr_data {
	uint8_t cap_vndr;     /**< VPLAT_PCI_CAP_ID_VNDR */
	uint8_t cap_next;     /**< offset of the next capability */
	uint8_t cap_len;      /**< length of this capability */
	uint8_t cfg_type;     /**< VPLAT_VIRTIO_PCI_CAP_VENDOR_CFG */
	vplat_le16 vendor_id; /**< PCI-SIG vendor ID that defines the data; never 0x1af4 */
};

/**
 * Common configuration structure, found through VPLAT_VIRTIO_PCI_CAP_COMMON_CFG
 * (sec: Common configuration structure layout). "RO" means read-only for the driver.
 * The queue_* fields address the queue chosen by queue_select. Drivers may access the 64-bit
 * fields as two 32-bit halves (low half first in memory).
 */
struct vplat_virtio_pci_common_cfg {
	vplat_le32 device_feature_select;   /**< selects the device_feature word */
	vplat_le32 device_feature;          /**< RO: device feature bits [32*sel, 32*sel+31] */
	vplat_le32 driver_feature_select;   /**< selects the driver_feature word */
	vplat_le32 driver_feature;          /**< driver feature bits [32*sel, 32*sel+31] */
	vplat_le16 config_msix_vector;      /**< config change MSI-X vector or NO_VECTOR */
	vplat_le16 num_queues;              /**< RO: number of queues (admin queues excluded) */
	uint8_t device_status;              /**< device status; writing 0 resets the device */
	uint8_t config_generation;          /**< RO: configuration generation counter */
	vplat_le16 queue_select;            /**< selects the queue the fields below address */
	vplat_le16 queue_size;              /**< queue size; reads 0 for an absent queue */
	vplat_le16 queue_msix_vector;       /**< queue MSI-X vector or NO_VECTOR */
	vplat_le16 queue_enable;            /**< 1 = queue is live; reads 0 after reset */
	vplat_le16 queue_notify_off;        /**< RO: times notify_off_multiplier */
	vplat_le64 queue_desc;              /**< descriptor area address */
	vplat_le64 queue_driver;            /**< driver area (split: available ring) address */
	vplat_le64 queue_device;            /**< device area (split: used ring) address */
	vplat_le16 queue_notif_config_data; /**< RO: notify value (F_NOTIF_CONFIG_DATA) */
	vplat_le16 queue_reset;             /**< write 1 to reset the queue (VIRTIO_F_RING_RESET) */
	vplat_le16 admin_queue_index;       /**< RO: first admin queue (F_ADMIN_VQ) */
	vplat_le16 admin_queue_num;         /**< RO: number of admin queues; 0 = none */
};

/** @name Byte offsets of the common configuration fields
 * @{ */
#define VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE_SELECT   0  /**< device_feature_select */
#define VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE          4  /**< device_feature */
#define VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT   8  /**< driver_feature_select */
#define VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE          12 /**< driver_feature */
#define VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR      16 /**< config_msix_vector */
#define VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES              18 /**< num_queues */
#define VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS           20 /**< device_status */
#define VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION       21 /**< config_generation */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT            22 /**< queue_select */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE              24 /**< queue_size */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR       26 /**< queue_msix_vector */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE            28 /**< queue_enable */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF        30 /**< queue_notify_off */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC              32 /**< queue_desc (high half at +4) */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER            40 /**< queue_driver (high half at +4) */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE            48 /**< queue_device (high half at +4) */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA 56 /**< queue_notif_config_data */
#define VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET             58 /**< queue_reset */
#define VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_INDEX       60 /**< admin_queue_index */
#define VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_NUM         62 /**< admin_queue_num */
#define VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE                64 /**< size of the whole structure */
/** @} */

/** Value of config_msix_vector / queue_msix_vector meaning "no MSI-X vector". */
#define VPLAT_VIRTIO_PCI_NO_VECTOR 0xffffu
/** A device with MSI-X SHOULD support at most this many vectors (table entries 0..0x7ff). */
#define VPLAT_VIRTIO_PCI_MSIX_MAX_VECTORS 0x800u

/** @name ISR status bits (sec: ISR status capability); reading the byte clears it
 * @{ */
#define VPLAT_VIRTIO_PCI_ISR_QUEUE  0x1u /**< a virtqueue interrupt (used only without MSI-X) */
#define VPLAT_VIRTIO_PCI_ISR_CONFIG 0x2u /**< a device configuration change interrupt */
/** @} */

/**
 * Offset in the notify BAR of a queue's notify address, from the notify capability's
 * @p cap_offset and @p multiplier and the queue's @p queue_notify_off (all host order).
 */
#define VPLAT_VIRTIO_PCI_NOTIFY_OFFSET(cap_offset, queue_notify_off, multiplier)                 \
	((uint64_t)(cap_offset) + (uint64_t)(queue_notify_off) * (uint64_t)(multiplier))

/** @name Legacy interface: the I/O BAR0 header of a transitional device
 * (sec: Legacy Interfaces: A Note on PCI Device Layout). Guest-endian, not little-endian.
 * @{ */
#define VPLAT_VIRTIO_PCI_LEGACY_HOST_FEATURES     0  /**< legacy R, 32 bit: device features 0..31 */
#define VPLAT_VIRTIO_PCI_LEGACY_GUEST_FEATURES    4  /**< legacy RW, 32 bit: driver features */
#define VPLAT_VIRTIO_PCI_LEGACY_QUEUE_PFN         8  /**< legacy RW, 32 bit: queue address / 4096 */
#define VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NUM         12 /**< legacy R, 16 bit: queue size */
#define VPLAT_VIRTIO_PCI_LEGACY_QUEUE_SEL         14 /**< legacy RW, 16 bit: queue select */
#define VPLAT_VIRTIO_PCI_LEGACY_QUEUE_NOTIFY      16 /**< legacy RW, 16 bit: queue notify */
#define VPLAT_VIRTIO_PCI_LEGACY_STATUS            18 /**< legacy RW, 8 bit: device status */
#define VPLAT_VIRTIO_PCI_LEGACY_ISR               19 /**< legacy R, 8 bit: ISR status */
#define VPLAT_VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR 20 /**< legacy RW, 16 bit, MSI-X only */
#define VPLAT_VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR  22 /**< legacy RW, 16 bit, MSI-X only */
/** Offset of the device-specific config in the legacy header: it moves when MSI-X is on. */
#define VPLAT_VIRTIO_PCI_LEGACY_CONFIG_OFF(msix_enabled) ((msix_enabled) ? 24 : 20)
#define VPLAT_VIRTIO_PCI_LEGACY_QUEUE_ADDR_SHIFT 12   /**< QUEUE_PFN = address >> this */
#define VPLAT_VIRTIO_PCI_LEGACY_VRING_ALIGN      4096 /**< legacy split ring alignment */
/** @} */

/** @name Standard PCI type-0 configuration header offsets ([PCI])
 * @{ */
#define VPLAT_PCI_CFG_VENDOR_ID       0x00 /**< 16 bit */
#define VPLAT_PCI_CFG_DEVICE_ID       0x02 /**< 16 bit */
#define VPLAT_PCI_CFG_COMMAND         0x04 /**< 16 bit, VPLAT_PCI_COMMAND_* */
#define VPLAT_PCI_CFG_STATUS          0x06 /**< 16 bit, VPLAT_PCI_STATUS_* */
#define VPLAT_PCI_CFG_REVISION_ID     0x08 /**< 8 bit */
#define VPLAT_PCI_CFG_CLASS_PROG      0x09 /**< 8 bit: programming interface */
#define VPLAT_PCI_CFG_CLASS_SUB       0x0a /**< 8 bit: sub-class code */
#define VPLAT_PCI_CFG_CLASS_BASE      0x0b /**< 8 bit: base class code */
#define VPLAT_PCI_CFG_CACHE_LINE_SIZE 0x0c /**< 8 bit */
#define VPLAT_PCI_CFG_LATENCY_TIMER   0x0d /**< 8 bit */
#define VPLAT_PCI_CFG_HEADER_TYPE     0x0e /**< 8 bit, VPLAT_PCI_HEADER_TYPE_* */
#define VPLAT_PCI_CFG_BIST            0x0f /**< 8 bit */
#define VPLAT_PCI_CFG_BAR0            0x10 /**< 32 bit */
#define VPLAT_PCI_CFG_BAR1            0x14 /**< 32 bit */
#define VPLAT_PCI_CFG_BAR2            0x18 /**< 32 bit */
#define VPLAT_PCI_CFG_BAR3            0x1c /**< 32 bit */
#define VPLAT_PCI_CFG_BAR4            0x20 /**< 32 bit */
#define VPLAT_PCI_CFG_BAR5            0x24 /**< 32 bit */
/** Config-space offset of BAR @p n (0..5). */
#define VPLAT_PCI_CFG_BAR(n)              (VPLAT_PCI_CFG_BAR0 + 4 * (n))
#define VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID 0x2c  /**< 16 bit */
#define VPLAT_PCI_CFG_SUBSYSTEM_ID        0x2e  /**< 16 bit */
#define VPLAT_PCI_CFG_ROM_ADDRESS         0x30  /**< 32 bit: expansion ROM base */
#define VPLAT_PCI_CFG_CAPABILITY_LIST     0x34  /**< 8 bit: offset of the first capability */
#define VPLAT_PCI_CFG_INTERRUPT_LINE      0x3c  /**< 8 bit */
#define VPLAT_PCI_CFG_INTERRUPT_PIN       0x3d  /**< 8 bit: 1 = INTA# ... 4 = INTD#, 0 = none */
#define VPLAT_PCI_CFG_HEADER_SIZE         0x40  /**< size of the type-0 header */
#define VPLAT_PCI_CFG_SPACE_SIZE          0x100 /**< size of conventional PCI configuration space */
/** @} */

/** @name PCI command register bits
 * @{ */
#define VPLAT_PCI_COMMAND_IO           0x0001u /**< respond to I/O space accesses */
#define VPLAT_PCI_COMMAND_MEMORY       0x0002u /**< respond to memory space accesses */
#define VPLAT_PCI_COMMAND_MASTER       0x0004u /**< bus master: the function may DMA */
#define VPLAT_PCI_COMMAND_INTX_DISABLE 0x0400u /**< INTx# assertion disabled */
/** @} */

/** @name PCI status register bits
 * @{ */
#define VPLAT_PCI_STATUS_INTERRUPT 0x0008u /**< INTx# interrupt pending */
#define VPLAT_PCI_STATUS_CAP_LIST  0x0010u /**< capability list present */
/** @} */

/** @name PCI header type and BAR bits
 * @{ */
#define VPLAT_PCI_HEADER_TYPE_NORMAL  0x00u /**< type-0 (endpoint) header */
#define VPLAT_PCI_HEADER_TYPE_MULTIFN 0x80u /**< flag: multi-function device */
#define VPLAT_PCI_BAR_SPACE_IO        0x1u  /**< BAR bit 0: I/O space (else memory) */
#define VPLAT_PCI_BAR_MEM_TYPE_MASK   0x6u  /**< memory BAR bits 1..2: address type */
#define VPLAT_PCI_BAR_MEM_TYPE_64     0x4u  /**< memory BAR is 64-bit (uses the next BAR too) */
#define VPLAT_PCI_BAR_MEM_PREFETCH    0x8u  /**< memory BAR is prefetchable */
/** @} */

/** @name PCI capability IDs
 * @{ */
#define VPLAT_PCI_CAP_ID_VNDR 0x09u /**< vendor-specific: every virtio structure capability */
#define VPLAT_PCI_CAP_ID_MSIX 0x11u /**< MSI-X */
/** @} */

/** MSI-X capability structure in PCI configuration space. */
struct vplat_pci_msix_cap {
	uint8_t cap_id;      /**< VPLAT_PCI_CAP_ID_MSIX */
	uint8_t cap_next;    /**< offset of the next capability */
	vplat_le16 msg_ctrl; /**< VPLAT_PCI_MSIX_CTRL_*; table size is the low 11 bits + 1 */
	vplat_le32 table;    /**< table BAR (VPLAT_PCI_MSIX_BIR_MASK) and 8-aligned offset */
	vplat_le32 pba;      /**< pending-bit-array BAR and 8-aligned offset, same encoding */
};

/** @name MSI-X capability fields
 * @{ */
#define VPLAT_PCI_MSIX_CTRL_TABLE_SIZE 0x07ffu     /**< msg_ctrl: number of table entries - 1 */
#define VPLAT_PCI_MSIX_CTRL_MASKALL    0x4000u     /**< msg_ctrl: function mask */
#define VPLAT_PCI_MSIX_CTRL_ENABLE     0x8000u     /**< msg_ctrl: MSI-X enable */
#define VPLAT_PCI_MSIX_BIR_MASK        0x7u        /**< table/pba: BAR indicator */
#define VPLAT_PCI_MSIX_OFFSET_MASK     0xfffffff8u /**< table/pba: offset within the BAR */
/** @} */

/** One MSI-X table entry, in the BAR named by the MSI-X capability. */
struct vplat_pci_msix_entry {
	vplat_le32 addr_lo;     /**< message address, bits 0..31 */
	vplat_le32 addr_hi;     /**< message address, bits 32..63 */
	vplat_le32 data;        /**< message data */
	vplat_le32 vector_ctrl; /**< VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT */
};

/** vector_ctrl bit: the vector is masked. */
#define VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1u

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_pci_cap) == 16, "virtio_pci_cap is 16 bytes");
_Static_assert(offsetof(struct vplat_virtio_pci_cap, cfg_type) == 3, "cfg_type at 3");
_Static_assert(offsetof(struct vplat_virtio_pci_cap, bar) == 4, "bar at 4");
_Static_assert(offsetof(struct vplat_virtio_pci_cap, offset) == 8, "offset at 8");
_Static_assert(offsetof(struct vplat_virtio_pci_cap, length) == 12, "length at 12");
_Static_assert(sizeof(struct vplat_virtio_pci_cap64) == 24, "virtio_pci_cap64 is 24 bytes");
_Static_assert(offsetof(struct vplat_virtio_pci_cap64, offset_hi) == 16, "offset_hi at 16");
_Static_assert(sizeof(struct vplat_virtio_pci_notify_cap) == 20, "notify_cap is 20 bytes");
_Static_assert(offsetof(struct vplat_virtio_pci_notify_cap, notify_off_multiplier) == 16,
	       "notify_off_multiplier at 16");
_Static_assert(sizeof(struct vplat_virtio_pci_cfg_cap) == 20, "cfg_cap is 20 bytes");
_Static_assert(offsetof(struct vplat_virtio_pci_cfg_cap, pci_cfg_data) == 16, "pci_cfg_data at 16");
_Static_assert(sizeof(struct vplat_virtio_pci_vndr_data) == 6, "vndr_data header is 6 bytes");
_Static_assert(sizeof(struct vplat_virtio_pci_common_cfg) == VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE,
	       "common_cfg is 64 bytes");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, device_feature) ==
		       VPLAT_VIRTIO_PCI_COMMON_DEVICE_FEATURE, "device_feature");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, driver_feature_select) ==
		       VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE_SELECT, "driver_feature_select");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, driver_feature) ==
		       VPLAT_VIRTIO_PCI_COMMON_DRIVER_FEATURE, "driver_feature");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, config_msix_vector) ==
		       VPLAT_VIRTIO_PCI_COMMON_CONFIG_MSIX_VECTOR, "config_msix_vector");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, num_queues) ==
		       VPLAT_VIRTIO_PCI_COMMON_NUM_QUEUES, "num_queues");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, device_status) ==
		       VPLAT_VIRTIO_PCI_COMMON_DEVICE_STATUS, "device_status");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, config_generation) ==
		       VPLAT_VIRTIO_PCI_COMMON_CONFIG_GENERATION, "config_generation");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_select) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_SELECT, "queue_select");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_size) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_SIZE, "queue_size");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_msix_vector) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_MSIX_VECTOR, "queue_msix_vector");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_enable) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_ENABLE, "queue_enable");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_notify_off) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIFY_OFF, "queue_notify_off");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_desc) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_DESC, "queue_desc");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_driver) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_DRIVER, "queue_driver");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_device) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_DEVICE, "queue_device");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_notif_config_data) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_NOTIF_CONFIG_DATA, "queue_notif_config_data");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, queue_reset) ==
		       VPLAT_VIRTIO_PCI_COMMON_QUEUE_RESET, "queue_reset");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, admin_queue_index) ==
		       VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_INDEX, "admin_queue_index");
_Static_assert(offsetof(struct vplat_virtio_pci_common_cfg, admin_queue_num) ==
		       VPLAT_VIRTIO_PCI_COMMON_ADMIN_QUEUE_NUM, "admin_queue_num");
_Static_assert(sizeof(struct vplat_pci_msix_cap) == 12, "MSI-X capability is 12 bytes");
_Static_assert(offsetof(struct vplat_pci_msix_cap, table) == 4, "MSI-X table at 4");
_Static_assert(offsetof(struct vplat_pci_msix_cap, pba) == 8, "MSI-X PBA at 8");
_Static_assert(sizeof(struct vplat_pci_msix_entry) == 16, "MSI-X table entry is 16 bytes");
_Static_assert(offsetof(struct vplat_pci_msix_entry, vector_ctrl) == 12, "vector_ctrl at 12");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_PCI_H */
