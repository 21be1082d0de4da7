/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device can: the CAN device on a SocketCAN interface (vcan or real). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vdev.h"
#include "vplat/can.h"
#include "vplat/fabric/can_bus.h"
#include "vplat/host/can_socketcan.h"

#define ECHO_MAX 64

struct can_state {
	const char *iface;
	bool no_fd;
	bool virt;
	struct vplat_can_socketcan *sock;
	struct vplat_canbus *bus;
	struct vplat_canbus_node *node, *echo;
	struct vplat_can_frame pending[ECHO_MAX]; /* frames the echo node sends back */
	unsigned npending;
	struct vplat_can can;
};

static struct can_state *st(struct vdev *v)
{
	if (!v->state)
		v->state = calloc(1, sizeof(struct can_state));
	return v->state;
}

static int can_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct can_state *s = st(v);
	const char *val;
	if (!s)
		return -1;
	if ((val = vdev_optval(argc, argv, i, "--iface")))
		return s->iface = val, 1;
	if (!strcmp(argv[*i], "--no-fd"))
		return s->no_fd = true, 1;
	if (!strcmp(argv[*i], "--virtual"))
		return s->virt = true, 1;
	return 0;
}

/* The echo node of --virtual: every frame it receives goes back onto the bus. */
static void echo_rx(void *opaque, const struct vplat_can_frame *f,
		    const struct vplat_canbus_node *from)
{
	struct can_state *s = opaque;
	(void)from;
	if (s->npending < ECHO_MAX)
		s->pending[s->npending++] = *f;
}

static struct vplat_device *can_create_virtual(struct vdev *v, struct can_state *s,
					       struct vplat_mem *mem)
{
	/* A timed bus (500 kbit/s, FD data phase 2 Mbit/s): frames occupy it as on a wire. */
	struct vplat_canbus_config bc = {.bitrate = 500000, .data_bitrate = 2000000};
	s->bus = vplat_canbus_new(&bc);
	s->node = s->bus ? vplat_canbus_add_node(s->bus, "vhost-user") : NULL;
	s->echo = s->bus ? vplat_canbus_add_port(s->bus, "echo", echo_rx, s) : NULL;
	if (!s->node || !s->echo)
		return NULL;
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) | VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	int rc = vplat_can_init(&s->can, mem, f, &vplat_can_host_bus, s->node);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "can: %s", vplat_strerror(rc));
		return NULL;
	}
	vplat_canbus_node_bind(s->node, &s->can);
	vdev_log(v, VPLAT_VHU_LOG_INFO, "can: virtual bus with an echo node");
	return vplat_can_device(&s->can);
}

static struct vplat_device *can_create(struct vdev *v, struct vplat_mem *mem)
{
	struct can_state *s = st(v);
	if (s && s->virt && !s->iface)
		return can_create_virtual(v, s, mem);
	if (!s || !s->iface) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "can: give --iface NAME or --virtual");
		return NULL;
	}
	int rc = vplat_can_socketcan_open(s->iface, &s->sock);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "can: %s: %s", s->iface, vplat_strerror(rc));
		return NULL;
	}
	uint64_t f = VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_CLASSIC) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_RTR_FRAMES) |
		     VPLAT_BIT(VPLAT_VIRTIO_CAN_F_LATE_TX_ACK);
	if (!s->no_fd && vplat_can_socketcan_fd_capable(s->sock))
		f |= VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD);
	rc = vplat_can_init(&s->can, mem, f, &vplat_can_host_socketcan, s->sock);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "can: %s", vplat_strerror(rc));
		return NULL;
	}
	vplat_can_socketcan_bind(s->sock, &s->can);
	vdev_log(v, VPLAT_VHU_LOG_INFO, "can: %s%s", s->iface,
		 (f & VPLAT_BIT(VPLAT_VIRTIO_CAN_F_CAN_FD)) ? " (CAN FD)" : "");
	return vplat_can_device(&s->can);
}

static unsigned can_host_fds(struct vdev *v, int *fds, unsigned max)
{
	struct can_state *s = v->state;
	if (!s->sock || max < 1)
		return 0;
	fds[0] = vplat_can_socketcan_fd(s->sock);
	return 1;
}

static void can_run(struct vdev *v)
{
	struct can_state *s = v->state;
	if (s->sock)
		vplat_can_socketcan_dispatch(s->sock);
	if (!s->bus)
		return;
	for (int round = 0; round < 4; round++) {
		vplat_canbus_run(s->bus, 0);
		if (!s->npending)
			break;
		for (unsigned i = 0; i < s->npending; i++)
			vplat_canbus_port_send(s->echo, &s->pending[i]);
		s->npending = 0;
	}
}

static int can_timeout_ms(struct vdev *v)
{
	struct can_state *s = v->state;
	if (!s->bus)
		return -1;
	if (s->npending)
		return 0;
	uint64_t next = vplat_canbus_next_ns(s->bus);
	if (next == UINT64_MAX)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return next <= now ? 0 : (int)((next - now + 999999u) / 1000000u);
}

static void can_destroy(struct vdev *v)
{
	struct can_state *s = v->state;
	if (!s)
		return;
	if (s->sock)
		vplat_can_socketcan_close(s->sock);
	vplat_canbus_free(s->bus);
	free(s);
	v->state = NULL;
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
	    "    --no-fd             do not offer CAN FD (SocketCAN)\n",
    .option = can_option,
    .create = can_create,
    .host_fds = can_host_fds,
    .host_run = can_run,
    .host_timeout_ms = can_timeout_ms,
    .destroy = can_destroy,
};
