/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver-side virtqueue: setup, the layout-independent parts of add / kick / get_used, and
 * the raw ring builders for hostile-driver tests.
 */
#include <stdlib.h>
#include <string.h>
#include "val_internal.h"

#define IND_ENTRY 16u /* split and packed descriptors are both 16 bytes */

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int vplat_val_vq_fail(struct vplat_val_vq *vq, const char *what)
{
	if (!vq->error) {
		vq->error = VPLAT_EPROTO;
		vq->error_msg = what;
	}
	return VPLAT_EPROTO;
}

void vplat_val_vq_order_push(struct vplat_val_vq *vq, uint16_t id)
{
	/* Called before inflight is incremented: the tail is head + inflight. */
	vq->order[(vq->order_head + vq->inflight) % vq->size] = id;
}

static uint16_t order_pop(struct vplat_val_vq *vq)
{
	uint16_t id = vq->order[vq->order_head];
	vq->order_head = (uint16_t)((vq->order_head + 1u) % vq->size);
	return id;
}

/* Position (1-based) of @id among the buffers in flight, oldest first; 0 if absent. */
static unsigned order_find(const struct vplat_val_vq *vq, uint16_t id)
{
	for (unsigned k = 0; k < vq->inflight; k++) {
		if (vq->order[(vq->order_head + k) % vq->size] == id)
			return k + 1;
	}
	return 0;
}

uint64_t vplat_val_vq_fill_indirect(struct vplat_val_vq *vq, uint16_t slot,
				    const struct vplat_val_buf *bufs, unsigned n_out, unsigned n)
{
	uint64_t off = (uint64_t)slot * VPLAT_VAL_VQ_MAX_INDIRECT * IND_ENTRY;
	uint8_t *table = (uint8_t *)vq->ind + off;
	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = i >= n_out ? VPLAT_VIRTQ_DESC_F_WRITE : 0;
		uint16_t next = 0;
		/* Split tables chain with NEXT; under IN_ORDER entry i links to i + 1. Packed
		 * tables are read sequentially and carry no NEXT. */
		if (!vq->packed && i + 1 < n) {
			flags |= VPLAT_VIRTQ_DESC_F_NEXT;
			next = (uint16_t)(i + 1);
		}
		vplat_val_vq_raw_table_set(vq, table, (uint16_t)i, val_buf_gpa(vq, &bufs[i]),
					   bufs[i].len, flags, next);
	}
	return vq->ind_gpa + off;
}

/* Zero the rings and the shadow state, keep configuration and memory. */
static void vq_restart(struct vplat_val_vq *vq)
{
	size_t dsz = (size_t)vq->size * 16u;
	memset(vq->desc, 0, dsz);
	memset(vq->driver, 0,
	       vq->packed ? VPLAT_PVIRTQ_EVENT_SIZE : VPLAT_VIRTQ_AVAIL_SIZE(vq->size));
	memset(vq->device, 0,
	       vq->packed ? VPLAT_PVIRTQ_EVENT_SIZE : VPLAT_VIRTQ_USED_SIZE(vq->size));
	memset(vq->slots, 0, (size_t)vq->size * sizeof(*vq->slots));
	vq->avail_idx = 0;
	vq->avail_wrap = false;
	vq->last_used = 0;
	vq->used_wrap = false;
	vq->num_added = 0;
	vq->inflight = 0;
	vq->order_head = 0;
	vq->batch_id = -1;
	vq->batch_len = 0;
	vq->error = 0;
	vq->error_msg = NULL;
	val_ring(vq)->init(vq);
	vplat_val_vq_set_interrupts(vq, true);
}

static int alloc_rings(struct vplat_val_vq *vq, struct vplat_val_mem *m)
{
	uint16_t q = vq->size;
	if (vq->packed) {
		vq->desc = vplat_val_alloc(m, VPLAT_PVIRTQ_DESC_SIZE(q), 16, &vq->desc_gpa);
		vq->driver = vplat_val_alloc(m, VPLAT_PVIRTQ_EVENT_SIZE, 4, &vq->driver_gpa);
		vq->device = vplat_val_alloc(m, VPLAT_PVIRTQ_EVENT_SIZE, 4, &vq->device_gpa);
	} else {
		vq->desc = vplat_val_alloc(m, VPLAT_VIRTQ_DESC_SIZE(q), VPLAT_VIRTQ_DESC_ALIGN,
					   &vq->desc_gpa);
		vq->driver = vplat_val_alloc(m, VPLAT_VIRTQ_AVAIL_SIZE(q), VPLAT_VIRTQ_AVAIL_ALIGN,
					     &vq->driver_gpa);
		vq->device = vplat_val_alloc(m, VPLAT_VIRTQ_USED_SIZE(q), VPLAT_VIRTQ_USED_ALIGN,
					     &vq->device_gpa);
	}
	vq->slots = calloc(q, sizeof(*vq->slots));
	vq->next = calloc(q, sizeof(*vq->next));
	vq->order = calloc(q, sizeof(*vq->order));
	if (!vq->desc || !vq->driver || !vq->device || !vq->slots || !vq->next || !vq->order)
		return VPLAT_ENOMEM;
	return 0;
}

/* Program the rings, learn the notify target, enable. */
static int vq_program(struct vplat_val_vq *vq)
{
	struct vplat_val_dev *d = vq->dev;
	d->t->queue_program(d, vq->index, vq->size, vq->desc_gpa, vq->driver_gpa, vq->device_gpa);
	d->t->notify_target(d, vq->index, &vq->notify_off, &vq->notify_value);
	return vplat_val_queue_enable(d, vq->index);
}

static uint16_t default_size(uint16_t max, bool packed)
{
	uint16_t size = max < VPLAT_VAL_VQ_DEFAULT_SIZE ? max : VPLAT_VAL_VQ_DEFAULT_SIZE;
	if (!packed) {
		while (!is_pow2(size))
			size &= (uint16_t)(size - 1); /* clear low bits down to a power of two */
	}
	return size;
}

int vplat_val_vq_setup(struct vplat_val_dev *d, struct vplat_val_vq *vq, uint16_t index,
		       uint16_t size)
{
	if (!d || !vq)
		return VPLAT_EINVAL;
	memset(vq, 0, sizeof(*vq));
	uint16_t max = d->t->queue_max(d, index);
	if (max == 0)
		return VPLAT_ENOENT;
	bool packed = vplat_val_has_feature(d, VPLAT_VIRTIO_F_RING_PACKED);
	if (size == 0)
		size = default_size(max, packed);
	if (size > max || (!packed && !is_pow2(size)) || size > VPLAT_VIRTQ_MAX_SIZE)
		return VPLAT_EINVAL;
	vq->dev = d;
	vq->index = index;
	vq->size = size;
	vq->packed = packed;
	vq->event_idx = vplat_val_has_feature(d, VPLAT_VIRTIO_F_EVENT_IDX);
	vq->indirect_ok = vplat_val_has_feature(d, VPLAT_VIRTIO_F_INDIRECT_DESC);
	vq->in_order = vplat_val_has_feature(d, VPLAT_VIRTIO_F_IN_ORDER);
	vq->notif_data = vplat_val_has_feature(d, VPLAT_VIRTIO_F_NOTIFICATION_DATA);
	uint64_t mark = vplat_val_mem_mark(d->mem);
	int r = alloc_rings(vq, d->mem);
	if (r == 0) {
		vq_restart(vq);
		r = vq_program(vq);
	}
	if (r) {
		vplat_val_vq_fini(vq);
		vplat_val_mem_release(d->mem, mark);
	}
	return r;
}

void vplat_val_vq_fini(struct vplat_val_vq *vq)
{
	if (!vq)
		return;
	free(vq->slots);
	free(vq->next);
	free(vq->order);
	vq->slots = NULL;
	vq->next = NULL;
	vq->order = NULL;
}

int vplat_val_vq_reset(struct vplat_val_vq *vq)
{
	int r = vplat_val_queue_reset(vq->dev, vq->index);
	if (r)
		return r;
	vq_restart(vq);
	return vq_program(vq);
}

int vplat_val_vq_use_indirect(struct vplat_val_vq *vq, bool on)
{
	if (on && !vq->indirect_ok)
		return VPLAT_ENOTSUP;
	if (on && !vq->ind) {
		uint64_t bytes = (uint64_t)vq->size * VPLAT_VAL_VQ_MAX_INDIRECT * IND_ENTRY;
		vq->ind = vplat_val_alloc(vq->dev->mem, bytes, 16, &vq->ind_gpa);
		if (!vq->ind)
			return VPLAT_ENOMEM;
	}
	vq->use_indirect = on;
	return 0;
}

int vplat_val_vq_add(struct vplat_val_vq *vq, const struct vplat_val_buf *bufs, unsigned n_out,
		     unsigned n_in, void *token)
{
	unsigned n = n_out + n_in;
	if (!vq || !bufs || !token || n == 0 || n < n_out)
		return VPLAT_EINVAL;
	/* No chain, indirect or not, may be longer than the queue size (sec: Indirect Descriptors).
	 */
	if (n > vq->size || (vq->use_indirect && n > VPLAT_VAL_VQ_MAX_INDIRECT))
		return VPLAT_E2BIG;
	uint64_t in_len = 0, gpa;
	for (unsigned i = 0; i < n; i++) {
		if (bufs[i].ptr && vplat_val_mem_gpa(vq->dev->mem, bufs[i].ptr, &gpa))
			return VPLAT_EFAULT;
		if (i >= n_out)
			in_len += bufs[i].len;
	}
	uint32_t in32 = in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)in_len;
	return val_ring(vq)->add(vq, bufs, n_out, n, in32, token);
}

void vplat_val_vq_notify(struct vplat_val_vq *vq)
{
	uint32_t value = vq->notify_value;
	if (vq->notif_data)
		value = val_ring(vq)->notify_data(vq);
	vq->dev->t->notify(vq->dev, vq->notify_off, value);
}

bool vplat_val_vq_kick(struct vplat_val_vq *vq)
{
	bool need = val_ring(vq)->kick_needed(vq);
	if (!need) {
		vq->kicks_suppressed++;
		return false;
	}
	vplat_val_vq_notify(vq);
	vq->kicks++;
	return true;
}

/* Hand back buffer @id's token and used length (checked against its writable length) and
 * return its ring space. */
static void complete(struct vplat_val_vq *vq, uint16_t id, uint32_t len, void **token,
		     uint32_t *out_len)
{
	struct vplat_val_vq_slot *s = &vq->slots[id];
	*token = s->token;
	if (len > s->in_len)
		vplat_val_vq_fail(vq, "used len larger than the buffer's writable part");
	if (out_len)
		*out_len = len;
	val_ring(vq)->release(vq, id);
	vq->num_free = (uint16_t)(vq->num_free + s->ndesc);
	s->token = NULL;
	vq->inflight--;
}

/* IN_ORDER: return the oldest buffer of the batch that ends at vq->batch_id. */
static int take_batch(struct vplat_val_vq *vq, void **token, uint32_t *len)
{
	uint16_t h = order_pop(vq);
	uint32_t l = vq->slots[h].in_len; /* skipped buffers count as fully written */
	if (h == (uint16_t)vq->batch_id) {
		l = vq->batch_len;
		vq->batch_id = -1;
	}
	complete(vq, h, l, token, len);
	return 0;
}

int vplat_val_vq_get_used(struct vplat_val_vq *vq, void **token, uint32_t *len)
{
	if (!vq || !token)
		return VPLAT_EINVAL;
	if (vq->in_order && vq->batch_id >= 0)
		return take_batch(vq, token, len);
	uint32_t id, l;
	unsigned window;
	int r = val_ring(vq)->next_used(vq, &id, &l, &window);
	if (r)
		return r;
	if (id >= vq->size)
		return vplat_val_vq_fail(vq, "used id out of range");
	if (vq->in_order) {
		unsigned k = order_find(vq, (uint16_t)id);
		if (k == 0)
			return vplat_val_vq_fail(vq, "used id not in flight");
		if (k > window)
			return vplat_val_vq_fail(vq,
						 "IN_ORDER batch larger than the used idx step");
		vq->batch_id = (int32_t)id;
		vq->batch_len = l;
		return take_batch(vq, token, len);
	}
	if (!vq->slots[id].token)
		return vplat_val_vq_fail(vq, "used id not in flight");
	complete(vq, (uint16_t)id, l, token, len);
	return 0;
}

int vplat_val_wait_used(struct vplat_val_vq *vq, void **token, uint32_t *len, uint32_t timeout_ms)
{
	uint64_t end = vplat_val_now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		int r = vplat_val_vq_get_used(vq, token, len);
		if (r != VPLAT_EAGAIN)
			return r;
		if (vplat_val_now_ns() > end)
			return VPLAT_ETIMEDOUT;
		vplat_val_idle(vq->dev);
	}
}

void vplat_val_vq_set_interrupts(struct vplat_val_vq *vq, bool on)
{
	val_ring(vq)->set_interrupts(vq, on);
}

/* ---- raw builders ------------------------------------------------------------------------ */

int vplat_val_vq_raw_desc(struct vplat_val_vq *vq, uint16_t index, uint64_t addr, uint32_t len,
			  uint16_t flags, uint16_t next_or_id)
{
	if (index >= vq->size)
		return VPLAT_EINVAL;
	if (vq->packed) {
		struct vplat_pvirtq_desc *d = &((struct vplat_pvirtq_desc *)vq->desc)[index];
		d->addr = vplat_cpu_to_le64(addr);
		d->len = vplat_cpu_to_le32(len);
		d->id = vplat_cpu_to_le16(next_or_id);
		val_wmb(); /* contents before flags */
		val_st16(&d->flags, flags);
	} else {
		vplat_val_vq_raw_table_set(vq, vq->desc, index, addr, len, flags, next_or_id);
	}
	return 0;
}

int vplat_val_vq_raw_avail(struct vplat_val_vq *vq, uint16_t head)
{
	if (vq->packed)
		return VPLAT_ENOTSUP;
	struct vplat_virtq_avail *avail = vq->driver;
	avail->ring[vq->avail_idx & (vq->size - 1)] = vplat_cpu_to_le16(head);
	val_wmb(); /* ring entry before idx */
	vq->avail_idx++;
	vq->num_added++;
	val_st16(&avail->idx, vq->avail_idx);
	return 0;
}

int vplat_val_vq_raw_set_avail_idx(struct vplat_val_vq *vq, uint16_t idx)
{
	if (vq->packed)
		return VPLAT_ENOTSUP;
	vq->num_added = (uint16_t)(vq->num_added + (uint16_t)(idx - vq->avail_idx));
	vq->avail_idx = idx;
	val_wmb(); /* earlier ring writes before idx */
	val_st16(&((struct vplat_virtq_avail *)vq->driver)->idx, idx);
	return 0;
}

int vplat_val_vq_raw_make_avail(struct vplat_val_vq *vq, uint16_t count)
{
	if (!vq->packed)
		return VPLAT_ENOTSUP;
	if (count == 0 || count > vq->size)
		return VPLAT_EINVAL;
	struct vplat_pvirtq_desc *ring = vq->desc;
	const uint16_t bits = VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED;
	uint16_t head = vq->avail_idx, head_flags = 0;
	for (uint16_t i = 0; i < count; i++) {
		struct vplat_pvirtq_desc *d = &ring[vq->avail_idx];
		uint16_t f = (uint16_t)((val_ld16(&d->flags) & ~bits) |
					(vq->avail_wrap ? VPLAT_VIRTQ_DESC_F_AVAIL
							: VPLAT_VIRTQ_DESC_F_USED));
		if (i == 0)
			head_flags = f;
		else
			val_st16(&d->flags, f);
		if (++vq->avail_idx == vq->size) {
			vq->avail_idx = 0;
			vq->avail_wrap = !vq->avail_wrap;
		}
	}
	vq->num_added = (uint16_t)(vq->num_added + count);
	val_wmb(); /* the rest of the list before its first descriptor */
	val_st16(&ring[head].flags, head_flags);
	return 0;
}

uint16_t vplat_val_vq_raw_next(const struct vplat_val_vq *vq)
{
	if (vq->packed)
		return (uint16_t)(vq->avail_idx | (vq->avail_wrap ? 0x8000u : 0));
	return vq->avail_idx;
}

void *vplat_val_vq_raw_table(struct vplat_val_vq *vq, uint16_t n, uint64_t *gpa)
{
	return vplat_val_alloc(vq->dev->mem, (uint64_t)(n ? n : 1) * IND_ENTRY, 16, gpa);
}

void vplat_val_vq_raw_table_set(const struct vplat_val_vq *vq, void *table, uint16_t i,
				uint64_t addr, uint32_t len, uint16_t flags, uint16_t next_or_id)
{
	if (vq->packed) {
		struct vplat_pvirtq_desc *d = &((struct vplat_pvirtq_desc *)table)[i];
		d->addr = vplat_cpu_to_le64(addr);
		d->len = vplat_cpu_to_le32(len);
		d->id = vplat_cpu_to_le16(next_or_id);
		d->flags = vplat_cpu_to_le16(flags);
	} else {
		struct vplat_virtq_desc *d = &((struct vplat_virtq_desc *)table)[i];
		d->addr = vplat_cpu_to_le64(addr);
		d->len = vplat_cpu_to_le32(len);
		d->flags = vplat_cpu_to_le16(flags);
		d->next = vplat_cpu_to_le16(next_or_id);
	}
}

int vplat_val_vq_raw_used(struct vplat_val_vq *vq, uint16_t ndesc, uint32_t *id, uint32_t *len)
{
	if (vq->packed) {
		const struct vplat_pvirtq_desc *d =
		    &((struct vplat_pvirtq_desc *)vq->desc)[vq->last_used];
		uint16_t flags = val_ld16(&d->flags);
		bool avail = flags & VPLAT_VIRTQ_DESC_F_AVAIL,
		     used = flags & VPLAT_VIRTQ_DESC_F_USED;
		if (avail != used || used != vq->used_wrap)
			return VPLAT_EAGAIN;
		val_rmb(); /* flags before contents */
		*id = val_ld16(&d->id);
		*len = val_ld32(&d->len);
		unsigned slot = vq->last_used + (ndesc ? ndesc : 1u);
		while (slot >= vq->size) {
			slot -= vq->size;
			vq->used_wrap = !vq->used_wrap;
		}
		vq->last_used = (uint16_t)slot;
		return 0;
	}
	struct vplat_virtq_used *used = vq->device;
	if (val_ld16(&used->idx) == vq->last_used)
		return VPLAT_EAGAIN;
	val_rmb(); /* idx before the entry */
	const struct vplat_virtq_used_elem *e = &used->ring[vq->last_used & (vq->size - 1)];
	*id = val_ld32(&e->id);
	*len = val_ld32(&e->len);
	vq->last_used++;
	return 0;
}
