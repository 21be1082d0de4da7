/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/types.h
 * Little-endian wire types and conversion helpers shared by every virtio wire header.
 *
 * Virtio 1.x structures are little-endian ("Basic Facilities of a Virtio Device / Device
 * Configuration Space" and the ring chapters). The `vplat_leNN` types document that a field is
 * stored little-endian; convert with vplat_leNN_to_cpu() / vplat_cpu_to_leNN(). On a
 * little-endian host the helpers compile to nothing. Freestanding: needs only <stdint.h>.
 */
#ifndef VPLAT_SPEC_TYPES_H
#define VPLAT_SPEC_TYPES_H

#include <stdint.h>

/* The wire headers check their layouts with C11 _Static_assert; C++ spells it static_assert. */
#if defined(__cplusplus) && !defined(_Static_assert)
/** @cond */
#define _Static_assert static_assert /* misra-deviation: 21.1 C++ spells _Static_assert static_assert */
/** @endcond */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** A 16-bit little-endian field as stored in guest memory or config space. */
typedef uint16_t vplat_le16;
/** A 32-bit little-endian field as stored in guest memory or config space. */
typedef uint32_t vplat_le32;
/** A 64-bit little-endian field as stored in guest memory or config space. */
typedef uint64_t vplat_le64;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
/** Convert a little-endian 16-bit value to host order. */
static inline uint16_t vplat_le16_to_cpu(vplat_le16 v) { return __builtin_bswap16(v); }
/** Convert a little-endian 32-bit value to host order. */
static inline uint32_t vplat_le32_to_cpu(vplat_le32 v) { return __builtin_bswap32(v); }
/** Convert a little-endian 64-bit value to host order. */
static inline uint64_t vplat_le64_to_cpu(vplat_le64 v) { return __builtin_bswap64(v); }
#else
/** Convert a little-endian 16-bit value to host order. */
static inline uint16_t vplat_le16_to_cpu(vplat_le16 v) { return v; }
/** Convert a little-endian 32-bit value to host order. */
static inline uint32_t vplat_le32_to_cpu(vplat_le32 v) { return v; }
/** Convert a little-endian 64-bit value to host order. */
static inline uint64_t vplat_le64_to_cpu(vplat_le64 v) { return v; }
#endif

/** Convert a host-order 16-bit value to little-endian. */
static inline vplat_le16 vplat_cpu_to_le16(uint16_t v) { return vplat_le16_to_cpu(v); }
/** Convert a host-order 32-bit value to little-endian. */
static inline vplat_le32 vplat_cpu_to_le32(uint32_t v) { return vplat_le32_to_cpu(v); }
/** Convert a host-order 64-bit value to little-endian. */
static inline vplat_le64 vplat_cpu_to_le64(uint64_t v) { return vplat_le64_to_cpu(v); }

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_SPEC_TYPES_H */
