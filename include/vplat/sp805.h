/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/sp805.h
 * Arm SP805 watchdog (PrimeCell, ARM DDI 0270), an MMIO register model for a VMM's trap handler.
 *
 * The COVESA AVPS recommends an emulated SP805 as the watchdog of Arm guests; Linux drives it
 * with `sp805_wdt` (device tree compatible "arm,sp805", "arm,primecell"). The counter counts
 * down from WdogLoad at the WDOGCLK rate while WdogControl.INTEN is set. Reaching zero the
 * first time raises the interrupt (WdogRIS) and reloads; reaching zero again with the interrupt
 * still raised asserts the reset output when RESEN is set. A write of 0x1ACCE551 to WdogLock
 * unlocks the other registers, any other value locks them.
 *
 * Time comes from the host ops (an injectable clock); the model owns no timer: the embedder
 * calls vplat_sp805_tick() at vplat_sp805_next_deadline(). Freestanding, not thread-safe: call
 * every function from one thread (or under the embedder's lock).
 */
#ifndef VPLAT_SP805_H
#define VPLAT_SP805_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name Register offsets
 * @{ */
#define VPLAT_SP805_LOAD    0x000u /**< WdogLoad (rw): reload value, reset 0xffffffff */
#define VPLAT_SP805_VALUE   0x004u /**< WdogValue (ro): current counter */
#define VPLAT_SP805_CONTROL 0x008u /**< WdogControl (rw): bit 0 INTEN, bit 1 RESEN */
#define VPLAT_SP805_INTCLR  0x00cu /**< WdogIntClr (wo): clear the interrupt and reload */
#define VPLAT_SP805_RIS     0x010u /**< WdogRIS (ro): raw interrupt status, bit 0 */
#define VPLAT_SP805_MIS     0x014u /**< WdogMIS (ro): RIS and INTEN */
#define VPLAT_SP805_LOCK    0xc00u /**< WdogLock (rw): reads 1 when locked */
#define VPLAT_SP805_ITCR    0xf00u /**< WdogITCR (rw): integration test control, bit 0 */
#define VPLAT_SP805_ITOP    0xf04u /**< WdogITOP (wo): integration test outputs, bits 1:0 */
#define VPLAT_SP805_PERIPHID0 0xfe0u /**< first of the peripheral and PrimeCell ID registers */
/** @} */

/** WdogControl: counter and interrupt enable. */
#define VPLAT_SP805_CTRL_INTEN 0x1u
/** WdogControl: reset output enable. */
#define VPLAT_SP805_CTRL_RESEN 0x2u
/** The WdogLock value that unlocks write access. */
#define VPLAT_SP805_UNLOCK_KEY 0x1acce551u
/** Size of the register window. */
#define VPLAT_SP805_WINDOW 0x1000u

/** The model's outputs and clock. */
struct vplat_sp805_host_ops {
	/** Required. Monotonic time in nanoseconds (the injectable clock). */
	uint64_t (*now_ns)(void *host);
	/** Optional. The interrupt line (WDOGINT) changed to @p level. */
	void (*irq)(void *host, bool level);
	/**
	 * Optional. The reset output (WDOGRES) was asserted: reset the VM (or run the action the
	 * embedder chose). Called once; the counter stops until vplat_sp805_reset().
	 */
	void (*reset)(void *host);
};

/** An SP805 watchdog. Caller-allocated; fields are private. */
struct vplat_sp805 {
	const struct vplat_sp805_host_ops *host; /**< host end */
	void *host_opaque;                       /**< argument for the host end */
	uint64_t hz;                             /**< WDOGCLK frequency */
	uint32_t load;                           /**< WdogLoad */
	uint32_t control;                        /**< WdogControl */
	uint32_t count_ref;                      /**< counter value at @ref t_ref */
	uint64_t t_ref;                          /**< time the counter held @ref count_ref */
	bool ris;                                /**< raw interrupt status */
	bool locked;                             /**< WdogLock state */
	bool reset_out;                          /**< WDOGRES asserted */
	uint32_t itcr;                           /**< WdogITCR */
	uint64_t resets;                         /**< times the reset output was asserted */
};

/**
 * Initialise (and reset) an SP805.
 *
 * @param sp           caller storage
 * @param clock_hz     WDOGCLK frequency in Hz (1..4294967295; Arm FVP and QEMU boards use
 *                     1000000 or the APB clock)
 * @param host         host ops (static const); now_ns is required
 * @param host_opaque  passed to the host ops
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_sp805_init(struct vplat_sp805 *sp, uint64_t clock_hz,
			       const struct vplat_sp805_host_ops *host, void *host_opaque);

/** Reset the registers (a VM reset): load 0xffffffff, control 0, unlocked, no interrupt. */
VPLAT_API void vplat_sp805_reset(struct vplat_sp805 *sp);

/**
 * Guest read of the register window.
 *
 * @param sp    the model
 * @param off   offset from the window base (0..0xfff)
 * @param size  access width: 4 (the SP805 has only 32-bit registers)
 * @param val   result; 0 on error
 * @return 0, or VPLAT_EINVAL for another width, an unaligned or out-of-window offset
 */
VPLAT_API int vplat_sp805_read(struct vplat_sp805 *sp, uint64_t off, unsigned size,
			       uint64_t *val);

/**
 * Guest write of the register window. Same arguments and errors as vplat_sp805_read().
 * Writes to read-only or reserved offsets, and every write but WdogLock while locked, are
 * ignored (and return 0).
 */
VPLAT_API int vplat_sp805_write(struct vplat_sp805 *sp, uint64_t off, unsigned size,
				uint64_t val);

/** Advance the counter to @p now_ns: raise the interrupt or the reset output when due. */
VPLAT_API void vplat_sp805_tick(struct vplat_sp805 *sp, uint64_t now_ns);

/** @return the absolute time (ns) of the next counter expiry; UINT64_MAX when stopped. */
VPLAT_API uint64_t vplat_sp805_next_deadline(const struct vplat_sp805 *sp);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_SP805_H */
