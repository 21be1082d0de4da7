/* SPDX-License-Identifier: BSD-3-Clause */
/* Console device internals shared by console.c and console_ctrl.c. Freestanding. */
#ifndef VPLAT_CONSOLE_INTERNAL_H
#define VPLAT_CONSOLE_INTERNAL_H

#include <stddef.h>
#include "vplat/console.h"

/* Queue a control message for the driver and deliver what the control receiveq can take. */
int vplat_console_ctrl_send(struct vplat_console *con, uint32_t id, uint16_t event,
			    uint16_t value, const void *payload, uint32_t len);

/* Deliver pending control messages into the driver's control receive buffers. */
void vplat_console_ctrl_flush(struct vplat_console *con);

/* Serve the control transmitq (driver to device messages). */
void vplat_console_ctrl_process(struct vplat_console *con);

/* Act on one driver control message of @p len bytes (fuzzed directly). */
void vplat_console_ctrl_handle(struct vplat_console *con, const uint8_t *msg, size_t len);

/* Announce port @p id to a ready driver (DEVICE_ADD). */
int vplat_console_announce(struct vplat_console *con, uint32_t id);

/* MULTIPORT negotiated? */
bool vplat_console_multiport(const struct vplat_console *con);

#endif
