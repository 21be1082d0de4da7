/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, network device: a switch or a tap, MAC, MTU, the device's transmit
 * rate limits, the switch port's shaping (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const net_props[] = {
	"switch", "tap", "mac-address", "mtu", "queue-size", "rate-bps", "burst-bytes",
	"traffic-classes", "scheduling", "class-weights", "queue-length", "pvid", "vlans",
	"allowed-source-macs", "frame-rate", "frame-burst", "bandwidth", "bandwidth-burst", NULL};

/* Switch port properties other than the shaping (which has its own checks). */
static const char *const port_props[] = {"traffic-classes", "scheduling", "class-weights",
					 "queue-length", "pvid", "vlans", "allowed-source-macs"};

/* A list of u32 cells: its entries in *@p n (0 when absent). */
static int u32_list(struct vplat_pf_ctx *c, int node, const char *name, const fdt32_t **v,
		    unsigned *n)
{
	int len;
	*v = fdt_getprop(c->fdt, node, name, &len);
	*n = 0;
	if (!*v)
		return 0;
	if (len <= 0 || len % 4)
		return FAIL(c, VPLAT_EINVAL, node, name, "must be a list of u32 cells");
	*n = (unsigned)len / 4u;
	return 1;
}

/* The switch port's classes, scheduling, queues, VLANs and source MACs (docs/platform-binding.md). */
static int parse_port(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	struct vplat_switch_port_config *pc = &d->port;
	uint32_t v = 0;
	int rc;
	const char *sched = NULL;
	if ((rc = get_u32_range(c, node, "traffic-classes", &v, 1, VPLAT_SWITCH_CLASSES)) < 0)
		return rc;
	pc->classes = (uint8_t)(rc ? v : 1u);
	if ((rc = get_str(c, node, "scheduling", &sched)) < 0)
		return rc;
	if (sched && strcmp(sched, "strict") && strcmp(sched, "weighted"))
		return FAIL(c, VPLAT_EINVAL, node, "scheduling",
			    "\"%s\" is neither \"strict\" nor \"weighted\"", sched);
	pc->sched = sched && !strcmp(sched, "weighted") ? VPLAT_SWITCH_WEIGHTED : VPLAT_SWITCH_STRICT;
	const fdt32_t *w;
	unsigned n;
	if ((rc = u32_list(c, node, "class-weights", &w, &n)) < 0)
		return rc;
	if (rc > 0 && pc->sched != VPLAT_SWITCH_WEIGHTED)
		return FAIL(c, VPLAT_EINVAL, node, "class-weights",
			    "only with scheduling = \"weighted\"");
	if (rc > 0 && n != pc->classes)
		return FAIL(c, VPLAT_EINVAL, node, "class-weights",
			    "%u weights for %u traffic classes (one per class)", n, pc->classes);
	for (unsigned i = 0; i < n; i++) {
		uint32_t x = fdt32_to_cpu(w[i]);
		if (x < 1 || x > 255)
			return FAIL(c, VPLAT_ERANGE, node, "class-weights",
				    "weight %u of class %u is out of range 1..255", x, i);
		pc->weights[i] = (uint8_t)x;
	}
	if ((rc = get_u32_range(c, node, "queue-length", &pc->queue_len, 1, 4096)) < 0)
		return rc;
	if ((rc = get_u32_range(c, node, "pvid", &v, 0, 4095)) < 0)
		return rc;
	pc->pvid = (uint16_t)(rc ? v : 0u);
	const fdt32_t *vl;
	if ((rc = u32_list(c, node, "vlans", &vl, &n)) < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		uint32_t vid = fdt32_to_cpu(vl[i]);
		if (vid < 1 || vid > 4094)
			return FAIL(c, VPLAT_ERANGE, node, "vlans", "VLAN %u is out of range 1..4094",
				    vid);
		if (pc->vlans[vid / 32u] & (UINT32_C(1) << (vid % 32u)))
			return FAIL(c, VPLAT_EEXIST, node, "vlans", "VLAN %u is listed twice", vid);
		pc->vlans[vid / 32u] |= UINT32_C(1) << (vid % 32u);
	}
	pc->vlan_filter = n > 0;
	int len;
	const uint8_t *m = fdt_getprop(c->fdt, node, "allowed-source-macs", &len);
	if (m) {
		if (len <= 0 || len % 6 || len / 6 > (int)VPLAT_SWITCH_PORT_MACS)
			return FAIL(c, VPLAT_EINVAL, node, "allowed-source-macs",
				    "must be 1..%u MAC addresses of 6 bytes", VPLAT_SWITCH_PORT_MACS);
		if (c->p->switches[d->sw].assigned_unicast)
			return FAIL(c, VPLAT_EINVAL, node, "allowed-source-macs",
				    "switch \"%s\" has assigned-unicast: the port sends only with "
				    "its \"mac-address\"",
				    c->p->switches[d->sw].name);
		for (int i = 0; i < len / 6; i++) {
			if (m[6 * i] & 1)
				return FAIL(c, VPLAT_EINVAL, node, "allowed-source-macs",
					    "address %d is a multicast address", i);
			memcpy(pc->macs[i], m + 6 * i, 6);
		}
		pc->n_macs = (uint8_t)(len / 6);
	}
	return 0;
}

static int parse_net(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc, len;
	if ((rc = find_named(c, node, "switch", true, &d->sw)) < 0 ||
	    (rc = get_str(c, node, "tap", &d->tap)) < 0 ||
	    (rc = get_u32_range(c, node, "mtu", &d->mtu, 68, 65535)) < 0 ||
	    (rc = get_u32_range(c, node, "queue-size", &d->queue_size, 1, 32768)) < 0 ||
	    (rc = get_u64(c, node, "rate-bps", &d->net_rate_bps)) < 0 ||
	    (rc = get_u64(c, node, "burst-bytes", &d->net_burst_bytes)) < 0 ||
	    (rc = get_u64(c, node, "frame-rate", &d->rl.ops_rate)) < 0 ||
	    (rc = get_u64(c, node, "frame-burst", &d->rl.ops_burst)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth", &d->rl.bytes_rate)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth-burst", &d->rl.bytes_burst)) < 0)
		return rc;
	if (d->sw < 0 && !d->tap)
		return FAIL(c, VPLAT_ENOENT, node, NULL,
			    "missing host end: give \"switch\" (a switch under /switches) or "
			    "\"tap\"");
	if (d->sw >= 0 && d->tap)
		return FAIL(c, VPLAT_EINVAL, node, "tap", "give either \"switch\" or \"tap\"");
	if (d->tap && strlen(d->tap) >= 16)
		return FAIL(c, VPLAT_ERANGE, node, "tap", "interface names have at most 15 bytes");
	if (d->tap && (d->net_rate_bps || d->net_burst_bytes))
		return FAIL(c, VPLAT_EINVAL, node, "rate-bps",
			    "rate limits are enforced by a switch port: use \"switch\"");
	for (unsigned i = 0; d->tap && i < sizeof(port_props) / sizeof(port_props[0]); i++)
		if (has_prop(c, node, port_props[i]))
			return FAIL(c, VPLAT_EINVAL, node, port_props[i],
				    "is a switch port property: use \"switch\"");
	if (d->sw >= 0 && (rc = parse_port(c, node, d)) < 0)
		return rc;
	const uint8_t *mac = fdt_getprop(c->fdt, node, "mac-address", &len);
	if (mac) {
		if (len != 6)
			return FAIL(c, VPLAT_EINVAL, node, "mac-address",
				    "must be 6 bytes ([02 00 00 00 00 01])");
		if (mac[0] & 1)
			return FAIL(c, VPLAT_EINVAL, node, "mac-address", "is a multicast address");
		memcpy(d->mac, mac, 6);
		d->has_mac = true;
	}
	if (d->sw >= 0 && c->p->switches[d->sw].assigned_unicast && !d->has_mac)
		return FAIL(c, VPLAT_EINVAL, node, "mac-address",
			    "switch \"%s\" has assigned-unicast: each of its devices needs the MAC "
			    "address it is assigned",
			    c->p->switches[d->sw].name);
	if (d->sw >= 0 && ++c->p->switches[d->sw].users > c->p->switches[d->sw].max_ports)
		return FAIL(c, VPLAT_ERANGE, node, "switch",
			    "switch \"%s\" has max-ports %u, all taken",
			    c->p->switches[d->sw].name, c->p->switches[d->sw].max_ports);
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_net = {.props = net_props, .parse = parse_net};

#endif /* VPLAT_HAVE_LIBFDT */
