/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec.h
 * Umbrella header: every virtio wire-format header under vplat/spec/.
 *
 * These headers only define types, constants and layout checks; they need nothing beyond
 * <stdint.h> and <stddef.h> and compile freestanding.
 */
#ifndef VPLAT_SPEC_H
#define VPLAT_SPEC_H

#include "vplat/spec/types.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_ring.h"
#include "vplat/spec/virtio_notify.h"
#include "vplat/spec/virtio_mmio.h"
#include "vplat/spec/virtio_pci.h"
#include "vplat/spec/virtio_net.h"
#include "vplat/spec/virtio_blk.h"
#include "vplat/spec/virtio_console.h"
#include "vplat/spec/virtio_rng.h"
#include "vplat/spec/virtio_gpio.h"
#include "vplat/spec/virtio_i2c.h"
#include "vplat/spec/virtio_input.h"
#include "vplat/spec/virtio_vsock.h"
#include "vplat/spec/virtio_snd.h"
#include "vplat/spec/virtio_can.h"
#include "vplat/spec/virtio_watchdog.h"

#endif /* VPLAT_SPEC_H */
