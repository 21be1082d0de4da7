/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the console device tests (spec/12-console.md). */
#ifndef VPLAT_CONFORM_CONT_H
#define VPLAT_CONFORM_CONT_H

#include <stddef.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_console.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define CF(b)     VPLAT_BIT(VPLAT_VIRTIO_CONSOLE_F_##b)
#define COFF(fld) ((uint32_t)offsetof(struct vplat_virtio_console_config, fld))
#define E_READY   VPLAT_VIRTIO_CONSOLE_DEVICE_READY
#define E_ADD     VPLAT_VIRTIO_CONSOLE_DEVICE_ADD
#define E_REMOVE  VPLAT_VIRTIO_CONSOLE_DEVICE_REMOVE
#define E_PREADY  VPLAT_VIRTIO_CONSOLE_PORT_READY
#define E_CONSOLE VPLAT_VIRTIO_CONSOLE_CONSOLE_PORT
#define E_RESIZE  VPLAT_VIRTIO_CONSOLE_RESIZE
#define E_OPEN    VPLAT_VIRTIO_CONSOLE_PORT_OPEN
#define E_NAME    VPLAT_VIRTIO_CONSOLE_PORT_NAME

/* How long the control receiveq must stay quiet before a test takes the messages as complete. */
#define CON_QUIET_MS 100

/* A control message the device sent (or a buffer it returned with @ref used < 8). */
struct cmsg {
	uint32_t id;
	uint16_t event, value;
	uint32_t used;        /* used length of the buffer */
	uint8_t payload[256]; /* used - 8 bytes (up to 256) */
};

/* A multiport driver: control queues, and the transmitq of ports 0 and 1. */
struct con {
	struct vplat_val_vq *cin, *cout, *tx0, *tx1;
	uint32_t buflen; /* size of the control receive buffers re-posted */
	uint16_t max_ports;
};

/*
 * Skip unless MULTIPORT is offered; negotiate MULTIPORT (| @p extra), set up the control
 * queues and the transmitqs of ports 0 and 1, post @p nbufs control receive buffers of
 * @p buflen bytes, set DRIVER_OK. No DEVICE_READY is sent.
 */
enum vplat_result con_up(struct vplat_test_ctx *t, struct con *c, uint64_t extra, uint32_t buflen,
			 unsigned nbufs);

/* Post one more control receive buffer of @p len bytes. 0 or a vq_add error. */
int con_post(struct vplat_test_ctx *t, struct con *c, uint32_t len);

/* Send one control message (8 bytes, or @p len bytes of it if less) and wait until it is used. */
int con_send(struct vplat_test_ctx *t, struct con *c, uint32_t id, uint16_t event, uint16_t value,
	     uint32_t len);

/*
 * Collect the control messages the device sends until none comes for @p quiet_ms, at most
 * @p max of them; each buffer is re-posted with c->buflen bytes (none if c->buflen is 0).
 */
unsigned con_collect(struct vplat_test_ctx *t, struct con *c, struct cmsg *out, unsigned max,
		     unsigned quiet_ms);

/* DEVICE_READY 1, then collect the DEVICE_ADDs; returns how many messages came. */
unsigned con_ready(struct vplat_test_ctx *t, struct con *c, struct cmsg *out, unsigned max);

#endif
