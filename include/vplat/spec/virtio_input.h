/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_input.h
 * Input device (virtio device ID 18): queues, configuration layout and event layout.
 *
 * Written from the virtio 1.4 specification, device-types/input/description.tex ("Input
 * Device"): "Virtqueues", "Device configuration layout" and "Device Operation". All
 * multi-byte fields are little-endian. The device has no feature bits and two queues: the
 * eventq (device to driver) and the statusq (driver to device, e.g. keyboard LEDs). Both carry
 * struct vplat_virtio_input_event; type, code and value are those of the Linux input layer
 * (evdev).
 *
 * Configuration: the driver writes select and subsel and reads size and the union; size is 0
 * for a combination the device does not support.
 */
#ifndef VPLAT_SPEC_VIRTIO_INPUT_H
#define VPLAT_SPEC_VIRTIO_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** Queue index of the eventq (device to driver). */
#define VPLAT_VIRTIO_INPUT_EVENTQ  0
/** Queue index of the statusq (driver to device). */
#define VPLAT_VIRTIO_INPUT_STATUSQ 1

/** @name vplat_virtio_input_config::select
 * @{ */
#define VPLAT_VIRTIO_INPUT_CFG_UNSET     0x00u /**< nothing selected */
#define VPLAT_VIRTIO_INPUT_CFG_ID_NAME   0x01u /**< device name in u.string (subsel 0) */
#define VPLAT_VIRTIO_INPUT_CFG_ID_SERIAL 0x02u /**< serial number in u.string (subsel 0) */
#define VPLAT_VIRTIO_INPUT_CFG_ID_DEVIDS 0x03u /**< u.ids (subsel 0) */
#define VPLAT_VIRTIO_INPUT_CFG_PROP_BITS 0x10u /**< INPUT_PROP_* bitmap in u.bitmap (subsel 0) */
#define VPLAT_VIRTIO_INPUT_CFG_EV_BITS   0x11u /**< codes of event type subsel in u.bitmap */
#define VPLAT_VIRTIO_INPUT_CFG_ABS_INFO  0x12u /**< axis subsel (ABS_*) in u.abs */
/** @} */

/** Size of the configuration union (u.string, u.bitmap). */
#define VPLAT_VIRTIO_INPUT_CFG_UNION 128u

/** Absolute axis information (as EVIOCGABS). */
struct vplat_virtio_input_absinfo {
	vplat_le32 min;  /**< minimum value */
	vplat_le32 max;  /**< maximum value */
	vplat_le32 fuzz; /**< noise filter */
	vplat_le32 flat; /**< dead zone */
	vplat_le32 res;  /**< resolution (units per mm) */
};

/** Device IDs (as EVIOCGID). */
struct vplat_virtio_input_devids {
	vplat_le16 bustype; /**< BUS_* */
	vplat_le16 vendor;  /**< vendor ID */
	vplat_le16 product; /**< product ID */
	vplat_le16 version; /**< version */
};

/** Device configuration layout. */
struct vplat_virtio_input_config {
	uint8_t select;      /**< driver-written: VPLAT_VIRTIO_INPUT_CFG_* */
	uint8_t subsel;      /**< driver-written: event type or axis */
	uint8_t size;        /**< bytes of the union that hold information (0: none) */
	uint8_t reserved[5]; /**< reserved */
	/**
	 * The information selected: the specification's union of `char string[128]` (not
	 * NUL-terminated), `u8 bitmap[128]` (bit n of byte n/8 is code n), struct
	 * vplat_virtio_input_absinfo and struct vplat_virtio_input_devids, all at offset 0.
	 * Kept as bytes (MISRA C:2012 rule 19.2: no unions).
	 */
	uint8_t u[VPLAT_VIRTIO_INPUT_CFG_UNION];
};

/** One input event, on both queues. */
struct vplat_virtio_input_event {
	vplat_le16 type;  /**< EV_* */
	vplat_le16 code;  /**< code within the type (KEY_*, ABS_*, LED_*, ...) */
	vplat_le32 value; /**< value (signed in evdev: two's complement) */
};

/** @name Event types and codes of the Linux input layer used by vplat (evdev numbering)
 * @{ */
#define VPLAT_EV_SYN 0x00u  /**< synchronisation */
#define VPLAT_EV_KEY 0x01u  /**< keys and buttons */
#define VPLAT_EV_REL 0x02u  /**< relative axes */
#define VPLAT_EV_ABS 0x03u  /**< absolute axes */
#define VPLAT_EV_MSC 0x04u  /**< miscellaneous */
#define VPLAT_EV_SW  0x05u  /**< switches */
#define VPLAT_EV_LED 0x11u  /**< LEDs (statusq) */
#define VPLAT_EV_SND 0x12u  /**< sounds (statusq) */
#define VPLAT_EV_REP 0x14u  /**< autorepeat */
#define VPLAT_EV_CNT 0x20u  /**< event types */
#define VPLAT_SYN_REPORT 0u /**< EV_SYN code ending one device update */
/** @} */

#endif /* VPLAT_SPEC_VIRTIO_INPUT_H */
