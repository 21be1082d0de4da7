/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_gpio.h
 * GPIO device (virtio device ID 41): feature bits, configuration layout, requestq messages
 * and eventq interrupt messages.
 *
 * Written from the virtio 1.4 specification, device-types/gpio/description.tex ("GPIO
 * Device"): "Feature bits", "Device configuration layout", "Device Operation: requestq" and
 * "Device Operation: eventq". All multi-byte fields are little-endian.
 *
 * Queues: 0 = requestq; 1 = eventq, present only when VPLAT_VIRTIO_GPIO_F_IRQ is negotiated.
 */
#ifndef VPLAT_SPEC_VIRTIO_GPIO_H
#define VPLAT_SPEC_VIRTIO_GPIO_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** Feature bit number: the device supports interrupts on lines (eventq exists). */
#define VPLAT_VIRTIO_GPIO_F_IRQ 0

/** @name Queue indices
 * @{ */
#define VPLAT_VIRTIO_GPIO_REQUESTQ 0 /**< request/response messages */
#define VPLAT_VIRTIO_GPIO_EVENTQ   1 /**< interrupt requests (F_IRQ) */
/** @} */

/** Device configuration layout (sec: GPIO Device / Device configuration layout). */
struct vplat_virtio_gpio_config {
	vplat_le16 ngpio;           /**< number of GPIO lines */
	uint8_t padding[2];         /**< padding */
	vplat_le32 gpio_names_size; /**< size of the line-name block in bytes; 0 = no names */
};

/** requestq: device-readable request. */
struct vplat_virtio_gpio_request {
	vplat_le16 type;  /**< VPLAT_VIRTIO_GPIO_MSG_* */
	vplat_le16 gpio;  /**< line number, 0..ngpio-1 (0 for GET_LINE_NAMES) */
	vplat_le32 value; /**< argument, depends on type */
};

/** requestq: device-writable response to every type except GET_LINE_NAMES. */
struct vplat_virtio_gpio_response {
	uint8_t status; /**< VPLAT_VIRTIO_GPIO_STATUS_* */
	uint8_t value;  /**< result, depends on type; 0 if none */
};

/**
 * requestq: device-writable response to VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES; `value` has
 * `gpio_names_size` bytes: one NUL-terminated name per line in line order ("" if unnamed).
 */
struct vplat_virtio_gpio_response_names {
	uint8_t status;  /**< VPLAT_VIRTIO_GPIO_STATUS_* */
	uint8_t value[]; /**< the name block */
};

/** @name Message types, vplat_virtio_gpio_request::type
 * @{ */
#define VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES 0x0001u /**< read all names (Linux: GET_NAMES) */
#define VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION  0x0002u /**< response value: DIRECTION_* */
#define VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION  0x0003u /**< request value: DIRECTION_* */
#define VPLAT_VIRTIO_GPIO_MSG_GET_VALUE      0x0004u /**< response value: 0 low, 1 high */
#define VPLAT_VIRTIO_GPIO_MSG_SET_VALUE      0x0005u /**< request value: 0 low, 1 high */
#define VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE   0x0006u /**< request value: IRQ_TYPE_* (F_IRQ) */
/** @} */

/** @name Response status values
 * @{ */
#define VPLAT_VIRTIO_GPIO_STATUS_OK  0x0u /**< request succeeded */
#define VPLAT_VIRTIO_GPIO_STATUS_ERR 0x1u /**< request failed */
/** @} */

/** @name Line directions
 * @{ */
#define VPLAT_VIRTIO_GPIO_DIRECTION_NONE 0x00u /**< line not in use; its state is discarded */
#define VPLAT_VIRTIO_GPIO_DIRECTION_OUT  0x01u /**< output */
#define VPLAT_VIRTIO_GPIO_DIRECTION_IN   0x02u /**< input */
/** @} */

/** @name Interrupt types for VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE
 * @{ */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE         0x00u /**< interrupt disabled */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING  0x01u /**< rising edge */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING 0x02u /**< falling edge */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH    0x03u /**< both edges */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH   0x04u /**< high level */
#define VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW    0x08u /**< low level */
/** @} */

/** eventq: device-readable buffer that unmasks the interrupt of one line. */
struct vplat_virtio_gpio_irq_request {
	vplat_le16 gpio; /**< line number */
};

/** eventq: device-writable buffer returned when the interrupt fires or is disabled. */
struct vplat_virtio_gpio_irq_response {
	uint8_t status; /**< VPLAT_VIRTIO_GPIO_IRQ_STATUS_* */
};

/** @name Interrupt response status values
 * @{ */
#define VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID 0x0u /**< returned without an interrupt */
#define VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID   0x1u /**< interrupt fired; line re-masked */
/** @} */

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_gpio_config) == 8, "gpio config is 8 bytes");
_Static_assert(offsetof(struct vplat_virtio_gpio_config, gpio_names_size) == 4,
	       "gpio_names_size at 4");
_Static_assert(sizeof(struct vplat_virtio_gpio_request) == 8, "gpio request is 8 bytes");
_Static_assert(offsetof(struct vplat_virtio_gpio_request, gpio) == 2, "gpio at 2");
_Static_assert(offsetof(struct vplat_virtio_gpio_request, value) == 4, "value at 4");
_Static_assert(sizeof(struct vplat_virtio_gpio_response) == 2, "gpio response is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_gpio_response_names) == 1, "names header");
_Static_assert(sizeof(struct vplat_virtio_gpio_irq_request) == 2, "irq request is 2 bytes");
_Static_assert(sizeof(struct vplat_virtio_gpio_irq_response) == 1, "irq response is 1 byte");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_GPIO_H */
