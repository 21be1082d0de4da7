/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/vplat.h
 * Umbrella header of the product: vplat-core (vplat/core.h) and the hosted library -- host
 * ends, inter-VM fabrics, the vhost-user back end and the platform-description loader. The
 * test driver (vplat-val: vplat/val/...) is never included from here.
 */
#ifndef VPLAT_VPLAT_H
#define VPLAT_VPLAT_H

#include "vplat/core.h"
#include "vplat/host/blk_file.h"
#include "vplat/host/can_socketcan.h"
#include "vplat/host/console_fd.h"
#include "vplat/host/gpio_host.h"
#include "vplat/host/i2c_host.h"
#include "vplat/host/input_host.h"
#include "vplat/host/vsock_host.h"
#include "vplat/host/snd_host.h"
#include "vplat/host/net_host.h"
#include "vplat/host/rng_host.h"
#include "vplat/host/features.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/fabric/ivshmem_server.h"
#include "vplat/fabric/switch.h"
#include "vplat/backend/vhost_user.h"
#include "vplat/platform/platform.h"

#endif /* VPLAT_VPLAT_H */
