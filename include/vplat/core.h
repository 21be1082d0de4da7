/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/core.h
 * Umbrella header of vplat-core, the freestanding layers: guest memory, virtqueues, the device
 * state machine, the virtio-mmio and virtio-pci transport models, the device models and the
 * rate limiter. Everything here builds for an RTOS or bare metal (docs/design.md).
 */
#ifndef VPLAT_CORE_H
#define VPLAT_CORE_H

#include "vplat/version.h"
#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/vq.h"
#include "vplat/device.h"
#include "vplat/mmio.h"
#include "vplat/pci.h"
#include "vplat/ratelimit.h"
#include "vplat/regulator.h"
#include "vplat/rng.h"
#include "vplat/blk.h"
#include "vplat/console.h"
#include "vplat/net.h"
#include "vplat/gpio.h"
#include "vplat/i2c.h"
#include "vplat/input.h"
#include "vplat/vsock.h"
#include "vplat/snd.h"
#include "vplat/can.h"
#include "vplat/watchdog.h"
#include "vplat/sp805.h"
#include "vplat/ivshmem.h"

#endif /* VPLAT_CORE_H */
