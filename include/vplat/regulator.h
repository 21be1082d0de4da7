/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/regulator.h
 * Per-VM memory-bandwidth regulator, MemGuard-style: each regulated VM has a budget of
 * events (cache misses, memory accesses, or whatever the caller counts) per period. When a
 * VM has used its budget it is throttled until the next period boundary, where every budget
 * is replenished and throttled VMs are released.
 *
 * The core owns no clock, no counter and no way to stop anything. The caller (a hypervisor
 * that owns the PMU, or the Linux host part in vplat/host/regulator_linux.h) passes the time
 * in nanoseconds and the cumulative counter reading of a VM to vplat_reg_update(), and acts
 * on the answer: VPLAT_REG_THROTTLE (stop the VM's CPUs), VPLAT_REG_RELEASE (let them run),
 * VPLAT_REG_NONE. A hypervisor calls it from the counter-overflow interrupt, armed with
 * vplat_reg_remaining() events, and from a timer at vplat_reg_next_ns(); a poller calls it for
 * every VM at each poll.
 *
 * Accounting: counter readings are cumulative and may wrap (differences are taken modulo
 * 2^64). The events between two readings of a VM are charged to the period in which the
 * earlier reading was taken, so a caller that reads late charges them to the period that
 * ended (the VM starts the new period with its full budget). The first reading of a VM only
 * sets its baseline. Time that goes backwards is treated as no time passing; periods missed
 * entirely (no call for several periods) are counted as periods.
 *
 * Overshoot: events a VM caused in a period beyond its budget (the events between the reading
 * that crossed the budget and the moment the caller's stop took effect, plus whatever the
 * reading granularity hides). The core records it per period; how small it is depends on the
 * caller: an overflow interrupt bounds it to the interrupt latency, a poller to poll interval
 * times the VM's peak event rate.
 *
 * Freestanding (vplat-core): no allocation, no OS call, 64-bit integer arithmetic only, work
 * per call bounded by a constant. Thread rules: one thread at a time per regulator (a
 * hypervisor with one regulator per physical CPU, or a lock around the calls).
 */
#ifndef VPLAT_REGULATOR_H
#define VPLAT_REGULATOR_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Shortest period accepted, in nanoseconds (10 us). */
#define VPLAT_REG_MIN_PERIOD_NS UINT64_C(10000)

/** Longest period accepted, in nanoseconds (10 s). */
#define VPLAT_REG_MAX_PERIOD_NS UINT64_C(10000000000)

/** What the caller must do with a VM after vplat_reg_update(). */
enum vplat_reg_action {
	VPLAT_REG_NONE = 0,     /**< nothing changes: keep the VM as it is */
	VPLAT_REG_THROTTLE = 1, /**< the VM has used its budget: stop it */
	VPLAT_REG_RELEASE = 2   /**< a new period began for a stopped VM: let it run */
};

/** Counters of one VM. */
struct vplat_reg_stats {
	uint64_t events;            /**< events counted since vplat_reg_init() */
	uint64_t periods;           /**< periods ended while the VM had a budget */
	uint64_t periods_throttled; /**< of those, periods in which it was throttled */
	uint64_t throttles;         /**< VPLAT_REG_THROTTLE answers */
	uint64_t throttled_ns;      /**< time between THROTTLE and the following RELEASE */
	uint64_t overshoot_max;     /**< largest events-over-budget of one ended period */
	uint64_t overshoot_total;   /**< sum of events-over-budget over ended periods */
};

/** State of one VM. Caller-allocated (an array given to vplat_reg_init()); fields are
 *  private, read them only through the functions below or for diagnostics. */
struct vplat_reg_vm {
	uint64_t budget;              /**< events per period; 0 = not regulated */
	uint64_t used;                /**< events charged to the current period */
	uint64_t last_count;          /**< counter at the last reading */
	uint64_t period;              /**< index of the period of the last reading */
	uint64_t throttled_at;        /**< time of the last THROTTLE */
	bool primed;                  /**< a reading has set the baseline */
	bool throttled;               /**< stopped until the next period */
	bool hit;                     /**< throttled at some time in the current period */
	struct vplat_reg_stats stats; /**< counters */
};

/** A regulator. Caller-allocated; initialise with vplat_reg_init(). */
struct vplat_reg {
	struct vplat_reg_vm *vms; /**< caller's array of nvms entries */
	uint32_t nvms;            /**< number of VMs */
	uint64_t period_ns;       /**< length of a period */
	uint64_t start_ns;        /**< start of the current period */
	uint64_t index;           /**< index of the current period (0 at init) */
};

/**
 * Initialise a regulator over @p nvms VMs, none regulated yet; the first period starts at
 * @p now_ns.
 *
 * @param r          caller storage
 * @param vms        caller array of @p nvms VM states (overwritten); lives as long as @p r
 * @param nvms       number of VMs, at least 1
 * @param period_ns  period length, VPLAT_REG_MIN_PERIOD_NS to VPLAT_REG_MAX_PERIOD_NS
 * @param now_ns     current time
 * @return 0; VPLAT_EINVAL if @p r or @p vms is NULL or @p nvms is 0; VPLAT_ERANGE if the
 *         period is out of range
 */
VPLAT_API int vplat_reg_init(struct vplat_reg *r, struct vplat_reg_vm *vms, uint32_t nvms,
			     uint64_t period_ns, uint64_t now_ns);

/**
 * Set the budget of a VM, effective for the current period: a throttled VM whose new budget
 * is above what it used is released by its next vplat_reg_update(); one whose used events
 * already reach a smaller budget is throttled by it. 0 removes the regulation (the next
 * update releases a throttled VM).
 *
 * @param r       an initialised regulator
 * @param vm      VM index, below nvms
 * @param budget  events per period; 0 = not regulated
 * @return 0; VPLAT_EINVAL if @p r is NULL or @p vm is out of range
 */
VPLAT_API int vplat_reg_set_budget(struct vplat_reg *r, uint32_t vm, uint64_t budget);

/**
 * Charge the events of a VM since its previous reading, start a new period if the time says
 * so, and decide.
 *
 * @param r       an initialised regulator
 * @param vm      VM index, below nvms
 * @param count   the VM's cumulative counter reading (wraps modulo 2^64)
 * @param now_ns  current time
 * @return a vplat_reg_action (VPLAT_REG_NONE, VPLAT_REG_THROTTLE, VPLAT_REG_RELEASE), or
 *         VPLAT_EINVAL if @p r is NULL or @p vm is out of range
 */
VPLAT_API int vplat_reg_update(struct vplat_reg *r, uint32_t vm, uint64_t count, uint64_t now_ns);

/**
 * Events a VM may still cause in the current period (what a hypervisor programs into the
 * overflow counter).
 *
 * @param r   an initialised regulator
 * @param vm  VM index
 * @return events left (0 when used up or on a bad argument), UINT64_MAX for a VM with no budget
 */
VPLAT_API uint64_t vplat_reg_remaining(const struct vplat_reg *r, uint32_t vm);

/**
 * @param r  an initialised regulator
 * @return the time at which the current period ends (saturates at UINT64_MAX); 0 if @p r is NULL
 */
VPLAT_API uint64_t vplat_reg_next_ns(const struct vplat_reg *r);

/**
 * @param r   an initialised regulator
 * @param vm  VM index
 * @return true if the VM is throttled now (false on a bad argument)
 */
VPLAT_API bool vplat_reg_throttled(const struct vplat_reg *r, uint32_t vm);

/**
 * Copy the counters of a VM.
 *
 * @param r   an initialised regulator
 * @param vm  VM index
 * @param st  receives the counters
 * @return 0; VPLAT_EINVAL on a NULL pointer or a VM index out of range
 */
VPLAT_API int vplat_reg_get_stats(const struct vplat_reg *r, uint32_t vm,
				  struct vplat_reg_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_REGULATOR_H */
