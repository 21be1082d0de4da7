/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/conform.h
 * The conformance suite's test framework: tests, the platform abstraction layer (PAL) that
 * reaches the device under test, the per-test context with checkpoints, and the reporters.
 *
 * Modelled on Arm's BSA ACS: each test carries its requirement IDs (spec/requirements.tsv) and
 * the virtio clause as data; its run function returns PASS, FAIL (with the checkpoint, the
 * clause broken, what was expected and what was seen) or SKIP (with why). Tests are
 * registered by a generated table (no constructor attributes): every `VPLAT_TEST(...)` line in
 * conformance/tests becomes one entry.
 *
 * Thread rules: one suite run per thread; tests run one after another.
 */
#ifndef VPLAT_CONFORM_H
#define VPLAT_CONFORM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vplat/export.h"
#include "vplat/val/val.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Outcome of one test on one device. */
enum vplat_result {
	VPLAT_PASS = 0, /**< every checkpoint held */
	VPLAT_FAIL = 1, /**< a checkpoint failed: the device broke the named requirement */
	VPLAT_SKIP = 2, /**< not applicable (feature not offered, wrong transport, ...) */
	VPLAT_ERROR = 3 /**< the suite could not run the test (setup failed, timeout) */
};

/** @name Test flags (struct vplat_test.flags)
 * @{ */
#define VPLAT_TF_MMIO      0x1u /**< only on virtio-mmio transports */
#define VPLAT_TF_PCI       0x2u /**< only on virtio-pci transports */
#define VPLAT_TF_EXERCISER 0x4u /**< acts as a hostile driver (run with --exerciser or by default) */
/** @} */

struct vplat_test_ctx;

/** A test's run function. */
typedef enum vplat_result (*vplat_test_fn)(struct vplat_test_ctx *t);

/** One conformance test. Defined with VPLAT_TEST(). */
struct vplat_test {
	const char *name;   /**< unique name, `area_what` (e.g. `core_reset_clears_status`) */
	const char *reqs;   /**< requirement IDs it checks, space-separated */
	const char *clause; /**< virtio clause label it derives from, or "" */
	uint32_t device_id; /**< device type it applies to; 0 = every device */
	uint32_t flags;     /**< VPLAT_TF_* */
	const char *desc;   /**< one line: what is checked */
	vplat_test_fn run;  /**< the test */
};

/**
 * Define a test. The registry generator scans conformance/tests for this macro at the start
 * of a line, so write it on one line per test, starting in column 0.
 */
#define VPLAT_TEST(NAME, REQS, CLAUSE, DEVICE, FLAGS, DESC, FN)                                    \
	const struct vplat_test vplat_test_##NAME = {#NAME, REQS, CLAUSE, DEVICE, FLAGS, DESC, FN}

/** A device the PAL can reach. */
struct vplat_pal_dev {
	char name[64];                      /**< e.g. "rng@mmio", "blk@vhost-user:/tmp/s" */
	uint32_t device_id;                 /**< virtio device ID */
	enum vplat_val_transport transport; /**< how the driver reaches it */
	bool emulated;                      /**< the device is not reached through its own
					         transport registers (e.g. vhost-user, a
					         VPLAT_VAL_CUSTOM transport): transport tests do not apply */
};

struct vplat_pal;

/** How the suite reaches devices: in-process, over vhost-user, or inside a guest. */
struct vplat_pal_ops {
	/** Name used by `--pal`. */
	const char *name;
	/**
	 * Required. Give @p d a freshly reset device @p idx, ready for vplat_val_negotiate().
	 * Each test gets its own open/close pair.
	 * @return 0 or a VPLAT_E* code (the test is reported as ERROR)
	 */
	int (*open)(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d);
	/** Required. Release what open() set up. */
	void (*close)(struct vplat_pal *pal, unsigned idx, struct vplat_val_dev *d);
	/**
	 * Optional. Make the device side progress (in-process PALs with asynchronous devices).
	 * Tests call it through vplat_t_poll() while they wait.
	 */
	void (*poll)(struct vplat_pal *pal, unsigned idx);
	/**
	 * Optional. In-process PALs only: the device's status as the device model holds it
	 * (lets exerciser tests check DEVICE_NEEDS_RESET without a register read); -1 if unknown.
	 */
	int (*device_status)(struct vplat_pal *pal, unsigned idx);
	/**
	 * Optional. In-process PALs only: set the dispatch budget of every queue of device
	 * @p idx (vplat_device_set_dispatch_budget(); 0: the queue size), so a test can watch a
	 * dispatch stop at it (VPLAT-FFI-013). One dispatch is one register write of a kick or
	 * one poll() call. @return 0 or a VPLAT_E* code
	 */
	int (*set_dispatch_budget)(struct vplat_pal *pal, unsigned idx, uint16_t budget);
};

/** A PAL instance: its ops, its devices and its private state. */
struct vplat_pal {
	const struct vplat_pal_ops *ops; /**< the PAL */
	struct vplat_pal_dev *devs;      /**< devices found (owned by the PAL) */
	unsigned ndevs;                  /**< entries in @ref devs */
	void *priv;                      /**< the PAL's state */
};

/** Per-test context handed to a test's run function. */
struct vplat_test_ctx {
	const struct vplat_test *test;     /**< the test running */
	struct vplat_pal *pal;             /**< the PAL */
	unsigned idx;                      /**< device index in the PAL */
	const struct vplat_pal_dev *dev;   /**< the device under test */
	struct vplat_val_dev *d;           /**< the driver, reset and ready to negotiate */
	enum vplat_result result;          /**< outcome so far */
	int checkpoint;                    /**< failing checkpoint (FAIL) */
	char expected[256];                /**< what the requirement wants (FAIL) */
	char seen[256];                    /**< what the device did (FAIL) */
	char detail[512];                  /**< failed expression with file:line, or skip reason */
	uint64_t deadline_ns;              /**< CLOCK_MONOTONIC deadline of the test */
	struct vplat_val_vq vqs[8];        /**< queue storage handed out by vplat_t_vq() */
	unsigned nvqs;                     /**< entries of @ref vqs handed out */
};

/**
 * Storage for one driver queue that the runner releases (vplat_val_vq_fini()) after the test,
 * whichever way the test ends. At most 8 per test.
 * @return zeroed queue storage, or NULL when all 8 are in use
 */
VPLAT_API struct vplat_val_vq *vplat_t_vq(struct vplat_test_ctx *t);

/**
 * Record a failed checkpoint. Used by the VPLAT_T_* macros.
 * @return VPLAT_FAIL, for `return vplat_t_fail(...)`
 */
VPLAT_API enum vplat_result vplat_t_fail(struct vplat_test_ctx *t, int checkpoint, const char *expr,
					 const char *file, int line, const char *expected,
					 const char *seen_fmt, ...)
	__attribute__((format(printf, 7, 8)));

/** Record why a test does not apply. @return VPLAT_SKIP */
VPLAT_API enum vplat_result vplat_t_skip(struct vplat_test_ctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Record that the suite itself could not run the test. @return VPLAT_ERROR */
VPLAT_API enum vplat_result vplat_t_error(struct vplat_test_ctx *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** @return true once the test's time budget is spent. */
VPLAT_API bool vplat_t_expired(const struct vplat_test_ctx *t);

/** Let the device side progress (calls the PAL's poll op, if any). */
VPLAT_API void vplat_t_poll(struct vplat_test_ctx *t);

/** @return the device status the model holds (in-process PALs), or -1 if unknown. */
VPLAT_API int vplat_t_device_status(struct vplat_test_ctx *t);

/** Fail checkpoint @p CP unless @p EXPR holds. */
#define VPLAT_T_CHECK(T, CP, EXPR)                                                                 \
	do {                                                                                       \
		if (!(EXPR))                                                                       \
			return vplat_t_fail(T, CP, #EXPR, __FILE__, __LINE__, NULL, NULL);         \
	} while (0)

/** Fail checkpoint @p CP unless @p A == @p B; records both values (as unsigned 64-bit). */
#define VPLAT_T_CHECK_EQ(T, CP, A, B, EXPECTED)                                                    \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(A), b_ = (uint64_t)(B);                                   \
		if (a_ != b_)                                                                      \
			return vplat_t_fail(T, CP, #A " == " #B, __FILE__, __LINE__, EXPECTED,     \
					    "%s = 0x%llx, expected 0x%llx", #A,                    \
					    (unsigned long long)a_, (unsigned long long)b_);       \
	} while (0)

/** Fail checkpoint @p CP with a message unless @p EXPR holds. */
#define VPLAT_T_CHECK_MSG(T, CP, EXPR, EXPECTED, ...)                                              \
	do {                                                                                       \
		if (!(EXPR))                                                                       \
			return vplat_t_fail(T, CP, #EXPR, __FILE__, __LINE__, EXPECTED,            \
					    __VA_ARGS__);                                          \
	} while (0)

/** One line of spec/requirements.tsv. */
struct vplat_req {
	char id[24];      /**< VPLAT-AREA-NNN */
	char level[12];   /**< MUST, SHOULD, MAY, WITHDRAWN */
	char chapter[48]; /**< spec file it is in */
	char origin[256]; /**< virtio clause or vplat need */
	char text[768];   /**< the requirement */
};

/**
 * Load spec/requirements.tsv.
 * @param path  file to read
 * @param out   set to a malloc'd array (free() it)
 * @param n     set to its length
 * @return 0, VPLAT_ENOENT if the file cannot be opened, VPLAT_EINVAL on a malformed line
 */
VPLAT_API int vplat_req_load(const char *path, struct vplat_req **out, size_t *n);

/** The result of one test on one device. */
struct vplat_t_record {
	const struct vplat_test *test; /**< the test */
	char device[64];               /**< PAL device name */
	enum vplat_result result;      /**< outcome */
	int checkpoint;                /**< failing checkpoint, 0 if none */
	char expected[256];            /**< see struct vplat_test_ctx */
	char seen[256];                /**< see struct vplat_test_ctx */
	char detail[512];              /**< see struct vplat_test_ctx */
	double seconds;                /**< run time */
};

/** A device under test, as the report's header describes it. */
struct vplat_report_dev {
	char name[64];        /**< PAL device name (names the back end, e.g. its socket) */
	uint32_t device_id;   /**< virtio device ID */
	char transport[24];   /**< "virtio-mmio", "virtio-pci" or "emulated" (e.g. vhost-user) */
	uint64_t offered;     /**< device features read by the run's last negotiation, 0 if none */
	uint64_t negotiated;  /**< features accepted at FEATURES_OK by that negotiation */
};

/** A finished run, as the reporters see it. */
struct vplat_report {
	const char *pal;                     /**< PAL name */
	const char *started;                 /**< ISO-8601 UTC start time */
	const char *host;                    /**< free-form description of the platform */
	const struct vplat_t_record *recs;   /**< results, in run order */
	size_t nrecs;                        /**< entries in @ref recs */
	const struct vplat_req *reqs;        /**< requirement index (may be NULL) */
	size_t nreqs;                        /**< entries in @ref reqs */
	const char *version;                 /**< suite version (may be NULL) */
	const char *revision;                /**< source revision (git describe; may be NULL) */
	const char *cmdline;                 /**< command line of the run (may be NULL) */
	const char *reached;                 /**< how devices were reached: PAL and its
					          arguments (may be NULL) */
	const struct vplat_report_dev *devs; /**< devices under test (may be NULL) */
	size_t ndevs;                        /**< entries in @ref devs */
};

/** @return "PASS", "FAIL", "SKIP" or "ERROR". */
VPLAT_API const char *vplat_result_name(enum vplat_result r);

/** Write TAP version 13 to @p f. @return 0 or VPLAT_EIO */
VPLAT_API int vplat_report_tap(const struct vplat_report *r, FILE *f);
/** Write JUnit XML to @p f. @return 0 or VPLAT_EIO */
VPLAT_API int vplat_report_junit(const struct vplat_report *r, FILE *f);
/** Write JSON to @p f. @return 0 or VPLAT_EIO */
VPLAT_API int vplat_report_json(const struct vplat_report *r, FILE *f);
/**
 * Write a self-contained HTML report (no external resources) to @p f. It leads with the
 * verdict: the devices under test, suite version, revision and command line, the counts
 * (linked to the sections), then a Failures table (requirement, level, origin, text,
 * expected and seen, test) before anything else; then the requirements of the device types
 * in the run (the others collapsed) and all tests, filterable by result.
 * @return 0 or VPLAT_EIO
 */
VPLAT_API int vplat_report_html(const struct vplat_report *r, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_CONFORM_H */
