/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/error.h
 * Error codes returned by every vplat function.
 *
 * Functions return 0 on success or one of the negative codes below. The values are fixed (they
 * equal the Linux errno numbers, negated) so that RTOS and bare-metal builds need no <errno.h>,
 * and so that a POSIX embedder can pass them on as `-errno` unchanged.
 *
 * These codes are what the *embedder* sees. What the *driver* sees (a status byte in a request,
 * DEVICE_NEEDS_RESET in the device status) is separate and set by the device.
 */
#ifndef VPLAT_ERROR_H
#define VPLAT_ERROR_H

#include "vplat/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VPLAT_OK         0    /**< success */
#define VPLAT_EPERM      (-1)   /**< operation not permitted in this state */
#define VPLAT_ENOENT     (-2)   /**< no such object (queue, region, port) */
#define VPLAT_EIO        (-5)   /**< host I/O error */
#define VPLAT_E2BIG      (-7)   /**< argument list too long (too many segments) */
#define VPLAT_EAGAIN     (-11)  /**< nothing to do now, try again later (ring empty) */
#define VPLAT_ENOMEM     (-12)  /**< caller-provided storage too small */
#define VPLAT_EFAULT     (-14)  /**< guest address outside guest memory */
#define VPLAT_EBUSY      (-16)  /**< object in use */
#define VPLAT_EEXIST     (-17)  /**< object already exists or overlaps */
#define VPLAT_ENODEV     (-19)  /**< device not live (reset, failed or needs reset) */
#define VPLAT_EINVAL     (-22)  /**< invalid argument */
#define VPLAT_ENOSPC     (-28)  /**< no space left (ring full, table full) */
#define VPLAT_ERANGE     (-34)  /**< value out of range */
#define VPLAT_EPROTO     (-71)  /**< protocol violation by the peer (driver or frontend) */
#define VPLAT_EOVERFLOW  (-75)  /**< arithmetic overflow in a peer-supplied value */
#define VPLAT_ENOTSUP    (-95)  /**< not supported */
#define VPLAT_ETIMEDOUT  (-110) /**< timed out */

/**
 * Describe an error code.
 *
 * @param err  a value returned by a vplat function (0 or negative)
 * @return a static, NUL-terminated English string; never NULL ("unknown error" for
 *         values not in the table). Thread-safe.
 */
VPLAT_API const char *vplat_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_ERROR_H */
