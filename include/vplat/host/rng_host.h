/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/rng_host.h
 * Entropy host end: getrandom(2) (hosted library).
 */
#ifndef VPLAT_HOST_RNG_HOST_H
#define VPLAT_HOST_RNG_HOST_H

#include "vplat/export.h"
#include "vplat/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * getrandom(2) host end (POSIX builds only, in lib/host). The host argument is unused; pass
 * NULL.
 */
VPLAT_API extern const struct vplat_rng_host_ops vplat_rng_host_getrandom;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_RNG_HOST_H */
