/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device input: the input device on a scripted event stream (keyboard, touchscreen) or
 * on a Linux evdev device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input_opts.h"
#include "vdev.h"

static int input_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_input *o = &v->opt.input;
	const char *val;
	if (!strcmp(argv[*i], "--keyboard"))
		return o->keyboard = true, 1;
	if (!strcmp(argv[*i], "--grab"))
		return o->grab = true, 1;
	if ((val = vdev_optval(argc, argv, i, "--touch")))
		return input_opts_touch(val, o) ? 1 : -1;
	if ((val = vdev_optval(argc, argv, i, "--script")))
		return o->script = val, 1;
	if ((val = vdev_optval(argc, argv, i, "--name")))
		return strlen(val) <= 128 ? (o->name = val, 1) : -1;
	if ((val = vdev_optval(argc, argv, i, "--serial")))
		return strlen(val) <= 128 ? (o->serial = val, 1) : -1;
	if ((val = vdev_optval(argc, argv, i, "--evdev")))
		return o->evdev = val, o->backend = VPLAT_INSTANCE_INPUT_EVDEV, 1;
	return 0;
}

static bool input_configure(struct vdev *v)
{
	struct vplat_instance_input *o = &v->opt.input;
	const char *why = input_opts_check(o);
	if (why) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "--%s", why);
		return false;
	}
	return true;
}

const struct vdev_type vdev_input = {
    .name = "input",
    .summary = "input device (virtio-input, ID 18): scripted keyboard/touch or /dev/input/eventN",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio input device. By default it is a keyboard and a touchscreen\n"
	    "    whose events come from a script (--script); with --evdev it mirrors a host\n"
	    "    evdev device: its name, IDs, event codes and axis ranges, and its events as\n"
	    "    they happen. LED and sound events the guest writes (statusq) are written back\n"
	    "    to the evdev device, or end a script's wait-status step. The daemon logs each\n"
	    "    script's round trips (SYN_REPORT sent to the next status event) when it ends.\n"
	    "    QEMU: -chardev socket,id=i,path=SOCK -device vhost-user-input-pci,chardev=i.\n"
	    "    In a Linux guest (virtio_input, evdev): /dev/input/eventN.\n"
	    "\n"
	    "    Script lines (docs/input.md): key CODE VALUE, abs CODE VALUE, rel CODE VALUE,\n"
	    "    ev TYPE CODE VALUE, syn (EV_SYN/SYN_REPORT: the update is delivered), sleep MS,\n"
	    "    wait-status (until the guest writes an LED or sound event), repeat N (last\n"
	    "    line; 0 = forever). Codes are the Linux evdev numbers (KEY_A = 30).\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --script FILE       events to send, once the guest driver is running\n"
	    "    --keyboard          keyboard capabilities: keys 1..88 (KEY_ESC..KEY_F12) and\n"
	    "                        the NumLock, CapsLock and ScrollLock LEDs\n"
	    "    --touch WxH[,slots=N]\n"
	    "                        touchscreen capabilities: BTN_TOUCH, ABS_X 0..W-1,\n"
	    "                        ABS_Y 0..H-1 and, with N (1..16) slots, multitouch\n"
	    "                        (ABS_MT_SLOT, _TRACKING_ID, _POSITION_X/Y); without\n"
	    "                        --keyboard and --touch: both, touch 1920x1080\n"
	    "    --name NAME         device name (ID_NAME; default \"vplat input\")\n"
	    "    --serial SERIAL     serial number (ID_SERIAL; default none)\n"
	    "    --evdev DEV         mirror the host device DEV (/dev/input/eventN or N)\n"
	    "    --grab              with --evdev: take the device from the host's other readers\n"
	    "                        (EVIOCGRAB)\n",
    .type = VPLAT_INSTANCE_INPUT,
    .option = input_option,
    .configure = input_configure,
};
