/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device blk: the block device on an image file or block device. */
#include <stdio.h>
#include <string.h>
#include "vdev.h"
#include "vplat/blk.h"

#define BLK_REQS 512u

static char serial[21]; /* --serial, cut to the 20 bytes GET_ID has */
static bool sync_set;   /* --sync, --async or --async-threads given */

static int blk_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_blk *o = &v->opt.blk;
	const char *val;
	uint64_t n;
	if ((val = vdev_optval(argc, argv, i, "--file")))
		return o->path = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--num-queues"))) {
		if (!vdev_parse_u64(val, &n) || n < 1 || n > VPLAT_BLK_MAX_QUEUES)
			return -1;
		return o->num_queues = (uint16_t)n, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--queue-size"))) {
		if (!vdev_parse_u64(val, &n) || n < 1 || n > 1024)
			return -1;
		return o->queue_size = (uint16_t)n, 1;
	}
	int rl = vdev_ratelimit_option(argc, argv, i, "--iops", "--iops-burst", &o->ratelimit);
	if (rl != 0)
		return rl;
	if ((val = vdev_optval(argc, argv, i, "--serial")))
		return snprintf(serial, sizeof(serial), "%s", val), o->serial = serial, 1;
	if (!strcmp(argv[*i], "--read-only"))
		return o->read_only = true, 1;
	if (!strcmp(argv[*i], "--direct"))
		return o->direct = true, 1;
	if (!strcmp(argv[*i], "--writeback"))
		return o->writeback = true, 1;
	if (!strcmp(argv[*i], "--async"))
		return o->async = true, o->async_uring_only = o->async_threads = false, sync_set = true, 1;
	if (!strcmp(argv[*i], "--async-threads"))
		return o->async = o->async_threads = true, o->async_uring_only = false, sync_set = true, 1;
	if (!strcmp(argv[*i], "--sync"))
		return o->async = o->async_threads = o->async_uring_only = false, sync_set = true, 1;
	return 0;
}

static bool blk_configure(struct vdev *v)
{
	if (!v->opt.blk.path) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "blk: --file IMAGE is required");
		return false;
	}
	v->opt.blk.max_requests = BLK_REQS;
	if (!sync_set) /* default: io_uring where it works, else synchronous */
		v->opt.blk.async = v->opt.blk.async_uring_only = true;
	return true;
}

const struct vdev_type vdev_blk = {
    .name = "blk",
    .summary = "block device (virtio-blk, ID 2) on an image file or block device",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio block device backed by IMAGE: through io_uring where vplat was\n"
	    "    built with liburing and the kernel allows it (requests then complete out of\n"
	    "    order, many in flight per queue), else with synchronous positioned I/O; FLUSH is\n"
	    "    fdatasync. The log line at start says which. QEMU: -chardev socket,id=b,path=SOCK\n"
	    "    -device vhost-user-blk-pci,chardev=b\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --file IMAGE        image file or block device (required)\n"
	    "    --read-only         offer VIRTIO_BLK_F_RO and refuse writes\n"
	    "    --direct            O_DIRECT for aligned requests\n"
	    "    --writeback         start in writeback cache mode (default writethrough)\n"
	    "    --num-queues N      request queues, 1..16 (default 1)\n"
	    "    --queue-size N      largest queue size, 1..1024 (default 256)\n"
	    "    --serial STRING     GET_ID string (at most 20 bytes)\n"
	    "    --sync              synchronous I/O only (the asynchronous ends serve a packed\n"
	    "                        ring one request at a time, so it stays crash-safe)\n"
	    "    --async             asynchronous I/O always: io_uring (if built with liburing\n"
	    "                        and allowed by the kernel), else a thread pool\n"
	    "    --async-threads     asynchronous I/O on the thread pool, never io_uring\n"
	    "    --iops N            at most N requests per second (description: iops)\n"
	    "    --iops-burst N      requests allowed at once (default: one second's worth;\n"
	    "                        description: iops-burst)\n"
	    "    --bps N             at most N bytes per second (description: bandwidth)\n"
	    "    --bps-burst N       bytes allowed at once (default: one second's worth;\n"
	    "                        description: bandwidth-burst)\n"
	    "                        A throttled request waits in its queue; 0 = unlimited.\n",
    .type = VPLAT_INSTANCE_BLK,
    .option = blk_option,
    .configure = blk_configure,
};
