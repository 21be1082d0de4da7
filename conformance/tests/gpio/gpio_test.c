/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the GPIO device tests (gpio_test.h). */
#include <time.h>
#include "gpio_test.h"

enum vplat_result gpio_up(struct vplat_test_ctx *t, bool irq, struct gdev *g)
{
	memset(g, 0, sizeof(*g));
	if (irq && !(vplat_val_get_device_features(t->d) & GF_IRQ))
		return vplat_t_skip(t, "VIRTIO_GPIO_F_IRQ not offered");
	enum vplat_result r = bringup_no_driver_ok(t, irq ? GF_IRQ : 0, &g->rq,
						   VPLAT_VIRTIO_GPIO_REQUESTQ, 16);
	if (r != VPLAT_PASS)
		return r;
	if (irq) {
		g->eq = vplat_t_vq(t);
		uint16_t max = vplat_val_queue_max(t->d, VPLAT_VIRTIO_GPIO_EVENTQ);
		if (!g->eq || max == 0)
			return vplat_t_error(t, "no eventq with VIRTIO_GPIO_F_IRQ negotiated");
		int rc =
		    vplat_val_vq_setup(t->d, g->eq, VPLAT_VIRTIO_GPIO_EVENTQ, max < 16 ? max : 16);
		if (rc)
			return vplat_t_error(t, "eventq setup failed: %s", vplat_strerror(rc));
	}
	int rc = vplat_val_driver_ok(t->d);
	if (rc)
		return vplat_t_error(t, "DRIVER_OK failed: %s", vplat_strerror(rc));
	g->ngpio = (uint16_t)cfg(t, GCFG(ngpio), 2);
	if (g->ngpio == 0)
		return vplat_t_error(t, "ngpio is 0");
	return VPLAT_PASS;
}

int gpio_rq(struct vplat_test_ctx *t, struct gdev *g, uint16_t type, uint16_t line, uint32_t value,
	    struct grsp *r)
{
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	struct vplat_virtio_gpio_request *q = dmab(t, sizeof(*q));
	uint8_t *a = dmab(t, 2);
	if (!q || !a)
		return VPLAT_ENOMEM;
	q->type = vplat_cpu_to_le16(type);
	q->gpio = vplat_cpu_to_le16(line);
	q->value = vplat_cpu_to_le32(value);
	a[0] = a[1] = G_UNTOUCHED;
	struct vplat_val_buf b[2] = {{.ptr = q, .len = sizeof(*q)}, {.ptr = a, .len = 2}};
	r->used = UINT32_MAX;
	int rc = xfer(t, g->rq, b, 1, 1, &r->used);
	r->status = a[0];
	r->value = a[1];
	vplat_val_mem_release(t->d->mem, mark);
	return rc;
}

int gpio_ok(struct vplat_test_ctx *t, struct gdev *g, uint16_t type, uint16_t line, uint32_t value)
{
	struct grsp r;
	if (gpio_rq(t, g, type, line, value, &r) != 0 || r.status != G_OK || r.used != 2)
		return -1;
	return r.value;
}

uint8_t *gpio_names(struct vplat_test_ctx *t, struct gdev *g, uint32_t cap, uint32_t *used)
{
	struct vplat_virtio_gpio_request *q = dmab(t, sizeof(*q));
	uint8_t *a = dmab(t, cap ? cap : 1);
	if (!q || !a)
		return NULL;
	q->type = vplat_cpu_to_le16(G_NAMES);
	memset(a, G_UNTOUCHED, cap);
	struct vplat_val_buf b[2] = {{.ptr = q, .len = sizeof(*q)}, {.ptr = a, .len = cap}};
	*used = UINT32_MAX;
	return xfer(t, g->rq, b, 1, 1, used) == 0 ? a : NULL;
}

int gpio_find(struct vplat_test_ctx *t, struct gdev *g, const char *name)
{
	uint32_t size = (uint32_t)cfg(t, GCFG(gpio_names_size), 4), used;
	if (size == 0 || size > 65536)
		return -1;
	uint64_t mark = vplat_val_mem_mark(t->d->mem);
	uint8_t *a = gpio_names(t, g, size + 1, &used);
	int found = -1;
	if (a && a[0] == G_OK && used == size + 1) {
		uint32_t off = 1;
		for (int line = 0; line < g->ngpio && off <= size; line++) {
			size_t len = strnlen((const char *)a + off, size + 1 - off);
			if (off + len <= size && strlen(name) == len &&
			    !memcmp(a + off, name, len)) {
				found = line;
				break;
			}
			off += (uint32_t)len + 1;
		}
	}
	vplat_val_mem_release(t->d->mem, mark);
	return found;
}

bool gpio_loop(struct vplat_test_ctx *t, struct gdev *g, unsigned n, uint16_t *out, uint16_t *in)
{
	char o[16], i[16];
	snprintf(o, sizeof(o), "loop-out%u", n);
	snprintf(i, sizeof(i), "loop-in%u", n);
	int lo = gpio_find(t, g, o), li = gpio_find(t, g, i);
	if (lo < 0 || li < 0)
		return false;
	*out = (uint16_t)lo;
	*in = (uint16_t)li;
	return true;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void gpio_settle(struct vplat_test_ctx *t, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	do
		vplat_t_poll(t);
	while (now_ms() < end);
}

bool gpio_wire(struct vplat_test_ctx *t, struct gdev *g, uint16_t out, uint16_t in, uint8_t level)
{
	if (gpio_ok(t, g, G_SET_VAL, out, level) < 0 || gpio_ok(t, g, G_SET_DIR, out, D_OUT) < 0)
		return false;
	uint64_t end = now_ms() + G_EV_MS;
	do {
		vplat_t_poll(t);
		if (gpio_ok(t, g, G_GET_VAL, in, 0) == level)
			return true;
	} while (now_ms() < end && !vplat_t_expired(t));
	return false;
}

int gpio_unmask(struct vplat_test_ctx *t, struct gdev *g, uint16_t line, struct gev *ev)
{
	ev->req = dmab(t, 2);
	ev->rsp = dmab(t, 1);
	if (!ev->req || !ev->rsp)
		return VPLAT_ENOMEM;
	ev->req[0] = (uint8_t)line;
	ev->req[1] = (uint8_t)(line >> 8);
	ev->rsp[0] = G_UNTOUCHED;
	struct vplat_val_buf b[2] = {{.ptr = ev->req, .len = 2}, {.ptr = ev->rsp, .len = 1}};
	int rc = vplat_val_vq_add(g->eq, b, 1, 1, ev);
	if (rc == 0)
		vplat_val_vq_kick(g->eq);
	return rc;
}

bool gpio_ev_wait(struct vplat_test_ctx *t, struct gdev *g, unsigned ms, void **tok, uint32_t *len)
{
	uint64_t end = now_ms() + ms;
	for (;;) {
		if (vplat_val_vq_get_used(g->eq, tok, len) == 0)
			return true;
		if (now_ms() >= end || vplat_t_expired(t))
			return false;
		vplat_t_poll(t);
	}
}
