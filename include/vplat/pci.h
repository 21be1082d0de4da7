/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/pci.h
 * virtio-pci modern transport model (sec: Virtio Transport Options / Virtio Over PCI Bus).
 *
 * The model owns a 256-byte type-0 PCI configuration space with a capability list
 * (COMMON_CFG, NOTIFY_CFG, ISR_CFG, DEVICE_CFG, PCI_CFG, one SHARED_MEMORY_CFG per shared
 * memory region, and MSI-X) and serves the memory BARs the capabilities point to. A VMM
 * forwards config-space accesses to vplat_pci_cfg_read()/vplat_pci_cfg_write() and BAR
 * accesses to vplat_pci_bar_read()/vplat_pci_bar_write(); where it maps the BARs in guest
 * physical space is up to it (BAR registers are sized and programmed as on real hardware).
 *
 * BAR layout: BAR1 (32-bit memory, 4 KiB) holds the MSI-X table at 0 and the PBA at 0x800;
 * BAR4/5 (64-bit memory) holds common config at 0x0000, ISR at 0x1000, device config at
 * 0x2000 and notifications from 0x3000 (notify_off_multiplier 4, queue i at 0x3000 + 4*i);
 * BAR2/3 (64-bit prefetchable memory) holds the shared memory regions, if any: each region
 * of the device must name BAR 2 (vplat_shm_region.bar) with vplat_shm_region.addr its offset
 * in that BAR; the VMM maps the memory there itself (vplat_pci_bar_read()/write() refuse BAR2).
 *
 * Limits: device config space of at most 4 KiB; at most 128 MSI-X vectors; the capability
 * list must fit in the 192 bytes after the header, which leaves room for 3 shared memory
 * regions when MSI-X and device config are present (5 without both).
 *
 * Interrupts: with MSI-X enabled, vectors are delivered through the msi callback with the
 * address/data the driver programmed; otherwise INTx through the intx callback and the ISR.
 *
 * Thread rules: serialise all calls for one transport.
 */
#ifndef VPLAT_PCI_H
#define VPLAT_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/device.h"
#include "vplat/spec/virtio_pci.h"

#ifdef __cplusplus
extern "C" {
#endif

/** INTx line callback (level true = asserted). Must not call back into the transport. */
typedef void (*vplat_pci_intx_fn)(void *opaque, bool level);
/** MSI-X message callback: write @p data to @p addr. Must not call back into the transport. */
typedef void (*vplat_pci_msi_fn)(void *opaque, uint64_t addr, uint32_t data);

/** Parameters for vplat_pci_init(). */
struct vplat_pci_params {
	uint16_t subsys_vendor;              /**< subsystem vendor ID (0 = 0x1af4) */
	uint16_t subsys_id;                  /**< subsystem ID (0 = 0x40 + device ID; values
	                                          1..0x3f are refused: a non-transitional device
	                                          SHOULD use 0x40 or higher) */
	struct vplat_pci_msix_entry *msix;   /**< MSI-X table storage, little-endian as the
	                                          driver wrote it (NULL: no MSI-X) */
	uint16_t nmsix;                      /**< entries in @ref msix, 1..128 (typically
	                                          queues + 1) */
	uint64_t *msix_pending;              /**< PBA storage, (nmsix + 63) / 64 words */
	vplat_pci_intx_fn intx;              /**< INTx callback (may be NULL) */
	vplat_pci_msi_fn msi;                /**< MSI-X callback (required if @ref msix) */
	void *opaque;                        /**< passed to the callbacks */
};

/** A virtio-pci transport instance. Caller-allocated; fields are private to the model. */
struct vplat_pci {
	struct vplat_device *dev;        /**< the device */
	struct vplat_pci_params p;       /**< copy of the init parameters */
	uint8_t cfg[256];                /**< PCI configuration space image */
	uint8_t cfg_wmask[256];          /**< writable bits of @ref cfg */
	uint64_t bar_size[6];            /**< size of each BAR (0 = unused) */
	uint32_t device_feature_select;  /**< common cfg device_feature_select */
	uint32_t driver_feature_select;  /**< common cfg driver_feature_select */
	uint16_t queue_select;           /**< common cfg queue_select */
	uint16_t config_msix_vector;     /**< common cfg config_msix_vector */
	uint8_t isr;                     /**< ISR status bits not yet read */
	bool intx_level;                 /**< level last passed to intx */
	uint8_t msix_cap;                /**< offset of the MSI-X capability (0 = none) */
	uint8_t pci_cfg_cap;             /**< offset of the VIRTIO_PCI_CAP_PCI_CFG capability */
	uint32_t notify_base;            /**< BAR4 offset of the notify area */
	uint32_t notify_len;             /**< bytes of the notify area */
};

/**
 * Bind a transport to @p dev, build its config space and attach it as the notifier.
 *
 * @param t    caller storage
 * @param dev  an initialised device (NOTIF_CONFIG_DATA and the other PCI-only bits stay
 *             offered only if the model supports them)
 * @param p    parameters (copied)
 * @return 0, or VPLAT_EINVAL for NULL arguments, a device ID above 0x3f, a config space
 *         above 4 KiB, shared memory regions that do not fit (see the limits above), MSI-X
 *         storage without pending words or msi callback, or an offer the core refuses to trim
 */
VPLAT_API int vplat_pci_init(struct vplat_pci *t, struct vplat_device *dev,
			     const struct vplat_pci_params *p);

/**
 * Config-space read.
 * @param t     the transport
 * @param off   offset 0..255
 * @param size  1, 2 or 4, naturally aligned
 * @param val   result (0 on error)
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_pci_cfg_read(struct vplat_pci *t, uint32_t off, unsigned size, uint32_t *val);

/** Config-space write; read-only bits are preserved. @return 0 or VPLAT_EINVAL */
VPLAT_API int vplat_pci_cfg_write(struct vplat_pci *t, uint32_t off, unsigned size, uint32_t val);

/**
 * BAR read.
 * @param t     the transport
 * @param bar   BAR index (1 or 4; BAR2 belongs to the VMM's shared memory mapping)
 * @param off   offset inside the BAR
 * @param size  1, 2, 4 or 8
 * @param val   result (0 on error)
 * @return 0, or VPLAT_EINVAL for an unused BAR, an offset past its end, or a width the
 *         structure there does not allow
 */
VPLAT_API int vplat_pci_bar_read(struct vplat_pci *t, unsigned bar, uint64_t off, unsigned size,
				 uint64_t *val);

/**
 * BAR write. Same arguments and errors as vplat_pci_bar_read(). A write to a notify address
 * kicks the queue: at most its dispatch budget of chains is served, and when work is left
 * the device's redispatch callback runs and the VMM must call vplat_device_dispatch() later
 * (see vplat_device_kick()).
 */
VPLAT_API int vplat_pci_bar_write(struct vplat_pci *t, unsigned bar, uint64_t off, unsigned size,
				  uint64_t val);

/** @return the size of BAR @p bar in bytes (0 if unused; 64-bit BARs report on the low index). */
VPLAT_API uint64_t vplat_pci_bar_size(const struct vplat_pci *t, unsigned bar);

/** @return the guest address programmed into BAR @p bar (0 if unprogrammed). */
VPLAT_API uint64_t vplat_pci_bar_addr(const struct vplat_pci *t, unsigned bar);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_PCI_H */
