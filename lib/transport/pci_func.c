/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generic parts of a conventional PCI function (see pci_func.h): configuration space
 * image and write mask, capability list, memory BARs, MSI-X table and PBA ([PCI] MSI-X) and
 * the INTx line. Shared by the virtio-pci transport and the ivshmem function. Freestanding.
 */
#include <stddef.h>
#include <stdint.h>

#include "vplat/error.h"
#include "transport/pci_func.h"

/* ------------------------------------------------------------------------------------------ */
/* Configuration space                                                                         */
/* ------------------------------------------------------------------------------------------ */

static bool overlaps(uint32_t off, unsigned size, uint32_t start, uint32_t len)
{
	return off < start + len && start < off + size;
}

bool vplat_pci_func_cfg_ok(uint32_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < VPLAT_PCI_CFG_SPACE_SIZE &&
	       (off & (size - 1u)) == 0;
}

void vplat_pci_func_cfg_store(const struct vplat_pci_func *f, uint32_t off, unsigned size,
			      uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = f->wmask[off + i];
		uint8_t b = (uint8_t)(val >> (8u * i));

		f->cfg[off + i] = (uint8_t)((f->cfg[off + i] & ~m) | (b & m));
	}
}

bool vplat_pci_func_cfg_irq_touched(const struct vplat_pci_func *f, uint32_t off, unsigned size)
{
	return overlaps(off, size, VPLAT_PCI_CFG_COMMAND, 2) ||
	       (f->msix_cap && overlaps(off, size, f->msix_cap + 2u, 2));
}

void vplat_pci_func_bar(const struct vplat_pci_func *f, unsigned bar, uint64_t size,
			uint32_t flags)
{
	uint64_t mask = ~(size - 1u);

	vplat_pci_func_set(f, VPLAT_PCI_CFG_BAR(bar), 4, flags, (uint32_t)mask & ~UINT32_C(0xf));
	if (flags & VPLAT_PCI_BAR_MEM_TYPE_64)
		vplat_pci_func_set(f, VPLAT_PCI_CFG_BAR(bar + 1u), 4, 0, (uint32_t)(mask >> 32));
}

uint64_t vplat_pci_func_bar_addr(const struct vplat_pci_func *f, unsigned bar)
{
	uint32_t lo = get_le(&f->cfg[VPLAT_PCI_CFG_BAR(bar)], 4);
	uint64_t addr = lo & ~UINT32_C(0xf);

	if ((lo & VPLAT_PCI_BAR_MEM_TYPE_MASK) == VPLAT_PCI_BAR_MEM_TYPE_64 && bar < 5)
		addr |= (uint64_t)get_le(&f->cfg[VPLAT_PCI_CFG_BAR(bar + 1u)], 4) << 32;
	return addr;
}

unsigned vplat_pci_cap_add(struct vplat_pci_cap_list *l, uint8_t id, unsigned len)
{
	uint8_t *cfg = l->f->cfg;
	unsigned at = l->pos;

	cfg[at] = id;
	if (l->last == 0) {
		cfg[VPLAT_PCI_CFG_CAPABILITY_LIST] = (uint8_t)at;
		put_le(&cfg[VPLAT_PCI_CFG_STATUS], 2,
		       get_le(&cfg[VPLAT_PCI_CFG_STATUS], 2) | VPLAT_PCI_STATUS_CAP_LIST);
	} else {
		cfg[l->last + 1u] = (uint8_t)at;
	}
	l->last = at;
	l->pos = at + ((len + 3u) & ~3u);
	return at;
}

unsigned vplat_pci_cap_add_msix(struct vplat_pci_cap_list *l, uint16_t nvec, unsigned bar,
				uint32_t table_off, uint32_t pba_off)
{
	unsigned at = vplat_pci_cap_add(l, VPLAT_PCI_CAP_ID_MSIX,
					(unsigned)sizeof(struct vplat_pci_msix_cap));

	/* Table Size is N-1; enable and function mask are the writable bits. */
	vplat_pci_func_set(l->f, at + 2u, 2, (uint32_t)(nvec - 1u),
			   VPLAT_PCI_MSIX_CTRL_ENABLE | VPLAT_PCI_MSIX_CTRL_MASKALL);
	vplat_pci_func_set(l->f, at + 4u, 4, table_off | bar, 0);
	vplat_pci_func_set(l->f, at + 8u, 4, pba_off | bar, 0);
	return at;
}

/* ------------------------------------------------------------------------------------------ */
/* MSI-X                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static uint16_t msix_ctrl(const struct vplat_pci_func *f)
{
	return f->msix_cap ? (uint16_t)get_le(&f->cfg[f->msix_cap + 2u], 2) : 0;
}

bool vplat_pci_func_msix_enabled(const struct vplat_pci_func *f)
{
	return (msix_ctrl(f) & VPLAT_PCI_MSIX_CTRL_ENABLE) != 0;
}

static bool msix_masked(const struct vplat_pci_func *f, uint16_t v)
{
	return (msix_ctrl(f) & VPLAT_PCI_MSIX_CTRL_MASKALL) != 0 ||
	       (vplat_le32_to_cpu(f->msix[v].vector_ctrl) & VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void msix_set_pending(const struct vplat_pci_func *f, uint16_t v, bool on)
{
	uint64_t bit = UINT64_C(1) << (v % 64u);

	if (on)
		f->pba[v / 64u] |= bit;
	else
		f->pba[v / 64u] &= ~bit;
}

static bool msix_pending(const struct vplat_pci_func *f, uint16_t v)
{
	return (f->pba[v / 64u] >> (v % 64u)) & 1u;
}

static void msix_send(const struct vplat_pci_func *f, uint16_t v)
{
	const struct vplat_pci_msix_entry *e = &f->msix[v];
	uint64_t addr = (uint64_t)vplat_le32_to_cpu(e->addr_hi) << 32 |
			vplat_le32_to_cpu(e->addr_lo);

	msix_set_pending(f, v, false);
	if (f->msi)
		f->msi(f->opaque, addr, vplat_le32_to_cpu(e->data));
}

void vplat_pci_func_msix_signal(const struct vplat_pci_func *f, uint16_t v)
{
	if (v >= f->nmsix)
		return;
	if (msix_masked(f, v))
		msix_set_pending(f, v, true);
	else
		msix_send(f, v);
}

void vplat_pci_func_msix_flush(const struct vplat_pci_func *f)
{
	if (!vplat_pci_func_msix_enabled(f))
		return;
	for (uint16_t v = 0; v < f->nmsix; v++) {
		if (msix_pending(f, v) && !msix_masked(f, v))
			msix_send(f, v);
	}
}

static uint32_t *msix_word(const struct vplat_pci_func *f, uint64_t off)
{
	struct vplat_pci_msix_entry *e = &f->msix[off / 16u];

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

static uint32_t msix_read32(const struct vplat_pci_func *f, uint32_t pba_off, uint64_t off)
{
	uint64_t pba_len = ((f->nmsix + 63u) / 64u) * 8u;

	if (off < (uint64_t)f->nmsix * 16u)
		return vplat_le32_to_cpu(*msix_word(f, off));
	if (off >= pba_off && off - pba_off < pba_len) {
		uint64_t rel = off - pba_off;

		return (uint32_t)(f->pba[rel / 8u] >> (8u * (rel % 8u)));
	}
	return 0;
}

static void msix_write32(const struct vplat_pci_func *f, uint64_t off, uint32_t v)
{
	if (off >= (uint64_t)f->nmsix * 16u)
		return; /* PBA is read-only; gaps ignore writes */
	if (off % 16u == 12u) {
		/* Vector Control: only the mask bit is defined; unmasking delivers a pending
		 * message. */
		f->msix[off / 16u].vector_ctrl =
			vplat_cpu_to_le32(v & VPLAT_PCI_MSIX_ENTRY_CTRL_MASKBIT);
		vplat_pci_func_msix_flush(f);
		return;
	}
	*msix_word(f, off) = vplat_cpu_to_le32(v);
}

/* [PCI] MSI-X: the table and PBA take aligned DWORD and QWORD accesses. */
int vplat_pci_func_msix_access(const struct vplat_pci_func *f, uint32_t pba_off, uint64_t off,
			       unsigned size, uint64_t *rd, uint64_t wr)
{
	if ((size != 4 && size != 8) || (off & (size - 1u)) != 0)
		return VPLAT_EINVAL;
	if (rd != NULL) {
		*rd = msix_read32(f, pba_off, off);
		if (size == 8)
			*rd |= (uint64_t)msix_read32(f, pba_off, off + 4) << 32;
		return 0;
	}
	msix_write32(f, off, (uint32_t)wr);
	if (size == 8)
		msix_write32(f, off + 4, (uint32_t)(wr >> 32));
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* INTx                                                                                        */
/* ------------------------------------------------------------------------------------------ */

void vplat_pci_func_intx(const struct vplat_pci_func *f, bool raised)
{
	bool level = raised && !vplat_pci_func_msix_enabled(f) &&
		     !(get_le(&f->cfg[VPLAT_PCI_CFG_COMMAND], 2) & VPLAT_PCI_COMMAND_INTX_DISABLE);

	if (level == *f->intx_level)
		return;
	*f->intx_level = level;
	if (f->intx)
		f->intx(f->opaque, level);
}
