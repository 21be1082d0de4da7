/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/ivshmem.h
 * Inter-VM shared memory PCI function, compatible with QEMU's ivshmem (spec/17-shmem.md).
 *
 * PCI 1af4:1110 revision 1, class 0x0500. BAR0 holds four 32-bit registers: IntrMask (0, rw),
 * IntrStatus (4, rw, a read clears it), IVPosition (8, ro: this peer's ID) and Doorbell (12, wo:
 * `(peer << 16) | vector`). BAR1 is the MSI-X table and PBA (doorbell variant only). BAR2 is the
 * shared memory, 64-bit prefetchable. Existing guest drivers (uio_pci_generic, the ivshmem
 * user-space drivers, Zephyr's ivshmem driver) work unchanged.
 *
 * The model is the function's register file: configuration space, BAR0 and BAR1. The embedder
 * maps the shared memory at BAR2's address itself (vplat_ivshmem_bar_addr()) and carries
 * doorbells between peers (host ops); an incoming doorbell is vplat_ivshmem_interrupt().
 * Freestanding, not thread-safe: call every function from one thread or under one lock.
 */
#ifndef VPLAT_IVSHMEM_H
#define VPLAT_IVSHMEM_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Identification and BAR0 layout
 * @{ */
#define VPLAT_IVSHMEM_VENDOR      0x1af4u /**< PCI vendor ID (Red Hat / virtio) */
#define VPLAT_IVSHMEM_DEVICE      0x1110u /**< PCI device ID */
#define VPLAT_IVSHMEM_REVISION    1u      /**< PCI revision */
#define VPLAT_IVSHMEM_INTRMASK    0x0u    /**< BAR0: interrupt mask (rw) */
#define VPLAT_IVSHMEM_INTRSTATUS  0x4u    /**< BAR0: interrupt status (rw, read clears) */
#define VPLAT_IVSHMEM_IVPOSITION  0x8u    /**< BAR0: own peer ID (ro) */
#define VPLAT_IVSHMEM_DOORBELL    0xcu    /**< BAR0: ring a peer (wo) */
#define VPLAT_IVSHMEM_BAR0_SIZE   256u    /**< size of BAR0 */
#define VPLAT_IVSHMEM_BAR1_SIZE   4096u   /**< size of BAR1 (MSI-X table at 0, PBA at 2048) */
#define VPLAT_IVSHMEM_MAX_VECTORS 64u     /**< most MSI-X vectors the model supports */
/** @} */

/** The function's outputs. */
struct vplat_ivshmem_host_ops {
	/**
	 * Optional. The guest rang @p vector of peer @p peer (a valid Doorbell write). Deliver it;
	 * the model has already checked that interrupts are configured and @p vector is below the
	 * vector count. Whether @p peer exists is the embedder's to check (absent: drop it).
	 */
	void (*doorbell)(void *host, uint16_t peer, uint16_t vector);
	/** Optional. The INTx line (pin A) changed to @p level. */
	void (*intx)(void *host, bool level);
	/** Optional (required with vectors > 0). Send an MSI-X message. */
	void (*msi)(void *host, uint64_t addr, uint32_t data);
};

/** Embedder configuration. */
struct vplat_ivshmem_config {
	uint64_t shm_size; /**< shared memory size: a power of two, at least 4096 */
	uint16_t peer_id;  /**< IVPosition: this peer's ID (doorbell variant) */
	uint16_t vectors;  /**< MSI-X vectors (1..64): the doorbell variant; 0: ivshmem-plain
	                        (no BAR1, no interrupts, IVPosition reads 0) */
};

/** An ivshmem PCI function. Caller-allocated; fields are private. */
struct vplat_ivshmem {
	const struct vplat_ivshmem_host_ops *host;          /**< host ops */
	void *host_opaque;                                  /**< argument for the host ops */
	struct vplat_ivshmem_config cfg;                    /**< configuration */
	uint8_t pcicfg[256];                                /**< configuration space image */
	uint8_t wmask[256];                                 /**< writable bits of @ref pcicfg */
	uint32_t intr_mask;                                 /**< IntrMask */
	uint32_t intr_status;                               /**< IntrStatus */
	bool intx_level;                                    /**< level last passed to intx */
	uint32_t msix[VPLAT_IVSHMEM_MAX_VECTORS][4];        /**< MSI-X table (addr lo/hi, data,
	                                                         vector control), little-endian
	                                                         as the driver wrote it */
	uint64_t pba;                                       /**< MSI-X pending bits */
};

/**
 * Initialise (and reset) the function.
 * @return 0, or VPLAT_EINVAL for a size that is not a power of two of at least 4096 or more
 *         than VPLAT_IVSHMEM_MAX_VECTORS vectors
 */
VPLAT_API int vplat_ivshmem_init(struct vplat_ivshmem *s, const struct vplat_ivshmem_config *cfg,
				 const struct vplat_ivshmem_host_ops *host, void *host_opaque);

/** PCI reset: registers, command, BARs and MSI-X state to their defaults. */
VPLAT_API void vplat_ivshmem_reset(struct vplat_ivshmem *s);

/**
 * Configuration space read.
 * @param s     the function
 * @param off   offset (0..255)
 * @param size  1, 2 or 4, naturally aligned
 * @param val   result; 0 on error
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_ivshmem_cfg_read(struct vplat_ivshmem *s, uint32_t off, unsigned size,
				     uint32_t *val);

/** Configuration space write (BAR sizing, command, MSI-X control). Errors as the read. */
VPLAT_API int vplat_ivshmem_cfg_write(struct vplat_ivshmem *s, uint32_t off, unsigned size,
				      uint32_t val);

/**
 * Read from BAR0 (registers) or BAR1 (MSI-X). 32-bit aligned accesses only.
 * @return 0, or VPLAT_EINVAL for another BAR, width, alignment or an offset past the BAR
 */
VPLAT_API int vplat_ivshmem_bar_read(struct vplat_ivshmem *s, unsigned bar, uint64_t off,
				     unsigned size, uint32_t *val);

/** Write to BAR0 or BAR1. Errors as vplat_ivshmem_bar_read(). */
VPLAT_API int vplat_ivshmem_bar_write(struct vplat_ivshmem *s, unsigned bar, uint64_t off,
				      unsigned size, uint32_t val);

/** @return the guest-programmed address of BAR @p bar (0 if unset or unused). */
VPLAT_API uint64_t vplat_ivshmem_bar_addr(const struct vplat_ivshmem *s, unsigned bar);

/**
 * A peer rang this function's @p vector. With MSI-X enabled: the vector's message (or its
 * pending bit while masked). Otherwise: IntrStatus becomes 1 and INTx follows IntrStatus &
 * IntrMask. Ignored on ivshmem-plain and for vectors out of range.
 */
VPLAT_API void vplat_ivshmem_interrupt(struct vplat_ivshmem *s, uint16_t vector);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_IVSHMEM_H */
