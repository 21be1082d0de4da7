/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entropy device (sec: Device Types / Entropy Device). Freestanding.
 *
 * Requests are served in order. A request the host cannot fill yet stays in progress and
 * blocks the queue until vplat_rng_resume(), so buffers are used in the order they came
 * (which also makes the device safe to offer VIRTIO_F_IN_ORDER).
 */
#include <string.h>
#include "vplat/error.h"
#include "vplat/rng.h"

/* Fill the request in progress. Returns true when it is complete. */
static bool rng_fill(struct vplat_rng *rng)
{
	const struct vplat_chain *c = &rng->chain;

	while (rng->filled < c->write_len) {
		/* Find the segment and offset of the next unfilled byte. */
		uint64_t off = rng->filled;
		uint32_t i = c->nread;
		while (off >= c->iov[i].len) {
			off -= c->iov[i].len;
			i++;
		}
		uint64_t room = c->iov[i].len - off;
		uint32_t want = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
		int32_t got = rng->host->read(rng->host_opaque, (uint8_t *)c->iov[i].base + off, want);
		if (got == 0)
			return false; /* no entropy now: wait for vplat_rng_resume() */
		if (got < 0 || (uint32_t)got > want) {
			rng->stats.host_errors++;
			return true; /* complete with what we have */
		}
		rng->filled += (uint32_t)got;
		/* One or more bytes is all the spec asks; don't hold the request for the rest
		 * if the host end gives short reads, but do fill what it gives at once. */
		if ((uint32_t)got < want)
			return true;
	}
	return true;
}

static void rng_complete(struct vplat_rng *rng)
{
	if (rng->chain.write_len == 0)
		rng->stats.bad_requests++;
	rng->stats.requests++;
	rng->stats.bytes += rng->filled;
	(void)vplat_vq_push(&rng->vq, &rng->chain, rng->filled);
	rng->pending = false;
}

static void rng_process(struct vplat_rng *rng)
{
	bool pushed = false;
	bool opened = vplat_vq_dispatch_begin(&rng->vq); /* a resume is a dispatch call too */

	for (;;) {
		if (!rng->pending) {
			rng->chain.iov = rng->iov;
			rng->chain.iov_cap = VPLAT_RNG_SEGS;
			int rc = vplat_vq_pop(&rng->vq, &rng->chain);
			if (rc != 0 && rc != VPLAT_E2BIG)
				break; /* empty, not live, or broken ring (device needs reset) */
			rng->filled = 0;
			rng->pending = true;
		}
		if (!rng_fill(rng))
			break;
		rng_complete(rng);
		pushed = true;
	}
	if (pushed)
		(void)vplat_vq_interrupt(&rng->vq);
	(void)vplat_vq_dispatch_end(&rng->vq, opened);
}

static void rng_queue_notify(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	rng_process(dev->opaque);
}

static void rng_reset(struct vplat_device *dev)
{
	struct vplat_rng *rng = dev->opaque;
	rng->pending = false;
	rng->filled = 0;
}

static void rng_queue_reset(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	rng_reset(dev);
}

static const struct vplat_device_ops rng_ops = {
	.name = "rng",
	.device_id = VPLAT_VIRTIO_ID_RNG,
	.features = 0,
	.queue_notify = rng_queue_notify, /* serves synchronously, never blocks */
	.reset = rng_reset,
	.queue_reset = rng_queue_reset,
};

int vplat_rng_init(struct vplat_rng *rng, struct vplat_mem *mem,
		   const struct vplat_rng_host_ops *host, void *host_opaque)
{
	if (!rng || !host || !host->read)
		return VPLAT_EINVAL;
	(void)memset(rng, 0, sizeof(*rng));
	rng->host = host;
	rng->host_opaque = host_opaque;
	return vplat_device_init(&rng->dev, &rng_ops, rng, mem, &rng->vq, 1, 256, NULL, 0);
}

struct vplat_device *vplat_rng_device(struct vplat_rng *rng)
{
	return &rng->dev;
}

void vplat_rng_resume(struct vplat_rng *rng)
{
	rng_process(rng);
}

const struct vplat_rng_stats *vplat_rng_stats(const struct vplat_rng *rng)
{
	return &rng->stats;
}
