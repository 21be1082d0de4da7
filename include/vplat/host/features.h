/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/features.h
 * Which optional dependencies the hosted library was built with (VPLAT_WITH_GPIOD, _URING,
 * _FDT at configure time), so a program can say "built without libgpiod" instead of failing
 * obscurely.
 */
#ifndef VPLAT_HOST_FEATURES_H
#define VPLAT_HOST_FEATURES_H

#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** libgpiod: the GPIO host end on real chips (vplat_gpio_gpiod_open()). */
#define VPLAT_BUILD_GPIOD (1u << 0)
/** liburing: the io_uring block host end (without it: a thread pool). */
#define VPLAT_BUILD_URING (1u << 1)
/** libfdt: platform descriptions (vplat_platform_load()). */
#define VPLAT_BUILD_FDT (1u << 2)

/** @return the VPLAT_BUILD_* bits of the optional dependencies built in. */
VPLAT_API uint32_t vplat_build_features(void);

/**
 * @param feature  one VPLAT_BUILD_* bit
 * @return NULL if @p feature is built in, else a sentence for the user, e.g. "vplat was built
 *         without libgpiod (configure with VPLAT_WITH_GPIOD=ON and libgpiod-dev installed)"
 */
VPLAT_API const char *vplat_build_missing(uint32_t feature);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_FEATURES_H */
