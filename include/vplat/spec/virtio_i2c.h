/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_i2c.h
 * I2C adapter device (virtio device ID 34): feature bit, request layout and status values.
 *
 * Written from the virtio 1.4 specification, device-types/i2c/description.tex ("I2C Adapter
 * Device"): "Feature bits" and "Device Operation: Request Queue". All multi-byte fields are
 * little-endian. The device has no configuration space and one queue, the requestq.
 *
 * A request is three parts: struct vplat_virtio_i2c_out_hdr (device-readable), an optional
 * buffer (device-readable for a write request, device-writable for a read request, absent for
 * a zero-length request) and struct vplat_virtio_i2c_in_hdr (device-writable, last).
 */
#ifndef VPLAT_SPEC_VIRTIO_I2C_H
#define VPLAT_SPEC_VIRTIO_I2C_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** Feature bit number: zero-length requests and the M_RD flag (mandatory). */
#define VPLAT_VIRTIO_I2C_F_ZERO_LENGTH_REQUEST 0

/** Queue index of the requestq (the only queue). */
#define VPLAT_VIRTIO_I2C_REQUESTQ 0

/** @name vplat_virtio_i2c_out_hdr::flags
 * @{ */
#define VPLAT_VIRTIO_I2C_FLAGS_FAIL_NEXT 0x1u /**< bit 0: more requests of this group follow */
#define VPLAT_VIRTIO_I2C_FLAGS_M_RD      0x2u /**< bit 1: read request */
/** @} */

/** @name vplat_virtio_i2c_in_hdr::status
 * @{ */
#define VPLAT_VIRTIO_I2C_MSG_OK  0 /**< request done */
#define VPLAT_VIRTIO_I2C_MSG_ERR 1 /**< request failed (or not attempted: FAIL_NEXT) */
/** @} */

/** Device-readable header of every request. */
struct vplat_virtio_i2c_out_hdr {
	vplat_le16 addr;    /**< 7-bit: address << 1; 10-bit: see VPLAT_VIRTIO_I2C_ADDR_10BIT */
	vplat_le16 padding; /**< pads to a full dword */
	vplat_le32 flags;   /**< VPLAT_VIRTIO_I2C_FLAGS_*; other bits reserved (zero) */
};

/** Device-writable trailer of every request. */
struct vplat_virtio_i2c_in_hdr {
	uint8_t status; /**< VPLAT_VIRTIO_I2C_MSG_* */
};

/**
 * 10-bit address format of vplat_virtio_i2c_out_hdr::addr: bits 7..3 are 11110, bits 2..1
 * hold A9..A8 and bits 15..8 hold A7..A0; bit 0 is 0. The 7-bit format has bits 15..8 and 0
 * zero and A6..A0 in bits 7..1.
 */
#define VPLAT_VIRTIO_I2C_ADDR_10BIT_MASK 0x00f8u
/** Value of the bits of VPLAT_VIRTIO_I2C_ADDR_10BIT_MASK in a 10-bit address. */
#define VPLAT_VIRTIO_I2C_ADDR_10BIT      0x00f0u

#endif /* VPLAT_SPEC_VIRTIO_I2C_H */
