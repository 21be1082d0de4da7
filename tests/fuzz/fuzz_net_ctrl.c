/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the network device's control queue parser (sec: Network Device / Device
 * Operation / Control Virtqueue). Each input is one command (class, command, data), run both
 * through the parser directly and through the control virtqueue; then a few frames go through
 * the receive filters the fuzzed commands left behind. The device must answer every command
 * with OK or ERR and never need a reset. Device and driver are set up for each input (over guest
 * RAM kept for the process, fuzz_lb.h), so an input's result does not depend on the ones before
 * it; two queue pairs (MQ commands still have an upper bound to cross) keep that set-up cheap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_lb.h"
#define NETDRV_LOOPBACK_INIT fz_lb_init
#define NETDRV_LOOPBACK_FINI fz_lb_fini
#include "../unit/netdrv.h"
#include "devices/net/net_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_NET_F_##b)

static struct netdrv n;
static struct vplat_net_mock mock;
static uint8_t out[2048];

static void setup(void)
{
	struct vplat_net_config cfg = {
	    .pairs = 2, .ctrl = true, .has_mac = true, .mac = {2, 0, 0, 0, 0, 1}};
	uint64_t want = F(CTRL_VQ) | F(CTRL_RX) | F(CTRL_RX_EXTRA) | F(CTRL_VLAN) |
			F(GUEST_ANNOUNCE) | F(CTRL_MAC_ADDR) | F(CTRL_GUEST_OFFLOADS) | F(MQ) |
			F(GUEST_CSUM) | F(MAC);
	if (netdrv_up(&n, 1, &cfg, &vplat_net_host_mock, &mock, want, 1526, 4, 4, 1u << 20))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	uint8_t ack = vplat_net_ctrl_exec(&n.net, data, size);
	if (ack != VPLAT_VIRTIO_NET_OK && ack != VPLAT_VIRTIO_NET_ERR)
		abort();
	if (size >= 2 && size - 2 <= 4000) {
		int rc = netdrv_ctrl(&n, data[0], data[1], data + 2, size - 2);
		if (rc != VPLAT_VIRTIO_NET_OK && rc != VPLAT_VIRTIO_NET_ERR)
			abort();
	}
	uint8_t f[64] = {0};
	for (int k = 0; k < 4; k++) {
		memcpy(f,
		       size >= 6 * (size_t)(k + 1) ? data + 6 * k
						   : (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
		       6);
		f[6] = 2;
		f[12] = 0x81, f[14] = (uint8_t)k, f[15] = (uint8_t)(size & 0xff);
		vplat_net_rx(&n.net, NULL, f, sizeof(f));
		for (uint16_t p = 0; p < n.pairs; p++)
			while (netdrv_rx(&n, p, out, sizeof(out), NULL, NULL) >= 0)
				;
	}
	if (vplat_device_get_status(&n.net.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort();
	netdrv_down(&n);
	return 0;
}
