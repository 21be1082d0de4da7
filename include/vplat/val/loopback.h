/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/loopback.h
 * In-process backend: a vplat device model, its transport model and simulated guest memory
 * in one process, reachable by the validation driver (vplat/val.h).
 *
 * The loopback owns a zeroed, page-aligned buffer that plays guest RAM at guest-physical
 * address VPLAT_LOOPBACK_GPA (registered in a struct vplat_mem for the device and in a
 * struct vplat_val_mem for the driver), binds a caller's struct vplat_device to a
 * virtio-mmio or virtio-pci transport model, and offers a struct vplat_val_io whose accesses
 * call that model directly. Interrupts raised by the transport are counted.
 *
 * Typical use:
 * @code
 * struct vplat_loopback lb;
 * vplat_loopback_init(&lb, VPLAT_LOOPBACK_PCI, 1 << 20);
 * vplat_device_init(&dev, &my_ops, me, vplat_loopback_mem(&lb), vqs, 1, 256, NULL, 0);
 * vplat_loopback_attach(&lb, &dev);
 * struct vplat_val_dev drv;
 * vplat_loopback_val_init(&lb, &drv);
 * ...
 * vplat_loopback_fini(&lb);
 * @endcode
 *
 * Hosted C (malloc). The device runs synchronously inside the driver's register accesses:
 * a queue notification returns after the model's queue handler did. Thread rules: one thread
 * at a time per loopback, its device and the driver bound to it.
 */
#ifndef VPLAT_LOOPBACK_H
#define VPLAT_LOOPBACK_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/device.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/pci.h"
#include "vplat/val/val.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Guest-physical address of the simulated RAM. */
#define VPLAT_LOOPBACK_GPA UINT64_C(0x40000000)
/** Value of the MMIO VendorID register the loopback presents ("VPLT"). */
#define VPLAT_LOOPBACK_VENDOR 0x544c5056u
/** MSI-X table entries the loopback gives a PCI transport. */
#define VPLAT_LOOPBACK_MSIX 16u
/** Guest memory regions the loopback map can hold (one is used; tests may add more). */
#define VPLAT_LOOPBACK_REGIONS 4u

/** Transport the loopback puts in front of the device. */
enum vplat_loopback_transport {
	VPLAT_LOOPBACK_MMIO = 0, /**< virtio-mmio version 2 (struct vplat_mmio) */
	VPLAT_LOOPBACK_PCI = 1,  /**< virtio-pci modern (struct vplat_pci) */
};

/** A loopback instance. Caller-allocated; fields are read-only to users. */
struct vplat_loopback {
	enum vplat_loopback_transport kind;                    /**< transport in use */
	struct vplat_device *dev;                              /**< bound device, or NULL */
	uint8_t *ram;                                          /**< simulated guest RAM (owned) */
	uint64_t ram_size;                                     /**< bytes of @ref ram */
	struct vplat_mem_region regions[VPLAT_LOOPBACK_REGIONS]; /**< storage of @ref mem */
	struct vplat_mem mem;                                  /**< device-side memory map */
	struct vplat_val_mem dma;                              /**< driver-side view of @ref ram */
	struct vplat_val_io io;                                /**< register access for the driver */
	struct vplat_mmio mmio;                                /**< MMIO transport (kind MMIO) */
	struct vplat_pci pci;                                  /**< PCI transport (kind PCI) */
	struct vplat_pci_msix_entry msix[VPLAT_LOOPBACK_MSIX]; /**< MSI-X table storage */
	uint64_t msix_pending[(VPLAT_LOOPBACK_MSIX + 63) / 64]; /**< MSI-X PBA storage */
	uint64_t irq_count;      /**< rising edges of the interrupt line (MMIO irq, PCI INTx) */
	bool irq_level;          /**< current level of the interrupt line */
	uint64_t msi_count;      /**< MSI-X messages sent */
	uint64_t msi_last_addr;  /**< address of the last MSI-X message */
	uint32_t msi_last_data;  /**< data of the last MSI-X message */
	uint64_t access_errors;  /**< register accesses the transport refused (VPLAT_EINVAL) */
	void *opaque;            /**< for the user */
};

/**
 * Create the simulated guest RAM and the memory maps. No device is bound yet.
 *
 * @param lb        caller storage
 * @param kind      transport to use
 * @param mem_size  bytes of guest RAM, a non-zero multiple of 4096
 * @return 0; VPLAT_EINVAL for a bad @p kind or size; VPLAT_ENOMEM if allocation failed
 */
VPLAT_API int vplat_loopback_init(struct vplat_loopback *lb, enum vplat_loopback_transport kind,
				  uint64_t mem_size);

/**
 * @param lb  an initialised loopback
 * @return the device-side guest memory map; pass it to the device's init function.
 *         Owned by @p lb.
 */
VPLAT_API struct vplat_mem *vplat_loopback_mem(struct vplat_loopback *lb);

/**
 * @param lb  an initialised loopback
 * @return the driver-side DMA memory (same RAM). Owned by @p lb.
 */
VPLAT_API struct vplat_val_mem *vplat_loopback_dma(struct vplat_loopback *lb);

/**
 * Bind @p dev to the loopback's transport (vplat_mmio_init() or vplat_pci_init()).
 *
 * @param lb   an initialised loopback with no device bound
 * @param dev  an initialised device whose memory map is vplat_loopback_mem(@p lb); borrowed,
 *             must outlive @p lb
 * @return 0; VPLAT_EINVAL if @p dev uses another memory map; VPLAT_EBUSY if a device is
 *         already bound; errors of the transport's init unchanged
 */
VPLAT_API int vplat_loopback_attach(struct vplat_loopback *lb, struct vplat_device *dev);

/**
 * @param lb  an initialised loopback
 * @return the register access binding for the driver. Owned by @p lb.
 */
VPLAT_API const struct vplat_val_io *vplat_loopback_io(struct vplat_loopback *lb);

/**
 * @param lb  an initialised loopback
 * @return the vplat_val_transport matching the loopback's transport
 */
VPLAT_API enum vplat_val_transport vplat_loopback_val_transport(const struct vplat_loopback *lb);

/**
 * Bind a validation driver to the loopback's device: vplat_val_init() with the loopback's
 * io, DMA memory and transport.
 * @param lb  a loopback with a device attached
 * @param d   caller storage for the driver
 * @return 0, VPLAT_ENODEV if no device is attached, or an error of vplat_val_init()
 */
VPLAT_API int vplat_loopback_val_init(struct vplat_loopback *lb, struct vplat_val_dev *d);

/**
 * Free the guest RAM. The device is not touched (the caller finalises it); drivers bound to
 * @p lb must not be used afterwards. Safe to call twice.
 * @param lb  the loopback (NULL is ignored)
 */
VPLAT_API void vplat_loopback_fini(struct vplat_loopback *lb);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_LOOPBACK_H */
