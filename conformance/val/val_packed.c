/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of a packed virtqueue (packed-ring.tex): one descriptor ring shared with the
 * device, wrap counters on both sides, buffer IDs from a free list, event suppression areas.
 */
#include "val_internal.h"

#define AVAIL_F VPLAT_VIRTQ_DESC_F_AVAIL
#define USED_F	VPLAT_VIRTQ_DESC_F_USED

static struct vplat_pvirtq_desc *ring_of(const struct vplat_val_vq *vq)
{
	return vq->desc;
}

/* Driver event suppression: written by the driver, read by the device. */
static struct vplat_pvirtq_event_suppress *driver_event(const struct vplat_val_vq *vq)
{
	return vq->driver;
}

/* Device event suppression: written by the device, read by the driver. */
static struct vplat_pvirtq_event_suppress *device_event(const struct vplat_val_vq *vq)
{
	return vq->device;
}

/* AVAIL/USED bits marking a descriptor available in wrap phase @wrap. */
static uint16_t avail_bits(bool wrap)
{
	return wrap ? AVAIL_F : USED_F;
}

static void packed_init(struct vplat_val_vq *vq)
{
	for (uint16_t i = 0; i < vq->size; i++)
		vq->next[i] = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = vq->size;
	vq->avail_wrap = true;
	vq->used_wrap = true;
}

static void advance_avail(struct vplat_val_vq *vq)
{
	if (++vq->avail_idx == vq->size) {
		vq->avail_idx = 0;
		vq->avail_wrap = !vq->avail_wrap;
	}
}

static int packed_add(struct vplat_val_vq *vq, const struct vplat_val_buf *bufs, unsigned n_out,
		      unsigned n, uint32_t in_len, void *token)
{
	bool indirect = vq->use_indirect;
	uint16_t need = (uint16_t)(indirect ? 1 : n);
	/* Every buffer takes at least one slot, so a free slot implies a free ID. */
	if (vq->num_free < need)
		return VPLAT_ENOSPC;
	struct vplat_pvirtq_desc *ring = ring_of(vq);
	uint16_t id = vq->free_head;
	vq->free_head = vq->next[id];
	uint16_t head = vq->avail_idx, head_flags = 0;
	for (unsigned i = 0; i < need; i++) {
		struct vplat_pvirtq_desc *d = &ring[vq->avail_idx];
		uint16_t flags = avail_bits(vq->avail_wrap);
		if (indirect) {
			d->addr =
			    vplat_cpu_to_le64(vplat_val_vq_fill_indirect(vq, id, bufs, n_out, n));
			d->len =
			    vplat_cpu_to_le32((uint32_t)(n * sizeof(struct vplat_pvirtq_desc)));
			flags |= VPLAT_VIRTQ_DESC_F_INDIRECT;
		} else {
			d->addr = vplat_cpu_to_le64(val_buf_gpa(vq, &bufs[i]));
			d->len = vplat_cpu_to_le32(bufs[i].len);
			if (i >= n_out)
				flags |= VPLAT_VIRTQ_DESC_F_WRITE;
			if (i + 1 < need)
				flags |= VPLAT_VIRTQ_DESC_F_NEXT;
		}
		d->id = vplat_cpu_to_le16(id);
		if (i == 0)
			head_flags = flags;
		else
			val_st16(&d->flags, flags);
		advance_avail(vq);
	}
	vq->num_free = (uint16_t)(vq->num_free - need);
	vq->slots[id] = (struct vplat_val_vq_slot){.token = token, .in_len = in_len, .ndesc = need};
	if (vq->in_order)
		vplat_val_vq_order_push(vq, id);
	vq->inflight++;
	vq->num_added = (uint16_t)(vq->num_added + need);
	/* The whole list must be visible before its first descriptor turns available. */
	val_wmb();
	val_st16(&ring[head].flags, head_flags);
	return 0;
}

static bool packed_kick_needed(struct vplat_val_vq *vq)
{
	/* Publish the descriptors before reading the device's suppression state. */
	val_mb();
	const struct vplat_pvirtq_event_suppress *ev = device_event(vq);
	uint16_t off_wrap = val_ld16(&ev->desc);
	uint16_t flags = val_ld16(&ev->flags) & 3u;
	uint16_t new_idx = vq->avail_idx;
	uint16_t old_idx = (uint16_t)(new_idx - vq->num_added);
	vq->num_added = 0;
	if (flags == VPLAT_RING_EVENT_FLAGS_DESC && vq->event_idx) {
		uint16_t event = off_wrap & 0x7fffu;
		/* An event offset in the other wrap phase lies one ring length back. */
		if ((bool)(off_wrap >> 15) != vq->avail_wrap)
			event = (uint16_t)(event - vq->size);
		return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
	}
	return flags != VPLAT_RING_EVENT_FLAGS_DISABLE;
}

static void write_event_off(struct vplat_val_vq *vq)
{
	val_st16(&driver_event(vq)->desc,
		 (uint16_t)(vq->last_used | (vq->used_wrap ? 0x8000u : 0)));
}

static void packed_release(struct vplat_val_vq *vq, uint16_t id)
{
	/* The device skips forward by the slots the buffer occupied. */
	unsigned slot = vq->last_used + vq->slots[id].ndesc;
	if (slot >= vq->size) {
		slot -= vq->size;
		vq->used_wrap = !vq->used_wrap;
	}
	vq->last_used = (uint16_t)slot;
	vq->next[id] = vq->free_head;
	vq->free_head = id;
	if (vq->irq_enabled && vq->event_idx) {
		write_event_off(vq);
		val_mb();
	}
}

static int packed_next_used(struct vplat_val_vq *vq, uint32_t *id, uint32_t *len, unsigned *window)
{
	if (vq->inflight == 0)
		return VPLAT_EAGAIN;
	const struct vplat_pvirtq_desc *d = &ring_of(vq)[vq->last_used];
	uint16_t flags = val_ld16(&d->flags);
	bool avail = flags & AVAIL_F, used = flags & USED_F;
	if (avail != used || used != vq->used_wrap)
		return VPLAT_EAGAIN;
	/* Read the flags before the id and len they cover. */
	val_rmb();
	*id = val_ld16(&d->id);
	*len = val_ld32(&d->len);
	/* "Element Length is reserved for used descriptors without the VIRTQ_DESC_F_WRITE flag,
	 * and is ignored by drivers" (virtio 1.4, Packed Virtqueues / Element Address and Length):
	 * such a descriptor reports nothing written. DPDK's vhost library leaves the chain's
	 * readable length there when it completes a transmit buffer. */
	if (!(flags & VPLAT_VIRTQ_DESC_F_WRITE))
		*len = 0;
	*window = vq->inflight; /* one entry may close a batch of everything in flight */
	return 0;
}

static void packed_set_interrupts(struct vplat_val_vq *vq, bool on)
{
	vq->irq_enabled = on;
	uint16_t flags = VPLAT_RING_EVENT_FLAGS_DISABLE;
	if (on && vq->event_idx) {
		write_event_off(vq);
		/* The offset must be visible before the device sees DESC mode. */
		val_wmb();
		flags = VPLAT_RING_EVENT_FLAGS_DESC;
	} else if (on) {
		flags = VPLAT_RING_EVENT_FLAGS_ENABLE;
	}
	val_st16(&driver_event(vq)->flags, flags);
	val_mb();
}

static uint32_t packed_notify_data(const struct vplat_val_vq *vq)
{
	/* next_off / next_wrap name the next descriptor not yet made available. */
	return VPLAT_VIRTIO_NOTIFY_DATA(vq->notify_value, vq->avail_idx, vq->avail_wrap);
}

const struct vplat_val_ring_ops vplat_val_packed_ring = {
    .init = packed_init,
    .add = packed_add,
    .kick_needed = packed_kick_needed,
    .next_used = packed_next_used,
    .release = packed_release,
    .set_interrupts = packed_set_interrupts,
    .notify_data = packed_notify_data,
};
