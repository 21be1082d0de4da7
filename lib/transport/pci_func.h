/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to vplat-core; not installed. The parts of a conventional PCI function that do not
 * depend on what the function is: the 256-byte type-0 configuration space as an image plus a
 * mask of driver-writable bits (BAR sizing and read-only fields fall out of one write rule),
 * the capability list, memory BARs, the MSI-X capability with its table and pending bit array,
 * and the INTx line. Used by the virtio-pci transport (lib/transport/pci*.c) and by the plain
 * PCI functions in lib/devices (ivshmem); it knows nothing of virtio. Freestanding.
 *
 * A function's state lives in its own public, caller-allocated struct; struct vplat_pci_func
 * is a view of it that the owner builds for each call (pointers into that struct).
 */
#ifndef VPLAT_TRANSPORT_PCI_FUNC_H
#define VPLAT_TRANSPORT_PCI_FUNC_H

#include <stdbool.h>
#include <stdint.h>

#include "vplat/spec/virtio_pci.h" /* the [PCI] register definitions (VPLAT_PCI_*) */

struct vplat_pci_func {
	uint8_t *cfg;                      /* configuration space image, 256 bytes */
	uint8_t *wmask;                    /* driver-writable bits of cfg, 256 bytes */
	uint8_t msix_cap;                  /* offset of the MSI-X capability (0 = no MSI-X) */
	uint16_t nmsix;                    /* MSI-X table entries (0 = no MSI-X) */
	struct vplat_pci_msix_entry *msix; /* the table, little-endian as the driver wrote it */
	uint64_t *pba;                     /* pending bits, (nmsix + 63) / 64 words */
	bool *intx_level;                  /* level last passed to intx */
	void (*intx)(void *opaque, bool level);             /* may be NULL */
	void (*msi)(void *opaque, uint64_t addr, uint32_t data); /* may be NULL */
	void *opaque;                      /* argument of intx and msi */
};

/* Little-endian accessors for the config-space image. */

static inline uint32_t get_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static inline void put_le(uint8_t *p, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8u * i));
}

/* Set @p n bytes at @p off to @p v, of which the bits in @p wmask are driver-writable. */
static inline void vplat_pci_func_set(const struct vplat_pci_func *f, unsigned off, unsigned n,
				      uint32_t v, uint32_t wmask)
{
	put_le(&f->cfg[off], n, v); /* misra-deviation: 11.8 tool false positive: f->cfg is a uint8_t * member, no qualifier is removed */
	put_le(&f->wmask[off], n, wmask); /* misra-deviation: 11.8 tool false positive: f->wmask is a uint8_t * member, no qualifier is removed */
}

/* ---- configuration space ---------------------------------------------------------------- */

/* Is a config access of @p size bytes at @p off valid (1, 2 or 4, aligned, inside 256)? */
bool vplat_pci_func_cfg_ok(uint32_t off, unsigned size);

/* Store a driver write: only the writable bits change. */
void vplat_pci_func_cfg_store(const struct vplat_pci_func *f, uint32_t off, unsigned size,
			      uint32_t val);

/* Does a write of @p size bytes at @p off touch interrupt control (the command register's
 * INTx disable, MSI-X enable / function mask)? Then the owner re-evaluates INTx and calls
 * vplat_pci_func_msix_flush(). */
bool vplat_pci_func_cfg_irq_touched(const struct vplat_pci_func *f, uint32_t off, unsigned size);

/* Program BAR @p bar as a memory BAR of @p size bytes (a power of two) with @p flags in its
 * low bits; a 64-bit BAR (VPLAT_PCI_BAR_MEM_TYPE_64) takes @p bar + 1 too. */
void vplat_pci_func_bar(const struct vplat_pci_func *f, unsigned bar, uint64_t size,
			uint32_t flags);

/* Base address the driver programmed into BAR @p bar (64-bit BARs: with its upper half). */
uint64_t vplat_pci_func_bar_addr(const struct vplat_pci_func *f, unsigned bar);

/* The capability list, built in order from offset @p pos on. */
struct vplat_pci_cap_list {
	const struct vplat_pci_func *f;
	unsigned pos;  /* next free offset */
	unsigned last; /* offset of the last capability, 0 before the first */
};

/* Append a capability of @p len bytes with ID @p id (the first one also sets the status
 * register's capability-list bit); returns its offset. */
unsigned vplat_pci_cap_add(struct vplat_pci_cap_list *l, uint8_t id, unsigned len);

/* Append the MSI-X capability: @p nvec entries, table at @p table_off and PBA at @p pba_off
 * of BAR @p bar; enable and function mask writable. Returns its offset. */
unsigned vplat_pci_cap_add_msix(struct vplat_pci_cap_list *l, uint16_t nvec, unsigned bar,
				uint32_t table_off, uint32_t pba_off);

/* ---- interrupts ------------------------------------------------------------------------- */

/* MSI-X enabled in its capability? */
bool vplat_pci_func_msix_enabled(const struct vplat_pci_func *f);

/* Signal vector @p v: sent now, or left pending while the function or the vector is masked.
 * Vectors past the table deliver nothing. */
void vplat_pci_func_msix_signal(const struct vplat_pci_func *f, uint16_t v);

/* While MSI-X is enabled, deliver every pending vector that is no longer masked. */
void vplat_pci_func_msix_flush(const struct vplat_pci_func *f);

/* Access the MSI-X table / PBA region of a BAR at @p off (table at 0, PBA at @p pba_off):
 * aligned DWORD and QWORD accesses; a read if @p rd, else a write of @p wr. The PBA is
 * read-only; gaps read 0 and ignore writes. @return 0 or VPLAT_EINVAL */
int vplat_pci_func_msix_access(const struct vplat_pci_func *f, uint32_t pba_off, uint64_t off,
			       unsigned size, uint64_t *rd, uint64_t wr);

/* Drive INTx: asserted while @p raised, MSI-X is disabled and the command register does not
 * disable INTx; intx is called on a change of level only. */
void vplat_pci_func_intx(const struct vplat_pci_func *f, bool raised);

#endif /* VPLAT_TRANSPORT_PCI_FUNC_H */
