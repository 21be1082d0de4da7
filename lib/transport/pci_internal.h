/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the virtio-pci model (pci.c, pci_irq.c, pci_config.c); not installed.
 * BAR layout and helpers shared by the three files; the generic PCI function parts (config
 * image, capabilities, BARs, MSI-X, INTx) are in pci_func.h. See vplat/pci.h for the public contract.
 */
#ifndef VPLAT_TRANSPORT_PCI_INTERNAL_H
#define VPLAT_TRANSPORT_PCI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vplat/pci.h"
#include "vplat/spec/virtio_pci.h"
#include "transport/pci_func.h"

/* BAR layout (see vplat/pci.h). BAR4: common cfg, ISR, device cfg, notifications. */
#define PCI_MSIX_BAR        1u
#define PCI_SHM_BAR         2u
#define PCI_VIRTIO_BAR      4u
#define PCI_MSIX_BAR_SIZE   0x1000u
#define PCI_MSIX_TABLE_OFF  0x000u
#define PCI_MSIX_PBA_OFF    0x800u
#define PCI_MSIX_MAX        (PCI_MSIX_PBA_OFF / 16u) /* table entries that fit before the PBA */
#define PCI_COMMON_OFF      0x0000u
#define PCI_ISR_OFF         0x1000u
#define PCI_DEVICE_OFF      0x2000u
#define PCI_DEVICE_MAX      0x1000u /* device config slot */
#define PCI_NOTIFY_OFF      0x3000u
/* devicenormative: Notification capability: with VIRTIO_F_NOTIFICATION_DATA the multiplier is
 * a power of 2 that is a multiple of 4; without it an even power of 2. 4 = 2^2 is both. */
#define PCI_NOTIFY_MULT     4u

/* Capability sizes. */
#define CAP_VIRTIO_LEN  16u /* struct vplat_virtio_pci_cap */
#define CAP_NOTIFY_LEN  20u /* struct vplat_virtio_pci_notify_cap */
#define CAP_PCICFG_LEN  20u /* struct vplat_virtio_pci_cfg_cap */
#define CAP_SHM_LEN     24u /* struct vplat_virtio_pci_cap64 */
#define CAP_MSIX_LEN    12u /* struct vplat_pci_msix_cap */

/* Writable command bits: memory space, bus master, parity error response, SERR#, INTx
 * disable. There is no I/O BAR, so I/O space stays hardwired to 0. */
#define PCI_COMMAND_WMASK                                                                          \
	(VPLAT_PCI_COMMAND_MEMORY | VPLAT_PCI_COMMAND_MASTER | 0x0040u | 0x0100u |                 \
	 VPLAT_PCI_COMMAND_INTX_DISABLE)

static inline uint16_t cfg16(const struct vplat_pci *t, unsigned off)
{
	return (uint16_t)get_le(&t->cfg[off], 2);
}

static inline uint32_t cfg32(const struct vplat_pci *t, unsigned off)
{
	return get_le(&t->cfg[off], 4);
}

/* nmsix, or 0 without MSI-X storage. */
static inline uint16_t vplat_pci_nmsix(const struct vplat_pci *t)
{
	return t->p.msix != NULL ? t->p.nmsix : 0;
}

/* The generic PCI function view of the transport (pci_func.h). */
static inline struct vplat_pci_func pci_func(struct vplat_pci *t)
{
	struct vplat_pci_func f = {
		.cfg = t->cfg,
		.wmask = t->cfg_wmask,
		.msix_cap = t->msix_cap,
		.nmsix = vplat_pci_nmsix(t),
		.msix = t->p.msix,
		.pba = t->p.msix_pending,
		.intx_level = &t->intx_level,
		.intx = t->p.intx,
		.msi = t->p.msi,
		.opaque = t->p.opaque,
	};
	return f;
}

static inline void set_cfg(struct vplat_pci *t, unsigned off, unsigned n, uint32_t v,
			   uint32_t wmask)
{
	struct vplat_pci_func f = pci_func(t);

	vplat_pci_func_set(&f, off, n, v, wmask);
}

static inline bool valid_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* pci_irq.c: interrupt routing and the MSI-X table/PBA (BAR1), on pci_func.c. */
bool vplat_pci_msix_enabled(const struct vplat_pci *t);
void vplat_pci_msix_notify(struct vplat_pci *t, uint16_t v);
void vplat_pci_msix_flush(struct vplat_pci *t);
void vplat_pci_intx_update(struct vplat_pci *t);
int vplat_pci_msix_bar_access(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t *rd,
			      uint64_t wr);

/* pci_config.c: build the type-0 header, BARs and capability list of a fresh transport. */
void vplat_pci_build_config(struct vplat_pci *t);

#endif /* VPLAT_TRANSPORT_PCI_INTERNAL_H */
