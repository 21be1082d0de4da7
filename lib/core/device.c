/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport-independent device: status state machine, feature negotiation, reset, config space.
 *
 * Spec: content.tex, sec: Basic Facilities of a Virtio Device / Device Status Field,
 * / Feature Bits, / Device Reset, / Device Configuration Space, / Virtqueues / Virtqueue Reset.
 *
 * Calls go down only: the device pushes into its queues what their hot path needs (liveness
 * after every status change, the memory map and re-translation after it changed, the
 * transport's used-buffer interrupt), and a queue whose ring the driver broke comes back up
 * through the one vplat_vq.failed pointer (vq_failed() below).
 */
#include <string.h>
#include "core/vq_internal.h"
#include "vplat/device.h"
#include "vplat/error.h"

#define S_ACK         VPLAT_VIRTIO_STATUS_ACKNOWLEDGE
#define S_DRIVER      VPLAT_VIRTIO_STATUS_DRIVER
#define S_DRIVER_OK   VPLAT_VIRTIO_STATUS_DRIVER_OK
#define S_FEATURES_OK VPLAT_VIRTIO_STATUS_FEATURES_OK
#define S_NEEDS_RESET VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET
#define S_FAILED      VPLAT_VIRTIO_STATUS_FAILED

/* True if every feature in @p f has what it depends on, also inside @p f. */
static bool deps_met(const struct vplat_device_ops *ops, uint64_t f)
{
	for (size_t i = 0; i < ops->ndeps; i++) {
		const struct vplat_feature_dep *d = &ops->deps[i];
		if (d->feature < 64 && (f & VPLAT_BIT(d->feature)) && (f & d->requires) != d->requires)
			return false;
	}
	return true;
}

/* A queue found its ring broken by the driver (the queue's one call up). */
static void vq_failed(struct vplat_vq *vq, int reason)
{
	vplat_device_needs_reset(vq->dev, reason);
}

/* Tell every queue whether the device is live; called after every change of dev->status. */
static void push_live(struct vplat_device *dev)
{
	bool live = vplat_device_is_live(dev);

	for (uint16_t i = 0; i < dev->nvqs; i++)
		dev->vqs[i].dev_live = live;
}

int vplat_device_init(struct vplat_device *dev, const struct vplat_device_ops *ops, void *opaque,
		      struct vplat_mem *mem, struct vplat_vq *vqs, uint16_t nvqs,
		      uint16_t queue_size_max, uint8_t *config, uint32_t config_len)
{
	if (!dev || !ops || !ops->queue_notify || ops->device_id == 0 || !mem ||
	    (nvqs && !vqs) || queue_size_max == 0 || queue_size_max > VPLAT_VIRTQ_MAX_SIZE ||
	    (config_len && !config))
		return VPLAT_EINVAL;
	/* Device-type bits only in the model's word; the core owns 24..40 and 43. */
	if (ops->features & VPLAT_TRANSPORT_FEATURE_MASK)
		return VPLAT_EINVAL;
	uint64_t offer = ops->features | VPLAT_CORE_FEATURES;
	if (!deps_met(ops, offer))
		return VPLAT_EINVAL;

	(void)memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->opaque = opaque;
	dev->mem = mem;
	dev->vqs = vqs;
	dev->nvqs = nvqs;
	dev->config = config;
	dev->config_len = config_len;
	dev->host_features = offer;
	for (uint16_t i = 0; i < nvqs; i++) {
		(void)memset(&vqs[i], 0, sizeof(vqs[i]));
		vqs[i].dev = dev;
		vqs[i].index = i;
		vqs[i].size_max = queue_size_max;
		vqs[i].mem = mem;
		vqs[i].failed = vq_failed;
		vplat_vq_reset_state(&vqs[i]);
	}
	return 0;
}

int vplat_device_set_offer(struct vplat_device *dev, uint64_t features)
{
	if (dev->status != 0)
		return VPLAT_EPERM;
	features |= VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1);
	if ((features & VPLAT_TRANSPORT_FEATURE_MASK) & ~VPLAT_CORE_FEATURES)
		return VPLAT_EINVAL;
	if ((features & ~VPLAT_TRANSPORT_FEATURE_MASK) & ~dev->ops->features)
		return VPLAT_EINVAL;
	if (!deps_met(dev->ops, features))
		return VPLAT_EINVAL;
	dev->host_features = features;
	return 0;
}

int vplat_device_set_queue_max(struct vplat_device *dev, uint16_t index, uint16_t max)
{
	if (index >= dev->nvqs || max > VPLAT_VIRTQ_MAX_SIZE || dev->status != 0)
		return VPLAT_EINVAL;
	dev->vqs[index].size_max = max;
	vplat_vq_reset_state(&dev->vqs[index]);
	return 0;
}

void vplat_device_attach(struct vplat_device *dev, const struct vplat_interrupt_ops *irq,
			 void *transport)
{
	dev->interrupt = irq;
	dev->transport = transport;
	for (uint16_t i = 0; i < dev->nvqs; i++)
		dev->vqs[i].interrupt_used = irq ? irq->used : NULL;
}

void vplat_device_reset(struct vplat_device *dev)
{
	for (uint16_t i = 0; i < dev->nvqs; i++)
		vplat_vq_reset_state(&dev->vqs[i]);
	dev->status = 0;
	push_live(dev);
	dev->driver_features = 0;
	dev->features = 0;
	dev->needs_reset_reason = 0;
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

/* Check the driver's feature set (sec: Feature Bits; Reserved Feature Bits). */
static bool features_acceptable(struct vplat_device *dev, uint64_t f)
{
	if (f & ~dev->host_features)
		return false; /* accepted something never offered */
	if (!(f & VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1)))
		return false; /* vplat has no legacy interface */
	if (!deps_met(dev->ops, f))
		return false;
	if (dev->ops->validate_features && !dev->ops->validate_features(dev, f))
		return false;
	return true;
}

/* Start every enabled queue; a queue that cannot start breaks the device. */
static int start_queues(struct vplat_device *dev)
{
	for (uint16_t i = 0; i < dev->nvqs; i++) {
		struct vplat_vq *vq = &dev->vqs[i];
		if (vq->enabled && !vq->live && vplat_vq_start(vq, dev->features) != 0)
			return VPLAT_EFAULT;
	}
	return 0;
}

int vplat_device_set_status(struct vplat_device *dev, uint8_t status)
{
	uint8_t old = dev->status;
	uint8_t added = status & (uint8_t)~old;

	if (status == 0) {
		vplat_device_reset(dev);
		return 0;
	}
	/* The driver MUST NOT clear bits; NEEDS_RESET is the device's to set, not the driver's. */
	if ((old & ~S_NEEDS_RESET) & ~status) {
		vplat_device_needs_reset(dev, VPLAT_EPROTO);
		return VPLAT_EPROTO;
	}
	added &= (uint8_t)~S_NEEDS_RESET;
	if (added & VPLAT_VIRTIO_STATUS_SUSPEND)
		added &= (uint8_t)~VPLAT_VIRTIO_STATUS_SUSPEND; /* SUSPEND is never offered */
	if (added & S_FEATURES_OK) {
		if (!(status & S_DRIVER) || !(status & S_ACK) || (old & S_DRIVER_OK) ||
		    !features_acceptable(dev, dev->driver_features)) {
			added &= (uint8_t)~S_FEATURES_OK; /* refused: the driver re-reads and sees it clear */
		} else {
			dev->features = dev->driver_features;
		}
	}
	if (added & S_DRIVER_OK) {
		if (!((old | added) & S_FEATURES_OK)) {
			dev->status = (uint8_t)(old | (added & ~S_DRIVER_OK));
			vplat_device_needs_reset(dev, VPLAT_EPROTO);
			return VPLAT_EPROTO;
		}
	}
	dev->status = old | added;
	push_live(dev);
	if (added & S_DRIVER_OK) {
		if (start_queues(dev) != 0) {
			vplat_device_needs_reset(dev, VPLAT_EFAULT);
			return VPLAT_EPROTO;
		}
		if (dev->ops->driver_ok && vplat_device_is_live(dev))
			dev->ops->driver_ok(dev);
	}
	return 0;
}

uint8_t vplat_device_get_status(const struct vplat_device *dev)
{
	return dev->status;
}

uint32_t vplat_device_get_features(const struct vplat_device *dev, uint32_t sel)
{
	if (sel > 1)
		return 0;
	return (uint32_t)(dev->host_features >> (32u * sel));
}

void vplat_device_set_driver_features(struct vplat_device *dev, uint32_t sel, uint32_t value)
{
	if (sel > 1 || (dev->status & S_FEATURES_OK))
		return;
	uint64_t mask = (uint64_t)0xffffffffu << (32u * sel);
	dev->driver_features = (dev->driver_features & ~mask) | ((uint64_t)value << (32u * sel));
}

void vplat_device_set_driver_features64(struct vplat_device *dev, uint64_t features)
{
	if (dev->status & S_FEATURES_OK)
		return;
	dev->driver_features = features;
}

bool vplat_device_has_feature(const struct vplat_device *dev, unsigned bit)
{
	return bit < 64 && (dev->features & VPLAT_BIT(bit));
}

bool vplat_device_is_live(const struct vplat_device *dev)
{
	return (dev->status & (S_DRIVER_OK | S_NEEDS_RESET | S_FAILED | VPLAT_VIRTIO_STATUS_SUSPEND)) ==
	       S_DRIVER_OK;
}

void vplat_device_needs_reset(struct vplat_device *dev, int reason)
{
	if (dev->status & S_NEEDS_RESET)
		return;
	dev->status |= S_NEEDS_RESET;
	dev->needs_reset_reason = (uint32_t)-reason;
	for (uint16_t i = 0; i < dev->nvqs; i++)
		dev->vqs[i].live = false;
	push_live(dev);
	/* sec: Device Status Field -- with DRIVER_OK set, NEEDS_RESET comes with a config change. */
	if ((dev->status & S_DRIVER_OK) && dev->interrupt) {
		dev->config_generation++;
		dev->interrupt->config(dev);
	}
}

void vplat_device_config_read(struct vplat_device *dev, uint32_t off, void *data, uint32_t len)
{
	(void)memset(data, 0, len);
	if (off >= dev->config_len || len > dev->config_len - off)
		return;
	if (dev->ops->config_read)
		dev->ops->config_read(dev, off, len);
	(void)memcpy(data, dev->config + off, len);
}

void vplat_device_config_write(struct vplat_device *dev, uint32_t off, const void *data,
			       uint32_t len)
{
	if (off >= dev->config_len || len > dev->config_len - off)
		return;
	/* sec: Device Initialization -- no config writes between DRIVER and FEATURES_OK. */
	if ((dev->status & S_DRIVER) && !(dev->status & S_FEATURES_OK) &&
	    !dev->ops->config_write_early)
		return;
	if (dev->ops->config_write)
		dev->ops->config_write(dev, off, data, len);
}

void vplat_device_config_changed(struct vplat_device *dev)
{
	dev->config_generation++;
	if ((dev->status & S_DRIVER_OK) && dev->interrupt)
		dev->interrupt->config(dev);
}

struct vplat_vq *vplat_device_vq(struct vplat_device *dev, uint16_t index)
{
	return index < dev->nvqs && dev->vqs[index].size_max ? &dev->vqs[index] : NULL;
}

int vplat_device_queue_enable(struct vplat_device *dev, uint16_t index)
{
	struct vplat_vq *vq = vplat_device_vq(dev, index);

	if (!vq)
		return VPLAT_ENOENT;
	if (!(dev->status & S_FEATURES_OK))
		return VPLAT_EPERM;
	int rc = vplat_vq_start(vq, dev->features);
	if (rc != 0) {
		vq->live = false;
		return rc;
	}
	vq->enabled = true;
	return 0;
}

void vplat_device_queue_reset(struct vplat_device *dev, uint16_t index)
{
	struct vplat_vq *vq = vplat_device_vq(dev, index);

	if (!vq)
		return;
	vplat_vq_reset_state(vq);
	if (dev->ops->queue_reset)
		dev->ops->queue_reset(dev, vq);
}

/*
 * One dispatch of @p vq: the model serves it with at most the queue's budget of pops
 * (VPLAT-FFI-013: min(budget, queue size), the queue size when no budget is set).
 * @return true if the budget stopped the model with chains left on the ring
 */
static bool dispatch_vq(struct vplat_device *dev, struct vplat_vq *vq)
{
	bool opened = vplat_vq_dispatch_begin(vq);

	dev->ops->queue_notify(dev, vq);
	return vplat_vq_dispatch_end(vq, opened) && vplat_device_is_live(dev);
}

int vplat_device_kick(struct vplat_device *dev, uint16_t index, uint32_t data)
{
	struct vplat_vq *vq = vplat_device_vq(dev, index);

	if (!vq || !vq->enabled || !vq->live || !vplat_device_is_live(dev))
		return 0; /* spurious or early: the device tolerates it */
	/* A map changed without vplat_device_remap(): catch up before the model pops. */
	if (vq->mem_generation != dev->mem->generation) {
		vplat_device_remap(dev);
		if (!vq->live)
			return 0;
	}
	vq->notify_data = data;
	if (!dispatch_vq(dev, vq))
		return 0;
	if (dev->redispatch)
		dev->redispatch(dev, dev->redispatch_opaque);
	return VPLAT_DISPATCH_MORE;
}

bool vplat_device_has_more(const struct vplat_device *dev)
{
	if (!dev || !vplat_device_is_live(dev))
		return false;
	for (uint16_t i = 0; i < dev->nvqs; i++)
		if (dev->vqs[i].more && dev->vqs[i].live && dev->vqs[i].enabled)
			return true;
	return false;
}

int vplat_device_dispatch(struct vplat_device *dev)
{
	bool more = false;

	if (!dev)
		return 0;
	/* Each queue that stopped at its budget gets one more dispatch, as if the driver had
	 * kicked it: at most nvqs budgets of work per call. */
	for (uint16_t i = 0; i < dev->nvqs; i++) {
		struct vplat_vq *vq = &dev->vqs[i];
		if (!vq->more)
			continue;
		if (!vq->enabled || !vq->live || !vplat_device_is_live(dev)) {
			vq->more = false;
			continue;
		}
		if (vq->mem_generation != dev->mem->generation) {
			vplat_device_remap(dev);
			if (!vq->live) {
				vq->more = false;
				continue;
			}
		}
		if (dispatch_vq(dev, vq))
			more = true;
	}
	return more ? VPLAT_DISPATCH_MORE : 0;
}

void vplat_device_set_redispatch(struct vplat_device *dev,
				 void (*fn)(struct vplat_device *dev, void *opaque), void *opaque)
{
	dev->redispatch = fn;
	dev->redispatch_opaque = opaque;
}

int vplat_device_set_dispatch_budget(struct vplat_device *dev, uint16_t index, uint16_t budget)
{
	if (!dev)
		return VPLAT_EINVAL;
	if (index == VPLAT_DISPATCH_ALL_QUEUES) {
		for (uint16_t i = 0; i < dev->nvqs; i++)
			dev->vqs[i].budget = budget;
		return 0;
	}
	if (index >= dev->nvqs)
		return VPLAT_ENOENT;
	dev->vqs[index].budget = budget;
	return 0;
}

void vplat_device_remap(struct vplat_device *dev)
{
	/* Only queues whose rings are in use: a stopped queue stays stopped. */
	for (uint16_t i = 0; i < dev->nvqs; i++) {
		struct vplat_vq *vq = &dev->vqs[i];
		if (vq->enabled && vq->live && vplat_vq_map(vq) != 0) {
			vplat_device_needs_reset(dev, VPLAT_EFAULT);
			return;
		}
	}
}

int vplat_device_queue_set_base(struct vplat_device *dev, uint16_t index, uint16_t avail,
				uint16_t used)
{
	struct vplat_vq *vq = vplat_device_vq(dev, index);

	if (!vq)
		return VPLAT_ENOENT;
	if (vq->packed || (dev->features & VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED))) {
		if ((avail & 0x7fffu) >= vq->size || (used & 0x7fffu) >= vq->size)
			return VPLAT_EINVAL;
		vq->last_avail = avail & 0x7fffu;
		vq->avail_wrap = avail >> 15;
		vq->used_idx = used & 0x7fffu;
		vq->used_wrap = used >> 15;
	} else {
		vq->last_avail = avail;
		vq->used_idx = used;
	}
	vq->signalled_valid = false;
	return 0;
}
