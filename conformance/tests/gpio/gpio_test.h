/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the GPIO device tests (spec/14-gpio.md). Everything goes through the driver.
 *
 * Interrupt tests need a way to change an input line from the driver side. They look for the
 * loopback-wire convention of the loopback PAL (conformance/pal/loopback/pal_loopback.c): a
 * line named "loop-outN" whose driven output level appears, after a short while, on the line
 * named "loop-inN" (0 while loop-outN is not an output). A platform without such lines makes
 * those tests SKIP; a platform that wires two of its lines this way and names them so gets
 * them run.
 */
#ifndef VPLAT_CONFORM_GPIOT_H
#define VPLAT_CONFORM_GPIOT_H

#include <stddef.h>
#include "../common/devreq.h"
#include "vplat/spec/virtio_gpio.h"
#include "vplat/val/val.h"
#include "vplat/val/conform.h"

#define GF_IRQ      VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ)
#define G_NAMES     VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES
#define G_GET_DIR   VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION
#define G_SET_DIR   VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION
#define G_GET_VAL   VPLAT_VIRTIO_GPIO_MSG_GET_VALUE
#define G_SET_VAL   VPLAT_VIRTIO_GPIO_MSG_SET_VALUE
#define G_SET_IRQ   VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE
#define G_OK        VPLAT_VIRTIO_GPIO_STATUS_OK
#define G_ERR       VPLAT_VIRTIO_GPIO_STATUS_ERR
#define D_NONE      VPLAT_VIRTIO_GPIO_DIRECTION_NONE
#define D_OUT       VPLAT_VIRTIO_GPIO_DIRECTION_OUT
#define D_IN        VPLAT_VIRTIO_GPIO_DIRECTION_IN
#define I_NONE      VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE
#define I_RISE      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING
#define I_FALL      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING
#define I_BOTH      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH
#define I_HIGH      VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH
#define I_LOW       VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW
#define IRQ_VALID   VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID
#define IRQ_INVALID VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID
#define GCFG(fld)   ((uint32_t)offsetof(struct vplat_virtio_gpio_config, fld))

/* Byte the helpers pre-set in every writable buffer, to see what the device wrote. */
#define G_UNTOUCHED 0x5a
/* How long a test waits for an eventq buffer that should come back, and for one that should not. */
#define G_EV_MS    1000u
#define G_QUIET_MS 50u

/* The driver's view of a GPIO device brought up for a test. */
struct gdev {
	struct vplat_val_vq *rq; /* requestq */
	struct vplat_val_vq *eq; /* eventq, or NULL without VIRTIO_GPIO_F_IRQ */
	uint16_t ngpio;
};

/* One response: status, value, used length. */
struct grsp {
	uint8_t status, value;
	uint32_t used;
};

/* Reset and bring the device up, with the eventq when @p irq (SKIP if F_IRQ is not offered). */
enum vplat_result gpio_up(struct vplat_test_ctx *t, bool irq, struct gdev *g);

/* One requestq message; @p r gets what the device wrote (pre-set bytes G_UNTOUCHED). 0 or a
 * ring error. */
int gpio_rq(struct vplat_test_ctx *t, struct gdev *g, uint16_t type, uint16_t line, uint32_t value,
	    struct grsp *r);

/* The message must succeed: returns its value, or -1 on any failure (ring or status). */
int gpio_ok(struct vplat_test_ctx *t, struct gdev *g, uint16_t type, uint16_t line, uint32_t value);

/* GET_LINE_NAMES into a fresh buffer of @p cap bytes (status at [0]); used length in @p used. */
uint8_t *gpio_names(struct vplat_test_ctx *t, struct gdev *g, uint32_t cap, uint32_t *used);

/* Line named @p name, or -1 (no names, or no such line). */
int gpio_find(struct vplat_test_ctx *t, struct gdev *g, const char *name);

/* Loopback wire @p n: its loop-out and loop-in lines; false if the platform has none. */
bool gpio_loop(struct vplat_test_ctx *t, struct gdev *g, unsigned n, uint16_t *out, uint16_t *in);

/* Drive loop-out @p out to @p level (making it an output) and wait until loop-in @p in reads
 * it. false on any failure or if the wire never settles. */
bool gpio_wire(struct vplat_test_ctx *t, struct gdev *g, uint16_t out, uint16_t in, uint8_t level);

/* An eventq buffer pair: 2 readable bytes (line), 1 writable byte (status, pre-set). */
struct gev {
	uint8_t *req;
	uint8_t *rsp;
};

/* Queue an eventq pair for @p line and kick. 0 or an add error. */
int gpio_unmask(struct vplat_test_ctx *t, struct gdev *g, uint16_t line, struct gev *ev);

/* Wait up to @p ms for the next eventq buffer; true if one came back (token and used length
 * stored). */
bool gpio_ev_wait(struct vplat_test_ctx *t, struct gdev *g, unsigned ms, void **tok, uint32_t *len);

/* Give a wire level change or an interrupt time to propagate: poll for @p ms. */
void gpio_settle(struct vplat_test_ctx *t, unsigned ms);

/* Skip unless the device has a loopback wire @p n (in the caller). */
#define GPIO_NEED_LOOP(T, G, N, OUT, IN)                                                           \
	do {                                                                                       \
		if (!gpio_loop(T, G, N, OUT, IN))                                                  \
			return vplat_t_skip(T,                                                     \
					    "no lines named loop-out%u/loop-in%u (the loopback "   \
					    "wire convention); input changes cannot be made from " \
					    "the driver",                                          \
					    (unsigned)(N), (unsigned)(N));                         \
	} while (0)

#endif
