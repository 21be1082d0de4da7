/* SPDX-License-Identifier: BSD-3-Clause */
/* Private helpers shared by the files of the network device (and its fuzz targets). */
#ifndef VPLAT_NET_INTERNAL_H
#define VPLAT_NET_INTERNAL_H

#include "vplat/net.h"

/* Index of the control queue for the negotiated features. */
uint16_t vplat_net_ctrl_index(const struct vplat_net *net);

/*
 * Execute one control command: @p cmd holds the class, the command and its data (the whole
 * device-readable part of the chain, @p len bytes). Returns VPLAT_VIRTIO_NET_OK or _ERR.
 */
uint8_t vplat_net_ctrl_exec(struct vplat_net *net, const uint8_t *cmd, size_t len);

/* Serve the control queue. */
void vplat_net_ctrl_process(struct vplat_net *net, struct vplat_vq *vq);

/* Receive filters: true if the frame passes (sec: Packet Receive Filtering, VLAN Filtering). */
bool vplat_net_rx_accept(const struct vplat_net *net, const uint8_t *frame, size_t len);

/* A receiveq was kicked: the driver posted buffers. */
void vplat_net_rx_kick(struct vplat_net *net, struct vplat_vq *vq);

/* Drop every cached receive chain (reset, queue reset). */
void vplat_net_rx_forget(struct vplat_net *net, uint16_t pair);

/* Check a transmit header and resolve the offloads the host end does not take.
 * Returns 0 or VPLAT_EPROTO (frame must be dropped). */
int vplat_net_tx_fixup(struct vplat_net *net, struct vplat_virtio_net_hdr *hdr, uint8_t *frame,
		       size_t len);

/* Ones' complement sum helpers. */
uint32_t vplat_net_csum_add(uint32_t sum, const uint8_t *p, size_t len);

#endif
