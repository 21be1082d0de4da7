/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci model: interrupt routing (INTx through ISR, or MSI-X) and the MSI-X table and
 * pending bit array in BAR1 ([PCI] MSI-X; sec: Virtio Transport Options / Virtio Over PCI Bus /
 * PCI-specific Initialization And Device Operation / Used Buffer Notifications). The MSI-X and
 * INTx mechanics are the generic PCI function's (pci_func.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "transport/pci_internal.h"

bool vplat_pci_msix_enabled(const struct vplat_pci *t)
{
	/* misra-deviation: 11.8 the view is only read on this path (see docs/misra.md) */
	struct vplat_pci_func f = pci_func((struct vplat_pci *)t);

	return vplat_pci_func_msix_enabled(&f);
}

/* Signal MSI-X vector @p v: sent now, or left pending while the function or vector is
 * masked ([PCI] MSI-X). NO_VECTOR and vectors past the table deliver nothing
 * (devicenormative: Used Buffer Notifications / Notification of Device Configuration
 * Changes: "MUST NOT deliver an interrupt" for NO_VECTOR). */
void vplat_pci_msix_notify(struct vplat_pci *t, uint16_t v)
{
	struct vplat_pci_func f = pci_func(t);

	vplat_pci_func_msix_signal(&f, v);
}

/* Deliver every pending vector that is no longer masked. */
void vplat_pci_msix_flush(struct vplat_pci *t)
{
	struct vplat_pci_func f = pci_func(t);

	vplat_pci_func_msix_flush(&f);
}

/*
 * INTx follows ISR while MSI-X is disabled (devicenormative: ISR status capability: the PCI
 * Status Interrupt bit is "the logical OR of all bits in ISR status"; INTx asserts unless the
 * command register disables it).
 */
void vplat_pci_intx_update(struct vplat_pci *t)
{
	struct vplat_pci_func f = pci_func(t);
	bool pending = !vplat_pci_func_msix_enabled(&f) && t->isr != 0;
	uint16_t status = cfg16(t, VPLAT_PCI_CFG_STATUS) & (uint16_t)~VPLAT_PCI_STATUS_INTERRUPT;

	if (pending)
		status |= VPLAT_PCI_STATUS_INTERRUPT;
	put_le(&t->cfg[VPLAT_PCI_CFG_STATUS], 2, status);
	vplat_pci_func_intx(&f, t->isr != 0);
}

/* BAR1: the MSI-X table at 0 and the PBA at PCI_MSIX_PBA_OFF. */
int vplat_pci_msix_bar_access(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t *rd,
			      uint64_t wr)
{
	struct vplat_pci_func f = pci_func(t);

	return vplat_pci_func_msix_access(&f, PCI_MSIX_PBA_OFF, off, size, rd, wr);
}
