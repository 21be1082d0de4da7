/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci model: interrupt routing (INTx through ISR, or MSI-X) and the MSI-X table and
 * pending bit array in BAR1 ([PCI] MSI-X; sec: Virtio Transport Options / Virtio Over PCI Bus /
 * PCI-specific Initialization And Device Operation / Used Buffer Notifications).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/error.h"
#include "transport/pci_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Interrupts                                                                                  */
/* ------------------------------------------------------------------------------------------ */

uint16_t vplat_pci_nmsix(const struct vplat_pci *t)
{
	return t->p.msix != NULL ? t->p.nmsix : 0;
}

static uint16_t msix_ctrl(const struct vplat_pci *t)
{
	return t->msix_cap ? cfg16(t, t->msix_cap + 2u) : 0;
}

bool vplat_pci_msix_enabled(const struct vplat_pci *t)
{
	return (msix_ctrl(t) & VPLAT_PCI_MSIX_CTRL_ENABLE) != 0;
}

static bool msix_masked(const struct vplat_pci *t, uint16_t v)
{
	return (msix_ctrl(t) & VPLAT_PCI_MSIX_CTRL_MASKALL) != 0 ||
	       (vplat_le32_to_cpu(t->p.msix[v].vector_ctrl) & VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void msix_set_pending(struct vplat_pci *t, uint16_t v, bool on)
{
	uint64_t bit = UINT64_C(1) << (v % 64u);

	if (on)
		t->p.msix_pending[v / 64u] |= bit;
	else
		t->p.msix_pending[v / 64u] &= ~bit;
}

static bool msix_pending(const struct vplat_pci *t, uint16_t v)
{
	return (t->p.msix_pending[v / 64u] >> (v % 64u)) & 1u;
}

static void msix_send(struct vplat_pci *t, uint16_t v)
{
	const struct vplat_pci_msix_entry *e = &t->p.msix[v];
	uint64_t addr = (uint64_t)vplat_le32_to_cpu(e->addr_hi) << 32 |
			vplat_le32_to_cpu(e->addr_lo);

	msix_set_pending(t, v, false);
	t->p.msi(t->p.opaque, addr, vplat_le32_to_cpu(e->data));
}

/* Signal MSI-X vector @p v: sent now, or left pending while the function or vector is
 * masked ([PCI] MSI-X). NO_VECTOR and vectors past the table deliver nothing
 * (devicenormative: Used Buffer Notifications / Notification of Device Configuration
 * Changes: "MUST NOT deliver an interrupt" for NO_VECTOR). */
void vplat_pci_msix_notify(struct vplat_pci *t, uint16_t v)
{
	if (v >= vplat_pci_nmsix(t))
		return;
	if (msix_masked(t, v))
		msix_set_pending(t, v, true);
	else
		msix_send(t, v);
}

/* Deliver every pending vector that is no longer masked. */
void vplat_pci_msix_flush(struct vplat_pci *t)
{
	if (!vplat_pci_msix_enabled(t))
		return;
	for (uint16_t v = 0; v < vplat_pci_nmsix(t); v++) {
		if (msix_pending(t, v) && !msix_masked(t, v))
			msix_send(t, v);
	}
}

/*
 * INTx follows ISR while MSI-X is disabled (devicenormative: ISR status capability: the PCI
 * Status Interrupt bit is "the logical OR of all bits in ISR status"; INTx asserts unless the
 * command register disables it).
 */
void vplat_pci_intx_update(struct vplat_pci *t)
{
	bool pending = !vplat_pci_msix_enabled(t) && t->isr != 0;
	bool level = pending && !(cfg16(t, VPLAT_PCI_CFG_COMMAND) & VPLAT_PCI_COMMAND_INTX_DISABLE);
	uint16_t status = cfg16(t, VPLAT_PCI_CFG_STATUS) & (uint16_t)~VPLAT_PCI_STATUS_INTERRUPT;

	if (pending)
		status |= VPLAT_PCI_STATUS_INTERRUPT;
	put_le(&t->cfg[VPLAT_PCI_CFG_STATUS], 2, status);
	if (level == t->intx_level)
		return;
	t->intx_level = level;
	if (t->p.intx)
		t->p.intx(t->p.opaque, level);
}

/* ------------------------------------------------------------------------------------------ */
/* BAR1: MSI-X table and PBA                                                                   */
/* ------------------------------------------------------------------------------------------ */

static uint32_t *msix_word(struct vplat_pci *t, uint64_t off)
{
	struct vplat_pci_msix_entry *e = &t->p.msix[off / 16u];

	switch (off % 16u) {
	case 0:
		return &e->addr_lo;
	case 4:
		return &e->addr_hi;
	case 8:
		return &e->data;
	default:
		return &e->vector_ctrl;
	}
}

static uint32_t msix_read32(struct vplat_pci *t, uint64_t off)
{
	uint64_t pba_len = ((t->p.nmsix + 63u) / 64u) * 8u;

	if (off < (uint64_t)t->p.nmsix * 16u)
		return vplat_le32_to_cpu(*msix_word(t, off));
	if (off >= PCI_MSIX_PBA_OFF && off - PCI_MSIX_PBA_OFF < pba_len) {
		uint64_t rel = off - PCI_MSIX_PBA_OFF;

		return (uint32_t)(t->p.msix_pending[rel / 8u] >> (8u * (rel % 8u)));
	}
	return 0;
}

static void msix_write32(struct vplat_pci *t, uint64_t off, uint32_t v)
{
	if (off >= (uint64_t)t->p.nmsix * 16u)
		return; /* PBA is read-only; gaps ignore writes */
	if (off % 16u == 12u) {
		/* Vector Control: only the mask bit is defined; unmasking delivers a pending
		 * message. */
		t->p.msix[off / 16u].vector_ctrl =
			vplat_cpu_to_le32(v & VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT);
		vplat_pci_msix_flush(t);
		return;
	}
	*msix_word(t, off) = vplat_cpu_to_le32(v);
}

/* [PCI] MSI-X: the table and PBA take aligned DWORD and QWORD accesses. */
int vplat_pci_msix_bar_access(struct vplat_pci *t, uint64_t off, unsigned size, uint64_t *rd,
			   uint64_t wr)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) != 0)
		return VPLAT_EINVAL;
	if (rd != NULL) {
		*rd = msix_read32(t, off);
		if (size == 8)
			*rd |= (uint64_t)msix_read32(t, off + 4) << 32;
		return 0;
	}
	msix_write32(t, off, (uint32_t)wr);
	if (size == 8)
		msix_write32(t, off + 4, (uint32_t)(wr >> 32));
	return 0;
}
