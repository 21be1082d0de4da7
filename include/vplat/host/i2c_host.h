/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/host/i2c_host.h
 * I2C host ends (hosted library): a simulated bus with device models (an LM75-compatible
 * temperature sensor, AT24-style EEPROMs) and a Linux /dev/i2c-N adapter.
 */
#ifndef VPLAT_HOST_I2C_HOST_H
#define VPLAT_HOST_I2C_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/i2c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Simulated bus (POSIX, lib/host/i2c/i2c_sim.c)
 *
 * Up to VPLAT_I2C_SIM_MAX_DEVICES devices, each at a 7-bit address. A message to an address
 * with no device is not acknowledged: the transfer stops there (the device answers that
 * request and the rest of its group with VIRTIO_I2C_MSG_ERR). 10-bit addresses are never
 * acknowledged. A zero-length message to a device is acknowledged (SMBus quick).
 *
 * LM75 (National/TI LM75, as Linux's `lm75` driver sees it): a pointer register (the first
 * byte of a write, low 2 bits) selects temp (0, read-only), conf (1, 8 bits), thyst (2) or tos
 * (3); the 16-bit registers are sent most significant byte first and hold a 9-bit two's
 * complement temperature in units of 0.5 °C in bits 15..7 (bits 6..0 read 0). Further bytes
 * of a read repeat the register. Power-on values: conf 0, thyst 75 °C, tos 80 °C.
 *
 * EEPROM (Atmel/Microchip AT24, as Linux's `at24` driver sees it): SIZE bytes (128..65536,
 * a power of two) and a word address pointer of 1 byte (SIZE <= 256: 24c01, 24c02) or 2 bytes
 * (24c32 and up). A write sets the pointer from its first 1 or 2 bytes and stores the rest at
 * the pointer, which wraps inside the current page (PAGE bytes, a power of two); a read
 * returns bytes from the pointer, which wraps at the end of the memory. Fresh memory reads
 * 0xff. With a file, the contents are loaded from it (when it exists) and written back to it
 * after every transfer that stored bytes.
 *
 * Thread rules: one thread serves the bus and its devices.
 * @{ */

/** Devices on one simulated bus. */
#define VPLAT_I2C_SIM_MAX_DEVICES 16

struct vplat_i2c_sim;

/**
 * Create an empty bus (allocates).
 * @return the bus, or NULL when out of memory
 */
VPLAT_API struct vplat_i2c_sim *vplat_i2c_sim_new(void);

/**
 * Free the bus and its devices (an EEPROM's file is closed, not removed).
 * @param s  the bus (NULL is ignored)
 */
VPLAT_API void vplat_i2c_sim_free(struct vplat_i2c_sim *s);

/**
 * Add an LM75 temperature sensor.
 * @param s            the bus
 * @param addr         7-bit address (LM75: 0x48..0x4f)
 * @param millicelsius initial temperature (see vplat_i2c_sim_lm75_set())
 * @return 0; VPLAT_EINVAL for an address above 0x7f; VPLAT_EEXIST if the address is taken;
 *         VPLAT_ENOSPC when the bus is full
 */
VPLAT_API int vplat_i2c_sim_add_lm75(struct vplat_i2c_sim *s, uint16_t addr, int32_t millicelsius);

/**
 * Set what an LM75 measures. The register holds the value rounded to the nearest 0.5 °C
 * (halves away from zero) and clamped to the 9-bit range, -128 °C .. 127.5 °C.
 * @return 0, or VPLAT_ENOENT if there is no LM75 at @p addr
 */
VPLAT_API int vplat_i2c_sim_lm75_set(struct vplat_i2c_sim *s, uint16_t addr, int32_t millicelsius);

/**
 * @param s             the bus
 * @param addr          an LM75's address
 * @param millicelsius  receives the temperature its register holds, in m°C (a multiple of 500)
 * @return 0, or VPLAT_ENOENT if there is no LM75 at @p addr
 */
VPLAT_API int vplat_i2c_sim_lm75_get(struct vplat_i2c_sim *s, uint16_t addr,
				     int32_t *millicelsius);

/**
 * Add an AT24-style EEPROM.
 * @param s     the bus
 * @param addr  7-bit address (AT24: 0x50..0x57)
 * @param size  bytes, a power of two, 128..65536 (24c02: 256)
 * @param page  page size, a power of two, 1..@p size (24c02: 8)
 * @param file  backing file (created when missing; a shorter file is padded with 0xff, a
 *              longer one is read in part), or NULL for memory only
 * @return 0; VPLAT_EINVAL for a bad address, size or page; VPLAT_EEXIST; VPLAT_ENOSPC;
 *         VPLAT_EIO when the file cannot be opened or read
 */
VPLAT_API int vplat_i2c_sim_add_eeprom(struct vplat_i2c_sim *s, uint16_t addr, uint32_t size,
				       uint32_t page, const char *file);

/**
 * Copy bytes out of an EEPROM (the host's view; the device's pointer is not moved).
 * @return 0; VPLAT_ENOENT if there is no EEPROM at @p addr; VPLAT_EINVAL if [off, off+len)
 *         is outside it
 */
VPLAT_API int vplat_i2c_sim_eeprom_read(struct vplat_i2c_sim *s, uint16_t addr, uint32_t off,
					void *buf, uint32_t len);

/**
 * Store bytes into an EEPROM (the host's view; also written to its file).
 * @return as vplat_i2c_sim_eeprom_read(), or VPLAT_EIO when the file write fails
 */
VPLAT_API int vplat_i2c_sim_eeprom_write(struct vplat_i2c_sim *s, uint16_t addr, uint32_t off,
					 const void *buf, uint32_t len);

/** Host ops of the simulated bus; host argument: the struct vplat_i2c_sim. */
VPLAT_API extern const struct vplat_i2c_host_ops vplat_i2c_host_sim;
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name Linux /dev/i2c-N adapter (Linux, lib/host/i2c/i2c_linux.c)
 *
 * Each group runs as one I2C_RDWR ioctl (repeated START between messages, as the guest
 * built it); the kernel reports success or failure for the whole transfer, so a failed
 * transfer fails every request of the group. 10-bit addresses need I2C_FUNC_10BIT_ADDR and
 * zero-length messages are passed on (the adapter driver may refuse them). The adapter must
 * have I2C_FUNC_I2C (plain I2C transfers, not only SMBus).
 * @{ */

/** The system calls the adapter end makes (a test replaces them with a fake adapter). */
struct vplat_i2c_linux_sys {
	int (*open)(const char *path, int flags);           /**< open(2) */
	int (*ioctl)(int fd, unsigned long req, void *arg); /**< ioctl(2): I2C_FUNCS, I2C_RDWR */
	int (*close)(int fd);                               /**< close(2) */
};

struct vplat_i2c_linux;

/**
 * Open an adapter.
 * @param dev  "/dev/i2c-N" (any path), or "N" for /dev/i2c-N
 * @param sys  system calls, or NULL for the real ones
 * @param err  receives 0 or a negative VPLAT_E* code on failure (may be NULL): VPLAT_EIO when
 *             the device cannot be opened or its functions read, VPLAT_ENOTSUP when it lacks
 *             I2C_FUNC_I2C, VPLAT_ENOMEM
 * @return the adapter end, or NULL (errno set from the failing call for VPLAT_EIO)
 */
VPLAT_API struct vplat_i2c_linux *vplat_i2c_linux_open(const char *dev,
						       const struct vplat_i2c_linux_sys *sys,
						       int *err);

/** Close the adapter end. @param l  the end (NULL is ignored) */
VPLAT_API void vplat_i2c_linux_close(struct vplat_i2c_linux *l);

/** @return the adapter's I2C_FUNCS bits */
VPLAT_API unsigned long vplat_i2c_linux_funcs(const struct vplat_i2c_linux *l);

/** Host ops of the adapter end; host argument: the struct vplat_i2c_linux. */
VPLAT_API extern const struct vplat_i2c_host_ops vplat_i2c_host_linux;
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_HOST_I2C_HOST_H */
