/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the network device's transmit and receive header paths (sec: Network
 * Device / Device Operation / Packet Transmission, Processing of Incoming Packets).
 *
 * Byte 0 chooses the transport, ring layout and features (MRG_RXBUF, CSUM, GUEST_CSUM,
 * host offloads, MTU); the rest is a list of records {op, len_lo, len_hi, bytes}: op 0 sends
 * the bytes (virtio header + frame) on transmitq1, op 1 hands them (header + frame) to
 * vplat_net_rx(), op 2 drains receiveq1. The driver is well-behaved, so the device must never
 * enter DEVICE_NEEDS_RESET; every frame must be completed or refused cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_lb.h"
#define NETDRV_LOOPBACK_INIT fz_lb_init
#define NETDRV_LOOPBACK_FINI fz_lb_fini
#include "../unit/netdrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F(b) VPLAT_BIT(VPLAT_VIRTIO_NET_F_##b)

static struct netdrv n;
static struct vplat_net_mock mock;
static uint8_t out[VPLAT_NET_FRAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	uint64_t want = F(MTU);
	want |= (sel & 4) ? F(MRG_RXBUF) : 0;
	want |= (sel & 8) ? F(CSUM) | F(HOST_TSO4) | F(HOST_TSO6) | F(HOST_ECN) | F(HOST_UFO) : 0;
	want |= (sel & 16) ? F(GUEST_CSUM) | F(GUEST_TSO4) | F(GUEST_ECN) | F(GUEST_UFO) : 0;
	memset(&mock, 0, sizeof(mock));
	mock.offloads = (sel & 32) ? VPLAT_NET_OFFLOAD_MASK : 0;
	struct vplat_net_config cfg = {.pairs = 1, .mtu = (sel & 64) ? 1500 : 0};
	if (netdrv_up(&n, sel & 3, &cfg, &vplat_net_host_mock, &mock, want, (sel & 4) ? 128 : 1526,
		      16, 16, 1u << 20)) {
		netdrv_down(&n);
		return 0;
	}
	size_t pos = 1;
	while (pos + 3 <= size) {
		uint8_t op = data[pos] % 3;
		size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		const uint8_t *b = data + pos;
		pos += len;
		if (op == 0 && len >= VPLAT_VIRTIO_NET_HDR_SIZE) {
			netdrv_tx(&n, 0, (const struct vplat_virtio_net_hdr *)(const void *)b,
				  b + VPLAT_VIRTIO_NET_HDR_SIZE, len - VPLAT_VIRTIO_NET_HDR_SIZE,
				  len & 1);
		} else if (op == 1 && len >= VPLAT_VIRTIO_NET_HDR_SIZE) {
			struct vplat_virtio_net_hdr h;
			memcpy(&h, b, sizeof(h));
			vplat_net_rx(&n.net, &h, b + sizeof(h), len - sizeof(h));
		} else {
			while (netdrv_rx(&n, 0, out, sizeof(out), NULL, NULL) >= 0)
				;
		}
	}
	if (vplat_device_get_status(&n.net.dev) & VPLAT_VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		abort(); /* a well-behaved driver never breaks the device */
	netdrv_down(&n);
	return 0;
}
