/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inter-VM shared memory PCI function, QEMU ivshmem compatible (spec/17-shmem.md). Freestanding.
 *
 * Configuration space is an image plus a mask of writable bits, so that BAR sizing (write all
 * ones, read back the size mask) and the read-only fields fall out of one write rule.
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/ivshmem.h"

#define CMD 0x04
#define CMD_INTX_DISABLE 0x0400u
#define MSIX_CAP 0x40
#define MSIX_ENABLE 0x80u /* in the high byte of Message Control */
#define MSIX_FMASK 0x40u
#define PBA_OFF 0x800u

static void put(uint8_t *p, uint32_t off, uint32_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get(const uint8_t *p, uint32_t off, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = n; i > 0; i--)
		v = v << 8 | p[off + i - 1];
	return v;
}

static bool msix_on(const struct vplat_ivshmem *s)
{
	return s->cfg.vectors && (s->pcicfg[MSIX_CAP + 3] & MSIX_ENABLE);
}

static bool vec_masked(const struct vplat_ivshmem *s, unsigned v)
{
	return (s->pcicfg[MSIX_CAP + 3] & MSIX_FMASK) || (s->msix[v][3] & 1);
}

static void update_intx(struct vplat_ivshmem *s)
{
	bool level = !msix_on(s) && (s->intr_status & s->intr_mask) &&
		     !(get(s->pcicfg, CMD, 2) & CMD_INTX_DISABLE);
	if (level != s->intx_level) {
		s->intx_level = level;
		if (s->host->intx)
			s->host->intx(s->host_opaque, level);
	}
}

static void send(struct vplat_ivshmem *s, unsigned v)
{
	if (vec_masked(s, v)) {
		s->pba |= UINT64_C(1) << v;
		return;
	}
	s->pba &= ~(UINT64_C(1) << v);
	if (s->host->msi)
		s->host->msi(s->host_opaque, (uint64_t)s->msix[v][1] << 32 | s->msix[v][0],
			     s->msix[v][2]);
}

/* Send the pending vectors that are no longer masked. */
static void flush_pending(struct vplat_ivshmem *s)
{
	if (!msix_on(s))
		return;
	for (unsigned v = 0; v < s->cfg.vectors; v++)
		if ((s->pba >> v & 1) && !vec_masked(s, v))
			send(s, v);
}

void vplat_ivshmem_reset(struct vplat_ivshmem *s)
{
	uint8_t *c = s->pcicfg, *w = s->wmask;
	uint64_t sz = s->cfg.shm_size;

	memset(c, 0, sizeof(s->pcicfg));
	memset(w, 0, sizeof(s->wmask));
	put(c, 0x00, VPLAT_IVSHMEM_VENDOR, 2);
	put(c, 0x02, VPLAT_IVSHMEM_DEVICE, 2);
	put(w, CMD, 0x0407, 2); /* I/O, memory, bus master, INTx disable */
	c[0x08] = VPLAT_IVSHMEM_REVISION;
	c[0x0b] = 0x05; /* class: memory controller, subclass 0 (RAM) */
	put(w, 0x10, ~(VPLAT_IVSHMEM_BAR0_SIZE - 1), 4);
	put(c, 0x18, 0x0c, 4); /* BAR2: 64-bit, prefetchable memory */
	put(w, 0x18, (uint32_t)~(sz - 1) & 0xfffffff0u, 4);
	put(w, 0x1c, (uint32_t)(~(sz - 1) >> 32), 4);
	put(c, 0x2c, VPLAT_IVSHMEM_VENDOR, 2);
	put(c, 0x2e, 0x1100, 2); /* QEMU's default subsystem ID */
	w[0x3c] = 0xff;          /* interrupt line */
	c[0x3d] = 1;             /* pin A */
	if (s->cfg.vectors) {
		put(w, 0x14, ~(VPLAT_IVSHMEM_BAR1_SIZE - 1), 4);
		c[0x06] = 0x10; /* status: capabilities list */
		c[0x34] = MSIX_CAP;
		c[MSIX_CAP] = 0x11;
		put(c, MSIX_CAP + 2, s->cfg.vectors - 1u, 2);
		w[MSIX_CAP + 3] = MSIX_ENABLE | MSIX_FMASK;
		put(c, MSIX_CAP + 4, 1, 4);           /* table: BAR1 offset 0 */
		put(c, MSIX_CAP + 8, PBA_OFF | 1, 4); /* PBA: BAR1 offset 0x800 */
	}
	s->intr_mask = 0;
	s->intr_status = 0;
	memset(s->msix, 0, sizeof(s->msix));
	for (unsigned v = 0; v < VPLAT_IVSHMEM_MAX_VECTORS; v++)
		s->msix[v][3] = 1; /* entries start masked */
	s->pba = 0;
	update_intx(s);
}

int vplat_ivshmem_init(struct vplat_ivshmem *s, const struct vplat_ivshmem_config *cfg,
		       const struct vplat_ivshmem_host_ops *host, void *host_opaque)
{
	if (!s || !cfg || !host || cfg->shm_size < 4096 || (cfg->shm_size & (cfg->shm_size - 1)) ||
	    cfg->vectors > VPLAT_IVSHMEM_MAX_VECTORS)
		return VPLAT_EINVAL;
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->host = host;
	s->host_opaque = host_opaque;
	vplat_ivshmem_reset(s);
	return 0;
}

static bool cfg_ok(uint32_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < 256 && !(off & (size - 1));
}

int vplat_ivshmem_cfg_read(struct vplat_ivshmem *s, uint32_t off, unsigned size, uint32_t *val)
{
	*val = 0;
	if (!cfg_ok(off, size))
		return VPLAT_EINVAL;
	*val = get(s->pcicfg, off, size);
	return 0;
}

int vplat_ivshmem_cfg_write(struct vplat_ivshmem *s, uint32_t off, unsigned size, uint32_t val)
{
	if (!cfg_ok(off, size))
		return VPLAT_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), m = s->wmask[off + i];
		s->pcicfg[off + i] = (uint8_t)((s->pcicfg[off + i] & ~m) | (b & m));
	}
	update_intx(s);
	flush_pending(s);
	return 0;
}

uint64_t vplat_ivshmem_bar_addr(const struct vplat_ivshmem *s, unsigned bar)
{
	switch (bar) {
	case 0: return get(s->pcicfg, 0x10, 4) & ~0xfu;
	case 1: return s->cfg.vectors ? get(s->pcicfg, 0x14, 4) & ~0xfu : 0;
	case 2: return ((uint64_t)get(s->pcicfg, 0x1c, 4) << 32) | (get(s->pcicfg, 0x18, 4) & ~0xfu);
	default: return 0;
	}
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
	if (bar == 1) {
		if (off < PBA_OFF) {
			if (off / 16 < s->cfg.vectors)
				*val = s->msix[off / 16][(off % 16) / 4];
		} else if (off < PBA_OFF + 8) {
			*val = (uint32_t)(s->pba >> (off == PBA_OFF ? 0 : 32));
		}
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
	if (bar == 1) {
		if (off < PBA_OFF && off / 16 < s->cfg.vectors) {
			unsigned v = (unsigned)(off / 16), k = (unsigned)(off % 16) / 4;
			s->msix[v][k] = k == 3 ? (val & 1) : val;
			flush_pending(s);
		}
		return 0; /* the PBA is read-only */
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
	if (msix_on(s)) {
		send(s, vector);
		return;
	}
	s->intr_status = 1;
	update_intx(s);
}
