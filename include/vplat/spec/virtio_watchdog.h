/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_watchdog.h
 * Watchdog device (virtio device ID 35) as vplat's specification defines it (spec/16-watchdog.md).
 *
 * virtio reserves ID 35 but has no device chapter. Without vplat's feature bits the device is
 * cloud-hypervisor's watchdog: one queue (pingq) of device-writable buffers; the device writes
 * the byte 1 into each and returns it; the first ping arms a 20 s timeout (15 s period + 5 s
 * grace). vplat's optional features (bits 20..22) add a configuration space timeout, a
 * pre-timeout and an explicit disarm.
 */
#ifndef VPLAT_SPEC_VIRTIO_WATCHDOG_H
#define VPLAT_SPEC_VIRTIO_WATCHDOG_H

#include "vplat/spec/types.h"

/** Number of virtqueues: queue 0 is the pingq. */
#define VPLAT_VIRTIO_WDT_NUM_QUEUES 1

/** Feature: `timeout_ms` is writable (VPLAT-WDT-014). */
#define VPLAT_VIRTIO_WDT_F_TIMEOUT 20
/** Feature: `pretimeout_ms` is writable and a pre-timeout is signalled; needs F_TIMEOUT. */
#define VPLAT_VIRTIO_WDT_F_PRETIMEOUT 21
/** Feature: the driver can disarm through `control` (VPLAT-WDT-018). */
#define VPLAT_VIRTIO_WDT_F_DISARM 22

/** Default timeout in milliseconds (cloud-hypervisor: 15 s period + 5 s grace). */
#define VPLAT_VIRTIO_WDT_DEFAULT_TIMEOUT_MS 20000u

/** `status` bit: the watchdog is armed. */
#define VPLAT_VIRTIO_WDT_S_ARMED (1u << 0)
/** `status` bit: the pre-timeout of the current period fired. */
#define VPLAT_VIRTIO_WDT_S_PRETIMEOUT (1u << 1)
/** `status` bit: the watchdog expired since the last ping or reset. */
#define VPLAT_VIRTIO_WDT_S_EXPIRED (1u << 2)

/** `control` bit: disarm (with VPLAT_VIRTIO_WDT_F_DISARM). */
#define VPLAT_VIRTIO_WDT_C_DISARM (1u << 0)

/** Configuration space (all fields little-endian). */
struct vplat_virtio_wdt_config {
	vplat_le32 timeout_ms;     /**< timeout in effect (rw with F_TIMEOUT) */
	vplat_le32 min_timeout_ms; /**< smallest timeout accepted (ro) */
	vplat_le32 max_timeout_ms; /**< largest timeout accepted (ro) */
	vplat_le32 pretimeout_ms;  /**< pre-timeout before expiry, 0 = none (rw with F_PRETIMEOUT) */
	vplat_le32 status;         /**< VPLAT_VIRTIO_WDT_S_* (ro) */
	vplat_le32 control;        /**< VPLAT_VIRTIO_WDT_C_* (wo with F_DISARM, reads 0) */
};
/** @cond */
_Static_assert(sizeof(struct vplat_virtio_wdt_config) == 24, "virtio_wdt_config size");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_WATCHDOG_H */
