/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device net: the network device on a Linux tap, or a sink that drops every frame;
 * transmit rate limits. */
#include <stdio.h>
#include <string.h>
#include "net_opts.h"
#include "vdev.h"

static bool sink; /* --sink given (one device per process) */

static int net_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct vplat_instance_net *o = &v->opt.net;
	const char *val;
	uint64_t n;
	if ((val = vdev_optval(argc, argv, i, "--tap")))
		return o->tap = val, 1;
	if (!strcmp(argv[*i], "--sink"))
		return sink = true, 1;
	if ((val = vdev_optval(argc, argv, i, "--mac")))
		return net_opts_mac(val, o->mac) ? (o->has_mac = true, 1) : -1;
	if ((val = vdev_optval(argc, argv, i, "--queue-size"))) {
		if (!vdev_parse_u64(val, &n) || n < 1 || n > 32768)
			return -1;
		return o->queue_size = (uint16_t)n, 1;
	}
	if ((val = vdev_optval(argc, argv, i, "--mtu")))
		return (o->mtu = net_opts_mtu(val)) ? 1 : -1;
	return vdev_ratelimit_option(argc, argv, i, "--frame-rate", "--frame-burst", &o->ratelimit);
}

static bool net_configure(struct vdev *v)
{
	struct vplat_instance_net *o = &v->opt.net;
	if (!o->tap == !sink) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "net: give exactly one of --tap NAME or --sink");
		return false;
	}
	o->backend = sink ? VPLAT_INSTANCE_NET_SINK : VPLAT_INSTANCE_NET_TAP;
	o->ctrl = false; /* a vhost-user front-end serves the control queue itself */
	if (!o->queue_size)
		o->queue_size = 1024;
	return true;
}

const struct vdev_type vdev_net = {
    .name = "net",
    .summary = "network device (virtio-net, ID 1) on a Linux tap or a sink",
    .help = "DESCRIPTION\n"
	    "    Serves a virtio network device with one queue pair (the front-end handles\n"
	    "    the control queue). Frames go to a Linux tap with a virtio-net header\n"
	    "    (offloads pass through) or, with --sink, are counted and dropped (for\n"
	    "    benchmarks). QEMU: -chardev socket,id=n,path=SOCK\n"
	    "    -netdev vhost-user,id=n0,chardev=n -device virtio-net-pci,netdev=n0,vectors=0\n"
	    "    (QEMU 7.2 under TCG crashes with MSI-X here: keep vectors=0).\n"
	    "    The rate-limit options bound what the guest transmits, on a tap or a sink:\n"
	    "    a frame over the limit waits in the transmit queue (never dropped) until\n"
	    "    the limit lets it go. What the guest receives is not limited.\n"
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --tap NAME          create or attach tap NAME (needs CAP_NET_ADMIN)\n"
	    "    --sink              drop transmitted frames, receive none\n"
	    "    --mac XX:..:XX      offer VIRTIO_NET_F_MAC\n"
	    "    --mtu N             offer VIRTIO_NET_F_MTU (68..65535)\n"
	    "    --queue-size N      largest queue size (default 1024)\n"
	    "    --frame-rate N      at most N frames per second transmitted (description:\n"
	    "                        frame-rate)\n"
	    "    --frame-burst N     frames allowed at once (default: one second's worth;\n"
	    "                        description: frame-burst)\n"
	    "    --bps N             at most N bytes per second transmitted, frame bytes\n"
	    "                        without the virtio header (description: bandwidth)\n"
	    "    --bps-burst N       bytes allowed at once (default: one second's worth;\n"
	    "                        description: bandwidth-burst)\n"
	    "                        0 = unlimited.\n",
    .type = VPLAT_INSTANCE_NET,
    .option = net_option,
    .configure = net_configure,
};
