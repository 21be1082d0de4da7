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
 * Packed rings: a device that completes out of order writes used descriptors over the ring
 * slots of chains still in flight, and the driver reuses slots as soon as it has read them,
 * so a chain in flight can be found again only from a copy. The same hooks keep, per buffer
 * ID, a copy of the chain's descriptors in the region (own layout, like vhost-user.rst's
 * packed one: queue_size copies after the states, linked per chain, allocated from a free
 * list this process keeps and rebuilds from the region at recovery), and record the device's
 * used position (slot + wrap) instead of the used index. A copy is written before its ID is
 * marked in flight and freed after the mark is cleared, so a kill at any point leaves every
 * marked ID with a whole copy. Recovery steps over the chains published but not recorded,
 * then hands the copies of the chains still in flight to the ring (vplat_vq::replay, oldest
 * fetch first) and starts the available position after them: every slot taken is either
 * used or one of theirs. The region is shared with the front-end and treated as untrusted:
 * a marked chain whose copies do not check out is dropped with a warning.
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

/* The region's features word says the positions and copies were recorded for a packed ring
 * (own use; bit 62: the layout with descriptor copies). */
#define PACKED_MARK (UINT64_C(3) << 62)

static bool copies_rebuild(struct vplat_vhu_backend *b, struct vplat_vq *vq,
			   struct vhu_queue_region_split *r);

/* A queue's region: the states, then (own use, packed rings) the descriptor copies. */
static uint64_t queue_bytes(uint16_t queue_size)
{
	return align64(sizeof(struct vhu_queue_region_split) +
		       (uint64_t)queue_size * sizeof(struct vhu_desc_state_split) +
		       (uint64_t)queue_size * sizeof(struct vhu_desc_copy));
}

static struct vhu_desc_copy *copies_of(struct vhu_queue_region_split *r, uint16_t qs)
{
	return (struct vhu_desc_copy *)(void *)&r->desc[qs];
}

/* A buffer ID's first copy (packed rings; kept in its state's padding). */
static uint16_t copy_first(const struct vhu_desc_state_split *d)
{
	uint16_t v;
	memcpy(&v, &d->padding[1], sizeof(v));
	return v;
}

static void copy_first_set(struct vhu_desc_state_split *d, uint16_t v)
{
	memcpy(&d->padding[1], &v, sizeof(v));
}

static void free_copies(struct vplat_vhu_vring *v)
{
	free(v->copy_free);
	v->copy_free = NULL;
	v->ncopy_free = 0;
}

void vplat_vhu_inflight_release(struct vplat_vhu_backend *b)
{
	struct vplat_vhu_inflight *f = &b->inflight;
	for (unsigned q = 0; q < VPLAT_VHU_MAX_QUEUES; q++)
		free_copies(&b->vrings[q]); /* they index this region */
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

/* Packed: return buffer ID @p id's copies to the free list (at most its recorded number, and
 * only slots of the region). */
static void copies_put(struct vplat_vhu_vring *v, struct vhu_queue_region_split *r, uint16_t qs,
		       uint16_t id)
{
	struct vhu_desc_copy *cp = copies_of(r, qs);
	uint16_t k = copy_first(&r->desc[id]);
	for (uint16_t n = r->desc[id].next; n && k < qs && v->copy_free && v->ncopy_free < qs; n--) {
		v->copy_free[v->ncopy_free++] = k;
		k = cp[k].next;
	}
	r->desc[id].next = 0;
}

/* Packed: copy the chain just popped (its @p c->ndesc ring slots end at the available
 * position) into the region under buffer ID @p c->id. False if it could not be kept. */
static bool copies_take(struct vplat_vq *vq, struct vplat_vhu_vring *v,
			struct vhu_queue_region_split *r, uint16_t qs, const struct vplat_chain *c)
{
	uint16_t n = (uint16_t)c->ndesc, id = c->id;
	if (!v->copy_free || n == 0 || n > v->ncopy_free || n > vq->size)
		return false;
	struct vhu_desc_copy *cp = copies_of(r, qs);
	const struct vplat_pvirtq_desc *ring = vq->desc;
	uint16_t slot = (uint16_t)(vq->last_avail >= n ? vq->last_avail - n
						   : vq->last_avail + vq->size - n);
	uint16_t first = VHU_COPY_END, prev = VHU_COPY_END;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t k = v->copy_free[--v->ncopy_free];
		struct vplat_pvirtq_desc d;
		memcpy(&d, &ring[slot], sizeof(d)); /* the driver's until the chain is used */
		cp[k] = (struct vhu_desc_copy){.addr = vplat_le64_to_cpu(d.addr),
					       .len = vplat_le32_to_cpu(d.len),
					       .flags = vplat_le16_to_cpu(d.flags),
					       .next = VHU_COPY_END};
		if (prev == VHU_COPY_END)
			first = k;
		else
			cp[prev].next = k;
		prev = k;
		slot = (uint16_t)(slot + 1u == vq->size ? 0u : slot + 1u);
	}
	copy_first_set(&r->desc[id], first);
	r->desc[id].next = n;
	return true;
}

/* vplat_vq::track of every started ring (the kill points work without a region too). */
static void track(struct vplat_vq *vq, int event, const struct vplat_chain *c)
{
	struct vplat_vhu_backend *b = vq->dev->transport;
	struct vplat_vhu_inflight *f = &b->inflight;
	struct vplat_vhu_vring *vr = &b->vrings[vq->index];
	struct vplat_vq *v;
	struct vhu_queue_region_split *r = region_of(b, vq->index, &v);
	uint16_t id = c->id, qs = f->queue_size;
	switch (event) {
	case VPLAT_VQ_TRACK_POP:
		if (r && id < qs && vq->packed && vq->nreplay < vr->nreplay_seen) {
			/* a replayed chain: its copies are in the region, still marked */
			vr->nreplay_seen = vq->nreplay;
			r->desc[id].counter = vr->counter++;
		} else if (r && id < qs) {
			bool kept = true;
			if (vq->packed) {
				/* a driver that reuses an ID in flight loses that request's copy */
				if (r->desc[id].inflight) {
					__atomic_store_n(&r->desc[id].inflight, 0, __ATOMIC_RELEASE);
					copies_put(vr, r, qs, id);
				}
				r->desc[id].next = 0;
				kept = copies_take(vq, vr, r, qs, c);
			} else {
				r->desc[id].next = (uint16_t)c->ndesc;
			}
			r->desc[id].counter = vr->counter++; /* per ring: no shared line */
			if (kept)
				__atomic_store_n(&r->desc[id].inflight, 1, __ATOMIC_RELEASE);
		}
		if (f->kill_after_pop && ++f->pops == f->kill_after_pop)
			raise(SIGKILL); /* test-only: taken, not completed */
		break;
	case VPLAT_VQ_TRACK_PRE_PUSH:
		if (r && id < qs)
			__atomic_store_n(&r->last_batch_head, id, __ATOMIC_RELEASE);
		break;
	default: /* POST_PUSH: the used index that publishes @id is stored */
		if (f->kill_after_push && ++f->pushes == f->kill_after_push)
			raise(SIGKILL); /* test-only: published, not yet recorded */
		if (r && id < qs) {
			__atomic_store_n(&r->desc[id].inflight, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&r->used_idx, vq->packed ? packed_pos(vq) : vq->used_idx,
					 __ATOMIC_RELEASE);
			if (vq->packed)
				copies_put(vr, r, qs, id);
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
	struct vplat_vq *v;
	struct vhu_queue_region_split *r = region_of(b, q, &v);
	if (r && vq->packed && !b->vrings[q].copy_free) {
		/* a region handed over after the ring started: track from now on */
		if (r->features != PACKED_MARK) {
			for (uint16_t i = 0; i < f->queue_size; i++)
				r->desc[i].inflight = 0;
			r->features = PACKED_MARK;
			r->used_idx = packed_pos(vq);
		}
		(void)copies_rebuild(b, vq, r);
	}
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

/* Packed: check buffer ID @p id's copies (a whole chain of the region's slots, none taken by
 * another chain: @p taken) and mark them taken. False if they do not check out. */
static bool copies_check(struct vhu_queue_region_split *r, uint16_t qs, uint16_t size,
			 uint16_t id, uint8_t *taken)
{
	const struct vhu_desc_copy *cp = copies_of(r, qs);
	uint16_t n = r->desc[id].next, k = copy_first(&r->desc[id]);
	if (n == 0 || n > size)
		return false;
	for (uint16_t i = 0; i < n; i++) {
		if (k >= qs || taken[k])
			return false;
		uint16_t fl = cp[k].flags;
		bool lastd = i + 1u == n;
		/* only the last may end the chain; an INDIRECT one is always the last */
		if ((fl & VPLAT_VIRTQ_DESC_F_INDIRECT) && !lastd)
			return false;
		taken[k] = 1;
		k = cp[k].next;
	}
	return true;
}

/* Packed: rebuild this process's free list from the region's marked chains, dropping (with a
 * warning) the marks whose copies do not check out. */
static bool copies_rebuild(struct vplat_vhu_backend *b, struct vplat_vq *vq,
			   struct vhu_queue_region_split *r)
{
	struct vplat_vhu_vring *v = &b->vrings[vq->index];
	uint16_t qs = b->inflight.queue_size;
	uint8_t *taken = calloc(qs, 1);
	free_copies(v);
	v->copy_free = malloc((size_t)qs * sizeof(uint16_t));
	if (!taken || !v->copy_free) {
		free(taken);
		free_copies(v);
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "ring %u: no memory for inflight tracking",
			      vq->index);
		return false;
	}
	for (uint16_t i = 0; i < qs; i++) {
		if (r->desc[i].inflight && !copies_check(r, qs, vq->size, i, taken)) {
			vplat_vhu_log(b, VPLAT_VHU_LOG_WARN, "ring %u: inflight region: buffer %u "
				      "has no whole copy; not resubmitted", vq->index, i);
			r->desc[i].inflight = 0;
		}
	}
	/* a dropped chain may have marked slots before failing: count again; an ID not in
	 * flight owns no copies */
	memset(taken, 0, qs);
	for (uint16_t i = 0; i < qs; i++) {
		if (r->desc[i].inflight && !copies_check(r, qs, vq->size, i, taken))
			r->desc[i].inflight = 0;
		if (!r->desc[i].inflight)
			r->desc[i].next = 0;
	}
	for (uint16_t k = qs; k-- > 0;)
		if (!taken[k])
			v->copy_free[v->ncopy_free++] = k;
	free(taken);
	return true;
}

static void recover_packed(struct vplat_vhu_backend *b, struct vplat_vq *vq,
			   struct vhu_queue_region_split *r, uint16_t *avail, uint16_t *used)
{
	struct vplat_vhu_vring *v = &b->vrings[vq->index];
	uint16_t qs = b->inflight.queue_size;
	free(v->replay);
	v->replay = NULL;
	v->nreplay = 0;
	if (r->version != 1 || r->features != PACKED_MARK) {
		for (uint16_t i = 0; i < qs; i++)
			r->desc[i].inflight = 0;
		r->version = 1;
		r->desc_num = qs;
		r->features = PACKED_MARK;
		r->used_idx = *used;
		(void)copies_rebuild(b, vq, r);
		return;
	}
	/* Killed between publishing used descriptors and recording them (one push, or a
	 * burst): step over every descriptor this lap's used wrap marks as used from the
	 * recorded position on, by the length its buffer ID had. */
	uint16_t pos = r->used_idx, slot = pos & 0x7fffu;
	bool wrap = pos >> 15;
	for (uint16_t guard = 0; guard < vq->size && slot < vq->size; guard++) {
		const struct vplat_pvirtq_desc *d = (const struct vplat_pvirtq_desc *)vq->desc + slot;
		uint16_t fl = vplat_le16_to_cpu(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE));
		bool av = fl & VPLAT_VIRTQ_DESC_F_AVAIL, us = fl & VPLAT_VIRTQ_DESC_F_USED;
		uint16_t h = vplat_le16_to_cpu(d->id);
		if (av != wrap || us != wrap || h >= qs || r->desc[h].next == 0 ||
		    r->desc[h].next > vq->size)
			break; /* not published in this lap: the used position */
		uint32_t next = (uint32_t)slot + r->desc[h].next;
		if (next >= vq->size) {
			next -= vq->size;
			wrap = !wrap;
		}
		r->desc[h].inflight = 0;
		slot = (uint16_t)next;
		pos = (uint16_t)(next | (wrap ? 0x8000u : 0));
	}
	r->used_idx = pos;
	if (!copies_rebuild(b, vq, r))
		return;
	/* The chains still marked, oldest fetch first, from their copies. */
	uint16_t *ids = malloc((size_t)qs * sizeof(*ids)), n = 0;
	uint32_t total = 0;
	uint64_t maxc = 0;
	bool dropped = false;
	if (!ids) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "ring %u: no memory to resubmit", vq->index);
		return;
	}
	for (uint16_t i = 0; i < qs; i++) {
		if (!r->desc[i].inflight)
			continue;
		if (total + r->desc[i].next > vq->size) {
			r->desc[i].inflight = 0; /* more than the ring holds: not ours */
			dropped = true;
			continue;
		}
		ids[n++] = i;
		total += r->desc[i].next;
		if (r->desc[i].counter >= maxc)
			maxc = r->desc[i].counter + 1;
	}
	if (maxc > v->counter)
		v->counter = maxc;
	*used = pos;
	*avail = pos;
	if (dropped)
		(void)copies_rebuild(b, vq, r);
	if (!n) {
		free(ids);
		return;
	}
	sort_region = r;
	qsort(ids, n, sizeof(ids[0]), by_counter);
	if (!(v->replay = malloc(total * sizeof(*v->replay)))) {
		vplat_vhu_log(b, VPLAT_VHU_LOG_ERROR, "ring %u: no memory to resubmit", vq->index);
		free(ids);
		return;
	}
	const struct vhu_desc_copy *cp = copies_of(r, qs);
	uint32_t at = 0;
	for (uint16_t j = 0; j < n; j++) {
		uint16_t k = copy_first(&r->desc[ids[j]]), cnt = r->desc[ids[j]].next;
		for (uint16_t i = 0; i < cnt; i++) {
			uint16_t fl = cp[k].flags & (uint16_t)~VPLAT_VIRTQ_DESC_F_NEXT;
			if (i + 1u < cnt)
				fl |= VPLAT_VIRTQ_DESC_F_NEXT;
			v->replay[at++] = (struct vplat_pvirtq_desc){
			    .addr = vplat_cpu_to_le64(cp[k].addr), .len = vplat_cpu_to_le32(cp[k].len),
			    .id = vplat_cpu_to_le16(ids[j]), .flags = vplat_cpu_to_le16(fl)};
			k = cp[k].next;
		}
	}
	free(ids);
	v->nreplay = (uint16_t)total;
	/* every slot taken is used or one of these chains' */
	uint32_t as = (pos & 0x7fffu) + total;
	bool aw = pos >> 15;
	if (as >= vq->size) {
		as -= vq->size;
		aw = !aw;
	}
	*avail = (uint16_t)(as | (aw ? 0x8000u : 0));
	vplat_vhu_log(b, VPLAT_VHU_LOG_INFO, "ring %u: resubmitting %u requests in flight (%u "
		      "descriptors, from copies), used position %u", vq->index, n, (unsigned)total,
		      pos & 0x7fffu);
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
