/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device side of split and packed virtqueues.
 *
 * Spec: split-ring.tex (sec: Basic Facilities of a Virtio Device / Split Virtqueues) and
 * packed-ring.tex (sec: Packed Virtqueues). The driver is untrusted: each descriptor is copied
 * out of guest memory once before it is used, every walk is bounded, and any inconsistency
 * raises DEVICE_NEEDS_RESET through vq_fail().
 *
 * The queue reads only its own state: the device pushes its liveness (vq->dev_live), the
 * guest memory map (vq->mem, re-translated through vplat_vq_map() when the device is told the
 * map changed) and the transport's interrupt (vq->interrupt_used) into it. The one call up is
 * vq->failed, when the driver broke the ring. This file does not know struct vplat_device.
 */
#include <string.h>
#include "core/barrier.h"
#include "core/vq_internal.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"

static inline uint16_t le16(vplat_le16 v) { return vplat_le16_to_cpu(v); }
static inline uint32_t le32(vplat_le32 v) { return vplat_le32_to_cpu(v); }
static inline uint64_t le64(vplat_le64 v) { return vplat_le64_to_cpu(v); }

/* The driver broke the ring: the device needs a reset, the queue stops. */
static int vq_fail(struct vplat_vq *vq, int reason)
{
	vq->live = false;
	if (vq->failed)
		vq->failed(vq, reason);
	return VPLAT_EPROTO;
}

void vplat_vq_reset_state(struct vplat_vq *vq)
{
	struct vplat_vq keep = *vq;

	(void)memset(vq, 0, sizeof(*vq));
	/* What the device pushed in stays: owner, index, maximum, liveness, map, callbacks. */
	vq->dev = keep.dev;
	vq->index = keep.index;
	vq->size_max = keep.size_max;
	vq->dev_live = keep.dev_live;
	vq->mem = keep.mem;
	vq->interrupt_used = keep.interrupt_used;
	vq->failed = keep.failed;
	vq->track = keep.track;
	vq->budget = keep.budget;
	vq->size = keep.size_max;
	vq->msix_vector = 0xffff;
	vq->avail_wrap = true;
	vq->used_wrap = true;
}

static bool aligned(uint64_t gpa, const void *hva, uint64_t a)
{
	return (gpa & (a - 1)) == 0 && ((uintptr_t)hva & (a - 1)) == 0;
}

int vplat_vq_map(struct vplat_vq *vq)
{
	const struct vplat_mem *m = vq->mem;
	uint64_t dsz, drsz, dvsz, da = 16, dra, dva;

	if (vq->packed) {
		dsz = VPLAT_PVIRTQ_DESC_SIZE(vq->size);
		drsz = dvsz = VPLAT_PVIRTQ_EVENT_SIZE;
		dra = dva = 4;
	} else {
		dsz = VPLAT_VIRTQ_DESC_SIZE(vq->size);
		drsz = VPLAT_VIRTQ_AVAIL_SIZE(vq->size);
		dvsz = VPLAT_VIRTQ_USED_SIZE(vq->size);
		dra = VPLAT_VIRTQ_AVAIL_ALIGN;
		dva = VPLAT_VIRTQ_USED_ALIGN;
	}
	void *d = vplat_mem_translate(m, vq->desc_addr, dsz);
	void *dr = vplat_mem_translate(m, vq->driver_addr, drsz);
	void *dv = vplat_mem_translate(m, vq->device_addr, dvsz);
	vq->live = false;
	if (!d || !dr || !dv)
		return VPLAT_EFAULT;
	if (!aligned(vq->desc_addr, d, da) || !aligned(vq->driver_addr, dr, dra) ||
	    !aligned(vq->device_addr, dv, dva))
		return VPLAT_EFAULT;
	vq->desc = d;
	vq->driver = dr;
	vq->device = dv;
	vq->mem_generation = m->generation;
	vq->live = true;
	return 0;
}

int vplat_vq_start(struct vplat_vq *vq, uint64_t features)
{
	vq->packed = features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	vq->event_idx = features & VPLAT_BIT(VPLAT_VIRTIO_F_EVENT_IDX);
	vq->indirect = features & VPLAT_BIT(VPLAT_VIRTIO_F_INDIRECT_DESC);
	vq->in_order = features & VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER);
	if (vq->size == 0 || vq->size > vq->size_max)
		return VPLAT_EINVAL;
	/* Split rings need a power-of-two size (sec: Split Virtqueues); packed rings do not. */
	if (!vq->packed && (vq->size & (vq->size - 1)) != 0)
		return VPLAT_EINVAL;
	return vplat_vq_map(vq);
}

/*
 * The ring pointers still belong to the current memory map? vplat_device_remap() keeps them
 * current; this is the safety net for an embedder that changed the map without calling it,
 * so a stale mapping is never touched. The map is the queue's own (vq->mem): one compare,
 * no call up.
 */
static inline int vq_current(struct vplat_vq *vq)
{
	if (vq->mem_generation == vq->mem->generation)
		return 0;
	if (vplat_vq_map(vq) != 0) {
		(void)vq_fail(vq, VPLAT_EFAULT);
		return VPLAT_ENODEV;
	}
	return 0;
}

/* Ready to touch the rings? Only the queue's own state: the device keeps it current. */
static inline int vq_usable(struct vplat_vq *vq)
{
	if (!(vq->live && vq->enabled && vq->dev_live))
		return VPLAT_ENODEV;
	return vq_current(vq);
}

/* --- chain building, shared by both layouts ------------------------------------------- */

struct walk {
	struct vplat_chain *c;
	uint32_t n;      /* segments stored */
	bool seen_write; /* a device-writable descriptor was seen */
	bool overflow;   /* caller's iov too small: keep validating, report E2BIG */
	bool has_tail;   /* a non-empty writable descriptor was seen */
	uint64_t tail;   /* guest address of the last writable byte seen so far */
};

/* Add one buffer descriptor to the chain. VPLAT_EPROTO on a driver error. */
static int walk_add(struct vplat_vq *vq, struct walk *w, uint64_t addr, uint32_t len, bool write)
{
	struct vplat_chain *c = w->c;

	/* sec: Message Framing -- device-writable parts follow device-readable ones. */
	if (write)
		w->seen_write = true;
	else if (w->seen_write)
		return VPLAT_EPROTO;
	if (len == 0)
		return 0;
	if (write) {
		w->has_tail = true;
		w->tail = addr + (len - 1); /* wrap is caught by the translation below */
	}
	if (w->overflow) {
		/* Still insist that the buffer is guest memory. */
		return vplat_mem_translate(vq->mem, addr, 1) ? 0 : VPLAT_EPROTO;
	}
	uint32_t before = w->n;
	int rc = vplat_mem_map(vq->mem, addr, len, c->iov, c->iov_cap, &w->n);
	if (rc == VPLAT_E2BIG) {
		w->overflow = true;
		return 0;
	}
	if (rc != 0)
		return VPLAT_EPROTO;
	if (write) {
		c->nwrite += w->n - before;
		c->write_len += len;
	} else {
		c->nread += w->n - before;
		c->read_len += len;
	}
	return 0;
}

/* Fetch entry i of an indirect table: direct when it is contiguous, else through the map. */
static int table_get(struct vplat_vq *vq, const void *host, uint64_t gpa, uint32_t i, void *d)
{
	if (host) {
		memcpy(d, (const uint8_t *)host + (size_t)i * 16u, 16);
		return 0;
	}
	return vplat_mem_read(vq->mem, gpa + (uint64_t)i * 16u, d, 16);
}

/* Validate an indirect descriptor and locate its table. Returns entries or a negative code. */
static int32_t indirect_open(struct vplat_vq *vq, uint64_t addr, uint32_t len, const void **host)
{
	if (!vq->indirect || len == 0 || (len & 15u) != 0u || (len >> 4) > VPLAT_VQ_MAX_INDIRECT)
		return VPLAT_EPROTO;
	*host = vplat_mem_translate(vq->mem, addr, len);
	if (!*host) {
		/* Not contiguous in host memory: still legal if every byte is guest memory. */
		uint8_t probe;
		if (vplat_mem_read(vq->mem, addr, &probe, 1) != 0 ||
		    vplat_mem_read(vq->mem, addr + len - 1, &probe, 1) != 0)
			return VPLAT_EPROTO;
	}
	return (int32_t)(len >> 4);
}

static void chain_begin(struct vplat_chain *c, struct walk *w)
{
	c->nread = 0;
	c->nwrite = 0;
	c->read_len = 0;
	c->write_len = 0;
	c->ndesc = 0;
	c->write_tail = NULL;
	c->truncated = false;
	w->c = c;
	w->n = 0;
	w->seen_write = false;
	w->overflow = false;
	w->has_tail = false;
}

/* The chain is valid: record where its last writable byte is. */
static void chain_end(struct vplat_vq *vq, struct walk *w)
{
	w->c->truncated = w->overflow;
	if (!w->has_tail)
		return;
	if (!w->overflow) {
		/* Nothing but writable descriptors follows the last non-empty writable one, so the
		 * last segment mapped ends at its last byte: no second lookup. */
		const struct vplat_iov *v = &w->c->iov[w->n - 1];
		w->c->write_tail = (uint8_t *)v->base + (v->len - 1);
	} else {
		w->c->write_tail = vplat_mem_translate(vq->mem, w->tail, 1);
	}
}

/* --- split ring ------------------------------------------------------------------------ */

/* Walk a split indirect table (sec: The Virtqueue Descriptor Table / Indirect Descriptors). */
static int split_walk_indirect(struct vplat_vq *vq, struct walk *w, uint64_t addr, uint32_t len)
{
	const void *host;
	int32_t max = indirect_open(vq, addr, len, &host);
	struct vplat_virtq_desc d;
	uint32_t i = 0, count = 0;

	if (max < 0)
		return VPLAT_EPROTO;
	for (;;) {
		if (++count > (uint32_t)max || table_get(vq, host, addr, i, &d) != 0)
			return VPLAT_EPROTO; /* loop inside the table, or table left guest memory */
		uint16_t flags = le16(d.flags);
		if (flags & VPLAT_VIRTQ_DESC_F_INDIRECT)
			return VPLAT_EPROTO; /* only one table per descriptor */
		if (walk_add(vq, w, le64(d.addr), le32(d.len), flags & VPLAT_VIRTQ_DESC_F_WRITE))
			return VPLAT_EPROTO;
		if (!(flags & VPLAT_VIRTQ_DESC_F_NEXT))
			return 0;
		i = le16(d.next);
		if (i >= (uint32_t)max)
			return VPLAT_EPROTO;
	}
}

static int split_walk(struct vplat_vq *vq, struct walk *w, uint16_t head)
{
	const struct vplat_virtq_desc *table = vq->desc;
	struct vplat_virtq_desc d;
	uint32_t count = 0;
	uint16_t i = head;

	for (;;) {
		/* A chain is never longer than the queue: this also ends descriptor loops. */
		if (++count > vq->size)
			return VPLAT_EPROTO;
		(void)memcpy(&d, &table[i], sizeof(d)); /* one snapshot; the driver may scribble */
		uint16_t flags = le16(d.flags);
		if (flags & VPLAT_VIRTQ_DESC_F_INDIRECT) {
			/* "zero or more normal chained descriptors followed by a single indirect" */
			if (flags & VPLAT_VIRTQ_DESC_F_NEXT)
				return VPLAT_EPROTO;
			return split_walk_indirect(vq, w, le64(d.addr), le32(d.len));
		}
		if (walk_add(vq, w, le64(d.addr), le32(d.len), flags & VPLAT_VIRTQ_DESC_F_WRITE))
			return VPLAT_EPROTO;
		if (!(flags & VPLAT_VIRTQ_DESC_F_NEXT))
			return 0;
		i = le16(d.next);
		if (i >= vq->size)
			return VPLAT_EPROTO;
	}
}

static int split_pop(struct vplat_vq *vq, struct vplat_chain *c)
{
	struct vplat_virtq_avail *avail = vq->driver;
	uint16_t avail_idx = le16(vplat_load16(&avail->idx));
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	struct walk w;

	if (vq->nresubmit) {
		/* A request a previous back-end took and did not complete: its head again. */
		uint16_t head = *vq->resubmit++;
		vq->nresubmit--;
		if (head >= vq->size)
			return vq_fail(vq, VPLAT_EPROTO);
		chain_begin(c, &w);
		if (split_walk(vq, &w, head) != 0)
			return vq_fail(vq, VPLAT_EPROTO);
		c->id = head;
		c->ndesc = 1;
		chain_end(vq, &w);
		return w.overflow ? VPLAT_E2BIG : 0;
	}
	if (pending == 0)
		return VPLAT_EAGAIN;
	if (pending > vq->size)
		return vq_fail(vq, VPLAT_EPROTO); /* avail idx jumped by more than the queue */
	vplat_rmb(); /* read the ring entry only after the idx that published it */
	uint16_t head = le16(vplat_load16(&avail->ring[vq->last_avail & (vq->size - 1)]));
	if (head >= vq->size)
		return vq_fail(vq, VPLAT_EPROTO);
	chain_begin(c, &w);
	if (split_walk(vq, &w, head) != 0)
		return vq_fail(vq, VPLAT_EPROTO);
	c->id = head;
	c->ndesc = 1;
	chain_end(vq, &w);
	vq->last_avail++;
	if (vq->event_idx && !vq->kick_disabled) {
		/* avail_event follows the used ring: kick us when the next entry appears. */
		struct vplat_virtq_used *used = vq->device;
		vplat_store16(&used->ring[vq->size], vplat_cpu_to_le16(vq->last_avail));
	}
	return w.overflow ? VPLAT_E2BIG : 0;
}

/*
 * Pop up to @p n chains with one read of the available index, one read barrier and one
 * avail_event write. Prefetches the head descriptor of the next chain while walking this one.
 * Returns the chains popped (0 with *err set when none). On a driver error the chains popped
 * before it are returned (they are valid; the queue is failed, so pushing them is refused).
 */
static uint32_t split_pop_burst(struct vplat_vq *vq, struct vplat_chain *chains, uint32_t n,
				int *err)
{
	const struct vplat_virtq_avail *avail = vq->driver;
	const struct vplat_virtq_desc *table = vq->desc;
	uint16_t avail_idx = le16(vplat_load16(&avail->idx));
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	uint16_t mask = (uint16_t)(vq->size - 1u);
	uint32_t i, m;
	struct walk w;

	*err = 0;
	if (pending == 0u) {
		*err = VPLAT_EAGAIN;
		return 0;
	}
	if (pending > vq->size) {
		*err = vq_fail(vq, VPLAT_EPROTO); /* avail idx jumped by more than the queue */
		return 0;
	}
	vplat_rmb(); /* read the ring entries only after the idx that published them */
	m = pending < n ? pending : n;
	uint16_t head = le16(vplat_load16(&avail->ring[vq->last_avail & mask]));
	for (i = 0; i < m; i++) {
		uint16_t next = 0;
		if (i + 1u < m) {
			next = le16(vplat_load16(&avail->ring[(uint16_t)(vq->last_avail + 1u) & mask]));
			if (next < vq->size)
				vplat_prefetch(&table[next]);
		}
		struct vplat_chain *c = &chains[i];
		if (head >= vq->size) {
			*err = vq_fail(vq, VPLAT_EPROTO);
			break;
		}
		chain_begin(c, &w);
		if (split_walk(vq, &w, head) != 0) {
			*err = vq_fail(vq, VPLAT_EPROTO);
			break;
		}
		c->id = head;
		c->ndesc = 1;
		chain_end(vq, &w);
		vq->last_avail++;
		head = next;
	}
	if (i > 0u && vq->event_idx && !vq->kick_disabled) {
		struct vplat_virtq_used *used = vq->device;
		vplat_store16(&used->ring[vq->size], vplat_cpu_to_le16(vq->last_avail));
	}
	return i;
}

static void split_push(struct vplat_vq *vq, uint16_t id, uint32_t len)
{
	struct vplat_virtq_used *used = vq->device;
	struct vplat_virtq_used_elem e = {vplat_cpu_to_le32(id), vplat_cpu_to_le32(len)};

	memcpy(&used->ring[vq->used_idx & (vq->size - 1)], &e, sizeof(e));
	vplat_wmb(); /* the element is visible before the idx that publishes it */
	vq->used_idx++;
	vplat_store16(&used->idx, vplat_cpu_to_le16(vq->used_idx));
}

/* Write @p n used elements, then publish them with one barrier and one used-index store. */
static void split_push_burst(struct vplat_vq *vq, const struct vplat_chain *chains, uint32_t n,
			     const uint32_t *written)
{
	struct vplat_virtq_used *used = vq->device;
	uint16_t mask = (uint16_t)(vq->size - 1u);
	uint16_t idx = vq->used_idx;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = (written != NULL) ? written[i] : 0u;
		if (len > chains[i].write_len)
			len = (uint32_t)chains[i].write_len;
		struct vplat_virtq_used_elem e = {vplat_cpu_to_le32(chains[i].id), vplat_cpu_to_le32(len)};
		(void)memcpy(&used->ring[idx & mask], &e, sizeof(e));
		idx++;
	}
	vplat_wmb(); /* the elements are visible before the idx that publishes them */
	vq->used_idx = idx;
	vplat_store16(&used->idx, vplat_cpu_to_le16(idx));
}

/* sec: Used Buffer Notification Suppression; the classic vring_need_event() test. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

static bool split_should_notify(struct vplat_vq *vq, uint16_t old, bool valid)
{
	const struct vplat_virtq_avail *avail = vq->driver;

	if (!vq->event_idx)
		return !(le16(vplat_load16(&avail->flags)) & VPLAT_VIRTQ_AVAIL_F_NO_INTERRUPT);
	uint16_t used_event = le16(vplat_load16(&avail->ring[vq->size]));
	return !valid || need_event(used_event, vq->used_idx, old);
}

static void split_set_notification(struct vplat_vq *vq, bool enable)
{
	struct vplat_virtq_used *used = vq->device;

	if (!vq->event_idx)
		vplat_store16(&used->flags,
			      vplat_cpu_to_le16((uint16_t)(enable ? 0u : VPLAT_VIRTQ_USED_F_NO_NOTIFY)));
	else if (enable) /* with EVENT_IDX used->flags stays 0 and avail_event does the work */
		vplat_store16(&used->ring[vq->size], vplat_cpu_to_le16(vq->last_avail));
}

static bool split_has_avail(struct vplat_vq *vq)
{
	const struct vplat_virtq_avail *avail = vq->driver;
	return vq->nresubmit || le16(vplat_load16(&avail->idx)) != vq->last_avail;
}

/* --- packed ring ----------------------------------------------------------------------- */

#ifdef VPLAT_TEST_HOOKS
void (*vplat_vq_test_packed_flags)(const struct vplat_vq *vq, uint16_t slot) = NULL;

static void packed_flags_stored(const struct vplat_vq *vq, uint16_t slot)
{
	if (vplat_vq_test_packed_flags != NULL)
		vplat_vq_test_packed_flags(vq, slot);
}
#else
static inline void packed_flags_stored(const struct vplat_vq *vq, uint16_t slot)
{
	(void)vq;
	(void)slot;
}
#endif

static bool packed_desc_avail(uint16_t flags, bool wrap)
{
	bool avail = flags & VPLAT_VIRTQ_DESC_F_AVAIL;
	bool used = flags & VPLAT_VIRTQ_DESC_F_USED;
	return avail == wrap && used != wrap;
}

/* Packed indirect table: len/16 entries used in order; only WRITE is meaningful. */
static int packed_walk_indirect(struct vplat_vq *vq, struct walk *w, uint64_t addr, uint32_t len)
{
	const void *host;
	int32_t n = indirect_open(vq, addr, len, &host);
	struct vplat_pvirtq_desc d;

	if (n < 0)
		return VPLAT_EPROTO;
	for (int32_t i = 0; i < n; i++) {
		if (table_get(vq, host, addr, (uint32_t)i, &d) != 0)
			return VPLAT_EPROTO;
		uint16_t flags = le16(d.flags);
		/* "The driver MUST NOT set any flags except DESC_F_WRITE within an indirect
		 * descriptor" (drivernormative: Packed Virtqueues / ... / Indirect Descriptors).
		 * Other reserved bits are ignored, as the text says; a nested INDIRECT is the one
		 * that asks for a second table, and vplat refuses it as the driver error it is. */
		if (flags & VPLAT_VIRTQ_DESC_F_INDIRECT)
			return VPLAT_EPROTO;
		if (walk_add(vq, w, le64(d.addr), le32(d.len), flags & VPLAT_VIRTQ_DESC_F_WRITE))
			return VPLAT_EPROTO;
	}
	return 0;
}

/* One descriptor @p d of a packed chain, from the ring or a replayed copy, into @p w and @p c;
 * *@p last says whether it ended the chain. 0, or VPLAT_EPROTO for a driver error. */
static int packed_take(struct vplat_vq *vq, struct walk *w, struct vplat_chain *c,
		       const struct vplat_pvirtq_desc *d, bool *last)
{
	uint16_t flags = le16(d->flags);
	int rc = 0;

	c->ndesc++;
	c->id = le16(d->id); /* the buffer ID lives in the last descriptor */
	*last = true;
	if ((flags & VPLAT_VIRTQ_DESC_F_INDIRECT) != 0u) {
		if (((flags & VPLAT_VIRTQ_DESC_F_NEXT) != 0u) ||
		    (packed_walk_indirect(vq, w, le64(d->addr), le32(d->len)) != 0)) {
			rc = VPLAT_EPROTO;
		}
	} else if (walk_add(vq, w, le64(d->addr), le32(d->len),
			    (flags & VPLAT_VIRTQ_DESC_F_WRITE) != 0u) != 0) {
		rc = VPLAT_EPROTO;
	} else {
		*last = (flags & VPLAT_VIRTQ_DESC_F_NEXT) == 0u;
	}
	return rc;
}

/* A chain a previous back-end process had taken (vplat_vq::replay): from its copies, the
 * available position unchanged. */
static int packed_pop_replay(struct vplat_vq *vq, struct vplat_chain *c)
{
	struct walk w;
	bool last = false;

	chain_begin(c, &w);
	while (!last) {
		/* A chain never has more descriptors than the ring, nor more than were given. */
		if ((vq->nreplay == 0u) || (c->ndesc >= vq->size)) {
			return vq_fail(vq, VPLAT_EPROTO);
		}
		const struct vplat_pvirtq_desc *d = vq->replay;
		vq->replay = &vq->replay[1];
		vq->nreplay--;
		if (packed_take(vq, &w, c, d, &last) != 0) {
			return vq_fail(vq, VPLAT_EPROTO);
		}
	}
	chain_end(vq, &w);
	return w.overflow ? VPLAT_E2BIG : 0;
}

static int packed_pop(struct vplat_vq *vq, struct vplat_chain *c)
{
	const struct vplat_pvirtq_desc *ring = vq->desc;
	uint16_t slot = vq->last_avail;
	bool wrap = vq->avail_wrap;
	bool last = false;
	struct vplat_pvirtq_desc d;
	struct walk w;

	if (vq->nreplay != 0u) {
		return packed_pop_replay(vq, c);
	}
	if (!packed_desc_avail(le16(vplat_load16(&ring[slot].flags)), wrap))
		return VPLAT_EAGAIN;
	vplat_rmb(); /* read the descriptor body only after its flags said it is ours */
	chain_begin(c, &w);
	while (!last) {
		/* A chain never has more descriptors than the ring (sec: Packed Virtqueues). */
		if (c->ndesc >= vq->size)
			return vq_fail(vq, VPLAT_EPROTO);
		(void)memcpy(&d, &ring[slot], sizeof(d));
		if (++slot == vq->size) {
			slot = 0;
			wrap = !wrap;
		}
		if (packed_take(vq, &w, c, &d, &last) != 0)
			return vq_fail(vq, VPLAT_EPROTO);
	}
	chain_end(vq, &w);
	vq->last_avail = slot;
	vq->avail_wrap = wrap;
	if (vq->event_idx && !vq->kick_disabled) {
		struct vplat_pvirtq_event_suppress *ev = vq->device;
		vplat_store16(&ev->desc, vplat_cpu_to_le16((uint16_t)(slot | (wrap ? 0x8000u : 0))));
	}
	return w.overflow ? VPLAT_E2BIG : 0;
}

static void packed_push(struct vplat_vq *vq, uint16_t id, uint32_t len, uint16_t ndesc)
{
	struct vplat_pvirtq_desc *d = &((struct vplat_pvirtq_desc *)vq->desc)[vq->used_idx];
	uint16_t flags = vq->used_wrap ? (VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED) : 0;

	if (len)
		flags |= VPLAT_VIRTQ_DESC_F_WRITE;
	d->id = vplat_cpu_to_le16(id);
	d->len = vplat_cpu_to_le32(len);
	vplat_wmb(); /* id and len are visible before the flags that hand the slot back */
	vplat_store16(&d->flags, vplat_cpu_to_le16(flags));
	packed_flags_stored(vq, vq->used_idx);
	vq->used_idx = (uint16_t)(vq->used_idx + ndesc);
	if (vq->used_idx >= vq->size) {
		vq->used_idx = (uint16_t)(vq->used_idx - vq->size);
		vq->used_wrap = !vq->used_wrap;
	}
}

static bool packed_should_notify(struct vplat_vq *vq, uint16_t old, bool valid)
{
	const struct vplat_pvirtq_event_suppress *ev = vq->driver;
	uint16_t flags = le16(vplat_load16(&ev->flags)) & 0x3u;

	if (flags == VPLAT_RING_EVENT_FLAGS_DISABLE)
		return false;
	if (flags != VPLAT_RING_EVENT_FLAGS_DESC || !vq->event_idx)
		return true; /* ENABLE, or DESC that needs EVENT_IDX we did not negotiate */
	uint16_t off_wrap = le16(vplat_load16(&ev->desc));
	uint16_t off = off_wrap & 0x7fffu;
	if ((bool)(off_wrap >> 15) != vq->used_wrap)
		off = (uint16_t)(off - vq->size);
	return !valid || need_event(off, vq->used_idx, old);
}

static void packed_set_notification(struct vplat_vq *vq, bool enable)
{
	struct vplat_pvirtq_event_suppress *ev = vq->device;
	uint16_t flags = VPLAT_RING_EVENT_FLAGS_DISABLE;

	if (enable && vq->event_idx) {
		uint16_t off = (uint16_t)(vq->last_avail | (vq->avail_wrap ? 0x8000u : 0));
		vplat_store16(&ev->desc, vplat_cpu_to_le16(off));
		vplat_wmb(); /* the position is visible before the mode that points at it */
		flags = VPLAT_RING_EVENT_FLAGS_DESC;
	} else if (enable) {
		flags = VPLAT_RING_EVENT_FLAGS_ENABLE;
	}
	vplat_store16(&ev->flags, vplat_cpu_to_le16(flags));
}

static bool packed_has_avail(struct vplat_vq *vq)
{
	const struct vplat_pvirtq_desc *ring = vq->desc;
	return (vq->nreplay != 0u) ||
	       packed_desc_avail(le16(vplat_load16(&ring[vq->last_avail].flags)), vq->avail_wrap);
}

/* --- public API ------------------------------------------------------------------------ */

/*
 * Inside a dispatch call: may one more chain be popped? When the budget is used up the pop
 * is refused as if the ring were empty, and if chains are still there the queue says it has
 * more work (VPLAT-FFI-013).
 */
static bool budget_allows(struct vplat_vq *vq)
{
	if (!vq->in_dispatch || vq->budget_left != 0u)
		return true;
	if (vq->nresubmit != 0u || (vq->packed ? packed_has_avail(vq) : split_has_avail(vq)))
		vq->more = true;
	return false;
}

bool vplat_vq_dispatch_begin(struct vplat_vq *vq)
{
	if (vq->in_dispatch)
		return false; /* inside a dispatch already: its budget goes on */
	vq->more = false;
	vq->budget_left = (vq->budget != 0u && vq->budget < vq->size) ? vq->budget : vq->size;
	vq->in_dispatch = true;
	return true;
}

bool vplat_vq_dispatch_end(struct vplat_vq *vq, bool opened)
{
	if (opened)
		vq->in_dispatch = false;
	return vq->more && vq->live && vq->enabled;
}

int vplat_vq_pop(struct vplat_vq *vq, struct vplat_chain *chain)
{
	int rc = vq_usable(vq);

	if (rc != 0)
		return rc;
	if (!budget_allows(vq))
		return VPLAT_EAGAIN;
	rc = vq->packed ? packed_pop(vq, chain) : split_pop(vq, chain);
	if (rc == 0 || rc == VPLAT_E2BIG) {
		if (vq->in_dispatch && --vq->budget_left == 0u)
			(void)budget_allows(vq); /* the last one: say now whether work is left */
		chain->seq = vq->pop_seq++;
		vq->inflight++;
		if (vq->track)
			vq->track(vq, VPLAT_VQ_TRACK_POP, chain);
	}
	return rc;
}

int vplat_vq_push(struct vplat_vq *vq, const struct vplat_chain *chain, uint32_t written)
{
	if (!vq->live || !vq->enabled || vq_current(vq) != 0)
		return VPLAT_ENODEV;
	if (vq->inflight == 0 || (vq->in_order && chain->seq != vq->push_seq))
		return VPLAT_EINVAL;
	if (written > chain->write_len)
		written = (uint32_t)chain->write_len;
	if (vq->track)
		vq->track(vq, VPLAT_VQ_TRACK_PRE_PUSH, chain);
	if (vq->packed)
		packed_push(vq, chain->id, written, chain->ndesc);
	else
		split_push(vq, chain->id, written);
	if (vq->track)
		vq->track(vq, VPLAT_VQ_TRACK_POST_PUSH, chain);
	vq->inflight--;
	vq->push_seq++;
	vq->used_since_signal += vq->packed ? chain->ndesc : 1u;
	return 0;
}

uint32_t vplat_vq_pop_burst(struct vplat_vq *vq, struct vplat_chain *chains, uint32_t n, int *err)
{
	int rc = vq_usable(vq);
	uint32_t got = 0;

	if (rc == 0 && n == 0u)
		rc = VPLAT_EINVAL;
	if (rc != 0) {
		if (err)
			*err = rc;
		return 0;
	}
	if (!budget_allows(vq)) {
		if (err)
			*err = VPLAT_EAGAIN;
		return 0;
	}
	if (vq->in_dispatch && n > vq->budget_left)
		n = vq->budget_left;
	if (!vq->packed && vq->nresubmit == 0u) {
		got = split_pop_burst(vq, chains, n, &rc);
		if (vq->in_dispatch) {
			vq->budget_left = (uint16_t)(vq->budget_left - got);
			(void)budget_allows(vq);
		}
		for (uint32_t i = 0; i < got; i++) {
			chains[i].seq = vq->pop_seq++;
			if (vq->track)
				vq->track(vq, VPLAT_VQ_TRACK_POP, &chains[i]);
		}
		vq->inflight = (uint16_t)(vq->inflight + got);
	} else {
		/* Packed rings and resubmitted heads: one at a time, same semantics as a pop. */
		while (got < n) {
			rc = vplat_vq_pop(vq, &chains[got]);
			if (rc != 0 && rc != VPLAT_E2BIG)
				break;
			rc = 0;
			got++;
		}
	}
	if (err)
		*err = got ? 0 : rc;
	return got;
}

/*
 * Packed: write the used descriptors of @p n chains, every one but the first with its flags,
 * then the first one's flags last, so that a driver that sees the first sees them all
 * (VPLAT-NET-030). Returns the ring slots advanced.
 */
static uint32_t packed_push_burst(struct vplat_vq *vq, const struct vplat_chain *chains, uint32_t n,
				  const uint32_t *written)
{
	struct vplat_pvirtq_desc *ring = vq->desc;
	uint16_t first = vq->used_idx;
	uint16_t first_flags = 0;
	uint32_t slots = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = (written != NULL) ? written[i] : 0u;
		if (len > chains[i].write_len)
			len = (uint32_t)chains[i].write_len;
		struct vplat_pvirtq_desc *d = &ring[vq->used_idx];
		uint16_t flags = vq->used_wrap ? (VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED) : 0;
		if (len != 0u)
			flags |= VPLAT_VIRTQ_DESC_F_WRITE;
		d->id = vplat_cpu_to_le16(chains[i].id);
		d->len = vplat_cpu_to_le32(len);
		if (i == 0u) {
			first_flags = flags;
		} else {
			vplat_wmb(); /* id and len are visible before the flags */
			vplat_store16(&d->flags, vplat_cpu_to_le16(flags));
			packed_flags_stored(vq, vq->used_idx);
		}
		vq->used_idx = (uint16_t)(vq->used_idx + chains[i].ndesc);
		if (vq->used_idx >= vq->size) {
			vq->used_idx = (uint16_t)(vq->used_idx - vq->size);
			vq->used_wrap = !vq->used_wrap;
		}
		slots += chains[i].ndesc;
	}
	vplat_wmb(); /* every later descriptor is visible before the first hands them over */
	vplat_store16(&ring[first].flags, vplat_cpu_to_le16(first_flags));
	packed_flags_stored(vq, first);
	return slots;
}

/*
 * Tracked rings (vhost-user inflight): after the burst was published, record each chain with
 * the used position just after it, in order, so that a back end killed between two records
 * leaves the region's used position behind the ring's by exactly the chains not recorded.
 */
static void track_burst(struct vplat_vq *vq, const struct vplat_chain *chains, uint32_t n,
			uint16_t start, bool start_wrap)
{
	uint16_t end = vq->used_idx;
	bool end_wrap = vq->used_wrap;

	vq->used_idx = start;
	vq->used_wrap = start_wrap;
	for (uint32_t i = 0; i < n; i++) {
		if (vq->packed) {
			vq->used_idx = (uint16_t)(vq->used_idx + chains[i].ndesc);
			if (vq->used_idx >= vq->size) {
				vq->used_idx = (uint16_t)(vq->used_idx - vq->size);
				vq->used_wrap = !vq->used_wrap;
			}
		} else {
			vq->used_idx++;
		}
		vq->track(vq, VPLAT_VQ_TRACK_POST_PUSH, &chains[i]);
	}
	vq->used_idx = end;
	vq->used_wrap = end_wrap;
}

int vplat_vq_push_burst(struct vplat_vq *vq, const struct vplat_chain *chains, uint32_t n,
			const uint32_t *written)
{
	if (!vq->live || !vq->enabled || vq_current(vq) != 0)
		return VPLAT_ENODEV;
	if (n == 0u)
		return 0;
	if (n > vq->inflight)
		return VPLAT_EINVAL;
	if (vq->in_order) {
		for (uint32_t i = 0; i < n; i++) {
			if (chains[i].seq != (uint32_t)(vq->push_seq + i))
				return VPLAT_EINVAL; /* nothing pushed */
		}
	}
	uint16_t start = vq->used_idx;
	bool start_wrap = vq->used_wrap;
	if (vq->track) {
		for (uint32_t i = 0; i < n; i++)
			vq->track(vq, VPLAT_VQ_TRACK_PRE_PUSH, &chains[i]);
	}
	uint32_t advance = n;
	if (vq->packed)
		advance = packed_push_burst(vq, chains, n, written);
	else
		split_push_burst(vq, chains, n, written);
	if (vq->track)
		track_burst(vq, chains, n, start, start_wrap);
	vq->inflight = (uint16_t)(vq->inflight - n);
	vq->push_seq += n;
	vq->used_since_signal += advance;
	return 0;
}

bool vplat_vq_interrupt(struct vplat_vq *vq)
{
	if (vq_usable(vq) != 0 || vq->used_since_signal == 0)
		return false;
	vplat_mb(); /* used entries are published before we read the driver's suppression */
	uint16_t old = vq->signalled_used;
	bool valid = vq->signalled_valid;
	/* Only the driver's event position can be ambiguous, and only after the entries used
	 * since the last decision went past what it can name: a packed ring's event offset is a
	 * slot of the ring (one lap), a split ring's used_event a 16-bit index (2^16 entries).
	 * Then notify. Without EVENT_IDX the driver's flag decides alone at any count: a busy
	 * back end that completes more than a ring per call must not notify a driver that
	 * suppressed notifications (one eventfd write per call at 64 B). */
	bool lap = vq->event_idx &&
		   vq->used_since_signal >= (vq->packed ? (uint32_t)vq->size : 0x10000u);
	bool notify = lap || (vq->packed ? packed_should_notify(vq, old, valid)
					 : split_should_notify(vq, old, valid));
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	vq->used_since_signal = 0;
	if (notify && vq->interrupt_used)
		vq->interrupt_used(vq->dev, vq);
	return notify;
}

bool vplat_vq_set_notification(struct vplat_vq *vq, bool enable)
{
	if (vq_usable(vq) != 0)
		return false;
	vq->kick_disabled = !enable;
	if (vq->packed)
		packed_set_notification(vq, enable);
	else
		split_set_notification(vq, enable);
	vplat_mb(); /* publish the request before looking for buffers that raced with it */
	return enable && vplat_vq_has_avail(vq);
}

bool vplat_vq_has_avail(struct vplat_vq *vq)
{
	if (vq_usable(vq) != 0)
		return false;
	return vq->packed ? packed_has_avail(vq) : split_has_avail(vq);
}

size_t vplat_chain_read(const struct vplat_chain *chain, size_t off, void *dst, size_t len)
{
	uint8_t *d = dst;
	size_t done = 0;

	for (uint32_t i = 0; i < chain->nread && done < len; i++) {
		const struct vplat_iov *v = &chain->iov[i];
		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		size_t n = v->len - off < len - done ? v->len - off : len - done;
		memcpy(d + done, (const uint8_t *)v->base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t vplat_chain_write(const struct vplat_chain *chain, size_t off, const void *src, size_t len)
{
	const uint8_t *s = src;
	size_t done = 0;

	for (uint32_t i = chain->nread; i < chain->nread + chain->nwrite && done < len; i++) {
		const struct vplat_iov *v = &chain->iov[i];
		if (off >= v->len) {
			off -= v->len;
			continue;
		}
		size_t n = v->len - off < len - done ? v->len - off : len - done;
		memcpy((uint8_t *)v->base + off, s + done, n);
		done += n;
		off = 0;
	}
	return done;
}
