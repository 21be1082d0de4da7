/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, CAN device: a virtual bus or SocketCAN, rate limits
 * (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const can_props[] = {
	"can-bus", "socketcan", "frame-rate", "frame-burst", "bandwidth", "bandwidth-burst", NULL};

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
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_can = {.props = can_props, .parse = parse_can};

#endif /* VPLAT_HAVE_LIBFDT */
