/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inflight I/O tracking (vhost-user.rst, "Inflight I/O tracking"), split rings.
 *
 * The back-end creates the shared region (GET_INFLIGHT_FD); the front-end keeps it and hands
 * it to the next back-end process (SET_INFLIGHT_FD), so a back-end that crashed can find the
 * requests it had taken from the ring but not completed.
 *
 * The core pops and pushes inside the device model, so tracking brackets each kick: before
 * the device runs, every available head it may take is marked in flight (with a fetch
 * counter); after it returns, heads it did not take are unmarked and heads it pushed are
 * cleared, then used_idx is recorded. The marked set is therefore always a superset of the
 * requests really in flight, and heads that were pushed after the last record are found again
 * in the used ring at recovery. Recovery resubmits by rewinding the ring to the used index
 * when the requests in flight are exactly the next ones in the available ring (in-order
 * devices: every vplat device today); otherwise it skips past them and logs how many were
 * lost.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "vhu_internal.h"

static uint64_t align64(uint64_t v)
{
	return (v + 63u) & ~UINT64_C(63);
}

static uint64_t queue_bytes(uint16_t queue_size)
{
	return align64(sizeof(struct vhu_queue_region_split) +
		       (uint64_t)queue_size * sizeof(struct vhu_desc_state_split));
}

void vplat_vhu_inflight_release(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_inflight *f = &b->inflight;
	if (f->map)
		munmap(f->map, (size_t)f->size);
	vhu_close(&f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

static bool desc_ok(const struct vhu_inflight_desc *d)
{
	return d->num_queues >= 1 && d->num_queues <= VPLAT_VHU_MAX_QUEUES && d->queue_size >= 1 &&
	       d->queue_size <= VPLAT_VIRTQ_MAX_SIZE;
}

int vplat_vhu_inflight_get(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	struct vhu_inflight_desc *d = &m->u.inflight;
	if (m->hdr.size != sizeof(*d) || m->nfds || !desc_ok(d))
		return VPLAT_EPROTO;
	uint64_t per = queue_bytes(d->queue_size), size = per * d->num_queues;
	int fd = memfd_create("vplat-inflight", MFD_CLOEXEC);
	if (fd < 0)
		return VPLAT_EIO;
	void *p = MAP_FAILED;
	if (ftruncate(fd, (off_t)size) == 0)
		p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return VPLAT_EIO;
	}
	for (uint16_t q = 0; q < d->num_queues; q++) {
		struct vhu_queue_region_split *r = (void *)((uint8_t *)p + q * per);
		r->version = 1;
		r->desc_num = d->queue_size;
	}
	vplat_vhu_inflight_release(b);
	b->inflight = (struct vplat_vhu_inflight){.fd = fd, .map = p, .size = size, .offset = 0,
						  .num_queues = d->num_queues,
						  .queue_size = d->queue_size};
	d->mmap_size = size;
	d->mmap_offset = 0;
	memcpy(b->reply + VPLAT_VHU_HDR_SIZE, d, sizeof(*d));
	struct vhu_hdr h = {.request = m->hdr.request,
			    .flags = VPLAT_VHU_VERSION | VPLAT_VHU_FLAG_REPLY,
			    .size = sizeof(*d)};
	memcpy(b->reply, &h, sizeof(h));
	b->reply_len = VPLAT_VHU_HDR_SIZE + sizeof(*d);
	b->reply_fd = dup(fd);
	return b->reply_fd >= 0 ? 0 : VPLAT_EIO;
}

int vplat_vhu_inflight_set(struct vplat_vhu_backend *b, struct vhu_msg *m)
{
	const struct vhu_inflight_desc *d = &m->u.inflight;
	if (m->hdr.size != sizeof(*d) || m->nfds != 1 || !desc_ok(d))
		return VPLAT_EPROTO;
	uint64_t need = queue_bytes(d->queue_size) * d->num_queues;
	struct stat st;
	if (d->mmap_size < need || d->mmap_size > SIZE_MAX || d->mmap_offset + d->mmap_size < d->mmap_offset ||
	    fstat(m->fds[0], &st) || st.st_size < 0 ||
	    (uint64_t)st.st_size < d->mmap_offset + d->mmap_size)
		return VPLAT_EPROTO;
	void *p = mmap(NULL, (size_t)d->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fds[0],
		       (off_t)d->mmap_offset);
	if (p == MAP_FAILED)
		return VPLAT_EPROTO;
	vplat_vhu_inflight_release(b);
	b->inflight = (struct vplat_vhu_inflight){.fd = vplat_vhu_take_fd(m, 0), .map = p,
						  .size = d->mmap_size, .offset = d->mmap_offset,
						  .num_queues = d->num_queues,
						  .queue_size = d->queue_size};
	vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "inflight region: %u queues of %u", d->num_queues,
		d->queue_size);
	return 0;
}

/* The queue's region, or NULL when @q is not tracked (no region, packed, or too big). */
static struct vhu_queue_region_split *region_of(struct vplat_vhu_backend *b, uint16_t q,
						 struct vplat_vq **vqp)
{
	struct vplat_vhu_inflight *f = &b->inflight;
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!f->map || !vq || q >= f->num_queues || vq->packed || !vq->live ||
	    vq->size > f->queue_size)
		return NULL;
	*vqp = vq;
	return (void *)((uint8_t *)f->map + q * queue_bytes(f->queue_size));
}

static uint16_t avail_idx(const struct vplat_vq *vq)
{
	return vplat_le16_to_cpu(__atomic_load_n((const uint16_t *)vq->driver + 1, __ATOMIC_ACQUIRE));
}

static uint16_t avail_ring(const struct vplat_vq *vq, uint16_t i)
{
	return vplat_le16_to_cpu(((const volatile uint16_t *)vq->driver)[2 + (i & (vq->size - 1))]);
}

static uint32_t used_ring_id(const struct vplat_vq *vq, uint16_t i)
{
	const volatile uint32_t *u = (const volatile uint32_t *)(const void *)((const uint8_t *)vq->device + 4);
	return vplat_le32_to_cpu(u[2 * (i & (vq->size - 1))]);
}

static void mark(struct vhu_queue_region_split *r, uint16_t qs, uint32_t head, uint8_t v,
		 uint64_t *counter)
{
	if (head >= qs)
		return; /* the core refuses this head anyway */
	if (v && counter)
		r->desc[head].counter = (*counter)++;
	__atomic_store_n(&r->desc[head].inflight, v, __ATOMIC_RELEASE);
}

void vplat_vhu_inflight_before_kick(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vq *vq;
	struct vhu_queue_region_split *r = region_of(b, q, &vq);
	if (!r)
		return;
	uint16_t to = avail_idx(vq), n = (uint16_t)(to - vq->last_avail);
	if (n > vq->size)
		return; /* broken ring: the core will fail it */
	for (uint16_t i = 0; i < n; i++)
		mark(r, b->inflight.queue_size, avail_ring(vq, (uint16_t)(vq->last_avail + i)), 1,
		     &b->inflight.counter);
	b->vrings[q].shadow_avail = to;
}

void vplat_vhu_inflight_after_kick(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vq *vq;
	struct vhu_queue_region_split *r = region_of(b, q, &vq);
	struct vplat_vhu_vring *v = &b->vrings[q];
	if (!r)
		return;
	uint16_t qs = b->inflight.queue_size;
	/* Marked before the kick but not taken: not in flight after all. */
	uint16_t left = (uint16_t)(v->shadow_avail - vq->last_avail);
	if (left <= vq->size)
		for (uint16_t i = 0; i < left; i++)
			mark(r, qs, avail_ring(vq, (uint16_t)(vq->last_avail + i)), 0, NULL);
	v->shadow_avail = vq->last_avail;
	uint16_t done = (uint16_t)(vq->used_idx - v->shadow_used);
	if (done > vq->size)
		done = vq->size; /* older entries were overwritten; they were recorded already */
	for (uint16_t i = 0; i < done; i++) {
		uint32_t id = used_ring_id(vq, (uint16_t)(vq->used_idx - done + i));
		if (id < qs)
			r->last_batch_head = (uint16_t)id;
		mark(r, qs, id, 0, NULL);
	}
	__atomic_store_n(&r->used_idx, vq->used_idx, __ATOMIC_RELEASE);
	v->shadow_used = vq->used_idx;
}

/* Are the heads in flight exactly the next @inuse entries of the available ring? */
static bool in_order(struct vplat_vq *vq, struct vhu_queue_region_split *r, uint16_t qs,
		     uint16_t used, uint16_t inuse)
{
	uint64_t prev = 0;
	for (uint16_t i = 0; i < inuse; i++) {
		uint16_t head = avail_ring(vq, (uint16_t)(used + i));
		if (head >= qs || !r->desc[head].inflight || (i && r->desc[head].counter <= prev))
			return false;
		prev = r->desc[head].counter;
	}
	return true;
}

void vplat_vhu_inflight_recover(struct vplat_vhu_backend *b, uint16_t q, uint16_t used, uint16_t *avail)
{
	struct vplat_vq *vq;
	struct vhu_queue_region_split *r = region_of(b, q, &vq);
	if (!r)
		return;
	uint16_t qs = b->inflight.queue_size;
	if (r->version != 1) {
		r->version = 1;
		r->desc_num = qs;
		r->used_idx = used;
		return;
	}
	/* Heads pushed after the last record are in the used ring between the two indices. */
	uint16_t gap = (uint16_t)(used - r->used_idx);
	for (uint16_t i = 0; gap <= vq->size && i < gap; i++)
		mark(r, qs, used_ring_id(vq, (uint16_t)(r->used_idx + i)), 0, NULL);
	r->used_idx = used;
	uint16_t inuse = 0;
	uint64_t maxc = 0;
	for (uint16_t i = 0; i < qs; i++) {
		if (!r->desc[i].inflight)
			continue;
		if (i >= vq->size) {
			r->desc[i].inflight = 0; /* cannot be a head of this ring */
			continue;
		}
		inuse++;
		if (r->desc[i].counter >= maxc)
			maxc = r->desc[i].counter + 1;
	}
	b->inflight.counter = maxc;
	if (b->p.completes_in_order || (inuse && in_order(vq, r, qs, used, inuse))) {
		/* The core pops them again, in their original order. For an in-order device the
		 * requests taken and not completed are exactly those from the used index on, so
		 * marks left by a back-end that died between a push and its record do no harm. */
		*avail = used;
	} else {
		*avail = (uint16_t)(used + inuse);
		if (inuse)
			vplat_vhu_log(b, VPLAT_VHU_LOG_WARN,
				"ring %u: %u requests in flight out of order cannot be resubmitted",
				q, inuse);
	}
	if (inuse)
		vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "ring %u: resubmitting %u requests from %u", q, inuse,
			used);
}
