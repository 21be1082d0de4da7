/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/version.h
 * Library version: compile-time macros and the run-time vplat_version().
 *
 * The macros are the single source of the version: CMake reads them from this file. Compare
 * @ref VPLAT_VERSION_NUMBER at compile time and vplat_version_number() at run time to find a
 * program built against one version running with another (docs/design.md, "ABI policy").
 * Freestanding.
 */
#ifndef VPLAT_VERSION_H
#define VPLAT_VERSION_H

#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Major version: changes when the ABI breaks (and with it the shared libraries' sonames). */
#define VPLAT_VERSION_MAJOR 0
/** Minor version: compatible additions. */
#define VPLAT_VERSION_MINOR 2
/** Patch version: fixes only. */
#define VPLAT_VERSION_PATCH 0
/** The version as one number, 0xMMmmpp (major, minor, patch), for comparisons. */
#define VPLAT_VERSION_NUMBER \
	((VPLAT_VERSION_MAJOR << 16) | (VPLAT_VERSION_MINOR << 8) | VPLAT_VERSION_PATCH)

/** @return the version of the library linked at run time as "MAJOR.MINOR.PATCH". */
VPLAT_API const char *vplat_version(void);

/** @return the version of the library linked at run time as @ref VPLAT_VERSION_NUMBER does. */
VPLAT_API uint32_t vplat_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VERSION_H */
