/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device can: the CAN device on a SocketCAN interface (vcan or real) or a virtual bus. */
#include <string.h>
#include "vdev.h"

static bool virt; /* --virtual given (one device per process) */

static int can_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_can *o = &v->opt.can;
	const char *val;
	if ((val = vdev_optval(argc, argv, i, "--iface")))
		return o->iface = val, 1;
	if (!strcmp(argv[*i], "--no-fd"))
		return o->no_fd = true, 1;
	if (!strcmp(argv[*i], "--virtual"))
		return virt = true, 1;
	return vdev_ratelimit_option(argc, argv, i, "--frame-rate", "--frame-burst", &o->ratelimit);
}

static bool can_configure(struct vdev *v)
{
	struct vplat_instance_can *o = &v->opt.can;
	if (!o->iface && !virt) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "can: give --iface NAME or --virtual");
		return false;
	}
	if (o->iface && (o->ratelimit.ops_rate || o->ratelimit.bytes_rate)) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR,
			 "can: rate limits are enforced by a virtual bus node: use --virtual, "
			 "not --iface");
		return false;
	}
	o->backend = o->iface ? VPLAT_INSTANCE_CAN_SOCKETCAN : VPLAT_INSTANCE_CAN_ECHO;
	return true;
}

const struct vdev_type vdev_can = {
    .name = "can",
    .summary = "CAN device (virtio-can, ID 36) on a SocketCAN interface",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio CAN device (classic, RTR, late TX ack, and CAN FD when the\n"
	    "    interface takes it) on a SocketCAN interface such as vcan0, or on a virtual\n"
	    "    bus. QEMU 7.2 has no\n"
	    "    virtio-can device: use vplat's front-end or the conformance suite as the\n"
	    "    driver.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --iface NAME        SocketCAN interface\n"
	    "    --virtual           instead: a vplat virtual bus (500 kbit/s, FD data 2 Mbit/s)\n"
	    "                        with one more node that sends every frame it receives\n"
	    "                        back onto the bus\n"
	    "    --no-fd             do not offer CAN FD (SocketCAN)\n"
	    "    --frame-rate N      --virtual: at most N frames per second onto the bus\n"
	    "                        (description: frame-rate)\n"
	    "    --frame-burst N     frames allowed at once (description: frame-burst)\n"
	    "    --bps N             --virtual: at most N bytes per second (description:\n"
	    "                        bandwidth)\n"
	    "    --bps-burst N       bytes allowed at once (description: bandwidth-burst)\n",
    .type = VPLAT_INSTANCE_CAN,
    .option = can_option,
    .configure = can_configure,
};
