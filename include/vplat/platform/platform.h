/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/platform/platform.h
 * Platform description: one device tree describes a virtual platform (VMs, their virtio
 * devices, transports, MMIO windows, interrupts, feature overrides, host ends and rate
 * limits); vplat validates it, builds the devices and their host ends, and writes the
 * guest-visible device-tree nodes a VMM passes to the kernel.
 *
 * The format (the binding) is documented in docs/platform-binding.md and spec/30-platform.md.
 * A description is a flattened device tree (DTB, as `dtc -I dts -O dtb` writes it), parsed
 * with libfdt after fdt_check_full(): a malformed blob is refused, never walked.
 *
 * Typical use by a VMM:
 * @code
 * struct vplat_platform *p;
 * char err[256];
 * struct vplat_platform_options o = {.mem = my_guest_mem, .irq = my_irq};
 * if (vplat_platform_load(&p, dtb, dtb_size, &o, err, sizeof(err)))
 *         die(err);
 * vplat_platform_guest_fdt(p, 0, qemu_dtb, guest_dtb, sizeof(guest_dtb), err, sizeof(err));
 * ... trap MMIO accesses to vplat_platform_device(p, i)->base ... and call
 * vplat_mmio_read(vplat_platform_mmio(p, i), ...) ...
 * vplat_platform_free(p);
 * @endcode
 *
 * Hosted C: the loader allocates (the devices, their request slots, host ends, switches and
 * CAN buses) and opens files and sockets. Thread rules: one thread at a time per platform
 * and everything built from it.
 */
#ifndef VPLAT_PLATFORM_H
#define VPLAT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/device.h"
#include "vplat/mem.h"
#include "vplat/mmio.h"
#include "vplat/pci.h"
#include "vplat/platform/instance.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Device types a description may instantiate (its `compatible`); the values are those of
 *  enum vplat_instance_type, which builds them. */
enum vplat_platform_type {
	VPLAT_PLATFORM_RNG = 0,     /**< "vplat,virtio-rng" */
	VPLAT_PLATFORM_BLK = 1,     /**< "vplat,virtio-blk" */
	VPLAT_PLATFORM_CONSOLE = 2, /**< "vplat,virtio-console" */
	VPLAT_PLATFORM_NET = 3,     /**< "vplat,virtio-net" */
	VPLAT_PLATFORM_GPIO = 4,    /**< "vplat,virtio-gpio" */
	VPLAT_PLATFORM_CAN = 5,     /**< "vplat,virtio-can" */
	VPLAT_PLATFORM_WATCHDOG = 6, /**< "vplat,virtio-watchdog" */
	VPLAT_PLATFORM_I2C = 7,     /**< "vplat,virtio-i2c" */
	VPLAT_PLATFORM_INPUT = 8,   /**< "vplat,virtio-input" */
	VPLAT_PLATFORM_VSOCK = 9,   /**< "vplat,virtio-vsock" */
	VPLAT_PLATFORM_SOUND = 10,  /**< "vplat,virtio-snd" (also "vplat,virtio-sound") */
};

/** Transport of a device (its `transport` property). */
enum vplat_platform_transport {
	VPLAT_PLATFORM_MMIO = 0, /**< "virtio-mmio" (version 2) */
	VPLAT_PLATFORM_PCI = 1,  /**< "virtio-pci" (modern) */
};

/** Encoding of `interrupts` in the guest device tree (the VM's `guest-interrupt-style`). */
enum vplat_platform_irq_style {
	VPLAT_PLATFORM_IRQ_PLAIN = 0, /**< one cell: the interrupt number (PLIC, simple controllers) */
	VPLAT_PLATFORM_IRQ_GIC = 1,   /**< three cells: GIC_SPI, number, IRQ_TYPE_EDGE_RISING */
};

/** One device of a description, as validated. Read-only to users; owned by the platform. */
struct vplat_platform_device {
	const char *path;                        /**< node path in the description */
	const char *name;                        /**< node name (unit address included) */
	unsigned vm;                             /**< index of its VM */
	enum vplat_platform_type type;           /**< device type */
	enum vplat_platform_transport transport; /**< transport */
	uint64_t base;                           /**< MMIO: guest-physical base of the window */
	uint64_t size;                           /**< MMIO: bytes of the window */
	uint32_t irq;                            /**< MMIO: interrupt number */
	uint8_t pci_slot;                        /**< PCI: device number on bus 0, 0..31 */
	bool dma_coherent;                       /**< guest node gets `dma-coherent` */
	uint64_t feature_mask;                   /**< offer is ANDed with this (all ones: none) */
	/** `vhost-user-socket`: serve the device as a vhost-user back end on this UNIX socket
	 *  path (as written; relative to vplat_platform_options.base_dir), or NULL */
	const char *vhost_user_socket;
};

/**
 * Guest memory for a device being built: return the map its queues live in (borrowed; must
 * outlive the platform), or NULL to fail the load with VPLAT_ENOMEM.
 */
typedef struct vplat_mem *(*vplat_platform_mem_fn)(void *opaque,
						   const struct vplat_platform_device *d);

/** Interrupt line of an MMIO device (or INTx of a PCI device) changed level. */
typedef void (*vplat_platform_irq_fn)(void *opaque, const struct vplat_platform_device *d,
				      bool level);

/** How vplat_platform_load() proceeds. Zero is a valid value: validate only. */
struct vplat_platform_options {
	/**
	 * Guest memory per device. NULL: validate only; no device, host end or transport is
	 * built (what `vplat-platform check` does).
	 */
	vplat_platform_mem_fn mem;
	/** Interrupt callback of the transports (NULL: polled). */
	vplat_platform_irq_fn irq;
	/** Argument of @ref mem and @ref irq. */
	void *opaque;
	/**
	 * Build device models and host ends but no transport: the embedder binds each
	 * vplat_platform_dev() to a transport of its own (the loopback backend, vhost-user).
	 */
	bool no_transport;
	/** Directory that relative paths (images, sockets, logs) are resolved against (NULL: the
	 * current directory). */
	const char *base_dir;
	/** Run-time messages of the devices' host ends, e.g. a watchdog's expiry (NULL: none). */
	vplat_instance_log_fn log;
	/** Argument of @ref log. */
	void *log_opaque;
};

struct vplat_platform;

/**
 * Parse and validate a description and, if @p opt->mem is set, build its devices.
 *
 * Validation refuses, naming the node and property in @p err: a blob that fails
 * fdt_check_full(); unknown device types, transports or properties; missing required
 * properties and host ends; values of the wrong size or out of range; overlapping MMIO windows,
 * duplicate interrupts or PCI slots within a VM; references to undeclared switches or CAN
 * buses.
 *
 * @param out     receives the platform (NULL on error); free with vplat_platform_free()
 * @param dtb     the flattened device tree (copied; need not stay alive)
 * @param size    bytes of @p dtb
 * @param opt     options (NULL: validate only)
 * @param err     receives a NUL-terminated message on error (may be NULL)
 * @param errlen  bytes of @p err
 * @return 0; VPLAT_EPROTO for a malformed blob; VPLAT_EINVAL for an unknown type, transport
 *         or property, a missing property or a value of the wrong form; VPLAT_ERANGE for a value
 *         out of range; VPLAT_EEXIST for overlapping windows or duplicate interrupts, slots or
 *         names; VPLAT_ENOENT for a missing host end or an undeclared reference; VPLAT_ENOMEM;
 *         errors of the device and host-end initialisers (VPLAT_EIO for a file or socket that
 *         cannot be opened) unchanged
 */
VPLAT_API int vplat_platform_load(struct vplat_platform **out, const void *dtb, size_t size,
				  const struct vplat_platform_options *opt, char *err,
				  size_t errlen);

/**
 * Release everything the platform built (devices, host ends, switches, buses). The guest
 * memory maps given through vplat_platform_options.mem are not touched.
 * @param p  the platform (NULL is ignored)
 */
VPLAT_API void vplat_platform_free(struct vplat_platform *p);

/** @param p  a platform @return number of VMs */
VPLAT_API unsigned vplat_platform_vm_count(const struct vplat_platform *p);

/**
 * @param p   a platform
 * @param vm  VM index
 * @return the VM's node name (owned by @p p), or NULL for an index out of range
 */
VPLAT_API const char *vplat_platform_vm_name(const struct vplat_platform *p, unsigned vm);

/**
 * Memory-bandwidth budget of a VM (`memory-budget`, `memory-period-us`), for a regulator
 * (vplat/regulator.h, vplat/host/regulator_linux.h).
 *
 * @param p          a platform
 * @param vm         VM index
 * @param budget     receives events per period (0: the VM is not regulated)
 * @param period_ns  receives the regulation period in nanoseconds (default 1 ms)
 * @return 0, or VPLAT_EINVAL for a NULL pointer or an index out of range
 */
VPLAT_API int vplat_platform_vm_memory_budget(const struct vplat_platform *p, unsigned vm,
					      uint64_t *budget, uint64_t *period_ns);

/**
 * Whether a VM's devices are served to a Xen domain (`served-by = "xen"`: an ioreq server in
 * dom0, vplat-xen) rather than by the VMM that embeds vplat.
 *
 * @param p      a platform
 * @param vm     VM index
 * @param domid  receives `xen,domid` (0: not given, any domain), may be NULL
 * @return 1 served by Xen, 0 not, VPLAT_EINVAL for a NULL platform or an index out of range
 */
VPLAT_API int vplat_platform_vm_xen(const struct vplat_platform *p, unsigned vm, uint32_t *domid);

/** Limits a description states for one device; 0 means none (a burst of 0 is one second's
 *  worth of the rate). */
struct vplat_platform_limits {
	uint64_t ops_rate;        /**< block: requests/s (`iops`); CAN, network: frames/s the
				   *   device transmits (`frame-rate`) */
	uint64_t ops_burst;       /**< `iops-burst`, `frame-burst` */
	uint64_t bytes_rate;      /**< block, CAN, network: bytes/s (`bandwidth`) */
	uint64_t bytes_burst;     /**< `bandwidth-burst` */
	uint64_t net_rate_bps;    /**< network: egress shaping of its switch port (`rate-bps`) */
	uint64_t net_burst_bytes; /**< `burst-bytes` */
};

/**
 * @param p    a platform
 * @param i    device index
 * @param out  receives the device's limits
 * @return 0, or VPLAT_EINVAL for a NULL pointer or an index out of range
 */
VPLAT_API int vplat_platform_device_limits(const struct vplat_platform *p, unsigned i,
					   struct vplat_platform_limits *out);

/**
 * The switch port a network device on a switch gets, as the description states it: traffic
 * classes, scheduling and weights, queue length, VLAN membership and pvid, allowed source
 * MACs (`traffic-classes`, `scheduling`, `class-weights`, `queue-length`, `vlans`, `pvid`,
 * `allowed-source-macs`; the shaping is in vplat_platform_device_limits()). Fields the
 * description leaves out are 0, the switch's defaults, except classes (1).
 * @param p    a platform
 * @param i    device index
 * @param out  receives the configuration (name NULL; rate_bps and burst_bytes as stated)
 * @return 0; VPLAT_ENOENT if the device is not a network device on a switch; VPLAT_EINVAL
 *         for a NULL pointer or an index out of range
 */
VPLAT_API int vplat_platform_device_port(const struct vplat_platform *p, unsigned i,
					 struct vplat_switch_port_config *out);

/**
 * The identifier filters of a CAN device's bus node, as the description states them
 * (`rx-filters`: acceptance, `tx-filters`: what the device may transmit, VPLAT-FFI-018).
 * @param p    a platform
 * @param i    device index
 * @param tx   the transmit filters (else the acceptance filters)
 * @param out  receives up to VPLAT_CANBUS_MAX_FILTERS filters
 * @param n    receives their number (0: none, every identifier passes)
 * @return 0; VPLAT_ENOENT if the device is not a CAN device on a bus; VPLAT_EINVAL for a
 *         NULL pointer or an index out of range
 */
VPLAT_API int vplat_platform_device_can_filters(const struct vplat_platform *p, unsigned i,
						bool tx, struct vplat_can_filter *out,
						unsigned *n);

/**
 * A console's ports as the description states them (`max-ports`, `ports`): the number
 * offered and the ports beyond port 0 with their host ends.
 * @param p          a platform
 * @param i          device index
 * @param max_ports  receives the ports offered: `max-ports`, else one more than the highest
 *                   port given, else 1 (a single-port console, no MULTIPORT)
 * @param ports      receives the further ports (owned by @p p, valid until
 *                   vplat_platform_free(); NULL when there are none)
 * @param n          receives their number
 * @return 0; VPLAT_ENOENT if the device is not a console; VPLAT_EINVAL for a NULL pointer or
 *         an index out of range
 */
VPLAT_API int vplat_platform_device_console_ports(const struct vplat_platform *p, unsigned i,
						  uint32_t *max_ports,
						  const struct vplat_instance_console_port **ports,
						  unsigned *n);

/** @param p  a platform @return number of devices, over all VMs, in description order */
VPLAT_API unsigned vplat_platform_device_count(const struct vplat_platform *p);

/**
 * @param p  a platform
 * @param i  device index
 * @return the device's description (owned by @p p), or NULL for an index out of range
 */
VPLAT_API const struct vplat_platform_device *vplat_platform_device(const struct vplat_platform *p,
								     unsigned i);

/**
 * @param p  a platform loaded with vplat_platform_options.mem
 * @param i  device index
 * @return the generic virtio device (owned by @p p), or NULL (index out of range, or
 *         validate-only load)
 */
VPLAT_API struct vplat_device *vplat_platform_dev(struct vplat_platform *p, unsigned i);

/**
 * @param p  a platform loaded with transports
 * @param i  device index
 * @return the virtio-mmio transport of an MMIO device (owned by @p p), or NULL
 */
VPLAT_API struct vplat_mmio *vplat_platform_mmio(struct vplat_platform *p, unsigned i);

/**
 * @param p  a platform loaded with transports
 * @param i  device index
 * @return the virtio-pci transport of a PCI device (owned by @p p), or NULL
 */
VPLAT_API struct vplat_pci *vplat_platform_pci(struct vplat_platform *p, unsigned i);

/**
 * Host-end file descriptors to poll for input (consoles, GPIO control sockets, taps, CAN
 * sockets).
 * @param p    a platform
 * @param fds  destination
 * @param max  capacity of @p fds
 * @return descriptors stored
 */
VPLAT_API unsigned vplat_platform_fds(const struct vplat_platform *p, int *fds, unsigned max);

/**
 * @param p  a platform
 * @return the longest the caller may wait before vplat_platform_dispatch() is due, in ms (a
 *         watchdog deadline, a throttled block queue); -1: no device limits it (switch
 *         shapers and timed CAN buses still want a dispatch every few milliseconds)
 */
VPLAT_API int vplat_platform_timeout_ms(const struct vplat_platform *p);

/**
 * Serve every host end once without blocking: console and GPIO control input, tap input,
 * switch forwarding, CAN bus arbitration, throttled block queues whose delay has passed,
 * due watchdog ticks.
 * @param p  a platform loaded with vplat_platform_options.mem
 * @return 0
 */
VPLAT_API int vplat_platform_dispatch(struct vplat_platform *p);

/**
 * Write the guest-visible nodes of one VM's virtio-mmio devices into a device tree: for each,
 * a node `virtio_mmio@<base>` under the root with `compatible = "virtio,mmio"`, `reg` (in the
 * root's \#address-cells/\#size-cells), `interrupts` (in the VM's guest-interrupt-style),
 * `interrupt-parent` if the VM gives `guest-interrupt-parent`, and `dma-coherent` where the
 * description sets it. Linux's virtio-mmio binding (Documentation/devicetree/bindings/virtio/
 * mmio.yaml) is what these nodes follow. virtio-pci devices get no node: the guest finds them
 * by enumerating the PCI host bridge.
 *
 * @param p         a platform
 * @param vm        VM index
 * @param base      a guest DTB to add to (e.g. the VMM's machine tree; checked with
 *                  fdt_check_full()), or NULL to start an empty tree with \#address-cells and
 *                  \#size-cells of 2
 * @param out       destination buffer; may be @p base itself
 * @param out_size  bytes of @p out
 * @param err       receives a message on error (may be NULL)
 * @param errlen    bytes of @p err
 * With @p base, each device is checked against the root's children in @p base first: a node
 * whose `reg` window overlaps the device's, a node of the same name, or (GIC style) a node
 * with the same SPI in `interrupts` is refused, and @p err names that node, says why it
 * collides and suggests a free window or SPI (the description must then move the device, as
 * the VMM places it where the description says).
 *
 * @return 0; VPLAT_ENOENT for a VM index out of range; VPLAT_EPROTO for a malformed
 *         @p base; VPLAT_EEXIST if a device collides with a node of @p base; VPLAT_ENOSPC if
 *         @p out is too small; VPLAT_ERANGE if a window does not fit the root's cells
 */
VPLAT_API int vplat_platform_guest_fdt(const struct vplat_platform *p, unsigned vm,
				       const void *base, void *out, size_t out_size, char *err,
				       size_t errlen);

/** @param t  a device type @return its short name ("blk"), or "?" */
VPLAT_API const char *vplat_platform_type_name(enum vplat_platform_type t);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_PLATFORM_H */
