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
#include "vplat/ratelimit.h"
#include "vplat/rng.h"
#include "vplat/blk.h"
#include "vplat/blk_file.h"
#include "vplat/console.h"
#include "vplat/console_fd.h"
#include "vplat/net.h"
#include "vplat/net_host.h"
#include "vplat/switch.h"
#include "vplat/gpio.h"
#include "vplat/can.h"
#include "vplat/watchdog.h"
#include "vplat/sp805.h"
#include "vplat/ivshmem.h"
#include "vplat/val.h"
#include "vplat/loopback.h"
#include "vplat/vhost_user.h"
#include "vplat/vhost_user_frontend.h"
#include "vplat/conform.h"
#include "vplat/platform.h"

#endif /* VPLAT_VPLAT_H */
