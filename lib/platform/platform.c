/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Platform description loader: checks the blob with fdt_check_full(), walks it with libfdt
 * and validates every node and property against the binding (docs/platform-binding.md):
 * the root, VMs, switches, CAN buses and the properties every device has here; each device
 * type's own properties in parse_<type>.c, through the table type_parsers.
 * Every error names the node path and the property.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/regulator.h"
#include "vplat/platform/platform.h"
#include "platform_internal.h"
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#endif

/* Each platform device type is built as the instance type of the same value. */
_Static_assert(VPLAT_PLATFORM_WATCHDOG == (int)VPLAT_INSTANCE_WATCHDOG &&
		       VPLAT_PLATFORM_CAN == (int)VPLAT_INSTANCE_CAN &&
		       VPLAT_PLATFORM_RNG == (int)VPLAT_INSTANCE_RNG &&
		       VPLAT_PLATFORM_BLK == (int)VPLAT_INSTANCE_BLK &&
		       VPLAT_PLATFORM_CONSOLE == (int)VPLAT_INSTANCE_CONSOLE &&
		       VPLAT_PLATFORM_NET == (int)VPLAT_INSTANCE_NET &&
		       VPLAT_PLATFORM_GPIO == (int)VPLAT_INSTANCE_GPIO &&
		       VPLAT_PLATFORM_I2C == (int)VPLAT_INSTANCE_I2C &&
		       VPLAT_PLATFORM_INPUT == (int)VPLAT_INSTANCE_INPUT &&
		       VPLAT_PLATFORM_VSOCK == (int)VPLAT_INSTANCE_VSOCK &&
		       VPLAT_PLATFORM_SOUND == (int)VPLAT_INSTANCE_SOUND,
	       "platform and instance types differ");

const char *vplat_platform_type_name(enum vplat_platform_type t)
{
	return vplat_instance_type_name((enum vplat_instance_type)t);
}

#ifndef VPLAT_HAVE_LIBFDT

int vplat_platform_load(struct vplat_platform **out, const void *dtb, size_t size,
			const struct vplat_platform_options *opt, char *err, size_t errlen)
{
	(void)dtb;
	(void)size;
	(void)opt;
	if (out)
		*out = NULL;
	return vplat_pf_error(err, errlen, VPLAT_ENOTSUP, "vplat was built without libfdt");
}

#else

/* ------------------------------------------------------------------------------------------ */
/* Property helpers of the walk (the shared ones are in parse_props.c). */

static char *dup_path(struct vplat_pf_ctx *c, int node)
{
	return strdup(node_path(c, node));
}

static bool in_list(const char *name, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

/* Every property of @node must be in one of the lists. */
static int check_props(struct vplat_pf_ctx *c, int node, const char *const *a,
		       const char *const *b, const char *what)
{
	static const char *const always[] = {"phandle", "linux,phandle", NULL};
	int prop;
	fdt_for_each_property_offset(prop, c->fdt, node)
	{
		const char *name;
		if (!fdt_getprop_by_offset(c->fdt, prop, &name, NULL) || !name)
			return FAIL(c, VPLAT_EPROTO, node, NULL, "unreadable property");
		if (!in_list(name, always) && !in_list(name, a) && !in_list(name, b))
			return FAIL(c, VPLAT_EINVAL, node, name, "unknown property for %s", what);
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Switches and CAN buses. */

static int parse_switches(struct vplat_pf_ctx *c, int parent)
{
	static const char *const props[] = {"max-ports", "socket", "assigned-unicast", NULL};
	int node, rc;
	if ((rc = check_props(c, parent, NULL, NULL, "/switches")))
		return rc;
	fdt_for_each_subnode(node, c->fdt, parent)
	{
		struct pf_switch *s = &c->p->switches[c->p->nswitches];
		if ((rc = check_props(c, node, props, NULL, "a switch")))
			return rc;
		s->name = fdt_get_name(c->fdt, node, NULL);
		s->path = dup_path(c, node);
		s->max_ports = 16;
		if (!s->path)
			return VPLAT_ENOMEM;
		c->p->nswitches++;
		if ((rc = get_u32_range(c, node, "max-ports", &s->max_ports, 1, 1024)) < 0 ||
		    (rc = get_str(c, node, "socket", &s->socket)) < 0 ||
		    (rc = get_bool(c, node, "assigned-unicast", &s->assigned_unicast)) < 0)
			return rc;
		s->users = s->socket ? 1 : 0;
	}
	return 0;
}

static int parse_buses(struct vplat_pf_ctx *c, int parent)
{
	static const char *const props[] = {"bitrate", "data-bitrate", NULL};
	int node, rc;
	if ((rc = check_props(c, parent, NULL, NULL, "/can-buses")))
		return rc;
	fdt_for_each_subnode(node, c->fdt, parent)
	{
		struct pf_bus *b = &c->p->buses[c->p->nbuses];
		if ((rc = check_props(c, node, props, NULL, "a CAN bus")))
			return rc;
		b->name = fdt_get_name(c->fdt, node, NULL);
		b->path = dup_path(c, node);
		if (!b->path)
			return VPLAT_ENOMEM;
		c->p->nbuses++;
		if ((rc = get_u32_range(c, node, "bitrate", &b->bitrate, 10000, 1000000)) < 0 ||
		    (rc = get_u32_range(c, node, "data-bitrate", &b->data_bitrate, 10000,
					15000000)) < 0)
			return rc;
		if (b->data_bitrate && !b->bitrate)
			return FAIL(c, VPLAT_EINVAL, node, "data-bitrate", "needs \"bitrate\" too");
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Devices. */

static const char *const common_props[] = {"compatible", "transport", "reg", "interrupts",
					   "pci-slot", "feature-mask", "dma-coherent", "status",
					   "vhost-user-socket", NULL};
static const struct vplat_pf_type_parser *const type_parsers[VPLAT_INSTANCE_NTYPES] = {
    [VPLAT_PLATFORM_RNG] = &vplat_pf_parser_rng,
    [VPLAT_PLATFORM_BLK] = &vplat_pf_parser_blk,
    [VPLAT_PLATFORM_CONSOLE] = &vplat_pf_parser_console,
    [VPLAT_PLATFORM_NET] = &vplat_pf_parser_net,
    [VPLAT_PLATFORM_GPIO] = &vplat_pf_parser_gpio,
    [VPLAT_PLATFORM_CAN] = &vplat_pf_parser_can,
    [VPLAT_PLATFORM_WATCHDOG] = &vplat_pf_parser_watchdog,
    [VPLAT_PLATFORM_I2C] = &vplat_pf_parser_i2c,
    [VPLAT_PLATFORM_INPUT] = &vplat_pf_parser_input,
    [VPLAT_PLATFORM_VSOCK] = &vplat_pf_parser_vsock,
    [VPLAT_PLATFORM_SOUND] = &vplat_pf_parser_sound,
};

static int parse_type(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	const char *compat;
	int rc = get_str(c, node, "compatible", &compat);
	if (rc == 0)
		return FAIL(c, VPLAT_EINVAL, node, "compatible",
			    "missing (the device type, e.g. \"vplat,virtio-blk\")");
	if (rc < 0)
		return rc;
	int t = strncmp(compat, "vplat,virtio-", 13) ? VPLAT_EINVAL
		: !strcmp(compat + 13, "snd")	     ? (int)VPLAT_INSTANCE_SOUND /* the virtio name */
						     : vplat_instance_type_from_name(compat + 13);
	if (t >= 0 && !type_parsers[t])
		t = VPLAT_EINVAL; /* a type with no description node (yet) */
	if (t >= 0) {
		d->info.type = (enum vplat_platform_type)t;
		return 0;
	}
	return FAIL(c, VPLAT_EINVAL, node, "compatible",
		    "unknown device type \"%s\" (known: vplat,virtio-rng, -blk, -console, -net, "
		    "-gpio, -can, -watchdog, -i2c, -input, -vsock, -snd)",
		    compat);
}

static int read_cells(const fdt32_t *d, uint32_t n, uint64_t *v)
{
	*v = n == 2 ? ((uint64_t)fdt32_ld(d) << 32) | fdt32_ld(d + 1) : fdt32_ld(d);
	return (int)n;
}

static int parse_mmio(struct vplat_pf_ctx *c, int vmnode, int node, struct pf_dev *d)
{
	int ac = fdt_address_cells(c->fdt, vmnode), sc = fdt_size_cells(c->fdt, vmnode);
	if (ac != 1 && ac != 2)
		return FAIL(c, VPLAT_ERANGE, vmnode, "#address-cells", "must be 1 or 2");
	if (sc != 1 && sc != 2)
		return FAIL(c, VPLAT_ERANGE, vmnode, "#size-cells", "must be 1 or 2");
	int len;
	const fdt32_t *reg = fdt_getprop(c->fdt, node, "reg", &len);
	if (!reg)
		return FAIL(c, VPLAT_EINVAL, node, "reg", "missing (virtio-mmio needs its window)");
	if (len != 4 * (ac + sc))
		return FAIL(c, VPLAT_EINVAL, node, "reg",
			    "must be one <address size> pair of %d+%d cells, has %d bytes", ac, sc,
			    len);
	read_cells(reg, (uint32_t)ac, &d->info.base);
	read_cells(reg + ac, (uint32_t)sc, &d->info.size);
	if (d->info.size < 0x200 || d->info.size > 0x100000)
		return FAIL(c, VPLAT_ERANGE, node, "reg",
			    "window size 0x%llx is out of range 0x200..0x100000",
			    (unsigned long long)d->info.size);
	if (d->info.base % 0x200)
		return FAIL(c, VPLAT_ERANGE, node, "reg", "base 0x%llx is not 512-byte aligned",
			    (unsigned long long)d->info.base);
	if (d->info.base > UINT64_MAX - d->info.size)
		return FAIL(c, VPLAT_ERANGE, node, "reg", "window wraps around the address space");
	int rc = get_u32_range(c, node, "interrupts", &d->info.irq, 0, 1023);
	if (rc == 0)
		return FAIL(c, VPLAT_EINVAL, node, "interrupts", "missing (virtio-mmio needs one)");
	if (rc < 0)
		return rc;
	if (has_prop(c, node, "pci-slot"))
		return FAIL(c, VPLAT_EINVAL, node, "pci-slot", "only for transport \"virtio-pci\"");
	return 0;
}

static int parse_pci(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	uint32_t slot;
	int rc = get_u32_range(c, node, "pci-slot", &slot, 1, 31);
	if (rc == 0)
		return FAIL(c, VPLAT_EINVAL, node, "pci-slot", "missing (virtio-pci needs a slot)");
	if (rc < 0)
		return rc;
	d->info.pci_slot = (uint8_t)slot;
	if (has_prop(c, node, "reg"))
		return FAIL(c, VPLAT_EINVAL, node, "reg",
			    "only for transport \"virtio-mmio\" (PCI BARs are assigned by the guest)");
	if (has_prop(c, node, "interrupts"))
		return FAIL(c, VPLAT_EINVAL, node, "interrupts",
			    "only for transport \"virtio-mmio\" (PCI uses INTx routing or MSI-X)");
	return 0;
}

static int check_exclusive(struct vplat_pf_ctx *c, int node, const struct pf_dev *d);
static int check_own_ports(struct vplat_pf_ctx *c, int node, const struct pf_dev *d);

static int parse_device(struct vplat_pf_ctx *c, unsigned vm, int vmnode, int node, bool *skip)
{
	struct pf_dev *d = &c->p->devs[c->p->ndevs];
	const char *s;
	int rc;
	memset(d, 0, sizeof(*d));
	d->sw = d->bus = -1;
	d->info.vm = vm;
	d->info.feature_mask = UINT64_MAX;
	d->info.dma_coherent = c->p->vms[vm].dma_coherent;
	if ((rc = get_str(c, node, "status", &s)) < 0)
		return rc;
	if (rc > 0 && strcmp(s, "okay") && strcmp(s, "ok")) {
		if (strcmp(s, "disabled"))
			return FAIL(c, VPLAT_EINVAL, node, "status",
				    "\"%s\" is neither \"okay\" nor \"disabled\"", s);
		*skip = true;
		return 0;
	}
	if ((rc = parse_type(c, node, d)))
		return rc;
	if ((rc = check_props(c, node, common_props, type_parsers[d->info.type]->props,
			      vplat_platform_type_name(d->info.type))))
		return rc;
	if ((rc = get_str(c, node, "transport", &s)) == 0)
		return FAIL(c, VPLAT_EINVAL, node, "transport",
			    "missing (\"virtio-mmio\" or \"virtio-pci\")");
	if (rc < 0)
		return rc;
	if (!strcmp(s, "virtio-mmio"))
		d->info.transport = VPLAT_PLATFORM_MMIO;
	else if (!strcmp(s, "virtio-pci"))
		d->info.transport = VPLAT_PLATFORM_PCI;
	else
		return FAIL(c, VPLAT_EINVAL, node, "transport",
			    "unknown transport \"%s\" (\"virtio-mmio\" or \"virtio-pci\")", s);
	rc = d->info.transport == VPLAT_PLATFORM_MMIO ? parse_mmio(c, vmnode, node, d)
						      : parse_pci(c, node, d);
	if (rc)
		return rc;
	int len;
	if (fdt_getprop(c->fdt, node, "feature-mask", &len)) {
		if (len != 8)
			return FAIL(c, VPLAT_EINVAL, node, "feature-mask",
				    "must be /bits/ 64 <mask> (8 bytes), has %d bytes", len);
		get_u64(c, node, "feature-mask", &d->info.feature_mask);
	}
	bool coherent = false;
	if ((rc = get_bool(c, node, "dma-coherent", &coherent)) < 0 ||
	    (rc = get_str(c, node, "vhost-user-socket", &d->info.vhost_user_socket)) < 0)
		return rc;
	for (unsigned i = 0; d->info.vhost_user_socket && i < c->p->ndevs; i++)
		if (c->p->devs[i].info.vhost_user_socket &&
		    !strcmp(c->p->devs[i].info.vhost_user_socket, d->info.vhost_user_socket))
			return FAIL(c, VPLAT_EEXIST, node, "vhost-user-socket",
				    "\"%s\" is already the socket of %s", d->info.vhost_user_socket,
				    c->p->devs[i].info.path);
	d->info.dma_coherent |= coherent;
	const struct vplat_pf_type_parser *tp = type_parsers[d->info.type];
	rc = tp->parse ? tp->parse(c, node, d) : 0;
	if (!rc)
		rc = check_own_ports(c, node, d);
	if (!rc)
		rc = check_exclusive(c, node, d);
	if (!rc && !(d->info.path = dup_path(c, node)))
		rc = VPLAT_ENOMEM;
	if (rc) {
		free(d->line_names); /* the device is not counted: nothing else frees it */
		d->line_names = NULL;
		free(d->con_ports);
		d->con_ports = NULL;
		free(d->con_text);
		d->con_text = NULL;
		return rc;
	}
	d->info.name = fdt_get_name(c->fdt, node, NULL);
	c->p->ndevs++;
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The path of console @p d's host end number @p k if that end belongs to it alone (a log file
 * or a listening socket; several may connect to one server), else NULL: k = 0 is port 0's end,
 * k = 1..con_nports the further ports' ends. */
static const char *con_excl_path(const struct pf_dev *d, unsigned k)
{
	if (k == 0)
		return d->con_kind == PF_CON_SOCKET || d->con_kind == PF_CON_LOG ? d->con_path : NULL;
	const struct vplat_instance_console_port *pt = &d->con_ports[k - 1];
	return pt->end != VPLAT_INSTANCE_CONSOLE_CONNECT ? pt->path : NULL;
}

/* Host end @p k of console @p d (as con_excl_path()) shares its path with one of @p o's (@p o
 * == @p d: one before it): refuse it, naming both ports. */
static int con_excl_check(struct vplat_pf_ctx *c, int node, const struct pf_dev *d, unsigned k,
			  const struct pf_dev *o)
{
	const char *path = con_excl_path(d, k);
	unsigned n = o == d ? k : o->con_nports + 1;
	for (unsigned j = 0; path && j < n; j++) {
		if (!same_str(path, con_excl_path(o, j)))
			continue;
		char mine[24] = "", theirs[24] = "";
		if (k)
			snprintf(mine, sizeof(mine), "port %u: ", d->con_ports[k - 1].id);
		if (j)
			snprintf(theirs, sizeof(theirs), "port %u of ", o->con_ports[j - 1].id);
		if (o == d)
			return FAIL(c, VPLAT_EEXIST, node, "ports",
				    "%s\"%s\" is already a host end of this console", mine, path);
		return FAIL(c, VPLAT_EEXIST, node,
			    k ? "ports" : d->con_kind == PF_CON_SOCKET ? "socket" : "log",
			    "%s\"%s\" is already the host end of %s%s", mine, path, theirs,
			    o->info.path);
	}
	return 0;
}

/* A console's own host ends: no two of its ports on one log file or listening socket. */
static int check_own_ports(struct vplat_pf_ctx *c, int node, const struct pf_dev *d)
{
	int rc = 0;
	for (unsigned k = 1; !rc && k <= d->con_nports; k++)
		rc = con_excl_check(c, node, d, k, d);
	return rc;
}

/*
 * Host resources that carry state a VM controls belong to exactly one device of one VM
 * (spec VPLAT-FFI-019): a writable block image (one shared by read-only devices only is
 * allowed), a console host end (stdio, a listening socket, a pty link or a log file), a GPIO
 * chip or simulator control socket, a tap interface. @p d is checked against every device
 * parsed before it, in any VM.
 */
static int check_exclusive(struct vplat_pf_ctx *c, int node, const struct pf_dev *d)
{
	for (unsigned i = 0; i < c->p->ndevs; i++) {
		const struct pf_dev *o = &c->p->devs[i];
		if (o->info.type != d->info.type)
			continue;
		if (same_str(d->image, o->image) && !(d->read_only && o->read_only))
			return FAIL(c, VPLAT_EEXIST, node, "image",
				    "\"%s\" is already the image of %s; a backing store is shared only "
				    "by read-only devices", d->image, o->info.path);
		if (d->con_kind == PF_CON_STDIO && o->con_kind == PF_CON_STDIO)
			return FAIL(c, VPLAT_EEXIST, node, "stdio",
				    "stdio is already the host end of %s", o->info.path);
		for (unsigned k = 0; k <= d->con_nports; k++) {
			int rc = con_excl_check(c, node, d, k, o);
			if (rc)
				return rc;
		}
		if (same_str(d->gpio_chip, o->gpio_chip))
			return FAIL(c, VPLAT_EEXIST, node, "gpio-chip",
				    "\"%s\" is already the chip of %s", d->gpio_chip, o->info.path);
		if (same_str(d->control, o->control))
			return FAIL(c, VPLAT_EEXIST, node, "control-socket",
				    "\"%s\" is already the control socket of %s", d->control,
				    o->info.path);
		if (same_str(d->tap, o->tap))
			return FAIL(c, VPLAT_EEXIST, node, "tap",
				    "\"%s\" is already the tap of %s", d->tap, o->info.path);
	}
	return 0;
}

/* Overlapping windows, duplicate interrupts and slots inside one VM. */
static int check_conflicts(struct vplat_pf_ctx *c, unsigned first)
{
	struct vplat_platform *p = c->p;
	for (unsigned i = first; i < p->ndevs; i++) {
		const struct vplat_platform_device *a = &p->devs[i].info;
		for (unsigned j = first; j < i; j++) {
			const struct vplat_platform_device *b = &p->devs[j].info;
			if (a->transport != b->transport)
				continue;
			if (a->transport == VPLAT_PLATFORM_PCI) {
				if (a->pci_slot == b->pci_slot)
					return vplat_pf_error(c->err, c->errlen, VPLAT_EEXIST,
							"%s: property \"pci-slot\": slot %u is "
							"already used by %s",
							a->path, a->pci_slot, b->path);
				continue;
			}
			if (a->base < b->base + b->size && b->base < a->base + a->size)
				return vplat_pf_error(c->err, c->errlen, VPLAT_EEXIST,
						"%s: property \"reg\": window 0x%llx..0x%llx "
						"overlaps %s (0x%llx..0x%llx)",
						a->path, (unsigned long long)a->base,
						(unsigned long long)(a->base + a->size - 1), b->path,
						(unsigned long long)b->base,
						(unsigned long long)(b->base + b->size - 1));
			if (a->irq == b->irq)
				return vplat_pf_error(c->err, c->errlen, VPLAT_EEXIST,
						"%s: property \"interrupts\": interrupt %u is "
						"already used by %s",
						a->path, a->irq, b->path);
		}
	}
	return 0;
}

static int parse_vm(struct vplat_pf_ctx *c, int node)
{
	static const char *const props[] = {"compatible", "#address-cells", "#size-cells",
					    "guest-interrupt-style", "guest-interrupt-parent",
					    "dma-coherent", "memory-budget", "memory-period-us",
					    "served-by", "xen,domid", NULL};
	struct pf_vm *vm = &c->p->vms[c->p->nvms];
	unsigned index = c->p->nvms, first = c->p->ndevs;
	const char *s;
	int rc, dev;
	if ((rc = check_props(c, node, props, NULL, "a VM")))
		return rc;
	vm->name = fdt_get_name(c->fdt, node, NULL);
	if (!(vm->path = dup_path(c, node)))
		return VPLAT_ENOMEM;
	c->p->nvms++;
	if ((rc = get_str(c, node, "guest-interrupt-style", &s)) < 0)
		return rc;
	if (rc > 0) {
		if (!strcmp(s, "gic"))
			vm->irq_style = VPLAT_PLATFORM_IRQ_GIC;
		else if (strcmp(s, "plain"))
			return FAIL(c, VPLAT_EINVAL, node, "guest-interrupt-style",
				    "\"%s\" is neither \"plain\" nor \"gic\"", s);
	}
	if ((rc = get_u32(c, node, "guest-interrupt-parent", &vm->irq_parent)) < 0)
		return rc;
	vm->has_irq_parent = rc > 0;
	if ((rc = get_bool(c, node, "dma-coherent", &vm->dma_coherent)) < 0)
		return rc;
	/* Memory-bandwidth regulation (vplat/regulator.h): a budget per period. */
	if ((rc = get_u64(c, node, "memory-budget", &vm->mem_budget)) < 0)
		return rc;
	vm->mem_period_us = 1000;
	if ((rc = get_u32_range(c, node, "memory-period-us", &vm->mem_period_us,
				(uint32_t)(VPLAT_REG_MIN_PERIOD_NS / 1000u),
				(uint32_t)(VPLAT_REG_MAX_PERIOD_NS / 1000u))) < 0)
		return rc;
	if (rc > 0 && !vm->mem_budget)
		return FAIL(c, VPLAT_EINVAL, node, "memory-period-us",
			    "a regulation period needs \"memory-budget\"");
	/* Who serves the VM's devices: the VMM embedding vplat (default) or Xen's ioreq server. */
	if ((rc = get_str(c, node, "served-by", &s)) < 0)
		return rc;
	if (rc > 0) {
		if (!strcmp(s, "xen"))
			vm->xen = true;
		else if (strcmp(s, "vmm"))
			return FAIL(c, VPLAT_EINVAL, node, "served-by",
				    "\"%s\" is neither \"vmm\" nor \"xen\"", s);
	}
	if ((rc = get_u32_range(c, node, "xen,domid", &vm->xen_domid, 1, 0x7fef)) < 0)
		return rc;
	if (rc > 0 && !vm->xen)
		return FAIL(c, VPLAT_EINVAL, node, "xen,domid", "needs served-by = \"xen\"");
	fdt_for_each_subnode(dev, c->fdt, node)
	{
		bool skip = false;
		if ((rc = parse_device(c, index, node, dev, &skip)))
			return rc;
	}
	/* Xen's ioreq server presents virtio-mmio windows only. */
	if (vm->xen)
		for (unsigned i = first; i < c->p->ndevs; i++)
			if (c->p->devs[i].info.transport != VPLAT_PLATFORM_MMIO)
				return vplat_pf_error(c->err, c->errlen, VPLAT_EINVAL,
						"%s: property \"transport\": a VM served by Xen "
						"has virtio-mmio devices only",
						c->p->devs[i].info.path);
	if (dev != -FDT_ERR_NOTFOUND)
		return FAIL(c, VPLAT_EPROTO, node, NULL, "malformed subnodes");
	if (vm->irq_style == VPLAT_PLATFORM_IRQ_GIC)
		for (unsigned i = first; i < c->p->ndevs; i++)
			if (c->p->devs[i].info.transport == VPLAT_PLATFORM_MMIO &&
			    c->p->devs[i].info.irq > 987)
				return vplat_pf_error(c->err, c->errlen, VPLAT_ERANGE,
						"%s: property \"interrupts\": GIC SPI %u is out of "
						"range 0..987",
						c->p->devs[i].info.path, c->p->devs[i].info.irq);
	return check_conflicts(c, first);
}

/* Count nodes to size the tables. */
static int count_subnodes(const void *fdt, int parent)
{
	int n = 0, node;
	if (parent < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, parent) n++;
	return node == -FDT_ERR_NOTFOUND ? n : -1;
}

static int parse_root(struct vplat_pf_ctx *c)
{
	static const char *const root_props[] = {"compatible", "model", "#address-cells",
						 "#size-cells", NULL};
	static const char *const root_nodes[] = {"vms",     "switches", "can-buses",
						 "chosen",  "aliases",  "__symbols__",
						 "__fixups__", "__local_fixups__", NULL};
	const void *fdt = c->fdt;
	int rc, node;
	if (fdt_node_check_compatible(fdt, 0, "vplat,platform"))
		return FAIL(c, VPLAT_EINVAL, 0, "compatible",
			    "the root must be compatible with \"vplat,platform\"");
	if ((rc = check_props(c, 0, root_props, NULL, "the root")))
		return rc;
	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *name = fdt_get_name(fdt, node, NULL);
		if (!name || !in_list(name, root_nodes))
			return FAIL(c, VPLAT_EINVAL, node, NULL,
				    "unknown node (the root holds \"vms\", \"switches\" and "
				    "\"can-buses\")");
	}
	int vms = fdt_subnode_offset(fdt, 0, "vms");
	int sws = fdt_subnode_offset(fdt, 0, "switches");
	int cbs = fdt_subnode_offset(fdt, 0, "can-buses");
	if (vms < 0)
		return FAIL(c, VPLAT_EINVAL, 0, NULL, "no \"vms\" node: nothing to build");
	int nsw = count_subnodes(fdt, sws), nbus = count_subnodes(fdt, cbs);
	int nvm = count_subnodes(fdt, vms), ndev = 0;
	if (nsw < 0 || nbus < 0 || nvm < 0)
		return FAIL(c, VPLAT_EPROTO, 0, NULL, "malformed node structure");
	if (nvm == 0)
		return FAIL(c, VPLAT_EINVAL, vms, NULL, "declares no VM");
	fdt_for_each_subnode(node, fdt, vms)
	{
		int n = count_subnodes(fdt, node);
		if (n < 0)
			return FAIL(c, VPLAT_EPROTO, node, NULL, "malformed node structure");
		ndev += n;
	}
	struct vplat_platform *p = c->p;
	p->switches = calloc((size_t)nsw + 1, sizeof(*p->switches));
	p->buses = calloc((size_t)nbus + 1, sizeof(*p->buses));
	p->vms = calloc((size_t)nvm, sizeof(*p->vms));
	p->devs = calloc((size_t)ndev + 1, sizeof(*p->devs));
	if (!p->switches || !p->buses || !p->vms || !p->devs)
		return VPLAT_ENOMEM;
	if ((sws >= 0 && (rc = parse_switches(c, sws))) || (cbs >= 0 && (rc = parse_buses(c, cbs))))
		return rc;
	if ((rc = check_props(c, vms, NULL, NULL, "/vms")))
		return rc;
	fdt_for_each_subnode(node, fdt, vms) if ((rc = parse_vm(c, node))) return rc;
	return 0;
}

/*
 * Walk the structure block once with a bound before handing the blob to fdt_check_full():
 * Debian 12's libfdt 1.6.1 loops forever on some malformed blobs (a property length that
 * makes the next tag offset wrap backwards; found by fuzz_platform). Every tag must move
 * forward, nodes must nest, and the walk must end at FDT_END within size/4 steps.
 */
static bool fdt_walk_bounded(const void *fdt, size_t size)
{
	if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > size)
		return false;
	int off = 0, next = 0, depth = 0;
	size_t steps = 0;
	uint32_t tag;
	do {
		if (++steps > size / 4 + 8)
			return false;
		tag = fdt_next_tag(fdt, off, &next);
		if (next < 0 || (tag != FDT_END && next <= off))
			return false;
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE && --depth < 0)
			return false;
		else if (tag != FDT_PROP && tag != FDT_NOP && tag != FDT_END && tag != FDT_END_NODE)
			return false;
		off = next;
	} while (tag != FDT_END);
	return depth == 0;
}

int vplat_platform_load(struct vplat_platform **out, const void *dtb, size_t size,
			const struct vplat_platform_options *opt, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!out || !dtb)
		return vplat_pf_error(err, errlen, VPLAT_EINVAL, "no description given");
	*out = NULL;
	if (size < sizeof(struct fdt_header) || size > (1u << 24))
		return vplat_pf_error(err, errlen, VPLAT_EPROTO,
				"description: %zu bytes is not a device tree blob (too %s)", size,
				size < sizeof(struct fdt_header) ? "small" : "large");
	struct vplat_platform *p = calloc(1, sizeof(*p));
	if (!p || !(p->fdt = malloc(size))) {
		free(p);
		return vplat_pf_error(err, errlen, VPLAT_ENOMEM, "out of memory");
	}
	memcpy(p->fdt, dtb, size);
	int frc = fdt_walk_bounded(p->fdt, size) ? fdt_check_full(p->fdt, size) : -FDT_ERR_BADSTRUCTURE;
	if (frc) {
		vplat_platform_free(p);
		return vplat_pf_error(err, errlen, VPLAT_EPROTO,
				"description: not a valid device tree blob: %s", fdt_strerror(frc));
	}
	struct vplat_pf_ctx c = {.p = p, .fdt = p->fdt, .err = err, .errlen = errlen};
	if (opt)
		p->opt = *opt;
	if (opt && opt->base_dir && !(p->base_dir = strdup(opt->base_dir))) {
		vplat_platform_free(p);
		return vplat_pf_error(err, errlen, VPLAT_ENOMEM, "out of memory");
	}
	p->opt.base_dir = p->base_dir;
	int rc = parse_root(&c);
	if (!rc && p->opt.mem)
		rc = vplat_pf_build(p, err, errlen);
	if (rc) {
		if (rc == VPLAT_ENOMEM && err && errlen && !err[0])
			vplat_pf_error(err, errlen, rc, "out of memory");
		vplat_platform_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

#endif /* VPLAT_HAVE_LIBFDT */
