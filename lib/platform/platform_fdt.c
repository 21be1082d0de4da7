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

static uint64_t get_cells(const fdt32_t *c, int n)
{
	return n == 1 ? fdt32_to_cpu(c[0])
		      : ((uint64_t)fdt32_to_cpu(c[0]) << 32) | fdt32_to_cpu(c[1]);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A node of the base tree whose "reg" window overlaps [@at, @at + @len): its offset, and the
 * window in @wbase/@wlen; -1 if none. Only the root's children are looked at: their "reg" is
 * in the root's address space (QEMU's virt and most machine trees put devices there). */
static int base_window_user(const void *fdt, int ac, int sc, uint64_t at, uint64_t len,
			    uint64_t *wbase, uint64_t *wlen)
{
	int node;
	fdt_for_each_subnode(node, fdt, 0) {
		int plen;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &plen);
		int entry = (int)sizeof(fdt32_t) * (ac + sc);
		for (int off = 0; reg && plen > 0 && off + entry <= plen; off += entry) {
			const fdt32_t *e = reg + off / (int)sizeof(fdt32_t);
			uint64_t b = get_cells(e, ac), l = get_cells(e + ac, sc);
			if (l && overlaps(at, len, b, l)) {
				*wbase = b;
				*wlen = l;
				return node;
			}
		}
	}
	return -1;
}

/* A node of the base tree with a GIC SPI @spi in its "interrupts" (3-cell entries); -1 if none. */
static int base_spi_user(const void *fdt, uint32_t spi)
{
	int node;
	fdt_for_each_subnode(node, fdt, 0) {
		int plen;
		const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &plen);
		if (!irq || plen <= 0 || plen % 12)
			continue;
		for (int i = 0; i < plen / 4; i += 3)
			if (fdt32_to_cpu(irq[i]) == GIC_SPI && fdt32_to_cpu(irq[i + 1]) == spi)
				return node;
	}
	return -1;
}

/* Another virtio-mmio device of @vm (not @self) whose window overlaps [@at, @at + @len). */
static const struct pf_dev *vm_window_user(const struct vplat_platform *p, unsigned vm,
					   const struct pf_dev *self, uint64_t at, uint64_t len)
{
	for (unsigned i = 0; i < p->ndevs; i++) {
		const struct pf_dev *o = &p->devs[i];
		if (o != self && o->info.vm == vm && o->info.transport == VPLAT_PLATFORM_MMIO &&
		    overlaps(at, len, o->info.base, o->info.size))
			return o;
	}
	return NULL;
}

/* The lowest window at or above the device's, aligned to its size rounded up to a power of
 * two, that no base node and no other device of the VM uses; false if none fits @ac cells. */
static bool free_window(const struct vplat_platform *p, unsigned vm, const struct pf_dev *d,
			const void *fdt, int ac, int sc, uint64_t *out)
{
	uint64_t len = d->info.size, align = 1, limit = ac == 1 ? UINT32_MAX : UINT64_MAX;
	while (align < len && align < (UINT64_C(1) << 62))
		align <<= 1;
	uint64_t at = d->info.base;
	for (unsigned tries = 0; tries < 100000; tries++) {
		uint64_t wb, wl, end;
		const struct pf_dev *o;
		if (base_window_user(fdt, ac, sc, at, len, &wb, &wl) >= 0)
			end = wb + wl;
		else if ((o = vm_window_user(p, vm, d, at, len)))
			end = o->info.base + o->info.size;
		else
			return at <= limit - len + 1 ? (*out = at, true) : false;
		if (end < at || end > limit - align)
			return false;
		at = (end + align - 1) & ~(align - 1);
	}
	return false;
}

/* The lowest SPI from 16 up that no base node and no other device of the VM uses. */
static uint32_t free_spi(const struct vplat_platform *p, unsigned vm, const void *fdt)
{
	for (uint32_t spi = 16;; spi++) {
		bool used = base_spi_user(fdt, spi) >= 0;
		for (unsigned i = 0; !used && i < p->ndevs; i++)
			used = p->devs[i].info.vm == vm &&
			       p->devs[i].info.transport == VPLAT_PLATFORM_MMIO &&
			       p->devs[i].info.irq == spi;
		if (!used || spi >= 987)
			return spi;
	}
}

/* Refuse, in words, a device whose window or interrupt a node of the base tree already has:
 * name the node, say why it collides and suggest a free window or interrupt. */
static int check_base(const struct vplat_platform *p, unsigned vm, const struct pf_dev *d,
		      const void *fdt, int ac, int sc, char *err, size_t errlen)
{
	uint64_t wb, wl, fw;
	char path[256], name[48];
	snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)d->info.base);
	int node = base_window_user(fdt, ac, sc, d->info.base, d->info.size, &wb, &wl);
	if (node >= 0) {
		if (fdt_get_path(fdt, node, path, sizeof(path)))
			snprintf(path, sizeof(path), "%s", fdt_get_name(fdt, node, NULL));
		bool vmmio = fdt_node_check_compatible(fdt, node, "virtio,mmio") == 0;
		char hint[96] = "no free window above it fits the root's address cells";
		if (free_window(p, vm, d, fdt, ac, sc, &fw))
			snprintf(hint, sizeof(hint), "move its \"reg\" to a free window such as 0x%llx",
				 (unsigned long long)fw);
		return vplat_pf_error(
		    err, errlen, VPLAT_EEXIST,
		    "%s: its window 0x%llx-0x%llx overlaps %s (0x%llx-0x%llx) of the base guest "
		    "device tree%s: %s",
		    d->info.path, (unsigned long long)d->info.base,
		    (unsigned long long)(d->info.base + d->info.size - 1), path,
		    (unsigned long long)wb, (unsigned long long)(wb + wl - 1),
		    vmmio ? ", one of the machine's own virtio-mmio transports (QEMU's virt machine "
			    "has 32 of them from 0xa000000, SPIs 16-47)"
			  : "",
		    hint);
	}
	if ((node = fdt_subnode_offset(fdt, 0, name)) >= 0)
		return vplat_pf_error(err, errlen, VPLAT_EEXIST,
				"%s: the base guest device tree already has a node /%s", d->info.path,
				name);
	if (p->vms[vm].irq_style == VPLAT_PLATFORM_IRQ_GIC &&
	    (node = base_spi_user(fdt, d->info.irq)) >= 0) {
		if (fdt_get_path(fdt, node, path, sizeof(path)))
			snprintf(path, sizeof(path), "%s", fdt_get_name(fdt, node, NULL));
		return vplat_pf_error(err, errlen, VPLAT_EEXIST,
				"%s: its interrupt (GIC SPI %u) is also %s's in the base guest "
				"device tree, and an edge-triggered SPI cannot be shared: give it "
				"a free one in \"interrupts\", such as %u",
				d->info.path, d->info.irq, path, free_spi(p, vm, fdt));
	}
	return 0;
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
	for (unsigned i = 0; base && i < p->ndevs; i++) {
		const struct pf_dev *d = &p->devs[i];
		if (d->info.vm != vm || d->info.transport != VPLAT_PLATFORM_MMIO)
			continue;
		int rc = check_base(p, vm, d, out, ac, sc, err, errlen);
		if (rc)
			return rc;
	}
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
