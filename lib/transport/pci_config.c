/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-pci model: the 256-byte type-0 configuration space. An image plus a mask of the bits
 * the driver may write: BAR sizing, the command register, the MSI-X control bits and the
 * VIRTIO_PCI_CAP_PCI_CFG fields are plain masked writes; side effects (interrupt routing, the
 * PCI_CFG window) run after the write.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vplat/error.h"
#include "transport/pci_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Configuration space                                                                         */
/* ------------------------------------------------------------------------------------------ */

static bool overlaps(uint32_t off, unsigned size, uint32_t start, uint32_t len)
{
	return off < start + len && start < off + size;
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (devicenormative: PCI configuration access capability):
 * a read of pci_cfg_data first reads cap.length bytes at cap.offset of cap.bar into it; a
 * write of pci_cfg_data then writes its first cap.length bytes there. Lengths other than 1,
 * 2 and 4 do nothing; a refused BAR access leaves zeroes (read) or nothing (write).
 */
static void pci_cfg_window(struct vplat_pci *t, bool write)
{
	unsigned at = t->pci_cfg_cap;
	uint8_t *data = &t->cfg[at + offsetof(struct vplat_virtio_pci_cfg_cap, pci_cfg_data)];
	unsigned bar = t->cfg[at + offsetof(struct vplat_virtio_pci_cap, bar)];
	uint32_t off = cfg32(t, at + offsetof(struct vplat_virtio_pci_cap, offset));
	uint32_t len = cfg32(t, at + offsetof(struct vplat_virtio_pci_cap, length));
	uint64_t v = 0;

	if (len != 1 && len != 2 && len != 4)
		return;
	if (write) {
		(void)vplat_pci_bar_write(t, bar, off, len, get_le(data, len));
		return;
	}
	(void)vplat_pci_bar_read(t, bar, off, len, &v);
	put_le(data, len, (uint32_t)v);
}

static uint32_t pci_cfg_data_off(const struct vplat_pci *t)
{
	return t->pci_cfg_cap + (uint32_t)offsetof(struct vplat_virtio_pci_cfg_cap, pci_cfg_data);
}

static bool cfg_access_ok(const struct vplat_pci *t, uint32_t off, unsigned size)
{
	return t != NULL && t->dev != NULL && vplat_pci_func_cfg_ok(off, size);
}

int vplat_pci_cfg_read(struct vplat_pci *t, uint32_t off, unsigned size, uint32_t *val)
{
	if (val == NULL)
		return VPLAT_EINVAL;
	*val = 0;
	if (!cfg_access_ok(t, off, size))
		return VPLAT_EINVAL;
	if (overlaps(off, size, pci_cfg_data_off(t), 4))
		pci_cfg_window(t, false);
	*val = get_le(&t->cfg[off], size);
	return 0;
}

int vplat_pci_cfg_write(struct vplat_pci *t, uint32_t off, unsigned size, uint32_t val)
{
	struct vplat_pci_func f;

	if (!cfg_access_ok(t, off, size))
		return VPLAT_EINVAL;
	f = pci_func(t);
	vplat_pci_func_cfg_store(&f, off, size, val);
	if (overlaps(off, size, pci_cfg_data_off(t), 4))
		pci_cfg_window(t, true);
	/* Command (INTx disable) and MSI-X control (enable, function mask) move interrupts:
	 * re-evaluate the INTx line and deliver messages that are no longer masked. */
	if (vplat_pci_func_cfg_irq_touched(&f, off, size)) {
		vplat_pci_intx_update(t);
		vplat_pci_msix_flush(t);
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Initialisation                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* Class code per device type ([PCI] class codes). */
static uint32_t pci_class(uint32_t device_id)
{
	switch (device_id) {
	case VPLAT_VIRTIO_ID_NET:
		return 0x020000; /* network controller, Ethernet */
	case VPLAT_VIRTIO_ID_BLOCK:
		return 0x010000; /* mass storage, SCSI (as other virtio-blk implementations) */
	case VPLAT_VIRTIO_ID_CONSOLE:
		return 0x078000; /* simple communication controller, other */
	default:
		return 0xff0000; /* device does not fit any defined class */
	}
}

/* Smallest power of two >= @p v (and >= @p min), or 0 on overflow. */
static uint64_t pow2_at_least(uint64_t v, uint64_t min)
{
	uint64_t p = min;

	while (p < v) {
		if (p > UINT64_MAX / 2)
			return 0;
		p <<= 1;
	}
	return p;
}

/* Program BAR @p bar as a memory BAR of @p size bytes with @p flags in its low bits. */
static void bar_setup(struct vplat_pci *t, unsigned bar, uint64_t size, uint32_t flags)
{
	struct vplat_pci_func f = pci_func(t);

	t->bar_size[bar] = size;
	vplat_pci_func_bar(&f, bar, size, flags);
}

/* Append a virtio structure capability (struct vplat_virtio_pci_cap, or cap64 if len 24). */
static unsigned cap_virtio(struct vplat_pci *t, struct vplat_pci_cap_list *l, uint8_t type,
			   uint8_t bar, uint8_t id, uint64_t off, uint64_t len, unsigned cap_len)
{
	unsigned at = vplat_pci_cap_add(l, VPLAT_PCI_CAP_ID_VNDR, cap_len);

	t->cfg[at + 2u] = (uint8_t)cap_len;
	t->cfg[at + 3u] = type;
	t->cfg[at + 4u] = bar;
	t->cfg[at + 5u] = id;
	put_le(&t->cfg[at + 8u], 4, (uint32_t)off);
	put_le(&t->cfg[at + 12u], 4, (uint32_t)len);
	if (cap_len >= CAP_SHM_LEN) {
		put_le(&t->cfg[at + 16u], 4, (uint32_t)(off >> 32));
		put_le(&t->cfg[at + 20u], 4, (uint32_t)(len >> 32));
	}
	return at;
}

static void build_caps(struct vplat_pci *t)
{
	const struct vplat_device *dev = t->dev;
	struct vplat_pci_func f = pci_func(t);
	struct vplat_pci_cap_list l = {&f, VPLAT_PCI_CFG_HEADER_SIZE, 0};
	unsigned at;

	/* Virtio structures, in the order the driver should prefer them. */
	(void)cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_COMMON_CFG, PCI_VIRTIO_BAR, 0, PCI_COMMON_OFF,
		   VPLAT_VIRTIO_PCI_COMMON_CFG_SIZE, CAP_VIRTIO_LEN);
	at = cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_NOTIFY_CFG, PCI_VIRTIO_BAR, 0, PCI_NOTIFY_OFF,
			t->notify_len, CAP_NOTIFY_LEN);
	put_le(&t->cfg[at + 16u], 4, PCI_NOTIFY_MULT);
	(void)cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_ISR_CFG, PCI_VIRTIO_BAR, 0, PCI_ISR_OFF, 1,
		   CAP_VIRTIO_LEN);
	if (dev->config_len > 0)
		(void)cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_DEVICE_CFG, PCI_VIRTIO_BAR, 0, PCI_DEVICE_OFF,
			   dev->config_len, CAP_VIRTIO_LEN);
	/* PCI_CFG: cap.bar, cap.offset, cap.length and pci_cfg_data are driver-writable. */
	at = cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 0, CAP_PCICFG_LEN);
	t->pci_cfg_cap = (uint8_t)at;
	t->cfg_wmask[at + 4u] = 0xff;
	(void)memset(&t->cfg_wmask[at + 8u], 0xff, 12);
	for (uint8_t i = 0; i < dev->nshm; i++)
		(void)cap_virtio(t, &l, VPLAT_VIRTIO_PCI_CAP_SHARED_MEMORY_CFG, PCI_SHM_BAR, dev->shm[i].id,
			   dev->shm[i].addr, dev->shm[i].len, CAP_SHM_LEN);
	if (t->p.msix != NULL) {
		at = vplat_pci_cap_add_msix(&l, t->p.nmsix, PCI_MSIX_BAR, PCI_MSIX_TABLE_OFF,
					    PCI_MSIX_PBA_OFF);
		t->msix_cap = (uint8_t)at;
	}
}

static void build_header(struct vplat_pci *t)
{
	const struct vplat_device *dev = t->dev;
	uint32_t id = dev->ops->device_id;

	/* devicenormative: PCI Device Discovery: vendor 0x1AF4, device 0x1040 + ID; revision
	 * >= 1 and subsystem ID >= 0x40 for a non-transitional device. */
	set_cfg(t, VPLAT_PCI_CFG_VENDOR_ID, 2, VPLAT_VIRTIO_PCI_VENDOR_ID, 0);
	set_cfg(t, VPLAT_PCI_CFG_DEVICE_ID, 2, VPLAT_VIRTIO_PCI_DEVICE_ID(id), 0);
	set_cfg(t, VPLAT_PCI_CFG_COMMAND, 2, 0, PCI_COMMAND_WMASK);
	set_cfg(t, VPLAT_PCI_CFG_STATUS, 2, 0, 0); /* capability list: set by the first one */
	set_cfg(t, VPLAT_PCI_CFG_REVISION_ID, 1, VPLAT_VIRTIO_PCI_MODERN_MIN_REVISION, 0);
	set_cfg(t, VPLAT_PCI_CFG_CLASS_PROG, 3, pci_class(id), 0);
	set_cfg(t, VPLAT_PCI_CFG_CACHE_LINE_SIZE, 1, 0, 0xff);
	set_cfg(t, VPLAT_PCI_CFG_HEADER_TYPE, 1, VPLAT_PCI_HEADER_TYPE_NORMAL, 0);
	set_cfg(t, VPLAT_PCI_CFG_SUBSYSTEM_VENDOR_ID, 2,
		t->p.subsys_vendor ? t->p.subsys_vendor : VPLAT_VIRTIO_PCI_VENDOR_ID, 0);
	set_cfg(t, VPLAT_PCI_CFG_SUBSYSTEM_ID, 2,
		t->p.subsys_id ? t->p.subsys_id : VPLAT_VIRTIO_PCI_MODERN_MIN_SUBSYS_ID + id, 0);
	set_cfg(t, VPLAT_PCI_CFG_INTERRUPT_LINE, 1, 0, 0xff);
	set_cfg(t, VPLAT_PCI_CFG_INTERRUPT_PIN, 1, t->p.intx != NULL ? 1u : 0u, 0);

	if (t->p.msix != NULL)
		bar_setup(t, PCI_MSIX_BAR, PCI_MSIX_BAR_SIZE, 0);
	if (dev->nshm > 0) {
		uint64_t end = 0;

		for (uint8_t i = 0; i < dev->nshm; i++) {
			uint64_t e = dev->shm[i].addr + dev->shm[i].len;
			end = e > end ? e : end;
		}
		bar_setup(t, PCI_SHM_BAR, pow2_at_least(end, 0x1000),
			  VPLAT_PCI_BAR_MEM_TYPE_64 | VPLAT_PCI_BAR_MEM_PREFETCH);
	}
	/* Not prefetchable: ISR reads have side effects. */
	bar_setup(t, PCI_VIRTIO_BAR, pow2_at_least(PCI_NOTIFY_OFF + (uint64_t)t->notify_len, 0x4000),
		  VPLAT_PCI_BAR_MEM_TYPE_64);
}

/* Can this device's shared memory regions be described? */

void vplat_pci_build_config(struct vplat_pci *t)
{
	build_header(t);
	build_caps(t);
}
