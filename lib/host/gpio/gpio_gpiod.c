/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libgpiod (1.6 API) host end for the GPIO device: one vplat GPIO device drives the lines of
 * one GPIO chip of the host kernel. Built as stubs that fail when libgpiod is absent.
 */
#include <stdlib.h>
#include <string.h>
#include "vplat/error.h"
#include "vplat/gpio.h"
#include "vplat/host/gpio_host.h"

#include <errno.h>
#ifdef VPLAT_HAVE_GPIOD
#include <gpiod.h>
#include <poll.h>

#define CONSUMER "vplat"

struct gpiod_slot {
	struct gpiod_line *line;
	uint8_t dir;
	bool events; /* requested for edge events (an input) */
};

struct vplat_gpio_gpiod {
	struct gpiod_chip *chip;
	unsigned nlines;
	struct gpiod_slot *slots;
	const char **names;
	struct vplat_gpio *target;
};

struct vplat_gpio_gpiod *vplat_gpio_gpiod_open(const char *chip, struct vplat_gpio *target)
{
	if (!chip)
		return NULL;
	struct vplat_gpio_gpiod *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->chip = gpiod_chip_open_lookup(chip);
	if (!h->chip)
		goto fail;
	h->nlines = gpiod_chip_num_lines(h->chip);
	h->slots = calloc(h->nlines ? h->nlines : 1, sizeof(*h->slots));
	h->names = calloc(h->nlines ? h->nlines : 1, sizeof(*h->names));
	if (!h->slots || !h->names || h->nlines == 0 || h->nlines > 65535)
		goto fail;
	for (unsigned i = 0; i < h->nlines; i++) {
		h->slots[i].line = gpiod_chip_get_line(h->chip, i);
		if (!h->slots[i].line)
			goto fail;
		const char *n = gpiod_line_name(h->slots[i].line);
		for (unsigned j = 0; n && j < i; j++)
			if (h->names[j] && !strcmp(h->names[j], n))
				n = NULL; /* names must be unique: later duplicates go unnamed */
		h->names[i] = n;
	}
	h->target = target;
	return h;
fail:
	vplat_gpio_gpiod_close(h);
	return NULL;
}

void vplat_gpio_gpiod_bind(struct vplat_gpio_gpiod *h, struct vplat_gpio *target)
{
	h->target = target;
}

unsigned vplat_gpio_gpiod_lines(const struct vplat_gpio_gpiod *h)
{
	return h ? h->nlines : 0;
}

const char *const *vplat_gpio_gpiod_names(const struct vplat_gpio_gpiod *h)
{
	return h ? h->names : NULL;
}

void vplat_gpio_gpiod_close(struct vplat_gpio_gpiod *h)
{
	if (!h)
		return;
	for (unsigned i = 0; h->slots && i < h->nlines; i++)
		if (h->slots[i].line && gpiod_line_is_requested(h->slots[i].line))
			gpiod_line_release(h->slots[i].line);
	if (h->chip)
		gpiod_chip_close(h->chip);
	free(h->slots);
	free(h->names);
	free(h);
}

static struct gpiod_slot *slot(void *host, uint16_t line)
{
	struct vplat_gpio_gpiod *h = host;
	return line < h->nlines ? &h->slots[line] : NULL;
}

static void slot_release(struct gpiod_slot *s)
{
	if (gpiod_line_is_requested(s->line))
		gpiod_line_release(s->line);
	s->events = false;
}

static int gd_set_direction(void *host, uint16_t line, uint8_t dir, uint8_t value)
{
	struct gpiod_slot *s = slot(host, line);
	if (!s)
		return VPLAT_EINVAL;
	bool keep_events = s->events && dir == VPLAT_VIRTIO_GPIO_DIRECTION_IN;
	if (!keep_events)
		slot_release(s);
	int rc = 0;
	if (dir == VPLAT_VIRTIO_GPIO_DIRECTION_OUT)
		rc = gpiod_line_request_output(s->line, CONSUMER, value ? 1 : 0);
	else if (dir == VPLAT_VIRTIO_GPIO_DIRECTION_IN && !keep_events)
		rc = gpiod_line_request_input(s->line, CONSUMER);
	if (rc != 0)
		return VPLAT_EIO;
	s->dir = dir;
	return 0;
}

static int gd_get_value(void *host, uint16_t line, uint8_t *value)
{
	struct gpiod_slot *s = slot(host, line);
	if (!s)
		return VPLAT_EINVAL;
	bool temp = !gpiod_line_is_requested(s->line);
	if (temp && gpiod_line_request_input(s->line, CONSUMER) != 0)
		return VPLAT_EIO;
	int v = gpiod_line_get_value(s->line);
	if (temp)
		gpiod_line_release(s->line);
	if (v < 0)
		return VPLAT_EIO;
	*value = v ? 1 : 0;
	return 0;
}

static int gd_set_value(void *host, uint16_t line, uint8_t value)
{
	struct gpiod_slot *s = slot(host, line);
	if (!s)
		return VPLAT_EINVAL;
	return gpiod_line_set_value(s->line, value ? 1 : 0) == 0 ? 0 : VPLAT_EIO;
}

/* Any interrupt type is served from both-edge events; the device derives levels from them. */
static int gd_set_irq_type(void *host, uint16_t line, uint8_t type)
{
	struct gpiod_slot *s = slot(host, line);
	if (!s)
		return VPLAT_EINVAL;
	slot_release(s);
	int rc;
	if (type == VPLAT_VIRTIO_GPIO_IRQ_TYPE_NONE) {
		rc = s->dir == VPLAT_VIRTIO_GPIO_DIRECTION_IN ? gpiod_line_request_input(s->line, CONSUMER)
							       : 0;
	} else {
		rc = gpiod_line_request_both_edges_events(s->line, CONSUMER);
		s->events = rc == 0;
	}
	return rc == 0 ? 0 : VPLAT_EIO;
}

unsigned vplat_gpio_gpiod_fds(const struct vplat_gpio_gpiod *h, int *fds, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; h && i < h->nlines && n < max; i++)
		if (h->slots[i].events)
			fds[n++] = gpiod_line_event_get_fd(h->slots[i].line);
	return n;
}

int vplat_gpio_gpiod_dispatch(struct vplat_gpio_gpiod *h)
{
	if (!h)
		return VPLAT_EINVAL;
	int done = 0;
	for (unsigned i = 0; i < h->nlines; i++) {
		struct gpiod_slot *s = &h->slots[i];
		if (!s->events)
			continue;
		/* Bounded: at most 64 events per line and call, so a bouncing input cannot hog us. */
		for (int k = 0; k < 64; k++) {
			struct pollfd p = {.fd = gpiod_line_event_get_fd(s->line), .events = POLLIN};
			if (p.fd < 0 || poll(&p, 1, 0) <= 0)
				break;
			struct gpiod_line_event ev;
			if (gpiod_line_event_read(s->line, &ev) != 0)
				break;
			if (h->target)
				vplat_gpio_input_event(h->target, (uint16_t)i,
						       ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE);
			done++;
		}
	}
	return done;
}

const struct vplat_gpio_host_ops vplat_gpio_host_gpiod = {
	.set_direction = gd_set_direction,
	.get_value = gd_get_value,
	.set_value = gd_set_value,
	.set_irq_type = gd_set_irq_type,
};

#else /* !VPLAT_HAVE_GPIOD: stubs */

struct vplat_gpio_gpiod *vplat_gpio_gpiod_open(const char *chip, struct vplat_gpio *target)
{
	(void)chip;
	(void)target;
	errno = ENOTSUP; /* vplat_build_missing(VPLAT_BUILD_GPIOD) says why */
	return NULL;
}

void vplat_gpio_gpiod_bind(struct vplat_gpio_gpiod *h, struct vplat_gpio *target)
{
	(void)h;
	(void)target;
}

unsigned vplat_gpio_gpiod_lines(const struct vplat_gpio_gpiod *h)
{
	(void)h;
	return 0;
}

const char *const *vplat_gpio_gpiod_names(const struct vplat_gpio_gpiod *h)
{
	(void)h;
	return NULL;
}

unsigned vplat_gpio_gpiod_fds(const struct vplat_gpio_gpiod *h, int *fds, unsigned max)
{
	(void)h;
	(void)fds;
	(void)max;
	return 0;
}

int vplat_gpio_gpiod_dispatch(struct vplat_gpio_gpiod *h)
{
	(void)h;
	return VPLAT_ENOTSUP;
}

void vplat_gpio_gpiod_close(struct vplat_gpio_gpiod *h)
{
	(void)h;
}

static int stub_set_direction(void *host, uint16_t line, uint8_t dir, uint8_t value)
{
	(void)host, (void)line, (void)dir, (void)value;
	return VPLAT_ENOTSUP;
}

static int stub_get_value(void *host, uint16_t line, uint8_t *value)
{
	(void)host, (void)line, (void)value;
	return VPLAT_ENOTSUP;
}

static int stub_set_value(void *host, uint16_t line, uint8_t value)
{
	(void)host, (void)line, (void)value;
	return VPLAT_ENOTSUP;
}

const struct vplat_gpio_host_ops vplat_gpio_host_gpiod = {
	.set_direction = stub_set_direction,
	.get_value = stub_get_value,
	.set_value = stub_set_value,
};
#endif
