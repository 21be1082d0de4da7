/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GPIO device (sec: Device Types / GPIO Device), driven as a guest would through the loopback
 * backend over virtio-mmio (_i bit 0 = 0) and virtio-pci (bit 0 = 1), split (bit 1 = 0) and
 * packed (bit 1 = 1) rings, against the simulator host end toggling inputs.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "testutil.h"
#include "vplat/gpio.h"
#include "vplat/vplat.h"
#include "vplat/host/gpio_host.h"
#include "vplat/val/val.h"
#include "vplat/val/loopback.h"

#define NLINES 8

struct rig {
	struct vplat_loopback lb;
	struct vplat_gpio g;
	struct vplat_gpio_line lines[NLINES];
	struct vplat_gpio_sim *sim;
	uint8_t names[256];
	uint32_t names_size;
	struct vplat_val_dev d;
	struct vplat_val_vq rq, eq;
};

static void sink(void *opaque, uint16_t line, uint8_t level)
{
	vplat_gpio_input_event(opaque, line, level);
}

/* Extra driver features for the next rig_up() (reset after use). */
static uint64_t rig_extra;
/* Request queue size for the next rig_up() (0: 16; reset after use). */
static uint16_t rig_rq_size;

static void rig_up(struct rig *r, int variant, bool irq)
{
	memset(r, 0, sizeof(*r));
	enum vplat_loopback_transport kind = (variant & 1) ? VPLAT_LOOPBACK_PCI : VPLAT_LOOPBACK_MMIO;
	ck_assert_int_eq(vplat_loopback_init(&r->lb, kind, 1u << 20), 0);
	r->sim = vplat_gpio_sim_new(2, NLINES);
	ck_assert_ptr_nonnull(r->sim);
	vplat_gpio_sim_set_name(r->sim, 0, 0, "MMC-CD");
	vplat_gpio_sim_set_name(r->sim, 0, 1, "");
	vplat_gpio_sim_set_name(r->sim, 0, 5, "Red LED Vdd");
	ck_assert_int_eq(vplat_gpio_names_pack(vplat_gpio_sim_names(r->sim, 0), NLINES, r->names,
					       sizeof(r->names), &r->names_size),
			 0);
	ck_assert_int_eq(vplat_gpio_init(&r->g, vplat_loopback_mem(&r->lb), r->lines, NLINES,
					 r->names, r->names_size, &vplat_gpio_host_sim,
					 vplat_gpio_sim_chip(r->sim, 0)),
			 0);
	vplat_gpio_sim_set_sink(r->sim, 0, sink, &r->g);
	ck_assert_int_eq(vplat_loopback_attach(&r->lb, vplat_gpio_device(&r->g)), 0);
	ck_assert_int_eq(vplat_loopback_val_init(&r->lb, &r->d), 0);
	uint64_t want = VPLAT_BIT(VPLAT_VIRTIO_F_VERSION_1) | VPLAT_BIT(VPLAT_VIRTIO_F_IN_ORDER) |
			rig_extra;
	rig_extra = 0;
	if (irq)
		want |= VPLAT_BIT(VPLAT_VIRTIO_GPIO_F_IRQ);
	if (variant & 2)
		want |= VPLAT_BIT(VPLAT_VIRTIO_F_RING_PACKED);
	ck_assert_int_eq(vplat_val_negotiate(&r->d, want), 0);
	/* eventq returns buffers out of order: IN_ORDER must not be offered */
	ck_assert(!vplat_val_has_feature(&r->d, VPLAT_VIRTIO_F_IN_ORDER));
	ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->rq, 0, rig_rq_size ? rig_rq_size : 16), 0);
	rig_rq_size = 0;
	if (irq)
		ck_assert_int_eq(vplat_val_vq_setup(&r->d, &r->eq, 1, 16), 0);
	ck_assert_int_eq(vplat_val_driver_ok(&r->d), 0);
}

static void rig_down(struct rig *r)
{
	ck_assert_uint_eq(r->lb.access_errors, 0);
	ck_assert_int_eq(r->rq.error, 0);
	ck_assert_int_eq(r->eq.error, 0);
	vplat_val_vq_fini(&r->rq);
	vplat_val_vq_fini(&r->eq);
	vplat_gpio_fini(&r->g);
	vplat_loopback_fini(&r->lb);
	vplat_gpio_sim_free(r->sim);
}

static void *dma(struct rig *r, uint32_t len)
{
	uint64_t gpa;
	void *p = vplat_val_alloc(vplat_loopback_dma(&r->lb), len, 8, &gpa);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Queue one message without kicking; returns the response buffer. */
static uint8_t *req_add(struct rig *r, uint16_t type, uint16_t line, uint32_t value, void *tok)
{
	struct vplat_virtio_gpio_request *q = dma(r, sizeof(*q));
	q->type = vplat_cpu_to_le16(type);
	q->gpio = vplat_cpu_to_le16(line);
	q->value = vplat_cpu_to_le32(value);
	uint8_t *rsp = dma(r, 2);
	memset(rsp, 0xee, 2);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = sizeof(*q)}, {.ptr = rsp, .len = 2}};
	ck_assert_int_eq(vplat_val_vq_add(&r->rq, b, 1, 1, tok), 0);
	return rsp;
}

/* One message, synchronously; returns the status, *value gets the response value. */
static uint8_t req(struct rig *r, uint16_t type, uint16_t line, uint32_t value, uint8_t *out)
{
	uint8_t *rsp = req_add(r, type, line, value, (void *)1);
	vplat_val_vq_kick(&r->rq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r->rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 2); /* devicenormative: all response fields set */
	if (out)
		*out = rsp[1];
	else if (rsp[0] == VPLAT_VIRTIO_GPIO_STATUS_OK)
		ck_assert_uint_eq(rsp[1], 0);
	return rsp[0];
}

/* Unmask @line: queue an eventq buffer pair; returns the status byte (0xee until returned). */
static uint8_t *unmask(struct rig *r, uint16_t line)
{
	vplat_le16 *q = dma(r, 2);
	*q = vplat_cpu_to_le16(line);
	uint8_t *st = dma(r, 1);
	*st = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 2}, {.ptr = st, .len = 1}};
	ck_assert_int_eq(vplat_val_vq_add(&r->eq, b, 1, 1, st), 0);
	vplat_val_vq_kick(&r->eq);
	return st;
}

/* Next returned eventq buffer, or NULL. */
static uint8_t *event(struct rig *r)
{
	void *tok;
	uint32_t len;
	if (vplat_val_vq_get_used(&r->eq, &tok, &len) != 0)
		return NULL;
	ck_assert_uint_eq(len, 1);
	return tok;
}

static void drive(struct rig *r, unsigned line, uint8_t level)
{
	ck_assert_int_eq(vplat_gpio_sim_drive(r->sim, 0, line, level), 0);
}

#define OK  VPLAT_VIRTIO_GPIO_STATUS_OK
#define ERR VPLAT_VIRTIO_GPIO_STATUS_ERR
#define VALID VPLAT_VIRTIO_GPIO_IRQ_STATUS_VALID
#define INVALID VPLAT_VIRTIO_GPIO_IRQ_STATUS_INVALID

START_TEST(config_and_line_names)
{
	/* devicenormative: requestq Operation -- gpio_names_size is the size of the block of
	 * unique NUL-terminated names; GET_LINE_NAMES returns it after the status. */
	struct rig r;
	rig_up(&r, _i, true);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 0, 2), NLINES);
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 2, 2), 0); /* padding is zero */
	ck_assert_uint_eq(vplat_val_config_read(&r.d, 4, 4), r.names_size);
	uint32_t n = r.names_size;
	struct vplat_virtio_gpio_request *q = dma(&r, sizeof(*q));
	q->type = vplat_cpu_to_le16(VPLAT_VIRTIO_GPIO_MSG_GET_LINE_NAMES);
	uint8_t *rsp = dma(&r, 1 + n);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = sizeof(*q)}, {.ptr = rsp, .len = 1 + n}};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, b, 1, 1, (void *)1), 0);
	vplat_val_vq_kick(&r.rq);
	void *tok;
	uint32_t len;
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 1 + n);
	ck_assert_uint_eq(rsp[0], OK);
	ck_assert_str_eq((char *)rsp + 1, "MMC-CD");
	ck_assert_uint_eq(rsp[1 + 7], 0);                 /* line 1 unnamed */
	ck_assert_str_eq((char *)rsp + 1 + 7 + 1, "c0l2"); /* default simulator name */
	ck_assert_uint_eq(rsp[n], 0);                      /* block ends with a NUL */
	/* A response buffer too small for the block: ERR, nothing else written past it. */
	rsp = dma(&r, 2);
	b[1] = (struct vplat_val_buf){.ptr = rsp, .len = 2};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, b, 1, 1, (void *)2), 0);
	vplat_val_vq_kick(&r.rq);
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(rsp[0], ERR);
	rig_down(&r);
}
END_TEST

START_TEST(direction_and_value)
{
	struct rig r;
	rig_up(&r, _i, false);
	uint8_t v, lvl, dir;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 3, 0, &v), OK);
	ck_assert_uint_eq(v, VPLAT_VIRTIO_GPIO_DIRECTION_NONE);
	/* Set Value before Set Direction(out): the stored value is used (sec: Set Value). */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 3, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 3,
			      VPLAT_VIRTIO_GPIO_DIRECTION_OUT, NULL), OK);
	vplat_gpio_sim_get(r.sim, 0, 3, &lvl, &dir);
	ck_assert_uint_eq(lvl, 1);
	ck_assert_uint_eq(dir, VPLAT_VIRTIO_GPIO_DIRECTION_OUT);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 3, 0, &v), OK);
	ck_assert_uint_eq(v, VPLAT_VIRTIO_GPIO_DIRECTION_OUT);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 3, 0, NULL), OK);
	vplat_gpio_sim_get(r.sim, 0, 3, &lvl, NULL);
	ck_assert_uint_eq(lvl, 0);
	/* Inputs read what the outside drives. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 4,
			      VPLAT_VIRTIO_GPIO_DIRECTION_IN, NULL), OK);
	drive(&r, 4, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 4, 0, &v), OK);
	ck_assert_uint_eq(v, 1);
	drive(&r, 4, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 4, 0, &v), OK);
	ck_assert_uint_eq(v, 0);
	/* Bad arguments: ERR with value 0. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 4, 3, &v), ERR);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 3, 2, &v), ERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, NLINES, 0, &v), ERR);
	ck_assert_uint_eq(req(&r, 0x77, 0, 0, &v), ERR);
	ck_assert_uint_eq(req(&r, 0, 0, 0, &v), ERR);
	/* SET_IRQ_TYPE without VIRTIO_GPIO_F_IRQ. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 4, 1, &v), ERR);
	rig_down(&r);
}
END_TEST

START_TEST(direction_none_discards_state)
{
	/* devicenormative: requestq Operation -- "MUST discard all state information
	 * corresponding to a GPIO line" on direction NONE. */
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t lvl, dir;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 0, NULL), OK);
	vplat_gpio_sim_get(r.sim, 0, 2, NULL, &dir);
	ck_assert_uint_eq(dir, VPLAT_VIRTIO_GPIO_DIRECTION_NONE);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 1, NULL), OK);
	vplat_gpio_sim_get(r.sim, 0, 2, &lvl, NULL);
	ck_assert_uint_eq(lvl, 0); /* the earlier value 1 was forgotten */
	/* An enabled interrupt with a queued buffer and a latched edge is discarded too. */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 6, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 6, 3, NULL), OK);
	uint8_t *st = unmask(&r, 6);
	ck_assert_ptr_null(event(&r));
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 6, 0, NULL), OK);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, INVALID);
	rig_down(&r);
}
END_TEST

START_TEST(edge_latched_while_masked)
{
	/* devicenormative: requestq Operation -- "MUST latch an edge interrupt if the interrupt
	 * is enabled but still masked"; eventq Operation -- none before enabled and unmasked. */
	struct rig r;
	rig_up(&r, _i, true);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 1, 2, NULL), OK);
	drive(&r, 1, 1); /* not enabled yet: nothing latched */
	drive(&r, 1, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	drive(&r, 1, 1); /* rising while masked: latched */
	uint8_t *st = unmask(&r, 1);
	ck_assert_ptr_eq(event(&r), st); /* delivered as soon as unmasked */
	ck_assert_uint_eq(*st, VALID);
	st = unmask(&r, 1);
	drive(&r, 1, 0); /* falling: not this type */
	ck_assert_ptr_null(event(&r));
	drive(&r, 1, 1); /* unmasked: fires at once */
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	/* both edges, several while masked: one latched event */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), OK);
	drive(&r, 1, 0);
	drive(&r, 1, 1);
	st = unmask(&r, 1);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_ptr_null(event(&r));
	st = unmask(&r, 1); /* nothing latched any more */
	ck_assert_ptr_null(event(&r));
	drive(&r, 1, 0);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(vplat_gpio_stats(&r.g)->irqs, 4);
	rig_down(&r);
}
END_TEST

START_TEST(level_not_latched)
{
	/* devicenormative: requestq Operation -- "MUST NOT latch a level interrupt". */
	struct rig r;
	rig_up(&r, _i, true);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 0, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	drive(&r, 0, 1); /* active while masked ... */
	drive(&r, 0, 0); /* ... and gone again */
	uint8_t *st = unmask(&r, 0);
	ck_assert_ptr_null(event(&r)); /* not latched */
	drive(&r, 0, 1);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	/* Still high when unmasked again: fires again at once (sec: eventq Message Flow). */
	st = unmask(&r, 0);
	ck_assert_ptr_eq(event(&r), st);
	/* LEVEL_LOW */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0, 0, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, NULL), OK);
	st = unmask(&r, 0);
	ck_assert_ptr_null(event(&r));
	drive(&r, 0, 0);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	rig_down(&r);
}
END_TEST

START_TEST(disable_returns_invalid_and_drops_latch)
{
	/* devicenormative: eventq Operation -- on SET_IRQ_TYPE(NONE) "MUST return the buffers
	 * ... INVALID"; requestq Operation -- "MUST discard any latched interrupt". */
	struct rig r;
	rig_up(&r, _i, true);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 7, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 1, NULL), OK);
	uint8_t *st = unmask(&r, 7);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 0, NULL), OK);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, INVALID);
	/* latch, disable, re-enable: the latched edge is gone */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 1, NULL), OK);
	drive(&r, 7, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 0, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 1, NULL), OK);
	st = unmask(&r, 7);
	ck_assert_ptr_null(event(&r));
	/* invalid types, and interrupts on an output */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 5, NULL), ERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 0x10, NULL), ERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 5, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 5, 1, NULL), ERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7, 0, NULL), OK);
	ck_assert_ptr_eq(event(&r), st);
	rig_down(&r);
}
END_TEST

START_TEST(unmask_without_enable_and_bad_buffers)
{
	/* sec: Set IRQ Type -- "unmasked without being enabled first, the device should return
	 * any unused pair of buffers ... INVALID". */
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t *st = unmask(&r, 3);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, INVALID);
	st = unmask(&r, NLINES + 100); /* no such line */
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, INVALID);
	/* a second pair for the same line (the driver MUST NOT): the new one comes back */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3, 1, NULL), OK);
	uint8_t *first = unmask(&r, 3);
	st = unmask(&r, 3);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, INVALID);
	/* a buffer with no readable part */
	uint8_t *w = dma(&r, 1);
	*w = 0xee;
	struct vplat_val_buf b = {.ptr = w, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.eq, &b, 0, 1, w), 0);
	vplat_val_vq_kick(&r.eq);
	ck_assert_ptr_eq(event(&r), w);
	ck_assert_uint_eq(*w, INVALID);
	drive(&r, 3, 1);
	ck_assert_ptr_eq(event(&r), first);
	ck_assert_uint_eq(*first, VALID);
	rig_down(&r);
}
END_TEST

START_TEST(same_line_in_order)
{
	/* devicenormative: requestq Operation -- messages for one line answered in order. */
	struct rig r;
	rig_up(&r, _i, false);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 1, NULL), OK);
	uint8_t *a = req_add(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, (void *)1);
	uint8_t *b = req_add(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 2, 0, (void *)2);
	uint8_t *c = req_add(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 2, 0, (void *)3);
	uint8_t *d = req_add(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 2, 0, (void *)4);
	vplat_val_vq_kick(&r.rq);
	for (uintptr_t k = 1; k <= 4; k++) {
		void *tok;
		ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, NULL, 1000), 0);
		ck_assert_ptr_eq(tok, (void *)k);
	}
	ck_assert_uint_eq(a[0], OK);
	ck_assert_uint_eq(b[0], OK);
	ck_assert_uint_eq(b[1], 1);
	ck_assert_uint_eq(c[0], OK);
	ck_assert_uint_eq(d[1], 0);
	rig_down(&r);
}
END_TEST

START_TEST(malformed_requests_complete)
{
	struct rig r;
	rig_up(&r, _i, false);
	void *tok;
	uint32_t len;
	/* request shorter than 8 bytes: ERR */
	uint8_t *q = dma(&r, 4);
	uint8_t *rsp = dma(&r, 2);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = 4}, {.ptr = rsp, .len = 2}};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, b, 1, 1, (void *)1), 0);
	/* no response buffer at all: completed with 0 bytes */
	struct vplat_virtio_gpio_request *full = dma(&r, 8);
	full->type = vplat_cpu_to_le16(VPLAT_VIRTIO_GPIO_MSG_GET_VALUE);
	b[0] = (struct vplat_val_buf){.ptr = full, .len = 8};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, b, 1, 0, (void *)2), 0);
	/* a 1-byte response: status only */
	uint8_t *one = dma(&r, 1);
	b[1] = (struct vplat_val_buf){.ptr = one, .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, b, 1, 1, (void *)3), 0);
	vplat_val_vq_kick(&r.rq);
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(rsp[0], ERR);
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(one[0], ERR);
	ck_assert_uint_eq(vplat_gpio_stats(&r.g)->malformed, 2);
	/* host failure: ERR, the device keeps going */
	vplat_gpio_sim_fail(r.sim, 0, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 0, 0, NULL), ERR);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 0, 0, NULL), OK);
	ck_assert_uint_eq(vplat_gpio_stats(&r.g)->host_errors, 1);
	rig_down(&r);
}
END_TEST

/* Requests the device must answer ERR, each counted: a direction that does not exist, and
 * host end failures of SET_DIRECTION, SET_VALUE on an output and SET_IRQ_TYPE (the line
 * keeps its state). An eventq buffer in more segments than the device takes, an eventq
 * request shorter than its 2 bytes and one without a status byte come back at once. */
START_TEST(errors_answered_and_counted)
{
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t v;
	const struct vplat_gpio_stats *st = vplat_gpio_stats(&r.g);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 3, NULL), ERR);
	ck_assert_uint_eq(st->errors, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), OK);
	ck_assert_uint_eq(v, VPLAT_VIRTIO_GPIO_DIRECTION_NONE);
	vplat_gpio_sim_fail(r.sim, 0, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2,
			      VPLAT_VIRTIO_GPIO_DIRECTION_OUT, NULL),
			  ERR);
	ck_assert_uint_eq(st->host_errors, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), OK);
	ck_assert_uint_eq(v, VPLAT_VIRTIO_GPIO_DIRECTION_NONE);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2,
			      VPLAT_VIRTIO_GPIO_DIRECTION_OUT, NULL),
			  OK);
	vplat_gpio_sim_fail(r.sim, 0, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), ERR);
	ck_assert_uint_eq(st->host_errors, 2);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 2, 0, &v), OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 3,
			      VPLAT_VIRTIO_GPIO_DIRECTION_IN, NULL),
			  OK);
	vplat_gpio_sim_fail(r.sim, 0, 1);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			  ERR);
	ck_assert_uint_eq(st->host_errors, 3);
	ck_assert_uint_eq(st->errors, 4);
	uint8_t *ev = unmask(&r, 3); /* the interrupt was not enabled: INVALID */
	ck_assert_ptr_eq(event(&r), ev);
	ck_assert_uint_eq(*ev, INVALID);
	/* an eventq request of 1 byte */
	uint8_t *q1 = dma(&r, 1);
	uint8_t *s1 = dma(&r, 1);
	*q1 = 3;
	*s1 = 0xee;
	struct vplat_val_buf b[2] = {{.ptr = q1, .len = 1}, {.ptr = s1, .len = 1}};
	ck_assert_int_eq(vplat_val_vq_add(&r.eq, b, 1, 1, s1), 0);
	vplat_val_vq_kick(&r.eq);
	ck_assert_ptr_eq(event(&r), s1);
	ck_assert_uint_eq(*s1, INVALID);
	/* an eventq request for an enabled line without a writable status byte: returned at once,
	 * nothing written, and the line is not armed by it */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 4,
			      VPLAT_VIRTIO_GPIO_DIRECTION_IN, NULL),
			  OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 4,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL),
			  OK);
	vplat_le16 *q4 = dma(&r, 2);
	*q4 = vplat_cpu_to_le16(4);
	struct vplat_val_buf ro = {.ptr = q4, .len = 2};
	ck_assert_int_eq(vplat_val_vq_add(&r.eq, &ro, 1, 0, q4), 0);
	vplat_val_vq_kick(&r.eq);
	void *t4;
	uint32_t l4 = 99;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.eq, &t4, &l4), 0);
	ck_assert_ptr_eq(t4, q4);
	ck_assert_uint_eq(l4, 0);
	ev = unmask(&r, 4);
	drive(&r, 4, 1);
	ck_assert_ptr_eq(event(&r), ev);
	ck_assert_uint_eq(*ev, VALID);
	/* too many segments (the eventq takes VPLAT_GPIO_EVENT_SEGS) */
	struct vplat_val_buf many[VPLAT_GPIO_EVENT_SEGS + 1];
	for (unsigned k = 0; k < VPLAT_GPIO_EVENT_SEGS + 1; k++)
		many[k] = (struct vplat_val_buf){.ptr = dma(&r, 1), .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.eq, many, VPLAT_GPIO_EVENT_SEGS, 1, (void *)7), 0);
	vplat_val_vq_kick(&r.eq);
	void *tok;
	uint32_t len = 99;
	ck_assert_int_eq(vplat_val_vq_get_used(&r.eq, &tok, &len), 0);
	ck_assert_ptr_eq(tok, (void *)7);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), OK);
	rig_down(&r);
}
END_TEST

/* A requestq message in more segments than the device takes (VPLAT_GPIO_REQUEST_SEGS) is
 * completed empty and counted malformed, and the queue goes on. */
START_TEST(request_too_many_segments)
{
	struct rig r;
	rig_rq_size = 32;
	rig_up(&r, _i, false);
	const struct vplat_gpio_stats *st = vplat_gpio_stats(&r.g);
	struct vplat_val_buf many[VPLAT_GPIO_REQUEST_SEGS + 1];
	for (unsigned k = 0; k < VPLAT_GPIO_REQUEST_SEGS + 1; k++)
		many[k] = (struct vplat_val_buf){.ptr = dma(&r, 1), .len = 1};
	ck_assert_int_eq(vplat_val_vq_add(&r.rq, many, VPLAT_GPIO_REQUEST_SEGS, 1, (void *)8), 0);
	vplat_val_vq_kick(&r.rq);
	void *tok;
	uint32_t len = 99;
	ck_assert_int_eq(vplat_val_wait_used(&r.rq, &tok, &len, 1000), 0);
	ck_assert_ptr_eq(tok, (void *)8);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(st->malformed, 1);
	uint8_t v;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_DIRECTION, 2, 0, &v), OK);
	rig_down(&r);
}
END_TEST

START_TEST(reset_releases_lines)
{
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t dir;
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 1, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2, 1, NULL), OK);
	unmask(&r, 2);
	ck_assert_int_eq(vplat_val_reset(&r.d), 0);
	vplat_gpio_sim_get(r.sim, 0, 1, NULL, &dir);
	ck_assert_uint_eq(dir, VPLAT_VIRTIO_GPIO_DIRECTION_NONE);
	drive(&r, 2, 1); /* no crash, nothing delivered into the reset ring */
	ck_assert_uint_eq(vplat_gpio_stats(&r.g)->irqs, 0);
	vplat_val_vq_fini(&r.rq);
	vplat_val_vq_fini(&r.eq);
	vplat_gpio_fini(&r.g);
	vplat_loopback_fini(&r.lb);
	vplat_gpio_sim_free(r.sim);
}
END_TEST

START_TEST(eventq_reset_drops_held_buffers)
{
	/* sec: Virtqueue Reset -- after a reset of the eventq the device forgets the buffers it
	 * held; an edge that comes meanwhile is latched and delivered into the new buffers. */
	struct rig r;
	rig_extra = VPLAT_BIT(VPLAT_VIRTIO_F_RING_RESET);
	rig_up(&r, _i, true);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2, 1, NULL), OK);
	unmask(&r, 2);
	ck_assert_int_eq(vplat_val_vq_reset(&r.eq), 0);
	drive(&r, 2, 1); /* masked now: latched, nothing written into the old ring */
	ck_assert_ptr_null(event(&r));
	uint8_t *st = unmask(&r, 2);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	rig_down(&r);
}
END_TEST

START_TEST(names_pack_rules)
{
	uint8_t buf[64];
	uint32_t size;
	const char *dup[] = {"a", "b", "a"};
	ck_assert_int_eq(vplat_gpio_names_pack(dup, 3, buf, sizeof(buf), &size), VPLAT_EEXIST);
	const char *hi[] = {"ok", "\xc3\xa9"};
	ck_assert_int_eq(vplat_gpio_names_pack(hi, 2, buf, sizeof(buf), &size), VPLAT_EINVAL);
	const char *none[] = {NULL, "", NULL};
	ck_assert_int_eq(vplat_gpio_names_pack(none, 3, buf, sizeof(buf), &size), 0);
	ck_assert_uint_eq(size, 0);
	const char *some[] = {"x", NULL, "yz"};
	ck_assert_int_eq(vplat_gpio_names_pack(some, 3, buf, 5, &size), VPLAT_ENOMEM);
	ck_assert_int_eq(vplat_gpio_names_pack(some, 3, buf, sizeof(buf), &size), 0);
	ck_assert_uint_eq(size, 6);
	ck_assert_mem_eq(buf, "x\0\0yz\0", 6);
	/* init refuses blocks that do not describe exactly ngpio unique names */
	struct vplat_gpio g;
	struct vplat_gpio_line lines[3];
	struct vplat_mem m;
	struct vplat_mem_region reg[1];
	vplat_mem_init(&m, reg, 1);
	void *host = NULL;
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, buf, 6, &vplat_gpio_host_sim, host), 0);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 2, buf, 6, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, buf, 5, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, (const uint8_t *)"a\0a\0\0", 5,
					 &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 0, &vplat_gpio_host_sim, host), 0);
	/* a block with a name that is not ASCII */
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 2, (const uint8_t *)"ok\0\xc3\xa9\0", 6,
					 &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	/* packing without a place for the size or without the names */
	ck_assert_int_eq(vplat_gpio_names_pack(some, 3, buf, sizeof(buf), NULL), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_names_pack(NULL, 3, buf, sizeof(buf), &size), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_names_pack(NULL, 0, buf, sizeof(buf), &size), 0);
	ck_assert_uint_eq(size, 0);
	/* init: each argument check on its own */
	struct vplat_gpio_host_ops h;
	ck_assert_int_eq(vplat_gpio_init(NULL, &m, lines, 3, NULL, 0, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, NULL, 3, NULL, 0, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 0, NULL, 0, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 0, NULL, host), VPLAT_EINVAL);
	h = vplat_gpio_host_sim;
	h.set_direction = NULL;
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 0, &h, host), VPLAT_EINVAL);
	h = vplat_gpio_host_sim;
	h.get_value = NULL;
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 0, &h, host), VPLAT_EINVAL);
	h = vplat_gpio_host_sim;
	h.set_value = NULL;
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 0, &h, host), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, NULL, 6, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_init(&g, &m, lines, 3, buf, 0, &vplat_gpio_host_sim, host),
			 VPLAT_EINVAL);
}
END_TEST

static void ctl(int fd, struct vplat_gpio_sim *sim, const char *cmd, char *reply, size_t cap)
{
	ck_assert_int_eq(write(fd, cmd, strlen(cmd)), (int)strlen(cmd));
	size_t got = 0;
	for (int i = 0; i < 1000 && (got == 0 || reply[got - 1] != '\n'); i++) {
		vplat_gpio_sim_dispatch(sim);
		ssize_t n = recv(fd, reply + got, cap - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		else
			usleep(1000);
	}
	reply[got] = 0;
}

START_TEST(control_socket_drives_inputs)
{
	/* The simulator's control interface: a test (or a demo user with socat) toggles an
	 * input and the guest gets the interrupt; outputs are read back the same way. */
	struct rig r;
	rig_up(&r, _i, true);
	char path[64], reply[128];
	snprintf(path, sizeof(path), "/tmp/vplat-gpio-%d-%d.sock", (int)getpid(), _i);
	ck_assert_int_ge(vplat_gpio_sim_listen(r.sim, path), 0);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 4, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 4, 1, NULL), OK);
	uint8_t *st = unmask(&r, 4);
	ctl(fd, r.sim, "set 0 4 1\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok\n");
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	ctl(fd, r.sim, "get 0 4\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok 1 in\n");
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 5, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 5, 1, NULL), OK);
	ctl(fd, r.sim, "get 0 5\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok 1 out\n");
	ctl(fd, r.sim, "name 0 5\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok Red LED Vdd\n");
	ctl(fd, r.sim, "info\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok 2 8\n");
	ctl(fd, r.sim, "set 0 99 1\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "err no such line\n");
	ctl(fd, r.sim, "bogus\n", reply, sizeof(reply));
	ck_assert_int_eq(strncmp(reply, "err usage", 9), 0);
	close(fd);
	/* A client that hangs up before its reply: no SIGPIPE, the simulator keeps serving. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, "info\n", 5), 5);
	close(fd);
	for (int i = 0; i < 3; i++)
		vplat_gpio_sim_dispatch(r.sim);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ctl(fd, r.sim, "info\n", reply, sizeof(reply));
	ck_assert_str_eq(reply, "ok 2 8\n");
	close(fd);
	rig_down(&r);
	ck_assert_int_ne(access(path, F_OK), 0); /* socket path removed */
}
END_TEST

START_TEST(loopback_wire)
{
	/* vplat_gpio_sim_wire(): the driver raises its own interrupt by driving the wire's
	 * source; the change is carried at the next dispatch, never inside the request. */
	struct rig r;
	rig_up(&r, _i, true);
	uint8_t v = 0xff, dir;
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 6, 6), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 6, NLINES), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 2, 6, 7), VPLAT_EINVAL);
	ck_assert_int_eq(vplat_gpio_sim_wire(NULL, 0, 6, 7), VPLAT_EINVAL);
	ck_assert(!vplat_gpio_sim_pending(r.sim));
	drive(&r, 7, 1); /* an outside level first: the wire takes over at once */
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 6, 7), 0);
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 6, 5), VPLAT_EBUSY); /* one wire per end */
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 4, 7), VPLAT_EBUSY);
	ck_assert_int_eq(vplat_gpio_sim_wire(r.sim, 0, 7, 4), VPLAT_EBUSY);
	ck_assert(vplat_gpio_sim_pending(r.sim));
	vplat_gpio_sim_dispatch(r.sim);
	ck_assert(!vplat_gpio_sim_pending(r.sim));
	ck_assert_int_eq(vplat_gpio_sim_get(r.sim, 0, 7, &v, &dir), 0);
	ck_assert_uint_eq(v, 0); /* source not an output: pulled down */
	/* line 7 an input with a rising-edge interrupt, unmasked; line 6 an output at 0 */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 7, 2, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 7,
			      VPLAT_VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	uint8_t *st = unmask(&r, 7);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 6, 1, NULL), OK);
	vplat_gpio_sim_dispatch(r.sim);
	ck_assert_ptr_null(event(&r));
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 6, 1, NULL), OK);
	ck_assert(vplat_gpio_sim_pending(r.sim));
	ck_assert_ptr_null(event(&r)); /* not carried inside the request */
	vplat_gpio_sim_dispatch(r.sim);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(*st, VALID);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 7, 0, &v), OK);
	ck_assert_uint_eq(v, 1);
	/* releasing the source pulls the target down: a falling edge, not this type */
	st = unmask(&r, 7);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 6, 0, NULL), OK);
	vplat_gpio_sim_dispatch(r.sim);
	ck_assert_ptr_null(event(&r));
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_GET_VALUE, 7, 0, &v), OK);
	ck_assert_uint_eq(v, 0);
	/* an output again at 1 (SET_DIRECTION carries the value): rising, the event fires */
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_DIRECTION, 6, 1, NULL), OK);
	ck_assert_uint_eq(req(&r, VPLAT_VIRTIO_GPIO_MSG_SET_VALUE, 6, 1, NULL), OK);
	vplat_gpio_sim_dispatch(r.sim);
	ck_assert_ptr_eq(event(&r), st);
	ck_assert_uint_eq(vplat_gpio_stats(&r.g)->irqs, 2);
	rig_down(&r);
}
END_TEST

START_TEST(gpiod_missing_chip)
{
	/* The libgpiod end refuses a chip that does not exist (the build host has no GPIO
	 * chips; the gpio-sim test in tests/integration covers real chips where present). */
	ck_assert_ptr_null(vplat_gpio_gpiod_open("/nonexistent/gpiochip99", NULL));
	ck_assert_ptr_null(vplat_gpio_gpiod_open(NULL, NULL));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("gpio");
	TCase *tc = tcase_create("gpio");
	tcase_add_loop_test(tc, config_and_line_names, 0, 4);
	tcase_add_loop_test(tc, direction_and_value, 0, 4);
	tcase_add_loop_test(tc, direction_none_discards_state, 0, 4);
	tcase_add_loop_test(tc, edge_latched_while_masked, 0, 4);
	tcase_add_loop_test(tc, level_not_latched, 0, 4);
	tcase_add_loop_test(tc, disable_returns_invalid_and_drops_latch, 0, 4);
	tcase_add_loop_test(tc, unmask_without_enable_and_bad_buffers, 0, 4);
	tcase_add_loop_test(tc, same_line_in_order, 0, 4);
	tcase_add_loop_test(tc, malformed_requests_complete, 0, 4);
	tcase_add_loop_test(tc, errors_answered_and_counted, 0, 4);
	tcase_add_loop_test(tc, request_too_many_segments, 0, 4);
	tcase_add_loop_test(tc, reset_releases_lines, 0, 4);
	tcase_add_loop_test(tc, control_socket_drives_inputs, 0, 2);
	tcase_add_loop_test(tc, loopback_wire, 0, 4);
	tcase_add_loop_test(tc, eventq_reset_drops_held_buffers, 0, 4);
	tcase_add_test(tc, names_pack_rules);
	tcase_add_test(tc, gpiod_missing_chip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vplat_test_main(suite());
}
