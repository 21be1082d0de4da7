/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/regulator_linux.h
 * Memory-bandwidth regulation of Linux processes, threads or cgroups (a QEMU's vCPU threads,
 * a daemon's workers) with the freestanding core of vplat/regulator.h: a poller reads each
 * VM's event counter from a pluggable source and applies the core's decisions through a
 * pluggable throttle.
 *
 * Counter sources (struct vplat_hreg_source_ops):
 *  - perf: one perf_event_open() counter per thread, summed per VM; the hardware cache-miss
 *    event where the PMU exists (vplat_hreg_pmu_probe() says whether it does), or the software
 *    task-clock event (CPU nanoseconds: for a memory-bound workload an upper bound of its
 *    memory traffic over peak bandwidth, not a count of memory accesses);
 *  - shm: a cooperative counter array in shared memory that the workload itself increments
 *    (for example by the cache lines it streams); exact for instrumented workloads, worthless
 *    against a hostile one;
 *  - any caller ops table (the tests use a simulated one).
 *
 * Throttles (struct vplat_hreg_throttle_ops): SIGSTOP/SIGCONT of processes (a signal stops
 * the whole thread group, so a thread of a process cannot be stopped alone this way), or the
 * cgroup freezer (v2 cgroup.freeze or v1 freezer.state), whichever vplat_hreg_cgroup_open()
 * finds writable.
 *
 * A user-space poller bounds the overshoot only by (poll interval + the time the kernel
 * takes to stop the target) times the target's peak event rate; a hypervisor with the PMU
 * overflow interrupt does better (docs/interference.md).
 *
 * Thread rules: one thread at a time per regulator. The library starts no thread: the caller
 * calls vplat_hreg_poll() from its own loop.
 */
#ifndef VPLAT_HOST_REGULATOR_LINUX_H
#define VPLAT_HOST_REGULATOR_LINUX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "vplat/export.h"
#include "vplat/regulator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of VMs of a host regulator. */
#define VPLAT_HREG_MAX_VMS 8u

/** Largest number of processes or threads per VM. */
#define VPLAT_HREG_MAX_TASKS 64u

/** Where the events of each VM are counted. */
struct vplat_hreg_source_ops {
	const char *name; /**< for reports ("perf:cache-misses", "shm", ...) */
	/** Required: the cumulative count of VM @p vm into @p count; 0 or a negative VPLAT_E*. */
	int (*read)(void *ctx, uint32_t vm, uint64_t *count);
};

/** How a VM is stopped and let run again. */
struct vplat_hreg_throttle_ops {
	const char *name; /**< for reports ("signal", "cgroup2-freeze", ...) */
	/** Required: stop VM @p vm; 0 or a negative VPLAT_E*. */
	int (*stop)(void *ctx, uint32_t vm);
	/** Required: let VM @p vm run; 0 or a negative VPLAT_E*. */
	int (*resume)(void *ctx, uint32_t vm);
};

/** A host regulator. Caller-allocated; fields are private. */
struct vplat_hreg {
	struct vplat_reg core;                          /**< the decisions */
	struct vplat_reg_vm vms[VPLAT_HREG_MAX_VMS];    /**< core state per VM */
	const struct vplat_hreg_source_ops *src;        /**< counter source */
	void *src_ctx;                                  /**< its context */
	const struct vplat_hreg_throttle_ops *thr;      /**< throttle */
	void *thr_ctx;                                  /**< its context */
	uint64_t polls;                                 /**< vplat_hreg_poll() calls */
	uint64_t errors;                                /**< failed reads, stops or resumes */
};

/**
 * Initialise a host regulator over @p nvms VMs, none with a budget yet.
 *
 * @param h          caller storage
 * @param nvms       1 to VPLAT_HREG_MAX_VMS
 * @param period_ns  regulation period (VPLAT_REG_MIN_PERIOD_NS to VPLAT_REG_MAX_PERIOD_NS)
 * @param src, src_ctx  counter source and its context (kept, not copied)
 * @param thr, thr_ctx  throttle and its context (kept, not copied)
 * @param now_ns     current CLOCK_MONOTONIC time
 * @return 0; VPLAT_EINVAL on a NULL pointer, a missing op or @p nvms out of range;
 *         VPLAT_ERANGE for a period out of range
 */
VPLAT_API int vplat_hreg_init(struct vplat_hreg *h, uint32_t nvms, uint64_t period_ns,
			      const struct vplat_hreg_source_ops *src, void *src_ctx,
			      const struct vplat_hreg_throttle_ops *thr, void *thr_ctx,
			      uint64_t now_ns);

/**
 * Read every VM's counter, let the core decide, stop or resume VMs accordingly. A failed read
 * leaves that VM as it is for this poll; failures are counted in h->errors.
 *
 * @param h       an initialised regulator
 * @param now_ns  current CLOCK_MONOTONIC time
 * @return number of VMs stopped or resumed by this poll, or VPLAT_EINVAL
 */
VPLAT_API int vplat_hreg_poll(struct vplat_hreg *h, uint64_t now_ns);

/**
 * Resume every VM the regulator has stopped (call before exiting) and remove all budgets.
 *
 * @param h  an initialised regulator
 * @return 0, or the first error of a resume (the others are still tried)
 */
VPLAT_API int vplat_hreg_release_all(struct vplat_hreg *h);

/** @return CLOCK_MONOTONIC in nanoseconds */
VPLAT_API uint64_t vplat_hreg_now_ns(void);

/**
 * Does this machine count hardware cache misses for a thread? Opens the perf hardware
 * cache-miss event on the calling thread and closes it.
 *
 * @param why     receives, when the answer is no, the reason (errno text and event)
 * @param whylen  size of @p why
 * @return 1 if the PMU counts it, 0 if not
 */
VPLAT_API int vplat_hreg_pmu_probe(char *why, size_t whylen);

/** Events a perf source counts. */
enum vplat_hreg_perf_event {
	VPLAT_HREG_PERF_CACHE_MISSES = 0, /**< hardware: last-level cache misses */
	VPLAT_HREG_PERF_TASK_CLOCK = 1    /**< software: CPU time of the task, in nanoseconds */
};

/** Per-thread perf counters of each VM. Caller-allocated; fields are private. */
struct vplat_hreg_perf {
	int fd[VPLAT_HREG_MAX_VMS][VPLAT_HREG_MAX_TASKS]; /**< counters, -1 unused */
	uint32_t n[VPLAT_HREG_MAX_VMS];                  /**< counters per VM */
	enum vplat_hreg_perf_event event;                /**< what is counted */
};

/** The perf counter source (ctx: a struct vplat_hreg_perf). */
VPLAT_API extern const struct vplat_hreg_source_ops vplat_hreg_perf_source;

/**
 * @param p      caller storage
 * @param event  what to count
 */
VPLAT_API void vplat_hreg_perf_init(struct vplat_hreg_perf *p, enum vplat_hreg_perf_event event);

/**
 * Count the events of thread (or single-threaded process) @p tid for VM @p vm. For a
 * process with several threads, add each of /proc/PID/task/.
 *
 * @param p    the source's context (vplat_hreg_perf_init() first)
 * @param vm   VM index, below VPLAT_HREG_MAX_VMS
 * @param tid  thread or process id
 * @return 0; VPLAT_EINVAL for a bad VM; VPLAT_ENOSPC when the VM has VPLAT_HREG_MAX_TASKS;
 *         VPLAT_ENOTSUP when the event is not counted on this machine (no PMU);
 *         VPLAT_EPERM or VPLAT_ENOENT from perf_event_open()
 */
VPLAT_API int vplat_hreg_perf_add(struct vplat_hreg_perf *p, uint32_t vm, pid_t tid);

/** Close every counter of @p p. @param p  the source's context */
VPLAT_API void vplat_hreg_perf_fini(struct vplat_hreg_perf *p);

/** The cooperative shared-memory source (ctx: a struct vplat_hreg_shm). */
struct vplat_hreg_shm {
	volatile uint64_t *counters; /**< one per VM, incremented by the workloads */
	uint32_t n;                  /**< number of counters */
};

/** The cooperative counter source (ctx: a struct vplat_hreg_shm). */
VPLAT_API extern const struct vplat_hreg_source_ops vplat_hreg_shm_source;

/** Processes stopped and continued with SIGSTOP/SIGCONT. Caller-allocated. */
struct vplat_hreg_signal {
	pid_t pid[VPLAT_HREG_MAX_VMS][VPLAT_HREG_MAX_TASKS]; /**< processes per VM */
	uint32_t n[VPLAT_HREG_MAX_VMS];                     /**< processes per VM */
};

/** The signal throttle (ctx: a struct vplat_hreg_signal). */
VPLAT_API extern const struct vplat_hreg_throttle_ops vplat_hreg_signal_throttle;

/**
 * Add process @p pid to VM @p vm of a signal throttle.
 *
 * @param s    the throttle's context
 * @param vm   VM index, below VPLAT_HREG_MAX_VMS
 * @param pid  a process (its whole thread group is stopped)
 * @return 0; VPLAT_EINVAL; VPLAT_ENOSPC when the VM is full
 */
VPLAT_API int vplat_hreg_signal_add(struct vplat_hreg_signal *s, uint32_t vm, pid_t pid);

/** One cgroup per VM, frozen and thawed. Caller-allocated; fields are private. */
struct vplat_hreg_cgroup {
	int fd[VPLAT_HREG_MAX_VMS]; /**< cgroup.freeze or freezer.state, -1 unused */
	int v2[VPLAT_HREG_MAX_VMS]; /**< 1 for cgroup.freeze (v2), 0 for freezer.state (v1) */
};

/** The cgroup freezer throttle (ctx: a struct vplat_hreg_cgroup). */
VPLAT_API extern const struct vplat_hreg_throttle_ops vplat_hreg_cgroup_throttle;

/**
 * Use cgroup directory @p dir for VM @p vm: its cgroup.freeze (v2) or freezer.state (v1),
 * whichever exists and opens for writing.
 *
 * @param c    caller storage, all fd -1 before the first call (vplat_hreg_cgroup_init())
 * @param vm   VM index, below VPLAT_HREG_MAX_VMS
 * @param dir  the cgroup's directory
 * @return 0; VPLAT_EINVAL; VPLAT_ENOTSUP when neither file is writable there
 */
VPLAT_API int vplat_hreg_cgroup_open(struct vplat_hreg_cgroup *c, uint32_t vm, const char *dir);

/** @param c  caller storage: every VM unused */
VPLAT_API void vplat_hreg_cgroup_init(struct vplat_hreg_cgroup *c);

/** Close every file of @p c (thawing nothing: call vplat_hreg_release_all() first).
 *  @param c  the throttle's context */
VPLAT_API void vplat_hreg_cgroup_fini(struct vplat_hreg_cgroup *c);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_REGULATOR_LINUX_H */
