/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/console.h
 * Console device (virtio-console, device ID 3; sec: Device Types / Console Device).
 *
 * Port 0 always exists. With VIRTIO_CONSOLE_F_MULTIPORT (offered when
 * vplat_console_config.max_ports > 1) more ports can be added and removed at run time; the
 * control queues carry DEVICE_READY, DEVICE_ADD/REMOVE, PORT_READY, CONSOLE_PORT, RESIZE,
 * PORT_OPEN and PORT_NAME. VIRTIO_CONSOLE_F_SIZE (`cols`/`rows` of port 0) and
 * VIRTIO_CONSOLE_F_EMERG_WRITE are offered; a write to `emerg_wr` is accepted even before the
 * driver has configured the device (devicenormative:Device Types / Console Device / Device
 * Initialization).
 *
 * RESIZE payload order: the spec says `{cols, rows}`; Linux reads `{rows, cols}` (since 2010;
 * a 6.15 change to the spec order was reverted for 6.17). vplat defaults to what Linux
 * expects (VPLAT_CONSOLE_RESIZE_LINUX); VPLAT_CONSOLE_RESIZE_SPEC sends the spec order. The
 * config space keeps `cols` then `rows` (both Linux's UAPI and the spec's master text).
 *
 * Each port has its own host end (a struct vplat_console_host_ops): pty, UNIX socket, stdio or
 * a log file in lib/host (vplat/console_fd.h), or the embedder's own. Back-pressure, with no
 * byte lost:
 * - guest output: the host end's write() may take fewer bytes than offered (0 when it would
 *   block). The rest of the buffer stays with the device, the transmit queue is not drained
 *   further, and the host end calls vplat_console_resume() when it can take more.
 * - guest input: vplat_console_input() copies into the receive buffers the driver posted and
 *   returns how much it took; the host end keeps the rest and retries after its rx_ready()
 *   callback says new buffers are there.
 *
 * Freestanding. Thread rules: one thread at a time per console device (all its queues, its
 * host ends' callbacks and every vplat_console_* call).
 */
#ifndef VPLAT_CONSOLE_H
#define VPLAT_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include "vplat/device.h"
#include "vplat/export.h"
#include "vplat/spec/virtio_console.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most ports a device can have (port 0 included). */
#define VPLAT_CONSOLE_MAX_PORTS 16u
/** Segments of one transmit or receive buffer the device handles (more: the rest is skipped). */
#define VPLAT_CONSOLE_SEGS 16u
/** Longest port name, in bytes. */
#define VPLAT_CONSOLE_NAME_MAX 64u
/** Control messages to the driver that can wait for a control receive buffer. */
#define VPLAT_CONSOLE_CTRL_PENDING 64u

/** Byte order of the RESIZE control payload. */
enum vplat_console_resize_order {
	VPLAT_CONSOLE_RESIZE_LINUX = 0, /**< le16 rows, then le16 cols: what Linux drivers read */
	VPLAT_CONSOLE_RESIZE_SPEC = 1,  /**< le16 cols, then le16 rows: the spec's struct */
};

/** Host end of one port. Tables are `static const`. */
struct vplat_console_host_ops {
	/**
	 * Required. Guest output for port @p port.
	 * @return bytes taken (0..len; 0: would block, call vplat_console_resume() later), or a
	 *         negative VPLAT_E* when the output cannot go anywhere (the bytes are dropped
	 *         and counted)
	 */
	int32_t (*write)(void *host, uint32_t port, const uint8_t *buf, uint32_t len);
	/** Optional. The driver posted receive buffers on @p port: input can go in now. */
	void (*rx_ready)(void *host, uint32_t port);
	/** Optional. The guest opened (true) or closed (false) @p port (PORT_OPEN). */
	void (*guest_open)(void *host, uint32_t port, bool open);
	/** Optional. A byte written to `emerg_wr` (port 0's end only). NULL: write() is used. */
	void (*emerg)(void *host, uint8_t ch);
};

/** What the device offers. */
struct vplat_console_config {
	uint32_t max_ports; /**< 1 (single port) .. VPLAT_CONSOLE_MAX_PORTS; >1 offers MULTIPORT */
	uint16_t cols;      /**< initial width of port 0 (F_SIZE) */
	uint16_t rows;      /**< initial height of port 0 (F_SIZE) */
	uint16_t queue_size; /**< largest queue size (default 128) */
	enum vplat_console_resize_order resize_order; /**< RESIZE payload order */
	bool no_size;       /**< do not offer F_SIZE */
	bool no_emerg;      /**< do not offer F_EMERG_WRITE */
};

/** Counters of a console device. */
struct vplat_console_stats {
	uint64_t tx_bytes;     /**< guest output bytes taken by host ends */
	uint64_t rx_bytes;     /**< input bytes delivered to the guest */
	uint64_t dropped;      /**< output bytes a failing host end could not take */
	uint64_t emerg;        /**< emerg_wr writes */
	uint64_t ctrl_in;      /**< control messages from the driver handled */
	uint64_t ctrl_bad;     /**< control messages from the driver ignored as malformed */
	uint64_t ctrl_out;     /**< control messages delivered to the driver */
};

/** Per-port state. Private. */
struct vplat_console_port {
	const struct vplat_console_host_ops *host; /**< host end, NULL: port does not exist */
	void *host_opaque;                        /**< argument for the host end */
	char name[VPLAT_CONSOLE_NAME_MAX];        /**< PORT_NAME, not NUL-terminated if full */
	uint8_t name_len;                         /**< bytes in @ref name (0: no name) */
	bool console;                             /**< announce with CONSOLE_PORT */
	bool announced;                           /**< DEVICE_ADD sent */
	bool guest_ready;                         /**< PORT_READY 1 received */
	bool guest_failed;                        /**< PORT_READY 0 received: queues unused */
	bool guest_open;                          /**< guest has the port open */
	bool host_open;                           /**< host side connected */
	uint16_t cols;                            /**< last width sent */
	uint16_t rows;                            /**< last height sent */
	bool tx_active;                           /**< @ref tx holds a buffer in progress */
	uint64_t tx_off;                          /**< bytes of @ref tx already taken */
	struct vplat_chain tx;                    /**< transmit buffer in progress */
	struct vplat_iov tx_iov[VPLAT_CONSOLE_SEGS]; /**< its segments */
};

/** A control message waiting for a control receive buffer. Private. */
struct vplat_console_msg {
	struct vplat_virtio_console_control hdr; /**< id, event, value */
	uint8_t payload[VPLAT_CONSOLE_NAME_MAX]; /**< name or resize */
	uint8_t len;                             /**< payload bytes */
};

/** A console device. Caller-allocated; fields are private. */
struct vplat_console {
	struct vplat_device dev;                               /**< the virtio device */
	struct vplat_vq vqs[2 * VPLAT_CONSOLE_MAX_PORTS + 2]; /**< data and control queues */
	struct vplat_virtio_console_config config;            /**< config space */
	struct vplat_console_config cfg;                      /**< configuration as given */
	struct vplat_console_port port[VPLAT_CONSOLE_MAX_PORTS]; /**< ports */
	struct vplat_console_msg pending[VPLAT_CONSOLE_CTRL_PENDING]; /**< control messages out */
	uint32_t pend_head;                                   /**< oldest pending message */
	uint32_t npend;                                       /**< pending messages */
	bool ready;                                           /**< DEVICE_READY 1 received */
	bool failed;                                          /**< DEVICE_READY 0: silent until reset */
	struct vplat_console_stats stats;                     /**< counters */
};

/**
 * Initialise a console device with port 0 bound to @p host.
 * @param con          caller storage
 * @param mem          guest memory map
 * @param cfg          what to offer (copied)
 * @param host         port 0's host end (static const)
 * @param host_opaque  passed to it
 * @return 0 or VPLAT_EINVAL
 */
VPLAT_API int vplat_console_init(struct vplat_console *con, struct vplat_mem *mem,
				 const struct vplat_console_config *cfg,
				 const struct vplat_console_host_ops *host, void *host_opaque);

/** @return the generic device, to bind to a transport. */
VPLAT_API struct vplat_device *vplat_console_device(struct vplat_console *con);

/**
 * Add port @p id at run time (hot plug). If the driver is ready the device sends DEVICE_ADD;
 * after the driver's PORT_READY it sends CONSOLE_PORT (if @p console), PORT_NAME (if @p name)
 * and PORT_OPEN (if the host side is open).
 * @param con      the device
 * @param id       1 .. max_ports - 1
 * @param name     UTF-8 name, at most VPLAT_CONSOLE_NAME_MAX bytes, or NULL
 * @param console  nominate the port as a console
 * @param host     the port's host end (static const)
 * @param host_opaque  passed to it
 * @return 0; VPLAT_ERANGE if @p id >= max_ports (devicenormative: Multiport Device Operation:
 *         no port >= max_nr_ports); VPLAT_EEXIST if the port exists; VPLAT_EINVAL for a
 *         bad name or host end; VPLAT_ENOSPC if the control message cannot be queued
 */
VPLAT_API int vplat_console_port_add(struct vplat_console *con, uint32_t id, const char *name,
				     bool console, const struct vplat_console_host_ops *host,
				     void *host_opaque);

/**
 * Remove port @p id at run time (hot unplug); DEVICE_REMOVE is sent only for a port the
 * driver was told about. A transmit buffer in progress is returned to the driver.
 * @return 0; VPLAT_ENOENT if the port does not exist; VPLAT_EPERM for port 0;
 *         VPLAT_ENOSPC if the control message cannot be queued
 */
VPLAT_API int vplat_console_port_remove(struct vplat_console *con, uint32_t id);

/**
 * The host side of port @p id connected (true) or went away (false): PORT_OPEN to the guest
 * once the port is ready.
 * @return 0, VPLAT_ENOENT or VPLAT_ENOSPC
 */
VPLAT_API int vplat_console_port_set_open(struct vplat_console *con, uint32_t id, bool open);

/**
 * @return true if the guest has port @p id open (PORT_OPEN 1, or port 0 without MULTIPORT
 *         once the device is live)
 */
VPLAT_API bool vplat_console_port_guest_open(const struct vplat_console *con, uint32_t id);

/**
 * New console size for port @p id: port 0 updates `cols`/`rows` with a configuration change
 * notification (F_SIZE); with MULTIPORT a RESIZE control message is sent too, in the
 * configured payload order.
 * @return 0, VPLAT_ENOENT or VPLAT_ENOSPC
 */
VPLAT_API int vplat_console_resize(struct vplat_console *con, uint32_t id, uint16_t cols,
				   uint16_t rows);

/**
 * Deliver input to port @p id: copies into the driver's receive buffers.
 * @return bytes taken (0 when no buffer is posted: keep them and retry after rx_ready()),
 *         or VPLAT_ENOENT if the port does not exist
 */
VPLAT_API int32_t vplat_console_input(struct vplat_console *con, uint32_t id, const uint8_t *data,
				      uint32_t len);

/** The host end of port @p id can take output again: continue its transmit queue. */
VPLAT_API void vplat_console_resume(struct vplat_console *con, uint32_t id);

/** @return the device's counters. */
VPLAT_API const struct vplat_console_stats *vplat_console_stats(const struct vplat_console *con);

/** Capacity of the in-memory host end's output buffer. */
#define VPLAT_CONSOLE_MEM_BUF 4096u

/** In-memory host end for tests: collects output, with a room limit to test back-pressure. */
struct vplat_console_mem {
	uint8_t out[VPLAT_CONSOLE_MEM_BUF]; /**< output collected */
	uint32_t len;                       /**< bytes in @ref out */
	uint32_t room;                      /**< bytes it will take before saying "would block" */
	bool fail;                          /**< write() fails with VPLAT_EIO */
	uint32_t rx_ready;                  /**< rx_ready() calls */
	int open_events;                    /**< guest_open() calls */
	bool guest_open;                    /**< last guest_open() value */
	uint8_t emerg[64];                  /**< emerg_wr bytes */
	uint32_t nemerg;                    /**< bytes in @ref emerg */
};

/** In-memory host end; the host argument is a struct vplat_console_mem. Freestanding. */
VPLAT_API extern const struct vplat_console_host_ops vplat_console_host_mem;

#ifdef __cplusplus
}
#endif

#endif /* VPLAT_CONSOLE_H */
