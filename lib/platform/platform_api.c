/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description: accessors and release (independent of libfdt). */
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/platform/platform.h"
#include "platform_internal.h"

unsigned vplat_platform_vm_count(const struct vplat_platform *p)
{
	return p ? p->nvms : 0;
}

const char *vplat_platform_vm_name(const struct vplat_platform *p, unsigned vm)
{
	return p && vm < p->nvms ? p->vms[vm].name : NULL;
}

int vplat_platform_vm_memory_budget(const struct vplat_platform *p, unsigned vm,
				    uint64_t *budget, uint64_t *period_ns)
{
	if (!p || vm >= p->nvms || !budget || !period_ns)
		return VPLAT_EINVAL;
	*budget = p->vms[vm].mem_budget;
	*period_ns = (uint64_t)p->vms[vm].mem_period_us * 1000u;
	return 0;
}

int vplat_platform_vm_xen(const struct vplat_platform *p, unsigned vm, uint32_t *domid)
{
	if (!p || vm >= p->nvms)
		return VPLAT_EINVAL;
	if (domid)
		*domid = p->vms[vm].xen_domid;
	return p->vms[vm].xen ? 1 : 0;
}

int vplat_platform_device_limits(const struct vplat_platform *p, unsigned i,
				 struct vplat_platform_limits *out)
{
	if (!p || i >= p->ndevs || !out)
		return VPLAT_EINVAL;
	const struct pf_dev *d = &p->devs[i];
	out->ops_rate = d->rl.ops_rate;
	out->ops_burst = d->rl.ops_burst;
	out->bytes_rate = d->rl.bytes_rate;
	out->bytes_burst = d->rl.bytes_burst;
	out->net_rate_bps = d->net_rate_bps;
	out->net_burst_bytes = d->net_burst_bytes;
	return 0;
}

int vplat_platform_device_port(const struct vplat_platform *p, unsigned i,
			       struct vplat_switch_port_config *out)
{
	if (!p || i >= p->ndevs || !out)
		return VPLAT_EINVAL;
	const struct pf_dev *d = &p->devs[i];
	if (d->info.type != VPLAT_PLATFORM_NET || d->sw < 0)
		return VPLAT_ENOENT;
	*out = d->port;
	out->name = NULL;
	out->rate_bps = d->net_rate_bps;
	out->burst_bytes = d->net_burst_bytes;
	return 0;
}

int vplat_platform_device_can_filters(const struct vplat_platform *p, unsigned i, bool tx,
				      struct vplat_can_filter *out, unsigned *n)
{
	if (!p || i >= p->ndevs || !out || !n)
		return VPLAT_EINVAL;
	const struct pf_dev *d = &p->devs[i];
	if (d->info.type != VPLAT_PLATFORM_CAN || d->bus < 0)
		return VPLAT_ENOENT;
	*n = tx ? d->n_tx_filters : d->n_rx_filters;
	memcpy(out, tx ? d->tx_filters : d->rx_filters, *n * sizeof(*out));
	return 0;
}

int vplat_platform_device_console_ports(const struct vplat_platform *p, unsigned i,
					uint32_t *max_ports,
					const struct vplat_instance_console_port **ports, unsigned *n)
{
	if (!p || i >= p->ndevs || !max_ports || !ports || !n)
		return VPLAT_EINVAL;
	const struct pf_dev *d = &p->devs[i];
	if (d->info.type != VPLAT_PLATFORM_CONSOLE)
		return VPLAT_ENOENT;
	uint32_t max = d->con_max_ports;
	for (unsigned k = 0; !d->con_max_ports && k < d->con_nports; k++)
		if (d->con_ports[k].id >= max)
			max = d->con_ports[k].id + 1;
	*max_ports = max ? max : 1;
	*ports = d->con_nports ? d->con_ports : NULL;
	*n = d->con_nports;
	return 0;
}

unsigned vplat_platform_device_count(const struct vplat_platform *p)
{
	return p ? p->ndevs : 0;
}

const struct vplat_platform_device *vplat_platform_device(const struct vplat_platform *p,
							  unsigned i)
{
	return p && i < p->ndevs ? &p->devs[i].info : NULL;
}

struct vplat_device *vplat_platform_dev(struct vplat_platform *p, unsigned i)
{
	return p && i < p->ndevs ? p->devs[i].dev : NULL;
}

struct vplat_mmio *vplat_platform_mmio(struct vplat_platform *p, unsigned i)
{
	return p && i < p->ndevs ? p->devs[i].mmio : NULL;
}

struct vplat_pci *vplat_platform_pci(struct vplat_platform *p, unsigned i)
{
	return p && i < p->ndevs ? p->devs[i].pci : NULL;
}

void vplat_platform_free(struct vplat_platform *p)
{
	if (!p)
		return;
	vplat_pf_unbuild(p);
	for (unsigned i = 0; i < p->ndevs; i++) {
		free((void *)p->devs[i].info.path);
		free(p->devs[i].line_names);
		free(p->devs[i].con_ports);
		free(p->devs[i].con_text);
	}
	for (unsigned i = 0; i < p->nvms; i++)
		free(p->vms[i].path);
	for (unsigned i = 0; i < p->nswitches; i++)
		free(p->switches[i].path);
	for (unsigned i = 0; i < p->nbuses; i++)
		free(p->buses[i].path);
	free(p->devs);
	free(p->vms);
	free(p->switches);
	free(p->buses);
	free(p->base_dir);
	free(p->fdt);
	free(p);
}
