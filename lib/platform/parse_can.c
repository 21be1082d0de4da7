/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, CAN device: a virtual bus or SocketCAN, rate limits
 * (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const can_props[] = {"can-bus",	  "socketcan",	 "frame-rate",
					"frame-burst",	  "bandwidth",	 "bandwidth-burst",
					"rx-filters",	  "tx-filters", NULL};

/* Identifier filters: <id mask format> triples, format 0 (both), 1 (standard only) or 2
 * (extended only). */
static int filters(struct vplat_pf_ctx *c, int node, const char *name,
		   struct vplat_can_filter *out, unsigned *nout)
{
	int len;
	const fdt32_t *v = fdt_getprop(c->fdt, node, name, &len);
	*nout = 0;
	if (!v)
		return 0;
	if (len <= 0 || len % 12)
		return FAIL(c, VPLAT_EINVAL, node, name,
			    "must be a list of <id mask format> triples");
	unsigned n = (unsigned)len / 12u;
	if (n > VPLAT_CANBUS_MAX_FILTERS)
		return FAIL(c, VPLAT_ERANGE, node, name, "%u filters (at most %u)", n,
			    VPLAT_CANBUS_MAX_FILTERS);
	for (unsigned i = 0; i < n; i++) {
		uint32_t id = fdt32_to_cpu(v[3 * i]), mask = fdt32_to_cpu(v[3 * i + 1]);
		uint32_t fmt = fdt32_to_cpu(v[3 * i + 2]);
		if (fmt > 2)
			return FAIL(c, VPLAT_EINVAL, node, name,
				    "filter %u: format %u is not 0 (both), 1 (standard) or 2 "
				    "(extended)", i, fmt);
		uint32_t max = fmt == 1 ? 0x7ffu : 0x1fffffffu;
		if (id > max || mask > max)
			return FAIL(c, VPLAT_ERANGE, node, name,
				    "filter %u: identifier or mask above 0x%x (%s identifiers)", i,
				    max, fmt == 1 ? "11-bit" : "29-bit");
		out[i] = (struct vplat_can_filter){
		    .id = id, .mask = mask, .match_ext = fmt != 0, .ext = fmt == 2};
	}
	*nout = n;
	return 1;
}

static int parse_can(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc;
	if ((rc = find_named(c, node, "can-bus", false, &d->bus)) < 0 ||
	    (rc = get_str(c, node, "socketcan", &d->socketcan)) < 0 ||
	    (rc = get_u64(c, node, "frame-rate", &d->rl.ops_rate)) < 0 ||
	    (rc = get_u64(c, node, "frame-burst", &d->rl.ops_burst)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth", &d->rl.bytes_rate)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth-burst", &d->rl.bytes_burst)) < 0)
		return rc;
	if (d->bus < 0 && !d->socketcan)
		return FAIL(c, VPLAT_ENOENT, node, NULL,
			    "missing host end: give \"can-bus\" (a bus under /can-buses) or "
			    "\"socketcan\"");
	if (d->bus >= 0 && d->socketcan)
		return FAIL(c, VPLAT_EINVAL, node, "socketcan",
			    "give either \"can-bus\" or \"socketcan\"");
	if (d->socketcan && (d->rl.ops_rate || d->rl.bytes_rate))
		return FAIL(c, VPLAT_EINVAL, node, d->rl.ops_rate ? "frame-rate" : "bandwidth",
			    "rate limits are enforced by a virtual bus node: use \"can-bus\"");
	if ((rc = filters(c, node, "rx-filters", d->rx_filters, &d->n_rx_filters)) < 0 ||
	    (rc = filters(c, node, "tx-filters", d->tx_filters, &d->n_tx_filters)) < 0)
		return rc;
	if (d->socketcan && (d->n_rx_filters || d->n_tx_filters))
		return FAIL(c, VPLAT_EINVAL, node, d->n_rx_filters ? "rx-filters" : "tx-filters",
			    "filters are enforced by a virtual bus node: use \"can-bus\"");
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_can = {.props = can_props, .parse = parse_can};

#endif /* VPLAT_HAVE_LIBFDT */
