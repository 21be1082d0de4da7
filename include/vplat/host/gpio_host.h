/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/gpio_host.h
 * GPIO host ends (hosted library): the GPIO simulator and the libgpiod end for real chips.
 */
#ifndef VPLAT_HOST_GPIO_HOST_H
#define VPLAT_HOST_GPIO_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/gpio.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Simulator host end (POSIX, lib/host/gpio/gpio_sim.c)
 *
 * N chips of M lines. Each line has a name ("" = unnamed), a direction, a driven output value
 * and an externally driven input level ("pull": what an outside circuit puts on the pin).
 * A vplat GPIO device is bound to one chip (host argument: vplat_gpio_sim_chip()). Inputs are
 * driven by vplat_gpio_sim_drive() or over the control socket; outputs are read back with
 * vplat_gpio_sim_get() or the socket.
 *
 * Control socket: a UNIX stream socket; one command per line, one reply line each:
 * - `set <chip> <line> <0|1>` drive the line's input level; reply `ok`
 * - `get <chip> <line>` reply `ok <level> <none|in|out>`: the level the device sees
 *   (input: the driven level; output: the value the guest drives)
 * - `name <chip> <line>` reply `ok <name>` (empty for an unnamed line)
 * - `info` reply `ok <chips> <lines>`
 * - anything else: `err <reason>`
 *
 * Example: `echo 'set 0 3 1' | socat - UNIX-CONNECT:/tmp/gpio.sock`.
 * Thread rules: one thread serves the simulator, its socket and its devices.
 * @{ */

struct vplat_gpio_sim;

/**
 * Called when an input line of a chip changes level (from vplat_gpio_sim_drive() or the
 * socket). Normally forwards to vplat_gpio_input_event().
 */
typedef void (*vplat_gpio_sim_event_fn)(void *opaque, uint16_t line, uint8_t level);

/**
 * Create a simulator (allocates).
 * @param nchips  chips, 1..64
 * @param nlines  lines per chip, 1..1024
 * @return the simulator, or NULL on bad sizes or out of memory. Lines are named
 *         "c<chip>l<line>" until renamed with vplat_gpio_sim_set_name().
 */
VPLAT_API struct vplat_gpio_sim *vplat_gpio_sim_new(unsigned nchips, unsigned nlines);

/**
 * Close the control socket (removing its path) and free the simulator.
 * @param s  the simulator (NULL is ignored)
 */
VPLAT_API void vplat_gpio_sim_free(struct vplat_gpio_sim *s);

/**
 * @param s     the simulator
 * @param chip  chip index
 * @return the host argument for vplat_gpio_init() with vplat_gpio_host_sim, or NULL
 */
VPLAT_API void *vplat_gpio_sim_chip(struct vplat_gpio_sim *s, unsigned chip);

/**
 * Name a line ("" or NULL: unnamed). Names are copied (at most 31 bytes are kept).
 * @return 0 or VPLAT_EINVAL for an unknown chip or line
 */
VPLAT_API int vplat_gpio_sim_set_name(struct vplat_gpio_sim *s, unsigned chip, unsigned line,
				      const char *name);

/**
 * @param s     the simulator
 * @param chip  chip index
 * @return an array of the chip's line names (owned by @p s, valid until the next rename), for
 *         vplat_gpio_names_pack(); NULL for an unknown chip
 */
VPLAT_API const char *const *vplat_gpio_sim_names(struct vplat_gpio_sim *s, unsigned chip);

/**
 * Route a chip's input changes to @p fn (one sink per chip; NULL removes it).
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_gpio_sim_set_sink(struct vplat_gpio_sim *s, unsigned chip,
				      vplat_gpio_sim_event_fn fn, void *opaque);

/**
 * Drive the input level of a line, as an outside circuit would. If the line is an input and
 * the level changes, the chip's sink is called.
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_gpio_sim_drive(struct vplat_gpio_sim *s, unsigned chip, unsigned line,
				   uint8_t level);

/**
 * Wire two lines of a chip, as a conductor between two pins would: @p to's input level
 * follows @p from's output (0, a pull-down, while @p from is not an output). The device's
 * SET_DIRECTION / SET_VALUE on @p from take effect on @p to at the next
 * vplat_gpio_sim_dispatch() (never inside the device's own request handling), and an input
 * change on @p to reaches the chip's sink, so a driver can raise its own interrupts: the
 * loopback-wire convention of the conformance suite's GPIO tests (lines named
 * "loop-outN" -> "loop-inN"). The control socket's `set` still drives @p to until the next
 * change of @p from.
 * @param s     the simulator
 * @param chip  chip index
 * @param from  the driving line
 * @param to    the driven line (not @p from)
 * @return 0; VPLAT_EINVAL for an unknown chip or line or @p from == @p to; VPLAT_EBUSY when
 *         either line is already an end of a wire
 */
VPLAT_API int vplat_gpio_sim_wire(struct vplat_gpio_sim *s, unsigned chip, unsigned from,
				  unsigned to);

/**
 * @param s  the simulator (NULL: false)
 * @return true when a wire has a change to carry: call vplat_gpio_sim_dispatch() without
 *         waiting (vplat_instance_timeout_ms() answers 0 then)
 */
VPLAT_API bool vplat_gpio_sim_pending(const struct vplat_gpio_sim *s);

/**
 * Observe a line.
 * @param s      the simulator
 * @param chip   chip index
 * @param line   line index
 * @param level  receives the level the device sees (may be NULL)
 * @param dir    receives VPLAT_VIRTIO_GPIO_DIRECTION_* (may be NULL)
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_gpio_sim_get(struct vplat_gpio_sim *s, unsigned chip, unsigned line,
				 uint8_t *level, uint8_t *dir);

/**
 * Make a host call fail (fault injection): the next @p n host calls on @p chip return
 * VPLAT_EIO.
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_gpio_sim_fail(struct vplat_gpio_sim *s, unsigned chip, unsigned n);

/**
 * Listen for control connections on a UNIX socket at @p path (an existing socket file there
 * is replaced).
 * @return the listening fd (also kept by @p s), or VPLAT_EINVAL / VPLAT_EBUSY (already
 *         listening) / VPLAT_EIO
 */
VPLAT_API int vplat_gpio_sim_listen(struct vplat_gpio_sim *s, const char *path);

/**
 * Carry the wires' changes (vplat_gpio_sim_wire()), then serve the control socket without
 * blocking: accept new connections, execute every complete command line received, reply.
 * Call when poll() reports one of vplat_gpio_sim_fds() readable, when
 * vplat_gpio_sim_pending() is true, or just periodically.
 * @return commands executed, or a negative VPLAT_E* code
 */
VPLAT_API int vplat_gpio_sim_dispatch(struct vplat_gpio_sim *s);

/**
 * File descriptors to poll for input (the listening socket and each client).
 * @param s    the simulator
 * @param fds  destination
 * @param max  capacity of @p fds
 * @return fds stored
 */
VPLAT_API unsigned vplat_gpio_sim_fds(const struct vplat_gpio_sim *s, int *fds, unsigned max);

/** Simulator host end; host argument from vplat_gpio_sim_chip(). */
VPLAT_API extern const struct vplat_gpio_host_ops vplat_gpio_host_sim;

/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name libgpiod host end (lib/host/gpio/gpio_gpiod.c; present when built with libgpiod)
 *
 * Binds a device to one GPIO chip of the host kernel through libgpiod 1.6. Lines are requested
 * (consumer "vplat") when the guest sets their direction and released on NONE. Interrupts use
 * the kernel's edge events; level interrupts are derived from them. Poll
 * vplat_gpio_gpiod_fds() and call vplat_gpio_gpiod_dispatch().
 * @{ */

struct vplat_gpio_gpiod;

/**
 * Open a chip by name, number or path ("gpiochip0", "0", "/dev/gpiochip0").
 * @param chip    the chip
 * @param target  device whose vplat_gpio_input_event() receives events (may be set later
 *                with vplat_gpio_gpiod_bind())
 * @return the handle, or NULL with errno set: ENOTSUP when vplat was built without libgpiod
 *         (vplat_build_missing(VPLAT_BUILD_GPIOD) says so), otherwise no such chip or out of
 *         memory
 */
VPLAT_API struct vplat_gpio_gpiod *vplat_gpio_gpiod_open(const char *chip,
							 struct vplat_gpio *target);

/**
 * Set the device that receives events.
 * @param h       the handle
 * @param target  the device
 */
VPLAT_API void vplat_gpio_gpiod_bind(struct vplat_gpio_gpiod *h, struct vplat_gpio *target);

/**
 * @param h  the handle
 * @return lines of the chip
 */
VPLAT_API unsigned vplat_gpio_gpiod_lines(const struct vplat_gpio_gpiod *h);

/**
 * @param h  the handle
 * @return the chip's line names, duplicates after the first made unnamed (owned by @p h)
 */
VPLAT_API const char *const *vplat_gpio_gpiod_names(const struct vplat_gpio_gpiod *h);

/**
 * Event fds of lines with interrupts armed.
 * @param h    the handle
 * @param fds  destination
 * @param max  capacity
 * @return fds stored
 */
VPLAT_API unsigned vplat_gpio_gpiod_fds(const struct vplat_gpio_gpiod *h, int *fds, unsigned max);

/**
 * Read pending edge events without blocking and report them to the bound device.
 * @param h  the handle
 * @return events handled or a negative VPLAT_E* code
 */
VPLAT_API int vplat_gpio_gpiod_dispatch(struct vplat_gpio_gpiod *h);

/**
 * Release every line and close the chip.
 * @param h  the handle (NULL is ignored)
 */
VPLAT_API void vplat_gpio_gpiod_close(struct vplat_gpio_gpiod *h);

/** libgpiod host end; host argument from vplat_gpio_gpiod_open(). */
VPLAT_API extern const struct vplat_gpio_host_ops vplat_gpio_host_gpiod;

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_GPIO_HOST_H */
