/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-memory host end of the block device, with fault injection and an asynchronous mode that
 * completes requests later (optionally newest first). Freestanding, so RTOS builds and tests
 * can use it.
 */
#include <string.h>
#include "vplat/blk.h"
#include "vplat/error.h"

static bool mem_in(const struct vplat_blk_mem *m, uint64_t off, uint64_t len)
{
	return off <= m->size && len <= m->size - off;
}

static int mem_rw(struct vplat_blk_mem *m, const struct vplat_blk_req *r)
{
	if (!mem_in(m, r->offset, r->len))
		return VPLAT_EIO;
	uint64_t off = r->offset;
	for (uint32_t i = 0; i < r->niov; i++) {
		if (r->op == VPLAT_BLK_OP_READ)
			(void)memcpy(r->iov[i].base, m->data + off, r->iov[i].len);
		else
			(void)memcpy(m->data + off, r->iov[i].base, r->iov[i].len);
		off += r->iov[i].len;
	}
	if (r->op == VPLAT_BLK_OP_WRITE && r->sync)
		m->sync_writes++;
	return 0;
}

static int mem_ranges(struct vplat_blk_mem *m, const struct vplat_blk_req *r)
{
	if (m->unsupp)
		return VPLAT_ENOTSUP;
	for (uint32_t i = 0; i < r->nranges; i++)
		if (!mem_in(m, r->ranges[i].offset, r->ranges[i].len))
			return VPLAT_EIO;
	for (uint32_t i = 0; i < r->nranges; i++) {
		/* DISCARD leaves undefined contents: fill with a marker so tests see it. */
		uint8_t v = r->op == VPLAT_BLK_OP_DISCARD ? 0xdd : 0;
		(void)memset(m->data + r->ranges[i].offset, v, (size_t)r->ranges[i].len);
	}
	return 0;
}

static int mem_do(struct vplat_blk_mem *m, const struct vplat_blk_req *r)
{
	if (m->fail) {
		m->fail--;
		return VPLAT_EIO;
	}
	switch (r->op) {
	case VPLAT_BLK_OP_READ:
	case VPLAT_BLK_OP_WRITE:
		return mem_rw(m, r);
	case VPLAT_BLK_OP_FLUSH:
		m->flushes++;
		return 0;
	default:
		return mem_ranges(m, r);
	}
}

static int mem_submit(void *host, struct vplat_blk_req *r)
{
	struct vplat_blk_mem *m = host;

	m->submits++;
	if (m->busy) {
		m->busy--;
		return VPLAT_EAGAIN;
	}
	if (!m->async)
		return mem_do(m, r);
	if (m->nqueued == VPLAT_BLK_MEM_QUEUE)
		return VPLAT_EAGAIN;
	m->queue[m->nqueued++] = r;
	return VPLAT_BLK_INPROGRESS;
}

static void mem_kick(void *host)
{
	struct vplat_blk_mem *m = host;
	m->kicks++;
}

static int mem_lifetime(void *host, struct vplat_virtio_blk_lifetime *out)
{
	struct vplat_blk_mem *m = host;
	if (!m->has_lifetime)
		return VPLAT_EIO;
	*out = m->lifetime;
	return 0;
}

uint32_t vplat_blk_mem_run(struct vplat_blk_mem *m, uint32_t max)
{
	uint32_t done = 0;
	while (done < max && m->nqueued) {
		struct vplat_blk_req *r;
		if (m->reverse) {
			r = m->queue[--m->nqueued];
		} else {
			r = m->queue[0];
			memmove(&m->queue[0], &m->queue[1], (m->nqueued - 1) * sizeof(m->queue[0]));
			m->nqueued--;
		}
		/* Completing may start new requests that land in the queue: fine, bounded by max. */
		vplat_blk_complete(r, mem_do(m, r));
		done++;
	}
	return done;
}

const struct vplat_blk_host_ops vplat_blk_host_mem = {
	.submit = mem_submit,
	.kick = mem_kick,
	.lifetime = mem_lifetime,
};
