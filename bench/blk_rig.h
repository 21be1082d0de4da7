/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/blk_rig.h: the in-process block rig that bench-blk and bench-interference share.
 * One rig is vplat's block device behind virtio-pci on the loopback backend, driven by the
 * validation driver (split ring of 256), with a host end on a raw image: the io_uring (or
 * thread-pool) host end, or the synchronous one. BLK_RIG_QD request slots (header, 4 KiB
 * buffer, status byte) are allocated in the loopback's DMA memory once.
 *
 * Header-only (static functions) so each benchmark stays one translation unit.
 */
#ifndef VPLAT_BENCH_BLK_RIG_H
#define VPLAT_BENCH_BLK_RIG_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "vplat/host/blk_file.h"
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define BLK_RIG_QD 128u
#define BLK_RIG_BS 4096u
#define BLK_RIG_QSIZE 256u

struct blk_rig_slot {
	struct vplat_virtio_blk_req_hdr *hdr;
	uint8_t *data;
	uint8_t *status;
	uint64_t t_post; /* when it was posted (ns, CLOCK_MONOTONIC) */
};

struct blk_rig {
	struct vplat_loopback lb;
	struct vplat_blk blk;
	struct vplat_blk_req reqs[BLK_RIG_QD];
	struct vplat_blk_file file;
	struct vplat_blk_aio aio;
	bool sync; /* synchronous host end (no aio) */
	struct vplat_val_dev d;
	struct vplat_val_vq vq;
	struct blk_rig_slot slot[BLK_RIG_QD];
	uint64_t blocks, rng, done;
	uint64_t wait_until; /* throttled until (ns), 0 = not */
};

/* How a rig is built. */
struct blk_rig_opts {
	uint64_t seed;	    /* xorshift state */
	uint64_t features;  /* negotiated on top of VERSION_1 and BLK_F_FLUSH */
	unsigned aio_flags; /* vplat_blk_aio_init() flags */
	bool sync;	    /* synchronous host end (vplat_blk_host_file) instead of aio */
};

static inline uint64_t blk_rig_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t blk_rig_rand(struct blk_rig *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* Create (or overwrite) a raw image of @p bytes filled with 0x5a. */
static inline int blk_rig_make_image(const char *path, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	static uint8_t buf[1 << 16];
	memset(buf, 0x5a, sizeof(buf));
	int rc = 0;
	for (uint64_t off = 0; rc == 0 && off < bytes; off += sizeof(buf))
		if (pwrite(fd, buf, sizeof(buf), (off_t)off) != (ssize_t)sizeof(buf))
			rc = -1;
	close(fd);
	return rc;
}

static inline int blk_rig_up(struct blk_rig *r, const char *image, const struct blk_rig_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->rng = o->seed;
	r->sync = o->sync;
	if (vplat_blk_file_open(&r->file, image, 0) != 0)
		return -1;
	r->blocks = r->file.size / BLK_RIG_BS;
	if (!o->sync && vplat_blk_aio_init(&r->aio, &r->file, BLK_RIG_QD, o->aio_flags))
		return -1;
	struct vplat_blk_config c = {.writeback = true, .queue_size = BLK_RIG_QSIZE};
	vplat_blk_file_config(&r->file, &c);
	if (vplat_loopback_init(&r->lb, VPLAT_LOOPBACK_PCI, 16u << 20) ||
	    vplat_blk_init(&r->blk, vplat_loopback_mem(&r->lb), &c,
			   o->sync ? &vplat_blk_host_file : &vplat_blk_host_aio,
			   o->sync ? (void *)&r->file : (void *)&r->aio, r->reqs, BLK_RIG_QD) ||
	    vplat_loopback_attach(&r->lb, vplat_blk_device(&r->blk)) ||
	    vplat_loopback_val_init(&r->lb, &r->d) ||
	    vplat_val_negotiate(&r->d, VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) |
					       VPLAT_BIT(VPLAT_VIRTIO_BLK_F_FLUSH) | o->features) ||
	    vplat_val_vq_setup(&r->d, &r->vq, 0, BLK_RIG_QSIZE) || vplat_val_driver_ok(&r->d))
		return -1;
	struct vplat_val_mem *dma = vplat_loopback_dma(&r->lb);
	for (unsigned i = 0; i < BLK_RIG_QD; i++) {
		r->slot[i].hdr = vplat_val_alloc(dma, sizeof(*r->slot[i].hdr), 16, NULL);
		r->slot[i].data = vplat_val_alloc(dma, BLK_RIG_BS, 4096, NULL);
		r->slot[i].status = vplat_val_alloc(dma, 1, 1, NULL);
		if (!r->slot[i].hdr || !r->slot[i].data || !r->slot[i].status)
			return -1;
	}
	return 0;
}

static inline void blk_rig_down(struct blk_rig *r)
{
	vplat_val_vq_fini(&r->vq);
	if (!r->sync)
		vplat_blk_aio_fini(&r->aio);
	vplat_blk_file_close(&r->file);
	vplat_loopback_fini(&r->lb);
}

/* Post slot @p i as a 4 KiB read or write of a random block (not kicked).
 * @return 0, or the error of vplat_val_vq_add() (ring full) */
static inline int blk_rig_post(struct blk_rig *r, unsigned i, bool write)
{
	struct blk_rig_slot *s = &r->slot[i];
	s->hdr->type = vplat_cpu_to_le32(write ? VPLAT_VIRTIO_BLK_T_OUT : VPLAT_VIRTIO_BLK_T_IN);
	s->hdr->sector = vplat_cpu_to_le64((blk_rig_rand(r) % r->blocks) * (BLK_RIG_BS / 512));
	struct vplat_val_buf b[3] = {{.ptr = s->hdr, .len = 16}, {.ptr = s->data, .len = BLK_RIG_BS},
				     {.ptr = s->status, .len = 1}};
	s->t_post = blk_rig_now_ns();
	return vplat_val_vq_add(&r->vq, b, write ? 2 : 1, write ? 1 : 2, (void *)(uintptr_t)(i + 1));
}

#endif /* VPLAT_BENCH_BLK_RIG_H */
