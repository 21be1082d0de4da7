/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/i2c.h
 * I2C adapter device (virtio-i2c, device ID 34; sec: Device Types / I2C Adapter Device) and
 * the interface to its host end, which runs I2C transfers on a bus (simulated devices, or a
 * Linux /dev/i2c-N adapter: vplat/host/i2c_host.h).
 *
 * Requests: each requestq buffer is one I2C message (segment): an out header (address, flags),
 * an optional data buffer (device-readable for a write, device-writable for a read) and a
 * status byte. Requests whose header has VIRTIO_I2C_FLAGS_FAIL_NEXT set are grouped with the
 * following ones; a group ends with the first request without it. The device holds a group's
 * requests until its last one arrives and then runs the group as one I2C transfer (START,
 * repeated START between messages, STOP), so a write-then-read reaches the bus as the guest
 * driver built it. Groups are run in ring order and their buffers completed in ring order
 * (devicenormative:Device Types / I2C Adapter Device / Device Operation: "MUST guarantee the
 * requests in the virtqueue being processed in order"), so VIRTIO_F_IN_ORDER is offered.
 *
 * Failures: when the host end completes only the first k messages of a group, request k gets
 * VIRTIO_I2C_MSG_ERR and so do all later requests of the group, which are not attempted. A
 * malformed request (short header, no status byte, reserved flag bits, a buffer in the wrong
 * direction, a malformed address, too many segments) or a group larger than
 * VPLAT_I2C_GROUP_MAX requests or VPLAT_I2C_GROUP_BYTES data bytes fails its whole group
 * without any bus traffic. The buffer of a failed read request is zero-filled.
 *
 * VIRTIO_I2C_F_ZERO_LENGTH_REQUEST is always offered and a driver that does not accept it is
 * refused at FEATURES_OK (devicenormative: "MUST offer ... and MUST reject any driver that
 * doesn't negotiate this feature").
 *
 * Freestanding. Thread rules: one thread serves the device (queue notifications and the host
 * end's transfer calls run in it).
 */
#ifndef VPLAT_I2C_H
#define VPLAT_I2C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_i2c.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @name vplat_i2c_msg::flags
 * @{ */
#define VPLAT_I2C_MSG_RD  0x1u /**< read: the host end fills @ref vplat_i2c_msg.buf */
#define VPLAT_I2C_MSG_TEN 0x2u /**< @ref vplat_i2c_msg.addr is a 10-bit address */
/** @} */

/** One message (segment) of an I2C transfer. */
struct vplat_i2c_msg {
	uint16_t addr;  /**< target address: 0..0x7f, or 0..0x3ff with VPLAT_I2C_MSG_TEN */
	uint16_t flags; /**< VPLAT_I2C_MSG_* */
	uint32_t len;   /**< bytes of @ref buf; 0 is a zero-length message (SMBus quick) */
	uint8_t *buf;   /**< write: the bytes to send; read: storage for @ref len bytes */
};

/**
 * How the device reaches the bus. Tables are `static const`. Must not block for long (the
 * device thread waits for the transfer).
 */
struct vplat_i2c_host_ops {
	/**
	 * Required. Run @p n messages (1..VPLAT_I2C_GROUP_MAX) as one transfer: START, the
	 * messages with a repeated START between them, STOP. @p msgs and their buffers belong to
	 * the device and are valid during the call only.
	 * @return the number of leading messages done (0..@p n; fewer than @p n means message
	 *         [return value] failed, e.g. no acknowledge), or a negative VPLAT_E* code (all
	 *         failed)
	 */
	int (*transfer)(void *host, struct vplat_i2c_msg *msgs, unsigned n);
};

#ifndef VPLAT_I2C_GROUP_MAX
/** Requests in one group (one transfer); a larger group fails. */
#define VPLAT_I2C_GROUP_MAX 16
#endif
#ifndef VPLAT_I2C_GROUP_BYTES
/** Data bytes of one group (all its buffers); a larger group fails. */
#define VPLAT_I2C_GROUP_BYTES 8192
#endif
/** Segments the device accepts in one request (more: the request fails). */
#define VPLAT_I2C_REQUEST_SEGS 8

/** A request held until its group is complete. Fields are private to the device. */
struct vplat_i2c_pending {
	struct vplat_chain chain;                     /**< the request */
	struct vplat_iov iov[VPLAT_I2C_REQUEST_SEGS]; /**< segments of @ref chain */
};

/** Counters of an I2C device. */
struct vplat_i2c_stats {
	uint64_t requests;    /**< requests completed */
	uint64_t errors;      /**< of which with VIRTIO_I2C_MSG_ERR */
	uint64_t malformed;   /**< requests that broke the request format (their group failed) */
	uint64_t transfers;   /**< groups handed to the host end */
	uint64_t host_errors; /**< transfers the host end did not complete in full */
	uint64_t bytes_read;  /**< data bytes returned by successful read requests */
	uint64_t bytes_written; /**< data bytes of successful write requests */
};

/** An I2C adapter device. Caller-allocated; fields are private. */
struct vplat_i2c {
	struct vplat_device dev;                /**< the virtio device */
	struct vplat_vq vqs[1];                 /**< requestq */
	const struct vplat_i2c_host_ops *host;  /**< host end */
	void *host_opaque;                      /**< argument for the host end */
	struct vplat_i2c_pending pend[VPLAT_I2C_GROUP_MAX]; /**< requests of the open group */
	struct vplat_i2c_msg msgs[VPLAT_I2C_GROUP_MAX];     /**< their messages */
	unsigned npend;                         /**< requests in @ref pend */
	bool failing;      /**< the open group already failed: its later requests fail at once */
	uint32_t used;     /**< bytes of @ref bounce taken by the open group */
	uint8_t bounce[VPLAT_I2C_GROUP_BYTES];  /**< data of the open group */
	struct vplat_i2c_stats stats;           /**< counters */
};

/**
 * Initialise an I2C adapter device.
 *
 * @param d            caller storage
 * @param mem          guest memory map
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL for NULL arguments or a host end without transfer()
 */
VPLAT_API int vplat_i2c_init(struct vplat_i2c *d, struct vplat_mem *mem,
			     const struct vplat_i2c_host_ops *host, void *host_opaque);

/**
 * @param d  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_i2c_device(struct vplat_i2c *d);

/**
 * @param d  the device
 * @return its counters
 */
VPLAT_API const struct vplat_i2c_stats *vplat_i2c_stats(const struct vplat_i2c *d);

/**
 * Decode the addr field of a request (sec: Device Operation: Request Queue, the address
 * table): bits 7..3 = 11110 is the 10-bit format, otherwise the 7-bit format, whose bits 15..8
 * must be 0. Bit 0 must be 0 in both.
 *
 * @param raw    the field, in CPU order
 * @param addr   receives the address (0..0x7f or 0..0x3ff)
 * @param flags  receives VPLAT_I2C_MSG_TEN for a 10-bit address, else 0
 * @return true if @p raw is a well-formed address
 */
VPLAT_API bool vplat_i2c_addr_decode(uint16_t raw, uint16_t *addr, uint16_t *flags);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_I2C_H */
