/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/export.h
 * Symbol visibility for the shared library.
 */
#ifndef VPLAT_EXPORT_H
#define VPLAT_EXPORT_H

/** Marks a public function exported from libvplat.so (the build hides everything else). */
#if defined(VPLAT_BUILDING_SHARED) && defined(__GNUC__)
#define VPLAT_API __attribute__((visibility("default")))
#else
#define VPLAT_API
#endif

#endif /* VPLAT_EXPORT_H */
