/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/gpio.h
 * GPIO device (virtio-gpio, device ID 41; sec: Device Types / GPIO Device), with interrupts
 * (VIRTIO_GPIO_F_IRQ) and its host ends: a simulator with a UNIX-socket control interface,
 * and libgpiod for real chips.
 *
 * The device serves the requestq synchronously, in ring order, so messages for one line are
 * answered in the order they came (devicenormative:Device Types / GPIO Device / requestq
 * Operation). It keeps each line's state (direction, output value, interrupt type, latched
 * edge, the eventq buffer that unmasks it) in caller storage, one struct vplat_gpio_line per
 * line.
 *
 * Interrupts: the host end reports input changes with vplat_gpio_input_event(). An enabled
 * edge interrupt fires when the matching edge happens; while masked (no eventq buffer queued
 * for the line) the edge is latched and delivered when the driver queues a buffer. A level
 * interrupt is not latched: it fires when the line is at the active level and a buffer is
 * queued (on the change, or at once when the buffer arrives while the level is active).
 * SET_IRQ_TYPE(NONE) and SET_DIRECTION(NONE) discard a latched edge and return the queued
 * buffer with VIRTIO_GPIO_IRQ_STATUS_INVALID (devicenormative:Device Types / GPIO Device /
 * eventq Operation). The eventq returns buffers out of order, so the device does not offer
 * VIRTIO_F_IN_ORDER.
 *
 * Freestanding (the device and vplat_gpio_names_pack()); the host ends in lib/host are POSIX.
 * Thread rules: one thread serves the device: queue notifications, vplat_gpio_input_event()
 * and the host ends' dispatch calls all run in it.
 */
#ifndef VPLAT_GPIO_H
#define VPLAT_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_gpio.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * How the device reaches the lines. Tables are `static const`. Every function returns 0 or a
 * negative VPLAT_E* code (the driver then gets VIRTIO_GPIO_STATUS_ERR); none may block.
 * @p line is always below the device's ngpio.
 */
struct vplat_gpio_host_ops {
	/**
	 * Required. Configure @p line as VPLAT_VIRTIO_GPIO_DIRECTION_NONE (release it),
	 * _IN or _OUT; for _OUT, @p value (0/1) is the level to drive.
	 */
	int (*set_direction)(void *host, uint16_t line, uint8_t dir, uint8_t value);
	/** Required. Read the level of @p line (the sensed input or the driven output) into *@p value. */
	int (*get_value)(void *host, uint16_t line, uint8_t *value);
	/** Required. Drive output @p line to @p value (0/1). */
	int (*set_value)(void *host, uint16_t line, uint8_t value);
	/**
	 * Optional. Arm (@p type != NONE) or disarm event detection on input @p line; the host
	 * end reports changes with vplat_gpio_input_event(). NULL: the device does not offer
	 * VIRTIO_GPIO_F_IRQ.
	 */
	int (*set_irq_type)(void *host, uint16_t line, uint8_t type);
};

/** Segments the device accepts in one eventq buffer pair. */
#define VPLAT_GPIO_EVENT_SEGS 4
/** Segments the device accepts in one requestq message (more: the message fails). */
#define VPLAT_GPIO_REQUEST_SEGS 16

/** State of one line. Caller storage (one per line); fields are private to the device. */
struct vplat_gpio_line {
	uint8_t dir;       /**< VPLAT_VIRTIO_GPIO_DIRECTION_* */
	uint8_t value;     /**< output value the driver asked for */
	uint8_t irq_type;  /**< VPLAT_VIRTIO_GPIO_IRQ_TYPE_* */
	uint8_t level;     /**< last input level reported by the host end */
	bool latched;      /**< an edge interrupt happened while masked */
	bool unmasked;     /**< @ref chain holds the line's eventq buffer */
	struct vplat_chain chain;                       /**< eventq buffer (when unmasked) */
	struct vplat_iov iov[VPLAT_GPIO_EVENT_SEGS];    /**< segments of @ref chain */
};

/** Counters of a GPIO device. */
struct vplat_gpio_stats {
	uint64_t requests;     /**< requestq messages answered */
	uint64_t errors;       /**< of which answered with VIRTIO_GPIO_STATUS_ERR */
	uint64_t malformed;    /**< requestq buffers too short to parse */
	uint64_t irqs;         /**< eventq buffers returned VALID (interrupts delivered) */
	uint64_t irq_invalid;  /**< eventq buffers returned INVALID */
	uint64_t host_errors;  /**< host end calls that failed */
};

/** A GPIO device. Caller-allocated; fields are private. */
struct vplat_gpio {
	struct vplat_device dev;                   /**< the virtio device */
	struct vplat_vq vqs[2];                    /**< requestq, eventq */
	struct vplat_virtio_gpio_config config;    /**< config space (little-endian) */
	struct vplat_gpio_line *lines;             /**< per-line state, ngpio entries */
	uint16_t ngpio;                            /**< lines */
	const uint8_t *names;                      /**< packed line names, or NULL */
	uint32_t names_size;                       /**< bytes of @ref names */
	const struct vplat_gpio_host_ops *host;    /**< host end */
	void *host_opaque;                         /**< argument for the host end */
	struct vplat_iov iov[VPLAT_GPIO_REQUEST_SEGS]; /**< segments of the message in progress */
	struct vplat_gpio_stats stats;             /**< counters */
};

/**
 * Pack line names into the gpio-names block (sec: GPIO Device / requestq Operation / Get Line
 * Names): one NUL-terminated 7-bit ASCII string per line, "" for an unnamed line.
 *
 * @param names  @p n entries; NULL or "" means unnamed
 * @param n      lines
 * @param buf    destination
 * @param cap    bytes of @p buf
 * @param size   receives the block's size (0 when no line has a name: the device then has no
 *               names and reports gpio_names_size 0)
 * @return 0; VPLAT_EINVAL if a name has a byte above 0x7f or @p size is NULL; VPLAT_EEXIST if
 *         two lines have the same name (names MUST be unique); VPLAT_ENOMEM if @p cap is too
 *         small
 */
VPLAT_API int vplat_gpio_names_pack(const char *const *names, uint16_t n, uint8_t *buf,
				    size_t cap, uint32_t *size);

/**
 * Initialise a GPIO device.
 *
 * @param g            caller storage
 * @param mem          guest memory map
 * @param lines        storage for @p ngpio line states (owned by the caller, kept alive)
 * @param ngpio        lines, 1..65535
 * @param names        a block from vplat_gpio_names_pack() (borrowed, kept alive), or NULL
 * @param names_size   bytes of @p names (0 with NULL)
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL for NULL arguments, 0 lines, missing required host ops, or a
 *         names block that does not hold exactly @p ngpio unique NUL-terminated ASCII strings
 */
VPLAT_API int vplat_gpio_init(struct vplat_gpio *g, struct vplat_mem *mem,
			      struct vplat_gpio_line *lines, uint16_t ngpio, const uint8_t *names,
			      uint32_t names_size, const struct vplat_gpio_host_ops *host,
			      void *host_opaque);

/**
 * @param g  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_gpio_device(struct vplat_gpio *g);

/**
 * The host end saw input @p line change to @p level. Fires or latches the line's interrupt as
 * its type says; ignored for lines that are not inputs with an interrupt enabled (the level is
 * still recorded). Call from the thread that serves the device.
 *
 * @param g      the device
 * @param line   line number (out-of-range values are ignored)
 * @param level  the new level, 0 or 1 (non-zero means 1)
 */
VPLAT_API void vplat_gpio_input_event(struct vplat_gpio *g, uint16_t line, uint8_t level);

/**
 * Release every line at the host end (direction NONE) without touching the driver's view.
 * Call before freeing the device's storage.
 * @param g  the device (NULL is ignored)
 */
VPLAT_API void vplat_gpio_fini(struct vplat_gpio *g);

/**
 * @param g  the device
 * @return its counters
 */
VPLAT_API const struct vplat_gpio_stats *vplat_gpio_stats(const struct vplat_gpio *g);


#ifdef __cplusplus
}
#endif

#endif /* VPLAT_GPIO_H */
