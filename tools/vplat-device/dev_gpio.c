/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device gpio: the GPIO device on vplat's line simulator with a control socket. */
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/gpio.h"
#include "vplat/host/gpio_host.h"

#define GPIO_NAMES_MAX 8192u

struct gpio_state {
	uint64_t lines;
	const char *control;
	struct vplat_gpio_sim *sim;
	struct vplat_gpio_line *line_state;
	uint8_t names[GPIO_NAMES_MAX];
	struct vplat_gpio gpio;
};

static struct gpio_state *st(struct vdev *v)
{
	if (!v->state)
		v->state = calloc(1, sizeof(struct gpio_state));
	return v->state;
}

static int gpio_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct gpio_state *s = st(v);
	const char *val;
	if (!s)
		return -1;
	if ((val = vdev_optval(argc, argv, i, "--lines")))
		return vdev_parse_u64(val, &s->lines) && s->lines >= 1 && s->lines <= 1024 ? 1 : -1;
	if ((val = vdev_optval(argc, argv, i, "--control")))
		return s->control = val, 1;
	return 0;
}

static void on_input(void *opaque, uint16_t line, uint8_t level)
{
	vplat_gpio_input_event(opaque, line, level);
}

static struct vplat_device *gpio_create(struct vdev *v, struct vplat_mem *mem)
{
	struct gpio_state *s = st(v);
	if (!s)
		return NULL;
	unsigned n = (unsigned)(s->lines ? s->lines : 8);
	s->sim = vplat_gpio_sim_new(1, n);
	s->line_state = calloc(n, sizeof(*s->line_state));
	uint32_t nsize = 0;
	if (!s->sim || !s->line_state ||
	    vplat_gpio_names_pack(vplat_gpio_sim_names(s->sim, 0), (uint16_t)n, s->names,
				  sizeof(s->names), &nsize))
		return NULL;
	if (s->control && vplat_gpio_sim_listen(s->sim, s->control) < 0) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "gpio: cannot listen on %s", s->control);
		return NULL;
	}
	int rc = vplat_gpio_init(&s->gpio, mem, s->line_state, (uint16_t)n, nsize ? s->names : NULL,
				 nsize, &vplat_gpio_host_sim, vplat_gpio_sim_chip(s->sim, 0));
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "gpio: %s", vplat_strerror(rc));
		return NULL;
	}
	vplat_gpio_sim_set_sink(s->sim, 0, on_input, &s->gpio);
	vdev_log(v, VPLAT_VHU_LOG_INFO, "gpio: %u simulated lines%s%s", n,
		 s->control ? ", control socket " : "", s->control ? s->control : "");
	return vplat_gpio_device(&s->gpio);
}

static unsigned gpio_host_fds(struct vdev *v, int *fds, unsigned max)
{
	struct gpio_state *s = v->state;
	return s->sim ? vplat_gpio_sim_fds(s->sim, fds, max) : 0;
}

static void gpio_run(struct vdev *v)
{
	struct gpio_state *s = v->state;
	if (s->sim)
		vplat_gpio_sim_dispatch(s->sim);
}

static void gpio_destroy(struct vdev *v)
{
	struct gpio_state *s = v->state;
	if (!s)
		return;
	vplat_gpio_sim_free(s->sim);
	free(s->line_state);
	free(s);
	v->state = NULL;
}

const struct vdev_type vdev_gpio = {
    .name = "gpio",
    .summary = "GPIO device (virtio-gpio, ID 41) on simulated lines",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio GPIO device whose lines are simulated; an optional control\n"
	    "    socket lets a test read outputs and drive inputs (line-based text commands:\n"
	    "    \"get 0 LINE\", \"set 0 LINE 0|1\", \"name 0 LINE\", \"info\"). Lines are\n"
	    "    named c0l0, c0l1, ... QEMU: -chardev socket,id=g,path=SOCK\n"
	    "    -device vhost-user-gpio-pci,chardev=g (QEMU 7.2 does not pass\n"
	    "    VIRTIO_GPIO_F_IRQ, so the guest sees no interrupts).\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --lines N           number of lines, 1..1024 (default 8)\n"
	    "    --control PATH      listen for control connections on PATH\n",
    .option = gpio_option,
    .create = gpio_create,
    .host_fds = gpio_host_fds,
    .host_run = gpio_run,
    .destroy = gpio_destroy,
};
