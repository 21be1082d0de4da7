/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of a split virtqueue (split-ring.tex): descriptor free list (or ring-order
 * allocation under IN_ORDER), available ring, used ring, EVENT_IDX in both directions.
 */
#include "val_internal.h"

static struct vplat_virtq_desc *desc_of(const struct vplat_val_vq *vq)
{
	return vq->desc;
}

static struct vplat_virtq_avail *avail_of(const struct vplat_val_vq *vq)
{
	return vq->driver;
}

static struct vplat_virtq_used *used_of(const struct vplat_val_vq *vq)
{
	return vq->device;
}

/* used_event sits after the available ring's entries, avail_event after the used ring's. */
static vplat_le16 *used_event(const struct vplat_val_vq *vq)
{
	return &avail_of(vq)->ring[vq->size];
}

static vplat_le16 *avail_event(const struct vplat_val_vq *vq)
{
	return (vplat_le16 *)(void *)&used_of(vq)->ring[vq->size];
}

static void put_desc(struct vplat_virtq_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	d->addr = vplat_cpu_to_le64(addr);
	d->len = vplat_cpu_to_le32(len);
	d->flags = vplat_cpu_to_le16(flags);
	d->next = vplat_cpu_to_le16(next);
}

static void split_init(struct vplat_val_vq *vq)
{
	for (uint16_t i = 0; i < vq->size; i++)
		vq->next[i] = (uint16_t)(i + 1 == vq->size ? 0 : i + 1);
	vq->free_head = 0;
	vq->next_desc = 0;
	vq->num_free = vq->size;
}

/* Under IN_ORDER descriptors are used in ring order, wrapping at the table end. */
static uint16_t ring_next(const struct vplat_val_vq *vq, uint16_t i)
{
	return (uint16_t)(i + 1 == vq->size ? 0 : i + 1);
}

static int split_add(struct vplat_val_vq *vq, const struct vplat_val_buf *bufs, unsigned n_out,
		     unsigned n, uint32_t in_len, void *token)
{
	bool indirect = vq->use_indirect;
	uint16_t need = (uint16_t)(indirect ? 1 : n);
	if (vq->num_free < need)
		return VPLAT_ENOSPC;
	struct vplat_virtq_desc *desc = desc_of(vq);
	uint16_t head = vq->in_order ? vq->next_desc : vq->free_head;
	uint16_t idx = head, last = head;
	if (indirect) {
		uint64_t table = vplat_val_vq_fill_indirect(vq, head, bufs, n_out, n);
		put_desc(&desc[head], table, (uint32_t)(n * sizeof(struct vplat_virtq_desc)),
			 VPLAT_VIRTQ_DESC_F_INDIRECT, 0);
		idx = vq->in_order ? ring_next(vq, head) : vq->next[head];
	} else {
		for (unsigned i = 0; i < n; i++) {
			uint16_t nxt = vq->in_order ? ring_next(vq, idx) : vq->next[idx];
			uint16_t flags = i >= n_out ? VPLAT_VIRTQ_DESC_F_WRITE : 0;
			if (i + 1 < n)
				flags |= VPLAT_VIRTQ_DESC_F_NEXT;
			put_desc(&desc[idx], val_buf_gpa(vq, &bufs[i]), bufs[i].len, flags,
				 i + 1 < n ? nxt : 0);
			last = idx;
			idx = nxt;
		}
	}
	/* Free-list chains keep their links in vq->next, so freeing splices them back whole. */
	if (vq->in_order)
		vq->next_desc = idx;
	else
		vq->free_head = idx;
	vq->num_free = (uint16_t)(vq->num_free - need);
	vq->slots[head] = (struct vplat_val_vq_slot){
	    .token = token, .in_len = in_len, .ndesc = need, .last = last};
	if (vq->in_order)
		vplat_val_vq_order_push(vq, head);
	vq->inflight++;

	struct vplat_virtq_avail *avail = avail_of(vq);
	avail->ring[vq->avail_idx & (vq->size - 1)] = vplat_cpu_to_le16(head);
	/* Descriptors and the ring entry must be visible before the new idx. */
	val_wmb();
	vq->avail_idx++;
	val_st16(&avail->idx, vq->avail_idx);
	vq->num_added++;
	return 0;
}

static bool split_kick_needed(struct vplat_val_vq *vq)
{
	/* Publish idx before reading the device's suppression state (sec: Notifying The Device). */
	val_mb();
	uint16_t new_idx = vq->avail_idx;
	uint16_t old_idx = (uint16_t)(new_idx - vq->num_added);
	vq->num_added = 0;
	if (vq->event_idx) {
		uint16_t ev = val_ld16(avail_event(vq));
		return (uint16_t)(new_idx - ev - 1) < (uint16_t)(new_idx - old_idx);
	}
	return !(val_ld16(&used_of(vq)->flags) & VPLAT_VIRTQ_USED_F_NO_NOTIFY);
}

static void split_release(struct vplat_val_vq *vq, uint16_t id)
{
	/* Free-list chains go back whole; IN_ORDER descriptors are reused in ring order. */
	if (!vq->in_order) {
		vq->next[vq->slots[id].last] = vq->free_head;
		vq->free_head = id;
	}
	vq->last_used++;
	if (vq->irq_enabled && vq->event_idx) {
		/* Ask for a notification when the device writes the next entry. */
		val_st16(used_event(vq), vq->last_used);
		val_mb();
	}
}

static int split_next_used(struct vplat_val_vq *vq, uint32_t *id, uint32_t *len, unsigned *window)
{
	struct vplat_virtq_used *used = used_of(vq);
	uint16_t used_idx = val_ld16(&used->idx);
	if (used_idx == vq->last_used)
		return VPLAT_EAGAIN;
	uint16_t pending = (uint16_t)(used_idx - vq->last_used);
	if (pending > vq->inflight)
		return vplat_val_vq_fail(vq, "used idx moved past the buffers in flight");
	/* Read idx before the entry it covers. */
	val_rmb();
	const struct vplat_virtq_used_elem *e = &used->ring[vq->last_used & (vq->size - 1)];
	*id = val_ld32(&e->id);
	*len = val_ld32(&e->len);
	*window = pending; /* an IN_ORDER batch cannot end past the used idx step */
	return 0;
}

static void split_set_interrupts(struct vplat_val_vq *vq, bool on)
{
	vq->irq_enabled = on;
	if (vq->event_idx) {
		/* With EVENT_IDX flags must stay 0; park used_event one lap behind to disable. */
		val_st16(&avail_of(vq)->flags, 0);
		val_st16(used_event(vq), (uint16_t)(on ? vq->last_used : vq->last_used - 1));
	} else {
		val_st16(&avail_of(vq)->flags, on ? 0 : VPLAT_VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	val_mb();
}

static uint32_t split_notify_data(const struct vplat_val_vq *vq)
{
	/* next_off / next_wrap are bits 0..14 and 15 of the available index. */
	return VPLAT_VIRTIO_NOTIFY_DATA(vq->notify_value, vq->avail_idx & 0x7fffu,
					vq->avail_idx >> 15);
}

const struct vplat_val_ring_ops vplat_val_split_ring = {
    .init = split_init,
    .add = split_add,
    .kick_needed = split_kick_needed,
    .next_used = split_next_used,
    .release = split_release,
    .set_interrupts = split_set_interrupts,
    .notify_data = split_notify_data,
};
