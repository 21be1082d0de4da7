/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block device (sec: Device Types / Block Device): features, configuration, queue processing
 * and completion. Request parsing is in blk_req.c. Freestanding.
 *
 * Each queue owns a share of the caller's request slots. A queue pops while it has a free
 * slot, the rate limiter agrees and the host end has room; otherwise it stops with the popped
 * request kept as `pending` and goes on at the next completion or vplat_blk_resume(). Host
 * ends may complete out of order, so VIRTIO_F_IN_ORDER is not offered.
 */
#include <stddef.h>
#include <string.h>
#include "blk_internal.h"
#include "vplat/error.h"

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_BLK_F_##b)

static uint64_t blk_now(const struct vplat_blk *blk)
{
	return blk->clock ? blk->clock(blk->clock_opaque) : 0;
}

bool vplat_blk_sync_writes(const struct vplat_blk *blk)
{
	/* Device Operation: a completed write is stable when FLUSH was offered but neither
	 * FLUSH nor CONFIG_WCE negotiated, or CONFIG_WCE negotiated with writeback 0. */
	if (!vplat_device_has_feature(&blk->dev, VPLAT_VIRTIO_BLK_F_FLUSH))
		return true;
	if (vplat_device_has_feature(&blk->dev, VPLAT_VIRTIO_BLK_F_CONFIG_WCE))
		return blk->config.writeback == 0;
	return false;
}

bool vplat_blk_writethrough(const struct vplat_blk *blk)
{
	return vplat_blk_sync_writes(blk);
}

static void slot_free(struct vplat_blk_queue *q, struct vplat_blk_req *r)
{
	r->next_free = q->free;
	q->free = r;
}

static void count(struct vplat_blk_queue *q, const struct vplat_blk_req *r, int st)
{
	struct vplat_blk_stats *s = &q->stats;
	if (st == VPLAT_VIRTIO_BLK_S_IOERR) {
		s->ioerr++;
		return;
	}
	if (st == VPLAT_VIRTIO_BLK_S_UNSUPP) {
		s->unsupp++;
		return;
	}
	if (r->op == VPLAT_BLK_OP_READ && r->len) {
		s->reads++;
		s->read_bytes += r->len;
	} else if (r->op == VPLAT_BLK_OP_WRITE && r->len) {
		s->writes++;
		s->write_bytes += r->len;
	} else if (r->op == VPLAT_BLK_OP_FLUSH) {
		s->flushes++;
	} else {
		s->other++;
	}
}

/* Write the status byte last, return the chain, release the slot. */
static void blk_finish(struct vplat_blk *blk, struct vplat_blk_req *r, int st)
{
	struct vplat_blk_queue *q = &blk->q[r->queue];
	uint32_t written = st == VPLAT_VIRTIO_BLK_S_OK ? r->written : 1;

	count(q, r, st);
	*r->status = (uint8_t)st;
	(void)vplat_vq_push(&blk->vqs[r->queue], &r->chain, written);
	slot_free(q, r);
	q->need_notify = true;
}

static int host_status(int rc)
{
	if (rc == 0)
		return VPLAT_VIRTIO_BLK_S_OK;
	return rc == VPLAT_ENOTSUP ? VPLAT_VIRTIO_BLK_S_UNSUPP : VPLAT_VIRTIO_BLK_S_IOERR;
}

/* Pop and parse the next request into a free slot. Returns NULL when nothing to start. */
static struct vplat_blk_req *blk_next(struct vplat_blk *blk, uint16_t qi)
{
	struct vplat_blk_queue *q = &blk->q[qi];
	struct vplat_vq *vq = &blk->vqs[qi];

	for (;;) {
		struct vplat_blk_req *r = q->free;
		if (!r) {
			q->stalled = true;
			return NULL;
		}
		r->chain.iov = r->chain_iov;
		r->chain.iov_cap = VPLAT_BLK_SEGS;
		int rc = vplat_vq_pop(vq, &r->chain);
		if (rc == VPLAT_E2BIG) {
			/* More segments than seg_max allows (VPLAT-BLK-013): no data moves, the
			 * status byte at the chain's end says IOERR. */
			q->stats.malformed++;
			if (r->chain.write_tail)
				*r->chain.write_tail = VPLAT_VIRTIO_BLK_S_IOERR;
			(void)vplat_vq_push(vq, &r->chain, 0);
			q->need_notify = true;
			continue;
		}
		if (rc != 0)
			return NULL; /* empty, not live, or ring broken (device needs reset) */
		q->free = r->next_free;
		r->queue = qi;
		r->gen = q->gen;
		int st = vplat_blk_parse(blk, r);
		if (st == BLK_SUBMIT)
			return r;
		if (st == BLK_BROKEN) {
			/* No room for the header or the status: the driver cannot be told. */
			q->stats.malformed++;
			(void)vplat_vq_push(vq, &r->chain, 0);
			slot_free(q, r);
			vplat_device_needs_reset(&blk->dev, VPLAT_EPROTO);
			return NULL;
		}
		blk_finish(blk, r, st);
	}
}

/* Rate limiter: may @p r start now? Charges it once. */
static bool blk_admit(struct vplat_blk *blk, struct vplat_blk_queue *q, struct vplat_blk_req *r)
{
	if (r->charged || !vplat_ratelimit_active(&blk->rl)) {
		q->throttled = false;
		return true;
	}
	uint64_t now = blk_now(blk);
	uint64_t bytes = r->op == VPLAT_BLK_OP_READ || r->op == VPLAT_BLK_OP_WRITE ? r->len : 0;
	if (vplat_ratelimit_consume(&blk->rl, 1, bytes, now)) {
		r->charged = true;
		q->throttled = false;
		return true;
	}
	uint64_t wait = vplat_ratelimit_wait_ns(&blk->rl, 1, bytes, now);
	blk->throttle_until = now + (wait ? wait : 1);
	q->throttled = true;
	q->stats.throttled++;
	return false;
}

static void blk_process(struct vplat_blk *blk, uint16_t qi)
{
	struct vplat_blk_queue *q = &blk->q[qi];
	bool submitted = false;

	if (q->in_process)
		return;
	q->in_process = true;
	q->stalled = false;
	/* A completion or resume is a dispatch call too: at most the budget (VPLAT-FFI-013). */
	bool opened = vplat_vq_dispatch_begin(&blk->vqs[qi]);
	for (;;) {
		struct vplat_blk_req *r = q->pending;
		q->pending = NULL;
		if ((r == NULL) && blk->cfg.packed_in_order && blk->vqs[qi].packed &&
		    (q->inflight > 0U)) {
			q->stalled = true; /* the completion restarts the queue */
			break;
		}
		if (!r)
			r = blk_next(blk, qi);
		if (!r)
			break;
		if (!blk_admit(blk, q, r)) {
			q->pending = r;
			break;
		}
		int rc = q->host->submit(q->host_opaque, r);
		if (rc == VPLAT_BLK_INPROGRESS) {
			r->in_host = true;
			q->inflight++;
			submitted = true;
		} else if (rc == VPLAT_EAGAIN) {
			q->pending = r;
			q->stalled = true;
			break;
		} else {
			blk_finish(blk, r, host_status(rc));
		}
	}
	if (submitted && q->host->kick)
		q->host->kick(q->host_opaque);
	(void)vplat_vq_dispatch_end(&blk->vqs[qi], opened);
	q->in_process = false;
	if (q->need_notify) {
		q->need_notify = false;
		(void)vplat_vq_interrupt(&blk->vqs[qi]);
	}
}

void vplat_blk_complete(struct vplat_blk_req *req, int result)
{
	struct vplat_blk *blk = req->blk;
	struct vplat_blk_queue *q = &blk->q[req->queue];

	if (!req->in_host)
		return; /* not in the host end: a host bug, ignored */
	req->in_host = false;
	q->inflight--;
	if (req->gen != q->gen) {
		slot_free(q, req); /* queue reset meanwhile: the buffer is no longer ours */
		return;
	}
	blk_finish(blk, req, host_status(result));
	if (q->stalled && !q->in_process) {
		blk_process(blk, req->queue);
	} else if (!q->in_process) {
		q->need_notify = false;
		(void)vplat_vq_interrupt(&blk->vqs[req->queue]);
	}
}

void vplat_blk_resume(struct vplat_blk *blk, uint16_t queue)
{
	if (queue < blk->dev.nvqs)
		blk_process(blk, queue);
}

static void blk_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	/* Without MQ negotiated only requestq1 exists for the driver (VPLAT-BLK-014). */
	if (vq->index > 0 && !vplat_device_has_feature(dev, VPLAT_VIRTIO_BLK_F_MQ))
		return;
	blk_process(dev->opaque, vq->index);
}

static void blk_drop_queue(struct vplat_blk *blk, uint16_t qi)
{
	struct vplat_blk_queue *q = &blk->q[qi];
	q->gen++;
	/* A reset also ends a blk_process() that never returned (an embedder's SIGBUS guard
	 * jumped out of it mid-ring); left set, it would keep the queue from ever being
	 * processed again. */
	q->in_process = false;
	if (q->pending)
		slot_free(q, q->pending);
	q->pending = NULL;
	q->stalled = false;
	q->throttled = false;
	q->need_notify = false;
}

static void blk_init_writeback(struct vplat_blk *blk)
{
	blk->config.writeback = blk->cfg.writeback && !blk->cfg.no_flush ? 1 : 0;
}

static void blk_reset(struct vplat_device *dev)
{
	struct vplat_blk *blk = dev->opaque;
	for (uint16_t i = 0; i < dev->nvqs; i++)
		blk_drop_queue(blk, i);
	blk_init_writeback(blk);
}

static void blk_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	blk_drop_queue(dev->opaque, vq->index);
}

static bool blk_validate(struct vplat_device *dev, uint64_t features)
{
	struct vplat_blk *blk = dev->opaque;
	/* Device Initialization: CONFIG_WCE without FLUSH: writeback MUST start as 0. */
	if ((features & F(CONFIG_WCE)) && !(features & F(FLUSH)))
		blk->config.writeback = 0;
	else
		blk_init_writeback(blk);
	return true;
}

static void blk_config_write(struct vplat_device *dev, uint32_t off, const void *data, uint32_t len)
{
	struct vplat_blk *blk = dev->opaque;
	uint32_t wb = (uint32_t)offsetof(struct vplat_virtio_blk_config, writeback);
	if (off > wb || off + len <= wb)
		return;
	uint8_t v = ((const uint8_t *)data)[wb - off];
	if (vplat_device_has_feature(dev, VPLAT_VIRTIO_BLK_F_CONFIG_WCE) && v <= 1)
		blk->config.writeback = v;
}

static const struct vplat_device_ops blk_ops = {
	.name = "blk",
	.device_id = VPLAT_VIRTIO_ID_BLOCK,
	.features = F(SIZE_MAX) | F(SEG_MAX) | F(GEOMETRY) | F(RO) | F(BLK_SIZE) | F(FLUSH) |
		    F(TOPOLOGY) | F(CONFIG_WCE) | F(MQ) | F(DISCARD) | F(WRITE_ZEROES) |
		    F(LIFETIME) | F(SECURE_ERASE),
	.validate_features = blk_validate,
	.queue_notify = blk_queue_notify, /* never blocks: host ends are asynchronous or fast */
	.reset = blk_reset,
	.queue_reset = blk_queue_reset,
	.config_write = blk_config_write,
};

static uint64_t blk_offer(const struct vplat_blk_config *c, const struct vplat_blk_host_ops *h,
			  void *host_opaque)
{
	struct vplat_virtio_blk_lifetime lt;
	uint64_t f = F(SIZE_MAX) | F(SEG_MAX) | F(GEOMETRY) | F(BLK_SIZE) | F(TOPOLOGY);
	if (!c->no_flush)
		f |= F(FLUSH) | F(CONFIG_WCE); /* Device Initialization: CONFIG_WCE => FLUSH */
	if (c->read_only)
		f |= F(RO);
	if (c->num_queues > 1)
		f |= F(MQ);
	if (c->discard)
		f |= F(DISCARD);
	if (c->write_zeroes)
		f |= F(WRITE_ZEROES);
	if (c->secure_erase)
		f |= F(SECURE_ERASE);
	/* VPLAT-BLK-029: only when the integrator asks and the backing storage answers with
	 * metrics now (a host end without the op, or one whose storage has none, never). */
	if (c->lifetime && h->lifetime && h->lifetime(host_opaque, &lt) == 0)
		f |= F(LIFETIME);
	return f;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void blk_fill_ranges(struct vplat_blk *blk)
{
	struct vplat_virtio_blk_config *k = &blk->config;
	const struct vplat_blk_config *c = &blk->cfg;
	uint32_t def = clamp32(c->capacity ? c->capacity : 1);
	uint32_t align = c->discard_alignment ? c->discard_alignment : c->blk_size >> 9;
	if (c->discard) {
		k->max_discard_sectors = vplat_cpu_to_le32(c->max_discard_sectors ? c->max_discard_sectors : def);
		k->max_discard_seg = vplat_cpu_to_le32(VPLAT_BLK_RANGES);
		k->discard_sector_alignment = vplat_cpu_to_le32(align);
	}
	if (c->write_zeroes) {
		k->max_write_zeroes_sectors = vplat_cpu_to_le32(c->max_zeroes_sectors ? c->max_zeroes_sectors : def);
		k->max_write_zeroes_seg = vplat_cpu_to_le32(VPLAT_BLK_RANGES);
		k->write_zeroes_may_unmap = c->write_zeroes_may_unmap ? 1 : 0;
	}
	if (c->secure_erase) {
		k->max_secure_erase_sectors = vplat_cpu_to_le32(c->max_erase_sectors ? c->max_erase_sectors : def);
		k->max_secure_erase_seg = vplat_cpu_to_le32(VPLAT_BLK_RANGES);
		k->secure_erase_sector_alignment = vplat_cpu_to_le32(align);
	}
}

/* Config space from the configuration; padding (unused0, unused1, zoned) stays 0. */
static void blk_fill_config(struct vplat_blk *blk)
{
	struct vplat_virtio_blk_config *k = &blk->config;
	const struct vplat_blk_config *c = &blk->cfg;
	uint64_t cyl = c->capacity / (16 * 63);

	(void)memset(k, 0, sizeof(*k));
	k->capacity = vplat_cpu_to_le64(c->capacity);
	k->size_max = vplat_cpu_to_le32(c->size_max);
	k->seg_max = vplat_cpu_to_le32(VPLAT_BLK_SEGS - 2);
	k->geometry.cylinders = vplat_cpu_to_le16((uint16_t)(cyl > 65535 ? 65535 : cyl));
	k->geometry.heads = 16;
	k->geometry.sectors = 63;
	k->blk_size = vplat_cpu_to_le32(c->blk_size);
	k->topology.physical_block_exp = c->physical_block_exp;
	k->topology.min_io_size = vplat_cpu_to_le16(c->min_io_size);
	k->topology.opt_io_size = vplat_cpu_to_le32(c->opt_io_size);
	k->num_queues = vplat_cpu_to_le16(c->num_queues);
	blk_fill_ranges(blk);
	blk_init_writeback(blk);
}

static int blk_check_config(struct vplat_blk_config *c)
{
	if (!c->blk_size)
		c->blk_size = 512;
	if (c->blk_size < 512 || (c->blk_size & (c->blk_size - 1)))
		return VPLAT_EINVAL;
	if (!c->num_queues)
		c->num_queues = 1;
	if (c->num_queues > VPLAT_BLK_MAX_QUEUES)
		return VPLAT_EINVAL;
	if (!c->queue_size)
		c->queue_size = 256;
	if (!c->size_max)
		/* misra-deviation: 12.2 tool false positive: a shift by 20 of a 32-bit unsigned constant */
		c->size_max = 1u << 20;
	if (!c->min_io_size)
		c->min_io_size = 1;
	if (c->capacity > (UINT64_MAX >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT))
		return VPLAT_EINVAL;
	return 0;
}

static void blk_init_slots(struct vplat_blk *blk, struct vplat_blk_req *reqs, uint32_t nreqs)
{
	uint16_t nq = blk->cfg.num_queues;
	uint32_t per = nreqs / nq;
	(void)memset(reqs, 0, sizeof(*reqs) * nreqs);
	for (uint16_t qi = 0; qi < nq; qi++) {
		blk->q[qi].host = blk->host;
		blk->q[qi].host_opaque = blk->host_opaque;
		for (uint32_t k = 0; k < per; k++) {
			struct vplat_blk_req *r = &reqs[qi * per + k];
			r->blk = blk;
			r->queue = qi;
			slot_free(&blk->q[qi], r);
		}
	}
}

int vplat_blk_init(struct vplat_blk *blk, struct vplat_mem *mem, const struct vplat_blk_config *cfg,
		   const struct vplat_blk_host_ops *host, void *host_opaque,
		   struct vplat_blk_req *reqs, uint32_t nreqs)
{
	if (!blk || !cfg || !host || !host->submit || !reqs)
		return VPLAT_EINVAL;
	(void)memset(blk, 0, sizeof(*blk));
	blk->cfg = *cfg;
	if (blk_check_config(&blk->cfg) != 0 || nreqs < blk->cfg.num_queues)
		return VPLAT_EINVAL;
	blk->host = host;
	blk->host_opaque = host_opaque;
	(void)vplat_ratelimit_init(&blk->rl, 0);
	blk_fill_config(blk);
	blk_init_slots(blk, reqs, nreqs);
	int rc = vplat_device_init(&blk->dev, &blk_ops, blk, mem, blk->vqs, blk->cfg.num_queues,
				   blk->cfg.queue_size, (uint8_t *)&blk->config,
				   (uint32_t)sizeof(blk->config));
	if (rc != 0)
		return rc;
	uint64_t offer = (blk->dev.host_features & ~blk_ops.features &
			  ~VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER)) |
			 blk_offer(&blk->cfg, host, host_opaque);
	return vplat_device_set_offer(&blk->dev, offer);
}

struct vplat_device *vplat_blk_device(struct vplat_blk *blk)
{
	return &blk->dev;
}

int vplat_blk_set_ratelimit(struct vplat_blk *blk, const struct vplat_ratelimit_config *cfg,
			    uint64_t (*clock)(void *clock_opaque), void *clock_opaque)
{
	if (!blk || !cfg)
		return VPLAT_EINVAL;
	bool limited = cfg->ops_rate || cfg->bytes_rate;
	if (limited && !clock && !blk->clock)
		return VPLAT_EINVAL;
	if (clock) {
		blk->clock = clock;
		blk->clock_opaque = clock_opaque;
	}
	return vplat_ratelimit_set(&blk->rl, cfg, blk_now(blk));
}

uint64_t vplat_blk_throttle_ns(struct vplat_blk *blk)
{
	bool any = false;
	for (uint16_t i = 0; i < blk->dev.nvqs; i++)
		any |= blk->q[i].throttled;
	if (!any)
		return 0;
	uint64_t now = blk_now(blk);
	return blk->throttle_until > now ? blk->throttle_until - now : 1;
}

int vplat_blk_set_capacity(struct vplat_blk *blk, uint64_t sectors)
{
	if (sectors > (UINT64_MAX >> VPLAT_VIRTIO_BLK_SECTOR_SHIFT))
		return VPLAT_EINVAL;
	blk->cfg.capacity = sectors;
	blk->config.capacity = vplat_cpu_to_le64(sectors);
	/* Device Operation: capacity changed: SHOULD send a configuration change notification. */
	vplat_device_config_changed(&blk->dev);
	return 0;
}

const struct vplat_blk_stats *vplat_blk_stats(struct vplat_blk *blk)
{
	struct vplat_blk_stats *t = &blk->stats;
	(void)memset(t, 0, sizeof(*t));
	for (uint16_t i = 0; i < blk->cfg.num_queues; i++) {
		const struct vplat_blk_stats *s = &blk->q[i].stats;
		t->reads += s->reads;
		t->writes += s->writes;
		t->flushes += s->flushes;
		t->other += s->other;
		t->read_bytes += s->read_bytes;
		t->write_bytes += s->write_bytes;
		t->ioerr += s->ioerr;
		t->unsupp += s->unsupp;
		t->malformed += s->malformed;
		t->throttled += s->throttled;
	}
	return t;
}

int vplat_blk_set_queue_host(struct vplat_blk *blk, uint16_t queue,
			     const struct vplat_blk_host_ops *host, void *host_opaque)
{
	if (!blk || !host || !host->submit || queue >= blk->cfg.num_queues)
		return VPLAT_EINVAL;
	blk->q[queue].host = host;
	blk->q[queue].host_opaque = host_opaque;
	return 0;
}
