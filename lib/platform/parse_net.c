/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, network device: a switch or a tap, MAC, MTU, rate limit
 * (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const net_props[] = {
	"switch", "tap", "mac-address", "mtu", "queue-size", "rate-bps", "burst-bytes", NULL};

static int parse_net(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc, len;
	if ((rc = find_named(c, node, "switch", true, &d->sw)) < 0 ||
	    (rc = get_str(c, node, "tap", &d->tap)) < 0 ||
	    (rc = get_u32_range(c, node, "mtu", &d->mtu, 68, 65535)) < 0 ||
	    (rc = get_u32_range(c, node, "queue-size", &d->queue_size, 1, 32768)) < 0 ||
	    (rc = get_u64(c, node, "rate-bps", &d->net_rate_bps)) < 0 ||
	    (rc = get_u64(c, node, "burst-bytes", &d->net_burst_bytes)) < 0)
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
