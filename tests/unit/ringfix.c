/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include "ringfix.h"

static void fix_used(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	((struct ringfix *)dev->opaque)->used_irqs++;
}

static void fix_config(struct vplat_device *dev)
{
	((struct ringfix *)dev->opaque)->config_irqs++;
}

static const struct vplat_interrupt_ops fix_notify = {.used = fix_used, .config = fix_config};

static void fix_kick(struct vplat_device *dev, struct vplat_vq *vq)
{
	(void)vq;
	((struct ringfix *)dev->opaque)->kicks++;
}

static const struct vplat_device_ops fix_ops = {
	.name = "fixture",
	.device_id = 0x7f,
	.features = 1u << 0 | 1u << 1,
	.queue_notify = fix_kick,
};

void *rf_ptr(struct ringfix *f, uint64_t gpa)
{
	ck_assert(gpa >= RF_GPA && gpa < RF_GPA + RF_MEMSIZE);
	return f->mem + (gpa - RF_GPA);
}

int rf_setup_noqueue(struct ringfix *f, uint64_t features)
{
	memset(f, 0, sizeof(*f));
	f->mem = calloc(1, RF_MEMSIZE);
	ck_assert_ptr_nonnull(f->mem);
	ck_assert_int_eq(vplat_mem_init(&f->map, f->regions, 4), 0);
	ck_assert_int_eq(vplat_mem_add(&f->map, RF_GPA, RF_MEMSIZE, f->mem), 0);
	ck_assert_int_eq(vplat_device_init(&f->dev, &fix_ops, f, &f->map, f->vq, 2, 256, f->config,
					   sizeof(f->config)),
			 0);
	vplat_device_attach(&f->dev, &fix_notify, NULL);
	vplat_device_set_status(&f->dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE);
	vplat_device_set_status(&f->dev,
				VPLAT_VIRTIO_STATUS_ACKNOWLEDGE | VPLAT_VIRTIO_STATUS_DRIVER);
	vplat_device_set_driver_features64(&f->dev,
					   features | VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1));
	vplat_device_set_status(&f->dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
						 VPLAT_VIRTIO_STATUS_DRIVER |
						 VPLAT_VIRTIO_STATUS_FEATURES_OK);
	f->packed = features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	f->wrap = true;
	f->used_wrap = true;
	return (vplat_device_get_status(&f->dev) & VPLAT_VIRTIO_STATUS_FEATURES_OK) ? 0 : -1;
}

void rf_setup(struct ringfix *f, uint64_t features, uint16_t size)
{
	ck_assert_int_eq(rf_setup_noqueue(f, features), 0);
	struct vplat_vq *vq = &f->vq[0];
	vq->size = size;
	vq->desc_addr = RF_DESC;
	vq->driver_addr = RF_DRIVER;
	vq->device_addr = RF_DEVICE;
	f->size = size;
	ck_assert_int_eq(vplat_device_queue_enable(&f->dev, 0), 0);
	ck_assert_int_eq(vplat_device_set_status(&f->dev, VPLAT_VIRTIO_STATUS_ACKNOWLEDGE |
								  VPLAT_VIRTIO_STATUS_DRIVER |
								  VPLAT_VIRTIO_STATUS_FEATURES_OK |
								  VPLAT_VIRTIO_STATUS_DRIVER_OK),
			 0);
	ck_assert(vplat_device_is_live(&f->dev));
}

void rf_teardown(struct ringfix *f)
{
	free(f->mem);
	f->mem = NULL;
}

void rf_split_desc(struct ringfix *f, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t next)
{
	struct vplat_virtq_desc d = {vplat_cpu_to_le64(addr), vplat_cpu_to_le32(len),
				     vplat_cpu_to_le16(flags), vplat_cpu_to_le16(next)};
	memcpy((struct vplat_virtq_desc *)rf_ptr(f, RF_DESC) + i, &d, sizeof(d));
}

void rf_split_avail(struct ringfix *f, uint16_t head)
{
	struct vplat_virtq_avail *a = rf_ptr(f, RF_DRIVER);
	a->ring[f->avail_idx % f->size] = vplat_cpu_to_le16(head);
	f->avail_idx++;
	__atomic_store_n(&a->idx, vplat_cpu_to_le16(f->avail_idx), __ATOMIC_RELEASE);
}

void rf_split_set_avail_idx(struct ringfix *f, uint16_t idx)
{
	struct vplat_virtq_avail *a = rf_ptr(f, RF_DRIVER);
	f->avail_idx = idx;
	a->idx = vplat_cpu_to_le16(idx);
}

uint16_t rf_split_used_idx(struct ringfix *f)
{
	struct vplat_virtq_used *u = rf_ptr(f, RF_DEVICE);
	return vplat_le16_to_cpu(u->idx);
}

struct vplat_virtq_used_elem rf_split_used(struct ringfix *f, uint16_t n)
{
	struct vplat_virtq_used *u = rf_ptr(f, RF_DEVICE);
	struct vplat_virtq_used_elem e = u->ring[n % f->size];
	e.id = vplat_le32_to_cpu(e.id);
	e.len = vplat_le32_to_cpu(e.len);
	return e;
}

void rf_packed_desc(struct ringfix *f, uint16_t slot, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t id, bool wrap)
{
	struct vplat_pvirtq_desc *ring = rf_ptr(f, RF_DESC);
	flags &= (uint16_t)~(VPLAT_VIRTQ_DESC_F_AVAIL | VPLAT_VIRTQ_DESC_F_USED);
	if (wrap)
		flags |= VPLAT_VIRTQ_DESC_F_AVAIL;
	else
		flags |= VPLAT_VIRTQ_DESC_F_USED;
	ring[slot].addr = vplat_cpu_to_le64(addr);
	ring[slot].len = vplat_cpu_to_le32(len);
	ring[slot].id = vplat_cpu_to_le16(id);
	__atomic_store_n(&ring[slot].flags, vplat_cpu_to_le16(flags), __ATOMIC_RELEASE);
}

uint16_t rf_packed_add(struct ringfix *f, unsigned n, const uint64_t *addr, const uint32_t *len,
		       const uint16_t *flags, uint16_t id)
{
	uint16_t slot = f->avail_idx;
	bool wrap = f->wrap;
	for (unsigned i = 0; i < n; i++) {
		uint16_t fl = flags[i] | (i + 1 < n ? VPLAT_VIRTQ_DESC_F_NEXT : 0);
		rf_packed_desc(f, slot, addr[i], len[i], fl, id, wrap);
		if (++slot == f->size) {
			slot = 0;
			wrap = !wrap;
		}
	}
	f->avail_idx = slot;
	f->wrap = wrap;
	return id;
}

bool rf_packed_used(struct ringfix *f, uint16_t *id, uint32_t *len, unsigned ndesc)
{
	struct vplat_pvirtq_desc *ring = rf_ptr(f, RF_DESC);
	uint16_t fl = vplat_le16_to_cpu(__atomic_load_n(&ring[f->used_seen].flags, __ATOMIC_ACQUIRE));
	bool avail = fl & VPLAT_VIRTQ_DESC_F_AVAIL, used = fl & VPLAT_VIRTQ_DESC_F_USED;
	if (avail != f->used_wrap || used != f->used_wrap)
		return false;
	*id = vplat_le16_to_cpu(ring[f->used_seen].id);
	*len = vplat_le32_to_cpu(ring[f->used_seen].len);
	f->used_seen = (uint16_t)(f->used_seen + ndesc);
	if (f->used_seen >= f->size) {
		f->used_seen = (uint16_t)(f->used_seen - f->size);
		f->used_wrap = !f->used_wrap;
	}
	return true;
}

uint16_t rf_add(struct ringfix *f, unsigned n, const uint64_t *addr, const uint32_t *len,
		const uint16_t *flags)
{
	if (f->packed)
		return rf_packed_add(f, n, addr, len, flags, (uint16_t)(f->avail_idx));
	/* split: use descriptors [head, head+n) modulo size, recycling in order */
	uint16_t head = (uint16_t)(f->next_free % f->size);
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)((head + i) % f->size);
		uint16_t fl = flags[i] | (i + 1 < n ? VPLAT_VIRTQ_DESC_F_NEXT : 0);
		rf_split_desc(f, d, addr[i], len[i], fl, (uint16_t)((d + 1) % f->size));
	}
	f->next_free = (uint16_t)(f->next_free + n);
	rf_split_avail(f, head);
	return head;
}

uint16_t rf_add_one(struct ringfix *f)
{
	const uint64_t addr[1] = {RF_BUF};
	const uint32_t len[1] = {16};
	const uint16_t flags[1] = {VPLAT_VIRTQ_DESC_F_WRITE};
	return rf_add(f, 1, addr, len, flags);
}

int rf_pop(struct ringfix *f, struct vplat_chain *c, struct vplat_iov *iov, uint32_t cap)
{
	memset(c, 0, sizeof(*c));
	c->iov = iov;
	c->iov_cap = cap;
	return vplat_vq_pop(&f->vq[0], c);
}

void rf_burst_chains(struct vplat_chain *cs, struct vplat_iov (*io)[2], unsigned n)
{
	for (unsigned j = 0; j < n; j++) {
		memset(&cs[j], 0, sizeof(cs[j]));
		cs[j].iov = io[j];
		cs[j].iov_cap = 2;
	}
}

bool rf_needs_reset(struct ringfix *f)
{
	return vplat_device_get_status(&f->dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}
