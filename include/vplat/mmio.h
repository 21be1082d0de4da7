/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/mmio.h
 * virtio-mmio version 2 transport model (sec: Virtio Transport Options / Virtio Over MMIO).
 *
 * A VMM calls vplat_mmio_read() and vplat_mmio_write() from its MMIO trap handler for the
 * device's register window (0x100 bytes of registers, then config space) and passes an
 * interrupt callback that drives the device's interrupt line. The model never knows which
 * device type it serves.
 *
 * Register rules (sec: MMIO Device Register Layout): control registers take 32-bit aligned
 * accesses only; config space takes naturally aligned 8-, 16- and 32-bit accesses (64-bit fields
 * as two 32-bit halves; an aligned 64-bit access is accepted too); reads of write-only registers return 0 and writes to read-only ones are ignored;
 * accesses of the wrong width or alignment are refused with VPLAT_EINVAL (reads return 0)
 * and change nothing.
 *
 * Thread rules: serialise all calls for one transport (the VMM's vCPU threads must hold a
 * per-device lock around them).
 */
#ifndef VPLAT_MMIO_H
#define VPLAT_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Interrupt line callback: @p level true raises the line, false lowers it.
 * Called with the transport's lock held; must not call back into the transport.
 */
typedef void (*vplat_irq_fn)(void *opaque, bool level);

/** A virtio-mmio transport instance. Caller-allocated; fields are private to the model. */
struct vplat_mmio {
	struct vplat_device *dev;     /**< the device behind this window */
	uint32_t vendor_id;           /**< VendorID register value */
	uint32_t device_features_sel; /**< DeviceFeaturesSel */
	uint32_t driver_features_sel; /**< DriverFeaturesSel */
	uint32_t queue_sel;           /**< QueueSel */
	uint32_t shm_sel;             /**< SHMSel */
	uint32_t interrupt_status;    /**< InterruptStatus bits not yet acknowledged */
	bool irq_level;               /**< level last passed to @ref irq */
	vplat_irq_fn irq;             /**< interrupt callback (may be NULL: polled driver) */
	void *irq_opaque;             /**< argument for @ref irq */
};

/** Size of the register window before config space starts. */
#define VPLAT_MMIO_CONFIG_OFFSET 0x100u

/**
 * Bind a transport to @p dev and attach it as the device's notifier.
 *
 * @param t          caller storage
 * @param dev        an initialised device; the transport removes feature bits virtio-mmio
 *                   cannot carry (NOTIF_CONFIG_DATA, SR_IOV, ADMIN_VQ) from its offer
 * @param vendor_id  value of the VendorID register (e.g. 0x554d4551 "QEMU", or your own)
 * @param irq        interrupt callback, NULL for a polling driver
 * @param opaque     passed to @p irq
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_mmio_init(struct vplat_mmio *t, struct vplat_device *dev, uint32_t vendor_id,
			      vplat_irq_fn irq, void *opaque);

/**
 * Guest read of the register window.
 *
 * @param t     the transport
 * @param off   offset from the window base
 * @param size  access width in bytes (1, 2, 4 or 8)
 * @param val   result, zero-extended; 0 on error
 * @return 0, or VPLAT_EINVAL for a width or alignment the register does not allow
 */
VPLAT_API int vplat_mmio_read(struct vplat_mmio *t, uint64_t off, unsigned size, uint64_t *val);

/**
 * Guest write of the register window. Same arguments and errors as vplat_mmio_read().
 * Writes to QueueNotify run the device's queue handler before returning, for at most the
 * queue's dispatch budget of chains (vplat_device_kick()); when work is left the device's
 * redispatch callback runs (vplat_device_set_redispatch()) and the VMM must call
 * vplat_device_dispatch() later, outside the register access, until it returns 0.
 */
VPLAT_API int vplat_mmio_write(struct vplat_mmio *t, uint64_t off, unsigned size, uint64_t val);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_MMIO_H */
