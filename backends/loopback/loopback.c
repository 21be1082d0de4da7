/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process backend: simulated guest RAM, a device bound to vplat's MMIO or PCI transport
 * model, and a struct vplat_val_io that calls the model directly.
 */
#include <stdlib.h>
#include <string.h>
#include "vplat/val/loopback.h"
#include "vplat/val/val.h"

#define LB_PAGE 4096u

static void lb_irq(void *opaque, bool level)
{
	struct vplat_loopback *lb = opaque;
	if (level && !lb->irq_level)
		lb->irq_count++;
	lb->irq_level = level;
}

static void lb_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct vplat_loopback *lb = opaque;
	lb->msi_count++;
	lb->msi_last_addr = addr;
	lb->msi_last_data = data;
}

static uint64_t lb_read(void *ctx, unsigned space, uint64_t off, unsigned size)
{
	struct vplat_loopback *lb = ctx;
	uint64_t v = 0;
	int r = VPLAT_EINVAL;
	if (!lb->dev)
		return 0;
	if (lb->kind == VPLAT_LOOPBACK_MMIO) {
		if (space == VPLAT_VAL_SPACE_MMIO)
			r = vplat_mmio_read(&lb->mmio, off, size, &v);
	} else if (space == VPLAT_VAL_SPACE_PCI_CFG) {
		uint32_t v32 = 0;
		if (off <= UINT32_MAX)
			r = vplat_pci_cfg_read(&lb->pci, (uint32_t)off, size, &v32);
		v = v32;
	} else if (space >= VPLAT_VAL_SPACE_BAR(0) && space <= VPLAT_VAL_SPACE_BAR(5)) {
		r = vplat_pci_bar_read(&lb->pci, space - VPLAT_VAL_SPACE_BAR(0), off, size, &v);
	}
	if (r)
		lb->access_errors++;
	return v;
}

static void lb_write(void *ctx, unsigned space, uint64_t off, unsigned size, uint64_t val)
{
	struct vplat_loopback *lb = ctx;
	int r = VPLAT_EINVAL;
	if (!lb->dev)
		return;
	if (lb->kind == VPLAT_LOOPBACK_MMIO) {
		if (space == VPLAT_VAL_SPACE_MMIO)
			r = vplat_mmio_write(&lb->mmio, off, size, val);
	} else if (space == VPLAT_VAL_SPACE_PCI_CFG) {
		if (off <= UINT32_MAX && val <= UINT32_MAX)
			r = vplat_pci_cfg_write(&lb->pci, (uint32_t)off, size, (uint32_t)val);
	} else if (space >= VPLAT_VAL_SPACE_BAR(0) && space <= VPLAT_VAL_SPACE_BAR(5)) {
		r = vplat_pci_bar_write(&lb->pci, space - VPLAT_VAL_SPACE_BAR(0), off, size, val);
	}
	if (r)
		lb->access_errors++;
}

static uint64_t lb_irq_count(void *ctx)
{
	const struct vplat_loopback *lb = ctx;
	return lb->irq_count + lb->msi_count;
}

/* The driver waits: serve what a dispatch budget left on the rings (VPLAT-FFI-013). */
static void lb_poll(void *ctx)
{
	struct vplat_loopback *lb = ctx;
	if (lb->dev && vplat_device_has_more(lb->dev))
		(void)vplat_device_dispatch(lb->dev);
}

static const struct vplat_val_io_ops lb_io_ops = {
    .read = lb_read,
    .write = lb_write,
    .irq_count = lb_irq_count,
    /* The device works synchronously inside the accesses, up to its dispatch budget; what a
     * budget left is served while the driver waits. */
    .poll = lb_poll,
};

int vplat_loopback_init(struct vplat_loopback *lb, enum vplat_loopback_transport kind,
			uint64_t mem_size)
{
	if (!lb || (kind != VPLAT_LOOPBACK_MMIO && kind != VPLAT_LOOPBACK_PCI))
		return VPLAT_EINVAL;
	if (mem_size == 0 || mem_size % LB_PAGE || mem_size > SIZE_MAX)
		return VPLAT_EINVAL;
	memset(lb, 0, sizeof(*lb));
	lb->kind = kind;
	lb->ram = aligned_alloc(LB_PAGE, (size_t)mem_size);
	if (!lb->ram)
		return VPLAT_ENOMEM;
	memset(lb->ram, 0, (size_t)mem_size);
	lb->ram_size = mem_size;
	int r = vplat_mem_init(&lb->mem, lb->regions, VPLAT_LOOPBACK_REGIONS);
	if (!r)
		r = vplat_mem_add(&lb->mem, VPLAT_LOOPBACK_GPA, mem_size, lb->ram);
	if (!r)
		r = vplat_val_mem_init(&lb->dma, lb->ram, VPLAT_LOOPBACK_GPA, mem_size);
	if (r) {
		vplat_loopback_fini(lb);
		return r;
	}
	lb->io.ops = &lb_io_ops;
	lb->io.ctx = lb;
	return 0;
}

struct vplat_mem *vplat_loopback_mem(struct vplat_loopback *lb)
{
	return &lb->mem;
}

struct vplat_val_mem *vplat_loopback_dma(struct vplat_loopback *lb)
{
	return &lb->dma;
}

int vplat_loopback_attach(struct vplat_loopback *lb, struct vplat_device *dev)
{
	if (!lb || !dev || dev->mem != &lb->mem)
		return VPLAT_EINVAL;
	if (lb->dev)
		return VPLAT_EBUSY;
	int r;
	if (lb->kind == VPLAT_LOOPBACK_MMIO) {
		r = vplat_mmio_init(&lb->mmio, dev, VPLAT_LOOPBACK_VENDOR, lb_irq, lb);
	} else {
		struct vplat_pci_params p = {
		    .msix = lb->msix,
		    .nmsix = VPLAT_LOOPBACK_MSIX,
		    .msix_pending = lb->msix_pending,
		    .intx = lb_irq,
		    .msi = lb_msi,
		    .opaque = lb,
		};
		r = vplat_pci_init(&lb->pci, dev, &p);
	}
	if (r == 0)
		lb->dev = dev;
	return r;
}

const struct vplat_val_io *vplat_loopback_io(struct vplat_loopback *lb)
{
	return &lb->io;
}

enum vplat_val_transport vplat_loopback_val_transport(const struct vplat_loopback *lb)
{
	return lb->kind == VPLAT_LOOPBACK_PCI ? VPLAT_VAL_PCI : VPLAT_VAL_MMIO;
}

int vplat_loopback_val_init(struct vplat_loopback *lb, struct vplat_val_dev *d)
{
	if (!lb || !d)
		return VPLAT_EINVAL;
	if (!lb->dev)
		return VPLAT_ENODEV;
	return vplat_val_init(d, &lb->io, &lb->dma, vplat_loopback_val_transport(lb));
}

void vplat_loopback_fini(struct vplat_loopback *lb)
{
	if (!lb)
		return;
	free(lb->ram);
	lb->ram = NULL;
	lb->ram_size = 0;
	lb->dev = NULL;
}
