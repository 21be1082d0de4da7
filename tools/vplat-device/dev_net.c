/* SPDX-License-Identifier: BSD-3-Clause */
/* vplat-device net: the network device on a Linux tap, or a sink that drops every frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vdev.h"
#include "vplat/net.h"
#include "vplat/host/net_host.h"

struct net_state {
	const char *tap_name;
	bool sink;
	uint64_t queue_size;
	uint64_t mtu;
	struct vplat_net_config cfg;
	struct vplat_net_tap tap;
	struct vplat_net net;
	uint64_t sunk;
};

static struct net_state *st(struct vdev *v)
{
	if (!v->state)
		v->state = calloc(1, sizeof(struct net_state));
	return v->state;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static int net_option(struct vdev *v, int argc, char **argv, int *i)
{
	struct net_state *s = st(v);
	const char *val;
	if (!s)
		return -1;
	if ((val = vdev_optval(argc, argv, i, "--tap")))
		return s->tap_name = val, 1;
	if (!strcmp(argv[*i], "--sink"))
		return s->sink = true, 1;
	if ((val = vdev_optval(argc, argv, i, "--mac")))
		return parse_mac(val, s->cfg.mac) ? (s->cfg.has_mac = true, 1) : -1;
	if ((val = vdev_optval(argc, argv, i, "--queue-size")))
		return vdev_parse_u64(val, &s->queue_size) && s->queue_size >= 1 &&
			       s->queue_size <= 32768
			   ? 1
			   : -1;
	if ((val = vdev_optval(argc, argv, i, "--mtu")))
		return vdev_parse_u64(val, &s->mtu) && s->mtu >= 68 && s->mtu <= 65535 ? 1 : -1;
	return 0;
}

static int sink_tx(void *host, const struct vplat_virtio_net_hdr *hdr, const uint8_t *frame,
		   size_t len)
{
	(void)hdr;
	(void)frame;
	(void)len;
	((struct net_state *)host)->sunk++;
	return 0;
}

static const struct vplat_net_host_ops sink_ops = {.tx = sink_tx};

static struct vplat_device *net_create(struct vdev *v, struct vplat_mem *mem)
{
	struct net_state *s = st(v);
	if (!s || (!s->tap_name == !s->sink)) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "net: give exactly one of --tap NAME or --sink");
		return NULL;
	}
	s->tap.fd = -1;
	const struct vplat_net_host_ops *ops = &sink_ops;
	void *host = s;
	if (s->tap_name) {
		int rc = vplat_net_tap_open(&s->tap, s->tap_name);
		if (rc) {
			vdev_log(v, VPLAT_VHU_LOG_ERROR, "net: tap %s: %s", s->tap_name,
				 vplat_strerror(rc));
			return NULL;
		}
		ops = &vplat_net_tap_host;
		host = &s->tap;
		vdev_log(v, VPLAT_VHU_LOG_INFO, "net: tap %s", s->tap.name);
	}
	s->cfg.pairs = 1;
	s->cfg.ctrl = false; /* a vhost-user front-end serves the control queue itself */
	s->cfg.queue_size = (uint16_t)(s->queue_size ? s->queue_size : 1024);
	s->cfg.mtu = (uint16_t)s->mtu;
	int rc = vplat_net_init(&s->net, mem, &s->cfg, ops, host);
	if (rc) {
		vdev_log(v, VPLAT_VHU_LOG_ERROR, "net: %s", vplat_strerror(rc));
		return NULL;
	}
	return vplat_net_device(&s->net);
}

static unsigned net_host_fds(struct vdev *v, int *fds, unsigned max)
{
	struct net_state *s = v->state;
	if (!s->tap_name || s->tap.fd < 0 || max < 1)
		return 0;
	fds[0] = s->tap.fd;
	return 1;
}

static void net_run(struct vdev *v)
{
	struct net_state *s = v->state;
	if (s->tap_name && s->tap.fd >= 0 && vplat_device_is_live(vplat_net_device(&s->net)))
		vplat_net_tap_poll_net(&s->tap, &s->net);
}

static void net_destroy(struct vdev *v)
{
	struct net_state *s = v->state;
	if (!s)
		return;
	if (s->tap_name && s->tap.fd >= 0)
		vplat_net_tap_close(&s->tap);
	if (s->sink)
		vdev_log(v, VPLAT_VHU_LOG_INFO, "net: sink dropped %llu frames",
			 (unsigned long long)s->sunk);
	free(s);
	v->state = NULL;
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
	    "\n"
	    "DEVICE OPTIONS\n"
	    "    --tap NAME          create or attach tap NAME (needs CAP_NET_ADMIN)\n"
	    "    --sink              drop transmitted frames, receive none\n"
	    "    --mac XX:..:XX      offer VIRTIO_NET_F_MAC\n"
	    "    --mtu N             offer VIRTIO_NET_F_MTU (68..65535)\n"
	    "    --queue-size N      largest queue size (default 1024)\n",
    .option = net_option,
    .create = net_create,
    .host_fds = net_host_fds,
    .host_run = net_run,
    .destroy = net_destroy,
};
