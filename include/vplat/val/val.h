/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/val/val.h
 * The validation driver: a small, real virtio driver that ships with the library.
 *
 * The conformance suite and the unit tests use it to drive a virtio device from the driver
 * side, as QEMU's libqos and rust-vmm's mock driver do. It negotiates features, sets up split
 * and packed virtqueues, posts buffers and collects used ones over virtio-mmio (version 2) or
 * virtio-pci (modern). It also has **raw builders** that write descriptors and ring indices
 * exactly as a test asks, so hostile-driver tests can build loops, over-long chains, bad
 * addresses, nested or mis-sized indirect tables and index jumps without hand-written offsets.
 *
 * Layers:
 * - struct vplat_val_transport_ops is what a transport does for the driver (status, features,
 *   configuration, queue setup, notifications, interrupts). vplat implements it for
 *   virtio-mmio and virtio-pci over struct vplat_val_io (vplat_val_init()); the vhost-user
 *   front end implements it with vhost-user messages; anyone can bind their own with
 *   vplat_val_init_transport().
 * - struct vplat_val_io reaches the registers of an MMIO or PCI device. The loopback backend
 *   (vplat/loopback.h) implements it over vplat's own transport models; a port for a Linux
 *   guest implements it over /dev/mem or PCI sysfs resource mappings.
 * - struct vplat_val_mem is the memory the device reaches by DMA (simulated guest memory in
 *   the loopback, a pinned physically contiguous buffer in a guest) with a bump allocator.
 * - struct vplat_val_dev is one driver instance bound to one device.
 * - struct vplat_val_vq is the driver side of one virtqueue.
 *
 * The driver does not trust the device either: used ids and lengths are checked, and a
 * device that breaks the ring protocol is reported through vplat_val_vq.error.
 *
 * Hosted C11 (uses libc and clock_gettime()); no threads. Thread rules: one thread at a time
 * per struct vplat_val_dev and all of its queues.
 */
#ifndef VPLAT_VAL_H
#define VPLAT_VAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/error.h"
#include "vplat/spec/virtio_config.h"
#include "vplat/spec/virtio_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/** @name Register access
 * @{ */

/** Address space of the virtio-mmio register window (offset 0 = MagicValue). */
#define VPLAT_VAL_SPACE_MMIO    0u
/** Address space of the PCI configuration space of the device function (256 bytes). */
#define VPLAT_VAL_SPACE_PCI_CFG 1u
/** Address space of PCI BAR @p n (0..5; a 64-bit BAR is named by its low index). */
#define VPLAT_VAL_SPACE_BAR(n)  (2u + (unsigned)(n))

/**
 * How the driver reaches a device's registers. Tables are `static const`.
 *
 * Offsets are relative to the start of the selected space. Accesses are little-endian
 * register accesses of @p size bytes (1, 2, 4 or 8), naturally aligned.
 */
struct vplat_val_io_ops {
	/**
	 * Required. Read a register.
	 * @param ctx    vplat_val_io.ctx
	 * @param space  VPLAT_VAL_SPACE_*
	 * @param off    offset inside @p space
	 * @param size   access width in bytes
	 * @return the value, zero-extended (what the hardware returns for an access it refuses:
	 *         0 in the loopback, all-ones on a real PCI bus)
	 */
	uint64_t (*read)(void *ctx, unsigned space, uint64_t off, unsigned size);
	/** Required. Write a register; same arguments as @ref read plus the value. */
	void (*write)(void *ctx, unsigned space, uint64_t off, unsigned size, uint64_t val);
	/**
	 * Optional. Interrupts the device raised so far (any vector, config or queue).
	 * NULL: interrupts are not observable; vplat_val_irq_count() returns 0.
	 */
	uint64_t (*irq_count)(void *ctx);
	/**
	 * Optional. Let an asynchronous backend make progress; called while the driver waits.
	 * NULL: the device works synchronously inside register accesses (the loopback).
	 */
	void (*poll)(void *ctx);
};

/** A register-access binding: ops table plus its context. */
struct vplat_val_io {
	const struct vplat_val_io_ops *ops; /**< access functions (static const) */
	void *ctx;                          /**< passed to every op */
};

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name DMA memory
 * @{ */

/**
 * Memory the device can reach: a host mapping of guest-physical [gpa, gpa+size) with a bump
 * allocator. Fields are read-only to users; initialise with vplat_val_mem_init().
 */
struct vplat_val_mem {
	uint8_t *base; /**< host address of @ref gpa; owned by the caller */
	uint64_t gpa;  /**< guest-physical address of @ref base */
	uint64_t size; /**< bytes */
	uint64_t used; /**< bytes handed out by the allocator (next free offset) */
};

/**
 * Describe DMA memory.
 *
 * @param m     caller storage
 * @param base  host mapping, at least @p size bytes, owned by the caller and kept alive while
 *              @p m is used
 * @param gpa   guest-physical address of @p base (what the device sees)
 * @param size  bytes
 * @return 0; VPLAT_EINVAL if an argument is NULL or 0; VPLAT_EOVERFLOW if [gpa, gpa+size)
 *         wraps the 64-bit space
 */
VPLAT_API int vplat_val_mem_init(struct vplat_val_mem *m, void *base, uint64_t gpa,
				 uint64_t size);

/**
 * Allocate zeroed DMA memory.
 *
 * @param m      the memory
 * @param size   bytes (0 allocates 1)
 * @param align  alignment of the guest address, a power of two (0 means 1)
 * @param gpa    if not NULL, receives the guest-physical address of the block
 * @return the host address, or NULL if @p align is not a power of two or the memory is
 *         exhausted. Blocks are never freed one by one: see vplat_val_mem_release().
 */
VPLAT_API void *vplat_val_alloc(struct vplat_val_mem *m, uint64_t size, uint64_t align,
				uint64_t *gpa);

/**
 * Free every block: the allocator starts again at the beginning. Memory is not cleared.
 * @param m  the memory (NULL is ignored)
 */
VPLAT_API void vplat_val_mem_reset(struct vplat_val_mem *m);

/**
 * @param m  the memory
 * @return the allocator position, to be passed to vplat_val_mem_release() later
 */
VPLAT_API uint64_t vplat_val_mem_mark(const struct vplat_val_mem *m);

/**
 * Free every block allocated since vplat_val_mem_mark() returned @p mark. Pointers into
 * those blocks must no longer be used. A @p mark above the current position is ignored.
 * @param m     the memory
 * @param mark  a value returned by vplat_val_mem_mark()
 */
VPLAT_API void vplat_val_mem_release(struct vplat_val_mem *m, uint64_t mark);

/**
 * Host address of a guest range.
 * @param m    the memory
 * @param gpa  first guest-physical address
 * @param len  bytes
 * @return the host address of @p gpa, or NULL unless [gpa, gpa+len) lies inside @p m
 */
VPLAT_API void *vplat_val_mem_ptr(const struct vplat_val_mem *m, uint64_t gpa, uint64_t len);

/**
 * Guest address of a host pointer.
 * @param m    the memory
 * @param ptr  a pointer into the mapping
 * @param gpa  receives the guest-physical address
 * @return 0 or VPLAT_EFAULT if @p ptr is not inside @p m
 */
VPLAT_API int vplat_val_mem_gpa(const struct vplat_val_mem *m, const void *ptr, uint64_t *gpa);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Driver instance and transport
 * @{ */

/** Transport the driver speaks. */
enum vplat_val_transport {
	VPLAT_VAL_MMIO = 0, /**< virtio-mmio version 2, registers in VPLAT_VAL_SPACE_MMIO */
	VPLAT_VAL_PCI = 1,  /**< virtio-pci modern, config space plus BARs */
	/** A transport supplied by the caller (struct vplat_val_transport_ops), for example the
	 * vhost-user front end; no register window, vplat_val_dev.io is unused. */
	VPLAT_VAL_CUSTOM = 2,
};

/** Default timeout, in milliseconds, for resets and queue resets (vplat_val_dev.timeout_ms). */
#define VPLAT_VAL_TIMEOUT_MS 1000u

/** Where a virtio-pci structure lives (found through its capability). */
struct vplat_val_pci_region {
	bool present;    /**< the capability was found */
	uint8_t bar;     /**< BAR index */
	uint32_t offset; /**< offset inside the BAR */
	uint32_t length; /**< length of the structure */
};

struct vplat_val_dev;

/**
 * What a transport does for the driver: the operations of virtio's "transport options"
 * section, one `static const` table per transport. vplat implements it for virtio-mmio and
 * virtio-pci on top of struct vplat_val_io (vplat_val_init()), and the vhost-user front end
 * (vplat/val/vhost_user_frontend.h) implements it with vhost-user messages. Another transport
 * (a hypervisor's own, a mock) implements this table and binds it with
 * vplat_val_init_transport(); every vplat_val_* call then goes through it.
 *
 * Every operation receives the driver; the transport's own state is
 * vplat_val_dev.transport_ctx. Operations cannot fail: a transport that loses its device
 * returns what a vanished device reads as (0, or a status with DEVICE_NEEDS_RESET) and the
 * driver's checks report it. Queue indices are not checked by the driver. Initialise the
 * table with designated initialisers: members may be added at the end.
 */
struct vplat_val_transport_ops {
	/**
	 * Required. Identify the device and fill vplat_val_dev.device_id (non-zero),
	 * vplat_val_dev.vendor_id and vplat_val_dev.num_queues (0 if the transport cannot tell).
	 * Called once by vplat_val_init() / vplat_val_init_transport(); must not reset the device.
	 * @return 0; VPLAT_ENODEV if no device answers; VPLAT_ENOTSUP for a device the driver
	 *         cannot drive; VPLAT_EPROTO for malformed transport structures
	 */
	int (*probe)(struct vplat_val_dev *d);
	/** Required. @return the device status byte as the device reports it. */
	uint8_t (*get_status)(struct vplat_val_dev *d);
	/** Required. Write the device status byte as given (0 resets the device). */
	void (*set_status)(struct vplat_val_dev *d, uint8_t status);
	/**
	 * Required. @return device feature word @p sel (bits 32*sel .. 32*sel+31); 0 for words
	 * the device does not define.
	 */
	uint32_t (*get_features)(struct vplat_val_dev *d, uint32_t sel);
	/** Required. Write driver feature word @p sel (bits 32*sel .. 32*sel+31) as @p val. */
	void (*set_features)(struct vplat_val_dev *d, uint32_t sel, uint32_t val);
	/**
	 * Optional. @return the configuration generation counter. NULL: the configuration never
	 * changes under the driver (reads as 0).
	 */
	uint32_t (*generation)(struct vplat_val_dev *d);
	/**
	 * Required. Read @p size bytes (1, 2 or 4) of device configuration at byte offset
	 * @p off. @return the value, little-endian, zero-extended (0 past the end)
	 */
	uint32_t (*cfg_read)(struct vplat_val_dev *d, uint32_t off, unsigned size);
	/** Required. Write @p size bytes (1, 2 or 4) of device configuration at @p off. */
	void (*cfg_write)(struct vplat_val_dev *d, uint32_t off, unsigned size, uint32_t val);
	/** Required. @return the maximum size of queue @p q, 0 if the queue does not exist. */
	uint16_t (*queue_max)(struct vplat_val_dev *d, uint16_t q);
	/**
	 * Required. Record the size and the guest addresses of the three areas of queue @p q
	 * without enabling it and without checking them (hostile tests pass bad values).
	 */
	void (*queue_program)(struct vplat_val_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			      uint64_t driver, uint64_t device);
	/** Required. Enable queue @p q with the configuration last programmed (QueueReady = 1). */
	void (*queue_enable)(struct vplat_val_dev *d, uint16_t q);
	/** Required. @return 1 if queue @p q is enabled, else 0. */
	uint16_t (*queue_ready)(struct vplat_val_dev *d, uint16_t q);
	/**
	 * Optional. Start resetting queue @p q on its own (VIRTIO_F_RING_RESET; QueueReset = 1).
	 * NULL: the transport cannot; vplat_val_queue_reset() returns VPLAT_ENOTSUP.
	 */
	void (*queue_reset_write)(struct vplat_val_dev *d, uint16_t q);
	/**
	 * Optional, required with @ref queue_reset_write. @return 1 while the reset of queue
	 * @p q is in progress, 0 once it is complete.
	 */
	uint16_t (*queue_reset_read)(struct vplat_val_dev *d, uint16_t q);
	/**
	 * Required. Where available-buffer notifications for queue @p q go: @p off is passed
	 * back to @ref notify as is (virtio-pci: the address inside the notify BAR; others may
	 * store anything), @p value is the value that names the queue (the queue index, or
	 * virtio-pci's queue_notify_data).
	 */
	void (*notify_target)(struct vplat_val_dev *d, uint16_t q, uint64_t *off, uint32_t *value);
	/**
	 * Required. Send an available-buffer notification (the driver's kick): @p off from
	 * @ref notify_target, @p value the queue's value or, with NOTIFICATION_DATA, the
	 * notification data (vplat_val_queue_notify() passes anything a test asks for).
	 */
	void (*notify)(struct vplat_val_dev *d, uint64_t off, uint32_t value);
	/**
	 * Required. Read and acknowledge the pending interrupt causes; a transport whose
	 * interrupts arrive asynchronously may wait a little for one.
	 * @return bit 0: used-buffer notification; bit 1: configuration change
	 */
	uint32_t (*isr)(struct vplat_val_dev *d);
	/**
	 * Optional. @return interrupts the device raised so far (any vector, configuration or
	 * queue). NULL: interrupts are not observable; vplat_val_irq_count() returns 0.
	 */
	uint64_t (*irq_count)(struct vplat_val_dev *d);
	/**
	 * Optional. Let an asynchronous device make progress, or wait briefly for its
	 * interrupts; called in every loop where the driver waits for the device. NULL: the
	 * driver sleeps about 10 µs instead.
	 */
	void (*wait)(struct vplat_val_dev *d);
};

/**
 * A driver bound to one device. Caller-allocated; set up with vplat_val_init(). Fields are
 * read-only to users.
 */
struct vplat_val_dev {
	struct vplat_val_io io;                   /**< MMIO and PCI: register access (copied at
						       init); unused by other transports */
	struct vplat_val_mem *mem;                /**< DMA memory for rings and tables */
	enum vplat_val_transport transport;       /**< transport in use */
	const struct vplat_val_transport_ops *t;  /**< transport implementation */
	void *transport_ctx;                      /**< state of a VPLAT_VAL_CUSTOM transport */
	uint32_t device_id;                       /**< virtio device ID read at init */
	uint32_t vendor_id;                       /**< MMIO VendorID or PCI subsystem vendor */
	uint16_t num_queues;                      /**< queues the transport reports (PCI num_queues);
						       0 if it cannot tell (MMIO: probe the max) */
	uint64_t device_features;                 /**< offer read by the last negotiation */
	uint64_t features;                        /**< features accepted at FEATURES_OK */
	uint32_t timeout_ms;                      /**< reset timeouts; default VPLAT_VAL_TIMEOUT_MS */
	struct vplat_val_pci_region common;       /**< PCI: common configuration */
	struct vplat_val_pci_region notify;       /**< PCI: notifications */
	struct vplat_val_pci_region isr;          /**< PCI: ISR status */
	struct vplat_val_pci_region device;       /**< PCI: device configuration */
	uint32_t notify_off_multiplier;           /**< PCI: from the notify capability */
	uint64_t pci_mmio_next;                   /**< PCI: next address for unprogrammed BARs */
	void *opaque;                             /**< for the user */
};

/**
 * Probe a device and bind a driver to it. Does not reset or touch the status.
 *
 * MMIO: checks MagicValue, Version 2 and a non-zero DeviceID. PCI: checks vendor 0x1af4 and
 * a virtio device ID, walks the capability list (bounded; loops are detected) for the common,
 * notify, ISR and device configuration structures, programs BARs that read 0 (from address
 * 0xe0000000 up, see vplat_val_dev.pci_mmio_next) and enables memory decoding and bus
 * mastering. MSI-X is left disabled: interrupts are polled through the ISR.
 *
 * @param d     caller storage
 * @param io    register access (copied; its ctx must outlive @p d)
 * @param mem   DMA memory (borrowed; must outlive @p d)
 * @param tr    VPLAT_VAL_MMIO or VPLAT_VAL_PCI (other transports: vplat_val_init_transport())
 * @return 0; VPLAT_EINVAL on NULL arguments or an unknown transport; VPLAT_ENODEV if no
 *         virtio device answers (bad magic, vendor, device ID 0); VPLAT_ENOTSUP for a legacy
 *         device (MMIO version 1, PCI without the common configuration capability) or an
 *         I/O-space BAR; VPLAT_EPROTO for a malformed capability list
 */
VPLAT_API int vplat_val_init(struct vplat_val_dev *d, const struct vplat_val_io *io,
			     struct vplat_val_mem *mem, enum vplat_val_transport tr);

/**
 * Bind a driver to a device reached through a transport the caller supplies (see
 * struct vplat_val_transport_ops). Calls @p ops->probe; does not reset or touch the status.
 *
 * @param d    caller storage
 * @param ops  the transport (static const, must outlive @p d)
 * @param ctx  the transport's state, stored in vplat_val_dev.transport_ctx (borrowed)
 * @param mem  DMA memory (borrowed; must outlive @p d)
 * @return 0; VPLAT_EINVAL on NULL arguments or a table that lacks a required operation; the
 *         error of @p ops->probe
 */
VPLAT_API int vplat_val_init_transport(struct vplat_val_dev *d,
				       const struct vplat_val_transport_ops *ops, void *ctx,
				       struct vplat_val_mem *mem);

/**
 * Reset the device: write 0 to the status and wait until it reads 0.
 * @param d  the driver
 * @return 0 or VPLAT_ETIMEDOUT after vplat_val_dev.timeout_ms
 */
VPLAT_API int vplat_val_reset(struct vplat_val_dev *d);

/**
 * @param d  the driver
 * @return the device status byte as the device reports it
 */
VPLAT_API uint8_t vplat_val_get_status(struct vplat_val_dev *d);

/**
 * Write the device status byte as given (no read-modify-write; hostile tests use it to
 * clear bits or skip steps).
 * @param d       the driver
 * @param status  the byte to write
 */
VPLAT_API void vplat_val_set_status(struct vplat_val_dev *d, uint8_t status);

/**
 * Set @p bits in the device status: read, OR, write back.
 * @param d     the driver
 * @param bits  VPLAT_VIRTIO_STATUS_* bits to add
 */
VPLAT_API void vplat_val_add_status(struct vplat_val_dev *d, uint8_t bits);

/**
 * @param d  the driver
 * @return the 64 feature bits the device offers (selector words 0 and 1)
 */
VPLAT_API uint64_t vplat_val_get_device_features(struct vplat_val_dev *d);

/**
 * Write the 64 driver feature bits (selector words 0 and 1) exactly as given, without
 * checking them against the offer.
 * @param d         the driver
 * @param features  the bits to write
 */
VPLAT_API void vplat_val_set_driver_features(struct vplat_val_dev *d, uint64_t features);

/**
 * Negotiate features with the full initialisation sequence (sec: Device Initialization):
 * reset, ACKNOWLEDGE, DRIVER, read the offer, write (@p wanted & offer) | VERSION_1,
 * FEATURES_OK, re-read FEATURES_OK.
 *
 * On success vplat_val_dev.features holds the accepted set and the caller sets up queues,
 * then calls vplat_val_driver_ok(). On refusal the status is left as the device reports it
 * (FEATURES_OK clear) so a test can inspect it; reset before trying again.
 *
 * @param d       the driver
 * @param wanted  features the driver would like; bits the device does not offer are dropped
 * @return 0; VPLAT_ETIMEDOUT if the reset does not complete; VPLAT_ENOTSUP if the device does
 *         not offer VERSION_1; VPLAT_EPROTO if the device refused FEATURES_OK
 */
VPLAT_API int vplat_val_negotiate(struct vplat_val_dev *d, uint64_t wanted);

/**
 * Set DRIVER_OK (after the queues are set up).
 * @param d  a driver past FEATURES_OK
 * @return 0, or VPLAT_EPROTO if the status read back afterwards has DEVICE_NEEDS_RESET or
 *         lacks DRIVER_OK
 */
VPLAT_API int vplat_val_driver_ok(struct vplat_val_dev *d);

/**
 * @param d    the driver
 * @param bit  feature bit number
 * @return true if feature bit @p bit was accepted by the last negotiation
 */
VPLAT_API bool vplat_val_has_feature(const struct vplat_val_dev *d, unsigned bit);

/**
 * @param d  the driver
 * @return the configuration generation counter (MMIO: 32 bits; PCI: 8 bits)
 */
VPLAT_API uint32_t vplat_val_config_generation(struct vplat_val_dev *d);

/**
 * One device-configuration access of @p size bytes (1, 2 or 4; 8 is split into two 32-bit
 * accesses, low half first) at byte offset @p off. No generation check.
 * @param d     the driver
 * @param off   byte offset in device configuration space
 * @param size  1, 2, 4 or 8
 * @return the value (what the transport returns for an access past the end: usually 0)
 */
VPLAT_API uint64_t vplat_val_config_read(struct vplat_val_dev *d, uint32_t off, unsigned size);

/**
 * One device-configuration write; same access rules as vplat_val_config_read().
 * @param d     the driver
 * @param off   byte offset in device configuration space
 * @param size  1, 2, 4 or 8
 * @param val   value (low @p size bytes are written)
 */
VPLAT_API void vplat_val_config_write(struct vplat_val_dev *d, uint32_t off, unsigned size,
				      uint64_t val);

/**
 * Read @p len bytes of device configuration consistently: read the generation, the bytes
 * (each access as wide as alignment allows, at most 32 bits) and the generation again, and
 * retry while the two differ (sec: Device Configuration Space).
 *
 * @param d          the driver
 * @param off        byte offset
 * @param buf        destination (little-endian bytes, as in config space)
 * @param len        bytes
 * @param timeout_ms give up after this long
 * @return 0, or VPLAT_ETIMEDOUT if the generation never held still
 */
VPLAT_API int vplat_val_config_read_stable(struct vplat_val_dev *d, uint32_t off, void *buf,
					   size_t len, uint32_t timeout_ms);

/**
 * Read and acknowledge the interrupt status (MMIO: InterruptStatus then InterruptACK;
 * PCI: the ISR byte, which clears on read; other transports: vplat_val_transport_ops.isr).
 * @param d  the driver
 * @return bit 0: used-buffer notification; bit 1: configuration change
 */
VPLAT_API uint32_t vplat_val_isr(struct vplat_val_dev *d);

/**
 * @param d  the driver
 * @return interrupts raised so far, from vplat_val_transport_ops.irq_count (on MMIO and PCI:
 *         vplat_val_io_ops.irq_count); 0 if not observable
 */
VPLAT_API uint64_t vplat_val_irq_count(struct vplat_val_dev *d);

/**
 * @param d      the driver
 * @param index  queue index
 * @return the size the device reports for queue @p index: MMIO QueueSizeMax; PCI queue_size
 *         (the maximum until the driver writes its own size). 0 if the queue does not exist.
 */
VPLAT_API uint16_t vplat_val_queue_max(struct vplat_val_dev *d, uint16_t index);

/**
 * Write the configuration of queue @p index: size and the three area addresses, without
 * enabling it and without checking anything (hostile tests use it to pass bad addresses).
 * @param d       the driver
 * @param index   queue index
 * @param size    queue size
 * @param desc    descriptor area guest address
 * @param driver  driver area guest address
 * @param device  device area guest address
 */
VPLAT_API void vplat_val_queue_program(struct vplat_val_dev *d, uint16_t index, uint16_t size,
				       uint64_t desc, uint64_t driver, uint64_t device);

/**
 * Enable queue @p index (QueueReady / queue_enable = 1) and read it back.
 * @param d      the driver
 * @param index  queue index
 * @return 0, or VPLAT_EIO if the queue does not read back as enabled
 */
VPLAT_API int vplat_val_queue_enable(struct vplat_val_dev *d, uint16_t index);

/**
 * @param d      the driver
 * @param index  queue index
 * @return true if queue @p index reads as enabled
 */
VPLAT_API bool vplat_val_queue_enabled(struct vplat_val_dev *d, uint16_t index);

/**
 * Reset queue @p index on its own (VIRTIO_F_RING_RESET): write 1 to QueueReset/queue_reset
 * and wait until it reads 0. The driver's vplat_val_vq, if any, is not touched: use
 * vplat_val_vq_reset() for that.
 * @param d      the driver
 * @param index  queue index
 * @return 0; VPLAT_ENOTSUP if RING_RESET was not negotiated; VPLAT_ETIMEDOUT; VPLAT_EIO if the
 *         queue still reads as enabled afterwards
 */
VPLAT_API int vplat_val_queue_reset(struct vplat_val_dev *d, uint16_t index);

/**
 * Send an available-buffer notification for queue @p index with value @p value exactly as
 * given: a 32-bit write on MMIO; on PCI a 32-bit write if NOTIFICATION_DATA was negotiated,
 * else 16-bit, to the queue's notify address. Hostile tests use it to kick absent queues.
 * @param d      the driver
 * @param index  queue index (selects the PCI notify address)
 * @param value  notification value
 */
VPLAT_API void vplat_val_queue_notify(struct vplat_val_dev *d, uint16_t index, uint32_t value);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Driver-side virtqueue
 * @{ */

/** Default queue size vplat_val_vq_setup() uses when asked for 0 (capped by the device). */
#define VPLAT_VAL_VQ_DEFAULT_SIZE 256u
/** Most segments vplat_val_vq_add() puts in one indirect table. */
#define VPLAT_VAL_VQ_MAX_INDIRECT 64u

/**
 * One buffer segment. If @ref ptr is not NULL it must point into the driver's DMA memory and
 * its guest address is used; otherwise @ref gpa is used as given (may be anything).
 */
struct vplat_val_buf {
	const void *ptr; /**< host address inside vplat_val_mem, or NULL */
	uint64_t gpa;    /**< guest address when @ref ptr is NULL */
	uint32_t len;    /**< bytes */
};

/** Per-buffer bookkeeping of a vplat_val_vq (private). */
struct vplat_val_vq_slot {
	void *token;    /**< caller's token; NULL when the slot is free */
	uint32_t in_len; /**< total device-writable bytes of the buffer */
	uint16_t ndesc; /**< ring descriptors the buffer occupies */
	uint16_t last;  /**< split: last descriptor index of the chain */
};

/**
 * The driver side of one virtqueue. Caller-allocated; set up with vplat_val_vq_setup(),
 * released with vplat_val_vq_fini(). Fields are read-only to users.
 */
struct vplat_val_vq {
	struct vplat_val_dev *dev; /**< owning driver */
	uint16_t index;            /**< queue index */
	uint16_t size;             /**< queue size */
	bool packed;               /**< packed layout (RING_PACKED negotiated) */
	bool event_idx;            /**< EVENT_IDX negotiated */
	bool indirect_ok;          /**< INDIRECT_DESC negotiated */
	bool in_order;             /**< IN_ORDER negotiated */
	bool notif_data;           /**< NOTIFICATION_DATA negotiated */
	bool use_indirect;         /**< vplat_val_vq_use_indirect() turned indirect tables on */
	bool irq_enabled;          /**< the driver asks for used-buffer notifications */
	uint64_t desc_gpa;         /**< descriptor table / ring */
	uint64_t driver_gpa;       /**< available ring / driver event suppression area */
	uint64_t device_gpa;       /**< used ring / device event suppression area */
	void *desc;                /**< host address of @ref desc_gpa */
	void *driver;              /**< host address of @ref driver_gpa */
	void *device;              /**< host address of @ref device_gpa */
	uint32_t notify_value;     /**< queue index, or PCI queue_notif_config_data */
	uint64_t notify_off;       /**< PCI: notify address inside the notify BAR */
	uint16_t num_free;         /**< descriptors (split) or ring slots (packed) free */
	uint16_t free_head;        /**< split: first free descriptor; packed: first free ID */
	uint16_t next_desc;        /**< split IN_ORDER: next descriptor to use */
	uint16_t avail_idx;        /**< split: shadow available idx; packed: next slot */
	bool avail_wrap;           /**< packed: driver ring wrap counter */
	uint16_t last_used;        /**< split: next used idx; packed: next used slot */
	bool used_wrap;            /**< packed: wrap counter expected in the next used slot */
	uint16_t num_added;        /**< split: entries, packed: slots added since the last kick */
	uint16_t inflight;         /**< buffers made available and not yet returned */
	uint16_t order_head;       /**< IN_ORDER: oldest entry in @ref order */
	int32_t batch_id;          /**< IN_ORDER: ID closing the batch being returned, or -1 */
	uint32_t batch_len;        /**< IN_ORDER: length reported for @ref batch_id */
	struct vplat_val_vq_slot *slots; /**< per ID (split: head descriptor) state (malloc) */
	uint16_t *next;            /**< free-list links (malloc) */
	uint16_t *order;           /**< IN_ORDER: IDs in the order made available (malloc) */
	void *ind;                 /**< indirect tables, VPLAT_VAL_VQ_MAX_INDIRECT per slot */
	uint64_t ind_gpa;          /**< guest address of @ref ind */
	uint64_t kicks;            /**< notifications sent by vplat_val_vq_kick() */
	uint64_t kicks_suppressed; /**< kicks the device's event suppression asked to skip */
	int error;                 /**< first device protocol violation seen (sticky), or 0 */
	const char *error_msg;     /**< what it was (static string), or NULL */
};

/**
 * Allocate rings for queue @p index in DMA memory, program and enable it.
 *
 * Call after FEATURES_OK and before vplat_val_driver_ok() (or after vplat_val_queue_reset()).
 * The layout is packed if RING_PACKED was negotiated, else split. Rings are zeroed. Shadow
 * state is allocated with malloc() and released by vplat_val_vq_fini().
 *
 * @param d      a driver past FEATURES_OK
 * @param vq     caller storage
 * @param index  queue index
 * @param size   queue size; 0 means min(device maximum, VPLAT_VAL_VQ_DEFAULT_SIZE) (rounded
 *               down to a power of two for split rings)
 * @return 0; VPLAT_ENOENT if the device has no such queue; VPLAT_EINVAL if @p size exceeds
 *         the maximum or is not a power of two on a split ring; VPLAT_ENOMEM if DMA memory or
 *         malloc() ran out; VPLAT_EIO if the queue does not read back as enabled
 */
VPLAT_API int vplat_val_vq_setup(struct vplat_val_dev *d, struct vplat_val_vq *vq, uint16_t index,
				 uint16_t size);

/**
 * Release the shadow state of @p vq (its DMA memory stays allocated). Safe on a zeroed or
 * already released vq. The device is not told: reset it or the queue first.
 * @param vq  the queue (NULL is ignored)
 */
VPLAT_API void vplat_val_vq_fini(struct vplat_val_vq *vq);

/**
 * Reset @p vq with VIRTIO_F_RING_RESET, forget every buffer in flight (tokens are dropped),
 * zero the rings and enable the queue again with the same memory.
 * @param vq  a set-up queue
 * @return 0 or an error of vplat_val_queue_reset() / vplat_val_queue_enable()
 */
VPLAT_API int vplat_val_vq_reset(struct vplat_val_vq *vq);

/**
 * Use indirect tables for every buffer added from now on (or stop).
 * @param vq  a set-up queue
 * @param on  true to use indirect tables
 * @return 0; VPLAT_ENOTSUP if INDIRECT_DESC was not negotiated; VPLAT_ENOMEM if the tables
 *         (size × VPLAT_VAL_VQ_MAX_INDIRECT × 16 bytes, allocated on first use) do not fit
 */
VPLAT_API int vplat_val_vq_use_indirect(struct vplat_val_vq *vq, bool on);

/**
 * Make a buffer available: @p n_out device-readable segments, then @p n_in device-writable
 * ones. Does not notify; call vplat_val_vq_kick().
 *
 * @param vq     a set-up queue
 * @param bufs   n_out + n_in segments (copied into the ring; the data must stay in place
 *               until the buffer is returned)
 * @param n_out  device-readable segments
 * @param n_in   device-writable segments
 * @param token  non-NULL value returned with the buffer by vplat_val_vq_get_used()
 * @return 0; VPLAT_EINVAL if @p token is NULL or there are no segments; VPLAT_EFAULT if a
 *         segment's ptr is outside DMA memory; VPLAT_E2BIG if there are more segments than
 *         the queue size (indirect or not) or, indirect, than VPLAT_VAL_VQ_MAX_INDIRECT;
 *         VPLAT_ENOSPC if the ring has no room now
 */
VPLAT_API int vplat_val_vq_add(struct vplat_val_vq *vq, const struct vplat_val_buf *bufs,
			       unsigned n_out, unsigned n_in, void *token);

/**
 * Notify the device of the buffers added since the last kick, unless its event suppression
 * (used flags / avail_event, or the packed device event area) says not to.
 * @param vq  a set-up queue
 * @return true if a notification was sent
 */
VPLAT_API bool vplat_val_vq_kick(struct vplat_val_vq *vq);

/**
 * Notify the device unconditionally (with the current NOTIFICATION_DATA value if used).
 * @param vq  a set-up queue
 */
VPLAT_API void vplat_val_vq_notify(struct vplat_val_vq *vq);

/**
 * Take the next used buffer.
 *
 * Under IN_ORDER the device may return a batch with one used entry naming its last buffer:
 * the earlier buffers of the batch are returned one per call with @p len set to their full
 * writable length (sec: In-order use of descriptors).
 *
 * @param vq     the queue
 * @param token  receives the buffer's token
 * @param len    receives the bytes the device says it wrote (may be NULL)
 * @return 0; VPLAT_EAGAIN if no used buffer is pending; VPLAT_EPROTO if the device returned
 *         an ID that is not in flight (nothing is consumed; vplat_val_vq.error is set). A
 *         used length above the buffer's writable length is returned as is and recorded in
 *         vplat_val_vq.error.
 */
VPLAT_API int vplat_val_vq_get_used(struct vplat_val_vq *vq, void **token, uint32_t *len);

/**
 * Wait for the next used buffer, polling the ring (and vplat_val_transport_ops.wait) until a
 * clock deadline.
 * @param vq          the queue
 * @param token       receives the token
 * @param len         receives the used length (may be NULL)
 * @param timeout_ms  deadline from now (CLOCK_MONOTONIC)
 * @return 0, VPLAT_ETIMEDOUT, or VPLAT_EPROTO as vplat_val_vq_get_used()
 */
VPLAT_API int vplat_val_wait_used(struct vplat_val_vq *vq, void **token, uint32_t *len,
				  uint32_t timeout_ms);

/**
 * Ask for used-buffer notifications on this queue, or stop asking: split rings use
 * NO_INTERRUPT or `used_event`, packed rings the driver event suppression area (DESC mode
 * when EVENT_IDX was negotiated).
 * @param vq  a set-up queue
 * @param on  true to ask for notifications
 */
VPLAT_API void vplat_val_vq_set_interrupts(struct vplat_val_vq *vq, bool on);

/** @} */

/* ------------------------------------------------------------------------------------------ */
/** @name Raw ring builders for hostile-driver tests
 *
 * These write exactly what they are told, bypassing the driver's bookkeeping: the queue's
 * normal add/get_used state does not know about raw chains. Use descriptors the driver has not
 * got in flight; after a device reports DEVICE_NEEDS_RESET, reset and set the queue up again.
 * @{ */

/**
 * Write descriptor @p index of the split descriptor table or packed descriptor ring.
 *
 * Packed: @p flags is written as given, so without VPLAT_VIRTQ_DESC_F_AVAIL/USED the slot is
 * not available yet in either wrap phase; publish it with vplat_val_vq_raw_make_avail().
 *
 * @param vq          a set-up queue
 * @param index       slot, below the queue size
 * @param addr        buffer (or indirect table) guest address
 * @param len         length in bytes
 * @param flags       VPLAT_VIRTQ_DESC_F_*
 * @param next_or_id  split: `next`; packed: buffer `id`
 * @return 0 or VPLAT_EINVAL if @p index is out of range
 */
VPLAT_API int vplat_val_vq_raw_desc(struct vplat_val_vq *vq, uint16_t index, uint64_t addr,
				    uint32_t len, uint16_t flags, uint16_t next_or_id);

/**
 * Split ring: put @p head in the available ring at the shadow index, then publish idx + 1.
 * @param vq    a set-up queue
 * @param head  value for the ring entry (any value; out-of-range heads are a test case)
 * @return 0 or VPLAT_ENOTSUP on a packed ring
 */
VPLAT_API int vplat_val_vq_raw_avail(struct vplat_val_vq *vq, uint16_t head);

/**
 * Split ring: store @p idx as the available index (it may jump by any amount) and make it the
 * shadow index. Ring entries are not written.
 * @param vq   a set-up queue
 * @param idx  the new available index
 * @return 0 or VPLAT_ENOTSUP on a packed ring
 */
VPLAT_API int vplat_val_vq_raw_set_avail_idx(struct vplat_val_vq *vq, uint16_t idx);

/**
 * Packed ring: make the @p count slots from the driver's next slot available, setting
 * AVAIL/USED in each for the wrap counter of its position (flipping at the ring end) and
 * writing the first slot's flags last. Other flag bits and addr/len/id are kept as written by
 * vplat_val_vq_raw_desc(). Advances the driver's next slot and wrap counter.
 * @param vq     a set-up queue
 * @param count  slots to publish
 * @return 0; VPLAT_ENOTSUP on a split ring; VPLAT_EINVAL if @p count is 0 or above the size
 */
VPLAT_API int vplat_val_vq_raw_make_avail(struct vplat_val_vq *vq, uint16_t count);

/**
 * @param vq  a set-up queue
 * @return the next position the driver would use: split, the shadow available index; packed,
 *         the next descriptor slot (with the wrap counter in bit 15)
 */
VPLAT_API uint16_t vplat_val_vq_raw_next(const struct vplat_val_vq *vq);

/**
 * Allocate a zeroed table of @p n descriptors for use as an indirect table (16-byte aligned).
 * @param vq   the queue (decides the split or packed entry format)
 * @param n    entries (0 allocates one 16-byte entry so the address is valid)
 * @param gpa  receives the guest address
 * @return the host address of the table, or NULL if DMA memory ran out
 */
VPLAT_API void *vplat_val_vq_raw_table(struct vplat_val_vq *vq, uint16_t n, uint64_t *gpa);

/**
 * Write entry @p i of an indirect table from vplat_val_vq_raw_table() in the queue's format
 * (split: addr, len, flags, next; packed: addr, len, id = @p next_or_id, flags).
 * @param vq          the queue (decides the format)
 * @param table       host address of the table
 * @param i           entry index (not checked against the table's size)
 * @param addr        buffer guest address
 * @param len         buffer length
 * @param flags       VPLAT_VIRTQ_DESC_F_*
 * @param next_or_id  split: `next`; packed: `id`
 */
VPLAT_API void vplat_val_vq_raw_table_set(const struct vplat_val_vq *vq, void *table, uint16_t i,
					  uint64_t addr, uint32_t len, uint16_t flags,
					  uint16_t next_or_id);

/**
 * Read the next used entry without checking it against the driver's bookkeeping.
 * @param vq     the queue
 * @param ndesc  packed: ring slots to skip past this entry (1 for a one-descriptor buffer);
 *               ignored for split rings
 * @param id     receives the used ID
 * @param len    receives the used length
 * @return 0 or VPLAT_EAGAIN if the device has not written one
 */
VPLAT_API int vplat_val_vq_raw_used(struct vplat_val_vq *vq, uint16_t ndesc, uint32_t *id,
				    uint32_t *len);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_VAL_H */
