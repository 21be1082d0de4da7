/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inter-VM shared memory PCI function, QEMU ivshmem compatible (spec/17-shmem.md). Freestanding.
 *
 * A plain (non-virtio) PCI function: its configuration space, BARs, MSI-X table/PBA and INTx
 * are the generic PCI function's (lib/transport/pci_func.c, shared with the virtio-pci
 * transport); this file adds the ivshmem header values and the BAR0 registers.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/ivshmem.h"
#include "transport/pci_func.h"

#define MSIX_CAP 0x40u
#define MSIX_BAR 1u
#define PBA_OFF 0x800u

/* The generic PCI function view of @p s (lib/transport/pci_func.h). The MSI-X table words are
 * kept little-endian, as the driver wrote them. */
static struct vplat_pci_func fn(struct vplat_ivshmem *s)
{
	struct vplat_pci_func f = {
		.cfg = s->pcicfg,
		.wmask = s->wmask,
		.msix_cap = s->cfg.vectors ? MSIX_CAP : 0,
		.nmsix = (uint16_t)s->cfg.vectors,
		.msix = (struct vplat_pci_msix_entry *)s->msix,
		.pba = &s->pba,
		.intx_level = &s->intx_level,
		.intx = s->host->intx,
		.msi = s->host->msi,
		.opaque = s->host_opaque,
	};
	return f;
}

static void update_intx(struct vplat_ivshmem *s)
{
	struct vplat_pci_func f = fn(s);

	vplat_pci_func_intx(&f, (s->intr_status & s->intr_mask) != 0);
}

void vplat_ivshmem_reset(struct vplat_ivshmem *s)
{
	struct vplat_pci_func f;
	uint64_t sz = s->cfg.shm_size;

	(void)memset(s->pcicfg, 0, sizeof(s->pcicfg));
	(void)memset(s->wmask, 0, sizeof(s->wmask));
	f = fn(s);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_VENDOR_ID, 2, VPLAT_IVSHMEM_VENDOR, 0);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_DEVICE_ID, 2, VPLAT_IVSHMEM_DEVICE, 0);
	/* I/O, memory, bus master, INTx disable */
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_COMMAND, 2, 0, 0x0407);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_REVISION_ID, 1, VPLAT_IVSHMEM_REVISION, 0);
	/* class: memory controller, subclass 0 (RAM) */
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_CLASS_PROG, 3, 0x050000, 0);
	vplat_pci_func_bar(&f, 0, VPLAT_IVSHMEM_BAR0_SIZE, 0);
	vplat_pci_func_bar(&f, 2, sz, VPLAT_PCI_BAR_MEM_TYPE_64 | VPLAT_PCI_BAR_MEM_PREFETCH);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 2, VPLAT_IVSHMEM_VENDOR, 0);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_SUBSYSTEM_ID, 2, 0x1100, 0); /* QEMU's default */
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_INTERRUPT_LINE, 1, 0, 0xff);
	vplat_pci_func_set(&f, VPLAT_PCI_CFG_INTERRUPT_PIN, 1, 1, 0); /* pin A */
	if (s->cfg.vectors) {
		struct vplat_pci_cap_list l = {&f, MSIX_CAP, 0};

		vplat_pci_func_bar(&f, MSIX_BAR, VPLAT_IVSHMEM_BAR1_SIZE, 0);
		/* table at BAR1 offset 0, PBA at 0x800 */
		(void)vplat_pci_cap_add_msix(&l, (uint16_t)s->cfg.vectors, MSIX_BAR, 0, PBA_OFF);
	}
	s->intr_mask = 0;
	s->intr_status = 0;
	(void)memset(s->msix, 0, sizeof(s->msix));
	for (unsigned v = 0; v < VPLAT_IVSHMEM_MAX_VECTORS; v++)
		s->msix[v][3] = vplat_cpu_to_le32(VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT); /* masked */
	s->pba = 0;
	update_intx(s);
}

int vplat_ivshmem_init(struct vplat_ivshmem *s, const struct vplat_ivshmem_config *cfg,
		       const struct vplat_ivshmem_host_ops *host, void *host_opaque)
{
	if (!s || !cfg || !host || cfg->shm_size < 4096 || (cfg->shm_size & (cfg->shm_size - 1)) ||
	    cfg->vectors > VPLAT_IVSHMEM_MAX_VECTORS)
		return VPLAT_EINVAL;
	(void)memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->host = host;
	s->host_opaque = host_opaque;
	vplat_ivshmem_reset(s);
	return 0;
}

int vplat_ivshmem_cfg_read(struct vplat_ivshmem *s, uint32_t off, unsigned size, uint32_t *val)
{
	*val = 0;
	if (!vplat_pci_func_cfg_ok(off, size))
		return VPLAT_EINVAL;
	*val = get_le(&s->pcicfg[off], size);
	return 0;
}

int vplat_ivshmem_cfg_write(struct vplat_ivshmem *s, uint32_t off, unsigned size, uint32_t val)
{
	struct vplat_pci_func f = fn(s);

	if (!vplat_pci_func_cfg_ok(off, size))
		return VPLAT_EINVAL;
	vplat_pci_func_cfg_store(&f, off, size, val);
	if (vplat_pci_func_cfg_irq_touched(&f, off, size)) {
		update_intx(s);
		vplat_pci_func_msix_flush(&f);
	}
	return 0;
}

uint64_t vplat_ivshmem_bar_addr(const struct vplat_ivshmem *s, unsigned bar)
{
	/* misra-deviation: 11.8 the view is only read on this path (see docs/misra.md) */
	struct vplat_pci_func f = fn((struct vplat_ivshmem *)s);

	if (bar > 2 || (bar == 1 && !s->cfg.vectors))
		return 0;
	return vplat_pci_func_bar_addr(&f, bar);
}

static bool bar_ok(const struct vplat_ivshmem *s, unsigned bar, uint64_t off, unsigned size)
{
	if (size != 4 || (off & 3))
		return false;
	if (bar == 0)
		return off < VPLAT_IVSHMEM_BAR0_SIZE;
	return bar == 1 && s->cfg.vectors && off < VPLAT_IVSHMEM_BAR1_SIZE;
}

int vplat_ivshmem_bar_read(struct vplat_ivshmem *s, unsigned bar, uint64_t off, unsigned size,
			   uint32_t *val)
{
	*val = 0;
	if (!bar_ok(s, bar, off, size))
		return VPLAT_EINVAL;
	if (bar == MSIX_BAR) {
		struct vplat_pci_func f = fn(s);
		uint64_t v = 0;

		(void)vplat_pci_func_msix_access(&f, PBA_OFF, off, size, &v, 0);
		*val = (uint32_t)v;
		return 0;
	}
	switch (off) {
	case VPLAT_IVSHMEM_INTRMASK: *val = s->intr_mask; break;
	case VPLAT_IVSHMEM_INTRSTATUS:
		*val = s->intr_status;
		s->intr_status = 0; /* a read clears it */
		update_intx(s);
		break;
	case VPLAT_IVSHMEM_IVPOSITION: *val = s->cfg.vectors ? s->cfg.peer_id : 0; break;
	default: break; /* Doorbell and reserved offsets read 0 */
	}
	return 0;
}

int vplat_ivshmem_bar_write(struct vplat_ivshmem *s, unsigned bar, uint64_t off, unsigned size,
			    uint32_t val)
{
	if (!bar_ok(s, bar, off, size))
		return VPLAT_EINVAL;
	if (bar == MSIX_BAR) {
		struct vplat_pci_func f = fn(s);

		return vplat_pci_func_msix_access(&f, PBA_OFF, off, size, NULL, val);
	}
	switch (off) {
	case VPLAT_IVSHMEM_INTRMASK:
		s->intr_mask = val;
		update_intx(s);
		break;
	case VPLAT_IVSHMEM_INTRSTATUS:
		s->intr_status = val;
		update_intx(s);
		break;
	case VPLAT_IVSHMEM_DOORBELL: {
		uint16_t peer = (uint16_t)(val >> 16), vector = (uint16_t)val;
		if (s->cfg.vectors && vector < s->cfg.vectors && s->host->doorbell)
			s->host->doorbell(s->host_opaque, peer, vector);
		break;
	}
	default: break; /* IVPosition is read-only; reserved offsets ignore writes */
	}
	return 0;
}

void vplat_ivshmem_interrupt(struct vplat_ivshmem *s, uint16_t vector)
{
	if (!s->cfg.vectors || vector >= s->cfg.vectors)
		return;
	struct vplat_pci_func f = fn(s);

	if (vplat_pci_func_msix_enabled(&f)) {
		vplat_pci_func_msix_signal(&f, vector);
		return;
	}
	s->intr_status = 1;
	update_intx(s);
}
