/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file vplat/spec/virtio_console.h
 * Console device (virtio device ID 3): feature bits, configuration layout and multiport
 * control messages.
 *
 * Written from the virtio 1.4 specification, device-types/console/description.tex ("Console
 * Device"): "Feature bits", "Device configuration layout" and "Multiport Device Operation".
 * All multi-byte fields are little-endian (legacy: guest-endian).
 *
 * Queues: 0/1 are port 0 receiveq/transmitq; with VPLAT_VIRTIO_CONSOLE_F_MULTIPORT, 2/3 are
 * the control receiveq/transmitq and port n >= 1 uses 2n+2 (receiveq) and 2n+3 (transmitq).
 *
 * The order of `cols` and `rows` is contested: the spec (1.4 master) has cols then rows in
 * both the config and the RESIZE payload, while Linux has read the RESIZE payload as rows then
 * cols since 2010. These structs follow the spec text; test both orders against real drivers.
 */
#ifndef VPLAT_SPEC_VIRTIO_CONSOLE_H
#define VPLAT_SPEC_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include "vplat/spec/types.h"

/** @name Feature bit numbers (sec: Console Device / Feature bits)
 * @{ */
#define VPLAT_VIRTIO_CONSOLE_F_SIZE        0 /**< `cols` and `rows` are valid */
#define VPLAT_VIRTIO_CONSOLE_F_MULTIPORT   1 /**< several ports, control queues, `max_nr_ports` */
#define VPLAT_VIRTIO_CONSOLE_F_EMERG_WRITE 2 /**< `emerg_wr` is supported */
/** @} */

/** @name Queue indices
 * @{ */
#define VPLAT_VIRTIO_CONSOLE_CTRL_RXQ 2 /**< control receiveq (F_MULTIPORT) */
#define VPLAT_VIRTIO_CONSOLE_CTRL_TXQ 3 /**< control transmitq (F_MULTIPORT) */
/** receiveq index of port @p n. */
#define VPLAT_VIRTIO_CONSOLE_PORT_RXQ(n) ((n) == 0 ? 0u : 2u * (unsigned)(n) + 2u)
/** transmitq index of port @p n. */
#define VPLAT_VIRTIO_CONSOLE_PORT_TXQ(n) ((n) == 0 ? 1u : 2u * (unsigned)(n) + 3u)
/** @} */

/** Device configuration layout (sec: Console Device / Device configuration layout). */
struct vplat_virtio_console_config {
	vplat_le16 cols;         /**< console width (F_SIZE) */
	vplat_le16 rows;         /**< console height (F_SIZE) */
	vplat_le32 max_nr_ports; /**< most ports the device supports (F_MULTIPORT) */
	vplat_le32 emerg_wr;     /**< early output char (F_EMERG_WRITE) */
};

/** Control message on the control queues (sec: Multiport Device Operation). */
struct vplat_virtio_console_control {
	vplat_le32 id;    /**< port number */
	vplat_le16 event; /**< VPLAT_VIRTIO_CONSOLE_* event */
	vplat_le16 value; /**< extra information for the event */
};

/** @name Control events, vplat_virtio_console_control::event
 * @{ */
#define VPLAT_VIRTIO_CONSOLE_DEVICE_READY  0 /**< driver: ready (value 1) or failed (value 0) */
#define VPLAT_VIRTIO_CONSOLE_DEVICE_ADD    1 /**< device: port `id` added (Linux: PORT_ADD) */
#define VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE 2 /**< device: port `id` removed (Linux: PORT_REMOVE) */
#define VPLAT_VIRTIO_CONSOLE_PORT_READY    3 /**< driver: port ready 1 / failed 0 */
#define VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT  4 /**< device: port is a console */
#define VPLAT_VIRTIO_CONSOLE_RESIZE        5 /**< device: console_resize follows */
#define VPLAT_VIRTIO_CONSOLE_PORT_OPEN     6 /**< both: port closed (value 0) or open (value 1) */
#define VPLAT_VIRTIO_CONSOLE_PORT_NAME     7 /**< device: UTF-8 name follows, no NUL */
/** @} */

/** Payload after a VPLAT_VIRTIO_CONSOLE_RESIZE control message (order contested, see top). */
struct vplat_virtio_console_resize {
	vplat_le16 cols; /**< new width */
	vplat_le16 rows; /**< new height */
};

/** @cond */
_Static_assert(sizeof(struct vplat_virtio_console_config) == 12, "console config is 12 bytes");
_Static_assert(offsetof(struct vplat_virtio_console_config, max_nr_ports) == 4, "max_nr_ports");
_Static_assert(offsetof(struct vplat_virtio_console_config, emerg_wr) == 8, "emerg_wr at 8");
_Static_assert(sizeof(struct vplat_virtio_console_control) == 8, "control message is 8 bytes");
_Static_assert(offsetof(struct vplat_virtio_console_control, event) == 4, "event at 4");
_Static_assert(offsetof(struct vplat_virtio_console_control, value) == 6, "value at 6");
_Static_assert(sizeof(struct vplat_virtio_console_resize) == 4, "resize payload is 4 bytes");
/** @endcond */

#endif /* VPLAT_SPEC_VIRTIO_CONSOLE_H */
