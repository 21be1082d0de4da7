/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform description, block device: the image and its options (docs/platform-binding.md). */
#include "platform_parse.h"

#ifdef VPLAT_HAVE_LIBFDT
#include <libfdt.h>
#include <string.h>
#include "vplat/error.h"

static const char *const blk_props[] = {
	"image", "image-size", "read-only", "serial", "num-queues", "queue-size", "iops",
	"iops-burst", "bandwidth", "bandwidth-burst", "async", NULL};

static int parse_blk(struct vplat_pf_ctx *c, int node, struct pf_dev *d)
{
	int rc;
	if ((rc = get_str(c, node, "image", &d->image)) == 0)
		return FAIL(c, VPLAT_ENOENT, node, "image", "missing host end: a blk device needs "
							    "an image file or block device");
	if (rc < 0 || (rc = get_u64(c, node, "image-size", &d->image_size)) < 0 ||
	    (rc = get_bool(c, node, "read-only", &d->read_only)) < 0 ||
	    (rc = get_str(c, node, "serial", &d->serial)) < 0 ||
	    (rc = get_u32_range(c, node, "num-queues", &d->num_queues, 1, 16)) < 0 ||
	    (rc = get_u32_range(c, node, "queue-size", &d->queue_size, 1, 1024)) < 0 ||
	    (rc = get_u64(c, node, "iops", &d->rl.ops_rate)) < 0 ||
	    (rc = get_u64(c, node, "iops-burst", &d->rl.ops_burst)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth", &d->rl.bytes_rate)) < 0 ||
	    (rc = get_u64(c, node, "bandwidth-burst", &d->rl.bytes_burst)) < 0 ||
	    (rc = get_bool(c, node, "async", &d->async)) < 0)
		return rc;
	if (has_prop(c, node, "image-size") &&
	    (d->image_size < 512 || d->image_size % 512 || d->image_size > (UINT64_C(1) << 50)))
		return FAIL(c, VPLAT_ERANGE, node, "image-size",
			    "must be a multiple of 512 between 512 and 2^50 bytes");
	if (d->serial && strlen(d->serial) > 20)
		return FAIL(c, VPLAT_ERANGE, node, "serial", "longer than 20 bytes");
	return 0;
}

const struct vplat_pf_type_parser vplat_pf_parser_blk = {.props = blk_props, .parse = parse_blk};

#endif /* VPLAT_HAVE_LIBFDT */
