/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A device driven through the loopback backend, brought up as the unit tests of the sound and
 * vsock devices (test_snd, test_vsock, test_vsock_host through vsock_guest.h) and bench-vsock
 * do: the transport and ring layout of a test variant (bit 0: virtio-mmio 0, virtio-pci 1;
 * bit 1: split 0, packed 1), VERSION_1 plus the test's features, its queues, DRIVER_OK.
 * No Check calls (bench-vsock uses it too): the tests assert on the return values.
 */
#ifndef VPLAT_TEST_LBRIG_H
#define VPLAT_TEST_LBRIG_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

/* The loopback of @p variant's transport with @p mem_bytes of guest memory: 0 or a VPLAT_E*
 * code. The device is then built on vplat_loopback_mem(). */
static inline int lbrig_init(struct vplat_loopback *lb, int variant, uint64_t mem_bytes)
{
	return vplat_loopback_init(lb, (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO,
				   mem_bytes);
}

/* Attach @p dev to @p lb and initialise the driver @p v, negotiate VERSION_1 | @p features
 * (| RING_PACKED for variant bit 1), set up queue i as @p q[i] with @p sizes[i] entries
 * (i < @p nq), set DRIVER_OK. Returns 0, or the step that failed: 1 attach or driver
 * initialisation, 2 negotiation, 3 a queue or DRIVER_OK. */
static inline int lbrig_start(struct vplat_loopback *lb, struct vplat_device *dev,
			      struct vplat_val_dev *v, int variant, uint64_t features,
			      struct vplat_val_vq *const *q, const uint16_t *sizes, unsigned nq)
{
	if (vplat_loopback_attach(lb, dev) || vplat_loopback_val_init(lb, v))
		return 1;
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | features;
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	if (vplat_val_negotiate(v, want))
		return 2;
	for (unsigned i = 0; i < nq; i++)
		if (vplat_val_vq_setup(v, q[i], (uint16_t)i, sizes[i]))
			return 3;
	return vplat_val_driver_ok(v) ? 3 : 0;
}

#endif
