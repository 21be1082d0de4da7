/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device gpio: the GPIO device on vplat's line simulator with a control socket, or on a
 * host GPIO chip (libgpiod). */
#include "vdev.h"

static int gpio_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_gpio *o = &v->opt.gpio;
	const char *val;
	uint64_t n;
	if ((val = vdev_optval(argc, argv, i, "--lines"))) {
		if (!vdev_parse_u64(val, &n) || n < 1 || n > 1024)
			return -1;
		return o->lines = (uint16_t)n, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--loop-wires"))) {
		if (!vdev_parse_u64(val, &n) || n > 512)
			return -1;
		return o->loop_wires = (uint16_t)n, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--control")))
		return o->control = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--chip")))
		return o->backend = VPLAT_INSTANCE_GPIO_GPIOD, o->chip = val, 1;
	return 0;
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
	    "    --control PATH      listen for control connections on PATH\n"
	    "    --loop-wires N      N loopback wires on the last 2N lines, named loop-outk\n"
	    "                        and loop-ink: each loop-outk output drives loop-ink's\n"
	    "                        input, so a driver raises its own interrupts (the\n"
	    "                        conformance suite's GPIO interrupt tests)\n"
	    "    --chip CHIP         serve a GPIO chip of this host instead (libgpiod; name,\n"
	    "                        number or path, e.g. gpiochip0); --lines and --control\n"
	    "                        are then ignored\n",
    .type = VPLAT_INSTANCE_GPIO,
    .option = gpio_option,
};
