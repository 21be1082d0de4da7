/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the files of conformance/val; not part of the public API. */
#ifndef VPLAT_VAL_INTERNAL_H
#define VPLAT_VAL_INTERNAL_H

#include <stdint.h>
#include "vplat/val/val.h"
#include "vplat/spec/virtio_notify.h"

/* The register transports (val_mmio.c, val_pci.c) over struct vplat_val_io. */
extern const struct vplat_val_transport_ops vplat_val_mmio_transport;
extern const struct vplat_val_transport_ops vplat_val_pci_transport;

/* Register access through the io binding. */
static inline uint64_t val_rd(struct vplat_val_dev *d, unsigned space, uint64_t off, unsigned sz)
{
	return d->io.ops->read(d->io.ctx, space, off, sz);
}
static inline void val_wr(struct vplat_val_dev *d, unsigned space, uint64_t off, unsigned sz,
			  uint64_t v)
{
	d->io.ops->write(d->io.ctx, space, off, sz, v);
}

/* irq_count and wait of the register transports: vplat_val_io_ops.irq_count and .poll. */
uint64_t vplat_val_io_irq_count(struct vplat_val_dev *d);
void vplat_val_io_wait(struct vplat_val_dev *d);

/* Monotonic clock in nanoseconds. */
uint64_t vplat_val_now_ns(void);
/* Give an asynchronous backend a chance, or sleep briefly. */
void vplat_val_idle(struct vplat_val_dev *d);

/*
 * Memory ordering against a device on another CPU (or another process). The loopback device
 * runs synchronously, but the driver also runs against real hypervisors.
 */
#define val_wmb() __atomic_thread_fence(__ATOMIC_RELEASE) /* stores before stores */
#define val_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE) /* loads before loads */
#define val_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST) /* stores before loads */

/* Single-copy-atomic little-endian accesses to ring fields the device also touches. */
static inline uint16_t val_ld16(const void *p)
{
	return vplat_le16_to_cpu(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}
static inline void val_st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, vplat_cpu_to_le16(v), __ATOMIC_RELAXED);
}
static inline uint32_t val_ld32(const void *p)
{
	return vplat_le32_to_cpu(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

/* Guest address of a segment already checked by vplat_val_vq_add(). */
static inline uint64_t val_buf_gpa(const struct vplat_val_vq *vq, const struct vplat_val_buf *b)
{
	if (!b->ptr)
		return b->gpa;
	return vq->dev->mem->gpa +
	       (uint64_t)((const uint8_t *)b->ptr - (const uint8_t *)vq->dev->mem->base);
}

/* What differs between the split and the packed layout (val_split.c, val_packed.c); val_vq.c
 * does the rest. */
struct vplat_val_ring_ops {
	/* Set up the free list and the wrap counters of a zeroed ring. */
	void (*init)(struct vplat_val_vq *vq);
	/* Make @n segments available as one buffer (checked by vplat_val_vq_add()). */
	int (*add)(struct vplat_val_vq *vq, const struct vplat_val_buf *bufs, unsigned n_out,
		   unsigned n, uint32_t in_len, void *token);
	/* Whether the device's event suppression wants a kick for what was added. */
	bool (*kick_needed)(struct vplat_val_vq *vq);
	/* Read the next used entry without consuming it (VPLAT_EAGAIN if there is none,
	 * VPLAT_EPROTO on a broken ring); @window: buffers in flight an IN_ORDER batch may span. */
	int (*next_used)(struct vplat_val_vq *vq, uint32_t *id, uint32_t *len, unsigned *window);
	/* Give back the ring space of buffer @id and move past its used entry. */
	void (*release)(struct vplat_val_vq *vq, uint16_t id);
	/* Ask for used-buffer notifications, or stop asking. */
	void (*set_interrupts)(struct vplat_val_vq *vq, bool on);
	/* The NOTIFICATION_DATA value naming the next descriptor to be made available. */
	uint32_t (*notify_data)(const struct vplat_val_vq *vq);
};

extern const struct vplat_val_ring_ops vplat_val_split_ring;
extern const struct vplat_val_ring_ops vplat_val_packed_ring;

static inline const struct vplat_val_ring_ops *val_ring(const struct vplat_val_vq *vq)
{
	return vq->packed ? &vplat_val_packed_ring : &vplat_val_split_ring;
}

/* Record the first device protocol violation on @vq. Returns VPLAT_EPROTO. */
int vplat_val_vq_fail(struct vplat_val_vq *vq, const char *what);
/* IN_ORDER bookkeeping: remember the IDs in the order they were made available. */
void vplat_val_vq_order_push(struct vplat_val_vq *vq, uint16_t id);
/* Build the indirect table of slot @slot from the segments; returns its guest address. */
uint64_t vplat_val_vq_fill_indirect(struct vplat_val_vq *vq, uint16_t slot,
				    const struct vplat_val_buf *bufs, unsigned n_out, unsigned n);

#endif
