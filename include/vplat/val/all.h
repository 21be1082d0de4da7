/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/all.h
 * Umbrella header of vplat-val, the driver side used by tests, benchmarks and the conformance
 * suite: the validation driver, the loopback backend, the vhost-user front end, the
 * conformance framework and the mock host ends. Includes the product's umbrella too.
 */
#ifndef VPLAT_VAL_ALL_H
#define VPLAT_VAL_ALL_H

#include "vplat/vplat.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"
#include "vplat/val/vhost_user_frontend.h"
#include "vplat/val/conform.h"
#include "vplat/val/mock.h"

#endif /* VPLAT_VAL_ALL_H */
