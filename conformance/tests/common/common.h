/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the conformance tests: bring a device up the way the spec's driver
 * sequence says, and build a valid request of the device's type, so that ring and core
 * tests can exercise any device the suite knows how to talk to.
 */
#ifndef VPLAT_CONFORM_COMMON_H
#define VPLAT_CONFORM_COMMON_H

#include <string.h>
#include "vplat/val/conform.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/val/val.h"

#define F(bit) VPLAT_BIT(VPLAT_VIRTIO_F_##bit)

/* A request: device-readable buffers first, then device-writable ones. */
struct creq {
	struct vplat_val_buf bufs[4];
	unsigned n_out, n_in;
	uint8_t *ptr[4];   /* host addresses of the buffers */
	uint8_t *snap[4];  /* copy of each readable buffer as posted (to check it is untouched) */
};

/* Queue the device consumes requests on, or -1 if the suite has no request model for it. */
int creq_queue(uint32_t device_id);

/* Build a valid request for the device type in DMA memory. 0 or a VPLAT_E* code. */
int creq_build(struct vplat_test_ctx *t, struct creq *r);

/*
 * Device-type features a driver must accept for FEATURES_OK to be set (CAN: CAN_CLASSIC, or
 * CAN_FD on a device without CLASSIC); bringup() always adds them. 0 for other types.
 */
uint64_t dev_required_features(struct vplat_test_ctx *t);

/* True if every device-readable buffer of @p r still holds what was posted. */
bool creq_readable_intact(const struct creq *r);

/* Total device-writable bytes of @p r. */
uint32_t creq_in_len(const struct creq *r);

/*
 * Reset, negotiate (the wanted features that are offered, plus VERSION_1), set up queue
 * @p q with @p size entries (0: the device's maximum, capped at 64) and set DRIVER_OK.
 * The queue's storage comes from vplat_t_vq() (released by the runner); pass vq NULL (and
 * any q) for no queue.
 * Returns VPLAT_PASS, or ERROR/SKIP recorded in @p t.
 */
enum vplat_result bringup(struct vplat_test_ctx *t, uint64_t wanted, struct vplat_val_vq **vq, int q,
			  uint16_t size);

/* Like bringup() but stops after the queue is set up, before DRIVER_OK. */
enum vplat_result bringup_no_driver_ok(struct vplat_test_ctx *t, uint64_t wanted,
				       struct vplat_val_vq **vq, int q, uint16_t size);

/* Release every queue the test has set up (all of them: bringup() may set up more than the
 * one it returns, e.g. a network device's receiveq), before bringing the device up again. */
static inline void release_queues(struct vplat_test_ctx *t)
{
	for (unsigned k = 0; k < t->nvqs; k++)
		vplat_val_vq_fini(&t->vqs[k]);
	t->nvqs = 0;
}

/* Wait for a raw used entry (vplat_val_vq_raw_used(), no driver bookkeeping) until the
 * test's deadline, polling the PAL. Returns its result: 0 or VPLAT_EAGAIN at the deadline. */
int raw_wait(struct vplat_test_ctx *t, struct vplat_val_vq *vq, uint16_t ndesc, uint32_t *id,
	     uint32_t *len);

/* Wait for one used buffer until the test's deadline, polling the PAL. */
int wait_used(struct vplat_test_ctx *t, struct vplat_val_vq *vq, void **token, uint32_t *len);

/* Status byte as the driver reads it. */
static inline uint8_t status(struct vplat_test_ctx *t)
{
	return vplat_val_get_status(t->d);
}

/* Raw register access, for transport tests. */
static inline uint64_t mmio_rd(struct vplat_test_ctx *t, uint64_t off, unsigned size)
{
	return t->d->io.ops->read(t->d->io.ctx, VPLAT_VAL_SPACE_MMIO, off, size);
}
static inline void mmio_wr(struct vplat_test_ctx *t, uint64_t off, unsigned size, uint64_t v)
{
	t->d->io.ops->write(t->d->io.ctx, VPLAT_VAL_SPACE_MMIO, off, size, v);
}
static inline uint64_t cfg_rd(struct vplat_test_ctx *t, uint64_t off, unsigned size)
{
	return t->d->io.ops->read(t->d->io.ctx, VPLAT_VAL_SPACE_PCI_CFG, off, size);
}
static inline uint64_t common_rd(struct vplat_test_ctx *t, uint64_t off, unsigned size)
{
	return t->d->io.ops->read(t->d->io.ctx, VPLAT_VAL_SPACE_BAR(t->d->common.bar),
				  t->d->common.offset + off, size);
}
static inline void common_wr(struct vplat_test_ctx *t, uint64_t off, unsigned size, uint64_t v)
{
	t->d->io.ops->write(t->d->io.ctx, VPLAT_VAL_SPACE_BAR(t->d->common.bar),
			    t->d->common.offset + off, size, v);
}

/* Post one valid request on @p vq and kick; the request's storage is @p req. */
int post(struct vplat_test_ctx *t, struct vplat_val_vq *vq, struct creq *req, void *token);

#endif
