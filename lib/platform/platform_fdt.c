/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Platform description: the guest device tree. One virtio_mmio@<base> node per virtio-mmio
 * device of a VM, as Linux's virtio-mmio binding (bindings/virtio/mmio.yaml) wants them.
 */
#include <stdio.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/platform/platform.h"
#include "platform_internal.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>

/* GIC binding: first cell 0 = SPI, third cell 1 = IRQ_TYPE_EDGE_RISING. */
#define GIC_SPI          0u
#define IRQ_EDGE_RISING  1u

static int put_cells(fdt32_t *c, int n, uint64_t v)
{
	if (n == 1) {
		if (v > UINT32_MAX)
			return -1;
		c[0] = cpu_to_fdt32((uint32_t)v);
	} else {
		c[0] = cpu_to_fdt32((uint32_t)(v >> 32));
		c[1] = cpu_to_fdt32((uint32_t)v);
	}
	return 0;
}

static int fdt_err(int frc, char *err, size_t errlen, const char *what)
{
	int rc = frc == -FDT_ERR_NOSPACE ? VPLAT_ENOSPC
		 : frc == -FDT_ERR_EXISTS ? VPLAT_EEXIST
					  : VPLAT_EPROTO;
	return vplat_pf_error(err, errlen, rc, "guest device tree: %s: %s", what, fdt_strerror(frc));
}

static int add_node(const struct vplat_platform *p, const struct pf_vm *vm,
		    const struct pf_dev *d, void *fdt, int ac, int sc, char *err, size_t errlen)
{
	char name[48];
	fdt32_t reg[4], irq[3];
	snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)d->info.base);
	int node = fdt_add_subnode(fdt, 0, name);
	if (node < 0)
		return fdt_err(node, err, errlen, name);
	if (put_cells(reg, ac, d->info.base) || put_cells(reg + ac, sc, d->info.size))
		return vplat_pf_error(err, errlen, VPLAT_ERANGE,
				"%s: property \"reg\": does not fit the guest root's "
				"#address-cells/#size-cells of 1",
				d->info.path);
	int ni = 1;
	if (vm->irq_style == VPLAT_PLATFORM_IRQ_GIC) {
		irq[0] = cpu_to_fdt32(GIC_SPI);
		irq[1] = cpu_to_fdt32(d->info.irq);
		irq[2] = cpu_to_fdt32(IRQ_EDGE_RISING);
		ni = 3;
	} else {
		irq[0] = cpu_to_fdt32(d->info.irq);
	}
	/* libfdt puts each new property first: set them last to first. */
	int frc = 0;
	if (d->info.dma_coherent)
		frc = fdt_setprop_empty(fdt, node, "dma-coherent");
	if (!frc)
		frc = fdt_setprop(fdt, node, "interrupts", irq, (int)sizeof(fdt32_t) * ni);
	if (!frc && vm->has_irq_parent)
		frc = fdt_setprop_u32(fdt, node, "interrupt-parent", vm->irq_parent);
	if (!frc)
		frc = fdt_setprop(fdt, node, "reg", reg, (int)sizeof(fdt32_t) * (ac + sc));
	if (!frc)
		frc = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
	(void)p;
	return frc ? fdt_err(frc, err, errlen, name) : 0;
}

int vplat_platform_guest_fdt(const struct vplat_platform *p, unsigned vm, const void *base,
			     void *out, size_t out_size, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!p || !out)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "no platform or buffer");
	if (vm >= p->nvms)
		return vplat_pf_error(err, errlen, VPLAT_ENOENT, "no VM %u (the description has %u)", vm,
				p->nvms);
	if (out_size > INT32_MAX)
		out_size = INT32_MAX;
	int frc;
	if (base) {
		if ((frc = fdt_check_header(base)) ||
		    (frc = fdt_check_full(base, fdt_totalsize(base))))
			return vplat_pf_error(err, errlen, VPLAT_EPROTO,
					"base guest device tree: %s", fdt_strerror(frc));
		frc = fdt_open_into(base, out, (int)out_size);
	} else {
		frc = fdt_create_empty_tree(out, (int)out_size);
		if (!frc)
			frc = fdt_setprop_u32(out, 0, "#size-cells", 2);
		if (!frc)
			frc = fdt_setprop_u32(out, 0, "#address-cells", 2);
	}
	if (frc)
		return fdt_err(frc, err, errlen, "/");
	int ac = fdt_address_cells(out, 0), sc = fdt_size_cells(out, 0);
	if ((ac != 1 && ac != 2) || (sc != 1 && sc != 2))
		return vplat_pf_error(err, errlen, VPLAT_ERANGE,
				"base guest device tree: root #address-cells/#size-cells must "
				"be 1 or 2");
	/* fdt_add_subnode() puts a node before its siblings: add in reverse, read in order. */
	for (unsigned i = p->ndevs; i-- > 0;) {
		const struct pf_dev *d = &p->devs[i];
		if (d->info.vm != vm || d->info.transport != VPLAT_PLATFORM_MMIO)
			continue;
		int rc = add_node(p, &p->vms[vm], d, out, ac, sc, err, errlen);
		if (rc)
			return rc;
	}
	frc = fdt_pack(out);
	return frc ? fdt_err(frc, err, errlen, "pack") : 0;
}

#else

int vplat_platform_guest_fdt(const struct vplat_platform *p, unsigned vm, const void *base,
			     void *out, size_t out_size, char *err, size_t errlen)
{
	(void)p;
	(void)vm;
	(void)base;
	(void)out;
	(void)out_size;
	return vplat_pf_error(err, errlen, VPLAT_ENOTSUP, "vplat was built without libfdt");
}

#endif
