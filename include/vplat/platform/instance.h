/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/platform/instance.h
 * Device instances: one virtio device model together with its host end, created from typed
 * options. This is the one place that pairs a device with its host resource; the platform
 * description loader (vplat/platform/platform.h) and the `vplat-device` daemon both build
 * their devices through it, so a new device type is added here once.
 *
 * An instance has no transport: bind vplat_instance_device() to virtio-mmio, virtio-pci, the
 * vhost-user back end or the loopback backend yourself. The embedder owns the event loop:
 * poll vplat_instance_fds() for input with at most vplat_instance_timeout_ms(), then call
 * vplat_instance_dispatch().
 *
 * @code
 * struct vplat_instance_options o = {.type = VPLAT_INSTANCE_BLK,
 *                                    .blk = {.path = "disk.img", .read_only = true}};
 * struct vplat_instance *in;
 * char err[256];
 * if (vplat_instance_create(&in, mem, &o, err, sizeof(err)))
 *         die(err);
 * vplat_mmio_init(&mmio, vplat_instance_device(in), vendor, irq, ctx);
 * for (;;) { poll(vplat_instance_fds(...), vplat_instance_timeout_ms(in));
 *            vplat_instance_dispatch(in); }
 * vplat_instance_destroy(in);
 * @endcode
 *
 * Hosted C: creation allocates and opens files and sockets. Thread rules: one thread at a
 * time per instance, the thread that also serves the device's queues.
 */
#ifndef VPLAT_PLATFORM_INSTANCE_H
#define VPLAT_PLATFORM_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vplat/export.h"
#include "vplat/device.h"
#include "vplat/mem.h"
#include "vplat/ratelimit.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Device types an instance can be (same values as enum vplat_platform_type). */
enum vplat_instance_type {
	VPLAT_INSTANCE_RNG = 0,      /**< entropy device, getrandom(2) */
	VPLAT_INSTANCE_BLK = 1,      /**< block device on an image file or block device */
	VPLAT_INSTANCE_CONSOLE = 2,  /**< console, port 0 on a file-descriptor host end */
	VPLAT_INSTANCE_NET = 3,      /**< network device on a tap, a switch port or a sink */
	VPLAT_INSTANCE_GPIO = 4,     /**< GPIO device on simulated lines */
	VPLAT_INSTANCE_CAN = 5,      /**< CAN device on SocketCAN or a vplat CAN bus */
	VPLAT_INSTANCE_WATCHDOG = 6, /**< watchdog on the monotonic clock */
	VPLAT_INSTANCE_I2C = 7,      /**< I2C adapter on a simulated bus or a Linux adapter */
	VPLAT_INSTANCE_INPUT = 8,    /**< input device on a scripted event stream or evdev */
	VPLAT_INSTANCE_VSOCK = 9,    /**< vsock: host UNIX sockets (hybrid convention), fabric */
	VPLAT_INSTANCE_SOUND = 10,   /**< sound device on WAV files (sink and/or source) */
};

/** Number of instance types. */
#define VPLAT_INSTANCE_NTYPES 11u

/** Severity of a message given to vplat_instance_log_fn (same values as the vhost-user
 *  back end's levels). */
enum vplat_instance_log_level {
	VPLAT_INSTANCE_LOG_ERROR = 0, /**< the device or its host end failed */
	VPLAT_INSTANCE_LOG_WARN = 1,  /**< something the operator should see (watchdog pre-timeout) */
	VPLAT_INSTANCE_LOG_INFO = 2,  /**< what was opened (a pty's path, an image's size) */
	VPLAT_INSTANCE_LOG_DEBUG = 3, /**< details */
};

/**
 * Receives the instance's run-time messages ("blk: disk.img, 32768 sectors"). Called from
 * vplat_instance_create(), vplat_instance_dispatch() and vplat_instance_destroy(), never from
 * another thread.
 */
typedef void (*vplat_instance_log_fn)(void *opaque, enum vplat_instance_log_level level,
				      const char *msg);

struct vplat_rng_host_ops;
struct vplat_blk_host_ops;
struct vplat_blk_config;

/** Entropy device options. */
struct vplat_instance_rng {
	/** Entropy source (NULL: getrandom(2)); e.g. a test's mock. Borrowed. */
	const struct vplat_rng_host_ops *host;
	void *host_opaque; /**< argument of @ref host */
};

/** Block device options. */
struct vplat_instance_blk {
	const char *path;      /**< required: image file or block device */
	uint64_t create_size;  /**< non-zero: create a file of this size if @ref path is absent */
	bool read_only;        /**< offer VIRTIO_BLK_F_RO and refuse writes */
	bool direct;           /**< O_DIRECT for aligned requests */
	bool writeback;        /**< start in writeback cache mode (default writethrough) */
	uint16_t num_queues;   /**< request queues, 1..16 (0: 1) */
	uint16_t queue_size;   /**< largest queue size, 1..1024 (0: 256) */
	const char *serial;    /**< GET_ID string, at most 20 bytes (NULL: none) */
	uint32_t max_requests; /**< request slots shared by all queues (0: 128) */
	struct vplat_ratelimit_config ratelimit; /**< IOPS and bytes/s (all zero: unlimited) */
	/**
	 * A caller-supplied host end instead of an image file: an embedder's own storage, a
	 * test's in-memory disk (NULL: the image file at @ref path). With it @ref config is
	 * required and @ref path, @ref create_size, @ref read_only, @ref direct,
	 * @ref writeback, @ref num_queues and @ref queue_size are ignored (set them in
	 * @ref config); @ref serial (overrides the config's id when set), @ref max_requests and
	 * @ref ratelimit still apply. Borrowed; must outlive the instance.
	 */
	const struct vplat_blk_host_ops *host;
	void *host_opaque;                     /**< argument of @ref host */
	const struct vplat_blk_config *config; /**< with @ref host, what the device offers
						*   (copied during the call) */
	/**
	 * Image files only: serve requests asynchronously (vplat_blk_aio: io_uring when vplat
	 * was built with liburing and the kernel allows it, else a thread pool), up to
	 * @ref max_requests in flight. Completions then arrive through
	 * vplat_instance_dispatch() when vplat_instance_fds() is readable, and out of order:
	 * vplat_instance_in_order() does not hold for such an instance.
	 */
	bool async;
	bool async_threads; /**< with @ref async, always the thread pool, never io_uring */
	/**
	 * With \c async on io_uring: what cannot wait for a device (a memory file system's
	 * requests, cached buffered reads) is done at once in the serving thread instead of
	 * through io_uring (VPLAT_BLK_AIO_INLINE), and, with one queue, vplat_instance_busy_poll()
	 * sleeps in the kernel for a completion while requests wait for the device
	 * (VPLAT_BLK_AIO_WAIT). For a busy-polling server with a core of its own; vplat-device
	 * blk --busy-poll sets it.
	 */
	bool async_inline;
	/**
	 * With \c async: use io_uring only; where vplat was built without liburing or the
	 * kernel refuses io_uring, serve synchronously instead of on the thread pool (whose
	 * hand-off costs more than it saves at queue depth 1). Logged at INFO either way.
	 */
	bool async_uring_only;
	/**
	 * With \c async, one asynchronous host end per queue (its own
	 * io_uring, or thread pool, with an equal share of @ref max_requests), so that queues
	 * share nothing on the data path and one thread per queue can serve them. Each queue's
	 * completions are then polled with vplat_instance_queue_fds() and
	 * vplat_instance_queue_dispatch() on the queue's thread; vplat_instance_fds() lists
	 * none of them. Refused together with @ref ratelimit (one limiter for all queues).
	 */
	bool queue_hosts;
};

/** Host end of a console. */
enum vplat_instance_console_end {
	VPLAT_INSTANCE_CONSOLE_STDIO = 0,   /**< the process's stdin and stdout */
	VPLAT_INSTANCE_CONSOLE_PTY = 1,     /**< a pseudo-terminal (its path is logged at INFO) */
	VPLAT_INSTANCE_CONSOLE_LISTEN = 2,  /**< serve one client on a UNIX socket at the path */
	VPLAT_INSTANCE_CONSOLE_CONNECT = 3, /**< connect to a UNIX socket at the path */
	VPLAT_INSTANCE_CONSOLE_LOG = 4,     /**< append guest output to a file (no input) */
	VPLAT_INSTANCE_CONSOLE_CUSTOM = 5,  /**< a caller-supplied host end (ops table and its
					     *   argument), e.g. a test's sink */
};

struct vplat_console_host_ops;

/** A further port of a multiport console, present from the start. */
struct vplat_instance_console_port {
	uint32_t id;       /**< port number, 1 .. max_ports - 1 */
	const char *name;  /**< name the driver is told (PORT_NAME; NULL: none) */
	bool console;      /**< nominate the port as a console (CONSOLE_PORT) */
	bool closed;       /**< the host side starts closed (no PORT_OPEN until it opens) */
	enum vplat_instance_console_end end; /**< the port's host end */
	const char *path;  /**< socket or file path of LISTEN, CONNECT and LOG */
	const struct vplat_console_host_ops *host; /**< CUSTOM: the host end (borrowed) */
	void *host_opaque; /**< CUSTOM: argument of @ref host */
};

/** Console options. */
struct vplat_instance_console {
	enum vplat_instance_console_end end; /**< host end of port 0 */
	const char *path; /**< socket or file path of LISTEN, CONNECT and LOG (else ignored) */
	const struct vplat_console_host_ops *host; /**< CUSTOM: port 0's host end (borrowed;
						    *   must outlive the instance) */
	void *host_opaque;  /**< CUSTOM: argument of @ref host */
	uint32_t max_ports; /**< ports offered; above 1 offers VIRTIO_CONSOLE_F_MULTIPORT
			     *   (0: 1 + the highest id in @ref ports, or 1 without ports) */
	uint16_t cols;      /**< initial width of port 0 (0: 80) */
	uint16_t rows;      /**< initial height of port 0 (0: 25) */
	const struct vplat_instance_console_port *ports; /**< further ports (NULL: none);
							  *   needs max_ports above 1 */
	unsigned nports;    /**< entries in @ref ports */
};

/** Host end of a network device. */
enum vplat_instance_net_backend {
	VPLAT_INSTANCE_NET_TAP = 0,    /**< a Linux tap (needs CAP_NET_ADMIN) */
	VPLAT_INSTANCE_NET_SWITCH = 1, /**< a port of a vplat switch the caller owns */
	VPLAT_INSTANCE_NET_SINK = 2,   /**< transmitted frames are counted and dropped */
	VPLAT_INSTANCE_NET_CUSTOM = 3, /**< a caller-supplied host end (ops table and its
					*   argument), e.g. a test's mock */
};

struct vplat_net_host_ops;
struct vplat_net_config;

struct vplat_switch;
struct vplat_switch_port_config;

/** Network device options. */
struct vplat_instance_net {
	enum vplat_instance_net_backend backend; /**< host end */
	const char *tap;         /**< TAP: interface name to create or attach */
	struct vplat_switch *sw; /**< SWITCH: the switch (borrowed; must outlive the instance);
				  *   the caller runs it */
	const char *port_name;   /**< SWITCH: port name (NULL: "net") */
	uint64_t rate_bps;       /**< SWITCH: port rate limit in bits/s (0: unlimited) */
	uint64_t burst_bytes;    /**< SWITCH: burst of the rate limit */
	bool has_mac;            /**< offer VIRTIO_NET_F_MAC with @ref mac */
	uint8_t mac[6];          /**< MAC address if @ref has_mac */
	/** Switch backend: the port admits only @ref mac as source address (with @ref has_mac;
	 *  a switch with assigned unicast, VPLAT-FFI-016/017). */
	bool source_mac_only;
	/**
	 * SWITCH: the rest of the port's configuration (traffic classes, scheduling, weights,
	 * queue length, VLAN membership, allowed source MACs), copied during the call; NULL:
	 * the defaults. Its name is replaced by @ref port_name, its shaping by @ref rate_bps and
	 * @ref burst_bytes, and with @ref source_mac_only its allowed MACs by @ref mac.
	 */
	const struct vplat_switch_port_config *port;
	uint16_t mtu;            /**< offer VIRTIO_NET_F_MTU (68..65535; 0: not offered) */
	uint16_t queue_size;     /**< largest queue size (0: 256) */
	bool ctrl;               /**< offer a control queue (a vhost-user front end serves its
				  *   own, so the daemon leaves this false) */
	const struct vplat_net_host_ops *host; /**< CUSTOM: the host end (required then;
						*   borrowed, must outlive the instance) */
	void *host_opaque;       /**< CUSTOM: argument of @ref host */
	/** CUSTOM: what the device offers, queue pairs and link speed included (copied during
	 *  the call; NULL: one queue pair with @ref has_mac, @ref mac, @ref mtu,
	 *  @ref queue_size and @ref ctrl). */
	const struct vplat_net_config *config;
	/**
	 * Transmit rate limits of the device itself, every backend (vplat_net_set_ratelimit(),
	 * VPLAT-NET-081): ops_rate and ops_burst in frames/s, bytes_rate and bytes_burst in
	 * bytes/s of what the guest transmits (frame bytes, without the virtio header); all zero:
	 * unlimited. A frame over the limit waits at the head of its transmitq, is never dropped,
	 * and goes when vplat_instance_dispatch() is called at or after the deadline that
	 * vplat_instance_timeout_ms() reports. Separate from @ref rate_bps, the switch port's
	 * egress shaping.
	 */
	struct vplat_ratelimit_config ratelimit;
};

/** Host end of a GPIO device. */
enum vplat_instance_gpio_backend {
	VPLAT_INSTANCE_GPIO_SIM = 0,   /**< simulated lines (vplat_gpio_sim) */
	VPLAT_INSTANCE_GPIO_GPIOD = 1, /**< a GPIO chip of the host kernel through libgpiod; a
					*   vplat built without libgpiod refuses it with
					*   vplat_build_missing(VPLAT_BUILD_GPIOD) in the message */
};

/** GPIO device options: simulated lines, optionally driven through a control socket, or a
 *  host GPIO chip. */
struct vplat_instance_gpio {
	uint16_t lines;                 /**< number of lines, 1..1024 (0: 8) */
	const char *const *line_names;  /**< @ref lines names (NULL: c0l0, c0l1, ...) */
	const char *control;            /**< control socket path to listen on (NULL: none) */
	bool no_irq;   /**< do not offer VIRTIO_GPIO_F_IRQ (as a host end without input event
			*   detection): no eventq */
	bool no_names; /**< offer no line names (gpio_names_size 0); @ref line_names ignored */
	enum vplat_instance_gpio_backend backend; /**< host end (0: the simulator); with GPIOD,
						   *   @ref lines, @ref line_names, @ref control
						   *   and @ref no_irq are ignored (the chip's
						   *   lines and names are offered) */
	const char *chip; /**< GPIOD: the chip's name, number or path ("gpiochip0", "0",
			   *   "/dev/gpiochip0"); required then */
	uint16_t loop_wires; /**< simulator: N loopback wires (vplat_gpio_sim_wire()) on the
			      *   last 2N lines (2N <= @ref lines): of each pair the first line's
			      *   output drives the second's input; without @ref line_names the
			      *   pairs are named "loop-outk"/"loop-ink", the conformance suite's
			      *   convention for its interrupt tests */
};

/** An LM75 temperature sensor on an I2C instance's simulated bus. */
struct vplat_instance_i2c_lm75 {
	uint16_t addr;        /**< 7-bit address */
	int32_t millicelsius; /**< initial temperature */
};

/** An AT24-style EEPROM on an I2C instance's simulated bus. */
struct vplat_instance_i2c_eeprom {
	uint16_t addr;    /**< 7-bit address */
	uint32_t size;    /**< bytes (0: 256, a 24c02) */
	uint32_t page;    /**< page size (0: 8) */
	const char *file; /**< backing file (NULL: memory only) */
};

/** I2C adapter options: a simulated bus with the listed devices, or a Linux adapter. */
struct vplat_instance_i2c {
	const struct vplat_instance_i2c_lm75 *lm75;     /**< sensors (@ref nlm75 entries) */
	unsigned nlm75;                                 /**< entries of @ref lm75 */
	const struct vplat_instance_i2c_eeprom *eeprom; /**< EEPROMs (@ref neeprom entries) */
	unsigned neeprom;                               /**< entries of @ref eeprom */
	const char *adapter; /**< a Linux adapter ("/dev/i2c-N" or "N") instead of the simulated
			      *   bus; @ref lm75 and @ref eeprom must then be empty */
};

/** Host end of an input device. */
enum vplat_instance_input_backend {
	VPLAT_INSTANCE_INPUT_SCRIPT = 0, /**< a scripted event stream (vplat_input_script) */
	VPLAT_INSTANCE_INPUT_EVDEV = 1,  /**< a Linux evdev device, capabilities and events */
};

/** Input device options. */
struct vplat_instance_input {
	enum vplat_instance_input_backend backend; /**< host end */
	bool keyboard;        /**< SCRIPT: keyboard capabilities (vplat_input_preset_keyboard()) */
	bool touch;           /**< SCRIPT: touchscreen capabilities (vplat_input_preset_touch());
			       *   neither: both */
	uint32_t width;       /**< SCRIPT, touch: horizontal resolution (0: 1920) */
	uint32_t height;      /**< SCRIPT, touch: vertical resolution (0: 1080) */
	uint32_t slots;       /**< SCRIPT, touch: multitouch slots, 0..16 (0: single touch) */
	const char *name;     /**< SCRIPT: ID_NAME (NULL: "vplat input") */
	const char *serial;   /**< SCRIPT: ID_SERIAL (NULL: none) */
	const char *script;   /**< SCRIPT: script file (vplat/host/input_host.h; NULL: none) */
	const char *script_text; /**< SCRIPT: script text, after @ref script (NULL: none) */
	const char *evdev;    /**< EVDEV: "/dev/input/eventN" or "N" (required then) */
	bool grab;            /**< EVDEV: EVIOCGRAB the device */
};

/** vsock options (vplat/vsock.h, vplat/host/vsock_host.h). */
struct vplat_instance_vsock {
	uint64_t guest_cid;   /**< the guest's CID (3 .. 0xfffffffe); required */
	const char *uds_path; /**< hybrid socket PATH: host clients connect here, guest
			       *   connections to host port P go to PATH_P (NULL: none) */
	uint32_t max_conns;   /**< connection table size (0: 256) */
	uint32_t buf_alloc;   /**< credit per connection in bytes (0: 256 KiB) */
};

/**
 * Sound options: an output stream recorded into a WAV file and/or an input stream fed from
 * one (vplat/host/snd_host.h). With both, stream 0 is the output and stream 1 the input. The
 * output stream offers U8, S16, S32 and FLOAT at 8000..48000 Hz, 1 or 2 channels; the input
 * stream offers exactly the source file's format, rate and channels.
 */
struct vplat_instance_sound {
	const char *sink;   /**< WAV file the output stream is recorded into (NULL: no output) */
	const char *source; /**< WAV file the input stream plays (NULL: no input) */
	bool no_loop;       /**< at the end of the source: silence instead of starting over */
	/**
	 * 0: no jacks. Otherwise one jack (a line jack, connected at start) whose connection
	 * the host flips once, this many milliseconds after each time the driver sets
	 * DRIVER_OK: a scripted host-side jack change, reported on the eventq.
	 */
	uint32_t jack_flip_ms;
};

/** Host end of a CAN device. */
enum vplat_instance_can_backend {
	VPLAT_INSTANCE_CAN_SOCKETCAN = 0, /**< a SocketCAN interface (vcan or real) */
	VPLAT_INSTANCE_CAN_BUS = 1,       /**< a node on a vplat CAN bus the caller owns */
	VPLAT_INSTANCE_CAN_ECHO = 2,      /**< a private timed bus (500 kbit/s, FD data 2 Mbit/s)
					   *   with an echo node that sends every frame back */
};

struct vplat_canbus;
struct vplat_can_filter;
struct vplat_gpio_sim;

/** CAN device options. */
struct vplat_instance_can {
	enum vplat_instance_can_backend backend; /**< host end */
	const char *iface;        /**< SOCKETCAN: interface name */
	bool no_fd;               /**< SOCKETCAN: do not offer CAN FD even if the interface can */
	struct vplat_canbus *bus; /**< BUS: the bus (borrowed; must outlive the instance); the
				   *   caller runs it */
	const char *node_name;    /**< BUS: node name (NULL: "can") */
	struct vplat_ratelimit_config ratelimit; /**< BUS and ECHO: frames and bytes/s of the
						  *   device's node (zero: unlimited) */
	/** BUS: acceptance filters of the device's node (vplat_canbus_node_set_filters();
	 *  copied; NULL or 0: every frame) */
	const struct vplat_can_filter *filters;
	unsigned nfilters; /**< entries of @ref filters, at most VPLAT_CANBUS_MAX_FILTERS */
	/** BUS: identifiers the device may transmit (vplat_canbus_node_set_tx_filters(), spec
	 *  VPLAT-FFI-018; copied; NULL or 0: any) */
	const struct vplat_can_filter *tx_filters;
	unsigned ntx_filters; /**< entries of @ref tx_filters, at most VPLAT_CANBUS_MAX_FILTERS */
};

/** What a watchdog instance does on expiry, besides logging it at ERROR. */
enum vplat_instance_watchdog_action {
	VPLAT_INSTANCE_WATCHDOG_LOG = 0,     /**< log only; the next ping re-arms */
	VPLAT_INSTANCE_WATCHDOG_COMMAND = 1, /**< run @ref vplat_instance_watchdog.command with
					      *   /bin/sh -c, VPLAT_WATCHDOG_EVENT=expired set */
};

/** Watchdog options. */
struct vplat_instance_watchdog {
	enum vplat_instance_watchdog_action action; /**< expiry action */
	const char *command;     /**< COMMAND: the shell command (required then) */
	uint32_t min_timeout_ms; /**< smallest timeout a guest may set (0: the device default) */
	uint32_t max_timeout_ms; /**< largest timeout a guest may set (0: the device default) */
	bool nowayout;           /**< do not offer the disarm feature */
	bool cloud_hypervisor;   /**< offer no vplat feature (cloud-hypervisor's device exactly) */
	/** Optional: called after the action on every expiry (the daemon exits here). */
	void (*expired)(void *opaque);
	void *expired_opaque;    /**< argument of @ref expired */
};

/** What vplat_instance_create() builds. Only the member of @ref type is read. */
struct vplat_instance_options {
	enum vplat_instance_type type;       /**< device type */
	const char *base_dir;                /**< relative paths (image, sockets, logs) are
					      *   resolved against it (NULL: as given) */
	vplat_instance_log_fn log;           /**< run-time messages (NULL: none) */
	void *log_opaque;                    /**< argument of @ref log */
	struct vplat_instance_rng rng;         /**< options of VPLAT_INSTANCE_RNG */
	struct vplat_instance_blk blk;         /**< options of VPLAT_INSTANCE_BLK */
	struct vplat_instance_console console; /**< options of VPLAT_INSTANCE_CONSOLE */
	struct vplat_instance_net net;         /**< options of VPLAT_INSTANCE_NET */
	struct vplat_instance_gpio gpio;       /**< options of VPLAT_INSTANCE_GPIO */
	struct vplat_instance_can can;         /**< options of VPLAT_INSTANCE_CAN */
	struct vplat_instance_watchdog watchdog; /**< options of VPLAT_INSTANCE_WATCHDOG */
	struct vplat_instance_i2c i2c;         /**< options of VPLAT_INSTANCE_I2C */
	struct vplat_instance_input input;     /**< options of VPLAT_INSTANCE_INPUT */
	struct vplat_instance_vsock vsock;     /**< options of VPLAT_INSTANCE_VSOCK */
	struct vplat_instance_sound sound;     /**< options of VPLAT_INSTANCE_SOUND */
};

struct vplat_instance;

/**
 * Create a device and its host end.
 *
 * @param out     receives the instance (NULL on error); release with vplat_instance_destroy()
 * @param mem     guest memory the device's queues live in (borrowed; must outlive it)
 * @param opt     type and options (read during the call only; strings must outlive the
 *                instance)
 * @param err     receives a NUL-terminated message on error, naming the device type and the
 *                option or host resource at fault (may be NULL)
 * @param errlen  bytes of @p err
 * @return 0; VPLAT_EINVAL for an unknown type or backend, a missing required option or a
 *         path that is too long; VPLAT_ENOMEM; errors of the host ends (VPLAT_EIO for a
 *         file or socket that cannot be opened) and device initialisers unchanged
 */
VPLAT_API int vplat_instance_create(struct vplat_instance **out, struct vplat_mem *mem,
				    const struct vplat_instance_options *opt, char *err,
				    size_t errlen);

/**
 * Release the device and its host end (closes files and sockets, removes a console's or
 * GPIO control socket's path). Borrowed switches and buses are not touched.
 * @param in  the instance (NULL is ignored); detach it from its transport first
 */
VPLAT_API void vplat_instance_destroy(struct vplat_instance *in);

/**
 * @param in  an instance
 * @return its generic virtio device (owned by @p in)
 */
VPLAT_API struct vplat_device *vplat_instance_device(struct vplat_instance *in);

/**
 * The line simulator behind a GPIO instance, for a test bench or a VMM that drives inputs
 * and reads outputs in process (vplat_gpio_sim_get(), vplat_gpio_sim_drive()).
 * @param in  an instance
 * @return the simulator (owned by @p in), or NULL if @p in is not a GPIO instance on the
 *         simulator (VPLAT_INSTANCE_GPIO_GPIOD)
 */
VPLAT_API struct vplat_gpio_sim *vplat_instance_gpio_sim(struct vplat_instance *in);

struct vplat_i2c_sim;
struct vplat_i2c;

/**
 * The simulated bus behind an I2C instance, for a test bench or a VMM that sets a sensor's
 * temperature or inspects an EEPROM in process (vplat/host/i2c_host.h).
 * @param in  an instance
 * @return the bus (owned by @p in), or NULL if @p in is not an I2C instance on the simulated
 *         bus
 */
VPLAT_API struct vplat_i2c_sim *vplat_instance_i2c_sim(struct vplat_instance *in);

struct vplat_input_script;
struct vplat_input;

/**
 * The scripted host end behind an input instance (its round-trip figures), or its device, for
 * a test bench or a VMM that sends events in process (vplat_input_send()).
 * @param in  an instance
 * @return the script end (owned by @p in), or NULL if @p in is not a scripted input instance
 */
VPLAT_API struct vplat_input_script *vplat_instance_input_script(struct vplat_instance *in);

/**
 * @param in  an instance
 * @return its input device (owned by @p in), or NULL if @p in is not an input instance
 */
VPLAT_API struct vplat_input *vplat_instance_input(struct vplat_instance *in);

/**
 * The host-end fds of queue @p queue of a block instance created with
 * vplat_instance_blk.queue_hosts (its completion eventfd); none for any other instance.
 *
 * @param in     an instance
 * @param queue  queue index
 * @param fds    storage for up to @p max fds
 * @param max    capacity of @p fds
 * @return fds written
 */
VPLAT_API unsigned vplat_instance_queue_fds(struct vplat_instance *in, uint16_t queue, int *fds,
					    unsigned max);

/**
 * Poll the completions of queue @p queue's own host end (vplat_instance_blk.queue_hosts),
 * on the thread that processes the queue. No-op for other instances.
 *
 * @param in     an instance
 * @param queue  queue index
 */
VPLAT_API void vplat_instance_queue_dispatch(struct vplat_instance *in, uint16_t queue);
struct vplat_vsock_host;

/**
 * The host end behind a vsock instance, to join it to a fabric (vplat_vsock_fabric_join()).
 * @param in  an instance
 * @return the host end (owned by @p in), or NULL if @p in is not a vsock instance
 */
VPLAT_API struct vplat_vsock_host *vplat_instance_vsock_host(struct vplat_instance *in);

/**
 * @param in  an instance
 * @return its type
 */
VPLAT_API enum vplat_instance_type vplat_instance_get_type(const struct vplat_instance *in);

/**
 * Host-end file descriptors to poll for input (console, GPIO control sockets, tap,
 * SocketCAN). The set may change after each vplat_instance_dispatch(): ask again every turn.
 * @param in   an instance
 * @param fds  destination
 * @param max  capacity of @p fds
 * @return descriptors stored
 */
VPLAT_API unsigned vplat_instance_fds(const struct vplat_instance *in, int *fds, unsigned max);

/**
 * @param in  an instance
 * @return the longest the caller may wait before vplat_instance_dispatch() is due, in ms
 *         (a watchdog deadline, a private CAN bus, a throttled block queue or network
 *         transmitq); 0 while a dispatch budget left work on a ring
 *         (vplat_device_has_more()); -1: no limit
 */
VPLAT_API int vplat_instance_timeout_ms(const struct vplat_instance *in);

/**
 * Serve the host end once without blocking: read input, deliver it to the device, run a due
 * watchdog tick or a private bus, resume throttled or waiting queues, and give each queue a
 * kick left with work one more dispatch budget (vplat_device_dispatch()). Call after poll()
 * returns (for any reason); extra calls are harmless.
 * @param in  an instance
 * @return 0, or VPLAT_EINVAL for NULL
 */
VPLAT_API int vplat_instance_dispatch(struct vplat_instance *in);

/**
 * Busy polling: the part of vplat_instance_dispatch() that a loop polling the rings on a
 * dedicated core wants on every pass, without a system call while there is nothing to do.
 * Today that is a block device's asynchronous completions (vplat_blk_aio_reap(), the one end
 * of an instance without per-queue ends); every other type returns 0 at once.
 * vplat_instance_dispatch() is still due whenever poll(2) reports one of
 * vplat_instance_fds() (or once per round of passes), and before sleeping.
 * @param in  an instance (NULL: 0)
 * @return requests completed (0: nothing new)
 */
VPLAT_API unsigned vplat_instance_busy_poll(struct vplat_instance *in);

/**
 * @param t  a type
 * @return true if the device completes requests in the order it takes them (what
 *         vplat_vhu_backend_params.completes_in_order wants)
 */
VPLAT_API bool vplat_instance_in_order(enum vplat_instance_type t);

/**
 * @param t  a type
 * @return its short name ("blk", "watchdog"), or "?"
 */
VPLAT_API const char *vplat_instance_type_name(enum vplat_instance_type t);

/**
 * @param name  a short name as vplat_instance_type_name() returns
 * @return the type, or VPLAT_EINVAL for an unknown name
 */
VPLAT_API int vplat_instance_type_from_name(const char *name);

/**
 * Parse a further console port from its text form, `ID:NAME:END`, the form the tools take
 * (`vplat-device console --port`, `vplat-xen --dev console,port=`) and a platform
 * description's `ports` property: @p ID is the port number (decimal, 1 .. 2^31 - 1; the
 * console's max_ports must exceed it), @p NAME the name the driver is told (PORT_NAME; empty:
 * none; no ':'), @p END the port's host end: `pty`, `log=PATH`, `listen=PATH` or
 * `connect=PATH` (PATH may contain ':'). A port is never a console (CONSOLE_PORT is port 0's).
 *
 * @param spec    the text; modified in place: @p p's strings point into it afterwards
 * @param p       filled on success (other fields zero)
 * @param err     receives a message naming what is wrong (may be NULL)
 * @param errlen  size of @p err
 * @return 0, or VPLAT_EINVAL for a malformed text
 */
VPLAT_API int vplat_instance_console_port_parse(char *spec, struct vplat_instance_console_port *p,
						char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_PLATFORM_INSTANCE_H */
