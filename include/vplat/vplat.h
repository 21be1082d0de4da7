/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/vplat.h
 * Umbrella header: everything a VMM or a test needs from vplat.
 */
#ifndef VPLAT_VPLAT_H
#define VPLAT_VPLAT_H

#include "vplat/error.h"
#include "vplat/mem.h"
#include "vplat/vq.h"
#include "vplat/device.h"
#include "vplat/mmio.h"
#include "vplat/pci.h"
#include "vplat/rng.h"
#include "vplat/val.h"
#include "vplat/loopback.h"

#endif /* VPLAT_VPLAT_H */
