/* SPDX-License-Identifier: BSD-3-Clause */
/* Private state of the built-in switch, shared by its files. */
#ifndef VPLAT_SWITCH_INTERNAL_H
#define VPLAT_SWITCH_INTERNAL_H

#include "vplat/fabric/switch.h"

/* One queued frame; its bytes are at queue.buf + index * frame_max. */
struct sw_slot {
	uint32_t len;
	struct vplat_virtio_net_hdr hdr;
};

/* A FIFO of frames of one traffic class. */
struct sw_queue {
	uint8_t *buf;
	struct sw_slot *slots;
	uint32_t head, count;
	int64_t deficit; /* WEIGHTED: bytes this class may still send in its turn */
};

struct vplat_switch_port {
	uint32_t id;
	struct vplat_switch_port_config cfg; /* defaults resolved */
	const struct vplat_switch_port_ops *ops;
	void *ctx;
	struct sw_queue q[VPLAT_SWITCH_CLASSES];
	uint8_t rr;  /* WEIGHTED: class whose turn it is */
	bool fresh;  /* WEIGHTED: its quantum has not been added yet */
	bool shaped; /* rate_bps != 0 */
	struct vplat_ratelimit rl;
	struct vplat_switch_port_stats st;
};

struct vplat_switch_mac {
	uint8_t mac[6];
	uint16_t vid;
	uint32_t port;
	bool used;
	uint64_t seen;
};

/* Queue a copy of @p f for egress through @p p in the class of @p pcp (switch_queue.c). */
void vplat_switch_enqueue(struct vplat_switch_port *p, const struct vplat_net_frame *f,
			  uint8_t pcp);

/* Allocate / free a port's queues (switch_queue.c). */
int vplat_switch_queues_alloc(struct vplat_switch_port *p, uint64_t now_ns);
void vplat_switch_queues_free(struct vplat_switch_port *p);

/* Serve one port; returns ns until it can send again (UINT64_MAX: empty; 0: busy). */
uint64_t vplat_switch_serve(struct vplat_switch_port *p, uint64_t now_ns);

/* True if VLAN @p vid may pass port @p p. */
bool vplat_switch_vlan_member(const struct vplat_switch_port *p, uint16_t vid);

#endif
