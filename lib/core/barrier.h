/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory ordering between the device and a driver running on another CPU.
 * Compiler builtins (GCC and Clang), so the core needs no <stdatomic.h> and stays freestanding.
 */
#ifndef VPLAT_CORE_BARRIER_H
#define VPLAT_CORE_BARRIER_H

#include <stdint.h>

/* Order earlier loads before later loads (read ring index, then ring contents). */
#define vplat_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Order earlier stores before later stores (write used element, then used index). */
#define vplat_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
/* Order earlier stores before later loads (publish index, then read the driver's event). */
#define vplat_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Single-copy-atomic accesses to fields shared with the driver. */
static inline uint16_t vplat_load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}
static inline void vplat_store16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

/* Hint that @p p will be read soon (a ring descriptor or a frame the next iteration touches).
 * Never faults, so it may be given a driver-chosen (bounds-checked) address. */
#define vplat_prefetch(p) __builtin_prefetch((p), 0, 3)

#endif
