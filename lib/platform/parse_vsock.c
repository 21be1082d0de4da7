/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, vsock device: guest CID, hybrid UNIX socket, table size, credit
 * (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include "vplat/error.h"
#include "vplat/vsock.h"

static const char *const vsock_props[] = {"guest-cid", "socket", "max-connections",
					  "buf-alloc", NULL};

static int parse_vsock(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc = get_u64(c, node, "guest-cid", &d->vsock_cid);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return FAIL(c, VPLAT_EINVAL, node, "guest-cid", "missing (the guest's CID, 3 or more)");
	if (!vplat_vsock_cid_valid(d->vsock_cid))
		return FAIL(c, VPLAT_EINVAL, node, "guest-cid",
			    "%llu is reserved (0, 1, 2 and 0xffffffff and above)",
			    (unsigned long long)d->vsock_cid);
	if ((rc = get_str(c, node, "socket", &d->vsock_socket)) < 0 ||
	    (rc = get_u32_range(c, node, "max-connections", &d->vsock_max_conns, 1, 65536)) < 0 ||
	    (rc = get_u32_range(c, node, "buf-alloc", &d->vsock_buf_alloc, 4096, 1u << 30)) < 0)
		return rc;
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_vsock = {.props = vsock_props,
							   .parse = parse_vsock};

#endif /* VPLAT_HAVE_LIBFDT */
