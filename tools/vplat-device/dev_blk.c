/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device blk: the block device on an image file or block device. */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/blk.h"
#include "vplat/host/blk_file.h"

#define BLK_REQS 512u

struct blk_state {
	const char *file;
	bool read_only;
	bool direct;
	bool writeback;
	uint64_t num_queues;
	uint64_t queue_size;
	const char *serial;
	struct vplat_blk_file f;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[BLK_REQS];
};

static struct blk_state *st(struct vdev *v)
{
	if (!v->state)
		v->state = calloc(1, sizeof(struct blk_state));
	return v->state;
}

static int blk_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct blk_state *s = st(v);
	const char *val;
	if (!s)
		return -1;
	if ((val = vdev_optval(argc, argv, i, "--file"))) {
		s->file = val;
		return 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--num-queues")))
		return vdev_parse_u64(val, &s->num_queues) && s->num_queues >= 1 &&
			       s->num_queues <= VPLAT_BLK_MAX_QUEUES
			   ? 1
			   : -1;
	if ((val = vdev_optval(argc, argv, i, "--queue-size")))
		return vdev_parse_u64(val, &s->queue_size) && s->queue_size >= 1 &&
			       s->queue_size <= 1024
			   ? 1
			   : -1;
	if ((val = vdev_optval(argc, argv, i, "--serial"))) {
		s->serial = val;
		return 1;
	}
	if (!strcmp(argv[*i], "--read-only"))
		return s->read_only = true, 1;
	if (!strcmp(argv[*i], "--direct"))
		return s->direct = true, 1;
	if (!strcmp(argv[*i], "--writeback"))
		return s->writeback = true, 1;
	return 0;
}

static struct vplat_device *blk_create(struct vdev *v, struct vplat_mem *mem)
{
	struct blk_state *s = st(v);
	if (!s || !s->file) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "blk: --file IMAGE is required");
		return NULL;
	}
	unsigned flags = (s->read_only ? VPLAT_BLK_FILE_RDONLY : 0) |
			 (s->direct ? VPLAT_BLK_FILE_DIRECT : 0);
	int rc = vplat_blk_file_open(&s->f, s->file, flags);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "blk: cannot open %s: %s", s->file,
			 vplat_strerror(rc));
		return NULL;
	}
	struct vplat_blk_config cfg = {.num_queues = (uint16_t)(s->num_queues ? s->num_queues : 1),
				       .queue_size = (uint16_t)(s->queue_size ? s->queue_size : 256),
				       .writeback = s->writeback};
	vplat_blk_file_config(&s->f, &cfg);
	if (s->serial)
		memcpy(cfg.id, s->serial, strnlen(s->serial, sizeof(cfg.id)));
	rc = vplat_blk_init(&s->blk, mem, &cfg, &vplat_blk_host_file, &s->f, s->reqs, BLK_REQS);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "blk: %s", vplat_strerror(rc));
		vplat_blk_file_close(&s->f);
		return NULL;
	}
	vdev_log(v, VPLAT_VHU_LOG_INFO, "blk: %s, %llu sectors%s", s->file,
		 (unsigned long long)cfg.capacity, cfg.read_only ? ", read-only" : "");
	return vplat_blk_device(&s->blk);
}

static void blk_destroy(struct vdev *v)
{
	struct blk_state *s = v->state;
	if (!s)
		return;
	if (s->f.fd > 0)
		vplat_blk_file_close(&s->f);
	free(s);
	v->state = NULL;
}

const struct vdev_type vdev_blk = {
    .name = "blk",
    .summary = "block device (virtio-blk, ID 2) on an image file or block device",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio block device backed by IMAGE (synchronous positioned I/O;\n"
	    "    FLUSH is fdatasync). QEMU: -chardev socket,id=b,path=SOCK\n"
	    "    -device vhost-user-blk-pci,chardev=b\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --file IMAGE        image file or block device (required)\n"
	    "    --read-only         offer VIRTIO_BLK_F_RO and refuse writes\n"
	    "    --direct            O_DIRECT for aligned requests\n"
	    "    --writeback         start in writeback cache mode (default writethrough)\n"
	    "    --num-queues N      request queues, 1..16 (default 1)\n"
	    "    --queue-size N      largest queue size, 1..1024 (default 256)\n"
	    "    --serial STRING     GET_ID string (at most 20 bytes)\n",
    .option = blk_option,
    .create = blk_create,
    .destroy = blk_destroy,
    .in_order = true,
};
