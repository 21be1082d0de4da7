/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/input_host.h
 * Host ends of the input device (vplat/input.h): a scripted event stream with keyboard and
 * touchscreen capability presets, and a Linux evdev device (/dev/input/eventN).
 *
 * Both ends fill a struct vplat_input_caps for vplat_input_init() and are bound to the device
 * afterwards (their bind call), since they send events with vplat_input_send(). POSIX (the
 * evdev end: Linux). Thread rules: the thread that serves the device calls every function.
 */
#ifndef VPLAT_HOST_INPUT_HOST_H
#define VPLAT_HOST_INPUT_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/input.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Capability presets
 * @{ */

/**
 * Add a keyboard: EV_KEY codes 1..88 (KEY_ESC .. KEY_F12 of the evdev numbering: letters,
 * digits, modifiers, function keys) and the LEDs NUML, CAPSL and SCROLLL (EV_LED, which the
 * driver sets through the statusq). No EV_REP: the guest does not autorepeat a held key.
 * @param caps  capabilities to add to
 */
VPLAT_API void vplat_input_preset_keyboard(struct vplat_input_caps *caps);

/**
 * Add a direct (touchscreen) pointer: INPUT_PROP_DIRECT, BTN_TOUCH, ABS_X and ABS_Y over
 * [0, @p width - 1] x [0, @p height - 1], and multitouch with @p slots slots (ABS_MT_SLOT,
 * ABS_MT_TRACKING_ID 0..65535, ABS_MT_POSITION_X/Y over the same ranges). Fuzz and flat are 0
 * (the guest passes every value on).
 * @param caps    capabilities to add to
 * @param width   horizontal resolution (1..65536)
 * @param height  vertical resolution (1..65536)
 * @param slots   multitouch slots (0: single touch only, no ABS_MT_*; at most 16)
 */
VPLAT_API void vplat_input_preset_touch(struct vplat_input_caps *caps, uint32_t width,
					uint32_t height, uint32_t slots);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name Scripted event stream (lib/host/input/input_script.c)
 *
 * A script is a list of steps, one a line ('#' starts a comment):
 *
 * | line                   | step                                                        |
 * |------------------------|-------------------------------------------------------------|
 * | `key CODE VALUE`       | EV_KEY event (1 press, 0 release)                           |
 * | `abs CODE VALUE`       | EV_ABS event                                                |
 * | `rel CODE VALUE`       | EV_REL event                                                |
 * | `ev TYPE CODE VALUE`   | any event                                                   |
 * | `syn`                  | EV_SYN/SYN_REPORT: ends the sequence, the driver gets it    |
 * | `sleep MS`             | wait MS milliseconds (0..3600000)                           |
 * | `wait-status`          | wait for a status event from the driver (statusq) newer than the step before |
 * | `repeat N`             | run the whole script N times (0: forever); last line only    |
 *
 * Numbers are decimal or 0x-hex; values may be negative. Steps run when the driver is running
 * (DRIVER_OK), from vplat_input_script_run(); a step that waits returns control to the
 * embedder's loop (vplat_input_script_timeout_ms()). Status events are counted, and the time
 * from the last SYN_REPORT sent to the next status event is kept as a round trip (a guest
 * that answers each update with an LED write measures the device's event latency).
 * @{ */

struct vplat_input_script;

/** Round-trip figures of a script end. */
struct vplat_input_script_stats {
	uint64_t steps;     /**< steps run */
	uint64_t status;    /**< status events received */
	uint64_t rtt_count; /**< round trips measured */
	uint64_t rtt_min_ns; /**< shortest */
	uint64_t rtt_max_ns; /**< longest */
	uint64_t rtt_sum_ns; /**< sum (mean = sum / count) */
	uint16_t last_type;  /**< last status event: type */
	uint16_t last_code;  /**< code */
	int32_t last_value;  /**< value */
	uint64_t runs;       /**< whole runs of the script completed (see `repeat`) */
};

/** @return a script end with no steps, or NULL (out of memory) */
VPLAT_API struct vplat_input_script *vplat_input_script_new(void);

/** Free a script end. @param s  the end (NULL is ignored) */
VPLAT_API void vplat_input_script_free(struct vplat_input_script *s);

/**
 * Append the steps of a script text.
 * @param s     the end
 * @param text  NUL-terminated script
 * @param line  receives the number of the first bad line on VPLAT_EINVAL (may be NULL)
 * @return 0; VPLAT_EINVAL for a bad line (nothing of @p text is added); VPLAT_ENOMEM
 */
VPLAT_API int vplat_input_script_parse(struct vplat_input_script *s, const char *text,
				       unsigned *line);

/**
 * Append the steps of a script file (as vplat_input_script_parse()).
 * @return 0; VPLAT_EIO (errno set) if it cannot be read; VPLAT_EINVAL; VPLAT_ENOMEM
 */
VPLAT_API int vplat_input_script_load(struct vplat_input_script *s, const char *path,
				      unsigned *line);

/**
 * Set the device the script sends to (after vplat_input_init() with this end's ops).
 * @param s  the end
 * @param d  the device
 */
VPLAT_API void vplat_input_script_bind(struct vplat_input_script *s, struct vplat_input *d);

/**
 * Run the steps that are due.
 * @param s  the end
 */
VPLAT_API void vplat_input_script_run(struct vplat_input_script *s);

/**
 * @param s  the end
 * @return milliseconds until the next step is due (0: now), or -1 if it waits for a status
 *         event, for the driver, or has no step left
 */
VPLAT_API int vplat_input_script_timeout_ms(const struct vplat_input_script *s);

/** @param s  the end  @return true once every step has run */
VPLAT_API bool vplat_input_script_done(const struct vplat_input_script *s);

/** @param s  the end  @return its counters */
VPLAT_API const struct vplat_input_script_stats *
vplat_input_script_stats(const struct vplat_input_script *s);

/** Host ops of the script end; host argument: the struct vplat_input_script. */
VPLAT_API extern const struct vplat_input_host_ops vplat_input_host_script;
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name Linux evdev device (Linux, lib/host/input/input_evdev.c)
 *
 * The device's capabilities come from the evdev ioctls (EVIOCGNAME, EVIOCGUNIQ, EVIOCGID,
 * EVIOCGPROP, EVIOCGBIT for each event type, EVIOCGABS for each axis) and its events are
 * forwarded as read, SYN_REPORT included (so the device's sequences are evdev's). Status events
 * from the driver (LEDs, sounds) are written back to the evdev device. With grab, EVIOCGRAB
 * keeps the events from the host's other readers.
 * @{ */

/** The system calls the evdev end makes (a test replaces them with a fake device). */
struct vplat_input_evdev_sys {
	int (*open)(const char *path, int flags);                 /**< open(2) */
	int (*ioctl)(int fd, unsigned long req, void *arg);       /**< ioctl(2) */
	long (*read)(int fd, void *buf, unsigned long len);       /**< read(2) */
	long (*write)(int fd, const void *buf, unsigned long len); /**< write(2) */
	int (*close)(int fd);                                     /**< close(2) */
};

struct vplat_input_evdev;

/**
 * Open an evdev device and read its capabilities.
 * @param path  "/dev/input/eventN" (any path), or "N" for /dev/input/eventN
 * @param grab  take the device for the guest alone (EVIOCGRAB)
 * @param sys   system calls, or NULL for the real ones
 * @param err   receives 0 or a negative VPLAT_E* code (may be NULL): VPLAT_EIO when the device
 *              cannot be opened, queried or grabbed (errno set), VPLAT_ENOMEM
 * @return the end, or NULL
 */
VPLAT_API struct vplat_input_evdev *vplat_input_evdev_open(const char *path, bool grab,
							   const struct vplat_input_evdev_sys *sys,
							   int *err);

/** Close the end (releases a grab). @param e  the end (NULL is ignored) */
VPLAT_API void vplat_input_evdev_close(struct vplat_input_evdev *e);

/** @param e  the end  @return the capabilities read at open (for vplat_input_init()) */
VPLAT_API const struct vplat_input_caps *vplat_input_evdev_caps(const struct vplat_input_evdev *e);

/** @param e  the end  @return the fd to poll for reading */
VPLAT_API int vplat_input_evdev_fd(const struct vplat_input_evdev *e);

/** Set the device events go to. @param e  the end  @param d  the device */
VPLAT_API void vplat_input_evdev_bind(struct vplat_input_evdev *e, struct vplat_input *d);

/**
 * Read the events available (non-blocking) and send them to the device.
 * @param e  the end
 * @return events forwarded, or VPLAT_EIO when the device went away (errno set)
 */
VPLAT_API int vplat_input_evdev_dispatch(struct vplat_input_evdev *e);

/** Host ops of the evdev end; host argument: the struct vplat_input_evdev. */
VPLAT_API extern const struct vplat_input_host_ops vplat_input_host_evdev;
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_INPUT_HOST_H */
