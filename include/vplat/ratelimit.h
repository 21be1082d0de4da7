/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/ratelimit.h
 * Per-device rate limits: two token buckets, one for operations (IOPS, packets, frames) and
 * one for bytes, each with a sustained rate and a burst.
 *
 * The limiter keeps no clock of its own: every call takes the current time in nanoseconds
 * from the caller (any monotonic source: CLOCK_MONOTONIC, an RTOS tick counter, or an injected
 * test clock). Time that goes backwards is treated as no time passing. Arithmetic is 64-bit
 * only and never overflows for rates up to VPLAT_RATELIMIT_MAX_RATE.
 *
 * A device asks vplat_ratelimit_consume() before it starts a request. If the answer is no, the
 * device leaves the request (and everything behind it) in the queue and the embedder retries
 * after vplat_ratelimit_wait_ns(). A request larger than a bucket's burst is let through when
 * that bucket is full and leaves the bucket in debt, so it is never starved forever.
 *
 * Freestanding (used by lib/devices). Thread rules: one thread at a time per limiter;
 * vplat_ratelimit_set() between requests of the thread that serves the device, or under the
 * caller's lock.
 */
#ifndef VPLAT_RATELIMIT_H
#define VPLAT_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest rate a bucket accepts, in tokens per second (2^34, about 17e9). */
#define VPLAT_RATELIMIT_MAX_RATE (UINT64_C(1) << 34)

/** Nanoseconds per second. */
#define VPLAT_RATELIMIT_NS_PER_SEC UINT64_C(1000000000)

/** One token bucket. Fields are private; read them only for diagnostics. */
struct vplat_tbucket {
	uint64_t rate;   /**< tokens added per second; 0 = unlimited */
	uint64_t burst;  /**< bucket capacity in tokens */
	int64_t tokens;  /**< tokens now (negative: debt after an over-burst request) */
	uint64_t frac;   /**< fraction of a token accumulated, in units of 1/1e9 token */
};

/** Limits of a device. A rate of 0 means unlimited. */
struct vplat_ratelimit_config {
	uint64_t ops_rate;    /**< operations per second (IOPS); 0 = unlimited */
	uint64_t ops_burst;   /**< operations allowed at once; 0 = one second's worth */
	uint64_t bytes_rate;  /**< bytes per second; 0 = unlimited */
	uint64_t bytes_burst; /**< bytes allowed at once; 0 = one second's worth */
};

/** Counters of a limiter. */
struct vplat_ratelimit_stats {
	uint64_t allowed;   /**< consume calls that succeeded */
	uint64_t throttled; /**< consume calls refused */
};

/** A rate limiter. Caller-allocated; initialise with vplat_ratelimit_init(). */
struct vplat_ratelimit {
	struct vplat_tbucket ops;           /**< operations bucket */
	struct vplat_tbucket bytes;         /**< bytes bucket */
	uint64_t last_ns;                   /**< time of the last refill */
	struct vplat_ratelimit_stats stats; /**< counters */
};

/**
 * Initialise a limiter with no limits (every request allowed).
 *
 * @param rl      caller storage
 * @param now_ns  current time in nanoseconds
 * @return 0, or VPLAT_EINVAL if @p rl is NULL
 */
VPLAT_API int vplat_ratelimit_init(struct vplat_ratelimit *rl, uint64_t now_ns);

/**
 * Change the limits at run time. Buckets whose rate changes start full (a device that gets a
 * limit keeps its burst); tokens above a smaller burst are dropped. Counters are kept.
 *
 * @param rl      an initialised limiter
 * @param cfg     the new limits (copied)
 * @param now_ns  current time in nanoseconds
 * @return 0; VPLAT_EINVAL if an argument is NULL; VPLAT_ERANGE if a rate is above
 *         VPLAT_RATELIMIT_MAX_RATE or a burst above INT64_MAX (nothing is changed then)
 */
VPLAT_API int vplat_ratelimit_set(struct vplat_ratelimit *rl,
				  const struct vplat_ratelimit_config *cfg, uint64_t now_ns);

/**
 * @param rl   an initialised limiter
 * @param cfg  receives the limits in force (bursts as resolved: never 0 for a limited bucket)
 */
VPLAT_API void vplat_ratelimit_get(const struct vplat_ratelimit *rl,
				   struct vplat_ratelimit_config *cfg);

/**
 * Take @p ops operations and @p bytes bytes if both buckets can give them (all or nothing).
 *
 * @param rl      an initialised limiter
 * @param ops     operations this request costs (normally 1)
 * @param bytes   bytes this request costs
 * @param now_ns  current time in nanoseconds
 * @return true if the request may proceed (tokens taken), false if it must wait
 */
VPLAT_API bool vplat_ratelimit_consume(struct vplat_ratelimit *rl, uint64_t ops, uint64_t bytes,
				       uint64_t now_ns);

/**
 * How long until vplat_ratelimit_consume() with the same cost would succeed.
 *
 * @param rl      an initialised limiter
 * @param ops     operations wanted
 * @param bytes   bytes wanted
 * @param now_ns  current time in nanoseconds
 * @return nanoseconds to wait (0: it would succeed now); saturates at UINT64_MAX
 */
VPLAT_API uint64_t vplat_ratelimit_wait_ns(struct vplat_ratelimit *rl, uint64_t ops,
					   uint64_t bytes, uint64_t now_ns);

/**
 * @param rl  an initialised limiter
 * @return true if either bucket has a rate set
 */
VPLAT_API bool vplat_ratelimit_active(const struct vplat_ratelimit *rl);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_RATELIMIT_H */
