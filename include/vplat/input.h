/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/input.h
 * Input device (virtio-input, device ID 18; sec: Device Types / Input Device) and the
 * interface to its host end, which supplies the device's capabilities and its events (a
 * scripted event stream, or a Linux evdev device: vplat/host/input_host.h).
 *
 * Configuration: the device's capabilities (name, serial, IDs, properties, the codes of each
 * event type, the range of each absolute axis) are a struct vplat_input_caps the host end
 * fills. The driver writes select and subsel; the device then shows the selected information
 * in the configuration union with its size, and size 0 for any combination it does not
 * support (devicenormative:Device Types / Input Device / Device Initialization). A bitmap's
 * size is the index of its last non-zero byte plus one; ABS_INFO is supported for the axes
 * set in the EV_ABS bitmap. Writes to any other configuration byte are ignored (the driver
 * MUST NOT make them).
 *
 * Events (eventq): the host end hands events to vplat_input_send(). The device keeps them in
 * a queue of VPLAT_INPUT_QUEUE events and writes one event into each eventq buffer the driver
 * makes available, in order. Events are grouped into sequences, each ended by EV_SYN/
 * SYN_REPORT (one device update); a sequence becomes deliverable only when complete and is
 * dropped whole when it does not fit in the queue, so the driver never sees part of an update
 * (devicenormative:Device Types / Input Device / Device Operation: "SHOULD NOT drop
 * individual input events if they are part of a sequence ... SHOULD either buffer or drop the
 * entire sequence"). Events sent while the driver is not running (before DRIVER_OK, after a
 * reset) are dropped: stale input is not replayed to a new driver.
 *
 * Status (statusq): each driver buffer holds one event (LED, sound); the device passes it to
 * the host end's status() and returns the buffer.
 *
 * Buffers are used in the order they were made available on both queues, so
 * VIRTIO_F_IN_ORDER holds. A buffer too small for an event (an eventq buffer with fewer than 8
 * device-writable bytes, a statusq buffer with fewer than 8 device-readable bytes) is
 * returned with 0 bytes written and counted as malformed; an eventq event is not consumed by
 * it.
 *
 * Freestanding. Thread rules: one thread serves the device (queue notifications,
 * vplat_input_send() and the host end's status() calls run in it).
 */
#ifndef VPLAT_INPUT_H
#define VPLAT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_input.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of one capability bitmap (the configuration union: codes 0..1023). */
#define VPLAT_INPUT_BITMAP VPLAT_VIRTIO_INPUT_CFG_UNION
/** Absolute axes (ABS_CNT of Linux). */
#define VPLAT_INPUT_ABS_CNT 64u
/** Longest name or serial string shown (the configuration union). */
#define VPLAT_INPUT_STRING_MAX VPLAT_VIRTIO_INPUT_CFG_UNION

#ifndef VPLAT_INPUT_QUEUE
/** Events the device holds for the driver (complete sequences and the open one). */
#define VPLAT_INPUT_QUEUE 256u
#endif

/** Range of an absolute axis, in CPU order (as struct input_absinfo of Linux). */
struct vplat_input_absinfo {
	int32_t min;  /**< minimum value */
	int32_t max;  /**< maximum value */
	int32_t fuzz; /**< noise filter */
	int32_t flat; /**< dead zone */
	int32_t res;  /**< resolution (units per mm) */
};

/** What the device reports in its configuration space. Filled by the host end. */
struct vplat_input_caps {
	const char *name;   /**< ID_NAME (NULL: none); at most 128 bytes are shown */
	const char *serial; /**< ID_SERIAL (NULL: none); at most 128 bytes are shown */
	bool has_ids;       /**< ID_DEVIDS is supported */
	uint16_t bustype;   /**< ID_DEVIDS bustype (BUS_*) */
	uint16_t vendor;    /**< ID_DEVIDS vendor */
	uint16_t product;   /**< ID_DEVIDS product */
	uint16_t version;   /**< ID_DEVIDS version */
	uint8_t prop[VPLAT_INPUT_BITMAP]; /**< PROP_BITS: INPUT_PROP_* bitmap */
	uint8_t ev[VPLAT_EV_CNT][VPLAT_INPUT_BITMAP]; /**< EV_BITS: codes of each event type */
	struct vplat_input_absinfo abs[VPLAT_INPUT_ABS_CNT]; /**< ABS_INFO of each axis set in
							      *   ev[EV_ABS] */
};

/** How the device reaches its host end. Tables are `static const`. */
struct vplat_input_host_ops {
	/**
	 * Optional. The driver sent a status event (statusq): an LED or a sound. Must not block.
	 * @param host   the host end
	 * @param type   EV_* (as the driver sent it; not checked)
	 * @param code   code
	 * @param value  value
	 */
	void (*status)(void *host, uint16_t type, uint16_t code, int32_t value);
};

/** One event held by the device (CPU order). */
struct vplat_input_event {
	uint16_t type; /**< EV_* */
	uint16_t code; /**< code */
	int32_t value; /**< value */
};

/** Counters of an input device. */
struct vplat_input_stats {
	uint64_t events;          /**< events written to eventq buffers */
	uint64_t dropped;         /**< events dropped (whole sequences, or driver not running) */
	uint64_t dropped_seqs;    /**< sequences dropped because the queue was full */
	uint64_t status;          /**< statusq events passed to the host end */
	uint64_t malformed;       /**< buffers too small for an event */
};

/** An input device. Caller-allocated; fields are private. */
struct vplat_input {
	struct vplat_device dev;                /**< the virtio device */
	struct vplat_vq vqs[2];                 /**< eventq, statusq */
	const struct vplat_input_caps *caps;    /**< capabilities (borrowed) */
	const struct vplat_input_host_ops *host; /**< host end */
	void *host_opaque;                      /**< argument for the host end */
	struct vplat_input_event q[VPLAT_INPUT_QUEUE]; /**< held events, a ring */
	uint32_t head;      /**< index of the oldest held event */
	uint32_t ncommit;   /**< complete events from @ref head on */
	uint32_t nopen;     /**< events of the open sequence after them */
	bool overflow;      /**< the open sequence did not fit: it is dropped at its end */
	uint8_t cfg[sizeof(struct vplat_virtio_input_config)]; /**< configuration space */
	struct vplat_input_stats stats;         /**< counters */
};

/**
 * Set bit @p code of event type @p type in @p caps (EV_BITS), and nothing if either is out of
 * range.
 * @param caps  capabilities
 * @param type  EV_* below VPLAT_EV_CNT
 * @param code  code below 8 * VPLAT_INPUT_BITMAP
 */
VPLAT_API void vplat_input_caps_set(struct vplat_input_caps *caps, uint16_t type, uint16_t code);

/**
 * Declare absolute axis @p axis with its range: sets the axis in the EV_ABS bitmap.
 * @param caps  capabilities
 * @param axis  ABS_* below VPLAT_INPUT_ABS_CNT (else nothing is set)
 * @param info  its range
 */
VPLAT_API void vplat_input_caps_abs(struct vplat_input_caps *caps, uint16_t axis,
				    const struct vplat_input_absinfo *info);

/**
 * Initialise an input device.
 *
 * @param d            caller storage
 * @param mem          guest memory map
 * @param caps         capabilities (borrowed; must outlive the device and not change while
 *                     a driver runs)
 * @param host         host end (static const)
 * @param host_opaque  passed to the host end
 * @return 0, or VPLAT_EINVAL for NULL arguments
 */
VPLAT_API int vplat_input_init(struct vplat_input *d, struct vplat_mem *mem,
			       const struct vplat_input_caps *caps,
			       const struct vplat_input_host_ops *host, void *host_opaque);

/**
 * @param d  an initialised device
 * @return the generic device, to bind to a transport
 */
VPLAT_API struct vplat_device *vplat_input_device(struct vplat_input *d);

/**
 * @param d  the device
 * @return its counters
 */
VPLAT_API const struct vplat_input_stats *vplat_input_stats(const struct vplat_input *d);

/**
 * Send one event to the driver. Events collect into a sequence; EV_SYN/SYN_REPORT ends it and
 * makes it deliverable as a whole, and the device then fills the eventq buffers available.
 *
 * @param d      the device
 * @param type   EV_*
 * @param code   code
 * @param value  value
 * @return 0 (held, or with SYN_REPORT delivered or queued); VPLAT_ENODEV if the driver is not
 *         running (the event is dropped); VPLAT_ENOSPC when this SYN_REPORT ended a sequence
 *         that did not fit in the queue (the sequence is dropped)
 */
VPLAT_API int vplat_input_send(struct vplat_input *d, uint16_t type, uint16_t code,
			       int32_t value);

/**
 * @param d  the device
 * @return events held for the driver (complete sequences not yet delivered)
 */
VPLAT_API uint32_t vplat_input_pending(const struct vplat_input *d);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_INPUT_H */
