/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inflight I/O tracking (vhost-user.rst, "Inflight I/O tracking"), split rings.
 *
 * The back-end creates the shared region (GET_INFLIGHT_FD); the front-end keeps it and hands
 * it to the next back-end process (SET_INFLIGHT_FD), so a back-end that crashed can find the
 * requests it had taken from the ring but not completed.
 *
 * Every pop and push of a tracked ring (one with a region, or a test kill point) goes
 * through vplat_vq::track (libvhost-user's inflight_get / pre_put / post_put): a pop marks the head in flight with the next fetch
 * counter; before a push the head is recorded as last_batch_head; after the used index that
 * publishes it was stored, the mark is cleared and the region's used_idx updated. A back-end
 * killed between the store and the record leaves used_idx behind the ring's (by one, or by
 * the chains of a burst not yet recorded): recovery then clears the heads the used ring holds
 * from the recorded index on. The heads still marked are exactly the requests in flight,
 * whatever order the device completes in (the asynchronous block end completes out of
 * order); recovery resubmits them by head, oldest fetch first, and starts the available ring
 * at used + in flight (every head taken is either completed or in flight).
 *
 * Packed rings: the same hooks record the device's used position (slot + wrap) instead of
 * the used index, and the chain length of each head; recovery restarts both ring positions at
 * the recorded used position (stepping over a chain published but not recorded). That is exact
 * for devices that complete in order (their chains in flight still sit in their slots); the
 * packed layout of vhost-user.rst, which keeps copies of the descriptors so that out-of-order
 * chains whose slots were overwritten can be resubmitted, is not implemented.
 */
#include <signal.h>
#include <stdlib.h>
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
	uint64_t kpop = f->kill_after_pop, kpush = f->kill_after_push, pops = f->pops,
		 pushes = f->pushes;
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->kill_after_pop = kpop;
	f->kill_after_push = kpush;
	f->pops = pops;
	f->pushes = pushes;
}

static bool desc_ok(const struct vhu_inflight_desc *d)
{
	return d->num_queues >= 1 && d->num_queues <= VPLAT_VHU_MAX_QUEUES && d->queue_size >= 1 &&
	       d->queue_size <= VPLAT_VIRTQ_MAX_SIZE;
}

static void attach_started(struct vplat_vhu_backend *b);

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
	b->inflight.fd = fd;
	b->inflight.map = p;
	b->inflight.size = size;
	b->inflight.offset = 0;
	b->inflight.num_queues = d->num_queues;
	b->inflight.queue_size = d->queue_size;
	attach_started(b);
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
	int fd = vplat_vhu_take_fd(m, 0);
	if (fd < 0) { /* only a borrowed fd, whose dup() failed */
		munmap(p, (size_t)d->mmap_size);
		return VPLAT_EIO;
	}
	vplat_vhu_inflight_release(b);
	b->inflight.fd = fd;
	b->inflight.map = p;
	b->inflight.size = d->mmap_size;
	b->inflight.offset = d->mmap_offset;
	b->inflight.num_queues = d->num_queues;
	b->inflight.queue_size = d->queue_size;
	attach_started(b);
	vplat_vhu_log(b, VPLAT_VHU_LOG_DEBUG, "inflight region: %u queues of %u", d->num_queues,
		d->queue_size);
	return 0;
}

/* The queue's region, or NULL when @q is not tracked (no region, or ring too big). */
static struct vhu_queue_region_split *region_of(struct vplat_vhu_backend *b, uint16_t q,
						 struct vplat_vq **vqp)
{
	struct vplat_vhu_inflight *f = &b->inflight;
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	if (!f->map || !vq || q >= f->num_queues || vq->size > f->queue_size)
		return NULL;
	*vqp = vq;
	return (void *)((uint8_t *)f->map + q * queue_bytes(f->queue_size));
}

static uint16_t split_used_idx(const struct vplat_vq *vq)
{
	return vplat_le16_to_cpu(__atomic_load_n((const uint16_t *)vq->device + 1, __ATOMIC_ACQUIRE));
}

/* Packed: the device's next used slot with its wrap counter in bit 15. */
static uint16_t packed_pos(const struct vplat_vq *vq)
{
	return (uint16_t)(vq->used_idx | (vq->used_wrap ? 0x8000u : 0));
}

/* vplat_vq::track of every started ring (the kill points work without a region too). */
static void track(struct vplat_vq *vq, int event, const struct vplat_chain *c)
{
	struct vplat_vhu_backend *b = vq->dev->transport;
	struct vplat_vhu_inflight *f = &b->inflight;
	struct vplat_vq *v;
	struct vhu_queue_region_split *r = region_of(b, vq->index, &v);
	uint16_t id = c->id;
	switch (event) {
	case VPLAT_VQ_TRACK_POP:
		if (r && id < f->queue_size) {
			r->desc[id].counter = b->vrings[vq->index].counter++; /* per ring: no shared line */
			r->desc[id].next = c->ndesc; /* packed: slots of the chain (own use) */
			__atomic_store_n(&r->desc[id].inflight, 1, __ATOMIC_RELEASE);
		}
		if (f->kill_after_pop && ++f->pops == f->kill_after_pop)
			raise(SIGKILL); /* test-only: taken, not completed */
		break;
	case VPLAT_VQ_TRACK_PRE_PUSH:
		if (r && id < f->queue_size)
			__atomic_store_n(&r->last_batch_head, id, __ATOMIC_RELEASE);
		break;
	default: /* POST_PUSH: the used index that publishes @id is stored */
		if (f->kill_after_push && ++f->pushes == f->kill_after_push)
			raise(SIGKILL); /* test-only: published, not yet recorded */
		if (r && id < f->queue_size) {
			__atomic_store_n(&r->desc[id].inflight, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&r->used_idx, vq->packed ? packed_pos(vq) : vq->used_idx,
					 __ATOMIC_RELEASE);
		}
		break;
	}
}

void vplat_vhu_inflight_attach(struct vplat_vhu_backend *b, uint16_t q)
{
	struct vplat_vq *vq = vplat_device_vq(b->dev, q);
	const struct vplat_vhu_inflight *f = &b->inflight;
	/* Only a ring that something tracks gets the hook: with no region (a front-end without
	 * INFLIGHT_SHMFD, such as DPDK's virtio-user) and no test kill point it would do
	 * nothing but turn every vplat_vq_push_burst() into one push (and one used-index
	 * store) per chain. */
	if (vq)
		vq->track = f->map || f->kill_after_pop || f->kill_after_push ? track : NULL;
}

/* A region handed over after rings started: track them from now on, as before. */
static void attach_started(struct vplat_vhu_backend *b)
{
	for (uint16_t q = 0; b->dev && q < b->dev->nvqs && q < VPLAT_VHU_MAX_QUEUES; q++)
		if (b->vrings[q].started)
			vplat_vhu_inflight_attach(b, q);
}

/* Fetch order of the heads to resubmit. */
static const struct vhu_queue_region_split *sort_region;
static int by_counter(const void *a, const void *b)
{
	uint64_t x = sort_region->desc[*(const uint16_t *)a].counter;
	uint64_t y = sort_region->desc[*(const uint16_t *)b].counter;
	return x < y ? -1 : x > y;
}

/* Packed rings, devices that complete in order: the chains in flight are the ones from the
 * recorded used position on, still in their ring slots; restart both positions there. The
 * region's features word says the positions were recorded for a packed ring (own use: the
 * packed layout of vhost-user.rst, with copies of the descriptors, is not implemented). */
#define PACKED_MARK (UINT64_C(1) << 63)

static void recover_packed(struct vplat_vhu_backend *b, struct vplat_vq *vq,
			   struct vhu_queue_region_split *r, uint16_t *avail, uint16_t *used)
{
	uint16_t qs = b->inflight.queue_size;
	if (r->version != 1 || !(r->features & PACKED_MARK)) {
		for (uint16_t i = 0; i < qs; i++)
			r->desc[i].inflight = 0;
		r->version = 1;
		r->desc_num = qs;
		r->features = PACKED_MARK;
		r->used_idx = *used;
		return;
	}
	uint16_t pos = r->used_idx, inuse = 0;
	for (uint16_t i = 0; i < qs; i++)
		inuse += r->desc[i].inflight != 0;
	/* Killed between publishing a used descriptor and recording it: its slot no longer
	 * holds the available descriptor of this lap; step over the chain. */
	/* A burst (vplat_vq_push_burst) publishes several chains before recording them: step
	 * over every used descriptor from the recorded position, by the buffer ID it carries. */
	uint16_t slot = pos & 0x7fffu;
	bool wrap = pos >> 15;
	while (inuse && slot < vq->size) {
		const struct vplat_pvirtq_desc *d = (const struct vplat_pvirtq_desc *)vq->desc + slot;
		uint16_t fl = vplat_le16_to_cpu(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE));
		bool av = fl & VPLAT_VIRTQ_DESC_F_AVAIL, us = fl & VPLAT_VIRTQ_DESC_F_USED;
		uint16_t h = vplat_le16_to_cpu(d->id);
		if (av == wrap && us != wrap)
			break; /* still available: the chains from here are in flight */
		if (h >= qs || !r->desc[h].inflight || r->desc[h].next == 0)
			break;
		uint32_t next = (uint32_t)slot + r->desc[h].next;
		if (next >= vq->size) {
			next -= vq->size;
			wrap = !wrap;
		}
		r->desc[h].inflight = 0;
		inuse--;
		slot = (uint16_t)next;
		pos = (uint16_t)(next | (wrap ? 0x8000u : 0));
		r->used_idx = pos;
	}
	if (inuse && !b->p.completes_in_order)
		vplat_vhu_log(b, VPLAT_VHU_LOG_WARN,
			"ring %u: packed ring, %u requests in flight on a device that completes out "
			"of order: resubmitting from the used position", vq->index, inuse);
	for (uint16_t i = 0; i < qs; i++)
		r->desc[i].inflight = 0; /* popped again from their slots */
	*avail = *used = pos;
	if (inuse)
		vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "ring %u: resubmitting %u requests in flight "
			"from packed slot %u", vq->index, inuse, pos & 0x7fffu);
}

void vplat_vhu_inflight_recover(struct vplat_vhu_backend *b, uint16_t q, uint16_t *avail,
				uint16_t *used_pos)
{
	struct vplat_vq *vq;
	struct vhu_queue_region_split *r = region_of(b, q, &vq);
	struct vplat_vhu_vring *v = &b->vrings[q];
	if (!r)
		return;
	if (vq->packed) {
		recover_packed(b, vq, r, avail, used_pos);
		return;
	}
	uint16_t qs = b->inflight.queue_size, used = split_used_idx(vq);
	if (r->version != 1 || (r->features & PACKED_MARK)) {
		for (uint16_t i = 0; i < qs; i++)
			r->desc[i].inflight = 0;
		r->version = 1;
		r->desc_num = qs;
		r->features = 0;
		r->used_idx = used;
		return;
	}
	/* Killed between publishing used elements and recording them (one push, or a burst
	 * published with one index store): the heads in the used ring from the recorded index on
	 * are done. */
	if (r->used_idx != used) {
		const struct vplat_virtq_used *ur = vq->device;
		uint16_t behind = (uint16_t)(used - r->used_idx);
		for (uint16_t k = 0; k < behind && k < vq->size; k++) {
			uint32_t id = vplat_le32_to_cpu(
			    ur->ring[(uint16_t)(r->used_idx + k) & (vq->size - 1u)].id);
			if (id < qs)
				r->desc[id].inflight = 0;
		}
		if (r->last_batch_head < qs)
			r->desc[r->last_batch_head].inflight = 0;
		r->used_idx = used;
	}
	uint16_t inuse = 0;
	uint64_t maxc = 0;
	free(v->resubmit);
	v->resubmit = NULL;
	for (uint16_t i = 0; i < qs; i++) {
		if (!r->desc[i].inflight)
			continue;
		if (i >= vq->size) {
			r->desc[i].inflight = 0; /* cannot be a head of this ring */
			continue;
		}
		if (!v->resubmit && !(v->resubmit = malloc((size_t)vq->size * sizeof(uint16_t)))) {
			vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "ring %u: no memory to resubmit", q);
			return;
		}
		v->resubmit[inuse++] = i;
		if (r->desc[i].counter >= maxc)
			maxc = r->desc[i].counter + 1;
	}
	if (maxc > v->counter)
		v->counter = maxc;
	/* Every head taken was completed (used) or is in flight. */
	*avail = (uint16_t)(used + inuse);
	if (!inuse)
		return;
	sort_region = r;
	qsort(v->resubmit, inuse, sizeof(uint16_t), by_counter);
	v->nresubmit = inuse;
	vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "ring %u: resubmitting %u requests in flight, used %u",
		q, inuse, used);
}
